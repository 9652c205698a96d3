/*
 * supervisor: the engine of cloudabid. It keeps one record per deployed
 * service (its parsed spec, the resources the daemon opened for it, the
 * restart machine of policies/restart.h, a timer, the process descriptor
 * of its current process and its log stream), applies operator requests
 * and process exits to the machine, and records every transition in the
 * store (one SQLite transaction per transition).
 *
 * Threading: everything runs on the libuv loop given to supervisor_new;
 * no function may be called from another thread. Callbacks are called
 * from the loop, never from inside another supervisor call that the
 * caller is still in, except where said (supervisor_list, _logs_read).
 *
 * Ownership: the loop and the store are borrowed and must outlive the
 * supervisor. Strings passed in are copied when kept. Structs and strings
 * handed to callbacks are borrowed: valid during the callback only.
 * struct svc_status filled by supervisor_get points into the supervisor:
 * valid until control returns to the loop or the next mutating call.
 *
 * Errors: 0 or a negative errno. -ENOENT no such service, -EBUSY the
 * service is being removed, -EINVAL invalid service file (errors were
 * reported through the error callback), -ENOSPC too many services,
 * -ESHUTDOWN the supervisor is shutting down, -EIO the store failed.
 *
 * Durability: a call returns 0 only after its change is committed. If the
 * daemon dies at any moment, a new supervisor on the same state directory
 * (supervisor_recover) re-adopts processes still running, so that no
 * service ever runs twice, and brings the others to their desired state.
 */
#ifndef CLOUDABID_SUPERVISOR_H
#define CLOUDABID_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "restart.h"
#include "store.h"

/* Defaults of struct supervisor_config (0 fields select them). */
#define SUPERVISOR_LOG_RING_DEFAULT  (64 * 1024) /* bytes kept in memory */
#define SUPERVISOR_LOG_FILE_DEFAULT  (1 << 20)   /* bytes per log file */
#define SUPERVISOR_LOG_FILES_DEFAULT 3           /* name.log + .1 + .2 */
#define SUPERVISOR_SERVICES_DEFAULT  1024        /* services per daemon */

struct supervisor;
struct supervisor_sub; /* a log-follow or watch subscription */

/* What the daemon tells the supervisor (copied by supervisor_new). */
struct supervisor_config {
	const char *state_dir;    /* holds logs/ and fifos/; must exist */
	const char *runtime_path; /* the cloudabi-run binary to execute */
	size_t log_ring_bytes;    /* per service in memory; 0: default */
	size_t log_file_bytes;    /* rotation size; 0: default */
	unsigned log_files;       /* files kept incl. the current; 0: def. */
	unsigned max_services;    /* 0: default */
	/* Jitter source for the restart machines; NULL: none (tests). */
	restart_random_fn random;
	void *random_ctx;
};

/* The observable state of a service (the values of proto ServiceState). */
enum svc_state {
	SVC_STATE_UNSPECIFIED = 0,
	SVC_STATE_STOPPED = 1,
	SVC_STATE_STARTING = 2,
	SVC_STATE_RUNNING = 3,
	SVC_STATE_BACKOFF = 4,
	SVC_STATE_STOPPING = 5, /* also restarting and removing */
	SVC_STATE_FAILED = 6,
	SVC_STATE_EXITED = 7, /* ended on its own; policy keeps it down */
};

/* How a process ended. */
struct svc_exit {
	bool valid; /* false: it never exited */
	bool known; /* false: re-adopted process, status not ours to read */
	int code;   /* exit status when signal is 0 */
	int signal; /* POSIX signal number, or 0 */
	bool core_dumped;
	int64_t time_ns; /* since the epoch */
};

/* One service as Get and List report it (see proto ServiceStatus). */
struct svc_status {
	const char *name;
	enum store_desired desired;
	enum svc_state state;
	int pid;               /* 0 when no process */
	int64_t start_time_ns; /* start of the current instance, or 0 */
	uint32_t restart_count;
	struct svc_exit last_exit;
	int64_t generation;
	const char *spec; /* the stored YAML */
	size_t spec_len;
	const char *executable;
	const char *restart_policy; /* "never", "on-failure", "always" */
	int64_t next_start_ns;      /* in BACKOFF, else 0 */
	const char *message;        /* why it is FAILED, or "" */
	uint32_t uid, gid;
	int64_t deployed_ns, state_since_ns;
};

/* One problem of a service file. */
struct supervisor_error {
	const char *file;
	uint32_t line, column; /* 1-based; 0 when not tied to a position */
	const char *message;   /* the message alone, without the position */
	const char *text;      /* "file:line:col: message" */
};
typedef void (*supervisor_error_fn)(const struct supervisor_error *e,
                                    void *ctx);

struct supervisor_deploy_result {
	char name[STORE_NAME_MAX + 1];
	int64_t generation;
	bool created; /* first deploy of this name */
	bool updated; /* the spec differed from the stored one */
	bool dry_run;
};

struct supervisor_op_result {
	enum store_desired desired;
	enum svc_state state; /* when the change was recorded */
	bool changed;         /* false: it already was so */
};

/* A piece of a service's log stream. */
struct supervisor_log_chunk {
	const void *data;
	size_t len;
	int64_t time_ns; /* when the daemon read it */
	uint64_t offset; /* in the service's stream since the daemon started */
	bool truncated;  /* bytes were lost before this chunk */
};
/* chunk NULL: the stream ended (service removed or supervisor freed). */
typedef void (*supervisor_log_fn)(const struct supervisor_log_chunk *chunk,
                                  void *ctx);

/* The values of proto EventKind. */
enum supervisor_event_kind {
	SUPERVISOR_EV_STATE = 1,
	SUPERVISOR_EV_DEPLOYED = 2,
	SUPERVISOR_EV_REMOVED = 3,
	SUPERVISOR_EV_EXITED = 4,
	SUPERVISOR_EV_OPERATION = 5,
};

struct supervisor_event {
	int64_t time_ns;
	const char *service;
	enum supervisor_event_kind kind;
	enum svc_state from, to;
	const char *message;
	uint64_t sequence;    /* the store's event id (0 if not stored) */
	struct svc_exit exit; /* for SUPERVISOR_EV_EXITED */
	uint32_t caller_uid;  /* for operations */
};
/* ev NULL: the supervisor is going away; the subscription is gone. */
typedef void (*supervisor_event_fn)(const struct supervisor_event *ev,
                                    void *ctx);

typedef void (*supervisor_status_fn)(const struct svc_status *st, void *ctx);
typedef void (*supervisor_done_fn)(void *ctx);

/* Creates the supervisor; nothing runs until supervisor_recover. */
int supervisor_new(uv_loop_t *loop, struct store *st,
                   const struct supervisor_config *cfg,
                   struct supervisor **out);

/*
 * Loads every stored service, re-adopts the processes recorded as running
 * that are still the same processes, and brings the rest to their desired
 * state. Call once, before serving requests. A service whose spec no
 * longer resolves (a path gone) is parked FAILED with a message.
 */
int supervisor_recover(struct supervisor *sup);

/*
 * Validates a service file and, unless dry_run, stores it and brings the
 * service to its desired state (running; a redeploy with another spec
 * restarts a running service). Each problem goes to errfn; with any,
 * nothing changes and -EINVAL is returned. uid is the caller (audit).
 */
int supervisor_deploy(struct supervisor *sup, const char *yaml, size_t len,
                      const char *file_name, uint32_t uid, bool dry_run,
                      struct supervisor_deploy_result *res,
                      supervisor_error_fn errfn, void *ctx);

/* Validation only: 0 when valid, -EINVAL after reporting to errfn. */
int supervisor_validate(struct supervisor *sup, const char *yaml, size_t len,
                        const char *file_name,
                        struct supervisor_deploy_result *res,
                        supervisor_error_fn errfn, void *ctx);

/* Operator requests; they return once recorded (res may be NULL). */
int supervisor_start(struct supervisor *sup, const char *name, uint32_t uid,
                     struct supervisor_op_result *res);
int supervisor_stop(struct supervisor *sup, const char *name, uint32_t uid,
                    struct supervisor_op_result *res);
int supervisor_restart(struct supervisor *sup, const char *name, uint32_t uid,
                       struct supervisor_op_result *res);
/* Stops, then releases resources and forgets the spec (done in the loop). */
int supervisor_remove(struct supervisor *sup, const char *name, uint32_t uid,
                      struct supervisor_op_result *res);

/* Fills *out for name (borrowed, see above); -ENOENT. */
int supervisor_get(struct supervisor *sup, const char *name,
                   struct svc_status *out);
/* Calls fn for every service in name order, synchronously. */
int supervisor_list(struct supervisor *sup, supervisor_status_fn fn, void *ctx);

/*
 * Calls fn synchronously with what the ring still holds: the last
 * tail_lines lines (0: all of it), as one or two chunks.
 */
int supervisor_logs_read(struct supervisor *sup, const char *name,
                         unsigned tail_lines, supervisor_log_fn fn, void *ctx);
/*
 * Subscribes fn to new output of name. The supervisor ends it with
 * fn(NULL) when the service is removed or the supervisor freed; after that
 * call *sub is gone and must not be passed to supervisor_unsubscribe.
 */
int supervisor_logs_follow(struct supervisor *sup, const char *name,
                           supervisor_log_fn fn, void *ctx,
                           struct supervisor_sub **sub);
/* Subscribes fn to every event (state changes, exits...) of all services. */
int supervisor_watch(struct supervisor *sup, supervisor_event_fn fn, void *ctx,
                     struct supervisor_sub **sub);
/* Ends a subscription of either kind; fn is not called again. */
void supervisor_unsubscribe(struct supervisor_sub *sub);

/* Reopens every log file (SIGHUP, after an external rotation). */
void supervisor_reopen_logs(struct supervisor *sup);

/*
 * Stops accepting requests; with stop_services, stops every process (the
 * desired states in the store are kept, so a new daemon starts them
 * again), else leaves them running for re-adoption. Then closes every
 * handle and calls done. Calls after this return -ESHUTDOWN.
 */
void supervisor_shutdown(struct supervisor *sup, bool stop_services,
                         supervisor_done_fn done, void *ctx);

/* Frees the supervisor after shutdown's done (NULL accepted). */
void supervisor_free(struct supervisor *sup);

/* Static names: "running", "backoff"... */
const char *supervisor_state_name(enum svc_state s);

#endif
