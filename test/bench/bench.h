/*
 * bench.h — helpers shared by the benchmark kernels in test/bench/.
 *
 * Every kernel is a standalone program (native or a WASI command) with a
 * fixed default workload.  An optional first argument overrides the size
 * parameter (the driver's --callgrind mode uses small sizes); kernels that
 * hash a buffer take its size in MiB as an optional second argument.  A
 * kernel prints exactly one line, "<name> <param> <checksum>", so the driver
 * can compare the output of the native, pgwasm and node runs byte for byte.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Parameter i (1-based): argv[i] if given (a positive integer), else dflt. */
static long bench_arg(int argc, char **argv, int i, long dflt)
{
	if (argc > i) {
		char *end;
		long v = strtol(argv[i], &end, 10);
		if (*end != '\0' || v <= 0) {
			fprintf(stderr, "%s: argument %d must be a positive integer\n", argv[0], i);
			exit(2);
		}
		return v;
	}
	return dflt;
}

/* The main size parameter, argv[1]. */
static long bench_param(int argc, char **argv, long dflt)
{
	return bench_arg(argc, argv, 1, dflt);
}

/* xorshift64*: a small deterministic generator for input data. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Mix a 64-bit value into a running checksum. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h;
}

static void bench_report(const char *name, long param, uint64_t sum)
{
	printf("%s %ld %016llx\n", name, param, (unsigned long long)sum);
}

#endif /* BENCH_H */
