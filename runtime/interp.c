/* interp.c — placeholder until the interpreter lands (being written). */
#include "internal.h"
bool wrt_invoke(wrt_store *s, wrt_func *f, const wrt_value *args, wrt_value *results)
{ (void)f; (void)args; (void)results; wrt_trap_set(s, WRT_TRAP_HOST, "interpreter not yet available"); return false; }
bool wrt_exec_table_init(wrt_instance *inst, uint32_t table, uint32_t elem, uint32_t dst, uint32_t src, uint32_t n)
{ (void)inst; (void)table; (void)elem; (void)dst; (void)src; (void)n; return false; }
bool wrt_exec_memory_init(wrt_instance *inst, uint32_t data, uint32_t dst, uint32_t src, uint32_t n)
{ (void)inst; (void)data; (void)dst; (void)src; (void)n; return false; }
