# test/tap/104_memory.pl — no memory leaks across 100k calls in one backend
# (issue 4): a text function, a function that traps every other call, and
# one whose host call raises an ERROR every other call, each run 100,000
# times in one backend, as separate statements (every call its own
# transaction: instance reset, error cleanup) and, for the text function,
# also inside single statements.  Errors are also caught 100,000 times in
# PL/pgSQL exception blocks (one subtransaction each).
#
# The guest is C with wasi-libc's malloc/free (fixtures/memguest.c, built
# with examples/c/pgwasm.h), so argument and result buffers really are
# allocated and freed in guest memory.
#
# Measured: the backend's VmRSS (/proc/<pid>/status) and the total of
# pg_backend_memory_contexts, after a warm-up (the first 10% of the calls),
# halfway and at the end.  Asserted bounds after warm-up: VmRSS grows by
# less than $RSS_BOUND_KB kB, memory contexts by less than $CXT_BOUND bytes.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $tapdir   = dirname(abs_path(__FILE__));
my $fixtures = "$tapdir/fixtures";
my $header   = "$tapdir/../../examples/c";
my $CALLS    = 100_000;
my $RSS_BOUND_KB = 5 * 1024;
my $CXT_BOUND    = 1024 * 1024;

my $wasm = PostgreSQL::Test::Utils::tempdir() . '/memguest.wasm';
my @cc   = (
	'clang', '--target=wasm32-wasi', '-O2', '-Wall', '-Werror',
	'-mexec-model=reactor', '-Wl,--strip-debug', "-I$header",
	"$fixtures/memguest.c", '-o', $wasm);
plan skip_all => 'clang cannot build wasm32-wasi guests (clang, lld, wasi-libc)'
  unless -r "$header/pgwasm.h" && system("@cc >/dev/null 2>&1") == 0;

my $bytes = do { open my $fh, '<:raw', $wasm or die $!; local $/; <$fh> };

my $node = PostgreSQL::Test::Cluster->new('memory');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = none\nlog_min_messages = log\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql('postgres',
	"SELECT wasm.install_module('memguest', '\\x" . unpack('H*', $bytes) . "'::bytea)");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION upper_w(text) RETURNS text LANGUAGE wasm AS 'memguest:upper';
	CREATE FUNCTION upper_or_trap(text, int4) RETURNS text LANGUAGE wasm AS 'memguest:upper_or_trap';
	CREATE FUNCTION upper_or_raise(text, int4) RETURNS text LANGUAGE wasm AS 'memguest:upper_or_raise';
	CREATE FUNCTION trap_odd(int4) RETURNS int4 LANGUAGE wasm AS 'memguest:trap_odd';
	-- every iteration fails: a trap on odd i, a host error on even i
	CREATE FUNCTION fail_loop(n int) RETURNS int LANGUAGE plpgsql AS $$
	DECLARE caught int := 0;
	BEGIN
	  FOR i IN 1..n LOOP
	    BEGIN
	      PERFORM trap_odd(i);
	      PERFORM upper_or_raise('abc', i + 1);
	    EXCEPTION WHEN external_routine_exception OR raise_exception THEN
	      caught := caught + 1;
	    END;
	  END LOOP;
	  RETURN caught;
	END $$;
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# One line "MEM|label|VmRSS kB|memory context bytes".
sub probe
{
	my ($label) = @_;
	return
	  "SELECT 'MEM', '$label', (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\\s+(\\d+)'))[1], "
	  . "(SELECT sum(total_bytes) FROM pg_backend_memory_contexts);\n";
}

# Run $script in a fresh backend; check the probes and the number of errors.
sub run_workload
{
	my ($name, $script, $errors) = @_;
	my ($out, $err) = ('', '');
	my $t0 = time;
	$node->psql(
		'postgres',
		"\\set VERBOSITY terse\n$script",
		stdout        => \$out,
		stderr        => \$err,
		on_error_stop => 0);
	my $secs = time - $t0;
	my %m;
	for (split /\n/, $out)
	{
		$m{$1} = [ $2, $3 ] if /^MEM\|(\w+)\|(\d+)\|(\d+)$/;
	}
	my $nerr = () = $err =~ /ERROR:/g;
	is($nerr, $errors, "$name: $errors errors, as expected")
	  or diag(substr($err, 0, 2000));
	unless (defined $m{warm} && defined $m{half} && defined $m{end})
	{
		fail("$name: memory probes missing");
		diag($out);
		return $out;
	}
	my $rss_growth = $m{end}[0] - $m{warm}[0];
	my $cxt_growth = $m{end}[1] - $m{warm}[1];
	cmp_ok($rss_growth, '<', $RSS_BOUND_KB,
		"$name: VmRSS after warm-up grows by less than $RSS_BOUND_KB kB");
	cmp_ok($cxt_growth, '<', $CXT_BOUND,
		"$name: memory contexts after warm-up grow by less than $CXT_BOUND bytes");
	diag(sprintf('%-44s %6.1f s  VmRSS kB: warm %6d half %6d end %6d (%+5d)  contexts: %+8d bytes',
			$name, $secs, $m{warm}[0], $m{half}[0], $m{end}[0], $rss_growth, $cxt_growth));
	return $out;
}

# Statements "SELECT f(n)" for n in 1..$CALLS, with the probes.
sub statements
{
	my ($call) = @_;
	my $sql = "SET log_min_messages = log;\n";
	for my $i (1 .. $CALLS)
	{
		$sql .= probe('warm') if $i == $CALLS / 10 + 1;
		$sql .= probe('half') if $i == $CALLS / 2 + 1;
		(my $c = $call) =~ s/%d/$i/g;
		$sql .= "SELECT $c;\n";
	}
	return $sql . probe('end');
}

run_workload('text function, 100k statements',
	statements("upper_w('hello, world %d')"), 0);
run_workload('trap every other call, 100k statements',
	statements("upper_or_trap('hello, world %d', %d)"), $CALLS / 2);
run_workload('host ERROR every other call, 100k statements',
	statements("upper_or_raise('hello, world %d', %d)"), $CALLS / 2);

# The text function 100k times per statement, 10 statements.
{
	my $q = "SELECT count(upper_w(md5(i::text))) FROM generate_series(1, $CALLS) i;\n";
	my $out = run_workload('text function, 10 statements of 100k calls',
		$q . probe('warm') . ($q x 4) . probe('half') . ($q x 5) . probe('end'), 0);
	my $n = () = $out =~ /^$CALLS$/mg;
	is($n, 10, "each of the 10 statements made $CALLS calls");
}

# Errors caught in PL/pgSQL: 100k subtransactions per statement.
{
	my $q = "SELECT fail_loop($CALLS);\n";
	my $out = run_workload('100k errors caught in PL/pgSQL, 5 statements',
		"SELECT fail_loop(" . ($CALLS / 10) . ");\n" . probe('warm') . ($q x 2)
		  . probe('half') . ($q x 3) . probe('end'), 0);
	my $caught = () = $out =~ /^$CALLS$/mg;
	is($caught, 5, "each of the 5 statements caught $CALLS errors");
}

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster never restarted');
unlike(slurp_file($node->logfile),
	qr/terminated by signal|server process .* was terminated|all server processes terminated/,
	'no backend crashed');
$node->stop;
done_testing();
