/*
 * handler.c — the call handler and validator of LANGUAGE wasm.
 *
 * A function is bound once per FmgrInfo: the pg_proc row is parsed into a
 * PgwasmFn kept in fn_extra (SQL signature, module and export names, the
 * Wasm parameter list), then resolved against the cache (compiled module,
 * the calling role's instance, export handles).  The hot path compares two
 * integers — the cache epoch and the role — and goes straight to marshalling
 * arguments and wrt_call: no catalog lookup, no palloc, and (from the second
 * call of a transaction on) no guest allocator call for argument buffers,
 * which are kept in the instance (see "Argument buffers" below).  When the epoch moved (a module was installed/dropped
 * anywhere, a function replaced, an entry evicted), the row is looked up
 * again and, if its xmin/TID changed (CREATE OR REPLACE FUNCTION), rebuilt.
 *
 * Besides plain calls, a function may return a set (srf_call: rows from a
 * cursor in the guest, ValuePerCall by hand since fn_extra is ours) or be a
 * trigger (trigger_call: the event and rows in one guest buffer); and a
 * function of an ABI v2 module declared without STRICT is null-aware, its
 * values options (see abi.c).
 *
 * Interrupts: the engine polls InterruptPending at function entries and
 * loop back-edges and processes it right there, inside the guest call
 * (host.c, host_interrupt).  One PostgreSQL handles in passing (a parallel
 * worker's message to its leader, a memory-context dump, a barrier) lets the
 * call go on where it was; a cancel, a timeout or any other ERROR is
 * captured, the engine unwinds with WRT_TRAP_INTERRUPTED, and call_failed
 * rethrows it.  (A function compiled lazily at its first call is compiled
 * under load_may_continue instead, which stops only for a cancel, timeout or
 * termination, and call_failed raises it with CHECK_FOR_INTERRUPTS().)  So
 * a guest call either returns or raises: there is no "try again" path, and
 * the helpers below have no failure result to pass up.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "access/tupdesc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "pgwasm.h"

PG_FUNCTION_INFO_V1(pgwasm_call_handler);
PG_FUNCTION_INFO_V1(pgwasm_validator);

typedef struct PgwasmFn
{
	/* From the pg_proc row (rebuilt when the row changes). */
	Oid			fn_oid;
	TransactionId fn_xmin;
	ItemPointerData fn_tid;
	char	   *fdesc;			/* "f(integer)" for messages */
	char	   *modname;
	char	   *export;
	char	   *post_name;		/* "cabi_post_<export>" */
	PgwasmSig	sig;
	MemoryContext mcxt;			/* fn_mcxt */
	void	   *domain_info;	/* domain_check() cache for the result */

	/* Resolved against the cache; valid while epoch == pgwasm_cache_epoch. */
	uint64		epoch;
	PgwasmRetForm form;
	bool		null_aware;		/* ABI v2, not STRICT: options both ways */
	bool		spill;			/* ABI v2, > 16 flat values: a tuple in memory */
	const PgwasmType **argt;	/* sig.args or sig.args_opt, as null_aware says */
	const PgwasmType *rett;		/* sig.ret or sig.ret_opt */
	PgwasmModule *mod;
	PgwasmStats *stats;
	Oid			roleid;			/* instance, func, post, memory are this role's */
	PgwasmInstance *inst;
	wrt_func   *func;
	wrt_func   *post;
	wrt_func   *next;			/* sets: <export>_next, and _close or NULL */
	wrt_func   *close;
	wrt_func   *post_next;		/* sets: cabi_post_<export>_next or NULL */
	wrt_memory *memory;

	/* Per-call scratch, allocated once. */
	bool		utf8_db;		/* text crosses without conversion */
	bool		has_buffers;	/* (ptr, len) arguments or result */
	bool		plain_args;		/* only kinds with an arg_mask, no options */
	bool		plain_sig;		/* only kinds with an arg_mask */
	uint64	   *arg_mask;		/* Wasm value = datum & mask, or 0 */
	wrt_value  *params;
	wrt_value	result;
	uint32	   *buf_ptr;		/* guest buffers of the arguments */
	uint32	   *buf_len;		/* their sizes (at least 1) */
	bool	   *buf_temp;		/* to be freed after the call (not kept) */
	int			nbufs;
	PgwasmLower lower;			/* image of the argument being copied in */
	struct PgwasmCursor *cursor;	/* sets: the one being read, or inactive */
	const PgwasmType *trig_row; /* triggers: the last table's row node */
	Oid			trig_relid;
	PgwasmLift	lift;			/* the result being read out */
} PgwasmFn;

/* ---- guest calls ------------------------------------------------------------ */

/*
 * A wrt_call failed: rethrow the error a host function or the interrupt
 * handler captured, or report the trap.  Never returns.
 */
static pg_noinline pg_attribute_noreturn() void
call_failed(PgwasmInstance *inst, PgwasmStats *stats, const char *what)
{
	const wrt_trap *trap = wrt_store_trap(inst->store);

	/* The guest stopped mid-way: its own data may be inconsistent. */
	inst->needs_reset = true;
	if (pgwasm_host_has_pending(inst->host))
	{
		stats->traps++;
		pgwasm_host_rethrow(inst->host);
	}
	/*
	 * Running code stops for an interrupt only after host_interrupt captured
	 * the error it raised (handled above).  The lazy compilation of a
	 * function at its first call stops without raising (load_may_continue,
	 * pgwasm.c): only for a cancel, timeout or termination that
	 * CHECK_FOR_INTERRUPTS() raises here.  Either way the call ends.
	 */
	if (trap->kind == WRT_TRAP_INTERRUPTED)
	{
		pgwasm_host_clear(inst->host);
		CHECK_FOR_INTERRUPTS();
		elog(ERROR, "wasm call interrupted without an interrupt to raise");
	}
	stats->traps++;
	pgwasm_host_after_call(inst->host); /* show what it printed before */
	pgwasm_report_trap(trap, what ? psprintf("While calling %s.", what) : NULL);
	pg_unreachable();
}

void
pgwasm_call_guest(PgwasmInstance *inst, wrt_func *fn, const wrt_value *args,
				  wrt_value *results, const char *what)
{
	wrt_value	dummy[1];

	if (unlikely(!wrt_call(inst->store, fn, args, results ? results : dummy)))
		call_failed(inst, inst->mod->stats, what);
}

/* ---- binding --------------------------------------------------------------- */

static void
error_callback(void *arg)
{
	FmgrInfo   *flinfo = (FmgrInfo *) arg;
	PgwasmFn   *fn = (PgwasmFn *) flinfo->fn_extra;

	if (fn)
		errcontext("wasm function %s (export \"%s\" of module \"%s\")",
				   fn->fdesc, fn->export, fn->modname);
	else
		errcontext("wasm function with OID %u", flinfo->fn_oid);
}

/*
 * Kinds whose Wasm value is the datum's low bits: int2, int4 and float4
 * datums hold their value sign-extended (float4 as its bit pattern), which
 * the low 32 bits give, upper bits zero as the engine keeps i32/f32; int8
 * and float8 (by value) are the 64 bits.  0 for the others.
 */
static uint64
plain_mask(const PgwasmType *t)
{
	switch (t->kind)
	{
		case PGWASM_INT2:
		case PGWASM_INT4:
		case PGWASM_FLOAT4:
			return UINT64CONST(0xffffffff);
#ifdef USE_FLOAT8_BYVAL
		case PGWASM_INT8:
		case PGWASM_FLOAT8:
			return ~UINT64CONST(0);
#endif
		default:
			return 0;
	}
}

/* Parse a pg_proc row into a fresh PgwasmFn in fn_mcxt. */
static pg_noinline PgwasmFn *
fn_build(FmgrInfo *flinfo, HeapTuple tup)
{
	MemoryContext old = MemoryContextSwitchTo(flinfo->fn_mcxt);
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
	PgwasmFn   *fn = palloc0(sizeof(PgwasmFn));
	bool		isnull;
	Datum		src;

	fn->fn_oid = flinfo->fn_oid;
	fn->fn_xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	fn->fn_tid = tup->t_self;
	fn->mcxt = flinfo->fn_mcxt;
	fn->fdesc = format_procedure(fn->fn_oid);
	src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
	if (isnull ||
		!pgwasm_parse_prosrc(TextDatumGetCString(src), NameStr(proc->proname),
							 &fn->modname, &fn->export))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("invalid body of wasm function %s", fn->fdesc),
				 errdetail("The body must be 'module:export' or 'module'.")));
	fn->post_name = psprintf("cabi_post_%s", fn->export);
	pgwasm_sig_build(tup, &fn->sig, flinfo->fn_mcxt);
	fn->params = palloc0(sizeof(wrt_value) * Max(fn->sig.nparams_opt, 1));
	fn->buf_ptr = palloc0(sizeof(uint32) * Max(fn->sig.nargs, 1));
	fn->buf_len = palloc0(sizeof(uint32) * Max(fn->sig.nargs, 1));
	fn->buf_temp = palloc0(sizeof(bool) * Max(fn->sig.nargs, 1));
	fn->has_buffers = fn->sig.buffer_args || (fn->sig.ret && fn->sig.ret->has_ptr);
	fn->utf8_db = GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII;
	fn->arg_mask = palloc0(sizeof(uint64) * Max(fn->sig.nargs, 1));
	fn->plain_sig = true;
	for (int i = 0; i < fn->sig.nargs; i++)
	{
		fn->arg_mask[i] = plain_mask(fn->sig.args[i]);
		if (fn->arg_mask[i] == 0)
			fn->plain_sig = false;
	}
	fn->plain_args = false;		/* until fn_prepare knows the ABI */
	pgwasm_lower_init(&fn->lower, flinfo->fn_mcxt);
	pgwasm_lift_setup(&fn->lift, flinfo->fn_mcxt);
	MemoryContextSwitchTo(old);
	return fn;
}

/* Resolve the calling role's instance and its export handles. */
static pg_noinline void
fn_bind_role(PgwasmFn *fn)
{
	Oid			role = GetUserId();
	wrt_extern	ext;
	wrt_functype ft;

	fn->roleid = InvalidOid;
	fn->inst = pgwasm_cache_get_instance(fn->mod, role, fn->stats);
	if (!wrt_instance_export(fn->inst->instance, fn->export, strlen(fn->export), &ext) ||
		ext.kind != WRT_EXTERN_FUNC)
		elog(ERROR, "export \"%s\" of wasm module \"%s\" vanished", fn->export, fn->modname);
	fn->func = ext.u.func;

	/* cabi_post_<export> takes the export's results and returns nothing. */
	fn->post = NULL;
	if (wrt_instance_export(fn->inst->instance, fn->post_name, strlen(fn->post_name), &ext) &&
		ext.kind == WRT_EXTERN_FUNC)
	{
		wrt_functype eft;

		wrt_func_type(ext.u.func, &ft);
		wrt_func_type(fn->func, &eft);
		if (ft.nresults == 0 && ft.nparams == eft.nresults &&
			(ft.nparams == 0 || memcmp(ft.params, eft.results, ft.nparams) == 0))
			fn->post = ext.u.func;
	}

	fn->next = fn->close = fn->post_next = NULL;
	if (fn->sig.retset)
	{
		char	   *name = psprintf("%s_next", fn->export);

		if (!wrt_instance_export(fn->inst->instance, name, strlen(name), &ext) ||
			ext.kind != WRT_EXTERN_FUNC)
			elog(ERROR, "export \"%s\" of wasm module \"%s\" vanished", name, fn->modname);
		fn->next = ext.u.func;
		name = psprintf("%s_close", fn->export);
		if (wrt_instance_export(fn->inst->instance, name, strlen(name), &ext) &&
			ext.kind == WRT_EXTERN_FUNC)
			fn->close = ext.u.func;
		/* (i32) -> (): it gets each row's pointer and keeps its buffers. */
		name = psprintf("cabi_post_%s_next", fn->export);
		if (wrt_instance_export(fn->inst->instance, name, strlen(name), &ext) &&
			ext.kind == WRT_EXTERN_FUNC)
		{
			wrt_func_type(ext.u.func, &ft);
			if (ft.nparams == 1 && ft.params[0] == WRT_I32 && ft.nresults == 0)
				fn->post_next = ext.u.func;
		}
	}

	fn->memory = wrt_instance_memory(fn->inst->instance);
	if (fn->memory == NULL &&
		(fn->sig.buffer_args || fn->spill || (fn->sig.ret && !fn->sig.ret->scalar)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("wasm module \"%s\" has no memory, which function %s needs",
						fn->modname, fn->fdesc)));
	fn->roleid = role;
}

/*
 * Slow path: (re)build from pg_proc if the row changed, then resolve module
 * and instance.  The epoch is recorded last, so anything that bumped it
 * meanwhile (an eviction, an invalidation) is already accounted for.
 *
 * Everything is resolved against the catalogs as committed now: pending
 * invalidations are processed first.  A statement that takes no lock (a
 * bare SELECT f()) processes none, so without this the function, its module
 * catalog and any OID derived from them could come from cache entries of
 * objects another session has dropped meanwhile (DROP EXTENSION pgwasm
 * CASCADE), and fail deep inside with an internal error.
 */
static pg_noinline PgwasmFn *
fn_prepare(FunctionCallInfo fcinfo, bool force)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	PgwasmFn   *fn = (PgwasmFn *) flinfo->fn_extra;
	HeapTuple	tup;

	/* Checked here once: an FmgrInfo serves event trigger calls or none. */
	if (CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be event trigger functions"),
				 errhint("Call the wasm function from an event trigger function in PL/pgSQL.")));

	AcceptInvalidationMessages();
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
	{
		/* Planned from stale caches: the function was dropped since. */
		if (fn != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function %s does not exist any more", fn->fdesc),
					 errdetail("It was dropped by another transaction after this statement looked it up.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("wasm function with OID %u does not exist any more", flinfo->fn_oid),
				 errdetail("It was dropped by another transaction after this statement looked it up.")));
	}
	if (fn == NULL || force ||
		fn->fn_xmin != HeapTupleHeaderGetRawXmin(tup->t_data) ||
		!ItemPointerEquals(&fn->fn_tid, &tup->t_self))
	{
		/* The old one (if any) stays in fn_mcxt: replacements are rare. */
		fn = fn_build(flinfo, tup);
		flinfo->fn_extra = fn;
	}
	ReleaseSysCache(tup);

	fn->epoch = 0;
	fn->mod = pgwasm_cache_get_module(fn->modname);
	fn->form = pgwasm_sig_check_export(&fn->sig, fn->mod->module, fn->modname,
									   fn->export, fn->fdesc, &fn->null_aware, &fn->spill);
	if (fn->spill)
		fn->has_buffers = true;
	fn->lower.nullable = fn->lift.nullable = fn->null_aware;
	fn->argt = fn->null_aware ? fn->sig.args_opt : fn->sig.args;
	fn->rett = fn->null_aware ? fn->sig.ret_opt : fn->sig.ret;
	fn->plain_args = fn->plain_sig && !fn->null_aware && !fn->spill;
	fn->stats = pgwasm_stats_entry(fn->modname);
	fn_bind_role(fn);
	fn->epoch = pgwasm_cache_epoch;
	return fn;
}

/* ---- the call ------------------------------------------------------------- */

/*
 * Argument buffers.  The first call of an instance in a transaction gets a
 * fresh buffer from the guest's allocator for each (ptr, len) argument and
 * gives it back with free() after the call.  From the second call on, the
 * buffers are kept in the instance (PgwasmInstance.kept, slot i for the i-th
 * buffer argument), reused by the next calls and grown through the allocator
 * when a larger value comes: a call then costs no allocator calls at all.
 * Kept buffers are given back with free() every PGWASM_KEPT_CALLS calls (so
 * a guest whose free() also collects garbage still gets to run it), and are
 * forgotten, without a call, whenever the instance is reset: the reset
 * restores the guest heap as it was before they were allocated.  A value
 * above PGWASM_KEPT_MAX bytes, a buffer argument beyond PGWASM_KEPT_SLOTS,
 * or a nested call (a guest call running while another one is marshalled)
 * gets a buffer of its own, freed after the call, as on the first call.
 */

/*
 * Allocate size bytes (at least one) in guest memory.  With old != 0 (a kept buffer of old_size bytes) it is resized
 * by cabi_realloc, or freed and allocated afresh with malloc.  *ptr == 0 if
 * the allocator failed and report is false.
 */
static void
guest_alloc(PgwasmFn *fn, PgwasmInstance *inst, uint32 old, uint32 old_size,
			uint32 size, uint32 align, bool report, uint32 *ptr)
{
	wrt_value	args[4];
	wrt_value	res;
	/* A zero-length argument still gets a real, non-null, freeable buffer. */
	uint32		req = Max(size, 1);

	memset(args, 0, sizeof(args));
	res.bits = 0;
	if (inst->fn_realloc)
	{
		args[0].i32 = (int32) old;
		args[1].i32 = (int32) old_size;
		args[2].i32 = (int32) align;
		args[3].i32 = (int32) req;
		pgwasm_call_guest(inst, inst->fn_realloc, args, &res, "cabi_realloc");
	}
	else
	{
		if (old != 0 && inst->fn_free)
		{
			args[0].i32 = (int32) old;
			pgwasm_call_guest(inst, inst->fn_free, args, NULL, "free");
		}
		args[0].i32 = (int32) req;
		pgwasm_call_guest(inst, inst->fn_malloc, args, &res, "malloc");
	}
	*ptr = (uint32) res.i32;
	if (*ptr == 0)
	{
		if (!report)
			return;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("wasm guest could not allocate %u bytes for an argument", size),
				 errhint("The memory of one instance is limited by pgwasm.max_memory.")));
	}
	if ((uint64) *ptr + req > wrt_memory_size(fn->memory))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm guest allocator returned an out-of-bounds buffer"),
				 errdetail("Pointer %u, %u bytes, memory size %llu bytes.", *ptr, req,
						   (unsigned long long) wrt_memory_size(fn->memory))));
}

/*
 * The kept buffer of slot for size bytes, obtained or grown if needed.
 * *ptr == 0 if the allocator could not
 * provide it (the caller then falls back to a buffer of its own).
 */
static void
kept_buffer(PgwasmFn *fn, PgwasmInstance *inst, int slot, uint32 size, uint32 align,
			uint32 *ptr)
{
	PgwasmKeptBuf *k = &inst->kept[slot];
	PgwasmKeptBuf old = *k;
	uint32		cap;

	if (likely(old.ptr != 0 && old.cap >= size && old.align >= align &&
			   (uint64) old.ptr + old.cap <= wrt_memory_size(fn->memory)))
	{
		*ptr = old.ptr;
		return;
	}

	/* Room to grow: the next power of two, at least 64 bytes. */
	cap = 64;
	while (cap < size)
		cap <<= 1;
	if (old.align > align)
		align = old.align;
	/* Forget it first: if anything below fails, it is at worst leaked. */
	k->ptr = k->cap = k->align = 0;
	if (slot >= inst->nkept)
		inst->nkept = slot + 1;
	guest_alloc(fn, inst, old.ptr, old.cap, cap, align, false, ptr);
	if (*ptr != 0)
	{
		k->ptr = *ptr;
		k->cap = cap;
		k->align = align;
	}
}

/* Give the kept buffers back with free(). */
static void
release_kept(PgwasmInstance *inst)
{
	inst->kept_calls = 0;
	if (inst->fn_free == NULL)
		return;					/* nothing to give them back to: keep them */
	for (int i = 0; i < inst->nkept; i++)
	{
		wrt_value	arg;

		if (inst->kept[i].ptr == 0)
			continue;
		arg.bits = 0;
		arg.i32 = (int32) inst->kept[i].ptr;
		inst->kept[i].ptr = inst->kept[i].cap = inst->kept[i].align = 0;
		pgwasm_call_guest(inst, inst->fn_free, &arg, NULL, "free");
	}
	inst->nkept = 0;
}

/* Scalars of the common kinds inline, the others through their row. */
static inline wrt_value
scalar_in(const PgwasmType *t, Datum d)
{
	wrt_value	v;

	switch (t->kind)
	{
		case PGWASM_INT4:
			v.bits = (uint32) DatumGetInt32(d);
			return v;
		case PGWASM_INT8:
			v.i64 = DatumGetInt64(d);
			return v;
		case PGWASM_FLOAT8:
			v.f64 = DatumGetFloat8(d);
			return v;
		default:
			return t->to_wasm(d);
	}
}

static inline Datum
scalar_out(const PgwasmType *t, wrt_value v)
{
	switch (t->kind)
	{
		case PGWASM_INT4:
			return Int32GetDatum(v.i32);
		case PGWASM_INT8:
			return Int64GetDatum(v.i64);
		case PGWASM_FLOAT8:
			return Float8GetDatum(v.f64);
		case PGWASM_BOOL:
			return BoolGetDatum(v.i32 != 0);
		default:
			return t->from_wasm(v);
	}
}

/*
 * An array argument whose elements PostgreSQL stores exactly as the guest
 * wants them (int2/4/8, float4/8, bool on a little-endian host: the row's
 * pg_layout), with one dimension or none and no null bitmap, in a function
 * that gets no options: its element count, with *data at the elements,
 * which then go to the guest in one copy.  -1 for any other, which takes
 * cv_array_lower's way (and its errors: dimensions, NULL elements).
 */
static int
array_as_image(PgwasmFn *fn, const PgwasmType *t, Datum d, const char **data)
{
#ifdef WORDS_BIGENDIAN
	return -1;
#else
	ArrayType  *a;

	if (!t->elem->pg_layout || fn->lower.nullable)
		return -1;
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) > 1 || ARR_HASNULL(a))
		return -1;
	*data = ARR_DATA_PTR(a);
	return ARR_NDIM(a) == 1 ? ARR_DIMS(a)[0] : 0;
#endif
}

/*
 * Copy one argument that points into memory in (the b-th of the call) and
 * store its flat values at fn->params[*p].
 * Text and bytea in a UTF-8 database, and arrays of elements stored as
 * the guest wants them (array_as_image), go straight from the datum; the
 * others through an image built by their row (PgwasmLower), relocated to
 * the buffer the guest's allocator gave.
 */
static pg_noinline void
marshal_buffer(PgwasmFn *fn, PgwasmInstance *inst, const PgwasmType *t, Oid typid, Datum d,
			   int b, bool keep, uint32 *p)
{
	const char *data;
	uint32		nbytes,
				align,
				ptr = 0;
	bool		direct = fn->utf8_db && (t->kind == PGWASM_TEXT || t->kind == PGWASM_BYTEA);
	int			direct_count = -1;	/* an array whose elements are the image */

	if (!direct && t->kind == PGWASM_ARRAY)
		direct_count = array_as_image(fn, t, d, &data);
	if (direct_count >= 0)
	{
		nbytes = (uint32) direct_count * t->elem->size;
		align = Max(t->elem->align, 1);
		direct = true;
	}
	else if (direct)
	{
		/* No conversion: the bytes as they are, not even detoasted if short. */
		struct varlena *v = (struct varlena *) DatumGetPointer(d);

		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
			v = pg_detoast_datum_packed(v);

		data = VARDATA_ANY(v);
		nbytes = VARSIZE_ANY_EXHDR(v);
		align = 1;
	}
	else
	{
		pgwasm_lower_reset(&fn->lower, t->size);
		pgwasm_lower_value(t, typid, d, &fn->lower, 0);
		data = fn->lower.buf.data + fn->lower.top;
		nbytes = fn->lower.buf.len - fn->lower.top;
		align = fn->lower.align;
	}

	fn->buf_temp[b] = false;
	if (keep && b < PGWASM_KEPT_SLOTS && nbytes <= PGWASM_KEPT_MAX)
		kept_buffer(fn, inst, b, Max(nbytes, 1), align, &ptr);
	if (ptr == 0)
	{
		guest_alloc(fn, inst, 0, 0, nbytes, align, true, &ptr);
		fn->buf_temp[b] = true;
	}
	fn->buf_ptr[b] = ptr;
	fn->buf_len[b] = Max(nbytes, 1);
	fn->nbufs = b + 1;
	if (!direct)
		pgwasm_lower_relocate(&fn->lower, ptr);
	/* Re-read the base: the allocator may have grown memory. */
	if (nbytes > 0)
		memcpy(wrt_memory_data(fn->memory) + ptr, data, nbytes);
	if (direct)
	{
		fn->params[*p].bits = 0;
		fn->params[(*p)++].i32 = (int32) ptr;
		fn->params[*p].bits = 0;
		fn->params[(*p)++].i32 = (int32) (direct_count >= 0 ? (uint32) direct_count : nbytes);
	}
	else
	{
		for (int j = 0; j < t->nflat; j++)
			fn->params[(*p)++] = pgwasm_flat_load(&t->flat[j], (const uint8 *) fn->lower.buf.data);
	}
}

/*
 * More than 16 flat values (ABI v2): the arguments as a tuple in one guest
 * buffer of their own, its address the only parameter.
 */
static pg_noinline void
marshal_spilled(PgwasmFn *fn, PgwasmInstance *inst, FunctionCallInfo fcinfo)
{
	const PgwasmSig *sig = &fn->sig;
	uint32		at,
				nbytes,
				ptr;

	pgwasm_lower_reset(&fn->lower, 8);
	at = pgwasm_lower_reserve(&fn->lower, fn->null_aware ? sig->tuple_size_opt : sig->tuple_size,
							  fn->null_aware ? sig->tuple_align_opt : sig->tuple_align);
	for (int i = 0; i < sig->nargs; i++)
	{
		const PgwasmType *t = fn->argt[i];
		uint32		rep = at + (fn->null_aware ? sig->argoff_opt[i] : sig->argoff[i]);

		if (fn->null_aware)
		{
			uint32		size,
						align,
						payload;

			if (fcinfo->args[i].isnull)
				continue;		/* discriminant 0 */
			pgwasm_option_layout(t, &size, &align, &payload);
			fn->lower.buf.data[rep] = 1;
			rep += payload;
		}
		else if (fcinfo->args[i].isnull)
			elog(ERROR, "wasm function %s called with a NULL argument", fn->fdesc);
		pgwasm_lower_value(t, sig->argbase[i], fcinfo->args[i].value, &fn->lower, rep);
	}
	nbytes = fn->lower.buf.len - fn->lower.top;
	fn->nbufs = 0;
	guest_alloc(fn, inst, 0, 0, nbytes, fn->lower.align, true, &ptr);
	fn->buf_ptr[0] = ptr;
	fn->buf_len[0] = Max(nbytes, 1);
	fn->buf_temp[0] = true;
	fn->nbufs = 1;
	pgwasm_lower_relocate(&fn->lower, ptr);
	memcpy(wrt_memory_data(fn->memory) + ptr, fn->lower.buf.data + fn->lower.top, nbytes);
	fn->params[0].bits = 0;
	fn->params[0].i32 = (int32) (ptr + at - fn->lower.top);
}

/* Copy the arguments in. */
static inline void
marshal_args(PgwasmFn *fn, PgwasmInstance *inst, FunctionCallInfo fcinfo, bool keep)
{
	uint32		p = 0;
	int			b = 0;

	if (unlikely(fn->spill))
	{
		marshal_spilled(fn, inst, fcinfo);
		return;
	}

	if (likely(fn->plain_args))
	{
		/* Plain scalars only: one Wasm parameter per argument, no conversion. */
		int			nargs = fn->sig.nargs;
		const uint64 *mask = fn->arg_mask;
		wrt_value  *params = fn->params;

		for (int i = 0; i < nargs; i++)
			params[i].bits = (uint64) fcinfo->args[i].value & mask[i];
		return;
	}
	fn->nbufs = 0;
	for (int i = 0; i < fn->sig.nargs; i++)
	{
		const PgwasmType *t = fn->argt[i];

		if (fn->null_aware)
		{
			/* option<T>: the discriminant, then T's values (zeros for none). */
			bool		isnull = fcinfo->args[i].isnull;

			fn->params[p].bits = 0;
			fn->params[p++].i32 = isnull ? 0 : 1;
			if (isnull)
			{
				for (int j = 0; j < t->nflat; j++)
					fn->params[p++].bits = 0;
				continue;
			}
		}
		if (likely(t->scalar))
		{
			fn->params[p++] = scalar_in(t, fcinfo->args[i].value);
			continue;
		}
		/* A STRICT function's arguments were not checked for NULL. */
		if (unlikely(fcinfo->args[i].isnull))
			elog(ERROR, "wasm function %s called with a NULL argument", fn->fdesc);
		if (!t->has_ptr)
		{
			/* Several flat values, no memory (interval): through an image. */
			pgwasm_lower_reset(&fn->lower, t->size);
			pgwasm_lower_value(t, fn->sig.argbase[i], fcinfo->args[i].value, &fn->lower, 0);
			for (int j = 0; j < t->nflat; j++)
				fn->params[p++] = pgwasm_flat_load(&t->flat[j], (const uint8 *) fn->lower.buf.data);
			continue;
		}
		marshal_buffer(fn, inst, t, fn->sig.argbase[i], fcinfo->args[i].value, b++, keep, &p);
	}
}

/*
 * A result that is not one flat value, read from guest memory: every
 * pointer in it is bounds-checked, and the buffers it points to are
 * recorded in fn->lift.owned for release_buffers.
 */
static Datum
fetch_result(PgwasmFn *fn, bool *isnull)
{
	const PgwasmType *t = fn->rett;
	const uint8 *base = wrt_memory_data(fn->memory);
	uint64		memsize = wrt_memory_size(fn->memory);
	uint8		packed[8];
	const uint8 *rep;

	pgwasm_lift_init(&fn->lift, base, memsize);
	switch (fn->form)
	{
		case PGWASM_RET_PACKED:
			{
				uint64		r = (uint64) fn->result.i64;

				/* (ptr, len) as the canonical memory image: two u32 LE. */
				for (int i = 0; i < 8; i++)
					packed[i] = (uint8) (r >> (8 * i));
				rep = packed;
				break;
			}
		case PGWASM_RET_FLAT:
			/* A record of one flat value: that value, as its image. */
			memset(packed, 0, sizeof(packed));
			pgwasm_flat_store(&t->flat[0], fn->result, packed);
			rep = packed;
			break;
		case PGWASM_RET_AREA:
			{
				uint32		area = (uint32) fn->result.i32;
				uint32		size = t->size,
							payload = 0;

				if (fn->null_aware)
				{
					uint32		align;

					pgwasm_option_layout(t, &size, &align, &payload);
				}
				if ((uint64) area + size > memsize)
					ereport(ERROR,
							(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
							 errmsg("wasm function returned an out-of-bounds return area"),
							 errdetail("Return area at %u, memory size %llu bytes.", area,
									   (unsigned long long) memsize)));
				rep = base + area;
				if (fn->null_aware)
				{
					if (!pgwasm_lift_discriminant(rep[0], "the result"))
					{
						*isnull = true;
						return (Datum) 0;
					}
					rep += payload;
				}
				break;
			}
		default:
			elog(ERROR, "unexpected result form %d", (int) fn->form);
	}
	return pgwasm_lift_value(t, fn->sig.retbase, rep, &fn->lift);
}

/* Is p inside an argument buffer of this call or a kept buffer? */
static bool
points_into_arg(PgwasmFn *fn, PgwasmInstance *inst, uint32 p)
{
	for (int i = 0; i < fn->nbufs; i++)
	{
		if (p >= fn->buf_ptr[i] && p - fn->buf_ptr[i] < fn->buf_len[i])
			return true;
	}
	for (int i = 0; i < inst->nkept; i++)
	{
		if (inst->kept[i].ptr != 0 && p >= inst->kept[i].ptr &&
			p - inst->kept[i].ptr < inst->kept[i].cap)
			return true;
	}
	return false;
}

/*
 * Give buffers back: cabi_post_<export> if the module has it (it then owns
 * the result's buffers), else free() on every buffer the result pointed to
 * (once each); free() on every argument buffer not kept.  A result that
 * points into an argument buffer (this call's or a kept one) is not freed:
 * the buffer is the host's.
 */
static void
release_buffers(PgwasmFn *fn, PgwasmInstance *inst, bool keep)
{
	wrt_func   *fn_free = inst->fn_free;
	wrt_value	arg;

	if (fn->post)
		pgwasm_call_guest(inst, fn->post, &fn->result, NULL, fn->post_name);
	else if (fn_free && fn->lift.nowned > 0)
	{
		int			n = pgwasm_lift_owned(&fn->lift);

		for (int i = 0; i < n; i++)
		{
			uint32		ptr = fn->lift.owned[i];

			if (points_into_arg(fn, inst, ptr))
				continue;
			arg.bits = 0;
			arg.i32 = (int32) ptr;
			pgwasm_call_guest(inst, fn_free, &arg, NULL, "free");
		}
	}
	if (fn_free)
	{
		for (int i = 0; i < fn->nbufs; i++)
		{
			if (!fn->buf_temp[i])
				continue;
			arg.bits = 0;
			arg.i32 = (int32) fn->buf_ptr[i];
			pgwasm_call_guest(inst, fn_free, &arg, NULL, "free");
		}
	}
	if (keep && inst->nkept > 0 && ++inst->kept_calls >= PGWASM_KEPT_CALLS)
		release_kept(inst);
}

static inline Datum
fn_call(PgwasmFn *fn, FunctionCallInfo fcinfo)
{
	PgwasmInstance *inst = fn->inst;
	bool		keep;
	bool		isnull = false;
	Datum		result;

	if (unlikely(pgwasm_instance_needs_prepare(inst)))
		pgwasm_instance_prepare(inst);
	pgwasm_call_depth++;
	fn->stats->calls++;
	/* Kept buffers from the second call on, and never in a nested call. */
	keep = fn->sig.buffer_args && inst->dirty && pgwasm_call_depth == 1;
	inst->dirty = true;
	marshal_args(fn, inst, fcinfo, keep);
	if (unlikely(!wrt_call(inst->store, fn->func, fn->params, &fn->result)))
		call_failed(inst, fn->stats, NULL);
	fn->lift.nowned = 0;
	if (unlikely(fn->sig.retset))
		result = Int32GetDatum(fn->result.i32); /* a cursor handle */
	else if (likely(fn->form == PGWASM_RET_SCALAR))
		result = scalar_out(fn->rett, fn->result);
	else if (fn->form == PGWASM_RET_NONE)
		result = (Datum) 0;
	else
		result = fetch_result(fn, &isnull);
	if (fn->has_buffers)
		release_buffers(fn, inst, keep);
	if (unlikely(!pgwasm_host_idle(inst->host)))
		pgwasm_host_after_call(inst->host);
	pgwasm_call_depth--;

	if (unlikely(fn->sig.ret_domain) && !fn->sig.retset)
		domain_check(result, isnull, fn->sig.rettype, &fn->domain_info, fn->mcxt);
	fcinfo->isnull = isnull;
	return result;
}

/* ---- set-returning functions ------------------------------------------------ */

/*
 * A set comes from a cursor in the guest: the export opens it (the
 * arguments as for any call, an i32 handle back), <export>_next(handle)
 * returns a pointer to the next row as a canonical variant { end, row(T),
 * null } (a discriminant byte 0, 1 or 2, then T at its alignment, as an
 * option), and <export>_close(handle), if exported, is called once per
 * cursor: after the end, or when the query stops reading early (LIMIT, an
 * EXISTS satisfied), from the expression context's shutdown callback.  The
 * executor asks for one row at a time (ValuePerCall), so a million rows
 * never live in guest memory at once, and a LIMIT stops the guest.
 *
 * The cursor lives in the guest instance, which must stay the same from the
 * first row to the last: if it was reset or evicted meanwhile (another
 * statement in between cannot happen, but a cache eviction can), the set
 * ends with an ERROR rather than reading a cursor that is gone.
 */
typedef struct PgwasmCursor
{
	PgwasmFn   *fn;
	PgwasmInstance *inst;
	uint64		generation;		/* of inst when the cursor was opened */
	int32		handle;
	bool		active;			/* a set is being read */
	bool		open;			/* close not called yet */
	ExprContext *econtext;
	uint64		xact_seq;		/* where the set was opened: a call */
	SubTransactionId subxid;	/* elsewhere starts a new set */
} PgwasmCursor;

static bool
cursor_alive(PgwasmCursor *c)
{
	PgwasmFn   *fn = c->fn;

	return fn->epoch == pgwasm_cache_epoch && fn->inst == c->inst &&
		c->inst->generation == c->generation && !c->inst->needs_reset &&
		c->inst->xact_seq == pgwasm_xact_seq;
}

/* Call <export>_close, once, if the guest state is still there. */
static void
cursor_close(PgwasmCursor *c)
{
	wrt_value	arg;

	if (!c->open)
		return;
	c->open = false;
	if (c->fn->close == NULL || !cursor_alive(c))
		return;
	arg.bits = 0;
	arg.i32 = c->handle;
	pgwasm_call_depth++;
	pgwasm_call_guest(c->inst, c->fn->close, &arg, NULL, "the cursor's close");
	if (unlikely(!pgwasm_host_idle(c->inst->host)))
		pgwasm_host_after_call(c->inst->host);
	pgwasm_call_depth--;
}

/* The query stopped reading the set before its end (LIMIT, a rescan). */
static void
cursor_shutdown(Datum arg)
{
	PgwasmCursor *c = (PgwasmCursor *) DatumGetPointer(arg);

	c->active = false;
	cursor_close(c);
}

/* The next row; *done at the end. */
static Datum
cursor_next(PgwasmFn *fn, PgwasmCursor *c, bool *isnull, bool *done)
{
	PgwasmInstance *inst = fn->inst;
	const PgwasmType *t = fn->rett;
	wrt_value	arg;
	uint32		area,
				size,
				align,
				payload;
	const uint8 *base;
	uint64		memsize;
	uint8		tag;
	Datum		result = (Datum) 0;

	*isnull = *done = false;
	arg.bits = 0;
	arg.i32 = c->handle;
	pgwasm_call_depth++;
	fn->stats->calls++;
	inst->dirty = true;
	if (unlikely(!wrt_call(inst->store, fn->next, &arg, &fn->result)))
		call_failed(inst, fn->stats, NULL);

	/* variant { end, row(T), null }: laid out as option<T>, tag 2 added. */
	pgwasm_option_layout(t, &size, &align, &payload);
	base = wrt_memory_data(fn->memory);
	memsize = wrt_memory_size(fn->memory);
	area = (uint32) fn->result.i32;
	if ((uint64) area + size > memsize)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm function returned an out-of-bounds row"),
				 errdetail("Row at %u, %u bytes, memory size %llu bytes.", area, size,
						   (unsigned long long) memsize)));
	tag = base[area];
	fn->lift.nowned = 0;
	pgwasm_lift_init(&fn->lift, base, memsize);
	if (tag == 0)
		*done = true;
	else if (tag == 1)
		result = pgwasm_lift_value(t, fn->sig.retbase, base + area + payload, &fn->lift);
	else if (tag == 2 && fn->null_aware)
		*isnull = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm function returned an invalid row tag %u", tag),
				 errdetail(fn->null_aware ? "A row starts with a byte 0 (end), 1 (a row) or 2 (NULL)." :
						   "A row starts with a byte 0 (end) or 1 (a row); NULL rows (2) need a function that is not STRICT in an ABI v2 module.")));
	/*
	 * The row's strings and lists are the host's to free, as for any result,
	 * unless the module exports cabi_post_<export>_next, which then gets the
	 * row and owns them (a guest can then reuse one buffer for every row).
	 */
	if (fn->post_next)
		pgwasm_call_guest(inst, fn->post_next, &fn->result, NULL, "cabi_post_<export>_next");
	else if (fn->lift.nowned > 0 && inst->fn_free)
	{
		int			n = pgwasm_lift_owned(&fn->lift);

		for (int i = 0; i < n; i++)
		{
			wrt_value	p;

			p.bits = 0;
			p.i32 = (int32) fn->lift.owned[i];
			pgwasm_call_guest(inst, inst->fn_free, &p, NULL, "free");
		}
	}
	if (unlikely(!pgwasm_host_idle(inst->host)))
		pgwasm_host_after_call(inst->host);
	pgwasm_call_depth--;
	if (unlikely(fn->sig.ret_domain) && !*done)
		domain_check(result, *isnull, fn->sig.rettype, &fn->domain_info, fn->mcxt);
	return result;
}

/*
 * ValuePerCall by hand: fn_extra holds the PgwasmFn, not a FuncCallContext,
 * so the cursor of the set being read hangs off the PgwasmFn (one FmgrInfo
 * reads one set at a time).  A cursor left active by an error is recognised
 * by its (sub)transaction and forgotten.
 */
static Datum
srf_call(PgwasmFn *fn, FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgwasmCursor *c = fn->cursor;
	Datum		row;
	bool		isnull,
				done;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_ValuePerCall) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (c == NULL)
		c = fn->cursor = MemoryContextAllocZero(fn->mcxt, sizeof(PgwasmCursor));
	if (c->active && (c->xact_seq != pgwasm_xact_seq || c->subxid != GetCurrentSubTransactionId() ||
					  c->econtext != rsinfo->econtext))
		c->active = false;		/* abandoned by an error: its instance was reset */
	if (!c->active)
	{
		Datum		h = fn_call(fn, fcinfo);

		c->fn = fn;
		c->inst = fn->inst;
		c->generation = fn->inst->generation;
		c->handle = DatumGetInt32(h);
		c->active = c->open = true;
		c->econtext = rsinfo->econtext;
		c->xact_seq = pgwasm_xact_seq;
		c->subxid = GetCurrentSubTransactionId();
		RegisterExprContextCallback(rsinfo->econtext, cursor_shutdown, PointerGetDatum(c));
	}
	else if (!cursor_alive(c))
	{
		c->active = c->open = false;
		UnregisterExprContextCallback(c->econtext, cursor_shutdown, PointerGetDatum(c));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the cursor of wasm set-returning function %s is gone", fn->fdesc),
				 errdetail("The module's instance was reset or evicted from the cache while the set was being read."),
				 errhint("Raise pgwasm.module_cache_size if many modules are used in one query.")));
	}
	row = cursor_next(fn, c, &isnull, &done);
	if (done)
	{
		UnregisterExprContextCallback(c->econtext, cursor_shutdown, PointerGetDatum(c));
		c->active = false;
		cursor_close(c);
		rsinfo->isDone = ExprEndResult;
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	rsinfo->isDone = ExprMultipleResult;
	fcinfo->isnull = isnull;
	return row;
}

/* ---- triggers ---------------------------------------------------------------- */

/*
 * A trigger: the event and the rows (options of the table's row record) go
 * into one guest buffer, whose address is the export's one argument (see
 * abi.c); the export returns a pointer to { skip, unchanged, row(row) }.
 * For BEFORE and INSTEAD OF row triggers skip returns NULL (the row is not
 * written), unchanged the row as it came (NEW, or OLD for DELETE), row the
 * guest's; for the others the result is ignored, as PostgreSQL does.  An
 * ERROR in the guest aborts the statement.
 */
static Datum
trigger_call(PgwasmFn *fn, FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	TriggerEvent ev = td->tg_event;
	PgwasmInstance *inst = fn->inst;
	HeapTuple	oldtup = NULL,
				newtup = NULL,
				result = NULL;
	uint8		op,
				timing,
				level;
	uint32		at,
				ptr = 0,
				nbytes,
				size,
				align,
				payload,
				area;
	const uint8 *base;
	uint64		memsize;
	wrt_value	param;
	bool		row_level = TRIGGER_FIRED_FOR_ROW(ev);
	bool		answers = row_level && !TRIGGER_FIRED_AFTER(ev);

	/*
	 * The table's row as a record of options, kept while its shape holds.
	 * A statement-level trigger sees no rows: a table whose rows cannot
	 * cross still gets its event (old and new then follow a stand-in row).
	 */
	if (fn->trig_row == NULL || fn->trig_relid != RelationGetRelid(rel) ||
		fn->trig_row->tupdesc == NULL || !equalTupleDescs(fn->trig_row->tupdesc, desc))
	{
		fn->trig_row = pgwasm_trigger_row_node(desc, RelationGetRelationName(rel), fn->mcxt,
											   !row_level);
		fn->trig_relid = RelationGetRelid(rel);
	}
	op = TRIGGER_FIRED_BY_INSERT(ev) ? 0 : TRIGGER_FIRED_BY_UPDATE(ev) ? 1 :
		TRIGGER_FIRED_BY_DELETE(ev) ? 2 : 3;
	timing = TRIGGER_FIRED_BEFORE(ev) ? 0 : TRIGGER_FIRED_AFTER(ev) ? 1 : 2;
	level = row_level ? 0 : 1;
	if (row_level)
	{
		if (TRIGGER_FIRED_BY_INSERT(ev))
			newtup = td->tg_trigtuple;
		else if (TRIGGER_FIRED_BY_UPDATE(ev))
		{
			oldtup = td->tg_trigtuple;
			newtup = td->tg_newtuple;
		}
		else
			oldtup = td->tg_trigtuple;
	}

	if (unlikely(pgwasm_instance_needs_prepare(inst)))
		pgwasm_instance_prepare(inst);
	pgwasm_call_depth++;
	fn->stats->calls++;
	inst->dirty = true;
	pgwasm_lower_reset(&fn->lower, 8);
	/* Columns are nullable: rows, and arrays in them, hold options. */
	fn->lower.nullable = fn->lift.nullable = true;
	at = pgwasm_lower_trigger(&fn->lower, fn->trig_row, op, timing, level,
							  RelationGetRelationName(rel),
							  get_namespace_name(RelationGetNamespace(rel)),
							  td->tg_trigger->tgnargs, td->tg_trigger->tgargs,
							  oldtup, newtup);
	nbytes = fn->lower.buf.len - fn->lower.top;
	fn->nbufs = 0;
	guest_alloc(fn, inst, 0, 0, nbytes, fn->lower.align, true, &ptr);
	fn->buf_ptr[0] = ptr;
	fn->buf_len[0] = Max(nbytes, 1);
	fn->buf_temp[0] = true;
	fn->nbufs = 1;
	pgwasm_lower_relocate(&fn->lower, ptr);
	memcpy(wrt_memory_data(fn->memory) + ptr, fn->lower.buf.data + fn->lower.top, nbytes);
	param.bits = 0;
	param.i32 = (int32) (ptr + at - fn->lower.top);
	if (unlikely(!wrt_call(inst->store, fn->func, &param, &fn->result)))
		call_failed(inst, fn->stats, NULL);

	/* variant { skip, unchanged, row(row) }, laid out as option<row> */
	pgwasm_option_layout(fn->trig_row, &size, &align, &payload);
	base = wrt_memory_data(fn->memory);
	memsize = wrt_memory_size(fn->memory);
	area = (uint32) fn->result.i32;
	fn->lift.nowned = 0;
	pgwasm_lift_init(&fn->lift, base, memsize);
	if ((uint64) area + size > memsize)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm trigger function returned an out-of-bounds result"),
				 errdetail("Result at %u, %u bytes, memory size %llu bytes.", area, size,
						   (unsigned long long) memsize)));
	switch (base[area])
	{
		case 0:
			result = NULL;		/* skip */
			break;
		case 1:
			result = newtup ? newtup : oldtup;
			break;
		case 2:
			if (answers && op != 2)
				result = pgwasm_lift_row(fn->trig_row, base + area + payload, &fn->lift);
			else
				result = newtup ? newtup : oldtup;
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("wasm trigger function returned an invalid result tag %u", base[area]),
					 errdetail("A trigger result starts with a byte 0 (skip), 1 (unchanged) or 2 (a row).")));
	}
	release_buffers(fn, inst, false);
	if (unlikely(!pgwasm_host_idle(inst->host)))
		pgwasm_host_after_call(inst->host);
	pgwasm_call_depth--;
	if (!answers)
		return PointerGetDatum(NULL);
	return PointerGetDatum(result);
}

/* Is the function a module's carrier, wasm_module."<name>"()? */
static pg_noinline bool
fn_is_carrier(Oid fnoid)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
	bool		result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fnoid);
	result = pgwasm_proc_is_carrier((Form_pg_proc) GETSTRUCT(tup));
	ReleaseSysCache(tup);
	return result;
}

Datum
pgwasm_call_handler(PG_FUNCTION_ARGS)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	PgwasmFn   *fn = (PgwasmFn *) flinfo->fn_extra;
	ErrorContextCallback errcb;
	Datum		result;

	bool		has_null = false;

	/*
	 * ABI v1 is not null-aware: a NULL argument gives NULL, without a call.
	 * Nor is a STRICT function of ABI v2, which the executor never calls
	 * with a NULL argument (marshal_args checks (ptr, len) arguments again
	 * all the same).  Whether a function is null-aware (ABI v2, not STRICT)
	 * is known once it is bound: until then a NULL is only noted.
	 */
	if (!flinfo->fn_strict)
	{
		for (int i = 0; i < fcinfo->nargs; i++)
		{
			if (fcinfo->args[i].isnull)
			{
				if (fn != NULL && !fn->null_aware && fn->epoch == pgwasm_cache_epoch &&
					!fn->sig.retset)
					PG_RETURN_NULL();
				has_null = true;
				break;
			}
		}
	}

	/*
	 * A module's carrier never gets a PgwasmFn (its messages name the
	 * module): it returns the bytes.
	 */
	if (unlikely(fn == NULL) && fn_is_carrier(flinfo->fn_oid))
		return pgwasm_carrier_call(flinfo->fn_oid);

	errcb.callback = error_callback;
	errcb.arg = flinfo;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (unlikely(pgwasm_limits_seen != pgwasm_limits_generation))
		pgwasm_cache_check_limits();
	if (unlikely(fn == NULL || fn->epoch != pgwasm_cache_epoch))
		fn = fn_prepare(fcinfo, false);
	else if (unlikely(fn->sig.ncomposites > 0) && pgwasm_sig_stale(&fn->sig))
		fn = fn_prepare(fcinfo, true);	/* ALTER TYPE since it was bound */
	else if (unlikely(fn->roleid != GetUserId()))
		fn_bind_role(fn);
	if (unlikely(has_null) && !fn->null_aware)
	{
		error_context_stack = errcb.previous;
		if (fn->sig.retset)
		{
			/* NULL in, nothing out: an empty set, as for a STRICT function. */
			ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

			if (rsinfo && IsA(rsinfo, ReturnSetInfo))
				rsinfo->isDone = ExprEndResult;
		}
		PG_RETURN_NULL();
	}
	if (fn->sig.trigger)
		result = trigger_call(fn, fcinfo);
	else if (fn->sig.retset)
		result = srf_call(fn, fcinfo);
	else
		result = fn_call(fn, fcinfo);

	error_context_stack = errcb.previous;
	return result;
}

/* ---- the validator ----------------------------------------------------------- */

Datum
pgwasm_validator(PG_FUNCTION_ARGS)
{
	Oid			funcoid = PG_GETARG_OID(0);
	HeapTuple	tup;
	Form_pg_proc proc;
	PgwasmSig	sig;
	bool		from_citus;

	if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, funcoid))
		PG_RETURN_VOID();

	/*
	 * Citus creates the functions it propagates to a worker (modules too)
	 * with check_function_bodies off.  The worker checks them all the same,
	 * with its own engine, so that a node that could not run them makes the
	 * distributed transaction fail rather than its later queries; only a
	 * module that is not there yet is let pass, as in a restore, since
	 * Citus may create a function before its module when it sets up a new
	 * node.
	 */
	from_citus = !check_function_bodies && pgwasm_citus_internal_backend();

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcoid);
	proc = (Form_pg_proc) GETSTRUCT(tup);

	if (proc->prokind == PROKIND_WINDOW)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be window functions")));
	if (proc->prorettype == EVENT_TRIGGEROID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be event trigger functions"),
				 errhint("Call the wasm function from an event trigger function in PL/pgSQL.")));

	/*
	 * A module's carrier (wasm.install_module creates them, pg_dump writes
	 * them as CREATE FUNCTION): its body is the module, checked in full only
	 * with check_function_bodies, so a restore costs no decoding.
	 */
	if (pgwasm_proc_is_carrier(proc))
	{
		pgwasm_validate_carrier(tup, check_function_bodies || from_citus);
		ReleaseSysCache(tup);
		PG_RETURN_VOID();
	}

	/* Types are checked always; the module with check_function_bodies. */
	pgwasm_sig_build(tup, &sig, CurrentMemoryContext);
	if (check_function_bodies || from_citus)
	{
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		char	   *fdesc = format_procedure(funcoid);
		char	   *modname;
		char	   *export;
		PgwasmModuleRow row;
		PgwasmModule *mod;

		if (isnull ||
			!pgwasm_parse_prosrc(TextDatumGetCString(src), NameStr(proc->proname),
								 &modname, &export))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
					 errmsg("invalid body of wasm function %s", fdesc),
					 errdetail("The body must be 'module:export' or 'module'.")));
		if (pgwasm_catalog_lookup(modname, &row, NULL))
		{
			mod = pgwasm_cache_get_module(modname);
			(void) pgwasm_sig_check_export(&sig, mod->module, modname, export, fdesc, NULL, NULL);
		}
		else if (!from_citus)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
					 errmsg("wasm module \"%s\" does not exist", modname),
					 errhint("Install it with wasm.install_module() first.")));
	}
	ReleaseSysCache(tup);
	PG_RETURN_VOID();
}
