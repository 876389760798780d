/*
 * hostile-gen.c — write one module of test/hostile.c to a file, for tests
 * outside the runtime (the PostgreSQL TAP tests):
 *
 *   hostile-gen SHAPE K N OUT.wasm     (SHAPE: blocks, br_if, calls, ...)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

int
main(int argc, char **argv)
{
	if (argc != 5)
	{
		fprintf(stderr, "usage: %s SHAPE K N OUT.wasm\n", argv[0]);
		return 2;
	}
	for (int s = 0; s < HOSTILE_NSHAPES; s++)
	{
		if (strcmp(argv[1], hostile_shape_name((hostile_shape) s)) != 0)
			continue;
		uint8_t *bytes;
		size_t len = hostile_module((hostile_shape) s, (uint32_t) strtoul(argv[2], NULL, 10),
									(uint32_t) strtoul(argv[3], NULL, 10), &bytes);
		FILE *f = fopen(argv[4], "wb");
		if (!len || !f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
		{
			fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[4]);
			return 1;
		}
		free(bytes);
		return 0;
	}
	fprintf(stderr, "%s: unknown shape %s\n", argv[0], argv[1]);
	return 2;
}
