/*
 * thread_sync: the minimal threads, mutex, rwlock and condvar a guest of
 * the conformance suite needs, written against the system calls the way
 * a C library does: uncontended paths in the program, contended ones in
 * poll / lock_unlock / condvar_signal. No TLS: the thread id comes from
 * the entry point argument and is passed around explicitly.
 */
#ifndef CONF_THREAD_SYNC_H
#define CONF_THREAD_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include <cloudabi_types.h>

#define TS_STACK_SIZE (64 * 1024)

struct ts_thread {
	_Atomic(cloudabi_lock_t) join; /* write-locked by tid until exit */
	_Atomic(uint32_t) started;
	cloudabi_tid_t tid;
	void (*fn)(struct ts_thread *, cloudabi_tid_t);
	void *arg;
	_Alignas(16) uint8_t stack[TS_STACK_SIZE];
};

/* Starts fn(t, tid) on a new thread; 0 or a CloudABI errno. */
int ts_start(struct ts_thread *t,
             void (*fn)(struct ts_thread *, cloudabi_tid_t));

/* Waits until t has called thread_exit (through its join lock). */
void ts_join(struct ts_thread *t, cloudabi_tid_t self);

/* Write-locks / read-locks / unlocks lock as thread tid (private). */
void ts_wrlock(_Atomic(cloudabi_lock_t) *lock, cloudabi_tid_t tid);
void ts_rdlock(_Atomic(cloudabi_lock_t) *lock);
void ts_unlock(_Atomic(cloudabi_lock_t) *lock, cloudabi_tid_t tid);

/* Waits on cv releasing lock (write-locked by the caller); relock after. */
void ts_cond_wait(_Atomic(cloudabi_condvar_t) *cv,
                  _Atomic(cloudabi_lock_t) *lock);

/* Wakes n waiters of cv. */
void ts_cond_signal(_Atomic(cloudabi_condvar_t) *cv, uint32_t n);

/* Number of failed system calls seen by the helpers. */
extern _Atomic(unsigned) ts_errors;

#endif
