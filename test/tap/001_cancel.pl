# test/tap/001_cancel.pl — runaway Wasm code is stopped by PostgreSQL's own
# interrupts: statement_timeout, pg_cancel_backend and pg_terminate_backend.
#
# The engine polls InterruptPending at function entries and loop back-edges,
# so an infinite loop with no calls (spin) and one made of calls (spin_calls)
# are both covered.  Each stop is timed and the figure printed; the test
# asserts a generous bound ($bound seconds) so a loaded CI machine does not
# fail it, while the target in issue 3 is 50 ms.  After every stop the same
# backend (or, after terminate, a new one) still answers, and the postmaster
# never restarted (pg_postmaster_start_time unchanged, no crash in the log).
#
# A single memory.grow of 2 GB (pgwasm.max_memory raised to 3 GB) is one Wasm
# instruction, so it cannot be interrupted: it must itself be quick (issue
# 11: it took 2 s, and a cancel waited for it).  The statement times of 1 GB
# and 2 GB grows are printed, a cancel sent while grow_spin() grows 2 GB and
# then loops is timed, and wasm.stats() must count the 2 GB the memory has
# (committed), not the 3 GB of address space reserved for it.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__));
use PgwasmTap;
use Time::HiRes qw(time);

my $fixtures = dirname(abs_path(__FILE__));
my $bound    = 1.0;    # seconds

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};



my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql('postgres',
	"SELECT wasm.install_module('spin', " . wat_bytea($fixtures, 'spin') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION spin() RETURNS int4 LANGUAGE wasm AS 'spin:spin';
	CREATE FUNCTION spin_calls() RETURNS int4 LANGUAGE wasm AS 'spin:spin_calls';
	CREATE FUNCTION answer() RETURNS int4 LANGUAGE wasm AS 'spin:answer';
	CREATE FUNCTION grow(int4) RETURNS int4 LANGUAGE wasm AS 'spin:grow';
	CREATE FUNCTION grow_spin() RETURNS int4 LANGUAGE wasm AS 'spin:grow_spin';
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

my %figures;

# ---- statement_timeout ------------------------------------------------------
my $s = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $s->query_safe('SELECT pg_backend_pid()');
is($s->query_safe('SELECT answer()'), '42', 'the module works before any cancel');

for my $fn (qw(spin spin_calls))
{
	my $timeout = 0.2;
	$s->query_safe("SET statement_timeout = '" . ($timeout * 1000) . "ms'");
	$s->{stderr} = '';
	my $t0 = time;
	$s->query("SELECT $fn()");
	my $late = time - $t0 - $timeout;
	like(
		$s->{stderr},
		qr/canceling statement due to statement timeout/,
		"statement_timeout stops $fn()");
	$figures{"statement_timeout, $fn()"} = $late;
	cmp_ok($late, '<', $bound,
		"$fn() stopped within ${bound}s after statement_timeout");
	$s->{stderr} = '';
	$s->query_safe('RESET statement_timeout');
	is($s->query_safe('SELECT answer(), pg_backend_pid()'),
		"42|$pid", "the same backend runs wasm again after $fn() timed out");
}

# ---- pg_cancel_backend ----------------------------------------------------------
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
	like(
		$s->{stderr},
		qr/canceling statement due to user request/,
		"pg_cancel_backend stops $fn()");
	$figures{"pg_cancel_backend, $fn()"} = $elapsed;
	cmp_ok($elapsed, '<', $bound, "$fn() cancelled within ${bound}s");
	$s->{stderr} = '';
	is($s->query_safe('SELECT answer(), pg_backend_pid()'),
		"42|$pid", "the same backend runs wasm again after cancelling $fn()");
}

# ---- a 2 GB memory.grow -----------------------------------------------------------
$s->query_safe("SET pgwasm.max_memory = '3GB'");
is($s->query_safe('SELECT grow(0)'), '1', 'grow(0) with pgwasm.max_memory = 3GB');
for my $gb (1, 2)
{
	# Each statement is its own transaction: the memory is reset to one page
	# before the next.
	my $t0 = time;
	is($s->query_safe('SELECT grow(' . ($gb * 16384) . ')'), '1', "memory.grow of $gb GB succeeds");
	$figures{"statement with memory.grow of $gb GB"} = time - $t0;
}
$s->query_safe('BEGIN');
$s->query_safe('SELECT grow(32768)');
cmp_ok($s->query_safe(q{SELECT memory_bytes FROM wasm.stats() WHERE module = 'spin'}),
	'>=', 2 * 1024**3, 'wasm.stats counts the 2 GB the memory has');
$s->query_safe('COMMIT');
cmp_ok($s->query_safe('SELECT grow(0)'), '==', 1, 'the next transaction starts from one page again');
cmp_ok($s->query_safe(q{SELECT memory_bytes FROM wasm.stats() WHERE module = 'spin'}),
	'<', 64 * 1024**2, 'reserved address space is not counted as memory');

$s->{stderr} = '';
$s->query_until(qr/running grow_spin/, "\\echo running grow_spin\nSELECT grow_spin();\n");
wait_active($node, $pid, 'SELECT grow_spin()');
{
	my $t0 = time;
	$ctl->query_safe("SELECT pg_cancel_backend($pid)");
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr},
		qr/canceling statement due to user request|ERROR/);
	my $elapsed = time - $t0;
	like($s->{stderr}, qr/canceling statement due to user request/,
		'pg_cancel_backend stops grow_spin() (2 GB memory.grow, then a loop)');
	$figures{'pg_cancel_backend, grow_spin() (2 GB grow)'} = $elapsed;
	cmp_ok($elapsed, '<', $bound, "grow_spin() cancelled within ${bound}s");
}
$s->{stderr} = '';
is($s->query_safe('SELECT answer(), pg_backend_pid()'),
	"42|$pid", 'the same backend runs wasm again after cancelling grow_spin()');
$s->query_safe('RESET pgwasm.max_memory');
$s->quit;

# ---- pg_terminate_backend -------------------------------------------------------
{
	my $victim = $node->background_psql('postgres', on_error_stop => 0);
	my $vpid = $victim->query_safe('SELECT pg_backend_pid()');
	$victim->query_until(qr/running spin/, "\\echo running spin\nSELECT spin();\n");
	wait_active($node, $vpid, 'SELECT spin()');

	# Timed until the victim's client sees the connection end.
	my $t0 = time;
	is($ctl->query_safe("SELECT pg_terminate_backend($vpid)"),
		't', 'pg_terminate_backend signals a backend running spin()');
	pump_until($victim->{run}, $victim->{timeout}, \$victim->{stderr},
		qr/terminating connection|server closed the connection|connection to server was lost/);
	my $elapsed = time - $t0;
	like(
		$victim->{stderr},
		qr/terminating connection due to administrator command/,
		'the client is told the connection was terminated');
	$figures{'pg_terminate_backend, spin()'} = $elapsed;
	cmp_ok($elapsed, '<', $bound, "terminated within ${bound}s");
	$node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $vpid")
	  or die "backend $vpid did not exit";
	eval { $victim->quit };
}
$ctl->quit;

# ---- the cluster is intact ------------------------------------------------------
is($node->safe_psql('postgres', 'SELECT answer()'),
	'42', 'a new connection runs wasm');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster did not restart');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated|all server processes terminated/,
	'no backend crashed');

for my $what (sort keys %figures)
{
	diag(sprintf('%-34s %7.1f ms', $what, $figures{$what} * 1000));
}

$node->stop;
done_testing();
