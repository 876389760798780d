#!/usr/bin/env bash
# test/run-all.sh — everything `make test` runs, in order, failing fast.
#
# Stages: install missing Debian packages (test/deps.sh); build the runtime
# and its programs (make runtime); the runtime unit tests; wasm-run's code
# cache (test/tools/wasm-run-cache.sh); the same programs
# under AddressSanitizer + UndefinedBehaviorSanitizer (make runtime-asan)
# with the unit tests and the spec suite, interpreted and with every
# function compiled by the native tier first; the full
# WebAssembly spec suite (test/spec/run.sh), then once more with every
# function compiled by the native tier before its first call (SPEC_TIER=eager;
# functions the tier refuses run interpreted and are counted), once under
# the tiered policy with thresholds of 1 (functions go native at their second
# call, and a running call at its loop's second back-edge: on-stack
# replacement), and the
# extended-const proposal's tests; the fuzzers' reproducers and a
# short fuzzing run of each target (test/fuzz/run.sh, FUZZ_SECONDS each,
# default 40); Citus for the distributed test, reused when installed, else
# built from ../shared/citus (test/citus/build.sh); and the PostgreSQL tests
# (test/pg/run.sh) when that script exists.  Each stage prints a header and
# its duration; every stage's output is also kept in build/test-logs/.  The
# first failing stage stops the run (exit 1).  The closing line
# `N passed, N failed` sums the `N passed, N failed` lines the stages print
# (pg_regress's "All N tests passed" / "N of M tests failed" are understood
# too); a stage that reports no count is judged by its exit status only.
#
# Environment: SPEC_ASAN_FILES (space-separated spec file names: restrict the
# ASan spec stage to them), SKIP_ASAN=1 to leave the ASan stages out.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGS=build/test-logs
mkdir -p "$LOGS"

# The spec suite under ASan takes seconds, so all of it runs; SPEC_ASAN_FILES
# (space-separated names, e.g. "i32 linking") restricts it.
SPEC_ASAN_FILES=${SPEC_ASAN_FILES:-}
JOBS=$(nproc 2>/dev/null || echo 2)

total_passed=0
total_failed=0
stage_no=0
summary=()
STAGES=15

now() { date +%s.%N; }

# Add the counts a stage printed (its log) to the totals; sets $counts.
count_results() {
	local log=$1 line p f
	counts=
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	elif line=$(grep -E 'All [0-9]+ tests passed' "$log" | tail -n1) && [ -n "$line" ]; then
		p=$(sed -E 's/.*All ([0-9]+) tests passed.*/\1/' <<< "$line")
		f=0
	elif line=$(grep -E '[0-9]+ of [0-9]+ tests failed' "$log" | tail -n1) && [ -n "$line" ]; then
		f=$(sed -E 's/^[^0-9]*([0-9]+) of ([0-9]+) tests failed.*/\1/' <<< "$line")
		p=$(( $(sed -E 's/^[^0-9]*([0-9]+) of ([0-9]+) tests failed.*/\2/' <<< "$line") - f ))
	else
		return 0
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	counts="$p passed, $f failed"
}

finish() {
	local rc=$1
	echo
	echo "==== summary ===="
	printf '%s\n' "${summary[@]}"
	echo "$total_passed passed, $total_failed failed"
	exit "$rc"
}

# stage NAME COMMAND...: run with a header, log, timing and fail-fast.
stage() {
	local name=$1 log t0 t1 rc=0 counts secs
	shift
	stage_no=$((stage_no + 1))
	log=$LOGS/$stage_no-$(tr -c 'A-Za-z0-9\n' '-' <<< "$name").log
	echo
	echo "==== [$stage_no/$STAGES] $name ===="
	echo "\$ $*"
	t0=$(now)
	"$@" 2>&1 | tee "$log" || rc=$?
	t1=$(now)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	count_results "$log"
	if [ "$rc" -ne 0 ]; then
		# A failing stage with no failure count still counts as one failure.
		if [ -z "$counts" ] || [[ $counts == *" 0 failed" ]]; then
			total_failed=$((total_failed + 1))
		fi
		summary+=("$(printf 'FAIL  %-34s %7ss  %s (exit %d, log %s)' "$name" "$secs" "$counts" "$rc" "$log")")
		echo "==== $name FAILED after ${secs}s (exit $rc) ===="
		finish 1
	fi
	summary+=("$(printf 'ok    %-34s %7ss  %s' "$name" "$secs" "$counts")")
	echo "==== $name: ok in ${secs}s${counts:+ ($counts)} ===="
}

skip_stage() {
	stage_no=$((stage_no + 1))
	echo
	echo "==== [$stage_no/$STAGES] $1: skipped ($2) ===="
	summary+=("$(printf 'skip  %-34s %8s  %s' "$1" "" "$2")")
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

stage "dependencies" bash test/deps.sh
stage "build runtime" make --no-print-directory -j"$JOBS" runtime
stage "runtime unit tests" build/test-runtime build/fixtures
stage "wasm-run code cache" bash test/tools/wasm-run-cache.sh
if [ "${SKIP_ASAN:-0}" = 1 ]; then
	skip_stage "build runtime (ASan+UBSan)" "SKIP_ASAN=1"
	skip_stage "unit tests (ASan+UBSan)" "SKIP_ASAN=1"
	skip_stage "spec suite (ASan+UBSan)" "SKIP_ASAN=1"
	skip_stage "spec suite (ASan+UBSan, eager native tier)" "SKIP_ASAN=1"
else
	stage "build runtime (ASan+UBSan)" make --no-print-directory -j"$JOBS" runtime-asan
	stage "unit tests (ASan+UBSan)" build/asan/test-runtime build/fixtures
	stage "spec suite (ASan+UBSan)" env SPEC_RUNNER=build/asan/spec-runner SPEC_TAG=-asan \
		SPEC_TIMEOUT=60 SPEC_FILES="$SPEC_ASAN_FILES" bash test/spec/run.sh
	# The same with every function compiled first: the instrumented engine
	# enters, calls and unwinds machine code and runs its helpers (the back
	# end, build/asan/wasmrt-llvm.so, and libLLVM are not instrumented).
	# use_tls=0: LeakSanitizer 14 crashes scanning the dynamic TLS libLLVM
	# brings under Debian 12's glibc ("Tracer caught signal 11"); leaks are
	# still checked, TLS is just not a root; test/fuzz/lsan-llvm.supp: the
	# 80 bytes libLLVM keeps after its first object file.
	stage "spec suite (ASan+UBSan, eager native tier)" env SPEC_RUNNER=build/asan/spec-runner \
		SPEC_TAG=-asan-eager SPEC_TIER=eager SPEC_TIMEOUT=120 \
		LSAN_OPTIONS=use_tls=0:suppressions=$PWD/test/fuzz/lsan-llvm.supp:print_suppressions=0 \
		SPEC_FILES="$SPEC_ASAN_FILES" bash test/spec/run.sh
fi
stage "spec suite" bash test/spec/run.sh
stage "spec suite (eager native tier)" env SPEC_TIER=eager bash test/spec/run.sh
stage "spec suite (tiered native tier, thresholds 1: OSR)" env SPEC_TIER=tiered SPEC_TIER_CALLS=1 \
	SPEC_TIER_LOOPS=1 bash test/spec/run.sh
# The extended-const proposal (more arithmetic in constant expressions),
# which the engine implements; its own output directory, since its files
# share names with the core suite's.
stage "spec: extended-const proposal" env SPEC_OUT=build/spec-extended-const \
	bash test/spec/run.sh "$PWD/../shared/wasm-testsuite/proposals/extended-const"
stage "fuzzing (reproducers, then 40 s a target)" bash test/fuzz/run.sh "${FUZZ_SECONDS:-40}"
stage "Citus (reuse, or build from ../shared/citus)" bash test/citus/build.sh
if [ -f test/pg/run.sh ]; then
	stage "PostgreSQL tests" bash test/pg/run.sh
else
	skip_stage "PostgreSQL tests" "test/pg/run.sh not present"
fi
finish 0
