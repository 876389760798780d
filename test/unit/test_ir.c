/*
 * test_ir.c — the register code's table (runtime/ir.def) and the code
 * checked against it: every instruction has a row, a layout and a handler
 * of its own; the compiler's code for every fixture passes wrt_ir_verify;
 * and the verifier does catch each kind of broken code (a slot outside the
 * frame, a branch into an instruction, a back-edge that skips LOOP_ENTRY, a
 * wrong lane function, an in-place fusion without what it runs...), so that
 * its passing the spec suite (test/spec/run.sh -c) means something.
 */
#define _GNU_SOURCE
#include "unit.h"
#include "compile.h"
#include "opcodes.h"
#include "simd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every instruction: a name, a meaning, a layout whose operands fit in its
 * cells, and a handler address no other instruction has. */
void
test_ir_table(void)
{
	const void *const *h = wrt_interp_handlers();

	for (int op = 0; op < WRT_IR_COUNT_; op++)
	{
		const wrt_irinfo *info = &wrt_ir_info[op];
		const wrt_irlayout *l = info->layout;

		CHECKF(info->name && info->meaning && info->meaning[0] && l, "instruction %d has no row", op);
		CHECKF(h[op] != NULL, "%s has no handler", info->name);
		for (int k = 0; k < op; k++)
			CHECKF(h[k] != h[op], "%s and %s share a handler address", wrt_ir_info[k].name, info->name);
		for (int k = 0; k < op; k++)
			CHECKF(strcmp(wrt_ir_info[k].name, info->name) != 0, "two instructions named %s", info->name);
		for (uint32_t k = 0; k < l->nopnds; k++)
		{
			const wrt_iropnd *o = &l->opnds[k];

			CHECKF(o->kind < WRT_IRK_COUNT_ && o->cell >= 1 && o->cell <= l->ncells + (l->tail ? 1 : 0),
				   "%s: operand %s outside its cells", info->name, o->name);
			CHECKF((o->half == WRT_IR_TAILHALF) == (l->tail && k == l->nopnds - 1u),
				   "%s: a tail is the last operand", info->name);
			CHECKF(o->kind != WRT_IRK_FN || info->simd_class >= 0 || info->simd_op >= 0,
				   "%s: a lane function of no class", info->name);
		}
		/* an in-place fusion has the layout of the instruction it begins with */
		if (info->first >= 0)
		{
			CHECKF(wrt_ir_info[info->first].layout == l, "%s: not laid out as %s", info->name,
				   wrt_ir_info[info->first].name);
			CHECKF(info->nnext > 0, "%s runs nothing after %s", info->name, wrt_ir_info[info->first].name);
		}
		if (info->simd_op >= 0)
		{
			bool has_fn = false;

			for (uint32_t k = 0; k < l->nopnds; k++)
				has_fn |= l->opnds[k].kind == WRT_IRK_FN;
			CHECKF(wrt_opinfo_table[info->simd_op].cls >= WRT_OPC_VLOAD, "%s inlines a non-SIMD operator", info->name);
			CHECKF(!has_fn || wrt_simd_fns[info->simd_op] != NULL, "%s inlines an operator without a lane function",
				   info->name);
		}
	}
	CHECK_EQ(wrt_ir_info[WRT_IR_BR_TABLE].flags & WRT_IRI_END, WRT_IRI_END);
	CHECK_EQ(wrt_ir_info[WRT_IR_BR_NZ].flags & WRT_IRI_END, 0);
	CHECK(wrt_ir_info[WRT_IR_BR_Z].layout == wrt_ir_info[WRT_IR_BR_NZ].layout);
	CHECK(wrt_ir_info[WRT_IR_F64_SUB_ADD_R].layout == wrt_ir_info[WRT_IR_F64_ADD_MUL_R].layout);
	CHECK(strcmp(wrt_ir_info[WRT_IR_BRIFNOT_I64_LE_U_RI].name, "BRIFNOT_I64_LE_U_RI") == 0);
	CHECK(wrt_ir_info[WRT_IR_F32_ADD_RI].imm_type == WRT_VT_F32);
	/* the generated lengths and positions */
	CHECK_EQ(WRT_IRLEN_COPY, 2);
	CHECK_EQ(WRT_IRLEN_I32_ADD3_RI, 6);
	CHECK_EQ(WRT_IRLEN_SEL2_RR, 5);
	CHECK_EQ(WRT_IRPOS_SEL2_RR_m, 4);
	CHECK_EQ(WRT_IRHALF_SEL2_RR_m, WRT_IR_HI);
	CHECK_EQ(WRT_IRHALF_BRIF_RR_off, WRT_IR_WHOLE);
	{
		wrt_cell br_table[5] = {{.h = h[WRT_IR_BR_TABLE]}, {.u = WRT_PACK(3, 2)}, {.i = 4}, {.i = -2}, {.i = 0}};

		CHECK_EQ(wrt_ir_length(WRT_IR_BR_TABLE, br_table), 5);
		CHECK_EQ(wrt_ir_BR_TABLE_i(br_table), 3);
		CHECK_EQ(wrt_ir_BR_TABLE_off(br_table, 1), -2);
		CHECK_EQ(wrt_ir_length(WRT_IR_I32_ADD_RR_STORE8, br_table), 3);
	}
}

/* The def-use view (wrt_ir_slots) from the operand kinds: every operand
 * a row's meaning assigns ("d = ...") is written (DEF, VDEF), the slot runs
 * fit wrt_irslots, the branch count is the layout's; and a few by hand. */
void
test_ir_defuse(void)
{
	for (int op = 0; op < WRT_IR_COUNT_; op++)
	{
		const wrt_irinfo *info = &wrt_ir_info[op];
		const wrt_irlayout *l = info->layout;
		uint32_t nread = 0, nwrite = 0, nbr = 0;

		for (uint32_t k = 0; k < l->nopnds; k++)
		{
			const wrt_iropnd *o = &l->opnds[k];
			char lhs[16];

			nread += o->kind == WRT_IRK_SLOT || o->kind == WRT_IRK_VSLOT;
			nwrite += o->kind == WRT_IRK_DEF || o->kind == WRT_IRK_VDEF;
			nbr += o->kind == WRT_IRK_BR;
			snprintf(lhs, sizeof(lhs), "%s = ", o->name);
			if (strncmp(info->meaning, lhs, strlen(lhs)) == 0)
				CHECKF(o->kind == WRT_IRK_DEF || o->kind == WRT_IRK_VDEF, "%s: %s is assigned, not DEF", info->name,
					   o->name);
		}
		CHECKF(nread <= 8 && nwrite <= 6, "%s: too many slot operands for wrt_irslots", info->name);
		CHECKF(nbr == l->nbranch, "%s: %u branch operands, nbranch %u", info->name, nbr, l->nbranch);
	}
	wrt_cell copy[2] = {{.u = WRT_IR_COPY}, {.u = WRT_PACK(3, 5)}};
	CHECK(wrt_ir_writes(WRT_IR_COPY, copy, 3) && !wrt_ir_reads(WRT_IR_COPY, copy, 3));
	CHECK(wrt_ir_reads(WRT_IR_COPY, copy, 5) && !wrt_ir_writes(WRT_IR_COPY, copy, 5));
	wrt_cell move[3] = {{.u = WRT_IR_MOVE_N}, {.u = WRT_PACK(2, 6)}, {.u = 3}};
	CHECK(wrt_ir_writes(WRT_IR_MOVE_N, move, 4) && !wrt_ir_writes(WRT_IR_MOVE_N, move, 5));
	CHECK(wrt_ir_reads(WRT_IR_MOVE_N, move, 8) && !wrt_ir_reads(WRT_IR_MOVE_N, move, 9));
	wrt_cell call[3] = {{.u = WRT_IR_CALL}, {.u = 7}, {.u = 0}};
	CHECK(wrt_ir_reads(WRT_IR_CALL, call, 7) && wrt_ir_writes(WRT_IR_CALL, call, 100));
	CHECK(!wrt_ir_reads(WRT_IR_CALL, call, 6) && !wrt_ir_writes(WRT_IR_CALL, call, 6));
	wrt_cell mcopy[3] = {{.u = WRT_IR_MEMORY_COPY}, {.u = WRT_PACK(1, 2)}, {.u = 3}};
	CHECK(wrt_ir_reads(WRT_IR_MEMORY_COPY, mcopy, 1) && !wrt_ir_writes(WRT_IR_MEMORY_COPY, mcopy, 1));
	wrt_cell chain[4] = {{.u = WRT_IR_F64_ADD_MUL_L}, {.u = WRT_PACK(1, 2)}, {.u = WRT_PACK(3, 4)}, {.u = 5}};
	CHECK(wrt_ir_writes(WRT_IR_F64_ADD_MUL_L, chain, 1) && wrt_ir_writes(WRT_IR_F64_ADD_MUL_L, chain, 5));
	CHECK(wrt_ir_reads(WRT_IR_F64_ADD_MUL_L, chain, 4) && !wrt_ir_writes(WRT_IR_F64_ADD_MUL_L, chain, 4));
	wrt_cell vbin[4] = {{.u = WRT_IR_VBIN}, {.u = 0}, {.u = WRT_PACK(10, 20)}, {.u = 30}};
	CHECK(wrt_ir_writes(WRT_IR_VBIN, vbin, 11) && !wrt_ir_writes(WRT_IR_VBIN, vbin, 12));
	CHECK(wrt_ir_reads(WRT_IR_VBIN, vbin, 31) && !wrt_ir_reads(WRT_IR_VBIN, vbin, 11));
}

/* The compiled code of every function of a fixture passes the verifier. */
static uint32_t
verify_fixture(const char *name)
{
	wrt_module *m = unit_fixture(name);
	wrt_error err;
	uint32_t n = 0;

	if (!m)
		return 0;
	memset(&err, 0, sizeof(err));
	if (!wrt_module_verify_code(m, &n, &err))
	{
		unit_fail(__FILE__, __LINE__, "%s: %s", name, err.message);
		return 0;
	}
	return n;
}

void
test_ir_verify_fixtures(void)
{
	static const char *const fixtures[] = {
		"backtrace", "fused", "host", "introspect", "loop", "memory", "moves", "recurse",
		"reentrant", "reset", "simd_api", "simd_body", "simd_type", "unnamed_trap",
	};
	uint32_t total = 0;

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
	{
		total += verify_fixture(fixtures[i]);
		if (unit_failed())
			return;
	}
	CHECK(total >= 70);
}

/* ---- the verifier rejects broken code ------------------------------------- */

/* A copy of a compiled function, to break. */
typedef struct broken {
	wrt_compiled cf;
	wrt_cell *code;
	uint32_t *pcmap;
} broken;

static void
broken_init(broken *b, const wrt_compiled *cf)
{
	b->cf = *cf;
	b->code = malloc(cf->ncode * sizeof(wrt_cell));
	b->pcmap = malloc(2 * cf->npcmap * sizeof(uint32_t));
	memcpy(b->code, cf->code, cf->ncode * sizeof(wrt_cell));
	memcpy(b->pcmap, cf->pcmap, 2 * cf->npcmap * sizeof(uint32_t));
	b->cf.code = b->code;
	b->cf.pcmap = b->pcmap;
}

static void
broken_free(broken *b)
{
	free(b->code);
	free(b->pcmap);
}

/* The first function of m with an instruction for which want(op, pc) is
 * true: its code and the cell of that instruction. */
typedef bool (*want_fn)(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i);

static const wrt_compiled *
find_insn(wrt_module *m, want_fn want, uint32_t *at)
{
	wrt_error err;

	memset(&err, 0, sizeof(err));
	if (!wrt_module_compile_all(m, &err))
		return NULL;
	for (uint32_t f = 0; f < m->nfuncs - m->nfunc_imports; f++)
	{
		const wrt_compiled *cf = m->codes[f].compiled;

		for (uint32_t i = 0; i < cf->ncode;)
		{
			int op = wrt_ir_op(cf->code[i].h);

			if (op < 0)
				return NULL;
			if (want(op, &cf->code[i], cf, i))
			{
				*at = i;
				return cf;
			}
			i += wrt_ir_length(op, &cf->code[i]);
		}
	}
	return NULL;
}

/* The first operand of a kind in the layout of op, or NULL. */
static const wrt_iropnd *
operand_of_kind(int op, wrt_irkind kind)
{
	const wrt_irlayout *l = wrt_ir_info[op].layout;

	for (uint32_t k = 0; k < l->nopnds; k++)
		if (l->opnds[k].kind == kind && l->opnds[k].half != WRT_IR_TAILHALF)
			return &l->opnds[k];
	return NULL;
}

static void
set_operand(wrt_cell *pc, const wrt_iropnd *o, uint64_t x)
{
	if (o->half == WRT_IR_LO)
		pc[o->cell].u = WRT_PACK(x, WRT_HI(pc[o->cell]));
	else if (o->half == WRT_IR_HI)
		pc[o->cell].u = WRT_PACK(WRT_LO(pc[o->cell]), x);
	else
		pc[o->cell].u = x;
}

static bool
want_slot(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return operand_of_kind(op, WRT_IRK_SLOT) != NULL;
}

static bool
want_vslot(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return operand_of_kind(op, WRT_IRK_VSLOT) != NULL;
}

static bool
want_none(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return operand_of_kind(op, WRT_IRK_NONE) != NULL;
}

static bool
want_vbin(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return op == WRT_IR_VBIN;
}

static bool
want_fused_in_place(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return op == WRT_IR_I32_ADD_RR_STORE8;
}

/* A branch not right after a LOOP_ENTRY (so offset 0 is no back-edge). */
static bool
want_branch(int op, const wrt_cell *pc, const wrt_compiled *cf, uint32_t i)
{
	return operand_of_kind(op, WRT_IRK_BR) != NULL && i >= 2 && wrt_ir_op(pc[-2].h) != WRT_IR_LOOP_ENTRY;
}

/* Break the instruction at cell at of a copy of cf with how(); the verifier
 * must refuse it with a message containing expect. */
#define REFUSED(cf, what, expect) \
	do { \
		wrt_error err_; \
		memset(&err_, 0, sizeof(err_)); \
		CHECKF(!wrt_ir_verify((cf), &err_), "the verifier accepts code with %s", what); \
		CHECK_CONTAINS(err_.message, expect); \
	} while (0)

void
test_ir_verify_rejects(void)
{
	wrt_module *fused = unit_fixture("fused");
	wrt_module *simd = unit_fixture("simd_api");
	const wrt_compiled *cf;
	wrt_error err;
	broken b;
	uint32_t at = 0;

	NEED(fused);
	NEED(simd);
	memset(&err, 0, sizeof(err));

	/* a slot operand at the frame's end */
	cf = find_insn(fused, want_slot, &at);
	CHECK(cf != NULL);
	CHECK(wrt_ir_verify(cf, &err));
	broken_init(&b, cf);
	set_operand(&b.code[at], operand_of_kind(wrt_ir_op(b.code[at].h), WRT_IRK_SLOT), cf->frame_slots);
	REFUSED(&b.cf, "a slot outside the frame", "outside the frame");
	broken_free(&b);

	/* the second slot of a v128 pair at the frame's end */
	cf = find_insn(simd, want_vslot, &at);
	CHECK(cf != NULL);
	broken_init(&b, cf);
	set_operand(&b.code[at], operand_of_kind(wrt_ir_op(b.code[at].h), WRT_IRK_VSLOT), cf->frame_slots - 1);
	REFUSED(&b.cf, "half a v128 outside the frame", "outside the frame");
	broken_free(&b);

	/* an unused half that is not 0 */
	cf = find_insn(fused, want_none, &at);
	CHECK(cf != NULL);
	broken_init(&b, cf);
	set_operand(&b.code[at], operand_of_kind(wrt_ir_op(b.code[at].h), WRT_IRK_NONE), 7);
	REFUSED(&b.cf, "a nonzero unused half", "unused half");
	broken_free(&b);

	/* a branch into the middle of its own instruction; one to itself,
	 * which is a back-edge without a loop */
	cf = find_insn(fused, want_branch, &at);
	CHECK(cf != NULL);
	broken_init(&b, cf);
	set_operand(&b.code[at], operand_of_kind(wrt_ir_op(b.code[at].h), WRT_IRK_BR), 1);
	REFUSED(&b.cf, "a branch into an instruction", "is not an instruction");
	set_operand(&b.code[at], operand_of_kind(wrt_ir_op(b.code[at].h), WRT_IRK_BR), 0);
	REFUSED(&b.cf, "a back-edge after no LOOP_ENTRY", "after no LOOP_ENTRY");
	broken_free(&b);

	/* a lane function of another family, and of another operator of the family */
	cf = find_insn(simd, want_vbin, &at);
	CHECK(cf != NULL);
	broken_init(&b, cf);
	b.code[at + WRT_IRPOS_VBIN_fn].p = (const void *) (uintptr_t) wrt_simd_fns[WRT_OP_I8X16_ABS];
	REFUSED(&b.cf, "a VUN lane function in VBIN", "not a lane function");
	b.code[at].h = wrt_interp_handlers()[WRT_IR_VI_I32X4_ADD];
	b.code[at + WRT_IRPOS_VBIN_fn].p = (const void *) (uintptr_t) wrt_simd_fns[WRT_OP_I32X4_SUB];
	REFUSED(&b.cf, "VI_I32X4_ADD of i32x4.sub", "not a lane function");
	broken_free(&b);

	/* an in-place fusion not followed by what it runs */
	cf = find_insn(fused, want_fused_in_place, &at);
	CHECK(cf != NULL);
	broken_init(&b, cf);
	CHECK(wrt_ir_op(b.code[at + WRT_IRLEN_BIN_RR].h) == WRT_IR_I32_STORE8);
	b.code[at + WRT_IRLEN_BIN_RR].h = wrt_interp_handlers()[WRT_IR_I32_STORE16];
	REFUSED(&b.cf, "I32_ADD_RR_STORE8 before an I32_STORE16", "not followed by the I32_STORE8");
	broken_free(&b);

	/* not a handler; code cut short; a pc map that misses an instruction */
	broken_init(&b, cf);
	b.code[0].u = 12345;
	REFUSED(&b.cf, "a cell that is no handler", "not a handler address");
	broken_free(&b);
	broken_init(&b, cf);
	b.cf.ncode--;
	REFUSED(&b.cf, "code cut short", "past the end");
	broken_free(&b);
	broken_init(&b, cf);
	b.cf.npcmap--;
	REFUSED(&b.cf, "a short pc map", "pc-map entries");
	broken_free(&b);
}

/* The disassembler prints operands by their kind. */
void
test_ir_disasm(void)
{
	wrt_module *m = unit_fixture("fused");
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	bool ok = true;

	NEED(m);
	out = open_memstream(&buf, &len);
	CHECK(out != NULL);
	for (uint32_t i = 0; ok; i++)
	{
		wrt_error err;

		memset(&err, 0, sizeof(err));
		ok = wrt_module_disasm(m, i, out, &err);
	}
	fclose(out);
	/* the loop of countdownx: a counter update fused with its back-edge */
	CHECK_CONTAINS(buf, "LOOP_ENTRY               cost=");
	CHECK_CONTAINS(buf, "I32_ADDI_BR_NZ           d=s");
	CHECK_CONTAINS(buf, " off=@");
	CHECK_CONTAINS(buf, "I32_ADD_ANDI_NEI_M8N     d=s");
	CHECK_CONTAINS(buf, " m=0xc0 ");
	CHECK_CONTAINS(buf, "  RETURN  ");
	free(buf);
}
