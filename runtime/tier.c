/*
 * tier.c — the engine side of the native tier (tier.h): the tiering
 * policy, loading the back end's shared object on the first tier-up,
 * installing the entry points it returns, and the helpers machine code
 * calls back into.
 *
 * Loading: dlopen of the path the host gave (wrt_tier_set_library), else
 * $WRT_TIER_LIBRARY, else wasmrt-llvm.so beside the executable, else the
 * bare name (the dynamic loader's search).  It is tried once per process;
 * a failure is kept as the tier's status, handed once to the host's notice
 * callback, and from then on every function stays interpreted.  The engine
 * prints nothing.
 *
 * The helpers mirror the interpreter's handlers (interp.c) so that a trap
 * has the same kind and message whichever tier raised it.
 */
#include "tier.h"
#include "compile.h"
#include "objload.h"
#include "reader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static const wrt_tier_backend *backend;
static bool backend_tried;
static char backend_error[512];
static char *library_path;
static void (*notice_cb)(void *ud, const char *message);
static void *notice_ud;
static wrt_tier_stats process_stats;
static char last_refusal[160];

/* ---- settings ------------------------------------------------------------ */

/* Calls after which a function hot by a loop (WRT_TIER_LOOPS) is compiled
 * whole, unless its call threshold comes first. */
#define LOOPS_CALLS 4

/* Calls after which a function whose loops cross their threshold is
 * compiled whole rather than given an OSR entry: its calls are short
 * (under loop_threshold / SHORT_CALLS back-edges each, on average), so the
 * one running ends soon anyway, and its next calls would soon compile it
 * whole after the OSR entry, two compilations where one does.  A function
 * called per row in PostgreSQL, looping over its argument, is the usual
 * case; so are CoreMark's list and matrix functions. */
#define SHORT_CALLS 8

static int32_t
call_threshold(const wrt_store *s)
{
	uint32_t t = s->tier.call_threshold ? s->tier.call_threshold : WRT_TIER_DEFAULT_CALLS;
	return t > INT32_MAX ? INT32_MAX : (int32_t) t;
}

static int32_t
loop_threshold(const wrt_store *s)
{
	uint32_t t = s->tier.loop_threshold ? s->tier.loop_threshold : WRT_TIER_DEFAULT_LOOPS;
	return t > INT32_MAX ? INT32_MAX : (int32_t) t;
}

void
wrt_store_set_tier(wrt_store *s, const wrt_tier_settings *settings)
{
	if (settings)
		s->tier = *settings;
	else
		memset(&s->tier, 0, sizeof(s->tier));
	wrt_tier_store_changed(s);
}

bool
wrt_tier_mode_parse(const char *name, wrt_tier_mode *mode)
{
	if (strcmp(name, "interp") == 0)
		*mode = WRT_TIER_INTERP;
	else if (strcmp(name, "tiered") == 0)
		*mode = WRT_TIER_TIERED;
	else if (strcmp(name, "eager") == 0)
		*mode = WRT_TIER_EAGER;
	else
		return false;
	return true;
}

/* Countdowns at zero make the next call or back-edge of every function of
 * the store's modules look at the (new) policy. */
void
wrt_tier_store_changed(wrt_store *s)
{
	for (size_t i = 0; i < s->nobjects; i++)
	{
		if (s->object_kinds[i] != WRT_OBJ_INSTANCE)
			continue;
		wrt_module *m = ((wrt_instance *) s->objects[i])->mod;
		for (uint32_t k = 0; k < m->nfuncs - m->nfunc_imports; k++)
		{
			wrt_code *c = &m->codes[k];
			c->tier_calls = 0;
			c->tier_loops = 0;
			if (c->tier_state == WRT_TIER_COUNTING)
				c->tier_state = WRT_TIER_NONE;
			/* hot by a loop: its OSR entries stay, its calls count again */
			if (c->tier_state == WRT_TIER_LOOPS)
				c->tier_calls = s->tier.mode != WRT_TIER_TIERED ? 0
					: call_threshold(s) - 1 < LOOPS_CALLS ? call_threshold(s) - 1 : LOOPS_CALLS;
		}
	}
}

void
wrt_tier_set_library(const char *path)
{
	free(library_path);
	library_path = path ? strdup(path) : NULL;
}

void
wrt_tier_set_notice(void (*notice)(void *ud, const char *message), void *ud)
{
	notice_cb = notice;
	notice_ud = ud;
}

const char *
wrt_tier_status(void)
{
	return backend_error[0] ? backend_error : NULL;
}

static const wrt_tier_backend *load_backend(void);

bool
wrt_tier_preload(void)
{
	return load_backend() != NULL;
}

bool
wrt_tier_loaded(void)
{
	return backend_tried && backend != NULL;
}

void
wrt_tier_get_stats(const wrt_module *m, wrt_tier_stats *out)
{
	*out = m ? m->tier_stats : process_stats;
}

const char *
wrt_tier_last_refusal(void)
{
	return last_refusal[0] ? last_refusal : NULL;
}

uint32_t
wrt_tier_window(const wrt_functype *t)
{
	uint32_t np = wrt_types_slots(t->params, t->nparams);
	uint32_t nr = wrt_types_slots(t->results, t->nresults);
	uint32_t w = np > nr ? np : nr;
	return w ? w : 1;
}

/* ---- the helpers ---------------------------------------------------------- */

static void
push_frame(wrt_instance *inst, uint32_t func, uint32_t offset)
{
	wrt_trap *t = &inst->store->trap;
	if (t->nframes >= WRT_MAX_BACKTRACE)
		return;
	wrt_frameinfo *fi = &t->frames[t->nframes++];
	fi->func_index = func;
	fi->offset = offset;
	fi->name = wrt_module_func_name(inst->mod, func);
}

static void
h_trap(wrt_instance *inst, uint32_t kind, uint32_t func, uint32_t offset)
{
	wrt_store *s = inst->store;
	wrt_trap_set(s, (wrt_trapkind) kind, NULL);
	s->trap.nframes = 0;
	/* Machine code raises "call stack exhausted" at the entry of the
	 * function that does not fit; the interpreter raises it at the call,
	 * in the caller, whose frame (the call's offset) the caller adds while
	 * unwinding: so the callee records none, and backtraces are the same. */
	if (kind != WRT_TRAP_STACK_EXHAUSTED)
		push_frame(inst, func, offset);
}

static void
h_unwind(wrt_instance *inst, uint32_t func, uint32_t offset)
{
	push_frame(inst, func, offset);
}

static uint32_t
h_interrupt(wrt_instance *inst)
{
	wrt_store *s = inst->store;
	return s->interrupt_handler && s->interrupt_handler(s->interrupt_ud);
}

static uint32_t
h_call(wrt_instance *inst, uint32_t func, wrt_slot *args)
{
	return wrt_interp_call_slots(inst->store, inst, inst->funcs[func], args);
}

static uint32_t
h_call_indirect(wrt_instance *inst, uint32_t table, uint32_t type, uint32_t elem,
				wrt_slot *args, uint32_t func, uint32_t offset)
{
	wrt_store *s = inst->store;
	wrt_table *t = inst->tables[table];
	wrt_trapkind kind = WRT_TRAP_NONE;
	const char *msg = NULL;
	wrt_func *fn = NULL;
	if (elem >= t->size)
	{
		kind = WRT_TRAP_TABLE_OOB;
		msg = "undefined element";
	}
	else if (!(fn = t->elems[elem]))
		kind = WRT_TRAP_INDIRECT_NULL;
	else if (fn->type_id != inst->type_ids[type])
		kind = WRT_TRAP_INDIRECT_TYPE;
	if (kind != WRT_TRAP_NONE)
	{
		/* The calling function's frame (func, offset) is added by its
		 * unwind block, as for a callee that trapped: not here too. */
		if (msg)
			wrt_trap_set(s, kind, "%s", msg);
		else
			wrt_trap_set(s, kind, NULL);
		s->trap.nframes = 0;
		return 0;
	}
	return wrt_interp_call_slots(s, inst, fn, args);
}

static uint32_t
h_memory_grow(wrt_instance *inst, uint32_t delta)
{
	return (uint32_t) (inst->mem0 ? wrt_memory_grow_internal(inst->mem0, delta) : -1);
}

static uint32_t
h_memory_init(wrt_instance *inst, uint32_t seg, uint32_t d, uint32_t src, uint32_t n)
{
	return wrt_exec_memory_init(inst, seg, d, src, n) ? WRT_TRAP_NONE : WRT_TRAP_MEMORY_OOB;
}

static void
h_data_drop(wrt_instance *inst, uint32_t seg)
{
	inst->data_dropped[seg] = 1;
}

static uint32_t
h_memory_copy(wrt_instance *inst, uint32_t d, uint32_t src, uint32_t n)
{
	wrt_memory *m = inst->mem0;
	uint64_t size = m ? m->size : 0;
	if ((uint64_t) d + n > size || (uint64_t) src + n > size)
		return WRT_TRAP_MEMORY_OOB;
	if (n)
		memmove(m->data + d, m->data + src, n);
	return WRT_TRAP_NONE;
}

static uint32_t
h_memory_fill(wrt_instance *inst, uint32_t d, uint32_t v, uint32_t n)
{
	wrt_memory *m = inst->mem0;
	uint64_t size = m ? m->size : 0;
	if ((uint64_t) d + n > size)
		return WRT_TRAP_MEMORY_OOB;
	if (n)
		memset(m->data + d, (int) (uint8_t) v, n);
	return WRT_TRAP_NONE;
}

static uint32_t
h_table_get(wrt_instance *inst, uint32_t table, uint32_t i, void **out)
{
	wrt_table *t = inst->tables[table];
	if (i >= t->size)
		return WRT_TRAP_TABLE_OOB;
	*out = t->elems[i];
	return WRT_TRAP_NONE;
}

static uint32_t
h_table_set(wrt_instance *inst, uint32_t table, uint32_t i, void *v)
{
	wrt_table *t = inst->tables[table];
	if (i >= t->size)
		return WRT_TRAP_TABLE_OOB;
	t->elems[i] = v;
	return WRT_TRAP_NONE;
}

static uint32_t
h_table_size(wrt_instance *inst, uint32_t table)
{
	return inst->tables[table]->size;
}

static uint32_t
h_table_grow(wrt_instance *inst, uint32_t table, void *init, uint32_t n)
{
	return (uint32_t) wrt_table_grow_internal(inst->tables[table], n, init);
}

static uint32_t
h_table_fill(wrt_instance *inst, uint32_t table, uint32_t i, void *v, uint32_t n)
{
	wrt_table *t = inst->tables[table];
	if ((uint64_t) i + n > t->size)
		return WRT_TRAP_TABLE_OOB;
	for (uint32_t k = 0; k < n; k++)
		t->elems[i + k] = v;
	return WRT_TRAP_NONE;
}

static uint32_t
h_table_copy(wrt_instance *inst, uint32_t dti, uint32_t sti, uint32_t d, uint32_t src, uint32_t n)
{
	wrt_table *dt = inst->tables[dti], *st = inst->tables[sti];
	if ((uint64_t) d + n > dt->size || (uint64_t) src + n > st->size)
		return WRT_TRAP_TABLE_OOB;
	if (n)
		memmove(dt->elems + d, st->elems + src, (size_t) n * sizeof(void *));
	return WRT_TRAP_NONE;
}

static uint32_t
h_table_init(wrt_instance *inst, uint32_t table, uint32_t seg, uint32_t d, uint32_t src, uint32_t n)
{
	return wrt_exec_table_init(inst, table, seg, d, src, n) ? WRT_TRAP_NONE : WRT_TRAP_TABLE_OOB;
}

static void
h_elem_drop(wrt_instance *inst, uint32_t seg)
{
	inst->elem_dropped[seg] = 1;
}

static void *
h_ref_func(wrt_instance *inst, uint32_t func)
{
	return inst->funcs[func];
}

static const wrt_tier_helpers helpers = {
#define X(ret, name, args) .name = h_##name,
	WRT_TIER_HELPERS(X)
#undef X
};

/* ---- the code cache ------------------------------------------------------ */

/*
 * An entry is the back end's object file behind a header the engine
 * checks before anything of it is linked:
 *   magic "WRTCODE\0", u32 format version, u32 key length, u64 object
 *   length, u64 checksum of the object (FNV-1a 64), the key, the object
 * (integers little-endian as the host stores them: the key names the
 * target anyway).  An entry whose length, key or checksum does not match
 * is rejected (counted) and the unit compiled and stored again.
 */
#define CODE_MAGIC "WRTCODE"
#define CODE_FORMAT 1u
#define CODE_HEADER 32u

static wrt_code_cache code_cache;
static bool code_cache_set;
static char target_hash[17];    /* of the ABI version, back end name and target */

void
wrt_tier_set_code_cache(const wrt_code_cache *cache)
{
	code_cache_set = cache && cache->load && cache->store;
	if (code_cache_set)
		code_cache = *cache;
}

void
wrt_module_set_identity(wrt_module *m, const uint8_t sha256[32])
{
	static const char hex[] = "0123456789abcdef";
	if (!sha256)
	{
		m->identity[0] = '\0';
		return;
	}
	for (int i = 0; i < 32; i++)
	{
		m->identity[2 * i] = hex[sha256[i] >> 4];
		m->identity[2 * i + 1] = hex[sha256[i] & 15];
	}
	m->identity[64] = '\0';
}

static uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}
#define FNV64_INIT 0xcbf29ce484222325ull

/* The whole key of a unit of m, false when m is not cached. */
static bool
cache_key(wrt_module *m, const char *batch, char *key, size_t keylen)
{
	if (!code_cache_set || !m->identity[0] || !target_hash[0])
		return false;
	int n = snprintf(key, keylen, "%s-%s-%s", m->identity, batch, target_hash);
	return n > 0 && (size_t) n < keylen;
}

static void
count_cache(wrt_module *m, int which)
{
	wrt_tier_stats *targets[2] = {&m->tier_stats, &process_stats};
	for (int k = 0; k < 2; k++)
	{
		if (which == 0)
			targets[k]->cache_hits++;
		else if (which == 1)
			targets[k]->cache_misses++;
		else
			targets[k]->cache_rejects++;
	}
}

/* The object of unit `batch` of m, checked, from malloc; counted as a
 * hit, a miss or a reject unless quiet. */
static void *
cache_get(wrt_module *m, const char *batch, size_t *len, bool quiet)
{
	char key[256];
	if (!cache_key(m, batch, key, sizeof(key)))
		return NULL;
	size_t n = 0;
	uint8_t *e = code_cache.load(code_cache.arg, key, &n);
	if (!e)
	{
		if (!quiet)
			count_cache(m, 1);
		return NULL;
	}
	uint32_t format, klen;
	uint64_t olen, sum;
	size_t kl = strlen(key);
	bool ok = n >= CODE_HEADER && memcmp(e, CODE_MAGIC, 8) == 0;
	if (ok)
	{
		memcpy(&format, e + 8, 4);
		memcpy(&klen, e + 12, 4);
		memcpy(&olen, e + 16, 8);
		memcpy(&sum, e + 24, 8);
		ok = format == CODE_FORMAT && klen == kl && olen > 0 && olen == n - CODE_HEADER - kl
			&& n - CODE_HEADER >= kl && memcmp(e + CODE_HEADER, key, kl) == 0
			&& fnv64(FNV64_INIT, e + CODE_HEADER + kl, olen) == sum;
	}
	if (!ok)
	{
		free(e);
		if (!quiet)
			count_cache(m, 2);
		return NULL;
	}
	memmove(e, e + CODE_HEADER + kl, olen);
	*len = olen;
	if (!quiet)
		count_cache(m, 0);
	return e;
}

static void *
cache_load(wrt_module *m, const char *batch, size_t *len)
{
	return cache_get(m, batch, len, false);
}

static void
cache_store(wrt_module *m, const char *batch, const void *obj, size_t len)
{
	char key[256];
	if (!cache_key(m, batch, key, sizeof(key)) || len == 0)
		return;
	uint32_t format = CODE_FORMAT, klen = (uint32_t) strlen(key);
	uint64_t olen = len, sum = fnv64(FNV64_INIT, obj, len);
	uint8_t *e = malloc(CODE_HEADER + klen + len);
	if (!e)
		return;
	memcpy(e, CODE_MAGIC, 8);
	memcpy(e + 8, &format, 4);
	memcpy(e + 12, &klen, 4);
	memcpy(e + 16, &olen, 8);
	memcpy(e + 24, &sum, 8);
	memcpy(e + CODE_HEADER, key, klen);
	memcpy(e + CODE_HEADER + klen, obj, len);
	code_cache.store(code_cache.arg, key, e, CODE_HEADER + klen + len);
	free(e);
}

static const wrt_tier_cache tier_cache = {cache_load, cache_store};

/* ---- loading the back end ----------------------------------------------- */

static bool beside_executable(char *buf, size_t len);
static bool engine_target_hash(void);

/* The back end's shared object: the host's path, $WRT_TIER_LIBRARY, the
 * one beside the executable, else the bare name for the loader's search. */
static const char *
backend_file(char *buf, size_t len)
{
	const char *env = getenv("WRT_TIER_LIBRARY");
	return library_path ? library_path
		: env && *env ? env
		: beside_executable(buf, len) && access(buf, R_OK) == 0 ? buf
		: "wasmrt-llvm.so";
}

static void
report(const char *fmt, const char *a, const char *b)
{
	snprintf(backend_error, sizeof(backend_error), fmt, a, b);
	if (notice_cb)
		notice_cb(notice_ud, backend_error);
}

/* wasmrt-llvm.so in the directory of the running executable. */
static bool
beside_executable(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash || (size_t) (slash - buf) + sizeof("/wasmrt-llvm.so") > len)
		return false;
	strcpy(slash, "/wasmrt-llvm.so");
	return true;
}

static const wrt_tier_backend *
load_backend(void)
{
	if (backend_tried)
		return backend;
	backend_tried = true;
	char exe_path[4096];
	const char *path = backend_file(exe_path, sizeof(exe_path));
	/* RTLD_LOCAL: LLVM's symbols stay out of the global namespace (a host
	 * such as PostgreSQL may load its own LLVM). */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
	{
		const char *why = dlerror();
		report("native tier unavailable, functions stay interpreted: cannot load %.200s: %.200s", path,
			   why ? why : "unknown error");
		return NULL;
	}
	wrt_tier_backend_get_fn get = (wrt_tier_backend_get_fn) dlsym(h, WRT_TIER_BACKEND_SYMBOL);
	const wrt_tier_backend *b = get ? get() : NULL;
	if (!b || b->abi_version != WRT_TIER_ABI_VERSION)
	{
		report("native tier unavailable, functions stay interpreted: %.200s is not a back end of this engine%.40s",
			   path, b ? " (another ABI version)" : "");
		dlclose(h);
		return NULL;
	}
	char err[256] = "";
	if (!b->init(&helpers, &tier_cache, err, sizeof(err)))
	{
		report("native tier unavailable, functions stay interpreted: %.200s: %.200s", path, err);
		return NULL;
	}
	/* The key's last part: what besides the Wasm code decides the machine
	 * code.  Where the engine can tell it without the back end (engine_target)
	 * that is the key, so cached units link without loading it; else this
	 * engine's ABI, the back end and its target as it reports them. */
	if (!engine_target_hash())
	{
		char abi[32];
		snprintf(abi, sizeof(abi), "abi %u;", WRT_TIER_ABI_VERSION);
		uint64_t th = fnv64(FNV64_INIT, abi, strlen(abi));
		th = fnv64(th, b->name, strlen(b->name));
		const char *t = b->target ? b->target() : "";
		th = fnv64(th, t, strlen(t));
		snprintf(target_hash, sizeof(target_hash), "%016llx", (unsigned long long) th);
	}
	backend = b;
	return backend;
}

/* ---- linking cached units without the back end ------------------------- */

/*
 * A warm code cache holds every unit a process needs; linking them is the
 * only thing left that would load the back end, and with it libLLVM (tens
 * of milliseconds and megabytes per process).  So the engine links them
 * itself (objload.h) when it can name, without the back end, everything
 * that decides the machine code besides the Wasm:
 *   - the back end's shared object, by its contents (its lowering, its
 *     pipeline and the LLVM it was built with are all in there);
 *   - the CPU, by the cpuid leaves LLVM's host detection reads (vendor,
 *     family, model, feature flags; not the APIC ID or core counts) and
 *     the OS's enabled register state (xgetbv);
 *   - the settings that change code generation (WRT_TIER_CPU,
 *     WRT_TIER_LLVM_ARGS, WRT_TIER_PASSES, WRT_TIER_LOOP_VERSIONS,
 *     WRT_TIER_MINMAX);
 *   - this engine's ABI version.
 * That hash is then the key's target part for every unit, compiled or
 * linked.  Where it cannot be made (another machine, a back end found by
 * the loader's search path) the back end's own target string is the key
 * and cached units are linked by the back end.
 */
typedef struct wrt_tier_object {
	struct wrt_tier_object *next;
	wrt_objcode *code;
} wrt_tier_object;

static int engine_target_state;     /* 0: not tried, 1: in target_hash, -1: none */

static bool
engine_target(char *out, size_t outlen)
{
#if defined(__x86_64__) && defined(__linux__)
	char buf[4096];
	const char *path = backend_file(buf, sizeof(buf));
	if (!strchr(path, '/'))
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char abi[32];
	snprintf(abi, sizeof(abi), "abi %u;engine target;", WRT_TIER_ABI_VERSION);
	uint64_t h = fnv64(FNV64_INIT, abi, strlen(abi));
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		h = fnv64(h, buf, got);
	bool read_ok = !ferror(f);
	fclose(f);
	if (!read_ok)
		return false;
	static const unsigned leaves[][2] = {
		{0, 0}, {1, 0}, {7, 0}, {7, 1}, {0xd, 1}, {0x14, 0}, {0x19, 0}, {0x80000001, 0}, {0x80000008, 0},
	};
	unsigned max_basic = __get_cpuid_max(0, NULL), max_ext = __get_cpuid_max(0x80000000, NULL);
	bool osxsave = false;
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
	{
		unsigned r[5] = {leaves[i][0], 0, 0, 0, 0};
		if (leaves[i][0] <= (leaves[i][0] >= 0x80000000u ? max_ext : max_basic))
			__cpuid_count(leaves[i][0], leaves[i][1], r[1], r[2], r[3], r[4]);
		if (leaves[i][0] == 1)
		{
			r[2] &= 0xffffu;    /* not the APIC ID nor the logical processor count */
			osxsave = (r[3] >> 27) & 1;
		}
		if (leaves[i][0] == 0x80000008)
			r[3] = 0;           /* core counts */
		if (leaves[i][0] == 0xd)
			r[2] = r[3] = r[4] = 0; /* sizes of the save area */
		h = fnv64(h, r, sizeof(r));
	}
	if (osxsave)
	{
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		h = fnv64(h, &lo, sizeof(lo));
	}
	static const char *const settings[] = {"WRT_TIER_CPU", "WRT_TIER_LLVM_ARGS", "WRT_TIER_PASSES",
										   "WRT_TIER_LOOP_VERSIONS", "WRT_TIER_MINMAX"};
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
	{
		const char *v = getenv(settings[i]);
		h = fnv64(h, settings[i], strlen(settings[i]) + 1);
		h = v ? fnv64(h, v, strlen(v) + 1) : fnv64(h, "", 0);
		h = fnv64(h, v ? "=" : "-", 1);
	}
	snprintf(out, outlen, "%016llx", (unsigned long long) h);
	return true;
#else
	(void) out;
	(void) outlen;
	return false;
#endif
}

static bool
engine_target_hash(void)
{
	if (engine_target_state == 0)
		engine_target_state = engine_target(target_hash, sizeof(target_hash)) ? 1 : -1;
	return engine_target_state > 0;
}

static void *
resolve_helper(void *arg, const char *name)
{
	(void) arg;
	static const char *const names[] = {
#define X(ret, name, args) "wrt_tier_h_" #name,
		WRT_TIER_HELPERS(X)
#undef X
	};
	void *const addrs[] = {
#define X(ret, name, args) (void *) helpers.name,
		WRT_TIER_HELPERS(X)
#undef X
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return addrs[i];
	return NULL;
}

/* Unit `tag` of m linked from the code cache by the engine, or NULL (not
 * cached, or refused by the loader: the back end links it then).  A hit
 * is counted here; a miss or a reject by the back end's own lookup. */
static wrt_objcode *
link_cached_unit(wrt_module *m, const char *tag)
{
	if (!wrt_obj_supported() || !code_cache_set || !m->identity[0] || getenv("WRT_TIER_PERF")
		|| !engine_target_hash())
		return NULL;
	size_t len = 0;
	void *obj = cache_get(m, tag, &len, true);
	if (!obj)
		return NULL;
	char err[128];
	wrt_tier_object *node = malloc(sizeof(*node));
	wrt_objcode *code = node ? wrt_obj_load(obj, len, resolve_helper, NULL, err, sizeof(err)) : NULL;
	free(obj);
	if (!code)
	{
		free(node);
		return NULL;
	}
	node->code = code;
	node->next = m->tier_objects;
	m->tier_objects = node;
	count_cache(m, 0);
	return code;
}

/* Drop the unit linked last (link_cached_unit) before anything uses it. */
static void
unlink_last_unit(wrt_module *m)
{
	wrt_tier_object *node = m->tier_objects;
	m->tier_objects = node->next;
	wrt_obj_free(node->code);
	free(node);
}

/* A batch from the code cache without the back end: true with res filled
 * when every function of it is in the unit. */
static bool
link_cached_batch(wrt_module *m, const uint32_t *codes, uint32_t n, wrt_tier_result *res)
{
	char tag[64];
	wrt_tier_batch_tag(codes, n, tag, sizeof(tag));
	wrt_objcode *o = link_cached_unit(m, tag);
	if (!o)
		return false;
	uint32_t need = wrt_tier_unit_need(m, codes, n);
	for (uint32_t i = 0; i < n; i++)
	{
		char name[96];
		snprintf(name, sizeof(name), "e_%s_%u", tag, codes[i]);
		res[i].entry = (wrt_native_entry) (uintptr_t) wrt_obj_symbol(o, name);
		snprintf(name, sizeof(name), "w_%s_%u", tag, codes[i]);
		res[i].typed = wrt_obj_symbol(o, name);
		if (!res[i].entry || !res[i].typed)
		{
			/* a function the back end refused or dropped: it says why */
			unlink_last_unit(m);
			m->tier_stats.cache_hits--;
			process_stats.cache_hits--;
			return false;
		}
		res[i].need = need;
		res[i].state = WRT_TIER_NATIVE;
	}
	return true;
}

/* ---- compiling ------------------------------------------------------------ */

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Compile the listed codes of m as one unit and install what compiled. */
static void
compile_batch(wrt_module *m, uint32_t *codes, uint32_t n)
{
	if (n == 0)
		return;
	wrt_tier_result *res = wrt_calloc(&m->alloc, n, sizeof(*res));
	if (!res)
		return;                 /* out of memory: try again at a later call */
	char err[256] = "";
	uint64_t t0 = now_ns(), hits = m->tier_stats.cache_hits;
	bool ok = link_cached_batch(m, codes, n, res);
	if (!ok)
	{
		const wrt_tier_backend *b = load_backend();
		if (!b)
		{
			for (uint32_t i = 0; i < n; i++)
				m->codes[codes[i]].tier_state = WRT_TIER_FAILED;
			wrt_free(&m->alloc, res);
			return;
		}
		memset(res, 0, n * sizeof(*res));
		ok = b->compile(m, codes, n, res, err, sizeof(err));
	}
	uint64_t dt = now_ns() - t0;
	wrt_tier_stats d = {0};
	d.batches = m->tier_stats.cache_hits == hits;   /* a compilation, not a cache hit */
	d.compile_ns = dt;
	for (uint32_t i = 0; i < n; i++)
	{
		wrt_code *c = &m->codes[codes[i]];
		if (ok && res[i].state == WRT_TIER_NATIVE && res[i].entry)
		{
			const wrt_functype *ft = wrt_module_functype(m, c->func_index);
			c->native_window = wrt_tier_window(ft);
			c->native_wide = wrt_sig_wide(ft->params, ft->nparams, ft->results, ft->nresults);
			c->native = res[i].entry;
			c->native_need = res[i].need;
			c->native_typed = res[i].typed;
			c->tier_state = WRT_TIER_NATIVE;
			d.compiled++;
			d.wasm_bytes += (uint64_t) (c->body_end - c->body);
			continue;
		}
		c->tier_state = ok && res[i].state == WRT_TIER_REFUSED ? WRT_TIER_REFUSED : WRT_TIER_FAILED;
		if (c->tier_state == WRT_TIER_REFUSED)
			d.refused++;
		else
			d.failed++;
		snprintf(last_refusal, sizeof(last_refusal), "function %u: %s", c->func_index,
				 ok ? res[i].reason : err);
	}
	wrt_free(&m->alloc, res);
	wrt_tier_stats *targets[2] = {&m->tier_stats, &process_stats};
	for (int k = 0; k < 2; k++)
	{
		targets[k]->compiled += d.compiled;
		targets[k]->refused += d.refused;
		targets[k]->failed += d.failed;
		targets[k]->batches += d.batches;
		targets[k]->compile_ns += d.compile_ns;
		targets[k]->wasm_bytes += d.wasm_bytes;
	}
}

/* Eager: every function of the module not tried yet, in one unit. */
static void
compile_module(wrt_module *m)
{
	m->tier_all_done = true;
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	uint32_t *codes = wrt_calloc(&m->alloc, ndefined ? ndefined : 1, sizeof(uint32_t));
	if (!codes)
		return;
	uint32_t n = 0;
	for (uint32_t k = 0; k < ndefined; k++)
	{
		uint8_t st = m->codes[k].tier_state;
		if (st == WRT_TIER_NONE || st == WRT_TIER_COUNTING || st == WRT_TIER_LOOPS)
			codes[n++] = k;
	}
	compile_batch(m, codes, n);
	wrt_free(&m->alloc, codes);
}

/* The countdowns of `code` by the store's policy, compiling what is due;
 * true when a call running a loop of code may move to its OSR entry. */
static bool
policy(wrt_store *s, wrt_module *m, wrt_code *code, bool from_loop)
{
	switch (s->tier.mode)
	{
		case WRT_TIER_INTERP:
			code->tier_calls = INT32_MAX;
			code->tier_loops = INT32_MAX;
			return false;
		case WRT_TIER_EAGER:
			if (!m->tier_all_done)
				compile_module(m);
			code->tier_calls = INT32_MAX;
			code->tier_loops = INT32_MAX;
			return false;
		case WRT_TIER_TIERED:
			if (code->tier_state == WRT_TIER_NONE)
			{
				/* The first look: arm the countdowns. */
				code->tier_state = WRT_TIER_COUNTING;
				code->tier_calls = call_threshold(s) - 1;
				code->tier_loops = loop_threshold(s) - (from_loop ? 1 : 0);
				return false;
			}
			/*
			 * Hot by a loop: compile that loop's OSR entry only, not the
			 * function as well.  A call that spends its time in a loop (a
			 * program's main, an aggregate over a large array) then pays
			 * one compilation, not two; its later calls start interpreted
			 * and move over at their first back-edge of a loop that has an
			 * entry (tier_loops stays 0 so that every back-edge looks).
			 * Its calls go on counting: at the call threshold, or after
			 * LOOPS_CALLS more calls, the whole function is compiled.
			 */
			if (from_loop && s->fuel != 0)
			{
				/* Metered: no machine code runs, nothing to compile; look
				 * again after as many back-edges. */
				code->tier_loops = loop_threshold(s) - 1;
				return false;
			}
			/* Calls since the countdowns were armed (tier_calls counts
			 * down from the threshold while counting). */
			bool short_calls = from_loop && code->tier_state == WRT_TIER_COUNTING
				&& (int64_t) call_threshold(s) - code->tier_calls >= SHORT_CALLS;
			if (from_loop && !short_calls
				&& (code->tier_state == WRT_TIER_COUNTING || code->tier_state == WRT_TIER_LOOPS)
				&& code->compiled && code->compiled->nloops && !(backend_tried && (!backend || !backend->compile_osr)))
			{
				/* A function called again and again that way pays the
				 * trip through the interpreter and the OSR entry (whose
				 * calls all go through the engine) every time: after a
				 * few more calls it is compiled whole after all. */
				if (code->tier_state == WRT_TIER_COUNTING && code->tier_calls > LOOPS_CALLS)
					code->tier_calls = LOOPS_CALLS;
				code->tier_state = WRT_TIER_LOOPS;
				code->tier_loops = 0;
				return true;
			}
			if (code->tier_state == WRT_TIER_COUNTING || code->tier_state == WRT_TIER_LOOPS)
			{
				uint32_t k = (uint32_t) (code - m->codes);
				compile_batch(m, &k, 1);
			}
			code->tier_calls = INT32_MAX;
			/* Native: only calls that began interpreted still count
			 * back-edges, a call running a loop since before the function
			 * went native (by its calls, say); they look again after as
			 * many, and move to native code there (on-stack replacement). */
			code->tier_loops = code->tier_state == WRT_TIER_NATIVE ? loop_threshold(s) - 1 : INT32_MAX;
			/* Compiled whole for its short calls: the one running goes on
			 * interpreted, and moves over only if it loops that much
			 * again. */
			return code->tier_state == WRT_TIER_NATIVE && !short_calls;
	}
	code->tier_calls = INT32_MAX;   /* an unknown mode: interpret */
	code->tier_loops = INT32_MAX;
	return false;
}

void
wrt_tier_on_call(wrt_store *s, wrt_module *m, wrt_code *code)
{
	policy(s, m, code, false);
}

void
wrt_tier_on_instantiate(wrt_store *s, wrt_module *m)
{
	if (s->tier.mode == WRT_TIER_EAGER && !m->tier_all_done)
		compile_module(m);
}

bool
wrt_tier_on_loop(wrt_store *s, wrt_module *m, wrt_code *code)
{
	return policy(s, m, code, true);
}

wrt_native_entry
wrt_tier_osr(wrt_store *s, wrt_module *m, wrt_code *code, uint32_t cell)
{
	const wrt_compiled *cf = code->compiled;
	bool by_loops = code->tier_state == WRT_TIER_LOOPS;
	/* The back end is loaded only when an entry is not in the code cache
	 * (link_cached_unit); one that could not be loaded makes none. */
	if (!(code->native || by_loops) || s->tier.mode != WRT_TIER_TIERED || !cf || !cf->nloops
		|| (backend_tried && (!backend || !backend->compile_osr)))
		return NULL;
	/* The loop whose label is at cell (the table is by increasing cell). */
	uint32_t lo = 0, hi = cf->nloops;
	while (lo < hi)
	{
		uint32_t mid = lo + (hi - lo) / 2;
		if (cf->loops[mid].cell < cell)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == cf->nloops || cf->loops[lo].cell != cell)
		return NULL;
	if (!code->osr)
	{
		if (!(code->osr = wrt_calloc(&m->alloc, cf->nloops, sizeof(wrt_osr_entry))))
			return NULL;        /* out of memory: keep interpreting */
		/* Hot by a loop: this one is made now, the others when they
		 * are hot themselves. */
		for (uint32_t i = 0; i < cf->nloops; i++)
			code->osr[i].countdown = i == lo ? 0 : loop_threshold(s);
	}
	wrt_osr_entry *o = &code->osr[lo];
	if (!o->tried && by_loops && o->countdown-- > 0)
		return NULL;
	if (!o->tried)
	{
		o->tried = 1;
		char err[256] = "";
		uint64_t t0 = now_ns();
		uint32_t k = (uint32_t) (code - m->codes);
		char tag[64];
		wrt_tier_osr_tag(k, cf->loops[lo].ordinal, cf->loops[lo].stack, tag, sizeof(tag));
		wrt_objcode *unit = link_cached_unit(m, tag);
		if (unit)
		{
			char name[72];
			snprintf(name, sizeof(name), "e_%s", tag);
			if (!(o->entry = (wrt_native_entry) (uintptr_t) wrt_obj_symbol(unit, name)))
			{
				unlink_last_unit(m);
				m->tier_stats.cache_hits--;
				process_stats.cache_hits--;
			}
		}
		const wrt_tier_backend *b = o->entry ? NULL : load_backend();
		if (b && b->compile_osr)
			o->entry = b->compile_osr(m, k, cf->loops[lo].ordinal, cf->loops[lo].stack, err, sizeof(err));
		else if (!o->entry)
			snprintf(err, sizeof(err), "%.200s", backend_error[0] ? backend_error : "no back end");
		uint64_t dt = now_ns() - t0;
		wrt_tier_stats *targets[2] = {&m->tier_stats, &process_stats};
		for (int k = 0; k < 2; k++)
		{
			targets[k]->compile_ns += dt;
			targets[k]->osr_compiled += o->entry != NULL;
		}
		if (!o->entry)
		{
			snprintf(last_refusal, sizeof(last_refusal), "function %u, loop %u (on-stack replacement): %s",
					 code->func_index, cf->loops[lo].ordinal, err);
			/* No entry for a loop of a function hot by its loops: compile
			 * the function instead, as without OSR (its later calls run
			 * native; this one goes on interpreted). */
			if (by_loops)
			{
				uint32_t k = (uint32_t) (code - m->codes);
				compile_batch(m, &k, 1);
				code->tier_calls = INT32_MAX;
				code->tier_loops = code->tier_state == WRT_TIER_NATIVE ? loop_threshold(s) - 1 : INT32_MAX;
			}
		}
	}
	if (!o->entry)
		return NULL;
	m->tier_stats.osr_entries++;
	process_stats.osr_entries++;
	return o->entry;
}

void
wrt_tier_module_free(wrt_module *m)
{
	if (m->tier_module && backend)
		backend->module_free(m);
	m->tier_module = NULL;
	while (m->tier_objects)
		unlink_last_unit(m);
}

/* ---- names and needs of units (shared with the back end) ----------------- */

void
wrt_tier_batch_tag(const uint32_t *codes, uint32_t n, char *tag, size_t len)
{
	uint64_t h = FNV64_INIT;
	for (uint32_t i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
		{
			uint8_t byte = (uint8_t) (codes[i] >> (8 * k));
			h = fnv64(h, &byte, 1);
		}
	snprintf(tag, len, "f%u_%u_%016llx", n ? codes[0] : 0, n, (unsigned long long) h);
}

void
wrt_tier_osr_tag(uint32_t k, uint32_t ordinal, uint32_t stack_slots, char *tag, size_t len)
{
	snprintf(tag, len, "o%u_%u_%u", k, ordinal, stack_slots);
}

uint32_t
wrt_tier_call_window(const wrt_module *m, const wrt_code *code)
{
	wrt_error err;
	wrt_insn_reader rd;
	wrt_insn in;
	uint32_t w = 1;
	wrt_insn_reader_init(&rd, m->bytes, code->body, code->body_end, &err);
	while (!wrt_insn_at_end(&rd) && wrt_insn_next(&rd, &in))
	{
		const wrt_functype *ct = NULL;
		if (in.op == WRT_OP_CALL)
			ct = wrt_module_functype(m, in.index);
		else if (in.op == WRT_OP_CALL_INDIRECT)
			ct = &m->types[in.call_indirect.type];
		if (ct)
		{
			uint32_t cw = wrt_tier_window(ct);
			if (cw > w)
				w = cw;
		}
	}
	return w;
}

uint32_t
wrt_tier_unit_need(const wrt_module *m, const uint32_t *codes, uint32_t n)
{
	uint32_t need = 1;
	for (uint32_t i = 0; i < n; i++)
	{
		const wrt_code *code = &m->codes[codes[i]];
		uint32_t w = wrt_tier_window(wrt_module_functype(m, code->func_index)) + wrt_tier_call_window(m, code);
		if (w > need)
			need = w;
	}
	return need;
}

