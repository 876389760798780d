-- setup.sql — objects of the SQL benchmarks (test/bench/sql/run.sh): the
-- wasm functions, their C UDF, PL/pgSQL and SQL counterparts, the data sets,
-- checks that every implementation of a function gives the same results, the
-- list of timed queries and the PL/pgSQL driver that times them.
--
-- psql variables: guestdir (directory of probe.wasm, textkit.wasm,
-- checksum.wasm, vecmath.wasm, readable by the server), scale (multiplies
-- every row count; 1 for the full run).
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

CREATE EXTENSION pgwasm;
CREATE EXTENSION pgwasm_bench_cudf;
CREATE SCHEMA bench;

-- ---- wasm functions --------------------------------------------------------
SELECT wasm.install_module('probe', pg_read_binary_file(:'guestdir' || '/probe.wasm')) IS NOT NULL AS ok \gset
SELECT wasm.install_module('textkit', pg_read_binary_file(:'guestdir' || '/textkit.wasm')) IS NOT NULL AS ok \gset
SELECT wasm.install_module('checksum', pg_read_binary_file(:'guestdir' || '/checksum.wasm')) IS NOT NULL AS ok \gset
SELECT wasm.install_module('vecmath', pg_read_binary_file(:'guestdir' || '/vecmath.wasm')) IS NOT NULL AS ok \gset

CREATE FUNCTION add_w(int4, int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'probe:add';
CREATE FUNCTION tlen_w(text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'probe:tlen';
CREATE FUNCTION blen_w(bytea) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'probe:tlen';
CREATE FUNCTION echo_w(text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'probe:echo';
CREATE FUNCTION slugify_w(text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:slugify';
CREATE FUNCTION crc32_w(bytea) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:crc32';
CREATE FUNCTION cosine_w(float8[], float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:cosine_similarity';

-- ---- PL/pgSQL and SQL counterparts -------------------------------------------
CREATE FUNCTION add_plpgsql(a int4, b int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
	RETURN a + b;
END $$;

-- slugify as textkit.c does it: the same transliterations (Latin-1 and a
-- few Latin Extended-A letters), apostrophes dropped, every other run of
-- non-alphanumerics one '-', none leading or trailing.  The SQL function is
-- inlined into the query; the PL/pgSQL one evaluates the same expression.
CREATE FUNCTION slugify_sql(s text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
SELECT btrim(regexp_replace(lower(translate(
	replace(replace(replace(replace(replace(replace(replace(s,
		'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'Þ', 'th'), 'þ', 'th'), 'ß', 'ss'),
	'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿŠšŽžŁłČčĆćŘřĚěĘę''’',
	'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyysszzllccccrreeee')),
	'[^a-z0-9]+', '-', 'g'), '-')
$$;

CREATE FUNCTION slugify_plpgsql(s text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
	RETURN btrim(regexp_replace(lower(translate(
		replace(replace(replace(replace(replace(replace(replace(s,
			'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'Þ', 'th'), 'þ', 'th'), 'ß', 'ss'),
		'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿŠšŽžŁłČčĆćŘřĚěĘę''’',
		'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyysszzllccccrreeee')),
		'[^a-z0-9]+', '-', 'g'), '-');
END $$;

-- CRC-32 (IEEE, reflected, polynomial 0xEDB88320), table-driven as in
-- checksum.c; the table is computed here and baked into the function as a
-- constant.
DO $do$
DECLARE
	tab int8[] := '{}';
	c int8;
BEGIN
	FOR n IN 0 .. 255 LOOP
		c := n;
		FOR k IN 1 .. 8 LOOP
			c := CASE WHEN c & 1 = 1 THEN 3988292384 # (c >> 1) ELSE c >> 1 END;
		END LOOP;
		tab := tab || c;
	END LOOP;
	EXECUTE format($f$
CREATE FUNCTION crc32_plpgsql(b bytea) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $body$
DECLARE
	tab CONSTANT int8[] := %L;
	c int8 := 4294967295;
BEGIN
	FOR i IN 0 .. length(b) - 1 LOOP
		c := tab[((c # get_byte(b, i)) & 255) + 1] # (c >> 8);
	END LOOP;
	RETURN c # 4294967295;
END $body$
$f$, tab);
END $do$;

-- Cosine similarity, the textbook formula (vecmath.c also scales by the
-- largest component first, which is two extra passes).
CREATE FUNCTION cosine_plpgsql(a float8[], b float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
	d float8 := 0;
	na float8 := 0;
	nb float8 := 0;
BEGIN
	IF array_length(a, 1) IS DISTINCT FROM array_length(b, 1) THEN
		RAISE EXCEPTION 'vectors must have the same number of dimensions';
	END IF;
	FOR i IN 1 .. array_length(a, 1) LOOP
		d := d + a[i] * b[i];
		na := na + a[i] * a[i];
		nb := nb + b[i] * b[i];
	END LOOP;
	RETURN d / (sqrt(na) * sqrt(nb));
END $$;

-- Not inlinable (FROM + aggregates): runs through the SQL function executor.
CREATE FUNCTION cosine_sql(a float8[], b float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
SELECT sum(x * y) / (sqrt(sum(x * x)) * sqrt(sum(y * y))) FROM unnest(a, b) AS u(x, y)
$$;

-- ---- data sets -----------------------------------------------------------------
-- Titles: 3 to 8 words with accents, apostrophes, digits and punctuation,
-- about 45 bytes each.
CREATE TABLE titles (t text NOT NULL);
INSERT INTO titles
SELECT (SELECT string_agg(w.words[1 + (i * 7919 + k * 104729) % array_length(w.words, 1)] ||
						  w.seps[1 + (i * 31 + k * 17) % array_length(w.seps, 1)], '' ORDER BY k)
		FROM generate_series(1, 3 + i % 6) AS k)
FROM generate_series(1, (200000 * :scale)::int) AS i,
	LATERAL (SELECT
		ARRAY['Crème', 'Brûlée', '10', 'Recipes', 'Don''t', 'Café', 'Straße', 'naïve',
			  'Œuvre', 'Ærø', 'Top', 'Guide', 'the', 'and', 'How', 'To', 'Cook', 'FAST',
			  'Pâté', 'Smörgåsbord', 'Jalapeño', 'Ça', 'Marché', 'Über', 'Façade', 'São',
			  'Paulo', '2024', 'Best', 'Łódź', 'Dvořák', 'Ålesund', 'Crêpes', 'Piña',
			  'Colada', 'Zürich', 'Señor', 'Mañana', 'El', 'Niño', 'Résumé', 'it’s',
			  'Øre', 'Šibenik', 'Þórr', '🍰', 'x²', 'déjà-vu', '3×4', 'œuf'] AS words,
		ARRAY[' ', ' ', ' ', ': ', ' - ', '! ', ', ', ' & ', ' — ', '... ', ' (', ') ',
			  '/', '?'] AS seps
		WHERE i > 0) AS w;

-- 1 KB values: 32 SHA-256 digests each, stored inline (no TOAST, no compression).
CREATE TABLE blobs (b bytea NOT NULL);
INSERT INTO blobs
SELECT (SELECT string_agg(sha256(int4send(i * 32 + j)), ''::bytea ORDER BY j)
		FROM generate_series(0, 31) AS j)
FROM generate_series(1, (20000 * :scale)::int) AS i;

-- 256-dimensional vectors (2 KB each), and the one query vector every row is
-- compared with.  STORAGE PLAIN keeps them in the heap row, uncompressed: the
-- timings are then about the functions, not detoasting.
CREATE TABLE vecs (v float8[] NOT NULL);
ALTER TABLE vecs ALTER COLUMN v SET STORAGE PLAIN;
INSERT INTO vecs
SELECT (SELECT array_agg(sin(i * 0.37 + j * 1.3) ORDER BY j) FROM generate_series(1, 256) AS j)
FROM generate_series(1, (20000 * :scale)::int) AS i;
CREATE TABLE qvec (q float8[] NOT NULL);
ALTER TABLE qvec ALTER COLUMN q SET STORAGE PLAIN;
INSERT INTO qvec SELECT array_agg(cos(j * 0.7) + 0.1 ORDER BY j) FROM generate_series(1, 256) AS j;

VACUUM ANALYZE titles, blobs, vecs, qvec;

-- ---- the implementations agree ------------------------------------------------
CREATE TABLE bench.checks (what text, bad bigint);
INSERT INTO bench.checks
SELECT 'add: wasm, C UDF, PL/pgSQL and int4pl agree',
	   count(*) FILTER (WHERE add_w(x, 7) <> x + 7 OR add_c(x, 7) <> x + 7 OR add_plpgsql(x, 7) <> x + 7)
FROM generate_series(-1000, 1000) AS x
UNION ALL
SELECT 'slugify: wasm = C UDF = PL/pgSQL = SQL (5000 titles)',
	   count(*) FILTER (WHERE slugify_w(t) <> slugify_c(t) OR slugify_w(t) <> slugify_plpgsql(t)
						OR slugify_w(t) <> slugify_sql(t))
FROM (SELECT t FROM titles LIMIT 5000) AS s
UNION ALL
SELECT 'probe: tlen/echo/blen',
	   count(*) FILTER (WHERE tlen_w(t) <> octet_length(t) OR tlen_c(t) <> octet_length(t)
						OR echo_w(t) <> t)
FROM (SELECT t FROM titles LIMIT 5000) AS s
UNION ALL
SELECT 'crc32: check value of ''123456789'' is 3421780262',
	   count(*) FILTER (WHERE f <> 3421780262)
FROM (VALUES (crc32_w('123456789')), (crc32_c('123456789')), (crc32_plpgsql('123456789'))) AS v(f)
UNION ALL
SELECT 'crc32: wasm = C UDF (all rows), = PL/pgSQL (50 rows)',
	   count(*) FILTER (WHERE crc32_w(b) <> crc32_c(b) OR blen_w(b) <> 1024
						OR (n <= 50 AND crc32_plpgsql(b) <> crc32_c(b)))
FROM (SELECT b, row_number() OVER () AS n FROM blobs) AS s
UNION ALL
SELECT 'cosine: wasm = C UDF exactly (all rows); PL/pgSQL, SQL within 1e-12 (50 rows)',
	   count(*) FILTER (WHERE cosine_w(v, q) <> cosine_c(v, q)
						OR (n <= 50 AND (abs(cosine_plpgsql(v, q) - cosine_c(v, q)) > 1e-12
										 OR abs(cosine_sql(v, q) - cosine_c(v, q)) > 1e-12
										 OR abs((SELECT sum(x * y) / (sqrt(sum(x * x)) * sqrt(sum(y * y)))
												 FROM unnest(v, q) AS u(x, y)) - cosine_c(v, q)) > 1e-12)))
FROM (SELECT v, row_number() OVER () AS n FROM vecs) AS s, qvec;

-- ---- the timed queries --------------------------------------------------------
-- Each method is timed as SELECT count(<expr>) FROM <source with $N rows>;
-- its cost per call is its time minus the time of SELECT count(<empty>) over
-- the same source, divided by N.  fn groups the implementations of one
-- function; impl is what the ratios refer to (c, plpgsql).
CREATE TABLE bench.methods (
	case_name text, ord int, fn text, impl text, label text, expr text, n int
);
CREATE TABLE bench.sources (case_name text PRIMARY KEY, source text, empty text);
INSERT INTO bench.sources VALUES
	('int4', 'generate_series(1, $N) AS g(x)', 'x'),
	('text', '(SELECT t FROM titles LIMIT $N) AS s', 't'),
	('bytea', '(SELECT b FROM blobs LIMIT $N) AS s', 'b'),
	('float8[]', '(SELECT v FROM vecs LIMIT $N) AS s CROSS JOIN qvec', 'v');
INSERT INTO bench.methods (case_name, ord, fn, impl, label, expr, n) VALUES
	('int4', 1, 'add', 'sql', 'SQL expression x + 1 (int4pl)', 'x + 1', 1000000),
	('int4', 2, 'add', 'c', 'C UDF add_c', 'add_c(x, 1)', 1000000),
	('int4', 3, 'add', 'wasm', 'wasm add (probe.wat)', 'add_w(x, 1)', 1000000),
	('int4', 4, 'add', 'plpgsql', 'PL/pgSQL add', 'add_plpgsql(x, 1)', 300000),
	('text', 1, 'tlen', 'c', 'C UDF tlen_c (text in, int out)', 'tlen_c(t)', 200000),
	('text', 2, 'tlen', 'wasm', 'wasm tlen (probe: text in, int out)', 'tlen_w(t)', 200000),
	('text', 3, 'echo', 'wasm', 'wasm echo (probe: text in, text out)', 'echo_w(t)', 200000),
	('text', 4, 'slugify', 'c', 'C UDF slugify_c (textkit.c native)', 'slugify_c(t)', 200000),
	('text', 5, 'slugify', 'wasm', 'wasm slugify (textkit.c)', 'slugify_w(t)', 100000),
	('text', 6, 'slugify', 'sql', 'SQL expression (inlined function)', 'slugify_sql(t)', 20000),
	('text', 7, 'slugify', 'plpgsql', 'PL/pgSQL slugify', 'slugify_plpgsql(t)', 20000),
	('bytea', 1, 'crc32', 'c', 'C UDF crc32_c (checksum.c native)', 'crc32_c(b)', 20000),
	('bytea', 2, 'crc32', 'wasm', 'wasm crc32 (checksum.c)', 'crc32_w(b)', 20000),
	('bytea', 3, 'blen', 'wasm', 'wasm blen (probe: 1 KB bytea in, int out)', 'blen_w(b)', 20000),
	('bytea', 4, 'crc32', 'plpgsql', 'PL/pgSQL crc32 (get_byte loop)', 'crc32_plpgsql(b)', 200),
	('float8[]', 1, 'cosine', 'c', 'C UDF cosine_c (vecmath.c native)', 'cosine_c(v, q)', 20000),
	('float8[]', 2, 'cosine', 'wasm', 'wasm cosine_similarity (vecmath.c)', 'cosine_w(v, q)', 20000),
	('float8[]', 3, 'cosine', 'sql', 'SQL unnest, inline subquery',
	 '(SELECT sum(x * y) / (sqrt(sum(x * x)) * sqrt(sum(y * y))) FROM unnest(v, q) AS u(x, y))', 2000),
	('float8[]', 4, 'cosine', 'sqlfn', 'SQL function over unnest', 'cosine_sql(v, q)', 2000),
	('float8[]', 5, 'cosine', 'plpgsql', 'PL/pgSQL loop', 'cosine_plpgsql(v, q)', 300);
UPDATE bench.methods SET n = greatest((n * :scale)::int, 10);

-- Every query of a case: its methods, and one empty query per row count.
-- tmpl keeps $N for run.sh's callgrind pass, which puts in row counts of
-- its own (n1 and n2, about n / 500 and n / 100).
CREATE VIEW bench.queries AS
SELECT m.case_name, m.ord AS ord, m.impl || ':' || m.fn AS key, m.n,
	   format('SELECT count(%s) FROM %s', m.expr, s.source) AS tmpl,
	   format('SELECT count(%s) FROM %s', m.expr, replace(s.source, '$N', m.n::text)) AS sql,
	   format('SELECT count(%s) FROM %s', m.expr, replace(s.source, '$N', least(m.n, 1000)::text)) AS warm_sql
FROM bench.methods AS m JOIN bench.sources AS s USING (case_name)
UNION ALL
SELECT DISTINCT m.case_name, 0, 'empty@' || m.n, m.n,
	   format('SELECT count(%s) FROM %s', s.empty, s.source),
	   format('SELECT count(%s) FROM %s', s.empty, replace(s.source, '$N', m.n::text)),
	   format('SELECT count(%s) FROM %s', s.empty, replace(s.source, '$N', least(m.n, 1000)::text))
FROM bench.methods AS m JOIN bench.sources AS s USING (case_name);

CREATE TABLE bench.timings (case_name text, key text, rep int, wall_ms float8, cpu_ms float8);

-- Time every query of a case, reps rounds, all in this session: wall clock
-- (clock_timestamp) and this backend's CPU time (bench_cpu_ns, from
-- pgwasm_bench_cudf), which a loaded machine does not inflate.  A warm-up
-- pass first (on at most 1000 rows) loads and compiles everything; then each
-- round runs the queries in turn, so slow phases of the machine hit all of
-- them alike.
CREATE FUNCTION bench.run_case(p_case text, p_reps int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	q record;
	t0 timestamptz;
	c0 int8;
BEGIN
	DELETE FROM bench.timings WHERE case_name = p_case;
	FOR q IN SELECT * FROM bench.queries WHERE case_name = p_case ORDER BY ord, n LOOP
		EXECUTE q.warm_sql;
	END LOOP;
	FOR r IN 1 .. p_reps LOOP
		FOR q IN SELECT * FROM bench.queries WHERE case_name = p_case ORDER BY ord, n LOOP
			t0 := clock_timestamp();
			c0 := bench_cpu_ns();
			EXECUTE q.sql;
			INSERT INTO bench.timings
				VALUES (p_case, q.key, r,
						1000 * extract(epoch FROM clock_timestamp() - t0)::float8,
						(bench_cpu_ns() - c0) / 1e6);
		END LOOP;
	END LOOP;
END $$;

-- Best of each query, by CPU time and by wall clock; ns per call over the
-- empty query with the same row count; ratios (by CPU time) within the same
-- function, only against a reference of at least 10 ns (the noise of these
-- timings is a few ns per call: the C UDFs of add and tlen cost less).
CREATE VIEW bench.report AS
WITH t AS (
	SELECT case_name, key, min(cpu_ms) AS cpu_ms, min(wall_ms) AS wall_ms
	FROM bench.timings GROUP BY case_name, key
), m AS (
	SELECT m.*, t.cpu_ms, t.wall_ms, e.cpu_ms AS empty_cpu_ms, e.wall_ms AS empty_wall_ms,
		   (t.cpu_ms - e.cpu_ms) * 1e6 / m.n AS ns,
		   (t.wall_ms - e.wall_ms) * 1e6 / m.n AS wall_ns
	FROM bench.methods AS m
	JOIN t ON t.case_name = m.case_name AND t.key = m.impl || ':' || m.fn
	JOIN t AS e ON e.case_name = m.case_name AND e.key = 'empty@' || m.n
)
SELECT m.case_name, m.ord, m.fn, m.impl, m.label, m.n, m.cpu_ms, m.empty_cpu_ms, m.ns,
	   m.wall_ms, m.empty_wall_ms, m.wall_ns,
	   CASE WHEN c.ns >= 10 THEN m.ns / c.ns END AS x_c,
	   CASE WHEN p.ns >= 10 THEN m.ns / p.ns END AS x_plpgsql
FROM m
LEFT JOIN m AS c ON c.case_name = m.case_name AND c.fn = m.fn AND c.impl = 'c'
LEFT JOIN m AS p ON p.case_name = m.case_name AND p.fn = m.fn AND p.impl = 'plpgsql';

-- Instruction counts from run.sh's callgrind pass: every query ran in a
-- single-user backend under valgrind with a warm-up, n1 and n2 rows (role),
-- and ir is the count of instructions of that query.  Instructions per row are the
-- difference of the two over the difference of rows (fixed costs cancel),
-- per call that minus the empty query's.
CREATE TABLE bench.cg (case_name text, key text, role text, rows int, ir int8);
CREATE VIEW bench.cg_report AS
WITH per AS (
	SELECT case_name, key,
		   (max(ir) FILTER (WHERE role = 'n2') - max(ir) FILTER (WHERE role = 'n1'))::float8 /
		   (max(rows) FILTER (WHERE role = 'n2') - max(rows) FILTER (WHERE role = 'n1')) AS ir_row
	FROM bench.cg GROUP BY case_name, key
), m AS (
	SELECT m.*, p.ir_row - e.ir_row AS ir, e.ir_row AS empty_ir
	FROM bench.methods AS m
	JOIN per AS p ON p.case_name = m.case_name AND p.key = m.impl || ':' || m.fn
	JOIN per AS e ON e.case_name = m.case_name AND e.key = 'empty@' || m.n
)
SELECT m.case_name, m.ord, m.fn, m.impl, m.label, m.ir, m.empty_ir,
	   m.ir / nullif(c.ir, 0) AS x_c, m.ir / nullif(p.ir, 0) AS x_plpgsql
FROM m
LEFT JOIN m AS c ON c.case_name = m.case_name AND c.fn = m.fn AND c.impl = 'c'
LEFT JOIN m AS p ON p.case_name = m.case_name AND p.fn = m.fn AND p.impl = 'plpgsql';
