/*
 * test_supervisor: the engine with a real libuv loop, a real store in a
 * temporary state directory, the real cloudabi-run and sup_guest:
 * a crash loop restarts with backoff and then parks FAILED with its
 * output in the log ring; a running service is stopped; a new supervisor
 * on the same state re-adopts a running process instead of starting a
 * second copy; invalid files change nothing.
 *
 * Usage: test_supervisor CLOUDABI-RUN SUP_GUEST
 */
#include <errno.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "supervisor.h"

static const char *runtime_path, *guest_path;

struct fixture {
	char dir[64];
	uv_loop_t loop;
	struct store *st;
	struct supervisor *sup;
	bool done;
};

/* Opens the store and a supervisor on f->dir (kept across reopen). */
static void sup_open(struct fixture *f)
{
	struct supervisor_config cfg = {.state_dir = f->dir,
	                                .runtime_path = runtime_path};
	char err[256];

	assert_int_equal(store_open(f->dir, &f->st, err, sizeof(err)), 0);
	assert_int_equal(supervisor_new(&f->loop, f->st, &cfg, &f->sup), 0);
	assert_int_equal(supervisor_recover(f->sup), 0);
}

static void shutdown_done(void *ctx)
{
	((struct fixture *)ctx)->done = true;
}

/* Shuts the supervisor down (stop_services) and closes the store. */
static void sup_close(struct fixture *f, bool stop)
{
	f->done = false;
	supervisor_shutdown(f->sup, stop, shutdown_done, f);
	while (!f->done)
		uv_run(&f->loop, UV_RUN_ONCE);
	supervisor_free(f->sup);
	store_close(f->st);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_sup.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	uv_loop_init(&f->loop);
	sup_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	sup_close(f, true);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	/* The loop must be empty: every handle was closed. */
	assert_int_equal(uv_loop_close(&f->loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A service file for sup_guest in mode. */
static size_t service_yaml(char *buf, size_t len, const char *name, int mode)
{
	return (size_t)snprintf(
	        buf, len,
	        "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
	        "name: %s\nexecutable: %s\n"
	        "args: [!log , !!int %d]\n"
	        "restart:\n  policy: on-failure\n"
	        "  backoff: {initial: 10ms, max: 50ms, jitter: 0}\n"
	        "  crash_loop: {starts: 3, within: 60s}\n"
	        "stop: {signal: SIGTERM, grace: 2s}\n",
	        name, guest_path, mode);
}

static void count_error(const struct supervisor_error *e, void *ctx)
{
	fprintf(stderr, "%s\n", e->text);
	++*(int *)ctx;
}

/* Deploys name in mode, with extra lines appended to its file; asserts
 * success. */
static void deploy_with(struct fixture *f, const char *name, int mode,
                        const char *extra)
{
	struct supervisor_deploy_result r;
	char yaml[1024];
	size_t n = service_yaml(yaml, sizeof(yaml), name, mode);
	int errors = 0;

	n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "%s", extra);
	assert_true(n < sizeof(yaml));

	assert_int_equal(supervisor_deploy(f->sup, yaml, n, "t.yaml", 0, false,
	                                   &r, count_error, &errors),
	                 0);
	assert_int_equal(errors, 0);
	assert_string_equal(r.name, name);
	assert_true(r.created);
}

/* Deploys name in mode; asserts success. */
static void deploy(struct fixture *f, const char *name, int mode)
{
	deploy_with(f, name, mode, "");
}

static int print_event(const struct store_event *ev, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "  event %lld %s %s %s->%s %s\n", (long long)ev->time,
	        ev->service, ev->kind, ev->from, ev->to, ev->message);
	return 0;
}

static int print_instance(const struct store_instance *in, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "  instance %lld pid %d %lld..%lld exit %d signal %d\n",
	        (long long)in->id, in->pid, (long long)in->started_at,
	        (long long)in->ended_at, in->exit_code, in->exit_signal);
	return 0;
}

/* Prints what the store knows of name, so that a failure says why. */
static void dump_store(struct fixture *f, const char *name)
{
	store_event_since(f->st, 0, 200, print_event, NULL);
	store_instance_history(f->st, name, 20, print_instance, NULL);
}

/* Runs the loop until name is in state want (10 s at most). */
static void wait_state(struct fixture *f, const char *name, enum svc_state want)
{
	struct svc_status st;

	for (int i = 0; i < 1000; i++) {
		assert_int_equal(supervisor_get(f->sup, name, &st), 0);
		if (st.state == want)
			return;
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	dump_store(f, name);
	fail_msg("%s: state %s, wanted %s (%s)", name,
	         supervisor_state_name(st.state), supervisor_state_name(want),
	         st.message);
}

struct text {
	char buf[1024];
	size_t len;
};

static void collect(const struct supervisor_log_chunk *c, void *ctx)
{
	struct text *t = ctx;

	if (c == NULL || t->len + c->len >= sizeof(t->buf))
		return;
	memcpy(t->buf + t->len, c->data, c->len);
	t->len += c->len;
	t->buf[t->len] = '\0';
}

/* Pumps the loop until name's log holds want (10 s at most). */
static void wait_log(struct fixture *f, const char *name, const char *want)
{
	struct text t;

	for (int i = 0; i < 1000; i++) {
		memset(&t, 0, sizeof(t));
		assert_int_equal(
		        supervisor_logs_read(f->sup, name, 0, collect, &t), 0);
		if (strstr(t.buf, want) != NULL)
			return;
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	dump_store(f, name);
	fail_msg("%s: log '%s' lacks '%s'", name, t.buf, want);
}

static void test_crash_loop_parks(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;
	struct text t = {0};

	deploy(f, "crasher", 1);
	wait_state(f, "crasher", SVC_STATE_FAILED);
	assert_int_equal(supervisor_get(f->sup, "crasher", &st), 0);
	assert_true(st.last_exit.valid && st.last_exit.known);
	assert_int_equal(st.last_exit.code, 3);
	assert_int_equal(st.pid, 0);
	/* Three starts, each wrote its line. */
	wait_log(f, "crasher", "crash\ncrash\ncrash\n");
	assert_int_equal(
	        supervisor_logs_read(f->sup, "crasher", 1, collect, &t), 0);
	assert_string_equal(t.buf, "crash\n");
	/* A new daemon keeps it parked: no fourth start on its own. */
	sup_close(f, false);
	sup_open(f);
	for (int i = 0; i < 30; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	assert_int_equal(supervisor_get(f->sup, "crasher", &st), 0);
	assert_int_equal(st.state, SVC_STATE_FAILED);
	assert_int_equal(st.pid, 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(
	        supervisor_logs_read(f->sup, "crasher", 0, collect, &t), 0);
	assert_string_equal(t.buf, ""); /* not one start since */
	/* Until an operator starts it: it runs (and crashes) again. */
	assert_int_equal(supervisor_start(f->sup, "crasher", 0, NULL), 0);
	/* The new daemon's ring holds only this run of three starts. */
	wait_log(f, "crasher", "crash\ncrash\ncrash\n");
	wait_state(f, "crasher", SVC_STATE_FAILED);
}

static void test_stop_and_readopt(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;
	int pid, status;

	deploy(f, "sleeper", 2);
	wait_state(f, "sleeper", SVC_STATE_RUNNING);
	wait_log(f, "sleeper", "up\n");
	assert_int_equal(supervisor_get(f->sup, "sleeper", &st), 0);
	pid = st.pid;
	assert_true(pid > 0);
	/* The daemon goes away, the service stays; a new one re-adopts. */
	sup_close(f, false);
	assert_int_equal(kill(pid, 0), 0);
	sup_open(f);
	assert_int_equal(supervisor_get(f->sup, "sleeper", &st), 0);
	assert_int_equal(st.state, SVC_STATE_RUNNING);
	assert_int_equal(st.pid, pid); /* the same process: no second copy */
	assert_int_equal(supervisor_stop(f->sup, "sleeper", 0, NULL), 0);
	wait_state(f, "sleeper", SVC_STATE_STOPPED);
	/* Our child after all (same test process): its end was SIGTERM. */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_int_equal(supervisor_get(f->sup, "sleeper", &st), 0);
	assert_false(st.last_exit.known);
}

/* Wall-clock milliseconds. */
static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_backoff_survives_restart(void **state)
{
	struct fixture *f = *state;
	struct supervisor_deploy_result r;
	struct store_policy pol;
	struct svc_status st;
	char yaml[1024];
	int errors = 0;
	int n = snprintf(yaml, sizeof(yaml),
	                 "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
	                 "name: slow\nexecutable: %s\n"
	                 "args: [!log , !!int 1]\n"
	                 "restart:\n  policy: on-failure\n"
	                 "  backoff: {initial: 2s, max: 2s, jitter: 0}\n",
	                 guest_path);

	assert_int_equal(supervisor_deploy(f->sup, yaml, (size_t)n, "t.yaml", 0,
	                                   false, &r, count_error, &errors),
	                 0);
	wait_state(f, "slow", SVC_STATE_BACKOFF);
	/* Recorded with its end on the wall clock. */
	assert_int_equal(store_policy_get(f->st, "slow", &pol), 0);
	assert_string_equal(pol.state, "backoff");
	assert_int_equal(pol.failures, 1);
	assert_true(pol.backoff_ms > 1000 && pol.backoff_ms <= 2000);
	assert_true(pol.next_attempt > wall_ms() + 500);
	assert_true(pol.next_attempt <= wall_ms() + 2000);

	/* A new daemon resumes the backoff: no start before its end. */
	sup_close(f, false);
	sup_open(f);
	assert_int_equal(supervisor_get(f->sup, "slow", &st), 0);
	assert_int_equal(st.state, SVC_STATE_BACKOFF);
	assert_int_equal(st.pid, 0);
	assert_int_equal(st.restart_count, 1);
	assert_true(st.next_start_ns > 0);
	while (supervisor_get(f->sup, "slow", &st) == 0 &&
	       st.state == SVC_STATE_BACKOFF)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_true(wall_ms() >= pol.next_attempt - 50);
	/* Then it goes on where it was: the second failure in a row. */
	wait_state(f, "slow", SVC_STATE_BACKOFF);
	assert_int_equal(supervisor_get(f->sup, "slow", &st), 0);
	assert_int_equal(st.restart_count, 2);
	assert_int_equal(st.last_exit.code, 3);
}

/* The soft and hard values of a /proc/PID/limits line, as text. */
static void proc_limit(int pid, const char *what, char soft[32], char hard[32])
{
	char path[64], line[256];
	FILE *fp;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	assert_non_null(fp = fopen(path, "r"));
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		found = strncmp(line, what, strlen(what)) == 0 &&
		        sscanf(line + strlen(what), "%31s %31s", soft, hard) ==
		                2;
	fclose(fp);
	assert_true(found);
}

/* The real uid of process pid, from /proc/pid/status. */
static uid_t proc_uid(pid_t pid)
{
	char path[64], line[256];
	unsigned uid = (unsigned)-1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Uid: %u", &uid) == 1)
			break;
	fclose(f);
	return (uid_t)uid;
}

static void test_limits_applied(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;
	char soft[32], hard[32];

	/* Memory is not checked here: sanitizer builds of the runtime
	 * reserve terabytes of address space. */
	deploy_with(f, "limited", 2,
	            "limits: {open_files: 40, processes: 777}\n");
	wait_state(f, "limited", SVC_STATE_RUNNING);
	wait_log(f, "limited", "up\n");
	assert_int_equal(supervisor_get(f->sup, "limited", &st), 0);
	proc_limit(st.pid, "Max open files", soft, hard);
	assert_string_equal(soft, "40");
	assert_string_equal(hard, "40");
	proc_limit(st.pid, "Max processes", soft, hard);
	assert_string_equal(soft, "777");
	assert_string_equal(hard, "777");
	/* No `user:`: a root daemon's service runs as nobody, never as
	 * root (which RLIMIT_NPROC does not bind), and says so. */
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		assert_non_null(pw);
		assert_int_equal(st.uid, pw->pw_uid);
		assert_int_equal(proc_uid(st.pid), pw->pw_uid);
	} else {
		assert_int_equal(st.uid, getuid());
		assert_int_equal(proc_uid(st.pid), getuid());
	}
}

struct first_error {
	int count;
	char file[32], message[128], text[160];
	uint32_t line, column;
};

/* Keeps the first error reported and counts them all. */
static void keep_error(const struct supervisor_error *e, void *ctx)
{
	struct first_error *fe = ctx;

	if (fe->count++ > 0)
		return;
	snprintf(fe->file, sizeof(fe->file), "%s", e->file);
	snprintf(fe->message, sizeof(fe->message), "%s", e->message);
	snprintf(fe->text, sizeof(fe->text), "%s", e->text);
	fe->line = e->line;
	fe->column = e->column;
}

static void test_invalid_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;
	struct first_error fe = {0};
	const char bad[] = "name: x\nexecutable: /y\ncolour: blue\n";

	assert_int_equal(supervisor_deploy(f->sup, bad, sizeof(bad) - 1,
	                                   "bad.yaml", 0, false, NULL,
	                                   keep_error, &fe),
	                 -EINVAL);
	assert_int_equal(fe.count, 1);
	/* The message alone; the position in its fields and in text. */
	assert_string_equal(fe.file, "bad.yaml");
	assert_int_equal(fe.line, 3);
	assert_int_equal(fe.column, 1);
	assert_string_equal(fe.message, "unknown key 'colour' in the service");
	assert_string_equal(
	        fe.text, "bad.yaml:3:1: unknown key 'colour' in the service");
	assert_int_equal(supervisor_get(f->sup, "x", &st), -ENOENT);
	assert_int_equal(supervisor_stop(f->sup, "x", 0, NULL), -ENOENT);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;

	deploy(f, "gone", 2);
	wait_state(f, "gone", SVC_STATE_RUNNING);
	assert_int_equal(supervisor_remove(f->sup, "gone", 0, NULL), 0);
	for (int i = 0; i < 500 && supervisor_get(f->sup, "gone", &st) == 0;
	     i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	assert_int_equal(supervisor_get(f->sup, "gone", &st), -ENOENT);
}

/* A remove acknowledged by a daemon that died before the program ended is
 * finished by the next daemon: the service never comes back. */
static void test_remove_survives_restart(void **state)
{
	struct fixture *f = *state;
	struct svc_status st;
	int pid, status;

	deploy(f, "half", 2);
	wait_state(f, "half", SVC_STATE_RUNNING);
	wait_log(f, "half", "up\n");
	assert_int_equal(supervisor_get(f->sup, "half", &st), 0);
	pid = st.pid;
	/* Acknowledged (stored as removing), then the daemon goes away
	 * before it sees the program end. */
	assert_int_equal(supervisor_remove(f->sup, "half", 0, NULL), 0);
	sup_close(f, false);
	sup_open(f);
	for (int i = 0; i < 500 && supervisor_get(f->sup, "half", &st) == 0;
	     i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	assert_int_equal(supervisor_get(f->sup, "half", &st), -ENOENT);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* A third daemon does not bring it back either. */
	sup_close(f, false);
	sup_open(f);
	assert_int_equal(supervisor_get(f->sup, "half", &st), -ENOENT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_crash_loop_parks, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_stop_and_readopt, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_backoff_survives_restart,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_limits_applied, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_invalid_changes_nothing,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_remove_survives_restart,
	                                        setup, teardown),
	};

	if (argc != 3)
		return 2;
	runtime_path = argv[1];
	guest_path = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
