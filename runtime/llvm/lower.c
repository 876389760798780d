/*
 * lower.c — the LLVM back end of the native tier (tier.h): WebAssembly
 * function bodies to LLVM IR, optimised and compiled to machine code with
 * LLVM 14's ORC LLJIT, all through LLVM's C API.  Built as its own shared
 * object, build/wasmrt-llvm.so, which the engine loads with dlopen on the
 * first tier-up (tier.c): a process that never tiers up never maps LLVM.
 *
 * Reading: the bodies are read with the engine's one instruction reader
 * (reader.h, wrt_insn_next) over already validated code, so no check is
 * repeated here.  Numeric operators come from the opcode table: their C
 * bodies in opcodes.def are compiled to bitcode (ops.c), linked into every
 * unit and inlined; loads and stores take their width, signedness and type
 * from the OP_LOAD / OP_STORE rows.  Only control flow, variables, calls
 * and the instance-state operations are written out below.
 *
 * Shape of the code, per Wasm function (code index k of a unit tagged t,
 * wrt_tier_batch_tag: names that do not depend on the process, for the code
 * cache):
 *   w_<t>_<k>(i8* inst, i64* fp, params...) -> results  internal, typed:
 *       what other functions of the same batch call directly;
 *   e_<t>_<k>(i8* inst, i64* fp) -> i8                   the slot-ABI entry
 *       (tier.h) the interpreter and the helpers call.
 * Each unit becomes an object file (emit_object) that goes to the engine's
 * code cache and to the JIT; a unit found in the cache is linked as is.
 * Locals and the operand stack live in LLVM values (allocas promoted to
 * registers); block results go through one alloca per label value, which
 * mem2reg turns into phis.  The memory base and size are kept in allocas
 * too and reloaded from inst->mem0 at entry and after anything that may
 * move or grow memory (calls, memory.grow).  Every access is bounds-checked
 * explicitly (64-bit effective address + width against the size): no
 * signal handlers.  Calls that leave the batch (imports, interpreted or
 * other-batch functions, call_indirect) go through the engine's helpers
 * with their arguments in the slots above this frame's window.
 *
 * Traps: a trapping instruction branches to the function's raise block
 * (trap helper: kind, message, this frame), a failed callee to its unwind
 * block (unwind helper: this frame); both return to the caller, which
 * finds the store's trap kind set and unwinds in turn.  No longjmp.
 *
 * Interrupts are polled at function entry and at every loop header (the
 * store's flag, as the interpreter polls it); the frame counter
 * store->nframes and the C stack limit bound the depth.
 *
 * On-stack replacement (tier.h): on request, one loop's OSR entry,
 *   w_o<k>_<n>_<s>(i8* inst, i64* fp, i32 rem) -> results  internal, typed,
 *   e_o<k>_<n>_<s>(i8* inst, i64* fp) -> i8                slot ABI,
 * a second lowering of the same body whose entry takes the locals and the
 * live operand-stack values from the interpreter's frame at fp and jumps to
 * loop n's header; the code before the loop is unreachable and deleted.
 * Operand-stack values are SSA values defined where they were pushed, and
 * the OSR entry bypasses those definitions.  So in an OSR lowering, every
 * construct spills the entries below it to one alloca per depth and type
 * when it is entered, and every label reloads them (a loop's header, an
 * end, an else arm): the values that cross control flow come from memory
 * there, which the OSR entry fills too, and mem2reg turns it all back into
 * phis.  The ordinary lowering is unchanged.
 *
 * SIMD: v128 values are <2 x i64> (two slots in a frame, low half first);
 * the SIMD rows of opcodes.def come as bitcode too (simd-ops.c), linked
 * only into units that use them (link_simd), called through temporaries
 * and inlined, so their lane semantics are the interpreter's.  In an OSR
 * entry, locals and stack values come from their slots in the frame, each
 * as wide as its type.
 */
#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/ExecutionEngine.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Orc.h>
#include <llvm-c/OrcEE.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../reader.h"
#include "../tier.h"
#include "minmax.h"

/*
 * The bitcode files the build compiles with clang (test/runtime.mk),
 * embedded in this object: ops.c's (linked into every unit) and
 * simd-ops.c's (linked only into units with SIMD code, link_simd).
 * EMBED_BITCODE(name, path) defines name[] .. name_end[].
 */
#ifndef WRT_TIER_OPS_BC
#error "WRT_TIER_OPS_BC (path of build/tier-ops.bc) must be defined"
#endif
#ifndef WRT_TIER_SIMD_BC
#error "WRT_TIER_SIMD_BC (path of build/tier-simd.bc) must be defined"
#endif
#define EMBED_BITCODE(name, path) \
	extern const unsigned char name[]; \
	extern const unsigned char name##_end[]; \
	__asm__(".section .rodata\n" \
			".global " #name "\n" \
			".hidden " #name "\n" \
			".balign 16\n" \
			#name ":\n" \
			".incbin \"" path "\"\n" \
			".global " #name "_end\n" \
			".hidden " #name "_end\n" \
			#name "_end:\n" \
			".byte 0\n" \
			".previous\n")
EMBED_BITCODE(wrt_tier_ops_bc, WRT_TIER_OPS_BC);
EMBED_BITCODE(wrt_tier_simd_bc, WRT_TIER_SIMD_BC);

/*
 * What the machine code of a unit depends on besides its Wasm, the LLVM
 * version, the target and the pass pipeline: the lowering itself.  Part of
 * the code cache key (be_target): raise it whenever the code this file
 * produces for the same Wasm changes, so no older object is linked.
 * 2: SIMD lowered (units that refused v128 functions are built again).
 * 3: typed functions exported; calls between units direct.
 * 4: unchecked loop versions.
 * 5: float and v128 constants opaque (opaque_const).
 * 6: counted unchecked loops, vectorised; locals signed in exact addresses;
 *    float locals' initial zeros opaque.
 * 7: the interrupt flag pointer never NULL (the store's own zero), loops
 *    that call first not polled, the C-stack check on the stack pointer.
 * 8: counted loops with fewer than LV_MIN_TRIP iterations left run checked.
 * 9: ... decided before the chunk's counter and shadows are stored.
 */
#define LOWERING_VERSION 10

/* ---- process state ------------------------------------------------------- */

static wrt_tier_helpers helpers;
static LLVMOrcThreadSafeContextRef tsc;
static LLVMContextRef ctx;
static LLVMModuleRef ops_template;      /* ops.c's bitcode, parsed once */
static LLVMModuleRef simd_template;     /* simd-ops.c's bitcode, parsed once */
static LLVMTargetMachineRef tm;         /* for the optimisation pipeline and code generation */
static char *host_triple;
static wrt_tier_cache cache;            /* the engine's code cache (tier.h) */
static char target_id[4096];            /* be_target */

/* Per-row facts of the opcode table the lowering needs. */
typedef struct op_row {
	const char *helper;         /* wrt_op_<NAME> for numeric rows */
	bool numeric;
	bool binary;
	bool may_trap;              /* the body names TRAP */
	uint8_t mem_size;           /* LOAD/STORE: bytes accessed */
	bool mem_signed;            /* LOAD: sign-extend */
	bool mem_float;             /* LOAD/STORE: the memory type is a float */
} op_row;
static op_row rows[WRT_OP_COUNT_];

static void
init_rows(void)
{
#define OP_UN(NAME, code, text, TIN, TOUT, body) \
	rows[WRT_OP_##NAME] = (op_row) {"wrt_op_" #NAME, true, false, strstr(#body, "TRAP(") != NULL, 0, false, false};
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	rows[WRT_OP_##NAME] = (op_row) {"wrt_op_" #NAME, true, true, strstr(#body, "TRAP(") != NULL, 0, false, false};
#define OP_LOAD(NAME, code, text, T, MT, AL) \
	rows[WRT_OP_##NAME] = (op_row) {NULL, false, false, true, sizeof(MT), (MT) -1 < (MT) 1, \
									 (MT) 0.5 != (MT) 0};
#define OP_STORE(NAME, code, text, T, MT, AL) \
	rows[WRT_OP_##NAME] = (op_row) {NULL, false, false, true, sizeof(MT), false, (MT) 0.5 != (MT) 0};
	/* The SIMD rows with a body: wrt_simd_<NAME> of simd-ops.c. */
#define SIMD_ROW(NAME) rows[WRT_OP_##NAME].helper = "wrt_simd_" #NAME;
#define OP_VLOAD(NAME, code, text, N, AL, body) SIMD_ROW(NAME)
#define OP_VSPLAT(NAME, code, text, TIN, body) SIMD_ROW(NAME)
#define OP_VEXTRACT(NAME, code, text, TOUT, LANES, body) SIMD_ROW(NAME)
#define OP_VREPLACE(NAME, code, text, TIN, LANES, body) SIMD_ROW(NAME)
#define OP_VUN(NAME, code, text, body) SIMD_ROW(NAME)
#define OP_VBIN(NAME, code, text, body) SIMD_ROW(NAME)
#define OP_VTER(NAME, code, text, body) SIMD_ROW(NAME)
#define OP_VTEST(NAME, code, text, body) SIMD_ROW(NAME)
#define OP_VSHIFT(NAME, code, text, body) SIMD_ROW(NAME)
#include "../opcodes.def"
#undef SIMD_ROW
}

/* ---- one batch ------------------------------------------------------------ */

typedef struct batch {
	wrt_module *wm;
	LLVMModuleRef M;
	LLVMBuilderRef B;
	LLVMTypeRef i1, i8, i32, i64, f32, f64, ptr, slotptr, i32ptr;
	LLVMTypeRef v128;           /* <2 x i64>: how v128 values travel */
	bool simd_linked;           /* simd_template is linked into M */
	LLVMValueRef h[32];         /* helper declarations, by X order */
	LLVMTypeRef ht[32];
	LLVMValueRef stacksave;     /* the stack pointer, for the C-stack check */
	LLVMValueRef *typed;        /* per code index: w function if in the batch */
	LLVMValueRef *thunks;       /* per code index: its call_thunk, once made */
	const char *asm_fp_constraint;  /* a float register, tied (keep_snan) */
	uint32_t max_need;          /* most slots above fp any function may use */
	const char *tag;            /* names the unit: in its symbols and the code cache */
	bool vectorise;             /* it has a counted unchecked loop (pass_pipeline) */
} batch;

enum helper_id {
#define X(ret, name, args) H_##name,
	WRT_TIER_HELPERS(X)
#undef X
	H_COUNT_
};

/* Unchecked loop versions ("loops without bounds checks" below). */
#define AFF_TERMS 4
#define AFF_COEF_MAX ((int64_t) 1 << 20)
#define AFF_CONST_MAX ((int64_t) 1 << 40)
#define LV_CHUNK 1024
#define LV_MIN_TRIP 8           /* counted loops: fewer iterations left run checked */
#define LV_ACCESSES 64
#define LV_STEP_MAX ((int64_t) 1 << 16)
#define LV_SITES_MAX 16
/* Below 3 accesses the guard costs short loops more than the checks it
 * saves (sort, CoreMark: +4 to +9%); above 200 instructions the second
 * copy costs more compile time than it wins (measured: 2/3/4 accesses,
 * 60/100/200 instructions, docs/benchmarks.md phase 4). */
#define LV_MIN_ACCESSES 3
#define LV_MAX_INSNS 200

typedef struct aff {
	bool known;
	uint8_t n;
	int64_t k;
	uint32_t local[AFF_TERMS];
	int64_t coef[AFF_TERMS];
	/* plus a value anywhere in [vlo, vhi] that changes freely (a masked
	 * or loaded byte: a table index); [0, 0] if none */
	int64_t vlo, vhi;
} aff;

typedef struct lv_access {
	aff a;
	uint32_t offset, size;
	bool store;                 /* a scalar store (marked: lv_mark) */
	uint8_t group;              /* lv_group_accesses */
} lv_access;

typedef enum lv_write { LV_UNWRITTEN = 0, LV_STEPPED, LV_OTHER } lv_write;

/* What a loop does with one of its function's locals. */
typedef struct lv_local {
	uint8_t write;              /* lv_write */
	uint8_t sites;              /* stepped: its local.set/tee */
	int64_t step;               /* stepped: the sum of its steps */
	/* What it holds since it was set in this iteration, when that is
	 * affine in other locals (a temporary such as p = base + i); unknown
	 * from any join point (an else or an end) on. */
	aff held;
	/* The unchecked version: the i64 value of what it holds, and for a
	 * stepped local an i64 variable with its exact value (set at the
	 * guard, updated by its writes); so addresses are exact i64 induction
	 * values (wrap-free by the guard). */
	LLVMValueRef held64;
	LLVMValueRef shadow;
} lv_local;

typedef struct loopver {
	bool bad;                   /* calls, grows memory, holds a loop, ... */
	uint32_t ninsns;            /* instructions of the body */
	wrt_insn_reader rd;         /* after the loop instruction */
	uint32_t offset;            /* module offset of the loop instruction */
	LLVMBasicBlockRef guard;
	/* The unchecked version: its header, and the iterations left in the
	 * chunk (an i32 variable). */
	LLVMBasicBlockRef header;
	LLVMValueRef counter;
	uint32_t naccess;
	lv_access acc[LV_ACCESSES];
	/* Accesses with the same locals and coefficients form a group (their
	 * distances are constants LLVM sees); each group's first access, and
	 * whether it stores.  The unchecked version's scalar accesses carry
	 * a scope per group (alias.scope, noalias), which the guard makes
	 * true: no group that stores overlaps another in the chunk. */
	uint32_t ngroups;
	uint8_t group_first[LV_ACCESSES];
	bool group_store[LV_ACCESSES];
	LLVMValueRef md_scope[LV_ACCESSES], md_noalias[LV_ACCESSES];
	uint32_t nlocals;
	lv_local *locals;
	/* A counted loop (lv_counted_exit): the back-edge continues while
	 * pred(ivar, bound) with ivar stepped by exactly step per iteration;
	 * each chunk then runs a trip count the guard computes, and its only
	 * exit is that count (a loop LLVM can vectorise). */
	bool counted;
	uint32_t ivar;
	int64_t step;
	LLVMIntPredicate pred;
	bool bound_is_local;
	uint32_t bound_local;
	int32_t bound_const;
} loopver;

typedef enum ctrl_kind { CTRL_FUNC, CTRL_BLOCK, CTRL_LOOP, CTRL_IF } ctrl_kind;

typedef struct ctrl {
	ctrl_kind kind;
	uint32_t height;            /* operand stack height below the params */
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	LLVMBasicBlockRef label_bb; /* where a branch to this label goes */
	LLVMBasicBlockRef end_bb;
	LLVMBasicBlockRef else_bb;  /* if: the false arm (NULL once used) */
	LLVMValueRef *label_vars;   /* one alloca per label value */
	LLVMValueRef *if_params;    /* if: the params, for the else arm */
	bool end_reached;           /* some path reaches end_bb */
	struct loopver *lv;         /* a loop that may get an unchecked version */
} ctrl;

typedef struct fn {
	batch *b;
	wrt_module *wm;
	wrt_code *code;
	uint32_t func;              /* function index */
	const wrt_functype *type;
	LLVMValueRef w;
	LLVMBasicBlockRef entry_bb;
	LLVMBuilderRef ab;          /* allocas, at the top of the entry block */
	LLVMValueRef inst, fp, store, scratch;
	LLVMValueRef trapkind_ptr, intr, nframes_ptr;
	LLVMValueRef rem;           /* frames this call may still open (>= 1 here) */
	LLVMValueRef globals;       /* wrt_global ** */
	LLVMValueRef mem_var, size_var;
	LLVMValueRef trap_var;      /* i32 out-parameter of the numeric helpers */
	LLVMValueRef vtmp[4];       /* SIMD rows' operands and result, made on demand */
	LLVMValueRef stmp;          /* SIMD rows' scalar operand (slot bits) */
	bool access_store;          /* the access being lowered is a scalar store */
	int lv_group;               /* unchecked version: its group, or -1 */
	LLVMValueRef *locals;
	/* Float and v128 constants, made opaque once at the entry (opaque_const). */
	LLVMValueRef consts[32];
	uint32_t nconsts;
	uint32_t nlocals;
	uint32_t nlocal_slots;      /* frame slots of the locals (a v128: two) */
	LLVMBasicBlockRef raise_bb, unwind_bb, fail_bb, ret_bb;
	LLVMValueRef raise_kind, raise_off, unwind_off;
	LLVMValueRef *stack;
	struct aff *tags;           /* per stack entry: its value as an affine form */
	LLVMValueRef *v64;          /* per stack entry, unchecked version: that form's i64 value */
	uint32_t sp, cap;
	/* Lowering a loop's unchecked version (loop_end_versions): that loop,
	 * and its ctrl index. */
	struct loopver *lv_unchecked;
	uint32_t unchecked_ctrl;
	ctrl *ctrls;
	uint32_t nctrl, ctrl_cap;
	bool dead;                  /* the current position is unreachable */
	uint32_t dead_depth;        /* blocks opened in dead code */
	uint32_t offset;            /* module offset of the current instruction */
	char *err;
	size_t errlen;
	/* On-stack replacement (an OSR lowering: osr_loop >= 0). */
	int64_t osr_loop;           /* the ordinal of the loop entered, or -1 */
	uint32_t osr_stack;         /* operand-stack slots live at its header */
	uint32_t loops_seen;        /* loop instructions read so far, dead ones too */
	LLVMBasicBlockRef osr_bb;   /* the entry's jump into the loop */
	bool osr_found;
	LLVMValueRef *spill;        /* per depth, OSR_NTYPES allocas made on demand */
	uint32_t spill_cap;         /* depths */
} fn;

static LLVMTypeRef
vt(batch *b, uint8_t t)
{
	switch (t)
	{
		case WRT_I32: return b->i32;
		case WRT_I64: return b->i64;
		case WRT_F32: return b->f32;
		case WRT_F64: return b->f64;
		case WRT_FUNCREF:
		case WRT_EXTERNREF: return b->ptr;
		case WRT_V128: return b->v128;
	}
	return NULL;
}

/* Slots a value of type t takes in a frame (tier.h): two for a v128. */
static uint32_t
nslots(uint8_t t)
{
	return t == WRT_V128 ? 2 : 1;
}

/* i8* base + byte offset, as a T*. */
static LLVMValueRef
field(fn *f, LLVMValueRef base, size_t off, LLVMTypeRef t)
{
	batch *b = f->b;
	LLVMValueRef idx = LLVMConstInt(b->i64, off, 0);
	LLVMValueRef p = LLVMBuildGEP2(b->B, b->i8, base, &idx, 1, "");
	return LLVMBuildBitCast(b->B, p, LLVMPointerType(t, 0), "");
}

static LLVMValueRef
load(fn *f, LLVMTypeRef t, LLVMValueRef p)
{
	return LLVMBuildLoad2(f->b->B, t, p, "");
}

static LLVMValueRef
load_field(fn *f, LLVMValueRef base, size_t off, LLVMTypeRef t)
{
	return load(f, t, field(f, base, off, t));
}

/* A field that never changes while machine code runs (an instance's
 * module, a module's code table): loads of it may be merged and hoisted
 * across calls and stores. */
static LLVMValueRef
load_invariant_field(fn *f, LLVMValueRef base, size_t off, LLVMTypeRef t)
{
	LLVMValueRef v = load_field(f, base, off, t);
	LLVMSetMetadata(v, LLVMGetMDKindIDInContext(ctx, "invariant.load", 14), LLVMMDNodeInContext(ctx, NULL, 0));
	return v;
}

static LLVMValueRef
c32(batch *b, uint64_t v)
{
	return LLVMConstInt(b->i32, v, 0);
}

static LLVMValueRef
call_helper(fn *f, enum helper_id h, LLVMValueRef *args, unsigned n)
{
	return LLVMBuildCall2(f->b->B, f->b->ht[h], f->b->h[h], args, n, "");
}

static LLVMBasicBlockRef
new_bb(fn *f, const char *name)
{
	return LLVMAppendBasicBlockInContext(ctx, f->w, name);
}

static LLVMValueRef
alloca_at_entry(fn *f, LLVMTypeRef t)
{
	return LLVMBuildAlloca(f->ab, t, "");
}

/* ---- operand stack ---------------------------------------------------------- */

static bool
push(fn *f, LLVMValueRef v)
{
	if (f->sp == f->cap)
	{
		uint32_t nc = f->cap ? f->cap * 2 : 64;
		LLVMValueRef *ns = realloc(f->stack, nc * sizeof(*ns));
		if (!ns)
			return false;
		f->stack = ns;
		struct aff *nt = realloc(f->tags, nc * sizeof(*nt));
		if (!nt)
			return false;
		f->tags = nt;
		LLVMValueRef *nv = realloc(f->v64, nc * sizeof(*nv));
		if (!nv)
			return false;
		f->v64 = nv;
		f->cap = nc;
	}
	f->tags[f->sp].known = false;
	f->v64[f->sp] = NULL;
	f->stack[f->sp++] = v;
	return true;
}

static LLVMValueRef
pop(fn *f)
{
	return f->stack[--f->sp];
}

/* ---- traps -------------------------------------------------------------------- */

/* Branch to the raise block when cond holds, with this kind. */
static void
trap_if(fn *f, LLVMValueRef cond, LLVMValueRef kind)
{
	batch *b = f->b;
	LLVMBasicBlockRef cont = new_bb(f, "");
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b->B);
	LLVMBuildCondBr(b->B, cond, f->raise_bb, cont);
	LLVMValueRef off = c32(b, f->offset);
	LLVMAddIncoming(f->raise_kind, &kind, &here, 1);
	LLVMAddIncoming(f->raise_off, &off, &here, 1);
	LLVMPositionBuilderAtEnd(b->B, cont);
}

static void
trap_always(fn *f, uint32_t kind)
{
	batch *b = f->b;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b->B);
	LLVMBuildBr(b->B, f->raise_bb);
	LLVMValueRef k = c32(b, kind), off = c32(b, f->offset);
	LLVMAddIncoming(f->raise_kind, &k, &here, 1);
	LLVMAddIncoming(f->raise_off, &off, &here, 1);
}

/* After a call: unwind when the callee failed (ok is false). */
static void
unwind_unless(fn *f, LLVMValueRef ok)
{
	batch *b = f->b;
	LLVMBasicBlockRef cont = new_bb(f, "");
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b->B);
	LLVMBuildCondBr(b->B, ok, cont, f->unwind_bb);
	LLVMValueRef off = c32(b, f->offset);
	LLVMAddIncoming(f->unwind_off, &off, &here, 1);
	LLVMPositionBuilderAtEnd(b->B, cont);
}


/* ---- loops without bounds checks ---------------------------------------------
 *
 * An innermost loop whose memory addresses are affine in i32 locals that it
 * leaves alone or only steps by constants (local = local + C), and that
 * calls nothing and does not grow memory, gets a second, unchecked
 * version (loop_versions): its accesses have no bounds checks and its
 * header no interrupt poll.  It runs in chunks of at most LV_CHUNK
 * iterations; before each, a guard block polls for interrupts and checks
 * that every address the next chunk can form is in bounds, from the
 * locals' current values: each access's address is k + sum(coef * local),
 * a local stepped by at most S per iteration (the sum of its steps, all of
 * one sign) stays within S * k of its value at the guard for a chunk of k
 * iterations (LV_CHUNK, or a counted loop's count: below), and the
 * interval of that sum, computed exactly in 64 bits, must lie in
 * [0, memory size - offset - width].  Wasm's i32 arithmetic wraps, but it
 * is exact modulo 2^32 whatever the representatives (constants are taken
 * signed, locals as lv_rep says), so an address whose true value lies in that
 * interval is that value.  If the guard fails, the loop goes on (or
 * starts) in the checked version, with every check and poll, to its end.
 * Tags (struct aff) follow stack values while the loop is lowered the
 * first time; the bounds keep every product far from 2^63.
 */
static bool
aff_ok(const aff *x)
{
	if (x->k > AFF_CONST_MAX || x->k < -AFF_CONST_MAX || x->vlo < -AFF_CONST_MAX || x->vhi > AFF_CONST_MAX)
		return false;
	for (uint32_t i = 0; i < x->n; i++)
		if (x->coef[i] > AFF_COEF_MAX || x->coef[i] < -AFF_COEF_MAX)
			return false;
	return true;
}

/* r = x + sign * y (r may be x or y); unknown if either is or it is too big */
static void
aff_add(aff *r, const aff *x, const aff *y, int sign)
{
	aff t = *x;
	if (!x->known || !y->known)
	{
		r->known = false;
		return;
	}
	t.k += sign * y->k;
	t.vlo += sign > 0 ? y->vlo : -y->vhi;
	t.vhi += sign > 0 ? y->vhi : -y->vlo;
	for (uint32_t j = 0; j < y->n; j++)
	{
		uint32_t i = 0;
		while (i < t.n && t.local[i] != y->local[j])
			i++;
		if (i == t.n)
		{
			if (t.n == AFF_TERMS)
			{
				r->known = false;
				return;
			}
			t.local[t.n] = y->local[j];
			t.coef[t.n++] = 0;
		}
		t.coef[i] += sign * y->coef[j];
	}
	/* drop terms that cancelled */
	uint32_t n = 0;
	for (uint32_t i = 0; i < t.n; i++)
		if (t.coef[i] != 0)
		{
			t.local[n] = t.local[i];
			t.coef[n++] = t.coef[i];
		}
	t.n = (uint8_t) n;
	t.known = aff_ok(&t);
	*r = t;
}

static void
aff_scale(aff *r, const aff *x, int64_t m)
{
	if (!x->known || m > AFF_COEF_MAX || m < -AFF_COEF_MAX)
	{
		r->known = false;
		return;
	}
	aff t = *x;
	t.k *= m;
	for (uint32_t i = 0; i < t.n; i++)
		t.coef[i] *= m;
	t.vlo = (m > 0 ? x->vlo : x->vhi) * m;
	t.vhi = (m > 0 ? x->vhi : x->vlo) * m;
	t.known = m != 0 && aff_ok(&t);
	if (m == 0)
		t = (aff) {.known = true};
	*r = t;
}

static bool aff_same_terms(const aff *x, const aff *y);

static bool
aff_has_var(const aff *x)
{
	return x->vlo != 0 || x->vhi != 0;
}

/* A value in [*lo, *hi], both >= 0, known from its tag alone (no locals). */
static bool
aff_nonneg_range(const aff *x, int64_t *lo, int64_t *hi)
{
	if (!x->known || x->n != 0 || x->k + x->vlo < 0)
		return false;
	*lo = x->k + x->vlo;
	*hi = x->k + x->vhi;
	return true;
}

static aff
aff_range(int64_t lo, int64_t hi)
{
	return (aff) {.known = true, .vlo = lo, .vhi = hi};
}

/*
 * The tag of the result of a bitwise or remainder operator: a range when
 * the operands bound it (x & 255, x >> 24, x % 100, and the xor or or of
 * two such values); unknown otherwise.
 */
static aff
aff_bounded_op(uint16_t op, const aff *a, const aff *b)
{
	int64_t alo = 0, ahi = 0, blo = 0, bhi = 0;
	bool ar = aff_nonneg_range(a, &alo, &ahi), br = aff_nonneg_range(b, &blo, &bhi);
	bool bconst = b->known && b->n == 0 && !aff_has_var(b);
	switch (op)
	{
		case WRT_OP_I32_AND:
			if (ar || br)
				return aff_range(0, ar && br ? (ahi < bhi ? ahi : bhi) : ar ? ahi : bhi);
			break;
		case WRT_OP_I32_OR:
		case WRT_OP_I32_XOR:
			if (ar && br)
			{
				int64_t m = ahi > bhi ? ahi : bhi, p = 1;
				while (p <= m)
					p <<= 1;
				return aff_range(0, p - 1);
			}
			break;
		case WRT_OP_I32_SHR_U:
			if (bconst && ((uint32_t) b->k & 31) != 0)
				return aff_range(0, (int64_t) (UINT32_MAX >> ((uint32_t) b->k & 31)));
			break;
		case WRT_OP_I32_REM_U:
			if (bconst && (uint32_t) b->k != 0)
				return aff_range(0, (int64_t) (uint32_t) b->k - 1);
			break;
		default:
			break;
	}
	return (aff) {.known = false};
}

/* The record of the innermost loop being lowered the first time, or NULL. */
static loopver *
lv_current(fn *f)
{
	if (f->lv_unchecked)
		return NULL;
	for (uint32_t i = f->nctrl; i-- > 0;)
		if (f->ctrls[i].kind == CTRL_LOOP)
			return f->ctrls[i].lv;
	return NULL;
}

static void
lv_spoil(fn *f)
{
	loopver *lv = lv_current(f);
	if (lv)
		lv->bad = true;
}

/* The record whose temporaries give tags: the loop lowered the first time,
 * or the one whose unchecked version is being lowered. */
static loopver *
lv_tagging(fn *f)
{
	return f->lv_unchecked ? f->lv_unchecked : lv_current(f);
}

/* The tag of local.get x: what x holds if known, else x itself. */
static aff
lv_local_tag(fn *f, uint32_t local)
{
	loopver *lv = lv_tagging(f);
	if (lv && local < lv->nlocals && lv->locals[local].held.known)
		return lv->locals[local].held;
	return (aff) {.known = true, .n = 1, .local = {local}, .coef = {1}};
}

/* A join point in the loop's body: what locals hold is unknown again. */
static void
lv_join(fn *f)
{
	loopver *lv = lv_tagging(f);
	if (lv)
		for (uint32_t i = 0; i < lv->nlocals; i++)
		{
			lv->locals[i].held.known = false;
			lv->locals[i].held64 = NULL;
		}
}

/* The unchecked version's local.set/tee: shadows and what locals hold. */
static bool
lv_unchecked_write(fn *f, uint32_t local, const aff *t, LLVMValueRef v64)
{
	loopver *lv = f->lv_unchecked;
	if (local >= lv->nlocals)
		return true;
	bool self = false;
	for (uint32_t i = 0; t->known && i < t->n; i++)
		self |= t->local[i] == local;
	lv->locals[local].held.known = false;
	lv->locals[local].held64 = NULL;
	if (lv->locals[local].shadow)
	{
		/* A stepped local (every write of it is x + C, whose exact value
		 * the first lowering saw): its exact value.  Without one the
		 * shadow would lose the true value: refuse the function. */
		if (!v64)
		{
			snprintf(f->err, f->errlen, "unchecked loop version: stepped local %u without its value", local);
			return false;
		}
		LLVMBuildStore(f->b->B, v64, lv->locals[local].shadow);
		return true;
	}
	if (t->known && !self)
	{
		lv->locals[local].held = *t;
		lv->locals[local].held64 = v64;
	}
	return true;
}

/* local.set/tee of a value with tag t */
static void
lv_note_write(fn *f, uint32_t local, const aff *t)
{
	loopver *lv = lv_current(f);
	if (!lv || local >= lv->nlocals)
		return;
	bool self = false;
	for (uint32_t i = 0; t->known && i < t->n; i++)
		self |= t->local[i] == local;
	lv->locals[local].held.known = false;
	if (t->known && !self)
	{
		/* a temporary: its later reads in this iteration are t */
		lv->locals[local].held = *t;
		lv->locals[local].write = LV_OTHER;
		return;
	}
	bool stepped = t->known && t->n == 1 && t->local[0] == local && t->coef[0] == 1 && !aff_has_var(t)
		&& t->k <= LV_STEP_MAX && t->k >= -LV_STEP_MAX;
	if (!stepped || lv->locals[local].write == LV_OTHER)
	{
		lv->locals[local].write = LV_OTHER;
		return;
	}
	if (lv->locals[local].write == LV_UNWRITTEN)
	{
		lv->locals[local].write = LV_STEPPED;
		lv->locals[local].step = t->k;
		lv->locals[local].sites = 1;
		return;
	}
	if (lv->locals[local].sites >= LV_SITES_MAX || (t->k > 0 && lv->locals[local].step < 0) || (t->k < 0 && lv->locals[local].step > 0))
	{
		lv->locals[local].write = LV_OTHER;
		return;
	}
	lv->locals[local].step += t->k;
	lv->locals[local].sites++;
}

/* a memory access of `size` bytes at offset from an address with tag t */
static void
lv_note_access(fn *f, const aff *t, uint32_t offset, uint32_t size)
{
	loopver *lv = lv_current(f);
	if (!lv)
		return;
	if (!t->known || lv->naccess == LV_ACCESSES)
	{
		lv->bad = true;
		return;
	}
	lv->acc[lv->naccess++] = (lv_access) {*t, offset, size, f->access_store, 0};
}

/*
 * A float or v128 constant as LLVM may not see it: its value through an
 * empty inline asm in a register, made once in the entry block.  LLVM
 * folds float operations on constants with its own NaN rules (inf - inf
 * and 0 * inf give a positive NaN where x86, the interpreter and V8 give a
 * negative one; fsub -0.0, x becomes fneg x, flipping a NaN's sign), and
 * binaryen's --denan, which the differential fuzzers rely on, does not
 * reach v128 lanes; with every constant opaque, float arithmetic is the
 * hardware's, as in the interpreter.  The constant stays in a register
 * for the whole function (no constant-pool operand forms).
 */
static LLVMValueRef
opaque_const(fn *f, LLVMValueRef c)
{
	for (uint32_t i = 0; i < f->nconsts; i++)
		if (LLVMGetOperand(f->consts[i], 0) == c)
			return f->consts[i];
	batch *b = f->b;
	LLVMTypeRef t = LLVMTypeOf(c);
	LLVMTypeRef ft = LLVMFunctionType(t, &t, 1, 0);
	const char *constraint = b->asm_fp_constraint;
	LLVMValueRef a = LLVMGetInlineAsm(ft, (char *) "", 0, (char *) constraint, strlen(constraint), 0, 0,
									  LLVMInlineAsmDialectATT, 0);
	LLVMValueRef v = LLVMBuildCall2(f->ab, ft, a, &c, 1, "");
	if (f->nconsts < sizeof(f->consts) / sizeof(f->consts[0]))
		f->consts[f->nconsts++] = v;
	return v;
}

/* ---- instance state --------------------------------------------------------- */

static void
reload_memory(fn *f)
{
	if (!f->mem_var)
		return;
	batch *b = f->b;
	LLVMValueRef mem0 = load_field(f, f->inst, offsetof(wrt_instance, mem0), b->ptr);
	LLVMValueRef data = load_field(f, mem0, offsetof(wrt_memory, data), b->ptr);
	LLVMValueRef size = load_field(f, mem0, offsetof(wrt_memory, size), b->i64);
	LLVMBuildStore(b->B, data, f->mem_var);
	LLVMBuildStore(b->B, size, f->size_var);
}

static void
poll_interrupt(fn *f)
{
	batch *b = f->b;
	LLVMValueRef flag = load(f, b->i32, f->intr);
	LLVMSetVolatile(flag, 1);
	LLVMBasicBlockRef set = new_bb(f, "interrupt"), cont = new_bb(f, "");
	LLVMBuildCondBr(b->B, LLVMBuildICmp(b->B, LLVMIntNE, flag, c32(b, 0), ""), set, cont);
	LLVMPositionBuilderAtEnd(b->B, set);
	LLVMValueRef go_on = call_helper(f, H_interrupt, &f->inst, 1);
	trap_if(f, LLVMBuildICmp(b->B, LLVMIntEQ, go_on, c32(b, 0), ""), c32(b, WRT_TRAP_INTERRUPTED));
	LLVMBuildBr(b->B, cont);
	LLVMPositionBuilderAtEnd(b->B, cont);
}

/*
 * Does every iteration of the loop whose body `rd` starts call a function
 * of this module before it can branch anywhere?  Such a callee polls at its
 * entry (native code and the interpreter alike), so the loop header need
 * not: fib's loop polled twice per call.  A syntactic scan of the body's
 * first instructions: a direct call to a defined function at the body's
 * top level, with no branch (at any depth) and no end of the body before
 * it.  Imports may be host functions, which do not poll.
 */
static bool
loop_calls_first(fn *f, const wrt_insn_reader *rd)
{
	wrt_insn_reader r = *rd;
	uint32_t depth = 0;
	for (int n = 0; n < 64 && !wrt_insn_at_end(&r); n++)
	{
		wrt_insn in;
		if (!wrt_insn_next(&r, &in))
			return false;
		switch (in.op)
		{
			case WRT_OP_CALL:
				if (depth == 0 && in.index >= f->wm->nfunc_imports)
					return true;
				break;
			case WRT_OP_BLOCK:
			case WRT_OP_LOOP:
			case WRT_OP_IF:
				depth++;
				break;
			case WRT_OP_END:
				if (depth == 0)
					return false;
				depth--;
				break;
			case WRT_OP_BR:
			case WRT_OP_BR_IF:
			case WRT_OP_BR_TABLE:
				return false;
			default:
				break;
		}
	}
	return false;
}

/*
 * Effective address of an access of `size` bytes, bounds-checked: i8*.
 * The check is zext(addr) > memory size - (offset + size), signed, rather
 * than zext(addr) + offset + size > memory size: the same for these ranges
 * (addresses below 2^32, sizes at most 2^32, offsets below 2^32: nothing
 * overflows an i64, and a memory smaller than offset + size gives a
 * negative bound that every address exceeds), but the right-hand side does
 * not depend on the address, so in a loop that does not grow memory LICM
 * computes it once and each access costs a compare and a branch.
 */
static LLVMValueRef
address(fn *f, LLVMValueRef addr32, uint32_t offset, uint32_t size)
{
	batch *b = f->b;
	LLVMValueRef a = LLVMBuildZExt(b->B, addr32, b->i64, "");
	/* The caller has just popped addr32: its tag is above the stack. */
	if (f->lv_unchecked)
	{
		/* In an unchecked loop version the guard checked the chunk: the
		 * address is its form's exact value (an i64 induction LLVM can
		 * follow), which equals addr32 there. */
		LLVMValueRef exact = aff_has_var(&f->tags[f->sp]) ? NULL : f->v64[f->sp];
		f->lv_group = -1;
		for (uint32_t g = 0; g < f->lv_unchecked->ngroups; g++)
			if (aff_same_terms(&f->tags[f->sp], &f->lv_unchecked->acc[f->lv_unchecked->group_first[g]].a))
				f->lv_group = (int) g;
		LLVMValueRef ea = LLVMBuildNUWAdd(b->B, exact ? exact : a, LLVMConstInt(b->i64, offset, 0), "");
		return LLVMBuildGEP2(b->B, b->i8, load(f, b->ptr, f->mem_var), &ea, 1, "");
	}
	lv_note_access(f, &f->tags[f->sp], offset, size);
	LLVMValueRef msize = load(f, b->i64, f->size_var);
	LLVMValueRef bound = LLVMBuildSub(b->B, msize, LLVMConstInt(b->i64, (uint64_t) offset + size, 0), "");
	trap_if(f, LLVMBuildICmp(b->B, LLVMIntSGT, a, bound, ""), c32(b, WRT_TRAP_MEMORY_OOB));
	LLVMValueRef ea = LLVMBuildNUWAdd(b->B, a, LLVMConstInt(b->i64, offset, 0), "");
	LLVMValueRef base = load(f, b->ptr, f->mem_var);
	return LLVMBuildGEP2(b->B, b->i8, base, &ea, 1, "");
}

/* Slot values: how the interpreter keeps them (i32 and f32 zero-extended). */
static LLVMValueRef
to_slot(fn *f, LLVMValueRef v, uint8_t t)
{
	batch *b = f->b;
	switch (t)
	{
		case WRT_I32: return LLVMBuildZExt(b->B, v, b->i64, "");
		case WRT_I64: return v;
		case WRT_F32: return LLVMBuildZExt(b->B, LLVMBuildBitCast(b->B, v, b->i32, ""), b->i64, "");
		case WRT_F64: return LLVMBuildBitCast(b->B, v, b->i64, "");
		case WRT_FUNCREF:
		case WRT_EXTERNREF: return LLVMBuildPtrToInt(b->B, v, b->i64, "");
	}
	return NULL;
}

static LLVMValueRef
from_slot(fn *f, LLVMValueRef bits, uint8_t t)
{
	batch *b = f->b;
	switch (t)
	{
		case WRT_I32: return LLVMBuildTrunc(b->B, bits, b->i32, "");
		case WRT_I64: return bits;
		case WRT_F32: return LLVMBuildBitCast(b->B, LLVMBuildTrunc(b->B, bits, b->i32, ""), b->f32, "");
		case WRT_F64: return LLVMBuildBitCast(b->B, bits, b->f64, "");
		case WRT_FUNCREF:
		case WRT_EXTERNREF: return LLVMBuildIntToPtr(b->B, bits, b->ptr, "");
	}
	return NULL;
}

static LLVMValueRef
slot_ptr(fn *f, LLVMValueRef base, uint32_t k)
{
	LLVMValueRef idx = LLVMConstInt(f->b->i64, k, 0);
	return LLVMBuildGEP2(f->b->B, f->b->i64, base, &idx, 1, "");
}

/* A value of type t to the slots from base[k] on (a v128: two, low half
 * first, as the interpreter keeps it), and back. */
static void
store_slots(fn *f, LLVMValueRef v, uint8_t t, LLVMValueRef base, uint32_t k)
{
	batch *b = f->b;
	if (t == WRT_V128)
	{
		LLVMValueRef p = LLVMBuildBitCast(b->B, slot_ptr(f, base, k), LLVMPointerType(b->v128, 0), "");
		LLVMSetAlignment(LLVMBuildStore(b->B, v, p), 8);
		return;
	}
	LLVMBuildStore(b->B, to_slot(f, v, t), slot_ptr(f, base, k));
}

static LLVMValueRef
load_slots(fn *f, uint8_t t, LLVMValueRef base, uint32_t k)
{
	batch *b = f->b;
	if (t == WRT_V128)
	{
		LLVMValueRef p = LLVMBuildBitCast(b->B, slot_ptr(f, base, k), LLVMPointerType(b->v128, 0), "");
		LLVMValueRef v = load(f, b->v128, p);
		LLVMSetAlignment(v, 8);
		return v;
	}
	return from_slot(f, load(f, b->i64, slot_ptr(f, base, k)), t);
}

/*
 * LLVM folds x * 1.0, x / 1.0, x + -0.0, x - 0.0, -0.0 - x, x * -1.0 and
 * fptrunc(fpext x) to x or -x, as if no NaN were signalling; the hardware,
 * and so the interpreter, quiets a signalling NaN there (Wasm asks for an
 * arithmetic NaN).  Such operands go through an empty inline asm, which
 * LLVM cannot see through: the operation stays, at the cost of nothing.
 */
static LLVMValueRef
keep_snan(fn *f, LLVMValueRef v, bool always)
{
	batch *b = f->b;
	if (!always)
	{
		if (!LLVMIsAConstantFP(v))
			return v;
		LLVMBool loses;
		double d = LLVMConstRealGetDouble(v, &loses);
		if (!(d == 0.0 || d == 1.0 || d == -1.0))
			return v;
	}
	LLVMTypeRef t = LLVMTypeOf(v);
	LLVMTypeRef ft = LLVMFunctionType(t, &t, 1, 0);
	const char *constraint = b->asm_fp_constraint;
	LLVMValueRef a = LLVMGetInlineAsm(ft, (char *) "", 0, (char *) constraint, strlen(constraint), 0, 0,
									  LLVMInlineAsmDialectATT, 0);
	return LLVMBuildCall2(b->B, ft, a, &v, 1, "");
}

/* ---- control ------------------------------------------------------------------ */

static ctrl *
push_ctrl(fn *f, ctrl_kind kind, uint32_t np, const uint8_t *params, uint32_t nr, const uint8_t *results)
{
	if (f->nctrl == f->ctrl_cap)
	{
		uint32_t nc = f->ctrl_cap ? f->ctrl_cap * 2 : 16;
		ctrl *ns = realloc(f->ctrls, nc * sizeof(*ns));
		if (!ns)
			return NULL;
		f->ctrls = ns;
		f->ctrl_cap = nc;
	}
	ctrl *c = &f->ctrls[f->nctrl++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->nparams = np;
	c->params = params;
	c->nresults = nr;
	c->results = results;
	c->height = f->sp - np;
	/* The values a branch to this label carries. */
	uint32_t nl = kind == CTRL_LOOP ? np : nr;
	const uint8_t *lt = kind == CTRL_LOOP ? params : results;
	if (nl)
	{
		c->label_vars = calloc(nl, sizeof(LLVMValueRef));
		if (!c->label_vars)
			return NULL;
		for (uint32_t i = 0; i < nl; i++)
			c->label_vars[i] = alloca_at_entry(f, vt(f->b, lt[i]));
	}
	return c;
}

static void
free_ctrl(ctrl *c)
{
	free(c->label_vars);
	free(c->if_params);
	free(c->lv);
	c->lv = NULL;
}

static uint32_t
label_arity(const ctrl *c)
{
	return c->kind == CTRL_LOOP ? c->nparams : c->nresults;
}

/* Store the top label values for a branch to c (they stay on the stack). */
static void
store_label_values(fn *f, ctrl *c)
{
	uint32_t n = label_arity(c);
	for (uint32_t i = 0; i < n; i++)
		LLVMBuildStore(f->b->B, f->stack[f->sp - n + i], c->label_vars[i]);
	if (c->kind != CTRL_LOOP)
		c->end_reached = true;
}

/* Load the label values at the start of the label's block. */
static bool
push_label_values(fn *f, ctrl *c)
{
	uint32_t n = label_arity(c);
	const uint8_t *t = c->kind == CTRL_LOOP ? c->params : c->results;
	for (uint32_t i = 0; i < n; i++)
		if (!push(f, load(f, vt(f->b, t[i]), c->label_vars[i])))
			return false;
	return true;
}

static void
branch_to(fn *f, uint32_t depth)
{
	ctrl *c = &f->ctrls[f->nctrl - 1 - depth];
	store_label_values(f, c);
	LLVMBuildBr(f->b->B, c->label_bb);
}

static void
set_dead(fn *f)
{
	f->dead = true;
	f->dead_depth = 0;
}

/* ---- on-stack replacement ------------------------------------------------------ */

/* The value types an operand-stack entry can have in an OSR lowering, by
 * LLVM type (the two reference types are one pointer type); -1 for any
 * other. */
enum { OSR_NTYPES = 6 };

static int
osr_type_index(fn *f, LLVMTypeRef t)
{
	batch *b = f->b;
	return t == b->i32 ? 0 : t == b->i64 ? 1 : t == b->f32 ? 2 : t == b->f64 ? 3 : t == b->ptr ? 4
		: t == b->v128 ? 5 : -1;
}

static uint8_t
osr_valtype(fn *f, LLVMTypeRef t)
{
	static const uint8_t types[OSR_NTYPES] = {WRT_I32, WRT_I64, WRT_F32, WRT_F64, WRT_FUNCREF, WRT_V128};
	return types[osr_type_index(f, t)];
}

/* The alloca of depth d for values of type t (NULL: out of memory, or a
 * type without one, err set). */
static LLVMValueRef
osr_var(fn *f, uint32_t d, LLVMTypeRef t)
{
	int ti = osr_type_index(f, t);
	if (ti < 0)
	{
		snprintf(f->err, f->errlen, "a value of a type without an OSR slot");
		return NULL;
	}
	if (d >= f->spill_cap)
	{
		uint32_t nc = f->spill_cap ? f->spill_cap : 16;
		while (nc <= d)
			nc *= 2;
		LLVMValueRef *ns = realloc(f->spill, (size_t) nc * OSR_NTYPES * sizeof(*ns));
		if (!ns)
			return NULL;
		memset(ns + (size_t) f->spill_cap * OSR_NTYPES, 0, (size_t) (nc - f->spill_cap) * OSR_NTYPES * sizeof(*ns));
		f->spill = ns;
		f->spill_cap = nc;
	}
	LLVMValueRef *v = &f->spill[(size_t) d * OSR_NTYPES + ti];
	if (!*v)
		*v = alloca_at_entry(f, t);
	return *v;
}

/* OSR lowering, entering a construct: the entries below `height` to their
 * allocas (the ordinary lowering does nothing). */
static bool
osr_spill(fn *f, uint32_t height)
{
	if (f->osr_loop < 0)
		return true;
	for (uint32_t d = 0; d < height; d++)
	{
		LLVMValueRef v = f->stack[d];
		LLVMValueRef var = osr_var(f, d, LLVMTypeOf(v));
		if (!var)
			return false;
		LLVMBuildStore(f->b->B, v, var);
	}
	return true;
}

/* OSR lowering, at a label: the entries below `height` from their allocas. */
static bool
osr_reload(fn *f, uint32_t height)
{
	if (f->osr_loop < 0)
		return true;
	for (uint32_t d = 0; d < height; d++)
	{
		LLVMTypeRef t = LLVMTypeOf(f->stack[d]);
		LLVMValueRef var = osr_var(f, d, t);
		if (!var)
			return false;
		f->stack[d] = load(f, t, var);
	}
	return true;
}

/*
 * The loop being entered (c, its params on the stack) is the OSR target:
 * the entry's jump block takes the operand-stack values from the
 * interpreter's frame (their slots follow the locals', compile.h) into the
 * allocas of the entries below the loop and the loop's label variables,
 * and jumps to the header.
 */
static bool
osr_enter_here(fn *f, ctrl *c)
{
	batch *b = f->b;
	/* The stack values' slots follow the locals', each as wide as its type
	 * (a v128 takes two: compile.h). */
	uint32_t slots = 0;
	for (uint32_t d = 0; d < f->sp; d++)
		slots += LLVMTypeOf(f->stack[d]) == b->v128 ? 2 : 1;
	if (slots != f->osr_stack)
	{
		snprintf(f->err, f->errlen, "the loop has %u stack slots, the interpreter %u", slots, f->osr_stack);
		return false;
	}
	LLVMBasicBlockRef here = LLVMGetInsertBlock(b->B);
	LLVMPositionBuilderAtEnd(b->B, f->osr_bb);
	for (uint32_t d = 0, k = f->nlocal_slots; d < f->sp; d++)
	{
		LLVMTypeRef t = LLVMTypeOf(f->stack[d]);
		LLVMValueRef var = d < c->height ? osr_var(f, d, t) : c->label_vars[d - c->height];
		if (!var || osr_type_index(f, t) < 0)
		{
			snprintf(f->err, f->errlen, "a value of a type without an OSR slot");
			return false;
		}
		uint8_t vt_ = osr_valtype(f, t);
		LLVMBuildStore(b->B, load_slots(f, vt_, f->fp, k), var);
		k += nslots(vt_);
	}
	LLVMBuildBr(b->B, c->label_bb);
	LLVMPositionBuilderAtEnd(b->B, here);
	f->osr_found = true;
	return true;
}

/* A single value type as a one-element list (block types). */
static uint8_t single_type[256];

/* Block types: params and results. */
static void
block_types(fn *f, const wrt_insn *in, uint32_t *np, const uint8_t **params,
			uint32_t *nr, const uint8_t **results)
{
	*np = 0;
	*params = NULL;
	*nr = 0;
	*results = NULL;
	switch ((wrt_blockkind) in->block.kind)
	{
		case WRT_BLOCK_EMPTY:
		case WRT_BLOCK_BADTYPE:
			return;
		case WRT_BLOCK_VALUE:
			*nr = 1;
			*results = &single_type[in->block.valtype];
			return;
		case WRT_BLOCK_FUNCTYPE:
		{
			const wrt_functype *t = &f->wm->types[in->block.type];
			*np = t->nparams;
			*params = t->params;
			*nr = t->nresults;
			*results = t->results;
			return;
		}
	}
}

/* ---- calls -------------------------------------------------------------------- */

/* Arguments to the scratch slots, the helper, the results back. */
static bool
call_through_slots(fn *f, const wrt_functype *t, enum helper_id h, LLVMValueRef *extra, unsigned nextra)
{
	batch *b = f->b;
	uint32_t np = t->nparams;
	for (uint32_t i = 0, k = 0; i < np; k += nslots(t->params[i]), i++)
		store_slots(f, f->stack[f->sp - np + i], t->params[i], f->scratch, k);
	f->sp -= np;
	/* The engine counts frames in store->nframes: ours are cap - rem + 1. */
	LLVMValueRef cap = load_field(f, f->store, offsetof(wrt_store, frames_cap), b->i32);
	LLVMBuildStore(b->B, LLVMBuildAdd(b->B, LLVMBuildSub(b->B, cap, f->rem, ""), c32(b, 1), ""), f->nframes_ptr);
	LLVMValueRef args[8];
	unsigned n = 0;
	args[n++] = f->inst;
	for (unsigned i = 0; i < nextra; i++)
		args[n++] = extra[i];
	LLVMValueRef ok = call_helper(f, h, args, n);
	unwind_unless(f, LLVMBuildICmp(b->B, LLVMIntNE, ok, c32(b, 0), ""));
	reload_memory(f);
	for (uint32_t i = 0, k = 0; i < t->nresults; k += nslots(t->results[i]), i++)
		if (!push(f, load_slots(f, t->results[i], f->scratch, k)))
			return false;
	return true;
}

static LLVMTypeRef typed_fn_type(batch *b, const wrt_functype *t);
static void emit_return_values(fn *f, LLVMValueRef *vals);

/*
 * The thunk of defined function `callee` in this unit: a function of the
 * callee's typed signature that calls it through the engine (the slot
 * ABI: arguments to the slots at fp, h_call, results back), for calls of
 * a callee without machine code.  A failure leaves the store's trap kind
 * set, which the caller tests after any typed call.  One per callee and
 * unit, so a call site costs one indirect call whichever way it goes.
 */
static LLVMValueRef
call_thunk(batch *b, uint32_t callee)
{
	wrt_module *m = b->wm;
	uint32_t k = callee - m->nfunc_imports;
	if (b->thunks[k])
		return b->thunks[k];
	const wrt_functype *t = wrt_module_functype(m, callee);
	LLVMTypeRef ft = typed_fn_type(b, t);
	if (!ft)
		return NULL;
	char name[48];
	snprintf(name, sizeof(name), "t_%u", k);
	LLVMValueRef th = LLVMAddFunction(b->M, name, ft);
	LLVMSetLinkage(th, LLVMInternalLinkage);
	/* the slow way in: small, never worth inlining or optimising */
	static const char *const attrs[] = {"noinline", "minsize", "optsize", "cold"};
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		LLVMAddAttributeAtIndex(th, LLVMAttributeFunctionIndex,
								LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName(attrs[i], strlen(attrs[i])), 0));
	LLVMBasicBlockRef saved = LLVMGetInsertBlock(b->B);
	fn F = {0}, *f = &F;
	f->b = b;
	f->w = th;
	f->type = t;
	LLVMBuilderRef B = b->B;
	LLVMPositionBuilderAtEnd(B, LLVMAppendBasicBlockInContext(ctx, th, "entry"));
	LLVMValueRef inst = LLVMGetParam(th, 0), fp = LLVMGetParam(th, 1), rem = LLVMGetParam(th, 2);
	for (uint32_t i = 0, s = 0; i < t->nparams; s += nslots(t->params[i]), i++)
		store_slots(f, LLVMGetParam(th, 3 + i), t->params[i], fp, s);
	/* The engine counts frames in store->nframes: the caller's are
	 * cap - rem (rem being the callee's frames left). */
	LLVMValueRef store = load_field(f, inst, offsetof(wrt_instance, store), b->ptr);
	LLVMValueRef cap = load_field(f, store, offsetof(wrt_store, frames_cap), b->i32);
	LLVMBuildStore(B, LLVMBuildSub(B, cap, rem, ""), field(f, store, offsetof(wrt_store, nframes), b->i32));
	LLVMValueRef args[3] = {inst, c32(b, callee), fp};
	LLVMBuildCall2(B, b->ht[H_call], b->h[H_call], args, 3, "");
	uint32_t nr = t->nresults;
	LLVMValueRef vals[nr ? nr : 1];
	for (uint32_t i = 0, s = 0; i < nr; s += nslots(t->results[i]), i++)
		vals[i] = load_slots(f, t->results[i], fp, s);
	emit_return_values(f, vals);
	if (saved)
		LLVMPositionBuilderAtEnd(B, saved);
	b->thunks[k] = th;
	return th;
}

/*
 * A call of a defined function of another unit (or of none yet): straight
 * to its typed function when it has machine code (wrt_code.native_typed)
 * and the value stack has room for the callee's unit (wrt_code.native_need)
 * above this frame's scratch slots, which become the callee's frame;
 * otherwise to the thunk, which goes through the engine.
 */
static bool
lower_call_other_unit(fn *f, uint32_t callee)
{
	batch *b = f->b;
	wrt_module *m = f->wm;
	LLVMBuilderRef B = b->B;
	const wrt_functype *t = wrt_module_functype(m, callee);
	uint32_t np = t->nparams, nr = t->nresults;
	LLVMValueRef thunk = call_thunk(b, callee);
	LLVMTypeRef ft = thunk ? LLVMGlobalGetValueType(thunk) : NULL;
	LLVMValueRef *args = malloc((np + 3) * sizeof(LLVMValueRef));
	if (!ft || !args)
	{
		free(args);
		return false;
	}
	LLVMValueRef mod = load_invariant_field(f, f->inst, offsetof(wrt_instance, mod), b->ptr);
	LLVMValueRef codes = load_invariant_field(f, mod, offsetof(wrt_module, codes), b->ptr);
	size_t at = (size_t) (callee - m->nfunc_imports) * sizeof(wrt_code);
	LLVMValueRef typed = load_field(f, codes, at + offsetof(wrt_code, native_typed), b->ptr);
	LLVMValueRef need = load_field(f, codes, at + offsetof(wrt_code, native_need), b->i32);
	/* the value stack does not move while machine code runs */
	LLVMValueRef sbase = load_invariant_field(f, f->store, offsetof(wrt_store, stack), b->ptr);
	LLVMValueRef sslots = load_invariant_field(f, f->store, offsetof(wrt_store, stack_slots), b->i64);
	LLVMValueRef send = LLVMBuildAdd(B, LLVMBuildPtrToInt(B, sbase, b->i64, ""),
									 LLVMBuildShl(B, sslots, LLVMConstInt(b->i64, 3, 0), ""), "");
	LLVMValueRef top = LLVMBuildAdd(B, LLVMBuildPtrToInt(B, f->scratch, b->i64, ""),
									LLVMBuildShl(B, LLVMBuildZExt(B, need, b->i64, ""),
												 LLVMConstInt(b->i64, 3, 0), ""), "");
	LLVMValueRef direct = LLVMBuildAnd(B, LLVMBuildIsNotNull(B, typed, ""),
									   LLVMBuildICmp(B, LLVMIntULE, top, send, ""), "");
	LLVMValueRef target = LLVMBuildSelect(B, direct, LLVMBuildBitCast(B, typed, LLVMPointerType(ft, 0), ""),
										  thunk, "");
	args[0] = f->inst;
	args[1] = f->scratch;
	args[2] = LLVMBuildSub(B, f->rem, c32(b, 1), "");
	for (uint32_t i = 0; i < np; i++)
		args[3 + i] = f->stack[f->sp - np + i];
	f->sp -= np;
	LLVMValueRef r = LLVMBuildCall2(B, ft, target, args, np + 3, "");
	free(args);
	LLVMValueRef kind = load(f, b->i32, f->trapkind_ptr);
	unwind_unless(f, LLVMBuildICmp(B, LLVMIntEQ, kind, c32(b, 0), ""));
	reload_memory(f);
	for (uint32_t i = 0; i < nr; i++)
		if (!push(f, nr == 1 ? r : LLVMBuildExtractValue(B, r, i, "")))
			return false;
	return true;
}

static bool
lower_call(fn *f, uint32_t callee)
{
	batch *b = f->b;
	wrt_module *m = f->wm;
	const wrt_functype *t = wrt_module_functype(m, callee);
	LLVMValueRef target = callee >= m->nfunc_imports ? b->typed[callee - m->nfunc_imports] : NULL;
	if (!target && callee >= m->nfunc_imports)
		return lower_call_other_unit(f, callee);
	if (!target)
	{
		LLVMValueRef extra[2] = {c32(b, callee), f->scratch};
		return call_through_slots(f, t, H_call, extra, 2);
	}
	/* The callee shares this frame's slots: neither uses them while the
	 * other runs (arguments travel in registers). */
	uint32_t np = t->nparams;
	LLVMValueRef *args = malloc((np + 3) * sizeof(LLVMValueRef));
	if (!args)
		return false;
	args[0] = f->inst;
	args[1] = f->fp;
	args[2] = LLVMBuildSub(b->B, f->rem, c32(b, 1), "");
	for (uint32_t i = 0; i < np; i++)
		args[3 + i] = f->stack[f->sp - np + i];
	f->sp -= np;
	LLVMValueRef r = LLVMBuildCall2(b->B, LLVMGlobalGetValueType(target), target, args, np + 3, "");
	free(args);
	LLVMValueRef kind = load(f, b->i32, f->trapkind_ptr);
	unwind_unless(f, LLVMBuildICmp(b->B, LLVMIntEQ, kind, c32(b, 0), ""));
	reload_memory(f);
	if (t->nresults == 1)
		return push(f, r);
	for (uint32_t i = 0; i < t->nresults; i++)
		if (!push(f, LLVMBuildExtractValue(b->B, r, i, "")))
			return false;
	return true;
}

/* ---- the function ------------------------------------------------------------- */

static LLVMTypeRef
typed_fn_type(batch *b, const wrt_functype *t)
{
	LLVMTypeRef *params = malloc((t->nparams + 3) * sizeof(LLVMTypeRef));
	LLVMTypeRef *res = malloc((t->nresults + 1) * sizeof(LLVMTypeRef));
	LLVMTypeRef ft = NULL;
	if (params && res)
	{
		params[0] = b->ptr;
		params[1] = b->slotptr;
		params[2] = b->i32;
		for (uint32_t i = 0; i < t->nparams; i++)
			params[3 + i] = vt(b, t->params[i]);
		LLVMTypeRef rt;
		if (t->nresults == 0)
			rt = LLVMVoidTypeInContext(ctx);
		else if (t->nresults == 1)
			rt = vt(b, t->results[0]);
		else
		{
			for (uint32_t i = 0; i < t->nresults; i++)
				res[i] = vt(b, t->results[i]);
			rt = LLVMStructTypeInContext(ctx, res, t->nresults, 0);
		}
		ft = LLVMFunctionType(rt, params, t->nparams + 3, 0);
	}
	free(params);
	free(res);
	return ft;
}

/* Return the current stack top as the function's results. */
static void
emit_return_values(fn *f, LLVMValueRef *vals)
{
	batch *b = f->b;
	uint32_t nr = f->type->nresults;
	if (nr == 0)
		LLVMBuildRetVoid(b->B);
	else if (nr == 1)
		LLVMBuildRet(b->B, vals[0]);
	else
		LLVMBuildAggregateRet(b->B, vals, nr);
}

/* ---- SIMD ------------------------------------------------------------------- */

static void prepare_ops(batch *b);

/* The unit's first SIMD instruction links simd-ops.c's bitcode in. */
static bool
link_simd(fn *f)
{
	batch *b = f->b;
	if (b->simd_linked)
		return true;
	LLVMModuleRef rows_m = LLVMCloneModule(simd_template);
	if (!rows_m)
	{
		snprintf(f->err, f->errlen, "cannot copy the SIMD bitcode");
		return false;
	}
	LLVMSetTarget(rows_m, LLVMGetTarget(b->M));
	LLVMSetDataLayout(rows_m, LLVMGetDataLayoutStr(b->M));
	if (LLVMLinkModules2(b->M, rows_m))
	{
		snprintf(f->err, f->errlen, "cannot link the SIMD bitcode");
		return false;
	}
	prepare_ops(b);
	b->simd_linked = true;
	return true;
}

/* Temporary i of the SIMD rows' pointer ABI, holding v (NULL: the result
 * slot, left as is), as the i8* the row takes. */
static LLVMValueRef
vtmp(fn *f, int i, LLVMValueRef v)
{
	batch *b = f->b;
	if (!f->vtmp[i])
	{
		f->vtmp[i] = alloca_at_entry(f, b->v128);
		LLVMSetAlignment(f->vtmp[i], 16);
	}
	if (v)
		LLVMBuildStore(b->B, v, f->vtmp[i]);
	return LLVMBuildBitCast(b->B, f->vtmp[i], b->ptr, "");
}

/* The vector type of lanes of `bytes` bytes each, and v viewed as such. */
static LLVMValueRef
as_lanes(fn *f, LLVMValueRef v, uint32_t bytes)
{
	LLVMTypeRef lt = LLVMVectorType(LLVMIntTypeInContext(ctx, bytes * 8), 16 / bytes);
	return LLVMBuildBitCast(f->b->B, v, lt, "");
}

/*
 * A SIMD instruction: the rows with a body call their function of
 * simd-ops.c through temporaries (inlined, the temporaries promoted);
 * v128 stores and the lane loads and stores have no body and are written
 * here, as are v128.const and i8x16.shuffle (a constant shufflevector).
 */
static bool
lower_simd(fn *f, const wrt_insn *in)
{
	batch *b = f->b;
	LLVMBuilderRef B = b->B;
	uint16_t op = in->op;
	const wrt_opinfo *info = &wrt_opinfo_table[op];
	LLVMValueRef fnv = NULL;
	if (rows[op].helper)
	{
		if (!link_simd(f))
			return false;
		fnv = LLVMGetNamedFunction(b->M, rows[op].helper);
		if (!fnv)
		{
			snprintf(f->err, f->errlen, "no bitcode for %s", info->name);
			return false;
		}
	}
	LLVMTypeRef ft = fnv ? LLVMGlobalGetValueType(fnv) : NULL;
	LLVMValueRef args[4];
	unsigned n = 0;
	switch ((wrt_opclass) info->cls)
	{
		case WRT_OPC_VLOAD:
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = address(f, pop(f), in->memarg.offset, info->size);
			break;
		case WRT_OPC_VSTORE:
		{
			LLVMValueRef v = pop(f);
			LLVMValueRef p = address(f, pop(f), in->memarg.offset, 16);
			LLVMSetAlignment(LLVMBuildStore(B, v, LLVMBuildBitCast(B, p, LLVMPointerType(b->v128, 0), "")), 1);
			return true;
		}
		case WRT_OPC_VLOAD_LANE:
		case WRT_OPC_VSTORE_LANE:
		{
			LLVMValueRef v = pop(f);
			LLVMValueRef p = address(f, pop(f), in->memarg.offset, info->size);
			LLVMTypeRef et = LLVMIntTypeInContext(ctx, info->size * 8);
			p = LLVMBuildBitCast(B, p, LLVMPointerType(et, 0), "");
			LLVMValueRef lanes = as_lanes(f, v, info->size);
			if (info->cls == WRT_OPC_VSTORE_LANE)
			{
				LLVMValueRef x = LLVMBuildExtractElement(B, lanes, c32(b, in->lane), "");
				LLVMSetAlignment(LLVMBuildStore(B, x, p), 1);
				return true;
			}
			LLVMValueRef x = load(f, et, p);
			LLVMSetAlignment(x, 1);
			lanes = LLVMBuildInsertElement(B, lanes, x, c32(b, in->lane), "");
			return push(f, LLVMBuildBitCast(B, lanes, b->v128, ""));
		}
		case WRT_OPC_VSPLAT:
		{
			if (!f->stmp)
				f->stmp = alloca_at_entry(f, b->i64);
			LLVMBuildStore(B, to_slot(f, pop(f), info->t_in), f->stmp);
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = LLVMBuildBitCast(B, f->stmp, b->ptr, "");
			break;
		}
		case WRT_OPC_VEXTRACT:
		{
			LLVMValueRef a[2] = {vtmp(f, 1, pop(f)), c32(b, in->lane)};
			LLVMValueRef bits = LLVMBuildCall2(B, ft, fnv, a, 2, "");
			return push(f, from_slot(f, bits, info->t_out));
		}
		case WRT_OPC_VREPLACE:
		{
			LLVMValueRef x = pop(f);
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = vtmp(f, 1, pop(f));
			args[n++] = to_slot(f, x, info->t_in);
			args[n++] = c32(b, in->lane);
			break;
		}
		case WRT_OPC_VUN:
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = vtmp(f, 1, pop(f));
			break;
		case WRT_OPC_VBIN:
		{
			LLVMValueRef y = pop(f);
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = vtmp(f, 1, pop(f));
			args[n++] = vtmp(f, 2, y);
			break;
		}
		case WRT_OPC_VTER:
		{
			LLVMValueRef z = pop(f), y = pop(f);
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = vtmp(f, 1, pop(f));
			args[n++] = vtmp(f, 2, y);
			args[n++] = vtmp(f, 3, z);
			break;
		}
		case WRT_OPC_VTEST:
		{
			LLVMValueRef a = vtmp(f, 1, pop(f));
			LLVMValueRef r = LLVMBuildCall2(B, ft, fnv, &a, 1, "");
			return push(f, LLVMBuildTrunc(B, r, b->i32, ""));
		}
		case WRT_OPC_VSHIFT:
		{
			LLVMValueRef count = pop(f);
			args[n++] = vtmp(f, 0, NULL);
			args[n++] = vtmp(f, 1, pop(f));
			args[n++] = count;
			break;
		}
		case WRT_OPC_CTRL:
			if (op == WRT_OP_V128_CONST)
			{
				uint64_t half[2];
				memcpy(half, in->bytes, 16);
				LLVMValueRef e[2] = {LLVMConstInt(b->i64, half[0], 0), LLVMConstInt(b->i64, half[1], 0)};
				return push(f, opaque_const(f, LLVMConstVector(e, 2)));
			}
			if (op == WRT_OP_I8X16_SHUFFLE)
			{
				LLVMValueRef mask[16];
				for (int i = 0; i < 16; i++)
					mask[i] = c32(b, in->bytes[i]);
				LLVMValueRef y = as_lanes(f, pop(f), 1), x = as_lanes(f, pop(f), 1);
				LLVMValueRef r = LLVMBuildShuffleVector(B, x, y, LLVMConstVector(mask, 16), "");
				return push(f, LLVMBuildBitCast(B, r, b->v128, ""));
			}
			/* fall through */
		default:
			snprintf(f->err, f->errlen, "%s not lowered", info->name);
			return false;
	}
	LLVMBuildCall2(B, ft, fnv, args, n, "");
	LLVMValueRef r = load(f, b->v128, f->vtmp[0]);
	return push(f, r);
}

static bool lower_insn(fn *f, const wrt_insn *in, wrt_insn_reader *rd);
static bool skip_dead(fn *f, const wrt_insn *in, bool *handled);

/* WRT_TIER_LOOP_VERSIONS=0 turns unchecked loop versions off, =1 leaves
 * them uncounted (fixed chunks, lv_counted_exit not tried): to compare. */
static int
lv_level(void)
{
	static int level = -1;
	if (level < 0)
	{
		const char *e = getenv("WRT_TIER_LOOP_VERSIONS");
		level = e && e[0] == '0' ? 0 : e && e[0] == '1' ? 1 : 2;
	}
	return level;
}

static bool
lv_enabled(void)
{
	return lv_level() > 0;
}

static void
lv_free(loopver *lv)
{
	if (!lv)
		return;
	free(lv->locals);
	free(lv);
}

static loopver *
lv_new(fn *f, const wrt_insn_reader *rd)
{
	loopver *lv = calloc(1, sizeof(*lv));
	if (!lv)
		return NULL;
	lv->nlocals = f->nlocals;
	lv->locals = calloc(f->nlocals ? f->nlocals : 1, sizeof(lv_local));
	if (!lv->locals)
	{
		lv_free(lv);
		return NULL;
	}
	lv->rd = *rd;
	lv->offset = f->offset;
	lv->guard = new_bb(f, "chunk_guard");
	return lv;
}

/*
 * The i64 that stands for an i32 local's value in the guard's and the
 * unchecked version's exact address arithmetic.  Any value congruent
 * modulo 2^32 is right (the guard checks the sums it makes), but only one
 * near the true address passes: the unsigned one, except for a counted
 * loop's i that counts up to 0 (i != 0, S > 0: negative all along), the
 * index clang makes for loops over globals (i = -4096; ... &x[4096] + i
 * ...), taken signed.  A choice made when lowering, not at run time: a
 * select on the value cost nbody 10% (docs/benchmarks.md).
 */
static LLVMValueRef
lv_rep(fn *f, const loopver *lv, uint32_t local, LLVMValueRef v32)
{
	batch *b = f->b;
	bool sgn = lv->counted && local == lv->ivar && lv->pred == LLVMIntNE && !lv->bound_is_local
		&& lv->bound_const == 0 && lv->step > 0;
	return sgn ? LLVMBuildSExt(b->B, v32, b->i64, "") : LLVMBuildZExt(b->B, v32, b->i64, "");
}

/* Same locals with the same coefficients: one range check covers both
 * (the lowest constant for the low end, the highest end for the high). */
static bool
aff_same_terms(const aff *x, const aff *y)
{
	if (x->n != y->n)
		return false;
	for (uint32_t i = 0; i < x->n; i++)
	{
		uint32_t j = 0;
		while (j < y->n && (y->local[j] != x->local[i] || y->coef[j] != x->coef[i]))
			j++;
		if (j == y->n)
			return false;
	}
	return true;
}

/* Groups the accesses (lv->acc[].group, group_first, group_store). */
static void
lv_group_accesses(loopver *lv)
{
	lv->ngroups = 0;
	for (uint32_t i = 0; i < lv->naccess; i++)
	{
		uint32_t g = 0;
		while (g < lv->ngroups && !aff_same_terms(&lv->acc[i].a, &lv->acc[lv->group_first[g]].a))
			g++;
		if (g == lv->ngroups)
		{
			lv->group_first[g] = (uint8_t) i;
			lv->group_store[g] = false;
			lv->ngroups++;
		}
		lv->acc[i].group = (uint8_t) g;
		lv->group_store[g] |= lv->acc[i].store;
	}
}

/*
 * The scopes of the unchecked version's groups: one domain per loop, a
 * scope per group; an access of group g is in scope g and does not alias
 * the other scopes.  The guard declares each (llvm.experimental.noalias.
 * scope.decl) for the chunk: the claim holds within a chunk,
 * where the guard checked it, not between chunks (a copy whose source
 * catches up with its destination a chunk later).
 */
static void
lv_scopes(fn *f, loopver *lv)
{
	batch *b = f->b;
	char name[96];
	snprintf(name, sizeof(name), "wrt.lv.%s.%u.%u", b->tag, f->func, lv->offset);
	LLVMMetadataRef dname = LLVMMDStringInContext2(ctx, name, strlen(name));
	LLVMMetadataRef domain = LLVMMDNodeInContext2(ctx, &dname, 1);
	LLVMMetadataRef scopes[LV_ACCESSES];
	for (uint32_t g = 0; g < lv->ngroups; g++)
	{
		char sname[112];
		snprintf(sname, sizeof(sname), "%s.g%u", name, g);
		LLVMMetadataRef ops[2] = {LLVMMDStringInContext2(ctx, sname, strlen(sname)), domain};
		scopes[g] = LLVMMDNodeInContext2(ctx, ops, 2);
	}
	for (uint32_t g = 0; g < lv->ngroups; g++)
	{
		LLVMMetadataRef others[LV_ACCESSES];
		uint32_t n = 0;
		for (uint32_t h = 0; h < lv->ngroups; h++)
			if (h != g)
				others[n++] = scopes[h];
		lv->md_scope[g] = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, &scopes[g], 1));
		lv->md_noalias[g] = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, others, n));
	}
}

/* The unchecked version's scalar load or store: its group's scopes. */
static void
lv_mark(fn *f, LLVMValueRef access)
{
	loopver *lv = f->lv_unchecked;
	if (!lv || f->lv_group < 0 || lv->ngroups < 2)
		return;
	static unsigned scope_kind, noalias_kind;
	if (!scope_kind)
	{
		scope_kind = LLVMGetMDKindIDInContext(ctx, "alias.scope", 11);
		noalias_kind = LLVMGetMDKindIDInContext(ctx, "noalias", 7);
	}
	LLVMSetMetadata(access, scope_kind, lv->md_scope[f->lv_group]);
	LLVMSetMetadata(access, noalias_kind, lv->md_noalias[f->lv_group]);
	f->lv_group = -1;
}

/* Every address of the next k iterations in bounds (k: an i64 of at most
 * LV_CHUNK; the header). */
static LLVMValueRef
lv_guard_cond(fn *f, const loopver *lv, LLVMValueRef k)
{
	batch *b = f->b;
	LLVMBuilderRef B = b->B;
	LLVMValueRef size = load(f, b->i64, f->size_var);
	LLVMValueRef ok = LLVMConstInt(b->i1, 1, 0);
	LLVMValueRef lo[LV_ACCESSES], hi[LV_ACCESSES];
	for (uint32_t g = 0; g < lv->ngroups; g++)
	{
		/* one range per group: the lowest start, the highest end */
		const lv_access *a = &lv->acc[lv->group_first[g]];
		int64_t kmin = INT64_MAX, endmax = INT64_MIN;
		for (uint32_t i = 0; i < lv->naccess; i++)
			if (lv->acc[i].group == g)
			{
				const lv_access *o = &lv->acc[i];
				if (o->a.k + o->a.vlo < kmin)
					kmin = o->a.k + o->a.vlo;
				if (o->a.k + o->a.vhi + (int64_t) o->offset + o->size > endmax)
					endmax = o->a.k + o->a.vhi + (int64_t) o->offset + o->size;
			}
		LLVMValueRef sum = LLVMConstInt(b->i64, 0, 0);
		int64_t down = 0, up = 0;
		for (uint32_t j = 0; j < a->a.n; j++)
		{
			uint32_t x = a->a.local[j];
			LLVMValueRef v = lv_rep(f, lv, x, load(f, b->i32, f->locals[x]));
			sum = LLVMBuildNSWAdd(B, sum, LLVMBuildNSWMul(B, v, LLVMConstInt(b->i64, (uint64_t) a->a.coef[j], 1), ""), "");
			if (lv->locals[x].write == LV_STEPPED)
			{
				int64_t d = a->a.coef[j] * lv->locals[x].step;
				if (d > 0)
					up += d;
				else
					down += d;
			}
		}
		/* the extremes of the stepped terms over k iterations */
		lo[g] = LLVMBuildNSWAdd(B, sum, LLVMConstInt(b->i64, (uint64_t) kmin, 1), "");
		hi[g] = LLVMBuildNSWAdd(B, sum, LLVMConstInt(b->i64, (uint64_t) endmax, 1), "");
		if (down)
			lo[g] = LLVMBuildNSWAdd(B, lo[g], LLVMBuildNSWMul(B, k, LLVMConstInt(b->i64, (uint64_t) down, 1), ""), "");
		if (up)
			hi[g] = LLVMBuildNSWAdd(B, hi[g], LLVMBuildNSWMul(B, k, LLVMConstInt(b->i64, (uint64_t) up, 1), ""), "");
		ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntSGE, lo[g], LLVMConstInt(b->i64, 0, 0), ""), "");
		ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntSLE, hi[g], size, ""), "");
	}
	/* the scopes' claim: a group that stores overlaps no other group */
	for (uint32_t g = 0; g < lv->ngroups; g++)
		for (uint32_t h = g + 1; h < lv->ngroups; h++)
			if (lv->group_store[g] || lv->group_store[h])
				ok = LLVMBuildAnd(B, ok, LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntSLE, hi[g], lo[h], ""),
													 LLVMBuildICmp(B, LLVMIntSLE, hi[h], lo[g], ""), ""), "");
	return ok;
}


/*
 * Counted loops.  If every iteration that reaches the back-edge has
 * stepped a local i by exactly S, and the back-edge continues while
 * pred(i, bound) for a bound the loop leaves alone, the guard can compute
 * how many iterations the loop still runs, and each chunk runs
 * k = min(that, LV_CHUNK) of them with the count as its only exit: a
 * loop whose trip count LLVM can compute, so it can vectorise it.  After
 * the chunk the condition is evaluated once, on i's value then.
 *
 * lv_counted_exit recognises the form in the Wasm itself: the body ends in
 * `br_if 0` on `local.get/tee i; (i32.const C | local.get n); i32.<cmp>`
 * (either operand order) or on `local.get/tee i` alone (i != 0); every
 * write of i is `local.get i; i32.const C; i32.add|sub; local.set|tee i`
 * directly in the loop's body (not in a block or an if, so each completed
 * iteration runs each of them once); nothing else branches to the loop's
 * label (a branch out of it is fine).  The cmp is ne or an order whose
 * direction matches S's sign (lt/le with S > 0, gt/ge with S < 0).
 */
#define LV_SCAN_MAX 512

static bool
lv_is_get(const wrt_insn *in, bool tee_too)
{
	return in->op == WRT_OP_LOCAL_GET || (tee_too && in->op == WRT_OP_LOCAL_TEE);
}

static bool
lv_cmp_pred(uint16_t op, LLVMIntPredicate *p)
{
	switch (op)
	{
		case WRT_OP_I32_NE: *p = LLVMIntNE; return true;
		case WRT_OP_I32_LT_S: *p = LLVMIntSLT; return true;
		case WRT_OP_I32_LT_U: *p = LLVMIntULT; return true;
		case WRT_OP_I32_GT_S: *p = LLVMIntSGT; return true;
		case WRT_OP_I32_GT_U: *p = LLVMIntUGT; return true;
		case WRT_OP_I32_LE_S: *p = LLVMIntSLE; return true;
		case WRT_OP_I32_LE_U: *p = LLVMIntULE; return true;
		case WRT_OP_I32_GE_S: *p = LLVMIntSGE; return true;
		case WRT_OP_I32_GE_U: *p = LLVMIntUGE; return true;
		default: return false;
	}
}

/* pred(a, b) == swapped(b, a) */
static LLVMIntPredicate
lv_swap_pred(LLVMIntPredicate p)
{
	switch (p)
	{
		case LLVMIntSLT: return LLVMIntSGT;
		case LLVMIntSGT: return LLVMIntSLT;
		case LLVMIntULT: return LLVMIntUGT;
		case LLVMIntUGT: return LLVMIntULT;
		case LLVMIntSLE: return LLVMIntSGE;
		case LLVMIntSGE: return LLVMIntSLE;
		case LLVMIntULE: return LLVMIntUGE;
		case LLVMIntUGE: return LLVMIntULE;
		default: return p;
	}
}

static bool
lv_pred_signed(LLVMIntPredicate p)
{
	return p == LLVMIntSLT || p == LLVMIntSGT || p == LLVMIntSLE || p == LLVMIntSGE;
}

/* Sets lv->counted and its fields. */
static void
lv_counted_exit(fn *f, loopver *lv)
{
	lv->counted = false;
	if (lv_level() < 2)
		return;
	wrt_insn *in = malloc(LV_SCAN_MAX * sizeof(wrt_insn));
	uint32_t *dep = malloc(LV_SCAN_MAX * sizeof(uint32_t));
	wrt_insn_reader rd = lv->rd;
	uint32_t n = 0, depth = 0;
	if (!in || !dep)
		goto out;
	for (;;)
	{
		if (n == LV_SCAN_MAX || wrt_insn_at_end(&rd) || !wrt_insn_next(&rd, &in[n]))
			goto out;
		uint16_t op = in[n].op;
		if (op == WRT_OP_END && depth == 0)
			break;
		dep[n] = depth;
		if (op == WRT_OP_BLOCK || op == WRT_OP_LOOP || op == WRT_OP_IF)
			depth++;
		else if (op == WRT_OP_END)
			depth--;
		n++;
	}
	if (n < 2 || in[n - 1].op != WRT_OP_BR_IF || in[n - 1].index != 0 || dep[n - 1] != 0)
		goto out;

	/* the back-edge's condition */
	uint32_t ivar;
	LLVMIntPredicate pred = LLVMIntNE;
	bool bound_is_local = false;
	uint32_t bound_local = 0;
	int32_t bound_const = 0;
	const wrt_insn *lhs = n >= 4 ? &in[n - 4] : NULL, *rhs = n >= 4 ? &in[n - 3] : NULL;
	if (lv_is_get(&in[n - 2], true))
		ivar = in[n - 2].index;     /* br_if on i: i != 0 */
	else if (lhs && lv_cmp_pred(in[n - 2].op, &pred))
	{
		/* rhs pops nothing (a get or a constant), so lhs made the value
		 * below it */
		const wrt_insn *iv, *bd;
		if (lv_is_get(lhs, true) && (rhs->op == WRT_OP_I32_CONST || lv_is_get(rhs, false)))
			iv = lhs, bd = rhs;
		else if (lv_is_get(rhs, false) && (lhs->op == WRT_OP_I32_CONST || lv_is_get(lhs, false)))
		{
			iv = rhs, bd = lhs;
			pred = lv_swap_pred(pred);
		}
		else
			goto out;
		ivar = iv->index;
		if (bd->op == WRT_OP_I32_CONST)
			bound_const = bd->i32;
		else
		{
			bound_is_local = true;
			bound_local = bd->index;
		}
	}
	else
		goto out;
	if (ivar >= lv->nlocals || f->code->local_types[ivar] != WRT_I32 || lv->locals[ivar].write != LV_STEPPED)
		goto out;
	if (bound_is_local && (bound_local >= lv->nlocals || bound_local == ivar
						   || lv->locals[bound_local].write != LV_UNWRITTEN))
		goto out;

	/* i's writes, and the branches to the loop's label */
	int64_t step = 0;
	for (uint32_t k = 0; k < n; k++)
	{
		const wrt_insn *x = &in[k];
		if ((x->op == WRT_OP_LOCAL_SET || x->op == WRT_OP_LOCAL_TEE) && x->index == ivar)
		{
			if (dep[k] != 0 || k < 3 || in[k - 2].op != WRT_OP_I32_CONST
				|| !(in[k - 3].op == WRT_OP_LOCAL_GET && in[k - 3].index == ivar))
				goto out;
			if (in[k - 1].op == WRT_OP_I32_ADD)
				step += in[k - 2].i32;
			else if (in[k - 1].op == WRT_OP_I32_SUB)
				step -= in[k - 2].i32;
			else
				goto out;
		}
		else if ((x->op == WRT_OP_BR || x->op == WRT_OP_BR_IF) && x->index == dep[k] && k != n - 1)
			goto out;
		else if (x->op == WRT_OP_BR_TABLE)
		{
			const uint8_t *p = x->br_table.labels;
			for (uint32_t i = 0; i < x->br_table.count; i++)
				if (wrt_br_table_label(&p) == dep[k])
					goto out;
			if (x->br_table.default_label == dep[k])
				goto out;
		}
	}
	if (step == 0 || step != lv->locals[ivar].step || step > LV_STEP_MAX || step < -LV_STEP_MAX)
		goto out;
	switch (pred)
	{
		case LLVMIntNE:
			break;
		case LLVMIntSLT: case LLVMIntULT: case LLVMIntSLE: case LLVMIntULE:
			if (step < 0)
				goto out;
			break;
		default:
			if (step > 0)
				goto out;
			break;
	}
	lv->counted = true;
	lv->ivar = ivar;
	lv->step = step;
	lv->pred = pred;
	lv->bound_is_local = bound_is_local;
	lv->bound_local = bound_local;
	lv->bound_const = bound_const;
out:
	free(in);
	free(dep);
}

/* A counted loop's bound, now (an i32). */
static LLVMValueRef
lv_bound(fn *f, const loopver *lv)
{
	batch *b = f->b;
	return lv->bound_is_local ? load(f, b->i32, f->locals[lv->bound_local])
		: LLVMConstInt(b->i32, (uint64_t) (uint32_t) lv->bound_const, 0);
}

/* The back-edge's condition on the locals' current values (counted). */
static LLVMValueRef
lv_continues(fn *f, const loopver *lv)
{
	batch *b = f->b;
	return LLVMBuildICmp(b->B, lv->pred, load(f, b->i32, f->locals[lv->ivar]), lv_bound(f, lv), "");
}

/*
 * The iterations of a counted loop's next chunk (an i64 in [1, LV_CHUNK]),
 * never more than the loop still runs (fewer only costs a chunk).  For an
 * order, i = a + j*S after iteration j (a, b: i and the bound as the
 * comparison reads them) and the loop goes on while i < b (S > 0; <= b:
 * b + 1; > and >= mirrored), so the count is ceil(d / |S|) for the
 * distance d, at least 1 (the first iteration always runs).  Before the
 * last of them i lies between a and b, so its wrapped value is the exact
 * one and the loop goes on; after the last, chunk_end compares the
 * wrapped value, as the Wasm does.
 */
static LLVMValueRef
lv_chunk_count(fn *f, const loopver *lv)
{
	batch *b = f->b;
	LLVMBuilderRef B = b->B;
	LLVMValueRef iv = load(f, b->i32, f->locals[lv->ivar]), bv = lv_bound(f, lv);
	LLVMValueRef chunk = LLVMConstInt(b->i64, LV_CHUNK, 0);
	LLVMValueRef one = LLVMConstInt(b->i64, 1, 0), zero = LLVMConstInt(b->i64, 0, 0);
	int64_t mag = lv->step > 0 ? lv->step : -lv->step;
	LLVMValueRef magv = LLVMConstInt(b->i64, (uint64_t) mag, 0);
	LLVMValueRef t;
	if (lv->pred == LLVMIntNE)
	{
		/* Modulo 2^32 (i != b holds on the wrapped values): with the
		 * distance d = b - i (S > 0) or i - b in [0, 2^32), i meets b
		 * first after d / |S| iterations if |S| divides d; otherwise, or
		 * if d is 0, not before 2^32 / |S| > LV_CHUNK of them. */
		LLVMValueRef d32 = lv->step > 0 ? LLVMBuildSub(B, bv, iv, "") : LLVMBuildSub(B, iv, bv, "");
		LLVMValueRef d = LLVMBuildZExt(B, d32, b->i64, "");
		LLVMValueRef ends = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntNE, d, zero, ""),
										 LLVMBuildICmp(B, LLVMIntEQ, LLVMBuildURem(B, d, magv, ""), zero, ""), "");
		t = LLVMBuildSelect(B, ends, LLVMBuildUDiv(B, d, magv, ""), chunk, "");
	}
	else
	{
		bool sgn = lv_pred_signed(lv->pred);
		bool incl = lv->pred == LLVMIntSLE || lv->pred == LLVMIntULE || lv->pred == LLVMIntSGE || lv->pred == LLVMIntUGE;
		LLVMValueRef a = sgn ? LLVMBuildSExt(B, iv, b->i64, "") : LLVMBuildZExt(B, iv, b->i64, "");
		LLVMValueRef bd = sgn ? LLVMBuildSExt(B, bv, b->i64, "") : LLVMBuildZExt(B, bv, b->i64, "");
		LLVMValueRef d = lv->step > 0 ? LLVMBuildNSWSub(B, bd, a, "") : LLVMBuildNSWSub(B, a, bd, "");
		if (incl)
			d = LLVMBuildNSWAdd(B, d, one, "");
		d = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, d, one, ""), d, one, "");
		t = LLVMBuildUDiv(B, LLVMBuildNUWAdd(B, d, LLVMConstInt(b->i64, (uint64_t) (mag - 1), 0), ""), magv, "");
	}
	return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntULT, t, chunk, ""), t, chunk, "");
}

/*
 * The end of a loop lowered with a record (c->lv): if it qualifies, lower
 * its body a second time as the unchecked version, fill the guard, and
 * join the two versions' fallthroughs (*handled); otherwise the guard
 * just enters the loop and the caller ends it as usual.
 */
static bool
loop_end_versions(fn *f, ctrl *c, bool *handled)
{
	batch *b = f->b;
	LLVMBuilderRef B = b->B;
	loopver *lv = c->lv;
	c->lv = NULL;
	bool ok = !lv->bad && lv->naccess >= LV_MIN_ACCESSES && lv->ninsns <= LV_MAX_INSNS;
	for (uint32_t i = 0; ok && i < lv->naccess; i++)
		for (uint32_t j = 0; j < lv->acc[i].a.n; j++)
			if (lv->locals[lv->acc[i].a.local[j]].write == LV_OTHER)
				ok = false;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
	if (!ok)
	{
		LLVMPositionBuilderAtEnd(B, lv->guard);
		LLVMBuildBr(B, c->label_bb);
		LLVMPositionBuilderAtEnd(B, here);
		lv_free(lv);
		*handled = false;
		return true;
	}
	*handled = true;
	lv_group_accesses(lv);
	lv_scopes(f, lv);
	lv_counted_exit(f, lv);
	f->b->vectorise |= lv->counted;
	uint32_t nr = c->nresults, height = c->height;
	const uint8_t *results = c->results;
	LLVMBasicBlockRef checked_header = c->label_bb;
	LLVMBasicBlockRef join = new_bb(f, "loop_versions"), from_c = NULL, from_u = NULL;
	LLVMValueRef *vals = calloc(2 * (size_t) nr + 1, sizeof(LLVMValueRef));
	if (!vals)
	{
		lv_free(lv);
		return false;
	}
	if (!f->dead)
	{
		memcpy(vals, f->stack + f->sp - nr, nr * sizeof(LLVMValueRef));
		from_c = LLVMGetInsertBlock(B);
		LLVMBuildBr(B, join);
	}
	LLVMDeleteBasicBlock(c->end_bb);    /* the checked loop ends in join */
	free_ctrl(c);
	f->nctrl--;
	f->sp = height;
	f->dead = false;
	f->dead_depth = 0;

	/* The unchecked version: its back-edges count the chunk down (latch). */
	bool done = false;
	ctrl *u = push_ctrl(f, CTRL_LOOP, 0, NULL, nr, results);
	LLVMBasicBlockRef hu = new_bb(f, "loop_unchecked"), latch = new_bb(f, "chunk_latch");
	LLVMValueRef counter = alloca_at_entry(f, b->i32);
	uint32_t loops_seen = f->loops_seen;
	if (!u)
		goto out;
	u->label_bb = latch;
	lv->counter = counter;
	lv->header = hu;
	f->lv_unchecked = lv;
	f->unchecked_ctrl = f->nctrl - 1;
	for (uint32_t x = 0; x < lv->nlocals; x++)
	{
		lv->locals[x].held.known = false;
		lv->locals[x].held64 = NULL;
		if (lv->locals[x].write == LV_STEPPED && f->code->local_types[x] == WRT_I32)
			lv->locals[x].shadow = alloca_at_entry(f, b->i64);
	}
	LLVMPositionBuilderAtEnd(B, hu);
	/* In an OSR lowering the stack below comes from its variables at every
	 * label (the checked header's loads do not dominate this one). */
	if (!osr_reload(f, height))
		goto out;
	wrt_insn_reader rd = lv->rd;
	wrt_insn in;
	for (;;)
	{
		if (wrt_insn_at_end(&rd) || !wrt_insn_next(&rd, &in))
		{
			snprintf(f->err, f->errlen, "unexpected end of a loop");
			goto out;
		}
		f->offset = (uint32_t) (in.pos - f->wm->bytes);
		if (f->dead)
		{
			bool skipped;
			skip_dead(f, &in, &skipped);
			if (skipped)
				continue;
		}
		if (in.op == WRT_OP_END && f->nctrl - 1 == f->unchecked_ctrl)
			break;
		if (!lower_insn(f, &in, &rd))
			goto out;
	}
	if (!f->dead)
	{
		memcpy(vals + nr, f->stack + f->sp - nr, nr * sizeof(LLVMValueRef));
		from_u = LLVMGetInsertBlock(B);
		LLVMBuildBr(B, join);
	}
	free_ctrl(u);
	f->nctrl--;
	f->lv_unchecked = NULL;
	f->loops_seen = loops_seen;

	LLVMPositionBuilderAtEnd(B, latch);
	{
		LLVMValueRef c1 = LLVMBuildSub(B, load(f, b->i32, counter), c32(b, 1), "");
		LLVMBuildStore(B, c1, counter);
		LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, c1, c32(b, 0), ""), hu, lv->guard);
	}
	LLVMPositionBuilderAtEnd(B, lv->guard);
	f->offset = lv->offset;
	poll_interrupt(f);
	LLVMValueRef k = lv->counted ? lv_chunk_count(f, lv) : LLVMConstInt(b->i64, LV_CHUNK, 0);
	if (lv->counted)
	{
		/* Fewer than LV_MIN_TRIP iterations left: run them checked, the
		 * guard's bounds and overlap tests would cost more than the
		 * checks they save (nbody's pair loops run 4, 3, 2, 1 times).
		 * Decided first: the counter and shadows are the chunk's only. */
		LLVMBasicBlockRef full = new_bb(f, "chunk_long");
		LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, k, LLVMConstInt(b->i64, LV_MIN_TRIP, 0), ""),
						checked_header, full);
		LLVMPositionBuilderAtEnd(B, full);
	}
	LLVMBuildStore(B, LLVMBuildTrunc(B, k, b->i32, ""), counter);
	for (uint32_t x = 0; x < lv->nlocals; x++)
		if (lv->locals[x].shadow)
			LLVMBuildStore(B, lv_rep(f, lv, x, load(f, b->i32, f->locals[x])), lv->locals[x].shadow);
	LLVMValueRef go = lv_guard_cond(f, lv, k);
	if (lv->ngroups >= 2)
	{
		/* a new instance of the scopes for this chunk (lv_scopes) */
		LLVMBasicBlockRef into = new_bb(f, "chunk_scopes");
		LLVMBuildCondBr(B, go, into, checked_header);
		LLVMPositionBuilderAtEnd(B, into);
		unsigned id = LLVMLookupIntrinsicID("llvm.experimental.noalias.scope.decl", strlen("llvm.experimental.noalias.scope.decl"));
		LLVMValueRef decl_fn = LLVMGetIntrinsicDeclaration(b->M, id, NULL, 0);
		for (uint32_t g = 0; g < lv->ngroups; g++)
			LLVMBuildCall2(B, LLVMIntrinsicGetType(ctx, id, NULL, 0), decl_fn, &lv->md_scope[g], 1, "");
		LLVMBuildBr(B, hu);
	}
	else
		LLVMBuildCondBr(B, go, hu, checked_header);

	LLVMPositionBuilderAtEnd(B, join);
	f->sp = height;
	if (!osr_reload(f, height))
		goto out;
	if (!from_c && !from_u)
	{
		LLVMBuildUnreachable(B);
		set_dead(f);
		done = true;
		goto out;
	}
	f->dead = false;
	done = true;
	for (uint32_t i = 0; i < nr; i++)
	{
		LLVMValueRef v = from_c ? vals[i] : vals[nr + i];
		if (from_c && from_u)
		{
			v = LLVMBuildPhi(B, LLVMTypeOf(vals[i]), "");
			LLVMValueRef in2[2] = {vals[i], vals[nr + i]};
			LLVMBasicBlockRef bb2[2] = {from_c, from_u};
			LLVMAddIncoming(v, in2, bb2, 2);
		}
		if (!push(f, v))
		{
			done = false;
			break;
		}
	}
out:
	f->lv_unchecked = NULL;
	free(vals);
	lv_free(lv);
	return done;
}

static bool
lower_insn(fn *f, const wrt_insn *in, wrt_insn_reader *rd)
{
	batch *b = f->b;
	LLVMBuilderRef B = b->B;
	uint16_t op = in->op;
	const wrt_opinfo *info = &wrt_opinfo_table[op];
	loopver *counting = lv_current(f);
	if (counting)
		counting->ninsns++;

	if (rows[op].numeric)
	{
		LLVMValueRef fnv = LLVMGetNamedFunction(b->M, rows[op].helper);
		if (!fnv)
		{
			snprintf(f->err, f->errlen, "no bitcode for %s", info->name);
			return false;
		}
		LLVMValueRef args[3];
		unsigned n = 0;
		/* address arithmetic: the result's affine form */
		bool affine = op == WRT_OP_I32_ADD || op == WRT_OP_I32_SUB || op == WRT_OP_I32_MUL
			|| op == WRT_OP_I32_SHL || op == WRT_OP_I32_AND || op == WRT_OP_I32_OR || op == WRT_OP_I32_XOR
			|| op == WRT_OP_I32_SHR_U || op == WRT_OP_I32_REM_U;
		aff ta = {0}, tb = {0};
		LLVMValueRef va = NULL, vb = NULL;
		if (affine)
		{
			ta = f->tags[f->sp - 2];
			tb = f->tags[f->sp - 1];
			va = f->v64[f->sp - 2];
			vb = f->v64[f->sp - 1];
		}
		if (rows[op].binary)
		{
			LLVMValueRef rhs = pop(f);
			args[n++] = pop(f);
			args[n++] = rhs;
		}
		else
			args[n++] = pop(f);
		if (info->t_in == WRT_F32 || info->t_in == WRT_F64)
			for (unsigned i = 0; i < n; i++)
				args[i] = keep_snan(f, args[i], op == WRT_OP_F32_DEMOTE_F64);
		if (rows[op].may_trap)
			LLVMBuildStore(B, c32(b, 0), f->trap_var);
		args[n++] = f->trap_var;
		LLVMValueRef r = LLVMBuildCall2(B, LLVMGlobalGetValueType(fnv), fnv, args, n, "");
		if (rows[op].may_trap)
		{
			LLVMValueRef k = load(f, b->i32, f->trap_var);
			trap_if(f, LLVMBuildICmp(B, LLVMIntNE, k, c32(b, 0), ""), k);
		}
		if (!push(f, r))
			return false;
		if (affine)
		{
			aff *t = &f->tags[f->sp - 1];
			if (op == WRT_OP_I32_ADD || op == WRT_OP_I32_SUB)
				aff_add(t, &ta, &tb, op == WRT_OP_I32_ADD ? 1 : -1);
			else if (op == WRT_OP_I32_MUL && tb.known && tb.n == 0 && !aff_has_var(&tb))
				aff_scale(t, &ta, tb.k);
			else if (op == WRT_OP_I32_MUL && ta.known && ta.n == 0 && !aff_has_var(&ta))
				aff_scale(t, &tb, ta.k);
			else if (op == WRT_OP_I32_SHL && tb.known && tb.n == 0 && !aff_has_var(&tb))
				aff_scale(t, &ta, (int64_t) 1 << ((uint32_t) tb.k & 31));
			else if (op != WRT_OP_I32_ADD && op != WRT_OP_I32_SUB && op != WRT_OP_I32_MUL && op != WRT_OP_I32_SHL)
				*t = aff_bounded_op(op, &ta, &tb);
			else
				t->known = false;
			/* the unchecked version: the same form's exact value */
			if (f->lv_unchecked && t->known && !aff_has_var(t) && va && vb
				&& (op == WRT_OP_I32_ADD || op == WRT_OP_I32_SUB || op == WRT_OP_I32_MUL || op == WRT_OP_I32_SHL))
			{
				LLVMValueRef v;
				if (op == WRT_OP_I32_ADD)
					v = LLVMBuildNSWAdd(B, va, vb, "");
				else if (op == WRT_OP_I32_SUB)
					v = LLVMBuildNSWSub(B, va, vb, "");
				else if (op == WRT_OP_I32_MUL)
					v = LLVMBuildNSWMul(B, va, vb, "");
				else
					v = LLVMBuildNSWMul(B, va, LLVMConstInt(b->i64, (uint64_t) 1 << ((uint32_t) tb.k & 31), 0), "");
				f->v64[f->sp - 1] = v;
			}
		}
		return true;
	}

	switch ((wrt_opclass) info->cls)
	{
		case WRT_OPC_LOAD:
		{
			LLVMValueRef p = address(f, pop(f), in->memarg.offset, rows[op].mem_size);
			LLVMTypeRef mt = rows[op].mem_float ? vt(b, info->t_out)
				: LLVMIntTypeInContext(ctx, rows[op].mem_size * 8);
			LLVMValueRef v = load(f, mt, LLVMBuildBitCast(B, p, LLVMPointerType(mt, 0), ""));
			LLVMSetAlignment(v, 1);
			lv_mark(f, v);
			LLVMTypeRef rt = vt(b, info->t_out);
			if (!rows[op].mem_float && mt != rt)
				v = rows[op].mem_signed ? LLVMBuildSExt(B, v, rt, "") : LLVMBuildZExt(B, v, rt, "");
			if (!push(f, v))
				return false;
			/* a narrow load's value range (a table index) */
			if (info->t_out == WRT_I32 && rows[op].mem_size < 4)
			{
				int64_t bits = rows[op].mem_size * 8;
				f->tags[f->sp - 1] = rows[op].mem_signed
					? aff_range(-((int64_t) 1 << (bits - 1)), ((int64_t) 1 << (bits - 1)) - 1)
					: aff_range(0, ((int64_t) 1 << bits) - 1);
			}
			return true;
		}
		case WRT_OPC_STORE:
		{
			LLVMValueRef v = pop(f);
			f->access_store = true;
			LLVMValueRef p = address(f, pop(f), in->memarg.offset, rows[op].mem_size);
			f->access_store = false;
			LLVMTypeRef mt = rows[op].mem_float ? vt(b, info->t_in)
				: LLVMIntTypeInContext(ctx, rows[op].mem_size * 8);
			if (!rows[op].mem_float && LLVMTypeOf(v) != mt)
				v = LLVMBuildTrunc(B, v, mt, "");
			LLVMValueRef s = LLVMBuildStore(B, v, LLVMBuildBitCast(B, p, LLVMPointerType(mt, 0), ""));
			LLVMSetAlignment(s, 1);
			lv_mark(f, s);
			return true;
		}
		case WRT_OPC_CTRL:
			break;
		case WRT_OPC_UN: case WRT_OPC_TEST: case WRT_OPC_BIN: case WRT_OPC_CMP:
			snprintf(f->err, f->errlen, "%s not lowered", info->name);
			return false;
		case WRT_OPC_VLOAD: case WRT_OPC_VSTORE: case WRT_OPC_VLOAD_LANE: case WRT_OPC_VSTORE_LANE:
		case WRT_OPC_VSPLAT: case WRT_OPC_VEXTRACT: case WRT_OPC_VREPLACE: case WRT_OPC_VUN:
		case WRT_OPC_VBIN: case WRT_OPC_VTER: case WRT_OPC_VTEST: case WRT_OPC_VSHIFT:
			return lower_simd(f, in);
	}

	switch (op)
	{
		case WRT_OP_UNREACHABLE:
			trap_always(f, WRT_TRAP_UNREACHABLE);
			set_dead(f);
			return true;
		case WRT_OP_NOP:
			return true;
		case WRT_OP_BLOCK:
		case WRT_OP_LOOP:
		case WRT_OP_IF:
		{
			uint32_t np, nr;
			const uint8_t *params, *results;
			block_types(f, in, &np, &params, &nr, &results);
			LLVMValueRef cond = op == WRT_OP_IF ? pop(f) : NULL;
			ctrl_kind kind = op == WRT_OP_BLOCK ? CTRL_BLOCK : op == WRT_OP_LOOP ? CTRL_LOOP : CTRL_IF;
			uint32_t ordinal = kind == CTRL_LOOP ? f->loops_seen++ : 0;
			if (kind == CTRL_LOOP)
				lv_spoil(f);        /* an enclosing loop is not innermost */
			ctrl *c = push_ctrl(f, kind, np, params, nr, results);
			if (!c || !osr_spill(f, c->height))
				return false;
			c->end_bb = new_bb(f, "end");
			if (kind == CTRL_LOOP)
			{
				c->label_bb = new_bb(f, "loop");
				if (f->osr_loop == (int64_t) ordinal && !osr_enter_here(f, c))
					return false;
				/* A candidate for an unchecked version enters through
				 * its guard block, filled at its end (loop_end_versions). */
				LLVMBasicBlockRef into = c->label_bb;
				if (np == 0 && !f->lv_unchecked && lv_enabled())
				{
					c->lv = lv_new(f, rd);
					if (c->lv)
						into = c->lv->guard;
				}
				store_label_values(f, c);
				LLVMBuildBr(B, into);
				LLVMPositionBuilderAtEnd(B, c->label_bb);
				f->sp -= np;
				if (!osr_reload(f, c->height) || !push_label_values(f, c))
					return false;
				if (!loop_calls_first(f, rd))
					poll_interrupt(f);
				return true;
			}
			c->label_bb = c->end_bb;
			if (kind == CTRL_IF)
			{
				LLVMBasicBlockRef then_bb = new_bb(f, "then");
				c->else_bb = new_bb(f, "else");
				if (np)
				{
					c->if_params = malloc(np * sizeof(LLVMValueRef));
					if (!c->if_params)
						return false;
					memcpy(c->if_params, f->stack + f->sp - np, np * sizeof(LLVMValueRef));
				}
				LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, cond, c32(b, 0), ""), then_bb, c->else_bb);
				LLVMPositionBuilderAtEnd(B, then_bb);
			}
			return true;
		}
		case WRT_OP_ELSE:
		{
			lv_join(f);
			ctrl *c = &f->ctrls[f->nctrl - 1];
			if (!f->dead)
			{
				store_label_values(f, c);
				LLVMBuildBr(B, c->end_bb);
			}
			LLVMPositionBuilderAtEnd(B, c->else_bb);
			c->else_bb = NULL;
			f->sp = c->height;
			if (!osr_reload(f, c->height))
				return false;
			for (uint32_t i = 0; i < c->nparams; i++)
				if (!push(f, c->if_params[i]))
					return false;
			f->dead = false;
			return true;
		}
		case WRT_OP_END:
		{
			lv_join(f);
			ctrl *c = &f->ctrls[f->nctrl - 1];
			if (c->kind == CTRL_LOOP && c->lv)
			{
				bool handled = false;
				if (!loop_end_versions(f, c, &handled))
					return false;
				if (handled)
					return true;
			}
			if (!f->dead)
			{
				if (c->kind == CTRL_LOOP)
				{
					/* a loop's label is its start: the end takes the results directly */
					LLVMBuildBr(B, c->end_bb);
				}
				else
				{
					store_label_values(f, c);
					LLVMBuildBr(B, c->end_bb);
				}
			}
			if (c->kind == CTRL_IF && c->else_bb)
			{
				/* no else: the false arm passes the params through */
				LLVMPositionBuilderAtEnd(B, c->else_bb);
				for (uint32_t i = 0; i < c->nresults; i++)
					LLVMBuildStore(B, c->if_params[i], c->label_vars[i]);
				LLVMBuildBr(B, c->end_bb);
				c->end_reached = true;
			}
			LLVMPositionBuilderAtEnd(B, c->end_bb);
			if (!osr_reload(f, c->height))
				return false;
			if (c->kind == CTRL_LOOP)
			{
				/* results flow straight from the fallthrough (loops have no
				 * result variables): keep the values on the stack */
				if (f->dead)
				{
					LLVMBuildUnreachable(B);
					f->sp = c->height;
					free_ctrl(c);
					f->nctrl--;
					set_dead(f);
					return true;
				}
				uint32_t nr = c->nresults;
				memmove(f->stack + c->height, f->stack + f->sp - nr, nr * sizeof(LLVMValueRef));
				f->sp = c->height + nr;
				free_ctrl(c);
				f->nctrl--;
				return true;
			}
			f->sp = c->height;
			bool reached = c->end_reached;
			if (c->kind == CTRL_FUNC)
			{
				f->ret_bb = c->end_bb;
				if (!reached)
				{
					LLVMBuildUnreachable(B);
					set_dead(f);
					return true;
				}
				LLVMValueRef *rv = malloc((c->nresults + 1) * sizeof(LLVMValueRef));
				if (!rv)
					return false;
				for (uint32_t i = 0; i < c->nresults; i++)
					rv[i] = load(f, vt(b, c->results[i]), c->label_vars[i]);
				emit_return_values(f, rv);
				free(rv);
				f->dead = true;
				return true;
			}
			if (!reached)
			{
				LLVMBuildUnreachable(B);
				free_ctrl(c);
				f->nctrl--;
				set_dead(f);
				return true;
			}
			if (!push_label_values(f, c))
				return false;
			free_ctrl(c);
			f->nctrl--;
			f->dead = false;
			return true;
		}
		case WRT_OP_BR:
			branch_to(f, in->index);
			set_dead(f);
			return true;
		case WRT_OP_BR_IF:
		{
			LLVMValueRef cond = pop(f);
			ctrl *c = &f->ctrls[f->nctrl - 1 - in->index];
			if (f->lv_unchecked && f->nctrl - 1 - in->index == f->unchecked_ctrl)
			{
				/* The unchecked version's back-edge counts the chunk down.
				 * Counted, the count is its only exit, then the condition
				 * on i's value after it; otherwise the Wasm condition and
				 * the count in one exiting branch. */
				loopver *lv = f->lv_unchecked;
				LLVMValueRef c1 = LLVMBuildSub(B, load(f, b->i32, lv->counter), c32(b, 1), "");
				LLVMBuildStore(B, c1, lv->counter);
				LLVMValueRef more = LLVMBuildICmp(B, LLVMIntNE, c1, c32(b, 0), "");
				LLVMValueRef taken = lv->counted ? NULL : LLVMBuildICmp(B, LLVMIntNE, cond, c32(b, 0), "");
				LLVMBasicBlockRef out = new_bb(f, "chunk_out"), cont = new_bb(f, "");
				LLVMBuildCondBr(B, lv->counted ? more : LLVMBuildAnd(B, taken, more, ""), lv->header, out);
				LLVMPositionBuilderAtEnd(B, out);
				LLVMBuildCondBr(B, lv->counted ? lv_continues(f, lv) : taken, lv->guard, cont);
				LLVMPositionBuilderAtEnd(B, cont);
				return true;
			}
			store_label_values(f, c);
			LLVMBasicBlockRef cont = new_bb(f, "");
			LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, cond, c32(b, 0), ""), c->label_bb, cont);
			LLVMPositionBuilderAtEnd(B, cont);
			return true;
		}
		case WRT_OP_BR_TABLE:
		{
			LLVMValueRef idx = pop(f);
			uint32_t n = in->br_table.count;
			/* One block per target that stores the label's values. */
			LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
			LLVMBasicBlockRef *by_depth = calloc(f->nctrl, sizeof(LLVMBasicBlockRef));
			if (!by_depth)
				return false;
			const uint8_t *p = in->br_table.labels;
			LLVMBasicBlockRef def_bb = NULL;
			LLVMValueRef sw = NULL;
			for (uint32_t i = 0; i <= n; i++)
			{
				uint32_t depth = i < n ? wrt_br_table_label(&p) : in->br_table.default_label;
				if (!by_depth[depth])
				{
					by_depth[depth] = new_bb(f, "br_table");
					LLVMPositionBuilderAtEnd(B, by_depth[depth]);
					branch_to(f, depth);
				}
				if (i == 0)
				{
					/* the switch needs its default first; make it after the loop */
				}
				(void) def_bb;
			}
			/* second pass: the switch itself */
			LLVMPositionBuilderAtEnd(B, here);
			uint32_t def = in->br_table.default_label;
			sw = LLVMBuildSwitch(B, idx, by_depth[def], n);
			p = in->br_table.labels;
			for (uint32_t i = 0; i < n; i++)
			{
				uint32_t depth = wrt_br_table_label(&p);
				if (depth != def)
					LLVMAddCase(sw, c32(b, i), by_depth[depth]);
			}
			free(by_depth);
			(void) rd;
			set_dead(f);
			return true;
		}
		case WRT_OP_RETURN:
			branch_to(f, f->nctrl - 1);
			set_dead(f);
			return true;
		case WRT_OP_CALL:
			lv_spoil(f);
			return lower_call(f, in->index);
		case WRT_OP_CALL_INDIRECT:
		{
			lv_spoil(f);
			const wrt_functype *t = &f->wm->types[in->call_indirect.type];
			LLVMValueRef elem = pop(f);
			LLVMValueRef extra[6] = {c32(b, in->call_indirect.table), c32(b, in->call_indirect.type), elem,
									 f->scratch, c32(b, f->func), c32(b, f->offset)};
			return call_through_slots(f, t, H_call_indirect, extra, 6);
		}
		case WRT_OP_DROP:
			f->sp--;
			return true;
		case WRT_OP_SELECT:
		case WRT_OP_SELECT_T:
		{
			LLVMValueRef c = pop(f), y = pop(f), x = pop(f);
			return push(f, LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntNE, c, c32(b, 0), ""), x, y, ""));
		}
		case WRT_OP_LOCAL_GET:
			if (!push(f, load(f, vt(b, f->code->local_types[in->index]), f->locals[in->index])))
				return false;
			if (f->code->local_types[in->index] == WRT_I32)
			{
				f->tags[f->sp - 1] = lv_local_tag(f, in->index);
				if (f->lv_unchecked)
				{
					loopver *lv = f->lv_unchecked;
					f->v64[f->sp - 1] = lv->locals[in->index].shadow ? load(f, b->i64, lv->locals[in->index].shadow)
						: lv->locals[in->index].held64 ? lv->locals[in->index].held64
						: aff_has_var(&lv->locals[in->index].held) && lv->locals[in->index].held.known ? NULL
						: lv_rep(f, lv, in->index, f->stack[f->sp - 1]);
				}
			}
			return true;
		case WRT_OP_LOCAL_SET:
		case WRT_OP_LOCAL_TEE:
			if (f->lv_unchecked)
			{
				if (!lv_unchecked_write(f, in->index, &f->tags[f->sp - 1], f->v64[f->sp - 1]))
					return false;
			}
			else
				lv_note_write(f, in->index, &f->tags[f->sp - 1]);
			LLVMBuildStore(B, f->stack[f->sp - 1], f->locals[in->index]);
			if (op == WRT_OP_LOCAL_SET)
				f->sp--;
			return true;
		case WRT_OP_GLOBAL_GET:
		case WRT_OP_GLOBAL_SET:
		{
			uint8_t t = f->wm->globals[in->index].type;
			LLVMValueRef idx = LLVMConstInt(b->i64, in->index, 0);
			LLVMValueRef gpp = LLVMBuildGEP2(B, b->ptr, f->globals, &idx, 1, "");
			LLVMValueRef g = load(f, b->ptr, gpp);
			LLVMValueRef bits = field(f, g, offsetof(wrt_global, v), b->i64);
			if (op == WRT_OP_GLOBAL_GET)
				return push(f, load_slots(f, t, bits, 0));
			store_slots(f, pop(f), t, bits, 0);
			return true;
		}
		case WRT_OP_TABLE_GET:
		{
			LLVMValueRef out = alloca_at_entry(f, b->ptr);
			LLVMValueRef args[4] = {f->inst, c32(b, in->index), pop(f), out};
			LLVMValueRef k = call_helper(f, H_table_get, args, 4);
			trap_if(f, LLVMBuildICmp(B, LLVMIntNE, k, c32(b, 0), ""), k);
			return push(f, load(f, b->ptr, out));
		}
		case WRT_OP_TABLE_SET:
		{
			LLVMValueRef v = pop(f);
			LLVMValueRef args[4] = {f->inst, c32(b, in->index), pop(f), v};
			LLVMValueRef k = call_helper(f, H_table_set, args, 4);
			trap_if(f, LLVMBuildICmp(B, LLVMIntNE, k, c32(b, 0), ""), k);
			return true;
		}
		case WRT_OP_MEMORY_SIZE:
		{
			LLVMValueRef pages = LLVMBuildLShr(B, load(f, b->i64, f->size_var), LLVMConstInt(b->i64, 16, 0), "");
			return push(f, LLVMBuildTrunc(B, pages, b->i32, ""));
		}
		case WRT_OP_MEMORY_GROW:
		{
			lv_spoil(f);
			LLVMValueRef args[2] = {f->inst, pop(f)};
			LLVMValueRef r = call_helper(f, H_memory_grow, args, 2);
			reload_memory(f);
			return push(f, r);
		}
		case WRT_OP_I32_CONST:
			if (!push(f, LLVMConstInt(b->i32, (uint32_t) in->i32, 0)))
				return false;
			f->tags[f->sp - 1] = (aff) {.known = true, .k = (int32_t) in->i32};
			if (f->lv_unchecked)
				f->v64[f->sp - 1] = LLVMConstInt(b->i64, (uint64_t) (int64_t) in->i32, 1);
			return true;
		case WRT_OP_I64_CONST:
			return push(f, LLVMConstInt(b->i64, (uint64_t) in->i64, 0));
		case WRT_OP_F32_CONST:
			return push(f, opaque_const(f, LLVMConstBitCast(LLVMConstInt(b->i32, in->f32_bits, 0), b->f32)));
		case WRT_OP_F64_CONST:
			return push(f, opaque_const(f, LLVMConstBitCast(LLVMConstInt(b->i64, in->f64_bits, 0), b->f64)));
		case WRT_OP_REF_NULL:
			return push(f, LLVMConstNull(b->ptr));
		case WRT_OP_REF_IS_NULL:
			return push(f, LLVMBuildZExt(B, LLVMBuildIsNull(B, pop(f), ""), b->i32, ""));
		case WRT_OP_REF_FUNC:
		{
			LLVMValueRef args[2] = {f->inst, c32(b, in->index)};
			return push(f, call_helper(f, H_ref_func, args, 2));
		}
		case WRT_OP_MEMORY_INIT:
		case WRT_OP_MEMORY_COPY:
		case WRT_OP_MEMORY_FILL:
		case WRT_OP_TABLE_COPY:
		case WRT_OP_TABLE_INIT:
		case WRT_OP_TABLE_FILL:
		{
			LLVMValueRef n = pop(f), s = pop(f), d = pop(f);
			LLVMValueRef args[6];
			unsigned na = 0;
			enum helper_id h;
			args[na++] = f->inst;
			switch (op)
			{
				case WRT_OP_MEMORY_INIT:
					h = H_memory_init;
					args[na++] = c32(b, in->memory_init.data);
					break;
				case WRT_OP_MEMORY_COPY:
					h = H_memory_copy;
					break;
				case WRT_OP_MEMORY_FILL:
					h = H_memory_fill;
					break;
				case WRT_OP_TABLE_COPY:
					h = H_table_copy;
					args[na++] = c32(b, in->copy.dst);
					args[na++] = c32(b, in->copy.src);
					break;
				case WRT_OP_TABLE_INIT:
					h = H_table_init;
					args[na++] = c32(b, in->table_init.table);
					args[na++] = c32(b, in->table_init.elem);
					break;
				default:        /* WRT_OP_TABLE_FILL: (i, v, n) */
					h = H_table_fill;
					args[na++] = c32(b, in->index);
					break;
			}
			args[na++] = d;
			args[na++] = s;
			args[na++] = n;
			LLVMValueRef k = call_helper(f, h, args, na);
			trap_if(f, LLVMBuildICmp(B, LLVMIntNE, k, c32(b, 0), ""), k);
			return true;
		}
		case WRT_OP_DATA_DROP:
		case WRT_OP_ELEM_DROP:
		{
			LLVMValueRef args[2] = {f->inst, c32(b, in->index)};
			call_helper(f, op == WRT_OP_DATA_DROP ? H_data_drop : H_elem_drop, args, 2);
			return true;
		}
		case WRT_OP_TABLE_GROW:
		{
			LLVMValueRef n = pop(f), init = pop(f);
			LLVMValueRef args[4] = {f->inst, c32(b, in->index), init, n};
			return push(f, call_helper(f, H_table_grow, args, 4));
		}
		case WRT_OP_TABLE_SIZE:
		{
			LLVMValueRef args[2] = {f->inst, c32(b, in->index)};
			return push(f, call_helper(f, H_table_size, args, 2));
		}
		case WRT_OP_V128_CONST:
		case WRT_OP_I8X16_SHUFFLE:
			return lower_simd(f, in);
		default:
			snprintf(f->err, f->errlen, "%s not lowered", info->name);
			return false;
	}
}

/* Instructions in dead code: only the nesting matters. */
static bool
skip_dead(fn *f, const wrt_insn *in, bool *handled)
{
	*handled = true;
	switch (in->op)
	{
		case WRT_OP_BLOCK:
		case WRT_OP_LOOP:
		case WRT_OP_IF:
			f->loops_seen += in->op == WRT_OP_LOOP;
			f->dead_depth++;
			return true;
		case WRT_OP_ELSE:
			if (f->dead_depth == 0)
				*handled = false;
			return true;
		case WRT_OP_END:
			if (f->dead_depth == 0)
				*handled = false;
			else
				f->dead_depth--;
			return true;
		default:
			return true;
	}
}

/* Does the function use what this back end does not lower?  Everything
 * validated is lowered now, SIMD included; a body the reader cannot read
 * (it was validated: defence only) stays with the interpreter. */
static bool
refuse(const wrt_module *m, const wrt_code *code, char *why, size_t len)
{
	wrt_error err;
	wrt_insn_reader rd;
	wrt_insn in;
	wrt_insn_reader_init(&rd, m->bytes, code->body, code->body_end, &err);
	while (!wrt_insn_at_end(&rd))
		if (!wrt_insn_next(&rd, &in))
		{
			snprintf(why, len, "unreadable body: %.60s", err.message);
			return true;
		}
	return false;
}


/*
 * Lower the body of code index k into w: the typed function (osr_loop < 0),
 * or the typed OSR function entering loop osr_loop, whose header has
 * osr_stack operand-stack slots live (the file's header).
 */
static bool
lower_body(batch *b, uint32_t k, LLVMValueRef w, int64_t osr_loop, uint32_t osr_stack, char *err, size_t errlen)
{
	wrt_module *m = b->wm;
	wrt_code *code = &m->codes[k];
	fn F = {0}, *f = &F;
	f->b = b;
	f->wm = m;
	f->code = code;
	f->func = code->func_index;
	f->type = wrt_module_functype(m, code->func_index);
	f->w = w;
	f->err = err;
	f->errlen = errlen;
	f->osr_loop = osr_loop;
	f->osr_stack = osr_stack;
	LLVMBuilderRef B = b->B;
	bool ok = false;

	f->entry_bb = new_bb(f, "entry");
	f->ab = LLVMCreateBuilderInContext(ctx);
	LLVMPositionBuilderAtEnd(f->ab, f->entry_bb);
	LLVMBasicBlockRef body_bb = new_bb(f, "body");
	LLVMPositionBuilderAtEnd(B, f->entry_bb);
	/* The allocas stay above this branch (f->ab inserts before it). */
	LLVMValueRef entry_br = LLVMBuildBr(B, body_bb);
	LLVMPositionBuilderBefore(f->ab, entry_br);
	LLVMPositionBuilderAtEnd(B, body_bb);

	f->inst = LLVMGetParam(f->w, 0);
	f->fp = LLVMGetParam(f->w, 1);
	f->rem = LLVMGetParam(f->w, 2);
	uint32_t window = wrt_tier_window(f->type);
	f->scratch = slot_ptr(f, f->fp, window);
	f->store = load_field(f, f->inst, offsetof(wrt_instance, store), b->ptr);
	f->trapkind_ptr = field(f, f->store, offsetof(wrt_store, trap) + offsetof(wrt_trap, kind), b->i32);
	f->nframes_ptr = field(f, f->store, offsetof(wrt_store, nframes), b->i32);
	f->intr = load_field(f, f->store, offsetof(wrt_store, interrupt), b->i32ptr);  /* never NULL */
	f->globals = m->nglobals ? LLVMBuildBitCast(B, load_field(f, f->inst, offsetof(wrt_instance, globals), b->ptr),
												LLVMPointerType(b->ptr, 0), "")
		: NULL;
	f->trap_var = alloca_at_entry(f, b->i32);

	/* Failure paths. */
	f->raise_bb = new_bb(f, "raise");
	f->unwind_bb = new_bb(f, "unwind");
	f->fail_bb = new_bb(f, "fail");
	LLVMBasicBlockRef early_bb = new_bb(f, "exhausted");
	LLVMBasicBlockRef here = LLVMGetInsertBlock(B);

	/* Depth: the frames left (a parameter: no memory traffic per call) and
	 * the C stack.  The value stack was checked by the entry (make_entry). */
	uint32_t need = window + wrt_tier_call_window(m, code);
	if (need > b->max_need)
		b->max_need = need;
	LLVMValueRef too_deep = LLVMBuildICmp(B, LLVMIntEQ, f->rem, c32(b, 0), "");
	LLVMValueRef fa = LLVMBuildCall2(B, LLVMGlobalGetValueType(b->stacksave), b->stacksave, NULL, 0, "");
	LLVMValueRef limit = load_field(f, f->store, offsetof(wrt_store, native_stack_limit), b->ptr);
	LLVMValueRef no_c_stack = LLVMBuildICmp(B, LLVMIntULT, LLVMBuildPtrToInt(B, fa, b->i64, ""),
											LLVMBuildPtrToInt(B, limit, b->i64, ""), "");
	LLVMValueRef exhausted = LLVMBuildOr(B, too_deep, no_c_stack, "");
	LLVMBasicBlockRef go = new_bb(f, "");
	LLVMBuildCondBr(B, exhausted, early_bb, go);
	(void) here;
	LLVMPositionBuilderAtEnd(B, early_bb);
	{
		LLVMValueRef args[4] = {f->inst, c32(b, WRT_TRAP_STACK_EXHAUSTED), c32(b, f->func),
								c32(b, (uint32_t) (code->body - m->bytes))};
		call_helper(f, H_trap, args, 4);
	}

	/* Raise and unwind: record, then leave with the counter restored. */
	LLVMPositionBuilderAtEnd(B, f->raise_bb);
	f->raise_kind = LLVMBuildPhi(B, b->i32, "kind");
	f->raise_off = LLVMBuildPhi(B, b->i32, "offset");
	{
		LLVMValueRef args[4] = {f->inst, f->raise_kind, c32(b, f->func), f->raise_off};
		call_helper(f, H_trap, args, 4);
		LLVMBuildBr(B, f->fail_bb);
	}
	LLVMPositionBuilderAtEnd(B, f->unwind_bb);
	f->unwind_off = LLVMBuildPhi(B, b->i32, "offset");
	{
		LLVMValueRef args[3] = {f->inst, c32(b, f->func), f->unwind_off};
		call_helper(f, H_unwind, args, 3);
		LLVMBuildBr(B, f->fail_bb);
	}
	LLVMPositionBuilderAtEnd(B, f->fail_bb);
	LLVMValueRef *undefs = NULL;
	if (f->type->nresults)
	{
		undefs = malloc(f->type->nresults * sizeof(LLVMValueRef));
		if (!undefs)
			goto out;
		for (uint32_t i = 0; i < f->type->nresults; i++)
			undefs[i] = LLVMGetUndef(vt(b, f->type->results[i]));
	}
	emit_return_values(f, undefs);
	/* the early exit returns undefined results too */
	LLVMPositionBuilderAtEnd(B, early_bb);
	emit_return_values(f, undefs);
	free(undefs);

	LLVMPositionBuilderAtEnd(B, go);
	/* Locals: parameters, then zeros; or, entering a loop, the
	 * interpreter's (from its frame: a v128 takes two slots). */
	f->nlocals = code->nlocals;
	f->locals = calloc(code->nlocals ? code->nlocals : 1, sizeof(LLVMValueRef));
	if (!f->locals)
		goto out;
	for (uint32_t i = 0; i < code->nlocals; i++)
	{
		uint8_t lt = code->local_types[i];
		LLVMTypeRef t = vt(b, lt);
		f->locals[i] = alloca_at_entry(f, t);
		/* a float zero made opaque as every float constant (opaque_const):
		 * 0 / 0 of a fresh local is the hardware's NaN, not LLVM's */
		bool fp = lt == WRT_F32 || lt == WRT_F64 || lt == WRT_V128;
		LLVMValueRef v = osr_loop >= 0 ? load_slots(f, lt, f->fp, f->nlocal_slots)
			: i < f->type->nparams ? LLVMGetParam(f->w, 3 + i)
			: fp ? opaque_const(f, LLVMConstNull(t)) : LLVMConstNull(t);
		LLVMBuildStore(B, v, f->locals[i]);
		f->nlocal_slots += nslots(lt);
	}
	if (m->nmems)
	{
		f->mem_var = alloca_at_entry(f, b->ptr);
		f->size_var = alloca_at_entry(f, b->i64);
		reload_memory(f);
	}
	f->offset = (uint32_t) (code->body - m->bytes);
	poll_interrupt(f);
	if (osr_loop >= 0)
	{
		/* On to the loop (osr_enter_here fills this block); the body's
		 * own start becomes unreachable. */
		f->osr_bb = new_bb(f, "osr");
		LLVMBuildBr(B, f->osr_bb);
		LLVMPositionBuilderAtEnd(B, new_bb(f, "start"));
	}

	ctrl *fc = push_ctrl(f, CTRL_FUNC, 0, NULL, f->type->nresults, f->type->results);
	if (!fc)
		goto out;
	fc->end_bb = new_bb(f, "return");
	fc->label_bb = fc->end_bb;

	wrt_error rerr;
	memset(&rerr, 0, sizeof(rerr));
	wrt_insn_reader rd;
	wrt_insn in;
	wrt_insn_reader_init(&rd, m->bytes, code->body, code->body_end, &rerr);
	while (f->nctrl > 0)
	{
		if (wrt_insn_at_end(&rd) || !wrt_insn_next(&rd, &in))
		{
			snprintf(err, errlen, "unexpected end of body");
			goto out;
		}
		f->offset = (uint32_t) (in.pos - m->bytes);
		if (f->dead)
		{
			bool handled;
			skip_dead(f, &in, &handled);
			if (handled)
				continue;
		}
		if (!lower_insn(f, &in, &rd))
		{
			if (!err[0])
				snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (in.op == WRT_OP_END && f->ret_bb)
			break;
	}
	if (osr_loop >= 0 && !f->osr_found)
	{
		snprintf(err, errlen, "loop %u is unreachable", (uint32_t) osr_loop);
		goto out;
	}
	ok = true;
out:
	for (uint32_t i = 0; i < f->nctrl; i++)
		free_ctrl(&f->ctrls[i]);
	free(f->ctrls);
	free(f->stack);
	free(f->tags);
	free(f->v64);
	free(f->locals);
	free(f->spill);
	LLVMDisposeBuilder(f->ab);
	return ok;
}

static bool
lower_function(batch *b, uint32_t k, char *err, size_t errlen)
{
	return lower_body(b, k, b->typed[k], -1, 0, err, errlen);
}

/* The slot-ABI entry around typed function w of code index k: an entry
 * (w takes the parameters) or an OSR entry (w reads the frame itself). */
static LLVMValueRef
make_entry_of(batch *b, uint32_t k, LLVMValueRef w, bool osr, const char *name)
{
	wrt_module *m = b->wm;
	wrt_code *code = &m->codes[k];
	const wrt_functype *t = wrt_module_functype(m, code->func_index);
	LLVMTypeRef params[2] = {b->ptr, b->slotptr};
	LLVMValueRef e = LLVMAddFunction(b->M, name, LLVMFunctionType(b->i8, params, 2, 0));
	fn F = {0}, *f = &F;
	f->b = b;
	f->w = e;
	LLVMBuilderRef B = b->B;
	LLVMPositionBuilderAtEnd(B, LLVMAppendBasicBlockInContext(ctx, e, "entry"));
	LLVMValueRef inst = LLVMGetParam(e, 0), fp = LLVMGetParam(e, 1);
	LLVMValueRef store = load_field(f, inst, offsetof(wrt_instance, store), b->ptr);
	/* The frames left, and the value stack for the whole batch: a function
	 * and its direct callees share fp, so the largest need of any function
	 * covers every chain of direct calls. */
	LLVMValueRef n = load_field(f, store, offsetof(wrt_store, nframes), b->i32);
	LLVMValueRef cap = load_field(f, store, offsetof(wrt_store, frames_cap), b->i32);
	LLVMValueRef sbase = load_field(f, store, offsetof(wrt_store, stack), b->ptr);
	LLVMValueRef sslots = load_field(f, store, offsetof(wrt_store, stack_slots), b->i64);
	LLVMValueRef send = LLVMBuildPtrToInt(B, sbase, b->i64, "");
	send = LLVMBuildAdd(B, send, LLVMBuildShl(B, sslots, LLVMConstInt(b->i64, 3, 0), ""), "");
	LLVMValueRef need = LLVMBuildPtrToInt(B, slot_ptr(f, fp, b->max_need), b->i64, "");
	LLVMValueRef bad = LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntUGE, n, cap, ""),
								   LLVMBuildICmp(B, LLVMIntUGT, need, send, ""), "");
	LLVMBasicBlockRef exhausted = LLVMAppendBasicBlockInContext(ctx, e, "exhausted");
	LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(ctx, e, "go");
	LLVMBuildCondBr(B, bad, exhausted, go);
	LLVMPositionBuilderAtEnd(B, exhausted);
	LLVMValueRef targs[4] = {inst, c32(b, WRT_TRAP_STACK_EXHAUSTED), c32(b, code->func_index),
							 c32(b, (uint32_t) (code->body - m->bytes))};
	LLVMBuildCall2(B, b->ht[H_trap], b->h[H_trap], targs, 4, "");
	LLVMBuildRet(B, LLVMConstInt(b->i8, 0, 0));
	LLVMPositionBuilderAtEnd(B, go);
	uint32_t np = osr ? 0 : t->nparams;
	LLVMValueRef *args = malloc((np + 3) * sizeof(LLVMValueRef));
	if (!args)
		return NULL;
	args[0] = inst;
	args[1] = fp;
	args[2] = LLVMBuildSub(B, cap, n, "");
	for (uint32_t i = 0, k = 0; i < np; k += nslots(t->params[i]), i++)
		args[3 + i] = load_slots(f, t->params[i], fp, k);
	LLVMValueRef r = LLVMBuildCall2(B, LLVMGlobalGetValueType(w), w, args, np + 3, "");
	free(args);
	LLVMValueRef kind = load_field(f, store, offsetof(wrt_store, trap) + offsetof(wrt_trap, kind), b->i32);
	LLVMBasicBlockRef okb = LLVMAppendBasicBlockInContext(ctx, e, "ok");
	LLVMBasicBlockRef failb = LLVMAppendBasicBlockInContext(ctx, e, "fail");
	LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, kind, c32(b, 0), ""), okb, failb);
	LLVMPositionBuilderAtEnd(B, failb);
	LLVMBuildRet(B, LLVMConstInt(b->i8, 0, 0));
	LLVMPositionBuilderAtEnd(B, okb);
	for (uint32_t i = 0, k = 0; i < t->nresults; k += nslots(t->results[i]), i++)
	{
		LLVMValueRef v = t->nresults == 1 ? r : LLVMBuildExtractValue(B, r, i, "");
		store_slots(f, v, t->results[i], fp, k);
	}
	LLVMBuildRet(B, LLVMConstInt(b->i8, 1, 0));
	return e;
}

static LLVMValueRef
make_entry(batch *b, uint32_t k, const char *name)
{
	return make_entry_of(b, k, b->typed[k], false, name);
}

/* ---- the JIT per module ------------------------------------------------------- */

typedef struct jit_module {
	LLVMOrcLLJITRef jit;
	unsigned batches;
} jit_module;

static char *
take_error(LLVMErrorRef e, char *err, size_t errlen)
{
	char *msg = LLVMGetErrorMessage(e);
	snprintf(err, errlen, "%s", msg);
	LLVMDisposeErrorMessage(msg);
	return err;
}

static LLVMOrcObjectLayerRef
perf_object_layer(void *ctx, LLVMOrcExecutionSessionRef es, const char *triple)
{
	(void) ctx;
	(void) triple;
	LLVMOrcObjectLayerRef layer = LLVMOrcCreateRTDyldObjectLinkingLayerWithSectionMemoryManager(es);
	LLVMJITEventListenerRef perf = LLVMCreatePerfJITEventListener();
	if (perf)
		LLVMOrcRTDyldObjectLinkingLayerRegisterJITEventListener(layer, perf);
	return layer;
}

static jit_module *
module_jit(wrt_module *m, char *err, size_t errlen)
{
	if (m->tier_module)
		return m->tier_module;
	jit_module *jm = calloc(1, sizeof(*jm));
	if (!jm)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* WRT_TIER_PERF=1 writes /tmp/perf-<pid>.map entries for the machine
	 * code (as PostgreSQL's jit_profiling_support does), so perf can name
	 * the Wasm functions; it needs the RuntimeDyld object layer. */
	LLVMOrcLLJITBuilderRef jb = NULL;
	if (getenv("WRT_TIER_PERF"))
	{
		jb = LLVMOrcCreateLLJITBuilder();
		LLVMOrcLLJITBuilderSetObjectLinkingLayerCreator(jb, perf_object_layer, NULL);
	}
	LLVMErrorRef e = LLVMOrcCreateLLJIT(&jm->jit, jb);
	if (e)
	{
		take_error(e, err, errlen);
		free(jm);
		return NULL;
	}
	/* The engine's helpers, by name. */
	static const char *names[] = {
#define X(ret, name, args) "wrt_tier_h_" #name,
		WRT_TIER_HELPERS(X)
#undef X
	};
	void *addrs[] = {
#define X(ret, name, args) (void *) helpers.name,
		WRT_TIER_HELPERS(X)
#undef X
	};
	LLVMJITCSymbolMapPair pairs[H_COUNT_];
	for (int i = 0; i < H_COUNT_; i++)
	{
		pairs[i].Name = LLVMOrcLLJITMangleAndIntern(jm->jit, names[i]);
		pairs[i].Sym.Address = (LLVMOrcJITTargetAddress) (uintptr_t) addrs[i];
		pairs[i].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
		pairs[i].Sym.Flags.TargetFlags = 0;
	}
	LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(jm->jit);
	e = LLVMOrcJITDylibDefine(jd, LLVMOrcAbsoluteSymbols(pairs, H_COUNT_));
	if (e)
	{
		take_error(e, err, errlen);
		LLVMOrcDisposeLLJIT(jm->jit);
		free(jm);
		return NULL;
	}
	m->tier_module = jm;
	return jm;
}

static void
be_module_free(wrt_module *m)
{
	jit_module *jm = m->tier_module;
	if (!jm)
		return;
	LLVMErrorRef e = LLVMOrcDisposeLLJIT(jm->jit);
	if (e)
		LLVMConsumeError(e);
	free(jm);
	m->tier_module = NULL;
}

static void
declare_helpers(batch *b)
{
	LLVMTypeRef i32 = b->i32, ptr = b->ptr, slotptr = b->slotptr, v = LLVMVoidTypeInContext(ctx);
	LLVMTypeRef pptr = LLVMPointerType(ptr, 0);
	struct { LLVMTypeRef ret; LLVMTypeRef params[8]; unsigned n; } sig[H_COUNT_] = {
		[H_trap] = {v, {ptr, i32, i32, i32}, 4},
		[H_unwind] = {v, {ptr, i32, i32}, 3},
		[H_interrupt] = {i32, {ptr}, 1},
		[H_call] = {i32, {ptr, i32, slotptr}, 3},
		[H_call_indirect] = {i32, {ptr, i32, i32, i32, slotptr, i32, i32}, 7},
		[H_memory_grow] = {i32, {ptr, i32}, 2},
		[H_memory_init] = {i32, {ptr, i32, i32, i32, i32}, 5},
		[H_data_drop] = {v, {ptr, i32}, 2},
		[H_memory_copy] = {i32, {ptr, i32, i32, i32}, 4},
		[H_memory_fill] = {i32, {ptr, i32, i32, i32}, 4},
		[H_table_get] = {i32, {ptr, i32, i32, pptr}, 4},
		[H_table_set] = {i32, {ptr, i32, i32, ptr}, 4},
		[H_table_size] = {i32, {ptr, i32}, 2},
		[H_table_grow] = {i32, {ptr, i32, ptr, i32}, 4},
		[H_table_fill] = {i32, {ptr, i32, i32, ptr, i32}, 5},
		[H_table_copy] = {i32, {ptr, i32, i32, i32, i32, i32}, 6},
		[H_table_init] = {i32, {ptr, i32, i32, i32, i32, i32}, 6},
		[H_elem_drop] = {v, {ptr, i32}, 2},
		[H_ref_func] = {ptr, {ptr, i32}, 2},
	};
	static const char *names[] = {
#define X(ret, name, args) "wrt_tier_h_" #name,
		WRT_TIER_HELPERS(X)
#undef X
	};
	unsigned cold = LLVMGetEnumAttributeKindForName("cold", 4);
	for (int i = 0; i < H_COUNT_; i++)
	{
		b->ht[i] = LLVMFunctionType(sig[i].ret, sig[i].params, sig[i].n, 0);
		b->h[i] = LLVMAddFunction(b->M, names[i], b->ht[i]);
		if (i == H_trap || i == H_unwind || i == H_interrupt)
			LLVMAddAttributeAtIndex(b->h[i], LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, cold, 0));
	}
	/* llvm.stacksave rather than llvm.frameaddress: the latter makes every
	 * function keep a frame pointer (one register and three instructions
	 * per call). */
	b->stacksave = LLVMAddFunction(b->M, "llvm.stacksave", LLVMFunctionType(ptr, NULL, 0, 0));
}

/* Make the linked numeric helpers (wrt_op_, and the SIMD rows wrt_simd_)
 * internal and inlinable everywhere; the unused ones are then dropped. */
static void
prepare_ops(batch *b)
{
	unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
	for (LLVMValueRef g = LLVMGetFirstFunction(b->M); g; g = LLVMGetNextFunction(g))
	{
		size_t len;
		const char *name = LLVMGetValueName2(g, &len);
		if (LLVMIsDeclaration(g) || (strncmp(name, "wrt_op_", 7) != 0 && strncmp(name, "wrt_simd_", 9) != 0))
			continue;
		LLVMSetLinkage(g, LLVMInternalLinkage);
		LLVMRemoveStringAttributeAtIndex(g, LLVMAttributeFunctionIndex, "target-cpu", 10);
		LLVMRemoveStringAttributeAtIndex(g, LLVMAttributeFunctionIndex, "target-features", 15);
		LLVMRemoveStringAttributeAtIndex(g, LLVMAttributeFunctionIndex, "tune-cpu", 8);
		LLVMAddAttributeAtIndex(g, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, always, 0));
	}
}

static bool compile_once(wrt_module *m, const char *tag, const uint32_t *codes, uint32_t n,
						 wrt_tier_result *results, char *err, size_t errlen, bool *retry);

/*
 * Machine code reaches the JIT as an object file, compiled or taken from
 * the engine's code cache, so both take the same path: the object refers
 * to the engine's helpers by name only (resolved when it is linked, in
 * this process), never by address.
 */
static bool
add_object(jit_module *jm, LLVMMemoryBufferRef obj, char *err, size_t errlen)
{
	/* The JIT owns obj from here, error or not. */
	LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(jm->jit, LLVMOrcLLJITGetMainJITDylib(jm->jit), obj);
	if (e)
	{
		take_error(e, err, errlen);
		return false;
	}
	return true;
}

/* The optimised unit M to an object file, stored in the code cache and
 * added to the JIT; M is consumed. */
static bool
emit_object(wrt_module *m, jit_module *jm, LLVMModuleRef M, const char *tag, char *err, size_t errlen)
{
	char *msg = NULL;
	LLVMMemoryBufferRef obj = NULL;
	LLVMBool failed = LLVMTargetMachineEmitToMemoryBuffer(tm, M, LLVMObjectFile, &msg, &obj);
	LLVMDisposeModule(M);
	if (failed)
	{
		snprintf(err, errlen, "cannot emit machine code: %.200s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return false;
	}
	if (msg)
		LLVMDisposeMessage(msg);
	if (cache.store)
		cache.store(m, tag, LLVMGetBufferStart(obj), LLVMGetBufferSize(obj));
	return add_object(jm, obj, err, errlen);
}

/* The unit's object file from the code cache, added to the JIT: false
 * when there is none (or it cannot be added: compile then). */
static bool
cached_object(wrt_module *m, jit_module *jm, const char *tag)
{
	size_t len = 0;
	void *bytes = cache.load ? cache.load(m, tag, &len) : NULL;
	if (!bytes)
		return false;
	LLVMMemoryBufferRef obj = LLVMCreateMemoryBufferWithMemoryRangeCopy(bytes, len, tag);
	free(bytes);
	char err[256];
	return obj && add_object(jm, obj, err, sizeof(err));
}


static bool
lookup_entry(jit_module *jm, const char *name, wrt_native_entry *entry, char *err, size_t errlen)
{
	LLVMOrcJITTargetAddress addr = 0;
	LLVMErrorRef e = LLVMOrcLLJITLookup(jm->jit, &addr, name);
	if (e)
	{
		take_error(e, err, errlen);
		return false;
	}
	*entry = (wrt_native_entry) (uintptr_t) addr;
	return true;
}


/* Result i of a unit whose code is linked: its entry and typed function. */
static void
lookup_result(jit_module *jm, const char *tag, uint32_t k, uint32_t need, wrt_tier_result *r)
{
	char name[96];
	snprintf(name, sizeof(name), "e_%s_%u", tag, k);
	if (!lookup_entry(jm, name, &r->entry, r->reason, sizeof(r->reason)))
	{
		r->state = WRT_TIER_FAILED;
		return;
	}
	wrt_native_entry typed = NULL;
	snprintf(name, sizeof(name), "w_%s_%u", tag, k);
	if (lookup_entry(jm, name, &typed, r->reason, sizeof(r->reason)))
	{
		r->typed = (void *) (uintptr_t) typed;
		r->need = need;
	}
	r->reason[0] = '\0';
	r->state = WRT_TIER_NATIVE;
}

/* A function that fails to lower is dropped and the batch built again
 * without it (the others may call it directly otherwise). */
static bool
be_compile(wrt_module *m, const uint32_t *codes, uint32_t n, wrt_tier_result *results, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < n; i++)
		memset(&results[i], 0, sizeof(results[i]));
	char tag[64];
	wrt_tier_batch_tag(codes, n, tag, sizeof(tag));
	jit_module *jm = module_jit(m, err, errlen);
	if (!jm)
		return false;
	if (cached_object(m, jm, tag))
	{
		/* What the compilation would have said: refused functions are
		 * not in the object, nor are those that failed to lower. */
		uint32_t *kept = malloc((n ? n : 1) * sizeof(uint32_t)), nkept = 0;
		if (!kept)
		{
			snprintf(err, errlen, "out of memory");
			return false;
		}
		for (uint32_t i = 0; i < n; i++)
			if (refuse(m, &m->codes[codes[i]], results[i].reason, sizeof(results[i].reason)))
				results[i].state = WRT_TIER_REFUSED;
			else
				kept[nkept++] = codes[i];
		uint32_t need = wrt_tier_unit_need(m, kept, nkept);
		free(kept);
		for (uint32_t i = 0; i < n; i++)
			if (results[i].state != WRT_TIER_REFUSED)
				lookup_result(jm, tag, codes[i], need, &results[i]);
		return true;
	}
	for (;;)
	{
		bool retry = false;
		bool ok = compile_once(m, tag, codes, n, results, err, errlen, &retry);
		if (!retry)
			return ok;
	}
}

/*
 * A unit's LLVM module and builder: a copy of the operator bitcode named
 * for the unit's tag, the JIT's target, the types, the helpers, and an
 * empty table of the unit's typed functions.  Shared by function batches
 * and OSR entries.  false (message in err) leaves b for batch cleanup.
 */
static bool
batch_begin(batch *b, wrt_module *m, jit_module *jm, const char *tag, char *err, size_t errlen)
{
	b->wm = m;
	b->tag = tag;
	b->M = LLVMCloneModule(ops_template);
	if (!b->M)
	{
		snprintf(err, errlen, "cannot copy the operator bitcode");
		return false;
	}
	char name[96];
	snprintf(name, sizeof(name), "wasm_%s", b->tag);
	LLVMSetModuleIdentifier(b->M, name, strlen(name));
	LLVMSetTarget(b->M, LLVMOrcLLJITGetTripleString(jm->jit));
	LLVMSetDataLayout(b->M, LLVMOrcLLJITGetDataLayoutStr(jm->jit));
	b->B = LLVMCreateBuilderInContext(ctx);
	b->i1 = LLVMInt1TypeInContext(ctx);
	b->i8 = LLVMInt8TypeInContext(ctx);
	b->i32 = LLVMInt32TypeInContext(ctx);
	b->i64 = LLVMInt64TypeInContext(ctx);
	b->f32 = LLVMFloatTypeInContext(ctx);
	b->f64 = LLVMDoubleTypeInContext(ctx);
	b->ptr = LLVMPointerType(b->i8, 0);
	b->slotptr = LLVMPointerType(b->i64, 0);
	b->i32ptr = LLVMPointerType(b->i32, 0);
	b->v128 = LLVMVectorType(b->i64, 2);
	b->asm_fp_constraint = strncmp(LLVMOrcLLJITGetTripleString(jm->jit), "aarch64", 7) == 0 ? "=w,0" : "=x,0";
	prepare_ops(b);
	declare_helpers(b);
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	b->typed = calloc(ndefined ? ndefined : 1, sizeof(LLVMValueRef));
	b->thunks = calloc(ndefined ? ndefined : 1, sizeof(LLVMValueRef));
	if (!b->typed || !b->thunks)
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

/*
 * The IR pass pipeline (WRT_TIER_PASSES replaces it).  Not default<O2>:
 * the Wasm comes from an optimising compiler already, and what is left to
 * do is to clean up after this lowering — inline the operator bodies and
 * drop the unused ones (always-inline, globaldce), promote locals, label
 * values and the memory base and size to registers (sroa), fold operators
 * and the 64-bit address arithmetic (early-cse, instcombine, gvn), merge
 * blocks (simplifycfg) — plus the loop passes the bounds checks and
 * induction variables need: loop-rotate and LICM hoist each check's limit
 * (address()) out of loops.  indvars (wide induction variables for the
 * wrapped 32-bit address arithmetic) once made nbody 29% and matmul+simd
 * 8% faster; since the unchecked loop versions compute exact 64-bit
 * addresses it changes no benchmark by more than noise (A/B, code cache
 * warm) and cost CoreMark 25 ms of its 80 ms of IR passes, so only the
 * vectorising pipeline, whose trip counts it helps compute, keeps it.
 * reassociate (integer chains by rank: the operands from outside a loop
 * combined before the value the loop carries) makes sha256 16-18% faster
 * and changes no other benchmark beyond noise, nor the compile time
 * (CoreMark's IR passes 54.5 -> 54.9 ms); A/B, code cache warm.
 * Against default<O2> (tiered, whole process, CPU; docs/benchmarks.md,
 * "Native tier: compile time"): CoreMark -20%, PolyBench
 * gemm/lu/correlation -33..-40%, Argon2 -11%, our kernels -12%..+8% (fib
 * +8%, matmul +5%: O2's inliner and loop passes); steady state nbody +6%,
 * matmul+simd -2.5%.
 */
static const char *
pass_pipeline(bool vectorise)
{
	const char *env = getenv("WRT_TIER_PASSES");
	if (env && *env)
		return env;
	return vectorise
		? "always-inline,globaldce,function(sroa,early-cse<memssa>,reassociate,instcombine,simplifycfg,"
		  "loop-mssa(loop-rotate,licm),indvars,gvn,instcombine,simplifycfg,"
		  "slp-vectorizer,loop-vectorize,instcombine,simplifycfg)"
		: "always-inline,globaldce,function(sroa,early-cse<memssa>,reassociate,instcombine,simplifycfg,"
		  "loop-mssa(loop-rotate,licm),gvn,instcombine,simplifycfg)";
}

/* The min/max reordering after the passes (minmax.c); WRT_TIER_MINMAX=off
 * leaves it out, for measurements. */
static bool
reorder_minmax(void)
{
	const char *env = getenv("WRT_TIER_MINMAX");
	return !(env && strcmp(env, "off") == 0);
}

/*
 * The end of a unit begun with batch_begin: its builder and table freed,
 * the IR verified (WRT_TIER_VERIFY), optimised (pass_pipeline), dumped
 * (WRT_TIER_DUMP), emitted as an object file, stored in the code cache and
 * added to the JIT; WRT_TIER_TIMES prints the CPU time of the passes and
 * of code generation, and the min/max trees the unit's loops had reordered
 * (minmax.c).  lowered: the lowering succeeded (else only the
 * cleanup).  b->M is consumed either way.
 */
static bool
batch_finish(batch *b, jit_module *jm, bool lowered, char *err, size_t errlen)
{
	free(b->typed);
	b->typed = NULL;
	free(b->thunks);
	b->thunks = NULL;
	LLVMDisposeBuilder(b->B);
	b->B = NULL;
	char *verr = NULL;
	if (lowered && getenv("WRT_TIER_VERIFY") && LLVMVerifyModule(b->M, LLVMReturnStatusAction, &verr))
	{
		snprintf(err, errlen, "invalid IR: %.200s", verr);
		if (getenv("WRT_TIER_DUMP"))
			LLVMDumpModule(b->M);
		lowered = false;
	}
	if (verr)
		LLVMDisposeMessage(verr);
	if (!lowered)
	{
		LLVMDisposeModule(b->M);
		return false;
	}
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef e = LLVMRunPasses(b->M, pass_pipeline(b->vectorise), tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (e)
	{
		take_error(e, err, errlen);
		LLVMDisposeModule(b->M);
		return false;
	}
	unsigned reordered = reorder_minmax() ? wrt_llvm_reorder_minmax(b->M) : 0;
	if (getenv("WRT_TIER_DUMP"))
		LLVMDumpModule(b->M);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	bool ok = emit_object(b->wm, jm, b->M, b->tag, err, errlen);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t2);
	if (getenv("WRT_TIER_TIMES"))
	{
		/* this thread's CPU time, so a loaded machine does not count */
		static double ir_ms, cg_ms;
		ir_ms += (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
		cg_ms += (double) (t2.tv_sec - t1.tv_sec) * 1e3 + (double) (t2.tv_nsec - t1.tv_nsec) / 1e6;
		fprintf(stderr, "wasmrt-llvm: %s: IR passes %.1f ms, code generation %.1f ms (process so far); "
				"%u min/max trees reordered\n", b->tag, ir_ms, cg_ms, reordered);
	}
	return ok;
}

static bool
compile_once(wrt_module *m, const char *tag, const uint32_t *codes, uint32_t n, wrt_tier_result *results,
			 char *err, size_t errlen, bool *retry)
{
	jit_module *jm = module_jit(m, err, errlen);
	if (!jm)
		return false;
	batch B = {0}, *b = &B;
	bool ok = batch_begin(b, m, jm, tag, err, errlen);
	char name[96];

	/* Declare the typed functions of the batch first: calls among them are
	 * direct. */
	for (uint32_t i = 0; ok && i < n; i++)
	{
		wrt_code *code = &m->codes[codes[i]];
		if (results[i].state != WRT_TIER_NONE)
			continue;
		if (refuse(m, code, results[i].reason, sizeof(results[i].reason)))
		{
			results[i].state = WRT_TIER_REFUSED;
			continue;
		}
		snprintf(name, sizeof(name), "w_%s_%u", b->tag, codes[i]);
		LLVMTypeRef ft = typed_fn_type(b, wrt_module_functype(m, code->func_index));
		if (!ft)
		{
			snprintf(err, errlen, "out of memory");
			ok = false;
			break;
		}
		/* exported: other units' machine code calls it directly */
		b->typed[codes[i]] = LLVMAddFunction(b->M, name, ft);
	}
	for (uint32_t i = 0; ok && i < n; i++)
	{
		if (!b->typed[codes[i]])
			continue;
		char why[96] = "";
		if (!lower_function(b, codes[i], why, sizeof(why)))
		{
			/* Interpret this one and build the batch again without it:
			 * the others must call it through the engine. */
			results[i].state = WRT_TIER_FAILED;
			snprintf(results[i].reason, sizeof(results[i].reason), "%.90s", why);
			*retry = true;
			ok = false;
			break;
		}
	}
	for (uint32_t i = 0; ok && i < n; i++)
	{
		if (!b->typed[codes[i]])
			continue;
		snprintf(name, sizeof(name), "e_%s_%u", b->tag, codes[i]);
		if (!make_entry(b, codes[i], name))
		{
			snprintf(err, errlen, "out of memory");
			ok = false;
		}
	}
	if (!batch_finish(b, jm, ok, err, errlen))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (results[i].state == WRT_TIER_NONE)
			lookup_result(jm, b->tag, codes[i], b->max_need, &results[i]);
	return true;
}

/*
 * The OSR entry of loop `ordinal` of code index k, in a unit of its own
 * (tier.h): its calls all go through the engine's helpers, the function
 * itself included (its entry is native by now).
 */
static wrt_native_entry
be_compile_osr(wrt_module *m, uint32_t k, uint32_t ordinal, uint32_t stack_slots, char *err, size_t errlen)
{
	wrt_code *code = &m->codes[k];
	if (refuse(m, code, err, errlen))
		return NULL;
	jit_module *jm = module_jit(m, err, errlen);
	if (!jm)
		return NULL;
	char tag[64], name[96], ename[96];
	wrt_tier_osr_tag(k, ordinal, stack_slots, tag, sizeof(tag));
	snprintf(ename, sizeof(ename), "e_%s", tag);
	wrt_native_entry entry = NULL;
	if (cached_object(m, jm, tag) && lookup_entry(jm, ename, &entry, err, errlen))
		return entry;
	batch B = {0}, *b = &B;
	/* b->typed stays empty: calls leave the unit */
	bool ok = batch_begin(b, m, jm, tag, err, errlen);
	LLVMTypeRef ft = ok ? typed_fn_type(b, wrt_module_functype(m, code->func_index)) : NULL;
	if (ok && !ft)
	{
		snprintf(err, errlen, "out of memory");
		ok = false;
	}
	if (ok)
	{
		/* The typed function's type without its parameters. */
		LLVMTypeRef params[3] = {b->ptr, b->slotptr, b->i32};
		LLVMTypeRef ot = LLVMFunctionType(LLVMGetReturnType(ft), params, 3, 0);
		snprintf(name, sizeof(name), "w_%s", b->tag);
		LLVMValueRef w = LLVMAddFunction(b->M, name, ot);
		LLVMSetLinkage(w, LLVMInternalLinkage);
		ok = lower_body(b, k, w, ordinal, stack_slots, err, errlen);
		if (ok && !make_entry_of(b, k, w, true, ename))
		{
			snprintf(err, errlen, "out of memory");
			ok = false;
		}
	}
	if (!batch_finish(b, jm, ok, err, errlen) || !lookup_entry(jm, ename, &entry, err, errlen))
		return NULL;
	return entry;
}

static const char *
be_target(void)
{
	return target_id;
}

/* One embedded bitcode file as a module of the JIT's context. */
static bool
parse_embedded(const unsigned char *start, const unsigned char *end, const char *name, LLVMModuleRef *out)
{
	LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange((const char *) start, (size_t) (end - start),
																	name, 0);
	bool ok = !LLVMParseBitcodeInContext2(ctx, buf, out);
	LLVMDisposeMemoryBuffer(buf);
	return ok;
}

/*
 * LLVM's diagnostics go nowhere: its default handler prints them on
 * stderr, a PostgreSQL backend's server log.  Failures reach us as
 * errors, not diagnostics.
 */
static void
drop_diagnostic(LLVMDiagnosticInfoRef info, void *arg)
{
	(void) info;
	(void) arg;
}

static bool
be_init(const wrt_tier_helpers *h, const wrt_tier_cache *c, char *err, size_t errlen)
{
	helpers = *h;
	cache = *c;
	init_rows();
	for (int i = 0; i < 256; i++)
		single_type[i] = (uint8_t) i;
	if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter())
	{
		snprintf(err, errlen, "LLVM has no native target");
		return false;
	}
	/* WRT_TIER_LLVM_ARGS="-opt ...": LLVM's own options (debugging, e.g.
	 * -pass-remarks-missed=loop-vectorize); not for production. */
	const char *llvm_args = getenv("WRT_TIER_LLVM_ARGS");
	if (llvm_args && *llvm_args)
	{
		static char buf[1024];
		const char *argv[32] = {"wasmrt-llvm"};
		int argc = 1;
		snprintf(buf, sizeof(buf), "%s", llvm_args);
		for (char *tok = strtok(buf, " "); tok && argc < 32; tok = strtok(NULL, " "))
			argv[argc++] = tok;
		LLVMParseCommandLineOptions(argc, argv, NULL);
	}
	tsc = LLVMOrcCreateNewThreadSafeContext();
	ctx = LLVMOrcThreadSafeContextGetContext(tsc);
	LLVMContextSetDiagnosticHandler(ctx, drop_diagnostic, NULL);
	if (!parse_embedded(wrt_tier_ops_bc, wrt_tier_ops_bc_end, "tier-ops.bc", &ops_template)
		|| !parse_embedded(wrt_tier_simd_bc, wrt_tier_simd_bc_end, "tier-simd.bc", &simd_template))
	{
		snprintf(err, errlen, "cannot read the embedded operator bitcode");
		return false;
	}
	host_triple = LLVMGetDefaultTargetTriple();
	LLVMTargetRef target;
	char *terr = NULL;
	if (LLVMGetTargetFromTriple(host_triple, &target, &terr))
	{
		snprintf(err, errlen, "%s", terr ? terr : "no target");
		LLVMDisposeMessage(terr);
		return false;
	}
	char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
	/* WRT_TIER_CPU=name: code for that CPU (and its features) instead of
	 * this one's, to test the code paths other machines get (a CPU this
	 * one can run, e.g. x86-64 or x86-64-v3). */
	const char *cpu_env = getenv("WRT_TIER_CPU");
	if (cpu_env && cpu_env[0])
	{
		LLVMDisposeMessage(cpu);
		LLVMDisposeMessage(features);
		cpu = LLVMCreateMessage(cpu_env);
		features = LLVMCreateMessage("");
	}
	/* As LLJIT's own (JITTargetMachineBuilder::detectHost): the object
	 * files it links are made with this one. */
	tm = LLVMCreateTargetMachine(target, host_triple, cpu, features, LLVMCodeGenLevelDefault,
								 LLVMRelocDefault, LLVMCodeModelJITDefault);
	/* The pipeline is part of the key: cached code made by another one
	 * (an older default, WRT_TIER_PASSES) is not this one's. */
	snprintf(target_id, sizeof(target_id), "llvm %s;%s;%s;%s;O2 jit;%s;%s;minmax %d;lowering %d",
			 LLVM_VERSION_STRING_, host_triple, cpu, features, pass_pipeline(false), pass_pipeline(true),
			 reorder_minmax(), LOWERING_VERSION);
	LLVMDisposeMessage(cpu);
	LLVMDisposeMessage(features);
	if (!tm)
	{
		snprintf(err, errlen, "cannot create a target machine");
		return false;
	}
	return true;
}

static const wrt_tier_backend llvm_backend = {
	.abi_version = WRT_TIER_ABI_VERSION,
	.name = "llvm " LLVM_VERSION_STRING_,
	.init = be_init,
	.target = be_target,
	.compile = be_compile,
	.compile_osr = be_compile_osr,
	.module_free = be_module_free,
};

__attribute__((visibility("default"))) const wrt_tier_backend *
wrt_tier_backend_get(void)
{
	return &llvm_backend;
}
