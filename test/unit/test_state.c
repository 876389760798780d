/*
 * test_state.c — unit tests of instance state and trap reporting: reset to
 * the state right after instantiation and to an explicit snapshot (memory
 * contents, memory size, globals), the backtrace of a trap with function
 * names from the name section, and the stable trap-kind names.
 */
#include "unit.h"

static bool
call2(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b)
{
	int32_t args[2] = {a, b};

	return unit_invoke_i32(s, inst, name, args, NULL);
}

static bool
get1(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t *r)
{
	return unit_invoke_i32(s, inst, name, &a, r);
}

void
test_reset_initial_state(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reset");
	wrt_instance *inst;
	int32_t r = 0;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(get1(s, inst, "load8", 0, &r));
	CHECK_EQ(r, 'h');
	NEED(call2(s, inst, "store8", 0, 'X'));
	NEED(call2(s, inst, "store8", 60000, 'Y'));
	NEED(get1(s, inst, "set_global", 99, NULL));
	NEED(get1(s, inst, "load8", 0, &r));
	CHECK_EQ(r, 'X');

	CHECK(wrt_instance_reset(inst));
	NEED(get1(s, inst, "load8", 0, &r));
	CHECK_EQ(r, 'h');
	NEED(get1(s, inst, "load8", 60000, &r));
	CHECK_EQ(r, 0);
	NEED(unit_invoke_i32(s, inst, "get_global", NULL, &r));
	CHECK_EQ(r, 42);

	/* Again: a reset is repeatable. */
	NEED(call2(s, inst, "store8", 1, 'Z'));
	CHECK(wrt_instance_reset(inst));
	NEED(get1(s, inst, "load8", 1, &r));
	CHECK_EQ(r, 'e');
	CHECK(wrt_instance_memory_usage(inst) >= 65536);
}

void
test_reset_to_snapshot(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reset");
	wrt_instance *inst;
	int32_t r = 0;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(get1(s, inst, "set_global", 7, NULL));
	NEED(call2(s, inst, "store8", 1, 'Y'));
	CHECK(wrt_instance_snapshot(inst));

	NEED(get1(s, inst, "set_global", 8, NULL));
	NEED(call2(s, inst, "store8", 1, 'Z'));
	NEED(call2(s, inst, "store8", 2, 'W'));
	NEED(get1(s, inst, "grow", 2, &r));
	CHECK_EQ(r, 1);
	NEED(call2(s, inst, "store8", 3 * 65536 - 1, 1));

	CHECK(wrt_instance_reset(inst));
	NEED(unit_invoke_i32(s, inst, "get_global", NULL, &r));
	CHECK_EQ(r, 7);
	NEED(get1(s, inst, "load8", 1, &r));
	CHECK_EQ(r, 'Y');
	NEED(get1(s, inst, "load8", 2, &r));
	CHECK_EQ(r, 'l');
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 1);
	CHECK_EQ(wrt_memory_size(wrt_instance_memory(inst)), 65536);
	/* Growing after the reset gives zeroed pages again. */
	NEED(get1(s, inst, "grow", 2, &r));
	CHECK_EQ(r, 1);
	NEED(get1(s, inst, "load8", 3 * 65536 - 1, &r));
	CHECK_EQ(r, 0);
}

static bool
name_ok(const char *got, const char *want, const char *alt)
{
	return got && (strcmp(got, want) == 0 || (alt && strcmp(got, alt) == 0));
}

void
test_trap_backtrace_names(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("backtrace");
	wrt_instance *inst;
	wrt_func *run;
	const wrt_trap *t;
	int32_t arg = 3, r = 0;

	NEED(s);
	NEED(m);
	CHECK(wrt_module_func_name(m, 0) && strcmp(wrt_module_func_name(m, 0), "outer") == 0);
	CHECK(wrt_module_func_name(m, 2) && strcmp(wrt_module_func_name(m, 2), "inner") == 0);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	run = unit_export_func(inst, "run");
	NEED(run);
	CHECK(!unit_call_i32(s, run, &arg, &r));
	t = wrt_store_trap(s);
	CHECK_TRAP(s, WRT_TRAP_UNREACHABLE);
	CHECK_CONTAINS(t->message, "unreachable");
	CHECKF(t->nframes >= 3, "%u frames", t->nframes);
	CHECK_EQ(t->frames[0].func_index, 2);
	CHECK_EQ(t->frames[1].func_index, 1);
	CHECK_EQ(t->frames[2].func_index, 0);
	CHECKF(name_ok(t->frames[0].name, "inner", NULL), "frame 0 named %s",
		   t->frames[0].name ? t->frames[0].name : "(null)");
	CHECKF(name_ok(t->frames[1].name, "middle", NULL), "frame 1 named %s",
		   t->frames[1].name ? t->frames[1].name : "(null)");
	CHECKF(name_ok(t->frames[2].name, "outer", "run"), "frame 2 named %s",
		   t->frames[2].name ? t->frames[2].name : "(null)");
	/* Offsets point into the code section, innermost deepest in the file. */
	CHECK(t->frames[0].offset > t->frames[1].offset);
	CHECK(t->frames[1].offset > t->frames[2].offset);
	CHECK(t->frames[2].offset > 8);
}

/* Call app's export `name` with 0, which traps five frames deep, and check
 * each frame's name (the outermost may be named by its export) and index. */
static void
check_trap_frames(wrt_store *s, wrt_instance *app, const char *name,
				  const char *const want[5], const uint32_t want_index[5])
{
	int32_t arg = 0, r = 0;
	const wrt_trap *t;

	CHECK(!unit_call_i32(s, unit_export_func(app, name), &arg, &r));
	CHECK_TRAP(s, WRT_TRAP_UNREACHABLE);
	t = wrt_store_trap(s);
	CHECKF(t->nframes == 5, "%s: %u frames", name, t->nframes);
	for (int k = 0; k < 5; k++)
	{
		CHECKF(name_ok(t->frames[k].name, want[k], k == 4 ? name : NULL), "%s: frame %d named %s, not %s",
			   name, k, t->frames[k].name ? t->frames[k].name : "(null)", want[k]);
		CHECKF(t->frames[k].func_index == want_index[k], "%s: frame %d is function %u",
			   name, k, t->frames[k].func_index);
	}
}

/*
 * A call into another instance and back: frames record the caller's
 * instance only when a call crosses into another one, so the backtrace
 * must still name each frame from its own module, and a return must bring
 * back the caller's memory (app reads "A" at 0 after lib, which returns its "L" + 1).
 */
void
test_trap_backtrace_across_instances(void)
{
	wrt_store *s = unit_store();
	wrt_module *lib_m = unit_fixture("bt_lib");
	wrt_module *app_m = unit_fixture("bt_app");
	wrt_instance *lib, *app;
	wrt_extern imp;
	int32_t arg, r = 0;

	NEED(s);
	NEED(lib_m);
	NEED(app_m);
	lib = unit_instantiate(s, lib_m, NULL, 0);
	NEED(lib);
	NEED(wrt_instance_export(lib, "enter", 5, &imp));
	app = unit_instantiate(s, app_m, &imp, 1);
	NEED(app);

	arg = 1;
	NEED(unit_invoke_i32(s, app, "run", &arg, &r));
	CHECK_EQ(r, ('L' + 1) * 256 + 'A');
	NEED(unit_invoke_i32(s, app, "via_table", &arg, &r));
	CHECK_EQ(r, ('L' + 1) * 256 + 'A');

	static const char *const via_run[5] = {"lboom", "lmid", "enter", "middle", "outer"};
	static const uint32_t via_run_index[5] = {2, 1, 0, 2, 1};
	check_trap_frames(s, app, "run", via_run, via_run_index);
	/* Through the table: app's own function, then lib. */
	static const char *const via_table[5] = {"lboom", "lmid", "enter", "own", "via_table"};
	static const uint32_t via_table_index[5] = {2, 1, 0, 3, 4};
	check_trap_frames(s, app, "via_table", via_table, via_table_index);

	/* The instances still work after the traps. */
	arg = 1;
	NEED(unit_invoke_i32(s, app, "run", &arg, &r));
	CHECK_EQ(r, ('L' + 1) * 256 + 'A');
}

void
test_trapkind_names(void)
{
	const char *names[WRT_TRAP_OOM + 1];

	for (int k = WRT_TRAP_NONE; k <= WRT_TRAP_OOM; k++)
	{
		names[k] = wrt_trapkind_name((wrt_trapkind)k);
		CHECKF(names[k] && names[k][0], "kind %d has no name", k);
		for (int j = 0; j < k; j++)
			CHECKF(strcmp(names[j], names[k]) != 0, "kinds %d and %d both named %s",
				   j, k, names[k]);
	}
	CHECK(strcmp(wrt_trapkind_name(WRT_TRAP_UNREACHABLE), "unreachable") == 0);
	CHECK(strcmp(wrt_trapkind_name(WRT_TRAP_MEMORY_OOB), "memory_oob") == 0);
}
