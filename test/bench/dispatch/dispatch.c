/*
 * dispatch.c — measures dispatch strategies for pgwasm's interpreter (engine
 * issue 2: "computed goto or musttail tail calls, chosen by measurement").
 *
 * A miniature of runtime/interp.c: the same register code (compile.h: 8-byte
 * cells, handler address + operand cells, frame-slot indices packed two per
 * cell, branch offsets in cells relative to the branching instruction), the
 * same frame model (arguments in place, an explicit frame stack, no C
 * recursion) and the same checks (software bounds check against memsize,
 * interrupt flag + fuel polled at loop headers and function entry).  The
 * handler bodies are written once, as BODY_* macros, and expanded into one
 * of two engines chosen at compile time:
 *
 *   -DENGINE_CG   direct threading with GNU computed goto inside one
 *                 function, hot state in locals (as interp.c does);
 *   -DENGINE_MT   one function per handler, each ending in a clang
 *                 [[musttail]] call to the next: pc, fp, mem, memsize and a
 *                 context pointer are arguments (registers); fuel, the
 *                 interrupt pointer and the frame stack live in the context.
 *                 Add -DMT_FUEL_ARG to pass fuel as a sixth argument instead,
 *                 or -DMT_PRESERVE_NONE (clang >= 19) to declare the handlers
 *                 preserve_none and pass fuel and the interrupt pointer too.
 *
 * Five kernels are hand-assembled into cell arrays: count (dispatch-bound
 * loop), fib (recursive calls), mem (store / byte-sum / word-sum over a
 * buffer), chain (dependent i32 add/mul, latency-bound) and dot (f64 dot
 * product).  Each result is checked against a plain C computation.
 *
 * usage: dispatch --handlers   (each handler's address minus main's)
 *        dispatch KERNEL N [INNER [SAMPLES]]
 *   runs the kernel INNER times per sample (default 1), SAMPLES samples
 *   (default 1) and prints "KERNEL N result=R wall_ns=W cpu_ns=C" with the
 *   best (smallest) sample.  Under valgrind --tool=callgrind
 *   --instr-atstart=no only the interpreted runs are counted.
 *   Built with -DCOUNT_DISPATCH it also prints dispatches=D.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#if defined(ENGINE_CG) == defined(ENGINE_MT)
#error "define exactly one of ENGINE_CG, ENGINE_MT"
#endif

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- the register code (same layout as runtime/compile.h) ---- */

typedef union cell {
	const void *h;
	const void *p;
	uint64_t u;
	int64_t i;
	double f64;
} cell;

typedef union slot {
	int32_t i32;
	int64_t i64;
	uint64_t bits;
	double f64;
} slot;

#define LO(c) ((uint32_t) (c).u)
#define HI(c) ((uint32_t) ((c).u >> 32))
#define PACK(lo, hi) ((uint64_t) (uint32_t) (lo) | ((uint64_t) (uint32_t) (hi) << 32))

typedef struct func {
	const cell *code;
	uint32_t nparams, nlocals, frame_slots, entry_cost;
} func;

typedef struct frame {
	const cell *ret_pc;
	slot *fp;
} frame;

typedef struct ctx {
	const volatile int *intr;
	int64_t fuel;
	frame *frames;
	uint32_t nframes, base_frames, max_frames;
	slot *stack_end;
	const cell *trap_pc;
	int trap;
} ctx;

enum { T_NONE, T_OOB, T_STACK, T_INTERRUPT, T_FUEL };

/*
 * Instructions: name, operand layout after the handler cell.
 *   CONST [d][imm]  COPY [d|s]  BIN_RR [d|a][b]  BIN_RI [d|a][imm]
 *   BRIF*_RR [a|b][off]  BRIF*_RI [a|off][imm]  BR [off]
 *   LOAD [d|a][offset]  STORE [a|v][offset]  LOOP_POLL [cost]
 *   CALL [argbase][func*]  RETURN []
 */
#define OPS(X) \
	X(CONST) X(COPY) \
	X(I32_ADD_RR) X(I32_ADD_RI) X(I32_SUB_RR) X(I32_SUB_RI) X(I32_MUL_RR) X(I32_MUL_RI) \
	X(BRIF_I32_LT_S_RR) X(BRIF_I32_LT_S_RI) X(BRIFNOT_I32_LT_S_RR) X(BRIFNOT_I32_LT_S_RI) \
	X(BR) \
	X(I32_LOAD) X(I32_LOAD8_U) X(I32_STORE) \
	X(F64_ADD_RR) X(F64_MUL_RR) X(F64_LOAD) X(F64_STORE) \
	X(CALL) X(RETURN) X(LOOP_POLL)

enum op {
#define X(n) OP_##n,
	OPS(X)
#undef X
	OP_COUNT_
};

/* ---- handler bodies, shared by both engines ----
 * Engine-provided: pc, fp, mem, memsize (variables), NEXT(n), JUMP(off),
 * DISPATCH(), TRAP(kind), FINISH(), and the lvalues FUEL, INTR, FRAMES,
 * NFRAMES, BASE_FRAMES, MAX_FRAMES, STACK_END. */

#define GET_I32(s) ((uint32_t) fp[s].i32)
#define SET_I32(s, v) (fp[s].i64 = (int64_t) (uint32_t) (v))
#define GET_F64(s) (fp[s].f64)
#define SET_F64(s, v) (fp[s].f64 = (v))

#define I32_BIN_RR(expr) { \
		uint32_t a = GET_I32(HI(pc[1])), b = GET_I32(LO(pc[2])); \
		SET_I32(LO(pc[1]), expr); NEXT(3); }
#define I32_BIN_RI(expr) { \
		uint32_t a = GET_I32(HI(pc[1])), b = (uint32_t) pc[2].u; \
		SET_I32(LO(pc[1]), expr); NEXT(3); }
#define F64_BIN_RR(expr) { \
		double a = GET_F64(HI(pc[1])), b = GET_F64(LO(pc[2])); \
		SET_F64(LO(pc[1]), expr); NEXT(3); }
#define LT_S(a, b) ((int32_t) (a) < (int32_t) (b))

#define BODY_CONST { fp[pc[1].u].bits = pc[2].u; NEXT(3); }
#define BODY_COPY { fp[LO(pc[1])] = fp[HI(pc[1])]; NEXT(2); }
#define BODY_I32_ADD_RR I32_BIN_RR(a + b)
#define BODY_I32_ADD_RI I32_BIN_RI(a + b)
#define BODY_I32_SUB_RR I32_BIN_RR(a - b)
#define BODY_I32_SUB_RI I32_BIN_RI(a - b)
#define BODY_I32_MUL_RR I32_BIN_RR(a * b)
#define BODY_I32_MUL_RI I32_BIN_RI(a * b)
#define BODY_BRIF_I32_LT_S_RR { \
		uint32_t a = GET_I32(LO(pc[1])), b = GET_I32(HI(pc[1])); \
		if (LT_S(a, b)) JUMP(pc[2].i); \
		NEXT(3); }
#define BODY_BRIF_I32_LT_S_RI { \
		uint32_t a = GET_I32(LO(pc[1])), b = (uint32_t) pc[2].u; \
		if (LT_S(a, b)) JUMP(HI(pc[1])); \
		NEXT(3); }
#define BODY_BRIFNOT_I32_LT_S_RR { \
		uint32_t a = GET_I32(LO(pc[1])), b = GET_I32(HI(pc[1])); \
		if (!LT_S(a, b)) JUMP(pc[2].i); \
		NEXT(3); }
#define BODY_BRIFNOT_I32_LT_S_RI { \
		uint32_t a = GET_I32(LO(pc[1])), b = (uint32_t) pc[2].u; \
		if (!LT_S(a, b)) JUMP(HI(pc[1])); \
		NEXT(3); }
#define BODY_BR { JUMP(pc[1].i); }
#define LOAD_BODY(T, MT) { \
		uint64_t ea = (uint64_t) GET_I32(HI(pc[1])) + pc[2].u; \
		MT v; \
		if (UNLIKELY(ea + sizeof(MT) > memsize)) TRAP(T_OOB); \
		memcpy(&v, mem + ea, sizeof(MT)); \
		SET_##T(LO(pc[1]), v); NEXT(3); }
#define STORE_BODY(T, MT) { \
		uint64_t ea = (uint64_t) GET_I32(LO(pc[1])) + pc[2].u; \
		MT v = (MT) GET_##T(HI(pc[1])); \
		if (UNLIKELY(ea + sizeof(MT) > memsize)) TRAP(T_OOB); \
		memcpy(mem + ea, &v, sizeof(MT)); NEXT(3); }
#define BODY_I32_LOAD LOAD_BODY(I32, uint32_t)
#define BODY_I32_LOAD8_U LOAD_BODY(I32, uint8_t)
#define BODY_I32_STORE STORE_BODY(I32, uint32_t)
#define BODY_F64_ADD_RR F64_BIN_RR(a + b)
#define BODY_F64_MUL_RR F64_BIN_RR(a * b)
#define BODY_F64_LOAD LOAD_BODY(F64, double)
#define BODY_F64_STORE STORE_BODY(F64, double)
#define BODY_LOOP_POLL { \
		if (UNLIKELY(*INTR)) TRAP(T_INTERRUPT); \
		if (UNLIKELY((FUEL -= (int64_t) pc[1].u) < 0)) TRAP(T_FUEL); \
		NEXT(2); }
#define BODY_CALL { \
		const func *f_ = (const func *) pc[2].p; \
		slot *nfp_ = fp + pc[1].u; \
		if (UNLIKELY(nfp_ + f_->frame_slots > STACK_END || NFRAMES >= MAX_FRAMES)) \
			TRAP(T_STACK); \
		frame *fr_ = &FRAMES[NFRAMES++]; \
		fr_->ret_pc = pc + 3; \
		fr_->fp = fp; \
		for (uint32_t k_ = f_->nparams; k_ < f_->nlocals; k_++) \
			nfp_[k_].bits = 0; \
		fp = nfp_; \
		pc = f_->code; \
		if (UNLIKELY(*INTR)) TRAP(T_INTERRUPT); \
		if (UNLIKELY((FUEL -= f_->entry_cost) < 0)) TRAP(T_FUEL); \
		DISPATCH(); }
#define BODY_RETURN { \
		if (NFRAMES == BASE_FRAMES) FINISH(); \
		const frame *fr_ = &FRAMES[--NFRAMES]; \
		pc = fr_->ret_pc; \
		fp = fr_->fp; \
		DISPATCH(); }

#ifdef COUNT_DISPATCH
static uint64_t ndispatch;
#define COUNT() (ndispatch++)
#else
#define COUNT() ((void) 0)
#endif

/* ---- engine (a): computed goto, one function ---- */
#ifdef ENGINE_CG
#define ENGINE_NAME "computed-goto"

static uint64_t
run(const func *f, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c,
	const void *const **handlers_out)
{
	static const void *const handlers[OP_COUNT_] = {
#define X(n) [OP_##n] = &&L_##n,
		OPS(X)
#undef X
	};
	if (handlers_out)
	{
		*handlers_out = handlers;
		return 0;
	}
	const cell *pc = f->code;
	const volatile int *intr = c->intr;
	int64_t fuel = c->fuel;
	frame *const frames = c->frames;
	uint32_t nframes = c->nframes;
	const uint32_t base_frames = nframes, max_frames = c->max_frames;
	slot *const stack_end = c->stack_end;

#define FUEL fuel
#define INTR intr
#define FRAMES frames
#define NFRAMES nframes
#define BASE_FRAMES base_frames
#define MAX_FRAMES max_frames
#define STACK_END stack_end
#define DISPATCH() do { COUNT(); goto *pc->h; } while (0)
#define NEXT(n) do { pc += (n); DISPATCH(); } while (0)
#define JUMP(off) do { pc += (int32_t) (off); DISPATCH(); } while (0)
#define TRAP(k) do { c->trap = (k); goto trap; } while (0)
#define FINISH() do { c->fuel = fuel; return 0; } while (0)

	for (uint32_t k = f->nparams; k < f->nlocals; k++)
		fp[k].bits = 0;
	if (UNLIKELY(*intr))
		TRAP(T_INTERRUPT);
	if (UNLIKELY((fuel -= f->entry_cost) < 0))
		TRAP(T_FUEL);
	DISPATCH();

#define X(n) L_##n: BODY_##n
	OPS(X)
#undef X

trap:
	c->trap_pc = pc;
	c->fuel = fuel;
	c->nframes = base_frames;
	return (uint64_t) c->trap;
}

static const void *const *
engine_handlers(void)
{
	const void *const *h = NULL;
	run(NULL, NULL, NULL, 0, NULL, &h);
	return h;
}

static uint64_t
engine_run(const func *f, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c)
{
	return run(f, fp, mem, memsize, c, NULL);
}
#endif /* ENGINE_CG */

/* ---- engine (b): musttail, one function per handler ---- */
#ifdef ENGINE_MT
#if !defined(__clang__)
#error "ENGINE_MT needs clang's musttail attribute"
#endif

#if defined(MT_PRESERVE_NONE)
/* clang >= 19: every register is caller-saved, so more state fits in arguments */
#define ENGINE_NAME "musttail, preserve_none"
#define MT_CC __attribute__((preserve_none))
#define MT_PARAMS const cell *pc, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c, \
	int64_t fuel, const volatile int *intr
#define MT_ARGS pc, fp, mem, memsize, c, fuel, intr
#define FUEL fuel
#define INTR intr
#define SAVE_FUEL() (c->fuel = fuel)
#elif defined(MT_FUEL_ARG)
#define ENGINE_NAME "musttail, fuel argument"
#define MT_CC
#define MT_PARAMS const cell *pc, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c, int64_t fuel
#define MT_ARGS pc, fp, mem, memsize, c, fuel
#define FUEL fuel
#define INTR (c->intr)
#define SAVE_FUEL() (c->fuel = fuel)
#else
#define ENGINE_NAME "musttail"
#define MT_CC
#define MT_PARAMS const cell *pc, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c
#define MT_ARGS pc, fp, mem, memsize, c
#define FUEL (c->fuel)
#define INTR (c->intr)
#define SAVE_FUEL() ((void) 0)
#endif
#define FRAMES (c->frames)
#define NFRAMES (c->nframes)
#define BASE_FRAMES (c->base_frames)
#define MAX_FRAMES (c->max_frames)
#define STACK_END (c->stack_end)

typedef MT_CC uint64_t handler_fn(MT_PARAMS);

__attribute__((noinline, cold)) static uint64_t
mt_trap(ctx *c, const cell *pc, int kind)
{
	c->trap = kind;
	c->trap_pc = pc;
	c->nframes = c->base_frames;
	return (uint64_t) kind;
}

#define DISPATCH() do { COUNT(); __attribute__((musttail)) return ((handler_fn *) pc->h)(MT_ARGS); } while (0)
#define NEXT(n) do { pc += (n); DISPATCH(); } while (0)
#define JUMP(off) do { pc += (int32_t) (off); DISPATCH(); } while (0)
#define TRAP(k) do { SAVE_FUEL(); return mt_trap(c, pc, (k)); } while (0)
#define FINISH() do { SAVE_FUEL(); return 0; } while (0)

#define X(n) static MT_CC uint64_t mt_##n(MT_PARAMS) BODY_##n
OPS(X)
#undef X

static const void *const *
engine_handlers(void)
{
	static const void *const handlers[OP_COUNT_] = {
#define X(n) [OP_##n] = (const void *) mt_##n,
		OPS(X)
#undef X
	};
	return handlers;
}

static uint64_t
engine_run(const func *f, slot *fp, uint8_t *mem, uint64_t memsize, ctx *c)
{
	const cell *pc = f->code;
#if defined(MT_FUEL_ARG) || defined(MT_PRESERVE_NONE)
	int64_t fuel = c->fuel;
#endif
#ifdef MT_PRESERVE_NONE
	const volatile int *intr = c->intr;
#endif
	c->base_frames = c->nframes;
	for (uint32_t k = f->nparams; k < f->nlocals; k++)
		fp[k].bits = 0;
	if (UNLIKELY(*INTR))
		TRAP(T_INTERRUPT);
	if (UNLIKELY((FUEL -= f->entry_cost) < 0))
		TRAP(T_FUEL);
	COUNT();
	return ((handler_fn *) pc->h)(MT_ARGS);
}
#endif /* ENGINE_MT */

/* ---- a tiny assembler ---- */

typedef struct asmb {
	cell *code;
	size_t n, cap;
	const void *const *h;
} asmb;

static void
put(asmb *a, uint64_t u)
{
	if (a->n == a->cap)
	{
		a->cap = a->cap ? 2 * a->cap : 64;
		a->code = realloc(a->code, a->cap * sizeof(cell));
		if (!a->code)
			abort();
	}
	a->code[a->n++].u = u;
}

static size_t
op(asmb *a, enum op o)
{
	size_t at = a->n;
	put(a, (uint64_t) (uintptr_t) a->h[o]);
	return at;
}

static int32_t
rel(size_t from, size_t to)
{
	return (int32_t) ((int64_t) to - (int64_t) from);
}

static void e_const(asmb *a, uint32_t d, uint64_t imm) { op(a, OP_CONST); put(a, d); put(a, imm); }
static void e_copy(asmb *a, uint32_t d, uint32_t s) { op(a, OP_COPY); put(a, PACK(d, s)); }
static void e_rr(asmb *a, enum op o, uint32_t d, uint32_t x, uint32_t y) { op(a, o); put(a, PACK(d, x)); put(a, y); }
static void e_ri(asmb *a, enum op o, uint32_t d, uint32_t x, uint64_t imm) { op(a, o); put(a, PACK(d, x)); put(a, imm); }
static void e_load(asmb *a, enum op o, uint32_t d, uint32_t addr, uint64_t off) { op(a, o); put(a, PACK(d, addr)); put(a, off); }
static void e_store(asmb *a, enum op o, uint32_t addr, uint32_t v, uint64_t off) { op(a, o); put(a, PACK(addr, v)); put(a, off); }
static void e_poll(asmb *a, uint64_t cost) { op(a, OP_LOOP_POLL); put(a, cost); }
static void e_call(asmb *a, uint32_t argbase, const func *f) { op(a, OP_CALL); put(a, argbase); put(a, (uint64_t) (uintptr_t) f); }
static void e_ret(asmb *a) { op(a, OP_RETURN); }
/* backward compare-and-branch to `target` */
static void e_brcmp_rr(asmb *a, enum op o, uint32_t x, uint32_t y, size_t target)
{
	size_t at = op(a, o);
	put(a, PACK(x, y));
	put(a, (uint64_t) (int64_t) rel(at, target));
}
static void e_brcmp_ri(asmb *a, enum op o, uint32_t x, uint64_t imm, size_t target)
{
	size_t at = op(a, o);
	put(a, PACK(x, rel(at, target)));
	put(a, imm);
}

static uint64_t
f64_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return u;
}

/* Each builder fills *f (code + frame shape) for a kernel with parameter n in slot 0. */

/* count: s = sum of i for i < n (4 instructions per iteration). */
static void
build_count(asmb *a, func *f, uint64_t n)
{
	(void) n;
	enum { N, I, S };
	e_const(a, I, 0);
	e_const(a, S, 0);
	size_t loop = a->n;
	e_poll(a, 3);
	e_rr(a, OP_I32_ADD_RR, S, S, I);
	e_ri(a, OP_I32_ADD_RI, I, I, 1);
	e_brcmp_rr(a, OP_BRIF_I32_LT_S_RR, I, N, loop);
	e_copy(a, N, S);
	e_ret(a);
	*f = (func) {NULL, 1, 3, 3, 1};
}

/* fib: n < 2 ? n : fib(n - 1) + fib(n - 2), through CALL/RETURN. */
static void
build_fib(asmb *a, func *f, uint64_t n)
{
	(void) n;
	size_t br = op(a, OP_BRIFNOT_I32_LT_S_RI);
	put(a, 0);
	put(a, 2);
	e_ret(a);
	a->code[br + 1].u = PACK(0, rel(br, a->n));
	e_ri(a, OP_I32_SUB_RI, 1, 0, 1);
	e_call(a, 1, f);            /* f->code is set by the caller before running */
	e_ri(a, OP_I32_SUB_RI, 2, 0, 2);
	e_call(a, 2, f);
	e_rr(a, OP_I32_ADD_RR, 0, 1, 2);
	e_ret(a);
	f->nparams = 1;
	f->nlocals = 1;
	f->frame_slots = 3;
	f->entry_cost = 1;
}

/* mem: fill n bytes with i32 stores, then s = byte sum (load8_u) + word sum (load). */
static void
build_mem(asmb *a, func *f, uint64_t n)
{
	(void) n;
	enum { N, A, S, T };
	e_const(a, A, 0);
	size_t fill = a->n;
	e_poll(a, 4);
	e_ri(a, OP_I32_MUL_RI, T, A, 2654435761u);
	e_store(a, OP_I32_STORE, A, T, 0);
	e_ri(a, OP_I32_ADD_RI, A, A, 4);
	e_brcmp_rr(a, OP_BRIF_I32_LT_S_RR, A, N, fill);
	e_const(a, A, 0);
	e_const(a, S, 0);
	size_t bytes = a->n;
	e_poll(a, 4);
	e_load(a, OP_I32_LOAD8_U, T, A, 0);
	e_rr(a, OP_I32_ADD_RR, S, S, T);
	e_ri(a, OP_I32_ADD_RI, A, A, 1);
	e_brcmp_rr(a, OP_BRIF_I32_LT_S_RR, A, N, bytes);
	e_const(a, A, 0);
	size_t words = a->n;
	e_poll(a, 4);
	e_load(a, OP_I32_LOAD, T, A, 0);
	e_rr(a, OP_I32_ADD_RR, S, S, T);
	e_ri(a, OP_I32_ADD_RI, A, A, 4);
	e_brcmp_rr(a, OP_BRIF_I32_LT_S_RR, A, N, words);
	e_copy(a, N, S);
	e_ret(a);
	*f = (func) {NULL, 1, 4, 4, 1};
}

/* chain: n iterations of a dependent chain x = ((x*C1 + C2) * y - 7) (latency-bound). */
static void
build_chain(asmb *a, func *f, uint64_t n)
{
	(void) n;
	enum { N, I, X, Y };
	e_const(a, I, 0);
	e_const(a, X, 1);
	e_const(a, Y, 0x9E3779B9u);
	size_t loop = a->n;
	e_poll(a, 6);
	e_ri(a, OP_I32_MUL_RI, X, X, 1103515245u);
	e_ri(a, OP_I32_ADD_RI, X, X, 12345);
	e_rr(a, OP_I32_MUL_RR, X, X, Y);
	e_ri(a, OP_I32_SUB_RI, X, X, 7);
	e_rr(a, OP_I32_SUB_RR, X, X, I);
	e_ri(a, OP_I32_ADD_RI, I, I, 1);
	e_brcmp_rr(a, OP_BRIF_I32_LT_S_RR, I, N, loop);
	e_copy(a, N, X);
	e_ret(a);
	*f = (func) {NULL, 1, 4, 4, 1};
}

/* dot: fill a[i] (at 0) and b[i] (at 8n) with f64 stores, then s = sum a[i]*b[i]. */
static void
build_dot(asmb *a, func *f, uint64_t n)
{
	enum { N, P, V, H, W, S, X, Y };
	uint64_t end = 8 * n;
	e_const(a, P, 0);
	e_const(a, V, f64_bits(0.0));
	e_const(a, H, f64_bits(0.25));
	size_t fill = a->n;
	e_poll(a, 6);
	e_rr(a, OP_F64_ADD_RR, V, V, H);
	e_store(a, OP_F64_STORE, P, V, 0);
	e_rr(a, OP_F64_MUL_RR, W, V, H);
	e_store(a, OP_F64_STORE, P, W, end);
	e_ri(a, OP_I32_ADD_RI, P, P, 8);
	e_brcmp_ri(a, OP_BRIF_I32_LT_S_RI, P, end, fill);
	e_const(a, P, 0);
	e_const(a, S, f64_bits(0.0));
	size_t dot = a->n;
	e_poll(a, 6);
	e_load(a, OP_F64_LOAD, X, P, 0);
	e_load(a, OP_F64_LOAD, Y, P, end);
	e_rr(a, OP_F64_MUL_RR, X, X, Y);
	e_rr(a, OP_F64_ADD_RR, S, S, X);
	e_ri(a, OP_I32_ADD_RI, P, P, 8);
	e_brcmp_ri(a, OP_BRIF_I32_LT_S_RI, P, end, dot);
	e_copy(a, N, S);
	e_ret(a);
	*f = (func) {NULL, 1, 8, 8, 1};
}

/* ---- reference results, computed in plain C ---- */

static uint64_t
ref_count(uint64_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += i;
	return s;
}

static uint64_t
ref_fib(uint64_t n)
{
	uint32_t x = 0, y = 1;
	for (uint64_t i = 0; i < n; i++)
	{
		uint32_t t = x + y;
		x = y;
		y = t;
	}
	return x;
}

static uint64_t
ref_mem(uint64_t n)
{
	uint32_t s = 0;
	for (uint32_t a = 0; a < n; a += 4)
	{
		uint32_t w = a * 2654435761u;
		s += (w & 0xff) + ((w >> 8) & 0xff) + ((w >> 16) & 0xff) + (w >> 24) + w;
	}
	return s;
}

static uint64_t
ref_chain(uint64_t n)
{
	uint32_t x = 1, y = 0x9E3779B9u;
	for (uint32_t i = 0; i < n; i++)
		x = ((x * 1103515245u + 12345) * y - 7) - i;
	return x;
}

static uint64_t
ref_dot(uint64_t n)
{
	double v = 0.0, s = 0.0;
	for (uint64_t i = 0; i < n; i++)
	{
		v += 0.25;
		s += v * (v * 0.25);
	}
	return f64_bits(s);
}

static const struct kernel {
	const char *name;
	void (*build)(asmb *, func *, uint64_t);
	uint64_t (*ref)(uint64_t);
	uint64_t memsize;           /* bytes of linear memory needed for n */
	uint64_t mem_per_n;
} kernels[] = {
	{"count", build_count, ref_count, 0, 0},
	{"fib", build_fib, ref_fib, 0, 0},
	{"mem", build_mem, ref_mem, 0, 1},
	{"chain", build_chain, ref_chain, 0, 0},
	{"dot", build_dot, ref_dot, 0, 16},
};

static int64_t
now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--handlers") == 0)
	{
		/* For the disassembly listing: each handler's offset from main. */
		static const char *const names[OP_COUNT_] = {
#define X(n) [OP_##n] = #n,
			OPS(X)
#undef X
		};
		const void *const *h = engine_handlers();
		for (int i = 0; i < OP_COUNT_; i++)
			printf("%s %lld\n", names[i], (long long) ((intptr_t) h[i] - (intptr_t) main));
		return 0;
	}
	if (argc < 3)
	{
		fprintf(stderr, "usage: %s KERNEL N [INNER [SAMPLES]]\n", argv[0]);
		return 2;
	}
	const struct kernel *k = NULL;
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (strcmp(argv[1], kernels[i].name) == 0)
			k = &kernels[i];
	uint64_t n = strtoull(argv[2], NULL, 10);
	long inner = argc > 3 ? atol(argv[3]) : 1;
	long samples = argc > 4 ? atol(argv[4]) : 1;
	/* i32 loop counters and addresses: keep n, 8n and 16n in int32 range */
	uint64_t limit = k && k->mem_per_n ? 0x7fffffff / 16 : 0x7fffffff;
	if (!k || n == 0 || n > limit || (k->mem_per_n == 1 && n % 4) || inner < 1 || samples < 1)
	{
		fprintf(stderr, "%s: bad arguments\n", argv[0]);
		return 2;
	}

	/* Memory: at least 64 KiB, touched up front so page faults are not timed. */
	uint64_t memsize = n * k->mem_per_n;
	if (memsize < 65536)
		memsize = 65536;
	uint8_t *mem = aligned_alloc(4096, memsize);
	const size_t nslots = 1 << 20, nframes = 1 << 16;
	slot *stack = calloc(nslots, sizeof(slot));
	frame *frames = calloc(nframes, sizeof(frame));
	if (!mem || !stack || !frames)
		return 1;
	memset(mem, 0, memsize);

	static volatile int interrupt_flag;
	ctx c = {
		.intr = &interrupt_flag, .fuel = INT64_MAX, .frames = frames,
		.nframes = 0, .max_frames = (uint32_t) nframes, .stack_end = stack + nslots,
	};
	asmb a = {.h = engine_handlers()};
	func f;
	memset(&f, 0, sizeof(f));
	k->build(&a, &f, n);
	f.code = a.code;

	uint64_t result = 0;
	int64_t best_wall = INT64_MAX, best_cpu = INT64_MAX;
	for (long s = 0; s < samples; s++)
	{
		int64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		CALLGRIND_START_INSTRUMENTATION;
		for (long r = 0; r < inner; r++)
		{
			stack[0].i64 = (int64_t) n;
			c.fuel = INT64_MAX;
			uint64_t trap = engine_run(&f, stack, mem, memsize, &c);
			if (trap)
			{
				fprintf(stderr, "%s: trap %d\n", k->name, (int) trap);
				return 1;
			}
			result = k->name[0] == 'd' ? stack[0].bits : (uint64_t) (uint32_t) stack[0].i32;
		}
		CALLGRIND_STOP_INSTRUMENTATION;
		int64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		if (w1 - w0 < best_wall)
			best_wall = w1 - w0;
		if (c1 - c0 < best_cpu)
			best_cpu = c1 - c0;
	}
	uint64_t want = k->ref(n);
	if (result != want)
	{
		fprintf(stderr, "%s %s(%llu): result %llu, expected %llu\n", ENGINE_NAME, k->name,
				(unsigned long long) n, (unsigned long long) result, (unsigned long long) want);
		return 1;
	}
	printf("%s %llu result=%llu wall_ns=%lld cpu_ns=%lld", k->name, (unsigned long long) n,
		   (unsigned long long) result, (long long) best_wall, (long long) best_cpu);
#ifdef COUNT_DISPATCH
	printf(" dispatches=%llu", (unsigned long long) (ndispatch / (uint64_t) (inner * samples)));
#endif
	printf("\n");
	free(a.code);
	free(stack);
	free(frames);
	free(mem);
	return 0;
}
