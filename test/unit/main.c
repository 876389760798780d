/*
 * main.c — driver of the runtime unit tests (build/test-runtime).
 *
 * Usage: test-runtime [-n] [FIXTURE_DIR] [TEST...]
 * Runs the tests listed in unit.h (or only those named) against the public
 * API of libwasmrt, taking compiled WAT fixtures from FIXTURE_DIR (default
 * build/fixtures).  Each test runs in a forked child with a time limit so an
 * engine crash or hang is reported as that test's failure; -n runs them in
 * the process itself (for a debugger).  Prints one line per test and the
 * closing line `N passed, N failed`; exits 1 if any test failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define TEST_TIMEOUT_SECS 30
#define MAX_OWNED 128

static const char *fixture_dir = "build/fixtures";
static bool failed_now;

/* Objects the helpers created for the running test. */
static wrt_store *owned_stores[MAX_OWNED];
static size_t nowned_stores;
static wrt_module *owned_modules[MAX_OWNED];
static size_t nowned_modules;
static void *owned_buffers[MAX_OWNED];
static size_t nowned_buffers;

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (failed_now)
		return;                 /* only the first failure of a test */
	failed_now = true;
	printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

bool
unit_failed(void)
{
	return failed_now;
}

static void
release_owned(void)
{
	/* Stores before the modules they instantiated. */
	while (nowned_stores)
		wrt_store_free(owned_stores[--nowned_stores]);
	while (nowned_modules)
		wrt_module_free(owned_modules[--nowned_modules]);
	while (nowned_buffers)
		free(owned_buffers[--nowned_buffers]);
}

uint8_t *
unit_fixture_bytes(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	long size;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s.wasm", fixture_dir, name);
	f = fopen(path, "rb");
	if (!f)
	{
		unit_fail(__FILE__, __LINE__, "cannot open fixture %s: %s", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (!buf || nowned_buffers == MAX_OWNED || fread(buf, 1, (size_t)size, f) != (size_t)size)
	{
		unit_fail(__FILE__, __LINE__, "cannot read fixture %s", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	owned_buffers[nowned_buffers++] = buf;
	*len = (size_t)size;
	return buf;
}

wrt_module *
unit_fixture(const char *name)
{
	size_t len;
	uint8_t *bytes = unit_fixture_bytes(name, &len);
	wrt_error err;
	wrt_module *m;

	if (!bytes)
		return NULL;
	memset(&err, 0, sizeof(err));
	m = wrt_module_load(bytes, len, NULL, &err);
	if (!m)
	{
		unit_fail(__FILE__, __LINE__, "loading fixture %s failed (kind %d): %s",
				  name, (int)err.kind, err.message);
		return NULL;
	}
	if (nowned_modules == MAX_OWNED)
	{
		wrt_module_free(m);
		unit_fail(__FILE__, __LINE__, "too many modules in one test");
		return NULL;
	}
	owned_modules[nowned_modules++] = m;
	return m;
}

wrt_store *
unit_store(void)
{
	wrt_store *s;

	if (nowned_stores == MAX_OWNED)
	{
		unit_fail(__FILE__, __LINE__, "too many stores in one test");
		return NULL;
	}
	s = wrt_store_new(NULL);
	if (!s)
	{
		unit_fail(__FILE__, __LINE__, "wrt_store_new failed");
		return NULL;
	}
	owned_stores[nowned_stores++] = s;
	return s;
}

wrt_instance *
unit_instantiate(wrt_store *s, wrt_module *m, const wrt_extern *imports, size_t n)
{
	wrt_error err;
	wrt_instance *inst;

	memset(&err, 0, sizeof(err));
	inst = wrt_instantiate(s, m, imports, n, &err);
	if (!inst)
	{
		const wrt_trap *t = wrt_store_trap(s);

		unit_fail(__FILE__, __LINE__, "wrt_instantiate failed (kind %d): %s%s%s",
				  (int)err.kind, err.message, err.kind == WRT_ERR_TRAP ? " / trap: " : "",
				  err.kind == WRT_ERR_TRAP && t ? t->message : "");
	}
	return inst;
}

wrt_func *
unit_export_func(wrt_instance *inst, const char *name)
{
	wrt_extern e;

	if (!wrt_instance_export(inst, name, strlen(name), &e) || e.kind != WRT_EXTERN_FUNC)
	{
		unit_fail(__FILE__, __LINE__, "no exported function \"%s\"", name);
		return NULL;
	}
	return e.u.func;
}

bool
unit_call_i32(wrt_store *s, wrt_func *f, const int32_t *args, int32_t *result)
{
	wrt_functype t;
	wrt_value av[16], rv[16];

	wrt_func_type(f, &t);
	if (t.nparams > 16 || t.nresults > 16)
		return false;
	memset(av, 0, sizeof(av));
	memset(rv, 0, sizeof(rv));
	for (uint32_t i = 0; i < t.nparams; i++)
		av[i].i32 = args[i];
	if (!wrt_call(s, f, av, rv))
		return false;
	if (result && t.nresults > 0)
		*result = rv[0].i32;
	return true;
}

bool
unit_invoke_i32(wrt_store *s, wrt_instance *inst, const char *name,
				const int32_t *args, int32_t *result)
{
	wrt_func *f = unit_export_func(inst, name);

	if (!f)
		return false;
	if (!unit_call_i32(s, f, args, result))
	{
		const wrt_trap *t = wrt_store_trap(s);

		unit_fail(__FILE__, __LINE__, "call \"%s\" trapped: %s", name, t ? t->message : "?");
		return false;
	}
	return true;
}

wrt_extern
unit_func_extern(wrt_func *f)
{
	wrt_extern e;

	memset(&e, 0, sizeof(e));
	e.kind = WRT_EXTERN_FUNC;
	e.u.func = f;
	return e;
}

/* ---- driver ---------------------------------------------------------------- */

typedef struct unit_test {
	const char *name;
	void (*fn)(void);
} unit_test;

#define UNIT_ENTRY(name) {#name, test_##name},
static const unit_test tests[] = {UNIT_TESTS(UNIT_ENTRY)};
#undef UNIT_ENTRY

static bool
run_inline(const unit_test *t)
{
	failed_now = false;
	t->fn();
	release_owned();
	return !failed_now;
}

static bool
run_forked(const unit_test *t)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
	{
		perror("fork");
		return run_inline(t);
	}
	if (pid == 0)
	{
		alarm(TEST_TIMEOUT_SECS);
		exit(run_inline(t) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) < 0)
	{
		perror("waitpid");
		return false;
	}
	if (WIFSIGNALED(status))
	{
		printf("    killed by signal %d%s\n", WTERMSIG(status),
			   WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
		return false;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool
selected(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	bool fork_tests = true;
	int argi = 1, passed = 0, failed = 0;

	if (argi < argc && strcmp(argv[argi], "-n") == 0)
	{
		fork_tests = false;
		argi++;
	}
	if (argi < argc)
		fixture_dir = argv[argi++];

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The native tier's IR verified before it is optimised: an invalid
	 * module fails its unit (and the test) instead of passing through. */
	setenv("WRT_TIER_VERIFY", "1", 0);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
	{
		bool ok;

		if (!selected(tests[i].name, argc, argv, argi))
			continue;
		ok = fork_tests ? run_forked(&tests[i]) : run_inline(&tests[i]);
		printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
