/*
 * handlers over the real rpc_server and rpc_client, against the in-memory
 * supervisor (fake_supervisor.c) and a real store for the audit log. The
 * server runs on its own loop in a thread; each test stops it and asserts
 * that no handle and no subscription is left.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "handlers.h"
#include "health.pb-c.h"
#include "rpc_client.h"
#include "supervisor.pb-c.h"

#define SUP    "/cloudabi.supervisor.v1.Supervisor/"
#define NOBODY 65534

unsigned fake_supervisor_subs(const struct supervisor *sup);

struct server {
	uv_loop_t loop;
	uv_async_t stop;
	struct store *store;
	struct supervisor *sup;
	struct handlers *h;
	struct rpc_server *srv;
	pthread_t thread;
	unsigned subs_left;
	int close_rc;
};

static char dir[64], sock[128];

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void sup_done(void *arg)
{
	struct server *s = arg;

	uv_close((uv_handle_t *)&s->stop, NULL);
}

static void handlers_done(void *arg)
{
	struct server *s = arg;

	s->subs_left = fake_supervisor_subs(s->sup);
	supervisor_shutdown(s->sup, false, sup_done, s);
}

static void server_done(void *arg)
{
	struct server *s = arg;

	handlers_close(s->h, handlers_done, s);
}

/* The daemon's shutdown order: server, handlers, supervisor. */
static void on_stop(uv_async_t *a)
{
	struct server *s = a->data;

	handlers_set_serving(s->h, false);
	rpc_server_close(s->srv, server_done, s);
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	uv_run(&s->loop, UV_RUN_DEFAULT);
	s->close_rc = uv_loop_close(&s->loop);
	return NULL;
}

/* A server whose callers may mutate per auth. */
static struct server *start(const struct handlers_auth *auth)
{
	struct server *s = calloc(1, sizeof(*s));
	struct handlers_config cfg = {0};
	const struct rpc_method *methods;
	size_t n;
	char err[128];

	assert_non_null(s);
	assert_int_equal(uv_loop_init(&s->loop), 0);
	assert_int_equal(store_open(dir, &s->store, err, sizeof(err)), 0);
	assert_int_equal(supervisor_new(&s->loop, s->store, NULL, &s->sup), 0);
	cfg.sup = s->sup;
	cfg.store = s->store;
	cfg.auth = *auth;
	assert_int_equal(handlers_new(&s->loop, &cfg, &s->h), 0);
	methods = handlers_methods(&n);
	assert_int_equal(
	        rpc_server_new(&s->loop, methods, n, s->h, NULL, &s->srv), 0);
	assert_int_equal(rpc_server_listen_path(s->srv, sock, 0666), 0);
	handlers_set_serving(s->h, true);
	uv_async_init(&s->loop, &s->stop, on_stop);
	s->stop.data = s;
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
	return s;
}

/* Stops the server; the store stays open for audit checks until free. */
static void stop(struct server *s)
{
	uv_async_send(&s->stop);
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	assert_int_equal(s->close_rc, 0);
	assert_int_equal(s->subs_left, 0);
	supervisor_free(s->sup);
}

static void server_free(struct server *s)
{
	store_close(s->store);
	free(s);
	unlink(sock);
	{
		char db[128];

		snprintf(db, sizeof(db), "%s/cloudabid.db", dir);
		unlink(db);
		snprintf(db, sizeof(db), "%s/cloudabid.db-wal", dir);
		unlink(db);
		snprintf(db, sizeof(db), "%s/cloudabid.db-shm", dir);
		unlink(db);
	}
}

static struct rpc_client *connect_ok(void)
{
	struct rpc_client *c = NULL;

	assert_int_equal(rpc_client_connect(sock, 5000, &c), 0);
	return c;
}

/* A unary call returning the status code (and the response if OK). */
static int unary(struct rpc_client *c, const char *method,
                 const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **resp, struct rpc_status *st)
{
	ProtobufCMessage *r = NULL;

	if (rpc_client_unary(c, method, req, desc, &r, st) < 0)
		return -1;
	if (resp != NULL)
		*resp = r;
	else if (r != NULL)
		protobuf_c_message_free_unpacked(r, NULL);
	return st->code;
}

static int deploy(struct rpc_client *c, const char *yaml, struct rpc_status *st)
{
	Cloudabi__Supervisor__V1__DeployRequest req =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_REQUEST__INIT;

	req.yaml = (char *)yaml;
	req.file_name = "svc.yaml";
	return unary(c, SUP "Deploy", &req.base,
	             &cloudabi__supervisor__v1__deploy_response__descriptor,
	             NULL, st);
}

static int name_op(struct rpc_client *c, const char *method, const char *name,
                   Cloudabi__Supervisor__V1__OperationResponse **resp)
{
	Cloudabi__Supervisor__V1__NameRequest req =
	        CLOUDABI__SUPERVISOR__V1__NAME_REQUEST__INIT;
	struct rpc_status st;
	char path[128];

	req.name = (char *)name;
	snprintf(path, sizeof(path), SUP "%s", method);
	return unary(c, path, &req.base,
	             &cloudabi__supervisor__v1__operation_response__descriptor,
	             (ProtobufCMessage **)resp, &st);
}

static const struct handlers_auth root_only = {false, 0, 0};

/* ---- authorization, directly ---- */

static void test_authorize(void **state)
{
	struct handlers_auth a = {.has_group = false, .self_uid = 1000};
	struct rpc_peer root = {0, 0, 1}, self = {1000, 1000, 2};
	struct rpc_peer other = {NOBODY, NOBODY, 3};

	assert_int_equal(handlers_authorize(&root, &a), 0);
	assert_int_equal(handlers_authorize(&self, &a), 0);
	assert_int_equal(handlers_authorize(&other, &a), -EPERM);
	/* Primary gid from SO_PEERCRED. */
	a.has_group = true;
	a.group = NOBODY;
	assert_int_equal(handlers_authorize(&other, &a), 0);
	/* Not a member: uid nobody's account is not in group 0. */
	a.group = 0;
	assert_int_equal(handlers_authorize(&other, &a), -EPERM);
	/* An uid with no account has no supplementary groups. */
	other.uid = 4000000;
	other.gid = 4000000;
	assert_int_equal(handlers_authorize(&other, &a), -EPERM);
	/* Root's account lists group 0: supplementary lookup works. */
	a.group = 0;
	root.gid = 12345;
	assert_int_equal(handlers_authorize(&root, &a), 0);
}

static void test_status_map(void **state)
{
	assert_int_equal(handlers_status(0), GRPC_OK);
	assert_int_equal(handlers_status(-ENOENT), GRPC_NOT_FOUND);
	assert_int_equal(handlers_status(-EINVAL), GRPC_INVALID_ARGUMENT);
	assert_int_equal(handlers_status(-EBUSY), GRPC_FAILED_PRECONDITION);
	assert_int_equal(handlers_status(-EPERM), GRPC_PERMISSION_DENIED);
	assert_int_equal(handlers_status(-ESHUTDOWN), GRPC_UNAVAILABLE);
	assert_int_equal(handlers_status(-ENOSPC), GRPC_RESOURCE_EXHAUSTED);
	assert_int_equal(handlers_status(-EIO), GRPC_INTERNAL);
}

/* ---- over the wire ---- */

static void test_health_get_list(void **state)
{
	struct server *s = start(&root_only);
	struct rpc_client *c = connect_ok();
	Grpc__Health__V1__HealthCheckRequest hreq =
	        GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckResponse *hresp;
	Cloudabi__Supervisor__V1__GetRequest greq =
	        CLOUDABI__SUPERVISOR__V1__GET_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ListRequest lreq =
	        CLOUDABI__SUPERVISOR__V1__LIST_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ListResponse *list;
	Cloudabi__Supervisor__V1__ServiceStatus *svc;
	struct rpc_status st;

	assert_int_equal(
	        unary(c, "/grpc.health.v1.Health/Check", &hreq.base,
	              &grpc__health__v1__health_check_response__descriptor,
	              (ProtobufCMessage **)&hresp, &st),
	        GRPC_OK);
	assert_int_equal(
	        hresp->status,
	        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
	protobuf_c_message_free_unpacked(&hresp->base, NULL);
	hreq.service = "no.such.Service";
	assert_int_equal(
	        unary(c, "/grpc.health.v1.Health/Check", &hreq.base,
	              &grpc__health__v1__health_check_response__descriptor,
	              NULL, &st),
	        GRPC_NOT_FOUND);

	greq.name = "ghost";
	assert_int_equal(
	        unary(c, SUP "Get", &greq.base,
	              &cloudabi__supervisor__v1__service_status__descriptor,
	              NULL, &st),
	        GRPC_NOT_FOUND);
	assert_string_equal(st.message, "service \"ghost\" is not deployed");
	greq.name = "";
	assert_int_equal(
	        unary(c, SUP "Get", &greq.base,
	              &cloudabi__supervisor__v1__service_status__descriptor,
	              NULL, &st),
	        GRPC_INVALID_ARGUMENT);

	assert_int_equal(deploy(c, "name: web\nexec: x\n", &st), GRPC_OK);
	assert_int_equal(deploy(c, "name: api\n", &st), GRPC_OK);
	greq.name = "web";
	assert_int_equal(
	        unary(c, SUP "Get", &greq.base,
	              &cloudabi__supervisor__v1__service_status__descriptor,
	              (ProtobufCMessage **)&svc, &st),
	        GRPC_OK);
	assert_string_equal(svc->name, "web");
	assert_string_equal(svc->spec_yaml, "name: web\nexec: x\n");
	assert_int_equal(
	        svc->state,
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING);
	assert_int_equal(
	        svc->desired,
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_RUNNING);
	assert_int_equal(svc->pid, 4242);
	assert_null(svc->last_exit);
	protobuf_c_message_free_unpacked(&svc->base, NULL);

	assert_int_equal(
	        unary(c, SUP "List", &lreq.base,
	              &cloudabi__supervisor__v1__list_response__descriptor,
	              (ProtobufCMessage **)&list, &st),
	        GRPC_OK);
	assert_int_equal(list->n_services, 2);
	assert_string_equal(list->services[0]->name, "api");
	assert_string_equal(list->services[1]->name, "web");
	assert_string_equal(list->services[1]->executable, "/bin/fake");
	assert_string_equal(list->services[1]->spec_yaml, ""); /* Get has it */
	protobuf_c_message_free_unpacked(&list->base, NULL);
	rpc_client_close(c);
	stop(s);
	server_free(s);
}

/* Collects audit rows as "uid method target result" lines. */
static int audit_cb(const struct store_audit *a, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out);

	snprintf(out + len, 2048 - len, "%u %s %s %s\n", a->uid, a->method,
	         a->target, a->result);
	return 0;
}

static void test_deploy_errors_and_ops(void **state)
{
	struct server *s = start(&root_only);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__DeployRequest vreq =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ValidateResponse *v;
	Cloudabi__Supervisor__V1__OperationResponse *op;
	struct rpc_status st;
	char audit[2048] = "";

	/* Every error with its position, in the status message. */
	assert_int_equal(deploy(c, "name: w\n  bad: 1\nok: 2\nbad\n", &st),
	                 GRPC_INVALID_ARGUMENT);
	assert_string_equal(st.message, "svc.yaml:2:3: unknown key\n"
	                                "svc.yaml:4:1: unknown key");
	/* Validate: the same errors in the response, status OK. */
	vreq.yaml = "name: w\n  bad: 1\n";
	vreq.file_name = "v.yaml";
	assert_int_equal(
	        unary(c, SUP "Validate", &vreq.base,
	              &cloudabi__supervisor__v1__validate_response__descriptor,
	              (ProtobufCMessage **)&v, &st),
	        GRPC_OK);
	assert_false(v->ok);
	assert_string_equal(v->name, "w");
	assert_int_equal(v->n_errors, 1);
	assert_int_equal(v->errors[0]->line, 2);
	assert_int_equal(v->errors[0]->column, 3);
	assert_string_equal(v->errors[0]->file, "v.yaml");
	assert_string_equal(v->errors[0]->text, "v.yaml:2:3: unknown key");
	protobuf_c_message_free_unpacked(&v->base, NULL);

	assert_int_equal(deploy(c, "name: w\n", &st), GRPC_OK);
	assert_int_equal(name_op(c, "Stop", "w", &op), GRPC_OK);
	assert_true(op->changed);
	assert_int_equal(
	        op->desired,
	        CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_STOPPED);
	protobuf_c_message_free_unpacked(&op->base, NULL);
	assert_int_equal(name_op(c, "Stop", "w", &op), GRPC_OK);
	assert_false(op->changed);
	protobuf_c_message_free_unpacked(&op->base, NULL);
	assert_int_equal(name_op(c, "Start", "w", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Restart", "w", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Remove", "w", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Start", "w", NULL), GRPC_NOT_FOUND);
	assert_int_equal(name_op(c, "Stop", "", NULL), GRPC_INVALID_ARGUMENT);
	rpc_client_close(c);
	stop(s);
	assert_int_equal(store_audit_since(s->store, 0, 100, audit_cb, audit),
	                 0);
	assert_string_equal(audit, "0 Deploy w INVALID_ARGUMENT\n"
	                           "0 Deploy w OK\n"
	                           "0 Stop w OK\n"
	                           "0 Stop w OK\n"
	                           "0 Start w OK\n"
	                           "0 Restart w OK\n"
	                           "0 Remove w OK\n"
	                           "0 Start w NOT_FOUND\n"
	                           "0 Stop  INVALID_ARGUMENT\n");
	server_free(s);
}

/* As a caller who may not mutate: runs in a child when we are root. */
static int denied_calls(void)
{
	struct rpc_client *c = NULL;
	Cloudabi__Supervisor__V1__ListRequest lreq =
	        CLOUDABI__SUPERVISOR__V1__LIST_REQUEST__INIT;
	struct rpc_status st;

	if (rpc_client_connect(sock, 5000, &c) < 0)
		return 10;
	if (name_op(c, "Stop", "w", NULL) != GRPC_PERMISSION_DENIED)
		return 11;
	if (deploy(c, "name: x\n", &st) != GRPC_PERMISSION_DENIED ||
	    strstr(st.message, "may not Deploy") == NULL)
		return 12;
	/* Reading stays open to anyone who can reach the socket. */
	if (unary(c, SUP "List", &lreq.base,
	          &cloudabi__supervisor__v1__list_response__descriptor, NULL,
	          &st) != GRPC_OK)
		return 13;
	rpc_client_close(c);
	return 0;
}

static void test_permission_denied(void **state)
{
	struct handlers_auth auth = {.has_group = false, .self_uid = 0};
	struct server *s;
	char audit[2048] = "", want[256];
	uid_t caller = geteuid();
	int status;
	pid_t pid;

	if (caller != 0)
		auth.self_uid = 0; /* we are neither root nor "self" */
	s = start(&auth);
	if (caller == 0) {
		/* Root always may: call as nobody from a child instead. */
		caller = NOBODY;
		assert_int_equal(chmod(dir, 0755), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
			    setresuid(NOBODY, NOBODY, NOBODY) < 0)
				_exit(9);
			_exit(denied_calls());
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	} else {
		assert_int_equal(denied_calls(), 0);
	}
	stop(s);
	assert_int_equal(store_audit_since(s->store, 0, 100, audit_cb, audit),
	                 0);
	snprintf(want, sizeof(want),
	         "%u Stop w PERMISSION_DENIED\n%u Deploy svc.yaml "
	         "PERMISSION_DENIED\n",
	         (unsigned)caller, (unsigned)caller);
	assert_string_equal(audit, want);
	server_free(s);
}

/* ---- streams ---- */

struct follower {
	const char *method;
	ProtobufCMessage *req;
	const ProtobufCMessageDescriptor *desc;
	char got[1024];
	unsigned msgs, stop_after;
	int rc;
	struct rpc_status st;
};

/* Appends log data or "kind:service" of events; cancels when enough. */
static int follower_msg(const ProtobufCMessage *m, void *arg)
{
	struct follower *f = arg;
	size_t len = strlen(f->got);

	if (m->descriptor == &cloudabi__supervisor__v1__log_chunk__descriptor) {
		const Cloudabi__Supervisor__V1__LogChunk *c = (const void *)m;

		snprintf(f->got + len, sizeof(f->got) - len, "%.*s",
		         (int)c->data.len, (const char *)c->data.data);
	} else if (m->descriptor ==
	           &cloudabi__supervisor__v1__event__descriptor) {
		const Cloudabi__Supervisor__V1__Event *e = (const void *)m;

		snprintf(f->got + len, sizeof(f->got) - len, "%d:%s ",
		         (int)e->kind, e->service);
	} else {
		const Grpc__Health__V1__HealthCheckResponse *h =
		        (const void *)m;

		snprintf(f->got + len, sizeof(f->got) - len, "health%d ",
		         (int)h->status);
	}
	return ++f->msgs == f->stop_after;
}

static void *follower_main(void *arg)
{
	struct follower *f = arg;
	struct rpc_client *c = NULL;

	if (rpc_client_connect(sock, 5000, &c) < 0) {
		f->rc = -1;
		return NULL;
	}
	f->rc = rpc_client_stream(c, f->method, f->req, f->desc, follower_msg,
	                          f, &f->st);
	rpc_client_close(c);
	return NULL;
}

static void test_logs(void **state)
{
	struct server *s = start(&root_only);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__LogsRequest lreq =
	        CLOUDABI__SUPERVISOR__V1__LOGS_REQUEST__INIT;
	struct follower f1 = {0}, f2 = {0};
	struct rpc_status st;
	pthread_t t1, t2;

	assert_int_equal(deploy(c, "name: w\n", &st), GRPC_OK);
	assert_int_equal(name_op(c, "Stop", "w", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Start", "w", NULL), GRPC_OK);   /* 1 */
	assert_int_equal(name_op(c, "Restart", "w", NULL), GRPC_OK); /* 2 */
	/* Not following: the tail, then OK. */
	f1.method = f2.method = SUP "Logs";
	f1.desc = f2.desc = &cloudabi__supervisor__v1__log_chunk__descriptor;
	lreq.name = "w";
	lreq.tail_lines = 1;
	f1.req = &lreq.base;
	follower_main(&f1);
	assert_int_equal(f1.rc, 0);
	assert_int_equal(f1.st.code, GRPC_OK);
	assert_string_equal(f1.got, "started 2\n");
	lreq.name = "ghost";
	memset(&f1, 0, sizeof(f1));
	f1.method = SUP "Logs";
	f1.desc = &cloudabi__supervisor__v1__log_chunk__descriptor;
	f1.req = &lreq.base;
	follower_main(&f1);
	assert_int_equal(f1.st.code, GRPC_NOT_FOUND);

	/* Following: f1 cancels after two chunks, f2 ends with Remove. */
	Cloudabi__Supervisor__V1__LogsRequest freq =
	        CLOUDABI__SUPERVISOR__V1__LOGS_REQUEST__INIT;
	freq.name = "w";
	freq.follow = true;
	freq.tail_lines = 1;
	memset(&f1, 0, sizeof(f1));
	f1.method = SUP "Logs";
	f1.desc = &cloudabi__supervisor__v1__log_chunk__descriptor;
	f1.req = f2.req = &freq.base;
	f1.stop_after = 2;
	assert_int_equal(pthread_create(&t1, NULL, follower_main, &f1), 0);
	assert_int_equal(pthread_create(&t2, NULL, follower_main, &f2), 0);
	sleep_ms(200);
	assert_int_equal(name_op(c, "Restart", "w", NULL), GRPC_OK); /* 3 */
	assert_int_equal(pthread_join(t1, NULL), 0);
	assert_int_equal(f1.st.code, GRPC_CANCELLED);
	assert_string_equal(f1.got, "started 2\nstarted 3\n");
	sleep_ms(50); /* the cancelled follower's sweep */
	assert_int_equal(name_op(c, "Remove", "w", NULL), GRPC_OK);
	assert_int_equal(pthread_join(t2, NULL), 0);
	assert_int_equal(f2.rc, 0);
	assert_int_equal(f2.st.code, GRPC_OK);
	assert_string_equal(f2.got, "started 2\nstarted 3\n");
	rpc_client_close(c);
	stop(s);
	server_free(s);
}

static void test_watch_and_health_watch(void **state)
{
	struct server *s = start(&root_only);
	struct rpc_client *c = connect_ok();
	Cloudabi__Supervisor__V1__WatchRequest wreq =
	        CLOUDABI__SUPERVISOR__V1__WATCH_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckRequest hreq =
	        GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	struct follower f = {0}, fall = {0}, fh = {0};
	struct rpc_status st;
	pthread_t t, tall, th;

	assert_int_equal(deploy(c, "name: a\n", &st), GRPC_OK);
	assert_int_equal(deploy(c, "name: b\n", &st), GRPC_OK);
	/* b only, with a snapshot first: 6 (snapshot), 5 (Stop), 5, 3. */
	wreq.name = "b";
	wreq.replay = true;
	f.method = SUP "Watch";
	f.desc = &cloudabi__supervisor__v1__event__descriptor;
	f.req = &wreq.base;
	f.stop_after = 4;
	/* Everything, without replay, left open until the server stops. */
	Cloudabi__Supervisor__V1__WatchRequest all =
	        CLOUDABI__SUPERVISOR__V1__WATCH_REQUEST__INIT;
	fall = f;
	fall.req = &all.base;
	fall.stop_after = 0;
	fh.method = "/grpc.health.v1.Health/Watch";
	fh.desc = &grpc__health__v1__health_check_response__descriptor;
	fh.req = &hreq.base;
	assert_int_equal(pthread_create(&t, NULL, follower_main, &f), 0);
	assert_int_equal(pthread_create(&tall, NULL, follower_main, &fall), 0);
	assert_int_equal(pthread_create(&th, NULL, follower_main, &fh), 0);
	sleep_ms(200);
	assert_int_equal(name_op(c, "Stop", "a", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Stop", "b", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Restart", "b", NULL), GRPC_OK);
	assert_int_equal(name_op(c, "Remove", "b", NULL), GRPC_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(f.st.code, GRPC_CANCELLED);
	assert_string_equal(f.got, "6:b 5:b 5:b 5:b ");
	rpc_client_close(c);
	sleep_ms(50);
	/* Closing the server ends the open streams (the connection goes). */
	stop(s);
	assert_int_equal(pthread_join(tall, NULL), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_string_equal(fall.got, "5:a 5:b 5:b 5:b 3:b ");
	/* SERVING, then NOT_SERVING when the daemon began to stop. */
	assert_string_equal(fh.got, "health1 health2 ");
	server_free(s);
}

/* Raw bytes as the request: a response status, never a dead server. */
static int raw_call(struct rpc_client *c, const char *method,
                    const uint8_t *req, size_t len, struct rpc_status *st)
{
	if (rpc_client_call_raw(c, method, req, len, NULL, NULL, st) < 0)
		return -1;
	return st->code;
}

static void test_bad_requests(void **state)
{
	struct server *s = start(&root_only);
	struct rpc_client *c = connect_ok();
	static const uint8_t garbage[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01};
	Cloudabi__Supervisor__V1__GetRequest greq =
	        CLOUDABI__SUPERVISOR__V1__GET_REQUEST__INIT;
	Cloudabi__Supervisor__V1__WatchRequest wreq =
	        CLOUDABI__SUPERVISOR__V1__WATCH_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckRequest hreq =
	        GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	char longname[STORE_NAME_MAX + 2];
	struct follower f = {0};
	struct rpc_status st;
	char *big;

	/* Not a protobuf message: refused before any handler runs. */
	assert_int_not_equal(
	        raw_call(c, SUP "Deploy", garbage, sizeof(garbage), &st),
	        GRPC_OK);
	assert_int_not_equal(
	        raw_call(c, SUP "Get", garbage, sizeof(garbage), &st), GRPC_OK);
	rpc_client_close(c);
	c = connect_ok();
	/* A name over the bound. */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	greq.name = longname;
	assert_int_equal(
	        unary(c, SUP "Get", &greq.base,
	              &cloudabi__supervisor__v1__service_status__descriptor,
	              NULL, &st),
	        GRPC_INVALID_ARGUMENT);
	assert_int_equal(name_op(c, "Start", longname, NULL),
	                 GRPC_INVALID_ARGUMENT);
	wreq.name = longname;
	f.method = SUP "Watch";
	f.desc = &cloudabi__supervisor__v1__event__descriptor;
	f.req = &wreq.base;
	follower_main(&f);
	assert_int_equal(f.st.code, GRPC_INVALID_ARGUMENT);
	/* A service file over STORE_SPEC_MAX. */
	big = malloc(STORE_SPEC_MAX + 2);
	assert_non_null(big);
	memset(big, '#', STORE_SPEC_MAX + 1);
	big[STORE_SPEC_MAX + 1] = '\0';
	assert_int_equal(deploy(c, big, &st), GRPC_INVALID_ARGUMENT);
	assert_string_equal(st.message, "service file larger than 1 MiB");
	free(big);
	/* Still serving. */
	assert_int_equal(
	        unary(c, "/grpc.health.v1.Health/Check", &hreq.base,
	              &grpc__health__v1__health_check_response__descriptor,
	              NULL, &st),
	        GRPC_OK);
	rpc_client_close(c);
	stop(s);
	server_free(s);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/cloudabid-h-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/control.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_authorize),
	        cmocka_unit_test(test_status_map),
	        cmocka_unit_test(test_health_get_list),
	        cmocka_unit_test(test_deploy_errors_and_ops),
	        cmocka_unit_test(test_permission_denied),
	        cmocka_unit_test(test_logs),
	        cmocka_unit_test(test_watch_and_health_watch),
	        cmocka_unit_test(test_bad_requests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
