/*
 * simd-fns.h — the lane functions of the SIMD rows of opcodes.def: one
 * small function per row, expanded from its body, and the table from wrt_op
 * to them (wrt_simd_fns) that the compiler reads when it emits a SIMD family
 * instruction (ir.def).  Included once, by interp.c, so that the
 * handlers of the hottest operators (ir.def IR_VI rows) inline them.
 *
 * Why functions and not one interpreter handler per operator: the
 * interpreter is one function dispatching by computed goto, and GCC's code
 * for the scalar handlers got measurably worse (several percent on scalar
 * kernels) with 236 more labels in it; a dozen family handlers calling
 * these keep the scalar code as it was, for the price of an indirect call
 * per SIMD operator.
 */
#ifndef WRT_SIMD_FNS_H
#define WRT_SIMD_FNS_H

#include "opcodes.h"
#include "simd.h"

/* The interpreter's copies are static v_<NAME>; runtime/llvm/ops.c, which
 * compiles these same rows into the native tier's bitcode, defines
 * WRT_SIMD_LINKAGE empty and WRT_SIMD_NAME as wrt_simd_<NAME> (names the
 * back end internalises) and WRT_SIMD_NO_TABLE (no table there). */
#ifndef WRT_SIMD_LINKAGE
#define WRT_SIMD_LINKAGE static
#endif
#ifndef WRT_SIMD_NAME
#define WRT_SIMD_NAME(NAME) v_##NAME
#endif

#define LOAD_V(v, p) memcpy(&(v), (p), 16)
#define STORE_V(p, v) memcpy((p), &(v), 16)

/* Slot bits of a scalar result, and a scalar operand from slot bits. */
static inline uint64_t slot_I32(uint32_t v) { return v; }
static inline uint64_t slot_I64(uint64_t v) { return v; }
static inline uint64_t slot_F32(float v) { return wrt_f32_bits(v); }
static inline uint64_t slot_F64(double v) { return wrt_f64_bits(v); }
static inline uint32_t from_I32(uint64_t b) { return (uint32_t) b; }
static inline uint64_t from_I64(uint64_t b) { return b; }
static inline float from_F32(uint64_t b) { return wrt_f32_from_bits((uint32_t) b); }
static inline double from_F64(uint64_t b) { return wrt_f64_from_bits(b); }

/* A lane loop writes every lane of r, but GCC sees each lane store as a
 * read-modify-write of the vector and warns that r may be uninitialised. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define OP_VLOAD(NAME, code, text, N, AL, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const uint8_t *m) { \
		wrt_v128 r; \
		body \
		STORE_V(d, r); \
	}
#define OP_VSPLAT(NAME, code, text, TIN, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa) { \
		uint64_t bits_; \
		memcpy(&bits_, pa, 8); \
		wrt_ct_##TIN a = from_##TIN(bits_); \
		wrt_v128 r; \
		body \
		STORE_V(d, r); \
	}
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) \
	WRT_SIMD_LINKAGE uint64_t WRT_SIMD_NAME(NAME)(const void *pa, uint32_t lane) { \
		wrt_v128 a; \
		wrt_ct_##TOUT r; \
		LOAD_V(a, pa); \
		body \
		return slot_##TOUT(r); \
	}
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa, uint64_t bits_, uint32_t lane) { \
		wrt_v128 a, r; \
		wrt_ct_##TIN b = from_##TIN(bits_); \
		LOAD_V(a, pa); \
		body \
		STORE_V(d, r); \
	}
#define OP_VUN(NAME, code, text, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa) { \
		wrt_v128 a, r; \
		LOAD_V(a, pa); \
		body \
		STORE_V(d, r); \
	}
#define OP_VBIN(NAME, code, text, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa, const void *pb) { \
		wrt_v128 a, b, r; \
		LOAD_V(a, pa); \
		LOAD_V(b, pb); \
		body \
		STORE_V(d, r); \
	}
#define OP_VTER(NAME, code, text, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa, const void *pb, const void *pc) { \
		wrt_v128 a, b, c, r; \
		LOAD_V(a, pa); \
		LOAD_V(b, pb); \
		LOAD_V(c, pc); \
		body \
		STORE_V(d, r); \
	}
#define OP_VTEST(NAME, code, text, body) \
	WRT_SIMD_LINKAGE uint64_t WRT_SIMD_NAME(NAME)(const void *pa) { \
		wrt_v128 a; \
		uint32_t r; \
		LOAD_V(a, pa); \
		body \
		return r; \
	}
#define OP_VSHIFT(NAME, code, text, body) \
	WRT_SIMD_LINKAGE void WRT_SIMD_NAME(NAME)(void *d, const void *pa, uint32_t b) { \
		wrt_v128 a, r; \
		LOAD_V(a, pa); \
		body \
		STORE_V(d, r); \
	}
#include "opcodes.def"

/* The lane width of each lane load and store, as constants for the
 * handlers of the inlined rows (ir.def IR_VI of VLOAD_LANE, VSTORE_LANE). */
#define OP_VLOAD_LANE(NAME, code, text, N, AL) enum { wrt_lane_bytes_##NAME = N };
#define OP_VSTORE_LANE(NAME, code, text, N, AL) enum { wrt_lane_bytes_##NAME = N };
#include "opcodes.def"

#ifndef WRT_SIMD_NO_TABLE
const wrt_simd_fn wrt_simd_fns[WRT_OP_COUNT_] = {
#define ROW(NAME) [WRT_OP_##NAME] = (wrt_simd_fn) WRT_SIMD_NAME(NAME),
#define OP_VLOAD(NAME, code, text, N, AL, body) ROW(NAME)
#define OP_VSPLAT(NAME, code, text, TIN, body) ROW(NAME)
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) ROW(NAME)
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) ROW(NAME)
#define OP_VUN(NAME, code, text, body) ROW(NAME)
#define OP_VBIN(NAME, code, text, body) ROW(NAME)
#define OP_VTER(NAME, code, text, body) ROW(NAME)
#define OP_VTEST(NAME, code, text, body) ROW(NAME)
#define OP_VSHIFT(NAME, code, text, body) ROW(NAME)
#include "opcodes.def"
#undef ROW
};
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
