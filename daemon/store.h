/*
 * store: the daemon's persistent state in SQLite, <statedir>/cloudabid.db.
 *
 * Tables: services (spec YAML, generation, desired state), instances (one
 * row per launched process: pid, its kernel start time, exit), policy
 * (the restart machine's state per service), events (bounded log read by
 * Watch), audit (every mutating call with the caller's uid).
 *
 * Durability: WAL with synchronous=FULL. A commit returns only after the
 * WAL is on disk, so an acknowledged deploy survives SIGKILL of the daemon
 * and a power cut; an interrupted transaction leaves nothing. Commits are
 * rare (operator calls, process starts and exits, which backoff bounds), so
 * the fsync per commit costs little.
 *
 * One struct store per daemon, used from the loop thread only. Every SQL
 * statement is prepared once in store_open. Functions return 0 or a
 * negative errno (-ENOENT: no such row, -EEXIST, -EBUSY: busy or nested
 * transaction, -EIO: SQLite failure, -ENOMEM, -EPROTO: schema too new);
 * store_error() then tells what failed. Nothing aborts.
 *
 * Strings passed in are borrowed for the call (SQLite copies them). Rows
 * handed to callbacks are borrowed: valid during the callback only.
 * Structs filled by *_get own their strings: free them with the matching
 * *_release.
 */
#ifndef CLOUDABID_STORE_H
#define CLOUDABID_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema this code writes; older files are migrated on open. */
#define STORE_SCHEMA_VERSION 1

/* Bounds of what the store keeps. */
#define STORE_NAME_MAX       63        /* bytes of a service name */
#define STORE_SPEC_MAX       (1 << 20) /* bytes of a service's YAML */
#define STORE_EVENTS_KEEP    10000     /* events kept (oldest pruned) */
#define STORE_AUDIT_KEEP     100000    /* audit rows kept */
#define STORE_INSTANCES_KEEP 32        /* ended instances kept per service */

struct store;

enum store_desired {
	STORE_DESIRED_STOPPED,
	STORE_DESIRED_RUNNING,
};

struct store_service {
	const char *name;
	const char *spec; /* the YAML text as deployed */
	size_t spec_len;
	int64_t generation; /* 1 on first deploy, +1 per redeploy */
	enum store_desired desired;
	int64_t created_at, updated_at; /* ms since the epoch */
};

struct store_instance {
	int64_t id;
	const char *service;
	int64_t generation; /* of the spec it runs */
	int pid;
	uint64_t start_time; /* procstat_start_time(): detects pid reuse */
	int64_t started_at, ended_at; /* ms since the epoch; ended 0: running */
	int exit_code, exit_signal;
};

/* The persisted part of a service's restart machine. */
struct store_policy {
	char state[16]; /* restart_state_name() */
	uint32_t failures;
	uint64_t backoff_ms;
	int64_t next_attempt; /* ms since the epoch, 0 when none */
};

struct store_event {
	int64_t id, time;
	const char *service; /* may be "" for daemon-wide events */
	const char *kind;    /* "state", "deploy", "exit"... */
	const char *from, *to;
	const char *message;
};

struct store_audit {
	int64_t id, time;
	uint32_t uid;
	const char *method, *target, *result;
};

/*
 * Opens (creating if needed, mode 0600) dir/cloudabid.db, migrates it to
 * STORE_SCHEMA_VERSION and prepares every statement. dir must exist. On
 * failure returns a negative errno and, when err is not NULL, a message.
 */
int store_open(const char *dir, struct store **out, char *err, size_t errlen);

/* Finalizes the statements and closes the database; NULL is accepted. */
void store_close(struct store *st);

/* The message of the last failure on st (static text when none). */
const char *store_error(const struct store *st);

/* The schema version recorded in the open database. */
int store_schema_version(struct store *st, int *version);

/*
 * Explicit transaction (BEGIN IMMEDIATE): one per state transition. Not
 * nested: -EBUSY if one is open. Calls outside a transaction commit on
 * their own.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* Creates or replaces a service's spec (generation + 1). */
int store_service_put(struct store *st, const char *name, const char *spec,
                      size_t spec_len, enum store_desired desired,
                      int64_t *generation);
/* Fills *out (owned copies; store_service_release frees them). */
int store_service_get(struct store *st, const char *name,
                      struct store_service *out);
void store_service_release(struct store_service *s);
int store_service_set_desired(struct store *st, const char *name,
                              enum store_desired desired);
/* Deletes the service with its instances and policy row (-ENOENT). */
int store_service_delete(struct store *st, const char *name);

/*
 * Calls fn for each service in name order; a nonzero return of fn stops
 * the walk and is returned.
 */
typedef int (*store_service_fn)(const struct store_service *s, void *ctx);
int store_service_list(struct store *st, store_service_fn fn, void *ctx);

/* Records a launched process; *id receives the new instance id. */
int store_instance_start(struct store *st, const struct store_instance *in,
                         int64_t *id);
/* Records the end of instance id and prunes the service's old instances. */
int store_instance_exit(struct store *st, int64_t id, int64_t ended_at,
                        int exit_code, int exit_signal);
/* Calls fn for each instance not yet ended (for re-adoption), by id. */
typedef int (*store_instance_fn)(const struct store_instance *in, void *ctx);
int store_instance_running(struct store *st, store_instance_fn fn, void *ctx);
/* Calls fn for a service's instances, newest first, at most limit. */
int store_instance_history(struct store *st, const char *service,
                           unsigned limit, store_instance_fn fn, void *ctx);

int store_policy_put(struct store *st, const char *service,
                     const struct store_policy *p);
int store_policy_get(struct store *st, const char *service,
                     struct store_policy *out);

/* Appends an event (time now) and prunes beyond STORE_EVENTS_KEEP. */
int store_event_append(struct store *st, const char *service, const char *kind,
                       const char *from, const char *to, const char *message,
                       int64_t *id);
/* Calls fn for events with id > after, oldest first, at most limit. */
typedef int (*store_event_fn)(const struct store_event *ev, void *ctx);
int store_event_since(struct store *st, int64_t after, unsigned limit,
                      store_event_fn fn, void *ctx);

/* Appends an audit row (time now) and prunes beyond STORE_AUDIT_KEEP. */
int store_audit_append(struct store *st, uint32_t uid, const char *method,
                       const char *target, const char *result);
typedef int (*store_audit_fn)(const struct store_audit *a, void *ctx);
int store_audit_since(struct store *st, int64_t after, unsigned limit,
                      store_audit_fn fn, void *ctx);

/* Test hook: the keep limits of st (events, audit) for pruning tests. */
void store_set_keep(struct store *st, unsigned events, unsigned audit);

#endif
