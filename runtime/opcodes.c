/*
 * opcodes.c — the instruction property table, the binary-code lookup table
 * and the constant-expression set, all expanded from opcodes.def.
 */
#include "opcodes.h"

/* The immediate kind of each family (OP_CTRL rows name their own), for
 * both tables that record it. */
#define IMM_UN WRT_IMM_NONE
#define IMM_TEST WRT_IMM_NONE
#define IMM_BIN WRT_IMM_NONE
#define IMM_CMP WRT_IMM_NONE
#define IMM_LOAD WRT_IMM_MEMARG
#define IMM_STORE WRT_IMM_MEMARG
#define IMM_VLOAD WRT_IMM_MEMARG
#define IMM_VSTORE WRT_IMM_MEMARG
#define IMM_VLOAD_LANE WRT_IMM_MEMARG_LANE
#define IMM_VSTORE_LANE WRT_IMM_MEMARG_LANE
#define IMM_VSPLAT WRT_IMM_NONE
#define IMM_VEXTRACT WRT_IMM_LANE
#define IMM_VREPLACE WRT_IMM_LANE
#define IMM_VUN WRT_IMM_NONE
#define IMM_VBIN WRT_IMM_NONE
#define IMM_VTER WRT_IMM_NONE
#define IMM_VTEST WRT_IMM_NONE
#define IMM_VSHIFT WRT_IMM_NONE

const wrt_opinfo wrt_opinfo_table[WRT_OP_COUNT_] = {
#define OP_CTRL(NAME, code, text, IMM) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_CTRL, WRT_IMM_##IMM, 0, 0, 0, 0},
#define OP_UN(NAME, code, text, TIN, TOUT, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_UN, IMM_UN, WRT_VT_##TIN, WRT_VT_##TOUT, 0, 0},
#define OP_TEST(NAME, code, text, TIN, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_TEST, IMM_TEST, WRT_VT_##TIN, WRT_VT_I32, 0, 0},
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_BIN, IMM_BIN, WRT_VT_##T, WRT_VT_##TOUT, 0, 0},
#define OP_CMP(NAME, code, text, T, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_CMP, IMM_CMP, WRT_VT_##T, WRT_VT_I32, 0, 0},
#define OP_LOAD(NAME, code, text, T, MT, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_LOAD, IMM_LOAD, 0, WRT_VT_##T, AL, sizeof(MT)},
#define OP_STORE(NAME, code, text, T, MT, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_STORE, IMM_STORE, WRT_VT_##T, 0, AL, sizeof(MT)},
#define OP_VLOAD(NAME, code, text, N, AL, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VLOAD, IMM_VLOAD, 0, WRT_VT_V128, AL, N},
#define OP_VSTORE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSTORE, IMM_VSTORE, WRT_VT_V128, 0, AL, N},
#define OP_VLOAD_LANE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VLOAD_LANE, IMM_VLOAD_LANE, WRT_VT_V128, WRT_VT_V128, AL, N},
#define OP_VSTORE_LANE(NAME, code, text, N, AL) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSTORE_LANE, IMM_VSTORE_LANE, WRT_VT_V128, 0, AL, N},
#define OP_VSPLAT(NAME, code, text, TIN, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSPLAT, IMM_VSPLAT, WRT_VT_##TIN, WRT_VT_V128, 0, 0},
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VEXTRACT, IMM_VEXTRACT, WRT_VT_V128, WRT_VT_##TOUT, 0, LANES},
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VREPLACE, IMM_VREPLACE, WRT_VT_##TIN, WRT_VT_V128, 0, LANES},
#define OP_VUN(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VUN, IMM_VUN, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VBIN(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VBIN, IMM_VBIN, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VTER(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VTER, IMM_VTER, WRT_VT_V128, WRT_VT_V128, 0, 0},
#define OP_VTEST(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VTEST, IMM_VTEST, WRT_VT_V128, WRT_VT_I32, 0, 0},
#define OP_VSHIFT(NAME, code, text, body) \
	[WRT_OP_##NAME] = {text, code, WRT_OPC_VSHIFT, IMM_VSHIFT, WRT_VT_V128, WRT_VT_V128, 0, 0},
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

/* The immediate kind by the same index, so the reader needs no second
 * load through the opcode to find it. */
const uint8_t wrt_imm_by_code[0x300] = {
#define ROW(code, IMM) [WRT_OPCODE_SLOT(code)] = IMM,
#define OP_CTRL(NAME, code, text, IMM) ROW(code, WRT_IMM_##IMM)
#define OP_UN(NAME, code, text, TIN, TOUT, body) ROW(code, IMM_UN)
#define OP_TEST(NAME, code, text, TIN, body) ROW(code, IMM_TEST)
#define OP_BIN(NAME, code, text, T, TOUT, body) ROW(code, IMM_BIN)
#define OP_CMP(NAME, code, text, T, body) ROW(code, IMM_CMP)
#define OP_LOAD(NAME, code, text, T, MT, AL) ROW(code, IMM_LOAD)
#define OP_STORE(NAME, code, text, T, MT, AL) ROW(code, IMM_STORE)
#define OP_VLOAD(NAME, code, text, N, AL, body) ROW(code, IMM_VLOAD)
#define OP_VSTORE(NAME, code, text, N, AL) ROW(code, IMM_VSTORE)
#define OP_VLOAD_LANE(NAME, code, text, N, AL) ROW(code, IMM_VLOAD_LANE)
#define OP_VSTORE_LANE(NAME, code, text, N, AL) ROW(code, IMM_VSTORE_LANE)
#define OP_VSPLAT(NAME, code, text, TIN, body) ROW(code, IMM_VSPLAT)
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) ROW(code, IMM_VEXTRACT)
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) ROW(code, IMM_VREPLACE)
#define OP_VUN(NAME, code, text, body) ROW(code, IMM_VUN)
#define OP_VBIN(NAME, code, text, body) ROW(code, IMM_VBIN)
#define OP_VTER(NAME, code, text, body) ROW(code, IMM_VTER)
#define OP_VTEST(NAME, code, text, body) ROW(code, IMM_VTEST)
#define OP_VSHIFT(NAME, code, text, body) ROW(code, IMM_VSHIFT)
#include "opcodes.def"
#undef ROW
};

const bool wrt_op_in_const_expr[WRT_OP_COUNT_] = {
#define OP_CONST_EXPR(NAME) [WRT_OP_##NAME] = true,
#include "opcodes.def"
};
