;; Regression (differential fuzzing, found 2026-11-21, six modules): min and
;; max of a NaN stored to memory differed from V8 bit for bit.  Both results
;; are valid Wasm (the spec allows a canonical NaN or an operand's payload),
;; but V8 returns the canonical NaN with the sign bit set while we
;; propagated the payload, so the exported memory hashes disagreed.  The
;; engine now returns V8's NaN (runtime/numeric.h, WRT_F32_MINMAX_NAN).
(module
  (memory (export "memory") 1)
  (func (export "run") (param f32 f64)
    (f32.store (i32.const 0) (f32.min (local.get 0) (f32.const 1)))
    (f32.store (i32.const 4) (f32.max (f32.const 1) (local.get 0)))
    (f64.store (i32.const 8) (f64.min (local.get 1) (f64.const 1)))
    (f64.store (i32.const 16) (f64.max (f64.const -0) (local.get 1)))
    ;; a payload-carrying NaN from bits
    (f32.store (i32.const 24)
      (f32.min (f32.reinterpret_i32 (i32.const 0x7fffff84)) (local.get 0)))
    (f64.store (i32.const 32)
      (f64.max (f64.reinterpret_i64 (i64.const 0x7ff0000000000084)) (local.get 1)))))
