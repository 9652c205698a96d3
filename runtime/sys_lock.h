/*
 * sys_lock: CloudABI's userspace locks and condition variables, served
 * with Linux futexes on the program's own words.
 *
 * Lock word (abi-contract.md): WRLOCKED | owner tid, or a reader count;
 * KERNEL_MANAGED is set by a thread before it sleeps, so that the owner
 * calls lock_unlock. The runtime keeps no state of its own: the word is
 * everything, which is what makes shared-scope locks work across
 * processes (a non-private futex on shared memory). Unlocking wakes every
 * waiter and lets them race again; each loser sets KERNEL_MANAGED again
 * before it sleeps, so no wake-up is lost.
 *
 * Condvar word: high 16 bits the number of waiters, low 16 bits a signal
 * sequence. A waiter notes the sequence when it enters and returns once
 * a signal has moved it; condvar_signal moves it and wakes every waiter,
 * so a thread that begins waiting after a signal can never take the
 * wake-up of one that waited before it (more threads may wake than
 * asked for: spurious wake-ups, which condition variables allow). The
 * last waiter out clears the word: it is non-zero exactly while threads
 * wait (CONDVAR_HAS_NO_WAITERS is 0).
 *
 * All pointers are the program's, borrowed for the call. Functions return
 * CloudABI errnos.
 */
#ifndef CLOUDABI_SYS_LOCK_H
#define CLOUDABI_SYS_LOCK_H

#include <stdbool.h>
#include <time.h>

#include "cloudabi_types.h"

/* When a blocking wait gives up: an absolute time of a Linux clock. */
struct sys_lock_deadline {
	bool set;        /* false: wait for ever */
	clockid_t clock; /* CLOCK_MONOTONIC or CLOCK_REALTIME */
	struct timespec at;
};

/* EINVAL unless scope is private or shared. */
cloudabi_errno_t sys_lock_scope_check(cloudabi_scope_t scope);

/* Acquires lock for writing by tid, sleeping while it is held;
 * ETIMEDOUT at the deadline, EDEADLK when tid holds it already. */
cloudabi_errno_t sys_lock_wrlock(_Atomic(cloudabi_lock_t) *lock,
                                 cloudabi_scope_t scope, cloudabi_tid_t tid,
                                 const struct sys_lock_deadline *dl);

/* Acquires lock for reading, sleeping while it is write-locked or while
 * writers wait; ETIMEDOUT at the deadline. */
cloudabi_errno_t sys_lock_rdlock(_Atomic(cloudabi_lock_t) *lock,
                                 cloudabi_scope_t scope, cloudabi_tid_t tid,
                                 const struct sys_lock_deadline *dl);

/* Releases lock, write-locked by tid, and wakes its waiters; EPERM when
 * tid does not hold it for writing. */
cloudabi_errno_t sys_lock_release(_Atomic(cloudabi_lock_t) *lock,
                                  cloudabi_scope_t scope, cloudabi_tid_t tid);

/* Releases lock (write-locked by tid), waits on condvar until signalled
 * or the deadline, then reacquires lock for writing in both cases:
 * ESUCCESS when signalled, ETIMEDOUT when not. */
cloudabi_errno_t sys_lock_condvar_wait(_Atomic(cloudabi_condvar_t) *condvar,
                                       cloudabi_scope_t condvar_scope,
                                       _Atomic(cloudabi_lock_t) *lock,
                                       cloudabi_scope_t lock_scope,
                                       cloudabi_tid_t tid,
                                       const struct sys_lock_deadline *dl);

#endif
