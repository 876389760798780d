# test/tap/102_load.pl — concurrency and load (issue 4): pgbench runs a mix
# of wasm UDF queries with $CLIENTS clients for $SECS seconds while another
# session replaces the module $REPLACEMENTS times, alternating two versions
# whose functions return a version tag (fixtures/loadv1.wat, loadv2.wat).
#
# Checked:
# - zero failed transactions and no aborted client: the only errors are the
#   expected traps, caught in PL/pgSQL (expect_trap()), and the server log
#   has no ERROR line at all for the run;
# - every statement sees one version: check_versions() gets the distinct
#   tags and labels of 200 rows computed by three functions (one of them
#   first called halfway through the statement) and raises if they disagree;
#   within a REPEATABLE READ transaction two statements see the same version;
# - no stale version: each check records its transaction's start and end
#   times and the version it saw; a statement whose transaction began after a
#   replacement had committed must see that replacement's version (or a
#   later one, if another replacement committed before it ended);
# - no backend crashed: pg_postmaster_start_time unchanged, no crash in the
#   log.
# Throughput (TPS) is printed.
#
# Environment: PGWASM_LOAD_SECONDS (default 60), PGWASM_LOAD_CLIENTS
# (default 16), PGWASM_LOAD_MODE (pgbench -M: simple, extended or prepared;
# default prepared).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__));
use PgwasmTap;
use Time::HiRes qw(time sleep);

my $fixtures     = dirname(abs_path(__FILE__)) . '/fixtures';
my $SECS         = $ENV{PGWASM_LOAD_SECONDS} || 60;
my $CLIENTS      = $ENV{PGWASM_LOAD_CLIENTS} || 16;
my $MODE         = $ENV{PGWASM_LOAD_MODE} || 'prepared';
my $REPLACEMENTS = 10;

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};


my %module = (1 => wat_bytea($fixtures, 'loadv1'), 2 => wat_bytea($fixtures, 'loadv2'));

my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
max_connections = @{[ $CLIENTS + 10 ]}
shared_buffers = 32MB
log_statement = none
log_min_messages = warning
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql('postgres', "SELECT wasm.install_module('loadver', $module{1})");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION vtag() RETURNS int4 LANGUAGE wasm AS 'loadver:vtag';
	CREATE FUNCTION vtag_late() RETURNS int4 LANGUAGE wasm AS 'loadver:vtag';
	CREATE FUNCTION vlabel() RETURNS text LANGUAGE wasm AS 'loadver:vlabel';
	CREATE FUNCTION vtagged(text) RETURNS text LANGUAGE wasm AS 'loadver:vtagged';
	CREATE FUNCTION vadd(int4, int4) RETURNS int4 LANGUAGE wasm AS 'loadver:vadd';
	CREATE FUNCTION vwork(int4) RETURNS int8 LANGUAGE wasm AS 'loadver:vwork';
	CREATE FUNCTION vtrap() RETURNS int4 LANGUAGE wasm AS 'loadver:vtrap';

	-- what each consistency check saw: its transaction's start, its own end
	CREATE UNLOGGED TABLE seen (t_start timestamptz, t_end timestamptz, version int4);
	-- when the replacing session installed each version: the install was
	-- sent after t_before and had committed before t_after
	CREATE TABLE timeline (k int4 PRIMARY KEY, version int4, t_before timestamptz, t_after timestamptz);

	CREATE FUNCTION must(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	  IF ok IS NOT TRUE THEN RAISE EXCEPTION 'wrong result from %', what; END IF;
	END $$;

	-- one version per statement: one tag, and the label that goes with it
	CREATE FUNCTION check_versions(tags int4[], labels text[]) RETURNS int4 LANGUAGE plpgsql AS $$
	BEGIN
	  IF cardinality(tags) <> 1 OR (SELECT count(DISTINCT l) FROM unnest(labels) l) <> 1 THEN
	    RAISE EXCEPTION 'mixed versions within one statement: tags %, labels %', tags, labels;
	  END IF;
	  IF labels[1] <> (ARRAY['one', 'two'])[tags[1]] THEN
	    RAISE EXCEPTION 'version tag % with label %', tags[1], labels[1];
	  END IF;
	  INSERT INTO seen VALUES (now(), clock_timestamp(), tags[1]);
	  RETURN tags[1];
	END $$;

	CREATE FUNCTION same_version(a int4, b int4) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	  IF a <> b THEN
	    RAISE EXCEPTION 'version % then % in one REPEATABLE READ transaction', a, b;
	  END IF;
	END $$;

	-- the expected error: a trap, caught
	CREATE FUNCTION expect_trap() RETURNS text LANGUAGE plpgsql AS $$
	BEGIN
	  PERFORM vtrap();
	  RAISE EXCEPTION 'vtrap() returned';
	EXCEPTION WHEN external_routine_exception THEN
	  RETURN SQLSTATE;
	END $$;
});
my $work    = $node->safe_psql('postgres', 'SELECT vwork(2000)');
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
$node->safe_psql('postgres',
	"INSERT INTO timeline VALUES (0, 1, '-infinity', clock_timestamp())");

# (pgbench takes ":name" for a variable even inside a string literal: no
# colons in the script's literals.)
my $script = PostgreSQL::Test::Utils::tempdir() . '/load.sql';
PostgreSQL::Test::Utils::append_to_file(
	$script, qq{\\set n random(1, 100000)
SELECT must(vadd(:n::int4, 1) = :n::int4 + 1, 'vadd');
SELECT must(vwork(2000) = $work, 'vwork');
SELECT must(regexp_replace(vtagged('client ' || :client_id::text), '^(one|two)' || chr(58), '') = 'client ' || :client_id::text, 'vtagged');
SELECT check_versions(array_agg(DISTINCT vtag()), array_agg(DISTINCT split_part(vtagged('row ' || i), chr(58), 1)) || array_agg(DISTINCT vlabel())) FROM generate_series(1, 200) i;
SELECT check_versions(array_agg(DISTINCT CASE WHEN i <= 100 THEN vtag() ELSE vtag_late() END), array_agg(DISTINCT vlabel())) FROM generate_series(1, 200) i;
SELECT must(expect_trap() = '38000', 'expect_trap');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT vtag() AS first_tag \\gset
SELECT vwork(20000);
SELECT same_version(:first_tag::int4, vtag());
COMMIT;
});

my $log_offset = -s $node->logfile;
my ($out, $err) = ('', '');
my @pgbench = (
	'pgbench', '-n', '-M', $MODE, '-c', $CLIENTS, '-j', 2, '-T', $SECS, '-P',
	($SECS >= 20 ? 10 : 5), '-f', $script, '-h', $node->host, '-p', $node->port,
	'postgres');
note("running @pgbench");
my $t0    = time;
my $bench = do
{
	local $ENV{PGAPPNAME} = 'pgbench';
	IPC::Run::start(\@pgbench, '>', \$out, '2>', \$err);
};

# Replace the module $REPLACEMENTS times, evenly spread over the run, once
# all clients are connected.
my $r = $node->background_psql('postgres');
$r->set_query_timer_restart();
my $deadline = time + 60;
while (time < $deadline)
{
	last
	  if $r->query_safe(
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench' AND backend_type = 'client backend'"
	  ) >= $CLIENTS;
	sleep 0.1;
}
my $version = 1;
my @replace_ms;
for my $k (1 .. $REPLACEMENTS)
{
	my $at = $t0 + $k * $SECS / ($REPLACEMENTS + 1);
	sleep($at - time) if $at > time;
	$version = 3 - $version;
	my $before = $r->query_safe('SELECT clock_timestamp()');
	my $t      = time;
	$r->query_safe(
		"SELECT wasm.install_module('loadver', $module{$version}, replace => true)");
	push @replace_ms, (time - $t) * 1000;
	my $after = $r->query_safe('SELECT clock_timestamp()');
	$r->query_safe(
		"INSERT INTO timeline VALUES ($k, $version, '$before', '$after')");
	is($r->query_safe('SELECT vtag(), vlabel()'),
		$version == 1 ? '1|one' : '2|two',
		"replacement $k: the replacing session sees version $version");
}
$r->quit;

IPC::Run::finish($bench);
my $status = $? >> 8;
my $elapsed = time - $t0;
note("pgbench stdout:\n$out");
note("pgbench stderr:\n$err");

# ---- pgbench's verdict ------------------------------------------------------------
is($status, 0, 'pgbench exited successfully (no client aborted)')
  or diag("pgbench stderr:\n" . substr($err, 0, 4000));
unlike($err, qr/aborted|ERROR/, 'no client error or abort');
my ($processed) = $out =~ /number of transactions actually processed: (\d+)/;
my ($failed)    = $out =~ /number of failed transactions: (\d+)/;
my ($tps)       = $out =~ /tps = ([\d.]+) \(without initial connection time\)/;
ok(defined $processed && $processed > 0, 'transactions were processed');
is($failed // 0, 0, 'zero failed transactions');

# ---- what the clients saw --------------------------------------------------------
my ($checks, $v1, $v2) = split /\|/,
  $node->safe_psql('postgres',
	'SELECT count(*), count(*) FILTER (WHERE version = 1), count(*) FILTER (WHERE version = 2) FROM seen');
cmp_ok($v1, '>', 0, 'version 1 was seen');
cmp_ok($v2, '>', 0, 'version 2 was seen');

# A statement whose transaction started after replacement j had committed
# (t_after) must see version j, or the version of a later replacement sent
# (t_before) before the statement ended.
my $stale = $node->safe_psql(
	'postgres', q{
	SELECT count(*) FROM seen s
	 CROSS JOIN LATERAL (SELECT max(k) AS j FROM timeline WHERE t_after < s.t_start) last
	 WHERE s.version NOT IN (
	       SELECT version FROM timeline t
	        WHERE t.k = last.j OR (t.k > last.j AND t.t_before < s.t_end))});
is($stale, '0', "no statement saw a replaced version ($checks statements checked)");
my $epochs = $node->safe_psql(
	'postgres', q{
	SELECT count(*) FROM timeline t
	 WHERE EXISTS (SELECT FROM seen s
	                WHERE s.t_start > t.t_after
	                  AND s.t_end < coalesce((SELECT t_before FROM timeline n WHERE n.k = t.k + 1), 'infinity'))});
note("$epochs of " . ($REPLACEMENTS + 1) . ' versions in the timeline were seen by a statement that ran entirely within their time');

# ---- the server ---------------------------------------------------------------------
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster did not restart');
my $log = substr(slurp_file($node->logfile), $log_offset);
unlike($log,
	qr/terminated by signal|server process .* was terminated|all server processes terminated/,
	'no backend crashed');
# (autovacuum, which may be cancelled by a lock conflict, is not ours)
my @errors = grep { /\b(ERROR|FATAL|PANIC):/ && !/autovacuum/ } split /\n/, $log;
is(scalar(@errors), 0, 'no ERROR in the server log during the run')
  or diag(join("\n", @errors[ 0 .. ($#errors < 9 ? $#errors : 9) ]));

diag(sprintf('pgbench -M %s, %d clients, %d s: %s transactions, tps = %s, failed = %s',
		$MODE, $CLIENTS, $SECS, $processed // '?', $tps // '?', $failed // '?'));
diag(sprintf('%d module replacements, %.1f ms each (median), %d consistency checks (%d saw version 1, %d version 2)',
		scalar(@replace_ms), (sort { $a <=> $b } @replace_ms)[ @replace_ms / 2 ],
		$checks, $v1, $v2));

$node->stop;
done_testing();
