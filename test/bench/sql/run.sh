#!/usr/bin/env bash
# test/bench/sql/run.sh — per-call cost of LANGUAGE wasm functions inside
# PostgreSQL, against baselines measured in the same run: a native C UDF
# built from the same C source (test/bench/sql/cudf/), PL/pgSQL and plain SQL.
#
#   bash test/bench/sql/run.sh [options]     (as root on Debian 12 after
#                                             test/deps.sh; `make bench-sql`)
#   --reps N    timed rounds per case, best kept (default 5)
#   --quick     a tenth of the rows and 3 rounds: a smoke test of the script
#   --no-cold   skip the cold-start measurements
#   --no-callgrind  skip the instruction counts (every query again in a
#               single-user backend under callgrind; installs valgrind when
#               missing and root)
#   --perf      afterwards, profile one backend with `perf record` while it
#               runs each wasm function, and print where its time goes
#               (installs linux-perf when missing and root)
#   --keep      keep the cluster's data directory
# Environment: PG_CONFIG, PGWASM_BENCH_PORT (default 54339).
#
# What it does: builds and installs pgwasm from this tree and the
# pgwasm_bench_cudf extension, builds the guest modules (test/bench/sql/
# probe.wat; examples/c/textkit.c, checksum.c, vecmath.c), starts a throwaway
# cluster in build/bench-sql/cluster as the postgres OS user, listening only
# on a Unix socket of its own, and stopped by an EXIT trap whatever happens.
# setup.sql creates the functions and data and checks that all the
# implementations of a function agree.  Then:
#   1. each case runs in ONE session (bench.run_case): SELECT count(f(col))
#      FROM <N rows> for every implementation, interleaved, best of --reps by
#      the backend's CPU time (and by wall clock); ns/call is that over
#      SELECT count(col) FROM <the same N rows>, divided by N;
#   2. cold start: the first call of a function in a new backend against a
#      warm call (psql \timing), also with pgwasm in shared_preload_libraries,
#      and pgbench -C;
#   3. (--perf) perf profiles;
#   4. callgrind: instructions per call, where they go, and what the first
#      use of a module costs.
# Results: build/bench-sql/results.txt (all tables), timings.csv (every
# timing), callgrind.txt, cold-runs.txt, perf-*.txt.
# Timings are informational only: this is never part of `make test`.
set -euo pipefail
export LC_ALL=C PGCLIENTENCODING=UTF8

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/test/bench/sql"
out="$root/build/bench-sql"
cd "$root"

REPS=5
SCALE=1
DO_COLD=1
DO_PERF=0
DO_CG=1
KEEP=0
COLD_RUNS=15
PERF_REPEAT=100
while (($#)); do
	case $1 in
	--reps) REPS=$2; shift ;;
	--quick) SCALE=0.1; REPS=3; COLD_RUNS=5; PERF_REPEAT=1000 ;;
	--no-cold) DO_COLD=0 ;;
	--perf) DO_PERF=1 ;;
	--no-callgrind) DO_CG=0 ;;
	--keep) KEEP=1 ;;
	-h | --help) sed -n '2,/^# Timings are/p' "$here/run.sh" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive integer" >&2; exit 2; }

say() { printf 'bench-sql: %s\n' "$*"; }
die() { printf 'bench-sql: error: %s\n' "$*" >&2; exit 1; }

PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config || true)}"
[[ -n $PG_CONFIG ]] || die "pg_config not found: run 'bash test/deps.sh' as root first"
bindir="$("$PG_CONFIG" --bindir)"
port="${PGWASM_BENCH_PORT:-54339}"
CLANG="${CLANG:-$(command -v clang-14 || command -v clang || true)}"
WAT2WASM="$(command -v wat2wasm || true)"
[[ -n $CLANG && -n $WAT2WASM ]] || die "clang or wat2wasm missing: run 'bash test/deps.sh' as root first"
for tool in initdb pg_ctl psql pgbench; do
	[[ -x $bindir/$tool ]] || die "$bindir/$tool missing: run 'bash test/deps.sh' as root first"
done

start_load="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$out"

# ---- build and install --------------------------------------------------------
say "building and installing pgwasm"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
say "building and installing pgwasm_bench_cudf (test/bench/sql/cudf, native C UDFs)"
mkdir -p "$out/cudf"
make -s -C "$out/cudf" -f "$here/cudf/Makefile" PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C "$out/cudf" -f "$here/cudf/Makefile" PG_CONFIG="$PG_CONFIG" install >/dev/null

# ---- scratch space the server user can use -------------------------------------
# shellcheck source=test/bench/cluster.sh
source "$root/test/bench/cluster.sh"
bench_cluster_init "$out/cluster" pgwasm-bench-sql

# ---- guest modules ----------------------------------------------------------------
say "building the guest modules"
# The flags of examples/build.sh.
# shellcheck disable=SC2054  # the comma in -Wl,--strip-debug is intended
guest_cflags=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE
	-mexec-model=reactor -Wl,--strip-debug -I"$root/examples/c")
for m in textkit checksum vecmath; do
	"$CLANG" "${guest_cflags[@]}" -o "$guest/$m.wasm" "$root/examples/c/$m.c"
done
"$WAT2WASM" --debug-names -o "$guest/probe.wasm" "$here/probe.wat"
chmod -R a+rX "$guest"

# ---- the cluster -------------------------------------------------------------------
# work_mem: generate_series(1, 1000000) stays in memory.
bench_cluster_start "$port" "shared_buffers = 256MB
work_mem = 256MB"
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

say "setup: functions, data sets (setup.sql)"
"${psql[@]}" -v guestdir="$guest" -v scale="$SCALE" -f - <"$here/setup.sql"

say "checks: the implementations agree"
bad=0
while IFS='|' read -r what n; do
	if [[ $n == 0 ]]; then
		printf '  ok   %s\n' "$what"
	else
		printf '  FAIL %s: %s rows differ\n' "$what" "$n"
		bad=1
	fi
done < <("${psql[@]}" -At -c "SELECT what, bad FROM bench.checks")
((bad == 0)) || die "implementations disagree: the timings would compare different work"

# ---- per-call cost -------------------------------------------------------------------
cases=(int4 text bytea 'float8[]')
for c in "${cases[@]}"; do
	say "case $c: best of $REPS rounds, one session"
	"${psql[@]}" -c "SELECT bench.run_case('$c', $REPS)" >/dev/null
done
"${psql[@]}" -c "\\copy (SELECT * FROM bench.timings ORDER BY case_name, key, rep) TO '$out/timings.csv' CSV HEADER"

report="$out/report.txt"
fmt='%-9s %-44s %8s %9s %9s %9s %9s %8s %10s\n'
{
	# shellcheck disable=SC2059
	printf "$fmt" case implementation rows 'CPU ms' 'empty ms' 'ns/call' 'wall ns' 'vs C UDF' 'vs PL/pgSQL'
	"${psql[@]}" -At -F'|' -c "
		SELECT case_name, label, n, round(cpu_ms::numeric, 1), round(empty_cpu_ms::numeric, 1),
			   round(ns::numeric, CASE WHEN abs(ns) < 100 THEN 1 ELSE 0 END),
			   round(wall_ns::numeric, CASE WHEN abs(wall_ns) < 100 THEN 1 ELSE 0 END),
			   coalesce(round(x_c::numeric, CASE WHEN x_c < 10 THEN 2 ELSE 1 END)::text, ''),
			   coalesce(round(x_plpgsql::numeric, 3)::text, '')
		FROM bench.report
		ORDER BY array_position(ARRAY['int4', 'text', 'bytea', 'float8[]'], case_name), ord" |
		while IFS='|' read -r c label n cpu empty ns wns xc xp; do
			# shellcheck disable=SC2059
			printf "$fmt" "$c" "$label" "$n" "$cpu" "$empty" "$ns" "$wns" "$xc" "$xp"
		done
} >"$report"

# ---- cold start -------------------------------------------------------------------------
# Each run is a new connection (a new backend) whose first query calls the
# function; the second query calls it again, warm (in a new transaction, so
# that includes resetting the instance).  psql's \timing is the client's
# round trip over the Unix socket, so `SELECT 1` is the reference.  Then the
# same with pgwasm in shared_preload_libraries (loaded once by the
# postmaster), and pgbench -C: one new connection per call.
cold="$out/cold.txt"
: >"$cold"
slug_sql="SELECT slugify_w('Crème Brûlée: 10 Recipes!')"
# cold_probe LABEL PRE-QUERY QUERY MODULE: COLD_RUNS new backends; prints
# one summary line (medians over the runs; the minimum of the cold call).
cold_probe() {
	local label="$1" pre="$2" sql="$3" mod="$4" r args
	for ((r = 1; r <= COLD_RUNS; r++)); do
		args=(-At -c '\timing on')
		[[ -n $pre ]] && args+=(-c "$pre")
		args+=(-c "$sql" -c "$sql")
		[[ -n $mod ]] &&
			args+=(-c "SELECT 'load_ms=' || round(compile_ms::numeric, 3) FROM wasm.stats() WHERE module = '$mod'")
		# Times in order: [pre-query,] cold call, warm call[, stats query].
		"${psql[@]}" "${args[@]}" |
			awk -v k="$([[ -n $pre ]] && echo 1 || echo 0)" '
				/^Time: / { t[++n] = $2 }
				/^load_ms=/ { sub(/^load_ms=/, ""); load = $0 }
				END { printf "%s %s %s\n", t[1 + k], t[2 + k], (load == "" ? "-" : load) }'
	done | sort -n -k1,1 | tee -a "$out/cold-runs.txt" |
		awk -v name="$label" '
			{ c[NR] = $1; w[NR] = $2; l[NR] = $3 }
			function med(a, n,   s, j, k, tmp) {
				for (j = 1; j <= n; j++) s[j] = a[j] + 0
				for (j = 1; j <= n; j++) for (k = j + 1; k <= n; k++)
					if (s[k] < s[j]) { tmp = s[j]; s[j] = s[k]; s[k] = tmp }
				return (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
			}
			END {
				cm = med(c, NR); wm = med(w, NR)
				lm = (l[1] == "-") ? "-" : sprintf("%.3f", med(l, NR))
				printf "%-44s %8.3f ms %8.3f ms %8.3f ms %8.3f ms %8s\n", name, cm, c[1], wm, cm - wm, lm
			}'
}
restart() { bench_cluster_restart; }
if ((DO_COLD)); then
	say "cold start: $COLD_RUNS new backends per function"
	: >"$out/cold-runs.txt"
	{
		printf '%-44s %11s %11s %11s %11s %8s\n' 'first call in a new backend' 'cold med' 'cold min' \
			'warm med' 'cold-warm' 'decode ms'
		cold_probe "SELECT 1 (no function)" "" "SELECT 1" ""
		cold_probe "C UDF add_c" "" "SELECT add_c(1, 2)" ""
		cold_probe "PL/pgSQL add_plpgsql" "" "SELECT add_plpgsql(1, 2)" ""
		cold_probe "wasm add (probe, 370 B)" "" "SELECT add_w(1, 2)" probe
		cold_probe "wasm slugify (textkit, 16 KB)" "" "$slug_sql" textkit
		cold_probe "wasm cosine (vecmath, 15 KB)" "" "SELECT cosine_w(q, q) FROM qvec" vecmath
		cold_probe "wasm slugify after a call of add_w" "SELECT add_w(1, 2)" "$slug_sql" textkit
		"${psql[@]}" -c "ALTER SYSTEM SET shared_preload_libraries = 'pgwasm'"
		restart
		cold_probe "wasm add, pgwasm preloaded" "" "SELECT add_w(1, 2)" probe
		cold_probe "wasm slugify, pgwasm preloaded" "" "$slug_sql" textkit
		"${psql[@]}" -c "ALTER SYSTEM RESET shared_preload_libraries"
		restart
	} >"$cold"

	say "cold start: pgbench -C (one connection per call)"
	{
		printf '\n%-44s %10s %14s\n' 'pgbench -C -t 200, one call per connection' tps 'latency avg'
		for q in "SELECT 1" "SELECT add_c(1, 2)" "SELECT add_w(1, 2)" "$slug_sql"; do
			printf '%s;\n' "$q" >"$out/pgbench.sql"
			"$bindir/pgbench" -n -C -t 200 -f "$out/pgbench.sql" 2>&1 |
				awk -v q="${q/\'*\'/'...'}" '
					/^latency average/ { lat = $4 " " $5 }
					/^tps/ { tps = $3 }
					END { printf "%-44s %10.1f %14s\n", q, tps, lat }'
		done
	} >>"$cold"
fi

# ---- profile (--perf) ----------------------------------------------------------------------------
# One backend runs each wasm function over many rows; perf samples it for
# 4 s, then the query is cancelled.
if ((DO_PERF)); then
	if ! command -v perf >/dev/null; then
		[[ $(id -u) == 0 ]] || die "perf not found (Debian: apt-get install linux-perf)"
		say "installing linux-perf"
		apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends linux-perf >/dev/null
	fi
	for spec in "add_w(x, 1)|generate_series(1, 1000000) AS g(x), generate_series(1, $PERF_REPEAT) AS h" \
		"slugify_w(t)|titles, generate_series(1, $PERF_REPEAT) AS h" \
		"crc32_w(b)|blobs, generate_series(1, $PERF_REPEAT) AS h" \
		"cosine_w(v, q)|vecs, qvec, generate_series(1, $PERF_REPEAT) AS h"; do
		expr="${spec%%|*}"
		from="${spec#*|}"
		name="${expr%%(*}"
		PGAPPNAME=bench-perf "${psql[@]}" -At >/dev/null 2>&1 <<-PSQL &
			SELECT count($expr) FROM (SELECT * FROM $from LIMIT 1000) AS s;
			SELECT pg_sleep(0.5);
			SET statement_timeout = '30s';
			SELECT count($expr) FROM $from;
		PSQL
		psql_job=$!
		pid=""
		for _ in $(seq 50); do
			pid="$("${psql[@]}" -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench-perf'")"
			[[ -n $pid ]] && break
			sleep 0.1
		done
		[[ -n $pid ]] || die "no backend to profile"
		sleep 0.5
		rm -f "$out/perf-$name.data"
		(perf record -q -g -o "$out/perf-$name.data" -p "$pid" -- sleep 4) >/dev/null 2>&1 || true
		"${psql[@]}" -At -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $pid" >/dev/null
		wait "$psql_job" || true
		[[ -s $out/perf-$name.data ]] ||
			die "perf record failed (perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid))"
		# Unresolved addresses are static functions of the stripped server.
		perf report -i "$out/perf-$name.data" --children --stdio --sort sym --percent-limit 2 -g none 2>/dev/null |
			grep -vE '^#|^$|\] 0x|PortalRun|Postgres|Postmaster|__libc_start|\] main$|ExecutorRun' \
			>"$out/perf-$name.txt" || true
		say "profile of $expr, % of samples (children = inclusive, self): $out/perf-$name.txt"
		head -15 "$out/perf-$name.txt"
	done
fi

# ---- instruction counts (callgrind) ----------------------------------------------------------------
# Every query again, in a single-user backend under callgrind, with two row
# counts each (after a warm-up with 10 rows).  bench_mark() between queries
# makes callgrind dump its counters (--dump-before), so part k+1 of the
# output holds query k.  Instructions per call do not depend on the load.
cgreport="$out/callgrind.txt"
: >"$cgreport"
if ((DO_CG)); then
	if ! command -v valgrind >/dev/null; then
		[[ $(id -u) == 0 ]] || die "valgrind not found (Debian: apt-get install valgrind), or use --no-callgrind"
		say "installing valgrind"
		apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends valgrind >/dev/null
	fi
	cgdir="$pgdir/callgrind"
	rm -rf "$cgdir"
	mkdir -p "$cgdir"
	[[ $(id -u) == 0 ]] && chown "$pguser" "$cgdir"
	map="$out/callgrind-map.txt"
	# The server starts with empty shared buffers: read the tables in first,
	# or the first query to touch a page pays for the miss.
	printf 'SELECT count(*) FROM %s;\n' titles blobs vecs qvec >"$out/callgrind.sql"
	echo "SELECT bench_mark();" >>"$out/callgrind.sql"
	: >"$map"
	part=1
	while IFS='|' read -r c key n tmpl; do
		n2=$((n / 100 > 25 ? n / 100 : 25))
		n1=$((n2 / 5 > 5 ? n2 / 5 : 5))
		for role in warm n1 n2; do
			case $role in warm) rows=10 ;; n1) rows=$n1 ;; n2) rows=$n2 ;; esac
			printf '%s;\nSELECT bench_mark();\n' "${tmpl//\$N/$rows}" >>"$out/callgrind.sql"
			part=$((part + 1))
			printf '%s|%s|%s|%s|%s\n' "$part" "$c" "$key" "$role" "$rows" >>"$map"
		done
	done < <("${psql[@]}" -At -F'|' -c "
		SELECT case_name, key, n, tmpl FROM bench.queries
		ORDER BY array_position(ARRAY['int4', 'text', 'bytea', 'float8[]'], case_name), ord, n")
	say "callgrind: $((part - 1)) queries in a single-user backend under valgrind"
	as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	as_pg valgrind --tool=callgrind --callgrind-out-file="$cgdir/cg.out" --dump-before=bench_mark \
		--compress-strings=no --compress-pos=no \
		"$bindir/postgres" --single -D "$data" postgres <"$out/callgrind.sql" >"$cgdir/stdout.txt" 2>"$cgdir/valgrind.log" ||
		{ tail -20 "$cgdir/valgrind.log"; die "the callgrind run failed"; }
	as_pg "$bindir/pg_ctl" -D "$data" -l "$pgdir/server.log" -w -t 60 start >/dev/null
	if grep -q 'ERROR' "$cgdir/stdout.txt"; then
		grep -m5 'ERROR' "$cgdir/stdout.txt"
		die "a query failed under callgrind"
	fi
	while IFS='|' read -r part c key role rows; do
		printf '%s|%s|%s|%s|%s\n' "$c" "$key" "$role" "$rows" \
			"$(sed -n 's/^totals: //p' "$cgdir/cg.out.$part")"
	done <"$map" >"$out/callgrind-totals.txt"
	"${psql[@]}" -c "\\copy bench.cg FROM '$out/callgrind-totals.txt' (FORMAT text, DELIMITER '|')"

	cfmt='%-9s %-44s %10s %10s %9s %10s\n'
	{
		# shellcheck disable=SC2059
		printf "$cfmt" case implementation 'Ir/call' 'empty Ir' 'vs C UDF' 'vs PL/pgSQL'
		"${psql[@]}" -At -F'|' -c "
			SELECT case_name, label, round(ir::numeric), round(empty_ir::numeric),
				   coalesce(round(x_c::numeric, CASE WHEN x_c < 10 THEN 2 ELSE 1 END)::text, ''),
				   coalesce(round(x_plpgsql::numeric, 3)::text, '')
			FROM bench.cg_report
			ORDER BY array_position(ARRAY['int4', 'text', 'bytea', 'float8[]'], case_name), ord" |
			while IFS='|' read -r c label ir eir xc xp; do
				# shellcheck disable=SC2059
				printf "$cfmt" "$c" "$label" "$ir" "$eir" "$xc" "$xp"
			done
	} >"$cgreport"

	# Where a wasm call's instructions go: inclusive instructions per call of
	# the functions involved (the method's queries minus the empty query's,
	# per row), those above 3% of pgwasm_call_handler's.
	inclusive() {
		callgrind_annotate --inclusive=yes --threshold=100 "$cgdir/cg.out.$1" 2>/dev/null |
			sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *[^ ]*:\([^ :]*\) \[.*$/\2 \1/p' | tr -d , | sort -k1,1 -u
	}
	part_of() { awk -F'|' -v c="$1" -v k="$2" -v r="$3" '$2 == c && $3 == k && $4 == r { print $1, $5 }' "$map"; }
	{
		echo
		echo "Inclusive instructions per call of the functions under pgwasm_call_handler (above 3% of it),"
		echo "from the same run; 'outside the handler' is the executor and fmgr around the call."
		"${psql[@]}" -At -F'|' -c "
			SELECT case_name, impl || ':' || fn, 'empty@' || n, label, round(ir::numeric)
			FROM bench.methods JOIN bench.cg_report USING (case_name, ord, fn, impl, label)
			WHERE impl = 'wasm'
			ORDER BY array_position(ARRAY['int4', 'text', 'bytea', 'float8[]'], case_name), ord" |
			while IFS='|' read -r c key ekey label ir; do
				read -r p1 r1 < <(part_of "$c" "$key" n1)
				read -r p2 r2 < <(part_of "$c" "$key" n2)
				read -r e1 _ < <(part_of "$c" "$ekey" n1)
				read -r e2 _ < <(part_of "$c" "$ekey" n2)
				printf '\n%s: %s instructions per call\n' "$label" "$ir"
				join -a1 -e0 -o 0,1.2,1.3,2.2,2.3 \
					<(join -a1 -a2 -e0 -o 0,1.2,2.2 <(inclusive "$p1") <(inclusive "$p2")) \
					<(join -a1 -a2 -e0 -o 0,1.2,2.2 <(inclusive "$e1") <(inclusive "$e2")) |
					awk -v d="$((r2 - r1))" -v total="$ir" '
						{ f[$1] = (($3 - $2) - ($5 - $4)) / d }
						END {
							h = f["pgwasm_call_handler"]
							if (h <= 0) exit
							printf "  %-36s %8.0f\n", "(outside the handler)", total - h
							for (k in f)
								if (f[k] <= h && f[k] >= 0.03 * h && k !~ /^(0x|main$|Postgres|__libc_start)/)
									printf "  %-36s %8.0f\n", k, f[k]
						}' | sort -k2,2nr
			done

		# The first query of a module in the session (10 rows) loads it.
		echo
		echo "First use of a module in the session (the warm-up query, 10 calls): inclusive instructions"
		printf '%-40s' ''
		for key in wasm:add wasm:slugify wasm:crc32 wasm:cosine; do printf ' %11s' "${key#wasm:}"; done
		echo
		parts=()
		for key in wasm:add wasm:slugify wasm:crc32 wasm:cosine; do
			parts+=("$(awk -F'|' -v k="$key" '$3 == k && $4 == "warm" { print $1 }' "$map")")
		done
		for fnname in TOTAL load_external_function pgwasm_call_handler pgwasm_cache_get_module \
			pgwasm_catalog_lookup pgwasm_sha256 ZSTD_decompress detoast_attr wrt_module_load \
			pgwasm_cache_get_instance wrt_instantiate wrt_instance_snapshot ensure_compiled run; do
			case $fnname in
			TOTAL) label="whole query" ;;
			load_external_function | pgwasm_call_handler) label="  $fnname" ;;
			pgwasm_cache_get_module | pgwasm_cache_get_instance | ensure_compiled | run) label="    $fnname" ;;
			*) label="      $fnname" ;;
			esac
			printf '%-40s' "$label"
			for p in "${parts[@]}"; do
				if [[ $fnname == TOTAL ]]; then
					v="$(sed -n 's/^totals: //p' "$cgdir/cg.out.$p")"
				else
					v="$(inclusive "$p" | awk -v f="$fnname" '$1 == f { print $2 }')"
				fi
				printf ' %11s' "$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"${v:-0}")"
			done
			echo
		done
	} >>"$cgreport"
fi

# ---- results ----------------------------------------------------------------------------------
end_load="$(cut -d' ' -f1-3 /proc/loadavg)"
{
	echo "pgwasm SQL benchmarks (test/bench/sql/run.sh), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src runtime 2>/dev/null || echo ' (src/ or runtime/ modified)')"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load average $start_load at start, $end_load at the end"
	echo "server: $("$bindir/postgres" --version), jit off, no parallel workers; C UDF: $(gcc --version | head -1) -O2 (PGXS); guests: $("$CLANG" --version | head -1) -O2"
	echo "per call: best of $REPS rounds; ns/call = (CPU ms of SELECT count(f(col)) over N rows - CPU ms of SELECT count(col)) / N;"
	echo "wall ns = the same by wall clock; vs = ratio of CPU ns/call to the C UDF's and PL/pgSQL's for the same function"
	echo "(shown when that reference costs 10 ns or more: below, the instruction counts further down are the ratio to read)"
	echo
	cat "$report"
	if ((DO_COLD)); then
		echo
		cat "$cold"
	fi
	if ((DO_CG)); then
		echo
		echo "Instructions per call (callgrind, single-user backend; not affected by the machine's load):"
		cat "$cgreport"
	fi
} >"$out/results.txt"
echo
cat "$out/results.txt"
echo
say "written: $out/results.txt, $out/timings.csv"

