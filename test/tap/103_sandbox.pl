# test/tap/103_sandbox.pl — sandbox escape attempts as regression tests
# (issue 4):
# - a module importing anything outside the granted capabilities is refused
#   at install, and the error names the import; the WASI calls that are
#   granted (so that wasi-libc programs link) reach nothing: no file, no
#   socket, no environment;
# - a guest cannot read or write outside its linear memory or tables,
#   whatever the address, offset or instruction;
# - a role cannot observe another role's instance state (global, memory,
#   table), in the same backend (SET ROLE, SECURITY DEFINER) or in another;
# - a role cannot exceed or raise its limits (fuel, stack, memory, tables);
# - a non-owner cannot replace or drop another role's module, and a role
#   without EXECUTE on wasm.install_module cannot install, nor touch the
#   module store directly.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(abs_path(__FILE__)) . '/fixtures';

plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};

# A module as a bytea literal, from fixtures/NAME.wat or from WAT text.
my $n_inline = 0;

sub wasm_bytea
{
	my ($name, $wat) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my $src = "$fixtures/$name.wat";
	if (defined $wat)
	{
		$src = "$dir/$name.wat";
		open my $w, '>', $src or die "cannot write $src: $!";
		print $w $wat;
		close $w;
	}
	my $wasm = "$dir/$name.wasm";
	system_or_bail('wat2wasm', $src, '-o', $wasm);
	open my $fh, '<:raw', $wasm or die "cannot read $wasm: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return "'\\x" . unpack('H*', $bytes) . "'::bytea";
}

my $node = PostgreSQL::Test::Cluster->new('sandbox');
$node->init;
$node->append_conf('postgresql.conf', "log_statement = none\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
$node->safe_psql(
	'postgres', q{
	CREATE ROLE alice LOGIN;
	CREATE ROLE bob LOGIN;
	CREATE ROLE carol LOGIN;
	CREATE ROLE dave LOGIN;
	GRANT CREATE ON SCHEMA public TO alice, bob, carol, dave;
	GRANT EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean),
	                          wasm.drop_module(text, boolean) TO alice, bob, dave;
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# Run $sql (as role $role, or the superuser); returns (stdout, stderr).
sub run_as
{
	my ($role, $sql) = @_;
	my ($out, $err) = ('', '');
	$sql = "SET ROLE $role;\n$sql" if $role;
	$node->psql(
		'postgres', "\\set VERBOSITY verbose\n$sql",
		stdout        => \$out,
		stderr        => \$err,
		on_error_stop => 0);
	return ($out, $err);
}

sub fails_as
{
	my ($role, $sql, $state, $re, $name) = @_;
	my (undef, $err) = run_as($role, $sql);
	like($err, qr/ERROR:  (?:$state): [^\n]*$re/, $name);
}

sub returns_as
{
	my ($role, $sql, $expected, $name) = @_;
	my ($out, $err) = run_as($role, $sql);
	is($out, $expected, $name) or diag($err);
}

# ==== imports outside the grant are refused at install, naming the import ============
my @refused = (
	[ 'env.system', '(import "env" "system" (func (param i32) (result i32)))',
		qr/"env"\."system"/ ],
	[ 'a WASI fd_open (not in preview1)',
		'(import "wasi_snapshot_preview1" "fd_open" (func (param i32 i32) (result i32)))',
		qr/"wasi_snapshot_preview1"\."fd_open"/ ],
	[ 'a WASI sock_open (not in preview1)',
		'(import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32) (result i32)))',
		qr/"wasi_snapshot_preview1"\."sock_open"/ ],
	[ 'WASI path_open with another type',
		'(import "wasi_snapshot_preview1" "path_open" (func (param i32) (result i32)))',
		qr/"wasi_snapshot_preview1"\."path_open"/ ],
	[ 'the old "wasi_unstable" module',
		'(import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
		qr/"wasi_unstable"\."fd_write"/ ],
	[ 'pgwasm.unknown', '(import "pgwasm" "unknown" (func))', qr/"pgwasm"\."unknown"/ ],
	[ 'pgwasm.spi_exec', '(import "pgwasm" "spi_exec" (func (param i32 i32) (result i32)))',
		qr/"pgwasm"\."spi_exec"/ ],
	[ 'pgwasm.log with another type', '(import "pgwasm" "log" (func (param i32 i32)))',
		qr/"pgwasm"\."log"/ ],
	[ 'a name with a NUL byte', '(import "pgwasm\00" "log" (func (param i32 i32 i32)))',
		qr/"pgwasm/ ],
	[ 'an empty module name', '(import "" "log" (func (param i32 i32 i32)))', qr/""\."log"/ ],
	[ 'a memory', '(import "env" "memory" (memory 1))', qr/memory "env"\."memory"/ ],
	[ 'a table', '(import "env" "table" (table 1 funcref))', qr/table "env"\."table"/ ],
	[ 'a global', '(import "env" "g" (global i32))', qr/global "env"\."g"/ ],
	[ 'one bad import after good ones',
		'(import "pgwasm" "log" (func (param i32 i32 i32))) (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (import "env" "getenv" (func (param i32) (result i32)))',
		qr/"env"\."getenv"/ ],);
for my $case (@refused)
{
	my ($what, $import, $names) = @$case;
	my $mod = 'refused_' . ++$n_inline;
	my $bytes = wasm_bytea($mod,
		"(module $import (func (export \"f\") (result i32) (i32.const 0)))");
	for my $role ('', 'alice')
	{
		my (undef, $err) =
		  run_as($role, "SELECT wasm.install_module('$mod', $bytes)");
		like($err, qr/ERROR:  \w{5}: wasm module "$mod" cannot be installed: [^\n]*$names/,
			"import of $what refused at install" . ($role ? " (as $role)" : ''));
	}
	returns_as('', "SELECT count(*) FROM wasm.modules WHERE name = '$mod'", '0',
		"... and nothing was stored for $what");
}

# The WASI calls that are granted reach nothing.
$node->safe_psql('postgres',
	"SELECT wasm.install_module('wasi_probe', " . wasm_bytea('wasi_probe') . ")");
for my $f (
	qw(open_passwd prestat3 read_stdin write_fd3 sock_send0 sock_accept3 environ_count
	args_count write_bad_iovs write_bad_buf write_bad_count))
{
	$node->safe_psql('postgres',
		"CREATE FUNCTION w_$f() RETURNS int4 LANGUAGE wasm AS 'wasi_probe:$f'");
}
returns_as('alice', 'SELECT w_open_passwd(), w_prestat3(), w_read_stdin(), w_write_fd3()',
	'8|8|8|8', 'WASI path_open, fd_prestat_get, fd_read, fd_write(3): EBADF, no file reachable');
my ($sock) = run_as('alice', 'SELECT w_sock_send0(), w_sock_accept3()');
like($sock, qr/^(8|52)\|(8|52)$/, 'WASI sock_send, sock_accept: EBADF or ENOSYS, no socket');
returns_as('alice', 'SELECT w_environ_count(), w_args_count()',
	'0|0', 'WASI environment and arguments are empty');
returns_as('alice', 'SELECT w_write_bad_iovs(), w_write_bad_buf(), w_write_bad_count()',
	'21|21|21', 'WASI fd_write with pointers outside memory: EFAULT, nothing read or written');

# ==== out-of-bounds memory and table accesses trap =============================================
$node->safe_psql('postgres',
	"SELECT wasm.install_module('oob', " . wasm_bytea('oob') . ")");
$node->safe_psql('postgres',
	"SELECT wasm.install_module('mem0', " . wasm_bytea('mem0') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION o_pages() RETURNS int4 LANGUAGE wasm AS 'oob:pages';
	CREATE FUNCTION o_grow(int4) RETURNS int4 LANGUAGE wasm AS 'oob:grow';
	CREATE FUNCTION o_load8(int4) RETURNS int4 LANGUAGE wasm AS 'oob:load8';
	CREATE FUNCTION o_load32(int4) RETURNS int4 LANGUAGE wasm AS 'oob:load32';
	CREATE FUNCTION o_load64(int4) RETURNS int8 LANGUAGE wasm AS 'oob:load64';
	CREATE FUNCTION o_load_off(int4) RETURNS int4 LANGUAGE wasm AS 'oob:load_off';
	CREATE FUNCTION o_store32(int4, int4) RETURNS int4 LANGUAGE wasm AS 'oob:store32';
	CREATE FUNCTION o_copy(int4, int4, int4) RETURNS int4 LANGUAGE wasm AS 'oob:copy';
	CREATE FUNCTION o_fill(int4, int4) RETURNS int4 LANGUAGE wasm AS 'oob:fill';
	CREATE FUNCTION o_init(int4, int4, int4) RETURNS int4 LANGUAGE wasm AS 'oob:init';
	CREATE FUNCTION o_call_ind(int4) RETURNS int4 LANGUAGE wasm AS 'oob:call_ind';
	CREATE FUNCTION o_table_null(int4) RETURNS bool LANGUAGE wasm AS 'oob:table_null';
	CREATE FUNCTION o_table_bomb() RETURNS int4 LANGUAGE wasm AS 'oob:table_bomb';
	CREATE FUNCTION m0_load8(int4) RETURNS int4 LANGUAGE wasm AS 'mem0:load8';
});
# How many of the calls (one per array element) trap with 38000.
$node->safe_psql('postgres', q{
	CREATE FUNCTION count_traps(calls text[]) RETURNS int LANGUAGE plpgsql AS $$
	DECLARE n int := 0; c text;
	BEGIN
	  FOREACH c IN ARRAY calls LOOP
	    BEGIN
	      EXECUTE 'SELECT ' || c;
	    EXCEPTION WHEN external_routine_exception THEN
	      n := n + 1;
	    END;
	  END LOOP;
	  RETURN n;
	END $$;
});

returns_as('alice', 'SELECT o_load32(65532), o_load8(65535), o_load64(65528), o_store32(65532, 9)',
	'0|0|0|9', 'the last bytes of memory are readable and writable');
my @oob = (
	[ 'o_load8(65536)',             'load8 one past the end' ],
	[ 'o_load32(65533)',            'load32 straddling the end' ],
	[ 'o_load64(65529)',            'load64 straddling the end' ],
	[ 'o_load8(-1)',                'load8 at 0xffffffff' ],
	[ 'o_load32(-4)',               'load32 at 0xfffffffc' ],
	[ 'o_load32(-2147483648)',      'load32 at 0x80000000' ],
	[ 'o_load64(-8)',               'load64 at 0xfffffff8' ],
	[ 'o_load_off(0)',              'offset 0xffffffff from address 0' ],
	[ 'o_load_off(1)',              'offset 0xffffffff from address 1 (wraps 32 bits)' ],
	[ 'o_load_off(-1)',             'offset 0xffffffff from address 0xffffffff' ],
	[ 'o_store32(65533, 1)',        'store32 straddling the end' ],
	[ 'o_store32(-1, 1)',           'store32 at 0xffffffff' ],
	[ 'o_copy(0, 65535, 2)',        'memory.copy from past the end' ],
	[ 'o_copy(65535, 0, 2)',        'memory.copy to past the end' ],
	[ 'o_copy(0, -1, 2)',           'memory.copy from 0xffffffff (wraps)' ],
	[ 'o_fill(65535, 2)',           'memory.fill past the end' ],
	[ 'o_fill(1, -1)',              'memory.fill of 4 GB' ],
	[ 'o_init(65534, 0, 4)',        'memory.init past the end of memory' ],
	[ 'o_init(0, 1, 4)',            'memory.init past the end of the segment' ],
	[ 'o_call_ind(2)',              'call_indirect past the end of the table' ],
	[ 'o_call_ind(-1)',             'call_indirect at index 0xffffffff' ],
	[ 'o_call_ind(1)',              'call_indirect of a null entry' ],
	[ 'o_table_null(2)',            'table.get past the end of the table' ],
	[ 'm0_load8(0)',                'load8 at 0 in a memory of 0 pages' ],);
for my $case (@oob)
{
	my ($call, $what) = @$case;
	fails_as('alice', "SELECT $call", '38000', qr/wasm trap: (out of bounds|undefined element|uninitialized element)/,
		"out of bounds: $what traps");
}
# 2,000 addresses from the end of memory up to 0xffffffff, with every width.
my @calls;
for my $i (0 .. 499)
{
	my $addr = 65536 + int($i * ((2**32 - 65536) / 500));
	$addr -= 2**32 if $addr >= 2**31;
	push @calls, "o_load8($addr)", "o_load32($addr)", "o_load64($addr)", "o_store32($addr, 1)";
}
returns_as('alice', "SELECT count_traps(ARRAY['" . join("','", @calls) . "'])",
	scalar(@calls), scalar(@calls) . ' loads and stores spread over [64 kB, 4 GB) all trap');
returns_as('alice', 'SELECT o_grow(1), o_load32(65536 + 65532), o_pages()',
	'1|0|2', 'after memory.grow the new page is readable, nothing more');
fails_as('alice', 'BEGIN; SELECT o_grow(1); SELECT o_load32(131072)', '38000',
	qr/out of bounds/, '... and the byte after it traps');

# ==== another role's instance state is invisible ====================================
$node->safe_psql('postgres',
	"SELECT wasm.install_module('rolestate', " . wasm_bytea('rolestate') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION r_put(int4) RETURNS int4 LANGUAGE wasm AS 'rolestate:put';
	CREATE FUNCTION r_get() RETURNS int4 LANGUAGE wasm AS 'rolestate:get';
	-- bob's functions running as bob whoever calls them
	CREATE FUNCTION bob_get() RETURNS int4 SECURITY DEFINER LANGUAGE wasm AS 'rolestate:get';
	CREATE FUNCTION bob_put(int4) RETURNS int4 SECURITY DEFINER LANGUAGE wasm AS 'rolestate:put';
	ALTER FUNCTION bob_get() OWNER TO bob;
	ALTER FUNCTION bob_put(int4) OWNER TO bob;
});

my $a = $node->background_psql('postgres', on_error_stop => 0);
$a->set_query_timer_restart();
my $apid = $a->query_safe('SELECT pg_backend_pid()');
$a->query_safe('BEGIN');
$a->query_safe('SET ROLE alice');
is($a->query_safe('SELECT r_put(42), r_get()'), '42|1042042',
	'alice writes a global, a memory cell and a table slot, and reads them back');
$a->query_safe('SET ROLE bob');
is($a->query_safe('SELECT r_get()'), '0', 'bob, same backend, same transaction: a fresh instance');
is($a->query_safe('SELECT r_put(7), r_get()'), '7|1007007', 'bob writes his own state');
$a->query_safe('RESET ROLE');
is($a->query_safe('SELECT r_get()'), '0', 'the superuser, same transaction: a fresh instance');
$a->query_safe('SET ROLE alice');
is($a->query_safe('SELECT r_get()'), '1042042', "alice's state is intact, bob's writes did not reach it");
is($a->query_safe('SELECT bob_get()'), '1007007',
	"a SECURITY DEFINER function of bob's, called by alice, runs on bob's instance");
is($a->query_safe('SELECT bob_put(99), r_get()'), '99|1042042',
	"... and writing through it does not touch alice's instance");

# Meanwhile, in another backend, as alice and as bob: fresh instances.
returns_as('alice', 'SELECT r_get()', '0', "another backend as alice: alice's state there is fresh");
returns_as('bob',   'SELECT r_get(), bob_get()', '0|0', 'another backend as bob: fresh too');
$a->query_safe('COMMIT');
is($a->query_safe('SELECT r_get()'), '0', "after COMMIT alice's instance is reset");
$a->query_safe('SET ROLE bob');
is($a->query_safe('SELECT r_get()'), '0', "and bob's");
is($a->query_safe('SELECT pg_backend_pid()'), $apid, 'all in one backend');
$a->quit;

# ==== limits cannot be exceeded or raised ==========================================
$node->safe_psql('postgres',
	"SELECT wasm.install_module('faults', " . wasm_bytea('faults') . ")");
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION spin() RETURNS int4 LANGUAGE wasm AS 'faults:spin';
	CREATE FUNCTION recurse(int4) RETURNS int4 LANGUAGE wasm AS 'faults:recurse';
	CREATE FUNCTION grow_bomb() RETURNS int4 LANGUAGE wasm AS 'faults:grow_bomb';
	ALTER ROLE alice SET pgwasm.fuel = 1000000;
	ALTER ROLE alice SET pgwasm.max_memory = '1MB';
	ALTER ROLE alice SET pgwasm.max_stack = '64kB';
});
sub as_alice
{
	my ($sql) = @_;
	my ($out, $err) = ('', '');
	$node->psql(
		'postgres', "\\set VERBOSITY verbose\n$sql",
		stdout        => \$out,
		stderr        => \$err,
		on_error_stop => 0,
		extra_params  => [ '-U', 'alice' ]);
	return ($out, $err);
}
my ($o, $e) = as_alice('SELECT spin()');
like($e, qr/ERROR:  54000: wasm trap: fuel exhausted/, 'alice (pgwasm.fuel = 1000000): an infinite loop runs out of fuel');
($o, $e) = as_alice('SELECT recurse(0)');
like($e, qr/ERROR:  54001: wasm trap: call stack exhausted/, 'alice: unbounded recursion hits the stack limit');
($o, $e) = as_alice('SELECT grow_bomb()');
cmp_ok($o, '<=', 16, "alice (pgwasm.max_memory = 1MB): memory.grow stays within 16 pages ($o)");
($o, $e) = as_alice('SELECT o_table_bomb()');
cmp_ok($o, '<=', 1024 * 1024 / 128, "alice: table.grow stays within max_memory / 128 elements ($o)");
# Once the library is loaded, every way of raising a limit is refused.
for my $set (
	q{SET pgwasm.fuel = 0},
	q{SET pgwasm.max_memory = '4GB'},
	q{SET pgwasm.max_stack = '256MB'},
	q{SET LOCAL pgwasm.fuel = 0},
	q{RESET pgwasm.fuel},
	q{SELECT set_config('pgwasm.fuel', '0', false)},
	q{ALTER ROLE alice SET pgwasm.fuel = 0},
	q{CREATE FUNCTION spin_free() RETURNS int4 LANGUAGE wasm SET pgwasm.fuel = 0 AS 'faults:spin'})
{
	($o, $e) = as_alice("SELECT o_pages();\n$set");
	like($e, qr/ERROR:  42501: /, "alice cannot raise her limits: $set");
}
# Before it is loaded, SET only makes a placeholder; loading the library
# (the first wasm call) rejects the values alice set, and the limits hold.
($o, $e) = as_alice(
	"SET pgwasm.fuel = 0;\nSET pgwasm.max_memory = '4GB';\nSELECT spin();\nSELECT grow_bomb();\nSHOW pgwasm.fuel;");
like($e, qr/WARNING:  42501: permission denied to set parameter "pgwasm.fuel"/,
	'a placeholder pgwasm.fuel set by alice before the library loads is rejected when it loads');
like($e, qr/ERROR:  54000: wasm trap: fuel exhausted/, '... so the fuel limit holds');
like($o, qr/^1\n1e\+06$/, '... and so does the memory limit (grow_bomb: 1 page)');
for my $set (
	q{ALTER ROLE alice SET pgwasm.fuel = 0},
	q{CREATE FUNCTION spin_free() RETURNS int4 LANGUAGE wasm SET pgwasm.fuel = 0 AS 'faults:spin'})
{
	($o, $e) = as_alice($set);
	like($e, qr/ERROR:  42501: /, "alice cannot, before the library loads either: $set");
}
$node->safe_psql('postgres', q{
	ALTER ROLE alice RESET pgwasm.fuel;
	ALTER ROLE alice RESET pgwasm.max_memory;
	ALTER ROLE alice RESET pgwasm.max_stack;
});

# ==== owners: replace, drop, install ===============================================
my $v1 = wasm_bytea('loadv1');
my $v2 = wasm_bytea('loadv2');
returns_as('alice',
	"SELECT wasm.install_module('alice_mod', $v1) IS NOT NULL",
	't', 'alice (granted EXECUTE) installs alice_mod');
$node->safe_psql('postgres',
	"CREATE FUNCTION alice_tag() RETURNS int4 LANGUAGE wasm AS 'alice_mod:vtag'");
my $sha = $node->safe_psql('postgres', "SELECT sha256 FROM wasm.modules WHERE name = 'alice_mod'");

fails_as('bob', "SELECT wasm.install_module('alice_mod', $v2, replace => true)",
	'42501', qr/./, 'bob (granted EXECUTE) cannot replace alice_mod');
fails_as('bob', "SELECT wasm.drop_module('alice_mod')", '42501', qr/./,
	'bob cannot drop alice_mod');
fails_as('bob', "SELECT wasm.drop_module('alice_mod', cascade => true)", '42501', qr/./,
	'bob cannot drop alice_mod with cascade');
fails_as('bob', "SELECT wasm.install_module('alice_mod', $v2)", '42710|42501', qr/./,
	'bob cannot install over alice_mod without replace either');
fails_as('carol', "SELECT wasm.install_module('carol_mod', $v1)", '42501',
	qr/permission denied for function install_module/,
	'carol (no EXECUTE) cannot install');
fails_as('carol', "SELECT wasm.install_module('alice_mod', $v2, replace => true)", '42501',
	qr/permission denied for function install_module/, 'carol cannot replace');
fails_as('carol', "SELECT wasm.drop_module('alice_mod')", '42501',
	qr/permission denied for function drop_module/, 'carol cannot drop');
# A module is the function wasm_module.alice_mod(): bob may not change it
# through plain SQL either.
my $body = $node->safe_psql('postgres',
	"SELECT quote_literal(prosrc) FROM pg_proc WHERE oid = 'wasm_module.alice_mod()'::regprocedure");
for my $ddl (
	'DROP FUNCTION wasm_module.alice_mod()',
	'ALTER FUNCTION wasm_module.alice_mod() RENAME TO evil',
	'ALTER FUNCTION wasm_module.alice_mod() OWNER TO bob',
	"CREATE OR REPLACE FUNCTION wasm_module.alice_mod() RETURNS wasm.module LANGUAGE wasm AS $body",
	"CREATE FUNCTION wasm_module.evil() RETURNS wasm.module LANGUAGE wasm AS $body",
	"UPDATE pg_proc SET prosrc = 'x' WHERE oid = 'wasm_module.alice_mod()'::regprocedure")
{
	fails_as('bob', $ddl, '42501', qr/permission denied|must be owner/,
		'bob cannot: ' . substr($ddl, 0, 60));
}
fails_as('bob', 'ALTER FUNCTION alice_tag() RENAME TO mine', '42501', qr/must be owner/,
	"bob cannot alter the function over alice's module");
returns_as('',
	"SELECT sha256 = '$sha', owner FROM wasm.modules WHERE name = 'alice_mod'",
	't|alice', 'alice_mod is unchanged, still owned by alice');
returns_as('bob', 'SELECT alice_tag()', '1', 'and everybody still runs version 1');

$node->safe_psql('postgres', 'GRANT alice TO dave');
returns_as('dave',
	"SELECT wasm.install_module('alice_mod', $v2, replace => true) IS NOT NULL",
	't', 'dave, a member of alice, may replace alice_mod');
returns_as('bob', 'SELECT alice_tag()', '2', 'everybody runs version 2');
returns_as('alice', "SELECT wasm.drop_module('alice_mod', cascade => true)",
	'', 'alice drops her module');
returns_as('', "SELECT count(*) FROM wasm.modules WHERE name = 'alice_mod'", '0', 'gone');

# ==== the cluster is intact ======================================================
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster never restarted');
unlike(slurp_file($node->logfile),
	qr/terminated by signal|server process .* was terminated|all server processes terminated/,
	'no backend crashed');
$node->stop;
done_testing();
