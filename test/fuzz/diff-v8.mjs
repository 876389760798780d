// diff-v8.mjs — V8's half of the differential test (test/fuzz/diff.sh).
//
//   node diff-v8.mjs module.wasm plan.json
//
// plan.json is what build/fuzz/diff-run (our engine) wrote: its verdict on
// the module, the module's imports with their types, and every call it made
// with the arguments, the host calls observed ("events"), and the outcome.
// This script compiles and instantiates the same module in V8 with the same
// stand-in imports (function imports log their arguments in the same text
// and return zeros; memories, tables and globals are fresh), replays the
// calls in order and compares, then compares the exported state (globals,
// memory size and FNV-1a hash, table sizes).  Values use diff-run's
// canonical text, NaNs written "nan" whatever their payload; traps are
// compared loosely (both trap = agree, whatever the kind).  A call our engine
// stopped for fuel or stack, or one V8 aborts with a stack overflow, ends
// the comparison: the engines' limits differ, so what follows may too.
//
// Prints one line, "agree ...", "skip ..." or "MISMATCH ..." (with details on
// the following lines), and exits 0 for agree/skip, 1 for a mismatch.
import { readFileSync } from 'node:fs';

const [wasmPath, planPath] = process.argv.slice(2);
if (!wasmPath || !planPath) {
  console.error('usage: node diff-v8.mjs module.wasm plan.json');
  process.exit(2);
}
const bytes = readFileSync(wasmPath);
const plan = JSON.parse(readFileSync(planPath, 'utf8'));

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function fmt(type, v) {
  switch (type) {
    case 'i32': return `i32:${v | 0}`;
    case 'i64': return `i64:${BigInt.asIntN(64, BigInt(v))}`;
    case 'f32':
      if (Number.isNaN(v)) return 'f32:nan';
      f32[0] = v;
      return `f32:0x${u32[0].toString(16).padStart(8, '0')}`;
    case 'f64':
      if (Number.isNaN(v)) return 'f64:nan';
      f64[0] = v;
      return `f64:0x${u64[0].toString(16).padStart(16, '0')}`;
    case 'funcref': return v === null ? 'funcref:null' : 'funcref:func';
    case 'externref': return v === null || v === undefined ? 'externref:null' : 'externref:obj';
    case 'v128': return `v128:${Buffer.from(v).toString('hex')}`;  // v: 16 bytes
    default: return `unknown:${type}`;
  }
}

function parseValue(text) {
  const [type, rest] = text.split(':', 2);
  switch (type) {
    case 'i32': return Number(rest) | 0;
    case 'i64': return BigInt(rest);
    case 'f32': u32[0] = Number.parseInt(rest, 16); return f32[0];
    case 'f64': u64[0] = BigInt(rest); return f64[0];
    case 'v128': return Uint8Array.from(Buffer.from(rest, 'hex'));
    default: return null;
  }
}

function zero(type) {
  switch (type) {
    case 'i64': return 0n;
    case 'funcref': case 'externref': return null;
    default: return 0;
  }
}

const jsType = (t) => (t === 'funcref' ? 'anyfunc' : t);

// ---- v128 across the JS boundary ------------------------------------------
// JS can neither pass nor receive a v128, so functions whose type has one
// are reached through small Wasm modules built here: a stand-in for a v128
// import (ignores its arguments, returns zeros: as diff-run's), and a
// wrapper per export that takes each v128 as four i32 lanes and stores each
// v128 result into its memory.
const VT = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };
const leb = (v) => { const o = []; do { let b = v & 0x7f; v >>>= 7; o.push(v ? b | 0x80 : b); } while (v); return o; };
const section = (id, body) => [id, ...leb(body.length), ...body];
const vec = (items) => [...leb(items.length), ...items.flat()];
const functype = (ps, rs) => [0x60, ...vec(ps.map((t) => [VT[t]])), ...vec(rs.map((t) => [VT[t]]))];
const str = (s) => [...leb(s.length), ...Buffer.from(s)];
const zeroConst = (t) => ({ i32: [0x41, 0], i64: [0x42, 0], f32: [0x43, 0, 0, 0, 0], f64: [0x44, ...Array(8).fill(0)],
  v128: [0xfd, 0x0c, ...Array(16).fill(0)] })[t] ?? [0xd0, VT[t]];
const hasV128 = (ps, rs) => ps.includes('v128') || rs.includes('v128');
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function standin(params, results) {
  const body = [0x00, ...results.flatMap(zeroConst), 0x0b];
  const bytes = [...header, ...section(1, vec([functype(params, results)])), ...section(3, [1, 0]),
    ...section(7, [1, ...str('f'), 0, 0]), ...section(10, vec([[...leb(body.length), ...body]]))];
  return new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(bytes))).exports.f;
}

function wrapper(fn, params, results) {
  const wparams = params.flatMap((t) => (t === 'v128' ? ['i32', 'i32', 'i32', 'i32'] : [t]));
  const wresults = results.filter((t) => t !== 'v128');
  const code = [];
  let q = 0;
  for (const t of params) {
    if (t === 'v128') {
      code.push(0x20, ...leb(q), 0xfd, 0x11);                 // local.get; i32x4.splat
      for (let l = 1; l < 4; l++) code.push(0x20, ...leb(q + l), 0xfd, 0x1c, l);  // replace_lane
      q += 4;
    } else code.push(0x20, ...leb(q++));
  }
  code.push(0x10, 0);                                           // call the import
  const base = wparams.length;
  for (let r = results.length - 1; r >= 0; r--) code.push(0x21, ...leb(base + r));
  let vr = 0;
  results.forEach((t, r) => {
    if (t === 'v128') code.push(0x41, ...leb(16 * vr++), 0x20, ...leb(base + r), 0xfd, 0x0b, 0, 0);
  });
  results.forEach((t, r) => { if (t !== 'v128') code.push(0x20, ...leb(base + r)); });
  const body = [...vec(results.map((t) => [1, VT[t]])), ...code, 0x0b];
  const bytes = [...header,
    ...section(1, vec([functype(params, results), functype(wparams, wresults)])),
    ...section(2, vec([[...str('m'), ...str('f'), 0x00, 0]])),
    ...section(3, [1, 1]), ...section(5, [1, 0, 1]),
    ...section(7, vec([[...str('w'), 0, 1], [...str('mem'), 2, 0]])),
    ...section(10, vec([[...leb(body.length), ...body]]))];
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(bytes)), { m: { f: fn } });
  return (...args) => {
    const flat = [];
    params.forEach((t, i) => {
      if (t !== 'v128') { flat.push(args[i]); return; }
      const dv = new DataView(args[i].buffer);
      for (let l = 0; l < 4; l++) flat.push(dv.getInt32(4 * l, true));
    });
    const r = inst.exports.w(...flat);
    const scal = wresults.length > 1 ? [...r] : wresults.length === 1 ? [r] : [];
    const mem = new Uint8Array(inst.exports.mem.buffer);
    let vi = 0, si = 0;
    const out = results.map((t) => (t === 'v128' ? mem.slice(16 * vi, 16 * ++vi) : scal[si++]));
    return results.length === 1 ? out[0] : out;
  };
}

function finish(verdict, details = []) {
  console.log(verdict);
  for (const d of details) console.log(`  ${d}`);
  process.exit(verdict.startsWith('MISMATCH') ? 1 : 0);
}

const ours = plan.status;
if (['unsupported', 'limit', 'oom'].includes(ours)) finish(`skip: our engine: ${ours}: ${plan.message}`);

let mod;
try {
  mod = new WebAssembly.Module(bytes);
} catch (e) {
  if (ours === 'malformed' || ours === 'invalid') finish('agree: both reject the module');
  finish('MISMATCH: V8 rejects the module, our engine accepts it', [String(e.message)]);
}
if (ours === 'malformed' || ours === 'invalid') {
  finish('MISMATCH: our engine rejects the module, V8 accepts it', [`ours: ${ours}: ${plan.message}`]);
}

// Stand-in imports, built from the types our engine reported.
let events = [];
const importObject = {};
const seen = new Map();
for (const imp of plan.imports) {
  const key = JSON.stringify([imp.module, imp.name]);
  if (seen.has(key)) finish('skip: the same import name twice (JS cannot give two values)');
  seen.set(key, true);
  let value;
  switch (imp.kind) {
    case 'func': {
      const { params, results } = imp;
      if (hasV128(params, results)) {
        value = standin(params, results);
        break;
      }
      value = (...args) => {
        const shown = params.map((t, i) => ` ${fmt(t, args[i])}`).join('');
        events.push(`log ${imp.module}.${imp.name}${shown}`);
        if (results.length === 0) return undefined;
        if (results.length === 1) return zero(results[0]);
        return results.map(zero);
      };
      break;
    }
    case 'memory': {
      const desc = { initial: imp.min };
      if (imp.max !== null) desc.maximum = imp.max;
      value = new WebAssembly.Memory(desc);
      break;
    }
    case 'table': {
      const desc = { element: jsType(imp.elem), initial: imp.min };
      if (imp.max !== null) desc.maximum = imp.max;
      value = new WebAssembly.Table(desc);
      break;
    }
    case 'global':
      value = new WebAssembly.Global({ value: jsType(imp.type), mutable: imp.mutable }, zero(imp.type));
      break;
    default:
      finish(`skip: unknown import kind ${imp.kind}`);
  }
  (importObject[imp.module] ??= {})[imp.name] = value;
}

let instance;
try {
  instance = new WebAssembly.Instance(mod, importObject);
} catch (e) {
  if (e instanceof RangeError) finish(`skip: V8 instantiation: ${e.message}`);
  const kind = e instanceof WebAssembly.RuntimeError ? 'trap' : 'link';
  if (kind === ours) finish(`agree: both fail instantiation (${kind})`);
  finish(`MISMATCH: instantiation: ours ${ours}, V8 ${kind}`, [String(e.message), plan.message]);
}
if (ours !== 'ok') finish(`MISMATCH: instantiation: ours ${ours}, V8 succeeds`, [plan.message]);

const exps = instance.exports;
let compared = 0;
for (const [n, call] of plan.calls.entries()) {
  if (call.outcome === 'stop') finish(`agree: ${compared} calls (our engine stopped at call ${n}: ${call.reason})`);
  let fn = exps[call.export];
  if (typeof fn !== 'function') finish(`MISMATCH: export ${call.export} is not a function in V8`);
  const ptypes = call.args.map((a) => a.split(':', 1)[0]);
  if (hasV128(ptypes, call.rtypes)) fn = wrapper(fn, ptypes, call.rtypes);
  const args = call.args.map(parseValue);
  events = [];
  let outcome;
  let results = [];
  try {
    const r = fn(...args);
    outcome = 'ok';
    const types = call.rtypes;
    const values = types.length > 1 ? [...r] : types.length === 1 ? [r] : [];
    results = values.map((v, i) => fmt(types[i], v));
  } catch (e) {
    if (e instanceof RangeError) finish(`agree: ${compared} calls (V8 stack overflow at call ${n})`);
    if (!(e instanceof WebAssembly.RuntimeError)) {
      finish(`MISMATCH: call ${n} ${call.export}: V8 threw ${e.constructor.name}`, [String(e.message)]);
    }
    outcome = 'trap';
  }
  const diffs = [];
  if (outcome !== call.outcome) diffs.push(`outcome: ours ${call.outcome} (${call.reason ?? ''}), V8 ${outcome}`);
  if (outcome === 'ok' && call.outcome === 'ok' && results.join(' ') !== call.results.join(' ')) {
    diffs.push(`results: ours ${call.results.join(' ')}, V8 ${results.join(' ')}`);
  }
  if (events.join('\n') !== call.events.join('\n')) {
    diffs.push(`host calls: ours [${call.events.join('; ')}], V8 [${events.join('; ')}]`);
  }
  if (diffs.length) finish(`MISMATCH: call ${n} ${call.export}(${call.args.join(', ')})`, diffs);
  compared++;
}

// Exported state after all the calls.
function fnv32(buf) {
  let h = 0x811c9dc5;
  for (let i = 0; i < buf.length; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
const final = [];
for (const st of plan.final) {
  const e = exps[st.name];
  let mine;
  if (st.kind === 'global' && st.type === 'v128') {
    continue;                   // not readable from JS
  } else if (st.kind === 'global') {
    mine = fmt(st.type, e.value);
  } else if (st.kind === 'memory') {
    const buf = new Uint8Array(e.buffer);
    mine = `pages=${buf.length / 65536} hash=${fnv32(buf).toString(16).padStart(8, '0')}`;
  } else {
    mine = `size=${e.length}`;
  }
  if (mine !== st.text) final.push(`${st.kind} ${st.name}: ours ${st.text}, V8 ${mine}`);
}
if (final.length) finish('MISMATCH: exported state after the calls', final);
finish(`agree: ${compared} calls, ${plan.final.length} exports compared`);
