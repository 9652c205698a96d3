/*
 * daemon_host: the processes and host readings of bench/daemon. The
 * benchmark is a child subreaper, so that a service whose daemon died is
 * reparented to it and daemon_host_sweep can end it: services run in
 * sessions of their own, out of reach of a process group kill.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

double daemon_host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void daemon_host_sleep(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};

	/* In 1 ms steps, so that an interrupt is seen at once. */
	for (int i = 0; i < ms; i++) {
		if (daemon_interrupted)
			daemon_die("interrupted");
		nanosleep(&ts, NULL);
	}
}

/* The child side of daemon_host_start: output to the log, then exec. */
static _Noreturn void host_exec_daemon(const struct daemon_bench *b,
                                       const char *cloudabid,
                                       const char *runtime)
{
	char state[96], log[96];
	int fd;

	snprintf(state, sizeof(state), "%s/state", b->dir);
	snprintf(log, sizeof(log), "%s/daemon.log", b->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execl(cloudabid, cloudabid, "--foreground", "--state-dir", state,
	      "--socket", b->sock, "--runtime", runtime, "--stop-on-exit",
	      (char *)NULL);
	_exit(127);
}

void daemon_host_start(struct daemon_bench *b, const char *cloudabid,
                       const char *runtime)
{
	pid_t pid = fork();

	if (pid < 0)
		daemon_die("fork: %s", strerror(errno));
	if (pid == 0)
		host_exec_daemon(b, cloudabid, runtime);
	b->daemon_pid = pid;
}

void daemon_host_stop(struct daemon_bench *b, int timeout_ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};
	int status;

	if (b->daemon_pid <= 0)
		return;
	kill(b->daemon_pid, SIGTERM);
	for (int i = 0; i < timeout_ms / 10; i++) {
		if (waitpid(b->daemon_pid, &status, WNOHANG) == b->daemon_pid) {
			b->daemon_pid = 0;
			return;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr,
	        "bench_daemon: cloudabid did not stop in %d ms, "
	        "killing it\n",
	        timeout_ms);
	kill(b->daemon_pid, SIGKILL);
	waitpid(b->daemon_pid, &status, 0);
	b->daemon_pid = 0;
}

/* The parent pid field of /proc/<name>/stat, or -1. */
static pid_t host_ppid(const char *name)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to the
	 * last ')'. Then " S ppid". */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	return (pid_t)strtol(p + 4, NULL, 10);
}

/* One pass over /proc: SIGKILL to our children; how many there were. */
static int host_kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (host_ppid(e->d_name) == me) {
			kill((pid_t)atoi(e->d_name), SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

void daemon_host_sweep(void)
{
	/* A killed runtime's own children (none today) would come next:
	 * repeat until a pass finds nobody. */
	for (int pass = 0; pass < 50 && host_kill_children() > 0; pass++)
		while (waitpid(-1, NULL, 0) > 0)
			;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* nftw callback: removes one entry, children first. */
static int host_rm(const char *path, const struct stat *st, int flag,
                   struct FTW *ftw)
{
	remove(path);
	return 0;
}

void daemon_host_rmtree(const char *path)
{
	nftw(path, host_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The number after key in a "Key:   value" file such as /proc/meminfo. */
static long host_field(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

long daemon_host_rss_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return host_field(path, "VmRSS");
}

long daemon_host_pss_kb(pid_t pid)
{
	char path[64];
	long v;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	v = host_field(path, "Pss");
	return v < 0 ? 0 : v;
}

long daemon_host_mem_available_kb(void)
{
	return host_field("/proc/meminfo", "MemAvailable");
}

long daemon_host_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
		return -1;
	/* After ')': state (field 3) ... utime is field 14, stime 15. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	           &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

long daemon_host_nprocs(void)
{
	long running, total;
	FILE *f = fopen("/proc/loadavg", "re");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%*f %*f %*f %ld/%ld", &running, &total) != 2)
		total = -1;
	fclose(f);
	return total;
}

double daemon_host_arrival(struct daemon_bench *b, int timeout_ms, char *buf,
                           size_t size)
{
	double end = daemon_host_now() + timeout_ms * 1e3;
	ssize_t n;

	/* The socket has a 100 ms receive timeout: look at the deadline and
	 * at interrupts between tries. */
	while (daemon_host_now() < end) {
		if (daemon_interrupted)
			daemon_die("interrupted");
		n = recv(b->watch_fd, buf, size - 1, 0);
		if (n >= 0) {
			buf[n] = '\0';
			return daemon_host_now();
		}
		if (errno != EAGAIN && errno != EINTR)
			daemon_die("recv: %s", strerror(errno));
	}
	return -1;
}

void daemon_host_drain(struct daemon_bench *b)
{
	char buf[64];

	while (recv(b->watch_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}
