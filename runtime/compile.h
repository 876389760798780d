/*
 * compile.h — the internal register code shared by the compiler (compile.c)
 * and the interpreter (interp.c).
 *
 * A compiled function is an array of 8-byte cells.  Each instruction starts
 * with a cell holding its handler's address (direct threading: dispatch is
 * one indirect jump), followed by operand cells.  Operands are frame slot
 * indices (uint32, two packed per cell: LO = low half, HI = high half),
 * 64-bit immediates, or branch offsets (int32, in cells, relative to the
 * start of the branching instruction).
 *
 * Frame layout: slots [0, nlocals) are the locals (parameters first), then
 * the operand stack: the value at operand-stack depth i always lives in slot
 * nlocals + i, so "registers" are resolved at compile time.  A call places
 * its arguments in consecutive slots and the callee's frame starts there:
 * arguments become the callee's first locals with no copying, and results
 * come back in the same slots.
 *
 * Plain Wasm operators get their handlers generated from opcodes.def:
 *   UN     [d|a]                 d = op(a)
 *   BIN_RR [d|a][b]              d = a op b
 *   BIN_RI [d|a][imm]            d = a op imm (rhs constant inlined)
 *   BIN_RM [d|a][p|offset]       d = a op mem[p + offset] (the full-width
 *                                load feeding the operator fused into it)
 *   BIN_IR [d|b][imm]            d = imm op b (constant on the left)
 *   BRIF_CMP_RR  [a|b][off]      branch if a cmp b      (fused compare+branch)
 *   BRIF_CMP_RI  [a|off][imm]    branch if a cmp imm
 *   BRIFNOT_*    same layouts    branch if not
 *   BRIF_TEST    [a|off]         branch if test(a)      (eqz)
 *   LOAD   [d|a][offset]         d = mem[a + offset]
 *   LOAD_ADD [d|a][imm|offset]   d = mem[(u32)(a + imm) + offset]: the
 *                                address add folded in, wrapping as Wasm does
 *   STORE  [a|v][offset]         mem[a + offset] = v
 *   LOAD_ABS  [d][ea]            d = mem[ea]   (constant address + offset)
 *   STORE_ABS [v][ea]            mem[ea] = v
 * The hand-written instructions are listed below with their layouts.
 *
 * Loops: a loop starts with LOOP_ENTRY, whose cell holds the fuel cost of
 * one iteration; the loop's label is the instruction after it.  Every
 * backward branch (offset <= 0) is a loop back-edge, so branch handlers poll the
 * interrupt flag and charge fuel (the cost cell just before the target)
 * when their offset is negative: one check per iteration, no extra dispatch.
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

/* Hand-written instructions: name, layout after the handler cell, meaning. */
#define WRT_IR_SPECIAL(X) \
	X(COPY)           /* [d|s]                 d = s */ \
	X(CONST)          /* [d][imm]              d = imm */ \
	X(BR)             /* [off]                 jump */ \
	X(BR_NZ)          /* [c|off]               jump if c != 0 (i32) */ \
	X(BR_Z)           /* [c|off]               jump if c == 0 (i32) */ \
	X(BR_TABLE)       /* [i|n][off]*(n+1)      jump to entry min(i, n) */ \
	X(LOOP_ENTRY)     /* [cost]                loop entry: skipped; back-edges read cost */ \
	X(CALL)           /* [argbase][wrt_code*]  call a function of this module */ \
	X(CALL_FUNC)      /* [argbase|funcidx]     call through the instance (imports) */ \
	X(CALL_INDIRECT)  /* [argbase|type][table|i]  checked call through a table */ \
	X(RETURN)         /* []                    results already in slots 0.. */ \
	X(UNREACHABLE)    /* []                    trap */ \
	X(SELECT)         /* [d|c][a|b]            d = c ? a : b */ \
	X(GLOBAL_GET)     /* [d|g]                 d = global g */ \
	X(GLOBAL_SET)     /* [s|g]                 global g = s */ \
	X(MEMORY_SIZE)    /* [d]                   d = pages */ \
	X(MEMORY_GROW)    /* [d|n]                 d = grow(n) */ \
	X(MEMORY_INIT)    /* [seg|d][s|n]          bulk copy from a data segment */ \
	X(DATA_DROP)      /* [seg] */ \
	X(MEMORY_COPY)    /* [d|s][n] */ \
	X(MEMORY_FILL)    /* [d|v][n] */ \
	X(TABLE_GET)      /* [d|i][table] */ \
	X(TABLE_SET)      /* [i|v][table] */ \
	X(TABLE_SIZE)     /* [d|table] */ \
	X(TABLE_GROW)     /* [d|init][n|table]     d = grow(n, init) */ \
	X(TABLE_FILL)     /* [i|v][n|table] */ \
	X(TABLE_COPY)     /* [d|s][n][dt|st] */ \
	X(TABLE_INIT)     /* [d|s][n|table][seg] */ \
	X(ELEM_DROP)      /* [seg] */ \
	X(REF_FUNC)       /* [d|funcidx]           d = funcs[funcidx] */ \
	X(REF_IS_NULL)    /* [d|a] */

typedef enum wrt_irop {
#define X(n) WRT_IR_##n,
	WRT_IR_SPECIAL(X)
#undef X
#define OP_UN(NAME, code, text, TIN, TOUT, body) WRT_IR_##NAME,
#define OP_TEST(NAME, code, text, TIN, body) \
	WRT_IR_##NAME, WRT_IR_BRIF_##NAME, WRT_IR_BRIFNOT_##NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) WRT_IR_##NAME##_RR, WRT_IR_##NAME##_RI, WRT_IR_##NAME##_RM, \
	WRT_IR_##NAME##_IR,
#define OP_CMP(NAME, code, text, T, body) \
	WRT_IR_##NAME##_RR, WRT_IR_##NAME##_RI, \
	WRT_IR_BRIF_##NAME##_RR, WRT_IR_BRIF_##NAME##_RI, \
	WRT_IR_BRIFNOT_##NAME##_RR, WRT_IR_BRIFNOT_##NAME##_RI, WRT_IR_##NAME##_RM, WRT_IR_##NAME##_IR,
#define OP_LOAD(NAME, code, text, T, MT, AL) WRT_IR_##NAME, WRT_IR_##NAME##_ADD, WRT_IR_##NAME##_ABS,
#define OP_STORE(NAME, code, text, T, MT, AL) WRT_IR_##NAME, WRT_IR_##NAME##_ABS,
#include "opcodes.def"
	WRT_IR_COUNT_
} wrt_irop;

/* One compiled function. */
typedef struct wrt_compiled {
	wrt_cell *code;
	uint32_t ncode;
	uint32_t nparams;
	uint32_t nresults;
	uint32_t nlocals;
	uint32_t frame_slots;       /* locals + operand stack high-water mark */
	uint32_t entry_cost;        /* fuel charged at entry */
	uint32_t npcmap;
	uint32_t *pcmap;            /* pairs: cell index, module byte offset */
} wrt_compiled;

/* interp.c: handler address of every wrt_irop. */
const void *const *wrt_interp_handlers(void);

/* disasm.c: print the register code of a compiled function (debugging). */
#include <stdio.h>
void wrt_disasm(const wrt_compiled *cf, FILE *out);

#endif
