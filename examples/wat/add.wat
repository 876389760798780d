;; add.wat — the smallest useful pgwasm module: scalar functions, no memory,
;; no allocator, no imports.
;;
;;   CREATE FUNCTION add(int4, int4) RETURNS int4
;;       IMMUTABLE STRICT LANGUAGE wasm AS 'add:add';
;;   CREATE FUNCTION idiv(int4, int4) RETURNS int4
;;       IMMUTABLE STRICT LANGUAGE wasm AS 'add:idiv';
;;   CREATE FUNCTION mul_add(float8, float8, float8) RETURNS float8
;;       IMMUTABLE STRICT LANGUAGE wasm AS 'add:mul_add';
;;
;; int4 maps to i32 and float8 to f64.  `idiv` uses i32.div_s, which traps on
;; a zero divisor; pgwasm turns that trap into
;;   ERROR:  integer divide by zero   (SQLSTATE 22012)
(module
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))

  (func $idiv (export "idiv") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))

  (func $mul_add (export "mul_add") (param $x f64) (param $y f64) (param $z f64) (result f64)
    (f64.add (f64.mul (local.get $x) (local.get $y)) (local.get $z))))
