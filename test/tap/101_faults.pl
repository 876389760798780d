# test/tap/101_faults.pl — hostile guests against one backend (issue 4,
# database-level fault tests).
#
# Runaway code (an empty loop, a loop of calls, a loop of host calls, a loop
# of long memory.fill instructions, a start function, a WASI printer) is
# stopped by statement_timeout, pg_cancel_backend and pg_terminate_backend;
# the cancel latency (from sending the cancel to the client seeing the error)
# is measured over $TRIALS trials, printed as median and max, and asserted
# against a generous bound ($BOUND s) so that a loaded 2-core CI machine does
# not fail the test; the target is 50 ms.
#
# Then every other fault of the issue: unbounded recursion, memory.grow
# bombs, huge argument buffers, out-of-range (ptr, len) results and return
# areas, lying allocators, host functions raising errors or rejecting their
# arguments, and allocations beyond MaxAllocSize in the host path.  Each
# must end in a clean ERROR with the right SQLSTATE, after which the same
# backend answers and runs the module again, the postmaster has not
# restarted, and the server log shows no crash.
#
# Environment: PGWASM_CANCEL_TRIALS (default 20), PGWASM_SKIP_BIG_MEMORY=1
# skips the cases that need about 1.2 GB of RAM in one backend.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__));
use PgwasmTap qw(wat_bytea);
use Time::HiRes qw(time sleep);

my $fixtures = dirname(abs_path(__FILE__)) . '/fixtures';
my $TRIALS   = $ENV{PGWASM_CANCEL_TRIALS} || 20;
my $BOUND    = 0.5;    # seconds, asserted; the target is 0.05

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};


sub median
{
	my @v = sort { $a <=> $b } @_;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub max_of
{
	my $m = shift;
	for (@_) { $m = $_ if $_ > $m }
	return $m;
}

my $node = PostgreSQL::Test::Cluster->new('faults');
$node->init;
# Errors are the point here: keep them, but not every statement, out of the log.
$node->append_conf('postgresql.conf', "log_statement = none\n");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
for my $m (qw(faults printer start_spin init_spin evil_alloc huge_memory))
{
	$node->safe_psql('postgres',
		"SELECT wasm.install_module('$m', " . wat_bytea($fixtures, $m) . ")");
}
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION answer() RETURNS int4 LANGUAGE wasm AS 'faults:answer';
	CREATE FUNCTION spin() RETURNS int4 LANGUAGE wasm AS 'faults:spin';
	CREATE FUNCTION spin_calls() RETURNS int4 LANGUAGE wasm AS 'faults:spin_calls';
	CREATE FUNCTION log_loop() RETURNS int4 LANGUAGE wasm AS 'faults:log_loop';
	CREATE FUNCTION fill_loop() RETURNS int4 LANGUAGE wasm AS 'faults:fill_loop';
	CREATE FUNCTION work(int4) RETURNS int8 LANGUAGE wasm AS 'faults:work';
	CREATE FUNCTION recurse(int4) RETURNS int4 LANGUAGE wasm AS 'faults:recurse';
	CREATE FUNCTION grow_bomb() RETURNS int4 LANGUAGE wasm AS 'faults:grow_bomb';
	CREATE FUNCTION grow_bomb_trap() RETURNS int4 LANGUAGE wasm AS 'faults:grow_bomb_trap';
	CREATE FUNCTION arg_len(text) RETURNS int4 LANGUAGE wasm AS 'faults:arg_len';
	CREATE FUNCTION arg_len(bytea) RETURNS int4 LANGUAGE wasm AS 'faults:arg_len';
	CREATE FUNCTION echo(text) RETURNS text LANGUAGE wasm AS 'faults:echo';
	CREATE FUNCTION bad_result(int4) RETURNS text LANGUAGE wasm AS 'faults:bad_result';
	CREATE FUNCTION bad_result_bytea(int4) RETURNS bytea LANGUAGE wasm AS 'faults:bad_result';
	CREATE FUNCTION bad_area(int4) RETURNS text LANGUAGE wasm AS 'faults:bad_area';
	CREATE FUNCTION bad_array(int4) RETURNS int8[] LANGUAGE wasm AS 'faults:bad_array';
	CREATE FUNCTION big_result(int4) RETURNS bytea LANGUAGE wasm AS 'faults:big_result';
	CREATE FUNCTION log_level(int4) RETURNS int4 LANGUAGE wasm AS 'faults:log_level';
	CREATE FUNCTION log_range(int4, int4) RETURNS int4 LANGUAGE wasm AS 'faults:log_range';
	CREATE FUNCTION log_big(int4) RETURNS int4 LANGUAGE wasm AS 'faults:log_big';
	CREATE FUNCTION raise_after_write(int4) RETURNS int4 LANGUAGE wasm AS 'faults:raise_after_write';
	CREATE FUNCTION raise_code() RETURNS int4 LANGUAGE wasm AS 'faults:raise_code';
	CREATE FUNCTION state() RETURNS int4 LANGUAGE wasm AS 'faults:state';
	CREATE FUNCTION print_loop() RETURNS int4 LANGUAGE wasm AS 'printer:print_loop';
	CREATE FUNCTION print_until_error() RETURNS int4 LANGUAGE wasm AS 'printer:print_until_error';
	CREATE FUNCTION start_spin() RETURNS int4 LANGUAGE wasm AS 'start_spin:answer';
	CREATE FUNCTION init_spin() RETURNS int4 LANGUAGE wasm AS 'init_spin:answer';
	CREATE FUNCTION take(text) RETURNS int4 LANGUAGE wasm AS 'evil_alloc:take';
	CREATE FUNCTION huge_memory() RETURNS int4 LANGUAGE wasm AS 'huge_memory:pages';
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# A session for the faults: errors do not stop it; VERBOSITY verbose shows the
# SQLSTATE as "ERROR:  XXXXX: message".
sub session
{
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	$s->set_query_timer_restart();
	$s->query_safe('\set VERBOSITY verbose');
	return $s;
}

my $ctl = $node->background_psql('postgres');
$ctl->set_query_timer_restart();

# Pump session $s until its stderr matches $re, for at most $secs seconds.
# A flood of NOTICE lines is trimmed as it comes.
sub wait_stderr
{
	my ($s, $re, $secs) = @_;
	my $deadline = time + $secs;
	for (;;)
	{
		return 1 if $s->{stderr} =~ $re;
		substr($s->{stderr}, 0, length($s->{stderr}) - 8192, '')
		  if length($s->{stderr}) > (1 << 20);
		return 0 if time > $deadline;
		if (!$s->{run}->pumpable)
		{
			# psql exited (the backend was terminated): collect the rest.
			eval { $s->{run}->finish };
			return $s->{stderr} =~ $re ? 1 : 0;
		}
		$s->{run}->pump_nb;
		sleep 0.0002;
	}
}

# Wait (through $ctl) until backend $pid runs $sql.
sub wait_active
{
	my ($pid, $sql) = @_;
	my $deadline = time + 60;
	while (time < $deadline)
	{
		return
		  if $ctl->query_safe(
			"SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND state = 'active' AND query LIKE '$sql%'"
		  ) eq '1';
		sleep 0.005;
	}
	die "backend $pid never started $sql";
}

# Send $sql to session $s without waiting for it, and wait until it runs;
# then wait for $ready (a regex on stderr: the guest's first output) or
# $settle seconds (default 20 ms), so that the guest is well inside its loop.
sub start_query
{
	my ($s, $pid, $sql, $ready, $settle) = @_;
	$s->{stderr} = '';
	$s->{stdout} = '';
	$s->{stdin} .= "$sql;\n";
	$s->{run}->pump_nb;
	wait_active($pid, $sql);
	if ($ready)
	{
		wait_stderr($s, $ready, 30) or die "no output from $sql";
	}
	else
	{
		sleep($settle // 0.02);
	}
}

# After a statement ended in session $s: drain what is left of its output.
sub resync
{
	my ($s) = @_;
	$s->{stderr} = '';
	$s->query('SELECT 1');
	$s->{stderr} = '';
}

# The session still answers with the same backend, wasm runs, the postmaster
# did not restart.
sub healthy
{
	my ($s, $pid, $what) = @_;
	$s->{stderr} = '';
	my $r = $s->query('SELECT answer(), pg_backend_pid(), pg_postmaster_start_time()');
	is($r, "42|$pid|$started", "after $what: the same backend runs wasm, no restart")
	  or diag("stderr: $s->{stderr}");
	$s->{stderr} = '';
}

# Run $sql in $s; it must fail with SQLSTATE $state and a message matching $re.
sub fails_with
{
	my ($s, $sql, $state, $re, $name) = @_;
	$s->{stderr} = '';
	$s->query($sql);
	like($s->{stderr}, qr/ERROR:  $state: [^\n]*$re/, $name);
	$s->{stderr} = '';
}

my %figures;    # name => [seconds...]
my $s   = session();
my $pid = $s->query_safe('SELECT pg_backend_pid()');
is($s->query_safe('SELECT answer()'), '42', 'the module works before any fault');

# ==== statement_timeout ==========================================================
# Timed from sending the statement: how late after the timeout the client
# sees the error.
my $timeout = 0.1;
$s->query_safe("SET statement_timeout = '" . ($timeout * 1000) . "ms'");
for my $fn (qw(spin spin_calls log_loop fill_loop))
{
	my @late;
	my $ok = 1;
	for (1 .. $TRIALS)
	{
		$s->{stderr} = '';
		$s->{stdin} .= "SELECT $fn();\n";
		my $t0 = time;
		$s->{run}->pump_nb;
		$ok = 0
		  unless wait_stderr($s,
			qr/ERROR:  57014: canceling statement due to statement timeout/, 30);
		push @late, time - $t0 - $timeout;
		resync($s);
	}
	ok($ok, "statement_timeout stops $fn() with 57014, $TRIALS times");
	$figures{"statement_timeout, $fn() (past the timeout)"} = \@late;
	cmp_ok(max_of(@late), '<', $BOUND, "$fn() always stopped within ${BOUND}s of the timeout");
	healthy($s, $pid, "statement_timeout of $fn()");
}
$s->query_safe('RESET statement_timeout');

# ==== pg_cancel_backend ==========================================================
for my $fn (qw(spin spin_calls log_loop fill_loop))
{
	my @lat;
	my $ok = 1;
	for (1 .. $TRIALS)
	{
		# fill_loop() first grows memory by 60 MB, one uninterruptible
		# instruction: cancel once it is filling.
		start_query($s, $pid, "SELECT $fn()", $fn eq 'log_loop' ? qr/tick/ : undef,
			$fn eq 'fill_loop' ? 0.3 : 0.02);
		my $t0 = time;
		$ctl->query_safe("SELECT pg_cancel_backend($pid)");
		$ok = 0
		  unless wait_stderr($s,
			qr/ERROR:  57014: canceling statement due to user request/, 30);
		push @lat, time - $t0;
		resync($s);
	}
	ok($ok, "pg_cancel_backend stops $fn() with 57014, $TRIALS times");
	$figures{"pg_cancel_backend, $fn()"} = \@lat;
	cmp_ok(max_of(@lat), '<', $BOUND, "$fn() always cancelled within ${BOUND}s");
	healthy($s, $pid, "cancelling $fn()");
}

# ==== pg_terminate_backend =========================================================
for my $case ([ spin => 5 ], [ log_loop => 2 ], [ print_loop => 2 ], [ fill_loop => 2 ])
{
	my ($fn, $n) = @$case;
	my @lat;
	my $ok = 1;
	for (1 .. $n)
	{
		my $v    = session();
		my $vpid = $v->query_safe('SELECT pg_backend_pid()');
		start_query($v, $vpid, "SELECT $fn()", $fn =~ /log|print/ ? qr/tick/ : undef,
			$fn eq 'fill_loop' ? 0.3 : 0.02);
		my $t0 = time;
		$ctl->query_safe("SELECT pg_terminate_backend($vpid)");
		# A backend blocked sending a flood of NOTICEs exits without telling
		# the client (ProcessClientWriteInterrupt): then the connection is
		# just lost, as for any query flooding its client.
		my $end =
		  $fn =~ /log|print/
		  ? qr/FATAL:  57P01: terminating connection due to administrator command|connection to server was lost/
		  : qr/FATAL:  57P01: terminating connection due to administrator command/;
		my $seen = wait_stderr($v, $end, 30);
		push @lat, time - $t0;
		diag("$fn(): no termination message; the client saw: ...",
			substr($v->{stderr}, -300))
		  unless $seen;
		$ok &&= $seen;
		my $gone = 0;
		for (1 .. 3000)
		{
			last if $gone = $ctl->query_safe(
				"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $vpid") eq 't';
			sleep 0.01;
		}
		diag("$fn(): backend $vpid still there after pg_terminate_backend") unless $gone;
		$ok &&= $gone;
		eval { $v->quit };
	}
	ok($ok, "pg_terminate_backend ends a backend running $fn(), $n times");
	$figures{"pg_terminate_backend, $fn()"} = \@lat;
	cmp_ok(max_of(@lat), '<', $BOUND, "$fn() terminated within ${BOUND}s");
	is($ctl->query_safe('SELECT pg_postmaster_start_time()'),
		$started, "after terminating $fn(): the postmaster did not restart");
}

# ==== known gaps: interrupts that the host path swallows ============================
#
# A guest looping on WASI fd_write (printf in a loop, ignoring errors).  Each
# line is a NOTICE; ereport(NOTICE) runs CHECK_FOR_INTERRUPTS() in
# errfinish(), inside the fd_write callback, where PG_TRY captures the
# cancel's ERROR and answers EIO to the guest.  ProcessInterrupts() has
# already cleared InterruptPending, so the engine never stops the loop.
{
	my $p    = session();
	my $ppid = $p->query_safe('SELECT pg_backend_pid()');
	$p->query_safe("SET statement_timeout = '200ms'");
	start_query($p, $ppid, 'SELECT print_loop()', qr/tick/);
	ok( wait_stderr(
			$p, qr/ERROR:  57014: canceling statement due to statement timeout/, 5),
		'statement_timeout stops a guest printing lines in a loop (WASI fd_write)');
	$p->{stdin} .= "RESET statement_timeout;\n";

	my $stopped = 1;
	for my $i (1 .. 3)
	{
		last if $p->{stderr} =~ /ERROR:  57014/;
		$ctl->query_safe("SELECT pg_cancel_backend($ppid)");
		$stopped = wait_stderr($p, qr/ERROR:  57014: canceling statement/, 2);
	}
	ok($stopped, 'pg_cancel_backend stops a guest printing lines in a loop (WASI fd_write)');
	if (!$stopped || !wait_stderr($p, qr/ERROR:  57014/, 0))
	{
		diag('print_loop() still running after statement_timeout and 3 cancels: terminating it');
		$ctl->query_safe("SELECT pg_terminate_backend($ppid)");
		wait_stderr($p, qr/FATAL/, 30);
	}
	eval { $p->quit };

	# The same guest, checking fd_write's answer, gives up by itself, and the
	# cancel is reported.
	$p = session();
	$ppid = $p->query_safe('SELECT pg_backend_pid()');
	start_query($p, $ppid, 'SELECT print_until_error()', qr/tick/);
	$ctl->query_safe("SELECT pg_cancel_backend($ppid)");
	ok( wait_stderr($p, qr/ERROR:  57014: canceling statement due to user request/, 5),
		'pg_cancel_backend stops a printing guest that checks fd_write errors');
	resync($p);
	healthy($p, $ppid, 'cancelling print_until_error()');
	eval { $p->quit };
}

# A start function that never returns: stopped, but reported as a trap
# (38000 "wasm trap: interrupted") rather than as the cancel (57014), because
# instance_start() reports every instantiation trap without first letting
# PostgreSQL process the interrupt as call_failed() does.
{
	$s->query_safe("SET statement_timeout = '100ms'");
	$s->{stderr} = '';
	my $t0 = time;
	$s->query('SELECT start_spin()');
	my $late = time - $t0 - 0.1;
	like($s->{stderr}, qr/ERROR:  \w{5}: /, 'statement_timeout stops a start function that never returns');
	like(
		$s->{stderr},
		qr/ERROR:  57014: canceling statement due to statement timeout/,
		'... and reports the timeout (57014), not a trap');
	$figures{'statement_timeout, start function'} = [$late];
	healthy($s, $pid, 'a start function timed out');

	# The same with an _initialize export (run through call_failed()): 57014.
	$s->query_safe("SET statement_timeout = '100ms'");
	$s->{stderr} = '';
	$t0 = time;
	$s->query('SELECT init_spin()');
	$late = time - $t0 - 0.1;
	like(
		$s->{stderr},
		qr/ERROR:  57014: canceling statement due to statement timeout/,
		'statement_timeout stops an _initialize that never returns: 57014');
	$figures{'statement_timeout, _initialize'} = [$late];
	$s->{stderr} = '';
	$s->query_safe('RESET statement_timeout');
	healthy($s, $pid, 'an _initialize timed out');
}

# Harmless interrupts (a parallel worker's message to its leader, a
# request to log memory contexts, a barrier) are processed where the engine
# polls, and the call goes on (reliability.md, D3: they used to stop the
# call, which was restarted from scratch, and after 100 restarts the query
# failed with "wasm function was interrupted 100 times and gave up").  Here
# the interrupts are requests to log memory contexts, sent while one call of
# work() (about a second) runs.
{
	my $n = 400_000_000;
	my $t0 = time;
	my $expected = $s->query_safe("SELECT work($n)");
	my $alone = time - $t0;
	start_query($s, $pid, "SELECT work($n)", undef, 0.05);
	my $sent = 0;
	while ($sent < 300 && $s->{stdout} !~ /\d/ && $s->{stderr} !~ /ERROR/)
	{
		$ctl->query_safe("SELECT pg_log_backend_memory_contexts($pid)");
		$sent++;
		sleep 0.002;
		$s->{run}->pump_nb;
	}
	# the result or the error, whichever comes
	my $deadline = time + 120;
	while (time < $deadline
		&& $s->{stdout} !~ /^\s*\d+\s*$/m
		&& $s->{stderr} !~ /ERROR/)
	{
		$s->{run}->pump_nb;
		sleep 0.01;
	}
	my $stdout = $s->{stdout};
	unlike($s->{stderr}, qr/ERROR/,
		"a long wasm call survives harmless interrupts ($sent sent while it ran)")
	  or diag("alone it takes " . sprintf('%.2f s', $alone) . "; got: " . substr($s->{stderr}, 0, 300));
	like($stdout, qr/^\s*$expected\s*$/m, '... and returns its result');
	resync($s);
	$s->{stdout} = '';
	healthy($s, $pid, 'harmless interrupts during a long call');
}

# ==== recursion, memory, arguments =====================================================
fails_with($s, 'SELECT recurse(0)', '54001', qr/call stack exhausted/,
	'unbounded recursion: call stack exhausted');
healthy($s, $pid, 'unbounded recursion');
$s->query_safe("SET pgwasm.max_stack = '256MB'");
fails_with($s, 'SELECT recurse(0)', '54001', qr/call stack exhausted/,
	'unbounded recursion with the largest pgwasm.max_stack: call stack exhausted');
$s->query_safe("SET pgwasm.max_stack = '64kB'");
fails_with($s, 'SELECT recurse(0)', '54001', qr/call stack exhausted/,
	'unbounded recursion with the smallest pgwasm.max_stack: call stack exhausted');
$s->query_safe('RESET pgwasm.max_stack');
healthy($s, $pid, 'recursion under both extreme stack limits');

# memory.grow bomb: refused at pgwasm.max_memory (64 MB = 1024 pages, 1 MB = 16)
my $pages = $s->query_safe('SELECT grow_bomb()');
cmp_ok($pages, '<=', 1024, "memory.grow bomb stops at pgwasm.max_memory ($pages pages)");
$s->query_safe("SET pgwasm.max_memory = '1MB'");
$pages = $s->query_safe('SELECT grow_bomb()');
cmp_ok($pages, '<=', 16, "with pgwasm.max_memory = 1MB: $pages pages");
fails_with($s, 'SELECT grow_bomb_trap()', '38000', qr/unreachable/,
	'a guest that traps when memory.grow fails: clean trap');
$s->query_safe('RESET pgwasm.max_memory');
healthy($s, $pid, 'memory.grow bombs');

# A module whose declared initial memory is 4 GB: 53200 at instantiation,
# without allocating anything.
fails_with($s, 'SELECT huge_memory()', '53200', qr/./,
	'a module declaring 4 GB of initial memory cannot be instantiated: 53200');
healthy($s, $pid, 'a 4 GB initial memory');

# Huge arguments: 100 MB of text and bytea against the default 64 MB limit.
fails_with(
	$s, "SELECT arg_len(repeat('x', 100 * 1024 * 1024))",
	'53200', qr/could not allocate 104857600 bytes for an argument/,
	'a 100 MB text argument over pgwasm.max_memory = 64MB: 53200');
fails_with(
	$s, "SELECT arg_len(repeat('x', 100 * 1024 * 1024)::bytea)",
	'53200', qr/could not allocate 104857600 bytes for an argument/,
	'a 100 MB bytea argument over pgwasm.max_memory = 64MB: 53200');
$s->query_safe("SET pgwasm.max_memory = '1MB'");
fails_with(
	$s, "SELECT arg_len(repeat('x', 2 * 1024 * 1024))",
	'53200', qr/could not allocate/, 'a 2 MB text argument over pgwasm.max_memory = 1MB: 53200');
$s->query_safe("SET pgwasm.max_memory = '256MB'");
is($s->query_safe("SELECT arg_len(repeat('x', 100 * 1024 * 1024))"),
	'104857600', 'the 100 MB text argument fits under pgwasm.max_memory = 256MB');
is($s->query_safe("SELECT length(echo(repeat('é', 30 * 1024 * 1024)))"),
	30 * 1024 * 1024, 'a 60 MB text argument comes back whole');
$s->query_safe('RESET pgwasm.max_memory');
healthy($s, $pid, 'huge arguments');

# Lying allocators (evil_alloc.wat: the lie depends on the argument's size).
fails_with($s, "SELECT take('a')", '38000',
	qr/allocator returned an out-of-bounds buffer/, 'allocator returns a pointer outside memory');
fails_with($s, "SELECT take('ab')", '38000',
	qr/allocator returned an out-of-bounds buffer/, 'allocator returns a buffer straddling the end');
fails_with($s, "SELECT take('abc')", '53200', qr/could not allocate 3 bytes/,
	'allocator returns 0');
fails_with($s, "SELECT take('abcd')", '38000', qr/unreachable/, 'allocator traps');
fails_with($s, "SELECT take('abcde')", '38000', qr/unreachable/, 'free() traps');
is($s->query_safe("SELECT take('abcdef')"), '6', 'the lying allocator module still answers');
healthy($s, $pid, 'lying allocators');

# ==== out-of-range results ===========================================================
is($s->query_safe('SELECT bad_result(0), bad_area(0), bad_array(0)'),
	'ok|ok|{7,8}', 'well-formed results in every form');
is($s->query_safe("SELECT bad_result(6) = ''"), 't',
	'(ptr = end of memory, len 0) is a valid empty string');
my %bad_result = (
	1 => 'ptr = memory size, len 1',
	2 => 'len 0xffffffff',
	3 => 'ptr 0xfffffff0 + len 0x20 wrapping in 32 bits',
	4 => 'len 0x80000000 (negative as i32)',
	5 => 'ptr 0xffffffff, len 1',
	7 => 'a 1 GB length claim',
	8 => 'len = memory size from ptr 16',);
for my $mode (sort keys %bad_result)
{
	fails_with($s, "SELECT bad_result($mode)", '38000',
		qr/returned an out-of-bounds buffer/, "text result: $bad_result{$mode}");
	fails_with($s, "SELECT bad_result_bytea($mode)", '38000',
		qr/returned an out-of-bounds buffer/, "bytea result: $bad_result{$mode}");
}
fails_with($s, 'SELECT bad_area(1)', '38000', qr/out-of-bounds return area/,
	'return area at 0xfffffffc');
fails_with($s, 'SELECT bad_area(2)', '38000', qr/out-of-bounds return area/,
	'return area straddling the end of memory');
fails_with($s, 'SELECT bad_area(3)', '38000', qr/out-of-bounds buffer/,
	'return area holding a wrapping (ptr, len)');
fails_with($s, 'SELECT bad_area(4)', '38000', qr/out-of-bounds buffer/,
	'return area holding len 0xffffffff');
fails_with($s, 'SELECT bad_array(1)', '38000', qr/out-of-bounds buffer/,
	'int8[] result whose byte size wraps 32 bits');
fails_with($s, 'SELECT bad_array(2)', '38000', qr/out-of-bounds buffer/,
	'int8[] result with count 0xffffffff');
healthy($s, $pid, 'out-of-range results');

# ==== host functions raising errors mid-call ===========================================
fails_with($s, 'SELECT raise_after_write(7)', 'P0001', qr/guest gave up/,
	'pgwasm.error mid-call: P0001 with the guest message');
is($s->query_safe('SELECT state(), answer()'), '0|42',
	'the next call runs on a reset instance (state written before the error is gone)');
fails_with($s, 'SELECT raise_code()', '22023', qr/guest gave up/,
	'pgwasm.error_sqlstate mid-call: the guest SQLSTATE');
for my $level (5, -1, 2147483647)
{
	fails_with($s, "SELECT log_level($level)", '38000',
		qr/pgwasm\.log: invalid level $level/, "pgwasm.log with invalid level $level traps");
}
is($s->query_safe('SELECT log_level(1)'), '1', 'pgwasm.log at a valid level works after that');
for my $args ('0, -1', '-1, 2', '65535, 2', '0, 1073741824')
{
	fails_with($s, "SELECT log_range($args)", '38000',
		qr/pgwasm\.log: out of bounds memory access/, "pgwasm.log($args) out of bounds traps");
}
# Errors caught in PL/pgSQL, then the module called again in the same
# transaction: the instance was reset after each error.
is( $s->query_safe(
		q{DO $$
		  DECLARE v int;
		  BEGIN
		    FOR i IN 1..50 LOOP
		      BEGIN
		        PERFORM raise_after_write(i);
		      EXCEPTION WHEN raise_exception THEN
		        v := state();
		        IF v <> 0 THEN RAISE 'state % leaked through an error', v; END IF;
		      END;
		      BEGIN
		        PERFORM log_level(9);
		      EXCEPTION WHEN external_routine_exception THEN NULL;
		      END;
		    END LOOP;
		    IF answer() <> 42 THEN RAISE 'module broken'; END IF;
		  END $$; SELECT 'done'}),
	'done',
	'50 host errors and 50 invalid log levels caught in one transaction, the module keeps working');
$s->query_safe('BEGIN');
$s->{stderr} = '';
$s->query('SELECT raise_after_write(3)');
$s->query('ROLLBACK');
$s->{stderr} = '';
is($s->query_safe('SELECT state(), answer()'), '0|42', 'after a host error and ROLLBACK');
healthy($s, $pid, 'host functions raising errors');

# ==== OOM in the host path: beyond MaxAllocSize ==========================================
# Needs about 1.2 GB in one backend for a moment; a separate session, so the
# memory goes away with it.
SKIP:
{
	skip 'PGWASM_SKIP_BIG_MEMORY is set', 7 if $ENV{PGWASM_SKIP_BIG_MEMORY};
	my $b    = session();
	my $bpid = $b->query_safe('SELECT pg_backend_pid()');
	$b->query_safe("SET pgwasm.max_memory = '2GB'");
	is($b->query_safe('SELECT length(big_result(100))'),
		'104857600', 'a 100 MB bytea result is returned whole');
	fails_with($b, 'SELECT length(big_result(1024))', '54000',
		qr/returned a value too large for PostgreSQL/,
		'a 1 GB result (beyond MaxAllocSize): 54000, no allocation attempted');
	healthy($b, $bpid, 'a result beyond MaxAllocSize');
	# pgwasm.log of 1.1 GB: the host keeps the first MiB of a guest message
	# (it used to fail with XX000 trying to copy it all).
	$b->{stderr} = '';
	$b->query('SELECT log_big(1100)');
	like($b->{stderr}, qr/\(message cut at 1048576 bytes\)/,
		'pgwasm.log of a 1.1 GB message: logged, cut at 1 MiB');
	unlike($b->{stderr}, qr/ERROR/, 'pgwasm.log of a 1.1 GB message: no error');
	$b->{stderr} = '';
	healthy($b, $bpid, 'a log message beyond MaxAllocSize');
	is($b->query('SELECT log_range(32, 17)'), '0', 'pgwasm.log works again in that backend');
	$b->{stderr} = '';
	eval { $b->quit };
}

$s->quit;
$ctl->quit;

# ==== the cluster is intact ==============================================================
is($node->safe_psql('postgres', 'SELECT answer()'), '42', 'a new connection runs wasm');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster never restarted');
my $log = slurp_file($node->logfile);
unlike(
	$log,
	qr/terminated by signal|server process .* was terminated|all server processes terminated|PANIC/,
	'no backend crashed');

diag(sprintf('%-52s %3s %10s %10s', 'time to stop runaway code', 'n', 'median', 'max'));
for my $what (sort keys %figures)
{
	my @v = @{ $figures{$what} };
	diag(sprintf('%-52s %3d %7.1f ms %7.1f ms',
			$what, scalar(@v), median(@v) * 1000, max_of(@v) * 1000));
}

$node->stop;
done_testing();
