# test/tap/006_tutorials.pl — the tutorials in docs/tutorials/ are tested by
# running exactly the commands they show, and the AssemblyScript example
# (examples/assemblyscript) beyond what its tutorial shows.
#
# Each tutorial goes through test/tutorials/run-tutorial.sh, with a database
# of its own on this test's cluster: its files are written, its sh blocks
# run and its sql blocks fed to psql in a fresh directory, and every output
# it shows is compared with the real one.  A tutorial whose toolchain is not
# installed (run-tutorial.sh exits 77) is skipped with the reason.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(basename dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = abs_path(dirname(abs_path(__FILE__)) . '/../..');
my @tutorials = sort glob("$root/docs/tutorials/*.md");
plan skip_all => 'no tutorials in docs/tutorials' unless @tutorials;

my $node = PostgreSQL::Test::Cluster->new('tutorials');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;

my $scratch = PostgreSQL::Test::Utils::tempdir();

# ---- the tutorials ----------------------------------------------------------
for my $tutorial (@tutorials)
{
	my $name = basename($tutorial, '.md');
	(my $db = "tutorial_$name") =~ s/\W/_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");

	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGDATABASE} = $db;
	local $ENV{PGWASM_SRC} = $root;
	local $ENV{TUTORIAL_TMPDIR} = $scratch;
	my $output = '';
	IPC::Run::run([ 'bash', "$root/test/tutorials/run-tutorial.sh", $tutorial ],
		'<', \undef, '>&', \$output);
	my $rc = $? >> 8;

  SKIP:
	{
		if ($rc == 77)
		{
			my ($reason) = $output =~ /^SKIP: (.*)$/m;
			skip($reason // "tutorial $name skipped", 1);
		}
		is($rc, 0, "tutorial docs/tutorials/$name.md runs as shown")
		  or diag($output);
	}
	note($output);
}

# ---- the AssemblyScript example ----------------------------------------------
# Built by examples/build.sh, which skips it (with a note) without npm.
my $out = "$scratch/examples";
my $build = '';
IPC::Run::run([ 'bash', "$root/examples/build.sh", $out ], '<', \undef, '>&', \$build)
  or BAIL_OUT("examples/build.sh failed:\n$build");
note($build);

SKIP:
{
	skip 'urlkit.wasm not built (needs npm, Node.js 20 and the npm registry)', 1
	  unless -f "$out/urlkit.wasm";

	open my $fh, '<:raw', "$out/urlkit.wasm" or die "cannot read urlkit.wasm: $!";
	my $bytes = do { local $/; <$fh> };
	close $fh;
	$node->safe_psql('postgres', 'CREATE EXTENSION pgwasm');
	$node->safe_psql('postgres',
		"SELECT wasm.install_module('urlkit', '\\x" . unpack('H*', $bytes) . "'::bytea)");
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(module || '.' || name, ' ' ORDER BY name) FROM wasm.module_imports('urlkit')"),
		'pgwasm.error pgwasm.log',
		'urlkit imports only pgwasm.error and pgwasm.log (no env.abort)');
	# The build appended the module's declarations (declare.mjs).
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM wasm.create_functions('urlkit') f"),
		'normalize_url(text) url_host(text) url_param(text,text)',
		'urlkit declares its functions: wasm.create_functions creates them');

	# [ input, normalize_url(input) ]
	my @urls = (
		[ 'HTTP://Example.COM', 'http://example.com/' ],
		[ '  https://x.example/a  ', 'https://x.example/a' ],
		[ 'https://x.example:443/', 'https://x.example/' ],
		[ 'https://x.example:0443/', 'https://x.example/' ],
		[ 'http://x.example:8080/', 'http://x.example:8080/' ],
		[ 'http://x.example:/', 'http://x.example/' ],
		[ 'ftp://x.example:21/f', 'ftp://x.example/f' ],
		[ 'http://x.example./', 'http://x.example/' ],
		[ 'http://a.example/a/b/c/./../../g', 'http://a.example/a/g' ],
		[ 'http://a.example/../../x', 'http://a.example/x' ],
		[ 'http://a.example/a/b/..', 'http://a.example/a/' ],
		[ 'http://a.example/%7euser/%2f/%41%62', 'http://a.example/~user/%2F/Ab' ],
		[ 'http://a.example/caf%c3%a9', 'http://a.example/caf%C3%A9' ],
		[ 'http://a.example/ä ö', 'http://a.example/%C3%A4%20%C3%B6' ],
		[ 'http://a.example/😀', 'http://a.example/%F0%9F%98%80' ],
		[ 'http://a.example/50%', 'http://a.example/50%25' ],
		[ 'http://BÜCHER.Example/', 'http://bücher.example/' ],
		[ 'http://exa%4Dple.com/', 'http://example.com/' ],
		[ 'http://[2001:DB8::1]:8080/x', 'http://[2001:db8::1]:8080/x' ],
		[ 'http://User:Pw@X.Example/', 'http://User:Pw@x.example/' ],
		[ 'https://x.example/?utm_source=a&fbclid=b&gclid=c', 'https://x.example/' ],
		[ 'https://x.example/?a=1&&UTM_Medium=x&b=2&', 'https://x.example/?a=1&b=2' ],
		[ 'https://x.example/p?q=a b#frag', 'https://x.example/p?q=a%20b' ],
		[ 'https://x.example/#only-a-fragment', 'https://x.example/' ],
		[ 'MAILTO:Someone@Example.com', 'mailto:Someone@Example.com' ],
		[ 'urn:isbn:0451450523', 'urn:isbn:0451450523' ],
	);
	for my $u (@urls)
	{
		(my $lit = $u->[0]) =~ s/'/''/g;
		is($node->safe_psql('postgres', "SELECT normalize_url('$lit')"),
			$u->[1], "normalize_url('$u->[0]')");
	}
	is( $node->safe_psql(
			'postgres', q{
		SELECT url_host('https://user:pw@Sub.Example.COM.:8443/x') || '|' ||
		       url_host('mailto:someone@example.com') || '|' ||
		       url_param('https://s.example/?q=red+shoes&q=blue', 'q') || '|' ||
		       url_param('https://s.example/?q=caf%C3%A9', 'q') || '|' ||
		       url_param('https://s.example/?a%20b=1', 'a b') || '|' ||
		       url_param('https://s.example/?flag&x=1', 'flag') || '|' ||
		       url_param('https://s.example/?x=1', 'missing') || '|' ||
		       (normalize_url(NULL) IS NULL)::text}),
		'sub.example.com||red shoes|café|1|||true',
		'url_host, url_param, NULL');

	# Errors thrown in AssemblyScript arrive through abort() and pgwasm.error.
	for my $e (
		[ 'www.example.com/page', qr/has no scheme/ ],
		[ '', qr/has no scheme/ ],
		[ 'http://x.example:99999/', qr/invalid port "99999"/ ],
		[ 'http://x.example:8o/', qr/invalid port "8o"/ ],
		[ 'http:///path', qr/has no host/ ])
	{
		my ($ret, $stdout, $stderr) = $node->psql('postgres',
			"\\set VERBOSITY verbose\nSELECT normalize_url('$e->[0]')");
		like($stderr, qr/ERROR:  P0001: normalize_url: /, "'$e->[0]' raises P0001");
		like($stderr, $e->[1], "'$e->[0]': message");
	}

	# --runtime minimal + collection from free(): memory stays bounded over
	# many calls in one statement (the stub runtime would reach
	# pgwasm.max_memory after some 30000 of these).
	is( $node->safe_psql(
			'postgres', q{
		SELECT count(*) FROM generate_series(1, 100000) AS i
		WHERE normalize_url('HTTP://Example.com/a/../p' || i || '?utm_source=x') = 'http://example.com/p' || i;
		SELECT memory_bytes < 4 * 1024 * 1024 FROM wasm.stats() WHERE module = 'urlkit';}),
		"100000\nt",
		'100000 calls in one statement, memory stays small');
	is( $node->safe_psql(
			'postgres',
			q{SELECT length(normalize_url('http://x.example/' || repeat('ä', 100000)))}),
		'600017',
		'a long input is handled in linear time and memory');
}

$node->stop;
done_testing();
