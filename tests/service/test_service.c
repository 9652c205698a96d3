/*
 * Tests of daemon/service.c: every field of a service file, every error
 * with its exact "file:line:column: text", several errors in one file,
 * the !log tag, durations and sizes, and resolving real files, a
 * directory, a UNIX socket and a log pipe into a launch.
 */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cloudabi_types.h"
#include "service.h"

#define TAG "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
#define HEAD                                                                   \
	TAG "name: web\n"                                                      \
	    "executable: /bin/web\n"
/* The same for printf-style formats. */
#define TAGF  "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
#define HEADF TAGF "name: web\nexecutable: /bin/web\n"

/* Parses yaml (named s.yaml) and fails the test on error. */
static struct service *parse_ok(const char *yaml)
{
	struct service *svc = NULL;
	struct service_errors errs;
	char text[4096];

	if (service_parse("s.yaml", yaml, strlen(yaml), &svc, &errs) != 0) {
		service_errors_format(&errs, text, sizeof(text));
		fail_msg("parse failed: %s", text);
	}
	return svc;
}

/* Parses yaml, expects failure with exactly the n messages of want[]. */
static void expect_errors(const char *yaml, const char *const *want, size_t n)
{
	struct service *svc = (struct service *)1;
	struct service_errors errs;

	assert_int_equal(
	        service_parse("s.yaml", yaml, strlen(yaml), &svc, &errs),
	        -EINVAL);
	assert_null(svc);
	for (size_t i = 0; i < errs.count && i < n; i++)
		assert_string_equal(errs.e[i].msg, want[i]);
	assert_int_equal(errs.count, n);
}

/* One error expected. */
static void expect_error(const char *yaml, const char *want)
{
	expect_errors(yaml, &want, 1);
}

static void test_full(void **state)
{
	struct service *s = parse_ok(
	        TAG "name: web-1.a_b\n"
	            "executable: /usr/lib/cloudabi/web\n"
	            "args:\n"
	            "  log: !log\n"
	            "  err: !fd stderr\n"
	            "  root: !file {path: /srv/www}\n"
	            "  listen: !socket {bind: /run/web.sock}\n"
	            "  self: !executable\n"
	            "restart:\n"
	            "  policy: always\n"
	            "  backoff: {initial: 250ms, max: 2m, jitter: 0.25, "
	            "multiplier: 3}\n"
	            "  crash_loop: {starts: 7, within: 90s}\n"
	            "  reset_after: 1h\n"
	            "stop: {signal: SIGINT, grace: 3s}\n"
	            "limits: {memory: 256MiB, open_files: 1024, processes: "
	            "64}\n"
	            "user: root\n"
	            "group: daemon\n");

	assert_string_equal(s->name, "web-1.a_b");
	assert_string_equal(s->exe_path, "/usr/lib/cloudabi/web");
	assert_int_equal(s->args->nres, 5);
	assert_int_equal(s->args->res[0].kind, CONFIG_LOG);
	assert_int_equal(s->args->res[0].line, 6);
	assert_int_equal(s->args->res[0].column, 8);
	assert_int_equal(s->args->res[1].kind, CONFIG_LOG); /* !fd stderr */
	assert_int_equal(s->args->res[2].kind, CONFIG_FILE);
	assert_string_equal(s->args->res[2].path, "/srv/www");
	assert_int_equal(s->args->res[3].kind, CONFIG_SOCKET);
	assert_int_equal(s->args->res[4].kind, CONFIG_EXECUTABLE);
	assert_int_equal(s->restart.mode, RESTART_ALWAYS);
	assert_int_equal(s->restart.backoff_initial_ms, 250);
	assert_int_equal(s->restart.backoff_max_ms, 120000);
	assert_true(s->restart.jitter == 0.25);
	assert_int_equal(s->restart.backoff_multiplier, 3);
	assert_int_equal(s->restart.loop_starts, 7);
	assert_int_equal(s->restart.loop_window_ms, 90000);
	assert_int_equal(s->restart.reset_ms, 3600000);
	assert_int_equal(s->restart.stop_signal, SIGINT);
	assert_int_equal(s->restart.stop_grace_ms, 3000);
	assert_int_equal(s->limits.memory, 256ULL << 20);
	assert_int_equal(s->limits.open_files, 1024);
	assert_int_equal(s->limits.processes, 64);
	assert_true(s->has_user);
	assert_int_equal(s->uid, 0);
	assert_int_equal(s->gid, 1); /* group daemon */
	assert_int_equal(s->exe_fd, -1);
	assert_false(s->resolved);
	assert_true(strstr(s->yaml, "name: web-1.a_b\n") != NULL);
	assert_int_equal(s->yaml_len, strlen(s->yaml));
	service_free(s);
}

static void test_defaults(void **state)
{
	struct service *s = parse_ok(HEAD);
	struct restart_policy def;

	restart_policy_default(&def);
	assert_int_equal(s->restart.mode, RESTART_ON_FAILURE);
	assert_int_equal(s->restart.backoff_initial_ms, 100);
	assert_int_equal(s->restart.backoff_max_ms, 30000);
	assert_true(s->restart.jitter == def.jitter);
	assert_int_equal(s->restart.loop_starts, 5);
	assert_int_equal(s->restart.loop_window_ms, 60000);
	assert_int_equal(s->restart.stop_signal, SIGTERM);
	assert_int_equal(s->restart.stop_grace_ms, 10000);
	assert_int_equal(s->limits.memory, 0);
	assert_int_equal(s->limits.open_files, 0);
	assert_int_equal(s->limits.processes, 0);
	assert_false(s->has_user);
	assert_int_equal(s->args->root->type, ADTREE_NULL); /* no args: */
	assert_int_equal(s->args->nres, 0);
	service_free(s);
}

/* The user's primary group when no group: is given; numeric ids. */
static void test_user_group(void **state)
{
	struct service *s = parse_ok(HEAD "user: root\n");

	assert_int_equal(s->uid, 0);
	assert_int_equal(s->gid, 0);
	service_free(s);
	s = parse_ok(HEAD "user: 1234\ngroup: 5678\n");
	assert_int_equal(s->uid, 1234);
	assert_int_equal(s->gid, 5678);
	service_free(s);
	s = parse_ok(HEAD "limits: {memory: unlimited, open_files: unlimited, "
	                  "processes: unlimited}\n");
	assert_int_equal(s->limits.memory, 0);
	assert_int_equal(s->limits.open_files, 0);
	service_free(s);
}

/* A relative executable is resolved against an absolute file's directory. */
static void test_relative_executable(void **state)
{
	static const char rel[] = TAG "name: web\nexecutable: ../bin/web\n";
	static const char abs[] = TAG "name: web\nexecutable: /opt/web\n";
	static const char empty[] = TAG "name: web\nexecutable: ''\n";
	struct service *s = NULL;
	struct service_errors errs;
	char text[1024];

	if (service_parse("/srv/conf/web.yaml", rel, strlen(rel), &s, &errs) !=
	    0) {
		service_errors_format(&errs, text, sizeof(text));
		fail_msg("parse failed: %s", text);
	}
	assert_string_equal(s->exe_path, "/srv/conf/../bin/web");
	service_free(s);
	s = NULL;
	assert_int_equal(
	        service_parse("/srv/web.yaml", abs, strlen(abs), &s, &errs), 0);
	assert_string_equal(s->exe_path, "/opt/web");
	service_free(s);
	s = NULL;
	assert_int_equal(
	        service_parse("/srv/web.yaml", empty, strlen(empty), &s, &errs),
	        -EINVAL);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.e[0].msg,
	                    "/srv/web.yaml:4:13: executable is empty");
}

/* Every error of one file, in file order. */
static void test_many_errors(void **state)
{
	static const char *const want[] = {
	        "s.yaml:3:7: name 'Web' must be 1 to 63 of a-z 0-9 _ . - and "
	        "start with a letter or digit",
	        "s.yaml:4:13: executable must be an absolute path, not 'web' "
	        "(a relative path needs the service file's absolute name)",
	        "s.yaml:6:8: a service gets no fd 3 of the daemon: use !file, "
	        "!socket or !log",
	        "s.yaml:8:11: policy must be never, on-failure or always, not "
	        "'sometimes'",
	        "s.yaml:9:22: initial must be a duration such as 100ms, 30s, "
	        "5m or 1h, not '10q'",
	        "s.yaml:9:35: jitter must be a number from 0 to 1, not '2'",
	        "s.yaml:10:24: starts must be at most 32",
	        "s.yaml:11:16: signal must be one of TERM, INT, HUP, QUIT, "
	        "KILL, USR1, USR2, ALRM, WINCH, not 'TERMINATE'",
	        "s.yaml:11:34: grace must be a duration such as 100ms, 30s, "
	        "5m or 1h, not '10'",
	        "s.yaml:12:18: memory must be a size such as 256MiB or 1G, not "
	        "'lots'",
	        "s.yaml:12:36: limits: open files: 3 is outside 16..1048576",
	        "s.yaml:12:50: processes must be a whole number, not '-1'",
	        "s.yaml:13:7: unknown user 'no-such-user-xyz'",
	        "s.yaml:14:1: unknown key 'colour' in the service",
	};

	expect_errors(TAG "name: Web\n"
	                  "executable: web\n"
	                  "args:\n"
	                  "  out: !fd 3\n"
	                  "restart:\n"
	                  "  policy: sometimes\n"
	                  "  backoff: {initial: 10q, jitter: 2}\n"
	                  "  crash_loop: {starts: 99}\n"
	                  "stop: {signal: TERMINATE, grace: 10}\n"
	                  "limits: {memory: lots, open_files: 3, processes: "
	                  "-1}\n"
	                  "user: no-such-user-xyz\n"
	                  "colour: blue\n",
	              want, sizeof(want) / sizeof(want[0]));
}

/* One error each: the message and its position. */
static void test_single_errors(void **state)
{
	static const struct {
		const char *yaml, *msg;
	} cases[] = {
	        {TAG "executable: /x\n", "s.yaml:3:1: missing 'name'"},
	        {TAG "name: a\n", "s.yaml:3:1: missing 'executable'"},
	        {HEAD "name: b\n", "s.yaml:5:1: duplicate key 'name'"},
	        {HEAD "restart: [never]\n",
	         "s.yaml:5:10: restart must be a mapping"},
	        {HEAD "restart: {policy: [never]}\n",
	         "s.yaml:5:19: policy must be a scalar"},
	        {HEAD "restart: {when: x}\n",
	         "s.yaml:5:11: unknown key 'when' in restart"},
	        {HEAD "restart: {backoff: {initial: 2m, max: 1m}}\n",
	         "s.yaml:5:10: bad restart or stop policy: backoff initial: "
	         "greater than the max delay"},
	        {HEAD "restart: {backoff: {max: 25h}}\n",
	         "s.yaml:5:10: bad restart or stop policy: backoff max: "
	         "longer than 24 hours"},
	        {HEAD "stop: {grace: 25h}\n",
	         "s.yaml:5:7: bad restart or stop policy: stop grace: longer "
	         "than 24 hours"},
	        {HEAD "restart: {backoff: {multiplier: 17}}\n",
	         "s.yaml:5:33: multiplier must be at most 16"},
	        {HEAD "restart: {crash_loop: {starts: 0}}\n",
	         "s.yaml:5:10: bad restart or stop policy: crash loop starts: "
	         "must be at least 1 with a window"},
	        {HEAD "restart: {reset_after: 8d}\n",
	         "s.yaml:5:24: reset_after must be a duration such as 100ms, "
	         "30s, 5m or 1h, not '8d'"},
	        {HEAD "restart: {reset_after: 169h}\n",
	         "s.yaml:5:24: reset_after: '169h' is longer than 7 days"},
	        {HEAD "limits: {memory: 1M}\n",
	         "s.yaml:5:18: limits: memory: 1048576 is outside "
	         "16777216..1099511627776"},
	        {HEAD "limits: {processes: 99999999999999999999999}\n",
	         "s.yaml:5:21: limits: processes: 18446744073709551615 is "
	         "outside 1..4194304"},
	        {TAG "name: !!binary YQ==\nexecutable: /x\n",
	         "s.yaml:3:7: name takes no tag !!binary"},
	        {HEAD "user: !log\n", "s.yaml:5:7: user takes no tag !log"},
	        {HEAD "user: !file {path: /}\n",
	         "s.yaml:5:7: user must be a scalar"},
	        {HEAD "group: root\n", "s.yaml:5:8: group needs a user"},
	        {HEAD "user: 1000\n",
	         "s.yaml:5:7: a numeric user needs a group as well"},
	        {HEAD "user: root\ngroup: no-such-group-xyz\n",
	         "s.yaml:6:8: unknown group 'no-such-group-xyz'"},
	        {TAG "name: a/b\nexecutable: /x\n",
	         "s.yaml:3:7: name 'a/b' must be 1 to 63 of a-z 0-9 _ . - and "
	         "start with a letter or digit"},
	        {TAG "name: -a\nexecutable: /x\n",
	         "s.yaml:3:7: name '-a' must be 1 to 63 of a-z 0-9 _ . - and "
	         "start with a letter or digit"},
	        {TAG "[a]\n", "s.yaml:3:1: the document must be a mapping"},
	        {"", "s.yaml: empty service file"},
	        /* args: errors come from config, positioned in the file. */
	        {HEAD "args: {a: !fd 0}\n",
	         "s.yaml:5:11: a service gets no fd 0 of the daemon: use "
	         "!file, !socket or !log"},
	        {HEAD "args: {a: !log x}\n",
	         "s.yaml:5:11: !log takes no value"},
	        {HEAD "args: {a: !log {b: c}}\n",
	         "s.yaml:5:11: !log needs a scalar"},
	        {HEAD "args: {a: !sockit x}\n",
	         "s.yaml:5:11: unknown tag !sockit"},
	        {HEAD "args: {a: !file {}}\n",
	         "s.yaml:5:11: !file needs a path attribute"},
	        {HEAD "args: 1\nargs: 2\n", "s.yaml:6:1: duplicate key 'args'"},
	        /* Syntax, anchors and documents: worded by config. */
	        {HEAD "restart: {policy: &a never}\nstop: *a\n",
	         "s.yaml:5:19: anchors and aliases are not supported"},
	        {HEAD "args: [a\n",
	         "s.yaml:6:1: did not find expected ',' or ']' while parsing "
	         "a flow sequence"},
	        {HEAD "...\n---\nname: b\n",
	         "s.yaml:6:1: more than one document"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		expect_error(cases[i].yaml, cases[i].msg);
	}
}

/* More errors than the list holds: bounded, and says so. */
static void test_too_many_errors(void **state)
{
	char yaml[4096] = HEAD;
	struct service *svc;
	struct service_errors errs;

	for (int i = 0; i < 40; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml),
		         "k%d: 1\n", i);
	assert_int_equal(
	        service_parse("s.yaml", yaml, strlen(yaml), &svc, &errs),
	        -EINVAL);
	assert_int_equal(errs.count, SERVICE_MAX_ERRORS);
	assert_true(errs.truncated);
	assert_string_equal(errs.e[0].msg,
	                    "s.yaml:5:1: unknown key 'k0' in the service");
	assert_string_equal(errs.e[SERVICE_MAX_ERRORS - 1].msg,
	                    "s.yaml: too many errors; only the first 31 are "
	                    "shown");
}

static void test_too_big(void **state)
{
	size_t len = CONFIG_MAX_SIZE + 1;
	char *big = malloc(len);
	struct service *svc;
	struct service_errors errs;

	assert_non_null(big);
	memset(big, '#', len);
	assert_int_equal(service_parse("s.yaml", big, len, &svc, &errs),
	                 -E2BIG);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.e[0].msg, "s.yaml: larger than 1048576 bytes");
	free(big);
}

static void test_durations(void **state)
{
	uint64_t ms = 42;

	assert_int_equal(service_parse_duration("0", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(service_parse_duration("100ms", &ms), 0);
	assert_int_equal(ms, 100);
	assert_int_equal(service_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(service_parse_duration("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(service_parse_duration("168h", &ms), 0);
	assert_int_equal(ms, RESTART_MAX_WINDOW_MS);
	assert_int_equal(service_parse_duration("169h", &ms), -ERANGE);
	assert_int_equal(service_parse_duration("9999999999999s", &ms),
	                 -ERANGE);
	assert_int_equal(service_parse_duration("10", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("s", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("1.5s", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("-1s", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("10 s", &ms), -EINVAL);
	assert_int_equal(service_parse_duration("10S", &ms), -EINVAL);
}

static void test_signals(void **state)
{
	int sig = 0;

	assert_int_equal(service_parse_signal("TERM", &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(service_parse_signal("SIGHUP", &sig), 0);
	assert_int_equal(sig, SIGHUP);
	assert_int_equal(service_parse_signal("KILL", &sig), 0);
	assert_int_equal(sig, SIGKILL);
	assert_int_equal(service_parse_signal("term", &sig), -EINVAL);
	assert_int_equal(service_parse_signal("15", &sig), -EINVAL);
	assert_int_equal(service_parse_signal("SIG", &sig), -EINVAL);
}

/* A scratch directory with a file, and the names used inside it. */
struct scratch {
	char dir[64], file[96], sock[96];
};

static void scratch_make(struct scratch *s)
{
	int fd;

	strcpy(s->dir, "/tmp/svctest.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->file, sizeof(s->file), "%s/data", s->dir);
	snprintf(s->sock, sizeof(s->sock), "%s/sock", s->dir);
	fd = open(s->file, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hi", 2), 2);
	close(fd);
}

static void scratch_remove(struct scratch *s)
{
	unlink(s->file);
	unlink(s->sock);
	rmdir(s->dir);
}

/* A resolved service becomes a launch: fds, types, rights, argdata. */
static void test_resolve_launch(void **state)
{
	struct scratch sc;
	char yaml[1024];
	struct service *s;
	struct service_launch l;
	struct config_error err;
	struct adtree *back;
	int pipefd[2], exe;

	scratch_make(&sc);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	snprintf(yaml, sizeof(yaml),
	         HEADF "args:\n"
	               "  out: !log\n"
	               "  err: !fd stderr\n"
	               "  data: !file {path: %s}\n"
	               "  dir: !file {path: %s}\n"
	               "  sock: !socket {bind: %s}\n"
	               "  exe: !executable\n",
	         sc.file, sc.dir, sc.sock);
	s = parse_ok(yaml);
	exe = open(sc.file, O_RDONLY | O_CLOEXEC);
	assert_true(exe >= 0);
	assert_int_equal(service_launch_build(s, &l), -EINVAL);
	assert_int_equal(service_resolve(s, pipefd[1], exe, &err), 0);
	assert_int_equal(service_resolve(s, pipefd[1], exe, &err), -EALREADY);
	assert_int_equal(service_launch_build(s, &l), 0);
	assert_int_equal(l.exe_fd, exe);
	/* The two log nodes share one fd: 5 fds for 6 nodes. */
	assert_int_equal(l.nfds, 5);
	assert_int_equal(l.fds[0].fd, pipefd[1]);
	assert_int_equal(l.fds[0].filetype, CLOUDABI_FILETYPE_SOCKET_STREAM);
	assert_true(l.fds[0].base & CLOUDABI_RIGHT_FD_WRITE);
	assert_false(l.fds[0].base & CLOUDABI_RIGHT_FD_READ);
	assert_int_equal(l.fds[1].filetype, CLOUDABI_FILETYPE_REGULAR_FILE);
	assert_true(l.fds[1].base & CLOUDABI_RIGHT_FD_READ);
	assert_int_equal(l.fds[2].filetype, CLOUDABI_FILETYPE_DIRECTORY);
	assert_int_equal(l.fds[3].filetype, CLOUDABI_FILETYPE_SOCKET_STREAM);
	assert_int_equal(l.fds[4].fd, exe);
	/* The socket is bound and listening at its path. */
	struct stat st;
	assert_int_equal(stat(sc.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	/* The argdata decodes to a map of six entries, fds renumbered. */
	assert_int_equal(adtree_decode(l.argdata, l.argdata_len, &back, NULL),
	                 0);
	assert_int_equal(back->type, ADTREE_MAP);
	assert_int_equal(back->u.list.count, 12);
	assert_int_equal(adtree_map_get(back, "out")->u.fd, 0);
	assert_int_equal(adtree_map_get(back, "err")->u.fd, 0);
	assert_int_equal(adtree_map_get(back, "exe")->u.fd, 4);
	adtree_free(back);
	service_launch_free(&l);
	service_free(s);
	/* Freed: the socket file went with the socket; borrowed fds stay. */
	assert_int_equal(stat(sc.sock, &st), -1);
	assert_int_equal(fcntl(pipefd[1], F_GETFD), FD_CLOEXEC);
	assert_int_equal(fcntl(exe, F_GETFD), FD_CLOEXEC);
	close(exe);
	close(pipefd[0]);
	close(pipefd[1]);
	scratch_remove(&sc);
}

/* A failing resolve leaves nothing open, and says where. */
static void test_resolve_fails(void **state)
{
	struct scratch sc;
	char yaml[1024];
	struct service *s;
	struct config_error err;
	struct stat st;

	scratch_make(&sc);
	snprintf(yaml, sizeof(yaml),
	         HEADF "args:\n"
	               "  sock: !socket {bind: %s}\n"
	               "  gone: !file {path: %s/missing}\n",
	         sc.sock, sc.dir);
	s = parse_ok(yaml);
	assert_int_equal(service_resolve(s, -1, -1, &err), -ENOENT);
	assert_int_equal(err.line, 7);
	assert_int_equal(err.column, 9);
	assert_true(strstr(err.msg, "cannot open ") != NULL);
	assert_int_equal(stat(sc.sock, &st), -1); /* bound, then undone */
	assert_false(s->resolved);
	service_free(s);
	/* A !log node with no log fd to give is an error too. */
	s = parse_ok(HEAD "args:\n- !log\n");
	assert_int_equal(service_resolve(s, -1, -1, &err), -EBADF);
	assert_string_equal(err.msg, "s.yaml:6:3: no log fd to give");
	service_free(s);
	scratch_remove(&sc);
}

static void test_open_executable(void **state)
{
	struct scratch sc;
	char yaml[512];
	struct service *s;
	struct config_error err;
	int fd = -1;

	scratch_make(&sc);
	snprintf(yaml, sizeof(yaml), TAGF "name: x\nexecutable: %s\n", sc.file);
	s = parse_ok(yaml);
	assert_int_equal(service_open_executable(s, &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	service_free(s);
	snprintf(yaml, sizeof(yaml), TAGF "name: x\nexecutable: %s\n", sc.dir);
	s = parse_ok(yaml);
	assert_int_equal(service_open_executable(s, &fd, &err), -EACCES);
	assert_true(strstr(err.msg, "not a regular file") != NULL);
	service_free(s);
	s = parse_ok(TAG "name: x\nexecutable: /nonexistent/x\n");
	assert_int_equal(service_open_executable(s, &fd, &err), -ENOENT);
	assert_string_equal(err.msg,
	                    "x: cannot open executable /nonexistent/x: "
	                    "No such file or directory");
	service_free(s);
	scratch_remove(&sc);
}

/* service_diff() names exactly what a redeploy changes. */
static void test_diff(void **state)
{
	static const struct {
		const char *tail;
		unsigned want;
	} cases[] = {
	        {"args: {a: !file {path: /x}}\n", 0},
	        {"args: {a: !file {path: /y}}\n", SERVICE_DIFF_ARGS},
	        {"args: {a: !file {path: /x, mode: write}}\n",
	         SERVICE_DIFF_ARGS},
	        {"args: {b: !file {path: /x}}\n", SERVICE_DIFF_ARGS},
	        {"args: {a: !file {path: /x}}\nstop: {grace: 1s}\n",
	         SERVICE_DIFF_RESTART},
	        {"args: {a: !file {path: /x}}\nlimits: {processes: 5}\n",
	         SERVICE_DIFF_LIMITS},
	        {"args: {a: !file {path: /x}}\nuser: root\n",
	         SERVICE_DIFF_USER},
	};
	struct service *a = parse_ok(HEAD "args: {a: !file {path: /x}}\n");
	char yaml[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), HEADF "%s", cases[i].tail);
		struct service *b = parse_ok(yaml);
		assert_int_equal(service_diff(a, b), cases[i].want);
		service_free(b);
	}
	struct service *c = parse_ok(TAG "name: other\nexecutable: /bin/o\n"
	                                 "args: {a: !file {path: /x}}\n");
	assert_int_equal(service_diff(a, c),
	                 SERVICE_DIFF_NAME | SERVICE_DIFF_EXE);
	service_free(c);
	service_free(a);
}

static void test_errors_format(void **state)
{
	struct service_errors errs = {.count = 2};
	char buf[64];

	strcpy(errs.e[0].msg, "s.yaml:1:1: one");
	strcpy(errs.e[1].msg, "s.yaml:2:1: two");
	assert_int_equal(service_errors_format(&errs, buf, sizeof(buf)), 31);
	assert_string_equal(buf, "s.yaml:1:1: one\ns.yaml:2:1: two");
	/* Truncated output still says how long the whole would be. */
	assert_int_equal(service_errors_format(&errs, buf, 10), 31);
	assert_string_equal(buf, "s.yaml:1:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full),
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_user_group),
	        cmocka_unit_test(test_relative_executable),
	        cmocka_unit_test(test_many_errors),
	        cmocka_unit_test(test_single_errors),
	        cmocka_unit_test(test_too_many_errors),
	        cmocka_unit_test(test_too_big),
	        cmocka_unit_test(test_durations),
	        cmocka_unit_test(test_signals),
	        cmocka_unit_test(test_resolve_launch),
	        cmocka_unit_test(test_resolve_fails),
	        cmocka_unit_test(test_open_executable),
	        cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_errors_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
