#!/usr/bin/env bash
# test/bench/sets/run.sh — sets and triggers (`make bench-sets`, also run by
# `make bench`): rows per second of a set-returning wasm function against
# PostgreSQL's own C SRFs (string_to_table, regexp_split_to_table) and a
# PL/pgSQL SRF, and the cost per row of a BEFORE ROW trigger in wasm against
# the same trigger in PL/pgSQL.  The wasm side is examples/c/logsplit.c
# (csv_fields: a CSV splitter that also handles quotes; logs_normalize).
#
#   bash test/bench/sets/run.sh [--reps N] [--quick]    (as root, like the
#                                                        other benchmarks)
# Environment: PG_CONFIG, PGWASM_BENCH_PORT (default 54359),
#   PGWASM_BENCH_NO_INSTALL=1 (use the pgwasm already installed).
#
# It builds and installs pgwasm (unless told not to), builds logsplit.wasm,
# starts a throwaway cluster in build/bench-sets/cluster as the postgres OS
# user on a private Unix socket (stopped by an EXIT trap), and times each
# query with psql's \timing (wall clock, client round trip), best of --reps
# after a warm-up.  Results: build/bench-sets/results.md.  Informational
# only: never part of `make test`.
set -euo pipefail
export LC_ALL=C PGCLIENTENCODING=UTF8

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$root/build/bench-sets"
cd "$root"
REPS=5
SCALE=1
while (($#)); do
	case $1 in
	--reps) REPS=$2; shift ;;
	--quick) SCALE=10; REPS=2 ;;
	*) echo "usage: $0 [--reps N] [--quick]" >&2; exit 2 ;;
	esac
	shift
done
PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}"
bindir="$("$PG_CONFIG" --bindir)"
port="${PGWASM_BENCH_PORT:-54359}"
say() { printf 'bench-sets: %s\n' "$*"; }

if [ -z "${PGWASM_BENCH_NO_INSTALL:-}" ]; then
	say "building and installing pgwasm"
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null && make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
fi
rm -rf "$out"
mkdir -p "$out/sock"
clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug -I examples/c \
	-o "$out/logsplit.wasm" examples/c/logsplit.c
chmod -R a+rX "$out"
if [ "$(id -u)" = 0 ]; then
	chown -R postgres "$out"
	as_pg() { runuser -u postgres -- "$@"; }
	user=postgres
else
	as_pg() { "$@"; }
	user="$(id -un)"
fi
data="$out/cluster"
as_pg "$bindir/initdb" -D "$data" -U "$user" -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$out/sock'
port = $port
fsync = off
jit = off
shared_buffers = 512MB
work_mem = 64MB
max_parallel_workers_per_gather = 0
CONF
as_pg "$bindir/pg_ctl" -D "$data" -l "$out/server.log" -w start >/dev/null
trap 'as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
psql=("$bindir/psql" -X -q -h "$out/sock" -p "$port" -U "$user" -d postgres -v ON_ERROR_STOP=1)

big=$((1000000 / SCALE))
lines=$((100000 / SCALE))
inserts=$((200000 / SCALE))
"${psql[@]}" -v wasm="$out/logsplit.wasm" -v big="$big" -v lines="$lines" <<'SQL'
CREATE EXTENSION pgwasm;
SELECT wasm.install_module('logsplit', pg_read_binary_file(:'wasm')) IS NOT NULL;
SELECT count(*) FROM wasm.create_functions('logsplit');
-- PL/pgSQL: the SRF protocol around a split PostgreSQL does in C
CREATE FUNCTION split_plpgsql(s text) RETURNS SETOF text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY string_to_array(s, ',') LOOP
    RETURN NEXT f;
  END LOOP;
END $$;
CREATE FUNCTION normalize_plpgsql() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.level IS NULL THEN RETURN NEW; END IF;
  NEW.level := upper(NEW.level);
  IF NEW.level = 'DEBUG' THEN RETURN NULL; END IF;
  RETURN NEW;
END $$;
-- one string of :big fields, and :lines lines of 10 fields
CREATE TABLE big AS SELECT string_agg('f' || i, ',') AS s FROM generate_series(1, :big) i;
CREATE TABLE lines AS
  SELECT i AS id, (SELECT string_agg('w' || (i * 10 + j), ',') FROM generate_series(1, 10) j) AS line
  FROM generate_series(1, :lines) i;
CREATE TABLE log_src AS
  SELECT (ARRAY['info', 'warn', 'error', 'debug'])[1 + i % 4] AS level, 'message ' || i AS message
  FROM generate_series(1, 200000) i;
CREATE TABLE logs_none (level text, message text);
CREATE TABLE logs_wasm (level text, message text);
CREATE TABLE logs_plpgsql (level text, message text);
CREATE TRIGGER n BEFORE INSERT ON logs_wasm FOR EACH ROW EXECUTE FUNCTION logs_normalize();
CREATE TRIGGER n BEFORE INSERT ON logs_plpgsql FOR EACH ROW EXECUTE FUNCTION normalize_plpgsql();
VACUUM ANALYZE;
-- the implementations agree
SELECT (SELECT array_agg(x) FROM csv_fields((SELECT s FROM big)) x) =
       (SELECT array_agg(x) FROM string_to_table((SELECT s FROM big), ',') x) AS same_fields;
SQL

# key | title | rows | query | statement run before it, untimed
cases=(
	"big_wasm_list|one string, $big fields: wasm csv_fields, select list (rows streamed)|$big|SELECT count(x) FROM (SELECT csv_fields(s) AS x FROM big) t"
	"big_wasm_from|one string, $big fields: wasm csv_fields, FROM (tuplestore)|$big|SELECT count(x) FROM big, csv_fields(s) x"
	"big_c|one string, $big fields: string_to_table (C SRF)|$big|SELECT count(x) FROM big, string_to_table(s, ',') x"
	"big_regexp|one string, $big fields: regexp_split_to_table (C SRF)|$big|SELECT count(x) FROM big, regexp_split_to_table(s, ',') x"
	"big_plpgsql|one string, $big fields: PL/pgSQL SRF (RETURN NEXT over string_to_array)|$big|SELECT count(x) FROM big, split_plpgsql(s) x"
	"lines_wasm|$lines lines x 10 fields: wasm csv_fields, LATERAL|$((lines * 10))|SELECT count(x) FROM lines, csv_fields(line) x"
	"lines_c|$lines lines x 10 fields: string_to_table|$((lines * 10))|SELECT count(x) FROM lines, string_to_table(line, ',') x"
	"lines_regexp|$lines lines x 10 fields: regexp_split_to_table|$((lines * 10))|SELECT count(x) FROM lines, regexp_split_to_table(line, ',') x"
	"lines_plpgsql|$lines lines x 10 fields: PL/pgSQL SRF|$((lines * 10))|SELECT count(x) FROM lines, split_plpgsql(line) x"
	"trig_none|INSERT $inserts rows, no trigger|$inserts|INSERT INTO logs_none SELECT * FROM log_src LIMIT $inserts|TRUNCATE logs_none"
	"trig_wasm|INSERT $inserts rows, BEFORE ROW trigger in wasm|$inserts|INSERT INTO logs_wasm SELECT * FROM log_src LIMIT $inserts|TRUNCATE logs_wasm"
	"trig_plpgsql|INSERT $inserts rows, BEFORE ROW trigger in PL/pgSQL|$inserts|INSERT INTO logs_plpgsql SELECT * FROM log_src LIMIT $inserts|TRUNCATE logs_plpgsql"
)
{
	echo '\o /dev/null'
	echo '\timing on'
	for c in "${cases[@]}"; do
		IFS='|' read -r key _ _ q prep <<<"$c"
		[ -n "$prep" ] && echo "$prep;"
		echo '\echo @warm'
		echo "$q;"
	done
	for ((r = 1; r <= REPS; r++)); do
		for c in "${cases[@]}"; do
			IFS='|' read -r key _ _ q prep <<<"$c"
			[ -n "$prep" ] && echo "$prep;"
			echo "\\echo @t $key"
			echo "$q;"
		done
	done
} >"$out/queries.sql"
say "timing ${#cases[@]} queries, best of $REPS"
"${psql[@]}" -f "$out/queries.sql" | awk '
	/^@warm/ { cur = ""; next }
	/^@t / { cur = $2; next }
	/^Time: / && cur != "" { t = $2; if (!(cur in best) || t < best[cur]) best[cur] = t; cur = "" }
	END { for (k in best) print k, best[k] }' | sort >"$out/best.txt"

{
	echo "| workload | rows | best ms | rows/s | ns/row |"
	echo "|---|---:|---:|---:|---:|"
	for c in "${cases[@]}"; do
		IFS='|' read -r key title rows _ <<<"$c"
		ms=$(awk -v k="$key" '$1 == k { print $2 }' "$out/best.txt")
		awk -v t="$title" -v n="$rows" -v ms="$ms" 'BEGIN {
			printf "| %s | %d | %.1f | %.2fM | %.0f |\n", t, n, ms, n / ms / 1000, ms * 1e6 / n }'
	done
	none=$(awk '$1 == "trig_none" { print $2 }' "$out/best.txt")
	for k in trig_wasm trig_plpgsql; do
		ms=$(awk -v k="$k" '$1 == k { print $2 }' "$out/best.txt")
		awk -v k="$k" -v ms="$ms" -v none="$none" -v n="$inserts" 'BEGIN {
			printf "\ntrigger overhead, %s: %.2f us per row\n", k, (ms - none) * 1000 / n }'
	done
} | tee "$out/results.md"
