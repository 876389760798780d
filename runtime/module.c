/*
 * module.c — small shared utilities of the runtime and the module object's
 * public face.
 *
 * It holds what every other translation unit leans on: the default
 * allocator, zeroed allocation with overflow checking, error formatting, and
 * the bounds-checked byte reader (LEB128 integers, byte ranges, UTF-8 names)
 * used by the decoder and the validator.  It also implements the public
 * module API of wasmrt.h on top of the structure decode.c fills in:
 * loading (decode, then validate), freeing, import/export introspection,
 * function names and eager compilation.
 *
 * Reader error wording follows the official spec test suite (whose harness
 * compares messages by prefix): running out of bytes is "unexpected end of
 * section or function" (the decoder itself reports "unexpected end" where a
 * header is truncated), an over-long LEB128 is "integer representation too
 * long", and spare high bits that do not match the value are "integer too
 * large".
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "tier.h"

/* ---- allocation ---------------------------------------------------------- */

static void *
default_alloc(void *ud, size_t size)
{
	(void) ud;
	return malloc(size);
}

static void *
default_realloc(void *ud, void *ptr, size_t size)
{
	(void) ud;
	return realloc(ptr, size);
}

static void
default_free(void *ud, void *ptr)
{
	(void) ud;
	free(ptr);
}

const wrt_allocator wrt_default_allocator = {
	default_alloc, default_realloc, default_free, NULL
};

void *
wrt_calloc(const wrt_allocator *a, size_t n, size_t size)
{
	/* The embedder's allocator has no calloc: multiply with an overflow
	 * check (hostile counts reach here) and clear by hand. */
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	size_t total = n * size;
	void *p = wrt_alloc(a, total);
	if (p)
		memset(p, 0, total ? total : 1);
	return p;
}

/* ---- errors -------------------------------------------------------------- */

bool
wrt_set_error(wrt_error *err, wrt_errkind kind, uint32_t offset, const char *fmt, ...)
{
	if (!err)
		return false;
	err->kind = kind;
	err->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return false;
}

/* ---- byte reader --------------------------------------------------------- */

static bool
reader_eof(wrt_reader *r)
{
	return wrt_set_error(r->err, WRT_ERR_MALFORMED, wrt_reader_offset(r),
						 "unexpected end of section or function");
}

bool
wrt_read_u8(wrt_reader *r, uint8_t *out)
{
	if (r->p >= r->end)
		return reader_eof(r);
	*out = *r->p++;
	return true;
}

/*
 * Unsigned LEB128 of at most 32 bits: at most 5 bytes, and the 4 spare high
 * bits of the fifth byte must be zero.
 */
bool
wrt_read_u32(wrt_reader *r, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 5; i++)
	{
		if (r->p >= r->end)
			return reader_eof(r);
		uint8_t b = *r->p++;
		if (i == 4)
		{
			if (b & 0x80)
				return wrt_set_error(r->err, WRT_ERR_MALFORMED, wrt_reader_offset(r) - 1,
									 "integer representation too long");
			if (b & 0x70)
				return wrt_set_error(r->err, WRT_ERR_MALFORMED, wrt_reader_offset(r) - 1,
									 "integer too large");
		}
		v |= (uint32_t) (b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			break;
	}
	*out = v;
	return true;
}

/*
 * Signed LEB128 of `bits` bits (32, 33 or 64) into an int64_t.  The last
 * permitted byte must not continue, and its bits above the value's width must
 * all equal the sign bit (a proper sign extension).
 */
static bool
read_sleb(wrt_reader *r, unsigned bits, int64_t *out)
{
	unsigned maxbytes = (bits + 6) / 7;
	uint64_t v = 0;
	unsigned shift = 0;
	for (unsigned i = 0; i < maxbytes; i++)
	{
		if (r->p >= r->end)
			return reader_eof(r);
		uint8_t b = *r->p++;
		if (i == maxbytes - 1)
		{
			if (b & 0x80)
				return wrt_set_error(r->err, WRT_ERR_MALFORMED, wrt_reader_offset(r) - 1,
									 "integer representation too long");
			/* Bits of this byte that carry value: bits - shift (1..7). */
			unsigned used = bits - shift;
			uint8_t sign = (uint8_t) ((b >> (used - 1)) & 1);
			uint8_t spare = (uint8_t) (0x7f & ~((1u << used) - 1));
			if ((b & spare) != (sign ? spare : 0))
				return wrt_set_error(r->err, WRT_ERR_MALFORMED, wrt_reader_offset(r) - 1,
									 "integer too large");
		}
		v |= (uint64_t) (b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
		{
			/* Sign-extend from the last byte's bit 6. */
			if (shift < 64 && (b & 0x40))
				v |= ~(uint64_t) 0 << shift;
			break;
		}
	}
	/* Two's-complement reinterpretation; memcpy keeps it defined. */
	int64_t s;
	memcpy(&s, &v, sizeof s);
	*out = s;
	return true;
}

bool
wrt_read_s32(wrt_reader *r, int32_t *out)
{
	int64_t v;
	if (!read_sleb(r, 32, &v))
		return false;
	*out = (int32_t) v;
	return true;
}

bool
wrt_read_s33(wrt_reader *r, int64_t *out)
{
	return read_sleb(r, 33, out);
}

bool
wrt_read_s64(wrt_reader *r, int64_t *out)
{
	return read_sleb(r, 64, out);
}

bool
wrt_read_bytes(wrt_reader *r, size_t n, const uint8_t **out)
{
	if (n > (size_t) (r->end - r->p))
	{
		/* Report where the data runs out, as the reference does. */
		r->p = r->end;
		return reader_eof(r);
	}
	*out = r->p;
	r->p += n;
	return true;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool
utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n)
	{
		uint8_t c = s[i];
		if (c < 0x80)
		{
			i++;
			continue;
		}
		size_t need;
		uint8_t lo = 0x80, hi = 0xbf;   /* allowed range of the 2nd byte */
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
		{
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;              /* overlong */
			else if (c == 0xed)
				hi = 0x9f;              /* surrogates */
		}
		else if (c >= 0xf0 && c <= 0xf4)
		{
			need = 3;
			if (c == 0xf0)
				lo = 0x90;              /* overlong */
			else if (c == 0xf4)
				hi = 0x8f;              /* above U+10FFFF */
		}
		else
			return false;               /* continuation byte, C0/C1, F5+ */
		if (n - i - 1 < need)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

bool
wrt_read_name(wrt_reader *r, const char **name, uint32_t *len)
{
	uint32_t n;
	uint32_t at = wrt_reader_offset(r);
	if (!wrt_read_u32(r, &n))
		return false;
	/* A length beyond the remaining bytes is its own error in the spec. */
	if (n > (size_t) (r->end - r->p))
		return wrt_set_error(r->err, WRT_ERR_MALFORMED, at, "length out of bounds");
	if (!utf8_valid(r->p, n))
		return wrt_set_error(r->err, WRT_ERR_MALFORMED, at, "malformed UTF-8 encoding");
	*name = (const char *) r->p;
	*len = n;
	r->p += n;
	return true;
}

/* ---- module object ------------------------------------------------------- */

/*
 * Give exported functions that the name section does not name their export
 * name, so backtraces of stripped modules still say which function trapped.
 * Names are optional: running out of memory here just leaves them out.
 */
static void
name_exported_functions(wrt_module *m)
{
	for (uint32_t i = 0; i < m->nexports; i++)
	{
		const wrt_export *e = &m->exports[i];
		if (e->kind != WRT_EXTERN_FUNC || e->index >= m->nfuncs)
			continue;
		if (m->func_names && m->func_names[e->index])
			continue;
		if (!m->func_names && !(m->func_names = wrt_calloc(&m->alloc, m->nfuncs, sizeof(char *))))
			return;
		char *copy = wrt_alloc(&m->alloc, (size_t) e->name_len + 1);
		if (!copy)
			return;
		memcpy(copy, e->name, e->name_len);
		copy[e->name_len] = '\0';
		m->func_names[e->index] = copy;
	}
}

wrt_module *
wrt_module_load_ex(const uint8_t *bytes, size_t len, const wrt_allocator *alloc,
				   const wrt_load_options *opts, wrt_error *err)
{
	wrt_module *m = wrt_decode(bytes, len, alloc, err);
	if (!m)
		return NULL;
	wrt_module_set_options(m, opts);
	if (!wrt_validate(m, err))
	{
		wrt_module_destroy(m);
		return NULL;
	}
	name_exported_functions(m);
	if (err)
	{
		err->kind = WRT_OK;
		err->offset = 0;
		err->message[0] = '\0';
	}
	return m;
}

wrt_module *
wrt_module_load(const uint8_t *bytes, size_t len, const wrt_allocator *alloc,
				wrt_error *err)
{
	return wrt_module_load_ex(bytes, len, alloc, NULL, err);
}

void
wrt_module_set_options(wrt_module *m, const wrt_load_options *opts)
{
	if (opts)
		m->opts = *opts;
	else
		memset(&m->opts, 0, sizeof(m->opts));
	if (m->opts.max_code_bytes == 0)
		m->opts.max_code_bytes = WRT_DEFAULT_CODE_LIMIT;
}

size_t
wrt_module_code_bytes(const wrt_module *m)
{
	return m->code_bytes;
}

uint64_t
wrt_module_work(const wrt_module *m)
{
	return m->work;
}

bool
wrt_module_poll(wrt_module *m, wrt_error *err, uint32_t offset)
{
	if (!m->opts.interrupt || !*m->opts.interrupt)
		return true;
	if (m->opts.interrupt_handler && m->opts.interrupt_handler(m->opts.interrupt_ud))
		return true;
	return wrt_set_error(err, WRT_ERR_INTERRUPTED, offset, "interrupted");
}

void
wrt_module_free(wrt_module *m)
{
	if (m)
		wrt_tier_module_free(m);
	wrt_module_destroy(m);
}

static void
fill_externtype(const wrt_module *m, uint8_t kind, uint32_t index, wrt_externtype *t)
{
	memset(t, 0, sizeof *t);
	t->kind = (wrt_externkind) kind;
	switch (kind)
	{
		case WRT_EXTERN_FUNC:
			t->func = *wrt_module_functype(m, index);
			break;
		case WRT_EXTERN_TABLE:
			t->elemtype = m->tables[index].elemtype;
			t->limits = m->tables[index].limits;
			break;
		case WRT_EXTERN_MEMORY:
			t->limits = m->mems[index];
			break;
		case WRT_EXTERN_GLOBAL:
			t->valtype = m->globals[index].type;
			t->mutable_ = m->globals[index].mut;
			break;
	}
}

uint32_t
wrt_module_import_count(const wrt_module *m)
{
	return m->nimports;
}

void
wrt_module_import(const wrt_module *m, uint32_t i,
				  const char **module, uint32_t *module_len,
				  const char **name, uint32_t *name_len,
				  wrt_externtype *type)
{
	const wrt_import *imp = &m->imports[i];
	if (module)
		*module = imp->module;
	if (module_len)
		*module_len = imp->module_len;
	if (name)
		*name = imp->name;
	if (name_len)
		*name_len = imp->name_len;
	if (type)
		fill_externtype(m, imp->kind, imp->index, type);
}

uint32_t
wrt_module_export_count(const wrt_module *m)
{
	return m->nexports;
}

void
wrt_module_export(const wrt_module *m, uint32_t i,
				  const char **name, uint32_t *name_len,
				  wrt_externtype *type)
{
	const wrt_export *ex = &m->exports[i];
	if (name)
		*name = ex->name;
	if (name_len)
		*name_len = ex->name_len;
	if (type)
		fill_externtype(m, ex->kind, ex->index, type);
}

bool
wrt_module_find_export(const wrt_module *m, const char *name, size_t name_len,
					   wrt_externtype *type)
{
	for (uint32_t i = 0; i < m->nexports; i++)
	{
		const wrt_export *ex = &m->exports[i];
		if (ex->name_len == name_len && memcmp(ex->name, name, name_len) == 0)
		{
			if (type)
				fill_externtype(m, ex->kind, ex->index, type);
			return true;
		}
	}
	return false;
}

const char *
wrt_module_func_name(const wrt_module *m, uint32_t func_index)
{
	if (!m->func_names || func_index >= m->nfuncs)
		return NULL;
	return m->func_names[func_index];
}

bool
wrt_module_compile_all(wrt_module *m, wrt_error *err)
{
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	for (uint32_t i = 0; i < ndefined; i++)
		if (!m->codes[i].compiled && !wrt_compile(m, &m->codes[i], err))
			return false;
	return true;
}

/* ---- helpers ------------------------------------------------------------- */

const char *
wrt_valtype_name(uint8_t t)
{
	switch (t)
	{
		case WRT_I32: return "i32";
		case WRT_I64: return "i64";
		case WRT_F32: return "f32";
		case WRT_F64: return "f64";
		case WRT_V128: return "v128";
		case WRT_FUNCREF: return "funcref";
		case WRT_EXTERNREF: return "externref";
		default: return "unknown";
	}
}

bool
wrt_functype_equal(const wrt_functype *a, const wrt_functype *b)
{
	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	/* memcmp with a zero length and a possibly NULL pointer is UB: guard. */
	if (a->nparams && memcmp(a->params, b->params, a->nparams) != 0)
		return false;
	if (a->nresults && memcmp(a->results, b->results, a->nresults) != 0)
		return false;
	return true;
}
