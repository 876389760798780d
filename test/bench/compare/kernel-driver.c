/*
 * kernel-driver.c — the kernels of the SQL comparison benchmark (kernels.c)
 * run without PostgreSQL: once through the engine (kernels.wasm) and once
 * compiled natively, so the interpreter's own speed on them can be measured
 * and profiled in isolation.
 *
 *   cc -O2 -rdynamic -Iruntime -Iexamples/c -o build/compare/kernel-driver \
 *      test/bench/compare/kernel-driver.c build/libwasmrt.a -lm -ldl
 *   build/compare/kernel-driver build/compare/kernels.wasm [N] [only-kernel] [--wasm-only]
 *   (KERNEL_DRIVER_TIER=tiered or eager: through the native tier; link with
 *   -rdynamic -ldl, and set WRT_TIER_LIBRARY=build/wasmrt-llvm.so)
 *
 * Prints ns/call for wasm and native and their ratio.  Under callgrind, use
 * `--toggle-collect=wrt_call` with one kernel and --wasm-only and divide the
 * instruction count by N.
 */
#define _POSIX_C_SOURCE 200809L
#include "wasmrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the kernels, natively ------------------------------------------------ */

#define PGWASM_H				/* examples/c/pgwasm.h becomes a no-op */
#define PGWASM_EXPORT(name) static __attribute__((noinline, unused))

static __attribute__((noreturn, unused)) void
pgwasm_error_sqlstate(const char *sqlstate, const char *msg)
{
	fprintf(stderr, "native error %s: %s\n", sqlstate, msg);
	exit(1);
}

static inline int64_t
pgwasm_return(const void *ptr, size_t len)
{
	free((void *) ptr);			/* the caller would copy it out, then free */
	return (int64_t) len;
}

static inline void *
pgwasm_alloc(size_t size)
{
	return malloc(size ? size : 1);
}

#include "kernels.c"

/* ---- engine plumbing ------------------------------------------------------- */

static wrt_store *store;
static wrt_instance *inst;
static volatile uint64_t sink;

static bool
host_error(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	(void) user, (void) args, (void) results;
	wrt_hostcall_trap(call, WRT_TRAP_HOST, "guest raised an error");
	return false;
}

static wrt_func *
export_func(const char *name)
{
	wrt_extern e;

	if (!wrt_instance_export(inst, name, strlen(name), &e) || e.kind != WRT_EXTERN_FUNC)
	{
		fprintf(stderr, "no export %s\n", name);
		exit(2);
	}
	return e.u.func;
}

static void
call(wrt_func *f, const wrt_value *args, wrt_value *res)
{
	if (!wrt_call(store, f, args, res))
	{
		fprintf(stderr, "trap: %s\n", wrt_store_trap(store)->message);
		exit(2);
	}
}

/* Guest buffer of n bytes (from cabi_realloc), filled with data. */
static uint32_t
guest_copy(const void *data, size_t n)
{
	wrt_value a[4], r;

	a[0].i32 = 0;
	a[1].i32 = 0;
	a[2].i32 = 8;
	a[3].i32 = (int32_t) n;
	call(export_func("cabi_realloc"), a, &r);
	memcpy(wrt_memory_data(wrt_instance_memory(inst)) + (uint32_t) r.i32, data, n);
	return (uint32_t) r.i32;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- inputs ------------------------------------------------------------------ */

static const char *texts[] = {
	"Crème Brûlée: 10 Recipes for a Perfect Dessert!",
	"The quick brown fox jumps over the lazy dog 42",
	"PostgreSQL + WebAssembly = fast, safe UDFs ok?",
	"Ünïcödé stays; ASCII words get-slugged right!!",
};
#define NTEXT 4

static const char *lev_a[] = {
	"the quick brown fox jumps over",
	"kitten sitting on the mat now",
	"levenshtein distance example!",
};
static const char *lev_b[] = {
	"the quack brown fix jumped ovr",
	"sitting kitten on a mat, now",
	"levenstein distanse exampel",
};
#define NLEV 3

#define DOTN 256
#define NMANDEL 64

typedef struct kernel
{
	const char *name;
	int			inputs;
} kernel;

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/compare/kernels.wasm";
	long		N = argc > 2 ? atol(argv[2]) : 20000;
	const char *only = argc > 3 && strcmp(argv[3], "all") != 0 ? argv[3] : NULL;
	bool		wasm_only = argc > 4 && strcmp(argv[4], "--wasm-only") == 0;
	FILE	   *fh = fopen(path, "rb");
	uint8_t    *bytes;
	long		len;
	wrt_error	err;
	wrt_module *mod;

	if (!fh)
	{
		perror(path);
		return 2;
	}
	fseek(fh, 0, SEEK_END);
	len = ftell(fh);
	rewind(fh);
	bytes = malloc(len);
	if (fread(bytes, 1, len, fh) != (size_t) len)
		return 2;
	fclose(fh);
	mod = wrt_module_load(bytes, len, NULL, &err);
	if (!mod)
	{
		fprintf(stderr, "load: %s\n", err.message);
		return 2;
	}
	wrt_module_compile_all(mod, &err);
	store = wrt_store_new(NULL);
	/* KERNEL_DRIVER_TIER=tiered|eager runs the native tier (default: the
	 * interpreter) */
	const char *tier_env = getenv("KERNEL_DRIVER_TIER");
	if (tier_env && *tier_env)
	{
		wrt_tier_settings tier = {0};
		if (!wrt_tier_mode_parse(tier_env, &tier.mode))
		{
			fprintf(stderr, "KERNEL_DRIVER_TIER: interp, tiered or eager\n");
			return 2;
		}
		wrt_store_set_tier(store, &tier);
	}

	/* imports: pgwasm.error_sqlstate, pgwasm.error (both trap) */
	uint32_t	nimp = wrt_module_import_count(mod);
	wrt_extern *imps = calloc(nimp, sizeof(wrt_extern));

	for (uint32_t i = 0; i < nimp; i++)
	{
		wrt_externtype t;

		wrt_module_import(mod, i, NULL, NULL, NULL, NULL, &t);
		if (t.kind != WRT_EXTERN_FUNC)
		{
			fprintf(stderr, "unexpected import kind\n");
			return 2;
		}
		imps[i].kind = WRT_EXTERN_FUNC;
		imps[i].u.func = wrt_func_new_host(store, &t.func, host_error, NULL);
	}
	inst = wrt_instantiate(store, mod, imps, nimp, &err);
	if (!inst)
	{
		fprintf(stderr, "instantiate: %s\n", err.message);
		return 2;
	}
	call(export_func("_initialize"), NULL, NULL);

	/* inputs in guest memory */
	uint32_t	gtext[NTEXT], glev_a[NLEV], glev_b[NLEV], gda, gdb;
	size_t		ltext[NTEXT], llev_a[NLEV], llev_b[NLEV];
	double		da[DOTN], db[DOTN];
	double		mx[NMANDEL], my[NMANDEL];

	for (int i = 0; i < NTEXT; i++)
	{
		ltext[i] = strlen(texts[i]);
		gtext[i] = guest_copy(texts[i], ltext[i]);
	}
	for (int i = 0; i < NLEV; i++)
	{
		llev_a[i] = strlen(lev_a[i]);
		llev_b[i] = strlen(lev_b[i]);
		glev_a[i] = guest_copy(lev_a[i], llev_a[i]);
		glev_b[i] = guest_copy(lev_b[i], llev_b[i]);
	}
	for (int i = 0; i < DOTN; i++)
	{
		da[i] = (i % 17) * 0.25 - 1.0;
		db[i] = (i % 13) * 0.5 + 0.125;
	}
	gda = guest_copy(da, sizeof(da));
	gdb = guest_copy(db, sizeof(db));
	/* an 8x8 grid over the interesting part of the plane */
	for (int i = 0; i < NMANDEL; i++)
	{
		mx[i] = -2.0 + (i % 8) * (2.5 / 7);
		my[i] = -1.25 + (i / 8) * (2.5 / 7);
	}

	wrt_func   *f_utf8 = export_func("utf8_length"),
			   *f_slug = export_func("slug"),
			   *f_dot = export_func("dot"),
			   *f_mandel = export_func("mandelbrot"),
			   *f_lev = export_func("levenshtein"),
			   *f_free = export_func("free");
	static const char *names[] = {"utf8_length", "slug", "dot", "mandelbrot", "levenshtein"};
	double		geo_w = 0, geo_n = 0;
	int			nk = 0;

	printf("%-12s %10s %10s %8s\n", "kernel", "wasm ns", "native ns", "ratio");
	for (int k = 0; k < 5; k++)
	{
		if (only && strcmp(only, names[k]) != 0)
			continue;
		long		n = k == 3 ? N / 16 + 1 : N;
		double		t0, tw, tn = 0;
		wrt_value	a[4], r;

		t0 = now_ns();
		for (long it = 0; it < n; it++)
		{
			switch (k)
			{
				case 0:
					a[0].i32 = gtext[it % NTEXT];
					a[1].i32 = (int32_t) ltext[it % NTEXT];
					call(f_utf8, a, &r);
					sink += r.i32;
					break;
				case 1:
					a[0].i32 = gtext[it % NTEXT];
					a[1].i32 = (int32_t) ltext[it % NTEXT];
					call(f_slug, a, &r);
					sink += (uint64_t) r.i64 >> 32;
					a[0].i32 = (int32_t) (uint32_t) r.i64;
					call(f_free, a, NULL);
					break;
				case 2:
					a[0].i32 = gda;
					a[1].i32 = DOTN;
					a[2].i32 = gdb;
					a[3].i32 = DOTN;
					call(f_dot, a, &r);
					sink += (uint64_t) r.f64;
					break;
				case 3:
					a[0].f64 = mx[it % NMANDEL];
					a[1].f64 = my[it % NMANDEL];
					a[2].i32 = 1000;
					call(f_mandel, a, &r);
					sink += r.i32;
					break;
				case 4:
					a[0].i32 = glev_a[it % NLEV];
					a[1].i32 = (int32_t) llev_a[it % NLEV];
					a[2].i32 = glev_b[it % NLEV];
					a[3].i32 = (int32_t) llev_b[it % NLEV];
					call(f_lev, a, &r);
					sink += r.i32;
					break;
			}
		}
		tw = (now_ns() - t0) / n;
		if (!wasm_only)
		{
			long		nn = n * 4;

			t0 = now_ns();
			for (long it = 0; it < nn; it++)
			{
				switch (k)
				{
					case 0:
						sink += utf8_length(texts[it % NTEXT], ltext[it % NTEXT]);
						break;
					case 1:
						sink += slug(texts[it % NTEXT], ltext[it % NTEXT]);
						break;
					case 2:
						sink += (uint64_t) dot(da, DOTN, db, DOTN);
						break;
					case 3:
						sink += mandelbrot(mx[it % NMANDEL], my[it % NMANDEL], 1000);
						break;
					case 4:
						sink += levenshtein(lev_a[it % NLEV], llev_a[it % NLEV],
											lev_b[it % NLEV], llev_b[it % NLEV]);
						break;
				}
				__asm__ volatile("" ::: "memory");
			}
			tn = (now_ns() - t0) / nn;
		}
		printf("%-12s %10.1f %10.1f %8.2f\n", names[k], tw, tn, tn > 0 ? tw / tn : 0);
		if (tn > 0)
		{
			geo_w += __builtin_log(tw / tn);
			geo_n++;
		}
		nk++;
	}
	if (geo_n > 0)
		printf("geomean ratio %.2f\n", __builtin_exp(geo_w / geo_n));
	(void) nk;
	wrt_store_free(store);
	wrt_module_free(mod);
	return 0;
}
