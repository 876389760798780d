/*
 * internal.h — data structures shared by the runtime's translation units:
 * the decoded module (immutable after wrt_module_load), the runtime objects
 * of a store (mutable), the byte reader used by the decoder and validator,
 * and the internal entry points that connect decode.c, validate.c,
 * compile.c, interp.c and instance.c.  Not installed; embedders use wasmrt.h.
 */
#ifndef WRT_INTERNAL_H
#define WRT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wasmrt.h"

#define WRT_PAGE_SIZE 65536u
#define WRT_MAX_PAGES 65536u            /* 4 GiB: the wasm32 ceiling */
#define WRT_MAX_TABLE 10000000u         /* elements: engine limit per table */
#define WRT_MAX_TABLE_TOTAL 10000000u   /* default budget over a store's tables */
#define WRT_MAX_LOCALS 50000u           /* per function, params included */
#define WRT_MAX_FUNCS 1000000u
#define WRT_MAX_PARAMS 1000u

#if defined(__GNUC__)
#define WRT_LIKELY(x) __builtin_expect(!!(x), 1)
#define WRT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WRT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WRT_LIKELY(x) (x)
#define WRT_UNLIKELY(x) (x)
#define WRT_PRINTF(a, b)
#endif

/* ---- allocation --------------------------------------------------------- */

static inline void *wrt_alloc(const wrt_allocator *a, size_t n) { return a->alloc(a->ud, n ? n : 1); }
static inline void *wrt_realloc(const wrt_allocator *a, void *p, size_t n) { return a->realloc(a->ud, p, n ? n : 1); }
static inline void wrt_free(const wrt_allocator *a, void *p) { if (p) a->free(a->ud, p); }
/* Zeroed allocation of n * size with overflow check; NULL on failure. */
void *wrt_calloc(const wrt_allocator *a, size_t n, size_t size);

/* Fill an error (printf-style). Always returns false for tail use. */
bool wrt_set_error(wrt_error *err, wrt_errkind kind, uint32_t offset, const char *fmt, ...) WRT_PRINTF(4, 5);

/* ---- frame slots -------------------------------------------------------- */

/*
 * One 8-byte slot of the interpreter's value stack (a local or an operand).
 * A scalar or reference takes one slot; a v128 takes two consecutive slots,
 * low 8 bytes first (the "slot pair" model, docs/runtime.md): frames of
 * scalar code stay as dense as before SIMD, and only code using v128 pays
 * for it.  wrt_value, the public value, is 16 bytes; values cross between
 * the two at wrt_call, host calls and globals.
 */
typedef union wrt_slot {
	int32_t i32;
	int64_t i64;
	float f32;
	double f64;
	void *ref;
	uint64_t bits;
} wrt_slot;

/* Slots taken by a value of type t, and by a list of types. */
static inline uint32_t wrt_valtype_slots(uint8_t t) { return t == WRT_V128 ? 2 : 1; }
static inline uint32_t
wrt_types_slots(const uint8_t *types, uint32_t n)
{
	uint32_t k = n;
	for (uint32_t i = 0; i < n; i++)
		k += types[i] == WRT_V128;
	return k;
}

/* A signature with a v128 parameter or result: its values do not map one
 * to one onto slots (the register code's wide_sig, the native wide flag). */
static inline bool
wrt_sig_wide(const uint8_t *params, uint32_t np, const uint8_t *results, uint32_t nr)
{
	return wrt_types_slots(params, np) != np || wrt_types_slots(results, nr) != nr;
}

/* ---- byte reader ------------------------------------------------------- */

/*
 * Cursor over module bytes.  Every read checks bounds; on failure it records
 * the spec wording ("unexpected end", "integer representation too long",
 * "integer too large") in *err and returns false.
 */
typedef struct wrt_reader {
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *base;        /* start of the module, for offsets */
	wrt_error *err;
} wrt_reader;

static inline uint32_t wrt_reader_offset(const wrt_reader *r) { return (uint32_t)(r->p - r->base); }

bool wrt_read_u8(wrt_reader *r, uint8_t *out);
bool wrt_read_u32(wrt_reader *r, uint32_t *out);     /* unsigned LEB128, <= 5 bytes */
bool wrt_read_s32(wrt_reader *r, int32_t *out);      /* signed LEB128, <= 5 bytes */
bool wrt_read_s33(wrt_reader *r, int64_t *out);      /* block types */
bool wrt_read_s64(wrt_reader *r, int64_t *out);      /* signed LEB128, <= 10 bytes */
bool wrt_read_bytes(wrt_reader *r, size_t n, const uint8_t **out);
/* A length-prefixed UTF-8 name; "malformed UTF-8 encoding" if invalid. */
bool wrt_read_name(wrt_reader *r, const char **name, uint32_t *len);

/* ---- the decoded module ------------------------------------------------ */

/* A constant expression: bytes of its instructions including the final end. */
typedef struct wrt_constexpr {
	const uint8_t *start;
	uint32_t len;
} wrt_constexpr;

typedef struct wrt_import {
	const char *module;
	uint32_t module_len;
	const char *name;
	uint32_t name_len;
	uint8_t kind;               /* wrt_externkind */
	uint32_t index;             /* index in the function/table/memory/global space */
} wrt_import;

typedef struct wrt_export {
	const char *name;
	uint32_t name_len;
	uint8_t kind;
	uint32_t index;
} wrt_export;

typedef struct wrt_tabletype {
	uint8_t elemtype;
	wrt_limits limits;
} wrt_tabletype;

typedef struct wrt_globaldef {
	uint8_t type;
	bool mut;
	wrt_constexpr init;         /* defined globals only */
} wrt_globaldef;

typedef enum wrt_segmode {
	WRT_SEG_ACTIVE,
	WRT_SEG_PASSIVE,
	WRT_SEG_DECLARATIVE
} wrt_segmode;

typedef struct wrt_elem {
	uint8_t mode;               /* wrt_segmode */
	uint8_t reftype;
	uint32_t table;             /* active */
	wrt_constexpr offset;       /* active */
	uint32_t count;
	/* Either function indices (the compact encodings) or expressions. */
	uint32_t *funcs;            /* non-NULL: funcs[i] is a function index */
	wrt_constexpr *exprs;       /* non-NULL: ref.func / ref.null / global.get */
} wrt_elem;

typedef struct wrt_data {
	uint8_t mode;               /* ACTIVE or PASSIVE */
	uint32_t memory;
	wrt_constexpr offset;
	const uint8_t *bytes;
	uint32_t len;
} wrt_data;

struct wrt_compiled;            /* compile.c: register code of one function */

typedef struct wrt_code {
	uint32_t func_index;        /* in the function space */
	uint32_t type_index;
	uint32_t nlocals;           /* params + declared locals */
	uint8_t *local_types;       /* nlocals entries: params first */
	const uint8_t *body;        /* first instruction (after local decls) */
	const uint8_t *body_end;    /* one past the final end */
	uint32_t max_stack;         /* operand-stack height bound (validator) */
	struct wrt_compiled *compiled;  /* NULL until first call */
	/* Native tier (tier.h): the machine code's entry once compiled, what
	 * the last tier-up did, and the countdowns of calls and loop
	 * back-edges to the next look at the tiering policy (the interpreter
	 * decrements them; below zero it calls tier.c). */
	bool (*native)(struct wrt_instance *inst, union wrt_slot *fp);
	/* The same machine code's typed function (tier.h), which native code
	 * of other units calls directly, and the value-stack slots its unit
	 * needs above the frame pointer it is given. */
	void *native_typed;
	uint32_t native_need;
	uint8_t tier_state;         /* wrt_tier_state */
	uint32_t native_window;     /* slots of arguments/results (slot ABI) */
	bool native_wide;           /* a v128 argument or result (wrt_sig_wide) */
	int32_t tier_calls;
	int32_t tier_loops;
	/* On-stack replacement entries (tier.h), one per loop of compiled's
	 * table, made on request: NULL until the first request. */
	struct wrt_osr_entry *osr;
} wrt_code;

struct wrt_module {
	wrt_allocator alloc;
	uint8_t *bytes;             /* owned copy; all pointers below point into it */
	size_t size;

	uint32_t ntypes;
	wrt_functype *types;

	uint32_t nimports;
	wrt_import *imports;

	/* Function space: imports first, then defined functions. */
	uint32_t nfuncs;
	uint32_t nfunc_imports;
	uint32_t *func_types;       /* nfuncs type indices */
	wrt_code *codes;            /* nfuncs - nfunc_imports entries */

	uint32_t ntables;
	uint32_t ntable_imports;
	wrt_tabletype *tables;

	uint32_t nmems;
	uint32_t nmem_imports;
	wrt_limits *mems;           /* pages */

	uint32_t nglobals;
	uint32_t nglobal_imports;
	wrt_globaldef *globals;

	uint32_t nexports;
	wrt_export *exports;

	bool has_start;
	uint32_t start;

	uint32_t nelems;
	wrt_elem *elems;

	bool has_datacount;
	uint32_t datacount;
	uint32_t ndatas;
	wrt_data *datas;

	/* Functions referenced outside function bodies (exports, elem segments,
	 * global initialisers): the only ones ref.func may name.  Bitmap over
	 * the function space, filled by the decoder. */
	uint8_t *func_declared;

	/* Name section: function names (NUL-terminated copies), or NULL. */
	char **func_names;

	/* Polling and limits of validation and compilation (wasmrt.h). */
	wrt_load_options opts;
	bool no_fuse;               /* tests: compile without fusions (compile.c, fuse.c), to compare */
	size_t code_bytes;          /* compiled code held, against opts.max_code_bytes */
	uint64_t work;              /* wrt_module_work */

	/* Native tier: the back end's state (its JIT and machine code, freed
	 * with the module), whether the eager policy compiled the module, and
	 * what tiering did to it. */
	void *tier_module;
	/* Units linked from the code cache without the back end (tier.c,
	 * objload.h): a list, unmapped with the module. */
	struct wrt_tier_object *tier_objects;
	bool tier_all_done;
	wrt_tier_stats tier_stats;
	/* The code cache's key prefix (wrt_module_set_identity): the SHA-256
	 * in hex, or empty: not cached. */
	char identity[65];
};

/* Poll the load options' interrupt flag: true to go on, false (after
 * setting *err to WRT_ERR_INTERRUPTED) to stop. */
bool wrt_module_poll(wrt_module *m, wrt_error *err, uint32_t offset);

static inline bool
wrt_module_func_is_declared(const wrt_module *m, uint32_t f)
{
	return f < m->nfuncs && (m->func_declared[f >> 3] >> (f & 7)) & 1;
}

static inline const wrt_functype *
wrt_module_functype(const wrt_module *m, uint32_t func_index)
{
	return &m->types[m->func_types[func_index]];
}

/* decode.c: binary format -> wrt_module (no validation of code). */
wrt_module *wrt_decode(const uint8_t *bytes, size_t len, const wrt_allocator *alloc,
					   wrt_error *err);
/* decode.c: free everything wrt_decode allocated (and compiled code). */
void wrt_module_destroy(wrt_module *m);

/* validate.c: module-level checks and every function body.  Also records
 * wrt_code.max_stack for the compiler. */
bool wrt_validate(wrt_module *m, wrt_error *err);

/* compile.c: translate one defined function to register code. */
bool wrt_compile(wrt_module *m, wrt_code *code, wrt_error *err);
void wrt_compiled_free(const wrt_allocator *a, struct wrt_compiled *c);
/* compile.c: byte offset in the module of the instruction at code pc. */
uint32_t wrt_compiled_offset(const struct wrt_compiled *c, const void *pc);

/* ---- runtime objects ---------------------------------------------------- */

struct wrt_func {
	uint32_t type_id;           /* interned in the store: call_indirect check */
	wrt_functype type;          /* points into the module or the store */
	wrt_instance *inst;         /* NULL for host functions */
	wrt_code *code;             /* defined function: its code entry */
	wrt_host_callback cb;       /* host function */
	void *user;
};

struct wrt_memory {
	uint8_t *data;
	uint64_t size;              /* bytes = pages * 64 KiB */
	uint32_t pages;
	uint32_t max_pages;         /* declared max capped at 65536 (the store limit is checked per grow) */
	wrt_store *store;
};

struct wrt_table {
	void **elems;
	uint32_t size;
	uint32_t max;               /* effective maximum */
	uint8_t elemtype;
	wrt_store *store;
};

struct wrt_global {
	wrt_value v;                /* a v128 global uses all 16 bytes */
	uint8_t type;
	bool mut;
};

struct wrt_snapshot;

struct wrt_instance {
	wrt_store *store;
	wrt_module *mod;
	wrt_func **funcs;           /* function space */
	wrt_table **tables;
	wrt_memory **mems;
	wrt_global **globals;
	uint32_t *type_ids;         /* interned id of each module type */
	uint8_t *elem_dropped;      /* per segment: dropped (or active, applied) */
	uint8_t *data_dropped;
	wrt_memory *mem0;           /* mems[0] or NULL: the interpreter's fast path */
	struct wrt_snapshot *snapshot;
};

/* A live Wasm activation, for backtraces and re-entrant calls (interp.c). */
typedef struct wrt_frame {
	const void *ret_pc;         /* caller's pc to resume */
	wrt_slot *fp;               /* caller's slot base */
	wrt_code *code;             /* caller's function */
	wrt_instance *inst;         /* caller's instance if the call crossed into
								 * another one, else NULL (the callee's): a
								 * module's own calls never read or write it */
} wrt_frame;

struct wrt_store {
	wrt_allocator alloc;

	/* Every object created in the store, freed with it. */
	void **objects;
	uint8_t *object_kinds;
	size_t nobjects, objects_cap;

	/* Interned function types (call_indirect compares ids). */
	wrt_functype *types;
	uint32_t ntypes, types_cap;

	/* Limits. */
	size_t stack_bytes;
	uint32_t max_frames;
	uint32_t memory_limit_pages;    /* 0 = none */
	bool memory_no_vmem;            /* linear memories from the allocator only */
	uint64_t table_limit;           /* elements over all tables; 0 = WRT_MAX_TABLE_TOTAL */
	uint64_t table_elems;           /* elements allocated by the store's tables */
	volatile int *interrupt;
	bool (*interrupt_handler)(void *ud);
	void *interrupt_ud;
	uint64_t fuel;                  /* per call; 0 = unlimited */
	/* Native tier policy (wrt_store_set_tier) and the lowest C stack
	 * address native code may use (set at the outermost call). */
	wrt_tier_settings tier;
	const char *native_stack_limit;
	uint64_t fuel_consumed;

	/* Execution state (interp.c).  Nested calls (host -> wasm) continue
	 * above the current top of both stacks. */
	wrt_slot *stack;
	size_t stack_slots;
	wrt_slot *stack_top;            /* first free slot of the value stack */
	wrt_frame *frames;
	uint32_t nframes;               /* frames in use */
	uint32_t frames_cap;            /* allocated frames (== max_frames once set up) */
	int64_t fuel_left;              /* of the running outermost call */
	uint32_t depth;                 /* nesting of wrt_call */
	bool stack_ready;               /* stacks allocated to the current limits */

	wrt_trap trap;
	/* The lowest C stack address the embedder lets native code reach
	 * (wrt_store_set_native_stack_floor), or NULL. */
	const char *native_stack_floor;
};

struct wrt_hostcall {
	wrt_store *store;
	wrt_instance *caller;       /* instance of the calling Wasm function, or NULL */
	wrt_func *func;
	wrt_trapkind kind;          /* set by wrt_hostcall_trap / exit */
};

/* Kinds for wrt_store_register: how wrt_store_free releases the object. */
enum wrt_objkind {
	WRT_OBJ_FUNC,               /* host function (the struct only) */
	WRT_OBJ_TABLE,              /* struct + element array */
	WRT_OBJ_MEMORY,             /* struct + data */
	WRT_OBJ_GLOBAL,             /* the struct only */
	WRT_OBJ_INSTANCE,           /* instance and everything it owns */
	WRT_OBJ_BLOCK               /* any single allocation (e.g. WASI state) */
};

/* instance.c */
uint32_t wrt_store_intern_type(wrt_store *s, const wrt_functype *t);  /* UINT32_MAX on OOM */
bool wrt_store_register(wrt_store *s, void *obj, uint8_t kind);
/* Record a trap with its default message (fmt NULL) or a formatted one. */
void wrt_trap_set(wrt_store *s, wrt_trapkind kind, const char *fmt, ...) WRT_PRINTF(3, 4);
const char *wrt_trap_default_message(wrt_trapkind kind);
/* Grow a memory by delta pages honouring all limits: old pages or -1. */
int64_t wrt_memory_grow_internal(wrt_memory *m, uint32_t delta);

/* Virtual memory for linear memories (vmem.c); sizes are whole Wasm pages.
 * Each returns false / NULL where unsupported or on failure. */
bool wrt_vmem_available(void);
void *wrt_vmem_reserve(size_t bytes);               /* inaccessible, uncommitted */
bool wrt_vmem_commit(void *p, size_t bytes);        /* accessible, reads as zero */
bool wrt_vmem_decommit(void *p, size_t bytes);      /* zero and inaccessible again */
bool wrt_vmem_zero(void *p, size_t bytes);          /* fresh zero pages, accessible */
void wrt_vmem_release(void *p, size_t bytes);
/* Grow a table, filling with init: old size or -1. */
int64_t wrt_table_grow_internal(wrt_table *t, uint32_t delta, void *init);

/* interp.c: run f with args in/out of the store's stack.  Results written to
 * results.  false on trap (store->trap filled). */
bool wrt_invoke(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results);
/* interp.c: bulk operations shared with instantiation (bounds-checked). */
bool wrt_exec_table_init(wrt_instance *inst, uint32_t table, uint32_t elem,
						 uint32_t dst, uint32_t src, uint32_t n);
bool wrt_exec_memory_init(wrt_instance *inst, uint32_t data,
						  uint32_t dst, uint32_t src, uint32_t n);
/* instance.c: value of element i of segment e for instance inst. */
void *wrt_elem_value(wrt_instance *inst, const wrt_elem *e, uint32_t i);

#ifdef WRT_IR_PAIRS
/* interp.c, the profiling build only: wasi.c's clock_time_get opens and
 * closes the window in which dispatch pairs are counted. */
void wrt_ir_pairs_clock(void);
#endif

#endif
