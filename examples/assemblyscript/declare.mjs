// declare.mjs — the AssemblyScript side of "functions declared by the
// module": asc cannot write custom sections, so after it has built a module
// this script appends one named "pgwasm_functions" holding the declarations
// found in the module's source, one per comment line
//
//     // @pgwasm-sql normalize_url(url text) RETURNS text IMMUTABLE STRICT
//
// (what follows CREATE FUNCTION; AS 'export' if the export has another
// name).  Then wasm.create_functions('urlkit') creates them all.
//
//     node declare.mjs build/urlkit.wasm assembly/urlkit.ts
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, srcPath] = process.argv.slice(2);
if (!wasmPath || !srcPath) {
  console.error('usage: node declare.mjs MODULE.wasm SOURCE.ts');
  process.exit(2);
}
const decls = readFileSync(srcPath, 'utf8')
  .split('\n')
  .map((line) => line.match(/^\s*\/\/\s*@pgwasm-sql\s+(.*\S)\s*$/))
  .filter(Boolean)
  .map((m) => m[1]);
if (decls.length === 0) process.exit(0);

// unsigned LEB128, as section and name sizes are written
const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
};
const name = Buffer.from('pgwasm_functions', 'utf8');
const body = Buffer.concat([leb(name.length), name, Buffer.from(decls.join('\n') + '\n', 'utf8')]);
const module = readFileSync(wasmPath);
if (module.readUInt32LE(0) !== 0x6d736100) {
  console.error(`${wasmPath} is not a WebAssembly module`);
  process.exit(1);
}
writeFileSync(wasmPath, Buffer.concat([module, Buffer.from([0]), leb(body.length), body]));
console.log(`${wasmPath}: ${decls.length} declaration(s) in section pgwasm_functions`);
