/*
 * bench_daemon: figures of cloudabid on a real daemon with a private
 * state directory and socket, against baselines measured in the same run.
 *
 *   bench_daemon [-q] [-n RUNS] [-N SERVICES] [-i IDLE_S] [-d TMPDIR]
 *                CLOUDABID RUN GUEST STATIC
 *
 * CLOUDABID is the daemon, RUN cloudabi-run (given to it as --runtime),
 * GUEST daemon_guest, STATIC launch_static of bench/launch. Every guest
 * gets, as its first grant, a datagram socket the daemon connects to the
 * benchmark's own, and writes its name there as its first system call:
 * the benchmark timestamps the arrival.
 *
 * - start: Start RPC sent to the guest's datagram arriving, against the
 *   fork of launch_static to its first byte on a pipe (interleaved, one
 *   of each per run);
 * - restart: time between consecutive arrivals of a guest that exits 1
 *   at once under zero backoff, against the time between first bytes of
 *   a fork+exec+wait loop of launch_static;
 * - Get: latency (p50, p99) against a 64-byte round trip over a UNIX
 *   socket pair with an echo thread, and calls per second from one client
 *   and from DAEMON_THREADS clients in threads;
 * - scale: SERVICES guests that block in poll from the start (they do not
 *   write: List tells when they all run), all at once (fewer if the host's
 *   memory or process limit cannot take them: the output says so); List
 *   latency with them, the daemon's VmRSS and its CPU time over IDLE_S
 *   seconds with no client connected.
 *
 * The private directory (state, sockets) is made in TMPDIR (default
 * /tmp): its file system decides what the daemon's SQLite flushes cost.
 * Figures are medians over RUNS unless said. -q is ctest's quick mode
 * (3 runs, 10 services, 1 s idle): it checks that everything works and
 * its figures mean nothing. Every service is removed and the daemon
 * stopped at the end, also after an error or SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "supervisor.pb-c.h"

#define DAEMON_MAX_RUNS     100000
#define DAEMON_MAX_SERVICES 10000
#define DAEMON_THREADS      4
#define DAEMON_WAIT_MS      30000 /* for one arrival or state change */
#define DAEMON_PING_SIZE    64

#define STATE_STOPPED                                                          \
	CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_STOPPED

extern char **environ;

volatile sig_atomic_t daemon_interrupted;

/* The one run, reachable from the atexit handler. */
static struct daemon_bench bench = {.watch_fd = -1};
/* Set by daemon_die: the cleanup then shows the daemon's log. */
static bool daemon_failed;

/* What the command line asks for. */
struct daemon_opts {
	int runs, services, idle_s, get_calls, tput_ms;
	const char *tmpdir; /* where the private directory goes */
	const char *cloudabid, *runtime, *guest, *stat;
};

/* The figures, for the table. */
struct daemon_figures {
	double start, start_base, start_rpc, restart, restart_base;
	double get50, get99, ping50, ping99, tput1, tputn;
	double list_us, get50_full, deploy_s, remove_s;
	long rss0, rss1, ticks, mem_per_svc_kb, runtime_rss_kb, pss_kb;
	int services, asked_services;
	size_t running;
	char scale_note[160];
};

_Noreturn void daemon_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_daemon: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	daemon_failed = true;
	exit(1);
}

/* Tells on stderr which phase starts, and when (a run takes minutes). */
static void daemon_progress(const char *phase)
{
	static double t0;

	if (t0 == 0)
		t0 = daemon_host_now();
	fprintf(stderr, "bench_daemon: %.1f s: %s\n",
	        (daemon_host_now() - t0) / 1e6, phase);
}

/* atexit: the daemon stops its services (--stop-on-exit), then whatever
 * is left over is killed, then the private directory goes. */
/* The last lines of the daemon's log, to stderr, before it is removed. */
static void daemon_show_log(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "tail -n 30 %s/daemon.log >&2", dir);
	fprintf(stderr, "--- last lines of the daemon's log\n");
	if (system(cmd) != 0)
		fprintf(stderr, "(no log)\n");
}

static void daemon_cleanup(void)
{
	rpc_client_close(bench.rpc);
	bench.rpc = NULL;
	daemon_host_stop(&bench, 15000);
	daemon_host_sweep();
	if (daemon_failed && bench.dir[0] != '\0')
		daemon_show_log(bench.dir);
	if (bench.watch_fd >= 0)
		close(bench.watch_fd);
	if (bench.dir[0] != '\0')
		daemon_host_rmtree(bench.dir);
}

/* Signal handler: waits notice the flag and end through daemon_die. */
static void daemon_on_signal(int sig)
{
	daemon_interrupted = sig;
}

/* Private directory, watch socket, subreaper, signals, cleanup. */
static void daemon_setup(struct daemon_bench *b, const char *tmpdir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	struct sigaction act = {.sa_handler = daemon_on_signal};
	int rcvbuf = 4 << 20;

	if ((size_t)snprintf(b->dir, sizeof(b->dir), "%s/bench_daemon.XXXXXX",
	                     tmpdir) >= sizeof(b->dir))
		daemon_die("%s: path too long", tmpdir);
	if (mkdtemp(b->dir) == NULL)
		daemon_die("mkdtemp: %s", strerror(errno));
	atexit(daemon_cleanup);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGHUP, &act, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		daemon_die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	snprintf(b->sock, sizeof(b->sock), "%s/control.sock", b->dir);
	snprintf(b->watch, sizeof(b->watch), "%s/watch.sock", b->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", b->watch);
	b->watch_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (b->watch_fd < 0 ||
	    bind(b->watch_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    setsockopt(b->watch_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) !=
	            0)
		daemon_die("watch socket: %s", strerror(errno));
	/* Best effort: a larger queue lets many guests write at once. */
	setsockopt(b->watch_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

/* qsort order of doubles. */
static int daemon_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n-1], nearest rank (sorts v). */
static double daemon_quantile(double *v, int n, double q)
{
	int i = (int)(q * n + 0.5) - 1;

	qsort(v, (size_t)n, sizeof(*v), daemon_cmp);
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	if (q == 0.5)
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return v[i];
}

/* A zeroed array of n doubles (dies if out of memory). */
static double *daemon_alloc(int n)
{
	double *v = calloc((size_t)n, sizeof(double));

	if (v == NULL)
		daemon_die("out of memory");
	return v;
}

/* One fork+exec+wait of the static baseline with a pipe at fd 3: the
 * absolute time its first byte arrived (us); *whole the end of waitpid. */
static double daemon_static_once(const char *stat, double *t0, double *whole)
{
	char *argv[] = {(char *)stat, NULL};
	double first;
	int p[2], status;
	pid_t pid;
	char byte;

	if (pipe2(p, O_CLOEXEC) != 0)
		daemon_die("pipe2: %s", strerror(errno));
	*t0 = daemon_host_now();
	if ((pid = fork()) < 0)
		daemon_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(p[1], 3) < 0)
			_exit(126);
		execve(stat, argv, environ);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &byte, 1) != 1)
		daemon_die("%s wrote nothing", stat);
	first = daemon_host_now();
	if (waitpid(pid, &status, 0) != pid || status != 0)
		daemon_die("%s failed", stat);
	*whole = daemon_host_now();
	close(p[0]);
	return first;
}

/* Waits for a datagram whose text is name; its arrival time (us). */
static double daemon_wait_for(struct daemon_bench *b, const char *name)
{
	char buf[80];
	double t;

	for (;;) {
		t = daemon_host_arrival(b, DAEMON_WAIT_MS, buf, sizeof(buf));
		if (t < 0)
			daemon_die("%s never wrote (see %s/daemon.log)", name,
			           b->dir);
		if (strcmp(buf, name) == 0)
			return t;
	}
}

/* Start RPC to first system call, interleaved with the static baseline. */
static void daemon_phase_start(struct daemon_bench *b,
                               const struct daemon_opts *o,
                               struct daemon_figures *f)
{
	double *lat = daemon_alloc(o->runs), *base = daemon_alloc(o->runs);
	double *rpc = daemon_alloc(o->runs), t0, t1, first, whole;

	daemon_rpc_deploy(b->rpc, b->guest, b->watch, "start", 1);
	daemon_wait_for(b, "start");
	for (int i = 0; i < o->runs; i++) {
		first = daemon_static_once(o->stat, &t0, &whole);
		base[i] = first - t0;
		daemon_rpc_op(b->rpc, "Stop", "start");
		daemon_rpc_wait_state(b->rpc, "start", STATE_STOPPED,
		                      DAEMON_WAIT_MS);
		daemon_host_drain(b);
		t0 = daemon_host_now();
		daemon_rpc_op(b->rpc, "Start", "start");
		t1 = daemon_host_now();
		lat[i] = daemon_wait_for(b, "start") - t0;
		rpc[i] = t1 - t0;
	}
	f->start = daemon_quantile(lat, o->runs, 0.5);
	f->start_base = daemon_quantile(base, o->runs, 0.5);
	f->start_rpc = daemon_quantile(rpc, o->runs, 0.5);
	free(lat);
	free(base);
	free(rpc);
}

/* Crash to restart under zero backoff, then the static loop's period. */
static void daemon_phase_restart(struct daemon_bench *b,
                                 const struct daemon_opts *o,
                                 struct daemon_figures *f)
{
	double *gap = daemon_alloc(o->runs), prev, t, t0, whole;

	daemon_rpc_deploy(b->rpc, b->guest, b->watch, "crash", 0);
	prev = daemon_wait_for(b, "crash");
	for (int i = 0; i < o->runs; i++) {
		t = daemon_wait_for(b, "crash");
		gap[i] = t - prev;
		prev = t;
	}
	daemon_rpc_op(b->rpc, "Remove", "crash");
	f->restart = daemon_quantile(gap, o->runs, 0.5);
	prev = daemon_static_once(o->stat, &t0, &whole);
	for (int i = 0; i < o->runs; i++) {
		t = daemon_static_once(o->stat, &t0, &whole);
		gap[i] = t - prev;
		prev = t;
	}
	f->restart_base = daemon_quantile(gap, o->runs, 0.5);
	free(gap);
	daemon_host_drain(b);
}

/* Get latencies of n calls into v (us). */
static void daemon_get_latencies(struct rpc_client *c, double *v, int n)
{
	double t0;

	for (int i = 0; i < n; i++) {
		t0 = daemon_host_now();
		daemon_rpc_state(c, "start", NULL);
		v[i] = daemon_host_now() - t0;
	}
}

/* The echo side of the round-trip baseline. */
static void *daemon_echo(void *arg)
{
	int fd = *(int *)arg;
	char buf[DAEMON_PING_SIZE];

	while (recv(fd, buf, sizeof(buf), MSG_WAITALL) == sizeof(buf))
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
			break;
	return NULL;
}

/* Round trips of 64 bytes over a UNIX stream socket pair: v[0..n-1]. */
static void daemon_pingpong(double *v, int n)
{
	char buf[DAEMON_PING_SIZE] = "ping";
	pthread_t th;
	int sv[2];
	double t0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pthread_create(&th, NULL, daemon_echo, &sv[1]) != 0)
		daemon_die("echo thread: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		t0 = daemon_host_now();
		if (send(sv[0], buf, sizeof(buf), 0) != sizeof(buf) ||
		    recv(sv[0], buf, sizeof(buf), MSG_WAITALL) != sizeof(buf))
			daemon_die("ping: %s", strerror(errno));
		v[i] = daemon_host_now() - t0;
	}
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);
}

/* One throughput client: Get calls until the shared deadline. */
struct daemon_worker {
	struct daemon_bench *b;
	double until;
	long calls;
};

/* Thread body: its own connection, calls counted. */
static void *daemon_worker_run(void *arg)
{
	struct daemon_worker *w = arg;
	struct rpc_client *c;
	int rc = rpc_client_connect(w->b->sock, DAEMON_WAIT_MS, &c);

	if (rc != 0)
		daemon_die("connect: %s", strerror(-rc));
	while (daemon_host_now() < w->until) {
		daemon_rpc_state(c, "start", NULL);
		w->calls++;
	}
	rpc_client_close(c);
	return NULL;
}

/* Calls per second from nthreads clients calling Get for ms. */
static double daemon_throughput(struct daemon_bench *b, int nthreads, int ms)
{
	struct daemon_worker w[DAEMON_THREADS];
	pthread_t th[DAEMON_THREADS];
	double t0 = daemon_host_now(), until = t0 + ms * 1e3;
	long calls = 0;

	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct daemon_worker){.b = b, .until = until};
		if (pthread_create(&th[i], NULL, daemon_worker_run, &w[i]) != 0)
			daemon_die("pthread_create");
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		calls += w[i].calls;
	}
	return (double)calls / ((daemon_host_now() - t0) / 1e6);
}

/* Get latency and throughput, and the socket round-trip baseline. */
static void daemon_phase_rpc(struct daemon_bench *b,
                             const struct daemon_opts *o,
                             struct daemon_figures *f)
{
	double *v = daemon_alloc(o->get_calls);

	daemon_get_latencies(b->rpc, v, o->get_calls / 10); /* warm-up */
	daemon_get_latencies(b->rpc, v, o->get_calls);
	f->get50 = daemon_quantile(v, o->get_calls, 0.5);
	f->get99 = daemon_quantile(v, o->get_calls, 0.99);
	daemon_pingpong(v, o->get_calls);
	f->ping50 = daemon_quantile(v, o->get_calls, 0.5);
	f->ping99 = daemon_quantile(v, o->get_calls, 0.99);
	f->tput1 = daemon_throughput(b, 1, o->tput_ms);
	f->tputn = daemon_throughput(b, DAEMON_THREADS, o->tput_ms);
	free(v);
}

/* How many services the host can take: the memory of one running
 * runtime process (with a margin) and the process limits. */
static int daemon_capacity(struct daemon_bench *b, int want,
                           struct daemon_figures *f)
{
	long avail = daemon_host_mem_available_kb(), nprocs;
	long per, fit = want;
	struct rlimit rl;
	int pid;

	daemon_rpc_state(b->rpc, "start", &pid);
	per = pid > 0 ? daemon_host_rss_kb(pid) : -1;
	f->runtime_rss_kb = per;
	/* Keep half of the available memory for everything else. */
	if (per > 0 && avail > 0 && avail / 2 / per < fit)
		fit = avail / 2 / per;
	nprocs = daemon_host_nprocs();
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    nprocs > 0 && (long)rl.rlim_cur - nprocs - 200 < fit)
		fit = (long)rl.rlim_cur - nprocs - 200;
	if (fit < want)
		snprintf(f->scale_note, sizeof(f->scale_note),
		         "the host could take only %ld of %d services "
		         "(MemAvailable %ld KiB, %ld KiB each, %ld processes)",
		         fit, want, avail, per, nprocs);
	return fit < 1 ? 1 : (int)fit;
}

/* Deploys n services that stay up (and do not write); waits until List
 * shows them all running, besides "start". */
static void daemon_deploy_many(struct daemon_bench *b, int n)
{
	double end;
	size_t running = 0;
	char name[32];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%04d", i);
		daemon_rpc_deploy(b->rpc, b->guest, b->watch, name, 2);
	}
	end = daemon_host_now() + DAEMON_WAIT_MS * 1e3;
	while (daemon_host_now() < end) {
		daemon_rpc_list(b->rpc, &running, NULL);
		if (running == (size_t)n + 1)
			return;
		daemon_host_sleep(10);
	}
	daemon_rpc_list_states(b->rpc);
	daemon_die("only %zu of %d services run", running, n + 1);
}

/* Removes s0000 .. s<n-1>. */
static void daemon_remove_many(struct daemon_bench *b, int n)
{
	char name[32];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%04d", i);
		daemon_rpc_op(b->rpc, "Remove", name);
	}
}

/* N services at once: List, RSS, idle CPU; then all removed. */
static void daemon_phase_scale(struct daemon_bench *b,
                               const struct daemon_opts *o,
                               struct daemon_figures *f)
{
	int n, reps = o->runs < 20 ? o->runs : 20;
	double *v = daemon_alloc(o->get_calls), t0;
	long mem0, t;

	f->asked_services = o->services;
	n = f->services = daemon_capacity(b, o->services, f);
	f->rss0 = daemon_host_rss_kb(b->daemon_pid);
	mem0 = daemon_host_mem_available_kb();
	t0 = daemon_host_now();
	daemon_deploy_many(b, n);
	f->deploy_s = (daemon_host_now() - t0) / 1e6;
	daemon_progress("scale: all running");
	f->mem_per_svc_kb = (mem0 - daemon_host_mem_available_kb()) / n;
	if (daemon_rpc_list(b->rpc, &f->running, &f->pss_kb) != (size_t)n + 1)
		daemon_die("List does not show %d services", n + 1);
	for (int i = 0; i < reps; i++) {
		t0 = daemon_host_now();
		daemon_rpc_list(b->rpc, &f->running, NULL);
		v[i] = daemon_host_now() - t0;
	}
	f->list_us = daemon_quantile(v, reps, 0.5);
	daemon_get_latencies(b->rpc, v, reps);
	f->get50_full = daemon_quantile(v, reps, 0.5);
	/* Idle: no client connected, nothing happening. */
	rpc_client_close(b->rpc);
	b->rpc = NULL;
	daemon_host_sleep(1000);
	daemon_progress("scale: idle");
	f->rss1 = daemon_host_rss_kb(b->daemon_pid);
	t = daemon_host_cpu_ticks(b->daemon_pid);
	daemon_host_sleep(o->idle_s * 1000);
	f->ticks = daemon_host_cpu_ticks(b->daemon_pid) - t;
	daemon_rpc_connect(b, DAEMON_WAIT_MS);
	daemon_progress("scale: removing");
	t0 = daemon_host_now();
	daemon_remove_many(b, n);
	f->remove_s = (daemon_host_now() - t0) / 1e6;
	free(v);
}

/* The table: figures, baselines and ratios. */
static void daemon_print(const struct daemon_opts *o,
                         const struct daemon_figures *f)
{
	double hz = (double)sysconf(_SC_CLK_TCK);

	printf("cloudabid figures: medians of %d runs unless said, "
	       "microseconds\n",
	       o->runs);
	printf("%-34s %10s %10s %7s  %s\n", "figure", "cloudabid", "baseline",
	       "ratio", "baseline");
	printf("%-34s %10.1f %10.1f %6.2fx  %s\n",
	       "start: Start RPC to 1st syscall", f->start, f->start_base,
	       f->start / f->start_base, "fork to 1st byte, static");
	printf("%-34s %10.1f %10s %7s  %s\n",
	       "  of which the Start RPC returns", f->start_rpc, "", "", "");
	printf("%-34s %10.1f %10.1f %6.2fx  %s\n",
	       "restart: crash to next start", f->restart, f->restart_base,
	       f->restart / f->restart_base, "fork+exec+wait loop period");
	printf("%-34s %10.1f %10.1f %6.2fx  %s\n", "Get latency p50", f->get50,
	       f->ping50, f->get50 / f->ping50,
	       "64-byte UNIX socket round trip");
	printf("%-34s %10.1f %10.1f %6.2fx  %s\n", "Get latency p99", f->get99,
	       f->ping99, f->get99 / f->ping99,
	       "64-byte UNIX socket round trip");
	printf("%-34s %10.0f %10s %7s\n", "Get calls/s, 1 client", f->tput1, "",
	       "");
	printf("%-34s %10.0f %10.0f %6.2fx  %s\n",
	       "Get calls/s, 4 clients (threads)", f->tputn, f->tput1,
	       f->tputn / f->tput1, "1 client");
	printf("scale: %d services running at once (%zu running by List)\n",
	       f->services, f->running);
	if (f->scale_note[0] != '\0')
		printf("  note: %s\n", f->scale_note);
	printf("%-34s %10.1f %10.1f %6.2fx  %s\n", "List latency (p50)",
	       f->list_us, f->get50_full, f->list_us / f->get50_full,
	       "Get p50, same moment");
	printf("%-34s %10ld %10ld %6.2fx  %s\n", "daemon VmRSS, KiB", f->rss1,
	       f->rss0, (double)f->rss1 / (double)f->rss0, "with 1 service");
	printf("%-34s %10.1f\n", "  daemon KiB per service",
	       (double)(f->rss1 - f->rss0) / f->services);
	printf("%-34s %10.1f %10ld  %s\n", "runtime process PSS, KiB each",
	       (double)f->pss_kb / (double)f->running, f->runtime_rss_kb,
	       "VmRSS of one");
	printf("%-34s %10ld %10s  %s\n", "host KiB per service",
	       f->mem_per_svc_kb, "", "MemAvailable drop / services");
	printf("%-34s %10.1f %10s  over %d s, %.3f%% of a CPU\n",
	       "daemon CPU while idle, ms", f->ticks * 1000.0 / hz, "",
	       o->idle_s, f->ticks * 100.0 / hz / o->idle_s);
	printf("%-34s %10.1f %10.1f  %s\n", "deploy all / remove all, s",
	       f->deploy_s, f->remove_s, "(one client, in sequence)");
}

/* Reads the options; returns 0 or prints the usage and returns 2. */
static int daemon_opts(int argc, char **argv, struct daemon_opts *o)
{
	int opt;

	*o = (struct daemon_opts){.runs = 200,
	                          .services = 1000,
	                          .idle_s = 10,
	                          .get_calls = 20000,
	                          .tput_ms = 3000,
	                          .tmpdir = "/tmp"};
	while ((opt = getopt(argc, argv, "qn:N:i:d:")) != -1) {
		if (opt == 'q')
			*o = (struct daemon_opts){.runs = 3,
			                          .services = 10,
			                          .idle_s = 1,
			                          .get_calls = 100,
			                          .tput_ms = 200,
			                          .tmpdir = o->tmpdir};
		else if (opt == 'n')
			o->runs = atoi(optarg);
		else if (opt == 'N')
			o->services = atoi(optarg);
		else if (opt == 'i')
			o->idle_s = atoi(optarg);
		else if (opt == 'd')
			o->tmpdir = optarg;
		else
			goto usage;
	}
	if (argc - optind != 4 || o->runs < 1 || o->runs > DAEMON_MAX_RUNS ||
	    o->services < 1 || o->services > DAEMON_MAX_SERVICES ||
	    o->idle_s < 1)
		goto usage;
	o->cloudabid = argv[optind];
	o->runtime = argv[optind + 1];
	o->guest = argv[optind + 2];
	o->stat = argv[optind + 3];
	return 0;
usage:
	fprintf(stderr,
	        "usage: bench_daemon [-q] [-n RUNS] [-N SERVICES] "
	        "[-i IDLE_S] [-d TMPDIR] cloudabid cloudabi-run daemon_guest "
	        "launch_static\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct daemon_figures f = {0};
	struct daemon_opts o;
	char *guest;

	if (daemon_opts(argc, argv, &o) != 0)
		return 2;
	/* The service file wants an absolute path. */
	if ((guest = realpath(o.guest, NULL)) == NULL)
		daemon_die("%s: %s", o.guest, strerror(errno));
	bench.guest = guest;
	daemon_setup(&bench, o.tmpdir);
	daemon_host_start(&bench, o.cloudabid, o.runtime);
	daemon_rpc_connect(&bench, DAEMON_WAIT_MS);
	daemon_progress("start");
	daemon_phase_start(&bench, &o, &f);
	daemon_progress("restart");
	daemon_phase_restart(&bench, &o, &f);
	daemon_progress("rpc");
	daemon_phase_rpc(&bench, &o, &f);
	daemon_progress("scale");
	daemon_phase_scale(&bench, &o, &f);
	daemon_progress("done");
	daemon_rpc_op(bench.rpc, "Remove", "start");
	daemon_print(&o, &f);
	free(guest);
	return 0;
}
