/*
 * instance.c — the store and the runtime objects that live in it.
 *
 * A store owns everything created in it: host and defined functions, tables,
 * memories, globals, instances and interned function types.  Objects are
 * registered in the store's object list when created and released together
 * by wrt_store_free; nothing is reference-counted, because a funcref stored
 * in a shared table may keep any function reachable for as long as the store
 * lives.  This file also implements instantiation (import matching, constant
 * expressions, element/data segment initialisation, the start function),
 * export lookup, snapshot/reset and the limits and trap bookkeeping the
 * interpreter relies on.
 *
 * Coordination with interp.c: active segments are applied with interp.c's
 * wrt_exec_table_init / wrt_exec_memory_init (the table.init / memory.init
 * semantics: bounds checked before anything is written), which return false
 * without recording a trap, so the trap is recorded here.  Both sides read
 * element values through wrt_elem_value, defined here.
 *
 * Private state: the store, instances, tables and memories are allocated
 * here only, so each public struct is the first member of a larger private
 * one holding bookkeeping no other translation unit needs (the type hash
 * index, declared limits for import matching, the instance's own function
 * and global arrays).  A pointer to the public struct is converted back with
 * a plain cast.
 */
#include "internal.h"
#include "tier.h"
#include "numeric.h"
#include "opcodes.h"
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- private extensions of the public structs --------------------------- */

typedef struct store_impl {
	wrt_store pub;
	/* Open-addressing hash index over pub.types: slot holds id + 1, 0 = empty.
	 * Interning is done for every type of every instantiated module, so a
	 * linear search would make a module with many types quadratic. */
	uint32_t *type_index;
	uint32_t type_index_cap;    /* power of two, or 0 */
} store_impl;

typedef struct memory_impl {
	wrt_memory pub;
	wrt_limits declared;        /* as created: import matching needs the max */
	size_t reserved;            /* bytes of address space mapped for pub.data
								 * (vmem.c), or 0 if the allocator gave it */
} memory_impl;

typedef struct table_impl {
	wrt_table pub;
	wrt_limits declared;
	size_t cap;                 /* allocated element slots (>= pub.size) */
} table_impl;

typedef struct instance_impl {
	wrt_instance pub;
	wrt_func *own_funcs;        /* defined functions, one array */
	uint32_t nown_funcs;
	wrt_global *own_globals;    /* defined globals, one array */
	size_t fixed_bytes;         /* bytes of the arrays above and the struct */
} instance_impl;

typedef struct mem_snap {
	uint32_t pages;
	uint64_t used;              /* bytes saved; the rest of the memory is zero */
	uint8_t *bytes;
} mem_snap;

typedef struct table_snap {
	uint32_t size;
	void **elems;
} table_snap;

struct wrt_snapshot {
	mem_snap *mems;             /* inst->mod->nmems entries */
	table_snap *tables;         /* ntables */
	wrt_value *globals;         /* nglobals */
	uint8_t *elem_dropped;
	uint8_t *data_dropped;
	size_t bytes;               /* host memory held by the snapshot */
};

static inline store_impl *store_of(wrt_store *s) { return (store_impl *) s; }
static inline memory_impl *memory_of(wrt_memory *m) { return (memory_impl *) m; }
static inline table_impl *table_of(wrt_table *t) { return (table_impl *) t; }

/* a * b into *out unless it overflows size_t. */
static inline bool
mul_size(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return false;
	*out = a * b;
	return true;
}

/* ---- traps --------------------------------------------------------------- */

const char *
wrt_trap_default_message(wrt_trapkind kind)
{
	switch (kind)
	{
		case WRT_TRAP_NONE: return "";
		case WRT_TRAP_UNREACHABLE: return "unreachable";
		case WRT_TRAP_MEMORY_OOB: return "out of bounds memory access";
		case WRT_TRAP_TABLE_OOB: return "out of bounds table access";
		case WRT_TRAP_INDIRECT_NULL: return "uninitialized element";
		case WRT_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
		case WRT_TRAP_DIV_ZERO: return "integer divide by zero";
		case WRT_TRAP_INT_OVERFLOW: return "integer overflow";
		case WRT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
		case WRT_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
		case WRT_TRAP_FUEL_EXHAUSTED: return "fuel exhausted";
		case WRT_TRAP_INTERRUPTED: return "interrupted";
		case WRT_TRAP_MEMORY_LIMIT: return "memory limit exceeded";
		case WRT_TRAP_HOST: return "host function failed";
		case WRT_TRAP_EXIT: return "exit";
		case WRT_TRAP_OOM: return "out of memory";
		case WRT_TRAP_CODE_LIMIT: return "compiled code exceeds the module's code limit";
	}
	return "unknown trap";
}

const char *
wrt_trapkind_name(wrt_trapkind kind)
{
	switch (kind)
	{
		case WRT_TRAP_NONE: return "none";
		case WRT_TRAP_UNREACHABLE: return "unreachable";
		case WRT_TRAP_MEMORY_OOB: return "memory_oob";
		case WRT_TRAP_TABLE_OOB: return "table_oob";
		case WRT_TRAP_INDIRECT_NULL: return "indirect_null";
		case WRT_TRAP_INDIRECT_TYPE: return "indirect_type";
		case WRT_TRAP_DIV_ZERO: return "div_zero";
		case WRT_TRAP_INT_OVERFLOW: return "int_overflow";
		case WRT_TRAP_INVALID_CONVERSION: return "invalid_conversion";
		case WRT_TRAP_STACK_EXHAUSTED: return "stack_exhausted";
		case WRT_TRAP_FUEL_EXHAUSTED: return "fuel_exhausted";
		case WRT_TRAP_INTERRUPTED: return "interrupted";
		case WRT_TRAP_MEMORY_LIMIT: return "memory_limit";
		case WRT_TRAP_HOST: return "host";
		case WRT_TRAP_EXIT: return "exit";
		case WRT_TRAP_OOM: return "oom";
		case WRT_TRAP_CODE_LIMIT: return "code_limit";
	}
	return "unknown";
}

static void trap_vset(wrt_store *s, wrt_trapkind kind, const char *fmt, va_list ap) WRT_PRINTF(3, 0);

static void
trap_vset(wrt_store *s, wrt_trapkind kind, const char *fmt, va_list ap)
{
	wrt_trap *t = &s->trap;

	/* A fresh record: the interpreter appends the backtrace afterwards. */
	t->kind = kind;
	t->exit_code = 0;
	t->nframes = 0;
	if (fmt)
		vsnprintf(t->message, sizeof(t->message), fmt, ap);
	else
		snprintf(t->message, sizeof(t->message), "%s", wrt_trap_default_message(kind));
}

void
wrt_trap_set(wrt_store *s, wrt_trapkind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trap_vset(s, kind, fmt, ap);
	va_end(ap);
}

/* ---- store --------------------------------------------------------------- */

/* The flag a store polls until the host gives it one: never NULL, so native
 * code polls without testing the pointer first.  Nothing writes it. */
static volatile int never_interrupted;

wrt_store *
wrt_store_new(const wrt_allocator *alloc)
{
	store_impl *si;
	wrt_store *s;

	if (!alloc)
		alloc = &wrt_default_allocator;
	si = alloc->alloc(alloc->ud, sizeof(*si));
	if (!si)
		return NULL;
	memset(si, 0, sizeof(*si));
	s = &si->pub;
	s->alloc = *alloc;
	s->stack_bytes = 1u << 20;
	s->max_frames = 10000;
	s->interrupt = &never_interrupted;
	return s;
}

bool
wrt_store_register(wrt_store *s, void *obj, uint8_t kind)
{
	if (s->nobjects == s->objects_cap)
	{
		size_t cap = s->objects_cap ? s->objects_cap * 2 : 16;
		size_t bytes;
		void **objs;
		uint8_t *kinds;

		if (cap < s->objects_cap || !mul_size(cap, sizeof(void *), &bytes))
			return false;
		objs = wrt_realloc(&s->alloc, s->objects, bytes);
		if (!objs)
			return false;
		s->objects = objs;
		kinds = wrt_realloc(&s->alloc, s->object_kinds, cap);
		if (!kinds)
			return false;       /* objects grew harmlessly; cap unchanged */
		s->object_kinds = kinds;
		s->objects_cap = cap;
	}
	s->objects[s->nobjects] = obj;
	s->object_kinds[s->nobjects] = kind;
	s->nobjects++;
	return true;
}

static void memory_data_free(memory_impl *mi);

static void
snapshot_free(const wrt_allocator *a, wrt_instance *inst)
{
	struct wrt_snapshot *snap = inst->snapshot;

	if (!snap)
		return;
	if (snap->mems)
		for (uint32_t i = 0; i < inst->mod->nmems; i++)
			wrt_free(a, snap->mems[i].bytes);
	if (snap->tables)
		for (uint32_t i = 0; i < inst->mod->ntables; i++)
			wrt_free(a, snap->tables[i].elems);
	wrt_free(a, snap->mems);
	wrt_free(a, snap->tables);
	wrt_free(a, snap->globals);
	wrt_free(a, snap->elem_dropped);
	wrt_free(a, snap->data_dropped);
	wrt_free(a, snap);
	inst->snapshot = NULL;
}

static void
object_free(wrt_store *s, void *obj, uint8_t kind)
{
	const wrt_allocator *a = &s->alloc;

	switch (kind)
	{
		case WRT_OBJ_TABLE:
			s->table_elems -= table_of((wrt_table *) obj)->cap;
			wrt_free(a, ((wrt_table *) obj)->elems);
			break;
		case WRT_OBJ_MEMORY:
			memory_data_free(obj);
			break;
		case WRT_OBJ_INSTANCE:
			{
				instance_impl *ii = obj;
				wrt_instance *inst = &ii->pub;

				snapshot_free(a, inst);
				wrt_free(a, inst->funcs);
				wrt_free(a, inst->tables);
				wrt_free(a, inst->mems);
				wrt_free(a, inst->globals);
				wrt_free(a, inst->type_ids);
				wrt_free(a, inst->elem_dropped);
				wrt_free(a, inst->data_dropped);
				wrt_free(a, ii->own_funcs);
				wrt_free(a, ii->own_globals);
			}
			break;
		default:
			break;
	}
	wrt_free(a, obj);
}

/* Free the objects registered after the first `mark` ones, newest first. */
static void
store_release_from(wrt_store *s, size_t mark)
{
	while (s->nobjects > mark)
	{
		s->nobjects--;
		object_free(s, s->objects[s->nobjects], s->object_kinds[s->nobjects]);
	}
}

void
wrt_store_free(wrt_store *s)
{
	store_impl *si;
	wrt_allocator a;

	if (!s)
		return;
	si = store_of(s);
	a = s->alloc;
	store_release_from(s, 0);
	for (uint32_t i = 0; i < s->ntypes; i++)
		wrt_free(&a, (void *) s->types[i].params);
	wrt_free(&a, s->types);
	wrt_free(&a, si->type_index);
	wrt_free(&a, s->objects);
	wrt_free(&a, s->object_kinds);
	/* The interpreter allocates these lazily with the store's allocator. */
	wrt_free(&a, s->stack);
	wrt_free(&a, s->frames);
	wrt_free(&a, si);
}

void
wrt_store_set_stack_limit(wrt_store *s, size_t value_stack_bytes, uint32_t max_frames)
{
	/* The interpreter notices the change and reallocates its stacks at the
	 * next outermost call (never while one is running). */
	s->stack_bytes = value_stack_bytes;
	s->max_frames = max_frames;
	s->stack_ready = false;
}

void
wrt_store_set_native_stack_floor(wrt_store *s, const void *floor)
{
	s->native_stack_floor = floor;
}

void
wrt_store_set_memory_limit(wrt_store *s, uint32_t max_pages)
{
	s->memory_limit_pages = max_pages;
}

void
wrt_store_set_memory_mapping(wrt_store *s, bool enable)
{
	s->memory_no_vmem = !enable;
}

void
wrt_store_set_interrupt(wrt_store *s, volatile int *flag)
{
	s->interrupt = flag ? flag : &never_interrupted;
}

void
wrt_store_set_fuel(wrt_store *s, uint64_t fuel)
{
	s->fuel = fuel;
}

uint64_t
wrt_store_fuel_consumed(const wrt_store *s)
{
	return s->fuel_consumed;
}

const wrt_trap *
wrt_store_trap(const wrt_store *s)
{
	return &s->trap;
}

/* ---- interned function types ------------------------------------------- */

static uint32_t
functype_hash(const wrt_functype *t)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	h = (h ^ t->nparams) * 16777619u;
	h = (h ^ t->nresults) * 16777619u;
	for (uint32_t i = 0; i < t->nparams; i++)
		h = (h ^ t->params[i]) * 16777619u;
	for (uint32_t i = 0; i < t->nresults; i++)
		h = (h ^ t->results[i]) * 16777619u;
	return h;
}

static bool
functype_same(const wrt_functype *a, const wrt_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
		(a->nparams == 0 || memcmp(a->params, b->params, a->nparams) == 0) &&
		(a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0);
}

/* Rebuild the hash index with room for twice the interned types. */
static bool
type_index_grow(store_impl *si)
{
	wrt_store *s = &si->pub;
	uint32_t cap = si->type_index_cap ? si->type_index_cap * 2 : 64;
	uint32_t *idx;

	if (cap <= si->type_index_cap)
		return false;
	idx = wrt_calloc(&s->alloc, cap, sizeof(uint32_t));
	if (!idx)
		return false;
	for (uint32_t id = 0; id < s->ntypes; id++)
	{
		uint32_t slot = functype_hash(&s->types[id]) & (cap - 1);

		while (idx[slot])
			slot = (slot + 1) & (cap - 1);
		idx[slot] = id + 1;
	}
	wrt_free(&s->alloc, si->type_index);
	si->type_index = idx;
	si->type_index_cap = cap;
	return true;
}

uint32_t
wrt_store_intern_type(wrt_store *s, const wrt_functype *t)
{
	store_impl *si = store_of(s);
	uint32_t h = functype_hash(t);
	uint32_t slot;
	uint8_t *copy;
	wrt_functype *nt;
	size_t nbytes;

	if (si->type_index_cap)
	{
		slot = h & (si->type_index_cap - 1);
		while (si->type_index[slot])
		{
			uint32_t id = si->type_index[slot] - 1;

			if (functype_same(&s->types[id], t))
				return id;
			slot = (slot + 1) & (si->type_index_cap - 1);
		}
	}
	if (s->ntypes >= UINT32_MAX - 1)
		return UINT32_MAX;
	/* Keep the index at most half full. */
	if ((uint64_t) (s->ntypes + 1) * 2 > si->type_index_cap && !type_index_grow(si))
		return UINT32_MAX;
	if (s->ntypes == s->types_cap)
	{
		uint32_t cap = s->types_cap ? s->types_cap * 2 : 16;
		size_t bytes;

		if (cap <= s->types_cap || !mul_size(cap, sizeof(wrt_functype), &bytes))
			return UINT32_MAX;
		nt = wrt_realloc(&s->alloc, s->types, bytes);
		if (!nt)
			return UINT32_MAX;
		s->types = nt;
		s->types_cap = cap;
	}
	/* The store keeps its own copy: host types are the caller's memory. */
	nbytes = (size_t) t->nparams + t->nresults;
	copy = wrt_alloc(&s->alloc, nbytes);
	if (!copy)
		return UINT32_MAX;
	if (t->nparams)
		memcpy(copy, t->params, t->nparams);
	if (t->nresults)
		memcpy(copy + t->nparams, t->results, t->nresults);
	nt = &s->types[s->ntypes];
	nt->nparams = t->nparams;
	nt->nresults = t->nresults;
	nt->params = copy;
	nt->results = copy + t->nparams;

	slot = h & (si->type_index_cap - 1);
	while (si->type_index[slot])
		slot = (slot + 1) & (si->type_index_cap - 1);
	si->type_index[slot] = s->ntypes + 1;
	return s->ntypes++;
}

/* ---- host functions ------------------------------------------------------ */

wrt_func *
wrt_func_new_host(wrt_store *s, const wrt_functype *type, wrt_host_callback cb, void *user)
{
	uint32_t id;
	wrt_func *f;

	if (!cb)
		return NULL;
	id = wrt_store_intern_type(s, type);
	if (id == UINT32_MAX)
		return NULL;
	f = wrt_alloc(&s->alloc, sizeof(*f));
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->type_id = id;
	f->type = s->types[id];     /* its arrays are stable; the types vector is not */
	f->cb = cb;
	f->user = user;
	if (!wrt_store_register(s, f, WRT_OBJ_FUNC))
	{
		wrt_free(&s->alloc, f);
		return NULL;
	}
	return f;
}

void
wrt_func_type(const wrt_func *f, wrt_functype *type)
{
	*type = f->type;
}

wrt_memory *
wrt_hostcall_memory(wrt_hostcall *call)
{
	return call->caller ? call->caller->mem0 : NULL;
}

wrt_instance *
wrt_hostcall_instance(wrt_hostcall *call)
{
	return call->caller;
}

void
wrt_hostcall_trap(wrt_hostcall *call, wrt_trapkind kind, const char *fmt, ...)
{
	va_list ap;

	if (kind == WRT_TRAP_NONE)
		kind = WRT_TRAP_HOST;
	call->kind = kind;
	va_start(ap, fmt);
	trap_vset(call->store, kind, fmt, ap);
	va_end(ap);
}

void
wrt_hostcall_exit(wrt_hostcall *call, int32_t code)
{
	call->kind = WRT_TRAP_EXIT;
	wrt_trap_set(call->store, WRT_TRAP_EXIT, "exit with code %d", (int) code);
	call->store->trap.exit_code = code;
}

/* ---- globals ------------------------------------------------------------- */

wrt_global *
wrt_global_new(wrt_store *s, wrt_valtype type, bool mutable_, wrt_value v)
{
	wrt_global *g = wrt_alloc(&s->alloc, sizeof(*g));

	if (!g)
		return NULL;
	memset(g, 0, sizeof(*g));
	g->v = v;
	g->type = (uint8_t) type;
	g->mut = mutable_;
	if (!wrt_store_register(s, g, WRT_OBJ_GLOBAL))
	{
		wrt_free(&s->alloc, g);
		return NULL;
	}
	return g;
}

wrt_value
wrt_global_get(const wrt_global *g)
{
	return g->v;
}

void
wrt_global_set(wrt_global *g, wrt_value v)
{
	g->v = v;
}

/* ---- tables -------------------------------------------------------------- */

/* May the store's tables hold `more` further elements? */
static bool
table_budget_allows(const wrt_store *s, uint64_t more)
{
	uint64_t limit = s->table_limit ? s->table_limit : WRT_MAX_TABLE_TOTAL;

	return more <= limit && s->table_elems <= limit - more;
}

void
wrt_store_set_interrupt_handler(wrt_store *s, bool (*handler)(void *ud), void *ud)
{
	s->interrupt_handler = handler;
	s->interrupt_ud = ud;
}

void
wrt_store_set_table_limit(wrt_store *s, uint64_t max_elements)
{
	s->table_limit = max_elements;
}

/* Allocate and register a table; NULL on OOM or a size over the engine limit. */
static wrt_table *
table_create(wrt_store *s, uint8_t elemtype, wrt_limits limits, void *init)
{
	table_impl *ti;
	wrt_table *t;

	if (limits.min > WRT_MAX_TABLE || !table_budget_allows(s, limits.min))
		return NULL;
	ti = wrt_alloc(&s->alloc, sizeof(*ti));
	if (!ti)
		return NULL;
	memset(ti, 0, sizeof(*ti));
	t = &ti->pub;
	t->elems = wrt_calloc(&s->alloc, (size_t) limits.min, sizeof(void *));
	if (!t->elems)
	{
		wrt_free(&s->alloc, ti);
		return NULL;
	}
	for (uint32_t i = 0; i < (uint32_t) limits.min; i++)
		t->elems[i] = init;
	t->size = (uint32_t) limits.min;
	t->max = limits.has_max && limits.max < WRT_MAX_TABLE ? (uint32_t) limits.max : WRT_MAX_TABLE;
	t->elemtype = elemtype;
	t->store = s;
	ti->declared = limits;
	ti->cap = limits.min;
	if (!wrt_store_register(s, ti, WRT_OBJ_TABLE))
	{
		wrt_free(&s->alloc, t->elems);
		wrt_free(&s->alloc, ti);
		return NULL;
	}
	s->table_elems += ti->cap;
	return t;
}

wrt_table *
wrt_table_new(wrt_store *s, wrt_valtype elemtype, wrt_limits limits, void *init)
{
	if (elemtype != WRT_FUNCREF && elemtype != WRT_EXTERNREF)
		return NULL;
	if (limits.has_max && limits.max < limits.min)
		return NULL;
	return table_create(s, (uint8_t) elemtype, limits, init);
}

uint32_t
wrt_table_size(const wrt_table *t)
{
	return t->size;
}

bool
wrt_table_get(const wrt_table *t, uint32_t i, void **ref)
{
	if (i >= t->size)
		return false;
	*ref = t->elems[i];
	return true;
}

int64_t
wrt_table_grow_internal(wrt_table *t, uint32_t delta, void *init)
{
	table_impl *ti = table_of(t);
	uint64_t want = (uint64_t) t->size + delta;
	uint32_t old = t->size;

	if (want > t->max || want > WRT_MAX_TABLE)
		return -1;
	if (want > ti->cap)
	{
		/* Grow geometrically so repeated table.grow 1 stays linear. */
		uint64_t cap = ti->cap * 2 > want ? ti->cap * 2 : want;
		size_t bytes;
		void **e;

		if (cap > t->max)
			cap = t->max;
		if (!table_budget_allows(t->store, cap - ti->cap))
		{
			cap = want;         /* no geometric slack near the budget */
			if (!table_budget_allows(t->store, cap - ti->cap))
				return -1;
		}
		if (!mul_size((size_t) cap, sizeof(void *), &bytes))
			return -1;
		e = wrt_realloc(&t->store->alloc, t->elems, bytes);
		if (!e)
			return -1;
		t->elems = e;
		t->store->table_elems += cap - ti->cap;
		ti->cap = (size_t) cap;
	}
	for (uint64_t i = old; i < want; i++)
		t->elems[i] = init;
	t->size = (uint32_t) want;
	return old;
}

/* ---- memories ------------------------------------------------------------ */

/* The effective maximum of a memory: its declared max, capped at 65536. */
static uint32_t
memory_effective_max(const wrt_store *s, wrt_limits limits)
{
	uint64_t max = WRT_MAX_PAGES;

	/* The store's limit is not folded in: it is checked at every grow, so
	 * a host that raises it lets existing memories grow further. */
	if (limits.has_max && limits.max < max)
		max = limits.max;
	return (uint32_t) max;
}

/* Bytes of n pages, or false if not representable in size_t (32-bit hosts). */
static bool
pages_bytes(uint64_t pages, size_t *out)
{
	if (pages > WRT_MAX_PAGES)
		return false;
	return mul_size((size_t) pages, WRT_PAGE_SIZE, out);
}

/*
 * Zeroed memory data.  With the default allocator, calloc lets the C library
 * take fresh zero pages from the OS, so a large initial memory (hostile or
 * just generous) costs resident memory only when touched; an embedder's
 * allocator gets the portable allocate-and-clear.
 */
static bool
uses_default_allocator(const wrt_store *s)
{
	return s->alloc.alloc == wrt_default_allocator.alloc &&
		s->alloc.realloc == wrt_default_allocator.realloc &&
		s->alloc.free == wrt_default_allocator.free;
}

static uint8_t *
memory_data_alloc(wrt_store *s, size_t bytes)
{
	if (uses_default_allocator(s))
		return calloc(bytes ? bytes : 1, 1);
	return wrt_calloc(&s->alloc, bytes, 1);
}

/*
 * How much address space to reserve for a memory of at most max_pages that
 * needs `pages` now: up to its maximum, but never beyond the store's limit,
 * so an embedder's limit bounds address space too (a raised limit is met
 * by moving the memory, see memory_relocate).
 */
static uint32_t
memory_reserve_pages(const wrt_store *s, uint32_t max_pages, uint32_t pages)
{
	uint32_t r = max_pages;

	if (s->memory_limit_pages && s->memory_limit_pages < r)
		r = s->memory_limit_pages;
	return r < pages ? pages : r;
}

/*
 * Map `bytes` of zeroed memory inside a fresh reservation of reserve_pages;
 * NULL (nothing mapped) if virtual memory is unavailable or refused, and the
 * caller uses the allocator instead.
 */
static uint8_t *
memory_map(const wrt_store *s, uint32_t reserve_pages, size_t bytes, size_t *reserved)
{
	size_t rbytes;
	void *p;

	if (s->memory_no_vmem || reserve_pages == 0 || !pages_bytes(reserve_pages, &rbytes) ||
		!wrt_vmem_available())
		return NULL;
	p = wrt_vmem_reserve(rbytes);
	if (!p)
		return NULL;
	if (!wrt_vmem_commit(p, bytes))
	{
		wrt_vmem_release(p, rbytes);
		return NULL;
	}
	*reserved = rbytes;
	return p;
}

static void
memory_data_free(memory_impl *mi)
{
	wrt_memory *m = &mi->pub;

	if (mi->reserved)
		wrt_vmem_release(m->data, mi->reserved);
	else
		wrt_free(&m->store->alloc, m->data);
	m->data = NULL;
	mi->reserved = 0;
}

/*
 * Allocate and register a memory of limits.min pages.  The caller has checked
 * min against the effective maximum.  NULL on allocation failure.
 */
static wrt_memory *
memory_create(wrt_store *s, wrt_limits limits)
{
	memory_impl *mi;
	wrt_memory *m;
	size_t bytes;

	if (!pages_bytes(limits.min, &bytes))
		return NULL;
	mi = wrt_alloc(&s->alloc, sizeof(*mi));
	if (!mi)
		return NULL;
	memset(mi, 0, sizeof(*mi));
	m = &mi->pub;
	m->store = s;
	m->max_pages = memory_effective_max(s, limits);
	m->data = memory_map(s, memory_reserve_pages(s, m->max_pages, (uint32_t) limits.min),
						 bytes, &mi->reserved);
	if (!m->data)
		m->data = memory_data_alloc(s, bytes);
	if (!m->data)
	{
		wrt_free(&s->alloc, mi);
		return NULL;
	}
	m->size = bytes;
	m->pages = (uint32_t) limits.min;
	mi->declared = limits;
	if (!wrt_store_register(s, mi, WRT_OBJ_MEMORY))
	{
		memory_data_free(mi);
		wrt_free(&s->alloc, mi);
		return NULL;
	}
	return m;
}

wrt_memory *
wrt_memory_new(wrt_store *s, wrt_limits limits)
{
	if (limits.min > WRT_MAX_PAGES)
		return NULL;
	if (limits.has_max && (limits.max < limits.min || limits.max > WRT_MAX_PAGES))
		return NULL;
	if (limits.min > memory_effective_max(s, limits) ||
		(s->memory_limit_pages && limits.min > s->memory_limit_pages))
		return NULL;
	return memory_create(s, limits);
}

uint8_t *
wrt_memory_data(wrt_memory *m)
{
	return m->data;
}

uint64_t
wrt_memory_size(const wrt_memory *m)
{
	return m->size;
}

/*
 * A mapped memory must grow past its reservation (the store's limit was
 * raised since it was created): move it to a reservation for the new limit.
 * This copies the memory, once per raise of the limit.
 */
static bool
memory_relocate(wrt_memory *m, uint32_t pages, size_t bytes)
{
	memory_impl *mi = memory_of(m);
	size_t reserved = 0;
	uint8_t *d;

	d = memory_map(m->store, memory_reserve_pages(m->store, m->max_pages, pages), bytes,
				   &reserved);
	if (!d)
		return false;
	memcpy(d, m->data, (size_t) m->size);
	wrt_vmem_release(m->data, mi->reserved);
	m->data = d;
	mi->reserved = reserved;
	m->size = bytes;
	m->pages = pages;
	return true;
}

/* Resize a mapped memory: commit or decommit the pages in between. */
static bool
memory_resize_mapped(wrt_memory *m, uint32_t pages, size_t bytes)
{
	memory_impl *mi = memory_of(m);
	size_t old = (size_t) m->size;

	if (bytes > mi->reserved)
		return memory_relocate(m, pages, bytes);
	if (bytes > old && !wrt_vmem_commit(m->data + old, bytes - old))
		return false;
	if (bytes < old && !wrt_vmem_decommit(m->data + bytes, old - bytes))
	{
		/* Still committed: what lies beyond the size must read as zero
		 * when the memory grows again. */
		memset(m->data + bytes, 0, old - bytes);
	}
	m->size = bytes;
	m->pages = pages;
	return true;
}

/* Resize the data block to `pages`, zeroing any new bytes. */
static bool
memory_resize(wrt_memory *m, uint32_t pages)
{
	size_t bytes;
	uint8_t *d;

	if (!pages_bytes(pages, &bytes))
		return false;
	if (memory_of(m)->reserved)
		return memory_resize_mapped(m, pages, bytes);
	d = wrt_realloc(&m->store->alloc, m->data, bytes ? bytes : 1);
	if (!d)
	{
		if (bytes > m->size)
			return false;
		d = m->data;            /* a failed shrink is harmless: keep the block */
	}
	if (bytes > m->size)
		memset(d + m->size, 0, bytes - (size_t) m->size);
	m->data = d;
	m->size = bytes;
	m->pages = pages;
	return true;
}

int64_t
wrt_memory_grow_internal(wrt_memory *m, uint32_t delta)
{
	uint64_t want = (uint64_t) m->pages + delta;
	uint32_t limit = m->store->memory_limit_pages;
	uint32_t old = m->pages;

	if (want > m->max_pages || want > WRT_MAX_PAGES || (limit && want > limit))
		return -1;
	if (delta == 0)
		return old;
	if (!memory_resize(m, (uint32_t) want))
		return -1;
	return old;
}

int64_t
wrt_memory_grow(wrt_memory *m, uint32_t delta_pages)
{
	return wrt_memory_grow_internal(m, delta_pages);
}

/* ---- constant expressions ---------------------------------------------- */

/* Values of the opcodes.def operand types to and from wrt_value.bits (i32
 * and f32 zero-extended). */
static inline wrt_ct_I32 from_bits_I32(uint64_t x) { return (uint32_t) x; }
static inline wrt_ct_I64 from_bits_I64(uint64_t x) { return x; }
static inline wrt_ct_F32 from_bits_F32(uint64_t x) { return wrt_f32_from_bits((uint32_t) x); }
static inline wrt_ct_F64 from_bits_F64(uint64_t x) { return wrt_f64_from_bits(x); }
static inline uint64_t to_bits_I32(wrt_ct_I32 r) { return r; }
static inline uint64_t to_bits_I64(wrt_ct_I64 r) { return r; }
static inline uint64_t to_bits_F32(wrt_ct_F32 r) { return wrt_f32_bits(r); }
static inline uint64_t to_bits_F64(wrt_ct_F64 r) { return wrt_f64_bits(r); }

/*
 * r = x op y for a binary operator of opcodes.def, by the row's own body,
 * so constant expressions compute what the interpreter would.  False for a
 * trap (the validator admits no trapping operator) or a non-binary op.
 */
static bool
eval_binary(int op, uint64_t x, uint64_t y, uint64_t *out)
{
	switch ((wrt_op) op)
	{
#define TRAP(kind) return false
#define OP_BIN(NAME, code, text, T, TOUT, body) \
		case WRT_OP_##NAME: \
			{ \
				wrt_ct_##T a = from_bits_##T(x), b = from_bits_##T(y); \
				wrt_ct_##TOUT r; \
				body \
				*out = to_bits_##TOUT(r); \
				return true; \
			}
#define OP_CMP(NAME, code, text, T, body)
#include "opcodes.def"
#undef TRAP
		default:
			return false;
	}
}

/*
 * Evaluate a validated constant expression: the instructions of the
 * OP_CONST_EXPR rows of opcodes.def, read with the one instruction reader —
 * constants, ref.null, ref.func, global.get (of the first `nglobals_ready`
 * globals) and the extended-const integer add/sub/mul.  Values use the
 * engine convention: i32 and f32 zero-extended in .bits, references as
 * pointers, a v128 in all 16 bytes.  Returns false only for an expression
 * the validator should have rejected or on OOM.
 */
static bool
eval_const(wrt_instance *inst, const wrt_constexpr *e, uint32_t nglobals_ready,
		   wrt_value *out)
{
	const wrt_allocator *a = &inst->store->alloc;
	wrt_value small[16];
	wrt_value *stack = small;
	size_t cap = 16, sp = 0;
	wrt_error err;
	wrt_insn_reader rd;
	bool ok = false;

	wrt_insn_reader_init(&rd, inst->mod->bytes, e->start, e->start + e->len, &err);
	for (;;)
	{
		wrt_insn in;
		wrt_value v;

		memset(&v, 0, sizeof(v));
		if (!wrt_insn_next(&rd, &in))
			goto done;
		if (in.op == WRT_OP_END)
		{
			if (sp != 1)
				goto done;
			*out = stack[0];
			ok = true;
			goto done;
		}
		if (!wrt_op_in_const_expr[in.op])
			goto done;
		switch ((wrt_op) in.op)
		{
			case WRT_OP_I32_CONST:
				v.bits = (uint32_t) in.i32;
				break;
			case WRT_OP_I64_CONST:
				v.bits = (uint64_t) in.i64;
				break;
			case WRT_OP_F32_CONST:
				v.bits = in.f32_bits;
				break;
			case WRT_OP_F64_CONST:
				v.bits = in.f64_bits;
				break;
			case WRT_OP_V128_CONST:
				memcpy(v.v128, in.bytes, 16);
				break;
			case WRT_OP_REF_NULL:
				v.ref = NULL;
				break;
			case WRT_OP_REF_FUNC:
				if (in.index >= inst->mod->nfuncs)
					goto done;
				v.ref = inst->funcs[in.index];
				break;
			case WRT_OP_GLOBAL_GET:
				if (in.index >= nglobals_ready)
					goto done;
				v = inst->globals[in.index]->v;
				break;
			default:
				/* The arithmetic rows (extended-const). */
				if (sp < 2 || !eval_binary(in.op, stack[sp - 2].bits, stack[sp - 1].bits, &v.bits))
					goto done;
				sp -= 2;
				break;
		}
		if (sp == cap)
		{
			/* Extended const allows arbitrarily deep expressions. */
			size_t ncap = cap * 2, bytes;
			wrt_value *ns;

			if (!mul_size(ncap, sizeof(wrt_value), &bytes))
				goto done;
			ns = wrt_alloc(a, bytes);
			if (!ns)
				goto done;
			memcpy(ns, stack, sp * sizeof(wrt_value));
			if (stack != small)
				wrt_free(a, stack);
			stack = ns;
			cap = ncap;
		}
		stack[sp++] = v;
	}
done:
	if (stack != small)
		wrt_free(a, stack);
	return ok;
}

void *
wrt_elem_value(wrt_instance *inst, const wrt_elem *e, uint32_t i)
{
	wrt_value v;

	if (i >= e->count)
		return NULL;
	if (e->funcs)
		return e->funcs[i] < inst->mod->nfuncs ? inst->funcs[e->funcs[i]] : NULL;
	/* Element expressions may only read immutable globals, so evaluating at
	 * table.init time gives the value instantiation would have computed. */
	if (!eval_const(inst, &e->exprs[i], inst->mod->nglobals, &v))
		return NULL;
	return v.ref;
}

/* ---- instantiation ------------------------------------------------------- */

/* Limits subtyping: actual {min = current size, declared max} <= wanted. */
static bool
limits_match(uint64_t actual_min, const wrt_limits *actual, const wrt_limits *want)
{
	if (actual_min < want->min)
		return false;
	if (want->has_max && (!actual->has_max || actual->max > want->max))
		return false;
	return true;
}

static bool
check_import(wrt_instance *inst, uint32_t i, const wrt_extern *ext, wrt_error *err)
{
	const wrt_module *m = inst->mod;
	const wrt_import *im = &m->imports[i];
	const void *obj;

	switch (ext->kind)
	{
		case WRT_EXTERN_FUNC: obj = ext->u.func; break;
		case WRT_EXTERN_TABLE: obj = ext->u.table; break;
		case WRT_EXTERN_MEMORY: obj = ext->u.memory; break;
		case WRT_EXTERN_GLOBAL: obj = ext->u.global; break;
		default: obj = NULL; break;
	}
	/* A host that found nothing to bind passes a NULL object. */
	if (!obj)
		return wrt_set_error(err, WRT_ERR_LINK, 0, "unknown import %.*s.%.*s",
							 (int) im->module_len, im->module,
							 (int) im->name_len, im->name);
	if (ext->kind != im->kind)
		goto incompatible;
	switch (im->kind)
	{
		case WRT_EXTERN_FUNC:
			/* Compared structurally rather than by interned id, so a
			 * function from another store cannot match by accident. */
			if (!functype_same(&ext->u.func->type, wrt_module_functype(m, im->index)))
				goto incompatible;
			/* Host functions exchange one 8-byte slot per value with the
			 * interpreter: a v128 cannot cross (no host API needs one). */
			if (!ext->u.func->inst &&
				wrt_types_slots(ext->u.func->type.params, ext->u.func->type.nparams)
				+ wrt_types_slots(ext->u.func->type.results, ext->u.func->type.nresults)
				!= ext->u.func->type.nparams + ext->u.func->type.nresults)
				return wrt_set_error(err, WRT_ERR_LINK, 0,
									 "host function import %.*s.%.*s has a v128 parameter or result, "
									 "which host functions do not support",
									 (int) im->module_len, im->module, (int) im->name_len, im->name);
			break;
		case WRT_EXTERN_TABLE:
			{
				wrt_table *t = ext->u.table;
				const wrt_tabletype *tt = &m->tables[im->index];

				if (t->elemtype != tt->elemtype ||
					!limits_match(t->size, &table_of(t)->declared, &tt->limits))
					goto incompatible;
			}
			break;
		case WRT_EXTERN_MEMORY:
			{
				wrt_memory *mem = ext->u.memory;

				if (!limits_match(mem->pages, &memory_of(mem)->declared, &m->mems[im->index]))
					goto incompatible;
			}
			break;
		case WRT_EXTERN_GLOBAL:
			{
				const wrt_global *g = ext->u.global;
				const wrt_globaldef *gd = &m->globals[im->index];

				if (g->type != gd->type || g->mut != gd->mut)
					goto incompatible;
			}
			break;
		default:
			goto incompatible;
	}
	return true;

incompatible:
	return wrt_set_error(err, WRT_ERR_LINK, 0, "incompatible import type for %.*s.%.*s",
						 (int) im->module_len, im->module, (int) im->name_len, im->name);
}

static bool
trap_error(wrt_store *s, wrt_error *err)
{
	return wrt_set_error(err, WRT_ERR_TRAP, 0, "%s", s->trap.message);
}

wrt_instance *
wrt_instantiate(wrt_store *s, wrt_module *m, const wrt_extern *imports, size_t nimports,
				wrt_error *err)
{
	const wrt_allocator *a = &s->alloc;
	size_t mark = s->nobjects;
	bool escaped = false;       /* may references to this instance exist elsewhere? */
	instance_impl *ii;
	wrt_instance *inst;
	uint32_t ndefined;
	wrt_error dummy;

	if (!err)
		err = &dummy;
	if (nimports != m->nimports)
	{
		wrt_set_error(err, WRT_ERR_LINK, 0, "unknown import: %zu given for %u imports",
					  nimports, m->nimports);
		return NULL;
	}
	if (m->nimports && !imports)
	{
		wrt_set_error(err, WRT_ERR_LINK, 0, "unknown import");
		return NULL;
	}

	ii = wrt_alloc(a, sizeof(*ii));
	if (!ii)
		goto oom;
	memset(ii, 0, sizeof(*ii));
	inst = &ii->pub;
	inst->store = s;
	inst->mod = m;
	if (!wrt_store_register(s, ii, WRT_OBJ_INSTANCE))
	{
		wrt_free(a, ii);
		goto oom;
	}
	/* From here the instance is in the store: a failure path either rolls
	 * the store back to `mark` or leaves it there to be freed with it. */
	ndefined = m->nfuncs - m->nfunc_imports;
	inst->funcs = wrt_calloc(a, m->nfuncs, sizeof(wrt_func *));
	inst->tables = wrt_calloc(a, m->ntables, sizeof(wrt_table *));
	inst->mems = wrt_calloc(a, m->nmems, sizeof(wrt_memory *));
	inst->globals = wrt_calloc(a, m->nglobals, sizeof(wrt_global *));
	inst->type_ids = wrt_calloc(a, m->ntypes, sizeof(uint32_t));
	inst->elem_dropped = wrt_calloc(a, m->nelems, 1);
	inst->data_dropped = wrt_calloc(a, m->ndatas, 1);
	ii->own_funcs = wrt_calloc(a, ndefined, sizeof(wrt_func));
	ii->own_globals = wrt_calloc(a, m->nglobals - m->nglobal_imports, sizeof(wrt_global));
	if (!inst->funcs || !inst->tables || !inst->mems || !inst->globals ||
		!inst->type_ids || !inst->elem_dropped || !inst->data_dropped ||
		!ii->own_funcs || !ii->own_globals)
		goto oom;
	ii->nown_funcs = ndefined;
	ii->fixed_bytes = sizeof(*ii) +
		(size_t) m->nfuncs * sizeof(wrt_func *) +
		(size_t) m->ntables * sizeof(wrt_table *) +
		(size_t) m->nmems * sizeof(wrt_memory *) +
		(size_t) m->nglobals * sizeof(wrt_global *) +
		(size_t) m->ntypes * sizeof(uint32_t) +
		m->nelems + m->ndatas +
		(size_t) ndefined * sizeof(wrt_func) +
		(size_t) (m->nglobals - m->nglobal_imports) * sizeof(wrt_global);

	for (uint32_t i = 0; i < m->ntypes; i++)
	{
		inst->type_ids[i] = wrt_store_intern_type(s, &m->types[i]);
		if (inst->type_ids[i] == UINT32_MAX)
			goto oom;
	}

	/* Imports. */
	for (uint32_t i = 0; i < m->nimports; i++)
	{
		const wrt_import *im = &m->imports[i];

		if (!check_import(inst, i, &imports[i], err))
			goto fail;
		switch (im->kind)
		{
			case WRT_EXTERN_FUNC: inst->funcs[im->index] = imports[i].u.func; break;
			case WRT_EXTERN_TABLE: inst->tables[im->index] = imports[i].u.table; break;
			case WRT_EXTERN_MEMORY: inst->mems[im->index] = imports[i].u.memory; break;
			case WRT_EXTERN_GLOBAL: inst->globals[im->index] = imports[i].u.global; break;
		}
	}
	/* A module whose import indices do not cover its import spaces would
	 * leave holes; the decoder should never produce one. */
	for (uint32_t i = 0; i < m->nfunc_imports; i++)
		if (!inst->funcs[i])
			goto bad_module;
	for (uint32_t i = 0; i < m->ntable_imports; i++)
		if (!inst->tables[i])
			goto bad_module;
	for (uint32_t i = 0; i < m->nmem_imports; i++)
		if (!inst->mems[i])
			goto bad_module;
	for (uint32_t i = 0; i < m->nglobal_imports; i++)
		if (!inst->globals[i])
			goto bad_module;

	/* Defined functions: created first so ref.func in initialisers works. */
	for (uint32_t i = 0; i < ndefined; i++)
	{
		wrt_func *f = &ii->own_funcs[i];
		uint32_t ti = m->func_types[m->nfunc_imports + i];

		f->type_id = inst->type_ids[ti];
		f->type = m->types[ti];
		f->inst = inst;
		f->code = &m->codes[i];
		inst->funcs[m->nfunc_imports + i] = f;
	}

	/* Memories: the store limit is checked before allocating anything. */
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++)
	{
		if (m->mems[i].min > memory_effective_max(s, m->mems[i]) ||
			(s->memory_limit_pages && m->mems[i].min > s->memory_limit_pages))
		{
			wrt_trap_set(s, WRT_TRAP_MEMORY_LIMIT, NULL);
			trap_error(s, err);
			goto fail;
		}
	}
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++)
	{
		if (m->tables[i].limits.min > WRT_MAX_TABLE)
		{
			wrt_set_error(err, WRT_ERR_LIMIT, 0, "table size %llu exceeds the engine limit of %u",
						  (unsigned long long) m->tables[i].limits.min, WRT_MAX_TABLE);
			goto fail;
		}
		if (!table_budget_allows(s, m->tables[i].limits.min))
		{
			wrt_set_error(err, WRT_ERR_LIMIT, 0,
						  "tables exceed the table limit of %llu elements",
						  (unsigned long long) (s->table_limit ? s->table_limit : WRT_MAX_TABLE_TOTAL));
			goto fail;
		}
		inst->tables[i] = table_create(s, m->tables[i].elemtype, m->tables[i].limits, NULL);
		if (!inst->tables[i])
			goto oom;
	}
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++)
	{
		inst->mems[i] = memory_create(s, m->mems[i]);
		if (!inst->mems[i])
			goto oom;
	}
	inst->mem0 = m->nmems ? inst->mems[0] : NULL;

	/* Globals, in order: an initialiser may read earlier globals. */
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++)
	{
		wrt_global *g = &ii->own_globals[i - m->nglobal_imports];

		g->type = m->globals[i].type;
		g->mut = m->globals[i].mut;
		if (!eval_const(inst, &m->globals[i].init, i, &g->v))
			goto bad_module;
		inst->globals[i] = g;
	}

	/*
	 * Element segments, then data segments, in order (Wasm 2.0): an active
	 * segment is table.init / memory.init of the whole segment followed by a
	 * drop.  A trap stops instantiation; earlier writes stay visible in
	 * imported tables and memories, as the spec requires.
	 */
	for (uint32_t i = 0; i < m->nelems; i++)
	{
		const wrt_elem *e = &m->elems[i];
		wrt_value off;

		if (e->mode == WRT_SEG_ACTIVE)
		{
			if (e->table >= m->ntables || !eval_const(inst, &e->offset, m->nglobals, &off))
				goto bad_module;
			if (e->table < m->ntable_imports && e->count > 0)
				escaped = true;     /* our functions may land in a shared table */
			if (!wrt_exec_table_init(inst, e->table, i, (uint32_t) off.i32, 0, e->count))
			{
				wrt_trap_set(s, WRT_TRAP_TABLE_OOB, NULL);
				trap_error(s, err);
				goto fail;
			}
			inst->elem_dropped[i] = 1;
		}
		else if (e->mode == WRT_SEG_DECLARATIVE)
			inst->elem_dropped[i] = 1;
	}
	for (uint32_t i = 0; i < m->ndatas; i++)
	{
		const wrt_data *d = &m->datas[i];
		wrt_value off;

		if (d->mode != WRT_SEG_ACTIVE)
			continue;
		if (d->memory >= m->nmems || !eval_const(inst, &d->offset, m->nglobals, &off))
			goto bad_module;
		if (!wrt_exec_memory_init(inst, i, (uint32_t) off.i32, 0, d->len))
		{
			wrt_trap_set(s, WRT_TRAP_MEMORY_OOB, NULL);
			trap_error(s, err);
			goto fail;
		}
		inst->data_dropped[i] = 1;
	}

	/* The eager tier compiles the module here, before any of its calls
	 * (the start function's included). */
	wrt_tier_on_instantiate(s, m);

	if (m->has_start)
	{
		escaped = true;         /* the start function can store references */
		if (m->start >= m->nfuncs)
			goto bad_module;
		if (!wrt_invoke(s, inst->funcs[m->start], NULL, NULL))
		{
			trap_error(s, err);
			goto fail;
		}
	}
	/* The freshly-instantiated state is what wrt_instance_reset restores
	 * until the host takes its own snapshot; it is cheap because memory is
	 * saved only up to its last non-zero byte. */
	if (!wrt_instance_snapshot(inst))
		goto oom;
	return inst;

bad_module:
	wrt_set_error(err, WRT_ERR_INVALID, 0, "malformed module structure at instantiation");
	goto fail;
oom:
	wrt_set_error(err, WRT_ERR_OOM, 0, "out of memory during instantiation");
fail:
	/* Nothing outside the store can refer to this instance's objects yet, so
	 * give their memory back instead of holding it until wrt_store_free. */
	if (!escaped)
		store_release_from(s, mark);
	return NULL;
}

wrt_module *
wrt_instance_module(const wrt_instance *inst)
{
	return inst->mod;
}

bool
wrt_instance_export(const wrt_instance *inst, const char *name, size_t name_len,
					wrt_extern *out)
{
	const wrt_module *m = inst->mod;

	for (uint32_t i = 0; i < m->nexports; i++)
	{
		const wrt_export *ex = &m->exports[i];

		if (ex->name_len != name_len || memcmp(ex->name, name, name_len) != 0)
			continue;
		out->kind = (wrt_externkind) ex->kind;
		switch (ex->kind)
		{
			case WRT_EXTERN_FUNC: out->u.func = inst->funcs[ex->index]; break;
			case WRT_EXTERN_TABLE: out->u.table = inst->tables[ex->index]; break;
			case WRT_EXTERN_MEMORY: out->u.memory = inst->mems[ex->index]; break;
			case WRT_EXTERN_GLOBAL: out->u.global = inst->globals[ex->index]; break;
			default: return false;
		}
		return true;
	}
	return false;
}

wrt_memory *
wrt_instance_memory(const wrt_instance *inst)
{
	return inst->mem0;
}

/* Zero tails at least this large are replaced by fresh calloc pages on reset. */
#define RESET_FRESH_MIN (1u << 20)

/* ---- snapshot and reset -------------------------------------------------- */

/*
 * A snapshot covers every memory, table and global the instance uses,
 * imported ones included (restoring a shared object affects its other
 * users: a host that resets should not share mutable state).  Memory is
 * saved up to its last non-zero byte: typical heaps are mostly untouched,
 * and reset zeroes the rest.
 */
bool
wrt_instance_snapshot(wrt_instance *inst)
{
	const wrt_allocator *a = &inst->store->alloc;
	const wrt_module *m = inst->mod;
	struct wrt_snapshot *snap;
	struct wrt_snapshot *old = inst->snapshot;

	snap = wrt_alloc(a, sizeof(*snap));
	if (!snap)
		return false;
	memset(snap, 0, sizeof(*snap));
	snap->bytes = sizeof(*snap);
	snap->mems = wrt_calloc(a, m->nmems, sizeof(mem_snap));
	snap->tables = wrt_calloc(a, m->ntables, sizeof(table_snap));
	snap->globals = wrt_calloc(a, m->nglobals, sizeof(wrt_value));
	snap->elem_dropped = wrt_calloc(a, m->nelems, 1);
	snap->data_dropped = wrt_calloc(a, m->ndatas, 1);
	/* Install it so a failure below frees it through snapshot_free. */
	inst->snapshot = snap;
	if (!snap->mems || !snap->tables || !snap->globals ||
		!snap->elem_dropped || !snap->data_dropped)
		goto fail;
	snap->bytes += (size_t) m->nmems * sizeof(mem_snap) +
		(size_t) m->ntables * sizeof(table_snap) +
		(size_t) m->nglobals * sizeof(wrt_value) + m->nelems + m->ndatas;

	for (uint32_t i = 0; i < m->nmems; i++)
	{
		wrt_memory *mem = inst->mems[i];
		uint64_t used = mem->size;

		/* Find the last non-zero byte a word at a time (memories are
		 * mostly zero above their data and stack). */
		while (used >= 8)
		{
			uint64_t w;

			memcpy(&w, mem->data + used - 8, 8);
			if (w)
				break;
			used -= 8;
		}
		while (used > 0 && mem->data[used - 1] == 0)
			used--;
		snap->mems[i].pages = mem->pages;
		snap->mems[i].used = used;
		if (used)
		{
			snap->mems[i].bytes = wrt_alloc(a, (size_t) used);
			if (!snap->mems[i].bytes)
				goto fail;
			memcpy(snap->mems[i].bytes, mem->data, (size_t) used);
			snap->bytes += (size_t) used;
		}
	}
	for (uint32_t i = 0; i < m->ntables; i++)
	{
		wrt_table *t = inst->tables[i];

		snap->tables[i].size = t->size;
		snap->tables[i].elems = wrt_calloc(a, t->size, sizeof(void *));
		if (!snap->tables[i].elems)
			goto fail;
		if (t->size)
			memcpy(snap->tables[i].elems, t->elems, (size_t) t->size * sizeof(void *));
		snap->bytes += (size_t) t->size * sizeof(void *);
	}
	for (uint32_t i = 0; i < m->nglobals; i++)
		snap->globals[i] = inst->globals[i]->v;
	if (m->nelems)
		memcpy(snap->elem_dropped, inst->elem_dropped, m->nelems);
	if (m->ndatas)
		memcpy(snap->data_dropped, inst->data_dropped, m->ndatas);

	inst->snapshot = old;
	snapshot_free(a, inst);
	inst->snapshot = snap;
	return true;

fail:
	snapshot_free(a, inst);     /* frees the new, partial snapshot */
	inst->snapshot = old;
	return false;
}

/*
 * Restore the last snapshot: the one wrt_instantiate takes of the freshly
 * instantiated state, or a later one the host took.  (Without any, e.g.
 * after a failed snapshot, the current state becomes the baseline.)
 */
bool
wrt_instance_reset(wrt_instance *inst)
{
	const wrt_module *m = inst->mod;
	struct wrt_snapshot *snap = inst->snapshot;

	if (!snap)
		return wrt_instance_snapshot(inst);

	for (uint32_t i = 0; i < m->nmems; i++)
	{
		wrt_memory *mem = inst->mems[i];
		const mem_snap *ms = &snap->mems[i];

		if (mem->pages != ms->pages && !memory_resize(mem, ms->pages))
		{
			wrt_trap_set(inst->store, WRT_TRAP_OOM, NULL);
			return false;
		}
		if (mem->size - ms->used >= RESET_FRESH_MIN && memory_of(mem)->reserved)
		{
			/* Fresh pages for the whole Wasm pages of the tail (resident
			 * memory goes back to the system); memset the rest. */
			size_t from = (size_t) ((ms->used + WRT_PAGE_SIZE - 1) / WRT_PAGE_SIZE * WRT_PAGE_SIZE);

			if (wrt_vmem_zero(mem->data + from, (size_t) mem->size - from))
				memset(mem->data + ms->used, 0, from - (size_t) ms->used);
			else
				memset(mem->data + ms->used, 0, (size_t) (mem->size - ms->used));
		}
		else if (mem->size - ms->used >= RESET_FRESH_MIN && uses_default_allocator(inst->store))
		{
			/* Clearing a big tail with memset would make every page of it
			 * resident; fresh zero pages from calloc cost nothing until
			 * touched.  (The guest sees no difference: the data pointer is
			 * re-read after every host operation.) */
			uint8_t *fresh = calloc((size_t) mem->size, 1);

			if (fresh)
			{
				free(mem->data);
				mem->data = fresh;
			}
			else
				memset(mem->data + ms->used, 0, (size_t) (mem->size - ms->used));
		}
		else if (mem->size > ms->used)
			memset(mem->data + ms->used, 0, (size_t) (mem->size - ms->used));
		if (ms->used)
			memcpy(mem->data, ms->bytes, (size_t) ms->used);
	}
	for (uint32_t i = 0; i < m->ntables; i++)
	{
		wrt_table *t = inst->tables[i];
		const table_snap *ts = &snap->tables[i];

		if (ts->size > t->size)
		{
			/* Only possible for a shared table something else shrank: grow
			 * it back (filler overwritten below). */
			if (wrt_table_grow_internal(t, ts->size - t->size, NULL) < 0)
			{
				wrt_trap_set(inst->store, WRT_TRAP_OOM, NULL);
				return false;
			}
		}
		t->size = ts->size;     /* shrinking keeps the allocation */
		if (ts->size)
			memcpy(t->elems, ts->elems, (size_t) ts->size * sizeof(void *));
	}
	for (uint32_t i = 0; i < m->nglobals; i++)
		inst->globals[i]->v = snap->globals[i];
	if (m->nelems)
		memcpy(inst->elem_dropped, snap->elem_dropped, m->nelems);
	if (m->ndatas)
		memcpy(inst->data_dropped, snap->data_dropped, m->ndatas);
	return true;
}

size_t
wrt_instance_memory_usage(const wrt_instance *inst)
{
	const instance_impl *ii = (const instance_impl *) inst;
	const wrt_module *m = inst->mod;
	size_t total = ii->fixed_bytes;

	/* Only the objects this instance defined; imported ones are counted by
	 * the instance that defined them. */
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++)
		total += sizeof(table_impl) + table_of(inst->tables[i])->cap * sizeof(void *);
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++)
		total += sizeof(memory_impl) + (size_t) inst->mems[i]->size;
	if (inst->snapshot)
		total += inst->snapshot->bytes;
	return total;
}
