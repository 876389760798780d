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
