/*
 * host.c — the capabilities a module may import, and the bridge between
 * host functions and PostgreSQL's error handling.
 *
 * Default deny: a module may import only
 *   - from "pgwasm": log(level, ptr, len), error(ptr, len) and
 *     error_sqlstate(sqlstate_ptr, ptr, len);
 *   - from "wasi_snapshot_preview1": whatever the runtime's WASI subset
 *     resolves (stdout/stderr become NOTICE lines, clocks, random bytes from
 *     pg_strong_random; no files, sockets or environment).
 * Anything else fails wasm.install_module naming the import.
 *
 * Host callbacks run inside wrt_call, with engine frames below them on the C
 * stack.  A longjmp across those frames would leave the engine corrupt, so
 * every callback that can reach ereport() runs it under PG_TRY: the error is
 * copied, flushed, recorded as "pending" and turned into a trap
 * (wrt_hostcall_trap) or a WASI errno.  Once wrt_call has returned, the call
 * handler rethrows the pending error unchanged (pgwasm_host_rethrow), so the
 * user sees the original message and SQLSTATE.
 */
#include "postgres.h"

#include <time.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "pgwasm.h"

#define WASI_MODULE "wasi_snapshot_preview1"
#define HOST_MODULE "pgwasm"
#define WASI_EIO 29
/* A line longer than this is emitted in pieces. */
#define MAX_LINE 8192

/* struct PgwasmHostState is in pgwasm.h, for pgwasm_host_idle(). */

/* ---- catching errors inside callbacks ----------------------------------- */

/*
 * Called in PG_CATCH: keep the error for rethrowing after the engine has
 * unwound.  It is copied into the context current at the call (which outlives
 * the call), not ErrorContext, which the flush resets.
 */
static void
capture_error(PgwasmHostState *host, MemoryContext cxt)
{
	MemoryContextSwitchTo(cxt);
	if (host->pending == NULL)
		host->pending = CopyErrorData();
	FlushErrorState();
}

bool
pgwasm_host_has_pending(PgwasmHostState *host)
{
	return host->pending != NULL;
}

void
pgwasm_host_rethrow(PgwasmHostState *host)
{
	ErrorData  *edata = host->pending;

	host->pending = NULL;
	resetStringInfo(&host->out[0]);
	resetStringInfo(&host->out[1]);
	ReThrowError(edata);
}

void
pgwasm_host_clear(PgwasmHostState *host)
{
	host->pending = NULL;
	resetStringInfo(&host->out[0]);
	resetStringInfo(&host->out[1]);
}

/* ---- guest strings -------------------------------------------------------- */

/*
 * A guest message (meant to be UTF-8) as a server-encoding C string.  Messages
 * are best effort: invalid sequences and NULs become '?' rather than failing
 * the call, since the message is often reporting a failure already.
 */
/* Longest guest message kept; the rest is cut (messages are for humans). */
#define MAX_GUEST_MESSAGE (1024 * 1024)

static char *
guest_message(const uint8 *p, uint32 len)
{
	bool		cut = len > MAX_GUEST_MESSAGE;
	char	   *buf;
	char	   *res;

	if (cut)
		len = MAX_GUEST_MESSAGE;
	buf = palloc(len + 1);
	uint32		i = 0,
				n = 0;

	while (i < len)
	{
		int			l = pg_utf_mblen(p + i);

		if (p[i] != 0 && i + l <= len && pg_utf8_islegal(p + i, l))
		{
			memcpy(buf + n, p + i, l);
			n += l;
			i += l;
		}
		else
		{
			buf[n++] = '?';
			i++;
		}
	}
	buf[n] = '\0';
	res = pg_any_to_server(buf, n, PG_UTF8);
	return cut ? psprintf("%s... (message cut at %d bytes)", res, MAX_GUEST_MESSAGE) : res;
}

/* Bounds-check (ptr, len) against the caller's memory; NULL after trapping. */
static const uint8 *
guest_bytes(wrt_hostcall *call, const char *fn, int32 ptr, int32 len)
{
	wrt_memory *mem = wrt_hostcall_memory(call);

	if (mem == NULL)
	{
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "%s: the module has no memory", fn);
		return NULL;
	}
	if ((uint64) (uint32) ptr + (uint32) len > wrt_memory_size(mem))
	{
		wrt_hostcall_trap(call, WRT_TRAP_MEMORY_OOB,
						  "%s: out of bounds memory access (ptr %u, len %u)",
						  fn, (uint32) ptr, (uint32) len);
		return NULL;
	}
	return wrt_memory_data(mem) + (uint32) ptr;
}

/* ---- the "pgwasm" host module --------------------------------------------- */

/* pgwasm.log(level i32, ptr i32, len i32): levels as in examples/c/pgwasm.h */
static bool
host_log(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	PgwasmHostState *host = (PgwasmHostState *) user;
	MemoryContext cxt = CurrentMemoryContext;
	static const int levels[] = {DEBUG1, LOG, INFO, NOTICE, WARNING};
	int32		level = args[0].i32;
	const uint8 *p;
	volatile bool ok = true;

	if (level < 0 || level >= (int32) lengthof(levels))
	{
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "pgwasm.log: invalid level %d", level);
		return false;
	}
	p = guest_bytes(call, "pgwasm.log", args[1].i32, args[2].i32);
	if (p == NULL)
		return false;
	PG_TRY();
	{
		char	   *msg = guest_message(p, (uint32) args[2].i32);

		ereport(levels[level], (errmsg_internal("%s", msg)));
		pfree(msg);
	}
	PG_CATCH();
	{
		capture_error(host, cxt);
		ok = false;
	}
	PG_END_TRY();
	if (!ok)
		wrt_hostcall_trap(call, WRT_TRAP_HOST, "pgwasm.log failed");
	return ok;
}

/* Raise the guest's error now (under PG_TRY) so it is captured with context. */
static bool
raise_guest_error(wrt_hostcall *call, PgwasmHostState *host, int sqlstate,
				  const uint8 *p, uint32 len)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		char	   *msg = guest_message(p, len);

		ereport(ERROR, (errcode(sqlstate), errmsg_internal("%s", msg)));
	}
	PG_CATCH();
	{
		capture_error(host, cxt);
	}
	PG_END_TRY();
	wrt_hostcall_trap(call, WRT_TRAP_HOST, "pgwasm.error");
	return false;
}

/* pgwasm.error(ptr i32, len i32): ERROR with SQLSTATE P0001 */
static bool
host_error(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	const uint8 *p = guest_bytes(call, "pgwasm.error", args[0].i32, args[1].i32);

	if (p == NULL)
		return false;
	return raise_guest_error(call, (PgwasmHostState *) user, ERRCODE_RAISE_EXCEPTION,
							 p, (uint32) args[1].i32);
}

/* pgwasm.error_sqlstate(sqlstate_ptr i32, ptr i32, len i32): 5-character code */
static bool
host_error_sqlstate(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	const uint8 *code = guest_bytes(call, "pgwasm.error_sqlstate", args[0].i32, 5);
	const uint8 *p;

	if (code == NULL)
		return false;
	p = guest_bytes(call, "pgwasm.error_sqlstate", args[1].i32, args[2].i32);
	if (p == NULL)
		return false;
	for (int i = 0; i < 5; i++)
	{
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z')))
		{
			wrt_hostcall_trap(call, WRT_TRAP_HOST,
							  "pgwasm.error_sqlstate: invalid SQLSTATE (5 characters 0-9 or A-Z expected)");
			return false;
		}
	}
	/* Class 00 is success: an ERROR cannot carry it. */
	if (code[0] == '0' && code[1] == '0')
	{
		wrt_hostcall_trap(call, WRT_TRAP_HOST,
						  "pgwasm.error_sqlstate: SQLSTATE class 00 is not an error");
		return false;
	}
	return raise_guest_error(call, (PgwasmHostState *) user,
							 MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]),
							 p, (uint32) args[2].i32);
}

typedef struct HostFunc
{
	const char *name;
	uint32		nparams;
	const uint8 *params;
	wrt_host_callback cb;
} HostFunc;

static const uint8 params_ii[] = {WRT_I32, WRT_I32};
static const uint8 params_iii[] = {WRT_I32, WRT_I32, WRT_I32};

static const HostFunc host_funcs[] = {
	{"log", 3, params_iii, host_log},
	{"error", 2, params_ii, host_error},
	{"error_sqlstate", 3, params_iii, host_error_sqlstate},
};

static const HostFunc *
find_host_func(const char *name, uint32 len)
{
	for (int i = 0; i < (int) lengthof(host_funcs); i++)
	{
		if (strlen(host_funcs[i].name) == len && memcmp(host_funcs[i].name, name, len) == 0)
			return &host_funcs[i];
	}
	return NULL;
}

static void
host_functype(const HostFunc *hf, wrt_functype *ft)
{
	ft->nparams = hf->nparams;
	ft->params = hf->params;
	ft->nresults = 0;
	ft->results = NULL;
}

/* ---- WASI callbacks ------------------------------------------------------- */

static void
emit_line(StringInfo line)
{
	char	   *msg = guest_message((const uint8 *) line->data, line->len);

	resetStringInfo(line);
	ereport(NOTICE, (errmsg_internal("%s", msg)));
	pfree(msg);
}

/* fd 1 and 2: every complete line is a NOTICE. */
static int
wasi_write(void *ud, int fd, const uint8_t *buf, size_t len)
{
	PgwasmHostState *host = (PgwasmHostState *) ud;
	MemoryContext cxt = CurrentMemoryContext;
	StringInfo	line;
	volatile int rc = 0;

	if (fd != 1 && fd != 2)
		return 8;				/* EBADF */
	line = &host->out[fd - 1];
	PG_TRY();
	{
		for (size_t i = 0; i < len; i++)
		{
			if (buf[i] == '\n')
				emit_line(line);
			else
			{
				appendStringInfoChar(line, (char) buf[i]);
				if (line->len >= MAX_LINE)
					emit_line(line);
			}
		}
	}
	PG_CATCH();
	{
		/* Not an errno the guest could ignore (a cancel raised while
		 * printing, say): the engine unwinds and the error is rethrown. */
		capture_error(host, cxt);
		rc = -1;
	}
	PG_END_TRY();
	return rc;
}

static int
wasi_random(void *ud, uint8_t *buf, size_t len)
{
	return pg_strong_random(buf, len) ? 0 : WASI_EIO;
}

static int64_t
wasi_clock(void *ud, int clock_id)
{
	struct timespec ts;
	clockid_t	id;

	switch (clock_id)
	{
		case 1:
			id = CLOCK_MONOTONIC;
			break;
		case 2:
			id = CLOCK_PROCESS_CPUTIME_ID;
			break;
		case 3:
			id = CLOCK_THREAD_CPUTIME_ID;
			break;
		default:
			id = CLOCK_REALTIME;
			break;
	}
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
pgwasm_host_after_call(PgwasmHostState *host)
{
	if (host->pending)
		pgwasm_host_rethrow(host);
	/* A partial last line is shown when the call ends. */
	for (int i = 0; i < 2; i++)
	{
		if (host->out[i].len > 0)
			emit_line(&host->out[i]);
	}
}

/* ---- import checks and resolution ----------------------------------------- */

static bool
name_is(const char *s, uint32 len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

bool
pgwasm_module_uses_wasi(const wrt_module *module)
{
	uint32		n = wrt_module_import_count(module);

	for (uint32 i = 0; i < n; i++)
	{
		const char *mname,
				   *iname;
		uint32		mlen,
					ilen;
		wrt_externtype type;

		wrt_module_import(module, i, &mname, &mlen, &iname, &ilen, &type);
		if (name_is(mname, mlen, WASI_MODULE))
			return true;
	}
	return false;
}

/*
 * The engine found InterruptPending set at a poll point (function entry or a
 * loop back-edge).  Process the interrupt right there, without unwinding the
 * guest: a harmless one (a parallel worker's message, a memory-context dump
 * request) lets the call go on; a cancel, a timeout or any other ERROR is
 * captured, the engine unwinds, and the caller rethrows it.  (FATAL, from
 * pg_terminate_backend, exits the process from inside ereport.)
 */
static bool
host_interrupt(void *ud)
{
	PgwasmHostState *host = (PgwasmHostState *) ud;
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
	}
	PG_CATCH();
	{
		capture_error(host, cxt);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

PgwasmHostState *
pgwasm_host_new(MemoryContext cxt, wrt_store *store)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	PgwasmHostState *host = palloc0(sizeof(PgwasmHostState));

	host->cxt = cxt;
	initStringInfo(&host->out[0]);
	initStringInfo(&host->out[1]);
	host->wasi_cfg.write = wasi_write;
	host->wasi_cfg.random = wasi_random;
	host->wasi_cfg.clock = wasi_clock;
	host->wasi_cfg.ud = host;
	wrt_store_set_interrupt_handler(store, host_interrupt, host);
	MemoryContextSwitchTo(old);
	return host;
}

static wrt_wasi *
host_wasi(PgwasmHostState *host, wrt_store *store)
{
	if (host->wasi == NULL)
	{
		host->wasi = wrt_wasi_new(store, &host->wasi_cfg);
		if (host->wasi == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory creating the WASI environment")));
	}
	return host->wasi;
}

/*
 * Why import i cannot be provided, or NULL if it can.  With a store, also
 * creates the function into *out.
 */
static char *
resolve_import(PgwasmHostState *host, wrt_store *store, const wrt_module *module,
			   uint32 i, wrt_extern *out, int *sqlstate)
{
	const char *mname,
			   *iname;
	uint32		mlen,
				ilen;
	wrt_externtype type;

	wrt_module_import(module, i, &mname, &mlen, &iname, &ilen, &type);
	*sqlstate = ERRCODE_UNDEFINED_FUNCTION;
	if (type.kind != WRT_EXTERN_FUNC)
	{
		*sqlstate = ERRCODE_FEATURE_NOT_SUPPORTED;
		return psprintf("it imports %s \"%.*s\".\"%.*s\": pgwasm provides only functions",
						pgwasm_externkind_name(type.kind), (int) mlen, mname, (int) ilen, iname);
	}
	if (name_is(mname, mlen, HOST_MODULE))
	{
		const HostFunc *hf = find_host_func(iname, ilen);
		wrt_functype ft;

		if (hf == NULL)
			return psprintf("it imports \"%.*s\".\"%.*s\", which pgwasm does not provide",
							(int) mlen, mname, (int) ilen, iname);
		host_functype(hf, &ft);
		if (!wrt_functype_equal(&ft, &type.func))
		{
			*sqlstate = ERRCODE_DATATYPE_MISMATCH;
			return psprintf("it imports \"%.*s\".\"%.*s\" as %s, but pgwasm provides %s",
							(int) mlen, mname, (int) ilen, iname,
							pgwasm_format_functype(&type.func), pgwasm_format_functype(&ft));
		}
		if (out)
		{
			out->kind = WRT_EXTERN_FUNC;
			out->u.func = wrt_func_new_host(store, &ft, hf->cb, host);
			if (out->u.func == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory creating host function \"%s\"", hf->name)));
		}
		return NULL;
	}
	if (name_is(mname, mlen, WASI_MODULE))
	{
		wrt_func   *f = wrt_wasi_resolve(host_wasi(host, store), iname, ilen, &type.func);

		if (f == NULL)
			return psprintf("it imports \"%.*s\".\"%.*s\" %s, which is not in pgwasm's WASI subset or has another type",
							(int) mlen, mname, (int) ilen, iname,
							pgwasm_format_functype(&type.func));
		if (out)
		{
			out->kind = WRT_EXTERN_FUNC;
			out->u.func = f;
		}
		return NULL;
	}
	return psprintf("it imports \"%.*s\".\"%.*s\", which pgwasm does not provide",
					(int) mlen, mname, (int) ilen, iname);
}

void
pgwasm_check_imports(const wrt_module *module, const char *modname)
{
	uint32		n = wrt_module_import_count(module);
	MemoryContext cxt;
	wrt_allocator alloc;
	wrt_store  *store;
	PgwasmHostState *host;

	if (n == 0)
		return;

	/* WASI names are resolved by the runtime, which needs a store. */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "pgwasm import check", ALLOCSET_SMALL_SIZES);
	pgwasm_allocator_init(&alloc, cxt);
	store = wrt_store_new(&alloc);
	if (store == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	host = pgwasm_host_new(cxt, store);
	for (uint32 i = 0; i < n; i++)
	{
		int			sqlstate;
		char	   *why = resolve_import(host, store, module, i, NULL, &sqlstate);

		if (why)
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("wasm module \"%s\" cannot be installed: %s", modname, why),
					 errhint("Modules may import the functions of the \"pgwasm\" host module (log, error, error_sqlstate) and pgwasm's WASI subset.")));
	}
	wrt_store_free(store);
	MemoryContextDelete(cxt);
}

void
pgwasm_resolve_imports(PgwasmHostState *host, wrt_store *store, const wrt_module *module,
					   const char *modname, wrt_extern *imports)
{
	uint32		n = wrt_module_import_count(module);

	for (uint32 i = 0; i < n; i++)
	{
		int			sqlstate;
		char	   *why = resolve_import(host, store, module, i, &imports[i], &sqlstate);

		/* Checked at install; still possible for rows restored from elsewhere. */
		if (why)
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("wasm module \"%s\" cannot be instantiated: %s", modname, why)));
	}
}
