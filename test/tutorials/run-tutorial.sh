#!/usr/bin/env bash
# test/tutorials/run-tutorial.sh — run a tutorial from docs/tutorials/ exactly
# as a reader would, and check that it shows the truth.
#
#   test/tutorials/run-tutorial.sh [--keep] docs/tutorials/c.md
#
# The tutorial's fenced code blocks are taken in document order:
#
#   ```c file=cards.c     a file the reader saves: written verbatim (any
#                         language; `file=PATH` is what makes it one)
#   ```sh                 shell commands: run with `bash -euo pipefail`
#   ```sql                SQL: piped into `psql -X` (so psql meta-commands
#                         such as \set work), from the same directory
#   ```text               the output the reader should see from the sh or sql
#                         block just before it; compared after dropping
#                         trailing blanks.  `...` inside a line matches any
#                         text, a line that is only `...` matches any number
#                         of lines (hashes, sizes, compiler-dependent bits)
#
# Other blocks (```ts, ```c without file=, ...) are for reading only, and so
# are ```bash blocks: the tutorials use them for the reader's one-time setup
# (where their checkout is, making a directory), which this script does
# itself.  Every block runs in one fresh, empty directory: the tutorial's
# project directory.  A `cd` or `export` inside a block lasts for that block
# only.  The pgwasm source tree is `$PGWASM_SRC` (the tutorials tell readers
# to set it; here it defaults to the tree this script is in).  An sh or sql
# block must succeed, except a sql block whose expected output shows an
# `ERROR:`: it runs without ON_ERROR_STOP and its output, errors included,
# must match.
#
# Requirements are single-line HTML comments, invisible when rendered:
#
#   <!-- tutorial-requires: SHELL-CHECK => REASON -->
#
# If a check fails the tutorial is skipped: the script prints "SKIP: REASON"
# and exits 77.  Otherwise it exits 0 when every step passed, 1 on the first
# failure (whose work directory it keeps and names).
#
# The SQL goes to the database that psql's usual environment selects (PGHOST,
# PGPORT, PGUSER, PGDATABASE); it must allow CREATE EXTENSION pgwasm.  Use a
# scratch database: the tutorial creates functions and tables in it.
# Environment: PGWASM_SRC, PSQL (default: psql in PATH), PGCLIENTENCODING
# (default UTF8), TUTORIAL_TMPDIR (where the work directory goes, default
# $TMPDIR or /tmp).
set -euo pipefail

usage() { echo "usage: $0 [--keep] TUTORIAL.md" >&2; exit 2; }
keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
[ $# -eq 1 ] || usage
tutorial="$1"
[ -f "$tutorial" ] || { echo "run-tutorial: no such file: $tutorial" >&2; exit 2; }
tutorial="$(cd "$(dirname "$tutorial")" && pwd)/$(basename "$tutorial")"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGWASM_SRC="${PGWASM_SRC:-$(cd "$here/../.." && pwd)}"
PSQL="${PSQL:-psql}"
# The outputs shown are those of a UTF-8 terminal: psql aligns columns by
# characters only when it knows the client encoding.
export PGCLIENTENCODING="${PGCLIENTENCODING:-UTF8}"
name="${tutorial#"$PGWASM_SRC"/}"

tmp="$(mktemp -d "${TUTORIAL_TMPDIR:-${TMPDIR:-/tmp}}/pgwasm-tutorial.XXXXXX")"
tmp="$(cd "$tmp" && pwd)"
blocks="$tmp/blocks"            # the extracted blocks
work="$tmp/work"                # the reader's project directory
mkdir -p "$blocks" "$work"
finish() {
	local rc=$?
	if [ "$keep" = 1 ]; then
		echo "work directory kept: $work"
	elif [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$tmp"
	else
		echo "work directory kept for inspection: $work"
	fi
}
trap finish EXIT

# ---- extract ----------------------------------------------------------------
# blocks/manifest: one line per block or requirement, tab-separated:
#   NNN  kind  line  argument      kind: file sh sql out requires
# and blocks/NNN holds the block's text.
awk -v dir="$blocks" '
	function flush() { close(dir "/" sprintf("%03d", n)) }
	/^```/ && !infence {
		info = substr($0, 4)
		lang = info; sub(/[ \t].*$/, "", lang)
		kind = ""; arg = ""
		if (match(info, /file=[^ \t]+/)) { kind = "file"; arg = substr(info, RSTART + 5, RLENGTH - 5) }
		else if (lang == "sh") kind = "sh"
		else if (lang == "sql") kind = "sql"
		else if (lang == "text") kind = "out"
		infence = 1
		if (kind != "") {
			n++
			printf "%03d\t%s\t%d\t%s\n", n, kind, NR, arg > (dir "/manifest")
			printf "" > (dir "/" sprintf("%03d", n))
		}
		next
	}
	/^```[ \t]*$/ && infence { infence = 0; if (kind != "") flush(); kind = ""; next }
	infence && kind != "" { print > (dir "/" sprintf("%03d", n)); next }
	!infence && /^<!-- tutorial-requires: .* -->[ \t]*$/ {
		req = $0
		sub(/^<!-- tutorial-requires: /, "", req); sub(/ -->[ \t]*$/, "", req)
		n++
		printf "%03d\trequires\t%d\t\n", n, NR > (dir "/manifest")
		print req > (dir "/" sprintf("%03d", n)); flush()
	}
	END { if (infence) { print "unterminated code block" > "/dev/stderr"; exit 1 } }
' "$tutorial"
[ -s "$blocks/manifest" ] || { echo "run-tutorial: $name has no runnable blocks" >&2; exit 1; }

# ---- requirements -------------------------------------------------------------
while IFS=$'\t' read -r id kind _; do
	[ "$kind" = requires ] || continue
	req="$(cat "$blocks/$id")"
	check="${req%% => *}"
	reason="${req#* => }"
	if ! (cd "$work" && bash -c "$check") >"$blocks/$id.out" 2>&1; then
		echo "SKIP: $name: $reason"
		exit 77
	fi
done <"$blocks/manifest"

# ---- compare ------------------------------------------------------------------
# Outputs are compared without trailing blanks on each line and without
# blank lines at the end (psql ends every result with one).
trimmed() { perl -0777 -pe 's/[ \t]+$//mg; s/\n*\z/\n/' "$1"; }

# matches EXPECTED ACTUAL: does the output fit the pattern (see the header)?
matches() {
	perl -e '
		sub slurp { local $/; open my $f, "<", $_[0] or die "$_[0]: $!"; my $t = <$f>;
			    $t =~ s/[ \t]+$//mg; $t =~ s/\n+\z//; $t }
		my ($exp, $act) = (slurp($ARGV[0]), slurp($ARGV[1]));
		my @re = map { $_ eq "..." ? "(?:[^\\n]*(?:\\n|\\z))*?"
				 : join("[^\\n]*", map { quotemeta } split /\.\.\./, $_, -1) . "(?:\\n|\\z)" }
			 split /\n/, $exp, -1;
		exit($act =~ /\A@{[join "", @re]}\z/ ? 0 : 1);
	' "$1" "$2"
}

# ---- run ----------------------------------------------------------------------
echo "tutorial $name"
echo "  work directory: $work"
echo "  PGWASM_SRC=$PGWASM_SRC"
mapfile -t manifest <"$blocks/manifest"
steps=0
fail() {
	echo "FAILED"
	echo "---- $1"
	cat "$2"
	echo "----"
	echo "$name: step at line $3 failed"
	exit 1
}
for ((i = 0; i < ${#manifest[@]}; i++)); do
	IFS=$'\t' read -r id kind line arg <<<"${manifest[i]}"
	[ "$kind" = requires ] && continue
	if [ "$kind" = out ]; then
		echo "$name:$line: output block does not follow a sh or sql block" >&2
		exit 1
	fi
	# the expected output, when the next block is one
	expected=
	if [ $((i + 1)) -lt ${#manifest[@]} ]; then
		IFS=$'\t' read -r nid nkind _ _ <<<"${manifest[i + 1]}"
		if [ "$nkind" = out ]; then
			expected="$blocks/$nid"
			i=$((i + 1))
		fi
	fi
	first="$(grep -m1 -v '^[[:space:]]*\(#\|--\|$\)' "$blocks/$id" || true)"
	[ ${#first} -gt 52 ] && first="${first:0:49}..."
	case "$kind" in
	file) printf '  line %4d  %-4s %-52s ' "$line" file "$arg" ;;
	*) printf '  line %4d  %-4s %-52s ' "$line" "$kind" "$first" ;;
	esac
	steps=$((steps + 1))
	actual="$blocks/$id.actual"
	case "$kind" in
	file)
		[ -z "$expected" ] || fail "a file block has an output block" /dev/null "$line"
		mkdir -p "$(dirname "$work/$arg")"
		cp "$blocks/$id" "$work/$arg"
		echo "written"
		continue
		;;
	sh)
		if ! (cd "$work" && bash -euo pipefail "$blocks/$id") >"$actual" 2>&1 </dev/null; then
			fail "the commands failed; their output:" "$actual" "$line"
		fi
		;;
	sql)
		stop=1
		[ -n "$expected" ] && grep -q 'ERROR:' "$expected" && stop=0
		# Line-buffered, so results and errors interleave as on a terminal.
		psql_cmd=("$PSQL" -X -v "ON_ERROR_STOP=$stop" -P pager=off)
		command -v stdbuf >/dev/null && psql_cmd=(stdbuf -oL "${psql_cmd[@]}")
		if ! (cd "$work" && "${psql_cmd[@]}") <"$blocks/$id" >"$actual" 2>&1; then
			fail "psql failed; its output:" "$actual" "$line"
		fi
		;;
	esac
	if [ -n "$expected" ]; then
		if ! matches "$expected" "$actual"; then
			echo "FAILED"
			echo "---- output differs from the tutorial's (- tutorial, + actual):"
			diff -u --label tutorial --label actual \
				<(trimmed "$expected") <(trimmed "$actual") || true
			echo "----"
			echo "$name: step at line $line failed"
			exit 1
		fi
		echo "ok, output as shown"
	else
		echo "ok"
	fi
done
echo "$name: all $steps steps passed"
