/*
 * chaos.c — guest of sql/abi_fuzz.sql: results made of random memory, to
 * throw at the ABI v2 decoders (records, options, lists of strings, rows of
 * sets).  Each call fills a 64 kB arena from a xorshift generator seeded by
 * its argument: words are mostly small integers (lengths, counts, tags 0-2)
 * or pointers into the arena, sometimes anything; the result points
 * somewhere into the arena.  The allocator is a bump allocator whose free()
 * does nothing, so the host's frees of random pointers are harmless: what
 * is tested is the host's reading, not the guest's heap.
 */
#define PGWASM_CUSTOM_ALLOCATOR
#include "../../examples/c/pgwasm.h"

#define ARENA 65536
static uint8_t arena[ARENA] __attribute__((aligned(8)));
static uint8_t heap[1 << 20] __attribute__((aligned(16)));
static size_t heap_top;
static uint64_t state;

__attribute__((export_name("cabi_realloc"))) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t size)
{
	size_t		at = (heap_top + 15) & ~(size_t) 15;

	(void) old;
	(void) old_size;
	(void) align;
	if (at + size > sizeof(heap))
		at = 0;					/* wrap: old arguments are dead by now */
	heap_top = at + size;
	return heap + at;
}

__attribute__((export_name("free"))) void
guest_free(void *p)
{
	(void) p;
}

static uint32_t
rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t) (state >> 16);
}

static uint32_t
scramble(int64_t seed)
{
	state = (uint64_t) seed * 0x9E3779B97F4A7C15ull + 1;
	for (int i = 0; i < 4; i++)
		(void) rnd();
	for (size_t i = 0; i < ARENA; i += 4)
	{
		uint32_t	r = rnd(),
					w;

		switch (r % 10)
		{
			case 0:
			case 1:
			case 2:
			case 3:
				w = rnd() % 3;	/* tags, discriminants, short lengths */
				break;
			case 4:
			case 5:
				w = rnd() % 12;
				break;
			case 6:
			case 7:
			case 8:
				w = (uint32_t) (uintptr_t) (arena + ((rnd() % ARENA) & ~7u));
				break;
			default:
				w = rnd();
				break;
		}
		memcpy(arena + i, &w, 4);
	}
	/* an area with room after it, on an 8-byte boundary */
	return (uint32_t) (uintptr_t) (arena + ((rnd() % (ARENA - 256)) & ~7u));
}

/* (ptr, len) results: packed in an i64 */
PGWASM_EXPORT(chaos_packed) int64_t
chaos_packed(int32_t seed)
{
	uint32_t	p = scramble(seed);
	uint32_t	n = rnd() % 4 == 0 ? rnd() : rnd() % 8;

	return (int64_t) (((uint64_t) n << 32) | p);
}

/* results through a return area (records, options) */
PGWASM_EXPORT(chaos_area) int32_t
chaos_area(int32_t seed)
{
	return (int32_t) scramble(seed);
}

/* the null-aware form: (option<int4>) -> pointer */
PGWASM_EXPORT(chaos_area_opt) int32_t
chaos_area_opt(int32_t is_some, int32_t seed)
{
	return (int32_t) scramble(is_some ? seed : 0);
}

PGWASM_EXPORT(pgwasm_abi_v2) void
pgwasm_abi_v2(void)
{
}

/* sets: a handle, then random rows; the 12th row is the end */
static int32_t rows_seed,
			rows_n;

PGWASM_EXPORT(chaos_rows) int32_t
chaos_rows(int32_t seed)
{
	rows_seed = seed;
	rows_n = 0;
	return 1;
}

PGWASM_EXPORT(chaos_rows_next) int32_t
chaos_rows_next(int32_t h)
{
	uint32_t	p = scramble((int64_t) rows_seed * 1000 + rows_n);

	(void) h;
	if (++rows_n >= 12)
		arena[p - (uint32_t) (uintptr_t) arena] = 0;
	return (int32_t) p;
}

/* triggers: the answer { skip, unchanged, row } from random memory too */
static int32_t ntrigger;

PGWASM_EXPORT(chaos_trigger) int32_t
chaos_trigger(int32_t call)
{
	(void) call;
	return (int32_t) scramble(++ntrigger);
}
