/*
 * decode.c — the WebAssembly 2.0 binary format to struct wrt_module.
 *
 * wrt_decode() copies the module bytes, then walks the header and every
 * section in order, filling the decoded module of internal.h: types, imports,
 * the function/table/memory/global spaces, exports, start, element and data
 * segments, function bodies (as byte ranges plus expanded local types) and
 * function names from the "name" custom section.  It checks only what the
 * binary format itself requires; typing and index checks are validate.c's.
 * Constant expressions and function bodies are kept as ranges of the owned
 * copy, so a decoded module is one allocation for the bytes plus a handful of
 * arrays.
 *
 * Error messages are those of the official spec test suite.  To reproduce
 * its messages the decoder reads like the reference interpreter does: one
 * cursor over the whole module, not clamped to the current section, with the
 * declared section size compared afterwards ("section size mismatch").  The
 * input is hostile (libFuzzer, user uploads): no vector count is trusted for
 * an allocation — every array is sized by the bytes that are left, since each
 * element takes at least one byte, and an element beyond that bound can only
 * be reached after the input has run out.
 */
#include "internal.h"
#include "opcodes.h"
#include "reader.h"

/* Sum of the expanded locals of all functions: bounds the memory a small
 * hostile module (many functions, each declaring 50000 locals in a few
 * bytes) can make the decoder allocate. */
#define WRT_MAX_TOTAL_LOCALS (1u << 26)

typedef struct dec {
	wrt_module *m;
	const wrt_allocator *a;
	wrt_reader r;               /* over the whole module */
	wrt_error *err;

	/* Capacities of the arrays the import section grows. */
	uint32_t func_cap, table_cap, mem_cap, global_cap;

	bool has_funcsec, has_code;
	uint32_t ncodes;            /* entries of the code section */
	uint64_t total_locals;

	/* Payload of the first "name" custom section, parsed at the end when
	 * the function count is known. */
	const uint8_t *names, *names_end;
} dec;

/* ---- small helpers --------------------------------------------------- */

static uint32_t
offset_of(const dec *d, const uint8_t *p)
{
	return (uint32_t) (p - d->r.base);
}

static bool
malformed(dec *d, const uint8_t *at, const char *msg)
{
	return wrt_set_error(d->err, WRT_ERR_MALFORMED, offset_of(d, at), "%s", msg);
}

static bool
oom(dec *d)
{
	return wrt_set_error(d->err, WRT_ERR_OOM, wrt_reader_offset(&d->r), "out of memory");
}

/* End of input where an element of a vector would start (see cap_count). */
static bool
eof(dec *d)
{
	return malformed(d, d->r.p, "unexpected end of section or function");
}

static size_t
remaining(const dec *d)
{
	return (size_t) (d->r.end - d->r.p);
}

/*
 * Capacity to allocate for a vector of n elements, each at least one byte
 * long: more than the remaining bytes can never be decoded, and the loop
 * reaching element `cap` means the input is exhausted (callers report eof()).
 */
static uint32_t
cap_count(const dec *d, uint32_t n)
{
	size_t rem = remaining(d);
	return n < rem ? n : (uint32_t) rem;
}

/* Grow *arr (element size elsize, capacity *cap) to hold at least need. */
static bool
reserve(dec *d, void **arr, uint32_t *cap, uint64_t need, size_t elsize)
{
	if (need <= *cap)
		return true;
	uint64_t ncap = (uint64_t) *cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap > UINT32_MAX || ncap > SIZE_MAX / elsize)
		return oom(d);
	void *p = *arr ? wrt_realloc(d->a, *arr, (size_t) ncap * elsize)
		: wrt_alloc(d->a, (size_t) ncap * elsize);
	if (!p)
		return oom(d);
	memset((uint8_t *) p + (size_t) *cap * elsize, 0, (size_t) (ncap - *cap) * elsize);
	*arr = p;
	*cap = (uint32_t) ncap;
	return true;
}

/* ---- types ----------------------------------------------------------- */

static bool
read_valtype(dec *d, uint8_t *out)
{
	const uint8_t *at = d->r.p;
	uint8_t b;
	if (!wrt_read_u8(&d->r, &b))
		return false;
	switch (b)
	{
		case WRT_I32:
		case WRT_I64:
		case WRT_F32:
		case WRT_F64:
		case WRT_V128:
		case WRT_FUNCREF:
		case WRT_EXTERNREF:
			*out = b;
			return true;
	}
	/* Value types are one-byte signed LEBs in the reference decoder. */
	return malformed(d, at, (b & 0x80) ? "integer representation too long"
					 : "malformed value type");
}

static bool
read_reftype(dec *d, uint8_t *out)
{
	const uint8_t *at = d->r.p;
	uint8_t b;
	if (!wrt_read_u8(&d->r, &b))
		return false;
	if (b == WRT_FUNCREF || b == WRT_EXTERNREF)
	{
		*out = b;
		return true;
	}
	return malformed(d, at, (b & 0x80) ? "integer representation too long"
					 : "malformed reference type");
}

static bool
read_limits(dec *d, wrt_limits *l)
{
	const uint8_t *at = d->r.p;
	uint8_t flags;
	uint32_t v;
	if (!wrt_read_u8(&d->r, &flags))
		return false;
	/* The flag is a one-bit unsigned LEB in Wasm 2.0 (shared memories and
	 * memory64 are not supported): anything else is an oversized integer. */
	if (flags & 0x80)
		return malformed(d, at, "integer representation too long");
	if (flags > 1)
		return malformed(d, at, "integer too large");
	if (!wrt_read_u32(&d->r, &v))
		return false;
	l->min = v;
	l->has_max = flags == 1;
	l->max = 0;
	if (l->has_max)
	{
		if (!wrt_read_u32(&d->r, &v))
			return false;
		l->max = v;
	}
	return true;
}

static bool
read_mut(dec *d, bool *mut)
{
	const uint8_t *at = d->r.p;
	uint8_t b;
	if (!wrt_read_u8(&d->r, &b))
		return false;
	if (b > 1)
		return malformed(d, at, "malformed mutability");
	*mut = b == 1;
	return true;
}

/* ---- function references ----------------------------------------------- */

/* The bitmap is created once the function space is complete (the import and
 * function sections precede every section that references functions). */
static bool
ensure_declared(dec *d)
{
	if (d->m->func_declared)
		return true;
	d->m->func_declared = wrt_calloc(d->a, (size_t) d->m->nfuncs / 8 + 1, 1);
	return d->m->func_declared ? true : oom(d);
}

static void
declare_func(dec *d, uint32_t f)
{
	/* Out-of-range indices are the validator's "unknown function". */
	if (f < d->m->nfuncs)
		d->m->func_declared[f >> 3] |= (uint8_t) (1u << (f & 7));
}

/* ---- constant expressions ------------------------------------------------ */

/*
 * Record the byte range of a constant expression up to and including its
 * final end.  Instructions are walked with the one instruction reader
 * (reader.h), so an end byte inside an immediate is not mistaken for the
 * terminator and malformed immediates are reported here, as the reference
 * decoder does; nested blocks are followed so the range matches the
 * reference decoder even for expressions the validator will reject.  With
 * declare, ref.func operands join the set of declared functions.
 */
static bool
read_constexpr(dec *d, wrt_constexpr *out, bool declare)
{
	const uint8_t *start = d->r.p;
	uint32_t depth = 0;
	wrt_insn_reader rd;

	/* Not clamped to the section: see the file comment. */
	wrt_insn_reader_init(&rd, d->r.base, d->r.p, d->r.end, d->err);
	for (;;)
	{
		wrt_insn in;
		if (!wrt_insn_next(&rd, &in))
			return false;
		if (in.op == WRT_OP_END)
		{
			if (depth == 0)
				break;
			depth--;
		}
		else if (in.op == WRT_OP_ELSE && depth == 0)
			return malformed(d, in.pos, "END opcode expected");
		else if (in.op == WRT_OP_BLOCK || in.op == WRT_OP_LOOP || in.op == WRT_OP_IF)
			depth++;
		else if (declare && in.op == WRT_OP_REF_FUNC)
			declare_func(d, in.index);
	}
	d->r.p = rd.r.p;
	out->start = start;
	out->len = (uint32_t) (d->r.p - start);
	return true;
}

/* ---- sections -------------------------------------------------------------- */

static bool
type_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	m->types = wrt_calloc(d->a, cap, sizeof(wrt_functype));
	if (!m->types)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		const uint8_t *at = d->r.p;
		uint8_t form;
		if (!wrt_read_u8(&d->r, &form))
			return false;
		if (form != 0x60)
			return malformed(d, at, (form & 0x80) ? "integer representation too long"
							 : "malformed function type");
		/* Value types are single bytes equal to their wrt_valtype codes,
		 * so params and results can point straight into the module. */
		wrt_functype *t = &m->types[i];
		uint8_t vt;
		if (!wrt_read_u32(&d->r, &t->nparams))
			return false;
		t->params = d->r.p;
		for (uint32_t k = 0; k < t->nparams; k++)
			if (!read_valtype(d, &vt))
				return false;
		if (!wrt_read_u32(&d->r, &t->nresults))
			return false;
		t->results = d->r.p;
		for (uint32_t k = 0; k < t->nresults; k++)
			if (!read_valtype(d, &vt))
				return false;
		/* The limit of V8 and wasmparser: it bounds what one block, call or
		 * branch costs the validator and the compiler. */
		if (t->nparams > WRT_MAX_ARITY || t->nresults > WRT_MAX_ARITY)
			return wrt_set_error(d->err, WRT_ERR_LIMIT, offset_of(d, at),
								 "function type has more than %u %s", WRT_MAX_ARITY,
								 t->nparams > WRT_MAX_ARITY ? "parameters" : "results");
		m->ntypes = i + 1;
	}
	return true;
}

static bool
import_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	m->imports = wrt_calloc(d->a, cap, sizeof(wrt_import));
	if (!m->imports)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		wrt_import imp;
		memset(&imp, 0, sizeof imp);
		if (!wrt_read_name(&d->r, &imp.module, &imp.module_len) ||
			!wrt_read_name(&d->r, &imp.name, &imp.name_len))
			return false;
		const uint8_t *at = d->r.p;
		uint8_t kind;
		if (!wrt_read_u8(&d->r, &kind))
			return false;
		imp.kind = kind;
		switch (kind)
		{
			case WRT_EXTERN_FUNC:
			{
				uint32_t ti;
				if (!wrt_read_u32(&d->r, &ti))
					return false;
				if (m->nfuncs >= WRT_MAX_FUNCS)
					return wrt_set_error(d->err, WRT_ERR_LIMIT, offset_of(d, at),
										 "too many functions");
				if (!reserve(d, (void **) &m->func_types, &d->func_cap,
							 (uint64_t) m->nfuncs + 1, sizeof(uint32_t)))
					return false;
				imp.index = m->nfuncs;
				m->func_types[m->nfuncs++] = ti;
				m->nfunc_imports++;
				break;
			}
			case WRT_EXTERN_TABLE:
			{
				wrt_tabletype tt;
				if (!read_reftype(d, &tt.elemtype) || !read_limits(d, &tt.limits))
					return false;
				if (!reserve(d, (void **) &m->tables, &d->table_cap,
							 (uint64_t) m->ntables + 1, sizeof(wrt_tabletype)))
					return false;
				imp.index = m->ntables;
				m->tables[m->ntables++] = tt;
				m->ntable_imports++;
				break;
			}
			case WRT_EXTERN_MEMORY:
			{
				wrt_limits l;
				if (!read_limits(d, &l))
					return false;
				if (!reserve(d, (void **) &m->mems, &d->mem_cap,
							 (uint64_t) m->nmems + 1, sizeof(wrt_limits)))
					return false;
				imp.index = m->nmems;
				m->mems[m->nmems++] = l;
				m->nmem_imports++;
				break;
			}
			case WRT_EXTERN_GLOBAL:
			{
				wrt_globaldef g;
				memset(&g, 0, sizeof g);
				if (!read_valtype(d, &g.type) || !read_mut(d, &g.mut))
					return false;
				if (!reserve(d, (void **) &m->globals, &d->global_cap,
							 (uint64_t) m->nglobals + 1, sizeof(wrt_globaldef)))
					return false;
				imp.index = m->nglobals;
				m->globals[m->nglobals++] = g;
				m->nglobal_imports++;
				break;
			}
			default:
				return malformed(d, at, "malformed import kind");
		}
		m->imports[i] = imp;
		m->nimports = i + 1;
	}
	return true;
}

static bool
function_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	const uint8_t *at = d->r.p;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	if ((uint64_t) m->nfuncs + cap > WRT_MAX_FUNCS)
		return wrt_set_error(d->err, WRT_ERR_LIMIT, offset_of(d, at), "too many functions");
	if (!reserve(d, (void **) &m->func_types, &d->func_cap,
				 (uint64_t) m->nfuncs + cap, sizeof(uint32_t)))
		return false;
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		if (!wrt_read_u32(&d->r, &m->func_types[m->nfuncs]))
			return false;
		m->nfuncs++;
	}
	d->has_funcsec = true;
	return true;
}

static bool
table_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	if (!reserve(d, (void **) &m->tables, &d->table_cap,
				 (uint64_t) m->ntables + cap, sizeof(wrt_tabletype)))
		return false;
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		wrt_tabletype *t = &m->tables[m->ntables];
		if (!read_reftype(d, &t->elemtype) || !read_limits(d, &t->limits))
			return false;
		m->ntables++;
	}
	return true;
}

static bool
memory_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	if (!reserve(d, (void **) &m->mems, &d->mem_cap,
				 (uint64_t) m->nmems + cap, sizeof(wrt_limits)))
		return false;
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		if (!read_limits(d, &m->mems[m->nmems]))
			return false;
		m->nmems++;
	}
	return true;
}

static bool
global_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!ensure_declared(d) || !wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	if (!reserve(d, (void **) &m->globals, &d->global_cap,
				 (uint64_t) m->nglobals + cap, sizeof(wrt_globaldef)))
		return false;
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		wrt_globaldef *g = &m->globals[m->nglobals];
		if (!read_valtype(d, &g->type) || !read_mut(d, &g->mut) ||
			!read_constexpr(d, &g->init, true))
			return false;
		m->nglobals++;
	}
	return true;
}

static bool
export_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!ensure_declared(d) || !wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	m->exports = wrt_calloc(d->a, cap, sizeof(wrt_export));
	if (!m->exports)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		wrt_export *e = &m->exports[i];
		if (!wrt_read_name(&d->r, &e->name, &e->name_len))
			return false;
		const uint8_t *at = d->r.p;
		uint8_t kind;
		if (!wrt_read_u8(&d->r, &kind))
			return false;
		if (kind > WRT_EXTERN_GLOBAL)
			return malformed(d, at, "malformed export kind");
		e->kind = kind;
		if (!wrt_read_u32(&d->r, &e->index))
			return false;
		if (kind == WRT_EXTERN_FUNC)
			declare_func(d, e->index);
		m->nexports = i + 1;
	}
	return true;
}

static bool
start_section(dec *d)
{
	if (!wrt_read_u32(&d->r, &d->m->start))
		return false;
	d->m->has_start = true;
	return true;
}

/*
 * Element segments.  The flag value 0..7 packs three bits:
 *   bit 0  passive or declarative (else active)
 *   bit 1  active: explicit table index; otherwise: declarative (with bit 0);
 *          in both cases an element kind / reference type byte follows
 *   bit 2  elements are constant expressions (else function indices)
 */
static bool
elem_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!ensure_declared(d) || !wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	m->elems = wrt_calloc(d->a, cap, sizeof(wrt_elem));
	if (!m->elems)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		/* Counted before its arrays exist so destroy frees them. */
		wrt_elem *e = &m->elems[i];
		m->nelems = i + 1;

		const uint8_t *at = d->r.p;
		uint32_t kind;
		if (!wrt_read_u32(&d->r, &kind))
			return false;
		if (kind > 7)
			return malformed(d, at, "malformed elements segment kind");
		bool active = !(kind & 1);
		e->mode = active ? WRT_SEG_ACTIVE
			: (kind & 2) ? WRT_SEG_DECLARATIVE : WRT_SEG_PASSIVE;
		e->reftype = WRT_FUNCREF;
		if (active && (kind & 2) && !wrt_read_u32(&d->r, &e->table))
			return false;
		if (active && !read_constexpr(d, &e->offset, false))
			return false;
		if (kind & 3)
		{
			if (kind & 4)
			{
				if (!read_reftype(d, &e->reftype))
					return false;
			}
			else
			{
				const uint8_t *kat = d->r.p;
				uint8_t ek;
				if (!wrt_read_u8(&d->r, &ek))
					return false;
				if (ek != 0x00)
					return malformed(d, kat, "malformed element kind");
			}
		}

		uint32_t count;
		if (!wrt_read_u32(&d->r, &count))
			return false;
		uint32_t ccap = cap_count(d, count);
		if (kind & 4)
		{
			e->exprs = wrt_calloc(d->a, ccap, sizeof(wrt_constexpr));
			if (!e->exprs)
				return oom(d);
			for (uint32_t k = 0; k < count; k++)
			{
				if (k == ccap)
					return eof(d);
				if (!read_constexpr(d, &e->exprs[k], true))
					return false;
				e->count = k + 1;
			}
		}
		else
		{
			e->funcs = wrt_calloc(d->a, ccap, sizeof(uint32_t));
			if (!e->funcs)
				return oom(d);
			for (uint32_t k = 0; k < count; k++)
			{
				if (k == ccap)
					return eof(d);
				if (!wrt_read_u32(&d->r, &e->funcs[k]))
					return false;
				declare_func(d, e->funcs[k]);
				e->count = k + 1;
			}
		}
	}
	return true;
}

static bool
datacount_section(dec *d)
{
	if (!wrt_read_u32(&d->r, &d->m->datacount))
		return false;
	d->m->has_datacount = true;
	return true;
}

/* One entry of the code section: locals, then the body as a byte range. */
static bool
code_entry(dec *d, uint32_t i)
{
	wrt_module *m = d->m;
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	const uint8_t *at = d->r.p;
	uint32_t size;
	if (!wrt_read_u32(&d->r, &size))
		return false;
	if (size > remaining(d))
		return malformed(d, at, "length out of bounds");
	const uint8_t *entry = d->r.p;
	const uint8_t *entry_end = entry + size;

	/* Parameters come first in the local index space.  An unknown type
	 * index is left for the validator ("unknown type"): no params here. */
	const wrt_functype *ft = NULL;
	uint32_t ti = 0;
	if (i < ndefined)
	{
		ti = m->func_types[m->nfunc_imports + i];
		if (ti < m->ntypes)
			ft = &m->types[ti];
	}
	uint32_t nparams = ft ? ft->nparams : 0;

	/* Pass 1: count.  The reference decoder reads every declaration before
	 * checking the total, so errors inside them take precedence. */
	uint32_t ndecl;
	if (!wrt_read_u32(&d->r, &ndecl))
		return false;
	const uint8_t *decls = d->r.p;
	uint64_t total = 0;
	for (uint32_t k = 0; k < ndecl; k++)
	{
		uint32_t cnt;
		uint8_t vt;
		if (!wrt_read_u32(&d->r, &cnt) || !read_valtype(d, &vt))
			return false;
		total += cnt;
	}
	if (total >= ((uint64_t) 1 << 32))
		return malformed(d, entry, "too many locals");
	if (total + nparams > WRT_MAX_LOCALS ||
		d->total_locals + total + nparams > WRT_MAX_TOTAL_LOCALS)
		return wrt_set_error(d->err, WRT_ERR_LIMIT, offset_of(d, entry), "too many locals");
	d->total_locals += total + nparams;

	const uint8_t *body = d->r.p;
	if (body > entry_end)
		return malformed(d, entry, "section size mismatch");
	if (body == entry_end || entry_end[-1] != 0x0b)
	{
		/* The reference decoder would read on past the entry looking for
		 * the end opcode: at the end of the module that is running out of
		 * input, otherwise it finds some other byte. */
		if (entry_end == d->r.end)
			return malformed(d, entry_end, "unexpected end of section or function");
		if (*entry_end == 0x0b)     /* it would take that byte as the end */
			return malformed(d, entry, "section size mismatch");
		return malformed(d, entry_end, "END opcode expected");
	}

	/* Entries beyond the function section's count are decoded for their
	 * errors only; the count mismatch is reported after the last section. */
	if (i >= ndefined)
	{
		d->r.p = entry_end;
		return true;
	}

	wrt_code *c = &m->codes[i];
	c->func_index = m->nfunc_imports + i;
	c->type_index = ti;
	c->nlocals = (uint32_t) (total + nparams);
	c->local_types = wrt_alloc(d->a, c->nlocals);
	if (!c->local_types)
		return oom(d);
	if (nparams)
		memcpy(c->local_types, ft->params, nparams);

	/* Pass 2: expand (already checked, cannot fail). */
	wrt_reader r2 = d->r;
	r2.p = decls;
	uint32_t pos = nparams;
	for (uint32_t k = 0; k < ndecl; k++)
	{
		uint32_t cnt;
		uint8_t vt;
		(void) wrt_read_u32(&r2, &cnt);
		(void) wrt_read_u8(&r2, &vt);
		memset(c->local_types + pos, vt, cnt);
		pos += cnt;
	}
	c->body = body;
	c->body_end = entry_end;
	d->r.p = entry_end;
	return true;
}

static bool
code_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	d->has_code = true;
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	m->codes = wrt_calloc(d->a, ndefined, sizeof(wrt_code));
	if (!m->codes)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		/* Each entry takes at least one byte: no more entries than bytes. */
		if (d->r.p >= d->r.end)
			return eof(d);
		if (!code_entry(d, i))
			return false;
		d->ncodes = i + 1;
	}
	return true;
}

static bool
data_section(dec *d)
{
	wrt_module *m = d->m;
	uint32_t n;
	if (!wrt_read_u32(&d->r, &n))
		return false;
	uint32_t cap = cap_count(d, n);
	m->datas = wrt_calloc(d->a, cap, sizeof(wrt_data));
	if (!m->datas)
		return oom(d);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i == cap)
			return eof(d);
		wrt_data *ds = &m->datas[i];
		const uint8_t *at = d->r.p;
		uint32_t kind;
		if (!wrt_read_u32(&d->r, &kind))
			return false;
		if (kind > 2)
			return malformed(d, at, "malformed data segment kind");
		ds->mode = kind == 1 ? WRT_SEG_PASSIVE : WRT_SEG_ACTIVE;
		if (kind == 2 && !wrt_read_u32(&d->r, &ds->memory))
			return false;
		if (kind != 1 && !read_constexpr(d, &ds->offset, false))
			return false;
		if (!wrt_read_u32(&d->r, &ds->len) || !wrt_read_bytes(&d->r, ds->len, &ds->bytes))
			return false;
		m->ndatas = i + 1;
	}
	return true;
}

/*
 * A custom section: only its name must be well-formed.  The name is read
 * within the section; running past the section is "unexpected end", as in
 * the reference decoder, which skips a negative payload length.
 */
static bool
custom_section(dec *d, const uint8_t *start, const uint8_t *end)
{
	wrt_reader cr = d->r;
	cr.p = start;
	cr.end = end;
	const char *name;
	uint32_t len;
	if (!wrt_read_name(&cr, &name, &len))
	{
		/* Keep UTF-8 and LEB128 diagnostics; running out is "unexpected end". */
		if (strncmp(d->err->message, "unexpected end", 14) == 0 ||
			strcmp(d->err->message, "length out of bounds") == 0)
			malformed(d, end, "unexpected end");
		return false;
	}
	if (len == 4 && memcmp(name, "name", 4) == 0 && !d->names)
	{
		d->names = cr.p;
		d->names_end = end;
	}
	return true;
}

/*
 * Function names (subsection 1 of the "name" section).  Debug information
 * only: anything malformed here drops the names instead of failing the
 * module, as the specification recommends.
 */
static void
free_names(wrt_module *m)
{
	if (!m->func_names)
		return;
	for (uint32_t i = 0; i < m->nfuncs; i++)
		wrt_free(&m->alloc, m->func_names[i]);
	wrt_free(&m->alloc, m->func_names);
	m->func_names = NULL;
}

static bool
parse_names(dec *d)
{
	wrt_module *m = d->m;
	wrt_error scratch;
	wrt_reader r = { d->names, d->names_end, d->r.base, &scratch };

	while (r.p < r.end)
	{
		uint8_t id;
		uint32_t size;
		if (!wrt_read_u8(&r, &id) || !wrt_read_u32(&r, &size) ||
			size > (size_t) (r.end - r.p))
			return false;
		const uint8_t *sub_end = r.p + size;
		if (id == 1)
		{
			wrt_reader sr = r;
			sr.end = sub_end;
			uint32_t n;
			if (!wrt_read_u32(&sr, &n))
				return false;
			for (uint32_t i = 0; i < n; i++)
			{
				uint32_t idx, len;
				const char *name;
				if (!wrt_read_u32(&sr, &idx) || !wrt_read_name(&sr, &name, &len))
					return false;
				if (idx >= m->nfuncs)
					continue;
				if (!m->func_names)
				{
					m->func_names = wrt_calloc(d->a, m->nfuncs, sizeof(char *));
					if (!m->func_names)
						return false;
				}
				char *copy = wrt_alloc(d->a, (size_t) len + 1);
				if (!copy)
					return false;
				memcpy(copy, name, len);
				copy[len] = '\0';
				wrt_free(d->a, m->func_names[idx]);     /* duplicate: last wins */
				m->func_names[idx] = copy;
			}
			if (sr.p != sub_end)
				return false;
		}
		r.p = sub_end;
	}
	return true;
}

/* Position of each known section id in the required order (datacount sits
 * between element and code). */
static const uint8_t section_rank[13] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10
};

static bool
decode_sections(dec *d)
{
	wrt_reader *r = &d->r;
	uint8_t last_rank = 0;

	while (r->p < r->end)
	{
		const uint8_t *id_at = r->p;
		uint8_t id = *r->p++;
		if (id > 12)
			return malformed(d, id_at, "malformed section id");
		const uint8_t *size_at = r->p;
		uint32_t size;
		if (!wrt_read_u32(r, &size))
		{
			if (r->p >= r->end)
				malformed(d, r->p, "unexpected end");
			return false;
		}
		if (size > remaining(d))
			return malformed(d, size_at, "length out of bounds");
		const uint8_t *start = r->p;
		const uint8_t *end = start + size;

		if (id == 0)
		{
			if (!custom_section(d, start, end))
				return false;
			r->p = end;
			continue;
		}
		if (section_rank[id] <= last_rank)
			return malformed(d, id_at, "unexpected content after last section");
		last_rank = section_rank[id];

		bool ok;
		switch (id)
		{
			case 1: ok = type_section(d); break;
			case 2: ok = import_section(d); break;
			case 3: ok = function_section(d); break;
			case 4: ok = table_section(d); break;
			case 5: ok = memory_section(d); break;
			case 6: ok = global_section(d); break;
			case 7: ok = export_section(d); break;
			case 8: ok = start_section(d); break;
			case 9: ok = elem_section(d); break;
			case 10: ok = code_section(d); break;
			case 11: ok = data_section(d); break;
			default: ok = datacount_section(d); break;
		}
		if (!ok)
			return false;
		if (r->p != end)
			return malformed(d, start, "section size mismatch");
	}
	return true;
}

/* ---- entry points ---------------------------------------------------------- */

wrt_module *
wrt_decode(const uint8_t *bytes, size_t len, const wrt_allocator *alloc,
		   wrt_error *err)
{
	static const uint8_t magic[4] = { 0x00, 0x61, 0x73, 0x6d };
	static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
	wrt_error scratch;

	if (!err)
		err = &scratch;
	if (!alloc)
		alloc = &wrt_default_allocator;
	if (len > UINT32_MAX)
	{
		/* Offsets are 32-bit. */
		wrt_set_error(err, WRT_ERR_LIMIT, 0, "module too large");
		return NULL;
	}

	wrt_module *m = wrt_calloc(alloc, 1, sizeof(wrt_module));
	if (!m)
	{
		wrt_set_error(err, WRT_ERR_OOM, 0, "out of memory");
		return NULL;
	}
	m->alloc = *alloc;
	m->bytes = wrt_alloc(alloc, len);
	if (!m->bytes)
	{
		wrt_free(alloc, m);
		wrt_set_error(err, WRT_ERR_OOM, 0, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->size = len;

	dec d;
	memset(&d, 0, sizeof d);
	d.m = m;
	d.a = &m->alloc;
	d.err = err;
	d.r.base = m->bytes;
	d.r.p = m->bytes;
	d.r.end = m->bytes + len;
	d.r.err = err;

	bool ok = false;
	if (len < 4)
		malformed(&d, d.r.end, "unexpected end");
	else if (memcmp(m->bytes, magic, 4) != 0)
		malformed(&d, m->bytes, "magic header not detected");
	else if (len < 8)
		malformed(&d, d.r.end, "unexpected end");
	else if (memcmp(m->bytes + 4, version, 4) != 0)
		malformed(&d, m->bytes + 4, "unknown binary version");
	else
	{
		d.r.p = m->bytes + 8;
		ok = decode_sections(&d);
	}

	/* Cross-section checks, in the reference decoder's order. */
	if (ok && m->nfuncs - m->nfunc_imports != (d.has_code ? d.ncodes : 0))
		ok = malformed(&d, d.r.end, "function and code section have inconsistent lengths");
	if (ok && m->has_datacount && m->datacount != m->ndatas)
		ok = malformed(&d, d.r.end, "data count and data section have inconsistent lengths");
	if (ok)
		ok = ensure_declared(&d);
	if (ok && d.names && !parse_names(&d))
		free_names(m);

	if (!ok)
	{
		wrt_module_destroy(m);
		return NULL;
	}
	return m;
}

void
wrt_module_destroy(wrt_module *m)
{
	if (!m)
		return;
	const wrt_allocator *a = &m->alloc;

	if (m->codes)
	{
		for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
		{
			wrt_free(a, m->codes[i].local_types);
			if (m->codes[i].compiled)
				wrt_compiled_free(a, m->codes[i].compiled);
			wrt_free(a, m->codes[i].osr);
		}
	}
	for (uint32_t i = 0; i < m->nelems; i++)
	{
		wrt_free(a, m->elems[i].funcs);
		wrt_free(a, m->elems[i].exprs);
	}
	free_names(m);
	wrt_free(a, m->codes);
	wrt_free(a, m->elems);
	wrt_free(a, m->types);
	wrt_free(a, m->imports);
	wrt_free(a, m->func_types);
	wrt_free(a, m->tables);
	wrt_free(a, m->mems);
	wrt_free(a, m->globals);
	wrt_free(a, m->exports);
	wrt_free(a, m->datas);
	wrt_free(a, m->func_declared);
	wrt_free(a, m->bytes);

	/* The allocator lives inside m: copy it before freeing m itself. */
	wrt_allocator copy = m->alloc;
	wrt_free(&copy, m);
}
