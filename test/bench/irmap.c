/*
 * irmap.c — prints the interpreter's handler addresses as offsets from the
 * function wrt_interp_handlers, one "offset name" line per register-code
 * instruction, sorted by offset.  profile.sh uses it to attribute perf samples
 * in build/wasm-run (which links the same build/libwasmrt.a, so the layout of
 * interp.o's code is identical) to the handler they fall in.  A benchmark
 * tool only: it reads the engine's internal header runtime/compile.h.
 */
#include "compile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *names[WRT_IR_COUNT_] = {
#define X(n) [WRT_IR_##n] = #n,
	WRT_IR_SPECIAL(X)
#undef X
#define OP_UN(NAME, code, text, TIN, TOUT, body) [WRT_IR_##NAME] = #NAME,
#define OP_TEST(NAME, code, text, TIN, body) [WRT_IR_##NAME] = #NAME, \
	[WRT_IR_BRIF_##NAME] = "BRIF_" #NAME, [WRT_IR_BRIFNOT_##NAME] = "BRIFNOT_" #NAME,
#define OP_BIN(NAME, code, text, T, TOUT, body) \
	[WRT_IR_##NAME##_RR] = #NAME "_RR", [WRT_IR_##NAME##_RI] = #NAME "_RI",
#define OP_CMP(NAME, code, text, T, body) \
	[WRT_IR_##NAME##_RR] = #NAME "_RR", [WRT_IR_##NAME##_RI] = #NAME "_RI", \
	[WRT_IR_BRIF_##NAME##_RR] = "BRIF_" #NAME "_RR", [WRT_IR_BRIF_##NAME##_RI] = "BRIF_" #NAME "_RI", \
	[WRT_IR_BRIFNOT_##NAME##_RR] = "BRIFNOT_" #NAME "_RR", \
	[WRT_IR_BRIFNOT_##NAME##_RI] = "BRIFNOT_" #NAME "_RI",
#define OP_LOAD(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = #NAME,
#define OP_STORE(NAME, code, text, T, MT, AL) [WRT_IR_##NAME] = #NAME,
#include "opcodes.def"
};

struct entry {
	intptr_t off;
	const char *name;
};

static int cmp_entry(const void *a, const void *b)
{
	intptr_t x = ((const struct entry *)a)->off, y = ((const struct entry *)b)->off;
	return (x > y) - (x < y);
}

int main(void)
{
	const void *const *h = wrt_interp_handlers();
	intptr_t base = (intptr_t)(uintptr_t)&wrt_interp_handlers;
	struct entry e[WRT_IR_COUNT_];
	for (int i = 0; i < WRT_IR_COUNT_; i++) {
		e[i].off = (intptr_t)(uintptr_t)h[i] - base;
		e[i].name = names[i] ? names[i] : "?";
	}
	qsort(e, WRT_IR_COUNT_, sizeof e[0], cmp_entry);
	for (int i = 0; i < WRT_IR_COUNT_; i++)
		printf("%ld %s\n", (long)e[i].off, e[i].name);
	return 0;
}
