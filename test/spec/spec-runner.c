/*
 * spec-runner.c — runs the WebAssembly core specification tests against the
 * pgwasm runtime.
 *
 * Input is the JSON script wast2json (wabt) produces from a *.wast file, with
 * its binary modules (*.wasm) beside it.  Every command of the script is
 * executed against one wrt_store per file: modules are loaded and
 * instantiated, `register` makes an instance importable under a name,
 * actions invoke exported functions or read exported globals, and the
 * assertions (assert_return, assert_trap, assert_exhaustion, assert_invalid,
 * assert_malformed, assert_unlinkable, assert_uninstantiable) are checked.
 * Modules given in the text format (`module quote` in assert_malformed /
 * assert_invalid) test a .wat parser, which a binary engine does not have:
 * they are counted as skipped with a reason.  The `spectest` host module
 * the suite imports from (print functions, globals, a table, a memory) is
 * provided here.
 *
 * Output: one line per file, PASS or FAIL with the failing commands (line,
 * what, expected vs got), a summary of skip reasons, and a closing line
 * `N passed, N failed, N skipped`.  Every command is counted once, so the
 * three numbers add up to the number of commands.  Exit status 1 if any
 * command failed.  -v also lists passes whose trap or error message differs
 * from the expected text (the kind of failure matters, not its wording).
 *
 * -c checks the compiler against the register code's table (ir.def): every
 * module that loads has all its functions compiled and verified by
 * wrt_module_verify_code; a function that fails is one more failure, and
 * a line `register code verified: N functions in M modules` precedes the
 * closing line.
 *
 * A per-command time limit (-t SECONDS, default 20) guards against an engine
 * bug looping forever: SIGALRM sets the store's interrupt flag, which makes
 * the running call trap with WRT_TRAP_INTERRUPTED.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "wasmrt.h"

#define MAX_VALUES 64           /* params/results per call handled here */
#define MAX_LISTED_FAILURES 40  /* per file, without -v */

static int verbose;
static int verify_code;         /* -c: check every module's register code */
static unsigned long verified_funcs, verified_mods;
static unsigned timeout_secs = 20;
static volatile int interrupt_flag;
/* -T: the native tier's policy for every store. */
static wrt_tier_settings tier_settings;

/* ---- growable string list ------------------------------------------------ */

typedef struct strlist {
	char **items;
	size_t n, cap;
} strlist;

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
	{
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	return q;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
	{
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	return d;
}

static void
strlist_add(strlist *l, char *s)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof(char *));
	}
	l->items[l->n++] = s;
}

static void
strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
	{
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	va_end(ap);
	return s;
}

/* ---- skip reasons, over all files ------------------------------------------ */

typedef struct skipreason {
	char *reason;
	unsigned long count;
} skipreason;

static skipreason *skips;
static size_t nskips;

static void
note_skip_reason(const char *reason)
{
	for (size_t i = 0; i < nskips; i++)
		if (strcmp(skips[i].reason, reason) == 0)
		{
			skips[i].count++;
			return;
		}
	skips = xrealloc(skips, (nskips + 1) * sizeof(*skips));
	skips[nskips].reason = xstrdup(reason);
	skips[nskips].count = 1;
	nskips++;
}

/* ---- the script state of one file --------------------------------------- */

typedef struct named {
	char *name;
	wrt_instance *inst;         /* NULL: the spectest host module */
} named;

typedef struct spectest_export {
	const char *name;
	wrt_extern ext;
} spectest_export;

typedef struct script {
	char *dir;                  /* directory holding the .json and .wasm files */
	char *wast;                 /* display name, e.g. "i32.wast" */
	wrt_store *store;

	wrt_module **mods;          /* every loaded module; freed after the store */
	size_t nmods, capmods;

	named *registry;            /* `register`ed names (searched newest first) */
	size_t nregistry;
	named *modnames;            /* `(module $name ...)` */
	size_t nmodnames;
	wrt_instance *current;      /* the most recent module, or NULL */

	spectest_export spectest[16];
	size_t nspectest;

	unsigned long passed, failed, skipped;
	strlist failures;           /* printed when the file fails */
	strlist notes;              /* passes with a different message (-v) */
} script;

/* ---- the spectest host module ------------------------------------------- */

static bool
spectest_print(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	(void)call;
	(void)user;
	(void)args;
	(void)results;
	return true;
}

static void
spectest_add(script *sc, const char *name, wrt_extern ext)
{
	sc->spectest[sc->nspectest].name = name;
	sc->spectest[sc->nspectest].ext = ext;
	sc->nspectest++;
}

static void
spectest_add_func(script *sc, const char *name, const uint8_t *params, uint32_t nparams)
{
	wrt_functype t = {.nparams = nparams, .nresults = 0, .params = params, .results = NULL};
	wrt_extern e = {.kind = WRT_EXTERN_FUNC};

	e.u.func = wrt_func_new_host(sc->store, &t, spectest_print, NULL);
	if (!e.u.func)
		return;
	spectest_add(sc, name, e);
}

static void
spectest_add_global(script *sc, const char *name, wrt_valtype t, wrt_value v)
{
	wrt_extern e = {.kind = WRT_EXTERN_GLOBAL};

	e.u.global = wrt_global_new(sc->store, t, false, v);
	if (e.u.global)
		spectest_add(sc, name, e);
}

static void
spectest_init(script *sc)
{
	static const uint8_t p_i32[] = {WRT_I32};
	static const uint8_t p_i64[] = {WRT_I64};
	static const uint8_t p_f32[] = {WRT_F32};
	static const uint8_t p_f64[] = {WRT_F64};
	static const uint8_t p_i32_f32[] = {WRT_I32, WRT_F32};
	static const uint8_t p_f64_f64[] = {WRT_F64, WRT_F64};
	wrt_value v;
	wrt_extern e;

	spectest_add_func(sc, "print", NULL, 0);
	spectest_add_func(sc, "print_i32", p_i32, 1);
	spectest_add_func(sc, "print_i64", p_i64, 1);
	spectest_add_func(sc, "print_f32", p_f32, 1);
	spectest_add_func(sc, "print_f64", p_f64, 1);
	spectest_add_func(sc, "print_i32_f32", p_i32_f32, 2);
	spectest_add_func(sc, "print_f64_f64", p_f64_f64, 2);

	v.bits = 0;
	v.i32 = 666;
	spectest_add_global(sc, "global_i32", WRT_I32, v);
	v.bits = 0;
	v.i64 = 666;
	spectest_add_global(sc, "global_i64", WRT_I64, v);
	v.bits = 0;
	v.f32 = 666.6f;
	spectest_add_global(sc, "global_f32", WRT_F32, v);
	v.bits = 0;
	v.f64 = 666.6;
	spectest_add_global(sc, "global_f64", WRT_F64, v);

	e.kind = WRT_EXTERN_TABLE;
	e.u.table = wrt_table_new(sc->store, WRT_FUNCREF,
							  (wrt_limits){.min = 10, .max = 20, .has_max = true}, NULL);
	if (e.u.table)
		spectest_add(sc, "table", e);
	e.kind = WRT_EXTERN_MEMORY;
	e.u.memory = wrt_memory_new(sc->store, (wrt_limits){.min = 1, .max = 2, .has_max = true});
	if (e.u.memory)
		spectest_add(sc, "memory", e);
}

/* ---- values --------------------------------------------------------------- */

typedef enum pattern {
	PAT_EXACT,
	PAT_NAN_CANONICAL,
	PAT_NAN_ARITHMETIC,
	PAT_REF_NONNULL             /* funcref expected as "some function" */
} pattern;

typedef struct expect {
	uint8_t type;
	pattern pat;
	wrt_value v;
	/* v128: lane shape and, for float lanes, a pattern per lane */
	uint8_t lane_bytes;
	bool lane_float;
	pattern lanes[16];
} expect;

static int
valtype_of(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "i32") == 0)
		return WRT_I32;
	if (strcmp(s, "i64") == 0)
		return WRT_I64;
	if (strcmp(s, "f32") == 0)
		return WRT_F32;
	if (strcmp(s, "f64") == 0)
		return WRT_F64;
	if (strcmp(s, "v128") == 0)
		return WRT_V128;
	if (strcmp(s, "funcref") == 0)
		return WRT_FUNCREF;
	if (strcmp(s, "externref") == 0)
		return WRT_EXTERNREF;
	return -1;
}

static const char *
tname(uint8_t t)
{
	switch (t)
	{
		case WRT_I32: return "i32";
		case WRT_I64: return "i64";
		case WRT_F32: return "f32";
		case WRT_F64: return "f64";
		case WRT_V128: return "v128";
		case WRT_FUNCREF: return "funcref";
		case WRT_EXTERNREF: return "externref";
	}
	return "?";
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static uint32_t
f32_bits(wrt_value v)
{
	uint32_t b;

	memcpy(&b, &v.f32, 4);
	return b;
}

static uint64_t
f64_bits(wrt_value v)
{
	uint64_t b;

	memcpy(&b, &v.f64, 8);
	return b;
}

/*
 * Parse one {"type": ..., "value": ...} of wast2json.  Integers and floats
 * come as unsigned decimal strings of their bit patterns; references as
 * "null" or a number (ref.extern N, stored as the host pointer N + 1).
 */
static bool
parse_value(json_t *j, bool is_expected, expect *out, char **why)
{
	const char *ty = json_string_value(json_object_get(j, "type"));
	const char *val = json_string_value(json_object_get(j, "value"));
	int t = valtype_of(ty);
	uint64_t n;

	memset(out, 0, sizeof(*out));
	if (t < 0)
	{
		*why = fmt("unknown value type \"%s\"", ty ? ty : "(none)");
		return false;
	}
	out->type = (uint8_t)t;
	if (t == WRT_V128)
	{
		/* {"type":"v128","lane_type":"f32","value":["1","nan:canonical",..]}:
		 * each lane the unsigned decimal of its bits, or a NaN pattern */
		const char *lt = json_string_value(json_object_get(j, "lane_type"));
		json_t *lv = json_object_get(j, "value");
		static const struct { const char *name; uint8_t bytes; bool fl; } shapes[] = {
			{"i8", 1, false}, {"i16", 2, false}, {"i32", 4, false}, {"i64", 8, false},
			{"f32", 4, true}, {"f64", 8, true}};

		out->lane_bytes = 0;
		for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
			if (lt && strcmp(lt, shapes[k].name) == 0)
			{
				out->lane_bytes = shapes[k].bytes;
				out->lane_float = shapes[k].fl;
			}
		if (!out->lane_bytes || !json_is_array(lv) || json_array_size(lv) != 16u / out->lane_bytes)
		{
			*why = fmt("bad v128 value (lane type \"%s\")", lt ? lt : "(none)");
			return false;
		}
		for (size_t k = 0; k < json_array_size(lv); k++)
		{
			const char *ls = json_string_value(json_array_get(lv, k));

			if (ls && is_expected && out->lane_float && strcmp(ls, "nan:canonical") == 0)
				out->lanes[k] = PAT_NAN_CANONICAL;
			else if (ls && is_expected && out->lane_float && strcmp(ls, "nan:arithmetic") == 0)
				out->lanes[k] = PAT_NAN_ARITHMETIC;
			else if (!parse_u64(ls, &n))
			{
				*why = fmt("bad v128 lane \"%s\"", ls ? ls : "(none)");
				return false;
			}
			else
				for (unsigned b = 0; b < out->lane_bytes; b++)
					out->v.v128[k * out->lane_bytes + b] = (uint8_t)(n >> (8 * b));
		}
		return true;
	}
	if (!val)
	{
		*why = fmt("missing value");
		return false;
	}
	if (is_expected && (t == WRT_F32 || t == WRT_F64))
	{
		if (strcmp(val, "nan:canonical") == 0)
		{
			out->pat = PAT_NAN_CANONICAL;
			return true;
		}
		if (strcmp(val, "nan:arithmetic") == 0)
		{
			out->pat = PAT_NAN_ARITHMETIC;
			return true;
		}
	}
	if (t == WRT_FUNCREF || t == WRT_EXTERNREF)
	{
		if (strcmp(val, "null") == 0)
		{
			out->v.ref = NULL;
			return true;
		}
		if (!parse_u64(val, &n))
		{
			if (t == WRT_FUNCREF && is_expected)
			{
				out->pat = PAT_REF_NONNULL;
				return true;
			}
			*why = fmt("bad %s value \"%s\"", ty, val);
			return false;
		}
		if (t == WRT_FUNCREF)
		{
			if (is_expected)
			{
				out->pat = PAT_REF_NONNULL;
				return true;
			}
			*why = fmt("funcref argument \"%s\" cannot be made by the host", val);
			return false;
		}
		out->v.ref = (void *)(uintptr_t)(n + 1);
		return true;
	}
	if (!parse_u64(val, &n))
	{
		*why = fmt("bad %s value \"%s\"", ty, val);
		return false;
	}
	switch (t)
	{
		case WRT_I32:
			out->v.i32 = (int32_t)(uint32_t)n;
			break;
		case WRT_I64:
			out->v.i64 = (int64_t)n;
			break;
		case WRT_F32:
			{
				uint32_t b = (uint32_t)n;

				memcpy(&out->v.f32, &b, 4);
				break;
			}
		case WRT_F64:
			memcpy(&out->v.f64, &n, 8);
			break;
	}
	return true;
}

static char *
show_value(uint8_t t, wrt_value v)
{
	switch (t)
	{
		case WRT_I32:
			return fmt("i32:%" PRIu32 "", (uint32_t)v.i32);
		case WRT_I64:
			return fmt("i64:%" PRIu64 "", (uint64_t)v.i64);
		case WRT_F32:
			return fmt("f32:%.9g (0x%08" PRIx32 ")", (double)v.f32, f32_bits(v));
		case WRT_F64:
			return fmt("f64:%.17g (0x%016" PRIx64 ")", v.f64, f64_bits(v));
		case WRT_FUNCREF:
			return v.ref ? fmt("funcref:%p", v.ref) : fmt("funcref:null");
		case WRT_EXTERNREF:
			return v.ref ? fmt("externref:%" PRIuPTR, (uintptr_t)v.ref - 1) : fmt("externref:null");
		case WRT_V128:
			{
				uint32_t w[4];

				memcpy(w, v.v128, 16);
				return fmt("v128:i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32,
						   w[0], w[1], w[2], w[3]);
			}
	}
	return fmt("?:0x%" PRIx64, v.bits);
}

static char *
show_expect(const expect *e)
{
	switch (e->pat)
	{
		case PAT_NAN_CANONICAL:
			return fmt("%s:nan:canonical", tname(e->type));
		case PAT_NAN_ARITHMETIC:
			return fmt("%s:nan:arithmetic", tname(e->type));
		case PAT_REF_NONNULL:
			return fmt("%s:non-null", tname(e->type));
		case PAT_EXACT:
			break;
	}
	return show_value(e->type, e->v);
}

static bool
value_matches(const expect *e, wrt_value got)
{
	switch (e->type)
	{
		case WRT_I32:
			return (uint32_t)got.i32 == (uint32_t)e->v.i32;
		case WRT_I64:
			return (uint64_t)got.i64 == (uint64_t)e->v.i64;
		case WRT_F32:
			{
				uint32_t b = f32_bits(got);

				if (e->pat == PAT_NAN_CANONICAL)
					return (b & 0x7fffffffu) == 0x7fc00000u;
				if (e->pat == PAT_NAN_ARITHMETIC)
					return (b & 0x7fc00000u) == 0x7fc00000u;
				return b == f32_bits(e->v);
			}
		case WRT_F64:
			{
				uint64_t b = f64_bits(got);

				if (e->pat == PAT_NAN_CANONICAL)
					return (b & UINT64_C(0x7fffffffffffffff)) == UINT64_C(0x7ff8000000000000);
				if (e->pat == PAT_NAN_ARITHMETIC)
					return (b & UINT64_C(0x7ff8000000000000)) == UINT64_C(0x7ff8000000000000);
				return b == f64_bits(e->v);
			}
		case WRT_FUNCREF:
		case WRT_EXTERNREF:
			if (e->pat == PAT_REF_NONNULL)
				return got.ref != NULL;
			return got.ref == e->v.ref;
		case WRT_V128:
			for (unsigned k = 0; k < 16u / e->lane_bytes; k++)
			{
				const uint8_t *g = got.v128 + k * e->lane_bytes;
				uint64_t b = 0;

				for (unsigned i = 0; i < e->lane_bytes; i++)
					b |= (uint64_t)g[i] << (8 * i);
				if (e->lanes[k] == PAT_NAN_CANONICAL || e->lanes[k] == PAT_NAN_ARITHMETIC)
				{
					uint64_t quiet = e->lane_bytes == 4 ? 0x7fc00000u : UINT64_C(0x7ff8000000000000);
					uint64_t mag = e->lane_bytes == 4 ? 0x7fffffffu : UINT64_C(0x7fffffffffffffff);

					if (e->lanes[k] == PAT_NAN_CANONICAL ? (b & mag) != quiet : (b & quiet) != quiet)
						return false;
				}
				else if (memcmp(g, e->v.v128 + k * e->lane_bytes, e->lane_bytes) != 0)
					return false;
			}
			return true;
	}
	return false;
}

/* ---- bookkeeping ---------------------------------------------------------- */

static void
pass(script *sc)
{
	sc->passed++;
}

static void
fail(script *sc, long line, const char *what, char *detail)
{
	sc->failed++;
	strlist_add(&sc->failures, fmt("  line %ld: %s: %s", line, what, detail));
	free(detail);
}

static void
skip(script *sc, const char *reason)
{
	sc->skipped++;
	note_skip_reason(reason);
}

/* A pass whose message differs from the script's text: listed with -v. */
static void
note_message(script *sc, long line, const char *what, const char *expected, const char *got)
{
	if (!expected || !got || strncmp(got, expected, strlen(expected)) == 0)
		return;
	strlist_add(&sc->notes, fmt("  line %ld: %s: expected \"%s\", engine said \"%s\"",
								line, what, expected, got));
}

static const char *
errkind_name(wrt_errkind k)
{
	switch (k)
	{
		case WRT_OK: return "ok";
		case WRT_ERR_MALFORMED: return "malformed";
		case WRT_ERR_INVALID: return "invalid";
		case WRT_ERR_UNSUPPORTED: return "unsupported";
		case WRT_ERR_LINK: return "link";
		case WRT_ERR_LIMIT: return "limit";
		case WRT_ERR_OOM: return "out of memory";
		case WRT_ERR_INTERRUPTED: return "interrupted";
		case WRT_ERR_TRAP: return "trap";
	}
	return "?";
}

/* ---- modules ---------------------------------------------------------------- */

static void
on_alarm(int sig)
{
	(void)sig;
	interrupt_flag = 1;
}

static void
arm_timer(void)
{
	interrupt_flag = 0;
	if (timeout_secs)
		alarm(timeout_secs);
}

static bool
disarm_timer(void)
{
	alarm(0);
	return interrupt_flag != 0;
}

static bool
read_file(const char *path, uint8_t **bytes, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return false;
	for (;;)
	{
		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
	{
		fclose(f);
		free(buf);
		return false;
	}
	fclose(f);
	*bytes = buf;
	*len = n;
	return true;
}

/*
 * Load filename (relative to the script's directory).  NULL + err on
 * failure.  With -c, a module that loads also has every function compiled
 * and its register code checked against the instruction table
 * (wrt_module_verify_code): a problem is a failure of its own, named after
 * the module, which does not change how the command itself is judged.
 */
static wrt_module *
load_module(script *sc, long line, const char *filename, wrt_error *err)
{
	char *path = fmt("%s/%s", sc->dir, filename);
	uint8_t *bytes;
	size_t len;
	wrt_module *m;

	memset(err, 0, sizeof(*err));
	if (!read_file(path, &bytes, &len))
	{
		err->kind = WRT_ERR_LIMIT;
		snprintf(err->message, sizeof(err->message), "cannot read %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	m = wrt_module_load(bytes, len, NULL, err);
	free(bytes);
	if (!m)
	{
		if (err->kind == WRT_OK)
			err->kind = WRT_ERR_MALFORMED;
		return NULL;
	}
	if (sc->nmods == sc->capmods)
	{
		sc->capmods = sc->capmods ? sc->capmods * 2 : 16;
		sc->mods = xrealloc(sc->mods, sc->capmods * sizeof(*sc->mods));
	}
	sc->mods[sc->nmods++] = m;
	if (verify_code)
	{
		wrt_error verr;
		uint32_t n = 0;

		memset(&verr, 0, sizeof(verr));
		if (wrt_module_verify_code(m, &n, &verr))
		{
			verified_funcs += n;
			verified_mods++;
		}
		else
		{
			char *what = fmt("register code of %s", filename);

			fail(sc, line, what, fmt("%s (at offset 0x%x)", verr.message, verr.offset));
			free(what);
		}
	}
	return m;
}

/* Find an external by module and name among spectest and registered instances. */
static bool
resolve_import(script *sc, const char *mod, uint32_t modlen, const char *name,
			   uint32_t namelen, wrt_extern *out)
{
	for (size_t i = sc->nregistry; i-- > 0;)
	{
		named *r = &sc->registry[i];

		if (strlen(r->name) != modlen || memcmp(r->name, mod, modlen) != 0)
			continue;
		if (r->inst)
			return wrt_instance_export(r->inst, name, namelen, out);
		for (size_t k = 0; k < sc->nspectest; k++)
			if (strlen(sc->spectest[k].name) == namelen &&
				memcmp(sc->spectest[k].name, name, namelen) == 0)
			{
				*out = sc->spectest[k].ext;
				return true;
			}
		return false;
	}
	return false;
}

/* Resolve the imports of m and instantiate it.  NULL + err on failure. */
static wrt_instance *
instantiate(script *sc, wrt_module *m, wrt_error *err)
{
	uint32_t n = wrt_module_import_count(m);
	wrt_extern *imports = xrealloc(NULL, (n ? n : 1) * sizeof(wrt_extern));
	wrt_instance *inst;

	memset(err, 0, sizeof(*err));
	for (uint32_t i = 0; i < n; i++)
	{
		const char *mod, *name;
		uint32_t modlen, namelen;
		wrt_externtype type;

		wrt_module_import(m, i, &mod, &modlen, &name, &namelen, &type);
		if (!resolve_import(sc, mod, modlen, name, namelen, &imports[i]))
		{
			err->kind = WRT_ERR_LINK;
			snprintf(err->message, sizeof(err->message), "unknown import \"%.*s\".\"%.*s\"",
					 (int)modlen, mod, (int)namelen, name);
			free(imports);
			return NULL;
		}
	}
	arm_timer();
	inst = wrt_instantiate(sc->store, m, imports, n, err);
	disarm_timer();
	free(imports);
	if (!inst && err->kind == WRT_OK)
		err->kind = WRT_ERR_LINK;
	if (!inst && err->kind == WRT_ERR_TRAP)
	{
		const wrt_trap *t = wrt_store_trap(sc->store);

		if (t && t->message[0])
			snprintf(err->message, sizeof(err->message), "%s", t->message);
	}
	return inst;
}

static wrt_instance *
find_named(script *sc, const char *name)
{
	for (size_t i = sc->nmodnames; i-- > 0;)
		if (strcmp(sc->modnames[i].name, name) == 0)
			return sc->modnames[i].inst;
	return NULL;
}

static void
add_named(named **arr, size_t *n, const char *name, wrt_instance *inst)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(named));
	(*arr)[*n].name = xstrdup(name);
	(*arr)[*n].inst = inst;
	(*n)++;
}

/* ---- actions -------------------------------------------------------------- */

typedef enum act_status {
	ACT_OK,
	ACT_TRAP,                   /* the call trapped; message in msg */
	ACT_ERROR                   /* the action could not run; reason in msg */
} act_status;

typedef struct act_result {
	act_status status;
	wrt_trapkind trap;
	char *msg;
	uint32_t nresults;
	uint8_t types[MAX_VALUES];
	wrt_value results[MAX_VALUES];
} act_result;

static char *
describe_action(json_t *action)
{
	const char *type = json_string_value(json_object_get(action, "type"));
	const char *field = json_string_value(json_object_get(action, "field"));
	const char *mod = json_string_value(json_object_get(action, "module"));
	json_t *args = json_object_get(action, "args");
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
	{
		fprintf(stderr, "spec-runner: out of memory\n");
		exit(2);
	}
	fprintf(f, "%s %s%s\"%s\"", type ? type : "?", mod ? mod : "", mod ? "." : "",
			field ? field : "?");
	if (type && strcmp(type, "invoke") == 0)
	{
		size_t i;
		json_t *a;

		fputc('(', f);
		json_array_foreach(args, i, a)
		{
			const char *ty = json_string_value(json_object_get(a, "type"));
			const char *v = json_string_value(json_object_get(a, "value"));

			fprintf(f, "%s%s:%s", i ? ", " : "", ty ? ty : "?", v ? v : "?");
		}
		fputc(')', f);
	}
	fclose(f);
	return s;
}

static void
run_action(script *sc, json_t *action, act_result *r)
{
	const char *type = json_string_value(json_object_get(action, "type"));
	json_t *jfield = json_object_get(action, "field");
	const char *field = json_string_value(jfield);
	size_t fieldlen = json_string_length(jfield);    /* names may hold NUL */
	const char *modname = json_string_value(json_object_get(action, "module"));
	wrt_instance *inst = sc->current;
	wrt_extern ext;

	memset(r, 0, sizeof(*r));
	r->status = ACT_ERROR;
	if (modname)
	{
		inst = find_named(sc, modname);
		if (!inst)
		{
			r->msg = fmt("no module named %s", modname);
			return;
		}
	}
	if (!inst)
	{
		r->msg = fmt("no current module");
		return;
	}
	if (!type || !field)
	{
		r->msg = fmt("malformed action");
		return;
	}
	if (!wrt_instance_export(inst, field, fieldlen, &ext))
	{
		r->msg = fmt("no export \"%s\"", field);
		return;
	}
	if (strcmp(type, "get") == 0)
	{
		wrt_module *m = wrt_instance_module(inst);
		wrt_externtype et;

		if (ext.kind != WRT_EXTERN_GLOBAL)
		{
			r->msg = fmt("export \"%s\" is not a global", field);
			return;
		}
		if (!m || !wrt_module_find_export(m, field, fieldlen, &et))
		{
			r->msg = fmt("export \"%s\" has no type", field);
			return;
		}
		r->nresults = 1;
		r->types[0] = et.valtype;
		r->results[0] = wrt_global_get(ext.u.global);
		r->status = ACT_OK;
		return;
	}
	if (strcmp(type, "invoke") == 0)
	{
		json_t *args = json_object_get(action, "args");
		wrt_value argv[MAX_VALUES];
		wrt_functype ft;
		size_t nargs = json_array_size(args);
		bool ok;

		if (ext.kind != WRT_EXTERN_FUNC)
		{
			r->msg = fmt("export \"%s\" is not a function", field);
			return;
		}
		wrt_func_type(ext.u.func, &ft);
		if (ft.nparams != nargs || ft.nparams > MAX_VALUES || ft.nresults > MAX_VALUES)
		{
			r->msg = fmt("function has %u params and %u results, script gives %zu args",
						 ft.nparams, ft.nresults, nargs);
			return;
		}
		for (size_t i = 0; i < nargs; i++)
		{
			expect e;
			char *why = NULL;

			if (!parse_value(json_array_get(args, i), false, &e, &why))
			{
				r->msg = fmt("argument %zu: %s", i, why);
				free(why);
				return;
			}
			if (e.type != ft.params[i])
			{
				r->msg = fmt("argument %zu is %s, function takes %s", i, tname(e.type),
							 tname(ft.params[i]));
				return;
			}
			argv[i] = e.v;
		}
		memset(r->results, 0, sizeof(r->results));
		arm_timer();
		ok = wrt_call(sc->store, ext.u.func, argv, r->results);
		if (disarm_timer() && !ok)
		{
			r->status = ACT_ERROR;
			r->msg = fmt("timed out after %u s", timeout_secs);
			return;
		}
		r->nresults = ft.nresults;
		memcpy(r->types, ft.results, ft.nresults);
		if (ok)
			r->status = ACT_OK;
		else
		{
			const wrt_trap *t = wrt_store_trap(sc->store);

			r->status = ACT_TRAP;
			r->trap = t ? t->kind : WRT_TRAP_NONE;
			r->msg = xstrdup(t ? t->message : "(no trap recorded)");
		}
		return;
	}
	r->msg = fmt("unknown action type \"%s\"", type);
}

/* ---- commands ------------------------------------------------------------ */

static bool
is_text_module(json_t *cmd)
{
	const char *mt = json_string_value(json_object_get(cmd, "module_type"));
	const char *fn = json_string_value(json_object_get(cmd, "filename"));
	size_t n = fn ? strlen(fn) : 0;

	if (mt)
		return strcmp(mt, "text") == 0;
	return n > 4 && strcmp(fn + n - 4, ".wat") == 0;
}

static void
cmd_module(script *sc, json_t *cmd, long line)
{
	const char *filename = json_string_value(json_object_get(cmd, "filename"));
	const char *name = json_string_value(json_object_get(cmd, "name"));
	wrt_module *m;
	wrt_instance *inst;
	wrt_error err;

	sc->current = NULL;
	if (!filename)
	{
		fail(sc, line, "module", fmt("no filename"));
		return;
	}
	if (is_text_module(cmd))
	{
		skip(sc, "text format (binary engine)");
		return;
	}
	m = load_module(sc, line, filename, &err);
	if (!m)
	{
		fail(sc, line, "module", fmt("%s: load failed (%s): %s", filename,
									 errkind_name(err.kind), err.message));
		return;
	}
	inst = instantiate(sc, m, &err);
	if (!inst)
	{
		fail(sc, line, "module", fmt("%s: instantiation failed (%s): %s", filename,
									 errkind_name(err.kind), err.message));
		return;
	}
	sc->current = inst;
	if (name)
		add_named(&sc->modnames, &sc->nmodnames, name, inst);
	pass(sc);
}

static void
cmd_register(script *sc, json_t *cmd, long line)
{
	const char *as = json_string_value(json_object_get(cmd, "as"));
	const char *name = json_string_value(json_object_get(cmd, "name"));
	wrt_instance *inst = name ? find_named(sc, name) : sc->current;

	if (!as)
	{
		fail(sc, line, "register", fmt("no \"as\""));
		return;
	}
	if (!inst)
	{
		fail(sc, line, "register", fmt("no module %s to register as \"%s\"",
									   name ? name : "(current)", as));
		return;
	}
	add_named(&sc->registry, &sc->nregistry, as, inst);
	pass(sc);
}

static void
cmd_action(script *sc, json_t *cmd, long line)
{
	json_t *action = json_object_get(cmd, "action");
	char *what = describe_action(action);
	act_result r;

	run_action(sc, action, &r);
	if (r.status == ACT_OK)
		pass(sc);
	else
		fail(sc, line, what, fmt("%s%s", r.status == ACT_TRAP ? "trapped: " : "", r.msg));
	free(r.msg);
	free(what);
}

static void
cmd_assert_return(script *sc, json_t *cmd, long line)
{
	json_t *action = json_object_get(cmd, "action");
	json_t *expected = json_object_get(cmd, "expected");
	char *what = NULL;
	act_result r;
	size_t nexp = json_array_size(expected);
	expect exp[MAX_VALUES];

	for (size_t i = 0; i < nexp && i < MAX_VALUES; i++)
	{
		char *why = NULL;

		if (!parse_value(json_array_get(expected, i), true, &exp[i], &why))
		{
			fail(sc, line, "assert_return", fmt("expected value %zu: %s", i, why));
			free(why);
			return;
		}
	}
	what = describe_action(action);
	{
		char *w = fmt("assert_return %s", what);

		free(what);
		what = w;
	}
	run_action(sc, action, &r);
	if (r.status != ACT_OK)
	{
		fail(sc, line, what, fmt("%s%s", r.status == ACT_TRAP ? "trapped: " : "", r.msg));
		goto out;
	}
	if (r.nresults != nexp)
	{
		fail(sc, line, what, fmt("expected %zu results, got %u", nexp, r.nresults));
		goto out;
	}
	for (size_t i = 0; i < nexp; i++)
	{
		if (exp[i].type != r.types[i] || !value_matches(&exp[i], r.results[i]))
		{
			char *e = show_expect(&exp[i]);
			char *g = show_value(r.types[i], r.results[i]);

			fail(sc, line, what, fmt("result %zu: expected %s, got %s", i, e, g));
			free(e);
			free(g);
			goto out;
		}
	}
	pass(sc);
out:
	free(r.msg);
	free(what);
}

/* assert_trap and assert_exhaustion on an action. */
static void
cmd_assert_trap(script *sc, json_t *cmd, long line, const char *kind)
{
	json_t *action = json_object_get(cmd, "action");
	const char *text = json_string_value(json_object_get(cmd, "text"));
	char *desc = describe_action(action);
	char *what = fmt("%s %s", kind, desc);
	act_result r;

	free(desc);
	run_action(sc, action, &r);
	if (r.status == ACT_TRAP)
	{
		pass(sc);
		note_message(sc, line, what, text, r.msg);
	}
	else if (r.status == ACT_OK)
		fail(sc, line, what, fmt("expected trap \"%s\", got success", text ? text : ""));
	else
		fail(sc, line, what, fmt("expected trap \"%s\", got: %s", text ? text : "", r.msg));
	free(r.msg);
	free(what);
}

/* assert_invalid / assert_malformed: the module must fail to load. */
static void
cmd_assert_bad_module(script *sc, json_t *cmd, long line, const char *kind)
{
	const char *filename = json_string_value(json_object_get(cmd, "filename"));
	const char *text = json_string_value(json_object_get(cmd, "text"));
	wrt_error err;
	char *what;

	if (is_text_module(cmd))
	{
		skip(sc, "text format (binary engine)");
		return;
	}
	what = fmt("%s %s", kind, filename ? filename : "?");
	if (!filename)
		fail(sc, line, what, fmt("no filename"));
	else if (load_module(sc, line, filename, &err))
		fail(sc, line, what, fmt("expected \"%s\", module loaded", text ? text : ""));
	else if (err.kind == WRT_ERR_MALFORMED || err.kind == WRT_ERR_INVALID)
	{
		wrt_errkind want = strcmp(kind, "assert_malformed") == 0 ? WRT_ERR_MALFORMED
			: WRT_ERR_INVALID;

		pass(sc);
		if (err.kind != want)
			strlist_add(&sc->notes, fmt("  line %ld: %s: expected error kind %s (\"%s\"), "
										"engine reported %s: \"%s\"", line, what,
										errkind_name(want), text ? text : "",
										errkind_name(err.kind), err.message));
		else
			note_message(sc, line, what, text, err.message);
	}
	else
		fail(sc, line, what, fmt("expected \"%s\", got %s error: %s", text ? text : "",
								 errkind_name(err.kind), err.message));
	free(what);
}

/* assert_unlinkable / assert_uninstantiable: load, then instantiation fails. */
static void
cmd_assert_instantiate_fails(script *sc, json_t *cmd, long line, const char *kind, bool need_trap)
{
	const char *filename = json_string_value(json_object_get(cmd, "filename"));
	const char *text = json_string_value(json_object_get(cmd, "text"));
	wrt_module *m;
	wrt_error err;
	char *what;

	if (is_text_module(cmd))
	{
		skip(sc, "text format (binary engine)");
		return;
	}
	what = fmt("%s %s", kind, filename ? filename : "?");
	if (!filename)
	{
		fail(sc, line, what, fmt("no filename"));
		goto out;
	}
	m = load_module(sc, line, filename, &err);
	if (!m)
	{
		fail(sc, line, what, fmt("load failed (%s): %s", errkind_name(err.kind), err.message));
		goto out;
	}
	if (instantiate(sc, m, &err))
	{
		fail(sc, line, what, fmt("expected \"%s\", instantiation succeeded", text ? text : ""));
		goto out;
	}
	if (need_trap && err.kind != WRT_ERR_TRAP)
	{
		fail(sc, line, what, fmt("expected trap \"%s\", got %s error: %s", text ? text : "",
								 errkind_name(err.kind), err.message));
		goto out;
	}
	pass(sc);
	note_message(sc, line, what, text, err.message);
out:
	free(what);
}

static void
run_command(script *sc, json_t *cmd)
{
	const char *type = json_string_value(json_object_get(cmd, "type"));
	long line = (long)json_integer_value(json_object_get(cmd, "line"));

	if (!type)
		fail(sc, line, "command", fmt("no type"));
	else if (strcmp(type, "module") == 0)
		cmd_module(sc, cmd, line);
	else if (strcmp(type, "register") == 0)
		cmd_register(sc, cmd, line);
	else if (strcmp(type, "action") == 0)
		cmd_action(sc, cmd, line);
	else if (strcmp(type, "assert_return") == 0)
		cmd_assert_return(sc, cmd, line);
	else if (strcmp(type, "assert_trap") == 0 && !json_object_get(cmd, "action"))
		cmd_assert_instantiate_fails(sc, cmd, line, "assert_trap", true);
	else if (strcmp(type, "assert_trap") == 0)
		cmd_assert_trap(sc, cmd, line, "assert_trap");
	else if (strcmp(type, "assert_exhaustion") == 0)
		cmd_assert_trap(sc, cmd, line, "assert_exhaustion");
	else if (strcmp(type, "assert_invalid") == 0)
		cmd_assert_bad_module(sc, cmd, line, "assert_invalid");
	else if (strcmp(type, "assert_malformed") == 0)
		cmd_assert_bad_module(sc, cmd, line, "assert_malformed");
	else if (strcmp(type, "assert_unlinkable") == 0)
		cmd_assert_instantiate_fails(sc, cmd, line, "assert_unlinkable", false);
	else if (strcmp(type, "assert_uninstantiable") == 0)
		cmd_assert_instantiate_fails(sc, cmd, line, "assert_uninstantiable", true);
	else
	{
		char *reason = fmt("command type %s", type);

		skip(sc, reason);
		free(reason);
	}
}

/* ---- files --------------------------------------------------------------- */

static char *
display_name(json_t *root, const char *jsonpath)
{
	const char *src = json_string_value(json_object_get(root, "source_filename"));
	const char *base;

	if (src)
	{
		base = strrchr(src, '/');
		return xstrdup(base ? base + 1 : src);
	}
	base = strrchr(jsonpath, '/');
	return xstrdup(base ? base + 1 : jsonpath);
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return fmt("%.*s", (int)(slash - path), path);
}

/* Run one script; adds to the totals and returns false if any command failed. */
static bool
run_file(const char *path, unsigned long *tp, unsigned long *tf, unsigned long *ts)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	json_t *cmds, *cmd;
	script sc;
	size_t i;
	bool ok;

	memset(&sc, 0, sizeof(sc));
	if (!root)
	{
		printf("FAIL %s (1 failed, 0 passed, 0 skipped)\n  cannot read JSON: %s (line %d)\n",
			   path, jerr.text, jerr.line);
		(*tf)++;
		return false;
	}
	sc.dir = dir_of(path);
	sc.wast = display_name(root, path);
	sc.store = wrt_store_new(NULL);
	if (sc.store)
		wrt_store_set_tier(sc.store, &tier_settings);
	if (!sc.store)
	{
		printf("FAIL %s (1 failed, 0 passed, 0 skipped)\n  wrt_store_new failed\n", sc.wast);
		(*tf)++;
		json_decref(root);
		free(sc.dir);
		free(sc.wast);
		return false;
	}
	wrt_store_set_interrupt(sc.store, &interrupt_flag);
	spectest_init(&sc);
	add_named(&sc.registry, &sc.nregistry, "spectest", NULL);

	cmds = json_object_get(root, "commands");
	json_array_foreach(cmds, i, cmd)
		run_command(&sc, cmd);

	ok = sc.failed == 0;
	if (ok)
		printf("PASS %s  (%lu passed, %lu skipped)\n", sc.wast, sc.passed, sc.skipped);
	else
	{
		printf("FAIL %s (%lu failed, %lu passed, %lu skipped)\n", sc.wast, sc.failed,
			   sc.passed, sc.skipped);
		for (i = 0; i < sc.failures.n; i++)
		{
			if (!verbose && i == MAX_LISTED_FAILURES)
			{
				printf("  ... and %zu more (-v lists all)\n", sc.failures.n - i);
				break;
			}
			printf("%s\n", sc.failures.items[i]);
		}
	}
	if (verbose && sc.notes.n)
	{
		printf("  passed with a different message (%zu):\n", sc.notes.n);
		for (i = 0; i < sc.notes.n; i++)
			printf("  %s\n", sc.notes.items[i]);
	}
	fflush(stdout);

	*tp += sc.passed;
	*tf += sc.failed;
	*ts += sc.skipped;

	wrt_store_free(sc.store);
	for (i = 0; i < sc.nmods; i++)
		wrt_module_free(sc.mods[i]);
	free(sc.mods);
	for (i = 0; i < sc.nregistry; i++)
		free(sc.registry[i].name);
	free(sc.registry);
	for (i = 0; i < sc.nmodnames; i++)
		free(sc.modnames[i].name);
	free(sc.modnames);
	strlist_free(&sc.failures);
	strlist_free(&sc.notes);
	free(sc.dir);
	free(sc.wast);
	json_decref(root);
	return ok;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spec-runner [-v] [-c] [-t seconds] [-T tier] [-C calls] [-L loops] file.json...\n"
			"  -v  list all failures and passes whose message differs\n"
			"  -c  compile every function of every module and verify its register code\n"
			"  -t  time limit per command (default 20, 0 = none)\n"
			"  -T  interp (default), tiered or eager: the native tier's policy\n"
			"  -C  the tiered policy's call threshold (default 0: the engine's)\n"
			"  -L  its loop threshold (1: a running call moves to native code at\n"
			"      its second loop back-edge, on-stack replacement)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long passed = 0, failed = 0, skipped = 0;
	struct sigaction sa;
	int opt;

	while ((opt = getopt(argc, argv, "vct:T:C:L:h")) != -1)
	{
		switch (opt)
		{
			case 'v':
				verbose = 1;
				break;
			case 'c':
				verify_code = 1;
				break;
			case 't':
				timeout_secs = (unsigned)strtoul(optarg, NULL, 10);
				break;
			case 'T':
				if (!wrt_tier_mode_parse(optarg, &tier_settings.mode))
					usage();
				break;
			case 'C':
				tier_settings.call_threshold = (uint32_t) strtoul(optarg, NULL, 10);
				break;
			case 'L':
				tier_settings.loop_threshold = (uint32_t) strtoul(optarg, NULL, 10);
				break;
			default:
				usage();
		}
	}
	if (optind >= argc)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	for (int i = optind; i < argc; i++)
		run_file(argv[i], &passed, &failed, &skipped);

	if (nskips)
	{
		printf("skip reasons:\n");
		for (size_t i = 0; i < nskips; i++)
			printf("  skipped %lu: %s\n", skips[i].count, skips[i].reason);
	}
	if (tier_settings.mode != WRT_TIER_INTERP)
	{
		/* Functions the native tier refused or failed ran interpreted. */
		wrt_tier_stats ts;
		wrt_tier_get_stats(NULL, &ts);
		printf("tier: %llu compiled, %llu refused, %llu failed, %llu osr entries\n", (unsigned long long) ts.compiled,
			   (unsigned long long) ts.refused, (unsigned long long) ts.failed,
			   (unsigned long long) ts.osr_entries);
		if (wrt_tier_status())
			printf("tier: %s\n", wrt_tier_status());
		if (verbose && wrt_tier_last_refusal())
			printf("tier: last refusal: %s\n", wrt_tier_last_refusal());
	}
	if (verify_code)
		printf("register code verified: %lu functions in %lu modules\n", verified_funcs, verified_mods);
	printf("%lu passed, %lu failed, %lu skipped\n", passed, failed, skipped);
	for (size_t i = 0; i < nskips; i++)
		free(skips[i].reason);
	free(skips);
	return failed ? 1 : 0;
}
