/*
 * disasm.c — a printer for the register code of compile.h, used when tuning
 * the compiler (wasm-run --disasm).  It maps handler addresses back to
 * instruction names and knows each instruction's length; nothing on the
 * execution path depends on it.
 */
#include "compile.h"
#include "opcodes.h"
#include "simd.h"

#include <inttypes.h>

/* The Wasm operator whose lane function is fn (SIMD family instructions). */
static const char *
simd_name(uint64_t fn)
{
	for (int op = 0; op < WRT_OP_COUNT_; op++)
		if (wrt_simd_fns[op] && (uint64_t) (uintptr_t) wrt_simd_fns[op] == fn)
			return wrt_opinfo_table[op].name;
	return "?";
}

static const char *const ir_names[WRT_IR_COUNT_] = {
#define X(n) [WRT_IR_##n] = #n,
	WRT_IR_SPECIAL(X)
#undef X
#define X(O1, o1, O2, o2) [WRT_IR_F64_##O1##_##O2##_L] = "F64_" #O1 "_" #O2 "_L", \
	[WRT_IR_F64_##O1##_##O2##_R] = "F64_" #O1 "_" #O2 "_R",
	WRT_IR_F64_CHAIN(X)
#undef X
#define OP_UN(NAME, code, text, TIN, TOUT, body) [WRT_IR_##NAME] = #NAME,
#define OP_TEST(NAME, code, text, TIN, body) [WRT_IR_##NAME] = #NAME, \
	[WRT_IR_BRIF_##NAME] = "BRIF_" #NAME, [WRT_IR_BRIFNOT_##NAME] = "BRIFNOT_" #NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	[WRT_IR_##NAME##_RR] = #NAME "_RR", [WRT_IR_##NAME##_RI] = #NAME "_RI", \
	[WRT_IR_##NAME##_RM] = #NAME "_RM", [WRT_IR_##NAME##_IR] = #NAME "_IR", \
	[WRT_IR_##NAME##_RMA] = #NAME "_RMA",
#define OP_CMP(NAME, code, text, T, body) \
	[WRT_IR_##NAME##_RR] = #NAME "_RR", [WRT_IR_##NAME##_RI] = #NAME "_RI", \
	[WRT_IR_##NAME##_RM] = #NAME "_RM", [WRT_IR_##NAME##_IR] = #NAME "_IR", \
	[WRT_IR_##NAME##_RMA] = #NAME "_RMA", \
	[WRT_IR_BRIF_##NAME##_RR] = "BRIF_" #NAME "_RR", [WRT_IR_BRIF_##NAME##_RI] = "BRIF_" #NAME "_RI", \
	[WRT_IR_BRIFNOT_##NAME##_RR] = "BRIFNOT_" #NAME "_RR", [WRT_IR_BRIFNOT_##NAME##_RI] = "BRIFNOT_" #NAME "_RI", \
	[WRT_IR_SEL_##NAME##_RR] = "SEL_" #NAME "_RR", [WRT_IR_SEL_##NAME##_RI] = "SEL_" #NAME "_RI", \
	[WRT_IR_SEL2_##NAME##_RR] = "SEL2_" #NAME "_RR",
#define OP_LOAD(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = #NAME, [WRT_IR_##NAME##_ADD] = #NAME "_ADD", \
	[WRT_IR_##NAME##_ABS] = #NAME "_ABS",
#define OP_STORE(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = #NAME, [WRT_IR_##NAME##_ABS] = #NAME "_ABS",
#include "opcodes.def"
#define X(F, n) [WRT_IR_##F] = #F,
	WRT_IR_SIMD(X)
#undef X
#define X(F, NAME) [WRT_IR_VI_##NAME] = "VI_" #NAME,
	WRT_IR_SIMD_INLINE(X)
#undef X
};


/* Cells after the handler cell. */
static uint32_t
ir_length(int op, const wrt_cell *pc)
{
	switch (op)
	{
		case WRT_IR_COPY: case WRT_IR_BR: case WRT_IR_BR_NZ: case WRT_IR_BR_Z:
		case WRT_IR_LOOP_ENTRY: case WRT_IR_CALL_FUNC: case WRT_IR_GLOBAL_GET:
		case WRT_IR_GLOBAL_SET: case WRT_IR_MEMORY_SIZE: case WRT_IR_MEMORY_GROW:
		case WRT_IR_DATA_DROP: case WRT_IR_TABLE_SIZE: case WRT_IR_ELEM_DROP:
		case WRT_IR_REF_FUNC: case WRT_IR_REF_IS_NULL:
		case WRT_IR_COPY2: case WRT_IR_GLOBAL_GET_V128: case WRT_IR_GLOBAL_SET_V128:
			return 1;
		case WRT_IR_I32_ADDI_BR_NZ: case WRT_IR_I32_ADDI_BR_Z:
		case WRT_IR_I32_ANDI_EQI: case WRT_IR_I32_ANDI_NEI:
		case WRT_IR_MOVE_N:
		case WRT_IR_CONST: case WRT_IR_CONST_COPY: case WRT_IR_CONST_COPY_ADDI_BR_NZ: case WRT_IR_CALL: case WRT_IR_CALL_INDIRECT:
		case WRT_IR_SELECT: case WRT_IR_MEMORY_INIT: case WRT_IR_MEMORY_COPY:
		case WRT_IR_MEMORY_FILL: case WRT_IR_TABLE_GET: case WRT_IR_TABLE_SET:
		case WRT_IR_TABLE_GROW: case WRT_IR_TABLE_FILL: case WRT_IR_SELECT_V128:
			return 2;
		case WRT_IR_TABLE_COPY: case WRT_IR_TABLE_INIT:
		case WRT_IR_I32_ADDI_BR_NE: case WRT_IR_I32_ADDI_BR_EQ: case WRT_IR_I32_ADD2_RI:
		case WRT_IR_I32_ADDI_BR_NZ_C: case WRT_IR_I32_ADDI_BR_Z_C:
		case WRT_IR_I32_ANDI_EQI_M8: case WRT_IR_I32_ANDI_NEI_M8:
		case WRT_IR_BR_ADDI_ANDI_LTU: case WRT_IR_BR_ADDI_ANDI_GEU:
			return 3;
		case WRT_IR_I32_ADDI_BR_NE_C: case WRT_IR_I32_ADDI_BR_EQ_C:
		case WRT_IR_I32_EQ_MM8: case WRT_IR_I32_NE_MM8:
		case WRT_IR_F64_ADD_MM: case WRT_IR_F64_SUB_MM: case WRT_IR_F64_MUL_MM:
		case WRT_IR_I32_ADD_EQ_MM8: case WRT_IR_I32_ADD_NE_MM8:
		case WRT_IR_I32_ADD_ANDI_EQI_M8: case WRT_IR_I32_ADD_ANDI_NEI_M8:
		case WRT_IR_I32_ADD_ANDI_EQI_M8N: case WRT_IR_I32_ADD_ANDI_NEI_M8N:
			return 4;
		case WRT_IR_I32_ADD3_RI:
			return 5;
		case WRT_IR_VLOAD_ADD: case WRT_IR_V128_LOAD_ADD:
			return 4;
		case WRT_IR_V128_CONST:
			return 3;
		case WRT_IR_I8X16_SHUFFLE:
			return 4;
		case WRT_IR_RETURN: case WRT_IR_UNREACHABLE:
			return 0;
		case WRT_IR_BR_TABLE:
			return 2 + WRT_HI(pc[1]);
		default:
			break;
	}
#define X(O1, o1, O2, o2) \
	if (op == WRT_IR_F64_##O1##_##O2##_L || op == WRT_IR_F64_##O1##_##O2##_R) return 3;
	WRT_IR_F64_CHAIN(X)
#undef X
#define X(F, n) if (op == WRT_IR_##F) return n;
	WRT_IR_SIMD(X)
#undef X
	/* an inlined operator has its family's layout */
#define X(F, NAME) if (op == WRT_IR_VI_##NAME) return ir_length(WRT_IR_##F, pc);
	WRT_IR_SIMD_INLINE(X)
#undef X
	/* Generated forms: unary and eqz-branches take one cell, the rest two. */
#define OP_UN(NAME, code, text, TIN, TOUT, body) if (op == WRT_IR_##NAME) return 1;
#define OP_TEST(NAME, code, text, TIN, body) \
	if (op == WRT_IR_##NAME || op == WRT_IR_BRIF_##NAME || op == WRT_IR_BRIFNOT_##NAME) return 1;
#define OP_CMP(NAME, code, text, T, body) \
	if (op == WRT_IR_SEL_##NAME##_RR || op == WRT_IR_SEL_##NAME##_RI) return 3; \
	if (op == WRT_IR_SEL2_##NAME##_RR) return 4;
#include "opcodes.def"
	return 2;
}

void
wrt_disasm(const wrt_compiled *cf, FILE *out)
{
	const void *const *h = wrt_interp_handlers();
	fprintf(out, "; params %u, locals %u, results %u, frame %u slots, entry cost %u\n",
			cf->nparams, cf->nlocals, cf->nresults, cf->frame_slots, cf->entry_cost);
	for (uint32_t i = 0; i < cf->ncode;)
	{
		int op = -1;
		for (int k = 0; k < WRT_IR_COUNT_; k++)
			if (h[k] == cf->code[i].h)
			{
				op = k;
				break;
			}
		if (op < 0)
		{
			fprintf(out, "%5u  ??\n", i);
			i++;
			continue;
		}
		uint32_t len = ir_length(op, &cf->code[i]);
		fprintf(out, "%5u  %-24s", i, ir_names[op]);
		uint32_t k = 1;
		if ((op == WRT_IR_VUN || op == WRT_IR_VSPLAT || op == WRT_IR_VTEST || op == WRT_IR_VBIN ||
			 op == WRT_IR_VSHIFT || op == WRT_IR_VTER || op == WRT_IR_VEXTRACT ||
			 op == WRT_IR_VREPLACE || op == WRT_IR_VLOAD || op > WRT_IR_VSTORE_LANE ||
			 op == WRT_IR_VLOAD_ADD || op == WRT_IR_V128_LOAD_ADD) && i + 1 < cf->ncode)
			fprintf(out, " %s", simd_name(cf->code[i + k++].u));
		for (; k <= len && i + k < cf->ncode; k++)
			fprintf(out, " [%u|%u]", WRT_LO(cf->code[i + k]), WRT_HI(cf->code[i + k]));
		fputc('\n', out);
		i += 1 + len;
	}
}

bool
wrt_module_disasm(wrt_module *m, uint32_t func_index, void *file, wrt_error *err)
{
	if (func_index < m->nfunc_imports || func_index >= m->nfuncs)
		return wrt_set_error(err, WRT_ERR_INVALID, 0, "function %u is not defined in the module", func_index);
	wrt_code *code = &m->codes[func_index - m->nfunc_imports];
	if (!code->compiled && !wrt_compile(m, code, err))
		return false;
	fprintf(file, "func %u%s%s\n", func_index, wrt_module_func_name(m, func_index) ? " " : "",
			wrt_module_func_name(m, func_index) ? wrt_module_func_name(m, func_index) : "");
	wrt_disasm(code->compiled, file);
	return true;
}
