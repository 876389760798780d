// urlkit.ts — URL clean-up for pgwasm, in AssemblyScript.
//
//   CREATE FUNCTION normalize_url(text) RETURNS text
//       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'urlkit:normalize_url';
//   CREATE FUNCTION url_host(text) RETURNS text
//       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'urlkit:url_host';
//   CREATE FUNCTION url_param(text, text) RETURNS text
//       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'urlkit:url_param';
//
// or, since the build appends these declarations to the module (declare.mjs),
// SELECT wasm.create_functions('urlkit'):
//
// @pgwasm-sql normalize_url(url text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE
// @pgwasm-sql url_host(url text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE
// @pgwasm-sql url_param(url text, name text) RETURNS text IMMUTABLE STRICT PARALLEL SAFE
//
// normalize_url() gives a canonical form for deduplicating links collected
// from many sources (RFC 3986 section 6 plus a little more):
//
//   - scheme and host in lower case, a trailing dot on the host dropped;
//   - the scheme's default port dropped (http 80, https 443, ...);
//   - "." and ".." path segments resolved, an empty path becomes "/";
//   - percent-escapes with upper-case hex digits, escapes of unreserved
//     characters decoded (%7E -> ~), and characters that may not appear in a
//     URL (spaces, non-ASCII) percent-encoded as UTF-8;
//   - tracking parameters (utm_*, fbclid, gclid) removed from the query;
//   - the fragment (#...) dropped: it never reaches the server.
//
// A string without a scheme ("example.com/x") or with a bad port is refused
// with an ERROR (thrown here, raised through pgwasm.error by the glue).
//
// Build, in examples/assemblyscript/ (examples/build.sh does this):
//   npm ci
//   npx asc assembly/urlkit.ts --optimize --runtime minimal --use abort=assembly/pgwasm/abort -o urlkit.wasm

export { cabi_realloc, free } from "./pgwasm";
import { readText, returnText } from "./pgwasm";

// ---- SQL functions ---------------------------------------------------------

/** normalize_url(text) RETURNS text */
export function normalize_url(ptr: usize, len: usize): u64 {
  return returnText(Url.parse(readText(ptr, len)).toString());
}

/** url_host(text) RETURNS text: the normalized host, '' if there is none. */
export function url_host(ptr: usize, len: usize): u64 {
  return returnText(Url.parse(readText(ptr, len)).host);
}

/**
 * url_param(url text, name text) RETURNS text: the decoded value of the
 * first query parameter called `name` ('+' means space), '' if absent.
 */
export function url_param(uptr: usize, ulen: usize, nptr: usize, nlen: usize): u64 {
  const url = Url.parse(readText(uptr, ulen));
  const name = readText(nptr, nlen);
  const params = url.query.split("&");
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const eq = p.indexOf("=");
    const key = eq < 0 ? p : p.substring(0, eq);
    if (decodeComponent(key) == name)
      return returnText(eq < 0 ? "" : decodeComponent(p.substring(eq + 1)));
  }
  return returnText("");
}

// ---- parsing ---------------------------------------------------------------

class Url {
  scheme: string = "";
  hasAuthority: bool = false;
  userinfo: string = "";     // without the "@"; kept as written
  host: string = "";
  port: string = "";         // digits only, "" when default or absent
  path: string = "";
  query: string = "";        // without the "?"

  static parse(input: string): Url {
    const u = new Url();
    const s = input.trim();

    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    let i = 0;
    while (i < s.length && isSchemeChar(s.charCodeAt(i), i == 0)) i++;
    if (i == 0 || i >= s.length || s.charCodeAt(i) != 0x3A /* : */)
      throw new Error("normalize_url: \"" + s + "\" has no scheme (like https:)");
    u.scheme = s.substring(0, i).toLowerCase();
    let rest = s.substring(i + 1);

    // The fragment never reaches the server: drop it.
    const hash = rest.indexOf("#");
    if (hash >= 0) rest = rest.substring(0, hash);
    const q = rest.indexOf("?");
    if (q >= 0) {
      u.query = cleanQuery(rest.substring(q + 1));
      rest = rest.substring(0, q);
    }

    if (rest.startsWith("//")) {
      u.hasAuthority = true;
      let end = rest.indexOf("/", 2);
      if (end < 0) end = rest.length;
      u.parseAuthority(rest.substring(2, end));
      rest = rest.substring(end);
      if (rest.length == 0) rest = "/";
    }
    u.path = removeDotSegments(normalizeEscapes(rest, "/:@!$&'()*+,;="));
    return u;
  }

  private parseAuthority(a: string): void {
    const at = a.lastIndexOf("@");
    if (at >= 0) {
      this.userinfo = normalizeEscapes(a.substring(0, at), ":!$&'()*+,;=");
      a = a.substring(at + 1);
    }
    // The port follows the last ":", unless that is inside an IPv6 [literal].
    const colon = a.lastIndexOf(":");
    if (colon >= 0 && colon > a.lastIndexOf("]")) {
      this.port = parsePort(a.substring(colon + 1), this.scheme);
      a = a.substring(0, colon);
    }
    let host = normalizeEscapes(a, "!$&'()*+,;=:[]", true);
    if (host.endsWith(".")) host = host.substring(0, host.length - 1);
    if (host.length == 0 && this.scheme != "file")
      throw new Error("normalize_url: \"" + this.scheme + "://" + a + "\" has no host");
    this.host = host;
  }

  toString(): string {
    let s = this.scheme + ":";
    if (this.hasAuthority) {
      s += "//";
      if (this.userinfo.length) s += this.userinfo + "@";
      s += this.host;
      if (this.port.length) s += ":" + this.port;
    }
    s += this.path;
    if (this.query.length) s += "?" + this.query;
    return s;
  }
}

function isSchemeChar(c: i32, first: bool): bool {
  const alpha = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E;
}

function defaultPort(scheme: string): i32 {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return -1;
}

/** "" for an empty or default port, else the port without leading zeros. */
function parsePort(p: string, scheme: string): string {
  if (p.length == 0) return "";
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || n > 65535)
      throw new Error("normalize_url: invalid port \"" + p + "\"");
    n = n * 10 + (c - 0x30);
  }
  if (n > 65535) throw new Error("normalize_url: invalid port \"" + p + "\"");
  return n == defaultPort(scheme) ? "" : n.toString();
}

/** Drops empty and tracking parameters, keeping the others in order. */
function cleanQuery(query: string): string {
  const params = query.split("&");
  const kept = new Array<string>();
  for (let i = 0; i < params.length; i++) {
    const p = normalizeEscapes(params[i], "/?:@!$'()*+,;=");
    if (p.length == 0) continue;
    const eq = p.indexOf("=");
    const key = (eq < 0 ? p : p.substring(0, eq)).toLowerCase();
    if (key.startsWith("utm_") || key == "fbclid" || key == "gclid") continue;
    kept.push(p);
  }
  return kept.join("&");
}

// RFC 3986 section 5.2.4, on an absolute path (a path without a leading "/",
// as in mailto:someone@example.com, is left alone).
function removeDotSegments(path: string): string {
  if (!path.startsWith("/")) return path;
  const input = path.split("/");
  const out = new Array<string>();
  for (let i = 1; i < input.length; i++) {
    const seg = input[i];
    const last = i == input.length - 1;
    if (seg == ".") {
      if (last) out.push("");
    } else if (seg == "..") {
      if (out.length) out.pop();
      if (last) out.push("");
    } else {
      out.push(seg);
    }
  }
  return "/" + out.join("/");
}

// ---- percent-encoding --------------------------------------------------------

const HEX = "0123456789ABCDEF";

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function isUnreserved(c: i32): bool {
  return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) ||
         c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E;    // - . _ ~
}

function hasChar(set: string, c: i32): bool {
  for (let k = 0; k < set.length; k++)
    if (set.charCodeAt(k) == c) return true;
  return false;
}

/**
 * A growable UTF-16 buffer.  Appending is amortised constant time, where
 * `s += x` in a loop copies the whole string each time.
 */
class Builder {
  private buf: ArrayBuffer = new ArrayBuffer(64);
  private len: usize = 0;                 // in bytes

  private reserve(bytes: usize): usize {
    const need = this.len + bytes;
    if (need > <usize>this.buf.byteLength) {
      let cap = <usize>this.buf.byteLength << 1;
      while (cap < need) cap <<= 1;
      const grown = new ArrayBuffer(<i32>cap);
      memory.copy(changetype<usize>(grown), changetype<usize>(this.buf), this.len);
      this.buf = grown;
    }
    const at = changetype<usize>(this.buf) + this.len;
    this.len = need;
    return at;
  }

  /** Appends s[from, to). */
  addRange(s: string, from: i32, to: i32): void {
    const n = <usize>(to - from) << 1;
    memory.copy(this.reserve(n), changetype<usize>(s) + (<usize>from << 1), n);
  }

  addChar(c: i32): void {
    store<u16>(this.reserve(2), <u16>c);
  }

  /** Appends %XX for one byte. */
  addEscape(b: i32): void {
    this.addChar(0x25);
    this.addChar(HEX.charCodeAt(b >> 4));
    this.addChar(HEX.charCodeAt(b & 15));
  }

  toString(): string {
    return String.UTF16.decodeUnsafe(changetype<usize>(this.buf), this.len);
  }
}

/**
 * Percent-escapes made canonical: hex digits upper case, unreserved
 * characters decoded, and every character that is neither unreserved nor in
 * `allowed` (nor a valid escape) encoded as UTF-8 bytes.  For a host name,
 * `isHost` keeps non-ASCII characters as they are (bücher.example) and puts
 * all letters in lower case.
 */
function normalizeEscapes(s: string, allowed: string, isHost: bool = false): string {
  if (isHost) s = s.toLowerCase();      // escapes' hex digits are fixed below
  const out = new Builder();
  let start = 0;                        // first character of an unchanged run
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 0x25 /* % */ && i + 2 < s.length && hexValue(s.charCodeAt(i + 1)) >= 0 &&
        hexValue(s.charCodeAt(i + 2)) >= 0) {
      let b = (hexValue(s.charCodeAt(i + 1)) << 4) | hexValue(s.charCodeAt(i + 2));
      out.addRange(s, start, i);
      if (isUnreserved(b)) {
        if (isHost && b >= 0x41 && b <= 0x5A) b += 0x20;   // %41 in a host is "a"
        out.addChar(b);
      } else {
        out.addEscape(b);
      }
      i += 3;
      start = i;
    } else if (c < 0x80 ? isUnreserved(c) || hasChar(allowed, c) : isHost) {
      i++;
    } else {
      // Encode one code point as UTF-8; a surrogate pair is two UTF-16 units.
      out.addRange(s, start, i);
      let cp = s.codePointAt(i);
      i += cp > 0xFFFF ? 2 : 1;
      start = i;
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;      // a lone surrogate
      if (cp < 0x80) {
        out.addEscape(cp);
      } else if (cp < 0x800) {
        out.addEscape(0xC0 | (cp >> 6));
        out.addEscape(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out.addEscape(0xE0 | (cp >> 12));
        out.addEscape(0x80 | ((cp >> 6) & 0x3F));
        out.addEscape(0x80 | (cp & 0x3F));
      } else {
        out.addEscape(0xF0 | (cp >> 18));
        out.addEscape(0x80 | ((cp >> 12) & 0x3F));
        out.addEscape(0x80 | ((cp >> 6) & 0x3F));
        out.addEscape(0x80 | (cp & 0x3F));
      }
    }
  }
  out.addRange(s, start, s.length);
  return out.toString();
}

/** Decodes %XX escapes (as UTF-8) and '+' (as a space) in a query part. */
function decodeComponent(s: string): string {
  const bytes = new Uint8Array(String.UTF8.byteLength(s));
  let n = 0;
  const raw = Uint8Array.wrap(String.UTF8.encode(s));
  for (let i = 0; i < raw.length; i++) {
    const c = <i32>raw[i];
    if (c == 0x25 && i + 2 < raw.length && hexValue(raw[i + 1]) >= 0 && hexValue(raw[i + 2]) >= 0) {
      bytes[n++] = <u8>((hexValue(raw[i + 1]) << 4) | hexValue(raw[i + 2]));
      i += 2;
    } else {
      bytes[n++] = c == 0x2B ? 0x20 : <u8>c;
    }
  }
  return String.UTF8.decodeUnsafe(bytes.dataStart, n);
}
