/*
 * vecmath.c — vector similarity over float8[] for pgwasm.
 *
 *   CREATE FUNCTION cosine_similarity(float8[], float8[]) RETURNS float8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:cosine_similarity';
 *   CREATE FUNCTION dot_product(float8[], float8[]) RETURNS float8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:dot_product';
 *   CREATE FUNCTION l2_norm(float8[]) RETURNS float8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:l2_norm';
 *   CREATE FUNCTION l2_distance(float8[], float8[]) RETURNS float8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:l2_distance';
 *   CREATE FUNCTION unit_vector(float8[]) RETURNS float8[]
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:unit_vector';
 *
 * A float8[] argument arrives as (pointer, element count) to packed doubles.
 * Dimension mismatches raise an ERROR with SQLSTATE 22000 (data_exception)
 * through the host import pgwasm.error_sqlstate.
 */
#include <math.h>

#include "pgwasm.h"

static void
check_same_dims(size_t na, size_t nb)
{
	if (na != nb)
		pgwasm_error_sqlstate("22000", "vectors must have the same number of dimensions");
}

/*
 * Scaled Euclidean norm: divides by the largest magnitude first, so vectors
 * of huge or tiny components neither overflow nor underflow.
 */
static double
norm(const double *v, size_t n)
{
	double		scale = 0.0,
				sum = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		if (fabs(v[i]) > scale)
			scale = fabs(v[i]);
	if (scale == 0.0 || isinf(scale))
		return scale;
	for (i = 0; i < n; i++)
	{
		double		x = v[i] / scale;

		sum += x * x;
	}
	return scale * sqrt(sum);
}

static double
dot(const double *a, const double *b, size_t n)
{
	double		sum = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

PGWASM_EXPORT(dot_product)
double
dot_product(const double *a, size_t na, const double *b, size_t nb)
{
	check_same_dims(na, nb);
	return dot(a, b, na);
}

PGWASM_EXPORT(l2_norm)
double
l2_norm(const double *v, size_t n)
{
	return norm(v, n);
}

PGWASM_EXPORT(l2_distance)
double
l2_distance(const double *a, size_t na, const double *b, size_t nb)
{
	double		sum = 0.0;
	size_t		i;

	check_same_dims(na, nb);
	for (i = 0; i < na; i++)
	{
		double		d = a[i] - b[i];

		sum += d * d;
	}
	return sqrt(sum);
}

/*
 * Cosine similarity in [-1, 1]; NaN when either vector is all zeros (there is
 * no direction to compare), which SQL shows as 'NaN'.
 */
PGWASM_EXPORT(cosine_similarity)
double
cosine_similarity(const double *a, size_t na, const double *b, size_t nb)
{
	double		na2,
				nb2,
				c;

	check_same_dims(na, nb);
	if (na == 0)
		pgwasm_error_sqlstate("22000", "cosine similarity of empty vectors is undefined");
	na2 = norm(a, na);
	nb2 = norm(b, nb);
	if (na2 == 0.0 || nb2 == 0.0)
		return NAN;
	c = dot(a, b, na) / na2 / nb2;
	/* rounding can leave |c| a hair above 1 */
	return c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
}

/* v / |v| as a new float8[] (a zero vector is returned unchanged). */
PGWASM_EXPORT(unit_vector)
int64_t
unit_vector(const double *v, size_t n)
{
	double	   *out = (double *) pgwasm_alloc(n * sizeof(double));
	double		len = norm(v, n);
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = len > 0.0 ? v[i] / len : v[i];
	return pgwasm_return_array(out, n);
}
