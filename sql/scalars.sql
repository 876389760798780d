--
-- scalars.sql — ABI v1 scalars: int2, int4, int8, bool, float4, float8, date,
-- timestamp, timestamptz, void; range checks on results; NULL arguments.
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
SELECT wasm.install_module('s', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;

CREATE FUNCTION s_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 's:add';
CREATE FUNCTION s_add64(int8, int8) RETURNS int8 LANGUAGE wasm AS 's:add64';
CREATE FUNCTION s_not(bool) RETURNS bool LANGUAGE wasm AS 's:not';
CREATE FUNCTION s_half32(float4) RETURNS float4 LANGUAGE wasm AS 's:half32';
CREATE FUNCTION s_half64(float8) RETURNS float8 LANGUAGE wasm AS 's:half64';
CREATE FUNCTION s_i2(int2) RETURNS int2 LANGUAGE wasm AS 's:id32';
CREATE FUNCTION s_i4_to_i2(int4) RETURNS int2 LANGUAGE wasm AS 's:id32';
CREATE FUNCTION s_i4_to_bool(int4) RETURNS bool LANGUAGE wasm AS 's:id32';
CREATE FUNCTION s_widen(int4) RETURNS int8 LANGUAGE wasm AS 's:widen';
CREATE FUNCTION s_mix(int2, int4, int8, float4, float8) RETURNS float8 LANGUAGE wasm AS 's:mix';
CREATE FUNCTION s_answer() RETURNS int4 LANGUAGE wasm AS 's:answer';
CREATE FUNCTION s_nothing() RETURNS void LANGUAGE wasm AS 's:nothing';
CREATE FUNCTION s_f4(float4) RETURNS float4 LANGUAGE wasm AS 's:idf32';
CREATE FUNCTION s_f8(float8) RETURNS float8 LANGUAGE wasm AS 's:idf64';

SELECT s_add(2, 40), s_add(2147483647, 1) AS wraps, s_add(-5, 3);
SELECT s_add64(9000000000, 1), s_add64(9223372036854775807, 1) AS wraps;
SELECT s_not(true), s_not(false);
SELECT s_half32(3), s_half64(3), s_half64(-0.5);
SELECT s_i2((-32768)::int2), s_i2(32767::int2);
SELECT s_i4_to_i2(32768);
SELECT s_i4_to_i2(-32769);
SELECT s_i4_to_bool(0), s_i4_to_bool(1), s_i4_to_bool(-7);
SELECT s_widen(-1), s_widen(2147483647);
SELECT s_mix(1::int2, 2, 3, 0.5, 0.25);
SELECT s_answer(), s_nothing(), pg_typeof(s_nothing());
-- floats keep their bits: infinities, NaN, negative zero, extremes
SELECT s_f4('Infinity'), s_f4('-Infinity'), s_f4('NaN'), s_f4('-0'), s_f4(3.4028235e38);
SELECT s_f8('Infinity'), s_f8('NaN'), s_f8('-0'), s_f8(1e-320), s_f8(1.7976931348623157e308);

-- dates: i32 days since 1970-01-01 (PostgreSQL counts from 2000-01-01)
CREATE FUNCTION s_next_day(date) RETURNS date LANGUAGE wasm AS 's:next_day';
CREATE FUNCTION s_date_days(date) RETURNS int4 LANGUAGE wasm AS 's:id32';
CREATE FUNCTION s_days_date(int4) RETURNS date LANGUAGE wasm AS 's:id32';
SELECT s_date_days('1970-01-01'), s_date_days('2000-01-01'), s_date_days('1969-12-31');
SELECT s_days_date(0), s_days_date(19000), s_days_date(-1);
SELECT s_next_day('2024-02-28'), s_next_day('1999-12-31');
-- infinities keep their sentinels (INT32_MIN/MAX) both ways
SELECT s_days_date(s_date_days('infinity')), s_days_date(s_date_days('-infinity'));
SELECT s_date_days('infinity'), s_date_days('-infinity');
-- arithmetic on a sentinel is the guest's business: here it leaves the range
SELECT s_next_day('-infinity');
SELECT s_days_date(2147483000);
SELECT s_date_days('4713-01-01 BC'), s_days_date(s_date_days('4713-01-01 BC'));

-- timestamps: i64 microseconds since 1970-01-01 00:00 UTC
CREATE FUNCTION s_plus_hour(timestamp) RETURNS timestamp LANGUAGE wasm AS 's:plus_hour';
CREATE FUNCTION s_plus_hour_tz(timestamptz) RETURNS timestamptz LANGUAGE wasm AS 's:plus_hour';
CREATE FUNCTION s_ts_us(timestamp) RETURNS int8 LANGUAGE wasm AS 's:id64';
CREATE FUNCTION s_tstz_us(timestamptz) RETURNS int8 LANGUAGE wasm AS 's:id64';
CREATE FUNCTION s_us_ts(int8) RETURNS timestamp LANGUAGE wasm AS 's:id64';
SET timezone = 'UTC';
SELECT s_ts_us('1970-01-01 00:00:00'), s_ts_us('2000-01-01 00:00:00'), s_ts_us('1969-12-31 23:59:59.999999');
SELECT s_tstz_us('1970-01-01 01:00:00+01'), s_tstz_us('2024-05-01 12:00:00+00');
SELECT s_us_ts(0), s_us_ts(1714564800000000), s_us_ts(-1);
SELECT s_plus_hour('2024-12-31 23:30'), s_plus_hour_tz('2024-12-31 23:30+00');
SELECT s_us_ts(s_ts_us('infinity')), s_us_ts(s_ts_us('-infinity'));
SELECT s_ts_us('infinity'), s_ts_us('-infinity');
SELECT s_us_ts(9223372036854775806);
SELECT s_us_ts(-9223372036854775806);
-- the far end of PostgreSQL's range does not fit in microseconds since 1970
SELECT s_ts_us('294276-12-31 23:59:59');
RESET timezone;

-- a NULL argument returns NULL without calling the guest (ABI v1 is not null-aware)
SELECT s_add(NULL, 1) IS NULL AS null1, s_add(1, NULL) IS NULL AS null2, s_not(NULL) IS NULL AS null3;

-- many calls in one statement
SELECT sum(s_add(i, i)) FROM generate_series(1, 10000) i;

SET client_min_messages = warning;
SELECT wasm.drop_module('s', cascade => true);
RESET client_min_messages;
