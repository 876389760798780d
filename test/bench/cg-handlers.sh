#!/usr/bin/env bash
# cg-handlers.sh — deterministic per-handler costs of pgwasm's interpreter,
# from the callgrind profiles that run.sh --callgrind takes (per-instruction
# counts of build/wasm-run).  For each kernel prints how many register-code
# instructions were dispatched (executions of the indirect `jmp *` that ends
# every handler in run()), the x86 instructions per dispatch, the dispatches
# per instruction of the native build, and the handlers (attribute.awk) with
# the most instructions and their execution counts.  Unlike perf samples,
# these figures do not depend on the load of the machine.
#
# usage: bash test/bench/cg-handlers.sh KERNEL...
#   reads build/bench/callgrind/KERNEL.pgwasm.out and KERNEL.native.out;
#   TOP (default 12) rows per kernel.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CG=build/bench/callgrind
TOP=${TOP:-12}

bash test/bench/handlers-map.sh "$CG/map"
read -r RUN_ADDR RUN_SIZE <"$CG/map/run.txt"
# Addresses of the dispatch jumps in run().
objdump -d --no-show-raw-insn build/wasm-run --start-address="$RUN_ADDR" \
	--stop-address="$((RUN_ADDR + RUN_SIZE))" |
	awk '/jmp +\*/ { sub(/:$/, "", $1); print $1 }' >"$CG/map/dispatch-jumps.txt"

for k in "$@"; do
	prof="$CG/$k.pgwasm.out"
	[[ -f $prof ]] || { echo "cg-handlers.sh: $prof missing (run test/bench/run.sh --callgrind)" >&2; exit 1; }
	native_ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$CG/$k.native.out" 2>/dev/null || echo 0)
	# Records "ADDRESS IR [J]" for run(), "[function] IR" for the rest.  In
	# callgrind's format a cost line right after calls= is the inclusive
	# cost of that call, not the line's own cost: skipped.
	awk -v jumps="$CG/map/dispatch-jumps.txt" '
		function hex(s,   i, v) {
			v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		BEGIN { while ((getline line < jumps) > 0) isjump[hex(line)] = 1 }
		/^fn=/ { fn = substr($0, 4); next }
		/^calls=/ { skip = 1; next }
		/^0x/ {
			if (skip) { skip = 0; next }
			if (fn == "run") { a = hex($1); cost[a] += $2 }
			else other[fn] += $2
			next
		}
		{ skip = 0 }
		END {
			for (a in cost) print a, cost[a], (a in isjump) ? "J" : ""
			for (f in other) print "[" f "]", other[f]
		}' "$prof" >"$CG/$k.records"
	awk '$1 !~ /^\[/ { printf "0x%x\n", $1 }' "$CG/$k.records" | sort -u |
		addr2line -a -e build/wasm-run |
		awk '/^0x/ { a = $1; next } { print a, $1 }' >"$CG/$k.srclines"
	printf '\n== %s: instructions by handler (callgrind, exact)\n' "$k"
	awk -v map="$CG/map" -v src="$CG/$k.srclines" -v top="$TOP" -v exact=1 -v nir="$native_ir" \
		-f test/bench/attribute.awk "$CG/$k.records"
done
