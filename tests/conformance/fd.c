/*
 * Conformance: the fd_* calls beyond basic.c's (create1, create2, dup,
 * replace, pread, pwrite, seek, sync, datasync, stat_put), their success
 * paths and their errors: bad fds, rights removed with fd_stat_put, bad
 * pointers, bad flags. The YAML grants "file", an empty read-write file.
 */
#include "harness.h"

#include <sdk_string.h>

#define R(x) CLOUDABI_RIGHT_##x

/* A pointer no program memory is ever mapped at. */
#define BAD_PTR ((void *)16)

/* Writes len bytes of s to fd in one call; the number written. */
static size_t put(cloudabi_fd_t fd, const char *s, size_t len)
{
	cloudabi_ciovec_t iov = {.buf = s, .buf_len = len};
	size_t n = 0;

	CHECK_OK(cloudabi_sys_fd_write(fd, &iov, 1, &n));
	return n;
}

/* Reads up to len bytes from fd into buf in one call; the number read. */
static size_t get(cloudabi_fd_t fd, char *buf, size_t len)
{
	cloudabi_iovec_t iov = {.buf = buf, .buf_len = len};
	size_t n = 0;

	CHECK_OK(cloudabi_sys_fd_read(fd, &iov, 1, &n));
	return n;
}

/* The rights of fd (0 when fd_stat_get fails, which is a failed check). */
static cloudabi_rights_t base_rights(cloudabi_fd_t fd)
{
	cloudabi_fdstat_t st;

	memset(&st, 0, sizeof(st));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	return st.fs_rights_base;
}

/* Narrows fd's base rights to `base` (inheriting to none). */
static cloudabi_errno_t narrow(cloudabi_fd_t fd, cloudabi_rights_t base)
{
	cloudabi_fdstat_t st = {.fs_rights_base = base};

	return cloudabi_sys_fd_stat_put(fd, &st, CLOUDABI_FDSTAT_RIGHTS);
}

/* fd_create1: shared memory only, with its type and rights. */
static void check_create1(void)
{
	cloudabi_fdstat_t st;
	cloudabi_fd_t fd = 12345;

	CHECK_ERRNO(
	        cloudabi_sys_fd_create1(CLOUDABI_FILETYPE_SOCKET_STREAM, &fd),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_fd_create1(CLOUDABI_FILETYPE_REGULAR_FILE, &fd),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_create1(0x77, &fd), CLOUDABI_EINVAL);
	CHECK(fd == 12345);
	CHECK_OK(cloudabi_sys_fd_create1(CLOUDABI_FILETYPE_SHARED_MEMORY, &fd));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_SHARED_MEMORY);
	CHECK((st.fs_rights_base & R(MEM_MAP)) != 0);
	CHECK((st.fs_rights_base & R(FD_READ)) != 0);
	CHECK((st.fs_rights_base & R(FD_WRITE)) != 0);
	CHECK(put(fd, "abc", 3) == 3);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	CHECK_ERRNO(cloudabi_sys_fd_create1(CLOUDABI_FILETYPE_SHARED_MEMORY,
	                                    BAD_PTR),
	            CLOUDABI_EFAULT);
}

/* A stream pair carries bytes both ways; a datagram pair keeps bounds. */
static void check_create2_io(void)
{
	cloudabi_fd_t a, b;
	char buf[16];

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	CHECK(a != b);
	CHECK(put(a, "ping", 4) == 4);
	CHECK(get(b, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0);
	CHECK(put(b, "pong", 4) == 4);
	CHECK(get(a, buf, sizeof(buf)) == 4 && memcmp(buf, "pong", 4) == 0);
	CHECK((base_rights(a) & (R(FD_READ) | R(FD_WRITE))) ==
	      (R(FD_READ) | R(FD_WRITE)));
	/* Sockets have no position: no fd_seek right. */
	CHECK_ERRNO(cloudabi_sys_fd_pread(a, 0, 0, 0, &(size_t){0}),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_DGRAM, &a,
	                                 &b));
	CHECK(put(a, "ab", 2) == 2);
	CHECK(put(a, "cde", 3) == 3);
	CHECK(get(b, buf, sizeof(buf)) == 2);
	CHECK(get(b, buf, sizeof(buf)) == 3 && memcmp(buf, "cde", 3) == 0);
	cloudabi_fdstat_t st;
	CHECK_OK(cloudabi_sys_fd_stat_get(b, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_SOCKET_DGRAM);
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
}

/* fd_create2 errors; a failed call leaves no fd behind. */
static void check_create2_errors(void)
{
	cloudabi_fd_t a, b, a2 = 0, b2 = 0;

	CHECK_ERRNO(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SHARED_MEMORY, &a,
	                                    &b),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_DIRECTORY, &a, &b),
	        CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK_ERRNO(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                    BAD_PTR),
	            CLOUDABI_EFAULT);
	/* The lowest free numbers are the same two again: nothing leaked. */
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a2,
	                                 &b2));
	CHECK((a2 == a && b2 == b) || (a2 == b && b2 == a));
	CHECK_OK(cloudabi_sys_fd_close(a2));
	CHECK_OK(cloudabi_sys_fd_close(b2));
}

/* fd_dup copies the rights; narrowing one copy leaves the other alone. */
static void check_dup(void)
{
	cloudabi_fd_t a, b, d = 0;
	char buf[8];

	CHECK_ERRNO(cloudabi_sys_fd_dup(9999, &d), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_dup(0xffffffff, &d), CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	CHECK_OK(cloudabi_sys_fd_dup(a, &d));
	CHECK(d != a && d != b);
	CHECK(base_rights(d) == base_rights(a));
	CHECK(put(d, "x", 1) == 1);
	CHECK(get(b, buf, sizeof(buf)) == 1 && buf[0] == 'x');
	CHECK_OK(narrow(d, R(FD_READ)));
	CHECK(base_rights(d) == R(FD_READ));
	cloudabi_ciovec_t iov = {.buf = "y", .buf_len = 1};
	size_t n;
	CHECK_ERRNO(cloudabi_sys_fd_write(d, &iov, 1, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK(put(a, "y", 1) == 1);
	CHECK_ERRNO(cloudabi_sys_fd_dup(a, BAD_PTR), CLOUDABI_EFAULT);
	CHECK_OK(cloudabi_sys_fd_close(d));
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
}

/* fd_replace: both fds must exist; `to` takes from's object and rights. */
static void check_replace(void)
{
	cloudabi_fd_t a, b, c, d;
	char buf[8];

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &c,
	                                 &d));
	CHECK_ERRNO(cloudabi_sys_fd_replace(9999, a), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_replace(a, 9999), CLOUDABI_EBADF);
	/* An fd number the program does not have is never a target. */
	CHECK_ERRNO(cloudabi_sys_fd_replace(a, d + 1), CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_replace(a, a));
	CHECK(put(a, "s", 1) == 1);
	CHECK(get(b, buf, sizeof(buf)) == 1);
	CHECK_OK(narrow(c, R(FD_WRITE) | R(FD_READ)));
	CHECK_OK(cloudabi_sys_fd_replace(c, a));
	CHECK(base_rights(a) == (R(FD_WRITE) | R(FD_READ)));
	CHECK(put(a, "r", 1) == 1);
	CHECK(get(d, buf, sizeof(buf)) == 1 && buf[0] == 'r');
	/* a's old socket had no other fd: its peer sees the end. */
	CHECK(get(b, buf, sizeof(buf)) == 0);
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK(put(c, "t", 1) == 1); /* c still open on its own */
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK_OK(cloudabi_sys_fd_close(c));
	CHECK_OK(cloudabi_sys_fd_close(d));
}

/* Replacing a process descriptor ends its process, as closing it does:
 * the child's end of a socket pair then closes. */
static void check_replace_process(void)
{
	cloudabi_fd_t a, b, pd = 0, x;
	cloudabi_tid_t tid;
	char c;

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		/* Blocks until killed: the parent never writes. */
		get(b, &c, 1);
		cloudabi_sys_proc_exit(3);
	}
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK_OK(cloudabi_sys_fd_dup(a, &x));
	CHECK_OK(cloudabi_sys_fd_replace(x, pd));
	/* Without the kill this read would block (the test times out). */
	CHECK(get(a, &c, 1) == 0);
	CHECK_OK(cloudabi_sys_fd_close(pd));
	CHECK_OK(cloudabi_sys_fd_close(x));
	CHECK_OK(cloudabi_sys_fd_close(a));
}

/* fd_stat_put: flag checks, nonblock set and cleared, rights narrowed. */
static void check_stat_put(void)
{
	cloudabi_fd_t a, b;
	cloudabi_fdstat_t st;
	char buf[4];
	cloudabi_iovec_t iov = {.buf = buf, .buf_len = sizeof(buf)};
	size_t n;

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	memset(&st, 0, sizeof(st));
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(9999, &st, CLOUDABI_FDSTAT_FLAGS),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, 4), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, 3), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, BAD_PTR, CLOUDABI_FDSTAT_FLAGS),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_fd_stat_get(a, BAD_PTR), CLOUDABI_EFAULT);
	st.fs_flags = CLOUDABI_FDFLAG_NONBLOCK;
	CHECK_OK(cloudabi_sys_fd_stat_put(a, &st, CLOUDABI_FDSTAT_FLAGS));
	CHECK_OK(cloudabi_sys_fd_stat_get(a, &st));
	CHECK(st.fs_flags == CLOUDABI_FDFLAG_NONBLOCK);
	CHECK_ERRNO(cloudabi_sys_fd_read(a, &iov, 1, &n), CLOUDABI_EAGAIN);
	st.fs_flags = 0x100;
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, CLOUDABI_FDSTAT_FLAGS),
	            CLOUDABI_EINVAL);
	/* Linux cannot turn on synchronous writes of an open fd. */
	st.fs_flags = CLOUDABI_FDFLAG_SYNC;
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, CLOUDABI_FDSTAT_FLAGS),
	            CLOUDABI_ENOTSUP);
	st.fs_flags = 0;
	CHECK_OK(cloudabi_sys_fd_stat_put(a, &st, CLOUDABI_FDSTAT_FLAGS));
	CHECK_OK(cloudabi_sys_fd_stat_get(a, &st));
	CHECK(st.fs_flags == 0);
	/* Rights only shrink, and then the calls they allowed fail. */
	CHECK_ERRNO(narrow(a, base_rights(a) | R(FILE_OPEN)),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(narrow(a, R(FD_READ) | R(FD_WRITE)));
	CHECK_ERRNO(cloudabi_sys_fd_stat_put(a, &st, CLOUDABI_FDSTAT_FLAGS),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(narrow(a, R(FD_READ) | R(FD_WRITE) | R(FD_STAT_PUT_FLAGS)),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(narrow(a, 0));
	CHECK_ERRNO(cloudabi_sys_fd_read(a, &iov, 1, &n), CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
}

/* fd_pwrite/fd_pread at offsets, without moving the position. */
static void check_pread_pwrite(cloudabi_fd_t f)
{
	cloudabi_ciovec_t w[2] = {{"hello ", 6}, {"world", 5}};
	char buf[16];
	cloudabi_iovec_t r = {.buf = buf, .buf_len = sizeof(buf)};
	size_t n = 0;
	cloudabi_filesize_t pos = 99;

	CHECK_OK(cloudabi_sys_fd_pwrite(f, w, 2, 0, &n));
	CHECK(n == 11);
	CHECK_OK(cloudabi_sys_fd_pread(f, &r, 1, 6, &n));
	CHECK(n == 5 && memcmp(buf, "world", 5) == 0);
	CHECK_OK(cloudabi_sys_fd_pread(f, &r, 1, 100, &n));
	CHECK(n == 0);
	CHECK_OK(cloudabi_sys_fd_seek(f, 0, CLOUDABI_WHENCE_CUR, &pos));
	CHECK(pos == 0);
	CHECK_ERRNO(cloudabi_sys_fd_pread(f, &r, 1, 1ull << 63, &n),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_pread(f, &r, 1, 0, BAD_PTR),
	            CLOUDABI_EFAULT);
	r.buf = BAD_PTR;
	CHECK_ERRNO(cloudabi_sys_fd_pread(f, &r, 1, 0, &n), CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_fd_pread(9999, &r, 1, 0, &n), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_pwrite(9999, w, 1, 0, &n), CLOUDABI_EBADF);
}

/* fd_seek with each whence; bad whence and negative results refused. */
static void check_seek(cloudabi_fd_t f)
{
	cloudabi_filesize_t pos = 0;

	CHECK_OK(cloudabi_sys_fd_seek(f, 0, CLOUDABI_WHENCE_END, &pos));
	CHECK(pos == 11);
	CHECK_OK(cloudabi_sys_fd_seek(f, 6, CLOUDABI_WHENCE_SET, &pos));
	CHECK(pos == 6);
	CHECK_OK(cloudabi_sys_fd_seek(f, -2, CLOUDABI_WHENCE_CUR, &pos));
	CHECK(pos == 4);
	char buf[8];
	CHECK(get(f, buf, 7) == 7 && memcmp(buf, "o world", 7) == 0);
	CHECK_ERRNO(cloudabi_sys_fd_seek(f, 0, 0, &pos), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_seek(f, 0, 4, &pos), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_seek(f, -1, CLOUDABI_WHENCE_SET, &pos),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_fd_seek(f, 0, CLOUDABI_WHENCE_CUR, BAD_PTR),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_fd_seek(9999, 0, CLOUDABI_WHENCE_SET, &pos),
	            CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_sync(f));
	CHECK_OK(cloudabi_sys_fd_datasync(f));
	CHECK_ERRNO(cloudabi_sys_fd_sync(9999), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_datasync(9999), CLOUDABI_EBADF);
}

/* On a copy with fewer rights, the calls needing the dropped ones fail. */
static void check_file_rights(cloudabi_fd_t f)
{
	cloudabi_fd_t d;
	cloudabi_filesize_t pos = 0;
	char buf[4];
	cloudabi_iovec_t r = {.buf = buf, .buf_len = sizeof(buf)};
	cloudabi_ciovec_t w = {.buf = "z", .buf_len = 1};
	size_t n;

	CHECK_OK(cloudabi_sys_fd_dup(f, &d));
	CHECK_OK(narrow(d, R(FD_READ) | R(FD_WRITE) | R(FD_TELL)));
	CHECK_OK(cloudabi_sys_fd_seek(d, 0, CLOUDABI_WHENCE_CUR, &pos));
	CHECK(pos == 11); /* the dup shares the position */
	CHECK_ERRNO(cloudabi_sys_fd_seek(d, 0, CLOUDABI_WHENCE_SET, &pos),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_fd_seek(d, 1, CLOUDABI_WHENCE_CUR, &pos),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_fd_pread(d, &r, 1, 0, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_fd_pwrite(d, &w, 1, 0, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_fd_sync(d), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_fd_datasync(d), CLOUDABI_ENOTCAPABLE);
	CHECK_OK(narrow(d, R(FD_READ)));
	CHECK_ERRNO(cloudabi_sys_fd_seek(d, 0, CLOUDABI_WHENCE_CUR, &pos),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(d));
	/* The original kept all of its rights. */
	CHECK_OK(cloudabi_sys_fd_seek(f, 0, CLOUDABI_WHENCE_SET, &pos));
}

/* Directories sync too (their rights include fd_sync). */
static void check_dir_sync(void)
{
	CHECK_OK(cloudabi_sys_fd_sync(conf_tmpdir()));
	CHECK_OK(cloudabi_sys_fd_datasync(conf_tmpdir()));
}

void conf_main(void)
{
	int f = conf_fd("file");

	check_create1();
	check_create2_io();
	check_create2_errors();
	check_dup();
	check_replace();
	check_replace_process();
	check_stat_put();
	CHECK(f >= 0);
	if (f >= 0) {
		check_pread_pwrite((cloudabi_fd_t)f);
		check_seek((cloudabi_fd_t)f);
		check_file_rights((cloudabi_fd_t)f);
	}
	check_dir_sync();
}
