/*
 * vmem.c — virtual memory for linear memories: reserve address space once,
 * commit pages as the memory grows.
 *
 * Growing a linear memory by realloc and memset costs time and resident
 * memory in proportion to the growth: about a second per gigabyte, during
 * which the guest cannot be interrupted (memory.grow is one instruction),
 * and every new page is made resident only to hold zeros.  Instead
 * instance.c reserves the memory's whole possible extent up front as
 * inaccessible address space (no memory behind it, nothing counted against
 * the system's commit limit) and makes pages accessible as the memory grows:
 * an mprotect, whose cost does not depend on how many pages it covers, and
 * the kernel supplies zero-filled pages on first touch.  Shrinking (a reset
 * to a smaller snapshot) and clearing a large tail replace the pages with
 * fresh anonymous ones, which gives their memory back to the system and
 * reads as zeros again.
 *
 * POSIX only (Linux, macOS, the BSDs).  Elsewhere, or when a call fails
 * (an address-space rlimit, strict overcommit refusing the commit), the
 * caller falls back to, or reports failure as, plain allocation: every
 * function here says whether it worked.
 */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1       /* MAP_ANONYMOUS under -std=c11 on glibc */
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include "internal.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define WRT_HAVE_VMEM 1
#endif

#ifdef WRT_HAVE_VMEM

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

bool
wrt_vmem_available(void)
{
	long page = sysconf(_SC_PAGESIZE);

	/* Commits are whole Wasm pages, so they must be whole OS pages too. */
	return page > 0 && WRT_PAGE_SIZE % (unsigned long) page == 0;
}

void *
wrt_vmem_reserve(size_t bytes)
{
	/* PROT_NONE private mappings are not charged to the commit limit. */
	void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

bool
wrt_vmem_commit(void *p, size_t bytes)
{
	/* Charged to the commit limit here, so strict overcommit refuses
	 * cleanly (memory.grow returns -1) instead of a later page fault. */
	return bytes == 0 || mprotect(p, bytes, PROT_READ | PROT_WRITE) == 0;
}

/* Replace whole pages with fresh anonymous ones: they read as zero. */
static bool
vmem_replace(void *p, size_t bytes, int prot)
{
	void *q;

	if (bytes == 0)
		return true;
	q = mmap(p, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return q != MAP_FAILED;
}

bool
wrt_vmem_decommit(void *p, size_t bytes)
{
	return vmem_replace(p, bytes, PROT_NONE);
}

bool
wrt_vmem_zero(void *p, size_t bytes)
{
	return vmem_replace(p, bytes, PROT_READ | PROT_WRITE);
}

void
wrt_vmem_release(void *p, size_t bytes)
{
	if (p)
		(void) munmap(p, bytes);
}

#else							/* !WRT_HAVE_VMEM */

bool wrt_vmem_available(void) { return false; }
void *wrt_vmem_reserve(size_t bytes) { (void) bytes; return NULL; }
bool wrt_vmem_commit(void *p, size_t bytes) { (void) p; (void) bytes; return false; }
bool wrt_vmem_decommit(void *p, size_t bytes) { (void) p; (void) bytes; return false; }
bool wrt_vmem_zero(void *p, size_t bytes) { (void) p; (void) bytes; return false; }
void wrt_vmem_release(void *p, size_t bytes) { (void) p; (void) bytes; }

#endif
