/*
 * cudf.c — the native C UDF baselines of the comparison benchmark
 * (test/bench/compare/run.sh): kernels.c, the very source pgwasm runs as the
 * Wasm module `kernels`, compiled natively into an ordinary LANGUAGE C
 * extension, pgwasm_bench_compare.
 *
 * native_pgwasm.h (test/bench/sql/cudf/) stands in for the guest header:
 * PGWASM_EXPORT becomes `static`, pgwasm_alloc() palloc(), a (pointer,
 * length) result lands in native_result, and pgwasm_error_sqlstate()
 * ereport().  The wrappers below only move values between Datums and the
 * kernels' parameters, as pgwasm's call handler does — minus the copies into
 * and out of guest memory.
 */
#include "native_pgwasm.h"

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "kernels.c"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(add1_i4_c);
PG_FUNCTION_INFO_V1(add1_i8_c);
PG_FUNCTION_INFO_V1(add1_f8_c);
PG_FUNCTION_INFO_V1(utf8_length_c);
PG_FUNCTION_INFO_V1(slug_c);
PG_FUNCTION_INFO_V1(dot_c);
PG_FUNCTION_INFO_V1(mandelbrot_c);
PG_FUNCTION_INFO_V1(levenshtein_c);
PG_FUNCTION_INFO_V1(sumsq_step_c);

Datum
add1_i4_c(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(add1_i4(PG_GETARG_INT32(0)));
}

Datum
add1_i8_c(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(add1_i8(PG_GETARG_INT64(0)));
}

Datum
add1_f8_c(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(add1_f8(PG_GETARG_FLOAT8(0)));
}

Datum
utf8_length_c(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT32(utf8_length(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

Datum
slug_c(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	text	   *res;

	(void) slug(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	res = cstring_to_text_with_len(native_result.ptr, (int) native_result.len);
	pfree((void *) native_result.ptr);
	PG_RETURN_TEXT_P(res);
}

Datum
dot_c(PG_FUNCTION_ARGS)
{
	size_t		na,
				nb;
	const double *a = native_float8_array(PG_GETARG_ARRAYTYPE_P(0), &na);
	const double *b = native_float8_array(PG_GETARG_ARRAYTYPE_P(1), &nb);

	PG_RETURN_FLOAT8(dot(a, na, b, nb));
}

Datum
mandelbrot_c(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(mandelbrot(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1), PG_GETARG_INT32(2)));
}

Datum
levenshtein_c(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);

	PG_RETURN_INT32(levenshtein(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
								VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

Datum
sumsq_step_c(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(sumsq_step(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1)));
}
