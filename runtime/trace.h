/*
 * trace: `cloudabi-run --trace`, one line per system call on the
 * launcher's private stderr copy:
 *
 *   [tid] name(arg=value, ...) = ERRNO_NAME
 *
 * Tracing replaces every served entry of rtthread_syscalls[] by one
 * generic wrapper, which finds the call's index in rtthread_self()->cursys,
 * calls the real implementation with all seven argument registers and
 * formats the arguments from the generated cloudabi_syscall_info.h. Without
 * --trace the table is left alone, so the normal path costs nothing.
 *
 * Lines are built on the stack and written with a single write(2): no
 * stdio and no locks, so tracing stays usable across proc_fork and from
 * any number of threads. Program memory (paths, out values) is read with
 * usercopy, so a bad pointer shows as an address, never as a crash.
 */
#ifndef CLOUDABI_TRACE_H
#define CLOUDABI_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "cloudabi_types.h"

/* Longest line written; longer ones end in "...". */
#define TRACE_LINE_MAX 512

/*
 * Turns tracing on, for good. Call before launch_run() builds the vDSO.
 * log_fd is borrowed for the life of the process and read at every call:
 * the launcher stores there the number of the fd it kept for diagnostics
 * (it moves while the fds are renumbered); calls are not logged while it
 * is negative.
 */
void trace_init(const int *log_fd);

/* The CloudABI name of an errno ("ENOENT"), or NULL when unknown. */
const char *trace_errno_name(cloudabi_errno_t e);

/*
 * Formats the line of call `sys` with arguments args[0..6] into buf
 * (at least TRACE_LINE_MAX bytes; NUL-terminated, ends in '\n'): with
 * done false the line ends in " ..." (for calls that may not return),
 * else in " = " and the name of rc. Returns the length without the NUL.
 */
size_t trace_format(char *buf, uint32_t tid, unsigned sys,
                    const uint64_t args[7], int done, cloudabi_errno_t rc);

#endif
