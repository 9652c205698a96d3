/*
 * file_util: helpers of the file_* conformance guests. See file_util.h.
 */
#include "file_util.h"

#include <sdk_string.h>

#include "harness.h"

cloudabi_fd_t fu_ro(void)
{
	int fd = conf_fd("ro");

	if (fd < 0)
		conf_fail(__FILE__, __LINE__, "configuration has no ro grant");
	return (cloudabi_fd_t)fd;
}

cloudabi_errno_t fu_open(cloudabi_fd_t dir, const char *path, size_t len,
                         cloudabi_oflags_t oflags, cloudabi_rights_t base,
                         cloudabi_fd_t *fd)
{
	cloudabi_fdstat_t fds = {.fs_rights_base = base};
	cloudabi_lookup_t at = {.fd = dir, .flags = 0};

	return cloudabi_sys_file_open(at, path, len, oflags, &fds, fd);
}

cloudabi_errno_t fu_make(cloudabi_fd_t dir, const char *path, size_t len,
                         const char *data)
{
	cloudabi_ciovec_t iov = {.buf = data, .buf_len = strlen(data)};
	cloudabi_fd_t fd;
	size_t n;
	cloudabi_errno_t rc =
	        fu_open(dir, path, len, CLOUDABI_O_CREAT | CLOUDABI_O_TRUNC,
	                FU_RW, &fd);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = cloudabi_sys_fd_write(fd, &iov, 1, &n);
	if (rc == CLOUDABI_ESUCCESS && n != iov.buf_len)
		rc = CLOUDABI_EIO;
	cloudabi_sys_fd_close(fd);
	return rc;
}

cloudabi_errno_t fu_stat(cloudabi_fd_t dir, const char *path, size_t len,
                         int follow, cloudabi_filestat_t *st)
{
	cloudabi_lookup_t at = {
	        .fd = dir,
	        .flags = follow ? CLOUDABI_LOOKUP_SYMLINK_FOLLOW : 0,
	};

	return cloudabi_sys_file_stat_get(at, path, len, st);
}
