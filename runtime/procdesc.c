/*
 * procdesc: process descriptors and signal numbers. See procdesc.h.
 */
#include "procdesc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "launch.h"
#include "rtthread.h"
#include "usercopy.h"

/* Linux signal of each CloudABI signal, indexed by the CloudABI number. */
static const int procdesc_signals[] = {
        [CLOUDABI_SIGABRT] = SIGABRT, [CLOUDABI_SIGALRM] = SIGALRM,
        [CLOUDABI_SIGBUS] = SIGBUS,   [CLOUDABI_SIGCHLD] = SIGCHLD,
        [CLOUDABI_SIGCONT] = SIGCONT, [CLOUDABI_SIGFPE] = SIGFPE,
        [CLOUDABI_SIGHUP] = SIGHUP,   [CLOUDABI_SIGILL] = SIGILL,
        [CLOUDABI_SIGINT] = SIGINT,   [CLOUDABI_SIGKILL] = SIGKILL,
        [CLOUDABI_SIGPIPE] = SIGPIPE, [CLOUDABI_SIGQUIT] = SIGQUIT,
        [CLOUDABI_SIGSEGV] = SIGSEGV, [CLOUDABI_SIGSTOP] = SIGSTOP,
        [CLOUDABI_SIGSYS] = SIGSYS,   [CLOUDABI_SIGTERM] = SIGTERM,
        [CLOUDABI_SIGTRAP] = SIGTRAP, [CLOUDABI_SIGTSTP] = SIGTSTP,
        [CLOUDABI_SIGTTIN] = SIGTTIN, [CLOUDABI_SIGTTOU] = SIGTTOU,
        [CLOUDABI_SIGURG] = SIGURG,   [CLOUDABI_SIGUSR1] = SIGUSR1,
        [CLOUDABI_SIGUSR2] = SIGUSR2, [CLOUDABI_SIGVTALRM] = SIGVTALRM,
        [CLOUDABI_SIGXCPU] = SIGXCPU, [CLOUDABI_SIGXFSZ] = SIGXFSZ,
};
#define PROCDESC_NSIGNALS                                                      \
	(sizeof(procdesc_signals) / sizeof(procdesc_signals[0]))

/* The stored end of one process, keyed by its pidfd inode. */
struct procdesc_status {
	ino_t ino;
	uint8_t signal;
	uint32_t exitcode;
};

/* Dense array: records of processes a program fd may still ask about. */
static struct procdesc_status procdesc_done[FDTAB_MAX];
static size_t procdesc_ndone;
static pthread_mutex_t procdesc_lock = PTHREAD_MUTEX_INITIALIZER;

int procdesc_sig_to_linux(cloudabi_signal_t sig)
{
	return sig < PROCDESC_NSIGNALS ? procdesc_signals[sig] : 0;
}

cloudabi_signal_t procdesc_sig_from_linux(int sig)
{
	for (size_t i = 1; i < PROCDESC_NSIGNALS; i++)
		if (procdesc_signals[i] == sig)
			return (cloudabi_signal_t)i;
	return 0;
}

/* The record of process ino, or NULL. Called with the lock held. */
static struct procdesc_status *procdesc_find(ino_t ino)
{
	for (size_t i = 0; i < procdesc_ndone; i++)
		if (procdesc_done[i].ino == ino)
			return &procdesc_done[i];
	return NULL;
}

/* The identity of the process behind pidfd fd (pidfs: one inode each). */
static int procdesc_ino(int fd, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	*ino = st.st_ino;
	return 0;
}

/* Copies the stored status of ino out; false when there is none. */
static bool procdesc_cached(ino_t ino, uint8_t *signal, uint32_t *exitcode)
{
	struct procdesc_status *s;

	pthread_mutex_lock(&procdesc_lock);
	s = procdesc_find(ino);
	if (s != NULL) {
		*signal = s->signal;
		*exitcode = s->exitcode;
	}
	pthread_mutex_unlock(&procdesc_lock);
	return s != NULL;
}

/* Fills the CloudABI view of a waitid result. */
static void procdesc_decode(const siginfo_t *si, uint8_t *signal,
                            uint32_t *exitcode)
{
	if (si->si_code == CLD_EXITED) {
		*signal = 0;
		*exitcode = (uint32_t)si->si_status;
		return;
	}
	/* A Linux-only signal still reads as a death by signal. */
	*signal = procdesc_sig_from_linux(si->si_status);
	if (*signal == 0)
		*signal = CLOUDABI_SIGKILL;
	*exitcode = 0;
}

/*
 * Reaps the ended process of fd and stores its status, unless another
 * thread did both first. Reaping and storing happen under one lock hold,
 * so a thread that finds the zombie gone always finds the record.
 */
static void procdesc_reap(int fd, ino_t ino, const siginfo_t *si,
                          uint8_t *signal, uint32_t *exitcode)
{
	struct procdesc_status *s;
	siginfo_t gone;

	pthread_mutex_lock(&procdesc_lock);
	s = procdesc_find(ino);
	if (s == NULL) {
		waitid((idtype_t)P_PIDFD, (id_t)fd, &gone, WEXITED | WNOHANG);
		procdesc_decode(si, signal, exitcode);
		/* A full table only loses the replay, not the answer. */
		if (procdesc_ndone < FDTAB_MAX)
			procdesc_done[procdesc_ndone++] =
			        (struct procdesc_status){ino, *signal,
			                                 *exitcode};
	} else {
		*signal = s->signal;
		*exitcode = s->exitcode;
	}
	pthread_mutex_unlock(&procdesc_lock);
}

int procdesc_wait(int fd, bool block, uint8_t *signal, uint32_t *exitcode)
{
	siginfo_t si;
	ino_t ino;
	int rc = procdesc_ino(fd, &ino);

	if (rc != 0)
		return rc;
	if (procdesc_cached(ino, signal, exitcode))
		return 0;
	/* Look without reaping: the blocking part runs without the lock. */
	do {
		si.si_pid = 0;
		rc = waitid((idtype_t)P_PIDFD, (id_t)fd, &si,
		            WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
	} while (rc != 0 && errno == EINTR);
	if (rc != 0) {
		rc = -errno;
		/* Another thread may have reaped it in between. */
		return procdesc_cached(ino, signal, exitcode) ? 0 : rc;
	}
	if (si.si_pid == 0)
		return -EAGAIN;
	procdesc_reap(fd, ino, &si, signal, exitcode);
	return 0;
}

/* Whether a program fd other than fd refers to process ino. */
static bool procdesc_shared(int fd, ino_t ino)
{
	struct fdtab_entry e;
	ino_t other;

	for (int i = 0; i < FDTAB_MAX; i++) {
		if (i == fd || fdtab_get((cloudabi_fd_t)i, 0, &e) != 0 ||
		    e.filetype != CLOUDABI_FILETYPE_PROCESS)
			continue;
		if (procdesc_ino(i, &other) == 0 && other == ino)
			return true;
	}
	return false;
}

/* Drops the stored status of ino (its last descriptor goes away). */
static void procdesc_forget(ino_t ino)
{
	struct procdesc_status *s;

	pthread_mutex_lock(&procdesc_lock);
	s = procdesc_find(ino);
	if (s != NULL)
		*s = procdesc_done[--procdesc_ndone];
	pthread_mutex_unlock(&procdesc_lock);
}

void procdesc_close(int fd)
{
	siginfo_t si;
	ino_t ino;

	if (procdesc_ino(fd, &ino) != 0 || procdesc_shared(fd, ino))
		return;
	procdesc_forget(ino);
	/* ECHILD: not our child (inherited through fork) or already reaped. */
	si.si_pid = 0;
	if (waitid((idtype_t)P_PIDFD, (id_t)fd, &si,
	           WEXITED | WNOWAIT | WNOHANG) != 0)
		return;
	if (si.si_pid == 0)
		pidfd_send_signal(fd, SIGKILL, NULL, 0);
	/* SIGKILL is not delayed by the process: the wait is short. */
	while (waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED) != 0 &&
	       errno == EINTR)
		;
}

/*
 * Whether this kernel gives each process's pidfds an inode of its own
 * (pidfs, Linux 6.9): the status cache and the "another fd still refers
 * to it" check key on that inode. On an older kernel every pidfd shares
 * one inode and both would mix processes up, so proc_fork is refused
 * there with a message, rather than answering wrongly. Probed once.
 */
static bool procdesc_pidfs(void)
{
	static int known = -1;
	struct stat a, b;
	int fa, fb;

	if (known >= 0)
		return known;
	fa = pidfd_open(getpid(), 0);
	fb = pidfd_open(getppid(), 0);
	known = fa >= 0 && fb >= 0 && fstat(fa, &a) == 0 &&
	        fstat(fb, &b) == 0 && a.st_ino != b.st_ino;
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	if (!known && launch_kept_fd >= 0)
		dprintf(launch_kept_fd,
		        "cloudabi-run: proc_fork: process descriptors need "
		        "pidfs (Linux 6.9 or later), which this kernel lacks: "
		        "proc_fork returns ENOSYS\n");
	return known;
}

cloudabi_errno_t procdesc_fork(cloudabi_fd_t *fd, cloudabi_tid_t *tid)
{
	cloudabi_fd_t none = CLOUDABI_PROCESS_CHILD;
	cloudabi_tid_t notid = 0;
	pid_t pid;
	int pfd;

	if (!procdesc_pidfs())
		return CLOUDABI_ENOSYS;
	/* Probe the outputs first: after fork, both sides must succeed. */
	if (usercopy_write(fd, &none, sizeof(none)) != 0 ||
	    usercopy_write(tid, &notid, sizeof(notid)) != 0)
		return CLOUDABI_EFAULT;
	/* Held across fork so that no other thread leaves it locked in the
	 * child, where that thread does not exist. */
	pthread_mutex_lock(&procdesc_lock);
	pid = fork();
	pthread_mutex_unlock(&procdesc_lock);
	if (pid < 0)
		return errmap_from_linux(errno);
	if (pid == 0) {
		/* Only this thread lives on in the child, with a new id. */
		struct rtthread *self = rtthread_self();
		self->tid = (uint32_t)gettid();
		*tid = self->tid;
		return CLOUDABI_ESUCCESS;
	}
	pfd = pidfd_open(pid, 0);
	if (pfd < 0 || pfd >= FDTAB_MAX) {
		cloudabi_errno_t rc =
		        pfd < 0 ? errmap_from_linux(errno) : CLOUDABI_EMFILE;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (pfd >= 0)
			close(pfd);
		return rc;
	}
	fdtab_set(pfd, CLOUDABI_FILETYPE_PROCESS,
	          CLOUDABI_RIGHT_FILE_STAT_FGET |
	                  CLOUDABI_RIGHT_POLL_PROC_TERMINATE,
	          0);
	*fd = (cloudabi_fd_t)pfd;
	return CLOUDABI_ESUCCESS;
}
