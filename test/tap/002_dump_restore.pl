# test/tap/002_dump_restore.pl — pg_dump / pg_restore round-trip modules and
# the functions, indexes and views built on them.
#
# The module catalog is an extension configuration table, so its rows are in
# the dump; functions are restored with check_function_bodies off, and the
# catalog data is loaded before post-data objects (the expression index).
# Both the custom format (pg_restore) and the plain format (psql) are tested,
# each into a fresh database of the same cluster, so module owners (roles)
# exist on both sides.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(abs_path(__FILE__));

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};

sub wat_bytea
{
	my ($name) = @_;
	my $wasm = PostgreSQL::Test::Utils::tempdir() . "/$name.wasm";
	system_or_bail('wat2wasm', "$fixtures/$name.wat", '-o', $wasm);
	open my $fh, '<:raw', $wasm or die "cannot read $wasm: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return "'\\x" . unpack('H*', $bytes) . "'::bytea";
}

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;

# A role that owns a module and a function, next to the superuser's.
$node->safe_psql('postgres', 'CREATE ROLE alice LOGIN');
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION pgwasm');
$node->safe_psql('src',
	'GRANT EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean) TO alice');
$node->safe_psql('src', 'GRANT CREATE ON SCHEMA public TO alice');

$node->safe_psql('src',
	    "SET ROLE alice; SELECT wasm.install_module('strings', "
	  . wat_bytea('strings')
	  . "); CREATE FUNCTION shout(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'strings:shout'"
);
$node->safe_psql('src',
	"SELECT wasm.install_module('version', " . wat_bytea('version1') . ")");
$node->safe_psql(
	'src', q{
	CREATE FUNCTION mod_version() RETURNS int4 LANGUAGE wasm AS 'version:version';
	CREATE FUNCTION label() RETURNS text LANGUAGE wasm AS 'version:label';
	CREATE TABLE words (w text PRIMARY KEY);
	INSERT INTO words VALUES ('cat'), ('dog'), ('émile');
	CREATE INDEX words_shout ON words (shout(w));
	CREATE VIEW shouted AS SELECT w, shout(w) AS loud FROM words;
});

my $catalog_q =
  'SELECT name, owner, sha256, size FROM wasm.modules ORDER BY name';
my $exports_q =
  "SELECT m.name, e.name, e.kind, e.signature FROM wasm.modules m, wasm.module_exports(m.name) e ORDER BY 1, 2";
my $functions_q = q{
	SELECT p.proname, pg_get_userbyid(p.proowner), p.prosrc
	  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	 WHERE l.lanname = 'wasm' ORDER BY 1};
my $use_q = q{
	SET enable_seqscan = off;
	SELECT shout('hello'), mod_version(), label();
	SELECT w FROM words WHERE shout(w) = 'DOG!';
	SELECT string_agg(loud, ',' ORDER BY w) FROM shouted};

my %expected = map { $_ => $node->safe_psql('src', $_) }
  ($catalog_q, $exports_q, $functions_q, $use_q);
like($expected{$catalog_q}, qr/^strings\|alice\|[0-9a-f]{64}\|\d+\nversion\|/,
	'source database has both modules');
is($expected{$use_q}, "HELLO!|1|one\ndog\nCAT!,DOG!,éMILE!",
	'source database uses them');

my $dir = PostgreSQL::Test::Utils::tempdir();

# ---- custom format ----------------------------------------------------------
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', "$dir/src.dump", '-d', 'src' ],
	'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', 'restored', "$dir/src.dump" ],
	'pg_restore into a new database');

# ---- plain format -----------------------------------------------------------
$node->command_ok([ 'pg_dump', '-f', "$dir/src.sql", '-d', 'src' ],
	'pg_dump (plain)');
$node->safe_psql('postgres', 'CREATE DATABASE replayed');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'replayed', '-f', "$dir/src.sql" ],
	'plain dump replayed with psql');

for my $db (qw(restored replayed))
{
	is($node->safe_psql($db, $catalog_q),
		$expected{$catalog_q}, "$db: same modules, owners and hashes");
	is($node->safe_psql($db, $exports_q),
		$expected{$exports_q}, "$db: same exports");
	is($node->safe_psql($db, $functions_q),
		$expected{$functions_q}, "$db: same wasm functions and owners");
	is($node->safe_psql($db, $use_q),
		$expected{$use_q}, "$db: functions, index and view work");
	is($node->safe_psql($db, q{SELECT count(*) FROM wasm.modules}),
		'2', "$db: no duplicated catalog rows");

	# The restored catalog is a working one: replace and drop still behave.
	$node->safe_psql($db,
		"SELECT wasm.install_module('version', " . wat_bytea('version2') . ", replace => true)");
	is($node->safe_psql($db, 'SELECT mod_version(), label()'),
		'2|two', "$db: a module can be replaced after restore");
	my ($ret, $out, $err) =
	  $node->psql($db, "SELECT wasm.drop_module('version')");
	isnt($ret, 0, "$db: drop of a referenced module is refused");
	like($err, qr/mod_version|label/, "$db: the refusal names a dependent function");
}

# The source database is untouched by all this.
is($node->safe_psql('src', 'SELECT mod_version(), label()'),
	'1|one', 'source database still has version 1');

$node->stop;
done_testing();
