/*
 * cguest.c — a C guest built with clang --target=wasm32-wasi and Debian's
 * wasi-libc (reactor model), for sql/cguest.sql.  It is self-contained (no
 * examples/ header), so it pins the ABI v1 contract on its own:
 *
 *   - exports cabi_realloc and free: the host allocates argument buffers
 *     with the first and releases argument and result buffers with the second;
 *   - a constructor that _initialize runs once per instantiation;
 *   - printf through WASI fd_write (each line becomes a NOTICE);
 *   - static state (counter, remember/recall) that lives for a transaction;
 *   - a bytea-state aggregate (sum_step / sum_final);
 *   - WASI clock and random, proc_exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline int64_t
pack(const void *ptr, size_t len)
{
	return (int64_t) (((uint64_t) len << 32) | (uint32_t) (uintptr_t) ptr);
}

EXPORT(cabi_realloc) void *
cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size)
{
	void	   *p = realloc(old, new_size ? new_size : 1);

	if (p == NULL)
		__builtin_trap();
	return p;
}

EXPORT(free) void
guest_free(void *p)
{
	free(p);
}

static int	init_runs;

__attribute__((constructor)) static void
init(void)
{
	init_runs++;
}

EXPORT(init_runs) int32_t
get_init_runs(void)
{
	return init_runs;
}

EXPORT(hello) int32_t
hello(int32_t n)
{
	for (int i = 1; i <= n; i++)
		printf("line %d of %d\n", i, n);
	printf("no newline at the end");
	fflush(stdout);
	return n;
}

/* greet(text) -> text: 'hello, NAME!' in a malloc'd buffer the host frees */
EXPORT(greet) int64_t
greet(const char *name, size_t len)
{
	char	   *out = malloc(len + 8);

	memcpy(out, "hello, ", 7);
	memcpy(out + 7, name, len);
	out[len + 7] = '!';
	return pack(out, len + 8);
}

static int32_t counter;

EXPORT(counter) int32_t
next_counter(void)
{
	return ++counter;
}

static char secret[64];
static size_t secret_len;

EXPORT(remember) int32_t
remember(const char *p, size_t len)
{
	secret_len = len < sizeof(secret) ? len : sizeof(secret);
	memcpy(secret, p, secret_len);
	return (int32_t) secret_len;
}

EXPORT(recall) int64_t
recall(void)
{
	char	   *out = malloc(secret_len + 1);

	memcpy(out, secret, secret_len);
	return pack(out, secret_len);
}

/* Pages of linear memory: stays flat over many calls if buffers are freed. */
EXPORT(memory_pages) int32_t
memory_pages(void)
{
	return (int32_t) __builtin_wasm_memory_size(0);
}

/* Allocate 1 MB blocks until malloc fails; returns how many succeeded. */
EXPORT(grab_megabytes) int32_t
grab_megabytes(int32_t max)
{
	int32_t		n = 0;

	/* Touch each block: an unused malloc may be optimised away. */
	while (n < max)
	{
		volatile char *p = malloc(1024 * 1024);

		if (p == NULL)
			break;
		p[0] = 1;
		n++;
	}
	return n;
}

/* Aggregate state: {int64 sum, int64 count} in a bytea. */
typedef struct
{
	int64_t		sum;
	int64_t		count;
} sum_state;

EXPORT(sum_step) int64_t
sum_step(const uint8_t *state, size_t len, int32_t value)
{
	sum_state  *s = calloc(1, sizeof(sum_state));

	if (len == sizeof(sum_state))
		memcpy(s, state, sizeof(sum_state));
	s->sum += value;
	s->count++;
	return pack(s, sizeof(sum_state));
}

EXPORT(sum_final) double
sum_final(const uint8_t *state, size_t len)
{
	sum_state	s;

	if (len != sizeof(sum_state))
		return 0;
	memcpy(&s, state, sizeof(s));
	return s.count ? (double) s.sum / (double) s.count : 0;
}

EXPORT(now_us) int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

EXPORT(random_bytes) int64_t
random_bytes(int32_t n)
{
	uint8_t    *buf = malloc(n > 0 ? n : 1);

	if (n > 256 || getentropy(buf, n) != 0)
		__builtin_trap();
	return pack(buf, n);
}

EXPORT(exit_with) int32_t
exit_with(int32_t code)
{
	exit(code);
}
