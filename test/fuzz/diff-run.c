/*
 * diff-run.c — our engine's half of the differential test (test/fuzz/diff.sh).
 *
 *   diff-run [--fuel N] [--keep-going] [--tier MODE] [--tier-calls N]
 *            [--tier-loops N] module.wasm plan.json
 *
 * Loads the module, instantiates it with stand-in imports (every function
 * import only logs its arguments and returns zeros; tables, memories and
 * globals are fresh), then calls every exported function once, in export
 * order, with fixed arguments that depend only on the export's position and
 * the parameter's type.  When the module exports "hangLimitInitializer" (as
 * binaryen's -ttf modules do, to bound their loops and recursion) it is
 * called before every other export.  Everything that happened is written to
 * plan.json, which the V8 half (diff-v8.mjs) replays and compares:
 *
 *   {"status": "ok" | "malformed" | "invalid" | "unsupported" | "limit" |
 *              "oom" | "link" | "trap",
 *    "message": "...",
 *    "imports": [{"module", "name", "kind": "func", "params", "results"} |
 *                {"kind": "memory", "min", "max"} | {"kind": "table", "elem",
 *                 "min", "max"} | {"kind": "global", "type", "mutable"}],
 *    "calls": [{"export", "args": ["i32:1", ...], "events": ["log m.f i32:5"],
 *               "outcome": "ok" | "trap" | "stop", "reason", "results",
 *               "rtypes": ["i32", ...]}],
 *    "final": [{"name", "kind": "global", "type", "text": VALUE} |
 *              {"name", "kind": "memory", "text": "pages=N hash=H"} |
 *              {"name", "kind": "table", "text": "size=N"}]}
 *
 * Values use the canonical text of fuzz-common.c with every NaN written
 * "nan" (payloads are not compared).  A call that runs out of fuel or stack
 * ends the plan with outcome "stop": the engines' limits differ, so nothing
 * after it is compared (--keep-going calls the remaining exports anyway:
 * test/fuzz/regress.sh uses it to time every export of a fuel reproducer).
 * --tier sets the native tier's policy (interp, tiered, eager) and its
 * thresholds: with --fuel 0 (the tier runs no code under fuel) two plans of
 * one module, interpreted and tiered, compare our two tiers, on-stack
 * replacement included (tiered, thresholds 1).
 * Exit status: 0 when the plan was written (whatever
 * the module did), 2 for usage or I/O errors; a sanitizer report makes it
 * fail otherwise, which diff.sh treats as a finding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

#define DEFAULT_FUEL 50000000ull

static FILE *out;

static void
json_str(const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
json_cstr(const char *s)
{
	json_str(s, strlen(s));
}

static void
json_types(const uint8_t *types, uint32_t n)
{
	fputc('[', out);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i)
			fputc(',', out);
		json_cstr(wrt_valtype_name(types[i]));
	}
	fputc(']', out);
}

static void
json_limits(const wrt_limits *l)
{
	fprintf(out, ",\"min\":%" PRIu64 ",\"max\":", l->min);
	if (l->has_max)
		fprintf(out, "%" PRIu64, l->max);
	else
		fputs("null", out);
}

/* The fixed argument for parameter k of the j-th called export. */
static wrt_value
fixed_arg(uint8_t type, uint32_t j, uint32_t k)
{
	static const uint32_t i32s[] = {0, 1, 0xffffffffu, 42, 0x7fffffffu, 0x80000000u, 65536, 7};
	static const uint64_t i64s[] = {
		0, 1, 0xffffffffffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 65536, 0x123456789abcdefull,
	};
	static const uint32_t f32s[] = {
		0, 0x3fc00000u, 0xc0100000u, 0x501502f9u, 0x80000000u, 0x7f800000u,
		0x7f7fffffu, 0x000116c2u,
	};
	static const uint64_t f64s[] = {
		0, 0x3ff8000000000000ull, 0xc002000000000000ull, 0x4202a05f20000000ull,
		0x8000000000000000ull, 0xfff0000000000000ull, 0x7fefffffffffffffull,
		0x0000000000000003ull,
	};
	uint32_t i = (j + k) % 8;
	wrt_value v;

	memset(&v, 0, sizeof(v));
	switch (type)
	{
		case WRT_I32: v.bits = i32s[i]; break;
		case WRT_I64: v.bits = i64s[i]; break;
		case WRT_F32: v.bits = f32s[i]; break;
		case WRT_F64: v.bits = f64s[i]; break;
		case WRT_V128:
			/* four i32 lanes from the i32 list, starting at i */
			for (uint32_t q = 0; q < 4; q++)
				memcpy(v.v128 + 4 * q, &i32s[(i + q) % 8], 4);
			break;
		default: v.ref = NULL; break;
	}
	return v;
}

static uint8_t *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
	{
		fprintf(stderr, "diff-run: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do
	{
		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
	{
		fprintf(stderr, "diff-run: %s: read error\n", path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *
status_of(wrt_errkind k)
{
	switch (k)
	{
		case WRT_ERR_MALFORMED: return "malformed";
		case WRT_ERR_INVALID: return "invalid";
		case WRT_ERR_UNSUPPORTED: return "unsupported";
		case WRT_ERR_LINK: return "link";
		case WRT_ERR_LIMIT: return "limit";
		case WRT_ERR_OOM: return "oom";
		case WRT_ERR_TRAP: return "trap";
		default: return "error";
	}
}

static void
write_imports(wrt_module *m)
{
	uint32_t n = wrt_module_import_count(m);

	fputs(",\"imports\":[", out);
	for (uint32_t i = 0; i < n; i++)
	{
		const char *mod, *name;
		uint32_t ml, nl;
		wrt_externtype t;

		wrt_module_import(m, i, &mod, &ml, &name, &nl, &t);
		fputs(i ? ",{\"module\":" : "{\"module\":", out);
		json_str(mod, ml);
		fputs(",\"name\":", out);
		json_str(name, nl);
		switch (t.kind)
		{
			case WRT_EXTERN_FUNC:
				fputs(",\"kind\":\"func\",\"params\":", out);
				json_types(t.func.params, t.func.nparams);
				fputs(",\"results\":", out);
				json_types(t.func.results, t.func.nresults);
				break;
			case WRT_EXTERN_MEMORY:
				fputs(",\"kind\":\"memory\"", out);
				json_limits(&t.limits);
				break;
			case WRT_EXTERN_TABLE:
				fputs(",\"kind\":\"table\",\"elem\":", out);
				json_cstr(wrt_valtype_name(t.elemtype));
				json_limits(&t.limits);
				break;
			case WRT_EXTERN_GLOBAL:
				fputs(",\"kind\":\"global\",\"type\":", out);
				json_cstr(wrt_valtype_name(t.valtype));
				fprintf(out, ",\"mutable\":%s", t.mutable_ ? "true" : "false");
				break;
		}
		fputc('}', out);
	}
	fputc(']', out);
}

/* FNV-1a, 32 bits: what diff-v8.mjs computes over the memory buffer. */
static uint32_t
fnv32(const uint8_t *p, uint64_t n)
{
	uint32_t h = 0x811c9dc5u;

	for (uint64_t i = 0; i < n; i++)
	{
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

static void
write_final(wrt_instance *inst)
{
	wrt_module *m = wrt_instance_module(inst);
	uint32_t ne = wrt_module_export_count(m);
	bool first = true;
	char buf[128];

	fputs(",\"final\":[", out);
	for (uint32_t i = 0; i < ne; i++)
	{
		const char *name;
		uint32_t nl;
		wrt_externtype t;
		wrt_extern ex;

		wrt_module_export(m, i, &name, &nl, &t);
		if (t.kind == WRT_EXTERN_FUNC || !wrt_instance_export(inst, name, nl, &ex))
			continue;
		fputs(first ? "{\"name\":" : ",{\"name\":", out);
		first = false;
		json_str(name, nl);
		switch (t.kind)
		{
			case WRT_EXTERN_GLOBAL:
				/* (a v128 global's value cannot be read from JS: its text is
				 * written, diff-v8.mjs leaves it out) */
				fz_format_value(buf, sizeof(buf), t.valtype, wrt_global_get(ex.u.global), true);
				fprintf(out, ",\"kind\":\"global\",\"type\":\"%s\",\"text\":\"%s\"}",
						wrt_valtype_name(t.valtype), buf);
				break;
			case WRT_EXTERN_MEMORY:
				fprintf(out, ",\"kind\":\"memory\",\"text\":\"pages=%" PRIu64 " hash=%08" PRIx32 "\"}",
						wrt_memory_size(ex.u.memory) / 65536,
						fnv32(wrt_memory_data(ex.u.memory), wrt_memory_size(ex.u.memory)));
				break;
			default:
				fprintf(out, ",\"kind\":\"table\",\"text\":\"size=%" PRIu32 "\"}",
						wrt_table_size(ex.u.table));
				break;
		}
	}
	fputc(']', out);
}

/* Call f with its fixed arguments; write one element of "calls". */
static bool
do_call(fz_env *env, wrt_func *f, const char *name, uint32_t nl, uint32_t j, bool *first)
{
	wrt_functype ft;
	wrt_value *args, *results;
	char buf[128], *events = NULL;
	size_t evlen = 0;
	bool ok, go_on = true;

	wrt_func_type(f, &ft);
	args = calloc(ft.nparams + 1, sizeof(wrt_value));
	results = calloc(ft.nresults + 1, sizeof(wrt_value));
	if (!args || !results)
		abort();
	for (uint32_t k = 0; k < ft.nparams; k++)
		args[k] = fixed_arg(ft.params[k], j, k);

	env->log = open_memstream(&events, &evlen);
	if (!env->log)
		abort();
	ok = wrt_call(env->store, f, args, results);
	fclose(env->log);
	env->log = NULL;

	fputs(*first ? "{\"export\":" : ",{\"export\":", out);
	*first = false;
	json_str(name, nl);
	fputs(",\"args\":[", out);
	for (uint32_t k = 0; k < ft.nparams; k++)
	{
		fz_format_value(buf, sizeof(buf), ft.params[k], args[k], false);
		if (k)
			fputc(',', out);
		json_cstr(buf);
	}
	fputs("],\"events\":[", out);
	for (char *p = events, *nlp; p && *p; p = nlp + 1)
	{
		nlp = strchr(p, '\n');
		if (!nlp)
			break;
		if (p != events)
			fputc(',', out);
		json_str(p, (size_t) (nlp - p));
	}
	fputs("],\"rtypes\":", out);
	json_types(ft.results, ft.nresults);
	free(events);
	if (ok)
	{
		fputs(",\"outcome\":\"ok\",\"results\":[", out);
		for (uint32_t k = 0; k < ft.nresults; k++)
		{
			fz_format_value(buf, sizeof(buf), ft.results[k], results[k], true);
			if (k)
				fputc(',', out);
			json_cstr(buf);
		}
		fputc(']', out);
	}
	else
	{
		const wrt_trap *t = wrt_store_trap(env->store);
		bool stop = t->kind == WRT_TRAP_FUEL_EXHAUSTED || t->kind == WRT_TRAP_STACK_EXHAUSTED ||
			t->kind == WRT_TRAP_OOM;

		fprintf(out, ",\"outcome\":\"%s\",\"reason\":", stop ? "stop" : "trap");
		json_cstr(wrt_trapkind_name(t->kind));
		go_on = !stop;
	}
	fputc('}', out);
	free(args);
	free(results);
	return go_on;
}

int
main(int argc, char **argv)
{
	uint64_t fuel = DEFAULT_FUEL;
	int argi = 1;
	uint8_t *bytes;
	size_t len;
	wrt_module *m;
	wrt_store *s;
	wrt_error err;
	fz_env env;
	wrt_func *hang = NULL;
	bool first = true, go_on = true, keep_going = false;
	uint32_t ne, j = 0;
	wrt_tier_settings tier = {WRT_TIER_INTERP, 0, 0};

	for (;;)
	{
		if (argi + 1 < argc && strcmp(argv[argi], "--fuel") == 0)
		{
			fuel = strtoull(argv[argi + 1], NULL, 10);
			argi += 2;
		}
		else if (argi < argc && strcmp(argv[argi], "--keep-going") == 0)
		{
			keep_going = true;
			argi++;
		}
		else if (argi + 1 < argc && strcmp(argv[argi], "--tier") == 0)
		{
			if (!wrt_tier_mode_parse(argv[argi + 1], &tier.mode))
				argi = argc;    /* usage */
			argi += 2;
		}
		else if (argi + 1 < argc && (strcmp(argv[argi], "--tier-calls") == 0 ||
									 strcmp(argv[argi], "--tier-loops") == 0))
		{
			uint32_t v = (uint32_t) strtoul(argv[argi + 1], NULL, 10);
			*(argv[argi][7] == 'c' ? &tier.call_threshold : &tier.loop_threshold) = v;
			argi += 2;
		}
		else
			break;
	}
	if (argc - argi != 2)
	{
		fprintf(stderr, "usage: diff-run [--fuel N] [--keep-going] [--tier MODE] [--tier-calls N] "
				"[--tier-loops N] module.wasm plan.json\n");
		return 2;
	}
	bytes = read_all(argv[argi], &len);
	out = fopen(argv[argi + 1], "w");
	if (!out)
	{
		fprintf(stderr, "diff-run: %s: %s\n", argv[argi + 1], strerror(errno));
		return 2;
	}

	m = wrt_module_load(bytes, len, NULL, &err);
	free(bytes);
	if (!m)
	{
		fprintf(out, "{\"status\":\"%s\",\"message\":", status_of(err.kind));
		json_cstr(err.message);
		fputs("}\n", out);
		return fclose(out) == 0 ? 0 : 2;
	}
	s = wrt_store_new(NULL);
	if (!s)
		abort();
	wrt_store_set_fuel(s, fuel);
	wrt_store_set_tier(s, &tier);
	memset(&env, 0, sizeof(env));
	env.store = s;
	env.mod = m;

	/* Instantiation (start function) logs go nowhere: JS sees them before
	 * it can collect anything either, and binaryen emits no start. */
	env.log = fopen("/dev/null", "w");
	if (!env.log)
		abort();
	if (!fz_env_imports(&env))
	{
		fputs("{\"status\":\"limit\",\"message\":\"cannot make the imports\"}\n", out);
		goto done;
	}
	env.inst = wrt_instantiate(s, m, env.imports, env.nimports, &err);
	fclose(env.log);
	env.log = NULL;
	if (!env.inst)
	{
		const wrt_trap *t = wrt_store_trap(s);
		bool stop = err.kind == WRT_ERR_TRAP &&
			(t->kind == WRT_TRAP_FUEL_EXHAUSTED || t->kind == WRT_TRAP_STACK_EXHAUSTED);

		fprintf(out, "{\"status\":\"%s\",\"message\":", stop ? "limit" : status_of(err.kind));
		json_cstr(err.kind == WRT_ERR_TRAP ? t->message : err.message);
		write_imports(m);
		fputs("}\n", out);
		goto done;
	}

	fputs("{\"status\":\"ok\",\"message\":\"\"", out);
	write_imports(m);
	fputs(",\"calls\":[", out);
	ne = wrt_module_export_count(m);
	for (uint32_t i = 0; i < ne; i++)
	{
		const char *name;
		uint32_t nl;
		wrt_func *f = fz_export_func(env.inst, i, &name, &nl);

		if (f && nl == 20 && memcmp(name, "hangLimitInitializer", 20) == 0)
		{
			wrt_functype ft;

			wrt_func_type(f, &ft);
			if (ft.nparams == 0 && ft.nresults == 0)
				hang = f;
		}
	}
	for (uint32_t i = 0; i < ne && go_on; i++)
	{
		const char *name;
		uint32_t nl;
		wrt_func *f = fz_export_func(env.inst, i, &name, &nl);

		if (!f || f == hang)
			continue;
		if (hang && !do_call(&env, hang, "hangLimitInitializer", 20, j, &first))
			break;
		go_on = do_call(&env, f, name, nl, j++, &first) || keep_going;
	}
	fputc(']', out);
	if (go_on)
		write_final(env.inst);
	fputs("}\n", out);

done:
	if (tier.mode != WRT_TIER_INTERP)
	{
		/* on stderr: what the tier did, for the one comparing tiers */
		wrt_tier_stats ts;
		wrt_tier_get_stats(NULL, &ts);
		fprintf(stderr, "tier: %" PRIu64 " compiled, %" PRIu64 " refused, %" PRIu64 " failed, %" PRIu64
				" osr entries\n", ts.compiled, ts.refused, ts.failed, ts.osr_entries);
		if (wrt_tier_status())
			fprintf(stderr, "tier: %s\n", wrt_tier_status());
	}
	if (env.log)
		fclose(env.log);
	wrt_store_free(s);
	fz_env_free(&env);
	wrt_module_free(m);
	return fclose(out) == 0 ? 0 : 2;
}
