/*
 * fuzz-common.h — helpers shared by the fuzz targets (fuzz-decode.c,
 * fuzz-exec.c) and the differential driver (diff-run.c).
 *
 * They provide what every harness needs around the public API of wasmrt.h:
 * a deterministic hash and pseudo-random generator (so a given input always
 * takes the same path, which libFuzzer needs to reproduce a finding), an
 * allocator that counts allocations and can fail the Nth one (to drive the
 * engine's out-of-memory paths), the construction of stand-in imports for an
 * arbitrary module (host functions for function imports, fresh tables,
 * memories and globals for the others) and a canonical text form of values
 * that the differential driver shares with its JavaScript counterpart.
 *
 * Host functions behave according to the import's field name, so that seed
 * modules (and the fuzzer's mutations of them) can ask for a behaviour:
 *   "trap..."   fail the call (WRT_TRAP_HOST)
 *   "exit..."   WASI-style exit with code arg0
 *   "grow..."   grow the caller's memory by arg0 & 3 pages, return old size
 *   "call..."   re-enter the instance: call export number arg0 (mod count)
 *               with zero arguments, up to FZ_MAX_REENTRY nested levels
 *   "poke..."   write arg1 (4 bytes) at address arg0 of the caller's memory
 *               when in bounds, return the previous word
 *   "intr..."   raise the store's interrupt flag (env->interrupt), so the
 *               guest must trap "interrupted" at its next poll
 *   anything else: results are a pure function of the arguments.
 * In "log" mode (the differential driver) every host function only prints
 * its arguments and returns zeros, as the JavaScript side does.
 * All behaviours are deterministic given the instance state, so that a
 * reset instance replays the same calls identically.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wasmrt.h"

#define FZ_MAX_REENTRY 3

/* ---- hashing and pseudo-random numbers ---------------------------------- */

uint64_t fz_hash(const uint8_t *p, size_t n);
/* splitmix64 step */
uint64_t fz_next(uint64_t *state);

/* ---- a counting allocator with failure injection ------------------------ */

typedef struct fz_alloc_state {
	uint64_t count;             /* allocations (alloc + realloc) so far */
	uint64_t fail_at;           /* 1-based allocation to fail; 0 = never */
	bool fail_after;            /* also fail every later allocation */
	uint64_t failed;            /* allocations refused */
} fz_alloc_state;

/* An allocator over malloc whose ud is the given state. */
wrt_allocator fz_allocator(fz_alloc_state *st);

/* ---- stand-in imports --------------------------------------------------- */

typedef struct fz_env fz_env;

typedef struct fz_hostinfo {
	fz_env *env;
	uint32_t import_index;
	char behaviour;             /* 't' trap, 'e' exit, 'g' grow, 'c' call, 'p' poke,
								 * 'i' interrupt, 'v' value, 'l' log */
	const char *module;         /* import names (not NUL-terminated) */
	uint32_t module_len;
	const char *name;
	uint32_t name_len;
} fz_hostinfo;

struct fz_env {
	wrt_store *store;
	wrt_module *mod;
	wrt_instance *inst;         /* set by the caller after instantiation */
	int depth;                  /* nesting of re-entrant host calls */
	bool dirty;                 /* fill the unused upper half of i32/f32 results */
	volatile int *interrupt;    /* the store's interrupt flag, or NULL */
	FILE *log;                  /* non-NULL: "log" mode, print host calls here */
	const char *log_prefix;     /* printed before each logged call */
	fz_hostinfo *hosts;         /* one per import */
	wrt_extern *imports;
	uint32_t nimports;
	wrt_module **standins;      /* Wasm stand-ins of v128 function imports */
	uint32_t nstandins;
};

/*
 * Build imports for env->mod in env->store (the store's memory limit
 * applies to stand-in memories).  Returns false when one cannot be made
 * (a memory over the limit, a table over the engine limit, no memory).
 */
bool fz_env_imports(fz_env *env);
/* Free what fz_env_imports made; after wrt_store_free of env->store (the
 * stand-in modules of v128 imports must outlive the store). */
void fz_env_free(fz_env *env);

/* Zero value of a type. */
wrt_value fz_zero(uint8_t type);

/*
 * Canonical text of a value: "i32:-5", "i64:7", "f32:0x3f800000",
 * "f64:0x...", NaNs as "f32:nan" / "f64:nan" when canon_nan, references as
 * "funcref:null" / "funcref:func", "externref:null" / "externref:obj".
 */
void fz_format_value(char *buf, size_t n, uint8_t type, wrt_value v, bool canon_nan);

/* Export i of the module if it is a function of the instance, else NULL. */
wrt_func *fz_export_func(wrt_instance *inst, uint32_t i, const char **name,
						 uint32_t *name_len);

/* Cost oracles: per module byte, at most 2 x WRT_MAX_ARITY type compares
 * or copies (plus one per instruction), and 40 bytes of compiled code. */
#define FZ_WORK_PER_BYTE (2 * WRT_MAX_ARITY + 64)
#define FZ_WORK_BASE 100000
#define FZ_CODE_PER_BYTE 40
#define FZ_CODE_BASE 4096

#endif
