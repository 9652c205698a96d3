/*
 * Conformance: the calls the launcher itself needs (fd_write, fd_read,
 * fd_close, fd_stat_get, clocks, random_get, mem_protect, thread_yield),
 * their success paths and error paths.
 */
#include "harness.h"

#include <sdk_string.h>

/* fd_write/fd_read/fd_close on the log fd and a bad fd. */
static void check_fds(void)
{
	int log = conf_fd("log");
	cloudabi_ciovec_t iov = {.buf = "", .buf_len = 0};
	cloudabi_iovec_t riov = {.buf = 0, .buf_len = 0};
	cloudabi_fdstat_t st;
	size_t n = 1;

	CHECK(log >= 0);
	CHECK_OK(cloudabi_sys_fd_write((cloudabi_fd_t)log, &iov, 1, &n));
	CHECK(n == 0);
	CHECK_ERRNO(cloudabi_sys_fd_write(1000, &iov, 1, &n), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_read(1000, &riov, 1, &n), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_close(1000), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_fd_stat_get(0xffffffff, &st), CLOUDABI_EBADF);
	/* A bad buffer is the kernel's EFAULT, not a crash. */
	iov.buf = (const void *)16;
	iov.buf_len = 8;
	CHECK_ERRNO(cloudabi_sys_fd_write((cloudabi_fd_t)log, &iov, 1, &n),
	            CLOUDABI_EFAULT);
}

/* fd_stat_get reports the directory grant with directory rights. */
static void check_stat(void)
{
	cloudabi_fdstat_t st;

	memset(&st, 0xff, sizeof(st));
	CHECK_OK(cloudabi_sys_fd_stat_get(conf_tmpdir(), &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK((st.fs_rights_base & CLOUDABI_RIGHT_FILE_OPEN) != 0);
	CHECK((st.fs_rights_base & CLOUDABI_RIGHT_FD_WRITE) == 0);
	CHECK((st.fs_rights_inheriting & CLOUDABI_RIGHT_FD_WRITE) != 0);
	/* A directory is not readable as a stream: no fd_read right. */
	cloudabi_iovec_t riov = {.buf = &st, .buf_len = 1};
	size_t n;
	CHECK_ERRNO(cloudabi_sys_fd_read(conf_tmpdir(), &riov, 1, &n),
	            CLOUDABI_ENOTCAPABLE);
}

/* Clocks advance, resolutions are sane, bad clock ids are EINVAL. */
static void check_clocks(void)
{
	cloudabi_timestamp_t a = 0, b = 0, res = 0;

	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC, 0, &a));
	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC, 0, &b));
	CHECK(b >= a);
	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_REALTIME, 0, &a));
	/* Later than 2020-01-01 in nanoseconds. */
	CHECK(a > 1577836800ull * 1000000000ull);
	CHECK_OK(cloudabi_sys_clock_res_get(CLOUDABI_CLOCK_MONOTONIC, &res));
	CHECK(res > 0 && res <= 1000000);
	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_PROCESS_CPUTIME_ID,
	                                     0, &a));
	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_THREAD_CPUTIME_ID,
	                                     0, &a));
	CHECK_ERRNO(cloudabi_sys_clock_time_get(77, 0, &a), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_clock_res_get(0, &res), CLOUDABI_EINVAL);
}

/* random_get fills the buffer (two draws differ) and faults cleanly. */
static void check_random(void)
{
	uint8_t a[32], b[32];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_OK(cloudabi_sys_random_get(a, sizeof(a)));
	CHECK_OK(cloudabi_sys_random_get(b, sizeof(b)));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK_OK(cloudabi_sys_random_get(a, 0));
	CHECK_ERRNO(cloudabi_sys_random_get((void *)16, 8), CLOUDABI_EFAULT);
}

static char page[8192] __attribute__((aligned(4096)));

/* mem_protect: W^X refused, bad flags refused, read-only then back. */
static void check_protect(void)
{
	CHECK_ERRNO(cloudabi_sys_mem_protect(page, 4096,
	                                     CLOUDABI_PROT_WRITE |
	                                             CLOUDABI_PROT_EXEC),
	            CLOUDABI_ENOTSUP);
	CHECK_ERRNO(cloudabi_sys_mem_protect(page, 4096, 0x80),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_mem_protect(page + 1, 4096, CLOUDABI_PROT_READ),
	        CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_mem_protect(page, 4096, CLOUDABI_PROT_READ));
	CHECK_OK(cloudabi_sys_mem_protect(
	        page, 4096, CLOUDABI_PROT_READ | CLOUDABI_PROT_WRITE));
	page[0] = 1;
	CHECK(page[0] == 1);
}

void conf_main(void)
{
	check_fds();
	check_stat();
	check_clocks();
	check_random();
	check_protect();
	CHECK_OK(cloudabi_sys_thread_yield());
}
