/*
 * rtthread: per-thread runtime state and %fs handling. See rtthread.h.
 */
#include "rtthread.h"

#include <asm/prctl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

uint8_t rtthread_have_fsgsbase;

/* The thread's record, for runtime code (which runs on the host %fs). */
static __thread struct rtthread *rtthread_current;

void rtthread_init(void)
{
	/* The kernel sets this bit only when it allows the instructions. */
	rtthread_have_fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
}

/* The current %fs base. */
static uint64_t rtthread_get_fs(void)
{
	uint64_t fs = 0;

	if (rtthread_have_fsgsbase)
		__asm__ volatile("rdfsbase %0" : "=r"(fs));
	else
		syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
	return fs;
}

void rtthread_setup(struct rtthread *t)
{
	memset(t, 0, sizeof(*t));
	t->host_fs = rtthread_get_fs();
	t->tid = (uint32_t)gettid();
	t->tcb.parent = t;
	t->slot = (uint64_t)(uintptr_t)&t->tcb;
	t->guest_fs = (uint64_t)(uintptr_t)&t->slot;
	rtthread_current = t;
}

struct rtthread *rtthread_self(void)
{
	return rtthread_current;
}
