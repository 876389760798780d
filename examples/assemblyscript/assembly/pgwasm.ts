// pgwasm.ts — the glue an AssemblyScript module needs to be called by pgwasm
// under guest ABI v1 (docs/abi.md).
//
// In your module:
//
//     export { cabi_realloc, free } from "./pgwasm";
//     import { readText, returnText } from "./pgwasm";
//
//     // CREATE FUNCTION shout(text) RETURNS text LANGUAGE wasm AS 'mymod:shout';
//     export function shout(ptr: usize, len: usize): u64 {
//       return returnText(readText(ptr, len).toUpperCase() + "!");
//     }
//
// and build with (assemblyscript 0.28):
//
//     npx asc mymod.ts --optimize --runtime minimal --use abort=pgwasm/abort -o mymod.wasm
//
// (`pgwasm/abort` is this file's path relative to the directory asc runs in,
// without `.ts`, then the function name: run asc in the directory of
// pgwasm.ts, or write e.g. `--use abort=assembly/pgwasm/abort`.)
//
// Memory and the garbage collector
// --------------------------------
// AssemblyScript has two kinds of heap blocks, both carved out of the same
// TLSF allocator:
//
//  * managed objects (strings, arrays, class instances), made by `__new` and
//    reclaimed by the garbage collector once unreachable;
//  * raw blocks from `heap.alloc`, which the collector never looks at and
//    which stay until `heap.free`.
//
// Everything that crosses the boundary is a raw block.  pgwasm gets its
// argument buffers from `cabi_realloc` (a raw block, so no collection can
// reclaim it while the guest reads it) and releases them after the call with
// `free`.  Results are encoded straight into a fresh raw block, which pgwasm
// copies out and then frees with `free` as well.  Never return the address
// of a managed object (`changetype<usize>(someArrayBuffer)`): the collector
// may reclaim it, and `free` would hand a managed object to the raw
// allocator and corrupt the heap.
//
// The strings a function makes along the way are garbage once it returns.
// Which runtime reclaims them, and when:
//
//  * `--runtime minimal` (recommended): the collector runs only when asked
//    to.  It does not scan the Wasm stack, so it must only run when no
//    function is active: `free` below is such a point, because pgwasm calls
//    it after the function has returned.  It collects there every 256 frees
//    (about 100 calls) and whenever the memory has grown since the last
//    collection.  So a statement that calls the function on millions of rows
//    runs in bounded memory.  An export with no text, bytea or array
//    argument or result never gets a `free`; if it allocates, let it call
//    collectGarbage() first thing.
//  * `--runtime incremental` (asc's default) works too: its collector runs a
//    little on every allocation and finds live objects through a shadow
//    stack that the compiler maintains.  That bookkeeping made urlkit.ts
//    about 1.5 times slower than with `minimal`.
//  * `--runtime stub` never frees anything, and is about twice as fast
//    again.  pgwasm resets the instance at the end of every transaction, so
//    this is fine for statements over thousands of rows, but one statement
//    over millions can reach pgwasm.max_memory.
//
// Out of memory (pgwasm.max_memory reached) is a trap in every runtime:
// ERROR "wasm trap: unreachable", SQLSTATE 38000.
//
// Errors
// ------
// `throw new Error("...")`, a failed `assert()` and the standard library's
// own checks (index out of range, ...) all end in `abort()`.  Building with
// `--use abort=pgwasm/abort` routes them to `abort` below, which raises the
// message as a PostgreSQL ERROR through the `pgwasm.error` import (SQLSTATE
// P0001).  AssemblyScript has no exception handling, so a `throw` always ends
// the SQL statement: there is no `catch`.  Without `--use abort=...` the
// module would import `env.abort`, which pgwasm refuses at install time.

// ---- host imports (module "pgwasm") --------------------------------------

@external("pgwasm", "log")
declare function host_log(level: i32, ptr: usize, len: usize): void;

@external("pgwasm", "error")
declare function host_error(ptr: usize, len: usize): void;

@external("pgwasm", "error_sqlstate")
declare function host_error_sqlstate(code: usize, ptr: usize, len: usize): void;

// ---- allocator exports ---------------------------------------------------

/**
 * The canonical-ABI allocator pgwasm calls for each text, bytea or array
 * argument: cabi_realloc(0, 0, align, size).  TLSF blocks are 16-byte aligned,
 * which covers every alignment pgwasm asks for (1, 4 or 8).
 */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (align > 16) unreachable();
  if (newSize == 0) newSize = 1;
  return old ? heap.realloc(old, newSize) : heap.alloc(newSize);
}

/**
 * Releases an argument or result buffer after each call, and collects
 * garbage now and then (with --runtime minimal; see the top of this file).
 */
export function free(ptr: usize): void {
  if (ptr) heap.free(ptr);
  if (ASC_RUNTIME == RUNTIME_MINIMAL && (++freesSinceGC >= 256 || memory.size() > pagesAtGC))
    collectGarbage();
}

// ---- garbage collection ----------------------------------------------------

// @ts-ignore: decorator
@inline const RUNTIME_MINIMAL = 1;      // the value of ASC_RUNTIME for --runtime minimal
let freesSinceGC: u32 = 0;
let pagesAtGC: i32 = 0;

/**
 * Runs the garbage collector (a no-op with --runtime stub).  With --runtime
 * minimal it must only be called where no managed object is referenced from
 * a local variable only: in `free`, or first thing in an export.
 */
export function collectGarbage(): void {
  __collect();
  freesSinceGC = 0;
  pagesAtGC = memory.size();
}

// ---- arguments -------------------------------------------------------------

/** A text/varchar/json argument: UTF-8 bytes, decoded to a string. */
export function readText(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len);
}

/** A bytea argument, copied into a managed array. */
export function readBytes(ptr: usize, len: usize): Uint8Array {
  const a = new Uint8Array(<i32>len);
  memory.copy(a.dataStart, ptr, len);
  return a;
}

/** A float8[] argument (count elements, packed little-endian). */
export function readFloat64Array(ptr: usize, count: usize): Float64Array {
  const a = new Float64Array(<i32>count);
  memory.copy(a.dataStart, ptr, count << 3);
  return a;
}

/** An int4[] argument. */
export function readInt32Array(ptr: usize, count: usize): Int32Array {
  const a = new Int32Array(<i32>count);
  memory.copy(a.dataStart, ptr, count << 2);
  return a;
}

// ---- results ---------------------------------------------------------------

// A varlena or array result is one i64: (length << 32) | pointer, the buffer
// a raw block that pgwasm frees after copying it out.
@inline
function pack(ptr: usize, len: usize): u64 {
  return (<u64>len << 32) | <u64>ptr;
}

/**
 * A text result, encoded as UTF-8.  Lone surrogates (possible in a JS-style
 * string, not in valid UTF-8) become U+FFFD, so the result is always valid.
 */
export function returnText(s: string): u64 {
  const n = <usize>String.UTF8.byteLength(s);
  const buf = heap.alloc(n ? n : 1);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, buf, false,
                           String.UTF8.ErrorMode.REPLACE);
  return pack(buf, n);
}

/** A bytea result. */
export function returnBytes(a: Uint8Array): u64 {
  const n = <usize>a.byteLength;
  const buf = heap.alloc(n ? n : 1);
  memory.copy(buf, a.dataStart, n);
  return pack(buf, n);
}

/** A float8[] result. */
export function returnFloat64Array(a: Float64Array): u64 {
  const n = <usize>a.length;
  const buf = heap.alloc(n ? n << 3 : 1);
  memory.copy(buf, a.dataStart, n << 3);
  return pack(buf, n);
}

/** An int4[] result. */
export function returnInt32Array(a: Int32Array): u64 {
  const n = <usize>a.length;
  const buf = heap.alloc(n ? n << 2 : 1);
  memory.copy(buf, a.dataStart, n << 2);
  return pack(buf, n);
}

// ---- messages and errors -------------------------------------------------

/** Message levels of log(): PostgreSQL's DEBUG1, LOG, INFO, NOTICE, WARNING. */
export const enum Level { DEBUG = 0, LOG = 1, INFO = 2, NOTICE = 3, WARNING = 4 }

/** Emits a message, e.g. log(Level.NOTICE, "skipped " + n.toString()). */
export function log(level: Level, msg: string): void {
  const b = String.UTF8.encode(msg, false, String.UTF8.ErrorMode.REPLACE);
  host_log(level, changetype<usize>(b), <usize>b.byteLength);
}

/** Raises an ERROR (SQLSTATE P0001) with the message; does not return. */
export function error(msg: string): never {
  const b = String.UTF8.encode(msg, false, String.UTF8.ErrorMode.REPLACE);
  host_error(changetype<usize>(b), <usize>b.byteLength);
  unreachable();
}

/**
 * Raises an ERROR with a SQLSTATE of your choice, e.g.
 * errorSqlstate("22023", "bad value") for invalid_parameter_value.
 */
export function errorSqlstate(sqlstate: string, msg: string): never {
  const c = String.UTF8.encode(sqlstate);
  if (c.byteLength != 5) error("pgwasm: a SQLSTATE has 5 characters, got \"" + sqlstate + "\"");
  const b = String.UTF8.encode(msg, false, String.UTF8.ErrorMode.REPLACE);
  host_error_sqlstate(changetype<usize>(c), changetype<usize>(b), <usize>b.byteLength);
  unreachable();
}

let aborting = false;

/**
 * The abort handler, selected with `--use abort=pgwasm/abort`: every
 * `throw`, failed assert() and runtime check ends here and becomes an
 * ERROR carrying the message.  The source position goes to a DEBUG1 message
 * (`SET client_min_messages = debug1` shows it): it is about the guest's
 * sources, not the user's query.
 */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  // Building the message allocates.  Should that abort too (out of memory),
  // just trap: pgwasm reports a trap as SQLSTATE 38000.
  if (aborting) unreachable();
  aborting = true;
  if (fileName !== null)
    log(Level.DEBUG, "abort at " + fileName + ":" + line.toString() + ":" + column.toString());
  const b = String.UTF8.encode(message !== null ? message : "AssemblyScript abort",
                               false, String.UTF8.ErrorMode.REPLACE);
  aborting = false;   // the instance may be used again after the ERROR
  host_error(changetype<usize>(b), <usize>b.byteLength);
  unreachable();
}
