/*
 * test_limits.c — unit tests of the store's execution limits: the interrupt
 * flag (set by a host function, and by another thread while Wasm spins),
 * fuel (exhaustion of an endless loop, and exact linear accounting of a
 * counted loop), the store memory limit (memory.grow and instantiation), and
 * the stack limits (endless recursion, the frame limit), each followed by a
 * check that the same store still runs code.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

/* ---- interrupt ------------------------------------------------------------- */

typedef struct tick_state {
	volatile int *flag;
	int ticks;
	int set_after;
} tick_state;

static bool
host_tick(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	tick_state *st = user;

	(void)call;
	(void)args;
	(void)results;
	if (++st->ticks == st->set_after && st->flag)
		*st->flag = 1;
	return true;
}

static wrt_instance *
loop_instance(wrt_store *s, tick_state *st)
{
	wrt_module *m = unit_fixture("loop");
	wrt_functype t = {0, 0, NULL, NULL};
	wrt_extern imp;

	if (!m)
		return NULL;
	imp = unit_func_extern(wrt_func_new_host(s, &t, host_tick, st));
	return unit_instantiate(s, m, &imp, 1);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
test_interrupt_from_host(void)
{
	static volatile int flag;
	wrt_store *s = unit_store();
	tick_state st = {&flag, 0, 1000};
	wrt_instance *inst;
	wrt_func *spin, *count;
	int32_t arg = 10, r = 0;

	NEED(s);
	flag = 0;
	wrt_store_set_interrupt(s, &flag);
	inst = loop_instance(s, &st);
	NEED(inst);
	spin = unit_export_func(inst, "spin_tick");
	NEED(spin);
	CHECK(!unit_call_i32(s, spin, NULL, NULL));
	CHECK_TRAP(s, WRT_TRAP_INTERRUPTED);
	CHECK_EQ(st.ticks, 1000);
	/* The engine never clears the flag: still set, the next call traps too. */
	count = unit_export_func(inst, "count");
	NEED(count);
	CHECK(!unit_call_i32(s, count, &arg, &r));
	CHECK_TRAP(s, WRT_TRAP_INTERRUPTED);
	flag = 0;
	NEED(unit_invoke_i32(s, inst, "count", &arg, &r));
	CHECK_EQ(r, 10);
	/* Polling disabled: the flag is ignored. */
	flag = 1;
	wrt_store_set_interrupt(s, NULL);
	NEED(unit_invoke_i32(s, inst, "count", &arg, &r));
	CHECK_EQ(r, 10);
}

/* The host's interrupt handler decides: harmless interrupts are cleared and
 * the call goes on; the first one it refuses traps. */
typedef struct handler_state {
	volatile int *flag;
	tick_state *ticks;
	int calls;
	int allow;
} handler_state;

static bool
on_interrupt(void *ud)
{
	handler_state *h = ud;

	h->calls++;
	*h->flag = 0;
	/* Re-arm through the tick host function for the next round. */
	h->ticks->set_after = h->ticks->ticks + 100;
	return h->calls <= h->allow;
}

void
test_interrupt_handler_continues(void)
{
	static volatile int flag;
	wrt_store *s = unit_store();
	tick_state st = {&flag, 0, 100};
	handler_state h = {&flag, &st, 0, 3};
	wrt_instance *inst;
	wrt_func *spin;

	NEED(s);
	flag = 0;
	wrt_store_set_interrupt(s, &flag);
	wrt_store_set_interrupt_handler(s, on_interrupt, &h);
	inst = loop_instance(s, &st);
	NEED(inst);
	spin = unit_export_func(inst, "spin_tick");
	NEED(spin);
	CHECK(!unit_call_i32(s, spin, NULL, NULL));
	CHECK_TRAP(s, WRT_TRAP_INTERRUPTED);
	/* Three harmless interrupts let it run on; the fourth stopped it. */
	CHECK_EQ(h.calls, 4);
	CHECK_EQ(st.ticks, 400);
}

typedef struct setter_args {
	volatile int *flag;
	unsigned delay_ms;
} setter_args;

static void *
set_flag_later(void *p)
{
	setter_args *a = p;

	usleep(a->delay_ms * 1000);
	*a->flag = 1;
	return NULL;
}

void
test_interrupt_from_thread(void)
{
	static volatile int flag;
	wrt_store *s = unit_store();
	tick_state st = {NULL, 0, 0};
	setter_args sa = {&flag, 50};
	wrt_instance *inst;
	wrt_func *spin;
	pthread_t th;
	double t0, elapsed;
	bool ok;

	NEED(s);
	flag = 0;
	wrt_store_set_interrupt(s, &flag);
	inst = loop_instance(s, &st);
	NEED(inst);
	spin = unit_export_func(inst, "spin");
	NEED(spin);
	CHECK(pthread_create(&th, NULL, set_flag_later, &sa) == 0);
	t0 = now_seconds();
	ok = unit_call_i32(s, spin, NULL, NULL);
	elapsed = now_seconds() - t0;
	pthread_join(th, NULL);
	CHECK(!ok);
	CHECK_TRAP(s, WRT_TRAP_INTERRUPTED);
	CHECKF(elapsed < 5.0, "interrupt took %.3f s", elapsed);
	CHECK_EQ(st.ticks, 0);
}

/* ---- fuel ------------------------------------------------------------------ */

void
test_fuel_exhausted(void)
{
	wrt_store *s = unit_store();
	tick_state st = {NULL, 0, 0};
	wrt_instance *inst;
	wrt_func *spin;
	uint64_t used;
	int32_t arg = 1000, r = 0;

	NEED(s);
	inst = loop_instance(s, &st);
	NEED(inst);
	spin = unit_export_func(inst, "spin");
	NEED(spin);
	wrt_store_set_fuel(s, 100000);
	CHECK(!unit_call_i32(s, spin, NULL, NULL));
	CHECK_TRAP(s, WRT_TRAP_FUEL_EXHAUSTED);
	used = wrt_store_fuel_consumed(s);
	CHECKF(used >= 90000 && used <= 100100, "fuel consumed %" PRIu64 " of 100000", used);
	/* The budget is per call: the next call gets it again. */
	CHECK(!unit_call_i32(s, spin, NULL, NULL));
	CHECK_TRAP(s, WRT_TRAP_FUEL_EXHAUSTED);
	NEED(unit_invoke_i32(s, inst, "count", &arg, &r));
	CHECK_EQ(r, 1000);
	/* Unlimited again. */
	wrt_store_set_fuel(s, 0);
	arg = 1000000;
	NEED(unit_invoke_i32(s, inst, "count", &arg, &r));
	CHECK_EQ(r, 1000000);
}

/* Export `name` of a fresh loop.wat instance (NULL, the failure recorded,
 * if there is none), with the fuel it consumed at 100, 200 and 300 under a
 * large budget in c, each result checked to equal its argument. */
static wrt_func *
fuel_at_three_sizes(wrt_store *s, tick_state *st, const char *name, uint64_t c[3])
{
	wrt_instance *inst = loop_instance(s, st);
	wrt_func *f = inst ? unit_export_func(inst, name) : NULL;
	if (!f)
		return NULL;
	wrt_store_set_fuel(s, 1000000000);
	for (int i = 0; i < 3; i++)
	{
		int32_t arg = 100 * (i + 1), r = 0;
		if (!unit_call_i32(s, f, &arg, &r))
			return NULL;
		if (r != arg)
		{
			unit_fail(__FILE__, __LINE__, "%s(%d) returned %d", name, (int) arg, (int) r);
			return NULL;
		}
		c[i] = wrt_store_fuel_consumed(s);
	}
	return f;
}

/* Without a budget a call of f(300) is not metered: it consumes 0. */
static void
unmetered_call_consumes_nothing(wrt_store *s, wrt_func *f)
{
	int32_t arg = 300, r = 0;
	wrt_store_set_fuel(s, 0);
	CHECK(unit_call_i32(s, f, &arg, &r));
	CHECK_EQ(r, 300);
	CHECK_EQ(wrt_store_fuel_consumed(s), 0);
}

void
test_fuel_consumed_linear(void)
{
	wrt_store *s = unit_store();
	tick_state st = {NULL, 0, 0};
	wrt_func *count;
	uint64_t c[3] = {0, 0, 0};
	int32_t arg, r = 0;

	NEED(s);
	count = fuel_at_three_sizes(s, &st, "count", c);
	NEED(count);
	/* At least the loop's instructions, and exactly linear in iterations. */
	CHECKF(c[0] > 100 * 5, "count(100) consumed %" PRIu64, c[0]);
	CHECKF(c[1] - c[0] == c[2] - c[1], "consumed %" PRIu64 ", %" PRIu64 ", %" PRIu64,
		   c[0], c[1], c[2]);
	/* The exact amount suffices; half of it does not. */
	wrt_store_set_fuel(s, c[0]);
	arg = 100;
	CHECK(unit_call_i32(s, count, &arg, &r));
	CHECK_EQ(wrt_store_fuel_consumed(s), c[0]);
	wrt_store_set_fuel(s, c[0] / 2);
	CHECK(!unit_call_i32(s, count, &arg, &r));
	CHECK_TRAP(s, WRT_TRAP_FUEL_EXHAUSTED);
	/* Without a budget nothing is metered (loops charge fuel out of line,
	 * only under a budget), and a budget set again meters as before. */
	unmetered_call_consumes_nothing(s, count);
	wrt_store_set_fuel(s, 1000000000);
	arg = 300;
	CHECK(unit_call_i32(s, count, &arg, &r));
	CHECK_EQ(wrt_store_fuel_consumed(s), c[2]);
}

/* Calls are metered at function entry: a recursion without loops consumes
 * fuel linear in its calls, and a budget too small for it traps. */
void
test_fuel_charged_per_call(void)
{
	wrt_store *s = unit_store();
	tick_state st = {NULL, 0, 0};
	wrt_func *recurse;
	uint64_t c[3] = {0, 0, 0};
	int32_t arg, r = 0;

	NEED(s);
	recurse = fuel_at_three_sizes(s, &st, "recurse", c);
	NEED(recurse);
	CHECKF(c[0] > 100 && c[1] - c[0] == c[2] - c[1] && c[1] > c[0],
		   "consumed %" PRIu64 ", %" PRIu64 ", %" PRIu64, c[0], c[1], c[2]);
	wrt_store_set_fuel(s, c[2] / 2);
	arg = 300;
	CHECK(!unit_call_i32(s, recurse, &arg, &r));
	CHECK_TRAP(s, WRT_TRAP_FUEL_EXHAUSTED);
	unmetered_call_consumes_nothing(s, recurse);
}

/* ---- memory limit ----------------------------------------------------------- */

void
test_memory_limit_grow(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("memory");
	wrt_instance *inst;
	wrt_memory *mem;
	int32_t arg, r = 0;

	NEED(s);
	NEED(m);
	wrt_store_set_memory_limit(s, 4);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	arg = 2;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 1);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	arg = 1;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 3);
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 4);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	arg = 0;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 4);
	mem = wrt_instance_memory(inst);
	CHECK(mem != NULL);
	CHECK_EQ(wrt_memory_size(mem), 4 * 65536);
	CHECK_EQ(wrt_memory_grow(mem, 1), -1);
	/* The whole memory is addressable from the host. */
	wrt_memory_data(mem)[4 * 65536 - 1] = 0x5a;
}

void
test_memory_limit_instantiate(void)
{
	wrt_store *s = unit_store();
	wrt_module *big = unit_fixture("memory_big");
	wrt_module *small = unit_fixture("memory");
	wrt_error err;

	NEED(s);
	NEED(big);
	NEED(small);
	wrt_store_set_memory_limit(s, 4);
	memset(&err, 0, sizeof(err));
	CHECK(wrt_instantiate(s, big, NULL, 0, &err) == NULL);
	CHECKF(err.kind == WRT_ERR_TRAP, "kind %d: %s", (int)err.kind, err.message);
	CHECK_TRAP(s, WRT_TRAP_MEMORY_LIMIT);
	NEED(unit_instantiate(s, small, NULL, 0));
	/* Without the limit the big one instantiates. */
	s = unit_store();
	NEED(s);
	NEED(unit_instantiate(s, big, NULL, 0));
}

/* ---- stack ------------------------------------------------------------------ */

void
test_stack_exhaustion_recovers(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("recurse");
	wrt_instance *inst;
	wrt_func *rec;
	const wrt_trap *t;
	int32_t arg, r = 0;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	rec = unit_export_func(inst, "rec");
	NEED(rec);
	for (int round = 0; round < 3; round++)
	{
		CHECK(!unit_call_i32(s, rec, NULL, NULL));
		t = wrt_store_trap(s);
		CHECK_TRAP(s, WRT_TRAP_STACK_EXHAUSTED);
		CHECK_CONTAINS(t->message, "call stack exhausted");
		NEED(unit_invoke_i32(s, inst, "ok", NULL, &r));
		CHECK_EQ(r, 7);
		arg = 1000;
		NEED(unit_invoke_i32(s, inst, "depth", &arg, &r));
		CHECK_EQ(r, 1000);
	}
}

void
test_stack_frame_limit(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("recurse");
	wrt_instance *inst;
	wrt_func *depth;
	int32_t arg, r = 0;

	NEED(s);
	NEED(m);
	wrt_store_set_stack_limit(s, 1 << 20, 100);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	depth = unit_export_func(inst, "depth");
	NEED(depth);
	arg = 90;
	CHECK(unit_call_i32(s, depth, &arg, &r));
	CHECK_EQ(r, 90);
	arg = 500;
	CHECK(!unit_call_i32(s, depth, &arg, &r));
	CHECK_TRAP(s, WRT_TRAP_STACK_EXHAUSTED);
	arg = 50;
	CHECK(unit_call_i32(s, depth, &arg, &r));
	CHECK_EQ(r, 50);
}
