/*
 * sys_proc: process system calls (proc_*). The work is in procdesc.c
 * (fork, process descriptors, signals) and exec.c (exec).
 */
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec.h"
#include "procdesc.h"
#include "rtthread.h"
#include "sys.h"

cloudabi_errno_t cloudabi_sys_proc_exec(cloudabi_fd_t fd, const void *data,
                                        size_t data_len,
                                        const cloudabi_fd_t *fds,
                                        size_t fds_len)
{
	return exec_image(fd, data, data_len, fds, fds_len);
}

RTTHREAD_NO_ASAN _Noreturn void cloudabi_sys_proc_exit(cloudabi_exitcode_t rval)
{
	/* All threads end; buffered runtime output is not the program's. */
	_exit((int)rval);
}

cloudabi_errno_t cloudabi_sys_proc_fork(cloudabi_fd_t *fd, cloudabi_tid_t *tid)
{
	return procdesc_fork(fd, tid);
}

/* Whether CloudABI's default action for sig is to do nothing (the process
 * is running, so "continue if stopped" is nothing too). */
static bool sys_proc_ignored(cloudabi_signal_t sig)
{
	return sig == CLOUDABI_SIGCHLD || sig == CLOUDABI_SIGCONT ||
	       sig == CLOUDABI_SIGPIPE || sig == CLOUDABI_SIGURG;
}

cloudabi_errno_t cloudabi_sys_proc_raise(cloudabi_signal_t sig)
{
	int lsig = procdesc_sig_to_linux(sig);
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t set;

	if (lsig == 0)
		return CLOUDABI_EINVAL;
	if (sys_proc_ignored(sig))
		return CLOUDABI_ESUCCESS;
	/*
	 * The runtime catches SIGSEGV and SIGBUS for usercopy; the default
	 * disposition makes the process end (or stop) as the spec says, and
	 * the parent sees the same signal.
	 */
	sigaction(lsig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, lsig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* Delivered to this thread before the system call returns. */
	syscall(SYS_tgkill, getpid(), gettid(), lsig);
	/* Back from a stop (SIGCONT), or the signal was discarded. */
	return CLOUDABI_ESUCCESS;
}
