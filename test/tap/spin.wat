;; spin.wat — runaway code for test/tap/001_cancel.pl.
;;   spin()       an empty infinite loop (the engine polls on loop back-edges)
;;   spin_calls() an infinite loop of calls (polled at function entries)
;;   answer()     42, to show the module still works after a cancel
(module
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

  (func (export "answer") (result i32) (i32.const 42)))
