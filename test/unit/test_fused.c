/*
 * test_fused.c — the compiler's fused instructions (compile.c peepholes)
 * compute what the separate Wasm instructions do, including wrapping
 * address adds, traps and NaN compares.  Fixture: fused.wat.
 */
#include "unit.h"

static bool
call2(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b, int32_t *r)
{
	int32_t args[2] = {a, b};

	return unit_call_i32(s, unit_export_func(inst, name), args, r);
}

#define EXPECT(name, a, b, want) \
	do { \
		int32_t r_ = 0; \
		if (!call2(s, inst, name, a, b, &r_)) { \
			unit_fail(__FILE__, __LINE__, "%s(%d, %d) trapped: %s", name, (int) (a), (int) (b), \
					  wrt_store_trap(s)->message); \
			return; \
		} \
		CHECK_EQ(r_, (want)); \
	} while (0)

#define EXPECT_OOB(name, a, b) \
	do { \
		int32_t r_ = 0; \
		CHECK(!call2(s, inst, name, a, b, &r_)); \
		CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB); \
	} while (0)

void
test_fused_superinstructions(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_instance *inst;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	/* add-immediate fused with the loop branch */
	EXPECT("countdown", 5, 0, 10);
	EXPECT("countdown", 1, 0, 2);
	EXPECT("stepto", 12, 0, 4012);
	EXPECT("exits", 4, 0, 9);
	EXPECT("exits", 1, 0, 6);
	EXPECT("add2", 1, 0, 5 - 18);
	EXPECT("add2", -5, 7, -1);
	/* compare + select */
	EXPECT("minmax", 3, 9, 309);
	EXPECT("minmax", -5, 2, -493);
	EXPECT("minmax", 60, 2, 207);
	EXPECT("fsel", 0, 0, 2);
	EXPECT("fsel", -1, 0, 1);
	EXPECT("fsel", 1, 0, 2);
	/* operator with a load at p + k (32-bit wrap before the bounds check) */
	EXPECT("rma", 0, 5, 8);
	EXPECT("rma", -8, 0, 41);
	EXPECT("rma", -4, 0, 1);
	EXPECT_OOB("rma", 65524, 0);
	EXPECT("rma_f64", 0, 0, 6);
	EXPECT_OOB("rma_f64", 65530, 0);
	EXPECT_OOB("rma_f64", -8, 0);
	/* (x & m) ==/!= k */
	EXPECT("andi", 0x80, 0, 0);
	EXPECT("andi", 0x1241, 0, 11);
	/* f64 chains */
	EXPECT("chain", 3, 2, 984);
	EXPECT("chain", -2, 5, -6987);
	EXPECT("chain_nan", 0, 0, 1);
	EXPECT("chain_nan", 2, 0, 0);
}
