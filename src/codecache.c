/*
 * codecache.c — the native tier's code cache on disk: machine code one
 * backend compiled for a module is kept under $PGDATA/pgwasm_code_cache,
 * and a later backend (any backend of the cluster) links it instead of
 * paying LLVM's compile again.
 *
 * The engine decides what is cached and checks it (runtime/wasmrt.h,
 * wrt_code_cache; docs/runtime.md, "code cache"): it builds the keys
 * (the module's SHA-256 in hex, then the unit and a hash of the back end's
 * version, target, CPU and options) and wraps each object file in a header
 * with the full key and a checksum, so a damaged, truncated or foreign file
 * is ignored and compiled again.  This file only maps keys to files:
 *   $PGDATA/pgwasm_code_cache/<sha256 hex>/<rest of the key>.o
 * one directory per module, so replacing or dropping a module removes its
 * directory (pgwasm_code_cache_forget).
 *
 * The callbacks run inside the engine, in the middle of a call: they must
 * never raise an error (no longjmp across the engine's frames).  So they
 * use plain POSIX calls and malloc (the engine frees what load returns),
 * and any failure is a miss, reported at DEBUG1 at most.  A file is written
 * to a temporary name, flushed and renamed over the final one, so readers
 * see a whole file or none; concurrent writers of one key write the same
 * bytes and the last rename wins.
 *
 * The identity is the SHA-256 computed here of the very bytes the engine
 * loads (cache.c), not the one recorded in the carrier: the key decides
 * whose machine code runs.
 *
 * pgwasm.jit_code_cache (SIGHUP, on by default) turns it off.
 */
#include "postgres.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_perm.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/guc.h"

#include "pgwasm.h"

#define CODE_CACHE_DIR "pgwasm_code_cache"
#define HEXLEN (PGWASM_SHA256_LEN * 2)
#define MAX_ENTRY (256 * 1024 * 1024)

bool		pgwasm_jit_code_cache = true;

/* DEBUG1 from inside the engine: an error while reporting is swallowed. */
static void
note(const char *what, const char *path, int err)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		ereport(DEBUG1,
				(errmsg_internal("pgwasm code cache: cannot %s \"%s\": %s", what, path, strerror(err))));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
	}
	PG_END_TRY();
}

/* The directory of a module and the file of a key; false for a key that
 * is not the engine's shape (it always is: this is defence only). */
static bool
key_paths(const char *key, char *dir, char *file)
{
	size_t		n = strlen(key);

	if (n <= HEXLEN + 1 || n > 200 || key[HEXLEN] != '-')
		return false;
	for (size_t i = 0; i < n; i++)
	{
		char		c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	snprintf(dir, MAXPGPATH, "%s/%s/%.*s", DataDir, CODE_CACHE_DIR, HEXLEN, key);
	snprintf(file, MAXPGPATH, "%s/%s.o", dir, key + HEXLEN + 1);
	return true;
}

static void *
cache_load(void *arg, const char *key, size_t *len)
{
	char		dir[MAXPGPATH],
				path[MAXPGPATH];
	struct stat st;
	uint8	   *buf;
	size_t		got = 0;
	int			fd;

	if (!key_paths(key, dir, path))
		return NULL;
	fd = open(path, O_RDONLY | PG_BINARY, 0);
	if (fd < 0)
	{
		if (errno != ENOENT)
			note("open", path, errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > MAX_ENTRY ||
		(buf = malloc((size_t) st.st_size)) == NULL)
	{
		close(fd);
		return NULL;
	}
	while (got < (size_t) st.st_size)
	{
		ssize_t		r = read(fd, buf + got, (size_t) st.st_size - got);

		if (r <= 0)
		{
			if (r < 0)
				note("read", path, errno);
			break;
		}
		got += (size_t) r;
	}
	close(fd);
	/* short: hand it over anyway, the engine rejects it (and counts it) */
	*len = got;
	return buf;
}

static void
cache_store(void *arg, const char *key, const void *bytes, size_t len)
{
	char		dir[MAXPGPATH],
				path[MAXPGPATH],
				tmp[MAXPGPATH + 32];
	char		top[MAXPGPATH];
	const char *p = bytes;
	size_t		done = 0;
	int			fd;

	if (!key_paths(key, dir, path))
		return;
	snprintf(top, sizeof(top), "%s/%s", DataDir, CODE_CACHE_DIR);
	if ((MakePGDirectory(top) != 0 && errno != EEXIST) ||
		(MakePGDirectory(dir) != 0 && errno != EEXIST))
	{
		note("create directory", dir, errno);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, MyProcPid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY, pg_file_create_mode);
	if (fd < 0)
	{
		note("create", tmp, errno);
		return;
	}
	while (done < len)
	{
		ssize_t		w = write(fd, p + done, len - done);

		if (w <= 0)
		{
			note("write", tmp, w < 0 ? errno : ENOSPC);
			close(fd);
			unlink(tmp);
			return;
		}
		done += (size_t) w;
	}
	/* whole before it is visible under its name (a torn file would only be
	 * rejected, but need not exist) */
	if (pg_fsync(fd) != 0 || close(fd) != 0)
	{
		note("write", tmp, errno);
		unlink(tmp);
		return;
	}
	if (rename(tmp, path) != 0)
	{
		note("rename", tmp, errno);
		unlink(tmp);
	}
}

static const wrt_code_cache code_cache = {NULL, cache_load, cache_store};

/* Called for every store whose tiering is configured (jit.c). */
void
pgwasm_code_cache_configure(void)
{
	wrt_tier_set_code_cache(pgwasm_jit_code_cache ? &code_cache : NULL);
}

/* A module was loaded from these bytes: its identity for the cache. */
void
pgwasm_code_cache_identify(wrt_module *m, const uint8 *bytes, size_t len)
{
	uint8		sha[PGWASM_SHA256_LEN];

	/* not only when pgwasm.jit is on: it may be turned on later in the
	 * session, and the module stays loaded */
	if (!pgwasm_jit_code_cache)
		return;
	pgwasm_sha256(bytes, len, sha);
	wrt_module_set_identity(m, sha);
}

/*
 * The module with these bytes is being replaced or dropped: its machine
 * code goes.  Done at once, not at commit: after a rollback the module
 * only compiles again.  Failures are logged, never raised.
 */
void
pgwasm_code_cache_forget(const uint8 *sha256)
{
	static const char hex[] = "0123456789abcdef";
	char		dir[MAXPGPATH];
	char		name[HEXLEN + 1];
	struct stat st;

	for (int i = 0; i < PGWASM_SHA256_LEN; i++)
	{
		name[2 * i] = hex[sha256[i] >> 4];
		name[2 * i + 1] = hex[sha256[i] & 15];
	}
	name[HEXLEN] = '\0';
	snprintf(dir, sizeof(dir), "%s/%s/%s", DataDir, CODE_CACHE_DIR, name);
	/* rmtree warns about what it cannot remove */
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		rmtree(dir, true);
}

void
pgwasm_code_cache_init(void)
{
	DefineCustomBoolVariable("pgwasm.jit_code_cache",
							 "Keeps the native tier's machine code on disk for other backends.",
							 "Files under $PGDATA/pgwasm_code_cache, one directory per module.",
							 &pgwasm_jit_code_cache,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
}
