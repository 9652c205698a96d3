/*
 * Conformance: proc_fork and process descriptors, proc_raise's ignored
 * and invalid signals. A socket pair carries the child's verdict to the
 * parent; its end of file shows that the child is gone (a child that
 * fd_close did not kill would keep it open, and the test would time out).
 */
#include "harness.h"

#include <crt0.h>

/* Reads one byte from fd: the byte, or -1 at end of file or on error. */
static int proc_read_byte(cloudabi_fd_t fd)
{
	uint8_t b;
	cloudabi_iovec_t iov = {.buf = &b, .buf_len = 1};
	size_t n = 0;

	if (cloudabi_sys_fd_read(fd, &iov, 1, &n) != 0 || n != 1)
		return -1;
	return b;
}

/* Writes one byte to fd. */
static void proc_write_byte(cloudabi_fd_t fd, uint8_t b)
{
	cloudabi_ciovec_t iov = {.buf = &b, .buf_len = 1};
	size_t n;

	cloudabi_sys_fd_write(fd, &iov, 1, &n);
}

/* A socket pair, or a failed check. */
static void proc_pair(cloudabi_fd_t *a, cloudabi_fd_t *b)
{
	CHECK_OK(
	        cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, a, b));
}

/* The child sends 'y' when what it saw of proc_fork is right, then exits. */
static void check_fork_child_view(void)
{
	cloudabi_fd_t a, b, pd = 0;
	cloudabi_tid_t tid = 0;
	cloudabi_fdstat_t st;

	proc_pair(&a, &b);
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		bool ok = tid != 0 && tid < 0x40000000 && tid != crt0_tid();
		proc_write_byte(b, ok ? 'y' : 'n');
		cloudabi_sys_proc_exit(0);
	}
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK(proc_read_byte(a) == 'y');
	/* The child exited: its end of the pair is closed. */
	CHECK(proc_read_byte(a) == -1);
	CHECK_OK(cloudabi_sys_fd_stat_get(pd, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_PROCESS);
	CHECK(st.fs_rights_base == (CLOUDABI_RIGHT_FILE_STAT_FGET |
	                            CLOUDABI_RIGHT_POLL_PROC_TERMINATE));
	CHECK(st.fs_rights_inheriting == 0);
	/* A process descriptor is not a stream. */
	CHECK_ERRNO(cloudabi_sys_fd_read(pd, 0, 0, 0), CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(pd));
	CHECK_ERRNO(cloudabi_sys_fd_stat_get(pd, &st), CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_close(a));
}

/* Closing the descriptor of a running child kills it. */
static void check_close_kills(void)
{
	cloudabi_fd_t a, b, pd = 0;
	cloudabi_tid_t tid;

	proc_pair(&a, &b);
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		proc_write_byte(b, 'r');
		for (;;)
			cloudabi_sys_thread_yield();
	}
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK(proc_read_byte(a) == 'r');
	CHECK_OK(cloudabi_sys_fd_close(pd));
	/* Only the killed child held the other end. */
	CHECK(proc_read_byte(a) == -1);
	CHECK_OK(cloudabi_sys_fd_close(a));
}

/* A child's fds are copies: closing them leaves the parent's working. */
static void check_fds_inherited(void)
{
	cloudabi_fd_t a, b, pd = 0;
	cloudabi_tid_t tid;

	proc_pair(&a, &b);
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		cloudabi_sys_fd_close(a);
		proc_write_byte(b, 'k');
		cloudabi_sys_proc_exit(0);
	}
	CHECK(proc_read_byte(a) == 'k');
	proc_write_byte(b, 'p');
	CHECK(proc_read_byte(a) == 'p');
	CHECK_OK(cloudabi_sys_fd_close(pd));
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
}

/* Bad output pointers fail before any process is made. */
static void check_fork_errors(void)
{
	cloudabi_fd_t pd;
	cloudabi_tid_t tid;

	CHECK_ERRNO(cloudabi_sys_proc_fork((cloudabi_fd_t *)16, &tid),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_proc_fork(&pd, (cloudabi_tid_t *)16),
	            CLOUDABI_EFAULT);
}

/* Signals whose action is to be ignored; numbers outside the enum. */
static void check_raise(void)
{
	CHECK_OK(cloudabi_sys_proc_raise(CLOUDABI_SIGCHLD));
	CHECK_OK(cloudabi_sys_proc_raise(CLOUDABI_SIGCONT));
	CHECK_OK(cloudabi_sys_proc_raise(CLOUDABI_SIGPIPE));
	CHECK_OK(cloudabi_sys_proc_raise(CLOUDABI_SIGURG));
	CHECK_ERRNO(cloudabi_sys_proc_raise(0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_proc_raise(27), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_proc_raise(255), CLOUDABI_EINVAL);
}

void conf_main(void)
{
	check_raise();
	check_fork_errors();
	check_fork_child_view();
	check_close_kills();
	check_fds_inherited();
}
