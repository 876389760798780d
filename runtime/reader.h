/*
 * reader.h — the one reader of WebAssembly instructions.
 *
 * Function bodies and constant expressions are sequences of instructions:
 * an opcode (one byte, or a 0xFC / 0xFD prefix and a LEB128 sub-opcode)
 * followed by immediates whose layout depends on the opcode.  This is the
 * only place in the runtime that decodes that layout.  wrt_insn_next() reads
 * the instruction at the cursor, finds the opcode's row in the table that
 * opcodes.def generates, takes the immediate kind (enum wrt_imm) from that
 * row — never from a list of opcodes of its own — decodes the immediates
 * with bounds checks and fills a wrt_insn.  Its clients are the validator
 * (the only one that sees unvalidated bodies), the compiler to register
 * code, constant-expression validation and evaluation, the decoder's scan
 * for the end of a constant expression, and any later tier (an LLVM back
 * end) that wants the instruction stream without re-implementing the binary
 * format.  Only the encoding is checked here; what an index or a type means
 * is the validator's business.
 *
 * Errors are values, never longjmp: on a malformed encoding wrt_insn_next()
 * returns false after recording, in the reader's wrt_error, a MALFORMED
 * error with the message the official spec test suite expects ("illegal
 * opcode", "zero byte expected", "malformed value type", "integer
 * representation too long", "unexpected end of section or function", ...)
 * at the module offset of the offending byte.  Reading never goes past the
 * end given to wrt_insn_reader_init().
 *
 * Speed: module load is dominated by this loop, so the common case — a
 * one-byte opcode with no immediate or with one-byte LEB128 immediates — is
 * decoded inline in the caller, the opcode and its immediate kind each one
 * load from a constant table indexed by the byte; longer encodings,
 * prefixed opcodes, br_table vectors and every error go out of line to
 * reader.c, which is the complete definition of the encoding (the inline
 * part is only a shortcut through it).
 *
 * Supported encodings: WebAssembly 2.0 (SIMD included), the extended-const
 * proposal (which adds no encoding, only allows more instructions in
 * constant expressions), and the multi-memory form of the memory argument of
 * loads and stores (bit 6 of the alignment field announces a memory index).
 * memory.size/grow, memory.init/copy/fill keep the 2.0 encoding of their
 * memory index: one 0x00 byte.
 */
#ifndef WRT_READER_H
#define WRT_READER_H

#include "internal.h"
#include "opcodes.h"

/* Block types: what follows block, loop and if. */
typedef enum wrt_blockkind {
	WRT_BLOCK_EMPTY,            /* 0x40: no parameters, no results */
	WRT_BLOCK_VALUE,            /* one result of type valtype */
	WRT_BLOCK_FUNCTYPE,         /* parameters and results of type index `type` */
	WRT_BLOCK_BADTYPE           /* a negative s33 that is no value type: names
	                             * no type (the validator's "unknown type") */
} wrt_blockkind;

/* The memory argument of loads and stores (and of lane loads/stores). */
typedef struct wrt_memarg {
	uint32_t align;             /* log2 of the alignment hint, as encoded */
	uint32_t mem;               /* memory index; 0 unless the flags gave one */
	uint32_t offset;            /* constant added to the address operand */
} wrt_memarg;

/*
 * One decoded instruction.  Which member of the union is meaningful follows
 * from wrt_opinfo_table[op].imm (opcodes.h):
 *   NONE           nothing
 *   BLOCK          block
 *   LABEL          index (label depth)
 *   BR_TABLE       br_table (the labels stay encoded: wrt_br_table_label)
 *   FUNC, LOCAL, GLOBAL, TABLE, ELEM, DATA   index
 *   CALL_INDIRECT  call_indirect
 *   SELECT_T       select
 *   MEMIDX         index (always 0: one zero byte)
 *   I32, I64       i32, i64 (sign-extended values)
 *   F32, F64       f32_bits, f64_bits (IEEE bit patterns, NaN payloads kept)
 *   REFTYPE        reftype
 *   DATA_MEM       memory_init (memory.init: data segment, memory)
 *   MEM_MEM        copy (memory.copy: destination and source memories)
 *   ELEM_TABLE     table_init (table.init: element segment, table)
 *   TABLE_TABLE    copy (table.copy: destination and source tables)
 *   MEMARG         memarg
 *   LANE           lane
 *   MEMARG_LANE    memarg and lane
 *   V128           bytes (16 bytes of v128.const, little-endian lanes)
 *   SHUFFLE        bytes (16 lane indices of i8x16.shuffle)
 */
typedef struct wrt_insn {
	const uint8_t *pos;         /* the opcode's first byte (error offsets) */
	uint16_t op;                /* wrt_op */
	uint8_t lane;               /* LANE, MEMARG_LANE: lane index as encoded */
	union {
		uint32_t index;
		struct {
			uint8_t kind;       /* wrt_blockkind */
			uint8_t valtype;    /* WRT_BLOCK_VALUE */
			uint32_t type;      /* WRT_BLOCK_FUNCTYPE */
		} block;
		struct {
			uint32_t count;     /* labels before the default */
			uint32_t default_label;
			const uint8_t *labels;  /* the count encoded labels, checked */
		} br_table;
		struct {
			uint32_t type, table;
		} call_indirect;
		struct {
			uint32_t count;     /* vector length as encoded (2.0 wants 1) */
			uint8_t type;       /* the first type, if count > 0 */
		} select;
		uint8_t reftype;
		int32_t i32;
		int64_t i64;
		uint32_t f32_bits;
		uint64_t f64_bits;
		struct {
			uint32_t data, mem;
		} memory_init;
		struct {
			uint32_t elem, table;
		} table_init;
		struct {
			uint32_t dst, src;
		} copy;
		wrt_memarg memarg;
		const uint8_t *bytes;
	};
} wrt_insn;

/* A cursor over instructions: a function body or a constant expression. */
typedef struct wrt_insn_reader {
	wrt_reader r;               /* p, end, module base (offsets), error sink */
	/* The module has no data count section, so memory.init and data.drop
	 * are malformed ("data count section required"): the binary format
	 * needs the count before the code that names data segments. */
	bool datacount_missing;
} wrt_insn_reader;

/* Read the instructions in [start, end) of a module whose bytes begin at
 * base; errors go to *err. */
static inline void
wrt_insn_reader_init(wrt_insn_reader *rd, const uint8_t *base, const uint8_t *start,
					 const uint8_t *end, wrt_error *err)
{
	rd->r.p = start;
	rd->r.end = end;
	rd->r.base = base;
	rd->r.err = err;
	rd->datacount_missing = false;
}

/* No bytes left: the next wrt_insn_next() would fail with "unexpected end".
 * Callers that give running out of code a message of their own test this. */
static inline bool
wrt_insn_at_end(const wrt_insn_reader *rd)
{
	return rd->r.p >= rd->r.end;
}

/* A value type's one-byte code (wasmrt.h: wrt_valtype). */
static inline bool
wrt_is_valtype(uint8_t b)
{
	return (b >= WRT_V128 && b <= WRT_I32) || b == WRT_FUNCREF || b == WRT_EXTERNREF;
}

/* What wrt_insn_next() does not decode inline: a whole instruction, or the
 * immediates of in->op with the cursor just past its one-byte opcode. */
bool wrt_insn_next_slow(wrt_insn_reader *rd, wrt_insn *in);
bool wrt_insn_read_immediates(wrt_insn_reader *rd, wrt_insn *in);
bool wrt_insn_read_br_table(wrt_insn_reader *rd, wrt_insn *in);

#if defined(__GNUC__)
#define WRT_INSN_INLINE inline __attribute__((always_inline))
#else
#define WRT_INSN_INLINE inline
#endif

/*
 * Decode the instruction at the cursor into *in and move past it.  False
 * (with the reader's error set) if it is malformed or runs past the end;
 * the cursor is then unspecified.  Forced inline: it is the per-instruction
 * hot path of validation and compilation, and the compilers' heuristics
 * would otherwise keep it a call.
 */
static WRT_INSN_INLINE bool
wrt_insn_next(wrt_insn_reader *rd, wrt_insn *in)
{
	const uint8_t *p = rd->r.p, *end = rd->r.end;
	if (WRT_UNLIKELY(p >= end))
		return wrt_insn_next_slow(rd, in);
	/* wrt_op_by_code holds op + 1, 0 for unknown bytes and the prefixes. */
	uint16_t op1 = wrt_op_by_code[*p];
	if (WRT_UNLIKELY(op1 == 0))
		return wrt_insn_next_slow(rd, in);
	in->pos = p;
	in->op = (uint16_t) (op1 - 1);
	uint8_t imm = wrt_imm_by_code[*p];
	if (imm == WRT_IMM_NONE)
	{
		rd->r.p = p + 1;
		return true;
	}
	/* One-byte LEB128 forms of the most frequent immediates. */
	if (WRT_LIKELY(p + 1 < end && p[1] < 0x80))
	{
		if (imm == WRT_IMM_LOCAL || imm == WRT_IMM_GLOBAL || imm == WRT_IMM_LABEL
			|| imm == WRT_IMM_FUNC)
		{
			in->index = p[1];
			rd->r.p = p + 2;
			return true;
		}
		if (imm == WRT_IMM_I32)
		{
			in->i32 = (int32_t) ((uint32_t) p[1] << 25) >> 25;
			rd->r.p = p + 2;
			return true;
		}
		if (imm == WRT_IMM_MEMARG && p[1] < 0x40 && p + 2 < end && p[2] < 0x80)
		{
			in->memarg.align = p[1];
			in->memarg.mem = 0;
			in->memarg.offset = p[2];
			rd->r.p = p + 3;
			return true;
		}
		if (imm == WRT_IMM_BLOCK)
		{
			/* 0x40, a value type, or a one-byte (non-negative) s33 index */
			uint8_t b = p[1];
			if (b < 0x40)
			{
				in->block.kind = WRT_BLOCK_FUNCTYPE;
				in->block.type = b;
				rd->r.p = p + 2;
				return true;
			}
			if (b == 0x40 || wrt_is_valtype(b))
			{
				in->block.kind = b == 0x40 ? WRT_BLOCK_EMPTY : WRT_BLOCK_VALUE;
				in->block.valtype = b;
				rd->r.p = p + 2;
				return true;
			}
		}
	}
	rd->r.p = p + 1;
	if (imm == WRT_IMM_BR_TABLE)
		return wrt_insn_read_br_table(rd, in);
	return wrt_insn_read_immediates(rd, in);
}

/*
 * The instruction that follows, without reading it: its wrt_op, or -1 at
 * the end or for a prefixed opcode.  For peepholes that fuse an
 * instruction with the branch after it.
 */
static inline int
wrt_insn_peek_op(const wrt_insn_reader *rd)
{
	return rd->r.p < rd->r.end ? (int) wrt_op_by_code[*rd->r.p] - 1 : -1;
}

/*
 * The next label of a br_table whose encoding wrt_insn_next() has checked:
 * call count times from *p = in->br_table.labels (the default is
 * in->br_table.default_label).
 */
static inline uint32_t
wrt_br_table_label(const uint8_t **p)
{
	const uint8_t *q = *p;
	uint32_t v = 0;
	unsigned shift = 0;
	for (;;)
	{
		uint8_t b = *q++;
		v |= (uint32_t) (b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*p = q;
	return v;
}

#endif
