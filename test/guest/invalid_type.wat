;; invalid_type.wat — decodes but does not validate (built with --no-check):
;; the body returns an i64 where the type says i32.
(module
  (func (export "f") (result i32) (i64.const 1)))
