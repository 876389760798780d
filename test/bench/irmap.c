/*
 * irmap.c — prints where the interpreter's handlers are: one line
 * "offset index" per register-code instruction, the offset of its handler
 * label from the function wrt_interp_handlers and its wrt_irop number.
 * handlers-map.sh turns it into a map of build/wasm-run (which links the same
 * build/libwasmrt.a, so interp.o's code has the same layout there) for the
 * profiling scripts.  A benchmark tool only: it reads the engine's internal
 * header runtime/compile.h, and takes the instruction names from the enum
 * itself (handlers-map.sh), so it needs no change when instructions are added.
 */
#include "compile.h"

#include <stdint.h>
#include <stdio.h>

int main(void)
{
	const void *const *h = wrt_interp_handlers();
	intptr_t base = (intptr_t)(uintptr_t)&wrt_interp_handlers;
	for (int i = 0; i < WRT_IR_COUNT_; i++)
		printf("%ld %d\n", (long)((intptr_t)(uintptr_t)h[i] - base), i);
	return 0;
}
