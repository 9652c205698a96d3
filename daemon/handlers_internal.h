/*
 * handlers_internal: what handlers.c (unary methods, authorization, the
 * table) and handlers_stream.c (Logs, Watch, Health) share. Not for other
 * modules: the public interface is handlers.h.
 */
#ifndef CLOUDABID_HANDLERS_INTERNAL_H
#define CLOUDABID_HANDLERS_INTERNAL_H

#include <limits.h>

#include "handlers.h"
#include "health.pb-c.h"
#include "supervisor.pb-c.h"

#define SUP_SERVICE    "cloudabi.supervisor.v1.Supervisor"
#define HEALTH_SERVICE "grpc.health.v1.Health"

struct stream;

struct handlers {
	uv_loop_t *loop;
	struct supervisor *sup;
	struct store *store;
	struct handlers_auth auth;
	struct grant_policy empty;         /* when the config gave none */
	const struct grant_policy *policy; /* borrowed, or &empty */
	bool serving;
	struct stream *live, *dead;
	uv_timer_t sweep; /* armed only while dead is not empty */
	void (*close_cb)(void *);
	void *close_arg;
};

/* A protobuf string (char *) for s, "" for NULL; borrowed. */
char *handlers__str(const char *s);
/* Fills *out from ex; false when there is nothing to report. */
bool handlers__exit_proto(const struct svc_exit *ex,
                          Cloudabi__Supervisor__V1__ExitStatus *out);
/* A message for the client saying what went wrong with name. */
void handlers__errtext(int err, const char *name, char *out, size_t len);

/* 0 for a service name a request may carry: non-empty, bounded. */
int handlers__check_name(const char *name);

/* The sweep timer's callback (dead streams' subscriptions). */
void handlers__sweep_cb(uv_timer_t *timer);
/* Ends every live stream (UNAVAILABLE) and sweeps the dead ones. */
void handlers__streams_close(struct handlers *h);

/* The streaming methods and Health.Check (handlers_stream.c). */
rpc_handler_fn handlers__logs, handlers__watch, handlers__health_check,
        handlers__health_watch;

#endif
