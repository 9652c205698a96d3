/*
 * test_rundiag: where cloudabi-run reports a launch that fails once it is
 * running from a launch state (--exec-state, as after proc_exec or from
 * the daemon). By then fd 2 may be the program's own: the error must go
 * to the state's diagnostics fd, and nothing to the program's fd 2.
 *
 * Usage: test_rundiag CLOUDABI-RUN
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "launchstate.h"

/* Fixed numbers in the child, away from 0..2 and from each other. */
#define DIAG_FD  7
#define EXE_FD   8
#define STATE_FD 9

static const char *runtime_path;

/* Reads what a pipe holds once every writer is gone. */
static size_t drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

/* Moves fd to exactly want in the child (not close-on-exec). */
static void child_place(int fd, int want)
{
	if (fd != want && dup2(fd, want) < 0)
		_exit(120);
}

/*
 * Runs the runtime on a launch state whose executable is exe_fd, with
 * the program's fd 2 a pipe ("prog") and the diagnostics fd another
 * ("diag"); returns the exit status and what each pipe got.
 */
static int run_state(int exe_fd, int state_fd, char *diag, char *prog,
                     size_t size)
{
	int dp[2], pp[2], status;
	int mfd = memfd_create("rundiag", 0);
	uint8_t argdata[] = {0x06}; /* an empty sequence */
	pid_t pid;

	assert_true(mfd >= 0);
	assert_int_equal(launchstate_write(mfd, EXE_FD, DIAG_FD, 0, NULL, 0,
	                                   argdata, sizeof(argdata)),
	                 0);
	assert_int_equal(pipe(dp), 0);
	assert_int_equal(pipe(pp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Above every target first, so that no move clobbers one. */
		int d = fcntl(dp[1], F_DUPFD, 20),
		    p = fcntl(pp[1], F_DUPFD, 20);
		int e = fcntl(exe_fd, F_DUPFD, 20), m = fcntl(mfd, F_DUPFD, 20);
		char arg[16];

		child_place(d, DIAG_FD);
		child_place(e, EXE_FD);
		child_place(m, state_fd);
		child_place(p, 2);
		snprintf(arg, sizeof(arg), "%d", state_fd);
		execl(runtime_path, "cloudabi-run", "--exec-state", arg,
		      (char *)NULL);
		_exit(121);
	}
	close(dp[1]);
	close(pp[1]);
	close(mfd);
	drain(dp[0], diag, size);
	drain(pp[0], prog, size);
	close(dp[0]);
	close(pp[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_bad_executable_reports_to_diag_fd(void **state)
{
	char diag[512], prog[512];
	char path[] = "/tmp/test_rundiag.XXXXXX";
	int exe = mkstemp(path), status;

	(void)state;
	assert_true(exe >= 0);
	unlink(path);
	assert_int_equal(write(exe, "not an ELF file\n", 16), 16);
	status = run_state(exe, STATE_FD, diag, prog, sizeof(diag));
	close(exe);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	assert_non_null(strstr(diag, "cloudabi-run: "));
	assert_string_equal(prog, "");
}

/* A daemon with a thousand services holds thousands of fds: the state
 * fd it hands over may be far above the program's fd table (4096). */
static void test_state_fd_above_4096(void **state)
{
	char diag[512], prog[512];
	char path[] = "/tmp/test_rundiag.XXXXXX";
	struct rlimit rl;
	int exe = mkstemp(path), status;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max <= 5000)
		skip(); /* no fd 5000 possible here: not a pass */
	if (rl.rlim_cur <= 5000) {
		rl.rlim_cur = 5001;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	assert_true(exe >= 0);
	unlink(path);
	assert_int_equal(write(exe, "not an ELF file\n", 16), 16);
	status = run_state(exe, 5000, diag, prog, sizeof(diag));
	close(exe);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	print_message("diagnostics: %s", diag);
	/* The state was read: the failure is the executable's. */
	assert_null(strstr(diag, "bad exec state fd"));
	assert_non_null(strstr(diag, "ELF header"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bad_executable_reports_to_diag_fd),
	        cmocka_unit_test(test_state_fd_above_4096),
	};

	if (argc != 2)
		return 2;
	runtime_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
