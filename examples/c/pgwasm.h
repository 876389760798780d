/*
 * pgwasm.h — guest-side header for writing pgwasm functions in C.
 *
 * Build a module with clang and Debian's wasi-libc, in the WASI "reactor"
 * model (no main; the linker emits an `_initialize` export that pgwasm calls
 * once after each instantiation):
 *
 *     clang --target=wasm32-wasi -O2 -mexec-model=reactor \
 *           -Wl,--strip-debug -o mymod.wasm mymod.c
 *
 * then, in SQL:
 *
 *     SELECT wasm.install_module('mymod', pg_read_binary_file('/path/mymod.wasm'));
 *     CREATE FUNCTION slugify(text) RETURNS text LANGUAGE wasm AS 'mymod:slugify';
 *
 * Guest ABI v1 in brief (docs/abi.md has the whole story):
 *
 *   int2/int4/bool -> int32_t      int8 -> int64_t
 *   float4 -> float                 float8 -> double
 *   date -> int32_t (days since 1970-01-01)
 *   timestamp/timestamptz -> int64_t (microseconds since 1970-01-01 UTC)
 *   text/varchar/bpchar/json/jsonb/bytea parameter -> (const char *ptr, size_t len)
 *   int4[]/int8[]/float4[]/float8[] parameter  -> (const T *ptr, size_t count)
 *   varlena or array result -> int64_t built with pgwasm_return_*() below
 *
 * Added in 0.3.0 (layouts of the component model's canonical ABI):
 *
 *   time -> int64_t (microseconds since midnight)
 *   interval -> (int32_t months, int32_t days, int64_t micros); as a result,
 *               a pointer to a pgwasm_interval (a static one will do)
 *   timetz -> (int64_t micros, int32_t utc_offset seconds east of UTC);
 *               as a result, a pointer to a pgwasm_timetz
 *   uuid, numeric, enums -> text: "a0eebc99-9c0b-...", exact decimal text
 *               ("-12.50", "NaN", "Infinity"; helpers below), the label
 *   bool[] -> (const bool *, count)    int2[] -> (const int16_t *, count)
 *   text[]/bytea[]/uuid[] -> (const pgwasm_str *, count); results built
 *               with pgwasm_strlist (every string and the list are freed)
 *
 * ABI v2 (PGWASM_ABI_V2 below): functions declared without STRICT take and
 * return options (NULLs).
 *
 * Memory protocol: pgwasm copies each varlena/array argument into a buffer it
 * obtains from the exported cabi_realloc() (defined below); it may keep that
 * buffer for later calls and releases it through the exported `free`, so a
 * function must neither keep nor free an argument pointer.  A result is copied out of guest
 * memory after the call and then released through `free` as well, so a
 * function must return a buffer of its own obtained from malloc() (the
 * pgwasm_return_*_copy() and pgwasm_buf helpers do that), never a pointer into
 * an argument, a string literal or a static array.
 *
 * Everything here is header-only.  The exported allocator functions are weak
 * definitions, so the header can be included by several files of one module.
 */
#ifndef PGWASM_H
#define PGWASM_H

#if !defined(__wasm32__)
#error "pgwasm.h is for WebAssembly guests: compile with clang --target=wasm32-wasi"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- exports ---------------------------------------------------------- */

/*
 * PGWASM_EXPORT(name) exports the following function under `name`:
 *
 *     PGWASM_EXPORT(word_count)
 *     int32_t word_count(const char *s, size_t len) { ... }
 */
#define PGWASM_EXPORT(name) __attribute__((export_name(#name), visibility("default")))

/* ---- argument views --------------------------------------------------- */

/* A text (or json) argument: UTF-8, not NUL-terminated. */
typedef struct pgwasm_text
{
	const char *ptr;
	size_t		len;
} pgwasm_text;

/* A bytea argument. */
typedef struct pgwasm_bytes
{
	const uint8_t *ptr;
	size_t		len;
} pgwasm_bytes;

/* One-dimensional arrays without NULL elements, packed little-endian. */
typedef struct pgwasm_int4_array
{
	const int32_t *ptr;
	size_t		count;
} pgwasm_int4_array;

typedef struct pgwasm_int8_array
{
	const int64_t *ptr;
	size_t		count;
} pgwasm_int8_array;

typedef struct pgwasm_float4_array
{
	const float *ptr;
	size_t		count;
} pgwasm_float4_array;

typedef struct pgwasm_float8_array
{
	const double *ptr;
	size_t		count;
} pgwasm_float8_array;

/* An element of a text[], bytea[] or uuid[] argument: canonical {ptr, len}. */
typedef struct pgwasm_str
{
	const char *ptr;
	size_t		len;
} pgwasm_str;

/* interval and timetz in memory (results: return a pointer to one). */
typedef struct pgwasm_interval
{
	int32_t		months;
	int32_t		days;
	int64_t		micros;
} pgwasm_interval;

typedef struct pgwasm_timetz
{
	int64_t		micros;			/* since midnight */
	int32_t		utc_offset;		/* seconds east of UTC: +02:00 is 7200 */
} pgwasm_timetz;

/* ---- functions declared by the module ----------------------------------- */

/*
 * PGWASM_SQL("decl") (at file scope) adds a line to the module's custom
 * section "pgwasm_functions": what follows CREATE FUNCTION, AS naming the
 * export (the function's name if omitted).  wasm.create_functions('m')
 * creates them all:
 *
 *     PGWASM_SQL("slugify(t text) RETURNS text STRICT IMMUTABLE AS 'slugify'");
 *
 * No double quotes inside (the text goes through an assembler string).
 */
#define PGWASM_SQL(decl) \
	__asm__(".section .custom_section.pgwasm_functions,\"\",@\n.ascii \"" decl "\\n\"\n")

/* ---- ABI v2: NULLs ------------------------------------------------------ */

/*
 * PGWASM_ABI_V2 (once, at file scope) exports pgwasm_abi_v2, which makes the
 * module's functions declared without STRICT null-aware: each argument
 * arrives as an option, (int32_t is_some, T's values...), with zeros for a
 * NULL; array elements are options in memory; and the result is a pointer
 * to an option in memory (return a static one), e.g.
 *
 *     PGWASM_ABI_V2
 *     // CREATE FUNCTION coalesce_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'm:coalesce_add';
 *     PGWASM_EXPORT(coalesce_add) pgwasm_opt_int4 *
 *     coalesce_add(int32_t has_a, int32_t a, int32_t has_b, int32_t b)
 *     {
 *         static pgwasm_opt_int4 r;
 *         r.is_some = has_a || has_b;
 *         r.value = a + b;               // a NULL's payload is 0
 *         return &r;
 *     }
 *
 * STRICT functions keep plain values: NULL in gives NULL out, uncalled.
 */
#define PGWASM_ABI_V2 \
	__attribute__((export_name("pgwasm_abi_v2"))) void pgwasm_abi_v2(void) {}

/* option<T> in memory: a byte 0 (NULL) or 1, then T at T's alignment. */
#define PGWASM_OPTION(T) struct { uint8_t is_some; T value; }
typedef PGWASM_OPTION(uint8_t) pgwasm_opt_bool;
typedef PGWASM_OPTION(int16_t) pgwasm_opt_int2;
typedef PGWASM_OPTION(int32_t) pgwasm_opt_int4;
typedef PGWASM_OPTION(int64_t) pgwasm_opt_int8;
typedef PGWASM_OPTION(float) pgwasm_opt_float4;
typedef PGWASM_OPTION(double) pgwasm_opt_float8;
typedef PGWASM_OPTION(pgwasm_str) pgwasm_opt_str;		/* text, bytea, uuid, ... */
typedef PGWASM_OPTION(pgwasm_interval) pgwasm_opt_interval;

/* ---- triggers ------------------------------------------------------------ */

/* A list in memory: text[] elements, trigger arguments. */
typedef struct pgwasm_list
{
	const void *ptr;
	size_t		count;
} pgwasm_list;

/*
 * The event at the start of a trigger call (docs/abi.md, Triggers); the
 * call continues with PGWASM_OPTION(row) old, new, row being the table's
 * row as a struct of PGWASM_OPTION fields.
 */
enum { PGWASM_TG_INSERT, PGWASM_TG_UPDATE, PGWASM_TG_DELETE, PGWASM_TG_TRUNCATE };
enum { PGWASM_TG_BEFORE, PGWASM_TG_AFTER, PGWASM_TG_INSTEAD };
enum { PGWASM_TG_ROW, PGWASM_TG_STATEMENT };
/* The result's tag: skip the row, proceed with it unchanged, or with ours. */
enum { PGWASM_TG_SKIP, PGWASM_TG_UNCHANGED, PGWASM_TG_MODIFIED };

typedef struct pgwasm_trigger_event
{
	uint8_t		op;
	uint8_t		timing;
	uint8_t		level;
	pgwasm_str	table_name;
	pgwasm_str	table_schema;
	pgwasm_list args;			/* of pgwasm_str */
} pgwasm_trigger_event;

/*
 * Structs are passed to Wasm functions by reference, which is not the ABI, so
 * exported functions take the two scalars and wrap them:
 *
 *     PGWASM_EXPORT(f) int64_t f(const char *p, size_t n)
 *     { pgwasm_text s = PGWASM_TEXT(p, n); ... }
 */
#define PGWASM_TEXT(p, n)         ((pgwasm_text){ (const char *) (p), (size_t) (n) })
#define PGWASM_BYTES(p, n)        ((pgwasm_bytes){ (const uint8_t *) (p), (size_t) (n) })
#define PGWASM_INT4_ARRAY(p, n)   ((pgwasm_int4_array){ (const int32_t *) (p), (size_t) (n) })
#define PGWASM_INT8_ARRAY(p, n)   ((pgwasm_int8_array){ (const int64_t *) (p), (size_t) (n) })
#define PGWASM_FLOAT4_ARRAY(p, n) ((pgwasm_float4_array){ (const float *) (p), (size_t) (n) })
#define PGWASM_FLOAT8_ARRAY(p, n) ((pgwasm_float8_array){ (const double *) (p), (size_t) (n) })

/* ---- host imports (module "pgwasm") ------------------------------------ */

/*
 * Message levels for pgwasm_log(), reported through ereport() at the matching
 * PostgreSQL level: DEBUG1, LOG, INFO, NOTICE, WARNING (so DEBUG messages
 * appear only when client_min_messages / log_min_messages ask for them).
 * Any other value traps.
 */
enum pgwasm_level
{
	PGWASM_DEBUG = 0,
	PGWASM_LOG = 1,
	PGWASM_INFO = 2,
	PGWASM_NOTICE = 3,
	PGWASM_WARNING = 4
};

__attribute__((import_module("pgwasm"), import_name("log")))
void		pgwasm_log_raw(int32_t level, const char *ptr, size_t len);

/* Raises an ERROR (SQLSTATE P0001) with the message; does not return. */
__attribute__((import_module("pgwasm"), import_name("error"), noreturn))
void		pgwasm_error_raw(const char *ptr, size_t len);

/*
 * Raises an ERROR with the given SQLSTATE (5 characters 0-9/A-Z, not class
 * "00"), e.g. "22023" invalid_parameter_value; does not return.
 */
__attribute__((import_module("pgwasm"), import_name("error_sqlstate"), noreturn))
void		pgwasm_error_sqlstate_raw(const char *sqlstate, const char *ptr, size_t len);

static inline void
pgwasm_log(enum pgwasm_level level, const char *msg)
{
	pgwasm_log_raw((int32_t) level, msg, strlen(msg));
}

__attribute__((noreturn)) static inline void
pgwasm_error(const char *msg)
{
	pgwasm_error_raw(msg, strlen(msg));
}

__attribute__((noreturn)) static inline void
pgwasm_error_sqlstate(const char *sqlstate, const char *msg)
{
	pgwasm_error_sqlstate_raw(sqlstate, msg, strlen(msg));
}

/*
 * Only functions that are actually called become imports of the module, so a
 * module that never logs or raises imports nothing from "pgwasm" and also runs
 * under any other Wasm runtime.
 */

/* ---- results ---------------------------------------------------------- */

/*
 * A varlena result is one i64: (len << 32) | ptr, len in bytes.  An array
 * result is (count << 32) | ptr, count in elements.  The buffer must come
 * from malloc(): pgwasm frees it after copying the value out.
 */
static inline int64_t
pgwasm_return(const void *ptr, size_t len)
{
	return (int64_t) (((uint64_t) (uint32_t) len << 32) | (uint32_t) (uintptr_t) ptr);
}

/* Allocate with malloc(); raises an ERROR instead of returning NULL. */
static inline void *
pgwasm_alloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		pgwasm_error("pgwasm guest: out of memory");
	return p;
}

/* Copy len bytes into a fresh buffer and return them. */
static inline int64_t
pgwasm_return_copy(const void *data, size_t len)
{
	void	   *p = pgwasm_alloc(len);

	if (len)
		memcpy(p, data, len);
	return pgwasm_return(p, len);
}

static inline int64_t
pgwasm_return_cstring(const char *s)
{
	return pgwasm_return_copy(s, strlen(s));
}

/* Return count elements of an array allocated with malloc()/pgwasm_alloc(). */
#define pgwasm_return_array(ptr, count) pgwasm_return((ptr), (count))

/*
 * A growable output buffer for building a result of unknown length:
 *
 *     pgwasm_buf b = PGWASM_BUF_INIT;
 *     pgwasm_buf_putc(&b, 'x');
 *     return pgwasm_buf_return(&b);
 */
typedef struct pgwasm_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} pgwasm_buf;

#define PGWASM_BUF_INIT ((pgwasm_buf){ NULL, 0, 0 })

static inline void
pgwasm_buf_reserve(pgwasm_buf *b, size_t extra)
{
	size_t		need = b->len + extra;

	if (need > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 64;

		while (cap < need)
			cap *= 2;
		b->data = (char *) realloc(b->data, cap);
		if (b->data == NULL)
			pgwasm_error("pgwasm guest: out of memory");
		b->cap = cap;
	}
}

static inline void
pgwasm_buf_putc(pgwasm_buf *b, char c)
{
	pgwasm_buf_reserve(b, 1);
	b->data[b->len++] = c;
}

static inline void
pgwasm_buf_append(pgwasm_buf *b, const void *data, size_t len)
{
	pgwasm_buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static inline int64_t
pgwasm_buf_return(pgwasm_buf *b)
{
	if (b->data == NULL)
		pgwasm_buf_reserve(b, 1);	/* an empty result still owns a buffer */
	return pgwasm_return(b->data, b->len);
}


/* ---- lists of strings (text[], bytea[], uuid[] results) ---------------- */

/*
 * A list whose strings are each copied into a buffer of their own; pgwasm
 * frees every string and the list after the call.
 *
 *     pgwasm_strlist l = PGWASM_STRLIST_INIT;
 *     pgwasm_strlist_push(&l, "a", 1);
 *     return pgwasm_strlist_return(&l);
 */
typedef struct pgwasm_strlist
{
	pgwasm_str *items;
	size_t		count;
	size_t		cap;
} pgwasm_strlist;

#define PGWASM_STRLIST_INIT ((pgwasm_strlist){ NULL, 0, 0 })

static inline void
pgwasm_strlist_push(pgwasm_strlist *l, const void *data, size_t len)
{
	char	   *copy;

	if (l->count == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = (pgwasm_str *) realloc(l->items, l->cap * sizeof(pgwasm_str));
		if (l->items == NULL)
			pgwasm_error("pgwasm guest: out of memory");
	}
	copy = (char *) pgwasm_alloc(len);
	if (len)
		memcpy(copy, data, len);
	l->items[l->count].ptr = copy;
	l->items[l->count].len = len;
	l->count++;
}

static inline int64_t
pgwasm_strlist_return(pgwasm_strlist *l)
{
	if (l->items == NULL)
		l->items = (pgwasm_str *) pgwasm_alloc(sizeof(pgwasm_str));
	return pgwasm_return(l->items, l->count);
}

/* ---- numeric ------------------------------------------------------------ */

/*
 * numeric crosses as exact decimal text: what numeric_out prints ("-12.50",
 * "0.000001", "NaN", "Infinity", "-Infinity"); as a result, anything
 * numeric_in accepts ("1e3" too).  Malformed text is an ERROR 22P02.
 */

/* Is the text a finite number (not NaN or an infinity)? */
static inline bool
pgwasm_numeric_is_finite(const char *s, size_t len)
{
	size_t		i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;

	return i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.');
}

/*
 * Parse decimal text ([sign] digits [. digits]) into value * 10^scale,
 * rounding half away from zero.  False if the text is not such a number
 * (NaN, infinities, exponents) or the result does not fit in int64.
 */
static inline bool
pgwasm_numeric_to_scaled(const char *s, size_t len, int scale, int64_t *out)
{
	size_t		i = 0;
	bool		neg = false,
				digits = false,
				dot = false,
				round_up = false;
	int			frac = 0;
	uint64_t	v = 0;
	const uint64_t limit = (uint64_t) INT64_MAX;

	if (scale < 0 || scale > 18)
		return false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len; i++)
	{
		char		c = s[i];

		if (c == '.' && !dot)
		{
			dot = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		digits = true;
		if (dot && frac >= scale)
		{
			/* The first digit dropped decides the rounding. */
			if (frac == scale)
				round_up = c >= '5';
			frac++;
			continue;
		}
		if (v > (limit - (uint64_t) (c - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t) (c - '0');
		if (dot)
			frac++;
	}
	if (!digits)
		return false;
	for (int f = frac < scale ? frac : scale; f < scale; f++)
	{
		if (v > limit / 10)
			return false;
		v *= 10;
	}
	if (round_up && v++ == limit)
		return false;
	*out = neg ? -(int64_t) v : (int64_t) v;
	return true;
}

/* Append value / 10^scale as exact decimal text ("-1.05" for -105, 2). */
static inline void
pgwasm_numeric_append_scaled(pgwasm_buf *b, int64_t value, int scale)
{
	char		tmp[48];
	int			n = 0;
	uint64_t	v = value < 0 ? (uint64_t) 0 - (uint64_t) value : (uint64_t) value;

	/* Digits backwards, the point after scale of them. */
	do
	{
		if (n == scale && scale > 0)
			tmp[n++] = '.';
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0 || n <= scale);
	if (value < 0)
		tmp[n++] = '-';
	pgwasm_buf_reserve(b, (size_t) n);
	while (n > 0)
		b->data[b->len++] = tmp[--n];
}

/* ---- allocator exports ------------------------------------------------ */

/*
 * cabi_realloc(old, old_size, align, new_size), as in the component model's
 * canonical ABI.  pgwasm calls cabi_realloc(0, 0, align, size) for a new
 * argument buffer and cabi_realloc(old, old_size, align, size) to grow one
 * it keeps between calls (never with size 0; the contents need not be
 * preserved).  On failure it returns NULL, which pgwasm reports as an ERROR
 * (SQLSTATE 53200) naming pgwasm.max_memory.
 */
#ifndef PGWASM_CUSTOM_ALLOCATOR
/*
 * (Define PGWASM_CUSTOM_ALLOCATOR before including this header to export
 * cabi_realloc and free of your own instead.)
 */
__attribute__((export_name("cabi_realloc"), weak)) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	void	   *p;

	if (new_size == 0)
		new_size = 1;
	if (align <= 16)
		p = old ? realloc(old, new_size) : malloc(new_size);	/* malloc aligns to 16 */
	else
	{
		p = aligned_alloc(align, (new_size + align - 1) & ~(align - 1));
		if (p != NULL && old != NULL)
		{
			memcpy(p, old, old_size < new_size ? old_size : new_size);
			free(old);
		}
	}
	return p;
}

/* Exported as "free": releases argument and result buffers after a call. */
__attribute__((export_name("free"), weak)) void
pgwasm_free(void *ptr)
{
	free(ptr);
}
#endif							/* PGWASM_CUSTOM_ALLOCATOR */

#ifdef __cplusplus
}
#endif
#endif							/* PGWASM_H */
