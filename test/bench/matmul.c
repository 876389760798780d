/*
 * matmul.c — dense double-precision matrix multiply (i-k-j loop order):
 * measures f64 loads/stores, multiply-add chains and address arithmetic in
 * nested counted loops.
 */
#include "bench.h"

#define N 256

static double A[N * N], B[N * N], C[N * N];

__attribute__((noinline)) static void matmul(const double *a, const double *b, double *c)
{
	for (int i = 0; i < N; i++) {
		double *ci = c + i * N;
		for (int j = 0; j < N; j++)
			ci[j] = 0.0;
		for (int k = 0; k < N; k++) {
			double aik = a[i * N + k];
			const double *bk = b + k * N;
			for (int j = 0; j < N; j++)
				ci[j] += aik * bk[j];
		}
	}
}

int main(int argc, char **argv)
{
	long reps = bench_param(argc, argv, 200);
	uint64_t seed = 0x1234567;
	for (int i = 0; i < N * N; i++) {
		A[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
		B[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
	}
	uint64_t sum = 0;
	for (long r = 0; r < reps; r++) {
		matmul(A, B, C);
		/* Feed the result back so no repetition can be skipped. */
		double t = C[(r * 7919) % (N * N)];
		A[r % (N * N)] = t / (1.0 + t * t);
		for (int i = 0; i < N * N; i += 61) {
			union { double d; uint64_t u; } cv = { C[i] };
			sum = bench_mix(sum, cv.u);
		}
	}
	bench_report("matmul", reps, sum);
	return 0;
}
