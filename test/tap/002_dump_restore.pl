# test/tap/002_dump_restore.pl — pg_dump / pg_restore round-trip modules and
# everything built on them, with every row.
#
# A module is a function, wasm_module."<name>"() (see src/catalog.c), so it
# is a pre-data object: pg_restore creates it, with the functions that use
# it, before any table data is loaded -- serially, even with -j.  So a COPY
# into a table whose generated column or CHECK constraint calls a wasm
# function, a domain with a wasm CHECK, an expression or partial index and a
# materialized view refresh all find their module.  (With 0.1.0's module
# table, restored in the data section in no guaranteed order, COPY failed
# with 'wasm module "m" does not exist' and such tables came back empty.)
#
# Three formats, each into a fresh database of the same cluster (so module
# owners, roles, exist on both sides): plain (psql), custom (pg_restore) and
# directory (pg_restore -j 4).  Each restored database must have the same
# modules (owners, hashes, creation times), functions, rows and results.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__));
use PgwasmTap;

my $fixtures = dirname(abs_path(__FILE__));

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};


my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', 'max_connections = 40');
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
	  . wat_bytea($fixtures, 'strings')
	  . "); CREATE FUNCTION shout(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'strings:shout'"
);
$node->safe_psql('src',
	"SELECT wasm.install_module('version', " . wat_bytea($fixtures, 'version1') . ")");
$node->safe_psql('src',
	"SELECT wasm.install_module('m', " . wat_bytea($fixtures, 'strings') . ")");
$node->safe_psql(
	'src', q{
	CREATE FUNCTION mod_version() RETURNS int4 LANGUAGE wasm AS 'version:version';
	CREATE FUNCTION label() RETURNS text LANGUAGE wasm AS 'version:label';
	CREATE TABLE words (w text PRIMARY KEY);
	INSERT INTO words VALUES ('cat'), ('dog'), ('émile');
	CREATE INDEX words_shout ON words (shout(w));
	CREATE VIEW shouted AS SELECT w, shout(w) AS loud FROM words;

	-- issue 11: table data that needs the module while it is loaded
	CREATE FUNCTION r13(text) RETURNS text IMMUTABLE STRICT LANGUAGE wasm AS 'm:rot13';
	CREATE TABLE gen (id int PRIMARY KEY, s text,
	                  u text GENERATED ALWAYS AS (r13(s)) STORED);
	CREATE TABLE chk (id int PRIMARY KEY, s text CHECK (r13(s) <> 'X'));
	CREATE DOMAIN rot_text AS text CHECK (r13(VALUE) <> 'K');
	CREATE TABLE dom (id int PRIMARY KEY, d rot_text);
	INSERT INTO gen (id, s) SELECT i, 'row ' || i || ' Hello' FROM generate_series(1, 1000) i;
	INSERT INTO chk SELECT i, md5(i::text) FROM generate_series(1, 1000) i;
	INSERT INTO dom SELECT i, 'value ' || i FROM generate_series(1, 1000) i;
	-- and, after the data: an expression index, a partial index, a matview
	CREATE INDEX gen_r13 ON gen (r13(s));
	CREATE INDEX chk_partial ON chk (id) WHERE r13(s) LIKE 'n%';
	CREATE MATERIALIZED VIEW mv AS SELECT id, r13(s) AS r FROM chk WHERE id % 3 = 0;
	CREATE INDEX mv_r ON mv (r13(r));
});

my $catalog_q =
  'SELECT name, owner, sha256, size, compressed_size, created FROM wasm.modules ORDER BY name';
my $exports_q =
  "SELECT m.name, e.name, e.kind, e.signature FROM wasm.modules m, wasm.module_exports(m.name) e ORDER BY 1, 2";
my $functions_q = q{
	SELECT p.oid::regprocedure, pg_get_userbyid(p.proowner), md5(p.prosrc)
	  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	 WHERE l.lanname = 'wasm' ORDER BY p.oid::regprocedure::text};
my $use_q = q{
	SET enable_seqscan = off;
	SELECT shout('hello'), mod_version(), label(), r13('Hello');
	SELECT w FROM words WHERE shout(w) = 'DOG!';
	SELECT string_agg(loud, ',' ORDER BY w) FROM shouted;
	SELECT id, u FROM gen WHERE r13(s) = 'ebj 500 Uryyb';
	SELECT count(*) FROM chk WHERE r13(s) LIKE 'n%';
	SELECT id FROM mv WHERE r13(r) = md5('999')};
my %rows_q = (
	gen => q{SELECT count(*), md5(string_agg(id || ':' || s || ':' || u, ',' ORDER BY id)),
	                bool_and(u = r13(s)) FROM gen},
	chk => q{SELECT count(*), md5(string_agg(id || ':' || s, ',' ORDER BY id)) FROM chk},
	dom => q{SELECT count(*), md5(string_agg(id || ':' || d, ',' ORDER BY id)) FROM dom},
	mv => q{SELECT count(*), md5(string_agg(id || ':' || r, ',' ORDER BY id)) FROM mv},);
my $indexes_q = q{
	SELECT c.relname, i.indisvalid, i.indisready, pg_get_indexdef(i.indexrelid)
	  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	 WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1};

my %expected = map { $_ => $node->safe_psql('src', $_) }
  ($catalog_q, $exports_q, $functions_q, $use_q, $indexes_q, values %rows_q);
like($expected{$catalog_q},
	qr/^m\|\w+\|[0-9a-f]{64}\|\d+\|\d+\|[^\n]+\nstrings\|alice\|[0-9a-f]{64}\|\d+\|\d+\|[^\n]+\nversion\|/,
	'source database has the three modules');
is($expected{$use_q},
	"HELLO!|1|one|Uryyb\ndog\nCAT!,DOG!,éMILE!\n500|ebj 500 Uryyb\n"
	  . $node->safe_psql('src', q{SELECT count(*) FROM chk WHERE s LIKE 'a%'})
	  . "\n999",
	'source database uses them');
like($expected{ $rows_q{$_} }, qr/^1000\|/, "source table $_ has 1000 rows")
  for qw(gen chk dom);

my $dir = PostgreSQL::Test::Utils::tempdir();

# ---- the dump: modules are functions, there is no module table data ---------
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', "$dir/src.dump", '-d', 'src' ],
	'pg_dump -Fc');
my ($toc) = run_command([ 'pg_restore', '-l', "$dir/src.dump" ]);
like($toc, qr/FUNCTION wasm_module m\(\) /, 'a module is a function in the dump');
like($toc, qr/FUNCTION wasm_module strings\(\) /, 'each of them');
unlike($toc, qr/TABLE DATA wasm module_store/, 'no module table data');

# ---- custom format ------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE custom');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', 'custom', "$dir/src.dump" ],
	'pg_restore (custom format) into a new database');

# ---- directory format, parallel restore -------------------------------------
$node->command_ok(
	[ 'pg_dump', '-Fd', '-j', '4', '-f', "$dir/src.dir", '-d', 'src' ],
	'pg_dump -Fd -j 4');
$node->safe_psql('postgres', 'CREATE DATABASE parallel');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-j', '4', '-d', 'parallel', "$dir/src.dir" ],
	'pg_restore -j 4 (directory format) into a new database');

# ---- plain format ---------------------------------------------------------------
$node->command_ok([ 'pg_dump', '-f', "$dir/src.sql", '-d', 'src' ],
	'pg_dump (plain)');
$node->safe_psql('postgres', 'CREATE DATABASE plain');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'plain', '-f', "$dir/src.sql" ],
	'plain dump replayed with psql');

for my $db (qw(custom parallel plain))
{
	is($node->safe_psql($db, $catalog_q),
		$expected{$catalog_q}, "$db: same modules, owners, hashes and creation times");
	is($node->safe_psql($db, $exports_q),
		$expected{$exports_q}, "$db: same exports");
	is($node->safe_psql($db, $functions_q),
		$expected{$functions_q}, "$db: same wasm functions, owners and bodies");
	for my $t (sort keys %rows_q)
	{
		is($node->safe_psql($db, $rows_q{$t}),
			$expected{ $rows_q{$t} }, "$db: every row of $t, same contents");
	}
	is($node->safe_psql($db, $indexes_q),
		$expected{$indexes_q}, "$db: same indexes, all valid");
	is($node->safe_psql($db, $use_q),
		$expected{$use_q}, "$db: functions, indexes and views work");
	is($node->safe_psql($db, q{SELECT count(*) FROM wasm.modules}),
		'3', "$db: no duplicated modules");

	# The constraints still hold and are still checked.
	my ($ret, $out, $err) =
	  $node->psql($db, q{INSERT INTO chk VALUES (0, 'K')});
	like($err, qr/violates check constraint/, "$db: the wasm CHECK constraint is enforced");
	($ret, $out, $err) = $node->psql($db, q{SELECT 'X'::rot_text});
	like($err, qr/violates check constraint/, "$db: the wasm domain CHECK is enforced");

	# The restored catalog is a working one: replace and drop still behave.
	$node->safe_psql($db,
		"SELECT wasm.install_module('version', " . wat_bytea($fixtures, 'version2') . ", replace => true)");
	is($node->safe_psql($db, 'SELECT mod_version(), label()'),
		'2|two', "$db: a module can be replaced after restore");
	($ret, $out, $err) =
	  $node->psql($db, "SELECT wasm.drop_module('version')");
	isnt($ret, 0, "$db: drop of a referenced module is refused");
	like($err, qr/mod_version|label/, "$db: the refusal names a dependent function");
	($ret, $out, $err) = $node->psql($db, 'SET ROLE alice; ' .
		"SELECT wasm.install_module('version', " . wat_bytea($fixtures, 'version1') . ", replace => true)");
	like($err, qr/must be owner of wasm module "version"/,
		"$db: alice cannot replace the superuser's module");
	is($node->safe_psql($db, 'SET ROLE alice; ' .
		"SELECT wasm.install_module('strings', " . wat_bytea($fixtures, 'strings') . ", replace => true) IS NOT NULL"),
		't', "$db: alice still owns hers and may replace it");
}

# The source database is untouched by all this.
is($node->safe_psql('src', 'SELECT mod_version(), label()'),
	'1|one', 'source database still has version 1');

$node->stop;
done_testing();
