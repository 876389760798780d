/*
 * numeric.h — helpers for the numeric semantics in opcodes.def that C does
 * not give directly: bit counts on zero, rotations, IEEE min/max with Wasm's
 * NaN and signed-zero rules, float bit casts and saturating truncation.
 */
#ifndef WRT_NUMERIC_H
#define WRT_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t wrt_clz32(uint32_t a) { return a ? (uint32_t)__builtin_clz(a) : 32; }
static inline uint32_t wrt_ctz32(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32; }
static inline uint64_t wrt_clz64(uint64_t a) { return a ? (uint64_t)__builtin_clzll(a) : 64; }
static inline uint64_t wrt_ctz64(uint64_t a) { return a ? (uint64_t)__builtin_ctzll(a) : 64; }
static inline uint32_t wrt_rotl32(uint32_t a, uint32_t b) { b &= 31; return (a << b) | (a >> ((32 - b) & 31)); }
static inline uint32_t wrt_rotr32(uint32_t a, uint32_t b) { b &= 31; return (a >> b) | (a << ((32 - b) & 31)); }
static inline uint64_t wrt_rotl64(uint64_t a, uint64_t b) { b &= 63; return (a << b) | (a >> ((64 - b) & 63)); }
static inline uint64_t wrt_rotr64(uint64_t a, uint64_t b) { b &= 63; return (a >> b) | (a << ((64 - b) & 63)); }

static inline uint32_t wrt_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float wrt_f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint64_t wrt_f64_bits(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }
static inline double wrt_f64_from_bits(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

/*
 * Wasm min/max: a NaN operand gives a NaN, -0 < +0.  The spec lets the NaN
 * be canonical or carry an operand's payload; we return the canonical NaN
 * with the sign bit set, as V8 does, so that differential tests against it
 * (test/fuzz/diff.sh) compare memory contents bit for bit.
 */
#define WRT_F32_MINMAX_NAN 0xffc00000u
#define WRT_F64_MINMAX_NAN 0xfff8000000000000ull
static inline float
wrt_fminf(float a, float b)
{
	if (a != a || b != b) return wrt_f32_from_bits(WRT_F32_MINMAX_NAN);
	if (a == 0 && b == 0) return wrt_f32_from_bits(wrt_f32_bits(a) | wrt_f32_bits(b));
	return a < b ? a : b;
}
static inline float
wrt_fmaxf(float a, float b)
{
	if (a != a || b != b) return wrt_f32_from_bits(WRT_F32_MINMAX_NAN);
	if (a == 0 && b == 0) return wrt_f32_from_bits(wrt_f32_bits(a) & wrt_f32_bits(b));
	return a > b ? a : b;
}
static inline double
wrt_fmin(double a, double b)
{
	if (a != a || b != b) return wrt_f64_from_bits(WRT_F64_MINMAX_NAN);
	if (a == 0 && b == 0) return wrt_f64_from_bits(wrt_f64_bits(a) | wrt_f64_bits(b));
	return a < b ? a : b;
}
static inline double
wrt_fmax(double a, double b)
{
	if (a != a || b != b) return wrt_f64_from_bits(WRT_F64_MINMAX_NAN);
	if (a == 0 && b == 0) return wrt_f64_from_bits(wrt_f64_bits(a) & wrt_f64_bits(b));
	return a > b ? a : b;
}

/* Rounding: libm may return a signalling NaN unchanged; Wasm requires the
 * result of arithmetic on NaN to be quiet (a + a quiets it). */
static inline float wrt_ceilf(float a) { return a != a ? a + a : ceilf(a); }
static inline float wrt_floorf(float a) { return a != a ? a + a : floorf(a); }
static inline float wrt_truncf(float a) { return a != a ? a + a : truncf(a); }
static inline double wrt_ceil(double a) { return a != a ? a + a : ceil(a); }
static inline double wrt_floor(double a) { return a != a ? a + a : floor(a); }
static inline double wrt_trunc(double a) { return a != a ? a + a : trunc(a); }

/* Saturating truncation (the float is passed as double: f32 widens exactly). */
static inline uint32_t
wrt_sat_i32_s(double a)
{
	if (a != a) return 0;
	if (a <= -2147483648.0) return 0x80000000u;
	if (a >= 2147483647.0) return 0x7fffffffu;
	return (uint32_t)(int32_t)a;
}
static inline uint32_t
wrt_sat_i32_u(double a)
{
	if (a != a || a <= 0) return 0;
	if (a >= 4294967295.0) return 0xffffffffu;
	return (uint32_t)a;
}
static inline uint64_t
wrt_sat_i64_s(double a)
{
	if (a != a) return 0;
	if (a <= -9223372036854775808.0) return 0x8000000000000000ull;
	if (a >= 9223372036854775808.0) return 0x7fffffffffffffffull;
	return (uint64_t)(int64_t)a;
}
static inline uint64_t
wrt_sat_i64_u(double a)
{
	if (a != a || a <= 0) return 0;
	if (a >= 18446744073709551616.0) return ~0ull;
	return (uint64_t)a;
}

#endif
