#!/usr/bin/env bash
# test/fuzz/run.sh — run the fuzzers for a fixed time budget each.
#
# Usage: test/fuzz/run.sh [SECONDS]   (default 40; `make fuzz` passes
#        FUZZ_SECONDS, 600 unless given)
#
# Builds the targets (make fuzz-build: libFuzzer + ASan + UBSan), converts
# the seed corpus (test/fuzz/corpus-src/*.wat, with wat2wasm), replays the
# reproducers of earlier findings (test/fuzz/regress.sh over test/regress/),
# then runs in turn, each for SECONDS on one core:
#   decode  build/fuzz/fuzz-decode  — arbitrary bytes through decode, validate
#                                     and compile, with allocation failures
#   exec    build/fuzz/fuzz-exec    — instantiate and call every export under
#                                     fuel, memory and stack limits, with a
#                                     snapshot/reset replay oracle
#   diff    test/fuzz/diff.sh       — binaryen-generated modules, our engine
#                                     against node's V8
#   native  DIFF_TIER=eager diff.sh — the same, our native tier (every
#                                     function machine code) against V8
#   tier    test/fuzz/tier-diff.sh  — binaryen-generated modules, the
#                                     interpreter against the native tier
#                                     (tiered at thresholds 1: calls go
#                                     native at once, loops by on-stack
#                                     replacement): results, traps, host
#                                     calls, memory and globals
# The libFuzzer targets start from the seeds, 100 modules binaryen generates
# from random bytes (`wasm-opt -ttf`, half of them with SIMD, made once into
# build/fuzz/ttf-seeds/: large valid modules whose mutations reach deep into
# the engine), the benchmark kernels built with clang -msimd128
# (build/fuzz/simd-seeds/), the spec
# suite's modules when test/spec/run.sh has converted them, the cost shapes
# of test/hostile.c (build/fuzz/hostile-seeds/)
# (build/spec/*/*.wasm), and the corpus they grew in earlier runs on this
# machine (build/fuzz/corpus/<target>/).
# Any crash, sanitizer report, leak, per-input timeout (20 s), oracle
# failure or differential mismatch is a finding: libFuzzer writes the input
# to build/fuzz/findings/<target>-*, diff.sh keeps its module there, and the
# script exits 1 after the summary.  Each target's log is in
# build/fuzz/logs/.  Execution counts and rates are printed per target and
# appended to build/fuzz/stats.tsv (date, target, seconds, executions,
# execs/s, findings) for docs/reliability.md.
#
# Environment: FUZZ_DIFF_SECONDS (default SECONDS) for each differential
# stage (diff, native, tier); FUZZ_TARGETS (default
# "regress decode exec diff native tier") to run only some.  The native and
# tier stages need the native tier's back end (build/wasmrt-llvm.so, built
# where llvm-config-14 exists); without it they are skipped, said so.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SECS=${1:-40}
DIFF_SECS=${FUZZ_DIFF_SECONDS:-$SECS}
TARGETS=${FUZZ_TARGETS:-"regress decode exec diff native tier"}
OUT=build/fuzz
LOGS=$OUT/logs
FINDINGS=$OUT/findings

case $SECS in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

# ---- tools ------------------------------------------------------------------
# clang's libFuzzer runtime is in libclang-rt-14-dev, which test/deps.sh's
# --no-install-recommends install of clang does not bring.
need_pkgs=()
command -v clang > /dev/null || need_pkgs+=(clang)
command -v wat2wasm > /dev/null || need_pkgs+=(wabt)
command -v wasm-opt > /dev/null || need_pkgs+=(binaryen)
command -v node > /dev/null || need_pkgs+=(nodejs)
if command -v clang > /dev/null; then
	fz_lib=$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")
	[ -f "$fz_lib" ] || need_pkgs+=(libclang-rt-14-dev)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
	echo "fuzz: installing ${need_pkgs[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "fuzz: not root: install them with apt-get install ${need_pkgs[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q > /dev/null
	apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" > /dev/null
fi

mkdir -p "$LOGS" "$FINDINGS"
echo "fuzz: building (make fuzz-build)"
make --no-print-directory fuzz-build > "$LOGS/build.log" 2>&1 || {
	tail -n 40 "$LOGS/build.log"
	echo "fuzz: build failed (log $LOGS/build.log)" >&2
	exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libLLVM's own allocations, in processes that load the native tier
export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0:suppressions=$ROOT/test/fuzz/lsan-llvm.supp:print_suppressions=0}

passed=0 failed=0
summary=()

# run_libfuzzer NAME: build/fuzz/fuzz-NAME for SECS seconds.
run_libfuzzer() {
	local name=$1 log=$LOGS/$1.log corpus=$OUT/corpus/$1 rc=0 seeds execs rate found
	mkdir -p "$corpus"
	seeds=("$OUT/seeds")
	if [ ! -d "$OUT/ttf-seeds" ]; then
		mkdir -p "$OUT/ttf-seeds.tmp"
		for i in $(seq 1 100); do
			head -c $((RANDOM % 6000 + 200)) /dev/urandom > "$OUT/ttf-seeds.tmp/seed"
			wasm-opt -ttf "$OUT/ttf-seeds.tmp/seed" --mvp-features --enable-mutable-globals \
				--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
				--enable-multivalue $( ((i % 2)) && echo --enable-simd) \
				-o "$OUT/ttf-seeds.tmp/ttf-$i.wasm" > /dev/null 2>&1 || true
		done
		rm -f "$OUT/ttf-seeds.tmp/seed"
		mv "$OUT/ttf-seeds.tmp" "$OUT/ttf-seeds"
	fi
	seeds+=("$OUT/ttf-seeds")
	# Vectorised code as a compiler emits it: the benchmark kernels and the
	# SIMD guest built with clang -O2 -msimd128 (once, when wasi-libc is
	# there).
	if [ ! -d "$OUT/simd-seeds" ] && [ -e /usr/lib/wasm32-wasi/crt1-command.o ]; then
		mkdir -p "$OUT/simd-seeds.tmp"
		for c in test/bench/*.c; do
			[ "$(basename "$c")" = genbig.c ] || [ "$(basename "$c")" = loadtime.c ] || [ "$(basename "$c")" = irmap.c ] && continue
			clang --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 "$c" -lm \
				-o "$OUT/simd-seeds.tmp/$(basename "$c" .c).wasm" > /dev/null 2>&1 || true
		done
		clang --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 -mexec-model=reactor test/guest/simd.c \
			-o "$OUT/simd-seeds.tmp/guest-simd.wasm" > /dev/null 2>&1 || true
		mv "$OUT/simd-seeds.tmp" "$OUT/simd-seeds"
	fi
	[ -d "$OUT/simd-seeds" ] && seeds+=("$OUT/simd-seeds")
	# The cost shapes of issue 11 (test/hostile.c), small enough for
	# libFuzzer's input limit, so mutations start next to that class.
	if [ ! -d "$OUT/hostile-seeds" ] && make -s build/hostile-gen > /dev/null; then
		mkdir -p "$OUT/hostile-seeds"
		for shape in blocks br_if calls returns br_table local_sets; do
			for kn in "3 20" "40 40" "300 8"; do
				set -- $kn
				build/hostile-gen "$shape" "$1" "$2" "$OUT/hostile-seeds/$shape-$1-$2.wasm"
			done
		done
	fi
	[ -d "$OUT/hostile-seeds" ] && seeds+=("$OUT/hostile-seeds")
	if [ -d build/spec ]; then
		# The spec modules, flattened once into one directory for libFuzzer.
		if [ ! -d "$OUT/spec-seeds" ]; then
			mkdir -p "$OUT/spec-seeds"
			find build/spec -name '*.wasm' -exec cp -t "$OUT/spec-seeds" {} +
		fi
		seeds+=("$OUT/spec-seeds")
	fi
	echo "fuzz: $name: ${SECS}s (corpus $corpus, seeds ${seeds[*]})"
	"$OUT/fuzz-$name" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
		-dict=test/fuzz/wasm.dict -print_final_stats=1 -artifact_prefix="$FINDINGS/$name-" \
		"$corpus" "${seeds[@]}" > "$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	found=0
	if [ "$rc" -ne 0 ]; then
		found=1
		grep -E 'ERROR|WARNING|SUMMARY|check failed|Test unit written' "$log" | head -n 20 | sed 's/^/    /'
		echo "fuzz: $name: FINDING (exit $rc, log $log)"
		failed=$((failed + 1))
		summary+=("$(printf 'FAIL  %-7s %s executions, %s/s (log %s)' "$name" "${execs:-?}" "${rate:-?}" "$log")")
	else
		passed=$((passed + 1))
		summary+=("$(printf 'ok    %-7s %s executions in %ss, %s exec/s, corpus %s files' \
			"$name" "${execs:-?}" "$SECS" "${rate:-?}" "$(find "$corpus" -type f | wc -l)")")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$SECS" "${execs:-0}" \
		"${rate:-0}" "$found" >> "$OUT/stats.tsv"
}

for t in $TARGETS; do
	case $t in
		decode | exec) run_libfuzzer "$t" ;;
		regress)
			rc=0
			bash test/fuzz/regress.sh > "$LOGS/regress.log" 2>&1 || rc=$?
			grep -v '^regress: ok' "$LOGS/regress.log" || true
			line=$(tail -n1 "$LOGS/regress.log")
			if [ "$rc" -ne 0 ]; then
				failed=$((failed + 1))
				summary+=("FAIL  regress reproducers: $line (log $LOGS/regress.log)")
			else
				passed=$((passed + 1))
				summary+=("ok    regress reproducers: $line")
			fi
			;;
		diff | native | tier)
			if [ "$t" != diff ] && ! make --no-print-directory -s build/wasmrt-llvm.so > /dev/null 2>&1; then
				summary+=("skip  $t    (no native tier: llvm-config-14 missing)")
				continue
			fi
			echo "fuzz: $t: ${DIFF_SECS}s"
			rc=0
			case $t in
				diff) bash test/fuzz/diff.sh "$DIFF_SECS" ;;
				native) DIFF_TIER=eager bash test/fuzz/diff.sh "$DIFF_SECS" ;;
				tier) bash test/fuzz/tier-diff.sh "$DIFF_SECS" ;;
			esac 2>&1 | tee "$LOGS/$t.log" || rc=$?
			# diff.sh: "diff[ (eager tier)]: N modules in ...";
			# tier-diff.sh: "tier-diff: N modules, ..."
			line=$(grep -E '^(diff|diff \(eager tier\)|tier-diff): [0-9]+ modules' "$LOGS/$t.log" | tail -n1 || true)
			line=${line#*: }
			modules=$(sed -E 's/^([0-9]+) modules.*/\1/' <<< "${line:-0 modules}")
			if [ "$rc" -ne 0 ]; then
				failed=$((failed + 1))
				summary+=("$(printf 'FAIL  %-7s %s' "$t" "$line")")
			else
				passed=$((passed + 1))
				summary+=("$(printf 'ok    %-7s %s' "$t" "$line")")
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$DIFF_SECS" "$modules" \
				"$(awk -v m="$modules" -v s="$DIFF_SECS" 'BEGIN { printf "%.1f", m / s }')" \
				"$((rc != 0))" >> "$OUT/stats.tsv"
			;;
		*) echo "fuzz: unknown target $t" >&2; exit 2 ;;
	esac
done

echo
echo "==== fuzz summary ===="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
