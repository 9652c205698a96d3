/*
 * spawn: launches a service through the runtime, `cloudabi-run
 * --exec-state FD`, with a process descriptor.
 *
 * The child is created with clone(CLONE_VM | CLONE_PIDFD) on a small
 * stack of its own, so the cost does not grow with the daemon's memory
 * (no page tables are copied). It runs only raw system calls, no libc:
 * it shares the daemon's memory and thread-local storage (errno). It
 * waits at a gate (a pipe) before it execs: the daemon first records the
 * instance (pid and kernel start time) in the store and only then opens
 * the gate with spawn_release. If the daemon dies in between, the gate's
 * write end closes, the child reads end-of-file and exits without exec:
 * a process is never running without a record, so a restarted daemon
 * never starts a second copy.
 *
 * The child: resets signal handlers, waits at the gate, starts a new
 * session (its process group is the tree spawn_kill signals), puts /dev/null on
 * 0 and the log pipe on 1 and 2 (the runtime's diagnostics), makes every other
 * fd close-on-exec except the granted ones, the executable and the state memfd,
 * and execs. An exec failure travels back as an errno over a close-on-exec
 * pipe.
 *
 * Ownership: fds in the request are borrowed (the daemon keeps granted
 * resources across restarts). struct spawn_child owns pidfd and its
 * internal fds and stack until spawn_release/spawn_abort; after a
 * successful release the caller owns pidfd and must close it.
 */
#ifndef CLOUDABID_SPAWN_H
#define CLOUDABID_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "launchstate.h"

#define SPAWN_MAX_FDS  256 /* granted fds per service */
#define SPAWN_MAX_ARGS 16  /* runtime options */

struct spawn_request {
	const char *runtime_path; /* cloudabi-run */
	int exe_fd;               /* the CloudABI executable, readable */
	int log_fd;               /* write end of the log pipe */
	/* Granted fds (host numbers in the daemon), in program order. */
	const struct launchstate_fd *fds;
	size_t nfds;
	const void *argdata; /* encoded with fds numbered 0..nfds-1 */
	size_t argdata_len;
	/* Options for cloudabi-run before --exec-state (--user, --group,
	 * --limit-*: the runtime applies them in its sandbox); borrowed. */
	const char *const *args;
	size_t nargs; /* at most SPAWN_MAX_ARGS */
};

struct spawn_ctx; /* what the child reads (private) */

struct spawn_child {
	pid_t pid;
	int pidfd;
	uint64_t start_time; /* procstat start time of pid */
	struct spawn_ctx *ctx;
};

/* How a process ended. */
struct spawn_status {
	int code;   /* exit status when signal is 0 */
	int signal; /* terminating signal, or 0 */
	bool core_dumped;
};

/*
 * Creates the child, stopped at the gate. Returns 0 with *c filled, or a
 * negative errno (nothing left behind).
 */
int spawn_prepare(const struct spawn_request *r, struct spawn_child *c);

/*
 * Opens the gate and waits (briefly: until exec) for the result. Returns
 * 0 when the runtime is executing (the caller now owns c->pidfd), or the
 * child's negative errno when exec failed (the child is reaped, pidfd
 * closed).
 */
int spawn_release(struct spawn_child *c);

/* Closes the gate: the child exits without exec and is reaped. */
void spawn_abort(struct spawn_child *c);

/*
 * Reaps an ended child of ours through its pidfd without blocking.
 * Returns 0 with *st, -EAGAIN if it is still running, -ECHILD if it is
 * not our child (a re-adopted process), or another negative errno.
 */
int spawn_reap(int pidfd, struct spawn_status *st);

/*
 * Sends sig to the process (through its pidfd: never to a reused pid) and
 * to its process group, which holds what the program forked.
 */
int spawn_kill(int pidfd, pid_t pid, int sig);

#endif
