/*
 * declare.c — functions declared by the module itself.
 *
 * A module may carry a custom section named "pgwasm_functions": UTF-8 text,
 * one declaration per line, each the part of a CREATE FUNCTION statement
 * that describes the function,
 *
 *     split(line text, sep text) RETURNS SETOF text STRICT IMMUTABLE AS 'split'
 *
 * (AS names the export; without it the export is the function's name).
 * pgwasm.h's PGWASM_SQL() emits such lines, as do the Rust example and the
 * AssemblyScript glue.  wasm.create_functions(module, schema, prefix,
 * or_replace) creates them all, as LANGUAGE wasm functions over the module,
 * in the caller's transaction: one that does not fit its export fails the
 * whole call.  The result is an ordinary function, dumped and restored like
 * any other.
 *
 * The text comes from the module, so it is not trusted: each line is parsed
 * by PostgreSQL's own parser as "CREATE FUNCTION <line>", must give exactly
 * one CreateFunctionStmt, and may use only options that describe a function
 * (STRICT, volatility, PARALLEL, COST, ROWS, LEAKPROOF) — no LANGUAGE, SET,
 * SECURITY DEFINER, SUPPORT, WINDOW, TRANSFORM, defaults or SQL bodies.  The
 * statement is then given the schema, prefix, language and body and run
 * through ProcessUtility(), as a CREATE FUNCTION typed by the caller would
 * be: with the caller's privileges, the validator checking the signature
 * against the export, event triggers firing, and Citus (when there) creating
 * the function on its workers too.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"
#include "parser/parser.h"
#include "parser/parse_func.h"
#include "tcop/dest.h"
#include "tcop/utility.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"

#include "pgwasm.h"

PG_FUNCTION_INFO_V1(pgwasm_create_functions);
PG_FUNCTION_INFO_V1(pgwasm_module_functions);
PG_FUNCTION_INFO_V1(pgwasm_install_module_declare);
extern Datum pgwasm_install_module(PG_FUNCTION_ARGS);

#define SECTION_NAME "pgwasm_functions"

/* LEB128 u32 at *p (bounded by end); false if malformed. */
static bool
read_u32(const uint8 **p, const uint8 *end, uint32 *out)
{
	uint32		v = 0;

	for (int shift = 0; shift < 35; shift += 7)
	{
		uint8		b;

		if (*p >= end)
			return false;
		b = *(*p)++;
		v |= (uint32) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			return true;
		}
	}
	return false;
}

/*
 * The text of every "pgwasm_functions" custom section, concatenated (the
 * linker merges them, but a module may have several).  The module was
 * validated at install, so a malformed section walk is a can't-happen.
 */
static char *
declarations(const char *modname, bytea *bytes)
{
	const uint8 *p = (const uint8 *) VARDATA_ANY(bytes);
	const uint8 *end = p + VARSIZE_ANY_EXHDR(bytes);
	StringInfoData buf;

	initStringInfo(&buf);
	if (end - p < 8)
		elog(ERROR, "wasm module \"%s\" is too short", modname);
	p += 8;
	while (p < end)
	{
		uint8		id = *p++;
		uint32		size,
					namelen;
		const uint8 *sec;

		if (!read_u32(&p, end, &size) || size > (uint32) (end - p))
			elog(ERROR, "malformed section in wasm module \"%s\"", modname);
		sec = p;
		p += size;
		if (id != 0)
			continue;
		if (!read_u32(&sec, p, &namelen) || namelen > (uint32) (p - sec))
			elog(ERROR, "malformed custom section in wasm module \"%s\"", modname);
		if (namelen == strlen(SECTION_NAME) && memcmp(sec, SECTION_NAME, namelen) == 0)
		{
			sec += namelen;
			appendBinaryStringInfo(&buf, (const char *) sec, (int) (p - sec));
			appendStringInfoChar(&buf, '\n');
		}
	}
	/* From the guest: UTF-8, no NUL (22021 otherwise), then the server encoding. */
	(void) pg_verify_mbstr(PG_UTF8, buf.data, buf.len, false);
	return pg_any_to_server(buf.data, buf.len, PG_UTF8);
}

/* The non-empty lines that are not comments ('#'), trimmed. */
static List *
declaration_lines(char *text)
{
	List	   *lines = NIL;
	char	   *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
	{
		char	   *e;

		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		e = line + strlen(line);
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == ';'))
			*--e = '\0';
		if (*line != '\0' && *line != '#')
			lines = lappend(lines, line);
	}
	return lines;
}

static void
refuse(const char *modname, const char *line, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
			 errmsg("invalid function declaration in wasm module \"%s\"", modname),
			 errdetail("%s", why),
			 errcontext("declaration: %s", line)));
}

/* Parse and check one line; returns the statement and its export. */
static CreateFunctionStmt *
parse_declaration(const char *modname, const char *line, char **export, char **sql_out)
{
	char	   *sql = psprintf("CREATE FUNCTION %s", line);
	List	   *parsed;
	RawStmt    *raw;
	CreateFunctionStmt *stmt;
	List	   *options = NIL;
	ListCell   *lc;

	parsed = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(parsed) != 1)
		refuse(modname, line, "A declaration is one function.");
	raw = linitial_node(RawStmt, parsed);
	if (!IsA(raw->stmt, CreateFunctionStmt))
		refuse(modname, line, "A declaration is what follows CREATE FUNCTION.");
	stmt = (CreateFunctionStmt *) raw->stmt;
	if (stmt->is_procedure || stmt->replace || stmt->sql_body != NULL)
		refuse(modname, line, "A declaration is what follows CREATE FUNCTION.");
	if (list_length(stmt->funcname) != 1)
		refuse(modname, line, "A declared function has no schema: wasm.create_functions() chooses it.");
	foreach(lc, stmt->parameters)
	{
		FunctionParameter *fp = lfirst_node(FunctionParameter, lc);

		if (fp->defexpr != NULL)
			refuse(modname, line, "Declared functions have no parameter defaults.");
	}
	*export = NULL;
	foreach(lc, stmt->options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, "as") == 0)
		{
			List	   *as = (List *) d->arg;

			if (list_length(as) != 1 || !IsA(linitial(as), String))
				refuse(modname, line, "AS names the export: AS 'name'.");
			*export = pstrdup(strVal(linitial(as)));
			if (**export == '\0' || strchr(*export, ':') != NULL)
				refuse(modname, line, "AS names the export: AS 'name'.");
		}
		else if (strcmp(d->defname, "strict") == 0 || strcmp(d->defname, "volatility") == 0 ||
				 strcmp(d->defname, "parallel") == 0 || strcmp(d->defname, "cost") == 0 ||
				 strcmp(d->defname, "rows") == 0 || strcmp(d->defname, "leakproof") == 0)
			options = lappend(options, d);
		else
			refuse(modname, line,
				   psprintf("Option \"%s\" is for the one who creates the function, not for the module.",
							d->defname));
	}
	if (*export == NULL)
		*export = pstrdup(strVal(linitial(stmt->funcname)));
	stmt->options = options;
	*sql_out = sql;
	return stmt;
}

/* The function a CREATE FUNCTION statement made (its input argument types). */
static ObjectWithArgs *
created_function(const CreateFunctionStmt *stmt)
{
	ObjectWithArgs *owa = makeNode(ObjectWithArgs);
	ListCell   *lc;

	owa->objname = copyObject(stmt->funcname);
	foreach(lc, stmt->parameters)
	{
		FunctionParameter *fp = lfirst_node(FunctionParameter, lc);

		if (fp->mode == FUNC_PARAM_IN || fp->mode == FUNC_PARAM_INOUT ||
			fp->mode == FUNC_PARAM_VARIADIC || fp->mode == FUNC_PARAM_DEFAULT)
			owa->objargs = lappend(owa->objargs, copyObject(fp->argType));
	}
	return owa;
}

static void
declaration_context(void *arg)
{
	errcontext("function declared by the module: %s", (const char *) arg);
}

static void
create_all(const char *modname, const char *schema, const char *prefix, bool or_replace,
		   ReturnSetInfo *rsinfo)
{
	PgwasmModuleRow row;
	bytea	   *bytes;
	List	   *lines;
	ListCell   *lc;

	if (!pgwasm_catalog_lookup(modname, &row, &bytes))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", modname)));
	lines = declaration_lines(declarations(modname, bytes));
	if (lines == NIL)
		ereport(NOTICE,
				(errmsg("wasm module \"%s\" declares no functions", modname),
				 errhint("A module declares functions in a custom section \"%s\" (PGWASM_SQL in pgwasm.h).",
						 SECTION_NAME)));
	foreach(lc, lines)
	{
		const char *line = (const char *) lfirst(lc);
		char	   *export;
		char	   *sql;
		CreateFunctionStmt *stmt = parse_declaration(modname, line, &export, &sql);
		char	   *name = psprintf("%s%s", prefix, strVal(linitial(stmt->funcname)));
		PlannedStmt *wrapper = makeNode(PlannedStmt);
		ObjectWithArgs *made;
		Oid			funcoid;
		ErrorContextCallback errcb;

		stmt->funcname = schema ? list_make2(makeString(pstrdup(schema)), makeString(name)) :
			list_make1(makeString(name));
		stmt->replace = or_replace;
		stmt->options = lappend(stmt->options,
								makeDefElem("language", (Node *) makeString("wasm"), -1));
		stmt->options = lappend(stmt->options,
								makeDefElem("as", (Node *) list_make1(makeString(psprintf("%s:%s", modname, export))), -1));
		made = created_function(stmt);
		wrapper->commandType = CMD_UTILITY;
		wrapper->canSetTag = false;
		wrapper->utilityStmt = (Node *) stmt;
		wrapper->stmt_location = 0;
		wrapper->stmt_len = strlen(sql);
		errcb.callback = declaration_context;
		errcb.arg = (void *) line;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		ProcessUtility(wrapper, sql, false, PROCESS_UTILITY_QUERY, NULL, NULL,
					   None_Receiver, NULL);
		error_context_stack = errcb.previous;
		CommandCounterIncrement();
		funcoid = LookupFuncWithArgs(OBJECT_FUNCTION, made, false);
		if (rsinfo)
		{
			Datum		v = ObjectIdGetDatum(funcoid);
			bool		n = false;

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &n);
		}
	}
}


/* A tuplestore for a SETOF <scalar type> result (materialize mode). */
static ReturnSetInfo *
materialize(FunctionCallInfo fcinfo, Oid type)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(desc, (AttrNumber) 1, "v", type, -1, 0);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = desc;
	MemoryContextSwitchTo(old);
	return rsinfo;
}

/* wasm.create_functions(module, schema, prefix, or_replace) RETURNS SETOF regprocedure */
Datum
pgwasm_create_functions(PG_FUNCTION_ARGS)
{
	char	   *modname;
	char	   *schema = NULL;
	char	   *prefix = "";
	bool		or_replace = false;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("module name must not be null")));
	modname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(1))
		schema = NameStr(*PG_GETARG_NAME(1));
	if (!PG_ARGISNULL(2))
		prefix = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
		or_replace = PG_GETARG_BOOL(3);
	create_all(modname, schema, prefix, or_replace, materialize(fcinfo, REGPROCEDUREOID));
	return (Datum) 0;
}

/* wasm.module_functions(module) RETURNS SETOF text: the declarations */
Datum
pgwasm_module_functions(PG_FUNCTION_ARGS)
{
	char	   *modname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo;
	PgwasmModuleRow row;
	bytea	   *bytes;
	ListCell   *lc;

	rsinfo = materialize(fcinfo, TEXTOID);
	if (!pgwasm_catalog_lookup(modname, &row, &bytes))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", modname)));
	foreach(lc, declaration_lines(declarations(modname, bytes)))
	{
		Datum		v = CStringGetTextDatum((const char *) lfirst(lc));
		bool		n = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &n);
	}
	return (Datum) 0;
}

/*
 * wasm.install_module(name, module, replace, create_functions): install,
 * then (if asked) create the functions the module declares, in the current
 * schema, replacing those of the same signature.
 */
Datum
pgwasm_install_module_declare(PG_FUNCTION_ARGS)
{
	Datum		sha = DirectFunctionCall3(pgwasm_install_module, PG_GETARG_DATUM(0),
										  PG_GETARG_DATUM(1), PG_GETARG_DATUM(2));

	if (PG_GETARG_BOOL(3))
	{
		/*
		 * Module lookups read the statement's snapshot: let it see the
		 * module just installed, for create_all and the validator.
		 */
		CommandCounterIncrement();
		PushCopiedSnapshot(GetActiveSnapshot());
		UpdateActiveSnapshotCommandId();
		create_all(text_to_cstring(PG_GETARG_TEXT_PP(0)), NULL, "", PG_GETARG_BOOL(2), NULL);
		PopActiveSnapshot();
	}
	return sha;
}
