#!/usr/bin/env bash
# test/fuzz/diff.sh — differential testing of our engine against V8.
#
# Usage: test/fuzz/diff.sh [SECONDS] [MAX_MODULES]
#
# Repeatedly: take a few KiB of random bytes as a seed, let binaryen turn
# them into a valid module (`wasm-opt -ttf`, restricted to the features we
# implement), run every export of it in our engine (build/fuzz/diff-run,
# built with ASan + UBSan, which writes what happened to a plan) and replay
# the plan in node's V8 (test/fuzz/diff-v8.mjs), which compares results,
# traps (loosely: both trap = agree), host calls and the final exported
# state.  Seven variants rotate: plain; --denan (no NaN can appear, so even
# payload-sensitive code compares exactly); with reference types enabled
# (binaryen 108 mostly emits its pre-standard reference types there, which
# both engines must reject: a differential test of validation); optimised
# with -O2 without out-of-bounds accesses (longer-running code); and SIMD
# enabled: plain, --denan and -O2.  JS cannot pass or receive a v128, so
# diff-v8.mjs reaches exports with one in their type through a Wasm wrapper
# (v128 arguments as four i32 lanes, v128 results stored to memory) and
# gives v128 imports (binaryen's log-v128) a Wasm stand-in, as diff-run
# does; v128 globals are not compared (unreadable from JS).
# Runs until SECONDS (default 60) have passed or MAX_MODULES (default
# unlimited) modules were tried.  NaN payloads are not compared, but they
# can reach memory and integers (stores, reinterpretations), so a mismatch
# is checked again on the module passed through `wasm-opt --denan` (every
# NaN replaced by zero): when that one agrees, the mismatch came from a NaN
# payload, which the spec leaves to the implementation; it is counted and
# kept in build/fuzz/findings/nan-*/, not failed (DIFF_STRICT_NAN=1 fails
# it too).  A mismatch, a sanitizer report or a hang of our engine is a
# finding: the seed, flags, module, plan and V8 output are
# kept in build/fuzz/findings/diff-*/ and the script exits 1 after the
# summary.  A V8 timeout only skips the module (our engine bounds its own
# run with fuel; V8 has no fuel).
#
# DIFF_TIER=eager (or tiered) compares the native tier with V8 instead: our
# engine runs every function as machine code (build/wasmrt-llvm.so) and
# without fuel, which the native tier does not meter (binaryen's hang
# limits bound the loops; our run is still capped by OURS_TIMEOUT, and a
# hang is a finding).  Functions the tier refuses run interpreted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# libLLVM's own allocations (the native tier): see the file
export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0:suppressions=$ROOT/test/fuzz/lsan-llvm.supp:print_suppressions=0}
BUDGET=${1:-60}
MAX=${2:-0}
DIFF_RUN=${DIFF_RUN:-build/fuzz/diff-run}
FINDINGS=build/fuzz/findings
# Fuel per call in our engine, and wall-clock bounds per module.
FUEL=${DIFF_FUEL:-20000000}
OURS_TIMEOUT=${DIFF_OURS_TIMEOUT:-120}
V8_TIMEOUT=${DIFF_V8_TIMEOUT:-60}

FEATURES=(--mvp-features --enable-mutable-globals --enable-bulk-memory --enable-sign-ext
	--enable-nontrapping-float-to-int --enable-multivalue)
VARIANTS=("" "--denan" "--enable-reference-types" "--no-fuzz-oob -O2" "--enable-simd"
	"--enable-simd --denan" "--enable-simd --no-fuzz-oob -O2")

OURS_FLAGS=(--fuel "$FUEL")
TIER=${DIFF_TIER:-}
if [ -n "$TIER" ]; then
	OURS_FLAGS=(--fuel 0 --tier "$TIER")
	make --no-print-directory -s build/wasmrt-llvm.so
	export WRT_TIER_LIBRARY=${WRT_TIER_LIBRARY:-$ROOT/build/wasmrt-llvm.so}
fi

mkdir -p build/fuzz "$FINDINGS"
WORK=$(mktemp -d build/fuzz/diff-work.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The default driver always through make: one left from older sources
# (some objects compiled against an older header) reports the mismatch as
# findings.  A DIFF_RUN given from outside must exist.
if [ "$DIFF_RUN" = build/fuzz/diff-run ]; then
	make --no-print-directory -s "$DIFF_RUN"
fi
[ -x "$DIFF_RUN" ] || { echo "diff: no driver $DIFF_RUN" >&2; exit 2; }

modules=0 agree=0 rejected=0 skipped=0 binaryen_failed=0 findings=0 calls=0 nan=0
STRICT_NAN=${DIFF_STRICT_NAN:-0}
start=$(date +%s)

# keep KIND: copy the inputs and outputs of the current module to findings/.
keep() {
	local dir
	dir=$FINDINGS/$1-$(date +%Y%m%d-%H%M%S)-$modules
	mkdir -p "$dir"
	cp "$WORK/seed" "$dir/seed"
	cp "$WORK/module.wasm" "$dir/module.wasm" 2>/dev/null || true
	cp "$WORK/plan.json" "$dir/plan.json" 2>/dev/null || true
	cp "$WORK/ours.err" "$dir/ours.err" 2>/dev/null || true
	cp "$WORK/v8.txt" "$dir/v8.txt" 2>/dev/null || true
	printf '%s\n' "wasm-opt -ttf seed ${FEATURES[*]} $variant -o module.wasm" > "$dir/command"
	printf '%s\n' "diff-run ${OURS_FLAGS[*]} module.wasm plan.json" >> "$dir/command"
	kept=$dir
}

finding() {
	keep diff
	echo "diff: FINDING ($1) for module $modules: kept in $kept"
	sed -n '1,12p' "$WORK/v8.txt" "$WORK/ours.err" 2>/dev/null | sed 's/^/    /' || true
	findings=$((findings + 1))
}

# Does the mismatch go away once NaNs are replaced by zeros?
nan_only() {
	local flags=() enable=() f
	read -r -a flags <<< "$variant"
	for f in "${flags[@]}"; do
		[[ $f == --enable-* ]] && enable+=("$f")
	done
	wasm-opt "$WORK/module.wasm" "${FEATURES[@]}" "${enable[@]}" --denan -o "$WORK/denan.wasm" \
		> /dev/null 2>&1 || return 1
	timeout "$OURS_TIMEOUT" "$DIFF_RUN" "${OURS_FLAGS[@]}" "$WORK/denan.wasm" "$WORK/denan.json" \
		> /dev/null 2>&1 || return 1
	timeout "$V8_TIMEOUT" node test/fuzz/diff-v8.mjs "$WORK/denan.wasm" "$WORK/denan.json" \
		> /dev/null 2>&1
}

while :; do
	now=$(date +%s)
	[ $((now - start)) -lt "$BUDGET" ] || break
	[ "$MAX" -eq 0 ] || [ "$modules" -lt "$MAX" ] || break
	variant=${VARIANTS[$((modules % ${#VARIANTS[@]}))]}
	modules=$((modules + 1))
	head -c $((RANDOM % 12000 + 64)) /dev/urandom > "$WORK/seed"
	rm -f "$WORK/module.wasm" "$WORK/plan.json" "$WORK/v8.txt" "$WORK/ours.err"
	# shellcheck disable=SC2086 # the variant is a list of flags
	if ! wasm-opt -ttf "$WORK/seed" "${FEATURES[@]}" $variant -o "$WORK/module.wasm" \
		> /dev/null 2>&1; then
		binaryen_failed=$((binaryen_failed + 1))
		continue
	fi
	rc=0
	timeout "$OURS_TIMEOUT" "$DIFF_RUN" "${OURS_FLAGS[@]}" "$WORK/module.wasm" "$WORK/plan.json" \
		> /dev/null 2> "$WORK/ours.err" || rc=$?
	if [ -n "$TIER" ] && grep -q '^tier: native tier unavailable' "$WORK/ours.err"; then
		cat "$WORK/ours.err" >&2
		exit 1
	fi
	if [ "$rc" -eq 124 ]; then
		finding "our engine did not finish in ${OURS_TIMEOUT}s despite ${TIER:+hang limits}${TIER:-fuel}"
		continue
	elif [ "$rc" -ne 0 ]; then
		finding "our engine failed (exit $rc)"
		continue
	fi
	rc=0
	timeout "$V8_TIMEOUT" node test/fuzz/diff-v8.mjs "$WORK/module.wasm" "$WORK/plan.json" \
		> "$WORK/v8.txt" 2>&1 || rc=$?
	verdict=$(head -n1 "$WORK/v8.txt")
	if [ "$rc" -eq 124 ]; then
		skipped=$((skipped + 1))
		continue
	elif [ "$rc" -eq 1 ] && [ "$STRICT_NAN" != 1 ] && nan_only; then
		nan=$((nan + 1))
		keep nan
		continue
	elif [ "$rc" -ne 0 ]; then
		finding "${verdict:-node failed (exit $rc)}"
		continue
	fi
	case $verdict in
		"agree: both reject"*) rejected=$((rejected + 1)) ;;
		"agree: both fail"*) agree=$((agree + 1)) ;;
		agree:*)
			agree=$((agree + 1))
			n=${verdict#agree: }
			calls=$((calls + ${n%% *}))
			;;
		skip:*) skipped=$((skipped + 1)) ;;
		*) finding "unexpected verdict: $verdict" ;;
	esac
done

elapsed=$(( $(date +%s) - start ))
echo "diff${TIER:+ ($TIER tier)}: ${modules} modules in ${elapsed}s: ${agree} agree (${calls} calls compared)," \
	"${rejected} rejected by both, ${skipped} skipped, ${binaryen_failed} not generated," \
	"${nan} NaN-payload differences, ${findings} findings"
[ "$findings" -eq 0 ]
