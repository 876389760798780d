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
 *   $PGDATA/pgwasm_code_cache/<sha256 hex>/<hash of the rest of the key>.o
 * one directory per module, so replacing or dropping a module removes its
 * directory (pgwasm_code_cache_forget); the names are short enough for
 * pg_basebackup (see ENTRY_NAME_LEN).
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
 * The directory is bounded (pgwasm.jit_code_cache_size) by evicting the
 * least recently used entries, "used" being the file's mtime: set when it
 * is written and moved forward by a hit (futimens on the open file, at most
 * once a minute per file, so a hit costs no more than a syscall).  What
 * the directory holds is tracked in a small file beside the modules'
 * directories, pgwasm_code_cache/usage, a byte count that each writer adds
 * its entry to under flock(); only when that count passes the bound (or
 * the file is missing or unreadable) does the writer list the directory,
 * recount it and delete the oldest entries down to three quarters of the
 * bound, still under the lock (emptied module directories are removed
 * after it).  So a directory scan comes once per quarter
 * of the bound written, after a compile that cost far more, and never on a
 * hit; the count only ever overstates what is there (a removed module's
 * directory is not subtracted), which brings the next scan forward, never
 * lets the directory grow past the bound.  Readers take no lock: an entry
 * deleted under a reader is a miss (or, already open, still read whole).
 * The same scan deletes temporary files older than an hour (a writer that
 * died between write and rename), files that are not entries, and empty
 * module directories.
 *
 * DROP EXTENSION pgwasm removes the directories of the database's modules
 * just before its commit (pgwasm_code_cache_drop_extension, called by the
 * extension's event trigger).  The cache is per cluster and keyed by content, so another
 * database holding the same module only compiles it again.  The directory
 * is not WAL-logged: a standby keeps its own (pg_basebackup copies the
 * primary's, which the standby may use, the entries being keyed by CPU and
 * checked), bounded by its own setting.
 *
 * pgwasm.jit_code_cache (SIGHUP, on by default) turns it off.
 */
#include "postgres.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access/xact.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "common/file_perm.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "portability/instr_time.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "pgwasm.h"

#define CODE_CACHE_DIR "pgwasm_code_cache"
#define HEXLEN (PGWASM_SHA256_LEN * 2)
#define MAX_ENTRY (256 * 1024 * 1024)
#define USAGE_FILE "usage"
#define TMP_PREFIX "tmp."

/*
 * pg_basebackup sends the data directory as tar, whose headers hold names
 * of at most 99 bytes: one longer path under $PGDATA and every base backup
 * of the cluster fails ("file name too long for tar format").  So an entry
 * is pgwasm_code_cache/<64 hex>/<12 hex>.o, 97 bytes, the 12 hex digits a
 * hash of the key's rest (unit, back end, CPU: 40 bytes and more), and
 * temporary files are written beside the modules' directories, as
 * tmp.<pid>, then renamed into place.
 */
#define ENTRY_NAME_LEN (12 + 2)
StaticAssertDecl(sizeof(CODE_CACHE_DIR) + HEXLEN + 1 + ENTRY_NAME_LEN <= 99,
				 "a code cache path must fit in a tar header");
/* a hit moves an entry's mtime forward if it is older than this (s) */
#define TOUCH_AFTER 60
/* a temporary file this old (s) was left by a writer that died */
#define STALE_TMP 3600

bool		pgwasm_jit_code_cache = true;
int			pgwasm_jit_code_cache_size = 256 * 1024;	/* kB; 0: no bound */

/* The bound in bytes, 0 for none. */
static uint64
cache_limit(void)
{
	return (uint64) pgwasm_jit_code_cache_size * 1024;
}

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

/* The same at DEBUG1, formatted. */
static void debug_note(const char *fmt,...) pg_attribute_printf(1, 2);

static void
debug_note(const char *fmt,...)
{
	MemoryContext cxt = CurrentMemoryContext;
	char		buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	PG_TRY();
	{
		ereport(DEBUG1, (errmsg_internal("pgwasm code cache: %s", buf)));
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
	/* the rest of the key hashed (see ENTRY_NAME_LEN): a collision is only a
	 * reject, the file's header having the whole key */
	snprintf(file, MAXPGPATH, "%s/%012llx.o", dir,
			 (unsigned long long) (hash_bytes_extended((const unsigned char *) key + HEXLEN + 1,
													   (int) (n - HEXLEN - 1), 0) >> 16));
	return true;
}

/* An entry's file name (key_paths), or not ours: removed by a scan. */
static bool
is_entry_name(const char *name)
{
	if (strlen(name) != ENTRY_NAME_LEN || strcmp(name + ENTRY_NAME_LEN - 2, ".o") != 0)
		return false;
	for (int i = 0; i < ENTRY_NAME_LEN - 2; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
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
	/* used now: the least recently used entries are evicted first.  At most
	 * once a minute, so a hot entry's inode is not rewritten at every new
	 * backend.  A failure only makes the entry look older. */
	if (st.st_mtime + TOUCH_AFTER < time(NULL))
		(void) futimens(fd, NULL);
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

/* ---- the bound: usage count and eviction ---------------------------------- */

typedef struct Entry
{
	char	   *path;
	uint64		size;
	struct timespec mtime;
} Entry;

static int
entry_cmp(const void *a, const void *b)
{
	const Entry *x = a,
			   *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

static bool
is_module_dir_name(const char *name)
{
	if (strlen(name) != HEXLEN)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return false;
	return true;
}

/* Module directories that may be empty now, removed after the lock. */
typedef struct Gone
{
	char	  **dirs;
	size_t		n,
				cap;
} Gone;

static void
gone_add(Gone *g, const char *dir)
{
	char	  **nd;

	/* an entry's neighbours in mtime order are often of the same module */
	if (g->n > 0 && strcmp(g->dirs[g->n - 1], dir) == 0)
		return;
	if (g->n == g->cap)
	{
		size_t		ncap = g->cap ? g->cap * 2 : 64;

		if ((nd = realloc(g->dirs, ncap * sizeof(char *))) == NULL)
			return;				/* left for a later scan */
		g->dirs = nd;
		g->cap = ncap;
	}
	if ((g->dirs[g->n] = strdup(dir)) != NULL)
		g->n++;
}

/*
 * Remove the directories that are empty (rmdir refuses the others) and free
 * the list.  Outside the lock: on some file systems an rmdir waits for the
 * journal (3 ms here), and other writers need not wait for that.  A writer
 * that made one of these directories again meanwhile and finds it gone
 * makes it once more (cache_store).
 */
static void
gone_remove(Gone *g)
{
	for (size_t i = 0; i < g->n; i++)
	{
		(void) rmdir(g->dirs[i]);
		free(g->dirs[i]);
	}
	free(g->dirs);
	g->dirs = NULL;
	g->n = g->cap = 0;
}

/*
 * List every entry under top, delete stale temporary files, and when the
 * entries pass limit (non-zero) delete the least recently used down to
 * three quarters of it; directories that may be left empty go to *gone.
 * Returns the bytes left.  Called with the usage file locked, so one
 * process scans at a time; other backends may still read, write (under
 * another name first) and remove (drop, replace) meanwhile: a file gone
 * when it is stat'ed or deleted is simply not counted.  Memory from malloc;
 * when it runs out, nothing is evicted this time (the count stays over, the
 * next write tries again).
 */
static uint64
scan_and_evict(const char *top, uint64 limit, Gone *gone)
{
	instr_time	t0,
				t1;
	DIR		   *d;
	struct dirent *de;
	Entry	   *v = NULL;
	size_t		n = 0,
				cap = 0,
				evicted = 0;
	uint64		total = 0,
				freed = 0;
	bool		oom = false;
	time_t		now = time(NULL);

	INSTR_TIME_SET_CURRENT(t0);
	if ((d = opendir(top)) == NULL)
	{
		if (errno != ENOENT)
			note("read directory", top, errno);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
	{
		char		mdir[MAXPGPATH];
		DIR		   *md;
		struct dirent *fe;
		int			files = 0;

		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
		{
			struct stat st;

			/* being written, or left by a writer that died */
			snprintf(mdir, sizeof(mdir), "%s/%s", top, de->d_name);
			if (lstat(mdir, &st) == 0 && S_ISREG(st.st_mode) &&
				!(st.st_mtime + STALE_TMP < now && unlink(mdir) == 0))
				total += (uint64) st.st_size;
			continue;
		}
		if (!is_module_dir_name(de->d_name))
			continue;
		snprintf(mdir, sizeof(mdir), "%s/%s", top, de->d_name);
		if ((md = opendir(mdir)) == NULL)
			continue;			/* removed meanwhile, or not a directory */
		while ((fe = readdir(md)) != NULL)
		{
			char		path[MAXPGPATH];
			struct stat st;

			if (strcmp(fe->d_name, ".") == 0 || strcmp(fe->d_name, "..") == 0)
				continue;
			files++;
			snprintf(path, sizeof(path), "%s/%s", mdir, fe->d_name);
			if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			/* not an entry of this layout: it would only take room, and a
			 * long name fails base backups */
			if (!is_entry_name(fe->d_name))
			{
				if (unlink(path) == 0)
					files--;
				continue;
			}
			total += (uint64) st.st_size;
			if (oom)
				continue;
			if (n == cap)
			{
				size_t		ncap = cap ? cap * 2 : 256;
				Entry	   *nv = realloc(v, ncap * sizeof(Entry));

				if (nv == NULL)
				{
					oom = true;
					continue;
				}
				v = nv;
				cap = ncap;
			}
			if ((v[n].path = strdup(path)) == NULL)
			{
				oom = true;
				continue;
			}
			v[n].size = (uint64) st.st_size;
			v[n].mtime = st.st_mtim;
			n++;
		}
		closedir(md);
		if (files == 0)
			gone_add(gone, mdir);
	}
	closedir(d);

	if (limit > 0 && total > limit && !oom)
	{
		uint64		low = limit / 4 * 3;

		qsort(v, n, sizeof(Entry), entry_cmp);
		for (size_t i = 0; i < n && total > low; i++)
		{
			char	   *slash;

			if (unlink(v[i].path) != 0 && errno != ENOENT)
			{
				note("remove", v[i].path, errno);
				continue;
			}
			total -= v[i].size;
			freed += v[i].size;
			evicted++;
			/* its module's last entry: the directory goes too */
			if ((slash = strrchr(v[i].path, '/')) != NULL)
			{
				*slash = '\0';
				gone_add(gone, v[i].path);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	INSTR_TIME_SET_CURRENT(t1);
	INSTR_TIME_SUBTRACT(t1, t0);
	debug_note("scanned %zu entries in %.3f ms: " UINT64_FORMAT " bytes kept, %zu evicted (" UINT64_FORMAT " bytes)%s",
			   n, INSTR_TIME_GET_MILLISEC(t1), total, evicted, freed,
			   oom ? ", out of memory: nothing evicted" : "");
	return total;
}

/*
 * An entry of len bytes was just written: add it to the usage count, and
 * bring the directory back under the bound if the count says it is over
 * (or is missing: then the directory is counted, as on first use).
 */
static void
cache_account(const char *top, size_t len)
{
	char		path[MAXPGPATH];
	char		buf[32];
	uint64		limit = cache_limit();
	uint64		total = 0;
	bool		known = false;
	ssize_t		r;
	int			fd;
	Gone		gone = {NULL, 0, 0};

	snprintf(path, sizeof(path), "%s/%s", top, USAGE_FILE);
	fd = open(path, O_RDWR | O_CREAT | PG_BINARY, pg_file_create_mode);
	if (fd < 0)
	{
		note("open", path, errno);
		return;
	}
	/* held for a scan at most: other writers wait, readers never do */
	if (flock(fd, LOCK_EX) != 0)
	{
		note("lock", path, errno);
		close(fd);
		return;
	}
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r > 0)
	{
		char	   *end;

		buf[r] = '\0';
		errno = 0;
		total = strtoull(buf, &end, 10);
		known = errno == 0 && end != buf && *end == '\n';
	}
	if (known)
		total += len;
	if (!known || (limit > 0 && total > limit))
		total = scan_and_evict(top, limit, &gone);
	/* fixed width: the file is never shorter than what was there */
	snprintf(buf, sizeof(buf), "%020llu\n", (unsigned long long) total);
	if (pwrite(fd, buf, strlen(buf), 0) != (ssize_t) strlen(buf))
		note("write", path, errno);
	/* closing releases the lock */
	close(fd);
	gone_remove(&gone);
}

static void
cache_store(void *arg, const char *key, const void *bytes, size_t len)
{
	char		dir[MAXPGPATH],
				path[MAXPGPATH],
				tmp[MAXPGPATH + 32];
	char		top[MAXPGPATH];
	const char *p = bytes;
	int			rc;
	size_t		done = 0;
	int			fd;

	if (!key_paths(key, dir, path))
		return;
	/* kept, it would only push everything else out and then itself */
	if (cache_limit() > 0 && len > cache_limit())
	{
		debug_note("entry %s of %zu bytes is larger than pgwasm.jit_code_cache_size: not kept", key, len);
		return;
	}
	snprintf(top, sizeof(top), "%s/%s", DataDir, CODE_CACHE_DIR);
	if (MakePGDirectory(top) != 0 && errno != EEXIST)
	{
		note("create directory", top, errno);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/" TMP_PREFIX "%d", top, MyProcPid);
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
	if (MakePGDirectory(dir) != 0 && errno != EEXIST)
	{
		note("create directory", dir, errno);
		unlink(tmp);
		return;
	}
	rc = rename(tmp, path);
	/* an evicter found the module's directory empty and removed it */
	if (rc != 0 && errno == ENOENT && (MakePGDirectory(dir) == 0 || errno == EEXIST))
		rc = rename(tmp, path);
	if (rc != 0)
	{
		note("rename", tmp, errno);
		unlink(tmp);
		return;
	}
	cache_account(top, len);
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
 * Remove a module's directory and its entries.  A backend still running
 * the old version may store an entry into it meanwhile (its compile began
 * before the replace): the rmdir then finds the directory not empty (the
 * load test, 102_load.pl, met it under pgbench), and the entries are
 * removed again, a few times.  What may be left (a writer faster than
 * that, a file that cannot be removed) is only space: an entry is keyed by
 * the SHA-256 of its module's bytes and verified on load, so nothing runs
 * it unless those very bytes are installed again, and the bound evicts it
 * in time.  So it is noted at DEBUG1, as every failure of the cache, and
 * never reaches the client (rmtree's WARNING did).
 */
static void
forget_dir(const char *dir)
{
	int			err = 0;

	for (int attempt = 0; attempt < 5; attempt++)
	{
		DIR		   *d = opendir(dir);
		struct dirent *de;

		if (d == NULL)
		{
			if (errno != ENOENT)
				note("open directory", dir, errno);
			return;
		}
		while ((de = readdir(d)) != NULL)
		{
			char		path[MAXPGPATH];

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (unlink(path) != 0 && errno != ENOENT)
				note("remove", path, errno);
		}
		closedir(d);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		err = errno;
		if (err != ENOTEMPTY && err != EEXIST)
			break;
	}
	note("remove directory", dir, err);
}

/*
 * The module with these bytes is being replaced or dropped: its machine
 * code goes.  Done at once, not at commit: after a rollback the module
 * only compiles again.  Failures are noted at DEBUG1, never raised.
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
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		forget_dir(dir);
}

/* ---- DROP EXTENSION pgwasm ---------------------------------------------- */

/* SHA-256s of the modules of a DROP EXTENSION pgwasm in progress, in
 * TopTransactionContext; NIL otherwise. */
static List *dropped_modules = NIL;
static Oid	dropped_extension = InvalidOid;
static bool xact_callback_registered = false;

/*
 * Before commit, if the extension is really gone (not a DROP rolled back
 * to a savepoint, or refused; by its OID, so also when it was created
 * again since), its modules' machine code goes.  Before
 * commit, not after: there an error is no longer allowed, and if the commit
 * itself then fails the modules only compile again.
 */
static void
drop_extension_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT && dropped_modules != NIL &&
		get_extension_name(dropped_extension) == NULL)
	{
		ListCell   *lc;

		foreach(lc, dropped_modules)
			pgwasm_code_cache_forget((const uint8 *) lfirst(lc));
	}
	if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
		event != XACT_EVENT_PRE_PREPARE)
	{
		dropped_modules = NIL;	/* its memory goes with the transaction */
		dropped_extension = InvalidOid;
	}
}

PG_FUNCTION_INFO_V1(pgwasm_code_cache_drop_extension);

/*
 * The event trigger at ddl_command_start of DROP EXTENSION (any
 * extension's): when pgwasm is among those dropped, note the SHA-256 of
 * every module of this database while the catalog still has them.  The
 * modules' carriers are members of the extension and go with it; the
 * removal waits for the commit.
 */
Datum
pgwasm_code_cache_drop_extension(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig;
	DropStmt   *stmt;
	ListCell   *lc;
	bool		ours = false;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("wasm.code_cache_drop_extension() can only be called as an event trigger")));
	trig = (EventTriggerData *) fcinfo->context;
	if (!IsA(trig->parsetree, DropStmt))
		PG_RETURN_VOID();
	stmt = (DropStmt *) trig->parsetree;
	if (stmt->removeType != OBJECT_EXTENSION)
		PG_RETURN_VOID();
	foreach(lc, stmt->objects)
	{
		if (IsA(lfirst(lc), String) && strcmp(strVal(lfirst(lc)), "pgwasm") == 0)
			ours = true;
	}
	if (!ours || !OidIsValid(dropped_extension = get_extension_oid("pgwasm", true)))
		PG_RETURN_VOID();
	if (!xact_callback_registered)
	{
		RegisterXactCallback(drop_extension_xact, NULL);
		xact_callback_registered = true;
	}
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		dropped_modules = list_concat(dropped_modules, pgwasm_catalog_all_sha256());
		MemoryContextSwitchTo(old);
	}
	PG_RETURN_VOID();
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
	DefineCustomIntVariable("pgwasm.jit_code_cache_size",
							"Bounds the native tier's code cache on disk; least recently used entries are evicted.",
							"0 means no bound.  Applied when an entry is written.",
							&pgwasm_jit_code_cache_size,
							256 * 1024, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_KB,
							NULL, NULL, NULL);
}
