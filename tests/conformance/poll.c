/*
 * Conformance: poll with each subscription type alone and mixed, clock
 * timeouts (relative and absolute, monotonic and realtime), fd readiness
 * on a socket pair, lock and condvar subscriptions with timeouts, and
 * errors reported per event or as the call's result.
 */
#include "harness.h"

#include <crt0.h>
#include <sdk_string.h>
#include <stdatomic.h>

#define MS 1000000ull

/* A clock subscription. */
static cloudabi_subscription_t sub_clock(uint64_t ud, cloudabi_clockid_t id,
                                         uint64_t timeout, uint16_t flags)
{
	cloudabi_subscription_t s;

	memset(&s, 0, sizeof(s));
	s.userdata = ud;
	s.type = CLOUDABI_EVENTTYPE_CLOCK;
	s.clock.clock_id = id;
	s.clock.timeout = timeout;
	s.clock.flags = flags;
	return s;
}

/* An fd_read or fd_write subscription. */
static cloudabi_subscription_t sub_fd(uint64_t ud, uint8_t type,
                                      cloudabi_fd_t fd)
{
	cloudabi_subscription_t s;

	memset(&s, 0, sizeof(s));
	s.userdata = ud;
	s.type = type;
	s.fd_readwrite.fd = fd;
	s.fd_readwrite.flags = CLOUDABI_SUBSCRIPTION_FD_READWRITE_POLL;
	return s;
}

static cloudabi_timestamp_t now(cloudabi_clockid_t id)
{
	cloudabi_timestamp_t t = 0;

	CHECK_OK(cloudabi_sys_clock_time_get(id, 0, &t));
	return t;
}

/* Clock subscriptions: relative, absolute, realtime, bad ones. */
static void check_clock(void)
{
	cloudabi_subscription_t s[2];
	cloudabi_event_t ev[2];
	size_t n = 99;
	cloudabi_timestamp_t t0 = now(CLOUDABI_CLOCK_MONOTONIC);

	CHECK_OK(cloudabi_sys_poll(s, ev, 0, &n));
	CHECK(n == 0);
	s[0] = sub_clock(7, CLOUDABI_CLOCK_MONOTONIC, 20 * MS, 0);
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 7 && ev[0].error == 0);
	CHECK(ev[0].type == CLOUDABI_EVENTTYPE_CLOCK);
	CHECK(now(CLOUDABI_CLOCK_MONOTONIC) - t0 >= 20 * MS);
	/* Absolute: the nearer of two deadlines wins, alone. */
	t0 = now(CLOUDABI_CLOCK_MONOTONIC);
	s[0] = sub_clock(1, CLOUDABI_CLOCK_MONOTONIC, t0 + 5000 * MS,
	                 CLOUDABI_SUBSCRIPTION_CLOCK_ABSTIME);
	s[1] = sub_clock(2, CLOUDABI_CLOCK_MONOTONIC, t0 + 10 * MS,
	                 CLOUDABI_SUBSCRIPTION_CLOCK_ABSTIME);
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 2);
	CHECK(now(CLOUDABI_CLOCK_MONOTONIC) >= t0 + 10 * MS);
	CHECK(now(CLOUDABI_CLOCK_MONOTONIC) < t0 + 5000 * MS);
	/* A realtime date in the past is due at once. */
	s[0] = sub_clock(3, CLOUDABI_CLOCK_REALTIME, 1000,
	                 CLOUDABI_SUBSCRIPTION_CLOCK_ABSTIME);
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 3 && ev[0].error == 0);
	/* Bad clock and bad flags: errors in the event. */
	s[0] = sub_clock(4, 99, 0, 0);
	s[1] = sub_clock(5, CLOUDABI_CLOCK_MONOTONIC, 0, 0x8);
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 2 && ev[0].userdata == 4 && ev[1].userdata == 5);
	CHECK(ev[0].error == CLOUDABI_EINVAL && ev[1].error == CLOUDABI_EINVAL);
	/* Unreadable subscriptions, unwritable events: EFAULT. */
	CHECK_ERRNO(cloudabi_sys_poll((void *)16, ev, 1, &n), CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_poll(s, (void *)16, 1, &n), CLOUDABI_EFAULT);
}

/* fd_read / fd_write on a stream socket pair, mixed with a clock. */
static void check_fds(void)
{
	cloudabi_fd_t a, b;
	cloudabi_subscription_t s[3];
	cloudabi_event_t ev[3];
	cloudabi_ciovec_t iov = {.buf = "hello", .buf_len = 5};
	size_t n = 0;

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	/* Nothing to read: the clock fires. */
	s[0] = sub_fd(10, CLOUDABI_EVENTTYPE_FD_READ, a);
	s[1] = sub_clock(11, CLOUDABI_CLOCK_MONOTONIC, 10 * MS, 0);
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 11);
	/* Five bytes: readable with nbytes 5; b is writable. */
	CHECK_OK(cloudabi_sys_fd_write(b, &iov, 1, &n));
	s[2] = sub_fd(12, CLOUDABI_EVENTTYPE_FD_WRITE, b);
	CHECK_OK(cloudabi_sys_poll(s, ev, 3, &n));
	CHECK(n == 2);
	CHECK(ev[0].userdata == 10 && ev[0].type == CLOUDABI_EVENTTYPE_FD_READ);
	CHECK(ev[0].fd_readwrite.nbytes == 5 && ev[0].fd_readwrite.flags == 0);
	CHECK(ev[1].userdata == 12 &&
	      ev[1].type == CLOUDABI_EVENTTYPE_FD_WRITE);
	CHECK(ev[1].fd_readwrite.nbytes > 0);
	/* The peer goes away: hangup. */
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].error == 0);
	CHECK(ev[0].fd_readwrite.flags == CLOUDABI_EVENT_FD_READWRITE_HANGUP);
	/* Closed fd and missing right: per-event errors. */
	s[0] = sub_fd(13, CLOUDABI_EVENTTYPE_FD_READ, b);
	s[1] = sub_fd(14, CLOUDABI_EVENTTYPE_FD_READ, a);
	CHECK_OK(cloudabi_sys_fd_stat_put(
	        a,
	        &(cloudabi_fdstat_t){.fs_rights_base = CLOUDABI_RIGHT_FD_READ},
	        CLOUDABI_FDSTAT_RIGHTS));
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 2 && ev[0].error == CLOUDABI_EBADF);
	CHECK(ev[1].error == CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(a));
}

/* lock_wrlock / lock_rdlock / condvar subscriptions and timeouts. */
static void check_locks(void)
{
	static _Atomic(cloudabi_lock_t) l;
	static _Atomic(cloudabi_condvar_t) cv;
	cloudabi_tid_t me = crt0_tid();
	cloudabi_subscription_t s[2];
	cloudabi_event_t ev[2];
	size_t n = 0;

	memset(s, 0, sizeof(s));
	s[0].userdata = 20;
	s[0].type = CLOUDABI_EVENTTYPE_LOCK_WRLOCK;
	s[0].lock.lock = &l;
	s[0].lock.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 20 && ev[0].error == 0);
	CHECK(atomic_load(&l) == (me | CLOUDABI_LOCK_WRLOCKED));
	/* Our own lock again: EDEADLK in the event. */
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].error == CLOUDABI_EDEADLK);
	/* Held by another thread id: the clock fires, marked managed. */
	atomic_store(&l, (me + 1) | CLOUDABI_LOCK_WRLOCKED);
	s[1] = sub_clock(21, CLOUDABI_CLOCK_MONOTONIC, 10 * MS, 0);
	s[0].type = CLOUDABI_EVENTTYPE_LOCK_RDLOCK;
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 21);
	CHECK(ev[0].type == CLOUDABI_EVENTTYPE_CLOCK && ev[0].error == 0);
	CHECK(atomic_load(&l) == ((me + 1) | CLOUDABI_LOCK_WRLOCKED |
	                          CLOUDABI_LOCK_KERNEL_MANAGED));
	/* Read lock on a free lock counts one reader. */
	atomic_store(&l, 0);
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].error == 0 && atomic_load(&l) == 1);
	/* Condvar with a timeout: clock event, the lock is ours again. */
	atomic_store(&l, me | CLOUDABI_LOCK_WRLOCKED);
	memset(&s[0], 0, sizeof(s[0]));
	s[0].userdata = 22;
	s[0].type = CLOUDABI_EVENTTYPE_CONDVAR;
	s[0].condvar.condvar = &cv;
	s[0].condvar.lock = &l;
	s[0].condvar.condvar_scope = CLOUDABI_SCOPE_PRIVATE;
	s[0].condvar.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 21);
	CHECK((atomic_load(&l) & ~CLOUDABI_LOCK_KERNEL_MANAGED) ==
	      (me | CLOUDABI_LOCK_WRLOCKED));
	CHECK(atomic_load(&cv) == CLOUDABI_CONDVAR_HAS_NO_WAITERS);
	/* Waiting without holding the lock: EPERM. */
	atomic_store(&l, 0);
	CHECK_OK(cloudabi_sys_poll(s, ev, 1, &n));
	CHECK(n == 1 && ev[0].error == CLOUDABI_EPERM);
	/* A lock after another subscription is not served. */
	s[1] = s[0];
	s[0] = sub_clock(23, CLOUDABI_CLOCK_MONOTONIC, 0, 0);
	CHECK_OK(cloudabi_sys_poll(s, ev, 2, &n));
	CHECK(n >= 1 && ev[0].userdata == 22 && ev[0].error == CLOUDABI_EINVAL);
}

void conf_main(void)
{
	check_clock();
	check_fds();
	check_locks();
}
