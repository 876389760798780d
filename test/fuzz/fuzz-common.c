/*
 * fuzz-common.c — implementation of the helpers of fuzz-common.h: hashing,
 * the failure-injecting allocator, stand-in imports with their host
 * function behaviours, and the canonical value text of the differential
 * tests.  Only the public API of wasmrt.h is used, as an embedder would.
 */
#include "fuzz-common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Tables bigger than this are not made as stand-ins (slow, not useful). */
#define FZ_MAX_STANDIN_TABLE (1u << 16)

uint64_t
fz_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
	{
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
fz_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- allocator ---------------------------------------------------------- */

static bool
fz_refuse(fz_alloc_state *st)
{
	st->count++;
	if (st->fail_at && (st->count == st->fail_at || (st->fail_after && st->count > st->fail_at)))
	{
		st->failed++;
		return true;
	}
	return false;
}

static void *
fz_alloc_cb(void *ud, size_t size)
{
	return fz_refuse(ud) ? NULL : malloc(size);
}

static void *
fz_realloc_cb(void *ud, void *ptr, size_t size)
{
	return fz_refuse(ud) ? NULL : realloc(ptr, size);
}

static void
fz_free_cb(void *ud, void *ptr)
{
	(void) ud;
	free(ptr);
}

wrt_allocator
fz_allocator(fz_alloc_state *st)
{
	wrt_allocator a = {fz_alloc_cb, fz_realloc_cb, fz_free_cb, st};

	return a;
}

/* ---- values ------------------------------------------------------------- */

wrt_value
fz_zero(uint8_t type)
{
	wrt_value v;

	(void) type;
	memset(&v, 0, sizeof(v));
	return v;
}

void
fz_format_value(char *buf, size_t n, uint8_t type, wrt_value v, bool canon_nan)
{
	switch (type)
	{
		case WRT_I32:
			snprintf(buf, n, "i32:%" PRId32, (int32_t) (uint32_t) v.bits);
			break;
		case WRT_I64:
			snprintf(buf, n, "i64:%" PRId64, (int64_t) v.bits);
			break;
		case WRT_F32:
			{
				uint32_t u = (uint32_t) v.bits;

				if (canon_nan && (u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu))
					snprintf(buf, n, "f32:nan");
				else
					snprintf(buf, n, "f32:0x%08" PRIx32, u);
			}
			break;
		case WRT_F64:
			{
				uint64_t u = v.bits;

				if (canon_nan && (u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
					(u & 0xfffffffffffffull))
					snprintf(buf, n, "f64:nan");
				else
					snprintf(buf, n, "f64:0x%016" PRIx64, u);
			}
			break;
		case WRT_FUNCREF:
			snprintf(buf, n, "funcref:%s", v.ref ? "func" : "null");
			break;
		case WRT_EXTERNREF:
			snprintf(buf, n, "externref:%s", v.ref ? "obj" : "null");
			break;
		case WRT_V128:
			/* the 16 bytes in memory order; NaN lanes are not canonicalised
			 * (the lane shape is unknown): diff.sh's --denan recheck covers
			 * payload differences */
			{
				size_t k = (size_t) snprintf(buf, n, "v128:");

				for (int i = 0; i < 16 && k + 2 < n; i++)
					k += (size_t) snprintf(buf + k, n - k, "%02x", v.v128[i]);
			}
			break;
		default:
			snprintf(buf, n, "unknown:0x%02x", type);
			break;
	}
}

/* ---- host functions ----------------------------------------------------- */

static char
behaviour_of(const char *name, uint32_t len)
{
	static const struct { const char *prefix; char b; } map[] = {
		{"trap", 't'}, {"exit", 'e'}, {"grow", 'g'}, {"call", 'c'}, {"poke", 'p'},
		{"intr", 'i'},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
	{
		size_t pl = strlen(map[i].prefix);

		if (len >= pl && memcmp(name, map[i].prefix, pl) == 0)
			return map[i].b;
	}
	return 'v';
}

/* Results as a pure function of the arguments (and the result index). */
static void
value_results(const wrt_functype *ft, const wrt_value *args, wrt_value *results, fz_env *env)
{
	uint64_t h = 0x5eed;

	for (uint32_t i = 0; i < ft->nparams; i++)
	{
		uint64_t bits = args[i].bits;

		/* Only the meaningful bits of an argument take part. */
		if (ft->params[i] == WRT_I32 || ft->params[i] == WRT_F32)
			bits &= 0xffffffffu;
		else if (ft->params[i] == WRT_FUNCREF || ft->params[i] == WRT_EXTERNREF)
			bits = args[i].ref != NULL;
		h = (h ^ bits) * 0x100000001b3ull;
	}
	for (uint32_t i = 0; i < ft->nresults; i++)
	{
		uint64_t r = fz_next(&h);

		switch (ft->results[i])
		{
			case WRT_I32:
			case WRT_F32:
				/* A host may leave the upper half of the union undefined
				 * (it writes .i32 or .f32): in dirty mode fill it, so a run
				 * compared with a clean one shows whether the engine
				 * depends on it. */
				results[i].bits = (uint32_t) r | (env->dirty ? 0xdeadbeefull << 32 : 0);
				break;
			case WRT_FUNCREF:
				results[i].bits = 0;
				results[i].ref = NULL;
				break;
			case WRT_EXTERNREF:
				results[i].bits = 0;
				results[i].ref = (r & 1) ? (void *) env : NULL;
				break;
			default:
				results[i].bits = r;
				break;
		}
	}
}

static uint32_t
arg_u32(const wrt_functype *ft, const wrt_value *args, uint32_t i)
{
	if (i >= ft->nparams)
		return 0;
	return (uint32_t) args[i].bits;
}

static bool
host_reenter(wrt_hostcall *call, fz_env *env, uint32_t which)
{
	uint32_t nexports = wrt_module_export_count(env->mod), nfuncs = 0;
	wrt_func *target = NULL;
	wrt_value small_args[16], small_res[16];
	wrt_value *args = small_args, *res = small_res;
	wrt_functype ft;
	bool ok;

	for (uint32_t i = 0; i < nexports; i++)
		if (fz_export_func(env->inst, i, NULL, NULL))
			nfuncs++;
	if (nfuncs == 0)
		return true;
	which %= nfuncs;
	for (uint32_t i = 0, k = 0; i < nexports && !target; i++)
	{
		wrt_func *f = fz_export_func(env->inst, i, NULL, NULL);

		if (f && k++ == which)
			target = f;
	}
	wrt_func_type(target, &ft);
	if (ft.nparams > 16)
		args = calloc(ft.nparams, sizeof(wrt_value));
	if (ft.nresults > 16)
		res = calloc(ft.nresults, sizeof(wrt_value));
	if (!args || !res)
		abort();
	memset(args, 0, (ft.nparams > 16 ? ft.nparams : 16) * sizeof(wrt_value));
	env->depth++;
	ok = wrt_call(env->store, target, args, res);
	env->depth--;
	if (args != small_args)
		free(args);
	if (res != small_res)
		free(res);
	if (!ok)
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "re-entrant call trapped: %s",
						  wrt_store_trap(env->store)->message);
	return ok;
}

static bool
host_cb(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	fz_hostinfo *h = user;
	fz_env *env = h->env;
	const char *mname, *name;
	uint32_t mlen, nlen;
	wrt_externtype et;
	const wrt_functype *ft = &et.func;

	wrt_module_import(env->mod, h->import_index, &mname, &mlen, &name, &nlen, &et);

	if (h->behaviour == 'l')
	{
		char buf[64];

		fprintf(env->log, "%slog %.*s.%.*s", env->log_prefix ? env->log_prefix : "",
				(int) mlen, mname, (int) nlen, name);
		for (uint32_t i = 0; i < ft->nparams; i++)
		{
			fz_format_value(buf, sizeof(buf), ft->params[i], args[i], true);
			fprintf(env->log, " %s", buf);
		}
		fputc('\n', env->log);
		for (uint32_t i = 0; i < ft->nresults; i++)
			results[i] = fz_zero(ft->results[i]);
		return true;
	}

	switch (h->behaviour)
	{
		case 't':
			wrt_hostcall_trap(call, WRT_TRAP_HOST, "host function %.*s trapped", (int) nlen, name);
			return false;
		case 'e':
			wrt_hostcall_exit(call, (int32_t) arg_u32(ft, args, 0));
			return false;
		case 'g':
			{
				wrt_memory *m = wrt_hostcall_memory(call);
				int64_t old = m ? wrt_memory_grow(m, arg_u32(ft, args, 0) & 3) : -1;

				value_results(ft, args, results, env);
				if (ft->nresults > 0 && ft->results[0] == WRT_I32)
					results[0].bits = (uint32_t) old;
				return true;
			}
		case 'i':
			value_results(ft, args, results, env);
			if (env->interrupt)
				*env->interrupt = 1;
			return true;
		case 'c':
			value_results(ft, args, results, env);
			if (env->inst && env->depth < FZ_MAX_REENTRY)
				return host_reenter(call, env, arg_u32(ft, args, 0));
			return true;
		case 'p':
			{
				wrt_memory *m = wrt_hostcall_memory(call);
				uint32_t addr = arg_u32(ft, args, 0), old = 0;

				value_results(ft, args, results, env);
				if (m && (uint64_t) addr + 4 <= wrt_memory_size(m))
				{
					uint32_t v = arg_u32(ft, args, 1);
					uint8_t *d = wrt_memory_data(m);

					memcpy(&old, d + addr, 4);
					memcpy(d + addr, &v, 4);
				}
				if (ft->nresults > 0 && ft->results[0] == WRT_I32)
					results[0].bits = old;
				return true;
			}
		default:
			value_results(ft, args, results, env);
			return true;
	}
}

/* ---- imports ------------------------------------------------------------ */

static void
put_leb(uint8_t *buf, size_t *n, uint32_t v)
{
	do
	{
		uint8_t b = v & 0x7f;

		v >>= 7;
		buf[(*n)++] = (uint8_t) (b | (v ? 0x80 : 0));
	} while (v);
}

/* A section: id, LEB size, then the len bytes of body. */
static void
put_section(uint8_t *buf, size_t *n, uint8_t id, const uint8_t *body, size_t len)
{
	buf[(*n)++] = id;
	put_leb(buf, n, (uint32_t) len);
	memcpy(buf + *n, body, len);
	*n += len;
}

/*
 * A function import whose type has a v128 cannot be a host function (the
 * engine refuses those at link time), so it gets a Wasm stand-in: a module
 * of one function of that type that ignores its arguments and returns
 * zeros.  Its calls are not logged (diff-v8.mjs gives V8 the same stand-in,
 * since JS cannot take or give a v128 either).
 */
static wrt_func *
wasm_standin(fz_env *env, const wrt_functype *ft)
{
	size_t cap = 64 + 2 * (size_t) (ft->nparams + ft->nresults) + 20 * (size_t) ft->nresults;
	uint8_t *buf = malloc(cap), *sec = malloc(cap), *body = malloc(cap);
	size_t n = 0, k = 0, b = 0;
	wrt_module *m = NULL;
	wrt_instance *inst;
	wrt_extern e;
	wrt_func *f = NULL;

	if (!buf || !sec || !body)
		abort();
	memcpy(buf, "\0asm\1\0\0\0", 8);
	n = 8;
	sec[k++] = 1;
	sec[k++] = 0x60;
	put_leb(sec, &k, ft->nparams);
	memcpy(sec + k, ft->params, ft->nparams);
	k += ft->nparams;
	put_leb(sec, &k, ft->nresults);
	memcpy(sec + k, ft->results, ft->nresults);
	k += ft->nresults;
	put_section(buf, &n, 1, sec, k);
	put_section(buf, &n, 3, (const uint8_t *) "\1\0", 2);
	put_section(buf, &n, 7, (const uint8_t *) "\1\1f\0\0", 5);
	body[b++] = 0;              /* no locals */
	for (uint32_t i = 0; i < ft->nresults; i++)
		switch (ft->results[i])
		{
			case WRT_I32: body[b++] = 0x41; body[b++] = 0; break;
			case WRT_I64: body[b++] = 0x42; body[b++] = 0; break;
			case WRT_F32: body[b++] = 0x43; memset(body + b, 0, 4); b += 4; break;
			case WRT_F64: body[b++] = 0x44; memset(body + b, 0, 8); b += 8; break;
			case WRT_V128:
				body[b++] = 0xfd; body[b++] = 0x0c; memset(body + b, 0, 16); b += 16; break;
			default: body[b++] = 0xd0; body[b++] = ft->results[i]; break;
		}
	body[b++] = 0x0b;
	k = 0;
	sec[k++] = 1;
	put_leb(sec, &k, (uint32_t) b);
	memcpy(sec + k, body, b);
	k += b;
	put_section(buf, &n, 10, sec, k);
	m = wrt_module_load(buf, n, NULL, NULL);
	if (m)
	{
		inst = wrt_instantiate(env->store, m, NULL, 0, NULL);
		if (inst && wrt_instance_export(inst, "f", 1, &e) && e.kind == WRT_EXTERN_FUNC)
			f = e.u.func;
		env->standins = realloc(env->standins, (env->nstandins + 1) * sizeof(wrt_module *));
		if (!env->standins)
			abort();
		env->standins[env->nstandins++] = m;
	}
	free(buf);
	free(sec);
	free(body);
	return f;
}

static bool
has_v128(const wrt_functype *ft)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (ft->params[i] == WRT_V128)
			return true;
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (ft->results[i] == WRT_V128)
			return true;
	return false;
}

bool
fz_env_imports(fz_env *env)
{
	uint32_t n = wrt_module_import_count(env->mod);

	env->nimports = n;
	env->hosts = calloc(n ? n : 1, sizeof(fz_hostinfo));
	env->imports = calloc(n ? n : 1, sizeof(wrt_extern));
	if (!env->hosts || !env->imports)
		abort();
	for (uint32_t i = 0; i < n; i++)
	{
		fz_hostinfo *h = &env->hosts[i];
		wrt_extern *ex = &env->imports[i];
		wrt_externtype t;

		h->env = env;
		h->import_index = i;
		wrt_module_import(env->mod, i, &h->module, &h->module_len, &h->name, &h->name_len, &t);
		ex->kind = t.kind;
		switch (t.kind)
		{
			case WRT_EXTERN_FUNC:
				h->behaviour = env->log ? 'l' : behaviour_of(h->name, h->name_len);
				ex->u.func = has_v128(&t.func) ? wasm_standin(env, &t.func)
					: wrt_func_new_host(env->store, &t.func, host_cb, h);
				if (!ex->u.func)
					return false;
				break;
			case WRT_EXTERN_TABLE:
				if (t.limits.min > FZ_MAX_STANDIN_TABLE)
					return false;
				ex->u.table = wrt_table_new(env->store, (wrt_valtype) t.elemtype, t.limits, NULL);
				if (!ex->u.table)
					return false;
				break;
			case WRT_EXTERN_MEMORY:
				ex->u.memory = wrt_memory_new(env->store, t.limits);
				if (!ex->u.memory)
					return false;
				break;
			case WRT_EXTERN_GLOBAL:
				ex->u.global = wrt_global_new(env->store, (wrt_valtype) t.valtype, t.mutable_,
											  fz_zero(t.valtype));
				if (!ex->u.global)
					return false;
				break;
			default:
				return false;
		}
	}
	return true;
}

void
fz_env_free(fz_env *env)
{
	free(env->hosts);
	free(env->imports);
	env->hosts = NULL;
	env->imports = NULL;
	for (uint32_t i = 0; i < env->nstandins; i++)
		wrt_module_free(env->standins[i]);
	free(env->standins);
	env->standins = NULL;
	env->nstandins = 0;
}

wrt_func *
fz_export_func(wrt_instance *inst, uint32_t i, const char **name, uint32_t *name_len)
{
	wrt_module *m = wrt_instance_module(inst);
	const char *nm;
	uint32_t nl;
	wrt_externtype t;
	wrt_extern ex;

	wrt_module_export(m, i, &nm, &nl, &t);
	if (t.kind != WRT_EXTERN_FUNC)
		return NULL;
	if (!wrt_instance_export(inst, nm, nl, &ex) || ex.kind != WRT_EXTERN_FUNC)
		return NULL;
	if (name)
		*name = nm;
	if (name_len)
		*name_len = nl;
	return ex.u.func;
}
