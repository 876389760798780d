#!/usr/bin/env bash
# run.sh — the dispatch-strategy experiment of engine issue 2 (see dispatch.c).
#
# Builds the miniature interpreter of dispatch.c several ways into
# build/bench/dispatch/:
#   cg-gcc     $GCC -O2 (gcc 12 here), computed goto: what PGXS builds today
#   cg-cl      $CLANG -O2 (clang 14 here), computed goto
#   mt-cl      $CLANG, musttail handlers, fuel in the context struct
#   mt6-cl     $CLANG, musttail handlers, fuel as a sixth argument
# and, if $CLANG19 (default clang-19) exists:
#   cg-cl19    computed goto
#   mt-cl19    musttail, fuel in the context struct
#   mtpn-cl19  musttail + preserve_none, fuel and interrupt pointer as arguments
# then
#   1. counts instructions of the interpreted runs (valgrind --tool=callgrind
#      --branch-sim=yes, reduced sizes; the count is deterministic, so it is
#      the primary figure on a shared, noisy machine) and divides them by the
#      number of dispatches (from a gcc build with -DCOUNT_DISPATCH);
#   2. times each kernel: REPS rounds, variants interleaved within a round,
#      best wall and best thread-CPU time kept;
#   3. disassembles every handler of every variant (objdump) into
#      build/bench/dispatch/<variant>.handlers.s and prints the static
#      instruction count of a few handlers and whether any touch the stack.
# Every run checks its kernel's result against a C reference.
#
# usage: bash test/bench/dispatch/run.sh [--reps N] [--no-time] [--no-callgrind]
#                                        [--no-asm] [--only K1,K2]
# Environment: GCC (default gcc), CLANG (default clang), CLANG19 (default
#   clang-19; empty to skip), CFLAGS_EXTRA.
# Informational only: never part of `make test`.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
SRC=test/bench/dispatch
OUT=build/bench/dispatch
GCC=${GCC:-gcc}
CLANG=${CLANG:-clang}
CLANG19=${CLANG19-clang-19}
# -fPIC/-pie: the runtime is linked into a PostgreSQL extension (a shared object).
CFLAGS=(-O2 -std=gnu11 -Wall -Wextra -Werror -fPIC -pie -ffp-contract=off ${CFLAGS_EXTRA:-})

REPS=5
DO_TIME=1
DO_CALLGRIND=1
DO_ASM=1
KERNELS=(count fib mem chain dot)
while [ $# -gt 0 ]; do
	case "$1" in
		--reps) REPS=$2; shift 2 ;;
		--no-time) DO_TIME=0; shift ;;
		--no-callgrind) DO_CALLGRIND=0; shift ;;
		--no-asm) DO_ASM=0; shift ;;
		--only) IFS=, read -r -a KERNELS <<<"$2"; shift 2 ;;
		*) echo "usage: $0 [--reps N] [--no-time] [--no-callgrind] [--no-asm] [--only K1,K2]" >&2; exit 2 ;;
	esac
done

VARIANTS=(cg-gcc cg-cl mt-cl mt6-cl)
declare -A BUILD=(
	[cg-gcc]="$GCC -DENGINE_CG"
	[cg-cl]="$CLANG -DENGINE_CG"
	[mt-cl]="$CLANG -DENGINE_MT"
	[mt6-cl]="$CLANG -DENGINE_MT -DMT_FUEL_ARG"
	[cg-cl19]="$CLANG19 -DENGINE_CG"
	[mt-cl19]="$CLANG19 -DENGINE_MT"
	[mtpn-cl19]="$CLANG19 -DENGINE_MT -DMT_PRESERVE_NONE"
)
if [ -n "$CLANG19" ] && command -v "$CLANG19" >/dev/null; then
	VARIANTS+=(cg-cl19 mt-cl19 mtpn-cl19)
else
	CLANG19=""
fi
# Timed workloads "N INNER" (about 0.2 s per sample) and reduced callgrind ones.
declare -A TIME_ARGS=(
	[count]="100000000 1" [fib]="30 20" [mem]="16777216 4" [chain]="50000000 1" [dot]="1048576 25"
)
declare -A CG_ARGS=(
	[count]="1000000 1" [fib]="25 1" [mem]="1048576 1" [chain]="1000000 1" [dot]="65536 1"
)

mkdir -p "$OUT"
echo "== building into $OUT"
echo "   $($GCC --version | head -1); $($CLANG --version | head -1)${CLANG19:+; $($CLANG19 --version | head -1)}"
for v in "${VARIANTS[@]}"; do
	# shellcheck disable=SC2086
	${BUILD[$v]} "${CFLAGS[@]}" -o "$OUT/$v" "$SRC/dispatch.c"
done
$GCC -DENGINE_CG -DCOUNT_DISPATCH "${CFLAGS[@]}" -o "$OUT/count-dispatch" "$SRC/dispatch.c"

field() { # field NAME LINE -> value of NAME=value in LINE
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"
}

# ---- 1. callgrind instruction counts ----
if [ "$DO_CALLGRIND" = 1 ]; then
	command -v valgrind >/dev/null || { echo "valgrind not found: use --no-callgrind" >&2; exit 1; }
	echo
	echo "== callgrind: instructions (Ir) per dispatch, indirect-branch mispredictions per dispatch"
	echo "   (reduced sizes; only the interpreted runs are counted)"
	printf "%-6s %-14s %10s |" kernel "size" dispatches
	for v in "${VARIANTS[@]}"; do printf " %9s" "$v"; done
	printf " |"
	for v in "${VARIANTS[@]}"; do printf " %9s" "$v"; done
	printf "\n"
	declare -A IR
	for k in "${KERNELS[@]}"; do
		read -r n inner <<<"${CG_ARGS[$k]}"
		line=$("$OUT/count-dispatch" "$k" "$n" "$inner" 1)
		nd=$(field dispatches "$line")
		irs=() bims=()
		for v in "${VARIANTS[@]}"; do
			cgo="$OUT/callgrind.$v.$k.out"
			valgrind --tool=callgrind --instr-atstart=no --branch-sim=yes \
				--callgrind-out-file="$cgo" "$OUT/$v" "$k" "$n" "$inner" 1 >/dev/null 2>"$OUT/callgrind.$v.$k.log"
			# events: Ir Bc Bcm Bi Bim
			read -r ir bim < <(awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i }
				/^totals:/ { print $col["Ir"], $col["Bim"]; exit }' "$cgo")
			IR[$v.$k]=$ir
			irs+=("$(awk -v a="$ir" -v b="$nd" 'BEGIN { printf "%.2f", a / b }')")
			bims+=("$(awk -v a="$bim" -v b="$nd" 'BEGIN { printf "%.3f", a / b }')")
		done
		printf "%-6s %-14s %10s |" "$k" "$n" "$nd"
		for x in "${irs[@]}"; do printf " %9s" "$x"; done
		printf " |"
		for x in "${bims[@]}"; do printf " %9s" "$x"; done
		printf "\n"
	done
	printf "%-32s |" "geomean Ir vs cg-gcc"
	for v in "${VARIANTS[@]}"; do
		g=$(for k in "${KERNELS[@]}"; do echo "${IR[$v.$k]} ${IR[cg-gcc.$k]}"; done |
			awk '{ s += log($1 / $2); n++ } END { printf "%.3f", exp(s / n) }')
		printf " %9s" "$g"
	done
	printf "\n"
fi

# ---- 2. wall / CPU times, best of REPS interleaved rounds ----
if [ "$DO_TIME" = 1 ]; then
	declare -A WALL CPU
	for k in "${KERNELS[@]}"; do
		for v in "${VARIANTS[@]}"; do WALL[$v.$k]=999999999999; CPU[$v.$k]=999999999999; done
	done
	for ((r = 1; r <= REPS; r++)); do
		for k in "${KERNELS[@]}"; do
			read -r n inner <<<"${TIME_ARGS[$k]}"
			for v in "${VARIANTS[@]}"; do
				line=$("$OUT/$v" "$k" "$n" "$inner" 1)
				w=$(field wall_ns "$line")
				c=$(field cpu_ns "$line")
				[ "$w" -lt "${WALL[$v.$k]}" ] && WALL[$v.$k]=$w
				[ "$c" -lt "${CPU[$v.$k]}" ] && CPU[$v.$k]=$c
			done
		done
	done
	echo
	echo "== best of $REPS interleaved rounds; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
	for what in CPU WALL; do
		if [ "$what" = CPU ]; then echo "   thread CPU time, ms:"; else echo "   wall time, ms:"; fi
		printf "%-7s %-12s |" kernel "N x inner"
		for v in "${VARIANTS[@]}"; do printf " %9s" "$v"; done
		printf "\n"
		for k in "${KERNELS[@]}"; do
			read -r n inner <<<"${TIME_ARGS[$k]}"
			printf "%-7s %-12s |" "$k" "$n x$inner"
			for v in "${VARIANTS[@]}"; do
				if [ "$what" = CPU ]; then t=${CPU[$v.$k]}; else t=${WALL[$v.$k]}; fi
				printf " %9s" "$(awk -v t="$t" 'BEGIN { printf "%.1f", t / 1e6 }')"
			done
			printf "\n"
		done
		printf "%-20s |" "geomean vs cg-gcc"
		for v in "${VARIANTS[@]}"; do
			g=$(for k in "${KERNELS[@]}"; do
					if [ "$what" = CPU ]; then echo "${CPU[$v.$k]} ${CPU[cg-gcc.$k]}"; else echo "${WALL[$v.$k]} ${WALL[cg-gcc.$k]}"; fi
				done | awk '{ s += log($1 / $2); n++ } END { printf "%.3f", exp(s / n) }')
			printf " %9s" "$g"
		done
		printf "\n"
	done
fi

# ---- 3. handler disassembly ----
if [ "$DO_ASM" = 1 ]; then
	SHOW=(I32_ADD_RR I32_MUL_RI BRIF_I32_LT_S_RR I32_LOAD8_U F64_ADD_RR F64_LOAD LOOP_POLL CALL RETURN)
	declare -A NINS STACK
	for v in "${VARIANTS[@]}"; do
		bin="$OUT/$v"
		main=$(nm "$bin" | awk '$3 == "main" { print $1 }')
		# handler NAME -> absolute start address (decimal)
		"$bin" --handlers | awk -v m="$((16#$main))" '{ print $1, m + $2 }' | sort -k2,2n >"$OUT/$v.handlers"
		# boundaries: all handler starts and all text symbols
		{ awk '{ print $2 }' "$OUT/$v.handlers"
		  nm -n "$bin" | awk 'tolower($2) == "t" { print $1 }' | while read -r a; do echo $((16#$a)); done
		} | sort -n -u >"$OUT/$v.bounds"
		: >"$OUT/$v.handlers.s"
		while read -r name start; do
			end=$(awk -v s="$start" '$1 > s { print; exit }' "$OUT/$v.bounds")
			objdump -d --no-show-raw-insn -M intel --start-address="$start" --stop-address="$end" "$bin" |
				awk -v n="$name" 'BEGIN { print "; ---- " n } /^ +[0-9a-f]+:/' >>"$OUT/$v.handlers.s.tmp"
			body=$(objdump -d --no-show-raw-insn -M intel --start-address="$start" --stop-address="$end" "$bin" |
				grep -E '^ +[0-9a-f]+:' | grep -v -E '\snop|int3|xchg +ax,ax' || true)
			NINS[$v.$name]=$(grep -c . <<<"$body" || true)
			if grep -q -E 'rsp|push|pop' <<<"$body"; then STACK[$v.$name]=s; else STACK[$v.$name]=""; fi
		done <"$OUT/$v.handlers"
		mv "$OUT/$v.handlers.s.tmp" "$OUT/$v.handlers.s"
	done
	echo
	echo "== static instructions per handler (s = touches the stack: rsp/push/pop), up to the next handler"
	echo "   full listings: $OUT/<variant>.handlers.s"
	printf "%-18s |" handler
	for v in "${VARIANTS[@]}"; do printf " %9s" "$v"; done
	printf "\n"
	for h in "${SHOW[@]}"; do
		printf "%-18s |" "$h"
		for v in "${VARIANTS[@]}"; do printf " %9s" "${NINS[$v.$h]}${STACK[$v.$h]}"; done
		printf "\n"
	done
fi
