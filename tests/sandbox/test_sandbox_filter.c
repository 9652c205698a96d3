/*
 * test_sandbox_filter: installs the real seccomp filter and Landlock
 * rules in forked children and checks that forbidden calls are refused
 * or kill the child, and that the calls the runtime needs still work.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/sched.h>
#include <netinet/in.h>

#include "fdtab.h"
#include "launch.h"
#include "sandbox.h"

/* Which program the children load: the one compiled at build time (the
 * runtime's fd at FDTAB_MAX) or one libseccomp compiles (any other). */
static bool use_builtin;
static int child_self = -1; /* in the child: the fd the filter allows */
static const char *self_path = "/proc/self/exe";

/* Opens self_path where the mode wants it; -1 on failure. */
static int open_self(void)
{
	struct rlimit r = {FDTAB_MAX + 1, FDTAB_MAX + 1};
	int fd = open(self_path, O_PATH | O_CLOEXEC);

	if (fd < 0 || !use_builtin)
		return fd;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0 ||
	    dup3(fd, FDTAB_MAX, O_CLOEXEC) != FDTAB_MAX)
		return -1;
	return FDTAB_MAX;
}

/* Runs fn in a child under the filter; returns its wait status. */
static int under_filter(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		int self = open_self();
		if (self < 0 || sandbox_seccomp_install(self, err, sizeof(err)))
			_exit(100);
		child_self = self;
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* The child was killed by the filter. */
static void assert_killed(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* The child exited with code. */
static void assert_exit(int status, int code)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

static int do_ptrace(void)
{
	return (int)syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0,
	                    0);
}
static int do_bpf(void)
{
	return (int)syscall(SYS_bpf, 0, NULL, 0);
}
static int do_io_uring(void)
{
	return (int)syscall(SYS_io_uring_setup, 1, NULL);
}
static int do_unshare(void)
{
	return (int)syscall(SYS_unshare, CLONE_NEWUSER);
}
static int do_setuid(void)
{
	return (int)syscall(SYS_setuid, 0);
}
static int do_mount(void)
{
	return (int)syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
}
static int do_execve(void)
{
	char *argv[] = {"sh", NULL};
	return (int)syscall(SYS_execve, "/bin/sh", argv, NULL);
}
static int do_open_by_handle(void)
{
	return (int)syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0);
}
static int do_personality(void)
{
	return (int)syscall(SYS_personality, 0xffffffff);
}
static int do_clone_ns(void)
{
	return (int)syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
}
static int do_socketpair_inet(void)
{
	int sv[2];
	return socketpair(AF_INET, SOCK_STREAM, 0, sv);
}
static int do_arch_prctl_other(void)
{
	return (int)syscall(SYS_arch_prctl, 0x1001 /* ARCH_SET_GS */, 0);
}
/* Sanitizer builds allow setting limits (AddressSanitizer needs it). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FILTER_ASAN 1
#endif
#endif

static int do_prlimit_raise(void)
{
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
	return setrlimit(RLIMIT_NOFILE, &r);
}
static int do_process_vm(void)
{
	return (int)syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0,
	                    0);
}

/* Calls the filter kills for. */
static void test_killed(void **state)
{
	int (*fns[])(void) = {do_ptrace,          do_bpf,
	                      do_io_uring,        do_unshare,
	                      do_setuid,          do_mount,
	                      do_execve,          do_open_by_handle,
	                      do_personality,     do_clone_ns,
	                      do_socketpair_inet, do_arch_prctl_other,
	                      do_prlimit_raise,   do_process_vm};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
#ifdef FILTER_ASAN
		if (fns[i] == do_prlimit_raise)
			continue;
#endif
		assert_killed(under_filter(fns[i]));
	}
}

/* Refused with an errno: sockets, writable and executable memory. */
static int do_refused(void)
{
	void *p;

	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EACCES)
		return 1;
	if (socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EACCES)
		return 2;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED || errno != EACCES)
		return 3;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 4;
	if (mprotect(p, 4096, PROT_WRITE | PROT_EXEC) != -1 || errno != EACCES)
		return 5;
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0)
		return 6;
	return 0;
}

static void test_refused(void **state)
{
	assert_exit(under_filter(do_refused), 0);
}

static void *thread_main(void *arg)
{
	return arg;
}

/* What the runtime needs still works: threads, fork, UNIX pairs. */
static int do_allowed(void)
{
	pthread_t t;
	void *ret = NULL;
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 1;
	if (write(sv[0], "x", 1) != 1)
		return 2;
	if (pthread_create(&t, NULL, thread_main, &t) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != &t)
		return 3;
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 7)
		return 4;
	if (getpid() <= 0 || sched_yield() != 0)
		return 5;
	return 0;
}

static void test_allowed(void **state)
{
	assert_exit(under_filter(do_allowed), 0);
}

/* execveat of the saved fd works; of another fd, or execve, kills. */
static int do_exec_self(void)
{
	char *argv[] = {"true", NULL};

	execveat(child_self, "", argv, argv + 1, AT_EMPTY_PATH);
	return 1;
}
static int do_exec_other(void)
{
	char *argv[] = {"true", NULL};
	int fd = open("/bin/true", O_PATH | O_CLOEXEC);

	execveat(fd, "", argv, argv + 1, AT_EMPTY_PATH);
	return 1;
}

static void test_exec(void **state)
{
	self_path = "/bin/true";
	assert_exit(under_filter(do_exec_self), 0);
	assert_killed(under_filter(do_exec_other));
	self_path = "/proc/self/exe";
}

/* The same cases with the program compiled at build time. */
static void test_builtin(void **state)
{
	use_builtin = true;
	test_killed(state);
	test_refused(state);
	test_allowed(state);
	test_exec(state);
	use_builtin = false;
}

/* A directory for the Landlock cases: dir/file (text) and dir/sub. */
static char ll_dir[64];

/* Opens ll_dir, places it at fd 0 with rights and enters Landlock. */
static int ll_enter(cloudabi_rights_t base, cloudabi_rights_t inh)
{
	struct launch_fd g = {0, CLOUDABI_FILETYPE_DIRECTORY, base, inh};
	char err[256];
	int fd = open(ll_dir, O_RDONLY | O_DIRECTORY);
	int abi = sandbox_landlock_abi();

	if (fd < 0 || dup2(fd, 0) != 0 || abi <= 0)
		return -1;
	return sandbox_landlock_apply(abi, &g, 1, NULL, 0, NULL, 0, err,
	                              sizeof(err));
}

#define RO                                                                     \
	(CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FILE_OPEN |                   \
	 CLOUDABI_RIGHT_FILE_READDIR)

/* A read-only grant: reads inside, nothing else anywhere. */
static int do_landlock_ro(void)
{
	char buf[8];
	int fd;

	if (ll_enter(RO, RO) != 0)
		return 1;
	if ((fd = openat(0, "file", O_RDONLY)) < 0 || read(fd, buf, 2) != 2)
		return 2;
	if (openat(0, "file", O_WRONLY) != -1 || errno != EACCES)
		return 3;
	if (openat(0, "new", O_WRONLY | O_CREAT, 0600) != -1 || errno != EACCES)
		return 4;
	if (unlinkat(0, "file", 0) != -1 || errno != EACCES)
		return 5;
	if (mkdirat(0, "d", 0700) != -1 || errno != EACCES)
		return 6;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EACCES)
		return 7;
	if (openat(0, "../", O_RDONLY | O_DIRECTORY) != -1 || errno != EACCES)
		return 8;
	return 0;
}

/* A grant with create and write rights: those work, execute does not. */
static int do_landlock_rw(void)
{
	cloudabi_rights_t rw = RO | CLOUDABI_RIGHT_FD_WRITE |
	                       CLOUDABI_RIGHT_FILE_CREATE_FILE |
	                       CLOUDABI_RIGHT_FILE_UNLINK;
	char *argv[] = {"x", NULL};
	int fd;

	if (ll_enter(rw, rw) != 0)
		return 1;
	if ((fd = openat(0, "new", O_WRONLY | O_CREAT, 0700)) < 0 ||
	    write(fd, "#!/bin/sh\n", 10) != 10)
		return 2;
	close(fd);
	if (unlinkat(0, "new", 0) != 0)
		return 3;
	if ((fd = openat(0, "file", O_RDONLY)) < 0)
		return 4;
	if (mkdirat(0, "d", 0700) != -1 || errno != EACCES)
		return 5;
	if (execveat(0, "file", argv, argv + 1, 0) != -1 || errno != EACCES)
		return 6;
	return 0;
}

/* TCP connect to a listener on loopback is refused. */
static int do_landlock_tcp(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c;

	if (l < 0 || bind(l, (struct sockaddr *)&a, len) != 0 ||
	    listen(l, 1) != 0 || getsockname(l, (struct sockaddr *)&a, &len))
		return 1;
	if (ll_enter(RO, RO) != 0)
		return 2;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, len) != -1 ||
	    errno != EACCES)
		return 3;
	return 0;
}

/* Runs fn in a child without the filter; returns its exit code. */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_landlock(void **state)
{
	assert_int_equal(in_child(do_landlock_ro), 0);
	assert_int_equal(in_child(do_landlock_rw), 0);
	assert_int_equal(in_child(do_landlock_tcp), 0);
	/* The read-only child could not leave "new" behind. */
	assert_int_equal(access("new", F_OK), -1);
}

static int setup(void **state)
{
	char path[96];
	int fd;

	strcpy(ll_dir, "/tmp/sandbox_test.XXXXXX");
	if (mkdtemp(ll_dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/file", ll_dir);
	fd = open(path, O_WRONLY | O_CREAT, 0755);
	if (fd < 0 || write(fd, "hi\n", 3) != 3)
		return -1;
	close(fd);
	return chdir(ll_dir);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", ll_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_killed),  cmocka_unit_test(test_refused),
	        cmocka_unit_test(test_allowed), cmocka_unit_test(test_exec),
	        cmocka_unit_test(test_builtin), cmocka_unit_test(test_landlock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
