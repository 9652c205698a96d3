/*
 * sys: the table of served system calls. See sys.h.
 */
#include "sys.h"

#define SERVE(upper, lower)                                                    \
	[CLOUDABI_SYS_##upper] = (void *)cloudabi_sys_##lower

void *rtthread_syscalls[CLOUDABI_SYSCALL_COUNT] = {
        SERVE(CLOCK_RES_GET, clock_res_get),
        SERVE(CLOCK_TIME_GET, clock_time_get),
        SERVE(CONDVAR_SIGNAL, condvar_signal),
        SERVE(FD_CLOSE, fd_close),
        SERVE(FD_CREATE1, fd_create1),
        SERVE(FD_CREATE2, fd_create2),
        SERVE(FD_DATASYNC, fd_datasync),
        SERVE(FD_DUP, fd_dup),
        SERVE(FD_PREAD, fd_pread),
        SERVE(FD_PWRITE, fd_pwrite),
        SERVE(FD_READ, fd_read),
        SERVE(FD_REPLACE, fd_replace),
        SERVE(FD_SEEK, fd_seek),
        SERVE(FD_STAT_GET, fd_stat_get),
        SERVE(FD_STAT_PUT, fd_stat_put),
        SERVE(FD_SYNC, fd_sync),
        SERVE(FD_WRITE, fd_write),
        SERVE(FILE_ADVISE, file_advise),
        SERVE(FILE_ALLOCATE, file_allocate),
        SERVE(FILE_CREATE, file_create),
        SERVE(FILE_LINK, file_link),
        SERVE(FILE_OPEN, file_open),
        SERVE(FILE_READDIR, file_readdir),
        SERVE(FILE_READLINK, file_readlink),
        SERVE(FILE_RENAME, file_rename),
        SERVE(FILE_STAT_FGET, file_stat_fget),
        SERVE(FILE_STAT_FPUT, file_stat_fput),
        SERVE(FILE_STAT_GET, file_stat_get),
        SERVE(FILE_STAT_PUT, file_stat_put),
        SERVE(FILE_SYMLINK, file_symlink),
        SERVE(FILE_UNLINK, file_unlink),
        SERVE(LOCK_UNLOCK, lock_unlock),
        SERVE(MEM_ADVISE, mem_advise),
        SERVE(MEM_MAP, mem_map),
        SERVE(MEM_PROTECT, mem_protect),
        SERVE(MEM_SYNC, mem_sync),
        SERVE(MEM_UNMAP, mem_unmap),
        SERVE(POLL, poll),
        SERVE(PROC_EXEC, proc_exec),
        SERVE(PROC_EXIT, proc_exit),
        SERVE(PROC_FORK, proc_fork),
        SERVE(PROC_RAISE, proc_raise),
        SERVE(RANDOM_GET, random_get),
        SERVE(SOCK_RECV, sock_recv),
        SERVE(SOCK_SEND, sock_send),
        SERVE(SOCK_SHUTDOWN, sock_shutdown),
        SERVE(THREAD_CREATE, thread_create),
        SERVE(THREAD_EXIT, thread_exit),
        SERVE(THREAD_YIELD, thread_yield),
};

/* Instrumented code uses thread-local state everywhere: no TLS-free
 * calls in sanitizer builds. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) ||                                        \
        __has_feature(undefined_behavior_sanitizer)
#define SYS_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SYS_SANITIZED 1
#endif

#ifdef SYS_SANITIZED
uint8_t rtthread_fsfree[CLOUDABI_SYSCALL_COUNT];
#else
uint8_t rtthread_fsfree[CLOUDABI_SYSCALL_COUNT] = {
        [CLOUDABI_SYS_FD_READ] = 1,
        [CLOUDABI_SYS_FD_WRITE] = 1,
};
#endif

bool sys_served(unsigned i)
{
	return i < CLOUDABI_SYSCALL_COUNT && rtthread_syscalls[i] != NULL;
}
