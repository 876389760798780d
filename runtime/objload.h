/*
 * objload.h — a minimal loader of the native tier's own object files, so
 * that machine code found in the code cache runs without LLVM.
 *
 * The back end (runtime/llvm/) writes one ELF relocatable object per unit
 * and the engine keeps it in the embedder's code cache (tier.c).  Linking
 * such an object is what a process needs LLVM for once the cache is warm,
 * and mapping libLLVM costs a process tens of milliseconds and tens of
 * megabytes.  The objects are ours and simple: one text section, constant
 * pools and jump tables, absolute 64-bit relocations (the JIT code model),
 * and undefined symbols that name the engine's helpers.  This loader maps
 * exactly that and refuses anything else (another machine, a relocation or
 * section kind it does not know, a symbol it cannot resolve), in which case
 * the engine links the object with the back end as before.  Every offset
 * and index is checked against the object's length: an entry that passed
 * the cache's checksum is still treated as untrusted bytes.
 */
#ifndef WRT_OBJLOAD_H
#define WRT_OBJLOAD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wrt_objcode wrt_objcode;

/* Resolves an undefined symbol of the object: its address, or NULL. */
typedef void *(*wrt_obj_resolver)(void *arg, const char *name);

/* Whether this build can load objects at all (x86-64 Linux). */
bool wrt_obj_supported(void);

/*
 * Map, relocate and protect the object in bytes[0..len) (the caller keeps
 * the bytes).  NULL with a reason in err when it is refused.
 */
wrt_objcode *wrt_obj_load(const void *bytes, size_t len, wrt_obj_resolver resolve, void *arg,
						  char *err, size_t errlen);

/* The address of a global symbol the object defines, or NULL. */
void *wrt_obj_symbol(const wrt_objcode *o, const char *name);

/* Unmap the code: nothing of it may run afterwards. */
void wrt_obj_free(wrt_objcode *o);

#endif
