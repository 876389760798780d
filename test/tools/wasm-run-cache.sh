#!/usr/bin/env bash
# wasm-run-cache.sh — wasm-run's --cache DIR (the engine's code cache kept
# in files, as the benchmarks use it): a first run compiles and stores, a
# second run of the same module takes every unit from the cache and compiles
# nothing, a damaged entry is rejected and compiled again, another module
# misses.  Results must be the same each time.  A run that takes every unit
# from the cache links them without loading the back end (tier.c,
# objload.h) where the engine can (x86-64): "back end not loaded".
# usage: bash test/tools/wasm-run-cache.sh   (after `make runtime`)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUN=build/wasm-run
[ -x $RUN ] && [ -f build/wasmrt-llvm.so ] || { echo "build/wasm-run or the native tier missing: make runtime" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/cache"
cat >"$dir/m.wat" <<'WAT'
(module
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "f") (param i32) (result i32)
    (i32.add (call $sq (local.get 0)) (i32.const 1))))
WAT
sed 's/i32.const 1/i32.const 2/' "$dir/m.wat" >"$dir/other.wat"
wat2wasm "$dir/m.wat" -o "$dir/m.wasm"
wat2wasm "$dir/other.wat" -o "$dir/other.wasm"

fails=0
warm_backend="not loaded"
[[ $(uname -m) == x86_64 ]] || warm_backend="loaded"
# run NAME MODULE EXPECTED-RESULT EXPECTED-CACHE-COUNTS
run() {
	local result err cache
	result=$($RUN --time --tier=eager --cache "$dir/cache" --invoke f "$2" 6 2>"$dir/err")
	cache=$(grep '^code cache:' "$dir/err" || true)
	if [[ $result != "$3" || $cache != "code cache: $4" ]]; then
		echo "FAIL $1: got result '$result', '$cache'; want '$3', 'code cache: $4'"
		sed 's/^/  | /' "$dir/err"
		fails=$((fails + 1))
	else
		echo "ok   $1: $cache"
	fi
}
run "cold: compiles and stores" "$dir/m.wasm" 37 "0 hits, 1 misses, 0 rejected; back end loaded"
entry=$(find "$dir/cache" -type f)
if [[ $(wc -l <<<"$entry") == 1 && -s $entry ]]; then
	echo "ok   one entry stored"
else
	echo "FAIL: want one entry after the first run: $entry"
	fails=$((fails + 1))
fi
run "warm: taken from the cache" "$dir/m.wasm" 37 "1 hits, 0 misses, 0 rejected; back end $warm_backend"
run "another module misses" "$dir/other.wasm" 38 "0 hits, 1 misses, 0 rejected; back end loaded"
# damage the first module's entry: flip a byte in its middle
[[ -f $entry ]] || { echo "no entry to damage"; echo "0 passed, $((fails + 3)) failed"; exit 1; }
size=$(stat -c %s "$entry")
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$entry" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$entry" bs=1 seek=$((size / 2)) conv=notrunc status=none
run "damaged entry rejected, compiled again" "$dir/m.wasm" 37 "0 hits, 0 misses, 1 rejected; back end loaded"
run "stored again: warm" "$dir/m.wasm" 37 "1 hits, 0 misses, 0 rejected; back end $warm_backend"
echo "$((6 - fails)) passed, $fails failed"
((fails == 0))
