/*
 * argon2-driver.c — benchmark driver for the reference C implementation of
 * Argon2 (argon2.c, core.c, ref.c, encoding.c, blake2b.c of the PHC winner,
 * fetched at benchmark time by test/bench/suite.sh from the npm package
 * argon2@0.45.1; never part of pgwasm's sources).  Built with
 * -DARGON2_NO_THREADS: lanes are filled one after the other.  Stresses
 * 64-bit arithmetic (BlaMka's multiply-add, rotations) over a large memory.
 *
 * First checks the example of the Argon2 README (Argon2i, t=2, 64 MiB, 4
 * lanes, password "password", salt "somesalt"), then hashes PASSES
 * passwords with Argon2id (t=2, MiB mebibytes, 1 lane), each password the
 * previous hash, and prints the last hash.
 *
 * usage: argon2-driver [MiB [PASSES]]     (default 32 MiB, 8 passes)
 * Prints one line; the same line natively, under pgwasm and under V8 means
 * the same results.  Exit 1 with a message if the README example fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argon2.h"

static void
hex(const uint8_t *h, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

int
main(int argc, char **argv)
{
	int mib = argc > 1 ? atoi(argv[1]) : 32;
	int passes = argc > 2 ? atoi(argv[2]) : 8;
	if (mib <= 0 || passes <= 0) {
		fprintf(stderr, "usage: argon2-driver [MiB [PASSES]]\n");
		return 2;
	}
	uint8_t h[32];
	char s[65];
	int rc;

	/* The README example: 45d7ac72e76f242b20b77b9bf9bf9d5915894e669a24e6c6. */
	rc = argon2i_hash_raw(2, 1 << 16, 4, "password", 8, "somesalt", 8, h, 24);
	if (rc != ARGON2_OK) {
		fprintf(stderr, "argon2-driver: argon2i failed: %s\n", argon2_error_message(rc));
		return 1;
	}
	hex(h, 24, s);
	if (strcmp(s, "45d7ac72e76f242b20b77b9bf9bf9d5915894e669a24e6c6") != 0) {
		fprintf(stderr, "argon2-driver: argon2i README example FAILED: %s\n", s);
		return 1;
	}

	uint8_t pwd[32] = "pgwasm benchmark";
	size_t pwdlen = strlen((char *) pwd);
	for (int p = 0; p < passes; p++) {
		rc = argon2id_hash_raw(2, (uint32_t) mib << 10, 1, pwd, pwdlen, "pgwasm-salt", 11, h, 32);
		if (rc != ARGON2_OK) {
			fprintf(stderr, "argon2-driver: argon2id failed: %s\n", argon2_error_message(rc));
			return 1;
		}
		memcpy(pwd, h, 32);
		pwdlen = 32;
	}
	hex(h, 32, s);
	printf("argon2 README example ok; argon2id t=2 %d MiB x %d: %s\n", mib, passes, s);
	return 0;
}
