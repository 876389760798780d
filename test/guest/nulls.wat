;; nulls.wat — an ABI v2 module (it exports pgwasm_abi_v2) for sql/nulls.sql.
;; Its functions that are declared without STRICT take every argument as
;; option<T> (an i32 discriminant, then T's flat values) and return a pointer
;; to an option<T> in memory (a discriminant byte, then T at T's alignment).
;; The return area is static, at 1024; the heap is a bump allocator whose
;; free does nothing.
(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "pgwasm_abi_v2"))

  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32) (local $have i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (global.get $heap) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap) (local.get $have))
                                                     (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (local.get $p))
  (func (export "free") (param i32))

  ;; option<int4> + option<int4> -> option<int4>: none only if both are none
  (func (export "add_opt") (param $d1 i32) (param $a i32) (param $d2 i32) (param $b i32) (result i32)
    (i32.store8 (i32.const 1024) (i32.or (local.get $d1) (local.get $d2)))
    ;; a none's payload is zero: add both as they are
    (i32.store (i32.const 1028) (i32.add (local.get $a) (local.get $b)))
    (i32.const 1024))

  ;; plain int4 + int4, for a STRICT declaration
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  ;; option<int4> -> option<bool> (always some): is the argument NULL?
  (func (export "is_null") (param $d i32) (param $v i32) (result i32)
    (i32.store8 (i32.const 1024) (i32.const 1))
    (i32.store8 (i32.const 1025) (i32.eqz (local.get $d)))
    (i32.const 1024))

  ;; option<text> x 2 -> option<text>: the first that is not NULL (a
  ;; pointer into the argument buffer, which the host does not free)
  (func (export "text_or") (param $d1 i32) (param $p1 i32) (param $l1 i32)
                           (param $d2 i32) (param $p2 i32) (param $l2 i32) (result i32)
    (i32.store8 (i32.const 1024) (i32.const 1))
    (if (local.get $d1)
      (then (i32.store (i32.const 1028) (local.get $p1))
            (i32.store (i32.const 1032) (local.get $l1)))
      (else
        (if (local.get $d2)
          (then (i32.store (i32.const 1028) (local.get $p2))
                (i32.store (i32.const 1032) (local.get $l2)))
          (else (i32.store8 (i32.const 1024) (i32.const 0))))))
    (i32.const 1024))

  ;; none, whatever the type
  (func (export "null_result") (result i32)
    (i32.store8 (i32.const 1024) (i32.const 0))
    (i32.const 1024))
  ;; a discriminant that is neither 0 nor 1
  (func (export "bad_disc") (result i32)
    (i32.store8 (i32.const 1024) (i32.const 2))
    (i32.const 1024))

  ;; option<list<option<s32>>> -> option<s32>: how many elements are NULL
  (func (export "count_nulls") (param $d i32) (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3)))))
          (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store8 (i32.const 1024) (local.get $d))
    (i32.store (i32.const 1028) (local.get $c))
    (i32.const 1024))

  ;; option<list<...>> -> the same list (it lies in the argument buffer)
  (func (export "arr_echo") (param $d i32) (param $p i32) (param $n i32) (result i32)
    (i32.store8 (i32.const 1024) (local.get $d))
    (i32.store (i32.const 1028) (local.get $p))
    (i32.store (i32.const 1032) (local.get $n))
    (i32.const 1024))

  ;; the same, its first element's discriminant made 5
  (func (export "arr_bad_disc") (param $d i32) (param $p i32) (param $n i32) (result i32)
    (i32.store8 (local.get $p) (i32.const 5))
    (i32.store8 (i32.const 1024) (local.get $d))
    (i32.store (i32.const 1028) (local.get $p))
    (i32.store (i32.const 1032) (local.get $n))
    (i32.const 1024))

  ;; option<interval> -> the same: payload at 8 (interval aligns on 8)
  (func (export "iv_opt") (param $d i32) (param $m i32) (param $days i32) (param $us i64) (result i32)
    (i32.store8 (i32.const 1024) (local.get $d))
    (i32.store (i32.const 1032) (local.get $m))
    (i32.store (i32.const 1036) (local.get $days))
    (i64.store (i32.const 1040) (local.get $us))
    (i32.const 1024))
)
