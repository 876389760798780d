/*
 * disasm.c — a printer for the register code (compile.h, ir.def), used when
 * tuning the compiler (wasm-run --disasm).  Every instruction's name,
 * length and operand layout come from the table (ir.c), so the printer
 * knows each operand's kind: slots print as s12 (a v128 pair as s12:13),
 * branch targets as the absolute cell index @40, lane functions by their
 * operator.  wrt_disasm_cells prints raw cells instead, the format of
 * earlier versions, to compare the code two compilers emit.  Nothing on the
 * execution path depends on this file.
 */
#include "compile.h"
#include "opcodes.h"
#include "simd.h"

#include <inttypes.h>

/* The Wasm operator whose lane function is fn (SIMD family instructions). */
static const char *
simd_name(const void *fn)
{
	for (int op = 0; op < WRT_OP_COUNT_; op++)
		if (wrt_simd_fns[op] && (const void *) (uintptr_t) wrt_simd_fns[op] == fn)
			return wrt_opinfo_table[op].name;
	return "?";
}

static void
print_header(const wrt_compiled *cf, FILE *out)
{
	fprintf(out, "; params %u, locals %u, results %u, frame %u slots, entry cost %u\n",
			cf->nparams, cf->nlocals, cf->nresults, cf->frame_slots, cf->entry_cost);
}

/* The type of IMM operands: an in-place fusion's are those of its first. */
static uint8_t
imm_type(int op)
{
	const wrt_irinfo *info = &wrt_ir_info[op];
	return info->first >= 0 ? wrt_ir_info[info->first].imm_type : info->imm_type;
}

/* Operand o of the instruction op at cell i, by its kind. */
static void
print_operand(FILE *out, const wrt_cell *code, uint32_t i, int op, const wrt_iropnd *o)
{
	const wrt_cell *pc = &code[i];
	uint64_t x = o->half == WRT_IR_LO ? WRT_LO(pc[o->cell]) : o->half == WRT_IR_HI ? WRT_HI(pc[o->cell])
		: pc[o->cell].u;
	if (o->half == WRT_IR_TAILHALF)
	{
		/* BR_TABLE's targets: count + 1 branch offsets */
		uint64_t n = o->count_half == WRT_IR_LO ? WRT_LO(pc[o->count_cell])
			: o->count_half == WRT_IR_HI ? WRT_HI(pc[o->count_cell]) : pc[o->count_cell].u;
		fprintf(out, " %s=[", o->name);
		for (uint64_t k = 0; k <= n; k++)
			fprintf(out, k ? " @%" PRId64 : "@%" PRId64, (int64_t) i + (int32_t) pc[o->cell + k].i);
		fputc(']', out);
		return;
	}
	switch ((wrt_irkind) o->kind)
	{
		case WRT_IRK_NONE:
			return;
		case WRT_IRK_SLOT: case WRT_IRK_DEF: case WRT_IRK_ARGS:
			fprintf(out, " %s=s%" PRIu64, o->name, x);
			return;
		case WRT_IRK_VSLOT: case WRT_IRK_VDEF:
			fprintf(out, " %s=s%" PRIu64 ":%" PRIu64, o->name, x, x + 1);
			return;
		case WRT_IRK_BR:
			fprintf(out, " %s=@%" PRId64, o->name, (int64_t) i + (int32_t) x);
			return;
		case WRT_IRK_IMM:
			switch (imm_type(op))
			{
				case WRT_VT_I32:
					fprintf(out, " %s=%" PRId32, o->name, (int32_t) x);
					return;
				case WRT_VT_I64:
					fprintf(out, " %s=%" PRId64, o->name, (int64_t) x);
					return;
				case WRT_VT_F32:
					fprintf(out, " %s=%.9g", o->name, (double) pc[o->cell].f32);
					return;
				case WRT_VT_F64:
					fprintf(out, " %s=%.17g", o->name, pc[o->cell].f64);
					return;
			}
			fprintf(out, " %s=0x%" PRIx64, o->name, x);    /* a row of no type: the bits */
			return;
		case WRT_IRK_I32:
			fprintf(out, " %s=%" PRId32, o->name, (int32_t) x);
			return;
		case WRT_IRK_SPAN: case WRT_IRK_U32: case WRT_IRK_U64: case WRT_IRK_COST:
			fprintf(out, " %s=%" PRIu64, o->name, x);
			return;
		case WRT_IRK_MASK:
			fprintf(out, " %s=0x%" PRIx64, o->name, x);
			return;
		case WRT_IRK_BITS:
			fprintf(out, " %s=0x%016" PRIx64, o->name, x);
			return;
		case WRT_IRK_FN:
			fprintf(out, " %s=%s", o->name, simd_name(pc[o->cell].p));
			return;
		case WRT_IRK_CODE:
			fprintf(out, " %s=f%u", o->name, ((const wrt_code *) pc[o->cell].p)->func_index);
			return;
		case WRT_IRK_FUNC:
			fprintf(out, " %s=f%" PRIu64, o->name, x);
			return;
		case WRT_IRK_TYPE:
			fprintf(out, " %s=type%" PRIu64, o->name, x);
			return;
		case WRT_IRK_GLOBAL:
			fprintf(out, " %s=g%" PRIu64, o->name, x);
			return;
		case WRT_IRK_TABLE:
			fprintf(out, " %s=t%" PRIu64, o->name, x);
			return;
		case WRT_IRK_DATA:
			fprintf(out, " %s=data%" PRIu64, o->name, x);
			return;
		case WRT_IRK_ELEM:
			fprintf(out, " %s=elem%" PRIu64, o->name, x);
			return;
		case WRT_IRK_COUNT_:
			break;
	}
	fprintf(out, " %s=?", o->name);
}

/*
 * Print the instructions from cell 0 on, by the table's lengths; cells
 * prints raw cells.  Cells that are not a handler print as "??" one at a
 * time, and an instruction running past the end is cut there, so that
 * broken code still prints.
 */
static void
disasm(const wrt_compiled *cf, FILE *out, bool cells)
{
	print_header(cf, out);
	for (uint32_t i = 0; i < cf->ncode;)
	{
		int op = wrt_ir_op(cf->code[i].h);
		if (op < 0)
		{
			fprintf(out, "%5u  ??\n", i);
			i++;
			continue;
		}
		const wrt_irinfo *info = &wrt_ir_info[op];
		const wrt_irlayout *l = info->layout;
		uint32_t len = l->ncells < cf->ncode - i ? wrt_ir_length(op, &cf->code[i]) : cf->ncode - i;
		if (len > cf->ncode - i)
			len = cf->ncode - i;
		fprintf(out, "%5u  %-24s", i, info->name);
		if (cells)
		{
			uint32_t k = 1;
			if (l->nopnds && l->opnds[0].kind == WRT_IRK_FN && len > 1)
				fprintf(out, " %s", simd_name(cf->code[i + k++].p));
			for (; k < len; k++)
				fprintf(out, " [%u|%u]", WRT_LO(cf->code[i + k]), WRT_HI(cf->code[i + k]));
		}
		else if (len == 1u + l->ncells || (l->tail && len == wrt_ir_length(op, &cf->code[i])))
			for (uint32_t k = 0; k < l->nopnds; k++)
				print_operand(out, cf->code, i, op, &l->opnds[k]);
		else
			fprintf(out, " (cut off by the end of the code)");
		fputc('\n', out);
		i += len;
	}
}

void
wrt_disasm(const wrt_compiled *cf, FILE *out)
{
	disasm(cf, out, false);
}

void
wrt_disasm_cells(const wrt_compiled *cf, FILE *out)
{
	disasm(cf, out, true);
}

static bool
module_disasm(wrt_module *m, uint32_t func_index, void *file, bool cells, wrt_error *err)
{
	if (func_index < m->nfunc_imports || func_index >= m->nfuncs)
		return wrt_set_error(err, WRT_ERR_INVALID, 0, "function %u is not defined in the module", func_index);
	wrt_code *code = &m->codes[func_index - m->nfunc_imports];
	if (!code->compiled && !wrt_compile(m, code, err))
		return false;
	fprintf(file, "func %u%s%s\n", func_index, wrt_module_func_name(m, func_index) ? " " : "",
			wrt_module_func_name(m, func_index) ? wrt_module_func_name(m, func_index) : "");
	disasm(code->compiled, file, cells);
	return true;
}

bool
wrt_module_disasm(wrt_module *m, uint32_t func_index, void *file, wrt_error *err)
{
	return module_disasm(m, func_index, file, false, err);
}

bool
wrt_module_disasm_cells(wrt_module *m, uint32_t func_index, void *file, wrt_error *err)
{
	return module_disasm(m, func_index, file, true, err);
}
