/*
 * compile.c — translation of one validated function body into register code
 * (compile.h: the model; ir.def: every instruction), done lazily on the
 * function's first call.
 *
 * The compiler walks the bytecode once, keeping a compile-time model of the
 * operand stack.  An entry is either already in its canonical slot
 * (nlocals + depth), or is still virtual: a reference to a local (local.get
 * emits nothing) or a constant (inlined into the consumer as an immediate
 * when the instruction has an _RI form).  Virtual entries are written to
 * their canonical slot ("materialised") only when needed: before a write to
 * the local they name, at control-flow joins and splits, and before calls.
 * A local.set right after an instruction that produced the stack top
 * rewrites that instruction's destination to the local (a return, to slot
 * 0), which removes most of the remaining moves.  The compiler fuses
 * nothing itself: fuse.c's passes do, once the function is emitted (a
 * comparison and the br_if after it become one compare-and-branch, a load
 * folds into its consumer...), with the labels the compiler records
 * (barrier()) as their one rule for jump targets.
 * Because the module was validated, the compiler trusts types and indices;
 * it only guards against running out of memory.
 *
 * v128 values are slot pairs (compile.h): such a value is two entries of the
 * model, its low and high half, the high one flagged `hi` so that drop and
 * untyped select know what they take.  Both halves are virtual or written
 * out independently (a half can be materialised alone when the virtual list
 * is full); vslot_of() brings a pair into two consecutive slots before a
 * SIMD instruction reads it.  Local indices are mapped to slots (lslot)
 * only in functions with v128 locals; elsewhere a local's slot is its index.
 */
#include "compile.h"
#include "opcodes.h"
#include "reader.h"
#include "simd.h"

#include <stdlib.h>

enum { K_SLOT, K_LOCAL, K_CONST };

typedef struct centry {
	uint8_t kind;
	uint8_t hi;                 /* the high half of a v128 */
	uint32_t local;             /* K_LOCAL: the local's slot */
	uint64_t bits;
} centry;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };

/*
 * Virtual entries are remembered in a short list so that the operations
 * that must write them out (materialize_all, a local's write, a branch, a
 * block's end, a call) visit only them, never the whole operand stack: the
 * cost of a block, branch or call does not grow with the stack below it.
 * When more than VIRT_MAX are live, the deepest is written out early (a
 * copy or constant that would have been needed at the next join anyway).
 */
#define VIRT_MAX 64

/* Branches and returns carrying more values than this move them with one
 * MOVE_N instead of a copy each, so code size per branch is bounded. */
#define COPIES_MAX 4

typedef struct cframe {
	uint8_t kind;
	bool dead;                  /* the code being compiled is unreachable */
	bool entered_dead;          /* the whole construct is unreachable */
	bool has_else;
	uint32_t height;            /* operand-stack height below the params */
	uint32_t nparams, nresults; /* in slots */
	const uint8_t *ptypes, *rtypes;  /* their types, for hi flags */
	uint32_t nptypes, nrtypes;
	int32_t fix_end;            /* chain of forward branches to the end */
	int32_t fix_else;           /* IF: the branch to the else arm */
	uint32_t loop_pc;           /* LOOP: cell index of its first instruction */
	uint32_t stub_stamp;        /* br_table: the table whose stub stub_pc is */
	uint32_t stub_pc;
	uint32_t cost_cell;         /* LOOP: cell to receive the fuel cost */
	uint32_t cost;              /* instructions charged to this loop/function */
	uint32_t cost_owner;        /* index of the frame charged for our code */
} cframe;

typedef struct fixup {
	uint32_t instr;             /* cell index of the branching instruction */
	uint32_t cell;              /* cell holding the offset */
	uint8_t part;               /* WRT_IR_LO, WRT_IR_HI or WRT_IR_WHOLE: the offset's half */
	int32_t next;
} fixup;

typedef struct comp {
	wrt_module *m;
	wrt_code *fn;
	const wrt_allocator *a;
	const void *const *H;
	wrt_insn_reader rd;         /* the body; its error sink is the caller's */

	wrt_cell *code;
	uint32_t ncode, capcode;
	centry *st;                 /* entries at or above h are K_SLOT unless in virt */
	uint32_t h, capst, maxh;
	uint32_t virt[VIRT_MAX];    /* increasing depths of possibly virtual entries */
	uint32_t nvirt;
	uint32_t brt_stamp;         /* br_table counter, for stub_stamp */
	uint32_t ninsn;             /* instructions translated, for polling */
	cframe *ctl;
	uint32_t nctl, capctl;
	fixup *fx;
	uint32_t nfx, capfx;
	uint32_t *pcmap;
	uint32_t npc, cappc;
	wrt_loopinfo *loops;        /* wrt_compiled.loops */
	uint32_t nloops, caploops;
	uint32_t loop_ordinal;      /* loop instructions read so far */

	uint32_t nlocals;           /* local slots */
	uint32_t *lslot;            /* local index -> slot, NULL: the identity */
	bool wide;                  /* a v128 entry was seen: keep hi flags exact */
	uint32_t cur_offset;        /* module offset of the current instruction */
	bool oom;

	int32_t last_dst_cell;      /* cell whose LO is the last result slot, or -1 */
	uint32_t last_dst_slot;
	bool last_dst_v128;         /* that result is a v128 (slot pair) */
	uint32_t *labels;           /* every label's cell, increasing: fuse.c's jump targets */
	uint32_t nlabels, caplabels;
	bool fuse;                  /* fusions on: off (module no_fuse) only to compare, in tests */
} comp;

/* ---- irop bases per Wasm op, generated from opcodes.def ---------------- */

static const uint16_t ir_base[WRT_OP_COUNT_] = {
#define OP_UN(NAME, code, text, TIN, TOUT, body) [WRT_OP_##NAME] = WRT_IR_##NAME,
#define OP_TEST(NAME, code, text, TIN, body) [WRT_OP_##NAME] = WRT_IR_##NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) [WRT_OP_##NAME] = WRT_IR_##NAME##_RR,
#define OP_CMP(NAME, code, text, T, body) [WRT_OP_##NAME] = WRT_IR_##NAME##_RR,
#define OP_LOAD(NAME, code, text, T, MT, AL) [WRT_OP_##NAME] = WRT_IR_##NAME,
#define OP_STORE(NAME, code, text, T, MT, AL) [WRT_OP_##NAME] = WRT_IR_##NAME,
#include "opcodes.def"
};


/* The family instruction of each SIMD opclass. */
static const uint16_t simd_ir[] = {
	[WRT_OPC_VUN] = WRT_IR_VUN, [WRT_OPC_VSPLAT] = WRT_IR_VSPLAT, [WRT_OPC_VTEST] = WRT_IR_VTEST,
	[WRT_OPC_VBIN] = WRT_IR_VBIN, [WRT_OPC_VSHIFT] = WRT_IR_VSHIFT, [WRT_OPC_VTER] = WRT_IR_VTER,
	[WRT_OPC_VEXTRACT] = WRT_IR_VEXTRACT, [WRT_OPC_VREPLACE] = WRT_IR_VREPLACE,
	[WRT_OPC_VLOAD] = WRT_IR_VLOAD, [WRT_OPC_VSTORE] = WRT_IR_VSTORE,
	[WRT_OPC_VLOAD_LANE] = WRT_IR_VLOAD_LANE, [WRT_OPC_VSTORE_LANE] = WRT_IR_VSTORE_LANE,
};

/*
 * An operator's family forms are ir_base[op] + WRT_IRF_<FORM> (ir.def).
 * Those the compiler names must be the instructions of that name:
 */
_Static_assert(WRT_IR_I32_EQ_RR + WRT_IRF_SEL2_RR == WRT_IR_SEL2_I32_EQ_RR, "CMP forms");
_Static_assert(WRT_IR_F64_LT_RR + WRT_IRF_BRIFNOT_RI == WRT_IR_BRIFNOT_F64_LT_RI, "CMP forms");
_Static_assert(WRT_IR_I64_ADD_RR + WRT_IRF_BIN_RMA == WRT_IR_I64_ADD_RMA, "BIN forms");
_Static_assert(WRT_IR_I32_EQZ + WRT_IRF_BRIFNOT_TEST == WRT_IR_BRIFNOT_I32_EQZ, "TEST forms");
_Static_assert(WRT_IR_I32_LOAD8_U + WRT_IRF_LOAD_ABS == WRT_IR_I32_LOAD8_U_ABS, "LOAD forms");
_Static_assert(WRT_IR_F64_STORE + WRT_IRF_STORE_ABS == WRT_IR_F64_STORE_ABS, "STORE forms");

static bool
commutative(int op)
{
	switch (op)
	{
		case WRT_OP_I32_ADD: case WRT_OP_I32_MUL: case WRT_OP_I32_AND:
		case WRT_OP_I32_OR: case WRT_OP_I32_XOR: case WRT_OP_I32_EQ:
		case WRT_OP_I32_NE: case WRT_OP_I64_ADD: case WRT_OP_I64_MUL:
		case WRT_OP_I64_AND: case WRT_OP_I64_OR: case WRT_OP_I64_XOR:
		case WRT_OP_I64_EQ: case WRT_OP_I64_NE:
			return true;
		default:
			return false;
	}
}

/* ---- growable arrays --------------------------------------------------- */

static bool
grow(comp *c, void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint32_t ncap = *cap ? *cap : 16;
	while (ncap < need)
	{
		if (ncap > UINT32_MAX / 2)
		{
			c->oom = true;
			return false;
		}
		ncap *= 2;
	}
	void *p = wrt_realloc(c->a, *arr, (size_t) ncap * elem);
	if (!p)
	{
		c->oom = true;
		return false;
	}
	*arr = p;
	*cap = ncap;
	return true;
}

/* ---- emission ----------------------------------------------------------- */

static uint32_t
emit_cell(comp *c, uint64_t u)
{
	if (!grow(c, (void **) &c->code, &c->capcode, c->ncode + 1, sizeof(wrt_cell)))
		return 0;
	c->code[c->ncode].u = u;
	return c->ncode++;
}

/* What the peepholes know of the instructions just emitted: nothing. */
static void
forget_peepholes(comp *c)
{
	c->last_dst_cell = -1;
	c->last_dst_v128 = false;
}

/* Bytes the function's code would hold now (cells, offset map, header). */
static size_t
code_size(const comp *c)
{
	return (size_t) c->ncode * sizeof(wrt_cell) + (size_t) c->npc * sizeof(uint32_t)
		+ (size_t) c->nloops * sizeof(wrt_loopinfo) + sizeof(wrt_compiled);
}

/* The module's code budget is spent: stop with WRT_ERR_LIMIT.  Reported as
 * out-of-memory would be wrong: it is a setting the host can raise. */
static void
code_limit(comp *c)
{
	if (c->rd.r.err->kind == WRT_OK)
		wrt_set_error(c->rd.r.err, WRT_ERR_LIMIT, c->cur_offset,
					  "compiled code of function %u exceeds the module's code limit of %zu bytes",
					  c->fn->func_index, c->m->opts.max_code_bytes);
	c->oom = true;
}

/*
 * Start an instruction: its first cell, pc map entry.  Returns its index.
 * While a function is being compiled, an instruction's first cell holds
 * its wrt_irop (OP_AT, SET_OP); bind_handlers() replaces each by the
 * interpreter's handler address once the code is complete, so that every
 * pass before it reads and rewrites opcodes, not addresses.
 */
static uint32_t
emit_op(comp *c, int irop)
{
	if (!grow(c, (void **) &c->pcmap, &c->cappc, c->npc + 2, sizeof(uint32_t)))
		return 0;
	forget_peepholes(c);
	uint32_t at = c->ncode;
	if (!grow(c, (void **) &c->code, &c->capcode, c->ncode + 1, sizeof(wrt_cell)))
		return 0;
	c->code[c->ncode++].u = (uint64_t) irop;
	c->pcmap[c->npc++] = at;
	c->pcmap[c->npc++] = c->cur_offset;
	if (WRT_UNLIKELY(c->m->code_bytes >= c->m->opts.max_code_bytes
					 || code_size(c) > c->m->opts.max_code_bytes - c->m->code_bytes))
		code_limit(c);
	return at;
}

static inline uint32_t canon(comp *c, uint32_t depth) { return c->nlocals + depth; }

/* The instruction starting at cell `at` (before bind_handlers), and a
 * change of it for another of the same layout. */
#define OP_AT(c, at) ((int) (c)->code[at].u)
#define SET_OP(c, at, irop) ((c)->code[at].u = (uint64_t) (irop))

static void
note_dst(comp *c, uint32_t cell, uint32_t slot)
{
	c->last_dst_cell = (int32_t) cell;
	c->last_dst_slot = slot;
	c->last_dst_v128 = false;
}

/* The same for an instruction whose result is the v128 at slots slot, slot+1. */
static void
note_dst_v128(comp *c, uint32_t cell, uint32_t slot)
{
	note_dst(c, cell, slot);
	c->last_dst_v128 = true;
}

/*
 * Typed emitters, generated from ir.def.  emit_as_<L>(c, irop, operands...)
 * starts instruction irop, of layout L, and writes exactly the cells the
 * table declares (an unused half as 0), returning the instruction's first
 * cell; emit_<NAME>(c, operands...) is the same for a row's own
 * instruction.  A tail (BR_TABLE's targets) is left to the caller.  An
 * operand x is then at cell at + WRT_IRPOS_<L>_<x>, in half
 * WRT_IRHALF_<L>_<x> (a fixup's part).  A lane function or callee is
 * passed as its bits, as stored.
 */
#define EMIT_PARAM_NONE(name)
#define EMIT_PARAM_U32(name) , uint32_t name
#define EMIT_PARAM_S32(name) , int32_t name
#define EMIT_PARAM_U64(name) , uint64_t name
#define EMIT_PARAM_CELL(name) , uint64_t name
#define EMIT_PARAM_PTR(name) , uint64_t name
#define EMIT_ARG_NONE(name)
#define EMIT_ARG_U32(name) , name
#define EMIT_ARG_S32(name) , name
#define EMIT_ARG_U64(name) , name
#define EMIT_ARG_CELL(name) , name
#define EMIT_ARG_PTR(name) , name
#define EMIT_HALF_NONE(name) 0
#define EMIT_HALF_U32(name) (name)
#define EMIT_HALF_S32(name) (uint32_t) (name)
#define EMIT_WHOLE_U32(name) (uint64_t) (name)
#define EMIT_WHOLE_S32(name) (uint64_t) (int64_t) (name)
#define EMIT_WHOLE_U64(name) (name)
#define EMIT_WHOLE_CELL(name) (name)
#define EMIT_WHOLE_PTR(name) (name)
#define EMIT_PARAMS_PAIR_(L, pos, klo, lo, khi, hi) \
	WRT_IR_BYCLASS(EMIT_PARAM_, klo)(lo) WRT_IR_BYCLASS(EMIT_PARAM_, khi)(hi)
#define EMIT_PARAMS_CELL_(L, pos, k, name) WRT_IR_BYCLASS(EMIT_PARAM_, k)(name)
#define EMIT_PARAMS_TAIL_(L, pos, k, name, count)
#define EMIT_PARAMS_(L, pos, cell) WRT_IR_CELL(EMIT_PARAMS_, L, pos, cell)
#define EMIT_ARGS_PAIR_(L, pos, klo, lo, khi, hi) WRT_IR_BYCLASS(EMIT_ARG_, klo)(lo) WRT_IR_BYCLASS(EMIT_ARG_, khi)(hi)
#define EMIT_ARGS_CELL_(L, pos, k, name) WRT_IR_BYCLASS(EMIT_ARG_, k)(name)
#define EMIT_ARGS_TAIL_(L, pos, k, name, count)
#define EMIT_ARGS_(L, pos, cell) WRT_IR_CELL(EMIT_ARGS_, L, pos, cell)
#define EMIT_CELLS_PAIR_(L, pos, klo, lo, khi, hi) \
	emit_cell(comp_, WRT_PACK(WRT_IR_BYCLASS(EMIT_HALF_, klo)(lo), WRT_IR_BYCLASS(EMIT_HALF_, khi)(hi)));
#define EMIT_CELLS_CELL_(L, pos, k, name) emit_cell(comp_, WRT_IR_BYCLASS(EMIT_WHOLE_, k)(name));
#define EMIT_CELLS_TAIL_(L, pos, k, name, count)
#define EMIT_CELLS_(L, pos, cell) WRT_IR_CELL(EMIT_CELLS_, L, pos, cell)
#define EMIT_OWN_FAMILY(L, CELLS)
#define EMIT_OWN_ROW(L, CELLS) \
	static inline uint32_t \
	emit_##L(comp *comp_ WRT_IR_EACH(EMIT_PARAMS_, L, CELLS)) \
	{ \
		return emit_as_##L(comp_, WRT_IR_##L WRT_IR_EACH(EMIT_ARGS_, L, CELLS)); \
	}
#define IR_LAYOUT(L, ORIGIN, CELLS, M) \
	static inline uint32_t \
	emit_as_##L(comp *comp_, int irop WRT_IR_EACH(EMIT_PARAMS_, L, CELLS)) \
	{ \
		uint32_t at = emit_op(comp_, irop); \
		WRT_IR_EACH(EMIT_CELLS_, L, CELLS) \
		return at; \
	} \
	EMIT_OWN_##ORIGIN(L, CELLS)
#include "ir.def"

/*
 * Note the result operand x (a slot) of the instruction of layout L at
 * cell at: a following local.set may redirect it to the local, rewriting
 * the low half of its cell (so x is a LO half, or a whole cell, whose high
 * half a slot leaves 0).
 */
#define NOTE_DST(c, L, at, x, slot) do { \
		_Static_assert((int) WRT_IRHALF_##L##_##x != (int) WRT_IR_HI, "local.set redirects a result in a cell's low half"); \
		note_dst((c), (at) + WRT_IRPOS_##L##_##x, (slot)); \
	} while (0)
#define NOTE_DST_V128(c, L, at, x, slot) do { \
		_Static_assert((int) WRT_IRHALF_##L##_##x != (int) WRT_IR_HI, "local.set redirects a result in a cell's low half"); \
		note_dst_v128((c), (at) + WRT_IRPOS_##L##_##x, (slot)); \
	} while (0)


/* Record an unresolved branch offset in (cell, part) to join chain *head. */
static void
add_fixup(comp *c, int32_t *head, uint32_t instr, uint32_t cell, uint8_t part)
{
	if (!grow(c, (void **) &c->fx, &c->capfx, c->nfx + 1, sizeof(fixup)))
		return;
	c->fx[c->nfx] = (fixup) {instr, cell, part, *head};
	*head = (int32_t) c->nfx++;
}

static void
write_offset(comp *c, uint32_t instr, uint32_t cell, uint8_t part, uint32_t target)
{
	if (c->oom)
		return;
	int32_t off = (int32_t) (target - instr);
	wrt_cell *x = &c->code[cell];
	if (part == WRT_IR_LO)
		x->u = (x->u & 0xffffffff00000000ull) | (uint32_t) off;
	else if (part == WRT_IR_HI)
		x->u = (x->u & 0xffffffffull) | ((uint64_t) (uint32_t) off << 32);
	else
		x->i = off;
}

/*
 * A label: the position of an instruction a jump may land on (a label
 * bound, a loop's first instruction).  barrier() is the one place that
 * makes one: it forgets what the peepholes (the redirections of a result,
 * note_dst) know of the code before it, and records the position in the
 * label table, from which the fusion pass (fuse.c) takes its one rule: a
 * group of instructions may become one only if no label lies inside it.
 */
static void
barrier(comp *c)
{
	forget_peepholes(c);
	/* (without fusions, before every instruction, and no pass reads them) */
	if (c->fuse && (c->nlabels == 0 || c->labels[c->nlabels - 1] != c->ncode) &&
		grow(c, (void **) &c->labels, &c->caplabels, c->nlabels + 1, sizeof(uint32_t)))
		c->labels[c->nlabels++] = c->ncode;
}

/* Resolve every branch of a chain to the current position: a label. */
static void
bind(comp *c, int32_t head)
{
	barrier(c);
	for (int32_t i = head; i >= 0; i = c->fx[i].next)
		write_offset(c, c->fx[i].instr, c->fx[i].cell, c->fx[i].part, c->ncode);
}

/* ---- the operand-stack model ------------------------------------------- */


static void materialize(comp *c, uint32_t depth);

/* Room for n entries; new room is zeroed: K_SLOT, as the model needs. */
static bool
grow_st(comp *c, uint32_t n)
{
	uint32_t old = c->capst;
	if (!grow(c, (void **) &c->st, &c->capst, n, sizeof(centry)))
		return false;
	if (c->capst > old)
		memset(c->st + old, 0, (size_t) (c->capst - old) * sizeof(centry));
	return true;
}

/* Forget list entries at or above h: they were popped.  Their cells go back
 * to K_SLOT so that entries pushed there later start as slots. */
static inline void
virt_prune(comp *c)
{
	while (c->nvirt && c->virt[c->nvirt - 1] >= c->h)
		c->st[c->virt[--c->nvirt]].kind = K_SLOT;
}

/* Make room in the list: drop entries that are slots by now, and if it is
 * still full write out the deepest virtual entry. */
static void
virt_make_room(comp *c)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nvirt; i++)
		if (c->st[c->virt[i]].kind != K_SLOT)
			c->virt[n++] = c->virt[i];
	c->m->work += c->nvirt;
	c->nvirt = n;
	if (n == VIRT_MAX)
	{
		materialize(c, c->virt[0]);
		memmove(c->virt, c->virt + 1, (VIRT_MAX - 1) * sizeof(uint32_t));
		c->nvirt--;
	}
}

static void
push(comp *c, uint8_t kind, uint32_t local, uint64_t bits)
{
	virt_prune(c);
	if (!grow_st(c, c->h + 1))
		return;
	if (kind == K_LOCAL || kind == K_CONST)
	{
		if (c->nvirt == VIRT_MAX)
			virt_make_room(c);
		c->virt[c->nvirt++] = c->h;
	}
	c->st[c->h] = (centry) {kind, 0, local, bits};
	c->h++;
	if (c->h > c->maxh)
		c->maxh = c->h;
}

static uint32_t
push_slot(comp *c)
{
	push(c, K_SLOT, 0, 0);
	return canon(c, c->h - 1);
}

/* Push n values already in their canonical slots, in constant time. */
static void
push_slots(comp *c, uint32_t n)
{
	virt_prune(c);
	if (!grow_st(c, c->h + n))
		return;
	c->h += n;
	if (c->h > c->maxh)
		c->maxh = c->h;
}

/*
 * push_slots of the values of a type list (nslots slots for ntypes types).
 * Their hi flags are written only once a v128 has been seen in the
 * function (before that every flag is clear), so scalar code keeps the
 * constant-time push.
 */
static void
push_typed(comp *c, const uint8_t *types, uint32_t ntypes, uint32_t nslots)
{
	uint32_t at = c->h;
	push_slots(c, nslots);
	if (nslots != ntypes)
		c->wide = true;
	if (!c->wide || c->oom)
		return;
	for (uint32_t i = 0; i < ntypes; i++)
	{
		c->st[at++].hi = 0;
		if (types[i] == WRT_V128)
			c->st[at++].hi = 1;
	}
}

/* Push a v128 computed into its canonical slot pair; returns the low slot. */
static uint32_t
push_v128(comp *c)
{
	c->wide = true;
	uint32_t d = push_slot(c);
	push_slot(c);
	if (!c->oom)
		c->st[c->h - 1].hi = 1;
	return d;
}

static void
emit_copy(comp *c, uint32_t dst, uint32_t src)
{
	if (dst == src)
		return;
	emit_COPY(c, dst, src);
}

static void
emit_const(comp *c, uint32_t dst, uint64_t bits)
{
	emit_CONST(c, dst, bits);
}

/* Write entry `depth` to its canonical slot and mark it so. */
static void
materialize(comp *c, uint32_t depth)
{
	centry *e = &c->st[depth];
	if (e->kind == K_LOCAL)
		emit_copy(c, canon(c, depth), e->local);
	else if (e->kind == K_CONST)
		emit_const(c, canon(c, depth), e->bits);
	e->kind = K_SLOT;
}

/* Write out every virtual entry at depth lo or above, in stack order. */
static void
materialize_from(comp *c, uint32_t lo)
{
	virt_prune(c);
	uint32_t i = c->nvirt;
	while (i > 0 && c->virt[i - 1] >= lo)
		i--;
	c->m->work += c->nvirt - i;
	for (uint32_t k = i; k < c->nvirt; k++)
		materialize(c, c->virt[k]);
	c->nvirt = i;
}

static void
materialize_all(comp *c)
{
	materialize_from(c, 0);
}

/* Before a write to `local`: write out the entries that still read it. */
static void
materialize_local(comp *c, uint32_t local)
{
	virt_prune(c);
	uint32_t n = 0;
	c->m->work += c->nvirt;
	for (uint32_t i = 0; i < c->nvirt; i++)
	{
		centry *e = &c->st[c->virt[i]];
		if (e->kind == K_LOCAL && e->local == local)
			materialize(c, c->virt[i]);
		if (e->kind != K_SLOT)
			c->virt[n++] = c->virt[i];
	}
	c->nvirt = n;
}

/* Is any entry at depth lo or above still virtual? */
static bool
virtual_from(comp *c, uint32_t lo)
{
	virt_prune(c);
	for (uint32_t i = c->nvirt; i > 0 && c->virt[i - 1] >= lo; i--)
		if (c->st[c->virt[i - 1]].kind != K_SLOT)
			return true;
	return false;
}

/* Slot holding entry `depth` (constants are materialised first). */
static uint32_t
slot_of(comp *c, uint32_t depth)
{
	centry *e = &c->st[depth];
	if (e->kind == K_CONST)
		materialize(c, depth);
	return e->kind == K_LOCAL ? e->local : canon(c, depth);
}

/* Low slot of the v128 whose low half is entry `depth`, with both halves in
 * consecutive slots: a local's pair as is, anything else written out. */
static uint32_t
vslot_of(comp *c, uint32_t depth)
{
	centry *lo = &c->st[depth], *hi = &c->st[depth + 1];
	if (lo->kind == K_LOCAL && hi->kind == K_LOCAL && hi->local == lo->local + 1)
		return lo->local;
	materialize(c, depth);
	materialize(c, depth + 1);
	return canon(c, depth);
}

/* Pop the top three operands of a bulk instruction, returning their slots. */
static void
pop3(comp *c, uint32_t *a, uint32_t *b, uint32_t *n)
{
	*a = slot_of(c, c->h - 3);
	*b = slot_of(c, c->h - 2);
	*n = slot_of(c, c->h - 1);
	c->h -= 3;
}

/* ---- block types ---------------------------------------------------------- */

/* A block type: its parameter and result types and their slot counts. */
typedef struct btype {
	uint32_t np, nr;            /* slots */
	uint32_t npt, nrt;          /* values */
	const uint8_t *pt, *rt;
} btype;

static const uint8_t one_valtype[] = {WRT_I32, WRT_I64, WRT_F32, WRT_F64, WRT_V128,
	WRT_FUNCREF, WRT_EXTERNREF};

static void
blocktype(comp *c, const wrt_insn *in, btype *b)
{
	*b = (btype) {0};
	switch ((wrt_blockkind) in->block.kind)
	{
		case WRT_BLOCK_EMPTY:
		case WRT_BLOCK_BADTYPE:     /* rejected by the validator */
			return;
		case WRT_BLOCK_VALUE:
			{
				uint8_t t = in->block.valtype;
				b->rt = one_valtype;
				for (uint32_t i = 0; i < sizeof(one_valtype); i++)
					if (one_valtype[i] == t)
						b->rt = &one_valtype[i];
				b->nrt = 1;
				b->nr = wrt_valtype_slots(t);
				return;
			}
		case WRT_BLOCK_FUNCTYPE:
			{
				const wrt_functype *t = &c->m->types[in->block.type];
				b->pt = t->params;
				b->npt = t->nparams;
				b->rt = t->results;
				b->nrt = t->nresults;
				b->np = wrt_types_slots(t->params, t->nparams);
				b->nr = wrt_types_slots(t->results, t->nresults);
				return;
			}
	}
}

/* ---- control frames and branches --------------------------------------- */

static cframe *
push_ctl(comp *c, uint8_t kind, const btype *bt, bool dead)
{
	uint32_t np = bt->np, nr = bt->nr;
	if (!grow(c, (void **) &c->ctl, &c->capctl, c->nctl + 1, sizeof(cframe)))
		return NULL;
	cframe *f = &c->ctl[c->nctl];
	*f = (cframe) {0};
	f->kind = kind;
	f->dead = f->entered_dead = dead;
	f->height = dead ? 0 : c->h - np;
	f->nparams = np;
	f->nresults = nr;
	f->ptypes = bt->pt;
	f->rtypes = bt->rt;
	f->nptypes = bt->npt;
	f->nrtypes = bt->nrt;
	f->fix_end = f->fix_else = -1;
	f->cost_owner = kind == C_LOOP || kind == C_FUNC ? c->nctl
		: c->ctl[c->nctl - 1].cost_owner;
	c->nctl++;
	return f;
}

static uint32_t
label_arity(const cframe *f)
{
	return f->kind == C_LOOP ? f->nparams : f->nresults;
}

/* Do the values a branch to f carries sit where f expects them? */
static bool
branch_needs_copies(comp *c, const cframe *f)
{
	uint32_t n = label_arity(f);
	if (n == 0)
		return false;
	if (c->h - n != f->height)
		return true;
	return virtual_from(c, c->h - n);
}

/*
 * Copy the top values into f's label slots, leaving the model untouched
 * (for br_if the fall-through path still sees them where they were).
 * Destinations lie at or below the sources, so increasing order is safe.
 */
static void
emit_branch_copies(comp *c, const cframe *f)
{
	uint32_t n = label_arity(f);
	if (n > COPIES_MAX)
	{
		/* A conditional branch has done this before its jump, so that
		 * both paths see the entries written out; then it is a no-op. */
		materialize_from(c, c->h - n);
		if (f->height != c->h - n)
			emit_MOVE_N(c, canon(c, f->height), canon(c, c->h - n), n);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
	{
		uint32_t depth = c->h - n + i;
		uint32_t dst = canon(c, f->height + i);
		const centry *e = &c->st[depth];
		if (e->kind == K_CONST)
			emit_const(c, dst, e->bits);
		else
			emit_copy(c, dst, e->kind == K_LOCAL ? e->local : canon(c, depth));
	}
}

/*
 * Return: results go to slots 0..n-1, which may be locals still referenced
 * by virtual entries; those are first copied to their canonical slots (above
 * every destination) without changing the model.
 */
static void
emit_return(comp *c)
{
	uint32_t n = c->ctl[0].nresults;
	if (n == 1 && !c->oom && c->st[c->h - 1].kind == K_SLOT && c->last_dst_cell >= 0 &&
		!c->last_dst_v128 &&
		c->last_dst_slot == canon(c, c->h - 1))
	{
		/* The previous instruction computed the result: let it write slot 0
		 * directly (the frame's locals are dead once we return). */
		wrt_cell *cell = &c->code[c->last_dst_cell];
		cell->u &= 0xffffffff00000000ull;
		emit_RETURN(c);
		return;
	}
	if (n > COPIES_MAX)
	{
		/* As for branches; canonical slots lie above slot 0, so a forward
		 * move is safe. */
		materialize_from(c, c->h - n);
		emit_MOVE_N(c, 0, canon(c, c->h - n), n);
		emit_RETURN(c);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
	{
		const centry *e = &c->st[c->h - n + i];
		if (e->kind == K_LOCAL && e->local < n && e->local != i)
			emit_copy(c, canon(c, c->h - n + i), e->local);
	}
	for (uint32_t i = 0; i < n; i++)
	{
		uint32_t depth = c->h - n + i;
		const centry *e = &c->st[depth];
		if (e->kind == K_CONST)
			emit_const(c, i, e->bits);
		else if (e->kind == K_LOCAL && (e->local >= n || e->local == i))
			emit_copy(c, i, e->local);
		else
			emit_copy(c, i, canon(c, depth));
	}
	emit_RETURN(c);
}

/* Unconditional jump to label f (values already in place). */
static void
emit_jump(comp *c, cframe *f)
{
	uint32_t at = emit_BR(c, 0);
	if (f->kind == C_LOOP)
		write_offset(c, at, at + WRT_IRPOS_BR_off, WRT_IRHALF_BR_off, f->loop_pc);
	else
		add_fixup(c, &f->fix_end, at, at + WRT_IRPOS_BR_off, WRT_IRHALF_BR_off);
}

/* Full branch to f: copies then jump, or the return sequence. */
static void
emit_branch(comp *c, cframe *f)
{
	if (f->kind == C_FUNC)
	{
		emit_return(c);
		return;
	}
	emit_branch_copies(c, f);
	emit_jump(c, f);
}

/*
 * Emit a conditional branch on the popped condition, an i32 slot, taken when
 * it is true (negate = false) or false.  The target is given as a fixup
 * chain head (*chain) or a known position.  The pass of replacing fusions
 * (fuse.c) fuses it with the compare, test or loop-counter add computing
 * the condition.
 */
static void
emit_cond_branch(comp *c, uint32_t cslot, bool negate, int32_t *chain, int64_t known)
{
	uint32_t at = emit_as_BR_NZ(c, negate ? WRT_IR_BR_Z : WRT_IR_BR_NZ, cslot, 0);
	uint32_t cell = at + WRT_IRPOS_BR_NZ_off;
	uint8_t part = WRT_IRHALF_BR_NZ_off;
	if (known >= 0)
		write_offset(c, at, cell, part, (uint32_t) known);
	else
		add_fixup(c, chain, at, cell, part);
}

/* Pop a branch condition: its slot. */
static uint32_t
pop_cond(comp *c)
{
	uint32_t slot = slot_of(c, c->h - 1);
	c->h--;
	return slot;
}

static void
mark_dead(comp *c)
{
	c->ctl[c->nctl - 1].dead = true;
}

/* ---- the translation loop ---------------------------------------------- */

static void
compile_br_if(comp *c, uint32_t depth)
{
	cframe *f = &c->ctl[c->nctl - 1 - depth];
	if (label_arity(f) > COPIES_MAX)
		materialize_from(c, c->h - 1 - label_arity(f));
	uint32_t cslot = pop_cond(c);
	if (f->kind != C_FUNC && !branch_needs_copies(c, f))
	{
		emit_cond_branch(c, cslot, false, &f->fix_end, f->kind == C_LOOP ? (int64_t) f->loop_pc : -1);
		return;
	}
	int32_t skip = -1;
	emit_cond_branch(c, cslot, true, &skip, -1);
	emit_branch(c, f);
	bind(c, skip);
}

static void
compile_br_table(comp *c, const wrt_insn *in)
{
	uint32_t n = in->br_table.count;
	uint32_t *labels = wrt_calloc(c->a, (size_t) n + 1, sizeof(uint32_t));
	if (!labels)
	{
		c->oom = true;
		return;
	}
	const uint8_t *encoded = in->br_table.labels;
	for (uint32_t i = 0; i < n; i++)
		labels[i] = wrt_br_table_label(&encoded);
	labels[n] = in->br_table.default_label;
	uint32_t arity = label_arity(&c->ctl[c->nctl - 1 - labels[n]]);
	if (arity > COPIES_MAX)
		materialize_from(c, c->h - 1 - arity);
	uint32_t islot = slot_of(c, c->h - 1);
	c->h--;
	uint32_t at = emit_BR_TABLE(c, islot, n);
	uint32_t first = at + WRT_IRPOS_BR_TABLE_off;      /* the tail: n + 1 offsets */
	for (uint32_t i = 0; i <= n; i++)
		emit_cell(c, 0);
	/* Entries needing copies (or a return) jump to a stub after the table;
	 * one stub per distinct label, found through a stamp on its frame. */
	uint32_t stamp = ++c->brt_stamp;
	if (stamp == 0)
	{
		for (uint32_t i = 0; i < c->nctl; i++)
			c->ctl[i].stub_stamp = 0;
		stamp = c->brt_stamp = 1;
	}
	for (uint32_t i = 0; i <= n && !c->oom; i++)
	{
		cframe *f = &c->ctl[c->nctl - 1 - labels[i]];
		if (f->kind == C_LOOP && !branch_needs_copies(c, f))
			write_offset(c, at, first + i, WRT_IR_WHOLE, f->loop_pc);
		else if (f->kind != C_FUNC && !branch_needs_copies(c, f))
			add_fixup(c, &f->fix_end, at, first + i, WRT_IR_WHOLE);
		else
		{
			if (f->stub_stamp != stamp)
			{
				f->stub_stamp = stamp;
				f->stub_pc = c->ncode;
				emit_branch(c, f);
			}
			write_offset(c, at, first + i, WRT_IR_WHOLE, f->stub_pc);
		}
	}
	wrt_free(c->a, labels);
}

static void
compile_call(comp *c, const wrt_functype *t, int irop, uint64_t operand,
			 uint32_t table, bool indirect)
{
	uint32_t islot = 0;
	if (indirect)
	{
		islot = slot_of(c, c->h - 1);
		c->h--;
	}
	uint32_t np = wrt_types_slots(t->params, t->nparams);
	uint32_t nr = wrt_types_slots(t->results, t->nresults);
	materialize_from(c, c->h - np);
	uint32_t argbase = canon(c, c->h - np);
	if (irop == WRT_IR_CALL)
		emit_CALL(c, argbase, operand);
	else if (indirect)
		emit_CALL_INDIRECT(c, argbase, (uint32_t) operand, table, islot);
	else
		emit_CALL_FUNC(c, argbase, (uint32_t) operand);
	c->h -= np;
	push_typed(c, t->results, t->nresults, nr);
	/* A host callee may need max(params, results) slots at argbase. */
	if (c->h - nr + np > c->maxh)
		c->maxh = c->h - nr + np;
}

/* Plain operators from opcodes.def. */
static void
compile_plain(comp *c, const wrt_insn *in, const wrt_opinfo *oi)
{
	int op = in->op;
	uint32_t base = ir_base[op];
	switch (oi->cls)
	{
		case WRT_OPC_UN:
		case WRT_OPC_TEST:
			{
				uint32_t a = slot_of(c, c->h - 1);
				c->h--;
				uint32_t d = push_slot(c);
				if (oi->cls == WRT_OPC_TEST)
					NOTE_DST(c, TEST, emit_as_TEST(c, base, d, a), d, d);
				else
					NOTE_DST(c, UN, emit_as_UN(c, base, d, a), d, d);
				return;
			}
		case WRT_OPC_BIN:
		case WRT_OPC_CMP:
			{
				centry *ea = &c->st[c->h - 2], *eb = &c->st[c->h - 1];
				bool ri = false;
				uint32_t sa, sb = 0;
				uint64_t imm = 0;
				if (eb->kind == K_CONST)
				{
					ri = true;
					imm = eb->bits;
					sa = slot_of(c, c->h - 2);
				}
				else if (ea->kind == K_CONST && commutative(op))
				{
					ri = true;
					imm = ea->bits;
					sa = slot_of(c, c->h - 1);
				}
				else if (ea->kind == K_CONST)
				{
					/* Constant on the left of a non-commutative operator. */
					uint64_t k = ea->bits;
					uint32_t sb0 = slot_of(c, c->h - 1);
					c->h -= 2;
					uint32_t d = push_slot(c);
					NOTE_DST(c, BIN_IR, emit_as_BIN_IR(c, base + WRT_IRF_BIN_IR, d, sb0, k), d, d);
					return;
				}
				else
				{
					sa = slot_of(c, c->h - 2);
					sb = slot_of(c, c->h - 1);
				}
				c->h -= 2;
				uint32_t d = push_slot(c);
				uint32_t at;
				if (ri)
				{
					at = emit_as_BIN_RI(c, base + WRT_IRF_BIN_RI, d, sa, imm);
					NOTE_DST(c, BIN_RI, at, d, d);
				}
				else
				{
					at = emit_as_BIN_RR(c, base + WRT_IRF_BIN_RR, d, sa, sb);
					NOTE_DST(c, BIN_RR, at, d, d);
				}
				if (ri && !c->oom && (op == WRT_OP_I32_ADD || op == WRT_OP_I32_SUB))
				{
					/* Keep the add's form uniform: sub x, k = add x, -k. */
					if (op == WRT_OP_I32_SUB)
						wrt_ir_set_BIN_RI_imm(&c->code[at], (uint32_t) -(uint32_t) imm);
					SET_OP(c, at, WRT_IR_I32_ADD_RI);
				}
				return;
			}
		case WRT_OPC_LOAD:
			{
				uint32_t offset = in->memarg.offset;   /* the alignment is a hint */
				if (c->st[c->h - 1].kind == K_CONST)
				{
					/* Constant address: the effective address is known. */
					uint64_t ea = (uint64_t) (uint32_t) c->st[c->h - 1].bits + offset;
					c->h--;
					uint32_t d = push_slot(c);
					NOTE_DST(c, LOAD_ABS, emit_as_LOAD_ABS(c, base + WRT_IRF_LOAD_ABS, d, ea), d, d);
					return;
				}
				uint32_t a = slot_of(c, c->h - 1);
				c->h--;
				uint32_t d = push_slot(c);
				NOTE_DST(c, LOAD, emit_as_LOAD(c, base, d, a, offset), d, d);
				return;
			}
		case WRT_OPC_STORE:
			{
				uint32_t offset = in->memarg.offset;
				if (c->st[c->h - 2].kind == K_CONST)
				{
					uint64_t ea = (uint64_t) (uint32_t) c->st[c->h - 2].bits + offset;
					uint32_t v = slot_of(c, c->h - 1);
					c->h -= 2;
					emit_as_STORE_ABS(c, base + WRT_IRF_STORE_ABS, v, ea);
					return;
				}
				uint32_t a = slot_of(c, c->h - 2);
				uint32_t v = slot_of(c, c->h - 1);
				c->h -= 2;
				emit_as_STORE(c, base, a, v, offset);
				return;
			}
	}
}

/* Does a virtual entry still read local x? */
static bool
reads_local(comp *c, uint32_t x)
{
	virt_prune(c);
	for (uint32_t i = 0; i < c->nvirt; i++)
		if (c->st[c->virt[i]].kind == K_LOCAL && c->st[c->virt[i]].local == x)
			return true;
	return false;
}

/*
 * local.set x of the value the last instruction just computed, while
 * entries below it still read the old x (x = f(x) with x also left on the
 * stack): those entries are written out before that instruction instead of
 * after it, so that it can write x itself, one copy fewer.  It reads none of
 * their canonical slots (its operands were above them) and writes only its
 * result, so the order does not matter to it; a label at its start now
 * covers the copies, which then run on every path into it, as before.
 * Returns false (nothing done) if the instruction cannot be moved.
 */
static bool
materialize_local_before_last(comp *c, uint32_t x)
{
	enum { MOVED_MAX = 8 };
	if (c->npc < 2)
		return false;
	uint32_t start = c->pcmap[c->npc - 2], moff = c->pcmap[c->npc - 1];
	uint32_t len = c->ncode - start, dst = (uint32_t) c->last_dst_cell;
	if (len > MOVED_MAX || dst < start)
		return false;
	wrt_cell moved[MOVED_MAX];
	memcpy(moved, &c->code[start], len * sizeof(wrt_cell));
	c->ncode = start;
	c->npc -= 2;
	materialize_local(c, x);
	uint32_t at = emit_op(c, (int) moved[0].u);
	c->pcmap[c->npc - 1] = moff;
	for (uint32_t k = 1; k < len; k++)
		emit_cell(c, moved[k].u);
	if (c->oom)
		return false;
	note_dst(c, at + (dst - start), canon(c, c->h));
	return true;
}

static void
compile_local_set(comp *c, uint32_t x, bool tee)
{
	centry v = c->st[c->h - 1];
	uint32_t vdepth = c->h - 1;
	c->h--;
	if (!(v.kind == K_LOCAL && v.local == x))
	{
		if (v.kind == K_SLOT && !c->oom && c->last_dst_cell >= 0 && !c->last_dst_v128 &&
			c->last_dst_slot == canon(c, vdepth) && reads_local(c, x))
			materialize_local_before_last(c, x);
		materialize_local(c, x);
		if (v.kind == K_SLOT && !c->oom && c->last_dst_cell >= 0 && !c->last_dst_v128 &&
			c->last_dst_slot == canon(c, vdepth))
		{
			/* The previous instruction computed v: make it write x. */
			wrt_cell *cell = &c->code[c->last_dst_cell];
			cell->u = (cell->u & 0xffffffff00000000ull) | x;
			c->last_dst_cell = -1;
		}
		else if (v.kind == K_CONST)
			emit_const(c, x, v.bits);
		else
			emit_copy(c, x, v.kind == K_LOCAL ? v.local : canon(c, vdepth));
	}
	if (tee)
		push(c, K_LOCAL, x, 0);
}

/*
 * A SIMD operator of opcodes.def: its family's instruction (ir.def IR_SIMD) with
 * the operator's lane function.  v128 operands are brought into slot pairs;
 * results are computed into the canonical slots, where a following
 * local.set can redirect them as it does scalar results.
 */
static void
compile_simd(comp *c, const wrt_insn *in, const wrt_opinfo *oi)
{
	int op = in->op;
	uint64_t fn = (uint64_t) (uintptr_t) wrt_simd_fns[op];
	uint32_t offset = 0, a, b, d;
	uint8_t lane = 0;
	if (oi->imm == WRT_IMM_MEMARG || oi->imm == WRT_IMM_MEMARG_LANE)
		offset = in->memarg.offset;     /* alignment: validated, no effect */
	if (oi->imm == WRT_IMM_LANE || oi->imm == WRT_IMM_MEMARG_LANE)
		lane = in->lane;
	/* Operands, popped. */
	switch ((wrt_opclass) oi->cls)
	{
		case WRT_OPC_VUN: case WRT_OPC_VTEST: case WRT_OPC_VEXTRACT:
			a = vslot_of(c, c->h - 2);
			b = 0;
			c->h -= 2;
			break;
		case WRT_OPC_VLOAD:
			/* fall through */
		case WRT_OPC_VSPLAT:
			a = slot_of(c, c->h - 1);
			b = 0;
			c->h -= 1;
			break;
		case WRT_OPC_VBIN:
			a = vslot_of(c, c->h - 4);
			b = vslot_of(c, c->h - 2);
			c->h -= 4;
			break;
		case WRT_OPC_VSHIFT:
			if (c->st[c->h - 1].kind == K_CONST)
			{
				/* a constant count, inlined (VSHIFT_I) as _RI forms
				 * inline a scalar operator's: no CONST per shift */
				uint32_t count = (uint32_t) c->st[c->h - 1].bits;
				a = vslot_of(c, c->h - 3);
				c->h -= 3;
				d = push_v128(c);
				uint32_t iir = wrt_ir_simd_inline[op][WRT_VI_CONST_COUNT] ? wrt_ir_simd_inline[op][WRT_VI_CONST_COUNT] : WRT_IR_VSHIFT_I;
				NOTE_DST_V128(c, VSHIFT_I, emit_as_VSHIFT_I(c, iir, fn, d, a, count), d, d);
				return;
			}
			/* fall through */
		case WRT_OPC_VREPLACE:
			a = vslot_of(c, c->h - 3);
			b = slot_of(c, c->h - 1);
			c->h -= 3;
			break;
		case WRT_OPC_VTER:
			{
				a = vslot_of(c, c->h - 6);
				b = vslot_of(c, c->h - 4);
				uint32_t m = vslot_of(c, c->h - 2);
				c->h -= 6;
				d = push_v128(c);
				NOTE_DST_V128(c, VTER, emit_VTER(c, fn, d, a, b, m), d, d);
				return;
			}
		default:                /* stores and lane loads: an address and a v128 */
			a = slot_of(c, c->h - 3);
			b = vslot_of(c, c->h - 2);
			c->h -= 3;
			break;
	}
	/* Result and instruction. */
	uint32_t ir = wrt_ir_simd_inline[op][WRT_VI_SLOTS] ? wrt_ir_simd_inline[op][WRT_VI_SLOTS] : simd_ir[oi->cls];
	switch ((wrt_opclass) oi->cls)
	{
		case WRT_OPC_VTEST:
			d = push_slot(c);
			NOTE_DST(c, VTEST, emit_as_VTEST(c, ir, fn, d, a), d, d);
			break;
		case WRT_OPC_VEXTRACT:
			d = push_slot(c);
			NOTE_DST(c, VEXTRACT, emit_as_VEXTRACT(c, ir, fn, d, a, lane), d, d);
			break;
		case WRT_OPC_VSTORE:
			emit_as_VSTORE(c, ir, a, b, offset);
			break;
		case WRT_OPC_VSTORE_LANE:
			emit_as_VSTORE_LANE(c, ir, a, b, offset, oi->size, lane);
			break;
		case WRT_OPC_VLOAD_LANE:
			d = push_v128(c);
			NOTE_DST_V128(c, VLOAD_LANE, emit_as_VLOAD_LANE(c, ir, d, a, offset, oi->size, b, lane), d, d);
			break;
		case WRT_OPC_VUN:
			d = push_v128(c);
			NOTE_DST_V128(c, VUN, emit_as_VUN(c, ir, fn, d, a), d, d);
			break;
		case WRT_OPC_VSPLAT:
			d = push_v128(c);
			NOTE_DST_V128(c, VSPLAT, emit_as_VSPLAT(c, ir, fn, d, a), d, d);
			break;
		case WRT_OPC_VBIN:
			d = push_v128(c);
			NOTE_DST_V128(c, VBIN, emit_as_VBIN(c, ir, fn, d, a, b), d, d);
			break;
		case WRT_OPC_VSHIFT:
			d = push_v128(c);
			NOTE_DST_V128(c, VSHIFT, emit_as_VSHIFT(c, ir, fn, d, a, b), d, d);
			break;
		case WRT_OPC_VREPLACE:
			d = push_v128(c);
			NOTE_DST_V128(c, VREPLACE, emit_as_VREPLACE(c, ir, fn, d, a, b, lane), d, d);
			break;
		case WRT_OPC_VLOAD:
			d = push_v128(c);
			NOTE_DST_V128(c, VLOAD, emit_as_VLOAD(c, ir, fn, d, a, offset, oi->size), d, d);
			break;
		case WRT_OPC_VTER:          /* emitted above */
		case WRT_OPC_CTRL: case WRT_OPC_UN: case WRT_OPC_TEST: case WRT_OPC_BIN:
		case WRT_OPC_CMP: case WRT_OPC_LOAD: case WRT_OPC_STORE:   /* not SIMD: compile_plain's */
			break;
	}
}

/* local.set/tee of a v128 local at slots x, x+1. */
static void
compile_local_set_v128(comp *c, uint32_t x, bool tee)
{
	uint32_t d = c->h - 2;
	centry lo = c->st[d], hi = c->st[d + 1];
	c->h -= 2;
	if (!(lo.kind == K_LOCAL && lo.local == x && hi.kind == K_LOCAL && hi.local == x + 1))
	{
		materialize_local(c, x);
		materialize_local(c, x + 1);
		/* (after those: a copy emitted there must read x's old value) */
		if (lo.kind == K_SLOT && hi.kind == K_SLOT && !c->oom && c->last_dst_cell >= 0 &&
			c->last_dst_v128 && c->last_dst_slot == canon(c, d))
		{
			/* The previous instruction computed the value: make it write x. */
			wrt_cell *cell = &c->code[c->last_dst_cell];
			cell->u = (cell->u & 0xffffffff00000000ull) | x;
			c->last_dst_cell = -1;
		}
		else if (lo.kind == K_LOCAL && hi.kind == K_LOCAL && hi.local == lo.local + 1)
		{
			emit_COPY2(c, x, lo.local);
		}
		else if (lo.kind == K_SLOT && hi.kind == K_SLOT)
		{
			emit_COPY2(c, x, canon(c, d));
		}
		else
		{
			/* Halves apart (one written out early): a copy each.  The
			 * sources are not x's slots, so the order is free. */
			emit_copy(c, x, lo.kind == K_LOCAL ? lo.local : canon(c, d));
			emit_copy(c, x + 1, hi.kind == K_LOCAL ? hi.local : canon(c, d + 1));
		}
	}
	if (tee)
	{
		push(c, K_LOCAL, x, 0);
		push(c, K_LOCAL, x + 1, 0);
		if (!c->oom)
			c->st[c->h - 1].hi = 1;
	}
}

/* Count an instruction towards the fuel cost of its loop or function. */
static inline void
charge(comp *c)
{
	c->ctl[c->ctl[c->nctl - 1].cost_owner].cost++;
}

static bool
translate(comp *c)
{
	wrt_error *err = c->rd.r.err;
	while (c->nctl > 0 && !c->oom && err->kind == WRT_OK)
	{
		c->cur_offset = wrt_reader_offset(&c->rd.r);
		c->m->work++;
		if (WRT_UNLIKELY((++c->ninsn & 4095) == 0) && !wrt_module_poll(c->m, err, c->cur_offset))
			return false;
		wrt_insn in;
		if (!wrt_insn_next(&c->rd, &in))
			return false;
		int op = in.op;
		const wrt_opinfo *oi = &wrt_opinfo_table[op];
		cframe *top = &c->ctl[c->nctl - 1];

		if (top->dead)
		{
			/* Unreachable code: only track nesting. */
			btype bt;
			switch (op)
			{
				case WRT_OP_BLOCK: case WRT_OP_LOOP: case WRT_OP_IF:
					c->loop_ordinal += op == WRT_OP_LOOP;
					blocktype(c, &in, &bt);
					push_ctl(c, op == WRT_OP_LOOP ? C_LOOP : op == WRT_OP_IF ? C_IF : C_BLOCK,
							 &bt, true);
					continue;
				case WRT_OP_ELSE:
					if (top->entered_dead)
						continue;
					break;
				case WRT_OP_END:
					if (top->entered_dead)
					{
						c->nctl--;
						continue;
					}
					break;
				default:
					continue;
			}
		}
		charge(c);
		/* Without fusions, every instruction starts after a barrier: no
		 * matcher can look back past it (and compare-and-branch is off). */
		if (WRT_UNLIKELY(!c->fuse))
			barrier(c);

		switch (op)
		{
			case WRT_OP_UNREACHABLE:
				emit_UNREACHABLE(c);
				mark_dead(c);
				break;
			case WRT_OP_NOP:
				break;
			case WRT_OP_BLOCK:
			case WRT_OP_LOOP:
				{
					btype bt;
					blocktype(c, &in, &bt);
					materialize_all(c);
					cframe *f = push_ctl(c, op == WRT_OP_LOOP ? C_LOOP : C_BLOCK, &bt, false);
					if (f && op == WRT_OP_LOOP)
					{
						c->last_dst_cell = -1;
						f->cost_cell = emit_LOOP_ENTRY(c, 0) + WRT_IRPOS_LOOP_ENTRY_cost;
						f->loop_pc = c->ncode;
						/* everything is materialised: the header's state
						 * is the locals and the stack's canonical slots */
						if (grow(c, (void **) &c->loops, &c->caploops, c->nloops + 1, sizeof(wrt_loopinfo)))
							c->loops[c->nloops++] = (wrt_loopinfo) {f->loop_pc, c->loop_ordinal, c->h};
						barrier(c);     /* the target of the loop's back-edges */
					}
					c->loop_ordinal += op == WRT_OP_LOOP;
					break;
				}
			case WRT_OP_IF:
				{
					btype bt;
					blocktype(c, &in, &bt);
					uint32_t cslot = pop_cond(c);
					materialize_all(c);
					cframe *f = push_ctl(c, C_IF, &bt, false);
					if (f)
						emit_cond_branch(c, cslot, true, &f->fix_else, -1);
					break;
				}
			case WRT_OP_ELSE:
				{
					cframe *f = top;
					if (!f->dead)
					{
						materialize_from(c, f->height);
						emit_jump(c, f);
					}
					bind(c, f->fix_else);
					f->fix_else = -1;
					f->has_else = true;
					f->dead = false;
					c->h = f->height;
					push_typed(c, f->ptypes, f->nptypes, f->nparams);
					break;
				}
			case WRT_OP_END:
				{
					cframe f = *top;
					if (f.kind == C_FUNC)
					{
						if (!f.dead)
							emit_return(c);
						c->nctl--;
						c->ctl[0].cost = f.cost;
						break;
					}
					if (!f.dead)
						materialize_from(c, f.height);
					bool reachable = !f.dead || f.fix_end >= 0 ||
						(f.kind == C_IF && !f.has_else);
					bind(c, f.fix_end);
					if (f.kind == C_IF && !f.has_else)
						bind(c, f.fix_else);
					if (f.kind == C_LOOP && !c->oom)
						c->code[f.cost_cell].u = f.cost;
					c->nctl--;
					c->h = f.height;
					push_typed(c, f.rtypes, f.nrtypes, f.nresults);
					c->ctl[c->nctl - 1].dead = !reachable;
					break;
				}
			case WRT_OP_BR:
				emit_branch(c, &c->ctl[c->nctl - 1 - in.index]);
				mark_dead(c);
				break;
			case WRT_OP_BR_IF:
				compile_br_if(c, in.index);
				break;
			case WRT_OP_BR_TABLE:
				compile_br_table(c, &in);
				mark_dead(c);
				break;
			case WRT_OP_RETURN:
				emit_return(c);
				mark_dead(c);
				break;
			case WRT_OP_CALL:
				{
					uint32_t f = in.index;
					const wrt_functype *t = wrt_module_functype(c->m, f);
					if (f >= c->m->nfunc_imports)
						compile_call(c, t, WRT_IR_CALL,
									 (uint64_t) (uintptr_t) &c->m->codes[f - c->m->nfunc_imports], 0, false);
					else
						compile_call(c, t, WRT_IR_CALL_FUNC, f, 0, false);
					break;
				}
			case WRT_OP_CALL_INDIRECT:
				{
					uint32_t ti = in.call_indirect.type;
					uint32_t table = in.call_indirect.table;
					compile_call(c, &c->m->types[ti], WRT_IR_CALL_INDIRECT, ti, table, true);
					break;
				}
			case WRT_OP_DROP:
				c->h -= c->st[c->h - 1].hi ? 2 : 1;
				break;
			case WRT_OP_SELECT_T:
			case WRT_OP_SELECT:
				if (c->st[c->h - 2].hi)
				{
					/* v128 (typed or not): the operands are pairs */
					uint32_t cs = slot_of(c, c->h - 1);
					uint32_t a = vslot_of(c, c->h - 5);
					uint32_t b = vslot_of(c, c->h - 3);
					c->h -= 5;
					uint32_t d = push_v128(c);
					NOTE_DST_V128(c, SELECT_V128, emit_SELECT_V128(c, d, cs, a, b), d, d);
					break;
				}
				{
					uint32_t a = slot_of(c, c->h - 3);
					uint32_t b = slot_of(c, c->h - 2);
					uint32_t cs = slot_of(c, c->h - 1);
					c->h -= 3;
					uint32_t d = push_slot(c);
					NOTE_DST(c, SELECT, emit_SELECT(c, d, cs, a, b), d, d);
					break;
				}
			case WRT_OP_LOCAL_GET:
			case WRT_OP_LOCAL_SET:
			case WRT_OP_LOCAL_TEE:
				{
					uint32_t x = in.index;
					bool v128 = c->fn->local_types[x] == WRT_V128;
					if (c->lslot)
						x = c->lslot[x];
					if (op != WRT_OP_LOCAL_GET)
					{
						if (v128)
							compile_local_set_v128(c, x, op == WRT_OP_LOCAL_TEE);
						else
							compile_local_set(c, x, op == WRT_OP_LOCAL_TEE);
						break;
					}
					push(c, K_LOCAL, x, 0);
					if (v128)
					{
						push(c, K_LOCAL, x + 1, 0);
						if (!c->oom)
							c->st[c->h - 1].hi = 1;
					}
					break;
				}
			case WRT_OP_GLOBAL_GET:
				{
					uint32_t g = in.index;
					if (c->m->globals[g].type == WRT_V128)
					{
						uint32_t d = push_v128(c);
						NOTE_DST_V128(c, GLOBAL_GET_V128, emit_GLOBAL_GET_V128(c, d, g), d, d);
						break;
					}
					uint32_t d = push_slot(c);
					NOTE_DST(c, GLOBAL_GET, emit_GLOBAL_GET(c, d, g), d, d);
					break;
				}
			case WRT_OP_GLOBAL_SET:
				{
					uint32_t g = in.index;
					if (c->m->globals[g].type == WRT_V128)
					{
						uint32_t s = vslot_of(c, c->h - 2);
						c->h -= 2;
						emit_GLOBAL_SET_V128(c, s, g);
						break;
					}
					uint32_t s = slot_of(c, c->h - 1);
					c->h--;
					emit_GLOBAL_SET(c, s, g);
					break;
				}
			case WRT_OP_TABLE_GET:
				{
					uint32_t t = in.index;
					uint32_t i = slot_of(c, c->h - 1);
					c->h--;
					uint32_t d = push_slot(c);
					emit_TABLE_GET(c, d, i, t);
					break;
				}
			case WRT_OP_TABLE_SET:
				{
					uint32_t t = in.index;
					uint32_t i = slot_of(c, c->h - 2);
					uint32_t v = slot_of(c, c->h - 1);
					c->h -= 2;
					emit_TABLE_SET(c, i, v, t);
					break;
				}
			case WRT_OP_MEMORY_SIZE:
				{
					uint32_t d = push_slot(c);
					emit_MEMORY_SIZE(c, d);
					break;
				}
			case WRT_OP_MEMORY_GROW:
				{
					uint32_t n = slot_of(c, c->h - 1);
					c->h--;
					uint32_t d = push_slot(c);
					emit_MEMORY_GROW(c, d, n);
					break;
				}
			case WRT_OP_I32_CONST:
				push(c, K_CONST, 0, (uint32_t) in.i32);
				break;
			case WRT_OP_I64_CONST:
				push(c, K_CONST, 0, (uint64_t) in.i64);
				break;
			case WRT_OP_F32_CONST:
				push(c, K_CONST, 0, in.f32_bits);
				break;
			case WRT_OP_F64_CONST:
				push(c, K_CONST, 0, in.f64_bits);
				break;
			case WRT_OP_REF_NULL:
				push(c, K_CONST, 0, 0);
				break;
			case WRT_OP_REF_IS_NULL:
				{
					uint32_t a = slot_of(c, c->h - 1);
					c->h--;
					uint32_t d = push_slot(c);
					NOTE_DST(c, REF_IS_NULL, emit_REF_IS_NULL(c, d, a), d, d);
					break;
				}
			case WRT_OP_REF_FUNC:
				{
					uint32_t f = in.index;
					uint32_t d = push_slot(c);
					emit_REF_FUNC(c, d, f);
					break;
				}
			case WRT_OP_MEMORY_INIT:
				{
					uint32_t seg = in.memory_init.data;
					uint32_t d, s, n;
					pop3(c, &d, &s, &n);
					emit_MEMORY_INIT(c, seg, d, s, n);
					break;
				}
			case WRT_OP_DATA_DROP:
				emit_DATA_DROP(c, in.index);
				break;
			case WRT_OP_MEMORY_COPY:
			case WRT_OP_MEMORY_FILL:
				{
					uint32_t d, s, n;
					pop3(c, &d, &s, &n);
					if (op == WRT_OP_MEMORY_COPY)
						emit_MEMORY_COPY(c, d, s, n);
					else
						emit_MEMORY_FILL(c, d, s, n);
					break;
				}
			case WRT_OP_TABLE_INIT:
				{
					uint32_t seg = in.table_init.elem;
					uint32_t t = in.table_init.table;
					uint32_t d, s, n;
					pop3(c, &d, &s, &n);
					emit_TABLE_INIT(c, d, s, n, t, seg);
					break;
				}
			case WRT_OP_ELEM_DROP:
				emit_ELEM_DROP(c, in.index);
				break;
			case WRT_OP_TABLE_COPY:
				{
					uint32_t dt = in.copy.dst;
					uint32_t stb = in.copy.src;
					uint32_t d, s, n;
					pop3(c, &d, &s, &n);
					emit_TABLE_COPY(c, d, s, n, dt, stb);
					break;
				}
			case WRT_OP_TABLE_GROW:
				{
					uint32_t t = in.index;
					uint32_t init = slot_of(c, c->h - 2), n = slot_of(c, c->h - 1);
					c->h -= 2;
					uint32_t d = push_slot(c);
					emit_TABLE_GROW(c, d, init, n, t);
					break;
				}
			case WRT_OP_TABLE_SIZE:
				{
					uint32_t t = in.index;
					uint32_t d = push_slot(c);
					emit_TABLE_SIZE(c, d, t);
					break;
				}
			case WRT_OP_TABLE_FILL:
				{
					uint32_t t = in.index;
					uint32_t i, v, n;
					pop3(c, &i, &v, &n);
					emit_TABLE_FILL(c, i, v, n, t);
					break;
				}
			case WRT_OP_V128_CONST:
				{
					uint64_t lo, hi;
					memcpy(&lo, in.bytes, 8);
					memcpy(&hi, in.bytes + 8, 8);
					uint32_t d = push_v128(c);
					NOTE_DST_V128(c, V128_CONST, emit_V128_CONST(c, d, lo, hi), d, d);
					break;
				}
			case WRT_OP_I8X16_SHUFFLE:
				{
					uint64_t lo, hi;
					memcpy(&lo, in.bytes, 8);
					memcpy(&hi, in.bytes + 8, 8);
					uint32_t sa = vslot_of(c, c->h - 4);
					uint32_t sb = vslot_of(c, c->h - 2);
					c->h -= 4;
					uint32_t d = push_v128(c);
					NOTE_DST_V128(c, I8X16_SHUFFLE, emit_I8X16_SHUFFLE(c, d, sa, sb, lo, hi), d, d);
					break;
				}
			default:
				if (oi->cls >= WRT_OPC_VLOAD)
					compile_simd(c, &in, oi);
				else
					compile_plain(c, &in, oi);
				break;
		}
	}
	return !c->oom && err->kind == WRT_OK;
}

/*
 * The last step: each instruction's opcode becomes the address of its
 * interpreter handler (direct threading).  The walk goes by the table's
 * lengths, as the verifier's does.
 */
static void
bind_handlers(comp *c)
{
	for (uint32_t i = 0; i < c->ncode;)
	{
		int op = OP_AT(c, i);
		uint32_t len = wrt_ir_length(op, &c->code[i]);
		c->code[i].h = c->H[op];
		i += len;
	}
}

/*
 * The first size bytes of p in a block of exactly that size, or p itself if
 * none can be had.  A copy, not a realloc: a host allocator may keep a shrunk
 * block whole, and then the memory counted would not be the memory held.
 */
static void *
fit_block(const wrt_allocator *a, void *p, size_t size)
{
	void *q = size ? wrt_alloc(a, size) : NULL;
	if (!q)
		return p;
	memcpy(q, p, size);
	wrt_free(a, p);
	return q;
}

bool
wrt_compile(wrt_module *m, wrt_code *fn, wrt_error *err)
{
	comp c;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.fn = fn;
	c.a = &m->alloc;
	c.H = wrt_interp_handlers();
	wrt_insn_reader_init(&c.rd, m->bytes, fn->body, fn->body_end, err);
	c.nlocals = fn->nlocals;
	c.last_dst_cell = -1;
	c.fuse = !m->no_fuse;
	err->kind = WRT_OK;

	const wrt_functype *t = &m->types[fn->type_index];
	/* Slots of the locals: the identity unless a local is a v128. */
	uint32_t nlocal_slots = wrt_types_slots(fn->local_types, fn->nlocals);
	uint32_t nparam_slots = wrt_types_slots(t->params, t->nparams);
	uint32_t nresult_slots = wrt_types_slots(t->results, t->nresults);
	m->work += fn->nlocals;
	if (nlocal_slots != fn->nlocals)
	{
		c.lslot = wrt_calloc(c.a, fn->nlocals, sizeof(uint32_t));
		if (!c.lslot)
			c.oom = true;
		else
			for (uint32_t i = 0, k = 0; i < fn->nlocals; i++)
			{
				c.lslot[i] = k;
				k += wrt_valtype_slots(fn->local_types[i]);
			}
		c.nlocals = nlocal_slots;
		c.wide = true;
	}
	btype fbt = {0, nresult_slots, 0, t->nresults, NULL, t->results};
	push_ctl(&c, C_FUNC, &fbt, false);
	bool ok = !c.oom && translate(&c);
	if (ok && c.nctl != 0)
		ok = wrt_set_error(err, WRT_ERR_INVALID, c.cur_offset, "function body does not end");
	if (ok && c.fuse)
	{
		wrt_fuse_code fc = {c.code, c.ncode, c.pcmap, c.npc, c.loops, c.nloops, c.labels, c.nlabels,
			c.nlocals, c.a};
		ok = wrt_fuse_replace(&fc);
		c.ncode = fc.ncode;
		c.npc = fc.npc;
		if (ok)
			wrt_fuse_in_place(c.code, c.pcmap, c.npc);
	}
	if (ok)
		bind_handlers(&c);

	wrt_compiled *cf = NULL;
	if (ok)
	{
		cf = wrt_alloc(c.a, sizeof(*cf));
		if (cf)
		{
			memset(cf, 0, sizeof(*cf));
			cf->ncode = c.ncode;
			cf->nparams = nparam_slots;
			cf->nresults = nresult_slots;
			cf->nlocals = nlocal_slots;
			cf->wide_sig = wrt_sig_wide(t->params, t->nparams, t->results, t->nresults);
			cf->frame_slots = nlocal_slots + c.maxh + 1;
			if (cf->frame_slots < nresult_slots)
				cf->frame_slots = nresult_slots;
			cf->invoke_slots = cf->frame_slots > nparam_slots + nresult_slots ? cf->frame_slots
				: nparam_slots + nresult_slots;
			/* A call also clears the declared locals: charge 1 per 8. */
			cf->entry_cost = (c.ctl ? c.ctl[0].cost : 0) + (nlocal_slots - nparam_slots) / 8;
			/* Keep exactly what is used: the module's code is counted
			 * against its limit and reported to the host. */
			c.code = fit_block(c.a, c.code, (size_t) c.ncode * sizeof(wrt_cell));
			c.pcmap = fit_block(c.a, c.pcmap, (size_t) c.npc * sizeof(uint32_t));
			c.loops = fit_block(c.a, c.loops, (size_t) c.nloops * sizeof(wrt_loopinfo));
			cf->code = c.code;
			cf->pcmap = c.pcmap;
			cf->npcmap = c.npc / 2;
			cf->loops = c.loops;
			cf->nloops = c.nloops;
			c.loops = NULL;
			m->code_bytes += code_size(&c);
			m->work += c.ncode;
			c.code = NULL;
			c.pcmap = NULL;
			fn->compiled = cf;
		}
		else
			ok = false;
	}
	if (!ok && err->kind == WRT_OK)
		wrt_set_error(err, WRT_ERR_OOM, c.cur_offset, "out of memory compiling function %u",
					  fn->func_index);
	wrt_free(c.a, c.code);
	wrt_free(c.a, c.pcmap);
	wrt_free(c.a, c.loops);
	wrt_free(c.a, c.st);
	wrt_free(c.a, c.lslot);
	wrt_free(c.a, c.ctl);
	wrt_free(c.a, c.fx);
	wrt_free(c.a, c.labels);
	return ok;
}

void
wrt_compiled_free(const wrt_allocator *a, struct wrt_compiled *cf)
{
	if (!cf)
		return;
	wrt_free(a, cf->code);
	wrt_free(a, cf->pcmap);
	wrt_free(a, cf->loops);
	wrt_free(a, cf);
}

uint32_t
wrt_compiled_offset(const struct wrt_compiled *cf, const void *pc)
{
	if (!cf || !cf->npcmap)
		return 0;
	const wrt_cell *p = pc;
	if (p < cf->code || p >= cf->code + cf->ncode)
		return cf->pcmap[1];
	uint32_t idx = (uint32_t) (p - cf->code);
	/* Binary search for the last instruction starting at or before idx. */
	uint32_t lo = 0, hi = cf->npcmap;
	while (hi - lo > 1)
	{
		uint32_t mid = (lo + hi) / 2;
		if (cf->pcmap[2 * mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return cf->pcmap[2 * lo + 1];
}
