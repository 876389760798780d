/*
 * fuse.c — the in-place fusion pass over a function's register code (ir.def
 * IR_THEN rows), run once the compiler has emitted every instruction and
 * before bind_handlers() turns opcodes into handler addresses.
 *
 * An in-place fusion is an instruction FIRST followed by the instructions
 * NEXT... of its row; the pass gives FIRST the row's opcode, whose handler
 * runs them all in order without dispatching between them.  Every
 * instruction stays where it is, with its cells and pc-map entry, so a jump
 * to any of the NEXT instructions still runs it alone: the pass needs no
 * rule for labels and jump targets, and traps, fuel and interrupts are
 * those of the instructions it runs (only back-edges poll and charge, and
 * the fused handlers end in the jump of their last instruction).
 *
 * Adding one is a row in ir.def (IR_THEN), a handler in interp.c, and, if
 * the instructions must agree on some operand beyond following each other,
 * a matcher in fuse_matchers below.  Where several rows match, the one
 * running the most instructions wins.
 */
#include "compile.h"

/* The in-place fusions: ir.def's IR_THEN rows. */
#define NO_ROW(...)
#define THEN_ROW(NAME, FIRST, L, NEXT, M) WRT_IR_##NAME,
static const uint16_t in_place_rows[] = {
	WRT_IR_HAND(NO_ROW, NO_ROW, NO_ROW, THEN_ROW, NO_ROW, NO_ROW)
};
#undef THEN_ROW
#undef NO_ROW

/* The opcode of the instruction at cell i (before handlers are bound). */
#define OP_AT(code, i) ((int) (code)[i].u)

/*
 * A run of byte tests after an add reads the add's result as its address:
 * the handler passes it on in a register, not through the run's p.
 */
static bool
m8n_address_is_sum(const wrt_cell *first, const wrt_cell *next)
{
	return wrt_ir_BIN_RR_d(first) == wrt_ir_I32_ADD_ANDI_EQI_M8N_p(next);
}

/* The matchers: what a row needs of the operands of its first instruction
 * and the next one, beyond their opcodes and order.  No entry: nothing. */
typedef bool fuse_matcher(const wrt_cell *first, const wrt_cell *next);
static fuse_matcher *const fuse_matchers[WRT_IR_COUNT_] = {
	[WRT_IR_I32_ADD_RR_EQI_M8N] = m8n_address_is_sum,
	[WRT_IR_I32_ADD_RR_NEI_M8N] = m8n_address_is_sum,
};

void
wrt_fuse_in_place(wrt_cell *code, const uint32_t *pcmap, uint32_t npc)
{
	for (uint32_t e = 0; e + 2 < npc; e += 2)
	{
		uint32_t i = pcmap[e];
		int op_i = OP_AT(code, i);
		int fused = -1, best = 0;
		for (size_t r = 0; r < sizeof(in_place_rows) / sizeof(in_place_rows[0]); r++)
		{
			const wrt_irinfo *row = &wrt_ir_info[in_place_rows[r]];
			if (op_i != row->first || row->nnext <= best || e + 2 * row->nnext >= npc)
				continue;
			/* the instructions right after i, each where the one before ends */
			uint32_t at = i, op = (uint32_t) row->first;
			bool match = true;
			for (uint32_t k = 0; k < row->nnext && match; k++)
			{
				uint32_t next = pcmap[e + 2 * (k + 1)];
				match = next == at + wrt_ir_length((int) op, &code[at]) && OP_AT(code, next) == row->next[k];
				at = next;
				op = (uint32_t) row->next[k];
			}
			fuse_matcher *agree = fuse_matchers[in_place_rows[r]];
			if (match && (!agree || agree(&code[i], &code[pcmap[e + 2]])))
			{
				fused = in_place_rows[r];
				best = row->nnext;
			}
		}
		if (fused >= 0)
			code[i].u = (uint64_t) fused;
	}
}
