/*
 * supervisor: the engine of cloudabid. See supervisor.h.
 *
 * Each service is a struct svc in a list sorted by name. Its restart
 * machine (policies/restart.h) decides; svc_feed applies the actions in
 * the machine's bit order, inside one store transaction per transition.
 * A spawn commits the instance row before the child may exec (spawn.h),
 * then feeds SPAWNED or SPAWN_FAILED as a transition of its own.
 *
 * Log stream: a FIFO, <state>/fifos/<name>, that the daemon opens O_RDWR
 * (it never reads end-of-file and the FIFO outlives the daemon), so a
 * re-adopted process keeps logging into the next daemon's ring.
 *
 * Resources are resolved at the first spawn and kept across restarts; a
 * redeploy parks the new spec in `pending` until no process runs, so a
 * socket is never bound twice. Re-adopted processes hold their own
 * resources: the daemon resolves again only for their successor.
 */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "logs.h"
#include "procstat.h"
#include "service.h"
#include "spawn.h"

#define SUP_READ_CHUNK 4096

struct supervisor_sub {
	struct supervisor *sup;
	struct svc *svc; /* log follow: the service; NULL for watch */
	supervisor_log_fn log_fn;
	supervisor_event_fn ev_fn;
	void *ctx;
	struct supervisor_sub *next;
};

struct svc {
	struct supervisor *sup;
	struct svc *next;
	char name[STORE_NAME_MAX + 1];
	struct service *spec;    /* running spec; resolved once spawned */
	struct service *pending; /* redeployed spec, used at next spawn */
	char *yaml;              /* stored spec text */
	size_t yaml_len;
	int64_t generation, deployed_ns;
	enum store_desired desired;
	struct restart_machine m;
	uv_timer_t timer;
	uv_poll_t log_poll;
	uv_poll_t *pid_poll; /* per process; freed in its close callback */
	int pidfd, exe_fd, fifo_r, fifo_w;
	pid_t pid;
	bool adopted, removed;
	int64_t instance_id, start_ns, state_since_ns;
	/* A backoff the previous daemon recorded (wall ms), to resume. */
	int64_t resume_at_ms;
	uint64_t resume_delay_ms;
	bool resume_backoff;
	bool resume_remove; /* the previous daemon was removing it */
	struct svc_exit last_exit;
	char message[160];
	struct logs *logs;
	int open_handles;
};

struct supervisor {
	uv_loop_t *loop;
	struct store *st;
	struct supervisor_config cfg;
	char *state_dir, *runtime, *log_dir, *fifo_dir;
	struct svc *svcs;
	unsigned nsvcs;
	struct supervisor_sub *subs;
	bool shutting_down;
	supervisor_done_fn done;
	void *done_ctx;
};

static void svc_feed(struct svc *s, enum restart_event ev,
                     const struct restart_exit *ex);

/* Wall-clock nanoseconds. */
static int64_t sup_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Monotonic milliseconds for the restart machines. */
static uint64_t sup_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *supervisor_state_name(enum svc_state s)
{
	static const char *const names[] = {
	        "unspecified", "stopped",  "starting", "running",
	        "backoff",     "stopping", "failed",   "exited"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
	                                                      : "unknown";
}

/* The observable state of s. */
static enum svc_state svc_state(const struct svc *s)
{
	switch (s->m.state) {
	case RESTART_STARTING:
		return SVC_STATE_STARTING;
	case RESTART_RUNNING:
		return SVC_STATE_RUNNING;
	case RESTART_BACKOFF:
		return SVC_STATE_BACKOFF;
	case RESTART_STOPPING:
	case RESTART_RESTARTING:
	case RESTART_REMOVING:
		return SVC_STATE_STOPPING;
	case RESTART_FAILED:
		return SVC_STATE_FAILED;
	case RESTART_STOPPED:
		/* Down on its own while meant to run: the policy kept it. */
		return s->desired == STORE_DESIRED_RUNNING && s->last_exit.valid
		               ? SVC_STATE_EXITED
		               : SVC_STATE_STOPPED;
	default:
		return SVC_STATE_STOPPED;
	}
}

/* Sends ev to every watch subscriber. */
static void sup_emit(struct supervisor *sup, const struct supervisor_event *ev)
{
	struct supervisor_sub *n;

	for (struct supervisor_sub *u = sup->subs; u != NULL; u = n) {
		n = u->next; /* a callback may unsubscribe itself */
		if (u->ev_fn != NULL)
			u->ev_fn(ev, u->ctx);
	}
}

/* Stores an event (in the open transaction) and emits it. */
static void svc_event(struct svc *s, enum supervisor_event_kind kind,
                      enum svc_state from, enum svc_state to, const char *msg,
                      uint32_t uid)
{
	struct supervisor_event ev = {.time_ns = sup_now_ns(),
	                              .service = s->name,
	                              .kind = kind,
	                              .from = from,
	                              .to = to,
	                              .message = msg ? msg : "",
	                              .caller_uid = uid};
	static const char *const kinds[] = {"",       "state", "deploy",
	                                    "remove", "exit",  "operation"};
	int64_t id = 0;

	if (kind == SUPERVISOR_EV_EXITED)
		ev.exit = s->last_exit;
	if (store_event_append(s->sup->st, s->name, kinds[kind],
	                       supervisor_state_name(from),
	                       supervisor_state_name(to), ev.message, &id) == 0)
		ev.sequence = (uint64_t)id;
	sup_emit(s->sup, &ev);
}

/* Joins "dir/leaf" into a new string. */
static char *sup_join(const char *dir, const char *leaf)
{
	size_t n = strlen(dir) + strlen(leaf) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, leaf);
	return p;
}

/* Reads what the log FIFO holds into the ring and to followers. */
static void svc_log_cb(uv_poll_t *h, int status, int events)
{
	struct svc *s = h->data;
	uint8_t buf[SUP_READ_CHUNK];
	ssize_t n;

	/* Bounded per wake-up: a chatty service cannot starve the loop. */
	for (int i = 0; i < 16; i++) {
		n = read(s->fifo_r, buf, sizeof(buf));
		if (n <= 0)
			return;
		struct supervisor_log_chunk c = {buf, (size_t)n, sup_now_ns(),
		                                 logs_offset(s->logs), false};
		logs_append(s->logs, buf, (size_t)n);
		struct supervisor_sub *next;
		for (struct supervisor_sub *u = s->sup->subs; u; u = next) {
			next = u->next;
			if (u->svc == s && u->log_fn != NULL)
				u->log_fn(&c, u->ctx);
		}
	}
}

/* Opens the log FIFO (both ends) and the ring; starts reading. */
static int svc_open_logs(struct svc *s)
{
	struct supervisor *sup = s->sup;
	char *path = sup_join(sup->fifo_dir, s->name);
	struct logs_config lc = {sup->log_dir, s->name, sup->cfg.log_ring_bytes,
	                         sup->cfg.log_file_bytes, sup->cfg.log_files};
	int rc = 0;

	if (path == NULL)
		return -ENOMEM;
	if (mkfifo(path, 0600) != 0 && errno != EEXIST)
		rc = -errno;
	/* O_RDWR: never end-of-file, and opening the writer cannot block. */
	if (rc == 0 &&
	    (s->fifo_r = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		rc = -errno;
	/* The program's end is read-write too: the FIFO then always has a
	 * reader, so a service that logs while the daemon is down (killed,
	 * restarting) does not die of EPIPE; its lines wait in the FIFO
	 * (64 KiB), then its writes wait, until a daemon reads again. Its
	 * CloudABI rights on the fd are write-only (config_resolve.c). */
	if (rc == 0 && (s->fifo_w = open(path, O_RDWR | O_CLOEXEC)) < 0)
		rc = -errno;
	free(path);
	if (rc == 0)
		rc = logs_open(&lc, &s->logs);
	if (rc == 0)
		rc = uv_poll_init(sup->loop, &s->log_poll, s->fifo_r);
	if (rc == 0) {
		s->open_handles++;
		s->log_poll.data = s;
		rc = uv_poll_start(&s->log_poll, UV_READABLE, svc_log_cb);
	}
	return rc;
}

/* Timer of the machine: backoff or grace expired. */
static void svc_timer_cb(uv_timer_t *t)
{
	struct svc *s = t->data;

	svc_feed(s,
	         s->m.state == RESTART_BACKOFF ? RESTART_EV_BACKOFF_EXPIRED
	                                       : RESTART_EV_STOP_TIMEOUT,
	         NULL);
}

/* The process descriptor became readable: the process ended. */
static void svc_pid_cb(uv_poll_t *h, int status, int events)
{
	struct svc *s = h->data;
	struct spawn_status st = {0};
	struct restart_exit ex = {0};
	int rc = s->adopted ? -ECHILD : spawn_reap(s->pidfd, &st);

	if (rc == -EAGAIN)
		return;
	uv_poll_stop(s->pid_poll);
	s->last_exit = (struct svc_exit){.valid = true,
	                                 .known = rc == 0,
	                                 .code = st.code,
	                                 .signal = st.signal,
	                                 .core_dumped = st.core_dumped,
	                                 .time_ns = sup_now_ns()};
	/* Unknown status (not our child): count it as a failure. */
	ex.code = rc == 0 ? st.code : 1;
	ex.signal = st.signal;
	svc_feed(s, RESTART_EV_EXITED, &ex);
}

/* Frees a closed process poll. */
static void svc_pid_closed(uv_handle_t *h)
{
	free(h);
}

/* Stops watching the process descriptor. */
static void svc_unwatch_pid(struct svc *s)
{
	if (s->pid_poll != NULL)
		uv_close((uv_handle_t *)s->pid_poll, svc_pid_closed);
	s->pid_poll = NULL;
}

/* Watches s->pidfd in the loop: readable when the process ends. */
static int svc_watch_pid(struct svc *s)
{
	uv_poll_t *p = malloc(sizeof(*p));
	int rc;

	if (p == NULL)
		return -ENOMEM;
	if ((rc = uv_poll_init(s->sup->loop, p, s->pidfd)) != 0) {
		free(p);
		return rc;
	}
	p->data = s;
	s->pid_poll = p;
	return uv_poll_start(p, UV_READABLE, svc_pid_cb);
}

/* Room for svc_runtime_args: --user, --group and three --limit-*. */
#define SVC_RUNTIME_ARGS 10

/* Appends "--limit-WHAT N" when v is set (0 means not limited). */
static size_t svc_limit_arg(const char *opt, uint64_t v, char *buf,
                            const char **args, size_t n)
{
	if (v == 0)
		return n;
	snprintf(buf, 24, "%llu", (unsigned long long)v);
	args[n] = opt;
	args[n + 1] = buf;
	return n + 2;
}

/*
 * The ids a service without `user:` runs as. A daemon running as root
 * never hands its own uid to a program: uid 0 keeps root's files, and the
 * kernel does not apply RLIMIT_NPROC to it. Such services run as nobody
 * (and nogroup where it exists), the runtime's own default; a daemon of
 * another user can only give its own ids.
 */
static void svc_default_ids(uid_t *uid, gid_t *gid)
{
	static uid_t root_uid = (uid_t)-1;
	static gid_t root_gid;
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[1024];

	if (geteuid() != 0) {
		*uid = getuid();
		*gid = getgid();
		return;
	}
	if (root_uid == (uid_t)-1) {
		/* Debian's numbers, should the databases lack the names. */
		root_uid = 65534;
		root_gid = 65534;
		if (getpwnam_r("nobody", &pw, buf, sizeof(buf), &pwp) == 0 &&
		    pwp != NULL) {
			root_uid = pw.pw_uid;
			root_gid = pw.pw_gid;
		}
		if (getgrnam_r("nogroup", &gr, buf, sizeof(buf), &grp) == 0 &&
		    grp != NULL)
			root_gid = gr.gr_gid;
	}
	*uid = root_uid;
	*gid = root_gid;
}

/* Builds "--user U --group G" and the service's limits for the runtime,
 * which applies them in its sandbox before the program's first
 * instruction. */
static size_t svc_runtime_args(const struct service *sp, char buf[5][24],
                               const char *args[SVC_RUNTIME_ARGS])
{
	uid_t uid = sp->uid;
	gid_t gid = sp->gid;
	size_t n = 4;

	if (!sp->has_user)
		svc_default_ids(&uid, &gid);

	snprintf(buf[0], 24, "%u", (unsigned)uid);
	snprintf(buf[1], 24, "%u", (unsigned)gid);
	args[0] = "--user";
	args[1] = buf[0];
	args[2] = "--group";
	args[3] = buf[1];
	n = svc_limit_arg("--limit-as", sp->limits.memory, buf[2], args, n);
	n = svc_limit_arg("--limit-nofile", sp->limits.open_files, buf[3], args,
	                  n);
	return svc_limit_arg("--limit-nproc", sp->limits.processes, buf[4],
	                     args, n);
}

/* Makes the pending spec current and resolves it (once per spec). */
static int svc_resolve(struct svc *s)
{
	struct config_error err;
	int rc;

	if (s->pending != NULL) {
		service_free(s->spec);
		if (s->exe_fd >= 0)
			close(s->exe_fd);
		s->exe_fd = -1;
		s->spec = s->pending;
		s->pending = NULL;
	}
	if (s->spec == NULL)
		return -EINVAL;
	if (s->spec->resolved)
		return 0;
	if ((rc = service_open_executable(s->spec, &s->exe_fd, &err)) == 0)
		rc = service_resolve(s->spec, s->fifo_w, s->exe_fd, &err);
	if (rc != 0)
		snprintf(s->message, sizeof(s->message), "%s", err.msg);
	return rc;
}

/* Creates the process and records it; 0 or a negative errno. */
static int svc_spawn(struct svc *s)
{
	struct service_launch l;
	struct launchstate_fd *fds = NULL;
	struct spawn_child c;
	struct store_instance in = {0};
	char ids[5][24];
	const char *args[SVC_RUNTIME_ARGS];
	int rc;

	if ((rc = svc_resolve(s)) != 0)
		return rc;
	if ((rc = service_launch_build(s->spec, &l)) != 0)
		return rc;
	fds = calloc(l.nfds + 1, sizeof(*fds));
	if (fds == NULL) {
		service_launch_free(&l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l.nfds; i++)
		fds[i] = (struct launchstate_fd){l.fds[i].fd, l.fds[i].filetype,
		                                 l.fds[i].base,
		                                 l.fds[i].inheriting};
	struct spawn_request r = {.runtime_path = s->sup->runtime,
	                          .exe_fd = l.exe_fd,
	                          .log_fd = s->fifo_w,
	                          .fds = fds,
	                          .nfds = l.nfds,
	                          .argdata = l.argdata,
	                          .argdata_len = l.argdata_len,
	                          .args = args,
	                          .nargs =
	                                  svc_runtime_args(s->spec, ids, args)};
	rc = spawn_prepare(&r, &c);
	free(fds);
	service_launch_free(&l);
	if (rc != 0)
		return rc;
	in = (struct store_instance){.service = s->name,
	                             .generation = s->generation,
	                             .pid = c.pid,
	                             .start_time = c.start_time,
	                             .started_at = sup_now_ns() / 1000000};
	/* Recorded and committed before the child may exec. */
	if ((rc = store_instance_start(s->sup->st, &in, &s->instance_id)) !=
	    0) {
		spawn_abort(&c);
		return rc;
	}
	rc = store_commit(s->sup->st);
	/* The caller's transaction goes on, committed or not (a failed
	 * commit is rolled back: the instance was never recorded). */
	store_begin(s->sup->st);
	if (rc != 0) {
		spawn_abort(&c);
		s->instance_id = 0;
		return rc;
	}
	if ((rc = spawn_release(&c)) != 0) {
		snprintf(s->message, sizeof(s->message), "exec %s: %s",
		         s->sup->runtime, strerror(-rc));
		store_instance_exit(s->sup->st, s->instance_id,
		                    sup_now_ns() / 1000000, 127, 0);
		return rc;
	}
	s->pidfd = c.pidfd;
	s->pid = c.pid;
	s->adopted = false;
	s->start_ns = sup_now_ns();
	s->message[0] = '\0';
	return svc_watch_pid(s);
}

/* Records the end of the current instance and drops its pidfd. */
static void svc_record_exit(struct svc *s)
{
	if (s->instance_id > 0)
		store_instance_exit(s->sup->st, s->instance_id,
		                    s->last_exit.time_ns / 1000000,
		                    s->last_exit.code, s->last_exit.signal);
	s->instance_id = 0;
	svc_unwatch_pid(s);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	s->pid = 0;
	s->start_ns = 0;
}

/* Persists the machine's state (in the open transaction). A backoff's
 * end is on the monotonic clock, which does not survive a reboot and
 * means nothing to another process: it is stored as wall-clock ms. */
static void svc_put_policy(struct svc *s)
{
	struct store_policy p = {
	        .failures = s->m.restarts, .backoff_ms = 0, .next_attempt = 0};
	uint64_t now = sup_mono_ms();

	if (s->m.state == RESTART_BACKOFF) {
		p.backoff_ms =
		        s->m.next_attempt > now ? s->m.next_attempt - now : 0;
		p.next_attempt = sup_now_ns() / 1000000 + (int64_t)p.backoff_ms;
	}

	snprintf(p.state, sizeof(p.state), "%s",
	         restart_state_name(s->m.state));
	store_policy_put(s->sup->st, s->name, &p);
}

static void svc_forget(struct svc *s);
static int svc_watch_pid(struct svc *s);

/* Applies step's actions in their documented order. */
static void svc_apply(struct svc *s, const struct restart_step *step,
                      enum restart_event *next)
{
	unsigned a = step->actions;

	if (a & RESTART_ACT_CANCEL_TIMER)
		uv_timer_stop(&s->timer);
	if (a & RESTART_ACT_RECORD_EXIT)
		svc_record_exit(s);
	if ((a & RESTART_ACT_SIGNAL) && s->pidfd >= 0)
		spawn_kill(s->pidfd, s->pid, step->signal);
	if ((a & RESTART_ACT_KILL) && s->pidfd >= 0)
		spawn_kill(s->pidfd, s->pid, SIGKILL);
	if (a & RESTART_ACT_ARM_TIMER)
		uv_timer_start(&s->timer, svc_timer_cb, step->timer_ms, 0);
	if (a & RESTART_ACT_SPAWN)
		*next = svc_spawn(s) == 0 ? RESTART_EV_SPAWNED
		                          : RESTART_EV_SPAWN_FAILED;
	if (a & RESTART_ACT_PARK && s->message[0] == '\0')
		snprintf(s->message, sizeof(s->message), "%s", step->why);
}

static void svc_feed(struct svc *s, enum restart_event ev,
                     const struct restart_exit *ex)
{
	struct restart_step step;
	enum restart_event next = RESTART_NEVENTS;
	enum svc_state from = svc_state(s);

	if (restart_feed(&s->m, ev, ex, sup_mono_ms(), &step) != 0)
		return;
	/* One transaction per transition (a spawn commits its own part). */
	store_begin(s->sup->st);
	if (ev == RESTART_EV_EXITED)
		svc_event(s, SUPERVISOR_EV_EXITED, from, from, step.why, 0);
	svc_apply(s, &step, &next);
	if (step.actions & RESTART_ACT_FORGET) {
		store_service_delete(s->sup->st, s->name);
		svc_event(s, SUPERVISOR_EV_REMOVED, from, SVC_STATE_STOPPED,
		          step.why, 0);
		store_commit(s->sup->st);
		svc_forget(s);
		return;
	}
	svc_put_policy(s);
	if (svc_state(s) != from) {
		s->state_since_ns = sup_now_ns();
		svc_event(s, SUPERVISOR_EV_STATE, from, svc_state(s), step.why,
		          0);
	}
	store_commit(s->sup->st);
	if (next != RESTART_NEVENTS)
		svc_feed(s, next, NULL);
}

/* Frees s once its last handle is closed. */
static void svc_handle_closed(uv_handle_t *h)
{
	struct svc *s = h->data;
	struct supervisor *sup = s->sup;

	if (--s->open_handles > 0)
		return;
	service_free(s->spec);
	service_free(s->pending);
	if (s->exe_fd >= 0)
		close(s->exe_fd);
	free(s->yaml);
	free(s);
	if (sup->shutting_down && sup->svcs == NULL && sup->done != NULL) {
		supervisor_done_fn done = sup->done;
		sup->done = NULL;
		done(sup->done_ctx);
	}
}

/* Unlinks s from the list, ends its followers, closes its handles. */
static void svc_close(struct svc *s)
{
	struct supervisor *sup = s->sup;
	struct supervisor_sub **pu = &sup->subs;

	for (struct svc **p = &sup->svcs; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	sup->nsvcs--;
	while (*pu != NULL) {
		struct supervisor_sub *u = *pu;
		if (u->svc != s) {
			pu = &u->next;
			continue;
		}
		*pu = u->next;
		u->log_fn(NULL, u->ctx);
		free(u);
	}
	svc_unwatch_pid(s);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->fifo_r >= 0)
		close(s->fifo_r);
	if (s->fifo_w >= 0)
		close(s->fifo_w);
	logs_close(s->logs);
	s->logs = NULL;
	s->open_handles++; /* held until every close is queued */
	uv_close((uv_handle_t *)&s->timer, svc_handle_closed);
	if (s->log_poll.data == s)
		uv_close((uv_handle_t *)&s->log_poll, svc_handle_closed);
	svc_handle_closed((uv_handle_t *)&s->timer);
}

/* The service is removed: release everything and its files. */
static void svc_forget(struct svc *s)
{
	char *fifo = sup_join(s->sup->fifo_dir, s->name);

	if (fifo != NULL)
		unlink(fifo);
	free(fifo);
	logs_unlink(s->sup->log_dir, s->name, s->sup->cfg.log_files);
	svc_close(s);
}

/* A new record for name; inserted in name order. */
static int svc_new(struct supervisor *sup, const char *name, struct svc **out)
{
	struct svc *s;
	struct svc **p = &sup->svcs;
	int rc;

	if (sup->nsvcs >= sup->cfg.max_services)
		return -ENOSPC;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->sup = sup;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->pidfd = s->exe_fd = s->fifo_r = s->fifo_w = -1;
	uv_timer_init(sup->loop, &s->timer);
	s->timer.data = s;
	s->open_handles = 1; /* the log poll counts once it exists */
	while (*p != NULL && strcmp((*p)->name, name) < 0)
		p = &(*p)->next;
	s->next = *p;
	*p = s;
	sup->nsvcs++;
	if ((rc = svc_open_logs(s)) != 0) {
		svc_close(s);
		return rc;
	}
	s->state_since_ns = sup_now_ns();
	*out = s;
	return 0;
}

/* The service named name, or NULL. */
static struct svc *sup_find(struct supervisor *sup, const char *name)
{
	for (struct svc *s = sup->svcs; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* Copies cfg with defaults and makes the state subdirectories. */
static int sup_setup(struct supervisor *sup, const struct supervisor_config *c)
{
	sup->cfg = *c;
	if (sup->cfg.log_ring_bytes == 0)
		sup->cfg.log_ring_bytes = SUPERVISOR_LOG_RING_DEFAULT;
	if (sup->cfg.log_file_bytes == 0)
		sup->cfg.log_file_bytes = SUPERVISOR_LOG_FILE_DEFAULT;
	if (sup->cfg.log_files == 0)
		sup->cfg.log_files = SUPERVISOR_LOG_FILES_DEFAULT;
	if (sup->cfg.max_services == 0)
		sup->cfg.max_services = SUPERVISOR_SERVICES_DEFAULT;
	sup->state_dir = strdup(c->state_dir);
	sup->runtime = strdup(c->runtime_path);
	sup->log_dir = sup_join(c->state_dir, "logs");
	sup->fifo_dir = sup_join(c->state_dir, "fifos");
	if (!sup->state_dir || !sup->runtime || !sup->log_dir || !sup->fifo_dir)
		return -ENOMEM;
	if ((mkdir(sup->log_dir, 0750) != 0 && errno != EEXIST) ||
	    (mkdir(sup->fifo_dir, 0700) != 0 && errno != EEXIST))
		return -errno;
	return 0;
}

int supervisor_new(uv_loop_t *loop, struct store *st,
                   const struct supervisor_config *cfg, struct supervisor **out)
{
	struct supervisor *sup = calloc(1, sizeof(*sup));
	int rc;

	if (sup == NULL)
		return -ENOMEM;
	sup->loop = loop;
	sup->st = st;
	if ((rc = sup_setup(sup, cfg)) != 0) {
		supervisor_free(sup);
		return rc;
	}
	*out = sup;
	return 0;
}

void supervisor_free(struct supervisor *sup)
{
	if (sup == NULL)
		return;
	while (sup->subs != NULL) {
		struct supervisor_sub *u = sup->subs;
		sup->subs = u->next;
		if (u->ev_fn != NULL)
			u->ev_fn(NULL, u->ctx);
		free(u);
	}
	free(sup->state_dir);
	free(sup->runtime);
	free(sup->log_dir);
	free(sup->fifo_dir);
	free(sup);
}

/* The message of e alone: its text without the "file:line:col: " (or
 * "file: ") prefix that the parsers put first. */
static const char *sup_error_message(const char *file,
                                     const struct config_error *e)
{
	char prefix[sizeof(e->msg)];
	size_t n;

	if (e->line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", file, e->line,
		         e->column);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", file);
	n = strlen(prefix);
	return strncmp(e->msg, prefix, n) == 0 ? e->msg + n : e->msg;
}

/* Parses yaml into a new service; each problem goes to errfn. */
static int sup_parse(const char *yaml, size_t len, const char *file,
                     struct service **out, supervisor_error_fn errfn, void *ctx)
{
	struct service_errors errs;
	const char *name = file ? file : "<deploy>";
	int rc = service_parse(name, yaml, len, out, &errs);

	if (rc == -EINVAL || rc == -E2BIG) {
		for (size_t i = 0; i < errs.count && errfn != NULL; i++) {
			struct supervisor_error e = {
			        file, (uint32_t)errs.e[i].line,
			        (uint32_t)errs.e[i].column,
			        sup_error_message(name, &errs.e[i]),
			        errs.e[i].msg};
			errfn(&e, ctx);
		}
		return -EINVAL;
	}
	return rc;
}

int supervisor_validate(struct supervisor *sup, const char *yaml, size_t len,
                        const char *file_name,
                        struct supervisor_deploy_result *res,
                        supervisor_error_fn errfn, void *ctx)
{
	struct service *svc = NULL;
	int rc = sup_parse(yaml, len, file_name, &svc, errfn, ctx);

	if (rc == 0 && res != NULL) {
		memset(res, 0, sizeof(*res));
		snprintf(res->name, sizeof(res->name), "%s", svc->name);
		res->dry_run = true;
	}
	service_free(svc);
	return rc;
}

/* Keeps a copy of the stored spec text in s. */
static int svc_set_yaml(struct svc *s, const char *yaml, size_t len)
{
	char *y = malloc(len + 1);

	if (y == NULL)
		return -ENOMEM;
	memcpy(y, yaml, len);
	y[len] = '\0';
	free(s->yaml);
	s->yaml = y;
	s->yaml_len = len;
	return 0;
}

int supervisor_deploy(struct supervisor *sup, const char *yaml, size_t len,
                      const char *file_name, uint32_t uid, bool dry_run,
                      struct supervisor_deploy_result *res,
                      supervisor_error_fn errfn, void *ctx)
{
	struct supervisor_deploy_result r = {.dry_run = dry_run};
	struct service *svc = NULL;
	struct svc *s;
	int rc;

	if (sup->shutting_down)
		return -ESHUTDOWN;
	if ((rc = sup_parse(yaml, len, file_name, &svc, errfn, ctx)) != 0)
		return rc;
	snprintf(r.name, sizeof(r.name), "%s", svc->name);
	s = sup_find(sup, svc->name);
	r.created = s == NULL;
	r.updated = s == NULL || s->yaml_len != len ||
	            memcmp(s->yaml, yaml, len) != 0;
	if (s != NULL && s->m.state == RESTART_REMOVING)
		rc = -EBUSY;
	if (rc != 0 || dry_run || !r.updated) {
		r.generation = s ? s->generation : 0;
		service_free(svc);
		goto out;
	}
	if (s == NULL && (rc = svc_new(sup, svc->name, &s)) != 0) {
		service_free(svc);
		return rc;
	}
	store_begin(sup->st);
	rc = store_service_put(sup->st, s->name, yaml, len,
	                       STORE_DESIRED_RUNNING, &s->generation);
	if (rc == 0)
		rc = svc_set_yaml(s, yaml, len);
	if (rc != 0) {
		store_rollback(sup->st);
		service_free(svc);
		if (r.created)
			svc_close(s);
		return rc;
	}
	store_audit_append(sup->st, uid, "Deploy", s->name, "ok");
	svc_event(s, SUPERVISOR_EV_DEPLOYED, svc_state(s), svc_state(s), "",
	          uid);
	store_commit(sup->st);
	service_free(s->pending);
	s->pending = svc;
	s->desired = STORE_DESIRED_RUNNING;
	s->deployed_ns = sup_now_ns();
	r.generation = s->generation;
	if (r.created)
		restart_init(&s->m, &svc->restart, sup->cfg.random,
		             sup->cfg.random_ctx);
	else
		s->m.policy = svc->restart;
	/* A running service picks up the new spec with a restart. */
	svc_feed(s, s->pid > 0 ? RESTART_EV_RESTART : RESTART_EV_START, NULL);
out:
	if (res != NULL)
		*res = r;
	return rc;
}

/* Records an operator request and feeds it; fills res. */
static int sup_operate(struct supervisor *sup, const char *name, uint32_t uid,
                       const char *method, enum store_desired desired,
                       enum restart_event ev, struct supervisor_op_result *res)
{
	struct svc *s = sup->shutting_down ? NULL : sup_find(sup, name);
	enum svc_state before;
	bool changed;

	if (sup->shutting_down)
		return -ESHUTDOWN;
	if (s == NULL)
		return -ENOENT;
	if (s->m.state == RESTART_REMOVING)
		return -EBUSY;
	before = svc_state(s);
	changed = s->desired != desired || ev == RESTART_EV_RESTART ||
	          ev == RESTART_EV_REMOVE;
	store_begin(sup->st);
	if (store_service_set_desired(sup->st, name, desired) != 0) {
		store_rollback(sup->st);
		return -EIO;
	}
	store_audit_append(sup->st, uid, method, name, "ok");
	svc_event(s, SUPERVISOR_EV_OPERATION, before, before, method, uid);
	store_commit(sup->st);
	s->desired = desired;
	if (res != NULL)
		*res = (struct supervisor_op_result){desired, before, changed};
	svc_feed(s, ev, NULL);
	/* s may be gone now (a remove of a stopped service). */
	if (res != NULL && (s = sup_find(sup, name)) != NULL) {
		res->state = svc_state(s);
		res->changed |= res->state != before;
	}
	return 0;
}

int supervisor_start(struct supervisor *sup, const char *name, uint32_t uid,
                     struct supervisor_op_result *res)
{
	struct svc *s = sup_find(sup, name);

	if (s != NULL && s->m.state == RESTART_FAILED)
		s->message[0] = '\0';
	return sup_operate(sup, name, uid, "Start", STORE_DESIRED_RUNNING,
	                   RESTART_EV_START, res);
}

int supervisor_stop(struct supervisor *sup, const char *name, uint32_t uid,
                    struct supervisor_op_result *res)
{
	return sup_operate(sup, name, uid, "Stop", STORE_DESIRED_STOPPED,
	                   RESTART_EV_STOP, res);
}

int supervisor_restart(struct supervisor *sup, const char *name, uint32_t uid,
                       struct supervisor_op_result *res)
{
	return sup_operate(sup, name, uid, "Restart", STORE_DESIRED_RUNNING,
	                   RESTART_EV_RESTART, res);
}

int supervisor_remove(struct supervisor *sup, const char *name, uint32_t uid,
                      struct supervisor_op_result *res)
{
	return sup_operate(sup, name, uid, "Remove", STORE_DESIRED_STOPPED,
	                   RESTART_EV_REMOVE, res);
}

/* Fills out from s (borrowed pointers into s). */
static void svc_status(const struct svc *s, struct svc_status *out)
{
	static const char *const modes[] = {"never", "on-failure", "always"};
	const struct service *sp = s->pending ? s->pending : s->spec;

	*out = (struct svc_status){.name = s->name,
	                           .desired = s->desired,
	                           .state = svc_state(s),
	                           .pid = s->pid,
	                           .start_time_ns = s->start_ns,
	                           .restart_count = s->m.restarts,
	                           .last_exit = s->last_exit,
	                           .generation = s->generation,
	                           .spec = s->yaml ? s->yaml : "",
	                           .spec_len = s->yaml_len,
	                           .executable = sp ? sp->exe_path : "",
	                           .restart_policy =
	                                   modes[s->m.policy.mode % 3],
	                           .message = s->message,
	                           .uid = sp && sp->has_user ? sp->uid : 0,
	                           .gid = sp && sp->has_user ? sp->gid : 0,
	                           .deployed_ns = s->deployed_ns,
	                           .state_since_ns = s->state_since_ns};
	if (sp == NULL || !sp->has_user) {
		uid_t uid;
		gid_t gid;

		svc_default_ids(&uid, &gid);
		out->uid = uid;
		out->gid = gid;
	}
	if (s->m.state == RESTART_BACKOFF)
		out->next_start_ns =
		        sup_now_ns() +
		        (int64_t)(s->m.next_attempt - sup_mono_ms()) * 1000000;
}

int supervisor_get(struct supervisor *sup, const char *name,
                   struct svc_status *out)
{
	struct svc *s = sup_find(sup, name);

	if (s == NULL)
		return -ENOENT;
	svc_status(s, out);
	return 0;
}

int supervisor_list(struct supervisor *sup, supervisor_status_fn fn, void *ctx)
{
	struct svc_status st;

	for (struct svc *s = sup->svcs; s != NULL; s = s->next) {
		svc_status(s, &st);
		fn(&st, ctx);
	}
	return 0;
}

/* Adapts a ring piece to a log chunk. */
static void sup_piece(const void *data, size_t len, uint64_t offset,
                      bool truncated, void *ctx)
{
	void **a = ctx;
	struct supervisor_log_chunk c = {data, len, sup_now_ns(), offset,
	                                 truncated};

	((supervisor_log_fn)a[0])(&c, a[1]);
}

int supervisor_logs_read(struct supervisor *sup, const char *name,
                         unsigned tail_lines, supervisor_log_fn fn, void *ctx)
{
	struct svc *s = sup_find(sup, name);
	void *a[2] = {(void *)fn, ctx};

	if (s == NULL)
		return -ENOENT;
	logs_tail(s->logs, tail_lines, sup_piece, a);
	return 0;
}

/* Adds a subscription. */
static int sup_subscribe(struct supervisor *sup, struct svc *s,
                         supervisor_log_fn lf, supervisor_event_fn ef,
                         void *ctx, struct supervisor_sub **out)
{
	struct supervisor_sub *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return -ENOMEM;
	*u = (struct supervisor_sub){sup, s, lf, ef, ctx, sup->subs};
	sup->subs = u;
	*out = u;
	return 0;
}

int supervisor_logs_follow(struct supervisor *sup, const char *name,
                           supervisor_log_fn fn, void *ctx,
                           struct supervisor_sub **sub)
{
	struct svc *s = sup_find(sup, name);

	if (s == NULL)
		return -ENOENT;
	return sup_subscribe(sup, s, fn, NULL, ctx, sub);
}

int supervisor_watch(struct supervisor *sup, supervisor_event_fn fn, void *ctx,
                     struct supervisor_sub **sub)
{
	return sup_subscribe(sup, NULL, NULL, fn, ctx, sub);
}

void supervisor_unsubscribe(struct supervisor_sub *sub)
{
	struct supervisor_sub **p = &sub->sup->subs;

	while (*p != NULL && *p != sub)
		p = &(*p)->next;
	if (*p == sub)
		*p = sub->next;
	free(sub);
}

void supervisor_reopen_logs(struct supervisor *sup)
{
	for (struct svc *s = sup->svcs; s != NULL; s = s->next)
		logs_reopen(s->logs);
}

/* Re-adopts instance in if it is the same process still running. */
static int sup_adopt(const struct store_instance *in, void *ctx)
{
	struct supervisor *sup = ctx;
	struct svc *s = sup_find(sup, in->service);
	uint64_t t = 0;
	int pidfd = (int)syscall(SYS_pidfd_open, in->pid, 0);

	/* Checked after pidfd_open: the pidfd pins the process it names. */
	if (s == NULL || pidfd < 0 || s->pidfd >= 0 ||
	    procstat_start_time(in->pid, &t) != 0 || t != in->start_time) {
		if (pidfd >= 0)
			close(pidfd);
		store_instance_exit(sup->st, in->id, sup_now_ns() / 1000000, -1,
		                    0);
		return 0;
	}
	s->pidfd = pidfd;
	s->pid = in->pid;
	s->adopted = true;
	s->instance_id = in->id;
	s->start_ns = in->started_at * 1000000;
	s->m.state = RESTART_RUNNING;
	s->m.spawned_at = sup_mono_ms();
	svc_watch_pid(s);
	return 0;
}

/* Takes over the restart count and a pending backoff from the policy
 * row the previous daemon left. */
static void sup_load_policy(struct svc *s)
{
	struct store_policy p;

	if (store_policy_get(s->sup->st, s->name, &p) != 0)
		return; /* never started: nothing to resume */
	s->m.restarts = p.failures;
	/* An acknowledged remove whose program had not ended yet. */
	if (restart_state_parse(p.state) == RESTART_REMOVING) {
		s->resume_remove = true;
		return;
	}
	/* Parked by the crash-loop limit: it stays parked across daemon
	 * restarts until an operator starts it again. */
	if (restart_state_parse(p.state) == RESTART_FAILED) {
		s->m.state = RESTART_FAILED;
		snprintf(s->message, sizeof(s->message),
		         "failed before the daemon restarted (crash loop): "
		         "start it to try again");
		return;
	}
	if (restart_state_parse(p.state) != RESTART_BACKOFF)
		return;
	s->resume_backoff = true;
	s->resume_at_ms = p.next_attempt;
	s->resume_delay_ms = p.backoff_ms;
}

/*
 * Re-arms the backoff the previous daemon was in, for what is left of
 * it. The wall clock may have jumped since: what is left is bounded by
 * the delay as recorded, and a backoff already over spawns at once.
 */
static void svc_resume_backoff(struct svc *s)
{
	int64_t left = s->resume_at_ms - sup_now_ns() / 1000000;
	uint64_t ms = left <= 0 ? 0 : (uint64_t)left;

	if (ms > s->resume_delay_ms)
		ms = s->resume_delay_ms;
	s->m.state = RESTART_BACKOFF;
	s->m.next_attempt = sup_mono_ms() + ms;
	s->state_since_ns = sup_now_ns();
	uv_timer_start(&s->timer, svc_timer_cb, ms, 0);
}

/* Loads one stored service into a record. */
static int sup_load(const struct store_service *ss, void *ctx)
{
	struct supervisor *sup = ctx;
	struct service *svc = NULL;
	struct service_errors errs;
	struct svc *s;

	if (svc_new(sup, ss->name, &s) != 0)
		return 0; /* logged by the caller's count; others go on */
	svc_set_yaml(s, ss->spec, ss->spec_len);
	s->generation = ss->generation;
	s->desired = ss->desired;
	s->deployed_ns = ss->updated_at * 1000000;
	if (service_parse(ss->name, ss->spec, ss->spec_len, &svc, &errs) != 0) {
		struct restart_policy p;
		restart_policy_default(&p);
		restart_init(&s->m, &p, NULL, NULL);
		s->m.state = RESTART_FAILED;
		snprintf(s->message, sizeof(s->message),
		         "stored spec no longer parses");
		return 0;
	}
	restart_init(&s->m, &svc->restart, sup->cfg.random,
	             sup->cfg.random_ctx);
	s->pending = svc;
	sup_load_policy(s);
	return 0;
}

int supervisor_recover(struct supervisor *sup)
{
	int rc = store_service_list(sup->st, sup_load, sup);

	if (rc == 0)
		rc = store_instance_running(sup->st, sup_adopt, sup);
	if (rc != 0)
		return rc;
	for (struct svc *s = sup->svcs, *next; s != NULL; s = next) {
		next = s->next; /* a finished remove closes s */
		if (s->resume_remove)
			svc_feed(s, RESTART_EV_REMOVE, NULL);
		else if (s->pid > 0 && s->desired == STORE_DESIRED_STOPPED)
			svc_feed(s, RESTART_EV_STOP, NULL);
		else if (s->pid == 0 && s->desired == STORE_DESIRED_RUNNING &&
		         s->m.state == RESTART_STOPPED && s->resume_backoff)
			svc_resume_backoff(s);
		else if (s->pid == 0 && s->desired == STORE_DESIRED_RUNNING &&
		         s->m.state == RESTART_STOPPED)
			svc_feed(s, RESTART_EV_START, NULL);
	}
	return 0;
}

/* Whether every service has no process left. */
static bool sup_all_down(const struct supervisor *sup)
{
	for (const struct svc *s = sup->svcs; s != NULL; s = s->next)
		if (s->pid > 0)
			return false;
	return true;
}

/* Closes every record; done runs when the last handle is closed. */
static void sup_close_all(struct supervisor *sup)
{
	if (sup->svcs == NULL) {
		if (sup->done != NULL) {
			supervisor_done_fn done = sup->done;
			sup->done = NULL;
			done(sup->done_ctx);
		}
		return;
	}
	while (sup->svcs != NULL)
		svc_close(sup->svcs);
}

/* Polls the stop of every service (shutdown with stop_services). */
static void sup_stop_check(uv_timer_t *t)
{
	struct supervisor *sup = t->data;

	if (!sup_all_down(sup))
		return;
	uv_close((uv_handle_t *)t, (uv_close_cb)free);
	sup_close_all(sup);
}

void supervisor_shutdown(struct supervisor *sup, bool stop_services,
                         supervisor_done_fn done, void *ctx)
{
	uv_timer_t *t;

	sup->shutting_down = true;
	sup->done = done;
	sup->done_ctx = ctx;
	if (!stop_services || sup_all_down(sup) ||
	    (t = malloc(sizeof(*t))) == NULL) {
		sup_close_all(sup);
		return;
	}
	/* Desired states stay as stored: the next daemon starts them. */
	for (struct svc *s = sup->svcs; s != NULL; s = s->next)
		if (s->pid > 0)
			svc_feed(s, RESTART_EV_STOP, NULL);
	uv_timer_init(sup->loop, t);
	t->data = sup;
	/* Bounded by the grace periods; only while shutting down. */
	uv_timer_start(t, sup_stop_check, 10, 10);
}
