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

for my $m (qw(textkit vecmath checksum add fib))
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
);
for my $c (@cases)
{
	is($node->safe_psql('postgres', $c->[0]), $c->[1], $c->[2]);
}

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
