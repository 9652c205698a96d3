/*
 * Conformance: thread_create, thread_exit (joining through the exit
 * lock), locks and condition variables under contention, and their
 * error paths.
 */
#include "harness.h"
#include "thread_sync.h"

#include <crt0.h>
#include <sdk_string.h>

#define NWORKERS 4
#define NITER    10000

static struct ts_thread workers[NWORKERS];
static _Atomic(cloudabi_lock_t) mutex;
static uint64_t counter; /* guarded by mutex, deliberately not atomic */

/* Increments counter NITER times under the write lock. */
static void incr(struct ts_thread *t, cloudabi_tid_t tid)
{
	(void)t;
	for (int i = 0; i < NITER; i++) {
		ts_wrlock(&mutex, tid);
		uint64_t v = counter;
		if ((i & 63) == 0)
			cloudabi_sys_thread_yield(); /* widen the window */
		counter = v + 1;
		ts_unlock(&mutex, tid);
	}
}

/* Four writers: no increment may be lost. */
static void check_mutex(void)
{
	for (int i = 0; i < NWORKERS; i++)
		CHECK_OK(ts_start(&workers[i], incr));
	for (int i = 0; i < NWORKERS; i++)
		ts_join(&workers[i], crt0_tid());
	CHECK(counter == (uint64_t)NWORKERS * NITER);
	CHECK(atomic_load(&mutex) == 0 ||
	      atomic_load(&mutex) == CLOUDABI_LOCK_KERNEL_MANAGED);
}

static _Atomic(cloudabi_lock_t) rw;
static volatile uint32_t rw_a, rw_b; /* equal whenever not write-locked */
static _Atomic(unsigned) rw_torn, rw_reads;

/* Readers check that the pair is consistent; writers update it. */
static void reader(struct ts_thread *t, cloudabi_tid_t tid)
{
	for (int i = 0; i < NITER / 4; i++) {
		ts_rdlock(&rw);
		if (rw_a != rw_b)
			atomic_fetch_add(&rw_torn, 1);
		atomic_fetch_add(&rw_reads, 1);
		ts_unlock(&rw, tid);
	}
	(void)t;
}

/* Writer: a and b change in two steps, with a yield in between. */
static void writer(struct ts_thread *t, cloudabi_tid_t tid)
{
	for (int i = 0; i < NITER / 4; i++) {
		ts_wrlock(&rw, tid);
		rw_a++;
		if ((i & 15) == 0)
			cloudabi_sys_thread_yield();
		rw_b++;
		ts_unlock(&rw, tid);
	}
	(void)t;
}

/* Two readers and two writers on one rwlock. */
static void check_rwlock(void)
{
	CHECK_OK(ts_start(&workers[0], reader));
	CHECK_OK(ts_start(&workers[1], writer));
	CHECK_OK(ts_start(&workers[2], reader));
	CHECK_OK(ts_start(&workers[3], writer));
	for (int i = 0; i < NWORKERS; i++)
		ts_join(&workers[i], crt0_tid());
	CHECK(atomic_load(&rw_torn) == 0);
	CHECK(atomic_load(&rw_reads) == 2 * (NITER / 4));
	CHECK(rw_a == 2 * (NITER / 4) && rw_b == rw_a);
}

/* A bounded queue (just a count) with two condition variables. */
#define QCAP 4
static _Atomic(cloudabi_lock_t) qlock;
static _Atomic(cloudabi_condvar_t) qnotempty, qnotfull;
static unsigned qlen, qproduced, qconsumed;

/* Producer: NITER items, waiting while the queue is full. */
static void producer(struct ts_thread *t, cloudabi_tid_t tid)
{
	for (int i = 0; i < NITER; i++) {
		ts_wrlock(&qlock, tid);
		while (qlen == QCAP)
			ts_cond_wait(&qnotfull, &qlock);
		qlen++;
		qproduced++;
		ts_cond_signal(&qnotempty, 1);
		ts_unlock(&qlock, tid);
	}
	(void)t;
}

/* Consumer: NITER items, waiting while the queue is empty. */
static void consumer(struct ts_thread *t, cloudabi_tid_t tid)
{
	for (int i = 0; i < NITER; i++) {
		ts_wrlock(&qlock, tid);
		while (qlen == 0)
			ts_cond_wait(&qnotempty, &qlock);
		if (qlen > QCAP)
			atomic_fetch_add(&ts_errors, 1);
		qlen--;
		qconsumed++;
		ts_cond_signal(&qnotfull, 1);
		ts_unlock(&qlock, tid);
	}
	(void)t;
}

/* Two producers, two consumers through condvars. */
static void check_condvar(void)
{
	CHECK_OK(ts_start(&workers[0], producer));
	CHECK_OK(ts_start(&workers[1], consumer));
	CHECK_OK(ts_start(&workers[2], producer));
	CHECK_OK(ts_start(&workers[3], consumer));
	for (int i = 0; i < NWORKERS; i++)
		ts_join(&workers[i], crt0_tid());
	CHECK(qproduced == 2 * NITER && qconsumed == 2 * NITER);
	CHECK(qlen == 0);
	CHECK(atomic_load(&qnotempty) == CLOUDABI_CONDVAR_HAS_NO_WAITERS);
	CHECK(atomic_load(&qnotfull) == CLOUDABI_CONDVAR_HAS_NO_WAITERS);
}

static _Atomic(cloudabi_condvar_t) bcast;
static _Atomic(cloudabi_lock_t) block;
static _Atomic(unsigned) bwoken, bwaiting;
static unsigned bgo;

/* Waits for bgo under block. */
static void bwaiter(struct ts_thread *t, cloudabi_tid_t tid)
{
	ts_wrlock(&block, tid);
	atomic_fetch_add(&bwaiting, 1);
	while (!bgo)
		ts_cond_wait(&bcast, &block);
	atomic_fetch_add(&bwoken, 1);
	ts_unlock(&block, tid);
	(void)t;
}

/* condvar_signal with a large count wakes every waiter. */
static void check_broadcast(void)
{
	cloudabi_tid_t me = crt0_tid();

	for (int i = 0; i < NWORKERS; i++)
		CHECK_OK(ts_start(&workers[i], bwaiter));
	while (atomic_load(&bwaiting) < NWORKERS)
		cloudabi_sys_thread_yield();
	ts_wrlock(&block, me);
	bgo = 1;
	CHECK(atomic_load(&bcast) != CLOUDABI_CONDVAR_HAS_NO_WAITERS);
	CHECK_OK(cloudabi_sys_condvar_signal(&bcast, CLOUDABI_SCOPE_PRIVATE,
	                                     UINT32_MAX));
	ts_unlock(&block, me);
	for (int i = 0; i < NWORKERS; i++)
		ts_join(&workers[i], me);
	CHECK(atomic_load(&bwoken) == NWORKERS);
	CHECK(atomic_load(&bcast) == CLOUDABI_CONDVAR_HAS_NO_WAITERS);
}

static void entry_nop(cloudabi_tid_t tid, void *arg)
{
	(void)tid;
	(void)arg;
}

/* Bad arguments of thread_create, lock_unlock and condvar_signal. */
static void check_errors(void)
{
	cloudabi_threadattr_t attr = {.entry_point = NULL};
	cloudabi_tid_t tid;
	_Atomic(cloudabi_lock_t) l = 0;
	_Atomic(cloudabi_condvar_t) cv = 0;
	static _Atomic(cloudabi_lock_t) pair[2];

	CHECK_ERRNO(cloudabi_sys_thread_create((void *)16, &tid),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_thread_create(&attr, &tid), CLOUDABI_EINVAL);
	attr.entry_point = entry_nop;
	(void)attr;
	/* Not held by us: EPERM; unlocking leaves the word as it was. */
	CHECK_ERRNO(cloudabi_sys_lock_unlock(&l, CLOUDABI_SCOPE_PRIVATE),
	            CLOUDABI_EPERM);
	atomic_store(&l, (crt0_tid() + 1) | CLOUDABI_LOCK_WRLOCKED);
	CHECK_ERRNO(cloudabi_sys_lock_unlock(&l, CLOUDABI_SCOPE_PRIVATE),
	            CLOUDABI_EPERM);
	CHECK(atomic_load(&l) == ((crt0_tid() + 1) | CLOUDABI_LOCK_WRLOCKED));
	atomic_store(&l, crt0_tid() | CLOUDABI_LOCK_WRLOCKED |
	                         CLOUDABI_LOCK_KERNEL_MANAGED);
	CHECK_ERRNO(cloudabi_sys_lock_unlock(&l, 3), CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_lock_unlock(&l, CLOUDABI_SCOPE_SHARED));
	CHECK(atomic_load(&l) == 0);
	CHECK_ERRNO(
	        cloudabi_sys_lock_unlock((void *)16, CLOUDABI_SCOPE_PRIVATE),
	        CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_lock_unlock((void *)((char *)pair + 1),
	                                     CLOUDABI_SCOPE_PRIVATE),
	            CLOUDABI_EINVAL);
	/* No waiters: nothing to do; bad scope and pointer are errors. */
	CHECK_OK(cloudabi_sys_condvar_signal(&cv, CLOUDABI_SCOPE_PRIVATE, 1));
	CHECK(atomic_load(&cv) == 0);
	CHECK_ERRNO(cloudabi_sys_condvar_signal(&cv, 0, 1), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_condvar_signal((void *)16,
	                                        CLOUDABI_SCOPE_PRIVATE, 1),
	            CLOUDABI_EFAULT);
}

void conf_main(void)
{
	check_errors();
	check_mutex();
	check_rwlock();
	check_condvar();
	check_broadcast();
	CHECK(atomic_load(&ts_errors) == 0);
}
