/*
 * opcodes.c — the instruction property table, the binary-code lookup table
 * and the constant-expression set, all expanded from opcodes.def.
 */
#include "opcodes.h"

const wrt_opinfo wrt_opinfo_table[WRT_OP_COUNT_] = {
#define OP_CTRL(NAME, code, text, IMM) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_CTRL, WRT_IMM_##IMM, 0, 0, 0, 0},
#define OP_UN(NAME, code, text, TIN, TOUT, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_UN, WRT_IMM_NONE, WRT_VT_##TIN, WRT_VT_##TOUT, 0, 0},
#define OP_TEST(NAME, code, text, TIN, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_TEST, WRT_IMM_NONE, WRT_VT_##TIN, WRT_VT_I32, 0, 0},
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_BIN, WRT_IMM_NONE, WRT_VT_##T, WRT_VT_##TOUT, 0, 0},
#define OP_CMP(NAME, code, text, T, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_CMP, WRT_IMM_NONE, WRT_VT_##T, WRT_VT_I32, 0, 0},
#define OP_LOAD(NAME, code, text, T, MT, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_LOAD, WRT_IMM_MEMARG, 0, WRT_VT_##T, AL, sizeof(MT)},
#define OP_STORE(NAME, code, text, T, MT, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_STORE, WRT_IMM_MEMARG, WRT_VT_##T, 0, AL, sizeof(MT)},
#define OP_VLOAD(NAME, code, text, N, AL, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VLOAD, WRT_IMM_MEMARG, 0, WRT_VT_V128, AL, N},
#define OP_VSTORE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSTORE, WRT_IMM_MEMARG, WRT_VT_V128, 0, AL, N},
#define OP_VLOAD_LANE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VLOAD_LANE, WRT_IMM_MEMARG_LANE, WRT_VT_V128, WRT_VT_V128, AL, N},
#define OP_VSTORE_LANE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSTORE_LANE, WRT_IMM_MEMARG_LANE, WRT_VT_V128, 0, AL, N},
#define OP_VSPLAT(NAME, code, text, TIN, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSPLAT, WRT_IMM_NONE, WRT_VT_##TIN, WRT_VT_V128, 0, 0},
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VEXTRACT, WRT_IMM_LANE, WRT_VT_V128, WRT_VT_##TOUT, 0, LANES},
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VREPLACE, WRT_IMM_LANE, WRT_VT_##TIN, WRT_VT_V128, 0, LANES},
#define OP_VUN(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VUN, WRT_IMM_NONE, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VBIN(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VBIN, WRT_IMM_NONE, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VTER(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VTER, WRT_IMM_NONE, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VTEST(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VTEST, WRT_IMM_NONE, WRT_VT_V128, WRT_VT_I32, 0, 0},
#define OP_VSHIFT(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSHIFT, WRT_IMM_NONE, WRT_VT_V128, WRT_VT_V128, 0, 0},
#include "opcodes.def"
};

/* Indexed by WRT_OPCODE_SLOT(code); op + 1 so that the zero fill means
 * "no such opcode". */
const uint16_t wrt_op_by_code[0x300] = {
#define ROW(NAME, code) [WRT_OPCODE_SLOT(code)] = WRT_OP_##NAME + 1,
#define OP_CTRL(NAME, code, text, IMM) ROW(NAME, code)
#define OP_UN(NAME, code, text, TIN, TOUT, body) ROW(NAME, code)
#define OP_BIN(NAME, code, text, T, TOUT, body) ROW(NAME, code)
#define OP_LOAD(NAME, code, text, T, MT, AL) ROW(NAME, code)
#define OP_STORE(NAME, code, text, T, MT, AL) ROW(NAME, code)
#define OP_VLOAD(NAME, code, text, N, AL, body) ROW(NAME, code)
#define OP_VSTORE(NAME, code, text, N, AL) ROW(NAME, code)
#define OP_VLOAD_LANE(NAME, code, text, N, AL) ROW(NAME, code)
#define OP_VSTORE_LANE(NAME, code, text, N, AL) ROW(NAME, code)
#define OP_VSPLAT(NAME, code, text, TIN, body) ROW(NAME, code)
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) ROW(NAME, code)
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) ROW(NAME, code)
#define OP_VUN(NAME, code, text, body) ROW(NAME, code)
#define OP_VBIN(NAME, code, text, body) ROW(NAME, code)
#define OP_VTER(NAME, code, text, body) ROW(NAME, code)
#define OP_VTEST(NAME, code, text, body) ROW(NAME, code)
#define OP_VSHIFT(NAME, code, text, body) ROW(NAME, code)
#include "opcodes.def"
#undef ROW
};

const bool wrt_op_in_const_expr[WRT_OP_COUNT_] = {
#define OP_CONST_EXPR(NAME) [WRT_OP_##NAME] = true,
#include "opcodes.def"
};
