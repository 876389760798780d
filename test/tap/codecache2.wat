;; codecache2.wat — two versions of one module for test/tap/012_code_cache.pl
;; (the native tier's code cache): codecache1.wat and codecache2.wat differ
;; in the multiplier, so a replaced module's results show which machine
;; code ran.
;;   work(n)   -> int4   the sum of i * 5 for i in [0, n), wrapping
;;   fib(n)    -> int4   recursive Fibonacci (calls among compiled functions)
;;   version() -> int4   2
(module
  (func (export "work") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  (func (export "version") (result i32) (i32.const 2)))
