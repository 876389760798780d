/*
 * validate.c — WebAssembly 2.0 validation of a decoded module.
 *
 * The decoder (decode.c) turns the sections into a wrt_module without
 * looking inside function bodies or checking cross-references; this file
 * does the rest: module-level rules (type, function, table, memory, global,
 * element and data indices, limits, constant expressions, the start
 * function, export names) and the type checking of every function body with
 * the operand-stack / control-stack algorithm of the spec's validation
 * appendix, including the polymorphic stack after unreachable, br, br_table
 * and return.  This is the first pass over every body, so its errors
 * include the malformed-code ones: the instruction encoding is checked by
 * the one instruction reader (reader.h: "illegal opcode", "zero byte
 * expected", ...), the block structure here ("END opcode expected", ...).
 *
 * Besides accepting or rejecting, validation records in each wrt_code its
 * max_stack: the largest number of operand-stack values live at any
 * instruction boundary of the body (one per value whatever its type; locals
 * and parameters not included).  The compiler sizes frames from it.
 *
 * Design constraints: no allocation per instruction (the two stacks are
 * arrays grown geometrically and reused across functions); work linear in
 * the code size: the type stack is a byte array so multi-value checks are
 * one memcmp; block entry, end and br_if leave values that already have the
 * label's types where they are (no pop and push back, so no copy per block);
 * pops from a polymorphic stack cost only the values present; br_table
 * checks each distinct label once; and the decoder caps every function
 * type's arity at WRT_MAX_ARITY, so no instruction costs more than that
 * many byte compares.  The work is counted (wrt_module_work) and the
 * interrupt flag polled every 4096 instructions.  Bounded memory (caps on
 * nesting depth and operand-stack height); errors are values, never
 * longjmp.
 *
 * Error precedence follows the spec, which decodes the whole module before
 * validating it: when validation fails, the remaining bodies are decoded
 * (skim_body) and a malformed one wins.
 */
#include <stdio.h>

#include "internal.h"
#include "opcodes.h"
#include "reader.h"

/* Engine limits on a single function body (WRT_ERR_LIMIT beyond them). */
#define V_MAX_CTL  100000u          /* nested blocks */
#define V_MAX_VALS (1u << 20)       /* operand-stack height */

/* The "unknown" operand type of the polymorphic stack (no valtype is 0). */
#define T_UNKNOWN 0

enum ctl_kind { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

typedef struct ctl {
	const uint8_t *params;
	const uint8_t *results;
	uint32_t nparams, nresults;
	uint32_t height;            /* operand-stack height at entry */
	uint32_t stamp;             /* br_table: last instruction that checked it */
	uint8_t kind;
	bool unreachable;
} ctl;

typedef struct vstate {
	wrt_module *m;
	wrt_error *err;
	const uint8_t *pos;         /* current instruction, for error offsets */

	uint8_t *vals;              /* operand types, T_UNKNOWN possible */
	uint32_t sp, vcap, vmax;

	ctl *ctls;
	uint32_t nctl, ccap;

	uint32_t stamp;             /* br_table counter */
	uint32_t ninsn;             /* instructions validated, for polling */
	const uint8_t *locals;
	uint32_t nlocals;
} vstate;

/* One-element result lists for single-valtype block types: the control
 * frames keep pointers, so these must outlive the frames. */
static const uint8_t vt_i32 = WRT_I32, vt_i64 = WRT_I64, vt_f32 = WRT_F32,
	vt_f64 = WRT_F64, vt_v128 = WRT_V128, vt_funcref = WRT_FUNCREF, vt_externref = WRT_EXTERNREF;

static const uint8_t *
single_vt(uint8_t t)
{
	switch (t)
	{
		case WRT_I32: return &vt_i32;
		case WRT_I64: return &vt_i64;
		case WRT_F32: return &vt_f32;
		case WRT_F64: return &vt_f64;
		case WRT_V128: return &vt_v128;
		case WRT_FUNCREF: return &vt_funcref;
		default: return &vt_externref;
	}
}

/* Numeric or vector: what untyped select accepts. */
static inline bool is_num(uint8_t t) { return t == T_UNKNOWN || (t >= WRT_V128 && t <= WRT_I32); }
static inline bool is_ref(uint8_t t) { return t == T_UNKNOWN || t == WRT_FUNCREF || t == WRT_EXTERNREF; }

/* ---- errors ------------------------------------------------------------- */

static uint32_t
offset_of(const wrt_module *m, const uint8_t *p)
{
	return p ? (uint32_t) (p - m->bytes) : 0;
}

/* Error at the current instruction.  Formats locally because wrt_set_error
 * has no va_list variant. */
static bool WRT_PRINTF(3, 4)
fail(vstate *vs, wrt_errkind kind, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return wrt_set_error(vs->err, kind, offset_of(vs->m, vs->pos), "%s", buf);
}

static bool
mismatch(vstate *vs)
{
	return fail(vs, WRT_ERR_INVALID, "type mismatch");
}

/* ---- truncated bodies -------------------------------------------------- */

/*
 * The body ran out before its final end (depth = blocks still open,
 * counting the function's own).  The reference decoder reads code entries
 * as one stream, and we mirror what it would then see: inside the section,
 * the next entry's bytes ("END opcode expected" approximates that); after
 * the last entry, the end of input, or a following 0x0b (the data section's
 * id) that it takes for the final end before finding the section too long.
 */
static bool
body_truncated(const wrt_module *m, wrt_error *err, const uint8_t *p, bool is_last,
			   uint32_t depth)
{
	const char *msg = "END opcode expected";
	if (is_last)
	{
		if (depth == 1 && p < m->bytes + m->size && *p == 0x0b)
			msg = "section size mismatch";
		else
			msg = "unexpected end of section or function";
	}
	return wrt_set_error(err, WRT_ERR_MALFORMED, offset_of(m, p), "%s", msg);
}

/* ---- the two stacks ----------------------------------------------------- */

static bool
grow_vals(vstate *vs, uint32_t n)
{
	uint64_t need = (uint64_t) vs->sp + n;
	if (need > V_MAX_VALS)
		return fail(vs, WRT_ERR_LIMIT, "operand stack too deep");
	uint32_t cap = vs->vcap ? vs->vcap : 256;
	while (cap < need)
		cap *= 2;
	uint8_t *p = wrt_realloc(&vs->m->alloc, vs->vals, cap);
	if (!p)
		return fail(vs, WRT_ERR_OOM, "out of memory");
	vs->vals = p;
	vs->vcap = cap;
	return true;
}

static inline bool
push(vstate *vs, uint8_t t)
{
	if (WRT_UNLIKELY(vs->sp >= vs->vcap) && !grow_vals(vs, 1))
		return false;
	vs->vals[vs->sp++] = t;
	return true;
}

static inline bool
push_vals(vstate *vs, const uint8_t *types, uint32_t n)
{
	if (n == 0)
		return true;
	if (WRT_UNLIKELY(vs->vcap - vs->sp < n) && !grow_vals(vs, n))
		return false;
	vs->m->work += n;
	memcpy(vs->vals + vs->sp, types, n);
	vs->sp += n;
	return true;
}

/* Pop one value of any type into *t (T_UNKNOWN from a polymorphic stack). */
static inline bool
pop_any(vstate *vs, uint8_t *t)
{
	const ctl *c = &vs->ctls[vs->nctl - 1];
	if (vs->sp == c->height)
	{
		if (!c->unreachable)
			return mismatch(vs);
		*t = T_UNKNOWN;
		return true;
	}
	*t = vs->vals[--vs->sp];
	return true;
}

static inline bool
pop_expect(vstate *vs, uint8_t want)
{
	const ctl *c = &vs->ctls[vs->nctl - 1];
	if (vs->sp == c->height)
		return c->unreachable ? true : mismatch(vs);
	uint8_t t = vs->vals[--vs->sp];
	if (t != want && t != T_UNKNOWN)
		return mismatch(vs);
	return true;
}

/* Check that the stack top matches types (last on top) without popping:
 * pop_vals + push_vals of the same types, as br_table needs (only unknowns
 * could differ, and they stay unknown either way). */
static bool
check_top(vstate *vs, const uint8_t *types, uint32_t n)
{
	if (n == 0)
		return true;
	const ctl *c = &vs->ctls[vs->nctl - 1];
	uint32_t avail = vs->sp - c->height;
	uint32_t k = n;
	if (avail < n)
	{
		if (!c->unreachable)
			return mismatch(vs);
		k = avail;
		if (k == 0)
			return true;        /* all unknown (and vals may still be NULL) */
	}
	const uint8_t *have = vs->vals + vs->sp - k;
	const uint8_t *want = types + (n - k);
	vs->m->work += k;
	if (memcmp(have, want, k) == 0)
		return true;
	for (uint32_t i = 0; i < k; i++)
		if (have[i] != want[i] && have[i] != T_UNKNOWN)
			return mismatch(vs);
	return true;
}

/* Are the top n values exactly these types, all of them present (none
 * supplied as unknowns by a polymorphic stack)?  Then popping them and
 * pushing the same types back would change nothing, and block entry, end and
 * br_if leave them where they are instead of copying them. */
static inline bool
top_is(vstate *vs, const uint8_t *types, uint32_t n)
{
	const ctl *c = &vs->ctls[vs->nctl - 1];
	if (n == 0)
		return true;
	if (vs->sp - c->height < n)
		return false;
	vs->m->work += n;
	return memcmp(vs->vals + vs->sp - n, types, n) == 0;
}

/* Pop values of the given types (last type on top).  Cost is bounded by
 * the values actually present, not by n: a polymorphic stack supplies the
 * rest as unknowns, which match anything. */
static bool
pop_vals(vstate *vs, const uint8_t *types, uint32_t n)
{
	if (n == 0)
		return true;
	if (top_is(vs, types, n))
	{
		vs->sp -= n;
		return true;
	}
	if (!check_top(vs, types, n))
		return false;
	uint32_t avail = vs->sp - vs->ctls[vs->nctl - 1].height;
	vs->sp -= avail < n ? avail : n;
	return true;
}

static bool
push_ctl(vstate *vs, uint8_t kind, const uint8_t *params, uint32_t np,
		 const uint8_t *results, uint32_t nr, bool in_place)
{
	if (WRT_UNLIKELY(vs->nctl >= vs->ccap))
	{
		if (vs->ccap >= V_MAX_CTL)
			return fail(vs, WRT_ERR_LIMIT, "too deeply nested");
		uint32_t cap = vs->ccap ? vs->ccap * 2 : 64;
		if (cap > V_MAX_CTL)
			cap = V_MAX_CTL;
		ctl *p = wrt_realloc(&vs->m->alloc, vs->ctls, (size_t) cap * sizeof(ctl));
		if (!p)
			return fail(vs, WRT_ERR_OOM, "out of memory");
		vs->ctls = p;
		vs->ccap = cap;
	}
	ctl *c = &vs->ctls[vs->nctl++];
	c->params = params;
	c->results = results;
	c->nparams = np;
	c->nresults = nr;
	c->height = in_place ? vs->sp - np : vs->sp;
	c->stamp = 0;
	c->kind = kind;
	c->unreachable = false;
	return in_place || push_vals(vs, params, np);
}

/* Rest of the block is unreachable: the stack becomes polymorphic. */
static inline void
set_unreachable(vstate *vs)
{
	ctl *c = &vs->ctls[vs->nctl - 1];
	vs->sp = c->height;
	c->unreachable = true;
}

static inline void
label_types(const ctl *c, const uint8_t **types, uint32_t *n)
{
	if (c->kind == K_LOOP)
	{
		*types = c->params;
		*n = c->nparams;
	}
	else
	{
		*types = c->results;
		*n = c->nresults;
	}
}

static bool
get_label(vstate *vs, uint32_t depth, ctl **c)
{
	if (depth >= vs->nctl)
		return fail(vs, WRT_ERR_INVALID, "unknown label %u", depth);
	*c = &vs->ctls[vs->nctl - 1 - depth];
	return true;
}

/* ---- index checks ------------------------------------------------------- */

static bool
need_memory(vstate *vs, uint32_t x)
{
	if (x >= vs->m->nmems)
		return fail(vs, WRT_ERR_INVALID, "unknown memory %u", x);
	return true;
}

static bool
need_table(vstate *vs, uint32_t x)
{
	if (x >= vs->m->ntables)
		return fail(vs, WRT_ERR_INVALID, "unknown table %u", x);
	return true;
}

static bool
need_elem(vstate *vs, uint32_t x)
{
	if (x >= vs->m->nelems)
		return fail(vs, WRT_ERR_INVALID, "unknown elem segment %u", x);
	return true;
}

static bool
need_data(vstate *vs, uint32_t x)
{
	/* Code sees the data count section's count (checked against the data
	 * section by the decoder). */
	if (x >= vs->m->datacount)
		return fail(vs, WRT_ERR_INVALID, "unknown data segment %u", x);
	return true;
}

static bool
need_func(vstate *vs, uint32_t x)
{
	if (x >= vs->m->nfuncs)
		return fail(vs, WRT_ERR_INVALID, "unknown function %u", x);
	return true;
}

static bool
need_type(vstate *vs, uint32_t x)
{
	if (x >= vs->m->ntypes)
		return fail(vs, WRT_ERR_INVALID, "unknown type %u", x);
	return true;
}

static bool
func_declared(const wrt_module *m, uint32_t f)
{
	return m->func_declared && wrt_module_func_is_declared(m, f);
}

/* ---- function bodies ---------------------------------------------------- */

static bool
pop3_i32(vstate *vs)
{
	return pop_expect(vs, WRT_I32) && pop_expect(vs, WRT_I32) && pop_expect(vs, WRT_I32);
}

static bool
do_block(vstate *vs, const wrt_insn *in, uint8_t kind)
{
	const uint8_t *params = NULL, *results = NULL;
	uint32_t np = 0, nr = 0;

	switch ((wrt_blockkind) in->block.kind)
	{
		case WRT_BLOCK_EMPTY:
			break;
		case WRT_BLOCK_VALUE:
			results = single_vt(in->block.valtype);
			nr = 1;
			break;
		case WRT_BLOCK_BADTYPE:
			return fail(vs, WRT_ERR_INVALID, "unknown type");
		case WRT_BLOCK_FUNCTYPE:
			{
				if (!need_type(vs, in->block.type))
					return false;
				const wrt_functype *ft = &vs->m->types[in->block.type];
				params = ft->params;
				np = ft->nparams;
				results = ft->results;
				nr = ft->nresults;
			}
	}
	if (kind == K_IF && !pop_expect(vs, WRT_I32))
		return false;
	if (top_is(vs, params, np))
		return push_ctl(vs, kind, params, np, results, nr, true);
	if (!pop_vals(vs, params, np))
		return false;
	return push_ctl(vs, kind, params, np, results, nr, false);
}

static bool
do_br_table(vstate *vs, const wrt_insn *in)
{
	if (!pop_expect(vs, WRT_I32))
		return false;

	/* Every label must have the default's arity: the reader found the
	 * default (last in the encoding) while checking the vector. */
	ctl *cdef = NULL;
	if (!get_label(vs, in->br_table.default_label, &cdef))
		return false;
	const uint8_t *dtypes;
	uint32_t arity;
	label_types(cdef, &dtypes, &arity);

	const uint8_t *labels = in->br_table.labels;
	uint32_t count = in->br_table.count;
	const uint8_t *last = NULL;
	uint32_t stamp = ++vs->stamp;
	if (stamp == 0)
	{
		/* Wrapped: clear stale marks so no label is skipped wrongly. */
		for (uint32_t i = 0; i < vs->nctl; i++)
			vs->ctls[i].stamp = 0;
		stamp = vs->stamp = 1;
	}
	for (uint32_t i = 0; i < count; i++)
	{
		ctl *c = NULL;
		if (!get_label(vs, wrt_br_table_label(&labels), &c))
			return false;
		if (c->stamp == stamp)
			continue;           /* same label, same outcome */
		c->stamp = stamp;
		const uint8_t *types;
		uint32_t n;
		label_types(c, &types, &n);
		if (n != arity)
			return mismatch(vs);
		if (types == last)
			continue;           /* same type list (block type) as before */
		if (!check_top(vs, types, n))
			return false;
		last = types;
	}
	if (!pop_vals(vs, dtypes, arity))
		return false;
	set_unreachable(vs);
	return true;
}

/* Type-check one function body; records code->max_stack. */
static bool
validate_body(vstate *vs, wrt_code *code, bool is_last)
{
	wrt_module *m = vs->m;
	const wrt_functype *ft = wrt_module_functype(m, code->func_index);
	wrt_insn_reader rd;
	wrt_insn_reader_init(&rd, m->bytes, code->body, code->body_end, vs->err);
	rd.datacount_missing = !m->has_datacount;

	vs->sp = 0;
	vs->vmax = 0;
	vs->nctl = 0;
	vs->locals = code->local_types;
	vs->nlocals = code->nlocals;
	vs->pos = code->body;
	if (!push_ctl(vs, K_FUNC, NULL, 0, ft->results, ft->nresults, false))
		return false;

	for (;;)
	{
		if (WRT_UNLIKELY(wrt_insn_at_end(&rd)))
			return body_truncated(m, vs->err, rd.r.p, is_last, vs->nctl);

		wrt_insn in;
		if (!wrt_insn_next(&rd, &in))
			return false;
		vs->pos = in.pos;
		m->work++;
		if (WRT_UNLIKELY((++vs->ninsn & 4095) == 0)
			&& !wrt_module_poll(m, vs->err, offset_of(m, in.pos)))
			return false;
		const wrt_opinfo *oi = &wrt_opinfo_table[in.op];
		ctl *c = &vs->ctls[vs->nctl - 1];

		switch ((wrt_op) in.op)
		{
			case WRT_OP_UNREACHABLE:
				set_unreachable(vs);
				break;
			case WRT_OP_NOP:
				break;
			case WRT_OP_BLOCK:
				if (!do_block(vs, &in, K_BLOCK))
					return false;
				break;
			case WRT_OP_LOOP:
				if (!do_block(vs, &in, K_LOOP))
					return false;
				break;
			case WRT_OP_IF:
				if (!do_block(vs, &in, K_IF))
					return false;
				break;
			case WRT_OP_ELSE:
				/* The reference decoder ends a non-if block at else and
				 * then wants its end: a decoding error, not a type one. */
				if (c->kind != K_IF)
					return wrt_set_error(vs->err, WRT_ERR_MALFORMED, offset_of(m, in.pos),
										 "END opcode expected");
				if (!pop_vals(vs, c->results, c->nresults))
					return false;
				if (vs->sp != c->height)
					return mismatch(vs);
				c->kind = K_ELSE;
				c->unreachable = false;
				if (!push_vals(vs, c->params, c->nparams))
					return false;
				break;
			case WRT_OP_END:
				/* An if without else has an implicit empty else, which
				 * passes its parameters through as results. */
				if (c->kind == K_IF
					&& (c->nparams != c->nresults
						|| (c->nparams && c->params != c->results
							&& memcmp(c->params, c->results, c->nparams) != 0)))
					return mismatch(vs);
				if (c->kind != K_FUNC && vs->sp - c->height == c->nresults
					&& top_is(vs, c->results, c->nresults))
				{
					/* The results are in place: the frame just goes. */
					vs->nctl--;
					break;
				}
				if (!pop_vals(vs, c->results, c->nresults))
					return false;
				if (vs->sp != c->height)
					return mismatch(vs);
				vs->nctl--;
				if (vs->nctl == 0)
				{
					if (!wrt_insn_at_end(&rd))
						return wrt_set_error(vs->err, WRT_ERR_MALFORMED, offset_of(m, rd.r.p),
											 "section size mismatch");
					code->max_stack = vs->vmax;
					return true;
				}
				if (!push_vals(vs, c->results, c->nresults))
					return false;
				break;
			case WRT_OP_BR:
				{
					ctl *t = NULL;
					const uint8_t *types;
					uint32_t n;
					if (!get_label(vs, in.index, &t))
						return false;
					label_types(t, &types, &n);
					if (!pop_vals(vs, types, n))
						return false;
					set_unreachable(vs);
					break;
				}
			case WRT_OP_BR_IF:
				{
					ctl *t = NULL;
					const uint8_t *types;
					uint32_t n;
					if (!pop_expect(vs, WRT_I32) || !get_label(vs, in.index, &t))
						return false;
					label_types(t, &types, &n);
					if (top_is(vs, types, n))
						break;
					if (!pop_vals(vs, types, n) || !push_vals(vs, types, n))
						return false;
					break;
				}
			case WRT_OP_BR_TABLE:
				if (!do_br_table(vs, &in))
					return false;
				break;
			case WRT_OP_RETURN:
				if (!pop_vals(vs, vs->ctls[0].results, vs->ctls[0].nresults))
					return false;
				set_unreachable(vs);
				break;
			case WRT_OP_CALL:
				{
					if (!need_func(vs, in.index))
						return false;
					const wrt_functype *t = wrt_module_functype(m, in.index);
					if (!pop_vals(vs, t->params, t->nparams)
						|| !push_vals(vs, t->results, t->nresults))
						return false;
					break;
				}
			case WRT_OP_CALL_INDIRECT:
				{
					if (!need_table(vs, in.call_indirect.table)
						|| !need_type(vs, in.call_indirect.type))
						return false;
					if (m->tables[in.call_indirect.table].elemtype != WRT_FUNCREF)
						return mismatch(vs);
					const wrt_functype *t = &m->types[in.call_indirect.type];
					if (!pop_expect(vs, WRT_I32)
						|| !pop_vals(vs, t->params, t->nparams)
						|| !push_vals(vs, t->results, t->nresults))
						return false;
					break;
				}
			case WRT_OP_DROP:
				{
					uint8_t t = T_UNKNOWN;
					if (!pop_any(vs, &t))
						return false;
					break;
				}
			case WRT_OP_SELECT:
				{
					uint8_t t1 = T_UNKNOWN, t2 = T_UNKNOWN;
					if (!pop_expect(vs, WRT_I32) || !pop_any(vs, &t1) || !pop_any(vs, &t2))
						return false;
					/* Untyped select is for numbers only (refs need select_t). */
					if (!is_num(t1) || !is_num(t2))
						return mismatch(vs);
					if (t1 != t2 && t1 != T_UNKNOWN && t2 != T_UNKNOWN)
						return mismatch(vs);
					if (!push(vs, t1 != T_UNKNOWN ? t1 : t2))
						return false;
					break;
				}
			case WRT_OP_SELECT_T:
				if (in.select.count != 1)
					return fail(vs, WRT_ERR_INVALID, "invalid result arity");
				if (!pop_expect(vs, WRT_I32) || !pop_expect(vs, in.select.type)
					|| !pop_expect(vs, in.select.type) || !push(vs, in.select.type))
					return false;
				break;
			case WRT_OP_LOCAL_GET:
			case WRT_OP_LOCAL_SET:
			case WRT_OP_LOCAL_TEE:
				{
					if (in.index >= vs->nlocals)
						return fail(vs, WRT_ERR_INVALID, "unknown local %u", in.index);
					uint8_t t = vs->locals[in.index];
					if (in.op != WRT_OP_LOCAL_GET && !pop_expect(vs, t))
						return false;
					if (in.op != WRT_OP_LOCAL_SET && !push(vs, t))
						return false;
					break;
				}
			case WRT_OP_GLOBAL_GET:
			case WRT_OP_GLOBAL_SET:
				{
					if (in.index >= m->nglobals)
						return fail(vs, WRT_ERR_INVALID, "unknown global %u", in.index);
					const wrt_globaldef *g = &m->globals[in.index];
					if (in.op == WRT_OP_GLOBAL_GET)
					{
						if (!push(vs, g->type))
							return false;
					}
					else
					{
						if (!g->mut)
							return fail(vs, WRT_ERR_INVALID, "global is immutable");
						if (!pop_expect(vs, g->type))
							return false;
					}
					break;
				}
			case WRT_OP_TABLE_GET:
				if (!need_table(vs, in.index) || !pop_expect(vs, WRT_I32)
					|| !push(vs, m->tables[in.index].elemtype))
					return false;
				break;
			case WRT_OP_TABLE_SET:
				if (!need_table(vs, in.index) || !pop_expect(vs, m->tables[in.index].elemtype)
					|| !pop_expect(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_MEMORY_SIZE:
				if (!need_memory(vs, in.index) || !push(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_MEMORY_GROW:
				if (!need_memory(vs, in.index) || !pop_expect(vs, WRT_I32) || !push(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_I32_CONST:
				if (!push(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_I64_CONST:
				if (!push(vs, WRT_I64))
					return false;
				break;
			case WRT_OP_F32_CONST:
				if (!push(vs, WRT_F32))
					return false;
				break;
			case WRT_OP_F64_CONST:
				if (!push(vs, WRT_F64))
					return false;
				break;
			case WRT_OP_REF_NULL:
				if (!push(vs, in.reftype))
					return false;
				break;
			case WRT_OP_REF_IS_NULL:
				{
					uint8_t t = T_UNKNOWN;
					if (!pop_any(vs, &t))
						return false;
					if (!is_ref(t))
						return mismatch(vs);
					if (!push(vs, WRT_I32))
						return false;
					break;
				}
			case WRT_OP_REF_FUNC:
				if (!need_func(vs, in.index))
					return false;
				if (!func_declared(m, in.index))
					return fail(vs, WRT_ERR_INVALID, "undeclared function reference");
				if (!push(vs, WRT_FUNCREF))
					return false;
				break;
			case WRT_OP_MEMORY_INIT:
				if (!need_memory(vs, in.memory_init.mem) || !need_data(vs, in.memory_init.data)
					|| !pop3_i32(vs))
					return false;
				break;
			case WRT_OP_DATA_DROP:
				if (!need_data(vs, in.index))
					return false;
				break;
			case WRT_OP_MEMORY_COPY:
				if (!need_memory(vs, in.copy.dst) || !need_memory(vs, in.copy.src) || !pop3_i32(vs))
					return false;
				break;
			case WRT_OP_MEMORY_FILL:
				if (!need_memory(vs, in.index) || !pop3_i32(vs))
					return false;
				break;
			case WRT_OP_TABLE_INIT:
				if (!need_table(vs, in.table_init.table) || !need_elem(vs, in.table_init.elem))
					return false;
				if (m->elems[in.table_init.elem].reftype != m->tables[in.table_init.table].elemtype)
					return mismatch(vs);
				if (!pop3_i32(vs))
					return false;
				break;
			case WRT_OP_ELEM_DROP:
				if (!need_elem(vs, in.index))
					return false;
				break;
			case WRT_OP_TABLE_COPY:
				if (!need_table(vs, in.copy.dst) || !need_table(vs, in.copy.src))
					return false;
				if (m->tables[in.copy.dst].elemtype != m->tables[in.copy.src].elemtype)
					return mismatch(vs);
				if (!pop3_i32(vs))
					return false;
				break;
			case WRT_OP_TABLE_GROW:
				if (!need_table(vs, in.index) || !pop_expect(vs, WRT_I32)
					|| !pop_expect(vs, m->tables[in.index].elemtype) || !push(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_TABLE_SIZE:
				if (!need_table(vs, in.index) || !push(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_TABLE_FILL:
				if (!need_table(vs, in.index) || !pop_expect(vs, WRT_I32)
					|| !pop_expect(vs, m->tables[in.index].elemtype) || !pop_expect(vs, WRT_I32))
					return false;
				break;
			case WRT_OP_V128_CONST:
				if (!push(vs, WRT_V128))
					return false;
				break;
			case WRT_OP_I8X16_SHUFFLE:
				for (int i = 0; i < 16; i++)
					if (in.bytes[i] >= 32)
						return fail(vs, WRT_ERR_INVALID, "invalid lane index");
				if (!pop_expect(vs, WRT_V128) || !pop_expect(vs, WRT_V128) || !push(vs, WRT_V128))
					return false;
				break;
			default:
				/* The plain operators, typed from the opcode table; the
				 * common well-typed case rewrites the stack top in place. */
				switch ((wrt_opclass) oi->cls)
				{
					case WRT_OPC_UN:
					case WRT_OPC_TEST:
						if (WRT_LIKELY(vs->sp > c->height && vs->vals[vs->sp - 1] == oi->t_in))
						{
							vs->vals[vs->sp - 1] = oi->t_out;
							continue;
						}
						/* Slow path: a polymorphic stack can grow here. */
						if (!pop_expect(vs, oi->t_in) || !push(vs, oi->t_out))
							return false;
						break;
					case WRT_OPC_BIN:
					case WRT_OPC_CMP:
						if (WRT_LIKELY(vs->sp >= c->height + 2 && vs->vals[vs->sp - 1] == oi->t_in
									   && vs->vals[vs->sp - 2] == oi->t_in))
						{
							vs->vals[vs->sp - 2] = oi->t_out;
							vs->sp--;
							continue;
						}
						if (!pop_expect(vs, oi->t_in) || !pop_expect(vs, oi->t_in)
							|| !push(vs, oi->t_out))
							return false;
						break;
					case WRT_OPC_LOAD:
					case WRT_OPC_STORE:
						if (!need_memory(vs, in.memarg.mem))
							return false;
						if (in.memarg.align > oi->align)
							return fail(vs, WRT_ERR_INVALID,
										"alignment must not be larger than natural");
						if (oi->cls == WRT_OPC_LOAD)
						{
							if (!pop_expect(vs, WRT_I32) || !push(vs, oi->t_out))
								return false;
						}
						else if (!pop_expect(vs, oi->t_in) || !pop_expect(vs, WRT_I32))
							return false;
						break;
					case WRT_OPC_VLOAD:
					case WRT_OPC_VSTORE:
					case WRT_OPC_VLOAD_LANE:
					case WRT_OPC_VSTORE_LANE:
						if (!need_memory(vs, in.memarg.mem))
							return false;
						if (in.memarg.align > oi->align)
							return fail(vs, WRT_ERR_INVALID,
										"alignment must not be larger than natural");
						if ((oi->cls == WRT_OPC_VLOAD_LANE || oi->cls == WRT_OPC_VSTORE_LANE)
							&& in.lane >= 16 / oi->size)
							return fail(vs, WRT_ERR_INVALID, "invalid lane index");
						if (oi->cls != WRT_OPC_VLOAD && !pop_expect(vs, WRT_V128))
							return false;
						if (!pop_expect(vs, WRT_I32))
							return false;
						if ((oi->cls == WRT_OPC_VLOAD || oi->cls == WRT_OPC_VLOAD_LANE)
							&& !push(vs, WRT_V128))
							return false;
						break;
					case WRT_OPC_VEXTRACT:
					case WRT_OPC_VREPLACE:
						if (in.lane >= oi->size)
							return fail(vs, WRT_ERR_INVALID, "invalid lane index");
						if (oi->cls == WRT_OPC_VREPLACE && !pop_expect(vs, oi->t_in))
							return false;
						if (!pop_expect(vs, WRT_V128) || !push(vs, oi->t_out))
							return false;
						break;
					case WRT_OPC_VSPLAT:
					case WRT_OPC_VUN:
					case WRT_OPC_VTEST:
						if (!pop_expect(vs, oi->t_in) || !push(vs, oi->t_out))
							return false;
						break;
					case WRT_OPC_VSHIFT:
						if (!pop_expect(vs, WRT_I32) || !pop_expect(vs, WRT_V128)
							|| !push(vs, WRT_V128))
							return false;
						break;
					case WRT_OPC_VBIN:
					case WRT_OPC_VTER:
						if ((oi->cls == WRT_OPC_VTER && !pop_expect(vs, WRT_V128))
							|| !pop_expect(vs, WRT_V128) || !pop_expect(vs, WRT_V128)
							|| !push(vs, WRT_V128))
							return false;
						break;
					case WRT_OPC_CTRL:
						/* An OP_CTRL instruction without a case above. */
						return fail(vs, WRT_ERR_UNSUPPORTED, "validator: unhandled opcode %s",
									oi->name);
				}
				break;
		}
		/* Heights only change inside an instruction monotonically, so
		 * sampling at instruction boundaries gives the true maximum. */
		if (vs->sp > vs->vmax)
			vs->vmax = vs->sp;
	}
}

static bool
skim_reserve(vstate *vs, uint32_t n)
{
	if (n <= vs->ccap)
		return true;
	if (n > V_MAX_CTL)
		return false;
	uint32_t cap = vs->ccap ? vs->ccap * 2 : 64;
	if (cap > V_MAX_CTL)
		cap = V_MAX_CTL;
	ctl *p = wrt_realloc(&vs->m->alloc, vs->ctls, (size_t) cap * sizeof(ctl));
	if (!p)
		return false;
	vs->ctls = p;
	vs->ccap = cap;
	return true;
}

/*
 * Pure decoding of a body, for error precedence: the spec decodes the whole
 * module before validating anything, so a malformed body must win over a
 * validation error found earlier.  Run only after validation failed.
 * Returns false with *err set when the body is malformed.
 */
static bool
skim_body(vstate *vs, const wrt_code *code, bool is_last, wrt_error *err)
{
	const wrt_module *m = vs->m;
	wrt_error e;
	wrt_insn_reader rd;
	uint32_t depth = 0;

	memset(&e, 0, sizeof(e));
	wrt_insn_reader_init(&rd, m->bytes, code->body, code->body_end, &e);
	rd.datacount_missing = !m->has_datacount;
	/* Only block kinds matter here: kept in the control array's kind
	 * fields.  The array is grown without reporting (err already holds the
	 * validation error); if it cannot grow, the skim gives up. */
	if (!skim_reserve(vs, 1))
		return true;
	vs->ctls[depth++].kind = K_FUNC;
	for (;;)
	{
		wrt_insn in;
		if (wrt_insn_at_end(&rd))
		{
			body_truncated(m, &e, rd.r.p, is_last, depth);
			break;
		}
		if (!wrt_insn_next(&rd, &in))
			break;
		/* Everything but the block structure was checked by the reader. */
		if (in.op == WRT_OP_BLOCK || in.op == WRT_OP_LOOP || in.op == WRT_OP_IF)
		{
			if (!skim_reserve(vs, depth + 1))
				return true;            /* too deep to follow: give up */
			vs->ctls[depth++].kind = in.op == WRT_OP_IF ? K_IF : K_BLOCK;
		}
		else if (in.op == WRT_OP_ELSE)
		{
			if (vs->ctls[depth - 1].kind != K_IF)
			{
				wrt_set_error(&e, WRT_ERR_MALFORMED, offset_of(m, in.pos),
							  "END opcode expected");
				break;
			}
			vs->ctls[depth - 1].kind = K_ELSE;
		}
		else if (in.op == WRT_OP_END && --depth == 0)
		{
			if (!wrt_insn_at_end(&rd))
				wrt_set_error(&e, WRT_ERR_MALFORMED, offset_of(m, rd.r.p),
							  "section size mismatch");
			break;
		}
	}
	if (e.kind == WRT_ERR_MALFORMED)
	{
		*err = e;
		return false;
	}
	return true;
}

/* ---- module-level checks ------------------------------------------------ */

static bool
modfail(vstate *vs, wrt_errkind kind, const char *fmt, ...) WRT_PRINTF(3, 4);

static bool
modfail(vstate *vs, wrt_errkind kind, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Module-level structures keep no byte positions. */
	return wrt_set_error(vs->err, kind, 0, "%s", buf);
}


static bool
const_push(vstate *vs, uint8_t t)
{
	if (WRT_UNLIKELY(vs->sp >= vs->vcap) && !grow_vals(vs, 1))
		return false;
	vs->vals[vs->sp++] = t;
	return true;
}

/*
 * A constant expression: instructions of the OP_CONST_EXPR rows of
 * opcodes.def (constants, ref.null, ref.func, global.get of an immutable
 * imported global, and the extended-const proposal's integer add, sub and
 * mul), then end, leaving exactly one value, of type want.  Expressions
 * can be long (extended-const nests arithmetic freely), so the work is
 * counted and the interrupt flag polled as for function bodies.
 */
static bool
check_const_expr(vstate *vs, const wrt_constexpr *ce, uint8_t want)
{
	wrt_module *m = vs->m;
	wrt_insn_reader rd;

	if (!ce->start)
		return modfail(vs, WRT_ERR_INVALID, "type mismatch");
	wrt_insn_reader_init(&rd, m->bytes, ce->start, ce->start + ce->len, vs->err);
	vs->sp = 0;
	for (;;)
	{
		wrt_insn in;
		if (!wrt_insn_next(&rd, &in))
			return false;
		vs->pos = in.pos;
		m->work++;
		if (WRT_UNLIKELY((++vs->ninsn & 4095) == 0)
			&& !wrt_module_poll(m, vs->err, offset_of(m, in.pos)))
			return false;
		if (in.op == WRT_OP_END)
		{
			if (!wrt_insn_at_end(&rd))
				return wrt_set_error(vs->err, WRT_ERR_MALFORMED, offset_of(m, rd.r.p),
									 "section size mismatch");
			if (vs->sp != 1 || vs->vals[0] != want)
				return mismatch(vs);
			return true;
		}
		if (!wrt_op_in_const_expr[in.op])
			return fail(vs, WRT_ERR_INVALID, "constant expression required");

		const wrt_opinfo *oi = &wrt_opinfo_table[in.op];
		uint8_t t;
		switch ((wrt_op) in.op)
		{
			case WRT_OP_I32_CONST:
				t = WRT_I32;
				break;
			case WRT_OP_I64_CONST:
				t = WRT_I64;
				break;
			case WRT_OP_F32_CONST:
				t = WRT_F32;
				break;
			case WRT_OP_F64_CONST:
				t = WRT_F64;
				break;
			case WRT_OP_V128_CONST:
				t = WRT_V128;
				break;
			case WRT_OP_REF_NULL:
				t = in.reftype;
				break;
			case WRT_OP_REF_FUNC:
				if (!need_func(vs, in.index))
					return false;
				t = WRT_FUNCREF;
				break;
			case WRT_OP_GLOBAL_GET:
				/* 2.0 (and extended-const): only imported globals are
				 * visible here. */
				if (in.index >= m->nglobal_imports || in.index >= m->nglobals)
					return fail(vs, WRT_ERR_INVALID, "unknown global %u", in.index);
				if (m->globals[in.index].mut)
					return fail(vs, WRT_ERR_INVALID, "constant expression required");
				t = m->globals[in.index].type;
				break;
			default:
				/* The arithmetic rows, typed from the table as in bodies. */
				if (oi->cls != WRT_OPC_BIN)
					return fail(vs, WRT_ERR_UNSUPPORTED,
								"validator: unhandled constant instruction %s", oi->name);
				if (vs->sp < 2 || vs->vals[vs->sp - 1] != oi->t_in
					|| vs->vals[vs->sp - 2] != oi->t_in)
					return mismatch(vs);
				vs->sp -= 2;
				t = oi->t_out;
				break;
		}
		if (!const_push(vs, t))
			return false;
	}
}

static bool
check_limits(vstate *vs, const wrt_limits *l, uint64_t bound, const char *toobig)
{
	if (l->min > bound || (l->has_max && l->max > bound))
		return modfail(vs, WRT_ERR_INVALID, "%s", toobig);
	if (l->has_max && l->min > l->max)
		return modfail(vs, WRT_ERR_INVALID, "size minimum must not be greater than maximum");
	return true;
}

static uint32_t
name_hash(const char *s, uint32_t n)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ (uint8_t) s[i]) * 16777619u;
	return h;
}

/* Export names must be distinct: one hash set, linear overall. */
static bool
check_exports(vstate *vs)
{
	wrt_module *m = vs->m;
	uint32_t size = 16;
	while (size < 2 * (uint64_t) m->nexports)
		size *= 2;
	uint32_t *slots = wrt_calloc(&m->alloc, size, sizeof(uint32_t));  /* index + 1 */
	if (!slots)
		return modfail(vs, WRT_ERR_OOM, "out of memory");

	bool ok = true;
	for (uint32_t i = 0; i < m->nexports && ok; i++)
	{
		const wrt_export *e = &m->exports[i];
		switch (e->kind)
		{
			case WRT_EXTERN_FUNC:
				if (e->index >= m->nfuncs)
					ok = modfail(vs, WRT_ERR_INVALID, "unknown function %u", e->index);
				break;
			case WRT_EXTERN_TABLE:
				if (e->index >= m->ntables)
					ok = modfail(vs, WRT_ERR_INVALID, "unknown table %u", e->index);
				break;
			case WRT_EXTERN_MEMORY:
				if (e->index >= m->nmems)
					ok = modfail(vs, WRT_ERR_INVALID, "unknown memory %u", e->index);
				break;
			case WRT_EXTERN_GLOBAL:
				if (e->index >= m->nglobals)
					ok = modfail(vs, WRT_ERR_INVALID, "unknown global %u", e->index);
				break;
			default:
				ok = modfail(vs, WRT_ERR_MALFORMED, "malformed export kind");
		}
		if (!ok)
			break;
		uint32_t h = name_hash(e->name, e->name_len) & (size - 1);
		while (slots[h])
		{
			const wrt_export *o = &m->exports[slots[h] - 1];
			if (o->name_len == e->name_len
				&& (e->name_len == 0 || memcmp(o->name, e->name, e->name_len) == 0))
			{
				ok = modfail(vs, WRT_ERR_INVALID, "duplicate export name");
				break;
			}
			h = (h + 1) & (size - 1);
		}
		slots[h] = i + 1;
	}
	wrt_free(&m->alloc, slots);
	return ok;
}

static bool
validate_module(vstate *vs)
{
	wrt_module *m = vs->m;

	if (m->has_datacount && m->datacount != m->ndatas)
		return modfail(vs, WRT_ERR_MALFORMED,
					   "data count and data section have inconsistent lengths");

	for (uint32_t f = 0; f < m->nfuncs; f++)
		if (m->func_types[f] >= m->ntypes)
			return modfail(vs, WRT_ERR_INVALID, "unknown type %u", m->func_types[f]);
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
	{
		const wrt_code *c = &m->codes[i];
		if (c->func_index >= m->nfuncs)
			return modfail(vs, WRT_ERR_INVALID, "unknown function %u", c->func_index);
	}

	for (uint32_t i = 0; i < m->ntables; i++)
		if (!check_limits(vs, &m->tables[i].limits, UINT32_MAX,
						  "table size must be at most 2^32-1"))
			return false;

	if (m->nmems > 1)
		return modfail(vs, WRT_ERR_INVALID, "multiple memories");
	for (uint32_t i = 0; i < m->nmems; i++)
		if (!check_limits(vs, &m->mems[i], WRT_MAX_PAGES,
						  "memory size must be at most 65536 pages (4GiB)"))
			return false;

	for (uint32_t i = 0; i < m->nglobals; i++)
	{
		const wrt_globaldef *g = &m->globals[i];
		if (i >= m->nglobal_imports && !check_const_expr(vs, &g->init, g->type))
			return false;
	}

	for (uint32_t i = 0; i < m->nelems; i++)
	{
		const wrt_elem *e = &m->elems[i];
		if (e->mode == WRT_SEG_ACTIVE)
		{
			if (e->table >= m->ntables)
				return modfail(vs, WRT_ERR_INVALID, "unknown table %u", e->table);
			if (m->tables[e->table].elemtype != e->reftype)
				return modfail(vs, WRT_ERR_INVALID, "type mismatch");
			if (!check_const_expr(vs, &e->offset, WRT_I32))
				return false;
		}
		if (e->funcs)
		{
			/* The compact encodings are funcref by construction. */
			if (e->reftype != WRT_FUNCREF)
				return modfail(vs, WRT_ERR_INVALID, "type mismatch");
			for (uint32_t j = 0; j < e->count; j++)
				if (e->funcs[j] >= m->nfuncs)
					return modfail(vs, WRT_ERR_INVALID, "unknown function %u", e->funcs[j]);
		}
		else if (e->exprs)
		{
			for (uint32_t j = 0; j < e->count; j++)
				if (!check_const_expr(vs, &e->exprs[j], e->reftype))
					return false;
		}
	}

	for (uint32_t i = 0; i < m->ndatas; i++)
	{
		const wrt_data *d = &m->datas[i];
		if (d->mode != WRT_SEG_ACTIVE)
			continue;
		if (d->memory >= m->nmems)
			return modfail(vs, WRT_ERR_INVALID, "unknown memory %u", d->memory);
		if (!check_const_expr(vs, &d->offset, WRT_I32))
			return false;
	}

	if (m->has_start)
	{
		if (m->start >= m->nfuncs)
			return modfail(vs, WRT_ERR_INVALID, "unknown function %u", m->start);
		const wrt_functype *t = wrt_module_functype(m, m->start);
		if (t->nparams != 0 || t->nresults != 0)
			return modfail(vs, WRT_ERR_INVALID, "start function");
	}

	return check_exports(vs);
}

/* ---- entry point -------------------------------------------------------- */

bool
wrt_validate(wrt_module *m, wrt_error *err)
{
	vstate vs;
	memset(&vs, 0, sizeof(vs));
	vs.m = m;
	vs.err = err;

	uint32_t ncodes = m->nfuncs - m->nfunc_imports;
	uint32_t failed_at = 0;     /* first body not known to decode */
	bool ok = validate_module(&vs);
	if (ok)
	{
		for (; failed_at < ncodes; failed_at++)
			if (!validate_body(&vs, &m->codes[failed_at], failed_at + 1 == ncodes))
			{
				ok = false;
				break;
			}
	}

	/* Decoding errors take precedence over validation errors wherever
	 * they are: look for one in the bodies not yet fully decoded. */
	if (!ok && (err->kind == WRT_ERR_INVALID || err->kind == WRT_ERR_LIMIT))
	{
		for (uint32_t i = failed_at; i < ncodes; i++)
			if (!skim_body(&vs, &m->codes[i], i + 1 == ncodes, err))
				break;
	}

	wrt_free(&m->alloc, vs.vals);
	wrt_free(&m->alloc, vs.ctls);
	return ok;
}
