# test/tap/013_jit_preload.pl — pgwasm.jit_preload (src/jit.c): with pgwasm
# in shared_preload_libraries the postmaster loads and initialises the
# native tier's back end once, and every backend it forks has it ready.
#
# * Preload on: a backend that has run no WebAssembly yet already has
#   libLLVM mapped and wasm.jit_stats() says "loaded", with nothing compiled;
#   functions compile (a first backend) and come from the code cache (the
#   next) with the right results; a parallel worker computes them too.
# * Preload off (the default): a new backend has no libLLVM until its first
#   tier-up; with every unit in the code cache it never loads it (x86-64:
#   the engine links cached objects itself), with the cache empty it is
#   "loaded" after the tier-up; the same results either way.
# * Preload on with a back end that cannot be loaded: the server starts,
#   backends say "unavailable" and run every function interpreted, right.
# * The time of the first hot call in a new backend (code cache warm), with
#   and without preload, is printed (not asserted: the machine is shared).
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

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pgwasm'\npgwasm.jit_preload = on\npgwasm.jit_call_threshold = 0\njit = off\n");
$node->start;

skip_without_native_tier($node);

install_cc($node, $fixtures);
$node->safe_psql(
	'postgres', q{
	CREATE TABLE nums AS SELECT i FROM generate_series(1, 40000) i;
	ALTER TABLE nums SET (parallel_workers = 2);
	ANALYZE nums;
});

# A new backend: whether it maps libLLVM and its tier state before any
# call, then results, time, what the tier did, and libLLVM again.
sub llvm_mapped
{
	return backend_maps($_[0])->{llvm} ? 1 : 0;
}

sub fresh_backend
{
	my $s = $node->background_psql('postgres');
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	chomp $pid;
	my %r;
	$r{mapped_before} = llvm_mapped($pid);
	$r{state_before} = $s->query_safe(q{SELECT state || '|' || functions || '|' || batches FROM wasm.jit_stats()});
	my $t0 = time;
	$r{results} = $s->query_safe('SELECT work(1000) || \'|\' || fib(20) || \'|\' || cc_version()');
	$r{ms} = (time - $t0) * 1000;
	$r{stats} = $s->query_safe(q{SELECT state || '|' || functions || '|' || cache_hits FROM wasm.jit_stats()});
	$r{mapped_after} = llvm_mapped($pid);
	$s->quit;
	chomp $r{$_} for qw(state_before results stats);
	return \%r;
}

# ---- preload on ----------------------------------------------------------------
my $r = fresh_backend();
is($r->{mapped_before}, 1, 'preload: libLLVM is mapped before the first WebAssembly call');
is($r->{state_before}, 'loaded|0|0', 'preload: wasm.jit_stats() says loaded, nothing compiled');
is($r->{results}, '1498500|6765|1', 'preload: compiled functions, right results');
like($r->{stats}, qr/^loaded\|3\|/, 'preload: the three functions are native');
$r = fresh_backend();
is($r->{results}, '1498500|6765|1', 'preload: from the code cache, right results');
is($r->{stats}, 'loaded|3|1', 'preload: a new backend links the cached object');
my $warm_preload = $r->{ms};

# A parallel worker is forked by the postmaster as well.
my $par = $node->safe_psql(
	'postgres', q{
	SET max_parallel_workers_per_gather = 2;
	SET parallel_setup_cost = 0;
	SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0;
	SELECT sum(work(i % 100)) FROM nums;
});
is($par, '194040000', 'preload: parallel workers compute the same');

# ---- preload off ------------------------------------------------------------------
$node->append_conf('postgresql.conf', "pgwasm.jit_preload = off\n");
$node->restart;
$r = fresh_backend();
is($r->{mapped_before}, 0, 'no preload: a new backend has no libLLVM before its first tier-up');
is($r->{state_before}, 'not loaded|0|0', 'no preload: wasm.jit_stats() says not loaded');
is($r->{results}, '1498500|6765|1', 'no preload: right results');
# Every unit is in the code cache: where the engine links cached objects
# itself (x86-64, runtime/objload.c) the back end is never loaded.
my $engine_links = (POSIX::uname())[4] eq 'x86_64';
if ($engine_links)
{
	is($r->{stats}, 'not loaded|3|1', 'no preload: the cached object linked without the back end');
	is($r->{mapped_after}, 0, 'no preload: no libLLVM after the tier-up from the cache');
}
else
{
	is($r->{stats}, 'loaded|3|1', 'no preload: loaded at the first tier-up, cached object linked');
	is($r->{mapped_after}, 1, 'no preload: libLLVM mapped after the tier-up');
}
my $warm_plain = $r->{ms};
diag(sprintf('first hot call in a new backend, code cache warm: %.1f ms with pgwasm.jit_preload, %.1f ms without',
		$warm_preload, $warm_plain));

# Nothing cached: the first tier-up loads the back end and compiles.
File::Path::remove_tree($node->data_dir . '/pgwasm_code_cache');
$r = fresh_backend();
is($r->{results}, '1498500|6765|1', 'no preload, cache empty: right results');
is($r->{stats}, 'loaded|3|0', 'no preload, cache empty: loaded at the first tier-up, compiled');
is($r->{mapped_after}, 1, 'no preload, cache empty: libLLVM mapped after the tier-up');

# ---- preload on, back end missing ---------------------------------------------------
$node->append_conf('postgresql.conf',
	"pgwasm.jit_preload = on\npgwasm.jit = on\npgwasm.jit_library = '/nonexistent/wasmrt-llvm.so'\n");
$node->restart;
$r = fresh_backend();
is($r->{mapped_before}, 0, 'missing back end: nothing mapped');
like($r->{state_before}, qr/^unavailable\|0\|0$/, 'missing back end: backends say unavailable');
is($r->{results}, '1498500|6765|1', 'missing back end: interpreted, right results');
like(slurp_file($node->logfile), qr/native tier unavailable.*nonexistent/,
	'missing back end: the postmaster logged why');

$node->stop;
done_testing();
