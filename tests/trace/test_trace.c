/*
 * test_trace: the lines of `cloudabi-run --trace`, checked byte for byte
 * from made-up arguments (no program runs here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cloudabi_syscall_names.h"
#include "trace.h"
#include "usercopy.h"

/* Formats a line and compares it with want. */
static void check_line(unsigned sys, const uint64_t args[7], int done,
                       cloudabi_errno_t rc, const char *want)
{
	char buf[TRACE_LINE_MAX];
	size_t len = trace_format(buf, 42, sys, args, done, rc);

	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

/* The program's address p as the tracer prints it. */
static const char *hex(const void *p, char *buf, size_t size)
{
	snprintf(buf, size, "%#lx", (unsigned long)(uintptr_t)p);
	return buf;
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(trace_errno_name(CLOUDABI_ESUCCESS), "ESUCCESS");
	assert_string_equal(trace_errno_name(CLOUDABI_ENOENT), "ENOENT");
	assert_string_equal(trace_errno_name(CLOUDABI_ENOTCAPABLE),
	                    "ENOTCAPABLE");
	assert_null(trace_errno_name(CLOUDABI_ENOTCAPABLE + 1));
}

/* A successful write shows the out value; a failed one its address. */
static void test_out_value(void **state)
{
	size_t nwritten = 13;
	cloudabi_ciovec_t iov = {"x", 1};
	uint64_t args[7] = {1, (uintptr_t)&iov, 1, (uintptr_t)&nwritten};
	char want[TRACE_LINE_MAX], a[32], b[32];

	(void)state;
	snprintf(want, sizeof(want),
	         "[42] fd_write(fd=1, iovs=%s, iovs_len=1, nwritten=[13]) = "
	         "ESUCCESS\n",
	         hex(&iov, a, sizeof(a)));
	check_line(CLOUDABI_SYS_FD_WRITE, args, 1, CLOUDABI_ESUCCESS, want);
	snprintf(want, sizeof(want),
	         "[42] fd_write(fd=1, iovs=%s, iovs_len=1, nwritten=%s) = "
	         "EBADF\n",
	         hex(&iov, a, sizeof(a)), hex(&nwritten, b, sizeof(b)));
	check_line(CLOUDABI_SYS_FD_WRITE, args, 1, CLOUDABI_EBADF, want);
}

/* Lookups, quoted and escaped paths, flags in hex, masked fds. */
static void test_file_open(void **state)
{
	static const char path[] = "a/\"b\"\n";
	cloudabi_fd_t fd = 7;
	uint64_t args[7] = {3 | (UINT64_C(1) << 32),
	                    (uintptr_t)path,
	                    sizeof(path) - 1,
	                    CLOUDABI_O_CREAT | CLOUDABI_O_EXCL,
	                    0,
	                    (uintptr_t)&fd};
	char want[TRACE_LINE_MAX];

	(void)state;
	snprintf(want, sizeof(want),
	         "[42] file_open(dirfd={fd=3, flags=0x1}, "
	         "path=\"a/\\\"b\\\"\\x0a\", path_len=6, oflags=0x5, "
	         "fds=0x0, fd=[7]) = ESUCCESS\n");
	check_line(CLOUDABI_SYS_FILE_OPEN, args, 1, CLOUDABI_ESUCCESS, want);
}

/* Upper register bits the ABI leaves undefined are not shown. */
static void test_masking_and_signed(void **state)
{
	uint64_t close_args[7] = {UINT64_C(0xdeadbeef00000005)};
	uint64_t seek_args[7] = {4, (uint64_t)-5, 0x1ff, 0};

	(void)state;
	check_line(CLOUDABI_SYS_FD_CLOSE, close_args, 1, CLOUDABI_ESUCCESS,
	           "[42] fd_close(fd=5) = ESUCCESS\n");
	check_line(CLOUDABI_SYS_FD_SEEK, seek_args, 1, CLOUDABI_EINVAL,
	           "[42] fd_seek(fd=4, offset=-5, whence=255, newoffset=0x0)"
	           " = EINVAL\n");
}

/* Long paths are cut; unreadable ones show as their address. */
static void test_long_and_bad_paths(void **state)
{
	char path[200], want[TRACE_LINE_MAX];
	uint64_t args[7] = {3, (uintptr_t)path, sizeof(path), 0};
	uint64_t bad[7] = {3, 16, 4, 0};

	(void)state;
	/* cmocka has its own SIGSEGV handler during a test: take over. */
	assert_int_equal(usercopy_init(), 0);
	memset(path, 'p', sizeof(path));
	snprintf(want, sizeof(want),
	         "[42] file_unlink(fd=3, path=\"%.64s\"..., path_len=200, "
	         "flags=0x0) = ENOENT\n",
	         path);
	check_line(CLOUDABI_SYS_FILE_UNLINK, args, 1, CLOUDABI_ENOENT, want);
	check_line(CLOUDABI_SYS_FILE_UNLINK, bad, 1, CLOUDABI_EFAULT,
	           "[42] file_unlink(fd=3, path=0x10, path_len=4, flags=0x0)"
	           " = EFAULT\n");
}

/* Calls logged before they run; results the tracer has no name for. */
static void test_pending_and_unknown(void **state)
{
	uint64_t args[7] = {3};

	(void)state;
	check_line(CLOUDABI_SYS_PROC_EXIT, args, 0, 0,
	           "[42] proc_exit(rval=3) ...\n");
	check_line(CLOUDABI_SYS_THREAD_YIELD, args, 1, 999,
	           "[42] thread_yield() = 999\n");
	check_line(CLOUDABI_SYSCALL_COUNT, args, 1, 0, "[42] ?() ...\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_errno_names),
	        cmocka_unit_test(test_out_value),
	        cmocka_unit_test(test_file_open),
	        cmocka_unit_test(test_masking_and_signed),
	        cmocka_unit_test(test_long_and_bad_paths),
	        cmocka_unit_test(test_pending_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
