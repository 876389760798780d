--
-- nulls.sql — ABI v2 NULLs.  A module that exports pgwasm_abi_v2 makes its
-- functions declared without STRICT null-aware: every argument is an
-- option<T>, the result too (a return area), and so are array elements.
-- STRICT functions of such a module, and every function of an ABI v1
-- module, keep plain values.  The validator matches STRICT against the
-- export's type.
--
\getenv guestdir PGWASM_GUEST_DIR
\set nulls :guestdir '/nulls.wasm'
SELECT wasm.install_module('n', pg_read_binary_file(:'nulls')) IS NOT NULL AS installed;

-- options both ways
CREATE FUNCTION n_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'n:add_opt';
SELECT n_add(1, 2), n_add(NULL, 2), n_add(1, NULL), n_add(NULL, NULL) IS NULL AS both_null;
CREATE FUNCTION n_is_null(int4) RETURNS bool LANGUAGE wasm AS 'n:is_null';
SELECT n_is_null(NULL), n_is_null(0), n_is_null(7);
SELECT count(*) FILTER (WHERE n_add(a, b) IS NULL) AS nulls, sum(n_add(a, b)) AS total
FROM (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS a,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 1 END AS b
      FROM generate_series(1, 30000) i) s;
-- text: an option<string> result may point into an argument buffer
CREATE FUNCTION n_text_or(text, text) RETURNS text LANGUAGE wasm AS 'n:text_or';
SELECT n_text_or('a', 'b'), n_text_or(NULL, 'b'), n_text_or('', NULL) = '' AS empty,
       n_text_or(NULL, NULL) IS NULL AS null_null;
SELECT n_text_or(CASE WHEN i % 2 = 0 THEN NULL ELSE i::text END, 'x') FROM generate_series(1, 4) i;

-- STRICT functions of an ABI v2 module take and return plain values
CREATE FUNCTION n_add_strict(int4, int4) RETURNS int4 LANGUAGE wasm STRICT AS 'n:add';
SELECT n_add_strict(40, 2), n_add_strict(NULL, 2) IS NULL AS strict_null;
-- the validator checks STRICT against the export's type, and says which fits
CREATE FUNCTION n_bad(int4, int4) RETURNS int4 LANGUAGE wasm AS 'n:add';
CREATE FUNCTION n_bad(int4, int4) RETURNS int4 LANGUAGE wasm STRICT AS 'n:add_opt';
CREATE FUNCTION n_bad(text) RETURNS text LANGUAGE wasm AS 'n:add';

-- a NULL result of every kind of type
CREATE FUNCTION n_null_int4() RETURNS int4 LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_int8() RETURNS int8 LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_bool() RETURNS bool LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_text() RETURNS text LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_bytea() RETURNS bytea LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_jsonb() RETURNS jsonb LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_numeric() RETURNS numeric LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_uuid() RETURNS uuid LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_interval() RETURNS interval LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_timetz() RETURNS timetz LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_date() RETURNS date LANGUAGE wasm AS 'n:null_result';
CREATE FUNCTION n_null_arr() RETURNS text[] LANGUAGE wasm AS 'n:null_result';
SELECT n_null_int4() IS NULL, n_null_int8() IS NULL, n_null_bool() IS NULL, n_null_text() IS NULL,
       n_null_bytea() IS NULL, n_null_jsonb() IS NULL, n_null_numeric() IS NULL,
       n_null_uuid() IS NULL, n_null_interval() IS NULL, n_null_timetz() IS NULL,
       n_null_date() IS NULL, n_null_arr() IS NULL;
-- a NOT NULL domain refuses it
CREATE DOMAIN n_nn AS int4 NOT NULL;
CREATE FUNCTION n_null_nn() RETURNS n_nn LANGUAGE wasm AS 'n:null_result';
SELECT n_null_nn();
\echo :LAST_ERROR_SQLSTATE
-- a discriminant other than 0 or 1 is an error, not a guess
CREATE FUNCTION n_bad_disc() RETURNS int4 LANGUAGE wasm AS 'n:bad_disc';
SELECT n_bad_disc();
\echo :LAST_ERROR_SQLSTATE

-- interval: option<interval> has its payload at 8
CREATE FUNCTION n_iv(interval) RETURNS interval LANGUAGE wasm AS 'n:iv_opt';
SELECT n_iv('1 mon 2 days 03:00'), n_iv(NULL) IS NULL AS null_iv;

-- arrays: list<option<T>>, NULL elements both ways
CREATE FUNCTION n_count_nulls(int4[]) RETURNS int4 LANGUAGE wasm AS 'n:count_nulls';
SELECT n_count_nulls('{1,NULL,3,NULL}'), n_count_nulls('{}'), n_count_nulls('{NULL}'),
       n_count_nulls(NULL) IS NULL AS null_arr;
CREATE FUNCTION n_echo_int4(int4[]) RETURNS int4[] LANGUAGE wasm AS 'n:arr_echo';
CREATE FUNCTION n_echo_int8(int8[]) RETURNS int8[] LANGUAGE wasm AS 'n:arr_echo';
CREATE FUNCTION n_echo_bool(bool[]) RETURNS bool[] LANGUAGE wasm AS 'n:arr_echo';
CREATE FUNCTION n_echo_int2(int2[]) RETURNS int2[] LANGUAGE wasm AS 'n:arr_echo';
CREATE FUNCTION n_echo_text(text[]) RETURNS text[] LANGUAGE wasm AS 'n:arr_echo';
CREATE FUNCTION n_echo_uuid(uuid[]) RETURNS uuid[] LANGUAGE wasm AS 'n:arr_echo';
SELECT n_echo_int4('{1,NULL,3}'), n_echo_int4('{NULL}'), n_echo_int4('{}'), n_echo_int4(NULL) IS NULL AS n;
SELECT n_echo_int8('{NULL,9223372036854775807}'), n_echo_bool('{t,NULL,f}'), n_echo_int2('{-1,NULL}');
SELECT n_echo_text('{a,NULL,"",é}'), n_echo_uuid('{NULL,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}');
SELECT n_echo_text(array_agg(CASE WHEN i % 2 = 0 THEN NULL ELSE i::text END)) = array_agg(CASE WHEN i % 2 = 0 THEN NULL ELSE i::text END)
FROM generate_series(1, 10000) i;
CREATE FUNCTION n_arr_bad_disc(int4[]) RETURNS int4[] LANGUAGE wasm AS 'n:arr_bad_disc';
SELECT n_arr_bad_disc('{1,2}');
\echo :LAST_ERROR_SQLSTATE
-- a STRICT function still refuses NULL elements, and says how to take them
CREATE FUNCTION n_strict_first(int4[]) RETURNS int4 LANGUAGE wasm STRICT AS 'n:add';
SELECT n_strict_first('{1,2}') > 0 AS called;
SELECT n_strict_first('{1,NULL}');
\echo :LAST_ERROR_SQLSTATE
CREATE FUNCTION n_echo_int4_strict(int4[]) RETURNS int4[] LANGUAGE wasm STRICT AS 'n:arr_echo';

-- an ABI v1 module is unchanged: NULL in, NULL out, no call
\set scalars :guestdir '/scalars.wasm'
SELECT wasm.install_module('n_v1', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION n_v1_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'n_v1:add';
SELECT n_v1_add(NULL, 1) IS NULL AS v1_null, n_v1_add(1, 1);

SET client_min_messages = warning;
DROP DOMAIN n_nn CASCADE;
SELECT wasm.drop_module('n', cascade => true);
SELECT wasm.drop_module('n_v1', cascade => true);
