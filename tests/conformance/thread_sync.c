/*
 * thread_sync: guest-side threads and locks. See thread_sync.h.
 */
#include "thread_sync.h"

#include <cloudabi_syscalls.h>
#include <sdk_string.h>

#define TS_WR CLOUDABI_LOCK_WRLOCKED
#define TS_KM CLOUDABI_LOCK_KERNEL_MANAGED

_Atomic(unsigned) ts_errors;

/* Entry of every thread: owns its join lock, runs fn, exits. */
static void ts_entry(cloudabi_tid_t tid, void *arg)
{
	struct ts_thread *t = arg;

	atomic_store(&t->join, tid | TS_WR);
	t->tid = tid;
	atomic_store(&t->started, 1);
	t->fn(t, tid);
	cloudabi_sys_thread_exit(&t->join, CLOUDABI_SCOPE_PRIVATE);
}

int ts_start(struct ts_thread *t,
             void (*fn)(struct ts_thread *, cloudabi_tid_t))
{
	cloudabi_threadattr_t attr = {
	        .entry_point = ts_entry,
	        .stack = t->stack,
	        .stack_len = sizeof(t->stack),
	        .argument = t,
	};
	cloudabi_tid_t tid = 0;
	int rc;

	t->fn = fn;
	atomic_store(&t->started, 0);
	atomic_store(&t->join, 0);
	rc = cloudabi_sys_thread_create(&attr, &tid);
	if (rc != 0)
		return rc;
	/* The join lock must be owned before anyone waits on it. */
	while (atomic_load(&t->started) == 0)
		cloudabi_sys_thread_yield();
	return tid == t->tid ? 0 : CLOUDABI_EINVAL;
}

/* Blocks in poll until lock is acquired with the given type. */
static void ts_poll_lock(_Atomic(cloudabi_lock_t) *lock, uint8_t type)
{
	cloudabi_subscription_t sub;
	cloudabi_event_t ev;
	size_t n = 0;

	memset(&sub, 0, sizeof(sub));
	sub.type = type;
	sub.lock.lock = lock;
	sub.lock.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	if (cloudabi_sys_poll(&sub, &ev, 1, &n) != 0 || n != 1 ||
	    ev.error != 0 || ev.type != type)
		atomic_fetch_add(&ts_errors, 1);
}

void ts_join(struct ts_thread *t, cloudabi_tid_t self)
{
	ts_wrlock(&t->join, self);
	ts_unlock(&t->join, self);
}

void ts_wrlock(_Atomic(cloudabi_lock_t) *lock, cloudabi_tid_t tid)
{
	cloudabi_lock_t old = 0;

	if (!atomic_compare_exchange_strong(lock, &old, tid | TS_WR))
		ts_poll_lock(lock, CLOUDABI_EVENTTYPE_LOCK_WRLOCK);
}

void ts_rdlock(_Atomic(cloudabi_lock_t) *lock)
{
	cloudabi_lock_t old = atomic_load(lock);

	while ((old & (TS_WR | TS_KM)) == 0)
		if (atomic_compare_exchange_weak(lock, &old, old + 1))
			return;
	ts_poll_lock(lock, CLOUDABI_EVENTTYPE_LOCK_RDLOCK);
}

void ts_unlock(_Atomic(cloudabi_lock_t) *lock, cloudabi_tid_t tid)
{
	cloudabi_lock_t old = atomic_load(lock);

	if (old & TS_WR) {
		old = tid | TS_WR;
		if (atomic_compare_exchange_strong(lock, &old, 0))
			return;
		if (cloudabi_sys_lock_unlock(lock, CLOUDABI_SCOPE_PRIVATE) != 0)
			atomic_fetch_add(&ts_errors, 1);
		return;
	}
	/* Read-locked: the last reader with waiters upgrades and calls the
	 * runtime, as the ABI asks. */
	for (;;) {
		if (old == (1 | TS_KM)) {
			if (atomic_compare_exchange_weak(lock, &old,
			                                 tid | TS_WR | TS_KM)) {
				if (cloudabi_sys_lock_unlock(
				            lock, CLOUDABI_SCOPE_PRIVATE) != 0)
					atomic_fetch_add(&ts_errors, 1);
				return;
			}
		} else if (atomic_compare_exchange_weak(lock, &old, old - 1)) {
			return;
		}
	}
}

void ts_cond_wait(_Atomic(cloudabi_condvar_t) *cv,
                  _Atomic(cloudabi_lock_t) *lock)
{
	cloudabi_subscription_t sub;
	cloudabi_event_t ev;
	size_t n = 0;

	memset(&sub, 0, sizeof(sub));
	sub.type = CLOUDABI_EVENTTYPE_CONDVAR;
	sub.condvar.condvar = cv;
	sub.condvar.lock = lock;
	sub.condvar.condvar_scope = CLOUDABI_SCOPE_PRIVATE;
	sub.condvar.lock_scope = CLOUDABI_SCOPE_PRIVATE;
	if (cloudabi_sys_poll(&sub, &ev, 1, &n) != 0 || n != 1 ||
	    ev.error != 0 || ev.type != CLOUDABI_EVENTTYPE_CONDVAR)
		atomic_fetch_add(&ts_errors, 1);
}

void ts_cond_signal(_Atomic(cloudabi_condvar_t) *cv, uint32_t n)
{
	if (atomic_load(cv) != CLOUDABI_CONDVAR_HAS_NO_WAITERS &&
	    cloudabi_sys_condvar_signal(cv, CLOUDABI_SCOPE_PRIVATE, n) != 0)
		atomic_fetch_add(&ts_errors, 1);
}
