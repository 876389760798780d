;; strings.wat — text functions for test/tap/002_dump_restore.pl.
;;   shout(text) -> text   ASCII upper-case copy of the argument, plus "!"
;;   rot13(text) -> text   ROT13 of the ASCII letters, other bytes as they are
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))

  ;; bump allocator; memory is reset with the instance at transaction end
  (func $alloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
    (result i32)
    (local $p i32)
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

  (func (export "shout") (param $s i32) (param $len i32) (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1)
                                 (i32.add (local.get $len) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $s) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
        (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store8 (i32.add (local.get $out) (local.get $len)) (i32.const 33))
    (i64.or (i64.shl (i64.extend_i32_u (i32.add (local.get $len) (i32.const 1)))
                     (i64.const 32))
            (i64.extend_i32_u (local.get $out))))

  (func $rot (param $c i32) (param $base i32) (result i32)
    (i32.add (local.get $base)
             (i32.rem_u (i32.add (i32.sub (local.get $c) (local.get $base)) (i32.const 13))
                        (i32.const 26))))

  (func (export "rot13") (param $s i32) (param $len i32) (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1)
                                 (i32.add (local.get $len) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $s) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (local.set $c (call $rot (local.get $c) (i32.const 97))))
          (else
            (if (i32.and (i32.ge_u (local.get $c) (i32.const 65))
                         (i32.le_u (local.get $c) (i32.const 90)))
              (then (local.set $c (call $rot (local.get $c) (i32.const 65)))))))
        (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))
            (i64.extend_i32_u (local.get $out)))))
