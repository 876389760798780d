/*
 * pgwasm_bench_cudf.c — the native C UDF baselines of the SQL benchmarks
 * (test/bench/sql/run.sh): the same functions pgwasm runs as Wasm, compiled
 * natively into an ordinary LANGUAGE C extension.
 *
 *   add_c(int4, int4) int4             wrapping i32 add, as examples/wat/add.wat
 *   tlen_c(text) int4                  byte length: the cost of a text argument
 *   slugify_c(text) text               examples/c/textkit.c slugify()
 *   crc32_c(bytea) int8                examples/c/checksum.c crc32()
 *   cosine_c(float8[], float8[]) float8  examples/c/vecmath.c cosine_similarity()
 *   bench_cpu_ns() int8                CPU time of this backend in ns, for the
 *                                      timing driver (a loaded machine inflates
 *                                      wall-clock times, not CPU times)
 *   bench_mark() void                  does nothing: run.sh's callgrind pass
 *                                      dumps its counters whenever it is called
 *
 * The three example guests are compiled from their own unmodified sources
 * (included below) through native_pgwasm.h, which stands in for the guest
 * header.  The wrappers only move values between Datums and the guests'
 * (pointer, length) parameters, as pgwasm's call handler does for the Wasm
 * build — minus the copy into guest memory.
 */
#include "native_pgwasm.h"

#include <time.h>

#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "catalog/pg_type.h"

/* The guests, unchanged; their includes of "pgwasm.h" are no-ops. */
#include "textkit.c"
#include "checksum.c"
#include "vecmath.c"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(add_c);
PG_FUNCTION_INFO_V1(tlen_c);
PG_FUNCTION_INFO_V1(slugify_c);
PG_FUNCTION_INFO_V1(crc32_c);
PG_FUNCTION_INFO_V1(cosine_c);
PG_FUNCTION_INFO_V1(bench_cpu_ns);
PG_FUNCTION_INFO_V1(bench_mark);

Datum
add_c(PG_FUNCTION_ARGS)
{
	/* i32.add wraps; int4pl would raise an overflow ERROR instead. */
	PG_RETURN_INT32((int32) ((uint32) PG_GETARG_INT32(0) + (uint32) PG_GETARG_INT32(1)));
}

Datum
tlen_c(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT32((int32) VARSIZE_ANY_EXHDR(t));
}

Datum
slugify_c(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	text	   *res;

	(void) slugify(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	res = cstring_to_text_with_len(native_result.ptr, (int) native_result.len);
	pfree((void *) native_result.ptr);
	PG_RETURN_TEXT_P(res);
}

Datum
crc32_c(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_INT64(crc32((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

Datum
cosine_c(PG_FUNCTION_ARGS)
{
	size_t		na,
				nb;
	const double *a = native_float8_array(PG_GETARG_ARRAYTYPE_P(0), &na);
	const double *b = native_float8_array(PG_GETARG_ARRAYTYPE_P(1), &nb);

	PG_RETURN_FLOAT8(cosine_similarity(a, na, b, nb));
}

Datum
bench_cpu_ns(PG_FUNCTION_ARGS)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		elog(ERROR, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed: %m");
	PG_RETURN_INT64((int64) ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* noinline: valgrind --dump-before=bench_mark must see a call. */
__attribute__((noinline)) Datum
bench_mark(PG_FUNCTION_ARGS)
{
	__asm__ volatile("");
	PG_RETURN_VOID();
}
