/*
 * tier.h — the engine's interface to a native tier (machine code).
 *
 * Every function starts in the interpreter.  A native tier is a back end
 * that turns one or more defined functions of a module into machine code;
 * the engine keeps the entry point on the function's wrt_code (so the code
 * belongs to the immutable module and every instance and store shares it)
 * and, from then on, calls it instead of interpreting.  The back end lives
 * in a shared object loaded with dlopen on the first tier-up (the LLVM one
 * is build/wasmrt-llvm.so, runtime/llvm/), as PostgreSQL loads llvmjit.so:
 * a process that never tiers up never maps LLVM.  If the object cannot be
 * loaded the engine keeps interpreting and reports it once (tier.c).
 *
 * The native calling convention ("slot ABI"), the one the interpreter and
 * the engine's helpers use to enter machine code:
 *
 *     bool entry(wrt_instance *inst, wrt_slot *fp);
 *
 * The arguments are in fp[0..), one slot each (two for a v128), as the
 * interpreter lays out a callee's frame; the results are written to
 * fp[0..) the same way.  The caller guarantees that the slots from fp on
 * are free up to the store's value-stack end; the callee checks its own
 * need against that end.  false means a trap, already recorded in the
 * store (kind, message, and backtrace frames innermost first: the native
 * frames append theirs while returning).  Instance state (memory base and
 * size, globals, tables, the store's interrupt flag and depth counter) is
 * reached through inst at run time, never baked into the code, so one
 * compiled module serves every instance, and machine code can later be
 * cached on disk (only the helper names below need relocating).
 *
 * Machine code calls back into the engine through the helpers of
 * wrt_tier_helpers, by name (wrt_tier_h_*): calls that leave the compiled
 * batch (imports, interpreted functions, call_indirect), traps, backtrace
 * frames, interrupt polls, and the table / bulk-memory operations.
 *
 * Depth: a native function counts itself in store->nframes as an
 * interpreted frame does, so the frame limit (wrt_store_set_stack_limit)
 * is the same for mixed stacks; it also checks the C stack against
 * store->native_stack_limit.
 *
 * Fuel: while a fuel budget is set (wrt_store_set_fuel), the engine does
 * not enter machine code: every function runs in the interpreter, which
 * meters it.  Tier-up may still compile, the code is used by later calls
 * without fuel.  Likewise a store whose policy is WRT_TIER_INTERP does not
 * enter machine code compiled earlier (a host turning its tier off, as
 * pgwasm.jit = off does, gets the interpreter at the next call).
 *
 * On-stack replacement (OSR): a call that is already running in the
 * interpreter leaves it at a loop header.  When a back-edge crosses the
 * tiered policy's loop countdown and the function is (now) native, the
 * interpreter asks for the OSR entry of that loop (wrt_tier_osr), which
 * the back end compiles on request from the same body:
 *
 *     bool osr(wrt_instance *inst, wrt_slot *fp);
 *
 * with fp the interpreter's own frame, holding the state at the loop's
 * header as the register compiler lays it out (compile.h, wrt_loopinfo):
 * the locals in fp[0..nlocals), then the live operand-stack values.  The
 * entry runs the rest of the call and writes the results to fp[0..) as an
 * entry does; the interpreter then returns from the frame.  A trap is
 * recorded as by any native code, the OSR'd frame included; the frame
 * counter and the value stack are checked as at an entry (the frame
 * itself counts as a native callee of its interpreted caller would).
 */
#ifndef WRT_TIER_H
#define WRT_TIER_H

#include "internal.h"

/* Bumped whenever anything below, or a struct offset the machine code
 * reads (internal.h), changes: the engine refuses a back end built from
 * other sources. */
#define WRT_TIER_ABI_VERSION 4

typedef bool (*wrt_native_entry)(wrt_instance *inst, wrt_slot *fp);

/* What a tier-up did to one function (wrt_code.tier_state). */
typedef enum wrt_tier_state {
	WRT_TIER_NONE = 0,          /* interpreted, not tried yet */
	WRT_TIER_NATIVE,            /* native entry installed */
	WRT_TIER_REFUSED,           /* the back end does not lower it (e.g. SIMD) */
	WRT_TIER_FAILED,            /* the back end failed: stays interpreted */
	WRT_TIER_COUNTING,          /* interpreted, countdowns armed (tiered) */
	WRT_TIER_LOOPS              /* hot by a loop (tiered): calls start
	                             * interpreted and move to their loops' OSR
	                             * entries; compiled whole once its calls
	                             * reach the call threshold */
} wrt_tier_state;

/*
 * The engine's helpers, called from machine code.  Results of kind
 * uint32_t are a wrt_trapkind (0 = no trap) unless said otherwise: the
 * machine code raises that trap with its own function and offset.
 */
#define WRT_TIER_HELPERS(X) \
	/* record a trap of this kind with its default message, and the frame */ \
	X(void, trap, (wrt_instance *inst, uint32_t kind, uint32_t func, uint32_t offset)) \
	/* add a backtrace frame while a trap unwinds through native code */ \
	X(void, unwind, (wrt_instance *inst, uint32_t func, uint32_t offset)) \
	/* the interrupt flag was found set: 1 to go on, 0 to trap */ \
	X(uint32_t, interrupt, (wrt_instance *inst)) \
	/* call function `func` of the function space with its arguments in \
	 * args (slot ABI); 1 done (results in args), 0 trapped (recorded) */ \
	X(uint32_t, call, (wrt_instance *inst, uint32_t func, wrt_slot *args)) \
	/* call_indirect: the checks, then the call; 1 done, 0 trapped */ \
	X(uint32_t, call_indirect, (wrt_instance *inst, uint32_t table, uint32_t type, \
								uint32_t elem, wrt_slot *args, uint32_t func, uint32_t offset)) \
	/* memory.grow: old pages or (uint32_t) -1 */ \
	X(uint32_t, memory_grow, (wrt_instance *inst, uint32_t delta)) \
	X(uint32_t, memory_init, (wrt_instance *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n)) \
	X(void, data_drop, (wrt_instance *inst, uint32_t seg)) \
	X(uint32_t, memory_copy, (wrt_instance *inst, uint32_t d, uint32_t s, uint32_t n)) \
	X(uint32_t, memory_fill, (wrt_instance *inst, uint32_t d, uint32_t v, uint32_t n)) \
	/* table.get writes the reference to *out */ \
	X(uint32_t, table_get, (wrt_instance *inst, uint32_t table, uint32_t i, void **out)) \
	X(uint32_t, table_set, (wrt_instance *inst, uint32_t table, uint32_t i, void *v)) \
	/* table.size: the size itself */ \
	X(uint32_t, table_size, (wrt_instance *inst, uint32_t table)) \
	/* table.grow: old size or (uint32_t) -1 */ \
	X(uint32_t, table_grow, (wrt_instance *inst, uint32_t table, void *init, uint32_t n)) \
	X(uint32_t, table_fill, (wrt_instance *inst, uint32_t table, uint32_t i, void *v, uint32_t n)) \
	X(uint32_t, table_copy, (wrt_instance *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n)) \
	X(uint32_t, table_init, (wrt_instance *inst, uint32_t table, uint32_t seg, uint32_t d, uint32_t s, uint32_t n)) \
	X(void, elem_drop, (wrt_instance *inst, uint32_t seg)) \
	/* ref.func: the instance's wrt_func of that index */ \
	X(void *, ref_func, (wrt_instance *inst, uint32_t func))

typedef struct wrt_tier_helpers {
#define X(ret, name, args) ret (*name) args;
	WRT_TIER_HELPERS(X)
#undef X
} wrt_tier_helpers;

/* The OSR entry of one loop of a function (wrt_code.osr, per entry of its
 * compiled loop table). */
typedef struct wrt_osr_entry {
	wrt_native_entry entry;     /* NULL: not made (yet) */
	uint8_t tried;              /* the back end was asked */
	int32_t countdown;          /* WRT_TIER_LOOPS: back-edges before it is made */
} wrt_osr_entry;

/* One function's outcome in a batch. */
typedef struct wrt_tier_result {
	wrt_native_entry entry;     /* NULL: refused or failed */
	/* The typed function behind entry, for direct calls from other units'
	 * machine code (wrt_code.native_typed), and the slots above its frame
	 * pointer its unit needs (wrt_code.native_need). */
	void *typed;
	uint32_t need;
	wrt_tier_state state;
	char reason[96];            /* why refused or failed */
} wrt_tier_result;

/*
 * The code cache as the engine offers it to the back end (init).  batch
 * names the unit within the module, printable and file-name safe; the
 * engine adds the module's identity and the back end's target to make the
 * key, and wraps and verifies the object (tier.c).  load returns the
 * object file of that unit from malloc (the caller frees it) or NULL;
 * store keeps a copy of one.  Both do nothing for a module without an
 * identity or without an embedder's cache.  The machine code must be
 * position-independent of the process: everything it refers to outside
 * itself is resolved by name when it is linked (the helpers), never a
 * pointer constant.
 */
typedef struct wrt_tier_cache {
	void *(*load)(wrt_module *m, const char *batch, size_t *len);
	void (*store)(wrt_module *m, const char *batch, const void *obj, size_t len);
} wrt_tier_cache;

/*
 * The back end, as the shared object exports it (wrt_tier_backend_get).
 * compile() lowers the defined functions whose code indices (into
 * m->codes) are listed into one unit of machine code, so calls among them
 * are direct; it fills one result per function.  It returns false only if
 * the whole batch failed (message in err); a refused function is not a
 * failure.  The back end keeps its per-module state in m->tier_module and
 * frees it in module_free.  Not thread-safe per module (neither is the
 * module's lazy compilation).
 */
typedef struct wrt_tier_backend {
	uint32_t abi_version;       /* WRT_TIER_ABI_VERSION */
	const char *name;           /* e.g. "llvm 14.0.6" */
	bool (*init)(const wrt_tier_helpers *helpers, const wrt_tier_cache *cache, char *err, size_t errlen);
	/* After init: everything besides the Wasm code that decides the
	 * machine code (version, target triple, CPU and features, options),
	 * for the code cache's key. */
	const char *(*target)(void);
	bool (*compile)(wrt_module *m, const uint32_t *codes, uint32_t n,
					wrt_tier_result *results, char *err, size_t errlen);
	/* The OSR entry of the ordinal-th loop instruction of code index k
	 * (counted in body order, unreachable ones too), whose header has
	 * stack_slots operand-stack slots live; NULL with err set when it
	 * cannot be made. */
	wrt_native_entry (*compile_osr)(wrt_module *m, uint32_t k, uint32_t ordinal, uint32_t stack_slots,
									char *err, size_t errlen);
	void (*module_free)(wrt_module *m);
} wrt_tier_backend;

typedef const wrt_tier_backend *(*wrt_tier_backend_get_fn)(void);
#define WRT_TIER_BACKEND_SYMBOL "wrt_tier_backend_get"

/* ---- engine side (tier.c) --------------------------------------------- */

/* Slots a native frame of this type needs for its arguments and results. */
uint32_t wrt_tier_window(const wrt_functype *t);

/*
 * A call is about to run `code`: count it and, by the store's policy,
 * compile it (tiered: past the call threshold; eager: the whole module at
 * the first call).  Never fails: a function that cannot be compiled stays
 * interpreted.
 */
void wrt_tier_on_call(wrt_store *s, wrt_module *m, wrt_code *code);
/* An instance of m is being made: the eager policy compiles m now. */
void wrt_tier_on_instantiate(wrt_store *s, wrt_module *m);
/* A loop back-edge of `code` crossed its countdown.  True: the call may
 * move to the loop's OSR entry (wrt_tier_osr), made or to be made. */
bool wrt_tier_on_loop(wrt_store *s, wrt_module *m, wrt_code *code);

/*
 * A back-edge to the loop whose label is at cell `cell` of code's register
 * code crossed the countdown, and code is native: the OSR entry of that
 * loop, made now if not tried yet, or NULL (keep interpreting).  Counts
 * the entry in the stats when it returns one: the caller enters it.
 */
wrt_native_entry wrt_tier_osr(wrt_store *s, wrt_module *m, wrt_code *code, uint32_t cell);

/* The store's policy changed: re-arm the countdowns of its modules. */
void wrt_tier_store_changed(wrt_store *s);
/* Native code may use this much C stack below the outermost call's frame
 * before it traps with "call stack exhausted" (the frame limit usually
 * comes first: 10000 frames of a few hundred bytes). */
#define WRT_NATIVE_STACK_BUDGET ((size_t) 4 << 20)

/* The lowest C stack address native code may use, for an outermost call
 * whose frame is at `frame`: the budget below it, cut to the embedder's
 * floor (NULL: none; the frame itself when the floor is already reached:
 * every native call traps).  Inline: it runs at every outermost call. */
static inline const char *
wrt_tier_stack_limit(const void *frame, const void *floor)
{
	uintptr_t f = (uintptr_t) frame;
	uintptr_t limit = f > WRT_NATIVE_STACK_BUDGET ? f - WRT_NATIVE_STACK_BUDGET : 0;

	if (floor && (uintptr_t) floor > limit)
		limit = (uintptr_t) floor < f ? (uintptr_t) floor : f;
	return (const char *) limit;
}
/*
 * Names and needs of units, one derivation for the engine and the back end:
 * a batch's tag (the code cache's name for it, from the list of code
 * indices as the engine gives it), an OSR entry's tag, the largest slot
 * window of the calls a function makes, and the value-stack slots a unit
 * needs above the frame pointer of its entry (a function and its direct
 * callees in the unit share it).
 */
void wrt_tier_batch_tag(const uint32_t *codes, uint32_t n, char *tag, size_t len);
void wrt_tier_osr_tag(uint32_t k, uint32_t ordinal, uint32_t stack_slots, char *tag, size_t len);
uint32_t wrt_tier_call_window(const wrt_module *m, const wrt_code *code);
uint32_t wrt_tier_unit_need(const wrt_module *m, const uint32_t *codes, uint32_t n);

/* module.c: free the back end's state of a module. */
void wrt_tier_module_free(wrt_module *m);

/* interp.c: run fn with its arguments in the slots at args (slot ABI),
 * from native code of instance caller. */
bool wrt_interp_call_slots(wrt_store *s, wrt_instance *caller, wrt_func *fn, wrt_slot *args);

#endif
