-- setup.sql — objects of the comparison benchmark (test/bench/compare/run.sh,
-- `make bench`): every workload function in five implementations (a C UDF,
-- pgwasm, PL/pgSQL, PL/Python, PL/Perl), the aggregates, the data sets, and
-- checks that all implementations of a function return the same results.
--
-- Naming: <kernel>_c (C UDF, pgwasm_bench_compare), <kernel>_wasm,
-- <kernel>_plpgsql, <kernel>_plpython, <kernel>_plperl.  The algorithms are
-- those of kernels.c; each language gets them written the way it is best
-- written (PL/pgSQL calls built-ins where a PL/pgSQL programmer would).
--
-- psql variables: guestdir (directory of kernels.wasm and big.wasm, readable
-- by the server), scale (multiplies every row count; 1 for the full run).
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

CREATE EXTENSION pgwasm;
CREATE EXTENSION pgwasm_bench_compare;
CREATE EXTENSION plpython3u;
CREATE EXTENSION plperl;
CREATE SCHEMA bench;

SELECT wasm.install_module('kernels', pg_read_binary_file(:'guestdir' || '/kernels.wasm')) IS NOT NULL AS ok \gset
SELECT wasm.install_module('big', pg_read_binary_file(:'guestdir' || '/big.wasm')) IS NOT NULL AS ok \gset

-- ---- add one: per-call overhead ------------------------------------------------
CREATE FUNCTION add1_i4_wasm(int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:add1_i4';
CREATE FUNCTION add1_i8_wasm(int8) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:add1_i8';
CREATE FUNCTION add1_f8_wasm(float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:add1_f8';

CREATE FUNCTION add1_i4_plpgsql(x int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$ BEGIN RETURN x + 1; END $$;
CREATE FUNCTION add1_i8_plpgsql(x int8) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$ BEGIN RETURN x + 1; END $$;
CREATE FUNCTION add1_f8_plpgsql(x float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$ BEGIN RETURN x + 1; END $$;

CREATE FUNCTION add1_i4_plpython(x int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$ return x + 1 $$;
CREATE FUNCTION add1_i8_plpython(x int8) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$ return x + 1 $$;
CREATE FUNCTION add1_f8_plpython(x float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$ return x + 1.0 $$;

CREATE FUNCTION add1_i4_plperl(int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$ return $_[0] + 1; $$;
CREATE FUNCTION add1_i8_plperl(int8) RETURNS int8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$ return $_[0] + 1; $$;
CREATE FUNCTION add1_f8_plperl(float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$ return $_[0] + 1.0; $$;

-- ---- text ----------------------------------------------------------------------
CREATE FUNCTION utf8_length_wasm(text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:utf8_length';
CREATE FUNCTION utf8_length_plpgsql(s text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$ BEGIN RETURN char_length(s); END $$;
CREATE FUNCTION utf8_length_plpython(s text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$ return len(s) $$;
CREATE FUNCTION utf8_length_plperl(text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$ return length($_[0]); $$;

CREATE FUNCTION slug_wasm(text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:slug';
-- ASCII letters only are lower-cased (translate, not lower(), which would
-- also fold non-ASCII letters); every non-ASCII character is a separator.
CREATE FUNCTION slug_plpgsql(s text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
	RETURN btrim(regexp_replace(translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
								'[^a-z0-9]+', '-', 'g'), '-');
END $$;
CREATE FUNCTION slug_plpython(s text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$
import re
if 'slug_re' not in SD:
    SD['slug_re'] = re.compile(rb'[^a-z0-9]+')
return SD['slug_re'].sub(b'-', s.encode().lower()).strip(b'-').decode()
$$;
CREATE FUNCTION slug_plperl(text) RETURNS text
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$
my $s = $_[0];
$s =~ tr/A-Z/a-z/;
$s =~ s/[^a-z0-9]+/-/g;
$s =~ s/^-+|-+$//g;
return $s;
$$;

-- ---- arrays --------------------------------------------------------------------
CREATE FUNCTION dot_wasm(float8[], float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:dot';
CREATE FUNCTION dot_plpgsql(a float8[], b float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(a) <> cardinality(b) THEN
		RAISE EXCEPTION 'dot: arrays differ in length';
	END IF;
	RETURN (SELECT sum(x * y) FROM unnest(a, b) AS u(x, y));
END $$;
CREATE FUNCTION dot_plpython(a float8[], b float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$
if len(a) != len(b):
    plpy.error('dot: arrays differ in length')
s = 0.0
for x, y in zip(a, b):
    s += x * y
return s
$$;
CREATE FUNCTION dot_plperl(float8[], float8[]) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$
my ($a, $b) = @_;
die "dot: arrays differ in length\n" if @$a != @$b;
my $s = 0.0;
$s += $a->[$_] * $b->[$_] for 0 .. $#$a;
return $s;
$$;

-- ---- compute-heavy scalars --------------------------------------------------------
CREATE FUNCTION mandelbrot_wasm(float8, float8, int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:mandelbrot';
CREATE FUNCTION mandelbrot_plpgsql(cx float8, cy float8, maxiter int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
	x float8 := 0;
	y float8 := 0;
	x2 float8;
	y2 float8;
	i int4 := 0;
BEGIN
	WHILE i < maxiter LOOP
		x2 := x * x;
		y2 := y * y;
		EXIT WHEN x2 + y2 > 4;
		y := 2 * x * y + cy;
		x := x2 - y2 + cx;
		i := i + 1;
	END LOOP;
	RETURN i;
END $$;
CREATE FUNCTION mandelbrot_plpython(cx float8, cy float8, maxiter int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$
x = y = 0.0
i = 0
while i < maxiter:
    x2 = x * x
    y2 = y * y
    if x2 + y2 > 4.0:
        break
    y = 2.0 * x * y + cy
    x = x2 - y2 + cx
    i += 1
return i
$$;
CREATE FUNCTION mandelbrot_plperl(float8, float8, int4) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$
my ($cx, $cy, $maxiter) = @_;
my ($x, $y, $i) = (0.0, 0.0, 0);
while ($i < $maxiter) {
	my $x2 = $x * $x;
	my $y2 = $y * $y;
	last if $x2 + $y2 > 4.0;
	$y = 2.0 * $x * $y + $cy;
	$x = $x2 - $y2 + $cx;
	$i++;
}
return $i;
$$;

CREATE FUNCTION levenshtein_wasm(text, text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:levenshtein';
-- Bytes, as kernels.c (the data is ASCII, so bytes are characters).
CREATE FUNCTION levenshtein_plpgsql(a text, b text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
	ab bytea := convert_to(a, 'UTF8');
	bb bytea := convert_to(b, 'UTF8');
	na int4 := length(ab);
	nb int4 := length(bb);
	prev int4[];
	cur int4[];
	ca int4;
BEGIN
	IF na > 255 OR nb > 255 THEN
		RAISE EXCEPTION 'levenshtein: strings longer than 255 bytes';
	END IF;
	prev := array(SELECT generate_series(0, nb));   -- prev[j + 1] is column j
	cur := prev;
	FOR i IN 1 .. na LOOP
		ca := get_byte(ab, i - 1);
		cur[1] := i;
		FOR j IN 1 .. nb LOOP
			cur[j + 1] := least(prev[j + 1] + 1, cur[j] + 1,
								prev[j] + CASE WHEN ca = get_byte(bb, j - 1) THEN 0 ELSE 1 END);
		END LOOP;
		prev := cur;
	END LOOP;
	RETURN prev[nb + 1];
END $$;
CREATE FUNCTION levenshtein_plpython(a text, b text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$
x = a.encode()
y = b.encode()
if len(x) > 255 or len(y) > 255:
    plpy.error('levenshtein: strings longer than 255 bytes')
nb = len(y)
prev = list(range(nb + 1))
for i in range(1, len(x) + 1):
    ca = x[i - 1]
    cur = [i] * (nb + 1)
    for j in range(1, nb + 1):
        d = prev[j] + 1
        ins = cur[j - 1] + 1
        if ins < d:
            d = ins
        sub = prev[j - 1] + (ca != y[j - 1])
        cur[j] = sub if sub < d else d
    prev = cur
return prev[nb]
$$;
CREATE FUNCTION levenshtein_plperl(text, text) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$
# Characters, not bytes (trusted PL/Perl has no unpack): the data is ASCII.
my @a = split //, $_[0];
my @b = split //, $_[1];
die "levenshtein: strings longer than 255 bytes\n" if @a > 255 || @b > 255;
my $nb = @b;
my @prev = (0 .. $nb);
for my $i (1 .. @a) {
	my $ca = $a[$i - 1];
	my @cur = ($i);
	for my $j (1 .. $nb) {
		my $d = $prev[$j] + 1;
		my $ins = $cur[$j - 1] + 1;
		$d = $ins if $ins < $d;
		my $sub = $prev[$j - 1] + ($ca eq $b[$j - 1] ? 0 : 1);
		$cur[$j] = $sub < $d ? $sub : $d;
	}
	@prev = @cur;
}
return $prev[$nb];
$$;

-- ---- aggregate: sum of squares, state function in each language --------------------
CREATE FUNCTION sumsq_step_wasm(float8, float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'kernels:sumsq_step';
CREATE FUNCTION sumsq_step_plpgsql(s float8, x float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$ BEGIN RETURN s + x * x; END $$;
CREATE FUNCTION sumsq_step_plpython(s float8, x float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpython3u AS $$ return s + x * x $$;
CREATE FUNCTION sumsq_step_plperl(float8, float8) RETURNS float8
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plperl AS $$ return $_[0] + $_[1] * $_[1]; $$;

DO $$
DECLARE
	impl text;
BEGIN
	FOREACH impl IN ARRAY ARRAY['c', 'wasm', 'plpgsql', 'plpython', 'plperl'] LOOP
		EXECUTE format('CREATE AGGREGATE sumsq_%s(float8) (SFUNC = sumsq_step_%s, STYPE = float8, '
					   'INITCOND = ''0'', COMBINEFUNC = float8pl, PARALLEL = SAFE)', impl, impl);
	END LOOP;
END $$;

-- ---- cold start: a function of a ~1 MB module ------------------------------------------
CREATE FUNCTION big_f0(int4, int4, float8) RETURNS int4
	IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'big:f0';

-- ---- data sets --------------------------------------------------------------------------
-- Titles, about 50 bytes: 3 to 8 words with accents, digits and punctuation.
CREATE TABLE title_words (i int4, t text);
INSERT INTO title_words
SELECT i, (SELECT string_agg(w.words[1 + (i * 7919 + k * 104729) % array_length(w.words, 1)] ||
							 w.seps[1 + (i * 31 + k * 17) % array_length(w.seps, 1)], '' ORDER BY k)
		   FROM generate_series(1, 3 + i % 6) AS k)
FROM generate_series(0, 4999) AS i,
	LATERAL (SELECT
		ARRAY['Crème', 'Brûlée', '10', 'Recipes', 'Don''t', 'Café', 'Straße', 'naïve',
			  'Œuvre', 'Ærø', 'Top', 'Guide', 'the', 'and', 'How', 'To', 'Cook', 'FAST',
			  'Pâté', 'Smörgåsbord', 'Jalapeño', 'Ça', 'Marché', 'Über', 'Façade', 'São',
			  'Paulo', '2024', 'Best', 'Łódź', 'Dvořák', 'Ålesund', 'Crêpes', 'Piña',
			  'Colada', 'Zürich', 'Señor', 'Mañana', 'El', 'Niño', 'Résumé', 'it’s',
			  'Data', 'Engineering', 'Weekly', 'Postgres', 'Tips', 'Tricks', 'SQL', 'Wasm'] AS words,
		ARRAY[' ', ' ', ' ', ': ', ' - ', '! ', ', ', ' & ', ' — ', '... ', ' (', ') ',
			  '/', '?'] AS seps
		WHERE i >= 0) AS w;
CREATE TABLE titles (t text NOT NULL);
INSERT INTO titles
SELECT w.t || ' #' || g.i
FROM generate_series(1, (1000000 * :scale)::int) AS g(i)
JOIN title_words AS w ON w.i = g.i % 5000;

-- 256-element vectors (2 KB each) against one query vector, the shape of a
-- similarity search.  STORAGE PLAIN keeps them in the heap row, uncompressed:
-- the timings are then about the functions, not detoasting.
CREATE TABLE vecs (v float8[] NOT NULL);
ALTER TABLE vecs ALTER COLUMN v SET STORAGE PLAIN;
CREATE TEMP TABLE vec_base AS
SELECT i, (SELECT array_agg(sin(i * 0.37 + j * 1.3) ORDER BY j) FROM generate_series(1, 256) AS j) AS v
FROM generate_series(0, 999) AS i;
INSERT INTO vecs
SELECT b.v FROM generate_series(1, (200000 * :scale)::int) AS g(r) JOIN vec_base AS b ON b.i = g.r % 1000;
CREATE TABLE qvec (q float8[] NOT NULL);
ALTER TABLE qvec ALTER COLUMN q SET STORAGE PLAIN;
INSERT INTO qvec SELECT array_agg(cos(j * 0.7) + 0.1 ORDER BY j) FROM generate_series(1, 256) AS j;

-- Mandelbrot: a 400 x 300 grid over [-2, 0.5] x [-1.25, 1.25], rows in a
-- pseudo-random order so that any LIMIT takes a fair sample of the work.
-- k numbers the rows in that order, for the parallel workloads' subsets.
CREATE TABLE points (k int4 NOT NULL, cx float8 NOT NULL, cy float8 NOT NULL);
INSERT INTO points
SELECT row_number() OVER (ORDER BY hashint4(i), i), -2 + (i % 400) * 2.5 / 400, -1.25 + (i / 400) * 2.5 / 300
FROM generate_series(0, 119999) AS i
ORDER BY hashint4(i), i;

-- Levenshtein: pairs of ASCII strings of 20 to 40 bytes, a few edits apart
-- and sometimes not at all alike.
CREATE TABLE pairs (a text NOT NULL, b text NOT NULL);
INSERT INTO pairs
SELECT left(s, 20 + i % 21),
	   CASE WHEN i % 4 = 0 THEN left(md5((i * 7)::text) || md5(i::text), 20 + (i * 3) % 21)
			ELSE left(translate(s, '0123', 'wxyz'), 20 + (i * 3) % 21) END
FROM (SELECT i, md5(i::text) || md5((i + 1)::text) AS s
	  FROM generate_series(1, (100000 * :scale)::int) AS i) AS g;

-- Parallel scans: 5M integers.
CREATE TABLE nums (i int8 NOT NULL);
INSERT INTO nums SELECT generate_series(1, (5000000 * :scale)::int);
ALTER TABLE nums SET (parallel_workers = 2);
ALTER TABLE points SET (parallel_workers = 2);

VACUUM ANALYZE titles, vecs, qvec, points, pairs, nums;

-- ---- the implementations agree ------------------------------------------------------------
CREATE TABLE bench.checks (what text, bad bigint);
INSERT INTO bench.checks
SELECT 'add1 int4/int8/float8: every implementation = x + 1',
	   count(*) FILTER (WHERE add1_i4_c(x) <> x + 1 OR add1_i4_wasm(x) <> x + 1 OR add1_i4_plpgsql(x) <> x + 1
						OR add1_i4_plpython(x) <> x + 1 OR add1_i4_plperl(x) <> x + 1
						OR add1_i8_c(x) <> x + 1 OR add1_i8_wasm(x) <> x + 1 OR add1_i8_plpgsql(x) <> x + 1
						OR add1_i8_plpython(x) <> x + 1 OR add1_i8_plperl(x) <> x + 1
						OR add1_f8_c(x) <> x + 1 OR add1_f8_wasm(x) <> x + 1 OR add1_f8_plpgsql(x) <> x + 1
						OR add1_f8_plpython(x) <> x + 1 OR add1_f8_plperl(x) <> x + 1)
FROM generate_series(-1000, 1000) AS x
UNION ALL
SELECT 'utf8_length: every implementation = char_length (2000 titles)',
	   count(*) FILTER (WHERE utf8_length_c(t) <> char_length(t) OR utf8_length_wasm(t) <> char_length(t)
						OR utf8_length_plpgsql(t) <> char_length(t) OR utf8_length_plpython(t) <> char_length(t)
						OR utf8_length_plperl(t) <> char_length(t))
FROM (SELECT t FROM titles LIMIT 2000) AS s
UNION ALL
SELECT 'slug: every implementation = C UDF (2000 titles)',
	   count(*) FILTER (WHERE slug_wasm(t) <> slug_c(t) OR slug_plpgsql(t) <> slug_c(t)
						OR slug_plpython(t) <> slug_c(t) OR slug_plperl(t) <> slug_c(t))
FROM (SELECT t FROM titles LIMIT 2000) AS s
UNION ALL
SELECT 'dot: wasm = C UDF exactly, the others within 1e-9 (500 rows)',
	   count(*) FILTER (WHERE dot_wasm(v, q) <> dot_c(v, q)
						OR abs(dot_plpgsql(v, q) - dot_c(v, q)) > 1e-9
						OR abs(dot_plpython(v, q) - dot_c(v, q)) > 1e-9
						OR abs(dot_plperl(v, q) - dot_c(v, q)) > 1e-9)
FROM (SELECT v FROM vecs LIMIT 500) AS s, qvec
UNION ALL
SELECT 'mandelbrot: every implementation = C UDF (300 points)',
	   count(*) FILTER (WHERE mandelbrot_wasm(cx, cy, 1000) <> mandelbrot_c(cx, cy, 1000)
						OR mandelbrot_plpgsql(cx, cy, 1000) <> mandelbrot_c(cx, cy, 1000)
						OR mandelbrot_plpython(cx, cy, 1000) <> mandelbrot_c(cx, cy, 1000)
						OR mandelbrot_plperl(cx, cy, 1000) <> mandelbrot_c(cx, cy, 1000))
FROM (SELECT cx, cy FROM points LIMIT 300) AS s
UNION ALL
SELECT 'levenshtein: every implementation = C UDF (300 pairs)',
	   count(*) FILTER (WHERE levenshtein_wasm(a, b) <> levenshtein_c(a, b)
						OR levenshtein_plpgsql(a, b) <> levenshtein_c(a, b)
						OR levenshtein_plpython(a, b) <> levenshtein_c(a, b)
						OR levenshtein_plperl(a, b) <> levenshtein_c(a, b))
FROM (SELECT a, b FROM pairs LIMIT 300) AS s
UNION ALL
SELECT 'sumsq aggregate: every implementation = sum(x * x) (100000 rows)',
	   count(*) FILTER (WHERE v <> ref)
FROM (SELECT sum(x * x) AS ref, sumsq_c(x) AS c, sumsq_wasm(x) AS w, sumsq_plpgsql(x) AS g,
			 sumsq_plpython(x) AS p, sumsq_plperl(x) AS l
	  FROM generate_series(1, 100000) AS g(i), LATERAL (SELECT i::float8 AS x) AS xx) AS s,
	 LATERAL (VALUES (c), (w), (g), (p), (l)) AS v(v)
UNION ALL
SELECT 'big module: f0 runs', count(*) FILTER (WHERE big_f0(1, 2, 3.0) IS NULL)
FROM (VALUES (1)) AS one;
