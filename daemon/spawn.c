/*
 * spawn: the launch path of cloudabid. See spawn.h.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procstat.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The child uses a few hundred bytes; a page of guard is below it. */
#define SPAWN_STACK (64 * 1024)

/*
 * Everything the child reads, prepared by the parent before clone and
 * kept unchanged until the child has execed or exited.
 */
struct spawn_ctx {
	int gate_r, gate_w; /* the child waits on gate_r */
	int err_r, err_w;   /* close-on-exec: exec's errno */
	int mfd;            /* the launch state */
	int log_fd;
	const char *runtime;
	/* The parent's own view: the child reads the fields above while the
	 * parent goes on, so the parent never writes them after clone. */
	int p_gate_w, p_err_r;
	bool cloned;
	char *argv[SPAWN_MAX_ARGS + 4];
	char *envp[1];
	char mfd_arg[16];
	int *keep; /* fds to pass, besides 0..2 */
	size_t nkeep;
	/* Copies made so that no passed fd is below 3 (see spawn_low). */
	int *dups;
	size_t ndups;
	void *stack;
};

/*
 * A system call without libc. The child shares the daemon's memory and,
 * without CLONE_SETTLS, its thread-local storage too: a libc call in the
 * child would write the daemon's errno while the daemon runs on (and,
 * for instance, reads it after strtoull). Returns the result or -errno.
 */
static long spawn_sys(long nr, long a, long b, long c, long d)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
	                 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc 0"
	                 : "+r"(x0)
	                 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
	                 : "memory");
	ret = x0;
#else
#error "spawn_sys: no raw system calls for this architecture"
#endif
	return ret;
}

/* Ends the child (only the child: it is a process of its own). */
static _Noreturn void spawn_child_exit(int code)
{
	for (;;)
		spawn_sys(SYS_exit_group, code, 0, 0, 0);
}

/* Reports the negative errno e to the parent and ends the child. */
static _Noreturn void spawn_child_fail(struct spawn_ctx *c, long e)
{
	int v = (int)-e;

	spawn_sys(SYS_write, c->err_w, (long)&v, sizeof(v), 0);
	spawn_child_exit(127);
}

/* dup2 from raw calls: dup3 refuses equal fds, where dup2 only clears
 * close-on-exec. */
static long spawn_child_dup2(int from, int to)
{
	if (from == to)
		return spawn_sys(SYS_fcntl, to, F_SETFD, 0, 0);
	return spawn_sys(SYS_dup3, from, to, 0, 0);
}

/* Puts /dev/null on 0 and the log pipe on 1 and 2. */
static long spawn_child_stdio(struct spawn_ctx *c)
{
	long null = spawn_sys(SYS_openat, AT_FDCWD, (long)"/dev/null",
	                      O_RDONLY | O_CLOEXEC, 0);
	long rc;

	if (null < 0)
		return null;
	if ((rc = spawn_child_dup2((int)null, 0)) < 0 ||
	    (rc = spawn_child_dup2(c->log_fd, 1)) < 0 ||
	    (rc = spawn_child_dup2(c->log_fd, 2)) < 0)
		return rc;
	if (null > 2)
		spawn_sys(SYS_close, null, 0, 0, 0);
	return 0;
}

/* The kernel's struct sigaction (what rt_sigaction takes). */
struct spawn_ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* The child: raw system calls only (spawn_sys), on its own small stack. */
static int spawn_child_main(void *arg)
{
	struct spawn_ctx *c = arg;
	struct spawn_ksigaction dfl = {.handler = SIG_DFL};
	uint64_t none = 0;
	char b;
	long rc;

	/* Handlers are a copy of the daemon's: none may run here. */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			spawn_sys(SYS_rt_sigaction, sig, (long)&dfl, 0,
			          sizeof(dfl.mask));
	spawn_sys(SYS_close, c->gate_w, 0, 0, 0);
	if (spawn_sys(SYS_read, c->gate_r, (long)&b, 1, 0) != 1)
		spawn_child_exit(127); /* the daemon died before recording us */
	if ((rc = spawn_sys(SYS_setsid, 0, 0, 0, 0)) < 0)
		spawn_child_fail(c, rc);
	if ((rc = spawn_child_stdio(c)) != 0)
		spawn_child_fail(c, rc);
	if ((rc = spawn_sys(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC, 0)) !=
	    0)
		spawn_child_fail(c, rc);
	for (size_t i = 0; i < c->nkeep; i++)
		if ((rc = spawn_sys(SYS_fcntl, c->keep[i], F_SETFD, 0, 0)) != 0)
			spawn_child_fail(c, rc);
	spawn_sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0,
	          sizeof(none));
	rc = spawn_sys(SYS_execve, (long)c->runtime, (long)c->argv,
	               (long)c->envp, 0);
	spawn_child_fail(c, rc);
}

/* Frees the context and closes what it holds (not the caller's fds). */
static void spawn_ctx_free(struct spawn_ctx *c)
{
	if (c == NULL)
		return;
	int fds[] = {c->gate_r, c->gate_w, c->err_r, c->err_w, c->mfd};

	if (c->cloned) {
		/* gate_r and err_w were closed at clone; these are left. */
		fds[0] = fds[3] = -1;
		fds[1] = c->p_gate_w;
		fds[2] = c->p_err_r;
	}

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (size_t i = 0; i < c->ndups; i++)
		close(c->dups[i]);
	if (c->stack != NULL)
		munmap(c->stack, SPAWN_STACK);
	free(c->keep);
	free(c->dups);
	free(c);
}

/* fd, or a close-on-exec copy at 3 or above when fd is 0..2. */
static int spawn_low(struct spawn_ctx *c, int fd)
{
	int d;

	if (fd > 2)
		return fd;
	if ((d = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return -errno;
	c->dups[c->ndups++] = d;
	return d;
}

/* Writes the launch state into a new memfd with the fds as the child
 * will hold them. */
static int spawn_state(struct spawn_ctx *c, const struct spawn_request *r)
{
	struct launchstate_fd *fds = calloc(r->nfds + 1, sizeof(*fds));
	int exe, rc = 0;

	c->mfd = memfd_create("cloudabid-launch", MFD_CLOEXEC);
	if (fds == NULL || c->mfd < 0) {
		rc = fds == NULL ? -ENOMEM : -errno;
		goto out;
	}
	if ((exe = spawn_low(c, r->exe_fd)) < 0) {
		rc = exe;
		goto out;
	}
	c->keep[c->nkeep++] = c->mfd;
	c->keep[c->nkeep++] = exe;
	for (size_t i = 0; i < r->nfds; i++) {
		fds[i] = r->fds[i];
		if ((fds[i].fd = spawn_low(c, r->fds[i].fd)) < 0) {
			rc = fds[i].fd;
			goto out;
		}
		c->keep[c->nkeep++] = fds[i].fd;
	}
	rc = launchstate_write(c->mfd, exe, STDERR_FILENO, 0, fds, r->nfds,
	                       r->argdata, r->argdata_len);
out:
	free(fds);
	return rc;
}

/* Builds the child's context: pipes, state, argv, stack. */
static int spawn_ctx_new(const struct spawn_request *r, struct spawn_ctx **out)
{
	struct spawn_ctx *c = calloc(1, sizeof(*c));
	int gate[2], err[2], rc;

	if (c == NULL)
		return -ENOMEM;
	c->gate_r = c->gate_w = c->err_r = c->err_w = c->mfd = -1;
	c->keep = calloc(r->nfds + 2, sizeof(int));
	c->dups = calloc(r->nfds + 2, sizeof(int));
	c->stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (c->stack == MAP_FAILED)
		c->stack = NULL;
	if (c->keep == NULL || c->dups == NULL || c->stack == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (pipe2(gate, O_CLOEXEC) != 0 ||
	    (c->gate_r = gate[0], c->gate_w = gate[1],
	     pipe2(err, O_CLOEXEC) != 0)) {
		rc = -errno;
		goto fail;
	}
	c->err_r = err[0];
	c->err_w = err[1];
	if ((rc = spawn_low(c, r->log_fd)) < 0)
		goto fail;
	c->log_fd = rc;
	if ((rc = spawn_state(c, r)) != 0)
		goto fail;
	c->runtime = r->runtime_path;
	snprintf(c->mfd_arg, sizeof(c->mfd_arg), "%d", c->mfd);
	c->argv[0] = "cloudabi-run";
	for (size_t i = 0; i < r->nargs; i++)
		c->argv[1 + i] = (char *)r->args[i];
	c->argv[1 + r->nargs] = "--exec-state";
	c->argv[2 + r->nargs] = c->mfd_arg;
	*out = c;
	return 0;
fail:
	spawn_ctx_free(c);
	return rc;
}

int spawn_prepare(const struct spawn_request *r, struct spawn_child *c)
{
	struct spawn_ctx *x;
	sigset_t all, old;
	int pidfd = -1, rc;
	pid_t pid;

	if (r->nfds > SPAWN_MAX_FDS || r->nargs > SPAWN_MAX_ARGS)
		return -E2BIG;
	if ((rc = spawn_ctx_new(r, &x)) != 0)
		return rc;
	/* Blocked until the child has reset its handlers. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(spawn_child_main, (char *)x->stack + SPAWN_STACK,
	            CLONE_VM | CLONE_PIDFD | SIGCHLD, x, &pidfd);
	rc = pid < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		spawn_ctx_free(x);
		return rc;
	}
	close(x->gate_r);
	close(x->err_w);
	x->p_gate_w = x->gate_w;
	x->p_err_r = x->err_r;
	x->cloned = true;
	*c = (struct spawn_child){.pid = pid, .pidfd = pidfd, .ctx = x};
	/* Known from clone on: exec does not change it. */
	if ((rc = procstat_start_time(pid, &c->start_time)) != 0) {
		spawn_abort(c);
		return rc;
	}
	return 0;
}

/* Waits for the child to end and reaps it (it is about to exit). */
static void spawn_wait(struct spawn_child *c)
{
	siginfo_t si;

	while (waitid(P_PIDFD, (id_t)c->pidfd, &si, WEXITED) != 0 &&
	       errno == EINTR)
		;
	close(c->pidfd);
	c->pidfd = -1;
}

int spawn_release(struct spawn_child *c)
{
	struct spawn_ctx *x = c->ctx;
	char go = 1;
	int e = 0;
	ssize_t n;

	if (write(x->p_gate_w, &go, 1) != 1) {
		spawn_abort(c);
		return -EPIPE;
	}
	/* End-of-file: exec closed err_w. Else the child's errno. */
	while ((n = read(x->p_err_r, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n != 0)
		spawn_wait(c);
	/* The child no longer runs on the stack: free it. */
	spawn_ctx_free(x);
	c->ctx = NULL;
	if (n == 0)
		return 0;
	return n == sizeof(e) && e > 0 ? -e : -ECHILD;
}

void spawn_abort(struct spawn_child *c)
{
	struct spawn_ctx *x = c->ctx;

	close(x->p_gate_w);
	x->p_gate_w = -1;
	spawn_wait(c);
	spawn_ctx_free(x);
	c->ctx = NULL;
}

int spawn_reap(int pidfd, struct spawn_status *st)
{
	siginfo_t si = {0};

	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) != 0)
		return -errno;
	if (si.si_pid == 0)
		return -EAGAIN;
	*st = (struct spawn_status){0};
	if (si.si_code == CLD_EXITED)
		st->code = si.si_status;
	else {
		st->signal = si.si_status;
		st->core_dumped = si.si_code == CLD_DUMPED;
	}
	return 0;
}

int spawn_kill(int pidfd, pid_t pid, int sig)
{
	int rc = 0;

	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) != 0)
		rc = -errno;
	/* The group id cannot be reused while its leader is not reaped. */
	if (kill(-pid, sig) != 0 && rc == 0 && errno != ESRCH)
		rc = -errno;
	return rc;
}
