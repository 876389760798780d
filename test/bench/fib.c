/*
 * fib.c — recursive Fibonacci: measures call/return overhead (frame set-up,
 * argument passing, the compare-and-branch of the base case).
 */
#include "bench.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
	long n = bench_param(argc, argv, 42);
	uint32_t r = fib((uint32_t)n);
	bench_report("fib", n, r);
	return 0;
}
