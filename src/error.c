/*
 * error.c — turning engine failures into PostgreSQL errors, and printing
 * Wasm types.
 *
 * The engine returns failures as values (wrt_error for decoding/validation,
 * wrt_trap for execution).  This file decides the SQLSTATE of each, writes
 * the hint that tells a user which setting to change, and adds the Wasm
 * backtrace as errcontext lines (innermost frame first, followed by the
 * SQL-level context the call handler pushes).
 */
#include "postgres.h"

#include "miscadmin.h"

#include "lib/stringinfo.h"

#include "pgwasm.h"

void
pgwasm_report_load_error(const char *modname, const wrt_error *err)
{
	int			code;
	const char *stage;

	switch (err->kind)
	{
		case WRT_ERR_MALFORMED:
			code = ERRCODE_INVALID_BINARY_REPRESENTATION;
			stage = "decoding";
			break;
		case WRT_ERR_INVALID:
			code = ERRCODE_INVALID_BINARY_REPRESENTATION;
			stage = "validation";
			break;
		case WRT_ERR_UNSUPPORTED:
			code = ERRCODE_FEATURE_NOT_SUPPORTED;
			stage = "decoding";
			break;
		case WRT_ERR_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			stage = "decoding";
			break;
		case WRT_ERR_INTERRUPTED:
			/* Cancel, timeout or terminate: raise it as the backend does. */
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling the load of wasm module \"%s\"", modname)));
			break;
		case WRT_ERR_OOM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while loading wasm module \"%s\"", modname)));
			break;
		default:
			elog(ERROR, "unexpected wasm load failure %d: %s", (int) err->kind, err->message);
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid wasm module \"%s\": %s", modname, err->message),
			 errdetail("Module %s failed at byte offset %u.", stage, err->offset)));
	pg_unreachable();
}

static void
append_frame(StringInfo buf, const wrt_frameinfo *f)
{
	if (f->name)
		appendStringInfo(buf, "%s (function %u) at offset 0x%x", f->name, f->func_index, f->offset);
	else
		appendStringInfo(buf, "function %u at offset 0x%x", f->func_index, f->offset);
}

/*
 * Backtrace, one line per frame, innermost first.  Runs of identical frames
 * (deep recursion) are folded into one line, so a stack overflow does not
 * bury the message.
 */
static char *
format_backtrace(const wrt_trap *trap)
{
	StringInfoData buf;
	uint32		n = Min(trap->nframes, WRT_MAX_BACKTRACE);
	uint32		i = 0;

	initStringInfo(&buf);
	while (i < n)
	{
		const wrt_frameinfo *f = &trap->frames[i];
		uint32		j = i + 1;

		while (j < n && trap->frames[j].func_index == f->func_index &&
			   trap->frames[j].offset == f->offset)
			j++;
		if (buf.len > 0)
			appendStringInfoChar(&buf, '\n');
		if (j - i == 1)
			appendStringInfo(&buf, "wasm frame #%u: ", i);
		else
			appendStringInfo(&buf, "wasm frames #%u-#%u: ", i, j - 1);
		append_frame(&buf, f);
		i = j;
	}
	if (n == WRT_MAX_BACKTRACE)
		appendStringInfoString(&buf, "\n(outer frames not shown)");
	return buf.data;
}

void
pgwasm_report_trap(const wrt_trap *trap, const char *detail)
{
	int			code = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
	const char *hint = NULL;
	char	   *bt = format_backtrace(trap);

	switch (trap->kind)
	{
		case WRT_TRAP_DIV_ZERO:
			code = ERRCODE_DIVISION_BY_ZERO;
			break;
		case WRT_TRAP_INT_OVERFLOW:
		case WRT_TRAP_INVALID_CONVERSION:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case WRT_TRAP_STACK_EXHAUSTED:
			code = ERRCODE_STATEMENT_TOO_COMPLEX;
			hint = "The limit is pgwasm.max_stack.";
			break;
		case WRT_TRAP_FUEL_EXHAUSTED:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			hint = "The limit is pgwasm.fuel (0 means unlimited).";
			break;
		case WRT_TRAP_MEMORY_LIMIT:
			code = ERRCODE_OUT_OF_MEMORY;
			hint = "The limit is pgwasm.max_memory.";
			break;
		case WRT_TRAP_OOM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case WRT_TRAP_CODE_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			hint = "The limit is pgwasm.max_code_size, per module.";
			break;
		case WRT_TRAP_INTERRUPTED:
			/*
			 * Stopped for a cancel, timeout or termination (a lazy compile
			 * under load_may_continue): raise that, with its own SQLSTATE.
			 */
			CHECK_FOR_INTERRUPTS();
			break;
		case WRT_TRAP_EXIT:
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("wasm module exited with code %d", trap->exit_code),
					 detail ? errdetail_internal("%s", detail) : 0,
					 bt[0] ? errcontext("%s", bt) : 0));
			break;
		default:
			break;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("wasm trap: %s", trap->message[0] ? trap->message : wrt_trapkind_name(trap->kind)),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 bt[0] ? errcontext("%s", bt) : 0));
	pg_unreachable();
}

/* ---- printing types -------------------------------------------------------- */

static void
append_valtypes(StringInfo buf, uint32 n, const uint8_t *types)
{
	for (uint32 i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		appendStringInfoString(buf, wrt_valtype_name(types[i]));
	}
}

char *
pgwasm_format_functype(const wrt_functype *ft)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	append_valtypes(&buf, ft->nparams, ft->params);
	appendStringInfoString(&buf, ") -> ");
	if (ft->nresults == 1)
		appendStringInfoString(&buf, wrt_valtype_name(ft->results[0]));
	else
	{
		appendStringInfoChar(&buf, '(');
		append_valtypes(&buf, ft->nresults, ft->results);
		appendStringInfoChar(&buf, ')');
	}
	return buf.data;
}

const char *
pgwasm_externkind_name(wrt_externkind kind)
{
	switch (kind)
	{
		case WRT_EXTERN_FUNC:
			return "function";
		case WRT_EXTERN_TABLE:
			return "table";
		case WRT_EXTERN_MEMORY:
			return "memory";
		case WRT_EXTERN_GLOBAL:
			return "global";
	}
	return "unknown";
}

static void
append_limits(StringInfo buf, const wrt_limits *l)
{
	appendStringInfo(buf, "min %llu", (unsigned long long) l->min);
	if (l->has_max)
		appendStringInfo(buf, ", max %llu", (unsigned long long) l->max);
}

char *
pgwasm_format_externtype(const wrt_externtype *t)
{
	StringInfoData buf;

	switch (t->kind)
	{
		case WRT_EXTERN_FUNC:
			return pgwasm_format_functype(&t->func);
		case WRT_EXTERN_TABLE:
			initStringInfo(&buf);
			appendStringInfo(&buf, "%s, ", wrt_valtype_name(t->elemtype));
			append_limits(&buf, &t->limits);
			return buf.data;
		case WRT_EXTERN_MEMORY:
			initStringInfo(&buf);
			append_limits(&buf, &t->limits);
			appendStringInfoString(&buf, " pages");
			return buf.data;
		case WRT_EXTERN_GLOBAL:
			return psprintf("%s%s", t->mutable_ ? "mut " : "", wrt_valtype_name(t->valtype));
	}
	return pstrdup("");
}
