/*
 * cache.c — the per-backend cache of compiled modules and their instances.
 *
 * Compiled modules are keyed by the SHA-256 of their bytes, so every function
 * of a module (and every name that holds the same bytes) shares one compiled
 * module, and a replaced module can never be served from a stale entry: the
 * name simply resolves to other bytes.  At most pgwasm.module_cache_size
 * modules are kept, least recently used first out.
 *
 * Each module has one instance per role (GetUserId() at call time, so a
 * SECURITY DEFINER function runs in its owner's instance): guest memory
 * written while running as one role is never visible to another.  An
 * instance keeps its state for the rest of the transaction; at the first use
 * in a later transaction it is reset to the snapshot taken right after
 * instantiation and _initialize.  A call that was cut short (trap, error in a
 * host function, interrupt) also forces a reset, since the guest may have
 * been stopped halfway through updating its own data structures.
 *
 * Staleness is detected by epochs, not by looking anything up per call:
 * pgwasm_cache_epoch is bumped by any pg_proc invalidation -- a module is a
 * function (see catalog.c), so install, replace and drop in any backend send
 * one, and standbys replay it from WAL; so does CREATE OR REPLACE FUNCTION --
 * and by an eviction.  A call handler whose fn_extra carries an older epoch
 * re-resolves its function before calling.
 *
 * Memory: everything lives under "pgwasm module cache" (TopMemoryContext);
 * each compiled module has a "pgwasm module" context and each instance a
 * "pgwasm instance" context below it, so freeing is deleting a context.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "pgwasm.h"

uint64		pgwasm_cache_epoch = 1;
uint64		pgwasm_xact_seq = 1;
uint64		pgwasm_instance_generation = 0;
int			pgwasm_call_depth = 0;

static MemoryContext cache_cxt;
static HTAB *module_hash;		/* sha256 -> PgwasmModule */
static HTAB *stats_hash;		/* name -> PgwasmStats */
static dlist_head lru = DLIST_STATIC_INIT(lru);
static int	nmodules = 0;
/* The catalog changed: drop compiled modules no name refers to any more. */
static bool gc_pending = false;

/* ---- invalidation --------------------------------------------------------- */

/*
 * Any change of a pg_proc row (a module installed, replaced or dropped: its
 * carrier is a function; a CREATE OR REPLACE FUNCTION) may change what a
 * cached call resolves to: every call handler re-resolves at its next call.
 */
static void
proc_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	pgwasm_cache_epoch++;
}

/*
 * The same changes, by name: if the carrier of a name this backend compiled
 * a module under changed, the module may now be unreachable, to be freed at
 * the next lookup (collect_garbage).  Comparing hashes keeps unrelated
 * CREATE FUNCTIONs from costing a scan of pg_proc.  A hash of 0 means
 * "everything" (e.g. after a sinval queue overflow).
 */
static void
procname_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	dlist_iter	it;

	if (hashvalue == 0)
	{
		gc_pending = true;
		return;
	}
	dlist_foreach(it, &lru)
	{
		PgwasmModule *mod = dlist_container(PgwasmModule, lru, it.cur);

		if (mod->carrier_hash == hashvalue)
		{
			gc_pending = true;
			return;
		}
	}
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* Instances notice at their next use and reset themselves. */
			pgwasm_xact_seq++;
			pgwasm_call_depth = 0;
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	/* An error unwound any call in progress (guests cannot run SQL). */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pgwasm_call_depth = 0;
}

void
pgwasm_cache_init(void)
{
	HASHCTL		ctl;

	cache_cxt = AllocSetContextCreate(TopMemoryContext, "pgwasm module cache",
									  ALLOCSET_DEFAULT_SIZES);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = PGWASM_SHA256_LEN;
	ctl.entrysize = sizeof(PgwasmModule);
	ctl.hcxt = cache_cxt;
	module_hash = hash_create("pgwasm modules", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = PGWASM_MAX_NAME + 1;
	ctl.entrysize = sizeof(PgwasmStats);
	ctl.hcxt = cache_cxt;
	stats_hash = hash_create("pgwasm stats", 64, &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	CacheRegisterSyscacheCallback(PROCOID, proc_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCNAMEARGSNSP, procname_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

/* ---- freeing ------------------------------------------------------------- */

static void
instance_free(PgwasmInstance *inst)
{
	dlist_delete(&inst->node);
	if (inst->store)
		wrt_store_free(inst->store);
	MemoryContextDelete(inst->cxt);
}

/* Add b to a (the native tier's counters). */
static void
tier_stats_add(wrt_tier_stats *a, const wrt_tier_stats *b)
{
	a->compiled += b->compiled;
	a->refused += b->refused;
	a->failed += b->failed;
	a->batches += b->batches;
	a->compile_ns += b->compile_ns;
	a->wasm_bytes += b->wasm_bytes;
	a->osr_compiled += b->osr_compiled;
	a->osr_entries += b->osr_entries;
}

static void
module_free(PgwasmModule *mod)
{
	dlist_mutable_iter it;
	bool		found;
	wrt_tier_stats tier;

	/* What the native tier did to it stays counted under its name. */
	wrt_tier_get_stats(mod->module, &tier);
	tier_stats_add(&mod->stats->tier, &tier);

	dlist_foreach_modify(it, &mod->instances)
		instance_free(dlist_container(PgwasmInstance, node, it.cur));
	wrt_module_free(mod->module);
	MemoryContextDelete(mod->cxt);
	dlist_delete(&mod->lru);
	hash_search(module_hash, mod->sha256, HASH_REMOVE, &found);
	nmodules--;
	pgwasm_cache_epoch++;
}

/* Keep at most pgwasm.module_cache_size modules; never evict keep. */
static void
evict(PgwasmModule *keep)
{
	if (pgwasm_call_depth > 0)
		return;
	while (nmodules > pgwasm_module_cache_size && !dlist_is_empty(&lru))
	{
		PgwasmModule *victim = dlist_tail_element(PgwasmModule, lru, &lru);

		if (victim == keep)
			break;				/* keep is the only one left */
		module_free(victim);
	}
}

/* Drop modules whose bytes no module holds any more (replaced, dropped). */
static void
collect_garbage(void)
{
	List	   *live;
	dlist_mutable_iter it;

	if (!gc_pending || pgwasm_call_depth > 0 || nmodules == 0)
		return;
	gc_pending = false;
	live = pgwasm_catalog_all_sha256();
	dlist_foreach_modify(it, &lru)
	{
		PgwasmModule *mod = dlist_container(PgwasmModule, lru, it.cur);
		ListCell   *lc;
		bool		found = false;

		foreach(lc, live)
		{
			if (memcmp(lfirst(lc), mod->sha256, PGWASM_SHA256_LEN) == 0)
			{
				found = true;
				break;
			}
		}
		if (!found)
			module_free(mod);
	}
	list_free_deep(live);
}

/* ---- modules --------------------------------------------------------------- */

PgwasmStats *
pgwasm_stats_entry(const char *name)
{
	char		key[PGWASM_MAX_NAME + 1] = {0};
	PgwasmStats *st;
	bool		found;

	strlcpy(key, name, sizeof(key));
	st = hash_search(stats_hash, key, HASH_ENTER, &found);
	if (!found)
	{
		st->compile_ms = 0;
		st->instantiations = 0;
		st->calls = 0;
		st->traps = 0;
		memset(&st->tier, 0, sizeof(st->tier));
	}
	return st;
}

PgwasmModule *
pgwasm_cache_get_module(const char *name)
{
	PgwasmModuleRow row;
	PgwasmModule *mod;
	bytea	   *bytes;
	MemoryContext cxt;
	wrt_allocator alloc;
	wrt_module *m;
	wrt_error	err;
	wrt_load_options opts;
	instr_time	start,
				elapsed;
	bool		found;

	collect_garbage();

	if (!pgwasm_catalog_lookup(name, &row, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", name)));
	mod = hash_search(module_hash, row.sha256, HASH_FIND, NULL);
	if (mod)
	{
		/* pgwasm.max_code_size may have changed since it was loaded. */
		pgwasm_load_options(&opts);
		wrt_module_set_options(mod->module, &opts);
		dlist_move_head(&lru, &mod->lru);
		/* pgwasm.module_cache_size may have been lowered. */
		if (unlikely(nmodules > pgwasm_module_cache_size))
			evict(mod);
		return mod;
	}

	/* A miss: fetch, decompress, verify, decode + validate. */
	if (!pgwasm_catalog_lookup(name, &row, &bytes))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", name)));
	cxt = AllocSetContextCreate(cache_cxt, "pgwasm module", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSetIdentifier(cxt, MemoryContextStrdup(cxt, name));
	pgwasm_allocator_init(&alloc, cxt);
	INSTR_TIME_SET_CURRENT(start);
	pgwasm_load_options(&opts);
	m = wrt_module_load_ex((const uint8_t *) VARDATA(bytes), VARSIZE(bytes) - VARHDRSZ, &alloc,
						   &opts, &err);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	if (m == NULL)
	{
		pfree(bytes);
		MemoryContextDelete(cxt);
		pgwasm_report_load_error(name, &err);
	}
	pgwasm_code_cache_identify(m, (const uint8 *) VARDATA(bytes), VARSIZE(bytes) - VARHDRSZ);
	pfree(bytes);

	mod = hash_search(module_hash, row.sha256, HASH_ENTER, &found);
	Assert(!found);
	mod->cxt = cxt;
	mod->alloc = alloc;
	mod->module = m;
	dlist_init(&mod->instances);
	strlcpy(mod->name, name, sizeof(mod->name));
	mod->carrier_hash = pgwasm_carrier_hash(name);
	mod->compile_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	mod->needs_wasi = pgwasm_module_uses_wasi(m);
	mod->stats = pgwasm_stats_entry(name);
	mod->stats->compile_ms += mod->compile_ms;
	dlist_push_head(&lru, &mod->lru);
	nmodules++;

	evict(mod);
	return mod;
}

/* ---- instances ------------------------------------------------------------- */

static uint32
memory_limit_pages(void)
{
	return (uint32) Max(pgwasm_max_memory_kb / 64, 1);
}

static void
apply_limits(PgwasmInstance *inst)
{
	size_t		stack = (size_t) pgwasm_max_stack;
	/* Frames scale with the value stack: about 100 bytes per frame. */
	uint32		frames = (uint32) Max(64, Min(stack / 100, 1000000));

	wrt_store_set_memory_limit(inst->store, memory_limit_pages());
	/*
	 * Tables live in host memory too (8 bytes an element, twice with the
	 * reset snapshot): bound them by the same setting, at a sixteenth of it,
	 * which still leaves real modules (a few thousand entries) ample room.
	 */
	wrt_store_set_table_limit(inst->store,
							  (uint64) Max(pgwasm_max_memory_kb, 64) * 1024 / 8 / 16);
	wrt_store_set_stack_limit(inst->store, stack, frames);
	wrt_store_set_fuel(inst->store, (uint64) pgwasm_fuel);
	pgwasm_configure_tier(inst->store);
	inst->limits_generation = pgwasm_limits_generation;
}

static wrt_func *
find_func(wrt_instance *instance, const char *name, uint32 np, const uint8 *params,
		  uint32 nr, const uint8 *results)
{
	wrt_extern ext;
	wrt_functype ft;

	if (!wrt_instance_export(instance, name, strlen(name), &ext) || ext.kind != WRT_EXTERN_FUNC)
		return NULL;
	wrt_func_type(ext.u.func, &ft);
	if (ft.nparams != np || ft.nresults != nr ||
		(np && memcmp(ft.params, params, np) != 0) ||
		(nr && memcmp(ft.results, results, nr) != 0))
		return NULL;
	return ext.u.func;
}

/* Instantiate, resolve the allocator exports, run _initialize, snapshot. */
static void
instance_start(PgwasmInstance *inst)
{
	static const uint8 i32x4[] = {WRT_I32, WRT_I32, WRT_I32, WRT_I32};
	PgwasmModule *mod = inst->mod;
	uint32		nimports = wrt_module_import_count(mod->module);
	wrt_extern *imports;
	wrt_error	err;
	wrt_func   *init;

	inst->store = wrt_store_new(&inst->alloc);
	if (inst->store == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory instantiating wasm module \"%s\"", mod->name)));
	apply_limits(inst);
	inst->memory_pages = memory_limit_pages();
	/* Polled by the engine; the host processes it in place (host_interrupt). */
	wrt_store_set_interrupt(inst->store, (volatile int *) &InterruptPending);
	inst->host = pgwasm_host_new(inst->cxt, inst->store);

	imports = MemoryContextAllocZero(inst->cxt, sizeof(wrt_extern) * Max(nimports, 1));
	pgwasm_resolve_imports(inst->host, inst->store, mod->module, mod->name, imports);
	inst->instance = wrt_instantiate(inst->store, mod->module, imports, nimports, &err);
	if (inst->instance == NULL)
	{
		if (err.kind == WRT_ERR_TRAP && pgwasm_host_has_pending(inst->host))
			pgwasm_host_rethrow(inst->host);
		if (err.kind == WRT_ERR_TRAP)
			pgwasm_report_trap(wrt_store_trap(inst->store),
							   psprintf("While instantiating wasm module \"%s\".", mod->name));
		if (err.kind == WRT_ERR_OOM)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory instantiating wasm module \"%s\"", mod->name)));
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not instantiate wasm module \"%s\": %s", mod->name, err.message)));
	}

	inst->fn_realloc = find_func(inst->instance, "cabi_realloc", 4, i32x4, 1, i32x4);
	inst->fn_malloc = find_func(inst->instance, "malloc", 1, i32x4, 1, i32x4);
	inst->fn_free = find_func(inst->instance, "free", 1, i32x4, 0, NULL);

	/* The WASI reactor convention: run constructors once, before any call. */
	init = find_func(inst->instance, "_initialize", 0, NULL, 0, NULL);
	if (init)
	{
		pgwasm_call_guest(inst, init, NULL, NULL, "_initialize");
		pgwasm_host_after_call(inst->host);
	}
	if (!wrt_instance_snapshot(inst->instance))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory taking a snapshot of wasm module \"%s\"", mod->name)));
	inst->xact_seq = pgwasm_xact_seq;
	inst->dirty = false;
	inst->needs_reset = false;
	inst->generation = ++pgwasm_instance_generation;
	pgwasm_forget_kept(inst);
}

PgwasmInstance *
pgwasm_cache_get_instance(PgwasmModule *mod, Oid roleid, PgwasmStats *stats)
{
	dlist_iter	it;
	MemoryContext cxt;
	PgwasmInstance *inst;

	dlist_foreach(it, &mod->instances)
	{
		inst = dlist_container(PgwasmInstance, node, it.cur);
		if (inst->roleid == roleid)
			return inst;
	}

	cxt = AllocSetContextCreate(mod->cxt, "pgwasm instance", ALLOCSET_DEFAULT_SIZES);
	inst = MemoryContextAllocZero(cxt, sizeof(PgwasmInstance));
	inst->mod = mod;
	inst->roleid = roleid;
	inst->cxt = cxt;
	pgwasm_allocator_init(&inst->alloc, cxt);
	PG_TRY();
	{
		instance_start(inst);
	}
	PG_CATCH();
	{
		/* Not linked yet: free the half-built store with its context. */
		if (inst->store)
			wrt_store_free(inst->store);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	dlist_push_head(&mod->instances, &inst->node);
	stats->instantiations++;
	return inst;
}

void
pgwasm_instance_prepare(PgwasmInstance *inst)
{
	if (inst->xact_seq != pgwasm_xact_seq)
	{
		/* First use in this transaction: forget the previous one's state. */
		if (inst->dirty)
			inst->needs_reset = true;
		inst->xact_seq = pgwasm_xact_seq;
	}
	if (unlikely(inst->needs_reset))
	{
		/* The guest heap goes back to the snapshot: kept buffers with it. */
		pgwasm_forget_kept(inst);
		if (!wrt_instance_reset(inst->instance))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory resetting wasm module \"%s\"", inst->mod->name)));
		pgwasm_host_clear(inst->host);
		inst->needs_reset = false;
		inst->dirty = false;
		inst->generation = ++pgwasm_instance_generation;
	}
	if (unlikely(inst->limits_generation != pgwasm_limits_generation))
		apply_limits(inst);
}

uint64		pgwasm_limits_seen = 0;

/*
 * A limit GUC changed.  Lowering takes effect at the next call (apply_limits),
 * but the engine fixes a memory's maximum when the memory is created, so an
 * instance made under a lower pgwasm.max_memory could never grow to a higher
 * one: such instances are dropped, to be instantiated afresh at next use.
 */
void
pgwasm_cache_check_limits(void)
{
	uint32		pages = memory_limit_pages();
	dlist_iter	it;
	bool		freed = false;

	if (pgwasm_call_depth > 0)
		return;
	pgwasm_limits_seen = pgwasm_limits_generation;
	dlist_foreach(it, &lru)
	{
		PgwasmModule *mod = dlist_container(PgwasmModule, lru, it.cur);
		dlist_mutable_iter it2;

		dlist_foreach_modify(it2, &mod->instances)
		{
			PgwasmInstance *inst = dlist_container(PgwasmInstance, node, it2.cur);

			if (inst->memory_pages < pages)
			{
				instance_free(inst);
				freed = true;
			}
		}
	}
	if (freed)
		pgwasm_cache_epoch++;
}

/* ---- stats ---------------------------------------------------------------- */

void
pgwasm_stats_foreach(pgwasm_stats_visitor visit, void *arg)
{
	HASH_SEQ_STATUS seq;
	PgwasmStats *st;

	hash_seq_init(&seq, stats_hash);
	while ((st = hash_seq_search(&seq)) != NULL)
	{
		int64		mem = 0;
		wrt_tier_stats tier = st->tier;
		dlist_iter	it;

		dlist_foreach(it, &lru)
		{
			PgwasmModule *mod = dlist_container(PgwasmModule, lru, it.cur);
			dlist_iter	it2;

			if (mod->stats != st)
				continue;
			dlist_foreach(it2, &mod->instances)
			{
				PgwasmInstance *inst = dlist_container(PgwasmInstance, node, it2.cur);

				mem += (int64) wrt_instance_memory_usage(inst->instance);
			}
			mem += (int64) wrt_module_code_bytes(mod->module);
			{
				wrt_tier_stats live;

				wrt_tier_get_stats(mod->module, &live);
				tier_stats_add(&tier, &live);
			}
		}
		visit(st, mem, &tier, arg);
	}
}
