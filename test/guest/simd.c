/*
 * simd.c — a C guest built with -msimd128 (a per-file flag in the Makefile)
 * for sql/simd.sql: the same reductions written twice, with explicit v128
 * operations (wasm_simd128.h) and as scalar code built without SIMD,
 * associated the same way (two f64 lanes become two scalar
 * accumulators), so the two give bit-identical results, NaN and infinities
 * included.  takes_v128 has a v128 in its signature: CREATE FUNCTION over it
 * must be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
/* The scalar versions: no SIMD at all (the loop pragmas stop the loop
 * vectoriser, this also the SLP vectoriser, which packs s0/s1). */
#define SCALAR __attribute__((target("no-simd128")))

EXPORT(cabi_realloc) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	void	   *p = realloc(old, new_size ? new_size : 1);

	if (p == NULL)
		__builtin_trap();
	return p;
}

EXPORT(free) void
guest_free(void *p)
{
	free(p);
}

/* dot(a, b) over the shorter length: lanes 0/1 accumulate even/odd terms. */
EXPORT(dot_simd) double
dot_simd(const double *a, int32_t na, const double *b, int32_t nb)
{
	int32_t n = na < nb ? na : nb, i = 0;
	v128_t acc = wasm_f64x2_splat(0.0);

	for (; i + 2 <= n; i += 2)
		acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
	double s = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
	if (i < n)
		s += a[i] * b[i];
	return s;
}

EXPORT(dot_scalar) SCALAR double
dot_scalar(const double *a, int32_t na, const double *b, int32_t nb)
{
	int32_t n = na < nb ? na : nb, i = 0;
	double s0 = 0.0, s1 = 0.0;

#pragma clang loop vectorize(disable) interleave(disable)
	for (; i + 2 <= n; i += 2)
	{
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
	}
	double s = s0 + s1;
	if (i < n)
		s += a[i] * b[i];
	return s;
}

/* sum of an int4[] as int8: four i32 lanes widened to i64x2 pairs. */
EXPORT(sum_simd) int64_t
sum_simd(const int32_t *a, int32_t n)
{
	int32_t i = 0;
	v128_t acc = wasm_i64x2_splat(0);

	for (; i + 4 <= n; i += 4)
	{
		v128_t v = wasm_v128_load(a + i);
		acc = wasm_i64x2_add(acc, wasm_i64x2_extend_low_i32x4(v));
		acc = wasm_i64x2_add(acc, wasm_i64x2_extend_high_i32x4(v));
	}
	int64_t s = wasm_i64x2_extract_lane(acc, 0) + wasm_i64x2_extract_lane(acc, 1);
	for (; i < n; i++)
		s += a[i];
	return s;
}

EXPORT(sum_scalar) SCALAR int64_t
sum_scalar(const int32_t *a, int32_t n)
{
	int64_t s = 0;

#pragma clang loop vectorize(disable) interleave(disable)
	for (int32_t i = 0; i < n; i++)
		s += a[i];
	return s;
}

/* max of a float8[] with f64x2.max (NaN wins, -0 < +0) against fmax-like
 * scalar code with the same rules, lanes folded the same way. */
static double
wmax(double x, double y)
{
	if (x != x || y != y)
		return x + y;
	if (x == 0 && y == 0)
		return __builtin_signbit(x) ? y : x;
	return x > y ? x : y;
}

EXPORT(max_simd) double
max_simd(const double *a, int32_t n)
{
	int32_t i = 0;
	v128_t m = wasm_f64x2_splat(-__builtin_inf());

	for (; i + 2 <= n; i += 2)
		m = wasm_f64x2_max(m, wasm_v128_load(a + i));
	double r = wmax(wasm_f64x2_extract_lane(m, 0), wasm_f64x2_extract_lane(m, 1));
	if (i < n)
		r = wmax(r, a[i]);
	return r;
}

EXPORT(max_scalar) SCALAR double
max_scalar(const double *a, int32_t n)
{
	int32_t i = 0;
	double m0 = -__builtin_inf(), m1 = -__builtin_inf();

#pragma clang loop vectorize(disable) interleave(disable)
	for (; i + 2 <= n; i += 2)
	{
		m0 = wmax(m0, a[i]);
		m1 = wmax(m1, a[i + 1]);
	}
	double r = wmax(m0, m1);
	if (i < n)
		r = wmax(r, a[i]);
	return r;
}

/* Saturating narrow of int4[] to int2 lanes, summed: i16x8.narrow_i32x4_s. */
EXPORT(narrow_sum_simd) int64_t
narrow_sum_simd(const int32_t *a, int32_t n)
{
	int64_t s = 0;
	int32_t i = 0;

	for (; i + 8 <= n; i += 8)
	{
		v128_t v = wasm_i16x8_narrow_i32x4(wasm_v128_load(a + i), wasm_v128_load(a + i + 4));
		for (int k = 0; k < 8; k++)
			s += ((int16_t *) &v)[k];
	}
	for (; i < n; i++)
		s += a[i] < -32768 ? -32768 : a[i] > 32767 ? 32767 : a[i];
	return s;
}

EXPORT(narrow_sum_scalar) SCALAR int64_t
narrow_sum_scalar(const int32_t *a, int32_t n)
{
	int64_t s = 0;

#pragma clang loop vectorize(disable) interleave(disable)
	for (int32_t i = 0; i < n; i++)
		s += a[i] < -32768 ? -32768 : a[i] > 32767 ? 32767 : a[i];
	return s;
}

EXPORT(takes_v128) int32_t
takes_v128(v128_t x)
{
	return wasm_i32x4_extract_lane(x, 0);
}
