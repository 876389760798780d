;; version1.wat / version2.wat — two versions of one module, for the
;; replace/drop tests (003_replica.pl, 004_sessions.pl).
;;   version() -> int4   1 here, 2 in version2.wat
;;   label()   -> text   'one' here, 'two' in version2.wat
;; A bump allocator is enough for pgwasm's allocation protocol: memory is
;; reset with the instance at transaction end.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (data (i32.const 16) "one")

  (func $alloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
    (result i32)
    (local $p i32)
    ;; round up to align, then bump
    (local.set $p
      (i32.and
        (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $next (i32.add (local.get $p) (local.get $size)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (global.get $next)
                             (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
          (then unreachable))
        (br $grow)))
    (local.get $p))

  (func (export "free") (param i32))

  (func (export "version") (result i32) (i32.const 1))

  ;; returns a fresh copy of "one" as (len << 32) | ptr
  (func (export "label") (result i64)
    (local $p i32)
    (local.set $p (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 3)))
    (memory.copy (local.get $p) (i32.const 16) (i32.const 3))
    (i64.or (i64.shl (i64.const 3) (i64.const 32))
            (i64.extend_i32_u (local.get $p)))))
