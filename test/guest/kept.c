/*
 * kept.c — a C guest (clang --target=wasm32-wasi, wasi-libc's malloc) for
 * sql/kept.sql: argument buffers that the host keeps from call to call.
 * With a real allocator, a buffer the host still uses after giving it back
 * (or after the instance was reset) would be handed out again by malloc,
 * for a result: the functions below would then read their argument from
 * their own output, and give wrong answers.
 *
 *   rev(text) -> text        reversed copy (malloc'd); traps on "trap..."
 *   cat(text, text) -> text  concatenation (malloc'd)
 *   len(text) -> int4        length
 *   echo(text) -> text       the argument buffer itself (not malloc'd)
 *   tail(text) -> text       a pointer into the argument buffer
 *   remember(text) / stale() the argument's address, kept past the call
 *                            (which ABI v1 forbids), and returned later
 *   sum(float8[]) -> float8
 *   allocs(), frees()        calls of cabi_realloc and free so far
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static int32_t nallocs,
			nfrees;

static inline int64_t
pack(const void *ptr, size_t len)
{
	return (int64_t) (((uint64_t) len << 32) | (uint32_t) (uintptr_t) ptr);
}

EXPORT(cabi_realloc) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	void	   *p = realloc(old, new_size ? new_size : 1);

	nallocs++;
	if (p == NULL)
		__builtin_trap();
	return p;
}

EXPORT(free) void
guest_free(void *p)
{
	nfrees++;
	free(p);
}

EXPORT(allocs) int32_t
allocs(void)
{
	return nallocs;
}

EXPORT(frees) int32_t
frees(void)
{
	return nfrees;
}

EXPORT(rev) int64_t
rev(const char *s, size_t len)
{
	char	   *out = malloc(len ? len : 1);

	if (len >= 4 && memcmp(s, "trap", 4) == 0)
		__builtin_trap();
	for (size_t i = 0; i < len; i++)
		out[i] = s[len - 1 - i];
	return pack(out, len);
}

EXPORT(cat) int64_t
cat(const char *a, size_t alen, const char *b, size_t blen)
{
	char	   *out = malloc(alen + blen + 1);

	/* b first, then a: an output aliasing an input would show. */
	memcpy(out + alen, b, blen);
	memcpy(out, a, alen);
	return pack(out, alen + blen);
}

EXPORT(len) int32_t
len(const char *s, size_t n)
{
	return (int32_t) n;
}

EXPORT(echo) int64_t
echo(const char *s, size_t n)
{
	return pack(s, n);
}

EXPORT(tail) int64_t
tail(const char *s, size_t n)
{
	return n ? pack(s + 1, n - 1) : pack(s, 0);
}

static const char *remembered;
static size_t remembered_len;

EXPORT(remember) int32_t
remember(const char *s, size_t n)
{
	remembered = s;
	remembered_len = n;
	return (int32_t) n;
}

EXPORT(stale) int64_t
stale(void)
{
	return pack(remembered, remembered_len);
}

EXPORT(sum) double
sum(const double *v, size_t n)
{
	double		s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}
