/*
 * sys_lock: locks and condition variables on futexes, and the system
 * calls lock_unlock and condvar_signal. See sys_lock.h.
 */
#include "sys_lock.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmap.h"
#include "rtthread.h"
#include "sys.h"
#include "usercopy.h"

#define SYS_LOCK_WR   CLOUDABI_LOCK_WRLOCKED
#define SYS_LOCK_KM   CLOUDABI_LOCK_KERNEL_MANAGED
#define SYS_LOCK_LOW  0x3fffffffu /* owner tid or reader count */
#define SYS_CV_WAITER 1u          /* one waiter, in the low half */
#define SYS_CV_GRANT  0x10000u    /* one granted wake-up, high half */
#define SYS_CV_MAX    0xffffu

cloudabi_errno_t sys_lock_scope_check(cloudabi_scope_t scope)
{
	return scope == CLOUDABI_SCOPE_PRIVATE || scope == CLOUDABI_SCOPE_SHARED
	               ? CLOUDABI_ESUCCESS
	               : CLOUDABI_EINVAL;
}

/* Checks that word is a usable futex: aligned (EINVAL), writable (EFAULT).
 * A lock word in read-only memory would otherwise crash the runtime's
 * atomic operations. */
static cloudabi_errno_t sys_lock_word_check(void *word)
{
	if (((uintptr_t)word & 3) != 0)
		return CLOUDABI_EINVAL;
	return usercopy_probe32(word) == 0 ? CLOUDABI_ESUCCESS
	                                   : CLOUDABI_EFAULT;
}

/* The futex operation for scope: private futexes are cheaper, shared ones
 * are found through the physical page, across processes. */
static int sys_lock_op(int op, cloudabi_scope_t scope)
{
	return scope == CLOUDABI_SCOPE_PRIVATE ? op | FUTEX_PRIVATE_FLAG : op;
}

/* Sleeps while *word == val; 0 on wake-up (maybe spurious), else a
 * negative Linux errno (ETIMEDOUT, EAGAIN, EINTR, EFAULT). */
static int sys_lock_wait(void *word, uint32_t val, cloudabi_scope_t scope,
                         const struct sys_lock_deadline *dl)
{
	int op = sys_lock_op(FUTEX_WAIT_BITSET, scope);
	const struct timespec *ts = NULL;

	if (dl != NULL && dl->set) {
		ts = &dl->at;
		if (dl->clock == CLOCK_REALTIME)
			op |= FUTEX_CLOCK_REALTIME;
	}
	if (syscall(SYS_futex, word, op, val, ts, NULL,
	            FUTEX_BITSET_MATCH_ANY) != 0)
		return -errno;
	return 0;
}

/* Wakes up to n sleepers on word. */
static void sys_lock_wake(void *word, int n, cloudabi_scope_t scope)
{
	syscall(SYS_futex, word, sys_lock_op(FUTEX_WAKE, scope), n, NULL, NULL,
	        0);
}

/* Sleeps on a held lock whose value was old: marks it kernel-managed
 * first, so that its owner calls lock_unlock. 0 to try again. */
static cloudabi_errno_t sys_lock_sleep(_Atomic(cloudabi_lock_t) *lock,
                                       cloudabi_lock_t old,
                                       cloudabi_scope_t scope,
                                       const struct sys_lock_deadline *dl)
{
	int rc;

	if ((old & SYS_LOCK_KM) == 0 &&
	    !atomic_compare_exchange_strong(lock, &old, old | SYS_LOCK_KM))
		return CLOUDABI_ESUCCESS; /* it changed: look again */
	rc = sys_lock_wait(lock, old | SYS_LOCK_KM, scope, dl);
	if (rc == -ETIMEDOUT || rc == -EFAULT)
		return errmap_from_linux(-rc);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t sys_lock_wrlock(_Atomic(cloudabi_lock_t) *lock,
                                 cloudabi_scope_t scope, cloudabi_tid_t tid,
                                 const struct sys_lock_deadline *dl)
{
	cloudabi_errno_t rc = sys_lock_scope_check(scope);

	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_word_check(lock);
	while (rc == CLOUDABI_ESUCCESS) {
		cloudabi_lock_t old = atomic_load(lock);

		if ((old & ~SYS_LOCK_KM) == 0) {
			/* Free (a bare KERNEL_MANAGED is the bogus state:
			 * taken as free). Losers of the race that follow
			 * mark it again before they sleep. */
			if (atomic_compare_exchange_strong(lock, &old,
			                                   tid | SYS_LOCK_WR))
				return CLOUDABI_ESUCCESS;
			continue;
		}
		if ((old & ~SYS_LOCK_KM) == (tid | SYS_LOCK_WR))
			return CLOUDABI_EDEADLK;
		rc = sys_lock_sleep(lock, old, scope, dl);
	}
	return rc;
}

cloudabi_errno_t sys_lock_rdlock(_Atomic(cloudabi_lock_t) *lock,
                                 cloudabi_scope_t scope, cloudabi_tid_t tid,
                                 const struct sys_lock_deadline *dl)
{
	cloudabi_errno_t rc = sys_lock_scope_check(scope);

	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_word_check(lock);
	while (rc == CLOUDABI_ESUCCESS) {
		cloudabi_lock_t old = atomic_load(lock);
		cloudabi_lock_t low = old & SYS_LOCK_LOW;

		if (old == SYS_LOCK_KM)
			old = 0; /* bogus: taken as free */
		if ((old & (SYS_LOCK_WR | SYS_LOCK_KM)) == 0) {
			/* Unlocked or read-locked with no writer waiting. */
			if (low == SYS_LOCK_LOW)
				return CLOUDABI_EAGAIN; /* reader count full */
			if (atomic_compare_exchange_strong(lock, &old, old + 1))
				return CLOUDABI_ESUCCESS;
			continue;
		}
		if ((old & SYS_LOCK_WR) != 0 && low == tid)
			return CLOUDABI_EDEADLK;
		/* Write-locked, or writers wait: they go first (the program
		 * takes recursive read locks itself, without calling us). */
		rc = sys_lock_sleep(lock, old, scope, dl);
	}
	return rc;
}

cloudabi_errno_t sys_lock_release(_Atomic(cloudabi_lock_t) *lock,
                                  cloudabi_scope_t scope, cloudabi_tid_t tid)
{
	cloudabi_errno_t rc = sys_lock_scope_check(scope);
	cloudabi_lock_t old;

	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_word_check(lock);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	old = atomic_load(lock);
	do {
		if ((old & ~SYS_LOCK_KM) != (tid | SYS_LOCK_WR))
			return CLOUDABI_EPERM;
	} while (!atomic_compare_exchange_weak(lock, &old, 0));
	/* Every waiter races again; see the header. */
	if ((old & SYS_LOCK_KM) != 0)
		sys_lock_wake(lock, INT_MAX, scope);
	return CLOUDABI_ESUCCESS;
}

/* Registers one more waiter on condvar; EAGAIN when the count is full. */
static cloudabi_errno_t sys_lock_cv_enter(_Atomic(cloudabi_condvar_t) *cv)
{
	cloudabi_condvar_t old = atomic_load(cv);

	do {
		if ((old & SYS_CV_MAX) == SYS_CV_MAX)
			return CLOUDABI_EAGAIN;
	} while (!atomic_compare_exchange_weak(cv, &old, old + SYS_CV_WAITER));
	return CLOUDABI_ESUCCESS;
}

/* Leaves condvar: takes a granted wake-up if there is one (true), else
 * just drops out of the waiter count when `give_up` (false). Returns
 * false without change when there is no grant and !give_up. */
static bool sys_lock_cv_leave(_Atomic(cloudabi_condvar_t) *cv, bool give_up,
                              cloudabi_condvar_t *seen)
{
	cloudabi_condvar_t old = atomic_load(cv), next;

	for (;;) {
		*seen = old;
		if (old >= SYS_CV_GRANT)
			next = old - SYS_CV_GRANT - SYS_CV_WAITER;
		else if (give_up)
			next = old - SYS_CV_WAITER;
		else
			return false;
		if (atomic_compare_exchange_weak(cv, &old, next))
			return old >= SYS_CV_GRANT;
	}
}

/* Sleeps on condvar until a wake-up is granted to us or the deadline. */
static cloudabi_errno_t sys_lock_cv_sleep(_Atomic(cloudabi_condvar_t) *cv,
                                          cloudabi_scope_t scope,
                                          const struct sys_lock_deadline *dl)
{
	cloudabi_condvar_t seen;

	for (;;) {
		int rc;

		if (sys_lock_cv_leave(cv, false, &seen))
			return CLOUDABI_ESUCCESS;
		rc = sys_lock_wait(cv, seen, scope, dl);
		if (rc == -ETIMEDOUT || rc == -EFAULT) {
			/* A grant that raced with the timeout is taken. */
			if (sys_lock_cv_leave(cv, true, &seen))
				return CLOUDABI_ESUCCESS;
			return errmap_from_linux(-rc);
		}
	}
}

cloudabi_errno_t sys_lock_condvar_wait(_Atomic(cloudabi_condvar_t) *condvar,
                                       cloudabi_scope_t condvar_scope,
                                       _Atomic(cloudabi_lock_t) *lock,
                                       cloudabi_scope_t lock_scope,
                                       cloudabi_tid_t tid,
                                       const struct sys_lock_deadline *dl)
{
	cloudabi_errno_t rc, rc2;

	if ((rc = sys_lock_scope_check(condvar_scope)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_word_check(condvar)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_word_check(lock)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_scope_check(lock_scope)) != CLOUDABI_ESUCCESS)
		return rc;
	if ((atomic_load(lock) & ~SYS_LOCK_KM) != (tid | SYS_LOCK_WR))
		return CLOUDABI_EPERM;
	/* Counted as a waiter before the lock is dropped, so a signal sent
	 * right after the release reaches us. */
	if ((rc = sys_lock_cv_enter(condvar)) != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_lock_release(lock, lock_scope, tid);
	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_cv_sleep(condvar, condvar_scope, dl);
	else
		sys_lock_cv_leave(condvar, true, &(cloudabi_condvar_t){0});
	/* Signalled or timed out, the lock is ours again on return. */
	rc2 = sys_lock_wrlock(lock, lock_scope, tid, NULL);
	return rc != CLOUDABI_ESUCCESS ? rc : rc2;
}

cloudabi_errno_t cloudabi_sys_lock_unlock(_Atomic(cloudabi_lock_t) *lock,
                                          cloudabi_scope_t scope)
{
	return sys_lock_release(lock, scope, rtthread_self()->tid);
}

cloudabi_errno_t
cloudabi_sys_condvar_signal(_Atomic(cloudabi_condvar_t) *condvar,
                            cloudabi_scope_t scope,
                            cloudabi_nthreads_t nwaiters)
{
	cloudabi_errno_t rc = sys_lock_scope_check(scope);
	cloudabi_condvar_t old, waiting, grant;

	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_word_check(condvar);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	old = atomic_load(condvar);
	do {
		/* Wake-ups go only to waiters without one already. */
		waiting = (old & SYS_CV_MAX) - (old / SYS_CV_GRANT);
		grant = nwaiters < waiting ? nwaiters : waiting;
		if (grant == 0)
			return CLOUDABI_ESUCCESS;
	} while (!atomic_compare_exchange_weak(condvar, &old,
	                                       old + grant * SYS_CV_GRANT));
	sys_lock_wake(condvar, grant == waiting ? INT_MAX : (int)grant, scope);
	return CLOUDABI_ESUCCESS;
}
