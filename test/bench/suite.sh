# suite.sh — the broad benchmark suite of `make bench-engine`, sourced by
# test/bench/run.sh (not run on its own).
#
# Besides run.sh's own kernels, times third-party programs natively, through
# build/wasm-run (pgwasm) and through node (V8), in the same way as run.sh
# (best of N runs, whole process, wall clock or with --cpu user+sys CPU time)
# and checks that every engine computes what the native build computes:
#   coremark   EEMBC CoreMark (/work/shared/bench-suite/coremark.tar.gz), one
#              performance run of COREMARK_ITERATIONS iterations; correct when
#              its CRC lines (seedcrc, crclist, crcmatrix, crcstate, crcfinal)
#              equal native's.  Also reports iterations/s.  With the native
#              tier (--tier=tiered or eager) the run is one CoreMark accepts
#              as valid, at least 10 s natively (400,000 iterations), so that
#              the compilation is amortised as in any run CoreMark reports;
#              the interpreter's stays at 15,000 (about 5 s interpreted), so
#              that its figures compare with the earlier ones.
#   polybench  the 30 kernels of PolyBench/C 4.2.1 (polybench-c-4.2.1.tar.gz)
#              at one dataset size (--dataset=, default MEDIUM).  The timed
#              build has -DPOLYBENCH_TIME -DPOLYBENCH_NO_FLUSH_CACHE (prints
#              the kernel's own time, kept as a second metric); a second build
#              with -DPOLYBENCH_DUMP_ARRAYS runs once per engine and its dump
#              must equal native's.
#   libraries  real C libraries from npm packages (fetched with `npm pack`
#              into build/, cached) under our own drivers; correct when the
#              output line equals native's:
#              lz4, lz4hc  LZ4 1.9 (lz4.c, lz4hc.c, xxhash.c of lz4@0.6.5)
#                          under test/bench/lz4-driver.c: fast, and HC level 9;
#              argon2      the Argon2 reference code (argon2@0.45.1) under
#                          test/bench/argon2-driver.c: Argon2id, 32 MiB.
# Third-party sources are unpacked into build/bench/broad/ at benchmark time
# and never committed.  Node runs with --no-turbo-fast-api-calls besides
# run.sh's flags: node 20's WASI crashes intermittently in fd_write without
# it.  A node run that dies by a signal is repeated (up to 3 tries) and never
# counted as a time.
#
# Options (given to run.sh; see its --help for the others):
#   --suite=S       kernels (run.sh's own), broad (CoreMark, PolyBench, libs),
#                   all (default), or one group: coremark, polybench, libs
#   --only A,B      benchmarks of either suite by name (gemm, coremark, lz4...)
#   --dataset=D     PolyBench dataset: MINI, SMALL, MEDIUM (default), LARGE,
#                   EXTRALARGE.  MEDIUM keeps `make bench-engine` under 15
#                   minutes; LARGE alone takes 166 s natively, ~30 min pgwasm.
#   --list          print the benchmarks of every suite and exit
#   --wasm-simd     build the broad suite's wasm with -msimd128 as well (into
#                   build/bench/broad-simd): clang then vectorises the loops it
#                   vectorises natively with SSE2, so native and wasm code use
#                   the same vector width.  Its tables and geometric means say
#                   "wasm -msimd128"; without it the wasm is scalar.
# With --callgrind, the selected broad benchmarks are profiled too, on smaller
# workloads (CoreMark 500 iterations, LZ4 on 1 MiB, Argon2 on 4 MiB;
# PolyBench as timed).
# Environment: COREMARK_ITERATIONS (default 15000 with --tier=interp,
#   400000 with the native tier: see coremark above), BENCH_SUITE_DIR (the
#   tarballs, default /work/shared/bench-suite), LZ4_NPM (default lz4@0.6.5),
#   ARGON2_NPM (default argon2@0.45.1).
# Correctness: any output that differs from native's, and any pgwasm run that
# fails, makes run.sh exit 1 at the end with a message naming the benchmark.
# Uses run.sh's variables and functions (OUT, REPS, METRIC, say, die, min...).
# shellcheck shell=bash disable=SC2059,SC2153

SUITE=all
DATASET=MEDIUM
SUITE_LIST=0
SUITE_ONLY_SET=0
SUITE_SELECTED=()
SUITE_WASM_SIMD=0
BENCH_SUITE_DIR=${BENCH_SUITE_DIR:-/work/shared/bench-suite}
COREMARK_ITERATIONS=${COREMARK_ITERATIONS:-}
LZ4_NPM=${LZ4_NPM:-lz4@0.6.5}
ARGON2_NPM=${ARGON2_NPM:-argon2@0.45.1}
BROAD=build/bench/broad
PB_TOP=polybench-c-4.2.1
# The PolyBench subset whose geomean the README of the bench-suite gives for
# wasm3 and WAMR (MEDIUM, whole process).
PB_PEER_SUBSET="gemm 2mm atax jacobi-2d floyd-warshall nussinov"
# Benchmark names -> group, and the library benchmarks' arguments.
declare -A SUITE_GROUP=() LIB_ARGS=([lz4]="fast" [lz4hc]="hc" [argon2]="")
declare -A LIB_SMALL_ARGS=([lz4]="fast 1 2" [lz4hc]="hc 1 1" [argon2]="4 1")
SUITE_BENCHES=()
NODE_CRASHES=0

# suite_option ARG: handles one of the options above (called by run.sh).
suite_option() {
	case $1 in
	--suite=kernels | --suite=broad | --suite=all | --suite=coremark | --suite=polybench | --suite=libs)
		SUITE=${1#--suite=} ;;
	--dataset=MINI | --dataset=SMALL | --dataset=MEDIUM | --dataset=LARGE | --dataset=EXTRALARGE)
		DATASET=${1#--dataset=} ;;
	--list) SUITE_LIST=1 ;;
	--wasm-simd) SUITE_WASM_SIMD=1 BROAD=build/bench/broad-simd ;;
	*) echo "run.sh: bad value in '$1' (see --help)" >&2; exit 2 ;;
	esac
}

# The broad benchmarks, in order: CoreMark, the PolyBench kernels (as listed
# in the tarball), the libraries.
suite_catalogue() {
	local tb="$BENCH_SUITE_DIR/polybench-c-4.2.1.tar.gz" c
	SUITE_BENCHES=(coremark)
	SUITE_GROUP[coremark]=coremark
	if [[ ! -f $tb ]]; then
		echo "run.sh: warning: $tb missing: no PolyBench" >&2
	else while read -r c; do
		c=$(basename "$c" .c)
		SUITE_BENCHES+=("$c")
		SUITE_GROUP[$c]=polybench
	done < <(tar xzf "$tb" -O "$PB_TOP/utilities/benchmark_list"); fi
	SUITE_BENCHES+=(lz4 lz4hc argon2)
	SUITE_GROUP[lz4]=libs SUITE_GROUP[lz4hc]=libs SUITE_GROUP[argon2]=libs
}

# suite_select NAME: --only named NAME, which is not one of run.sh's kernels.
suite_select() {
	SUITE_ONLY_SET=1
	[[ -n $1 ]] || return 0
	[[ -n ${SUITE_GROUP[$1]:-} ]] || return 1
	SUITE_SELECTED+=("$1")
}

# suite_options_done: after run.sh's option parsing; KERNELS is the selected
# kernels.  Applies --suite and --only to both suites.
suite_options_done() {
	if ((SUITE_LIST)); then
		printf 'kernels:   %s\n' "${KERNELS[*]}"
		local g b
		for g in coremark polybench libs; do
			printf '%-10s' "$g:"
			for b in "${SUITE_BENCHES[@]}"; do [[ ${SUITE_GROUP[$b]} != "$g" ]] || printf ' %s' "$b"; done
			printf '\n'
		done
		exit 0
	fi
	local -a keep=()
	local b
	((SUITE_ONLY_SET)) || SUITE_SELECTED=("${SUITE_BENCHES[@]}")
	for b in "${SUITE_SELECTED[@]}"; do
		case $SUITE in
		all | broad) keep+=("$b") ;;
		kernels) ;;
		*) [[ ${SUITE_GROUP[$b]} != "$SUITE" ]] || keep+=("$b") ;;
		esac
	done
	SUITE_SELECTED=("${keep[@]}")
	# shellcheck disable=SC2034 # run.sh's
	[[ $SUITE == all || $SUITE == kernels ]] || { KERNELS=(); DO_LOAD=0; }
}

# ", wasm -msimd128" after a table's title with --wasm-simd.
suite_wasm_label() {
	((SUITE_WASM_SIMD)) && printf ', wasm -msimd128' || true
}

suite_has() {
	local b
	for b in "${SUITE_SELECTED[@]}"; do [[ ${SUITE_GROUP[$b]} != "$1" ]] || return 0; done
	return 1
}

# ---- sources and builds -----------------------------------------------------

# stale TARGET DEP...: true when TARGET is missing or older than a DEP.
stale() {
	local t=$1 d
	shift
	[[ -e $t ]] || return 0
	for d in "$@"; do [[ ! $d -nt $t ]] || return 0; done
	return 1
}

# Unpacks the tarball NAME.tar.gz into $BROAD/src (again when it changed).
suite_unpack() {
	local tb="$BENCH_SUITE_DIR/$1.tar.gz" stamp="$BROAD/src/.$1.unpacked"
	[[ -f $tb ]] || die "$tb missing (the broad suite's sources; see its README.md)"
	if stale "$stamp" "$tb"; then
		rm -rf "$BROAD/src/$2"
		tar xzf "$tb" -C "$BROAD/src"
		touch "$stamp"
	fi
}

# suite_fetch_npm PACKAGE@VERSION DIR DEST: fetches the npm package with
# `npm pack` into $BROAD/cache (once) and unpacks its directory DIR (inside
# package/) as $BROAD/src/DEST.
suite_fetch_npm() {
	local spec=$1 dir=$2 dest=$3 tgz
	mkdir -p "$BROAD/cache"
	# npm pack names the file NAME-VERSION.tgz.
	tgz="$BROAD/cache/${spec%@*}-${spec##*@}.tgz"
	if [[ ! -f $tgz ]]; then
		command -v npm >/dev/null || die "npm not found: cannot fetch $spec (Debian: apt-get install npm)"
		say "   fetching $spec (npm pack, cached in $BROAD/cache)"
		(cd "$BROAD/cache" && npm pack --silent "$spec" >/dev/null 2>"npm.log") ||
			{ cat "$BROAD/cache/npm.log" >&2; die "npm pack $spec failed"; }
		[[ -f $tgz ]] || die "npm pack $spec did not leave $tgz"
	fi
	if stale "$BROAD/src/$dest/.unpacked" "$tgz"; then
		rm -rf "${BROAD:?}/src/$dest" "$BROAD/src/package"
		tar xzf "$tgz" -C "$BROAD/src" "package/$dir"
		mv "$BROAD/src/package/$dir" "$BROAD/src/$dest"
		rm -rf "$BROAD/src/package"
		touch "$BROAD/src/$dest/.unpacked"
	fi
}

# cc2 NAME OUTDIR FLAGS... -- SOURCES...: builds $OUTDIR/native/NAME and
# $OUTDIR/wasm/NAME.wasm when stale (the flags are part of the stamp).
cc2() {
	local name=$1 dir=$2
	shift 2
	local -a flags=() srcs=()
	while [[ $1 != -- ]]; do flags+=("$1"); shift; done
	shift
	srcs=("$@")
	local stamp="$dir/stamp/$name" key
	local -a wflags=()
	((SUITE_WASM_SIMD)) && wflags=(-msimd128)
	key="$CLANG $NATIVE_CFLAGS | $WASM_CFLAGS ${wflags[*]} | ${flags[*]} | ${srcs[*]}"
	mkdir -p "$dir/native" "$dir/wasm" "$dir/stamp"
	if [[ ! -f $stamp || $(cat "$stamp") != "$key" ]] ||
		stale "$dir/wasm/$name.wasm" "${srcs[@]}" || stale "$dir/native/$name" "${srcs[@]}"; then
		# shellcheck disable=SC2086
		"$CLANG" $NATIVE_CFLAGS -w "${flags[@]}" -o "$dir/native/$name" "${srcs[@]}" -lm -lrt ||
			die "$name: native build failed"
		# shellcheck disable=SC2086
		"${WASM_CC[@]}" $WASM_CFLAGS "${wflags[@]}" -w "${flags[@]}" -D_WASI_EMULATED_PROCESS_CLOCKS \
			-o "$dir/wasm/$name.wasm" "${srcs[@]}" -lm -lwasi-emulated-process-clocks ||
			die "$name: wasm32-wasi build failed"
		printf '%s\n' "$key" >"$stamp"
	fi
}

# Where each benchmark's programs are, and what the check run is.
declare -A B_NATIVE=() B_WASM=() B_ARGS=() CHK_NATIVE=() CHK_WASM=()

suite_build() {
	((${#SUITE_SELECTED[@]})) || return 0
	[[ -n $COREMARK_ITERATIONS ]] || { [[ $TIER == interp ]] && COREMARK_ITERATIONS=15000 || COREMARK_ITERATIONS=400000; }
	say "== building the broad suite into $BROAD (PolyBench $DATASET, CoreMark $COREMARK_ITERATIONS iterations)"
	mkdir -p "$BROAD/src"
	cc -O2 -Wall -Wextra -o "$OUT/cputime" "$SRC/cputime.c"
	local b d pb="$BROAD/src/$PB_TOP"
	if suite_has coremark; then
		suite_unpack coremark coremark
		local cm="$BROAD/src/coremark"
		local -a cmsrc=("$cm/core_list_join.c" "$cm/core_main.c" "$cm/core_matrix.c" "$cm/core_state.c"
			"$cm/core_util.c" "$cm/posix/core_portme.c")
		local cmflags=(-DSEED_METHOD=SEED_VOLATILE -DPERFORMANCE_RUN=1 -DCM_NO_10S_RULE
			"-I$cm/posix" "-I$cm" '-DFLAGS_STR="-O2"')
		local cmname=coremark-$COREMARK_ITERATIONS
		cc2 "$cmname" "$BROAD/coremark" "${cmflags[@]}" -DITERATIONS="$COREMARK_ITERATIONS" -- "${cmsrc[@]}"
		B_NATIVE[coremark]=$BROAD/coremark/native/$cmname B_WASM[coremark]=$BROAD/coremark/wasm/$cmname.wasm
		if [[ $MODE == callgrind ]]; then
			cc2 coremark-small "$BROAD/coremark" "${cmflags[@]}" -DITERATIONS=500 -- "${cmsrc[@]}"
			B_NATIVE[coremark]=$BROAD/coremark/native/coremark-small
			B_WASM[coremark]=$BROAD/coremark/wasm/coremark-small.wasm
		fi
	fi
	if suite_has polybench; then
		suite_unpack polybench-c-4.2.1 "$PB_TOP"
		local ds=$DATASET
		for b in "${SUITE_SELECTED[@]}"; do
			[[ ${SUITE_GROUP[$b]} == polybench ]] || continue
			d=$(dirname "$(grep -m1 "/$b\.c\$" "$pb/utilities/benchmark_list")")
			d="$pb/${d#./}"
			local pbflags=(-I "$pb/utilities" -I "$d" "-D${ds}_DATASET")
			cc2 "$b" "$BROAD/pb-$ds" "${pbflags[@]}" -DPOLYBENCH_TIME -DPOLYBENCH_NO_FLUSH_CACHE \
				-- "$pb/utilities/polybench.c" "$d/$b.c"
			cc2 "$b" "$BROAD/pb-$ds-dump" "${pbflags[@]}" -DPOLYBENCH_DUMP_ARRAYS \
				-- "$pb/utilities/polybench.c" "$d/$b.c"
			B_NATIVE[$b]=$BROAD/pb-$ds/native/$b B_WASM[$b]=$BROAD/pb-$ds/wasm/$b.wasm
			CHK_NATIVE[$b]=$BROAD/pb-$ds-dump/native/$b CHK_WASM[$b]=$BROAD/pb-$ds-dump/wasm/$b.wasm
		done
	fi
	if suite_has libs; then
		local l="$BROAD/src/lz4/lib" a="$BROAD/src/argon2"
		if [[ " ${SUITE_SELECTED[*]} " == *" lz4"* ]]; then
			suite_fetch_npm "$LZ4_NPM" deps/lz4 lz4
			cc2 lz4-driver "$BROAD/libs" -I "$l" -- "$SRC/lz4-driver.c" "$l/lz4.c" "$l/lz4hc.c" "$l/xxhash.c"
		fi
		if [[ " ${SUITE_SELECTED[*]} " == *" argon2 "* ]]; then
			suite_fetch_npm "$ARGON2_NPM" argon2 argon2
			cc2 argon2-driver "$BROAD/libs" -DARGON2_NO_THREADS -I "$a/include" -I "$a/src" -- "$SRC/argon2-driver.c" \
				"$a/src/argon2.c" "$a/src/core.c" "$a/src/ref.c" "$a/src/encoding.c" "$a/src/blake2/blake2b.c"
		fi
		for b in lz4 lz4hc argon2; do
			local drv=lz4-driver
			[[ $b != argon2 ]] || drv=argon2-driver
			B_NATIVE[$b]=$BROAD/libs/native/$drv B_WASM[$b]=$BROAD/libs/wasm/$drv.wasm
			B_ARGS[$b]=${LIB_ARGS[$b]}
			[[ $MODE != callgrind ]] || B_ARGS[$b]=${LIB_SMALL_ARGS[$b]}
		done
	fi
}

# ---- running ------------------------------------------------------------------

SUITE_NODE_RUN=(node --no-warnings --single-threaded-gc --no-turbo-fast-api-calls "$SRC/run-node.mjs")

# suite_run_timed OUTFILE CMD...: as run.sh's run_timed, but timed by
# build/bench/cputime (microseconds).  Sets RC and ELAPSED; appends to the CSV.
suite_run_timed() {
	local out=$1 times
	shift
	set +e
	"$OUT/cputime" "$out.time" timeout "$BENCH_TIMEOUT" "$@" >"$out" 2>"$out.err"
	RC=$?
	set -e
	times=$(cat "$out.time" 2>/dev/null || echo "0 0 0")
	[[ -z ${CSV_TAG:-} ]] || awk -v t="$CSV_TAG" -v rc="$RC" '{ printf "%s,%.6f,%.6f,%s\n", t, $1, $2 + $3, rc }' <<<"$times" >>"$OUT/results.csv"
	if [[ $METRIC == cpu ]]; then
		ELAPSED=$(awk '{ printf "%.6f", $2 + $3 }' <<<"$times")
	else
		ELAPSED=$(awk '{ printf "%.6f", $1 }' <<<"$times")
	fi
}

# suite_run_node OUTFILE ARGS...: node, repeated when it dies by a signal
# (node 20's WASI bug; see the header).  Sets RC and ELAPSED.
suite_run_node() {
	local out=$1 _
	shift
	for _ in 1 2 3; do
		suite_run_timed "$out" "${SUITE_NODE_RUN[@]}" "$@"
		((RC >= 128)) || break
		NODE_CRASHES=$((NODE_CRASHES + 1))
		say "  node died with exit $RC ($(head -c 120 "$out.err" | tr '\n' ' ')); not counted, repeating"
	done
}

# suite_output BENCH FILE: the part of a run's output that must equal native's.
suite_output() {
	case ${SUITE_GROUP[$1]} in
	coremark) grep -E '^(seedcrc|\[[0-9]+\]crc[a-z]+) *:' "$2" || true ;;
	polybench) cat "$2.err" ;; # the check build's dump, on stderr
	*) cat "$2" ;;
	esac
}

# One line per benchmark in $OUT/suite.csv, from the kernels (run.sh's
# time_kernels calls suite_record_kernel) and from the broad suite:
# GROUP,NAME,NATIVE_S,PGWASM_S,PGWASM_X,NODE_S,NODE_X,CHECK where CHECK is
# "ok" or the failures, e.g. "pgwasm MISMATCH; node crash".
suite_record() {
	local IFS=,
	printf '%s\n' "$*" >>"$OUT/suite.csv"
}

# suite_check FAIL_PGWASM FAIL_NODE: the CHECK column.
suite_check() {
	local c=""
	[[ -z $1 ]] || c="pgwasm $1"
	[[ -z $2 ]] || c="${c:+$c; }node $2"
	echo "${c:-ok}"
}

# suite_record_kernel NAME NATIVE_S PGWASM_S PGWASM_X NODE_S NODE_X FAIL_P FAIL_X
# A variant row of a kernel (a name with "+", e.g. "matmul+simd") and vecops
# (written for the SIMD rows) go to the group kernel-variants, out of the
# kernels' geometric mean, as run.sh keeps them out of its own; their checks
# count.
suite_record_kernel() {
	local group=kernels
	[[ $1 != *+* && $1 != vecops ]] || group=kernel-variants
	local fx=$8
	[[ ! $fx =~ ^exit\ ([0-9]+)$ ]] || ((BASH_REMATCH[1] < 128)) || fx=crash
	[[ $fx != checksum ]] || fx=MISMATCH
	local fp=$7
	[[ $fp != checksum ]] || fp=MISMATCH
	suite_record "$group" "$1" "$2" "$3" "$4" "$5" "$6" "$(suite_check "$fp" "$fx")"
}

# Each benchmark's rows: PolyBench is short, so it runs max(5, REPS) times.
suite_time() {
	((${#SUITE_SELECTED[@]})) || return 0
	[[ -f $OUT/results.csv ]] || echo "kernel,engine,rep,wall_s,cpu_s,exit" >"$OUT/results.csv"
	local fmt='%-15s %9s %9s %8s %9s %8s %13s  %s\n'
	{
		printf '\nbroad suite (PolyBench %s, CoreMark %s iterations%s), %s\n' "$DATASET" "$COREMARK_ITERATIONS" \
			"$(suite_wasm_label)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
		printf "$fmt" benchmark "native s" "pgwasm s" "x native" "node s" "x native" "kernel-only x" check
		printf "$fmt" --------------- --------- --------- -------- --------- -------- ------------- -----
	} | tee -a "$OUT/results.txt"
	local b rep reps g log ref tn tp tx fail_p fail_x
	for b in "${SUITE_SELECTED[@]}"; do
		g=${SUITE_GROUP[$b]} log="$OUT/log/broad-$b" tn="" tp="" tx="" fail_p="" fail_x=""
		local n=${B_NATIVE[$b]} w=${B_WASM[$b]}
		local -a bargs=()
		read -r -a bargs <<<"${B_ARGS[$b]:-}"
		reps=$REPS
		[[ $g != polybench ]] || ((reps >= 5)) || reps=5
		# The check runs of PolyBench (the dump build), once per engine.
		if [[ $g == polybench ]]; then
			suite_run_timed "$log.chk.native" "${CHK_NATIVE[$b]}"
			((RC == 0)) || { cat "$log.chk.native.err" >&2; die "$b: native check run failed (exit $RC)"; }
			ref=$(suite_output "$b" "$log.chk.native")
			if ((HAVE_PGWASM)); then
				suite_run_timed "$log.chk.pgwasm" "${PGWASM_RUN[@]}" "${CHK_WASM[$b]}"
				if ((RC != 0)); then fail_p="exit $RC"
				elif [[ $(suite_output "$b" "$log.chk.pgwasm") != "$ref" ]]; then fail_p="MISMATCH"; fi
			fi
			if ((DO_NODE)); then
				suite_run_node "$log.chk.node" "${CHK_WASM[$b]}"
				if ((RC >= 128)); then fail_x="crash"
				elif ((RC != 0)); then fail_x="exit $RC"
				elif [[ $(suite_output "$b" "$log.chk.node") != "$ref" ]]; then fail_x="MISMATCH"; fi
			fi
		fi
		warm_cache "$log.warm" "$w" "${bargs[@]}"
		for ((rep = 1; rep <= reps; rep++)); do
			CSV_TAG="$b,native,$rep" suite_run_timed "$log.native" "$n" "${bargs[@]}"
			((RC == 0)) || { cat "$log.native.err" >&2; die "$b: native run failed (exit $RC)"; }
			tn=$(min "$tn" "$ELAPSED")
			[[ $g == polybench ]] || ref=$(suite_output "$b" "$log.native")
			[[ $g != coremark || -n $ref ]] || die "coremark: no CRC lines in the native output ($log.native)"
			[[ $g != polybench ]] || PB_KT[$b,native]=$(min "${PB_KT[$b,native]:-}" "$(tail -1 "$log.native")")
			[[ $g != coremark ]] || CM_IPS[native]=$(max "${CM_IPS[native]:-}" "$(cm_ips "$log.native")")
			if ((HAVE_PGWASM)) && [[ -z $fail_p ]]; then
				CSV_TAG="$b,pgwasm,$rep" suite_run_timed "$log.pgwasm" "${PGWASM_RUN[@]}" "$w" "${bargs[@]}"
				if ((RC != 0)); then fail_p="exit $RC"
				elif [[ $g != polybench && $(suite_output "$b" "$log.pgwasm") != "$ref" ]]; then fail_p="MISMATCH"
				else
					tp=$(min "$tp" "$ELAPSED")
					[[ $g != polybench ]] || PB_KT[$b,pgwasm]=$(min "${PB_KT[$b,pgwasm]:-}" "$(tail -1 "$log.pgwasm")")
					[[ $g != coremark ]] || CM_IPS[pgwasm]=$(max "${CM_IPS[pgwasm]:-}" "$(cm_ips "$log.pgwasm")")
				fi
				[[ -z $fail_p ]] || say "  $b: pgwasm failed ($fail_p): $(head -c 300 "$log.pgwasm.err")"
			fi
			if ((DO_NODE)) && [[ -z $fail_x ]]; then
				CSV_TAG="$b,node,$rep" suite_run_node "$log.node" "$w" "${bargs[@]}"
				if ((RC >= 128)); then fail_x="crash"
				elif ((RC != 0)); then fail_x="exit $RC"
				elif [[ $g != polybench && $(suite_output "$b" "$log.node") != "$ref" ]]; then fail_x="MISMATCH"
				else
					tx=$(min "$tx" "$ELAPSED")
					[[ $g != polybench ]] || PB_KT[$b,node]=$(min "${PB_KT[$b,node]:-}" "$(tail -1 "$log.node")")
					[[ $g != coremark ]] || CM_IPS[node]=$(max "${CM_IPS[node]:-}" "$(cm_ips "$log.node")")
				fi
				[[ -z $fail_x ]] || say "  $b: node failed ($fail_x): $(head -c 300 "$log.node.err")"
			fi
		done
		local sp="-" cp="-" sx="-" cx="-" check
		check=$(suite_check "$fail_p" "$fail_x")
		[[ -z $tp || -n $fail_p ]] || { sp=$tp; cp=$(ratio "$tp" "$tn"); }
		[[ -z $tx || -n $fail_x ]] || { sx=$tx; cx=$(ratio "$tx" "$tn"); }
		[[ -z $fail_p ]] || { sp=FAIL; cp="($fail_p)"; }
		[[ -z $fail_x ]] || { sx=FAIL; cx="($fail_x)"; }
		((HAVE_PGWASM)) || { sp=n/a; cp=n/a; }
		((DO_NODE)) || { sx=n/a; cx=n/a; }
		# PolyBench: the ratio of the kernel's own time (POLYBENCH_TIME).
		local kp="" kx="" kc=""
		if [[ $g == polybench ]]; then
			[[ -n $fail_p || -z ${PB_KT[$b,pgwasm]:-} ]] || kp=$(sratio "${PB_KT[$b,pgwasm]}" "${PB_KT[$b,native]}")
			[[ -n $fail_x || -z ${PB_KT[$b,node]:-} ]] || kx=$(sratio "${PB_KT[$b,node]}" "${PB_KT[$b,native]}")
			kc="${kp:--} / ${kx:--}"
		fi
		suite_record "$g" "$b" "$tn" "$sp" "$cp" "$sx" "$cx" "$check" "$kp" "$kx"
		printf "$fmt" "$b" "$(printf %.3f "$tn")" "$(fmt3 "$sp")" "$cp" "$(fmt3 "$sx")" "$cx" "$kc" "$check" |
			tee -a "$OUT/results.txt"
	done
}

declare -A PB_KT=() CM_IPS=()
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }
sratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
fmt3() { [[ $1 =~ ^[0-9.]+$ ]] && printf '%.3f' "$1" || printf '%s' "$1"; }
cm_ips() { awk -F: '/^Iterations\/Sec/ { printf "%.1f", $2 + 0 }' "$1"; }

# suite_geo GROUP-REGEX COLUMN [NAMES]: geomean of COLUMN (5 pgwasm, 7 node)
# of suite.csv rows whose group matches, over numeric cells; "- (n 0)".
suite_geo() {
	awk -F, -v g="$1" -v col="$2" -v names=" ${3:-} " '
		$1 ~ "^(" g ")$" && (names == "  " || index(names, " " $2 " ")) && $col ~ /^[0-9.]+$/ && $col > 0 {
			s += log($col); n++ }
		END { if (n) printf "%.2f (%d)", exp(s / n), n; else printf "- (0)" }' "$OUT/suite.csv"
}

# suite_geo_kt COLUMN KT_COLUMN: the broad suite's geomean, with PolyBench's
# kernel-only ratio (KT_COLUMN) in place of its whole-process one.
suite_geo_kt() {
	awk -F, -v col="$1" -v kt="$2" '
		$1 ~ /^(coremark|libs)$/ && $col ~ /^[0-9.]+$/ && $col > 0 { s += log($col); n++ }
		$1 == "polybench" && $kt ~ /^[0-9.]+$/ && $kt > 0 { s += log($kt); n++ }
		END { if (n) printf "%.2f (%d)", exp(s / n), n; else printf "- (0)" }' "$OUT/suite.csv"
}

# The summary of everything in suite.csv: geometric means by group, CoreMark
# iterations/s, PolyBench kernel-only times.
suite_summary() {
	[[ -s $OUT/suite.csv ]] || return 0
	local fmt='%-44s %14s %14s\n' metric="wall-clock time"
	[[ $METRIC == wall ]] || metric="user+sys CPU time"
	{
		printf '\ngeometric means of the ratio to native (%s of the whole process; (n) benchmarks%s):\n' \
			"$metric" "$(suite_wasm_label)"
		printf "$fmt" "" "pgwasm" "node (V8)"
		printf "$fmt" "our kernels" "$(suite_geo kernels 5)" "$(suite_geo kernels 7)"
		printf "$fmt" "CoreMark" "$(suite_geo coremark 5)" "$(suite_geo coremark 7)"
		printf "$fmt" "PolyBench ($DATASET)" "$(suite_geo polybench 5)" "$(suite_geo polybench 7)"
		printf "$fmt" "  6-kernel subset of the peers' figures" "$(suite_geo polybench 5 "$PB_PEER_SUBSET")" \
			"$(suite_geo polybench 7 "$PB_PEER_SUBSET")"
		printf "$fmt" "libraries (LZ4, Argon2)" "$(suite_geo libs 5)" "$(suite_geo libs 7)"
		printf "$fmt" "broad suite (CoreMark + PolyBench + libs)" "$(suite_geo 'coremark|polybench|libs' 5)" \
			"$(suite_geo 'coremark|polybench|libs' 7)"
		printf "$fmt" "  the same, PolyBench by kernel-only time" "$(suite_geo_kt 5 9)" "$(suite_geo_kt 7 10)"
		printf "$fmt" "overall (every benchmark)" "$(suite_geo '[a-z]+' 5)" "$(suite_geo '[a-z]+' 7)"
		printf "$fmt" "mean of the group geomeans" "$(suite_group_mean 5)" "$(suite_group_mean 7)"
		if ((${#PB_KT[@]})); then
			printf "$fmt" "PolyBench, kernel-only time (POLYBENCH_TIME)" "$(pb_kt_geo 9)" "$(pb_kt_geo 10)"
			printf "$fmt" "  6-kernel subset, kernel-only time" "$(pb_kt_geo 9 "$PB_PEER_SUBSET")" \
				"$(pb_kt_geo 10 "$PB_PEER_SUBSET")"
		fi
		if [[ -n ${CM_IPS[native]:-} ]]; then
			printf 'CoreMark iterations/s, %s iterations / best %s: %s\n' "$COREMARK_ITERATIONS" "$metric" \
				"$(awk -F, -v it="$COREMARK_ITERATIONS" '$1 == "coremark" {
					split("3 4 6", cs, " ")
					for (i = 1; i <= 3; i++) { c = cs[i]; v[c] = ($c ~ /^[0-9.]+$/ && $c > 0) ? sprintf("%.0f", it / $c) : "-" }
					printf "native %s, pgwasm %s, node %s", v[3], v[4], v[6] }' "$OUT/suite.csv")"
			printf 'CoreMark iterations/s by its own (wall) clock, best run: native %s, pgwasm %s, node %s\n' \
				"${CM_IPS[native]}" "${CM_IPS[pgwasm]:--}" "${CM_IPS[node]:--}"
		fi
		((NODE_CRASHES == 0)) || printf 'node died by a signal %d times (repeated, never counted)\n' "$NODE_CRASHES"
	} | tee -a "$OUT/results.txt"
}

# suite_verdict: exits 1, naming the benchmarks, if any engine's output
# differed from native's or a pgwasm run failed (node crashes excepted).
suite_verdict() {
	[[ -s $OUT/suite.csv ]] || return 0
	local bad
	bad=$(awk -F, '$8 ~ /pgwasm|node (MISMATCH|exit)/ { printf " %s (%s)", $2, $8 }' "$OUT/suite.csv")
	if [[ -n $bad ]]; then
		say ""
		say "run.sh: WRONG RESULTS: output differs from native, or a run failed:$bad"
		say "        (logs in $OUT/log/)"
		exit 1
	fi
}

# Geomean of the per-group geomeans (each group weighs the same).
suite_group_mean() {
	awk -F, -v col="$1" '
		$1 != "kernel-variants" && $col ~ /^[0-9.]+$/ && $col > 0 { s[$1] += log($col); n[$1]++ }
		END { for (g in s) { t += s[g] / n[g]; k++ } if (k) printf "%.2f (%d)", exp(t / k), k; else printf "- (0)" }' \
		"$OUT/suite.csv"
}

# pb_kt_geo COLUMN [NAMES]: geomean over PolyBench kernels of the ratio of
# the kernel's own time (POLYBENCH_TIME, gettimeofday: wall clock), column 9
# of suite.csv for pgwasm, 10 for node; failed runs have none.
pb_kt_geo() {
	awk -F, -v col="$1" -v names=" ${2:-} " '
		$1 == "polybench" && (names == "  " || index(names, " " $2 " ")) && $col ~ /^[0-9.]+$/ && $col > 0 {
			s += log($col); n++ }
		END { if (n) printf "%.2f (%d)", exp(s / n), n; else printf "- (0)" }' "$OUT/suite.csv"
}

# ---- callgrind ------------------------------------------------------------------

# With run.sh --callgrind: instruction counts of the selected broad benchmarks
# (smaller workloads, see the header) natively and under pgwasm, then
# pgwasm's instructions by handler (cg-handlers.sh).  PolyBench's output is
# its timer here, so only CoreMark's and LZ4's are compared.
suite_callgrind() {
	((${#SUITE_SELECTED[@]})) || return 0
	((HAVE_PGWASM)) || die "--callgrind needs build/wasm-run"
	mkdir -p "$OUT/callgrind"
	local fmt='%-15s %-12s %14s %14s %8s\n' b irn irp r
	local -a rs=() bargs
	{
		printf '\nbroad suite (PolyBench %s%s)\n' "$DATASET" "$(suite_wasm_label)"
		printf "$fmt" benchmark args "native Ir" "pgwasm Ir" "x native"
		printf "$fmt" --------------- ------------ -------------- -------------- --------
	} | tee -a "$OUT/callgrind.txt"
	for b in "${SUITE_SELECTED[@]}"; do
		read -r -a bargs <<<"${B_ARGS[$b]:-}"
		local cgn="$OUT/callgrind/$b.native.out" cgp="$OUT/callgrind/$b.pgwasm.out"
		irn=$(callgrind_ir "$cgn" "${B_NATIVE[$b]}" "${bargs[@]}") || die "$b: native run under callgrind failed"
		if irp=$(callgrind_ir "$cgp" "${PGWASM_RUN[@]}" "${B_WASM[$b]}" "${bargs[@]}") &&
			{ [[ ${SUITE_GROUP[$b]} == polybench ]] ||
				[[ $(suite_output "$b" "$cgn.stdout") == "$(suite_output "$b" "$cgp.stdout")" ]]; }; then
			r=$(ratio "$irp" "$irn")
			rs+=("$r")
		else
			irp=FAIL r="-"
		fi
		printf "$fmt" "$b" "${bargs[*]:-}" "$irn" "$irp" "$r" | tee -a "$OUT/callgrind.txt"
	done
	printf "$fmt" geomean "" "" "" "$(geomean "${rs[@]}")" | tee -a "$OUT/callgrind.txt"
	bash "$SRC/cg-handlers.sh" "${SUITE_SELECTED[@]}" | tee "$OUT/callgrind-handlers-broad.txt"
	say "(per-handler figures of the broad suite in $OUT/callgrind-handlers-broad.txt)"
}
