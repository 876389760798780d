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
 * nlocals + i, so "registers" are resolved at compile time.  Slots are 8
 * bytes; a v128 local or value takes two consecutive slots and counts as two
 * operand-stack entries (its low and high half), so nlocals, nparams,
 * nresults, depths and branch arities below are all in slots.  A call places
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
 *   BIN_RMA [d|a][p|imm]         d = a op mem[(u32)(p + imm)]: BIN_RM of a
 *                                LOAD_ADD with offset 0 (a[i] via p + k)
 *   BRIF_CMP_RR  [a|b][off]      branch if a cmp b      (fused compare+branch)
 *   BRIF_CMP_RI  [a|off][imm]    branch if a cmp imm
 *   BRIFNOT_*    same layouts    branch if not
 *   BRIF_TEST    [a|off]         branch if test(a)      (eqz)
 *   SEL_CMP_RR   [d|a][b|x][y]   d = a cmp b ? x : y    (compare feeding select)
 *   SEL_CMP_RI   [d|a][imm][x|y] d = a cmp imm ? x : y
 *   SEL2_CMP_RR  [d1|a][b|x][d|y][o|m]  a chain of two SEL_CMP_RR of one
 *                                compare (min/max of three): t = a cmp b ?
 *                                x : y; d1 = t; then d = A cmp B ? X : Y where
 *                                each of A, B, X, Y (bits 0-3 of m) is t
 *                                (bit set) or slot o: t is not reloaded
 *   LOAD   [d|a][offset]         d = mem[a + offset]
 *   LOAD_ADD [d|a][imm|offset]   d = mem[(u32)(a + imm) + offset]: the
 *                                address add folded in, wrapping as Wasm does
 *   STORE  [a|v][offset]         mem[a + offset] = v
 *   LOAD_ABS  [d][ea]            d = mem[ea]   (constant address + offset)
 *   STORE_ABS [v][ea]            mem[ea] = v
 * SIMD operators (the OP_V* families of opcodes.def) get one instruction
 * per family, WRT_IR_V<FAMILY> (table WRT_IR_SIMD below), whose first
 * operand cell fn is the address of the operator's lane function (simd-fns.h):
 * the interpreter keeps a dozen SIMD handlers, not 236 (each computed-goto
 * label costs the scalar handlers code quality in the one big dispatch
 * function).  A v128 operand or result s is the slot pair s, s+1:
 *   VUN, VSPLAT, VTEST [fn][d|a]         d = fn(a)
 *   VBIN, VSHIFT [fn][d|a][b]            d = fn(a, b)
 *   VTER   [fn][d|a][b|c]                d = fn(a, b, c)
 *   VEXTRACT [fn][d|a][lane]             d = fn(a, lane) (a scalar)
 *   VREPLACE [fn][d|a][b|lane]           d = fn(a, b, lane)
 *   VLOAD  [fn][d|a][offset|n]           d = fn(the n bytes at a + offset)
 *   VSTORE [a|v][offset]                 mem[a + offset] = v (16 bytes)
 *   VLOAD_LANE  [d|a][offset|n][v|lane]  d = v with n-byte lane `lane` loaded
 *   VSTORE_LANE [a|v][offset|n][lane]    mem[a + offset] = n-byte lane of v
 * The hand-written instructions are listed below with their layouts.
 * M8(p,k,o) there is the byte at (u32)(p + k) + o: the address of a
 * LOAD8_U_ADD (or of a plain LOAD8_U, k = 0), with the same wrap and bounds
 * check; M64 the same for f64 loads.  Loads fused into one instruction are
 * done in their Wasm order.
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
	X(MOVE_N)         /* [d|s][n]              d..d+n = s..s+n (d <= s): a branch's or return's many values */ \
	X(CONST)          /* [d][imm]              d = imm */ \
	X(BR)             /* [off]                 jump */ \
	X(BR_NZ)          /* [c|off]               jump if c != 0 (i32) */ \
	X(BR_Z)           /* [c|off]               jump if c == 0 (i32) */ \
	X(I32_ADDI_BR_NZ) /* [d|a][imm|off]        d = a + imm (i32); jump if d != 0 */ \
	X(I32_ADDI_BR_Z)  /* [d|a][imm|off]        d = a + imm; jump if d == 0 */ \
	X(I32_ADDI_BR_NE) /* [d|a][imm|b][off]     d = a + imm; jump if d != b */ \
	X(I32_ADDI_BR_EQ) /* [d|a][imm|b][off]     d = a + imm; jump if d == b */ \
	X(I32_ADD2_RI)    /* [d1|a1][d2|a2][k1|k2] d1 = a1 + k1; then d2 = a2 + k2 (i32) */ \
	X(I32_ANDI_EQI)   /* [d|a][m|k]            d = (a & m) == k (i32) */ \
	X(I32_ANDI_NEI)   /* [d|a][m|k]            d = (a & m) != k */ \
	X(I32_ADD3_RI)    /* [d1|a1][d2|a2][d3|a3][k1|k2][k3]  three I32_ADD_RI in order */ \
	X(I32_ADDI_BR_NZ_C) /* [d|a][imm|off][cd|cs] cd = cs; then I32_ADDI_BR_NZ */ \
	X(I32_ADDI_BR_Z_C)  /* [d|a][imm|off][cd|cs] cd = cs; then I32_ADDI_BR_Z */ \
	X(I32_ADDI_BR_NE_C) /* [d|a][imm|b][off][cd|cs] cd = cs; then I32_ADDI_BR_NE */ \
	X(I32_ADDI_BR_EQ_C) /* [d|a][imm|b][off][cd|cs] cd = cs; then I32_ADDI_BR_EQ */ \
	X(I32_EQ_MM8)     /* [d|pa][pb|-][ka|oa][kb|ob]  d = M8(pa,ka,oa) == M8(pb,kb,ob) */ \
	X(I32_NE_MM8)     /* same layout             d = M8(..) != M8(..) */ \
	X(I32_ADD_EQ_MM8) /* [d|pa][pb|s][ka|oa][kb|ob]  d = s + (M8(..) == M8(..)) */ \
	X(I32_ADD_NE_MM8) /* same layout             d = s + (M8(..) != M8(..)) */ \
	X(I32_ANDI_EQI_M8) /* [d|p][k|o][m|v]        d = (M8(p,k,o) & m) == v */ \
	X(I32_ANDI_NEI_M8) /* [d|p][k|o][m|v]        d = (M8(p,k,o) & m) != v */ \
	X(I32_ADD_ANDI_EQI_M8) /* [d|p][k|o][m|v][s] d = s + ((M8(p,k,o) & m) == v) */ \
	X(I32_ADD_ANDI_NEI_M8) /* [d|p][k|o][m|v][s] d = s + ((M8(p,k,o) & m) != v) */ \
	X(I32_ADD_ANDI_EQI_M8N) /* [d|p][k|o][m|v][s|nf] d = s + sum of ((M8(p,k',o') & m) == v) over n
	                       * consecutive bytes: nf = n | step << 8, n in 2..4; step 0: k' = k + i,
	                       * step 1: o' = o + i (i < n); one bounds check of the last byte */ \
	X(I32_ADD_ANDI_NEI_M8N) /* same layout, != */ \
	X(I32_ADD_RR_EQI_M8N) /* [d|a][b|-]          I32_ADD_RR d = a + b, then the I32_ADD_ANDI_EQI_M8N
	                       * right after it, whose address slot is d, without a dispatch; the
	                       * M8N stays in place, so a jump to it runs it alone */ \
	X(I32_ADD_RR_NEI_M8N) /* same, with I32_ADD_ANDI_NEI_M8N */ \
	/* In-place pairs (fuse_in_place): the first instruction's handler also \
	 * runs the one(s) right after it, which stay in place for jumps. */ \
	X(I32_ADD_RR_STORE8) /* [d|a][b]           I32_ADD_RR, then the I32_STORE8 after it */ \
	X(I32_ADD_RR_STORE8_ADDI) /* [d|a][b]      same, then also the I32_ADD_RI after the store */ \
	X(I32_ADD_RR_STORE) /* [d|a][b]            I32_ADD_RR, then the I32_STORE after it */ \
	X(I32_ADD_RR_STORE_ADDI) /* [d|a][b]       same, then also the I32_ADD_RI after the store */ \
	X(I32_STORE8_ADDI) /* [a|v][offset]        I32_STORE8, then the I32_ADD_RI after it */ \
	X(CONST_COPY)     /* [d][imm]              CONST, then the COPY after it */ \
	X(CONST_COPY_ADDI_BR_NZ) /* [d][imm]     CONST_COPY, then the I32_ADD_RI and I32_ADDI_BR_NZ after it */ \
	X(I32_ADD_RI_ADDI_BR_NZ) /* [d|a][imm]     I32_ADD_RI, then the I32_ADDI_BR_NZ after it */ \
	X(I32_ADD_RI_BR)  /* [d|a][imm]            I32_ADD_RI, then the BR after it */ \
	X(I32_LOAD8_U_BR_LTU) /* [d|a][offset]     I32_LOAD8_U, then the BR_ADDI_ANDI_LTU after it */ \
	X(I32_LOAD8_U_BR_GEU) /* [d|a][offset]     I32_LOAD8_U, then the BR_ADDI_ANDI_GEU after it */ \
	X(F64_ADD_MM)     /* [d|pa][pb|-][ka|oa][kb|ob]  d = M64(pa,ka,oa) + M64(pb,kb,ob) */ \
	X(F64_SUB_MM)     /* same layout             d = M64(..) - M64(..) */ \
	X(F64_MUL_MM)     /* same layout             d = M64(..) * M64(..) */ \
	X(BR_ADDI_ANDI_LTU) /* [a|off][k|m][n]      jump if ((a + k) & m) <u n (range checks) */ \
	X(BR_ADDI_ANDI_GEU) /* [a|off][k|m][n]      jump if ((a + k) & m) >=u n */ \
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
	X(REF_IS_NULL)    /* [d|a] */ \
	/* v128 values in slot pairs (d, d+1) */ \
	X(COPY2)          /* [d|s]                 d, d+1 = s, s+1 */ \
	X(V128_CONST)     /* [d][lo][hi]           d = lo, d+1 = hi */ \
	X(I8X16_SHUFFLE)  /* [d|a][b][l0-7][l8-15] d = bytes of a:b picked by 16 lane bytes */ \
	X(SELECT_V128)    /* [d|c][a|b]            d = c ? a : b (v128) */ \
	X(GLOBAL_GET_V128) /* [d|g]                d = global g (v128) */ \
	X(GLOBAL_SET_V128) /* [s|g]                global g = s (v128) */ \
	X(VLOAD_ADD)      /* [fn][d|x][offset|n][k] VLOAD of address (u32)(x + k) (the i32.add folded) */ \
	X(V128_LOAD_ADD)  /* [fn][d|x][offset|n][k] the same for v128.load, inlined */

/* The SIMD family instructions (layouts above): name and cells after the
 * handler; the family names are those of wrt_opclass (WRT_OPC_<F>). */
#define WRT_IR_SIMD(X) \
	X(VUN, 2) X(VSPLAT, 2) X(VTEST, 2) X(VBIN, 3) X(VSHIFT, 3) X(VTER, 3) \
	X(VEXTRACT, 3) X(VREPLACE, 3) X(VLOAD, 3) X(VSTORE, 2) X(VLOAD_LANE, 3) \
	X(VSTORE_LANE, 3)

/*
 * SIMD operators hot in vectorised loops get a handler of their own that
 * inlines the lane function (same layout as their family, fn cell
 * included): WRT_IR_VI_<NAME>.  Kept short, for the reason above.
 */
#define WRT_IR_SIMD_INLINE(X) \
	X(VLOAD, V128_LOAD) X(VBIN, F32X4_ADD) X(VBIN, F32X4_MUL) \
	X(VBIN, F64X2_ADD) X(VBIN, F64X2_MUL) X(VBIN, I32X4_ADD) X(VBIN, I32X4_MUL) \
	X(VBIN, V128_XOR) X(VBIN, V128_AND)

/*
 * f64 chains: an add/sub/mul whose result feeds the next add/sub/mul.
 *   F64_<OP1>_<OP2>_L [d|a][b|c][t]   t = a op1 b; d = t op2 c
 *   F64_<OP1>_<OP2>_R [d|a][b|c][t]   t = a op1 b; d = c op2 t
 * (t is still written: it may be a local read later.)
 * Both roundings happen as in the two instructions (no contraction: the
 * engine is built with -ffp-contract=off), so results are bit-identical.
 */
#define WRT_IR_F64_CHAIN(X) \
	X(ADD, +, ADD, +) X(ADD, +, SUB, -) X(ADD, +, MUL, *) \
	X(SUB, -, ADD, +) X(SUB, -, SUB, -) X(SUB, -, MUL, *) \
	X(MUL, *, ADD, +) X(MUL, *, SUB, -) X(MUL, *, MUL, *)

typedef enum wrt_irop {
#define X(n) WRT_IR_##n,
	WRT_IR_SPECIAL(X)
#undef X
#define X(O1, o1, O2, o2) WRT_IR_F64_##O1##_##O2##_L, WRT_IR_F64_##O1##_##O2##_R,
	WRT_IR_F64_CHAIN(X)
#undef X
#define OP_UN(NAME, code, text, TIN, TOUT, body) WRT_IR_##NAME,
#define OP_TEST(NAME, code, text, TIN, body) \
	WRT_IR_##NAME, WRT_IR_BRIF_##NAME, WRT_IR_BRIFNOT_##NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) WRT_IR_##NAME##_RR, WRT_IR_##NAME##_RI, WRT_IR_##NAME##_RM, \
	WRT_IR_##NAME##_IR, WRT_IR_##NAME##_RMA,
#define OP_CMP(NAME, code, text, T, body) \
	WRT_IR_##NAME##_RR, WRT_IR_##NAME##_RI, \
	WRT_IR_BRIF_##NAME##_RR, WRT_IR_BRIF_##NAME##_RI, \
	WRT_IR_BRIFNOT_##NAME##_RR, WRT_IR_BRIFNOT_##NAME##_RI, WRT_IR_##NAME##_RM, WRT_IR_##NAME##_IR, \
	WRT_IR_SEL_##NAME##_RR, WRT_IR_SEL_##NAME##_RI, WRT_IR_##NAME##_RMA, WRT_IR_SEL2_##NAME##_RR,
#define OP_LOAD(NAME, code, text, T, MT, AL) WRT_IR_##NAME, WRT_IR_##NAME##_ADD, WRT_IR_##NAME##_ABS,
#define OP_STORE(NAME, code, text, T, MT, AL) WRT_IR_##NAME, WRT_IR_##NAME##_ABS,
#include "opcodes.def"
#define X(F, n) WRT_IR_##F,
	WRT_IR_SIMD(X)
#undef X
#define X(F, NAME) WRT_IR_VI_##NAME,
	WRT_IR_SIMD_INLINE(X)
#undef X
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
	uint32_t invoke_slots;      /* max(frame_slots, params + results): wrt_invoke's check */
	uint32_t entry_cost;        /* fuel charged at entry */
	bool wide_sig;              /* a parameter or result is v128: wrt_invoke
	                             * converts values and slots one by one */
	uint32_t npcmap;
	uint32_t *pcmap;            /* pairs: cell index, module byte offset */
} wrt_compiled;

/* interp.c: handler address of every wrt_irop. */
const void *const *wrt_interp_handlers(void);

/* disasm.c: print the register code of a compiled function (debugging). */
#include <stdio.h>
void wrt_disasm(const wrt_compiled *cf, FILE *out);

#endif
