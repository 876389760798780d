/*
 * crc32.c — table-driven CRC-32 (IEEE, reflected, "slicing-by-1") over an
 * 8 MiB buffer, several passes: measures indexed table loads from linear
 * memory in a byte loop.
 */
#include "bench.h"
#include <string.h>

static uint32_t table[256];

static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

__attribute__((noinline)) static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int main(int argc, char **argv)
{
	long passes = bench_param(argc, argv, 30);
	uint32_t bufsz = (uint32_t)bench_arg(argc, argv, 2, 8) << 20; /* bytes */
	crc32_init();
	if (crc32(0, (const uint8_t *)"123456789", 9) != 0xCBF43926u) {
		fprintf(stderr, "crc32: self-check failed\n");
		return 1;
	}
	uint8_t *buf = malloc(bufsz);
	if (!buf)
		return 1;
	uint64_t seed = 3;
	for (uint32_t i = 0; i < bufsz; i += 8) {
		uint64_t v = bench_rand(&seed);
		memcpy(buf + i, &v, 8);
	}
	uint64_t sum = 0;
	uint32_t crc = 0;
	for (long p = 0; p < passes; p++) {
		crc = crc32(crc, buf, bufsz);
		sum = bench_mix(sum, crc);
	}
	bench_report("crc32", passes, sum);
	free(buf);
	return 0;
}
