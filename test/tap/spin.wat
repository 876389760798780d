;; spin.wat — runaway code for test/tap/001_cancel.pl.
;;   spin()       an empty infinite loop (the engine polls on loop back-edges)
;;   spin_calls() an infinite loop of calls (polled at function entries)
;;   answer()     42, to show the module still works after a cancel
;;   grow(n)      memory.grow by n pages (the old size, or -1)
;;   grow_spin()  memory.grow by 2 GiB (trap if refused), then an empty
;;                infinite loop: a cancel must not wait for the grow
(module
  (memory 1)
  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))

  (func $tick (param $n i32) (result i32)
    (i32.add (local.get $n) (i32.const 1)))

  (func (export "spin_calls") (result i32)
    (local $n i32)
    (loop $forever
      (local.set $n (call $tick (local.get $n)))
      (br $forever))
    (local.get $n))

  (func (export "answer") (result i32) (i32.const 42))

  (func (export "grow") (param $n i32) (result i32)
    (memory.grow (local.get $n)))

  (func (export "grow_spin") (result i32)
    (if (i32.eq (memory.grow (i32.const 32768)) (i32.const -1))
      (then unreachable))
    (loop $forever (br $forever))
    (i32.const 0)))
