/*
 * hll.c — HyperLogLog distinct counting for pgwasm: an aggregate whose state
 * is a bytea sketch, mergeable across parallel workers and across stored
 * sketches.
 *
 *   CREATE FUNCTION hll_add(bytea, text) RETURNS bytea
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_add';
 *   CREATE FUNCTION hll_merge(bytea, bytea) RETURNS bytea
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_merge';
 *   CREATE FUNCTION hll_count(bytea) RETURNS int8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_count';
 *   CREATE AGGREGATE approx_count_distinct(text) (
 *       SFUNC = hll_add, STYPE = bytea, FINALFUNC = hll_count,
 *       COMBINEFUNC = hll_merge, INITCOND = '', PARALLEL = SAFE);
 *
 * hll_add must be STRICT: pgwasm answers NULL for a NULL argument without
 * calling the guest, and a NULL state would stay NULL for the rest of the
 * group.  With STRICT, PostgreSQL skips NULL inputs instead, as count(DISTINCT)
 * does.  The same functions also give a sketch aggregate (SFUNC = hll_add, no
 * FINALFUNC) and a union aggregate over stored sketches (SFUNC = hll_merge),
 * so per-day sketches can be rolled up into per-week counts.
 *
 * The sketch has m = 2^12 = 4096 registers (standard error 1.04/sqrt(m), about
 * 1.6%).  Each value is hashed to 64 bits (hash64 below, written for this
 * file); the top 12 bits pick a register, which keeps the largest "rank" seen,
 * the position of the first 1 bit in the remaining 52 bits.  The estimate is
 * the classic one of Flajolet et al. (2007): alpha_m * m^2 / sum(2^-register),
 * with linear counting, m * ln(m / zero registers), while that estimate is at
 * most 2.5 m.  A 64-bit hash needs no large-range correction.  The classic
 * estimator's known weak spot is just above the switch (about 10 000 distinct
 * values here), where it reads one to two percent high on average; newer
 * estimators without that bump (Ertl, 2017) would fit in hll_count alone.
 *
 * ABI v1 copies the state into guest memory on every call and copies the
 * result out again, so the state is kept small:
 *
 *   byte 0    'h' (format marker)
 *   byte 1    precision p (12)
 *   byte 2    encoding: 1 = sparse, 2 = dense
 *   byte 3    0
 *   sparse:   n entries of 3 bytes, register index (big-endian, 2 bytes) and
 *             rank (1 byte), strictly ascending by index, n <= SPARSE_MAX
 *   dense:    m one-byte registers
 *
 * A group with a few hundred distinct values carries a few hundred bytes, not
 * 4 kB.  The empty bytea (the INITCOND) is the empty sketch.  Where a call
 * changes no byte count, it updates the argument buffer in place and returns
 * it, which ABI v1 allows: the host copies the result before it frees the
 * argument buffers, and never frees a result that lies inside one of them.
 * A malformed sketch is an ERROR with SQLSTATE 22P03
 * (invalid_binary_representation).
 */
#include <math.h>

#include "pgwasm.h"

#define HLL_P			12
#define HLL_M			(1u << HLL_P)
#define HLL_MAX_RANK	(64 - HLL_P + 1)
#define HLL_HDR			4
#define HLL_SPARSE		1
#define HLL_DENSE		2
#define HLL_ENTRY		3
/* past this many entries the sparse form is converted to registers */
#define SPARSE_MAX		(HLL_M / 8)

/* ---- hashing ---------------------------------------------------------- */

static inline uint64_t
rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* xor-shift / multiply finaliser: every input bit affects every output bit */
static inline uint64_t
avalanche64(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xD6E8FEB86659FD93ull;
	h ^= h >> 29;
	h *= 0xCF1BBCDCB7A56463ull;
	h ^= h >> 32;
	return h;
}

/*
 * 64-bit hash of a byte string: each 8-byte little-endian word is multiplied
 * by an odd constant, folded into the state and stirred with a rotation and
 * another multiplication; the 1 to 7 trailing bytes form a last word, and the
 * length and a final avalanche finish it.  Not cryptographic: HyperLogLog only
 * needs well spread bits, also for short, similar keys like '1', '2', ...
 */
static uint64_t
hash64(const uint8_t *p, size_t len)
{
	const uint64_t k1 = 0x9E3779B97F4A7C15ull;	/* 2^64 / golden ratio */
	const uint64_t k2 = 0xA24BAED4963EE407ull;
	uint64_t	h = 0x2545F4914F6CDD1Dull ^ ((uint64_t) len * k1);
	uint64_t	w;
	size_t		i;

	for (; len >= 8; p += 8, len -= 8)
	{
		memcpy(&w, p, 8);		/* wasm is little-endian */
		h ^= rotl64(w * k2, 31) * k1;
		h = rotl64(h, 27) * k2 + k1;
	}
	if (len > 0)
	{
		w = 0;
		for (i = 0; i < len; i++)
			w |= (uint64_t) p[i] << (8 * i);
		h ^= rotl64(w * k2, 31) * k1;
		h = rotl64(h, 27) * k2 + k1;
	}
	return avalanche64(h);
}

/* ---- sketch access ---------------------------------------------------- */

static void
bad_state(const char *why)
{
	pgwasm_error_sqlstate("22P03", why);
}

/*
 * Check a non-empty sketch's header and size (cheap; done on every call) and
 * return its encoding.  full also checks every rank and the order of sparse
 * entries (a pass over the sketch; done by merge and count, which read all of
 * it anyway).
 */
static int
check_state(const uint8_t *s, size_t len, bool full)
{
	size_t		i;

	if (len < HLL_HDR || s[0] != 'h' || s[3] != 0)
		bad_state("invalid HyperLogLog sketch: bad header");
	if (s[1] != HLL_P)
		pgwasm_error_sqlstate("22023", "HyperLogLog sketch has an unsupported precision (this module uses p = 12)");
	if (s[2] == HLL_DENSE)
	{
		if (len != HLL_HDR + HLL_M)
			bad_state("invalid HyperLogLog sketch: wrong size for the dense encoding");
		if (full)
			for (i = 0; i < HLL_M; i++)
				if (s[HLL_HDR + i] > HLL_MAX_RANK)
					bad_state("invalid HyperLogLog sketch: register out of range");
		return HLL_DENSE;
	}
	if (s[2] != HLL_SPARSE || (len - HLL_HDR) % HLL_ENTRY != 0 ||
		(len - HLL_HDR) / HLL_ENTRY > SPARSE_MAX)
		bad_state("invalid HyperLogLog sketch: wrong size for the sparse encoding");
	if (full)
	{
		long		prev = -1;

		for (i = HLL_HDR; i < len; i += HLL_ENTRY)
		{
			long		idx = (long) s[i] << 8 | s[i + 1];

			if (idx <= prev || idx >= (long) HLL_M || s[i + 2] == 0 || s[i + 2] > HLL_MAX_RANK)
				bad_state("invalid HyperLogLog sketch: bad sparse entry");
			prev = idx;
		}
	}
	return HLL_SPARSE;
}

static inline unsigned
entry_index(const uint8_t *e)
{
	return (unsigned) e[0] << 8 | e[1];
}

static inline void
put_entry(uint8_t *e, unsigned idx, uint8_t rank)
{
	e[0] = (uint8_t) (idx >> 8);
	e[1] = (uint8_t) idx;
	e[2] = rank;
}

static inline void
put_header(uint8_t *s, int encoding)
{
	s[0] = 'h';
	s[1] = HLL_P;
	s[2] = (uint8_t) encoding;
	s[3] = 0;
}

/* A fresh dense sketch holding the sparse entries at e[0..n). */
static uint8_t *
sparse_to_dense(const uint8_t *e, size_t n)
{
	uint8_t    *d = (uint8_t *) pgwasm_alloc(HLL_HDR + HLL_M);
	size_t		i;

	put_header(d, HLL_DENSE);
	memset(d + HLL_HDR, 0, HLL_M);
	for (i = 0; i < n; i++, e += HLL_ENTRY)
		d[HLL_HDR + entry_index(e)] = e[2];
	return d;
}

/* Raise dense registers to the ranks of n sparse entries. */
static void
apply_sparse(uint8_t *regs, const uint8_t *e, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++, e += HLL_ENTRY)
		if (regs[entry_index(e)] < e[2])
			regs[entry_index(e)] = e[2];
}

/* ---- hll_add ---------------------------------------------------------- */

PGWASM_EXPORT(hll_add)
int64_t
hll_add(uint8_t *s, size_t len, const char *val, size_t vlen)
{
	uint64_t	h = hash64((const uint8_t *) val, vlen);
	unsigned	idx = (unsigned) (h >> (64 - HLL_P));
	uint64_t	rest = h << HLL_P;
	uint8_t		rank = rest ? (uint8_t) (__builtin_clzll(rest) + 1) : HLL_MAX_RANK;
	uint8_t    *out;
	size_t		n,
				lo,
				hi;

	if (len == 0)
	{
		out = (uint8_t *) pgwasm_alloc(HLL_HDR + HLL_ENTRY);
		put_header(out, HLL_SPARSE);
		put_entry(out + HLL_HDR, idx, rank);
		return pgwasm_return(out, HLL_HDR + HLL_ENTRY);
	}

	if (check_state(s, len, false) == HLL_DENSE)
	{
		if (s[HLL_HDR + idx] < rank)
			s[HLL_HDR + idx] = rank;
		return pgwasm_return(s, len);	/* the argument buffer, updated */
	}

	/* sparse: binary search for the register */
	n = (len - HLL_HDR) / HLL_ENTRY;
	lo = 0;
	hi = n;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (entry_index(s + HLL_HDR + mid * HLL_ENTRY) < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && entry_index(s + HLL_HDR + lo * HLL_ENTRY) == idx)
	{
		uint8_t    *e = s + HLL_HDR + lo * HLL_ENTRY;

		if (e[2] < rank)
			e[2] = rank;
		return pgwasm_return(s, len);
	}
	if (n + 1 > SPARSE_MAX)
	{
		out = sparse_to_dense(s + HLL_HDR, n);
		out[HLL_HDR + idx] = rank;
		return pgwasm_return(out, HLL_HDR + HLL_M);
	}
	/* insert a new entry at position lo */
	out = (uint8_t *) pgwasm_alloc(len + HLL_ENTRY);
	memcpy(out, s, HLL_HDR + lo * HLL_ENTRY);
	put_entry(out + HLL_HDR + lo * HLL_ENTRY, idx, rank);
	memcpy(out + HLL_HDR + (lo + 1) * HLL_ENTRY, s + HLL_HDR + lo * HLL_ENTRY,
		   (n - lo) * HLL_ENTRY);
	return pgwasm_return(out, len + HLL_ENTRY);
}

/* ---- hll_merge -------------------------------------------------------- */

/*
 * The union of two sketches: register-wise maximum.  It is the COMBINEFUNC
 * of the aggregate (partial states of parallel workers meet here) and the
 * transition function of a union aggregate over stored sketches.
 */
PGWASM_EXPORT(hll_merge)
int64_t
hll_merge(uint8_t *a, size_t alen, uint8_t *b, size_t blen)
{
	int			ka,
				kb;
	size_t		na,
				nb,
				i,
				j,
				n;
	uint8_t    *out,
			   *o;

	if (blen == 0)
	{
		if (alen > 0)
			(void) check_state(a, alen, true);
		return pgwasm_return(a, alen);
	}
	kb = check_state(b, blen, true);
	if (alen == 0)
		return pgwasm_return(b, blen);
	ka = check_state(a, alen, true);

	if (ka == HLL_DENSE && kb == HLL_DENSE)
	{
		for (i = HLL_HDR; i < alen; i++)
			if (a[i] < b[i])
				a[i] = b[i];
		return pgwasm_return(a, alen);
	}
	if (ka == HLL_DENSE)
	{
		apply_sparse(a + HLL_HDR, b + HLL_HDR, (blen - HLL_HDR) / HLL_ENTRY);
		return pgwasm_return(a, alen);
	}
	if (kb == HLL_DENSE)
	{
		apply_sparse(b + HLL_HDR, a + HLL_HDR, (alen - HLL_HDR) / HLL_ENTRY);
		return pgwasm_return(b, blen);
	}

	/* both sparse: merge the sorted entry lists */
	na = (alen - HLL_HDR) / HLL_ENTRY;
	nb = (blen - HLL_HDR) / HLL_ENTRY;
	out = (uint8_t *) pgwasm_alloc(HLL_HDR + (na + nb) * HLL_ENTRY);
	put_header(out, HLL_SPARSE);
	o = out + HLL_HDR;
	a += HLL_HDR;
	b += HLL_HDR;
	for (i = j = 0; i < na || j < nb; o += HLL_ENTRY)
	{
		unsigned	ia = i < na ? entry_index(a + i * HLL_ENTRY) : HLL_M;
		unsigned	ib = j < nb ? entry_index(b + j * HLL_ENTRY) : HLL_M;

		if (ia < ib)
			memcpy(o, a + i++ * HLL_ENTRY, HLL_ENTRY);
		else if (ib < ia)
			memcpy(o, b + j++ * HLL_ENTRY, HLL_ENTRY);
		else
		{
			uint8_t		ra = a[i++ * HLL_ENTRY + 2],
						rb = b[j++ * HLL_ENTRY + 2];

			put_entry(o, ia, ra > rb ? ra : rb);
		}
	}
	n = (size_t) (o - out - HLL_HDR) / HLL_ENTRY;
	if (n > SPARSE_MAX)
	{
		uint8_t    *d = sparse_to_dense(out + HLL_HDR, n);

		free(out);
		return pgwasm_return(d, HLL_HDR + HLL_M);
	}
	return pgwasm_return(out, HLL_HDR + n * HLL_ENTRY);
}

/* ---- hll_count -------------------------------------------------------- */

PGWASM_EXPORT(hll_count)
int64_t
hll_count(const uint8_t *s, size_t len)
{
	uint32_t	hist[HLL_MAX_RANK + 1] = {0};	/* registers per rank */
	const double m = HLL_M;
	double		z,
				est;
	size_t		i;
	int			k;

	if (len == 0)
		return 0;
	if (check_state(s, len, true) == HLL_DENSE)
		for (i = 0; i < HLL_M; i++)
			hist[s[HLL_HDR + i]]++;
	else
	{
		size_t		n = (len - HLL_HDR) / HLL_ENTRY;

		hist[0] = HLL_M - (uint32_t) n;
		for (i = 0; i < n; i++)
			hist[s[HLL_HDR + i * HLL_ENTRY + 2]]++;
	}

	/* z = sum over registers of 2^-rank, by Horner's rule over the histogram */
	z = hist[HLL_MAX_RANK];
	for (k = HLL_MAX_RANK - 1; k >= 0; k--)
		z = z * 0.5 + hist[k];

	est = 0.7213 / (1.0 + 1.079 / m) * m * m / z;
	if (est <= 2.5 * m && hist[0] > 0)
		est = m * log(m / hist[0]);	/* linear counting */
	return (int64_t) (est + 0.5);
}
