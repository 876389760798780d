/*
 * test_fusion_rows.c — every in-place fusion of ir.def (IR_THEN rows,
 * runtime/fuse.c) has a case here: an export of fused.wat in whose code it
 * forms, a call whose result is checked, and an edge-case call (an address
 * add that wraps past 2^32, or a trap at the bytes just out of bounds).  The
 * test walks the table of instructions, so a new IR_THEN row without a case
 * fails it.  Each call is also made on a second instance of the fixture
 * compiled without the pass (the instructions unfused, module field
 * no_in_place), which must give the same result or trap and consume the
 * same fuel; and with the interrupt flag set and a handler that lets the
 * call go on, both must poll as often (every fused back-edge still polls),
 * and stopped at the third poll both trap having consumed the same fuel.
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

/* What a call did: its result or trap, its fuel and its interrupt polls. */
typedef struct outcome {
	bool ok;
	int32_t r;
	wrt_trapkind trap;
	uint64_t fuel;
	int polls;
} outcome;

/* The interrupt handler: counts polls, lets the call go on until `stop`. */
typedef struct poll_state {
	int polls, stop;
} poll_state;

static bool
count_poll(void *ud)
{
	poll_state *ps = ud;
	return ++ps->polls != ps->stop;
}

/* export(a, b) under a fuel budget, with the interrupt flag set and a
 * handler stopping at poll `stop` (0: never). */
static outcome
run_case(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b, int stop)
{
	static volatile int flag = 1;
	poll_state ps = {0, stop};
	outcome o = {0};

	wrt_store_set_fuel(s, 1000000);
	wrt_store_set_interrupt(s, &flag);
	wrt_store_set_interrupt_handler(s, count_poll, &ps);
	o.ok = call2(s, inst, name, a, b, &o.r);
	o.trap = o.ok ? WRT_TRAP_NONE : wrt_store_trap(s)->kind;
	if (!o.ok)
		o.r = 0;
	o.fuel = wrt_store_fuel_consumed(s);
	o.polls = ps.polls;
	wrt_store_set_interrupt_handler(s, NULL, NULL);
	wrt_store_set_interrupt(s, NULL);
	wrt_store_set_fuel(s, 0);
	return o;
}

/* The fused and the unfused instance agree on export(a, b).  *most is
 * raised to the polls of the call let run to its end. */
static void
same_as_unfused(wrt_store *s, wrt_instance *fused, wrt_instance *plain, const char *row,
				const char *name, int32_t a, int32_t b, int *most)
{
	int polls = 0;
	for (int stop = 0; stop <= 3; stop += 3)
	{
		outcome f = run_case(s, fused, name, a, b, stop);
		outcome p = run_case(s, plain, name, a, b, stop);
		CHECKF(f.ok == p.ok && f.r == p.r && f.trap == p.trap,
			   "%s: %s(%d, %d) stop %d: fused %d/%d, unfused %d/%d (result/trap)", row, name,
			   (int) a, (int) b, stop, (int) f.r, (int) f.trap, (int) p.r, (int) p.trap);
		CHECKF(f.fuel == p.fuel, "%s: %s(%d, %d) stop %d: fuel %llu fused, %llu unfused", row, name,
			   (int) a, (int) b, stop, (unsigned long long) f.fuel, (unsigned long long) p.fuel);
		CHECKF(f.polls == p.polls, "%s: %s(%d, %d) stop %d: %d polls fused, %d unfused", row, name,
			   (int) a, (int) b, stop, f.polls, p.polls);
		if (stop == 0)
		{
			polls = p.polls;
			if (polls > *most)
				*most = polls;
		}
		else if (polls >= stop)
			CHECKF(f.trap == WRT_TRAP_INTERRUPTED, "%s: %s(%d, %d) was not stopped at poll %d", row,
				   name, (int) a, (int) b, stop);
	}
}

void
test_fusion_rows_tested(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_module *mp = unit_fixture("fused");
	wrt_instance *inst, *plain;

	NEED(s);
	NEED(m);
	NEED(mp);
	mp->no_in_place = true;
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	plain = unit_instantiate(s, mp, NULL, 0);
	NEED(plain);
	int most_polls = 0;
	for (int row = 0; row < WRT_IR_COUNT_; row++)
	{
		if (wrt_ir_info[row].first < 0)
			continue;
		const char *rn = wrt_ir_info[row].name;
		const fusion_case *fc = NULL;
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			if (cases[k].row == row)
				fc = &cases[k];
		CHECKF(fc != NULL, "in-place fusion %s has no case in test_fusion_rows.c", rn);
		if (!fc)
			continue;
		int32_t r = 0;
		bool ok = call2(s, inst, fc->export, fc->a, fc->b, &r);
		CHECKF(ok && r == fc->want, "%s: %s(%d, %d) = %d%s, want %d", rn,
			   fc->export, (int) fc->a, (int) fc->b, (int) r, ok ? "" : " (trapped)", (int) fc->want);
		CHECKF(forms(inst, fc->export, row), "%s does not form in %s", rn, fc->export);
		CHECKF(!forms(plain, fc->export, row), "%s forms in %s without the pass", rn, fc->export);
		r = 0;
		ok = call2(s, inst, fc->export, fc->ea, fc->eb, &r);
		if (fc->oob)
		{
			CHECKF(!ok, "%s: %s(%d, %d) = %d, want a trap", rn, fc->export,
				   (int) fc->ea, (int) fc->eb, (int) r);
			if (!ok)
				CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB);
		}
		else
			CHECKF(ok && r == fc->ewant, "%s: %s(%d, %d) = %d, want %d", rn,
				   fc->export, (int) fc->ea, (int) fc->eb, (int) r, (int) fc->ewant);
		same_as_unfused(s, inst, plain, rn, fc->export, fc->a, fc->b, &most_polls);
		same_as_unfused(s, inst, plain, rn, fc->export, fc->ea, fc->eb, &most_polls);
	}
	/* the loops' back-edges were polled, so the stops above did stop them */
	CHECKF(most_polls > 3, "only %d interrupt polls in the longest call", most_polls);
}
