/*
 * interp.c — the interpreter for the register code (compile.h, ir.def).
 *
 * One function, run(), executes Wasm code with direct-threaded dispatch
 * (each instruction's first cell is the address of its handler label;
 * "goto *pc->h" jumps there).  Wasm-to-Wasm calls never recurse in C: a call
 * pushes a wrt_frame on the store's frame stack and the callee's frame is a
 * window of the store's value stack starting at the caller's argument
 * slots.  The hot state (pc, fp, memory base and size, fuel) lives in local
 * variables; it is written back to the store only around host calls, which
 * may re-enter wrt_call.
 *
 * The handler table has one label per instruction of ir.def, generated
 * from the table; a handler reads its operands through the accessors
 * generated from its row's layout, OPND(layout, operand), which compile to
 * the same single loads as hand-written pc[k] reads, and steps by its
 * layout's generated length (NEXT(WRT_IRLEN_<layout>)).
 *
 * Frame slots are 8 bytes (wrt_slot); a v128 takes a slot pair, read and
 * written with VGET/VSET (16-byte copies the compiler turns into one vector
 * load or store).  SIMD operators run in their lane functions (simd-fns.h),
 * called from one handler per family.  Values cross to the 16-byte public wrt_value only at the
 * edges: wrt_invoke's arguments and results, host calls and globals.
 *
 * Memory accesses are bounds-checked in software: the effective address is
 * computed in 64 bits (a 32-bit base plus a 32-bit offset cannot overflow)
 * and compared with the current memory size.  We do not use guard pages:
 * inside a database backend we cannot own the SIGSEGV handler, and a 4 GiB+
 * reservation per instance would multiply across connections.
 *
 * Traps are values: a trapping handler jumps to one exit path that records
 * the trap kind, message and a backtrace in the store, unwinds the frames of
 * this activation and returns false.  Interrupts and fuel are polled at
 * function entry and on every loop back-edge (see JUMP), so a runaway loop
 * is stopped within one iteration of setting the flag.
 */
#include "compile.h"
#include "numeric.h"
#include "opcodes.h"
#include "simd.h"
#include "simd-fns.h"
#include "tier.h"

#include <stdlib.h>

#define GET_I32(s) ((uint32_t) fp[s].i32)
#define GET_I64(s) ((uint64_t) fp[s].i64)
#define GET_F32(s) (fp[s].f32)
#define GET_F64(s) (fp[s].f64)
#define SET_I32(s, v) (fp[s].i64 = (int64_t) (uint32_t) (v))
#define SET_I64(s, v) (fp[s].i64 = (int64_t) (v))
#define SET_F32(s, v) (fp[s].bits = 0, fp[s].f32 = (v))
#define SET_F64(s, v) (fp[s].f64 = (v))
#define VGET_I32(v) ((uint32_t) (v).i32)
#define VGET_I64(v) ((uint64_t) (v).i64)
#define VGET_F32(v) ((v).f32)
#define VGET_F64(v) ((v).f64)
#define IMM_I32(c) ((uint32_t) (c).u)
#define IMM_I64(c) ((c).u)
#define IMM_F32(c) ((c).f32)
#define IMM_F64(c) ((c).f64)
#define VGET(s) ({ wrt_v128 v_; memcpy(&v_, fp + (s), 16); v_; })
#define VSET(s, v) memcpy(fp + (s), &(v), 16)

/* The flag was found set: may the call go on?  (Kept out of line: rare.) */
static __attribute__((noinline, cold)) bool
interrupt_continue(wrt_store *s)
{
	return s->interrupt_handler && s->interrupt_handler(s->interrupt_ud);
}

static bool
ensure_stack(wrt_store *s)
{
	size_t want = s->stack_bytes / sizeof(wrt_slot);
	if (want < 64)
		want = 64;
	if (s->stack && s->depth == 0 && (s->stack_slots != want || s->frames_cap != s->max_frames))
	{
		wrt_free(&s->alloc, s->stack);
		wrt_free(&s->alloc, s->frames);
		s->stack = NULL;
		s->frames = NULL;
	}
	if (s->stack)
	{
		s->stack_ready = s->stack_slots == want && s->frames_cap == s->max_frames;
		return true;
	}
	/* Not zeroed: every slot and frame is written before it is read (locals
	 * are cleared at each call), and clearing 1 MiB would dominate the
	 * cost of a small module's first call. */
	s->stack = want <= SIZE_MAX / sizeof(wrt_slot) ? wrt_alloc(&s->alloc, want * sizeof(wrt_slot)) : NULL;
	s->frames = wrt_alloc(&s->alloc, (size_t) (s->max_frames ? s->max_frames : 1) * sizeof(wrt_frame));
	if (!s->stack || !s->frames)
	{
		wrt_free(&s->alloc, s->stack);
		wrt_free(&s->alloc, s->frames);
		s->stack = NULL;
		s->frames = NULL;
		return false;
	}
	s->stack_slots = want;
	s->frames_cap = s->max_frames;
	s->stack_top = s->stack;
	s->nframes = 0;
	s->stack_ready = true;
	return true;
}

/* Compile on first call; a failure (memory, the code limit, an interrupt)
 * becomes a trap. */
static bool
ensure_compiled(wrt_store *s, wrt_module *m, wrt_code *code)
{
	if (WRT_LIKELY(code->compiled != NULL))
		return true;
	wrt_error err;
	memset(&err, 0, sizeof(err));
	if (wrt_compile(m, code, &err))
		return true;
	wrt_trap_set(s, err.kind == WRT_ERR_INTERRUPTED ? WRT_TRAP_INTERRUPTED
				 : err.kind == WRT_ERR_LIMIT ? WRT_TRAP_CODE_LIMIT : WRT_TRAP_OOM,
				 "cannot compile function %u: %s", code->func_index, err.message);
	return false;
}

static void
add_frame(wrt_store *s, wrt_instance *inst, wrt_code *code, const void *pc)
{
	wrt_trap *t = &s->trap;
	if (t->nframes >= WRT_MAX_BACKTRACE || !code)
		return;
	wrt_frameinfo *fi = &t->frames[t->nframes++];
	fi->func_index = code->func_index;
	fi->offset = wrt_compiled_offset(code->compiled, pc);
	fi->name = inst ? wrt_module_func_name(inst->mod, code->func_index) : NULL;
}

/* Bulk operations (also used by instantiation for active segments). */
bool
wrt_exec_memory_init(wrt_instance *inst, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n)
{
	const wrt_data *d = &inst->mod->datas[seg];
	uint64_t len = inst->data_dropped[seg] ? 0 : d->len;
	wrt_memory *mem = inst->mems ? inst->mems[0] : NULL;
	uint64_t msize = mem ? mem->size : 0;
	if ((uint64_t) src + n > len || (uint64_t) dst + n > msize)
		return false;
	if (n)
		memcpy(mem->data + dst, d->bytes + src, n);
	return true;
}

bool
wrt_exec_table_init(wrt_instance *inst, uint32_t table, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n)
{
	const wrt_elem *e = &inst->mod->elems[seg];
	uint64_t len = inst->elem_dropped[seg] ? 0 : e->count;
	wrt_table *t = inst->tables[table];
	if ((uint64_t) src + n > len || (uint64_t) dst + n > t->size)
		return false;
	for (uint32_t i = 0; i < n; i++)
		t->elems[dst + i] = wrt_elem_value(inst, e, src + i);
	return true;
}

/*
 * Call host function hc->func with its arguments in the slots at nfp and
 * write its results there: 1 done, 0 it failed, -1 out of memory.  The
 * type has no v128 (refused at link time), so a value is one slot; slots
 * and wrt_values are converted both ways.  Out of line: it keeps run()
 * smaller, which is worth more to the scalar handlers than the call costs.
 */
static __attribute__((noinline)) int
host_call(wrt_hostcall *hc, wrt_slot *nfp)
{
	wrt_store *s = hc->store;
	wrt_func *fn = hc->func;
	wrt_value tmp[16];
	wrt_value *args = tmp, *res;
	uint32_t np = fn->type.nparams, nr = fn->type.nresults;
	if (np + nr > 16 && !(args = wrt_calloc(&s->alloc, (size_t) np + nr, sizeof(wrt_value))))
		return -1;
	res = args + np;
	for (uint32_t k = 0; k < np; k++)
		args[k] = (wrt_value) {.bits = nfp[k].bits};
	s->stack_top = nfp + (np > nr ? np : nr);
	s->trap.kind = WRT_TRAP_NONE;
	bool ok = fn->cb(hc, fn->user, args, res);
	if (ok)
		for (uint32_t k = 0; k < nr; k++)
			nfp[k].bits = res[k].bits;
	if (args != tmp)
		wrt_free(&s->alloc, args);
	return ok;
}

#ifdef WRT_IR_PAIRS
/*
 * Dispatch pairs, for choosing fusions on data: with WRT_IR_PAIRS defined
 * (build/wasm-run-pairs), every dispatch is counted by the instruction
 * dispatched from and to, and at exit the pairs are written, most frequent
 * first, as "count from to" lines to $WRT_IR_PAIRS_OUT (or stderr), after
 * a "total N" line.  Not for production: a table lookup per dispatch.
 */
#include <stdio.h>
static uint64_t (*ir_pairs)[WRT_IR_COUNT_];
static int ir_pairs_prev = -1;
static const void *ir_pairs_key[4096];
static int16_t ir_pairs_op[4096];
/* With $WRT_IR_PAIRS_CLOCK set, only the dispatches between the program's
 * first and second clock_time_get are counted: PolyBench's kernel, between
 * its timer's start and stop (wrt_ir_pairs_clock).  0: count all; 1: not
 * yet or no longer; 2: counting. */
static int ir_pairs_window = -1, ir_pairs_clocks;

static void
ir_pairs_window_init(void)
{
	if (ir_pairs_window < 0)
		ir_pairs_window = getenv("WRT_IR_PAIRS_CLOCK") ? 1 : 0;
}

void
wrt_ir_pairs_clock(void)
{
	ir_pairs_window_init();
	if (ir_pairs_window)
		ir_pairs_window = ++ir_pairs_clocks == 1 ? 2 : 1;
}

static int
ir_pairs_opof(const void *h)
{
	uint64_t x = (uint64_t) (uintptr_t) h;
	x ^= x >> 29;
	x *= 0x9e3779b97f4a7c15ull;
	for (uint32_t i = (uint32_t) (x >> 40) & 4095;; i = (i + 1) & 4095)
	{
		if (ir_pairs_key[i] == h)
			return ir_pairs_op[i];
		if (!ir_pairs_key[i])
		{
			ir_pairs_key[i] = h;
			return ir_pairs_op[i] = (int16_t) wrt_ir_op(h);
		}
	}
}

static void
ir_pairs_dump(void)
{
	const char *path = getenv("WRT_IR_PAIRS_OUT");
	FILE *out = path ? fopen(path, "w") : stderr;
	if (!out || !ir_pairs)
		return;
	uint64_t total = 0;
	for (int a = 0; a < WRT_IR_COUNT_; a++)
		for (int b = 0; b < WRT_IR_COUNT_; b++)
			total += ir_pairs[a][b];
	fprintf(out, "total %llu\n", (unsigned long long) total);
	for (int a = 0; a < WRT_IR_COUNT_; a++)
		for (int b = 0; b < WRT_IR_COUNT_; b++)
			if (ir_pairs[a][b])
				fprintf(out, "%llu %s %s\n", (unsigned long long) ir_pairs[a][b], wrt_ir_info[a].name,
						wrt_ir_info[b].name);
	if (out != stderr)
		fclose(out);
}

static void
ir_pairs_note(const void *h)
{
	ir_pairs_window_init();
	if (!ir_pairs)
	{
		if (!(ir_pairs = calloc(WRT_IR_COUNT_, sizeof(*ir_pairs))))
			abort();
		atexit(ir_pairs_dump);
	}
	int op = ir_pairs_opof(h);
	if (ir_pairs_window == 1)
	{
		ir_pairs_prev = -1;	/* outside the window */
		return;
	}
	if (ir_pairs_prev >= 0 && op >= 0)
		ir_pairs[ir_pairs_prev][op]++;
	ir_pairs_prev = op;
}
#endif

/*
 * Execute `code` of `inst` with its frame at fp (arguments in place).
 * handlers_out != NULL: only return the handler table.
 */
static bool
run(wrt_store *s, wrt_instance *inst, wrt_code *code, wrt_slot *fp,
	const void *const **handlers_out)
{
	/* One label per instruction of ir.def: a missing handler does not compile. */
	static const void *const handlers[] = {
#define IR_INSN(NAME, ...) [WRT_IR_##NAME] = &&L_##NAME,
#include "ir.def"
	};
	_Static_assert(sizeof(handlers) / sizeof(handlers[0]) == WRT_IR_COUNT_, "a handler per instruction");
	if (handlers_out)
	{
		*handlers_out = handlers;
		return true;
	}

	const wrt_cell *pc;
	const wrt_compiled *cf;
	uint8_t *mem;
	/* The memory's size less 16, negative for a smaller memory: see OOB. */
	int64_t memlim;
	const volatile int *intr = s->interrupt;     /* never NULL (wrt_store_new) */
	int64_t fuel = s->fuel_left;
	/* The frames as pointers: a call and a return step one, with no index
	 * arithmetic.  top is the next free frame; s->nframes is top - frames
	 * whenever the store looks. */
	wrt_frame *const frames = s->frames;
	wrt_frame *const frames_base = frames + s->nframes;
	wrt_frame *const frames_end = frames + s->frames_cap;
	wrt_frame *top = frames_base;
#define NFRAMES() ((uint32_t) (top - frames))
	wrt_slot *const stack_end = s->stack + s->stack_slots;
	wrt_trapkind trapkind = WRT_TRAP_NONE;
	const char *trapmsg = NULL;
	bool recorded = false;
	/* Only the tiered policy looks at loop back-edges: under the others a
	 * back-edge does not touch the countdown (no store per iteration). */
	const bool counting_loops = s->tier.mode == WRT_TIER_TIERED;
	/* What a back-edge tests: the interrupt flag, or, when each iteration
	 * has work out of line (back_edge: the fuel of a metered call, the
	 * tiered policy's countdown), a flag always set.  So an unmetered
	 * interpreted loop pays one load and test per iteration, and fuel is
	 * counted only when there is a budget (wrt_store_fuel_consumed says
	 * what a metered call consumed; machine code never meters either). */
	static const volatile int always_set = 1;
	const volatile int *loop_poll = counting_loops || s->fuel != 0 ? &always_set : intr;
	/* The same for a function's entry, where only fuel is out of line. */
	const volatile int *entry_poll = s->fuel != 0 ? &always_set : intr;

	/* The address register of a run of byte tests (I32_ADD_RR_*_M8N). */
	uint32_t m8p;
	/* Call state shared by the call handlers. */
	wrt_code *callee;
	/* The callee's instance, NULL when it is the caller's: the call path of
	 * a module's own functions never touches inst (see wrt_frame.inst). */
	wrt_instance *callee_inst;
#define CALLEE_INSTANCE() (callee_inst ? callee_inst : inst)
	wrt_slot *nfp;
	const wrt_cell *ret_pc;
	wrt_func *fn;
	/* The label of the loop whose back-edge tiered the function up. */
	const wrt_cell *osr_pc;

#define RELOAD_MEM() do { \
		wrt_memory *m0_ = inst->mem0; \
		mem = m0_ ? m0_->data : NULL; \
		memlim = (int64_t) (m0_ ? m0_->size : 0) - 16; \
	} while (0)
#define MEMSIZE() ((uint64_t) (memlim + 16))
/* Enter the interpreted, compiled function `callee` with its frame at nfp:
 * push the caller's frame (returning to RET_PC; its instance only if the
 * callee's, CALLEE_INST, is another, else NULL), then the callee's entry
 * checks.  L_CALL expands it with constants, the shared path with its
 * variables. */
#define ENTER_FRAME(CALLEE_INST, RET_PC) do { \
		const wrt_compiled *ncf_ = callee->compiled; \
		if (WRT_UNLIKELY(nfp + ncf_->frame_slots > stack_end || top >= frames_end)) \
			TRAP(STACK_EXHAUSTED); \
		wrt_frame *f_ = top++; \
		f_->ret_pc = (RET_PC); \
		f_->fp = fp; \
		f_->code = code; \
		f_->inst = (CALLEE_INST) ? inst : NULL; \
		/* Declared locals start at zero; usually a handful, so no memset call. */ \
		for (uint32_t k_ = ncf_->nparams; k_ < ncf_->nlocals; k_++) \
			nfp[k_].bits = 0; \
		fp = nfp; \
		code = callee; \
		pc = ncf_->code; \
		if (CALLEE_INST) \
		{ \
			inst = (CALLEE_INST); \
			RELOAD_MEM(); \
		} \
		if (WRT_UNLIKELY(*entry_poll)) \
			goto entry_polled; \
		DISPATCH(); \
	} while (0)
/* Are any of the n <= 16 bytes at ea (a 32-bit base plus offsets, far below
 * 2^63) outside the memory?  The hot path is one compare, against the last
 * address a 16-byte access may start at; only an access within 16 bytes of
 * the end takes the exact test.  (Testing ea + n > size, an add and a
 * compare in every access, took 2% more CPU time over the 42 programs of
 * make bench-engine.) */
#define OOB(ea, n) (WRT_UNLIKELY((int64_t) (ea) > memlim) && (uint64_t) (ea) + (n) > MEMSIZE())
/* d = r ? x : y with both loaded first, so the compiler can use a
 * conditional move: selects (min/max) are data-dependent, a branch on them
 * mispredicts. */
#define SELECT_BITS(d, r, x, y) do { \
		uint64_t x_ = fp[x].bits, y_ = fp[y].bits; \
		fp[d].bits = (r) ? x_ : y_; \
	} while (0)
#ifdef WRT_IR_PAIRS
/* The profiling build (make build/wasm-run-pairs): count each dispatch by
 * the instruction it leaves and the one it enters (ir_pairs_note). */
#define DISPATCH() do { ir_pairs_note(pc->h); goto *pc->h; } while (0)
#else
#define DISPATCH() goto *pc->h
#endif
#define NEXT(n) do { pc += (n); DISPATCH(); } while (0)
/* Operand x of the instruction at pc (or at q), of layout L (ir.def): the
 * generated accessors, which read the cell and half the table declares. */
#define OPND(L, x) wrt_ir_##L##_##x(pc)
#define OPND_AT(q, L, x) wrt_ir_##L##_##x(q)
/* One cold label per trap kind, so handlers do not set a kind on their hot path. */
#define TRAP(k) goto trap_##k
#define TRAPM(k, msg) do { trapkind = WRT_TRAP_##k; trapmsg = (msg); goto trap; } while (0)
/* A backward jump is a loop back-edge: poll, and under a fuel budget
 * charge the iteration's fuel (back_edge), kept by the LOOP_ENTRY just
 * before the loop's first instruction (wrt_ir_verify checks that every
 * back-edge lands there). */
/* Work proportional to an operand is charged too (1 unit per 64 bytes or 8
 * table elements), so fuel bounds time, not just instruction count. */
#define CHARGE(units) do { \
		if (WRT_UNLIKELY((fuel -= (int64_t) (units)) < 0)) TRAP(FUEL_EXHAUSTED); \
	} while (0)
#define LOOP_COST(target) ((int64_t) OPND_AT((target) - WRT_IRLEN_LOOP_ENTRY, LOOP_ENTRY, cost))
#define JUMP(off) do { \
		int32_t o_ = (int32_t) (off); \
		if (o_ <= 0) \
		{ \
			/* an interrupt, fuel or the tier's countdown: out of \
			 * line, for hundreds of back-edge sites */ \
			if (WRT_UNLIKELY(*loop_poll)) \
			{ \
				osr_pc = pc + o_; \
				goto back_edge; \
			} \
		} \
		pc += o_; \
		DISPATCH(); \
	} while (0)

	RELOAD_MEM();
	cf = code->compiled;
	pc = cf->code;
	for (uint32_t k = cf->nparams; k < cf->nlocals; k++)     /* usually a handful */
		fp[k].bits = 0;
	if (WRT_UNLIKELY(*intr) && !interrupt_continue(s))
		TRAP(INTERRUPTED);
	if (WRT_UNLIKELY((fuel -= cf->entry_cost) < 0))
		TRAP(FUEL_EXHAUSTED);
	DISPATCH();

	/* ---- generated handlers: the forms of ir.def's families ---- */
#define OP_UN(NAME, code, text, TIN, TOUT, body) \
	L_##NAME: { \
		wrt_ct_##TIN a = GET_##TIN(OPND(UN, a)); \
		wrt_ct_##TOUT r; \
		body \
		SET_##TOUT(OPND(UN, d), r); \
		NEXT(WRT_IRLEN_UN); \
	}
#define OP_TEST(NAME, code, text, TIN, body) \
	L_##NAME: { \
		wrt_ct_##TIN a = GET_##TIN(OPND(TEST, a)); \
		uint32_t r; \
		body \
		SET_I32(OPND(TEST, d), r); \
		NEXT(WRT_IRLEN_TEST); \
	} \
	L_BRIF_##NAME: { \
		wrt_ct_##TIN a = GET_##TIN(OPND(BRIF_TEST, a)); \
		uint32_t r; \
		body \
		if (r) JUMP(OPND(BRIF_TEST, off)); \
		NEXT(WRT_IRLEN_BRIF_TEST); \
	} \
	L_BRIFNOT_##NAME: { \
		wrt_ct_##TIN a = GET_##TIN(OPND(BRIFNOT_TEST, a)); \
		uint32_t r; \
		body \
		if (!r) JUMP(OPND(BRIFNOT_TEST, off)); \
		NEXT(WRT_IRLEN_BRIFNOT_TEST); \
	}
/* a op b with b loaded from memory at EA: _RM (p + offset, 64-bit) and
 * _RMA (p + k, wrapped to 32 bits, as the i32.add it replaces). */
#define BIN_MEM(L, T, TOUT, body, EA) { \
		uint64_t ea = (EA); \
		wrt_ct_##T a = GET_##T(OPND(L, a)), b; \
		wrt_ct_##TOUT r; \
		if (OOB(ea, sizeof(b))) TRAP(MEMORY_OOB); \
		memcpy(&b, mem + ea, sizeof(b)); \
		body \
		SET_##TOUT(OPND(L, d), r); \
		NEXT(WRT_IRLEN_##L); \
	}
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	L_##NAME##_RR: { \
		wrt_ct_##T a = GET_##T(OPND(BIN_RR, a)), b = GET_##T(OPND(BIN_RR, b)); \
		wrt_ct_##TOUT r; \
		body \
		SET_##TOUT(OPND(BIN_RR, d), r); \
		NEXT(WRT_IRLEN_BIN_RR); \
	} \
	L_##NAME##_RI: { \
		wrt_ct_##T a = GET_##T(OPND(BIN_RI, a)), b = IMM_##T(OPND(BIN_RI, imm)); \
		wrt_ct_##TOUT r; \
		body \
		SET_##TOUT(OPND(BIN_RI, d), r); \
		NEXT(WRT_IRLEN_BIN_RI); \
	} \
	L_##NAME##_RM: BIN_MEM(BIN_RM, T, TOUT, body, (uint64_t) GET_I32(OPND(BIN_RM, p)) + OPND(BIN_RM, offset)) \
	L_##NAME##_IR: { \
		wrt_ct_##T a = IMM_##T(OPND(BIN_IR, imm)), b = GET_##T(OPND(BIN_IR, b)); \
		wrt_ct_##TOUT r; \
		body \
		SET_##TOUT(OPND(BIN_IR, d), r); \
		NEXT(WRT_IRLEN_BIN_IR); \
	} \
	L_##NAME##_RMA: BIN_MEM(BIN_RMA, T, TOUT, body, (uint32_t) (GET_I32(OPND(BIN_RMA, p)) + OPND(BIN_RMA, k)))
#define OP_CMP(NAME, code, text, T, body) \
	OP_BIN(NAME, code, text, T, I32, body) \
	L_BRIF_##NAME##_RR: { \
		wrt_ct_##T a = GET_##T(OPND(BRIF_RR, a)), b = GET_##T(OPND(BRIF_RR, b)); \
		uint32_t r; \
		body \
		if (r) JUMP(OPND(BRIF_RR, off)); \
		NEXT(WRT_IRLEN_BRIF_RR); \
	} \
	L_BRIF_##NAME##_RI: { \
		wrt_ct_##T a = GET_##T(OPND(BRIF_RI, a)), b = IMM_##T(OPND(BRIF_RI, imm)); \
		uint32_t r; \
		body \
		if (r) JUMP(OPND(BRIF_RI, off)); \
		NEXT(WRT_IRLEN_BRIF_RI); \
	} \
	L_BRIFNOT_##NAME##_RR: { \
		wrt_ct_##T a = GET_##T(OPND(BRIFNOT_RR, a)), b = GET_##T(OPND(BRIFNOT_RR, b)); \
		uint32_t r; \
		body \
		if (!r) JUMP(OPND(BRIFNOT_RR, off)); \
		NEXT(WRT_IRLEN_BRIFNOT_RR); \
	} \
	L_BRIFNOT_##NAME##_RI: { \
		wrt_ct_##T a = GET_##T(OPND(BRIFNOT_RI, a)), b = IMM_##T(OPND(BRIFNOT_RI, imm)); \
		uint32_t r; \
		body \
		if (!r) JUMP(OPND(BRIFNOT_RI, off)); \
		NEXT(WRT_IRLEN_BRIFNOT_RI); \
	} \
	L_SEL_##NAME##_RR: { \
		wrt_ct_##T a = GET_##T(OPND(SEL_RR, a)), b = GET_##T(OPND(SEL_RR, b)); \
		uint32_t r; \
		body \
		SELECT_BITS(OPND(SEL_RR, d), r, OPND(SEL_RR, x), OPND(SEL_RR, y)); \
		NEXT(WRT_IRLEN_SEL_RR); \
	} \
	L_SEL_##NAME##_RR_ST: { \
		wrt_ct_##T a = GET_##T(OPND(SEL_RR_ST, a)), b = GET_##T(OPND(SEL_RR_ST, b)); \
		uint32_t r; \
		body \
		SELECT_BITS(OPND(SEL_RR_ST, d), r, OPND(SEL_RR_ST, x), OPND(SEL_RR_ST, y)); \
		uint64_t es_ = (uint64_t) GET_I32(OPND(SEL_RR_ST, p)) + OPND(SEL_RR_ST, offset); \
		uint32_t v_ = GET_I32(OPND(SEL_RR_ST, d)); \
		if (OOB(es_, 4)) TRAP(MEMORY_OOB); \
		memcpy(mem + es_, &v_, 4); \
		NEXT(WRT_IRLEN_SEL_RR_ST); \
	} \
	L_SEL_##NAME##_RI: { \
		wrt_ct_##T a = GET_##T(OPND(SEL_RI, a)), b = IMM_##T(OPND(SEL_RI, imm)); \
		uint32_t r; \
		body \
		SELECT_BITS(OPND(SEL_RI, d), r, OPND(SEL_RI, x), OPND(SEL_RI, y)); \
		NEXT(WRT_IRLEN_SEL_RI); \
	} \
	L_SEL2_##NAME##_RR: { \
		wrt_ct_##T a = GET_##T(OPND(SEL2_RR, a)), b = GET_##T(OPND(SEL2_RR, b)); \
		uint32_t r; \
		body \
		uint64_t x_ = fp[OPND(SEL2_RR, x)].bits, y_ = fp[OPND(SEL2_RR, y)].bits; \
		uint64_t t_ = r ? x_ : y_; \
		fp[OPND(SEL2_RR, d1)].bits = t_; \
		uint64_t o_ = fp[OPND(SEL2_RR, o)].bits; \
		uint32_t m_ = OPND(SEL2_RR, m); \
		wrt_slot va_, vb_; \
		va_.bits = (m_ & 1) ? t_ : o_; \
		vb_.bits = (m_ & 2) ? t_ : o_; \
		uint64_t x2_ = (m_ & 4) ? t_ : o_, y2_ = (m_ & 8) ? t_ : o_; \
		{ \
			wrt_ct_##T a = VGET_##T(va_), b = VGET_##T(vb_); \
			uint32_t r; \
			body \
			fp[OPND(SEL2_RR, d)].bits = r ? x2_ : y2_; \
		} \
		NEXT(WRT_IRLEN_SEL2_RR); \
	}
/* A load of MT at ea into operand d of layout L (the load forms, and the
 * base + index loads below). */
#define LOAD_AT(T, MT, L, ea_) do { \
		uint64_t ea = (ea_); \
		MT v; \
		if (OOB(ea, sizeof(MT))) TRAP(MEMORY_OOB); \
		memcpy(&v, mem + ea, sizeof(MT)); \
		SET_##T(OPND(L, d), (wrt_ct_##T) v); \
		NEXT(WRT_IRLEN_##L); \
	} while (0)
#define OP_LOAD(NAME, code, text, T, MT, AL) \
	L_##NAME: LOAD_AT(T, MT, LOAD, (uint64_t) GET_I32(OPND(LOAD, a)) + OPND(LOAD, offset)); \
	L_##NAME##_ADD: \
		LOAD_AT(T, MT, LOAD_ADD, (uint64_t) (uint32_t) (GET_I32(OPND(LOAD_ADD, a)) + OPND(LOAD_ADD, k)) \
				+ OPND(LOAD_ADD, offset)); \
	L_##NAME##_ABS: LOAD_AT(T, MT, LOAD_ABS, OPND(LOAD_ABS, ea));
#define OP_STORE(NAME, code, text, T, MT, AL) \
	L_##NAME: { \
		uint64_t ea = (uint64_t) GET_I32(OPND(STORE, a)) + OPND(STORE, offset); \
		MT v = (MT) GET_##T(OPND(STORE, v)); \
		if (OOB(ea, sizeof(MT))) TRAP(MEMORY_OOB); \
		memcpy(mem + ea, &v, sizeof(MT)); \
		NEXT(WRT_IRLEN_STORE); \
	} \
	L_##NAME##_ABS: { \
		uint64_t ea = OPND(STORE_ABS, ea); \
		MT v = (MT) GET_##T(OPND(STORE_ABS, v)); \
		if (OOB(ea, sizeof(MT))) TRAP(MEMORY_OOB); \
		memcpy(mem + ea, &v, sizeof(MT)); \
		NEXT(WRT_IRLEN_STORE_ABS); \
	}
#include "opcodes.def"

	/* ---- hand-written handlers ---- */
L_COPY:
	fp[OPND(COPY, d)] = fp[OPND(COPY, s)];
	NEXT(WRT_IRLEN_COPY);
L_MOVE_N:
	/* Work in proportion to the values moved, as the bulk operations. */
	CHARGE(OPND(MOVE_N, n) >> 3);
	memmove(fp + OPND(MOVE_N, d), fp + OPND(MOVE_N, s), (size_t) OPND(MOVE_N, n) * sizeof(*fp));
	NEXT(WRT_IRLEN_MOVE_N);
L_CONST:
	fp[OPND(CONST, d)].bits = OPND(CONST, imm);
	NEXT(WRT_IRLEN_CONST);
L_BR:
	JUMP(OPND(BR, off));
L_BR_NZ:
	if (GET_I32(OPND(BR_NZ, c)))
		JUMP(OPND(BR_NZ, off));
	NEXT(WRT_IRLEN_BR_NZ);
L_BR_Z:
	if (!GET_I32(OPND(BR_NZ, c)))
		JUMP(OPND(BR_NZ, off));
	NEXT(WRT_IRLEN_BR_NZ);
	/* Loop tails: the counter update fused with the branch testing it.
	 * d is written before b is read (b may be d).  The _C forms first do a
	 * local-to-local copy (a phi move) that stood just before. */
#define ADDI_BR(NAME, L, COPY, TEST) \
L_I32_ADDI_BR_##NAME: \
	COPY \
	{ \
		uint32_t v = GET_I32(OPND(L, a)) + OPND(L, imm); \
		SET_I32(OPND(L, d), v); \
		if (TEST) \
			JUMP(OPND(L, off)); \
		NEXT(WRT_IRLEN_##L); \
	}
#define COPY_OF(L) fp[OPND(L, cd)] = fp[OPND(L, cs)];
	ADDI_BR(NZ, I32_ADDI_BR_NZ, , v)
	ADDI_BR(Z, I32_ADDI_BR_NZ, , !v)
	ADDI_BR(NE, I32_ADDI_BR_NE, , v != GET_I32(OPND(I32_ADDI_BR_NE, b)))
	ADDI_BR(EQ, I32_ADDI_BR_NE, , v == GET_I32(OPND(I32_ADDI_BR_NE, b)))
	ADDI_BR(NEI, I32_ADDI_BR_NEI, , v != OPND(I32_ADDI_BR_NEI, n))
	ADDI_BR(EQI, I32_ADDI_BR_NEI, , v == OPND(I32_ADDI_BR_NEI, n))
#define STEP_OF(L) SET_I32(OPND(L, d2), GET_I32(OPND(L, a2)) + OPND(L, k2));
	ADDI_BR(NEI_A, I32_ADDI_BR_NEI_A, STEP_OF(I32_ADDI_BR_NEI_A), v != OPND(I32_ADDI_BR_NEI_A, n))
	ADDI_BR(EQI_A, I32_ADDI_BR_NEI_A, STEP_OF(I32_ADDI_BR_NEI_A), v == OPND(I32_ADDI_BR_NEI_A, n))
	ADDI_BR(NZ_A, I32_ADDI_BR_NZ_A, STEP_OF(I32_ADDI_BR_NZ_A), v)
	ADDI_BR(Z_A, I32_ADDI_BR_NZ_A, STEP_OF(I32_ADDI_BR_NZ_A), !v)
	ADDI_BR(NE_A, I32_ADDI_BR_NE_A, STEP_OF(I32_ADDI_BR_NE_A), v != GET_I32(OPND(I32_ADDI_BR_NE_A, b)))
	ADDI_BR(EQ_A, I32_ADDI_BR_NE_A, STEP_OF(I32_ADDI_BR_NE_A), v == GET_I32(OPND(I32_ADDI_BR_NE_A, b)))
#define STEPS_OF(L) STEP_OF(L) SET_I32(OPND(L, d3), GET_I32(OPND(L, a3)) + OPND(L, k3));
	ADDI_BR(NZ_A2, I32_ADDI_BR_NZ_A2, STEPS_OF(I32_ADDI_BR_NZ_A2), v)
	ADDI_BR(Z_A2, I32_ADDI_BR_NZ_A2, STEPS_OF(I32_ADDI_BR_NZ_A2), !v)
	ADDI_BR(NE_A2, I32_ADDI_BR_NE_A2, STEPS_OF(I32_ADDI_BR_NE_A2), v != GET_I32(OPND(I32_ADDI_BR_NE_A2, b)))
	ADDI_BR(EQ_A2, I32_ADDI_BR_NE_A2, STEPS_OF(I32_ADDI_BR_NE_A2), v == GET_I32(OPND(I32_ADDI_BR_NE_A2, b)))
#undef STEPS_OF
#undef STEP_OF
	/* i32 chains (ir.def): t written, then the second operand read. */
#define I32_CHAIN(NAME, FIRST, SECOND) \
L_##NAME: \
	{ \
		uint32_t t = FIRST; \
		SET_I32(OPND(NAME, t), t); \
		SET_I32(OPND(NAME, d), SECOND); \
		NEXT(WRT_IRLEN_##NAME); \
	}
	I32_CHAIN(I32_ADD_ADD, GET_I32(OPND(I32_ADD_ADD, a)) + GET_I32(OPND(I32_ADD_ADD, b)),
			  t + GET_I32(OPND(I32_ADD_ADD, c)))
	I32_CHAIN(I32_ADD_ADDI, GET_I32(OPND(I32_ADD_ADDI, a)) + GET_I32(OPND(I32_ADD_ADDI, b)), t + OPND(I32_ADD_ADDI, k))
	I32_CHAIN(I32_SHLI_ADD, GET_I32(OPND(I32_SHLI_ADD, a)) << (OPND(I32_SHLI_ADD, s) & 31),
			  t + GET_I32(OPND(I32_SHLI_ADD, c)))
	I32_CHAIN(I32_MUL_ADD, GET_I32(OPND(I32_MUL_ADD, a)) * GET_I32(OPND(I32_MUL_ADD, b)),
			  t + GET_I32(OPND(I32_MUL_ADD, c)))
	I32_CHAIN(I32_SHRUI_ANDI, GET_I32(OPND(I32_SHRUI_ANDI, a)) >> (OPND(I32_SHRUI_ANDI, s) & 31),
			  t & OPND(I32_SHRUI_ANDI, m))
#undef I32_CHAIN
L_I32_ADD2_RI:
	SET_I32(OPND(I32_ADD2_RI, d1), GET_I32(OPND(I32_ADD2_RI, a1)) + OPND(I32_ADD2_RI, k1));
	SET_I32(OPND(I32_ADD2_RI, d2), GET_I32(OPND(I32_ADD2_RI, a2)) + OPND(I32_ADD2_RI, k2));
	NEXT(WRT_IRLEN_I32_ADD2_RI);
L_COPY_COPY:
	fp[OPND(COPY_COPY, d1)] = fp[OPND(COPY_COPY, s1)];
	fp[OPND(COPY_COPY, d2)] = fp[OPND(COPY_COPY, s2)];
	NEXT(WRT_IRLEN_COPY_COPY);
L_I32_ADD2_RR:
	SET_I32(OPND(I32_ADD2_RR, d1), GET_I32(OPND(I32_ADD2_RR, a1)) + GET_I32(OPND(I32_ADD2_RR, b1)));
	SET_I32(OPND(I32_ADD2_RR, d2), GET_I32(OPND(I32_ADD2_RR, a2)) + GET_I32(OPND(I32_ADD2_RR, b2)));
	NEXT(WRT_IRLEN_I32_ADD2_RR);
L_I32_ADD3_RI:
	SET_I32(OPND(I32_ADD3_RI, d1), GET_I32(OPND(I32_ADD3_RI, a1)) + OPND(I32_ADD3_RI, k1));
	SET_I32(OPND(I32_ADD3_RI, d2), GET_I32(OPND(I32_ADD3_RI, a2)) + OPND(I32_ADD3_RI, k2));
	SET_I32(OPND(I32_ADD3_RI, d3), GET_I32(OPND(I32_ADD3_RI, a3)) + OPND(I32_ADD3_RI, k3));
	NEXT(WRT_IRLEN_I32_ADD3_RI);
	ADDI_BR(NZ_C, I32_ADDI_BR_NZ_C, COPY_OF(I32_ADDI_BR_NZ_C), v)
	ADDI_BR(Z_C, I32_ADDI_BR_NZ_C, COPY_OF(I32_ADDI_BR_NZ_C), !v)
	ADDI_BR(NE_C, I32_ADDI_BR_NE_C, COPY_OF(I32_ADDI_BR_NE_C), v != GET_I32(OPND(I32_ADDI_BR_NE_C, b)))
	ADDI_BR(EQ_C, I32_ADDI_BR_NE_C, COPY_OF(I32_ADDI_BR_NE_C), v == GET_I32(OPND(I32_ADDI_BR_NE_C, b)))
#undef COPY_OF
#undef ADDI_BR
	/* Byte loads fused into their consumer: M8(p, k, o) of ir.def. */
#define M8(dst, p, k, o) do { \
		uint64_t e_ = (uint64_t) (uint32_t) (GET_I32(p) + (k)) + (o); \
		if (OOB(e_, 1)) TRAP(MEMORY_OOB); \
		dst = mem[e_]; \
	} while (0)
#define MM8(NAME, L, ACC, op) \
L_I32_##NAME##_MM8: \
	{ \
		uint32_t x, y; \
		M8(x, OPND(L, pa), OPND(L, ka), OPND(L, oa)); \
		M8(y, OPND(L, pb), OPND(L, kb), OPND(L, ob)); \
		SET_I32(OPND(L, d), ACC (x op y)); \
		NEXT(WRT_IRLEN_##L); \
	}
	MM8(EQ, I32_EQ_MM8, , ==)
	MM8(NE, I32_EQ_MM8, , !=)
	MM8(ADD_EQ, I32_ADD_EQ_MM8, GET_I32(OPND(I32_ADD_EQ_MM8, s)) +, ==)
	MM8(ADD_NE, I32_ADD_EQ_MM8, GET_I32(OPND(I32_ADD_EQ_MM8, s)) +, !=)
#undef MM8
#define ANDI_M8(NAME, L, ACC, op) \
L_I32_##NAME##_M8: \
	{ \
		uint32_t x; \
		M8(x, OPND(L, p), OPND(L, k), OPND(L, o)); \
		SET_I32(OPND(L, d), ACC ((x & OPND(L, m)) op OPND(L, v))); \
		NEXT(WRT_IRLEN_##L); \
	}
	ANDI_M8(ANDI_EQI, I32_ANDI_EQI_M8, , ==)
	ANDI_M8(ANDI_NEI, I32_ANDI_EQI_M8, , !=)
	ANDI_M8(ADD_ANDI_EQI, I32_ADD_ANDI_EQI_M8, GET_I32(OPND(I32_ADD_ANDI_EQI_M8, s)) +, ==)
	ANDI_M8(ADD_ANDI_NEI, I32_ADD_ANDI_EQI_M8, GET_I32(OPND(I32_ADD_ANDI_EQI_M8, s)) +, !=)
#undef ANDI_M8
#undef M8
	/* A run of n consecutive bytes: with step 0 the bytes are at
	 * (u32)(b + i) + o, b = p + k, consecutive unless b + i wraps (then
	 * each is done on its own); with step 1 at b + o + i.  The bytes are
	 * in bounds iff the last one is: one check. */
/* Four bytes at once (SWAR): byte i of t is zero iff (q[i] & m) == v; the
 * number of nonzero bytes is then the count for != (its complement for ==).
 * (x & 0x7f) + 0x7f carries into bit 7 iff the low seven bits are nonzero,
 * and never into the next byte.  v must fit in a byte: (q & m) always does. */
#define M8X4(q, m, v, neq, acc) do { \
		uint32_t w_; memcpy(&w_, (q), 4); \
		uint32_t t_ = (w_ & (((m) & 0xffu) * 0x01010101u)) ^ ((v) * 0x01010101u); \
		uint32_t h_ = (((t_ & 0x7f7f7f7fu) + 0x7f7f7f7fu) | t_) & 0x80808080u; \
		uint32_t nz_ = ((h_ >> 7) * 0x01010101u) >> 24; \
		(acc) += (neq) ? nz_ : 4 - nz_; \
	} while (0)
#define M8RUN(NAME, op, neq) \
L_I32_ADD_RR_##NAME##_M8N: \
	{ \
		uint32_t v_ = GET_I32(OPND(BIN_RR, a)) + GET_I32(OPND(BIN_RR, b)); \
		SET_I32(OPND(BIN_RR, d), v_); \
		pc += WRT_IRLEN_BIN_RR; \
		m8p = v_; \
		goto m8run_##NAME; \
	} \
L_I32_ADD_ANDI_##NAME##_M8N: \
	m8p = GET_I32(OPND(I32_ADD_ANDI_EQI_M8N, p)); \
m8run_##NAME: \
	{ \
		uint32_t nf = OPND(I32_ADD_ANDI_EQI_M8N, nf), n = nf & 0xff; \
		uint32_t b = m8p + OPND(I32_ADD_ANDI_EQI_M8N, k); \
		uint64_t e = (uint64_t) b + OPND(I32_ADD_ANDI_EQI_M8N, o); \
		uint32_t m = OPND(I32_ADD_ANDI_EQI_M8N, m), v = OPND(I32_ADD_ANDI_EQI_M8N, v); \
		uint32_t acc = GET_I32(OPND(I32_ADD_ANDI_EQI_M8N, s)); \
		if (WRT_UNLIKELY(!(nf & 0x100) && b > UINT32_MAX - (n - 1))) \
		{ \
			for (uint32_t i = 0; i < n; i++) \
			{ \
				uint64_t ei = (uint64_t) (uint32_t) (b + i) + OPND(I32_ADD_ANDI_EQI_M8N, o); \
				if (ei >= MEMSIZE()) TRAP(MEMORY_OOB); \
				acc += (mem[ei] & m) op v; \
			} \
		} \
		else \
		{ \
			if (WRT_UNLIKELY(e + n > MEMSIZE())) TRAP(MEMORY_OOB); \
			const uint8_t *q = mem + e; \
			if (WRT_LIKELY(n == 4 && v <= 0xff)) \
			{ \
				M8X4(q, m, v, neq, acc); \
				SET_I32(OPND(I32_ADD_ANDI_EQI_M8N, d), acc); \
				NEXT(WRT_IRLEN_I32_ADD_ANDI_EQI_M8N); \
			} \
			switch (n) \
			{ \
				case 4: acc += (q[3] & m) op v; /* fall through */ \
				case 3: acc += (q[2] & m) op v; /* fall through */ \
				default: acc += ((q[1] & m) op v) + ((q[0] & m) op v); \
			} \
		} \
		SET_I32(OPND(I32_ADD_ANDI_EQI_M8N, d), acc); \
		NEXT(WRT_IRLEN_I32_ADD_ANDI_EQI_M8N); \
	}
	M8RUN(EQI, ==, 0)
	M8RUN(NEI, !=, 1)
#undef M8RUN
#undef M8X4
#define M64(dst, p, k, o) do { \
		uint64_t e_ = (uint64_t) (uint32_t) (GET_I32(p) + (k)) + (o); \
		if (OOB(e_, 8)) TRAP(MEMORY_OOB); \
		memcpy(&dst, mem + e_, 8); \
	} while (0)
#define F64_MM(NAME, op) \
L_F64_##NAME##_MM: \
	{ \
		double x, y; \
		M64(x, OPND(F64_ADD_MM, pa), OPND(F64_ADD_MM, ka), OPND(F64_ADD_MM, oa)); \
		M64(y, OPND(F64_ADD_MM, pb), OPND(F64_ADD_MM, kb), OPND(F64_ADD_MM, ob)); \
		SET_F64(OPND(F64_ADD_MM, d), x op y); \
		NEXT(WRT_IRLEN_F64_ADD_MM); \
	}
	F64_MM(ADD, +)
	F64_MM(SUB, -)
	F64_MM(MUL, *)
#undef F64_MM
L_F64X2_LOAD2:
	{
		uint64_t ea = (uint64_t) GET_I32(OPND(F64X2_LOAD2, p)) + OPND(F64X2_LOAD2, offset);
		uint64_t eb = (uint64_t) (uint32_t) (GET_I32(OPND(F64X2_LOAD2, x)) + OPND(F64X2_LOAD2, k)) + OPND(F64X2_LOAD2, offset2);
		wrt_v128 v;
		if (OOB(ea, 8) || OOB(eb, 8))
			TRAP(MEMORY_OOB);
		memcpy(&v, mem + ea, 8);
		memcpy((uint8_t *) &v + 8, mem + eb, 8);
		memcpy(fp + OPND(F64X2_LOAD2, d), &v, 16);
		NEXT(WRT_IRLEN_F64X2_LOAD2);
	}
L_F64_MUL_MIX:
	{
		double x, y;
		uint64_t bits_ = OPND(F64_MUL_MIX, imm);
		uint64_t e_ = (uint64_t) (uint32_t) (GET_I32(OPND(F64_MUL_MIX, a)) + GET_I32(OPND(F64_MUL_MIX, b))) + OPND(F64_MUL_MIX, o);
		if (OOB(e_, 8)) TRAP(MEMORY_OOB);
		memcpy(&x, mem + e_, 8);
		memcpy(&y, &bits_, 8);
		SET_F64(OPND(F64_MUL_MIX, d), x * y);
		NEXT(WRT_IRLEN_F64_MUL_MIX);
	}
	/* (its sum into sum_, d written: also the first half of
	 * F64_ADD_RMA2_MUL_RI) */
#define RMA2_SUM \
	double x_, y_; \
	M64(x_, OPND(F64_ADD_RMA2, p), OPND(F64_ADD_RMA2, k1), 0); \
	double t_ = GET_F64(OPND(F64_ADD_RMA2, a)) + x_; \
	SET_F64(OPND(F64_ADD_RMA2, t), t_); \
	M64(y_, OPND(F64_ADD_RMA2, p), OPND(F64_ADD_RMA2, k2), 0); \
	double sum_ = t_ + y_; \
	SET_F64(OPND(F64_ADD_RMA2, d), sum_);
L_F64_ADD_RMA2:
	{
		RMA2_SUM
		NEXT(WRT_IRLEN_F64_ADD_RMA2);
	}
L_F64_MUL_MI:
	{
		double x, y;
		uint64_t bits_ = OPND(F64_MUL_MI, imm);
		M64(x, OPND(F64_MUL_MI, p), OPND(F64_MUL_MI, k), OPND(F64_MUL_MI, o));
		memcpy(&y, &bits_, 8);
		SET_F64(OPND(F64_MUL_MI, d), x * y);
		NEXT(WRT_IRLEN_F64_MUL_MI);
	}
	/* Base + index loads (ir.def): the add wraps as Wasm's. */
#define LOAD_RR(NAME, T, MT) \
L_##NAME##_RR: \
	LOAD_AT(T, MT, I32_LOAD_RR, (uint64_t) (uint32_t) (GET_I32(OPND(I32_LOAD_RR, a)) + GET_I32(OPND(I32_LOAD_RR, b))) \
			+ OPND(I32_LOAD_RR, offset));
	LOAD_RR(I32_LOAD, I32, uint32_t)
	LOAD_RR(I64_LOAD, I64, uint64_t)
	LOAD_RR(F32_LOAD, F32, float)
	LOAD_RR(F64_LOAD, F64, double)
#undef LOAD_RR
	/* ... keeping the sum: t first, as the add did before the load. */
#define LOAD_RRT(NAME, T, MT) \
L_##NAME##_RRT: \
	{ \
		uint32_t t_ = (uint32_t) (GET_I32(OPND(I32_LOAD_RRT, a)) + GET_I32(OPND(I32_LOAD_RRT, b))); \
		SET_I32(OPND(I32_LOAD_RRT, t), t_); \
		LOAD_AT(T, MT, I32_LOAD_RRT, (uint64_t) t_ + OPND(I32_LOAD_RRT, offset)); \
	}
	LOAD_RRT(I32_LOAD, I32, uint32_t)
	LOAD_RRT(I64_LOAD, I64, uint64_t)
	LOAD_RRT(F32_LOAD, F32, float)
	LOAD_RRT(F64_LOAD, F64, double)
#undef LOAD_RRT
	/* An f64 operator of a base + index load: t, then a read, as the add,
	 * the load and the operator did. */
#define F64_RMX(NAME, op) \
L_F64_##NAME##_RMX: \
	{ \
		uint32_t t_ = (uint32_t) (GET_I32(OPND(F64_ADD_RMX, x)) + GET_I32(OPND(F64_ADD_RMX, y))); \
		SET_I32(OPND(F64_ADD_RMX, t), t_); \
		uint64_t e_ = (uint64_t) t_ + OPND(F64_ADD_RMX, offset); \
		double b_; \
		if (OOB(e_, 8)) TRAP(MEMORY_OOB); \
		memcpy(&b_, mem + e_, 8); \
		SET_F64(OPND(F64_ADD_RMX, d), GET_F64(OPND(F64_ADD_RMX, a)) op b_); \
		NEXT(WRT_IRLEN_F64_ADD_RMX); \
	}
	F64_RMX(ADD, +)
	F64_RMX(SUB, -)
	F64_RMX(MUL, *)
	F64_RMX(DIV, /)
#undef F64_RMX
#undef LOAD_AT
	/* An f64 result stored (ir.def): d first, then the store, which reads
	 * p after d is written, as the two instructions did.  The value stored
	 * is the one computed, not d read back: reading d again made the
	 * compiler reload d's operand cell, since the slot write might have
	 * changed it. */
#define F64_STORE_THEN(L, r, END) do { \
		double v_ = (r); \
		SET_F64(OPND(L, d), v_); \
		uint64_t es_ = (uint64_t) GET_I32(OPND(L, p)) + OPND(L, offset); \
		if (OOB(es_, 8)) TRAP(MEMORY_OOB); \
		memcpy(mem + es_, &v_, 8); \
		END(WRT_IRLEN_##L); \
	} while (0)
#define F64_STORE_OF(L, r) F64_STORE_THEN(L, r, NEXT)
#define F64_ST(NAME, op) \
L_F64_##NAME##_RR_ST: \
	F64_STORE_OF(F64_ADD_RR_ST, GET_F64(OPND(F64_ADD_RR_ST, a)) op GET_F64(OPND(F64_ADD_RR_ST, b))); \
L_F64_##NAME##_RI_ST: \
	{ \
		double b_; \
		uint64_t bits_ = OPND(F64_ADD_RI_ST, imm); \
		memcpy(&b_, &bits_, 8); \
		F64_STORE_OF(F64_ADD_RI_ST, GET_F64(OPND(F64_ADD_RI_ST, a)) op b_); \
	} \
L_F64_##NAME##_RM_ST: \
	{ \
		double b_; \
		uint64_t eq_ = (uint64_t) GET_I32(OPND(F64_ADD_RM_ST, q)) + OPND(F64_ADD_RM_ST, qoff); \
		if (OOB(eq_, 8)) TRAP(MEMORY_OOB); \
		memcpy(&b_, mem + eq_, 8); \
		F64_STORE_OF(F64_ADD_RM_ST, GET_F64(OPND(F64_ADD_RM_ST, a)) op b_); \
	}
	F64_ST(ADD, +)
	F64_ST(SUB, -)
	F64_ST(MUL, *)
	F64_ST(DIV, /)
#undef F64_ST
	/* Multiply-accumulate into memory (ir.def): the product's form writes
	 * t (and _RMX its sum tx first) into t_, the add's form reads its
	 * right operand after that, and the store reads p after d is written,
	 * each in its own instruction's order. */
#define MAC_PRODUCT_MM(L) \
	double x_, y_; \
	M64(x_, OPND(L, pa), OPND(L, ka), OPND(L, oa)); \
	M64(y_, OPND(L, pb), OPND(L, kb), OPND(L, ob)); \
	double t_ = x_ * y_; \
	SET_F64(OPND(L, t), t_);
/* left times the f64 at EA (the left operand read after the load) */
#define MAC_TIMES_AT(L, left, EA) \
	uint64_t ex_ = (EA); \
	double y_; \
	if (OOB(ex_, 8)) TRAP(MEMORY_OOB); \
	memcpy(&y_, mem + ex_, 8); \
	double t_ = (left) * y_; \
	SET_F64(OPND(L, t), t_);
/* the base + index sum tx of an _RMX product, written first */
#define MAC_INDEX_X(L) \
	uint32_t tx_ = (uint32_t) (GET_I32(OPND(L, x)) + GET_I32(OPND(L, y))); \
	SET_I32(OPND(L, tx), tx_);
#define MAC_PRODUCT_RMX(L) \
	MAC_INDEX_X(L) \
	MAC_TIMES_AT(L, GET_F64(OPND(L, a)), (uint64_t) tx_ + OPND(L, xoff))
#define MAC_PRODUCT_RM(L) \
	MAC_TIMES_AT(L, GET_F64(OPND(L, a)), (uint64_t) GET_I32(OPND(L, m)) + OPND(L, moff))
#define MAC_PRODUCT_RMA(L) \
	MAC_TIMES_AT(L, GET_F64(OPND(L, a)), (uint32_t) (GET_I32(OPND(L, m)) + OPND(L, k)))
#define MAC_PRODUCT_RI(L) \
	double y_; \
	uint64_t bits_ = OPND(L, imm); \
	memcpy(&y_, &bits_, 8); \
	double t_ = GET_F64(OPND(L, a)) * y_; \
	SET_F64(OPND(L, t), t_);
/* The loaded left operands (RRTX, MX): la written, then an _RMX product
 * of it (its a is la). */
#define MAC_LEFT_RRT(L) \
	uint32_t ta_ = (uint32_t) (GET_I32(OPND(L, pa)) + GET_I32(OPND(L, pb))); \
	SET_I32(OPND(L, ta), ta_); \
	uint64_t ea_ = (uint64_t) ta_ + OPND(L, oa); \
	double la_; \
	if (OOB(ea_, 8)) TRAP(MEMORY_OOB); \
	memcpy(&la_, mem + ea_, 8); \
	SET_F64(OPND(L, la), la_);
#define MAC_LEFT_M(L) \
	double la_; \
	M64(la_, OPND(L, pa), OPND(L, ka), OPND(L, oa)); \
	SET_F64(OPND(L, la), la_);
#define MAC_PRODUCT_LX(L) \
	MAC_INDEX_X(L) \
	MAC_TIMES_AT(L, la_, (uint64_t) tx_ + OPND(L, xoff))
#define MAC_SUM_RR_ST(L) \
	F64_STORE_OF(L, t_ + GET_F64(OPND(L, b)));
#define MAC_SUM_RM_ST_THEN(L, END) \
	double b_; \
	uint64_t eq_ = (uint64_t) GET_I32(OPND(L, q)) + OPND(L, qoff); \
	if (OOB(eq_, 8)) TRAP(MEMORY_OOB); \
	memcpy(&b_, mem + eq_, 8); \
	F64_STORE_THEN(L, t_ + b_, END);
#define MAC_SUM_RM_ST(L) MAC_SUM_RM_ST_THEN(L, NEXT)
#define MAC_DIFF_RR_ST(L) \
	F64_STORE_OF(L, GET_F64(OPND(L, b)) - t_);
#define MAC(P, S) \
L_F64_MUL_##P##_ADD_##S: \
	{ \
		MAC_PRODUCT_##P(F64_MUL_##P##_ADD_##S) \
		MAC_SUM_##S(F64_MUL_##P##_ADD_##S) \
	}
#define MAC_SUB(P) \
L_F64_MUL_##P##_SUB_RR_ST: \
	{ \
		MAC_PRODUCT_##P(F64_MUL_##P##_ADD_RR_ST) \
		MAC_DIFF_RR_ST(F64_MUL_##P##_ADD_RR_ST) \
	}
	MAC(MM, RR_ST) MAC(MM, RM_ST) MAC_SUB(MM)
	MAC(RMX, RR_ST) MAC(RMX, RM_ST) MAC_SUB(RMX)
	MAC(RMA, RR_ST) MAC(RMA, RM_ST) MAC_SUB(RMA)
	MAC(RM, RR_ST) MAC(RM, RM_ST) MAC_SUB(RM)
	MAC(RI, RR_ST) MAC(RI, RM_ST) MAC_SUB(RI)
L_F64_MUL_RRTX_ADD_RR_ST:
	{
		MAC_LEFT_RRT(F64_MUL_RRTX_ADD_RR_ST)
		MAC_PRODUCT_LX(F64_MUL_RRTX_ADD_RR_ST)
		MAC_SUM_RR_ST(F64_MUL_RRTX_ADD_RR_ST)
	}
L_F64_MUL_MX_ADD_RM_ST:
	{
		MAC_LEFT_M(F64_MUL_MX_ADD_RM_ST)
		MAC_PRODUCT_LX(F64_MUL_MX_ADD_RM_ST)
		MAC_SUM_RM_ST(F64_MUL_MX_ADD_RM_ST)
	}
	/* The in-place chains of an unrolled reduction (ir.def): each step as
	 * its own instruction, but the sum acc_ a step stores is the next
	 * step's accumulator b (the matcher checked b is that d, and that the
	 * next step's t is another slot), taken from the register. */
#define STEP_ON(n) (pc += (n))
	/* the first step: layout L, its product's code, its sum into acc_ */
#define MAC_FIRST(L, PRODUCT, SUM) \
	{ \
		PRODUCT \
		acc_ = (SUM); \
		F64_STORE_THEN(L, acc_, STEP_ON); \
	}
	/* an F64_MUL_MM_{ADD,SUB}_RR_ST step after it, SUM of t_ and acc_ */
#define MAC_STEP_MM(SUM) MAC_FIRST(F64_MUL_MM_ADD_RR_ST, MAC_PRODUCT_MM(F64_MUL_MM_ADD_RR_ST), SUM)
#define MAC_LAST_MM(SUM) \
	{ \
		MAC_PRODUCT_MM(F64_MUL_MM_ADD_RR_ST) \
		F64_STORE_OF(F64_MUL_MM_ADD_RR_ST, (SUM)); \
	}
#define B_OF(L) GET_F64(OPND(L, b))
#define RRTX_FIRST \
	MAC_FIRST(F64_MUL_RRTX_ADD_RR_ST, \
			  MAC_LEFT_RRT(F64_MUL_RRTX_ADD_RR_ST) MAC_PRODUCT_LX(F64_MUL_RRTX_ADD_RR_ST), \
			  t_ + B_OF(F64_MUL_RRTX_ADD_RR_ST))
L_F64_MUL_RRTX_ADD_RR_ST_MM:
	{
		double acc_;
		RRTX_FIRST
		MAC_LAST_MM(t_ + acc_)
	}
L_F64_MUL_RRTX_ADD_RR_ST_MM2:
	{
		double acc_;
		RRTX_FIRST
		MAC_STEP_MM(t_ + acc_)
		MAC_LAST_MM(t_ + acc_)
	}
L_F64_MUL_RMA_ADD_RR_ST_MM:
	{
		double acc_;
		MAC_FIRST(F64_MUL_RMA_ADD_RR_ST, MAC_PRODUCT_RMA(F64_MUL_RMA_ADD_RR_ST), t_ + B_OF(F64_MUL_RMA_ADD_RR_ST))
		MAC_LAST_MM(t_ + acc_)
	}
L_F64_MUL_MM_SUB_RR_ST_MM:
	{
		double acc_;
		MAC_FIRST(F64_MUL_MM_ADD_RR_ST, MAC_PRODUCT_MM(F64_MUL_MM_ADD_RR_ST), B_OF(F64_MUL_MM_ADD_RR_ST) - t_)
		MAC_LAST_MM(acc_ - t_)
	}
	/* The loops of a sum (ir.def): the body (the last arguments), the
	 * loop's instructions, the sum taken from and left in acc_ by its
	 * steps, then the tail of layout TL
	 * (its pointer steps STEP first, if any; AGAIN its test); taken, it
	 * jumps back to top_, where the body reads acc_ for the sum: the
	 * matcher (fuse.c) checked the last step stores the sum in the slot
	 * the first reads (ACC0 on entry), and that nothing else in the loop
	 * writes that slot.  A back-edge polls as JUMP's does, and out of line
	 * (fuel, interrupt, tiering) re-enters at top_ through back_edge. */
#define ACC_LOOP(TL, STEP, AGAIN, ACC0, ...) \
	{ \
		const wrt_cell *top_ = pc; \
		double acc_ = (ACC0); \
		for (;;) \
		{ \
			__VA_ARGS__ \
			STEP \
			uint32_t v_ = GET_I32(OPND(TL, a)) + OPND(TL, imm); \
			SET_I32(OPND(TL, d), v_); \
			if (!(AGAIN)) \
				NEXT(WRT_IRLEN_##TL); \
			if (WRT_UNLIKELY(*loop_poll)) \
			{ \
				osr_pc = top_; \
				goto back_edge; \
			} \
			pc = top_; \
		} \
	}
/* the tails' tests (d written before b is read, as ADDI_BR does) and
 * pointer steps */
#define AGAIN_NEI(TL) v_ != OPND(TL, n)
#define AGAIN_NE(TL) v_ != GET_I32(OPND(TL, b))
#define AGAIN_NZ(TL) v_ != 0
#define STEP_A(TL) SET_I32(OPND(TL, d2), GET_I32(OPND(TL, a2)) + OPND(TL, k2));
#define STEP_A2(TL) STEP_A(TL) SET_I32(OPND(TL, d3), GET_I32(OPND(TL, a3)) + OPND(TL, k3));
#define SUM_LOOP(TL, STEP, STEPS) \
	ACC_LOOP(TL, STEP, AGAIN_NEI(TL), B_OF(F64_MUL_RRTX_ADD_RR_ST), \
			 MAC_FIRST(F64_MUL_RRTX_ADD_RR_ST, \
					   MAC_LEFT_RRT(F64_MUL_RRTX_ADD_RR_ST) MAC_PRODUCT_LX(F64_MUL_RRTX_ADD_RR_ST), t_ + acc_) \
			 STEPS)
L_F64_MUL_RRTX_ADD_RR_ST_MM_NEI:
	SUM_LOOP(I32_ADDI_BR_NEI, , MAC_STEP_MM(t_ + acc_))
L_F64_MUL_RRTX_ADD_RR_ST_MM_NEI_A:
	SUM_LOOP(I32_ADDI_BR_NEI_A, STEP_A(I32_ADDI_BR_NEI_A), MAC_STEP_MM(t_ + acc_))
L_F64_MUL_RRTX_ADD_RR_ST_MM2_NEI_A:
	SUM_LOOP(I32_ADDI_BR_NEI_A, STEP_A(I32_ADDI_BR_NEI_A), MAC_STEP_MM(t_ + acc_) MAC_STEP_MM(t_ + acc_))
	/* The other instructions of such loops, as their handlers run them,
	 * then on to the next. */
#define RUN_I32_ADD_RR \
	SET_I32(OPND(BIN_RR, d), GET_I32(OPND(BIN_RR, a)) + GET_I32(OPND(BIN_RR, b))); \
	pc += WRT_IRLEN_BIN_RR;
#define RUN_F64_LOAD_FROM(L, EA) \
	{ \
		uint64_t ea_ = (EA); \
		double lv_; \
		if (OOB(ea_, 8)) TRAP(MEMORY_OOB); \
		memcpy(&lv_, mem + ea_, 8); \
		SET_F64(OPND(L, d), lv_); \
		pc += WRT_IRLEN_##L; \
	}
#define RUN_F64_LOAD RUN_F64_LOAD_FROM(LOAD, (uint64_t) GET_I32(OPND(LOAD, a)) + OPND(LOAD, offset))
#define RUN_F64_LOAD_ADD \
	RUN_F64_LOAD_FROM(LOAD_ADD, (uint64_t) (uint32_t) (GET_I32(OPND(LOAD_ADD, a)) + OPND(LOAD_ADD, k)) + \
					  OPND(LOAD_ADD, offset))
#define RUN_F64_LOAD_RRT \
	{ \
		uint32_t ta_ = (uint32_t) (GET_I32(OPND(I32_LOAD_RRT, a)) + GET_I32(OPND(I32_LOAD_RRT, b))); \
		SET_I32(OPND(I32_LOAD_RRT, t), ta_); \
		RUN_F64_LOAD_FROM(I32_LOAD_RRT, (uint64_t) ta_ + OPND(I32_LOAD_RRT, offset)) \
	}
	/* an F64_MUL_MM, its product left in t_ too */
#define RUN_F64_MUL_MM \
	double t_; \
	{ \
		double x_, y_; \
		M64(x_, OPND(F64_ADD_MM, pa), OPND(F64_ADD_MM, ka), OPND(F64_ADD_MM, oa)); \
		M64(y_, OPND(F64_ADD_MM, pb), OPND(F64_ADD_MM, kb), OPND(F64_ADD_MM, ob)); \
		t_ = x_ * y_; \
		SET_F64(OPND(F64_ADD_MM, d), t_); \
		pc += WRT_IRLEN_F64_ADD_MM; \
	}
	/* ... then subtracted from the sum by the F64_SUB_RR after it (b,
	 * passed in a register) */
#define MM_FROM_SUM \
	{ \
		RUN_F64_MUL_MM \
		acc_ = acc_ - t_; \
		SET_F64(OPND(BIN_RR, d), acc_); \
		pc += WRT_IRLEN_BIN_RR; \
	}
L_F64_MUL_MM_SUB_RR_ST_MM_NE_A2:
	ACC_LOOP(I32_ADDI_BR_NE_A2, STEP_A2(I32_ADDI_BR_NE_A2), AGAIN_NE(I32_ADDI_BR_NE_A2), B_OF(F64_MUL_MM_ADD_RR_ST),
			 MAC_STEP_MM(acc_ - t_) MAC_STEP_MM(acc_ - t_))
L_F64_MUL_MM_SUB_RR2_NE_A2:
	ACC_LOOP(I32_ADDI_BR_NE_A2, STEP_A2(I32_ADDI_BR_NE_A2), AGAIN_NE(I32_ADDI_BR_NE_A2),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_F64_ADD_MM, BIN_RR, a)),
			 MM_FROM_SUM MM_FROM_SUM)
L_F64_LOAD_RMX_ADD_MM_NEI_A:
	ACC_LOOP(I32_ADDI_BR_NEI_A, STEP_A(I32_ADDI_BR_NEI_A), AGAIN_NEI(I32_ADDI_BR_NEI_A),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_LOAD, F64_MUL_RMX_ADD_RR_ST, b)),
			 RUN_F64_LOAD
			 MAC_FIRST(F64_MUL_RMX_ADD_RR_ST, MAC_PRODUCT_RMX(F64_MUL_RMX_ADD_RR_ST), t_ + acc_)
			 MAC_STEP_MM(t_ + acc_))
L_F64_LOAD_RRT_RMA_ADD_MM_NEI:
	ACC_LOOP(I32_ADDI_BR_NEI, , AGAIN_NEI(I32_ADDI_BR_NEI),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_I32_LOAD_RRT + WRT_IRLEN_BIN_RR, F64_MUL_RMA_ADD_RR_ST, b)),
			 RUN_F64_LOAD_RRT RUN_I32_ADD_RR
			 MAC_FIRST(F64_MUL_RMA_ADD_RR_ST, MAC_PRODUCT_RMA(F64_MUL_RMA_ADD_RR_ST), t_ + acc_)
			 MAC_STEP_MM(t_ + acc_))
L_I32_ADD_RR_RMA_ADD_MM_NZ_A2:
	ACC_LOOP(I32_ADDI_BR_NZ_A2, STEP_A2(I32_ADDI_BR_NZ_A2), AGAIN_NZ(I32_ADDI_BR_NZ_A2),
			 GET_F64(OPND_AT(pc + 2 * WRT_IRLEN_BIN_RR + WRT_IRLEN_LOAD_ADD, F64_MUL_RMA_ADD_RR_ST, b)),
			 RUN_I32_ADD_RR RUN_F64_LOAD_ADD RUN_I32_ADD_RR
			 MAC_FIRST(F64_MUL_RMA_ADD_RR_ST, MAC_PRODUCT_RMA(F64_MUL_RMA_ADD_RR_ST), t_ + acc_)
			 MAC_STEP_MM(t_ + acc_))
#define RUN_F64_MUL_RI \
	SET_F64(OPND(BIN_RI, d), GET_F64(OPND(BIN_RI, a)) * IMM_F64(OPND(BIN_RI, imm))); \
	pc += WRT_IRLEN_BIN_RI;
#define RUN_F64_MUL_MI \
	{ \
		double x_, y_; \
		uint64_t bits_ = OPND(F64_MUL_MI, imm); \
		M64(x_, OPND(F64_MUL_MI, p), OPND(F64_MUL_MI, k), OPND(F64_MUL_MI, o)); \
		memcpy(&y_, &bits_, 8); \
		SET_F64(OPND(F64_MUL_MI, d), x_ * y_); \
		pc += WRT_IRLEN_F64_MUL_MI; \
	}
#define STEP_RMX MAC_FIRST(F64_MUL_RMX_ADD_RR_ST, MAC_PRODUCT_RMX(F64_MUL_RMX_ADD_RR_ST), t_ + acc_)
#define STEP_RMA MAC_FIRST(F64_MUL_RMA_ADD_RR_ST, MAC_PRODUCT_RMA(F64_MUL_RMA_ADD_RR_ST), t_ + acc_)
L_F64_MUL_MI_RMX_MI_RMA_NEI_A:
	ACC_LOOP(I32_ADDI_BR_NEI_A, STEP_A(I32_ADDI_BR_NEI_A), AGAIN_NEI(I32_ADDI_BR_NEI_A),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_F64_MUL_MI, F64_MUL_RMX_ADD_RR_ST, b)),
			 RUN_F64_MUL_MI STEP_RMX RUN_F64_MUL_MI STEP_RMA)
L_F64_LOAD_RRT_RI_RMX_MI_RMA_NEI:
	ACC_LOOP(I32_ADDI_BR_NEI, , AGAIN_NEI(I32_ADDI_BR_NEI),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_I32_LOAD_RRT + WRT_IRLEN_BIN_RI, F64_MUL_RMX_ADD_RR_ST, b)),
			 RUN_F64_LOAD_RRT RUN_F64_MUL_RI STEP_RMX RUN_F64_MUL_MI STEP_RMA)
L_F64_LOAD_RRT_RI_RMX_MI_RMA2_NEI_A:
	ACC_LOOP(I32_ADDI_BR_NEI_A, STEP_A(I32_ADDI_BR_NEI_A), AGAIN_NEI(I32_ADDI_BR_NEI_A),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_I32_LOAD_RRT + WRT_IRLEN_BIN_RI, F64_MUL_RMX_ADD_RR_ST, b)),
			 RUN_F64_LOAD_RRT RUN_F64_MUL_RI STEP_RMX RUN_F64_MUL_MI STEP_RMA RUN_F64_MUL_MI STEP_RMA)
	/* symm's: the multiply-accumulate into memory as its handler does it
	 * (its a read back from the slot), the sum's step an F64_ADD_RR */
L_F64_MUL_MI_RM_MM_ADD_NZ_A2:
	ACC_LOOP(I32_ADDI_BR_NZ_A2, STEP_A2(I32_ADDI_BR_NZ_A2), AGAIN_NZ(I32_ADDI_BR_NZ_A2),
			 GET_F64(OPND_AT(pc + WRT_IRLEN_F64_MUL_MI + WRT_IRLEN_F64_MUL_RM_ADD_RM_ST + WRT_IRLEN_BIN_RI +
							 WRT_IRLEN_F64_ADD_MM, BIN_RR, b)),
			 RUN_F64_MUL_MI
			 {
				 MAC_PRODUCT_RM(F64_MUL_RM_ADD_RM_ST)
				 MAC_SUM_RM_ST_THEN(F64_MUL_RM_ADD_RM_ST, STEP_ON)
			 }
			 SET_I32(OPND(BIN_RI, d), GET_I32(OPND(BIN_RI, a)) + IMM_I32(OPND(BIN_RI, imm)));
			 pc += WRT_IRLEN_BIN_RI;
			 {
				 RUN_F64_MUL_MM
			 }
			 acc_ = GET_F64(OPND(BIN_RR, a)) + acc_;
			 SET_F64(OPND(BIN_RR, d), acc_);
			 pc += WRT_IRLEN_BIN_RR;)
#undef STEP_RMX
#undef STEP_RMA
#undef RUN_F64_MUL_MI
#undef RUN_F64_MUL_RI
#undef MM_FROM_SUM
#undef RUN_F64_MUL_MM
#undef RUN_F64_LOAD_RRT
#undef RUN_F64_LOAD_ADD
#undef RUN_F64_LOAD
#undef RUN_F64_LOAD_FROM
#undef RUN_I32_ADD_RR
#undef AGAIN_NEI
#undef AGAIN_NE
#undef AGAIN_NZ
#undef STEP_A
#undef STEP_A2
#undef ACC_LOOP
	/* A scaled factor, then the multiply-accumulate whose left operand it
	 * is (the matcher checked a is d, and that an _RMX does not write its
	 * index sum tx over a first): PRODUCT is that form's, of a_. */
#define MI_THEN(L, PRODUCT) \
	{ \
		double x_, imm_; \
		uint64_t bits_ = OPND(F64_MUL_MI, imm); \
		M64(x_, OPND(F64_MUL_MI, p), OPND(F64_MUL_MI, k), OPND(F64_MUL_MI, o)); \
		memcpy(&imm_, &bits_, 8); \
		double a_ = x_ * imm_; \
		SET_F64(OPND(F64_MUL_MI, d), a_); \
		pc += WRT_IRLEN_F64_MUL_MI; \
		{ \
			PRODUCT \
			MAC_SUM_RM_ST(L) \
		} \
	}
L_F64_MUL_MI_RMA_ADD_RM_ST:
	MI_THEN(F64_MUL_RMA_ADD_RM_ST,
			MAC_TIMES_AT(F64_MUL_RMA_ADD_RM_ST, a_,
						 (uint32_t) (GET_I32(OPND(F64_MUL_RMA_ADD_RM_ST, m)) + OPND(F64_MUL_RMA_ADD_RM_ST, k))))
L_F64_MUL_MI_RM_ADD_RM_ST:
	MI_THEN(F64_MUL_RM_ADD_RM_ST,
			MAC_TIMES_AT(F64_MUL_RM_ADD_RM_ST, a_,
						 (uint64_t) GET_I32(OPND(F64_MUL_RM_ADD_RM_ST, m)) + OPND(F64_MUL_RM_ADD_RM_ST, moff)))
L_F64_MUL_MI_RMX_ADD_RM_ST:
	MI_THEN(F64_MUL_RMX_ADD_RM_ST,
			MAC_INDEX_X(F64_MUL_RMX_ADD_RM_ST)
			MAC_TIMES_AT(F64_MUL_RMX_ADD_RM_ST, a_, (uint64_t) tx_ + OPND(F64_MUL_RMX_ADD_RM_ST, xoff)))
#undef MI_THEN
	/* A stencil's sum, then its scaling (ir.def): the sum sum_ is the
	 * scaling's a (the matcher checked). */
#define SCALE_SUM(ML, C, END) \
	{ \
		double c_ = (C); \
		END(ML, sum_ * c_); \
	}
#define SET_SCALED(ML, r) do { SET_F64(OPND(ML, d), (r)); NEXT(WRT_IRLEN_##ML); } while (0)
L_F64_ADD_RMA2_MUL_RI:
	{
		RMA2_SUM
		pc += WRT_IRLEN_F64_ADD_RMA2;
		SCALE_SUM(BIN_RI, IMM_F64(OPND(BIN_RI, imm)), SET_SCALED)
	}
L_F64_ADD_RMA_MUL_RI_ST:
	{
		double x;
		M64(x, OPND(BIN_RMA, p), OPND(BIN_RMA, k), 0);
		double sum_ = GET_F64(OPND(BIN_RMA, a)) + x;
		SET_F64(OPND(BIN_RMA, d), sum_);
		pc += WRT_IRLEN_BIN_RMA;
		uint64_t cbits_ = OPND(F64_ADD_RI_ST, imm);
		double cst_;
		memcpy(&cst_, &cbits_, 8);
		SCALE_SUM(F64_ADD_RI_ST, cst_, F64_STORE_OF)
	}
#undef SET_SCALED
#undef SCALE_SUM
#undef RMA2_SUM
#undef SUM_LOOP
#undef RRTX_FIRST
#undef B_OF
#undef MAC_FIRST
#undef MAC_STEP_MM
#undef MAC_LAST_MM
#undef STEP_ON
#undef MAC
#undef MAC_SUB
#undef MAC_DIFF_RR_ST
#undef MAC_PRODUCT_MM
#undef MAC_PRODUCT_RMX
#undef MAC_PRODUCT_RMA
#undef MAC_PRODUCT_RM
#undef MAC_PRODUCT_RI
#undef MAC_PRODUCT_LX
#undef MAC_TIMES_AT
#undef MAC_INDEX_X
#undef MAC_LEFT_RRT
#undef MAC_LEFT_M
#undef MAC_SUM_RR_ST
#undef MAC_SUM_RM_ST_THEN
#undef MAC_SUM_RM_ST
#undef M64
#undef F64_STORE_OF
#define BR_RANGE(q) (((GET_I32(OPND_AT(q, BR_ADDI_ANDI_LTU, a)) + OPND_AT(q, BR_ADDI_ANDI_LTU, k)) \
					  & OPND_AT(q, BR_ADDI_ANDI_LTU, m)) < OPND_AT(q, BR_ADDI_ANDI_LTU, n))
L_BR_ADDI_ANDI_LTU:
	if (BR_RANGE(pc))
		JUMP(OPND(BR_ADDI_ANDI_LTU, off));
	NEXT(WRT_IRLEN_BR_ADDI_ANDI_LTU);
L_BR_ADDI_ANDI_GEU:
	if (!BR_RANGE(pc))
		JUMP(OPND(BR_ADDI_ANDI_LTU, off));
	NEXT(WRT_IRLEN_BR_ADDI_ANDI_LTU);
	/* In-place pairs (fuse.c): the first instruction, then the one
	 * after it without a dispatch.  pc is moved to the second before it
	 * runs, so a trap there is reported at it. */
#define ADD_RR_AT(q) SET_I32(OPND_AT(q, BIN_RR, d), GET_I32(OPND_AT(q, BIN_RR, a)) + GET_I32(OPND_AT(q, BIN_RR, b)))
#define ADD_RI_AT(q) SET_I32(OPND_AT(q, BIN_RI, d), GET_I32(OPND_AT(q, BIN_RI, a)) + IMM_I32(OPND_AT(q, BIN_RI, imm)))
#define STORE_AT(MT) do { \
		uint64_t ea_ = (uint64_t) GET_I32(OPND(STORE, a)) + OPND(STORE, offset); \
		MT v_ = (MT) GET_I32(OPND(STORE, v)); \
		if (OOB(ea_, sizeof(MT))) TRAP(MEMORY_OOB); \
		memcpy(mem + ea_, &v_, sizeof(MT)); \
	} while (0)
#define ADD_RR_STORE(NAME, MT) \
L_I32_ADD_RR_##NAME: \
	ADD_RR_AT(pc); \
	pc += WRT_IRLEN_BIN_RR; \
	goto L_I32_##NAME; \
L_I32_ADD_RR_##NAME##_ADDI: \
	ADD_RR_AT(pc); \
	pc += WRT_IRLEN_BIN_RR; \
	STORE_AT(MT); \
	ADD_RI_AT(pc + WRT_IRLEN_STORE); \
	NEXT(WRT_IRLEN_STORE + WRT_IRLEN_BIN_RI);
	ADD_RR_STORE(STORE8, uint8_t)
	ADD_RR_STORE(STORE, uint32_t)
#undef ADD_RR_STORE
L_I32_STORE8_ADDI:
	STORE_AT(uint8_t);
	ADD_RI_AT(pc + WRT_IRLEN_STORE);
	NEXT(WRT_IRLEN_STORE + WRT_IRLEN_BIN_RI);
L_CONST_COPY:
	fp[OPND(CONST, d)].bits = OPND(CONST, imm);
	fp[OPND_AT(pc + WRT_IRLEN_CONST, COPY, d)] = fp[OPND_AT(pc + WRT_IRLEN_CONST, COPY, s)];
	NEXT(WRT_IRLEN_CONST + WRT_IRLEN_COPY);
L_CONST_COPY_ADDI_BR_NZ_A:
	fp[OPND(CONST, d)].bits = OPND(CONST, imm);
	fp[OPND_AT(pc + WRT_IRLEN_CONST, COPY, d)] = fp[OPND_AT(pc + WRT_IRLEN_CONST, COPY, s)];
	pc += WRT_IRLEN_CONST + WRT_IRLEN_COPY;
	goto L_I32_ADDI_BR_NZ_A;
L_I32_ADD_RI_BR:
	ADD_RI_AT(pc);
	pc += WRT_IRLEN_BIN_RI;
	goto L_BR;
	/* A load (of MT, zero-extended), then the branch after it, of layout
	 * BL, taken if TEST: a byte's range check (BR_ADDI_ANDI_LTU, reading
	 * its own a), or a BR_NZ or BR_Z on the value loaded v (the matcher
	 * checked that its c is d). */
#define LOAD_BR(NAME, MT, BL, TEST) \
L_##NAME: \
	{ \
		uint64_t ea = (uint64_t) GET_I32(OPND(LOAD, a)) + OPND(LOAD, offset); \
		if (OOB(ea, sizeof(MT))) TRAP(MEMORY_OOB); \
		MT v; \
		memcpy(&v, mem + ea, sizeof(MT)); \
		SET_I32(OPND(LOAD, d), v); \
		pc += WRT_IRLEN_LOAD; \
		if (TEST) \
			JUMP(OPND(BL, off)); \
		NEXT(WRT_IRLEN_##BL); \
	}
	LOAD_BR(I32_LOAD8_U_BR_LTU, uint8_t, BR_ADDI_ANDI_LTU, BR_RANGE(pc))
	LOAD_BR(I32_LOAD8_U_BR_GEU, uint8_t, BR_ADDI_ANDI_LTU, !BR_RANGE(pc))
	LOAD_BR(I32_LOAD_BR_NZ, uint32_t, BR_NZ, v != 0)
	LOAD_BR(I32_LOAD_BR_Z, uint32_t, BR_NZ, v == 0)
	LOAD_BR(I32_LOAD8_U_BR_NZ, uint8_t, BR_NZ, v != 0)
	LOAD_BR(I32_LOAD8_U_BR_Z, uint8_t, BR_NZ, v == 0)
#undef LOAD_BR
#undef BR_RANGE
#undef STORE_AT
#undef ADD_RI_AT
#undef ADD_RR_AT
L_I32_ANDI_EQI:
	SET_I32(OPND(I32_ANDI_EQI, d), (GET_I32(OPND(I32_ANDI_EQI, a)) & OPND(I32_ANDI_EQI, m)) == OPND(I32_ANDI_EQI, k));
	NEXT(WRT_IRLEN_I32_ANDI_EQI);
L_I32_ANDI_NEI:
	SET_I32(OPND(I32_ANDI_EQI, d), (GET_I32(OPND(I32_ANDI_EQI, a)) & OPND(I32_ANDI_EQI, m)) != OPND(I32_ANDI_EQI, k));
	NEXT(WRT_IRLEN_I32_ANDI_EQI);
#define X(O1, o1, O2, o2) \
L_F64_##O1##_##O2##_L: \
	{ \
		double t = GET_F64(OPND(CHAIN_L, a)) o1 GET_F64(OPND(CHAIN_L, b)); \
		SET_F64(OPND(CHAIN_L, t), t); \
		SET_F64(OPND(CHAIN_L, d), t o2 GET_F64(OPND(CHAIN_L, c))); \
		NEXT(WRT_IRLEN_CHAIN_L); \
	} \
L_F64_##O1##_##O2##_R: \
	{ \
		double t = GET_F64(OPND(CHAIN_R, a)) o1 GET_F64(OPND(CHAIN_R, b)); \
		SET_F64(OPND(CHAIN_R, t), t); \
		SET_F64(OPND(CHAIN_R, d), GET_F64(OPND(CHAIN_R, c)) o2 t); \
		NEXT(WRT_IRLEN_CHAIN_R); \
	}
	WRT_IR_F64_CHAIN(X)
#undef X
L_BR_TABLE:
	{
		uint32_t i = GET_I32(OPND(BR_TABLE, i));
		uint32_t n = OPND(BR_TABLE, n);
		if (i > n)
			i = n;
		JUMP(wrt_ir_BR_TABLE_off(pc, i));
	}
L_LOOP_ENTRY:
	NEXT(WRT_IRLEN_LOOP_ENTRY);
L_UNREACHABLE:
	TRAP(UNREACHABLE);
L_SELECT:
	SELECT_BITS(OPND(SELECT, d), GET_I32(OPND(SELECT, c)), OPND(SELECT, a), OPND(SELECT, b));
	NEXT(WRT_IRLEN_SELECT);
L_GLOBAL_GET:
	fp[OPND(GLOBAL_GET, d)].bits = inst->globals[OPND(GLOBAL_GET, g)]->v.bits;
	NEXT(WRT_IRLEN_GLOBAL_GET);
L_GLOBAL_SET:
	inst->globals[OPND(GLOBAL_SET, g)]->v.bits = fp[OPND(GLOBAL_SET, s)].bits;
	NEXT(WRT_IRLEN_GLOBAL_SET);
L_MEMORY_SIZE:
	SET_I32(OPND(MEMORY_SIZE, d), MEMSIZE() / WRT_PAGE_SIZE);
	NEXT(WRT_IRLEN_MEMORY_SIZE);
L_MEMORY_GROW:
	{
		uint32_t delta = GET_I32(OPND(MEMORY_GROW, n));
		int64_t r = inst->mem0 ? wrt_memory_grow_internal(inst->mem0, delta) : -1;
		RELOAD_MEM();
		/* Only a grow that happened is charged, by size like memory.fill:
		 * a mapped memory (vmem.c) grows in constant time, but fuel must not
		 * depend on where the host keeps memory. */
		if (r >= 0)
			CHARGE((uint64_t) delta * (WRT_PAGE_SIZE / 64));
		SET_I32(OPND(MEMORY_GROW, d), (uint32_t) r);
		NEXT(WRT_IRLEN_MEMORY_GROW);
	}
L_MEMORY_INIT:
	CHARGE(GET_I32(OPND(MEMORY_INIT, n)) >> 6);
	if (!wrt_exec_memory_init(inst, OPND(MEMORY_INIT, seg), GET_I32(OPND(MEMORY_INIT, d)),
							  GET_I32(OPND(MEMORY_INIT, s)), GET_I32(OPND(MEMORY_INIT, n))))
		TRAP(MEMORY_OOB);
	NEXT(WRT_IRLEN_MEMORY_INIT);
L_DATA_DROP:
	inst->data_dropped[OPND(DATA_DROP, seg)] = 1;
	NEXT(WRT_IRLEN_DATA_DROP);
L_MEMORY_COPY:
	{
		uint32_t d = GET_I32(OPND(MEMORY_COPY, d)), s_ = GET_I32(OPND(MEMORY_COPY, s));
		uint32_t n = GET_I32(OPND(MEMORY_COPY, n));
		CHARGE(n >> 6);
		if ((uint64_t) d + n > MEMSIZE() || (uint64_t) s_ + n > MEMSIZE())
			TRAP(MEMORY_OOB);
		if (n)
			memmove(mem + d, mem + s_, n);
		NEXT(WRT_IRLEN_MEMORY_COPY);
	}
L_MEMORY_FILL:
	{
		uint32_t d = GET_I32(OPND(MEMORY_FILL, d)), v = GET_I32(OPND(MEMORY_FILL, v));
		uint32_t n = GET_I32(OPND(MEMORY_FILL, n));
		CHARGE(n >> 6);
		if ((uint64_t) d + n > MEMSIZE())
			TRAP(MEMORY_OOB);
		if (n)
			memset(mem + d, (int) (uint8_t) v, n);
		NEXT(WRT_IRLEN_MEMORY_FILL);
	}
L_TABLE_GET:
	{
		wrt_table *t = inst->tables[OPND(TABLE_GET, t)];
		uint32_t i = GET_I32(OPND(TABLE_GET, i));
		if (i >= t->size)
			TRAP(TABLE_OOB);
		fp[OPND(TABLE_GET, d)].bits = 0;
		fp[OPND(TABLE_GET, d)].ref = t->elems[i];
		NEXT(WRT_IRLEN_TABLE_GET);
	}
L_TABLE_SET:
	{
		wrt_table *t = inst->tables[OPND(TABLE_SET, t)];
		uint32_t i = GET_I32(OPND(TABLE_SET, i));
		if (i >= t->size)
			TRAP(TABLE_OOB);
		t->elems[i] = fp[OPND(TABLE_SET, v)].ref;
		NEXT(WRT_IRLEN_TABLE_SET);
	}
L_TABLE_SIZE:
	SET_I32(OPND(TABLE_SIZE, d), inst->tables[OPND(TABLE_SIZE, t)]->size);
	NEXT(WRT_IRLEN_TABLE_SIZE);
L_TABLE_GROW:
	{
		wrt_table *t = inst->tables[OPND(TABLE_GROW, t)];
		uint32_t n = GET_I32(OPND(TABLE_GROW, n));
		int64_t r = wrt_table_grow_internal(t, n, fp[OPND(TABLE_GROW, init)].ref);
		if (r >= 0)
			CHARGE(n >> 3);
		SET_I32(OPND(TABLE_GROW, d), (uint32_t) r);
		NEXT(WRT_IRLEN_TABLE_GROW);
	}
L_TABLE_FILL:
	{
		wrt_table *t = inst->tables[OPND(TABLE_FILL, t)];
		uint32_t i = GET_I32(OPND(TABLE_FILL, i)), n = GET_I32(OPND(TABLE_FILL, n));
		void *v = fp[OPND(TABLE_FILL, v)].ref;
		CHARGE(n >> 3);
		if ((uint64_t) i + n > t->size)
			TRAP(TABLE_OOB);
		for (uint32_t k = 0; k < n; k++)
			t->elems[i + k] = v;
		NEXT(WRT_IRLEN_TABLE_FILL);
	}
L_TABLE_COPY:
	{
		wrt_table *dt = inst->tables[OPND(TABLE_COPY, dt)], *st = inst->tables[OPND(TABLE_COPY, st)];
		uint32_t d = GET_I32(OPND(TABLE_COPY, d)), s_ = GET_I32(OPND(TABLE_COPY, s));
		uint32_t n = GET_I32(OPND(TABLE_COPY, n));
		CHARGE(n >> 3);
		if ((uint64_t) d + n > dt->size || (uint64_t) s_ + n > st->size)
			TRAP(TABLE_OOB);
		if (n)
			memmove(dt->elems + d, st->elems + s_, (size_t) n * sizeof(void *));
		NEXT(WRT_IRLEN_TABLE_COPY);
	}
L_TABLE_INIT:
	CHARGE(GET_I32(OPND(TABLE_INIT, n)) >> 3);
	if (!wrt_exec_table_init(inst, OPND(TABLE_INIT, t), OPND(TABLE_INIT, seg), GET_I32(OPND(TABLE_INIT, d)),
							 GET_I32(OPND(TABLE_INIT, s)), GET_I32(OPND(TABLE_INIT, n))))
		TRAP(TABLE_OOB);
	NEXT(WRT_IRLEN_TABLE_INIT);
L_ELEM_DROP:
	inst->elem_dropped[OPND(ELEM_DROP, seg)] = 1;
	NEXT(WRT_IRLEN_ELEM_DROP);
L_REF_FUNC:
	fp[OPND(REF_FUNC, d)].bits = 0;
	fp[OPND(REF_FUNC, d)].ref = inst->funcs[OPND(REF_FUNC, f)];
	NEXT(WRT_IRLEN_REF_FUNC);
L_REF_IS_NULL:
	SET_I32(OPND(REF_IS_NULL, d), fp[OPND(REF_IS_NULL, a)].ref == NULL);
	NEXT(WRT_IRLEN_REF_IS_NULL);

	/* ---- calls ---- */
L_CALL:
	/* A function of this module, interpreted and compiled: the frame is
	 * entered here, with the instance known to stay and the return address
	 * known, so none of it goes through the shared call variables. */
	callee = (wrt_code *) OPND(CALL, callee);
	nfp = fp + OPND(CALL, args);
	if (WRT_UNLIKELY((--callee->tier_calls < 0) | (callee->native != NULL) | (callee->compiled == NULL)))
	{
		callee_inst = NULL;
		ret_pc = pc + WRT_IRLEN_CALL;
		goto call_counted;
	}
	ENTER_FRAME((wrt_instance *) NULL, pc + WRT_IRLEN_CALL);
L_CALL_FUNC:
	fn = inst->funcs[OPND(CALL_FUNC, f)];
	nfp = fp + OPND(CALL_FUNC, args);
	ret_pc = pc + WRT_IRLEN_CALL_FUNC;
	goto call_func;
L_CALL_INDIRECT:
	{
		wrt_table *t = inst->tables[OPND(CALL_INDIRECT, table)];
		uint32_t i = GET_I32(OPND(CALL_INDIRECT, i));
		if (i >= t->size)
			TRAPM(TABLE_OOB, "undefined element");
		fn = t->elems[i];
		if (!fn)
			TRAP(INDIRECT_NULL);
		if (fn->type_id != inst->type_ids[OPND(CALL_INDIRECT, type)])
			TRAP(INDIRECT_TYPE);
		nfp = fp + OPND(CALL_INDIRECT, args);
		ret_pc = pc + WRT_IRLEN_CALL_INDIRECT;
		goto call_func;
	}

call_func:
	if (fn->inst)
	{
		callee = fn->code;
		callee_inst = fn->inst != inst ? fn->inst : NULL;
		goto call_wasm;
	}
	{
		/* Host function: arguments at nfp, results written back there. */
		wrt_hostcall hc = {s, inst, fn, WRT_TRAP_NONE};
		s->nframes = NFRAMES();
		s->fuel_left = fuel;
		int rc = host_call(&hc, nfp);
		fuel = s->fuel_left;
		if (WRT_UNLIKELY(rc < 0))
			TRAP(OOM);
		bool ok = rc > 0;
		RELOAD_MEM();
		if (!ok)
		{
			trapkind = hc.kind != WRT_TRAP_NONE ? hc.kind : WRT_TRAP_HOST;
			recorded = s->trap.kind != WRT_TRAP_NONE;
			if (!recorded)
				trapmsg = "host function failed";
			goto trap;
		}
		pc = ret_pc;
		DISPATCH();
	}

call_wasm:
	/* The tier's bookkeeping stays off this path's registers: one test
	 * covers both the countdown and machine code (under the interp policy
	 * the countdown never runs out and there is none), and the rest is read
	 * from the store where it is needed, not kept live across run(). */
	if (WRT_UNLIKELY((--callee->tier_calls < 0) | (callee->native != NULL)))
		goto call_tier;
call_interp:
	if (WRT_UNLIKELY(!callee->compiled) && !ensure_compiled(s, CALLEE_INSTANCE()->mod, callee))
	{
		trapkind = WRT_TRAP_OOM;
		recorded = true;
		goto trap;
	}
	ENTER_FRAME(callee_inst, ret_pc);

	/* A callee's entry whose entry_poll was set (ENTER_FRAME): the
	 * interrupt, then the fuel of a metered call; pc is already the
	 * callee's first instruction, where either trap is reported. */
entry_polled:
	if (WRT_UNLIKELY(*intr) && !interrupt_continue(s))
		TRAP(INTERRUPTED);
	if (WRT_UNLIKELY((fuel -= code->compiled->entry_cost) < 0))
		TRAP(FUEL_EXHAUSTED);
	DISPATCH();

	/* L_CALL's slow path: its countdown is already counted. */
call_counted:
	if ((callee->tier_calls < 0) | (callee->native != NULL))
		goto call_tier;
	goto call_interp;

	/* The tier's side of a call (see call_wasm): the countdown ran out, or
	 * the callee has machine code, which runs only without a fuel budget
	 * and, once compiled, not in a store whose policy was turned back to
	 * interp (tier.h). */
call_tier:
	if (callee->tier_calls < 0)
		wrt_tier_on_call(s, CALLEE_INSTANCE()->mod, callee);
	if (!callee->native || s->fuel != 0 || s->tier.mode == WRT_TIER_INTERP)
		goto call_interp;
	{
		/* Machine code: it counts its own frame in s->nframes. */
		s->nframes = NFRAMES();
		s->trap.kind = WRT_TRAP_NONE;   /* native callers test it */
		bool ok = callee->native(CALLEE_INSTANCE(), nfp);
		s->nframes = NFRAMES();
		RELOAD_MEM();
		if (WRT_UNLIKELY(!ok))
			goto trap_frames;   /* the trap is set, with native frames: ours go after them */
		pc = ret_pc;
		DISPATCH();
	}

	/*
	 * On-stack replacement (tier.h): the function went native while this
	 * call runs a loop.  The frame at fp holds the state at the loop's
	 * header; the OSR entry runs the rest of the call from there and leaves
	 * the results in fp[0..), so the frame then returns as usual.  Without
	 * an entry for this loop, the back-edge just goes on (no fuel budget is
	 * set when we get here, so its charge does not matter).
	 */
back_edge:
	/* A back-edge to osr_pc whose loop_poll was set (JUMP): the interrupt,
	 * the fuel, then the tier's countdown, in the order of a back-edge; pc
	 * is still the branch, where a trap is reported. */
	if (WRT_UNLIKELY(*intr) && !interrupt_continue(s))
		TRAP(INTERRUPTED);
	if (WRT_UNLIKELY((fuel -= LOOP_COST(osr_pc)) < 0))
		TRAP(FUEL_EXHAUSTED);
	if (!counting_loops)
	{
		pc = osr_pc;
		DISPATCH();
	}
	/* Under the tiered policy: count it; at zero, tier the function up and
	 * enter it there. */
	if (--code->tier_loops < 0)
	{
		if (wrt_tier_on_loop(s, inst->mod, code) && s->fuel == 0)
			goto osr;
	}
	pc = osr_pc;
	DISPATCH();

osr:
	{
		wrt_native_entry osr_entry = wrt_tier_osr(s, inst->mod, code, (uint32_t) (osr_pc - code->compiled->code));
		if (!osr_entry)
		{
			pc = osr_pc;
			DISPATCH();
		}
		s->nframes = NFRAMES();
		s->trap.kind = WRT_TRAP_NONE;
		bool ok = osr_entry(inst, fp);
		s->nframes = NFRAMES();
		RELOAD_MEM();
		if (WRT_UNLIKELY(!ok))
		{
			/* the trap is set, and the native code recorded this
			 * frame's backtrace entry: the callers' go after it */
			code = NULL;
			goto trap_frames;
		}
		goto L_RETURN;
	}

L_RETURN:
	if (top == frames_base)
	{
		s->fuel_left = fuel;
		return true;
	}
	{
		const wrt_frame *f = --top;
		pc = f->ret_pc;
		fp = f->fp;
		code = f->code;
		/* Within one instance mem/memlim are already current: a callee's
		 * memory.grow reloaded them.  Another instance means another memory. */
		if (WRT_UNLIKELY(f->inst != NULL))
		{
			inst = f->inst;
			RELOAD_MEM();
		}
		DISPATCH();
	}

	/* ---- SIMD families: calling the operator's lane function fn ---- */
#define LANE_FN(type, L) ((type) OPND(L, fn))
L_VUN:
	LANE_FN(wrt_vun_fn, VUN)(fp + OPND(VUN, d), fp + OPND(VUN, a));
	NEXT(WRT_IRLEN_VUN);
L_VSPLAT:
	/* the same code as VUN, but a label of its own: a handler address
	 * names one instruction (disassembler, verifier) */
	LANE_FN(wrt_vun_fn, VSPLAT)(fp + OPND(VSPLAT, d), fp + OPND(VSPLAT, a));
	NEXT(WRT_IRLEN_VSPLAT);
L_VTEST:
	fp[OPND(VTEST, d)].bits = LANE_FN(wrt_vtest_fn, VTEST)(fp + OPND(VTEST, a));
	NEXT(WRT_IRLEN_VTEST);
L_VBIN:
	LANE_FN(wrt_vbin_fn, VBIN)(fp + OPND(VBIN, d), fp + OPND(VBIN, a), fp + OPND(VBIN, b));
	NEXT(WRT_IRLEN_VBIN);
/* d = F(a, the 16 bytes at p + offset): VBIN_RM and its inlined rows */
/* d = F(a, the 16 bytes at ea), for layout L: VBIN_RM (ea = p + offset),
 * VBIN_RMA (ea = (u32)(x + k)) and their inlined rows */
#define VBIN_LOADED_WITH(L, EA, F) { \
		uint64_t ea = (EA); \
		wrt_v128 b; \
		if (OOB(ea, 16)) \
			TRAP(MEMORY_OOB); \
		memcpy(&b, mem + ea, 16); \
		F(fp + OPND(L, d), fp + OPND(L, a), &b); \
		NEXT(WRT_IRLEN_##L); \
	}
#define VBIN_RM_WITH(F) VBIN_LOADED_WITH(VBIN_RM, (uint64_t) GET_I32(OPND(VBIN_RM, p)) + OPND(VBIN_RM, offset), F)
L_VBIN_RM:
	VBIN_RM_WITH(LANE_FN(wrt_vbin_fn, VBIN_RM))
#define VBIN_RMA_WITH(F) VBIN_LOADED_WITH(VBIN_RMA, (uint32_t) (GET_I32(OPND(VBIN_RMA, x)) + OPND(VBIN_RMA, k)), F)
L_VBIN_RMA:
	VBIN_RMA_WITH(LANE_FN(wrt_vbin_fn, VBIN_RMA))
/* d = F(a, the constant in cells lo, hi) (read where it is: consecutive
 * cells, lo first, are the v128's bytes in order): VBIN_RC and its
 * inlined rows */
#define VBIN_RC_WITH(F) \
	F(fp + OPND(VBIN_RC, d), fp + OPND(VBIN_RC, a), &pc[WRT_IRPOS_VBIN_RC_lo]); \
	NEXT(WRT_IRLEN_VBIN_RC);
L_VBIN_RC:
	VBIN_RC_WITH(LANE_FN(wrt_vbin_fn, VBIN_RC))
/* the 16 bytes at q + qoffset = F(a, b): VBIN_ST and its inlined rows (the
 * lane function writes memory directly: its operands are frame slots) */
#define VBIN_ST_WITH(F) { \
		uint64_t ea = (uint64_t) GET_I32(OPND(VBIN_ST, q)) + OPND(VBIN_ST, qoffset); \
		if (OOB(ea, 16)) \
			TRAP(MEMORY_OOB); \
		F(mem + ea, fp + OPND(VBIN_ST, a), fp + OPND(VBIN_ST, b)); \
		NEXT(WRT_IRLEN_VBIN_ST); \
	}
L_VBIN_ST:
	VBIN_ST_WITH(LANE_FN(wrt_vbin_fn, VBIN_ST))
/* the same of F(a, the 16 bytes at p + offset): VBIN_RM_ST and its inlined
 * rows.  b is copied out first, so the two addresses may overlap; either
 * out of bounds traps before memory changes. */
#define VBIN_RM_ST_WITH(F) { \
		uint64_t ea = (uint64_t) GET_I32(OPND(VBIN_RM_ST, p)) + OPND(VBIN_RM_ST, offset); \
		uint64_t sa = (uint64_t) GET_I32(OPND(VBIN_RM_ST, q)) + OPND(VBIN_RM_ST, qoffset); \
		wrt_v128 b; \
		if (OOB(ea, 16) || OOB(sa, 16)) \
			TRAP(MEMORY_OOB); \
		memcpy(&b, mem + ea, 16); \
		F(mem + sa, fp + OPND(VBIN_RM_ST, a), &b); \
		NEXT(WRT_IRLEN_VBIN_RM_ST); \
	}
L_VBIN_RM_ST:
	VBIN_RM_ST_WITH(LANE_FN(wrt_vbin_fn, VBIN_RM_ST))
L_VSHIFT:
	LANE_FN(wrt_vshift_fn, VSHIFT)(fp + OPND(VSHIFT, d), fp + OPND(VSHIFT, a), GET_I32(OPND(VSHIFT, b)));
	NEXT(WRT_IRLEN_VSHIFT);
L_VSHIFT_I:
	LANE_FN(wrt_vshift_fn, VSHIFT_I)(fp + OPND(VSHIFT_I, d), fp + OPND(VSHIFT_I, a), OPND(VSHIFT_I, count));
	NEXT(WRT_IRLEN_VSHIFT_I);
L_VTER:
	LANE_FN(wrt_vter_fn, VTER)(fp + OPND(VTER, d), fp + OPND(VTER, a), fp + OPND(VTER, b), fp + OPND(VTER, c));
	NEXT(WRT_IRLEN_VTER);
L_VEXTRACT:
	fp[OPND(VEXTRACT, d)].bits = LANE_FN(wrt_vextract_fn, VEXTRACT)(fp + OPND(VEXTRACT, a), OPND(VEXTRACT, lane));
	NEXT(WRT_IRLEN_VEXTRACT);
L_VREPLACE:
	LANE_FN(wrt_vreplace_fn, VREPLACE)(fp + OPND(VREPLACE, d), fp + OPND(VREPLACE, a),
									   fp[OPND(VREPLACE, b)].bits, OPND(VREPLACE, lane));
	NEXT(WRT_IRLEN_VREPLACE);
L_VLOAD:
	{
		uint64_t ea = (uint64_t) GET_I32(OPND(VLOAD, a)) + OPND(VLOAD, offset);
		if (OOB(ea, OPND(VLOAD, n)))
			TRAP(MEMORY_OOB);
		LANE_FN(wrt_vload_fn, VLOAD)(fp + OPND(VLOAD, d), mem + ea);
		NEXT(WRT_IRLEN_VLOAD);
	}
L_VLOAD_ADD:
	{
		uint64_t ea = (uint64_t) (uint32_t) (GET_I32(OPND(VLOAD_ADD, x)) + OPND(VLOAD_ADD, k)) + OPND(VLOAD_ADD, offset);
		if (OOB(ea, OPND(VLOAD_ADD, n)))
			TRAP(MEMORY_OOB);
		LANE_FN(wrt_vload_fn, VLOAD_ADD)(fp + OPND(VLOAD_ADD, d), mem + ea);
		NEXT(WRT_IRLEN_VLOAD_ADD);
	}
L_VSTORE:
	{
		uint64_t ea = (uint64_t) GET_I32(OPND(VSTORE, a)) + OPND(VSTORE, offset);
		if (OOB(ea, 16))
			TRAP(MEMORY_OOB);
		memcpy(mem + ea, fp + OPND(VSTORE, v), 16);
		NEXT(WRT_IRLEN_VSTORE);
	}
/* d = v with its N-byte lane loaded from a + offset: VLOAD_LANE (N from
 * the instruction) and its inlined rows (N a constant: no switch, and the
 * lane's mask folds) */
#define VLOAD_LANE_OF(N) \
	{ \
		uint64_t ea = (uint64_t) GET_I32(OPND(VLOAD_LANE, a)) + OPND(VLOAD_LANE, offset); \
		uint32_t n_ = (N); \
		if (OOB(ea, n_)) \
			TRAP(MEMORY_OOB); \
		/* the lane inserted in registers (wrt_vwith: a copy patched in \
		 * memory would be read back across two stores) */ \
		wrt_v128 v; \
		uint64_t x = 0; \
		memcpy(&v, fp + OPND(VLOAD_LANE, v), 16); \
		switch (n_)                  /* little-endian: the lane's low bytes */ \
		{ \
			case 1: x = mem[ea]; break; \
			case 2: { uint16_t y; memcpy(&y, mem + ea, 2); x = y; break; } \
			case 4: { uint32_t y; memcpy(&y, mem + ea, 4); x = y; break; } \
			default: memcpy(&x, mem + ea, 8); break; \
		} \
		v = wrt_vwith(v, OPND(VLOAD_LANE, lane), n_ * 8, x); \
		memcpy(fp + OPND(VLOAD_LANE, d), &v, 16); \
		NEXT(WRT_IRLEN_VLOAD_LANE); \
	}
L_VLOAD_LANE:
	VLOAD_LANE_OF(OPND(VLOAD_LANE, n))
/* mem[a + offset] = the N-byte lane of v: VSTORE_LANE (N from the
 * instruction) and its inlined rows (N a constant) */
#define VSTORE_LANE_OF(N) \
	{ \
		uint64_t ea = (uint64_t) GET_I32(OPND(VSTORE_LANE, a)) + OPND(VSTORE_LANE, offset); \
		uint32_t n_ = (N); \
		if (OOB(ea, n_)) \
			TRAP(MEMORY_OOB); \
		const uint8_t *lane = (const uint8_t *) (fp + OPND(VSTORE_LANE, v)) + OPND(VSTORE_LANE, lane) * n_; \
		/* constant sizes: a memcpy of n bytes is a call into libc \
		 * (argon2 built with -msimd128: 36 million of them, 3% of its \
		 * instructions) */ \
		switch (n_) \
		{ \
			case 1: mem[ea] = *lane; break; \
			case 2: memcpy(mem + ea, lane, 2); break; \
			case 4: memcpy(mem + ea, lane, 4); break; \
			default: memcpy(mem + ea, lane, 8); break; \
		} \
		NEXT(WRT_IRLEN_VSTORE_LANE); \
	}
L_VSTORE_LANE:
	VSTORE_LANE_OF(OPND(VSTORE_LANE, n))
#undef LANE_FN
	/* The inlined ones (ir.def IR_VI): their layout's code with a direct call. */
#define VI_VBIN(NAME) \
	v_##NAME(fp + OPND(VBIN, d), fp + OPND(VBIN, a), fp + OPND(VBIN, b)); \
	NEXT(WRT_IRLEN_VBIN);
#define VI_VLOAD(NAME) \
	{ \
		uint64_t ea = (uint64_t) GET_I32(OPND(VLOAD, a)) + OPND(VLOAD, offset); \
		if (OOB(ea, OPND(VLOAD, n))) \
			TRAP(MEMORY_OOB); \
		v_##NAME(fp + OPND(VLOAD, d), mem + ea); \
		NEXT(WRT_IRLEN_VLOAD); \
	}
#define VI_VREPLACE(NAME) \
	v_##NAME(fp + OPND(VREPLACE, d), fp + OPND(VREPLACE, a), fp[OPND(VREPLACE, b)].bits, OPND(VREPLACE, lane)); \
	NEXT(WRT_IRLEN_VREPLACE);
#define VI_VSHIFT(NAME) \
	v_##NAME(fp + OPND(VSHIFT, d), fp + OPND(VSHIFT, a), GET_I32(OPND(VSHIFT, b))); \
	NEXT(WRT_IRLEN_VSHIFT);
#define VI_VSHIFT_I(NAME) \
	v_##NAME(fp + OPND(VSHIFT_I, d), fp + OPND(VSHIFT_I, a), OPND(VSHIFT_I, count)); \
	NEXT(WRT_IRLEN_VSHIFT_I);
	/* (a full 16-byte load: v128.load) */
#define VI_VLOAD_ADD(NAME) \
	{ \
		uint64_t ea = (uint64_t) (uint32_t) (GET_I32(OPND(VLOAD_ADD, x)) + OPND(VLOAD_ADD, k)) + OPND(VLOAD_ADD, offset); \
		if (OOB(ea, 16)) \
			TRAP(MEMORY_OOB); \
		v_##NAME(fp + OPND(VLOAD_ADD, d), mem + ea); \
		NEXT(WRT_IRLEN_VLOAD_ADD); \
	}
#define VI_VBIN_RM(NAME) VBIN_RM_WITH(v_##NAME)
#define VI_VBIN_ST(NAME) VBIN_ST_WITH(v_##NAME)
#define VI_VBIN_RMA(NAME) VBIN_RMA_WITH(v_##NAME)
#define VI_VBIN_RC(NAME) VBIN_RC_WITH(v_##NAME)
#define VI_VBIN_RM_ST(NAME) VBIN_RM_ST_WITH(v_##NAME)
#define VI_VEXTRACT(NAME) \
	fp[OPND(VEXTRACT, d)].bits = v_##NAME(fp + OPND(VEXTRACT, a), OPND(VEXTRACT, lane)); \
	NEXT(WRT_IRLEN_VEXTRACT);
#define VI_VSPLAT(NAME) \
	v_##NAME(fp + OPND(VSPLAT, d), fp + OPND(VSPLAT, a)); \
	NEXT(WRT_IRLEN_VSPLAT);
#define VI_VLOAD_LANE(NAME) VLOAD_LANE_OF(wrt_lane_bytes_##NAME)
#define VI_VSTORE_LANE(NAME) VSTORE_LANE_OF(wrt_lane_bytes_##NAME)
#define VI_HANDLER(NAME, L, OP, M) L_##NAME: VI_##L(OP)
#define NO_HANDLER(...)
	WRT_IR_HAND(NO_HANDLER, NO_HANDLER, NO_HANDLER, NO_HANDLER, NO_HANDLER, VI_HANDLER)
#undef NO_HANDLER
#undef VI_HANDLER
#undef VI_VBIN
#undef VI_VLOAD
#undef VI_VREPLACE
#undef VI_VSHIFT
#undef VI_VSHIFT_I
#undef VI_VLOAD_ADD
#undef VI_VEXTRACT
#undef VI_VBIN_RM
#undef VBIN_RM_WITH
#undef VBIN_LOADED_WITH
#undef VI_VBIN_ST
#undef VI_VBIN_RMA
#undef VBIN_RMA_WITH
#undef VI_VBIN_RC
#undef VBIN_RC_WITH
#undef VBIN_ST_WITH
#undef VI_VBIN_RM_ST
#undef VBIN_RM_ST_WITH
#undef VI_VSPLAT
#undef VI_VLOAD_LANE
#undef VLOAD_LANE_OF
#undef VI_VSTORE_LANE
#undef VSTORE_LANE_OF
	/* ---- v128 slot pairs ---- */
L_COPY2:
	memmove(fp + OPND(COPY2, d), fp + OPND(COPY2, s), 16);
	NEXT(WRT_IRLEN_COPY2);
L_V128_CONST:
	/* One 16-byte store, as every v128 write: a consumer reads the pair
	 * with one 16-byte load, which two 8-byte stores would stall (store
	 * forwarding fails).  lo and hi are consecutive cells. */
	memcpy(fp + OPND(V128_CONST, d), &pc[WRT_IRPOS_V128_CONST_lo], 16);
	NEXT(WRT_IRLEN_V128_CONST);
L_I8X16_SHUFFLE:
	/* out of line, by pshufb where the CPU has it (simd.h): lane loops in
	 * run() cost the scalar handlers (mandelbrot +5%) */
	wrt_shuffle(fp + OPND(I8X16_SHUFFLE, d), fp + OPND(I8X16_SHUFFLE, a), fp + OPND(I8X16_SHUFFLE, b),
				OPND(I8X16_SHUFFLE, l0_7), OPND(I8X16_SHUFFLE, l8_15));
	NEXT(WRT_IRLEN_I8X16_SHUFFLE);
L_SELECT_V128:
	memmove(fp + OPND(SELECT_V128, d),
			fp + (GET_I32(OPND(SELECT_V128, c)) ? OPND(SELECT_V128, a) : OPND(SELECT_V128, b)), 16);
	NEXT(WRT_IRLEN_SELECT_V128);
L_GLOBAL_GET_V128:
	memcpy(fp + OPND(GLOBAL_GET_V128, d), inst->globals[OPND(GLOBAL_GET_V128, g)]->v.v128, 16);
	NEXT(WRT_IRLEN_GLOBAL_GET_V128);
L_GLOBAL_SET_V128:
	memcpy(inst->globals[OPND(GLOBAL_SET_V128, g)]->v.v128, fp + OPND(GLOBAL_SET_V128, s), 16);
	NEXT(WRT_IRLEN_GLOBAL_SET_V128);

#define TRAP_LABEL(k) trap_##k: trapkind = WRT_TRAP_##k; goto trap;
	TRAP_LABEL(UNREACHABLE)
	TRAP_LABEL(MEMORY_OOB)
	TRAP_LABEL(TABLE_OOB)
	TRAP_LABEL(INDIRECT_NULL)
	TRAP_LABEL(INDIRECT_TYPE)
	TRAP_LABEL(DIV_ZERO)
	TRAP_LABEL(INT_OVERFLOW)
	TRAP_LABEL(INVALID_CONVERSION)
	TRAP_LABEL(STACK_EXHAUSTED)
	TRAP_LABEL(FUEL_EXHAUSTED)
	TRAP_LABEL(INTERRUPTED)
	TRAP_LABEL(OOM)
#undef TRAP_LABEL

trap:
	if (recorded)
		s->trap.kind = trapkind;    /* message already set by the host or compiler */
	else if (trapmsg)
		wrt_trap_set(s, trapkind, "%s", trapmsg);
	else
		wrt_trap_set(s, trapkind, NULL);
	s->trap.nframes = 0;
trap_frames:
	add_frame(s, inst, code, pc);
	for (const wrt_frame *f = top; f-- > frames_base;)
	{
		if (f->inst)
			inst = f->inst;     /* else the caller's is its callee's */
		add_frame(s, inst, f->code, (const wrt_cell *) f->ret_pc - 1);
	}
	s->nframes = (uint32_t) (frames_base - frames);
	s->fuel_left = fuel;
	return false;
#undef TRAP
#undef NFRAMES
#undef ENTER_FRAME
#undef CALLEE_INSTANCE
}

const void *const *
wrt_interp_handlers(void)
{
	const void *const *h = NULL;
	run(NULL, NULL, NULL, NULL, &h);
	return h;
}

/* Calls of host functions through wrt_call (no Wasm frame). */
static __attribute__((noinline)) bool
invoke_host(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results)
{
	wrt_hostcall hc = {s, NULL, f, WRT_TRAP_NONE};
	s->depth++;
	bool ok = f->cb(&hc, f->user, args, results);
	s->depth--;
	if (!ok)
	{
		wrt_trapkind k = hc.kind != WRT_TRAP_NONE ? hc.kind : WRT_TRAP_HOST;
		if (s->trap.kind == WRT_TRAP_NONE)
			wrt_trap_set(s, k, "host function failed");
		s->trap.kind = k;
	}
	return ok;
}

/* Values to slots and back for any signature (a v128 takes a slot pair).
 * Every call from the host into native code goes through these, so the
 * scalar case is a plain 8-byte copy, not a memcpy of variable size (a
 * library call: it was about 40 instructions per argument). */
static void
wide_args(const wrt_functype *t, const wrt_value *args, wrt_slot *base)
{
	for (uint32_t k = 0, j = 0; k < t->nparams; k++)
	{
		if (WRT_UNLIKELY(t->params[k] == WRT_V128))
		{
			memcpy(base + j, &args[k], 16);
			j += 2;
		}
		else
			base[j++].bits = args[k].bits;
	}
}

static void
wide_results(const wrt_functype *t, const wrt_slot *base, wrt_value *results)
{
	for (uint32_t k = 0, j = 0; k < t->nresults; k++)
	{
		if (WRT_UNLIKELY(t->results[k] == WRT_V128))
		{
			memcpy(&results[k], base + j, 16);
			j += 2;
		}
		else
			results[k] = (wrt_value) {.bits = base[j++].bits};
	}
}

/* Arguments into slots and results back, for both ways into a call from the
 * host (interpreted and native): most signatures have no v128, a slot per
 * value copied inline; the others take the general copy. */
static inline void
put_args(const wrt_functype *t, bool wide, const wrt_value *args, wrt_slot *base)
{
	if (WRT_UNLIKELY(wide))
		wide_args(t, args, base);
	else
		for (uint32_t k = 0; k < t->nparams; k++)
			base[k].bits = args[k].bits;
}

static inline void
take_results(const wrt_functype *t, bool wide, const wrt_slot *base, wrt_value *results)
{
	if (WRT_UNLIKELY(wide))
		wide_results(t, base, results);
	else
		for (uint32_t k = 0; k < t->nresults; k++)
			results[k] = (wrt_value) {.bits = base[k].bits};
}

/* The first call (or the first after a limit change): allocate the stacks
 * and compile the function.  Kept out of wrt_invoke's hot path. */
static __attribute__((noinline, cold)) bool
invoke_prepare(wrt_store *s, wrt_func *f)
{
	if (!ensure_stack(s))
	{
		wrt_trap_set(s, WRT_TRAP_OOM, "cannot allocate the execution stack");
		return false;
	}
	return ensure_compiled(s, f->inst->mod, f->code);
}

/* A call from the host of a function that runs native. */
static bool
invoke_native(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results)
{
	if (WRT_UNLIKELY(!s->stack_ready) && !ensure_stack(s))
	{
		wrt_trap_set(s, WRT_TRAP_OOM, "cannot allocate the execution stack");
		return false;
	}
	wrt_code *code = f->code;
	wrt_slot *base = s->stack_top;
	uint32_t saved_frames = s->nframes;
	if (base + code->native_window > s->stack + s->stack_slots || saved_frames >= s->frames_cap)
	{
		wrt_trap_set(s, WRT_TRAP_STACK_EXHAUSTED, NULL);
		return false;
	}
	put_args(&f->type, code->native_wide, args, base);
	s->depth++;
	bool ok = code->native(f->inst, base);
	s->depth--;
	if (WRT_LIKELY(ok))
		take_results(&f->type, code->native_wide, base, results);
	s->stack_top = base;
	s->nframes = saved_frames;
	if (s->depth == 0)
		s->fuel_consumed = 0;
	return ok;
}

/*
 * A call from native code (tier.h's call helpers) of any function: a host
 * function, a function that runs native, or one to interpret.  The
 * arguments are in the slots at args, the results go there.  On success
 * the store's trap kind is left clear, which native callers test.
 */
bool
wrt_interp_call_slots(wrt_store *s, wrt_instance *caller, wrt_func *fn, wrt_slot *args)
{
	if (!fn->inst)
	{
		wrt_hostcall hc = {s, caller, fn, WRT_TRAP_NONE};
		int rc = host_call(&hc, args);
		if (rc > 0)
		{
			s->trap.kind = WRT_TRAP_NONE;
			return true;
		}
		wrt_trapkind k = rc < 0 ? WRT_TRAP_OOM : hc.kind != WRT_TRAP_NONE ? hc.kind : WRT_TRAP_HOST;
		if (s->trap.kind == WRT_TRAP_NONE)
			wrt_trap_set(s, k, rc < 0 ? "out of memory" : "host function failed");
		s->trap.kind = k;
		s->trap.nframes = 0;
		return false;
	}
	wrt_code *code = fn->code;
	if (WRT_UNLIKELY(--code->tier_calls < 0))
		wrt_tier_on_call(s, fn->inst->mod, code);
	if (code->native && !s->fuel)
		return code->native(fn->inst, args);
	if (WRT_UNLIKELY(!code->compiled) && !ensure_compiled(s, fn->inst->mod, code))
	{
		s->trap.nframes = 0;
		return false;
	}
	if (args + code->compiled->frame_slots > s->stack + s->stack_slots || s->nframes >= s->frames_cap)
	{
		wrt_trap_set(s, WRT_TRAP_STACK_EXHAUSTED, NULL);
		s->trap.nframes = 0;
		return false;
	}
	/* The frame counts itself, as in wrt_invoke. */
	uint32_t saved = s->nframes;
	s->nframes = saved + 1;
	bool ok = run(s, fn->inst, code, args, NULL);
	s->nframes = saved;
	if (ok)
		s->trap.kind = WRT_TRAP_NONE;
	return ok;
}

/*
 * The hot path of a call from the host: a compiled function and stacks of
 * the current size cost two tests; everything else a call needs is read
 * once from the store and the compiled function.
 */
bool
wrt_invoke(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results)
{
	s->trap.kind = WRT_TRAP_NONE;
	s->trap.message[0] = '\0';
	s->trap.nframes = 0;
	bool outer = s->depth == 0;
	if (outer)
	{
		s->fuel_left = s->fuel ? (int64_t) s->fuel : INT64_MAX;
		s->fuel_consumed = 0;
	}
	if (WRT_UNLIKELY(!f->inst))
		return invoke_host(s, f, args, results);
	wrt_code *code = f->code;
	if (outer)
		s->native_stack_limit = wrt_tier_stack_limit(__builtin_frame_address(0), s->native_stack_floor);
	if (WRT_UNLIKELY(--code->tier_calls < 0))
		wrt_tier_on_call(s, f->inst->mod, code);
	if (code->native && !s->fuel && s->tier.mode != WRT_TIER_INTERP)
		return invoke_native(s, f, args, results);
	if (WRT_UNLIKELY(!s->stack_ready || !code->compiled) && !invoke_prepare(s, f))
		return false;
	int64_t fuel_start = s->fuel_left;
	const wrt_compiled *cf = code->compiled;
	wrt_slot *base = s->stack_top;
	uint32_t saved_frames = s->nframes;
	if (WRT_UNLIKELY(base + cf->invoke_slots > s->stack + s->stack_slots || saved_frames >= s->frames_cap))
	{
		wrt_trap_set(s, WRT_TRAP_STACK_EXHAUSTED, NULL);
		return false;
	}
	put_args(&f->type, cf->wide_sig, args, base);
	s->depth++;
	/* The outermost frame of a run counts itself in the frame limit, as a
	 * callee's does and as a native entry's does: max_frames bounds the
	 * frames that are live, whichever tier runs them, and the depth at
	 * which a recursion traps does not depend on the tier (frames[saved]
	 * stays unused: a run's frames are those above its base). */
	s->nframes = saved_frames + 1;
	bool ok = run(s, f->inst, code, base, NULL);
	s->depth--;
	if (WRT_LIKELY(ok))
		take_results(&f->type, cf->wide_sig, base, results);
	s->stack_top = base;
	s->nframes = saved_frames;
	if (outer)
	{
		/* A bulk charge can overshoot: what was consumed is at most the budget. */
		s->fuel_consumed = s->fuel ? (uint64_t) (fuel_start - s->fuel_left) : 0;
		if (s->fuel_consumed > s->fuel)
			s->fuel_consumed = s->fuel;
	}
	return ok;
}

bool
wrt_call(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results)
{
	return wrt_invoke(s, f, args, results);
}
