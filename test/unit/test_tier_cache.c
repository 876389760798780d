/*
 * test_tier_cache.c — unit tests of the native tier's code cache
 * (wrt_tier_set_code_cache, wrt_module_set_identity): machine code
 * compiled for one module is taken from the cache by the next module of
 * the same bytes and identity, which compiles nothing and computes the
 * same results (eagerly compiled batches and on-stack replacement
 * entries); a damaged or truncated entry is rejected, compiled and stored
 * again; another identity misses; a module without one is not cached; a
 * process that finds every unit in the cache links them without loading
 * the back end.
 * The cache is an in-memory table here; each test runs in its own
 * process (main.c).
 */
#define _GNU_SOURCE
#include "unit.h"
#include "objload.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * A process whose units are all in the cache links them itself, without
 * loading the back end (tier.c, objload.h): the cache is filled by a child
 * process that compiled (and loaded the back end), then this process runs
 * the same module, eagerly and by on-stack replacement, and must compute
 * the same results with the back end never loaded.  x86-64 only: elsewhere
 * the back end links cached units.
 */
static bool
fill_from_child(bool (*work)(void *), void *arg)
{
	int fd[2];
	if (pipe(fd) != 0)
		return false;
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
	{
		close(fd[0]);
		bool ok = work(arg);
		FILE *out = fdopen(fd[1], "wb");
		for (int i = 0; ok && out && i < nentries; i++)
		{
			size_t kl = strlen(entries[i].key);
			fwrite(&kl, sizeof(kl), 1, out);
			fwrite(entries[i].key, 1, kl, out);
			fwrite(&entries[i].len, sizeof(entries[i].len), 1, out);
			fwrite(entries[i].bytes, 1, entries[i].len, out);
		}
		if (out)
			fclose(out);
		_exit(ok ? 0 : 1);
	}
	close(fd[1]);
	FILE *in = fdopen(fd[0], "rb");
	size_t kl;
	while (in && fread(&kl, sizeof(kl), 1, in) == 1 && kl < sizeof(entries[0].key) && nentries < MAX_ENTRIES)
	{
		mem_entry *e = &entries[nentries];
		if (fread(e->key, 1, kl, in) != kl || fread(&e->len, sizeof(e->len), 1, in) != 1)
			break;
		e->key[kl] = '\0';
		if (!(e->bytes = malloc(e->len)) || fread(e->bytes, 1, e->len, in) != e->len)
			break;
		nentries++;
	}
	if (in)
		fclose(in);
	int status = 0;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int32_t child_results[6];

static bool
child_tier(void *arg)
{
	(void) arg;
	wrt_tier_stats st;
	return run_tier(id_a, child_results, &st) && st.batches == 1 && wrt_tier_loaded();
}

static uint64_t child_osr_bits;

static bool
child_osr(void *arg)
{
	wrt_tier_stats st;
	return run_osr(arg, 1000, &child_osr_bits, &st) && st.osr_entries == 1 && wrt_tier_loaded();
}

void
test_tier_cache_without_backend(void)
{
	wrt_tier_set_code_cache(&mem_cache);
#if defined(__x86_64__) && defined(__linux__)
	bool engine_links = true;
#else
	bool engine_links = false;
#endif
	/* results travel through the pipe's entries only: the child's
	 * child_results are its own, so compute them again here after */
	NEED(fill_from_child(child_tier, NULL));
	NEED(nentries == 1);
	CHECK(!wrt_tier_loaded());
	int32_t got[6];
	wrt_tier_stats st;
	NEED(run_tier(id_a, got, &st));
	CHECKF(st.cache_hits == 1 && st.batches == 0 && st.compiled >= 10, "%llu hits, %llu batches, %llu compiled",
		   (unsigned long long) st.cache_hits, (unsigned long long) st.batches, (unsigned long long) st.compiled);
	CHECKF(wrt_tier_loaded() == !engine_links, "back end %s", wrt_tier_loaded() ? "loaded" : "not loaded");
	CHECK_EQ(got[0], 6765);
	CHECK_EQ(got[1], 500500);
	CHECK_EQ(got[4], 75);
	CHECK_EQ(got[5], -(int32_t) WRT_TRAP_INDIRECT_NULL);

	/* on-stack replacement entries the same way */
	static const char *const loops[] = {"params", "floats", "grow"};
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
	{
		int before = nentries;
		NEED(fill_from_child(child_osr, (void *) loops[i]));
		CHECKF(nentries > before, "%s: nothing cached", loops[i]);
		uint64_t bits;
		CHECK(run_osr(loops[i], 1000, &bits, &st));
		CHECKF(st.osr_entries == 1 && st.cache_hits >= 1 && st.cache_misses == 0, "%s: %llu hits, %llu misses",
			   loops[i], (unsigned long long) st.cache_hits, (unsigned long long) st.cache_misses);
		CHECKF(wrt_tier_loaded() == !engine_links, "%s: back end %s", loops[i],
			   wrt_tier_loaded() ? "loaded" : "not loaded");
		/* the interpreter's result, for comparison */
		wrt_store *s = unit_store();
		wrt_module *m = unit_fixture("osr");
		NEED(s && m);
		wrt_instance *inst = unit_instantiate(s, m, NULL, 0);
		wrt_func *f = inst ? unit_export_func(inst, loops[i]) : NULL;
		NEED(f);
		wrt_value a = {.bits = 0}, r = {.bits = 0};
		a.i32 = 1000;
		CHECK(wrt_call(s, f, &a, &r));
		CHECKF(r.bits == bits, "%s: %#llx from the cache, %#llx interpreted", loops[i],
			   (unsigned long long) bits, (unsigned long long) r.bits);
	}
}

/*
 * The loader (objload.h) on damaged objects: a real unit from the cache,
 * then the same bytes with the machine, a relocation's type, an undefined
 * symbol's name or the section table changed, truncated at many lengths,
 * and with random bytes flipped: each is refused or loaded, never a crash
 * or a read outside the bytes (ASan build); nothing of them runs.
 */
static void *
resolve_none(void *arg, const char *name)
{
	(void) arg;
	static char helper;
	return strncmp(name, "wrt_tier_h_", 11) == 0 ? &helper : NULL;
}

void
test_tier_objload_hostile(void)
{
	wrt_tier_set_code_cache(&mem_cache);
	int32_t out[6];
	wrt_tier_stats st;
	NEED(run_tier(id_a, out, &st));
	NEED(nentries == 1);
	uint32_t klen;
	memcpy(&klen, entries[0].bytes + 12, 4);
	const uint8_t *obj = entries[0].bytes + 32 + klen;
	size_t len = entries[0].len - 32 - klen;
	char err[128] = "";
	if (!wrt_obj_supported())
	{
		CHECK(wrt_obj_load(obj, len, resolve_none, NULL, err, sizeof(err)) == NULL);
		return;
	}
	wrt_objcode *o = wrt_obj_load(obj, len, resolve_none, NULL, err, sizeof(err));
	CHECKF(o != NULL, "a good object refused: %s", err);
	char name[96];
	snprintf(name, sizeof(name), "e_%s", strchr(entries[0].key, '-') + 1);
	*strrchr(name, '-') = '\0';
	CHECK(wrt_obj_symbol(o, "no such symbol") == NULL);
	wrt_obj_free(o);

	uint8_t *copy = malloc(len);
	NEED(copy);
	/* the machine */
	memcpy(copy, obj, len);
	copy[18] ^= 1;
	CHECK(wrt_obj_load(copy, len, resolve_none, NULL, err, sizeof(err)) == NULL);
	CHECKF(strstr(err, "relocatable") != NULL, "machine: %s", err);
	/* a helper the resolver does not know */
	memcpy(copy, obj, len);
	uint8_t *h = memmem(copy, len, "wrt_tier_h_trap", 15);
	NEED(h);
	h[0] = 'x';
	CHECK(wrt_obj_load(copy, len, resolve_none, NULL, err, sizeof(err)) == NULL);
	CHECKF(strstr(err, "unresolved symbol xrt_tier_h_trap") != NULL, "symbol: %s", err);
	/* every relocation of a kind the loader does not know (GOTPCREL) */
	memcpy(copy, obj, len);
	uint64_t shoff;
	uint16_t shnum;
	memcpy(&shoff, copy + 0x28, 8);
	memcpy(&shnum, copy + 0x3c, 2);
	int patched = 0;
	for (uint16_t i = 0; i < shnum; i++)
	{
		uint8_t *sh = copy + shoff + (size_t) i * 64;
		uint32_t type;
		uint64_t off, size;
		memcpy(&type, sh + 4, 4);
		memcpy(&off, sh + 24, 8);
		memcpy(&size, sh + 32, 8);
		if (type != 4 /* SHT_RELA */)
			continue;
		for (uint64_t r = off; r + 24 <= off + size; r += 24)
		{
			copy[r + 8] = 9;    /* r_info's type: R_X86_64_GOTPCREL */
			patched++;
		}
	}
	NEED(patched > 0);
	CHECK(wrt_obj_load(copy, len, resolve_none, NULL, err, sizeof(err)) == NULL);
	CHECKF(strstr(err, "relocation type 9") != NULL, "relocation: %s", err);
	/* the section table past the end */
	memcpy(copy, obj, len);
	shoff = len - 8;
	memcpy(copy + 0x28, &shoff, 8);
	CHECK(wrt_obj_load(copy, len, resolve_none, NULL, err, sizeof(err)) == NULL);
	free(copy);

	/* truncated (each length in its own buffer, so ASan sees the end) */
	int loaded = 0;
	for (size_t cut = 0; cut < len; cut += cut < 256 ? 1 : 97)
	{
		uint8_t *t = malloc(cut ? cut : 1);
		NEED(t);
		memcpy(t, obj, cut);
		wrt_objcode *x = wrt_obj_load(t, cut, resolve_none, NULL, err, sizeof(err));
		loaded += x != NULL;
		wrt_obj_free(x);
		free(t);
	}
	CHECKF(loaded == 0, "%d truncated objects loaded", loaded);
	/* random flips: loaded or refused, never a crash */
	uint32_t seed = 12345;
	for (int round = 0; round < 2000; round++)
	{
		uint8_t *t = malloc(len);
		NEED(t);
		memcpy(t, obj, len);
		for (int k = 0; k < 4; k++)
		{
			seed = seed * 1103515245u + 12345u;
			/* mostly the headers and tables: the ELF header, the section
			 * table at the end, then anywhere */
			size_t at = k == 0 ? (seed >> 8) % 64 : k == 1 ? len - 1 - (seed >> 8) % (len < 1024 ? len : 1024)
				: (seed >> 8) % len;
			t[at] ^= (uint8_t) (1u << ((seed >> 3) & 7));
		}
		wrt_obj_free(wrt_obj_load(t, len, resolve_none, NULL, err, sizeof(err)));
		free(t);
	}
}
