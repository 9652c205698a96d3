/*
 * handlers_stream: the server-streaming methods (Logs with follow, Watch,
 * Health.Watch) plus Health.Check. Each open stream is a struct stream on
 * the handlers' live list; once finished, a stream still holding a
 * supervisor subscription waits on the dead list until the sweep timer
 * ends it outside any supervisor callback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers_internal.h"

typedef Cloudabi__Supervisor__V1__ExitStatus ExitStatus;
typedef Cloudabi__Supervisor__V1__Event Event;

enum stream_kind { STREAM_LOGS, STREAM_WATCH, STREAM_HEALTH };

/*
 * An open server stream. Live streams have a call; finished ones whose
 * subscription is still to be ended wait on the dead list for the sweep.
 */
struct stream {
	struct stream *prev, *next;
	struct handlers *h;
	struct rpc_call *call;      /* NULL once finished */
	struct supervisor_sub *sub; /* NULL when none or already ended */
	enum stream_kind kind;
	bool dead;
	char name[STORE_NAME_MAX + 1]; /* Watch filter ("" all) */
	char health[64];               /* Health.Watch service */
};
/* ---- streams --------------------------------------------------------- */

/* Unlinks s from whichever list holds it. */
static void stream_unlink(struct stream *s)
{
	struct stream **head = s->dead ? &s->h->dead : &s->h->live;

	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

/* Pushes s on the front of a list. */
static void stream_push(struct stream **head, struct stream *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

/* Unsubscribes and frees every dead stream (never from a sup callback). */
static void stream_sweep(struct handlers *h)
{
	struct stream *s;

	while ((s = h->dead) != NULL) {
		stream_unlink(s);
		if (s->sub != NULL)
			supervisor_unsubscribe(s->sub);
		free(s);
	}
}

void handlers__sweep_cb(uv_timer_t *timer)
{
	stream_sweep(timer->data);
}

/*
 * Ends s's call (if still open) with code; a subscription still held is
 * left to the sweep, since we may be inside the supervisor's callback.
 */
static void stream_finish(struct stream *s, int code, const char *msg)
{
	struct handlers *h = s->h;

	if (s->call != NULL) {
		rpc_stream_end(s->call, code, msg);
		s->call = NULL;
	}
	if (s->dead)
		return;
	stream_unlink(s);
	if (s->sub == NULL) {
		free(s);
		return;
	}
	s->dead = true;
	stream_push(&h->dead, s);
	uv_timer_start(&h->sweep, handlers__sweep_cb, 0, 0);
}

/* The client went away. */
static void stream_cancelled(struct rpc_call *call, void *arg)
{
	stream_finish(arg, GRPC_CANCELLED, NULL);
}

/* The supervisor ended s's subscription (service removed, shutdown). */
static void stream_sub_ended(struct stream *s, int code, const char *msg)
{
	s->sub = NULL;
	if (s->dead) {
		stream_unlink(s);
		free(s);
		return;
	}
	stream_finish(s, code, msg);
}

/* Sends msg on s, finishing s when the client is gone or too slow. */
static int stream_send(struct stream *s, const ProtobufCMessage *msg)
{
	int rc = rpc_stream_send(s->call, msg);

	if (rc < 0)
		stream_finish(s,
		              rc == -ENOBUFS ? GRPC_RESOURCE_EXHAUSTED
		                             : GRPC_CANCELLED,
		              rc == -ENOBUFS ? "client reads too slowly"
		                             : NULL);
	return rc;
}

/* A new live stream for call, or NULL (the call is then ended). */
static struct stream *stream_new(struct handlers *h, struct rpc_call *call,
                                 enum stream_kind kind)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		rpc_stream_end(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	s->h = h;
	s->call = call;
	s->kind = kind;
	stream_push(&h->live, s);
	rpc_call_on_cancel(call, stream_cancelled, s);
	return s;
}
/* ---- Logs ------------------------------------------------------------ */

/* Sends one chunk on call; for the tail and for followers. */
static int logs_send(struct rpc_call *call,
                     const struct supervisor_log_chunk *c)
{
	Cloudabi__Supervisor__V1__LogChunk msg =
	        CLOUDABI__SUPERVISOR__V1__LOG_CHUNK__INIT;

	msg.data.data = (uint8_t *)c->data;
	msg.data.len = c->len;
	msg.time_ns = c->time_ns;
	msg.offset = c->offset;
	msg.truncated = c->truncated;
	return rpc_stream_send(call, &msg.base);
}

/* The tail, sent synchronously: remembers the first send error. */
struct logs_tail {
	struct rpc_call *call;
	int err;
};

static void logs_tail_cb(const struct supervisor_log_chunk *c, void *arg)
{
	struct logs_tail *t = arg;

	if (c != NULL && t->err == 0)
		t->err = logs_send(t->call, c);
}

/* New output for a follower; NULL: the service was removed. */
static void logs_follow_cb(const struct supervisor_log_chunk *c, void *arg)
{
	struct stream *s = arg;
	int rc;

	if (c == NULL) {
		stream_sub_ended(s, GRPC_OK, NULL);
		return;
	}
	if (s->call == NULL)
		return;
	if ((rc = logs_send(s->call, c)) < 0)
		stream_finish(s,
		              rc == -ENOBUFS ? GRPC_RESOURCE_EXHAUSTED
		                             : GRPC_CANCELLED,
		              rc == -ENOBUFS ? "client reads too slowly"
		                             : NULL);
}

void handlers__logs(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	const Cloudabi__Supervisor__V1__LogsRequest *req = (const void *)m;
	struct logs_tail tail = {call, 0};
	struct handlers *h = ctx;
	struct stream *s;
	int rc;

	if ((rc = handlers__check_name(req->name)) < 0 ||
	    (rc = supervisor_logs_read(h->sup, req->name, req->tail_lines,
	                               logs_tail_cb, &tail)) < 0) {
		char msg[256];

		handlers__errtext(rc, req->name, msg, sizeof(msg));
		rpc_stream_end(call, handlers_status(rc), msg);
		return;
	}
	if (tail.err < 0 || !req->follow) {
		rpc_stream_end(call,
		               tail.err == -ENOBUFS ? GRPC_RESOURCE_EXHAUSTED
		               : tail.err < 0       ? GRPC_CANCELLED
		                                    : GRPC_OK,
		               NULL);
		return;
	}
	if ((s = stream_new(h, call, STREAM_LOGS)) == NULL)
		return;
	rc = supervisor_logs_follow(h->sup, req->name, logs_follow_cb, s,
	                            &s->sub);
	if (rc < 0) {
		char msg[256];

		s->sub = NULL;
		handlers__errtext(rc, req->name, msg, sizeof(msg));
		stream_finish(s, handlers_status(rc), msg);
	}
}

/* ---- Watch ----------------------------------------------------------- */

/* Sends ev on s unless filtered out; <0 when s was finished. */
static int watch_send(struct stream *s, const struct supervisor_event *ev,
                      int kind)
{
	Event msg = CLOUDABI__SUPERVISOR__V1__EVENT__INIT;
	ExitStatus exit;

	if (s->name[0] != '\0' &&
	    strcmp(s->name, handlers__str(ev->service)) != 0)
		return 0;
	msg.time_ns = ev->time_ns;
	msg.service = handlers__str(ev->service);
	msg.kind = (Cloudabi__Supervisor__V1__EventKind)kind;
	msg.from_state = (Cloudabi__Supervisor__V1__ServiceState)ev->from;
	msg.to_state = (Cloudabi__Supervisor__V1__ServiceState)ev->to;
	msg.message = handlers__str(ev->message);
	msg.sequence = ev->sequence;
	msg.caller_uid = ev->caller_uid;
	if (ev->kind == SUPERVISOR_EV_EXITED &&
	    handlers__exit_proto(&ev->exit, &exit))
		msg.exit = &exit;
	return stream_send(s, &msg.base);
}

static void watch_event_cb(const struct supervisor_event *ev, void *arg)
{
	struct stream *s = arg;

	if (ev == NULL) {
		stream_sub_ended(s, GRPC_UNAVAILABLE,
		                 "cloudabid is shutting down");
		return;
	}
	if (s->call != NULL)
		watch_send(s, ev, (int)ev->kind);
}

/* Replay: the current state of one service as a SNAPSHOT event. */
static void watch_snapshot_cb(const struct svc_status *st, void *arg)
{
	struct stream *s = arg;
	struct supervisor_event ev = {0};

	if (s->call == NULL)
		return;
	ev.time_ns = st->state_since_ns;
	ev.service = st->name;
	ev.from = ev.to = st->state;
	ev.message = st->message;
	watch_send(s, &ev,
	           CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_SNAPSHOT);
}

void handlers__watch(struct rpc_call *call, const ProtobufCMessage *m,
                     void *ctx)
{
	const Cloudabi__Supervisor__V1__WatchRequest *req = (const void *)m;
	struct handlers *h = ctx;
	struct stream *s;
	int rc;

	if (strlen(req->name) > STORE_NAME_MAX) {
		rpc_stream_end(call, GRPC_INVALID_ARGUMENT, "name too long");
		return;
	}
	if ((s = stream_new(h, call, STREAM_WATCH)) == NULL)
		return;
	snprintf(s->name, sizeof(s->name), "%s", req->name);
	/* Subscribe first: nothing happens in between, both run on the loop. */
	if ((rc = supervisor_watch(h->sup, watch_event_cb, s, &s->sub)) < 0) {
		s->sub = NULL;
		stream_finish(s, handlers_status(rc), "cannot watch");
		return;
	}
	/* The snapshot callback never finishes s's subscription: no UAF. */
	if (req->replay &&
	    (rc = supervisor_list(h->sup, watch_snapshot_cb, s)) < 0)
		stream_finish(s, handlers_status(rc), "cannot list services");
}

/* ---- Health ---------------------------------------------------------- */

/* The health of a service name, or SERVICE_UNKNOWN. */
static int health_of(struct handlers *h, const char *service)
{
	if (service[0] != '\0' && strcmp(service, SUP_SERVICE) != 0 &&
	    strcmp(service, HEALTH_SERVICE) != 0)
		return GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
	return h->serving
	               ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
	               : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
}

/* Sends the current health to a Health.Watch stream. */
static int health_send(struct stream *s)
{
	Grpc__Health__V1__HealthCheckResponse resp =
	        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

	resp.status = health_of(s->h, s->health);
	return stream_send(s, &resp.base);
}

void handlers__health_check(struct rpc_call *call, const ProtobufCMessage *m,
                            void *ctx)
{
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)m;
	Grpc__Health__V1__HealthCheckResponse resp =
	        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

	resp.status = health_of(ctx, req->service);
	/* The protocol answers an unknown service with NOT_FOUND. */
	if (resp.status ==
	    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN) {
		rpc_call_error(call, GRPC_NOT_FOUND, "unknown service");
		return;
	}
	rpc_call_reply(call, &resp.base);
}

void handlers__health_watch(struct rpc_call *call, const ProtobufCMessage *m,
                            void *ctx)
{
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)m;
	struct stream *s;

	if (strlen(req->service) >= sizeof(s->health)) {
		rpc_stream_end(call, GRPC_INVALID_ARGUMENT,
		               "service name too long");
		return;
	}
	if ((s = stream_new(ctx, call, STREAM_HEALTH)) == NULL)
		return;
	snprintf(s->health, sizeof(s->health), "%s", req->service);
	health_send(s);
}

void handlers_set_serving(struct handlers *h, bool serving)
{
	struct stream *s, *next;

	if (h->serving == serving)
		return;
	h->serving = serving;
	for (s = h->live; s != NULL; s = next) {
		next = s->next; /* health_send may finish s */
		if (s->kind == STREAM_HEALTH)
			health_send(s);
	}
}

void handlers__streams_close(struct handlers *h)
{
	while (h->live != NULL)
		stream_finish(h->live, GRPC_UNAVAILABLE,
		              "cloudabid is shutting down");
	stream_sweep(h);
}

void handlers_end_streams(struct handlers *h)
{
	handlers__streams_close(h);
}
