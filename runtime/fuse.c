/*
 * fuse.c — the fusion passes over a function's register code, run once the
 * compiler has emitted every instruction and before bind_handlers() turns
 * opcodes into handler addresses: first the replacing fusions, then the
 * in-place ones.
 *
 * A replacing fusion turns a group of instructions into one (or fewer)
 * that takes the place of the group.  wrt_fuse_replace() walks the code
 * once, appending each instruction to the code already done (in place: the
 * code only shrinks) and then running the matchers of that instruction
 * (replace_matchers), which look back at the instructions just appended,
 * as the compiler's peepholes did when these fusions were formed while
 * emitting.  Matchers read operands through the generated accessors and
 * decide on slots with the def-use view of ir.def (wrt_ir_slots: which
 * slots an instruction reads, which it writes).
 *
 * The one rule for labels and jump targets: a jump may land only on the
 * first instruction of a group, never inside it.  A label is a position the
 * compiler bound (it records every one: a block's or an if's end, an else,
 * a loop header, whether or not a branch goes there) or the target of any
 * branch (br_table's stubs are targets the compiler does not bind); every
 * matcher asks replaceable() of the instructions after the first.  When
 * the walk is done, every branch is aimed again (targets are held as
 * absolute cells during the walk), and the pc map and the loop table
 * (on-stack replacement enters at its cells) follow the code.
 *
 * A temporary is an operand-stack slot (>= nlocals).  The compiler gives
 * each value pushed on the operand stack its own temporary, read once by
 * the instruction that pops it: a temporary that an instruction reads
 * (other than a branch's copies, COPY and MOVE_N, which leave the value on
 * the stack for the path that falls through) is dead after it.  A fusion
 * may therefore drop the write of a temporary that only the group reads.
 *
 * An in-place fusion is an instruction FIRST followed by the instructions
 * NEXT... of its row (ir.def IR_THEN); the pass gives FIRST the row's
 * opcode, whose handler runs them all in order without dispatching between
 * them.  Every instruction stays where it is, with its cells and pc-map
 * entry, so a jump to any of the NEXT instructions still runs it alone:
 * that pass needs no rule for labels and jump targets, and traps, fuel and
 * interrupts are those of the instructions it runs (only back-edges poll
 * and charge, and the fused handlers end in the jump of their last
 * instruction).
 *
 * Adding a replacing fusion is a row in ir.def (in WRT_IR_FUSED, or a form
 * in WRT_IR_FUSED_FORMS), a handler in interp.c, a matcher here keyed by
 * the group's last instruction, and a case in test_fusion_rows.c.  Adding an
 * in-place one is a row in ir.def (IR_THEN), a handler in interp.c, and, if
 * the instructions must agree on some operand beyond following each other,
 * a matcher in fuse_matchers below.  Where several in-place rows match, the
 * one running the most instructions wins.
 */
#include "compile.h"
#include "opcodes.h"
#include "simd.h"

/* The in-place fusions: ir.def's IR_THEN rows. */
#define NO_ROW(...)
#define THEN_ROW(NAME, FIRST, L, NEXT, M) WRT_IR_##NAME,
static const uint16_t in_place_rows[] = {
	WRT_IR_HAND(NO_ROW, NO_ROW, NO_ROW, THEN_ROW, NO_ROW, NO_ROW)
};
#undef THEN_ROW

/* Does an in-place fusion begin with instruction op?  (Most do not: they
 * need not try every row.) */
#define THEN_FIRST(NAME, FIRST, L, NEXT, M) || op == WRT_IR_##FIRST
static inline bool
begins_in_place(int op)
{
	return false WRT_IR_HAND(NO_ROW, NO_ROW, NO_ROW, THEN_FIRST, NO_ROW, NO_ROW);
}
#undef THEN_FIRST
#undef NO_ROW

/* The opcode of the instruction at cell i (before handlers are bound). */
#define OP_AT(code, i) ((int) (code)[i].u)

/* A branch operand's bits (offset or, during the rewrite, absolute target). */
static uint64_t
opnd_get(const wrt_cell *pc, uint32_t cell, uint32_t half)
{
	return half == WRT_IR_LO ? WRT_LO(pc[cell]) : half == WRT_IR_HI ? WRT_HI(pc[cell]) : pc[cell].u;
}

/* NAME: the result d of the first instruction, of layout FL, is operand X
 * of the next, of layout NL (the handler passes it on in a register). */
#define RESULT_IS(NAME, FL, NL, X) \
	static bool \
	NAME(const wrt_cell *first, const wrt_cell *next) \
	{ \
		return wrt_ir_##FL##_d(first) == wrt_ir_##NL##_##X(next); \
	}

/*
 * A run of byte tests after an add reads the add's result as its address:
 * the handler passes it on in a register, not through the run's p.
 */
RESULT_IS(m8n_address_is_sum, BIN_RR, I32_ADD_ANDI_EQI_M8N, p)

/* The branch after a load tests the value loaded: the handler branches on
 * it as loaded, not reading c back. */
RESULT_IS(tests_loaded, LOAD, BR_NZ, c)

/*
 * The chains of an unrolled reduction: n F64_MUL_MM_{ADD,SUB}_RR_ST steps
 * at *at, each adding to the sum before it (its b is *sum) without writing
 * its product t over b first, so that the handler passes the sum on in a
 * register.  On success *sum is the last step's and *at the cell after it.
 */
static bool
mm_chain(uint32_t *sum, const wrt_cell **at, int n)
{
	for (int k = 0; k < n; k++, *at += WRT_IRLEN_F64_MUL_MM_ADD_RR_ST)
	{
		uint32_t b = wrt_ir_F64_MUL_MM_ADD_RR_ST_b(*at);
		if (b != *sum || wrt_ir_F64_MUL_MM_ADD_RR_ST_t(*at) == b)
			return false;
		*sum = wrt_ir_F64_MUL_MM_ADD_RR_ST_d(*at);
	}
	return true;
}
#define CHAIN_OF(FL, N) \
	static bool \
	passes_sum_##N##_##FL(const wrt_cell *first, const wrt_cell *next) \
	{ \
		uint32_t sum = wrt_ir_##FL##_d(first); \
		return mm_chain(&sum, &next, N); \
	}
CHAIN_OF(F64_MUL_RRTX_ADD_RR_ST, 1)
CHAIN_OF(F64_MUL_RRTX_ADD_RR_ST, 2)
CHAIN_OF(F64_MUL_RMA_ADD_RR_ST, 1)
CHAIN_OF(F64_MUL_MM_ADD_RR_ST, 1)
#undef CHAIN_OF


/*
 * The other loops of a sum (ir.def, after F64_ADD_RMA_MUL_RI_ST), whose
 * handlers run every instruction of the loop as its own handler does but
 * read and pass the sum in a register.  A step of the sum is a
 * multiply-accumulate into a slot (F64_MUL_<form>_{ADD,SUB}_RR_ST), or an
 * F64_ADD_RR: it reads the sum as its b and writes the new one as its d.
 */
static bool
sum_step(int op, const wrt_cell *at, uint32_t *b, uint32_t *d)
{
	switch (op)
	{
#define STEP_AS(OP, L) \
		case WRT_IR_##OP: \
			*b = wrt_ir_##L##_b(at); \
			*d = wrt_ir_##L##_d(at); \
			return true;
		STEP_AS(F64_MUL_MM_ADD_RR_ST, F64_MUL_MM_ADD_RR_ST) STEP_AS(F64_MUL_MM_SUB_RR_ST, F64_MUL_MM_ADD_RR_ST)
		STEP_AS(F64_MUL_RMX_ADD_RR_ST, F64_MUL_RMX_ADD_RR_ST) STEP_AS(F64_MUL_RMX_SUB_RR_ST, F64_MUL_RMX_ADD_RR_ST)
		STEP_AS(F64_MUL_RMA_ADD_RR_ST, F64_MUL_RMA_ADD_RR_ST) STEP_AS(F64_MUL_RMA_SUB_RR_ST, F64_MUL_RMA_ADD_RR_ST)
		STEP_AS(F64_MUL_RM_ADD_RR_ST, F64_MUL_RM_ADD_RR_ST) STEP_AS(F64_MUL_RM_SUB_RR_ST, F64_MUL_RM_ADD_RR_ST)
		STEP_AS(F64_MUL_RI_ADD_RR_ST, F64_MUL_RI_ADD_RR_ST) STEP_AS(F64_MUL_RI_SUB_RR_ST, F64_MUL_RI_ADD_RR_ST)
		STEP_AS(F64_MUL_RRTX_ADD_RR_ST, F64_MUL_RRTX_ADD_RR_ST) STEP_AS(F64_ADD_RR, BIN_RR)
#undef STEP_AS
		default:
			return false;           /* not a step: it must leave the sum alone */
	}
}

/* Does instruction op write slot s other than as its result d? */
static bool
writes_besides(int op, const wrt_cell *at, uint32_t s, uint32_t d)
{
	wrt_irslots u;
	int hits = 0;
	wrt_ir_slots(op, at, &u);
	for (uint32_t k = 0; k < u.nwrite; k++)
		hits += s - u.write[k].slot < u.write[k].count;
	return u.call || hits > (s == d);
}

/* The branch offset of instruction op at `at`, if it has one (a loop row's
 * tail, the only instruction of the row that does). */
static bool
branch_of(int op, const wrt_cell *at, int32_t *off)
{
	const wrt_irlayout *l = wrt_ir_info[op].layout;
	for (uint32_t k = 0; k < l->nopnds; k++)
		if (l->opnds[k].kind == WRT_IRK_BR && l->opnds[k].half != WRT_IR_TAILHALF)
		{
			*off = (int32_t) opnd_get(at, l->opnds[k].cell, l->opnds[k].half);
			return true;
		}
	return false;
}

/*
 * The matcher of the loop rows: the instructions from first up to the
 * row's tail (its first instruction with a branch) are the loop of one
 * sum.  The first step's b is the sum's slot acc; every step reads the sum
 * where the step before left it (its b) and writes no other slot over it
 * before; no other instruction writes the sum's slot; the last step leaves
 * it in acc again, which the tail does not write; the tail's branch lands
 * on first.
 */
static bool
keeps_sum(const wrt_cell *first, const wrt_cell *next)
{
	uint32_t acc = UINT32_MAX, b, d;
	int32_t off;
	const wrt_cell *at = first;
	int op;
	for (; !branch_of(op = OP_AT(at, 0), at, &off); at += wrt_ir_length(op, at))
		if (sum_step(op, at, &b, &d))
		{
			acc = b;
			break;
		}
	if (acc == UINT32_MAX)
		return false;
	uint32_t sum = acc;
	for (at = first; !branch_of(op = OP_AT(at, 0), at, &off); at += wrt_ir_length(op, at))
		if (sum_step(op, at, &b, &d))
		{
			if (b != sum || writes_besides(op, at, sum, d))
				return false;
			sum = d;
		}
		else if (wrt_ir_writes(op, at, sum))
			return false;
	(void) next;
	return sum == acc && !wrt_ir_writes(op, at, acc) && at + off == first;
}

/* F64_MUL_MM, F64_SUB_RR, F64_MUL_MM, F64_SUB_RR: each product is its
 * subtraction's b, the sum the first's a and the second's d, the first's
 * difference the second's a; neither product is written over the value
 * the subtraction after it still reads (the second may be written over
 * the sum: it is read in the register, and written again after). */
static bool
loops_diff2_NE_A2(const wrt_cell *first, const wrt_cell *next)
{
	const wrt_cell *s1 = next, *m2 = s1 + WRT_IRLEN_BIN_RR, *s2 = m2 + WRT_IRLEN_F64_ADD_MM;
	uint32_t acc = wrt_ir_BIN_RR_a(s1), d1 = wrt_ir_BIN_RR_d(s1);
	const wrt_cell *tail = s2 + WRT_IRLEN_BIN_RR;
	return wrt_ir_BIN_RR_b(s1) == wrt_ir_F64_ADD_MM_d(first) && wrt_ir_F64_ADD_MM_d(first) != acc &&
		wrt_ir_BIN_RR_a(s2) == d1 && wrt_ir_BIN_RR_b(s2) == wrt_ir_F64_ADD_MM_d(m2) &&
		wrt_ir_F64_ADD_MM_d(m2) != d1 && wrt_ir_BIN_RR_d(s2) == acc &&
		tail + (int32_t) wrt_ir_I32_ADDI_BR_NE_A2_off(tail) == first &&
		!wrt_ir_writes(WRT_IR_I32_ADDI_BR_NE_A2, tail, acc);
}

/* The product of an F64_MUL_MI is the left operand a of the
 * multiply-accumulate after it, which (an _RMX) does not write
 * its index sum over a before reading it: the handler passes it in a
 * register. */
static bool
scales_mac_F64_MUL_RMX_ADD_RM_ST(const wrt_cell *first, const wrt_cell *next)
{
	return wrt_ir_F64_MUL_MI_d(first) == wrt_ir_F64_MUL_RMX_ADD_RM_ST_a(next) &&
		wrt_ir_F64_MUL_RMX_ADD_RM_ST_tx(next) != wrt_ir_F64_MUL_RMX_ADD_RM_ST_a(next);
}
RESULT_IS(scales_mac_F64_MUL_RMA_ADD_RM_ST, F64_MUL_MI, F64_MUL_RMA_ADD_RM_ST, a)
RESULT_IS(scales_mac_F64_MUL_RM_ADD_RM_ST, F64_MUL_MI, F64_MUL_RM_ADD_RM_ST, a)
/* A stencil's sum d (F64_ADD_RMA2, or an F64_ADD_RMA) is the left operand
 * a of the scaling by a constant after it: passed in a register. */
RESULT_IS(scales_sum2, F64_ADD_RMA2, BIN_RI, a)
RESULT_IS(scales_sum_st, BIN_RMA, F64_ADD_RI_ST, a)
#undef RESULT_IS

/* The matchers: what a row needs of the operands of its first instruction
 * and the next one, beyond their opcodes and order.  No entry: nothing. */
typedef bool fuse_matcher(const wrt_cell *first, const wrt_cell *next);
static fuse_matcher *const fuse_matchers[WRT_IR_COUNT_] = {
	[WRT_IR_I32_ADD_RR_EQI_M8N] = m8n_address_is_sum,
	[WRT_IR_I32_ADD_RR_NEI_M8N] = m8n_address_is_sum,
	[WRT_IR_I32_LOAD_BR_NZ] = tests_loaded,
	[WRT_IR_I32_LOAD_BR_Z] = tests_loaded,
	[WRT_IR_I32_LOAD8_U_BR_NZ] = tests_loaded,
	[WRT_IR_I32_LOAD8_U_BR_Z] = tests_loaded,
	[WRT_IR_F64_MUL_RRTX_ADD_RR_ST_MM] = passes_sum_1_F64_MUL_RRTX_ADD_RR_ST,
	[WRT_IR_F64_MUL_RRTX_ADD_RR_ST_MM2] = passes_sum_2_F64_MUL_RRTX_ADD_RR_ST,
	[WRT_IR_F64_MUL_RMA_ADD_RR_ST_MM] = passes_sum_1_F64_MUL_RMA_ADD_RR_ST,
	[WRT_IR_F64_MUL_MM_SUB_RR_ST_MM] = passes_sum_1_F64_MUL_MM_ADD_RR_ST,
	[WRT_IR_F64_MUL_RRTX_ADD_RR_ST_MM_NEI] = keeps_sum,
	[WRT_IR_F64_MUL_RRTX_ADD_RR_ST_MM_NEI_A] = keeps_sum,
	[WRT_IR_F64_MUL_RRTX_ADD_RR_ST_MM2_NEI_A] = keeps_sum,
	[WRT_IR_F64_MUL_MI_RMA_ADD_RM_ST] = scales_mac_F64_MUL_RMA_ADD_RM_ST,
	[WRT_IR_F64_MUL_MI_RM_ADD_RM_ST] = scales_mac_F64_MUL_RM_ADD_RM_ST,
	[WRT_IR_F64_MUL_MI_RMX_ADD_RM_ST] = scales_mac_F64_MUL_RMX_ADD_RM_ST,
	[WRT_IR_F64_ADD_RMA2_MUL_RI] = scales_sum2,
	[WRT_IR_F64_ADD_RMA_MUL_RI_ST] = scales_sum_st,
	[WRT_IR_F64_MUL_MM_SUB_RR_ST_MM_NE_A2] = keeps_sum,
	[WRT_IR_F64_MUL_MM_SUB_RR2_NE_A2] = loops_diff2_NE_A2,
	[WRT_IR_F64_LOAD_RMX_ADD_MM_NEI_A] = keeps_sum,
	[WRT_IR_F64_LOAD_RRT_RMA_ADD_MM_NEI] = keeps_sum,
	[WRT_IR_I32_ADD_RR_RMA_ADD_MM_NZ_A2] = keeps_sum,
	[WRT_IR_F64_MUL_MI_RMX_MI_RMA_NEI_A] = keeps_sum,
	[WRT_IR_F64_LOAD_RRT_RI_RMX_MI_RMA_NEI] = keeps_sum,
	[WRT_IR_F64_LOAD_RRT_RI_RMX_MI_RMA2_NEI_A] = keeps_sum,
	[WRT_IR_F64_MUL_MI_RM_MM_ADD_NZ_A2] = keeps_sum,
};

void
wrt_fuse_in_place(wrt_cell *code, const uint32_t *pcmap, uint32_t npc)
{
	for (uint32_t e = 0; e + 2 < npc; e += 2)
	{
		uint32_t i = pcmap[e];
		int op_i = OP_AT(code, i);
		int fused = -1, best = 0;
		if (!begins_in_place(op_i))
			continue;
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

/* ---- replacing fusions --------------------------------------------------- */

/*
 * The compares and tests of opcodes.def, by instruction: for a compare's
 * _RR and _RI forms and a test, the operator's first form (its _RR, or the
 * test itself), from which the fused branch forms are offsets (WRT_IRF_).
 */
typedef struct cond_of {
	uint16_t base;              /* 0: not a compare or test */
	bool ri, test;
} cond_of;
#define OP_TEST(NAME, code, text, TIN, body) [WRT_IR_##NAME] = {WRT_IR_##NAME, false, true},
#define OP_CMP(NAME, code, text, T, body) \
	[WRT_IR_##NAME##_RR] = {WRT_IR_##NAME##_RR, false, false}, \
	[WRT_IR_##NAME##_RI] = {WRT_IR_##NAME##_RR, true, false},
static const cond_of conds[WRT_IR_COUNT_] = {
#include "opcodes.def"
};

/* The type of the operands of each binary operator's and compare's _RR
 * form, and of the value of each full-width load (plain, or _ADD with
 * offset 0): what a load folded into the operator's _RM/_RMA form must
 * agree on. */
#define OP_BIN(NAME, code, text, T, TOUT, body) [WRT_IR_##NAME##_RR] = WRT_VT_##T,
#define OP_CMP(NAME, code, text, T, body) [WRT_IR_##NAME##_RR] = WRT_VT_##T,
static const uint8_t rr_type[WRT_IR_COUNT_] = {
#include "opcodes.def"
};
static const uint8_t full_load_type[WRT_IR_COUNT_] = {
	[WRT_IR_I32_LOAD] = WRT_VT_I32, [WRT_IR_I64_LOAD] = WRT_VT_I64,
	[WRT_IR_F32_LOAD] = WRT_VT_F32, [WRT_IR_F64_LOAD] = WRT_VT_F64,
};
/* The scalar loads' plain forms (their _ADD form is WRT_IRF_LOAD_ADD on). */
#define OP_LOAD(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = true,
static const bool plain_load[WRT_IR_COUNT_] = {
#include "opcodes.def"
};

/* The code being rewritten: the instructions done so far, in place. */
typedef struct rewrite {
	wrt_cell *code;
	uint32_t *pcmap;            /* pairs: cell, module offset; one per instruction done */
	uint8_t *label;             /* per instruction done: a label (a jump may land on it) */
	uint32_t out;               /* cells done */
	uint32_t n;                 /* instructions done */
	uint32_t nlocals;           /* slots from here on are temporaries */
	uint32_t next, ninsn;       /* the instructions not done yet: pc-map entries next.. ninsn-1 */
} rewrite;

/* Cell, opcode and module offset of instruction k done. */
#define AT(r, k) ((r)->pcmap[2 * (k)])
#define OPK(r, k) OP_AT((r)->code, AT(r, k))
#define OFFSET(r, k) ((r)->pcmap[2 * (k) + 1])
#define PC(r, k) (&(r)->code[AT(r, k)])

/* May the instructions first..last done (indices) be replaced, all but the
 * first of them being no jump target? */
static bool
replaceable(const rewrite *r, uint32_t first, uint32_t last)
{
	for (uint32_t k = first + 1; k <= last; k++)
		if (r->label[k])
			return false;
	return true;
}

/* Forget the instructions from k done on: the fused code replaces them.
 * Returns whether k was a label: the code in its place is. */
static uint8_t
drop_to(rewrite *r, uint32_t k)
{
	r->out = AT(r, k);
	r->n = k;
	return r->label[k];
}

/* Append instruction irop of len cells (all 0 but its opcode, for the
 * setters to fill) with module offset `offset`, a label or not. */
static wrt_cell *
append(rewrite *r, int irop, uint32_t len, uint32_t offset, uint8_t label)
{
	wrt_cell *pc = &r->code[r->out];
	memset(pc, 0, len * sizeof(wrt_cell));
	pc->u = (uint64_t) irop;
	r->pcmap[2 * r->n] = r->out;
	r->pcmap[2 * r->n + 1] = offset;
	r->label[r->n] = label;
	r->n++;
	r->out += len;
	return pc;
}

/*
 * May the instructions between instructions p and q done run before a
 * fused instruction that replaces p (and those before it) and q?  Only if
 * they neither read nor write the temporaries dead[] the group computes
 * and reads (the fused instruction no longer writes them), nor write a
 * slot that the instruction op at pc, the group's first, reads.
 */
static bool
may_run_first(const rewrite *r, uint32_t p, uint32_t q, int op, const wrt_cell *pc, const uint32_t *dead,
			  uint32_t ndead)
{
	if (p + 1 == q)
		return true;
	wrt_irslots use;
	wrt_ir_slots(op, pc, &use);
	for (uint32_t j = p + 1; j < q; j++)
	{
		int jop = OPK(r, j);
		const wrt_cell *pj = PC(r, j);
		for (uint32_t u = 0; u < ndead; u++)
			if (wrt_ir_reads(jop, pj, dead[u]) || wrt_ir_writes(jop, pj, dead[u]))
				return false;
		for (uint32_t u = 0; u < use.nread; u++)
			for (uint32_t k = 0; k < use.read[u].count; k++)
				if (wrt_ir_writes(jop, pj, use.read[u].slot + k))
					return false;
	}
	return true;
}

/*
 * Move the instructions between instruction p and q (p < q, both done) to
 * where instruction g (g <= p) starts, dropping g..p and q: a group's
 * instructions g..p and q become one fused instruction, appended next, and
 * the ones between (which the caller checked it may move above it) run
 * before it.  Returns whether the fused instruction takes the place of a
 * label (g was one, and nothing was between).
 */
static uint8_t
drop_around(rewrite *r, uint32_t g, uint32_t p, uint32_t q)
{
	uint32_t src = AT(r, p + 1), dst = AT(r, g), len = AT(r, q) - src;
	uint8_t label = r->label[g];
	for (uint32_t k = p + 1; k < q; k++)
	{
		uint32_t to = g + (k - p - 1);
		r->pcmap[2 * to] = AT(r, k) - src + dst;
		r->pcmap[2 * to + 1] = OFFSET(r, k);
		r->label[to] = r->label[k];
	}
	memmove(&r->code[dst], &r->code[src], len * sizeof(wrt_cell));
	r->n = g + (q - p - 1);
	r->out = dst + len;
	if (q == p + 1)
		return label;
	r->label[g] |= label;
	return 0;
}


static void
opnd_set(wrt_cell *pc, uint32_t cell, uint32_t half, int32_t v)
{
	if (half == WRT_IR_LO)
		pc[cell].u = WRT_PACK(v, WRT_HI(pc[cell]));
	else if (half == WRT_IR_HI)
		pc[cell].u = WRT_PACK(WRT_LO(pc[cell]), v);
	else
		pc[cell].i = v;
}

/*
 * Every branch operand of the instruction op of layout l at pc: f(arg, at,
 * v) returns its new value from its old one v, at being the instruction's
 * cell.  During the rewrite branch operands hold absolute cells of the code
 * before it, so that instructions can move.
 */
typedef int32_t branch_fn(void *arg, uint32_t at, int32_t v);
static void
each_branch(wrt_cell *pc, const wrt_irlayout *l, uint32_t at, branch_fn *f, void *arg)
{
	for (uint32_t k = 0; k < l->nopnds; k++)
	{
		const wrt_iropnd *o = &l->opnds[k];
		if (o->kind != WRT_IRK_BR)
			continue;
		if (o->half == WRT_IR_TAILHALF)
		{
			uint32_t n = (uint32_t) opnd_get(pc, o->count_cell, o->count_half);
			for (uint32_t e = 0; e <= n; e++)
				pc[o->cell + e].i = f(arg, at, (int32_t) pc[o->cell + e].i);
		}
		else
			opnd_set(pc, o->cell, o->half, f(arg, at, (int32_t) opnd_get(pc, o->cell, o->half)));
	}
}

/* ... and the three uses: to absolute targets (marking them labels), and back. */
static int32_t
to_absolute(void *arg, uint32_t at, int32_t off)
{
	uint8_t *label = arg;
	uint32_t t = at + (uint32_t) off;
	label[t] = 1;
	return (int32_t) t;
}

static int32_t
to_relative(void *arg, uint32_t at, int32_t target)
{
	const uint32_t *map = arg;
	return (int32_t) (map[(uint32_t) target] - at);
}

/* A load's address in the form of M8/M64 (ir.def): (u32)(p + k) + o. */
typedef struct maddr {
	uint32_t p, k, o;
} maddr;

/* Is instruction k done a load irop, or its _ADD form?  Its destination and
 * address (a plain load is a LOAD_ADD with k = 0). */
static bool
load_at(const rewrite *r, uint32_t k, int irop, uint32_t *dst, maddr *m)
{
	const wrt_cell *pc = PC(r, k);
	if (OPK(r, k) == irop)
	{
		*dst = wrt_ir_LOAD_d(pc);
		*m = (maddr) {wrt_ir_LOAD_a(pc), 0, (uint32_t) wrt_ir_LOAD_offset(pc)};
		return true;
	}
	if (OPK(r, k) == irop + WRT_IRF_LOAD_ADD)
	{
		*dst = wrt_ir_LOAD_ADD_d(pc);
		*m = (maddr) {wrt_ir_LOAD_ADD_a(pc), wrt_ir_LOAD_ADD_k(pc), wrt_ir_LOAD_ADD_offset(pc)};
		return true;
	}
	return false;
}

/* Does a conditional branch on slot c come next (past the copies and
 * constants an if or a br_if writes out first)?  Then the compare computing
 * c is left to fuse with it. */
static bool
branch_on_next(const rewrite *r, uint32_t c)
{
	for (uint32_t e = r->next; e < r->ninsn; e++)
	{
		const wrt_cell *pc = &r->code[r->pcmap[2 * e]];
		int op = OP_AT(r->code, r->pcmap[2 * e]);
		if (op == WRT_IR_COPY || op == WRT_IR_CONST)
			continue;
		return (op == WRT_IR_BR_NZ || op == WRT_IR_BR_Z) && wrt_ir_BR_NZ_c(pc) == c;
	}
	return false;
}

/* The integer comparison with the opposite outcome (exact: no NaN), by
 * the first form of each, or 0. */
static int
negated_compare(int base)
{
	switch (base)
	{
#define NEG_(A, B) case WRT_IR_##A##_RR: return WRT_IR_##B##_RR; case WRT_IR_##B##_RR: return WRT_IR_##A##_RR;
		NEG_(I32_EQ, I32_NE) NEG_(I32_LT_S, I32_GE_S) NEG_(I32_LT_U, I32_GE_U)
		NEG_(I32_GT_S, I32_LE_S) NEG_(I32_GT_U, I32_LE_U)
		NEG_(I64_EQ, I64_NE) NEG_(I64_LT_S, I64_GE_S) NEG_(I64_LT_U, I64_GE_U)
		NEG_(I64_GT_S, I64_LE_S) NEG_(I64_GT_U, I64_LE_U)
#undef NEG_
		default: return 0;
	}
}

/*
 * i32.eqz of an integer compare's result (a temporary, read only here): the
 * compare becomes its negation, writing the eqz's result, in its place
 * (its module offset).
 */
static void
match_eqz_of_compare(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	const wrt_cell *pq = PC(r, q);
	wrt_cell *pp = &r->code[AT(r, p)];
	cond_of co = conds[OPK(r, p)];
	int neg = co.base && !co.test ? negated_compare(co.base) : 0;
	uint32_t t = wrt_ir_BIN_RR_d(pp);
	if (!neg || t < r->nlocals || wrt_ir_TEST_a(pq) != t)
		return;
	uint32_t d = wrt_ir_TEST_d(pq);
	r->out = AT(r, q);
	r->n = q;
	pp->u = (uint64_t) (neg + (co.ri ? WRT_IRF_BIN_RI : WRT_IRF_BIN_RR));
	wrt_ir_set_BIN_RR_d(pp, d);
}

/*
 * i32.eq/ne of two bytes just loaded into temporaries (LOAD8_U or its _ADD
 * form), in order, the second's address not the first byte: one
 * I32_EQ_MM8/NE_MM8 loads both and compares, in the first load's place.
 */
static void
match_byte_compare(rewrite *r)
{
	uint32_t q = r->n - 1;
	if (q < 2 || !replaceable(r, q - 2, q))
		return;
	const wrt_cell *pq = PC(r, q);
	uint32_t da, db;
	maddr ma, mb;
	if (!load_at(r, q - 2, WRT_IR_I32_LOAD8_U, &da, &ma) || !load_at(r, q - 1, WRT_IR_I32_LOAD8_U, &db, &mb) ||
		da < r->nlocals || db < r->nlocals || da == db || wrt_ir_BIN_RR_a(pq) != da ||
		wrt_ir_BIN_RR_b(pq) != db || mb.p == da)
		return;
	uint32_t d = wrt_ir_BIN_RR_d(pq), offset = OFFSET(r, q - 2);
	int irop = OPK(r, q) == WRT_IR_I32_EQ_RR ? WRT_IR_I32_EQ_MM8 : WRT_IR_I32_NE_MM8;
	wrt_cell *pc = append(r, irop, WRT_IRLEN_I32_EQ_MM8, offset, drop_to(r, q - 2));
	wrt_ir_set_I32_EQ_MM8_d(pc, d);
	wrt_ir_set_I32_EQ_MM8_pa(pc, ma.p);
	wrt_ir_set_I32_EQ_MM8_pb(pc, mb.p);
	wrt_ir_set_I32_EQ_MM8_ka(pc, ma.k);
	wrt_ir_set_I32_EQ_MM8_oa(pc, ma.o);
	wrt_ir_set_I32_EQ_MM8_kb(pc, mb.k);
	wrt_ir_set_I32_EQ_MM8_ob(pc, mb.o);
}

/*
 * (x & m) ==/!= k, the mask's result a temporary read only here, unless a
 * branch on the result comes next (compare and branch fuse instead): one
 * I32_ANDI_EQI/NEI in the mask's place, with the compare's module offset;
 * x a byte just loaded into a temporary: one I32_ANDI_EQI/NEI_M8 in the
 * load's place (its offset).
 */
static void
match_mask_compare(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q) || OPK(r, p) != WRT_IR_I32_AND_RI)
		return;
	const wrt_cell *pq = PC(r, q), *pp = PC(r, p);
	uint32_t t = wrt_ir_BIN_RI_d(pp), d = wrt_ir_BIN_RI_d(pq);
	if (t < r->nlocals || wrt_ir_BIN_RI_a(pq) != t || branch_on_next(r, d))
		return;
	bool eq = OPK(r, q) == WRT_IR_I32_EQ_RI;
	uint32_t x = wrt_ir_BIN_RI_a(pp), m = (uint32_t) wrt_ir_BIN_RI_imm(pp).u;
	uint32_t v = (uint32_t) wrt_ir_BIN_RI_imm(pq).u, ld;
	maddr ma;
	if (x >= r->nlocals && p > 0 && replaceable(r, p - 1, q) && load_at(r, p - 1, WRT_IR_I32_LOAD8_U, &ld, &ma) &&
		ld == x)
	{
		uint32_t offset = OFFSET(r, p - 1);
		wrt_cell *pc = append(r, eq ? WRT_IR_I32_ANDI_EQI_M8 : WRT_IR_I32_ANDI_NEI_M8, WRT_IRLEN_I32_ANDI_EQI_M8,
							  offset, drop_to(r, p - 1));
		wrt_ir_set_I32_ANDI_EQI_M8_d(pc, d);
		wrt_ir_set_I32_ANDI_EQI_M8_p(pc, ma.p);
		wrt_ir_set_I32_ANDI_EQI_M8_k(pc, ma.k);
		wrt_ir_set_I32_ANDI_EQI_M8_o(pc, ma.o);
		wrt_ir_set_I32_ANDI_EQI_M8_m(pc, m);
		wrt_ir_set_I32_ANDI_EQI_M8_v(pc, v);
		return;
	}
	uint32_t offset = OFFSET(r, q);
	wrt_cell *pc = append(r, eq ? WRT_IR_I32_ANDI_EQI : WRT_IR_I32_ANDI_NEI, WRT_IRLEN_I32_ANDI_EQI, offset,
						  drop_to(r, p));
	wrt_ir_set_I32_ANDI_EQI_d(pc, d);
	wrt_ir_set_I32_ANDI_EQI_a(pc, x);
	wrt_ir_set_I32_ANDI_EQI_m(pc, m);
	wrt_ir_set_I32_ANDI_EQI_k(pc, v);
}

/*
 * An I32_ADD_ANDI_EQI/NEI_M8 (instruction l done) whose accumulator is the
 * result (a temporary) of the same test of the byte before, on the same
 * address slot (a run, or a single one), just before it: one run
 * ..._M8N of up to 4 bytes (clang's unrolled counting loops), which keeps
 * the count in a register and checks bounds once; in the first's place.
 */
static void
match_m8_run(rewrite *r, uint32_t l)
{
	bool ne = OPK(r, l) == WRT_IR_I32_ADD_ANDI_NEI_M8;
	int single = ne ? WRT_IR_I32_ADD_ANDI_NEI_M8 : WRT_IR_I32_ADD_ANDI_EQI_M8;
	int run = ne ? WRT_IR_I32_ADD_ANDI_NEI_M8N : WRT_IR_I32_ADD_ANDI_EQI_M8N;
	if (l == 0 || !replaceable(r, l - 1, l))
		return;
	uint32_t p = l - 1;
	const wrt_cell *pp = PC(r, p), *pl = PC(r, l);
	uint32_t n, step, s0, addr0, t, k0, o0, m0, v0;
	if (OPK(r, p) == single)
	{
		n = 1;
		step = 2;               /* either */
		s0 = wrt_ir_I32_ADD_ANDI_EQI_M8_s(pp);
		t = wrt_ir_I32_ADD_ANDI_EQI_M8_d(pp);
		addr0 = wrt_ir_I32_ADD_ANDI_EQI_M8_p(pp);
		k0 = wrt_ir_I32_ADD_ANDI_EQI_M8_k(pp);
		o0 = wrt_ir_I32_ADD_ANDI_EQI_M8_o(pp);
		m0 = wrt_ir_I32_ADD_ANDI_EQI_M8_m(pp);
		v0 = wrt_ir_I32_ADD_ANDI_EQI_M8_v(pp);
	}
	else if (OPK(r, p) == run)
	{
		n = wrt_ir_I32_ADD_ANDI_EQI_M8N_nf(pp) & 0xff;
		step = wrt_ir_I32_ADD_ANDI_EQI_M8N_nf(pp) >> 8;
		s0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_s(pp);
		t = wrt_ir_I32_ADD_ANDI_EQI_M8N_d(pp);
		addr0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_p(pp);
		k0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_k(pp);
		o0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_o(pp);
		m0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_m(pp);
		v0 = wrt_ir_I32_ADD_ANDI_EQI_M8N_v(pp);
	}
	else
		return;
	/* l: the same test of the next byte, at the same address slot,
	 * accumulating into t, p's result (a temporary) */
	uint32_t addr = wrt_ir_I32_ADD_ANDI_EQI_M8_p(pl);
	if (n >= 4 || addr0 != addr || m0 != wrt_ir_I32_ADD_ANDI_EQI_M8_m(pl) ||
		v0 != wrt_ir_I32_ADD_ANDI_EQI_M8_v(pl) || t < r->nlocals || t == addr ||
		wrt_ir_I32_ADD_ANDI_EQI_M8_s(pl) != t)
		return;
	uint32_t k1 = wrt_ir_I32_ADD_ANDI_EQI_M8_k(pl), o1 = wrt_ir_I32_ADD_ANDI_EQI_M8_o(pl);
	if (step != 1 && k1 == k0 + n && o1 == o0)
		step = 0;
	else if (step != 0 && k1 == k0 && (uint64_t) o0 + n == o1)
		step = 1;
	else
		return;
	uint32_t d = wrt_ir_I32_ADD_ANDI_EQI_M8_d(pl), offset = OFFSET(r, p);
	_Static_assert((int) WRT_IRLEN_I32_ADD_ANDI_EQI_M8 == (int) WRT_IRLEN_I32_ADD_ANDI_EQI_M8N,
				   "a single test and a run are as long");
	wrt_cell *pc = append(r, run, WRT_IRLEN_I32_ADD_ANDI_EQI_M8N, offset, drop_to(r, p));
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_d(pc, d);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_p(pc, addr);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_k(pc, k0);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_o(pc, o0);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_m(pc, m0);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_v(pc, v0);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_s(pc, s0);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8N_nf(pc, (n + 1) | step << 8);
}

/*
 * i32.add of a byte compare's result (a temporary, just computed) and s
 * (counting: n += s[i] != t[j], n += (s[i] & m) != k): the compare adds
 * its result to s instead, in its place (its module offset); then maybe a
 * run of such tests (match_m8_run).
 */
static void
match_accumulate(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	if (q == 0 || !replaceable(r, l, q))
		return;
	int op = OPK(r, l);
	bool mm8 = op == WRT_IR_I32_EQ_MM8 || op == WRT_IR_I32_NE_MM8;
	if (!mm8 && op != WRT_IR_I32_ANDI_EQI_M8 && op != WRT_IR_I32_ANDI_NEI_M8)
		return;
	_Static_assert((int) WRT_IRPOS_I32_EQ_MM8_d == (int) WRT_IRPOS_I32_ANDI_EQI_M8_d &&
				   (int) WRT_IRHALF_I32_EQ_MM8_d == (int) WRT_IRHALF_I32_ANDI_EQI_M8_d,
				   "both compares have their result d in the same place");
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t t = wrt_ir_I32_EQ_MM8_d(pl), a = wrt_ir_BIN_RR_a(pq), b = wrt_ir_BIN_RR_b(pq), s;
	if (t < r->nlocals || a == b)
		return;
	if (b == t)
		s = a;
	else if (a == t)
		s = b;
	else
		return;
	uint32_t d = wrt_ir_BIN_RR_d(pq), offset = OFFSET(r, l);
	if (mm8)
	{
		uint32_t pa = wrt_ir_I32_EQ_MM8_pa(pl), pb = wrt_ir_I32_EQ_MM8_pb(pl);
		uint32_t ka = wrt_ir_I32_EQ_MM8_ka(pl), oa = wrt_ir_I32_EQ_MM8_oa(pl);
		uint32_t kb = wrt_ir_I32_EQ_MM8_kb(pl), ob = wrt_ir_I32_EQ_MM8_ob(pl);
		wrt_cell *pc = append(r, op == WRT_IR_I32_EQ_MM8 ? WRT_IR_I32_ADD_EQ_MM8 : WRT_IR_I32_ADD_NE_MM8,
							  WRT_IRLEN_I32_ADD_EQ_MM8, offset, drop_to(r, l));
		wrt_ir_set_I32_ADD_EQ_MM8_d(pc, d);
		wrt_ir_set_I32_ADD_EQ_MM8_pa(pc, pa);
		wrt_ir_set_I32_ADD_EQ_MM8_pb(pc, pb);
		wrt_ir_set_I32_ADD_EQ_MM8_s(pc, s);
		wrt_ir_set_I32_ADD_EQ_MM8_ka(pc, ka);
		wrt_ir_set_I32_ADD_EQ_MM8_oa(pc, oa);
		wrt_ir_set_I32_ADD_EQ_MM8_kb(pc, kb);
		wrt_ir_set_I32_ADD_EQ_MM8_ob(pc, ob);
		return;
	}
	uint32_t p = wrt_ir_I32_ANDI_EQI_M8_p(pl), k = wrt_ir_I32_ANDI_EQI_M8_k(pl);
	uint32_t o = wrt_ir_I32_ANDI_EQI_M8_o(pl), m = wrt_ir_I32_ANDI_EQI_M8_m(pl);
	uint32_t v = wrt_ir_I32_ANDI_EQI_M8_v(pl);
	wrt_cell *pc = append(r, op == WRT_IR_I32_ANDI_EQI_M8 ? WRT_IR_I32_ADD_ANDI_EQI_M8 : WRT_IR_I32_ADD_ANDI_NEI_M8,
						  WRT_IRLEN_I32_ADD_ANDI_EQI_M8, offset, drop_to(r, l));
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_d(pc, d);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_p(pc, p);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_k(pc, k);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_o(pc, o);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_m(pc, m);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_v(pc, v);
	wrt_ir_set_I32_ADD_ANDI_EQI_M8_s(pc, s);
	match_m8_run(r, r->n - 1);
}

/*
 * Two SEL_<cmp>_RR of the same comparison (the second, s2, just formed),
 * the second reading the first's result t (min/max of three: the DP
 * recurrences of edit distances), maybe with one byte-compare instruction X
 * between them that neither reads nor writes what the first select uses:
 * X is moved first (the select has no side effect and cannot trap, X
 * neither reads t nor writes the select's operands) and the selects become
 * one SEL2, which keeps t in a register instead of reloading it from the
 * frame.  Module offsets: X's, then the first select's.
 */
static void
match_select_chain(rewrite *r, uint32_t s2, int base)
{
	if (s2 == 0)
		return;
	uint32_t s1 = s2 - 1, x = UINT32_MAX;
	uint32_t xr[3] = {0, 0, 0}, nxr = 0, xw = 0;
	int xop = -1;
	if (OPK(r, s1) != base + WRT_IRF_SEL_RR)
	{
		x = s1;
		if (x == 0 || OPK(r, x - 1) != base + WRT_IRF_SEL_RR)
			return;
		s1 = x - 1;
		xop = OPK(r, x);
		if (xop != WRT_IR_I32_ADD_EQ_MM8 && xop != WRT_IR_I32_ADD_NE_MM8 && xop != WRT_IR_I32_EQ_MM8 &&
			xop != WRT_IR_I32_NE_MM8)
			return;
		_Static_assert((int) WRT_IRLEN_I32_EQ_MM8 == (int) WRT_IRLEN_I32_ADD_EQ_MM8, "byte compares are as long");
		const wrt_cell *px = PC(r, x);
		xw = wrt_ir_I32_EQ_MM8_d(px);
		xr[nxr++] = wrt_ir_I32_EQ_MM8_pa(px);
		xr[nxr++] = wrt_ir_I32_EQ_MM8_pb(px);
		if (xop == WRT_IR_I32_ADD_EQ_MM8 || xop == WRT_IR_I32_ADD_NE_MM8)
			xr[nxr++] = wrt_ir_I32_ADD_EQ_MM8_s(px);
	}
	if (!replaceable(r, s1, s2))
		return;
	const wrt_cell *p1 = PC(r, s1), *p2 = PC(r, s2);
	uint32_t d1 = wrt_ir_SEL_RR_d(p1), a1 = wrt_ir_SEL_RR_a(p1);
	uint32_t b1 = wrt_ir_SEL_RR_b(p1), x1 = wrt_ir_SEL_RR_x(p1), y1 = wrt_ir_SEL_RR_y(p1);
	if (x != UINT32_MAX)
	{
		for (uint32_t i = 0; i < nxr; i++)
			if (xr[i] == d1)
				return;
		if (xw == d1 || xw == a1 || xw == b1 || xw == x1 || xw == y1)
			return;
	}
	uint32_t d2 = wrt_ir_SEL_RR_d(p2);
	uint32_t ops[4] = {wrt_ir_SEL_RR_a(p2), wrt_ir_SEL_RR_b(p2), wrt_ir_SEL_RR_x(p2), wrt_ir_SEL_RR_y(p2)};
	uint32_t o = d1, m = 0;
	bool have_o = false;
	for (int i = 0; i < 4; i++)
	{
		if (ops[i] == d1)
			m |= 1u << i;
		else if (!have_o)
		{
			o = ops[i];
			have_o = true;
		}
		else if (ops[i] != o)
			return;
	}
	if (m == 0)
		return;
	wrt_cell xc[WRT_IRLEN_I32_EQ_MM8];
	uint32_t xoff = 0, off1 = OFFSET(r, s1);
	if (x != UINT32_MAX)
	{
		memcpy(xc, PC(r, x), sizeof(xc));
		xoff = OFFSET(r, x);
	}
	uint8_t label = drop_to(r, s1);
	if (x != UINT32_MAX)
	{
		memcpy(append(r, xop, WRT_IRLEN_I32_EQ_MM8, xoff, label), xc, sizeof(xc));
		label = 0;
	}
	wrt_cell *pc = append(r, base + WRT_IRF_SEL2_RR, WRT_IRLEN_SEL2_RR, off1, label);
	wrt_ir_set_SEL2_RR_d1(pc, d1);
	wrt_ir_set_SEL2_RR_a(pc, a1);
	wrt_ir_set_SEL2_RR_b(pc, b1);
	wrt_ir_set_SEL2_RR_x(pc, x1);
	wrt_ir_set_SEL2_RR_d(pc, d2);
	wrt_ir_set_SEL2_RR_y(pc, y1);
	wrt_ir_set_SEL2_RR_o(pc, o);
	wrt_ir_set_SEL2_RR_m(pc, m);
}

/*
 * select whose condition a compare (_RR or _RI form) computed into a
 * temporary, past the constants the select wrote out after it: one
 * SEL_<cmp>_RR/RI compares and selects, after those constants, with the
 * select's module offset; then maybe two selects in one (match_select_chain).
 */
static void
match_compare_select(rewrite *r)
{
	uint32_t q = r->n - 1;
	if (q == 0 || r->label[q])
		return;
	const wrt_cell *pq = PC(r, q);
	uint32_t c = wrt_ir_SELECT_c(pq), p = q - 1;
	if (c < r->nlocals)
		return;
	while (OPK(r, p) == WRT_IR_CONST && p > 0)
		p--;
	cond_of co = conds[OPK(r, p)];
	if (!co.base || co.test || !replaceable(r, p, q) || wrt_ir_BIN_RR_d(PC(r, p)) != c)
		return;
	if (!may_run_first(r, p, q, OPK(r, p), PC(r, p), &c, 1))
		return;
	const wrt_cell *pp = PC(r, p);
	uint32_t a = wrt_ir_BIN_RR_a(pp), b = co.ri ? 0 : wrt_ir_BIN_RR_b(pp);
	uint64_t imm = co.ri ? wrt_ir_BIN_RI_imm(pp).u : 0;
	uint32_t d = wrt_ir_SELECT_d(pq), x = wrt_ir_SELECT_a(pq), y = wrt_ir_SELECT_b(pq), offset = OFFSET(r, q);
	uint8_t label = drop_around(r, p, p, q);
	if (co.ri)
	{
		wrt_cell *pc = append(r, co.base + WRT_IRF_SEL_RI, WRT_IRLEN_SEL_RI, offset, label);
		wrt_ir_set_SEL_RI_d(pc, d);
		wrt_ir_set_SEL_RI_a(pc, a);
		wrt_ir_set_SEL_RI_imm(pc, imm);
		wrt_ir_set_SEL_RI_x(pc, x);
		wrt_ir_set_SEL_RI_y(pc, y);
		return;
	}
	wrt_cell *pc = append(r, co.base + WRT_IRF_SEL_RR, WRT_IRLEN_SEL_RR, offset, label);
	wrt_ir_set_SEL_RR_d(pc, d);
	wrt_ir_set_SEL_RR_a(pc, a);
	wrt_ir_set_SEL_RR_b(pc, b);
	wrt_ir_set_SEL_RR_x(pc, x);
	wrt_ir_set_SEL_RR_y(pc, y);
	match_select_chain(r, r->n - 1, co.base);
}

/*
 * Base + index: a full-width load whose address an i32 add of two slots
 * just computed becomes an _RR load, in the add's place, with the load's
 * module offset: LOAD_RR if the sum went to a temporary (read only here),
 * LOAD_RRT, which still writes it, if it went to a local.  Narrow loads are
 * left to the byte-test fusions (M8, M8N), which take a plain load.
 */
static void
match_load_rr(rewrite *r)
{
	static const uint16_t load_rr[WRT_IR_COUNT_] = {
		[WRT_IR_I32_LOAD] = WRT_IR_I32_LOAD_RR, [WRT_IR_I64_LOAD] = WRT_IR_I64_LOAD_RR,
		[WRT_IR_F32_LOAD] = WRT_IR_F32_LOAD_RR, [WRT_IR_F64_LOAD] = WRT_IR_F64_LOAD_RR,
	};
	_Static_assert(WRT_IR_I64_LOAD_RRT - WRT_IR_I32_LOAD_RRT == WRT_IR_I64_LOAD_RR - WRT_IR_I32_LOAD_RR &&
				   WRT_IR_F32_LOAD_RRT - WRT_IR_I32_LOAD_RRT == WRT_IR_F32_LOAD_RR - WRT_IR_I32_LOAD_RR &&
				   WRT_IR_F64_LOAD_RRT - WRT_IR_I32_LOAD_RRT == WRT_IR_F64_LOAD_RR - WRT_IR_I32_LOAD_RR,
				   "the _RRT loads in the order of the _RR ones");
	uint32_t q = r->n - 1, p = q - 1;
	int irop = load_rr[OPK(r, q)];
	if (!irop)
		return;
	const wrt_cell *pq = PC(r, q), *pp = PC(r, p);
	uint32_t t = wrt_ir_BIN_RR_d(pp);
	uint64_t offset = wrt_ir_LOAD_offset(pq);
	if (wrt_ir_LOAD_a(pq) != t || offset > UINT32_MAX)
		return;
	uint32_t d = wrt_ir_LOAD_d(pq), moff = OFFSET(r, q);
	uint32_t a = wrt_ir_BIN_RR_a(pp), b = wrt_ir_BIN_RR_b(pp);
	bool keep = t < r->nlocals;
	_Static_assert((int) WRT_IRPOS_I32_LOAD_RR_d == (int) WRT_IRPOS_I32_LOAD_RRT_d &&
				   (int) WRT_IRPOS_I32_LOAD_RR_b == (int) WRT_IRPOS_I32_LOAD_RRT_b &&
				   (int) WRT_IRPOS_I32_LOAD_RR_offset == (int) WRT_IRPOS_I32_LOAD_RRT_offset,
				   "LOAD_RRT is LOAD_RR and t");
	wrt_cell *pc = append(r, keep ? irop - WRT_IR_I32_LOAD_RR + WRT_IR_I32_LOAD_RRT : irop,
						  keep ? WRT_IRLEN_I32_LOAD_RRT : WRT_IRLEN_I32_LOAD_RR, moff, drop_to(r, p));
	wrt_ir_set_I32_LOAD_RR_d(pc, d);
	wrt_ir_set_I32_LOAD_RR_a(pc, a);
	wrt_ir_set_I32_LOAD_RR_b(pc, b);
	wrt_ir_set_I32_LOAD_RR_offset(pc, (uint32_t) offset);
	if (keep)
		wrt_ir_set_I32_LOAD_RRT_t(pc, t);
}

/*
 * A load whose address an i32 add of an immediate just computed into a
 * temporary (read only here): the add is done in the load (LOAD_ADD, with
 * the same 32-bit wrap), in the add's place, with the load's module offset.
 */
static void
match_load_add(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	if (OPK(r, p) == WRT_IR_I32_ADD_RR)
	{
		match_load_rr(r);
		return;
	}
	if (OPK(r, p) != WRT_IR_I32_ADD_RI)
		return;
	const wrt_cell *pq = PC(r, q), *pp = PC(r, p);
	uint32_t t = wrt_ir_BIN_RI_d(pp);
	if (t < r->nlocals || wrt_ir_LOAD_a(pq) != t)
		return;
	int irop = OPK(r, q) + WRT_IRF_LOAD_ADD;
	uint32_t d = wrt_ir_LOAD_d(pq), offset = (uint32_t) wrt_ir_LOAD_offset(pq), moff = OFFSET(r, q);
	uint32_t x = wrt_ir_BIN_RI_a(pp), k = (uint32_t) wrt_ir_BIN_RI_imm(pp).u;
	wrt_cell *pc = append(r, irop, WRT_IRLEN_LOAD_ADD, moff, drop_to(r, p));
	wrt_ir_set_LOAD_ADD_d(pc, d);
	wrt_ir_set_LOAD_ADD_a(pc, x);
	wrt_ir_set_LOAD_ADD_k(pc, k);
	wrt_ir_set_LOAD_ADD_offset(pc, offset);
}

/* The same for a SIMD load (VLOAD, or v128.load inlined): VLOAD_ADD, or
 * V128_LOAD_ADD inlined. */
static void
match_vload_add(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q) || OPK(r, p) != WRT_IR_I32_ADD_RI)
		return;
	const wrt_cell *pq = PC(r, q), *pp = PC(r, p);
	uint32_t t = wrt_ir_BIN_RI_d(pp);
	if (t < r->nlocals || wrt_ir_VLOAD_a(pq) != t)
		return;
	int irop = OPK(r, q) == WRT_IR_VI_V128_LOAD ? WRT_IR_V128_LOAD_ADD : WRT_IR_VLOAD_ADD;
	uint64_t fn = pq[WRT_IRPOS_VLOAD_fn].u;
	uint32_t d = wrt_ir_VLOAD_d(pq), offset = wrt_ir_VLOAD_offset(pq), n = wrt_ir_VLOAD_n(pq), moff = OFFSET(r, q);
	uint32_t x = wrt_ir_BIN_RI_a(pp), k = (uint32_t) wrt_ir_BIN_RI_imm(pp).u;
	wrt_cell *pc = append(r, irop, WRT_IRLEN_VLOAD_ADD, moff, drop_to(r, p));
	wrt_ir_set_VLOAD_ADD_fn(pc, fn);
	wrt_ir_set_VLOAD_ADD_d(pc, d);
	wrt_ir_set_VLOAD_ADD_x(pc, x);
	wrt_ir_set_VLOAD_ADD_offset(pc, offset);
	wrt_ir_set_VLOAD_ADD_n(pc, n);
	wrt_ir_set_VLOAD_ADD_k(pc, k);
}

/* The row of SIMD operator row op's operator when its operands come in
 * way (wrt_ir_simd_inline), else the generic row of that way. */
static int
simd_row(int op, int way, int generic)
{
	int simd_op = wrt_ir_info[op].simd_op;
	return simd_op >= 0 && wrt_ir_simd_inline[simd_op][way] ? wrt_ir_simd_inline[simd_op][way] : generic;
}

/* Is the pair t, t+1 a temporary that, of the VBIN-layout instruction at
 * pq, only b reads?  (A pair overlapping a would be read twice.) */
static bool
only_b_reads(const rewrite *r, const wrt_cell *pq, uint32_t t)
{
	uint32_t a = wrt_ir_VBIN_a(pq);
	return t >= r->nlocals && wrt_ir_VBIN_b(pq) == t && !(a + 1 >= t && a <= t + 1);
}

/*
 * A SIMD binary operator whose right operand a v128.load (VLOAD of 16
 * bytes, or inlined) just loaded into a temporary: one VBIN_RM loads and
 * operates, in the load's place, with the operator's module offset; the
 * operator's inlined _RM row if it has one (wrt_ir_simd_inline), else
 * VBIN_RM calling its lane function.  The temporary is dead after the
 * operator.  A v128.load with its address add folded in (V128_LOAD_ADD, or
 * VLOAD_ADD of v128.load) and offset 0 makes VBIN_RMA the same way.
 */
static bool
is_v128_load(int op, const wrt_cell *pc)
{
	const void *fn = (const void *) (uintptr_t) wrt_simd_fns[WRT_OP_V128_LOAD];
	_Static_assert((int) WRT_IRPOS_VLOAD_fn == (int) WRT_IRPOS_VLOAD_ADD_fn, "VLOAD and VLOAD_ADD have fn in one place");
	return op == WRT_IR_VI_V128_LOAD || op == WRT_IR_V128_LOAD_ADD ||
		((op == WRT_IR_VLOAD || op == WRT_IR_VLOAD_ADD) && pc[WRT_IRPOS_VLOAD_fn].p == fn);
}

static void
match_vbin_load(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	if (q == 0 || !replaceable(r, l, q))
		return;
	int op = OPK(r, q), lop = OPK(r, l);
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	if (!is_v128_load(lop, pl))
		return;
	bool added = wrt_ir_info[lop].layout == wrt_ir_info[WRT_IR_VLOAD_ADD].layout;
	if (added && wrt_ir_VLOAD_ADD_offset(pl) != 0)
		return;
	uint32_t t = added ? wrt_ir_VLOAD_ADD_d(pl) : wrt_ir_VLOAD_d(pl), a = wrt_ir_VBIN_a(pq), d = wrt_ir_VBIN_d(pq);
	if (!only_b_reads(r, pq, t))
		return;
	int rm = added ? simd_row(op, WRT_VI_LOADED_B_ADDED, WRT_IR_VBIN_RMA) : simd_row(op, WRT_VI_LOADED_B, WRT_IR_VBIN_RM);
	uint64_t fn = pq[WRT_IRPOS_VBIN_fn].u;
	uint32_t moff = OFFSET(r, q);
	if (added)
	{
		uint32_t x = wrt_ir_VLOAD_ADD_x(pl), k = (uint32_t) wrt_ir_VLOAD_ADD_k(pl);
		wrt_cell *pc = append(r, rm, WRT_IRLEN_VBIN_RMA, moff, drop_to(r, l));
		wrt_ir_set_VBIN_RMA_fn(pc, fn);
		wrt_ir_set_VBIN_RMA_d(pc, d);
		wrt_ir_set_VBIN_RMA_a(pc, a);
		wrt_ir_set_VBIN_RMA_x(pc, x);
		wrt_ir_set_VBIN_RMA_k(pc, k);
		return;
	}
	uint32_t p = wrt_ir_VLOAD_a(pl), offset = wrt_ir_VLOAD_offset(pl);
	wrt_cell *pc = append(r, rm, WRT_IRLEN_VBIN_RM, moff, drop_to(r, l));
	wrt_ir_set_VBIN_RM_fn(pc, fn);
	wrt_ir_set_VBIN_RM_d(pc, d);
	wrt_ir_set_VBIN_RM_a(pc, a);
	wrt_ir_set_VBIN_RM_p(pc, p);
	wrt_ir_set_VBIN_RM_offset(pc, offset);
}

/*
 * A SIMD binary operator whose right operand a v128.const just put in a
 * temporary: one VBIN_RC holds the constant, in the constant's place, with
 * the operator's module offset; the operator's inlined _RC row if it has
 * one, else VBIN_RC calling its lane function.  The temporary is dead after
 * the operator.
 */
static void
match_vbin_const(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	if (q == 0 || !replaceable(r, l, q) || OPK(r, l) != WRT_IR_V128_CONST)
		return;
	int op = OPK(r, q);
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t t = wrt_ir_V128_CONST_d(pl), a = wrt_ir_VBIN_a(pq), d = wrt_ir_VBIN_d(pq);
	if (!only_b_reads(r, pq, t))
		return;
	int rc = simd_row(op, WRT_VI_CONST_B, WRT_IR_VBIN_RC);
	uint64_t fn = pq[WRT_IRPOS_VBIN_fn].u, lo = wrt_ir_V128_CONST_lo(pl), hi = wrt_ir_V128_CONST_hi(pl);
	uint32_t moff = OFFSET(r, q);
	wrt_cell *pc = append(r, rc, WRT_IRLEN_VBIN_RC, moff, drop_to(r, l));
	wrt_ir_set_VBIN_RC_fn(pc, fn);
	wrt_ir_set_VBIN_RC_d(pc, d);
	wrt_ir_set_VBIN_RC_a(pc, a);
	wrt_ir_set_VBIN_RC_lo(pc, lo);
	wrt_ir_set_VBIN_RC_hi(pc, hi);
}

/* A VBIN's right operand loaded or constant (match_vbin_load,
 * match_vbin_const). */
static void
match_vbin_operand(rewrite *r)
{
	if (r->n >= 2 && OPK(r, r->n - 2) == WRT_IR_V128_CONST)
		match_vbin_const(r);
	else
		match_vbin_load(r);
}

/*
 * A v128.store of the result of the SIMD binary operator just before it
 * (VBIN, or VBIN_RM with its b loaded), into a temporary pair that only the
 * store reads: one VBIN_ST (VBIN_RM_ST) operates and stores, in the
 * operator's place, with the store's module offset (VBIN_RM_ST: the
 * operator's, whose load may trap too); the operator's inlined row if it
 * has one, else the one calling its lane function.
 */
static void
match_vbin_store(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	if (q == 0 || !replaceable(r, l, q))
		return;
	int op = OPK(r, l);
	const wrt_irlayout *form = wrt_ir_info[op].layout;
	bool loaded = form == wrt_ir_info[WRT_IR_VBIN_RM].layout;
	if (!loaded && form != wrt_ir_info[WRT_IR_VBIN].layout)
		return;
	_Static_assert((int) WRT_IRPOS_VBIN_d == (int) WRT_IRPOS_VBIN_RM_d && (int) WRT_IRPOS_VBIN_a == (int) WRT_IRPOS_VBIN_RM_a &&
				   (int) WRT_IRPOS_VBIN_fn == (int) WRT_IRPOS_VBIN_RM_fn && (int) WRT_IRHALF_VBIN_d == (int) WRT_IRHALF_VBIN_RM_d &&
				   (int) WRT_IRHALF_VBIN_a == (int) WRT_IRHALF_VBIN_RM_a,
				   "VBIN and VBIN_RM have fn, d and a in the same place");
	const wrt_cell *pl = PC(r, l), *pq = PC(r, q);
	uint32_t t = wrt_ir_VBIN_d(pl), addr = wrt_ir_VSTORE_a(pq);
	uint64_t qoffset = wrt_ir_VSTORE_offset(pq);
	/* the stored pair is the operator's temporary result; the store's
	 * address is not (it would be read before the operator wrote it) */
	if (t < r->nlocals || wrt_ir_VSTORE_v(pq) != t || addr == t || addr == t + 1 || qoffset > UINT32_MAX)
		return;
	int irop = loaded ? simd_row(op, WRT_VI_LOADED_B_STORED, WRT_IR_VBIN_RM_ST) : simd_row(op, WRT_VI_STORED, WRT_IR_VBIN_ST);
	uint64_t fn = pl[WRT_IRPOS_VBIN_fn].u;
	uint32_t a = wrt_ir_VBIN_a(pl);
	if (loaded)
	{
		uint32_t p = wrt_ir_VBIN_RM_p(pl), offset = wrt_ir_VBIN_RM_offset(pl), moff = OFFSET(r, l);
		wrt_cell *pc = append(r, irop, WRT_IRLEN_VBIN_RM_ST, moff, drop_to(r, l));
		wrt_ir_set_VBIN_RM_ST_fn(pc, fn);
		wrt_ir_set_VBIN_RM_ST_a(pc, a);
		wrt_ir_set_VBIN_RM_ST_p(pc, p);
		wrt_ir_set_VBIN_RM_ST_offset(pc, offset);
		wrt_ir_set_VBIN_RM_ST_q(pc, addr);
		wrt_ir_set_VBIN_RM_ST_qoffset(pc, (uint32_t) qoffset);
	}
	else
	{
		uint32_t b = wrt_ir_VBIN_b(pl), moff = OFFSET(r, q);
		wrt_cell *pc = append(r, irop, WRT_IRLEN_VBIN_ST, moff, drop_to(r, l));
		wrt_ir_set_VBIN_ST_fn(pc, fn);
		wrt_ir_set_VBIN_ST_a(pc, a);
		wrt_ir_set_VBIN_ST_b(pc, b);
		wrt_ir_set_VBIN_ST_q(pc, addr);
		wrt_ir_set_VBIN_ST_qoffset(pc, (uint32_t) qoffset);
	}
}

/*
 * A binary operator or compare (_RR) whose right operand a full-width load
 * of its type just loaded into a temporary: the load is folded in, done
 * first (BIN_RM; BIN_RMA for a LOAD_ADD of offset 0), in the load's place,
 * with the operator's module offset.  An f64 add/sub/mul whose left operand
 * the instruction before loaded too (an f64 load into a temporary, not the
 * second's address): one F64_*_MM loads both, in order, in the first load's
 * place (its offset).
 */
/* The f64 operators with a base + index form, by their _RR. */
static const uint16_t f64_rmx[WRT_IR_COUNT_] = {
	[WRT_IR_F64_ADD_RR] = WRT_IR_F64_ADD_RMX, [WRT_IR_F64_SUB_RR] = WRT_IR_F64_SUB_RMX,
	[WRT_IR_F64_MUL_RR] = WRT_IR_F64_MUL_RMX, [WRT_IR_F64_DIV_RR] = WRT_IR_F64_DIV_RMX,
};

/*
 * An f64 operator whose right operand a base + index load (F64_LOAD_RR or
 * _RRT) just loaded into a temporary: one _RMX adds, loads and operates, in
 * the load's place, with the operator's module offset.  The sum goes to the
 * _RRT's t, or else to the load's temporary, dead after the operator.
 */
static bool
match_f64_rmx(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t dl = wrt_ir_I32_LOAD_RR_d(pl), a = wrt_ir_BIN_RR_a(pq), d = wrt_ir_BIN_RR_d(pq);
	if (dl < r->nlocals || wrt_ir_BIN_RR_b(pq) != dl || a == dl)
		return false;
	uint32_t t = OPK(r, l) == WRT_IR_F64_LOAD_RRT ? wrt_ir_I32_LOAD_RRT_t(pl) : dl;
	uint32_t x = wrt_ir_I32_LOAD_RR_a(pl), y = wrt_ir_I32_LOAD_RR_b(pl), offset = wrt_ir_I32_LOAD_RR_offset(pl);
	int irop = f64_rmx[OPK(r, q)];
	uint32_t moff = OFFSET(r, q);
	wrt_cell *pc = append(r, irop, WRT_IRLEN_F64_ADD_RMX, moff, drop_to(r, l));
	wrt_ir_set_F64_ADD_RMX_d(pc, d);
	wrt_ir_set_F64_ADD_RMX_a(pc, a);
	wrt_ir_set_F64_ADD_RMX_x(pc, x);
	wrt_ir_set_F64_ADD_RMX_y(pc, y);
	wrt_ir_set_F64_ADD_RMX_t(pc, t);
	wrt_ir_set_F64_ADD_RMX_offset(pc, offset);
	return true;
}

static bool
match_load_operand(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1;
	if (q == 0 || !replaceable(r, l, q))
		return false;
	int op = OPK(r, q), lop = OPK(r, l);
	if ((lop == WRT_IR_F64_LOAD_RR || lop == WRT_IR_F64_LOAD_RRT) && f64_rmx[op])
		return match_f64_rmx(r);
	bool rma = false;
	if (full_load_type[lop] != rr_type[op])
	{
		rma = lop >= WRT_IRF_LOAD_ADD && full_load_type[lop - WRT_IRF_LOAD_ADD] == rr_type[op] &&
			plain_load[lop - WRT_IRF_LOAD_ADD] && wrt_ir_LOAD_ADD_offset(PC(r, l)) == 0;
		if (!rma)
			return false;
	}
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t dl = wrt_ir_LOAD_d(pl), a = wrt_ir_BIN_RR_a(pq), d = wrt_ir_BIN_RR_d(pq);
	_Static_assert((int) WRT_IRPOS_LOAD_d == (int) WRT_IRPOS_LOAD_ADD_d && (int) WRT_IRHALF_LOAD_d == (int) WRT_IRHALF_LOAD_ADD_d &&
				   (int) WRT_IRPOS_LOAD_a == (int) WRT_IRPOS_LOAD_ADD_a && (int) WRT_IRHALF_LOAD_a == (int) WRT_IRHALF_LOAD_ADD_a,
				   "both load forms have d and a in the same place");
	if (dl < r->nlocals || wrt_ir_BIN_RR_b(pq) != dl || a == dl)
		return false;
	uint32_t addr = wrt_ir_LOAD_a(pl);
	uint32_t offset = rma ? wrt_ir_LOAD_ADD_k(pl) : (uint32_t) wrt_ir_LOAD_offset(pl);
	int mm = op == WRT_IR_F64_ADD_RR ? WRT_IR_F64_ADD_MM : op == WRT_IR_F64_SUB_RR ? WRT_IR_F64_SUB_MM
		: op == WRT_IR_F64_MUL_RR ? WRT_IR_F64_MUL_MM : -1;
	uint32_t da;
	maddr ma;
	if (mm >= 0 && l > 0 && a >= r->nlocals && replaceable(r, l - 1, q) &&
		load_at(r, l - 1, WRT_IR_F64_LOAD, &da, &ma) && da == a && addr != a)
	{
		uint32_t moff = OFFSET(r, l - 1);
		wrt_cell *pc = append(r, mm, WRT_IRLEN_F64_ADD_MM, moff, drop_to(r, l - 1));
		wrt_ir_set_F64_ADD_MM_d(pc, d);
		wrt_ir_set_F64_ADD_MM_pa(pc, ma.p);
		wrt_ir_set_F64_ADD_MM_pb(pc, addr);
		wrt_ir_set_F64_ADD_MM_ka(pc, ma.k);
		wrt_ir_set_F64_ADD_MM_oa(pc, ma.o);
		wrt_ir_set_F64_ADD_MM_kb(pc, rma ? offset : 0);
		wrt_ir_set_F64_ADD_MM_ob(pc, rma ? 0 : offset);
		return true;
	}
	uint32_t moff = OFFSET(r, q);
	_Static_assert((int) WRT_IRLEN_BIN_RM == (int) WRT_IRLEN_BIN_RMA, "both forms are as long");
	wrt_cell *pc = append(r, op + (rma ? WRT_IRF_BIN_RMA : WRT_IRF_BIN_RM), WRT_IRLEN_BIN_RM, moff, drop_to(r, l));
	if (rma)
	{
		wrt_ir_set_BIN_RMA_d(pc, d);
		wrt_ir_set_BIN_RMA_a(pc, a);
		wrt_ir_set_BIN_RMA_p(pc, addr);
		wrt_ir_set_BIN_RMA_k(pc, offset);
	}
	else
	{
		wrt_ir_set_BIN_RM_d(pc, d);
		wrt_ir_set_BIN_RM_a(pc, a);
		wrt_ir_set_BIN_RM_p(pc, addr);
		wrt_ir_set_BIN_RM_offset(pc, offset);
	}
	return true;
}

/*
 * Consecutive i32 adds of immediates writing locals (pointer and counter
 * increments of a loop body): two become one I32_ADD2_RI, an ADD2 and a
 * third one an I32_ADD3_RI, in the first's place (its module offset).
 */
static void
match_local_adds(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	const wrt_cell *pq = PC(r, q);
	wrt_cell *w = &r->code[AT(r, p)];
	uint32_t d = wrt_ir_BIN_RI_d(pq), a = wrt_ir_BIN_RI_a(pq), k = (uint32_t) wrt_ir_BIN_RI_imm(pq).u;
	if (d >= r->nlocals)
		return;
	if (OPK(r, p) == WRT_IR_I32_ADD2_RI)
	{
		uint32_t d1 = wrt_ir_I32_ADD2_RI_d1(w), a1 = wrt_ir_I32_ADD2_RI_a1(w);
		uint32_t d2 = wrt_ir_I32_ADD2_RI_d2(w), a2 = wrt_ir_I32_ADD2_RI_a2(w);
		uint32_t k1 = wrt_ir_I32_ADD2_RI_k1(w), k2 = wrt_ir_I32_ADD2_RI_k2(w);
		w = append(r, WRT_IR_I32_ADD3_RI, WRT_IRLEN_I32_ADD3_RI, OFFSET(r, p), drop_to(r, p));
		wrt_ir_set_I32_ADD3_RI_d1(w, d1);
		wrt_ir_set_I32_ADD3_RI_a1(w, a1);
		wrt_ir_set_I32_ADD3_RI_d2(w, d2);
		wrt_ir_set_I32_ADD3_RI_a2(w, a2);
		wrt_ir_set_I32_ADD3_RI_d3(w, d);
		wrt_ir_set_I32_ADD3_RI_a3(w, a);
		wrt_ir_set_I32_ADD3_RI_k1(w, k1);
		wrt_ir_set_I32_ADD3_RI_k2(w, k2);
		wrt_ir_set_I32_ADD3_RI_k3(w, k);
		return;
	}
	if (OPK(r, p) != WRT_IR_I32_ADD_RI || wrt_ir_BIN_RI_d(w) >= r->nlocals)
		return;
	uint32_t d1 = wrt_ir_BIN_RI_d(w), a1 = wrt_ir_BIN_RI_a(w), k1 = (uint32_t) wrt_ir_BIN_RI_imm(w).u;
	w = append(r, WRT_IR_I32_ADD2_RI, WRT_IRLEN_I32_ADD2_RI, OFFSET(r, p), drop_to(r, p));
	wrt_ir_set_I32_ADD2_RI_d1(w, d1);
	wrt_ir_set_I32_ADD2_RI_a1(w, a1);
	wrt_ir_set_I32_ADD2_RI_d2(w, d);
	wrt_ir_set_I32_ADD2_RI_a2(w, a);
	wrt_ir_set_I32_ADD2_RI_k1(w, k1);
	wrt_ir_set_I32_ADD2_RI_k2(w, k);
}

/* Index of an f64 add/sub/mul _RR in WRT_IR_F64_CHAIN's operator order, else -1. */
static int
chain_index(int op)
{
	return op == WRT_IR_F64_ADD_RR ? 0 : op == WRT_IR_F64_SUB_RR ? 1 : op == WRT_IR_F64_MUL_RR ? 2 : -1;
}

/*
 * f64 chains: an f64 add/sub/mul reading the result t of the f64 add/sub/mul
 * just before it (once: d = t op t stays) becomes one F64_<OP1>_<OP2>_L/_R,
 * which still writes t (it may be a local).  Module offset: the second's.
 */
static void
match_f64_chain(rewrite *r)
{
	static const uint16_t fused[3][3][2] = {
		{{WRT_IR_F64_ADD_ADD_L, WRT_IR_F64_ADD_ADD_R}, {WRT_IR_F64_ADD_SUB_L, WRT_IR_F64_ADD_SUB_R},
		 {WRT_IR_F64_ADD_MUL_L, WRT_IR_F64_ADD_MUL_R}},
		{{WRT_IR_F64_SUB_ADD_L, WRT_IR_F64_SUB_ADD_R}, {WRT_IR_F64_SUB_SUB_L, WRT_IR_F64_SUB_SUB_R},
		 {WRT_IR_F64_SUB_MUL_L, WRT_IR_F64_SUB_MUL_R}},
		{{WRT_IR_F64_MUL_ADD_L, WRT_IR_F64_MUL_ADD_R}, {WRT_IR_F64_MUL_SUB_L, WRT_IR_F64_MUL_SUB_R},
		 {WRT_IR_F64_MUL_MUL_L, WRT_IR_F64_MUL_MUL_R}},
	};
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	int i1 = chain_index(OPK(r, p)), i2 = chain_index(OPK(r, q));
	if (i1 < 0 || i2 < 0)
		return;
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint32_t t = wrt_ir_BIN_RR_d(pp), a = wrt_ir_BIN_RR_a(pp), b = wrt_ir_BIN_RR_b(pp);
	uint32_t d = wrt_ir_BIN_RR_d(pq), x = wrt_ir_BIN_RR_a(pq), y = wrt_ir_BIN_RR_b(pq);
	if (x == y || (x != t && y != t))
		return;
	bool left = x == t;
	uint32_t offset = OFFSET(r, q);
	uint8_t label = drop_to(r, p);
	_Static_assert((int) WRT_IRLEN_CHAIN_L == (int) WRT_IRLEN_CHAIN_R, "both chain forms are alike");
	wrt_cell *pc = append(r, fused[i1][i2][left ? 0 : 1], WRT_IRLEN_CHAIN_L, offset, label);
	wrt_ir_set_CHAIN_L_d(pc, d);
	wrt_ir_set_CHAIN_L_a(pc, a);
	wrt_ir_set_CHAIN_L_b(pc, b);
	wrt_ir_set_CHAIN_L_c(pc, left ? y : x);
	wrt_ir_set_CHAIN_L_t(pc, t);
}

/*
 * Two neighbours added: an F64_ADD_RMA reading the result t of the
 * F64_ADD_RMA just before it, at the same base p (not t itself), becomes one
 * F64_ADD_RMA2, which still writes t.  Module offset: the first's (either
 * load may trap; the first is checked first).
 */
static void
match_f64_rma2(rewrite *r)
{
	uint32_t q = r->n - 1, f = q - 1;
	const int rma = WRT_IR_F64_ADD_RR + WRT_IRF_BIN_RMA;
	if (q == 0 || OPK(r, q) != rma || OPK(r, f) != rma || !replaceable(r, f, q))
		return;
	const wrt_cell *pf = PC(r, f), *pq = PC(r, q);
	uint32_t t = wrt_ir_BIN_RMA_d(pf), a = wrt_ir_BIN_RMA_a(pf), p = wrt_ir_BIN_RMA_p(pf), k1 = wrt_ir_BIN_RMA_k(pf);
	uint32_t d = wrt_ir_BIN_RMA_d(pq), k2 = wrt_ir_BIN_RMA_k(pq);
	if (wrt_ir_BIN_RMA_a(pq) != t || wrt_ir_BIN_RMA_p(pq) != p || p == t)
		return;
	wrt_cell *pc = append(r, WRT_IR_F64_ADD_RMA2, WRT_IRLEN_F64_ADD_RMA2, OFFSET(r, f), drop_to(r, f));
	wrt_ir_set_F64_ADD_RMA2_d(pc, d);
	wrt_ir_set_F64_ADD_RMA2_a(pc, a);
	wrt_ir_set_F64_ADD_RMA2_p(pc, p);
	wrt_ir_set_F64_ADD_RMA2_k1(pc, k1);
	wrt_ir_set_F64_ADD_RMA2_k2(pc, k2);
	wrt_ir_set_F64_ADD_RMA2_t(pc, t);
}

/*
 * A loaded f64 times a constant: F64_LOAD (or its _ADD form) into a
 * temporary that the F64_MUL_RI right after it reads (as its left operand)
 * becomes one F64_MUL_MI; F64_LOAD_RR (base + index) one F64_MUL_MIX.
 * Module offset: the load's (it may trap).
 */
static void
match_f64_mul_mi(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1, dl;
	maddr m;
	if (q == 0 || !replaceable(r, l, q))
		return;
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t d = wrt_ir_BIN_RI_d(pq);
	uint64_t imm = wrt_ir_BIN_RI_imm(pq).u;
	if (OPK(r, l) == WRT_IR_F64_LOAD_RR)
	{
		uint32_t a = wrt_ir_I32_LOAD_RR_a(pl), b = wrt_ir_I32_LOAD_RR_b(pl), o = wrt_ir_I32_LOAD_RR_offset(pl);
		dl = wrt_ir_I32_LOAD_RR_d(pl);
		if (dl < r->nlocals || wrt_ir_BIN_RI_a(pq) != dl)
			return;
		wrt_cell *pc = append(r, WRT_IR_F64_MUL_MIX, WRT_IRLEN_F64_MUL_MIX, OFFSET(r, l), drop_to(r, l));
		wrt_ir_set_F64_MUL_MIX_d(pc, d);
		wrt_ir_set_F64_MUL_MIX_a(pc, a);
		wrt_ir_set_F64_MUL_MIX_b(pc, b);
		wrt_ir_set_F64_MUL_MIX_o(pc, o);
		wrt_ir_set_F64_MUL_MIX_imm(pc, imm);
		return;
	}
	if (!load_at(r, l, WRT_IR_F64_LOAD, &dl, &m) || dl < r->nlocals || wrt_ir_BIN_RI_a(pq) != dl)
		return;
	wrt_cell *pc = append(r, WRT_IR_F64_MUL_MI, WRT_IRLEN_F64_MUL_MI, OFFSET(r, l), drop_to(r, l));
	wrt_ir_set_F64_MUL_MI_d(pc, d);
	wrt_ir_set_F64_MUL_MI_p(pc, m.p);
	wrt_ir_set_F64_MUL_MI_k(pc, m.k);
	wrt_ir_set_F64_MUL_MI_o(pc, m.o);
	wrt_ir_set_F64_MUL_MI_imm(pc, imm);
}

/*
 * The left operand of a multiply-accumulate's base + index product loaded
 * just before it: F64_LOAD_RRT before an F64_MUL_RMX_ADD_RR_ST, or F64_LOAD
 * (or its _ADD form) before an F64_MUL_RMX_ADD_RM_ST, whose a is what the
 * load wrote (and not the sum tx it writes before reading a), becomes one
 * F64_MUL_RRTX_ADD_RR_ST or F64_MUL_MX_ADD_RM_ST, which still writes the
 * loaded value.  Module offset: the multiply-accumulate's.
 */
static void
match_mac_left(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1, dl;
	maddr m;
	if (q == 0 || !replaceable(r, l, q))
		return;
	int op = OPK(r, q), lop = OPK(r, l);
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l);
	uint32_t at = OFFSET(r, q);
	if (op == WRT_IR_F64_MUL_RMX_ADD_RR_ST && lop == WRT_IR_F64_LOAD_RRT)
	{
		uint32_t la = wrt_ir_I32_LOAD_RRT_d(pl), pa = wrt_ir_I32_LOAD_RRT_a(pl), pb = wrt_ir_I32_LOAD_RRT_b(pl);
		uint32_t oa = wrt_ir_I32_LOAD_RRT_offset(pl), ta = wrt_ir_I32_LOAD_RRT_t(pl);
		uint32_t t = wrt_ir_F64_MUL_RMX_ADD_RR_ST_t(pq), a = wrt_ir_F64_MUL_RMX_ADD_RR_ST_a(pq);
		uint32_t x = wrt_ir_F64_MUL_RMX_ADD_RR_ST_x(pq), y = wrt_ir_F64_MUL_RMX_ADD_RR_ST_y(pq);
		uint32_t tx = wrt_ir_F64_MUL_RMX_ADD_RR_ST_tx(pq), xoff = wrt_ir_F64_MUL_RMX_ADD_RR_ST_xoff(pq);
		uint32_t b = wrt_ir_F64_MUL_RMX_ADD_RR_ST_b(pq), p = wrt_ir_F64_MUL_RMX_ADD_RR_ST_p(pq);
		uint32_t d = wrt_ir_F64_MUL_RMX_ADD_RR_ST_d(pq), offset = wrt_ir_F64_MUL_RMX_ADD_RR_ST_offset(pq);
		if (a != la || tx == la)
			return;
		wrt_cell *pc = append(r, WRT_IR_F64_MUL_RRTX_ADD_RR_ST, WRT_IRLEN_F64_MUL_RRTX_ADD_RR_ST, at, drop_to(r, l));
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_la(pc, la);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_pa(pc, pa);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_pb(pc, pb);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_oa(pc, oa);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_ta(pc, ta);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_t(pc, t);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_x(pc, x);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_y(pc, y);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_tx(pc, tx);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_xoff(pc, xoff);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_b(pc, b);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_p(pc, p);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_d(pc, d);
		wrt_ir_set_F64_MUL_RRTX_ADD_RR_ST_offset(pc, offset);
	}
	else if (op == WRT_IR_F64_MUL_RMX_ADD_RM_ST && load_at(r, l, WRT_IR_F64_LOAD, &dl, &m))
	{
		uint32_t t = wrt_ir_F64_MUL_RMX_ADD_RM_ST_t(pq), a = wrt_ir_F64_MUL_RMX_ADD_RM_ST_a(pq);
		uint32_t x = wrt_ir_F64_MUL_RMX_ADD_RM_ST_x(pq), y = wrt_ir_F64_MUL_RMX_ADD_RM_ST_y(pq);
		uint32_t tx = wrt_ir_F64_MUL_RMX_ADD_RM_ST_tx(pq), xoff = wrt_ir_F64_MUL_RMX_ADD_RM_ST_xoff(pq);
		uint32_t sq = wrt_ir_F64_MUL_RMX_ADD_RM_ST_q(pq), qoff = wrt_ir_F64_MUL_RMX_ADD_RM_ST_qoff(pq);
		uint32_t p = wrt_ir_F64_MUL_RMX_ADD_RM_ST_p(pq), offset = wrt_ir_F64_MUL_RMX_ADD_RM_ST_offset(pq);
		uint32_t d = wrt_ir_F64_MUL_RMX_ADD_RM_ST_d(pq);
		if (a != dl || tx == dl)
			return;
		wrt_cell *pc = append(r, WRT_IR_F64_MUL_MX_ADD_RM_ST, WRT_IRLEN_F64_MUL_MX_ADD_RM_ST, at, drop_to(r, l));
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_la(pc, dl);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_pa(pc, m.p);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_ka(pc, m.k);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_oa(pc, m.o);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_t(pc, t);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_x(pc, x);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_y(pc, y);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_tx(pc, tx);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_xoff(pc, xoff);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_q(pc, sq);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_qoff(pc, qoff);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_p(pc, p);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_offset(pc, offset);
		wrt_ir_set_F64_MUL_MX_ADD_RM_ST_d(pc, d);
	}
}

/*
 * Multiply-accumulate into memory: an f64 multiply in a memory form
 * (F64_MUL_MM, _RMX, _RM, _RMA) or by a constant (_RI) writing t, right before an F64_ADD_RR_ST or
 * F64_ADD_RM_ST whose left operand is t, or an F64_SUB_RR_ST whose right
 * operand is t (and not its left), becomes one F64_MUL_<form>_<ADD|SUB>_<form>,
 * which still writes t (it may be a local).  Module offset: the add's.
 */
static void
match_mac(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	int pop = OPK(r, p), sop = OPK(r, q);
	bool sub = sop == WRT_IR_F64_SUB_RR_ST, rr = sop == WRT_IR_F64_ADD_RR_ST || sub;
	if (!rr && sop != WRT_IR_F64_ADD_RM_ST)
		return;
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	/* the stored operator: a = the product, b = the accumulator (swapped
	 * for the subtraction, whose product is on the right) */
	uint32_t a = rr ? wrt_ir_F64_ADD_RR_ST_a(pq) : wrt_ir_F64_ADD_RM_ST_a(pq);
	uint32_t d = rr ? wrt_ir_F64_ADD_RR_ST_d(pq) : wrt_ir_F64_ADD_RM_ST_d(pq);
	uint32_t sp = rr ? wrt_ir_F64_ADD_RR_ST_p(pq) : wrt_ir_F64_ADD_RM_ST_p(pq);
	uint64_t soff = rr ? wrt_ir_F64_ADD_RR_ST_offset(pq) : wrt_ir_F64_ADD_RM_ST_offset(pq);
	uint32_t b = rr ? wrt_ir_F64_ADD_RR_ST_b(pq) : 0;
	if (sub)
	{
		uint32_t acc = a;
		a = b;
		b = acc;
		if (b == a)
			return;
	}
	uint32_t sq = rr ? 0 : wrt_ir_F64_ADD_RM_ST_q(pq), sqoff = rr ? 0 : wrt_ir_F64_ADD_RM_ST_qoff(pq);
	if (soff > UINT32_MAX)
		return;
	uint32_t at = OFFSET(r, q);
	wrt_cell *pc;
/* the stored add's operands, into fused instruction L */
#define MAC_SUM_RR_ST(L) \
	wrt_ir_set_##L##_b(pc, b); wrt_ir_set_##L##_p(pc, sp); \
	wrt_ir_set_##L##_d(pc, d); wrt_ir_set_##L##_offset(pc, (uint32_t) soff);
#define MAC_SUM_RM_ST(L) \
	wrt_ir_set_##L##_q(pc, sq); wrt_ir_set_##L##_qoff(pc, sqoff); wrt_ir_set_##L##_p(pc, sp); \
	wrt_ir_set_##L##_d(pc, d); wrt_ir_set_##L##_offset(pc, (uint32_t) soff);
#define MAC_APPEND(P) \
	if (rr) \
	{ \
		pc = append(r, sub ? WRT_IR_F64_MUL_##P##_SUB_RR_ST : WRT_IR_F64_MUL_##P##_ADD_RR_ST, \
					WRT_IRLEN_F64_MUL_##P##_ADD_RR_ST, at, drop_to(r, p)); \
		MAC_SET_##P(F64_MUL_##P##_ADD_RR_ST) \
		MAC_SUM_RR_ST(F64_MUL_##P##_ADD_RR_ST) \
	} \
	else \
	{ \
		pc = append(r, WRT_IR_F64_MUL_##P##_ADD_RM_ST, WRT_IRLEN_F64_MUL_##P##_ADD_RM_ST, at, drop_to(r, p)); \
		MAC_SET_##P(F64_MUL_##P##_ADD_RM_ST) \
		MAC_SUM_RM_ST(F64_MUL_##P##_ADD_RM_ST) \
	}
	if (pop == WRT_IR_F64_MUL_MM)
	{
		uint32_t t = wrt_ir_F64_ADD_MM_d(pp), pa = wrt_ir_F64_ADD_MM_pa(pp), pb = wrt_ir_F64_ADD_MM_pb(pp);
		uint32_t ka = wrt_ir_F64_ADD_MM_ka(pp), oa = wrt_ir_F64_ADD_MM_oa(pp);
		uint32_t kb = wrt_ir_F64_ADD_MM_kb(pp), ob = wrt_ir_F64_ADD_MM_ob(pp);
		if (a != t)
			return;
#define MAC_SET_MM(L) \
	wrt_ir_set_##L##_t(pc, t); wrt_ir_set_##L##_pa(pc, pa); wrt_ir_set_##L##_pb(pc, pb); \
	wrt_ir_set_##L##_ka(pc, ka); wrt_ir_set_##L##_oa(pc, oa); wrt_ir_set_##L##_kb(pc, kb); wrt_ir_set_##L##_ob(pc, ob);
		MAC_APPEND(MM)
	}
	else if (pop == WRT_IR_F64_MUL_RMX)
	{
		uint32_t t = wrt_ir_F64_ADD_RMX_d(pp), ma = wrt_ir_F64_ADD_RMX_a(pp), x = wrt_ir_F64_ADD_RMX_x(pp);
		uint32_t y = wrt_ir_F64_ADD_RMX_y(pp), tx = wrt_ir_F64_ADD_RMX_t(pp), xoff = wrt_ir_F64_ADD_RMX_offset(pp);
		if (a != t)
			return;
#define MAC_SET_RMX(L) \
	wrt_ir_set_##L##_t(pc, t); wrt_ir_set_##L##_a(pc, ma); wrt_ir_set_##L##_x(pc, x); \
	wrt_ir_set_##L##_y(pc, y); wrt_ir_set_##L##_tx(pc, tx); wrt_ir_set_##L##_xoff(pc, xoff);
		MAC_APPEND(RMX)
		if (!sub)
			match_mac_left(r);
	}
	else if (pop == WRT_IR_F64_MUL_RR + WRT_IRF_BIN_RMA)
	{
		uint32_t t = wrt_ir_BIN_RMA_d(pp), ma = wrt_ir_BIN_RMA_a(pp), m = wrt_ir_BIN_RMA_p(pp);
		uint32_t k = wrt_ir_BIN_RMA_k(pp);
		if (a != t)
			return;
#define MAC_SET_RMA(L) \
	wrt_ir_set_##L##_t(pc, t); wrt_ir_set_##L##_a(pc, ma); wrt_ir_set_##L##_m(pc, m); wrt_ir_set_##L##_k(pc, k);
		MAC_APPEND(RMA)
	}
	else if (pop == WRT_IR_F64_MUL_RR + WRT_IRF_BIN_RM)
	{
		uint32_t t = wrt_ir_BIN_RM_d(pp), ma = wrt_ir_BIN_RM_a(pp), m = wrt_ir_BIN_RM_p(pp);
		uint32_t moff = wrt_ir_BIN_RM_offset(pp);
		if (a != t)
			return;
#define MAC_SET_RM(L) \
	wrt_ir_set_##L##_t(pc, t); wrt_ir_set_##L##_a(pc, ma); wrt_ir_set_##L##_m(pc, m); wrt_ir_set_##L##_moff(pc, moff);
		MAC_APPEND(RM)
	}
	else if (pop == WRT_IR_F64_MUL_RR + WRT_IRF_BIN_RI)
	{
		uint32_t t = wrt_ir_BIN_RI_d(pp), ma = wrt_ir_BIN_RI_a(pp);
		uint64_t imm = wrt_ir_BIN_RI_imm(pp).u;
		if (a != t)
			return;
#define MAC_SET_RI(L) \
	wrt_ir_set_##L##_t(pc, t); wrt_ir_set_##L##_a(pc, ma); wrt_ir_set_##L##_imm(pc, imm);
		MAC_APPEND(RI)
	}
#undef MAC_SET_RI
#undef MAC_SET_RM
#undef MAC_SET_MM
#undef MAC_SET_RMX
#undef MAC_SET_RMA
#undef MAC_APPEND
#undef MAC_SUM_RR_ST
#undef MAC_SUM_RM_ST
}

/*
 * An f64 result stored: F64_STORE of v right after the f64 add, sub, mul or
 * div (its _RR, _RI or _RM form) writing v, becomes one F64_<OP>_<FORM>_ST,
 * which still writes v (it may be a local).  A load of the _RM form is done
 * and checked before the store, as before.  Module offset: the store's.
 */
static void
match_f64_store(rewrite *r)
{
	/* by the operator's instruction (_RR, _RI, _RM form): the fused one */
#define ST_OF_(OP) [WRT_IR_F64_##OP##_RR] = WRT_IR_F64_##OP##_RR_ST, \
	[WRT_IR_F64_##OP##_RR + WRT_IRF_BIN_RI] = WRT_IR_F64_##OP##_RI_ST, \
	[WRT_IR_F64_##OP##_RR + WRT_IRF_BIN_RM] = WRT_IR_F64_##OP##_RM_ST,
	static const uint16_t stored[WRT_IR_COUNT_] = {ST_OF_(ADD) ST_OF_(SUB) ST_OF_(MUL) ST_OF_(DIV)};
#undef ST_OF_
	_Static_assert((int) WRT_IRPOS_BIN_RR_d == (int) WRT_IRPOS_BIN_RI_d && (int) WRT_IRPOS_BIN_RR_d == (int) WRT_IRPOS_BIN_RM_d &&
				   (int) WRT_IRPOS_BIN_RR_a == (int) WRT_IRPOS_BIN_RI_a && (int) WRT_IRPOS_BIN_RR_a == (int) WRT_IRPOS_BIN_RM_a,
				   "the three forms have d and a in the same place");
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	int op = OPK(r, p), irop = stored[op];
	if (!irop)
		return;
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint64_t offset = wrt_ir_STORE_offset(pq);
	uint32_t addr = wrt_ir_STORE_a(pq), d = wrt_ir_BIN_RR_d(pp), a = wrt_ir_BIN_RR_a(pp);
	/* the operator's result is what is stored; the _RI and _RM layouts
	 * hold a 32-bit store offset (Wasm's memarg offset) */
	const wrt_irlayout *form = wrt_ir_info[op].layout;
	bool rr = form == wrt_ir_info[WRT_IR_F64_ADD_RR].layout;
	if (d != wrt_ir_STORE_v(pq) || (!rr && offset > UINT32_MAX))
		return;
	uint32_t at = OFFSET(r, q);
	if (rr)
	{
		uint32_t b = wrt_ir_BIN_RR_b(pp);
		wrt_cell *pc = append(r, irop, WRT_IRLEN_F64_ADD_RR_ST, at, drop_to(r, p));
		wrt_ir_set_F64_ADD_RR_ST_d(pc, d);
		wrt_ir_set_F64_ADD_RR_ST_a(pc, a);
		wrt_ir_set_F64_ADD_RR_ST_b(pc, b);
		wrt_ir_set_F64_ADD_RR_ST_p(pc, addr);
		wrt_ir_set_F64_ADD_RR_ST_offset(pc, offset);
	}
	else if (form == wrt_ir_info[WRT_IR_F64_ADD_RI].layout)
	{
		uint64_t imm = wrt_ir_BIN_RI_imm(pp).u;
		wrt_cell *pc = append(r, irop, WRT_IRLEN_F64_ADD_RI_ST, at, drop_to(r, p));
		wrt_ir_set_F64_ADD_RI_ST_d(pc, d);
		wrt_ir_set_F64_ADD_RI_ST_a(pc, a);
		wrt_ir_set_F64_ADD_RI_ST_imm(pc, imm);
		wrt_ir_set_F64_ADD_RI_ST_p(pc, addr);
		wrt_ir_set_F64_ADD_RI_ST_offset(pc, (uint32_t) offset);
	}
	else
	{
		uint32_t lq = wrt_ir_BIN_RM_p(pp), lo = wrt_ir_BIN_RM_offset(pp);
		wrt_cell *pc = append(r, irop, WRT_IRLEN_F64_ADD_RM_ST, at, drop_to(r, p));
		wrt_ir_set_F64_ADD_RM_ST_d(pc, d);
		wrt_ir_set_F64_ADD_RM_ST_a(pc, a);
		wrt_ir_set_F64_ADD_RM_ST_q(pc, lq);
		wrt_ir_set_F64_ADD_RM_ST_qoff(pc, lo);
		wrt_ir_set_F64_ADD_RM_ST_p(pc, addr);
		wrt_ir_set_F64_ADD_RM_ST_offset(pc, (uint32_t) offset);
	}
	match_mac(r);
}


/*
 * A loop tail's forms (ir.def): plain, with one pointer step before the
 * counter's (_A), two (_A2), a copy (_C).  A constant bound (NEI, EQI) has
 * only the _A form: match_addi_branch never asks it for the others.
 */
static const struct { uint16_t plain, a, a2, c; } tail_forms[] = {
	{WRT_IR_I32_ADDI_BR_NZ, WRT_IR_I32_ADDI_BR_NZ_A, WRT_IR_I32_ADDI_BR_NZ_A2, WRT_IR_I32_ADDI_BR_NZ_C},
	{WRT_IR_I32_ADDI_BR_Z, WRT_IR_I32_ADDI_BR_Z_A, WRT_IR_I32_ADDI_BR_Z_A2, WRT_IR_I32_ADDI_BR_Z_C},
	{WRT_IR_I32_ADDI_BR_NE, WRT_IR_I32_ADDI_BR_NE_A, WRT_IR_I32_ADDI_BR_NE_A2, WRT_IR_I32_ADDI_BR_NE_C},
	{WRT_IR_I32_ADDI_BR_EQ, WRT_IR_I32_ADDI_BR_EQ_A, WRT_IR_I32_ADDI_BR_EQ_A2, WRT_IR_I32_ADDI_BR_EQ_C},
	{WRT_IR_I32_ADDI_BR_NEI, WRT_IR_I32_ADDI_BR_NEI_A, 0, 0},
	{WRT_IR_I32_ADDI_BR_EQI, WRT_IR_I32_ADDI_BR_EQI_A, 0, 0},
};

/* The form of loop tail `plain` taking `steps` steps, or its copy. */
static int
tail_form(int plain, int steps, bool copy)
{
	for (size_t i = 0; i < sizeof(tail_forms) / sizeof(tail_forms[0]); i++)
	{
		if (tail_forms[i].plain == plain)
			return copy ? tail_forms[i].c : steps == 2 ? tail_forms[i].a2 : steps ? tail_forms[i].a : plain;
	}
	return plain;
}

/*
 * Loop tails: a BR_NZ/BR_Z on c (q) right after an i32 add of an immediate
 * d = a + imm testing d itself (c = d), or right after i32.eqz of d or
 * i32.eq/ne of d and a slot b (or a constant n: the _NEI/_EQI forms, a
 * loop counting to a constant bound) into the temporary c: one
 * I32_ADDI_BR_*.  The
 * add may be the last of a merged I32_ADD2_RI/ADD3_RI, which gives it up; a
 * local-to-local copy just before a lone add (a loop-carried value moved at
 * the end of the body) goes in too, done first (the _C forms).  Module
 * offset: the add's (the copy's), the branch's for a split merge.
 */
static bool
match_addi_branch(rewrite *r, uint32_t q, uint32_t c, bool negate, int32_t target)
{
	uint32_t add = q - 1, other = 0;
	int irop, op = OPK(r, add);
	bool three = false, eqz = false, bound = false;
	const wrt_cell *pk = PC(r, add);
	if (op == WRT_IR_I32_EQZ && wrt_ir_TEST_d(pk) == c && c >= r->nlocals)
	{
		irop = negate ? WRT_IR_I32_ADDI_BR_NZ : WRT_IR_I32_ADDI_BR_Z;
		eqz = true;
	}
	else if ((op == WRT_IR_I32_EQ_RR || op == WRT_IR_I32_NE_RR) && wrt_ir_BIN_RR_d(pk) == c && c >= r->nlocals)
	{
		irop = (op == WRT_IR_I32_NE_RR) != negate ? WRT_IR_I32_ADDI_BR_NE : WRT_IR_I32_ADDI_BR_EQ;
		three = true;
	}
	else if ((op == WRT_IR_I32_EQ_RI || op == WRT_IR_I32_NE_RI) && wrt_ir_BIN_RI_d(pk) == c && c >= r->nlocals)
	{
		irop = (op == WRT_IR_I32_NE_RI) != negate ? WRT_IR_I32_ADDI_BR_NEI : WRT_IR_I32_ADDI_BR_EQI;
		bound = true;
	}
	else
		irop = negate ? WRT_IR_I32_ADDI_BR_Z : WRT_IR_I32_ADDI_BR_NZ;
	if (eqz || three || bound)
	{
		/* a test or compare between: the add is before it */
		if (add == 0 || !replaceable(r, add - 1, q))
			return false;
		add--;
	}
	else if (!replaceable(r, add, q))
		return false;
	wrt_cell *pa = PC(r, add);
	uint32_t d, a, imm;
	int aop = OPK(r, add);
	if (aop == WRT_IR_I32_ADD_RI)
	{
		d = wrt_ir_BIN_RI_d(pa);
		a = wrt_ir_BIN_RI_a(pa);
		imm = (uint32_t) wrt_ir_BIN_RI_imm(pa).u;
	}
	else if (aop == WRT_IR_I32_ADD2_RI)
	{
		d = wrt_ir_I32_ADD2_RI_d2(pa);
		a = wrt_ir_I32_ADD2_RI_a2(pa);
		imm = wrt_ir_I32_ADD2_RI_k2(pa);
	}
	else if (aop == WRT_IR_I32_ADD3_RI)
	{
		d = wrt_ir_I32_ADD3_RI_d3(pa);
		a = wrt_ir_I32_ADD3_RI_a3(pa);
		imm = wrt_ir_I32_ADD3_RI_k3(pa);
	}
	else
		return false;
	if (three)
	{
		const wrt_cell *pc = PC(r, add + 1);
		if (wrt_ir_BIN_RR_a(pc) == d)
			other = wrt_ir_BIN_RR_b(pc);
		else if (wrt_ir_BIN_RR_b(pc) == d)
			other = wrt_ir_BIN_RR_a(pc);
		else
			return false;
	}
	else if (bound)
	{
		if (wrt_ir_BIN_RI_a(PC(r, add + 1)) != d)
			return false;
		other = (uint32_t) wrt_ir_BIN_RI_imm(PC(r, add + 1)).u;
	}
	else if (eqz ? wrt_ir_TEST_a(pk) != d : c != d)
		return false;
	bool copy = false;
	int steps = 0;              /* pointer steps the tail takes first: its _A (1) or _A2 (2) form */
	uint8_t label = 0;          /* (a split merge stays where it was, a label or not) */
	uint32_t cd = 0, cs = 0, offset = OFFSET(r, q);
	uint32_t d2 = 0, a2 = 0, k2 = 0, d3 = 0, a3 = 0, k3 = 0;
	if (aop == WRT_IR_I32_ADD2_RI)
	{
		/* ADD2's first add is the step of the _A form */
		steps = 1;
		d2 = wrt_ir_I32_ADD2_RI_d1(pa);
		a2 = wrt_ir_I32_ADD2_RI_a1(pa);
		k2 = wrt_ir_I32_ADD2_RI_k1(pa);
		offset = OFFSET(r, add);
		label = drop_to(r, add);
	}
	else if (bound && add > 0 && OPK(r, add - 1) == WRT_IR_I32_ADD_RI && replaceable(r, add - 1, add))
	{
		/* a step just before the counter's: the _A form */
		const wrt_cell *ps = PC(r, add - 1);
		steps = 1;
		d2 = wrt_ir_BIN_RI_d(ps);
		a2 = wrt_ir_BIN_RI_a(ps);
		k2 = (uint32_t) wrt_ir_BIN_RI_imm(ps).u;
		offset = OFFSET(r, add - 1);
		label = drop_to(r, add - 1);
	}
	else if (aop == WRT_IR_I32_ADD3_RI && !bound)
	{
		/* ADD3's first two adds are the steps of the _A2 form */
		steps = 2;
		d2 = wrt_ir_I32_ADD3_RI_d1(pa);
		a2 = wrt_ir_I32_ADD3_RI_a1(pa);
		k2 = wrt_ir_I32_ADD3_RI_k1(pa);
		d3 = wrt_ir_I32_ADD3_RI_d2(pa);
		a3 = wrt_ir_I32_ADD3_RI_a2(pa);
		k3 = wrt_ir_I32_ADD3_RI_k2(pa);
		offset = OFFSET(r, add);
		label = drop_to(r, add);
	}
	else if (aop == WRT_IR_I32_ADD3_RI)
	{
		/* ADD3 -> ADD2 of its first two adds, in place */
		uint32_t d1 = wrt_ir_I32_ADD3_RI_d1(pa), a1 = wrt_ir_I32_ADD3_RI_a1(pa);
		uint32_t d2 = wrt_ir_I32_ADD3_RI_d2(pa), a2 = wrt_ir_I32_ADD3_RI_a2(pa);
		uint32_t k1 = wrt_ir_I32_ADD3_RI_k1(pa), k2 = wrt_ir_I32_ADD3_RI_k2(pa);
		uint32_t off = OFFSET(r, add);
		pa = append(r, WRT_IR_I32_ADD2_RI, WRT_IRLEN_I32_ADD2_RI, off, drop_to(r, add));
		wrt_ir_set_I32_ADD2_RI_d1(pa, d1);
		wrt_ir_set_I32_ADD2_RI_a1(pa, a1);
		wrt_ir_set_I32_ADD2_RI_d2(pa, d2);
		wrt_ir_set_I32_ADD2_RI_a2(pa, a2);
		wrt_ir_set_I32_ADD2_RI_k1(pa, k1);
		wrt_ir_set_I32_ADD2_RI_k2(pa, k2);
	}
	else if (!bound && add > 0 && OPK(r, add - 1) == WRT_IR_COPY && replaceable(r, add - 1, add))
	{
		copy = true;
		cd = wrt_ir_COPY_d(PC(r, add - 1));
		cs = wrt_ir_COPY_s(PC(r, add - 1));
		offset = OFFSET(r, add - 1);
		label = drop_to(r, add - 1);
	}
	else
	{
		offset = OFFSET(r, add);
		label = drop_to(r, add);
	}
	irop = tail_form(irop, steps, copy);
	/* every form of a tail has its plain form's operands where the plain
	 * form has them, and no tail of cells: set those, then the form's own */
	_Static_assert((int) WRT_IRPOS_I32_ADDI_BR_NEI_A_off == (int) WRT_IRPOS_I32_ADDI_BR_NEI_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NEI_A_n == (int) WRT_IRPOS_I32_ADDI_BR_NEI_n &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NE_C_off == (int) WRT_IRPOS_I32_ADDI_BR_NE_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NE_A_off == (int) WRT_IRPOS_I32_ADDI_BR_NE_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NE_A_b == (int) WRT_IRPOS_I32_ADDI_BR_NE_b &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NE_A2_off == (int) WRT_IRPOS_I32_ADDI_BR_NE_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NE_A2_b == (int) WRT_IRPOS_I32_ADDI_BR_NE_b &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NZ_C_off == (int) WRT_IRPOS_I32_ADDI_BR_NZ_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NZ_A_off == (int) WRT_IRPOS_I32_ADDI_BR_NZ_off &&
				   (int) WRT_IRHALF_I32_ADDI_BR_NZ_A_off == (int) WRT_IRHALF_I32_ADDI_BR_NZ_off &&
				   (int) WRT_IRPOS_I32_ADDI_BR_NZ_A2_off == (int) WRT_IRPOS_I32_ADDI_BR_NZ_off &&
				   (int) WRT_IRHALF_I32_ADDI_BR_NZ_A2_off == (int) WRT_IRHALF_I32_ADDI_BR_NZ_off,
				   "the forms of a loop tail extend it");
	wrt_cell *pc = append(r, irop, 1u + wrt_ir_info[irop].layout->ncells, offset, label);
#define SET_STEP(F) do { \
		wrt_ir_set_##F##_d2(pc, d2); \
		wrt_ir_set_##F##_a2(pc, a2); \
		wrt_ir_set_##F##_k2(pc, k2); \
	} while (0)
#define SET_STEPS(F) do { \
		SET_STEP(F); \
		wrt_ir_set_##F##_d3(pc, d3); \
		wrt_ir_set_##F##_a3(pc, a3); \
		wrt_ir_set_##F##_k3(pc, k3); \
	} while (0)
	if (bound)
	{
		wrt_ir_set_I32_ADDI_BR_NEI_d(pc, d);
		wrt_ir_set_I32_ADDI_BR_NEI_a(pc, a);
		wrt_ir_set_I32_ADDI_BR_NEI_imm(pc, imm);
		wrt_ir_set_I32_ADDI_BR_NEI_n(pc, other);
		wrt_ir_set_I32_ADDI_BR_NEI_off(pc, target);
		if (steps)
			SET_STEP(I32_ADDI_BR_NEI_A);
	}
	else if (three)
	{
		wrt_ir_set_I32_ADDI_BR_NE_d(pc, d);
		wrt_ir_set_I32_ADDI_BR_NE_a(pc, a);
		wrt_ir_set_I32_ADDI_BR_NE_imm(pc, imm);
		wrt_ir_set_I32_ADDI_BR_NE_b(pc, other);
		wrt_ir_set_I32_ADDI_BR_NE_off(pc, target);
		if (copy)
		{
			wrt_ir_set_I32_ADDI_BR_NE_C_cd(pc, cd);
			wrt_ir_set_I32_ADDI_BR_NE_C_cs(pc, cs);
		}
		if (steps == 1)
			SET_STEP(I32_ADDI_BR_NE_A);
		if (steps == 2)
			SET_STEPS(I32_ADDI_BR_NE_A2);
	}
	else
	{
		wrt_ir_set_I32_ADDI_BR_NZ_d(pc, d);
		wrt_ir_set_I32_ADDI_BR_NZ_a(pc, a);
		wrt_ir_set_I32_ADDI_BR_NZ_imm(pc, imm);
		wrt_ir_set_I32_ADDI_BR_NZ_off(pc, target);
		if (copy)
		{
			wrt_ir_set_I32_ADDI_BR_NZ_C_cd(pc, cd);
			wrt_ir_set_I32_ADDI_BR_NZ_C_cs(pc, cs);
		}
		if (steps == 1)
			SET_STEP(I32_ADDI_BR_NZ_A);
		if (steps == 2)
			SET_STEPS(I32_ADDI_BR_NZ_A2);
	}
#undef SET_STEPS
#undef SET_STEP
	return true;
}

/*
 * Conditional branches (BR_NZ, BR_Z on c), in the order the compiler tried
 * them: a loop tail (match_addi_branch); else the instruction computing c
 * into a temporary, past the copies and constants written out between
 * (an if writes out the operand stack after popping its condition, and a
 * br_if carrying many values before) if they neither read c nor write what
 * the group reads:
 *   a range check, ADD_RI t = x + k; AND_RI t2 = t & m; an unsigned compare
 *     of t2 with n into c (t, t2 temporaries): BR_ADDI_ANDI_LTU/GEU on x;
 *   a compare (_RR or _RI form) or test: its BRIF_ / BRIFNOT_ form.
 * The group becomes one instruction after those copies, with the branch's
 * module offset (it cannot trap).
 */
static void
match_cond_branch(rewrite *r)
{
	uint32_t q = r->n - 1;
	if (q == 0 || r->label[q])
		return;
	const wrt_cell *pq = PC(r, q);
	bool negate = OPK(r, q) == WRT_IR_BR_Z;
	uint32_t c = wrt_ir_BR_NZ_c(pq);
	int32_t target = wrt_ir_BR_NZ_off(pq);
	uint32_t boff = OFFSET(r, q);
	if (match_addi_branch(r, q, c, negate, target))
		return;
	if (c < r->nlocals)
		return;
	/* the producer of c, past copies and constants */
	uint32_t p = q - 1;
	while ((OPK(r, p) == WRT_IR_COPY || OPK(r, p) == WRT_IR_CONST) && p > 0)
		p--;
	int op = OPK(r, p);
	cond_of co = conds[op];
	if (!co.base || !replaceable(r, p, q) || wrt_ir_BIN_RR_d(PC(r, p)) != c)
		return;
	_Static_assert((int) WRT_IRPOS_TEST_d == (int) WRT_IRPOS_BIN_RR_d && (int) WRT_IRPOS_BIN_RI_d == (int) WRT_IRPOS_BIN_RR_d &&
				   (int) WRT_IRHALF_TEST_d == (int) WRT_IRHALF_BIN_RR_d && (int) WRT_IRHALF_BIN_RI_d == (int) WRT_IRHALF_BIN_RR_d,
				   "a compare's or test's result is where BIN_RR has it");
	/* a range check before it? */
	uint32_t g = p, x = 0, k = 0, m = 0, n = 0;
	bool range = false, lt = false;
	if (co.ri && p >= 2 && replaceable(r, p - 2, p) && OPK(r, p - 1) == WRT_IR_I32_AND_RI &&
		OPK(r, p - 2) == WRT_IR_I32_ADD_RI)
	{
		const wrt_cell *pand = PC(r, p - 1), *padd = PC(r, p - 2), *pc = PC(r, p);
		uint32_t t = wrt_ir_BIN_RI_d(padd), t2 = wrt_ir_BIN_RI_d(pand);
		uint32_t bound = (uint32_t) wrt_ir_BIN_RI_imm(pc).u;
		range = t >= r->nlocals && t2 >= r->nlocals && wrt_ir_BIN_RI_a(pand) == t && wrt_ir_BIN_RI_a(pc) == t2;
		switch (op)
		{
			case WRT_IR_I32_LT_U_RI: lt = true; n = bound; break;
			case WRT_IR_I32_GE_U_RI: lt = false; n = bound; break;
			case WRT_IR_I32_LE_U_RI: lt = true; n = bound + 1; range = range && bound != UINT32_MAX; break;
			case WRT_IR_I32_GT_U_RI: lt = false; n = bound + 1; range = range && bound != UINT32_MAX; break;
			default: range = false; break;
		}
		if (range)
		{
			g = p - 2;
			x = wrt_ir_BIN_RI_a(padd);
			k = (uint32_t) wrt_ir_BIN_RI_imm(padd).u;
			m = (uint32_t) wrt_ir_BIN_RI_imm(pand).u;
		}
	}
	/* what the fused instruction reads must not change, nor c (nor the
	 * temporaries of a range check) be touched, between the producer and
	 * the branch */
	uint32_t dead[3] = {c, c, c};
	if (range)
	{
		dead[1] = wrt_ir_BIN_RI_d(PC(r, p - 2));
		dead[2] = wrt_ir_BIN_RI_d(PC(r, p - 1));
	}
	if (!may_run_first(r, p, q, range ? WRT_IR_I32_ADD_RI : op, range ? PC(r, g) : PC(r, p), dead, 3))
		return;
	const wrt_cell *pp = PC(r, p);
	uint32_t a = wrt_ir_BIN_RR_a(pp), b = co.ri || co.test ? 0 : wrt_ir_BIN_RR_b(pp);
	uint64_t imm = co.ri ? wrt_ir_BIN_RI_imm(pp).u : 0;
	uint8_t label = drop_around(r, g, p, q);
	wrt_cell *pc;
	if (range)
	{
		pc = append(r, lt != negate ? WRT_IR_BR_ADDI_ANDI_LTU : WRT_IR_BR_ADDI_ANDI_GEU,
					WRT_IRLEN_BR_ADDI_ANDI_LTU, boff, label);
		wrt_ir_set_BR_ADDI_ANDI_LTU_a(pc, x);
		wrt_ir_set_BR_ADDI_ANDI_LTU_off(pc, target);
		wrt_ir_set_BR_ADDI_ANDI_LTU_k(pc, k);
		wrt_ir_set_BR_ADDI_ANDI_LTU_m(pc, m);
		wrt_ir_set_BR_ADDI_ANDI_LTU_n(pc, n);
	}
	else if (co.test)
	{
		_Static_assert((int) WRT_IRLEN_BRIF_TEST == (int) WRT_IRLEN_BRIFNOT_TEST, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_TEST : WRT_IRF_BRIF_TEST), WRT_IRLEN_BRIF_TEST, boff, label);
		wrt_ir_set_BRIF_TEST_a(pc, a);
		wrt_ir_set_BRIF_TEST_off(pc, target);
	}
	else if (co.ri)
	{
		_Static_assert((int) WRT_IRLEN_BRIF_RI == (int) WRT_IRLEN_BRIFNOT_RI, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_RI : WRT_IRF_BRIF_RI), WRT_IRLEN_BRIF_RI, boff, label);
		wrt_ir_set_BRIF_RI_a(pc, a);
		wrt_ir_set_BRIF_RI_off(pc, target);
		wrt_ir_set_BRIF_RI_imm(pc, imm);
	}
	else
	{
		_Static_assert((int) WRT_IRLEN_BRIF_RR == (int) WRT_IRLEN_BRIFNOT_RR, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_RR : WRT_IRF_BRIF_RR), WRT_IRLEN_BRIF_RR, boff, label);
		wrt_ir_set_BRIF_RR_a(pc, a);
		wrt_ir_set_BRIF_RR_b(pc, b);
		wrt_ir_set_BRIF_RR_off(pc, target);
	}
}

/* Is the next instruction to come a plain load (any width) whose address
 * is slot a? */
static bool
load_address_next(const rewrite *r, uint32_t a)
{
	if (r->next >= r->ninsn)
		return false;
	const wrt_cell *pc = &r->code[r->pcmap[2 * r->next]];
	return plain_load[OP_AT(r->code, r->pcmap[2 * r->next])] && wrt_ir_LOAD_a(pc) == a;
}

/*
 * i32 chains: an i32.add (q) reading the result t of the i32.add, mul or
 * shift-left by a constant just before it (p) becomes one I32_ADD_ADD,
 * I32_ADD_ADDI, I32_MUL_ADD or I32_SHLI_ADD, and an and-immediate of a
 * shift-right (unsigned) by a constant one I32_SHRUI_ANDI; each still
 * writes t (it may be a local) and reads the other operand after writing
 * it, as the pair did.  Module offset: the second's (neither traps).  True
 * if it fused.
 */
static bool
match_i32_chain(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return false;
	int op1 = OPK(r, p), op2 = OPK(r, q);
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint32_t offset = OFFSET(r, q);
	if (op2 == WRT_IR_I32_AND_RI)
	{
		/* a bit field: (a >> s) & m */
		if (op1 != WRT_IR_I32_SHR_U_RI || wrt_ir_BIN_RI_a(pq) != wrt_ir_BIN_RI_d(pp))
			return false;
		uint32_t t = wrt_ir_BIN_RI_d(pp), a = wrt_ir_BIN_RI_a(pp), sh = (uint32_t) wrt_ir_BIN_RI_imm(pp).u & 31;
		uint32_t d = wrt_ir_BIN_RI_d(pq), m = (uint32_t) wrt_ir_BIN_RI_imm(pq).u;
		wrt_cell *pc = append(r, WRT_IR_I32_SHRUI_ANDI, WRT_IRLEN_I32_SHRUI_ANDI, offset, drop_to(r, p));
		wrt_ir_set_I32_SHRUI_ANDI_d(pc, d);
		wrt_ir_set_I32_SHRUI_ANDI_a(pc, a);
		wrt_ir_set_I32_SHRUI_ANDI_s(pc, sh);
		wrt_ir_set_I32_SHRUI_ANDI_m(pc, m);
		wrt_ir_set_I32_SHRUI_ANDI_t(pc, t);
		return true;
	}
	if (op1 != WRT_IR_I32_ADD_RR && op1 != WRT_IR_I32_SHL_RI && op1 != WRT_IR_I32_MUL_RR)
		return false;
	if (op1 != WRT_IR_I32_ADD_RR && op2 != WRT_IR_I32_ADD_RR)
		return false;
	uint32_t t = op1 == WRT_IR_I32_SHL_RI ? wrt_ir_BIN_RI_d(pp) : wrt_ir_BIN_RR_d(pp);
	if (op2 == WRT_IR_I32_ADD_RI)
	{
		/* an add of a constant that addresses the load after it is that
		 * load's (LOAD_ADD, and the load-operand forms after it) */
		if (wrt_ir_BIN_RI_a(pq) != t || load_address_next(r, wrt_ir_BIN_RI_d(pq)))
			return false;
		uint32_t d = wrt_ir_BIN_RI_d(pq), k = (uint32_t) wrt_ir_BIN_RI_imm(pq).u;
		uint32_t a = wrt_ir_BIN_RR_a(pp), b = wrt_ir_BIN_RR_b(pp);
		wrt_cell *pc = append(r, WRT_IR_I32_ADD_ADDI, WRT_IRLEN_I32_ADD_ADDI, offset, drop_to(r, p));
		wrt_ir_set_I32_ADD_ADDI_d(pc, d);
		wrt_ir_set_I32_ADD_ADDI_a(pc, a);
		wrt_ir_set_I32_ADD_ADDI_b(pc, b);
		wrt_ir_set_I32_ADD_ADDI_k(pc, k);
		wrt_ir_set_I32_ADD_ADDI_t(pc, t);
		return true;
	}
	uint32_t x = wrt_ir_BIN_RR_a(pq), y = wrt_ir_BIN_RR_b(pq), c;
	if (x == t)
		c = y;
	else if (y == t)
		c = x;
	else
		return false;
	uint32_t d = wrt_ir_BIN_RR_d(pq);
	if (op1 == WRT_IR_I32_SHL_RI)
	{
		uint32_t a = wrt_ir_BIN_RI_a(pp), sh = (uint32_t) wrt_ir_BIN_RI_imm(pp).u & 31;
		wrt_cell *pc = append(r, WRT_IR_I32_SHLI_ADD, WRT_IRLEN_I32_SHLI_ADD, offset, drop_to(r, p));
		wrt_ir_set_I32_SHLI_ADD_d(pc, d);
		wrt_ir_set_I32_SHLI_ADD_a(pc, a);
		wrt_ir_set_I32_SHLI_ADD_s(pc, sh);
		wrt_ir_set_I32_SHLI_ADD_c(pc, c);
		wrt_ir_set_I32_SHLI_ADD_t(pc, t);
		return true;
	}
	uint32_t a = wrt_ir_BIN_RR_a(pp), b = wrt_ir_BIN_RR_b(pp);
	_Static_assert((int) WRT_IRLEN_I32_MUL_ADD == (int) WRT_IRLEN_I32_ADD_ADD, "both chains are alike");
	wrt_cell *pc = append(r, op1 == WRT_IR_I32_MUL_RR ? WRT_IR_I32_MUL_ADD : WRT_IR_I32_ADD_ADD,
						  WRT_IRLEN_I32_ADD_ADD, offset, drop_to(r, p));
	wrt_ir_set_I32_ADD_ADD_d(pc, d);
	wrt_ir_set_I32_ADD_ADD_a(pc, a);
	wrt_ir_set_I32_ADD_ADD_b(pc, b);
	wrt_ir_set_I32_ADD_ADD_c(pc, c);
	wrt_ir_set_I32_ADD_ADD_t(pc, t);
	return true;
}

/* i32.add of two slots: a byte compare's count (match_accumulate), else
 * the end of a chain. */
/*
 * Two i32 adds of slots in a row, neither reading the other's result (the
 * second reading the first's is a chain): one I32_ADD2_RR, in the first's
 * place, running them in order.  Not when the second is the address of the
 * load after it (LOAD_RR takes it, dropping a temporary) or of a run of byte
 * tests (whose in-place fusion passes the sum in a register).
 */
static void
match_add2_rr(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || OPK(r, p) != WRT_IR_I32_ADD_RR || !replaceable(r, p, q))
		return;
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint32_t d1 = wrt_ir_BIN_RR_d(pp), a1 = wrt_ir_BIN_RR_a(pp), b1 = wrt_ir_BIN_RR_b(pp);
	uint32_t d2 = wrt_ir_BIN_RR_d(pq), a2 = wrt_ir_BIN_RR_a(pq), b2 = wrt_ir_BIN_RR_b(pq);
	if (load_address_next(r, d2))
		return;
	if (r->next < r->ninsn)
	{
		int next = OP_AT(r->code, r->pcmap[2 * r->next]);
		if (next == WRT_IR_I32_ADD_ANDI_EQI_M8N || next == WRT_IR_I32_ADD_ANDI_NEI_M8N)
			return;
	}
	wrt_cell *pc = append(r, WRT_IR_I32_ADD2_RR, WRT_IRLEN_I32_ADD2_RR, OFFSET(r, p), drop_to(r, p));
	wrt_ir_set_I32_ADD2_RR_d1(pc, d1);
	wrt_ir_set_I32_ADD2_RR_a1(pc, a1);
	wrt_ir_set_I32_ADD2_RR_b1(pc, b1);
	wrt_ir_set_I32_ADD2_RR_d2(pc, d2);
	wrt_ir_set_I32_ADD2_RR_a2(pc, a2);
	wrt_ir_set_I32_ADD2_RR_b2(pc, b2);
}

static void
match_i32_add_rr(rewrite *r)
{
	uint32_t n = r->n;
	match_accumulate(r);
	if (r->n == n && OPK(r, r->n - 1) == WRT_IR_I32_ADD_RR && !match_i32_chain(r))
		match_add2_rr(r);
}

/* i32.add of a constant: the end of a chain, else a local's step merged
 * with the one before (match_local_adds). */
static void
match_i32_add_ri(rewrite *r)
{
	if (!match_i32_chain(r))
		match_local_adds(r);
}

static void
match_i32_and_ri(rewrite *r)
{
	match_i32_chain(r);
}

/* The matchers of binary operators and compares (_RR), after the load
 * folded into their operand (match_load_operand), by operator. */
typedef void replace_matcher(rewrite *r);
static replace_matcher *const rr_matchers[WRT_IR_COUNT_] = {
	[WRT_IR_F64_ADD_RR] = match_f64_chain,
	[WRT_IR_F64_SUB_RR] = match_f64_chain,
	[WRT_IR_F64_MUL_RR] = match_f64_chain,
	[WRT_IR_I32_EQ_RR] = match_byte_compare,
	[WRT_IR_I32_NE_RR] = match_byte_compare,
	[WRT_IR_I32_ADD_RR] = match_i32_add_rr,
};

static void
match_rr(rewrite *r)
{
	if (match_load_operand(r))
		match_f64_rma2(r);
	else if (rr_matchers[OPK(r, r->n - 1)])
		rr_matchers[OPK(r, r->n - 1)](r);
}

/*
 * A select stored: an I32_STORE of the result d of the SEL_<cmp>_RR just
 * before it becomes one SEL_<cmp>_RR_ST, which still writes d (it may be a
 * local).  Module offset: the store's (it may trap).
 */
static void
match_sel_store(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || !replaceable(r, p, q))
		return;
	int op = OPK(r, p);
	if (wrt_ir_info[op].layout != wrt_ir_info[WRT_IR_I32_LT_S_RR + WRT_IRF_SEL_RR].layout)
		return;
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint64_t offset = wrt_ir_STORE_offset(pq);
	uint32_t d = wrt_ir_SEL_RR_d(pp), a = wrt_ir_SEL_RR_a(pp), b = wrt_ir_SEL_RR_b(pp);
	uint32_t x = wrt_ir_SEL_RR_x(pp), y = wrt_ir_SEL_RR_y(pp), addr = wrt_ir_STORE_a(pq);
	if (wrt_ir_STORE_v(pq) != d || offset > UINT32_MAX)
		return;
	_Static_assert(WRT_IR_I32_LT_S_RR + WRT_IRF_SEL_RR_ST == WRT_IR_SEL_I32_LT_S_RR_ST,
				   "a compare's forms are offsets from its _RR");
	wrt_cell *pc = append(r, op - WRT_IRF_SEL_RR + WRT_IRF_SEL_RR_ST, WRT_IRLEN_SEL_RR_ST, OFFSET(r, q), drop_to(r, p));
	wrt_ir_set_SEL_RR_ST_d(pc, d);
	wrt_ir_set_SEL_RR_ST_a(pc, a);
	wrt_ir_set_SEL_RR_ST_b(pc, b);
	wrt_ir_set_SEL_RR_ST_x(pc, x);
	wrt_ir_set_SEL_RR_ST_y(pc, y);
	wrt_ir_set_SEL_RR_ST_p(pc, addr);
	wrt_ir_set_SEL_RR_ST_offset(pc, (uint32_t) offset);
}

/*
 * Two copies in a row: one COPY_COPY, in the first's place, doing them in
 * order.  Not when a conditional branch follows past copies and constants
 * (the compare before them fuses with it: match_cond_branch looks back past
 * plain copies only), nor when a loop tail's add and test follow (its _C
 * form takes the second copy: as few dispatches).
 */
static void
match_copy_copy(rewrite *r)
{
	uint32_t q = r->n - 1, p = q - 1;
	if (q == 0 || OPK(r, p) != WRT_IR_COPY || !replaceable(r, p, q))
		return;
	for (uint32_t e = r->next; e < r->ninsn; e++)
	{
		int op = OP_AT(r->code, r->pcmap[2 * e]);
		if (op == WRT_IR_COPY || op == WRT_IR_CONST)
			continue;
		if (op == WRT_IR_BR_NZ || op == WRT_IR_BR_Z)
			return;
		if (op == WRT_IR_I32_ADD_RI && e == r->next && e + 1 < r->ninsn)
		{
			int then = OP_AT(r->code, r->pcmap[2 * (e + 1)]);
			if (then == WRT_IR_BR_NZ || then == WRT_IR_BR_Z || then == WRT_IR_I32_EQZ ||
				then == WRT_IR_I32_EQ_RR || then == WRT_IR_I32_NE_RR)
				return;
		}
		break;
	}
	const wrt_cell *pp = PC(r, p), *pq = PC(r, q);
	uint32_t d1 = wrt_ir_COPY_d(pp), s1 = wrt_ir_COPY_s(pp), d2 = wrt_ir_COPY_d(pq), s2 = wrt_ir_COPY_s(pq);
	wrt_cell *pc = append(r, WRT_IR_COPY_COPY, WRT_IRLEN_COPY_COPY, OFFSET(r, p), drop_to(r, p));
	wrt_ir_set_COPY_COPY_d1(pc, d1);
	wrt_ir_set_COPY_COPY_s1(pc, s1);
	wrt_ir_set_COPY_COPY_d2(pc, d2);
	wrt_ir_set_COPY_COPY_s2(pc, s2);
}

/*
 * Two f64 gathered into a v128 (clang's strided access): a
 * v128.load64_splat into a temporary pair, an f64.load (plain or with its
 * address add, _ADD) into a temporary, and f64x2.replace_lane 1 of the
 * pair by it: one F64X2_LOAD2 in the splat's place (its module offset).
 * The load's address must not be the pair the splat wrote.
 */
static void
match_f64x2_load2(rewrite *r)
{
	uint32_t q = r->n - 1, l = q - 1, s = q - 2;
	if (q < 2 || !replaceable(r, s, q) || OPK(r, s) != WRT_IR_VI_V128_LOAD64_SPLAT)
		return;
	int lop = OPK(r, l);
	bool added = lop == WRT_IR_F64_LOAD + WRT_IRF_LOAD_ADD;
	if (lop != WRT_IR_F64_LOAD && !added)
		return;
	const wrt_cell *pq = PC(r, q), *pl = PC(r, l), *ps = PC(r, s);
	_Static_assert((int) WRT_IRPOS_LOAD_d == (int) WRT_IRPOS_LOAD_ADD_d && (int) WRT_IRPOS_LOAD_a == (int) WRT_IRPOS_LOAD_ADD_a &&
				   (int) WRT_IRHALF_LOAD_d == (int) WRT_IRHALF_LOAD_ADD_d && (int) WRT_IRHALF_LOAD_a == (int) WRT_IRHALF_LOAD_ADD_a,
				   "LOAD and LOAD_ADD have d and a in one place");
	uint32_t pair = wrt_ir_VLOAD_d(ps), t = wrt_ir_LOAD_d(pl), x = wrt_ir_LOAD_a(pl);
	uint64_t offset2 = added ? wrt_ir_LOAD_ADD_offset(pl) : wrt_ir_LOAD_offset(pl);
	int32_t k = added ? wrt_ir_LOAD_ADD_k(pl) : 0;
	if (wrt_ir_VREPLACE_lane(pq) != 1 || pair < r->nlocals || t < r->nlocals || wrt_ir_VREPLACE_a(pq) != pair ||
		wrt_ir_VREPLACE_b(pq) != t || t == pair || t == pair + 1 || x == pair || x == pair + 1 || offset2 > UINT32_MAX)
		return;
	uint32_t d = wrt_ir_VREPLACE_d(pq), p = wrt_ir_VLOAD_a(ps), offset = wrt_ir_VLOAD_offset(ps), moff = OFFSET(r, s);
	wrt_cell *pc = append(r, WRT_IR_F64X2_LOAD2, WRT_IRLEN_F64X2_LOAD2, moff, drop_to(r, s));
	wrt_ir_set_F64X2_LOAD2_d(pc, d);
	wrt_ir_set_F64X2_LOAD2_p(pc, p);
	wrt_ir_set_F64X2_LOAD2_offset(pc, offset);
	wrt_ir_set_F64X2_LOAD2_x(pc, x);
	wrt_ir_set_F64X2_LOAD2_k(pc, k);
	wrt_ir_set_F64X2_LOAD2_offset2(pc, (uint32_t) offset2);
}

/* The replacing matchers, by the instruction that ends their group. */
/* Every inlined SIMD operator (IR_VI) ends a group as its layout's
 * generic instruction would. */
static void
match_inlined_simd(rewrite *r)
{
	const wrt_irlayout *l = wrt_ir_info[OPK(r, r->n - 1)].layout;
	if (l == wrt_ir_info[WRT_IR_VBIN].layout)
		match_vbin_operand(r);
	else if (l == wrt_ir_info[WRT_IR_VLOAD].layout)
		match_vload_add(r);
	else if (OPK(r, r->n - 1) == WRT_IR_VI_F64X2_REPLACE_LANE)
		match_f64x2_load2(r);
}
#define INLINED_SIMD(NAME, L, OP, M) [WRT_IR_##NAME] = match_inlined_simd,
#define NO_ROW(...)
#define OP_BIN(NAME, code, text, T, TOUT, body) [WRT_IR_##NAME##_RR] = match_rr,
#define OP_CMP(NAME, code, text, T, body) [WRT_IR_##NAME##_RR] = match_rr,
#define OP_LOAD(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = match_load_add,
static replace_matcher *const replace_matchers[WRT_IR_COUNT_] = {
#include "opcodes.def"
	[WRT_IR_COPY] = match_copy_copy,
	[WRT_IR_BR_NZ] = match_cond_branch,
	[WRT_IR_BR_Z] = match_cond_branch,
	[WRT_IR_I32_EQZ] = match_eqz_of_compare,
	[WRT_IR_I32_ADD_RI] = match_i32_add_ri,
	[WRT_IR_VLOAD] = match_vload_add,
	[WRT_IR_VBIN] = match_vbin_operand,
	[WRT_IR_VSTORE] = match_vbin_store,
	WRT_IR_HAND(NO_ROW, NO_ROW, NO_ROW, NO_ROW, NO_ROW, INLINED_SIMD)
	[WRT_IR_I32_EQ_RI] = match_mask_compare,
	[WRT_IR_I32_NE_RI] = match_mask_compare,
	[WRT_IR_SELECT] = match_compare_select,
	[WRT_IR_F64_STORE] = match_f64_store,
	[WRT_IR_I32_STORE] = match_sel_store,
	[WRT_IR_F64_MUL_RR + WRT_IRF_BIN_RI] = match_f64_mul_mi,
	[WRT_IR_I32_AND_RI] = match_i32_and_ri,
};
#undef INLINED_SIMD
#undef NO_ROW

bool
wrt_fuse_replace(wrt_fuse_code *fc)
{
	uint32_t ncode = fc->ncode, ninsn = fc->npc / 2;
	if (ninsn == 0)
		return true;
	uint32_t *map = wrt_alloc(fc->a, ((size_t) ncode + 1) * sizeof(uint32_t));
	uint8_t *is_label = wrt_calloc(fc->a, (size_t) ncode + 1, 1);
	uint8_t *label = wrt_calloc(fc->a, ninsn, 1);
	bool ok = map && is_label && label;
	if (ok)
	{
		/* the labels: those bound, and every branch target (a forward
		 * one is marked when its branch is appended, before it is; a
		 * backward one is a loop's header, bound) */
		for (uint32_t k = 0; k < fc->nlabels; k++)
			is_label[fc->labels[k]] = 1;
		rewrite r = {fc->code, fc->pcmap, label, 0, 0, fc->nlocals, 0, ninsn};
		for (uint32_t e = 0; e < ninsn; e++)
		{
			/* append instruction e (its pc-map entry is read before an
			 * earlier one can be written over it: r.n <= e) */
			uint32_t i = fc->pcmap[2 * e], offset = fc->pcmap[2 * e + 1];
			int op = OP_AT(fc->code, i);
			const wrt_irlayout *l = wrt_ir_info[op].layout;
			uint32_t len = l->tail ? wrt_ir_length(op, &fc->code[i]) : 1u + l->ncells;
			map[i] = r.out;
			if (r.out != i)
				for (uint32_t k = 0; k < len; k++)
					r.code[r.out + k] = fc->code[i + k];
			if (l->nbranch)
				each_branch(&r.code[r.out], l, i, to_absolute, is_label);
			r.pcmap[2 * r.n] = r.out;
			r.pcmap[2 * r.n + 1] = offset;
			r.label[r.n] = is_label[i];
			r.n++;
			r.out += len;
			r.next = e + 1;
			if (replace_matchers[op])
				replace_matchers[op](&r);
		}
		map[ncode] = r.out;
		for (uint32_t e = 0; e < r.n; e++)
		{
			uint32_t j = fc->pcmap[2 * e];
			const wrt_irlayout *l = wrt_ir_info[OP_AT(fc->code, j)].layout;
			if (l->nbranch)
				each_branch(&fc->code[j], l, j, to_relative, map);
		}
		for (uint32_t k = 0; k < fc->nloops; k++)
			fc->loops[k].cell = map[fc->loops[k].cell];
		fc->ncode = r.out;
		fc->npc = 2 * r.n;
	}
	wrt_free(fc->a, map);
	wrt_free(fc->a, is_label);
	wrt_free(fc->a, label);
	return ok;
}
