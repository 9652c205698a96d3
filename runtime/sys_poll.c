/*
 * sys_poll: the poll system call.
 *
 * Two shapes, as on CloudABI's FreeBSD kernel: a lock_rdlock,
 * lock_wrlock or condvar subscription first, optionally followed by one
 * clock subscription (its timeout), blocks on that lock or condvar
 * (sys_lock.c) and reports exactly one event. Any other mix of clock,
 * fd_read, fd_write and proc_terminate subscriptions becomes one ppoll(2)
 * over the fds (process descriptors are pidfds, readable once the process
 * has ended) with the nearest clock deadline as its timeout, and reports
 * every subscription that is ready. A subscription that cannot be served
 * (bad fd, missing right, bad clock) is an event carrying that error, so
 * the call returns at once, like the kernel's.
 *
 * The subscriptions and events are copied through usercopy into buffers
 * the call allocates and frees.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "procdesc.h"
#include "rtthread.h"
#include "sys.h"
#include "sys_lock.h"
#include "usercopy.h"

/* More subscriptions than the program could have fds is a bad argument. */
#define SYS_POLL_MAX (2 * FDTAB_MAX)
#define SYS_POLL_NS  1000000000ull

/* One call's working state. */
struct sys_poll {
	const cloudabi_subscription_t *subs;
	cloudabi_event_t *ev;
	size_t n, nev;
	struct pollfd *pfd; /* pfd[i] belongs to subs[i]; fd -1 if unused */
	struct sys_lock_deadline *dl; /* per clock subscription */
	bool *done;                   /* an event was made for subs[i] */
};

/* The Linux clock for a clock subscription; -1 when not supported (the
 * CPU-time clocks cannot be slept on). */
static clockid_t sys_poll_clock(cloudabi_clockid_t id)
{
	if (id == CLOUDABI_CLOCK_MONOTONIC)
		return CLOCK_MONOTONIC;
	if (id == CLOUDABI_CLOCK_REALTIME)
		return CLOCK_REALTIME;
	return (clockid_t)-1;
}

/* Nanoseconds as a timespec. */
static struct timespec sys_poll_ts(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / SYS_POLL_NS),
	                      .tv_nsec = (long)(ns % SYS_POLL_NS)};
	return ts;
}

/* The absolute deadline of clock subscription s. */
static cloudabi_errno_t sys_poll_deadline(const cloudabi_subscription_t *s,
                                          struct sys_lock_deadline *dl)
{
	struct timespec now;
	uint64_t at;

	dl->clock = sys_poll_clock(s->clock.clock_id);
	if (dl->clock == (clockid_t)-1 ||
	    (s->clock.flags & ~CLOUDABI_SUBSCRIPTION_CLOCK_ABSTIME) != 0)
		return CLOUDABI_EINVAL;
	dl->set = true;
	at = s->clock.timeout;
	if ((s->clock.flags & CLOUDABI_SUBSCRIPTION_CLOCK_ABSTIME) == 0) {
		clock_gettime(dl->clock, &now);
		uint64_t base = (uint64_t)now.tv_sec * SYS_POLL_NS +
		                (uint64_t)now.tv_nsec;
		at = at > UINT64_MAX - base ? UINT64_MAX : at + base;
	}
	dl->at = sys_poll_ts(at);
	return CLOUDABI_ESUCCESS;
}

/* Nanoseconds left until dl (0 when passed). */
static uint64_t sys_poll_left(const struct sys_lock_deadline *dl)
{
	struct timespec now;
	int64_t s, ns;

	clock_gettime(dl->clock, &now);
	s = (int64_t)dl->at.tv_sec - (int64_t)now.tv_sec;
	ns = (int64_t)dl->at.tv_nsec - (int64_t)now.tv_nsec;
	if (s < 0 || (s == 0 && ns <= 0))
		return 0;
	return (uint64_t)s * SYS_POLL_NS + (uint64_t)ns;
}

/* Appends the event for subscription i (type as subscribed). */
static cloudabi_event_t *sys_poll_event(struct sys_poll *p, size_t i,
                                        cloudabi_errno_t error)
{
	cloudabi_event_t *e = &p->ev[p->nev++];

	memset(e, 0, sizeof(*e));
	e->userdata = p->subs[i].userdata;
	e->error = error;
	e->type = p->subs[i].type;
	p->done[i] = true;
	return e;
}

/* Blocks on the lock or condvar of subs[0], with subs[1] as timeout. */
static void sys_poll_lock(struct sys_poll *p)
{
	const cloudabi_subscription_t *s = &p->subs[0];
	struct sys_lock_deadline dl = {.set = false};
	cloudabi_tid_t tid = rtthread_self()->tid;
	cloudabi_errno_t rc;

	if (p->n == 2 && (rc = sys_poll_deadline(&p->subs[1], &dl)) != 0) {
		sys_poll_event(p, 1, rc);
		return;
	}
	if (s->type == CLOUDABI_EVENTTYPE_CONDVAR)
		rc = sys_lock_condvar_wait(
		        s->condvar.condvar, s->condvar.condvar_scope,
		        s->condvar.lock, s->condvar.lock_scope, tid, &dl);
	else if (s->type == CLOUDABI_EVENTTYPE_LOCK_RDLOCK)
		rc = sys_lock_rdlock(s->lock.lock, s->lock.lock_scope, tid,
		                     &dl);
	else
		rc = sys_lock_wrlock(s->lock.lock, s->lock.lock_scope, tid,
		                     &dl);
	if (rc == CLOUDABI_ETIMEDOUT && p->n == 2)
		sys_poll_event(p, 1, CLOUDABI_ESUCCESS);
	else
		sys_poll_event(p, 0, rc);
}

/* Whether subs is the lock shape: a lock or condvar, then <= 1 clock. */
static bool sys_poll_is_lock(const cloudabi_subscription_t *subs, size_t n)
{
	uint8_t t = subs[0].type;

	if (t != CLOUDABI_EVENTTYPE_CONDVAR &&
	    t != CLOUDABI_EVENTTYPE_LOCK_RDLOCK &&
	    t != CLOUDABI_EVENTTYPE_LOCK_WRLOCK)
		return false;
	return n == 1 || (n == 2 && subs[1].type == CLOUDABI_EVENTTYPE_CLOCK);
}

/* Bytes readable from fd, where the kernel says. */
static uint64_t sys_poll_readable(int fd, cloudabi_filetype_t type)
{
	struct stat st;
	off_t pos;
	int n = 0;

	if (type == CLOUDABI_FILETYPE_REGULAR_FILE) {
		pos = lseek(fd, 0, SEEK_CUR);
		if (fstat(fd, &st) != 0 || pos < 0 || st.st_size < pos)
			return 0;
		return (uint64_t)(st.st_size - pos);
	}
	return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

/* Room for writing to fd, where the kernel says (sockets and pipes). */
static uint64_t sys_poll_writable(int fd, cloudabi_filetype_t type)
{
	int size = 0, used = 0;
	socklen_t len = sizeof(size);

	if (type == CLOUDABI_FILETYPE_SOCKET_STREAM ||
	    type == CLOUDABI_FILETYPE_SOCKET_DGRAM) {
		if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &len) != 0 ||
		    ioctl(fd, SIOCOUTQ, &used) != 0)
			return 0;
	} else {
		size = fcntl(fd, F_GETPIPE_SZ);
		if (size < 0 || ioctl(fd, FIONREAD, &used) != 0)
			return 0;
	}
	return size > used ? (uint64_t)(size - used) : 0;
}

/* Sets up subscription i of the ppoll shape: its pollfd, its deadline,
 * or at once an event (errors, regular files). */
static void sys_poll_prepare(struct sys_poll *p, size_t i)
{
	const cloudabi_subscription_t *s = &p->subs[i];
	struct pollfd *pf = &p->pfd[i];
	struct fdtab_entry e;
	cloudabi_errno_t rc;

	pf->fd = -1;
	switch (s->type) {
	case CLOUDABI_EVENTTYPE_CLOCK:
		if ((rc = sys_poll_deadline(s, &p->dl[i])) != 0)
			sys_poll_event(p, i, rc);
		return;
	case CLOUDABI_EVENTTYPE_FD_READ:
	case CLOUDABI_EVENTTYPE_FD_WRITE:
		rc = fdtab_get(s->fd_readwrite.fd,
		               CLOUDABI_RIGHT_POLL_FD_READWRITE, &e);
		if (rc == 0 && (s->fd_readwrite.flags &
		                ~CLOUDABI_SUBSCRIPTION_FD_READWRITE_POLL) != 0)
			rc = CLOUDABI_EINVAL;
		if (rc != 0)
			sys_poll_event(p, i, rc);
		else if (e.filetype == CLOUDABI_FILETYPE_REGULAR_FILE)
			sys_poll_event(p, i, 0)->fd_readwrite.nbytes =
			        s->type == CLOUDABI_EVENTTYPE_FD_READ
			                ? sys_poll_readable(
			                          (int)s->fd_readwrite.fd,
			                          e.filetype)
			                : 0;
		else {
			pf->fd = (int)s->fd_readwrite.fd;
			pf->events = s->type == CLOUDABI_EVENTTYPE_FD_READ
			                     ? POLLIN | POLLRDHUP
			                     : POLLOUT;
		}
		return;
	case CLOUDABI_EVENTTYPE_PROC_TERMINATE:
		rc = fdtab_get(s->proc_terminate.fd,
		               CLOUDABI_RIGHT_POLL_PROC_TERMINATE, &e);
		if (rc == 0 && e.filetype != CLOUDABI_FILETYPE_PROCESS)
			rc = CLOUDABI_EINVAL;
		if (rc != 0)
			sys_poll_event(p, i, rc);
		pf->fd = rc == 0 ? (int)s->proc_terminate.fd : -1;
		pf->events = POLLIN;
		return;
	default:
		/* Locks and condvars only in the lock shape; unknown types. */
		sys_poll_event(p, i, CLOUDABI_EINVAL);
		return;
	}
}

/* The ppoll timeout: 0 when events are waiting, else the nearest clock
 * deadline; NULL for none. */
static struct timespec *sys_poll_timeout(struct sys_poll *p,
                                         struct timespec *ts)
{
	uint64_t min = UINT64_MAX;

	if (p->nev > 0)
		min = 0;
	for (size_t i = 0; i < p->n && min > 0; i++) {
		if (p->subs[i].type == CLOUDABI_EVENTTYPE_CLOCK &&
		    !p->done[i]) {
			uint64_t left = sys_poll_left(&p->dl[i]);
			min = left < min ? left : min;
		}
	}
	if (min == UINT64_MAX)
		return NULL;
	*ts = sys_poll_ts(min);
	return ts;
}

/* Makes the event of fd subscription i from what ppoll said. */
static void sys_poll_fd_event(struct sys_poll *p, size_t i, short revents)
{
	const cloudabi_subscription_t *s = &p->subs[i];
	struct fdtab_entry e;
	cloudabi_event_t *ev;
	int fd = (int)s->fd_readwrite.fd;

	if (revents & POLLNVAL) {
		sys_poll_event(p, i, CLOUDABI_EBADF);
		return;
	}
	fdtab_get(s->fd_readwrite.fd, 0, &e);
	ev = sys_poll_event(p, i, 0);
	if (revents & (POLLHUP | POLLRDHUP | POLLERR))
		ev->fd_readwrite.flags = CLOUDABI_EVENT_FD_READWRITE_HANGUP;
	ev->fd_readwrite.nbytes = s->type == CLOUDABI_EVENTTYPE_FD_READ
	                                  ? sys_poll_readable(fd, e.filetype)
	                                  : sys_poll_writable(fd, e.filetype);
}

/* Weak, so that poll links (and reports ENOSYS for proc_terminate) in a
 * runtime built without process descriptors. */
#pragma weak procdesc_wait

/* Makes the event of proc_terminate subscription i, if it has ended. */
static void sys_poll_proc_event(struct sys_poll *p, size_t i)
{
	uint8_t sig = 0;
	uint32_t code = 0;
	int rc = procdesc_wait ? procdesc_wait(p->pfd[i].fd, false, &sig, &code)
	                       : -ENOSYS;
	cloudabi_event_t *ev;

	if (rc == -EAGAIN)
		return;
	ev = sys_poll_event(p, i, rc == 0 ? 0 : errmap_from_linux(-rc));
	ev->proc_terminate.signal = sig;
	ev->proc_terminate.exitcode = code;
}

/* Collects the events of everything that is ready now. */
static void sys_poll_collect(struct sys_poll *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const cloudabi_subscription_t *s = &p->subs[i];

		if (p->done[i])
			continue;
		if (s->type == CLOUDABI_EVENTTYPE_CLOCK) {
			if (sys_poll_left(&p->dl[i]) == 0)
				sys_poll_event(p, i, 0);
		} else if (p->pfd[i].fd >= 0 && p->pfd[i].revents != 0) {
			if (s->type == CLOUDABI_EVENTTYPE_PROC_TERMINATE)
				sys_poll_proc_event(p, i);
			else
				sys_poll_fd_event(p, i, p->pfd[i].revents);
		}
	}
}

/* The ppoll shape: waits until at least one event (or n == 0). */
static cloudabi_errno_t sys_poll_wait(struct sys_poll *p)
{
	struct timespec ts;

	for (size_t i = 0; i < p->n; i++)
		sys_poll_prepare(p, i);
	while (p->n > 0) {
		struct timespec *to = sys_poll_timeout(p, &ts);

		for (size_t i = 0; i < p->n; i++)
			p->pfd[i].revents = 0;
		if (ppoll(p->pfd, p->n, to, NULL) < 0 && errno != EINTR)
			return errmap_from_linux(errno);
		sys_poll_collect(p);
		if (p->nev > 0)
			break;
	}
	return CLOUDABI_ESUCCESS;
}

/* Allocates the working buffers of p for n subscriptions. */
static int sys_poll_alloc(struct sys_poll *p, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->n = n;
	p->subs = calloc(n, sizeof(*p->subs));
	p->ev = calloc(n, sizeof(*p->ev));
	p->pfd = calloc(n, sizeof(*p->pfd));
	p->dl = calloc(n, sizeof(*p->dl));
	p->done = calloc(n, sizeof(*p->done));
	return p->subs && p->ev && p->pfd && p->dl && p->done ? 0 : -ENOMEM;
}

/* Frees what sys_poll_alloc allocated. */
static void sys_poll_free(struct sys_poll *p)
{
	free((void *)p->subs);
	free(p->ev);
	free(p->pfd);
	free(p->dl);
	free(p->done);
}

cloudabi_errno_t cloudabi_sys_poll(const cloudabi_subscription_t *in,
                                   cloudabi_event_t *out, size_t nsubscriptions,
                                   size_t *nevents)
{
	struct sys_poll p;
	cloudabi_errno_t rc;
	size_t n = nsubscriptions;

	if (n > SYS_POLL_MAX)
		return CLOUDABI_EINVAL;
	/* calloc(0) may be NULL: keep one slot. */
	if (sys_poll_alloc(&p, n > 0 ? n : 1) != 0) {
		rc = CLOUDABI_ENOMEM;
		goto out;
	}
	p.n = n;
	/* Both buffers are checked before anything is waited for. */
	if ((rc = usercopy_read((void *)p.subs, in, n * sizeof(*in))) != 0 ||
	    (rc = usercopy_write(out, p.ev, n * sizeof(*out))) != 0)
		goto out;
	if (n > 0 && sys_poll_is_lock(p.subs, n))
		sys_poll_lock(&p);
	else if ((rc = sys_poll_wait(&p)) != 0)
		goto out;
	rc = usercopy_write(out, p.ev, p.nev * sizeof(*out));
	if (rc == 0)
		rc = usercopy_write(nevents, &p.nev, sizeof(p.nev));
out:
	sys_poll_free(&p);
	return rc;
}
