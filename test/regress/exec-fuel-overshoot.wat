;; Regression (fuzz-exec, found 2026-11-21): after bulk operations began
;; paying fuel in proportion to their size, a memory.grow by a huge argument
;; charged 2^32 pages' worth before failing, and wrt_store_fuel_consumed()
;; reported 2,199,023,255,555 units against a 100,000 budget (fuzz-exec's
;; oracle: consumed <= budget + slack).  Now only a grow that happened is
;; charged, and the consumed figure is capped at the budget.
(module
  (memory 0)
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0))))
