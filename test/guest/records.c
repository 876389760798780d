/*
 * records.c — guest of sql/records.sql: composite types in the canonical
 * ABI's record layout (fields in declaration order at their natural
 * alignment), as arguments (flattened), results (a return area, or the value
 * itself for a record of one scalar), nested, in arrays, and with NULL
 * fields (an ABI v2 module: its functions declared without STRICT get
 * option<T> fields).  Hostile results check the decoder's bounds.
 */
#include "../../examples/c/pgwasm.h"

PGWASM_ABI_V2

/* CREATE TYPE r_point AS (x float8, y float8) */
typedef struct point_t
{
	double		x,
				y;
} point_t;

/* a list<T> in memory */
typedef struct list_t
{
	const void *ptr;
	size_t		n;
} list_t;

/* CREATE TYPE r_person AS (name text, age int4, tags text[], home r_point) */
typedef struct person_t
{
	pgwasm_str	name;
	int32_t		age;
	list_t		tags;
	point_t		home;
} person_t;

_Static_assert(sizeof(person_t) == 40, "person layout");

PGWASM_EXPORT(pt_norm) double
pt_norm(double x, double y)
{
	return x * x + y * y;
}

PGWASM_EXPORT(pt_swap) point_t *
pt_swap(double x, double y)
{
	static point_t r;

	r.x = y;
	r.y = x;
	return &r;
}

static void
append_double(pgwasm_buf *b, double v)
{
	/* integers are enough for the tests */
	pgwasm_numeric_append_scaled(b, (int64_t) v, 0);
}

PGWASM_EXPORT(person_describe) int64_t
person_describe(const char *name, size_t name_len, int32_t age,
				const pgwasm_str *tags, size_t ntags, double hx, double hy)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	pgwasm_buf_append(&b, name, name_len);
	pgwasm_buf_append(&b, " (", 2);
	pgwasm_numeric_append_scaled(&b, age, 0);
	pgwasm_buf_append(&b, ") [", 3);
	for (size_t i = 0; i < ntags; i++)
	{
		if (i)
			pgwasm_buf_putc(&b, ' ');
		pgwasm_buf_append(&b, tags[i].ptr, tags[i].len);
	}
	pgwasm_buf_append(&b, "] @", 3);
	append_double(&b, hx);
	pgwasm_buf_putc(&b, ',');
	append_double(&b, hy);
	return pgwasm_buf_return(&b);
}

/* A person named after the argument: every string and the list malloc'd. */
PGWASM_EXPORT(person_make) person_t *
person_make(const char *name, size_t len, int32_t age)
{
	static person_t r;
	pgwasm_strlist tags = PGWASM_STRLIST_INIT;
	char	   *n = pgwasm_alloc(len);

	memcpy(n, name, len);
	r.name.ptr = n;
	r.name.len = len;
	r.age = age;
	pgwasm_strlist_push(&tags, "new", 3);
	pgwasm_strlist_push(&tags, name, len);
	r.tags.ptr = tags.items;
	r.tags.n = tags.count;
	r.home.x = age;
	r.home.y = -age;
	return &r;
}

/* Its tags list lies outside memory. */
PGWASM_EXPORT(person_bad) person_t *
person_bad(const char *name, size_t len, int32_t age)
{
	static person_t r;

	(void) name;
	(void) len;
	r.name.ptr = NULL;
	r.name.len = 0;
	r.age = age;
	r.tags.ptr = (const void *) (uintptr_t) 0xffff0000u;
	r.tags.n = 4;
	return &r;
}

/* OUT q int4, OUT r int4 */
typedef struct divmod_t
{
	int32_t		q,
				r;
} divmod_t;

PGWASM_EXPORT(divmod) divmod_t *
divmod(int32_t a, int32_t b)
{
	static divmod_t r;

	if (b == 0)
		pgwasm_error_sqlstate("22012", "division by zero");
	r.q = a / b;
	r.r = a % b;
	return &r;
}

PGWASM_EXPORT(id64) int64_t
id64(int64_t v)
{
	return v;
}

/* r_point[] -> r_point: the sum */
PGWASM_EXPORT(pts_sum) point_t *
pts_sum(const point_t *p, size_t n)
{
	static point_t r;

	r.x = r.y = 0;
	for (size_t i = 0; i < n; i++)
	{
		r.x += p[i].x;
		r.y += p[i].y;
	}
	return &r;
}

/* int4 -> r_point[]: (i, i*i) for i in 1..n */
PGWASM_EXPORT(pts_make) int64_t
pts_make(int32_t n)
{
	point_t    *p = pgwasm_alloc(sizeof(point_t) * (n > 0 ? n : 1));

	for (int32_t i = 0; i < n; i++)
	{
		p[i].x = i + 1;
		p[i].y = (double) (i + 1) * (i + 1);
	}
	return pgwasm_return(p, n > 0 ? n : 0);
}

/* CREATE TYPE r_line AS (a r_point, b r_point, label text): nested records */
typedef struct line_t
{
	point_t		a,
				b;
	pgwasm_str	label;
} line_t;

PGWASM_EXPORT(line_flip) line_t *
line_flip(double ax, double ay, double bx, double by, const char *label, size_t len)
{
	static line_t r;
	char	   *l = pgwasm_alloc(len);

	for (size_t i = 0; i < len; i++)
		l[i] = label[len - 1 - i];
	r.a.x = bx;
	r.a.y = by;
	r.b.x = ax;
	r.b.y = ay;
	r.label.ptr = l;
	r.label.len = len;
	return &r;
}

/*
 * Null-aware (declared without STRICT): option<r_point> whose fields are
 * options.  In memory: {u8 is_some; pad; {u8, pad, f64} x; {u8, pad, f64} y},
 * the record at 8 (its alignment).
 */
typedef PGWASM_OPTION(double) opt_f64;
typedef struct point_opt_t
{
	opt_f64		x,
				y;
} point_opt_t;
typedef PGWASM_OPTION(point_opt_t) opt_point_opt;

_Static_assert(sizeof(opt_point_opt) == 40, "option<record> layout");

/* Doubles the fields that are not NULL; NULL in, NULL out. */
PGWASM_EXPORT(pt_double_opt) opt_point_opt *
pt_double_opt(int32_t is_some, int32_t has_x, double x, int32_t has_y, double y)
{
	static opt_point_opt r;

	r.is_some = (uint8_t) is_some;
	r.value.x.is_some = (uint8_t) has_x;
	r.value.x.value = 2 * x;
	r.value.y.is_some = (uint8_t) has_y;
	r.value.y.value = 2 * y;
	return &r;
}

/* A field discriminant of 9. */
PGWASM_EXPORT(pt_bad_field) opt_point_opt *
pt_bad_field(int32_t is_some, int32_t has_x, double x, int32_t has_y, double y)
{
	opt_point_opt *r = pt_double_opt(is_some, has_x, x, has_y, y);

	r->is_some = 1;
	r->value.y.is_some = 9;
	return r;
}

/*
 * More than 16 flat parameters (ABI v2): the arguments come as a tuple in
 * memory, the export takes its address.
 */
typedef struct sum17_t
{
	int64_t		v[17];
} sum17_t;

PGWASM_EXPORT(sum17) int64_t
sum17(const sum17_t *t)
{
	int64_t		s = 0;

	for (int i = 0; i < 17; i++)
		s += t->v[i] * (i + 1);
	return s;
}

/* nine option<int4> (18 flat values): how many are not NULL, as option<int4> */
typedef PGWASM_OPTION(int32_t) opt_i32;
typedef struct nine_t
{
	opt_i32		v[9];
} nine_t;

PGWASM_EXPORT(count9) opt_i32 *
count9(const nine_t *t)
{
	static opt_i32 r;

	r.is_some = 1;
	r.value = 0;
	for (int i = 0; i < 9; i++)
		r.value += t->v[i].is_some ? t->v[i].value : 1000;
	return &r;
}

/* CREATE TYPE r_wide AS (a..i text): 18 flat values as one argument */
typedef struct wide_t
{
	pgwasm_str	f[9];
} wide_t;

PGWASM_EXPORT(wide_join) int64_t
wide_join(const wide_t *w)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	for (int i = 0; i < 9; i++)
	{
		if (i)
			pgwasm_buf_putc(&b, '/');
		pgwasm_buf_append(&b, w->f[i].ptr, w->f[i].len);
	}
	return pgwasm_buf_return(&b);
}
