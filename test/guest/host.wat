;; host.wat — the "pgwasm" host module: log, error, error_sqlstate
;; (sql/host.sql).
(module
  (import "pgwasm" "log" (func $log (param i32 i32 i32)))
  (import "pgwasm" "error" (func $error (param i32 i32)))
  (import "pgwasm" "error_sqlstate" (func $error_sqlstate (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from wasm")    ;; 15 bytes
  (data (i32.const 32) "guest says no")     ;; 13 bytes
  (data (i32.const 48) "22023")
  (data (i32.const 56) "abcde")
  (data (i32.const 64) "00000")
  (data (i32.const 72) "bad \ff byte")       ;; 10 bytes
  (data (i32.const 96) "\e6\97\a5\e6\9c\ac")  ;; 日本, 6 bytes of UTF-8

  ;; pgwasm.log at the given level; returns the level
  (func $log_at (export "log_at") (param $level i32) (result i32)
    (call $log (local.get $level) (i32.const 0) (i32.const 15))
    (local.get $level))
  (func (export "log_bad_utf8") (result i32)
    (call $log (i32.const 3) (i32.const 72) (i32.const 10))
    (i32.const 0))
  (func $log_japanese (export "log_japanese") (result i32)
    (call $log (i32.const 3) (i32.const 96) (i32.const 6))
    (i32.const 0))
  (func $log_oob (export "log_oob") (result i32)
    (call $log (i32.const 3) (i32.const 65530) (i32.const 100))
    (i32.const 0))
  (func $fail (export "fail") (result i32)
    (call $error (i32.const 32) (i32.const 13))
    (i32.const 0))
  (func $fail_code (export "fail_code") (result i32)
    (call $error_sqlstate (i32.const 48) (i32.const 32) (i32.const 13))
    (i32.const 0))
  (func $fail_bad_code (export "fail_bad_code") (result i32)
    (call $error_sqlstate (i32.const 56) (i32.const 32) (i32.const 13))
    (i32.const 0))
  (func $fail_success_code (export "fail_success_code") (result i32)
    (call $error_sqlstate (i32.const 64) (i32.const 32) (i32.const 13))
    (i32.const 0)))
