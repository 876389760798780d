;; Seed: a start function that writes memory and a global before any export
;; runs, active element and data segments applied in order, and a passive
;; segment dropped by the start function.
(module
  (memory (export "m") 1)
  (table 3 funcref)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 16) "seed")
  (data $late "late")
  (elem (i32.const 1) $get)
  (func $get (result i32) (global.get $g))
  (func $start
    (global.set $g (i32.load (i32.const 16)))
    (memory.init $late (i32.const 32) (i32.const 0) (i32.const 4))
    (data.drop $late))
  (start $start)
  (func (export "get") (result i32) (call_indirect (result i32) (i32.const 1)))
  (func (export "reinit") (memory.init $late (i32.const 0) (i32.const 0) (i32.const 1))))
