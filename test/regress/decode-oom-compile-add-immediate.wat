;; Regression (fuzz-decode, found 2026-11-21): the compiler writes through
;; its code buffer after an allocation failure.
;;
;; runtime/compile.c, translate(), case of a binary operator with a constant
;; right operand: after emit_op()/emit_cell() for `i32.add x, k` or
;; `i32.sub x, k`, the peephole that rewrites the instruction into the
;; add-immediate form stores `c->code[c->last_instr].h = ...` and, for sub,
;; `c->code[c->ncode - 1].u = -k`, without checking c->oom.  When the very
;; first growth of the code buffer is refused, c->code is still NULL and
;; c->ncode is 0: the first store writes through a null pointer (UBSan:
;; "applying zero offset to null pointer" at the add) and the second one at
;; index 0xffffffff.  The other peepholes that index c->code directly after
;; emitting (the fused compare+branch, the folded load address, the
;; computed-result retargeting, the loop fuel cell) share the pattern.
;;
;; Run by test/fuzz/regress.sh through build/fuzz/fuzz-decode with
;; FUZZ_ALL_FAILURES=1: every allocation of load + compile_all is refused in
;; turn, alone and together with all later ones.
(module
  (func (export "add") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "sub") (param i32) (result i32)
    (i32.sub (local.get 0) (i32.const 1)))
  (func (export "load") (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 4))))
  (func (export "cmp") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 3))
      (then (i32.const 1)) (else (i32.const 2))))
  (memory 1))
