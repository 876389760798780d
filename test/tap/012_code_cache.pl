# test/tap/012_code_cache.pl — the native tier's code cache on disk
# (src/codecache.c, docs/runtime.md "code cache"): machine code one backend
# compiled is linked by the next backend instead of compiled again.
#
# * A backend compiles the module (eagerly: pgwasm.jit_call_threshold = 0)
#   and its object file appears under $PGDATA/pgwasm_code_cache/<sha256>/;
#   a new backend takes it from there (wasm.jit_stats(): a hit, no compile
#   batch) with the same results.
# * A damaged file (one byte flipped, same length) is rejected, the module
#   compiled again, the file written again and the results right.
# * Replacing the module removes its directory; the new version's results
#   are the new ones, from new machine code.  Dropping it removes the
#   directory too.
# * Four backends compiling the same module at once all compute the right
#   results, and the file they leave is a good one.
# * The time of the first call in a new backend, cache cold and warm, is
#   printed (not asserted: the machine is shared).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use POSIX ();

use lib dirname(abs_path(__FILE__));
use PgwasmTap;

my $fixtures = dirname(abs_path(__FILE__));

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};

my $node = PostgreSQL::Test::Cluster->new('codecache');
$node->init;
$node->append_conf('postgresql.conf', "pgwasm.jit_call_threshold = 0\njit = off\n");
$node->start;

my $libdir = $node->safe_psql('postgres', q{SELECT setting FROM pg_config() WHERE name = 'PKGLIBDIR'});
plan skip_all => 'the native tier is not installed (pgwasm built without llvm-config-14)'
  unless -e "$libdir/wasmrt-llvm.so";

my $cachedir = $node->data_dir . '/pgwasm_code_cache';

$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
my $sha1 = $node->safe_psql('postgres',
	"SELECT wasm.install_module('cc', " . wat_bytea($fixtures, 'codecache1') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION work(int4) RETURNS int4 LANGUAGE wasm AS 'cc:work';
	CREATE FUNCTION fib(int4) RETURNS int4 LANGUAGE wasm AS 'cc:fib';
	CREATE FUNCTION cc_version() RETURNS int4 LANGUAGE wasm AS 'cc:version';
});

my $calls = 'SELECT work(1000), fib(20), cc_version()';
my $stats = 'SELECT batches, cache_hits, cache_misses, cache_rejects FROM wasm.jit_stats()';

# One new backend: the calls' results and then its tier's counters.
sub backend
{
	my $out = $node->safe_psql('postgres', "$calls; $stats");
	my ($results, $st) = split /\n/, $out;
	return ($results, $st);
}

sub files
{
	my ($sha) = @_;
	return () unless -d "$cachedir/$sha";
	opendir my $d, "$cachedir/$sha" or die "cannot read $cachedir/$sha: $!";
	my @f = sort grep { /\.o$/ } readdir $d;
	closedir $d;
	return map { "$cachedir/$sha/$_" } @f;
}

# ---- a miss, then a hit ---------------------------------------------------------
my ($r, $st) = backend();
is($r, '1498500|6765|1', 'compiled: right results');
is($st, '1|0|1|0', 'the first backend compiles (one batch, one miss)');
my @f = files($sha1);
is(scalar(@f), 1, "one object file under pgwasm_code_cache/<sha256>/");
($r, $st) = backend();
is($r, '1498500|6765|1', 'from the cache: same results');
is($st, '0|1|0|0', 'a new backend compiles nothing: one hit');

# ---- first hot call in a new backend, cold and warm (printed) ---------------------
my %ms;
for my $case (qw(cold warm))
{
	unlink files($sha1) if $case eq 'cold';
	my $s = $node->background_psql('postgres');
	my $t0 = time;
	$s->query_safe('SELECT fib(20)');
	$ms{$case} = (time - $t0) * 1000;
	$s->quit;
}
diag(sprintf('first call in a new backend: cache cold %.1f ms, warm %.1f ms', $ms{cold}, $ms{warm}));

# ---- a damaged file ---------------------------------------------------------------
@f = files($sha1);
is(scalar(@f), 1, 'the file is back after the cold run');
{
	open my $fh, '+<', $f[0] or die "cannot open $f[0]: $!";
	binmode $fh;
	my $size = -s $f[0];
	seek $fh, $size - 64, 0;
	read $fh, my $byte, 1;
	seek $fh, $size - 64, 0;
	print $fh chr(ord($byte) ^ 0x40);
	close $fh;
}
($r, $st) = backend();
is($r, '1498500|6765|1', 'damaged file: right results');
is($st, '1|0|0|1', 'damaged file: rejected and compiled');
($r, $st) = backend();
is($st, '0|1|0|0', 'the file was written again: the next backend hits');
is($r, '1498500|6765|1', '... with the right results');

# ---- replace, drop ---------------------------------------------------------------
my $sha2 = $node->safe_psql('postgres',
	"SELECT wasm.install_module('cc', " . wat_bytea($fixtures, 'codecache2') . ", replace => true)");
isnt($sha2, $sha1, 'the new version has another SHA-256');
ok(!-e "$cachedir/$sha1", 'replacing the module removed its directory');
($r, $st) = backend();
is($r, '2497500|6765|2', 'the new version runs (compiled)');
is($st, '1|0|1|0', 'the new version misses');
is(scalar(files($sha2)), 1, "the new version's object file");
($r, $st) = backend();
is($r, '2497500|6765|2', 'the new version from the cache');
is($st, '0|1|0|0', 'the new version hits');

# ---- four backends at once ---------------------------------------------------------
unlink files($sha2);
my @kids;
for my $k (1 .. 4)
{
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		my $out = $node->safe_psql('postgres', $calls);
		open my $fh, '>', "$PostgreSQL::Test::Utils::tmp_check/cc_$k" or die;
		print $fh $out;
		close $fh;
		POSIX::_exit(0);    # no END blocks: they would stop the node
	}
	push @kids, $pid;
}
waitpid $_, 0 for @kids;
for my $k (1 .. 4)
{
	my $f = "$PostgreSQL::Test::Utils::tmp_check/cc_$k";
	open my $fh, '<', $f or die "cannot read $f: $!";
	my $out = <$fh>;
	close $fh;
	is($out, '2497500|6765|2', "concurrent backend $k: right results");
}
($r, $st) = backend();
is($st, '0|1|0|0', 'after the concurrent compiles the file is good: a hit');
is($r, '2497500|6765|2', '... with the right results');

$node->safe_psql('postgres', q{SELECT wasm.drop_module('cc', cascade => true)});
ok(!-e "$cachedir/$sha2", 'dropping the module removed its directory');

# ---- off ------------------------------------------------------------------------------
$node->safe_psql('postgres',
	"SELECT wasm.install_module('cc', " . wat_bytea($fixtures, 'codecache1') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION work(int4) RETURNS int4 LANGUAGE wasm AS 'cc:work';
	CREATE FUNCTION fib(int4) RETURNS int4 LANGUAGE wasm AS 'cc:fib';
	CREATE FUNCTION cc_version() RETURNS int4 LANGUAGE wasm AS 'cc:version';
});
$node->append_conf('postgresql.conf', "pgwasm.jit_code_cache = off\n");
$node->reload;
($r, $st) = backend();
is($r, '1498500|6765|1', 'pgwasm.jit_code_cache = off: right results');
is($st, '1|0|0|0', 'off: compiled, the cache not consulted');
ok(!-e "$cachedir/$sha1", 'off: nothing written');

$node->stop;
done_testing();
