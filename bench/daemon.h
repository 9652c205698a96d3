/*
 * bench/daemon: figures of cloudabid (start and restart latency, RPC
 * latency and throughput, 1,000 services at once), each against a
 * baseline measured in the same run. See docs/benchmarks.md.
 *
 * daemon_host.c starts and ends processes and reads /proc; daemon_rpc.c
 * wraps the calls the benchmark makes with the C client (cli/rpc_client);
 * daemon.c runs the phases and prints the table. Every failure ends the
 * benchmark through daemon_die, whose atexit handler leaves no process
 * and no file behind.
 */
#ifndef BENCH_DAEMON_H
#define BENCH_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpc_client.h"

/* What one run works with; one instance, owned by main. */
struct daemon_bench {
	char dir[64];    /* private directory (state, socket, log) */
	char sock[128];  /* the daemon's control socket */
	char watch[128]; /* the datagram socket guests write to */
	const char *guest;
	pid_t daemon_pid; /* 0 once gone */
	int watch_fd;     /* bound datagram socket, read by the benchmark */
	struct rpc_client *rpc;
};

/* Set by SIGINT/SIGTERM/SIGHUP: every wait checks it and gives up. */
extern volatile sig_atomic_t daemon_interrupted;

/* Ends the benchmark (exit 1) naming what failed; atexit cleans up. */
_Noreturn void daemon_die(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

/* --- daemon_host.c --- */
/* Microseconds on the monotonic clock. */
double daemon_host_now(void);
/* Sleeps ms milliseconds, dying early if interrupted. */
void daemon_host_sleep(int ms);
/* Starts cloudabid on b's private socket and state directory. */
void daemon_host_start(struct daemon_bench *b, const char *cloudabid,
                       const char *runtime);
/* SIGTERM to the daemon, SIGKILL after timeout_ms; reaps it. */
void daemon_host_stop(struct daemon_bench *b, int timeout_ms);
/* Kills and reaps every process left reparented to us (subreaper). */
void daemon_host_sweep(void);
/* Removes the directory tree at path (errors ignored). */
void daemon_host_rmtree(const char *path);
/* VmRSS of pid in KiB, or -1. */
long daemon_host_rss_kb(pid_t pid);
/* Pss of pid in KiB (smaps_rollup: shared pages split), or 0. */
long daemon_host_pss_kb(pid_t pid);
/* utime + stime of pid in clock ticks, or -1. */
long daemon_host_cpu_ticks(pid_t pid);
/* MemAvailable of the host in KiB, or -1. */
long daemon_host_mem_available_kb(void);
/* Processes and threads on the host now (from /proc/loadavg), or -1. */
long daemon_host_nprocs(void);
/* Receives one datagram from the watch socket: its arrival time (us), or
 * a negative value after timeout_ms. buf gets the bytes, NUL-ended. */
double daemon_host_arrival(struct daemon_bench *b, int timeout_ms, char *buf,
                           size_t size);
/* Drops every datagram already queued on the watch socket. */
void daemon_host_drain(struct daemon_bench *b);

/* --- daemon_rpc.c --- */
/* Connects b->rpc, waiting up to timeout_ms for the daemon to listen. */
void daemon_rpc_connect(struct daemon_bench *b, int timeout_ms);
/* Deploys a service of daemon_guest: mode 0 crashes, 1 stays up. */
void daemon_rpc_deploy(struct rpc_client *c, const char *guest,
                       const char *watch, const char *name, int mode);
/* Start, Stop, Restart or Remove (method) of name; dies on error. */
void daemon_rpc_op(struct rpc_client *c, const char *method, const char *name);
/* Get of name: its state (enum ServiceState); *pid if not NULL. */
int daemon_rpc_state(struct rpc_client *c, const char *name, int *pid);
/* Waits up to timeout_ms for name to reach state. */
void daemon_rpc_wait_state(struct rpc_client *c, const char *name, int state,
                           int timeout_ms);
/* List: how many services, and how many of them run (*running); with
 * pss_kb, the sum of their processes' proportional set sizes. */
size_t daemon_rpc_list(struct rpc_client *c, size_t *running, long *pss_kb);

/* Prints how many services are in each state, and one service's message
 * per state, to stderr: what went wrong when some never started. */
void daemon_rpc_list_states(struct rpc_client *c);

#endif
