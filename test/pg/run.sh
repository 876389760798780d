#!/usr/bin/env bash
# test/pg/run.sh — build and install pgwasm, start a throwaway PostgreSQL 15
# cluster, run the pg_regress suites (sql/ + expected/) against it, then the
# TAP tests in test/tap/ (each starts its own clusters), and print a summary
# line "N passed, N failed".
#
#   bash test/pg/run.sh            (as root on Debian 12 after test/deps.sh,
#                                   or as a user who can write the PostgreSQL
#                                   install directories)
#
# Environment: PGWASM_PORT (default 54329), PGWASM_TEST_DIR (scratch space,
# default build/pgtest), PG_CONFIG, PGWASM_SKIP_TAP=1, PGWASM_TAP (the TAP
# scripts to run, default all), PGWASM_KEEP=1 (keep
# the cluster's files after the run).
#
# The server must not run as root, so as root the cluster, the regression
# output and the TAP scratch space belong to the `postgres` OS user, in a
# directory under build/ when that user can reach the tree, else under /tmp.
# The cluster listens only on a Unix socket in that directory, so the port
# number cannot clash with another server's TCP port.  It is stopped by an
# EXIT trap whatever happens.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}"
bindir="$("$PG_CONFIG" --bindir)"
# .../lib/pgxs/src/makefiles/pgxs.mk -> .../lib/pgxs
pgxs="$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)"
port="${PGWASM_PORT:-54329}"

passed=0
failed=0
log() { printf 'run.sh: %s\n' "$*"; }

# ---- who runs the server -------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	pguser=postgres
	as_pg() { runuser -u postgres -- "$@"; }
else
	pguser="$(id -un)"
	as_pg() { "$@"; }
fi

# ---- the install and update scripts are pure ASCII ----------------------------
# CREATE EXTENSION reads them in the database's encoding: one UTF-8 byte
# sequence that is invalid in EUC_JP (say) makes the extension uninstallable
# there (SQLSTATE 22021).
log "checking that pgwasm--*.sql are pure ASCII"
if LC_ALL=C grep -nP '[^\x00-\x7F]' pgwasm--*.sql; then
	log "non-ASCII bytes in the install/update scripts (above)"
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi

# ---- build and install ----------------------------------------------------
log "building guest fixtures"
if ! make -s guests; then
	log "could not build the guest fixtures"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
log "building and installing the extension"
if ! make -s PG_CONFIG="$PG_CONFIG" >/dev/null || ! make -s PG_CONFIG="$PG_CONFIG" install >/dev/null; then
	log "build or install failed"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---- scratch space the server user can use --------------------------------
base="${PGWASM_TEST_DIR:-$root/build/pgtest}"
mkdir -p "$(dirname "$base")"
if ! as_pg test -x "$(dirname "$base")"; then
	base="$(mktemp -d /tmp/pgwasm-test.XXXXXX)"
fi
rm -rf "$base"
mkdir -p "$base/guest" "$base/regress" "$base/tap" "$base/sock"
cp build/guest/*.wasm "$base/guest/"
chmod -R a+rX "$base/guest"
[ "$(id -u)" = 0 ] && chown -R "$pguser" "$base"
data="$base/data"
sock="$base/sock"

cleanup() {
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 ||
			as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
	fi
	if [ -z "${PGWASM_KEEP:-}" ]; then
		rm -rf "$data"
	fi
}
trap cleanup EXIT

# ---- the cluster -----------------------------------------------------------
log "starting a cluster in $data (socket $sock, port $port)"
if ! as_pg "$bindir/initdb" -D "$data" -U "$pguser" -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1; then
	cat "$base/initdb.log"
	echo "0 passed, 1 failed"
	exit 1
fi
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = off
max_worker_processes = 8
max_parallel_workers_per_gather = 2
log_min_messages = warning
EOF
if ! as_pg "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 start >/dev/null; then
	cat "$base/server.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---- pg_regress ------------------------------------------------------------
# Results go to $base/regress, so the source tree may be read-only to us.
log "pg_regress"
export PGHOST="$sock" PGPORT="$port" PGUSER="$pguser"
export PGWASM_GUEST_DIR="$base/guest"
regress_out="$base/regress/output.txt"
make -s -C "$root" PG_CONFIG="$PG_CONFIG" installcheck \
	REGRESS_OPTS="--inputdir=$root --outputdir=$base/regress --load-extension=pgwasm" \
	>"$regress_out" 2>&1
cat "$regress_out"
r_ok=$(grep -cE '^(ok|test) .*\.\.\. ok|^ok [0-9]+ ' "$regress_out")
r_fail=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$regress_out")
if [ "$r_ok" = 0 ] && [ "$r_fail" = 0 ]; then
	r_fail=1				# pg_regress did not even start
fi
if [ "$r_fail" -gt 0 ] && [ -f "$base/regress/regression.diffs" ]; then
	log "differences (also in $base/regress/regression.diffs):"
	head -c 20000 "$base/regress/regression.diffs"
fi
passed=$((passed + r_ok))
failed=$((failed + r_fail))

# ---- TAP -------------------------------------------------------------------
shopt -s nullglob
# PGWASM_TAP="test/tap/002_dump_restore.pl ..." runs only those scripts.
taps=(${PGWASM_TAP:-test/tap/*.pl})
if [ ${#taps[@]} -gt 0 ] && [ -z "${PGWASM_SKIP_TAP:-}" ]; then
	log "TAP: ${taps[*]}"
	tap_out="$base/tap/output.txt"
	# The scripts find their fixtures next to themselves and the examples at
	# ../../examples; if the server user cannot read the tree, they run from
	# a copy of those two directories.  Their clusters and logs go to
	# TESTDIR, which that user can write.
	tapdir="$root/test/tap"
	if ! as_pg test -r "$root/test/tap/$(basename "${taps[0]}")"; then
		mkdir -p "$base/tree/test"
		cp -r "$root/test/tap" "$base/tree/test/"
		cp -r "$root/examples" "$base/tree/"
		[ "$(id -u)" = 0 ] && chown -R "$pguser" "$base/tree"
		tapdir="$base/tree/test/tap"
	fi
	scripts=()
	for t in "${taps[@]}"; do scripts+=("$tapdir/$(basename "$t")"); done
	(
		cd "$base/tap" &&
		as_pg env PATH="$bindir:$PATH" \
			PERL5LIB="$pgxs/src/test/perl${PERL5LIB:+:$PERL5LIB}" \
			PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
			TESTDIR="$base/tap" PG_TEST_PORT_DIR="$base/tap" \
			PGWASM_ROOT="$root" PGWASM_GUEST_DIR="$base/guest" \
			prove -v "${scripts[@]}"
	) >"$tap_out" 2>&1
	# The diagnostics (lines starting with #) stay in the file.
	grep -vE '^\s*#' "$tap_out"
	log "full TAP output: $tap_out"
	t_ok=$(grep -cE '^\s*ok [0-9]+' "$tap_out")
	t_fail=$(grep -cE '^\s*not ok [0-9]+' "$tap_out")
	# A script that died before running anything, or before finishing its
	# plan, counts as one failure.
	# ("No plan found": it died after some tests, all of which passed.)
	t_dubious=$(grep -cE '^\s*(No subtests run|Parse errors: (Bad plan|No plan found))' "$tap_out")
	passed=$((passed + t_ok))
	failed=$((failed + t_fail + t_dubious))
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
