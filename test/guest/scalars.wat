;; scalars.wat — scalar functions for sql/scalars.sql and sql/validator.sql.
;; No memory and no allocator: only scalar SQL types may use this module.
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64)
    (i64.add (local.get 0) (local.get 1)))
  (func (export "not") (param i32) (result i32)
    (i32.eqz (local.get 0)))
  (func (export "half32") (param f32) (result f32)
    (f32.mul (local.get 0) (f32.const 0.5)))
  (func (export "half64") (param f64) (result f64)
    (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "id32") (param i32) (result i32) (local.get 0))
  (func (export "id64") (param i64) (result i64) (local.get 0))
  (func (export "idf32") (param f32) (result f32) (local.get 0))
  (func (export "idf64") (param f64) (result f64) (local.get 0))
  (func (export "next_day") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "plus_hour") (param i64) (result i64)
    (i64.add (local.get 0) (i64.const 3600000000)))
  (func (export "widen") (param i32) (result i64)
    (i64.extend_i32_s (local.get 0)))
  ;; int2 + int4 + int8 + float4 + float8 as a float8
  (func (export "mix") (param i32 i32 i64 f32 f64) (result f64)
    (f64.add
      (f64.add
        (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i32_s (local.get 1)))
        (f64.add (f64.convert_i64_s (local.get 2)) (f64.promote_f32 (local.get 3))))
      (local.get 4)))
  (func (export "nothing"))
  (func (export "answer") (result i32) (i32.const 42))
  (global (export "counter") (mut i32) (i32.const 0))
)
