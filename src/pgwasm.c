/*
 * pgwasm.c — module entry point: configuration parameters, callback
 * registration, and the allocator that hands the engine PostgreSQL memory.
 *
 * The engine (runtime/) is plain C and reports allocation failure by
 * returning NULL; it must never see a longjmp.  So its allocator uses
 * MemoryContextAllocExtended with MCXT_ALLOC_NO_OOM, and MCXT_ALLOC_HUGE
 * because a Wasm linear memory may legitimately exceed 1 GB.  Routing the
 * engine into memory contexts gives one context per lifetime (a compiled
 * module, an instance) that is visible in MemoryContextStats and freed as a
 * whole.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"
#include "utils/memutils.h"

#include "pgwasm.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			pgwasm_max_module_size = 16 * 1024 * 1024;
int			pgwasm_max_memory_kb = 64 * 1024;
int			pgwasm_max_stack = 1024 * 1024;
double		pgwasm_fuel = 0;
int			pgwasm_module_cache_size = 16;

uint64		pgwasm_limits_generation = 1;

/* ---- engine allocator ----------------------------------------------------- */

/*
 * Each block carries its requested size in a header, because PostgreSQL 15
 * has no non-throwing repalloc: realloc is alloc + copy + free, and the copy
 * needs the old size.  The header is MAXALIGN'd so the engine sees the same
 * alignment palloc gives.
 */
typedef union EngineChunk
{
	Size		size;
	char		align[MAXALIGN(sizeof(Size))];
} EngineChunk;

#define ENGINE_HDR sizeof(EngineChunk)

static void *
engine_alloc(void *ud, size_t size)
{
	EngineChunk *c;

	if (size > MaxAllocHugeSize - ENGINE_HDR)
		return NULL;
	c = MemoryContextAllocExtended((MemoryContext) ud, size + ENGINE_HDR,
								   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (c == NULL)
		return NULL;
	c->size = size;
	return (char *) c + ENGINE_HDR;
}

static void
engine_free(void *ud, void *ptr)
{
	if (ptr != NULL)
		pfree((char *) ptr - ENGINE_HDR);
}

static void *
engine_realloc(void *ud, void *ptr, size_t size)
{
	EngineChunk *old;
	void	   *p;

	if (ptr == NULL)
		return engine_alloc(ud, size);
	old = (EngineChunk *) ((char *) ptr - ENGINE_HDR);
	if (size <= old->size && old->size - size < 4096)
	{
		/* Shrinking a little: keep the block, as realloc(3) may. */
		old->size = size;
		return ptr;
	}
	p = engine_alloc(ud, size);
	if (p == NULL)
		return NULL;
	memcpy(p, ptr, Min(old->size, size));
	pfree(old);
	return p;
}

void
pgwasm_allocator_init(wrt_allocator *a, MemoryContext cxt)
{
	a->alloc = engine_alloc;
	a->realloc = engine_realloc;
	a->free = engine_free;
	a->ud = cxt;
}

/* ---- configuration -------------------------------------------------------- */

/* Stores apply limits lazily: tell them something changed. */
static void
limits_assign_int(int newval, void *extra)
{
	pgwasm_limits_generation++;
}

static void
limits_assign_real(double newval, void *extra)
{
	pgwasm_limits_generation++;
}

void
_PG_init(void)
{
	DefineCustomIntVariable("pgwasm.max_module_size",
							"Largest WebAssembly module wasm.install_module accepts.",
							NULL,
							&pgwasm_max_module_size,
							16 * 1024 * 1024, 8, MaxAllocSize / 2,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgwasm.max_memory",
							"Largest linear memory of one WebAssembly instance.",
							"Rounded down to whole 64 kB pages; memory.grow beyond it fails.",
							&pgwasm_max_memory_kb,
							64 * 1024, 64, 4 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, limits_assign_int, NULL);

	DefineCustomIntVariable("pgwasm.max_stack",
							"Value stack size of one WebAssembly instance.",
							"Deeper recursion traps with \"call stack exhausted\".",
							&pgwasm_max_stack,
							1024 * 1024, 64 * 1024, 256 * 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, limits_assign_int, NULL);

	/* PostgreSQL 15 has no int8 GUCs: a real holds integers up to 2^53. */
	DefineCustomRealVariable("pgwasm.fuel",
							 "Instruction budget of one WebAssembly function call (0 = unlimited).",
							 NULL,
							 &pgwasm_fuel,
							 0, 0, 9007199254740992.0,
							 PGC_SUSET, 0,
							 NULL, limits_assign_real, NULL);

	DefineCustomIntVariable("pgwasm.module_cache_size",
							"Number of compiled WebAssembly modules each backend keeps.",
							NULL,
							&pgwasm_module_cache_size,
							16, 1, 10000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("pgwasm");

	pgwasm_cache_init();
}
