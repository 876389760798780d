/*
 * distributed.c -- pgwasm on a Citus cluster: the one place that knows
 * about Citus, used by catalog.c and handler.c.
 *
 * Modules are functions (wasm_module."<name>"(), see catalog.c) and the SQL
 * functions built on them are functions too, so a Citus cluster needs no
 * layer of pgwasm's own to distribute them: Citus already propagates
 * CREATE [OR REPLACE] FUNCTION, ALTER FUNCTION ... OWNER and DROP FUNCTION
 * to every node in the statement's distributed transaction (two-phase
 * commit), records them in pg_dist_object so that citus_add_node creates
 * them on a new node, and refuses DDL on them anywhere but the coordinator.
 * It does so from its ProcessUtility hook, which sees SQL statements only.
 * On a single server, install_module and drop_module write pg_proc
 * directly (ProcedureCreate, performDeletion); when the citus extension
 * exists in the database they instead run the equivalent statements here,
 * through SPI, so that Citus sees and propagates them.
 *
 * Those statements run as the pgwasm extension's owner (a superuser: the
 * extension is superuser-only), because nobody else may create in schema
 * wasm_module: the caller's rights were checked by catalog.c before, exactly
 * as on a single server.  They run with search_path set to pg_catalog only
 * and every name quoted, so nothing the caller controls can redirect them.
 * Citus opens its connections to the workers as that same role.
 *
 * No C symbol of Citus is used: only its SQL interface (citus_is_coordinator)
 * and the statements above, which keeps pgwasm loadable without Citus and
 * independent of Citus's internal ABI.
 *
 * One query, one version.  Citus runs a query over many shards as many
 * statements on the workers, each with its own snapshot, so a query running
 * while a module is replaced could call the old version on some shards and
 * the new one on others.  To prevent it, the coordinator's planner hook
 * below takes a SHARE lock on each module a query calls (the same lock tag
 * install and drop take EXCLUSIVE, catalog.c), held to the end of the
 * transaction: a replace waits for the queries using the module, and
 * queries planned meanwhile wait for the replace, including its COMMIT
 * PREPARED on every worker (Citus sends those before the coordinator's
 * locks are released).  This needs pgwasm loaded when a query is planned:
 * shared_preload_libraries on the coordinator (docs/distributed.md).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_proc.h"
#include "commands/proclang.h"
#include "executor/spi.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pgwasm.h"

/* Was pgwasm loaded by shared_preload_libraries (so every backend plans with the hook)? */
static bool pgwasm_preloaded = false;

/* What Citus puts in application_name on the connections it opens itself. */
#define CITUS_INTERNAL_APPNAME_PREFIX "citus_internal gpid="

/*
 * Is the citus extension installed in this database?  Then Citus is loaded
 * too (it refuses to work otherwise) and propagates DDL.
 */
bool
pgwasm_citus_enabled(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/*
 * Is this backend one that Citus opened from another node (to run the
 * commands it propagates, or the tasks of a distributed query)?  Citus
 * marks those connections by their application_name.
 */
bool
pgwasm_citus_internal_backend(void)
{
	return application_name != NULL &&
		strncmp(application_name, CITUS_INTERNAL_APPNAME_PREFIX,
				strlen(CITUS_INTERNAL_APPNAME_PREFIX)) == 0;
}

/* The owner of extension pgwasm (pg_extension.extowner). */
static Oid
pgwasm_extension_owner(void)
{
	Oid			extoid = get_extension_oid("pgwasm", false);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		elog(ERROR, "could not find the owner of extension pgwasm");
	return owner;
}

/*
 * Run statements through SPI as the extension's owner, with search_path
 * pg_catalog and (when !check_bodies) check_function_bodies off, then put
 * identity and settings back.  An ERROR propagates: the transaction aborts,
 * and the SPI connection, GUC nesting and user id are restored by it.
 */
static void
run_as_extension_owner(List *statements, bool check_bodies)
{
	Oid			owner = pgwasm_extension_owner();
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	ListCell   *lc;

	if (!superuser_arg(owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the owner of extension pgwasm, role \"%s\", is not a superuser",
						GetUserNameFromId(owner, false)),
				 errdetail("On a Citus cluster, pgwasm creates and drops module functions as the extension's owner."),
				 errhint("Make a superuser the owner of extension pgwasm.")));

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (!check_bodies)
		(void) set_config_option("check_function_bodies", "off",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, statements)
	{
		const char *sql = (const char *) lfirst(lc);
		int			rc = SPI_execute(sql, false, 0);

		if (rc < 0)
			elog(ERROR, "SPI_execute failed with %s", SPI_result_code_string(rc));
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");

	AtEOXact_GUC(true, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Refuse to install, replace or drop modules anywhere but the coordinator:
 * a worker's modules are the coordinator's copies, and Citus would refuse a
 * change to a distributed module there anyway, but a new name would be
 * created on that worker alone.
 */
void
pgwasm_citus_require_coordinator(const char *action)
{
	bool		coordinator;
	int			save_nestlevel;

	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT pg_catalog.citus_is_coordinator()", true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not ask Citus whether this node is the coordinator");
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		coordinator = !isnull && DatumGetBool(d);
	}
	SPI_finish();
	AtEOXact_GUC(true, save_nestlevel);

	if (!coordinator)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s wasm modules on a Citus worker", action),
				 errdetail("Modules are installed and dropped on the coordinator, which propagates them to every node."),
				 errhint("Connect to the coordinator and run it again.")));
}

/*
 * Create or replace a module's function so that Citus propagates it.  A new
 * one is given to `owner` afterwards (Citus propagates that too); a
 * replaced one keeps its owner.  check_function_bodies is off: the caller
 * has validated the module already, and Citus creates functions on the
 * workers with it off as well.
 */
void
pgwasm_citus_create_carrier(const char *name, bool replace, Oid owner, const char *body)
{
	char	   *fn = psprintf("wasm_module.%s()", quote_identifier(name));
	List	   *stmts;

	stmts = list_make1(psprintf("CREATE %sFUNCTION %s RETURNS wasm.module LANGUAGE wasm "
								"STRICT STABLE PARALLEL SAFE AS %s",
								replace ? "OR REPLACE " : "", fn, quote_literal_cstr(body)));
	if (!replace)
		stmts = lappend(stmts, psprintf("ALTER FUNCTION %s OWNER TO %s", fn,
										quote_identifier(GetUserNameFromId(owner, false))));
	run_as_extension_owner(stmts, false);
	CommandCounterIncrement();
	if (replace && !pgwasm_preloaded)
		ereport(WARNING,
				(errmsg("pgwasm is not in shared_preload_libraries on this coordinator"),
				 errdetail("A distributed query running while wasm module \"%s\" is replaced may call the old version on some shards and the new one on others.", name),
				 errhint("Add pgwasm to shared_preload_libraries after citus, and restart.")));
}

/*
 * Drop functions (OIDs, the module's function last) with DROP FUNCTION, so
 * that Citus drops them on every node and forgets them in pg_dist_object.
 */
void
pgwasm_citus_drop_functions(List *fnoids, bool cascade)
{
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "DROP FUNCTION ");
	foreach(lc, fnoids)
	{
		if (lc != list_head(fnoids))
			appendStringInfoString(&sql, ", ");
		appendStringInfoString(&sql, format_procedure_qualified(lfirst_oid(lc)));
	}
	appendStringInfoString(&sql, cascade ? " CASCADE" : " RESTRICT");
	run_as_extension_owner(list_make1(sql.data), true);
	CommandCounterIncrement();
}

/* ---- one query, one version: the coordinator's planner hook ---------------- */

static planner_hook_type prev_planner_hook = NULL;

typedef struct WasmCallScan
{
	Oid			wasm_lang;
	List	   *modules;		/* names (char *), each once */
	List	   *seen;			/* function OIDs already looked at */
} WasmCallScan;

static bool note_function(Oid fnoid, void *context);

/* A wasm function: note its module.  An aggregate: look at its support functions. */
static void
note_function_oid(WasmCallScan *scan, Oid fnoid)
{
	HeapTuple	tup;
	Form_pg_proc proc;

	if (!OidIsValid(fnoid) || list_member_oid(scan->seen, fnoid))
		return;
	scan->seen = lappend_oid(scan->seen, fnoid);
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
	if (!HeapTupleIsValid(tup))
		return;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (proc->prolang == scan->wasm_lang && !pgwasm_proc_is_carrier(proc))
	{
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		char	   *modname,
				   *export;

		if (!isnull &&
			pgwasm_parse_prosrc(TextDatumGetCString(src), NameStr(proc->proname), &modname, &export))
		{
			ListCell   *lc;
			bool		dup = false;

			foreach(lc, scan->modules)
				dup = dup || strcmp((char *) lfirst(lc), modname) == 0;
			if (!dup)
				scan->modules = lappend(scan->modules, modname);
		}
	}
	else if (proc->prokind == PROKIND_AGGREGATE)
	{
		HeapTuple	atup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(fnoid));

		if (HeapTupleIsValid(atup))
		{
			Form_pg_aggregate agg = (Form_pg_aggregate) GETSTRUCT(atup);
			Oid			support[] = {agg->aggtransfn, agg->aggfinalfn, agg->aggcombinefn,
									 agg->aggserialfn, agg->aggdeserialfn, agg->aggmtransfn,
									 agg->aggminvtransfn, agg->aggmfinalfn};

			ReleaseSysCache(atup);
			for (int i = 0; i < lengthof(support); i++)
				note_function_oid(scan, support[i]);
		}
	}
	ReleaseSysCache(tup);
}

static bool
note_function(Oid fnoid, void *context)
{
	note_function_oid((WasmCallScan *) context, fnoid);
	return false;				/* go on */
}

static bool
find_wasm_calls(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, find_wasm_calls, context, 0);
	(void) check_functions_in_node(node, note_function, context);
	return expression_tree_walker(node, find_wasm_calls, context);
}

static PlannedStmt *
pgwasm_planner(Query *parse, const char *query_string, int cursorOptions,
			   ParamListInfo boundParams)
{
	/*
	 * Only where Citus is loaded (its settings exist), on the node where the
	 * query comes in: the tasks Citus sends to workers need no lock.
	 */
	if (GetConfigOption("citus.enable_ddl_propagation", true, false) != NULL &&
		!pgwasm_citus_internal_backend())
	{
		WasmCallScan scan = {0};

		scan.wasm_lang = get_language_oid("wasm", true);
		if (OidIsValid(scan.wasm_lang))
		{
			ListCell   *lc;

			(void) find_wasm_calls((Node *) parse, &scan);
			foreach(lc, scan.modules)
				pgwasm_lock_module_shared((const char *) lfirst(lc));
			list_free(scan.seen);
		}
	}
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

bool
pgwasm_citus_preloaded(void)
{
	return pgwasm_preloaded;
}

void
pgwasm_citus_init(void)
{
	pgwasm_preloaded = process_shared_preload_libraries_in_progress;
	prev_planner_hook = planner_hook;
	planner_hook = pgwasm_planner;
}
