;; traps.wat — one function per kind of trap, for sql/traps.sql.
(module
  (type $v_i (func (result i32)))
  (memory 1)
  (table 2 funcref)

  (func $unreachable (export "unreachable") (result i32) unreachable)
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $trunc (export "trunc") (param f64) (result i32)
    (i32.trunc_f64_s (local.get 0)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; recursion n deep, then back up
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  ;; counts to n in a loop: fuel grows with n
  (func $count (export "count") (param $n i64) (result i64)
    (local $i i64)
    (block $done
      (loop $l
        (br_if $done (i64.ge_s (local.get $i) (local.get $n)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $l)))
    (local.get $i))
  (func $spin (export "spin") (result i32)
    (loop $l (br $l))
    (i32.const 0))
  (func $load (export "load") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func $grow (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func $pages (export "pages") (result i32)
    (memory.size))
  (func $call_null (export "call_null") (result i32)
    (call_indirect (type $v_i) (i32.const 0)))

  ;; a three-deep stack for the backtrace
  (func $inner (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32)
    (call $inner (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32)
    (call $middle (local.get 0)))
)
