;; import_wrong_type.wat — imports pgwasm.log with the wrong signature.
(module
  (import "pgwasm" "log" (func (param i32 i32)))
  (func (export "f") (result i32) (i32.const 0)))
