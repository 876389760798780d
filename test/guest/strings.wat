;; strings.wat — (ptr, len) arguments and results for sql/buffers.sql.
;;
;; A bump allocator (cabi_realloc) over one growable memory, and a `free`
;; that only counts its calls (frees() reports them), so the tests can see
;; the host release every argument and result buffer.  Results use both
;; forms of ABI v1: an i64 (len << 32 | ptr) and an i32 pointer to a
;; {ptr, len} return area.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 4096))
  (global $frees (mut i32) (i32.const 0))
  (global $posts (mut i32) (i32.const 0))

  ;; constant results
  (data (i32.const 16) "\ff\fe bad")          ;; invalid UTF-8, 6 bytes
  (data (i32.const 32) "{\"a\": [1, 2]}")     ;; 13 bytes
  (data (i32.const 64) "{\"a\": ")            ;; 6 bytes, truncated JSON
  (data (i32.const 80) "h\00i")               ;; 3 bytes with a NUL
  (data (i32.const 96) "caf\c3\a9")           ;; "café", 5 bytes
  (data (i32.const 112) "\e6\97\a5\e6\9c\ac")  ;; 日本, 6 bytes

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
          (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))

  (func (export "free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func (export "frees") (result i32) (global.get $frees))
  (func (export "posts") (result i32) (global.get $posts))
  (func (export "heap_top") (result i32) (global.get $next))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))
            (i64.extend_i32_u (local.get $ptr))))

  ;; ASCII upper-case copy: text -> text (i64 form)
  (func (export "upper") (param $s i32) (param $len i32) (result i64)
    (local $out i32) (local $i i32) (local $c i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $s) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
        (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $pack (local.get $out) (local.get $len)))

  ;; byte-reversed copy, returned through a return area (i32 form)
  (func (export "reverse") (param $s i32) (param $len i32) (result i32)
    (local $out i32) (local $i i32) (local $area i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
    (local.set $area (call $alloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8
          (i32.add (local.get $out) (local.get $i))
          (i32.load8_u (i32.sub (i32.add (local.get $s) (local.get $len))
                                (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.store (local.get $area) (local.get $out))
    (i32.store offset=4 (local.get $area) (local.get $len))
    (local.get $area))

  ;; returns its argument in place (a pointer into the argument buffer)
  (func (export "echo") (param $s i32) (param $len i32) (result i64)
    (call $pack (local.get $s) (local.get $len)))
  (func (export "length") (param $s i32) (param $len i32) (result i32)
    (local.get $len))
  (func (export "first_byte") (param $s i32) (param $len i32) (result i32)
    (if (result i32) (i32.eqz (local.get $len))
      (then (i32.const -1))
      (else (i32.load8_u (local.get $s)))))
  ;; concatenation of two arguments
  (func (export "concat") (param $a i32) (param $alen i32) (param $b i32) (param $blen i32)
    (result i64)
    (local $out i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1)
                      (i32.add (local.get $alen) (local.get $blen))))
    (memory.copy (local.get $out) (local.get $a) (local.get $alen))
    (memory.copy (i32.add (local.get $out) (local.get $alen)) (local.get $b) (local.get $blen))
    (call $pack (local.get $out) (i32.add (local.get $alen) (local.get $blen))))

  (func (export "bad_utf8") (result i64) (call $pack (i32.const 16) (i32.const 6)))
  (func (export "json_value") (result i64) (call $pack (i32.const 32) (i32.const 13)))
  (func (export "bad_json") (result i64) (call $pack (i32.const 64) (i32.const 6)))
  (func (export "with_nul") (result i64) (call $pack (i32.const 80) (i32.const 3)))
  (func (export "cafe") (result i64) (call $pack (i32.const 96) (i32.const 5)))
  (func (export "japanese") (result i64) (call $pack (i32.const 112) (i32.const 6)))
  (func (export "empty") (result i64) (call $pack (i32.const 96) (i32.const 0)))
  (func (export "oob") (result i64) (call $pack (i32.const 65530) (i32.const 100)))
  (func (export "huge_len") (result i64) (call $pack (i32.const 0) (i32.const -1)))
  (func (export "bad_area") (result i32) (i32.const -4))

  ;; cabi_post_upper: called after the result of "upper" was copied out
  (func (export "cabi_post_upper") (param i64)
    (global.set $posts (i32.add (global.get $posts) (i32.const 1))))

  ;; arrays: (ptr, count)
  (func (export "sum_int4") (param $p i32) (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i64.add (local.get $s)
          (i64.extend_i32_s (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func (export "sum_float8") (param $p i32) (param $n i32) (result f64)
    (local $i i32) (local $s f64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f64.add (local.get $s)
          (f64.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  ;; element-wise doubling, for every element size: result (count << 32 | ptr)
  (func (export "double_int4") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (i32.store (i32.add (local.get $out) (local.get $o))
          (i32.mul (i32.load (i32.add (local.get $p) (local.get $o))) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $pack (local.get $out) (local.get $n)))
  (func (export "double_int8") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (i64.store (i32.add (local.get $out) (local.get $o))
          (i64.mul (i64.load (i32.add (local.get $p) (local.get $o))) (i64.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $pack (local.get $out) (local.get $n)))
  (func (export "double_float4") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.mul (f32.load (i32.add (local.get $p) (local.get $o))) (f32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $pack (local.get $out) (local.get $n)))
  (func (export "double_float8") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32) (local $o i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (f64.store (i32.add (local.get $out) (local.get $o))
          (f64.mul (f64.load (i32.add (local.get $p) (local.get $o))) (f64.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $pack (local.get $out) (local.get $n)))
)
