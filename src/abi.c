/*
 * abi.c — the guest ABI: which SQL types a wasm function may take and
 * return, the Wasm signature they map to, and the conversion of values both
 * ways.
 *
 * All type knowledge is in one table, types[] below: a row per SQL type with
 * its layout in the WebAssembly component model's canonical ABI (size and
 * alignment in linear memory, the flat Wasm values it is passed as) and its
 * two converters, datum -> guest and guest -> datum.  A new type is one row
 * plus its converters.  A type without a row (after stripping domains) is
 * refused when the function is created, by pgwasm_sig_build: there is no
 * switch that falls back to a default.
 *
 * Two kinds of rows:
 *
 *   scalar   one flat value and no pointer (bool, integers, floats, date,
 *            time, timestamps).  Converted by value: Datum <-> wrt_value.
 *            In memory (an array element) the value takes `size` bytes,
 *            little-endian, sign-extended when loaded if `sign`.
 *   memory   everything else (strings, lists, records such as interval).
 *            Converted through their canonical memory representation:
 *            lower writes it into a host-side image of the guest buffer the
 *            argument will get (PgwasmLower: bytes plus the positions of the
 *            pointers in them, relocated once the guest allocator said where
 *            the buffer goes); lift reads it from guest memory, following
 *            and bounds-checking every pointer (PgwasmLift), and records the
 *            buffers the guest handed over so the caller can free them.
 *
 * Composite types, OUT parameters and arrays of anything supported get
 * nodes built per signature (record_node, array_node) from the rows, in the
 * same shape.  ABI v2 (a module exporting pgwasm_abi_v2) makes functions
 * declared without STRICT null-aware: every value an option<T> (a
 * discriminant, then T at its alignment), records' fields and array
 * elements too; and beyond 16 flat parameters the arguments go as one
 * pointer to their tuple in memory.  Triggers get their call the same way.
 *
 * Flattening follows the canonical ABI: a string or list is (i32 ptr, i32
 * len), a record its fields' flat values in declaration order.  A result of
 * more than one flat value comes back as an i32 pointer to a return area
 * holding its memory representation; a (ptr, len) result may also come back
 * packed in one i64 (len << 32 | ptr), the form ABI v1 started with.
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
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "funcapi.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "pgwasm.h"

/* Days and microseconds from 1970-01-01 to 2000-01-01. */
#define EPOCH_DAYS ((int32) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE))
#define EPOCH_USECS ((int64) EPOCH_DAYS * USECS_PER_DAY)

/* ---- little-endian access and flat values -------------------------------------- */

static inline uint32
get_u32le(const uint8 *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) | ((uint32) p[3] << 24);
}

static inline void
put_u32le(uint8 *p, uint32 v)
{
	p[0] = (uint8) v;
	p[1] = (uint8) (v >> 8);
	p[2] = (uint8) (v >> 16);
	p[3] = (uint8) (v >> 24);
}

wrt_value
pgwasm_flat_load(const PgwasmFlat *f, const uint8 *rep)
{
	uint64		bits = 0;
	wrt_value	v;

	for (int i = f->width - 1; i >= 0; i--)
		bits = (bits << 8) | rep[f->offset + i];
	if (f->sign && f->width < 8 && (bits >> (f->width * 8 - 1)) & 1)
		bits |= ~UINT64CONST(0) << (f->width * 8);
	v.bits = 0;
	switch (f->valtype)
	{
		case WRT_I32:
			v.i32 = (int32) (uint32) bits;
			break;
		case WRT_F32:
			{
				uint32		b = (uint32) bits;

				memcpy(&v.f32, &b, 4);
				break;
			}
		case WRT_F64:
			memcpy(&v.f64, &bits, 8);
			break;
		default:
			v.i64 = (int64) bits;
			break;
	}
	return v;
}

void
pgwasm_flat_store(const PgwasmFlat *f, wrt_value v, uint8 *rep)
{
	uint64		bits;

	switch (f->valtype)
	{
		case WRT_I32:
			bits = (uint32) v.i32;
			break;
		case WRT_F32:
			{
				uint32		b;

				memcpy(&b, &v.f32, 4);
				bits = b;
				break;
			}
		case WRT_F64:
			memcpy(&bits, &v.f64, 8);
			break;
		default:
			bits = (uint64) v.i64;
			break;
	}
	for (int i = 0; i < f->width; i++)
		rep[f->offset + i] = (uint8) (bits >> (8 * i));
}

/* ---- building an argument's guest buffer (PgwasmLower) ------------------------- */

void
pgwasm_lower_init(PgwasmLower *lw, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	initStringInfo(&lw->buf);
	lw->maxrelocs = 8;
	lw->relocs = palloc(sizeof(uint32) * lw->maxrelocs);
	MemoryContextSwitchTo(old);
	lw->cxt = cxt;
	lw->nullable = false;
	pgwasm_lower_reset(lw, 8);
}

/*
 * Empty the image: the top-level representation (top bytes) comes first,
 * read by the caller and never copied into the guest; the payload starts
 * after it, on an 8-byte boundary so offsets keep every alignment.
 */
void
pgwasm_lower_reset(PgwasmLower *lw, uint32 top)
{
	top = TYPEALIGN(8, Max(top, 8));
	resetStringInfo(&lw->buf);
	enlargeStringInfo(&lw->buf, (int) top);
	memset(lw->buf.data, 0, top);
	lw->buf.len = (int) top;
	lw->top = top;
	lw->nrelocs = 0;
	lw->align = 1;
}

void
pgwasm_option_layout(const PgwasmType *t, uint32 *size, uint32 *align, uint32 *payload)
{
	uint32		a = Max(t->align, 1);

	*payload = a;				/* the u8 discriminant, padded to T's alignment */
	*align = a;
	*size = TYPEALIGN(a, *payload + t->size);
}

/* Room for size bytes at the given alignment, zeroed; returns its offset. */
static uint32
lower_reserve(PgwasmLower *lw, uint64 size, uint32 align)
{
	uint32		pad = (align - (lw->buf.len % align)) % align;
	uint32		off;

	/* Offsets become guest pointers: the image must fit in 32 bits. */
	if ((uint64) lw->buf.len + pad + size > MaxAllocSize - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("argument of a wasm function is too large"),
				 errdetail("Its image in guest memory would exceed %zu bytes.", (size_t) MaxAllocSize)));
	enlargeStringInfo(&lw->buf, (int) (pad + size));
	off = lw->buf.len + pad;
	memset(lw->buf.data + lw->buf.len, 0, pad + size);
	lw->buf.len += pad + size;
	if (align > lw->align)
		lw->align = align;
	return off;
}

uint32
pgwasm_lower_reserve(PgwasmLower *lw, uint32 size, uint32 align)
{
	return lower_reserve(lw, size, align);
}

/* Store a pointer (an offset in the image, relocated later) at rep + at. */
static void
lower_put_ptr(PgwasmLower *lw, uint32 at, uint32 target)
{
	if (lw->nrelocs == lw->maxrelocs)
	{
		lw->maxrelocs *= 2;
		lw->relocs = repalloc(lw->relocs, sizeof(uint32) * lw->maxrelocs);
	}
	lw->relocs[lw->nrelocs++] = at;
	put_u32le((uint8 *) lw->buf.data + at, target);
}

/* Append bytes as a (ptr, len) pair at rep. */
static void
lower_bytes(PgwasmLower *lw, uint32 rep, const char *data, uint32 len, uint32 align)
{
	uint32		off = lower_reserve(lw, len, align);

	if (len > 0)
		memcpy(lw->buf.data + off, data, len);
	lower_put_ptr(lw, rep, off);
	put_u32le((uint8 *) lw->buf.data + rep + 4, len);
}

void
pgwasm_lower_relocate(PgwasmLower *lw, uint32 base)
{
	/* Payload offset top lands at base. */
	uint32		delta = base - lw->top;

	for (int i = 0; i < lw->nrelocs; i++)
	{
		uint8	   *p = (uint8 *) lw->buf.data + lw->relocs[i];

		put_u32le(p, get_u32le(p) + delta);
	}
}

/* ---- reading results from guest memory (PgwasmLift) ----------------------------- */

void
pgwasm_lift_setup(PgwasmLift *lf, MemoryContext cxt)
{
	lf->cxt = cxt;
	lf->maxowned = 8;
	lf->owned = MemoryContextAlloc(cxt, sizeof(uint32) * lf->maxowned);
	lf->nullable = false;
	pgwasm_lift_init(lf, NULL, 0);
}

void
pgwasm_lift_init(PgwasmLift *lf, const uint8 *base, uint64 size)
{
	lf->base = base;
	lf->size = size;
	lf->nowned = 0;
}

/* Remember a buffer the guest handed over, to be freed after the call. */
static void
lift_own(PgwasmLift *lf, uint32 ptr)
{
	if (ptr == 0)
		return;
	/* The common case, one buffer given twice (an empty list, say). */
	if (lf->nowned > 0 && lf->owned[lf->nowned - 1] == ptr)
		return;
	if (lf->nowned == lf->maxowned)
	{
		/* Lives as long as lf (repalloc keeps the chunk's context). */
		lf->maxowned *= 2;
		lf->owned = repalloc(lf->owned, sizeof(uint32) * lf->maxowned);
	}
	lf->owned[lf->nowned++] = ptr;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return x < y ? -1 : x > y;
}

int
pgwasm_lift_owned(PgwasmLift *lf)
{
	int			n = 0;

	/* One free per buffer, however often the result points into it. */
	if (lf->nowned > 1)
	{
		qsort(lf->owned, lf->nowned, sizeof(uint32), cmp_u32);
		for (int i = 0; i < lf->nowned; i++)
		{
			if (n == 0 || lf->owned[n - 1] != lf->owned[i])
				lf->owned[n++] = lf->owned[i];
		}
		lf->nowned = n;
	}
	return lf->nowned;
}

/*
 * The count elements of elsize bytes at guest address ptr, bounds-checked
 * (38000 if outside memory, 54000 if too large for PostgreSQL).
 */
static const uint8 *
lift_span(PgwasmLift *lf, uint32 ptr, uint32 count, uint32 elsize)
{
	uint64		nbytes = (uint64) count * elsize;

	if ((uint64) ptr + nbytes > lf->size)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm function returned an out-of-bounds buffer"),
				 errdetail("Pointer %u, length %u, memory size %llu bytes.", ptr, count,
						   (unsigned long long) lf->size)));
	if (nbytes > MaxAllocSize - VARHDRSZ - 64)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("wasm function returned a value too large for PostgreSQL"),
				 errdetail("The value has " UINT64_FORMAT " bytes.", nbytes)));
	lift_own(lf, ptr);
	return lf->base + ptr;
}

/*
 * An option's discriminant from the guest: true for some, false for none;
 * anything else is an ERROR (the canonical ABI traps on it too).
 */
bool
pgwasm_lift_discriminant(uint8 d, const char *what)
{
	if (d > 1)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("wasm function returned an invalid option discriminant %u for %s", d, what),
				 errdetail("An option<T> starts with a byte 0 (NULL) or 1 (a value).")));
	return d == 1;
}

/* ---- text helpers ------------------------------------------------------------- */

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

	if (!plain_ascii(data, len))
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

/* The (ptr, len) string at rep, as a server-encoding C string. */
static char *
lift_cstring(const uint8 *rep, PgwasmLift *lf, uint32 *outlen)
{
	uint32		ptr = get_u32le(rep);
	uint32		len = get_u32le(rep + 4);

	return text_from_guest(lift_span(lf, ptr, len, 1), len, outlen);
}

/* A C string (server encoding) as a UTF-8 (ptr, len) string at rep. */
static void
lower_cstring(PgwasmLower *lw, uint32 rep, const char *s)
{
	uint32		len = strlen(s);
	const char *u = to_utf8(s, &len);

	lower_bytes(lw, rep, u, len, 1);
}

/* ---- scalar converters ---------------------------------------------------------- */

static wrt_value
cv_bool_in(Datum d)
{
	wrt_value	v = {.bits = 0};

	v.i32 = DatumGetBool(d) ? 1 : 0;
	return v;
}

static Datum
cv_bool_out(wrt_value v)
{
	return BoolGetDatum(v.i32 != 0);
}

static wrt_value
cv_int2_in(Datum d)
{
	wrt_value	v = {.bits = 0};

	v.i32 = DatumGetInt16(d);
	return v;
}

static Datum
cv_int2_out(wrt_value v)
{
	if (v.i32 < PG_INT16_MIN || v.i32 > PG_INT16_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("smallint out of range"),
				 errdetail("The wasm function returned %d.", v.i32)));
	return Int16GetDatum((int16) v.i32);
}

/*
 * Types whose Datum maps one-to-one onto a Wasm value: the pair of
 * converters is the Datum accessor and the value field, nothing more.
 * (The value is zeroed first so an i32/f32's upper bits are defined.)
 */
#define DIRECT_CONVERTERS(name, field, from_datum, to_datum) \
	static wrt_value \
	cv_##name##_in(Datum d) \
	{ \
		wrt_value	v = {.bits = 0}; \
		v.field = from_datum(d); \
		return v; \
	} \
	static Datum \
	cv_##name##_out(wrt_value v) \
	{ \
		return to_datum(v.field); \
	}

DIRECT_CONVERTERS(int4, i32, DatumGetInt32, Int32GetDatum)
DIRECT_CONVERTERS(int8, i64, DatumGetInt64, Int64GetDatum)
DIRECT_CONVERTERS(float4, f32, DatumGetFloat4, Float4GetDatum)
DIRECT_CONVERTERS(float8, f64, DatumGetFloat8, Float8GetDatum)

static wrt_value
cv_date_in(Datum d)
{
	wrt_value	v = {.bits = 0};
	DateADT		dt = DatumGetDateADT(d);

	/* Finite dates are far from INT32_MAX: no overflow. */
	v.i32 = DATE_NOT_FINITE(dt) ? dt : dt + EPOCH_DAYS;
	return v;
}

static Datum
cv_date_out(wrt_value v)
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

static wrt_value
cv_timestamp_in(Datum d)
{
	wrt_value	v;
	Timestamp	ts = DatumGetTimestamp(d);

	if (TIMESTAMP_NOT_FINITE(ts))
		v.i64 = ts;
	else if (pg_add_s64_overflow(ts, EPOCH_USECS, &v.i64))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a wasm function"),
				 errdetail("Microseconds since 1970 must fit in 64 bits.")));
	return v;
}

static Datum
cv_timestamp_out(wrt_value v)
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

/* time: i64 microseconds since midnight, 0 to 24:00:00 inclusive. */
static wrt_value
cv_time_in(Datum d)
{
	wrt_value	v;

	v.i64 = DatumGetTimeADT(d);
	return v;
}

static Datum
cv_time_out(wrt_value v)
{
	if (v.i64 < INT64CONST(0) || v.i64 > USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("time out of range"),
				 errdetail("The wasm function returned " INT64_FORMAT " microseconds since midnight.",
						   v.i64)));
	return TimeADTGetDatum(v.i64);
}

/* ---- memory converters ----------------------------------------------------------- */

/*
 * timetz: record {micros: s64, utc_offset: s32}, seconds east of UTC (ISO
 * 8601's sign: +02:00 is 7200).  PostgreSQL keeps seconds west.
 */
static void
cv_timetz_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	TimeTzADT  *tz = DatumGetTimeTzADTP(d);
	uint8	   *r = (uint8 *) lw->buf.data + rep;
	wrt_value	v;

	v.i64 = tz->time;
	pgwasm_flat_store(&t->flat[0], v, r);
	v.bits = 0;
	v.i32 = -tz->zone;
	pgwasm_flat_store(&t->flat[1], v, r);
}

static Datum
cv_timetz_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	int64		us = pgwasm_flat_load(&t->flat[0], rep).i64;
	int32		off = pgwasm_flat_load(&t->flat[1], rep).i32;
	TimeTzADT  *tz;

	if (us < 0 || us > USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("time out of range"),
				 errdetail("The wasm function returned " INT64_FORMAT " microseconds since midnight.",
						   us)));
	if (off < -TZDISP_LIMIT || off > TZDISP_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE),
				 errmsg("time zone displacement out of range"),
				 errdetail("The wasm function returned a UTC offset of %d seconds.", off)));
	tz = palloc(sizeof(TimeTzADT));
	tz->time = us;
	tz->zone = -off;
	return TimeTzADTPGetDatum(tz);
}

/*
 * interval: record {months: s32, days: s32, micros: s64}, PostgreSQL's own
 * three fields (every combination is a valid interval).
 */
static void
cv_interval_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	Interval   *iv = DatumGetIntervalP(d);
	uint8	   *r = (uint8 *) lw->buf.data + rep;
	wrt_value	v = {.bits = 0};

	v.i32 = iv->month;
	pgwasm_flat_store(&t->flat[0], v, r);
	v.i32 = iv->day;
	pgwasm_flat_store(&t->flat[1], v, r);
	v.i64 = iv->time;
	pgwasm_flat_store(&t->flat[2], v, r);
}

static Datum
cv_interval_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	Interval   *iv = palloc(sizeof(Interval));

	iv->month = pgwasm_flat_load(&t->flat[0], rep).i32;
	iv->day = pgwasm_flat_load(&t->flat[1], rep).i32;
	iv->time = pgwasm_flat_load(&t->flat[2], rep).i64;
	return IntervalPGetDatum(iv);
}

/*
 * Types that cross as their text form (uuid, numeric, enums): the output
 * function's text down, the input function's parse up, so a malformed
 * value from the guest is the type's own error (22P02 and the like).
 */
static void
cv_uuid_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	lower_cstring(lw, rep, DatumGetCString(DirectFunctionCall1(uuid_out, d)));
}

static Datum
cv_uuid_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		n;

	return DirectFunctionCall1(uuid_in, CStringGetDatum(lift_cstring(rep, lf, &n)));
}

/* numeric: exact decimal text ("-12.50", "NaN", "Infinity"), never a float. */
static void
cv_numeric_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	lower_cstring(lw, rep, DatumGetCString(DirectFunctionCall1(numeric_out, d)));
}

static Datum
cv_numeric_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		n;

	return DirectFunctionCall3(numeric_in, CStringGetDatum(lift_cstring(rep, lf, &n)),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* enums: the label; an unknown label from the guest is 22P02. */
static void
cv_enum_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	lower_cstring(lw, rep, DatumGetCString(DirectFunctionCall1(enum_out, d)));
}

static Datum
cv_enum_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		n;

	return DirectFunctionCall2(enum_in, CStringGetDatum(lift_cstring(rep, lf, &n)),
							   ObjectIdGetDatum(typid));
}

/* text, varchar, bpchar, json: UTF-8 bytes (server encoding converted). */
static void
cv_text_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	text	   *txt = DatumGetTextPP(d);
	uint32		len = VARSIZE_ANY_EXHDR(txt);
	const char *u = to_utf8(VARDATA_ANY(txt), &len);

	lower_bytes(lw, rep, u, len, 1);
}

static Datum
cv_text_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		ptr = get_u32le(rep);
	uint32		count = get_u32le(rep + 4);
	const uint8 *data = lift_span(lf, ptr, count, 1);
	int			enc = GetDatabaseEncoding();
	uint32		n;
	char	   *s;

	/* Common case: one check, one copy straight into the datum. */
	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
	{
		text	   *txt;

		if (!plain_ascii(data, count))
			(void) pg_verify_mbstr(PG_UTF8, (const char *) data, (int) count, false);
		txt = (text *) palloc(VARHDRSZ + count);
		SET_VARSIZE(txt, VARHDRSZ + count);
		memcpy(VARDATA(txt), data, count);
		return PointerGetDatum(txt);
	}
	s = text_from_guest(data, count, &n);
	return PointerGetDatum(cstring_to_text_with_len(s, n));
}

static Datum
cv_json_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		n;

	return DirectFunctionCall1(json_in, CStringGetDatum(lift_cstring(rep, lf, &n)));
}

/* jsonb crosses as its JSON text. */
static void
cv_jsonb_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	Jsonb	   *jb = DatumGetJsonbP(d);

	lower_cstring(lw, rep, JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
}

static Datum
cv_jsonb_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		n;

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(lift_cstring(rep, lf, &n)));
}

/* bytea: bytes both ways, never checked. */
static void
cv_bytea_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	bytea	   *b = DatumGetByteaPP(d);

	lower_bytes(lw, rep, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), 1);
}

static Datum
cv_bytea_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	uint32		count = get_u32le(rep + 4);
	const uint8 *data = lift_span(lf, get_u32le(rep), count, 1);
	bytea	   *b = palloc(VARHDRSZ + count);

	SET_VARSIZE(b, VARHDRSZ + count);
	memcpy(VARDATA(b), data, count);
	return PointerGetDatum(b);
}

/*
 * Arrays: a canonical list of the element type, (ptr, count), one dimension.
 * Elements are lowered into the same buffer: count representations of the
 * element size, then whatever they point to.
 */
static void
cv_array_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	const PgwasmType *e = t->elem;
	int			n;
	uint32		off;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions accept only one-dimensional arrays"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(a))));
	/* Only an array with a null bitmap can have NULLs. */
	if (!lw->nullable && ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array passed to a wasm function must not contain nulls"),
				 errhint("A function of an ABI v2 module that is not STRICT gets NULL elements as options.")));
	/* One dimension (or none: empty); a valid array's size is sane. */
	n = ARR_NDIM(a) == 1 ? ARR_DIMS(a)[0] : 0;
	if (lw->nullable)
	{
		uint32		osize,
					oalign,
					payload;
		int16		typlen;
		bool		typbyval;
		char		typalign;
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;

		/* list<option<T>>: a discriminant byte, then T, per element. */
		pgwasm_option_layout(e, &osize, &oalign, &payload);
		if (n < 0 || (uint64) n * osize > MaxAllocSize)
			elog(ERROR, "invalid array size %d", n);
		off = lower_reserve(lw, (uint64) n * osize, oalign);
		lower_put_ptr(lw, rep, off);
		put_u32le((uint8 *) lw->buf.data + rep + 4, (uint32) n);
		if (n == 0)
			return;
		get_typlenbyvalalign(t->elemoid, &typlen, &typbyval, &typalign);
		deconstruct_array(a, t->elemoid, typlen, typbyval, typalign, &elems, &nulls, &nelems);
		for (int i = 0; i < nelems; i++)
		{
			uint32		at = off + (uint32) i * osize;

			if (nulls[i])
				continue;		/* discriminant 0, payload zeros */
			lw->buf.data[at] = 1;
			pgwasm_lower_value(e, t->elembase, elems[i], lw, at + payload);
		}
		return;
	}
	if (n < 0 || (uint64) n * e->size > MaxAllocSize)
		elog(ERROR, "invalid array size %d", n);
	off = lower_reserve(lw, (uint64) n * e->size, Max(e->align, 1));
	lower_put_ptr(lw, rep, off);
	put_u32le((uint8 *) lw->buf.data + rep + 4, (uint32) n);
	if (n == 0)
		return;
#ifndef WORDS_BIGENDIAN
	if (e->pg_layout)
	{
		/* PostgreSQL stores these exactly as the guest wants them. */
		memcpy(lw->buf.data + off, ARR_DATA_PTR(a), (size_t) n * e->size);
		return;
	}
#endif
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;
		Datum	   *elems;
		int			nelems;

		get_typlenbyvalalign(t->elemoid, &typlen, &typbyval, &typalign);
		deconstruct_array(a, t->elemoid, typlen, typbyval, typalign, &elems, NULL, &nelems);
		for (int i = 0; i < nelems; i++)
			pgwasm_lower_value(e, t->elembase, elems[i], lw, off + (uint32) i * e->size);
	}
}

static Datum
cv_array_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	const PgwasmType *e = t->elem;
	uint32		count = get_u32le(rep + 4);
	uint32		esize = e->size;
	uint32		payload = 0;
	const uint8 *data;
	Size		nbytes;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls = NULL;

	if (lf->nullable)
	{
		uint32		oalign;

		pgwasm_option_layout(e, &esize, &oalign, &payload);
	}
	data = lift_span(lf, get_u32le(rep), count, esize);
	nbytes = (Size) count * esize;
	if (count == 0)
		return PointerGetDatum(construct_empty_array(t->elemoid));
	if (count > MaxArraySize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("array returned by a wasm function is too large"),
				 errdetail("It has %u elements.", count)));
	if (lf->nullable)
	{
		int			dims[1];
		int			lbs[1];

		elems = palloc(sizeof(Datum) * count);
		nulls = palloc(sizeof(bool) * count);
		for (uint32 i = 0; i < count; i++)
		{
			const uint8 *el = data + (Size) i * esize;

			nulls[i] = !pgwasm_lift_discriminant(el[0], "array element");
			elems[i] = nulls[i] ? (Datum) 0 :
				pgwasm_lift_value(e, t->elembase, el + payload, lf);
			CHECK_FOR_INTERRUPTS();
		}
		get_typlenbyvalalign(t->elemoid, &typlen, &typbyval, &typalign);
		dims[0] = (int) count;
		lbs[0] = 1;
		return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, t->elemoid,
												  typlen, typbyval, typalign));
	}
#ifndef WORDS_BIGENDIAN
	if (e->pg_layout && e->kind != PGWASM_BOOL)
	{
		/* Built in place: a one-dimensional array without a null bitmap. */
		Size		total = ARR_OVERHEAD_NONULLS(1) + nbytes;
		ArrayType  *a;

		if (!AllocSizeIsValid(total))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array returned by a wasm function is too large"),
					 errdetail("It has %u elements.", count)));
		a = (ArrayType *) palloc0(total);
		SET_VARSIZE(a, total);
		a->ndim = 1;
		a->dataoffset = 0;
		a->elemtype = t->elemoid;
		ARR_DIMS(a)[0] = (int) count;
		ARR_LBOUND(a)[0] = 1;
		memcpy(ARR_DATA_PTR(a), data, nbytes);
		return PointerGetDatum(a);
	}
#endif
	elems = palloc(sizeof(Datum) * count);
	for (uint32 i = 0; i < count; i++)
	{
		/* Guest memory does not move while results are read: no re-fetch. */
		elems[i] = pgwasm_lift_value(e, t->elembase, data + (Size) i * e->size, lf);
		CHECK_FOR_INTERRUPTS();
	}
	get_typlenbyvalalign(t->elemoid, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, (int) count, t->elemoid,
										   typlen, typbyval, typalign));
}

/* ---- the type table ------------------------------------------------------------ */

#define FLAT(vt, off, w, s, p) {(vt), (off), (w), (s), (p)}
/* A scalar of w bytes in memory, passed as one flat value of type vt. */
#define SCALAR(nm, oid, k, vt, w, s, pgl, in, out) \
	{.name = (nm), .typid = (oid), .kind = (k), .size = (w), .align = (w), \
	 .nflat = 1, .flat_init = {FLAT(vt, 0, w, s, false)}, .scalar = true, .pg_layout = (pgl), \
	 .to_wasm = (in), .from_wasm = (out)}
/* A string or list: (i32 ptr, i32 len), 8 bytes aligned on 4 in memory. */
#define PTRLEN(nm, oid, k, eoid, lo, li) \
	{.name = (nm), .typid = (oid), .kind = (k), .size = 8, .align = 4, \
	 .nflat = 2, .flat_init = {FLAT(WRT_I32, 0, 4, false, true), FLAT(WRT_I32, 4, 4, false, false)}, \
	 .elemoid = (eoid), .lower = (lo), .lift = (li)}

/*
 * One row per SQL type (domains cross as their base type).  The order is
 * the order of the list in the "unsupported type" hint.  Arrays name their
 * element type by OID; pgwasm_type_lookup links them on first use.
 */
static PgwasmType types[] = {
	SCALAR("bool", BOOLOID, PGWASM_BOOL, WRT_I32, 1, false, true, cv_bool_in, cv_bool_out),
	SCALAR("int2", INT2OID, PGWASM_INT2, WRT_I32, 2, true, true, cv_int2_in, cv_int2_out),
	SCALAR("int4", INT4OID, PGWASM_INT4, WRT_I32, 4, true, true, cv_int4_in, cv_int4_out),
	SCALAR("int8", INT8OID, PGWASM_INT8, WRT_I64, 8, true, true, cv_int8_in, cv_int8_out),
	SCALAR("float4", FLOAT4OID, PGWASM_FLOAT4, WRT_F32, 4, false, true, cv_float4_in, cv_float4_out),
	SCALAR("float8", FLOAT8OID, PGWASM_FLOAT8, WRT_F64, 8, false, true, cv_float8_in, cv_float8_out),
	SCALAR("date", DATEOID, PGWASM_DATE, WRT_I32, 4, true, false, cv_date_in, cv_date_out),
	SCALAR("timestamp", TIMESTAMPOID, PGWASM_TIMESTAMP, WRT_I64, 8, true, false, cv_timestamp_in, cv_timestamp_out),
	SCALAR("timestamptz", TIMESTAMPTZOID, PGWASM_TIMESTAMP, WRT_I64, 8, true, false, cv_timestamp_in, cv_timestamp_out),
	SCALAR("time", TIMEOID, PGWASM_OTHER, WRT_I64, 8, true, false, cv_time_in, cv_time_out),
	{.name = "timetz", .typid = TIMETZOID, .kind = PGWASM_OTHER, .size = 16, .align = 8,
		.nflat = 2, .flat_init = {FLAT(WRT_I64, 0, 8, true, false), FLAT(WRT_I32, 8, 4, true, false)},
	.lower = cv_timetz_lower, .lift = cv_timetz_lift},
	{.name = "interval", .typid = INTERVALOID, .kind = PGWASM_OTHER, .size = 16, .align = 8,
		.nflat = 3, .flat_init = {FLAT(WRT_I32, 0, 4, true, false), FLAT(WRT_I32, 4, 4, true, false),
		FLAT(WRT_I64, 8, 8, true, false)},
	.lower = cv_interval_lower, .lift = cv_interval_lift},
	PTRLEN("text", TEXTOID, PGWASM_TEXT, InvalidOid, cv_text_lower, cv_text_lift),
	PTRLEN("varchar", VARCHAROID, PGWASM_TEXT, InvalidOid, cv_text_lower, cv_text_lift),
	PTRLEN("bpchar", BPCHAROID, PGWASM_TEXT, InvalidOid, cv_text_lower, cv_text_lift),
	PTRLEN("json", JSONOID, PGWASM_JSON, InvalidOid, cv_text_lower, cv_json_lift),
	PTRLEN("jsonb", JSONBOID, PGWASM_JSONB, InvalidOid, cv_jsonb_lower, cv_jsonb_lift),
	PTRLEN("bytea", BYTEAOID, PGWASM_BYTEA, InvalidOid, cv_bytea_lower, cv_bytea_lift),
	PTRLEN("uuid", UUIDOID, PGWASM_OTHER, InvalidOid, cv_uuid_lower, cv_uuid_lift),
	PTRLEN("numeric", NUMERICOID, PGWASM_OTHER, InvalidOid, cv_numeric_lower, cv_numeric_lift),
	/* Every enum type: matched by typtype, not OID. */
	PTRLEN("enums", InvalidOid, PGWASM_OTHER, InvalidOid, cv_enum_lower, cv_enum_lift),
	PTRLEN("bool[]", BOOLARRAYOID, PGWASM_ARRAY, BOOLOID, cv_array_lower, cv_array_lift),
	PTRLEN("int2[]", INT2ARRAYOID, PGWASM_ARRAY, INT2OID, cv_array_lower, cv_array_lift),
	PTRLEN("int4[]", INT4ARRAYOID, PGWASM_ARRAY, INT4OID, cv_array_lower, cv_array_lift),
	PTRLEN("int8[]", INT8ARRAYOID, PGWASM_ARRAY, INT8OID, cv_array_lower, cv_array_lift),
	PTRLEN("float4[]", FLOAT4ARRAYOID, PGWASM_ARRAY, FLOAT4OID, cv_array_lower, cv_array_lift),
	PTRLEN("float8[]", FLOAT8ARRAYOID, PGWASM_ARRAY, FLOAT8OID, cv_array_lower, cv_array_lift),
	PTRLEN("text[]", TEXTARRAYOID, PGWASM_ARRAY, TEXTOID, cv_array_lower, cv_array_lift),
	PTRLEN("bytea[]", BYTEAARRAYOID, PGWASM_ARRAY, BYTEAOID, cv_array_lower, cv_array_lift),
	PTRLEN("uuid[]", UUIDARRAYOID, PGWASM_ARRAY, UUIDOID, cv_array_lower, cv_array_lift),
};

static const PgwasmType *
row_by_oid(Oid typid)
{
	for (int i = 0; i < lengthof(types); i++)
	{
		if (types[i].typid == typid && OidIsValid(typid))
			return &types[i];
	}
	return NULL;
}

/* Link arrays to their element rows, once. */
static void
types_init(void)
{
	static bool done = false;

	if (done)
		return;
	for (int i = 0; i < lengthof(types); i++)
	{
		PgwasmType *t = &types[i];

		t->flat = t->flat_init;
		t->has_ptr = false;
		for (int j = 0; j < t->nflat; j++)
			t->has_ptr |= t->flat[j].ptr;
		if (OidIsValid(t->elemoid))
		{
			t->elembase = t->elemoid;
			t->elem = row_by_oid(t->elemoid);
			if (t->elem == NULL)
				elog(ERROR, "pgwasm: no row for the element type %u of %s", t->elemoid, t->name);
		}
	}
	done = true;
}

/* The row of a base type: by OID, or the enum row for any enum. */
static const PgwasmType *
row_for_type(Oid typid)
{
	const PgwasmType *t = row_by_oid(typid);

	if (t == NULL && type_is_enum(typid))
	{
		for (int i = 0; i < lengthof(types); i++)
		{
			if (types[i].lower == cv_enum_lower)
				return &types[i];
		}
	}
	return t;
}

const PgwasmType *
pgwasm_type_lookup(Oid typid)
{
	types_init();
	return row_for_type(typid);
}

void
pgwasm_lower_value(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	if (t->scalar)
		pgwasm_flat_store(&t->flat[0], t->to_wasm(d), (uint8 *) lw->buf.data + rep);
	else
		t->lower(t, typid, d, lw, rep);
}

Datum
pgwasm_lift_value(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	if (t->scalar)
		return t->from_wasm(pgwasm_flat_load(&t->flat[0], rep));
	return t->lift(t, typid, rep, lf);
}


/* ---- records and dynamic arrays ---------------------------------------------------- */

/*
 * A record: its fields in declaration order, each at its natural alignment
 * (an option<T> when the signature is null-aware), the size rounded up to
 * the largest alignment; flat values are the fields' in order.  Built per
 * signature from the type's tuple descriptor (pgwasm_type_node).
 */
static void
cv_record_lower(const PgwasmType *t, Oid typid, Datum d, PgwasmLower *lw, uint32 rep)
{
	HeapTupleHeader th = DatumGetHeapTupleHeader(d);
	HeapTupleData tup;
	Datum	   *values = palloc(sizeof(Datum) * t->tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * t->tupdesc->natts);
	int			f = 0;

	check_stack_depth();
	tup.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = InvalidOid;
	tup.t_data = th;
	heap_deform_tuple(&tup, t->tupdesc, values, nulls);
	for (int i = 0; i < t->tupdesc->natts; i++)
	{
		const PgwasmField *fd;
		uint32		at;

		if (TupleDescAttr(t->tupdesc, i)->attisdropped)
			continue;
		fd = &t->fields[f++];
		at = rep + fd->offset;
		if (t->nullable)
		{
			uint32		size,
						align,
						payload;

			if (nulls[i])
				continue;		/* discriminant 0, payload zeros */
			pgwasm_option_layout(fd->t, &size, &align, &payload);
			lw->buf.data[at] = 1;
			at += payload;
		}
		else if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("field \"%s\" of a record passed to a wasm function is null",
							NameStr(TupleDescAttr(t->tupdesc, i)->attname)),
					 errhint("A function of an ABI v2 module that is not STRICT gets NULL fields as options.")));
		pgwasm_lower_value(fd->t, fd->base, values[i], lw, at);
	}
}

static HeapTuple
record_lift_tuple(const PgwasmType *t, const uint8 *rep, PgwasmLift *lf)
{
	Datum	   *values = palloc0(sizeof(Datum) * t->tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * t->tupdesc->natts);
	int			f = 0;
	HeapTuple	tup;

	check_stack_depth();
	for (int i = 0; i < t->tupdesc->natts; i++)
	{
		PgwasmField *fd;
		const uint8 *at;

		nulls[i] = true;
		if (TupleDescAttr(t->tupdesc, i)->attisdropped)
			continue;
		fd = &t->fields[f++];
		at = rep + fd->offset;
		if (t->nullable)
		{
			uint32		size,
						align,
						payload;

			pgwasm_option_layout(fd->t, &size, &align, &payload);
			if (!pgwasm_lift_discriminant(at[0], "a record field"))
			{
				if (fd->typid != fd->base)
					domain_check((Datum) 0, true, fd->typid, &fd->domain_extra, t->cxt);
				continue;
			}
			at += payload;
		}
		values[i] = pgwasm_lift_value(fd->t, fd->base, at, lf);
		nulls[i] = false;
		if (fd->typid != fd->base)
			domain_check(values[i], false, fd->typid, &fd->domain_extra, t->cxt);
	}
	tup = heap_form_tuple(t->tupdesc, values, nulls);
	return tup;
}

static Datum
cv_record_lift(const PgwasmType *t, Oid typid, const uint8 *rep, PgwasmLift *lf)
{
	return HeapTupleGetDatum(record_lift_tuple(t, rep, lf));
}

static void
add_composite(PgwasmSig *sig, Oid typid, uint64 identifier, MemoryContext cxt)
{
	for (int i = 0; i < sig->ncomposites; i++)
	{
		if (sig->composites[i].typid == typid)
			return;
	}
	sig->composites = sig->composites ?
		repalloc(sig->composites, sizeof(PgwasmComposite) * (sig->ncomposites + 1)) :
		MemoryContextAlloc(cxt, sizeof(PgwasmComposite));
	sig->composites[sig->ncomposites].typid = typid;
	sig->composites[sig->ncomposites].identifier = identifier;
	sig->ncomposites++;
}

static const PgwasmType *type_node(Oid typid, bool nullable, PgwasmSig *sig, MemoryContext cxt,
								   const char **why);

/* A record node over a tuple descriptor (a copy of it is kept). */
static const PgwasmType *
record_node(TupleDesc desc, const char *name, bool nullable, PgwasmSig *sig,
			MemoryContext cxt, const char **why)
{
	PgwasmType *t = MemoryContextAllocZero(cxt, sizeof(PgwasmType));
	uint32		off = 0,
				align = 1,
				nflat = 0,
				k = 0;

	check_stack_depth();
	t->name = MemoryContextStrdup(cxt, name);
	t->kind = PGWASM_RECORD;
	t->nullable = nullable;
	t->cxt = cxt;
	t->tupdesc = CreateTupleDescCopy(desc);
	t->fields = MemoryContextAllocZero(cxt, sizeof(PgwasmField) * Max(desc->natts, 1));
	t->lower = cv_record_lower;
	t->lift = cv_record_lift;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		PgwasmField *fd;
		uint32		size,
					falign,
					payload = 0;

		if (att->attisdropped)
			continue;
		fd = &t->fields[t->nfields++];
		fd->typid = att->atttypid;
		fd->base = getBaseType(att->atttypid);
		fd->t = type_node(att->atttypid, nullable, sig, cxt, why);
		if (fd->t == NULL)
		{
			if (*why == NULL)
				*why = psprintf("field \"%s\" of %s has type %s",
								NameStr(att->attname), name, format_type_be(att->atttypid));
			return NULL;
		}
		if (nullable)
			pgwasm_option_layout(fd->t, &size, &falign, &payload);
		else
		{
			size = fd->t->size;
			falign = Max(fd->t->align, 1);
		}
		off = TYPEALIGN(falign, off);
		fd->offset = off;
		off += size;
		align = Max(align, falign);
		nflat += fd->t->nflat + (nullable ? 1 : 0);
		t->has_ptr |= fd->t->has_ptr;
		(void) payload;
	}
	if (t->nfields == 0)
	{
		*why = psprintf("%s has no fields", name);
		return NULL;
	}
	t->align = align;
	t->size = TYPEALIGN(align, off);
	t->nflat = nflat;
	t->flat = MemoryContextAlloc(cxt, sizeof(PgwasmFlat) * nflat);
	for (int i = 0; i < t->nfields; i++)
	{
		const PgwasmField *fd = &t->fields[i];
		uint32		base = fd->offset;

		if (nullable)
		{
			uint32		size,
						falign,
						payload;

			pgwasm_option_layout(fd->t, &size, &falign, &payload);
			/* The discriminant: one byte in memory, an i32 flat value. */
			t->flat[k].valtype = WRT_I32;
			t->flat[k].offset = base;
			t->flat[k].width = 1;
			t->flat[k].sign = false;
			t->flat[k].ptr = false;
			k++;
			base += payload;
		}
		for (uint32 j = 0; j < fd->t->nflat; j++)
		{
			t->flat[k] = fd->t->flat[j];
			t->flat[k].offset += base;
			k++;
		}
	}
	return t;
}

/* An array node over any supported element type. */
static const PgwasmType *
array_node(Oid elemtype, bool nullable, PgwasmSig *sig, MemoryContext cxt, const char **why)
{
	const PgwasmType *e = type_node(elemtype, nullable, sig, cxt, why);
	PgwasmType *t;

	if (e == NULL)
		return NULL;
	t = MemoryContextAllocZero(cxt, sizeof(PgwasmType));
	t->name = psprintf("%s[]", e->name);
	t->kind = PGWASM_ARRAY;
	t->size = 8;
	t->align = 4;
	t->nflat = 2;
	t->flat = t->flat_init;
	t->flat_init[0] = (PgwasmFlat) FLAT(WRT_I32, 0, 4, false, true);
	t->flat_init[1] = (PgwasmFlat) FLAT(WRT_I32, 4, 4, false, false);
	t->has_ptr = true;
	t->elemoid = elemtype;
	t->elembase = getBaseType(elemtype);
	t->elem = e;
	t->lower = cv_array_lower;
	t->lift = cv_array_lift;
	return t;
}

/*
 * The node of a type: its row in the table, or a record or array node
 * built in cxt.  NULL if unsupported (*why may say which part is not).
 * Composite types are recorded in sig, to notice when they change.
 */
static const PgwasmType *
type_node(Oid typid, bool nullable, PgwasmSig *sig, MemoryContext cxt, const char **why)
{
	Oid			base = getBaseType(typid);
	const PgwasmType *t = row_for_type(base);
	Oid			elem;

	if (t != NULL)
		return t;
	if (base != RECORDOID && type_is_rowtype(base))
	{
		TypeCacheEntry *tc = lookup_type_cache(base, TYPECACHE_TUPDESC);

		if (tc->tupDesc == NULL)
			return NULL;
		add_composite(sig, base, tc->tupDesc_identifier, cxt);
		return record_node(tc->tupDesc, format_type_be(base), nullable, sig, cxt, why);
	}
	elem = get_element_type(base);
	if (OidIsValid(elem) && get_typlen(base) == -1)
		return array_node(elem, nullable, sig, cxt, why);
	return NULL;
}

bool
pgwasm_sig_stale(const PgwasmSig *sig)
{
	for (int i = 0; i < sig->ncomposites; i++)
	{
		TypeCacheEntry *tc = lookup_type_cache(sig->composites[i].typid, TYPECACHE_TUPDESC);

		if (tc->tupDesc == NULL || tc->tupDesc_identifier != sig->composites[i].identifier)
			return true;
	}
	return false;
}

/* ---- triggers ---------------------------------------------------------------------- */

/*
 * A trigger function's export is (i32) -> i32: it takes a pointer to
 *
 *   record trigger-call {
 *     event: record { op: u8, timing: u8, level: u8,
 *                     table-name: string, table-schema: string,
 *                     args: list<string> },                       at 0, 28 bytes
 *     old: option<row>, new: option<row>,                         at the row's alignment
 *   }
 *
 * (more than 16 flat values: the canonical ABI passes such arguments in
 * memory), where row is the table's row as a record whose every field is an
 * option (columns are nullable), and returns a pointer to the variant
 * { skip, unchanged, row(row) }: a tag byte, the row at its alignment.
 */
#define TRIGGER_EVENT_SIZE 28

const PgwasmType *
pgwasm_trigger_row_node(TupleDesc desc, const char *relname, MemoryContext cxt, bool stand_in)
{
	PgwasmSig	dummy;
	const char *why = NULL;
	const PgwasmType *t;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	types_init();
	memset(&dummy, 0, sizeof(dummy));
	t = record_node(desc, relname, true, &dummy, cxt, &why);
	MemoryContextSwitchTo(old);
	if (t == NULL && stand_in)
		return row_by_oid(INT4OID);	/* no tupdesc: rebuilt at the next call */
	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm trigger functions cannot see rows of table %s", relname),
				 errdetail("The %s, which has no row in the type table.", why ? why : "table has no columns")));
	return t;
}

void
pgwasm_trigger_layout(const PgwasmType *row, uint32 *size, uint32 *align, uint32 *old_off,
					  uint32 *new_off)
{
	uint32		osize,
				oalign,
				payload;

	pgwasm_option_layout(row, &osize, &oalign, &payload);
	*old_off = TYPEALIGN(oalign, TRIGGER_EVENT_SIZE);
	*new_off = *old_off + osize;
	*align = Max(oalign, 4);
	*size = TYPEALIGN(*align, *new_off + osize);
}

/* An option<row> of a heap tuple (or none) at rep. */
static void
lower_option_row(const PgwasmType *row, HeapTuple tuple, PgwasmLower *lw, uint32 rep)
{
	uint32		osize,
				oalign,
				payload;

	if (tuple == NULL)
		return;					/* discriminant 0 */
	pgwasm_option_layout(row, &osize, &oalign, &payload);
	lw->buf.data[rep] = 1;
	pgwasm_lower_value(row, InvalidOid, heap_copy_tuple_as_datum(tuple, row->tupdesc), lw,
					   rep + payload);
}

uint32
pgwasm_lower_trigger(PgwasmLower *lw, const PgwasmType *row, uint8 op, uint8 timing, uint8 level,
					 const char *relname, const char *schema, int nargs, char **args,
					 HeapTuple oldtup, HeapTuple newtup)
{
	uint32		size,
				align,
				old_off,
				new_off;
	uint32		at,
				list;

	pgwasm_trigger_layout(row, &size, &align, &old_off, &new_off);
	at = lower_reserve(lw, size, align);
	lw->buf.data[at] = (char) op;
	lw->buf.data[at + 1] = (char) timing;
	lw->buf.data[at + 2] = (char) level;
	lower_cstring(lw, at + 4, relname);
	lower_cstring(lw, at + 12, schema);
	list = lower_reserve(lw, (uint64) nargs * 8, 4);
	lower_put_ptr(lw, at + 20, list);
	put_u32le((uint8 *) lw->buf.data + at + 24, (uint32) nargs);
	for (int i = 0; i < nargs; i++)
		lower_cstring(lw, list + (uint32) i * 8, args[i]);
	lower_option_row(row, oldtup, lw, at + old_off);
	lower_option_row(row, newtup, lw, at + new_off);
	return at;
}

HeapTuple
pgwasm_lift_row(const PgwasmType *row, const uint8 *rep, PgwasmLift *lf)
{
	return record_lift_tuple(row, rep, lf);
}

/* ---- signatures ------------------------------------------------------------------ */

/* "bool, int2, ..., float8[]", from the table. */
static char *
supported_list(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < lengthof(types); i++)
		appendStringInfo(&buf, "%s%s", i == 0 ? "" : ", ", types[i].name);
	return buf.data;
}

static void
unsupported_type(Oid typid, bool result, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 result ? errmsg("wasm functions cannot return type %s", format_type_be(typid))
			 : errmsg("wasm functions cannot accept type %s", format_type_be(typid)),
			 why ? errdetail("The %s, which has no row in the type table.", why) : 0,
			 errhint("Supported types: %s; composite types and arrays of these; domains over any of them.",
					 supported_list())));
}

/* Flat values of a list of nodes, appended to params (grown as needed). */
static void
append_flats(const PgwasmType *t, bool option, uint8 **params, uint32 *n, uint32 *cap,
			 MemoryContext cxt)
{
	uint32		need = *n + t->nflat + 1;

	if (need > *cap)
	{
		*cap = Max(need, *cap * 2);
		*params = repalloc(*params, *cap);
	}
	if (option)
		(*params)[(*n)++] = WRT_I32;	/* option<T>: the discriminant first */
	for (uint32 j = 0; j < t->nflat; j++)
		(*params)[(*n)++] = t->flat[j].valtype;
}

void
pgwasm_sig_build(HeapTuple proctup, PgwasmSig *sig, MemoryContext cxt)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(proctup);
	bool		isnull;
	int			nargs = proc->pronargs;
	Oid			rettype = proc->prorettype;
	uint32		cap = 16,
				capo = 16;
	const char *why = NULL;
	TupleDesc	outdesc = NULL;

	types_init();
	memset(sig, 0, sizeof(PgwasmSig));
	sig->retset = proc->proretset;
	if (rettype == TRIGGEROID)
	{
		/* (pointer to the trigger call) -> pointer to the trigger result */
		if (nargs > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
					 errmsg("trigger functions cannot have declared arguments"),
					 errhint("The trigger's arguments reach the guest in the event's args list.")));
		sig->trigger = true;
		sig->rettype = rettype;
		sig->strict = proc->proisstrict;
		sig->buffer_args = true;
		sig->nparams = sig->nparams_opt = 1;
		sig->params = MemoryContextAlloc(cxt, 1);
		sig->params_opt = MemoryContextAlloc(cxt, 1);
		sig->params[0] = sig->params_opt[0] = WRT_I32;
		sig->args = sig->args_opt = MemoryContextAlloc(cxt, sizeof(const PgwasmType *));
		sig->argtypes = sig->argbase = MemoryContextAlloc(cxt, sizeof(Oid));
		return;
	}
	/* OUT/INOUT parameters: a RECORD result of their types, in their order. */
	(void) SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_proallargtypes, &isnull);
	if (!isnull && rettype == RECORDOID)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		outdesc = build_function_result_tupdesc_t(proctup);
		if (outdesc != NULL)
			outdesc = BlessTupleDesc(outdesc);
		MemoryContextSwitchTo(old);
		if (outdesc == NULL)
			elog(ERROR, "could not build the result row of function %u", proc->oid);
	}

	sig->nargs = nargs;
	sig->args = MemoryContextAlloc(cxt, sizeof(const PgwasmType *) * Max(nargs, 1));
	sig->args_opt = MemoryContextAlloc(cxt, sizeof(const PgwasmType *) * Max(nargs, 1));
	sig->argtypes = MemoryContextAlloc(cxt, sizeof(Oid) * Max(nargs, 1));
	sig->argbase = MemoryContextAlloc(cxt, sizeof(Oid) * Max(nargs, 1));
	sig->params = MemoryContextAlloc(cxt, cap);
	sig->params_opt = MemoryContextAlloc(cxt, capo);
	sig->strict = proc->proisstrict;
	for (int i = 0; i < nargs; i++)
	{
		Oid			t = proc->proargtypes.values[i];

		sig->argtypes[i] = t;
		sig->argbase[i] = getBaseType(t);
		sig->args[i] = type_node(t, false, sig, cxt, &why);
		if (sig->args[i] != NULL)
			sig->args_opt[i] = type_node(t, true, sig, cxt, &why);
		if (sig->args[i] == NULL || sig->args_opt[i] == NULL)
			unsupported_type(t, false, why);
		if (sig->args[i]->has_ptr)
			sig->buffer_args = true;
		append_flats(sig->args[i], false, &sig->params, &sig->nparams, &cap, cxt);
		append_flats(sig->args_opt[i], true, &sig->params_opt, &sig->nparams_opt, &capo, cxt);
	}

	/* The tuple the arguments make when they go in memory (ABI v2, > 16). */
	sig->argoff = MemoryContextAlloc(cxt, sizeof(uint32) * Max(nargs, 1));
	sig->argoff_opt = MemoryContextAlloc(cxt, sizeof(uint32) * Max(nargs, 1));
	sig->tuple_align = sig->tuple_align_opt = 1;
	for (int i = 0; i < nargs; i++)
	{
		uint32		size,
					align,
					payload;

		align = Max(sig->args[i]->align, 1);
		sig->tuple_size = TYPEALIGN(align, sig->tuple_size);
		sig->argoff[i] = sig->tuple_size;
		sig->tuple_size += sig->args[i]->size;
		sig->tuple_align = Max(sig->tuple_align, align);
		pgwasm_option_layout(sig->args_opt[i], &size, &align, &payload);
		sig->tuple_size_opt = TYPEALIGN(align, sig->tuple_size_opt);
		sig->argoff_opt[i] = sig->tuple_size_opt;
		sig->tuple_size_opt += size;
		sig->tuple_align_opt = Max(sig->tuple_align_opt, align);
	}
	sig->tuple_size = TYPEALIGN(sig->tuple_align, sig->tuple_size);
	sig->tuple_size_opt = TYPEALIGN(sig->tuple_align_opt, sig->tuple_size_opt);

	sig->rettype = rettype;
	sig->retbase = InvalidOid;
	if (outdesc != NULL)
	{
		sig->retbase = RECORDOID;
		sig->ret = record_node(outdesc, "the OUT parameters", false, sig, cxt, &why);
		if (sig->ret != NULL)
			sig->ret_opt = record_node(outdesc, "the OUT parameters", true, sig, cxt, &why);
		if (sig->ret == NULL || sig->ret_opt == NULL)
			unsupported_type(rettype, true, why);
	}
	else if (rettype == VOIDOID && sig->retset)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("wasm functions cannot return sets of void")));
	else if (rettype != VOIDOID)
	{
		sig->retbase = getBaseType(rettype);
		sig->ret_domain = (sig->retbase != rettype);
		sig->ret = type_node(rettype, false, sig, cxt, &why);
		if (sig->ret != NULL)
			sig->ret_opt = type_node(rettype, true, sig, cxt, &why);
		if (sig->ret == NULL || sig->ret_opt == NULL)
			unsupported_type(rettype, true, why);
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
	appendStringInfo(&buf, ") -> %s%s", sig->retset ? "SETOF " : "", format_type_be(sig->rettype));
	return buf.data;
}

/* Is a result of this type (ptr, len), which may also come packed in an i64? */
static bool
ret_is_ptrlen(const PgwasmType *t)
{
	return t->nflat == 2 && t->flat[0].ptr && t->flat[1].valtype == WRT_I32;
}

/* The Wasm type the SQL signature needs, for messages. */
static char *
format_expected(const PgwasmSig *sig, bool null_aware, bool spill, const char *export)
{
	wrt_functype ft;
	uint8		res;
	static const uint8 one_ptr[] = {WRT_I32};
	char	   *s;

	ft.nparams = spill ? 1 : null_aware ? sig->nparams_opt : sig->nparams;
	ft.params = spill ? one_ptr : null_aware ? sig->params_opt : sig->params;
	ft.nresults = (sig->ret == NULL && !sig->trigger) ? 0 : 1;
	if (sig->ret == NULL || sig->retset)
		res = WRT_I32;
	else if (null_aware)
		res = WRT_I32;
	else if (sig->ret->nflat == 0)
		res = WRT_I32;
	else if (ret_is_ptrlen(sig->ret))
		res = WRT_I64;
	else if (sig->ret->nflat > 1)
		res = WRT_I32;
	else
		res = sig->ret->flat[0].valtype;
	ft.results = &res;
	s = pgwasm_format_functype(&ft);
	if (spill)
		s = psprintf("%s (the arguments as a %u-byte tuple in memory: more than %d flat values)",
					 s, null_aware ? sig->tuple_size_opt : sig->tuple_size, PGWASM_MAX_FLAT_PARAMS);
	if (sig->trigger)
		s = psprintf("%s (a pointer to the trigger call in, a pointer to the trigger result out)", s);
	else if (sig->retset)
		s = psprintf("%s (a cursor handle for %s_next)", s, export);
	else if (sig->ret && null_aware)
	{
		uint32		size,
					align,
					payload;

		pgwasm_option_layout(sig->ret_opt, &size, &align, &payload);
		s = psprintf("%s (a pointer to an option<%s> return area, %u bytes)", s, sig->ret->name, size);
	}
	else if (sig->ret && ret_is_ptrlen(sig->ret))
		s = psprintf("%s (or i32, a pointer to a {ptr, len} pair)", s);
	else if (sig->ret && sig->ret->nflat > 1)
		s = psprintf("%s (a pointer to a return area, %u bytes)", s, sig->ret->size);
	return s;
}

bool
pgwasm_module_abi_v2(const wrt_module *module)
{
	wrt_externtype t;

	return wrt_module_find_export(module, PGWASM_ABI_V2_EXPORT, strlen(PGWASM_ABI_V2_EXPORT), &t) &&
		t.kind == WRT_EXTERN_FUNC && t.func.nparams == 0 && t.func.nresults == 0;
}

/* Does the export's type fit; if so, how does the result come back? */
static bool
export_fits(const PgwasmSig *sig, const wrt_functype *f, bool null_aware, bool spill,
			PgwasmRetForm *form)
{
	static const uint8 one_ptr[] = {WRT_I32};
	uint32		np = spill ? 1 : null_aware ? sig->nparams_opt : sig->nparams;
	const uint8 *params = spill ? one_ptr : null_aware ? sig->params_opt : sig->params;

	*form = PGWASM_RET_SCALAR;
	if (f->nparams != np || memcmp(f->params, params, np) != 0)
		return false;
	if (sig->trigger)
	{
		/* A pointer to the trigger result. */
		*form = PGWASM_RET_AREA;
		return f->nresults == 1 && f->results[0] == WRT_I32;
	}
	if (sig->retset)
	{
		/* The export opens a cursor: its handle, an i32. */
		*form = PGWASM_RET_AREA;
		return f->nresults == 1 && f->results[0] == WRT_I32;
	}
	if (sig->ret == NULL)
	{
		*form = PGWASM_RET_NONE;
		return f->nresults == 0;
	}
	if (f->nresults != 1)
		return false;
	if (null_aware)
	{
		/* option<T> is at least two flat values: always a return area. */
		*form = PGWASM_RET_AREA;
		return f->results[0] == WRT_I32;
	}
	if (ret_is_ptrlen(sig->ret) && f->results[0] == WRT_I64)
	{
		*form = PGWASM_RET_PACKED;
		return true;
	}
	if (sig->ret->nflat > 1)
	{
		*form = PGWASM_RET_AREA;
		return f->results[0] == WRT_I32;
	}
	if (!sig->ret->scalar)
		*form = PGWASM_RET_FLAT;	/* a record of one scalar */
	return f->results[0] == sig->ret->flat[0].valtype;
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
	why->null_aware = false;
	why->spill = false;
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

	/*
	 * ABI v1: plain values, NULL in gives NULL out without a call.  ABI v2:
	 * a STRICT function the same; any other is null-aware, every value an
	 * option<T>, the result too.
	 */
	why->null_aware = pgwasm_module_abi_v2(module) && !sig->strict && !sig->trigger;
	/* ABI v2 follows the canonical limit on flat parameters; v1 never had one. */
	why->spill = pgwasm_module_abi_v2(module) && !sig->trigger &&
		(why->null_aware ? sig->nparams_opt : sig->nparams) > PGWASM_MAX_FLAT_PARAMS;
	ok = export_fits(sig, &t.func, why->null_aware, why->spill, &why->form);
	if (!ok)
	{
		PgwasmRetForm other;
		bool		other_spill = pgwasm_module_abi_v2(module) &&
			(!why->null_aware ? sig->nparams_opt : sig->nparams) > PGWASM_MAX_FLAT_PARAMS;

		why->message = psprintf("function %s does not match export \"%s\" of wasm module \"%s\"",
								fdesc, export, modname);
		why->detail = psprintf("SQL signature %s%s needs the Wasm type %s; the export has type %s.",
							   format_sql_signature(sig),
							   why->null_aware ? " (not STRICT, ABI v2: options)" : "",
							   format_expected(sig, why->null_aware, why->spill, export),
							   pgwasm_format_functype(&t.func));
		why->reason = why->detail;
		/* Would the other choice of STRICT fit?  Then that is the likely slip. */
		if (pgwasm_module_abi_v2(module) && !sig->trigger &&
			export_fits(sig, &t.func, !why->null_aware, other_spill, &other))
			why->hint = why->null_aware ?
				pstrdup("The export takes plain values: declare the function STRICT.") :
				pstrdup("The export takes options: declare the function without STRICT (CALLED ON NULL INPUT).");
		return true;
	}

	if (sig->retset)
	{
		static const uint8 handle[] = {WRT_I32};
		char	   *next = psprintf("%s_next", export);
		char	   *close = psprintf("%s_close", export);
		wrt_externtype c;

		/* Rows come from <export>_next(handle) -> pointer to a row variant. */
		if (!export_is_func(module, next, handle, 1, WRT_I32))
		{
			why->message = psprintf("wasm module \"%s\" has no export \"%s\" of type (i32) -> i32, which the set-returning function %s needs",
									modname, next, fdesc);
			why->detail = psprintf("Export \"%s\" opens a cursor; \"%s\" returns its rows, one per call.", export, next);
			why->reason = psprintf("The module has no export \"%s\" (i32) -> i32 for the rows of the set.", next);
			return true;
		}
		if (wrt_module_find_export(module, close, strlen(close), &c) &&
			(c.kind != WRT_EXTERN_FUNC || c.func.nparams != 1 || c.func.params[0] != WRT_I32 ||
			 c.func.nresults != 0))
		{
			why->message = psprintf("export \"%s\" of wasm module \"%s\" is not of type (i32) -> ()",
									close, modname);
			why->detail = psprintf("Function %s calls it to close a cursor that was not read to its end.", fdesc);
			why->reason = psprintf("Export \"%s\" is not of type (i32) -> ().", close);
			return true;
		}
	}
	if (sig->buffer_args || why->spill)
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
						const char *export, const char *fdesc, bool *null_aware, bool *spill)
{
	PgwasmMismatch why;

	if (pgwasm_sig_mismatch(sig, module, modname, export, fdesc, &why))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg_internal("%s", why.message),
				 why.detail ? errdetail_internal("%s", why.detail) : 0,
				 why.hint ? errhint("%s", why.hint) : 0));
	if (null_aware)
		*null_aware = why.null_aware;
	if (spill)
		*spill = why.spill;
	return why.form;
}
