/*
 * hostile.c — generators of the module shapes that once made validation,
 * compilation or compiled code grow faster than the module (issue 11,
 * findings 1 and 2), and of their relatives.  Each shape is a few bytes
 * repeated n times around values of arity k; the unit tests (test_cost.c),
 * the cost oracle of the fuzzers and the PostgreSQL TAP test
 * (via build/rt/hostile-gen) all build their modules here, so a shape is
 * written once.
 *
 * Every module exports "f": (param i32) -> whatever the shape returns.
 */
#include "hostile.h"

#include <stdlib.h>
#include <string.h>

typedef struct buf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
} buf;

static void
put(buf *b, uint8_t x)
{
	if (b->oom)
		return;
	if (b->n == b->cap)
	{
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
		{
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = x;
}

static void
leb(buf *b, uint64_t v)
{
	do
	{
		uint8_t byte = v & 0x7f;
		v >>= 7;
		put(b, byte | (v ? 0x80 : 0));
	} while (v);
}

static void
put_n(buf *b, const uint8_t *bytes, size_t len, uint32_t times)
{
	for (uint32_t t = 0; t < times; t++)
		for (size_t i = 0; i < len; i++)
			put(b, bytes[i]);
}

static void
section(buf *out, uint8_t id, buf *content)
{
	put(out, id);
	leb(out, content->n);
	put_n(out, content->p, content->n, 1);
	free(content->p);
	memset(content, 0, sizeof(*content));
}

/* A function type: np i32 params, nr i32 results. */
static void
functype(buf *b, uint32_t np, uint32_t nr)
{
	put(b, 0x60);
	leb(b, np);
	for (uint32_t i = 0; i < np; i++)
		put(b, 0x7f);
	leb(b, nr);
	for (uint32_t i = 0; i < nr; i++)
		put(b, 0x7f);
}

static const uint8_t LOCAL_GET0[] = {0x20, 0x00};
static const uint8_t DROP[] = {0x1a};

size_t
hostile_module(hostile_shape shape, uint32_t k, uint32_t n, uint8_t **out)
{
	buf types = {0}, funcs = {0}, exports = {0}, code = {0}, body = {0}, mod = {0};
	uint32_t nfuncs = 1;

	/* Type 0 is the shape's big type, type 1 that of "f". */
	leb(&types, 3);
	switch (shape)
	{
		case HOSTILE_BLOCKS:      /* block (type [i32 x k] -> [i32 x k]) end, n times */
		case HOSTILE_CALLS:
		case HOSTILE_RETURNS:
			functype(&types, k, k);
			break;
		case HOSTILE_BR_IF:       /* block (result i32 x k) ... br_if 0, n times */
			functype(&types, 0, k);
			break;
		default:
			functype(&types, 0, 0);
			break;
	}
	functype(&types, 1, shape == HOSTILE_RETURNS ? k : 0);
	functype(&types, 0, 0);

	switch (shape)
	{
		case HOSTILE_BLOCKS:
			{
				static const uint8_t blk[] = {0x02, 0x00, 0x0b};
				put_n(&body, LOCAL_GET0, 2, k);
				put_n(&body, blk, 3, n);
				put(&body, 0x00);   /* unreachable */
				break;
			}
		case HOSTILE_BR_IF:
			{
				static const uint8_t pair[] = {0x41, 0x00, 0x20, 0x00};
				static const uint8_t brif[] = {0x20, 0x00, 0x0d, 0x00};
				put(&body, 0x02);
				put(&body, 0x00);
				put_n(&body, pair, 4, k);
				put_n(&body, brif, 4, n);
				put(&body, 0x0c);   /* br 0 */
				put(&body, 0x00);
				put(&body, 0x0b);
				put_n(&body, DROP, 1, k);
				break;
			}
		case HOSTILE_CALLS:       /* local.get x k, call g n times (g: type 0) */
			{
				nfuncs = 2;
				put_n(&body, LOCAL_GET0, 2, k);
				for (uint32_t i = 0; i < n; i++)
				{
					put(&body, 0x10);
					put(&body, 0x01);
				}
				put(&body, 0x00);
				break;
			}
		case HOSTILE_RETURNS:     /* local.get x k, (local.get 0, if (type 0) return end) n times */
			{
				static const uint8_t ifret[] = {0x20, 0x00, 0x04, 0x00, 0x0f, 0x0b};
				put_n(&body, LOCAL_GET0, 2, k);
				put_n(&body, ifret, 6, n);
				break;
			}
		case HOSTILE_BR_TABLE:    /* k nested blocks, then n times block (br_table 0 <func>) end */
			{
				static const uint8_t open[] = {0x02, 0x40};
				static const uint8_t close[] = {0x0b};
				put_n(&body, open, 2, k);
				for (uint32_t i = 0; i < n; i++)
				{
					put(&body, 0x02);
					put(&body, 0x40);
					put(&body, 0x20);
					put(&body, 0x00);
					put(&body, 0x0e);
					put(&body, 0x01);
					put(&body, 0x00);
					leb(&body, (uint64_t) k + 1);   /* the function's label */
					put(&body, 0x0b);
				}
				put_n(&body, close, 1, k);
				break;
			}
		case HOSTILE_LOCAL_SETS:  /* local.get 1 x k, (i32.const 1, local.set 0) n times */
			{
				static const uint8_t get1[] = {0x20, 0x01};
				static const uint8_t set0[] = {0x41, 0x01, 0x21, 0x00};
				put_n(&body, get1, 2, k);
				put_n(&body, set0, 4, n);
				put_n(&body, DROP, 1, k);
				break;
			}
	}
	put(&body, 0x0b);

	leb(&funcs, nfuncs);
	leb(&funcs, 1);
	if (nfuncs == 2)
		leb(&funcs, 0);

	leb(&exports, 1);
	leb(&exports, 1);
	put(&exports, 'f');
	put(&exports, 0x00);
	leb(&exports, 0);

	leb(&code, nfuncs);
	/* f: one extra i32 local (HOSTILE_LOCAL_SETS reads it) */
	leb(&code, body.n + 3);
	leb(&code, 1);
	leb(&code, 1);
	put(&code, 0x7f);
	put_n(&code, body.p, body.n, 1);
	if (nfuncs == 2)
	{
		static const uint8_t g[] = {0x03, 0x00, 0x00, 0x0b};   /* size, no locals, unreachable, end */
		put_n(&code, g, sizeof(g), 1);
	}
	free(body.p);

	static const uint8_t header[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
	put_n(&mod, header, sizeof(header), 1);
	bool oom = types.oom || funcs.oom || exports.oom || code.oom || body.oom;
	section(&mod, 1, &types);
	section(&mod, 3, &funcs);
	section(&mod, 7, &exports);
	section(&mod, 10, &code);
	if (oom || mod.oom)
	{
		free(mod.p);
		*out = NULL;
		return 0;
	}
	*out = mod.p;
	return mod.n;
}

const char *
hostile_shape_name(hostile_shape shape)
{
	switch (shape)
	{
		case HOSTILE_BLOCKS: return "blocks";
		case HOSTILE_BR_IF: return "br_if";
		case HOSTILE_CALLS: return "calls";
		case HOSTILE_RETURNS: return "returns";
		case HOSTILE_BR_TABLE: return "br_table";
		case HOSTILE_LOCAL_SETS: return "local_sets";
	}
	return "?";
}
