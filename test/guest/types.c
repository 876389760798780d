/*
 * types.c — guest of sql/types.sql: the types added in 0.3.0 (time, timetz,
 * interval, uuid, numeric, enums, bool[], int2[], text[], bytea[], uuid[]),
 * written against examples/c/pgwasm.h, whose numeric and string-list
 * helpers it exercises.  It brings its own allocator exports to count the
 * frees the host makes (every string of a list result and the list itself),
 * and returns hostile results (pointers and counts outside memory, invalid
 * UTF-8, a string shared by two elements) to check the decoders.
 */
#define PGWASM_CUSTOM_ALLOCATOR
#include "../../examples/c/pgwasm.h"

static int32_t nfrees;

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	(void) old_size;
	(void) align;
	return old ? realloc(old, new_size ? new_size : 1) : malloc(new_size ? new_size : 1);
}

__attribute__((export_name("free"))) void
guest_free(void *p)
{
	nfrees++;
	free(p);
}

PGWASM_EXPORT(frees) int32_t
frees(void)
{
	return nfrees;
}

PGWASM_EXPORT(echo) int64_t
echo(const char *p, size_t n)
{
	return pgwasm_return_copy(p, n);
}

PGWASM_EXPORT(echo_len) int32_t
echo_len(const char *p, size_t n)
{
	(void) p;
	return (int32_t) n;
}

/* A fixed string, by number: valid and invalid uuid, numeric, enum labels. */
PGWASM_EXPORT(pick) int64_t
pick(int32_t i)
{
	static const char *const v[] = {
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "not-a-uuid", "12.3.4", "-0.001",
		"NaN", "1e3", "happy", "ecstatic", "", "12345678901234567890.123456789",
		"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", " 42 ",
	};

	if (i < 0 || i >= (int32_t) (sizeof(v) / sizeof(v[0])))
		pgwasm_error("no such string");
	return pgwasm_return_cstring(v[i]);
}

PGWASM_EXPORT(id64) int64_t
id64(int64_t x)
{
	return x;
}

/* numeric + 0.01, through the scaled-integer helpers; NaN and infinities as they are. */
PGWASM_EXPORT(num_add_cent) int64_t
num_add_cent(const char *p, size_t n)
{
	int64_t		v;
	pgwasm_buf	b = PGWASM_BUF_INIT;

	if (!pgwasm_numeric_is_finite(p, n))
		return pgwasm_return_copy(p, n);
	if (!pgwasm_numeric_to_scaled(p, n, 2, &v))
		pgwasm_error_sqlstate("22003", "value does not fit in int64 cents");
	pgwasm_numeric_append_scaled(&b, v + 1, 2);
	return pgwasm_buf_return(&b);
}

/* numeric -> int8 of value * 10^scale (rounded half away from zero). */
PGWASM_EXPORT(num_scaled) int64_t
num_scaled(const char *p, size_t n, int32_t scale)
{
	int64_t		v;

	if (!pgwasm_numeric_to_scaled(p, n, scale, &v))
		pgwasm_error_sqlstate("22003", "not a finite number that fits in int64 at that scale");
	return v;
}

/* int8, int4 -> numeric text of value / 10^scale. */
PGWASM_EXPORT(num_from_scaled) int64_t
num_from_scaled(int64_t v, int32_t scale)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	pgwasm_numeric_append_scaled(&b, v, scale);
	return pgwasm_buf_return(&b);
}

/* interval: record {months, days, micros}; results through a return area. */
PGWASM_EXPORT(iv_double) pgwasm_interval *
iv_double(int32_t months, int32_t days, int64_t micros)
{
	static pgwasm_interval r;

	r.months = months * 2;
	r.days = days * 2;
	r.micros = micros * 2;
	return &r;
}

PGWASM_EXPORT(iv_days) int32_t
iv_days(int32_t months, int32_t days, int64_t micros)
{
	(void) months;
	(void) micros;
	return days;
}

PGWASM_EXPORT(iv_micros) int64_t
iv_micros(int32_t months, int32_t days, int64_t micros)
{
	(void) months;
	(void) days;
	return micros;
}

/* timetz: record {micros, utc_offset east}; shift the offset by an hour. */
PGWASM_EXPORT(tz_plus_hour) pgwasm_timetz *
tz_plus_hour(int64_t micros, int32_t utc_offset)
{
	static pgwasm_timetz r;

	r.micros = micros;
	r.utc_offset = utc_offset + 3600;
	return &r;
}

PGWASM_EXPORT(tz_offset) int32_t
tz_offset(int64_t micros, int32_t utc_offset)
{
	(void) micros;
	return utc_offset;
}

/* A return area far outside memory. */
PGWASM_EXPORT(oob_area) int32_t
oob_area(void)
{
	return 0x7ffffff8;
}

/* bool[]: one byte per element; any non-zero byte is true. */
PGWASM_EXPORT(bools_not) int64_t
bools_not(const uint8_t *p, size_t n)
{
	uint8_t    *o = pgwasm_alloc(n);

	for (size_t i = 0; i < n; i++)
		o[i] = p[i] ? 0 : 7;
	return pgwasm_return(o, n);
}

PGWASM_EXPORT(bools_count) int32_t
bools_count(const uint8_t *p, size_t n)
{
	int32_t		c = 0;

	for (size_t i = 0; i < n; i++)
		c += p[i] != 0;
	return c;
}

/* int2[]: two bytes per element. */
PGWASM_EXPORT(i2_rev) int64_t
i2_rev(const int16_t *p, size_t n)
{
	int16_t    *o = pgwasm_alloc(n * 2);

	for (size_t i = 0; i < n; i++)
		o[i] = p[n - 1 - i];
	return pgwasm_return(o, n);
}

PGWASM_EXPORT(i2_sum) int32_t
i2_sum(const int16_t *p, size_t n)
{
	int32_t		s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* text[] / bytea[] / uuid[]: lists of {ptr, len}. */
PGWASM_EXPORT(strs_join) int64_t
strs_join(const pgwasm_str *items, size_t n)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	for (size_t i = 0; i < n; i++)
	{
		if (i > 0)
			pgwasm_buf_putc(&b, '|');
		pgwasm_buf_append(&b, items[i].ptr, items[i].len);
	}
	return pgwasm_buf_return(&b);
}

PGWASM_EXPORT(strs_split) int64_t
strs_split(const char *p, size_t n)
{
	pgwasm_strlist l = PGWASM_STRLIST_INIT;
	size_t		start = 0;

	if (n == 0)
		return pgwasm_strlist_return(&l);
	for (size_t i = 0; i <= n; i++)
	{
		if (i == n || p[i] == ',')
		{
			pgwasm_strlist_push(&l, p + start, i - start);
			start = i + 1;
		}
	}
	return pgwasm_strlist_return(&l);
}

PGWASM_EXPORT(strs_upper) int64_t
strs_upper(const pgwasm_str *items, size_t n)
{
	pgwasm_strlist l = PGWASM_STRLIST_INIT;

	for (size_t i = 0; i < n; i++)
	{
		char	   *s = pgwasm_alloc(items[i].len);

		for (size_t j = 0; j < items[i].len; j++)
		{
			char		c = items[i].ptr[j];

			s[j] = (c >= 'a' && c <= 'z') ? (char) (c - 32) : c;
		}
		pgwasm_strlist_push(&l, s, items[i].len);
		free(s);
	}
	return pgwasm_strlist_return(&l);
}

/* ---- hostile list results --------------------------------------------- */

/* The second element's string lies outside memory. */
PGWASM_EXPORT(list_oob_elem) int64_t
list_oob_elem(void)
{
	pgwasm_str *items = pgwasm_alloc(2 * sizeof(pgwasm_str));

	items[0].ptr = pgwasm_alloc(2);
	memcpy((char *) items[0].ptr, "ok", 2);
	items[0].len = 2;
	items[1].ptr = (const char *) (uintptr_t) 0xfffffff0u;
	items[1].len = 100;
	return pgwasm_return(items, 2);
}

/* A count whose elements would reach far past memory. */
PGWASM_EXPORT(list_oob_count) int64_t
list_oob_count(void)
{
	return pgwasm_return(pgwasm_alloc(8), 0x10000000);
}

/* An element that is not UTF-8. */
PGWASM_EXPORT(list_bad_utf8) int64_t
list_bad_utf8(void)
{
	pgwasm_strlist l = PGWASM_STRLIST_INIT;

	pgwasm_strlist_push(&l, "fine", 4);
	pgwasm_strlist_push(&l, "\xff\xfe", 2);
	return pgwasm_strlist_return(&l);
}

/* Two elements sharing one buffer: the host frees it once. */
PGWASM_EXPORT(list_shared) int64_t
list_shared(void)
{
	pgwasm_str *items = pgwasm_alloc(2 * sizeof(pgwasm_str));
	char	   *s = pgwasm_alloc(5);

	memcpy(s, "twice", 5);
	items[0].ptr = s;
	items[0].len = 5;
	items[1].ptr = s;
	items[1].len = 3;
	return pgwasm_return(items, 2);
}
