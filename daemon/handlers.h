/*
 * handlers: the RPC front of cloudabid. Serves the methods of
 * cloudabi.supervisor.v1.Supervisor and grpc.health.v1.Health on an
 * rpc_server by calling the supervisor engine.
 *
 * Authorization: the caller is identified by SO_PEERCRED (rpc_call_peer).
 * Anyone who can reach the socket may read (Validate, List, Get, Logs,
 * Watch, Health); only root, the daemon's own uid, and members of the
 * configured group may mutate (Deploy, Start, Stop, Restart, Remove),
 * others get PERMISSION_DENIED. A service deployed by a caller other
 * than root and the daemon's own uid must also pass the operator policy
 * (policies/grant.h: the paths, addresses and users it may be granted);
 * a refused Deploy gets PERMISSION_DENIED with one line per refused
 * resource, and Validate reports them as errors. Every mutating call, refused
 * or not, is written to the store's audit log with the caller's uid and the
 * outcome (the gRPC status name).
 *
 * Streams (Logs with follow, Watch, Health.Watch) end when the client
 * goes away, when the supervisor ends the subscription, or at
 * handlers_close. Subscriptions are never ended from inside a supervisor
 * callback: they are swept from a zero-delay timer armed only when there
 * is something to sweep, so the loop stays idle otherwise.
 *
 * Ownership: the loop, supervisor and store are borrowed and must outlive
 * the handlers. The methods table is static.
 */
#ifndef CLOUDABID_HANDLERS_H
#define CLOUDABID_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

#include "grant.h"
#include "rpc_server.h"
#include "store.h"
#include "supervisor.h"

#define HANDLERS_MAX_ERRORS   64         /* validation errors reported */
#define HANDLERS_MAX_ERR_TEXT (8 * 1024) /* bytes of INVALID_ARGUMENT text */

struct handlers;

/* Who may mutate besides root. */
struct handlers_auth {
	bool has_group; /* a --group was given */
	gid_t group;    /* its members may mutate */
	uid_t self_uid; /* the daemon's own uid may mutate */
};

struct handlers_config {
	struct supervisor *sup; /* borrowed */
	struct store *store;    /* borrowed: the audit log */
	struct handlers_auth auth;
	/* The operator policy for callers other than root and the daemon's
	 * own uid (borrowed; NULL is the empty policy: no !file, no
	 * !socket, no uid 0). */
	const struct grant_policy *policy;
};

/* Creates the handlers (ctx of the methods table); cfg is copied. */
int handlers_new(uv_loop_t *loop, const struct handlers_config *cfg,
                 struct handlers **out);
/*
 * Ends every open stream (UNAVAILABLE), ends their subscriptions while
 * the supervisor is still alive, closes the timer and frees h, then calls
 * cb(arg). Call after rpc_server_close has finished.
 */
void handlers_close(struct handlers *h, void (*cb)(void *), void *arg);

/* The methods to give rpc_server_new, with the handlers as ctx. */
const struct rpc_method *handlers_methods(size_t *n);

/*
 * Health as Check and Watch report it; a change is sent to every
 * Health.Watch stream. Starts NOT_SERVING until the daemon is ready.
 */
void handlers_set_serving(struct handlers *h, bool serving);

/* Ends every open stream (Logs, Watch, Health.Watch) with UNAVAILABLE
 * "cloudabid is shutting down": call before closing the server, so that
 * clients get the status rather than a cut connection. */
void handlers_end_streams(struct handlers *h);

/*
 * 0 when peer may mutate under auth, -EPERM otherwise. Group membership
 * is the peer's gid or a supplementary group of the peer uid's account
 * (getgrouplist): SO_PEERCRED carries only the primary gid.
 */
int handlers_authorize(const struct rpc_peer *peer,
                       const struct handlers_auth *auth);

/* The gRPC status for a supervisor error (a negative errno). */
int handlers_status(int err);

#endif
