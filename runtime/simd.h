/*
 * simd.h — the v128 type, the lane helpers used by the SIMD rows of
 * opcodes.def, and the lane functions (simd-fns.h) the interpreter calls.
 *
 * A v128 is a union of GCC/clang vector types (vector_size(16)), so that
 * whole-vector operators (+, &, ==, shifts) compile to SSE2 on x86-64 and
 * NEON on arm64 without intrinsics headers or assembly.  Where Wasm's lane
 * semantics differ from what C's operators give (saturation, min/max with
 * NaN, rounding, conversions with saturation, unsigned/signed mixes), the
 * bodies loop over lanes with the scalar helpers of numeric.h, which keeps
 * them bit-identical to the scalar instructions; compilers vectorise most
 * of those loops anyway.
 *
 * Signed integer lanes are only ever added, subtracted, multiplied or
 * negated through the unsigned views, so wrap-around is defined behaviour.
 * Vector comparisons give 0 / -1 lanes of the signed type of the same
 * width, which is exactly Wasm's all-zeros / all-ones mask.
 */
#ifndef WRT_SIMD_H
#define WRT_SIMD_H

#include <stdint.h>
#include <string.h>

#include "numeric.h"

typedef int8_t wrt_i8x16 __attribute__((vector_size(16)));
typedef uint8_t wrt_u8x16 __attribute__((vector_size(16)));
typedef int16_t wrt_i16x8 __attribute__((vector_size(16)));
typedef uint16_t wrt_u16x8 __attribute__((vector_size(16)));
typedef int32_t wrt_i32x4 __attribute__((vector_size(16)));
typedef uint32_t wrt_u32x4 __attribute__((vector_size(16)));
typedef int64_t wrt_i64x2 __attribute__((vector_size(16)));
typedef uint64_t wrt_u64x2 __attribute__((vector_size(16)));
typedef float wrt_f32x4 __attribute__((vector_size(16)));
typedef double wrt_f64x2 __attribute__((vector_size(16)));

typedef union wrt_v128 {
	wrt_i8x16 i8;
	wrt_u8x16 u8;
	wrt_i16x8 i16;
	wrt_u16x8 u16;
	wrt_i32x4 i32;
	wrt_u32x4 u32;
	wrt_i64x2 i64;
	wrt_u64x2 u64;
	wrt_f32x4 f32;
	wrt_f64x2 f64;
	uint8_t b[16];
	uint64_t half[2];           /* the two frame slots: low, high */
} wrt_v128;

/* Loop over the lanes of a body, i the lane index. */
#define WRT_EACH(n) for (int i = 0; i < (n); i++)

/* r = lanes of a where a cmp b, else of b (min/max), F the lane view. */
#define WRT_VPICK(r, F, cmp, a, b) do { \
		wrt_v128 m_; \
		m_.F = (__typeof__(m_.F)) ((a).F cmp (b).F); \
		WRT_VSEL(r, m_, a, b); \
	} while (0)

/* Bit-select: lanes of x where m is set, of y elsewhere. */
#define WRT_VSEL(r, m, x, y) ((r).u64 = ((x).u64 & (m).u64) | ((y).u64 & ~(m).u64))

static inline int8_t wrt_sat_s8(int32_t v) { return (int8_t) (v < -128 ? -128 : v > 127 ? 127 : v); }
static inline uint8_t wrt_sat_u8(int32_t v) { return (uint8_t) (v < 0 ? 0 : v > 255 ? 255 : v); }
static inline int16_t wrt_sat_s16(int32_t v) { return (int16_t) (v < -32768 ? -32768 : v > 32767 ? 32767 : v); }
static inline uint16_t wrt_sat_u16(int32_t v) { return (uint16_t) (v < 0 ? 0 : v > 65535 ? 65535 : v); }

/* Rounding that quiets a signalling NaN (see wrt_ceilf in numeric.h);
 * nearbyint rounds half to even in the default rounding mode. */
static inline float wrt_nearestf(float a) { return a != a ? a + a : nearbyintf(a); }
static inline double wrt_nearest(double a) { return a != a ? a + a : nearbyint(a); }

/*
 * f32x4.max / f64x2.max of a NaN: a quiet NaN without payload whose sign is
 * the OR of the operands' signs.  That is what V8 computes on x64 (two
 * maxps, merged with xor/or/sub and masked; traced through, a NaN lane
 * ends as 0x7fc00000 | sign(a | b)), so the differential test compares
 * memory bit for bit; min's NaN is the canonical one with the sign set, as
 * for the scalar instructions (numeric.h), which V8's minps sequence gives
 * too.  The spec allows any NaN here.
 */
static inline float
wrt_vmaxf(float a, float b)
{
	if (a != a || b != b)
		return wrt_f32_from_bits(0x7fc00000u | ((wrt_f32_bits(a) | wrt_f32_bits(b)) & 0x80000000u));
	return wrt_fmaxf(a, b);
}
static inline double
wrt_vmax(double a, double b)
{
	if (a != a || b != b)
		return wrt_f64_from_bits(0x7ff8000000000000ull
								 | ((wrt_f64_bits(a) | wrt_f64_bits(b)) & 0x8000000000000000ull));
	return wrt_fmax(a, b);
}

/* A v128 from its two 64-bit halves, built in registers: written to a slot
 * pair, it is one 16-byte store (see wrt_vwith). */
static inline wrt_v128
wrt_vhalves(uint64_t lo, uint64_t hi)
{
	wrt_v128 r;
	r.u64 = (wrt_u64x2) {lo, hi};
	return r;
}

/*
 * a with its `width`-bit lane `lane` set to the low bits of v, built in
 * registers from a's two halves and returned whole.  Written as a store of
 * the lane into a copy of a in memory, GCC reads the copy back with one
 * 16-byte load that spans the two stores, and store forwarding fails on it
 * (about 15 cycles on current x86, more than the rest of the handler:
 * syrk vectorised ran 1.8x slower than scalar through its f64x2.replace_lane).
 */
static inline wrt_v128
wrt_vwith(wrt_v128 a, uint32_t lane, uint32_t width, uint64_t v)
{
	uint32_t bit = lane * width;
	uint32_t shift = bit & 63;
	uint64_t mask = (width == 64 ? ~(uint64_t) 0 : ((uint64_t) 1 << width) - 1) << shift;
	uint64_t lo = a.half[0], hi = a.half[1];
	if (bit < 64)
		lo = (lo & ~mask) | ((v << shift) & mask);
	else
		hi = (hi & ~mask) | ((v << shift) & mask);
	return wrt_vhalves(lo, hi);
}

/*
 * i8x16.shuffle of a and b by the 16 lane bytes in lo, hi (validated < 32),
 * in two versions, both out of line (their lane code in run() cost the
 * scalar handlers: mandelbrot +5%).
 *
 * wrt_shuffle_bytes, the portable one: a and b side by side, indexed, with
 * no branch per lane (a data-dependent one mispredicts), the result
 * assembled in registers and written with one 16-byte store (byte stores
 * read back as one vector would stall store forwarding).  About 160
 * instructions.
 *
 * wrt_shuffle_vector, where the vector unit can index bytes: GCC's
 * __builtin_shuffle with a mask that is not a constant becomes two pshufb
 * and a blend with SSSE3 (15 instructions), tbl on NEON.  x86-64's
 * baseline lacks SSSE3, so there it is compiled for SSSE3 and taken only
 * when the CPU has it (wrt_shuffle).  Clang has no such builtin; its builds
 * (the fuzzers) use the portable one.  test_simd_shuffle compares the two.
 */
static __attribute__((noinline, unused)) void
wrt_shuffle_bytes(void *d, const void *a, const void *b, uint64_t lo, uint64_t hi)
{
	uint8_t ab[32];
	wrt_v128 r;
	memcpy(ab, a, 16);
	memcpy(ab + 16, b, 16);
	for (int h = 0; h < 2; h++)
	{
		uint64_t l = h ? hi : lo, v = 0;
		for (int i = 0; i < 8; i++)
			v |= (uint64_t) ab[(l >> (8 * i)) & 31] << (8 * i);
		r.half[h] = v;
	}
	memcpy(d, &r, 16);
}

#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__aarch64__))
#define WRT_SHUFFLE_VECTOR 1
#ifdef __x86_64__
#define WRT_SHUFFLE_TARGET __attribute__((target("ssse3")))
#define WRT_SHUFFLE_VECTOR_OK() __builtin_cpu_supports("ssse3")
#else
#define WRT_SHUFFLE_TARGET
#define WRT_SHUFFLE_VECTOR_OK() 1
#endif
static __attribute__((noinline, unused)) WRT_SHUFFLE_TARGET void
wrt_shuffle_vector(void *d, const void *a, const void *b, uint64_t lo, uint64_t hi)
{
	wrt_u8x16 x, y, r;
	wrt_u8x16 k = (wrt_u8x16) (wrt_u64x2) {lo, hi};
	memcpy(&x, a, 16);
	memcpy(&y, b, 16);
	r = __builtin_shuffle(x, y, k);
	memcpy(d, &r, 16);
}
#define wrt_shuffle(d, a, b, lo, hi) \
	(WRT_SHUFFLE_VECTOR_OK() ? wrt_shuffle_vector(d, a, b, lo, hi) : wrt_shuffle_bytes(d, a, b, lo, hi))
#else
#define wrt_shuffle wrt_shuffle_bytes
#endif

/* The high bit of each lane, lane 0 in bit 0. */
static inline uint32_t
wrt_bitmask8(const wrt_v128 *a)
{
	uint32_t r = 0;
	for (int i = 0; i < 16; i++)
		r |= (uint32_t) (a->u8[i] >> 7) << i;
	return r;
}

/*
 * Lane functions, one per SIMD row of opcodes.def, by family.  Operands and
 * results are frame slots (a v128 is 16 bytes at the pointer, a scalar the
 * 8 bytes of its slot, with the interpreter's conventions: i32 and f32
 * zero-extended).  The table is indexed by wrt_op (NULL for other ops).
 */
typedef void (*wrt_simd_fn)(void);
typedef void (*wrt_vun_fn)(void *d, const void *a);            /* VUN, VSPLAT */
typedef uint64_t (*wrt_vtest_fn)(const void *a);               /* VTEST: the i32 */
typedef void (*wrt_vbin_fn)(void *d, const void *a, const void *b);
typedef void (*wrt_vshift_fn)(void *d, const void *a, uint32_t b);
typedef void (*wrt_vter_fn)(void *d, const void *a, const void *b, const void *c);
typedef uint64_t (*wrt_vextract_fn)(const void *a, uint32_t lane);  /* slot bits */
typedef void (*wrt_vreplace_fn)(void *d, const void *a, uint64_t b, uint32_t lane);
typedef void (*wrt_vload_fn)(void *d, const uint8_t *m);

extern const wrt_simd_fn wrt_simd_fns[];

#endif
