/*
 * test_cost.c — what a module can make loading and compiling cost (issue
 * 11, findings 1 and 2).  The shapes of test/hostile.c repeat a few bytes
 * n times around values of arity k; before the fix each repetition cost
 * O(k) validation and compilation work and emitted O(k) code.  Here every
 * shape, at the largest arity allowed, must cost work and code within a
 * constant factor of its size (the same bounds as the fuzzers' cost oracle,
 * wrt_cost_bounds below), a set interrupt flag must stop loading and
 * compiling, the code limit must stop compilation with an error (and a
 * call with a trap), and arities above WRT_MAX_ARITY are refused.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hostile.h"
#include "unit.h"

/* The cost oracle: work units and compiled bytes per module byte. */
#define WORK_PER_BYTE (2 * WRT_MAX_ARITY + 64)
#define WORK_BASE 100000
#define CODE_PER_BYTE 40
#define CODE_BASE 4096

static wrt_module *
load_shape(hostile_shape shape, uint32_t k, uint32_t n, const wrt_load_options *opts,
		   size_t *len, wrt_error *err)
{
	uint8_t *bytes;
	*len = hostile_module(shape, k, n, &bytes);
	if (!*len)
		return NULL;
	memset(err, 0, sizeof(*err));
	wrt_module *m = wrt_module_load_ex(bytes, *len, NULL, opts, err);
	free(bytes);
	return m;
}

/* A new store (the caller frees it) with m instantiated in it, and m's "f". */
static bool
instance_f(wrt_module *m, wrt_store **s, wrt_func **f)
{
	wrt_error err;
	wrt_extern ext;
	*s = wrt_store_new(NULL);
	wrt_instance *inst = *s ? wrt_instantiate(*s, m, NULL, 0, &err) : NULL;
	if (!inst || !wrt_instance_export(inst, "f", 1, &ext) || ext.kind != WRT_EXTERN_FUNC)
		return false;
	*f = ext.u.func;
	return true;
}

void
test_cost_linear_shapes(void)
{
	for (int s = 0; s < HOSTILE_NSHAPES; s++)
	{
		size_t len;
		wrt_error err;
		wrt_module *m = load_shape((hostile_shape) s, WRT_MAX_ARITY, 20000, NULL, &len, &err);
		CHECKF(m, "%s: load failed: %s", hostile_shape_name((hostile_shape) s), err.message);
		bool ok = wrt_module_compile_all(m, &err);
		uint64_t work = wrt_module_work(m);
		size_t code = wrt_module_code_bytes(m);
		wrt_module_free(m);
		CHECKF(ok, "%s: compile failed: %s", hostile_shape_name((hostile_shape) s), err.message);
		printf("  %-10s %7zu bytes: work %6.1f/byte, code %5.2f bytes/byte\n",
			   hostile_shape_name((hostile_shape) s), len, (double) work / len, (double) code / len);
		CHECKF(work <= WORK_PER_BYTE * len + WORK_BASE, "%s: work %" PRIu64 " for %zu bytes",
			   hostile_shape_name((hostile_shape) s), work, len);
		CHECKF(code <= CODE_PER_BYTE * len + CODE_BASE, "%s: %zu code bytes for %zu bytes",
			   hostile_shape_name((hostile_shape) s), code, len);
	}
}

/* Branches, returns and br_table stubs carrying six values (MOVE_N). */
void
test_cost_moves(void)
{
	wrt_module *m = unit_fixture("moves");
	NEED(m);
	wrt_store *s = unit_store();
	NEED(s);
	wrt_instance *inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	static const struct {
		const char *name;
		int32_t arg;
		int32_t want[6];
	} cases[] = {
		{"six", 1, {1, 2, 3, 4, 5, 6}},
		{"six", 0, {11, 12, 13, 14, 15, 16}},
		{"ret", 0, {0, 22, 23, 24, 25, 26}},
		{"ret", 1, {1, 22, 23, 24, 25, 26}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		wrt_func *f = unit_export_func(inst, cases[i].name);
		NEED(f);
		wrt_value arg = {.i32 = cases[i].arg}, res[6];
		memset(res, 0, sizeof(res));
		CHECKF(wrt_call(s, f, &arg, res), "%s(%d) trapped", cases[i].name, cases[i].arg);
		for (int k = 0; k < 6; k++)
			CHECKF(res[k].i32 == cases[i].want[k], "%s(%d) result %d: %d, want %d",
				   cases[i].name, cases[i].arg, k, res[k].i32, cases[i].want[k]);
	}
	int32_t arg = 5, sum = 0;
	NEED(unit_invoke_i32(s, inst, "sum", &arg, &sum));
	CHECK_EQ(sum, 5 + 22 + 23 + 24 + 25 + 26);
	/* The big shapes run too: br_if taken and not, calls, returns. */
	for (int shape = 0; shape < HOSTILE_NSHAPES; shape++)
	{
		if (shape == HOSTILE_BLOCKS || shape == HOSTILE_CALLS)
			continue;           /* they end in unreachable */
		uint8_t *bytes;
		size_t len = hostile_module((hostile_shape) shape, 100, 50, &bytes);
		NEED(len);
		wrt_error err;
		memset(&err, 0, sizeof(err));
		wrt_module *hm = wrt_module_load(bytes, len, NULL, &err);
		free(bytes);
		CHECKF(hm, "%s: %s", hostile_shape_name((hostile_shape) shape), err.message);
		wrt_store *hs;
		wrt_func *hf;
		bool ok = instance_f(hm, &hs, &hf);
		for (int32_t a = 0; ok && a < 2; a++)
		{
			wrt_value in = {.i32 = a}, out[WRT_MAX_ARITY];
			ok = wrt_call(hs, hf, &in, out);
			if (ok && shape == HOSTILE_RETURNS)
				for (int k = 0; k < 100; k++)
					ok = ok && out[k].i32 == a;
		}
		wrt_store_free(hs);
		wrt_module_free(hm);
		CHECKF(ok, "%s: running it failed", hostile_shape_name((hostile_shape) shape));
	}
}

static bool
stop_always(void *ud)
{
	(*(int *) ud)++;
	return false;
}

/* A set interrupt flag stops validation, then compilation, early. */
void
test_cost_interrupt(void)
{
	volatile int flag = 1;
	int asked = 0;
	wrt_load_options opts = {&flag, stop_always, &asked, 0};
	size_t len;
	wrt_error err;
	wrt_module *m = load_shape(HOSTILE_BLOCKS, WRT_MAX_ARITY, 200000, &opts, &len, &err);
	CHECK(m == NULL);
	CHECK_EQ(err.kind, WRT_ERR_INTERRUPTED);
	CHECK_EQ(asked, 1);
	/* Validated without polling, then compiled with it. */
	flag = 0;
	m = load_shape(HOSTILE_BLOCKS, WRT_MAX_ARITY, 200000, &opts, &len, &err);
	NEED(m);
	flag = 1;
	uint64_t validated = wrt_module_work(m);
	CHECK(!wrt_module_compile_all(m, &err));
	CHECK_EQ(err.kind, WRT_ERR_INTERRUPTED);
	/* stopped at the first poll, after 4096 instructions */
	CHECKF(wrt_module_work(m) - validated < 100000, "compiled %" PRIu64 " units",
		   wrt_module_work(m) - validated);
	/* At a first call, the interrupt is a trap. */
	wrt_store *s;
	wrt_func *f;
	CHECK(instance_f(m, &s, &f));
	wrt_value in = {.i32 = 0}, out[1];
	CHECK(!wrt_call(s, f, &in, out));
	CHECK_TRAP(s, WRT_TRAP_INTERRUPTED);
	wrt_store_free(s);
	wrt_module_free(m);
}

/* The code limit: an error from compile_all, a trap from a call. */
void
test_cost_code_limit(void)
{
	wrt_load_options opts = {NULL, NULL, NULL, 64 * 1024};
	size_t len;
	wrt_error err;
	wrt_module *m = load_shape(HOSTILE_BR_IF, 100, 20000, &opts, &len, &err);
	NEED(m);
	CHECK(!wrt_module_compile_all(m, &err));
	CHECK_EQ(err.kind, WRT_ERR_LIMIT);
	CHECK_CONTAINS(err.message, "code limit");
	CHECK(wrt_module_code_bytes(m) <= 64 * 1024);
	wrt_store *s;
	wrt_func *f;
	CHECK(instance_f(m, &s, &f));
	wrt_value in = {.i32 = 0}, out[1];
	CHECK(!wrt_call(s, f, &in, out));
	CHECK_TRAP(s, WRT_TRAP_CODE_LIMIT);
	/* Raised, the same module compiles. */
	opts.max_code_bytes = 0;
	wrt_module_set_options(m, &opts);
	CHECK(wrt_module_compile_all(m, &err));
	CHECK(wrt_call(s, f, &in, out));
	wrt_store_free(s);
	wrt_module_free(m);
}

/* Function types beyond WRT_MAX_ARITY are refused as a limit. */
void
test_cost_arity_limit(void)
{
	size_t len;
	wrt_error err;
	wrt_module *m = load_shape(HOSTILE_BLOCKS, WRT_MAX_ARITY + 1, 10, NULL, &len, &err);
	CHECK(m == NULL);
	CHECK_EQ(err.kind, WRT_ERR_LIMIT);
	CHECK_CONTAINS(err.message, "more than 1000 parameters");
	m = load_shape(HOSTILE_BR_IF, WRT_MAX_ARITY + 1, 10, NULL, &len, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.message, "more than 1000 results");
}
