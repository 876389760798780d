#!/usr/bin/env bash
# examples/demo.sh — what `make demo` runs: a guided tour of pgwasm on a
# throwaway PostgreSQL 15 cluster.
#
# On a fresh Debian 12 machine, as root:
#   1. bash test/deps.sh          installs the Debian packages it needs
#   2. make && make install       builds the extension into PostgreSQL 15
#   3. examples/build.sh          builds the example modules (C and WAT)
#   4. initdb + pg_ctl start      a private cluster in build/demo, run by the
#                                 postgres OS user on a private port, Unix
#                                 socket only; always stopped on exit
#   5. psql -e -f examples/demo.sql   the tour itself
#
# Run by a non-root user it skips nothing but cannot install packages, and
# runs the cluster as itself.  Environment: PG_CONFIG (default: PostgreSQL
# 15's), DEMO_PORT (default 54329), DEMO_KEEP=1 to leave the cluster's files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

say "Installing Debian packages (test/deps.sh)"
bash test/deps.sh

PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
[ -x "$PG_CONFIG" ] || die "pg_config not found at $PG_CONFIG"
PGBIN="$("$PG_CONFIG" --bindir)"

say "Building and installing the extension (make && make install)"
mkdir -p build
buildlog="$root/build/demo-make.log"
{ make PG_CONFIG="$PG_CONFIG" && make PG_CONFIG="$PG_CONFIG" install; } >"$buildlog" 2>&1 ||
	{ tail -n 40 "$buildlog" >&2; die "the build failed (full log: $buildlog)"; }
echo "built and installed into $("$PG_CONFIG" --pkglibdir) (log: build/demo-make.log)"
[ -f "$("$PG_CONFIG" --sharedir)/extension/pgwasm.control" ] ||
	die "make install did not install pgwasm.control"

say "Building the example modules (examples/build.sh)"
bash examples/build.sh "$root/build/examples"

# --- the throwaway cluster -------------------------------------------------
demo="$root/build/demo"
port="${DEMO_PORT:-54329}"
if [ "$(id -u)" -eq 0 ]; then
	pguser=postgres
	as_pg() { runuser -u postgres -- "$@"; }
else
	pguser="$(id -un)"
	as_pg() { "$@"; }
fi

stop_cluster() {
	if [ -f "$demo/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$demo/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	if [ "${DEMO_KEEP:-0}" != 1 ]; then
		rm -rf "$demo"
	fi
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

# A cluster left behind by an interrupted run is stopped and removed first.
stop_cluster
mkdir -p "$demo/data" "$demo/sock" "$demo/modules"
cp build/examples/*.wasm "$demo/modules/"
chown -R "$pguser" "$demo"
chmod 700 "$demo/data"
as_pg test -w "$demo/data" ||
	die "user $pguser cannot write to $demo (is a parent directory private?)"

say "Starting a throwaway cluster in build/demo (port $port, socket only)"
as_pg "$PGBIN/initdb" -D "$demo/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$demo/initdb.log" 2>&1 ||
	{ cat "$demo/initdb.log" >&2; die "initdb failed"; }
as_pg "$PGBIN/pg_ctl" -D "$demo/data" -l "$demo/server.log" -w -t 60 \
	-o "-p $port -k $demo/sock -c listen_addresses=''" start >/dev/null ||
	{ cat "$demo/server.log" >&2; die "the server did not start"; }

as_pg "$PGBIN/createdb" -h "$demo/sock" -p "$port" -U postgres demo

say "The tour (psql -e examples/demo.sql)"
# The tour reads from standard input, so the postgres user needs no access to
# the repository; the modules are read by the server from build/demo/modules.
as_pg "$PGBIN/psql" -X -e -h "$demo/sock" -p "$port" -U postgres -d demo \
	-v ON_ERROR_STOP=1 -v moddir="$demo/modules" -P pager=off <examples/demo.sql

say "Tour finished: stopping the cluster and removing build/demo (DEMO_KEEP=1 keeps it)"
