;; Seed: structured control flow: nested blocks, loops, if/else, br_if,
;; br_table with many targets and a default, block parameters and results,
;; select (typed and untyped), return from inside nested constructs, and
;; unreachable.
(module
  (func $classify (export "classify") (param $x i32) (result i32)
    (block $d
      (block $c
        (block $b
          (block $a
            (br_table $a $b $c $a $b $d (local.get $x)))
          (return (i32.const 10)))
        (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func (export "sum_to") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $top
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (local.get $acc))
  (func (export "multi") (param $a i32) (param $b i32) (result i32 i32)
    (local.get $a) (local.get $b)
    (block (param i32 i32) (result i32 i32)
      (if (param i32 i32) (result i32 i32) (i32.lt_u (local.get $a) (local.get $b))
        (then (i32.add) (i32.const 1))
        (else (i32.sub) (i32.const 2)))))
  (func (export "sel") (param $c i32) (param $x i64) (result i64)
    (i64.add
      (select (local.get $x) (i64.const 7) (local.get $c))
      (select (result i64) (i64.const 1) (local.get $x) (i32.eqz (local.get $c)))))
  (func (export "nested_return") (param $x i32) (result i32)
    (loop $l (result i32)
      (block $b (result i32)
        (if (i32.gt_u (local.get $x) (i32.const 5))
          (then (return (i32.const 99))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $l))))
  (func (export "trap_if") (param $x i32)
    (if (i32.and (local.get $x) (i32.const 1)) (then unreachable)))
  (func (export "deep_blocks") (param $x i32) (result i32)
    (block $1 (result i32) (block $2 (result i32) (block $3 (result i32) (block $4 (result i32)
      (br_table $1 $2 $3 $4 (i32.const 5) (local.get $x))))))))
