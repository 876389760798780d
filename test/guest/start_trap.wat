;; start_trap.wat — its start function traps, so every instantiation fails.
(module
  (func $start unreachable)
  (start $start)
  (func (export "never") (result i32) (i32.const 1)))
