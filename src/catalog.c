/*
 * catalog.c — the module catalog, wasm.module_store, and the SQL functions
 * over it: install_module, drop_module, module_exports, module_imports and
 * stats.
 *
 * The table is read and written directly (index scans, CatalogTuple*),
 * never through SQL: the call path needs no SELECT privilege on it and pays
 * no planner, and the privileged functions never run SQL as the table's owner
 * under a caller-controlled search_path.  Who may install or drop is decided
 * by EXECUTE on those functions (revoked from PUBLIC by the install script)
 * plus an ownership check on replace and drop, done here.
 *
 * Every write ends with a relcache invalidation of the table: it is how other
 * backends (and hot standbys, which replay it from WAL) learn that a name
 * now means different bytes, so their per-backend caches re-resolve
 * (cache.c registers the callback).  A rolled-back install leaves no row and
 * its invalidation is undone with it.
 */
#include "postgres.h"

#include <ctype.h>
#include <zstd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "commands/proclang.h"
#include "commands/trigger.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pgwasm.h"

PG_FUNCTION_INFO_V1(pgwasm_install_module);
PG_FUNCTION_INFO_V1(pgwasm_drop_module);
PG_FUNCTION_INFO_V1(pgwasm_module_exports);
PG_FUNCTION_INFO_V1(pgwasm_module_imports);
PG_FUNCTION_INFO_V1(pgwasm_stats);
PG_FUNCTION_INFO_V1(pgwasm_module_store_changed);

/* Columns of wasm.module_store, as created by pgwasm--0.1.0.sql. */
#define Natts_module_store			6
#define Anum_module_store_name		1
#define Anum_module_store_owner		2
#define Anum_module_store_sha256	3
#define Anum_module_store_size		4
#define Anum_module_store_compressed 5
#define Anum_module_store_created	6

#define PGWASM_SCHEMA "wasm"
#define PGWASM_TABLE "module_store"
#define PGWASM_INDEX "module_store_pkey"

/* ---- small helpers ------------------------------------------------------ */

void
pgwasm_sha256(const uint8 *data, size_t len, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, out, PGWASM_SHA256_LEN) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not compute SHA-256: %s", pg_cryptohash_error(ctx))));
	pg_cryptohash_free(ctx);
}

static bytea *
make_bytea(const uint8 *data, size_t len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

static char *
sha256_hex(const uint8 *sha)
{
	static const char hex[] = "0123456789abcdef";
	char	   *s = palloc(PGWASM_SHA256_LEN * 2 + 1);

	for (int i = 0; i < PGWASM_SHA256_LEN; i++)
	{
		s[2 * i] = hex[sha[i] >> 4];
		s[2 * i + 1] = hex[sha[i] & 15];
	}
	s[PGWASM_SHA256_LEN * 2] = '\0';
	return s;
}

/*
 * Module names appear inside function bodies ('module:export'), so they may
 * not contain ':'; they are short so the caches can use fixed-size keys.
 */
void
pgwasm_check_module_name(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0 || len > PGWASM_MAX_NAME)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid wasm module name \"%s\"", name),
				 errdetail("A module name must have 1 to %d bytes.", PGWASM_MAX_NAME)));
	for (const char *p = name; *p; p++)
	{
		if (*p == ':' || (unsigned char) *p < 0x20 || *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("invalid wasm module name \"%s\"", name),
					 errdetail("A module name cannot contain ':' or control characters.")));
	}
}

/*
 * Split a function body 'module:export' (or 'module', export = the SQL
 * function's name).  Surrounding white space is ignored, so $$ m:f $$ works.
 * Returns false (and leaves the outputs alone) if the body is malformed.
 */
bool
pgwasm_parse_prosrc(const char *src, const char *fname, char **modname, char **export)
{
	const char *start = src;
	const char *end = src + strlen(src);
	const char *colon;

	while (start < end && isspace((unsigned char) *start))
		start++;
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	if (start == end)
		return false;
	colon = memchr(start, ':', end - start);
	if (colon == NULL)
	{
		*modname = pnstrdup(start, end - start);
		*export = pstrdup(fname);
		return true;
	}
	if (colon == start || colon + 1 == end)
		return false;
	*modname = pnstrdup(start, colon - start);
	*export = pnstrdup(colon + 1, end - colon - 1);
	return true;
}

Oid			pgwasm_catalog_known_relid = InvalidOid;

Oid
pgwasm_catalog_relid(bool missing_ok)
{
	Oid			nsp = get_namespace_oid(PGWASM_SCHEMA, true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(PGWASM_TABLE, nsp) : InvalidOid;

	pgwasm_catalog_known_relid = relid;
	if (!OidIsValid(relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension pgwasm is not installed in this database"),
				 errhint("Run CREATE EXTENSION pgwasm.")));
	return relid;
}

/*
 * Look the catalog up and open it, or NULL if missing_ok and it does not
 * exist.  The name lookup may come from catalog caches that have not yet
 * seen a concurrent DROP EXTENSION (a statement that takes no lock processes
 * no invalidations): the OID is only trusted once the lock is held, which
 * processes them.  If the table vanished meanwhile, look again, now with
 * current caches, so a dropped extension is an ordinary error rather than
 * "could not open relation".
 */
Relation
pgwasm_catalog_open(LOCKMODE lockmode, bool missing_ok)
{
	for (;;)
	{
		Oid			relid = pgwasm_catalog_relid(missing_ok);
		Relation	rel;

		if (!OidIsValid(relid))
			return NULL;
		rel = try_table_open(relid, lockmode);
		if (rel != NULL)
			return rel;
		CHECK_FOR_INTERRUPTS();
	}
}

static Oid
catalog_indexid(Oid relid)
{
	Oid			idx = get_relname_relid(PGWASM_INDEX, get_rel_namespace(relid));

	if (!OidIsValid(idx))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index %s.%s of extension pgwasm is missing", PGWASM_SCHEMA, PGWASM_INDEX),
				 errhint("Drop and create the extension again.")));
	return idx;
}

/*
 * Start an index scan for one name.  The key's collation is the column's, so
 * the btree descends with the ordering the index was built with.
 */
static SysScanDesc
begin_name_scan(Relation rel, const char *name, Snapshot snap, ScanKeyData *key)
{
	Oid			collation = TupleDescAttr(RelationGetDescr(rel), Anum_module_store_name - 1)->attcollation;

	ScanKeyEntryInitialize(key, 0, Anum_module_store_name, BTEqualStrategyNumber,
						   InvalidOid, collation, F_TEXTEQ, CStringGetTextDatum(name));
	return systable_beginscan(rel, catalog_indexid(RelationGetRelid(rel)), true, snap, 1, key);
}

/* Fill a PgwasmModuleRow from a tuple. */
static void
row_from_tuple(Relation rel, HeapTuple tup, PgwasmModuleRow *row)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		isnull;
	Datum		d;
	bytea	   *sha;
	char	   *name;

	d = heap_getattr(tup, Anum_module_store_name, desc, &isnull);
	name = TextDatumGetCString(d);
	strlcpy(row->name, name, sizeof(row->name));
	row->owner = DatumGetObjectId(heap_getattr(tup, Anum_module_store_owner, desc, &isnull));
	d = heap_getattr(tup, Anum_module_store_sha256, desc, &isnull);
	sha = DatumGetByteaPP(d);
	if (isnull || VARSIZE_ANY_EXHDR(sha) != PGWASM_SHA256_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" has an invalid sha256 in wasm.module_store", name)));
	memcpy(row->sha256, VARDATA_ANY(sha), PGWASM_SHA256_LEN);
	row->size = DatumGetInt32(heap_getattr(tup, Anum_module_store_size, desc, &isnull));
}

/*
 * Does a zstd frame carry a content checksum?  RFC 8878: the 4-byte magic
 * number, then the frame header descriptor, whose bit 2 is the flag.
 */
static bool
frame_has_checksum(const uint8 *p, size_t len)
{
	return len >= 5 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD &&
		(p[4] & 0x04) != 0;
}

/*
 * Decompress a stored module and check its integrity: zstd verifies the
 * frame's content checksum; a frame without one (written before checksums
 * were added) is checked against the recorded SHA-256 instead.
 */
static bytea *
decompress_module(Relation rel, HeapTuple tup, const PgwasmModuleRow *row)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, Anum_module_store_compressed, RelationGetDescr(rel), &isnull);
	bytea	   *comp;
	bytea	   *out;
	size_t		n;
	uint8		sha[PGWASM_SHA256_LEN];
	unsigned long long framesize;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" has no stored bytes", row->name)));
	comp = DatumGetByteaPP(d);
	framesize = ZSTD_getFrameContentSize(VARDATA_ANY(comp), VARSIZE_ANY_EXHDR(comp));
	if (row->size < 0 || framesize != (unsigned long long) row->size)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" is corrupt in wasm.module_store", row->name),
				 errdetail("The compressed frame does not hold the recorded %d bytes.", row->size)));
	out = palloc(VARHDRSZ + row->size);
	n = ZSTD_decompress(VARDATA(out), row->size, VARDATA_ANY(comp), VARSIZE_ANY_EXHDR(comp));
	if (ZSTD_isError(n) || n != (size_t) row->size)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" is corrupt in wasm.module_store", row->name),
				 errdetail("zstd: %s", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame")));
	SET_VARSIZE(out, VARHDRSZ + row->size);
	if (frame_has_checksum((const uint8 *) VARDATA_ANY(comp), VARSIZE_ANY_EXHDR(comp)))
		return out;
	pgwasm_sha256((const uint8 *) VARDATA(out), row->size, sha);
	if (memcmp(sha, row->sha256, PGWASM_SHA256_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" is corrupt in wasm.module_store", row->name),
				 errdetail("Its bytes do not match the recorded SHA-256.")));
	return out;
}

/*
 * The snapshot lookups use: the statement's, so that a module installed
 * earlier in the same transaction is visible and a rolled-back one is not.
 */
static Snapshot
lookup_snapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

bool
pgwasm_catalog_lookup(const char *name, PgwasmModuleRow *row, bytea **bytes)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		found = false;

	rel = pgwasm_catalog_open(AccessShareLock, false);
	if (strlen(name) > PGWASM_MAX_NAME)
	{
		table_close(rel, AccessShareLock);
		return false;
	}
	scan = begin_name_scan(rel, name, lookup_snapshot(), &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		found = true;
		row_from_tuple(rel, tup, row);
		if (bytes)
			*bytes = decompress_module(rel, tup, row);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* SHA-256 of every stored module (for dropping unreachable cache entries). */
List *
pgwasm_catalog_all_sha256(void)
{
	Relation	rel = pgwasm_catalog_open(AccessShareLock, true);
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (rel == NULL)
		return NIL;
	scan = systable_beginscan(rel, InvalidOid, false, lookup_snapshot(), 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		PgwasmModuleRow row;
		uint8	   *sha = palloc(PGWASM_SHA256_LEN);

		row_from_tuple(rel, tup, &row);
		memcpy(sha, row.sha256, PGWASM_SHA256_LEN);
		result = lappend(result, sha);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* ---- install ---------------------------------------------------------------- */

/*
 * Serialise install/replace/drop of one name: a lock on (catalog table, hash
 * of the name), held to transaction end.  After it is granted, the latest
 * snapshot shows whatever a concurrent installer committed.
 */
static void
lock_module_name(Oid relid, const char *name)
{
	LockDatabaseObject(relid, hash_bytes((const unsigned char *) name, strlen(name)), 0,
					   ExclusiveLock);
}

static void
check_module_owner(const PgwasmModuleRow *row)
{
	if (!superuser() && !has_privs_of_role(GetUserId(), row->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of wasm module \"%s\"", row->name)));
}

/* Name of the language's OID, to find functions written in it. */
static Oid
wasm_language_oid(void)
{
	return get_language_oid("wasm", true);
}

/*
 * Functions whose body names the module: their OIDs (and signatures, for
 * messages).  pg_proc is scanned since there is no dependency entry to
 * follow: a module is a row, not a catalog object.
 */
static List *
functions_using_module(const char *modname)
{
	Oid			lang = wasm_language_oid();
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (!OidIsValid(lang))
		return NIL;
	rel = table_open(ProcedureRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
		bool		isnull;
		Datum		src;
		char	   *m,
				   *e;

		if (proc->prolang != lang)
			continue;
		src = heap_getattr(tup, Anum_pg_proc_prosrc, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		if (pgwasm_parse_prosrc(TextDatumGetCString(src), NameStr(proc->proname), &m, &e) &&
			strcmp(m, modname) == 0)
			result = lappend_oid(result, proc->oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	/* Creation order, whatever the heap order: stable messages. */
	list_sort(result, list_oid_cmp);
	return result;
}

/*
 * After (re)installing: functions that already name the module but do not
 * fit it get a WARNING now, rather than surprising their callers later.
 */
static void
warn_unfit_functions(const char *modname, const wrt_module *m)
{
	List	   *funcs = functions_using_module(modname);
	ListCell   *lc;

	foreach(lc, funcs)
	{
		Oid			fnoid = lfirst_oid(lc);
		HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
		Form_pg_proc proc;
		bool		isnull;
		Datum		src;
		char	   *mname,
				   *export;
		PgwasmSig	sig;
		PgwasmMismatch why;

		if (!HeapTupleIsValid(tup))
			continue;
		proc = (Form_pg_proc) GETSTRUCT(tup);
		src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		if (!isnull &&
			pgwasm_parse_prosrc(TextDatumGetCString(src), NameStr(proc->proname), &mname, &export))
		{
			pgwasm_sig_build(tup, &sig, CurrentMemoryContext);
			if (pgwasm_sig_mismatch(&sig, m, modname, export, format_procedure(fnoid), &why))
				ereport(WARNING,
						(errmsg("function %s does not fit the new wasm module \"%s\"",
								format_procedure(fnoid), modname),
						 errdetail_internal("%s", why.reason),
						 errhint("Calls of the function will fail until it or the module is changed.")));
		}
		ReleaseSysCache(tup);
	}
}

/*
 * zstd at the default level: modules are compressed once, read rarely.  The
 * frame carries zstd's content checksum (XXH64), which every decompression
 * verifies: that catches corruption of the stored bytes without computing
 * SHA-256 again at each backend's first load (OpenSSL's first digest in a
 * process costs about 0.3 ms, a sixth of a small module's cold start).
 */
static bytea *
compress_module(const char *data, size_t len)
{
	size_t		bound = ZSTD_compressBound(len);
	bytea	   *out = palloc(VARHDRSZ + bound);
	ZSTD_CCtx  *cctx = ZSTD_createCCtx();
	size_t		n;

	if (cctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not compress wasm module: out of memory")));
	n = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(n))
		n = ZSTD_compress2(cctx, VARDATA(out), bound, data, len);
	ZSTD_freeCCtx(cctx);
	if (ZSTD_isError(n))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compress wasm module: %s", ZSTD_getErrorName(n))));
	SET_VARSIZE(out, VARHDRSZ + n);
	return out;
}

Datum
pgwasm_install_module(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bytea	   *module = PG_GETARG_BYTEA_PP(1);
	bool		replace = PG_GETARG_BOOL(2);
	size_t		len = VARSIZE_ANY_EXHDR(module);
	MemoryContext cxt;
	wrt_allocator alloc;
	wrt_module *m;
	wrt_error	err;
	wrt_load_options opts;
	uint8		sha[PGWASM_SHA256_LEN];
	bytea	   *comp;
	Oid			relid;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	oldtup;
	Datum		values[Natts_module_store];
	bool		nulls[Natts_module_store] = {0};
	Snapshot	snap;

	pgwasm_check_module_name(name);
	if (len > (size_t) pgwasm_max_module_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("wasm module \"%s\" is too large", name),
				 errdetail("The module has %zu bytes; pgwasm.max_module_size is %d bytes.",
						   len, pgwasm_max_module_size)));

	/*
	 * Decode and validate fully, then check what it imports: a module that
	 * could not run is refused now rather than at its first call.  The engine
	 * works in a throwaway context, freed on error with the transaction.
	 */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "pgwasm install", ALLOCSET_DEFAULT_SIZES);
	pgwasm_allocator_init(&alloc, cxt);
	pgwasm_load_options(&opts);
	m = wrt_module_load_ex((const uint8_t *) VARDATA_ANY(module), len, &alloc, &opts, &err);
	if (m == NULL)
		pgwasm_report_load_error(name, &err);
	pgwasm_check_imports(m, name);

	pgwasm_sha256((const uint8 *) VARDATA_ANY(module), len, sha);
	comp = compress_module(VARDATA_ANY(module), len);

	rel = pgwasm_catalog_open(RowExclusiveLock, false);
	relid = RelationGetRelid(rel);
	lock_module_name(relid, name);

	values[Anum_module_store_name - 1] = CStringGetTextDatum(name);
	values[Anum_module_store_owner - 1] = ObjectIdGetDatum(GetUserId());
	values[Anum_module_store_sha256 - 1] = PointerGetDatum(make_bytea(sha, PGWASM_SHA256_LEN));
	values[Anum_module_store_size - 1] = Int32GetDatum((int32) len);
	values[Anum_module_store_compressed - 1] = PointerGetDatum(comp);
	values[Anum_module_store_created - 1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = begin_name_scan(rel, name, snap, &key);
	oldtup = systable_getnext(scan);
	if (HeapTupleIsValid(oldtup))
	{
		PgwasmModuleRow row;
		bool		repl[Natts_module_store] = {0};
		HeapTuple	newtup;

		row_from_tuple(rel, oldtup, &row);
		if (!replace)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("wasm module \"%s\" already exists", name),
					 errhint("Use wasm.install_module(name, module, replace => true) to replace it.")));
		check_module_owner(&row);
		/* The owner stays: replacing is not taking over. */
		repl[Anum_module_store_sha256 - 1] = true;
		repl[Anum_module_store_size - 1] = true;
		repl[Anum_module_store_compressed - 1] = true;
		repl[Anum_module_store_created - 1] = true;
		newtup = heap_modify_tuple(oldtup, RelationGetDescr(rel), values, nulls, repl);
		CatalogTupleUpdate(rel, &oldtup->t_self, newtup);
	}
	else
	{
		HeapTuple	newtup = heap_form_tuple(RelationGetDescr(rel), values, nulls);

		CatalogTupleInsert(rel, newtup);
	}
	systable_endscan(scan);
	UnregisterSnapshot(snap);

	CacheInvalidateRelcacheByRelid(relid);
	table_close(rel, NoLock);

	warn_unfit_functions(name, m);
	wrt_module_free(m);
	MemoryContextDelete(cxt);

	PG_RETURN_TEXT_P(cstring_to_text(sha256_hex(sha)));
}

/* ---- drop ------------------------------------------------------------------- */

Datum
pgwasm_drop_module(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		cascade = PG_GETARG_BOOL(1);
	Relation	rel = pgwasm_catalog_open(RowExclusiveLock, false);
	Oid			relid = RelationGetRelid(rel);
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	PgwasmModuleRow row;
	Snapshot	snap;
	ItemPointerData tid;
	List	   *funcs;
	ListCell   *lc;

	if (strlen(name) <= PGWASM_MAX_NAME)
		lock_module_name(relid, name);
	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = begin_name_scan(rel, name, snap, &key);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", name)));
	row_from_tuple(rel, tup, &row);
	tid = tup->t_self;
	systable_endscan(scan);
	UnregisterSnapshot(snap);
	check_module_owner(&row);

	funcs = functions_using_module(name);
	if (funcs != NIL && !cascade)
	{
		StringInfoData detail;

		initStringInfo(&detail);
		foreach(lc, funcs)
		{
			if (detail.len > 0)
				appendStringInfoChar(&detail, '\n');
			appendStringInfo(&detail, "function %s uses it",
							 format_procedure(lfirst_oid(lc)));
		}
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop wasm module \"%s\" because other objects depend on it", name),
				 errdetail("%s", detail.data),
				 errhint("Use wasm.drop_module(name, cascade => true) to drop the functions too.")));
	}
	if (funcs != NIL)
	{
		ObjectAddresses *addrs = new_object_addresses();

		foreach(lc, funcs)
		{
			ObjectAddress addr;

			ObjectAddressSet(addr, ProcedureRelationId, lfirst_oid(lc));
			ereport(NOTICE,
					(errmsg("drop cascades to function %s", format_procedure(lfirst_oid(lc)))));
			add_exact_object_address(&addr, addrs);
		}
		performMultipleDeletions(addrs, DROP_CASCADE, 0);
	}

	CatalogTupleDelete(rel, &tid);

	CacheInvalidateRelcacheByRelid(relid);
	table_close(rel, NoLock);
	PG_RETURN_VOID();
}

/*
 * Statement trigger on wasm.module_store: rows changed by plain SQL (not by
 * install/drop, which write the heap directly and send their own) must
 * invalidate cached modules everywhere too.
 */
Datum
pgwasm_module_store_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pgwasm_module_store_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/* ---- introspection ---------------------------------------------------------- */

static void
put_text(Datum *values, int i, const char *s, size_t len)
{
	values[i] = PointerGetDatum(cstring_to_text_with_len(s, len));
}

/* Names from the module are UTF-8 (the decoder checks): show them as text. */
static void
put_name(Datum *values, int i, const char *s, uint32 len)
{
	char	   *conv = pg_any_to_server(s, len, PG_UTF8);

	if (conv == s)
		put_text(values, i, s, len);
	else
		put_text(values, i, conv, strlen(conv));
}

Datum
pgwasm_module_exports(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PgwasmModule *mod;
	uint32		n;

	InitMaterializedSRF(fcinfo, 0);
	mod = pgwasm_cache_get_module(name);
	n = wrt_module_export_count(mod->module);
	for (uint32 i = 0; i < n; i++)
	{
		const char *ename;
		uint32		elen;
		wrt_externtype type;
		Datum		values[3];
		bool		nulls[3] = {0};

		wrt_module_export(mod->module, i, &ename, &elen, &type);
		put_name(values, 0, ename, elen);
		values[1] = CStringGetTextDatum(pgwasm_externkind_name(type.kind));
		values[2] = CStringGetTextDatum(pgwasm_format_externtype(&type));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
pgwasm_module_imports(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PgwasmModule *mod;
	uint32		n;

	InitMaterializedSRF(fcinfo, 0);
	mod = pgwasm_cache_get_module(name);
	n = wrt_module_import_count(mod->module);
	for (uint32 i = 0; i < n; i++)
	{
		const char *mname,
				   *iname;
		uint32		mlen,
					ilen;
		wrt_externtype type;
		Datum		values[4];
		bool		nulls[4] = {0};

		wrt_module_import(mod->module, i, &mname, &mlen, &iname, &ilen, &type);
		put_name(values, 0, mname, mlen);
		put_name(values, 1, iname, ilen);
		values[2] = CStringGetTextDatum(pgwasm_externkind_name(type.kind));
		values[3] = CStringGetTextDatum(pgwasm_format_externtype(&type));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

typedef struct StatsWalk
{
	ReturnSetInfo *rsinfo;
} StatsWalk;

static void
stats_row(PgwasmStats *st, int64 memory_bytes, void *arg)
{
	StatsWalk  *walk = (StatsWalk *) arg;
	Datum		values[6];
	bool		nulls[6] = {0};

	values[0] = CStringGetTextDatum(st->name);
	values[1] = Float8GetDatum(st->compile_ms);
	values[2] = Int64GetDatum(st->instantiations);
	values[3] = Int64GetDatum(st->calls);
	values[4] = Int64GetDatum(st->traps);
	values[5] = Int64GetDatum(memory_bytes);
	tuplestore_putvalues(walk->rsinfo->setResult, walk->rsinfo->setDesc, values, nulls);
}

Datum
pgwasm_stats(PG_FUNCTION_ARGS)
{
	StatsWalk	walk;

	InitMaterializedSRF(fcinfo, 0);
	walk.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	pgwasm_stats_foreach(stats_row, &walk);
	return (Datum) 0;
}
