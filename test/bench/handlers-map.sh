#!/usr/bin/env bash
# handlers-map.sh — maps machine code of build/wasm-run's interpreter, run(),
# to register-code handlers, for profile.sh and cg-handlers.sh.
#
# usage: bash test/bench/handlers-map.sh DIR
# Writes into DIR:
#   handlers.txt  "address name" per handler label, link-time address in
#                 build/wasm-run (decimal), sorted by address;
#   labels.txt    "line name" for each label of interp.c's hand-written code
#                 (handlers and shared blocks such as call_wasm);
#   defops.txt    "line NAME" for each operator line of runtime/opcodes.def;
#   run.txt       "address size" of run() (decimal).
# Names come from the wrt_irop enum as the preprocessor expands compile.h.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
dir=${1:?usage: handlers-map.sh DIR}
mkdir -p "$dir"

make -s build/wasm-run build/libwasmrt.a
cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Iruntime \
	-o build/bench/irmap test/bench/irmap.c build/libwasmrt.a -lm

# Instruction names in enum order.
printf '#include "compile.h"\n' | cc -E -P -Iruntime -x c - |
	awk '/typedef enum wrt_irop/ { f = 1 } f == 1 { print } f && /}[ \t]*wrt_irop;/ { f = 2 }' |
	tr -s ',{}[:space:]' '\n' | sed -n 's/^WRT_IR_//p' | grep -v '^COUNT_$' >"$dir/irnames.txt"

read -r run_addr run_size ref_addr < <(nm -S build/wasm-run | awk '
	$4 == "run" { a = $1; s = $2 } $4 == "wrt_interp_handlers" { h = $1 }
	END { if (a == "" || h == "") exit 1; print a, s, h }') ||
	{ echo "handlers-map.sh: no run/wrt_interp_handlers symbols in build/wasm-run (stripped?)" >&2; exit 1; }
echo "$((0x$run_addr)) $((0x$run_size))" >"$dir/run.txt"

build/bench/irmap | awk -v ref="$((0x$ref_addr))" -v names="$dir/irnames.txt" '
	BEGIN { i = 0; while ((getline n < names) > 0) name[i++] = n }
	{ print ref + $1, ($2 in name) ? name[$2] : "op" $2 }' | sort -n >"$dir/handlers.txt"

grep -n '^[A-Za-z_][A-Za-z0-9_]*:' runtime/interp.c | sed 's/:$//; s/:/ /; s/ L_/ /' >"$dir/labels.txt"
grep -n '^OP_[A-Z_]*(' runtime/opcodes.def | sed 's/:OP_[A-Z_]*( *\([A-Za-z0-9_]*\).*/ \1/' >"$dir/defops.txt"
