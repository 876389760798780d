/* compile.c — placeholder until the register compiler lands (being written). */
#include "internal.h"
bool wrt_compile(wrt_module *m, wrt_code *code, wrt_error *err)
{ (void)m; (void)code; return wrt_set_error(err, WRT_ERR_UNSUPPORTED, 0, "compiler not yet available"); }
void wrt_compiled_free(const wrt_allocator *a, struct wrt_compiled *c) { (void)a; (void)c; }
uint32_t wrt_compiled_offset(const struct wrt_compiled *c, const void *pc) { (void)c; (void)pc; return 0; }
