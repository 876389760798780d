#!/usr/bin/env bash
# run.sh — pgwasm benchmark driver (`make bench`).
#
# Builds the C kernels of test/bench/ natively (clang -O2) and to wasm32-wasi
# into build/bench/, runs each natively, through build/wasm-run (pgwasm) and
# through node (V8) in the same run, keeps the best of N times (wall clock,
# or CPU time with --cpu), checks that the three print the same checksum, and
# prints a table of the times and ratios to native with their geometric means
# (and the geometric means by the other metric); the kernels in SIMD_KERNELS
# get a second row, "<kernel>+simd", for the same source built with
# -msimd128 (kept out of the geometric means, as is vecops, the kernel
# written for that comparison).  Then it times loading
# (decode + validate) of a generated ~1 MB module with build/bench/loadtime.
#
# usage: bash test/bench/run.sh [options]
#   --reps N        runs per kernel and engine, best time kept (default 3)
#   --cpu           time by user+sys CPU seconds instead of wall clock (use
#                   it when other jobs load the machine)
#   --only K1,K2    run only these benchmarks (kernels or broad suite)
#   --suite=S       kernels, broad, all (default), coremark, polybench, libs
#   --dataset=D     PolyBench dataset size (default MEDIUM; see suite.sh)
#   --list          list the benchmarks and exit
#   --wasm-simd     the broad suite's wasm built with -msimd128 (see suite.sh)
#   --no-node       skip the node column
#   --no-pgwasm     skip the pgwasm column (and the load benchmark)
#   --tier=T        pgwasm's native tier: interp (default), tiered or eager
#                   (build/wasm-run --tier=T; builds build/wasmrt-llvm.so)
#   --code-cache    with --tier=tiered or eager: run pgwasm with a code cache
#                   (wasm-run --cache build/bench/codecache, emptied first)
#                   that one untimed run of each benchmark fills, so the
#                   timed runs load machine code instead of compiling it, as
#                   every PostgreSQL backend after the first does
#   --no-load       skip the load-time benchmark
#   --load-only     run only the load-time benchmark
#   --callgrind     instead of timing: count instructions (valgrind
#                   --tool=callgrind) of a reduced workload, native vs pgwasm,
#                   and pgwasm's instructions by handler (cg-handlers.sh)
#   --perf          instead of timing: profile pgwasm on each kernel with
#                   `perf record` and print its hottest code (see profile.sh)
# After the kernels, the broad suite (CoreMark, PolyBench/C, the LZ4 and
# Argon2 libraries: test/bench/suite.sh) runs the same way, and geometric
# means by group close the table.
# Environment: CLANG (default clang), NATIVE_CFLAGS (default -O2),
#   WASM_CFLAGS (default -O2), BENCH_TIMEOUT (seconds per run, default 600),
#   and suite.sh's (COREMARK_ITERATIONS...).  Exits 1 if any engine's output
#   differs from native's.
# Benchmarks are informational: this script is never part of `make test`.
# (Table formats are kept in variables, $fmt, on purpose.)
# shellcheck disable=SC2059
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SRC=test/bench
OUT=build/bench
KERNELS=(fib matmul sha256 mandelbrot bytehash sort nbody crc32 vecops)
# Kernels also built with -msimd128 (clang vectorises their loops): each
# gets a row "<kernel>+simd" after its scalar row, timed with the same
# native binary; those rows stay out of the geometric means.
SIMD_KERNELS=(matmul sha256 nbody crc32 vecops)
# Reduced workloads for --callgrind (arguments passed to each kernel).
declare -A SMALL_ARGS=(
	[fib]="27" [matmul]="2" [sha256]="1 1" [mandelbrot]="200"
	[bytehash]="1 4" [sort]="200000" [nbody]="200000" [crc32]="1 4" [vecops]="400"
)

REPS=3
ONLY=""
DO_NODE=1
DO_PGWASM=1
TIER=interp
CODE_CACHE=0
DO_LOAD=1
DO_KERNELS=1
MODE="time"
METRIC=wall
CLANG=${CLANG:-clang}
NATIVE_CFLAGS=${NATIVE_CFLAGS:--O2}
WASM_CFLAGS=${WASM_CFLAGS:--O2}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
# shellcheck source=test/bench/suite.sh
source "$SRC/suite.sh"
suite_catalogue

usage() { sed -n '2,/^# Benchmarks are/p' "$0" | sed 's/^# \{0,1\}//'; }

while (($#)); do
	case $1 in
	--reps) REPS=$2; shift ;;
	--cpu) METRIC=cpu ;;
	--only) ONLY=$2; shift ;;
	--no-node) DO_NODE=0 ;;
	--no-pgwasm) DO_PGWASM=0 ;;
	--tier=*) TIER=${1#--tier=} ;;
	--code-cache) CODE_CACHE=1 ;;
	--no-load) DO_LOAD=0 ;;
	--load-only) DO_KERNELS=0 ;;
	--callgrind) MODE=callgrind ;;
	--perf) MODE=perf ;;
	--suite=* | --dataset=* | --list | --wasm-simd) suite_option "$1" ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive integer" >&2; exit 2; }
[[ $CODE_CACHE == 0 || $TIER != interp ]] || { echo "run.sh: --code-cache needs --tier=tiered or eager" >&2; exit 2; }
if [[ -n $ONLY ]]; then
	IFS=, read -r -a sel <<<"$ONLY"
	kept=()
	for k in "${sel[@]}"; do
		if [[ " ${KERNELS[*]} " == *" $k "* ]]; then kept+=("$k"); continue; fi
		suite_select "$k" || { echo "run.sh: unknown benchmark '$k' (see --list)" >&2; exit 2; }
	done
	KERNELS=("${kept[@]}")
	suite_select ""
fi
suite_options_done

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

# ---- toolchain ------------------------------------------------------------

mkdir -p "$OUT/native" "$OUT/wasm" "$OUT/log"
if [[ -f test/deps.sh ]]; then
	say "== installing dependencies (test/deps.sh, log in $OUT/log/deps.log)"
	bash test/deps.sh >"$OUT/log/deps.log" 2>&1 || { tail -20 "$OUT/log/deps.log" >&2; die "test/deps.sh failed"; }
fi
# Benchmark-only tools that test/deps.sh does not install: node, and valgrind
# or perf for the analysis modes.  Installed when missing and we are root.
need_tool() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		say "== installing $pkg (for $cmd)"
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg"; } \
			>"$OUT/log/apt-$pkg.log" 2>&1 || { tail -5 "$OUT/log/apt-$pkg.log" >&2; return 1; }
		command -v "$cmd" >/dev/null
	else
		return 1
	fi
}
if [[ $MODE == time ]] && ((DO_NODE && DO_KERNELS)) && ! need_tool node nodejs; then
	say "warning: node not found (Debian: apt-get install nodejs): the node column is skipped"
	DO_NODE=0
fi
[[ $MODE != callgrind ]] || need_tool valgrind valgrind || die "valgrind not found (Debian: apt-get install valgrind)"
[[ $MODE != perf ]] || need_tool perf linux-perf || die "perf not found (Debian: apt-get install linux-perf)"
command -v "$CLANG" >/dev/null || die "$CLANG not found (Debian: apt-get install clang)"
# The WASI sysroot: Debian's wasi-libc puts crt1-command.o in <sysroot>/lib/wasm32-wasi.
crt=$(dpkg -L wasi-libc 2>/dev/null | grep '/wasm32-wasi/crt1-command\.o$' | head -1 || true)
[[ -n $crt ]] || crt=$(ls /usr/lib/wasm32-wasi/crt1-command.o 2>/dev/null || true)
[[ -n $crt ]] || die "wasi-libc not found (Debian: apt-get install wasi-libc libclang-rt-14-dev-wasm32)"
WASI_SYSROOT=$(cd "$(dirname "$crt")/../.." && pwd)
rtlib=$("$CLANG" --target=wasm32-wasi -print-libgcc-file-name 2>/dev/null || true)
[[ -f $rtlib ]] || say "warning: $rtlib missing (Debian: apt-get install libclang-rt-14-dev-wasm32); linking may fail"
WASM_CC=("$CLANG" --target=wasm32-wasi --sysroot="$WASI_SYSROOT")

# ---- build ------------------------------------------------------------------

build_kernels() {
	say "== building kernels into $OUT ($CLANG $NATIVE_CFLAGS native, $WASM_CFLAGS wasm32-wasi)"
	local k
	for k in "${KERNELS[@]}"; do
		# shellcheck disable=SC2086
		"$CLANG" $NATIVE_CFLAGS -Wall -Wextra -o "$OUT/native/$k" "$SRC/$k.c" -lm
		# shellcheck disable=SC2086
		"${WASM_CC[@]}" $WASM_CFLAGS -Wall -Wextra -o "$OUT/wasm/$k.wasm" "$SRC/$k.c" -lm
		if is_simd_kernel "$k"; then
			# shellcheck disable=SC2086
			"${WASM_CC[@]}" $WASM_CFLAGS -msimd128 -Wall -Wextra -o "$OUT/wasm/$k+simd.wasm" "$SRC/$k.c" -lm
		fi
	done
}
is_simd_kernel() { [[ " ${SIMD_KERNELS[*]} " == *" $1 "* ]]; }

# Builds build/wasm-run and build/libwasmrt.a; sets HAVE_PGWASM.
HAVE_PGWASM=0
build_pgwasm() {
	((DO_PGWASM)) || return 0
	say "== building build/wasm-run (make, log in $OUT/log/make.log)"
	local so=
	[[ $TIER == interp ]] || so=build/wasmrt-llvm.so
	if make -s build/wasm-run build/libwasmrt.a $so >"$OUT/log/make.log" 2>&1; then
		HAVE_PGWASM=1
	else
		tail -5 "$OUT/log/make.log" >&2
		say "warning: cannot build build/wasm-run: the pgwasm column is skipped"
	fi
}

# ---- running ----------------------------------------------------------------

# run_timed OUTFILE CMD...: runs CMD with stdout to OUTFILE and stderr to
# OUTFILE.err; sets RC and ELAPSED, the seconds of the chosen metric: wall
# clock, or with --cpu the user + system CPU time of the process and its
# children (steadier when other jobs share the machine; for node it also
# counts V8's background compiler and GC threads).
ELAPSED=0
RC=0
run_timed() {
	local out=$1 times
	shift
	local TIMEFORMAT='%3R %3U %3S'
	set +e
	{ time timeout "$BENCH_TIMEOUT" "$@" >"$out" 2>"$out.err"; } 2>"$out.time"
	RC=$?
	set -e
	times=$(tail -1 "$out.time")
	[[ -z ${CSV_TAG:-} ]] || awk -v t="$CSV_TAG" -v rc="$RC" '{ print t "," $1 "," $2 + $3 "," rc }' <<<"$times" >>"$OUT/results.csv"
	if [[ $METRIC == cpu ]]; then
		ELAPSED=$(awk '{ printf "%.3f", $2 + $3 }' <<<"$times")
	else
		ELAPSED=$(awk '{ printf "%.3f", $1 }' <<<"$times")
	fi
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# geomean R1 R2 ...: geometric mean, or "-" for none.
geomean() {
	(($#)) || { echo "-"; return; }
	printf '%s\n' "$@" | awk '{ s += log($1); n++ } END { printf "%.2f", exp(s / n) }'
}

# The commit the engine was built from, "+changes" when runtime/ differs.
engine_version() {
	local v
	v=$(git rev-parse --short HEAD 2>/dev/null) || { echo "unknown"; return; }
	git diff --quiet HEAD -- runtime 2>/dev/null || v="$v+changes"
	echo "$v"
}

# --single-threaded-gc: node 20 (V8 11.3) segfaults at exit in a concurrent
# GC thread after the 64 MiB kernels more often than not; the kernels
# allocate no JavaScript objects, so the flag costs nothing measurable.
NODE_RUN=(node --no-warnings --single-threaded-gc "$SRC/run-node.mjs")
PGWASM_RUN=(build/wasm-run "--tier=$TIER")
if ((CODE_CACHE)); then
	rm -rf "$OUT/codecache"
	mkdir -p "$OUT/codecache"
	PGWASM_RUN+=(--cache "$OUT/codecache")
fi
# warm_cache OUTFILE ARGS...: with --code-cache, one untimed pgwasm run that
# fills the cache for the timed ones.
warm_cache() {
	((CODE_CACHE && HAVE_PGWASM)) || return 0
	local out=$1
	shift
	timeout "$BENCH_TIMEOUT" "${PGWASM_RUN[@]}" "$@" >"$out" 2>"$out.err" || true
}

# time_one K REP: one run of kernel row K by each engine, its best times
# and failures kept in TN/TP/TX/FAILP/FAILX[K] (time_kernels).
time_one() {
	local k=$1 rep=$2 ref try
	local n="$OUT/native/${k%+simd}" w="$OUT/wasm/$k.wasm" log="$OUT/log/$k"
	CSV_TAG="$k,native,$rep" run_timed "$log.native" "$n"
	((RC == 0)) || { cat "$log.native.err" >&2; die "$k: native run failed (exit $RC)"; }
	ref=$(cat "$log.native")
	TN[$k]=$(min "${TN[$k]}" "$ELAPSED")

	if ((HAVE_PGWASM)) && [[ -z ${FAILP[$k]} ]]; then
		CSV_TAG="$k,pgwasm,$rep" run_timed "$log.pgwasm" "${PGWASM_RUN[@]}" "$w"
		if ((RC != 0)); then
			FAILP[$k]="exit $RC"
		elif [[ $(cat "$log.pgwasm") != "$ref" ]]; then
			FAILP[$k]="checksum"
		else
			TP[$k]=$(min "${TP[$k]}" "$ELAPSED")
		fi
		[[ -z ${FAILP[$k]} ]] || say "  $k: pgwasm failed (${FAILP[$k]}): $(head -c 300 "$log.pgwasm.err")"
	fi

	if ((DO_NODE)) && [[ -z ${FAILX[$k]} ]]; then
		for try in 1 2 3; do
			CSV_TAG="$k,node,$rep" run_timed "$log.node" "${NODE_RUN[@]}" "$w"
			# Should node still crash at exit after the module has
			# finished (see NODE_RUN), the run is repeated, not counted.
			((RC >= 128 && try < 3)) || break
			say "  $k: node died with exit $RC after: $(head -c 100 "$log.node"); repeating"
		done
		if ((RC != 0)); then
			FAILX[$k]="exit $RC"
		elif [[ $(cat "$log.node") != "$ref" ]]; then
			FAILX[$k]="checksum"
		else
			TX[$k]=$(min "${TX[$k]}" "$ELAPSED")
		fi
		[[ -z ${FAILX[$k]} ]] || say "  $k: node failed (${FAILX[$k]}): $(head -c 300 "$log.node.err")"
	fi
}

time_kernels() {
	local k kk rep tn tp tx fail_p fail_x
	local -a rp=() rx=() okp=() okx=()
	local -A TN=() TP=() TX=() FAILP=() FAILX=()
	local fmt='%-11s %9s %9s %8s %9s %8s\n'
	{
		printf '\n'
		printf '%s, engine at %s, load average %s when started\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
			"$(engine_version)" "$(cut -d' ' -f1-3 /proc/loadavg)"
		local note=""
		((CODE_CACHE == 0)) || note=" (its code cache filled by an untimed run first)"
		printf 'pgwasm: %s%s\n' "${PGWASM_RUN[*]}" "$note"
		printf "$fmt" kernel "native s" "pgwasm s" "x native" "node s" "x native"
		printf "$fmt" ----------- --------- --------- -------- --------- --------
	} | tee "$OUT/results.txt"
	echo "kernel,engine,rep,wall_s,cpu_s,exit" >"$OUT/results.csv"
	for kk in "${KERNELS[@]}"; do
		# A kernel and its +simd build alternate run by run, so that the
		# ratio between them does not follow the machine's drift.
		local group=("$kk")
		! is_simd_kernel "$kk" || group+=("$kk+simd")
		for k in "${group[@]}"; do
			TN[$k]="" TP[$k]="" TX[$k]="" FAILP[$k]="" FAILX[$k]=""
			warm_cache "$OUT/log/$k.warm" "$OUT/wasm/$k.wasm"
		done
		for ((rep = 1; rep <= REPS; rep++)); do
			for k in "${group[@]}"; do
				time_one "$k" "$rep"
			done
		done
		for k in "${group[@]}"; do
			tn=${TN[$k]} tp=${TP[$k]} tx=${TX[$k]} fail_p=${FAILP[$k]} fail_x=${FAILX[$k]}
			local cp="-" cx="-" sp="-" sx="-"
			# +simd rows and vecops (written for them) stay out of the means,
			# which remain over the eight original kernels
			local simd=0
			[[ $k != *+simd && $k != vecops ]] || simd=1
			if [[ -n $tp && -z $fail_p ]]; then
				sp=$tp; cp=$(ratio "$tp" "$tn")
				((simd)) || { rp+=("$cp"); okp+=("$k"); }
			fi
			if [[ -n $tx && -z $fail_x ]]; then
				sx=$tx; cx=$(ratio "$tx" "$tn")
				((simd)) || { rx+=("$cx"); okx+=("$k"); }
			fi
			[[ -z $fail_p ]] || { sp="FAIL"; cp="($fail_p)"; }
			[[ -z $fail_x ]] || { sx="FAIL"; cx="($fail_x)"; }
			((HAVE_PGWASM)) || { sp="n/a"; cp="n/a"; }
			((DO_NODE)) || { sx="n/a"; cx="n/a"; }
			printf "$fmt" "$k" "$tn" "$sp" "$cp" "$sx" "$cx" | tee -a "$OUT/results.txt"
			suite_record_kernel "$k" "$tn" "$sp" "$cp" "$sx" "$cx" "$fail_p" "$fail_x"
		done
		if ((${#group[@]} == 2)); then
			# the +simd build's time over the scalar build's, per engine
			local ps="-" xs="-"
			[[ -z ${TP[$kk]} || -z ${TP[$kk+simd]} ]] || ps=$(ratio "${TP[$kk+simd]}" "${TP[$kk]}")
			[[ -z ${TX[$kk]} || -z ${TX[$kk+simd]} ]] || xs=$(ratio "${TX[$kk+simd]}" "${TX[$kk]}")
			printf '%-11s simd / scalar: pgwasm %s, node %s\n' "" "$ps" "$xs" | tee -a "$OUT/results.txt"
		fi
	done
	# shellcheck disable=SC2059
	printf "$fmt" "geomean" "" "" "$(geomean "${rp[@]}")" "" "$(geomean "${rx[@]}")" | tee -a "$OUT/results.txt"
	local what="wall-clock time"
	[[ $METRIC == wall ]] || what="user+sys CPU time"
	printf '(best of %d runs, %s of the whole process; checksums equal across engines;\n' "$REPS" "$what" |
		tee -a "$OUT/results.txt"
	printf ' every run'"'"'s wall and CPU time in %s)\n' "$OUT/results.csv" | tee -a "$OUT/results.txt"
	# The same geometric means by the other metric, from the CSV.
	local other=cpu col=5
	[[ $METRIC == wall ]] || { other=wall; col=4; }
	printf 'by %s time: geomean pgwasm %s, node %s\n' "$other" \
		"$(other_geomean "$col" pgwasm "${okp[@]}")" "$(other_geomean "$col" node "${okx[@]}")" |
		tee -a "$OUT/results.txt"
}

# other_geomean COLUMN ENGINE KERNEL...: geometric mean over the kernels of
# ENGINE's best time in results.csv column COLUMN divided by native's.
other_geomean() {
	local col=$1 engine=$2
	shift 2
	(($#)) || { echo "-"; return; }
	awk -F, -v col="$col" -v engine="$engine" -v list="$*" '
		BEGIN { n = split(list, ks, " "); for (i = 1; i <= n; i++) want[ks[i]] = 1 }
		NR > 1 && $6 == 0 && ($1 in want) {
			key = $1 SUBSEP $2
			if (!(key in best) || $col + 0 < best[key]) best[key] = $col + 0
		}
		END {
			for (i = 1; i <= n; i++) s += log(best[ks[i], engine] / best[ks[i], "native"])
			printf "%.2f", exp(s / n)
		}' "$OUT/results.csv"
}

# ---- instruction counts (callgrind) ------------------------------------------

# callgrind_ir OUTFILE CMD...: total instructions executed by CMD.  The
# profile keeps per-instruction counts for cg-handlers.sh.
callgrind_ir() {
	local cg=$1
	shift
	valgrind --tool=callgrind --dump-instr=yes --dump-line=no --compress-pos=no --compress-strings=no \
		--callgrind-out-file="$cg" "$@" >"$cg.stdout" 2>"$cg.log" ||
		{ tail -5 "$cg.log" >&2; return 1; }
	awk '/^(summary|totals):/ { print $2; exit }' "$cg"
}

callgrind_kernels() {
	((HAVE_PGWASM)) || die "--callgrind needs build/wasm-run"
	mkdir -p "$OUT/callgrind"
	local k fmt='%-11s %-10s %14s %14s %8s\n'
	local -a rs=()
	{
		printf '\n'
		printf "$fmt" kernel args "native Ir" "pgwasm Ir" "x native"
		printf "$fmt" ----------- ---------- -------------- -------------- --------
	} | tee "$OUT/callgrind.txt"
	if [[ " ${KERNELS[*]} " == *" fib "* ]]; then
		# Fixed cost of a run (process start; for pgwasm also load, validate,
		# instantiate, the first compiles): fib(1) does no real work.
		local sn sp
		sn=$(callgrind_ir "$OUT/callgrind/startup.native.out" "$OUT/native/fib" 1) || die "fib 1 under callgrind failed"
		sp=$(callgrind_ir "$OUT/callgrind/startup.pgwasm.out" "${PGWASM_RUN[@]}" "$OUT/wasm/fib.wasm" 1) || sp=FAIL
		# shellcheck disable=SC2059
		printf "$fmt" "(startup)" "fib 1" "$sn" "$sp" "" | tee -a "$OUT/callgrind.txt"
	fi
	for k in "${KERNELS[@]}"; do
		local args=${SMALL_ARGS[$k]} cgn="$OUT/callgrind/$k.native.out" cgp="$OUT/callgrind/$k.pgwasm.out"
		local irn irp r
		# shellcheck disable=SC2086
		irn=$(callgrind_ir "$cgn" "$OUT/native/$k" $args) || die "$k: native run under callgrind failed"
		# shellcheck disable=SC2086
		if irp=$(callgrind_ir "$cgp" "${PGWASM_RUN[@]}" "$OUT/wasm/$k.wasm" $args) &&
			cmp -s "$cgn.stdout" "$cgp.stdout"; then
			r=$(ratio "$irp" "$irn")
			rs+=("$r")
		else
			irp=FAIL r="-"
		fi
		# shellcheck disable=SC2059
		printf "$fmt" "$k" "$args" "$irn" "$irp" "$r" | tee -a "$OUT/callgrind.txt"
	done
	# shellcheck disable=SC2059
	printf "$fmt" geomean "" "" "" "$(geomean "${rs[@]}")" | tee -a "$OUT/callgrind.txt"
	bash "$SRC/cg-handlers.sh" "${KERNELS[@]}" | tee "$OUT/callgrind-handlers.txt"
	say "(profiles in $OUT/callgrind/, per-handler figures in $OUT/callgrind-handlers.txt)"
}

# ---- load time ----------------------------------------------------------------

BIG_FUNCS=1600
load_benchmark() {
	((HAVE_PGWASM)) || { say "(load benchmark skipped: no pgwasm build)"; return 0; }
	say "== load benchmark: generating a ~1 MB module ($BIG_FUNCS functions, cached in $OUT)"
	cc -O2 -o "$OUT/genbig" "$SRC/genbig.c"
	"$OUT/genbig" "$BIG_FUNCS" >"$OUT/big.c.new"
	if cmp -s "$OUT/big.c.new" "$OUT/big.c" && [[ -f $OUT/big.wasm && $OUT/big.wasm -nt $OUT/big.c ]]; then
		rm "$OUT/big.c.new"
	else
		mv "$OUT/big.c.new" "$OUT/big.c"
		say "   compiling big.c to wasm32 (about 15 s)"
		"$CLANG" --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all \
			-o "$OUT/big.wasm" "$OUT/big.c"
	fi
	cc -std=gnu11 -O2 -Iruntime -o "$OUT/loadtime" "$SRC/loadtime.c" build/libwasmrt.a -lm
	printf '\n' | tee "$OUT/load.txt"
	"$OUT/loadtime" -n 20 "$OUT/big.wasm" | tail -1 | tee -a "$OUT/load.txt"
	if ((DO_NODE)) && command -v node >/dev/null; then
		node --no-warnings "$SRC/run-node.mjs" --compile-only 20 "$OUT/big.wasm" | tee -a "$OUT/load.txt"
	fi
}

# ---- main -----------------------------------------------------------------------

build_pgwasm
case $MODE in
time)
	rm -f "$OUT/suite.csv" "$OUT/results.txt" "$OUT/results.csv"
	if ((DO_KERNELS)) && ((${#KERNELS[@]})); then
		build_kernels
		if [[ $METRIC == wall ]] && awk -v n="$(nproc)" '{ exit !($1 > n - 0.5) }' /proc/loadavg; then
			say "warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs: wall-clock times will be inflated; consider --cpu"
		fi
		time_kernels
	fi
	if ((DO_KERNELS)); then
		suite_build
		suite_time
		suite_summary
	fi
	((DO_LOAD)) && load_benchmark
	suite_verdict
	;;
callgrind)
	if ((${#KERNELS[@]})); then
		build_kernels
		callgrind_kernels
	fi
	suite_build
	suite_callgrind
	;;
perf)
	build_kernels
	((HAVE_PGWASM)) || die "--perf needs build/wasm-run"
	bash "$SRC/profile.sh" "${KERNELS[@]}"
	;;
esac
exit 0
