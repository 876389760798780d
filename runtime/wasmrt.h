/*
 * wasmrt.h — public API of the pgwasm WebAssembly runtime.
 *
 * This is the only header an embedder (the PostgreSQL glue in src/, the
 * command-line runner, the spec runner, the fuzzers) includes.  The engine is
 * pure C11 with no dependency on PostgreSQL: every failure is returned as a
 * value (a result code plus a message in a wrt_error / wrt_trap), never by
 * longjmp, so a host can translate it into its own error system.
 *
 * Object model (the same as wasm-c-api / wasmtime, reduced):
 *   wrt_module    immutable result of decode + validate; owns the lazily
 *                 compiled register code of its functions, so one module can
 *                 back many instances.  Not thread-safe (lazy compilation).
 *   wrt_store     owns every runtime object (instances, functions, tables,
 *                 memories, globals) created in it, the execution stack, the
 *                 limits (stack, fuel, memory, interrupt flag) and the last
 *                 trap.  Freeing the store frees all of them.
 *   wrt_instance  mutable state of one instantiation (its memories, tables,
 *                 globals, dropped-segment flags).
 *   wrt_func / wrt_table / wrt_memory / wrt_global
 *                 externals, shareable between instances of one store.
 *
 * Ownership: wrt_module_load() returns a module the caller frees with
 * wrt_module_free(), after every store that instantiated it is freed.
 * Every allocation goes through the wrt_allocator given at creation, so a host
 * can account for memory (PostgreSQL routes it to a memory context).
 */
#ifndef WASMRT_H
#define WASMRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ----------------------------------------------------------- */

typedef enum wrt_valtype {
	WRT_I32 = 0x7f,
	WRT_I64 = 0x7e,
	WRT_F32 = 0x7d,
	WRT_F64 = 0x7c,
	WRT_V128 = 0x7b,            /* 128-bit vector (fixed-width SIMD) */
	WRT_FUNCREF = 0x70,
	WRT_EXTERNREF = 0x6f
} wrt_valtype;

/*
 * A Wasm value.  Floats are kept as their bit patterns by the engine (NaN
 * payloads are preserved); the float members are conveniences for hosts.
 * A funcref is a wrt_func * (NULL = ref.null); an externref is an opaque host
 * pointer (NULL = ref.null).  A v128 is its 16 bytes in memory order (byte i
 * is byte i of the vector as v128.store writes it, so lane k of an i32x4 is
 * bytes 4k..4k+3, little-endian).  Scalars use only the first 8 bytes.
 */
typedef union wrt_value {
	int32_t i32;
	int64_t i64;
	float f32;
	double f64;
	void *ref;
	uint64_t bits;
	uint8_t v128[16];
} wrt_value;

typedef struct wrt_functype {
	uint32_t nparams;
	uint32_t nresults;
	const uint8_t *params;      /* wrt_valtype codes */
	const uint8_t *results;
} wrt_functype;

typedef enum wrt_externkind {
	WRT_EXTERN_FUNC = 0,
	WRT_EXTERN_TABLE = 1,
	WRT_EXTERN_MEMORY = 2,
	WRT_EXTERN_GLOBAL = 3
} wrt_externkind;

typedef struct wrt_limits {
	uint64_t min;
	uint64_t max;               /* valid only if has_max */
	bool has_max;
} wrt_limits;

/* Type of an import or export, as introspection reports it. */
typedef struct wrt_externtype {
	wrt_externkind kind;
	wrt_functype func;          /* WRT_EXTERN_FUNC */
	uint8_t elemtype;           /* WRT_EXTERN_TABLE: WRT_FUNCREF/EXTERNREF */
	wrt_limits limits;          /* WRT_EXTERN_TABLE, WRT_EXTERN_MEMORY (pages) */
	uint8_t valtype;            /* WRT_EXTERN_GLOBAL */
	bool mutable_;              /* WRT_EXTERN_GLOBAL */
} wrt_externtype;

/* ---- allocation --------------------------------------------------------- */

typedef struct wrt_allocator {
	void *(*alloc)(void *ud, size_t size);
	void *(*realloc)(void *ud, void *ptr, size_t size);
	void (*free)(void *ud, void *ptr);
	void *ud;
} wrt_allocator;

/* malloc/realloc/free; used when a NULL allocator is passed. */
extern const wrt_allocator wrt_default_allocator;

/* ---- errors and traps ------------------------------------------------- */

typedef enum wrt_errkind {
	WRT_OK = 0,
	WRT_ERR_MALFORMED,          /* binary decoding failed */
	WRT_ERR_INVALID,            /* validation failed */
	WRT_ERR_UNSUPPORTED,        /* valid Wasm we do not implement */
	WRT_ERR_LINK,               /* import missing or of the wrong type */
	WRT_ERR_LIMIT,              /* an engine limit (sizes, counts) */
	WRT_ERR_OOM,
	WRT_ERR_INTERRUPTED,        /* the interrupt handler stopped loading or compiling */
	WRT_ERR_TRAP                /* instantiation trapped (see wrt_store_trap) */
} wrt_errkind;

typedef struct wrt_error {
	wrt_errkind kind;
	uint32_t offset;            /* byte offset in the module, when known */
	char message[256];
} wrt_error;

typedef enum wrt_trapkind {
	WRT_TRAP_NONE = 0,
	WRT_TRAP_UNREACHABLE,       /* "unreachable" */
	WRT_TRAP_MEMORY_OOB,        /* "out of bounds memory access" */
	WRT_TRAP_TABLE_OOB,         /* "out of bounds table access", "undefined element" */
	WRT_TRAP_INDIRECT_NULL,     /* "uninitialized element" */
	WRT_TRAP_INDIRECT_TYPE,     /* "indirect call type mismatch" */
	WRT_TRAP_DIV_ZERO,          /* "integer divide by zero" */
	WRT_TRAP_INT_OVERFLOW,      /* "integer overflow" */
	WRT_TRAP_INVALID_CONVERSION,/* "invalid conversion to integer" */
	WRT_TRAP_STACK_EXHAUSTED,   /* "call stack exhausted" */
	WRT_TRAP_FUEL_EXHAUSTED,    /* "fuel exhausted" */
	WRT_TRAP_INTERRUPTED,       /* the host's interrupt flag was set */
	WRT_TRAP_MEMORY_LIMIT,      /* instantiation needs more than the memory limit */
	WRT_TRAP_HOST,              /* a host function failed */
	WRT_TRAP_EXIT,              /* WASI proc_exit; exit code in wrt_trap.exit_code */
	WRT_TRAP_OOM,               /* the engine could not allocate */
	WRT_TRAP_CODE_LIMIT         /* compiling the callee would exceed the module's code limit */
} wrt_trapkind;

#define WRT_MAX_BACKTRACE 16

typedef struct wrt_frameinfo {
	uint32_t func_index;        /* index in its module's function space */
	uint32_t offset;            /* byte offset of the instruction in the module */
	const char *name;           /* from the name section or export, or NULL */
} wrt_frameinfo;

typedef struct wrt_trap {
	wrt_trapkind kind;
	int32_t exit_code;          /* WRT_TRAP_EXIT */
	char message[256];
	uint32_t nframes;           /* innermost first */
	wrt_frameinfo frames[WRT_MAX_BACKTRACE];
} wrt_trap;

/* Short stable name of a trap kind ("unreachable", "memory_oob", ...). */
const char *wrt_trapkind_name(wrt_trapkind kind);

/* ---- modules ---------------------------------------------------------- */

typedef struct wrt_module wrt_module;

/*
 * Decode and validate a binary module.  The bytes are copied.  On failure
 * returns NULL and fills *err (kind MALFORMED / INVALID / UNSUPPORTED / OOM),
 * with the spec test suite's wording where it has one.
 */
wrt_module *wrt_module_load(const uint8_t *bytes, size_t len,
							const wrt_allocator *alloc, wrt_error *err);
void wrt_module_free(wrt_module *m);

/*
 * What loading and compiling may cost.  Validation and compilation are
 * linear in the module's size (function types are limited to
 * WRT_MAX_ARITY parameters and as many results, and compiled code is at most
 * a constant factor of the body), but a big module still takes time: both
 * poll the interrupt flag every few thousand instructions and, when it is set,
 * ask the handler (as wrt_store_set_interrupt_handler does) whether to go on;
 * a stop fails with WRT_ERR_INTERRUPTED.  The options are kept by the module,
 * so lazy compilation at a first call polls the same way.  max_code_bytes
 * caps the register code (plus its offset map) of all the module's compiled
 * functions together: compiling past it fails with WRT_ERR_LIMIT
 * (WRT_TRAP_CODE_LIMIT at a call).  0 = WRT_DEFAULT_CODE_LIMIT.
 */
#define WRT_MAX_ARITY 1000
#define WRT_DEFAULT_CODE_LIMIT ((size_t) 256 << 20)
typedef struct wrt_load_options {
	volatile int *interrupt;
	bool (*interrupt_handler)(void *ud);
	void *interrupt_ud;
	size_t max_code_bytes;
} wrt_load_options;

/* wrt_module_load with options (NULL = none: no polling, default limit). */
wrt_module *wrt_module_load_ex(const uint8_t *bytes, size_t len, const wrt_allocator *alloc,
							   const wrt_load_options *opts, wrt_error *err);
/* Replace the options of a loaded module (for its later compilations). */
void wrt_module_set_options(wrt_module *m, const wrt_load_options *opts);
/* Bytes of compiled code the module holds now (counted against the limit). */
size_t wrt_module_code_bytes(const wrt_module *m);
/*
 * Work units spent so far validating and compiling this module: one per
 * instruction, per value type compared or copied, per stack entry touched
 * and per code cell emitted.  A cost oracle for the fuzzers: it must stay
 * within a constant factor of the module's size.
 */
uint64_t wrt_module_work(const wrt_module *m);

uint32_t wrt_module_import_count(const wrt_module *m);
/* Fills module/name (not NUL-terminated: lengths given) and type. */
void wrt_module_import(const wrt_module *m, uint32_t i,
					   const char **module, uint32_t *module_len,
					   const char **name, uint32_t *name_len,
					   wrt_externtype *type);
uint32_t wrt_module_export_count(const wrt_module *m);
void wrt_module_export(const wrt_module *m, uint32_t i,
					   const char **name, uint32_t *name_len,
					   wrt_externtype *type);
/* Export by name; returns false if absent. */
bool wrt_module_find_export(const wrt_module *m, const char *name, size_t name_len,
							wrt_externtype *type);
/* Function name from the name section (or NULL). */
const char *wrt_module_func_name(const wrt_module *m, uint32_t func_index);
/* Compile every function now instead of on first call (benchmarks, fuzzing). */
bool wrt_module_compile_all(wrt_module *m, wrt_error *err);
/* Debugging: print the register code of a defined function to a FILE *
 * (compiling it if needed).  False if func_index is not a defined function. */
bool wrt_module_disasm(wrt_module *m, uint32_t func_index, void *file, wrt_error *err);
/* The same with each operand cell raw, as [low half|high half]: the format
 * of earlier versions, to compare the code two versions of the compiler emit. */
bool wrt_module_disasm_cells(wrt_module *m, uint32_t func_index, void *file, wrt_error *err);
/* Debugging and tests: compile every defined function and check its
 * register code against the instruction table (ir.def): lengths, slots,
 * branch targets.  *nfuncs (if not NULL) gets the number verified.  False
 * with err naming the function and the problem. */
bool wrt_module_verify_code(wrt_module *m, uint32_t *nfuncs, wrt_error *err);

/* ---- stores and limits ------------------------------------------------ */

typedef struct wrt_store wrt_store;
typedef struct wrt_instance wrt_instance;
typedef struct wrt_func wrt_func;
typedef struct wrt_table wrt_table;
typedef struct wrt_memory wrt_memory;
typedef struct wrt_global wrt_global;

wrt_store *wrt_store_new(const wrt_allocator *alloc);
void wrt_store_free(wrt_store *s);

/*
 * Limits.  The stack limit bounds the engine's own value stack (bytes) and
 * the number of live Wasm frames, the outermost included (max_frames 50: a
 * recursion from the host runs 50 deep), the same whichever tier runs
 * them; exceeding either traps with WRT_TRAP_STACK_EXHAUSTED.  Defaults:
 * 1 MiB of value stack, 10000 frames.
 */
void wrt_store_set_stack_limit(wrt_store *s, size_t value_stack_bytes, uint32_t max_frames);
/*
 * Machine code of the native tier runs on the caller's C stack: an
 * outermost call may use up to 4 MiB below its frame, and a deeper call
 * traps WRT_TRAP_STACK_EXHAUSTED.  An embedder whose thread has less room
 * (a PostgreSQL backend under a small `ulimit -s`, a thread with a small
 * stack) gives the lowest address native code may reach; the budget is
 * then cut to it.  NULL: no floor.
 */
void wrt_store_set_native_stack_floor(wrt_store *s, const void *floor);
/* Memory limit in 64 KiB pages for every memory of the store; memory.grow
 * beyond it returns -1, instantiation beyond it traps WRT_TRAP_MEMORY_LIMIT.
 * 0 = only the module's own maximum (and 65536). */
void wrt_store_set_memory_limit(wrt_store *s, uint32_t max_pages);
/*
 * Where linear memories live.  By default (enable = true), on POSIX systems,
 * a memory the store creates is not allocated through the wrt_allocator: the
 * engine reserves address space for its maximum size (the declared maximum,
 * at most 4 GiB, and at most the store's memory limit at creation) and
 * commits pages as it grows, so memory.grow takes the same short time for a
 * page or for gigabytes, and new pages use no memory until written.
 * Reserved address space is not memory: wrt_instance_memory_usage counts
 * committed bytes only.  A memory that outgrows its reservation (the limit
 * was raised since) moves to a larger one once.  With enable = false, or
 * where reserving fails, memories are allocated through the allocator and
 * grow by realloc.  Applies to memories created afterwards.
 */
void wrt_store_set_memory_mapping(wrt_store *s, bool enable);
/* Table budget: the total number of elements (8 bytes of host memory each)
 * all tables of the store may hold; instantiation beyond it fails with
 * WRT_ERR_LIMIT and table.grow returns -1.  0 = the default, 10,000,000. */
void wrt_store_set_table_limit(wrt_store *s, uint64_t max_elements);
/*
 * Interrupt flag: polled at function entries and loop back-edges; when
 * non-zero the running call traps with WRT_TRAP_INTERRUPTED.  The engine never
 * writes it.  NULL (the default) polls a flag that is never set.
 */
void wrt_store_set_interrupt(wrt_store *s, volatile int *flag);
/*
 * Interrupt handler: called when a poll finds the flag set.  It returns true
 * if execution may continue (the host dealt with the interrupt, which was
 * harmless), false to trap with WRT_TRAP_INTERRUPTED.  It must not call into
 * the store.  Without a handler, a set flag always traps.
 */
void wrt_store_set_interrupt_handler(wrt_store *s, bool (*handler)(void *ud), void *ud);
/*
 * Fuel: a work budget for each subsequent outermost wrt_call (0 =
 * unlimited), in units of about one instruction.  Charged, without
 * per-instruction cost, at function entry with the number of Wasm
 * instructions of the function outside its loops (plus 1 per 8 declared
 * locals, which the call clears), at each loop iteration with the number of
 * instructions directly in that loop's body, and by bulk operations in
 * proportion to their length (1 per 64 bytes of memory.fill/copy/init and
 * memory.grow, 1 per 8 table elements): so a budget of N bounds the time of
 * any code to about that of N simple instructions.
 */
void wrt_store_set_fuel(wrt_store *s, uint64_t fuel);
/*
 * Native tier (tier.h, docs/runtime.md).  Every function starts in the
 * interpreter; with a native tier, machine code compiled by a separately
 * loaded back end (build/wasmrt-llvm.so, LLVM) runs it instead:
 *   WRT_TIER_INTERP  never compile, nor run code compiled before (the
 *                    default);
 *   WRT_TIER_TIERED  compile a function once its calls reach
 *                    call_threshold or its loop back-edges loop_threshold
 *                    (its later calls run native; a call already running
 *                    moves to native code at the loop header whose
 *                    back-edge crossed the countdown: on-stack
 *                    replacement, unless a fuel budget is set);
 *   WRT_TIER_EAGER   compile every function of a module, as one unit,
 *                    before the first call into it.
 * Thresholds of 0 take the defaults.  While a fuel budget is set, every
 * function runs in the interpreter (fuel is metered there only).  A
 * function the back end does not lower (one using v128, for now) stays
 * interpreted; so does everything if the back end cannot be loaded, which
 * is reported once (wrt_tier_set_notice, wrt_tier_status).
 */
typedef enum wrt_tier_mode {
	WRT_TIER_INTERP = 0,
	WRT_TIER_TIERED,
	WRT_TIER_EAGER
} wrt_tier_mode;
#define WRT_TIER_DEFAULT_CALLS 1000
#define WRT_TIER_DEFAULT_LOOPS 10000
typedef struct wrt_tier_settings {
	wrt_tier_mode mode;
	uint32_t call_threshold;
	uint32_t loop_threshold;
} wrt_tier_settings;
void wrt_store_set_tier(wrt_store *s, const wrt_tier_settings *settings);
/* "interp", "tiered", "eager" -> mode; false for anything else. */
bool wrt_tier_mode_parse(const char *name, wrt_tier_mode *mode);
/*
 * Process-wide: the back end's path (NULL: the environment variable
 * WRT_TIER_LIBRARY, else wasmrt-llvm.so beside the executable, else the
 * dynamic loader's search); must be set before the first tier-up.  The
 * notice callback receives, once, the message of a back end that cannot
 * be loaded (the engine itself prints nothing).
 */
void wrt_tier_set_library(const char *path);
void wrt_tier_set_notice(void (*notice)(void *ud, const char *message), void *ud);
/* NULL while the back end is loaded or was never needed, else why it is
 * unavailable. */
const char *wrt_tier_status(void);
/*
 * Load and initialise the back end now rather than at the first tier-up:
 * for a process that forks workers which then find it ready (PostgreSQL's
 * postmaster, with pgwasm.jit_preload).  True if it is available (also
 * when it already was); false reports why, as a tier-up would.
 */
bool wrt_tier_preload(void);
/* Whether the back end is loaded (by a tier-up or wrt_tier_preload). */
bool wrt_tier_loaded(void);
/* What tiering did: per module, or over the process (module NULL). */
typedef struct wrt_tier_stats {
	uint64_t compiled;          /* functions now native */
	uint64_t refused;           /* functions the back end does not lower */
	uint64_t failed;            /* functions whose compilation failed */
	uint64_t batches;           /* compilations (one or more functions each) */
	uint64_t compile_ns;        /* wall time spent in the back end */
	uint64_t wasm_bytes;        /* body bytes of the functions compiled */
	uint64_t osr_compiled;      /* on-stack replacement entries made (one per loop) */
	uint64_t osr_entries;       /* running calls moved to native code at a loop */
	uint64_t cache_hits;        /* machine code taken from the code cache (not compiled) */
	uint64_t cache_misses;      /* looked up in the code cache, absent */
	uint64_t cache_rejects;     /* found damaged or not matching its key: ignored */
} wrt_tier_stats;
void wrt_tier_get_stats(const wrt_module *m, wrt_tier_stats *out);
/*
 * The code cache (process-wide; NULL: none): machine code the back end
 * compiled for a module is stored under a key and taken from there again
 * by another process instead of being compiled (docs/runtime.md, "code
 * cache").  Keys are printable and file-name safe: the module's identity
 * in 64 hex digits, then '-' and the rest.  load returns the bytes stored
 * under key in memory from malloc (the engine frees them) and their
 * length, or NULL; store keeps a copy.  Both may fail silently: the
 * engine verifies what load returns (a damaged or foreign entry is
 * ignored, compiled again and stored again) and a failed store only costs
 * a compile later.  Only modules with an identity are cached.
 */
typedef struct wrt_code_cache {
	void *arg;
	void *(*load)(void *arg, const char *key, size_t *len);
	void (*store)(void *arg, const char *key, const void *bytes, size_t len);
} wrt_code_cache;
void wrt_tier_set_code_cache(const wrt_code_cache *cache);
/* The module's identity for the code cache: the SHA-256 of its bytes,
 * which the embedder computes (it decides whose machine code runs, so it
 * must be a cryptographic hash of exactly the bytes loaded). */
void wrt_module_set_identity(wrt_module *m, const uint8_t sha256[32]);
/* The last reason a function of m was refused or failed (or NULL). */
const char *wrt_tier_last_refusal(void);

/* Fuel consumed by the last wrt_call under a budget (wrt_store_set_fuel);
 * 0 without one: unlimited calls are not metered. */
uint64_t wrt_store_fuel_consumed(const wrt_store *s);
/* The trap of the last failed call or instantiation. */
const wrt_trap *wrt_store_trap(const wrt_store *s);

/* ---- externals -------------------------------------------------------- */

typedef struct wrt_extern {
	wrt_externkind kind;
	union {
		wrt_func *func;
		wrt_table *table;
		wrt_memory *memory;
		wrt_global *global;
	} u;
} wrt_extern;

/* Context of a host function call. */
typedef struct wrt_hostcall wrt_hostcall;

/*
 * A host function.  Return true on success with results written; return
 * false after wrt_hostcall_trap() to fail, which traps the Wasm caller with
 * WRT_TRAP_HOST (or the kind given).
 */
typedef bool (*wrt_host_callback)(wrt_hostcall *call, void *user,
								  const wrt_value *args, wrt_value *results);

wrt_func *wrt_func_new_host(wrt_store *s, const wrt_functype *type,
							wrt_host_callback cb, void *user);
void wrt_func_type(const wrt_func *f, wrt_functype *type);

/* Inside a host callback: the calling instance's memory 0 (or NULL). */
wrt_memory *wrt_hostcall_memory(wrt_hostcall *call);
wrt_instance *wrt_hostcall_instance(wrt_hostcall *call);
/* Record a trap for the failing host call; printf-style message. */
void wrt_hostcall_trap(wrt_hostcall *call, wrt_trapkind kind, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void wrt_hostcall_exit(wrt_hostcall *call, int32_t code);

wrt_global *wrt_global_new(wrt_store *s, wrt_valtype type, bool mutable_, wrt_value v);
wrt_value wrt_global_get(const wrt_global *g);
void wrt_global_set(wrt_global *g, wrt_value v);

wrt_table *wrt_table_new(wrt_store *s, wrt_valtype elemtype, wrt_limits limits, void *init);
uint32_t wrt_table_size(const wrt_table *t);
bool wrt_table_get(const wrt_table *t, uint32_t i, void **ref);

wrt_memory *wrt_memory_new(wrt_store *s, wrt_limits limits);
/* Base and byte size; both change after growth: re-read them after any call. */
uint8_t *wrt_memory_data(wrt_memory *m);
uint64_t wrt_memory_size(const wrt_memory *m);
/* Grow by delta pages; returns the old size in pages or -1. */
int64_t wrt_memory_grow(wrt_memory *m, uint32_t delta_pages);

/* ---- instances -------------------------------------------------------- */

/*
 * Instantiate: imports[i] must match the module's import i.  Runs element and
 * data initialisation and the start function.  On failure returns NULL:
 * err->kind WRT_ERR_LINK for an unusable import (message "incompatible import
 * type" / "unknown import"), WRT_ERR_TRAP when initialisation or start trapped
 * (details in wrt_store_trap()), WRT_ERR_OOM.
 */
wrt_instance *wrt_instantiate(wrt_store *s, wrt_module *m,
							  const wrt_extern *imports, size_t nimports,
							  wrt_error *err);
wrt_module *wrt_instance_module(const wrt_instance *inst);
bool wrt_instance_export(const wrt_instance *inst, const char *name, size_t name_len,
						 wrt_extern *out);
/* Memory index 0 of the instance, or NULL. */
wrt_memory *wrt_instance_memory(const wrt_instance *inst);

/*
 * Reset: take a snapshot of the instance's current state (memories, globals,
 * tables, dropped segments) and later restore it.  wrt_instantiate takes a
 * snapshot of the freshly-instantiated state; a host that runs its own
 * initialisation (e.g. WASI _initialize) snapshots again after it.  Memory is
 * saved up to its last non-zero byte, so a reset costs one memcpy of the
 * initialised data plus clearing what the guest dirtied above it.
 */
bool wrt_instance_snapshot(wrt_instance *inst);
bool wrt_instance_reset(wrt_instance *inst);
/* Bytes of host memory the instance's own objects currently use. */
size_t wrt_instance_memory_usage(const wrt_instance *inst);

/* ---- calls ------------------------------------------------------------ */

/*
 * Call a function.  args holds nparams values; results receives nresults.
 * Returns true on success; on a trap returns false and wrt_store_trap()
 * describes it.  May be called from inside a host callback (re-entrant).
 */
bool wrt_call(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results);

/* ---- WASI preview1 subset --------------------------------------------- */

/*
 * Host callbacks the WASI subset routes to.  write() receives the bytes for
 * fd 1/2 (stdout/stderr) and returns 0, a WASI errno, or -1 to trap the
 * guest with WRT_TRAP_HOST (an error the guest must not be able to ignore,
 * such as a query cancel raised while printing); random() fills buf
 * (returns 0 or errno); clock() returns nanoseconds for clock id 0 (realtime)
 * or 1 (monotonic).  Any NULL callback answers ENOSYS / EBADF.
 */
typedef struct wrt_wasi_config {
	int (*write)(void *ud, int fd, const uint8_t *buf, size_t len);
	int (*random)(void *ud, uint8_t *buf, size_t len);
	int64_t (*clock)(void *ud, int clock_id);
	void *ud;
	/* argv for args_get/args_sizes_get (the runner); NULL = none. */
	int argc;
	char **argv;
} wrt_wasi_config;

typedef struct wrt_wasi wrt_wasi;

wrt_wasi *wrt_wasi_new(wrt_store *s, const wrt_wasi_config *cfg);
/*
 * Resolve one import of module "wasi_snapshot_preview1" by name.  Returns NULL
 * if the name is not in the subset or the type does not match.
 */
wrt_func *wrt_wasi_resolve(wrt_wasi *w, const char *name, size_t name_len,
						   const wrt_functype *type);

/* Helpers. */
const char *wrt_valtype_name(uint8_t t);
bool wrt_functype_equal(const wrt_functype *a, const wrt_functype *b);

#ifdef __cplusplus
}
#endif
#endif /* WASMRT_H */
