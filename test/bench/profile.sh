#!/usr/bin/env bash
# profile.sh — where does pgwasm's interpreter spend its time on each kernel?
#
# Runs build/wasm-run on each benchmark kernel under `perf record` (software
# cpu-clock event: this VM exposes no hardware counters) and attributes the
# samples to register-code handlers (attribute.awk): the threaded interpreter
# is one C function, run(), so a per-function profile says nothing.  Prints,
# per kernel, the hottest handlers with their share of samples.  Expects the
# kernels built by run.sh (run.sh --perf calls this script).  Samples skid:
# the cost of a stall often shows in the handler after the one that caused it.
#
# usage: bash test/bench/profile.sh [KERNEL...]   (default: every kernel built)
# Environment: PERF_FREQ (samples per second, default 2000), TOP (rows, 15),
#   KERNEL_ARGS (arguments passed to each kernel, default: its full workload).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=build/bench
P=$OUT/perf
FREQ=${PERF_FREQ:-2000}
TOP=${TOP:-15}
command -v perf >/dev/null || { echo "profile.sh: perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }

bash test/bench/handlers-map.sh "$P/map"
read -r RUN_ADDR _ <"$P/map/run.txt"

if (($# == 0)); then
	for w in "$OUT"/wasm/*.wasm; do
		[[ -f $w ]] && set -- "$@" "$(basename "$w" .wasm)"
	done
fi

for k in "$@"; do
	w="$OUT/wasm/$k.wasm"
	[[ -f $w ]] || { echo "profile.sh: $w missing (run test/bench/run.sh first)" >&2; exit 1; }
	data="$P/$k.data"
	# shellcheck disable=SC2086
	perf record -q -e cpu-clock -F "$FREQ" -o "$data" -- build/wasm-run "$w" ${KERNEL_ARGS:-} \
		>/dev/null 2>"$P/$k.log" || { cat "$P/$k.log" >&2; exit 1; }
	# One record per sample: "ADDRESS 1" in run() (link-time, decimal), else "[symbol] 1".
	perf script -i "$data" -F ip,sym,symoff 2>/dev/null | awk -v run="$RUN_ADDR" '
		function hex(s,   i, v) {
			v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		$2 ~ /^run\+0x/ { print run + hex(substr($2, 5)), 1; next }
		{ sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym); print "[" sym "]", 1 }' >"$P/$k.samples"
	awk '$1 !~ /^\[/ { printf "0x%x\n", $1 }' "$P/$k.samples" | sort -u |
		addr2line -a -e build/wasm-run |
		awk '/^0x/ { a = $1; next } { print a, $1 }' >"$P/$k.srclines"
	printf '\n== %s: samples by handler (perf cpu-clock, %s Hz)\n' "$k" "$FREQ"
	awk -v map="$P/map" -v src="$P/$k.srclines" -v top="$TOP" -v exact=0 \
		-f test/bench/attribute.awk "$P/$k.samples"
done
