/*
 * test_host.c — unit tests of host functions: typed parameters and results
 * passed bit-exactly in both directions with the user pointer, a failing
 * callback trapping its Wasm caller with WRT_TRAP_HOST and its message,
 * import type checking at instantiation (WRT_ERR_LINK), and re-entrancy: a
 * host callback calling back into Wasm with wrt_call.
 */
#include "unit.h"

typedef struct mix_state {
	int calls;
	int32_t a;
	int64_t b;
	float c;
	double d;
} mix_state;

static const uint8_t mix_params[] = {WRT_I32, WRT_I64, WRT_F32, WRT_F64};
static const uint8_t mix_results[] = {WRT_I64, WRT_F64};
static const uint8_t one_i32[] = {WRT_I32};

static bool
host_mix(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	mix_state *st = user;

	(void)call;
	st->calls++;
	st->a = args[0].i32;
	st->b = args[1].i64;
	st->c = args[2].f32;
	st->d = args[3].f64;
	results[0].i64 = (int64_t)args[0].i32 + args[1].i64;
	results[1].f64 = (double)args[2].f32 + args[3].f64;
	return true;
}

static bool
host_fail(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	int *calls = user;

	(void)results;
	(*calls)++;
	if (args[0].i32 == 0)
		return true;
	wrt_hostcall_trap(call, WRT_TRAP_HOST, "host said no to %d", args[0].i32);
	return false;
}

/* Instantiate host.wat with mix and fail bound to the given states. */
static wrt_instance *
host_instance(wrt_store *s, mix_state *mix, int *fail_calls)
{
	wrt_module *m = unit_fixture("host");
	wrt_functype mt = {4, 2, mix_params, mix_results};
	wrt_functype ft = {1, 0, one_i32, NULL};
	wrt_extern imports[2];

	if (!m)
		return NULL;
	imports[0] = unit_func_extern(wrt_func_new_host(s, &mt, host_mix, mix));
	imports[1] = unit_func_extern(wrt_func_new_host(s, &ft, host_fail, fail_calls));
	if (!imports[0].u.func || !imports[1].u.func)
	{
		unit_fail(__FILE__, __LINE__, "wrt_func_new_host failed");
		return NULL;
	}
	return unit_instantiate(s, m, imports, 2);
}

void
test_host_typed_params_and_user(void)
{
	wrt_store *s = unit_store();
	mix_state st = {0};
	int fail_calls = 0;
	wrt_instance *inst;
	wrt_func *f;
	wrt_value args[4], res[2];
	uint64_t bits;

	NEED(s);
	inst = host_instance(s, &st, &fail_calls);
	NEED(inst);
	f = unit_export_func(inst, "call_mix");
	NEED(f);
	memset(args, 0, sizeof(args));
	memset(res, 0, sizeof(res));
	args[0].i32 = -5;
	args[1].i64 = INT64_C(1) << 40;
	args[2].f32 = 1.5f;
	args[3].f64 = 0.25;
	CHECKF(wrt_call(s, f, args, res), "call_mix trapped: %s", wrt_store_trap(s)->message);
	CHECK_EQ(st.calls, 1);
	CHECK_EQ(st.a, -5);
	CHECK_EQ(st.b, INT64_C(1) << 40);
	CHECK(st.c == 1.5f);
	CHECK(st.d == 0.25);
	CHECK_EQ(res[0].i64, (INT64_C(1) << 40) - 5);
	CHECK(res[1].f64 == 1.75);

	/* A NaN payload survives the trip through Wasm and the host. */
	bits = UINT64_C(0x7ff4000000000123);
	memcpy(&args[3].f64, &bits, 8);
	args[2].f32 = 0.0f;
	CHECK(wrt_call(s, f, args, res));
	memcpy(&bits, &st.d, 8);
	CHECK_EQ(bits, UINT64_C(0x7ff4000000000123));
	CHECK_EQ(st.calls, 2);
}

void
test_host_direct_call(void)
{
	wrt_store *s = unit_store();
	mix_state st = {0};
	wrt_functype mt = {4, 2, mix_params, mix_results};
	wrt_functype got;
	wrt_func *f;
	wrt_value args[4], res[2];

	NEED(s);
	f = wrt_func_new_host(s, &mt, host_mix, &st);
	CHECK(f != NULL);
	wrt_func_type(f, &got);
	CHECK(wrt_functype_equal(&got, &mt));
	memset(args, 0, sizeof(args));
	args[0].i32 = 2;
	args[1].i64 = 3;
	args[2].f32 = 0.5f;
	args[3].f64 = 0.5;
	CHECK(wrt_call(s, f, args, res));
	CHECK_EQ(res[0].i64, 5);
	CHECK(res[1].f64 == 1.0);
	CHECK_EQ(st.calls, 1);
}

void
test_host_failure_traps(void)
{
	wrt_store *s = unit_store();
	mix_state st = {0};
	int fail_calls = 0;
	wrt_instance *inst;
	const wrt_trap *t;
	int32_t arg, r = 0;
	wrt_func *f;

	NEED(s);
	inst = host_instance(s, &st, &fail_calls);
	NEED(inst);
	f = unit_export_func(inst, "call_fail");
	NEED(f);
	arg = 0;
	CHECK(unit_call_i32(s, f, &arg, &r));
	CHECK_EQ(r, 1);
	arg = 42;
	CHECK(!unit_call_i32(s, f, &arg, &r));
	t = wrt_store_trap(s);
	CHECK(t != NULL);
	CHECK_TRAP(s, WRT_TRAP_HOST);
	CHECK_CONTAINS(t->message, "host said no to 42");
	CHECK_EQ(fail_calls, 2);
	/* The store is usable after the trap. */
	NEED(unit_invoke_i32(s, inst, "ok", NULL, &r));
	CHECK_EQ(r, 7);
}

void
test_link_errors(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("host");
	mix_state st = {0};
	int fail_calls = 0;
	wrt_functype mt = {4, 2, mix_params, mix_results};
	wrt_functype wrong = {1, 0, one_i32, NULL};
	wrt_extern imports[2];
	wrt_error err;
	wrt_value gv;

	NEED(s);
	NEED(m);
	/* mix bound to a function of the wrong type. */
	imports[0] = unit_func_extern(wrt_func_new_host(s, &wrong, host_fail, &fail_calls));
	imports[1] = unit_func_extern(wrt_func_new_host(s, &wrong, host_fail, &fail_calls));
	memset(&err, 0, sizeof(err));
	CHECK(wrt_instantiate(s, m, imports, 2, &err) == NULL);
	CHECKF(err.kind == WRT_ERR_LINK, "kind %d: %s", (int)err.kind, err.message);
	CHECK_CONTAINS(err.message, "incompatible import type");

	/* A global where a function is expected. */
	gv.bits = 0;
	imports[0].kind = WRT_EXTERN_GLOBAL;
	imports[0].u.global = wrt_global_new(s, WRT_I32, false, gv);
	memset(&err, 0, sizeof(err));
	CHECK(wrt_instantiate(s, m, imports, 2, &err) == NULL);
	CHECKF(err.kind == WRT_ERR_LINK, "kind %d: %s", (int)err.kind, err.message);

	/* The right imports link. */
	imports[0] = unit_func_extern(wrt_func_new_host(s, &mt, host_mix, &st));
	NEED(unit_instantiate(s, m, imports, 2));
	CHECK_EQ(st.calls, 0);
}

/* ---- re-entrancy ---------------------------------------------------------- */

typedef struct reenter_state {
	wrt_store *store;
	int calls;
	bool saw_instance;
} reenter_state;

static bool
host_callback(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	reenter_state *st = user;
	wrt_instance *inst = wrt_hostcall_instance(call);
	wrt_extern e;
	wrt_value a, r;

	st->calls++;
	st->saw_instance = inst != NULL;
	if (!inst || !wrt_instance_export(inst, "double", 6, &e) || e.kind != WRT_EXTERN_FUNC)
	{
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "no instance or no export \"double\"");
		return false;
	}
	a.bits = 0;
	a.i32 = args[0].i32 + 1;
	if (!wrt_call(st->store, e.u.func, &a, &r))
	{
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "nested call trapped: %s",
						  wrt_store_trap(st->store)->message);
		return false;
	}
	results[0].i32 = r.i32;
	return true;
}

void
test_reentrant_host_call(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reentrant");
	reenter_state st = {0};
	wrt_functype cbt = {1, 1, one_i32, one_i32};
	wrt_extern imp;
	wrt_instance *inst;
	int32_t arg, r = 0;

	NEED(s);
	NEED(m);
	st.store = s;
	imp = unit_func_extern(wrt_func_new_host(s, &cbt, host_callback, &st));
	inst = unit_instantiate(s, m, &imp, 1);
	NEED(inst);
	/* outer(5) = callback(5) + 100 = double(6) + 100 = 112 */
	arg = 5;
	NEED(unit_invoke_i32(s, inst, "outer", &arg, &r));
	CHECK_EQ(r, 112);
	CHECK_EQ(st.calls, 1);
	CHECK(st.saw_instance);
	/* And again: the nested call left the store's stacks balanced. */
	arg = 20;
	NEED(unit_invoke_i32(s, inst, "outer", &arg, &r));
	CHECK_EQ(r, 142);
	NEED(unit_invoke_i32(s, inst, "double", &arg, &r));
	CHECK_EQ(r, 40);
}
