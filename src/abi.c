/*
 * abi.c — guest ABI v1: which SQL types a wasm function may take and return,
 * the Wasm signature they map to, and the conversion of values both ways.
 *
 *   int2, int4, bool           i32
 *   int8                       i64
 *   float4 / float8            f32 / f64
 *   date                       i32 days since 1970-01-01
 *   timestamp, timestamptz     i64 microseconds since 1970-01-01 UTC
 *   text, varchar, bpchar,     (i32 ptr, i32 len) of UTF-8 / raw bytes;
 *   json, jsonb, bytea         result: i64 len << 32 | ptr, or i32 pointer
 *                              to an 8-byte {ptr, len} return area
 *   int4[], int8[], float4[],  (i32 ptr, i32 count), packed little-endian,
 *   float8[]                   one dimension, no NULLs; results likewise
 *
 * PostgreSQL counts dates and timestamps from 2000-01-01; guests get the
 * Unix epoch every language's libraries expect.  Infinities keep their
 * sentinel values (INT32_MIN/MAX, INT64_MIN/MAX) on both sides.  Domains
 * cross as their base type; domain constraints on results are checked by the
 * call handler.  Results are validated before they become datums: text is
 * checked as UTF-8 (22021), json/jsonb are parsed (22P02), dates and
 * timestamps range-checked (22008), int2 range-checked (22003).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pgwasm.h"

/* Days and microseconds from 1970-01-01 to 2000-01-01. */
#define EPOCH_DAYS ((int32) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE))
#define EPOCH_USECS ((int64) EPOCH_DAYS * USECS_PER_DAY)

static bool
type_kind(Oid typid, PgwasmKind *kind)
{
	switch (typid)
	{
		case BOOLOID:
			*kind = PGWASM_BOOL;
			break;
		case INT2OID:
			*kind = PGWASM_INT2;
			break;
		case INT4OID:
			*kind = PGWASM_INT4;
			break;
		case INT8OID:
			*kind = PGWASM_INT8;
			break;
		case FLOAT4OID:
			*kind = PGWASM_FLOAT4;
			break;
		case FLOAT8OID:
			*kind = PGWASM_FLOAT8;
			break;
		case DATEOID:
			*kind = PGWASM_DATE;
			break;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			*kind = PGWASM_TIMESTAMP;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			*kind = PGWASM_TEXT;
			break;
		case JSONOID:
			*kind = PGWASM_JSON;
			break;
		case JSONBOID:
			*kind = PGWASM_JSONB;
			break;
		case BYTEAOID:
			*kind = PGWASM_BYTEA;
			break;
		case INT4ARRAYOID:
			*kind = PGWASM_INT4_ARRAY;
			break;
		case INT8ARRAYOID:
			*kind = PGWASM_INT8_ARRAY;
			break;
		case FLOAT4ARRAYOID:
			*kind = PGWASM_FLOAT4_ARRAY;
			break;
		case FLOAT8ARRAYOID:
			*kind = PGWASM_FLOAT8_ARRAY;
			break;
		default:
			return false;
	}
	return true;
}

/* Wasm type of a scalar kind. */
static uint8
scalar_valtype(PgwasmKind kind)
{
	switch (kind)
	{
		case PGWASM_INT8:
		case PGWASM_TIMESTAMP:
			return WRT_I64;
		case PGWASM_FLOAT4:
			return WRT_F32;
		case PGWASM_FLOAT8:
			return WRT_F64;
		default:
			return WRT_I32;
	}
}

uint32
pgwasm_kind_elem_size(PgwasmKind kind)
{
	switch (kind)
	{
		case PGWASM_INT4_ARRAY:
		case PGWASM_FLOAT4_ARRAY:
			return 4;
		case PGWASM_INT8_ARRAY:
		case PGWASM_FLOAT8_ARRAY:
			return 8;
		default:
			return 1;
	}
}

static void
unsupported_type(Oid typid, bool result)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 result ? errmsg("wasm functions cannot return type %s", format_type_be(typid))
			 : errmsg("wasm functions cannot accept type %s", format_type_be(typid)),
			 errhint("Guest ABI v1 supports bool, int2, int4, int8, float4, float8, date, timestamp, timestamptz, text, varchar, bpchar, json, jsonb, bytea, int4[], int8[], float4[] and float8[].")));
}

void
pgwasm_sig_build(HeapTuple proctup, PgwasmSig *sig, MemoryContext cxt)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(proctup);
	bool		isnull;
	int			nargs = proc->pronargs;
	Oid			rettype = proc->prorettype;
	Oid			base;
	uint32		np = 0;

	/* OUT/INOUT parameters would make a composite result: not in ABI v1. */
	(void) SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_proallargtypes, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot have OUT parameters")));
	if (proc->proretset)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot return sets")));

	sig->nargs = nargs;
	sig->argkinds = MemoryContextAlloc(cxt, sizeof(PgwasmKind) * Max(nargs, 1));
	sig->argtypes = MemoryContextAlloc(cxt, sizeof(Oid) * Max(nargs, 1));
	sig->params = MemoryContextAlloc(cxt, 2 * Max(nargs, 1));
	sig->buffer_args = false;
	for (int i = 0; i < nargs; i++)
	{
		Oid			t = proc->proargtypes.values[i];

		sig->argtypes[i] = t;
		if (!type_kind(getBaseType(t), &sig->argkinds[i]))
			unsupported_type(t, false);
		if (PGWASM_KIND_IS_BUFFER(sig->argkinds[i]))
		{
			sig->buffer_args = true;
			sig->params[np++] = WRT_I32;
			sig->params[np++] = WRT_I32;
		}
		else
			sig->params[np++] = scalar_valtype(sig->argkinds[i]);
	}
	sig->nparams = np;

	sig->rettype = rettype;
	if (rettype == VOIDOID)
	{
		sig->retkind = PGWASM_VOID;
		sig->ret_domain = false;
	}
	else
	{
		base = getBaseType(rettype);
		sig->ret_domain = (base != rettype);
		if (!type_kind(base, &sig->retkind))
			unsupported_type(rettype, true);
	}
}

/* "(integer, text) -> bigint" */
static char *
format_sql_signature(const PgwasmSig *sig)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < sig->nargs; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", format_type_be(sig->argtypes[i]));
	appendStringInfo(&buf, ") -> %s", format_type_be(sig->rettype));
	return buf.data;
}

/* The Wasm type the SQL signature needs, for messages. */
static char *
format_expected(const PgwasmSig *sig)
{
	wrt_functype ft;
	uint8		res;
	char	   *s;

	ft.nparams = sig->nparams;
	ft.params = sig->params;
	ft.nresults = sig->retkind == PGWASM_VOID ? 0 : 1;
	res = PGWASM_KIND_IS_BUFFER(sig->retkind) ? WRT_I64 : scalar_valtype(sig->retkind);
	ft.results = &res;
	s = pgwasm_format_functype(&ft);
	if (PGWASM_KIND_IS_BUFFER(sig->retkind))
		s = psprintf("%s (or i32, a pointer to a {ptr, len} pair)", s);
	return s;
}

static bool
export_is_func(const wrt_module *module, const char *name, const uint8 *params, uint32 np,
			   uint8 result)
{
	wrt_externtype t;

	if (!wrt_module_find_export(module, name, strlen(name), &t) || t.kind != WRT_EXTERN_FUNC)
		return false;
	if (t.func.nparams != np || t.func.nresults != 1 || t.func.results[0] != result)
		return false;
	return memcmp(t.func.params, params, np) == 0;
}

bool
pgwasm_sig_mismatch(const PgwasmSig *sig, const wrt_module *module, const char *modname,
					const char *export, const char *fdesc, PgwasmMismatch *why)
{
	wrt_externtype t;
	bool		ok;

	why->form = PGWASM_RET_SCALAR;
	why->detail = NULL;
	why->hint = NULL;
	if (!wrt_module_find_export(module, export, strlen(export), &t))
	{
		why->message = psprintf("wasm module \"%s\" has no export named \"%s\"", modname, export);
		why->reason = psprintf("The module has no export named \"%s\".", export);
		why->hint = psprintf("wasm.module_exports('%s') lists what the module exports.", modname);
		return true;
	}
	if (t.kind != WRT_EXTERN_FUNC)
	{
		why->message = psprintf("export \"%s\" of wasm module \"%s\" is a %s, not a function",
								export, modname, pgwasm_externkind_name(t.kind));
		why->reason = psprintf("Export \"%s\" is a %s, not a function.",
							   export, pgwasm_externkind_name(t.kind));
		return true;
	}

	ok = t.func.nparams == sig->nparams &&
		memcmp(t.func.params, sig->params, sig->nparams) == 0;
	if (ok)
	{
		if (sig->retkind == PGWASM_VOID)
		{
			ok = t.func.nresults == 0;
			why->form = PGWASM_RET_NONE;
		}
		else if (t.func.nresults != 1)
			ok = false;
		else if (PGWASM_KIND_IS_BUFFER(sig->retkind))
		{
			if (t.func.results[0] == WRT_I64)
				why->form = PGWASM_RET_PACKED;
			else if (t.func.results[0] == WRT_I32)
				why->form = PGWASM_RET_AREA;
			else
				ok = false;
		}
		else
			ok = t.func.results[0] == scalar_valtype(sig->retkind);
	}
	if (!ok)
	{
		why->message = psprintf("function %s does not match export \"%s\" of wasm module \"%s\"",
								fdesc, export, modname);
		why->detail = psprintf("SQL signature %s needs the Wasm type %s; the export has type %s.",
							   format_sql_signature(sig), format_expected(sig),
							   pgwasm_format_functype(&t.func));
		why->reason = why->detail;
		return true;
	}

	if (sig->buffer_args)
	{
		static const uint8 realloc_params[] = {WRT_I32, WRT_I32, WRT_I32, WRT_I32};
		static const uint8 malloc_params[] = {WRT_I32};

		if (!export_is_func(module, "cabi_realloc", realloc_params, 4, WRT_I32) &&
			!export_is_func(module, "malloc", malloc_params, 1, WRT_I32))
		{
			why->message = psprintf("wasm module \"%s\" exports no allocator, which function %s needs",
									modname, fdesc);
			why->detail = pstrdup("Text, bytea, json and array arguments are copied into guest memory.");
			why->hint = pstrdup("Export cabi_realloc(i32, i32, i32, i32) -> i32 or malloc(i32) -> i32.");
			why->reason = pstrdup("The module exports no allocator (cabi_realloc or malloc) for the function's arguments.");
			return true;
		}
	}
	return false;
}

PgwasmRetForm
pgwasm_sig_check_export(const PgwasmSig *sig, const wrt_module *module, const char *modname,
						const char *export, const char *fdesc)
{
	PgwasmMismatch why;

	if (pgwasm_sig_mismatch(sig, module, modname, export, fdesc, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg_internal("%s", why.message),
				 why.detail ? errdetail_internal("%s", why.detail) : 0,
				 why.hint ? errhint("%s", why.hint) : 0));
	return why.form;
}

/* ---- scalars ----------------------------------------------------------------- */

wrt_value
pgwasm_scalar_to_wasm(PgwasmKind kind, Datum d)
{
	wrt_value	v;

	v.bits = 0;
	switch (kind)
	{
		case PGWASM_BOOL:
			v.i32 = DatumGetBool(d) ? 1 : 0;
			break;
		case PGWASM_INT2:
			v.i32 = DatumGetInt16(d);
			break;
		case PGWASM_INT4:
			v.i32 = DatumGetInt32(d);
			break;
		case PGWASM_INT8:
			v.i64 = DatumGetInt64(d);
			break;
		case PGWASM_FLOAT4:
			v.f32 = DatumGetFloat4(d);
			break;
		case PGWASM_FLOAT8:
			v.f64 = DatumGetFloat8(d);
			break;
		case PGWASM_DATE:
			{
				DateADT		dt = DatumGetDateADT(d);

				/* Finite dates are far from INT32_MAX: no overflow. */
				v.i32 = DATE_NOT_FINITE(dt) ? dt : dt + EPOCH_DAYS;
				break;
			}
		case PGWASM_TIMESTAMP:
			{
				Timestamp	ts = DatumGetTimestamp(d);

				if (TIMESTAMP_NOT_FINITE(ts))
					v.i64 = ts;
				else if (pg_add_s64_overflow(ts, EPOCH_USECS, &v.i64))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range for a wasm function"),
							 errdetail("Microseconds since 1970 must fit in 64 bits.")));
				break;
			}
		default:
			elog(ERROR, "pgwasm: kind %d is not a scalar", (int) kind);
	}
	return v;
}

Datum
pgwasm_scalar_from_wasm(PgwasmKind kind, wrt_value v)
{
	switch (kind)
	{
		case PGWASM_BOOL:
			return BoolGetDatum(v.i32 != 0);
		case PGWASM_INT2:
			if (v.i32 < PG_INT16_MIN || v.i32 > PG_INT16_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("smallint out of range"),
						 errdetail("The wasm function returned %d.", v.i32)));
			return Int16GetDatum((int16) v.i32);
		case PGWASM_INT4:
			return Int32GetDatum(v.i32);
		case PGWASM_INT8:
			return Int64GetDatum(v.i64);
		case PGWASM_FLOAT4:
			return Float4GetDatum(v.f32);
		case PGWASM_FLOAT8:
			return Float8GetDatum(v.f64);
		case PGWASM_DATE:
			{
				int64		d;

				if (v.i32 == DATEVAL_NOBEGIN || v.i32 == DATEVAL_NOEND)
					return DateADTGetDatum(v.i32);
				d = (int64) v.i32 - EPOCH_DAYS;
				if (!IS_VALID_DATE(d))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range"),
							 errdetail("The wasm function returned %d days since 1970-01-01.", v.i32)));
				return DateADTGetDatum((DateADT) d);
			}
		case PGWASM_TIMESTAMP:
			{
				int64		ts;

				if (v.i64 == DT_NOBEGIN || v.i64 == DT_NOEND)
					return TimestampGetDatum(v.i64);
				if (pg_sub_s64_overflow(v.i64, EPOCH_USECS, &ts) || !IS_VALID_TIMESTAMP(ts))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range"),
							 errdetail("The wasm function returned " INT64_FORMAT " microseconds since 1970-01-01.",
									   v.i64)));
				return TimestampGetDatum(ts);
			}
		default:
			elog(ERROR, "pgwasm: kind %d is not a scalar", (int) kind);
	}
	return (Datum) 0;
}

/* ---- buffers ------------------------------------------------------------------ */

/* Server encoding to UTF-8; SQL_ASCII bytes pass as they are. */
static const char *
to_utf8(const char *s, uint32 *len)
{
	int			enc = GetDatabaseEncoding();
	char	   *conv;

	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
		return s;
	conv = pg_server_to_any(s, (int) *len, PG_UTF8);
	if (conv != s)
		*len = strlen(conv);
	return conv;
}

void
pgwasm_buffer_arg(PgwasmKind kind, Datum d, const char **data, uint32 *nbytes,
				  uint32 *count, uint32 *align)
{
	switch (kind)
	{
		case PGWASM_TEXT:
		case PGWASM_JSON:
			{
				text	   *t = DatumGetTextPP(d);

				*nbytes = VARSIZE_ANY_EXHDR(t);
				*data = to_utf8(VARDATA_ANY(t), nbytes);
				*count = *nbytes;
				*align = 1;
				return;
			}
		case PGWASM_JSONB:
			{
				Jsonb	   *jb = DatumGetJsonbP(d);
				char	   *s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

				*nbytes = strlen(s);
				*data = to_utf8(s, nbytes);
				*count = *nbytes;
				*align = 1;
				return;
			}
		case PGWASM_BYTEA:
			{
				bytea	   *b = DatumGetByteaPP(d);

				*nbytes = VARSIZE_ANY_EXHDR(b);
				*data = VARDATA_ANY(b);
				*count = *nbytes;
				*align = 1;
				return;
			}
		case PGWASM_INT4_ARRAY:
		case PGWASM_INT8_ARRAY:
		case PGWASM_FLOAT4_ARRAY:
		case PGWASM_FLOAT8_ARRAY:
			{
				ArrayType  *a = DatumGetArrayTypeP(d);
				uint32		elsize = (kind == PGWASM_INT4_ARRAY || kind == PGWASM_FLOAT4_ARRAY) ? 4 : 8;
				int			n;

				if (ARR_NDIM(a) > 1)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("wasm functions accept only one-dimensional arrays"),
							 errdetail("The array has %d dimensions.", ARR_NDIM(a))));
				/* Only an array with a null bitmap can have NULLs. */
				if (ARR_HASNULL(a) && array_contains_nulls(a))
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("array passed to a wasm function must not contain nulls")));
				/* One dimension (or none: empty); a valid array's size is sane. */
				n = ARR_NDIM(a) == 1 ? ARR_DIMS(a)[0] : 0;
				if (n < 0 || (uint64) n * elsize > MaxAllocSize)
					elog(ERROR, "invalid array size %d", n);
				*count = (uint32) n;
				*nbytes = (uint32) n * elsize;
				*align = elsize;
#ifdef WORDS_BIGENDIAN
				{
					/* Guests are little-endian: swap each element. */
					char	   *out = palloc(*nbytes);
					const char *in = ARR_DATA_PTR(a);

					for (uint32 i = 0; i < *nbytes; i += elsize)
						for (uint32 j = 0; j < elsize; j++)
							out[i + j] = in[i + elsize - 1 - j];
					*data = out;
				}
#else
				*data = ARR_DATA_PTR(a);
#endif
				return;
			}
		default:
			elog(ERROR, "pgwasm: kind %d is not a buffer", (int) kind);
	}
}

static Oid
array_elemtype(PgwasmKind kind)
{
	switch (kind)
	{
		case PGWASM_INT4_ARRAY:
			return INT4OID;
		case PGWASM_INT8_ARRAY:
			return INT8OID;
		case PGWASM_FLOAT4_ARRAY:
			return FLOAT4OID;
		default:
			return FLOAT8OID;
	}
}

/*
 * Are the bytes ASCII without NUL (so valid UTF-8 without checking further)?
 * Eight at a time: a byte with its high bit set, or a zero byte, in any of
 * them sends the value to pg_verify_mbstr.
 */
static inline bool
plain_ascii(const uint8 *s, uint32 len)
{
	const uint64 ones = UINT64CONST(0x0101010101010101);
	const uint64 highs = UINT64CONST(0x8080808080808080);
	uint64		acc = 0;
	uint64		w;
	uint32		i = 0;

	if (len < 8)
	{
		for (; i < len; i++)
		{
			if (s[i] == 0 || s[i] >= 0x80)
				return false;
		}
		return true;
	}
	for (; i + 8 <= len; i += 8)
	{
		memcpy(&w, s + i, 8);
		acc |= w | ((w - ones) & ~w);
	}
	if (i < len)
	{
		/* The last eight bytes, overlapping ones already seen. */
		memcpy(&w, s + len - 8, 8);
		acc |= w | ((w - ones) & ~w);
	}
	return (acc & highs) == 0;
}

/*
 * UTF-8 guest text as a server-encoding C string (palloc'd, NUL-terminated);
 * invalid UTF-8 (including NUL bytes) is an ERROR, 22021.
 */
static char *
text_from_guest(const uint8 *data, uint32 len, uint32 *outlen)
{
	char	   *s;

	(void) pg_verify_mbstr(PG_UTF8, (const char *) data, (int) len, false);
	s = pg_any_to_server((const char *) data, (int) len, PG_UTF8);
	if (s == (const char *) data)
	{
		s = palloc(len + 1);
		memcpy(s, data, len);
		s[len] = '\0';
		*outlen = len;
	}
	else
		*outlen = strlen(s);
	return s;
}

Datum
pgwasm_buffer_result(PgwasmKind kind, const uint8 *data, uint32 count)
{
	switch (kind)
	{
		case PGWASM_TEXT:
			{
				int			enc = GetDatabaseEncoding();
				uint32		n;
				char	   *s;

				/* Common case: one check, one copy straight into the datum. */
				if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
				{
					text	   *t;

					if (!plain_ascii(data, count))
						(void) pg_verify_mbstr(PG_UTF8, (const char *) data, (int) count, false);
					t = (text *) palloc(VARHDRSZ + count);
					SET_VARSIZE(t, VARHDRSZ + count);
					memcpy(VARDATA(t), data, count);
					return PointerGetDatum(t);
				}
				s = text_from_guest(data, count, &n);
				return PointerGetDatum(cstring_to_text_with_len(s, n));
			}
		case PGWASM_JSON:
			{
				uint32		n;
				char	   *s = text_from_guest(data, count, &n);

				return DirectFunctionCall1(json_in, CStringGetDatum(s));
			}
		case PGWASM_JSONB:
			{
				uint32		n;
				char	   *s = text_from_guest(data, count, &n);

				return DirectFunctionCall1(jsonb_in, CStringGetDatum(s));
			}
		case PGWASM_BYTEA:
			{
				bytea	   *b = palloc(VARHDRSZ + count);

				SET_VARSIZE(b, VARHDRSZ + count);
				memcpy(VARDATA(b), data, count);
				return PointerGetDatum(b);
			}
		case PGWASM_INT4_ARRAY:
		case PGWASM_INT8_ARRAY:
		case PGWASM_FLOAT4_ARRAY:
		case PGWASM_FLOAT8_ARRAY:
			{
				Oid			elemtype = array_elemtype(kind);
				uint32		elsize = pgwasm_kind_elem_size(kind);
				Size		nbytes = (Size) count * elsize;
				Size		total;
				ArrayType  *a;

				if (count == 0)
					return PointerGetDatum(construct_empty_array(elemtype));
				total = ARR_OVERHEAD_NONULLS(1) + nbytes;
				if (count > MaxArraySize || !AllocSizeIsValid(total))
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("array returned by a wasm function is too large"),
							 errdetail("It has %u elements.", count)));
				/* Built in place: a one-dimensional array without a null bitmap. */
				a = (ArrayType *) palloc0(total);
				SET_VARSIZE(a, total);
				a->ndim = 1;
				a->dataoffset = 0;
				a->elemtype = elemtype;
				ARR_DIMS(a)[0] = (int) count;
				ARR_LBOUND(a)[0] = 1;
#ifdef WORDS_BIGENDIAN
				for (Size i = 0; i < nbytes; i += elsize)
					for (uint32 j = 0; j < elsize; j++)
						ARR_DATA_PTR(a)[i + j] = data[i + elsize - 1 - j];
#else
				memcpy(ARR_DATA_PTR(a), data, nbytes);
#endif
				return PointerGetDatum(a);
			}
		default:
			elog(ERROR, "pgwasm: kind %d is not a buffer", (int) kind);
	}
	return (Datum) 0;
}
