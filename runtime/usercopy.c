/*
 * usercopy: fault-tolerant copies. See usercopy.h.
 */
#include "usercopy.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>

int usercopy_copy(void *dst, const void *src, size_t n);
extern const char usercopy_copy_begin[], usercopy_copy_end[];
extern const char usercopy_copy_fault[];

/* The kernel's struct sigaction for rt_sigaction(2). */
struct usercopy_ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/*
 * Runs on whatever %fs is current, possibly the program's: it must not
 * touch thread-local storage (no errno, no stack guard, no sanitizer), so
 * it restores the default action with a raw system call.
 */
__attribute__((no_stack_protector,
               no_sanitize("address", "undefined"))) static void
usercopy_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	struct usercopy_ksigaction dfl = {0};
	/* The fourth argument must be in %r10. */
	register long sigsetsize __asm__("r10") = 8;
	long rc;

	(void)si;
	if (ip >= (uintptr_t)usercopy_copy_begin &&
	    ip < (uintptr_t)usercopy_copy_end) {
		uc->uc_mcontext.gregs[REG_RIP] =
		        (greg_t)(uintptr_t)usercopy_copy_fault;
		return;
	}
	/* The program's own fault: returning re-runs the faulting
	 * instruction, which now kills the process with this signal. */
	__asm__ volatile("syscall"
	                 : "=a"(rc)
	                 : "0"((long)SYS_rt_sigaction), "D"((long)sig),
	                   "S"(&dfl), "d"(0L), "r"(sigsetsize)
	                 : "rcx", "r11", "memory");
	(void)rc;
}

int usercopy_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = usercopy_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0 ||
	    sigaction(SIGBUS, &sa, NULL) != 0)
		return -errno;
	return 0;
}

cloudabi_errno_t usercopy_read(void *dst, const void *src, size_t n)
{
	return usercopy_copy(dst, src, n) == 0 ? CLOUDABI_ESUCCESS
	                                       : CLOUDABI_EFAULT;
}

cloudabi_errno_t usercopy_write(void *dst, const void *src, size_t n)
{
	return usercopy_copy(dst, src, n) == 0 ? CLOUDABI_ESUCCESS
	                                       : CLOUDABI_EFAULT;
}

cloudabi_errno_t usercopy_path(char *buf, size_t size, const char *path,
                               size_t len)
{
	if (len >= size)
		return CLOUDABI_ENAMETOOLONG;
	if (usercopy_copy(buf, path, len) != 0)
		return CLOUDABI_EFAULT;
	if (memchr(buf, '\0', len) != NULL)
		return CLOUDABI_EINVAL;
	buf[len] = '\0';
	return CLOUDABI_ESUCCESS;
}
