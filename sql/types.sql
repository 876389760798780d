--
-- types.sql — the types added in 0.3.0, each a row of abi.c's type table:
-- time, timetz and interval (flat values; records through a return area),
-- uuid, numeric and enums (as text, parsed by the type's input function),
-- bool[], int2[], text[], bytea[], uuid[] (canonical lists); domains over
-- them; hostile results (bounds, UTF-8, shared buffers) and the frees the
-- host makes.
--
\getenv guestdir PGWASM_GUEST_DIR
\set types :guestdir '/types.wasm'
SELECT wasm.install_module('t', pg_read_binary_file(:'types')) IS NOT NULL AS installed;
CREATE FUNCTION t_frees() RETURNS int4 LANGUAGE wasm AS 't:frees';

-- time: i64 microseconds since midnight, 24:00:00 included
CREATE FUNCTION t_time_us(time) RETURNS int8 LANGUAGE wasm AS 't:id64';
CREATE FUNCTION t_us_time(int8) RETURNS time LANGUAGE wasm AS 't:id64';
CREATE FUNCTION t_time(time) RETURNS time LANGUAGE wasm AS 't:id64';
SELECT t_time_us('00:00'), t_time_us('12:34:56.789012'), t_time_us('24:00:00');
SELECT t_us_time(0), t_us_time(86400000000), t_time('23:59:59.999999');
SELECT t_us_time(86400000001);
\echo :LAST_ERROR_SQLSTATE
SELECT t_us_time(-1);
\echo :LAST_ERROR_SQLSTATE

-- interval: record {months i32, days i32, micros i64}; result via a return area
CREATE FUNCTION t_iv_double(interval) RETURNS interval LANGUAGE wasm AS 't:iv_double';
CREATE FUNCTION t_iv_days(interval) RETURNS int4 LANGUAGE wasm AS 't:iv_days';
CREATE FUNCTION t_iv_micros(interval) RETURNS int8 LANGUAGE wasm AS 't:iv_micros';
SELECT t_iv_double('1 year 2 mons 3 days 04:05:06.5'), t_iv_double('-1 day +01:00'), t_iv_double('0');
SELECT t_iv_days('1 mon 10 days 5 hours'), t_iv_micros('1 mon 10 days 5 hours');
-- every (months, days, micros) is an interval: extremes wrap in the guest, not here
SELECT t_iv_double('178000000 years');
CREATE FUNCTION t_iv_oob() RETURNS interval LANGUAGE wasm AS 't:oob_area';
SELECT t_iv_oob();
\echo :LAST_ERROR_SQLSTATE

-- timetz: record {micros i64, utc_offset i32 seconds east of UTC}
CREATE FUNCTION t_tz_plus_hour(timetz) RETURNS timetz LANGUAGE wasm AS 't:tz_plus_hour';
CREATE FUNCTION t_tz_offset(timetz) RETURNS int4 LANGUAGE wasm AS 't:tz_offset';
SELECT t_tz_offset('12:00+02'), t_tz_offset('12:00-05:30'), t_tz_offset('12:00Z');
SELECT t_tz_plus_hour('12:00+02'), t_tz_plus_hour('23:59:59.5-01');
-- the offset leaves PostgreSQL's range (+/-16 hours): 22009
SELECT t_tz_plus_hour('12:00+15:30');
\echo :LAST_ERROR_SQLSTATE

-- uuid: its canonical text; results parsed by uuid_in
CREATE FUNCTION t_uuid(uuid) RETURNS uuid LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_uuid_text(uuid) RETURNS text LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_uuid_len(uuid) RETURNS int4 LANGUAGE wasm AS 't:echo_len';
CREATE FUNCTION t_pick_uuid(int4) RETURNS uuid LANGUAGE wasm AS 't:pick';
SELECT t_uuid('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), t_uuid_text('{a0eebc999c0b4ef8bb6d6bb9bd380a11}'), t_uuid_len(gen_random_uuid());
SELECT t_pick_uuid(0), t_pick_uuid(10);
SELECT t_pick_uuid(1);
\echo :LAST_ERROR_SQLSTATE
SELECT t_pick_uuid(8);
\echo :LAST_ERROR_SQLSTATE

-- numeric: exact decimal text both ways
CREATE FUNCTION t_num(numeric) RETURNS numeric LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_num_text(numeric) RETURNS text LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_pick_num(int4) RETURNS numeric LANGUAGE wasm AS 't:pick';
SELECT t_num(0.1) = 0.1 AS exact, t_num_text(1.50), t_num_text(-0.000001), t_num_text(1e20);
SELECT t_num_text('NaN'), t_num_text('Infinity'), t_num_text('-Infinity');
SELECT t_num(123456789012345678901234567890.123456789012345678901234567890);
SELECT t_pick_num(3), t_pick_num(4), t_pick_num(5), t_pick_num(9), t_pick_num(11);
SELECT t_pick_num(2);
\echo :LAST_ERROR_SQLSTATE
SELECT t_pick_num(8);
\echo :LAST_ERROR_SQLSTATE
-- the helpers of pgwasm.h: scaled integers and back
CREATE FUNCTION t_num_add_cent(numeric) RETURNS numeric LANGUAGE wasm AS 't:num_add_cent';
CREATE FUNCTION t_num_scaled(numeric, int4) RETURNS int8 LANGUAGE wasm AS 't:num_scaled';
CREATE FUNCTION t_num_from_scaled(int8, int4) RETURNS numeric LANGUAGE wasm AS 't:num_from_scaled';
SELECT t_num_add_cent(19.99), t_num_add_cent(-0.01), t_num_add_cent(0), t_num_add_cent('NaN');
SELECT t_num_scaled(2.345, 2), t_num_scaled(-2.345, 2), t_num_scaled(2.344, 2), t_num_scaled(7, 3), t_num_scaled(0.5, 0);
SELECT t_num_scaled(92233720368547758.08, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT t_num_from_scaled(-105, 2), t_num_from_scaled(5, 3), t_num_from_scaled(0, 0),
       t_num_from_scaled(-9223372036854775808, 18);
SELECT t_num_from_scaled(v, 4) = v / 10000.0 AS round_trips
FROM (VALUES (1::int8), (-1), (123456789), (9223372036854775807)) AS x(v);

-- enums: the label; an unknown label is 22P02
CREATE TYPE t_mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION t_mood_echo(t_mood) RETURNS t_mood LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_mood_len(t_mood) RETURNS int4 LANGUAGE wasm AS 't:echo_len';
CREATE FUNCTION t_pick_mood(int4) RETURNS t_mood LANGUAGE wasm AS 't:pick';
SELECT t_mood_echo('sad'), t_mood_echo('happy'), t_mood_len('ok'), t_pick_mood(6);
SELECT t_pick_mood(7);
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE t_mood ADD VALUE 'ecstatic';
SELECT t_pick_mood(7);

-- bool[] (one byte each, any non-zero byte is true) and int2[] (two bytes)
CREATE FUNCTION t_bools_not(bool[]) RETURNS bool[] LANGUAGE wasm AS 't:bools_not';
CREATE FUNCTION t_bools_count(bool[]) RETURNS int4 LANGUAGE wasm AS 't:bools_count';
CREATE FUNCTION t_i2_rev(int2[]) RETURNS int2[] LANGUAGE wasm AS 't:i2_rev';
CREATE FUNCTION t_i2_sum(int2[]) RETURNS int4 LANGUAGE wasm AS 't:i2_sum';
SELECT t_bools_not('{t,f,t,t}'), t_bools_count('{t,f,t,t}'), t_bools_not('{}'), t_bools_count('{}');
SELECT t_bools_not('{t,f}') = '{f,t}' AS normalised;
SELECT t_i2_rev('{1,-2,32767,-32768}'), t_i2_sum('{1,-2,32767,-32768}'), t_i2_rev('{}');
SELECT t_i2_rev('[5:7]={1,2,3}'::int2[]);
SELECT t_i2_sum('{1,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT t_i2_sum('{{1,2},{3,4}}');
\echo :LAST_ERROR_SQLSTATE

-- text[], bytea[], uuid[]: lists of (ptr, len)
CREATE FUNCTION t_join(text[]) RETURNS text LANGUAGE wasm AS 't:strs_join';
CREATE FUNCTION t_split(text) RETURNS text[] LANGUAGE wasm AS 't:strs_split';
CREATE FUNCTION t_upper(text[]) RETURNS text[] LANGUAGE wasm AS 't:strs_upper';
CREATE FUNCTION t_join_bytes(bytea[]) RETURNS bytea LANGUAGE wasm AS 't:strs_join';
CREATE FUNCTION t_split_bytes(bytea) RETURNS bytea[] LANGUAGE wasm AS 't:strs_split';
CREATE FUNCTION t_upper_uuids(uuid[]) RETURNS uuid[] LANGUAGE wasm AS 't:strs_upper';
CREATE FUNCTION t_join_uuids(uuid[]) RETURNS text LANGUAGE wasm AS 't:strs_join';
CREATE FUNCTION t_split_uuids(text) RETURNS uuid[] LANGUAGE wasm AS 't:strs_split';
SELECT t_join('{a,"b c","",é}'), t_join('{}'), t_join('{""}');
SELECT t_split('a,b,,c'), t_split(''), t_split(','), t_upper('{abc,"d e",é}');
SELECT t_join_bytes('{"\\x00ff","\\x"}'), t_split_bytes('\x610062002c63');
SELECT t_upper_uuids('{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,00000000-0000-0000-0000-000000000000}');
SELECT t_join_uuids('{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}');
SELECT t_split_uuids('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,oops');
\echo :LAST_ERROR_SQLSTATE
SELECT array_length(t_split(string_agg(i::text, ',')), 1), t_join(t_split(string_agg(i::text, ','))) = string_agg(i::text, '|')
FROM generate_series(1, 100000) i;

-- the host frees every string of a list result, and the list, once each
BEGIN;
SELECT t_frees() AS before \gset
SELECT t_split('a,b,c');
SELECT t_frees() - :before AS freed_split;
SELECT t_split('');
SELECT t_frees() - :before AS freed_empty;
CREATE FUNCTION t_list_shared() RETURNS text[] LANGUAGE wasm AS 't:list_shared';
SELECT t_frees() AS before \gset
SELECT t_list_shared();
SELECT t_frees() - :before AS freed_shared;
COMMIT;
-- a million strings in one statement: memory stays flat
SELECT sum(array_length(t_split('x,yy,zzz'), 1)) FROM generate_series(1, 20000);
SELECT memory_bytes <= 2 * 1024 * 1024 AS small FROM wasm.stats() WHERE module = 't';

-- hostile list results: every pointer and count is checked
CREATE FUNCTION t_list_oob_elem() RETURNS text[] LANGUAGE wasm AS 't:list_oob_elem';
CREATE FUNCTION t_list_oob_count() RETURNS text[] LANGUAGE wasm AS 't:list_oob_count';
CREATE FUNCTION t_list_oob_count_i2() RETURNS int2[] LANGUAGE wasm AS 't:list_oob_count';
CREATE FUNCTION t_list_bad_utf8() RETURNS text[] LANGUAGE wasm AS 't:list_bad_utf8';
CREATE FUNCTION t_list_bad_utf8_bytes() RETURNS bytea[] LANGUAGE wasm AS 't:list_bad_utf8';
SELECT t_list_oob_elem();
\echo :LAST_ERROR_SQLSTATE
SELECT t_list_oob_count();
\echo :LAST_ERROR_SQLSTATE
SELECT t_list_oob_count_i2();
\echo :LAST_ERROR_SQLSTATE
SELECT t_list_bad_utf8();
\echo :LAST_ERROR_SQLSTATE
SELECT t_list_bad_utf8_bytes();
-- the instance is still usable
SELECT t_join('{still,fine}');

-- domains over the new types cross as their base type, constraints checked
-- (function names differ from type names: t_id('...') would be a cast)
CREATE DOMAIN t_price AS numeric CHECK (VALUE >= 0);
CREATE DOMAIN t_tags AS text[] CHECK (cardinality(VALUE) <= 3);
CREATE DOMAIN t_short AS interval CHECK (VALUE < '1 day');
CREATE DOMAIN t_id AS uuid;
CREATE DOMAIN t_good_mood AS t_mood CHECK (VALUE <> 'sad');
CREATE FUNCTION t_price_add(numeric) RETURNS t_price LANGUAGE wasm AS 't:num_add_cent';
CREATE FUNCTION t_tagify(text) RETURNS t_tags LANGUAGE wasm AS 't:strs_split';
CREATE FUNCTION t_short_double(t_short) RETURNS t_short LANGUAGE wasm AS 't:iv_double';
CREATE FUNCTION t_id_echo(t_id) RETURNS t_id LANGUAGE wasm AS 't:echo';
CREATE FUNCTION t_to_good_mood(t_mood) RETURNS t_good_mood LANGUAGE wasm AS 't:echo';
SELECT t_price_add(1.5), t_tagify('a,b'), t_short_double('2 hours'), t_id_echo('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
SELECT t_price_add(-1.5);
\echo :LAST_ERROR_SQLSTATE
SELECT t_price_add(-0.01);
SELECT t_tagify('a,b,c,d');
\echo :LAST_ERROR_SQLSTATE
SELECT t_short_double('13 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT t_to_good_mood('happy');
SELECT t_to_good_mood('sad');
\echo :LAST_ERROR_SQLSTATE

-- the validator knows the flat types: interval takes three values, returns a pointer
CREATE FUNCTION t_bad(interval) RETURNS int4 LANGUAGE wasm AS 't:tz_offset';
CREATE FUNCTION t_bad(int8) RETURNS interval LANGUAGE wasm AS 't:id64';
CREATE FUNCTION t_bad(timetz) RETURNS int4 LANGUAGE wasm AS 't:echo_len';

SET client_min_messages = warning;
DROP DOMAIN t_good_mood, t_id, t_short, t_tags, t_price CASCADE;
DROP TYPE t_mood CASCADE;
SELECT wasm.drop_module('t', cascade => true);
