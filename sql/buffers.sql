--
-- buffers.sql — ABI v1 (ptr, len) types: text, varchar, bpchar, json, jsonb,
-- bytea and int4/int8/float4/float8 arrays; both result forms; result
-- validation (UTF-8, JSON, bounds); buffers released after every call.
--
\getenv guestdir PGWASM_GUEST_DIR
\set strings :guestdir '/strings.wasm'
SELECT wasm.install_module('b', pg_read_binary_file(:'strings')) IS NOT NULL AS installed;

CREATE FUNCTION b_upper(text) RETURNS text LANGUAGE wasm AS 'b:upper';
CREATE FUNCTION b_reverse(text) RETURNS text LANGUAGE wasm AS 'b:reverse';
CREATE FUNCTION b_echo(text) RETURNS text LANGUAGE wasm AS 'b:echo';
CREATE FUNCTION b_length(text) RETURNS int4 LANGUAGE wasm AS 'b:length';
CREATE FUNCTION b_concat(text, text) RETURNS text LANGUAGE wasm AS 'b:concat';
CREATE FUNCTION b_frees() RETURNS int4 LANGUAGE wasm AS 'b:frees';
CREATE FUNCTION b_posts() RETURNS int4 LANGUAGE wasm AS 'b:posts';
CREATE FUNCTION b_heap_top() RETURNS int4 LANGUAGE wasm AS 'b:heap_top';

-- text in and out, i64 (len << 32 | ptr) and return-area forms
SELECT b_upper('hello, world'), b_reverse('stressed'), b_echo('as is');
SELECT b_upper(''), b_reverse(''), b_length(''), b_concat('', '');
SELECT b_concat('foo', 'bar'), b_concat(repeat('x', 3), 'é');
-- UTF-8 on the way in: é is two bytes
SELECT b_length('é'), b_length('日本語');
SELECT b_upper(repeat('ab', 50000)) = repeat('AB', 50000) AS long_ok, b_length(repeat('x', 1000000));

-- varchar and bpchar cross as text (bpchar with its padding)
CREATE FUNCTION b_upper_vc(varchar) RETURNS varchar LANGUAGE wasm AS 'b:upper';
CREATE FUNCTION b_len_bpchar(char(5)) RETURNS int4 LANGUAGE wasm AS 'b:length';
CREATE FUNCTION b_upper_bpchar(char(5)) RETURNS bpchar LANGUAGE wasm AS 'b:upper';
SELECT b_upper_vc('abc'::varchar(10)), b_len_bpchar('ab'::char(5)), b_upper_bpchar('ab'::char(5))::text || '|';

-- bytea: raw bytes, NULs included
CREATE FUNCTION b_reverse_bytes(bytea) RETURNS bytea LANGUAGE wasm AS 'b:reverse';
CREATE FUNCTION b_first_byte(bytea) RETURNS int4 LANGUAGE wasm AS 'b:first_byte';
SELECT b_reverse_bytes('\x000102ff'), b_first_byte('\xfe00'), b_first_byte(''), b_reverse_bytes('');

-- json and jsonb: JSON text both ways; results are parsed
CREATE FUNCTION b_json(json) RETURNS json LANGUAGE wasm AS 'b:echo';
CREATE FUNCTION b_jsonb(jsonb) RETURNS jsonb LANGUAGE wasm AS 'b:echo';
CREATE FUNCTION b_jsonb_text(jsonb) RETURNS text LANGUAGE wasm AS 'b:echo';
CREATE FUNCTION b_json_value() RETURNS jsonb LANGUAGE wasm AS 'b:json_value';
CREATE FUNCTION b_bad_json() RETURNS json LANGUAGE wasm AS 'b:bad_json';
CREATE FUNCTION b_bad_jsonb() RETURNS jsonb LANGUAGE wasm AS 'b:bad_json';
SELECT b_json('{"b": 1,  "a": [true, null]}'), b_jsonb('{"b": 1,  "a": [true, null]}');
SELECT b_jsonb_text('{"x": "é"}'), b_json_value() -> 'a';
SELECT b_bad_json();
\echo :LAST_ERROR_SQLSTATE
SELECT b_bad_jsonb();
\echo :LAST_ERROR_SQLSTATE

-- text results must be valid UTF-8 (22021); NUL bytes are not text
CREATE FUNCTION b_bad_utf8() RETURNS text LANGUAGE wasm AS 'b:bad_utf8';
CREATE FUNCTION b_with_nul() RETURNS text LANGUAGE wasm AS 'b:with_nul';
CREATE FUNCTION b_with_nul_bytes() RETURNS bytea LANGUAGE wasm AS 'b:with_nul';
CREATE FUNCTION b_cafe() RETURNS text LANGUAGE wasm AS 'b:cafe';
CREATE FUNCTION b_empty() RETURNS text LANGUAGE wasm AS 'b:empty';
SELECT b_bad_utf8();
\echo :LAST_ERROR_SQLSTATE
SELECT b_with_nul();
\echo :LAST_ERROR_SQLSTATE
SELECT b_with_nul_bytes(), b_cafe(), b_empty() = '' AS empty;

-- results are bounds-checked against guest memory
CREATE FUNCTION b_oob() RETURNS text LANGUAGE wasm AS 'b:oob';
CREATE FUNCTION b_huge_len() RETURNS bytea LANGUAGE wasm AS 'b:huge_len';
CREATE FUNCTION b_bad_area() RETURNS text LANGUAGE wasm AS 'b:bad_area';
SELECT b_oob();
SELECT b_huge_len();
SELECT b_bad_area();

-- arrays: one dimension, no NULLs, (ptr, count) packed little-endian
CREATE FUNCTION b_sum_int4(int4[]) RETURNS int8 LANGUAGE wasm AS 'b:sum_int4';
CREATE FUNCTION b_sum_float8(float8[]) RETURNS float8 LANGUAGE wasm AS 'b:sum_float8';
CREATE FUNCTION b_double_int4(int4[]) RETURNS int4[] LANGUAGE wasm AS 'b:double_int4';
CREATE FUNCTION b_double_int8(int8[]) RETURNS int8[] LANGUAGE wasm AS 'b:double_int8';
CREATE FUNCTION b_double_float4(float4[]) RETURNS float4[] LANGUAGE wasm AS 'b:double_float4';
CREATE FUNCTION b_double_float8(float8[]) RETURNS float8[] LANGUAGE wasm AS 'b:double_float8';
SELECT b_sum_int4('{1,2,3,-4}'), b_sum_int4('{}'), b_sum_float8('{0.5,0.25,1e10}');
SELECT b_double_int4('{1,-2,3}'), b_double_int8('{4000000000,-1}'),
       b_double_float4('{1.5,-0}'), b_double_float8('{0.1,Infinity,NaN}');
SELECT b_double_int4('{}'), array_dims(b_double_int4('[5:7]={1,2,3}')) AS lower_bound_reset;
SELECT b_sum_int4(array_agg(i)) FROM generate_series(1, 100000) i;
SELECT b_sum_int4('{{1,2},{3,4}}');
SELECT b_sum_int4('{1,NULL,3}');
-- Arrays of these element types go to the guest straight from the datum
-- (one copy): one stored out of line (TOAST), one compressed, one with a
-- null bitmap but no NULL left (that one takes the image way), empty ones,
-- a domain.
CREATE TEMP TABLE b_arrays (k text, a int4[], f float8[]);
ALTER TABLE b_arrays ALTER COLUMN a SET STORAGE external;
INSERT INTO b_arrays SELECT 'external', array_agg(i), array_agg(i / 4.0) FROM generate_series(1, 5000) i;
INSERT INTO b_arrays SELECT 'bitmap', '{1,NULL,3}', '{0.5,NULL,2}';
UPDATE b_arrays SET a[2] = 5, f[2] = 0.25 WHERE k = 'bitmap';
INSERT INTO b_arrays SELECT 'empty', '{}', '{}';
SELECT k, b_sum_int4(a), b_sum_float8(f), b_sum_int4(a) = (SELECT sum(x) FROM unnest(a) x) AS same
  FROM b_arrays ORDER BY k;
CREATE TEMP TABLE b_compressed (f float8[]);
ALTER TABLE b_compressed ALTER COLUMN f SET STORAGE main;
INSERT INTO b_compressed SELECT array_agg(0.5) FROM generate_series(1, 20000);
SELECT pg_column_size(f) < 20000 * 8 AS compressed, b_sum_float8(f) FROM b_compressed;
CREATE DOMAIN b_small_ints AS int4[] CHECK (cardinality(VALUE) < 10);
SELECT b_sum_int4('{7,8,9}'::b_small_ints), b_double_int4('[0:1]={-3,4}'::b_small_ints);
DROP DOMAIN b_small_ints;

-- buffers are released: free() for the result, cabi_post_upper instead
-- for the result of upper (in one transaction: the counters are instance
-- state).  Argument buffers are kept from the transaction's second call on
-- (b_frees() is the first), so they are not freed (kept.sql has more).
BEGIN;
SELECT b_frees() AS frees_before \gset
SELECT b_concat('a', 'b');
SELECT b_frees() - :frees_before AS frees_for_concat;
SELECT b_frees() AS frees_before, b_posts() AS posts_before \gset
SELECT b_upper('x');
SELECT b_frees() - :frees_before AS frees_for_upper, b_posts() - :posts_before AS posts_for_upper;
-- a result pointing into its own (kept) argument buffer is not freed
SELECT b_frees() AS frees_before \gset
SELECT b_echo('abc');
SELECT b_frees() - :frees_before AS frees_for_echo;
COMMIT;

SET client_min_messages = warning;
SELECT wasm.drop_module('b', cascade => true);
RESET client_min_messages;
