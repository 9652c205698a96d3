/*
 * test_spawn: daemon/spawn.c with the real cloudabi-run and sup_guest:
 * a launch through the gate, exit codes, an exec failure reported over
 * the pipe, an aborted launch that never runs the program, the stop
 * signal, and that the daemon's other fds do not reach the process.
 *
 * Usage: test_spawn CLOUDABI-RUN SUP_GUEST
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cloudabi_types.h"
#include "procstat.h"
#include "spawn.h"

static const char *runtime_path, *guest_path;
static bool runtime_has_user; /* cloudabi-run takes --user, --group */

/* Whether `cloudabi-run --help` lists --user (the sandbox options). */
static bool probe_user_option(void)
{
	char cmd[1024], buf[4096];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' --help", runtime_path);
	if ((f = popen(cmd, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	pclose(f);
	buf[n] = '\0';
	return strstr(buf, "--user") != NULL;
}

/* A launch of sup_guest in mode (0..2) writing to a fresh pipe. */
struct launch {
	int out[2]; /* out[1] is granted as the guest's fd 0 */
	int exe;
	uint8_t argdata[16];
	char uid[16], gid[16];
	const char *args[4];
	struct launchstate_fd fd;
	struct spawn_request req;
	struct spawn_child child;
};

/* Prepares l: the request for [fd 0, int mode]. */
static void launch_init(struct launch *l, int mode)
{
	static const uint8_t head[] = {0x07, 0x85, 0x03, 0, 0, 0, 0};
	size_t n = sizeof(head);

	memset(l, 0, sizeof(*l));
	assert_int_equal(pipe2(l->out, O_CLOEXEC), 0);
	l->exe = open(guest_path, O_RDONLY | O_CLOEXEC);
	assert_true(l->exe >= 0);
	memcpy(l->argdata, head, n);
	if (mode == 0) {
		l->argdata[n++] = 0x81;
		l->argdata[n++] = 0x05;
	} else {
		l->argdata[n++] = 0x82;
		l->argdata[n++] = 0x05;
		l->argdata[n++] = (uint8_t)mode;
	}
	l->fd = (struct launchstate_fd){l->out[1],
	                                CLOUDABI_FILETYPE_SOCKET_STREAM,
	                                CLOUDABI_RIGHT_FD_WRITE, 0};
	/* As ourselves: the runtime would drop root to nobody. */
	snprintf(l->uid, sizeof(l->uid), "%u", (unsigned)getuid());
	snprintf(l->gid, sizeof(l->gid), "%u", (unsigned)getgid());
	l->args[0] = "--user";
	l->args[1] = l->uid;
	l->args[2] = "--group";
	l->args[3] = l->gid;
	l->req = (struct spawn_request){.runtime_path = runtime_path,
	                                .args = l->args,
	                                .nargs = runtime_has_user ? 4 : 0,
	                                .exe_fd = l->exe,
	                                .log_fd = l->out[1],
	                                .fds = &l->fd,
	                                .nfds = 1,
	                                .argdata = l->argdata,
	                                .argdata_len = n};
}

/* Closes the daemon side's fds of l (not the pidfd). */
static void launch_done(struct launch *l)
{
	close(l->exe);
	if (l->out[1] >= 0)
		close(l->out[1]);
	close(l->out[0]);
}

/* Reads the pipe until n bytes or end of file; returns the count. */
static size_t read_out(struct launch *l, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	struct pollfd p = {.fd = l->out[0], .events = POLLIN};

	/* Bounded: a program that never writes fails the test, not hangs. */
	while (got < n && poll(&p, 1, 10000) == 1 &&
	       (r = read(l->out[0], buf + got, n - got)) > 0)
		got += (size_t)r;
	return got;
}

/* Waits for the pidfd to be readable, then reaps. */
static struct spawn_status wait_exit(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	struct spawn_status st;

	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_int_equal(spawn_reap(pidfd, &st), 0);
	close(pidfd);
	return st;
}

static void test_hello(void **state)
{
	struct launch l;
	struct spawn_status st;
	uint64_t t;
	char buf[64];

	launch_init(&l, 0);
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	/* At the gate: the start time is already the process's. */
	assert_int_equal(procstat_start_time(l.child.pid, &t), 0);
	assert_int_equal(t, l.child.start_time);
	assert_int_equal(spawn_release(&l.child), 0);
	close(l.out[1]);
	l.out[1] = -1;
	assert_int_equal(read_out(&l, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "hello\n", 6);
	st = wait_exit(l.child.pidfd);
	assert_int_equal(st.code, 0);
	assert_int_equal(st.signal, 0);
	launch_done(&l);
}

static void test_exit_code(void **state)
{
	struct launch l;
	struct spawn_status st;

	launch_init(&l, 1);
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	assert_int_equal(spawn_release(&l.child), 0);
	/* Not ended yet, or just ended: never an error but EAGAIN. */
	st = wait_exit(l.child.pidfd);
	assert_int_equal(st.code, 3);
	launch_done(&l);
}

static void test_exec_fails(void **state)
{
	struct launch l;

	launch_init(&l, 0);
	l.req.runtime_path = "/nonexistent/cloudabi-run";
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	assert_int_equal(spawn_release(&l.child), -ENOENT);
	assert_null(l.child.ctx);
	launch_done(&l);
}

static void test_abort(void **state)
{
	struct launch l;
	char buf[16];

	launch_init(&l, 0);
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	spawn_abort(&l.child);
	close(l.out[1]);
	l.out[1] = -1;
	/* The program never ran: nothing was written. */
	assert_int_equal(read_out(&l, buf, sizeof(buf)), 0);
	launch_done(&l);
}

/* Whether a link in /proc/pid/fd points to path. */
static bool proc_has_fd_to(pid_t pid, const char *path)
{
	char dir[64], link[512], target[512];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		ssize_t n;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found |= strcmp(target, path) == 0;
		}
	}
	closedir(d);
	return found;
}

/* The child shares our memory and thread-local storage: while it gets
 * ready and waits at the gate, our errno must stay as it was. */
static void test_child_leaves_errno(void **state)
{
	struct launch l;
	int seen;

	(void)state;
	launch_init(&l, 0);
	errno = 0;
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	errno = 0;
	/* Time for the child to reset its handlers and block at the gate. */
	usleep(200000);
	seen = errno;
	spawn_abort(&l.child);
	launch_done(&l);
	assert_int_equal(seen, 0);
}

static void test_kill_and_fds(void **state)
{
	char tmp[] = "/tmp/test_spawn.XXXXXX", buf[8];
	int leak = mkstemp(tmp); /* inheritable: must not reach the child */
	struct spawn_status st;
	struct launch l;

	assert_true(leak >= 0);
	launch_init(&l, 2);
	assert_int_equal(spawn_prepare(&l.req, &l.child), 0);
	assert_int_equal(spawn_release(&l.child), 0);
	assert_int_equal(read_out(&l, buf, 3), 3);
	assert_memory_equal(buf, "up\n", 3);
	assert_false(proc_has_fd_to(l.child.pid, tmp));
	/* Its own session: the group spawn_kill signals. */
	assert_int_equal(getpgid(l.child.pid), l.child.pid);
	assert_int_equal(spawn_reap(l.child.pidfd, &st), -EAGAIN);
	assert_int_equal(spawn_kill(l.child.pidfd, l.child.pid, SIGTERM), 0);
	st = wait_exit(l.child.pidfd);
	assert_int_equal(st.signal, SIGTERM);
	close(leak);
	unlink(tmp);
	launch_done(&l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hello),
	        cmocka_unit_test(test_exit_code),
	        cmocka_unit_test(test_exec_fails),
	        cmocka_unit_test(test_abort),
	        cmocka_unit_test(test_child_leaves_errno),
	        cmocka_unit_test(test_kill_and_fds),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_spawn cloudabi-run sup_guest\n");
		return 2;
	}
	runtime_path = argv[1];
	guest_path = argv[2];
	runtime_has_user = probe_user_option();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
