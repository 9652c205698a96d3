/*
 * cloudabid: the daemon's entry point. Parses options, prepares the state
 * directory (lock file, store), creates the supervisor and re-adopts what
 * is still running, serves RPC on the control socket, and reports to
 * systemd. One process, one libuv loop; when idle nothing wakes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "grant.h"
#include "handlers.h"
#include "log.h"
#include "rpc_server.h"
#include "sdnotify.h"
#include "store.h"
#include "supervisor.h"

#define DEFAULT_STATE_DIR "/var/lib/cloudabid"
#define DEFAULT_SOCKET    "/run/cloudabid/control.sock"
#define RUNTIME_NAME      "cloudabi-run"

#ifndef CLOUDABID_VERSION
#define CLOUDABID_VERSION "unknown"
#endif

struct options {
	const char *state_dir, *socket, *group, *runtime, *log_file;
	bool stop_on_exit, foreground, verbose;
	struct grant_policy policy; /* --allow-*: for group members */
};

/* Everything the daemon holds, freed in reverse order at exit. */
struct daemon {
	struct options opt;
	uv_loop_t loop;
	uv_signal_t sigterm, sigint, sighup;
	struct store *store;
	struct supervisor *sup;
	struct handlers *handlers;
	struct rpc_server *srv;
	int lock_fd, ready_fd; /* ready_fd: to the waiting parent, or -1 */
	bool stopping, done;
	char runtime[PATH_MAX];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cloudabid [--foreground] [--state-dir DIR] "
	           "[--socket PATH]\n"
	           "                 [--group NAME] [--runtime PATH] "
	           "[--log-file PATH]\n"
	           "                 [--allow-path PREFIX] [--allow-socket "
	           "PATTERN]\n"
	           "                 [--allow-user USER] [--allow-root-user]\n"
	           "                 [--stop-on-exit] [--verbose]\n"
	           "       cloudabid --version | --help\n");
}

/* Adds one --allow-path, --allow-socket or --allow-user to p; exits with
 * a usage error when arg is not valid. */
static void policy_option(struct grant_policy *p, int c, const char *arg)
{
	static const char *const names[] = {"--allow-path", "--allow-socket",
	                                    "--allow-user"};
	const char *name = names[c == 'P' ? 0 : c == 'A' ? 1 : 2];
	struct passwd *pw;
	char *end;
	unsigned long id;
	int rc;

	if (c == 'P') {
		rc = grant_policy_add_path(p, arg);
	} else if (c == 'A') {
		rc = grant_policy_add_socket(p, arg);
	} else {
		errno = 0;
		id = strtoul(arg, &end, 10);
		if ((pw = getpwnam(arg)) != NULL)
			rc = grant_policy_add_user(p, pw->pw_uid);
		else if (*arg != '\0' && *end == '\0' && errno == 0 &&
		         id < (uid_t)-1)
			rc = grant_policy_add_user(p, (uid_t)id);
		else
			rc = -ENOENT;
	}
	if (rc == 0)
		return;
	fprintf(stderr, "cloudabid: %s %s: %s\n", name, arg,
	        rc == -EINVAL   ? "not valid (see cloudabid(8))"
	        : rc == -ENOENT ? "no such user"
	        : rc == -E2BIG  ? "too many rules"
	                        : strerror(-rc));
	exit(2);
}

/*
 * Adds where each allowed prefix really leads (symlinks followed): the
 * policy checks a service's resolved paths too, and an operator who
 * allowed /srv/www, a symlink to /data/www, allowed /data/www as well.
 */
static void policy_add_resolved(struct grant_policy *p)
{
	size_t npaths = p->npaths, nsockets = p->nsockets;
	char real[PATH_MAX];

	for (size_t i = 0; i < npaths; i++)
		if (realpath(p->paths[i], real) != NULL &&
		    strcmp(real, p->paths[i]) != 0 &&
		    grant_policy_add_path(p, real) < 0)
			fatalx("--allow-path %s: too many rules", p->paths[i]);
	for (size_t i = 0; i < nsockets; i++) {
		const char *prefix = p->sockets[i].unix_prefix;

		if (prefix != NULL && realpath(prefix, real) != NULL &&
		    strcmp(real, prefix) != 0 &&
		    grant_policy_add_socket(p, real) < 0)
			fatalx("--allow-socket %s: too many rules", prefix);
	}
	if (p->npaths == 0 && p->nsockets == 0)
		log_info("no --allow-path or --allow-socket: services deployed "
		         "by others than root may not be granted files or "
		         "sockets");
}

/* Parses argv into *o; exits on --help, --version and usage errors. */
static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	        {"state-dir", required_argument, NULL, 's'},
	        {"socket", required_argument, NULL, 'S'},
	        {"group", required_argument, NULL, 'g'},
	        {"runtime", required_argument, NULL, 'r'},
	        {"log-file", required_argument, NULL, 'l'},
	        {"allow-path", required_argument, NULL, 'P'},
	        {"allow-socket", required_argument, NULL, 'A'},
	        {"allow-user", required_argument, NULL, 'U'},
	        {"allow-root-user", no_argument, NULL, 'R'},
	        {"stop-on-exit", no_argument, NULL, 'x'},
	        {"foreground", no_argument, NULL, 'f'},
	        {"verbose", no_argument, NULL, 'v'},
	        {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){.state_dir = DEFAULT_STATE_DIR,
	                      .socket = DEFAULT_SOCKET};
	while ((c = getopt_long(argc, argv, "fhvd:s:g:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's':
		case 'd':
			o->state_dir = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'r':
			o->runtime = optarg;
			break;
		case 'l':
			o->log_file = optarg;
			break;
		case 'P':
		case 'A':
		case 'U':
			policy_option(&o->policy, c, optarg);
			break;
		case 'R':
			o->policy.allow_root_user = true;
			break;
		case 'x':
			o->stop_on_exit = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'V':
			printf("cloudabid %s\n", CLOUDABID_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

/* Whether path names an executable regular file. */
static bool is_executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	       access(path, X_OK) == 0;
}

/*
 * Finds cloudabi-run: the option, else next to this executable (an
 * installed or built tree keeps them together), else along $PATH.
 */
static int find_runtime(const char *opt, char *out, size_t len)
{
	char self[PATH_MAX], *slash, *path, *dir, *save = NULL;
	ssize_t n;

	if (opt != NULL) {
		if (!is_executable(opt))
			return -ENOENT;
		return realpath(opt, out) != NULL ? 0 : -errno;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			snprintf(out, len, "%.*s/" RUNTIME_NAME,
			         (int)(slash - self), self);
			if (is_executable(out))
				return 0;
		}
	}
	if ((path = getenv("PATH")) == NULL || (path = strdup(path)) == NULL)
		return -ENOENT;
	for (dir = strtok_r(path, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/" RUNTIME_NAME, dir);
		if (dir[0] == '/' && is_executable(out)) {
			free(path);
			return 0;
		}
	}
	free(path);
	return -ENOENT;
}

/* mkdir -p: parents 0755, the last component with mode; existing kept. */
static int make_dirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Takes the state directory's lock so that two daemons never supervise
 * the same services; the lock lives as long as the open file.
 */
static int take_lock(const char *dir)
{
	char path[PATH_MAX], other[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/cloudabid.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			fatal("lock %s", path);
		n = pread(fd, other, sizeof(other) - 1, 0);
		other[n > 0 ? n : 0] = '\0';
		other[strcspn(other, "\n")] = '\0';
		fatalx("another cloudabid (pid %s) is using state directory %s",
		       other[0] ? other : "?", dir);
	}
	return fd;
}

/* Records our pid in the lock file (after detaching: the final pid). */
static void write_pid(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("cannot record the pid in the lock file");
}

/*
 * Without --foreground: detaches, and the parent exits only once the
 * child says it is ready (0) or has failed (1), so that scripts starting
 * cloudabid can connect right after. Returns the pipe end to report on.
 */
static int daemonize(void)
{
	int p[2], fd;
	ssize_t n;
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		fatal("pipe2");
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		fatal("setsid");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return p[1];
}

/* Counts services for the status line. */
static void count_service(const struct svc_status *st, void *arg)
{
	(*(unsigned *)arg)++;
}

/* Tells systemd and a waiting parent that requests are served. */
static void report_ready(struct daemon *d)
{
	unsigned n = 0;
	int rc;

	supervisor_list(d->sup, count_service, &n);
	rc = sdnotify_sendf("READY=1\nSTATUS=serving on %s, %u services\n"
	                    "MAINPID=%ld",
	                    d->opt.socket, n, (long)getpid());

	if (rc < 0)
		log_warnx("sd_notify: %s", strerror(-rc));
	if (d->ready_fd >= 0) {
		if (write(d->ready_fd, "R", 1) != 1)
			log_warn("readiness pipe");
		close(d->ready_fd);
		d->ready_fd = -1;
	}
}

/* Last step of shutdown: the supervisor is done, nothing is left. */
static void shutdown_done(void *arg)
{
	struct daemon *d = arg;

	d->done = true;
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sighup, NULL);
}

static void handlers_done(void *arg)
{
	struct daemon *d = arg;

	d->handlers = NULL;
	supervisor_shutdown(d->sup, d->opt.stop_on_exit, shutdown_done, d);
}

static void server_done(void *arg)
{
	struct daemon *d = arg;

	d->srv = NULL;
	handlers_close(d->handlers, handlers_done, d);
}

/* SIGTERM, SIGINT: stop serving, then let the supervisor finish. */
static void on_stop_signal(uv_signal_t *sig, int signum)
{
	struct daemon *d = sig->data;

	if (d->stopping) {
		log_info("%s: already shutting down", strsignal(signum));
		return;
	}
	d->stopping = true;
	log_info("%s: shutting down, services %s", strsignal(signum),
	         d->opt.stop_on_exit ? "are stopped" : "keep running");
	sdnotify_send("STOPPING=1\nSTATUS=shutting down");
	handlers_set_serving(d->handlers, false);
	handlers_end_streams(d->handlers);
	rpc_server_close(d->srv, server_done, d);
}

/* SIGHUP: reopen our log file and the services' log files (rotation). */
static void on_sighup(uv_signal_t *sig, int signum)
{
	struct daemon *d = sig->data;
	int rc;

	if ((rc = log_reopen()) < 0)
		log_warnx("reopen %s: %s", d->opt.log_file, strerror(-rc));
	supervisor_reopen_logs(d->sup);
	log_info("log files reopened");
}

/* Starts watching one signal; a failure here is fatal at startup. */
static void watch_signal(struct daemon *d, uv_signal_t *h, uv_signal_cb cb,
                         int signum)
{
	int rc;

	uv_signal_init(&d->loop, h);
	h->data = d;
	if ((rc = uv_signal_start(h, cb, signum)) < 0)
		fatalx("signal %d: %s", signum, uv_strerror(rc));
}

/* Resolves --group to a gid. */
static void resolve_group(const char *name, struct handlers_auth *auth)
{
	struct group *gr;

	auth->self_uid = geteuid();
	if (name == NULL)
		return;
	errno = 0;
	if ((gr = getgrnam(name)) == NULL)
		fatalx("--group %s: no such group", name);
	auth->has_group = true;
	auth->group = gr->gr_gid;
}

/*
 * Listens on the socket systemd passed, or binds --socket (mode 0660,
 * group-owned by --group so that its members can connect).
 */
static void listen_control(struct daemon *d, const struct handlers_auth *auth)
{
	int fd = sdnotify_listen_fd(true), rc;
	char dir[PATH_MAX], *slash;

	if (fd >= 0) {
		if ((rc = rpc_server_listen_fd(d->srv, fd)) < 0)
			fatalx("activated socket: %s", strerror(-rc));
		log_info("serving on the socket passed by systemd");
		return;
	}
	if (fd != -ENOENT)
		fatalx("socket activation: %s", strerror(-fd));
	snprintf(dir, sizeof(dir), "%s", d->opt.socket);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if ((rc = make_dirs(dir, 0755)) < 0)
			fatalx("mkdir %s: %s", dir, strerror(-rc));
	}
	if ((rc = rpc_server_listen_path(d->srv, d->opt.socket, 0660)) < 0)
		fatalx("listen on %s: %s", d->opt.socket, strerror(-rc));
	if (auth->has_group && chown(d->opt.socket, (uid_t)-1, auth->group) < 0)
		fatal("chown %s", d->opt.socket);
	log_info("serving on %s", d->opt.socket);
}

/* Everything before serving: state, supervisor, handlers, server. */
static void start(struct daemon *d)
{
	struct supervisor_config scfg = {0};
	struct handlers_config hcfg = {0};
	size_t nmethods;
	const struct rpc_method *methods = handlers_methods(&nmethods);
	char err[256];
	int rc;

	resolve_group(d->opt.group, &hcfg.auth);
	if (find_runtime(d->opt.runtime, d->runtime, sizeof(d->runtime)) < 0)
		fatalx("cannot find %s: give --runtime PATH",
		       d->opt.runtime ? d->opt.runtime : RUNTIME_NAME);
	if ((rc = uv_loop_init(&d->loop)) < 0)
		fatalx("uv_loop_init: %s", uv_strerror(rc));
	if ((rc = store_open(d->opt.state_dir, &d->store, err, sizeof(err))) <
	    0)
		fatalx("store in %s: %s", d->opt.state_dir, err);
	scfg.state_dir = d->opt.state_dir;
	scfg.runtime_path = d->runtime;
	if ((rc = supervisor_new(&d->loop, d->store, &scfg, &d->sup)) < 0)
		fatalx("supervisor: %s", strerror(-rc));
	if ((rc = supervisor_recover(d->sup)) < 0)
		fatalx("recovering services: %s", strerror(-rc));
	hcfg.sup = d->sup;
	hcfg.store = d->store;
	policy_add_resolved(&d->opt.policy);
	hcfg.policy = &d->opt.policy;
	if ((rc = handlers_new(&d->loop, &hcfg, &d->handlers)) < 0)
		fatalx("handlers: %s", strerror(-rc));
	rc = rpc_server_new(&d->loop, methods, nmethods, d->handlers, NULL,
	                    &d->srv);
	if (rc < 0)
		fatalx("rpc server: %s", strerror(-rc));
	listen_control(d, &hcfg.auth);
	watch_signal(d, &d->sigterm, on_stop_signal, SIGTERM);
	watch_signal(d, &d->sigint, on_stop_signal, SIGINT);
	watch_signal(d, &d->sighup, on_sighup, SIGHUP);
	handlers_set_serving(d->handlers, true);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	char path[PATH_MAX];
	int rc;

	parse_options(argc, argv, &d.opt);
	log_set_verbose(d.opt.verbose);
	umask(027);
	if ((rc = make_dirs(d.opt.state_dir, 0700)) < 0)
		fatalx("mkdir %s: %s", d.opt.state_dir, strerror(-rc));
	d.lock_fd = take_lock(d.opt.state_dir);
	d.ready_fd = -1;
	if (!d.opt.foreground) {
		d.ready_fd = daemonize();
		/* Detached, stderr has no reader: log to a file instead. */
		if (d.opt.log_file == NULL) {
			snprintf(path, sizeof(path), "%s/cloudabid.log",
			         d.opt.state_dir);
			d.opt.log_file = path;
		}
	}
	write_pid(d.lock_fd);
	if (d.opt.log_file != NULL && (rc = log_open(d.opt.log_file)) < 0)
		fatalx("log file %s: %s", d.opt.log_file, strerror(-rc));
	if (!d.opt.foreground && (rc = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(rc, STDERR_FILENO);
		close(rc);
	}
	start(&d);
	log_info("cloudabid %s ready (state %s, runtime %s)", CLOUDABID_VERSION,
	         d.opt.state_dir, d.runtime);
	report_ready(&d);
	uv_run(&d.loop, UV_RUN_DEFAULT);
	if (!d.done)
		fatalx("event loop ended before shutdown");
	supervisor_free(d.sup);
	store_close(d.store);
	grant_policy_free(&d.opt.policy); /* the handlers are gone */
	if ((rc = uv_loop_close(&d.loop)) < 0)
		log_warnx("handles left open at exit: %s", uv_strerror(rc));
	log_info("stopped");
	log_close();
	close(d.lock_fd);
	return 0;
}
