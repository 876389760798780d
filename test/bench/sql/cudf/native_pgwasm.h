/*
 * native_pgwasm.h — a native (x86-64, in-backend) stand-in for
 * examples/c/pgwasm.h, so that the example guests textkit.c, checksum.c and
 * vecmath.c compile unchanged into the C UDF baseline of the SQL benchmarks
 * (test/bench/sql/).  Include it before the guest source: it defines
 * PGWASM_H, so the guest's own `#include "pgwasm.h"` (which refuses
 * non-wasm targets) becomes a no-op.
 *
 * Differences from the wasm header, all forced by running inside a backend:
 *   - PGWASM_EXPORT makes the function static: nothing is exported, so the
 *     guests' crc32() etc. can never interpose on or be interposed by a
 *     symbol of the same name in the server;
 *   - buffers come from palloc/repalloc (CurrentMemoryContext) instead of
 *     malloc/realloc;
 *   - a native pointer does not fit the ABI's (len << 32) | ptr, so
 *     pgwasm_return() records pointer and length in native_result and
 *     returns 0; the SQL wrapper reads them from there;
 *   - pgwasm_error*() raise the ERROR directly with ereport().
 * The growth policy of pgwasm_buf (64 bytes, then doubling) is the same.
 */
#ifndef NATIVE_PGWASM_H
#define NATIVE_PGWASM_H

#define PGWASM_H				/* the wasm header is now a no-op */

#include "postgres.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PGWASM_EXPORT(name) static __attribute__((unused))

/* The last (pointer, length) result of a guest function. */
static struct
{
	const void *ptr;
	size_t		len;
}			native_result;

__attribute__((noreturn, unused)) static void
pgwasm_error(const char *msg)
{
	ereport(ERROR, (errcode(ERRCODE_RAISE_EXCEPTION), errmsg("%s", msg)));
	pg_unreachable();
}

__attribute__((noreturn, unused)) static void
pgwasm_error_sqlstate(const char *sqlstate, const char *msg)
{
	ereport(ERROR,
			(errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
								   sqlstate[3], sqlstate[4])),
			 errmsg("%s", msg)));
	pg_unreachable();
}

static inline int64_t
pgwasm_return(const void *ptr, size_t len)
{
	native_result.ptr = ptr;
	native_result.len = len;
	return 0;
}

static inline void *
pgwasm_alloc(size_t size)
{
	return palloc(size ? size : 1);
}

#define pgwasm_return_array(ptr, count) pgwasm_return((ptr), (count))

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
		b->data = b->data ? repalloc(b->data, cap) : palloc(cap);
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
		pgwasm_buf_reserve(b, 1);
	return pgwasm_return(b->data, b->len);
}

#include "catalog/pg_type.h"
#include "utils/array.h"

/*
 * A float8[] argument as (pointer, count), with pgwasm's restrictions (one
 * dimension, no NULLs): what the C UDF baselines pass to a guest function.
 */
static inline __attribute__((unused)) const double *
native_float8_array(ArrayType *a, size_t *count)
{
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		elog(ERROR, "expected a float8[]");
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("only one-dimensional arrays are accepted")));
	if (ARR_HASNULL(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array elements must not be NULL")));
	*count = (size_t) ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	return (const double *) ARR_DATA_PTR(a);
}

#endif							/* NATIVE_PGWASM_H */
