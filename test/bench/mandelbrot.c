/*
 * mandelbrot.c — escape-time Mandelbrot set on a square grid: measures f64
 * arithmetic and compares in a tight data-dependent loop.
 */
#include "bench.h"

#define MAXITER 200

__attribute__((noinline)) static uint64_t mandel_row(int y, int size)
{
	uint64_t h = 0;
	double ci = 2.0 * y / size - 1.0;
	for (int x = 0; x < size; x++) {
		double cr = 2.5 * x / size - 2.0;
		double zr = 0.0, zi = 0.0, zr2 = 0.0, zi2 = 0.0;
		int it = 0;
		while (it < MAXITER && zr2 + zi2 <= 4.0) {
			zi = 2.0 * zr * zi + ci;
			zr = zr2 - zi2 + cr;
			zr2 = zr * zr;
			zi2 = zi * zi;
			it++;
		}
		h = h * 31 + (uint64_t)it;
	}
	return h;
}

int main(int argc, char **argv)
{
	long size = bench_param(argc, argv, 2000);
	uint64_t sum = 0;
	for (int y = 0; y < size; y++)
		sum = bench_mix(sum, mandel_row(y, (int)size));
	bench_report("mandelbrot", size, sum);
	return 0;
}
