#!/usr/bin/env bash
# test/fuzz/tier-diff.sh — differential testing of our two tiers: the
# interpreter against the native tier under the tiered policy with both
# thresholds at 1, so functions go native at their second call and calls
# running a loop move to native code at its second back-edge (on-stack
# replacement, docs/runtime.md).
#
# Usage: test/fuzz/tier-diff.sh [SECONDS]   (default 60)
#
# Repeatedly: binaryen turns random bytes into a valid module (`wasm-opt
# -ttf`, the features of test/fuzz/diff.sh; every other module with SIMD,
# and every other pair also -O2 without out-of-bounds accesses);
# build/fuzz/diff-run calls every export without fuel (the native tier runs
# no code under fuel; binaryen's hang limits bound the loops) once
# interpreted and once tiered (WRT_TIER_LIBRARY=build/wasmrt-llvm.so,
# WRT_TIER_VERIFY=1), and the two plans must be identical: results, traps,
# host calls and the final state.  A difference, a failed tiered run, a
# function the back end failed to compile (it would run interpreted: valid
# code it cannot lower is a bug) or a sanitizer report is a finding, kept in build/fuzz/findings/tier-*/ (seed,
# module, both plans, the tiered run's stderr); the script exits 1 after the
# summary, which counts modules, the functions compiled (those that ran
# native: called twice, or entered by a loop), refused and failed, and OSR
# entries.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# libLLVM's own allocations (the native tier): see the file
export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0:suppressions=$ROOT/test/fuzz/lsan-llvm.supp:print_suppressions=0}
BUDGET=${1:-60}
case $BUDGET in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
DIFF_RUN=build/fuzz/diff-run
FINDINGS=build/fuzz/findings
FEATURES=(--mvp-features --enable-mutable-globals --enable-bulk-memory --enable-sign-ext
	--enable-nontrapping-float-to-int --enable-multivalue)

mkdir -p build/fuzz "$FINDINGS"
make --no-print-directory -s "$DIFF_RUN" build/wasmrt-llvm.so
WORK=$(mktemp -d build/fuzz/tier-work.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

modules=0 agree=0 skipped=0 findings=0 osr=0 compiled=0 refused=0 failed=0
end=$(( $(date +%s) + BUDGET ))
while [ "$(date +%s)" -lt "$end" ]; do
	modules=$((modules + 1))
	head -c 8192 /dev/urandom > "$WORK/seed"
	variant=()
	# Half the modules with SIMD, NaNs included: the native tier computes
	# float arithmetic as the hardware does, NaN signs and payloads too
	# (no folding of constants: docs/runtime.md, NaN signs), so the tiers
	# agree bit for bit.
	[ $((modules % 2)) -eq 0 ] && variant=(--enable-simd)
	[ $((modules % 4)) -ge 2 ] && variant+=(--no-fuzz-oob -O2)
	if ! wasm-opt -ttf "$WORK/seed" "${FEATURES[@]}" "${variant[@]}" -o "$WORK/module.wasm" > /dev/null 2>&1 ||
		! timeout 60 "$DIFF_RUN" --fuel 0 "$WORK/module.wasm" "$WORK/interp.json" > /dev/null 2>&1; then
		skipped=$((skipped + 1))
		continue
	fi
	ok=1
	WRT_TIER_LIBRARY=build/wasmrt-llvm.so WRT_TIER_VERIFY=1 timeout 120 "$DIFF_RUN" --fuel 0 --tier tiered \
		--tier-calls 1 --tier-loops 1 "$WORK/module.wasm" "$WORK/tiered.json" > /dev/null 2> "$WORK/tiered.log" || ok=0
	if [ $ok = 1 ] && grep -q '^tier: native tier unavailable' "$WORK/tiered.log"; then
		cat "$WORK/tiered.log" >&2
		exit 1
	fi
	# tier: C compiled, R refused, F failed, O osr entries
	read -r c r f o < <(sed -n 's/^tier: \([0-9]*\) compiled, \([0-9]*\) refused, \([0-9]*\) failed, \([0-9]*\) osr entries$/\1 \2 \3 \4/p' "$WORK/tiered.log")
	compiled=$((compiled + ${c:-0})) refused=$((refused + ${r:-0})) failed=$((failed + ${f:-0})) osr=$((osr + ${o:-0}))
	[ "${f:-0}" -eq 0 ] || ok=0
	if [ $ok = 1 ] && cmp -s "$WORK/interp.json" "$WORK/tiered.json"; then
		agree=$((agree + 1))
		continue
	fi
	findings=$((findings + 1))
	dir=$FINDINGS/tier-$(date +%Y%m%d-%H%M%S)-$modules
	mkdir -p "$dir"
	cp "$WORK"/seed "$WORK"/module.wasm "$WORK"/interp.json "$WORK"/tiered.log "$dir"/
	[ -f "$WORK/tiered.json" ] && cp "$WORK/tiered.json" "$dir"/
	printf '%s\n' "wasm-opt -ttf seed ${FEATURES[*]} ${variant[*]} -o module.wasm" > "$dir/command"
	echo "tier-diff: finding in $dir"
done
echo "tier-diff: $modules modules, $agree agree, $skipped skipped, $findings findings;" \
	"functions compiled $compiled, refused $refused, failed $failed; $osr osr entries"
[ "$findings" -eq 0 ]
