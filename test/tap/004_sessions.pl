# test/tap/004_sessions.pl — a module cached in one session is replaced or
# dropped in another: the first session sees the new version, or a clean
# error, on its next call, without reconnecting.
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


my $v1 = wat_bytea($fixtures, 'version1');
my $v2 = wat_bytea($fixtures, 'version2');

my $node = PostgreSQL::Test::Cluster->new('sessions');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql('postgres', "SELECT wasm.install_module('version', $v1)");
my $create_functions = q{
	CREATE FUNCTION mod_version() RETURNS int4 LANGUAGE wasm AS 'version:version';
	CREATE FUNCTION label() RETURNS text LANGUAGE wasm AS 'version:label';
};
$node->safe_psql('postgres', $create_functions);
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

my $sa = $node->background_psql('postgres', on_error_stop => 0);
my $sb = $node->background_psql('postgres', on_error_stop => 0);
# query_safe() treats anything on stderr as a failure: keep NOTICEs quiet.
$sa->query_safe('SET client_min_messages = warning');
$sb->query_safe('SET client_min_messages = warning');
my $pid = $sa->query_safe('SELECT pg_backend_pid()');

# Run $sql in session $s, expecting an error matching $re.
sub fails_like
{
	my ($s, $sql, $re, $name) = @_;
	$s->{stderr} = '';
	$s->query($sql);
	like($s->{stderr}, $re, $name);
	$s->{stderr} = '';
}

# ---- A caches version 1 ---------------------------------------------------------
is($sa->query_safe('SELECT mod_version(), label()'), '1|one', 'A: version 1');
$sa->query_safe('PREPARE v AS SELECT mod_version(), label()');
is($sa->query_safe('EXECUTE v'), '1|one', 'A: prepared statement, version 1');

# ---- a replacement rolled back is invisible -----------------------------------------
$sb->query_safe(
	"BEGIN; SELECT wasm.install_module('version', $v2, replace => true); ROLLBACK");
is($sa->query_safe('SELECT mod_version(), label()'),
	'1|one', 'A: a replacement rolled back in B changes nothing');
is($sb->query_safe('SELECT mod_version(), label()'),
	'1|one', 'B: nor for B itself');

# ---- B replaces: A sees version 2 -------------------------------------------------
$sb->query_safe("SELECT wasm.install_module('version', $v2, replace => true)");
is($sa->query_safe('SELECT mod_version(), label(), pg_backend_pid()'),
	"2|two|$pid", 'A: sees version 2 after B replaced the module');
is($sa->query_safe('EXECUTE v'), '2|two', 'A: the prepared statement too');

# ---- installing without replace is refused and changes nothing -----------------------
fails_like($sb, "SELECT wasm.install_module('version', $v1)",
	qr/already exists/, 'B: a second install without replace is refused');
is($sa->query_safe('SELECT mod_version()'), '2', 'A: still version 2');

# ---- B replaces inside a transaction A is in the middle of ----------------------------
$sa->query_safe('BEGIN');
is($sa->query_safe('SELECT mod_version()'), '2', 'A: version 2 inside a transaction');
$sb->query_safe("SELECT wasm.install_module('version', $v1, replace => true)");
like($sa->query_safe('SELECT mod_version()'), qr/^[12]$/,
	'A: the next statement of the open transaction runs one version or the other');
$sa->query_safe('COMMIT');
is($sa->query_safe('SELECT mod_version(), label()'),
	'1|one', 'A: version 1 after its transaction ends');

# ---- drop: refused while referenced, then cascaded ------------------------------------
fails_like($sb, "SELECT wasm.drop_module('version')",
	qr/mod_version|label/, 'B: dropping a referenced module is refused, naming a function');
is($sa->query_safe('SELECT mod_version()'), '1', 'A: unaffected by the refused drop');

$sb->query_safe("SELECT wasm.drop_module('version', cascade => true)");
fails_like($sa, 'SELECT mod_version()', qr/function mod_version\(\) does not exist/,
	'A: clean error after B dropped the module with its functions');
fails_like($sa, 'EXECUTE v', qr/does not exist/,
	'A: clean error from the prepared statement too');
is($sa->query_safe('SELECT pg_backend_pid()'), $pid, 'A: the same backend still answers');

# ---- reinstall under the same name ------------------------------------------------------
$sb->query_safe("SELECT wasm.install_module('version', $v2)");
$sb->query_safe($create_functions);
is($sa->query_safe('SELECT mod_version(), label()'),
	'2|two', 'A: sees the reinstalled module and recreated functions');

# ---- drop while A holds an open transaction that used the module ------------------------
$sa->query_safe('BEGIN');
is($sa->query_safe('SELECT label()'), 'two', 'A: uses the module in a transaction');
$sb->query_safe("SELECT wasm.drop_module('version', cascade => true)");
fails_like($sa, 'SELECT label()', qr/does not exist/,
	'A: clean error on the next call after the drop');
$sa->query_safe('ROLLBACK');
is($sa->query_safe('SELECT 1'), '1', 'A: answers after ROLLBACK');

$sa->quit;
$sb->quit;

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster did not restart');
$node->stop;
done_testing();
