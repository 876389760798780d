#!/usr/bin/env bash
# test/bench/tier.sh — the native tier against the interpreter and native
# code on the kernels of test/bench/run.sh (build them first with
# `bash test/bench/run.sh --suite=kernels --no-node`): per kernel the best of
# two wall-clock times of the native binary, of build/wasm-run's call with
# --tier=interp and with --tier=eager (wasm-run --time: the call only, the
# eager compile happens at instantiation), their ratios to native, and the
# eager compile time of the whole module (ms, and ms per KB of Wasm).
# Informational, never part of `make test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
make -s build/wasm-run build/wasmrt-llvm.so
printf '%-11s %8s %8s %8s %7s %7s %9s %8s\n' kernel native interp eager i/nat e/nat compile_ms ms/KB
for k in fib matmul sha256 mandelbrot bytehash sort nbody crc32 vecops; do
  best() { sort -n | head -1; }
  tn=$( for r in 1 2; do /usr/bin/time -f %e build/bench/native/$k 2>&1 >/dev/null | tail -1; done | best)
  ti=$( for r in 1 2; do build/wasm-run --time --tier=interp build/bench/wasm/$k.wasm 2>&1 >/dev/null | sed -n 's/^time: //p'; done | best)
  te=$( for r in 1 2; do build/wasm-run --time --tier=eager build/bench/wasm/$k.wasm 2>&1 >/dev/null | sed -n 's/^time: //p'; done | best)
  line=$(build/wasm-run --time --tier=eager build/bench/wasm/$k.wasm 2>&1 >/dev/null | grep '^tier:')
  cms=$(sed -E 's/.* in ([0-9.]+) ms .*/\1/' <<<"$line"); mkb=$(sed -E 's/.*\(([0-9.]+) ms\/KB\).*/\1/' <<<"$line")
  printf '%-11s %8.3f %8.3f %8.3f %7.2f %7.2f %9.0f %8.1f\n' $k $tn $ti $te $(echo "$ti/$tn" | bc -l) $(echo "$te/$tn" | bc -l) $cms $mkb
done
