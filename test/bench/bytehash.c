/*
 * bytehash.c — FNV-1a over a 64 MiB buffer, byte at a time, several passes:
 * measures the per-instruction cost of a minimal loop (load8, xor, multiply,
 * increment, compare-and-branch).  The buffer is malloc'ed, so the Wasm
 * module grows its memory to a little over 64 MiB at start.
 */
#include "bench.h"
#include <string.h>

__attribute__((noinline)) static uint32_t fnv1a(const uint8_t *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

int main(int argc, char **argv)
{
	long passes = bench_param(argc, argv, 5);
	uint32_t bufsz = (uint32_t)bench_arg(argc, argv, 2, 64) << 20; /* bytes */
	uint8_t *buf = malloc(bufsz);
	if (!buf) {
		fprintf(stderr, "bytehash: cannot allocate %u bytes\n", (unsigned)bufsz);
		return 1;
	}
	uint64_t seed = 7;
	for (uint32_t i = 0; i < bufsz; i += 8) {
		uint64_t v = bench_rand(&seed);
		memcpy(buf + i, &v, 8);
	}
	uint64_t sum = 0;
	uint32_t h = 2166136261u;
	for (long p = 0; p < passes; p++) {
		h = fnv1a(buf, bufsz, h);
		sum = bench_mix(sum, h);
	}
	bench_report("bytehash", passes, sum);
	free(buf);
	return 0;
}
