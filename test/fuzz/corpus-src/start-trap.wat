;; Seed: instantiation that fails: an active data segment past the end of
;; memory after a segment that succeeded, so the partial effects and the
;; error path of instantiation are exercised.
(module
  (memory 1)
  (table 1 funcref)
  (data (i32.const 0) "ok")
  (elem (i32.const 0) $f)
  (data (i32.const 65535) "too long")
  (func $f (export "f") (result i32) (i32.const 1)))
