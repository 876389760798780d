--
-- simd.sql — a guest built with clang -msimd128 (test/guest/simd.c): the
-- same reductions with v128 operations and as scalar code give identical
-- results, edge values included (NaN, infinities, -0, int4 extremes,
-- saturation, lengths that leave a tail), interpreted and as machine code
-- (the native tier, SIMD lowered to vector code); an export whose type has a v128
-- cannot back a SQL function.
--
\getenv guestdir PGWASM_GUEST_DIR
\set simd :guestdir '/simd.wasm'
SELECT wasm.install_module('simd', pg_read_binary_file(:'simd')) IS NOT NULL AS installed;
CREATE FUNCTION s_dot(float8[], float8[]) RETURNS float8 LANGUAGE wasm AS 'simd:dot_simd';
CREATE FUNCTION s_dot_scalar(float8[], float8[]) RETURNS float8 LANGUAGE wasm AS 'simd:dot_scalar';
CREATE FUNCTION s_sum(int4[]) RETURNS int8 LANGUAGE wasm AS 'simd:sum_simd';
CREATE FUNCTION s_sum_scalar(int4[]) RETURNS int8 LANGUAGE wasm AS 'simd:sum_scalar';
CREATE FUNCTION s_max(float8[]) RETURNS float8 LANGUAGE wasm AS 'simd:max_simd';
CREATE FUNCTION s_max_scalar(float8[]) RETURNS float8 LANGUAGE wasm AS 'simd:max_scalar';
CREATE FUNCTION s_narrow(int4[]) RETURNS int8 LANGUAGE wasm AS 'simd:narrow_sum_simd';
CREATE FUNCTION s_narrow_scalar(int4[]) RETURNS int8 LANGUAGE wasm AS 'simd:narrow_sum_scalar';

-- dot products: small cases, a tail, edge values
SELECT s_dot('{1,2,3}', '{4,5,6}') AS dot3, s_dot('{}', '{}') AS dot0,
       s_dot('{0.1,0.2,0.3,0.4,0.5}', '{1,1,1,1,1}') AS dot5;
SELECT s_dot('{1,NaN}', '{1,1}') AS nan, s_dot('{Infinity,1}', '{1,1}') AS inf,
       s_dot('{Infinity,-Infinity}', '{1,1}') AS inf_minus_inf,
       s_dot('{-0.0}', '{1}')::text AS minus_zero, s_dot('{1e308,1e308}', '{10,10}') AS overflow;
-- SIMD and scalar agree bit for bit (float8send compares the bits) on
-- random data of many lengths
SELECT count(*) AS lengths,
       count(*) FILTER (WHERE float8send(s_dot(a, b)) = float8send(s_dot_scalar(a, b))) AS identical
FROM (SELECT n, array_agg(sin(i * 7.3) * 1e3) AS a, array_agg(cos(i * 1.1) / 3) AS b
      FROM generate_series(0, 64) n, generate_series(1, n) i GROUP BY n) t;
SELECT float8send(s_dot(a, a)) = float8send(s_dot_scalar(a, a)) AS big_identical
FROM (SELECT array_agg(1.0 / i) AS a FROM generate_series(1, 100001) i) t;

-- int4 sums, widened to int8: extremes do not overflow
SELECT s_sum('{1,2,3,-4,5}') AS sum5, s_sum('{}') AS sum0,
       s_sum('{2147483647,2147483647,2147483647,2147483647,2147483647}') AS big,
       s_sum('{-2147483648,-2147483648,-2147483648,-2147483648}') AS small;
SELECT s_sum(a) = s_sum_scalar(a) AS same, s_sum(a)
FROM (SELECT array_agg((i * 2654435761) % 2147483647 - 1073741823)::int4[] AS a
      FROM generate_series(1, 100003) i) t;

-- max with f64x2.max: NaN wins, -0 < +0
SELECT s_max('{1,5,3}') AS m3, s_max('{}') AS empty, s_max('{-0.0,0.0}')::text AS zeros,
       s_max('{0.0,-0.0}')::text AS zeros2, s_max('{1,NaN,3,4}') AS nan,
       s_max('{-Infinity,-1e308}') AS neg;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE float8send(s_max(a)) = float8send(s_max_scalar(a))
                        OR (s_max(a) = 'NaN' AND s_max_scalar(a) = 'NaN')) AS same
FROM (VALUES ('{1,2}'::float8[]), ('{-0.0,0.0,-0.0}'), ('{NaN}'), ('{3,NaN,1}'),
             ('{Infinity,-Infinity,0}'), ('{-1,-2,-3,-4,-5}')) v(a);

-- saturating narrow (i16x8.narrow_i32x4_s) against scalar clamping
SELECT s_narrow('{40000,-40000,32767,-32768,1,2,3,4,100000}') AS narrow,
       s_narrow_scalar('{40000,-40000,32767,-32768,1,2,3,4,100000}') AS scalar;

-- the same functions as machine code (the native tier lowers SIMD to
-- vector instructions): every result above computed interpreted and again
-- with the whole module compiled before its next call, identical bit for bit
CREATE TEMP TABLE simd_cases AS
SELECT n, array_agg(sin(i * 7.3) * 1e3) AS a, array_agg(cos(i * 1.1) / 3) AS b,
       array_agg((i * 2654435761) % 2147483647 - 1073741823)::int4[] AS ints
FROM generate_series(0, 40) n, generate_series(1, n) i GROUP BY n
UNION ALL SELECT 100, '{1,NaN,-0.0,Infinity}', '{-Infinity,0,1,NaN}', '{2147483647,-2147483648,40000,-40000}';
CREATE TEMP TABLE simd_outcome (tier text, n int, dot bytea, dot_scalar bytea, sum int8, sum_scalar int8,
                                max bytea, narrow int8, narrow_scalar int8);
SET pgwasm.jit = off;
INSERT INTO simd_outcome SELECT 'interp', n, float8send(s_dot(a, b)), float8send(s_dot_scalar(a, b)),
       s_sum(ints), s_sum_scalar(ints), float8send(s_max(a)), s_narrow(ints), s_narrow_scalar(ints)
  FROM simd_cases;
SET pgwasm.jit = on;
SET pgwasm.jit_call_threshold = 0;
INSERT INTO simd_outcome SELECT 'native', n, float8send(s_dot(a, b)), float8send(s_dot_scalar(a, b)),
       s_sum(ints), s_sum_scalar(ints), float8send(s_max(a)), s_narrow(ints), s_narrow_scalar(ints)
  FROM simd_cases;
RESET pgwasm.jit_call_threshold;
RESET pgwasm.jit;
SELECT jit_functions > 0 AS compiled, jit_refused AS refused, jit_failed AS failed
  FROM wasm.stats() WHERE module = 'simd';
SELECT count(*) AS cases,
       count(*) FILTER (WHERE (i.dot, i.dot_scalar, i.sum, i.sum_scalar, i.max, i.narrow, i.narrow_scalar)
                              IS NOT DISTINCT FROM
                              (n.dot, n.dot_scalar, n.sum, n.sum_scalar, n.max, n.narrow, n.narrow_scalar))
         AS identical
  FROM simd_outcome i JOIN simd_outcome n USING (n) WHERE i.tier = 'interp' AND n.tier = 'native';

-- a v128 in the export's type: refused at CREATE FUNCTION
CREATE FUNCTION s_bad(int4) RETURNS int4 LANGUAGE wasm AS 'simd:takes_v128';

SET client_min_messages = warning;
SELECT wasm.drop_module('simd', cascade => true);
RESET client_min_messages;
