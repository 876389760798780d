//! fuzzy.rs — fuzzy text matching and robust statistics for pgwasm, in Rust
//! with no external crates.
//!
//! Build with Debian's rustc and its wasm32 standard library
//! (packages rustc, libstd-rust-dev-wasm32):
//!
//!     rustc --target wasm32-unknown-unknown --crate-type cdylib -O \
//!           -C strip=debuginfo -o fuzzy.wasm fuzzy.rs
//!
//! SQL:
//!
//!     CREATE FUNCTION levenshtein(text, text) RETURNS int4
//!         IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'fuzzy:levenshtein';
//!     CREATE FUNCTION title_case(text) RETURNS text
//!         IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'fuzzy:title_case';
//!     CREATE FUNCTION median(float8[]) RETURNS float8
//!         IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'fuzzy:median';
//!
//! The first part of the file is the glue any Rust guest needs (allocator
//! exports, argument views, result encoding, the pgwasm.error import); the
//! second part is the functions themselves.

use std::alloc::{alloc, dealloc, realloc, Layout};

// ---- glue ------------------------------------------------------------------

// pgwasm frees buffers with `free(ptr)`, without a size, but Rust's allocator
// needs the size back: every block carries its size in a 16-byte header.
const HDR: usize = 16;

unsafe fn layout(size: usize) -> Layout {
    Layout::from_size_align_unchecked(size + HDR, HDR)
}

/// Allocator export (component-model canonical ABI signature). pgwasm calls
/// cabi_realloc(0, 0, align, size) for each argument buffer; align <= 8.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(
    old: *mut u8,
    _old_size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    if align > HDR {
        std::arch::wasm32::unreachable();
    }
    let base = if old.is_null() {
        alloc(layout(new_size))
    } else {
        let base = old.sub(HDR);
        realloc(base, layout(*(base as *const usize)), new_size + HDR)
    };
    if base.is_null() {
        std::arch::wasm32::unreachable();
    }
    *(base as *mut usize) = new_size;
    base.add(HDR)
}

/// Releases argument and result buffers after each call.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8) {
    if !ptr.is_null() {
        let base = ptr.sub(HDR);
        dealloc(base, layout(*(base as *const usize)));
    }
}

#[link(wasm_import_module = "pgwasm")]
extern "C" {
    /// Raises an ERROR (SQLSTATE P0001) with the message; never returns.
    #[link_name = "error"]
    fn pgwasm_error_raw(ptr: *const u8, len: usize) -> !;
}

fn pgwasm_error(msg: &str) -> ! {
    unsafe { pgwasm_error_raw(msg.as_ptr(), msg.len()) }
}

/// A text argument: (ptr, len) of UTF-8 that pgwasm has already validated.
unsafe fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    if len == 0 {
        return "";
    }
    std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len))
}

/// A float8[] argument: (ptr, count), 8-byte aligned.
unsafe fn float8s<'a>(ptr: *const f64, count: usize) -> &'a [f64] {
    if count == 0 {
        return &[];
    }
    std::slice::from_raw_parts(ptr, count)
}

/// A text/bytea result: copied into a buffer pgwasm will free, encoded as
/// (len << 32) | ptr.
fn give(bytes: &[u8]) -> u64 {
    unsafe {
        let p = cabi_realloc(std::ptr::null_mut(), 0, 1, bytes.len());
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        ((bytes.len() as u64) << 32) | (p as u32 as u64)
    }
}

// ---- functions ----------------------------------------------------------------

/// Edit distance in characters (not bytes) between two strings.
#[no_mangle]
pub unsafe extern "C" fn levenshtein(a: *const u8, alen: usize, b: *const u8, blen: usize) -> i32 {
    let a: Vec<char> = text(a, alen).chars().collect();
    let b: Vec<char> = text(b, blen).chars().collect();
    if a.len().max(b.len()) > 10_000 {
        pgwasm_error("levenshtein: arguments longer than 10000 characters");
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] as i32
}

/// "the QUICK brown fox" -> "The Quick Brown Fox" (Unicode-aware).
#[no_mangle]
pub unsafe extern "C" fn title_case(ptr: *const u8, len: usize) -> u64 {
    let mut out = String::with_capacity(len);
    let mut start = true;
    for c in text(ptr, len).chars() {
        if c.is_alphanumeric() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = c != '\'';
        }
    }
    give(out.as_bytes())
}

/// Median of the values; NaN for an empty array.
#[no_mangle]
pub unsafe extern "C" fn median(ptr: *const f64, count: usize) -> f64 {
    let mut v = float8s(ptr, count).to_vec();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|x, y| x.total_cmp(y));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}
