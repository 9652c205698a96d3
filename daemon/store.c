/*
 * store: SQLite state of the daemon (see store.h for the contract).
 *
 * Statements live in one table indexed by enum stmt_id, prepared once at
 * open. Every use resets the statement when done, so that no read
 * transaction stays open behind the caller's back (which would also stop
 * WAL checkpoints). Multi-statement operations run inside a SAVEPOINT so
 * that they are atomic both inside and outside a caller's transaction.
 */
#include "store.h"
#include "store_schema.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define STORE_FILE     "cloudabid.db"
#define STORE_TEXT_MAX 4096 /* event messages, audit targets... */

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_VERSION,
	S_SVC_PUT,
	S_SVC_GET,
	S_SVC_LIST,
	S_SVC_DESIRED,
	S_SVC_DELETE,
	S_INST_START,
	S_INST_EXIT,
	S_INST_PRUNE,
	S_INST_RUNNING,
	S_INST_HISTORY,
	S_POL_PUT,
	S_POL_GET,
	S_EV_APPEND,
	S_EV_PRUNE,
	S_EV_SINCE,
	S_AU_APPEND,
	S_AU_PRUNE,
	S_AU_SINCE,
	S_COUNT,
};

#define SVC_COLS "name, spec, generation, desired, created_at, updated_at"
#define INST_COLS                                                              \
	"id, service, generation, pid, start_time, started_at,"                \
	" coalesce(ended_at, 0), coalesce(exit_code, 0),"                      \
	" coalesce(exit_signal, 0)"

static const char *const stmt_sql[S_COUNT] = {
        [S_BEGIN] = "BEGIN IMMEDIATE",
        [S_COMMIT] = "COMMIT",
        [S_ROLLBACK] = "ROLLBACK",
        [S_SAVEPOINT] = "SAVEPOINT store_op",
        [S_RELEASE] = "RELEASE store_op",
        [S_ROLLBACK_TO] = "ROLLBACK TO store_op",
        [S_VERSION] = "SELECT version FROM schema_version",
        [S_SVC_PUT] = "INSERT INTO services (" SVC_COLS ")"
                      " VALUES (?1, ?2, 1, ?3, ?4, ?4)"
                      " ON CONFLICT (name) DO UPDATE SET spec = excluded.spec,"
                      " generation = generation + 1,"
                      " desired = excluded.desired,"
                      " updated_at = excluded.updated_at"
                      " RETURNING generation",
        [S_SVC_GET] = "SELECT " SVC_COLS " FROM services WHERE name = ?1",
        [S_SVC_LIST] = "SELECT " SVC_COLS " FROM services ORDER BY name",
        [S_SVC_DESIRED] = "UPDATE services SET desired = ?2, updated_at = ?3"
                          " WHERE name = ?1",
        [S_SVC_DELETE] = "DELETE FROM services WHERE name = ?1",
        [S_INST_START] = "INSERT INTO instances (service, generation, pid,"
                         " start_time, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        [S_INST_EXIT] = "UPDATE instances SET ended_at = ?2, exit_code = ?3,"
                        " exit_signal = ?4 WHERE id = ?1 AND ended_at IS NULL"
                        " RETURNING service",
        [S_INST_PRUNE] = "DELETE FROM instances WHERE service = ?1"
                         " AND ended_at IS NOT NULL AND id NOT IN"
                         " (SELECT id FROM instances WHERE service = ?1"
                         " AND ended_at IS NOT NULL ORDER BY id DESC LIMIT ?2)",
        [S_INST_RUNNING] = "SELECT " INST_COLS " FROM instances"
                           " WHERE ended_at IS NULL ORDER BY id",
        [S_INST_HISTORY] = "SELECT " INST_COLS " FROM instances"
                           " WHERE service = ?1 ORDER BY id DESC LIMIT ?2",
        [S_POL_PUT] = "INSERT OR REPLACE INTO policy (service, state, failures,"
                      " backoff_ms, next_attempt) VALUES (?1, ?2, ?3, ?4, ?5)",
        [S_POL_GET] = "SELECT state, failures, backoff_ms, next_attempt"
                      " FROM policy WHERE service = ?1",
        [S_EV_APPEND] = "INSERT INTO events (time, service, kind, from_state,"
                        " to_state, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [S_EV_PRUNE] = "DELETE FROM events WHERE id <= ?1",
        [S_EV_SINCE] =
                "SELECT id, time, service, kind, from_state, to_state,"
                " message FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
        [S_AU_APPEND] = "INSERT INTO audit (time, uid, method, target, result)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
        [S_AU_PRUNE] = "DELETE FROM audit WHERE id <= ?1",
        [S_AU_SINCE] = "SELECT id, time, uid, method, target, result FROM audit"
                       " WHERE id > ?1 ORDER BY id LIMIT ?2",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	bool in_txn;
	unsigned events_keep, audit_keep;
	char err[256];
};

/* Records a formatted message as st's last error; returns rc. */
static int fail(struct store *st, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* Records the connection's current SQLite error for function fn. */
static int fail_db(struct store *st, const char *fn, int sqlite_rc)
{
	return fail(st, store_schema_errno(sqlite_rc), "%s: %s", fn,
	            sqlite3_errmsg(st->db));
}

/* Milliseconds since the epoch (wall clock: rows are read by people). */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Statement id, reset and unbound, ready for binding. */
static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Steps s: 1 for a row, 0 when done (then reset), else a negative errno. */
static int step(struct store *st, sqlite3_stmt *s, const char *fn)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return fail_db(st, fn, rc);
}

/* Runs a statement that returns no rows of interest. */
static int run(struct store *st, sqlite3_stmt *s, const char *fn)
{
	int r = step(st, s, fn);

	sqlite3_reset(s);
	return r < 0 ? r : 0;
}

/* Column i as text, "" for NULL (borrowed until the next step/reset). */
static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

/* Binds a bounded, NUL-terminated string (NULL binds ""). */
static int bind_text(struct store *st, sqlite3_stmt *s, int i, const char *v,
                     const char *what)
{
	size_t n = v != NULL ? strnlen(v, STORE_TEXT_MAX + 1) : 0;

	if (n > STORE_TEXT_MAX)
		return fail(st, -EINVAL, "%s longer than %d bytes", what,
		            STORE_TEXT_MAX);
	if (sqlite3_bind_text(s, i, v != NULL ? v : "", (int)n,
	                      SQLITE_TRANSIENT) != SQLITE_OK)
		return fail_db(st, what, SQLITE_NOMEM);
	return 0;
}

/* Checks and binds a service name: 1..STORE_NAME_MAX bytes. */
static int bind_name(struct store *st, sqlite3_stmt *s, int i, const char *name)
{
	size_t n = name != NULL ? strnlen(name, STORE_NAME_MAX + 1) : 0;

	if (n == 0 || n > STORE_NAME_MAX)
		return fail(st, -EINVAL, "service name must be 1 to %d bytes",
		            STORE_NAME_MAX);
	return bind_text(st, s, i, name, "service name");
}

/* Opens a savepoint around a multi-statement operation. */
static int sp_begin(struct store *st)
{
	return run(st, stmt(st, S_SAVEPOINT), "savepoint");
}

/* Releases the savepoint, or rolls it back when r < 0; returns r. */
static int sp_end(struct store *st, int r)
{
	if (r < 0)
		run(st, stmt(st, S_ROLLBACK_TO), "rollback to");
	int e = run(st, stmt(st, S_RELEASE), "release");
	return r < 0 ? r : e;
}

static int prepare_all(struct store *st)
{
	for (int i = 0; i < S_COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		                            SQLITE_PREPARE_PERSISTENT,
		                            &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return fail(st, store_schema_errno(rc),
			            "prepare %d: %s", i,
			            sqlite3_errmsg(st->db));
	}
	return 0;
}

int store_open(const char *dir, struct store **out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct store *st;
	int r = -ENAMETOOLONG, rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	st->events_keep = STORE_EVENTS_KEEP;
	st->audit_keep = STORE_AUDIT_KEEP;
	if ((size_t)snprintf(path, sizeof(path), "%s/" STORE_FILE, dir) >=
	    sizeof(path)) {
		fail(st, r, "%s: state directory path too long", dir);
		goto out;
	}
	r = store_schema_create(path, st->err, sizeof(st->err));
	if (r < 0)
		goto out;
	rc = sqlite3_open_v2(path, &st->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	                             SQLITE_OPEN_NOFOLLOW,
	                     NULL);
	if (rc != SQLITE_OK) {
		r = fail(st, store_schema_errno(rc), "%s: %s", path,
		         st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	r = store_schema_setup(st->db, st->err, sizeof(st->err));
	if (r == 0)
		r = prepare_all(st);
out:
	if (r == 0) {
		*out = st;
		return 0;
	}
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return r;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_txn)
		run(st, stmt(st, S_ROLLBACK), "close");
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

const char *store_error(const struct store *st)
{
	return st->err[0] != '\0' ? st->err : "no error";
}

int store_schema_version(struct store *st, int *version)
{
	sqlite3_stmt *s = stmt(st, S_VERSION);
	int r = step(st, s, "schema version");

	if (r == 0)
		return fail(st, -EIO, "schema version: no row");
	if (r < 0)
		return r;
	*version = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return 0;
}

void store_set_keep(struct store *st, unsigned events, unsigned audit)
{
	st->events_keep = events;
	st->audit_keep = audit;
}

int store_begin(struct store *st)
{
	if (st->in_txn)
		return fail(st, -EBUSY, "begin: a transaction is already open");
	int r = run(st, stmt(st, S_BEGIN), "begin");
	st->in_txn = r == 0;
	return r;
}

int store_commit(struct store *st)
{
	if (!st->in_txn)
		return fail(st, -EINVAL, "commit: no transaction is open");
	int r = run(st, stmt(st, S_COMMIT), "commit");
	/* A failed COMMIT may leave the transaction open: end it, so that the
	 * caller's "nothing was committed" is true and the next begin works. */
	if (r < 0 && !sqlite3_get_autocommit(st->db))
		run(st, stmt(st, S_ROLLBACK), "commit");
	st->in_txn = false;
	return r;
}

int store_rollback(struct store *st)
{
	if (!st->in_txn)
		return fail(st, -EINVAL, "rollback: no transaction is open");
	st->in_txn = false;
	/* SQLite may already have rolled back on an I/O error. */
	if (sqlite3_get_autocommit(st->db))
		return 0;
	return run(st, stmt(st, S_ROLLBACK), "rollback");
}

/* The SQL spelling of a desired state, NULL when out of range. */
static const char *desired_text(enum store_desired d)
{
	switch (d) {
	case STORE_DESIRED_STOPPED:
		return "stopped";
	case STORE_DESIRED_RUNNING:
		return "running";
	}
	return NULL;
}

int store_service_put(struct store *st, const char *name, const char *spec,
                      size_t spec_len, enum store_desired desired,
                      int64_t *generation)
{
	sqlite3_stmt *s = stmt(st, S_SVC_PUT);
	const char *d = desired_text(desired);
	int r;

	if (d == NULL)
		return fail(st, -EINVAL, "service put: bad desired state");
	if (spec_len > STORE_SPEC_MAX)
		return fail(st, -E2BIG, "service spec larger than %d bytes",
		            STORE_SPEC_MAX);
	r = bind_name(st, s, 1, name);
	if (r < 0)
		return r;
	if (sqlite3_bind_text(s, 2, spec, (int)spec_len, SQLITE_TRANSIENT) !=
	            SQLITE_OK ||
	    sqlite3_bind_text(s, 3, d, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now_ms()) != SQLITE_OK)
		return fail_db(st, "service put", SQLITE_NOMEM);
	r = step(st, s, "service put");
	if (r == 1 && generation != NULL)
		*generation = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return r < 0 ? r : 0;
}

/* Fills *out from a services row of s (borrowed strings). */
static void service_row(sqlite3_stmt *s, struct store_service *out)
{
	out->name = col_text(s, 0);
	out->spec = col_text(s, 1);
	out->spec_len = (size_t)sqlite3_column_bytes(s, 1);
	out->generation = sqlite3_column_int64(s, 2);
	out->desired = strcmp(col_text(s, 3), "running") == 0
	                       ? STORE_DESIRED_RUNNING
	                       : STORE_DESIRED_STOPPED;
	out->created_at = sqlite3_column_int64(s, 4);
	out->updated_at = sqlite3_column_int64(s, 5);
}

/* A malloc'd copy of n bytes plus a NUL, or NULL. */
static char *copy(const char *p, size_t n)
{
	char *c = malloc(n + 1);

	if (c != NULL) {
		memcpy(c, p, n);
		c[n] = '\0';
	}
	return c;
}

int store_service_get(struct store *st, const char *name,
                      struct store_service *out)
{
	sqlite3_stmt *s = stmt(st, S_SVC_GET);
	struct store_service row;
	int r;

	memset(out, 0, sizeof(*out));
	r = bind_name(st, s, 1, name);
	if (r < 0)
		return r;
	r = step(st, s, "service get");
	if (r == 0)
		return fail(st, -ENOENT, "service %s: not deployed", name);
	if (r < 0)
		return r;
	service_row(s, &row);
	*out = row;
	out->name = copy(row.name, strlen(row.name));
	out->spec = copy(row.spec, row.spec_len);
	sqlite3_reset(s);
	if (out->name == NULL || out->spec == NULL) {
		store_service_release(out);
		return fail(st, -ENOMEM, "service get: out of memory");
	}
	return 0;
}

void store_service_release(struct store_service *s)
{
	free((char *)s->name);
	free((char *)s->spec);
	s->name = s->spec = NULL;
}

int store_service_set_desired(struct store *st, const char *name,
                              enum store_desired desired)
{
	sqlite3_stmt *s = stmt(st, S_SVC_DESIRED);
	const char *d = desired_text(desired);
	int r;

	if (d == NULL)
		return fail(st, -EINVAL, "set desired: bad desired state");
	r = bind_name(st, s, 1, name);
	if (r < 0)
		return r;
	sqlite3_bind_text(s, 2, d, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now_ms());
	r = run(st, s, "set desired");
	if (r == 0 && sqlite3_changes(st->db) == 0)
		return fail(st, -ENOENT, "service %s: not deployed", name);
	return r;
}

int store_service_delete(struct store *st, const char *name)
{
	sqlite3_stmt *s = stmt(st, S_SVC_DELETE);
	int r = bind_name(st, s, 1, name);

	if (r < 0)
		return r;
	r = run(st, s, "service delete");
	if (r == 0 && sqlite3_changes(st->db) == 0)
		return fail(st, -ENOENT, "service %s: not deployed", name);
	return r;
}

int store_service_list(struct store *st, store_service_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(st, S_SVC_LIST);
	struct store_service row;
	int r, stop = 0;

	while (stop == 0 && (r = step(st, s, "service list")) == 1) {
		service_row(s, &row);
		stop = fn(&row, ctx);
	}
	sqlite3_reset(s);
	return stop != 0 ? stop : r;
}

int store_instance_start(struct store *st, const struct store_instance *in,
                         int64_t *id)
{
	sqlite3_stmt *s = stmt(st, S_INST_START);
	int r = bind_name(st, s, 1, in->service);

	if (r < 0)
		return r;
	if (in->pid <= 0)
		return fail(st, -EINVAL, "instance start: bad pid %d", in->pid);
	sqlite3_bind_int64(s, 2, in->generation);
	sqlite3_bind_int(s, 3, in->pid);
	/* Start times are clock ticks since boot: far below INT64_MAX. */
	sqlite3_bind_int64(s, 4, (int64_t)in->start_time);
	sqlite3_bind_int64(s, 5,
	                   in->started_at != 0 ? in->started_at : now_ms());
	r = run(st, s, "instance start");
	if (r == 0 && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

/* Keeps only the newest STORE_INSTANCES_KEEP ended instances of service. */
static int prune_instances(struct store *st, const char *service)
{
	sqlite3_stmt *s = stmt(st, S_INST_PRUNE);
	int r = bind_text(st, s, 1, service, "service");

	if (r < 0)
		return r;
	sqlite3_bind_int(s, 2, STORE_INSTANCES_KEEP);
	return run(st, s, "instance prune");
}

int store_instance_exit(struct store *st, int64_t id, int64_t ended_at,
                        int exit_code, int exit_signal)
{
	char service[STORE_NAME_MAX + 1];
	sqlite3_stmt *s;
	int r = sp_begin(st);

	if (r < 0)
		return r;
	s = stmt(st, S_INST_EXIT);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ended_at != 0 ? ended_at : now_ms());
	sqlite3_bind_int(s, 3, exit_code);
	sqlite3_bind_int(s, 4, exit_signal);
	r = step(st, s, "instance exit");
	if (r == 0)
		r = fail(st, -ENOENT, "instance %lld: unknown or already ended",
		         (long long)id);
	if (r == 1) {
		snprintf(service, sizeof(service), "%s", col_text(s, 0));
		sqlite3_reset(s);
		r = prune_instances(st, service);
	}
	return sp_end(st, r);
}

/* Fills *out from an instances row of s (borrowed strings). */
static void instance_row(sqlite3_stmt *s, struct store_instance *out)
{
	out->id = sqlite3_column_int64(s, 0);
	out->service = col_text(s, 1);
	out->generation = sqlite3_column_int64(s, 2);
	out->pid = sqlite3_column_int(s, 3);
	out->start_time = (uint64_t)sqlite3_column_int64(s, 4);
	out->started_at = sqlite3_column_int64(s, 5);
	out->ended_at = sqlite3_column_int64(s, 6);
	out->exit_code = sqlite3_column_int(s, 7);
	out->exit_signal = sqlite3_column_int(s, 8);
}

/* Walks the instance rows of a bound statement through fn. */
static int walk_instances(struct store *st, sqlite3_stmt *s,
                          store_instance_fn fn, void *ctx)
{
	struct store_instance row;
	int r, stop = 0;

	while (stop == 0 && (r = step(st, s, "instances")) == 1) {
		instance_row(s, &row);
		stop = fn(&row, ctx);
	}
	sqlite3_reset(s);
	return stop != 0 ? stop : r;
}

int store_instance_running(struct store *st, store_instance_fn fn, void *ctx)
{
	return walk_instances(st, stmt(st, S_INST_RUNNING), fn, ctx);
}

int store_instance_history(struct store *st, const char *service,
                           unsigned limit, store_instance_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(st, S_INST_HISTORY);
	int r = bind_name(st, s, 1, service);

	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 2, limit);
	return walk_instances(st, s, fn, ctx);
}

int store_policy_put(struct store *st, const char *service,
                     const struct store_policy *p)
{
	sqlite3_stmt *s = stmt(st, S_POL_PUT);
	int r = bind_name(st, s, 1, service);

	if (r < 0)
		return r;
	if (memchr(p->state, '\0', sizeof(p->state)) == NULL)
		return fail(st, -EINVAL, "policy put: state not terminated");
	sqlite3_bind_text(s, 2, p->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, p->failures);
	sqlite3_bind_int64(s, 4, (int64_t)p->backoff_ms);
	sqlite3_bind_int64(s, 5, p->next_attempt);
	r = run(st, s, "policy put");
	/* The foreign key refuses a policy row without its service. */
	if (r == -EINVAL)
		return fail(st, -ENOENT, "service %s: not deployed", service);
	return r;
}

int store_policy_get(struct store *st, const char *service,
                     struct store_policy *out)
{
	sqlite3_stmt *s = stmt(st, S_POL_GET);
	int r = bind_name(st, s, 1, service);

	memset(out, 0, sizeof(*out));
	if (r < 0)
		return r;
	r = step(st, s, "policy get");
	if (r == 0)
		return fail(st, -ENOENT, "service %s: no policy state",
		            service);
	if (r < 0)
		return r;
	snprintf(out->state, sizeof(out->state), "%s", col_text(s, 0));
	out->failures = (uint32_t)sqlite3_column_int64(s, 1);
	out->backoff_ms = (uint64_t)sqlite3_column_int64(s, 2);
	out->next_attempt = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	return 0;
}

/* Deletes rows of a log table older than the newest keep (by id). */
static int prune_log(struct store *st, enum stmt_id id, int64_t last,
                     unsigned keep)
{
	sqlite3_stmt *s;

	if (last <= (int64_t)keep)
		return 0;
	s = stmt(st, id);
	sqlite3_bind_int64(s, 1, last - (int64_t)keep);
	return run(st, s, "prune");
}

int store_event_append(struct store *st, const char *service, const char *kind,
                       const char *from, const char *to, const char *message,
                       int64_t *id)
{
	sqlite3_stmt *s;
	int64_t last = 0;
	int r = sp_begin(st);

	if (r < 0)
		return r;
	s = stmt(st, S_EV_APPEND);
	sqlite3_bind_int64(s, 1, now_ms());
	r = bind_text(st, s, 2, service, "service");
	if (r == 0)
		r = bind_text(st, s, 3, kind, "event kind");
	if (r == 0)
		r = bind_text(st, s, 4, from, "event from");
	if (r == 0)
		r = bind_text(st, s, 5, to, "event to");
	if (r == 0)
		r = bind_text(st, s, 6, message, "event message");
	if (r == 0)
		r = run(st, s, "event append");
	if (r == 0) {
		last = sqlite3_last_insert_rowid(st->db);
		r = prune_log(st, S_EV_PRUNE, last, st->events_keep);
	}
	if (r == 0 && id != NULL)
		*id = last;
	return sp_end(st, r);
}

int store_event_since(struct store *st, int64_t after, unsigned limit,
                      store_event_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(st, S_EV_SINCE);
	struct store_event ev;
	int r, stop = 0;

	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, limit);
	while (stop == 0 && (r = step(st, s, "event since")) == 1) {
		ev.id = sqlite3_column_int64(s, 0);
		ev.time = sqlite3_column_int64(s, 1);
		ev.service = col_text(s, 2);
		ev.kind = col_text(s, 3);
		ev.from = col_text(s, 4);
		ev.to = col_text(s, 5);
		ev.message = col_text(s, 6);
		stop = fn(&ev, ctx);
	}
	sqlite3_reset(s);
	return stop != 0 ? stop : r;
}

int store_audit_append(struct store *st, uint32_t uid, const char *method,
                       const char *target, const char *result)
{
	sqlite3_stmt *s;
	int r = sp_begin(st);

	if (r < 0)
		return r;
	s = stmt(st, S_AU_APPEND);
	sqlite3_bind_int64(s, 1, now_ms());
	sqlite3_bind_int64(s, 2, uid);
	r = bind_text(st, s, 3, method, "audit method");
	if (r == 0)
		r = bind_text(st, s, 4, target, "audit target");
	if (r == 0)
		r = bind_text(st, s, 5, result, "audit result");
	if (r == 0)
		r = run(st, s, "audit append");
	if (r == 0)
		r = prune_log(st, S_AU_PRUNE, sqlite3_last_insert_rowid(st->db),
		              st->audit_keep);
	return sp_end(st, r);
}

int store_audit_since(struct store *st, int64_t after, unsigned limit,
                      store_audit_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(st, S_AU_SINCE);
	struct store_audit a;
	int r, stop = 0;

	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, limit);
	while (stop == 0 && (r = step(st, s, "audit since")) == 1) {
		a.id = sqlite3_column_int64(s, 0);
		a.time = sqlite3_column_int64(s, 1);
		a.uid = (uint32_t)sqlite3_column_int64(s, 2);
		a.method = col_text(s, 3);
		a.target = col_text(s, 4);
		a.result = col_text(s, 5);
		stop = fn(&a, ctx);
	}
	sqlite3_reset(s);
	return stop != 0 ? stop : r;
}
