# test/tap/009_citus.pl — pgwasm on a Citus cluster: a coordinator and two
# workers on this machine (private sockets, throwaway data directories), and
# a third worker added later.
#
# Checks that CREATE EXTENSION, wasm.install_module (install, replace, drop)
# and CREATE FUNCTION ... LANGUAGE wasm reach every node in the statement's
# distributed transaction; that a rolled-back install reaches none; that wasm
# functions in SELECT, WHERE, GROUP BY and joins over distributed tables run
# in the worker tasks (EXPLAIN) with the results of the same query on a
# plain table; that an aggregate with wasm transition, combine and final
# functions runs partially on the workers; create_distributed_function with
# a distribution argument; that a replace invalidates the caches of
# sessions, and of the connections Citus keeps to the workers; that queries
# during repeated replaces never fail and never mix versions; that only the
# coordinator changes modules; that a node added later gets modules and
# functions; and that a worker restart is survived.
#
# Needs Citus installed for this PostgreSQL (test/citus/build.sh, which
# `make test` runs); skipped otherwise.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__));
use PgwasmTap;

my $fixtures = dirname(abs_path(__FILE__));
my $root = abs_path("$fixtures/../..");
# The version CREATE EXTENSION installs and ALTER EXTENSION UPDATE reaches.
my ($defver) = do { open my $c, "<", "$root/pgwasm.control" or die $!; local $/; <$c> } =~ /default_version\s*=\s*'([^']+)'/;
die "no default_version in pgwasm.control" unless defined $defver;

my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;
plan skip_all => "Citus is not installed for this PostgreSQL (test/citus/build.sh installs it)"
  unless -f "$pkglibdir/citus.so";
for my $tool (qw(clang wat2wasm))
{
	plan skip_all => "$tool is not in PATH (test/deps.sh installs it)"
	  unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}

my $out = PostgreSQL::Test::Utils::tempdir();
system_or_bail('bash', "$root/examples/build.sh", $out);

sub wasm_bytea
{
	my ($name) = @_;
	open my $fh, '<:raw', "$out/$name.wasm" or die "cannot read $out/$name.wasm: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return "'\\x" . unpack('H*', $bytes) . "'::bytea";
}

# ---- the cluster -------------------------------------------------------------
sub citus_node
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus, pgwasm'
citus.node_conninfo = 'sslmode=disable'
max_prepared_transactions = 50
max_connections = 60
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	return $node;
}

my $coord = citus_node('coordinator');
my @workers = (citus_node('worker1'), citus_node('worker2'));
my $host = $coord->host;
$coord->safe_psql('postgres', "SELECT citus_set_coordinator_host('$host', " . $coord->port . ")");
$coord->safe_psql('postgres', "SELECT citus_add_node('$host', " . $_->port . ")") for @workers;

# Every node, coordinator first.
my @nodes = ($coord, @workers);
sub on_all
{
	my ($sql) = @_;
	return join(' / ', map { $_->safe_psql('postgres', $sql) } @nodes);
}

# ---- the extension and the roles -----------------------------------------------
$coord->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
is(on_all(q{SELECT extversion FROM pg_extension WHERE extname = 'pgwasm'}),
	"$defver / $defver / $defver", 'CREATE EXTENSION pgwasm on the coordinator creates it on every worker');

$coord->safe_psql(
	'postgres', q{
	CREATE ROLE alice LOGIN;
	CREATE ROLE bob LOGIN;
	GRANT EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean),
		wasm.install_module(text, bytea, boolean, boolean),
		wasm.drop_module(text, boolean) TO alice, bob;
	GRANT CREATE ON SCHEMA public TO alice, bob;
});

# ---- install: in the same distributed transaction -------------------------------
my $v1 = wat_bytea($fixtures, 'version1');
my $v2 = wat_bytea($fixtures, 'version2');
my $modq = q{SELECT string_agg(name || ':' || owner || ':' || left(sha256, 8), ',' ORDER BY name) FROM wasm.modules};

$coord->safe_psql('postgres', "BEGIN; SET ROLE alice; SELECT wasm.install_module('version', $v1); ROLLBACK");
is(on_all($modq), ' /  / ', 'a rolled-back install reaches no node');

my $sha1 = $coord->safe_psql('postgres', "SET ROLE alice; SELECT wasm.install_module('version', $v1)");
my $want = 'version:alice:' . substr($sha1, 0, 8);
is(on_all($modq), "$want / $want / $want",
	'install_module on the coordinator reaches every worker, with its owner');

$coord->safe_psql('postgres', 'SET ROLE alice; '
	  . "SELECT wasm.install_module('$_', " . wasm_bytea($_) . ')')
  for qw(textkit hll fib);

# Functions the module declares, created with it on the coordinator, reach the
# workers as any CREATE FUNCTION does.
$coord->safe_psql('postgres', 'SET ROLE alice; '
	  . "SELECT wasm.install_module('logsplit', " . wasm_bytea('logsplit') . ', false, true)');
is(on_all(q{SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE prosrc LIKE 'logsplit:%'}),
	join(' / ', ('csv_fields,logs_normalize,parse_log') x 3),
	'install_module(..., create_functions => true) on the coordinator creates the declared functions on every worker');

$coord->safe_psql(
	'postgres', q{
	SET ROLE alice;
	CREATE FUNCTION mod_version() RETURNS int4 LANGUAGE wasm AS 'version:version';
	CREATE FUNCTION label() RETURNS text LANGUAGE wasm AS 'version:label';
	CREATE FUNCTION slugify(text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:slugify';
	CREATE FUNCTION word_count(text) RETURNS int4 IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:word_count';
	CREATE FUNCTION hll_add(bytea, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_add';
	CREATE FUNCTION hll_merge(bytea, bytea) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_merge';
	CREATE FUNCTION hll_count(bytea) RETURNS int8 IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_count';
	CREATE AGGREGATE approx_count_distinct(text) (SFUNC = hll_add, STYPE = bytea, FINALFUNC = hll_count,
		COMBINEFUNC = hll_merge, INITCOND = '', PARALLEL = SAFE);
});
is(on_all(q{SELECT mod_version() || label() || slugify('Hello, Citus World')}),
	'1onehello-citus-world / 1onehello-citus-world / 1onehello-citus-world',
	'CREATE FUNCTION LANGUAGE wasm reaches every worker, where it runs');

# A worker checks what it receives: its validator ran with the module there.
my ($rc, $stdout, $stderr) = $coord->psql('postgres',
	q{SET ROLE alice; CREATE FUNCTION bad_fit(int4) RETURNS text LANGUAGE wasm AS 'textkit:nope'});
like($stderr, qr/has no export named "nope"/, 'a function that does not fit its module is refused');
is(on_all(q{SELECT count(*) FROM pg_proc WHERE proname = 'bad_fit'}), '0 / 0 / 0',
	'... on every node');
# With check_function_bodies off the coordinator only checks the types; the
# workers, which Citus sends the function with it off too, check it anyway,
# and the distributed transaction fails.
($rc, $stdout, $stderr) = $coord->psql('postgres',
	q{SET check_function_bodies = off; SET ROLE alice;
	  CREATE FUNCTION bad_fit(int4) RETURNS text LANGUAGE wasm AS 'textkit:nope'});
like($stderr, qr/has no export named "nope"/, 'a worker refuses a function that does not fit its module');
is(on_all(q{SELECT count(*) FROM pg_proc WHERE proname = 'bad_fit'}), '0 / 0 / 0',
	'... and it is created on no node');

# ---- distributed queries --------------------------------------------------------
$coord->safe_psql(
	'postgres', q{
	SET ROLE alice;
	CREATE TABLE articles (id int8 PRIMARY KEY, author int4, title text);
	SELECT create_distributed_table('articles', 'id');
	CREATE TABLE authors (id int4 PRIMARY KEY, name text);
	SELECT create_reference_table('authors');
	INSERT INTO authors SELECT i, 'Author ' || i FROM generate_series(1, 50) i;
	INSERT INTO articles
		SELECT i, i % 50 + 1, 'Title ' || (i % 97) || ' of the Day: ' || md5(i::text)
		  FROM generate_series(1, 5000) i;
	CREATE TABLE articles_local AS SELECT * FROM articles;
	CREATE TABLE authors_local AS SELECT * FROM authors;
});
is($coord->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'articles'::regclass}),
	'32', 'articles has 32 shards');

my @queries = (
	[ 'select list', q{SELECT id, slugify(title) FROM %A ORDER BY id LIMIT 20 OFFSET 400} ],
	[ 'where', q{SELECT count(*), sum(id) FROM %A WHERE slugify(title) LIKE 'title-13-%'} ],
	[ 'group by', q{SELECT word_count(title) w, count(*) FROM %A GROUP BY 1 ORDER BY 1} ],
	[ 'group by a slug', q{SELECT slugify(title), count(*) FROM %A GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5} ],
	[ 'join', q{SELECT slugify(u.name), count(*) FROM %A a JOIN %U u ON u.id = a.author
		WHERE word_count(a.title) > 3 GROUP BY 1 ORDER BY 1 LIMIT 7} ],
	[ 'aggregate', q{SELECT approx_count_distinct(slugify(title)), count(DISTINCT slugify(title)) FROM %A} ],
	[ 'set-returning, lateral', q{SELECT f, count(*) FROM %A a CROSS JOIN LATERAL csv_fields(replace(a.title, ' ', ',')) f
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5} ],
	[ 'set-returning, select list', q{SELECT count(*), count(DISTINCT f) FROM (SELECT csv_fields(replace(title, ' ', ',')) f FROM %A) s} ],
	[ 'returns table', q{SELECT p.level, count(*), sum(p.line_no), max(p.message) FROM %A a
		CROSS JOIN LATERAL parse_log(CASE WHEN a.id % 3 = 0 THEN 'WARN ' ELSE 'INFO ' END || a.title || E'\n\nDEBUG ' || a.id) p
		GROUP BY 1 ORDER BY 1} ],
	[ 'aggregate by group', q{SELECT author % 5, approx_count_distinct(title) FROM %A GROUP BY 1 ORDER BY 1} ],
);
for my $q (@queries)
{
	my ($name, $sql) = @$q;
	(my $dist = $sql) =~ s/%A/articles/g;
	$dist =~ s/%U/authors/g;
	(my $local = $sql) =~ s/%A/articles_local/g;
	$local =~ s/%U/authors_local/g;
	my $got = $coord->safe_psql('postgres', "SET ROLE alice; $dist");
	isnt($got, '', "$name: has rows");
	is($got, $coord->safe_psql('postgres', "SET ROLE alice; $local"),
		"$name: a distributed query gives what the same query on one node gives");
}

# EXPLAIN: the wasm function is in the workers' plans.
my $explain = $coord->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT slugify(title), count(*) FROM articles
	   WHERE word_count(title) > 3 GROUP BY 1});
note $explain;
like($explain, qr/Task Count: 32/, 'EXPLAIN: 32 tasks');
like($explain, qr/Node: host=.*\n(?:.*\n)*?.*Group Key: slugify\(articles\.title\)(?:.*\n)*?.*Filter: \(word_count\(articles\.title\) > 3\)/,
	'EXPLAIN: the worker task groups by slugify() and filters by word_count()');
$explain = $coord->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT approx_count_distinct(title) FROM articles});
like($explain, qr/coord_combine_agg\(.*\n(?:.*\n)*?.*Query: SELECT worker_partial_agg\('public\.approx_count_distinct\(text\)'/,
	'EXPLAIN: the aggregate runs partially in the worker tasks, combined on the coordinator');

# A distributed function colocated with the table: calls are delegated to
# the worker that holds the shard of the argument.
$coord->safe_psql(
	'postgres', q{
	SET ROLE alice;
	CREATE FUNCTION article_words(int8) RETURNS int4 LANGUAGE sql
		AS $$ SELECT word_count(title) FROM articles WHERE id = $1 $$;
	SELECT create_distributed_function('article_words(int8)', '$1', colocate_with := 'articles');
});
is($coord->safe_psql('postgres',
		q{SELECT distribution_argument_index, colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'articles'::regclass)
		    FROM pg_dist_object WHERE objid = 'article_words(int8)'::regprocedure}),
	'0|t', 'create_distributed_function colocates a function with articles');
is($coord->safe_psql('postgres', q{SELECT article_words(42), word_count(title) FROM articles_local WHERE id = 42}),
	'6|6', 'a delegated call runs the wasm function on the worker');
($rc, $stdout, $stderr) = $coord->psql('postgres',
	q{SET citus.log_remote_commands = on; SET client_min_messages = log; SELECT article_words(7)});
like($stderr, qr/issuing SELECT public\.article_words\('7'::bigint\)/, 'the call is delegated to a worker');

# The same with a wasm function itself as the distributed function.
$coord->safe_psql(
	'postgres', q{
	SET ROLE alice;
	-- volatile: an immutable call with a constant argument is folded by the
	-- coordinator's planner before Citus could delegate it
	CREATE FUNCTION fib(int4) RETURNS int8 STRICT LANGUAGE wasm AS 'fib:fib';
	CREATE TABLE events (id int4, n int4);
	SELECT create_distributed_table('events', 'id');
	SELECT create_distributed_function('fib(int4)', '$1', colocate_with := 'events');
});
($rc, $stdout, $stderr) = $coord->psql('postgres',
	q{SET citus.log_remote_commands = on; SET client_min_messages = log; SELECT fib(40)});
is($stdout, '102334155', 'a distributed wasm function answers');
like($stderr, qr/issuing SELECT public\.fib\(40\)/, '... from the worker that holds the shard of its argument');

# ---- replace: every node, and every cache ----------------------------------------
my $qv = q{SELECT string_agg(DISTINCT mod_version() || label(), ',') FROM articles};
my $session = $coord->background_psql('postgres', on_error_stop => 0);
is($session->query_safe("SET ROLE alice; $qv"), '1one', 'a session caches version 1 on the workers');
my $wsession = $workers[0]->background_psql('postgres', on_error_stop => 0);
is($wsession->query_safe('SELECT mod_version()'), '1', 'a worker session caches version 1');

my $sha2 = $coord->safe_psql('postgres', "SET ROLE alice; SELECT wasm.install_module('version', $v2, true)");
$want = 'version:alice:' . substr($sha2, 0, 8);
like(on_all($modq), qr/^(?:[^\/]*\Q$want\E[^\/]*(?: \/ |$)){3}$/, 'replace reaches every node');
is($session->query_safe($qv), '2two',
	'the next query of the session runs version 2 on every shard (Citus\'s kept connections)');
is($wsession->query_safe('SELECT mod_version()'), '2', 'a worker session sees version 2');

# A transaction that has called the module holds it: a replace waits for it.
$session->query_safe("BEGIN; $qv");
($rc, $stdout, $stderr) = $coord->psql('postgres',
	"SET lock_timeout = '300ms'; SET ROLE alice; SELECT wasm.install_module('version', $v2, true)");
like($stderr, qr/lock timeout/, 'a replace waits for a transaction that uses the module');
$session->query_safe('COMMIT');
is($coord->safe_psql('postgres', "SET lock_timeout = '5s'; SET ROLE alice; SELECT wasm.install_module('version', $v2, true)"),
	$sha2, '... and goes ahead once it ends');

# ---- who may change modules ---------------------------------------------------------
($rc, $stdout, $stderr) = $coord->psql('postgres', "SET ROLE bob; SELECT wasm.install_module('version', $v1, true)");
like($stderr, qr/must be owner of wasm module "version"/, 'bob may not replace alice\'s module on the coordinator');
# Citus does not propagate GRANTs on an extension's functions: the rights to
# install and drop are the workers' own.  Even granted there, they do not
# let anyone change a worker's modules.
$_->safe_psql('postgres', q{GRANT EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean),
	wasm.drop_module(text, boolean) TO alice}) for @workers;
($rc, $stdout, $stderr) = $workers[0]->psql('postgres', "SET ROLE alice; SELECT wasm.install_module('version', $v1, true)");
like($stderr, qr/cannot install wasm modules on a Citus worker/, 'nobody installs on a worker, the owner neither');
($rc, $stdout, $stderr) = $workers[0]->psql('postgres', "SELECT wasm.install_module('other', $v1)");
like($stderr, qr/cannot install wasm modules on a Citus worker/, '... not even a superuser, not even a new name');
($rc, $stdout, $stderr) = $workers[1]->psql('postgres', "SET ROLE alice; SELECT wasm.drop_module('version', true)");
like($stderr, qr/cannot drop wasm modules on a Citus worker/, 'nobody drops on a worker');
($rc, $stdout, $stderr) = $workers[1]->psql('postgres', 'SET ROLE alice; DROP FUNCTION wasm_module.version()');
like($stderr, qr/not allowed on this node/, 'DROP FUNCTION of a module on a worker: Citus refuses');
($rc, $stdout, $stderr) = $workers[1]->psql('postgres',
	q{CREATE OR REPLACE FUNCTION wasm_module.version() RETURNS wasm.module LANGUAGE wasm AS 'x'});
like($stderr, qr/not allowed on this node|invalid body/, 'CREATE OR REPLACE of a module on a worker is refused');
is(on_all(q{SELECT left(sha256, 8) FROM wasm.modules WHERE name = 'version'}),
	join(' / ', (substr($sha2, 0, 8)) x 3), 'the module is still version 2 everywhere');

# ---- replace during load: nothing lost, no query mixes versions ---------------------
# pgbench on the coordinator, 4 clients: each transaction inserts a row
# computed by the module into a distributed table, then records which
# versions one query over all 32 shards saw.  Meanwhile the module is
# replaced 12 times.
{
	$coord->safe_psql(
		'postgres', q{
		SET ROLE alice;
		CREATE TABLE writes (id int8, v int4, l text);
		CREATE TABLE checks (t timestamptz, seen text);
		SELECT create_distributed_table('writes', 'id');
	});
	my $script = "$out/replace_load.sql";
	open my $fh, '>', $script or die $!;
	print $fh q{\set id random(1, 1000000000000)
INSERT INTO writes VALUES (:id, mod_version(), label());
INSERT INTO checks SELECT now(), string_agg(DISTINCT mod_version() || label(), ',') FROM articles;
};
	close $fh;
	my ($bench_out, $bench_err) = ('', '');
	my $bench = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '8', '-U', 'alice', '-f', $script,
			'-h', $host, '-p', $coord->port, 'postgres' ],
		'>', \$bench_out, '2>', \$bench_err);
	my @mods = ($v1, $v2);
	for my $round (1 .. 12)
	{
		$coord->safe_psql('postgres',
			"SET ROLE alice; SELECT wasm.install_module('version', $mods[($round + 1) % 2], true)");
		select(undef, undef, undef, 0.5);
	}
	$bench->finish;
	my ($tx) = $bench_out =~ /number of transactions actually processed: (\d+)/;
	my ($failed) = $bench_out =~ /number of failed transactions: (\d+)/;
	note $bench_out, $bench_err;
	# Only that the load ran: how many transactions fit in the 8 s window
	# depends on the machine (a slow VM gave 96 once), and the checks
	# below hold for any number of them.
	ok(defined $tx && $tx > 0, 'replace during load: pgbench ran (' . ($tx // 'no') . ' transactions)');
	unlike($bench_err, qr/ERROR/, 'replace during load: no statement failed');
	is($coord->safe_psql('postgres', q{SELECT count(*) FROM checks WHERE seen LIKE '%,%'}), '0',
		'replace during load: no query over all shards saw two versions');
	is($coord->safe_psql('postgres', q{SELECT string_agg(DISTINCT seen, ',' ORDER BY seen) FROM checks}),
		'1one,2two', 'replace during load: the queries saw both versions, in turn');
	is($coord->safe_psql('postgres', 'SELECT count(*) FROM writes'), $tx,
		'replace during load: every committed row is there');
	is($coord->safe_psql('postgres', q{SELECT string_agg(DISTINCT v || l, ',' ORDER BY v || l) FROM writes}),
		'1one,2two', 'replace during load: both versions wrote rows, none a mix');
}

# ---- a node added later ----------------------------------------------------------------
my $w3 = citus_node('worker3');
$coord->safe_psql('postgres', "SELECT citus_add_node('$host', " . $w3->port . ")");
push @nodes, $w3;
is($w3->safe_psql('postgres', $modq), $coord->safe_psql('postgres', $modq),
	'a node added later has the modules');
is($w3->safe_psql('postgres', q{SET ROLE alice; SELECT mod_version() || label() || slugify('Added Later')}),
	'2twoadded-later', 'a node added later has the functions, and they run');
($rc, $stdout, $stderr) = $w3->psql('postgres', "SELECT wasm.install_module('other', $v1)");
like($stderr, qr/on a Citus worker/, 'the new node is a worker for pgwasm too');

# ---- a worker restart --------------------------------------------------------------
$workers[0]->restart;
is($session->query_safe($qv), '2two', 'after a worker restart, the session\'s next query works');
is($coord->safe_psql('postgres', 'SET ROLE alice; ' . $queries[2][1] =~ s/%A/articles/gr),
	$coord->safe_psql('postgres', 'SET ROLE alice; ' . $queries[2][1] =~ s/%A/articles_local/gr),
	'... and so do new sessions');
$session->quit;
$wsession->quit;

# ---- drop -------------------------------------------------------------------------
$coord->safe_psql('postgres', "SET ROLE alice; SELECT wasm.drop_module('version', cascade => true)");
is(on_all(q{SELECT count(*) FROM wasm.modules WHERE name = 'version'}),
	'0 / 0 / 0 / 0', 'drop_module reaches every node');
is(on_all(q{SELECT count(*) FROM pg_proc WHERE proname IN ('mod_version', 'label')}),
	'0 / 0 / 0 / 0', '... with the functions it cascades to');
is($coord->safe_psql('postgres',
		q{SELECT count(*) FROM pg_dist_object WHERE classid = 'pg_proc'::regclass AND objid NOT IN (SELECT oid FROM pg_proc)}),
	'0', 'Citus forgets the dropped functions');

# ---- ownership -----------------------------------------------------------------
$coord->safe_psql('postgres', 'REASSIGN OWNED BY alice TO bob');
is(on_all(q{SELECT string_agg(DISTINCT owner, ',') FROM wasm.modules}), 'bob / bob / bob / bob',
	'REASSIGN OWNED on the coordinator gives the modules to bob on every node');

# ---- a database that had pgwasm before Citus: docs/distributed.md -------------------
{
	my $legacy = PostgreSQL::Test::Cluster->new('legacy');
	$legacy->init;
	$legacy->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus, pgwasm'
citus.node_conninfo = 'sslmode=disable'
max_prepared_transactions = 50
});
	$legacy->start;
	$legacy->safe_psql(
		'postgres', qq{
		CREATE EXTENSION pgwasm;
		SELECT wasm.install_module('early', $v1);
		CREATE FUNCTION early_label() RETURNS text LANGUAGE wasm AS 'early:label';
		CREATE EXTENSION citus;
		SELECT citus_set_coordinator_host('$host', } . $legacy->port . q{);
	});
	my $lw = citus_node('legacy_worker');
	$legacy->safe_psql('postgres', "SELECT citus_add_node('$host', " . $lw->port . ")");
	is($lw->safe_psql('postgres', q{SELECT count(*) FROM pg_proc WHERE proname = 'early'}), '0',
		'modules from before Citus are not on the worker yet');
	# The statements of docs/distributed.md, as they are there.
	open my $doc, '<', "$root/docs/distributed.md" or die $!;
	my $text = do { local $/; <$doc> };
	close $doc;
	my ($steps) = $text =~ /## A database that had pgwasm before Citus.*?```sql\n(.*?)```/s;
	ok(defined $steps, 'docs/distributed.md has the statements');
	$legacy->safe_psql('postgres', $steps);
	is($lw->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'pgwasm'}),
		$defver, 'after the documented statements the worker has the extension');
	is($lw->safe_psql('postgres', q{SELECT name FROM wasm.modules}), 'early',
		'... and the module');
	is($lw->safe_psql('postgres', q{SELECT early_label()}), 'one', '... and the function, which runs');

	# ALTER EXTENSION UPDATE on the coordinator reaches the workers (a database
	# of its own, since Citus's metadata is per database).
	for my $n ($legacy, $lw)
	{
		$n->safe_psql('postgres', 'CREATE DATABASE upd');
		$n->safe_psql('upd', 'CREATE EXTENSION citus');
	}
	$legacy->safe_psql('upd', "SELECT citus_set_coordinator_host('$host', " . $legacy->port . ")");
	$legacy->safe_psql('upd', "SELECT citus_add_node('$host', " . $lw->port . ")");
	$legacy->safe_psql('upd', q{CREATE EXTENSION pgwasm VERSION '0.1.0'});
	is($lw->safe_psql('upd', q{SELECT extversion FROM pg_extension WHERE extname = 'pgwasm'}),
		'0.1.0', 'CREATE EXTENSION pgwasm VERSION 0.1.0 reaches the worker');
	$legacy->safe_psql('upd', 'ALTER EXTENSION pgwasm UPDATE');
	is($lw->safe_psql('upd', q{SELECT extversion FROM pg_extension WHERE extname = 'pgwasm'}),
		$defver, 'ALTER EXTENSION pgwasm UPDATE on the coordinator updates the worker');
	$legacy->stop;
	$lw->stop;
}

done_testing();
