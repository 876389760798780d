;; import_memory.wat — imports a memory; pgwasm provides only functions.
(module
  (import "env" "memory" (memory 1))
  (func (export "f") (result i32) (i32.const 0)))
