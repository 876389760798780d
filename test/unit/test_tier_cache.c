/*
 * test_tier_cache.c — unit tests of the native tier's code cache
 * (wrt_tier_set_code_cache, wrt_module_set_identity): machine code
 * compiled for one module is taken from the cache by the next module of
 * the same bytes and identity, which compiles nothing and computes the
 * same results (eagerly compiled batches and on-stack replacement
 * entries); a damaged or truncated entry is rejected, compiled and stored
 * again; another identity misses; a module without one is not cached.
 * The cache is an in-memory table here; each test runs in its own
 * process (main.c).
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_ENTRIES 64

typedef struct mem_entry {
	char key[256];
	uint8_t *bytes;
	size_t len;
} mem_entry;

static mem_entry entries[MAX_ENTRIES];
static int nentries, nloads, nstores;

static mem_entry *
find(const char *key)
{
	for (int i = 0; i < nentries; i++)
		if (strcmp(entries[i].key, key) == 0)
			return &entries[i];
	return NULL;
}

static void *
mem_load(void *arg, const char *key, size_t *len)
{
	(void) arg;
	nloads++;
	mem_entry *e = find(key);
	if (!e)
		return NULL;
	uint8_t *copy = malloc(e->len);
	if (!copy)
		return NULL;
	memcpy(copy, e->bytes, e->len);
	*len = e->len;
	return copy;
}

static void
mem_store(void *arg, const char *key, const void *bytes, size_t len)
{
	(void) arg;
	nstores++;
	mem_entry *e = find(key);
	if (!e)
	{
		if (nentries == MAX_ENTRIES || strlen(key) >= sizeof(e->key))
			return;
		e = &entries[nentries++];
		strcpy(e->key, key);
	}
	free(e->bytes);
	e->bytes = malloc(len);
	memcpy(e->bytes, bytes, len);
	e->len = len;
}

static const wrt_code_cache mem_cache = {NULL, mem_load, mem_store};

static const uint8_t id_a[32] = {0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const uint8_t id_b[32] = {0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 10};

static bool
twice(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	(void) call;
	(void) user;
	results[0].i32 = args[0].i32 * 2;
	return true;
}

static const uint8_t one_i32[] = {WRT_I32};

/* A fresh module of tier.wat with this identity (NULL: none), eagerly
 * compiled in a fresh store: the results of a few calls, and its stats. */
static bool
run_tier(const uint8_t *identity, int32_t out[6], wrt_tier_stats *st)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("tier");
	if (!s || !m)
		return false;
	if (identity)
		wrt_module_set_identity(m, identity);
	wrt_tier_settings ts = {WRT_TIER_EAGER, 0, 0};
	wrt_store_set_tier(s, &ts);
	wrt_functype ft = {1, 1, one_i32, one_i32};
	wrt_func *h = wrt_func_new_host(s, &ft, twice, NULL);
	if (!h)
		return false;
	wrt_extern imp = unit_func_extern(h);
	wrt_instance *inst = unit_instantiate(s, m, &imp, 1);
	if (!inst)
		return false;
	struct { const char *name; int32_t a, b; int nargs; } calls[] = {
		{"fib", 20, 0, 1}, {"sum", 1000, 0, 1}, {"load", 4, 0, 1},
		{"mixed", 10, 0, 2}, {"mixed", 10, 1, 2}, {"mixed", 10, 2, 2},
	};
	for (int i = 0; i < 6; i++)
	{
		wrt_func *f = unit_export_func(inst, calls[i].name);
		int32_t args[2] = {calls[i].a, calls[i].b}, r = 0;
		if (!f)
			return false;
		/* the last traps (null element): its trap kind is the result */
		out[i] = unit_call_i32(s, f, args, &r) ? r : -(int32_t) wrt_store_trap(s)->kind;
	}
	wrt_tier_get_stats(m, st);
	return true;
}

void
test_tier_cache_hit(void)
{
	wrt_tier_set_code_cache(&mem_cache);
	int32_t want[6], got[6];
	wrt_tier_stats st;
	NEED(run_tier(id_a, want, &st));
	CHECKF(wrt_tier_status() == NULL, "tier unavailable: %s", wrt_tier_status());
	CHECK_EQ(want[0], 6765);
	CHECK_EQ(want[1], 500500);
	CHECK_EQ(want[4], 75);
	CHECK_EQ(want[5], -(int32_t) WRT_TRAP_INDIRECT_NULL);
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(st.cache_misses, 1);
	CHECK_EQ(st.cache_hits, 0);
	CHECK(st.compiled >= 10);
	CHECK_EQ(nentries, 1);
	/* the key: the identity in hex, then printable file-name characters */
	CHECK(strncmp(entries[0].key, "abcd0102030405060708090000", 26) == 0);
	for (const char *c = entries[0].key; *c; c++)
		CHECKF((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_',
			   "key %s", entries[0].key);
	uint64_t compiled = st.compiled;

	/* a new module of the same bytes: nothing compiled, same results */
	NEED(run_tier(id_a, got, &st));
	CHECK_EQ(st.batches, 0);
	CHECK_EQ(st.cache_hits, 1);
	CHECK_EQ(st.cache_misses, 0);
	CHECK_EQ(st.compiled, compiled);
	CHECK_EQ(nentries, 1);
	CHECK_EQ(nstores, 1);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(got[i], want[i]);

	/* another identity misses; no identity: not even looked up */
	NEED(run_tier(id_b, got, &st));
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(st.cache_hits, 0);
	CHECK_EQ(st.cache_misses, 1);
	CHECK_EQ(nentries, 2);
	int loads = nloads;
	NEED(run_tier(NULL, got, &st));
	CHECK_EQ(st.batches, 1);
	CHECK_EQ(st.cache_hits + st.cache_misses + st.cache_rejects, 0);
	CHECK_EQ(nloads, loads);
	CHECK_EQ(nentries, 2);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(got[i], want[i]);
	wrt_tier_stats all;
	wrt_tier_get_stats(NULL, &all);
	CHECK_EQ(all.cache_hits, 1);
	CHECK_EQ(all.cache_misses, 2);
}

void
test_tier_cache_damaged(void)
{
	wrt_tier_set_code_cache(&mem_cache);
	int32_t want[6], got[6];
	wrt_tier_stats st;
	NEED(run_tier(id_a, want, &st));
	NEED(nentries == 1);
	/* one bit of the object, one of the key, the length: each rejected,
	 * compiled and stored again, and a later module hits */
	size_t len = entries[0].len;
	size_t where[3] = {len - 100, 40, 0};
	for (int k = 0; k < 4; k++)
	{
		if (k < 3)
			entries[0].bytes[where[k]] ^= 0x10;
		else
			entries[0].len = len - 1;           /* truncated */
		int stores = nstores;
		NEED(run_tier(id_a, got, &st));
		CHECKF(st.cache_rejects == 1 && st.cache_hits == 0 && st.batches == 1,
			   "damage %d: %llu rejects, %llu hits, %llu batches", k, (unsigned long long) st.cache_rejects,
			   (unsigned long long) st.cache_hits, (unsigned long long) st.batches);
		CHECK_EQ(nstores, stores + 1);
		CHECK_EQ(entries[0].len, len);
		for (int i = 0; i < 6; i++)
			CHECK_EQ(got[i], want[i]);
		NEED(run_tier(id_a, got, &st));
		CHECK_EQ(st.cache_hits, 1);
		CHECK_EQ(st.batches, 0);
		for (int i = 0; i < 6; i++)
			CHECK_EQ(got[i], want[i]);
	}
}

/* On-stack replacement entries are cached per function and loop. */
static bool
run_osr(const char *name, int32_t arg, uint64_t *bits, wrt_tier_stats *st)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("osr");
	if (!s || !m)
		return false;
	wrt_module_set_identity(m, id_a);
	wrt_tier_settings ts = {WRT_TIER_TIERED, 1000000, 7};
	wrt_store_set_tier(s, &ts);
	wrt_instance *inst = unit_instantiate(s, m, NULL, 0);
	wrt_func *f = inst ? unit_export_func(inst, name) : NULL;
	if (!f)
		return false;
	wrt_value a = {.bits = 0}, r = {.bits = 0};
	a.i32 = arg;
	bool ok = wrt_call(s, f, &a, &r);
	*bits = r.bits;
	wrt_tier_get_stats(m, st);
	return ok;
}

void
test_tier_cache_osr(void)
{
	wrt_tier_set_code_cache(&mem_cache);
	static const struct { const char *name; int32_t arg; } cases[] = {
		{"below", 2000}, {"params", 1000}, {"nested", 500}, {"floats", 1000}, {"grow", 2000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		uint64_t want, got;
		wrt_tier_stats st;
		CHECK(run_osr(cases[i].name, cases[i].arg, &want, &st));
		CHECKF(st.osr_entries == 1 && st.cache_hits == 0 && st.cache_misses >= 1, "%s: first run",
			   cases[i].name);
		CHECK(run_osr(cases[i].name, cases[i].arg, &got, &st));
		CHECKF(got == want, "%s: %#llx, compiled %#llx", cases[i].name, (unsigned long long) got,
			   (unsigned long long) want);
		CHECKF(st.osr_entries == 1 && st.cache_hits >= 1 && st.cache_misses == 0, "%s: %llu hits, %llu misses",
			   cases[i].name, (unsigned long long) st.cache_hits, (unsigned long long) st.cache_misses);
	}
}
