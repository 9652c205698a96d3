/*
 * rtthread: the runtime's record of one thread that runs CloudABI code, and
 * the switches between the program's and the runtime's %fs.
 *
 * A CloudABI program finds its thread state through %fs: the %fs base
 * points at an 8-byte slot, the slot holds a pointer to a TCB, and the
 * TCB's first word (`parent`) is private to the runtime: it points here.
 * The runtime's own C library wants %fs too (TLS, errno, stack guard), so
 * every entry into the runtime through the vDSO switches %fs to the host's
 * value and back on return (tramp.S; docs/runtime.md). glibc's own %fs
 * words are never touched.
 *
 * Ownership: a struct rtthread lives as long as its thread runs program
 * code; the thread that created it frees it after rtthread_enter()
 * returns. The layout of the first fields is used by tramp.S.
 */
#ifndef CLOUDABI_RTTHREAD_H
#define CLOUDABI_RTTHREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cloudabi_types.h"

struct rtthread {
	uint64_t host_fs;  /* %fs base of the runtime (glibc) for this thread */
	uint64_t guest_fs; /* %fs base while program code runs: &slot */
	uint32_t cursys;   /* index of the system call being served */
	uint32_t tid;      /* CloudABI thread id (the Linux tid) */
	uint64_t host_rsp; /* runtime stack saved by rtthread_enter() */
	uint64_t slot;     /* what the program reads as %fs:0 */
	cloudabi_tcb_t tcb; /* the initial TCB; the program copies it */
	/* Set by thread_exit for the code after rtthread_enter(). */
	_Atomic(cloudabi_lock_t) *exit_lock;
	cloudabi_scope_t exit_scope;
};

/* Offsets used by tramp.S; checked here so that both stay in step. */
#define RTTHREAD_HOST_FS  0
#define RTTHREAD_GUEST_FS 8
#define RTTHREAD_CURSYS   16
#define RTTHREAD_HOST_RSP 24
_Static_assert(offsetof(struct rtthread, host_fs) == RTTHREAD_HOST_FS, "");
_Static_assert(offsetof(struct rtthread, guest_fs) == RTTHREAD_GUEST_FS, "");
_Static_assert(offsetof(struct rtthread, cursys) == RTTHREAD_CURSYS, "");
_Static_assert(offsetof(struct rtthread, host_rsp) == RTTHREAD_HOST_RSP, "");

/*
 * For functions that run on a program's stack and end in a noreturn call
 * (proc_exit, thread_exit): AddressSanitizer would otherwise warn that
 * the stack is not the one it knows, on every exit of a sanitizer build.
 */
#define RTTHREAD_NO_ASAN __attribute__((no_sanitize("address")))

/* Whether wrfsbase may be used (CPU and kernel support); else the
 * switches go through arch_prctl(2). Set by rtthread_init(). */
extern uint8_t rtthread_have_fsgsbase;

/* Detects FSGSBASE support. Call once before any other function here. */
void rtthread_init(void);

/* Prepares t for the calling host thread: host %fs, tid, slot and TCB. */
void rtthread_setup(struct rtthread *t);

/* The rtthread of the calling thread while it serves a system call. */
struct rtthread *rtthread_self(void);

/*
 * Runs program code on this host thread: switches %fs to t's slot and the
 * stack to stack_top, and jumps to entry(a0, a1) as if called (the return
 * address is 0). Returns only when rtthread_leave(t) is called from a
 * system call of this thread, with the runtime's stack and %fs back.
 */
void rtthread_enter(struct rtthread *t, uint64_t entry, uint64_t a0,
                    uint64_t a1, uint64_t stack_top);

/* Abandons the program's stack and returns from rtthread_enter(). */
_Noreturn void rtthread_leave(struct rtthread *t);

/* Table of the vDSO entry points, one per system call in cloudabi.txt
 * order (tramp.S). */
extern const uint64_t rtthread_tramp[];

#endif
