/*
 * test_fusion_rows.c — every in-place fusion of ir.def (IR_THEN rows,
 * runtime/fuse.c) has a case here: an export of fused.wat in whose code it
 * forms, a call whose result is checked, and an edge-case call (an address
 * add that wraps past 2^32, or a trap at the bytes just out of bounds).  The
 * test walks the table of instructions, so a new IR_THEN row without a case
 * fails it.
 */
#define _GNU_SOURCE
#include "unit.h"
#include "compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fusion_case {
	int row;                    /* WRT_IR_<NAME>, an IR_THEN row */
	const char *export;         /* fused.wat export in which it forms */
	int32_t a, b, want;         /* export(a, b) == want */
	int32_t ea, eb, ewant;      /* the edge case: export(ea, eb) == ewant ... */
	bool oob;                   /* ... or traps out of bounds */
} fusion_case;

static const fusion_case cases[] = {
	/* runs of byte tests at p + i: (-1, 1) wraps to address 0, 65532 + 1
	 * puts the last byte out of bounds */
	{WRT_IR_I32_ADD_RR_EQI_M8N, "cnt4rre", 100, 0, 1, 65532, 1, 0, true},
	{WRT_IR_I32_ADD_RR_NEI_M8N, "cnt4rr", 100, 0, 3, -1, 1, 5, false},
	/* out[n++] = c: p + i = -5 + 5 wraps to 0; the third store is out */
	{WRT_IR_I32_ADD_RR_STORE8, "st8rr", 100, 5, 8, -5, 5, 0, true},
	{WRT_IR_I32_ADD_RR_STORE8_ADDI, "st8rr", 100, 5, 8, 65530, 4, 0, true},
	{WRT_IR_I32_STORE8_ADDI, "st8rr", 100, 5, 8, 65534, 1, 0, true},
	{WRT_IR_I32_ADD_RR_STORE, "st32rr", 100, 5, 7, -5, 5, 7, false},
	{WRT_IR_I32_ADD_RR_STORE_ADDI, "st32rr", 100, 5, 7, -5, 5, 7, false},
	/* the constant and copy at a loop's exits */
	{WRT_IR_CONST_COPY, "exits", 4, 0, 9, 1, 0, 6, false},
	/* the slug loop: load, range checks, increments, back-edges; its last
	 * byte at 65535 is in bounds, the one after is not */
	{WRT_IR_CONST_COPY_ADDI_BR_NZ, "slugw", 2048, 25, 17, 65535, 2, 0, true},
	{WRT_IR_I32_ADD_RI_ADDI_BR_NZ, "slugw", 2048, 25, 17, 65535, 2, 0, true},
	{WRT_IR_I32_ADD_RI_BR, "slugw", 2048, 5, 5, 2053, 3, 1, false},
	{WRT_IR_I32_LOAD8_U_BR_GEU, "slugw", 2048, 25, 17, -1, 1, 0, true},
	/* 'e' at 2049 is lower case, 'H' at 2048 not; address 2^32 - 1 traps */
	{WRT_IR_I32_LOAD8_U_BR_LTU, "islower", 2049, 0, 1, -1, 0, 0, true},
};

/* Does the compiled code of export `name` hold instruction `row`?  (By
 * opcode, through the handler table: no name can match a longer one.) */
static bool
forms(wrt_instance *inst, const char *name, int row)
{
	wrt_func *f = unit_export_func(inst, name);
	if (!f || !f->code || !f->code->compiled)
		return false;
	const wrt_compiled *cf = f->code->compiled;
	for (uint32_t i = 0; i < cf->ncode;)
	{
		int op = wrt_ir_op(cf->code[i].h);
		if (op < 0)
			return false;
		if (op == row)
			return true;
		i += wrt_ir_length(op, &cf->code[i]);
	}
	return false;
}

static bool
call2(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b, int32_t *r)
{
	int32_t args[2] = {a, b};

	return unit_call_i32(s, unit_export_func(inst, name), args, r);
}

void
test_fusion_rows_tested(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_instance *inst;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	for (int row = 0; row < WRT_IR_COUNT_; row++)
	{
		if (wrt_ir_info[row].first < 0)
			continue;
		const fusion_case *fc = NULL;
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (cases[k].row == row)
				fc = &cases[k];
		CHECKF(fc != NULL, "in-place fusion %s has no case in test_fusion_rows.c", wrt_ir_info[row].name);
		if (!fc)
			continue;
		int32_t r = 0;
		bool ok = call2(s, inst, fc->export, fc->a, fc->b, &r);
		CHECKF(ok && r == fc->want, "%s: %s(%d, %d) = %d%s, want %d", wrt_ir_info[row].name,
			   fc->export, (int) fc->a, (int) fc->b, (int) r, ok ? "" : " (trapped)", (int) fc->want);
		CHECKF(forms(inst, fc->export, row), "%s does not form in %s", wrt_ir_info[row].name, fc->export);
		r = 0;
		ok = call2(s, inst, fc->export, fc->ea, fc->eb, &r);
		if (fc->oob)
		{
			CHECKF(!ok, "%s: %s(%d, %d) = %d, want a trap", wrt_ir_info[row].name, fc->export,
				   (int) fc->ea, (int) fc->eb, (int) r);
			if (!ok)
				CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);
		}
		else
			CHECKF(ok && r == fc->ewant, "%s: %s(%d, %d) = %d, want %d", wrt_ir_info[row].name,
				   fc->export, (int) fc->ea, (int) fc->eb, (int) r, (int) fc->ewant);
	}
}
