/*
 * minmax.c — the native tier's one IR pass of its own: integer min/max
 * chains in a loop reordered so that the value carried from the previous
 * iteration is combined last.
 *
 * Why: a dynamic-programming recurrence (edit distance, sequence alignment,
 * longest common subsequence, a running best score) computes each cell as
 * the minimum or maximum of a few candidates, one of which comes from the
 * cell computed in the previous iteration.  Written as C reads,
 *     cur[j] = min(min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost)
 * the carried value enters the innermost min, so every iteration waits for
 * two compare-and-selects after it: the loop runs at the latency of that
 * chain.  min and max of integers are associative and commutative, so
 *     cur[j] = min(min(prev[j] + 1, prev[j - 1] + cost), cur[j - 1] + 1)
 * is the same value, and the candidates that do not depend on the previous
 * iteration are combined while it is still being computed: one
 * compare-and-select on the recurrence instead of two.  GCC does this
 * (tree-ssa-reassoc ranks MIN_EXPR/MAX_EXPR operands); LLVM 14 has no pass
 * for it and leaves the selects as the Wasm gave them, so the C UDF built
 * by GCC ran Levenshtein 1.6× faster than our code from the same source.
 *
 * Scope, deliberately small: trees in a loop's latch block, whether the
 * loop is that one block (the unchecked version of a counted loop, where
 * the time goes) or a header (its interrupt poll) and that block; trees
 * of one kind (signed or unsigned min or max, as select(icmp)) whose inner
 * nodes have no other use; integer selects only, which reorder exactly (a
 * floating-point min by select is neither commutative nor associative with
 * NaN and signed zeros).  A leaf is "carried" when it depends, within the
 * header and the latch, on a phi of the header whose value from the latch
 * depends on the tree's root: that is the recurrence.  A tree with exactly
 * one carried leaf gets it last, the others keeping their order; a tree
 * already in that shape is left alone.  Work is bounded (MAX_BLOCK,
 * MAX_LEAVES, MAX_REWRITES) whatever the module.
 */
#include <llvm-c/Core.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "minmax.h"

enum mm_kind
{
	MM_NONE,
	MM_SMIN,
	MM_SMAX,
	MM_UMIN,
	MM_UMAX
};

/* The comparisons that make a min or max, and which one select(icmp p a b,
 * a, b) is; the first row of a kind is also how build_minmax makes it.
 * select(icmp p a b, b, a) is the other one of the pair. */
static const struct
{
	LLVMIntPredicate pred;
	enum mm_kind picks_first;
	enum mm_kind picks_second;
} minmax_preds[] = {
	{LLVMIntSLT, MM_SMIN, MM_SMAX}, {LLVMIntSGT, MM_SMAX, MM_SMIN},
	{LLVMIntULT, MM_UMIN, MM_UMAX}, {LLVMIntUGT, MM_UMAX, MM_UMIN},
	{LLVMIntSLE, MM_SMIN, MM_SMAX}, {LLVMIntSGE, MM_SMAX, MM_SMIN},
	{LLVMIntULE, MM_UMIN, MM_UMAX}, {LLVMIntUGE, MM_UMAX, MM_UMIN},
};
#define N_MINMAX_PREDS (sizeof(minmax_preds) / sizeof(minmax_preds[0]))

/* The kind of select `s` if it is select(icmp p a b, x, y) with {x, y} =
 * {a, b} over integers, else MM_NONE. */
static enum mm_kind
minmax_kind(LLVMValueRef s)
{
	if (!LLVMIsASelectInst(s))
		return MM_NONE;
	LLVMValueRef c = LLVMGetOperand(s, 0), t = LLVMGetOperand(s, 1), f = LLVMGetOperand(s, 2);
	if (!LLVMIsAICmpInst(c) || LLVMGetTypeKind(LLVMTypeOf(t)) != LLVMIntegerTypeKind)
		return MM_NONE;
	LLVMValueRef a = LLVMGetOperand(c, 0), b = LLVMGetOperand(c, 1);
	bool picks_first = t == a && f == b;
	if (!picks_first && !(t == b && f == a))
		return MM_NONE;
	LLVMIntPredicate p = LLVMGetICmpPredicate(c);
	for (size_t i = 0; i < N_MINMAX_PREDS; i++)
		if (minmax_preds[i].pred == p)
			return picks_first ? minmax_preds[i].picks_first : minmax_preds[i].picks_second;
	return MM_NONE;
}

static unsigned
count_uses(LLVMValueRef v)
{
	unsigned n = 0;
	for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u))
		n++;
	return n;
}

/* An inner node of the tree rooted at `parent`: a select of the same kind
 * in the same block used only by parent and parent's compare, whose own
 * compare has no other use. */
static bool
inner_node(LLVMValueRef v, LLVMValueRef parent, enum mm_kind kind, LLVMBasicBlockRef bb)
{
	if (!LLVMIsASelectInst(v) || LLVMGetInstructionParent(v) != bb || minmax_kind(v) != kind)
		return false;
	LLVMValueRef pc = LLVMGetOperand(parent, 0);
	for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u))
	{
		LLVMValueRef user = LLVMGetUser(u);
		if (user != parent && user != pc)
			return false;
	}
	return count_uses(LLVMGetOperand(v, 0)) == 1;
}

/* Leaves of the tree at `root` in order (at most `cap`), inner nodes in
 * `inner`; false when there are too many. */
static bool
collect(LLVMValueRef node, enum mm_kind kind, LLVMBasicBlockRef bb, LLVMValueRef *leaves, unsigned *nleaves,
		LLVMValueRef *inner, unsigned *ninner, unsigned cap)
{
	LLVMValueRef c = LLVMGetOperand(node, 0);
	for (unsigned k = 0; k < 2; k++)
	{
		LLVMValueRef v = LLVMGetOperand(c, k);
		if (inner_node(v, node, kind, bb))
		{
			if (*ninner >= cap)
				return false;
			inner[(*ninner)++] = v;
			if (!collect(v, kind, bb, leaves, nleaves, inner, ninner, cap))
				return false;
		}
		else
		{
			if (*nleaves >= cap)
				return false;
			leaves[(*nleaves)++] = v;
		}
	}
	return true;
}

/* ---- per-block dependence on the block's phis -------------------------- */

/* Bounds on the work a hostile module can cause: a block is scanned in
 * time quadratic in its length, and again after each rewrite. */
#define MAX_BLOCK 512           /* instructions of a block we look at */
#define MAX_LEAVES 16
#define MAX_REWRITES 16         /* per block */

typedef struct block_info
{
	LLVMBasicBlockRef bb;       /* the block of the trees */
	LLVMBasicBlockRef header;   /* the loop's header: bb, or bb's successor */
	LLVMValueRef insts[MAX_BLOCK];  /* header's, then bb's */
	uint64_t phi_deps[MAX_BLOCK];  /* bit k: depends on the header's phi k */
	bool reach[MAX_BLOCK];      /* depends on the tree's root (reorder_tree) */
	unsigned n, nphis;
	LLVMValueRef latch_values[64];  /* phi k's value from bb */
} block_info;

static int
index_of(const block_info *bi, LLVMValueRef v)
{
	if (!LLVMIsAInstruction(v))
		return -1;
	LLVMBasicBlockRef p = LLVMGetInstructionParent(v);
	if (p != bi->bb && p != bi->header)
		return -1;
	/* blocks are small; a linear search keeps this simple */
	for (unsigned i = 0; i < bi->n; i++)
		if (bi->insts[i] == v)
			return (int) i;
	return -1;
}

static uint64_t
deps_of(const block_info *bi, LLVMValueRef v)
{
	int i = index_of(bi, v);
	return i < 0 ? 0 : bi->phi_deps[i];
}

/* The header of the loop whose latch is bb: bb itself or a successor with
 * a phi taking a value from bb; NULL if none. */
static LLVMBasicBlockRef
loop_header(LLVMBasicBlockRef bb)
{
	LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
	if (!term)
		return NULL;
	for (unsigned k = 0; k < LLVMGetNumSuccessors(term); k++)
	{
		LLVMBasicBlockRef h = LLVMGetSuccessor(term, k);
		if (h == bb)
			return h;
		LLVMValueRef phi = LLVMGetFirstInstruction(h);
		if (phi && LLVMIsAPHINode(phi))
			for (unsigned i = 0; i < LLVMCountIncoming(phi); i++)
				if (LLVMGetIncomingBlock(phi, i) == bb)
					return h;
	}
	return NULL;
}

static bool
scan_block(block_info *bi, LLVMBasicBlockRef block)
{
	for (LLVMValueRef i = LLVMGetFirstInstruction(block); i; i = LLVMGetNextInstruction(i))
	{
		if (bi->n >= MAX_BLOCK)
			return false;
		uint64_t d = 0;
		if (LLVMIsAPHINode(i))
		{
			if (block == bi->header && bi->nphis < 64)
			{
				d = UINT64_C(1) << bi->nphis;
				bi->latch_values[bi->nphis] = NULL;
				for (unsigned k = 0; k < LLVMCountIncoming(i); k++)
					if (LLVMGetIncomingBlock(i, k) == bi->bb)
						bi->latch_values[bi->nphis] = LLVMGetIncomingValue(i, k);
				bi->nphis++;
			}
		}
		else
		{
			unsigned nops = (unsigned) LLVMGetNumOperands(i);
			for (unsigned k = 0; k < nops; k++)
				d |= deps_of(bi, LLVMGetOperand(i, k));
		}
		bi->insts[bi->n] = i;
		bi->phi_deps[bi->n] = d;
		bi->n++;
	}
	return true;
}

/*
 * Fill bi for bb, the latch of a loop (or a whole one-block loop); false if
 * it is not one, or too big.  Values of the blocks between the header and
 * bb count as coming from outside: the analysis may then miss a carried
 * leaf and leave its tree as it was, never more (any order of a min or max
 * is the same value).
 */
static bool
block_scan(block_info *bi, LLVMBasicBlockRef bb)
{
	bi->bb = bb;
	bi->header = loop_header(bb);
	bi->n = bi->nphis = 0;
	if (!bi->header)
		return false;
	if (bi->header != bb && !scan_block(bi, bi->header))
		return false;
	return scan_block(bi, bb);
}

/* bi->reach: the instructions of the block that depend, within it, on
 * root (a phi's operands come from the previous iteration: not followed). */
static void
mark_reach(block_info *bi, LLVMValueRef root)
{
	for (unsigned i = 0; i < bi->n; i++)
	{
		LLVMValueRef v = bi->insts[i];
		bool r = v == root;
		if (!r && !LLVMIsAPHINode(v))
		{
			unsigned nops = (unsigned) LLVMGetNumOperands(v);
			for (unsigned k = 0; k < nops && !r; k++)
			{
				int j = index_of(bi, LLVMGetOperand(v, k));
				r = j >= 0 && bi->reach[j];
			}
		}
		bi->reach[i] = r;
	}
}

static LLVMValueRef
build_minmax(LLVMBuilderRef B, enum mm_kind kind, LLVMValueRef a, LLVMValueRef b)
{
	size_t i = 0;
	while (minmax_preds[i].picks_first != kind)
		i++;
	return LLVMBuildSelect(B, LLVMBuildICmp(B, minmax_preds[i].pred, a, b, ""), a, b, "");
}

/* Rewrite the tree at root if its carried leaves are not combined last;
 * true if it did. */
static bool
reorder_tree(LLVMBuilderRef B, block_info *bi, LLVMValueRef root, enum mm_kind kind)
{
	LLVMValueRef leaves[MAX_LEAVES], inner[MAX_LEAVES];
	unsigned nleaves = 0, ninner = 0;
	if (!collect(root, kind, bi->bb, leaves, &nleaves, inner, &ninner, MAX_LEAVES) || nleaves < 3)
		return false;
	/* the phis whose next value comes out of this tree */
	uint64_t cycle = 0;
	mark_reach(bi, root);
	for (unsigned k = 0; k < bi->nphis; k++)
	{
		int j = bi->latch_values[k] ? index_of(bi, bi->latch_values[k]) : -1;
		if (j >= 0 && bi->reach[j])
			cycle |= UINT64_C(1) << k;
	}
	if (!cycle)
		return false;
	/* One carried candidate (two or more would each need the other's
	 * order kept: left alone), not yet at the root. */
	LLVMValueRef carried = NULL;
	for (unsigned k = 0; k < nleaves; k++)
		if (deps_of(bi, leaves[k]) & cycle)
		{
			if (carried)
				return false;
			carried = leaves[k];
		}
	LLVMValueRef rc = LLVMGetOperand(root, 0);
	if (!carried || LLVMGetOperand(rc, 0) == carried || LLVMGetOperand(rc, 1) == carried)
		return false;
	/* the others in their order, then the carried one */
	LLVMPositionBuilderBefore(B, root);
	LLVMValueRef acc = NULL;
	for (unsigned k = 0; k < nleaves; k++)
		if (leaves[k] != carried)
			acc = acc ? build_minmax(B, kind, acc, leaves[k]) : leaves[k];
	acc = build_minmax(B, kind, acc, carried);
	LLVMReplaceAllUsesWith(root, acc);
	/* the old tree, root first: each node's users are gone before it */
	LLVMInstructionEraseFromParent(root);
	LLVMInstructionEraseFromParent(rc);
	for (unsigned k = 0; k < ninner; k++)
	{
		LLVMValueRef ic = LLVMGetOperand(inner[k], 0);
		LLVMInstructionEraseFromParent(inner[k]);
		LLVMInstructionEraseFromParent(ic);
	}
	return true;
}

unsigned
wrt_llvm_reorder_minmax(LLVMModuleRef M)
{
	unsigned done = 0;
	block_info *bi = NULL;
	LLVMBuilderRef B = NULL;
	for (LLVMValueRef fn = LLVMGetFirstFunction(M); fn; fn = LLVMGetNextFunction(fn))
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		{
			/* cheap test first: a loop's latch with a min/max select in it */
			bool any = false;
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i && !any; i = LLVMGetNextInstruction(i))
				any = minmax_kind(i) != MM_NONE;
			if (any)
				any = loop_header(bb) != NULL;
			if (!any)
				continue;
			if (!bi && !(bi = malloc(sizeof(*bi))))
				return done;
			if (!B)
				B = LLVMCreateBuilderInContext(LLVMGetModuleContext(M));
			if (!block_scan(bi, bb))
				continue;
			/* Roots from the end of the block back; a rewrite invalidates
			 * the scan, so scan again after each. */
			bool changed;
			unsigned rewrites = 0;
			do
			{
				changed = false;
				for (int k = (int) bi->n - 1; k >= 0 && !changed; k--)
				{
					LLVMValueRef s = bi->insts[k];
					enum mm_kind kind = LLVMGetInstructionParent(s) == bb ? minmax_kind(s) : MM_NONE;
					if (kind != MM_NONE && reorder_tree(B, bi, s, kind))
					{
						done++;
						changed = ++rewrites < MAX_REWRITES && block_scan(bi, bb);
					}
				}
			} while (changed);
		}
	if (B)
		LLVMDisposeBuilder(B);
	free(bi);
	return done;
}
