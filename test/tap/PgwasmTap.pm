# test/tap/PgwasmTap.pm — helpers shared by pgwasm's TAP tests: a module
# from a WAT fixture as a bytea literal, and waiting until a backend runs a
# statement.  `use lib dirname(abs_path(__FILE__));` then `use PgwasmTap;`.
package PgwasmTap;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Utils;

our @EXPORT = qw(wat_bytea wait_active);

# Compile DIR/NAME.wat with wat2wasm; the module as a '\x...'::bytea literal.
sub wat_bytea
{
	my ($dir, $name) = @_;
	my $wasm = PostgreSQL::Test::Utils::tempdir() . "/$name.wasm";
	system_or_bail('wat2wasm', "$dir/$name.wat", '-o', $wasm);
	open my $fh, '<:raw', $wasm or die "cannot read $wasm: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return "'\\x" . unpack('H*', $bytes) . "'::bytea";
}

# Wait until backend $pid is running a statement that starts with $prefix.
sub wait_active
{
	my ($node, $pid, $prefix) = @_;
	$node->poll_query_until('postgres',
		"SELECT state = 'active' AND query LIKE '$prefix%' FROM pg_stat_activity WHERE pid = $pid"
	) or die "backend $pid never started '$prefix'";
}

1;
