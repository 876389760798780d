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
#include <string.h>
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

/*
 * The end of memory at every access width (memory_end.wat): an access of n
 * bytes at a traps exactly when a + n passes the size, loads read the last
 * bytes right, and a store writes its n bytes or, trapping, none.  The
 * interpreter's bounds test is one compare against size - 16 and an exact
 * test only near the end, so this walks the last 40 bytes byte by byte, with
 * no pages, one and two (the second grown inside a call), plus addresses
 * far out and a load offset that takes the address past 4 GiB.
 */
#define END_SPAN 40

static const struct
{
	const char *load, *store;
	uint32_t n;
	uint8_t stored[16];         /* the bytes stN stores (little-endian) */
} end_widths[] = {
	{"ld1", "st1", 1, {0xa1}},
	{"ld2", "st2", 2, {0xb2, 0xa2}},
	{"ld4", "st4", 4, {0xd4, 0xc4, 0xb4, 0xa4}},
	{"ld8", "st8", 8, {0x18, 0x08, 0xf8, 0xe8, 0xd8, 0xc8, 0xb8, 0xa8}},
	{"ldf8", "stf8", 8, {0x18, 0x08, 0xf8, 0xe8, 0xd8, 0xc8, 0xf8, 0x7f}},
	{"ld16", "st16", 16, {0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
						  0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87}},
};

/* What ldN returns for the bytes b[0..n) (memory_end.wat's folds). */
static uint32_t
end_fold(const uint8_t *b, uint32_t n)
{
	uint32_t w[4] = {0, 0, 0, 0};

	for (uint32_t i = 0; i < n; i++)
		w[i / 4] |= (uint32_t) b[i] << (8 * (i % 4));
	if (n <= 4)
		return w[0];
	if (n == 8)
		return w[0] ^ w[1];
	return w[0] ^ (w[1] << 8 | w[1] >> 24) ^ (w[2] << 16 | w[2] >> 16) ^ (w[3] << 24 | w[3] >> 8);
}

/* Set the last END_SPAN bytes (those that exist) to a known pattern and
 * record them in shadow[] (shadow[i] is the byte at size - END_SPAN + i). */
static bool
end_fill(wrt_store *s, wrt_instance *inst, uint32_t size, uint8_t *shadow)
{
	for (uint32_t i = 0; i < END_SPAN; i++)
	{
		int64_t a = (int64_t) size - END_SPAN + i;
		int32_t args[2] = {(int32_t) a, (int32_t) ((i * 7 + 1) & 0xff)};

		shadow[i] = (uint8_t) args[1];
		if (a >= 0 && !unit_invoke_i32(s, inst, "poke", args, NULL))
			return false;
	}
	return true;
}

static void
end_walk(wrt_store *s, wrt_instance *inst, uint32_t size)
{
	uint8_t shadow[END_SPAN + 16];
	static const uint32_t far[] = {0x7fffffffu, 0xfffffff0u, 0xffffffffu};

	NEED(end_fill(s, inst, size, shadow));
	memset(shadow + END_SPAN, 0, 16);
	for (size_t w = 0; w < sizeof(end_widths) / sizeof(end_widths[0]); w++)
	{
		uint32_t n = end_widths[w].n;
		wrt_func *ld = unit_export_func(inst, end_widths[w].load);
		wrt_func *st = unit_export_func(inst, end_widths[w].store);

		NEED(ld);
		NEED(st);
		for (int64_t a = (int64_t) size - END_SPAN; a < (int64_t) size + 20 + 3; a++)
		{
			uint32_t ua = a < (int64_t) size + 20 ? (uint32_t) a : far[a - size - 20];
			bool fits = (uint64_t) ua + n <= size;
			int32_t arg = (int32_t) ua, r = 0;

			if (a < 0)
				continue;
			CHECKF(unit_call_i32(s, ld, &arg, &r) == fits, "%s at %u of %u bytes: %s",
				   end_widths[w].load, ua, size, fits ? "trapped" : "did not trap");
			if (fits)
				CHECKF((uint32_t) r == end_fold(shadow + (ua - (size - END_SPAN)), n),
					   "%s at %u of %u bytes read %08x", end_widths[w].load, ua, size, (uint32_t) r);
			/* the store, then every byte of the span as it must be */
			CHECKF(unit_call_i32(s, st, &arg, NULL) == fits, "%s at %u of %u bytes: %s",
				   end_widths[w].store, ua, size, fits ? "trapped" : "did not trap");
			if (fits)
				memcpy(shadow + (ua - (size - END_SPAN)), end_widths[w].stored, n);
			for (uint32_t i = 0; i < END_SPAN; i++)
			{
				int32_t b = (int32_t) (size - END_SPAN + i), v = -1;

				if (size < END_SPAN - i)
					continue;
				NEED(unit_invoke_i32(s, inst, "ld1", &b, &v));
				CHECKF(v == shadow[i], "after %s at %u of %u bytes, byte %d is %02x, not %02x",
					   end_widths[w].store, ua, size, b, v, shadow[i]);
			}
			if (unit_failed())
				return;
		}
	}
	/* a load offset: the address is a + 65532 in 64 bits */
	for (uint32_t k = 0; k < 24; k++)
	{
		uint32_t ua = k < 20 ? size - 65536 + k : far[(k - 20) % 3];
		bool fits = size >= 65536 && k < 20 && (uint64_t) ua + 65532 + 4 <= size;
		int32_t arg = (int32_t) ua, r;

		if (size < 65536 && k < 20)
			continue;
		CHECKF(unit_call_i32(s, unit_export_func(inst, "ld4_off"), &arg, &r) == fits,
			   "ld4_off at %u + 65532 of %u bytes: %s", ua, size, fits ? "trapped" : "did not trap");
	}
}

void
test_memory_end_every_width(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("memory_end");
	wrt_instance *inst;
	int32_t arg, r = -2;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	end_walk(s, inst, 0);
	arg = 0;
	CHECK(!unit_call_i32(s, unit_export_func(inst, "ld1"), &arg, &r));
	arg = 1;
	NEED(unit_invoke_i32(s, inst, "grow", &arg, &r));
	CHECK_EQ(r, 0);
	end_walk(s, inst, PAGE);
	/* grown inside the call: its first access beyond the old end must see it */
	arg = 2 * PAGE - 1;
	NEED(unit_invoke_i32(s, inst, "grow_ld1", &arg, &r));
	CHECK_EQ(r, 0);
	end_walk(s, inst, 2 * PAGE);
}
