# test/tap/PgwasmTap.pm — helpers shared by pgwasm's TAP tests: a module
# from a WAT fixture as a bytea literal, waiting until a backend runs a
# statement, skipping where the native tier is not installed, the code
# cache tests' module, and what a backend has mapped.  `use lib dirname(abs_path(__FILE__));` then `use PgwasmTap;`.
package PgwasmTap;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Utils;

our @EXPORT = qw(wat_bytea wait_active skip_without_native_tier install_cc backend_maps);

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

# Skip the whole script unless $node's PostgreSQL has wasmrt-llvm.so.
sub skip_without_native_tier
{
	my ($node) = @_;
	my $libdir = $node->safe_psql('postgres', q{SELECT setting FROM pg_config() WHERE name = 'PKGLIBDIR'});
	Test::More::plan(skip_all => 'the native tier is not installed (pgwasm built without llvm-config-14)')
	  unless -e "$libdir/wasmrt-llvm.so";
}

# Module cc (DIR/codecache1.wat) and its functions work, fib and
# cc_version on $node (the extension too, unless $have_extension); with
# $n (2), module cc2 (codecache2.wat) and work2, fib2.  Returns the
# module's SHA-256.
sub install_cc
{
	my ($node, $dir, $have_extension, $n) = @_;
	my $s = $n // '';
	$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm') unless $have_extension;
	my $sha = $node->safe_psql('postgres',
		"SELECT wasm.install_module('cc$s', " . wat_bytea($dir, 'codecache' . ($n // 1)) . ")");
	$node->safe_psql('postgres', "CREATE FUNCTION work$s(int4) RETURNS int4 LANGUAGE wasm AS 'cc$s:work'");
	$node->safe_psql('postgres', "CREATE FUNCTION fib$s(int4) RETURNS int4 LANGUAGE wasm AS 'cc$s:fib'");
	$node->safe_psql('postgres', "CREATE FUNCTION cc_version() RETURNS int4 LANGUAGE wasm AS 'cc:version'")
	  unless defined $n;
	return $sha;
}

# What backend $pid has mapped: the back end, libLLVM, PostgreSQL's llvmjit.so.
sub backend_maps
{
	my ($pid) = @_;
	my $m = slurp_file("/proc/$pid/maps");
	return {
		tier    => scalar($m =~ m{/wasmrt-llvm\.so$}m),
		llvm    => scalar($m =~ m{/libLLVM[^/]*$}m),
		llvmjit => scalar($m =~ m{/llvmjit\.so$}m),
	};
}

1;
