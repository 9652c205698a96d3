/*
 * sys_fd: system calls on file descriptors as such (fd_*).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "procdesc.h"
#include "sys.h"

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
	n = readv((int)fd, (const struct iovec *)iovs, (int)iovs_len);
	if (n < 0)
		return errmap_from_linux(errno);
	*nread = (size_t)n;
	return CLOUDABI_ESUCCESS;
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
	n = writev((int)fd, (const struct iovec *)iovs, (int)iovs_len);
	if (n < 0)
		return errmap_from_linux(errno);
	*nwritten = (size_t)n;
	return CLOUDABI_ESUCCESS;
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
	cloudabi_errno_t rc = fdtab_get(fd, 0, &e);
	int fl;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	fl = fcntl((int)fd, F_GETFL);
	if (fl < 0)
		return errmap_from_linux(errno);
	buf->fs_filetype = e.filetype;
	buf->fs_flags = sys_fd_flags(fl);
	buf->fs_rights_base = e.base;
	buf->fs_rights_inheriting = e.inheriting;
	return CLOUDABI_ESUCCESS;
}
