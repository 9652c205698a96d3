/*
 * sys: the table of system call implementations the vDSO points at.
 *
 * Each implementation is a C function with the exact prototype of
 * cloudabi_syscalls.h, in one of the sys_*.c files by area. Programs reach
 * them through the trampolines of tramp.S, which switch %fs first. A call
 * the runtime does not serve yet is left out of the vDSO, so that a
 * program binds it to its own ENOSYS stub, as the contract says.
 */
#ifndef CLOUDABI_SYS_H
#define CLOUDABI_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include "cloudabi_syscall_names.h"
#include "cloudabi_syscalls.h"

/* Entry points in cloudabi.txt order; NULL where not served. Writable
 * only so that trace_init() can put its wrapper in front of them. */
extern void *rtthread_syscalls[CLOUDABI_SYSCALL_COUNT];

/*
 * TLS-free calls: 1 for a call whose implementation, and everything it
 * calls, never reads or writes thread-local storage (no glibc wrapper
 * that may touch errno or thread state: raw system calls, usercopy, the
 * fd table). The trampoline runs these on the program's %fs and skips
 * both %fs switches, the largest part of the runtime's cost per call.
 * tests/fsfree checks the machine code of these functions for %fs uses.
 * Sanitizer builds and --trace clear the table.
 */
extern uint8_t rtthread_fsfree[CLOUDABI_SYSCALL_COUNT];

/* Whether call i is served (and so exported by the vDSO). */
bool sys_served(unsigned i);

#endif
