/*
 * test_fusion_rows.c — every fusion of the register code has a case here,
 * and the test walks ir.def to make sure: each row of WRT_IR_FUSED (the
 * hand-written fusions, in-place ones included) and of WRT_IR_FUSED_SIMD,
 * and each form of WRT_IR_FUSED_FORMS (compare-and-branch, select, load
 * into its consumer, address add into its load, f64 chains) needs one, and
 * every family form must be classified fused or plain.  A new fusion
 * without a case fails.  Every case runs, several for one fusion too.
 *
 * A case names an export of fused.wat in whose code the fusion forms, and
 * arguments that reach its edges: addresses whose add wraps past 2^32, the
 * bytes just out of bounds, signed and unsigned extremes, NaN inputs, loops
 * that run many times.  Each call runs on two instances: one compiled as
 * usual, one compiled without fusions (module field no_fuse: neither of
 * fuse.c's passes, and a barrier before every Wasm instruction, so that
 * no result is redirected into a local either).
 * They must agree on the result or trap, on the fuel consumed, on memory,
 * and on interrupts: with the flag set and a handler that lets the call go
 * on, both poll as often (a fused back-edge still polls), and stopped at the
 * third poll both trap INTERRUPTED with the same fuel spent.
 */
#define _GNU_SOURCE
#include "unit.h"
#include "compile.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

typedef struct fusion_case {
	int row;                    /* WRT_IR_<NAME> of a WRT_IR_FUSED row, or -1 */
	const char *form;           /* ... else a WRT_IR_FUSED_FORMS form */
	const char *export;         /* fused.wat export in which it forms */
	int32_t args[MAX_ARGS][2];  /* calls export(a, b), in order */
	int nargs;                  /* how many (ARGS counts them) */
} fusion_case;

#define ROW(name) WRT_IR_##name, NULL
/* The calls of a case: every pair listed, {0, 0} included. */
#define ARGS(...) {__VA_ARGS__}, (int) (sizeof((int32_t[][2]) {__VA_ARGS__}) / sizeof(int32_t[2]))
#define FORM(name) -1, #name
#define IMIN INT32_MIN
#define IMAX INT32_MAX

static const fusion_case cases[] = {
	/* loop tails: counts of 1 and more, a count of 0 running until the
	 * counter wraps (fuel stops both) */
	{ROW(I32_ADDI_BR_NZ), "countdownx", ARGS({4, 0}, {1, 0}, {2, 0}, {0, 0})},
	{ROW(I32_ADDI_BR_Z), "exits", ARGS({4, 0}, {1, 0}, {2, 0})},
	{ROW(I32_ADDI_BR_NE), "steptox", ARGS({12, 0}, {1, 0}, {IMAX, 0}, {3, 0})},
	{ROW(I32_ADDI_BR_EQ), "exits", ARGS({4, 0}, {1, 0}, {3, 0})},
	{ROW(I32_ADDI_BR_NEI), "exitsi", ARGS({0, 5}, {6, 0}, {7, 0}, {IMAX, 0}, {IMIN, 3})},
	{ROW(I32_ADDI_BR_EQI), "exitsi", ARGS({0, 5}, {6, 0}, {7, 0}, {IMAX, 0}, {IMIN, 3})},
	/* ... with a pointer's step before the counter's */
	{ROW(I32_ADDI_BR_NEI_A), "steptoi", ARGS({0, 0}, {27, 0}, {28, 0}, {IMAX - 1, 0}, {IMIN, 0})},
	{ROW(I32_ADDI_BR_NE_A), "steps1", ARGS({0, 5}, {0, 1}, {0, IMAX}, {0, 0})},
	{ROW(I32_ADDI_BR_EQ_A), "steps1", ARGS({1, 5}, {1, 1}, {1, 0}, {1, -1})},
	{ROW(I32_ADDI_BR_Z_A), "steps1", ARGS({2, 5}, {2, 1}, {2, 0}, {2, IMIN})},
	{ROW(I32_ADDI_BR_NZ_A), "steps1", ARGS({3, 5}, {3, 1}, {3, 2}, {3, 0})},
	{ROW(I32_ADDI_BR_NZ_A2), "add3loop", ARGS({4, 0}, {1, 0}, {2, 0})},
	{ROW(I32_ADDI_BR_NE_A2), "steps2", ARGS({0, 5}, {0, 1}, {0, IMAX}, {0, 0})},
	{ROW(I32_ADDI_BR_EQ_A2), "steps2", ARGS({1, 5}, {1, 1}, {1, 0}, {1, -1})},
	{ROW(I32_ADDI_BR_Z_A2), "steps2", ARGS({2, 5}, {2, 1}, {2, 0}, {2, IMIN})},
	{ROW(I32_ADDI_BR_EQI_A), "exitsia", ARGS({0, 5}, {6, 0}, {7, 0}, {IMAX, 0}, {IMIN, 3})},
	{ROW(I32_ADDI_BR_NZ_C), "fib", ARGS({1, 0}, {2, 0}, {10, 0}, {40, 0})},
	{ROW(I32_ADDI_BR_Z_C), "exits_c", ARGS({4, 0}, {1, 0}, {2, 0})},
	{ROW(I32_ADDI_BR_NE_C), "fibto", ARGS({1, 0}, {10, 0}, {IMAX, 0})},
	{ROW(I32_ADDI_BR_EQ_C), "exits_c", ARGS({4, 0}, {1, 0}, {3, 0})},
	/* range checks: both ends, the bits the mask drops, negatives */
	{ROW(BR_ADDI_ANDI_LTU), "class", ARGS({'A', 0}, {'Z', 0}, {'A' + 256, 0}, {'a', 0}, {'z', 0},
									   {'0', 0}, {'@', 0}, {-1, 0}, {IMIN + 'a', 0})},
	{ROW(BR_ADDI_ANDI_GEU), "class", ARGS({'[', 0}, {'`', 0}, {'{', 0}, {'9', 0}, {':', 0}, {IMAX, 0})},
	/* integer fusions: wrap-around */
	{ROW(I32_ADD2_RI), "add2", ARGS({1, 0}, {-5, 7}, {IMAX, IMAX}, {IMIN, -1})},
	{ROW(COPY_COPY), "rot3", ARGS({0, 0}, {1, 5}, {7, -1}, {100, IMAX}, {-1, 1})},
	{ROW(I32_ADD2_RR), "add2rr", ARGS({1, 2}, {IMAX, 1}, {IMIN, -1}, {-7, 7}, {IMAX, IMAX})},
	{ROW(I32_ADD3_RI), "add3", ARGS({1, 0}, {-1, 5}, {IMAX, IMAX}, {IMIN, IMIN})},
	{ROW(I32_ADD_ADD), "ichain", ARGS({1, 2}, {IMAX, 1}, {IMIN, -1}, {-7, 7}, {0, 0})},
	{ROW(I32_ADD_ADDI), "ichain", ARGS({1, 2}, {IMAX, IMAX}, {16, -1})},
	{ROW(I32_SHLI_ADD), "ichain", ARGS({1, 2}, {0x20000000, 5}, {-1, IMIN})},
	{ROW(I32_MUL_ADD), "ichain", ARGS({3, 5}, {0x10001, 0x10001}, {IMIN, -1}, {-3, IMAX})},
	{ROW(I32_SHRUI_ANDI), "ichain", ARGS({0x12345678, IMIN}, {-1, -1}, {0, 1})},
	{ROW(I32_ANDI_EQI), "andi", ARGS({0x80, 0}, {0x1241, 0}, {-1, 0}, {0, 0})},
	{ROW(I32_ANDI_NEI), "andi", ARGS({0xc0, 0}, {0x1280, 0}, {IMIN, 0})},
	/* byte and f64 loads: equal and different, address wrap, the last
	 * bytes in bounds and the first out, in either operand; NaN */
	{ROW(I32_EQ_MM8), "eqmm8", ARGS({100, 199}, {98, 200}, {0, 65534}, {0, 65535}, {65536, 0}, {-1, 0})},
	{ROW(I32_NE_MM8), "ne8", ARGS({100, 199}, {102, 202}, {0, 65535}, {0, -1}, {65535, 0})},
	{ROW(I32_ADD_EQ_MM8), "eq8", ARGS({100, 199}, {98, 200}, {0, -3}, {-2, 0}, {0, -4}, {65534, 0})},
	{ROW(I32_ADD_NE_MM8), "diff8", ARGS({100, 200}, {200, 200}, {100, 65533}, {65536, 0}, {65530, 0})},
	{ROW(I32_ANDI_EQI_M8), "andi8e", ARGS({107, 0}, {106, 0}, {0, 0}, {65535, 0}, {65536, 0}, {-1, 0})},
	{ROW(I32_ANDI_NEI_M8), "andi8", ARGS({107, 0}, {106, 0}, {0, 0}, {65536, 0}, {-1, 0})},
	{ROW(I32_ADD_ANDI_EQI_M8), "cont8", ARGS({101, 7}, {100, 7}, {-5, 3}, {-6, 0}, {65535, 0})},
	{ROW(I32_ADD_ANDI_NEI_M8), "utf8len", ARGS({100, 9}, {100, 6}, {106, 2}, {65535, 2}, {65530, 100})},
	{ROW(I32_ADD_ANDI_EQI_M8N), "cnt3o", ARGS({100, 0}, {101, 5}, {65532, 0}, {65533, 0}, {-1, 0})},
	{ROW(I32_ADD_ANDI_NEI_M8N), "cnt4k", ARGS({100, 0}, {101, 0}, {102, 10}, {65532, 0}, {65533, 0}, {-2, 0})},
	{ROW(F64_ADD_MM), "faddnan", ARGS({32, 0}, {16, 0}, {0, 0}, {65528, 0}, {65530, 0})},
	{ROW(F64_SUB_MM), "fsubmm", ARGS({-8, 0}, {8, 0}, {16, 0}, {0, 8}, {0, -8}, {65528, 0})},
	{ROW(F64_MUL_MM), "fmm", ARGS({0, 0}, {-8, 0}, {0, -24}, {-16, 0}, {-17, 0}, {65520, 0})},
	/* f64 results stored: a NaN (p = 0), the last address in bounds of the
	 * form's store (an _RM load at p + 16 traps first), the first out,
	 * wrapping; k = operator (1-4) + form (+0, +10, +20) */
#define FSTORE_CASE(NAME, k, last) \
	{ROW(NAME), "fstore", ARGS({k, 0}, {k, 8}, {k, 100}, {k, last}, {k, (last) + 1}, {k, -8}, {k, IMIN})},
	FSTORE_CASE(F64_ADD_RR_ST, 1, 65520) FSTORE_CASE(F64_ADD_RI_ST, 11, 65528) FSTORE_CASE(F64_ADD_RM_ST, 21, 65528)
	FSTORE_CASE(F64_SUB_RR_ST, 2, 65520) FSTORE_CASE(F64_SUB_RI_ST, 12, 65528) FSTORE_CASE(F64_SUB_RM_ST, 22, 65528)
	FSTORE_CASE(F64_MUL_RR_ST, 3, 65520) FSTORE_CASE(F64_MUL_RI_ST, 13, 65528) FSTORE_CASE(F64_MUL_RM_ST, 23, 65528)
	FSTORE_CASE(F64_DIV_RR_ST, 4, 65520) FSTORE_CASE(F64_DIV_RI_ST, 14, 65528) FSTORE_CASE(F64_DIV_RM_ST, 24, 65528)
#undef FSTORE_CASE
	/* base + index loads: wrapping to an address in bounds, the last in
	 * bounds, the first out */
#define LDRR_CASE(NAME) \
	{ROW(NAME), "ldrr", ARGS({0, 0}, {-8, 16}, {65500, 4}, {65512, 0}, {65513, 0}, {IMAX, IMAX}, {-1, 1}, {65536, 0})},
	LDRR_CASE(I32_LOAD_RR) LDRR_CASE(I64_LOAD_RR) LDRR_CASE(F32_LOAD_RR) LDRR_CASE(F64_LOAD_RR)
#undef LDRR_CASE
#define LDRRT_CASE(NAME) \
	{ROW(NAME), "ldrrt", ARGS({0, 0}, {-8, 16}, {65500, 4}, {65512, 0}, {65513, 0}, {IMAX, IMAX}, {-1, 1}, {65536, 0})},
	LDRRT_CASE(I32_LOAD_RRT) LDRRT_CASE(I64_LOAD_RRT) LDRRT_CASE(F32_LOAD_RRT) LDRRT_CASE(F64_LOAD_RRT)
#undef LDRRT_CASE
	/* f64 operators of base + index loads, k = operator (1-4), + 10 with
	 * the sum kept: NaN in memory (p = 0), wrapping to in bounds (base 8,
	 * p = -8), the last in bounds, the first out */
#define RMX_CASE(NAME, k) \
	{ROW(NAME), "frmx", ARGS({k, 0}, {k, 8}, {k, -8}, {k, 65520}, {k, 65521}, {k + 10, 0}, {k + 10, -8}, \
						 {k + 10, 65520}, {k + 10, 65512}, {k + 10, 65513}, {k, IMIN})},
	RMX_CASE(F64_ADD_RMX, 1) RMX_CASE(F64_SUB_RMX, 2) RMX_CASE(F64_MUL_RMX, 3) RMX_CASE(F64_DIV_RMX, 4)
#undef RMX_CASE
	{FORM(SEL_RR_ST), "selst", ARGS({0, 0}, {5, 100}, {-5, 100}, {IMAX, 0}, {IMIN, 16}, {-1, 64}, {3, 65524},
									{3, 65525}, {3, 65528}, {3, -4}, {0, IMAX}, {3, 8})},
	{ROW(F64_MUL_MIX), "fmuli", ARGS({0, 0}, {-8, 0}, {8, -8}, {16, -16}, {65520, 0}, {65521, 0}, {0, 65520}, {0, 65521}, {-4, 0})},
	/* SIMD: a v128.load into the right operand; NaN lanes from memory
	 * (p = 0) or from x (elsewhere), the last bytes, the first out, and an
	 * address + offset past 2^32 */
#define VRM_ARGS ARGS({0, 3}, {0, 7}, {32, 0x7ff80001}, {32, -1}, {16, 0x7fc00001}, {65504, 5}, {65505, 5}, {-16, 1}, {-1, 0}, {IMIN, 0})
	{ROW(VI_F64X2_ADD_RM), "vrm_f64add", VRM_ARGS},
	{ROW(VI_F64X2_MUL_RM), "vrm_f64mul", VRM_ARGS},
	{ROW(VI_F32X4_ADD_RM), "vrm_f32add", VRM_ARGS},
	{ROW(VI_F32X4_MUL_RM), "vrm_f32mul", VRM_ARGS},
	{ROW(VI_I32X4_ADD_RM), "vrm_i32add", VRM_ARGS},
	{ROW(VBIN_RM), "vrm_f64sub", VRM_ARGS},
	/* ... from x + k, wrapping past 2^32 to 0 for p = -16 */
	{ROW(VI_F64X2_ADD_RMA), "vrma_f64add", VRM_ARGS},
	{ROW(VI_F64X2_SUB_RMA), "vrma_f64sub", VRM_ARGS},
	{ROW(VI_F64X2_MUL_RMA), "vrma_f64mul", VRM_ARGS},
	{ROW(VI_F32X4_ADD_RMA), "vrma_f32add", VRM_ARGS},
	{ROW(VI_F32X4_MUL_RMA), "vrma_f32mul", VRM_ARGS},
	{ROW(VI_I32X4_ADD_RMA), "vrma_i32add", VRM_ARGS},
	{ROW(VI_V128_XOR_RMA), "vrma_xor", VRM_ARGS},
	{ROW(VBIN_RMA), "vrma_f64div", VRM_ARGS},
	/* two f64 gathered: either address's last bytes and first out, x + 24
	 * wrapping to 0 */
	{ROW(F64X2_LOAD2), "vld2", ARGS({0, 0}, {8, -24}, {65512, 0}, {65513, 0}, {0, 65496}, {0, 65497}, {-16, 0}, {0, IMIN}, {IMAX, 0})},
	{ROW(F64X2_LOAD2), "vld2p", ARGS({0, 0}, {8, 16}, {65512, 65520}, {65513, 0}, {0, 65527}, {0, -8})},
	/* ... a constant: NaN and infinite lanes of x, integer extremes */
#define VRC_ARGS ARGS({0, 3}, {0, 7}, {0, 0x7ff80001}, {0, 0x7fc00001}, {0, 0x7f800000}, {0, -1}, {0, IMIN}, {0, IMAX})
	{ROW(VI_V128_OR_RC), "vrc_or", VRC_ARGS},
	{ROW(VI_V128_AND_RC), "vrc_and", VRC_ARGS},
	{ROW(VI_V128_XOR_RC), "vrc_xor", VRC_ARGS},
	{ROW(VI_I32X4_ADD_RC), "vrc_i32add", VRC_ARGS},
	{ROW(VI_F64X2_MUL_RC), "vrc_f64mul", VRC_ARGS},
	{ROW(VI_F32X4_MUL_RC), "vrc_f32mul", VRC_ARGS},
	{ROW(VBIN_RC), "vrc_f64sub", VRC_ARGS},
#undef VRC_ARGS
	/* ... the result stored: the same addresses (p + 16), and the store's
	 * last bytes and first out */
	{ROW(VI_F64X2_ADD_ST), "vst_f64add", VRM_ARGS},
	{ROW(VI_F64X2_SUB_ST), "vst_f64sub", VRM_ARGS},
	{ROW(VI_F64X2_MUL_ST), "vst_f64mul", VRM_ARGS},
	{ROW(VI_F32X4_ADD_ST), "vst_f32add", VRM_ARGS},
	{ROW(VI_F32X4_MUL_ST), "vst_f32mul", VRM_ARGS},
	{ROW(VI_I32X4_ADD_ST), "vst_i32add", VRM_ARGS},
	{ROW(VI_V128_OR_ST), "vst_or", VRM_ARGS},
	{ROW(VBIN_ST), "vst_f64div", VRM_ARGS},
	{ROW(VI_F64X2_ADD_RM_ST), "vrmst_f64add", VRM_ARGS},
	{ROW(VI_F64X2_MUL_RM_ST), "vrmst_f64mul", VRM_ARGS},
	{ROW(VI_F32X4_ADD_RM_ST), "vrmst_f32add", VRM_ARGS},
	{ROW(VI_F32X4_MUL_RM_ST), "vrmst_f32mul", VRM_ARGS},
	{ROW(VI_I32X4_ADD_RM_ST), "vrmst_i32add", VRM_ARGS},
	{ROW(VBIN_RM_ST), "vrmst_f64sub", ARGS({0, 3}, {32, 0x7ff80001}, {65472, 5}, {65473, 5}, {65504, 5}, {-16, 1}, {-48, 1}, {IMIN, 0})},
#undef VRM_ARGS
	{ROW(F64_ADD_RMA2), "fsum3", ARGS({0, 1}, {-8, 1}, {-16, 2}, {8, 5}, {65504, 0}, {65505, 0}, {65512, 0}, {65513, 0},
								  {-24, 0}, {16, 7})},
	{ROW(F64_MUL_MI), "fmuli", ARGS({0, 0}, {-8, 0}, {0, -16}, {0, -8}, {8, 8}, {65520, 0}, {65521, 0}, {0, 65512},
								{0, 65513}, {-4, 0}, {0, 65536})},
	/* multiply-accumulate into memory (and the subtractions): a NaN product (p = 0), a NaN
	 * accumulator (q = 48, 0), the add's load and the stores at their last
	 * bytes in bounds and their first out, wrapping; then, by the product's
	 * form, its loads' */
#define MAC_CASE(NAME, export, ...) \
	{ROW(NAME), export, ARGS({0, 8}, {8, 48}, {8, 0}, {0, 65520}, {0, 65504}, {0, -8}, {0, 65529}, {0, 65472}, \
							 {0, 65473}, __VA_ARGS__)},
#define MAC_MM {65496, 0}, {65497, 0}, {65512, 0}, {65513, 0}, {-8, 0}
#define MAC_RMX {65512, 0}, {65513, 0}, {65520, 0}, {65521, 0}, {-8, 0}
#define MAC_RMA {65520, 0}, {65521, 0}, {65496, 0}, {65497, 0}, {-8, 0}
#define MAC_RM {65520, 0}, {65521, 0}, {65496, 0}, {65497, 0}, {-8, 0}
#define MAC_RI {65520, 0}, {24, 0}, {16, 0}, {8, 8}, {-8, 0}
#define MAC_LEFT {65496, 0}, {65497, 0}, {65520, 0}, {65521, 0}, {-8, 0}
	MAC_CASE(F64_MUL_MM_ADD_RR_ST, "fmac_mm", MAC_MM) MAC_CASE(F64_MUL_MM_ADD_RM_ST, "fmac_mm", MAC_MM)
	MAC_CASE(F64_MUL_RMX_ADD_RR_ST, "fmac_rmx", MAC_RMX) MAC_CASE(F64_MUL_RMX_ADD_RM_ST, "fmac_rmx", MAC_RMX)
	MAC_CASE(F64_MUL_RMA_ADD_RR_ST, "fmac_rma", MAC_RMA) MAC_CASE(F64_MUL_RMA_ADD_RM_ST, "fmac_rma", MAC_RMA)
	MAC_CASE(F64_MUL_MM_SUB_RR_ST, "fmac_mm", MAC_MM) MAC_CASE(F64_MUL_RMX_SUB_RR_ST, "fmac_rmx", MAC_RMX)
	MAC_CASE(F64_MUL_RMA_SUB_RR_ST, "fmac_rma", MAC_RMA)
	MAC_CASE(F64_MUL_RM_ADD_RR_ST, "fmac_rm", MAC_RM) MAC_CASE(F64_MUL_RM_ADD_RM_ST, "fmac_rm", MAC_RM)
	MAC_CASE(F64_MUL_RM_SUB_RR_ST, "fmac_rm", MAC_RM)
	MAC_CASE(F64_MUL_RI_ADD_RR_ST, "fmac_ri", MAC_RI) MAC_CASE(F64_MUL_RI_ADD_RM_ST, "fmac_ri", MAC_RI)
	MAC_CASE(F64_MUL_RI_SUB_RR_ST, "fmac_ri", MAC_RI)
	MAC_CASE(F64_MUL_RRTX_ADD_RR_ST, "fmac_left", MAC_LEFT) MAC_CASE(F64_MUL_MX_ADD_RM_ST, "fmac_left", MAC_LEFT)
	/* ... and chained, the sum passed on: the same edges, NaN in either
	 * step; fmac_chain2's last step, on another accumulator, is not one */
	MAC_CASE(F64_MUL_RRTX_ADD_RR_ST_MM2, "fmac_chain3", MAC_LEFT) MAC_CASE(F64_MUL_RRTX_ADD_RR_ST_MM, "fmac_chain2", MAC_LEFT)
	MAC_CASE(F64_MUL_RMA_ADD_RR_ST_MM, "fmac_chain_rma", MAC_RMA) MAC_CASE(F64_MUL_MM_SUB_RR_ST_MM, "fmac_chains", MAC_MM)
	/* ... a scaled factor into one */
	MAC_CASE(F64_MUL_MI_RMA_ADD_RM_ST, "fmac_scaled", MAC_RMA) MAC_CASE(F64_MUL_MI_RM_ADD_RM_ST, "fmac_scaled", MAC_RM)
	MAC_CASE(F64_MUL_MI_RMX_ADD_RM_ST, "fmac_scaled", MAC_RMX)
	/* a stencil's sum scaled: NaN (p = 0), the last loads in bounds and
	 * the first out, wrapping, and the store's */
	{ROW(F64_ADD_RMA2_MUL_RI), "fstencil", ARGS({0, 8}, {8, 0}, {65496, 8}, {65497, 8}, {65504, 8}, {-8, 8}, {-16, 8},
												{8, 65520}, {8, 65521})},
	{ROW(F64_ADD_RMA_MUL_RI_ST), "fstencil", ARGS({0, 8}, {8, 48}, {65496, 8}, {65505, 8}, {-24, 8}, {8, 65512},
												  {8, 65513}, {IMIN, 0})},
	/* ... and their loops: one iteration and several, a NaN product (p =
	 * 0), a load leaving memory in a later iteration, an address that
	 * wraps, a loop that runs until a trap or the fuel stops it */
#define LOOP_CASE(NAME, export) \
	{ROW(NAME), export, ARGS({8, 0}, {8, 5}, {0, 0}, {16, 4}, {65456, 0}, {65440, 0}, {65496, 5}, {-8, 0}, {-4, 3}, \
							 {8, 6}, {0, 7})},
	LOOP_CASE(F64_MUL_RRTX_ADD_RR_ST_MM_NEI_A, "fdot") LOOP_CASE(F64_MUL_RRTX_ADD_RR_ST_MM2_NEI_A, "fdot3")
	LOOP_CASE(F64_MUL_RRTX_ADD_RR_ST_MM_NEI, "fdotc")
	/* ... and with two or three iterations that meet no NaN (a NaN sum
	 * hides a wrong one) */
#define LOOP_CASE_X(NAME, export) \
	{ROW(NAME), export, ARGS({8, 0}, {8, 5}, {0, 0}, {16, 4}, {65456, 0}, {65440, 0}, {65496, 5}, {-8, 0}, {-4, 3}, \
							 {8, 32}, {16, 24}, {56, 32})},
	LOOP_CASE_X(F64_LOAD_RMX_ADD_MM_NEI_A, "fsumx") LOOP_CASE_X(F64_LOAD_RRT_RMA_ADD_MM_NEI, "fsumrrt")
	LOOP_CASE_X(F64_MUL_MI_RMX_MI_RMA_NEI_A, "fscaled") LOOP_CASE_X(F64_LOAD_RRT_RI_RMX_MI_RMA_NEI, "fscaledrrt")
	LOOP_CASE_X(F64_LOAD_RRT_RI_RMX_MI_RMA2_NEI_A, "fscaled3")
#undef LOOP_CASE_X
	/* ... counted to a bound in a local: from 8 it runs until the fuel
	 * stops it, from an odd start too; counted to 0: 1 and 3 iterations */
#define LOOP_CASE_B(NAME, export) \
	{ROW(NAME), export, ARGS({8, 0}, {8, 4}, {0, 0}, {16, -2}, {65456, 0}, {65440, -4}, {65496, 2}, {-8, 0}, {-4, 3}, \
							 {8, 8}, {0, 1}, {8, -6}, {0, -2}, {8, 2}, {16, 2}, {16, 0})},
	LOOP_CASE_B(F64_MUL_MM_SUB_RR_ST_MM_NE_A2, "fsolve") LOOP_CASE_B(F64_MUL_MM_SUB_RR2_NE_A2, "fsolve2")
	LOOP_CASE_B(I32_ADD_RR_RMA_ADD_MM_NZ_A2, "fsumadds")
	{ROW(F64_MUL_MI_RM_MM_ADD_NZ_A2), "fbeside", ARGS({8, 1}, {8, 3}, {0, 2}, {65528, 2}, {65529, 1}, {-8, 1}, {16, 0},
													  {24, 5}, {40, 4})},
#undef LOOP_CASE_B
#undef LOOP_CASE
#undef MAC_CASE
#undef MAC_MM
#undef MAC_RMX
#undef MAC_RMA
#undef MAC_RM
#undef MAC_LEFT
#undef MAC_RI
	/* in-place fusions (fuse.c) */
	{ROW(I32_ADD_RR_EQI_M8N), "cnt4rre", ARGS({100, 0}, {-1, 1}, {65532, 0}, {65532, 1}, {65536, 0})},
	{ROW(I32_ADD_RR_NEI_M8N), "cnt4rr", ARGS({96, 4}, {100, 0}, {102, 2}, {-1, 1}, {65532, 1}, {65536, 0})},
	{ROW(I32_ADD_RR_STORE8), "st8rr", ARGS({100, 5}, {-5, 5}, {-6, 5}, {65530, 4}, {65534, 1}, {65520, 10})},
	{ROW(I32_ADD_RR_STORE8_ADDI), "st8rr", ARGS({100, 5}, {-6, 5}, {65530, 4})},
	{ROW(I32_STORE8_ADDI), "st8rr", ARGS({100, 5}, {65534, 1})},
	{ROW(I32_ADD_RR_STORE), "st32rr", ARGS({100, 5}, {-5, 5}, {-6, 5}, {65528, 3}, {65532, 1}, {65524, 0})},
	{ROW(I32_ADD_RR_STORE_ADDI), "st32rr", ARGS({100, 5}, {-6, 5}, {65528, 3})},
	{ROW(CONST_COPY), "exits", ARGS({4, 0}, {1, 0})},
	{ROW(CONST_COPY_ADDI_BR_NZ_A), "slugw", ARGS({2048, 25}, {2048, 5}, {2053, 3}, {65535, 1}, {65535, 2}, {-1, 1})},
	{ROW(I32_ADD_RI_BR), "slugw", ARGS({2048, 25}, {2053, 3})},
	{ROW(I32_LOAD8_U_BR_LTU), "islower", ARGS({2049, 0}, {2048, 0}, {65535, 0}, {65536, 0}, {-1, 0})},
	{ROW(I32_LOAD8_U_BR_GEU), "slugw", ARGS({2048, 25}, {65535, 2}, {-1, 1})},
	/* a load tested by the branch after it: the end found, a cycle (fuel
	 * stops both), the last word or byte in bounds, the first out, wrap */
	{ROW(I32_LOAD_BR_NZ), "walk", ARGS({3000, 0}, {3008, 0}, {3012, 0}, {65532, 0}, {65533, 0}, {-4, 0})},
	{ROW(I32_LOAD_BR_NZ), "walkv", ARGS({3000, 0}, {3008, 1}, {3004, 0}, {3000, 2})},
	{ROW(I32_LOAD_BR_Z), "walkz", ARGS({3000, 0}, {3008, 0}, {3012, 0}, {65532, 0}, {65533, 0}, {-4, 0})},
	{ROW(I32_LOAD8_U_BR_NZ), "strend", ARGS({2047, 0}, {2060, 0}, {65534, 0}, {65535, 0}, {-2, 0})},
	{ROW(I32_LOAD8_U_BR_Z), "strendz", ARGS({2048, 0}, {2072, 0}, {2073, 0}, {65535, 0}, {65536, 0}, {-1, 0})},
	/* fused family forms */
	{FORM(BRIF_TEST), "utf8len", ARGS({100, 9}, {100, 0}, {106, 2})},
	{FORM(BRIFNOT_TEST), "slugw", ARGS({2048, 25}, {2048, 0})},
	{FORM(BIN_RM), "addrm", ARGS({0, 5}, {100, IMAX}, {65532, 0}, {65531, 0}, {-4, 0})},
	{FORM(BIN_RMA), "rma", ARGS({0, 5}, {-8, 0}, {-4, 0}, {65524, 0}, {65532, 0})},
	{FORM(BRIF_RR), "brltrr", ARGS({1, 2}, {2, 1}, {1, 1}, {IMIN, IMAX}, {IMAX, IMIN}, {-1, 0})},
	{FORM(BRIF_RI), "always", ARGS({0, 0}, {-3, 0}, {-4, 0}, {IMAX, 0})},
	{FORM(BRIFNOT_RR), "fmin3", ARGS({3, 4}, {4, 2}, {-4, 2}, {0, 0}, {5, 0}, {-5, 0})},
	{FORM(BRIFNOT_RI), "ifgtri", ARGS({11, 0}, {10, 0}, {-1, 0}, {0, 0})},
	{FORM(SEL_RR), "minmax", ARGS({3, 9}, {-5, 2}, {60, 2}, {IMIN, IMAX})},
	{FORM(SEL_RI), "fsel", ARGS({0, 0}, {-1, 0}, {1, 0})},
	{FORM(SEL2_RR), "max3", ARGS({3, 9}, {9, 3}, {-1, 2}, {1, -2}, {0x40000000, 0x3fffffff},
							 {0x70000000, 0x10000000})},
	{FORM(LOAD_ADD), "ldadd", ARGS({0, 0}, {-3, 0}, {-4, 0}, {65532, 0}, {65533, 0})},
	{FORM(CHAIN_L), "chain", ARGS({3, 2}, {-2, 5}, {IMAX, IMIN})},
	{FORM(CHAIN_R), "chain", ARGS({3, 2}, {-2, 5}, {IMIN, IMAX}, {0, 0})},
};

/* The rows of WRT_IR_FUSED, and which instructions are hand-written. */
#define FUSED_ROW(NAME, ...) WRT_IR_##NAME,
static const int fused_rows[] = {
	WRT_IR_FUSED(FUSED_ROW, FUSED_ROW, FUSED_ROW, FUSED_ROW)
};
static const int fused_simd_rows[] = {
	WRT_IR_FUSED_SIMD(FUSED_ROW, FUSED_ROW)
};
static const int hand_rows[] = {
	WRT_IR_HAND(FUSED_ROW, FUSED_ROW, FUSED_ROW, FUSED_ROW, FUSED_ROW, FUSED_ROW)
};
#undef FUSED_ROW
#define FORM_NAME(F) #F,
static const char *const fused_forms[] = {WRT_IR_FUSED_FORMS(FORM_NAME)};
static const char *const plain_forms[] = {WRT_IR_PLAIN_FORMS(FORM_NAME)};
#undef FORM_NAME
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
is_hand(int op)
{
	for (size_t k = 0; k < NELEM(hand_rows); k++)
		if (hand_rows[k] == op)
			return true;
	return false;
}

static bool
in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(list[k], name) == 0)
			return true;
	return false;
}

/* Does instruction op stand for the case's row or form? */
static bool
is_case_op(const fusion_case *fc, int op)
{
	if (fc->row >= 0)
		return op == fc->row;
	return !is_hand(op) && strcmp(wrt_ir_info[op].layout->name, fc->form) == 0;
}

/* Does the compiled code of export `name` hold the case's instruction? */
static bool
forms(wrt_instance *inst, const fusion_case *fc)
{
	wrt_func *f = unit_export_func(inst, fc->export);
	if (!f || !f->code || !f->code->compiled)
		return false;
	const wrt_compiled *cf = f->code->compiled;
	for (uint32_t i = 0; i < cf->ncode;)
	{
		int op = wrt_ir_op(cf->code[i].h);
		if (op < 0)
			return false;
		if (is_case_op(fc, op))
			return true;
		i += wrt_ir_length(op, &cf->code[i]);
	}
	return false;
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
	int32_t args[2] = {a, b};

	wrt_store_set_fuel(s, 200000);
	wrt_store_set_interrupt(s, &flag);
	wrt_store_set_interrupt_handler(s, count_poll, &ps);
	o.ok = unit_call_i32(s, unit_export_func(inst, name), args, &o.r);
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

/* export(a, b) unmetered and with no interrupt flag: back-edges do not
 * leave the loop handlers (run_case's flag and fuel send every one out of
 * line), so their own iterations run. */
static outcome
run_free(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b)
{
	outcome o = {0};
	int32_t args[2] = {a, b};

	o.ok = unit_call_i32(s, unit_export_func(inst, name), args, &o.r);
	o.trap = o.ok ? WRT_TRAP_NONE : wrt_store_trap(s)->kind;
	if (!o.ok)
		o.r = 0;
	return o;
}

/* The fused and the unfused instance agree on export(a, b), run to its end
 * and stopped at the third poll, and, when the call ends by itself (not
 * stopped by the fuel), also run unmetered.  *most is raised to the polls
 * of the complete call. */
static void
same_as_unfused(wrt_store *s, wrt_instance *fused, wrt_instance *plain, const char *what,
				const char *name, int32_t a, int32_t b, int *most)
{
	for (int stop = 0; stop <= 3; stop += 3)
	{
		outcome f = run_case(s, fused, name, a, b, stop);
		outcome p = run_case(s, plain, name, a, b, stop);
		CHECKF(f.ok == p.ok && f.r == p.r && f.trap == p.trap,
			   "%s: %s(%d, %d) stop %d: fused %d/trap %d, unfused %d/trap %d", what, name,
			   (int) a, (int) b, stop, (int) f.r, (int) f.trap, (int) p.r, (int) p.trap);
		CHECKF(f.fuel == p.fuel, "%s: %s(%d, %d) stop %d: fuel %llu fused, %llu unfused", what, name,
			   (int) a, (int) b, stop, (unsigned long long) f.fuel, (unsigned long long) p.fuel);
		CHECKF(f.polls == p.polls, "%s: %s(%d, %d) stop %d: %d polls fused, %d unfused", what, name,
			   (int) a, (int) b, stop, f.polls, p.polls);
		if (stop == 0 && p.polls > *most)
			*most = p.polls;
		if (stop == 3 && p.polls >= 3)
			CHECKF(f.trap == WRT_TRAP_INTERRUPTED, "%s: %s(%d, %d) was not stopped at poll 3", what,
				   name, (int) a, (int) b);
		if (stop == 0 && p.trap != WRT_TRAP_FUEL_EXHAUSTED)
		{
			outcome ff = run_free(s, fused, name, a, b), pf = run_free(s, plain, name, a, b);
			CHECKF(ff.ok == pf.ok && ff.r == pf.r && ff.trap == pf.trap && pf.ok == p.ok && pf.r == p.r,
				   "%s: %s(%d, %d) unmetered: fused %d/trap %d, unfused %d/trap %d", what, name,
				   (int) a, (int) b, (int) ff.r, (int) ff.trap, (int) pf.r, (int) pf.trap);
		}
	}
}

static bool
same_memory(wrt_instance *a, wrt_instance *b)
{
	wrt_memory *ma = wrt_instance_memory(a), *mb = wrt_instance_memory(b);
	return ma && mb && ma->size == mb->size && memcmp(wrt_memory_data(ma), wrt_memory_data(mb), ma->size) == 0;
}

void
test_fusion_rows_tested(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_module *mp = unit_fixture("fused");
	wrt_instance *inst, *plain;
	int most_polls = 0;

	NEED(s);
	NEED(m);
	NEED(mp);
	mp->no_fuse = true;
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	plain = unit_instantiate(s, mp, NULL, 0);
	NEED(plain);

	/* every family form is classified */
	for (int op = 0; op < WRT_IR_COUNT_; op++)
		if (!is_hand(op))
			CHECKF(in_list(wrt_ir_info[op].layout->name, fused_forms, NELEM(fused_forms)) ||
				   in_list(wrt_ir_info[op].layout->name, plain_forms, NELEM(plain_forms)),
				   "form %s (of %s) is in neither WRT_IR_FUSED_FORMS nor WRT_IR_PLAIN_FORMS",
				   wrt_ir_info[op].layout->name, wrt_ir_info[op].name);
	/* every in-place fusion is a fused row */
	for (int op = 0; op < WRT_IR_COUNT_; op++)
		if (wrt_ir_info[op].first >= 0)
		{
			bool listed = false;
			for (size_t k = 0; k < NELEM(fused_rows); k++)
				listed |= fused_rows[k] == op;
			CHECKF(listed, "in-place fusion %s is not in WRT_IR_FUSED", wrt_ir_info[op].name);
		}

	/* every case runs (several may test one fusion) */
	for (size_t k = 0; k < NELEM(cases); k++)
	{
		const fusion_case *fc = &cases[k];
		const char *what = fc->row >= 0 ? wrt_ir_info[fc->row].name : fc->form;
		CHECKF(fc->nargs >= 1 && fc->nargs <= MAX_ARGS, "%s: %d calls", what, fc->nargs);
		for (int a = 0; a < fc->nargs; a++)
			same_as_unfused(s, inst, plain, what, fc->export, fc->args[a][0], fc->args[a][1], &most_polls);
		CHECKF(forms(inst, fc), "%s does not form in %s", what, fc->export);
		CHECKF(!forms(plain, fc), "%s forms in %s without fusions", what, fc->export);
		CHECKF(same_memory(inst, plain), "%s: memory differs after the calls of %s", what, fc->export);
	}
	/* every fused row (WRT_IR_FUSED, WRT_IR_FUSED_SIMD) and form has one */
	size_t nrows = NELEM(fused_rows) + NELEM(fused_simd_rows), nkeys = nrows + NELEM(fused_forms);
	for (size_t key = 0; key < nkeys; key++)
	{
		int row = key < NELEM(fused_rows) ? fused_rows[key]
			: key < nrows ? fused_simd_rows[key - NELEM(fused_rows)] : -1;
		const char *form = row >= 0 ? NULL : fused_forms[key - nrows];
		bool found = false;
		for (size_t k = 0; k < NELEM(cases); k++)
			found |= row >= 0 ? cases[k].row == row : cases[k].row < 0 && strcmp(cases[k].form, form) == 0;
		CHECKF(found, "fusion %s has no case in test_fusion_rows.c", row >= 0 ? wrt_ir_info[row].name : form);
	}
	/* the loops' back-edges were polled, so the stops above did stop them */
	CHECKF(most_polls > 3, "only %d interrupt polls in the longest call", most_polls);
}
