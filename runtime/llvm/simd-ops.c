/*
 * simd-ops.c — the SIMD rows of opcodes.def as C functions, compiled by
 * clang to LLVM bitcode (build/tier-simd.bc) and embedded in the LLVM back
 * end next to ops.c's, but linked only into the units that lower a SIMD
 * instruction: the scalar units, most of them, do not pay for cloning 225
 * more functions.
 *
 * The functions are the interpreter's lane functions (simd-fns.h, expanded
 * from the same row bodies) under external names wrt_simd_<NAME>, with the
 * interpreter's pointer ABI (d = 16-byte result, a, b, c = 16-byte operands,
 * scalars as slot bits).  clang turns their GCC vector code into LLVM vector
 * IR; lower.c calls them with pointers to allocas, they are inlined, and
 * SROA removes the temporaries, so an i32x4.add becomes one `add <4 x i32>`
 * and the semantics (NaN rules, saturation, lane order) are the
 * interpreter's, bit for bit, from one source.
 *
 * Never part of libwasmrt: only clang sees this file (test/runtime.mk).
 */
#include <string.h>

#define WRT_SIMD_LINKAGE
#define WRT_SIMD_NAME(NAME) wrt_simd_##NAME
#define WRT_SIMD_NO_TABLE
#include "simd-fns.h"
