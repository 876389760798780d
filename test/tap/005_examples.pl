# test/tap/005_examples.pl — the example modules in examples/ (C and WAT),
# built from source with examples/build.sh, installed and called from SQL with
# the values the tour and docs show.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = abs_path(dirname(abs_path(__FILE__)) . '/../..');

for my $tool (qw(clang wat2wasm))
{
	plan skip_all => "$tool is not in PATH (test/deps.sh installs it)"
	  unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}

my $out = PostgreSQL::Test::Utils::tempdir();
system_or_bail('bash', "$root/examples/build.sh", $out);

sub wasm_bytea
{
	my ($name) = @_;
	open my $fh, '<:raw', "$out/$name.wasm" or die "cannot read $out/$name.wasm: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return "'\\x" . unpack('H*', $bytes) . "'::bytea";
}

my $node = PostgreSQL::Test::Cluster->new('examples');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');

for my $m (qw(textkit vecmath checksum hll jsonkit add fib))
{
	like($node->safe_psql('postgres',
			"SELECT wasm.install_module('$m', " . wasm_bytea($m) . ")"),
		qr/^[0-9a-f]{64}$/, "install $m");
}

$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION slugify(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:slugify';
	CREATE FUNCTION normalize_email(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:normalize_email';
	CREATE FUNCTION word_count(text) RETURNS int4 IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:word_count';
	CREATE FUNCTION cosine_similarity(float8[], float8[]) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'vecmath:cosine_similarity';
	CREATE FUNCTION dot_product(float8[], float8[]) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'vecmath:dot_product';
	CREATE FUNCTION l2_norm(float8[]) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'vecmath:l2_norm';
	CREATE FUNCTION l2_distance(float8[], float8[]) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'vecmath:l2_distance';
	CREATE FUNCTION unit_vector(float8[]) RETURNS float8[] IMMUTABLE STRICT LANGUAGE wasm AS 'vecmath:unit_vector';
	CREATE FUNCTION crc32(bytea) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'checksum:crc32';
	CREATE FUNCTION crc32(text) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'checksum:crc32';
	CREATE FUNCTION fnv1a64(bytea) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'checksum:fnv1a64';
	CREATE FUNCTION adler32(bytea) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'checksum:adler32';
	CREATE FUNCTION add(int4, int4) RETURNS int4 IMMUTABLE STRICT LANGUAGE wasm AS 'add:add';
	CREATE FUNCTION idiv(int4, int4) RETURNS int4 IMMUTABLE STRICT LANGUAGE wasm AS 'add:idiv';
	CREATE FUNCTION mul_add(float8, float8, float8) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'add:mul_add';
	CREATE FUNCTION fib(int4) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib';
	CREATE FUNCTION fib_rec(int4) RETURNS int8 IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib_rec';
	CREATE FUNCTION hll_add(bytea, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_add';
	CREATE FUNCTION hll_merge(bytea, bytea) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_merge';
	CREATE FUNCTION hll_count(bytea) RETURNS int8 IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_count';
	CREATE AGGREGATE approx_count_distinct(text) (SFUNC = hll_add, STYPE = bytea, FINALFUNC = hll_count,
		COMBINEFUNC = hll_merge, INITCOND = '', PARALLEL = SAFE);
	CREATE AGGREGATE hll_sketch(text) (SFUNC = hll_add, STYPE = bytea, COMBINEFUNC = hll_merge,
		INITCOND = '', PARALLEL = SAFE);
	CREATE AGGREGATE hll_union(bytea) (SFUNC = hll_merge, STYPE = bytea, COMBINEFUNC = hll_merge,
		INITCOND = '', PARALLEL = SAFE);
	CREATE FUNCTION json_get(jsonb, text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
	CREATE FUNCTION json_get(text, text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
	CREATE FUNCTION json_has(jsonb, text) RETURNS bool IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_has';
	CREATE FUNCTION json_valid(text) RETURNS bool IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_valid';
});

# Data for the aggregate and JSON checks.  A group of n distinct values, each
# three times: ten, a hundred, a thousand, ten thousand.
$node->safe_psql(
	'postgres', q{
	CREATE TABLE hll_groups AS
		SELECT g, 'item-' || i AS v
		  FROM generate_series(1, 4) g, generate_series(1, (10 ^ g)::int) i, generate_series(1, 3) r;
	CREATE TABLE docs AS
		SELECT i AS id,
			   jsonb_build_object('s', E'line\n' || i || ' "q" \\ é😀\t', 'n', i * 1.5,
								  'a', jsonb_build_array(i, 'x' || i, jsonb_build_object('deep', i % 3 = 0)),
								  'o', jsonb_build_object('k', i, 'e', '{}'::jsonb)) AS doc
		  FROM generate_series(1, 2000) i;
});

# [ SQL, expected psql -At output, description ]
my @cases = (
	[ q{SELECT slugify('Crème Brûlée: 10 Recipes!')}, 'creme-brulee-10-recipes', 'slugify with accents' ],
	[ q{SELECT slugify('  Don''t Panic -- it''s  ÜBER-cool  ')}, 'dont-panic-its-uber-cool', 'slugify punctuation' ],
	[ q{SELECT slugify('Œuvre Ærø straße')}, 'oeuvre-aero-strasse', 'slugify ligatures' ],
	[ q{SELECT slugify('!!!') = ''}, 't', 'slugify to the empty string' ],
	[ q{SELECT slugify(NULL) IS NULL}, 't', 'NULL in, NULL out' ],
	[ q{SELECT normalize_email('  John.Smith+news@GoogleMail.com ')}, 'johnsmith@gmail.com', 'normalize a Gmail address' ],
	[ q{SELECT normalize_email('Alice+x@Example.ORG')}, 'alice@example.org', 'normalize a plain address' ],
	[ q{SELECT word_count('Don''t stop believing'), word_count('well-known  -- fact'), word_count(''), word_count('naïve café 42')},
		'3|2|0|3', 'word_count' ],
	[ q{SELECT round(cosine_similarity('{1,2,3}', '{2,4,6.5}')::numeric, 6)}, '0.999283', 'cosine_similarity' ],
	[ q{SELECT cosine_similarity('{1,0}', '{0,1}'), round(cosine_similarity('{1,1}', '{-1,-1}')::numeric, 12)}, '0|-1.000000000000', 'orthogonal and opposite' ],
	[ q{SELECT dot_product('{1,2,3}', '{2,4,6.5}'), l2_norm('{3,4}'), l2_distance('{0,0}', '{3,4}')}, '29.5|5|5', 'dot, norm, distance' ],
	[ q{SELECT unit_vector('{3,4}')}, '{0.6,0.8}', 'unit_vector returns float8[]' ],
	[ q{SELECT unit_vector('{}'::float8[])}, '{}', 'empty array in and out' ],
	[ q{SELECT crc32('123456789'::bytea), crc32('123456789'::text), adler32('123456789'::bytea)},
		'3421780262|3421780262|152961502', 'crc32 and adler32 check values' ],
	[ q{SELECT fnv1a64(''::bytea), fnv1a64('a'::bytea)}, '-3750763034362895579|-5808556873153909620', 'fnv1a64' ],
	[ q{SELECT crc32(''::bytea)}, '0', 'crc32 of nothing' ],
	[ q{SELECT add(2, 40), idiv(-7, 2), mul_add(2, 3, 4)}, '42|-3|10', 'add.wat' ],
	[ q{SELECT fib(0), fib(10), fib(92), fib_rec(20)}, '0|55|7540113804746346429|6765', 'fib.wat' ],
	[ q{SELECT count(*) FROM generate_series(1, 20000) i WHERE slugify('Title ' || i) = 'title-' || i}, '20000', '20000 calls in one statement' ],

	# hll.c: the sketch format and hash are fixed, so the estimates are too
	[ q{SELECT approx_count_distinct(i::text), count(DISTINCT i) FROM generate_series(1, 100000) i},
		'100915|100000', 'HyperLogLog: 100k distinct values (+0.9%)' ],
	[ q{SELECT abs(approx_count_distinct(i::text) - 100000) <= 3000 FROM generate_series(1, 100000) i},
		't', 'HyperLogLog: within 3% of count(DISTINCT)' ],
	[ q{SELECT g, approx_count_distinct(v), count(DISTINCT v),
			   abs(approx_count_distinct(v) - count(DISTINCT v)) <= 0.05 * count(DISTINCT v)
		  FROM hll_groups GROUP BY g ORDER BY g},
		"1|10|10|t\n2|100|100|t\n3|1009|1000|t\n4|10367|10000|t", 'HyperLogLog: GROUP BY, exact while small' ],
	[ q{SELECT approx_count_distinct(x) FROM (VALUES ('a'), (NULL), ('b'), ('a')) v(x)}, '2', 'HyperLogLog: NULLs are skipped' ],
	[ q{SELECT approx_count_distinct(x) FROM (SELECT 'x' WHERE false) v(x)}, '0', 'HyperLogLog: no rows' ],
	[ q{SELECT hll_add('', 'a'), hll_add(hll_add('', 'a'), 'a') = hll_add('', 'a')}, '\x680c0100066102|t',
		'HyperLogLog: sparse sketch format, duplicates change nothing' ],
	[ q{SELECT length(hll_sketch(i::text)) FROM generate_series(1, 100) i}, '304', 'HyperLogLog: 100 values take 304 bytes (sparse)' ],
	[ q{SELECT length(hll_sketch(i::text)) FROM generate_series(1, 1000) i}, '4100', 'HyperLogLog: dense beyond 512 registers' ],
	[ q{SELECT hll_merge(a, b) = c, hll_count(hll_merge(b, a)), hll_merge(d, a) = hll_merge(a, d), hll_merge(a, '') = a
		  FROM (SELECT hll_sketch(i::text) FILTER (WHERE i <= 300) a, hll_sketch(i::text) FILTER (WHERE i > 200 AND i <= 700) b,
					   hll_sketch(i::text) FILTER (WHERE i <= 700) c, hll_sketch(i::text) d
				  FROM generate_series(1, 5000) i) x},
		't|701|t|t', 'HyperLogLog: merge is the exact union (sparse and dense)' ],
	[ q{SELECT hll_count(hll_union(s)) = (SELECT approx_count_distinct(v) FROM hll_groups)
		  FROM (SELECT g, hll_sketch(v) s FROM hll_groups GROUP BY g) x},
		't', 'HyperLogLog: rolling up stored sketches' ],

	# jsonkit.c
	[ q{SELECT json_get('{"user": {"name": "Zoë \\"Z\\"\\nO''Neil", "age": 42}}'::jsonb, 'user.name')},
		qq{Zoë "Z"\nO'Neil}, 'json_get: string unquoted and unescaped' ],
	[ q{SELECT json_get(d, p) FROM (SELECT '{"user": {"tags": ["a", "b", "c"], "age": 42, "vip": true, "x": null,
		"o": {"k": [1, 2.50]}}, "a.b": 7}'::jsonb AS d) x,
		unnest(array['user.tags.1', 'user.tags.-1', 'user.age', 'user.vip', 'user.x', 'user.o', 'user.tags', 'a\.b']) WITH ORDINALITY p ORDER BY ordinality},
		qq{b\nc\n42\ntrue\nnull\n{"k": [1, 2.50]}\n["a", "b", "c"]\n7}, 'json_get: indexes, scalars, objects, escaped dot' ],
	[ q{SELECT json_get('{"a": "\\u00e9\\ud83d\\ude00", "a": "last"}', 'a'), json_get('{"a": "\\u00e9\\ud83d\\ude00"}', 'a'),
			   json_get(' [1, {"": "empty key"}] ', '1.'), json_get('"top"', '')},
		'last|é😀|empty key|top', 'json_get on text: duplicate keys, \\u escapes, empty key, whole document' ],
	[ q{SELECT count(*) FROM docs, unnest(array['s', 'n', 'a', 'a.0', 'a.1', 'a.2', 'a.2.deep', 'o', 'o.k', 'o.e']) p
		 WHERE json_get(doc, p) IS DISTINCT FROM doc #>> string_to_array(p, '.')},
		'0', 'json_get agrees with #>> on 20000 lookups' ],
	[ q{SELECT json_has('{"a": {"b": [1]}}', 'a.b.0'), json_has('{"a": {"b": [1]}}', 'a.b.1'), json_has('{"a": 1}', 'a.x')},
		't|f|f', 'json_has' ],
	[ q{SELECT json_valid('{"a": [1, -2.5e3, true, null, "\\u0041"]}'), json_valid('{"a": [1, }'), json_valid(''),
			   json_valid('01'), json_valid('[1] x'), json_valid('"\\ud800"'), json_valid(E'"tab\there"')},
		't|f|f|f|f|f|f', 'json_valid' ],
	[ q{SELECT json_valid(repeat('[', 100000)), json_valid(repeat('[', 100000) || repeat(']', 100000)),
			   length(json_get(repeat('{"a":', 50000) || '1' || repeat('}', 50000), 'a.a.a'))},
		'f|t|299983', 'JSON nested 100000 deep: no recursion' ],
);
for my $c (@cases)
{
	is($node->safe_psql('postgres', $c->[0]), $c->[1], $c->[2]);
}

# The aggregate in a parallel plan: partial states from the workers meet in
# hll_merge, and since merging is exact the result equals the serial one.
$node->safe_psql(
	'postgres', q{
	CREATE TABLE visits AS
		SELECT i AS id, 'user-' || (i % 50000) AS user_id, i % 7 AS day
		  FROM generate_series(1, 200000) i;
	ANALYZE visits;
});
my $parallel = q{SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;};
my $serial = q{SET max_parallel_workers_per_gather = 0;};
my $plan = $node->safe_psql('postgres',
	"$parallel EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT approx_count_distinct(user_id) FROM visits");
like($plan, qr/Finalize Aggregate.*Gather.*Partial Aggregate.*Parallel Seq Scan/s, 'HyperLogLog: parallel plan');
like($plan, qr/Workers Launched: [12]/, 'HyperLogLog: parallel workers ran');
my $q = q{SELECT approx_count_distinct(user_id), abs(approx_count_distinct(user_id) - 50000) <= 1500 FROM visits};
my $par_result = $node->safe_psql('postgres', "$parallel $q");
is($par_result, '49089|t', 'HyperLogLog: parallel result within 3% of 50000');
is($node->safe_psql('postgres', "$serial $q"), $par_result, 'HyperLogLog: serial result is the same');
$q = q{SELECT day, approx_count_distinct(user_id) FROM visits GROUP BY day ORDER BY day};
like($node->safe_psql('postgres', "$parallel EXPLAIN (COSTS OFF) $q"), qr/Partial HashAggregate/,
	'HyperLogLog: parallel GROUP BY plan');
is($node->safe_psql('postgres', "$parallel $q"), $node->safe_psql('postgres', "$serial $q"),
	'HyperLogLog: parallel GROUP BY gives the serial result');

# Errors: [ SQL, SQLSTATE, message pattern, description ]
my @errors = (
	[ q{SELECT normalize_email('not-an-address')}, 'P0001', qr/invalid e-mail address/, 'guest error via pgwasm.error' ],
	[ q{SELECT cosine_similarity('{1,2}', '{1,2,3}')}, '22000', qr/same number of dimensions/, 'dimension mismatch' ],
	[ q{SELECT idiv(1, 0)}, '22012', qr/divide by zero/i, 'trap: integer divide by zero' ],
	[ q{SELECT idiv(-2147483648, -1)}, '22003', qr/overflow/i, 'trap: integer overflow' ],
	[ q{SELECT fib(93)}, 'P0001', qr/between 0 and 92/, 'fib range error' ],
	[ q{SELECT cosine_similarity('{1,NULL}', '{1,2}')}, '22004', qr/must not contain nulls/, 'array with NULL elements is refused' ],
	[ q{CREATE FUNCTION bad(int4) RETURNS text LANGUAGE wasm AS 'textkit:slugify'}, '42P13', qr/slugify/, 'signature mismatch at CREATE FUNCTION' ],
	[ q{SET pgwasm.fuel = 100000; SELECT fib_rec(35)}, '54000', qr/fuel/i, 'fuel limit' ],
	[ q{SELECT hll_count('\x01')}, '22P03', qr/invalid HyperLogLog sketch/, 'HyperLogLog: malformed sketch' ],
	[ q{SELECT hll_merge(hll_add('', 'a'), '\x680b0100')}, '22023', qr/precision/, 'HyperLogLog: other precision' ],
	[ q{SELECT json_get('{"a": [1, }', 'a')}, '22P02', qr/invalid JSON at byte 10: unexpected character/, 'json_get: malformed JSON' ],
	[ q~SELECT json_get('{"a": {"b": [1, 2', 'a.b.0')~, '22P02', qr/at byte 17: unexpected end of input/, 'json_get: truncated JSON' ],
	[ q{SELECT json_get(repeat('[', 100000), '0')}, '22P02', qr/unexpected end of input/, 'json_get: deep, unterminated' ],
	[ q{SELECT json_get('{"a": "\\ud800"}', 'a')}, '22P02', qr/surrogate/, 'json_get: unpaired surrogate' ],
	[ q{SELECT json_get('{"a": "x\\u0000"}', 'a')}, '22P05', qr/cannot be converted to text/, 'json_get: \\u0000' ],
	[ q{SELECT json_get('{"a": {"b": 1}}'::jsonb, 'a.c')}, '2203A', qr/path "a.c" not found: no key "c" at "a"/, 'json_get: missing key' ],
	[ q{SELECT json_get('{"a": [1, 2]}'::jsonb, 'a.2')}, '2203A', qr/no array element "2" at "a"/, 'json_get: index out of range' ],
	[ q{SELECT json_get('{"a": 1}'::jsonb, 'a.b')}, '2203A', qr/cannot step into a number/, 'json_get: path into a scalar' ],
);
for my $e (@errors)
{
	my ($ret, $stdout, $stderr) =
	  $node->psql('postgres', "\\set VERBOSITY verbose\n" . $e->[0]);
	isnt($ret, 0, "$e->[3]: fails");
	like($stderr, $e->[2], "$e->[3]: message");
	like($stderr, qr/ERROR:  $e->[1]/, "$e->[3]: SQLSTATE $e->[1]") if $e->[1];
}

is($node->safe_psql('postgres', 'SELECT add(1, 1)'), '2', 'still fine after the errors');

# The Rust example is built only where a rustc with the wasm32 target exists.
SKIP:
{
	skip 'fuzzy.wasm not built (no rustc with wasm32-unknown-unknown)', 4
	  unless -f "$out/fuzzy.wasm";
	$node->safe_psql('postgres',
		"SELECT wasm.install_module('fuzzy', " . wasm_bytea('fuzzy') . ")");
	$node->safe_psql(
		'postgres', q{
		CREATE FUNCTION levenshtein(text, text) RETURNS int4 IMMUTABLE STRICT LANGUAGE wasm AS 'fuzzy:levenshtein';
		CREATE FUNCTION title_case(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'fuzzy:title_case';
		CREATE FUNCTION median(float8[]) RETURNS float8 IMMUTABLE STRICT LANGUAGE wasm AS 'fuzzy:median';
	});
	is($node->safe_psql('postgres', q{SELECT levenshtein('kitten', 'sitting'), levenshtein('été', 'ete')}),
		'3|2', 'Rust: levenshtein counts characters');
	is($node->safe_psql('postgres', q{SELECT title_case('the QUICK brown fox''s ÉTÉ')}),
		"The Quick Brown Fox's Été", 'Rust: title_case');
	is($node->safe_psql('postgres', q{SELECT median('{5,1,3,2}'), median('{7}'), median('{}')}),
		'2.5|7|NaN', 'Rust: median');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM generate_series(1, 20000) i WHERE levenshtein('row ' || i, 'row ' || i || 'x') = 1}),
		'20000', 'Rust: 20000 calls in one statement');
}
$node->stop;
done_testing();
