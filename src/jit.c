/*
 * jit.c — the engine's native tier inside PostgreSQL: the pgwasm.jit*
 * settings, where the back end is loaded from, how its absence is reported,
 * and the one place a store's tiering is configured (pgwasm_configure_tier).
 *
 * The native tier (runtime/tier.h, docs/runtime.md) compiles hot functions
 * to machine code with LLVM.  Its back end is a shared object of its own,
 * wasmrt-llvm.so, installed in $libdir beside pgwasm.so and loaded with
 * dlopen on the first tier-up of the backend, as PostgreSQL loads its own
 * llvmjit.so: a backend that never compiles a function never maps libLLVM.
 * It resolves the few engine functions it reads Wasm with (the instruction
 * reader) from pgwasm.so, which PostgreSQL loads RTLD_GLOBAL; everything else
 * it needs from the engine comes through the helper table it is given.
 *
 * Settings, in the style of PostgreSQL's jit_* (all USERSET: they change
 * only how fast a function runs, never what it computes or what it may do;
 * the sandbox, limits, traps and messages are the interpreter's):
 *   pgwasm.jit                 on/off; on by default only where the back
 *                              end is installed (so an installation built
 *                              without LLVM stays quiet);
 *   pgwasm.jit_call_threshold  compile a function after this many calls;
 *   pgwasm.jit_loop_threshold  ... or this many loop iterations;
 *                              0 in either: compile the whole module before
 *                              its first call (the engine's eager policy);
 *                              -1: that counter never triggers compilation.
 *   pgwasm.jit_library         (superuser, connection start) the back end's
 *                              path, $libdir/wasmrt-llvm.so by default;
 *   pgwasm.jit_preload         (read at server start, off by default) with pgwasm
 *                              in shared_preload_libraries, the postmaster
 *                              loads and initialises the back end, so every
 *                              backend it forks has it ready: the first
 *                              tier-up of a backend (a code cache hit, or a
 *                              compile) no longer pays dlopen of libLLVM
 *                              and its initialisation, and the mapping is
 *                              shared rather than made again per backend.
 *                              Off, a backend that never tiers up never
 *                              maps libLLVM.
 * A change takes effect at the next call: the assign hooks bump
 * pgwasm_limits_generation, which makes every instance re-apply its limits
 * (cache.c, apply_limits) and with them its tiering.  While pgwasm.fuel is
 * set every function is interpreted (fuel is metered only there: the
 * engine's rule).
 *
 * A back end that cannot be loaded is reported once per backend, as a
 * WARNING, and every function stays interpreted.
 */
#include "postgres.h"

#include <limits.h>
#include <unistd.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "pgwasm.h"

#define PGWASM_JIT_LIBRARY_DEFAULT "$libdir/wasmrt-llvm.so"

bool		pgwasm_jit = false;
bool		pgwasm_jit_preload = false;
int			pgwasm_jit_call_threshold = WRT_TIER_DEFAULT_CALLS;
int			pgwasm_jit_loop_threshold = WRT_TIER_DEFAULT_LOOPS;
char	   *pgwasm_jit_library = NULL;

/* The expanded path the engine was given (for wasm.jit_stats()). */
static char library_path[MAXPGPATH];

/* The library path with $libdir expanded, into out (no allocation: it runs
 * in a GUC assign hook, which must not fail). */
static void
expand_library(const char *value, char *out)
{
	const char *v = value && *value ? value : PGWASM_JIT_LIBRARY_DEFAULT;

	if (strncmp(v, "$libdir", 7) == 0 && (v[7] == '/' || v[7] == '\0'))
		snprintf(out, MAXPGPATH, "%s%s", pkglib_path, v + 7);
	else
		strlcpy(out, v, MAXPGPATH);
}

static void
library_assign(const char *newval, void *extra)
{
	/* The engine tries the library once per process, at the first tier-up;
	 * a path set afterwards is kept but not used (PGC_SU_BACKEND). */
	expand_library(newval, library_path);
	wrt_tier_set_library(library_path);
}

const char *
pgwasm_jit_library_path(void)
{
	return library_path[0] ? library_path : PGWASM_JIT_LIBRARY_DEFAULT;
}

/* Stores re-apply their settings at their next call. */
static void
jit_assign_bool(bool newval, void *extra)
{
	pgwasm_limits_generation++;
}

static void
jit_assign_int(int newval, void *extra)
{
	pgwasm_limits_generation++;
}

/*
 * The engine hands the reason a back end cannot be loaded to this callback,
 * once per process, from inside a call (the first tier-up).  It must not
 * longjmp out through the engine's frames: an error raised while reporting
 * (out of memory) is swallowed here.
 */
static void
tier_notice(void *ud, const char *message)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("pgwasm: %s", message),
				 errdetail("Every WebAssembly function of this session runs in the interpreter."),
				 errhint("Install the native tier's library (wasmrt-llvm.so, built where llvm-config-14 exists) or set pgwasm.jit = off.")));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
	}
	PG_END_TRY();
}

/*
 * The lowest address of this process's C stack that machine code may reach.
 * The engine lets an outermost call use 4 MiB below its frame; a backend's
 * stack may have less room left (a small `ulimit -s`, a deep call chain
 * above us), and PostgreSQL's own check_stack_depth() never runs inside
 * machine code.  So cut the budget to the stack's real size, measured from
 * the base PostgreSQL recorded (set_stack_base returns it), keeping the
 * same slop PostgreSQL keeps below max_stack_depth for code that does not
 * check.  NULL when the size is unknown or unlimited: the engine's budget
 * alone.
 */
#define NATIVE_STACK_SLOP (512 * 1024L)

static const char *
native_stack_floor(void)
{
	static bool computed = false;
	static const char *floor = NULL;

	if (!computed)
	{
		pg_stack_base_t base = set_stack_base();
		long		rlimit = get_stack_depth_rlimit();

		restore_stack_base(base);
		if (base != NULL && rlimit > NATIVE_STACK_SLOP && rlimit < (1L << 30) &&
			(uintptr_t) base > (uintptr_t) rlimit)
			floor = (const char *) base - (rlimit - NATIVE_STACK_SLOP);
		computed = true;
	}
	return floor;
}

void
pgwasm_configure_tier(wrt_store *store)
{
	wrt_tier_settings t;

	memset(&t, 0, sizeof(t));
	if (!pgwasm_jit ||
		(pgwasm_jit_call_threshold < 0 && pgwasm_jit_loop_threshold < 0))
		t.mode = WRT_TIER_INTERP;
	else if (pgwasm_jit_call_threshold == 0 || pgwasm_jit_loop_threshold == 0)
		t.mode = WRT_TIER_EAGER;
	else
	{
		t.mode = WRT_TIER_TIERED;
		/* -1: a count the store never reaches (the engine caps it). */
		t.call_threshold = pgwasm_jit_call_threshold < 0 ? UINT32_MAX
			: (uint32) pgwasm_jit_call_threshold;
		t.loop_threshold = pgwasm_jit_loop_threshold < 0 ? UINT32_MAX
			: (uint32) pgwasm_jit_loop_threshold;
	}
	/* Re-arms the countdowns of the store's modules: only on a change. */
	wrt_store_set_tier(store, &t);
	pgwasm_code_cache_configure();
	wrt_store_set_native_stack_floor(store, native_stack_floor());
}

void
pgwasm_jit_init(void)
{
	char		probe[MAXPGPATH];

	DefineCustomStringVariable("pgwasm.jit_library",
							   "Shared library of the native tier (machine code for hot WebAssembly functions).",
							   "Loaded on the first tier-up of a backend; $libdir is PostgreSQL's library directory.",
							   &pgwasm_jit_library,
							   PGWASM_JIT_LIBRARY_DEFAULT,
							   PGC_SU_BACKEND, 0,
							   NULL, library_assign, NULL);

	/*
	 * On by default where the back end is installed: hot functions then run
	 * as machine code, which is the point of the tier, and a backend that
	 * never tiers up pays nothing for it.  Where it is not (pgwasm built
	 * without LLVM) the default is off, so such installations stay quiet;
	 * turning it on there says once that the library is missing.
	 */
	expand_library(pgwasm_jit_library, probe);
	DefineCustomBoolVariable("pgwasm.jit",
							 "Compiles hot WebAssembly functions to machine code (the native tier).",
							 "On by default when the native tier's library is installed.",
							 &pgwasm_jit,
							 access(probe, R_OK) == 0,
							 PGC_USERSET, 0,
							 NULL, jit_assign_bool, NULL);

	DefineCustomIntVariable("pgwasm.jit_call_threshold",
							"Calls after which a WebAssembly function is compiled to machine code.",
							"0 compiles the whole module before its first call; -1 never compiles for calls.",
							&pgwasm_jit_call_threshold,
							WRT_TIER_DEFAULT_CALLS, -1, INT_MAX,
							PGC_USERSET, 0,
							NULL, jit_assign_int, NULL);

	DefineCustomIntVariable("pgwasm.jit_loop_threshold",
							"Loop iterations after which a WebAssembly function is compiled to machine code.",
							"0 compiles the whole module before its first call; -1 never compiles for loops.",
							&pgwasm_jit_loop_threshold,
							WRT_TIER_DEFAULT_LOOPS, -1, INT_MAX,
							PGC_USERSET, 0,
							NULL, jit_assign_int, NULL);

	DefineCustomBoolVariable("pgwasm.jit_preload",
							 "Loads the native tier's library in the postmaster, for every backend.",
							 "Only with pgwasm in shared_preload_libraries: backends then tier up without loading libLLVM themselves.",
							 &pgwasm_jit_preload,
							 false,
							 /* read once, by the postmaster preloading pgwasm; not
							  * PGC_POSTMASTER, which a library loaded after start
							  * may not define */
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	wrt_tier_set_notice(tier_notice, NULL);
}

/*
 * In the postmaster, while shared_preload_libraries loads pgwasm: load and
 * initialise the back end once for every backend to inherit.  A failure is
 * reported (to the server log) as a backend's first tier-up would report
 * it, and the backends inherit the verdict: interpreted, no second try.
 */
void
pgwasm_jit_preload_backend(void)
{
	if (!process_shared_preload_libraries_in_progress || !pgwasm_jit_preload || !pgwasm_jit)
		return;
	(void) wrt_tier_preload();
}

/* ---- wasm.jit_stats() ------------------------------------------------------- */

PG_FUNCTION_INFO_V1(pgwasm_jit_stats);

/*
 * One row: the back end's path and state in this backend, and what the tier
 * did here over every module.
 */
Datum
pgwasm_jit_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	wrt_tier_stats st;
	const char *status = wrt_tier_status();
	Datum		values[14];
	bool		nulls[14] = {0};

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	wrt_tier_get_stats(NULL, &st);

	values[0] = CStringGetTextDatum(pgwasm_jit_library_path());
	/* The engine tries the library at the first tier-up: until then it is
	 * neither loaded nor known to be missing. */
	values[1] = CStringGetTextDatum(status ? "unavailable" : wrt_tier_loaded() ? "loaded" : "not loaded");
	if (status)
		values[2] = CStringGetTextDatum(status);
	else
		nulls[2] = true;
	values[3] = Int64GetDatum((int64) st.compiled);
	values[4] = Int64GetDatum((int64) st.refused);
	values[5] = Int64GetDatum((int64) st.failed);
	values[6] = Int64GetDatum((int64) st.batches);
	values[7] = Float8GetDatum((double) st.compile_ns / 1e6);
	values[8] = Int64GetDatum((int64) st.wasm_bytes);
	values[9] = Int64GetDatum((int64) st.osr_compiled);
	values[10] = Int64GetDatum((int64) st.osr_entries);
	values[11] = Int64GetDatum((int64) st.cache_hits);
	values[12] = Int64GetDatum((int64) st.cache_misses);
	values[13] = Int64GetDatum((int64) st.cache_rejects);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
