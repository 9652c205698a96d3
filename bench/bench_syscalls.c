/*
 * bench_syscalls: the cost of a system call under cloudabi-run against
 * the same operation done natively, in the same run.
 *
 *   bench_syscalls [-q] path/to/cloudabi-run path/to/syscalls_guest
 *
 * The native side is timed here; the CloudABI side by syscalls_guest
 * (syscalls_guest.c), which prints its figures on a pipe. Each figure is
 * the median of several runs of many calls. -q (quick) runs few calls,
 * to check that everything still works (a ctest case); its figures mean
 * nothing. Timing is never asserted: machines differ.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_REPEATS 31
#define BENCH_NOPS        5

extern char **environ;

/* One row of the table: the guest's name and the native counterpart. */
struct bench_row {
	const char *name, *native_name;
	uint64_t (*native)(uint64_t n); /* ps per call over n calls */
	double guest_ns, native_ns;
	int guest_ok;
};

static int bench_null = -1;
static atomic_uint bench_word;

/* Nanoseconds on the monotonic clock. */
static uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* write(2) of one byte to /dev/null, n times; ps per call. */
static uint64_t bench_write(uint64_t n)
{
	uint64_t t0 = bench_now();

	for (uint64_t i = 0; i < n; i++)
		if (write(bench_null, "x", 1) != 1)
			abort();
	return (bench_now() - t0) * 1000 / n;
}

/* clock_gettime(CLOCK_MONOTONIC), n times. */
static uint64_t bench_clock(uint64_t n)
{
	struct timespec ts;
	uint64_t t0 = bench_now();

	for (uint64_t i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (bench_now() - t0) * 1000 / n;
}

/* sched_yield(), n times. */
static uint64_t bench_yield(uint64_t n)
{
	uint64_t t0 = bench_now();

	for (uint64_t i = 0; i < n; i++)
		sched_yield();
	return (bench_now() - t0) * 1000 / n;
}

/* Uncontended compare-and-swap acquire and store release, n times. */
static uint64_t bench_lock_pair(uint64_t n)
{
	uint64_t t0 = bench_now();

	for (uint64_t i = 0; i < n; i++) {
		unsigned old = 0;
		if (!atomic_compare_exchange_strong_explicit(
		            &bench_word, &old, 1, memory_order_acquire,
		            memory_order_relaxed))
			abort();
		atomic_store_explicit(&bench_word, 0, memory_order_release);
	}
	return (bench_now() - t0) * 1000 / n;
}

/* The same acquire, then a release that wakes through futex(2) as a
 * lock with the waiters bit set does (no one waits). */
static uint64_t bench_futex_pair(uint64_t n)
{
	uint64_t t0 = bench_now();

	for (uint64_t i = 0; i < n; i++) {
		unsigned old = 0;
		if (!atomic_compare_exchange_strong_explicit(
		            &bench_word, &old, 2, memory_order_acquire,
		            memory_order_relaxed))
			abort();
		atomic_store_explicit(&bench_word, 0, memory_order_release);
		syscall(SYS_futex, &bench_word, FUTEX_WAKE_PRIVATE, 1, NULL,
		        NULL, 0);
	}
	return (bench_now() - t0) * 1000 / n;
}

/* Median in ns of `repeats` timings of f over n calls. */
static double bench_median(uint64_t (*f)(uint64_t), uint64_t n,
                           unsigned repeats)
{
	uint64_t ps[BENCH_MAX_REPEATS];

	for (unsigned i = 0; i < repeats; i++) {
		ps[i] = f(n);
		for (unsigned j = i; j > 0 && ps[j - 1] > ps[j]; j--) {
			uint64_t t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
	}
	return (double)ps[repeats / 2] / 1000.0;
}

/* Writes the guest's YAML configuration to a new temporary file. */
static int bench_config(char *path, uint64_t n, unsigned repeats)
{
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return -errno;
	fprintf(f,
	        "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
	        "out: !fd stdout\n"
	        "null: !file {path: /dev/null, mode: write}\n"
	        "iterations: !!int %llu\nrepeats: !!int %u\n",
	        (unsigned long long)n, repeats);
	return fclose(f) == 0 ? 0 : -errno;
}

/* Stores one "name value" line of the guest in its row. */
static int bench_parse(struct bench_row *rows, const char *line)
{
	char name[32];
	unsigned long long ps;

	for (int i = 0; i < BENCH_NOPS; i++) {
		size_t len = strlen(rows[i].name);
		if (strncmp(line, rows[i].name, len) != 0 || line[len] != ' ')
			continue;
		if (sscanf(line, "%31s %llu", name, &ps) == 2) {
			rows[i].guest_ns = (double)ps / 1000.0;
			rows[i].guest_ok = 1;
		}
		return 0;
	}
	fprintf(stderr, "bench_syscalls: unexpected line: %s", line);
	return -EPROTO;
}

/* Whether to run the guest without the sandbox's kernel layers (-u). */
static int bench_unsandboxed;

/* Runs the guest under cloudabi-run and reads its figures. With -u the
 * runtime runs with --insecure and Landlock and seccomp reported missing
 * (the sandbox's test hook): the runtime's own cost, without the
 * filter's on every call that enters the kernel. */
static int bench_guest(const char *run, const char *guest, uint64_t n,
                       unsigned repeats, struct bench_row *rows)
{
	char cfg[] = "/tmp/bench_syscalls.XXXXXX", line[128];
	char *argv[] = {(char *)run, "-c", cfg, (char *)guest, NULL, NULL};
	posix_spawn_file_actions_t fa;
	int p[2], status, rc;
	pid_t pid;
	FILE *in;

	if ((rc = bench_config(cfg, n, repeats)) != 0)
		return rc;
	if (pipe(p) != 0) {
		rc = -errno;
		goto out;
	}
	if (bench_unsandboxed) {
		/* cloudabi-run --insecure -c cfg guest */
		memmove(argv + 2, argv + 1, 3 * sizeof(argv[0]));
		argv[1] = "--insecure";
		setenv("CLOUDABI_SANDBOX_SIMULATE_MISSING", "landlock,seccomp",
		       1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	rc = -posix_spawn(&pid, run, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0 || (in = fdopen(p[0], "r")) == NULL) {
		close(p[0]);
		goto out;
	}
	while (fgets(line, sizeof(line), in) != NULL)
		if (rc == 0)
			rc = bench_parse(rows, line);
	fclose(in);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_syscalls: the guest failed (%#x)\n",
		        status);
		rc = -ECHILD;
	}
out:
	unlink(cfg);
	return rc;
}

/* Prints the table; a guest row that did not run shows "n/a". */
static void bench_print(const struct bench_row *rows)
{
	printf("%-16s %14s %14s %7s  %s\n", "operation", "cloudabi-run",
	       "native", "ratio", "native operation");
	for (int i = 0; i < BENCH_NOPS; i++) {
		const struct bench_row *r = &rows[i];
		if (r->guest_ok)
			printf("%-16s %11.1f ns %11.1f ns %6.2fx  %s\n",
			       r->name, r->guest_ns, r->native_ns,
			       r->native_ns > 0 ? r->guest_ns / r->native_ns
			                        : 0.0,
			       r->native_name);
		else
			printf("%-16s %14s %11.1f ns %7s  %s\n", r->name, "n/a",
			       r->native_ns, "-", r->native_name);
	}
}

int main(int argc, char **argv)
{
	struct bench_row rows[BENCH_NOPS] = {
	        {"fd_write", "write(2) 1 byte to /dev/null", bench_write, 0, 0,
	         0},
	        {"clock_time_get", "clock_gettime(MONOTONIC)", bench_clock, 0,
	         0, 0},
	        {"thread_yield", "sched_yield(2)", bench_yield, 0, 0, 0},
	        {"lock_pair", "CAS acquire + store release", bench_lock_pair, 0,
	         0, 0},
	        {"lock_unlock", "CAS + store + futex(WAKE)", bench_futex_pair,
	         0, 0, 0},
	};
	uint64_t n = 200000;
	unsigned repeats = 11;
	int quick = 0, opt;

	while ((opt = getopt(argc, argv, "qu")) != -1) {
		if (opt == 'q')
			quick = 1;
		else if (opt == 'u')
			bench_unsandboxed = 1;
		else
			optind = argc + 1; /* usage below */
	}
	if (argc - optind != 2) {
		fputs("usage: bench_syscalls [-q] [-u] cloudabi-run guest\n",
		      stderr);
		return 2;
	}
	if (quick)
		n = 2000, repeats = 3;
	if ((bench_null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		perror("bench_syscalls: /dev/null");
		return 1;
	}
	for (int i = 0; i < BENCH_NOPS; i++)
		rows[i].native_ns = bench_median(rows[i].native, n, repeats);
	if (bench_guest(argv[optind], argv[optind + 1], n, repeats, rows) != 0)
		return 1;
	printf("median of %u runs of %llu calls each, %s\n", repeats,
	       (unsigned long long)n,
	       bench_unsandboxed ? "runtime without the sandbox layers (-u)"
	                         : "sandboxed (seccomp filter installed)");
	bench_print(rows);
	/* Every call the runtime serves must have given a figure. */
	return rows[0].guest_ok && rows[1].guest_ok && rows[2].guest_ok &&
	                       rows[3].guest_ok
	               ? 0
	               : 1;
}
