# test/tap/010_declared.pl — functions a module declares (its custom
# section pgwasm_functions, wasm.create_functions), a trigger among them,
# and what uses them (a table with that trigger, a materialized view over a
# set-returning function) survive pg_dump and restore, plain and custom
# format: the functions come back as ordinary LANGUAGE wasm functions, the
# trigger fires, the view's rows are rebuilt from the module.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = abs_path(dirname(abs_path(__FILE__)) . '/../..');
my $clang = `command -v clang-14 || command -v clang`;
chomp $clang;
plan skip_all => 'clang is not in PATH' unless $clang;

my $dir = PostgreSQL::Test::Utils::tempdir();
my $wasm = "$dir/logsplit.wasm";
system_or_bail($clang, '--target=wasm32-wasi', '-O2', '-mexec-model=reactor',
	'-Wl,--strip-debug', "-I$root/examples/c", '-o', $wasm, "$root/examples/c/logsplit.c");
my $bytes = do { open my $fh, '<:raw', $wasm or die $!; local $/; <$fh> };
my $module = "'\\x" . unpack('H*', $bytes) . "'::bytea";

my $node = PostgreSQL::Test::Cluster->new('declared');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION pgwasm');
$node->safe_psql('src', 'CREATE SCHEMA logs');
is($node->safe_psql('src',
		"SELECT wasm.install_module('logsplit', $module) IS NOT NULL;"
	  . " SELECT string_agg(f::text, ' ' ORDER BY f::text)"
	  . " FROM wasm.create_functions('logsplit', schema => 'logs', prefix => 'ls_') f"),
	"t\nlogs.ls_csv_fields(text) logs.ls_logs_normalize() logs.ls_parse_log(text)",
	'create_functions: three functions in schema logs');
$node->safe_psql('src', q{
	CREATE TABLE logs.entries (level text, message text);
	CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON logs.entries
		FOR EACH ROW EXECUTE FUNCTION logs.ls_logs_normalize();
	INSERT INTO logs.entries VALUES ('info', 'a'), ('debug', 'b'), ('error', 'c');
	CREATE MATERIALIZED VIEW logs.parsed AS
		SELECT * FROM logs.ls_parse_log(E'INFO one\nWARN two') ;
	CREATE VIEW logs.fields AS SELECT logs.ls_csv_fields('x,"y,z"') AS f;
});

# What must be the same on both sides.
my $state = q{
	SELECT string_agg(format('%s %s %s %s %s', p.oid::regprocedure, l.lanname, p.prosrc,
	                         p.proretset, p.proisstrict), E'\n' ORDER BY p.proname)
	  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	 WHERE p.pronamespace = 'logs'::regnamespace;
	SELECT string_agg(level || ':' || message, ' ' ORDER BY message) FROM logs.entries;
	SELECT string_agg(line_no || level || message, ' ' ORDER BY line_no) FROM logs.parsed;
	SELECT string_agg(f, '|') FROM logs.fields;
};
my $before = $node->safe_psql('src', $state);
like($before, qr/logs\.ls_parse_log\(text\) wasm logsplit:parse_log t t/, 'source state');
like($before, qr/INFO:a ERROR:c/, 'the trigger ran at the source');

$node->command_ok([ 'pg_dump', '-Fc', '-f', "$dir/src.dump", '-d', 'src' ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-Fp', '-f', "$dir/src.sql", '-d', 'src' ], 'pg_dump -Fp');
my $plain = slurp_file("$dir/src.sql");
like($plain, qr/CREATE FUNCTION logs\.ls_csv_fields\(line text\) RETURNS SETOF text\s+LANGUAGE wasm/,
	'the plain dump creates a declared function as any other');
like($plain, qr/CREATE TRIGGER "?normalize"? BEFORE INSERT OR UPDATE ON logs\.entries/,
	'the plain dump creates the trigger');

$node->safe_psql('postgres', 'CREATE DATABASE custom');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', 'custom', "$dir/src.dump" ],
	'pg_restore (custom format)');
$node->safe_psql('postgres', 'CREATE DATABASE plain');
$node->command_ok([ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-d', 'plain', '-f', "$dir/src.sql" ],
	'psql -f (plain format)');

for my $db (qw(custom plain))
{
	is($node->safe_psql($db, $state), $before, "$db: same functions, rows and views");
	$node->safe_psql($db, q{INSERT INTO logs.entries VALUES ('debug', 'dropped'), ('warn', 'kept')});
	is($node->safe_psql($db,
			q{SELECT string_agg(level || ':' || message, ' ' ORDER BY message) FROM logs.entries}),
		'INFO:a ERROR:c WARN:kept', "$db: the restored trigger fires");
	is($node->safe_psql($db, q{REFRESH MATERIALIZED VIEW logs.parsed; SELECT count(*) FROM logs.parsed}),
		'2', "$db: the materialized view refreshes from the module");
	is($node->safe_psql($db,
			q{SELECT count(*) FROM wasm.create_functions('logsplit', schema => 'logs', prefix => 'ls_', or_replace => true)}),
		'3', "$db: create_functions again, replacing");
}

$node->stop;
done_testing();
