/*
 * Unit tests of daemon/store on real SQLite files in a fresh temporary
 * directory per test: CRUD, transactions, instances, events and audit with
 * pruning, the schema version check, and reopening after a process that
 * was writing died (_exit or SIGKILL) in the middle of a transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "procstat.h"
#include "store.h"

struct fixture {
	char dir[64];
	struct store *st;
};

/* Fresh temp dir and an open store. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/cloudabid-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (store_open(f->dir, &f->st, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

/* Closes the store and removes the temp dir with its files. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];
	static const char *const files[] = {"cloudabid.db", "cloudabid.db-wal",
	                                    "cloudabid.db-shm"};

	store_close(f->st);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Closes and reopens f's store (as a restarted daemon would). */
static void reopen(struct fixture *f)
{
	char err[256];

	store_close(f->st);
	f->st = NULL;
	if (store_open(f->dir, &f->st, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
}

/* Puts a service with a spec equal to its name, desired running. */
static void put(struct store *st, const char *name)
{
	int r = store_service_put(st, name, name, strlen(name),
	                          STORE_DESIRED_RUNNING, NULL);
	if (r != 0)
		fail_msg("put %s: %d %s", name, r, store_error(st));
}

/* Whether service name exists. */
static bool exists(struct store *st, const char *name)
{
	struct store_service s;
	int r = store_service_get(st, name, &s);

	if (r == 0)
		store_service_release(&s);
	else
		assert_int_equal(r, -ENOENT);
	return r == 0;
}

/* The file is private, in WAL mode, at the current schema version. */
static void test_open(void **state)
{
	struct fixture *f = *state;
	char path[128], err[256];
	struct stat sb;
	struct store *st;
	int v;

	snprintf(path, sizeof(path), "%s/cloudabid.db", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/cloudabid.db-wal", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	reopen(f);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	/* A missing directory is an error with a message, not a crash. */
	assert_int_equal(store_open("/nonexistent/dir", &st, err, sizeof(err)),
	                 -ENOENT);
	assert_null(st);
	assert_non_null(strstr(err, "/nonexistent/dir/cloudabid.db"));
}

/* Collects names from a list walk. */
struct names {
	char buf[8][16];
	int n;
	int stop_after;
};

static int collect(const struct store_service *s, void *ctx)
{
	struct names *ns = ctx;

	snprintf(ns->buf[ns->n++], sizeof(ns->buf[0]), "%s", s->name);
	return ns->n == ns->stop_after ? 42 : 0;
}

/* Put, get, redeploy, list, desired state, delete. */
static void test_service_crud(void **state)
{
	struct fixture *f = *state;
	struct store_service s;
	struct names ns = {0};
	int64_t gen = 0;

	assert_int_equal(store_service_put(f->st, "web", "a: 1\n", 5,
	                                   STORE_DESIRED_RUNNING, &gen),
	                 0);
	assert_int_equal(gen, 1);
	assert_int_equal(store_service_get(f->st, "web", &s), 0);
	assert_string_equal(s.name, "web");
	assert_int_equal(s.spec_len, 5);
	assert_memory_equal(s.spec, "a: 1\n", 6);
	assert_int_equal(s.generation, 1);
	assert_int_equal(s.desired, STORE_DESIRED_RUNNING);
	assert_true(s.created_at > 0 && s.created_at == s.updated_at);
	int64_t created = s.created_at;
	store_service_release(&s);

	usleep(2000);
	assert_int_equal(store_service_put(f->st, "web", "a: 2\n", 5,
	                                   STORE_DESIRED_STOPPED, &gen),
	                 0);
	assert_int_equal(gen, 2);
	assert_int_equal(store_service_get(f->st, "web", &s), 0);
	assert_memory_equal(s.spec, "a: 2\n", 6);
	assert_int_equal(s.desired, STORE_DESIRED_STOPPED);
	assert_int_equal(s.created_at, created);
	assert_true(s.updated_at > created);
	store_service_release(&s);

	put(f->st, "db");
	put(f->st, "cache");
	assert_int_equal(store_service_list(f->st, collect, &ns), 0);
	assert_int_equal(ns.n, 3);
	assert_string_equal(ns.buf[0], "cache");
	assert_string_equal(ns.buf[1], "db");
	assert_string_equal(ns.buf[2], "web");
	/* A callback's nonzero return stops the walk and comes back. */
	ns = (struct names){.stop_after = 2};
	assert_int_equal(store_service_list(f->st, collect, &ns), 42);
	assert_int_equal(ns.n, 2);

	assert_int_equal(
	        store_service_set_desired(f->st, "db", STORE_DESIRED_STOPPED),
	        0);
	assert_int_equal(store_service_get(f->st, "db", &s), 0);
	assert_int_equal(s.desired, STORE_DESIRED_STOPPED);
	store_service_release(&s);
	assert_int_equal(
	        store_service_set_desired(f->st, "nope", STORE_DESIRED_STOPPED),
	        -ENOENT);

	assert_int_equal(store_service_delete(f->st, "db"), 0);
	assert_false(exists(f->st, "db"));
	assert_int_equal(store_service_delete(f->st, "db"), -ENOENT);
	assert_non_null(strstr(store_error(f->st), "db"));
}

/* Bad names, oversized specs and desired values are refused. */
static void test_service_bounds(void **state)
{
	struct fixture *f = *state;
	char longname[STORE_NAME_MAX + 2];
	size_t big = STORE_SPEC_MAX + 1;
	char *spec = calloc(1, big);

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_service_put(f->st, longname, "", 0,
	                                   STORE_DESIRED_RUNNING, NULL),
	                 -EINVAL);
	longname[STORE_NAME_MAX] = '\0';
	assert_int_equal(store_service_put(f->st, longname, "", 0,
	                                   STORE_DESIRED_RUNNING, NULL),
	                 0);
	assert_int_equal(store_service_put(f->st, "", "", 0,
	                                   STORE_DESIRED_RUNNING, NULL),
	                 -EINVAL);
	assert_int_equal(store_service_put(f->st, "s", spec, big,
	                                   STORE_DESIRED_RUNNING, NULL),
	                 -E2BIG);
	assert_int_equal(store_service_put(f->st, "s", "", 0, 9, NULL),
	                 -EINVAL);
	assert_false(exists(f->st, "s"));
	free(spec);
}

struct evlog {
	int n;
	int64_t first, last;
	char last_msg[32];
};

static int count_event(const struct store_event *ev, void *ctx)
{
	struct evlog *l = ctx;

	if (l->n++ == 0)
		l->first = ev->id;
	l->last = ev->id;
	snprintf(l->last_msg, sizeof(l->last_msg), "%s", ev->message);
	return 0;
}

/* A rolled-back transaction leaves nothing; a committed one everything. */
static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct store_policy p = {.state = "running"};
	int64_t ev = 0;

	assert_int_equal(store_commit(f->st), -EINVAL);
	assert_int_equal(store_rollback(f->st), -EINVAL);

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_begin(f->st), -EBUSY);
	put(f->st, "a");
	assert_int_equal(store_policy_put(f->st, "a", &p), 0);
	assert_int_equal(
	        store_event_append(f->st, "a", "deploy", "", "", "x", &ev), 0);
	assert_true(exists(f->st, "a")); /* visible inside */
	assert_int_equal(store_rollback(f->st), 0);
	assert_false(exists(f->st, "a"));
	assert_int_equal(store_policy_get(f->st, "a", &p), -ENOENT);
	reopen(f);
	assert_false(exists(f->st, "a"));

	assert_int_equal(store_begin(f->st), 0);
	put(f->st, "b");
	assert_int_equal(
	        store_event_append(f->st, "b", "deploy", "", "", "y", &ev), 0);
	assert_int_equal(store_commit(f->st), 0);
	reopen(f);
	assert_true(exists(f->st, "b"));
	/* Of the two events only the committed one is there. */
	struct evlog l = {0};
	assert_int_equal(store_event_since(f->st, 0, 10, count_event, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.last_msg, "y");
}

/* Counts rows (instances) and remembers the last one's id and pid. */
struct count {
	int n;
	int64_t last_id;
	int last_pid;
	int last_code;
};

static int count_instance(const struct store_instance *in, void *ctx)
{
	struct count *c = ctx;

	c->n++;
	c->last_id = in->id;
	c->last_pid = in->pid;
	c->last_code = in->exit_code;
	return 0;
}

/* Instance start and exit; running instances; history pruning. */
static void test_instances(void **state)
{
	struct fixture *f = *state;
	struct store_instance in = {.service = "web",
	                            .generation = 1,
	                            .pid = 100,
	                            .start_time = 12345};
	struct count c = {0};
	int64_t a, b;

	put(f->st, "web");
	assert_int_equal(store_instance_start(f->st, &in, &a), 0);
	in.pid = 101;
	assert_int_equal(store_instance_start(f->st, &in, &b), 0);
	assert_true(b > a);
	assert_int_equal(store_instance_running(f->st, count_instance, &c), 0);
	assert_int_equal(c.n, 2);

	assert_int_equal(store_instance_exit(f->st, a, 0, 3, 0), 0);
	assert_int_equal(store_instance_exit(f->st, a, 0, 3, 0), -ENOENT);
	assert_int_equal(store_instance_exit(f->st, 9999, 0, 3, 0), -ENOENT);
	c = (struct count){0};
	assert_int_equal(store_instance_running(f->st, count_instance, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_pid, 101);

	/* An instance of an unknown service breaks the foreign key. */
	in.service = "ghost";
	assert_true(store_instance_start(f->st, &in, NULL) < 0);
	in.service = "web";
	in.pid = 0;
	assert_int_equal(store_instance_start(f->st, &in, NULL), -EINVAL);

	/* Many exits: only the newest STORE_INSTANCES_KEEP ended ones stay. */
	for (int i = 0; i < STORE_INSTANCES_KEEP + 8; i++) {
		int64_t id;
		in.pid = 200 + i;
		assert_int_equal(store_instance_start(f->st, &in, &id), 0);
		assert_int_equal(store_instance_exit(f->st, id, 0, i, 0), 0);
	}
	c = (struct count){0};
	assert_int_equal(
	        store_instance_history(f->st, "web", 1000, count_instance, &c),
	        0);
	assert_int_equal(c.n, STORE_INSTANCES_KEEP + 1); /* + the running */
	c = (struct count){0};
	assert_int_equal(
	        store_instance_history(f->st, "web", 1, count_instance, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_code, STORE_INSTANCES_KEEP + 7);

	/* Deleting the service takes its instances with it. */
	assert_int_equal(store_service_delete(f->st, "web"), 0);
	c = (struct count){0};
	assert_int_equal(store_instance_running(f->st, count_instance, &c), 0);
	assert_int_equal(c.n, 0);
}

/* Policy state round-trips and needs its service. */
static void test_policy(void **state)
{
	struct fixture *f = *state;
	struct store_policy p = {.state = "backoff",
	                         .failures = 3,
	                         .backoff_ms = 400,
	                         .next_attempt = 1700000000123},
	                    q;

	assert_int_equal(store_policy_put(f->st, "web", &p), -ENOENT);
	put(f->st, "web");
	assert_int_equal(store_policy_put(f->st, "web", &p), 0);
	assert_int_equal(store_policy_get(f->st, "web", &q), 0);
	assert_string_equal(q.state, "backoff");
	assert_int_equal(q.failures, 3);
	assert_int_equal(q.backoff_ms, 400);
	assert_int_equal(q.next_attempt, 1700000000123);
	snprintf(p.state, sizeof(p.state), "running");
	p.failures = 0;
	assert_int_equal(store_policy_put(f->st, "web", &p), 0);
	assert_int_equal(store_policy_get(f->st, "web", &q), 0);
	assert_string_equal(q.state, "running");
	assert_int_equal(q.failures, 0);
	assert_int_equal(store_service_delete(f->st, "web"), 0);
	assert_int_equal(store_policy_get(f->st, "web", &q), -ENOENT);
}

static int count_audit(const struct store_audit *a, void *ctx)
{
	struct evlog *l = ctx;

	if (l->n++ == 0)
		l->first = a->id;
	l->last = a->id;
	snprintf(l->last_msg, sizeof(l->last_msg), "%u %s %s %s", a->uid,
	         a->method, a->target, a->result);
	return 0;
}

/* Events read since an id, in order and bounded; old ones pruned. */
static void test_events(void **state)
{
	struct fixture *f = *state;
	struct evlog l = {0};
	char msg[16];
	int64_t id = 0;

	store_set_keep(f->st, 5, 3);
	for (int i = 1; i <= 12; i++) {
		snprintf(msg, sizeof(msg), "m%d", i);
		assert_int_equal(store_event_append(f->st, "web", "state",
		                                    "running", "backoff", msg,
		                                    &id),
		                 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(store_event_since(f->st, 0, 100, count_event, &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.first, 8);
	assert_int_equal(l.last, 12);
	assert_string_equal(l.last_msg, "m12");
	l = (struct evlog){0};
	assert_int_equal(store_event_since(f->st, 9, 2, count_event, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.first, 10);
	assert_int_equal(l.last, 11);

	/* Ids keep growing after pruning and reopening (Watch cursors). */
	reopen(f);
	assert_int_equal(
	        store_event_append(f->st, "", "daemon", "", "", "started", &id),
	        0);
	assert_int_equal(id, 13);

	/* Oversized text is refused, nothing is appended. */
	char *big = malloc(5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	assert_int_equal(
	        store_event_append(f->st, "web", "k", "", "", big, &id),
	        -EINVAL);
	free(big);
	l = (struct evlog){0};
	assert_int_equal(store_event_since(f->st, 13, 100, count_event, &l), 0);
	assert_int_equal(l.n, 0);

	store_set_keep(f->st, 5, 3);
	for (int i = 0; i < 7; i++)
		assert_int_equal(store_audit_append(f->st, 1000 + i, "Deploy",
		                                    "web", "OK"),
		                 0);
	l = (struct evlog){0};
	assert_int_equal(store_audit_since(f->st, 0, 100, count_audit, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.first, 5);
	assert_string_equal(l.last_msg, "1006 Deploy web OK");
}

/* Sets the schema version of the database in dir with plain SQLite. */
static void force_version(const char *dir, int v)
{
	char path[128], sql[64];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/cloudabid.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", v);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A database from a newer cloudabid is refused, untouched. */
static void test_schema_version(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	char err[256];

	put(f->st, "keep");
	store_close(f->st);
	f->st = NULL;
	force_version(f->dir, STORE_SCHEMA_VERSION + 1);
	assert_int_equal(store_open(f->dir, &st, err, sizeof(err)), -EPROTO);
	assert_null(st);
	assert_non_null(strstr(err, "schema version 2"));
	force_version(f->dir, STORE_SCHEMA_VERSION);
	reopen(f);
	assert_true(exists(f->st, "keep"));
}

/* Waits for pid and returns its wait status. */
static int wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * Child: commits "committed", then in a transaction writes "lost" and an
 * event, and dies without committing (by _exit or by SIGKILL).
 */
static void crash_child(const char *dir, bool sigkill)
{
	struct store *st;

	if (store_open(dir, &st, NULL, 0) != 0)
		_exit(10);
	if (store_service_put(st, "committed", "x", 1, STORE_DESIRED_RUNNING,
	                      NULL) != 0)
		_exit(11);
	if (store_begin(st) != 0 ||
	    store_service_put(st, "lost", "y", 1, STORE_DESIRED_RUNNING,
	                      NULL) != 0 ||
	    store_event_append(st, "lost", "deploy", "", "", "", NULL) != 0 ||
	    store_service_set_desired(st, "committed", STORE_DESIRED_STOPPED) !=
	            0)
		_exit(12);
	if (sigkill)
		raise(SIGKILL);
	_exit(0);
}

/* Reopening after a writer died mid-transaction finds exactly the commits. */
static void crash_mid_transaction(struct fixture *f, bool sigkill)
{
	struct store_service s;
	struct evlog l = {0};
	pid_t pid;
	int status;

	store_close(f->st);
	f->st = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crash_child(f->dir, sigkill);
	status = wait_child(pid);
	if (sigkill)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	reopen(f);
	assert_int_equal(store_service_get(f->st, "committed", &s), 0);
	assert_int_equal(s.desired, STORE_DESIRED_RUNNING);
	store_service_release(&s);
	assert_false(exists(f->st, "lost"));
	assert_int_equal(store_event_since(f->st, 0, 10, count_event, &l), 0);
	assert_int_equal(l.n, 0);
}

static void test_crash_exit(void **state)
{
	crash_mid_transaction(*state, false);
}

static void test_crash_sigkill(void **state)
{
	crash_mid_transaction(*state, true);
}

/*
 * A child commits one deploy after another and reports each commit on a
 * pipe; the parent SIGKILLs it at some point. Every reported deploy must
 * be there, the rest must form an unbroken prefix, and the file must pass
 * SQLite's integrity check.
 */
static void test_sigkill_during_deploys(void **state)
{
	struct fixture *f = *state;
	int fds[2], reported = 0, present = 0;
	char name[32];
	pid_t pid;

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st;
		close(fds[0]);
		if (store_open(f->dir, &st, NULL, 0) != 0)
			_exit(10);
		for (int i = 0; i < 100000; i++) {
			snprintf(name, sizeof(name), "svc%d", i);
			if (store_begin(st) != 0 ||
			    store_service_put(st, name, name, strlen(name),
			                      STORE_DESIRED_RUNNING,
			                      NULL) != 0 ||
			    store_event_append(st, name, "deploy", "", "", "",
			                       NULL) != 0 ||
			    store_commit(st) != 0)
				_exit(11);
			if (write(fds[1], "c", 1) != 1)
				_exit(12);
		}
		_exit(0);
	}
	close(fds[1]);
	while (reported < 25 && read(fds[0], name, 1) == 1)
		reported++;
	kill(pid, SIGKILL);
	int status = wait_child(pid);
	assert_true(WIFSIGNALED(status));
	close(fds[0]);
	assert_int_equal(reported, 25);

	reopen(f);
	for (;; present++) {
		snprintf(name, sizeof(name), "svc%d", present);
		if (!exists(f->st, name))
			break;
	}
	assert_true(present >= reported);
	snprintf(name, sizeof(name), "svc%d", present + 1);
	assert_false(exists(f->st, name));
	struct evlog l = {0};
	assert_int_equal(store_event_since(f->st, 0, 1000000, count_event, &l),
	                 0);
	assert_int_equal(l.n, present); /* one event per deploy, no more */

	char path[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	snprintf(path, sizeof(path), "%s/cloudabid.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL),
	        SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/*
 * The start time of a process does not change when its name gets spaces
 * and parentheses (the field is found after the last ')'), and a missing
 * process is -ENOENT.
 */
static void test_proc_start_time(void **state)
{
	uint64_t self, before, after, seen;
	int fds[2];
	pid_t pid;

	assert_int_equal(procstat_start_time(getpid(), &self), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (procstat_start_time(getpid(), &before) != 0)
			_exit(1);
		prctl(PR_SET_NAME, "x) 1 2 (3 4 5", 0, 0, 0);
		if (procstat_start_time(getpid(), &after) != 0 ||
		    after != before)
			_exit(2);
		if (write(fds[1], &after, sizeof(after)) != sizeof(after))
			_exit(3);
		pause();
		_exit(0);
	}
	assert_int_equal(read(fds[0], &after, sizeof(after)), sizeof(after));
	assert_int_equal(procstat_start_time(pid, &seen), 0);
	assert_int_equal(seen, after);
	assert_true(seen >= self);
	kill(pid, SIGKILL);
	assert_true(WIFSIGNALED(wait_child(pid)));
	/* Reaped: the pid no longer names a process. */
	assert_int_equal(procstat_start_time(pid, &seen), -ENOENT);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_open, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_service_crud, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_service_bounds, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_transactions, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_instances, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_schema_version, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_crash_exit, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_crash_sigkill, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_sigkill_during_deploys,
	                                        setup, teardown),
	        cmocka_unit_test(test_proc_start_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
