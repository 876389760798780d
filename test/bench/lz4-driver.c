/*
 * lz4-driver.c — benchmark driver for the real LZ4 library (lz4.c, lz4hc.c,
 * xxhash.c of LZ4 1.9, fetched at benchmark time by test/bench/suite.sh from
 * the npm package lz4@0.6.5; never part of pgwasm's sources).
 *
 * Generates MiB mebibytes of deterministic, compressible log-like text (a
 * fixed LCG picks words, numbers and separators), then for each of PASSES
 * passes compresses it (LZ4 fast, or LZ4HC at level 9), decompresses the
 * result with LZ4_decompress_safe, checks the round trip byte for byte and
 * folds the decompressed bytes into an XXH64 checksum (with LZ4HC also the
 * compressed bytes).  One pass changes a few bytes of the input first, so
 * passes do not repeat the same work exactly.
 *
 * LZ4 fast's output depends on the word size: on 64-bit targets it hashes 5
 * bytes (LZ4_hash5), on 32-bit ones, wasm32 included, 4; both are valid
 * streams of different sizes.  So in fast mode neither the compressed bytes
 * nor their size are printed, only what must be equal on every target; the
 * compressor is checked by the round trip.  LZ4HC hashes 4 bytes everywhere
 * and its compressed stream is checked too.
 *
 * usage: lz4-driver fast|hc [MiB [PASSES]]
 * Prints one line: mode, size, passes, checksum (hc: and compressed size); the
 * same line natively, under pgwasm and under V8 means the same results.
 * Exit 1 with a message on stderr if a round trip fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"
#include "lz4hc.h"
#include "xxhash.h"

static uint32_t lcg_state = 12345;
static uint32_t
lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static const char *const words[] = {
	"GET", "POST", "/index.html", "/api/v1/items", "/api/v1/users", "/static/app.js",
	"status=200", "status=404", "status=500", "user-agent", "Mozilla/5.0", "curl/8.5",
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was",
	"postgres", "wasm", "query", "select", "from", "where", "insert", "update",
	"error", "warning", "info", "debug", "connection", "timeout", "retry", "cache",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Fills buf with n bytes of text: lines of skewed-frequency words and numbers. */
static void
generate(char *buf, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t r = lcg();
		char tmp[32];
		const char *w;
		size_t len;
		if ((r & 15) == 0) {
			/* A number: less compressible. */
			uint32_t v = lcg() % 100000, k = 0;
			char rev[16];
			do {
				rev[k++] = (char) ('0' + v % 10);
				v /= 10;
			} while (v);
			for (len = 0; len < k; len++)
				tmp[len] = rev[k - 1 - len];
			w = tmp;
		} else {
			/* Skewed towards the first words: (r % N) * (r' % N) / N. */
			uint32_t a = (r >> 4) % NWORDS, b = (r >> 12) % NWORDS;
			w = words[a * b / NWORDS];
			len = strlen(w);
		}
		for (size_t j = 0; j < len && i < n; j++)
			buf[i++] = w[j];
		if (i < n)
			buf[i++] = ((r >> 20) & 7) == 0 ? '\n' : ' ';
	}
}

int
main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "fast") != 0 && strcmp(argv[1], "hc") != 0)) {
		fprintf(stderr, "usage: lz4-driver fast|hc [MiB [PASSES]]\n");
		return 2;
	}
	int hc = strcmp(argv[1], "hc") == 0;
	int mib = argc > 2 ? atoi(argv[2]) : (hc ? 8 : 16);
	int passes = argc > 3 ? atoi(argv[3]) : (hc ? 1 : 12);
	if (mib <= 0 || passes <= 0) {
		fprintf(stderr, "lz4-driver: MiB and PASSES must be positive\n");
		return 2;
	}
	size_t n = (size_t) mib << 20;
	int bound = LZ4_compressBound((int) n);
	char *src = malloc(n), *dst = malloc((size_t) bound), *back = malloc(n);
	if (!src || !dst || !back) {
		fprintf(stderr, "lz4-driver: out of memory\n");
		return 1;
	}
	generate(src, n);

	uint64_t h = 0;
	int csize = 0;
	for (int p = 0; p < passes; p++) {
		/* Touch a few bytes so that every pass compresses different input. */
		for (int j = 0; j < 8; j++)
			src[lcg() % n] = (char) ('a' + p % 26);
		csize = hc ? LZ4_compress_HC(src, dst, (int) n, bound, 9)
				   : LZ4_compress_default(src, dst, (int) n, bound);
		if (csize <= 0) {
			fprintf(stderr, "lz4-driver: compression failed (pass %d)\n", p);
			return 1;
		}
		int dsize = LZ4_decompress_safe(dst, back, csize, (int) n);
		if (dsize != (int) n || memcmp(src, back, n) != 0) {
			fprintf(stderr, "lz4-driver: round trip FAILED (pass %d: %d bytes back of %zu)\n", p,
					dsize, n);
			return 1;
		}
		h = XXH64(back, n, h);
		if (hc)
			h = XXH64(dst, (size_t) csize, h);
	}
	if (hc)
		printf("lz4 hc %d MiB x %d: compressed to %d bytes, checksum %016llx\n", mib, passes, csize,
			   (unsigned long long) h);
	else
		printf("lz4 fast %d MiB x %d: checksum %016llx\n", mib, passes, (unsigned long long) h);
	return 0;
}
