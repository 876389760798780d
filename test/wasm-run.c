/*
 * wasm-run.c — command-line runner for the pgwasm runtime.
 *
 *   wasm-run [--fuel N] [--max-pages N] [--stack BYTES] [--time]
 *            [--disasm | --disasm-cells | --verify] [--tier=interp|tiered|eager]
 *            [--tier-calls N] [--tier-loops N] [--cache DIR] [--invoke NAME]
 *            file.wasm [args...]
 *
 * It exercises the engine outside PostgreSQL: the benchmarks, the fuzzers'
 * reproducers and manual debugging all go through it.  Imports from
 * wasi_snapshot_preview1 are bound to the runtime's WASI subset (stdout and
 * stderr to this process's, the clock to clock_gettime, randomness to
 * getrandom); any other import is a link error.
 *
 * Without --invoke the module is run as a WASI program: `_initialize` if it
 * exports one, then `_start`; the exit status is the one given to proc_exit
 * (0 when _start returns).  With --invoke, `_initialize` (if any) runs, then
 * the export NAME is called with args parsed per its parameter types and the
 * results are printed one per line.  --time prints the seconds spent in that
 * call (or in _start) to stderr as "time: <seconds>".  --tier-calls and
 * --tier-loops set the tiered policy's thresholds (0: the defaults).
 * --cache DIR keeps the native tier's machine code in DIR, one file per
 * unit, as PostgreSQL keeps it under its data directory: a later run of the
 * same module takes it from there instead of compiling (the module's
 * identity is the SHA-256 of its bytes; the engine verifies every entry it
 * loads, so a damaged file costs a compile, not a wrong result).
 *
 * Tools for the register code, which load the module, compile every
 * function and stop: --disasm prints each function's code, operands by
 * their kind (ir.def); --disasm-cells prints raw cells instead, the format
 * of earlier versions, to compare two compilers' code; --verify checks the
 * code against the instruction table (wrt_ir_verify) and prints the number
 * of functions verified (exit status 1 at the first problem).
 *
 * Exit status: 2 for usage, load and link errors; 1 for a trap (the message
 * and backtrace on stderr); otherwise 0 or the proc_exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "wasmrt.h"

static const char *progname = "wasm-run";
static volatile int interrupted;

static wrt_tier_settings tier;

/* The native tier could not be loaded: said once, on stderr. */
static void
tier_notice(void *ud, const char *message)
{
	fprintf(stderr, "%s: %s\n", progname, message);
}

static void
usage(void)
{
	fprintf(stderr,
			"usage: %s [--fuel N] [--max-pages N] [--stack BYTES] [--time]\n"
			"       %*s [--disasm | --disasm-cells | --verify] [--tier=interp|tiered|eager]\n"
			"       %*s [--tier-calls N] [--tier-loops N] [--cache DIR]\n"
			"       %*s [--invoke NAME] file.wasm [args...]\n",
			progname, (int) strlen(progname), "", (int) strlen(progname), "", (int) strlen(progname), "");
	exit(2);
}

static void
on_sigint(int sig)
{
	(void) sig;
	interrupted = 1;            /* the engine polls it and traps "interrupted" */
}

/* ---- WASI callbacks --------------------------------------------------- */

static int
host_write(void *ud, int fd, const uint8_t *buf, size_t len)
{
	FILE *f = fd == 2 ? stderr : stdout;

	(void) ud;
	if (fwrite(buf, 1, len, f) != len)
		return 29;              /* EIO */
	return 0;
}

static int
host_random(void *ud, uint8_t *buf, size_t len)
{
	(void) ud;
	while (len > 0)
	{
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return 29;          /* EIO */
		}
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}

static int64_t
host_clock(void *ud, int clock_id)
{
	struct timespec ts;

	(void) ud;
	if (clock_gettime(clock_id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts) != 0)
		return -1;
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* This process's resident memory, its private (anonymous) part and its
 * peak, in KiB, from /proc/self/status (0 where the kernel has none): with
 * --time, what a module costs interpreted and compiled (the file-backed
 * rest, libLLVM's pages for one, is shared between processes). */
static void
resident_kib(long *rss, long *anon, long *hwm)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*rss = *anon = *hwm = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
	{
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "RssAnon:", 8) == 0)
			*anon = strtol(line + 8, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- argument parsing ------------------------------------------------- */

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Signed decimal, or 0x-prefixed hex; accepts the unsigned range too. */
static bool
parse_int(const char *s, int bits, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	uint64_t mag;
	char *end;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!*p || *p == '-' || *p == '+')
		return false;
	errno = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		mag = strtoull(p + 2, &end, 16);
	else
		mag = strtoull(p, &end, 10);
	if (errno != 0 || *end != '\0' || end == p)
		return false;
	if (bits == 32)
	{
		if (neg ? mag > 0x80000000u : mag > 0xffffffffu)
			return false;
		*out = neg ? -(int64_t) mag : (int64_t) (int32_t) (uint32_t) mag;
	}
	else
	{
		if (neg && mag > (uint64_t) INT64_MAX + 1)
			return false;
		*out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
	}
	return true;
}

/*
 * A float argument: anything strtod accepts (decimal, hex floats, inf, nan),
 * plus "nan:0xPAYLOAD" for a specific NaN bit pattern.
 */
static bool
parse_float(const char *s, uint8_t type, wrt_value *v)
{
	const char *p = s;
	bool neg = false;
	char *end;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strncmp(p, "nan:0x", 6) == 0)
	{
		uint64_t payload;

		errno = 0;
		payload = strtoull(p + 6, &end, 16);
		if (errno || *end || end == p + 6)
			return false;
		if (type == WRT_F32)
		{
			if (payload == 0 || payload > 0x7fffff)
				return false;
			v->bits = (neg ? 0x80000000u : 0) | 0x7f800000u | (uint32_t) payload;
		}
		else
		{
			if (payload == 0 || payload > 0xfffffffffffffull)
				return false;
			v->bits = (neg ? 0x8000000000000000ull : 0) | 0x7ff0000000000000ull | payload;
		}
		return true;
	}
	errno = 0;
	if (type == WRT_F32)
	{
		float f = strtof(s, &end);
		uint32_t u;

		memcpy(&u, &f, 4);
		v->bits = u;
	}
	else
	{
		double d = strtod(s, &end);

		memcpy(&v->bits, &d, 8);
	}
	/* ERANGE is fine: over/underflow rounds to inf or a denormal/zero. */
	return end != s && *end == '\0';
}

static bool
parse_value(const char *s, uint8_t type, wrt_value *v)
{
	int64_t x;

	v->bits = 0;
	switch (type)
	{
		case WRT_I32:
			if (!parse_int(s, 32, &x))
				return false;
			v->bits = (uint32_t) x;
			return true;
		case WRT_I64:
			if (!parse_int(s, 64, &x))
				return false;
			v->i64 = x;
			return true;
		case WRT_F32:
		case WRT_F64:
			return parse_float(s, type, v);
		case WRT_FUNCREF:
		case WRT_EXTERNREF:
			v->ref = NULL;      /* only null can be written on a command line */
			return strcmp(s, "null") == 0;
		default:
			return false;
	}
}

static void
print_value(uint8_t type, wrt_value v)
{
	switch (type)
	{
		case WRT_I32:
			printf("%" PRId32 "\n", (int32_t) (uint32_t) v.bits);
			break;
		case WRT_I64:
			printf("%" PRId64 "\n", v.i64);
			break;
		case WRT_F32:
			{
				uint32_t u = (uint32_t) v.bits;
				float f;

				memcpy(&f, &u, 4);
				printf("%.9g\n", (double) f);
			}
			break;
		case WRT_F64:
			{
				double d;

				memcpy(&d, &v.bits, 8);
				printf("%.17g\n", d);
			}
			break;
		case WRT_FUNCREF:
		case WRT_EXTERNREF:
			if (v.ref)
				printf("ref %p\n", v.ref);
			else
				printf("null\n");
			break;
		default:
			printf("?\n");
			break;
	}
}

/* ---- diagnostics ------------------------------------------------------ */

static void
print_trap(const wrt_store *s)
{
	const wrt_trap *t = wrt_store_trap(s);

	fflush(stdout);             /* keep the guest's output before the trap */
	fprintf(stderr, "trap: %s\n", t->message);
	for (uint32_t i = 0; i < t->nframes && i < WRT_MAX_BACKTRACE; i++)
	{
		const wrt_frameinfo *fi = &t->frames[i];

		if (fi->name)
			fprintf(stderr, "  #%u %s (func %u, offset 0x%x)\n",
					i, fi->name, fi->func_index, fi->offset);
		else
			fprintf(stderr, "  #%u func[%u] (offset 0x%x)\n",
					i, fi->func_index, fi->offset);
	}
}

/* Exit for a failed call: the proc_exit code, or 1 for a real trap. */
static int
call_failed(const wrt_store *s)
{
	const wrt_trap *t = wrt_store_trap(s);

	if (t->kind == WRT_TRAP_EXIT)
		return t->exit_code;
	print_trap(s);
	return 1;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
	{
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		exit(2);
	}
	for (;;)
	{
		size_t got;

		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
			{
				fprintf(stderr, "%s: out of memory reading %s\n", progname, path);
				exit(2);
			}
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
	{
		fprintf(stderr, "%s: %s: read error\n", progname, path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *
errkind_name(wrt_errkind k)
{
	switch (k)
	{
		case WRT_ERR_MALFORMED: return "malformed module";
		case WRT_ERR_INVALID: return "invalid module";
		case WRT_ERR_UNSUPPORTED: return "unsupported";
		case WRT_ERR_LINK: return "link error";
		case WRT_ERR_LIMIT: return "limit exceeded";
		case WRT_ERR_OOM: return "out of memory";
		case WRT_ERR_TRAP: return "trap";
		default: return "error";
	}
}

/* Look up a function export; NULL if missing or not a function. */
static wrt_func *
find_func(wrt_instance *inst, const char *name)
{
	wrt_extern ex;

	if (!wrt_instance_export(inst, name, strlen(name), &ex) || ex.kind != WRT_EXTERN_FUNC)
		return NULL;
	return ex.u.func;
}

/* ---- code cache (--cache DIR) ---------------------------------------- */

/* The entry stored under key, read whole into memory from malloc (the
 * engine frees it), or NULL. */
static void *
cache_load(void *arg, const char *key, size_t *len)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", (const char *) arg, key) >= (int) sizeof(path))
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0
		&& (buf = malloc(size ? (size_t) size : 1)) != NULL
		&& fread(buf, 1, (size_t) size, f) == (size_t) size)
		*len = (size_t) size;
	else
	{
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Written to a file of its own, then renamed over the entry: a reader sees
 * the old entry, the new one or none, never half of one.  Failures are
 * silent (they cost a compile later). */
static void
cache_store(void *arg, const char *key, const void *bytes, size_t len)
{
	char path[4096], tmp[4096 + 32];
	if (snprintf(path, sizeof(path), "%s/%s", (const char *) arg, key) >= (int) sizeof(path))
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long) getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return;
	bool ok = fwrite(bytes, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

static wrt_code_cache code_cache = {NULL, cache_load, cache_store};

static bool
sha256(const uint8_t *bytes, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	return EVP_Digest(bytes, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
}

/* ---- main ------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	uint64_t fuel = 0, max_pages = 0, stack = 0;
	bool have_stack = false, timing = false, disasm = false, disasm_cells = false, verify = false;
	const char *invoke = NULL, *path, *cache_dir = NULL;
	int argi = 1, status = 0;
	uint8_t *bytes;
	size_t len;
	wrt_error err;
	wrt_module *mod;
	wrt_store *store;
	wrt_wasi *wasi;
	wrt_wasi_config cfg;
	wrt_extern *imports;
	wrt_instance *inst;
	uint32_t nimports;
	wrt_func *init;
	double t0;

	if (argc > 0 && argv[0])
	{
		const char *slash = strrchr(argv[0], '/');

		progname = slash ? slash + 1 : argv[0];
	}
	while (argi < argc && strncmp(argv[argi], "--", 2) == 0)
	{
		const char *opt = argv[argi++];

		if (strcmp(opt, "--") == 0)
			break;
		if (strcmp(opt, "--time") == 0)
		{
			timing = true;
			continue;
		}
		if (strcmp(opt, "--disasm") == 0)
		{
			disasm = true;
			continue;
		}
		if (strcmp(opt, "--disasm-cells") == 0)
		{
			disasm = disasm_cells = true;
			continue;
		}
		if (strcmp(opt, "--verify") == 0)
		{
			verify = true;
			continue;
		}
		if (strncmp(opt, "--tier=", 7) == 0)
		{
			if (!wrt_tier_mode_parse(opt + 7, &tier.mode))
				usage();
			continue;
		}
		if (argi >= argc)
			usage();
		if (strcmp(opt, "--fuel") == 0)
		{
			if (!parse_u64(argv[argi++], &fuel))
				usage();
		}
		else if (strcmp(opt, "--tier-calls") == 0 || strcmp(opt, "--tier-loops") == 0)
		{
			uint64_t v;
			if (!parse_u64(argv[argi++], &v) || v > UINT32_MAX)
				usage();
			*(opt[7] == 'c' ? &tier.call_threshold : &tier.loop_threshold) = (uint32_t) v;
		}
		else if (strcmp(opt, "--max-pages") == 0)
		{
			if (!parse_u64(argv[argi++], &max_pages) || max_pages > 65536)
				usage();
		}
		else if (strcmp(opt, "--stack") == 0)
		{
			if (!parse_u64(argv[argi++], &stack) || stack == 0 || stack > SIZE_MAX)
				usage();
			have_stack = true;
		}
		else if (strcmp(opt, "--invoke") == 0)
			invoke = argv[argi++];
		else if (strcmp(opt, "--cache") == 0)
			cache_dir = argv[argi++];
		else
			usage();
	}
	if (argi >= argc)
		usage();
	path = argv[argi];

	bytes = read_file(path, &len);
	mod = wrt_module_load(bytes, len, NULL, &err);
	if (mod && cache_dir)
	{
		uint8_t id[32];
		if (!sha256(bytes, len, id))
		{
			fprintf(stderr, "%s: cannot compute SHA-256\n", progname);
			return 2;
		}
		wrt_module_set_identity(mod, id);
		code_cache.arg = (void *) cache_dir;
		wrt_tier_set_code_cache(&code_cache);
	}
	free(bytes);                /* the module keeps its own copy */
	if (!mod)
	{
		fprintf(stderr, "%s: %s: %s: %s (at offset 0x%x)\n", progname, path,
				errkind_name(err.kind), err.message, err.offset);
		return 2;
	}
	if (disasm)
	{
		/* Print the register code of every defined function, then stop. */
		uint32_t first = 0;
		wrt_error derr;

		for (uint32_t k = 0; k < wrt_module_import_count(mod); k++)
		{
			wrt_externtype t;

			wrt_module_import(mod, k, NULL, NULL, NULL, NULL, &t);
			if (t.kind == WRT_EXTERN_FUNC)
				first++;
		}
		for (uint32_t i = first; (disasm_cells ? wrt_module_disasm_cells : wrt_module_disasm)(mod, i, stdout, &derr); i++)
			;
		wrt_module_free(mod);
		return 0;
	}
	if (verify)
	{
		/* Compile every function and check its code against ir.def, then stop. */
		uint32_t n = 0;

		if (!wrt_module_verify_code(mod, &n, &err))
		{
			fprintf(stderr, "%s: %s: %s (at offset 0x%x)\n", progname, path, err.message, err.offset);
			wrt_module_free(mod);
			return 1;
		}
		printf("%u functions verified\n", n);
		wrt_module_free(mod);
		return 0;
	}

	store = wrt_store_new(NULL);
	if (!store)
	{
		fprintf(stderr, "%s: out of memory\n", progname);
		return 2;
	}
	if (have_stack)
		wrt_store_set_stack_limit(store, (size_t) stack, 10000);
	if (max_pages)
		wrt_store_set_memory_limit(store, (uint32_t) max_pages);
	wrt_store_set_fuel(store, fuel);
	wrt_store_set_tier(store, &tier);
	wrt_tier_set_notice(tier_notice, NULL);
	signal(SIGINT, on_sigint);
	wrt_store_set_interrupt(store, &interrupted);

	/* WASI sees the module path as argv[0], then the remaining arguments
	 * (in --invoke mode those are the call's arguments instead). */
	memset(&cfg, 0, sizeof(cfg));
	cfg.write = host_write;
	cfg.random = host_random;
	cfg.clock = host_clock;
	cfg.argc = invoke ? 1 : argc - argi;
	cfg.argv = argv + argi;
	wasi = wrt_wasi_new(store, &cfg);
	if (!wasi)
	{
		fprintf(stderr, "%s: out of memory\n", progname);
		return 2;
	}

	nimports = wrt_module_import_count(mod);
	imports = calloc(nimports ? nimports : 1, sizeof(*imports));
	if (!imports)
	{
		fprintf(stderr, "%s: out of memory\n", progname);
		return 2;
	}
	for (uint32_t i = 0; i < nimports; i++)
	{
		const char *mname, *name;
		uint32_t mlen, nlen;
		wrt_externtype type;
		wrt_func *f = NULL;

		wrt_module_import(mod, i, &mname, &mlen, &name, &nlen, &type);
		if (type.kind == WRT_EXTERN_FUNC && mlen == 22 &&
			memcmp(mname, "wasi_snapshot_preview1", 22) == 0)
			f = wrt_wasi_resolve(wasi, name, nlen, &type.func);
		if (!f)
		{
			fprintf(stderr, "%s: %s: unknown import %.*s.%.*s\n", progname, path,
					(int) mlen, mname, (int) nlen, name);
			return 2;
		}
		imports[i].kind = WRT_EXTERN_FUNC;
		imports[i].u.func = f;
	}

	inst = wrt_instantiate(store, mod, imports, nimports, &err);
	free(imports);
	if (!inst)
	{
		if (err.kind == WRT_ERR_TRAP)
		{
			status = call_failed(store);
			goto out;
		}
		fprintf(stderr, "%s: %s: %s: %s\n", progname, path, errkind_name(err.kind), err.message);
		status = 2;
		goto out;
	}

	/* A reactor's initialiser runs before anything else in both modes. */
	init = find_func(inst, "_initialize");
	if (init)
	{
		wrt_functype ft;

		wrt_func_type(init, &ft);
		if (ft.nparams != 0 || ft.nresults != 0)
		{
			fprintf(stderr, "%s: _initialize has the wrong type\n", progname);
			status = 2;
			goto out;
		}
		if (!wrt_call(store, init, NULL, NULL))
		{
			status = call_failed(store);
			goto out;
		}
	}

	if (!invoke)
	{
		wrt_func *start = find_func(inst, "_start");
		wrt_functype ft;

		if (!start)
		{
			if (!init)
			{
				fprintf(stderr, "%s: %s exports neither _start nor _initialize\n",
						progname, path);
				status = 2;
			}
			goto out;
		}
		wrt_func_type(start, &ft);
		if (ft.nparams != 0 || ft.nresults != 0)
		{
			fprintf(stderr, "%s: _start has the wrong type\n", progname);
			status = 2;
			goto out;
		}
		t0 = now_seconds();
		if (!wrt_call(store, start, NULL, NULL))
			status = call_failed(store);
		if (timing)
			fprintf(stderr, "time: %.6f\n", now_seconds() - t0);
	}
	else
	{
		wrt_func *f = find_func(inst, invoke);
		wrt_value *args, *results;
		wrt_functype ft;
		int nargs = argc - argi - 1;

		if (!f)
		{
			fprintf(stderr, "%s: %s: no exported function %s\n", progname, path, invoke);
			status = 2;
			goto out;
		}
		wrt_func_type(f, &ft);
		if ((uint32_t) nargs != ft.nparams)
		{
			fprintf(stderr, "%s: %s takes %u argument(s), %d given\n",
					progname, invoke, ft.nparams, nargs);
			status = 2;
			goto out;
		}
		args = calloc(ft.nparams + 1, sizeof(wrt_value));
		results = calloc(ft.nresults + 1, sizeof(wrt_value));
		if (!args || !results)
		{
			fprintf(stderr, "%s: out of memory\n", progname);
			status = 2;
			goto out;
		}
		for (uint32_t i = 0; i < ft.nparams; i++)
		{
			if (!parse_value(argv[argi + 1 + i], ft.params[i], &args[i]))
			{
				fprintf(stderr, "%s: argument %u: \"%s\" is not a valid %s\n", progname,
						i + 1, argv[argi + 1 + i], wrt_valtype_name(ft.params[i]));
				status = 2;
				goto out;
			}
		}
		t0 = now_seconds();
		if (wrt_call(store, f, args, results))
		{
			double dt = now_seconds() - t0;

			for (uint32_t i = 0; i < ft.nresults; i++)
				print_value(ft.results[i], results[i]);
			if (timing)
				fprintf(stderr, "time: %.6f\n", dt);
		}
		else
		{
			if (timing)
				fprintf(stderr, "time: %.6f\n", now_seconds() - t0);
			status = call_failed(store);
		}
		free(args);
		free(results);
	}
	if (fuel && status != 2)
		fprintf(stderr, "fuel: %" PRIu64 "\n", wrt_store_fuel_consumed(store));
	if (timing && tier.mode != WRT_TIER_INTERP)
	{
		wrt_tier_stats ts;
		wrt_tier_get_stats(NULL, &ts);
		fprintf(stderr, "tier: %" PRIu64 " compiled, %" PRIu64 " refused, %" PRIu64 " failed, "
				"%" PRIu64 " bytes of Wasm in %.3f ms (%.3f ms/KB)\n",
				ts.compiled, ts.refused, ts.failed, ts.wasm_bytes, ts.compile_ns / 1e6,
				ts.wasm_bytes ? ts.compile_ns / 1e6 / (ts.wasm_bytes / 1024.0) : 0.0);
		if (ts.osr_compiled || ts.osr_entries)
			fprintf(stderr, "osr: %" PRIu64 " entries made, %" PRIu64 " calls entered them\n",
					ts.osr_compiled, ts.osr_entries);
		if (cache_dir)
			fprintf(stderr, "code cache: %" PRIu64 " hits, %" PRIu64 " misses, %" PRIu64 " rejected; "
					"back end %s\n", ts.cache_hits, ts.cache_misses, ts.cache_rejects,
					wrt_tier_loaded() ? "loaded" : "not loaded");
	}
	if (timing)
	{
		long rss, anon, hwm;
		resident_kib(&rss, &anon, &hwm);
		fprintf(stderr, "memory: resident %.1f MiB (private %.1f MiB), peak %.1f MiB\n", rss / 1024.0,
				anon / 1024.0, hwm / 1024.0);
	}

out:
	fflush(stdout);
	wrt_store_free(store);
	wrt_module_free(mod);
	return status;
}
