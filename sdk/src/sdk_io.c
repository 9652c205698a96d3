/*
 * sdk_io.c: whole-buffer writes and process exit (see sdk_io.h).
 */
#include <cloudabi_syscalls.h>
#include <sdk_fmt.h>
#include <sdk_io.h>
#include <sdk_string.h>

/* Loops until everything is written; a write of 0 bytes is an error (EIO)
 * rather than a reason to spin. */
int sdk_io_write_all(cloudabi_fd_t fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		cloudabi_ciovec_t iov = {.buf = p, .buf_len = len};
		size_t n = 0;
		cloudabi_errno_t error;

		error = cloudabi_sys_fd_write(fd, &iov, 1, &n);
		if (error != 0)
			return -(int)error;
		if (n == 0 || n > len)
			return -CLOUDABI_EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/* strlen plus write_all. */
int sdk_io_write_str(cloudabi_fd_t fd, const char *s)
{
	return sdk_io_write_all(fd, s, strlen(s));
}

/* Formats on the stack, then writes. */
int sdk_io_write_i64(cloudabi_fd_t fd, int64_t v)
{
	char buf[SDK_FMT_MAX];
	size_t n;

	n = sdk_fmt_i64(buf, v);
	return sdk_io_write_all(fd, buf, n);
}

/* proc_exit does not return; the loop only satisfies _Noreturn should a
 * broken runtime return anyway. */
_Noreturn void sdk_io_exit(uint32_t status)
{
	for (;;)
		cloudabi_sys_proc_exit(status);
}
