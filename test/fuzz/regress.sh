#!/usr/bin/env bash
# test/fuzz/regress.sh — replay the fuzzers' findings kept in test/regress/.
#
# Usage: test/fuzz/regress.sh [FILE...]   (default: every file in test/regress/)
#
# Each finding of the fuzzers is kept as one reproducer named for what it
# tests, with a comment saying what went wrong.  A reproducer is a module in
# text form (.wat, converted with wat2wasm) or, when it cannot be written as
# text (malformed binaries), as hex bytes (.hex: pairs of hex digits, blanks
# ignored, `#` to end of line a comment).  The prefix of the name selects the
# harness that replays it:
#   decode-*  build/fuzz/fuzz-decode with FUZZ_ALL_FAILURES=1 (decode,
#             validate, compile, then the same with each allocation refused
#             in turn)
#   exec-*    build/fuzz/fuzz-exec (instantiate, call every export twice
#             around a reset, with limits)
#   diff-*    build/fuzz/diff-run, then test/fuzz/diff-v8.mjs (our engine
#             against V8); again with every function machine code
#             (--tier eager, no fuel) when the native tier is built
#   tier-*    build/fuzz/diff-run interpreted and tiered at thresholds 1
#             (calls native at once, loops by on-stack replacement), no
#             fuel: the two plans must be identical
#   fuel-*    build/fuzz/diff-run --fuel $REGRESS_FUEL --keep-going (every
#             export once), which must finish within REGRESS_FUEL_SECONDS:
#             fuel has to bound the time a call takes
# A reproducer passes when its harness exits 0 (no sanitizer report, no
# failed check, no mismatch) in time.  Environment: REGRESS_FUEL (default
# 20000), REGRESS_FUEL_SECONDS (default 1).  Output: one line per file, then
# `N passed, N failed`; exit 1 if any failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=build/fuzz/regress
FUEL=${REGRESS_FUEL:-20000}
FUEL_SECONDS=${REGRESS_FUEL_SECONDS:-1}
mkdir -p "$OUT"

if [ $# -gt 0 ]; then
	files=("$@")
else
	shopt -s nullglob
	files=(test/regress/*.wat test/regress/*.hex)
	shopt -u nullglob
fi
[ ${#files[@]} -gt 0 ] || { echo "regress: no reproducers"; echo "0 passed, 0 failed"; exit 0; }

make --no-print-directory build/fuzz/fuzz-decode build/fuzz/fuzz-exec build/fuzz/diff-run > "$OUT/build.log" 2>&1 || {
	tail -n 30 "$OUT/build.log"
	exit 1
}
# The native tier's back end, when built (llvm-config-14): diff-* replay
# under it too, tier-* need it.
TIER_LIB=
make --no-print-directory -s build/wasmrt-llvm.so > /dev/null 2>&1 && TIER_LIB=$ROOT/build/wasmrt-llvm.so
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libLLVM's own allocations, in processes that load the native tier
export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0:suppressions=$ROOT/test/fuzz/lsan-llvm.supp:print_suppressions=0}

passed=0 failed=0
for f in "${files[@]}"; do
	base=$(basename "$f")
	name=${base%.*}
	wasm=$OUT/$name.wasm
	log=$OUT/$name.log
	: > "$log"
	case $f in
		*.wat) wat2wasm "$f" -o "$wasm" >> "$log" 2>&1 || { echo "regress: FAIL $base (wat2wasm)"; failed=$((failed + 1)); continue; } ;;
		*.hex) perl -ne 's/#.*//; s/\s+//g; print pack("H*", $_)' "$f" > "$wasm" ;;
		*) echo "regress: skip $base (not .wat or .hex)"; continue ;;
	esac
	rc=0
	case $name in
		decode-*) FUZZ_ALL_FAILURES=1 build/fuzz/fuzz-decode -runs=1 "$wasm" >> "$log" 2>&1 || rc=$? ;;
		exec-*) build/fuzz/fuzz-exec -runs=1 "$wasm" >> "$log" 2>&1 || rc=$? ;;
		diff-*)
			build/fuzz/diff-run "$wasm" "$OUT/$name.plan.json" >> "$log" 2>&1 || rc=$?
			[ "$rc" -ne 0 ] || node test/fuzz/diff-v8.mjs "$wasm" "$OUT/$name.plan.json" >> "$log" 2>&1 || rc=$?
			if [ "$rc" -eq 0 ] && [ -n "$TIER_LIB" ]; then
				echo "--- eager native tier" >> "$log"
				WRT_TIER_LIBRARY=$TIER_LIB timeout 120 build/fuzz/diff-run --fuel 0 --tier eager "$wasm" \
					"$OUT/$name.eager.json" >> "$log" 2>&1 || rc=$?
				[ "$rc" -ne 0 ] || node test/fuzz/diff-v8.mjs "$wasm" "$OUT/$name.eager.json" >> "$log" 2>&1 || rc=$?
			fi
			;;
		tier-*)
			if [ -z "$TIER_LIB" ]; then
				echo "regress: skip $base (no native tier)"
				continue
			fi
			timeout 120 build/fuzz/diff-run --fuel 0 "$wasm" "$OUT/$name.interp.json" >> "$log" 2>&1 || rc=$?
			[ "$rc" -ne 0 ] || WRT_TIER_LIBRARY=$TIER_LIB timeout 120 build/fuzz/diff-run --fuel 0 --tier tiered \
				--tier-calls 1 --tier-loops 1 "$wasm" "$OUT/$name.tiered.json" >> "$log" 2>&1 || rc=$?
			[ "$rc" -ne 0 ] || cmp "$OUT/$name.interp.json" "$OUT/$name.tiered.json" >> "$log" 2>&1 || rc=$?
			;;
		fuel-*)
			t0=$(date +%s.%N)
			timeout 300 build/fuzz/diff-run --fuel "$FUEL" --keep-going "$wasm" "$OUT/$name.plan.json" \
				>> "$log" 2>&1 || rc=$?
			secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
			echo "fuel $FUEL: ${secs}s (bound ${FUEL_SECONDS}s)" >> "$log"
			if [ "$rc" -eq 0 ] && awk -v s="$secs" -v b="$FUEL_SECONDS" 'BEGIN { exit !(s > b) }'; then
				echo "ERROR: ${secs}s for fuel $FUEL, over the ${FUEL_SECONDS}s bound" >> "$log"
				rc=1
			fi
			;;
		*) echo "regress: skip $base (name must start with decode-, exec-, diff- or fuel-)"; continue ;;
	esac
	if [ "$rc" -eq 0 ]; then
		echo "regress: ok   $base"
		passed=$((passed + 1))
	else
		echo "regress: FAIL $base (exit $rc, log $log)"
		grep -E 'runtime error|ERROR:|check failed|MISMATCH' "$log" | head -n 5 | sed 's/^/    /' || true
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
