/*
 * test_reader.c — the one reader of Wasm instructions (runtime/reader.h):
 * every opcode of opcodes.def decodes to itself with the immediate kind of
 * its row and consumes exactly its encoding; each immediate kind decodes
 * its values (multi-byte LEB128s, signed constants, block types, br_table
 * vectors, memory arguments in the 2.0 and multi-memory forms, lanes,
 * 16-byte constants); truncated and malformed immediates are errors with
 * the spec suite's messages and offsets, and nothing past the given end is
 * read (the truncated copies are allocated to their exact size, so the
 * AddressSanitizer build catches an over-read).  Last, the extended-const
 * drift: integer add/sub/mul in constant expressions validate and evaluate.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "reader.h"

/* Decode one instruction from a malloc'd copy of exactly n bytes. */
typedef struct decoded {
	bool ok;
	wrt_insn in;
	size_t used;                /* bytes consumed */
	wrt_error err;
} decoded;

static decoded
decode_n(const uint8_t *bytes, size_t n, bool datacount_missing)
{
	decoded d;
	uint8_t *copy = malloc(n ? n : 1);
	wrt_insn_reader rd;

	memset(&d, 0, sizeof(d));
	memcpy(copy, bytes, n);
	wrt_insn_reader_init(&rd, copy, copy, copy + n, &d.err);
	rd.datacount_missing = datacount_missing;
	d.ok = wrt_insn_next(&rd, &d.in);
	d.used = (size_t) (rd.r.p - copy);
	/* Pointers into the copy are not used after this. */
	d.in.pos = NULL;
	free(copy);
	return d;
}

#define DECODE(...) \
	(memcpy(buf, (const uint8_t[]) {__VA_ARGS__}, sizeof((const uint8_t[]) {__VA_ARGS__})), \
	 decode_n(buf, sizeof((const uint8_t[]) {__VA_ARGS__}), false))

/* Decodes to op, using all n bytes. */
#define CHECK_OP(d, want_op, n) \
	do { \
		CHECKF((d).ok, "decode failed: %s", (d).err.message); \
		CHECK_EQ((d).in.op, (want_op)); \
		CHECK_EQ((d).used, (n)); \
	} while (0)

/* Fails as malformed with a message starting msg, at offset off. */
#define CHECK_MALFORMED(d, msg, off) \
	do { \
		CHECKF(!(d).ok, "decoded, expected \"%s\"", (msg)); \
		CHECK_EQ((d).err.kind, WRT_ERR_MALFORMED); \
		CHECKF(strncmp((d).err.message, (msg), strlen(msg)) == 0, \
			   "message \"%s\", expected \"%s\"", (d).err.message, (msg)); \
		CHECK_EQ((d).err.offset, (off)); \
	} while (0)

/* ---- every opcode ---------------------------------------------------------- */

/* A well-formed encoding of op with sample immediates; its length. */
static size_t
encode(int op, uint8_t *out)
{
	const wrt_opinfo *oi = &wrt_opinfo_table[op];
	size_t n = 0;

	if (oi->code < 0x100)
		out[n++] = (uint8_t) oi->code;
	else
	{
		uint32_t sub = oi->code & 0xff;
		out[n++] = (uint8_t) (oi->code >> 8);
		if (sub < 0x80)
			out[n++] = (uint8_t) sub;
		else
		{
			out[n++] = (uint8_t) (0x80 | (sub & 0x7f));
			out[n++] = (uint8_t) (sub >> 7);
		}
	}
	switch ((wrt_imm) oi->imm)
	{
		case WRT_IMM_NONE:
			break;
		case WRT_IMM_BLOCK:
			out[n++] = 0x40;
			break;
		case WRT_IMM_LABEL:
		case WRT_IMM_FUNC:
		case WRT_IMM_LOCAL:
		case WRT_IMM_GLOBAL:
		case WRT_IMM_TABLE:
		case WRT_IMM_ELEM:
		case WRT_IMM_DATA:
			out[n++] = 0x85;    /* 5 | 1 << 7: a two-byte index */
			out[n++] = 0x01;
			break;
		case WRT_IMM_BR_TABLE:
			out[n++] = 2;
			out[n++] = 0;
			out[n++] = 1;
			out[n++] = 2;
			break;
		case WRT_IMM_CALL_INDIRECT:
		case WRT_IMM_ELEM_TABLE:
		case WRT_IMM_TABLE_TABLE:
			out[n++] = 1;
			out[n++] = 0;
			break;
		case WRT_IMM_SELECT_T:
			out[n++] = 1;
			out[n++] = WRT_I64;
			break;
		case WRT_IMM_MEMIDX:
			out[n++] = 0;
			break;
		case WRT_IMM_I32:
			out[n++] = 0x7f;
			break;
		case WRT_IMM_I64:
			out[n++] = 0x7e;
			break;
		case WRT_IMM_F32:
			for (int i = 0; i < 4; i++)
				out[n++] = (uint8_t) (0x10 + i);
			break;
		case WRT_IMM_F64:
			for (int i = 0; i < 8; i++)
				out[n++] = (uint8_t) (0x10 + i);
			break;
		case WRT_IMM_REFTYPE:
			out[n++] = WRT_EXTERNREF;
			break;
		case WRT_IMM_DATA_MEM:
			out[n++] = 3;
			out[n++] = 0;
			break;
		case WRT_IMM_MEM_MEM:
			out[n++] = 0;
			out[n++] = 0;
			break;
		case WRT_IMM_MEMARG:
			out[n++] = 2;
			out[n++] = 0x90;    /* offset 0x10 | 1 << 7 */
			out[n++] = 0x01;
			break;
		case WRT_IMM_LANE:
			out[n++] = 3;
			break;
		case WRT_IMM_MEMARG_LANE:
			out[n++] = 2;
			out[n++] = 0x10;
			out[n++] = 3;
			break;
		case WRT_IMM_V128:
		case WRT_IMM_SHUFFLE:
			for (int i = 0; i < 16; i++)
				out[n++] = (uint8_t) i;
			break;
	}
	return n;
}

void
test_reader_every_opcode(void)
{
	uint8_t buf[64];

	for (int op = 0; op < WRT_OP_COUNT_; op++)
	{
		const wrt_opinfo *oi = &wrt_opinfo_table[op];
		uint32_t slot = WRT_OPCODE_SLOT(oi->code);

		/* The constant lookup tables agree with the row. */
		CHECKF(wrt_op_by_code[slot] == op + 1, "%s: wrt_op_by_code", oi->name);
		CHECKF(wrt_imm_by_code[slot] == oi->imm, "%s: wrt_imm_by_code", oi->name);
		CHECKF(wrt_op_lookup((uint8_t) (oi->code < 0x100 ? oi->code : oi->code >> 8),
							 oi->code < 0x100 ? 0 : oi->code & 0xff) == op,
			   "%s: wrt_op_lookup", oi->name);

		size_t n = encode(op, buf);
		decoded d = decode_n(buf, n, false);
		CHECKF(d.ok, "%s: %s", oi->name, d.err.message);
		CHECKF(d.in.op == op, "%s decoded as %s", oi->name, wrt_opinfo_table[d.in.op].name);
		CHECKF(d.used == n, "%s: used %zu of %zu bytes", oi->name, d.used, n);

		/* Every proper prefix runs out of input, and says so. */
		for (size_t k = 0; k < n; k++)
		{
			decoded t = decode_n(buf, k, false);
			CHECKF(!t.ok && t.err.kind == WRT_ERR_MALFORMED, "%s cut at %zu decoded", oi->name, k);
			CHECKF(strstr(t.err.message, "unexpected end") != NULL, "%s cut at %zu: %s",
				   oi->name, k, t.err.message);
			CHECKF(t.err.offset <= k, "%s cut at %zu: offset %u", oi->name, k, t.err.offset);
		}

		/* Data segment immediates need the data count section. */
		if (oi->imm == WRT_IMM_DATA || oi->imm == WRT_IMM_DATA_MEM)
		{
			decoded t = decode_n(buf, n, true);
			CHECK_MALFORMED(t, "data count section required", 0);
		}
	}
}

/* ---- each immediate kind ------------------------------------------------------ */

void
test_reader_immediates(void)
{
	uint8_t buf[64];
	decoded d;

	/* Block types. */
	d = DECODE(0x02, 0x40);
	CHECK_OP(d, WRT_OP_BLOCK, 2);
	CHECK_EQ(d.in.block.kind, WRT_BLOCK_EMPTY);
	d = DECODE(0x03, WRT_F64);
	CHECK_OP(d, WRT_OP_LOOP, 2);
	CHECK_EQ(d.in.block.kind, WRT_BLOCK_VALUE);
	CHECK_EQ(d.in.block.valtype, WRT_F64);
	d = DECODE(0x04, 0x05);
	CHECK_OP(d, WRT_OP_IF, 2);
	CHECK_EQ(d.in.block.kind, WRT_BLOCK_FUNCTYPE);
	CHECK_EQ(d.in.block.type, 5);
	d = DECODE(0x02, 0x80, 0x01);                   /* type 128 */
	CHECK_OP(d, WRT_OP_BLOCK, 3);
	CHECK_EQ(d.in.block.kind, WRT_BLOCK_FUNCTYPE);
	CHECK_EQ(d.in.block.type, 128);
	d = DECODE(0x02, 0xff, 0x7f);                   /* s33 -1: names no type */
	CHECK_OP(d, WRT_OP_BLOCK, 3);
	CHECK_EQ(d.in.block.kind, WRT_BLOCK_BADTYPE);

	/* Indices, one to five bytes. */
	d = DECODE(0x20, 0x07);
	CHECK_OP(d, WRT_OP_LOCAL_GET, 2);
	CHECK_EQ(d.in.index, 7);
	d = DECODE(0x23, 0xff, 0xff, 0xff, 0xff, 0x0f);
	CHECK_OP(d, WRT_OP_GLOBAL_GET, 6);
	CHECK_EQ(d.in.index, UINT32_MAX);
	d = DECODE(0x10, 0x80, 0x80, 0x01);
	CHECK_OP(d, WRT_OP_CALL, 4);
	CHECK_EQ(d.in.index, 1 << 14);
	d = DECODE(0x11, 0x03, 0x01);
	CHECK_OP(d, WRT_OP_CALL_INDIRECT, 3);
	CHECK_EQ(d.in.call_indirect.type, 3);
	CHECK_EQ(d.in.call_indirect.table, 1);

	/* br_table: the labels stay encoded, the default is decoded. */
	d = DECODE(0x0e, 0x03, 0x00, 0x81, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x02);
	CHECK_OP(d, WRT_OP_BR_TABLE, 11);
	CHECK_EQ(d.in.br_table.count, 3);
	CHECK_EQ(d.in.br_table.default_label, 2);
	{
		wrt_insn_reader rd;
		wrt_insn in;
		wrt_error err;
		wrt_insn_reader_init(&rd, buf, buf, buf + 11, &err);
		CHECK(wrt_insn_next(&rd, &in));
		const uint8_t *p = in.br_table.labels;
		CHECK_EQ(wrt_br_table_label(&p), 0);
		CHECK_EQ(wrt_br_table_label(&p), 129);
		CHECK_EQ(wrt_br_table_label(&p), UINT32_MAX);
		CHECK(p == buf + 10);
	}
	d = DECODE(0x0e, 0x00, 0x04);
	CHECK_OP(d, WRT_OP_BR_TABLE, 3);
	CHECK_EQ(d.in.br_table.count, 0);
	CHECK_EQ(d.in.br_table.default_label, 4);

	/* select with types: every type decoded, the first kept. */
	d = DECODE(0x1c, 0x02, WRT_I32, WRT_V128);
	CHECK_OP(d, WRT_OP_SELECT_T, 4);
	CHECK_EQ(d.in.select.count, 2);
	CHECK_EQ(d.in.select.type, WRT_I32);

	/* Constants: sign extension from every length. */
	d = DECODE(0x41, 0x3f);
	CHECK_OP(d, WRT_OP_I32_CONST, 2);
	CHECK_EQ(d.in.i32, 63);
	d = DECODE(0x41, 0x40);
	CHECK_OP(d, WRT_OP_I32_CONST, 2);
	CHECK_EQ(d.in.i32, -64);
	d = DECODE(0x41, 0x80, 0x80, 0x80, 0x80, 0x78);
	CHECK_OP(d, WRT_OP_I32_CONST, 6);
	CHECK_EQ(d.in.i32, INT32_MIN);
	d = DECODE(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f);
	CHECK_OP(d, WRT_OP_I64_CONST, 11);
	CHECK(d.in.i64 == INT64_MIN);
	d = DECODE(0x43, 0x01, 0x00, 0xc0, 0x7f);       /* a NaN with a payload */
	CHECK_OP(d, WRT_OP_F32_CONST, 5);
	CHECK_EQ(d.in.f32_bits, 0x7fc00001u);
	d = DECODE(0x44, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x88);
	CHECK_OP(d, WRT_OP_F64_CONST, 9);
	CHECK(d.in.f64_bits == 0x8807060504030201ull);
	d = DECODE(0xd0, WRT_EXTERNREF);
	CHECK_OP(d, WRT_OP_REF_NULL, 2);
	CHECK_EQ(d.in.reftype, WRT_EXTERNREF);

	/* Memory arguments: 2.0, multi-memory, and a 2.0 alignment >= 128. */
	d = DECODE(0x28, 0x02, 0x08);
	CHECK_OP(d, WRT_OP_I32_LOAD, 3);
	CHECK_EQ(d.in.memarg.align, 2);
	CHECK_EQ(d.in.memarg.mem, 0);
	CHECK_EQ(d.in.memarg.offset, 8);
	d = DECODE(0x36, 0x42, 0x01, 0x88, 0x01);
	CHECK_OP(d, WRT_OP_I32_STORE, 5);
	CHECK_EQ(d.in.memarg.align, 2);
	CHECK_EQ(d.in.memarg.mem, 1);
	CHECK_EQ(d.in.memarg.offset, 136);
	d = DECODE(0x29, 0x80, 0x01, 0x00);
	CHECK_OP(d, WRT_OP_I64_LOAD, 4);
	CHECK_EQ(d.in.memarg.align, 128);
	CHECK_EQ(d.in.memarg.mem, 0);
	d = DECODE(0x3f, 0x00);
	CHECK_OP(d, WRT_OP_MEMORY_SIZE, 2);
	CHECK_EQ(d.in.index, 0);

	/* Bulk memory and tables. */
	d = DECODE(0xfc, 0x08, 0x05, 0x00);
	CHECK_OP(d, WRT_OP_MEMORY_INIT, 4);
	CHECK_EQ(d.in.memory_init.data, 5);
	CHECK_EQ(d.in.memory_init.mem, 0);
	d = DECODE(0xfc, 0x09, 0x04);
	CHECK_OP(d, WRT_OP_DATA_DROP, 3);
	CHECK_EQ(d.in.index, 4);
	d = DECODE(0xfc, 0x0a, 0x00, 0x00);
	CHECK_OP(d, WRT_OP_MEMORY_COPY, 4);
	d = DECODE(0xfc, 0x0c, 0x01, 0x02);
	CHECK_OP(d, WRT_OP_TABLE_INIT, 4);
	CHECK_EQ(d.in.table_init.elem, 1);
	CHECK_EQ(d.in.table_init.table, 2);
	d = DECODE(0xfc, 0x0e, 0x01, 0x02);
	CHECK_OP(d, WRT_OP_TABLE_COPY, 4);
	CHECK_EQ(d.in.copy.dst, 1);
	CHECK_EQ(d.in.copy.src, 2);
	d = DECODE(0xfc, 0x80, 0x00);                   /* over-long sub-opcode 0 */
	CHECK_OP(d, WRT_OP_I32_TRUNC_SAT_F32_S, 3);

	/* SIMD: lanes, lane memory access, 16-byte immediates, a two-byte
	 * sub-opcode. */
	d = DECODE(0xfd, 0x15, 0x0f);
	CHECK_OP(d, WRT_OP_I8X16_EXTRACT_LANE_S, 3);
	CHECK_EQ(d.in.lane, 15);
	d = DECODE(0xfd, 0x54, 0x00, 0x04, 0x07);
	CHECK_OP(d, WRT_OP_V128_LOAD8_LANE, 5);
	CHECK_EQ(d.in.memarg.offset, 4);
	CHECK_EQ(d.in.lane, 7);
	d = DECODE(0xfd, 0x0c, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff);
	CHECK_OP(d, WRT_OP_V128_CONST, 18);
	d = DECODE(0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31);
	CHECK_OP(d, WRT_OP_I8X16_SHUFFLE, 18);
	d = DECODE(0xfd, 0x80, 0x01);
	CHECK_OP(d, WRT_OP_I16X8_ABS, 3);
	{
		/* The 16 bytes are the immediate itself, in place. */
		wrt_insn_reader rd;
		wrt_insn in;
		wrt_error err;
		memcpy(buf, (const uint8_t[]) {0xfd, 0x0c, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff}, 18);
		wrt_insn_reader_init(&rd, buf, buf, buf + 18, &err);
		CHECK(wrt_insn_next(&rd, &in));
		CHECK(in.bytes == buf + 2);
		CHECK(wrt_insn_at_end(&rd));
	}

	/* The peek used by the compiler's branch fusion. */
	{
		wrt_insn_reader rd;
		wrt_error err;
		memcpy(buf, (const uint8_t[]) {0x0d, 0xfc}, 2);
		wrt_insn_reader_init(&rd, buf, buf, buf + 2, &err);
		CHECK_EQ(wrt_insn_peek_op(&rd), WRT_OP_BR_IF);
		rd.r.p++;
		CHECK_EQ(wrt_insn_peek_op(&rd), -1);    /* prefixed: not looked into */
		rd.r.p++;
		CHECK_EQ(wrt_insn_peek_op(&rd), -1);    /* the end */
	}
}

/* ---- malformed immediates --------------------------------------------------- */

void
test_reader_malformed(void)
{
	uint8_t buf[64];
	decoded d;

	d = DECODE(0x06);
	CHECK_MALFORMED(d, "illegal opcode", 0);
	d = DECODE(0xfc, 0x7f);
	CHECK_MALFORMED(d, "illegal opcode", 0);
	d = DECODE(0xfd, 0x80, 0x04);                   /* sub-opcode 512 */
	CHECK_MALFORMED(d, "illegal opcode", 0);
	d = DECODE(0xfd, 0xff, 0xff, 0xff, 0xff, 0x7f);
	CHECK_MALFORMED(d, "integer too large", 5);

	/* 2.0 memory indices: one zero byte, nothing else. */
	d = DECODE(0x3f, 0x01);
	CHECK_MALFORMED(d, "zero byte expected", 1);
	d = DECODE(0x40, 0x80, 0x00);
	CHECK_MALFORMED(d, "zero byte expected", 1);
	d = DECODE(0xfc, 0x0a, 0x00, 0x01);
	CHECK_MALFORMED(d, "zero byte expected", 3);
	d = DECODE(0xfc, 0x0b, 0x02);
	CHECK_MALFORMED(d, "zero byte expected", 2);
	d = DECODE(0xfc, 0x08, 0x00, 0x01);
	CHECK_MALFORMED(d, "zero byte expected", 3);

	/* Types. */
	d = DECODE(0x02, 0x41);
	CHECK_MALFORMED(d, "malformed value type", 1);
	d = DECODE(0x1c, 0x01, 0x40);
	CHECK_MALFORMED(d, "malformed value type", 2);
	d = DECODE(0x1c, 0x02, WRT_I32, 0x80);
	CHECK_MALFORMED(d, "integer representation too long", 3);
	d = DECODE(0xd0, WRT_I32);
	CHECK_MALFORMED(d, "malformed reference type", 1);
	d = DECODE(0xd0, 0xf0);
	CHECK_MALFORMED(d, "integer representation too long", 1);

	/* LEB128s: over-long, and spare bits that disagree with the value. */
	d = DECODE(0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
	CHECK_MALFORMED(d, "integer representation too long", 5);
	d = DECODE(0x20, 0x80, 0x80, 0x80, 0x80, 0x10);
	CHECK_MALFORMED(d, "integer too large", 5);
	d = DECODE(0x41, 0x80, 0x80, 0x80, 0x80, 0x70);
	CHECK_MALFORMED(d, "integer too large", 5);
	d = DECODE(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
	CHECK_MALFORMED(d, "integer representation too long", 10);
	d = DECODE(0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
	CHECK_MALFORMED(d, "integer representation too long", 6);
	d = DECODE(0x0e, 0x02, 0x00, 0x80, 0x80, 0x80, 0x80, 0x40);   /* a bad label */
	CHECK_MALFORMED(d, "integer too large", 7);

	/* A huge br_table count stops at the end of the input. */
	d = DECODE(0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00);
	CHECKF(!d.ok && strstr(d.err.message, "unexpected end"), "%s", d.err.message);
	d = DECODE(0x1c, 0xff, 0xff, 0xff, 0xff, 0x0f, WRT_I32);
	CHECKF(!d.ok && strstr(d.err.message, "unexpected end"), "%s", d.err.message);

	/* The end given is the end: a completing byte just past it is never
	 * read (decode_n copies exactly n bytes). */
	memcpy(buf, (const uint8_t[]) {0x41, 0x80, 0x01}, 3);
	d = decode_n(buf, 2, false);
	CHECKF(!d.ok && strstr(d.err.message, "unexpected end"), "%s", d.err.message);
	d = decode_n(buf, 0, false);
	CHECKF(!d.ok && strstr(d.err.message, "unexpected end"), "%s", d.err.message);
}

/* ---- extended-const ------------------------------------------------------------ */

/*
 * A module with one immutable global of type t, initialised by expr (its
 * instructions without the final end), exported as "g"; or, with data, a
 * one-page memory exported as "m" with the data segment "*" at offset expr
 * instead of the global.
 */
static size_t
const_module(uint8_t *out, uint8_t t, const uint8_t *expr, size_t n, bool data)
{
	size_t k = 0;
	static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
	memcpy(out, head, sizeof(head));
	k = sizeof(head);
	if (data)
	{
		/* memory section: one memory, min 1 */
		memcpy(out + k, (const uint8_t[]) {0x05, 0x03, 0x01, 0x00, 0x01}, 5);
		k += 5;
		/* export section: "m" memory 0 */
		memcpy(out + k, (const uint8_t[]) {0x07, 0x05, 0x01, 0x01, 'm', 0x02, 0x00}, 7);
		k += 7;
		/* data section: one active segment for memory 0 */
		out[k++] = 0x0b;
		out[k++] = (uint8_t) (n + 5);
		out[k++] = 0x01;
		out[k++] = 0x00;
		memcpy(out + k, expr, n);
		k += n;
		out[k++] = 0x0b;
		out[k++] = 0x01;
		out[k++] = '*';
		return k;
	}
	/* global section */
	out[k++] = 0x06;
	out[k++] = (uint8_t) (n + 4);
	out[k++] = 0x01;
	out[k++] = t;
	out[k++] = 0x00;
	memcpy(out + k, expr, n);
	k += n;
	out[k++] = 0x0b;
	/* export section: "g" global 0 */
	memcpy(out + k, (const uint8_t[]) {0x07, 0x05, 0x01, 0x01, 'g', 0x03, 0x00}, 7);
	k += 7;
	return k;
}

/* Load the global module; false (and err) if it does not load. */
static bool
const_value(uint8_t t, const uint8_t *expr, size_t n, wrt_value *v, wrt_error *err)
{
	uint8_t bytes[256];
	size_t len = const_module(bytes, t, expr, n, false);
	wrt_module *m;
	wrt_store *s;
	wrt_instance *inst;
	wrt_extern g;

	memset(err, 0, sizeof(*err));
	m = wrt_module_load(bytes, len, NULL, err);
	if (!m)
		return false;
	s = wrt_store_new(NULL);
	inst = s ? wrt_instantiate(s, m, NULL, 0, err) : NULL;
	bool ok = inst && wrt_instance_export(inst, "g", 1, &g) && g.kind == WRT_EXTERN_GLOBAL;
	if (ok)
		*v = wrt_global_get(g.u.global);
	else if (err->kind == WRT_OK)
		err->kind = WRT_ERR_TRAP;
	if (s)
		wrt_store_free(s);
	wrt_module_free(m);
	return ok;
}

#define CONST_IS(t, field, want, ...) \
	do { \
		const uint8_t e_[] = {__VA_ARGS__}; \
		wrt_value v_; \
		wrt_error err_; \
		CHECKF(const_value((t), e_, sizeof(e_), &v_, &err_), "line %d: %s", __LINE__, err_.message); \
		CHECK_EQ(v_.field, (want)); \
	} while (0)

#define CONST_FAILS(t, want_kind, msg, ...) \
	do { \
		const uint8_t e_[] = {__VA_ARGS__}; \
		wrt_value v_; \
		wrt_error err_; \
		CHECKF(!const_value((t), e_, sizeof(e_), &v_, &err_), "line %d loaded", __LINE__); \
		CHECK_EQ(err_.kind, (want_kind)); \
		CHECK_CONTAINS(err_.message, (msg)); \
	} while (0)

void
test_reader_extended_const(void)
{
	/* 40 + 2, 10 - 3, 6 * 7, wrapping 65536 * 65536 */
	CONST_IS(WRT_I32, i32, 42, 0x41, 40, 0x41, 2, 0x6a);
	CONST_IS(WRT_I32, i32, 7, 0x41, 10, 0x41, 3, 0x6b);
	CONST_IS(WRT_I32, i32, 42, 0x41, 6, 0x41, 7, 0x6c);
	CONST_IS(WRT_I32, i32, 0, 0x41, 0x80, 0x80, 0x04, 0x41, 0x80, 0x80, 0x04, 0x6c);
	/* -1 * 3, INT64_MAX + 1 wraps */
	CONST_IS(WRT_I64, i64, -3, 0x42, 0x7f, 0x42, 3, 0x7e);
	CONST_IS(WRT_I64, i64, 0, 0x42, 5, 0x42, 5, 0x7d);
	CONST_IS(WRT_I64, bits, 0x8000000000000000ull,
			 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x42, 1, 0x7c);
	/* (6 * 7) + (1 - 1), then a deeper stack than the evaluator's first 16 */
	CONST_IS(WRT_I32, i32, 42, 0x41, 6, 0x41, 7, 0x6c, 0x41, 1, 0x41, 1, 0x6b, 0x6a);
	CONST_IS(WRT_I32, i32, 20,
			 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1,
			 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1, 0x41, 1,
			 0x41, 1, 0x41, 1,
			 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a, 0x6a,
			 0x6a, 0x6a, 0x6a, 0x6a, 0x6a);

	/* Still invalid: mixed types, too few operands, operators outside the
	 * extended-const set, a result of the wrong type. */
	CONST_FAILS(WRT_I32, WRT_ERR_INVALID, "type mismatch", 0x41, 1, 0x42, 1, 0x6a);
	CONST_FAILS(WRT_I32, WRT_ERR_INVALID, "type mismatch", 0x41, 1, 0x6a);
	CONST_FAILS(WRT_I64, WRT_ERR_INVALID, "type mismatch", 0x41, 1, 0x41, 1, 0x6a);
	CONST_FAILS(WRT_I32, WRT_ERR_INVALID, "constant expression required", 0x41, 1, 0x41, 1, 0x6d);
	CONST_FAILS(WRT_I32, WRT_ERR_INVALID, "constant expression required", 0x41, 1, 0x41, 1, 0x71);
	CONST_FAILS(WRT_F32, WRT_ERR_INVALID, "constant expression required",
				0x43, 0, 0, 0, 0, 0x43, 0, 0, 0, 0, 0x92);
	CONST_FAILS(WRT_I32, WRT_ERR_INVALID, "constant expression required", 0x41, 1, 0x45);
	/* Malformed immediates inside the expression are found by the decoder. */
	CONST_FAILS(WRT_I32, WRT_ERR_MALFORMED, "zero byte expected", 0x3f, 0x01);

	/* A data segment offset computed by extended-const. */
	{
		uint8_t bytes[256];
		const uint8_t e[] = {0x41, 8, 0x41, 2, 0x6c, 0x41, 4, 0x6b};   /* 8 * 2 - 4 */
		size_t len = const_module(bytes, 0, e, sizeof(e), true);
		wrt_error err;
		wrt_module *m = wrt_module_load(bytes, len, NULL, &err);
		CHECKF(m, "%s", err.message);
		wrt_store *s = wrt_store_new(NULL);
		wrt_instance *inst = s ? wrt_instantiate(s, m, NULL, 0, &err) : NULL;
		wrt_extern mem;
		bool ok = inst && wrt_instance_export(inst, "m", 1, &mem) && mem.kind == WRT_EXTERN_MEMORY;
		uint8_t at11 = ok ? wrt_memory_data(mem.u.memory)[11] : 0;
		uint8_t at12 = ok ? wrt_memory_data(mem.u.memory)[12] : 0;
		if (s)
			wrt_store_free(s);
		wrt_module_free(m);
		CHECK(ok);
		CHECK_EQ(at11, 0);
		CHECK_EQ(at12, '*');
	}
}
