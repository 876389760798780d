/*
 * handler.c — the call handler and validator of LANGUAGE wasm.
 *
 * A function is bound once per FmgrInfo: the pg_proc row is parsed into a
 * PgwasmFn kept in fn_extra (SQL signature, module and export names, the
 * Wasm parameter list), then resolved against the cache (compiled module,
 * the calling role's instance, export handles).  The hot path compares two
 * integers — the cache epoch and the role — and goes straight to marshalling
 * arguments and wrt_call: no catalog lookup, and no allocation beyond the
 * argument buffers.  When the epoch moved (a module was installed/dropped
 * anywhere, a function replaced, an entry evicted), the row is looked up
 * again and, if its xmin/TID changed (CREATE OR REPLACE FUNCTION), rebuilt.
 *
 * Interrupts: the engine polls InterruptPending.  When it stops a call with
 * WRT_TRAP_INTERRUPTED, CHECK_FOR_INTERRUPTS() raises the cancel, timeout or
 * termination error.  If it returns instead, the interrupt was one PostgreSQL
 * handles in passing (a parallel worker's message to its leader, a barrier):
 * the instance is reset and the call made again from the start, since
 * failing the query for it would break parallel plans.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "pgwasm.h"

PG_FUNCTION_INFO_V1(pgwasm_call_handler);
PG_FUNCTION_INFO_V1(pgwasm_validator);

/* Restarts after harmless interrupts before giving up on a call. */
#define MAX_ATTEMPTS 100

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
	PgwasmModule *mod;
	PgwasmStats *stats;
	Oid			roleid;			/* instance, func, post, memory are this role's */
	PgwasmInstance *inst;
	wrt_func   *func;
	wrt_func   *post;
	wrt_memory *memory;

	/* Per-call scratch, allocated once. */
	wrt_value  *params;
	wrt_value	result;
	uint32	   *buf_ptr;		/* guest buffers of the arguments */
	uint32	   *buf_len;
	int			nbufs;
} PgwasmFn;

/* ---- guest calls ------------------------------------------------------------ */

/*
 * A wrt_call failed: rethrow a host function's error, process an interrupt,
 * or report the trap.  Returns false only for a harmless interrupt.
 */
static bool
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
	if (trap->kind == WRT_TRAP_INTERRUPTED)
	{
		pgwasm_host_clear(inst->host);
		CHECK_FOR_INTERRUPTS();
		return false;
	}
	stats->traps++;
	pgwasm_host_after_call(inst->host); /* show what it printed before */
	pgwasm_report_trap(trap, what ? psprintf("While calling %s.", what) : NULL);
	return false;				/* not reached */
}

bool
pgwasm_call_guest(PgwasmInstance *inst, wrt_func *fn, const wrt_value *args,
				  wrt_value *results, const char *what)
{
	wrt_value	dummy[1];

	if (wrt_call(inst->store, fn, args, results ? results : dummy))
		return true;
	return call_failed(inst, inst->mod->stats, what);
}

/*
 * Poll InterruptPending only where CHECK_FOR_INTERRUPTS() can clear it;
 * otherwise (interrupts held off) every poll would stop the call.
 */
static inline void
set_polling(PgwasmInstance *inst)
{
	bool		poll = INTERRUPTS_CAN_BE_PROCESSED();

	if (unlikely(poll != inst->polling))
	{
		wrt_store_set_interrupt(inst->store, poll ? (volatile int *) &InterruptPending : NULL);
		inst->polling = poll;
	}
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

/* Parse a pg_proc row into a fresh PgwasmFn in fn_mcxt. */
static PgwasmFn *
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
	fn->params = palloc0(sizeof(wrt_value) * Max(fn->sig.nparams, 1));
	fn->buf_ptr = palloc0(sizeof(uint32) * Max(fn->sig.nargs, 1));
	fn->buf_len = palloc0(sizeof(uint32) * Max(fn->sig.nargs, 1));
	MemoryContextSwitchTo(old);
	return fn;
}

/* Resolve the calling role's instance and its export handles. */
static void
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

	fn->memory = wrt_instance_memory(fn->inst->instance);
	if (fn->memory == NULL &&
		(fn->sig.buffer_args || PGWASM_KIND_IS_BUFFER(fn->sig.retkind)))
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
 */
static PgwasmFn *
fn_prepare(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	PgwasmFn   *fn = (PgwasmFn *) flinfo->fn_extra;
	HeapTuple	tup;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", flinfo->fn_oid);
	if (fn == NULL ||
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
									   fn->export, fn->fdesc);
	fn->stats = pgwasm_stats_entry(fn->modname);
	fn_bind_role(fn);
	fn->epoch = pgwasm_cache_epoch;
	return fn;
}

/* ---- the call ------------------------------------------------------------- */

/* Allocate a buffer in guest memory; false after a harmless interrupt. */
static bool
guest_alloc(PgwasmFn *fn, PgwasmInstance *inst, uint32 size, uint32 align, uint32 *ptr)
{
	wrt_value	args[4];
	wrt_value	res;
	/* A zero-length argument still gets a real, non-null, freeable buffer. */
	uint32		req = Max(size, 1);
	bool		ok;

	memset(args, 0, sizeof(args));
	res.bits = 0;
	if (inst->fn_realloc)
	{
		args[2].i32 = (int32) align;
		args[3].i32 = (int32) req;
		ok = pgwasm_call_guest(inst, inst->fn_realloc, args, &res, "cabi_realloc");
	}
	else
	{
		args[0].i32 = (int32) req;
		ok = pgwasm_call_guest(inst, inst->fn_malloc, args, &res, "malloc");
	}
	if (!ok)
		return false;
	*ptr = (uint32) res.i32;
	if (*ptr == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("wasm guest could not allocate %u bytes for an argument", size),
				 errhint("The memory of one instance is limited by pgwasm.max_memory.")));
	if ((uint64) *ptr + size > wrt_memory_size(fn->memory))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm guest allocator returned an out-of-bounds buffer"),
				 errdetail("Pointer %u, %u bytes, memory size %llu bytes.", *ptr, size,
						   (unsigned long long) wrt_memory_size(fn->memory))));
	return true;
}

/* Copy the arguments in; false after a harmless interrupt. */
static bool
marshal_args(PgwasmFn *fn, PgwasmInstance *inst, FunctionCallInfo fcinfo)
{
	uint32		p = 0;

	fn->nbufs = 0;
	for (int i = 0; i < fn->sig.nargs; i++)
	{
		PgwasmKind	kind = fn->sig.argkinds[i];
		const char *data;
		uint32		nbytes,
					count,
					align,
					gptr;

		if (!PGWASM_KIND_IS_BUFFER(kind))
		{
			fn->params[p++] = pgwasm_scalar_to_wasm(kind, fcinfo->args[i].value);
			continue;
		}
		pgwasm_buffer_arg(kind, fcinfo->args[i].value, &data, &nbytes, &count, &align);
		if (!guest_alloc(fn, inst, nbytes, align, &gptr))
			return false;
		fn->buf_ptr[fn->nbufs] = gptr;
		fn->buf_len[fn->nbufs] = nbytes;
		fn->nbufs++;
		/* Re-read the base: the allocator may have grown memory. */
		if (nbytes > 0)
			memcpy(wrt_memory_data(fn->memory) + gptr, data, nbytes);
		fn->params[p].bits = 0;
		fn->params[p++].i32 = (int32) gptr;
		fn->params[p].bits = 0;
		fn->params[p++].i32 = (int32) count;
	}
	return true;
}

static uint32
read_u32le(const uint8 *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) | ((uint32) p[3] << 24);
}

/* The result as a datum; *data_ptr is the guest buffer of a (ptr, len) result. */
static Datum
fetch_result(PgwasmFn *fn, uint32 *data_ptr)
{
	const uint8 *base;
	uint64		memsize;
	uint32		ptr,
				count;
	uint64		nbytes;

	*data_ptr = 0;
	switch (fn->form)
	{
		case PGWASM_RET_NONE:
			return (Datum) 0;
		case PGWASM_RET_SCALAR:
			return pgwasm_scalar_from_wasm(fn->sig.retkind, fn->result);
		case PGWASM_RET_PACKED:
			ptr = (uint32) ((uint64) fn->result.i64 & 0xffffffff);
			count = (uint32) ((uint64) fn->result.i64 >> 32);
			break;
		case PGWASM_RET_AREA:
			{
				uint32		area = (uint32) fn->result.i32;

				if ((uint64) area + 8 > wrt_memory_size(fn->memory))
					ereport(ERROR,
							(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
							 errmsg("wasm function returned an out-of-bounds return area"),
							 errdetail("Return area at %u, memory size %llu bytes.", area,
									   (unsigned long long) wrt_memory_size(fn->memory))));
				base = wrt_memory_data(fn->memory);
				ptr = read_u32le(base + area);
				count = read_u32le(base + area + 4);
				break;
			}
		default:
			elog(ERROR, "unexpected result form %d", (int) fn->form);
	}
	base = wrt_memory_data(fn->memory);
	memsize = wrt_memory_size(fn->memory);
	nbytes = (uint64) count * pgwasm_kind_elem_size(fn->sig.retkind);
	if ((uint64) ptr + nbytes > memsize)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm function returned an out-of-bounds buffer"),
				 errdetail("Pointer %u, length %u, memory size %llu bytes.", ptr, count,
						   (unsigned long long) memsize)));
	if (nbytes > MaxAllocSize - VARHDRSZ - 64)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("wasm function returned a value too large for PostgreSQL"),
				 errdetail("The value has " UINT64_FORMAT " bytes.", nbytes)));
	*data_ptr = ptr;
	return pgwasm_buffer_result(fn->sig.retkind, base + ptr, count);
}

/*
 * Give buffers back: cabi_post_<export> if the module has it (it then owns
 * the result buffer), else free() on the result buffer; free() on every
 * argument buffer.  A result that points into an argument buffer is not
 * freed twice.
 */
static void
release_buffers(PgwasmFn *fn, PgwasmInstance *inst, uint32 result_ptr)
{
	wrt_func   *fn_free = inst->fn_free;
	wrt_value	arg;

	if (fn->post)
	{
		if (!pgwasm_call_guest(inst, fn->post, &fn->result, NULL, fn->post_name))
			return;
	}
	else if (fn_free && result_ptr != 0)
	{
		bool		inside_arg = false;

		for (int i = 0; i < fn->nbufs; i++)
		{
			if (result_ptr >= fn->buf_ptr[i] && result_ptr < fn->buf_ptr[i] + Max(fn->buf_len[i], 1))
				inside_arg = true;
		}
		if (!inside_arg)
		{
			arg.bits = 0;
			arg.i32 = (int32) result_ptr;
			if (!pgwasm_call_guest(inst, fn_free, &arg, NULL, "free"))
				return;
		}
	}
	if (fn_free)
	{
		for (int i = 0; i < fn->nbufs; i++)
		{
			arg.bits = 0;
			arg.i32 = (int32) fn->buf_ptr[i];
			if (!pgwasm_call_guest(inst, fn_free, &arg, NULL, "free"))
				return;			/* reset anyway: nothing leaks */
		}
	}
}

static Datum
fn_call(PgwasmFn *fn, FunctionCallInfo fcinfo, bool *isnull)
{
	PgwasmInstance *inst = fn->inst;
	int			attempts = 0;
	uint32		result_ptr;
	Datum		result;

	pgwasm_instance_prepare(inst);
	set_polling(inst);
	pgwasm_call_depth++;
	fn->stats->calls++;
	for (;;)
	{
		inst->dirty = true;
		if (marshal_args(fn, inst, fcinfo))
		{
			if (wrt_call(inst->store, fn->func, fn->params, &fn->result))
				break;
			(void) call_failed(inst, fn->stats, NULL);
		}
		/* A harmless interrupt: start over on a fresh instance. */
		if (++attempts >= MAX_ATTEMPTS)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("wasm function was interrupted %d times and gave up", attempts)));
		ereport(DEBUG1,
				(errmsg_internal("wasm call restarted after an interrupt")));
		pgwasm_instance_prepare(inst);
	}
	result = fetch_result(fn, &result_ptr);
	release_buffers(fn, inst, result_ptr);
	pgwasm_host_after_call(inst->host);
	pgwasm_call_depth--;

	*isnull = false;
	if (fn->sig.ret_domain)
		domain_check(result, false, fn->sig.rettype, &fn->domain_info, fn->mcxt);
	return result;
}

Datum
pgwasm_call_handler(PG_FUNCTION_ARGS)
{
	PgwasmFn   *fn = (PgwasmFn *) fcinfo->flinfo->fn_extra;
	ErrorContextCallback errcb;
	Datum		result;
	bool		isnull;

	if (CALLED_AS_TRIGGER(fcinfo) || CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be trigger functions"),
				 errhint("Call the wasm function from a trigger function in PL/pgSQL.")));

	/* ABI v1 is not null-aware: a NULL argument gives NULL, without a call. */
	for (int i = 0; i < fcinfo->nargs; i++)
	{
		if (fcinfo->args[i].isnull)
			PG_RETURN_NULL();
	}

	errcb.callback = error_callback;
	errcb.arg = fcinfo->flinfo;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (unlikely(pgwasm_limits_seen != pgwasm_limits_generation))
		pgwasm_cache_check_limits();
	if (unlikely(fn == NULL || fn->epoch != pgwasm_cache_epoch))
		fn = fn_prepare(fcinfo);
	else if (unlikely(fn->roleid != GetUserId()))
		fn_bind_role(fn);
	result = fn_call(fn, fcinfo, &isnull);

	error_context_stack = errcb.previous;
	if (fn->form == PGWASM_RET_NONE)
		PG_RETURN_VOID();
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

	if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, funcoid))
		PG_RETURN_VOID();

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcoid);
	proc = (Form_pg_proc) GETSTRUCT(tup);

	if (proc->prokind == PROKIND_WINDOW)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be window functions")));
	if (proc->prorettype == TRIGGEROID || proc->prorettype == EVENT_TRIGGEROID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot be trigger functions"),
				 errhint("Call the wasm function from a trigger function in PL/pgSQL.")));

	/* Types are checked always; the module only with check_function_bodies. */
	pgwasm_sig_build(tup, &sig, CurrentMemoryContext);
	if (check_function_bodies)
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
		if (!pgwasm_catalog_lookup(modname, &row, NULL))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
					 errmsg("wasm module \"%s\" does not exist", modname),
					 errhint("Install it with wasm.install_module() first.")));
		mod = pgwasm_cache_get_module(modname);
		(void) pgwasm_sig_check_export(&sig, mod->module, modname, export, fdesc);
	}
	ReleaseSysCache(tup);
	PG_RETURN_VOID();
}
