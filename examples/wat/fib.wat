;; fib.wat — Fibonacci numbers two ways, over int8 (i64).
;;
;;   CREATE FUNCTION fib(int4) RETURNS int8
;;       IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib';
;;   CREATE FUNCTION fib_rec(int4) RETURNS int8
;;       IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib_rec';
;;
;; `fib` is the loop: fib(92) = 7540113804746346429 is the largest that fits
;; in int8; beyond that the i64 arithmetic wraps, so fib() raises its own
;; range error instead, through the host import pgwasm.error.
;; `fib_rec` is the exponential recursion, handy for showing pgwasm.fuel and
;; statement_timeout stopping a long computation.
(module
  (import "pgwasm" "error" (func $error (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "fib: argument must be between 0 and 92")

  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (if (i32.or (i32.lt_s (local.get $n) (i32.const 0))
                (i32.gt_s (local.get $n) (i32.const 92)))
      (then (call $error (i32.const 16) (i32.const 38))))
    (local.set $a (i64.const 0))
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  (func $fib_rec (export "fib_rec") (param $n i32) (result i64)
    (if (result i64) (i32.lt_s (local.get $n) (i32.const 2))
      (then (i64.extend_i32_s (local.get $n)))
      (else
        (i64.add
          (call $fib_rec (i32.sub (local.get $n) (i32.const 1)))
          (call $fib_rec (i32.sub (local.get $n) (i32.const 2))))))))
