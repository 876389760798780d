# test/tap/003_replica.pl — modules reach a streaming replica through WAL,
# and replacing or dropping a module on the primary invalidates what a
# standby session has cached.
#
# A module is a function, wasm_module."<name>"(), so it replicates like any
# catalog row; the per-backend module cache is invalidated through the
# pg_proc invalidation messages, which a hot standby replays from the commit
# records.
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


my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# ---- install on the primary, call on the standby -------------------------------
$primary->safe_psql('postgres',
	"SELECT wasm.install_module('version', " . wat_bytea($fixtures, 'version1') . ")");
$primary->safe_psql(
	'postgres', q{
	CREATE FUNCTION mod_version() RETURNS int4 LANGUAGE wasm AS 'version:version';
	CREATE FUNCTION label() RETURNS text LANGUAGE wasm AS 'version:label';
});
$primary->wait_for_catchup($standby);

my $catalog_q = 'SELECT name, sha256, size FROM wasm.modules ORDER BY name';
is($standby->safe_psql('postgres', $catalog_q),
	$primary->safe_psql('postgres', $catalog_q),
	'the standby has the module catalog of the primary');
is($standby->safe_psql('postgres', 'SELECT mod_version(), label()'),
	'1|one', 'a module installed on the primary runs on the standby');

# A standby session that has the module compiled and cached.
my $s = $standby->background_psql('postgres', on_error_stop => 0);
is($s->query_safe('SELECT mod_version(), label()'),
	'1|one', 'standby session caches version 1');
my $pid = $s->query_safe('SELECT pg_backend_pid()');

# ---- the standby is read-only ------------------------------------------------------
my ($ret, $out, $err) = $standby->psql('postgres',
	"SELECT wasm.install_module('other', " . wat_bytea($fixtures, 'version2') . ")");
isnt($ret, 0, 'install_module fails on the standby');
like($err, qr/read-only transaction|recovery/, '... because the standby is read-only');

# ---- replace on the primary -------------------------------------------------------
$primary->safe_psql('postgres',
	"SELECT wasm.install_module('version', " . wat_bytea($fixtures, 'version2') . ", replace => true)");
$primary->wait_for_catchup($standby);

is($s->query_safe('SELECT mod_version(), label(), pg_backend_pid()'),
	"2|two|$pid",
	'the cached standby session sees the replaced module (invalidation replayed from WAL)');
is($standby->safe_psql('postgres', 'SELECT mod_version(), label()'),
	'2|two', 'a new standby session sees the replaced module');
is($standby->safe_psql('postgres', $catalog_q),
	$primary->safe_psql('postgres', $catalog_q),
	'catalogs agree after the replacement');

# ---- drop on the primary ----------------------------------------------------------
$primary->safe_psql('postgres',
	"SELECT wasm.drop_module('version', cascade => true)");
$primary->wait_for_catchup($standby);

$s->{stderr} = '';
$s->query('SELECT mod_version()');
like($s->{stderr}, qr/function mod_version\(\) does not exist/,
	'after a cascaded drop the standby session gets a clean error');
$s->{stderr} = '';
is($s->query_safe('SELECT pg_backend_pid()'), $pid, 'and still answers');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM wasm.modules'),
	'0', 'the module is gone from the standby catalog');
$s->quit;

$standby->stop;
$primary->stop;
done_testing();
