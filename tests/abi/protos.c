/*
 * protos.c: compile-only check that the generated prototypes are exactly
 * the ABI that real binaries call (a change in the generator's output
 * breaks the compile). Built for the host and, freestanding, for
 * x86_64-unknown-cloudabi; with -DABI_WRONG it must fail to compile,
 * which proves the check can fail.
 */
#include "cloudabi_syscall_info.h"
#include "cloudabi_syscall_names.h"
#include "cloudabi_syscalls.h"
#include "cloudabi_types.h"

/* Requires `fn` to have exactly the function type `type`. */
#define SAME_TYPE(fn, type)                                                    \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&fn), type *),  \
	               #fn)

typedef cloudabi_errno_t fd_write_t(cloudabi_fd_t, const cloudabi_ciovec_t *,
                                    size_t, size_t *);
typedef cloudabi_errno_t file_open_t(cloudabi_lookup_t, const char *, size_t,
                                     cloudabi_oflags_t,
                                     const cloudabi_fdstat_t *,
                                     cloudabi_fd_t *);
#ifdef ABI_WRONG
/* mem_map without its last (stack-passed) argument. */
typedef cloudabi_errno_t mem_map_t(void *, size_t, cloudabi_mprot_t,
                                   cloudabi_mflags_t, cloudabi_fd_t,
                                   cloudabi_filesize_t);
#else
typedef cloudabi_errno_t mem_map_t(void *, size_t, cloudabi_mprot_t,
                                   cloudabi_mflags_t, cloudabi_fd_t,
                                   cloudabi_filesize_t, void **);
#endif
typedef cloudabi_errno_t poll_t(const cloudabi_subscription_t *,
                                cloudabi_event_t *, size_t, size_t *);
typedef void proc_exit_t(cloudabi_exitcode_t);
typedef cloudabi_errno_t condvar_signal_t(_Atomic(cloudabi_condvar_t) *,
                                          cloudabi_scope_t,
                                          cloudabi_nthreads_t);
typedef cloudabi_errno_t sock_recv_t(cloudabi_fd_t, const cloudabi_recv_in_t *,
                                     cloudabi_recv_out_t *);
typedef void thread_exit_t(_Atomic(cloudabi_lock_t) *, cloudabi_scope_t);
typedef cloudabi_errno_t file_readlink_t(cloudabi_fd_t, const char *, size_t,
                                         char *, size_t, size_t *);
typedef cloudabi_errno_t thread_yield_t(void);

SAME_TYPE(cloudabi_sys_fd_write, fd_write_t);
SAME_TYPE(cloudabi_sys_file_open, file_open_t);
SAME_TYPE(cloudabi_sys_mem_map, mem_map_t);
SAME_TYPE(cloudabi_sys_poll, poll_t);
SAME_TYPE(cloudabi_sys_proc_exit, proc_exit_t);
SAME_TYPE(cloudabi_sys_condvar_signal, condvar_signal_t);
SAME_TYPE(cloudabi_sys_sock_recv, sock_recv_t);
SAME_TYPE(cloudabi_sys_thread_exit, thread_exit_t);
SAME_TYPE(cloudabi_sys_file_readlink, file_readlink_t);
SAME_TYPE(cloudabi_sys_thread_yield, thread_yield_t);

/* Also as plain assignments: -Werror turns a mismatch into an error. */
void protos_check(void);
void protos_check(void)
{
	mem_map_t *volatile mm = &cloudabi_sys_mem_map;
	fd_write_t *volatile fw = &cloudabi_sys_fd_write;
	proc_exit_t *volatile pe = &cloudabi_sys_proc_exit;
	condvar_signal_t *volatile cs = &cloudabi_sys_condvar_signal;

	(void)mm, (void)fw, (void)pe, (void)cs;
}
