# test/tap/008_drop_extension.pl — DROP EXTENSION pgwasm CASCADE in one
# session while another is in the middle of a transaction that already
# called wasm functions (issue 11).
#
# The second session's catalog caches still describe the dropped objects
# until it processes the invalidations: a statement that takes no lock (a
# bare SELECT f()) resolves the function, its language and the module
# catalog from those stale entries.  Its next wasm call must fail with a
# user-facing error (a proper SQLSTATE, never XX000 "could not open
# relation with OID ..."), and the backend must stay usable: ROLLBACK,
# CREATE EXTENSION again, install, call.  Three ways in: a wasm function
# called directly, one called from a PL/pgSQL function (whose cached plan
# survives the drop), and an extension SQL function that reads the module
# catalog (wasm.module_exports).
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


my $spin  = wat_bytea($fixtures, 'spin');
my $setup = qq{
	CREATE EXTENSION pgwasm;
	SELECT wasm.install_module('spin', $spin);
	CREATE FUNCTION answer() RETURNS int4 LANGUAGE wasm AS 'spin:answer';
};

my $node = PostgreSQL::Test::Cluster->new('drop_extension');
$node->init;
$node->start;
$node->safe_psql('postgres', $setup);
# Not part of the extension: survives DROP EXTENSION ... CASCADE.
$node->safe_psql('postgres',
	'CREATE FUNCTION call_answer() RETURNS int4 LANGUAGE plpgsql AS $$ BEGIN RETURN answer(); END $$'
);
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

my $sa = $node->background_psql('postgres', on_error_stop => 0);
$sa->query_safe('SET client_min_messages = warning');
# "ERROR:  <SQLSTATE>: message", so the code can be checked.
$sa->query_safe('\set VERBOSITY verbose');
my $pid = $sa->query_safe('SELECT pg_backend_pid()');

# Run $sql in A: it must fail with one of the SQLSTATEs @codes, and never
# with an internal error.
sub fails_cleanly
{
	my ($sql, $codes, $name) = @_;
	$sa->{stderr} = '';
	$sa->query($sql);
	my $err = $sa->{stderr};
	$sa->{stderr} = '';
	my $alt = join('|', @$codes);
	like($err, qr/ERROR:  ($alt): /, "$name: SQLSTATE " . join(' or ', @$codes));
	unlike($err, qr/XX000|could not open relation|cache lookup failed/,
		"$name: no internal error");
	note("A got: $err");
	return $err;
}

# Drop the extension from another session while A's transaction is open,
# after A ran $warmup in it; then run $sql in A.
sub drop_under
{
	my ($warmup, $sql, $codes, $name) = @_;
	$sa->query_safe('BEGIN');
	$sa->query_safe($warmup);
	$node->safe_psql('postgres', 'SET client_min_messages = warning; DROP EXTENSION pgwasm CASCADE');
	fails_cleanly($sql, $codes, $name);
	$sa->query_safe('ROLLBACK');
	is($sa->query_safe('SELECT pg_backend_pid()'), $pid, "$name: the same backend answers");

	# Re-created from A itself: its caches follow the new catalog.
	$sa->query_safe($setup);
	is($sa->query_safe('SELECT answer(), call_answer()'),
		'42|42', "$name: CREATE EXTENSION again, install, call: works");
}

is($sa->query_safe('SELECT answer(), call_answer()'), '42|42', 'A: works before any drop');

# The function itself is gone: 42883 (undefined_function), or 55000 if the
# drop is only noticed at the module catalog.
drop_under('SELECT answer()', 'SELECT answer()', [ '42883', '55000' ],
	'direct call after DROP EXTENSION');
# (PL/pgSQL plans call_answer() afresh in this transaction: an FmgrInfo
# already bound in it would serve the call without any catalog access.)
drop_under('SELECT answer()', 'SELECT call_answer()', [ '42883', '55000' ],
	'call from PL/pgSQL after DROP EXTENSION');
drop_under("SELECT count(*) FROM wasm.module_exports('spin')",
	"SELECT count(*) FROM wasm.module_exports('spin')",
	[ '55000', '42704' ], 'wasm.module_exports after DROP EXTENSION');

# The same once more in a later transaction of A: nothing stale is left over.
is($sa->query_safe('SELECT answer(), call_answer(), pg_backend_pid()'),
	"42|42|$pid", 'A: still works in a new transaction');

$sa->quit;
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster did not restart');
unlike(slurp_file($node->logfile), qr/terminated by signal|TRAP:/, 'no backend crashed');
$node->stop;
done_testing();
