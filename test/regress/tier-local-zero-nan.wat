;; tier-local-zero-nan.wat — tier-diff finding (binaryen -ttf, SIMD
;; variant), reduced: 0 / 0 of a float local still holding its initial
;; zero.  The native tier initialised locals with LLVM constants, so LLVM
;; folded the division to a positive NaN where x86 and the interpreter
;; make a negative one, and the memory stored differed.  Float locals now
;; start from an opaque zero (lower.c, opaque_const).
(module
  (memory 16 17)
  (func (export "func_0") (param i32) (result i64)
    (local f32)
    i32.const 3
    local.get 1
    local.get 1
    f32.div
    f32.store
    unreachable)
  ;; a second call: at threshold 1 it runs func_0's machine code
  (func (export "again") (result i64)
    (call 0 (i32.const 0)))
  (export "memory" (memory 0)))
