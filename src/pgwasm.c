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

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "pgwasm.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			pgwasm_max_module_size = 16 * 1024 * 1024;
int			pgwasm_max_code_size = 128 * 1024 * 1024;
int			pgwasm_max_memory_kb = 64 * 1024;
int			pgwasm_max_stack = 1024 * 1024;
double		pgwasm_fuel = 0;
int			pgwasm_module_cache_size = 16;

uint64		pgwasm_limits_generation = 1;

/* ---- engine allocator ----------------------------------------------------- */

/*
 * Each block carries its size and capacity in a header, because PostgreSQL
 * 15 has no non-throwing repalloc: realloc is alloc + copy + free, and the
 * copy needs the old size.  The header is MAXALIGN'd so the engine sees the
 * same alignment palloc gives.
 *
 * Linear memories normally do not come through here: the engine maps them
 * itself (address space reserved up to pgwasm.max_memory, pages committed
 * as they grow, see runtime/vmem.c), so a large memory.grow is quick enough
 * not to delay a cancel, and wasm.stats() counts what is committed.  Where
 * it cannot map them they grow by realloc, often one 64 kB page at a time
 * (a bump allocator, sbrk), so a large block grows geometrically: its
 * capacity is raised by half again, and the next few grows need no copy.
 * The engine zeroes every newly grown byte itself, so spare capacity may
 * hold anything.
 */
typedef struct EngineChunkHeader
{
	Size		size;			/* what the engine asked for */
	Size		capacity;		/* what was allocated (>= size) */
} EngineChunkHeader;

typedef union EngineChunk
{
	EngineChunkHeader h;
	char		align[MAXALIGN(sizeof(EngineChunkHeader))];
} EngineChunk;

#define ENGINE_HDR sizeof(EngineChunk)
/* Blocks at least this large grow geometrically. */
#define ENGINE_GEOMETRIC_MIN (64 * 1024)

static EngineChunk *
engine_chunk_alloc(MemoryContext cxt, Size capacity)
{
	if (capacity > MaxAllocHugeSize - ENGINE_HDR)
		return NULL;
	return MemoryContextAllocExtended(cxt, capacity + ENGINE_HDR,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void *
engine_alloc(void *ud, size_t size)
{
	EngineChunk *c = engine_chunk_alloc((MemoryContext) ud, size);

	if (c == NULL)
		return NULL;
	c->h.size = size;
	c->h.capacity = size;
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
	EngineChunk *c = NULL;
	Size		capacity = size;

	if (ptr == NULL)
		return engine_alloc(ud, size);
	old = (EngineChunk *) ((char *) ptr - ENGINE_HDR);

	/* Fits, and does not waste more than three quarters: keep the block. */
	if (size <= old->h.capacity && size >= old->h.capacity / 4)
	{
		old->h.size = size;
		return ptr;
	}
	if (size > old->h.size && size >= ENGINE_GEOMETRIC_MIN)
		capacity = Max(size, old->h.capacity + old->h.capacity / 2);
	if (capacity > size)
		c = engine_chunk_alloc((MemoryContext) ud, capacity);
	if (c == NULL)
	{
		capacity = size;
		c = engine_chunk_alloc((MemoryContext) ud, capacity);
	}
	if (c == NULL)
	{
		/* A failed shrink is no failure: keep the bigger block. */
		if (size <= old->h.capacity)
		{
			old->h.size = size;
			return ptr;
		}
		return NULL;
	}
	c->h.size = size;
	c->h.capacity = capacity;
	memcpy((char *) c + ENGINE_HDR, ptr, Min(old->h.size, size));
	pfree(old);
	return (char *) c + ENGINE_HDR;
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

/*
 * The upper bound of pgwasm.max_module_size: 512 MB, the figure users write
 * ('512MB').  Every buffer sized from a module stays below MaxAllocSize (1 GB
 * - 1) with room to spare: the bytea argument, its zstd frame
 * (ZSTD_compressBound adds about 1/256), and the decompressed copy.
 */
#define PGWASM_MAX_MODULE_SIZE_LIMIT (512 * 1024 * 1024)
StaticAssertDecl(PGWASM_MAX_MODULE_SIZE_LIMIT + PGWASM_MAX_MODULE_SIZE_LIMIT / 128 < MaxAllocSize - VARHDRSZ,
				 "a module of pgwasm.max_module_size bytes and its zstd frame must fit one palloc");

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

/*
 * The engine polls InterruptPending while it validates and compiles.  It
 * stops only for an interrupt that will end the statement (cancel, timeout,
 * terminate) and only where CHECK_FOR_INTERRUPTS() can raise it: the caller
 * then does (pgwasm_report_load_error, the call path).  Harmless interrupts
 * wait until the load is done; it is linear in the module's size.
 */
static bool
load_may_continue(void *ud)
{
	return !INTERRUPTS_CAN_BE_PROCESSED() || !(QueryCancelPending || ProcDiePending);
}

void
pgwasm_load_options(wrt_load_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->interrupt = (volatile int *) &InterruptPending;
	opts->interrupt_handler = load_may_continue;
	opts->max_code_bytes = (size_t) pgwasm_max_code_size;
}

void
_PG_init(void)
{
	DefineCustomIntVariable("pgwasm.max_module_size",
							"Largest WebAssembly module wasm.install_module accepts.",
							NULL,
							&pgwasm_max_module_size,
							16 * 1024 * 1024, 8, PGWASM_MAX_MODULE_SIZE_LIMIT,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgwasm.max_code_size",
							"Largest amount of compiled code one WebAssembly module may hold in a backend.",
							"Compiling a function past it fails with an error; compiled code is at most about 40 bytes per byte of function body.",
							&pgwasm_max_code_size,
							128 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024,
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

	pgwasm_jit_init();
	pgwasm_code_cache_init();

	MarkGUCPrefixReserved("pgwasm");
	pgwasm_jit_preload_backend();

	pgwasm_cache_init();
	pgwasm_citus_init();
}
