/*
 * bench_launch: what starting a CloudABI program costs, with and without
 * the sandbox, against a bare fork+exec+wait of a static binary measured
 * in the same run.
 *
 *   bench_launch [-q] [-n RUNS] [-o OFF_OPTION [-e NAME=VALUE]] RUN GUEST
 *                STATIC
 *
 * RUN is cloudabi-run, GUEST launch_guest, STATIC launch_static. Every
 * launch gets a pipe at fd 3 (the guest as its only grant, `!fd 3`); the
 * launched program's first action is to write a byte to it. Two times are
 * taken per launch: fork to that byte ("first instruction") and fork to
 * the end of waitpid ("whole run"). The configurations are run in turn,
 * so that a change of machine load touches them alike; each figure is
 * the median of RUNS launches. OFF_OPTION is a cloudabi-run option that
 * turns the sandbox off, with NAME=VALUE in its environment if given
 * (the third configuration is left out without it). The sandbox has no
 * plain off switch: `-e CLOUDABI_SANDBOX_SIMULATE_MISSING=landlock,seccomp
 * -o --insecure` runs without Landlock and seccomp. -q runs 3 launches of each,
 * for ctest: its figures mean nothing and no timing is ever asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAUNCH_MAX_RUNS 10000
#define LAUNCH_NCONFIGS 3
#define LAUNCH_WARMUP   5

extern char **environ;

/* One configuration: how it is started and what it measured (us). */
struct launch_config {
	const char *name;
	char *argv[8];
	char *env; /* NAME=VALUE added to the environment, or NULL */
	double *first, *whole;
};

/* Microseconds on the monotonic clock. */
static double launch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Ends the benchmark with a message naming what failed. */
static _Noreturn void launch_die(const char *what)
{
	fprintf(stderr, "bench_launch: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The child side: the pipe's write end becomes fd 3, then exec. */
static _Noreturn void launch_child(const struct launch_config *c, int wr)
{
	int null = open("/dev/null", O_WRONLY);

	if (dup2(wr, 3) < 0 || (c->env != NULL && putenv(c->env) != 0))
		_exit(126);
	/* The unsandboxed launch warns on every run (--insecure): keep the
	 * table readable. Its exit status still shows any failure. */
	if (c->env != NULL && (null < 0 || dup2(null, 2) < 0))
		_exit(126);
	execve(c->argv[0], c->argv, environ);
	_exit(127);
}

/* One launch of c: fills *first and *whole (us); exits on any failure,
 * since a broken launch would make the figures meaningless. */
static void launch_once(const struct launch_config *c, double *first,
                        double *whole)
{
	int p[2], status;
	double t0;
	pid_t pid;
	char byte;

	if (pipe2(p, O_CLOEXEC) != 0)
		launch_die("pipe2");
	t0 = launch_now();
	pid = fork();
	if (pid < 0)
		launch_die("fork");
	if (pid == 0)
		launch_child(c, p[1]);
	close(p[1]);
	if (read(p[0], &byte, 1) != 1) {
		errno = EPIPE;
		launch_die(c->name);
	}
	*first = launch_now() - t0;
	if (waitpid(pid, &status, 0) != pid)
		launch_die("waitpid");
	*whole = launch_now() - t0;
	close(p[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = ECHILD;
		launch_die(c->name);
	}
}

/* qsort order of doubles. */
static int launch_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n-1] (sorts v). */
static double launch_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), launch_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Writes the configuration every guest launch reads: one fd, the pipe. */
static char *launch_yaml(void)
{
	static const char yaml[] = "%TAG ! tag:nuxi.nl,2015:cloudabi/\n"
	                           "---\n!fd 3\n";
	static char path[] = "/tmp/bench_launch.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		launch_die("mkstemp");
	if (write(fd, yaml, sizeof(yaml) - 1) != (ssize_t)(sizeof(yaml) - 1))
		launch_die("write config");
	close(fd);
	return path;
}

/* Runs every configuration in turn, runs times, after a warm-up. */
static void launch_measure(struct launch_config *cs, int nc, int runs)
{
	double a, b;

	for (int i = 0; i < LAUNCH_WARMUP; i++)
		for (int k = 0; k < nc; k++)
			launch_once(&cs[k], &a, &b);
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < nc; k++)
			launch_once(&cs[k], &cs[k].first[i], &cs[k].whole[i]);
}

/* Prints the medians and the ratios against the static baseline. */
static void launch_print(struct launch_config *cs, int nc, int runs)
{
	double f[LAUNCH_NCONFIGS], w[LAUNCH_NCONFIGS];

	printf("median of %d launches, microseconds\n", runs);
	printf("%-28s %12s %7s %12s %7s\n", "launch", "first byte", "ratio",
	       "whole run", "ratio");
	for (int k = 0; k < nc; k++) {
		f[k] = launch_median(cs[k].first, runs);
		w[k] = launch_median(cs[k].whole, runs);
		printf("%-28s %12.1f %6.2fx %12.1f %6.2fx\n", cs[k].name, f[k],
		       f[k] / f[0], w[k], w[k] / w[0]);
	}
	if (nc == LAUNCH_NCONFIGS)
		printf("sandbox / no sandbox: first byte %.2fx, whole run "
		       "%.2fx\n",
		       f[1] / f[2], w[1] / w[2]);
}

/* Fills the configurations from the command line; returns how many. */
static int launch_configs(struct launch_config *cs, char **args, char *off,
                          char *env, char *yaml)
{
	char *run = args[0], *guest = args[1], *stat = args[2];
	char *c = "-c";

	cs[0] = (struct launch_config){.name = "static fork+exec+wait",
	                               .argv = {stat}};
	cs[1] = (struct launch_config){.name = "cloudabi-run, sandbox",
	                               .argv = {run, c, yaml, guest}};
	if (off == NULL)
		return 2;
	cs[2] = (struct launch_config){.name = "cloudabi-run, no sandbox",
	                               .argv = {run, off, c, yaml, guest},
	                               .env = env};
	return 3;
}

int main(int argc, char **argv)
{
	struct launch_config cs[LAUNCH_NCONFIGS];
	int opt, runs = 200, nc;
	char *off = NULL, *env = NULL, *yaml;

	while ((opt = getopt(argc, argv, "qn:o:e:")) != -1) {
		if (opt == 'q')
			runs = 3;
		else if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'o')
			off = optarg;
		else if (opt == 'e')
			env = optarg;
		else
			goto usage;
	}
	if (argc - optind != 3 || runs < 1 || runs > LAUNCH_MAX_RUNS)
		goto usage;
	yaml = launch_yaml();
	nc = launch_configs(cs, argv + optind, off, env, yaml);
	for (int k = 0; k < nc; k++) {
		cs[k].first = calloc((size_t)runs, sizeof(double));
		cs[k].whole = calloc((size_t)runs, sizeof(double));
		if (cs[k].first == NULL || cs[k].whole == NULL)
			launch_die("calloc");
	}
	launch_measure(cs, nc, runs);
	launch_print(cs, nc, runs);
	for (int k = 0; k < nc; k++) {
		free(cs[k].first);
		free(cs[k].whole);
	}
	unlink(yaml);
	return 0;
usage:
	fprintf(stderr, "usage: bench_launch [-q] [-n RUNS] [-o OFF_OPTION "
	                "[-e NAME=VALUE]] cloudabi-run launch_guest "
	                "launch_static\n");
	return 2;
}
