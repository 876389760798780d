--
-- validator.sql — CREATE FUNCTION ... LANGUAGE wasm: the validator checks the
-- module, the export and the SQL-to-Wasm signature mapping at CREATE time
-- (42P13), honours check_function_bodies, and rejects types ABI v1 lacks.
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set strings :guestdir '/strings.wasm'
SELECT wasm.install_module('v_scalars', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT wasm.install_module('v_strings', pg_read_binary_file(:'strings')) IS NOT NULL AS installed;

-- the language is trusted and has its handler and validator
SELECT lanname, lanpltrusted, lanplcallfoid::regproc, lanvalidator::regproc
  FROM pg_language WHERE lanname = 'wasm';

-- AS 'module:export', and AS 'module' with the export named like the function
CREATE FUNCTION v_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION add64(int8, int8) RETURNS int8 LANGUAGE wasm AS 'v_scalars';
CREATE FUNCTION v_upper(text) RETURNS text LANGUAGE wasm AS $$ v_strings:upper $$;
SELECT v_add(2, 3), add64(2, 3), v_upper('abc');

-- missing module, missing export, not a function
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'nope:answer';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'v_scalars:nope';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'v_scalars:counter';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'v_scalars';
-- malformed bodies
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS '';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'v_scalars:';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS ':answer';

-- signature mismatches say what the SQL side needs and what the export has
CREATE FUNCTION v_bad(int4) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad(int8, int8) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad(int4, int4) RETURNS int8 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad(float4) RETURNS float8 LANGUAGE wasm AS 'v_scalars:half32';
CREATE FUNCTION v_bad(int4, int4) RETURNS void LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm AS 'v_scalars:nothing';
CREATE FUNCTION v_bad(text) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad(text) RETURNS text LANGUAGE wasm AS 'v_strings:sum_float8';
CREATE FUNCTION v_bad(text) RETURNS float8 LANGUAGE wasm AS 'v_strings:upper';
-- (an i32 result for text is the return-area form: accepted)
CREATE FUNCTION v_area(text) RETURNS text LANGUAGE wasm AS 'v_strings:reverse';
-- every mapped type, once: int2/bool -> i32, date -> i32, timestamps -> i64
CREATE FUNCTION v_i2(int2) RETURNS int2 LANGUAGE wasm AS 'v_scalars:id32';
CREATE FUNCTION v_bool(bool) RETURNS bool LANGUAGE wasm AS 'v_scalars:not';
CREATE FUNCTION v_date(date) RETURNS date LANGUAGE wasm AS 'v_scalars:next_day';
CREATE FUNCTION v_ts(timestamp) RETURNS timestamp LANGUAGE wasm AS 'v_scalars:plus_hour';
CREATE FUNCTION v_tstz(timestamptz) RETURNS timestamptz LANGUAGE wasm AS 'v_scalars:plus_hour';
CREATE FUNCTION v_mix(int2, int4, int8, float4, float8) RETURNS float8 LANGUAGE wasm AS 'v_scalars:mix';
CREATE FUNCTION v_void() RETURNS void LANGUAGE wasm AS 'v_scalars:nothing';
CREATE FUNCTION v_varchar(varchar) RETURNS varchar LANGUAGE wasm AS 'v_strings:upper';
CREATE FUNCTION v_bpchar(char(3)) RETURNS bpchar LANGUAGE wasm AS 'v_strings:upper';
CREATE FUNCTION v_bytea(bytea) RETURNS bytea LANGUAGE wasm AS 'v_strings:reverse';
CREATE FUNCTION v_json(json) RETURNS json LANGUAGE wasm AS 'v_strings:echo';
CREATE FUNCTION v_jsonb(jsonb) RETURNS jsonb LANGUAGE wasm AS 'v_strings:echo';
CREATE FUNCTION v_arr(int4[]) RETURNS int4[] LANGUAGE wasm AS 'v_strings:double_int4';
CREATE FUNCTION v_arr8(float8[]) RETURNS float8 LANGUAGE wasm AS 'v_strings:sum_float8';

-- a module without an allocator cannot take (ptr, len) arguments
CREATE FUNCTION v_bad(text) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
CREATE FUNCTION v_bad(bytea) RETURNS int4 LANGUAGE wasm AS 'v_scalars:id64';

-- types without a row in the type table, sets without a _next export, OUT parameters not fitting, triggers
CREATE FUNCTION v_bad(point) RETURNS int4 LANGUAGE wasm AS 'v_scalars:id32';
CREATE FUNCTION v_bad(int4) RETURNS int4range LANGUAGE wasm AS 'v_scalars:id32';
CREATE FUNCTION v_bad(point[]) RETURNS int4 LANGUAGE wasm AS 'v_scalars:id32';
CREATE FUNCTION v_bad(int4) RETURNS SETOF int4 LANGUAGE wasm AS 'v_scalars:id32';
CREATE FUNCTION v_bad(int4, OUT a int4, OUT b int4) LANGUAGE wasm AS 'v_scalars:id64';
CREATE FUNCTION v_bad() RETURNS trigger LANGUAGE wasm AS 'v_scalars:answer';
CREATE FUNCTION v_bad() RETURNS int4 LANGUAGE wasm WINDOW AS 'v_scalars:answer';
CREATE FUNCTION v_bad(anyelement) RETURNS int4 LANGUAGE wasm AS 'v_scalars:id32';

-- domains cross as their base type
CREATE DOMAIN small_pos AS int4 CHECK (VALUE BETWEEN 1 AND 100);
CREATE FUNCTION v_dom(small_pos) RETURNS small_pos LANGUAGE wasm AS 'v_scalars:next_day';
SELECT v_dom(5);
SELECT v_dom(100);

-- procedures
CREATE PROCEDURE v_proc() LANGUAGE wasm AS 'v_scalars:nothing';
CALL v_proc();

-- check_function_bodies = off (pg_dump restores this way): only types are checked
SET check_function_bodies = off;
CREATE FUNCTION v_later() RETURNS int4 LANGUAGE wasm AS 'v_later_module:answer';
CREATE FUNCTION v_bad(money) RETURNS int4 LANGUAGE wasm AS 'anything';
RESET check_function_bodies;
SELECT v_later();
SELECT wasm.install_module('v_later_module', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT v_later();
-- a mismatch that slipped past CREATE is reported at call time
SET check_function_bodies = off;
CREATE FUNCTION v_mismatch(int8) RETURNS int4 LANGUAGE wasm AS 'v_scalars:add';
RESET check_function_bodies;
SELECT v_mismatch(1);

-- CREATE OR REPLACE goes through the validator again
CREATE OR REPLACE FUNCTION v_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'v_scalars:nope';
CREATE OR REPLACE FUNCTION v_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'v_scalars:id32';

SET client_min_messages = warning;
SELECT wasm.drop_module('v_scalars', cascade => true);
SELECT wasm.drop_module('v_strings', cascade => true);
SELECT wasm.drop_module('v_later_module', cascade => true);
DROP DOMAIN small_pos;
RESET client_min_messages;
