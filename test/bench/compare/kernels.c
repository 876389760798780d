/*
 * kernels.c — the functions of the comparison benchmark (test/bench/compare/
 * run.sh, `make bench`), written once in C.  The same source is compiled two
 * ways:
 *
 *   - to wasm32 (clang --target=wasm32-wasi, reactor) with examples/c/pgwasm.h:
 *     the module `kernels` that pgwasm runs;
 *   - natively, inside the C UDF extension pgwasm_bench_compare (cudf.c), with
 *     test/bench/sql/cudf/native_pgwasm.h standing in for the guest header.
 *
 * So the C UDF baseline and the Wasm function do the same work, instruction
 * for instruction of the source; only the compiler target and the call path
 * differ.  The PL/pgSQL, PL/Python and PL/Perl versions in setup.sql follow
 * the same algorithms, written the way each language is best used.
 */
#include "pgwasm.h"

/* ---- per-call overhead: add one ------------------------------------------ */

PGWASM_EXPORT(add1_i4)
int32_t
add1_i4(int32_t x)
{
	return (int32_t) ((uint32_t) x + 1u);
}

PGWASM_EXPORT(add1_i8)
int64_t
add1_i8(int64_t x)
{
	return (int64_t) ((uint64_t) x + 1u);
}

PGWASM_EXPORT(add1_f8)
double
add1_f8(double x)
{
	return x + 1.0;
}

/* ---- text ------------------------------------------------------------------ */

/* Characters of a UTF-8 string: the bytes that do not continue a sequence. */
PGWASM_EXPORT(utf8_length)
int32_t
utf8_length(const char *ptr, size_t len)
{
	const unsigned char *s = (const unsigned char *) ptr;
	int32_t		n = 0;

	for (size_t i = 0; i < len; i++)
		n += (s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * ASCII slug: letters lower-cased, digits kept, every other run of bytes
 * (non-ASCII characters included) one '-', none leading or trailing.
 * "Crème Brûlée: 10 Recipes!" -> "cr-me-br-l-e-10-recipes".
 */
PGWASM_EXPORT(slug)
int64_t
slug(const char *ptr, size_t len)
{
	const unsigned char *s = (const unsigned char *) ptr;
	char	   *out = pgwasm_alloc(len);
	size_t		n = 0;
	int			dash = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
		{
			dash = n > 0;
			continue;
		}
		if (dash)
			out[n++] = '-';
		dash = 0;
		out[n++] = (char) c;
	}
	return pgwasm_return(out, n);
}

/* ---- arrays ------------------------------------------------------------------ */

PGWASM_EXPORT(dot)
double
dot(const double *a, size_t na, const double *b, size_t nb)
{
	double		s = 0.0;

	if (na != nb)
		pgwasm_error_sqlstate("22000", "dot: arrays differ in length");
	for (size_t i = 0; i < na; i++)
		s += a[i] * b[i];
	return s;
}

/* ---- compute-heavy scalars --------------------------------------------------- */

/* Iterations before z = z^2 + c leaves the disc of radius 2 (at most maxiter). */
PGWASM_EXPORT(mandelbrot)
int32_t
mandelbrot(double cx, double cy, int32_t maxiter)
{
	double		x = 0.0,
				y = 0.0;
	int32_t		i = 0;

	while (i < maxiter)
	{
		double		x2 = x * x,
					y2 = y * y;

		if (x2 + y2 > 4.0)
			break;
		y = 2.0 * x * y + cy;
		x = x2 - y2 + cx;
		i++;
	}
	return i;
}

/*
 * Levenshtein distance between two byte strings (unit costs), two rows of the
 * dynamic programme.  Strings up to 255 bytes, so the rows live on the stack.
 */
PGWASM_EXPORT(levenshtein)
int32_t
levenshtein(const char *a, size_t na, const char *b, size_t nb)
{
	int32_t		row0[256],
				row1[256];
	int32_t    *prev = row0,
			   *cur = row1;

	if (na > 255 || nb > 255)
		pgwasm_error_sqlstate("22023", "levenshtein: strings longer than 255 bytes");
	for (size_t j = 0; j <= nb; j++)
		prev[j] = (int32_t) j;
	for (size_t i = 1; i <= na; i++)
	{
		int32_t    *t;

		cur[0] = (int32_t) i;
		for (size_t j = 1; j <= nb; j++)
		{
			int32_t		del = prev[j] + 1,
						ins = cur[j - 1] + 1,
						sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int32_t		m = del < ins ? del : ins;

			cur[j] = m < sub ? m : sub;
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

/* ---- aggregate --------------------------------------------------------------- */

/* State function of sumsq(float8): the running sum of squares. */
PGWASM_EXPORT(sumsq_step)
double
sumsq_step(double state, double x)
{
	return state + x * x;
}
