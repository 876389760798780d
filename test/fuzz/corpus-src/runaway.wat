;; Seed: runaway code the fuel budget must stop: an empty infinite loop, a
;; loop with a large body, nested loops, a loop calling a function, and a
;; memory.grow bomb bounded by the store's memory limit.
(module
  (memory 1)
  (func (export "spin") (loop $l (br $l)))
  (func (export "spin_body") (param $x i32) (result i32)
    (loop $l
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (local.set $x (i32.mul (local.get $x) (i32.const 3)))
      (local.set $x (i32.xor (local.get $x) (i32.const 0x55)))
      (i32.store (i32.and (local.get $x) (i32.const 0xfff0)) (local.get $x))
      (br_if $l (i32.ne (local.get $x) (i32.const 0))))
    (local.get $x))
  (func (export "nested") (param $n i32)
    (local $i i32)
    (loop $outer
      (local.set $i (i32.const 0))
      (loop $inner
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $i) (i32.const 1000))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $outer (local.get $n))))
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "call_loop") (result i32)
    (local $i i32)
    (loop $l (local.set $i (call $leaf (local.get $i))) (br $l))
    (local.get $i))
  (func (export "grow_bomb") (result i32)
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (memory.size)))
