/*
 * reader.c — the out-of-line half of the instruction reader of reader.h:
 * prefixed opcodes, every immediate kind in its general form (multi-byte
 * LEB128s, block types, br_table vectors, typed select, memory arguments,
 * SIMD lanes and 16-byte constants) and all error reporting.  wrt_insn_next()
 * in the header handles the frequent short forms inline and comes here for
 * the rest, so this file is the complete definition of the encoding and the
 * inline part only a shortcut through it.  The immediate kind comes from
 * the opcode's opcodes.def row; the one switch below is over those kinds
 * (enum wrt_imm), never over opcodes.
 */
#include "reader.h"

/* An unsigned LEB128 u32: the one- and two-byte forms (indices, labels,
 * offsets below 16384) inline, the rest and all errors by the shared
 * reader of module.c. */
static inline bool
read_u32(wrt_reader *r, uint32_t *v)
{
	const uint8_t *p = r->p;
	if (WRT_LIKELY(p < r->end && p[0] < 0x80))
	{
		*v = p[0];
		r->p = p + 1;
		return true;
	}
	if (p + 1 < r->end && p[1] < 0x80)
	{
		*v = (uint32_t) (p[0] & 0x7f) | (uint32_t) p[1] << 7;
		r->p = p + 2;
		return true;
	}
	return wrt_read_u32(r, v);
}

static bool
malformed_at(wrt_insn_reader *rd, const uint8_t *at, const char *msg)
{
	return wrt_set_error(rd->r.err, WRT_ERR_MALFORMED, (uint32_t) (at - rd->r.base), "%s", msg);
}

/* Value types are one-byte signed LEBs in the reference decoder, so a byte
 * with the continuation bit set is an over-long integer, not a bad type. */
static bool
read_valtype(wrt_insn_reader *rd, uint8_t *out)
{
	const uint8_t *at = rd->r.p;
	uint8_t b;
	if (!wrt_read_u8(&rd->r, &b))
		return false;
	if (wrt_is_valtype(b))
	{
		*out = b;
		return true;
	}
	return malformed_at(rd, at, (b & 0x80) ? "integer representation too long"
						: "malformed value type");
}

static bool
read_reftype(wrt_insn_reader *rd, uint8_t *out)
{
	const uint8_t *at = rd->r.p;
	uint8_t b;
	if (!wrt_read_u8(&rd->r, &b))
		return false;
	if (b == WRT_FUNCREF || b == WRT_EXTERNREF)
	{
		*out = b;
		return true;
	}
	return malformed_at(rd, at, (b & 0x80) ? "integer representation too long"
						: "malformed reference type");
}

/* A memory index of the 2.0 encoding of memory.size/grow/init/copy/fill:
 * exactly one zero byte (a multi-byte LEB zero is malformed too). */
static bool
read_zero_byte(wrt_insn_reader *rd, uint32_t *mem)
{
	const uint8_t *at = rd->r.p;
	uint8_t b;
	if (!wrt_read_u8(&rd->r, &b))
		return false;
	if (b != 0)
		return malformed_at(rd, at, "zero byte expected");
	*mem = 0;
	return true;
}

/*
 * Block type: 0x40 (empty), a one-byte value type, or a non-negative s33
 * type index.  A byte 0x40..0x7f is a one-byte negative s33, so it must be
 * a value type; any other negative s33 decodes but names no type.
 */
static bool
read_blocktype(wrt_insn_reader *rd, wrt_insn *in)
{
	if (rd->r.p >= rd->r.end)
	{
		uint8_t b;
		return wrt_read_u8(&rd->r, &b);     /* reports the end */
	}
	uint8_t b = *rd->r.p;
	if (b == 0x40)
	{
		rd->r.p++;
		in->block.kind = WRT_BLOCK_EMPTY;
		return true;
	}
	if ((b & 0xc0) == 0x40)
	{
		in->block.kind = WRT_BLOCK_VALUE;
		return read_valtype(rd, &in->block.valtype);
	}
	int64_t x;
	if (!wrt_read_s33(&rd->r, &x))
		return false;
	if (x < 0)
		in->block.kind = WRT_BLOCK_BADTYPE;
	else
	{
		in->block.kind = WRT_BLOCK_FUNCTYPE;
		in->block.type = (uint32_t) x;
	}
	return true;
}

/*
 * Memory argument: alignment flags, [memory index], offset.  Wasm 2.0 reads
 * the flags as the alignment exponent, valid only up to 4; multi-memory
 * gives bit 6 the meaning "a memory index follows".  Flags at or above 0x80
 * keep their 2.0 reading (an alignment the validator rejects).
 */
static bool
read_memarg(wrt_insn_reader *rd, wrt_memarg *ma)
{
	uint32_t flags;
	if (!read_u32(&rd->r, &flags))
		return false;
	ma->mem = 0;
	if ((flags & 0x40) && flags < 0x80)
	{
		flags &= ~0x40u;
		if (!read_u32(&rd->r, &ma->mem))
			return false;
	}
	ma->align = flags;
	return read_u32(&rd->r, &ma->offset);
}

/* memory.init and data.drop name data segments, which the binary format
 * allows only after a data count section. */
static bool
check_datacount(wrt_insn_reader *rd, const wrt_insn *in)
{
	if (rd->datacount_missing)
		return malformed_at(rd, in->pos, "data count section required");
	return true;
}

/* Also reached directly from wrt_insn_next(), sparing the dispatch: a
 * table of few labels is about as common as a block in compiled code. */
bool
wrt_insn_read_br_table(wrt_insn_reader *rd, wrt_insn *in)
{
	wrt_reader *r = &rd->r;
	uint32_t n, label = 0;
	if (!read_u32(r, &n))
		return false;
	in->br_table.count = n;
	in->br_table.labels = r->p;
	/* n + 1 labels, the default last.  Each takes at least a byte, so a
	 * huge n stops at the end of the input.  The cursor stays in a local
	 * across one-byte labels (the usual kind). */
	const uint8_t *p = r->p, *end = r->end;
	for (uint64_t i = 0; i <= n; i++)
	{
		if (WRT_LIKELY(p < end && p[0] < 0x80))
			label = *p++;
		else if (p + 1 < end && p[1] < 0x80)
		{
			label = (uint32_t) (p[0] & 0x7f) | (uint32_t) p[1] << 7;
			p += 2;
		}
		else
		{
			r->p = p;
			if (!wrt_read_u32(r, &label))
				return false;
			p = r->p;
		}
	}
	r->p = p;
	in->br_table.default_label = label;
	return true;
}

/* The immediates of in->op, the cursor just past its opcode. */
bool
wrt_insn_read_immediates(wrt_insn_reader *rd, wrt_insn *in)
{
	wrt_reader *r = &rd->r;
	const uint8_t *bytes;

	switch ((wrt_imm) wrt_opinfo_table[in->op].imm)
	{
		case WRT_IMM_NONE:
			return true;
		case WRT_IMM_BLOCK:
			return read_blocktype(rd, in);
		case WRT_IMM_LABEL:
		case WRT_IMM_FUNC:
		case WRT_IMM_LOCAL:
		case WRT_IMM_GLOBAL:
		case WRT_IMM_TABLE:
		case WRT_IMM_ELEM:
			return read_u32(r, &in->index);
		case WRT_IMM_DATA:
			return check_datacount(rd, in) && read_u32(r, &in->index);
		case WRT_IMM_BR_TABLE:
			return wrt_insn_read_br_table(rd, in);
		case WRT_IMM_CALL_INDIRECT:
			return read_u32(r, &in->call_indirect.type)
				&& read_u32(r, &in->call_indirect.table);
		case WRT_IMM_SELECT_T:
			{
				/* Every listed type is decoded, so decoding goes on past a
				 * wrong arity; the validator rejects count != 1. */
				uint32_t n;
				if (!read_u32(r, &n))
					return false;
				in->select.count = n;
				in->select.type = 0;
				for (uint32_t i = 0; i < n; i++)
				{
					uint8_t t;
					if (!read_valtype(rd, &t))
						return false;
					if (i == 0)
						in->select.type = t;
				}
				return true;
			}
		case WRT_IMM_MEMIDX:
			return read_zero_byte(rd, &in->index);
		case WRT_IMM_I32:
			return wrt_read_s32(r, &in->i32);
		case WRT_IMM_I64:
			return wrt_read_s64(r, &in->i64);
		case WRT_IMM_F32:
			if (!wrt_read_bytes(r, 4, &bytes))
				return false;
			in->f32_bits = (uint32_t) bytes[0] | (uint32_t) bytes[1] << 8
				| (uint32_t) bytes[2] << 16 | (uint32_t) bytes[3] << 24;
			return true;
		case WRT_IMM_F64:
			if (!wrt_read_bytes(r, 8, &bytes))
				return false;
			in->f64_bits = 0;
			for (int i = 0; i < 8; i++)
				in->f64_bits |= (uint64_t) bytes[i] << (8 * i);
			return true;
		case WRT_IMM_REFTYPE:
			return read_reftype(rd, &in->reftype);
		case WRT_IMM_DATA_MEM:
			return check_datacount(rd, in) && read_u32(r, &in->memory_init.data)
				&& read_zero_byte(rd, &in->memory_init.mem);
		case WRT_IMM_MEM_MEM:
			return read_zero_byte(rd, &in->copy.dst) && read_zero_byte(rd, &in->copy.src);
		case WRT_IMM_ELEM_TABLE:
			return read_u32(r, &in->table_init.elem) && read_u32(r, &in->table_init.table);
		case WRT_IMM_TABLE_TABLE:
			return read_u32(r, &in->copy.dst) && read_u32(r, &in->copy.src);
		case WRT_IMM_MEMARG:
			return read_memarg(rd, &in->memarg);
		case WRT_IMM_LANE:
			return wrt_read_u8(r, &in->lane);
		case WRT_IMM_MEMARG_LANE:
			return read_memarg(rd, &in->memarg) && wrt_read_u8(r, &in->lane);
		case WRT_IMM_V128:
		case WRT_IMM_SHUFFLE:
			return wrt_read_bytes(r, 16, &in->bytes);
	}
	/* Only a row of opcodes.def with an immediate kind this switch lacks
	 * (the compiler's -Wswitch names it) can get here. */
	return malformed_at(rd, in->pos, "illegal opcode");
}

bool
wrt_insn_next_slow(wrt_insn_reader *rd, wrt_insn *in)
{
	wrt_reader *r = &rd->r;
	uint8_t byte;
	uint32_t sub = 0;

	in->pos = r->p;
	if (!wrt_read_u8(r, &byte))
		return false;
	if ((byte == 0xfc || byte == 0xfd) && !read_u32(r, &sub))
		return false;
	int op = wrt_op_lookup(byte, sub);
	if (op < 0)
		return malformed_at(rd, in->pos, "illegal opcode");
	in->op = (uint16_t) op;
	return wrt_insn_read_immediates(rd, in);
}
