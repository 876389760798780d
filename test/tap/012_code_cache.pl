# test/tap/012_code_cache.pl — the native tier's code cache on disk
# (src/codecache.c, docs/runtime.md "code cache"): machine code one backend
# compiled is linked by the next backend instead of compiled again.
#
# * A backend compiles the module (eagerly: pgwasm.jit_call_threshold = 0)
#   and its object file appears under $PGDATA/pgwasm_code_cache/<sha256>/;
#   a new backend takes it from there (wasm.jit_stats(): a hit, no compile
#   batch) with the same results, and links it without loading the back end
#   (state 'not loaded' on x86-64).
# * A damaged file (one byte flipped, same length) is rejected, the module
#   compiled again, the file written again and the results right.
# * Replacing the module removes its directory; the new version's results
#   are the new ones, from new machine code.  Dropping it removes the
#   directory too.
# * Four backends compiling the same module at once all compute the right
#   results, and the file they leave is a good one.
# * The time of the first call in a new backend, cache cold and warm, is
#   printed (not asserted: the machine is shared).
# * The bound (pgwasm.jit_code_cache_size): the usage file counts what is
#   there; a write past the bound evicts the least recently used entries (a
#   hit makes an entry recent) down to three quarters of it, with their
#   emptied directories; an entry larger than the bound is not kept; the
#   time of a write that scans 2000 entries is printed; four backends
#   compiling twelve modules with room for four keep the bound, with right
#   results and no error.
# * DROP EXTENSION pgwasm removes the entries of the database's modules at
#   commit (not on rollback, not for another extension); another database's
#   module keeps its entry, and one both had is compiled again there.
# * A hot standby uses the entries pg_basebackup copied, compiles and caches
#   modules that arrive through WAL in its own directory, tiers a loop up,
#   and keeps its own bound.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use POSIX ();
use File::Path ();

use lib dirname(abs_path(__FILE__));
use PgwasmTap;

my $fixtures = dirname(abs_path(__FILE__));

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};

my $node = PostgreSQL::Test::Cluster->new('codecache');
$node->init;
$node->append_conf('postgresql.conf', "pgwasm.jit_call_threshold = 0\njit = off\n");
$node->start;

skip_without_native_tier($node);

my $cachedir = $node->data_dir . '/pgwasm_code_cache';

my $sha1 = install_cc($node, $fixtures);

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
# ... and links it without loading the back end (and libLLVM) at all, where
# the engine links cached units itself (x86-64: runtime/objload.c)
{
	my $out = $node->safe_psql('postgres',
		"$calls; SELECT state, functions > 0, cache_hits FROM wasm.jit_stats()");
	my ($res, $jit) = split /\n/, $out;
	is($res, '1498500|6765|1', 'warm backend: right results');
	my $want = (POSIX::uname())[4] eq 'x86_64' ? 'not loaded' : 'loaded';
	is($jit, "$want|t|1", "warm backend: native code from the cache, back end $want");
}

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
our @kids;
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

# ---- what a replace cannot remove is left quietly -------------------------------
# Under load (102_load.pl) a backend still compiling the old version can
# store into its directory while a replace removes it; rmtree then sent a
# WARNING to the client.  The same end, deterministically: an entry the
# server cannot remove (a read-only subdirectory with a file in it).
is(install_cc($node, $fixtures, 1), $sha1, 'installed again: the same SHA-256');
backend();
is(scalar(files($sha1)), 1, 'its object file is back');
mkdir "$cachedir/$sha1/stuck" or die "mkdir: $!";
append_to_file("$cachedir/$sha1/stuck/file", 'x');
chmod 0555, "$cachedir/$sha1/stuck" or die "chmod: $!";
my ($rc, $out, $err) = $node->psql('postgres',
	"SELECT wasm.install_module('cc', " . wat_bytea($fixtures, 'codecache2') . ", replace => true)");
is($rc, 0, 'replace with an entry it cannot remove: succeeds');
is($out, $sha2, '... installs the new version');
is($err, '', '... and says nothing to the client') or diag($err);
is(scalar(files($sha1)), 0, "... after removing the old version's object file");
chmod 0755, "$cachedir/$sha1/stuck";
File::Path::rmtree("$cachedir/$sha1");
$node->safe_psql('postgres', q{SELECT wasm.drop_module('cc', cascade => true)});

# ---- the bound: least recently used entries go ------------------------------------
# Variants of one module (k(n) = k * (0 + 1 + ... + n-1)), each its own
# SHA-256, directory and object file of about the same size.
sub variant
{
	my ($k) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir();
	open my $fh, '>', "$dir/v$k.wat" or die "cannot write $dir/v$k.wat: $!";
	print $fh "(module\n";
	# k and eleven more like it (the object file then has a few kB)
	for my $f ('k', map { "f$_" } 1 .. 11)
	{
		print $fh qq{(func (export "$f") (param \$n i32) (result i32) (local \$i i32) (local \$s i32)
  (block \$done (loop \$next
    (br_if \$done (i32.ge_s (local.get \$i) (local.get \$n)))
    (local.set \$s (i32.add (local.get \$s) (i32.mul (local.get \$i) (i32.const $k))))
    (local.set \$i (i32.add (local.get \$i) (i32.const 1)))
    (br \$next)))
  (local.get \$s))
};
	}
	print $fh ")\n";
	close $fh;
	return wat_bytea($dir, "v$k");
}

my %vsha;
sub install_variant
{
	my ($db, $k) = @_;
	$vsha{$k} = $node->safe_psql($db, "SELECT wasm.install_module('v$k', " . variant($k) . ")");
	$node->safe_psql($db, "CREATE FUNCTION v$k(int4) RETURNS int4 LANGUAGE wasm AS 'v$k:k'");
}

# v$k(100) in a new backend: its result and its tier's counters.
sub call_variant
{
	my ($k, $db) = @_;
	my $out = $node->safe_psql($db // 'postgres', "SELECT v$k(100); $stats");
	my ($res, $st) = split /\n/, $out;
	is($res, 4950 * $k, "v$k: right result");
	return $st;
}

# Bytes of all object files in the cache; the usage file's count.
sub cache_total
{
	my $t = 0;
	opendir my $d, $cachedir or return 0;
	for my $m (grep { /^[0-9a-f]{64}$/ } readdir $d)
	{
		$t += -s $_ for files($m);
	}
	closedir $d;
	return $t;
}

sub usage
{
	my $u = slurp_file("$cachedir/usage");
	chomp $u;
	return $u + 0;
}

sub set_bound
{
	my ($kb) = @_;
	$node->append_conf('postgresql.conf', "pgwasm.jit_code_cache_size = $kb\n");
	$node->reload;
	# the postmaster has read it when a new backend sees it
	for my $try (1 .. 100)
	{
		return if $node->safe_psql('postgres',
			"LOAD 'pgwasm'; SELECT setting FROM pg_settings WHERE name = 'pgwasm.jit_code_cache_size'") eq $kb;
		Time::HiRes::sleep(0.1);
	}
	die "pgwasm.jit_code_cache_size = $kb not applied";
}

set_bound(0);
unlink "$cachedir/usage";
install_variant('postgres', $_) for 1 .. 6;
is(call_variant($_), '1|0|1|0', "v$_ compiled") for 1 .. 4;
my %vfile = map { $_ => (files($vsha{$_}))[0] } 1 .. 4;
ok((grep { defined $vfile{$_} && -s $vfile{$_} > 2048 } 1 .. 4) == 4, 'one object file per variant, over 2 kB each');
my $T = cache_total();
note('object files of the variants: ' . join(', ', map { -s $vfile{$_} } 1 .. 4) . ' bytes');
is(usage(), $T, 'the usage file, counted afresh when missing, is what the directory holds');

# Ages: v1 oldest, then v2, v3, v4; then v1 is used, which makes it the newest.
my $now = time;
utime $now - 3600 * (5 - $_), $now - 3600 * (5 - $_), $vfile{$_} for 1 .. 4;
is(call_variant(1), '0|1|0|0', 'v1 from the cache');
cmp_ok((stat $vfile{1})[9], '>=', $now - 60, 'a hit moves the entry\'s mtime forward');

# A bound the four fit in, with half an entry to spare: writing v5 passes
# it, and the oldest entries go until three quarters of it are left.
my $L = int(($T + $T / 8) / 1024);
set_bound($L);
is(call_variant(5), '1|0|1|0', "v5 compiled with pgwasm.jit_code_cache_size = ${L}kB");
ok(!-e "$cachedir/$vsha{2}" && !-e "$cachedir/$vsha{3}",
	'the two least recently used entries were evicted, with their directories');
ok(-e $vfile{1} && -e $vfile{4} && scalar(files($vsha{5})) == 1,
	'v1 (used recently), v4 and v5 (newest) are kept');
cmp_ok(cache_total(), '<=', $L * 1024 * 3 / 4, 'the directory is down to three quarters of the bound');
is(usage(), cache_total(), '... and the usage file says so');
is(call_variant(2), '1|0|1|0', 'an evicted entry is compiled again');

# An entry bigger than the whole bound is not written.
set_bound(1);
is(call_variant(6), '1|0|1|0', 'v6 compiled with a bound of 1 kB');
ok(!-e "$cachedir/$vsha{6}", 'an entry larger than the bound is not kept');

# ---- the cost of a scan (printed) ---------------------------------------------------
# 2000 old entries of 4 kB, 100 in each of 20 module directories (8 MB),
# then a write that has to count them (no usage file), once keeping
# everything and once with a 6 MB bound.
my @fake;
for my $i (1 .. 20)
{
	my $d = sprintf('%s/%064x', $cachedir, $i);
	mkdir $d or die "mkdir $d: $!";
	for my $j (1 .. 100)
	{
		open my $fh, ">", sprintf("%s/%012x.o", $d, $j) or die;
		print $fh 'x' x 4096;
		close $fh;
		utime $now - 86400, $now - 86400, sprintf("%s/%012x.o", $d, $j);
	}
	push @fake, $d;
}
# a file of another layout (a name too long for pg_basebackup's tar format)
my $foreign = "$cachedir/$vsha{1}/f0_3_756241e1be8c9396-6a3a47a18034b734.o";
{
	open my $fh, '>', $foreign or die "cannot write $foreign: $!";
	print $fh 'x' x 100;
	close $fh;
}
my %scan;
for my $case ([ 'no eviction', 0 ], [ 'evicting to 4.5 MB', 6144 ])
{
	my ($name, $bound) = @$case;
	set_bound($bound);
	unlink "$cachedir/usage", files($vsha{2});
	my $from = -s $node->logfile;
	$node->safe_psql('postgres', 'SET log_min_messages = debug1; SELECT v2(100)');
	my $log = slurp_file($node->logfile, $from);
	my ($n, $ms, $ev) = $log =~ /pgwasm code cache: scanned (\d+) entries in ([\d.]+) ms: \d+ bytes kept, (\d+) evicted/;
	ok(defined $n && $n >= 2000, "scan ($name): every entry counted");
	$scan{$name} = sprintf('%d entries in %.2f ms, %d evicted', $n // 0, $ms // 0, $ev // 0);
}
diag("write that scans the cache: $_: $scan{$_}") for sort keys %scan;
ok(!-e $foreign, 'a scan removes a file that is not an entry');
cmp_ok(cache_total(), '<=', 6 * 1024 * 1024 * 3 / 4, 'a 6 MB bound: at most 4.5 MB left');
ok(-e $vfile{1} && -e $vfile{4} && scalar(files($vsha{5})) == 1 && scalar(files($vsha{2})) == 1,
	'the (older) fake entries went first');
ok(scalar(grep { !-e $_ } @fake) >= 5, 'module directories emptied by eviction are removed');
File::Path::rmtree($_) for @fake;

# ---- bounded, and four backends at once ---------------------------------------------
# Twelve modules compiled by four backends with room for about four: they
# write, evict and read under each other; every result right, no error,
# the bound kept.
install_variant('postgres', $_) for 7 .. 18;
set_bound(int($T / 4 * 4.5 / 1024));
@kids = ();
for my $k (1 .. 4)
{
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		my @mine = map { 4 + 3 * $k + $_ } 0 .. 2;
		my $sql = 'SELECT ' . join(', ', map { "v$_(100)" } @mine);
		my $out = '';
		$out .= $node->safe_psql('postgres', $sql) . "\n" for 1 .. 3;
		open my $fh, '>', "$PostgreSQL::Test::Utils::tmp_check/ccb_$k" or die;
		print $fh $out;
		close $fh;
		POSIX::_exit(0);
	}
	push @kids, $pid;
}
waitpid $_, 0 for @kids;
for my $k (1 .. 4)
{
	my $want = join('|', map { 4950 * (4 + 3 * $k + $_) } 0 .. 2);
	is(slurp_file("$PostgreSQL::Test::Utils::tmp_check/ccb_$k"), "$want\n" x 3,
		"bounded, concurrent backend $k: right results");
}
cmp_ok(cache_total(), '<=', int($T / 4 * 4.5 / 1024) * 1024, 'the bound held');
cmp_ok(usage(), '>=', cache_total(), 'the usage count never understates the directory');
ok(!grep({ m{/tmp\.} } glob("$cachedir/*")), 'no temporary file left');
# pg_basebackup sends $PGDATA as tar: a path over 99 bytes fails it
my @long = grep { length(substr($_, length($node->data_dir) + 1)) > 99 } glob("$cachedir/*/*");
is(scalar(@long), 0, 'every path under pgwasm_code_cache fits in a tar header') or diag(join("\n", @long));
unlike(slurp_file($node->logfile), qr/(ERROR|WARNING):.*pgwasm_code_cache/, 'no error or warning about the cache');

# ---- DROP EXTENSION ---------------------------------------------------------------------
# The cache is per cluster, keyed by the module's bytes: a database that
# has v1 too (same SHA-256) and v19 (only there).
set_bound(0);
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', 'CREATE EXTENSION pgwasm');
install_variant('other', $_) for 1, 19;
call_variant(1, 'postgres');
call_variant($_, 'other') for 1, 19;
my @ours = grep { -e "$cachedir/$vsha{$_}" } 1 .. 18;
ok(scalar(@ours) >= 2, 'entries of the modules of database postgres: ' . scalar(@ours));
$node->safe_psql('postgres', 'DROP EXTENSION IF EXISTS no_such_extension');
$node->safe_psql('postgres', 'BEGIN; DROP EXTENSION pgwasm CASCADE; ROLLBACK');
$node->safe_psql('postgres',
	'BEGIN; SAVEPOINT s; DROP EXTENSION pgwasm CASCADE; ROLLBACK TO s; COMMIT');
ok(!grep({ !-e "$cachedir/$vsha{$_}" } @ours),
	'another extension\'s drop, a rolled back drop, a drop rolled back to a savepoint: entries kept');
$node->safe_psql('postgres', 'SET client_min_messages = warning; DROP EXTENSION pgwasm CASCADE');
ok(!grep({ -e "$cachedir/$vsha{$_}" } @ours), 'DROP EXTENSION pgwasm removed the entries of the database\'s modules');
ok(-e "$cachedir/$vsha{19}", 'another database\'s module keeps its entry');
is(call_variant(1, 'other'), '1|0|1|0', 'a module both databases had is compiled again there');
is(call_variant(19, 'other'), '0|1|0|0', 'the other module is still a hit');
$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');

# ---- off ------------------------------------------------------------------------------
install_cc($node, $fixtures, 1);
$node->append_conf('postgresql.conf', "pgwasm.jit_code_cache = off\n");
$node->reload;
($r, $st) = backend();
is($r, '1498500|6765|1', 'pgwasm.jit_code_cache = off: right results');
is($st, '1|0|0|0', 'off: compiled, the cache not consulted');
ok(!-e "$cachedir/$sha1", 'off: nothing written');

$node->stop;

# ---- a hot standby ----------------------------------------------------------------------
# The cache is not WAL-logged: a standby has its own directory, which
# pg_basebackup copied from the primary.  Entries are keyed by CPU and back
# end and checked on load, so the copy is used (same machine here); modules
# that arrive through WAL are compiled on the standby and cached there;
# tier-up by loop (on-stack replacement) and the bound work the same.
my $primary = PostgreSQL::Test::Cluster->new('cc_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "pgwasm.jit_call_threshold = 0\njit = off\n");
$primary->start;
my $psha1 = install_cc($primary, $fixtures);
is($primary->safe_psql('postgres', "$calls; $stats"), "1498500|6765|1\n1|0|1|0", 'primary: compiled and cached');
$primary->backup('ccbase');
my $standby = PostgreSQL::Test::Cluster->new('cc_standby');
$standby->init_from_backup($primary, 'ccbase', has_streaming => 1);
$standby->start;
my $scache = $standby->data_dir . '/pgwasm_code_cache';
ok(-d "$scache/$psha1", 'pg_basebackup copied the code cache');
is($standby->safe_psql('postgres', "$calls; $stats"), "1498500|6765|1\n0|1|0|0",
	'standby: the copied entry is used (a hit), right results');

my $psha2 = install_cc($primary, $fixtures, 1, 2);
$primary->wait_for_catchup($standby);
my $calls2 = 'SELECT work2(1000), fib2(20)';
is($standby->safe_psql('postgres', "$calls2; $stats"), "2497500|6765\n1|0|1|0",
	'standby: a module from WAL is compiled there, right results');
ok(-d "$scache/$psha2" && !-e $primary->data_dir . "/pgwasm_code_cache/$psha2",
	'... and cached in the standby\'s directory only');
is($standby->safe_psql('postgres', "$calls2; $stats"), "2497500|6765\n0|1|0|0",
	'standby: the next backend hits');
my $osr = $standby->safe_psql('postgres', q{
	SET pgwasm.jit_call_threshold = -1;
	SET pgwasm.jit_loop_threshold = 1000;
	SELECT work2(20000);
	SELECT osr_entries > 0 FROM wasm.jit_stats()});
is($osr, "999950000\nt", 'standby: a loop tiers up (on-stack replacement), right result');

$standby->append_conf('postgresql.conf', "pgwasm.jit_code_cache_size = 1\n");
$standby->reload;
$standby->poll_query_until('postgres', "SELECT current_setting('pgwasm.jit_code_cache_size', true) = '1'")
  or die 'the standby did not read pgwasm.jit_code_cache_size';
File::Path::rmtree($scache);
is($standby->safe_psql('postgres', "$calls2; $stats"), "2497500|6765\n1|0|1|0",
	'standby, bound of 1 kB: compiled, right results');
ok(!-e "$scache/$psha2", '... and nothing kept');
unlike(slurp_file($standby->logfile), qr/ERROR|WARNING/, 'no error or warning on the standby');

$standby->stop;
$primary->stop;
done_testing();
