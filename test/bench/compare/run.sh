#!/usr/bin/env bash
# test/bench/compare/run.sh — `make bench`: where pgwasm stands against what a
# user would otherwise pick.  Every workload runs, in one benchmark run on one
# throwaway cluster, as a native C UDF (the baseline), a pgwasm function (with
# the default settings, so its native tier compiles it once hot, and again
# with pgwasm.jit = off: both tiers, in the tables and the chart), a
# PL/pgSQL, a PL/Python and a PL/Perl function; the report gives per workload
# the median query time and the ratio to the C UDF, checks the targets, draws
# a chart with gnuplot and rewrites the results section of docs/benchmarks.md.
#
#   bash test/bench/compare/run.sh [options]    (as root on Debian 12)
#   --reps N      timed rounds per implementation (default 5), median kept
#   --quick       a tenth of the rows, 2 rounds, 5 cold runs: a smoke test
#                 of the script (its figures are not worth keeping)
#   --only LIST   comma-separated workload keys (see WORKLOADS below)
#   --no-cold     skip the cold-start measurements
#   --no-docs     leave docs/ alone (results stay in build/compare/)
#   --profile     afterwards, callgrind profiles (by function) of some
#                 pgwasm and C UDF queries in a single-user backend, and
#                 their instructions per row in the results (make bench
#                 passes it)
#   --keep        keep the cluster's data directory
# Environment: PG_CONFIG, PGWASM_BENCH_PORT (default 54349).
#
# Set-up it does itself: installs missing Debian packages (test/deps.sh, then
# postgresql-plpython3-15, postgresql-plperl-15, gnuplot-nox), builds and
# installs pgwasm and the C UDF extension pgwasm_bench_compare (cudf.c: the
# same kernels.c the Wasm module is compiled from), builds kernels.wasm and a
# ~1 MB module (test/bench/genbig.c), starts a cluster in
# build/compare/cluster as the postgres OS user on a private Unix socket,
# stopped by an EXIT trap whatever happens.
#
# Method: each workload runs in one session; every implementation is first
# called once on up to WARM_ROWS rows (warm-up: language and module
# loaded), pgwasm (with its native tier) on all the rows: its function
# crosses pgwasm.jit_call_threshold within the first thousand rows, but the
# guest's allocator (called every PGWASM_KEPT_CALLS rows, when argument
# buffers are renewed) only after a few hundred thousand, and compiling it
# then took 300 ms of the first timed round; then the rounds
# run interleaved (c, wasm, plpgsql, ... in a rotating order), timed by psql's
# \timing (wall clock, client round trip over a Unix socket).  Where a slow
# implementation would take minutes, it runs on a prefix of the same rows
# (random order, so a fair sample) and its ratio is per row; the report marks
# those.  Results: build/compare/results.md, timings.csv, chart.svg.
# Timings are informational only: this is never part of `make test`.
set -euo pipefail
export LC_ALL=C PGCLIENTENCODING=UTF8

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$root/test/bench/compare"
out="$root/build/compare"
cd "$root"

REPS=5
SCALE=1
# Rows of the warm-up query of the implementations other than pgwasm (see
# Method above; the cold start has its own measurement below).
WARM_ROWS=2000
DO_COLD=1
DO_DOCS=1
KEEP=0
DO_PROFILE=0
ONLY=""
COLD_RUNS=21
while (($#)); do
	case $1 in
	--reps) REPS=$2; shift ;;
	--quick) SCALE=0.1; REPS=2; COLD_RUNS=5 ;;
	--only) ONLY=$2; shift ;;
	--no-cold) DO_COLD=0 ;;
	--no-docs) DO_DOCS=0 ;;
	--keep) KEEP=1 ;;
	--profile) DO_PROFILE=1 ;;
	-h | --help) sed -n '2,/^# Timings are/p' "$here/run.sh" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive integer" >&2; exit 2; }
# Figures of a scaled-down run do not go into the documentation.
[[ $SCALE == 1 ]] || DO_DOCS=0

say() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---- packages ------------------------------------------------------------------
bash "$root/test/deps.sh" >/dev/null
extra=()
bench_pkgs=(postgresql-plpython3-15 postgresql-plperl-15 gnuplot-nox)
((DO_PROFILE)) && bench_pkgs+=(valgrind)
for pkg in "${bench_pkgs[@]}"; do
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) == installed ]] || extra+=("$pkg")
done
if ((${#extra[@]})); then
	[[ $(id -u) == 0 ]] || die "missing packages: ${extra[*]} (apt-get install them as root)"
	say "installing ${extra[*]}"
	apt-get update >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${extra[@]}" >/dev/null
fi

PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config || true)}"
[[ -n $PG_CONFIG ]] || die "pg_config not found"
bindir="$("$PG_CONFIG" --bindir)"
port="${PGWASM_BENCH_PORT:-54349}"
CLANG="${CLANG:-$(command -v clang-14 || command -v clang || true)}"
[[ -n $CLANG ]] || die "clang not found"

mkdir -p "$out"

# ---- build and install ----------------------------------------------------------
say "building and installing pgwasm and pgwasm_bench_compare (the C UDFs)"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
mkdir -p "$out/cudf"
make -s -C "$out/cudf" -f "$here/Makefile" PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C "$out/cudf" -f "$here/Makefile" PG_CONFIG="$PG_CONFIG" install >/dev/null

# shellcheck source=test/bench/cluster.sh
source "$root/test/bench/cluster.sh"
bench_cluster_init "$out/cluster" pgwasm-bench

say "building the guest modules"
"$CLANG" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE \
	-mexec-model=reactor -Wl,--strip-debug -I"$root/examples/c" \
	-o "$guest/kernels.wasm" "$here/kernels.c"
# The ~1 MB module of the engine's load benchmark (1,600 generated functions).
cc -O2 -o "$out/genbig" "$root/test/bench/genbig.c"
"$out/genbig" 1600 >"$out/big.c.new"
if cmp -s "$out/big.c.new" "$out/big.c" && [[ -f $out/big.wasm && $out/big.wasm -nt $out/big.c ]]; then
	rm "$out/big.c.new"
else
	mv "$out/big.c.new" "$out/big.c"
	say "compiling the ~1 MB module (about 15 s)"
	"$CLANG" --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -o "$out/big.wasm" "$out/big.c"
fi
cp "$out/big.wasm" "$guest/big.wasm"
small_size=$(stat -c %s "$guest/kernels.wasm")
big_size=$(stat -c %s "$guest/big.wasm")
chmod -R a+rX "$guest"

# ---- the cluster ----------------------------------------------------------------
# shared_buffers holds every table.
bench_cluster_start "$port" "shared_buffers = 1GB
work_mem = 256MB"
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

say "setup: functions in five languages, data sets (setup.sql)"
"${psql[@]}" -v guestdir="$guest" -v scale="$SCALE" -f "$here/setup.sql"
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
# Read every table into shared buffers once.
"${psql[@]}" -c "CREATE EXTENSION pg_prewarm" \
	-c "SELECT pg_prewarm(c) FROM unnest(ARRAY['titles', 'vecs', 'qvec', 'points', 'pairs', 'nums']::regclass[]) AS c" >/dev/null

# ---- workloads -------------------------------------------------------------------
# key | title | rows | query ({impl}: c, wasm, plpgsql, plpython or plperl,
#     the suffix of the function or aggregate's name; {n}: rows) |
#     built-in SQL query for reference ('' if none) | rows of the slow
#     implementations (impl=rows ...; default: all rows) | settings
PAR="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0"
SER="SET max_parallel_workers_per_gather = 0"
WORKLOADS=(
	"add1_i4|add one, int4|5000000|SELECT sum(add1_i4_{impl}(i)) FROM generate_series(1, {n}) AS i|SELECT sum(i + 1) FROM generate_series(1, {n}) AS i||$SER"
	"add1_i8|add one, int8|5000000|SELECT sum(add1_i8_{impl}(i)) FROM generate_series(1::int8, {n}) AS i|SELECT sum(i + 1) FROM generate_series(1::int8, {n}) AS i||$SER"
	"add1_f8|add one, float8|5000000|SELECT sum(add1_f8_{impl}(i::float8)) FROM generate_series(1, {n}) AS i|SELECT sum(i::float8 + 1) FROM generate_series(1, {n}) AS i||$SER"
	"utf8_length|UTF-8 character count, text|1000000|SELECT sum(utf8_length_{impl}(t)) FROM (SELECT t FROM titles LIMIT {n}) AS s|SELECT sum(char_length(t)) FROM (SELECT t FROM titles LIMIT {n}) AS s||$SER"
	"slug|lower-case + slug, text -> text|1000000|SELECT count(slug_{impl}(t)) FROM (SELECT t FROM titles LIMIT {n}) AS s||plpgsql=200000|$SER"
	"dot|dot product, 2 x float8[256]|200000|SELECT sum(dot_{impl}(v, (SELECT q FROM qvec))) FROM (SELECT v FROM vecs LIMIT {n}) AS s|SELECT sum((SELECT sum(x * y) FROM unnest(v, (SELECT q FROM qvec)) AS u(x, y))) FROM (SELECT v FROM vecs LIMIT {n}) AS s|plpgsql=20000 plpython=20000 plperl=20000|$SER"
	"mandelbrot|Mandelbrot escape count (max 1000)|120000|SELECT sum(mandelbrot_{impl}(cx, cy, 1000)) FROM (SELECT cx, cy FROM points LIMIT {n}) AS s||plpgsql=2000 plpython=10000 plperl=10000|$SER"
	"levenshtein|Levenshtein distance, 20-40 bytes|100000|SELECT sum(levenshtein_{impl}(a, b)) FROM (SELECT a, b FROM pairs LIMIT {n}) AS s||plpgsql=1000 plpython=5000 plperl=5000|$SER"
	"sumsq|aggregate: sum of squares (state function)|5000000|SELECT sumsq_{impl}(i::float8) FROM generate_series(1, {n}) AS i|SELECT sum(i::float8 * i::float8) FROM generate_series(1, {n}) AS i||$SER"
	"par_add1|add one, int8, table scan: serial|5000000|SELECT sum(add1_i8_{impl}(i)) FROM nums WHERE i <= {n}|SELECT sum(i + 1) FROM nums WHERE i <= {n}||$SER"
	"par_add1_2w|add one, int8, table scan: 2 workers|5000000|SELECT sum(add1_i8_{impl}(i)) FROM nums WHERE i <= {n}|SELECT sum(i + 1) FROM nums WHERE i <= {n}||$PAR"
	"par_mandel|Mandelbrot, table scan: serial|120000|SELECT sum(mandelbrot_{impl}(cx, cy, 1000)) FROM points WHERE k <= {n}||plpgsql=2000 plpython=10000 plperl=10000|$SER"
	"par_mandel_2w|Mandelbrot, table scan: 2 workers|120000|SELECT sum(mandelbrot_{impl}(cx, cy, 1000)) FROM points WHERE k <= {n}||plpgsql=2000 plpython=10000 plperl=10000|$PAR"
)
# wasmi: the same pgwasm functions with pgwasm.jit = off (the interpreter),
# next to wasm, which runs with the default settings (the native tier once
# a function is hot).
IMPLS=(c wasm wasmi plpgsql plpython plperl)

scaled() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s); print (v < 1 ? 1 : v) }'; }

timings="$out/timings.csv"
echo "workload,impl,rows,rep,ms" >"$timings"
for spec in "${WORKLOADS[@]}"; do
	IFS='|' read -r key title rows query ref slow settings <<<"$spec"
	if [[ -n $ONLY && ",$ONLY," != *",$key,"* ]]; then
		continue
	fi
	rows=$(scaled "$rows")
	impls=("${IMPLS[@]}")
	[[ -n $ref ]] && impls+=(sql)
	declare -A n_of=()
	for impl in "${impls[@]}"; do n_of[$impl]=$rows; done
	for kv in $slow; do
		n_of[${kv%%=*}]=$(scaled "${kv#*=}")
		((n_of[${kv%%=*}] <= rows)) || n_of[${kv%%=*}]=$rows
	done
	sql_of() {
		local q=$query impl=$1
		[[ $impl == sql ]] && q=$ref
		[[ $impl == wasmi ]] && impl=wasm
		q=${q//\{impl\}/$impl}
		printf '%s' "${q//\{n\}/$2}"
	}
	# Statements around an implementation's query, outside its timing.
	before_of() { [[ $1 != wasmi ]] || echo 'SET pgwasm.jit = off;'; }
	after_of() { [[ $1 != wasmi ]] || echo 'RESET pgwasm.jit;'; }
	# A parallel workload must get a parallel plan, and a serial one not.
	plan="$("${psql[@]}" -At -c "$settings" -c "EXPLAIN $(sql_of wasm "${n_of[wasm]}")")"
	if [[ $settings == "$PAR" ]]; then
		grep -q 'Workers Planned: 2' <<<"$plan" || die "$key: no parallel plan: $plan"
	else
		! grep -q 'Gather' <<<"$plan" || die "$key: unexpected parallel plan: $plan"
	fi
	say "$key ($title): $rows rows, $REPS rounds"
	{
		echo '\o /dev/null'
		echo "$settings;"
		echo '\timing on'
		for impl in "${impls[@]}"; do
			before_of "$impl"
			echo '\echo @warm'
			if [[ $impl == wasm ]]; then
				sql_of "$impl" "${n_of[$impl]}"
			else
				sql_of "$impl" $(( ${n_of[$impl]} < WARM_ROWS ? ${n_of[$impl]} : WARM_ROWS ))
			fi
			echo ';'
			after_of "$impl"
		done
		for ((r = 1; r <= REPS; r++)); do
			# A rotating order: no implementation always runs right after another.
			for ((k = 0; k < ${#impls[@]}; k++)); do
				impl=${impls[$(((k + r) % ${#impls[@]}))]}
				before_of "$impl"
				echo "\\echo @t $impl ${n_of[$impl]} $r"
				sql_of "$impl" "${n_of[$impl]}"
				echo ';'
				after_of "$impl"
			done
		done
	} >"$out/$key.sql"
	"${psql[@]}" -f "$out/$key.sql" | awk -v w="$key" '
		/^@warm/ { cur = ""; next }
		/^@t / { cur = $2 "," $3 "," $4; next }
		/^Time: / && cur != "" { printf "%s,%s,%s\n", w, cur, $2; cur = "" }' >>"$timings"
	unset n_of
done

# ---- cold start ------------------------------------------------------------------------
# Each run is a new connection (a new backend) whose first query calls the
# function; the second query calls it again, warm.  psql's \timing is the
# client's round trip over the Unix socket.  The pgwasm runs also report the
# module's decode + validate + instantiate time from wasm.stats().
cold="$out/cold.csv"
echo "probe,run,cold_ms,warm_ms,load_ms" >"$cold"
if ((DO_COLD)); then
	say "cold start: $COLD_RUNS new connections per probe"
	probes=(
		"select1|SELECT 1|"
		"c|SELECT add1_i4_c(1)|"
		"plpgsql|SELECT add1_i4_plpgsql(1)|"
		"plpython|SELECT add1_i4_plpython(1)|"
		"plperl|SELECT add1_i4_plperl(1)|"
		"wasm_small|SELECT add1_i4_wasm(1)|kernels"
		"wasm_big|SELECT big_f0(1, 2, 3.0)|big"
	)
	for ((r = 1; r <= COLD_RUNS; r++)); do
		for p in "${probes[@]}"; do
			IFS='|' read -r name q mod <<<"$p"
			args=(-At -c '\timing on' -c "$q" -c "$q")
			[[ -n $mod ]] &&
				args+=(-c "SELECT 'load_ms=' || round(compile_ms::numeric, 3) FROM wasm.stats() WHERE module = '$mod'")
			"${psql[@]}" "${args[@]}" | awk -v p="$name" -v r="$r" '
				/^Time: / { t[++n] = $2 }
				/^load_ms=/ { sub(/^load_ms=/, ""); load = $0 }
				END { printf "%s,%s,%s,%s,%s\n", p, r, t[1], t[2], load }' >>"$cold"
		done
	done
fi

# ---- profiles (--profile) ------------------------------------------------------------------
# The compute-heavy and the marshalling workloads' pgwasm queries (and their
# C UDF queries, for scale) once more, in a single-user backend under
# callgrind: where the instructions go, by function, self cost.  Instruction
# counts do not depend on the machine's load.
if ((DO_PROFILE)); then
	cgdir="$pgdir/callgrind"
	rm -rf "$cgdir"
	mkdir -p "$cgdir"
	[[ $(id -u) == 0 ]] && chown "$pguser" "$cgdir"
	bench_cluster_stop
	: >"$out/profile-summary.txt"
	for spec in "mandelbrot|2000|SELECT sum(mandelbrot_{impl}(cx, cy, 1000)) FROM (SELECT cx, cy FROM points LIMIT 2000) AS s" \
		"levenshtein|2000|SELECT sum(levenshtein_{impl}(a, b)) FROM (SELECT a, b FROM pairs LIMIT 2000) AS s" \
		"utf8_length|20000|SELECT sum(utf8_length_{impl}(t)) FROM (SELECT t FROM titles LIMIT 20000) AS s" \
		"slug|20000|SELECT count(slug_{impl}(t)) FROM (SELECT t FROM titles LIMIT 20000) AS s" \
		"dot|5000|SELECT sum(dot_{impl}(v, (SELECT q FROM qvec))) FROM (SELECT v FROM vecs LIMIT 5000) AS s" \
		"add1_i4|200000|SELECT sum(add1_i4_{impl}(i)) FROM generate_series(1, 200000) AS i"; do
		IFS='|' read -r key prow q <<<"$spec"
		declare -A ir=()
		for impl in wasm c; do
			# A warm-up call (module compiled) outside the profiled part.
			printf '%s;\nSELECT pg_sleep(0);\n%s;\nSELECT pg_sleep(0);\n' "${q//\{impl\}/$impl}" "${q//\{impl\}/$impl}" \
				>"$cgdir/$key-$impl.sql"
			as_pg valgrind --tool=callgrind --callgrind-out-file="$cgdir/$key-$impl.out" \
				--compress-strings=no --compress-pos=no \
				--dump-before=pg_sleep --dump-after=pg_sleep \
				"$bindir/postgres" --single -D "$data" postgres <"$cgdir/$key-$impl.sql" \
				>"$cgdir/$key-$impl.stdout" 2>"$cgdir/$key-$impl.log" ||
				{ tail -5 "$cgdir/$key-$impl.log"; die "callgrind run of $key/$impl failed"; }
			# Dumps: .1 start-up and the warm-up query, .2 pg_sleep, .3 the
			# profiled query, .4 pg_sleep, and the shut-down.
			ir[$impl]=$(sed -n 's/^totals: //p' "$cgdir/$key-$impl.out.3")
		done
		awk -v k="$key" -v n="$prow" -v w="${ir[wasm]}" -v c="${ir[c]}" \
			'BEGIN { printf "%-12s %8d rows  pgwasm %9.0f Ir/row  C UDF %9.0f Ir/row  ratio %6.2f\n", k, n, w / n, c / n, w / c }' |
			tee -a "$out/profile-summary.txt"
		{
			echo "== $key: ${q//\{impl\}/wasm}"
			for impl in wasm c; do
				f="$cgdir/$key-$impl.out.3"
				echo "-- $impl: total ${ir[$impl]} instructions, $((ir[$impl] / prow)) per row; top functions (self):"
				callgrind_annotate --threshold=100 "$f" 2>/dev/null |
					awk '/file:function/ { on = 1; getline; next } on && NF == 0 { on = 0 } on && !/\(100.0%\)/ && n++ < 12'
			done
		} >"$out/profile-$key.txt"
		unset ir
		say "profile: $out/profile-$key.txt"
	done
	as_pg "$bindir/pg_ctl" -D "$data" -l "$pgdir/server.log" -w -t 60 start >/dev/null
fi

# ---- report -------------------------------------------------------------------------------
say "report"
"${psql[@]}" <<-SQL
	CREATE TABLE bench.timings (workload text, impl text, rows int8, rep int, ms float8);
	\copy bench.timings FROM '$timings' (FORMAT csv, HEADER)
	CREATE TABLE bench.cold (probe text, run int, cold_ms float8, warm_ms float8, load_ms float8);
	\copy bench.cold FROM '$cold' (FORMAT csv, HEADER)
SQL
impl_order="ARRAY['c', 'wasm', 'wasmi', 'plpgsql', 'plpython', 'plperl', 'sql']"
wl_order="ARRAY[$(for s in "${WORKLOADS[@]}"; do printf "'%s'," "${s%%|*}"; done | sed 's/,$//')]"
"${psql[@]}" <<-SQL
	CREATE VIEW bench.medians AS
	SELECT workload, impl, rows, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
		   min(ms) AS min_ms, max(ms) AS max_ms
	FROM bench.timings GROUP BY workload, impl, rows;
	CREATE VIEW bench.report AS
	SELECT m.workload, m.impl, m.rows, m.ms, m.min_ms, m.max_ms,
		   m.ms * 1e6 / m.rows AS ns_row,
		   (m.ms / m.rows) / (c.ms / c.rows) AS x_c
	FROM bench.medians AS m JOIN bench.medians AS c ON c.workload = m.workload AND c.impl = 'c';
SQL

machine() {
	printf -- '- CPU: %s, %s cores visible; %s GiB RAM; Linux %s\n' \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
		"$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" "$(uname -r)"
	printf -- '- %s; %s (C UDFs); %s (Wasm guests)\n' "$("$bindir/postgres" --version)" \
		"$(gcc --version | head -1)" "$("$CLANG" --version | head -1)"
	printf -- '- %s, %s; commit %s%s\n' "$(python3 --version 2>&1)" "$(perl -e 'printf "Perl %vd", $^V')" \
		"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
		"$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
	printf -- '- %s, load average before the run: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$start_load"
}
start_load="$(cut -d' ' -f1-3 /proc/loadavg)"

results="$out/results.md"
{
	echo "Measured by \`make bench\` (test/bench/compare/run.sh), $REPS rounds, median; one run:"
	echo
	machine
	echo
	echo '| workload | rows | C UDF | pgwasm | pgwasm, interpreter | PL/pgSQL | PL/Python | PL/Perl | built-in SQL |'
	echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
	"${psql[@]}" -At -F'|' -c "
		WITH r AS (
			SELECT workload, impl, rows, ms, x_c,
				   CASE WHEN x_c < 10 THEN to_char(x_c, 'FM990.00') ELSE to_char(x_c, 'FM99990.0') END AS xs
			FROM bench.report)
		SELECT w.workload, max(r.rows) FILTER (WHERE r.impl = 'c'),
			   string_agg(CASE WHEN r.rows = c.rows THEN to_char(r.ms, 'FM999990.0') || ' ms'
							   ELSE to_char(r.ms * c.rows / r.rows, 'FM999990') || ' ms*' END
						  || CASE WHEN r.impl = 'c' THEN '' ELSE ' (' || r.xs || '×)' END,
						  '|' ORDER BY array_position($impl_order, r.impl))
		FROM r JOIN (SELECT workload, rows FROM bench.report WHERE impl = 'c') AS c USING (workload)
			JOIN (SELECT DISTINCT workload FROM bench.report) AS w USING (workload)
		GROUP BY w.workload ORDER BY array_position($wl_order, w.workload)" |
		while IFS='|' read -r w n cells; do
			title=""
			for s in "${WORKLOADS[@]}"; do [[ ${s%%|*} == "$w" ]] && title=$(cut -d'|' -f2 <<<"$s"); done
			IFS='|' read -r -a cs <<<"$cells"
			while ((${#cs[@]} < 7)); do cs+=("—"); done
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$title" "$n" "${cs[@]}"
		done
	echo
	echo 'Median time of the whole query, and in parentheses the ratio to the C UDF'
	echo 'in time per row. `*`: measured on a prefix of the rows (same random order)'
	echo 'and scaled to all of them (the ratio is per row; rows per implementation'
	echo 'are in build/compare/timings.csv). pgwasm runs with its default settings'
	echo '(a function is compiled to machine code once hot: `pgwasm.jit`); "pgwasm,'
	echo 'interpreter" is the same function with `pgwasm.jit = off`.'
	echo
	echo '**Parallel query (2 workers), speed-up over the serial plan of the same query:**'
	echo
	echo '| query | C UDF | pgwasm | pgwasm, interpreter | PL/pgSQL | PL/Python | PL/Perl | built-in SQL |'
	echo '|---|---:|---:|---:|---:|---:|---:|---:|'
	for pair in "par_add1 add one, int8 (5M rows)" "par_mandel Mandelbrot (120k points)"; do
		base=${pair%% *}
		"${psql[@]}" -At -F'|' -c "
			SELECT string_agg(to_char(s.ms / p.ms, 'FM90.00') || '×', '|' ORDER BY array_position($impl_order, s.impl))
			FROM bench.medians s JOIN bench.medians p ON p.impl = s.impl AND p.workload = '${base}_2w'
			WHERE s.workload = '$base'" |
			while IFS='|' read -r -a cs; do
				((${#cs[@]})) || continue
				while ((${#cs[@]} < 7)); do cs+=("—"); done
				printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${pair#* }" "${cs[@]}"
			done
	done
	if ((DO_COLD)); then
		echo
		echo "**Cold start: the first call in a new connection** (median of $COLD_RUNS connections;"
		echo 'the whole first query as psql times it, then the same query again, warm):'
		echo
		echo '| first query of a new connection | cold | warm | cold − warm | vs C UDF | module load (wasm.stats) |'
		echo '|---|---:|---:|---:|---:|---:|'
		"${psql[@]}" -At -F'|' -c "
			WITH m AS (
				SELECT probe, percentile_cont(0.5) WITHIN GROUP (ORDER BY cold_ms) AS cold,
					   percentile_cont(0.5) WITHIN GROUP (ORDER BY warm_ms) AS warm,
					   percentile_cont(0.5) WITHIN GROUP (ORDER BY load_ms) AS load
				FROM bench.cold GROUP BY probe)
			SELECT CASE probe WHEN 'select1' THEN 'SELECT 1 (no function)'
							  WHEN 'c' THEN 'C UDF'
							  WHEN 'plpgsql' THEN 'PL/pgSQL'
							  WHEN 'plpython' THEN 'PL/Python (interpreter start)'
							  WHEN 'plperl' THEN 'PL/Perl (interpreter start)'
							  WHEN 'wasm_small' THEN 'pgwasm, small module ($small_size bytes)'
							  WHEN 'wasm_big' THEN 'pgwasm, ~1 MB module ($big_size bytes)' END,
				   to_char(m.cold, 'FM990.00') || ' ms', to_char(m.warm, 'FM990.00') || ' ms',
				   to_char(m.cold - m.warm, 'FM990.00') || ' ms',
				   to_char(m.cold / (SELECT cold FROM m WHERE probe = 'c'), 'FM990.00') || '×',
				   coalesce(to_char(m.load, 'FM990.000') || ' ms', '')
			FROM m ORDER BY array_position(ARRAY['select1', 'c', 'plpgsql', 'plpython', 'plperl',
												 'wasm_small', 'wasm_big'], probe)" |
			while IFS='|' read -r a b c d e f; do printf '| %s | %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e" "$f"; done
	fi
	if ((DO_PROFILE)) && [[ -s $out/profile-summary.txt ]]; then
		echo
		echo '**Instructions per row** (callgrind, one query per workload in a single-user'
		echo 'backend, after a warm-up query; `--profile`):'
		echo
		echo '| workload | rows profiled | pgwasm | C UDF | ratio |'
		echo '|---|---:|---:|---:|---:|'
		awk '{ printf "| %s | %d | %d | %d | %.2f |\n", $1, $2, $5, $9, $12 }' "$out/profile-summary.txt"
	fi
} >"$results"

# ---- targets ---------------------------------------------------------------------------------
targets="$out/targets.txt"
"${psql[@]}" -At -F'|' -c "
	WITH x AS (SELECT workload, impl, x_c FROM bench.report),
	t(what, workload, limit_x) AS (VALUES
		('per-call overhead ≤ 1.3× C UDF', 'add1_i4', 1.3), ('per-call overhead ≤ 1.3× C UDF', 'add1_i8', 1.3),
		('per-call overhead ≤ 1.3× C UDF', 'add1_f8', 1.3),
		('text ≤ 2× C UDF', 'utf8_length', 2), ('text ≤ 2× C UDF', 'slug', 2),
		('arrays ≤ 2× C UDF', 'dot', 2),
		('compute-heavy ≤ 8× C UDF', 'mandelbrot', 8), ('compute-heavy ≤ 8× C UDF', 'levenshtein', 8))
	SELECT t.what, t.workload, to_char(w.x_c, 'FM990.00') || '×',
		   CASE WHEN w.x_c <= t.limit_x THEN 'met' ELSE 'MISSED' END
	FROM t JOIN x AS w ON w.workload = t.workload AND w.impl = 'wasm'
	UNION ALL
	SELECT 'pgwasm faster than PL/pgSQL, PL/Python' || CASE WHEN w.workload IN ('mandelbrot', 'levenshtein')
			   THEN ' by ≥ 5×' ELSE '' END, w.workload,
		   to_char(least(g.x_c, p.x_c) / w.x_c, 'FM9990.0') || '× faster than the faster of them',
		   CASE WHEN least(g.x_c, p.x_c) / w.x_c >= CASE WHEN w.workload IN ('mandelbrot', 'levenshtein') THEN 5 ELSE 1 END
				THEN 'met' ELSE 'MISSED' END
	FROM x AS w JOIN x AS g ON g.workload = w.workload AND g.impl = 'plpgsql'
		JOIN x AS p ON p.workload = w.workload AND p.impl = 'plpython'
	WHERE w.impl = 'wasm' AND w.workload IN ('add1_i4', 'add1_i8', 'add1_f8', 'mandelbrot', 'levenshtein')
	UNION ALL
	SELECT 'cold start ≤ ' || CASE probe WHEN 'wasm_small' THEN '2 ms, small module' ELSE '20 ms, ~1 MB module' END,
		   probe, to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY cold_ms), 'FM990.00') || ' ms',
		   CASE WHEN percentile_cont(0.5) WITHIN GROUP (ORDER BY cold_ms) <= CASE probe WHEN 'wasm_small' THEN 2 ELSE 20 END
				THEN 'met' ELSE 'MISSED' END
	FROM bench.cold WHERE probe IN ('wasm_small', 'wasm_big') GROUP BY probe" |
	awk -F'|' '{ printf "%-7s %-55s %-12s %s\n", $4, $1, $2, $3 }' >"$targets"
{
	echo
	echo '**Targets** (pgwasm, this run):'
	echo
	echo '```'
	cat "$targets"
	echo '```'
} >>"$results"

# ---- chart -------------------------------------------------------------------------------------
chartdat="$out/chart.dat"
"${psql[@]}" -At -F' ' -c "
	SELECT '\"' || CASE workload WHEN 'add1_i4' THEN 'add one, int4' WHEN 'add1_i8' THEN 'add one, int8'
							  WHEN 'add1_f8' THEN 'add one, float8' WHEN 'utf8_length' THEN 'UTF-8 length'
							  WHEN 'slug' THEN 'slug' WHEN 'dot' THEN 'dot, float8[256]'
							  WHEN 'mandelbrot' THEN 'Mandelbrot' WHEN 'levenshtein' THEN 'Levenshtein'
							  WHEN 'sumsq' THEN 'aggregate' ELSE workload END || '\"',
		   string_agg(coalesce(to_char(x_c, 'FM99990.000'), '-'), ' ' ORDER BY array_position($impl_order, impl))
	FROM (SELECT w.workload, i.impl, r.x_c
		  FROM (SELECT DISTINCT workload FROM bench.report WHERE workload NOT LIKE 'par\_%') AS w
			CROSS JOIN unnest(ARRAY['wasm', 'wasmi', 'plpgsql', 'plpython', 'plperl']) AS i(impl)
			LEFT JOIN bench.report AS r USING (workload, impl)) AS s
	GROUP BY workload ORDER BY array_position($wl_order, workload)" >"$chartdat"
gnuplot <<-GP
	set terminal svg size 900,480 dynamic noenhanced font 'sans,11' background rgb 'white'
	set output '$out/chart.svg'
	set title "Query time relative to a native C UDF (1 = C UDF; lower is better; log scale)"
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set logscale y
	set yrange [0.5:*]
	set grid ytics
	set xtics rotate by -25 scale 0
	set key top left
	set ylabel 'query time / C UDF query time'
	set datafile missing '-'
	set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb '#444444'
	plot '$chartdat' using 2:xtic(1) title 'pgwasm (native tier once hot)' lc rgb '#1f77b4', \
	     '' using 3 title 'pgwasm, interpreter (pgwasm.jit = off)' lc rgb '#aec7e8', \
	     '' using 4 title 'PL/pgSQL' lc rgb '#ff7f0e', \
	     '' using 5 title 'PL/Python' lc rgb '#2ca02c', \
	     '' using 6 title 'PL/Perl' lc rgb '#9467bd'
GP

cat "$results"
say "results: $results, chart: $out/chart.svg, every timing: $timings"

# ---- docs -----------------------------------------------------------------------------------------
if ((DO_DOCS)) && [[ -z $ONLY ]]; then
	doc="$root/docs/benchmarks.md"
	mkdir -p "$root/docs/img"
	cp "$out/chart.svg" "$root/docs/img/bench-compare.svg"
	grep -q '<!-- compare:begin -->' "$doc" || die "$doc has no <!-- compare:begin --> marker"
	awk -v f="$results" '
		/<!-- compare:begin -->/ { print; print ""; while ((getline l < f) > 0) print l; print ""; skip = 1; next }
		/<!-- compare:end -->/ { skip = 0 }
		!skip' "$doc" >"$doc.new"
	mv "$doc.new" "$doc"
	say "docs/benchmarks.md and docs/img/bench-compare.svg updated"
fi
