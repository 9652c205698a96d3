/*
 * rpc_server + rpc_client end to end: the test server runs on its own loop
 * in a thread, the client calls it over a real UNIX socket. Every server is
 * stopped with the loop asserted free of handles.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "health.pb-c.h"
#include "rpc_client.h"
#include "supervisor.pb-c.h"
#include "testsrv.h"

#define SUP "/cloudabi.supervisor.v1.Supervisor/"

static char dir[64];
static char sock[128];

/* Sleeps ms milliseconds. */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* A server with a small request bound and a small slow-reader bound. */
static struct testsrv *start(unsigned per_uid, uint64_t idle_ms)
{
	struct rpc_server_config cfg = {.max_request = 65536,
	                                .max_queued = 256 * 1024,
	                                .max_conns_per_uid = per_uid,
	                                .idle_ms = idle_ms};
	struct testsrv *t = testsrv_start(sock, &cfg);

	assert_non_null(t);
	return t;
}

static void stop(struct testsrv *t)
{
	assert_int_equal(testsrv_stop(t), 0);
}

static struct rpc_client *connect_ok(void)
{
	struct rpc_client *c = NULL;

	assert_int_equal(rpc_client_connect(sock, 5000, &c), 0);
	return c;
}

/* Get: returns the response (or NULL) and fills st. */
static Cloudabi__Supervisor__V1__ServiceStatus *
get(struct rpc_client *c, const char *name, struct rpc_status *st, int *rc)
{
	Cloudabi__Supervisor__V1__GetRequest req =
	        CLOUDABI__SUPERVISOR__V1__GET_REQUEST__INIT;
	ProtobufCMessage *resp;

	req.name = (char *)name;
	*rc = rpc_client_unary(
	        c, SUP "Get", &req.base,
	        &cloudabi__supervisor__v1__service_status__descriptor, &resp,
	        st);
	return (Cloudabi__Supervisor__V1__ServiceStatus *)resp;
}

static void test_unary_and_peer(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	struct rpc_status st;
	int rc, i;

	/* Several calls on one connection. */
	for (i = 0; i < 3; i++) {
		s = get(c, "web", &st, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(st.code, GRPC_OK);
		assert_non_null(s);
		assert_string_equal(s->name, "web");
		assert_int_equal(s->uid, getuid());
		assert_int_equal(s->pid, getpid());
		protobuf_c_message_free_unpacked(&s->base, NULL);
	}
	rpc_client_close(c);
	stop(t);
}

static void test_error_status_and_message(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	struct rpc_status st;
	int rc;

	assert_null(get(c, "missing", &st, &rc));
	assert_int_equal(rc, 0);
	assert_int_equal(st.code, GRPC_NOT_FOUND);
	assert_string_equal(st.message,
	                    "service \"missing\": 100% gone\n\xc3\xa9");
	rpc_client_close(c);
	stop(t);
}

/* No-op message sink. */
static int ignore(const uint8_t *msg, size_t len, void *arg)
{
	return 0;
}

static void test_unimplemented_and_bad_requests(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	static uint8_t big[100000];
	static const uint8_t junk[] = {0xff, 0xff, 0xff};
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	struct rpc_status st;
	int rc;

	assert_int_equal(
	        rpc_client_call_raw(c, SUP "Nope", NULL, 0, ignore, NULL, &st),
	        0);
	assert_int_equal(st.code, GRPC_UNIMPLEMENTED);
	assert_int_equal(rpc_client_call_raw(c, SUP "Get", big, sizeof(big),
	                                     ignore, NULL, &st),
	                 0);
	assert_int_equal(st.code, GRPC_RESOURCE_EXHAUSTED);
	assert_int_equal(rpc_client_call_raw(c, SUP "Get", junk, sizeof(junk),
	                                     ignore, NULL, &st),
	                 0);
	assert_int_equal(st.code, GRPC_INTERNAL);
	/* The connection still serves. */
	s = get(c, "after", &st, &rc);
	assert_non_null(s);
	assert_string_equal(s->name, "after");
	protobuf_c_message_free_unpacked(&s->base, NULL);
	rpc_client_close(c);
	stop(t);
}

struct lines {
	unsigned count, stop_after;
	int bad;
};

/* Checks each chunk is the next line; stops after stop_after if set. */
static int on_line(const ProtobufCMessage *m, void *arg)
{
	const Cloudabi__Supervisor__V1__LogChunk *chunk = (const void *)m;
	struct lines *l = arg;
	char want[32];

	snprintf(want, sizeof(want), "line %u\n", l->count);
	if (chunk->data.len != strlen(want) ||
	    memcmp(chunk->data.data, want, chunk->data.len) != 0)
		l->bad = 1;
	l->count++;
	return l->stop_after != 0 && l->count >= l->stop_after;
}

/* Logs: tail lines with or without follow. */
static int logs(struct rpc_client *c, unsigned tail, int follow,
                struct lines *l, struct rpc_status *st)
{
	Cloudabi__Supervisor__V1__LogsRequest req =
	        CLOUDABI__SUPERVISOR__V1__LOGS_REQUEST__INIT;

	req.tail_lines = tail;
	req.follow = follow;
	return rpc_client_stream(
	        c, SUP "Logs", &req.base,
	        &cloudabi__supervisor__v1__log_chunk__descriptor, on_line, l,
	        st);
}

static void test_stream(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	struct lines l = {0};
	struct rpc_status st;

	assert_int_equal(logs(c, 50, 0, &l, &st), 0);
	assert_int_equal(st.code, GRPC_OK);
	assert_int_equal(l.count, 50);
	assert_false(l.bad);
	memset(&l, 0, sizeof(l));
	assert_int_equal(logs(c, 0, 0, &l, &st), 0);
	assert_int_equal(st.code, GRPC_OK);
	assert_int_equal(l.count, 0);
	rpc_client_close(c);
	stop(t);
}

/* The client cancels a follow: the server's cancel callback runs. */
static void test_follow_cancel(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	struct lines l = {.stop_after = 8};
	struct rpc_status st;
	unsigned cancels = 0;
	int rc, tries;

	assert_int_equal(logs(c, 3, 1, &l, &st), 0);
	assert_int_equal(st.code, GRPC_CANCELLED);
	assert_int_equal(l.count, 8); /* 3 tail + 5 followed */
	assert_false(l.bad);
	/* restart_count reports cancels seen; the RST may still be in
	 * flight, so ask a few times. */
	for (tries = 0; tries < 100 && cancels == 0; tries++) {
		s = get(c, "x", &st, &rc);
		assert_non_null(s);
		cancels = s->restart_count;
		protobuf_c_message_free_unpacked(&s->base, NULL);
		if (cancels == 0)
			sleep_ms(10);
	}
	assert_int_equal(cancels, 1);
	rpc_client_close(c);
	stop(t);
}

/* Closing the connection mid-follow cancels too; stop leaves no handle. */
static void test_follow_disconnect(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok(), *c2;
	Cloudabi__Supervisor__V1__ServiceStatus *s = NULL;
	struct lines l = {.stop_after = 2};
	struct rpc_status st;
	int rc, tries;

	/* Cancel client-side after 2 lines, then drop the whole client. */
	assert_int_equal(logs(c, 0, 1, &l, &st), 0);
	rpc_client_close(c);
	c2 = connect_ok();
	for (tries = 0; tries < 100; tries++) {
		s = get(c2, "x", &st, &rc);
		assert_non_null(s);
		if (s->restart_count >= 1)
			break;
		protobuf_c_message_free_unpacked(&s->base, NULL);
		s = NULL;
		sleep_ms(10);
	}
	assert_non_null(s);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	rpc_client_close(c2);
	stop(t);
}

struct follower {
	struct lines l;
	struct rpc_status st;
	int rc;
};

/* Follows Logs until the connection goes away. */
static void *follow_thread(void *arg)
{
	struct follower *f = arg;
	struct rpc_client *c = NULL;

	if ((f->rc = rpc_client_connect(sock, 5000, &c)) == 0)
		f->rc = logs(c, 1, 1, &f->l, &f->st);
	rpc_client_close(c);
	return NULL;
}

/* Stopping the server mid-follow cancels the call and leaves no handle. */
static void test_close_with_open_stream(void **state)
{
	struct testsrv *t = start(0, 0);
	struct follower f = {0};
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, follow_thread, &f), 0);
	while (__atomic_load_n(&f.l.count, __ATOMIC_SEQ_CST) < 3)
		sleep_ms(5);
	stop(t); /* asserts uv_loop_close() == 0 */
	pthread_join(th, NULL);
	assert_int_equal(f.rc, -ECONNRESET);
	assert_true(f.l.count >= 3);
	assert_false(f.l.bad);
}

/* Puts the saved file limit back after a while. */
static void *restore_limit(void *arg)
{
	sleep_ms(150);
	setrlimit(RLIMIT_NOFILE, arg);
	return NULL;
}

/* CPU seconds this process has used. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Out of fds, the server pauses accepting (no spinning), then serves. */
static void test_emfile_pauses_accept(void **state)
{
	struct testsrv *t = start(0, 0);
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	struct rlimit old, low;
	struct rpc_client *c;
	struct rpc_status st;
	double cpu;
	pthread_t th;
	int probe, rc;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	probe = dup(0); /* the lowest free fd */
	assert_true(probe >= 0);
	close(probe);
	/* Room for the client's socket only: the server's accept fails. */
	low = old;
	low.rlim_cur = (rlim_t)probe + 1;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	c = connect_ok();
	cpu = cpu_seconds();
	assert_int_equal(pthread_create(&th, NULL, restore_limit, &old), 0);
	s = get(c, "after-emfile", &st, &rc);
	pthread_join(th, NULL);
	cpu = cpu_seconds() - cpu;
	assert_int_equal(rc, 0);
	assert_non_null(s);
	assert_string_equal(s->name, "after-emfile");
	protobuf_c_message_free_unpacked(&s->base, NULL);
	/* A spinning accept loop would burn the whole pause. */
	assert_true(cpu < 0.25);
	rpc_client_close(c);
	stop(t);
}

/* Counts Watch events. */
static int count_events(const ProtobufCMessage *m, void *arg)
{
	++*(unsigned *)arg;
	return 0;
}

static void test_slow_reader_bound(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__WatchRequest req =
	        CLOUDABI__SUPERVISOR__V1__WATCH_REQUEST__INIT;
	struct rpc_status st;
	unsigned n = 0;

	assert_int_equal(
	        rpc_client_stream(c, SUP "Watch", &req.base,
	                          &cloudabi__supervisor__v1__event__descriptor,
	                          count_events, &n, &st),
	        0);
	assert_int_equal(st.code, GRPC_RESOURCE_EXHAUSTED);
	/* 256 KiB of queue holds a few 64 KiB events, not the 1000. */
	assert_true(n >= 1 && n <= 5);
	rpc_client_close(c);
	stop(t);
}

static void test_async_reply_and_health(void **state)
{
	struct testsrv *t = start(0, 0);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__DeployRequest dreq =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckRequest hreq =
	        GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Cloudabi__Supervisor__V1__DeployResponse *d;
	Grpc__Health__V1__HealthCheckResponse *h;
	struct rpc_status st;

	assert_int_equal(
	        rpc_client_unary(
	                c, SUP "Deploy", &dreq.base,
	                &cloudabi__supervisor__v1__deploy_response__descriptor,
	                (ProtobufCMessage **)&d, &st),
	        0);
	assert_int_equal(st.code, GRPC_OK);
	assert_string_equal(d->name, "later");
	assert_int_equal(d->generation, 7);
	protobuf_c_message_free_unpacked(&d->base, NULL);
	assert_int_equal(
	        rpc_client_unary(
	                c, "/grpc.health.v1.Health/Check", &hreq.base,
	                &grpc__health__v1__health_check_response__descriptor,
	                (ProtobufCMessage **)&h, &st),
	        0);
	assert_int_equal(st.code, GRPC_OK);
	assert_int_equal(h->status, 1);
	protobuf_c_message_free_unpacked(&h->base, NULL);
	rpc_client_close(c);
	stop(t);
}

/* Raw connect to the socket. */
static int raw_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_garbage_closes_connection(void **state)
{
	struct testsrv *t = start(0, 0);
	static const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	Cloudabi__Supervisor__V1__ServiceStatus *s;
	struct rpc_client *c;
	struct rpc_status st;
	char buf[256];
	int fd = raw_connect(), rc;

	assert_int_equal(write(fd, junk, sizeof(junk) - 1), sizeof(junk) - 1);
	/* The server's SETTINGS may come first; then EOF, never a hang. */
	while ((rc = (int)read(fd, buf, sizeof(buf))) > 0)
		;
	assert_int_equal(rc, 0);
	close(fd);
	c = connect_ok();
	s = get(c, "next", &st, &rc);
	assert_non_null(s);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	rpc_client_close(c);
	stop(t);
}

static void test_per_uid_cap(void **state)
{
	struct testsrv *t = start(2, 0);
	struct rpc_client *a = connect_ok(), *b = connect_ok(), *x = NULL;
	Cloudabi__Supervisor__V1__ServiceStatus *s = NULL;
	struct rpc_status st;
	int rc, tries;

	/* Make sure the two are accepted before the third arrives. */
	s = get(a, "a", &st, &rc);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	s = get(b, "b", &st, &rc);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	/* Refused: the server closes it at once, so the failure shows in the
	 * connect (preface write) or in the first call. */
	rc = rpc_client_connect(sock, 5000, &x);
	if (rc == 0) {
		assert_null(get(x, "x", &st, &rc));
		rpc_client_close(x);
	}
	assert_int_equal(rc, -ECONNRESET);
	rpc_client_close(a);
	/* Once the server has seen a's close, a new connection is served. */
	s = NULL;
	for (tries = 0; tries < 200; tries++) {
		sleep_ms(10);
		if (rpc_client_connect(sock, 5000, &x) != 0)
			continue;
		if ((s = get(x, "x", &st, &rc)) != NULL)
			break;
		rpc_client_close(x);
	}
	assert_non_null(s);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	rpc_client_close(x);
	rpc_client_close(b);
	stop(t);
}

static void test_idle_connection_closed(void **state)
{
	struct testsrv *t = start(0, 100);
	struct rpc_client *c = connect_ok();
	struct rpc_status st;
	int rc;

	sleep_ms(400);
	assert_null(get(c, "late", &st, &rc));
	assert_int_equal(rc, -ECONNRESET);
	rpc_client_close(c);
	stop(t);
}

static void test_daemon_down(void **state)
{
	struct rpc_client *c = NULL;
	char path[160];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	rc = rpc_client_connect(path, 1000, &c);
	assert_int_equal(rc, -ENOENT);
	assert_true(rpc_client_daemon_down(rc));
	/* A socket file nobody listens on. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	rc = rpc_client_connect(sa.sun_path, 1000, &c);
	assert_int_equal(rc, -ECONNREFUSED);
	assert_true(rpc_client_daemon_down(rc));
	assert_false(rpc_client_daemon_down(-EACCES));
	unlink(sa.sun_path);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/rpc-e2e-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/control.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(sock);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unary_and_peer),
	        cmocka_unit_test(test_error_status_and_message),
	        cmocka_unit_test(test_unimplemented_and_bad_requests),
	        cmocka_unit_test(test_stream),
	        cmocka_unit_test(test_follow_cancel),
	        cmocka_unit_test(test_follow_disconnect),
	        cmocka_unit_test(test_close_with_open_stream),
	        cmocka_unit_test(test_slow_reader_bound),
	        cmocka_unit_test(test_async_reply_and_health),
	        cmocka_unit_test(test_garbage_closes_connection),
	        cmocka_unit_test(test_per_uid_cap),
	        cmocka_unit_test(test_idle_connection_closed),
	        cmocka_unit_test(test_emfile_pauses_accept),
	        cmocka_unit_test(test_daemon_down),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
