/*
 * Conformance: two lock cases a review found broken.
 *  - A condvar signal must wake a thread that was waiting when it was
 *    sent, even when the signaller then waits on the same condvar for
 *    something else (it used to take the wake-up itself: a lost wake-up
 *    that deadlocks correct programs).
 *  - A read lock on a word that is a bare KERNEL_MANAGED (taken as free)
 *    must be granted, not spin for ever.
 */
#include "harness.h"
#include "thread_sync.h"

#include <crt0.h>
#include <sdk_string.h>
#include <stdatomic.h>

static _Atomic(cloudabi_lock_t) lock;
static _Atomic(cloudabi_condvar_t) cv;
static int a_go, a_done; /* guarded by lock */
static _Atomic(int) a_waiting;
static struct ts_thread ta;

/* Thread A: waits on cv until a_go. */
static void waiter(struct ts_thread *t, cloudabi_tid_t tid)
{
	(void)t;
	ts_wrlock(&lock, tid);
	atomic_store(&a_waiting, 1);
	while (!a_go)
		ts_cond_wait(&cv, &lock);
	a_done = 1;
	ts_unlock(&lock, tid);
}

/* Sleeps for ns nanoseconds. */
static void nap(uint64_t ns)
{
	cloudabi_subscription_t s;
	cloudabi_event_t e;
	size_t n;

	memset(&s, 0, sizeof(s));
	s.type = CLOUDABI_EVENTTYPE_CLOCK;
	s.clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	s.clock.timeout = ns;
	CHECK_OK(cloudabi_sys_poll(&s, &e, 1, &n));
}

/* Waits on cv (lock held) for at most ns; the lock is held again after. */
static void timed_wait(uint64_t ns)
{
	cloudabi_subscription_t sub[2];
	cloudabi_event_t ev[2];
	size_t n = 0;

	memset(sub, 0, sizeof(sub));
	sub[0].type = CLOUDABI_EVENTTYPE_CONDVAR;
	sub[0].condvar.condvar = &cv;
	sub[0].condvar.lock = &lock;
	sub[0].condvar.condvar_scope = CLOUDABI_SCOPE_PRIVATE;
	sub[0].condvar.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	sub[1].type = CLOUDABI_EVENTTYPE_CLOCK;
	sub[1].clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	sub[1].clock.timeout = ns;
	CHECK_OK(cloudabi_sys_poll(sub, ev, 2, &n));
	CHECK(n == 1 && ev[0].error == 0);
}

static void check_no_stolen_wakeup(void)
{
	cloudabi_tid_t me = crt0_tid();

	CHECK_OK(ts_start(&ta, waiter));
	while (!atomic_load(&a_waiting))
		CHECK_OK(cloudabi_sys_thread_yield());
	nap(50000000); /* let A reach the runtime's wait */
	ts_wrlock(&lock, me);
	a_go = 1;
	ts_cond_signal(&cv, 1);
	/* Main now waits on the same condvar for something else. */
	timed_wait(300000000);
	ts_unlock(&lock, me);
	ts_join(&ta, me);
	ts_wrlock(&lock, me);
	CHECK(a_done == 1); /* A woke up: the join returned */
	ts_unlock(&lock, me);
	CHECK(atomic_load(&cv) == 0);
	CHECK(atomic_load(&ts_errors) == 0);
}

static void check_rdlock_bare_kernel_managed(void)
{
	static _Atomic(cloudabi_lock_t) lk = CLOUDABI_LOCK_KERNEL_MANAGED;
	cloudabi_subscription_t sub[2];
	cloudabi_event_t ev[2];
	size_t n = 0;

	memset(sub, 0, sizeof(sub));
	sub[0].type = CLOUDABI_EVENTTYPE_LOCK_RDLOCK;
	sub[0].lock.lock = &lk;
	sub[0].lock.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	sub[1].type = CLOUDABI_EVENTTYPE_CLOCK;
	sub[1].clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	sub[1].clock.timeout = 100000000;
	CHECK_OK(cloudabi_sys_poll(sub, ev, 2, &n));
	CHECK(n == 1 && ev[0].type == CLOUDABI_EVENTTYPE_LOCK_RDLOCK);
	CHECK(atomic_load(&lk) == 1); /* one reader */
}

void conf_main(void)
{
	check_no_stolen_wakeup();
	check_rdlock_bare_kernel_managed();
}
