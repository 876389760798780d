;; jit.wat — sql/jit.sql: functions run by the interpreter and by the native
;; tier (pgwasm.jit), whose results, traps and messages must be the same.
(module
  (type $v_i (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (memory 1)
  (global $counter (mut i32) (i32.const 0))
  ;; element 0: a () -> i32 function; 1: a (i32) -> i32 one; 2 stays null
  (table 3 funcref)
  (elem (i32.const 0) $seven $square)

  (func $seven (type $v_i) (i32.const 7))
  (func $square (type $i_i) (i32.mul (local.get 0) (local.get 0)))

  ;; ---- results --------------------------------------------------------------
  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $l
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $a))
  ;; steps of the Collatz sequence from n to 1
  (func $collatz (export "collatz") (param $n i64) (result i32)
    (local $steps i32)
    (block $done
      (loop $l
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (if (i64.eqz (i64.and (local.get $n) (i64.const 1)))
          (then (local.set $n (i64.shr_u (local.get $n) (i64.const 1))))
          (else (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1)))))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br $l)))
    (local.get $steps))
  ;; floating point with NaN, rounding and conversions
  (func $fmix (export "fmix") (param $x f64) (result f64)
    (f64.add
      (f64.nearest (f64.mul (local.get $x) (f64.const 2.5)))
      (f64.div (f64.sqrt (f64.abs (local.get $x))) (f64.const 3))))
  (func $wrap (export "wrap") (param $x f64) (result i32)
    (i32.trunc_sat_f64_s (local.get $x)))
  ;; a checksum over memory written by the same call: stores, loads, bulk ops
  (func $memsum (export "memsum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (memory.fill (i32.const 0) (i32.const 3) (i32.const 256))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.and (local.get $i) (i32.const 255))
          (i32.add (i32.load8_u (i32.and (local.get $i) (i32.const 255))) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (memory.copy (i32.const 1024) (i32.const 0) (i32.const 256))
    (local.set $i (i32.const 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const 256)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31))
                               (i32.load8_u offset=1024 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  ;; calls through the table: 0 -> seven(), 1 -> square(arg)
  (func $via_table (export "via_table") (param $i i32) (result i32)
    (if (result i32) (i32.eqz (local.get $i))
      (then (call_indirect (type $v_i) (i32.const 0)))
      (else (call_indirect (type $i_i) (local.get $i) (i32.const 1)))))

  ;; ---- traps ----------------------------------------------------------------
  (func $unreachable (export "unreachable") (result i32) unreachable)
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $rem (export "rem") (param i64 i64) (result i64)
    (i64.rem_u (local.get 0) (local.get 1)))
  (func $trunc (export "trunc") (param f64) (result i32)
    (i32.trunc_f64_s (local.get 0)))
  (func $load (export "load") (param i32) (result i32)
    (i32.load offset=2 (local.get 0)))
  (func $store (export "store") (param i32) (result i32)
    (i64.store (local.get 0) (i64.const -1))
    (i32.const 0))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; recursion n deep, then back up
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  ;; call_indirect with type () -> i32: element 1 has another type (type
  ;; mismatch), 2 is null (uninitialized), 3 and beyond are outside the
  ;; table (undefined element)
  (func $call_elem (export "call_elem") (param i32) (result i32)
    (call_indirect (type $v_i) (local.get 0)))
  ;; a three-deep stack for the backtrace
  (func $inner (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32)
    (call $inner (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32)
    (call $middle (local.get 0)))

  ;; ---- memory limits ----------------------------------------------------------
  ;; grow one page at a time until memory.grow fails or n pages were added,
  ;; writing the last word of each new page (the base may move): the pages
  ;; then, or a trap if a written word reads back wrong
  (func $grow_touch (export "grow_touch") (param $n i32) (result i32)
    (local $old i32) (local $addr i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $old (memory.grow (i32.const 1)))
        (br_if $done (i32.eq (local.get $old) (i32.const -1)))
        (local.set $addr (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.const 4)))
        (i32.store (local.get $addr) (local.get $old))
        (if (i32.ne (i32.load (local.get $addr)) (local.get $old)) (then unreachable))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (memory.size))
  (func $pages (export "pages") (result i32) (memory.size))

  ;; ---- instance state -----------------------------------------------------------
  (func $bump (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 10)))
    (i32.add (i32.mul (global.get $counter) (i32.const 1000)) (i32.load (i32.const 64))))

  ;; ---- runaway code -------------------------------------------------------------
  (func $spin (export "spin") (result i32)
    (loop $l (br $l))
    (i32.const 0))
)
