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
#define SYS_CV_WAITER 0x10000u    /* one waiter, in the high half */
#define SYS_CV_SEQ    0xffffu     /* signal sequence, the low half */
#define SYS_CV_MAX    0xffffu     /* waiters at most */

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
		/* A bare KERNEL_MANAGED is the bogus state: taken as free,
		 * so the new word is one reader, compared with the real old
		 * one (comparing with 0 would spin for ever). */
		cloudabi_lock_t eff = old == SYS_LOCK_KM ? 0 : old;

		if ((eff & (SYS_LOCK_WR | SYS_LOCK_KM)) == 0) {
			/* Unlocked or read-locked with no writer waiting. */
			if (low == SYS_LOCK_LOW)
				return CLOUDABI_EAGAIN; /* reader count full */
			if (atomic_compare_exchange_strong(lock, &old, eff + 1))
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

/* Registers one more waiter on condvar and gives the signal sequence it
 * waits past; EAGAIN when the count is full. */
static cloudabi_errno_t sys_lock_cv_enter(_Atomic(cloudabi_condvar_t) *cv,
                                          cloudabi_condvar_t *seq)
{
	cloudabi_condvar_t old = atomic_load(cv);

	do {
		if (old / SYS_CV_WAITER == SYS_CV_MAX)
			return CLOUDABI_EAGAIN;
	} while (!atomic_compare_exchange_weak(cv, &old, old + SYS_CV_WAITER));
	*seq = old & SYS_CV_SEQ;
	return CLOUDABI_ESUCCESS;
}

/* Drops one waiter; the last one out clears the word (no waiters: 0),
 * sequence included, since no one is left who remembers it. */
static void sys_lock_cv_leave(_Atomic(cloudabi_condvar_t) *cv)
{
	cloudabi_condvar_t old = atomic_load(cv), next;

	do
		next = old / SYS_CV_WAITER == 1 ? 0 : old - SYS_CV_WAITER;
	while (!atomic_compare_exchange_weak(cv, &old, next));
}

/* Sleeps on condvar until a signal moves the sequence past seq, or the
 * deadline; leaves the waiter count either way. */
static cloudabi_errno_t sys_lock_cv_sleep(_Atomic(cloudabi_condvar_t) *cv,
                                          cloudabi_condvar_t seq,
                                          cloudabi_scope_t scope,
                                          const struct sys_lock_deadline *dl)
{
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;

	for (;;) {
		cloudabi_condvar_t now = atomic_load(cv);
		int w;

		if ((now & SYS_CV_SEQ) != seq)
			break; /* signalled since we entered */
		w = sys_lock_wait(cv, now, scope, dl);
		if (w == -ETIMEDOUT || w == -EFAULT) {
			/* A signal that raced with the timeout still counts. */
			if ((atomic_load(cv) & SYS_CV_SEQ) == seq)
				rc = errmap_from_linux(-w);
			break;
		}
	}
	sys_lock_cv_leave(cv);
	return rc;
}

cloudabi_errno_t sys_lock_condvar_wait(_Atomic(cloudabi_condvar_t) *condvar,
                                       cloudabi_scope_t condvar_scope,
                                       _Atomic(cloudabi_lock_t) *lock,
                                       cloudabi_scope_t lock_scope,
                                       cloudabi_tid_t tid,
                                       const struct sys_lock_deadline *dl)
{
	cloudabi_errno_t rc, rc2;
	cloudabi_condvar_t seq;

	if ((rc = sys_lock_scope_check(condvar_scope)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_word_check(condvar)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_word_check(lock)) != CLOUDABI_ESUCCESS ||
	    (rc = sys_lock_scope_check(lock_scope)) != CLOUDABI_ESUCCESS)
		return rc;
	if ((atomic_load(lock) & ~SYS_LOCK_KM) != (tid | SYS_LOCK_WR))
		return CLOUDABI_EPERM;
	/* Counted as a waiter before the lock is dropped, so a signal sent
	 * right after the release reaches us. */
	if ((rc = sys_lock_cv_enter(condvar, &seq)) != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_lock_release(lock, lock_scope, tid);
	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_cv_sleep(condvar, seq, condvar_scope, dl);
	else
		sys_lock_cv_leave(condvar);
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
	cloudabi_condvar_t old;

	if (rc == CLOUDABI_ESUCCESS)
		rc = sys_lock_word_check(condvar);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	old = atomic_load(condvar);
	do {
		if (old / SYS_CV_WAITER == 0 || nwaiters == 0)
			return CLOUDABI_ESUCCESS;
	} while (!atomic_compare_exchange_weak(
	        condvar, &old, (old & ~SYS_CV_SEQ) | ((old + 1) & SYS_CV_SEQ)));
	/*
	 * Every current waiter sees the sequence move and returns: a wake-up
	 * can no longer be taken by a thread that began waiting after the
	 * signal while an earlier one sleeps on (a lost wake-up). More
	 * threads may wake than nwaiters asked for: spurious wake-ups, which
	 * condition variables allow.
	 */
	sys_lock_wake(condvar, INT_MAX, scope);
	return CLOUDABI_ESUCCESS;
}
