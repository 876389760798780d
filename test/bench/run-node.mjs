// run-node.mjs — runs a WASI command module under node (V8) with node's
// built-in WASI, for the benchmark driver's comparison column.
//   node --no-warnings run-node.mjs file.wasm [args...]
//     The module sees argv = [basename, args...], no environment, no
//     preopens; the process exits with the module's exit code.
//   node --no-warnings run-node.mjs --compile-only REPS file.wasm
//     Times `new WebAssembly.Module` (V8's decode + validate + compile) of
//     the file REPS times, for the load benchmark.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

const argv = process.argv.slice(2);
if (argv[0] === '--compile-only') {
  const reps = Number(argv[1]);
  const file = argv[2];
  const bytes = readFileSync(file);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    new WebAssembly.Module(bytes);
    times.push(performance.now() - t0);
  }
  // V8 caches native modules by their bytes, so only the first compile of
  // the process does the work (lazy compilation: decode + validate, plus
  // function bodies on first call); later ones measure the cache lookup.
  const first = times[0];
  times.sort((a, b) => a - b);
  console.log(`${file} (${bytes.length} bytes): node ${process.version} new WebAssembly.Module ` +
    `first ${first.toFixed(2)} ms, then min ${times[0].toFixed(2)} ms (${reps} runs, cached by V8)`);
} else {
  const [file, ...args] = argv;
  if (!file) {
    console.error('usage: run-node.mjs file.wasm [args...] | --compile-only REPS file.wasm');
    process.exit(2);
  }
  const wasi = new WASI({ version: 'preview1', args: [basename(file), ...args], env: {} });
  const module = await WebAssembly.compile(readFileSync(file));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const code = wasi.start(instance);
  process.exitCode = code ?? 0;
}
