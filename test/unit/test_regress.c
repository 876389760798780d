/*
 * test_regress.c — regression tests for runtime bugs found while building
 * the PostgreSQL glue, one test per bug, named for the behaviour it pins.
 */
#include "unit.h"

/* Raising the store's memory limit must let an existing memory grow
 * further (the limit used to be frozen into the memory at creation). */
void
test_regress_memory_limit_raised(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("memory");
	wrt_instance *inst;
	int32_t arg = 1, r = 0;

	NEED(s);
	NEED(m);
	wrt_store_set_memory_limit(s, 2);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 1);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	wrt_store_set_memory_limit(s, 4);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 2);
}

/* A trap in an exported function without a name-section entry names the
 * frame after the export. */
void
test_regress_backtrace_export_name(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("unnamed_trap");
	wrt_instance *inst;
	int32_t r = 0;
	const wrt_trap *t;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	CHECK(!unit_call_i32(s, unit_export_func(inst, "boom"), NULL, &r));
	t = wrt_store_trap(s);
	CHECK_EQ(t->kind, WRT_TRAP_DIV_ZERO);
	CHECK(t->nframes >= 1);
	CHECK(t->frames[0].name != NULL && strcmp(t->frames[0].name, "boom") == 0);
}

/* A fusion never takes in an instruction that a jump lands on: a range
 * check's add ended a block and its mask began after the block's end, a
 * label a br_if carried another value to; the compiler fused the three
 * into one BR_ADDI_ANDI all the same (its window test let a label sit on
 * the mask), so that branch landed inside the fused instruction.  The
 * fusion pass (fuse.c) takes every label and branch target as a barrier. */
void
test_regress_fusion_across_label(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("labels");
	wrt_instance *inst;
	static const int32_t cases[][3] = {
		{0, 1, 1},              /* the branch's 5: 5 < 26 */
		{0, 0, 0},              /* (0 - 97) & 255 = 159 */
		{'c', 0, 1},            /* 2 */
		{'z', 0, 1}, {'{', 0, 0}, {'{', 7, 1},
	};

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int32_t r = -1;
		NEED(unit_invoke_i32(s, inst, "range_label", cases[i], &r));
		CHECK_EQ(r, cases[i][2]);
	}
}
