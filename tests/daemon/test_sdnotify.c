/* sdnotify: datagrams to $NOTIFY_SOCKET (path and abstract), activation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdnotify.h"

/* A datagram socket bound at addr (len bytes). */
static int bound_dgram(const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (const struct sockaddr *)sa, len), 0);
	return fd;
}

/* Receives one datagram without blocking. */
static void expect_datagram(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/cloudabid-sdn-XXXXXX";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	fd = bound_dgram(&sa, sizeof(sa));
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=serving"), 0);
	expect_datagram(fd, "READY=1\nSTATUS=serving");
	assert_int_equal(sdnotify_sendf("STATUS=%d services", 3), 0);
	expect_datagram(fd, "STATUS=3 services");
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
	/* Nobody listening any more: the error is reported, nothing dies. */
	assert_int_equal(sdnotify_send("STOPPING=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[64];
	int fd, n;

	n = snprintf(name, sizeof(name), "cloudabid-test-%ld", (long)getpid());
	memcpy(sa.sun_path + 1, name, (size_t)n);
	fd = bound_dgram(&sa,
	                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	                             1 + (size_t)n));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "@%s", name);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	assert_int_equal(sdnotify_send("READY=1"), 0);
	expect_datagram(fd, "READY=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_unset_and_malformed(void **state)
{
	char big[2000];

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sdnotify_sendf("STATUS=%s", big), -EMSGSIZE);
	unsetenv("NOTIFY_SOCKET");
}

/* Puts a socket at fd 3 as systemd would. */
static void pass_at_3(int fd)
{
	if (fd != SDNOTIFY_LISTEN_FDS_START) {
		assert_int_equal(dup2(fd, SDNOTIFY_LISTEN_FDS_START),
		                 SDNOTIFY_LISTEN_FDS_START);
		close(fd);
	}
}

static void set_listen_env(long pid, const char *nfds)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", pid);
	setenv("LISTEN_PID", buf, 1);
	setenv("LISTEN_FDS", nfds, 1);
}

static void test_listen_fd(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	/* Only the family: the kernel picks an abstract name (autobind). */
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)),
	                 0);
	assert_int_equal(listen(fd, 4), 0);
	pass_at_3(fd);
	unsetenv("LISTEN_PID");
	assert_int_equal(sdnotify_listen_fd(false), -ENOENT);
	set_listen_env((long)getpid() + 1, "1"); /* for another process */
	assert_int_equal(sdnotify_listen_fd(false), -ENOENT);
	set_listen_env((long)getpid(), "2");
	assert_int_equal(sdnotify_listen_fd(false), -EINVAL);
	set_listen_env((long)getpid(), "x");
	assert_int_equal(sdnotify_listen_fd(false), -ENOENT);
	set_listen_env((long)getpid(), "1");
	assert_int_equal(sdnotify_listen_fd(true), 3);
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDS"));
	close(3);
	/* A socket that does not listen is refused. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pass_at_3(fd);
	set_listen_env((long)getpid(), "1");
	assert_int_equal(sdnotify_listen_fd(true), -EINVAL);
	close(3);
	/* Nothing open at fd 3. */
	set_listen_env((long)getpid(), "1");
	assert_int_equal(sdnotify_listen_fd(true), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_path_socket),
	        cmocka_unit_test(test_abstract_socket),
	        cmocka_unit_test(test_unset_and_malformed),
	        cmocka_unit_test(test_listen_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
