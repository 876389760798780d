# test/tap/007_encodings.pl — the extension installs, and text crosses the
# Wasm boundary correctly, in databases that are not UTF-8: EUC_JP, SQL_ASCII
# and LATIN1 (issue 11, finding 4a).
#
# CREATE EXTENSION reads the install and update scripts in the database's
# encoding: a single UTF-8 character in a comment of pgwasm--0.1.0.sql made
# it fail in EUC_JP with SQLSTATE 22021.  The scripts are now pure ASCII
# (test/pg/run.sh checks that too); here every script is run for real, the
# fresh 0.2.0 install and 0.1.0 followed by the update.  Guests always see
# UTF-8: arguments are converted from the database encoding and results back
# (SQL_ASCII: bytes pass as they are), and a result the database encoding
# cannot hold is an error.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(abs_path(__FILE__));

# The pg_regress guest strings.wasm (test/guest/strings.wat), as run.sh
# passes it, or built here.
my $wasm = ($ENV{PGWASM_GUEST_DIR} // '') . '/strings.wasm';
if (!-r $wasm)
{
	plan skip_all => 'wat2wasm (Debian package wabt) is not in PATH'
	  unless grep { -x "$_/wat2wasm" } split /:/, $ENV{PATH};
	$wasm = PostgreSQL::Test::Utils::tempdir() . '/strings.wasm';
	system_or_bail('wat2wasm', "$fixtures/../guest/strings.wat", '-o', $wasm);
}
open my $fh, '<:raw', $wasm or die "cannot read $wasm: $!";
my $bytes = do { local $/; <$fh> };
close $fh;
my $module = "'\\x" . unpack('H*', $bytes) . "'::bytea";

my $node = PostgreSQL::Test::Cluster->new('encodings');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->start;

# Statements are sent as UTF-8 bytes (this file is UTF-8, without `use utf8`)
# and results come back as UTF-8: the client encoding is fixed.
sub q_ok
{
	my ($db, $sql) = @_;
	return $node->safe_psql($db, "SET client_encoding = 'UTF8'; $sql");
}

for my $enc (qw(EUC_JP SQL_ASCII LATIN1))
{
	my $db = lc "db_$enc";
	$node->safe_psql('postgres',
		"CREATE DATABASE $db ENCODING '$enc' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
	is($node->safe_psql($db, 'SHOW server_encoding'), $enc, "$enc: database created");

	# Every install and update script, in this encoding.
	my ($ret, $out, $err) = $node->psql($db, "CREATE EXTENSION pgwasm VERSION '0.1.0'");
	is($ret, 0, "$enc: CREATE EXTENSION pgwasm VERSION '0.1.0'") or diag($err);
	($ret, $out, $err) = $node->psql($db, 'ALTER EXTENSION pgwasm UPDATE');
	is($ret, 0, "$enc: ALTER EXTENSION pgwasm UPDATE") or diag($err);
	$node->safe_psql($db, 'DROP EXTENSION pgwasm');
	($ret, $out, $err) = $node->psql($db, 'CREATE EXTENSION pgwasm');
	is($ret, 0, "$enc: CREATE EXTENSION pgwasm") or diag($err);
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pgwasm'"),
		'0.4.0', "$enc: at 0.4.0");

	q_ok($db, qq{
		SELECT wasm.install_module('e', $module);
		CREATE FUNCTION e_length(text) RETURNS int4 LANGUAGE wasm AS 'e:length';
		CREATE FUNCTION e_upper(text) RETURNS text LANGUAGE wasm AS 'e:upper';
		CREATE FUNCTION e_echo(text) RETURNS text LANGUAGE wasm AS 'e:echo';
		CREATE FUNCTION e_cafe() RETURNS text LANGUAGE wasm AS 'e:cafe';
		CREATE FUNCTION e_japanese() RETURNS text LANGUAGE wasm AS 'e:japanese';
	});
	is(q_ok($db, q{SELECT e_length('abc'), e_upper('abc'), e_echo('')}),
		'3|ABC|', "$enc: ASCII text in and out");
	is(q_ok($db, q{SELECT name, size > 0 FROM wasm.modules}), 'e|t', "$enc: the module is listed");
}

# Non-ASCII text: the guest sees UTF-8 whatever the database encoding.
is(q_ok('db_euc_jp', q{SELECT octet_length('日本'), e_length('日本'), e_upper('日本語abc'), e_echo('漢字')}),
	'4|6|日本語ABC|漢字', 'EUC_JP: arguments converted to UTF-8 and results back');
is(q_ok('db_euc_jp', q{SELECT e_japanese(), e_japanese() = '日本', e_cafe()}),
	'日本|t|café', 'EUC_JP: UTF-8 results converted to EUC_JP');
is(q_ok('db_latin1', q{SELECT octet_length('é'), e_length('é'), e_upper('crème'), e_cafe() = 'café'}),
	'1|2|CRèME|t', 'LATIN1: arguments converted to UTF-8 and results back');
my ($ret, $out, $err) = $node->psql('db_latin1',
	"SET client_encoding = 'UTF8'; SELECT e_japanese()", extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/ERROR:  22P05: /, 'LATIN1: a result LATIN1 cannot hold is an error (22P05)');
is(q_ok('db_sql_ascii', q{SELECT octet_length('日本'), e_length('日本'), e_upper('日本語abc'), e_japanese()}),
	'6|6|日本語ABC|日本', 'SQL_ASCII: bytes pass as they are');

# The types of 0.3.0 that cross as text: text[] elements, enum labels and
# set rows are converted the same way (test/guest/types.c
# and srf.c, from the pg_regress guests).
SKIP:
{
	my $dir = $ENV{PGWASM_GUEST_DIR} // '';
	skip 'the pg_regress guests types.wasm and srf.wasm are not built', 4
	  unless -r "$dir/types.wasm" && -r "$dir/srf.wasm";
	for my $m ([ 't', 'types' ], [ 'srf', 'srf' ])
	{
		open my $gh, '<:raw', "$dir/$m->[1].wasm" or die "cannot read $m->[1].wasm: $!";
		my $b = do { local $/; <$gh> };
		close $gh;
		q_ok($_, "SELECT wasm.install_module('$m->[0]', '\\x" . unpack('H*', $b) . "'::bytea)")
		  for qw(db_euc_jp db_latin1);
	}
	for my $db (qw(db_euc_jp db_latin1))
	{
		q_ok($db, q{
			CREATE FUNCTION t_upper(text[]) RETURNS text[] LANGUAGE wasm AS 't:strs_upper';
			CREATE FUNCTION t_join(text[]) RETURNS text LANGUAGE wasm AS 't:strs_join';
			CREATE TYPE mood AS ENUM ('gut', 'müde');
			CREATE FUNCTION t_mood(mood) RETURNS mood LANGUAGE wasm AS 't:echo';
			CREATE FUNCTION t_mood_len(mood) RETURNS int4 LANGUAGE wasm AS 't:echo_len';
			CREATE FUNCTION s_split(text, text) RETURNS SETOF text LANGUAGE wasm STRICT AS 'srf:split';
		});
	}
	is(q_ok('db_euc_jp', q{SELECT t_upper('{日本,abc}'), t_join('{漢,字}'), (SELECT string_agg(x, '/') FROM s_split('日,本', ',') x)}),
		'{日本,ABC}|漢|字|日/本', 'EUC_JP: text[] elements and set rows converted both ways');
	is(q_ok('db_latin1', q{SELECT t_upper('{crème,é}'), t_mood('müde'), t_mood_len('müde'), (SELECT string_agg(x, '/') FROM s_split('é,è', ',') x)}),
		'{CRèME,é}|müde|5|é/è', 'LATIN1: text[], enum labels (5 UTF-8 bytes for müde) and set rows');
	is(q_ok('db_latin1', q{SELECT t_join('{é,ü}')}), 'é|ü',
		'LATIN1: text[] elements arrive as UTF-8');
	($ret, $out, $err) = $node->psql('db_latin1',
		"SET client_encoding = 'UTF8'; SELECT t_upper(ARRAY[e_japanese()])", extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($err, qr/ERROR:  22P05: /, 'LATIN1: an element LATIN1 cannot hold is an error (22P05)');
}

$node->stop;
done_testing();
