#!/usr/bin/env bash
# test/spec/run.sh — run the WebAssembly core spec suite with build/spec-runner.
#
# Usage: test/spec/run.sh [DIR]
# DIR defaults to ../shared/wasm-testsuite beside the repository root; when it
# is absent the suite is reported as skipped (exit 0).  Each top-level *.wast
# is converted by wast2json into build/spec/<name>/ (cached: redone only when
# the .wast is newer), then the runner executes the converted scripts, several
# files in parallel, one runner process per file so that an engine crash
# fails only that file.  Files named in
# test/spec/skip.txt (lines "name.wast reason..."; blank lines and # comments
# ignored) are skipped with their reason.
#
# Environment:
#   SPEC_RUNNER   runner binary (default build/spec-runner; built if missing)
#   SPEC_OUT      conversion and result directory (default build/spec)
#   SPEC_JOBS     parallel runner processes (default: number of CPUs)
#   SPEC_FILES    space-separated file names (e.g. "i32 br_table") to run only those
#   SPEC_TIMEOUT  seconds per command before the runner interrupts it (default 20)
#   SPEC_VERBOSE  1: pass -v to the runner (all failures, message mismatches)
#   SPEC_TAG      suffix of the result files (result$SPEC_TAG.txt), so runs with
#                 another runner (the ASan build) share the conversions
#   SPEC_TIER     interp (default), tiered or eager: the native tier's policy
#                 (spec-runner -T); eager compiles every function of every
#                 module before its first call.  With a tier, the results go
#                 to result-$SPEC_TIER.txt (unless SPEC_TAG says otherwise)
#                 and a line "tier: N compiled, N refused, N failed" sums
#                 what the tier did (refused and failed functions ran in the
#                 interpreter), and how many running calls moved to native
#                 code at a loop header (on-stack replacement).
#   SPEC_TIER_CALLS, SPEC_TIER_LOOPS
#                 the tiered policy's call and loop thresholds (spec-runner
#                 -C, -L; default: the engine's).  SPEC_TIER=tiered
#                 SPEC_TIER_CALLS=1 SPEC_TIER_LOOPS=1 tiers every function
#                 up at its second call, and a call running a loop at the
#                 loop's second back-edge: nearly every loop is entered by
#                 on-stack replacement.  The results go to
#                 result-$SPEC_TIER-c<calls>-l<loops>.txt.
#   SPEC_VERIFY   0: do not pass -c, which compiles every function of every
#                 module and verifies its register code against ir.def
#                 (wrt_ir_verify); on by default
#
# Output: the runner's PASS/FAIL line per file (with failing commands), the
# skipped files, the skip reasons, a line of file counts, the number of
# functions whose register code was verified and, last, the command counts
# `N passed, N failed, N skipped`.  Exit 1 on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SUITE=${1:-$ROOT/../shared/wasm-testsuite}
if [ ! -d "$SUITE" ]; then
	echo "spec suite not found at $SUITE: skipped"
	exit 0
fi
SUITE=$(cd "$SUITE" && pwd)
RUNNER=${SPEC_RUNNER:-$ROOT/build/spec-runner}
OUT=${SPEC_OUT:-$ROOT/build/spec}
JOBS=${SPEC_JOBS:-$(nproc 2>/dev/null || echo 2)}
TIMEOUT=${SPEC_TIMEOUT:-20}
TIER=${SPEC_TIER:-interp}
# the native tier's IR verified (an invalid unit falls back: a failure here)
export WRT_TIER_VERIFY=${WRT_TIER_VERIFY:-1}
case $TIER in interp|tiered|eager) ;; *) echo "SPEC_TIER: interp, tiered or eager" >&2; exit 2 ;; esac
# (a string, not an array: run_one runs in another shell)
TIER_OPTS=
case ${SPEC_TIER_CALLS:-}${SPEC_TIER_LOOPS:-} in *[!0-9]*) echo "SPEC_TIER_CALLS, SPEC_TIER_LOOPS: numbers" >&2; exit 2 ;; esac
[ -n "${SPEC_TIER_CALLS:-}" ] && TIER_OPTS+=" -C $SPEC_TIER_CALLS"
[ -n "${SPEC_TIER_LOOPS:-}" ] && TIER_OPTS+=" -L $SPEC_TIER_LOOPS"
if [ "$TIER" = interp ]; then TAG=${SPEC_TAG:-}
elif [ -n "$TIER_OPTS" ]; then TAG=${SPEC_TAG:--$TIER-c${SPEC_TIER_CALLS:-0}-l${SPEC_TIER_LOOPS:-0}}
else TAG=${SPEC_TAG:--$TIER}; fi
VERIFY=${SPEC_VERIFY:-1}
SKIPLIST=$ROOT/test/spec/skip.txt

case $RUNNER in /*) ;; *) RUNNER=$PWD/$RUNNER ;; esac
if [ ! -x "$RUNNER" ]; then
	make -C "$ROOT" --no-print-directory build/spec-runner >&2
fi
command -v wast2json >/dev/null || { echo "wast2json not found (package wabt): run test/deps.sh" >&2; exit 1; }
mkdir -p "$OUT"

# Files skipped by name, with their reason.
declare -A skipreason=()
if [ -f "$SKIPLIST" ]; then
	while read -r name reason; do
		case $name in ''|'#'*) continue ;; esac
		skipreason[${name%.wast}]=${reason:-listed in test/spec/skip.txt}
	done < "$SKIPLIST"
fi

declare -A wanted=()
for n in ${SPEC_FILES:-}; do wanted[${n%.wast}]=1; done

skipped_files=()
run_names=()
conv_failed=()
for wast in "$SUITE"/*.wast; do
	[ -e "$wast" ] || continue
	name=$(basename "$wast" .wast)
	if [ ${#wanted[@]} -gt 0 ] && [ -z "${wanted[$name]:-}" ]; then
		continue
	fi
	if [ -n "${skipreason[$name]:-}" ]; then
		skipped_files+=("$name.wast|${skipreason[$name]}")
		continue
	fi
	dir=$OUT/$name
	json=$dir/$name.json
	if [ ! -f "$json" ] || [ "$wast" -nt "$json" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		if ! wast2json "$wast" -o "$json" > "$dir/wast2json.log" 2>&1; then
			rm -f "$json"
			conv_failed+=("$name")
			continue
		fi
	fi
	rm -f "$dir/result$TAG.txt" "$dir/rc$TAG"
	run_names+=("$name")
done

# One runner process per file; its output and exit status land in the file's
# directory.  timeout(1) is the last resort if the interrupt flag is ignored.
run_one() {
	local name=$1 dir=$OUT/$1 rc=0
	local check=
	[ "$VERIFY" = 0 ] || check=-c
	timeout -k 10 900 "$RUNNER" ${SPEC_VERBOSE:+-v} $check -t "$TIMEOUT" -T "$TIER" $TIER_OPTS "$dir/$name.json" \
		> "$dir/result$TAG.txt" 2>&1 || rc=$?
	echo "$rc" > "$dir/rc$TAG"
}
export -f run_one
export OUT RUNNER TIMEOUT TAG TIER TIER_OPTS SPEC_VERBOSE VERIFY

if [ ${#run_names[@]} -gt 0 ]; then
	printf '%s\0' "${run_names[@]}" | xargs -0 -n1 -P "$JOBS" bash -c 'run_one "$1"' _
fi

passed=0 failed=0 skipped=0 vfuncs=0 vmods=0
tier_compiled=0 tier_refused=0 tier_failed=0 tier_osr=0
files_passed=0 files_failed=0 files_skipped=${#skipped_files[@]}
declare -A reasons=()
for name in "${conv_failed[@]}"; do
	echo "FAIL $name.wast (wast2json failed: $(head -c 300 "$OUT/$name/wast2json.log"))"
	failed=$((failed + 1))
	files_failed=$((files_failed + 1))
done
for name in "${run_names[@]}"; do
	dir=$OUT/$name
	result=$dir/result$TAG.txt
	rc=$(cat "$dir/rc$TAG" 2>/dev/null || echo 255)
	totals=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$result" | tail -n1 || true)
	if [ -z "$totals" ]; then
		# The runner died before its summary: a crash, a sanitizer report, a timeout.
		case $rc in
		124|137) why="timed out" ;;
		*) if [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))"; else why="exit status $rc"; fi ;;
		esac
		echo "FAIL $name.wast (runner crashed: $why)"
		tail -n 25 "$result" | sed 's/^/  | /'
		failed=$((failed + 1))
		files_failed=$((files_failed + 1))
		continue
	fi
	# Everything but the summary block (skip reasons, tier, verified code, totals).
	sed -e '/^skip reasons:$/,$d' -e '/^tier: /d' -e '/^register code verified: /d' "$result"
	tierline=$(grep -E '^tier: [0-9]+ compiled' "$result" | tail -n1 || true)
	if [ -n "$tierline" ]; then
		read -r _ tc _ tr _ tf _ to _ <<< "${tierline//,/}"
		tier_compiled=$((tier_compiled + tc)) tier_refused=$((tier_refused + tr)) tier_failed=$((tier_failed + tf))
		tier_osr=$((tier_osr + ${to:-0}))
	fi
	grep -E '^tier: ' "$result" | grep -vE '^tier: [0-9]+ compiled' | sed "s/^/  $name: /" || true
	if read -r _ _ _ vf _ _ vm _ < <(grep -E '^register code verified: ' "$result"); then
		vfuncs=$((vfuncs + vf)) vmods=$((vmods + vm))
	fi
	read -r p _ f _ s _ <<< "${totals//,/}"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -eq 0 ] && [ "$rc" -eq 0 ]; then
		files_passed=$((files_passed + 1))
	else
		files_failed=$((files_failed + 1))
		if [ "$f" -eq 0 ]; then
			echo "  (runner exit status $rc)"
			failed=$((failed + 1))
		fi
	fi
	while IFS= read -r line; do
		count=${line#  skipped }
		count=${count%%:*}
		reason=${line#*: }
		reasons[$reason]=$(( ${reasons[$reason]:-0} + count ))
	done < <(grep -E '^  skipped [0-9]+: ' "$result" || true)
done
for entry in "${skipped_files[@]}"; do
	echo "SKIP ${entry%%|*}  (${entry#*|})"
	reasons["file: ${entry#*|}"]=$(( ${reasons["file: ${entry#*|}"]:-0} + 1 ))
done

if [ ${#reasons[@]} -gt 0 ]; then
	echo "skip reasons:"
	for reason in "${!reasons[@]}"; do
		printf '  %6d  %s\n' "${reasons[$reason]}" "$reason"
	done | sort -k2
fi
if [ "$TIER" != interp ]; then
	echo "tier ($TIER$TIER_OPTS): $tier_compiled compiled, $tier_refused refused, $tier_failed failed (refused and failed functions ran interpreted), $tier_osr osr entries"
fi
echo "files: $files_passed passed, $files_failed failed, $files_skipped skipped"
[ "$VERIFY" = 0 ] || echo "register code verified: $vfuncs functions in $vmods modules"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$files_failed" -eq 0 ]
