#!/usr/bin/env bash
# test/bench/citus/run.sh — a compute-heavy wasm function over a distributed
# table: Citus with one worker, then two, against the same query on plain
# PostgreSQL (one backend, and with parallel query), measured in one run.
#
#   bash test/bench/citus/run.sh [--rows N] [--reps N] [--keep]
#                                 (as root on Debian 12; `make bench-citus`)
# Environment: PG_CONFIG, PGWASM_BENCH_PORT (default 54349: the coordinator;
# the workers use the next two ports).
#
# Builds and installs pgwasm, gets Citus (test/citus/build.sh: reused when
# installed), builds the example modules, and starts three throwaway
# clusters under build/bench-citus/ as the postgres OS user, on Unix
# sockets only, with shared_preload_libraries = 'citus, pgwasm': a
# coordinator and two workers.  The plain-PostgreSQL baseline is a local
# (not distributed) copy of the table on the coordinator, which Citus leaves
# to PostgreSQL's own planner.  The query, SELECT sum(fib_rec(...)) over
# --rows rows, spends nearly all its time in the wasm function
# (examples/c/fib.c, recursive Fibonacci of 14..17).  The distributed table
# has 8 shards, first all on worker 1; then worker 2 is added and the shards
# rebalanced.  Each configuration is timed best of --reps by psql's \timing,
# and every configuration's result must be the same.
# Timings are informational: this is never part of `make test`.  On a
# 2-core machine the coordinator and the workers share the same two cores,
# so a second worker cannot add CPU; one worker already runs its 8 tasks
# over several connections in parallel.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$root/build/bench-citus"
ROWS=40000
REPS=3
KEEP=0
while (($#)); do
	case $1 in
	--rows) ROWS=$2; shift ;;
	--reps) REPS=$2; shift ;;
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,/^# so a second worker/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

say() { printf 'bench-citus: %s\n' "$*"; }
die() { printf 'bench-citus: error: %s\n' "$*" >&2; exit 1; }

PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config || true)}"
[[ -n $PG_CONFIG ]] || die "pg_config not found: run 'bash test/deps.sh' as root first"
bindir="$("$PG_CONFIG" --bindir)"
port0="${PGWASM_BENCH_PORT:-54349}"

cd "$root"
say "building and installing pgwasm"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
bash test/citus/build.sh
[[ -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]] || die "Citus is not installed (../shared/citus missing?)"

if [[ $(id -u) == 0 ]]; then
	pguser=postgres
	as_pg() { runuser -u postgres -- "$@"; }
else
	pguser="$(id -un)"
	as_pg() { "$@"; }
fi
mkdir -p "$out"
as_pg test -x "$out" || die "the postgres user cannot enter $out"
sock="$out/sock"
nodes=(coordinator worker1 worker2)

stop_all() {
	for n in "${nodes[@]}"; do
		[[ -f $out/$n/postmaster.pid ]] &&
			as_pg "$bindir/pg_ctl" -D "$out/$n" -m fast -w stop >/dev/null 2>&1 || true
	done
	((KEEP)) || rm -rf "${nodes[@]/#/$out/}"
}
trap stop_all EXIT
stop_all
rm -rf "$sock" "$out/guest"
mkdir -p "$sock" "$out/guest"
bash examples/build.sh "$out/guest" >/dev/null
chmod -R a+rX "$out/guest"
[[ $(id -u) == 0 ]] && chown -R "$pguser" "$out"

for i in 0 1 2; do
	n=${nodes[$i]}
	as_pg "$bindir/initdb" -D "$out/$n" -U "$pguser" -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
		>"$out/$n.initdb.log" 2>&1 || { cat "$out/$n.initdb.log"; die "initdb failed"; }
	cat >>"$out/$n/postgresql.conf" <<-CONF
		listen_addresses = ''
		unix_socket_directories = '$sock'
		port = $((port0 + i))
		shared_preload_libraries = 'citus, pgwasm'
		citus.node_conninfo = 'sslmode=disable'
		citus.local_hostname = '$sock'
		max_prepared_transactions = 50
		fsync = off
		synchronous_commit = off
		autovacuum = off
		jit = off
		max_parallel_workers_per_gather = 0
		log_min_messages = warning
	CONF
	as_pg "$bindir/pg_ctl" -D "$out/$n" -l "$out/$n.log" -w -t 60 start >/dev/null ||
		{ cat "$out/$n.log"; die "$n did not start"; }
	as_pg "$bindir/psql" -X -q -h "$sock" -p $((port0 + i)) -d postgres -c 'CREATE EXTENSION citus' >/dev/null
done

psql_c() { as_pg "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port0" -d postgres "$@"; }
psql_c -c "SELECT citus_set_coordinator_host('$sock', $port0)" >/dev/null
psql_c -c "SELECT citus_add_node('$sock', $((port0 + 1)))" >/dev/null
psql_c >/dev/null <<-SQL
	CREATE EXTENSION pgwasm;
	SELECT wasm.install_module('fib', pg_read_binary_file('$out/guest/fib.wasm'));
	CREATE FUNCTION fib_rec(int4) RETURNS int8 IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'fib:fib_rec';
	SET citus.shard_count = 8;
	CREATE TABLE items (id int8 PRIMARY KEY, n int4);
	SELECT create_distributed_table('items', 'id');
	INSERT INTO items SELECT i, 14 + i % 4 FROM generate_series(1, $ROWS) i;
	CREATE TABLE items_local AS SELECT * FROM items;
	ALTER TABLE items_local ADD PRIMARY KEY (id);
	ALTER TABLE items_local SET (parallel_workers = 2);
	VACUUM ANALYZE items_local;
	ANALYZE items;
SQL

QUERY='SELECT sum(fib_rec(n)) FROM'
results=()
# time_query LABEL SETTINGS TABLE: best of REPS, in ms; the result must match.
time_query() {
	local label=$1 settings=$2 table=$3 best='' res t
	for ((r = 0; r < REPS; r++)); do
		t=$(psql_c -c "$settings" -c '\timing on' -c "$QUERY $table" | awk '/^Time:/ { print $2 } !/^Time:/ { print "R" $0 }')
		res=$(grep '^R' <<<"$t" | tail -n1)
		t=$(grep -v '^R' <<<"$t" | tail -n1)
		[[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }' && best=$t
	done
	[[ -z ${want:-} ]] && want=$res
	[[ $res == "$want" ]] || die "$label gave ${res#R}, not ${want#R}"
	results+=("$label|$best")
	say "$(printf '%-44s %9.1f ms' "$label" "$best")"
}

say "$ROWS rows; $QUERY ...; best of $REPS"
time_query "PostgreSQL, one backend (local table)" "SET max_parallel_workers_per_gather = 0" items_local
time_query "PostgreSQL, parallel query (2 workers)" \
	"SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET min_parallel_table_scan_size = 0" items_local
time_query "Citus, 1 worker (8 shards)" "SET client_min_messages = warning" items
psql_c -c "SELECT citus_add_node('$sock', $((port0 + 2)))" >/dev/null
psql_c -c 'SET client_min_messages = warning' -c "SELECT rebalance_table_shards('items', shard_transfer_mode := 'block_writes')" >/dev/null
placements=$(psql_c -c "SELECT string_agg(nodeport::text || ':' || c, ' ') FROM (SELECT nodeport, count(*) c FROM pg_dist_shard_placement GROUP BY 1 ORDER BY 1) s")
say "after adding worker 2 and rebalancing, shards per worker port: $placements"
time_query "Citus, 2 workers (8 shards)" "SET client_min_messages = warning" items

base=${results[0]#*|}
echo
printf '%-44s %10s %9s\n' configuration 'ms (best)' 'vs plain'
for r in "${results[@]}"; do
	printf '%-44s %10.1f %8.2fx\n' "${r%%|*}" "${r#*|}" "$(awk -v a="$base" -v b="${r#*|}" 'BEGIN { print a / b }')"
done
echo "(ratio: plain PostgreSQL's time over the configuration's; $(nproc) CPUs; load at start $(cut -d' ' -f1-3 /proc/loadavg))"
