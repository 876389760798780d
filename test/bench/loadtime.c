/*
 * loadtime.c — times wrt_module_load (decode + validate) of one module over
 * several repetitions, and, separately, wrt_module_compile_all (translation of
 * every function to register code, which normally happens lazily at first
 * call).  Part of the benchmarks in test/bench/, linked with build/libwasmrt.a.
 *
 * usage: loadtime [-n REPS] file.wasm
 */
#include "wasmrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int reps = 20;
	int argi = 1;
	if (argi + 1 < argc && strcmp(argv[argi], "-n") == 0) {
		reps = atoi(argv[argi + 1]);
		argi += 2;
	}
	if (argi + 1 != argc || reps <= 0) {
		fprintf(stderr, "usage: loadtime [-n REPS] file.wasm\n");
		return 2;
	}
	const char *path = argv[argi];
	size_t len;
	uint8_t *bytes = read_file(path, &len);
	if (!bytes) {
		perror(path);
		return 1;
	}

	double *load = calloc((size_t)reps, sizeof *load);
	double *comp = calloc((size_t)reps, sizeof *comp);
	if (!load || !comp)
		return 1;
	for (int i = 0; i < reps; i++) {
		wrt_error err;
		double t0 = now_ms();
		wrt_module *m = wrt_module_load(bytes, len, NULL, &err);
		double t1 = now_ms();
		if (!m) {
			fprintf(stderr, "loadtime: %s: %s (offset %u)\n", path, err.message, err.offset);
			return 1;
		}
		bool ok = wrt_module_compile_all(m, &err);
		double t2 = now_ms();
		if (!ok) {
			fprintf(stderr, "loadtime: %s: compile_all: %s\n", path, err.message);
			return 1;
		}
		wrt_module_free(m);
		load[i] = t1 - t0;
		comp[i] = t2 - t1;
	}
	qsort(load, (size_t)reps, sizeof *load, cmp_double);
	qsort(comp, (size_t)reps, sizeof *comp, cmp_double);
	/* Machine-readable first line, then a human one. */
	printf("load_ms_min=%.3f load_ms_median=%.3f compile_all_ms_min=%.3f compile_all_ms_median=%.3f bytes=%zu reps=%d\n",
		   load[0], load[reps / 2], comp[0], comp[reps / 2], len, reps);
	printf("%s (%zu bytes): load+validate %.2f ms (min of %d; median %.2f), "
		   "compile all functions %.2f ms (min; median %.2f)\n",
		   path, len, load[0], reps, load[reps / 2], comp[0], comp[reps / 2]);
	free(load);
	free(comp);
	free(bytes);
	return 0;
}
