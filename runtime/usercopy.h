/*
 * usercopy: copies between the program's memory and the runtime's that
 * fail with EFAULT instead of crashing the process.
 *
 * The runtime shares its address space with the program, and a program
 * may pass any pointer to a system call. Buffers handed straight to the
 * kernel (read, write...) get EFAULT from the kernel; structures the
 * runtime reads or writes itself (subscriptions, fdstat, paths) go through
 * these functions. A fault inside the copy loop is caught by a SIGSEGV /
 * SIGBUS handler that resumes at a fixup, as kernels do with exception
 * tables; any other fault is the program's own, and kills it with the
 * original signal.
 */
#ifndef CLOUDABI_USERCOPY_H
#define CLOUDABI_USERCOPY_H

#include <stddef.h>

#include "cloudabi_types.h"

/* Installs the fault handler. Call once before the program runs. */
int usercopy_init(void);

/* Copies n bytes from the program's src; EFAULT if it is not readable. */
cloudabi_errno_t usercopy_read(void *dst, const void *src, size_t n);

/* Copies n bytes to the program's dst; EFAULT if it is not writable. */
cloudabi_errno_t usercopy_write(void *dst, const void *src, size_t n);

/*
 * Copies the program's path[0..len) into buf as a C string: EFAULT,
 * ENAMETOOLONG when len >= size, EINVAL when it holds a NUL byte.
 */
cloudabi_errno_t usercopy_path(char *buf, size_t size, const char *path,
                               size_t len);

/* 0 when the aligned 32-bit word at p is readable and writable (atomic
 * words of the program: locks, condvars), else -1. It never changes the
 * word. */
int usercopy_probe32(void *p);

#endif
