;; import_env.wat — imports a function pgwasm does not provide.
(module
  (import "env" "system" (func (param i32) (result i32)))
  (func (export "f") (result i32) (i32.const 0)))
