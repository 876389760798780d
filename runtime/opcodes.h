/*
 * opcodes.h — enum, names and static properties of Wasm instructions,
 * all generated from opcodes.def.
 */
#ifndef WRT_OPCODES_H
#define WRT_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

/* C types of the operand types used in opcodes.def bodies. */
typedef uint32_t wrt_ct_I32;
typedef uint64_t wrt_ct_I64;
typedef float wrt_ct_F32;
typedef double wrt_ct_F64;

/* Value-type codes of the operand types (wrt_valtype). */
#define WRT_VT_I32 0x7f
#define WRT_VT_I64 0x7e
#define WRT_VT_F32 0x7d
#define WRT_VT_F64 0x7c
#define WRT_VT_V128 0x7b

/* Immediate layouts of OP_CTRL instructions. */
typedef enum wrt_imm {
	WRT_IMM_NONE,
	WRT_IMM_BLOCK,          /* blocktype: 0x40 | valtype | s33 type index */
	WRT_IMM_LABEL,          /* u32 label depth */
	WRT_IMM_BR_TABLE,       /* vec(u32) + u32 default */
	WRT_IMM_FUNC,           /* u32 funcidx */
	WRT_IMM_CALL_INDIRECT,  /* u32 typeidx, u32 tableidx */
	WRT_IMM_SELECT_T,       /* vec(valtype), length 1 */
	WRT_IMM_LOCAL,          /* u32 localidx */
	WRT_IMM_GLOBAL,         /* u32 globalidx */
	WRT_IMM_TABLE,          /* u32 tableidx */
	WRT_IMM_MEMIDX,         /* one 0x00 byte (memory index) */
	WRT_IMM_I32,            /* s32 */
	WRT_IMM_I64,            /* s64 */
	WRT_IMM_F32,            /* 4 bytes */
	WRT_IMM_F64,            /* 8 bytes */
	WRT_IMM_REFTYPE,        /* reftype byte */
	WRT_IMM_DATA_MEM,       /* u32 dataidx, 0x00 */
	WRT_IMM_DATA,           /* u32 dataidx */
	WRT_IMM_MEM_MEM,        /* 0x00 0x00 */
	WRT_IMM_ELEM_TABLE,     /* u32 elemidx, u32 tableidx */
	WRT_IMM_ELEM,           /* u32 elemidx */
	WRT_IMM_TABLE_TABLE,    /* u32 tableidx, u32 tableidx */
	WRT_IMM_MEMARG,         /* u32 align, u32 offset (loads and stores) */
	WRT_IMM_LANE,           /* one byte: lane index */
	WRT_IMM_MEMARG_LANE,    /* memarg, then a lane byte */
	WRT_IMM_V128,           /* 16 bytes */
	WRT_IMM_SHUFFLE         /* 16 lane-index bytes */
} wrt_imm;

/* Instruction identifiers (dense, not the binary codes). */
typedef enum wrt_op {
#define OP_CTRL(NAME, code, text, IMM) WRT_OP_##NAME,
#define OP_UN(NAME, code, text, TIN, TOUT, body) WRT_OP_##NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) WRT_OP_##NAME,
#define OP_LOAD(NAME, code, text, T, MT, AL) WRT_OP_##NAME,
#define OP_STORE(NAME, code, text, T, MT, AL) WRT_OP_##NAME,
#define OP_VLOAD(NAME, code, text, N, AL, body) WRT_OP_##NAME,
#define OP_VSTORE(NAME, code, text, N, AL) WRT_OP_##NAME,
#define OP_VLOAD_LANE(NAME, code, text, N, AL) WRT_OP_##NAME,
#define OP_VSTORE_LANE(NAME, code, text, N, AL) WRT_OP_##NAME,
#define OP_VSPLAT(NAME, code, text, TIN, body) WRT_OP_##NAME,
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) WRT_OP_##NAME,
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) WRT_OP_##NAME,
#define OP_VUN(NAME, code, text, body) WRT_OP_##NAME,
#define OP_VBIN(NAME, code, text, body) WRT_OP_##NAME,
#define OP_VTER(NAME, code, text, body) WRT_OP_##NAME,
#define OP_VTEST(NAME, code, text, body) WRT_OP_##NAME,
#define OP_VSHIFT(NAME, code, text, body) WRT_OP_##NAME,
#include "opcodes.def"
	WRT_OP_COUNT_
} wrt_op;

typedef enum wrt_opclass {
	WRT_OPC_CTRL, WRT_OPC_UN, WRT_OPC_TEST, WRT_OPC_BIN, WRT_OPC_CMP,
	WRT_OPC_LOAD, WRT_OPC_STORE,
	/* SIMD families (opcodes.def) */
	WRT_OPC_VLOAD, WRT_OPC_VSTORE, WRT_OPC_VLOAD_LANE, WRT_OPC_VSTORE_LANE,
	WRT_OPC_VSPLAT, WRT_OPC_VEXTRACT, WRT_OPC_VREPLACE, WRT_OPC_VUN,
	WRT_OPC_VBIN, WRT_OPC_VTER, WRT_OPC_VTEST, WRT_OPC_VSHIFT
} wrt_opclass;

typedef struct wrt_opinfo {
	const char *name;       /* text format mnemonic */
	uint16_t code;          /* byte, or 0xFC00 / 0xFD00 | sub-opcode */
	uint8_t cls;            /* wrt_opclass */
	uint8_t imm;            /* wrt_imm */
	uint8_t t_in;           /* operand type (valtype code), 0 for CTRL; the
	                         * scalar operand of VSPLAT/VREPLACE */
	uint8_t t_out;          /* result type, 0 for CTRL/STORE */
	uint8_t align;          /* LOAD/STORE: log2 natural alignment */
	uint8_t size;           /* LOAD/STORE: access width in bytes (lane width
	                         * for lane loads/stores); VEXTRACT/VREPLACE: lanes */
} wrt_opinfo;

extern const wrt_opinfo wrt_opinfo_table[WRT_OP_COUNT_];

/*
 * Binary opcode -> wrt_op + 1 (0: no such opcode), a constant table built
 * from opcodes.def.  Single-byte opcodes are at their byte; 0xFC- and
 * 0xFD-prefixed ones (sub-opcodes below 256) at WRT_OPCODE_SLOT(code).  The
 * prefix bytes themselves hold 0, so one load tells a plain opcode from
 * everything that needs a closer look.
 */
#define WRT_OPCODE_SLOT(code) \
	((code) < 0x100 ? (code) : ((code) >> 8) == 0xfc ? 0x100 + ((code) & 0xff) : 0x200 + ((code) & 0xff))
extern const uint16_t wrt_op_by_code[0x300];
/* The immediate kind (wrt_imm) by the same index. */
extern const uint8_t wrt_imm_by_code[0x300];

/*
 * Map a binary opcode to its wrt_op: byte is the first byte; for 0xFC and
 * 0xFD, sub is the LEB sub-opcode.  Returns -1 for an unknown opcode.
 */
static inline int
wrt_op_lookup(uint8_t byte, uint32_t sub)
{
	if (byte == 0xfc || byte == 0xfd)
		return sub < 256 ? (int) wrt_op_by_code[(byte == 0xfc ? 0x100 : 0x200) + sub] - 1 : -1;
	return (int) wrt_op_by_code[byte] - 1;
}

/*
 * Instructions allowed in constant expressions (OP_CONST_EXPR rows of
 * opcodes.def: Wasm 2.0 plus the extended-const proposal's integer
 * arithmetic).  The validator accepts exactly these; instantiation
 * evaluates them.
 */
extern const bool wrt_op_in_const_expr[WRT_OP_COUNT_];

#endif
