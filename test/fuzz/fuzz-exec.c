/*
 * fuzz-exec.c — libFuzzer target 2: instantiate and run arbitrary modules
 * under fuel, memory and stack limits.
 *
 * The input is used directly as a module; inputs that do not load are
 * ignored (fuzz-decode covers them), so this target is driven by the seed
 * corpus of valid modules (the .wat files in test/fuzz/corpus-src) and the
 * fuzzer's mutations of them.  Imports are satisfied with the stand-ins of
 * fuzz-common.c (host functions whose behaviour the import name selects:
 * trapping, exiting, growing memory, poking memory, re-entering the
 * instance; fresh tables, memories and globals), so a link error is itself
 * a finding.  Every exported function is then called with arguments drawn
 * from a hash of the input, with a fuel budget per call, a store memory
 * limit and a value-stack/frame limit chosen from the input (a small one to
 * reach the stack-exhaustion paths, or the defaults) and a table budget.
 *
 * Besides the sanitizers (ASan, UBSan, LeakSanitizer), one oracle checks the
 * engine's own determinism and its snapshot/reset feature: after the first
 * round of calls the instance is reset to the snapshot taken right after
 * instantiation and every call is replayed.  Each call must then give the
 * same results (bit for bit), the same trap kind and the same fuel use, and
 * the exported state (memories, globals, tables) must hash the same after
 * both rounds.  The second round also fills the undefined upper half of the
 * i32/f32 values it passes in (arguments and host results), which must not
 * change anything either.
 *
 * One input in four then runs a third time in a new store whose allocator
 * refuses one allocation (or every one from some point on), chosen from the
 * input's hash: instantiation, snapshots, resets and calls must turn the
 * failure into an error or an "out of memory" trap, without crashing or
 * leaking.  A host function named "intr..." raises the store's interrupt
 * flag (cleared after every call), to reach the interrupt polls.
 *
 * Resource bounds are checked too: the host memory an instance holds
 * (wrt_instance_memory_usage) must stay under FUZZ_MAX_INSTANCE_BYTES after
 * instantiation and after each round, since a guest must not be able to
 * make the host allocate without bound whatever the memory limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

#define FUZZ_FUEL 100000        /* per outermost call */
#define FUZZ_MEMORY_PAGES 32    /* store memory limit: 2 MiB */
#define FUZZ_TABLE_ELEMENTS (1u << 20)  /* store table budget: 8 MiB */
#define FUZZ_MAX_CALLS 48       /* exported functions called per round */
/* Host memory one instance may hold (wrt_instance_memory_usage) while the
 * store's memory limit is 2 MiB: tables must not be a way around it. */
#define FUZZ_MAX_INSTANCE_BYTES (256u << 20)

#define CHECK(cond, ...) do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz-exec: check failed at %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

typedef struct outcome {
	bool ok;
	wrt_trapkind kind;
	int32_t exit_code;
	uint64_t fuel;
	uint64_t results;           /* hash of the results' meaningful bits */
} outcome;

/* Meaningful bits of a value of a type: i32/f32 use the low half only. */
static uint64_t
value_bits(uint8_t type, wrt_value v)
{
	if (type == WRT_I32 || type == WRT_F32)
		return v.bits & 0xffffffffu;
	if (type == WRT_FUNCREF || type == WRT_EXTERNREF)
		return (uint64_t) (uintptr_t) v.ref;
	return v.bits;
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull + 0x9e37;
}

/* An argument of a type: interesting values or random bits. */
static wrt_value
make_arg(uint64_t *rng, uint8_t type, bool dirty)
{
	static const uint32_t i32s[] = {
		0, 1, 2, 3, 8, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0xffffu, 0x10000u,
		0xfffcu, 0xfff8u, 0x1fffcu, 0x20000u, 100, 1000,
	};
	static const uint64_t f64s[] = {
		0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
		0x7ff0000000000000ull, 0x7ff8000000000000ull, 0x41e0000000000000ull,
		0xc3e0000000000000ull, 0x0000000000000001ull, 0x7fefffffffffffffull,
	};
	static const uint32_t f32s[] = {
		0, 0x80000000u, 0x3f800000u, 0xbfc00000u, 0x7f800000u, 0x7fc00000u,
		0x4f000000u, 0xdf000000u, 0x00000001u, 0x7f7fffffu,
	};
	uint64_t r = fz_next(rng), pick = r >> 59;
	wrt_value v;

	memset(&v, 0, sizeof(v));
	switch (type)
	{
		case WRT_I32:
			v.bits = pick < 12 ? i32s[pick % 16] : (uint32_t) fz_next(rng);
			break;
		case WRT_I64:
			v.bits = pick < 12 ? (uint64_t) (int64_t) (int32_t) i32s[pick % 16] : fz_next(rng);
			break;
		case WRT_F32:
			v.bits = pick < 16 ? f32s[pick % 10] : (uint32_t) fz_next(rng);
			break;
		case WRT_F64:
			v.bits = pick < 16 ? f64s[pick % 10] : fz_next(rng);
			break;
		default:
			v.ref = NULL;       /* references: only null is a value we can make */
			break;
	}
	if (dirty && (type == WRT_I32 || type == WRT_F32))
		v.bits |= 0xbaadf00dull << 32;
	return v;
}

/* Hash of what the instance exports: memory bytes, globals, tables. */
static uint64_t
state_digest(wrt_instance *inst)
{
	wrt_module *m = wrt_instance_module(inst);
	uint32_t ne = wrt_module_export_count(m);
	uint64_t h = 0x51a7e;

	for (uint32_t i = 0; i < ne; i++)
	{
		const char *name;
		uint32_t nl;
		wrt_externtype t;
		wrt_extern ex;

		wrt_module_export(m, i, &name, &nl, &t);
		CHECK(wrt_instance_export(inst, name, nl, &ex), "export %u missing from the instance", i);
		CHECK(ex.kind == t.kind, "export %u kind", i);
		switch (ex.kind)
		{
			case WRT_EXTERN_MEMORY:
				{
					uint64_t size = wrt_memory_size(ex.u.memory);

					CHECK(size % 65536 == 0 && size <= (uint64_t) FUZZ_MEMORY_PAGES * 65536,
						  "memory size %llu within the limit", (unsigned long long) size);
					h = mix(h, size);
					h = mix(h, fz_hash(wrt_memory_data(ex.u.memory), (size_t) size));
				}
				break;
			case WRT_EXTERN_GLOBAL:
				h = mix(h, value_bits(t.valtype, wrt_global_get(ex.u.global)));
				break;
			case WRT_EXTERN_TABLE:
				{
					uint32_t size = wrt_table_size(ex.u.table);
					void *ref;

					h = mix(h, size);
					for (uint32_t k = 0; k < size && k < 4096; k++)
					{
						CHECK(wrt_table_get(ex.u.table, k, &ref), "table element %u", k);
						h = mix(h, (uint64_t) (uintptr_t) ref);
					}
					CHECK(!wrt_table_get(ex.u.table, size, &ref), "table get past the end");
				}
				break;
			default:
				break;
		}
	}
	return h;
}

static void
check_trap(const wrt_trap *t)
{
	CHECK(t->kind > WRT_TRAP_NONE && t->kind <= WRT_TRAP_OOM, "trap kind %d", (int) t->kind);
	CHECK(memchr(t->message, '\0', sizeof(t->message)) != NULL, "trap message terminated");
	CHECK(t->nframes <= WRT_MAX_BACKTRACE, "backtrace length %u", t->nframes);
	CHECK(strcmp(wrt_trapkind_name(t->kind), "") != 0, "trap kind name");
}

static void
check_usage(wrt_instance *inst, const char *when)
{
	size_t used = wrt_instance_memory_usage(inst);

	CHECK(used > 0 && used <= FUZZ_MAX_INSTANCE_BYTES,
		  "the instance holds %zu bytes of host memory after %s (bound %u)",
		  used, when, FUZZ_MAX_INSTANCE_BYTES);
}

/* Call every exported function once; fill out[] (at most FUZZ_MAX_CALLS). */
static uint32_t
run_round(fz_env *env, uint64_t seed, outcome *out)
{
	uint32_t ne = wrt_module_export_count(env->mod), ncalls = 0;
	uint64_t rng = seed;

	for (uint32_t i = 0; i < ne && ncalls < FUZZ_MAX_CALLS; i++)
	{
		wrt_func *f = fz_export_func(env->inst, i, NULL, NULL);
		wrt_value args[64], results[64];
		wrt_functype ft;
		outcome *o = &out[ncalls++];

		memset(o, 0, sizeof(*o));
		if (!f)
		{
			o->kind = WRT_TRAP_NONE;
			continue;
		}
		wrt_func_type(f, &ft);
		if (ft.nparams > 64 || ft.nresults > 64)
			continue;
		for (uint32_t k = 0; k < ft.nparams; k++)
			args[k] = make_arg(&rng, ft.params[k], env->dirty);
		memset(results, 0, sizeof(results));
		o->ok = wrt_call(env->store, f, args, results);
		if (env->interrupt)
			*env->interrupt = 0;
		o->fuel = wrt_store_fuel_consumed(env->store);
		CHECK(o->fuel <= FUZZ_FUEL + 1000000, "fuel consumed %llu", (unsigned long long) o->fuel);
		if (o->ok)
		{
			uint64_t h = 0;

			for (uint32_t k = 0; k < ft.nresults; k++)
				h = mix(h, value_bits(ft.results[k], results[k]));
			o->results = h;
		}
		else
		{
			const wrt_trap *t = wrt_store_trap(env->store);

			check_trap(t);
			o->kind = t->kind;
			o->exit_code = t->kind == WRT_TRAP_EXIT ? t->exit_code : 0;
		}
	}
	return ncalls;
}

/* Instantiate and run once in a store whose allocator fails (see above). */
static void
oom_round(wrt_module *m, uint64_t h)
{
	static outcome scratch[FUZZ_MAX_CALLS];
	fz_alloc_state st;
	wrt_allocator a;
	wrt_error err;
	fz_env env;
	wrt_store *s;

	memset(&st, 0, sizeof(st));
	st.fail_at = 1 + h % 128;
	st.fail_after = (h >> 7) & 1;
	a = fz_allocator(&st);
	s = wrt_store_new(&a);
	if (!s)
		return;
	wrt_store_set_stack_limit(s, 64 * 1024, 256);
	wrt_store_set_memory_limit(s, FUZZ_MEMORY_PAGES);
	wrt_store_set_table_limit(s, FUZZ_TABLE_ELEMENTS);
	wrt_store_set_fuel(s, FUZZ_FUEL / 4);
	memset(&env, 0, sizeof(env));
	env.store = s;
	env.mod = m;
	if (fz_env_imports(&env))
	{
		env.inst = wrt_instantiate(s, m, env.imports, env.nimports, &err);
		if (env.inst)
		{
			(void) wrt_instance_snapshot(env.inst);
			run_round(&env, h, scratch);
			if (wrt_instance_reset(env.inst))
				run_round(&env, h, scratch);
		}
		else
			CHECK(err.kind != WRT_ERR_LINK, "stand-in imports refused: %s", err.message);
	}
	wrt_store_free(s);
	fz_env_free(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static outcome first[FUZZ_MAX_CALLS], second[FUZZ_MAX_CALLS];
	wrt_module *m;
	wrt_store *s;
	wrt_error err;
	fz_env env;
	volatile int interrupt = 0;
	uint64_t h = fz_hash(data, size), seed, digest1, digest2;
	uint32_t n1, n2;

	m = wrt_module_load(data, size, NULL, &err);
	if (!m)
		return 0;
	s = wrt_store_new(NULL);
	CHECK(s != NULL, "store");
	if (h & 1)
		wrt_store_set_stack_limit(s, 16 * 1024, 64);
	else
		wrt_store_set_stack_limit(s, 1024 * 1024, 10000);
	wrt_store_set_memory_limit(s, FUZZ_MEMORY_PAGES);
	wrt_store_set_table_limit(s, FUZZ_TABLE_ELEMENTS);
	wrt_store_set_fuel(s, FUZZ_FUEL);
	wrt_store_set_interrupt(s, &interrupt);

	memset(&env, 0, sizeof(env));
	env.store = s;
	env.mod = m;
	env.interrupt = &interrupt;
	if (!fz_env_imports(&env))
		goto out;
	env.inst = wrt_instantiate(s, m, env.imports, env.nimports, &err);
	if (!env.inst)
	{
		CHECK(err.kind != WRT_ERR_LINK, "stand-in imports refused: %s", err.message);
		if (err.kind == WRT_ERR_TRAP)
			check_trap(wrt_store_trap(s));
		goto out;
	}
	interrupt = 0;
	check_usage(env.inst, "instantiation");
	CHECK(wrt_instance_snapshot(env.inst), "snapshot");

	seed = fz_next(&h);
	n1 = run_round(&env, seed, first);
	digest1 = state_digest(env.inst);
	check_usage(env.inst, "the first round of calls");

	CHECK(wrt_instance_reset(env.inst), "reset");
	env.dirty = true;
	n2 = run_round(&env, seed, second);
	digest2 = state_digest(env.inst);
	check_usage(env.inst, "the second round of calls");

	CHECK(n1 == n2, "call count %u vs %u", n1, n2);
	for (uint32_t i = 0; i < n1; i++)
	{
		const outcome *a = &first[i], *b = &second[i];

		CHECK(a->ok == b->ok && a->kind == b->kind && a->exit_code == b->exit_code,
			  "call %u after reset: %s/%s vs %s/%s", i, a->ok ? "ok" : "trap",
			  wrt_trapkind_name(a->kind), b->ok ? "ok" : "trap", wrt_trapkind_name(b->kind));
		CHECK(a->results == b->results, "call %u after reset: different results", i);
		CHECK(a->fuel == b->fuel, "call %u after reset: fuel %llu vs %llu", i,
			  (unsigned long long) a->fuel, (unsigned long long) b->fuel);
	}
	CHECK(digest1 == digest2, "exported state differs after reset and replay");

out:
	wrt_store_free(s);
	fz_env_free(&env);
	if (((h >> 16) & 3) == 0)
		oom_round(m, fz_next(&h));
	wrt_module_free(m);
	return 0;
}
