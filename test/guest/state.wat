;; state.wat — instance state for sql/state.sql: a global counter and one
;; i32 cell in memory.
(module
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (func $bump (export "bump") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n))
  (func $put (export "put") (param i32)
    (i32.store (i32.const 0) (local.get 0)))
  (func $get (export "get") (result i32)
    (i32.load (i32.const 0)))
  ;; bumps, then traps: the bump must not survive the trap
  (func $bump_and_trap (export "bump_and_trap") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    unreachable))
