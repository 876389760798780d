/*
 * vecops.c — element-wise and integer-reduction loops that compilers
 * vectorise without changing results (no floating-point reassociation):
 * an int16 dot product into int32 (i32x4.dot_i16x8_s / extmul with
 * -msimd128), a float saxpy y = a*x + y, and a byte clamp-and-add.  The
 * kernel of the SIMD section of docs/benchmarks.md, next to its scalar
 * build.
 */
#include "bench.h"

#define N 4096

static int16_t P[N], Q[N];
static float X[N], Y[N];
static uint8_t U[N], V[N];

__attribute__((noinline)) static int32_t dot16(const int16_t *p, const int16_t *q)
{
	int32_t s = 0;
	for (int i = 0; i < N; i++)
		s += p[i] * q[i];
	return s;
}

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y)
{
	for (int i = 0; i < N; i++)
		y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static void addclamp(uint8_t *u, const uint8_t *v)
{
	for (int i = 0; i < N; i++) {
		unsigned t = u[i] + v[i];
		u[i] = t > 255 ? 255 : (uint8_t)t;
	}
}

int main(int argc, char **argv)
{
	long reps = bench_param(argc, argv, 40000);
	uint64_t seed = 0x9e3779b9;
	for (int i = 0; i < N; i++) {
		P[i] = (int16_t)bench_rand(&seed);
		Q[i] = (int16_t)bench_rand(&seed);
		X[i] = (float)(bench_rand(&seed) % 2001) / 1000.0f - 1.0f;
		Y[i] = 0.0f;
		U[i] = (uint8_t)bench_rand(&seed);
		V[i] = (uint8_t)(bench_rand(&seed) & 7);
	}
	uint64_t sum = 0;
	for (long r = 0; r < reps; r++) {
		sum = bench_mix(sum, (uint32_t)dot16(P, Q));
		saxpy(r % 2 ? -0.5f : 0.25f, X, Y);
		if (r % 64 == 0)
			for (int i = 0; i < N; i++)
				U[i] >>= 1;
		addclamp(U, V);
		P[r % N] = (int16_t)(P[r % N] + (int16_t)sum);
	}
	for (int i = 0; i < N; i += 7) {
		union { float f; uint32_t u; } cv = { Y[i] };
		sum = bench_mix(sum, cv.u ^ U[i]);
	}
	bench_report("vecops", reps, sum);
	return 0;
}
