/*
 * wasi.c — a sandboxed subset of WASI preview1 (wasi_snapshot_preview1).
 *
 * The goal is to let ordinary wasi-libc and Rust programs start, print and
 * exit, without giving them any access to the host: nothing here opens a
 * file or a socket.  Output on fds 1 and 2 goes to the embedder's write
 * callback, time and randomness come from its callbacks, and the argument
 * vector is the one in the configuration (environment is always empty).
 * Every other preview1 function exists with its exact signature, so modules
 * that merely import it still link, and answers an errno: EBADF for anything
 * naming a descriptor (there are none besides 0-2, and fd_prestat_get
 * answering EBADF is how wasi-libc's preopen scan learns there are no
 * directories), ENOSYS for the rest.
 *
 * Every pointer/length pair coming from the guest is checked against the
 * calling instance's memory before it is touched; a bad one answers EFAULT
 * (the guest gets an error, not a host crash or a trap).
 */
#include "internal.h"

/* WASI errno values used here. */
enum {
	WASI_ESUCCESS = 0,
	WASI_EBADF = 8,
	WASI_EFAULT = 21,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_ENOSYS = 52,
	WASI_EOVERFLOW = 61
};

/* Clock resolution we report: the callbacks promise nothing finer. */
#define WASI_CLOCK_RES_NS 1000

typedef struct wasi_fn {
	const char *name;
	/* Signature: one letter per parameter, ':' then results; i = i32, I = i64. */
	const char *sig;
	wrt_host_callback cb;
} wasi_fn;

static bool wasi_args_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_args_sizes_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_environ_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_environ_sizes_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_clock_res_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_clock_time_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_fd_write(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_proc_exit(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_random_get(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_success(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_badf(wrt_hostcall *, void *, const wrt_value *, wrt_value *);
static bool wasi_nosys(wrt_hostcall *, void *, const wrt_value *, wrt_value *);

static const wasi_fn wasi_fns[] = {
	{"args_get", "ii:i", wasi_args_get},
	{"args_sizes_get", "ii:i", wasi_args_sizes_get},
	{"environ_get", "ii:i", wasi_environ_get},
	{"environ_sizes_get", "ii:i", wasi_environ_sizes_get},
	{"clock_res_get", "ii:i", wasi_clock_res_get},
	{"clock_time_get", "iIi:i", wasi_clock_time_get},
	{"fd_advise", "iIIi:i", wasi_badf},
	{"fd_allocate", "iII:i", wasi_badf},
	{"fd_close", "i:i", wasi_badf},
	{"fd_datasync", "i:i", wasi_badf},
	{"fd_fdstat_get", "ii:i", wasi_badf},
	{"fd_fdstat_set_flags", "ii:i", wasi_badf},
	{"fd_fdstat_set_rights", "iII:i", wasi_badf},
	{"fd_filestat_get", "ii:i", wasi_badf},
	{"fd_filestat_set_size", "iI:i", wasi_badf},
	{"fd_filestat_set_times", "iIIi:i", wasi_badf},
	{"fd_pread", "iiiIi:i", wasi_badf},
	{"fd_prestat_get", "ii:i", wasi_badf},
	{"fd_prestat_dir_name", "iii:i", wasi_badf},
	{"fd_pwrite", "iiiIi:i", wasi_badf},
	{"fd_read", "iiii:i", wasi_badf},
	{"fd_readdir", "iiiIi:i", wasi_badf},
	{"fd_renumber", "ii:i", wasi_badf},
	{"fd_seek", "iIii:i", wasi_badf},
	{"fd_sync", "i:i", wasi_badf},
	{"fd_tell", "ii:i", wasi_badf},
	{"fd_write", "iiii:i", wasi_fd_write},
	{"path_create_directory", "iii:i", wasi_badf},
	{"path_filestat_get", "iiiii:i", wasi_badf},
	{"path_filestat_set_times", "iiiiIIi:i", wasi_badf},
	{"path_link", "iiiiiii:i", wasi_badf},
	{"path_open", "iiiiiIIii:i", wasi_badf},
	{"path_readlink", "iiiiii:i", wasi_badf},
	{"path_remove_directory", "iii:i", wasi_badf},
	{"path_rename", "iiiiii:i", wasi_badf},
	{"path_symlink", "iiiii:i", wasi_badf},
	{"path_unlink_file", "iii:i", wasi_badf},
	{"poll_oneoff", "iiii:i", wasi_nosys},
	{"proc_exit", "i:", wasi_proc_exit},
	{"proc_raise", "i:i", wasi_nosys},
	{"sched_yield", ":i", wasi_success},
	{"random_get", "ii:i", wasi_random_get},
	{"sock_accept", "iii:i", wasi_badf},
	{"sock_recv", "iiiiii:i", wasi_badf},
	{"sock_send", "iiiii:i", wasi_badf},
	{"sock_shutdown", "ii:i", wasi_badf},
};

#define WASI_NFNS (sizeof(wasi_fns) / sizeof(wasi_fns[0]))
#define WASI_MAX_PARAMS 9       /* path_open */

struct wrt_wasi {
	wrt_store *store;
	wrt_wasi_config cfg;        /* argv points at the copy below */
	uint64_t argv_bytes;        /* sum of strlen + 1 */
	wrt_func *funcs[WASI_NFNS]; /* created on first resolve */
};

/* ---- guest memory access ------------------------------------------------- */

/* The guest range [ptr, ptr + len) of the caller's memory, or NULL. */
static uint8_t *
guest_range(wrt_hostcall *call, uint32_t ptr, uint64_t len)
{
	wrt_memory *mem = wrt_hostcall_memory(call);

	if (!mem || (uint64_t) ptr + len > mem->size)
		return NULL;
	return mem->data + ptr;
}

/* Little-endian stores, independent of the host's byte order. */
static void
put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline uint32_t arg_u32(const wrt_value *args, int i) { return (uint32_t) args[i].i32; }

/* Every WASI function returns an errno as its single i32 result. */
static bool
ret(wrt_value *results, int err)
{
	results[0].bits = (uint32_t) err;
	return true;
}

/* ---- the functions ------------------------------------------------------- */

static bool
wasi_success(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	return ret(results, WASI_ESUCCESS);
}

static bool
wasi_badf(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	return ret(results, WASI_EBADF);
}

static bool
wasi_nosys(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	return ret(results, WASI_ENOSYS);
}

/* args_sizes_get(argc_ptr, argv_buf_size_ptr) */
static bool
wasi_args_sizes_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	uint8_t *pc = guest_range(call, arg_u32(args, 0), 4);
	uint8_t *ps = guest_range(call, arg_u32(args, 1), 4);

	if (!pc || !ps)
		return ret(results, WASI_EFAULT);
	if (w->argv_bytes > UINT32_MAX)
		return ret(results, WASI_EOVERFLOW);
	put_u32(pc, (uint32_t) w->cfg.argc);
	put_u32(ps, (uint32_t) w->argv_bytes);
	return ret(results, WASI_ESUCCESS);
}

/* args_get(argv_ptr, argv_buf_ptr): argc pointers, then the strings. */
static bool
wasi_args_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	uint32_t argv_ptr = arg_u32(args, 0);
	uint32_t buf_ptr = arg_u32(args, 1);
	uint8_t *pv = guest_range(call, argv_ptr, (uint64_t) w->cfg.argc * 4);
	uint8_t *pb = guest_range(call, buf_ptr, w->argv_bytes);
	uint64_t off = 0;

	if (!pv || !pb)
		return ret(results, WASI_EFAULT);
	for (int i = 0; i < w->cfg.argc; i++)
	{
		size_t n = strlen(w->cfg.argv[i]) + 1;

		/* buf_ptr + off < 2^32: the whole buffer was range-checked. */
		put_u32(pv + 4 * (size_t) i, (uint32_t) (buf_ptr + off));
		memcpy(pb + off, w->cfg.argv[i], n);
		off += n;
	}
	return ret(results, WASI_ESUCCESS);
}

/* environ_sizes_get(count_ptr, buf_size_ptr): always empty. */
static bool
wasi_environ_sizes_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	uint8_t *pc = guest_range(call, arg_u32(args, 0), 4);
	uint8_t *ps = guest_range(call, arg_u32(args, 1), 4);

	if (!pc || !ps)
		return ret(results, WASI_EFAULT);
	put_u32(pc, 0);
	put_u32(ps, 0);
	return ret(results, WASI_ESUCCESS);
}

static bool
wasi_environ_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	return ret(results, WASI_ESUCCESS);     /* nothing to write */
}

/* clock_res_get(id, resolution_ptr) */
static bool
wasi_clock_res_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	uint32_t id = arg_u32(args, 0);
	uint8_t *p = guest_range(call, arg_u32(args, 1), 8);

	if (!p)
		return ret(results, WASI_EFAULT);
	if (!w->cfg.clock)
		return ret(results, WASI_ENOSYS);
	if (id > 1)
		return ret(results, WASI_EINVAL);
	put_u64(p, WASI_CLOCK_RES_NS);
	return ret(results, WASI_ESUCCESS);
}

/* clock_time_get(id, precision, time_ptr): realtime (0) and monotonic (1). */
static bool
wasi_clock_time_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	uint32_t id = arg_u32(args, 0);
	uint8_t *p = guest_range(call, arg_u32(args, 2), 8);
	int64_t t;

	if (!p)
		return ret(results, WASI_EFAULT);
	if (!w->cfg.clock)
		return ret(results, WASI_ENOSYS);
	/* The process/thread CPU clocks are not offered: the callback only
	 * knows realtime and monotonic. */
	if (id > 1)
		return ret(results, WASI_EINVAL);
	t = w->cfg.clock(w->cfg.ud, (int) id);
#ifdef WRT_IR_PAIRS
	wrt_ir_pairs_clock();
#endif
	if (t < 0)
		return ret(results, WASI_EIO);
	put_u64(p, (uint64_t) t);
	return ret(results, WASI_ESUCCESS);
}

/* random_get(buf, len) */
static bool
wasi_random_get(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	uint32_t len = arg_u32(args, 1);
	uint8_t *p = guest_range(call, arg_u32(args, 0), len);

	if (!p)
		return ret(results, WASI_EFAULT);
	if (!w->cfg.random)
		return ret(results, WASI_ENOSYS);
	if (len == 0)
		return ret(results, WASI_ESUCCESS);
	return ret(results, w->cfg.random(w->cfg.ud, p, len));
}

/*
 * fd_write(fd, iovs, iovs_len, nwritten_ptr).  The whole iovec list is
 * validated before the first byte is handed to the host, so a bad pointer
 * fails the call without partial output.
 */
static bool
wasi_fd_write(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_wasi *w = user;
	int32_t fd = args[0].i32;
	uint32_t iovs = arg_u32(args, 1);
	uint32_t niovs = arg_u32(args, 2);
	uint8_t *pv = guest_range(call, iovs, (uint64_t) niovs * 8);
	uint8_t *pn = guest_range(call, arg_u32(args, 3), 4);
	wrt_memory *mem = wrt_hostcall_memory(call);
	uint64_t total = 0;

	if (fd != 1 && fd != 2)
		return ret(results, WASI_EBADF);
	if (!pv || !pn)
		return ret(results, WASI_EFAULT);
	for (uint32_t i = 0; i < niovs; i++)
	{
		uint32_t buf = get_u32(pv + 8 * (size_t) i);
		uint32_t len = get_u32(pv + 8 * (size_t) i + 4);

		if ((uint64_t) buf + len > mem->size)
			return ret(results, WASI_EFAULT);
		total += len;
	}
	/* nwritten is a u32: refuse what it could not report. */
	if (total > UINT32_MAX)
		return ret(results, WASI_EINVAL);
	if (!w->cfg.write)
		return ret(results, WASI_EBADF);
	for (uint32_t i = 0; i < niovs; i++)
	{
		uint32_t buf = get_u32(pv + 8 * (size_t) i);
		uint32_t len = get_u32(pv + 8 * (size_t) i + 4);
		int e;

		if (len == 0)
			continue;
		e = w->cfg.write(w->cfg.ud, fd, mem->data + buf, len);
		if (e < 0)
		{
			/* The host failed in a way the guest must not ignore (its own
			 * error is pending): unwind instead of returning an errno. */
			wrt_hostcall_trap(call, WRT_TRAP_HOST, "fd_write failed");
			return false;
		}
		if (e != 0)
			return ret(results, e);
	}
	put_u32(pn, (uint32_t) total);
	return ret(results, WASI_ESUCCESS);
}

/* proc_exit(code): unwinds the whole call as a WRT_TRAP_EXIT trap. */
static bool
wasi_proc_exit(wrt_hostcall *call, void *user, const wrt_value *args, wrt_value *results)
{
	wrt_hostcall_exit(call, args[0].i32);
	return false;
}

/* ---- creation and resolution -------------------------------------------- */

wrt_wasi *
wrt_wasi_new(wrt_store *s, const wrt_wasi_config *cfg)
{
	int argc = cfg && cfg->argv && cfg->argc > 0 ? cfg->argc : 0;
	uint64_t strbytes = 0;
	size_t bytes;
	wrt_wasi *w;
	char **argv;
	char *strs;

	for (int i = 0; i < argc; i++)
	{
		if (!cfg->argv[i])
			return NULL;
		strbytes += strlen(cfg->argv[i]) + 1;
	}
	/* One block: the state, the argv pointer array, then the strings.  The
	 * strings are copied because the store may outlive the caller's argv. */
	if (strbytes > SIZE_MAX / 2 ||
		(size_t) argc > (SIZE_MAX / 2 - (size_t) strbytes) / sizeof(char *))
		return NULL;
	bytes = sizeof(*w) + (size_t) argc * sizeof(char *) + (size_t) strbytes;
	w = wrt_alloc(&s->alloc, bytes);
	if (!w)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->store = s;
	if (cfg)
		w->cfg = *cfg;
	argv = (char **) (w + 1);
	strs = (char *) (argv + argc);
	for (int i = 0; i < argc; i++)
	{
		size_t n = strlen(cfg->argv[i]) + 1;

		memcpy(strs, cfg->argv[i], n);
		argv[i] = strs;
		strs += n;
	}
	w->cfg.argc = argc;
	w->cfg.argv = argc ? argv : NULL;
	w->argv_bytes = strbytes;
	if (!wrt_store_register(s, w, WRT_OBJ_BLOCK))
	{
		wrt_free(&s->alloc, w);
		return NULL;
	}
	return w;
}

wrt_func *
wrt_wasi_resolve(wrt_wasi *w, const char *name, size_t name_len, const wrt_functype *type)
{
	for (size_t i = 0; i < WASI_NFNS; i++)
	{
		const wasi_fn *fn = &wasi_fns[i];
		uint8_t codes[WASI_MAX_PARAMS + 1];
		uint32_t n = 0, nparams = 0;
		wrt_functype ft;

		if (strlen(fn->name) != name_len || memcmp(fn->name, name, name_len) != 0)
			continue;
		for (const char *c = fn->sig; *c; c++)
		{
			if (*c == ':')
				nparams = n;
			else
				codes[n++] = *c == 'I' ? WRT_I64 : WRT_I32;
		}
		ft.nparams = nparams;
		ft.nresults = n - nparams;
		ft.params = codes;
		ft.results = codes + nparams;
		if (!type || !wrt_functype_equal(&ft, type))
			return NULL;
		if (!w->funcs[i])
			w->funcs[i] = wrt_func_new_host(w->store, &ft, fn->cb, w);
		return w->funcs[i];
	}
	return NULL;
}
