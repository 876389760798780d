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

/* The code being rewritten: the instructions done so far, in place. */
typedef struct rewrite {
	wrt_cell *code;
	uint32_t *pcmap;            /* pairs: cell, module offset; one per instruction done */
	uint8_t *label;             /* per instruction done: a label (a jump may land on it) */
	uint32_t out;               /* cells done */
	uint32_t n;                 /* instructions done */
	uint32_t nlocals;           /* slots from here on are temporaries */
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

/* Forget the instructions from k done on: the fused code replaces them. */
static void
drop_to(rewrite *r, uint32_t k)
{
	r->out = AT(r, k);
	r->n = k;
}

/* Append instruction irop of len cells (all 0 but its opcode, for the
 * setters to fill) with module offset `offset`, not a label. */
static wrt_cell *
append(rewrite *r, int irop, uint32_t len, uint32_t offset)
{
	wrt_cell *pc = &r->code[r->out];
	memset(pc, 0, len * sizeof(wrt_cell));
	pc->u = (uint64_t) irop;
	r->pcmap[2 * r->n] = r->out;
	r->pcmap[2 * r->n + 1] = offset;
	r->label[r->n] = 0;
	r->n++;
	r->out += len;
	return pc;
}

/* A branch operand's bits (offset or, during the rewrite, absolute target). */
static uint64_t
opnd_get(const wrt_cell *pc, uint32_t cell, uint32_t half)
{
	return half == WRT_IR_LO ? WRT_LO(pc[cell]) : half == WRT_IR_HI ? WRT_HI(pc[cell]) : pc[cell].u;
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
 * Every branch operand of the instruction op at cell i: f(x, v) returns its
 * new value from its old one, with `at` the instruction's cell.  During the
 * rewrite branch operands hold absolute cells of the code before it, so
 * that instructions can move.
 */
typedef int32_t branch_fn(void *arg, uint32_t at, int32_t v);
static void
each_branch(wrt_cell *code, uint32_t i, branch_fn *f, void *arg)
{
	int op = OP_AT(code, i);
	const wrt_irlayout *l = wrt_ir_info[op].layout;
	wrt_cell *pc = &code[i];
	for (uint32_t k = 0; k < l->nopnds; k++)
	{
		const wrt_iropnd *o = &l->opnds[k];
		if (o->kind != WRT_IRK_BR)
			continue;
		if (o->half == WRT_IR_TAILHALF)
		{
			uint32_t n = (uint32_t) opnd_get(pc, o->count_cell, o->count_half);
			for (uint32_t e = 0; e <= n; e++)
				pc[o->cell + e].i = f(arg, i, (int32_t) pc[o->cell + e].i);
		}
		else
			opnd_set(pc, o->cell, o->half, f(arg, i, (int32_t) opnd_get(pc, o->cell, o->half)));
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
	drop_to(r, p);
	_Static_assert((int) WRT_IRLEN_CHAIN_L == (int) WRT_IRLEN_CHAIN_R, "both chain forms are alike");
	wrt_cell *pc = append(r, fused[i1][i2][left ? 0 : 1], WRT_IRLEN_CHAIN_L, offset);
	wrt_ir_set_CHAIN_L_d(pc, d);
	wrt_ir_set_CHAIN_L_a(pc, a);
	wrt_ir_set_CHAIN_L_b(pc, b);
	wrt_ir_set_CHAIN_L_c(pc, left ? y : x);
	wrt_ir_set_CHAIN_L_t(pc, t);
}

/*
 * Loop tails: a BR_NZ/BR_Z on c (q) right after an i32 add of an immediate
 * d = a + imm testing d itself (c = d), or right after i32.eqz of d or
 * i32.eq/ne of d and a slot b into the temporary c: one I32_ADDI_BR_*.  The
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
	bool three = false, eqz = false;
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
	else
		irop = negate ? WRT_IR_I32_ADDI_BR_Z : WRT_IR_I32_ADDI_BR_NZ;
	if (eqz || three)
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
	else if (eqz ? wrt_ir_TEST_a(pk) != d : c != d)
		return false;
	bool copy = false;
	uint32_t cd = 0, cs = 0, offset = OFFSET(r, q);
	if (aop == WRT_IR_I32_ADD2_RI)
	{
		/* ADD2 d1 = a1 + k1, d2 = a2 + k2 -> ADD_RI d1 = a1 + k1, in place */
		uint32_t d1 = wrt_ir_I32_ADD2_RI_d1(pa), a1 = wrt_ir_I32_ADD2_RI_a1(pa), k1 = wrt_ir_I32_ADD2_RI_k1(pa);
		uint32_t off = OFFSET(r, add);
		drop_to(r, add);
		pa = append(r, WRT_IR_I32_ADD_RI, WRT_IRLEN_BIN_RI, off);
		wrt_ir_set_BIN_RI_d(pa, d1);
		wrt_ir_set_BIN_RI_a(pa, a1);
		wrt_ir_set_BIN_RI_imm(pa, k1);
	}
	else if (aop == WRT_IR_I32_ADD3_RI)
	{
		/* ADD3 -> ADD2 of its first two adds, in place */
		uint32_t d1 = wrt_ir_I32_ADD3_RI_d1(pa), a1 = wrt_ir_I32_ADD3_RI_a1(pa);
		uint32_t d2 = wrt_ir_I32_ADD3_RI_d2(pa), a2 = wrt_ir_I32_ADD3_RI_a2(pa);
		uint32_t k1 = wrt_ir_I32_ADD3_RI_k1(pa), k2 = wrt_ir_I32_ADD3_RI_k2(pa);
		uint32_t off = OFFSET(r, add);
		drop_to(r, add);
		pa = append(r, WRT_IR_I32_ADD2_RI, WRT_IRLEN_I32_ADD2_RI, off);
		wrt_ir_set_I32_ADD2_RI_d1(pa, d1);
		wrt_ir_set_I32_ADD2_RI_a1(pa, a1);
		wrt_ir_set_I32_ADD2_RI_d2(pa, d2);
		wrt_ir_set_I32_ADD2_RI_a2(pa, a2);
		wrt_ir_set_I32_ADD2_RI_k1(pa, k1);
		wrt_ir_set_I32_ADD2_RI_k2(pa, k2);
	}
	else if (add > 0 && OPK(r, add - 1) == WRT_IR_COPY && replaceable(r, add - 1, add))
	{
		copy = true;
		cd = wrt_ir_COPY_d(PC(r, add - 1));
		cs = wrt_ir_COPY_s(PC(r, add - 1));
		offset = OFFSET(r, add - 1);
		drop_to(r, add - 1);
	}
	else
	{
		offset = OFFSET(r, add);
		drop_to(r, add);
	}
	if (copy)
		irop = irop == WRT_IR_I32_ADDI_BR_NZ ? WRT_IR_I32_ADDI_BR_NZ_C
			: irop == WRT_IR_I32_ADDI_BR_Z ? WRT_IR_I32_ADDI_BR_Z_C
			: irop == WRT_IR_I32_ADDI_BR_NE ? WRT_IR_I32_ADDI_BR_NE_C : WRT_IR_I32_ADDI_BR_EQ_C;
	wrt_cell *pc;
	if (three)
	{
		_Static_assert((int) WRT_IRPOS_I32_ADDI_BR_NE_C_off == (int) WRT_IRPOS_I32_ADDI_BR_NE_off,
					   "the _C forms extend theirs");
		pc = append(r, irop, copy ? WRT_IRLEN_I32_ADDI_BR_NE_C : WRT_IRLEN_I32_ADDI_BR_NE, offset);
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
	}
	else
	{
		_Static_assert((int) WRT_IRPOS_I32_ADDI_BR_NZ_C_off == (int) WRT_IRPOS_I32_ADDI_BR_NZ_off,
					   "the _C forms extend theirs");
		pc = append(r, irop, copy ? WRT_IRLEN_I32_ADDI_BR_NZ_C : WRT_IRLEN_I32_ADDI_BR_NZ, offset);
		wrt_ir_set_I32_ADDI_BR_NZ_d(pc, d);
		wrt_ir_set_I32_ADDI_BR_NZ_a(pc, a);
		wrt_ir_set_I32_ADDI_BR_NZ_imm(pc, imm);
		wrt_ir_set_I32_ADDI_BR_NZ_off(pc, target);
		if (copy)
		{
			wrt_ir_set_I32_ADDI_BR_NZ_C_cd(pc, cd);
			wrt_ir_set_I32_ADDI_BR_NZ_C_cs(pc, cs);
		}
	}
	return true;
}

/*
 * Move the instructions between instruction p and q (p < q, both done) to
 * where instruction g (g <= p) starts, dropping g..p and q: a group's
 * instructions g..p and q become one fused instruction, appended next, and
 * the ones between (which the caller checked it may move above it) run
 * before it.
 */
static void
drop_around(rewrite *r, uint32_t g, uint32_t p, uint32_t q)
{
	uint32_t src = AT(r, p + 1), dst = AT(r, g), len = AT(r, q) - src;
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
	wrt_irslots use;
	wrt_ir_slots(range ? WRT_IR_I32_ADD_RI : op, range ? PC(r, g) : PC(r, p), &use);
	for (uint32_t j = p + 1; j < q; j++)
	{
		int jop = OPK(r, j);
		const wrt_cell *pj = PC(r, j);
		for (uint32_t u = 0; u < 3; u++)
			if (wrt_ir_reads(jop, pj, dead[u]) || wrt_ir_writes(jop, pj, dead[u]))
				return;
		for (uint32_t u = 0; u < use.nread; u++)
			for (uint32_t s = 0; s < use.read[u].count; s++)
				if (wrt_ir_writes(jop, pj, use.read[u].slot + s))
					return;
	}
	const wrt_cell *pp = PC(r, p);
	uint32_t a = wrt_ir_BIN_RR_a(pp), b = co.ri || co.test ? 0 : wrt_ir_BIN_RR_b(pp);
	uint64_t imm = co.ri ? wrt_ir_BIN_RI_imm(pp).u : 0;
	drop_around(r, g, p, q);
	wrt_cell *pc;
	if (range)
	{
		pc = append(r, lt != negate ? WRT_IR_BR_ADDI_ANDI_LTU : WRT_IR_BR_ADDI_ANDI_GEU,
					WRT_IRLEN_BR_ADDI_ANDI_LTU, boff);
		wrt_ir_set_BR_ADDI_ANDI_LTU_a(pc, x);
		wrt_ir_set_BR_ADDI_ANDI_LTU_off(pc, target);
		wrt_ir_set_BR_ADDI_ANDI_LTU_k(pc, k);
		wrt_ir_set_BR_ADDI_ANDI_LTU_m(pc, m);
		wrt_ir_set_BR_ADDI_ANDI_LTU_n(pc, n);
	}
	else if (co.test)
	{
		_Static_assert((int) WRT_IRLEN_BRIF_TEST == (int) WRT_IRLEN_BRIFNOT_TEST, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_TEST : WRT_IRF_BRIF_TEST), WRT_IRLEN_BRIF_TEST, boff);
		wrt_ir_set_BRIF_TEST_a(pc, a);
		wrt_ir_set_BRIF_TEST_off(pc, target);
	}
	else if (co.ri)
	{
		_Static_assert((int) WRT_IRLEN_BRIF_RI == (int) WRT_IRLEN_BRIFNOT_RI, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_RI : WRT_IRF_BRIF_RI), WRT_IRLEN_BRIF_RI, boff);
		wrt_ir_set_BRIF_RI_a(pc, a);
		wrt_ir_set_BRIF_RI_off(pc, target);
		wrt_ir_set_BRIF_RI_imm(pc, imm);
	}
	else
	{
		_Static_assert((int) WRT_IRLEN_BRIF_RR == (int) WRT_IRLEN_BRIFNOT_RR, "alike");
		pc = append(r, co.base + (negate ? WRT_IRF_BRIFNOT_RR : WRT_IRF_BRIF_RR), WRT_IRLEN_BRIF_RR, boff);
		wrt_ir_set_BRIF_RR_a(pc, a);
		wrt_ir_set_BRIF_RR_b(pc, b);
		wrt_ir_set_BRIF_RR_off(pc, target);
	}
}

/* The replacing matchers, by the instruction that ends their group. */
typedef void replace_matcher(rewrite *r);
static replace_matcher *const replace_matchers[WRT_IR_COUNT_] = {
	[WRT_IR_F64_ADD_RR] = match_f64_chain,
	[WRT_IR_F64_SUB_RR] = match_f64_chain,
	[WRT_IR_F64_MUL_RR] = match_f64_chain,
	[WRT_IR_BR_NZ] = match_cond_branch,
	[WRT_IR_BR_Z] = match_cond_branch,
};

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
		/* the labels: those bound, and every branch target */
		for (uint32_t k = 0; k < fc->nlabels; k++)
			is_label[fc->labels[k]] = 1;
		for (uint32_t e = 0; e < ninsn; e++)
			each_branch(fc->code, fc->pcmap[2 * e], to_absolute, is_label);
		rewrite r = {fc->code, fc->pcmap, label, 0, 0, fc->nlocals};
		for (uint32_t e = 0; e < ninsn; e++)
		{
			/* append instruction e (its pc-map entry is read before an
			 * earlier one can be written over it: r.n <= e) */
			uint32_t i = fc->pcmap[2 * e], offset = fc->pcmap[2 * e + 1];
			int op = OP_AT(fc->code, i);
			uint32_t len = wrt_ir_length(op, &fc->code[i]);
			map[i] = r.out;
			memmove(&r.code[r.out], &fc->code[i], len * sizeof(wrt_cell));
			r.pcmap[2 * r.n] = r.out;
			r.pcmap[2 * r.n + 1] = offset;
			r.label[r.n] = is_label[i];
			r.n++;
			r.out += len;
			if (replace_matchers[op])
				replace_matchers[op](&r);
		}
		map[ncode] = r.out;
		for (uint32_t e = 0; e < r.n; e++)
			each_branch(fc->code, fc->pcmap[2 * e], to_relative, map);
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
