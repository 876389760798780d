/*
 * minmax.h — the native tier's min/max reordering pass (minmax.c): integer
 * min/max chains in single-block loops reordered so that the value carried
 * from the previous iteration is combined last.  Returns the trees
 * rewritten.
 */
#ifndef WRT_LLVM_MINMAX_H
#define WRT_LLVM_MINMAX_H

#include <llvm-c/Core.h>

unsigned wrt_llvm_reorder_minmax(LLVMModuleRef M);

#endif
