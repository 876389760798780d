#!/usr/bin/env bash
# profile.sh — where does pgwasm's interpreter spend its time on each kernel?
#
# Runs build/wasm-run on each benchmark kernel under `perf record` (software
# cpu-clock event: this VM exposes no hardware counters) and attributes the
# samples to register-code handlers: the threaded interpreter is one C
# function, run(), so per-function profiles say nothing, but every handler is
# a label whose address build/bench/irmap reports.  Prints, per kernel, the
# hottest handlers with their share of samples.  Expects the kernels already
# built by run.sh (run.sh --perf calls this script).
#
# usage: bash test/bench/profile.sh [KERNEL...]   (default: every kernel built)
# Environment: PERF_FREQ (samples per second, default 2000), TOP (rows, 15),
#   KERNEL_ARGS (arguments passed to each kernel, default: its full workload).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=build/bench
FREQ=${PERF_FREQ:-2000}
TOP=${TOP:-15}
command -v perf >/dev/null || { echo "profile.sh: perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }

make -s build/wasm-run build/libwasmrt.a
cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Iruntime \
	-o "$OUT/irmap" test/bench/irmap.c build/libwasmrt.a -lm
mkdir -p "$OUT/perf"
"$OUT/irmap" >"$OUT/perf/handlers.txt"

# Link-time addresses of run() and of the reference function in wasm-run.
read -r RUN_ADDR REF_ADDR < <(nm build/wasm-run | awk '
	$3 == "run" { r = $1 } $3 == "wrt_interp_handlers" { h = $1 }
	END { if (r == "" || h == "") exit 1; print r, h }') ||
	{ echo "profile.sh: cannot find run/wrt_interp_handlers in build/wasm-run (stripped?)" >&2; exit 1; }

if (($# == 0)); then
	set -- $(ls "$OUT"/wasm/*.wasm | xargs -n1 basename | sed 's/\.wasm$//')
fi

# Labels of interp.c's hand-written code, by line ("line name"): samples whose
# source line is in interp.c go to the label above it, which also names the
# shared blocks (call_wasm, call_func, trap) that are not handlers.
grep -n '^[A-Za-z_][A-Za-z0-9_]*:' runtime/interp.c | sed 's/:$//; s/:/ /; s/ L_/ /' >"$OUT/perf/interp-labels.txt"

for k in "$@"; do
	w="$OUT/wasm/$k.wasm"
	[[ -f $w ]] || { echo "profile.sh: $w missing (run test/bench/run.sh first)" >&2; exit 1; }
	data="$OUT/perf/$k.data"
	# shellcheck disable=SC2086
	perf record -q -e cpu-clock -F "$FREQ" -o "$data" -- build/wasm-run "$w" ${KERNEL_ARGS:-} >/dev/null 2>"$OUT/perf/$k.log" ||
		{ cat "$OUT/perf/$k.log" >&2; exit 1; }
	# One line per sample: the link-time address in run() as 0x..., or [symbol].
	perf script -i "$data" -F ip,sym,symoff 2>/dev/null | awk -v run="$RUN_ADDR" '
		function hex(s,   i, v) {
			v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		BEGIN { base = hex(run) }
		$2 ~ /^run\+0x/ { printf "0x%x\n", base + hex(substr($2, 5)); next }
		{ sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym); print "[" sym "]" }' >"$OUT/perf/$k.samples"
	grep '^0x' "$OUT/perf/$k.samples" | sort -u | addr2line -a -i -e build/wasm-run |
		awk '/^0x/ { if (a != "") print a, l; a = $1; next } { l = $1 } END { if (a != "") print a, l }' \
			>"$OUT/perf/$k.srclines"
	printf '\n== %s: samples by handler (perf cpu-clock, %s Hz)\n' "$k" "$FREQ"
	awk -v run="$RUN_ADDR" -v ref="$REF_ADDR" -v top="$TOP" \
		-v map="$OUT/perf/handlers.txt" -v labels="$OUT/perf/interp-labels.txt" -v src="$OUT/perf/$k.srclines" '
		function hex(s,   i, v) {
			v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		BEGIN {
			n = 0
			while ((getline line < map) > 0) { split(line, f, " "); off[n] = f[1] + 0; name[n] = f[2]; n++ }
			nl = 0
			while ((getline line < labels) > 0) { split(line, f, " "); lline[nl] = f[1] + 0; lname[nl] = f[2]; nl++ }
			while ((getline line < src) > 0) { split(line, f, " "); srcl[hex(f[1])] = f[2] }
			delta = hex(ref)
			first_hand = lline[0]
		}
		{
			total++
			if ($1 !~ /^0x/) { cnt[$1]++; next }
			key = ""
			# Hand-written code: the interp.c label above the source line.
			sl = srcl[hex($1)]
			if (sl ~ /interp\.c:[0-9]+/) {
				ln = sl; sub(/.*interp\.c:/, "", ln); ln += 0
				if (ln >= first_hand)
					for (i = nl - 1; i >= 0; i--) if (lline[i] <= ln) { key = lname[i]; break }
			}
			# Generated handlers: the label at or below the address.
			if (key == "") {
				o = hex($1) - delta
				lo = 0; hi = n - 1; best = -1
				while (lo <= hi) { mid = int((lo + hi) / 2); if (off[mid] <= o) { best = mid; lo = mid + 1 } else hi = mid - 1 }
				key = best < 0 ? "(run: entry/setup)" : name[best]
			}
			cnt[key]++
		}
		END {
			if (total == 0) { print "  no samples"; exit }
			m = 0
			for (k in cnt) keys[m++] = k
			for (i = 0; i < m; i++) for (j = i + 1; j < m; j++) if (cnt[keys[j]] > cnt[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
			for (i = 0; i < m && i < top; i++) printf "  %6.2f%%  %s\n", 100 * cnt[keys[i]] / total, keys[i]
			printf "  (%d samples; [name] = outside the interpreter loop)\n", total
		}' "$OUT/perf/$k.samples"
done
