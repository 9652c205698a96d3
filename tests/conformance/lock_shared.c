/*
 * Conformance: locks and condition variables in shared scope, between a
 * process and its forked child, in memory both map (an anonymous shared
 * mapping survives proc_fork as shared). The runtime keeps no state of
 * its own for a lock: the word is the lock, so this works across
 * processes only if shared scope really uses the shared futex space.
 */
#include "harness.h"

#include <crt0.h>
#include <sdk_string.h>
#include <stdatomic.h>

#define WR     0x40000000u
#define KM     0x80000000u
#define ROUNDS 20000

struct shared {
	_Atomic(cloudabi_lock_t) lock;
	_Atomic(cloudabi_condvar_t) cv;
	uint32_t counter; /* guarded by lock */
	uint32_t ready;   /* guarded by lock; signalled through cv */
	_Atomic(uint32_t) errors;
};

/* Blocks in the runtime until a shared-scope lock is acquired. */
static void shared_poll_lock(struct shared *s)
{
	cloudabi_subscription_t sub;
	cloudabi_event_t ev;
	size_t n = 0;

	memset(&sub, 0, sizeof(sub));
	sub.type = CLOUDABI_EVENTTYPE_LOCK_WRLOCK;
	sub.lock.lock = &s->lock;
	sub.lock.lock_scope = CLOUDABI_SCOPE_SHARED;
	if (cloudabi_sys_poll(&sub, &ev, 1, &n) != 0 || n != 1 || ev.error != 0)
		atomic_fetch_add(&s->errors, 1);
}

static void shared_lock(struct shared *s, cloudabi_tid_t tid)
{
	cloudabi_lock_t old = 0;

	if (!atomic_compare_exchange_strong(&s->lock, &old, tid | WR))
		shared_poll_lock(s);
}

static void shared_unlock(struct shared *s, cloudabi_tid_t tid)
{
	cloudabi_lock_t old = tid | WR;

	if (atomic_compare_exchange_strong(&s->lock, &old, 0))
		return;
	/* Kernel-managed: waiters exist, the runtime hands the lock on. */
	if (cloudabi_sys_lock_unlock(&s->lock, CLOUDABI_SCOPE_SHARED) != 0)
		atomic_fetch_add(&s->errors, 1);
}

/* Both processes increment the counter under the lock. */
static void shared_count(struct shared *s, cloudabi_tid_t tid)
{
	for (int i = 0; i < ROUNDS; i++) {
		shared_lock(s, tid);
		s->counter++;
		shared_unlock(s, tid);
	}
}

/* Waits (lock held) until the child has set ready, via the condvar. */
static void shared_wait_ready(struct shared *s)
{
	cloudabi_subscription_t sub;
	cloudabi_event_t ev;
	size_t n = 0;

	while (s->ready == 0) {
		memset(&sub, 0, sizeof(sub));
		sub.type = CLOUDABI_EVENTTYPE_CONDVAR;
		sub.condvar.condvar = &s->cv;
		sub.condvar.lock = &s->lock;
		sub.condvar.condvar_scope = CLOUDABI_SCOPE_SHARED;
		sub.condvar.lock_scope = CLOUDABI_SCOPE_SHARED;
		CHECK_OK(cloudabi_sys_poll(&sub, &ev, 1, &n));
		CHECK(n == 1 && ev.error == 0);
	}
}

/* The child: count, then set ready and signal the parent. */
static _Noreturn void child(struct shared *s, cloudabi_tid_t tid)
{
	shared_count(s, tid);
	shared_lock(s, tid);
	s->ready = 1;
	if (atomic_load(&s->cv) != 0 &&
	    cloudabi_sys_condvar_signal(&s->cv, CLOUDABI_SCOPE_SHARED, 1) != 0)
		atomic_fetch_add(&s->errors, 1);
	shared_unlock(s, tid);
	cloudabi_sys_proc_exit(atomic_load(&s->errors) == 0 ? 0 : 1);
}

/* Waits for the child's end; returns its exit code (or 1000 + signal). */
static uint32_t wait_child(cloudabi_fd_t pd)
{
	cloudabi_subscription_t sub;
	cloudabi_event_t ev;
	size_t n = 0;

	memset(&sub, 0, sizeof(sub));
	sub.type = CLOUDABI_EVENTTYPE_PROC_TERMINATE;
	sub.proc_terminate.fd = pd;
	CHECK_OK(cloudabi_sys_poll(&sub, &ev, 1, &n));
	CHECK(n == 1 && ev.error == 0);
	return ev.proc_terminate.signal != 0 ? 1000u + ev.proc_terminate.signal
	                                     : ev.proc_terminate.exitcode;
}

void conf_main(void)
{
	void *mem = NULL;
	struct shared *s;
	cloudabi_fd_t pd;
	cloudabi_tid_t tid, self = crt0_tid();

	CHECK_OK(cloudabi_sys_mem_map(NULL, 4096,
	                              CLOUDABI_PROT_READ | CLOUDABI_PROT_WRITE,
	                              CLOUDABI_MAP_ANON | CLOUDABI_MAP_SHARED,
	                              CLOUDABI_MAP_ANON_FD, 0, &mem));
	if (mem == NULL)
		return;
	s = mem;
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD)
		child(s, tid);
	shared_count(s, self);
	shared_lock(s, self);
	shared_wait_ready(s);
	CHECK(s->counter == 2 * ROUNDS);
	shared_unlock(s, self);
	CHECK(wait_child(pd) == 0);
	CHECK(atomic_load(&s->errors) == 0);
	CHECK(atomic_load(&s->lock) == 0);
	CHECK(atomic_load(&s->cv) == 0);
	/* An unknown scope is refused. */
	CHECK_ERRNO(cloudabi_sys_lock_unlock(&s->lock, 0x77), CLOUDABI_EINVAL);
}
