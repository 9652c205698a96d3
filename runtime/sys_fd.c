/*
 * sys_fd: system calls on file descriptors as such (fd_*).
 *
 * A program's fd number is the host fd number (fdtab.h), so these calls
 * act on the host fd directly once fdtab has checked the rights. Every fd
 * created here is close-on-exec (proc_exec decides what survives) and is
 * registered in fdtab before its number reaches the program.
 *
 * Rights beyond the obvious ones, as on CloudABI's native kernel:
 * fd_pread/fd_pwrite also need fd_seek (they address the file by offset);
 * fd_seek needs fd_seek, except that reading the position (cur, 0) needs
 * only fd_tell; fd_stat_put narrowing rights needs no right at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "procdesc.h"
#include "rights.h"
#include "sys.h"
#include "usercopy.h"

/* CloudABI iovecs have the layout of struct iovec: checked here, so that
 * arrays from the program are passed to the kernel as they are. */
_Static_assert(sizeof(cloudabi_iovec_t) == sizeof(struct iovec), "");
_Static_assert(sizeof(cloudabi_ciovec_t) == sizeof(struct iovec), "");

/* The kernel's limit on iovecs per call. */
#define SYS_FD_IOV_MAX 1024

cloudabi_errno_t cloudabi_sys_fd_close(cloudabi_fd_t fd)
{
	struct fdtab_entry e;
	cloudabi_errno_t rc = fdtab_get(fd, 0, &e);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	fdtab_remove((int)fd);
	/* Closing a process descriptor kills the process (procdesc.h). */
	if (e.filetype == CLOUDABI_FILETYPE_PROCESS)
		procdesc_close((int)fd);
	/* Linux closes the fd even when close() reports an error. */
	if (close((int)fd) != 0 && errno != EINTR)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

/*
 * A raw three-argument system call: the result, or -errno. fd_read and
 * fd_write run on the program's %fs (sys.h, "TLS-free calls"), where
 * glibc's wrappers must not run: they may read thread-local state.
 */
static long sys_fd_raw3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "0"(nr), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return ret;
}

/*
 * readv/writev of the program's iovecs; one iovec goes through read/write,
 * which the kernel serves about 30 ns faster (no iovec import). Returns
 * the count or -errno. TLS-free.
 */
static ssize_t sys_fd_rw(int fd, const struct iovec *iovs, size_t n,
                         bool write_)
{
	struct iovec one;

	if (n != 1)
		return sys_fd_raw3(write_ ? SYS_writev : SYS_readv, fd,
		                   (long)iovs, (long)n);
	if (usercopy_read(&one, iovs, sizeof(one)) != CLOUDABI_ESUCCESS)
		return -EFAULT;
	return sys_fd_raw3(write_ ? SYS_write : SYS_read, fd,
	                   (long)one.iov_base, (long)one.iov_len);
}

cloudabi_errno_t cloudabi_sys_fd_read(cloudabi_fd_t fd,
                                      const cloudabi_iovec_t *iovs,
                                      size_t iovs_len, size_t *nread)
{
	cloudabi_errno_t rc = fdtab_get(fd, CLOUDABI_RIGHT_FD_READ, NULL);
	ssize_t n;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (iovs_len > SYS_FD_IOV_MAX)
		return CLOUDABI_EINVAL;
	n = sys_fd_rw((int)fd, (const struct iovec *)iovs, iovs_len, false);
	if (n < 0)
		return errmap_from_linux((int)-n);
	return usercopy_write(nread, &(size_t){(size_t)n}, sizeof(*nread));
}

cloudabi_errno_t cloudabi_sys_fd_write(cloudabi_fd_t fd,
                                       const cloudabi_ciovec_t *iovs,
                                       size_t iovs_len, size_t *nwritten)
{
	cloudabi_errno_t rc = fdtab_get(fd, CLOUDABI_RIGHT_FD_WRITE, NULL);
	ssize_t n;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (iovs_len > SYS_FD_IOV_MAX)
		return CLOUDABI_EINVAL;
	n = sys_fd_rw((int)fd, (const struct iovec *)iovs, iovs_len, true);
	if (n < 0)
		return errmap_from_linux((int)-n);
	return usercopy_write(nwritten, &(size_t){(size_t)n},
	                      sizeof(*nwritten));
}

/* The CloudABI fd flags of a host fd. */
static cloudabi_fdflags_t sys_fd_flags(int fl)
{
	cloudabi_fdflags_t f = 0;

	if (fl & O_APPEND)
		f |= CLOUDABI_FDFLAG_APPEND;
	if (fl & O_NONBLOCK)
		f |= CLOUDABI_FDFLAG_NONBLOCK;
	if ((fl & O_SYNC) == O_SYNC)
		f |= CLOUDABI_FDFLAG_SYNC;
	else if (fl & O_DSYNC)
		f |= CLOUDABI_FDFLAG_DSYNC;
	return f;
}

cloudabi_errno_t cloudabi_sys_fd_stat_get(cloudabi_fd_t fd,
                                          cloudabi_fdstat_t *buf)
{
	struct fdtab_entry e;
	cloudabi_fdstat_t st;
	cloudabi_errno_t rc = fdtab_get(fd, 0, &e);
	int fl;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	fl = fcntl((int)fd, F_GETFL);
	if (fl < 0)
		return errmap_from_linux(errno);
	/* No runtime bytes leak through the padding. */
	memset(&st, 0, sizeof(st));
	st.fs_filetype = e.filetype;
	st.fs_flags = sys_fd_flags(fl);
	st.fs_rights_base = e.base;
	st.fs_rights_inheriting = e.inheriting;
	return usercopy_write(buf, &st, sizeof(st));
}

cloudabi_errno_t cloudabi_sys_fd_pread(cloudabi_fd_t fd,
                                       const cloudabi_iovec_t *iovs,
                                       size_t iovs_len,
                                       cloudabi_filesize_t offset,
                                       size_t *nread)
{
	cloudabi_errno_t rc = fdtab_get(
	        fd, CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FD_SEEK, NULL);
	ssize_t n;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Linux takes a signed offset: larger ones cannot address a file. */
	if (iovs_len > SYS_FD_IOV_MAX || offset > INT64_MAX)
		return CLOUDABI_EINVAL;
	n = preadv((int)fd, (const struct iovec *)iovs, (int)iovs_len,
	           (off_t)offset);
	if (n < 0)
		return errmap_from_linux(errno);
	return usercopy_write(nread, &(size_t){(size_t)n}, sizeof(*nread));
}

cloudabi_errno_t cloudabi_sys_fd_pwrite(cloudabi_fd_t fd,
                                        const cloudabi_ciovec_t *iovs,
                                        size_t iovs_len,
                                        cloudabi_filesize_t offset,
                                        size_t *nwritten)
{
	cloudabi_errno_t rc = fdtab_get(
	        fd, CLOUDABI_RIGHT_FD_WRITE | CLOUDABI_RIGHT_FD_SEEK, NULL);
	ssize_t n;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (iovs_len > SYS_FD_IOV_MAX || offset > INT64_MAX)
		return CLOUDABI_EINVAL;
	n = pwritev((int)fd, (const struct iovec *)iovs, (int)iovs_len,
	            (off_t)offset);
	if (n < 0)
		return errmap_from_linux(errno);
	return usercopy_write(nwritten, &(size_t){(size_t)n},
	                      sizeof(*nwritten));
}

cloudabi_errno_t cloudabi_sys_fd_datasync(cloudabi_fd_t fd)
{
	cloudabi_errno_t rc = fdtab_get(fd, CLOUDABI_RIGHT_FD_DATASYNC, NULL);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (fdatasync((int)fd) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_fd_sync(cloudabi_fd_t fd)
{
	cloudabi_errno_t rc = fdtab_get(fd, CLOUDABI_RIGHT_FD_SYNC, NULL);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (fsync((int)fd) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

/* The Linux whence for a CloudABI one; -1 when unknown. */
static int sys_fd_whence(cloudabi_whence_t whence)
{
	switch (whence) {
	case CLOUDABI_WHENCE_CUR:
		return SEEK_CUR;
	case CLOUDABI_WHENCE_END:
		return SEEK_END;
	case CLOUDABI_WHENCE_SET:
		return SEEK_SET;
	default:
		return -1;
	}
}

cloudabi_errno_t cloudabi_sys_fd_seek(cloudabi_fd_t fd,
                                      cloudabi_filedelta_t offset,
                                      cloudabi_whence_t whence,
                                      cloudabi_filesize_t *newoffset)
{
	struct fdtab_entry e;
	cloudabi_errno_t rc = fdtab_get(fd, 0, &e);
	int w = sys_fd_whence(whence);
	off_t pos;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Asking for the position only is fd_tell's; fd_seek implies it. */
	if (whence == CLOUDABI_WHENCE_CUR && offset == 0) {
		if ((e.base &
		     (CLOUDABI_RIGHT_FD_SEEK | CLOUDABI_RIGHT_FD_TELL)) == 0)
			return CLOUDABI_ENOTCAPABLE;
	} else if ((e.base & CLOUDABI_RIGHT_FD_SEEK) == 0)
		return CLOUDABI_ENOTCAPABLE;
	if (w < 0)
		return CLOUDABI_EINVAL;
	pos = lseek((int)fd, (off_t)offset, w);
	if (pos < 0)
		return errmap_from_linux(errno);
	return usercopy_write(newoffset, &(cloudabi_filesize_t){(uint64_t)pos},
	                      sizeof(*newoffset));
}

/*
 * Hands host fds the runtime just created to the program: registers each
 * with rights *e and stores its number at out[i]. On failure every fd is
 * forgotten and closed, so that nothing leaks into the program unseen.
 */
static cloudabi_errno_t sys_fd_publish(const int *hostfds, size_t n,
                                       const struct fdtab_entry *e,
                                       cloudabi_fd_t *const *out)
{
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;
	size_t i;

	for (i = 0; i < n && rc == CLOUDABI_ESUCCESS; i++) {
		if (fdtab_set(hostfds[i], e->filetype, e->base,
		              e->inheriting) != 0)
			rc = CLOUDABI_EMFILE;
	}
	for (i = 0; i < n && rc == CLOUDABI_ESUCCESS; i++)
		rc = usercopy_write(out[i],
		                    &(cloudabi_fd_t){(uint32_t)hostfds[i]},
		                    sizeof(cloudabi_fd_t));
	if (rc == CLOUDABI_ESUCCESS)
		return rc;
	for (i = 0; i < n; i++) {
		fdtab_remove(hostfds[i]);
		close(hostfds[i]);
	}
	return rc;
}

/* The fdtab entry of a new object of `type`: its default rights. */
static void sys_fd_new_entry(cloudabi_filetype_t type, struct fdtab_entry *e)
{
	struct rights r;

	/* rights_default knows every type created here; 0 rights otherwise. */
	if (rights_default(type, RIGHTS_READWRITE, &r) != 0)
		r = (struct rights){0, 0};
	*e = (struct fdtab_entry){type, r.base, r.inheriting};
}

cloudabi_errno_t cloudabi_sys_fd_create1(cloudabi_filetype_t type,
                                         cloudabi_fd_t *fd)
{
	struct fdtab_entry e;
	int h;

	if (type != CLOUDABI_FILETYPE_SHARED_MEMORY)
		return CLOUDABI_EINVAL;
	/* An anonymous file, sized later through file_stat_fput or writes. */
	h = memfd_create("cloudabi-shm", MFD_CLOEXEC);
	if (h < 0)
		return errmap_from_linux(errno);
	sys_fd_new_entry(type, &e);
	return sys_fd_publish(&h, 1, &e, &fd);
}

cloudabi_errno_t cloudabi_sys_fd_create2(cloudabi_filetype_t type,
                                         cloudabi_fd_t *fd1, cloudabi_fd_t *fd2)
{
	struct fdtab_entry e;
	cloudabi_fd_t *out[2] = {fd1, fd2};
	int h[2], st;

	/* A datagram pair is made as seqpacket: message boundaries, and no
	 * address a sender could aim at another socket (the sandbox allows
	 * no other kind of pair, docs/security.md). */
	if (type == CLOUDABI_FILETYPE_SOCKET_DGRAM)
		st = SOCK_SEQPACKET;
	else if (type == CLOUDABI_FILETYPE_SOCKET_STREAM)
		st = SOCK_STREAM;
	else
		return CLOUDABI_EINVAL;
	if (socketpair(AF_UNIX, st | SOCK_CLOEXEC, 0, h) != 0)
		return errmap_from_linux(errno);
	sys_fd_new_entry(type, &e);
	return sys_fd_publish(h, 2, &e, out);
}

cloudabi_errno_t cloudabi_sys_fd_dup(cloudabi_fd_t from, cloudabi_fd_t *fd)
{
	struct fdtab_entry e;
	cloudabi_errno_t rc = fdtab_get(from, 0, &e);
	int h;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	h = fcntl((int)from, F_DUPFD_CLOEXEC, 0);
	if (h < 0)
		return errmap_from_linux(errno);
	return sys_fd_publish(&h, 1, &e, &fd);
}

cloudabi_errno_t cloudabi_sys_fd_replace(cloudabi_fd_t from, cloudabi_fd_t to)
{
	struct fdtab_entry e, old;
	cloudabi_errno_t rc = fdtab_get(from, 0, &e);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Only the program's own fds may be overwritten, never the
	 * runtime's private ones that sit above them. */
	rc = fdtab_get(to, 0, &old);
	if (rc != CLOUDABI_ESUCCESS || from == to)
		return rc;
	/* Replacing closes `to`: for a process descriptor, as fd_close. */
	if (old.filetype == CLOUDABI_FILETYPE_PROCESS)
		procdesc_close((int)to);
	if (dup3((int)from, (int)to, O_CLOEXEC) < 0)
		return errmap_from_linux(errno);
	fdtab_set((int)to, e.filetype, e.base, e.inheriting);
	return CLOUDABI_ESUCCESS;
}

/* The fd flags fd_stat_put can really change on Linux. */
#define SYS_FD_SETTABLE (CLOUDABI_FDFLAG_APPEND | CLOUDABI_FDFLAG_NONBLOCK)

/* All fd flags cloudabi.txt defines. */
#define SYS_FD_ALLFLAGS                                                        \
	(SYS_FD_SETTABLE | CLOUDABI_FDFLAG_DSYNC | CLOUDABI_FDFLAG_RSYNC |     \
	 CLOUDABI_FDFLAG_SYNC)

/* Sets append and nonblock of fd from `want`. */
static cloudabi_errno_t sys_fd_set_flags(cloudabi_fd_t fd,
                                         cloudabi_fdflags_t want)
{
	int fl = fcntl((int)fd, F_GETFL);

	if (fl < 0)
		return errmap_from_linux(errno);
	if (want & ~SYS_FD_ALLFLAGS)
		return CLOUDABI_EINVAL;
	/* Linux cannot switch the sync modes of an open file: asking for a
	 * change is refused rather than silently ignored. Asking for the
	 * current ones is fine, as fcntl(F_SETFL) of F_GETFL's value is. */
	if ((want & ~SYS_FD_SETTABLE) != (sys_fd_flags(fl) & ~SYS_FD_SETTABLE))
		return CLOUDABI_ENOTSUP;
	fl &= ~(O_APPEND | O_NONBLOCK);
	if (want & CLOUDABI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (want & CLOUDABI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (fcntl((int)fd, F_SETFL, fl) != 0)
		return errmap_from_linux(errno);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_fd_stat_put(cloudabi_fd_t fd,
                                          const cloudabi_fdstat_t *buf,
                                          cloudabi_fdsflags_t flags)
{
	struct fdtab_entry e;
	cloudabi_fdstat_t st;
	cloudabi_errno_t rc = fdtab_get(fd, 0, &e);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* One attribute per call, as on CloudABI's native kernel. */
	if (flags != CLOUDABI_FDSTAT_FLAGS && flags != CLOUDABI_FDSTAT_RIGHTS)
		return CLOUDABI_EINVAL;
	if (flags == CLOUDABI_FDSTAT_FLAGS &&
	    (e.base & CLOUDABI_RIGHT_FD_STAT_PUT_FLAGS) == 0)
		return CLOUDABI_ENOTCAPABLE;
	rc = usercopy_read(&st, buf, sizeof(st));
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (flags == CLOUDABI_FDSTAT_FLAGS)
		return sys_fd_set_flags(fd, st.fs_flags);
	return fdtab_narrow(fd, st.fs_rights_base, st.fs_rights_inheriting);
}
