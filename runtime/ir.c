/*
 * ir.c — the register code's table (ir.def) at run time: every
 * instruction's name, meaning and operand layout, the length of an
 * instruction, and the verifier that checks compiled code against the
 * table.  Nothing on the execution path reads these: they serve the
 * disassembler, the tests (which verify every function the spec suite
 * compiles: that is what shows the emitters agree with the table) and any
 * tool or later tier reading the code.
 */
#include "compile.h"
#include "opcodes.h"
#include "simd.h"

#include <inttypes.h>
#include <stdlib.h>

const char *const wrt_ir_kind_names[WRT_IRK_COUNT_] = {
#define WRT_IR_KIND_(NAME, DOC) [WRT_IRK_##NAME] = #NAME,
	WRT_IR_KINDS(WRT_IR_KIND_)
#undef WRT_IR_KIND_
};

/* ---- layouts: one operand table per layout ---------------------------- */

#define OPND_PAIR_(L, pos, klo, lo, khi, hi) \
	{#lo, WRT_IRK_##klo, pos, WRT_IR_LO, 0, 0}, {#hi, WRT_IRK_##khi, pos, WRT_IR_HI, 0, 0},
#define OPND_CELL_(L, pos, k, name) {#name, WRT_IRK_##k, pos, WRT_IR_WHOLE, 0, 0},
#define OPND_TAIL_(L, pos, k, name, count) \
	{#name, WRT_IRK_##k, pos, WRT_IR_TAILHALF, WRT_IRPOS_##L##_##count, WRT_IRHALF_##L##_##count},
#define OPND_ONE_(L, pos, cell) WRT_IR_CELL(OPND_, L, pos, cell)
#define NOPND_PAIR_(L, pos, ...) + 2
#define NOPND_CELL_(L, pos, ...) + 1
#define NOPND_TAIL_(L, pos, ...) + 1
#define NOPND_ONE_(L, pos, cell) WRT_IR_CELL(NOPND_, L, pos, cell)
#define HAS_TAIL_PAIR_(L, pos, ...)
#define HAS_TAIL_CELL_(L, pos, ...)
#define HAS_TAIL_TAIL_(L, pos, ...) | 1
#define HAS_TAIL_ONE_(L, pos, cell) WRT_IR_CELL(HAS_TAIL_, L, pos, cell)
#define NBR_PAIR_(L, pos, klo, lo, khi, hi) + (WRT_IRK_##klo == WRT_IRK_BR) + (WRT_IRK_##khi == WRT_IRK_BR)
#define NBR_CELL_(L, pos, k, name) + (WRT_IRK_##k == WRT_IRK_BR)
#define NBR_TAIL_(L, pos, k, name, count) + (WRT_IRK_##k == WRT_IRK_BR)
#define NBR_ONE_(L, pos, cell) WRT_IR_CELL(NBR_, L, pos, cell)
#define IR_LAYOUT(L, ORIGIN, CELLS, M) \
	static const wrt_iropnd opnds_##L[] = {WRT_IR_EACH(OPND_ONE_, L, CELLS)}; \
	static const wrt_irlayout layout_##L = { \
		#L, WRT_IRLEN_##L - 1, 0 WRT_IR_EACH(NOPND_ONE_, L, CELLS), \
		0 WRT_IR_EACH(HAS_TAIL_ONE_, L, CELLS), 0 WRT_IR_EACH(NBR_ONE_, L, CELLS), opnds_##L};
#include "ir.def"

/* ---- instructions ---------------------------------------------------- */

/* The "none" values of ir.def's IR_INSN columns. */
#define WRT_VT_NOTYPE 0
#define WRT_IRI_FALL 0
#define WRT_OPC_NOCLASS (-1)
#define WRT_OP_NOOP (-1)
#define WRT_IR_NOFIRST (-1)
#define NEXT_ONE_(X, pos, name) WRT_IR_##name,
#define IR_INSN(NAME, L, T, FLAGS, SIMD_CLASS, SIMD_OP, FIRST, NEXT, M) \
	[WRT_IR_##NAME] = {#NAME, M, &layout_##L, WRT_IRI_##FLAGS, WRT_VT_##T, WRT_OPC_##SIMD_CLASS, \
		WRT_OP_##SIMD_OP, WRT_IR_##FIRST, WRT_IR_NARGS NEXT, {WRT_IR_EACH(NEXT_ONE_, _, NEXT)}},
const wrt_irinfo wrt_ir_info[WRT_IR_COUNT_] = {
#include "ir.def"
};

/* The operand bits in a cell, by where the operand sits. */
static uint64_t
opnd_bits(const wrt_cell *pc, uint32_t cell, uint32_t half)
{
	return half == WRT_IR_LO ? WRT_LO(pc[cell]) : half == WRT_IR_HI ? WRT_HI(pc[cell]) : pc[cell].u;
}

uint32_t
wrt_ir_length(int op, const wrt_cell *pc)
{
	const wrt_irlayout *l = wrt_ir_info[op].layout;
	uint32_t n = 1 + l->ncells;
	if (l->tail)
	{
		/* the only variable length: a tail of count + 1 cells */
		const wrt_iropnd *t = &l->opnds[l->nopnds - 1];
		n += (uint32_t) opnd_bits(pc, t->count_cell, t->count_half) + 1;
	}
	return n;
}

/* ---- the def-use view ------------------------------------------------- */

void
wrt_ir_slots(int op, const wrt_cell *pc, wrt_irslots *out)
{
	const wrt_irlayout *l = wrt_ir_info[op].layout;
	uint32_t span = 1;
	*out = (wrt_irslots) {0};
	for (uint32_t k = 0; k < l->nopnds; k++)
		if (l->opnds[k].kind == WRT_IRK_SPAN)
			span = (uint32_t) opnd_bits(pc, l->opnds[k].cell, l->opnds[k].half);
	for (uint32_t k = 0; k < l->nopnds; k++)
	{
		const wrt_iropnd *o = &l->opnds[k];
		if (o->half == WRT_IR_TAILHALF)
			continue;
		uint32_t x = (uint32_t) opnd_bits(pc, o->cell, o->half);
		switch ((wrt_irkind) o->kind)
		{
			case WRT_IRK_SLOT:
				out->read[out->nread++] = (wrt_irrun) {x, span};
				break;
			case WRT_IRK_VSLOT:
				out->read[out->nread++] = (wrt_irrun) {x, 2};
				break;
			case WRT_IRK_DEF:
				out->write[out->nwrite++] = (wrt_irrun) {x, span};
				break;
			case WRT_IRK_VDEF:
				out->write[out->nwrite++] = (wrt_irrun) {x, 2};
				break;
			case WRT_IRK_ARGS:
				out->call = true;
				out->args = x;
				break;
			default:
				break;
		}
	}
}

static bool
in_runs(const wrt_irrun *r, uint32_t n, uint32_t s)
{
	for (uint32_t k = 0; k < n; k++)
		if (s - r[k].slot < r[k].count)
			return true;
	return false;
}

bool
wrt_ir_reads(int op, const wrt_cell *pc, uint32_t s)
{
	wrt_irslots u;
	wrt_ir_slots(op, pc, &u);
	return in_runs(u.read, u.nread, s) || (u.call && s >= u.args);
}

bool
wrt_ir_writes(int op, const wrt_cell *pc, uint32_t s)
{
	wrt_irslots u;
	wrt_ir_slots(op, pc, &u);
	return in_runs(u.write, u.nwrite, s) || (u.call && s >= u.args);
}

int
wrt_ir_op(const void *h)
{
	const void *const *H = wrt_interp_handlers();
	for (int k = 0; k < WRT_IR_COUNT_; k++)
		if (H[k] == h)
			return k;
	return -1;
}

/* ---- the verifier ------------------------------------------------------- */

/* Handler address -> instruction, for the verifier's walk (open addressing). */
#define HMAP_SIZE 4096
typedef struct hmap {
	const void *key[HMAP_SIZE];
	int16_t op[HMAP_SIZE];
} hmap;

static uint32_t
hmap_slot(const void *h)
{
	uint64_t x = (uint64_t) (uintptr_t) h;
	x ^= x >> 29;
	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t) (x >> 40) & (HMAP_SIZE - 1);
}

static void
hmap_build(hmap *m)
{
	_Static_assert(WRT_IR_COUNT_ < HMAP_SIZE / 2, "the handler map is too small");
	const void *const *H = wrt_interp_handlers();
	memset(m->key, 0, sizeof(m->key));
	for (int k = 0; k < WRT_IR_COUNT_; k++)
	{
		uint32_t i = hmap_slot(H[k]);
		while (m->key[i])
			i = (i + 1) & (HMAP_SIZE - 1);
		m->key[i] = H[k];
		m->op[i] = (int16_t) k;
	}
}

static int
hmap_find(const hmap *m, const void *h)
{
	if (!h)
		return -1;
	for (uint32_t i = hmap_slot(h); m->key[i]; i = (i + 1) & (HMAP_SIZE - 1))
		if (m->key[i] == h)
			return m->op[i];
	return -1;
}

/* The operator whose lane function fn is, or -1. */
static int
simd_op_of(const void *fn)
{
	for (int op = 0; op < WRT_OP_COUNT_; op++)
		if (wrt_simd_fns[op] && (const void *) (uintptr_t) wrt_simd_fns[op] == fn)
			return op;
	return -1;
}

typedef struct verifier {
	const wrt_compiled *cf;
	wrt_error *err;
	int16_t *op_at;             /* per cell: the instruction starting there, or -1 */
} verifier;

/* Report a problem with the instruction at cell i (false), at the module
 * offset of the Wasm instruction it was compiled from. */
#define FAIL(v, i, ...) \
	wrt_set_error((v)->err, WRT_ERR_INVALID, wrt_compiled_offset((v)->cf, &(v)->cf->code[i]), __VA_ARGS__)

/* Does the instruction at cell j begin with instruction want (it, or an
 * in-place fusion that runs it first)? */
static bool
begins_with(int op, int want)
{
	return op == want || (op >= 0 && wrt_ir_info[op].first == want);
}

/* The operands of the instruction op at cell i, but branch targets. */
static bool
check_operands(verifier *v, uint32_t i, int op)
{
	const wrt_cell *pc = &v->cf->code[i];
	const wrt_irinfo *info = &wrt_ir_info[op];
	const wrt_irlayout *l = info->layout;
	uint32_t frame = v->cf->frame_slots;
	uint64_t span = 1;
	for (uint32_t k = 0; k < l->nopnds; k++)
		if (l->opnds[k].kind == WRT_IRK_SPAN)
			span = opnd_bits(pc, l->opnds[k].cell, l->opnds[k].half);
	for (uint32_t k = 0; k < l->nopnds; k++)
	{
		const wrt_iropnd *o = &l->opnds[k];
		if (o->half == WRT_IR_TAILHALF)
			continue;
		uint64_t x = opnd_bits(pc, o->cell, o->half);
		switch ((wrt_irkind) o->kind)
		{
			case WRT_IRK_NONE:
				if (x != 0)
					return FAIL(v, i, "cell %u: %s: an unused half holds %" PRIu64, i, info->name, x);
				break;
			case WRT_IRK_SLOT: case WRT_IRK_DEF: case WRT_IRK_ARGS:
				if (x + span > frame)
					return FAIL(v, i, "cell %u: %s: slot operand %s = %" PRIu64 "%s is outside the frame of %u slots",
								i, info->name, o->name, x, span > 1 ? " (and its run)" : "", frame);
				break;
			case WRT_IRK_VSLOT: case WRT_IRK_VDEF:
				if (x + 2 > frame)
					return FAIL(v, i, "cell %u: %s: v128 operand %s = slots %" PRIu64 ", %" PRIu64
								" is outside the frame of %u slots", i, info->name, o->name, x, x + 1, frame);
				break;
			case WRT_IRK_FN:
				{
					int sop = simd_op_of(pc[o->cell].p);
					if (sop < 0 || (info->simd_op >= 0 && sop != info->simd_op) ||
						(info->simd_class >= 0 && wrt_opinfo_table[sop].cls != info->simd_class))
						return FAIL(v, i, "cell %u: %s: %s is not a lane function of its operators (%s)",
									i, info->name, o->name, sop < 0 ? "none" : wrt_opinfo_table[sop].name);
					break;
				}
			case WRT_IRK_CODE:
				if (!pc[o->cell].p)
					return FAIL(v, i, "cell %u: %s: no callee", i, info->name);
				break;
			case WRT_IRK_SPAN: case WRT_IRK_BR: case WRT_IRK_IMM: case WRT_IRK_I32:
			case WRT_IRK_U32: case WRT_IRK_MASK: case WRT_IRK_U64: case WRT_IRK_BITS:
			case WRT_IRK_COST: case WRT_IRK_FUNC: case WRT_IRK_TYPE: case WRT_IRK_GLOBAL:
			case WRT_IRK_TABLE: case WRT_IRK_DATA: case WRT_IRK_ELEM:
				/* an index or an immediate: the module's, not the code's, to check;
				 * branches are checked once every instruction start is known */
				break;
			case WRT_IRK_COUNT_:
				return FAIL(v, i, "cell %u: %s: operand %s of no kind", i, info->name, o->name);
		}
	}
	return true;
}

/* A branch of the instruction at cell i, offset off. */
static bool
check_target(verifier *v, uint32_t i, const char *name, int64_t off)
{
	int64_t t = (int64_t) i + off;
	const int16_t *op_at = v->op_at;
	if (t < 0 || t >= v->cf->ncode || op_at[t] < 0)
		return FAIL(v, i, "cell %u: %s: branch target %" PRId64 " is not an instruction", i, name, t);
	/* A back-edge charges the cost cell of the loop it enters (interp.c JUMP). */
	if (off <= 0 && (t < 2 || op_at[t - 2] != WRT_IR_LOOP_ENTRY))
		return FAIL(v, i, "cell %u: %s: backward branch to %" PRId64 " lands after no LOOP_ENTRY", i, name, t);
	return true;
}

static bool
check_branches(verifier *v, uint32_t i, int op)
{
	const wrt_cell *pc = &v->cf->code[i];
	const wrt_irinfo *info = &wrt_ir_info[op];
	const wrt_irlayout *l = info->layout;
	for (uint32_t k = 0; k < l->nopnds; k++)
	{
		const wrt_iropnd *o = &l->opnds[k];
		if (o->kind != WRT_IRK_BR)
			continue;
		if (o->half == WRT_IR_TAILHALF)
		{
			uint32_t n = (uint32_t) opnd_bits(pc, o->count_cell, o->count_half);
			for (uint64_t e = 0; e <= n; e++)
				if (!check_target(v, i, info->name, (int32_t) pc[o->cell + e].i))
					return false;
		}
		else if (!check_target(v, i, info->name, (int32_t) opnd_bits(pc, o->cell, o->half)))
			return false;
	}
	/* An in-place fusion runs the instructions after it: they must be there. */
	uint32_t j = i + wrt_ir_length(op, pc);
	for (uint32_t k = 0; k < info->nnext; k++)
	{
		if (j >= v->cf->ncode || !begins_with(v->op_at[j], info->next[k]))
			return FAIL(v, i, "cell %u: %s: not followed by the %s it runs", i, info->name,
						wrt_ir_info[info->next[k]].name);
		j += wrt_ir_length(v->op_at[j], &v->cf->code[j]);
	}
	return true;
}

bool
wrt_ir_verify(const wrt_compiled *cf, wrt_error *err)
{
	err->kind = WRT_OK;
	if (!cf->code || cf->ncode == 0)
		return wrt_set_error(err, WRT_ERR_INVALID, 0, "no code");
	hmap *map = malloc(sizeof(hmap));
	int16_t *op_at = malloc(cf->ncode * sizeof(int16_t));
	if (!map || !op_at)
	{
		free(map);
		free(op_at);
		return wrt_set_error(err, WRT_ERR_OOM, 0, "out of memory verifying register code");
	}
	hmap_build(map);
	for (uint32_t i = 0; i < cf->ncode; i++)
		op_at[i] = -1;
	verifier v = {cf, err, op_at};
	bool ok = true;
	uint32_t last = 0, ninsn = 0;
	/* Walk by the table's lengths: every instruction must fit. */
	for (uint32_t i = 0; ok && i < cf->ncode;)
	{
		int op = hmap_find(map, cf->code[i].h);
		if (op < 0)
		{
			ok = FAIL(&v, i, "cell %u: not a handler address", i);
			break;
		}
		const wrt_irlayout *l = wrt_ir_info[op].layout;
		if (l->ncells >= cf->ncode - i)
		{
			ok = FAIL(&v, i, "cell %u: %s runs past the end of the code (%u cells)", i,
					  wrt_ir_info[op].name, cf->ncode);
			break;
		}
		uint64_t len = wrt_ir_length(op, &cf->code[i]);
		if (len > cf->ncode - i)
		{
			ok = FAIL(&v, i, "cell %u: %s of %" PRIu64 " cells runs past the end of the code (%u cells)",
					  i, wrt_ir_info[op].name, len, cf->ncode);
			break;
		}
		op_at[i] = (int16_t) op;
		ok = check_operands(&v, i, op);
		last = i;
		ninsn++;
		i += (uint32_t) len;
	}
	/* The walk ended exactly at ncode; the code cannot run off its end. */
	if (ok && !(wrt_ir_info[op_at[last]].flags & WRT_IRI_END))
		ok = FAIL(&v, last, "cell %u: the last instruction, %s, falls through past the end", last,
				  wrt_ir_info[op_at[last]].name);
	/* The pc map lists exactly the instructions, in order. */
	if (ok && cf->npcmap != ninsn)
		ok = wrt_set_error(err, WRT_ERR_INVALID, 0, "%u instructions but %u pc-map entries", ninsn, cf->npcmap);
	for (uint32_t k = 0; ok && k < cf->npcmap; k++)
		if (cf->pcmap[2 * k] >= cf->ncode || op_at[cf->pcmap[2 * k]] < 0 ||
			(k > 0 && cf->pcmap[2 * k] <= cf->pcmap[2 * k - 2]))
			ok = wrt_set_error(err, WRT_ERR_INVALID, cf->pcmap[2 * k + 1],
							   "pc-map entry %u names cell %u, not the next instruction", k, cf->pcmap[2 * k]);
	for (uint32_t i = 0; ok && i < cf->ncode; i++)
		if (op_at[i] >= 0)
			ok = check_branches(&v, i, op_at[i]);
	free(map);
	free(op_at);
	return ok;
}

bool
wrt_module_verify_code(wrt_module *m, uint32_t *nfuncs, wrt_error *err)
{
	uint32_t ndefined = m->nfuncs - m->nfunc_imports;
	if (nfuncs)
		*nfuncs = 0;
	for (uint32_t i = 0; i < ndefined; i++)
	{
		wrt_code *code = &m->codes[i];
		if (!code->compiled && !wrt_compile(m, code, err))
			return false;
		if (!wrt_ir_verify(code->compiled, err))
		{
			char why[sizeof(err->message)];
			memcpy(why, err->message, sizeof(why));
			return wrt_set_error(err, WRT_ERR_INVALID, err->offset, "register code of function %u: %.200s",
								 code->func_index, why);
		}
		if (nfuncs)
			(*nfuncs)++;
	}
	return true;
}

#define VI_WAY_VBIN WRT_VI_SLOTS
#define VI_WAY_VLOAD WRT_VI_SLOTS
#define VI_WAY_VREPLACE WRT_VI_SLOTS
#define VI_WAY_VSHIFT WRT_VI_SLOTS
#define VI_WAY_VEXTRACT WRT_VI_SLOTS
#define VI_WAY_VSPLAT WRT_VI_SLOTS
#define VI_WAY_VLOAD_LANE WRT_VI_SLOTS
#define VI_WAY_VSTORE_LANE WRT_VI_SLOTS
#define VI_WAY_VSHIFT_I WRT_VI_CONST_COUNT
#define VI_WAY_VLOAD_ADD WRT_VI_ADDRESS_ADDED
#define VI_WAY_VBIN_RM WRT_VI_LOADED_B
#define VI_WAY_VBIN_RMA WRT_VI_LOADED_B_ADDED
#define VI_WAY_VBIN_RC WRT_VI_CONST_B
#define VI_WAY_VBIN_ST WRT_VI_STORED
#define VI_WAY_VBIN_RM_ST WRT_VI_LOADED_B_STORED
#define VI_ROW(NAME, L, OP, M) [WRT_OP_##OP][VI_WAY_##L] = WRT_IR_##NAME,
#define NO_ROW(...)
const uint16_t wrt_ir_simd_inline[WRT_OP_COUNT_][WRT_VI_WAYS] = {
	WRT_IR_HAND(NO_ROW, NO_ROW, NO_ROW, NO_ROW, NO_ROW, VI_ROW)
};
