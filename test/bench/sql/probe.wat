;; probe.wat — near-empty guest functions for the SQL benchmarks
;; (test/bench/sql/run.sh): they do almost nothing, so their time in a query
;; is the cost of pgwasm's call path for each kind of argument.
;;
;;   add(int4, int4) int4     scalar in, scalar out: fmgr + handler + wrt_call
;;   tlen(text) int4          + one text argument: allocator call, copy in, free
;;   echo(text) text          + a text result (it points into the argument
;;                            buffer, which pgwasm frees only once): UTF-8
;;                            check and copy out
;;
;; The allocator is a bump allocator that `free` rewinds completely: pgwasm
;; frees every buffer of a call when the call ends, so that is enough here,
;; and it keeps the guest-side allocator cost near zero (the C examples use
;; wasi-libc's malloc instead).
(module
  (memory (export "memory") 1)
  (global $heap_base i32 (i32.const 1024))
  (global $heap (mut i32) (i32.const 1024))

  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))

  (func $tlen (export "tlen") (param $ptr i32) (param $len i32) (result i32)
    (local.get $len))

  (func $echo (export "echo") (param $ptr i32) (param $len i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))
      (i64.extend_i32_u (local.get $ptr))))

  ;; cabi_realloc(old, old_size, align, new_size): pgwasm only asks for new
  ;; buffers (old = 0).  Returns 0 when memory cannot grow.
  (func $cabi_realloc (export "cabi_realloc")
        (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
        (result i32)
    (local $p i32)
    (local $end i32)
    (local.set $p
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.lt_s
              (memory.grow
                (i32.sub
                  (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                  (memory.size)))
              (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func $free (export "free") (param $ptr i32)
    (global.set $heap (global.get $heap_base))))
