/*
 * opcodes.c — the instruction property table and binary-code lookup, both
 * expanded from opcodes.def.
 */
#include "opcodes.h"

#include <string.h>

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

static int16_t single_byte[256];
static int16_t fc_prefixed[32];
static int16_t fd_prefixed[256];
static int lookup_ready;

static void
build_lookup(void)
{
	memset(single_byte, 0xff, sizeof(single_byte));
	memset(fc_prefixed, 0xff, sizeof(fc_prefixed));
	memset(fd_prefixed, 0xff, sizeof(fd_prefixed));
	for (int i = 0; i < WRT_OP_COUNT_; i++)
	{
		uint16_t c = wrt_opinfo_table[i].code;
		if (c >= 0xfd00)
			fd_prefixed[c & 0xff] = (int16_t) i;
		else if (c >= 0xfc00)
			fc_prefixed[c & 0xff] = (int16_t) i;
		else
			single_byte[c] = (int16_t) i;
	}
	lookup_ready = 1;
}

int
wrt_op_lookup(uint8_t byte, uint32_t sub)
{
	if (!lookup_ready)
		build_lookup();         /* idempotent: safe if two threads race */
	if (byte == 0xfc)
		return sub < 32 ? fc_prefixed[sub] : -1;
	if (byte == 0xfd)
		return sub < 256 ? fd_prefixed[sub] : -1;
	return single_byte[byte];
}
