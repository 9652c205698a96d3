/*
 * sys_mem: memory system calls (mem_*).
 *
 * The program shares the runtime's address space, so these act on host
 * mappings directly. W^X holds for every mapping a program makes: memory
 * that is both writable and executable is refused with ENOTSUP, at
 * mem_map as at mem_protect. Mapping an fd needs its mem_map right, and
 * mem_map_exec as well for executable memory.
 */
#include <errno.h>
#include <sys/mman.h>

#include "errmap.h"
#include "fdtab.h"
#include "sys.h"
#include "usercopy.h"

/* Every mflags bit cloudabi.txt defines. */
#define SYS_MEM_MFLAGS                                                         \
	(CLOUDABI_MAP_ANON | CLOUDABI_MAP_FIXED | CLOUDABI_MAP_PRIVATE |       \
	 CLOUDABI_MAP_SHARED)

/* Every msflags bit cloudabi.txt defines. */
#define SYS_MEM_MSFLAGS                                                        \
	(CLOUDABI_MS_ASYNC | CLOUDABI_MS_INVALIDATE | CLOUDABI_MS_SYNC)

/* Mappings of files start at a multiple of the page size. */
#define SYS_MEM_PAGE 4096u

/* Linux protection bits for CloudABI ones; -1 for unknown bits. */
static int sys_mem_prot(cloudabi_mprot_t prot)
{
	int p = PROT_NONE;

	if (prot &
	    ~(CLOUDABI_PROT_READ | CLOUDABI_PROT_WRITE | CLOUDABI_PROT_EXEC))
		return -1;
	if (prot & CLOUDABI_PROT_READ)
		p |= PROT_READ;
	if (prot & CLOUDABI_PROT_WRITE)
		p |= PROT_WRITE;
	if (prot & CLOUDABI_PROT_EXEC)
		p |= PROT_EXEC;
	return p;
}

/* Linux mmap flags for CloudABI ones; -1 when invalid (unknown bits, not
 * exactly one of private and shared). */
static int sys_mem_mflags(cloudabi_mflags_t flags)
{
	int f = 0;

	if (flags & ~SYS_MEM_MFLAGS)
		return -1;
	switch (flags & (CLOUDABI_MAP_PRIVATE | CLOUDABI_MAP_SHARED)) {
	case CLOUDABI_MAP_PRIVATE:
		f = MAP_PRIVATE;
		break;
	case CLOUDABI_MAP_SHARED:
		f = MAP_SHARED;
		break;
	default:
		return -1;
	}
	if (flags & CLOUDABI_MAP_ANON)
		f |= MAP_ANONYMOUS;
	if (flags & CLOUDABI_MAP_FIXED)
		f |= MAP_FIXED;
	return f;
}

/* Whether the fd and offset arguments fit the kind of mapping; for a file,
 * whether the fd grants mapping it with `prot`. */
static cloudabi_errno_t sys_mem_check_fd(cloudabi_mflags_t flags,
                                         cloudabi_mprot_t prot,
                                         cloudabi_fd_t fd,
                                         cloudabi_filesize_t off)
{
	cloudabi_rights_t need = CLOUDABI_RIGHT_MEM_MAP;

	if (flags & CLOUDABI_MAP_ANON)
		return fd == CLOUDABI_MAP_ANON_FD && off == 0
		               ? CLOUDABI_ESUCCESS
		               : CLOUDABI_EINVAL;
	if (prot & CLOUDABI_PROT_EXEC)
		need |= CLOUDABI_RIGHT_MEM_MAP_EXEC;
	return fdtab_get(fd, need, NULL);
}

cloudabi_errno_t cloudabi_sys_mem_map(void *addr, size_t len,
                                      cloudabi_mprot_t prot,
                                      cloudabi_mflags_t flags, cloudabi_fd_t fd,
                                      cloudabi_filesize_t off, void **mem)
{
	cloudabi_errno_t rc = sys_mem_check_fd(flags, prot, fd, off);
	int p = sys_mem_prot(prot), f = sys_mem_mflags(flags);
	void *m;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (p < 0 || f < 0 || off % SYS_MEM_PAGE != 0 || off > INT64_MAX)
		return CLOUDABI_EINVAL;
	if ((p & PROT_WRITE) && (p & PROT_EXEC))
		return CLOUDABI_ENOTSUP;
	m = mmap(addr, len, p, f, (flags & CLOUDABI_MAP_ANON) ? -1 : (int)fd,
	         (off_t)off);
	if (m == MAP_FAILED)
		return errmap_from_linux(errno);
	rc = usercopy_write(mem, &m, sizeof(m));
	/* The program never learnt of the mapping: take it back. */
	if (rc != CLOUDABI_ESUCCESS)
		munmap(m, len);
	return rc;
}

cloudabi_errno_t cloudabi_sys_mem_unmap(void *mapping, size_t mapping_len)
{
	if (munmap(mapping, mapping_len) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_mem_protect(void *mapping, size_t mapping_len,
                                          cloudabi_mprot_t prot)
{
	int p = sys_mem_prot(prot);

	if (p < 0)
		return CLOUDABI_EINVAL;
	/* W^X: CloudABI refuses memory that is writable and executable. */
	if ((p & PROT_WRITE) && (p & PROT_EXEC))
		return CLOUDABI_ENOTSUP;
	if (mprotect(mapping, mapping_len, p) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

/* The posix_madvise advice for a CloudABI one; -1 when unknown. */
static int sys_mem_advice(cloudabi_advice_t advice)
{
	switch (advice) {
	case CLOUDABI_ADVICE_DONTNEED:
		return POSIX_MADV_DONTNEED;
	case CLOUDABI_ADVICE_NOREUSE:
		/* Linux has no such hint for memory; it is only advice. */
		return POSIX_MADV_NORMAL;
	case CLOUDABI_ADVICE_NORMAL:
		return POSIX_MADV_NORMAL;
	case CLOUDABI_ADVICE_RANDOM:
		return POSIX_MADV_RANDOM;
	case CLOUDABI_ADVICE_SEQUENTIAL:
		return POSIX_MADV_SEQUENTIAL;
	case CLOUDABI_ADVICE_WILLNEED:
		return POSIX_MADV_WILLNEED;
	default:
		return -1;
	}
}

cloudabi_errno_t cloudabi_sys_mem_advise(void *mapping, size_t mapping_len,
                                         cloudabi_advice_t advice)
{
	int a = sys_mem_advice(advice), e;

	if (a < 0)
		return CLOUDABI_EINVAL;
	/*
	 * posix_madvise, not madvise: Linux's MADV_DONTNEED throws private
	 * pages away, while CloudABI's dontneed is a hint that never loses
	 * data. glibc's POSIX_MADV_DONTNEED keeps the contents.
	 */
	e = posix_madvise(mapping, mapping_len, a);
	return e == 0 ? CLOUDABI_ESUCCESS : errmap_from_linux(e);
}

cloudabi_errno_t cloudabi_sys_mem_sync(void *mapping, size_t mapping_len,
                                       cloudabi_msflags_t flags)
{
	int f = 0;

	if ((flags & ~SYS_MEM_MSFLAGS) ||
	    (flags & (CLOUDABI_MS_ASYNC | CLOUDABI_MS_SYNC)) ==
	            (CLOUDABI_MS_ASYNC | CLOUDABI_MS_SYNC))
		return CLOUDABI_EINVAL;
	if (flags & CLOUDABI_MS_ASYNC)
		f |= MS_ASYNC;
	if (flags & CLOUDABI_MS_INVALIDATE)
		f |= MS_INVALIDATE;
	if (flags & CLOUDABI_MS_SYNC)
		f |= MS_SYNC;
	if (msync(mapping, mapping_len, f) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}
