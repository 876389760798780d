/*
 * fuzz-decode.c — libFuzzer target 1: decode and validate arbitrary bytes.
 *
 * Every input is handed to wrt_module_load().  A rejected input must come
 * back as NULL with a well-formed error (a known kind, a NUL-terminated,
 * non-empty message).  An accepted module is introspected (imports,
 * exports, export lookup by name, function names) and every function is
 * compiled to register code with wrt_module_compile_all(), which may fail
 * only for lack of memory or an engine limit.  Two cost oracles then
 * judge what that took: the work units validation and compilation counted
 * (wrt_module_work) and the compiled code's bytes must stay within the
 * linear bounds of fuzz-common.h, the ones test/unit/test_cost.c holds the
 * engine to on the shapes of issue 11.
 *
 * Each input is then decoded a second time with an allocator that refuses
 * one allocation (or every allocation from one on), chosen from a hash of
 * the input among the allocations the first pass made: the out-of-memory
 * paths of the decoder, validator and compiler must fail cleanly (no crash,
 * no leak: LeakSanitizer runs with libFuzzer), and an input that was valid
 * may then only fail with WRT_ERR_OOM.  With FUZZ_ALL_FAILURES=1 in the
 * environment (the regression runner, test/fuzz/regress.sh) every
 * allocation is refused in turn instead, in both modes, so a reproducer
 * keeps reaching its failure point when the engine's allocation pattern
 * changes.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (see test/runtime.mk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

#define CHECK(cond, what) do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz-decode: check failed: %s (%s:%d)\n", what, __FILE__, __LINE__); \
			abort(); \
		} \
	} while (0)

static void
check_error(const wrt_error *err)
{
	CHECK(err->kind > WRT_OK && err->kind <= WRT_ERR_TRAP, "error kind in range");
	CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL, "message NUL-terminated");
	CHECK(err->message[0] != '\0', "message not empty");
}

/* Walk everything the public introspection API offers. */
static void
introspect(wrt_module *m)
{
	uint32_t ni = wrt_module_import_count(m), ne = wrt_module_export_count(m);

	for (uint32_t i = 0; i < ni; i++)
	{
		const char *mod, *name;
		uint32_t ml, nl;
		wrt_externtype t;

		wrt_module_import(m, i, &mod, &ml, &name, &nl, &t);
		CHECK(t.kind <= WRT_EXTERN_GLOBAL, "import kind");
		if (t.kind == WRT_EXTERN_FUNC)
		{
			for (uint32_t k = 0; k < t.func.nparams; k++)
				CHECK(strcmp(wrt_valtype_name(t.func.params[k]), "unknown") != 0, "param type");
			for (uint32_t k = 0; k < t.func.nresults; k++)
				CHECK(strcmp(wrt_valtype_name(t.func.results[k]), "unknown") != 0, "result type");
		}
	}
	for (uint32_t i = 0; i < ne; i++)
	{
		const char *name;
		uint32_t nl;
		wrt_externtype t, t2;

		wrt_module_export(m, i, &name, &nl, &t);
		CHECK(wrt_module_find_export(m, name, nl, &t2), "export found by name");
		CHECK(t2.kind == t.kind, "export kind by name");
	}
	/* Names of the first functions (the name section is decoded leniently). */
	for (uint32_t f = 0; f < 64; f++)
	{
		const char *n = wrt_module_func_name(m, f);

		if (n)
			CHECK(strlen(n) < (1u << 20), "function name length");
	}
}

/* Load, introspect and compile; returns whether the module was valid. */
static bool
load_all(const uint8_t *data, size_t size, const wrt_allocator *alloc, wrt_error *err,
		 bool injected)
{
	wrt_module *m = wrt_module_load(data, size, alloc, err);

	if (!m)
	{
		check_error(err);
		return false;
	}
	introspect(m);
	if (!wrt_module_compile_all(m, err))
	{
		check_error(err);
		if (!injected)
			CHECK(err->kind == WRT_ERR_LIMIT || err->kind == WRT_ERR_OOM,
				  "compile_all fails only on limits");
	}
	/* Cost oracles (issue 11): what validation and compilation did, and
	 * the code they left, grow at most linearly with the input. */
	CHECK(wrt_module_work(m) <= FZ_WORK_PER_BYTE * (uint64_t) size + FZ_WORK_BASE,
		  "cost oracle: validation + compilation work linear in the module's size");
	CHECK(wrt_module_code_bytes(m) <= FZ_CODE_PER_BYTE * size + FZ_CODE_BASE,
		  "cost oracle: compiled code a constant factor of the module's size");
	wrt_module_free(m);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_alloc_state counting = {0, 0, false, 0}, failing;
	wrt_allocator a = fz_allocator(&counting);
	static int all_failures = -1;
	wrt_error err;
	bool valid;
	uint64_t h;

	memset(&err, 0, sizeof(err));
	valid = load_all(data, size, &a, &err, false);
	if (counting.count == 0)
		return 0;

	/* Second pass with one allocation refused (or each in turn). */
	h = fz_hash(data, size);
	if (all_failures < 0)
	{
		const char *e = getenv("FUZZ_ALL_FAILURES");

		all_failures = e && *e && strcmp(e, "0") != 0;
	}
	for (uint64_t k = 1; k <= counting.count; k++)
	{
		for (int after = 0; after < 2; after++)
		{
			memset(&failing, 0, sizeof(failing));
			failing.fail_at = all_failures ? k : 1 + fz_next(&h) % counting.count;
			failing.fail_after = all_failures ? after != 0 : (fz_next(&h) & 1) != 0;
			a = fz_allocator(&failing);
			memset(&err, 0, sizeof(err));
			if (!load_all(data, size, &a, &err, true) && valid)
				CHECK(err.kind == WRT_ERR_OOM,
					  "a valid module fails only with OOM under allocation failure");
			if (!all_failures)
				return 0;
		}
	}
	return 0;
}
