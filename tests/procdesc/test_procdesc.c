/*
 * Unit tests of procdesc: the exit status of real host children through
 * pidfds (exit code, signal, replay after reaping, still running), the
 * kill on close and when it must not happen, and the signal tables.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fdtab.h"
#include "procdesc.h"

/* A child that runs fn; returns its pidfd, registered as a process fd. */
static int child(void (*fn)(void), pid_t *pidp)
{
	pid_t pid = fork();
	int fd;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(99);
	}
	fd = pidfd_open(pid, 0);
	assert_true(fd >= 0);
	fdtab_set(fd, CLOUDABI_FILETYPE_PROCESS, 0, 0);
	if (pidp != NULL)
		*pidp = pid;
	return fd;
}

/* Closes a process fd as fd_close does. */
static void close_pd(int fd)
{
	fdtab_remove(fd);
	procdesc_close(fd);
	close(fd);
}

static void exit42(void)
{
	_exit(42);
}

static void abort_quietly(void)
{
	struct rlimit no_core = {0, 0};

	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
}

static void sleep_long(void)
{
	for (;;)
		pause();
}

/* An exit code comes back, and again after the child was reaped. */
static void test_exit_code(void **state)
{
	uint8_t sig = 77;
	uint32_t code = 77;
	pid_t pid;
	int fd = child(exit42, &pid);

	(void)state;
	assert_int_equal(procdesc_wait(fd, true, &sig, &code), 0);
	assert_int_equal(sig, 0);
	assert_int_equal(code, 42);
	/* Reaped: the kernel has nothing left, the table has the answer. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	sig = 77, code = 77;
	assert_int_equal(procdesc_wait(fd, false, &sig, &code), 0);
	assert_int_equal(sig, 0);
	assert_int_equal(code, 42);
	close_pd(fd);
}

/* A death by signal reads as the CloudABI signal. */
static void test_signal(void **state)
{
	uint8_t sig = 0;
	uint32_t code = 77;
	int fd = child(abort_quietly, NULL);

	(void)state;
	assert_int_equal(procdesc_wait(fd, true, &sig, &code), 0);
	assert_int_equal(sig, CLOUDABI_SIGABRT);
	assert_int_equal(code, 0);
	close_pd(fd);
}

/* A running child: EAGAIN without blocking; closing kills and reaps it. */
static void test_close_kills(void **state)
{
	uint8_t sig;
	uint32_t code;
	pid_t pid;
	int fd = child(sleep_long, &pid);

	(void)state;
	assert_int_equal(procdesc_wait(fd, false, &sig, &code), -EAGAIN);
	close_pd(fd);
	/* Killed and reaped by the close: no such child any more. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* With a second fd on the same process, closing one does not kill. */
static void test_close_shared(void **state)
{
	uint8_t sig = 0;
	uint32_t code;
	int fd = child(sleep_long, NULL), fd2 = dup(fd);

	(void)state;
	assert_true(fd2 >= 0);
	fdtab_set(fd2, CLOUDABI_FILETYPE_PROCESS, 0, 0);
	close_pd(fd);
	assert_int_equal(procdesc_wait(fd2, false, &sig, &code), -EAGAIN);
	assert_int_equal(pidfd_send_signal(fd2, SIGTERM, NULL, 0), 0);
	assert_int_equal(procdesc_wait(fd2, true, &sig, &code), 0);
	assert_int_equal(sig, CLOUDABI_SIGTERM);
	close_pd(fd2);
}

/* A process that is not our child: ECHILD, and close leaves it alone. */
static void test_not_a_child(void **state)
{
	uint8_t sig;
	uint32_t code;
	int p[2], fd;
	pid_t grandchild = 0, mid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0)
			sleep_long();
		(void)!write(p[1], &g, sizeof(g));
		_exit(0);
	}
	assert_int_equal(read(p[0], &grandchild, sizeof(grandchild)),
	                 sizeof(grandchild));
	waitpid(mid, NULL, 0);
	fd = pidfd_open(grandchild, 0);
	assert_true(fd >= 0);
	fdtab_set(fd, CLOUDABI_FILETYPE_PROCESS, 0, 0);
	assert_int_equal(procdesc_wait(fd, false, &sig, &code), -ECHILD);
	fdtab_remove(fd);
	procdesc_close(fd);
	/* Still alive: a signal 0 reaches it. */
	assert_int_equal(pidfd_send_signal(fd, 0, NULL, 0), 0);
	pidfd_send_signal(fd, SIGKILL, NULL, 0);
	close(fd);
	close(p[0]);
	close(p[1]);
}

/* Both tables agree, and numbers outside them map to 0. */
static void test_signal_tables(void **state)
{
	(void)state;
	for (unsigned s = 1; s <= CLOUDABI_SIGXFSZ; s++) {
		int l = procdesc_sig_to_linux((cloudabi_signal_t)s);
		assert_true(l > 0);
		assert_int_equal(procdesc_sig_from_linux(l), s);
	}
	assert_int_equal(procdesc_sig_to_linux(0), 0);
	assert_int_equal(procdesc_sig_to_linux(CLOUDABI_SIGXFSZ + 1), 0);
	assert_int_equal(procdesc_sig_to_linux(255), 0);
	assert_int_equal(procdesc_sig_to_linux(CLOUDABI_SIGABRT), SIGABRT);
	assert_int_equal(procdesc_sig_to_linux(CLOUDABI_SIGKILL), SIGKILL);
	assert_int_equal(procdesc_sig_from_linux(SIGPROF), 0);
	assert_int_equal(procdesc_sig_from_linux(SIGRTMIN), 0);
	assert_int_equal(procdesc_sig_from_linux(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_exit_code),
	        cmocka_unit_test(test_signal),
	        cmocka_unit_test(test_close_kills),
	        cmocka_unit_test(test_close_shared),
	        cmocka_unit_test(test_not_a_child),
	        cmocka_unit_test(test_signal_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
