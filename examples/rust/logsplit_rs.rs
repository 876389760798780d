//! logsplit_rs.rs — the Rust twin of examples/c/logsplit.c: set-returning
//! functions (cursors), a table function returning records, a trigger, and
//! the SQL declarations the module carries in its custom section
//! "pgwasm_functions", so `wasm.create_functions('logsplit_rs')` creates
//! them all.  No crates.
//!
//!     rustc --target wasm32-unknown-unknown --crate-type cdylib -O \
//!           -C strip=debuginfo -o logsplit_rs.wasm logsplit_rs.rs
//!
//! Layouts are the canonical ABI's (docs/abi.md): a row is a pointer to
//! {tag: u8, value} (tag 1 a row, 0 the end), value at its alignment; a
//! string is {ptr: u32, len: u32}; a trigger gets a pointer to {event, old,
//! new} and answers with a pointer to {tag, row} (0 skip, 1 unchanged, 2 row).

use std::alloc::{alloc, dealloc, realloc, Layout};

// ---- declarations (the custom section) ----------------------------------------

const DECLS: &[u8] = b"csv_fields(line text) RETURNS SETOF text STRICT IMMUTABLE\n\
parse_log(log text) RETURNS TABLE(line_no int4, level text, message text) STRICT IMMUTABLE\n\
logs_normalize() RETURNS trigger\n";

#[link_section = "pgwasm_functions"]
#[used]
static PGWASM_FUNCTIONS: [u8; DECLS.len()] = {
    let mut out = [0u8; DECLS.len()];
    let mut i = 0;
    while i < DECLS.len() {
        out[i] = DECLS[i];
        i += 1;
    }
    out
};

// ---- glue: allocator exports (pgwasm frees with free(ptr), no size) ------------

const HDR: usize = 16;

unsafe fn layout(size: usize) -> Layout {
    Layout::from_size_align_unchecked(size + HDR, HDR)
}

#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, _old: usize, align: usize, size: usize) -> *mut u8 {
    if align > HDR {
        std::arch::wasm32::unreachable();
    }
    let base = if old.is_null() {
        alloc(layout(size))
    } else {
        let b = old.sub(HDR);
        realloc(b, layout(*(b as *const usize)), size + HDR)
    };
    if base.is_null() {
        std::arch::wasm32::unreachable();
    }
    *(base as *mut usize) = size;
    base.add(HDR)
}

#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8) {
    if !ptr.is_null() {
        let b = ptr.sub(HDR);
        dealloc(b, layout(*(b as *const usize)));
    }
}

/// A string in guest memory, as the canonical ABI lays it out.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Str {
    ptr: *const u8,
    len: usize,
}

impl Str {
    /// A copy of s in a block pgwasm will free.
    fn owned(s: &[u8]) -> Str {
        unsafe {
            let p = cabi_realloc(std::ptr::null_mut(), 0, 1, s.len());
            std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
            Str { ptr: p, len: s.len() }
        }
    }
    unsafe fn bytes<'a>(&self) -> &'a [u8] {
        if self.len == 0 { &[] } else { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

// ---- cursors -------------------------------------------------------------------

struct Cursor {
    text: Vec<u8>,
    pos: usize,
    line_no: i32,
    done: bool,
}

static mut CURSORS: Vec<Option<Cursor>> = Vec::new();

unsafe fn open(p: *const u8, len: usize) -> i32 {
    let text = if len == 0 { Vec::new() } else { std::slice::from_raw_parts(p, len).to_vec() };
    let c = Cursor { text, pos: 0, line_no: 0, done: false };
    let cursors = &mut *std::ptr::addr_of_mut!(CURSORS);
    for (h, slot) in cursors.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = Some(c);
            return h as i32;
        }
    }
    cursors.push(Some(c));
    (cursors.len() - 1) as i32
}

unsafe fn cursor(h: i32) -> &'static mut Cursor {
    let cursors = &mut *std::ptr::addr_of_mut!(CURSORS);
    match cursors.get_mut(h as usize) {
        Some(Some(c)) => c,
        _ => std::arch::wasm32::unreachable(),
    }
}

unsafe fn close(h: i32) {
    let cursors = &mut *std::ptr::addr_of_mut!(CURSORS);
    if let Some(slot) = cursors.get_mut(h as usize) {
        *slot = None;
    }
}

// ---- csv_fields(line text) RETURNS SETOF text -------------------------------------

#[repr(C)]
pub struct TextRow {
    tag: u8,
    value: Str,
}

static mut TEXT_ROW: TextRow = TextRow { tag: 0, value: Str { ptr: std::ptr::null(), len: 0 } };

#[no_mangle]
pub unsafe extern "C" fn csv_fields(p: *const u8, len: usize) -> i32 {
    open(p, len)
}

#[no_mangle]
pub unsafe extern "C" fn csv_fields_next(h: i32) -> *const TextRow {
    let c = cursor(h);
    let row = &mut *std::ptr::addr_of_mut!(TEXT_ROW);
    if c.done {
        row.tag = 0;
        return row;
    }
    let mut field = Vec::new();
    let mut quoted = false;
    while c.pos < c.text.len() {
        let ch = c.text[c.pos];
        if quoted {
            if ch == b'"' && c.text.get(c.pos + 1) == Some(&b'"') {
                field.push(b'"');
                c.pos += 1;
            } else if ch == b'"' {
                quoted = false;
            } else {
                field.push(ch);
            }
        } else if ch == b'"' {
            quoted = true;
        } else if ch == b',' {
            break;
        } else {
            field.push(ch);
        }
        c.pos += 1;
    }
    if c.pos >= c.text.len() {
        c.done = true;
    }
    c.pos += 1;
    row.tag = 1;
    row.value = Str::owned(&field);
    row
}

#[no_mangle]
pub unsafe extern "C" fn csv_fields_close(h: i32) {
    close(h)
}

// ---- parse_log(log text) RETURNS TABLE(line_no int4, level text, message text) ------

#[repr(C)]
pub struct LogRecord {
    line_no: i32,
    level: Str,
    message: Str,
}

#[repr(C)]
pub struct LogRow {
    tag: u8,
    value: LogRecord,
}

static mut LOG_ROW: LogRow = LogRow {
    tag: 0,
    value: LogRecord {
        line_no: 0,
        level: Str { ptr: std::ptr::null(), len: 0 },
        message: Str { ptr: std::ptr::null(), len: 0 },
    },
};

#[no_mangle]
pub unsafe extern "C" fn parse_log(p: *const u8, len: usize) -> i32 {
    open(p, len)
}

#[no_mangle]
pub unsafe extern "C" fn parse_log_next(h: i32) -> *const LogRow {
    let c = cursor(h);
    let row = &mut *std::ptr::addr_of_mut!(LOG_ROW);
    while c.pos < c.text.len() {
        let start = c.pos;
        while c.pos < c.text.len() && c.text[c.pos] != b'\n' {
            c.pos += 1;
        }
        let mut end = c.pos;
        c.pos += 1;
        c.line_no += 1;
        if end > start && c.text[end - 1] == b'\r' {
            end -= 1;
        }
        if end == start {
            continue;
        }
        let line = &c.text[start..end];
        let (level, message) = match line.iter().position(|&b| b == b' ') {
            Some(sp) => (&line[..sp], &line[sp + 1..]),
            None => (line, &line[line.len()..]),
        };
        row.tag = 1;
        row.value.line_no = c.line_no;
        row.value.level = Str::owned(level);
        row.value.message = Str::owned(message);
        return row;
    }
    row.tag = 0;
    row
}

#[no_mangle]
pub unsafe extern "C" fn parse_log_close(h: i32) {
    close(h)
}

// ---- logs_normalize() RETURNS trigger ---------------------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
pub struct OptStr {
    is_some: u8,
    value: Str,
}

/// The row of a table (level text, message text): every column an option.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct LogEntry {
    level: OptStr,
    message: OptStr,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct OptEntry {
    tag: u8,
    value: LogEntry,
}

#[repr(C)]
pub struct Event {
    op: u8,
    timing: u8,
    level: u8,
    table_name: Str,
    table_schema: Str,
    args: Str, // {ptr, count} of Str
}

#[repr(C)]
pub struct TriggerCall {
    event: Event,
    old: OptEntry,
    new: OptEntry,
}

static mut TRIGGER_RESULT: OptEntry = OptEntry {
    tag: 0,
    value: LogEntry {
        level: OptStr { is_some: 0, value: Str { ptr: std::ptr::null(), len: 0 } },
        message: OptStr { is_some: 0, value: Str { ptr: std::ptr::null(), len: 0 } },
    },
};

#[no_mangle]
pub unsafe extern "C" fn logs_normalize(call: *const TriggerCall) -> *const OptEntry {
    let call = &*call;
    let result = &mut *std::ptr::addr_of_mut!(TRIGGER_RESULT);
    result.tag = 1; // unchanged
    if call.new.tag == 0 || call.new.value.level.is_some == 0 {
        return result;
    }
    let level = call.new.value.level.value.bytes().to_ascii_uppercase();
    if level == b"DEBUG" {
        result.tag = 0; // skip
        return result;
    }
    result.tag = 2; // our row
    result.value = call.new.value;
    result.value.level.value = Str::owned(&level);
    result
}
