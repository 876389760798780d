/*
 * test_memory.c — unit tests of linear memory growth (issue 11): a large
 * memory.grow makes no page resident and takes the same short time as a
 * small one, the grown pages read as zero, a reset shrinks the memory back
 * and gives the pages up, a grow past the limit returns -1, and a memory
 * whose reservation is outgrown after the limit was raised keeps its
 * contents.  Each test runs with the engine's own mapping (the default) and
 * with memories from the allocator (wrt_store_set_memory_mapping false).
 *
 * The residency check reads /proc/self/statm, so it runs on Linux only; the
 * time of the grow is printed, not asserted (a loaded machine would make
 * any bound flaky), since residency is what made the old grow slow.
 */
#include "unit.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024 * 1024)
#define PAGE 65536

/* Resident bytes of this process, or -1 where /proc is not there. */
static int64_t
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, resident;
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%ld %ld", &size, &resident);
	fclose(f);
	return n == 2 ? (int64_t) resident * sysconf(_SC_PAGESIZE) : -1;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool
store8(wrt_store *s, wrt_instance *inst, uint32_t addr, int32_t v)
{
	int32_t args[2] = {(int32_t) addr, v};

	return unit_invoke_i32(s, inst, "store8", args, NULL);
}

static bool
load8(wrt_store *s, wrt_instance *inst, uint32_t addr, int32_t *r)
{
	int32_t a = (int32_t) addr;

	return unit_invoke_i32(s, inst, "load8", &a, r);
}

/*
 * Grow reset.wat's one-page memory by `pages` under a limit of 1 + pages,
 * check residency and contents, fail one page more, reset, grow again.
 */
static void
grow_large(bool mapping, uint32_t pages, const char *what)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reset");
	wrt_instance *inst;
	int32_t arg, r = -2;
	int64_t rss0, rss1;
	uint32_t last = (1 + pages) * (uint32_t) PAGE - 1;
	double t0, ms;

	NEED(s);
	NEED(m);
	wrt_store_set_memory_mapping(s, mapping);
	wrt_store_set_memory_limit(s, 1 + pages);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);

	rss0 = resident_bytes();
	arg = (int32_t) pages;
	t0 = now_ms();
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	ms = now_ms() - t0;
	rss1 = resident_bytes();
	fprintf(stderr, "    memory.grow of %s (%s): %.3f ms, resident +%.1f MiB\n", what,
			mapping ? "mapped" : "allocator", ms,
			rss0 >= 0 ? (double) (rss1 - rss0) / MiB : -1.0);
	CHECK_EQ(r, 1);
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 1 + pages);
	/* Growing wrote nothing: the new pages are not resident yet. */
	if (mapping && rss0 >= 0)
		CHECKF(rss1 - rss0 < 64 * MiB, "resident memory grew by %" PRId64 " bytes", rss1 - rss0);

	/* The new pages read as zero and are writable up to the last byte. */
	NEED(load8(s, inst, PAGE, &r));
	CHECK_EQ(r, 0);
	NEED(load8(s, inst, last, &r));
	CHECK_EQ(r, 0);
	NEED(store8(s, inst, last, 7));
	NEED(store8(s, inst, PAGE + 3, 9));
	NEED(load8(s, inst, last, &r));
	CHECK_EQ(r, 7);
	NEED(load8(s, inst, 0, &r));
	CHECK_EQ(r, 'h');
	CHECK(wrt_memory_data(wrt_instance_memory(inst))[last] == 7);

	/* One page more is beyond the limit: -1, and nothing changes. */
	arg = 1;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	NEED(load8(s, inst, last, &r));
	CHECK_EQ(r, 7);

	/* Reset: back to one page with its data segment. */
	CHECK(wrt_instance_reset(inst));
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 1);
	CHECK_EQ(wrt_memory_size(wrt_instance_memory(inst)), PAGE);
	NEED(load8(s, inst, 0, &r));
	CHECK_EQ(r, 'h');
	CHECK(!unit_call_i32(s, unit_export_func(inst, "load8"), (int32_t[]) {PAGE}, &r));
	CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);

	/* Grown again, the pages written before the reset read as zero. */
	arg = (int32_t) pages;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 1);
	NEED(load8(s, inst, last, &r));
	CHECK_EQ(r, 0);
	NEED(load8(s, inst, PAGE + 3, &r));
	CHECK_EQ(r, 0);
}

void
test_memory_grow_2gib_mapped(void)
{
	grow_large(true, 32768, "2 GiB");
}

void
test_memory_grow_1gib_mapped(void)
{
	grow_large(true, 16384, "1 GiB");
}

void
test_memory_grow_allocator(void)
{
	grow_large(false, 1024, "64 MiB");
}

/*
 * A reset to a snapshot with dirty pages above the data: the whole tail (a
 * large one is replaced by fresh pages) reads as zero afterwards.
 */
static void
reset_large_tail(bool mapping)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reset");
	wrt_instance *inst;
	int32_t arg = 63, r = -2;

	NEED(s);
	NEED(m);
	wrt_store_set_memory_mapping(s, mapping);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 1);
	NEED(store8(s, inst, 70000, 1));
	CHECK(wrt_instance_snapshot(inst));        /* 64 pages, used up to 70001 */
	for (uint32_t a = 70001; a < 64u * PAGE; a += 4093)
		NEED(store8(s, inst, a, 0x55));
	NEED(store8(s, inst, 64u * PAGE - 1, 0x55));
	CHECK(wrt_instance_reset(inst));
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 64);
	NEED(load8(s, inst, 70000, &r));
	CHECK_EQ(r, 1);
	for (uint32_t a = 70001; a < 64u * PAGE; a += 4093)
	{
		NEED(load8(s, inst, a, &r));
		CHECKF(r == 0, "byte %u is %d after reset", a, r);
	}
	NEED(load8(s, inst, 64u * PAGE - 1, &r));
	CHECK_EQ(r, 0);
}

void
test_memory_reset_large_tail(void)
{
	reset_large_tail(true);
	if (unit_failed())
		return;
	reset_large_tail(false);
}

/*
 * The limit is raised after the memory was created: the memory outgrows the
 * address space reserved for the old limit, moves, and keeps its contents.
 */
static void
limit_raised(bool mapping)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("reset");
	wrt_instance *inst;
	int32_t arg = 1, r = -2;

	NEED(s);
	NEED(m);
	wrt_store_set_memory_mapping(s, mapping);
	wrt_store_set_memory_limit(s, 2);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 1);
	NEED(store8(s, inst, PAGE + 5, 9));
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	wrt_store_set_memory_limit(s, 64);
	arg = 30;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 2);
	NEED(load8(s, inst, PAGE + 5, &r));
	CHECK_EQ(r, 9);
	NEED(load8(s, inst, 0, &r));
	CHECK_EQ(r, 'h');
	NEED(load8(s, inst, 32u * PAGE - 1, &r));
	CHECK_EQ(r, 0);
	arg = 32;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 32);
	arg = 1;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, -1);
	CHECK(wrt_instance_reset(inst));
	NEED(unit_invoke_i32(s, inst, "size", NULL, &r));
	CHECK_EQ(r, 1);
	NEED(load8(s, inst, 0, &r));
	CHECK_EQ(r, 'h');
}

void
test_memory_limit_raised_moves(void)
{
	limit_raised(true);
	if (unit_failed())
		return;
	limit_raised(false);
}
