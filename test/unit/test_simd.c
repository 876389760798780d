/*
 * test_simd.c — unit tests of v128 (fixed-width SIMD) through the public
 * API and of the slot-pair model behind it: wrt_call with v128 parameters
 * and results mixed with scalars, v128 globals (module-defined, constant
 * initialisers, host-created, imported), calls, returns, branches and
 * selects carrying mixed values, deep recursion with v128 locals, and the
 * link-time refusal of host functions whose type has a v128.
 *
 * The tests over simd_api.wat run twice: interpreted (test_simd_*) and with
 * every function compiled by the native tier first (test_tier_simd_*,
 * WRT_TIER_EAGER), which must have compiled all of them (none refused or
 * failed: the v128 slot-pair ABI of native entries, calls through the
 * engine's helpers, v128 globals and SIMD lane code in machine code).
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "simd.h"

/*
 * Both versions of i8x16.shuffle (simd.h) against the definition, on
 * random inputs and masks and on every index in every lane: the spec tests
 * run only the one this build and CPU pick.
 */
void
test_simd_shuffle_versions(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int versions = 1;

	for (int round = 0; round < 2000; round++)
	{
		wrt_v128 a, b, r1;
		uint8_t idx[16], want[16];
		uint64_t lo, hi;

		for (int i = 0; i < 16; i++)
		{
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			a.b[i] = (uint8_t) (seed >> 56);
			b.b[i] = (uint8_t) (seed >> 48);
			/* the first 32 rounds: lane i takes index round (all of them) */
			idx[i] = round < 32 ? (uint8_t) round : (uint8_t) ((seed >> 40) & 31);
		}
		for (int i = 0; i < 16; i++)
			want[i] = idx[i] < 16 ? a.b[idx[i]] : b.b[idx[i] - 16];
		memcpy(&lo, idx, 8);
		memcpy(&hi, idx + 8, 8);
		wrt_shuffle_bytes(&r1, &a, &b, lo, hi);
		CHECKF(memcmp(r1.b, want, 16) == 0, "portable shuffle, round %d", round);
#ifdef WRT_SHUFFLE_VECTOR
		if (WRT_SHUFFLE_VECTOR_OK())
		{
			wrt_v128 r2;

			versions = 2;
			wrt_shuffle_vector(&r2, &a, &b, lo, hi);
			CHECKF(memcmp(r2.b, want, 16) == 0, "vector shuffle, round %d", round);
		}
#endif
		/* the destination may be an operand (d = a in the register code) */
		r1 = a;
		wrt_shuffle(&r1, &r1, &b, lo, hi);
		CHECKF(memcmp(r1.b, want, 16) == 0, "shuffle in place, round %d", round);
	}
	printf("    shuffle versions compared: %d\n", versions);
}

static wrt_value
v_i32x4(int32_t a, int32_t b, int32_t c, int32_t d)
{
	wrt_value v;
	int32_t l[4] = {a, b, c, d};

	memset(&v, 0, sizeof(v));
	memcpy(v.v128, l, 16);
	return v;
}

static int32_t
lane32(wrt_value v, int i)
{
	int32_t x;

	memcpy(&x, v.v128 + 4 * i, 4);
	return x;
}

#define CHECK_I32X4(v, a, b, c, d) \
	do { \
		CHECK_EQ(lane32(v, 0), a); \
		CHECK_EQ(lane32(v, 1), b); \
		CHECK_EQ(lane32(v, 2), c); \
		CHECK_EQ(lane32(v, 3), d); \
	} while (0)

static wrt_instance *
simd_instance(wrt_store **sp, wrt_tier_mode mode)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("simd_api");
	wrt_tier_settings ts = {mode, 0, 0};

	if (!s || !m)
		return NULL;
	wrt_store_set_tier(s, &ts);
	*sp = s;
	return unit_instantiate(s, m, NULL, 0);
}

/* Under the eager tier, every function of the module ran native. */
static void
check_all_native(wrt_instance *inst, wrt_tier_mode mode)
{
	wrt_tier_stats st;

	if (mode != WRT_TIER_EAGER)
		return;
	CHECKF(wrt_tier_status() == NULL, "tier unavailable: %s", wrt_tier_status());
	wrt_tier_get_stats(wrt_instance_module(inst), &st);
	CHECK(st.compiled >= 10);
	CHECK_EQ(st.refused, 0);
	CHECK_EQ(st.failed, 0);
}

#define BOTH_TIERS(name) \
	void test_simd_##name(void) { run_##name(WRT_TIER_INTERP); } \
	void test_tier_simd_##name(void) { run_##name(WRT_TIER_EAGER); }

void
test_simd_body_runs(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("simd_body");
	wrt_instance *inst;
	int32_t r = 0;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(unit_invoke_i32(s, inst, "f", NULL, &r));
	CHECK_EQ(r, 1);
}

/*
 * wrt_vwith (simd.h), the lane insert behind every replace_lane and
 * load_lane: built from the two halves with a mask, where the old code
 * patched a copy in memory (which stalled store forwarding), so each width,
 * lane and both halves are checked against a byte-wise insert.
 */
void
test_simd_lane_insert(void)
{
	static const uint32_t widths[] = {8, 16, 32, 64};
	wrt_v128 a;

	for (int i = 0; i < 16; i++)
		a.b[i] = (uint8_t) (0xa0 + i);
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	{
		uint32_t width = widths[w], n = width / 8;

		for (uint32_t lane = 0; lane < 128 / width; lane++)
		{
			uint64_t v = 0xf1e2d3c4b5a69788ull;     /* bits above the lane must not leak */
			wrt_v128 r = wrt_vwith(a, lane, width, v);
			uint8_t want[16];

			memcpy(want, a.b, 16);
			memcpy(want + lane * n, &v, n);
			CHECKF(memcmp(r.b, want, 16) == 0, "width %u lane %u", width, lane);
		}
	}
	{
		wrt_v128 r = wrt_vhalves(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);

		for (int i = 0; i < 16; i++)
			CHECK_EQ(r.b[i], i);
	}
}

void
test_simd_type_loads(void)
{
	wrt_module *m = unit_fixture("simd_type");
	wrt_externtype t;
	const char *name;
	uint32_t len;

	NEED(m);
	CHECK(wrt_module_export_count(m) == 1);
	wrt_module_export(m, 0, &name, &len, &t);
	CHECK(t.kind == WRT_EXTERN_FUNC);
	CHECK_EQ(t.func.nparams, 1);
	CHECK_EQ(t.func.params[0], WRT_V128);
}

static void
run_api_call(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);
	wrt_func *add, *mixed;
	wrt_value args[5], res[4];

	NEED(inst);
	add = unit_export_func(inst, "add");
	mixed = unit_export_func(inst, "mixed");
	NEED(add);
	NEED(mixed);
	args[0] = v_i32x4(1, 2, 3, -4);
	args[1] = v_i32x4(10, 20, 30, 0x7fffffff);
	CHECK(wrt_call(s, add, args, res));
	CHECK_I32X4(res[0], 11, 22, 33, 0x7ffffffb);

	/* (i32, v128, f64, v128, i64) -> (v128, i32, v128, f64) */
	memset(args, 0, sizeof(args));
	args[0].i32 = 5;
	args[1] = v_i32x4(1, 2, 3, 4);
	args[2].f64 = 0.25;
	args[3] = v_i32x4(100, 200, 300, 400);
	args[4].i64 = 1000;
	CHECK(wrt_call(s, mixed, args, res));
	CHECK_I32X4(res[0], 101, 202, 303, 404);
	CHECK_EQ(res[1].i32, 1005);
	CHECK_I32X4(res[2], 1, 2, 3, 4);
	CHECK(res[3].f64 == 0.5);
	check_all_native(inst, mode);
}
BOTH_TIERS(api_call)

static void
run_slot_model(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);
	wrt_value a[2], r[2];
	int32_t x, y = 0;

	NEED(inst);
	/* a Wasm call with mixed values: lane of x+y, lane of x, a+n, d*2 */
	x = 3;
	NEED(unit_invoke_i32(s, inst, "call_mixed", &x, &y));
	CHECK_EQ(y, 13 + 10 + 103 + 3);

	/* br_if out of a block with (i32 v128 f32) */
	memset(a, 0, sizeof(a));
	a[0].i32 = 1;
	CHECK(wrt_call(s, unit_export_func(inst, "branchy"), a, r));
	CHECK_I32X4(r[0], 1, 6, 7, 8);
	a[0].i32 = 0;
	CHECK(wrt_call(s, unit_export_func(inst, "branchy"), a, r));
	CHECK_I32X4(r[0], 2, 60, 70, 80);

	/* typed and untyped select of v128 */
	a[0].i32 = 1;
	CHECK(wrt_call(s, unit_export_func(inst, "sel"), a, r));
	CHECK_I32X4(r[0], 11, 11, 11, 11);
	a[0].i32 = 0;
	CHECK(wrt_call(s, unit_export_func(inst, "sel"), a, r));
	CHECK_I32X4(r[0], 22, 22, 22, 22);

	/* a loop carrying a v128 local */
	a[0].i32 = 300;
	CHECK(wrt_call(s, unit_export_func(inst, "loop"), a, r));
	for (int i = 0; i < 16; i++)
		CHECK_EQ(r[0].v128[i], 300 % 256);

	/* folded address adds wrap at 32 bits like the i32.add they replace */
	a[0].i32 = 4;
	CHECK(wrt_call(s, unit_export_func(inst, "load_sub4"), a, r));
	CHECK_I32X4(r[0], 0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0x13121110);
	a[0].i32 = 2;               /* (u32)(2 - 4) + 4 is past the memory, not 2 */
	CHECK(!wrt_call(s, unit_export_func(inst, "load_sub4"), a, r));
	CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);
	a[0].i32 = 1;
	CHECK(wrt_call(s, unit_export_func(inst, "load8x8_add"), a, r));
	CHECK_EQ(r[0].v128[0], 4);
	CHECK_EQ(r[0].v128[1], 0);
	CHECK_EQ(r[0].v128[14], 11);
	a[0].i32 = -3;              /* wraps to 0xffffffff: + 1 is past the end */
	CHECK(!wrt_call(s, unit_export_func(inst, "load8x8_add"), a, r));
	CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);

	/* local.tee of a v128 */
	a[0] = v_i32x4(1, 2, 3, 4);
	CHECK(wrt_call(s, unit_export_func(inst, "tee"), a, r));
	CHECK_I32X4(r[0], 2, 4, 6, 8);
	check_all_native(inst, mode);
}
BOTH_TIERS(slot_model)

static void
run_deep_recursion(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);
	wrt_func *deep;
	wrt_value a[2], r[2];
	const int32_t n = 2000;

	NEED(inst);
	deep = unit_export_func(inst, "deep");
	NEED(deep);
	memset(a, 0, sizeof(a));
	a[0].i32 = n;
	a[1] = v_i32x4(1, -1, 0, 7);
	CHECK(wrt_call(s, deep, a, r));
	/* lanes: x + sum(0..n) each; i64 result: sum(0..n) */
	{
		int32_t sum = n * (n + 1) / 2;

		CHECK_I32X4(r[0], 1 + sum, -1 + sum, sum, 7 + sum);
		CHECK_EQ(r[1].i64, sum);
	}
	/* deeper than the stack allows: a clean trap, and the store still works */
	a[0].i32 = 10000000;
	CHECK(!wrt_call(s, deep, a, r));
	CHECK_TRAP(s, WRT_TRAP_STACK_EXHAUSTED);
	a[0].i32 = 3;
	CHECK(wrt_call(s, deep, a, r));
	CHECK_EQ(r[1].i64, 6);
	check_all_native(inst, mode);
}
BOTH_TIERS(deep_recursion)

static void
run_globals(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);
	wrt_extern e;
	wrt_value a[1], r[1], v;

	NEED(inst);
	CHECK(wrt_call(s, unit_export_func(inst, "get_g"), NULL, r));
	CHECK_I32X4(r[0], 1, 2, 3, 4);
	a[0] = v_i32x4(-1, -2, -3, -4);
	CHECK(wrt_call(s, unit_export_func(inst, "set_g"), a, NULL));
	CHECK(wrt_instance_export(inst, "g", 1, &e));
	CHECK(e.kind == WRT_EXTERN_GLOBAL);
	v = wrt_global_get(e.u.global);
	CHECK_I32X4(v, -1, -2, -3, -4);
	wrt_global_set(e.u.global, v_i32x4(9, 8, 7, 6));
	CHECK(wrt_call(s, unit_export_func(inst, "get_g"), NULL, r));
	CHECK_I32X4(r[0], 9, 8, 7, 6);
	/* an immutable v128 global from a constant expression */
	CHECK(wrt_call(s, unit_export_func(inst, "get_k"), NULL, r));
	CHECK_I32X4(r[0], 0x05060708, 0x01020304, -1, -1);
	/* the scalar global next to them is untouched */
	CHECK(wrt_instance_export(inst, "s", 1, &e));
	CHECK_EQ(wrt_global_get(e.u.global).i64, 7);
	check_all_native(inst, mode);
}
BOTH_TIERS(globals)

/* The lane loads' and stores' exports of simd_api.wat: lane width and lane
 * of each (ld8/st8 ...), all at p + 3. */
static const struct
{
	const char *load, *store;
	uint32_t bytes, lane;
} lane_ops[] = {{"ld8", "st8", 1, 13}, {"ld16", "st16", 2, 2}, {"ld32", "st32", 4, 3}, {"ld64", "st64", 8, 1}};
#define LANE_NADDRS 9

/* The addresses each is called at: inside, the last in bounds, one byte
 * beyond, and sums with the offset past 2^32. */
static void
lane_addrs(uint32_t n, int64_t addrs[LANE_NADDRS])
{
	const int64_t last = 65536 - 3 - n;
	const int64_t a[LANE_NADDRS] = {0, 1, 1000, last, last + 1, 65536, -3, -1, INT32_MIN};

	memcpy(addrs, a, sizeof(a));
}

/* Arguments (p, v): v's byte i is 0xf0 + i. */
static void
lane_args(wrt_value a[2], int64_t p)
{
	memset(a, 0, 2 * sizeof(wrt_value));
	a[0].i32 = (int32_t) p;
	for (int i = 0; i < 16; i++)
		a[1].v128[i] = (uint8_t) (0xf0 + i);
}

/*
 * Lane loads of each width at their edges: the last bytes in bounds load,
 * one byte further traps, and an address whose sum with the offset passes
 * 2^32 traps rather than wrapping; the other lanes keep v's bytes.
 */
static void
run_lane_loads(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);

	NEED(inst);
	CHECK(wrt_call(s, unit_export_func(inst, "fill"), NULL, NULL));
	for (size_t k = 0; k < sizeof(lane_ops) / sizeof(lane_ops[0]); k++)
	{
		const char *name = lane_ops[k].load;
		wrt_func *f = unit_export_func(inst, name);
		uint32_t n = lane_ops[k].bytes;
		int64_t addrs[LANE_NADDRS];

		NEED(f);
		lane_addrs(n, addrs);
		for (size_t j = 0; j < LANE_NADDRS; j++)
		{
			wrt_value a[2], r[1];
			int64_t ea = (int64_t) (uint32_t) addrs[j] + 3;

			lane_args(a, addrs[j]);
			if (ea + n > 65536)
			{
				CHECKF(!wrt_call(s, f, a, r), "%s at %lld loaded", name, (long long) addrs[j]);
				CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);
				continue;
			}
			CHECKF(wrt_call(s, f, a, r), "%s at %lld trapped", name, (long long) addrs[j]);
			for (uint32_t i = 0; i < 16; i++)
			{
				uint8_t want = i / n == lane_ops[k].lane ? (uint8_t) ((ea + i % n) * 7 + 1) : (uint8_t) (0xf0 + i);

				CHECKF(r[0].v128[i] == want, "%s at %lld: byte %u is %u, not %u", name,
					   (long long) addrs[j], i, r[0].v128[i], want);
			}
		}
	}
	check_all_native(inst, mode);
}
BOTH_TIERS(lane_loads)

/*
 * Lane stores of each width at their edges, as the loads above: the lane's
 * bytes land at p + 3 and nothing else changes; one byte too far traps
 * with memory unchanged.
 */
static void
run_lane_stores(wrt_tier_mode mode)
{
	wrt_store *s = NULL;
	wrt_instance *inst = simd_instance(&s, mode);
	wrt_func *peek;

	NEED(inst);
	peek = unit_export_func(inst, "peek");
	NEED(peek);
	for (size_t k = 0; k < sizeof(lane_ops) / sizeof(lane_ops[0]); k++)
	{
		const char *name = lane_ops[k].store;
		wrt_func *f = unit_export_func(inst, name);
		uint32_t n = lane_ops[k].bytes;
		int64_t addrs[LANE_NADDRS];

		NEED(f);
		lane_addrs(n, addrs);
		for (size_t j = 0; j < LANE_NADDRS; j++)
		{
			wrt_value a[2], r[1];
			int64_t ea = (int64_t) (uint32_t) addrs[j] + 3;
			/* the bytes around the lane (the whole tail when it traps) */
			int64_t lo = ea - 2 < 65536 - 16 ? ea - 2 : 65536 - 16, hi = lo + 16 < 65536 ? lo + 16 : 65536;

			CHECK(wrt_call(s, unit_export_func(inst, "fill"), NULL, NULL));
			lane_args(a, addrs[j]);
			if (ea + n > 65536)
			{
				CHECKF(!wrt_call(s, f, a, NULL), "%s at %lld stored", name, (long long) addrs[j]);
				CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);
			}
			else
				CHECKF(wrt_call(s, f, a, NULL), "%s at %lld trapped", name, (long long) addrs[j]);
			for (int64_t x = lo; x < hi; x++)
			{
				bool in_lane = ea + n <= 65536 && x >= ea && x < ea + n;
				uint8_t want = in_lane ? (uint8_t) (0xf0 + lane_ops[k].lane * n + (x - ea)) : (uint8_t) (x * 7 + 1);

				a[0].i32 = (int32_t) x;
				CHECK(wrt_call(s, peek, a, r));
				CHECKF((uint8_t) r[0].i32 == want, "%s at %lld: byte %lld is %u, not %u", name,
					   (long long) addrs[j], (long long) x, (unsigned) (uint8_t) r[0].i32, want);
			}
		}
	}
	check_all_native(inst, mode);
}
BOTH_TIERS(lane_stores)

static bool
never_called(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	return false;
}

void
test_simd_host_import_refused(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("simd_import");
	static const uint8_t p[] = {WRT_I32, WRT_V128};
	wrt_functype t = {2, 0, p, NULL};
	wrt_extern imp;
	wrt_error err;

	NEED(s);
	NEED(m);
	imp = unit_func_extern(wrt_func_new_host(s, &t, never_called, NULL));
	memset(&err, 0, sizeof(err));
	CHECK(wrt_instantiate(s, m, &imp, 1, &err) == NULL);
	CHECK(err.kind == WRT_ERR_LINK);
	CHECK_CONTAINS(err.message, "v128");
}
