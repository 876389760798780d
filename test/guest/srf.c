/*
 * srf.c — guest of sql/srf.sql: set-returning functions through cursors.
 * The export named in AS 'srf:f' opens a cursor (its handle: an index in
 * a small table), f_next(handle) returns a pointer to the next row as the
 * variant { end, row(T), null } (a tag byte, then T at its alignment), and
 * f_close(handle) frees the cursor.  open_cursors() counts the cursors not
 * closed yet, so the tests can see LIMIT closing them.  An ABI v2 module:
 * its functions declared without STRICT take options and may return NULL
 * rows (tag 2).
 */
#include "../../examples/c/pgwasm.h"

PGWASM_ABI_V2

#define MAX_CURSORS 64

typedef struct cursor_t
{
	bool		used;
	char	   *text;			/* split: a copy of the input */
	size_t		len,
				pos;
	char		sep;
	int64_t		i,
				n;				/* series: next value, last value */
	int64_t		fail_at;
	bool		done;
} cursor_t;

static cursor_t cursors[MAX_CURSORS];
static int32_t nopen;

static int32_t
cursor_new(void)
{
	for (int32_t h = 0; h < MAX_CURSORS; h++)
	{
		if (!cursors[h].used)
		{
			memset(&cursors[h], 0, sizeof(cursor_t));
			cursors[h].used = true;
			nopen++;
			return h;
		}
	}
	pgwasm_error_sqlstate("53000", "too many open cursors");
}

static cursor_t *
cursor_get(int32_t h)
{
	if (h < 0 || h >= MAX_CURSORS || !cursors[h].used)
		pgwasm_error("no such cursor");
	return &cursors[h];
}

static void
cursor_free(int32_t h)
{
	cursor_t   *c = cursor_get(h);

	free(c->text);
	c->used = false;
	nopen--;
}

PGWASM_EXPORT(open_cursors) int32_t
open_cursors(void)
{
	return nopen;
}

/* ---- split(text, sep text) RETURNS SETOF text ---------------------------- */

typedef struct row_str
{
	uint8_t		tag;			/* 0 end, 1 row, 2 NULL */
	pgwasm_str	value;
} row_str;

PGWASM_EXPORT(split) int32_t
split(const char *p, size_t n, const char *sep, size_t seplen)
{
	int32_t		h = cursor_new();
	cursor_t   *c = &cursors[h];

	c->text = pgwasm_alloc(n);
	memcpy(c->text, p, n);
	c->len = n;
	c->sep = seplen ? sep[0] : ',';
	return h;
}

PGWASM_EXPORT(split_next) row_str *
split_next(int32_t h)
{
	static row_str r;
	cursor_t   *c = cursor_get(h);
	size_t		end;
	char	   *piece;

	if (c->done)
	{
		r.tag = 0;
		return &r;
	}
	end = c->pos;
	while (end < c->len && c->text[end] != c->sep)
		end++;
	piece = pgwasm_alloc(end - c->pos);
	memcpy(piece, c->text + c->pos, end - c->pos);
	r.tag = 1;
	r.value.ptr = piece;
	r.value.len = end - c->pos;
	if (end >= c->len)
		c->done = true;
	c->pos = end + 1;
	return &r;
}

PGWASM_EXPORT(split_close) void
split_close(int32_t h)
{
	cursor_free(h);
}

/* ---- series(n int8) RETURNS SETOF int8, no close export ------------------- */

typedef struct row_i64
{
	uint8_t		tag;
	int64_t		value;			/* at 8 */
} row_i64;

PGWASM_EXPORT(series) int32_t
series(int64_t n)
{
	int32_t		h = cursor_new();

	cursors[h].i = 1;
	cursors[h].n = n;
	cursors[h].fail_at = -1;
	return h;
}

PGWASM_EXPORT(series_next) row_i64 *
series_next(int32_t h)
{
	static row_i64 r;
	cursor_t   *c = cursor_get(h);

	if (c->i > c->n)
	{
		r.tag = 0;
		cursor_free(h);			/* no close export: free at the end */
		return &r;
	}
	if (c->i == c->fail_at)
		pgwasm_error_sqlstate("22023", "series failed on purpose");
	r.tag = 1;
	r.value = c->i++;
	return &r;
}

/* series_fail(n, at): errors when it reaches at */
PGWASM_EXPORT(series_fail) int32_t
series_fail(int64_t n, int64_t at)
{
	int32_t		h = series(n);

	cursors[h].fail_at = at;
	return h;
}

PGWASM_EXPORT(series_fail_next) row_i64 *
series_fail_next(int32_t h)
{
	return series_next(h);
}

/* ---- series with a close export: counts closes ---------------------------- */

PGWASM_EXPORT(counted) int32_t
counted(int64_t n)
{
	return series(n);
}

PGWASM_EXPORT(counted_next) row_i64 *
counted_next(int32_t h)
{
	static row_i64 r;
	cursor_t   *c = cursor_get(h);

	if (c->i > c->n)
	{
		r.tag = 0;
		return &r;
	}
	r.tag = 1;
	r.value = c->i++;
	return &r;
}

PGWASM_EXPORT(counted_close) void
counted_close(int32_t h)
{
	cursor_free(h);
}

/* ---- kv(text) RETURNS TABLE(k text, v text, n int4): "a=1;b=2" ----------- */

typedef struct kv_t
{
	pgwasm_str	k,
				v;
	int32_t		n;
} kv_t;

typedef struct row_kv
{
	uint8_t		tag;
	kv_t		value;			/* at 4 */
} row_kv;

PGWASM_EXPORT(kv) int32_t
kv(const char *p, size_t n)
{
	int32_t		h = split(p, n, ";", 1);

	cursors[h].i = 0;
	if (n == 0)
		cursors[h].done = true;
	return h;
}

PGWASM_EXPORT(kv_next) row_kv *
kv_next(int32_t h)
{
	static row_kv r;
	row_str    *piece = split_next(h);
	const char *s;
	size_t		len,
				eq = 0;
	char	   *k,
			   *v;

	if (piece->tag == 0)
	{
		r.tag = 0;
		return &r;
	}
	s = piece->value.ptr;
	len = piece->value.len;
	while (eq < len && s[eq] != '=')
		eq++;
	k = pgwasm_alloc(eq);
	memcpy(k, s, eq);
	v = pgwasm_alloc(eq < len ? len - eq - 1 : 0);
	if (eq < len)
		memcpy(v, s + eq + 1, len - eq - 1);
	r.tag = 1;
	r.value.k.ptr = k;
	r.value.k.len = eq;
	r.value.v.ptr = v;
	r.value.v.len = eq < len ? len - eq - 1 : 0;
	r.value.n = (int32_t) ++cursors[h].i;
	free((void *) piece->value.ptr);
	return &r;
}

PGWASM_EXPORT(kv_close) void
kv_close(int32_t h)
{
	cursor_free(h);
}

/* ---- null-aware: every third row is NULL; NULL n gives no rows ------------ */

typedef struct row_opt_i32
{
	uint8_t		tag;
	int32_t		value;			/* at 4 */
} row_opt_i32;

PGWASM_EXPORT(thirds) int32_t
thirds(int32_t has_n, int32_t n)
{
	int32_t		h = cursor_new();

	cursors[h].i = 1;
	cursors[h].n = has_n ? n : 0;
	return h;
}

PGWASM_EXPORT(thirds_next) row_opt_i32 *
thirds_next(int32_t h)
{
	static row_opt_i32 r;
	cursor_t   *c = cursor_get(h);

	if (c->i > c->n)
		r.tag = 0;
	else
	{
		r.tag = (c->i % 3 == 0) ? 2 : 1;
		r.value = (int32_t) c->i;
		c->i++;
	}
	return &r;
}

PGWASM_EXPORT(thirds_close) void
thirds_close(int32_t h)
{
	cursor_free(h);
}

/* ---- hostile rows ------------------------------------------------------- */

PGWASM_EXPORT(bad_tag) int32_t
bad_tag(int32_t n)
{
	(void) n;
	return 0;
}

PGWASM_EXPORT(bad_tag_next) row_i64 *
bad_tag_next(int32_t h)
{
	static row_i64 r;

	(void) h;
	r.tag = 7;
	return &r;
}

PGWASM_EXPORT(bad_row) int32_t
bad_row(int32_t n)
{
	(void) n;
	return 0;
}

PGWASM_EXPORT(bad_row_next) int32_t
bad_row_next(int32_t h)
{
	(void) h;
	return (int32_t) 0x7ffffff0;
}

/* ---- rows the guest keeps: cabi_post_<export>_next ------------------------ */

/*
 * fast(text) RETURNS SETOF text: space-separated words, each row pointing
 * into the cursor's own copy of the text (no allocation per row); the host
 * calls cabi_post_fast_next after each row instead of freeing anything.
 */
static int32_t nposts;

PGWASM_EXPORT(fast) int32_t
fast(const char *p, size_t n)
{
	return split(p, n, " ", 1);
}

PGWASM_EXPORT(fast_next) row_str *
fast_next(int32_t h)
{
	static row_str r;
	cursor_t   *c = cursor_get(h);
	size_t		end;

	if (c->done)
	{
		r.tag = 0;
		return &r;
	}
	end = c->pos;
	while (end < c->len && c->text[end] != c->sep)
		end++;
	r.tag = 1;
	r.value.ptr = c->text + c->pos;
	r.value.len = end - c->pos;
	if (end >= c->len)
		c->done = true;
	c->pos = end + 1;
	return &r;
}

PGWASM_EXPORT(fast_close) void
fast_close(int32_t h)
{
	cursor_free(h);
}

PGWASM_EXPORT(cabi_post_fast_next) void
cabi_post_fast_next(int32_t row)
{
	(void) row;
	nposts++;
}

PGWASM_EXPORT(posts) int32_t
posts(void)
{
	return nposts;
}
