;; import_unknown_host.wat — imports a "pgwasm" function that does not exist.
(module
  (import "pgwasm" "spi_exec" (func (param i32 i32) (result i32)))
  (func (export "f") (result i32) (i32.const 0)))
