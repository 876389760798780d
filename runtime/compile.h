/*
 * compile.h — the internal register code shared by the compiler (compile.c)
 * and the interpreter (interp.c).  This is its general model; every
 * instruction, with its operand layout and meaning, is a row of ir.def, and
 * everything instruction-specific here is generated from that table.
 *
 * A compiled function is an array of 8-byte cells.  Each instruction starts
 * with a cell holding its handler's address (direct threading: dispatch is
 * one indirect jump), followed by operand cells.  While the compiler works
 * on a function that cell holds the instruction's wrt_irop instead; one
 * final step binds each to its handler, walking by the table's lengths.  Operands are frame slot
 * indices (uint32, two packed per cell: LO = low half, HI = high half),
 * immediates, or branch offsets (int32, in cells, relative to the start of
 * the branching instruction).
 *
 * Frame layout: slots [0, nlocals) are the locals (parameters first), then
 * the operand stack: the value at operand-stack depth i always lives in slot
 * nlocals + i, so "registers" are resolved at compile time.  Slots are 8
 * bytes; a v128 local or value takes two consecutive slots and counts as two
 * operand-stack entries (its low and high half), so nlocals, nparams,
 * nresults, depths and branch arities below are all in slots.  A call places
 * its arguments in consecutive slots and the callee's frame starts there:
 * arguments become the callee's first locals with no copying, and results
 * come back in the same slots.
 *
 * Loops: a loop starts with LOOP_ENTRY, whose cell holds the fuel cost of
 * one iteration; the loop's label is the instruction after it.  Every
 * backward branch (offset <= 0) is a loop back-edge, so branch handlers poll
 * the interrupt flag and charge fuel (LOOP_ENTRY's cost, the cell just
 * before the target: wrt_ir_verify checks every back-edge lands there) when
 * their offset is negative: one check per iteration, no extra dispatch.
 *
 * Generated from ir.def (L is a layout: a row's name, or a family form's):
 *   WRT_IR_<NAME>              the instruction, a wrt_irop
 *   WRT_IRF_<FORM>             a family form's offset from the operator's first form
 *   WRT_IRLEN_<L>              cells of an instruction of layout L, handler
 *                              included (BR_TABLE: without its targets)
 *   wrt_ir_<L>_<x>(pc)         operand x of the instruction at pc, typed
 *                              by its kind (BR_TABLE's off takes an index)
 *   wrt_ir_set_<L>_<x>(pc, v)  the same, written
 *   WRT_IRPOS_<L>_<x>          the cell holding x (1 = the first operand cell)
 *   WRT_IRHALF_<L>_<x>         WRT_IR_LO, WRT_IR_HI or WRT_IR_WHOLE
 */
#ifndef WRT_COMPILE_H
#define WRT_COMPILE_H

#include "internal.h"

typedef union wrt_cell {
	const void *h;
	const void *p;
	uint64_t u;
	int64_t i;
	float f32;
	double f64;
} wrt_cell;

#define WRT_LO(c) ((uint32_t)(c).u)
#define WRT_HI(c) ((uint32_t)((c).u >> 32))
#define WRT_PACK(lo, hi) ((uint64_t)(uint32_t)(lo) | ((uint64_t)(uint32_t)(hi) << 32))

/* ---- reading ir.def ----------------------------------------------------- */

/* The cells of a row become tuples the generators below take apart. */
#define PAIR(klo, lo, khi, hi) (PAIR_, klo, lo, khi, hi)
#define CELL(k, name) (CELL_, k, name)
#define TAIL(k, name, count) (TAIL_, k, name, count)

#include "ir.def"

/* Where an operand sits in its cell (also the compiler's fixup parts). */
enum { WRT_IR_LO = 0, WRT_IR_HI = 1, WRT_IR_WHOLE = 2, WRT_IR_TAILHALF = 3 };

#define WRT_IR_CAT(a, b) WRT_IR_CAT_(a, b)
#define WRT_IR_CAT_(a, b) a##b
#define WRT_IR_UNPAREN(...) __VA_ARGS__
/* How many cells a parenthesised list holds (GNU C: an empty list is 0). */
#define WRT_IR_NARGS(...) WRT_IR_NARGS_(_, ##__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0)
#define WRT_IR_NARGS_(_0, _1, _2, _3, _4, _5, _6, _7, n, ...) n
/* M(X, pos, cell) for each cell of a parenthesised list, pos counting from 1. */
#define WRT_IR_EACH(M, X, cells) WRT_IR_EACH_(M, X, WRT_IR_UNPAREN cells)
#define WRT_IR_EACH_(M, X, ...) WRT_IR_CAT(WRT_IR_EACH_, WRT_IR_NARGS(__VA_ARGS__))(M, X, __VA_ARGS__)
#define WRT_IR_EACH_0(M, X, ...)
#define WRT_IR_EACH_1(M, X, a) M(X, 1, a)
#define WRT_IR_EACH_2(M, X, a, b) M(X, 1, a) M(X, 2, b)
#define WRT_IR_EACH_3(M, X, a, b, c) M(X, 1, a) M(X, 2, b) M(X, 3, c)
#define WRT_IR_EACH_4(M, X, a, b, c, d) M(X, 1, a) M(X, 2, b) M(X, 3, c) M(X, 4, d)
#define WRT_IR_EACH_5(M, X, a, b, c, d, e) M(X, 1, a) M(X, 2, b) M(X, 3, c) M(X, 4, d) M(X, 5, e)
#define WRT_IR_EACH_6(M, X, a, b, c, d, e, f) \
	M(X, 1, a) M(X, 2, b) M(X, 3, c) M(X, 4, d) M(X, 5, e) M(X, 6, f)
#define WRT_IR_EACH_7(M, X, a, b, c, d, e, f, g) \
	M(X, 1, a) M(X, 2, b) M(X, 3, c) M(X, 4, d) M(X, 5, e) M(X, 6, f) M(X, 7, g)
/* One cell, as F##PAIR_(X, pos, klo, lo, khi, hi), F##CELL_(X, pos, k,
 * name) or F##TAIL_(X, pos, k, name, count). */
#define WRT_IR_CELL(F, X, pos, cell) WRT_IR_CELL_(F, X, pos, WRT_IR_UNPAREN cell)
#define WRT_IR_CELL_(F, X, pos, ...) WRT_IR_CELL__(F, X, pos, __VA_ARGS__)
#define WRT_IR_CELL__(F, X, pos, tag, ...) F##tag(X, pos, __VA_ARGS__)
/* Expand M##<class of kind>(args...): per-class code for an operand. */
#define WRT_IR_BYCLASS(M, kind) WRT_IR_CAT(M, WRT_IRK_CLASS_##kind)

/* ---- the instructions ---------------------------------------------------- */

typedef enum wrt_irop {
#define IR_INSN(NAME, ...) WRT_IR_##NAME,
#include "ir.def"
	WRT_IR_COUNT_
} wrt_irop;

/* Offsets of family forms (ir.def: an operator's forms are consecutive). */
#define WRT_IR_FORM_INDEX_(OP, T, FORM, PRE, SUF, CELLS, M) WRT_IRF_##FORM,
enum wrt_irform_un { WRT_IR_FORMS_UN(WRT_IR_FORM_INDEX_, _, _) };
enum wrt_irform_test { WRT_IR_FORMS_TEST(WRT_IR_FORM_INDEX_, _, _) };
enum wrt_irform_cmp { WRT_IR_FORMS_CMP(WRT_IR_FORM_INDEX_, _, _) };    /* BIN's first */
enum wrt_irform_load { WRT_IR_FORMS_LOAD(WRT_IR_FORM_INDEX_, _, _) };
enum wrt_irform_store { WRT_IR_FORMS_STORE(WRT_IR_FORM_INDEX_, _, _) };
enum wrt_irform_chain { WRT_IR_FORMS_F64_CHAIN(WRT_IR_FORM_INDEX_, _, _) };
#undef WRT_IR_FORM_INDEX_

/* ---- lengths, operand positions and accessors, per layout ------------------ */

/* WRT_IRLEN_<L>: the handler cell, plus one per PAIR or CELL. */
#define WRT_IR_LEN_ONE_(L, pos, cell) WRT_IR_CELL(WRT_IR_LEN_, L, pos, cell)
#define WRT_IR_LEN_PAIR_(L, pos, ...) + 1
#define WRT_IR_LEN_CELL_(L, pos, ...) + 1
#define WRT_IR_LEN_TAIL_(L, pos, ...)
#define IR_LAYOUT(L, ORIGIN, CELLS, M) enum { WRT_IRLEN_##L = 1 WRT_IR_EACH(WRT_IR_LEN_ONE_, L, CELLS) };
#include "ir.def"

/* An operand: its position, an accessor returning it typed by its kind's
 * class (always inlined: these are the interpreter's operand reads), and a
 * setter for the compiler's rewrites (IMM, FN and CODE take their bits). */
#define WRT_IR_ACCESSOR_(L, pos, half, name, type, expr, settype, setexpr) \
	enum { WRT_IRPOS_##L##_##name = pos, WRT_IRHALF_##L##_##name = half }; \
	static inline __attribute__((always_inline, unused)) type \
	wrt_ir_##L##_##name(const wrt_cell *pc) { return expr; } \
	static inline __attribute__((always_inline, unused)) void \
	wrt_ir_set_##L##_##name(wrt_cell *pc, settype v) { setexpr; }
#define WRT_IR_SET_LO_(pos) pc[pos].u = WRT_PACK(v, WRT_HI(pc[pos]))
#define WRT_IR_SET_HI_(pos) pc[pos].u = WRT_PACK(WRT_LO(pc[pos]), v)
#define WRT_IR_HALF_NONE(L, pos, half, HALF, name)
#define WRT_IR_HALF_U32(L, pos, half, HALF, name) \
	WRT_IR_ACCESSOR_(L, pos, half, name, uint32_t, HALF(pc[pos]), uint32_t, HALF##_SET_(pos))
#define WRT_IR_HALF_S32(L, pos, half, HALF, name) \
	WRT_IR_ACCESSOR_(L, pos, half, name, int32_t, (int32_t) HALF(pc[pos]), int32_t, HALF##_SET_(pos))
#define WRT_LO_SET_(pos) WRT_IR_SET_LO_(pos)
#define WRT_HI_SET_(pos) WRT_IR_SET_HI_(pos)
#define WRT_IR_WHOLE_U32(L, pos, name) \
	WRT_IR_ACCESSOR_(L, pos, WRT_IR_WHOLE, name, uint32_t, (uint32_t) pc[pos].u, uint32_t, pc[pos].u = v)
#define WRT_IR_WHOLE_S32(L, pos, name) \
	WRT_IR_ACCESSOR_(L, pos, WRT_IR_WHOLE, name, int32_t, (int32_t) pc[pos].i, int32_t, pc[pos].i = v)
#define WRT_IR_WHOLE_U64(L, pos, name) \
	WRT_IR_ACCESSOR_(L, pos, WRT_IR_WHOLE, name, uint64_t, pc[pos].u, uint64_t, pc[pos].u = v)
#define WRT_IR_WHOLE_CELL(L, pos, name) \
	WRT_IR_ACCESSOR_(L, pos, WRT_IR_WHOLE, name, wrt_cell, pc[pos], uint64_t, pc[pos].u = v)
#define WRT_IR_WHOLE_PTR(L, pos, name) \
	WRT_IR_ACCESSOR_(L, pos, WRT_IR_WHOLE, name, const void *, pc[pos].p, uint64_t, pc[pos].u = v)
#define WRT_IR_ACC_ONE_(L, pos, cell) WRT_IR_CELL(WRT_IR_ACC_, L, pos, cell)
#define WRT_IR_ACC_PAIR_(L, pos, klo, lo, khi, hi) \
	WRT_IR_BYCLASS(WRT_IR_HALF_, klo)(L, pos, WRT_IR_LO, WRT_LO, lo) \
	WRT_IR_BYCLASS(WRT_IR_HALF_, khi)(L, pos, WRT_IR_HI, WRT_HI, hi)
#define WRT_IR_ACC_CELL_(L, pos, k, name) WRT_IR_BYCLASS(WRT_IR_WHOLE_, k)(L, pos, name)
/* A tail: element k of it (BR_TABLE's targets are branch offsets). */
#define WRT_IR_ACC_TAIL_(L, pos, k, name, count) \
	enum { WRT_IRPOS_##L##_##name = pos, WRT_IRHALF_##L##_##name = WRT_IR_TAILHALF }; \
	static inline __attribute__((always_inline, unused)) int32_t \
	wrt_ir_##L##_##name(const wrt_cell *pc, uint32_t k_) { return (int32_t) pc[pos + k_].i; }
#define IR_LAYOUT(L, ORIGIN, CELLS, M) WRT_IR_EACH(WRT_IR_ACC_ONE_, L, CELLS)
#include "ir.def"

/* The instruction of a SIMD operator with a handler of its own (ir.def
 * IR_VI of a family's layout), else 0, by wrt_op and by how its operands
 * come: in slots; with a constant shift count inlined (VSHIFT_I); with an
 * address add folded in (VLOAD_ADD: V128_LOAD_ADD); with b loaded
 * (VBIN_RM, fuse.c), its address add folded in too (VBIN_RMA); with b a
 * constant (VBIN_RC); with the result stored
 * (VBIN_ST), or b loaded and the result stored (VBIN_RM_ST).  ir.c builds
 * it; a layout without a column there does not compile. */
enum { WRT_VI_SLOTS, WRT_VI_CONST_COUNT, WRT_VI_ADDRESS_ADDED, WRT_VI_LOADED_B, WRT_VI_LOADED_B_ADDED, WRT_VI_CONST_B, WRT_VI_STORED,
	   WRT_VI_LOADED_B_STORED, WRT_VI_WAYS };
extern const uint16_t wrt_ir_simd_inline[][WRT_VI_WAYS];

/* A loop of a compiled function, for on-stack replacement (tier.h): the
 * state at its header is the locals in slots [0, nlocals) and `stack`
 * operand-stack slots in [nlocals, nlocals + stack) (the values of the
 * enclosing blocks, then the loop's parameters), each at its canonical
 * slot: the compiler materialises every entry before a loop, and a
 * back-edge copies the parameters there before it jumps. */
typedef struct wrt_loopinfo {
	uint32_t cell;              /* cell index of the loop's label (after LOOP_ENTRY) */
	uint32_t ordinal;           /* among the body's loop instructions, in order, dead ones too */
	uint32_t stack;             /* operand-stack slots live at the header */
} wrt_loopinfo;

/* One compiled function. */
typedef struct wrt_compiled {
	wrt_cell *code;
	uint32_t ncode;
	uint32_t nparams;
	uint32_t nresults;
	uint32_t nlocals;
	uint32_t frame_slots;       /* locals + operand stack high-water mark */
	uint32_t invoke_slots;      /* max(frame_slots, params + results): wrt_invoke's check */
	uint32_t entry_cost;        /* fuel charged at entry */
	bool wide_sig;              /* a parameter or result is v128: wrt_invoke
	                             * converts values and slots one by one */
	uint32_t npcmap;
	uint32_t *pcmap;            /* pairs: cell index, module byte offset */
	uint32_t nloops;
	wrt_loopinfo *loops;        /* the loops emitted, by increasing cell */
} wrt_compiled;

/* ---- the table at run time (ir.c) ----------------------------------------- */

typedef enum wrt_irkind {
#define WRT_IR_KIND_(NAME, DOC) WRT_IRK_##NAME,
	WRT_IR_KINDS(WRT_IR_KIND_)
#undef WRT_IR_KIND_
	WRT_IRK_COUNT_
} wrt_irkind;

/* One operand of a layout. */
typedef struct wrt_iropnd {
	const char *name;
	uint8_t kind;               /* wrt_irkind */
	uint8_t cell;               /* 1 = the first cell after the handler */
	uint8_t half;               /* WRT_IR_LO, _HI, _WHOLE or _TAILHALF */
	uint8_t count_cell;         /* a tail: where its count is */
	uint8_t count_half;
} wrt_iropnd;

typedef struct wrt_irlayout {
	const char *name;           /* the row or form it is declared by */
	uint8_t ncells;             /* fixed operand cells: WRT_IRLEN_<L> - 1 */
	uint8_t nopnds;
	bool tail;                  /* the last operand is a TAIL */
	uint8_t nbranch;            /* BR operands (a tail counts once) */
	const wrt_iropnd *opnds;    /* in cell order, LO before HI */
} wrt_irlayout;

enum { WRT_IRI_END = 1 };       /* never falls through to the next instruction */

/* One instruction: its row of ir.def. */
typedef struct wrt_irinfo {
	const char *name;
	const char *meaning;
	const wrt_irlayout *layout;
	uint8_t flags;              /* WRT_IRI_* */
	uint8_t imm_type;           /* valtype of its IMM operands, 0 if none */
	int8_t simd_class;          /* its FN is a lane function of this wrt_opclass, or -1 */
	int16_t simd_op;            /* ... of exactly this wrt_op (inlined), or -1 */
	int16_t first;              /* an in-place fusion: the instruction it begins with, or -1 */
	uint8_t nnext;              /* ... and those it then runs, which follow it */
	int16_t next[7];
} wrt_irinfo;

extern const wrt_irinfo wrt_ir_info[WRT_IR_COUNT_];
extern const char *const wrt_ir_kind_names[WRT_IRK_COUNT_];

/* Cells of the instruction op at pc, handler cell and tail included. */
uint32_t wrt_ir_length(int op, const wrt_cell *pc);
/* The instruction whose handler is h, or -1 (a linear search: debugging). */
int wrt_ir_op(const void *h);
/*
 * Check compiled code against the table (debugging and tests): walking it
 * by the instructions' lengths ends exactly at ncode and meets every pc-map
 * entry; every slot operand is < frame_slots (both slots of a pair); every
 * branch lands on an instruction, a backward one just after a LOOP_ENTRY;
 * unused halves are 0; lane functions belong to the instruction; in-place
 * fusions are followed by what they run; the last instruction does not fall
 * through.  False with err set (WRT_ERR_INVALID) at the first problem.
 */
bool wrt_ir_verify(const wrt_compiled *cf, wrt_error *err);

/*
 * The def-use view of an instruction, from its operands' kinds (ir.def):
 * the runs of slots it reads (SLOT, VSLOT: a pair; with a SPAN operand,
 * each slot operand starts a run of that many) and writes (DEF, VDEF), and
 * for a call (ARGS) the first slot of the callee's frame, from which on
 * every slot may be read and written.  Opcodes, not handlers: for the
 * passes that run before bind_handlers().
 */
typedef struct wrt_irrun {
	uint32_t slot, count;
} wrt_irrun;
typedef struct wrt_irslots {
	uint8_t nread, nwrite;
	wrt_irrun read[8], write[6];
	bool call;                  /* a call: every slot from `args` on */
	uint32_t args;
} wrt_irslots;
void wrt_ir_slots(int op, const wrt_cell *pc, wrt_irslots *out);
/* Does the instruction read (write) slot s? (A call does both from args on.) */
bool wrt_ir_reads(int op, const wrt_cell *pc, uint32_t s);
bool wrt_ir_writes(int op, const wrt_cell *pc, uint32_t s);

/*
 * fuse.c: the replacing fusions of a function's code (instructions still as
 * opcodes), rewritten in place: code, ncode, pcmap, npc (pc-map cells, two
 * per instruction) and the loop table's cells change.  labels: the cells
 * the compiler bound as labels, increasing.  False: out of memory (the code
 * is then as it was).
 */
typedef struct wrt_fuse_code {
	wrt_cell *code;
	uint32_t ncode;
	uint32_t *pcmap;
	uint32_t npc;
	wrt_loopinfo *loops;
	uint32_t nloops;
	const uint32_t *labels;
	uint32_t nlabels;
	uint32_t nlocals;           /* slots from here on are operand-stack temporaries */
	const wrt_allocator *a;
} wrt_fuse_code;
bool wrt_fuse_replace(wrt_fuse_code *fc);

/* fuse.c: the in-place fusions (ir.def IR_THEN rows) of a function's code,
 * instructions still as opcodes, npc pc-map cells (two per instruction). */
void wrt_fuse_in_place(wrt_cell *code, const uint32_t *pcmap, uint32_t npc);

/* interp.c: handler address of every wrt_irop. */
const void *const *wrt_interp_handlers(void);

/* disasm.c: print the register code of a compiled function (debugging),
 * each operand by its kind; or (cells) each cell as [lo|hi], the format of
 * earlier versions, to compare the code of two compilers. */
#include <stdio.h>
void wrt_disasm(const wrt_compiled *cf, FILE *out);
void wrt_disasm_cells(const wrt_compiled *cf, FILE *out);

#endif
