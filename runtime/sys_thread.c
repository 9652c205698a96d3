/*
 * sys_thread: thread_create and thread_exit.
 *
 * Each program thread is a detached host pthread. Its struct rtthread is
 * allocated and owned by its start routine, which frees it once the
 * program's code has left through thread_exit. The main thread's record
 * belongs to launch.c, which runs it on a stack of the runtime's own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "errmap.h"
#include "rtthread.h"
#include "sys.h"
#include "sys_lock.h"
#include "usercopy.h"

/* Set in threads started here: their stack is the program's, so their
 * exit lock is released only after leaving it (see thread_exit). */
static __thread bool sys_thread_ours;

/* What a new thread needs, on the creator's stack until `tid` is set. */
struct sys_thread_start {
	cloudabi_threadattr_t attr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	cloudabi_tid_t tid; /* 0 until the thread has reported */
	bool failed;
};

/* Tells the creator the outcome; after this `s` must not be touched. */
static void sys_thread_report(struct sys_thread_start *s, cloudabi_tid_t tid)
{
	pthread_mutex_lock(&s->mu);
	s->tid = tid;
	s->failed = tid == 0;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Host start routine: runs the program's entry, then finishes exiting. */
static void *sys_thread_main(void *arg)
{
	struct sys_thread_start *s = arg;
	struct rtthread *t = calloc(1, sizeof(*t));
	cloudabi_threadattr_t attr = s->attr;
	uint64_t top;

	if (t == NULL) {
		sys_thread_report(s, 0);
		return NULL;
	}
	rtthread_setup(t);
	sys_thread_ours = true;
	sys_thread_report(s, t->tid);
	top = (uint64_t)(uintptr_t)attr.stack + attr.stack_len;
	rtthread_enter(t, (uint64_t)(uintptr_t)attr.entry_point, t->tid,
	               (uint64_t)(uintptr_t)attr.argument, top);
	/* Back on the host stack: the program's stack may go now. */
	if (t->exit_lock != NULL)
		sys_lock_release(t->exit_lock, t->exit_scope, t->tid);
	free(t);
	return NULL;
}

/* Starts the host thread for s, detached. */
static int sys_thread_spawn(struct sys_thread_start *s)
{
	pthread_attr_t pa;
	pthread_t th;
	int rc;

	if ((rc = pthread_attr_init(&pa)) != 0)
		return rc;
	rc = pthread_attr_setdetachstate(&pa, PTHREAD_CREATE_DETACHED);
	if (rc == 0)
		rc = pthread_create(&th, &pa, sys_thread_main, s);
	pthread_attr_destroy(&pa);
	return rc;
}

cloudabi_errno_t cloudabi_sys_thread_create(cloudabi_threadattr_t *attr,
                                            cloudabi_tid_t *tid)
{
	struct sys_thread_start s = {.tid = 0, .failed = false};
	cloudabi_errno_t err;
	int rc;

	if ((err = usercopy_read(&s.attr, attr, sizeof(s.attr))) != 0)
		return err;
	if (s.attr.entry_point == NULL)
		return CLOUDABI_EINVAL;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	rc = sys_thread_spawn(&s);
	if (rc == 0) {
		/* The tid is written into locks: the thread must exist and
		 * know its own before the program can use it. */
		pthread_mutex_lock(&s.mu);
		while (s.tid == 0 && !s.failed)
			pthread_cond_wait(&s.cv, &s.mu);
		pthread_mutex_unlock(&s.mu);
		rc = s.failed ? ENOMEM : 0;
	}
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	if (rc != 0)
		return errmap_from_linux(rc);
	return usercopy_write(tid, &s.tid, sizeof(s.tid));
}

RTTHREAD_NO_ASAN _Noreturn void
cloudabi_sys_thread_exit(_Atomic(cloudabi_lock_t) *lock, cloudabi_scope_t scope)
{
	struct rtthread *t = rtthread_self();

	if (!sys_thread_ours) {
		/* The main thread runs on the runtime's stack, which no
		 * joiner frees: release now, launch.c ends the thread. */
		if (lock != NULL)
			sys_lock_release(lock, scope, t->tid);
		rtthread_leave(t);
	}
	t->exit_lock = lock;
	t->exit_scope = scope;
	rtthread_leave(t);
}
