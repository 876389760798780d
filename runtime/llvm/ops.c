/*
 * ops.c — the numeric operators of opcodes.def as C functions, compiled by
 * clang to LLVM bitcode (build/tier-ops.bc) and embedded in the LLVM back
 * end (wasmrt-llvm.so), which links them into every unit it compiles and
 * inlines them.
 *
 * This is how plain numeric operations are lowered "from the opcode
 * table": the body of each OP_UN / OP_TEST / OP_BIN / OP_CMP row — the
 * same C text the interpreter's handlers are made of — becomes one
 * function wrt_op_<NAME>(a[, b], trap).  There is no second list of
 * opcodes and no second statement of their semantics: division traps,
 * trapping and saturating truncations, min/max with the engine's NaN rule,
 * nearest, copysign and the bit operations are the interpreter's, bit for
 * bit, and LLVM folds them to single instructions where it can (an add to
 * an add, popcount to popcnt, the rounding functions to roundss).
 *
 * A body that traps sets *trap to the trap kind and returns; the machine
 * code tests *trap after the (inlined) call only for rows whose body names
 * TRAP (lower.c finds those in the row's text).
 *
 * Never part of libwasmrt: only clang sees this file (test/runtime.mk).
 */
#include "numeric.h"
#include "opcodes.h"
#include "wasmrt.h"

#define TRAP(k) do { *trap = WRT_TRAP_##k; return 0; } while (0)

#define OP_UN(NAME, code, text, TIN, TOUT, body) \
	wrt_ct_##TOUT wrt_op_##NAME(wrt_ct_##TIN a, uint32_t *trap); \
	wrt_ct_##TOUT wrt_op_##NAME(wrt_ct_##TIN a, uint32_t *trap) \
	{ \
		wrt_ct_##TOUT r; \
		(void) trap; \
		body \
		return r; \
	}
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	wrt_ct_##TOUT wrt_op_##NAME(wrt_ct_##T a, wrt_ct_##T b, uint32_t *trap); \
	wrt_ct_##TOUT wrt_op_##NAME(wrt_ct_##T a, wrt_ct_##T b, uint32_t *trap) \
	{ \
		wrt_ct_##TOUT r; \
		(void) trap; \
		body \
		return r; \
	}
#include "opcodes.def"
