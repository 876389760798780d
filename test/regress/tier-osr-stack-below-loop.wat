;; tier-osr-stack-below-loop.wat — on-stack replacement must carry the
;; operand-stack values that lie below a loop (pushed before it, used after
;; it) and the loop's own parameters into machine code; a mapping that
;; dropped or swapped one of them gives another result after the switch,
;; and a trap inside the OSR'd loop must report the same frames.  Kept as
;; the tier harness's standing case: interpreted and tiered at thresholds 1
;; (the second back-edge enters the native code) must agree exactly.
(module
  (memory 1)
  (func (export "below") (result i64)
    (local $i i32)
    (i64.const 1000000007)          ;; stays below the loop
    (f64.const 2.5)                 ;; this one too
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.add (i32.mul (i32.const 31)) (local.get $i))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 500))))
    (drop)
    (i64.trunc_f64_s)
    (i64.add))
  (func (export "trap_in_loop") (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 4096)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0)))
