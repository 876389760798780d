/*
 * pgwasm.h — declarations shared by the PostgreSQL side of pgwasm.
 *
 * The extension is split by concern, each file a thin layer over the next:
 *
 *   pgwasm.c   _PG_init: GUCs, callbacks; the engine allocator that routes
 *              every engine allocation into a memory context.
 *   catalog.c  modules as functions wasm_module."<name>"(): install/drop,
 *              lookups by name, the introspection functions, wasm.stats().
 *   cache.c    the per-backend cache: compiled modules keyed by SHA-256 (LRU),
 *              one instance per (module, role), transaction-end reset,
 *              invalidation.
 *   host.c     what a module may import: the "pgwasm" host module, the WASI
 *              subset, the install-time import check, and the bridge that
 *              turns a PostgreSQL ERROR inside a host call into a trap.
 *   abi.c      the guest ABI: the type table (SQL type -> canonical ABI layout
 *              and converters), signatures and their checks.
 *   handler.c  the call handler and validator of LANGUAGE wasm: calls, sets
 *              (cursors), triggers.
 *   declare.c  functions declared by the module (its pgwasm_functions
 *              section): wasm.create_functions and friends.
 *   error.c    trap/engine error to ereport mapping, Wasm backtraces.
 *   jit.c      the native tier: pgwasm.jit* settings, its library, the
 *              per-store tiering (pgwasm_configure_tier), wasm.jit_stats().
 *   distributed.c  on a Citus cluster: module changes as DDL that Citus
 *              propagates, and the coordinator-only rule.
 *
 * Only wasmrt.h of the runtime is included: the engine's internals stay
 * private to it.
 */
#ifndef PGWASM_H
#define PGWASM_H

#include "postgres.h"

#include "access/htup.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/palloc.h"
#include "utils/relcache.h"

#include "wasmrt.h"

#define PGWASM_SHA256_LEN 32
/* Module names: short, no ':' (it separates module and export in AS '...'). */
#define PGWASM_MAX_NAME 63

/* ---- GUCs (pgwasm.c) ------------------------------------------------------ */

extern int	pgwasm_max_module_size;		/* bytes */
extern int	pgwasm_max_code_size;		/* bytes of compiled code per module */
extern int	pgwasm_max_memory_kb;		/* per instance */
extern int	pgwasm_max_stack;			/* bytes of value stack */
extern double pgwasm_fuel;				/* instructions per call, 0 = unlimited */
extern int	pgwasm_module_cache_size;	/* compiled modules per backend */

/* Bumped whenever a limit GUC changes, so stores re-apply their limits. */
extern uint64 pgwasm_limits_generation;

/* An engine allocator whose memory lives in (and dies with) a context. */
extern void pgwasm_allocator_init(wrt_allocator *a, MemoryContext cxt);

/* ---- the native tier (jit.c) --------------------------------------------- */

extern bool pgwasm_jit;
extern bool pgwasm_jit_preload;
extern int	pgwasm_jit_call_threshold;
extern int	pgwasm_jit_loop_threshold;
extern char *pgwasm_jit_library;

/* Define the pgwasm.jit* settings and the engine's notice callback. */
extern void pgwasm_jit_init(void);
extern void pgwasm_jit_preload_backend(void);

/* The native tier's code cache on disk (codecache.c). */
extern bool pgwasm_jit_code_cache;
extern int	pgwasm_jit_code_cache_size;
extern void pgwasm_code_cache_init(void);
extern void pgwasm_code_cache_configure(void);
extern void pgwasm_code_cache_identify(wrt_module *m, const uint8 *bytes, size_t len);
extern void pgwasm_code_cache_forget(const uint8 *sha256);
/*
 * Apply the pgwasm.jit* settings to a store: at instantiation and whenever a
 * setting changed (apply_limits in cache.c).  The one place a store's
 * tiering is decided.
 */
extern void pgwasm_configure_tier(wrt_store *store);
/* The back end's path as given to the engine ($libdir expanded). */
extern const char *pgwasm_jit_library_path(void);

/* ---- engine errors and traps (error.c) -------------------------------- */

/* Report a failed wrt_module_load (bad bytes); never returns. */
extern void pgwasm_report_load_error(const char *modname, const wrt_error *err) pg_attribute_noreturn();
/* Report a trap as an ERROR with the mapped SQLSTATE; never returns. */
extern void pgwasm_report_trap(const wrt_trap *trap, const char *detail) pg_attribute_noreturn();
/* "(i32, i32) -> i64" */
extern char *pgwasm_format_functype(const wrt_functype *ft);
/* kind name and signature text of an import/export */
extern const char *pgwasm_externkind_name(wrt_externkind kind);
extern char *pgwasm_format_externtype(const wrt_externtype *t);

/* ---- catalog (catalog.c) ------------------------------------------------ */

/* What a lookup by name returns. */
typedef struct PgwasmModuleRow
{
	char		name[PGWASM_MAX_NAME + 1];
	Oid			oid;			/* of its carrier function */
	Oid			owner;
	uint8		sha256[PGWASM_SHA256_LEN];
	int32		size;
} PgwasmModuleRow;

/*
 * Find a module by name (its carrier wasm_module."<name>"()) in the
 * statement's snapshot; returns false if absent.  With bytes != NULL also returns the
 * decompressed module, verified, palloc'd in the current context.
 */
extern bool pgwasm_catalog_lookup(const char *name, PgwasmModuleRow *row, bytea **bytes);
/* OID of schema wasm_module; ERROR (saying why) if missing and !missing_ok. */
extern Oid	pgwasm_module_namespace(bool missing_ok);
/* OID of the domain wasm.module, or InvalidOid. */
extern Oid	pgwasm_module_type(void);
/* Does the function return wasm.module (is it, or claims to be, a carrier)? */
extern bool pgwasm_proc_is_carrier(Form_pg_proc proc);
/* Validate a carrier's pg_proc tuple; the module itself only if check_body. */
extern void pgwasm_validate_carrier(HeapTuple tup, bool check_body);
/* Call of a carrier: the module's bytes, for its owner. */
extern Datum pgwasm_carrier_call(Oid fnoid);
/* PROCNAMEARGSNSP hash of a module's carrier (0 without the extension). */
extern uint32 pgwasm_carrier_hash(const char *name);
/* SHARE lock on a module's name to transaction end: install and drop wait. */
extern void pgwasm_lock_module_shared(const char *name);
/* SHA-256 (palloc'd 32-byte arrays) of every stored module. */
extern List *pgwasm_catalog_all_sha256(void);
/* Split AS 'module:export' / AS 'module'; false if malformed. */
extern bool pgwasm_parse_prosrc(const char *src, const char *fname,
								char **modname, char **export);
extern void pgwasm_sha256(const uint8 *data, size_t len, uint8 *out);
extern void pgwasm_check_module_name(const char *name);

/* ---- Citus (distributed.c) ------------------------------------------------ */

extern bool pgwasm_citus_enabled(void);
extern bool pgwasm_citus_internal_backend(void);
extern void pgwasm_citus_require_coordinator(const char *action);
extern void pgwasm_citus_create_carrier(const char *name, bool replace, Oid owner,
										const char *body);
extern void pgwasm_citus_drop_functions(List *fnoids, bool cascade);
extern bool pgwasm_citus_preloaded(void);
extern void pgwasm_citus_init(void);

/* ---- the cache (cache.c) ------------------------------------------------ */

typedef struct PgwasmStats
{
	char		name[PGWASM_MAX_NAME + 1];	/* hash key */
	double		compile_ms;
	int64		instantiations;
	int64		calls;
	int64		traps;
	wrt_tier_stats tier;		/* native tier, of modules freed since */
} PgwasmStats;

/*
 * A compiled module, shared by every function (and role) that uses it.
 * Lives in the "pgwasm module cache" context; its engine objects in its own
 * child context, freed as one when it is evicted.
 */
typedef struct PgwasmModule
{
	uint8		sha256[PGWASM_SHA256_LEN];	/* hash key */
	dlist_node	lru;			/* in the LRU list, most recent first */
	MemoryContext cxt;			/* "pgwasm module": engine objects */
	wrt_allocator alloc;		/* routes into cxt */
	wrt_module *module;
	dlist_head	instances;		/* PgwasmInstance, one per role */
	char		name[PGWASM_MAX_NAME + 1];	/* name it was loaded under */
	uint32		carrier_hash;	/* PROCNAMEARGSNSP hash of that name's carrier */
	double		compile_ms;
	PgwasmStats *stats;			/* counters under name (never freed) */
	bool		needs_wasi;		/* imports from wasi_snapshot_preview1 */
} PgwasmModule;

/* host.c's per-instance state (WASI line buffers, pending error). */
typedef struct PgwasmHostState
{
	MemoryContext cxt;
	wrt_wasi   *wasi;
	wrt_wasi_config wasi_cfg;
	StringInfoData out[2];		/* partial lines of stdout, stderr */
	ErrorData  *pending;		/* caught inside a callback, to rethrow */
} PgwasmHostState;

/*
 * Argument buffers kept from call to call (see handler.c): the i-th buffer
 * argument of a call uses slot i.  A slot is a block the guest's allocator
 * handed out, owned by the host until it is given back with free() or
 * forgotten (the instance was reset, which discards the guest heap).
 */
#define PGWASM_KEPT_SLOTS 8
/* Larger arguments get a buffer of their own, freed after the call. */
#define PGWASM_KEPT_MAX (1024 * 1024)
/* Kept buffers are given back with free() after this many calls. */
#define PGWASM_KEPT_CALLS 256

typedef struct PgwasmKeptBuf
{
	uint32		ptr;			/* 0 = empty */
	uint32		cap;			/* bytes, checked against memory when obtained */
	uint32		align;			/* alignment it was asked for */
} PgwasmKeptBuf;

/*
 * An instance of a module for one role: its own store (so its own limits,
 * stack and trap), memory context and WASI state.  The export handles the
 * call path needs are looked up once.
 */
typedef struct PgwasmInstance
{
	dlist_node	node;			/* in PgwasmModule.instances */
	PgwasmModule *mod;
	Oid			roleid;
	MemoryContext cxt;			/* "pgwasm instance": store, memory */
	wrt_allocator alloc;
	wrt_store  *store;
	wrt_instance *instance;
	PgwasmHostState *host;
	wrt_func   *fn_realloc;		/* cabi_realloc, or NULL */
	wrt_func   *fn_malloc;		/* malloc, or NULL */
	wrt_func   *fn_free;		/* free, or NULL */
	uint64		xact_seq;		/* transaction it was last used in */
	uint64		limits_generation;	/* pgwasm_limits_generation applied */
	uint32		memory_pages;	/* pgwasm.max_memory when instantiated */
	bool		dirty;			/* state changed since the snapshot */
	bool		needs_reset;	/* a call was cut short: reset before use */
	uint64		generation;		/* new at instantiation and at each reset */
	int			nkept;			/* slots [0, nkept) may hold a buffer */
	uint32		kept_calls;		/* calls since kept buffers were given back */
	PgwasmKeptBuf kept[PGWASM_KEPT_SLOTS];
} PgwasmInstance;

/* Forget the kept argument buffers (the guest heap is being discarded). */
static inline void
pgwasm_forget_kept(PgwasmInstance *inst)
{
	for (int i = 0; i < inst->nkept; i++)
		inst->kept[i].ptr = inst->kept[i].cap = inst->kept[i].align = 0;
	inst->nkept = 0;
	inst->kept_calls = 0;
}

/* Bumped on every event that can make a cached pointer stale. */
extern uint64 pgwasm_cache_epoch;
/* Source of PgwasmInstance.generation: guest state lives while it stays. */
extern uint64 pgwasm_instance_generation;
/* Bumped at every top-level transaction end. */
extern uint64 pgwasm_xact_seq;
/* Number of guest calls on the C stack (eviction is deferred while > 0). */
extern int	pgwasm_call_depth;

extern void pgwasm_cache_init(void);
/* Module by name: loads/compiles on a miss; errors if the name is unknown. */
extern PgwasmModule *pgwasm_cache_get_module(const char *name);
/*
 * The calling role's instance of a module, instantiated on first use (and
 * counted in stats: the name the caller knows the module by).
 */
extern PgwasmInstance *pgwasm_cache_get_instance(PgwasmModule *mod, Oid roleid,
												 PgwasmStats *stats);
/* pgwasm_limits_generation as last handled by pgwasm_cache_check_limits. */
extern uint64 pgwasm_limits_seen;
extern void pgwasm_cache_check_limits(void);
/* Make an instance ready for a call in the current transaction. */
extern void pgwasm_instance_prepare(PgwasmInstance *inst);

/* Does the instance need pgwasm_instance_prepare() before a call? */
static inline bool
pgwasm_instance_needs_prepare(const PgwasmInstance *inst)
{
	return inst->xact_seq != pgwasm_xact_seq || inst->needs_reset ||
		inst->limits_generation != pgwasm_limits_generation;
}
extern PgwasmStats *pgwasm_stats_entry(const char *name);
/* For wasm.stats(): iterate the stats of this backend. */
/* memory_bytes: instances and code now; tier: the native tier's counters of
 * every module loaded under the name in this backend (freed ones too). */
typedef void (*pgwasm_stats_visitor) (PgwasmStats *st, int64 memory_bytes,
									  const wrt_tier_stats *tier, void *arg);
extern void pgwasm_stats_foreach(pgwasm_stats_visitor visit, void *arg);

/* ---- host functions (host.c) --------------------------------------------- */

/* At install: every import must be a pgwasm host function or WASI; else ERROR. */
extern void pgwasm_check_imports(const wrt_module *module, const char *modname);
/* Does the module import anything from WASI? */
extern bool pgwasm_module_uses_wasi(const wrt_module *module);
/* Build the import list of an instance; host state allocated in cxt. */
extern PgwasmHostState *pgwasm_host_new(MemoryContext cxt, wrt_store *store);
extern void pgwasm_resolve_imports(PgwasmHostState *host, wrt_store *store,
								   const wrt_module *module, const char *modname,
								   wrt_extern *imports);
/* After a call: flush partial WASI output lines and rethrow a pending error. */
extern void pgwasm_host_after_call(PgwasmHostState *host);
/* Nothing for pgwasm_host_after_call to do (the common case)? */
static inline bool
pgwasm_host_idle(const PgwasmHostState *host)
{
	return host->pending == NULL && host->out[0].len == 0 && host->out[1].len == 0;
}
/* Is there a PostgreSQL error waiting to be rethrown? */
extern bool pgwasm_host_has_pending(PgwasmHostState *host);
/* Rethrow (after the engine unwound) the error a host function caught. */
extern void pgwasm_host_rethrow(PgwasmHostState *host);
/* Forget output and errors of an aborted call. */
extern void pgwasm_host_clear(PgwasmHostState *host);

/* ---- the guest ABI (abi.c) ------------------------------------------------ */

/*
 * Conversions the call handler treats specially (fast paths); several rows
 * of the type table may share one.
 */
typedef enum PgwasmKind
{
	PGWASM_BOOL,
	PGWASM_INT2,
	PGWASM_INT4,
	PGWASM_INT8,
	PGWASM_FLOAT4,
	PGWASM_FLOAT8,
	PGWASM_DATE,				/* i32 days since 1970-01-01 */
	PGWASM_TIMESTAMP,			/* i64 microseconds since 1970-01-01 (also tz) */
	PGWASM_TEXT,				/* text, varchar, bpchar: UTF-8 */
	PGWASM_JSON,
	PGWASM_JSONB,				/* as JSON text */
	PGWASM_BYTEA,
	PGWASM_ARRAY,				/* a canonical list of the element type */
	PGWASM_RECORD,				/* a composite type or OUT parameters */
	PGWASM_OTHER				/* nothing special */
} PgwasmKind;

/* One flat (Wasm) value of a type, and where it sits in the type's memory image. */
typedef struct PgwasmFlat
{
	uint8		valtype;		/* WRT_I32, ... */
	uint32		offset;			/* in the memory representation */
	uint8		width;			/* bytes there */
	bool		sign;			/* sign-extend when loaded */
	bool		ptr;			/* a guest pointer (relocated, bounds-checked) */
} PgwasmFlat;

/* Flat values of a row of the static table (records have more: see flat). */
#define PGWASM_MAX_FLAT 4

/*
 * An argument's guest buffer, built host-side: pointers in it are offsets
 * from the start of buf until pgwasm_lower_relocate() makes them guest
 * addresses.  The first `top` bytes hold the top-level value's
 * representation (read for its flat values, not copied into the guest).
 */
typedef struct PgwasmLower
{
	StringInfoData buf;
	uint32		top;			/* bytes before the payload */
	uint32	   *relocs;			/* offsets in buf of u32 pointers */
	int			nrelocs;
	int			maxrelocs;
	uint32		align;			/* the payload's alignment */
	bool		nullable;		/* ABI v2, not STRICT: elements are options */
	MemoryContext cxt;
} PgwasmLower;

/* Guest memory a result is read from, and the buffers it handed over. */
typedef struct PgwasmLift
{
	const uint8 *base;
	uint64		size;
	uint32	   *owned;			/* distinct pointers, to free after the call */
	int			nowned;
	int			maxowned;
	bool		nullable;		/* ABI v2, not STRICT: elements are options */
	MemoryContext cxt;			/* of owned */
} PgwasmLift;

typedef struct PgwasmType PgwasmType;

/*
 * A row of the type table: one SQL type (a base type; domains cross as it).
 * Scalars convert by value (to_wasm/from_wasm); the others through their
 * canonical memory representation (lower/lift).
 */
/* A field of a record node. */
typedef struct PgwasmField
{
	const PgwasmType *t;
	Oid			typid;			/* declared (maybe a domain) */
	Oid			base;			/* domains stripped */
	uint32		offset;			/* of the field (its option when nullable) */
	void	   *domain_extra;	/* domain_check() cache */
} PgwasmField;

struct PgwasmType
{
	const char *name;
	Oid			typid;
	PgwasmKind	kind;
	uint32		size;			/* canonical ABI: bytes in memory */
	uint32		align;
	uint32		nflat;
	PgwasmFlat *flat;			/* nflat values (flat_init for table rows) */
	PgwasmFlat	flat_init[PGWASM_MAX_FLAT];
	bool		scalar;
	bool		pg_layout;		/* PostgreSQL's array element bytes are the image */
	bool		has_ptr;		/* a pointer anywhere inside */
	Oid			elemoid;		/* arrays: element type (maybe a domain) */
	Oid			elembase;		/* arrays: element base type */
	const PgwasmType *elem;		/* arrays: its row or node */
	/* Records (nodes built per signature, see pgwasm_type_node). */
	bool		nullable;		/* fields are option<T> */
	int			nfields;
	PgwasmField *fields;
	TupleDesc	tupdesc;		/* of the datums (blessed for RECORD) */
	MemoryContext cxt;			/* for domain_check caches */
	wrt_value	(*to_wasm) (Datum d);
	Datum		(*from_wasm) (wrt_value v);
	void		(*lower) (const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep);
	Datum		(*lift) (const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf);
};

/* How a result comes back. */
typedef enum PgwasmRetForm
{
	PGWASM_RET_NONE,			/* void */
	PGWASM_RET_SCALAR,			/* one flat value */
	PGWASM_RET_PACKED,			/* (ptr, len) as i64: len << 32 | ptr */
	PGWASM_RET_FLAT,			/* a record of one flat value, as that value */
	PGWASM_RET_AREA				/* i32: pointer to the memory representation */
} PgwasmRetForm;

/* A composite type a signature uses, and the version it was built from. */
typedef struct PgwasmComposite
{
	Oid			typid;
	uint64		identifier;		/* TypeCacheEntry.tupDesc_identifier */
} PgwasmComposite;

/*
 * A SQL signature and the Wasm parameter list it maps to, in both shapes:
 * plain (ABI v1, STRICT) and null-aware (every value an option<T>, records'
 * fields too, so their nodes differ: args_opt, ret_opt).
 */
typedef struct PgwasmSig
{
	int			nargs;
	const PgwasmType **args;
	const PgwasmType **args_opt;
	const PgwasmType *ret_opt;
	int			ncomposites;	/* composite types used anywhere */
	PgwasmComposite *composites;
	Oid		   *argtypes;		/* as declared */
	Oid		   *argbase;		/* domains stripped */
	const PgwasmType *ret;		/* NULL for void */
	Oid			rettype;		/* as declared (may be a domain) */
	Oid			retbase;
	bool		ret_domain;
	bool		buffer_args;	/* needs a guest allocator */
	bool		strict;
	bool		retset;			/* SETOF / TABLE: rows through <export>_next */
	bool		trigger;		/* RETURNS trigger: (i32 call) -> i32 result */
	uint32		nparams;		/* plain values (ABI v1, or STRICT) */
	uint8	   *params;
	uint32		nparams_opt;	/* every argument an option<T> (ABI v2) */
	uint8	   *params_opt;
	/* ABI v2, more than 16 flat values: the arguments as a tuple in memory */
	uint32	   *argoff;			/* offsets of the arguments in the tuple */
	uint32	   *argoff_opt;		/* ... of the options, when null-aware */
	uint32		tuple_size,
				tuple_align,
				tuple_size_opt,
				tuple_align_opt;
} PgwasmSig;

/* The canonical ABI's MAX_FLAT_PARAMS: beyond, one pointer to the tuple. */
#define PGWASM_MAX_FLAT_PARAMS 16

/* The export a module has to say it speaks ABI v2 (a () -> () function). */
#define PGWASM_ABI_V2_EXPORT "pgwasm_abi_v2"

/* The row of a base type, or NULL. */
extern const PgwasmType *pgwasm_type_lookup(Oid typid);
/* Triggers: the table's row as a record of options (ERROR if a column has no row). */
extern const PgwasmType *pgwasm_trigger_row_node(TupleDesc desc, const char *relname,
												 MemoryContext cxt, bool stand_in);
/* Size, alignment and the offsets of old and new in the trigger call record. */
extern void pgwasm_trigger_layout(const PgwasmType *row, uint32 *size, uint32 *align,
								  uint32 *old_off, uint32 *new_off);
/* Write the trigger call record into the image; returns its offset. */
extern uint32 pgwasm_lower_trigger(PgwasmLower *lw, const PgwasmType *row, uint8 op, uint8 timing,
								   uint8 level, const char *relname, const char *schema,
								   int nargs, char **args, HeapTuple oldtup, HeapTuple newtup);
/* A heap tuple of the row record at rep. */
extern HeapTuple pgwasm_lift_row(const PgwasmType *row, const uint8 *rep, PgwasmLift *lf);
/* Has a composite type the signature uses changed since it was built? */
extern bool pgwasm_sig_stale(const PgwasmSig *sig);
/* Build the signature of a pg_proc tuple (ERROR for types without a row). */
extern void pgwasm_sig_build(HeapTuple proctup, PgwasmSig *sig, MemoryContext cxt);
/* Why an export does not fit a signature (messages palloc'd). */
typedef struct PgwasmMismatch
{
	PgwasmRetForm form;			/* when it fits: how results come back */
	bool		null_aware;		/* and whether values are option<T> */
	bool		spill;			/* and whether arguments go in memory */
	char	   *message;
	char	   *detail;			/* or NULL */
	char	   *hint;			/* or NULL */
	char	   *reason;			/* one sentence, for other messages */
} PgwasmMismatch;

/* Does the export not fit the signature?  fdesc names the SQL function. */
extern bool pgwasm_sig_mismatch(const PgwasmSig *sig, const wrt_module *module,
								const char *modname, const char *export,
								const char *fdesc, PgwasmMismatch *why);
/* Check an export against the signature; ERROR 42P13 saying what differs. */
extern PgwasmRetForm pgwasm_sig_check_export(const PgwasmSig *sig, const wrt_module *module,
											 const char *modname, const char *export,
											 const char *fdesc, bool *null_aware, bool *spill);
/* Does the module speak ABI v2? */
extern bool pgwasm_module_abi_v2(const wrt_module *module);
/* Memory layout of option<T>: discriminant byte, then T at *payload. */
extern void pgwasm_option_layout(const PgwasmType *t, uint32 *size, uint32 *align,
								 uint32 *payload);
/* A flat value from / into a memory representation. */
extern wrt_value pgwasm_flat_load(const PgwasmFlat *f, const uint8 *rep);
extern void pgwasm_flat_store(const PgwasmFlat *f, wrt_value v, uint8 *rep);
extern void pgwasm_lower_init(PgwasmLower *lw, MemoryContext cxt);
extern void pgwasm_lower_reset(PgwasmLower *lw, uint32 top);
/* Room for size bytes at align in the image, zeroed: its offset. */
extern uint32 pgwasm_lower_reserve(PgwasmLower *lw, uint32 size, uint32 align);
/* Turn the image's offsets into addresses, the payload going to base. */
extern void pgwasm_lower_relocate(PgwasmLower *lw, uint32 base);
/* Write the representation of d at offset rep of the image. */
extern void pgwasm_lower_value(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw,
							   uint32 rep);
/* Once: owned in cxt.  Then before each result: the memory it is read from. */
extern void pgwasm_lift_setup(PgwasmLift *lf, MemoryContext cxt);
extern void pgwasm_lift_init(PgwasmLift *lf, const uint8 *base, uint64 size);
/* An option discriminant byte from the guest: some (true), none, or ERROR. */
extern bool pgwasm_lift_discriminant(uint8 d, const char *what);
/* Sort and deduplicate lf->owned; returns how many there are. */
extern int	pgwasm_lift_owned(PgwasmLift *lf);
/* The datum whose representation is at rep (host or guest memory). */
extern Datum pgwasm_lift_value(const PgwasmType *t, Oid typid, const uint8 *rep,
							   PgwasmLift *lf);

/* ---- guest calls (handler.c) --------------------------------------------- */

/*
 * Call a guest function outside the typed call path (_initialize, allocator,
 * free): it returns, or raises (a trap, a host function's error, a cancel or
 * timeout, with the instance marked for reset).  what names the call in
 * messages.
 */
extern void pgwasm_call_guest(PgwasmInstance *inst, wrt_func *fn, const wrt_value *args,
							  wrt_value *results, const char *what);

/* How the engine may load and compile a module here: interrupts polled,
 * code capped by pgwasm.max_code_size (pgwasm.c). */
extern void pgwasm_load_options(wrt_load_options *opts);

#endif							/* PGWASM_H */
