# test/tap/011_jit.pl — the native tier inside PostgreSQL, for what
# pg_regress (sql/jit.sql) cannot show:
#
# * libLLVM is mapped only by a backend that compiles: a backend that calls
#   wasm functions without tiering up has neither wasmrt-llvm.so nor libLLVM
#   in /proc/<pid>/maps; one that compiled has both, and the back end's
#   symbols resolved inside the backend (pgwasm.so is loaded RTLD_GLOBAL).
# * PostgreSQL's own JIT (llvmjit.so, the same libLLVM) and pgwasm's tier in
#   one backend, in either order.
# * A runaway loop in machine code is stopped by statement_timeout and
#   pg_cancel_backend, the same backend then runs wasm again.  Each stop is
#   timed and printed; as in 001_cancel.pl the assertion is a generous bound
#   ($bound seconds, a loaded CI machine must not fail it) while the target
#   of issue 12 is 50 ms: the figures are in the diagnostics.
# * The library missing (pgwasm.jit_library pointing at nothing): pgwasm.jit
#   is off by default; turned on, one WARNING per backend, and every result
#   is still right (interpreted); wasm.jit_stats() says why.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Path ();

use lib dirname(abs_path(__FILE__));
use PgwasmTap;
use Time::HiRes qw(time);

my $fixtures = dirname(abs_path(__FILE__));
my $bound    = 1.0;    # seconds

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};

my $node = PostgreSQL::Test::Cluster->new('jit');
$node->init;
$node->start;

skip_without_native_tier($node);

$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql('postgres',
	"SELECT wasm.install_module('spin', " . wat_bytea($fixtures, 'spin') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION spin() RETURNS int4 LANGUAGE wasm AS 'spin:spin';
	CREATE FUNCTION spin_calls() RETURNS int4 LANGUAGE wasm AS 'spin:spin_calls';
	CREATE FUNCTION answer() RETURNS int4 LANGUAGE wasm AS 'spin:answer';
	CREATE FUNCTION grow(int4) RETURNS int4 LANGUAGE wasm AS 'spin:grow';
});

my %figures;

# ---- a backend that never tiers up never maps LLVM ----------------------------
my $s = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $s->query_safe('SELECT pg_backend_pid()');
$s->query_safe('SET jit = off');    # PostgreSQL's own JIT, not ours
is($s->query_safe('SELECT sum(answer() + grow(0)) FROM generate_series(1, 100)'),
	'4300', 'wasm calls below the thresholds');
is($s->query_safe('SHOW pgwasm.jit'), 'on', 'pgwasm.jit is on by default where the library is installed');
my $m = backend_maps($pid);
ok(!$m->{tier} && !$m->{llvm}, 'a backend that never tiered up maps neither wasmrt-llvm.so nor libLLVM');
is($s->query_safe('SELECT state FROM wasm.jit_stats()'), 'not loaded', 'wasm.jit_stats(): not loaded');

# ---- the first tier-up loads it -------------------------------------------------
$s->query_safe('SET pgwasm.jit_call_threshold = 0');
is($s->query_safe('SELECT answer()'), '42', 'the module compiled before the call (threshold 0)');
$m = backend_maps($pid);
ok($m->{tier} && $m->{llvm}, 'after the first tier-up the backend maps wasmrt-llvm.so and libLLVM');
is($s->query_safe('SELECT state, functions, refused, failed FROM wasm.jit_stats()'),
	'loaded|6|0|0', 'wasm.jit_stats(): loaded, the six functions of the module compiled');

# ---- a runaway native loop: statement_timeout ------------------------------------
for my $fn (qw(spin spin_calls))
{
	my $timeout = 0.2;
	$s->query_safe("SET statement_timeout = '" . ($timeout * 1000) . "ms'");
	$s->{stderr} = '';
	my $t0 = time;
	$s->query("SELECT $fn()");
	my $late = time - $t0 - $timeout;
	like($s->{stderr}, qr/canceling statement due to statement timeout/,
		"statement_timeout stops native $fn()");
	$figures{"statement_timeout, native $fn()"} = $late;
	cmp_ok($late, '<', $bound, "native $fn() stopped within ${bound}s after statement_timeout");
	$s->{stderr} = '';
	$s->query_safe('RESET statement_timeout');
	is($s->query_safe('SELECT answer(), pg_backend_pid()'),
		"42|$pid", "the same backend runs wasm again after native $fn() timed out");
}

# ---- ... and pg_cancel_backend ----------------------------------------------------
my $ctl = $node->background_psql('postgres');
for my $fn (qw(spin spin_calls))
{
	$s->{stderr} = '';
	$s->query_until(qr/running $fn/, "\\echo running $fn\nSELECT $fn();\n");
	wait_active($node, $pid, "SELECT $fn()");
	my $t0 = time;
	$ctl->query_safe("SELECT pg_cancel_backend($pid)");
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr},
		qr/canceling statement due to user request/);
	my $elapsed = time - $t0;
	like($s->{stderr}, qr/canceling statement due to user request/,
		"pg_cancel_backend stops native $fn()");
	$figures{"pg_cancel_backend, native $fn()"} = $elapsed;
	cmp_ok($elapsed, '<', $bound, "native $fn() cancelled within ${bound}s");
	$s->{stderr} = '';
	is($s->query_safe('SELECT answer(), pg_backend_pid()'),
		"42|$pid", "the same backend runs wasm again after cancelling native $fn()");
}
is($s->query_safe('SELECT functions FROM wasm.jit_stats()'), '6',
	'the loops ran as machine code (nothing compiled again, nothing left to compile)');

# ---- PostgreSQL's JIT in the same backend, after ours ---------------------------------
my $pgjit = q{SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0;
	SET jit_optimize_above_cost = 0};
$s->query_safe($pgjit);
is($s->query_safe('SELECT sum(i) FROM generate_series(1, 1000) i WHERE i % 3 = 0'),
	'166833', 'PostgreSQL JIT-compiles a query after pgwasm compiled');
$m = backend_maps($pid);
ok($m->{llvmjit}, 'llvmjit.so is loaded beside wasmrt-llvm.so')
  or diag('PostgreSQL was built without LLVM?');
is($s->query_safe('SELECT answer(), functions FROM wasm.jit_stats()'),
	'42|6', 'and pgwasm still runs its machine code');
$s->quit;

# ---- ... and before ours ---------------------------------------------------------------
$s = $node->background_psql('postgres', on_error_stop => 0);
$pid = $s->query_safe('SELECT pg_backend_pid()');
$s->query_safe($pgjit);
is($s->query_safe('SELECT sum(i) FROM generate_series(1, 1000) i WHERE i % 3 = 0'),
	'166833', 'PostgreSQL JIT-compiles a query first');
$s->query_safe('SET pgwasm.jit_call_threshold = 0');
# compiled, not taken from the code cache (which links without the back end)
File::Path::remove_tree($node->data_dir . '/pgwasm_code_cache');
is($s->query_safe('SELECT answer() + grow(0)'), '43', 'then pgwasm compiles a module');
is($s->query_safe('SELECT state, functions FROM wasm.jit_stats()'), 'loaded|6',
	'wasm.jit_stats(): loaded, six functions');
$m = backend_maps($pid);
ok($m->{tier} && $m->{llvmjit}, 'both back ends are loaded');
$s->quit;

# ---- the library missing ------------------------------------------------------------------
{
	my $opts = 'options=-cpgwasm.jit_library=/nonexistent/wasmrt-llvm.so';
	my $connstr = $node->connstr('postgres') . " $opts";
	my ($out, $err);
	$node->psql(
		'postgres', q{
		LOAD 'pgwasm';
		SHOW pgwasm.jit;
		SET pgwasm.jit = on;
		SET pgwasm.jit_call_threshold = 0;
		SELECT answer() + grow(0);
		SELECT answer();
		SELECT state, detail FROM wasm.jit_stats();
		SELECT functions FROM wasm.jit_stats();
	}, connstr => $connstr, stdout => \$out, stderr => \$err);
	my @lines = split /\n/, $out;
	is($lines[0], 'off', 'library missing: pgwasm.jit is off by default');
	is($lines[1], '43', 'library missing, pgwasm.jit on: the right result (interpreted)');
	is($lines[2], '42', '... and again');
	like($lines[3], qr{^unavailable\|native tier unavailable, functions stay interpreted: cannot load /nonexistent/wasmrt-llvm\.so},
		'wasm.jit_stats() says why');
	is($lines[4], '0', 'nothing compiled');
	my @warnings = $err =~ /WARNING: /g;
	is(scalar(@warnings), 1, 'one WARNING for the backend') or diag($err);
	like($err, qr{WARNING:  pgwasm: native tier unavailable, functions stay interpreted: cannot load /nonexistent/wasmrt-llvm\.so},
		'the WARNING names the library');
}

# ---- a small C stack ---------------------------------------------------------------------
# Machine code runs on the backend's own C stack and may use up to 4 MiB
# below the outermost call; under `ulimit -s 1024` that is more than the
# stack has.  pgwasm cuts the budget to the stack's real size
# (src/jit.c, native_stack_floor): deep recursion in machine code ends in
# "call stack exhausted" (54001), the backend lives on.  Without the floor
# this crashes the server (SIGSEGV).
{
	my $small = PostgreSQL::Test::Cluster->new('smallstack');
	$small->init;
	$small->append_conf('postgresql.conf', "shared_preload_libraries = 'pgwasm'\n");
	system_or_bail('bash', '-c', 'ulimit -s 1024 && exec "$0" "$@"',
		'pg_ctl', '-D', $small->data_dir, '-l', $small->logfile, '-w', 'start');
	$small->_update_pid(1);
	my $dir = PostgreSQL::Test::Utils::tempdir();
	open my $fh, '>', "$dir/deep.wat" or die;
	print $fh q{(module
	  (func $down (export "down") (param i32) (result i32)
	    (if (result i32) (i32.eqz (local.get 0))
	      (then (i32.const 0))
	      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))};
	close $fh;
	$small->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
	$small->safe_psql('postgres', "SELECT wasm.install_module('deep', " . wat_bytea($dir, 'deep') . ")");
	$small->safe_psql('postgres', q{CREATE FUNCTION down(int4) RETURNS int4 LANGUAGE wasm AS 'deep:down'});
	my ($rc, $out, $err) = $small->psql('postgres', q{
		\set VERBOSITY verbose
		SET pgwasm.max_stack = '256MB';
		SET pgwasm.jit = on;
		SET pgwasm.jit_call_threshold = 0;
		SELECT down(100);
		SELECT functions > 0 FROM wasm.jit_stats();
		SELECT down(900000);
	}, on_error_stop => 0);
	is($out, "100\nt", 'ulimit -s 1024: shallow recursion in machine code runs');
	like($err, qr/ERROR:  54001: wasm trap: call stack exhausted/,
		'ulimit -s 1024: deep recursion in machine code is "call stack exhausted", not a crash')
	  or diag($err);
	is($small->safe_psql('postgres', 'SELECT down(1000)'), '1000', '... and the server is up');
	my $slog = slurp_file($small->logfile);
	unlike($slog, qr/terminated by signal/, 'small stack: no backend crashed');
	$small->stop;
}

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');

for my $what (sort keys %figures)
{
	diag(sprintf('%-40s %7.1f ms', $what, $figures{$what} * 1000));
}

$node->stop;
done_testing();
