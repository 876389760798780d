/*
 * catalog.c -- the module catalog and the SQL functions over it:
 * install_module, drop_module, module_exports, module_imports and stats.
 *
 * Each installed module is a function, its "carrier":
 *
 *     wasm_module."<name>"() RETURNS wasm.module LANGUAGE wasm
 *
 * owned by the role that installed it, whose body (prosrc) is a one-line
 * ASCII header followed by the zstd-compressed module in base64 (see
 * "Carrier bodies" below).  A module is therefore a pre-data object, like
 * the functions built on it: pg_dump writes it as a CREATE FUNCTION, and
 * pg_restore creates it, serially even with -j, before any table data is
 * loaded and any index, CHECK constraint, generated column or materialized
 * view calls the wasm functions that need it.  Rows of a table (the 0.1.0
 * design) were restored in the data section, in no guaranteed order against
 * the other tables' data, so restores failed.  Being a function also gives
 * modules what pg_proc rows have for free: ownership recorded in
 * pg_shdepend (DROP ROLE refuses, REASSIGN/DROP OWNED work), replication
 * through WAL, and invalidation messages when one changes.
 *
 * The catalog is written from C with ProcedureCreate and performDeletion,
 * never through SQL: no search_path is consulted and the callers need no
 * CREATE privilege on schema wasm_module (nobody but its owner has it, so
 * roles cannot CREATE OR REPLACE or rename carriers behind pgwasm's back).
 * Who may install or drop is decided by EXECUTE on those functions (revoked
 * from PUBLIC by the install script) plus an ownership check on replace and
 * drop, done here.  On a Citus cluster (the citus extension exists in the
 * database) the same changes are made by DDL statements that Citus
 * propagates to every node, and only on the coordinator: distributed.c.
 * Calls look modules up with an index scan of pg_proc
 * under the statement's snapshot (see lookup_snapshot); pg_proc and its
 * index are always in the relcache, so a cold backend builds no relcache
 * entry of its own.  install and drop use the PROCNAMEARGSNSP syscache,
 * after taking a lock that brings it up to date.
 *
 * Other backends (and hot standbys, which replay them from WAL) learn of a
 * change from the pg_proc invalidations that every catalog update sends;
 * cache.c registers the callbacks.  A rolled-back install leaves no row and
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
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
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
#include "utils/datetime.h"
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
PG_FUNCTION_INFO_V1(pgwasm_migrate_module);
PG_FUNCTION_INFO_V1(pgwasm_module_exports);
PG_FUNCTION_INFO_V1(pgwasm_module_imports);
PG_FUNCTION_INFO_V1(pgwasm_stats);
PG_FUNCTION_INFO_V1(pgwasm_module_store_changed);

#define PGWASM_SCHEMA "wasm"
#define PGWASM_MODULE_SCHEMA "wasm_module"
#define PGWASM_MODULE_TYPE "module"

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
 * not contain ':'; they are short so the caches can use fixed-size keys (and
 * they fit a function name, NAMEDATALEN - 1 bytes).
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

/* ---- where carriers live ---------------------------------------------- */

/*
 * The schema of the carriers.  Missing means the extension is not installed
 * here, or is still at 0.1.0 (whose modules are rows of wasm.module_store)
 * while the library is newer: ALTER EXTENSION UPDATE moves them.
 */
Oid
pgwasm_module_namespace(bool missing_ok)
{
	Oid			nsp = get_namespace_oid(PGWASM_MODULE_SCHEMA, true);

	if (!OidIsValid(nsp) && !missing_ok)
	{
		if (OidIsValid(get_extension_oid("pgwasm", true)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("extension pgwasm must be updated to use this library"),
					 errdetail("Schema \"%s\" does not exist: the extension's SQL objects are older than the library.",
							   PGWASM_MODULE_SCHEMA),
					 errhint("Run ALTER EXTENSION pgwasm UPDATE.")));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension pgwasm is not installed in this database"),
				 errhint("Run CREATE EXTENSION pgwasm.")));
	}
	return nsp;
}

/* The domain wasm.module, the return type of every carrier (or InvalidOid). */
Oid
pgwasm_module_type(void)
{
	Oid			nsp = get_namespace_oid(PGWASM_SCHEMA, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum(PGWASM_MODULE_TYPE), ObjectIdGetDatum(nsp));
}

bool
pgwasm_proc_is_carrier(Form_pg_proc proc)
{
	Oid			modtype;

	/* Cheap test first: almost every wasm function returns something else. */
	if (get_typtype(proc->prorettype) != TYPTYPE_DOMAIN)
		return false;
	modtype = pgwasm_module_type();
	return OidIsValid(modtype) && proc->prorettype == modtype;
}

/* The carrier of a module, from the syscache (release it), or NULL. */
static HeapTuple
carrier_tuple(Oid nsp, const char *name)
{
	oidvector  *noargs = buildoidvector(NULL, 0);

	if (strlen(name) > PGWASM_MAX_NAME)
		return NULL;
	return SearchSysCache3(PROCNAMEARGSNSP, CStringGetDatum(name),
						   PointerGetDatum(noargs), ObjectIdGetDatum(nsp));
}

uint32
pgwasm_carrier_hash(const char *name)
{
	Oid			nsp = pgwasm_module_namespace(true);
	oidvector  *noargs = buildoidvector(NULL, 0);

	if (!OidIsValid(nsp))
		return 0;
	return GetSysCacheHashValue3(PROCNAMEARGSNSP, CStringGetDatum(name),
								 PointerGetDatum(noargs), ObjectIdGetDatum(nsp));
}

/* ---- carrier bodies ---------------------------------------------------------- */

/*
 * A carrier's body is pure ASCII, so it survives any client and server
 * encoding (pg_dump output, a restore into an EUC_JP database, psql):
 *
 *     pgwasm-module 1 sha256=<64 hex> size=<n> compressed=<n> created=<ISO 8601 UTC>\n
 *     <zstd frame in base64, 76 characters a line>
 *
 * "1" is the format version.  size is the module's, compressed the frame's;
 * the frame normally carries zstd's content checksum, which every
 * decompression verifies (frames migrated from 0.1.0 installations may lack
 * it: those are checked against the SHA-256 instead).  The base64 is the one
 * of encode(..., 'base64'), so decode(<body after the first line>, 'base64')
 * gives the frame back in SQL.
 */
#define CARRIER_MAGIC "pgwasm-module"
#define CARRIER_VERSION 1
#define CARRIER_LINE 76
/* The header is well under this; the rest of the body is not read for it. */
#define CARRIER_HEADER_MAX 256

typedef struct CarrierHeader
{
	int			version;
	uint8		sha256[PGWASM_SHA256_LEN];
	int32		size;
	int32		compressed;
	char		created[40];
	int			header_len;		/* bytes up to and including the newline */
} CarrierHeader;

static const char b64chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
append_base64(StringInfo out, const uint8 *p, size_t len)
{
	int			col = 0;

	for (size_t i = 0; i < len; i += 3)
	{
		uint32		v = (uint32) p[i] << 16;
		char		q[4];

		if (i + 1 < len)
			v |= (uint32) p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64chars[(v >> 18) & 63];
		q[1] = b64chars[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64chars[v & 63] : '=';
		if (col == CARRIER_LINE)
		{
			appendStringInfoChar(out, '\n');
			col = 0;
		}
		appendBinaryStringInfo(out, q, 4);
		col += 4;
	}
}

/*
 * Decode base64, skipping line breaks and blanks; into out (room for
 * outlen bytes).  Returns the number of bytes decoded, or -1 if the text is
 * not base64 or does not fit.
 */
static int64
decode_base64(const char *s, size_t len, uint8 *out, size_t outlen)
{
	uint32		v = 0;
	int			nbits = 0;
	int			pad = 0;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];
		int			d;

		if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
			continue;
		if (c == '=')
		{
			pad++;
			continue;
		}
		if (pad > 0)
			return -1;			/* data after padding */
		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '+')
			d = 62;
		else if (c == '/')
			d = 63;
		else
			return -1;
		v = (v << 6) | (uint32) d;
		nbits += 6;
		if (nbits >= 8)
		{
			nbits -= 8;
			if (n >= outlen)
				return -1;
			out[n++] = (uint8) (v >> nbits);
			v &= (1u << nbits) - 1;
		}
	}
	if (pad > 2 || nbits >= 6)
		return -1;
	return (int64) n;
}

/* "2024-05-01T12:34:56.789012Z": fixed, locale- and DateStyle-independent. */
static void
format_created(TimestampTz ts, char *buf, size_t buflen)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	snprintf(buf, buflen, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int) fsec);
}

static char *
carrier_body(const uint8 *sha, int32 size, const uint8 *frame, size_t framelen,
			 TimestampTz created)
{
	StringInfoData buf;
	char		ts[64];

	format_created(created, ts, sizeof(ts));
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %d sha256=%s size=%d compressed=%zu created=%s\n",
					 CARRIER_MAGIC, CARRIER_VERSION, sha256_hex(sha), size, framelen, ts);
	append_base64(&buf, frame, framelen);
	return buf.data;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10;
}

/*
 * Parse the header of a carrier body (only its first CARRIER_HEADER_MAX
 * bytes are looked at).  Returns false, with *why set, if it is not one.
 */
static bool
parse_header(const char *src, size_t len, CarrierHeader *h, const char **why)
{
	const char *nl = memchr(src, '\n', Min(len, CARRIER_HEADER_MAX));
	char	   *line;
	char		shahex[PGWASM_SHA256_LEN * 2 + 1];
	int			n = -1;

	if (nl == NULL)
	{
		*why = "The body does not start with a pgwasm-module header line.";
		return false;
	}
	line = pnstrdup(src, nl - src);
	if (sscanf(line, CARRIER_MAGIC " %d sha256=%64[0-9a-f] size=%d compressed=%d created=%39[0-9:.TZ-]%n",
			   &h->version, shahex, &h->size, &h->compressed, h->created, &n) != 5 ||
		n != (int) strlen(line) || strlen(shahex) != PGWASM_SHA256_LEN * 2)
	{
		*why = "The header line is malformed.";
		return false;
	}
	if (h->version != CARRIER_VERSION)
	{
		*why = psprintf("Format version %d is not supported (this pgwasm writes and reads version %d).",
						h->version, CARRIER_VERSION);
		return false;
	}
	if (h->size < 0 || h->compressed <= 0)
	{
		*why = "The header's sizes are out of range.";
		return false;
	}
	for (int i = 0; i < PGWASM_SHA256_LEN; i++)
		h->sha256[i] = (uint8) (hexval(shahex[2 * i]) << 4 | hexval(shahex[2 * i + 1]));
	h->header_len = (int) (nl - src) + 1;
	pfree(line);
	return true;
}

static void
report_bad_carrier(const char *name, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("wasm module \"%s\" is corrupt", name),
			 errdetail_internal("%s", why)));
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
 * Decode a carrier body into the module bytes and check their integrity:
 * zstd verifies the frame's content checksum; a frame without one (migrated
 * from a 0.1.0 installation that stored it before checksums were added) is
 * checked against the recorded SHA-256 instead, as is every frame when
 * verify_sha is set (the validator's full check).
 */
static bytea *
carrier_decode(const char *name, const char *src, size_t len, const CarrierHeader *h,
			   bool verify_sha)
{
	uint8	   *frame = palloc(h->compressed);
	int64		framelen;
	bytea	   *out;
	size_t		n;
	unsigned long long content;

	framelen = decode_base64(src + h->header_len, len - h->header_len, frame, h->compressed);
	if (framelen != h->compressed)
		report_bad_carrier(name, psprintf("The body does not hold the %d bytes of base64 the header announces.",
										  h->compressed));
	content = ZSTD_getFrameContentSize(frame, framelen);
	if (content != (unsigned long long) h->size)
		report_bad_carrier(name, psprintf("The compressed frame does not hold the recorded %d bytes.",
										  h->size));
	out = palloc(VARHDRSZ + h->size);
	n = ZSTD_decompress(VARDATA(out), h->size, frame, framelen);
	if (ZSTD_isError(n) || n != (size_t) h->size)
		report_bad_carrier(name, psprintf("zstd: %s", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame"));
	SET_VARSIZE(out, VARHDRSZ + h->size);
	if (verify_sha || !frame_has_checksum(frame, framelen))
	{
		uint8		sha[PGWASM_SHA256_LEN];

		pgwasm_sha256((const uint8 *) VARDATA(out), h->size, sha);
		if (memcmp(sha, h->sha256, PGWASM_SHA256_LEN) != 0)
			report_bad_carrier(name, "Its bytes do not match the recorded SHA-256.");
	}
	pfree(frame);
	return out;
}

/*
 * Fill a PgwasmModuleRow (and the bytes, if asked) from a carrier's pg_proc
 * tuple and its body.
 */
static void
row_from_carrier(HeapTuple tup, Datum d, bool isnull, PgwasmModuleRow *row, bytea **bytes)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
	text	   *src;
	CarrierHeader h;
	const char *why;

	strlcpy(row->name, NameStr(proc->proname), sizeof(row->name));
	row->oid = proc->oid;
	row->owner = proc->proowner;
	if (isnull)
		report_bad_carrier(row->name, "It has no body.");
	src = DatumGetTextPP(d);
	if (!parse_header(VARDATA_ANY(src), VARSIZE_ANY_EXHDR(src), &h, &why))
		report_bad_carrier(row->name, why);
	memcpy(row->sha256, h.sha256, PGWASM_SHA256_LEN);
	row->size = h.size;
	if (bytes)
		*bytes = carrier_decode(row->name, VARDATA_ANY(src), VARSIZE_ANY_EXHDR(src), &h, false);
}

/*
 * The snapshot lookups use: the statement's, as for any table, so that a
 * module installed earlier in the same transaction is visible and a
 * rolled-back one is not, one statement never sees two versions of a module,
 * a REPEATABLE READ transaction keeps seeing the version it started with,
 * and a new statement sees a module another session dropped or replaced.
 * (The syscache would show the latest committed version instead, and only
 * once this backend processed the invalidation.)
 */
static Snapshot
lookup_snapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

bool
pgwasm_catalog_lookup(const char *name, PgwasmModuleRow *row, bytea **bytes)
{
	Oid			nsp = pgwasm_module_namespace(false);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key[3];
	HeapTuple	tup;
	bool		found = false;

	if (strlen(name) > PGWASM_MAX_NAME)
		return false;
	rel = table_open(ProcedureRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_proc_proname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum(name));
	ScanKeyInit(&key[1], Anum_pg_proc_proargtypes, BTEqualStrategyNumber, F_OIDVECTOREQ,
				PointerGetDatum(buildoidvector(NULL, 0)));
	ScanKeyInit(&key[2], Anum_pg_proc_pronamespace, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(nsp));
	scan = systable_beginscan(rel, ProcedureNameArgsNspIndexId, true, lookup_snapshot(), 3, key);
	tup = systable_getnext(scan);
	/* A superuser's own function in the schema is not a module. */
	if (HeapTupleIsValid(tup) && pgwasm_proc_is_carrier((Form_pg_proc) GETSTRUCT(tup)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_proc_prosrc, RelationGetDescr(rel), &isnull);

		row_from_carrier(tup, d, isnull, row, bytes);
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * SHA-256 of every installed module (for dropping unreachable cache
 * entries).  pg_proc has no index on the namespace alone: this is a scan of
 * it, done only after a module this backend has compiled was changed.  Only
 * the header of each body is detoasted.
 */
List *
pgwasm_catalog_all_sha256(void)
{
	Oid			nsp = pgwasm_module_namespace(true);
	Oid			modtype = pgwasm_module_type();
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	if (!OidIsValid(nsp) || !OidIsValid(modtype))
		return NIL;
	rel = table_open(ProcedureRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
		bool		isnull;
		Datum		d;
		text	   *head;
		CarrierHeader h;
		const char *why;

		if (proc->pronamespace != nsp || proc->prorettype != modtype || proc->pronargs != 0)
			continue;
		d = heap_getattr(tup, Anum_pg_proc_prosrc, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		head = DatumGetTextPSlice(d, 0, CARRIER_HEADER_MAX);
		if (parse_header(VARDATA_ANY(head), VARSIZE_ANY_EXHDR(head), &h, &why))
		{
			uint8	   *sha = palloc(PGWASM_SHA256_LEN);

			memcpy(sha, h.sha256, PGWASM_SHA256_LEN);
			result = lappend(result, sha);
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* ---- the validator's and the call handler's part ------------------------- */

/*
 * Validate a carrier (handler.c calls this for functions returning
 * wasm.module).  It must be wasm_module."<valid name>"() and its body a
 * well-formed header; with check_function_bodies on (CREATE FUNCTION by
 * hand) the module is decoded, its SHA-256 checked, and it is validated as
 * wasm.install_module would; off (pg_restore, plain dumps) only the header
 * is checked, which costs nothing whatever the module's size.
 */
void
pgwasm_validate_carrier(HeapTuple tup, bool check_body)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);
	const char *name = NameStr(proc->proname);
	char	   *fdesc = format_procedure(proc->oid);
	bool		isnull;
	Datum		d;
	text	   *src;
	CarrierHeader h;
	const char *why;

	if (proc->pronamespace != pgwasm_module_namespace(false) || proc->pronargs != 0 ||
		proc->proretset)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("function %s cannot return type wasm.module", fdesc),
				 errdetail("Only the functions that hold installed modules, %s.\"<name>\"() without arguments, return wasm.module.",
						   PGWASM_MODULE_SCHEMA),
				 errhint("Install modules with wasm.install_module().")));
	pgwasm_check_module_name(name);

	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
	if (isnull)
		report_bad_carrier(name, "It has no body.");
	src = DatumGetTextPP(d);
	if (!parse_header(VARDATA_ANY(src), VARSIZE_ANY_EXHDR(src), &h, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("invalid body of wasm module \"%s\"", name),
				 errdetail_internal("%s", why)));
	if (check_body)
	{
		bytea	   *bytes;
		MemoryContext cxt;
		wrt_allocator alloc;
		wrt_module *m;
		wrt_error	err;
		wrt_load_options opts;

		if (h.size > pgwasm_max_module_size)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("wasm module \"%s\" is too large", name),
					 errdetail("The module has %d bytes; pgwasm.max_module_size is %d bytes.",
							   h.size, pgwasm_max_module_size)));
		bytes = carrier_decode(name, VARDATA_ANY(src), VARSIZE_ANY_EXHDR(src), &h, true);
		cxt = AllocSetContextCreate(CurrentMemoryContext, "pgwasm validate", ALLOCSET_DEFAULT_SIZES);
		pgwasm_allocator_init(&alloc, cxt);
		pgwasm_load_options(&opts);
		m = wrt_module_load_ex((const uint8_t *) VARDATA(bytes), VARSIZE(bytes) - VARHDRSZ, &alloc,
							   &opts, &err);
		if (m == NULL)
			pgwasm_report_load_error(name, &err);
		pgwasm_check_imports(m, name);
		wrt_module_free(m);
		MemoryContextDelete(cxt);
		pfree(bytes);
	}
}

/*
 * Calling a carrier returns the module's bytes, to its owner (or a member
 * of the owning role) and superusers; anyone else gets an error.  The
 * bytes are readable by everyone in pg_proc.prosrc all the same: this only
 * keeps the function from looking like a way to fetch other roles' code.
 */
Datum
pgwasm_carrier_call(Oid fnoid)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
	PgwasmModuleRow row;
	bytea	   *bytes;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fnoid);
	d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
	row_from_carrier(tup, d, isnull, &row, NULL);
	if (!superuser() && !has_privs_of_role(GetUserId(), row.owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of wasm module \"%s\" to read its bytes", row.name),
				 errhint("Use wasm.modules, wasm.module_exports() and wasm.module_imports() to see what it is.")));
	row_from_carrier(tup, d, isnull, &row, &bytes);
	ReleaseSysCache(tup);
	PG_RETURN_BYTEA_P(bytes);
}

/* ---- install ---------------------------------------------------------------- */

/*
 * Serialise install/replace/drop of one name: a lock on (schema wasm_module,
 * hash of the name), held to transaction end.  Taking it processes pending
 * invalidations, so the syscache then shows whatever a concurrent installer
 * committed.  On a Citus coordinator, queries calling the module hold the
 * same lock in SHARE mode (pgwasm_lock_module_shared, distributed.c).
 */
static void
lock_module_name(Oid nsp, const char *name)
{
	LockDatabaseObject(NamespaceRelationId, nsp,
					   (uint16) hash_bytes((const unsigned char *) name, strlen(name)),
					   ExclusiveLock);
}

void
pgwasm_lock_module_shared(const char *name)
{
	Oid			nsp = pgwasm_module_namespace(true);

	if (OidIsValid(nsp) && strlen(name) <= PGWASM_MAX_NAME)
		LockDatabaseObject(NamespaceRelationId, nsp,
						   (uint16) hash_bytes((const unsigned char *) name, strlen(name)),
						   ShareLock);
}

static void
check_module_owner(const char *name, Oid owner)
{
	if (!superuser() && !has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of wasm module \"%s\"", name)));
}

/*
 * Functions whose body names the module: their OIDs (and signatures, for
 * messages).  pg_proc is scanned since there is no dependency entry to
 * follow: a function names its module in its body, and a dump must be able
 * to create it before the module (check_function_bodies off).
 */
static List *
functions_using_module(const char *modname)
{
	Oid			lang = get_language_oid("wasm", true);
	Oid			nsp = pgwasm_module_namespace(true);
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
		/* Carriers have no 'module:export' body (and may be large). */
		if (proc->pronamespace == nsp && proc->pronargs == 0 &&
			pgwasm_proc_is_carrier(proc))
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
static uint8 *
compress_module(const char *data, size_t len, size_t *outlen)
{
	size_t		bound = ZSTD_compressBound(len);
	uint8	   *out = palloc(bound);
	ZSTD_CCtx  *cctx = ZSTD_createCCtx();
	size_t		n;

	if (cctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not compress wasm module: out of memory")));
	n = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(n))
		n = ZSTD_compress2(cctx, out, bound, data, len);
	ZSTD_freeCCtx(cctx);
	if (ZSTD_isError(n))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compress wasm module: %s", ZSTD_getErrorName(n))));
	*outlen = n;
	return out;
}

/*
 * Create or replace the carrier of a module.  On replace, ProcedureCreate
 * keeps the function's OID, owner and privileges (the owner stays:
 * replacing is not taking over), and itself refuses a caller who does not
 * own it; the caller checked that already, with a clearer message.
 *
 * No validator is run: the callers validated the module themselves.  A
 * module is never a member of an extension, even when installed from an
 * extension script (the 0.1.0 -> 0.2.0 update migrates modules from one):
 * pg_dump must dump it as the user's object it is.
 */
static Oid
create_carrier(Oid nsp, const char *name, bool replace, Oid owner, const char *body)
{
	Oid			lang = get_language_oid("wasm", false);
	Oid			modtype = pgwasm_module_type();
	ObjectAddress addr;

	if (!OidIsValid(modtype))
		pgwasm_module_namespace(false);	/* 0.1.0 objects: says so */
	addr = ProcedureCreate(name, nsp, replace, false, modtype, owner, lang, InvalidOid,
						   body, NULL, NULL, PROKIND_FUNCTION,
						   false,	/* security definer */
						   false,	/* leakproof */
						   true,	/* strict */
						   PROVOLATILE_STABLE, PROPARALLEL_SAFE,
						   buildoidvector(NULL, 0),
						   PointerGetDatum(NULL), PointerGetDatum(NULL),
						   PointerGetDatum(NULL), NIL, PointerGetDatum(NULL),
						   PointerGetDatum(NULL), InvalidOid, 1, 0);
	/* Later lookups in this transaction see it (and the next step its deps). */
	CommandCounterIncrement();
	if (creating_extension)
	{
		deleteDependencyRecordsForClass(ProcedureRelationId, addr.objectId,
										ExtensionRelationId, DEPENDENCY_EXTENSION);
		CommandCounterIncrement();
	}
	return addr.objectId;
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
	uint8	   *frame;
	size_t		framelen;
	Oid			nsp;
	HeapTuple	oldtup;
	bool		exists = false;
	bool		citus = pgwasm_citus_enabled();

	pgwasm_check_module_name(name);
	if (citus)
		pgwasm_citus_require_coordinator("install");
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
	frame = compress_module(VARDATA_ANY(module), len, &framelen);

	nsp = pgwasm_module_namespace(false);
	lock_module_name(nsp, name);
	oldtup = carrier_tuple(nsp, name);
	if (HeapTupleIsValid(oldtup))
	{
		Form_pg_proc old = (Form_pg_proc) GETSTRUCT(oldtup);

		if (!replace)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("wasm module \"%s\" already exists", name),
					 errhint("Use wasm.install_module(name, module, replace => true) to replace it.")));
		if (!pgwasm_proc_is_carrier(old))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_FUNCTION),
					 errmsg("function %s already exists and is not a wasm module",
							format_procedure(old->oid))));
		check_module_owner(name, old->proowner);
		exists = true;
		ReleaseSysCache(oldtup);
		{
			PgwasmModuleRow row;

			if (pgwasm_catalog_lookup(name, &row, NULL))
				pgwasm_code_cache_forget(row.sha256);
		}
	}
	{
		char	   *body = carrier_body(sha, (int32) len, frame, framelen,
										GetCurrentTransactionStartTimestamp());

		if (citus)
			pgwasm_citus_create_carrier(name, exists, GetUserId(), body);
		else
			create_carrier(nsp, name, exists, GetUserId(), body);
	}

	warn_unfit_functions(name, m);
	wrt_module_free(m);
	MemoryContextDelete(cxt);

	PG_RETURN_TEXT_P(cstring_to_text(sha256_hex(sha)));
}

/*
 * wasm.pgwasm_migrate_module(name, owner, sha256, size, compressed, created):
 * used once, by the 0.1.0 -> 0.2.0 update script, to turn each row of
 * wasm.module_store into a carrier.  The stored frame is kept as it is (with
 * or without a checksum), and so are the owner, SHA-256 and creation time.
 * A row whose owner role was dropped (0.1.0 did not record the dependency)
 * goes to the role running the update, with a WARNING.
 */
Datum
pgwasm_migrate_module(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			owner = PG_GETARG_OID(1);
	bytea	   *sha = PG_GETARG_BYTEA_PP(2);
	int32		size = PG_GETARG_INT32(3);
	bytea	   *frame = PG_GETARG_BYTEA_PP(4);
	TimestampTz created = PG_GETARG_TIMESTAMPTZ(5);
	Oid			nsp;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser to migrate wasm modules")));
	pgwasm_check_module_name(name);
	if (VARSIZE_ANY_EXHDR(sha) != PGWASM_SHA256_LEN || size < 0 ||
		VARSIZE_ANY_EXHDR(frame) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("wasm module \"%s\" is corrupt in wasm.module_store", name)));
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)))
	{
		ereport(WARNING,
				(errmsg("owner of wasm module \"%s\" no longer exists", name),
				 errdetail("The module belonged to the role with OID %u; it now belongs to role \"%s\".",
						   owner, GetUserNameFromId(GetUserId(), false))));
		owner = GetUserId();
	}
	nsp = pgwasm_module_namespace(false);
	lock_module_name(nsp, name);
	create_carrier(nsp, name, false, owner,
				   carrier_body((const uint8 *) VARDATA_ANY(sha), size,
								(const uint8 *) VARDATA_ANY(frame), VARSIZE_ANY_EXHDR(frame),
								created));
	PG_RETURN_VOID();
}

/* ---- drop ------------------------------------------------------------------- */

Datum
pgwasm_drop_module(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		cascade = PG_GETARG_BOOL(1);
	Oid			nsp = pgwasm_module_namespace(false);
	HeapTuple	tup;
	Form_pg_proc proc;
	ObjectAddress carrier;
	Oid			owner;
	List	   *funcs;
	ListCell   *lc;
	ObjectAddresses *addrs;
	bool		citus = pgwasm_citus_enabled();

	if (citus)
		pgwasm_citus_require_coordinator("drop");
	if (strlen(name) <= PGWASM_MAX_NAME)
		lock_module_name(nsp, name);
	tup = carrier_tuple(nsp, name);
	if (!HeapTupleIsValid(tup) || !pgwasm_proc_is_carrier((Form_pg_proc) GETSTRUCT(tup)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("wasm module \"%s\" does not exist", name)));
	proc = (Form_pg_proc) GETSTRUCT(tup);
	ObjectAddressSet(carrier, ProcedureRelationId, proc->oid);
	owner = proc->proowner;
	ReleaseSysCache(tup);
	check_module_owner(name, owner);

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

	/*
	 * The functions go with the carrier, in one deletion, and anything built
	 * on them (views, indexes, ...) with them, as DROP FUNCTION ... CASCADE
	 * would do.
	 */
	addrs = new_object_addresses();
	foreach(lc, funcs)
	{
		ObjectAddress addr;

		ObjectAddressSet(addr, ProcedureRelationId, lfirst_oid(lc));
		ereport(NOTICE,
				(errmsg("drop cascades to function %s", format_procedure(lfirst_oid(lc)))));
		add_exact_object_address(&addr, addrs);
	}
	add_exact_object_address(&carrier, addrs);
	{
		PgwasmModuleRow row;

		if (pgwasm_catalog_lookup(name, &row, NULL))
			pgwasm_code_cache_forget(row.sha256);
	}
	if (citus)
	{
		pgwasm_citus_drop_functions(lappend_oid(funcs, carrier.objectId), funcs != NIL);
		PG_RETURN_VOID();
	}
	performMultipleDeletions(addrs, funcs != NIL ? DROP_CASCADE : DROP_RESTRICT, 0);
	CommandCounterIncrement();
	PG_RETURN_VOID();
}

/*
 * The statement trigger of 0.1.0's wasm.module_store.  A database whose
 * extension is still at 0.1.0 has the trigger until ALTER EXTENSION UPDATE
 * drops it with the table, so the symbol stays; the new library never reads
 * the table, so the invalidation it sends only keeps 0.1.0's promise.
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

/*
 * A row of wasm.stats().  The native tier's columns (0.4.0) come last: a
 * 0.3.0 declaration of the function, before ALTER EXTENSION UPDATE, reads
 * only the first six values.
 */
static void
stats_row(PgwasmStats *st, int64 memory_bytes, const wrt_tier_stats *tier, void *arg)
{
	StatsWalk  *walk = (StatsWalk *) arg;
	Datum		values[10];
	bool		nulls[10] = {0};

	values[0] = CStringGetTextDatum(st->name);
	values[1] = Float8GetDatum(st->compile_ms);
	values[2] = Int64GetDatum(st->instantiations);
	values[3] = Int64GetDatum(st->calls);
	values[4] = Int64GetDatum(st->traps);
	values[5] = Int64GetDatum(memory_bytes);
	values[6] = Int64GetDatum((int64) tier->compiled);
	values[7] = Int64GetDatum((int64) tier->refused);
	values[8] = Int64GetDatum((int64) tier->failed);
	values[9] = Float8GetDatum((double) tier->compile_ns / 1e6);
	Assert(walk->rsinfo->setDesc->natts <= lengthof(values));
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
