/* testsrv: dummy handlers exercising every path of rpc_server. */
#include "testsrv.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.pb-c.h"
#include "supervisor.pb-c.h"

struct testsrv {
	uv_loop_t loop;
	uv_async_t stop;
	uv_signal_t sigterm, sigint;
	struct rpc_server *srv;
	pthread_t thread;
	atomic_uint cancels;
};

/* A call answered or continued from a timer. */
struct timed {
	struct rpc_call *call;
	struct testsrv *t;
	uv_timer_t timer;
	unsigned next;
};

#define SUP "/cloudabi.supervisor.v1.Supervisor/"

/* Echoes the name and the caller's credentials. */
static void h_get(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	const Cloudabi__Supervisor__V1__GetRequest *req = (const void *)m;
	Cloudabi__Supervisor__V1__ServiceStatus st =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATUS__INIT;
	const struct rpc_peer *peer = rpc_call_peer(call);
	struct testsrv *t = ctx;

	if (strcmp(req->name, "missing") == 0) {
		rpc_call_error(call, GRPC_NOT_FOUND,
		               "service \"missing\": 100% gone\n\xc3\xa9");
		return;
	}
	st.name = req->name;
	st.uid = peer->uid;
	st.gid = peer->gid;
	st.pid = peer->pid;
	st.restart_count = atomic_load(&t->cancels);
	st.state =
	        CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING;
	rpc_call_reply(call, &st.base);
}

/* Frees a timed call once its timer is closed. */
static void timed_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Deploy's late answer. */
static void deploy_later(uv_timer_t *timer)
{
	struct timed *td = timer->data;
	Cloudabi__Supervisor__V1__DeployResponse resp =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_RESPONSE__INIT;

	resp.name = "later";
	resp.generation = 7;
	resp.created = true;
	rpc_call_reply(td->call, &resp.base);
	uv_close((uv_handle_t *)timer, timed_closed);
}

/* The client left before the timer fired. */
static void timed_cancel(struct rpc_call *call, void *arg)
{
	struct timed *td = arg;

	atomic_fetch_add(&td->t->cancels, 1);
	rpc_stream_end(call, GRPC_CANCELLED, NULL);
	uv_close((uv_handle_t *)&td->timer, timed_closed);
}

/* Starts a timed call: its timer fires fn after ms, every ms. */
static void timed_start(struct rpc_call *call, struct testsrv *t,
                        uv_timer_cb fn, uint64_t ms, unsigned next)
{
	struct timed *td = calloc(1, sizeof(*td));

	if (td == NULL) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "no memory");
		return;
	}
	td->call = call;
	td->t = t;
	td->next = next;
	uv_timer_init(&t->loop, &td->timer);
	td->timer.data = td;
	rpc_call_on_cancel(call, timed_cancel, td);
	uv_timer_start(&td->timer, fn, ms, ms);
}

static void h_deploy(struct rpc_call *call, const ProtobufCMessage *m,
                     void *ctx)
{
	timed_start(call, ctx, deploy_later, 20, 0);
}

/* Sends "line <i>\n". */
static int send_line(struct rpc_call *call, unsigned i)
{
	Cloudabi__Supervisor__V1__LogChunk chunk =
	        CLOUDABI__SUPERVISOR__V1__LOG_CHUNK__INIT;
	char text[32];

	snprintf(text, sizeof(text), "line %u\n", i);
	chunk.data.data = (uint8_t *)text;
	chunk.data.len = strlen(text);
	chunk.offset = i;
	return rpc_stream_send(call, &chunk.base);
}

/* One more line for a following client. */
static void logs_tick(uv_timer_t *timer)
{
	struct timed *td = timer->data;

	if (send_line(td->call, td->next++) < 0) {
		rpc_stream_end(td->call, GRPC_OK, NULL);
		uv_close((uv_handle_t *)timer, timed_closed);
	}
}

static void h_logs(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	const Cloudabi__Supervisor__V1__LogsRequest *req = (const void *)m;
	unsigned i;

	for (i = 0; i < req->tail_lines; i++)
		if (send_line(call, i) < 0)
			break;
	if (!req->follow) {
		rpc_stream_end(call, GRPC_OK, NULL);
		return;
	}
	timed_start(call, ctx, logs_tick, 5, req->tail_lines);
}

/* Queues large events until the server refuses more. */
static void h_watch(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	Cloudabi__Supervisor__V1__Event ev =
	        CLOUDABI__SUPERVISOR__V1__EVENT__INIT;
	static char big[65536];
	unsigned i;
	int rc = 0;

	memset(big, 'x', sizeof(big) - 1);
	ev.message = big;
	for (i = 0; i < 1000 && rc == 0; i++) {
		ev.sequence = i;
		rc = rpc_stream_send(call, &ev.base);
	}
	/* Past the bound the server already chose RESOURCE_EXHAUSTED. */
	rpc_stream_end(call, GRPC_OK, NULL);
}

static void h_health(struct rpc_call *call, const ProtobufCMessage *m,
                     void *ctx)
{
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)m;
	Grpc__Health__V1__HealthCheckResponse resp =
	        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

	if (req->service[0] != '\0' &&
	    strcmp(req->service, "cloudabi.supervisor.v1.Supervisor") != 0) {
		rpc_call_error(call, GRPC_NOT_FOUND, "unknown service");
		return;
	}
	resp.status =
	        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	rpc_call_reply(call, &resp.base);
}

static const struct rpc_method methods[] = {
        {SUP "Get", RPC_UNARY,
         &cloudabi__supervisor__v1__get_request__descriptor, h_get},
        {SUP "Deploy", RPC_UNARY,
         &cloudabi__supervisor__v1__deploy_request__descriptor, h_deploy},
        {SUP "Logs", RPC_SERVER_STREAM,
         &cloudabi__supervisor__v1__logs_request__descriptor, h_logs},
        {SUP "Watch", RPC_SERVER_STREAM,
         &cloudabi__supervisor__v1__watch_request__descriptor, h_watch},
        {"/grpc.health.v1.Health/Check", RPC_UNARY,
         &grpc__health__v1__health_check_request__descriptor, h_health},
};

/* Closes a handle if it is not closing yet. */
static void close_handle(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* The server is gone: close our own handles so the loop can end. */
static void server_closed(void *arg)
{
	struct testsrv *t = arg;

	uv_walk(&t->loop, close_handle, NULL);
}

/* Asked to stop (from another thread or a signal). */
static void on_stop(uv_async_t *a)
{
	struct testsrv *t = a->data;

	rpc_server_close(t->srv, server_closed, t);
}

static void on_signal(uv_signal_t *s, int signum)
{
	on_stop(&((struct testsrv *)s->data)->stop);
}

/* Makes the loop, the server and the stop handles. */
static int testsrv_init(struct testsrv *t, const char *path,
                        const struct rpc_server_config *cfg)
{
	int rc;

	uv_loop_init(&t->loop);
	uv_async_init(&t->loop, &t->stop, on_stop);
	t->stop.data = t;
	if ((rc = rpc_server_new(&t->loop, methods,
	                         sizeof(methods) / sizeof(methods[0]), t, cfg,
	                         &t->srv)) < 0)
		return rc;
	return rpc_server_listen_path(t->srv, path, 0600);
}

/* Thread body: set up, tell the starter, run. */
static void *testsrv_thread(void *arg)
{
	struct testsrv *t = arg;

	uv_run(&t->loop, UV_RUN_DEFAULT);
	return NULL;
}

struct testsrv *testsrv_start(const char *path,
                              const struct rpc_server_config *cfg)
{
	struct testsrv *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if (testsrv_init(t, path, cfg) < 0 ||
	    pthread_create(&t->thread, NULL, testsrv_thread, t) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

int testsrv_stop(struct testsrv *t)
{
	int rc;

	uv_async_send(&t->stop);
	pthread_join(t->thread, NULL);
	rc = uv_loop_close(&t->loop);
	free(t);
	return rc;
}

int testsrv_run(const char *path, const struct rpc_server_config *cfg)
{
	struct testsrv *t = calloc(1, sizeof(*t));
	int rc;

	if (t == NULL)
		return -1;
	if ((rc = testsrv_init(t, path, cfg)) < 0) {
		fprintf(stderr, "testsrv: %s: %s\n", path, uv_strerror(rc));
		return rc;
	}
	uv_signal_init(&t->loop, &t->sigterm);
	uv_signal_init(&t->loop, &t->sigint);
	t->sigterm.data = t->sigint.data = t;
	uv_signal_start(&t->sigterm, on_signal, SIGTERM);
	uv_signal_start(&t->sigint, on_signal, SIGINT);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&t->loop);
	free(t);
	return rc;
}
