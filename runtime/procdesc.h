/*
 * procdesc: CloudABI process descriptors on top of Linux pidfds, and the
 * mapping between CloudABI and Linux signal numbers.
 *
 * A process descriptor is a pidfd (O_CLOEXEC) registered in fdtab with
 * filetype process. The exit status of a child can be read from the kernel
 * only once (waitid reaps it), but a program may ask many times (poll on
 * proc_terminate, through any fd_dup'd copy): the first reader stores it
 * here, keyed by the process (the pidfd's inode, unique per process on
 * pidfs), and later readers get the stored copy.
 *
 * Thread-safe: one mutex guards the table; blocking waits run outside it.
 */
#ifndef CLOUDABI_PROCDESC_H
#define CLOUDABI_PROCDESC_H

#include <stdbool.h>
#include <stdint.h>

#include "cloudabi_types.h"

/*
 * Whether the process of process descriptor `fd` has ended. Returns 0
 * when it has, with *signal = the CloudABI signal that killed it (0 if it
 * exited) and *exitcode = its exit status (0 when killed); -EAGAIN when it
 * still runs and block is false; another negative errno on failure (ECHILD
 * for a process that is not a child of this one). With block, waits for
 * the end. Safe to call again after a 0: the stored status comes back.
 */
int procdesc_wait(int fd, bool block, uint8_t *signal, uint32_t *exitcode);

/*
 * Called by fd_close before closing a process descriptor: kills the
 * process (SIGKILL) and reaps it, unless it already ended, another program
 * fd still refers to it, or this process did not create it (an fd
 * inherited through proc_fork). Does not close fd.
 */
void procdesc_close(int fd);

/*
 * proc_fork: forks the calling process. In the parent, *fd is a new
 * process descriptor (registered in fdtab); in the child, *fd is
 * CLOUDABI_PROCESS_CHILD and *tid the child's thread id (also updated in
 * the caller's rtthread). Returns a CloudABI errno.
 */
cloudabi_errno_t procdesc_fork(cloudabi_fd_t *fd, cloudabi_tid_t *tid);

/* The Linux signal for CloudABI signal sig, or 0 when sig is not valid. */
int procdesc_sig_to_linux(cloudabi_signal_t sig);

/* The CloudABI signal for Linux signal sig, or 0 when there is none. */
cloudabi_signal_t procdesc_sig_from_linux(int sig);

#endif
