/*
 * sandbox_seccomp: the seccomp-bpf allowlist of the sandbox. See
 * sandbox.h and docs/security.md ("seccomp").
 *
 * The list is what the runtime itself, glibc underneath it (threads,
 * malloc, stdio) and the dynamic loader after proc_exec issue; nothing
 * the program could want beyond that is allowed, since every CloudABI
 * call goes through the runtime. Anything else kills the process
 * (SECCOMP_RET_KILL_PROCESS): a program that issues an unknown call is
 * hostile or broken, and a dead process cannot retry. A few calls get an
 * errno instead, so that a fallback runs or the refusal reads as one:
 * clone3 (ENOSYS: glibc falls back to clone, whose flags can be checked),
 * socket (EACCES) and writable+executable mmap/mprotect (EACCES). The
 * call does nothing either way.
 */
#include "sandbox.h"

#include "fdtab.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#ifndef SOCK_TYPE_MASK
#define SOCK_TYPE_MASK 0xf /* the type bits of socket(2)'s second argument */
#endif
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <asm/prctl.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif

/* Calls allowed with any arguments: they reach only what the process
 * already holds (its fds, its memory, its own threads) or nothing. */
static const int sandbox_sc_plain[] = {
        /* fds */
        SCMP_SYS(read),
        SCMP_SYS(write),
        SCMP_SYS(readv),
        SCMP_SYS(writev),
        SCMP_SYS(pread64),
        SCMP_SYS(pwrite64),
        SCMP_SYS(preadv),
        SCMP_SYS(pwritev),
        SCMP_SYS(preadv2),
        SCMP_SYS(pwritev2),
        SCMP_SYS(close),
        SCMP_SYS(close_range),
        SCMP_SYS(dup),
        SCMP_SYS(dup2),
        SCMP_SYS(dup3),
        SCMP_SYS(lseek),
        SCMP_SYS(fstat),
        SCMP_SYS(fsync),
        SCMP_SYS(fdatasync),
        SCMP_SYS(ftruncate),
        SCMP_SYS(fallocate),
        SCMP_SYS(fadvise64),
        SCMP_SYS(fstatfs), /* posix_fallocate's fallback */
        SCMP_SYS(getdents64),
        SCMP_SYS(memfd_create),
        SCMP_SYS(pipe2),
        SCMP_SYS(poll),
        SCMP_SYS(ppoll),
        /* paths: Landlock decides what they reach */
        SCMP_SYS(openat),
        SCMP_SYS(openat2),
        SCMP_SYS(newfstatat),
        SCMP_SYS(statx),
        SCMP_SYS(readlinkat),
        SCMP_SYS(mkdirat),
        SCMP_SYS(unlinkat),
        SCMP_SYS(renameat),
        SCMP_SYS(renameat2),
        SCMP_SYS(linkat),
        SCMP_SYS(symlinkat),
        SCMP_SYS(utimensat),
        SCMP_SYS(faccessat),
        SCMP_SYS(faccessat2),
        SCMP_SYS(access),
        SCMP_SYS(readlink),
        SCMP_SYS(stat),
        SCMP_SYS(lstat),
        SCMP_SYS(open),
        /* sockets already held (the launcher bound or connected them) */
        SCMP_SYS(sendmsg),
        SCMP_SYS(recvmsg),
        SCMP_SYS(recvfrom),
        SCMP_SYS(shutdown),
        SCMP_SYS(accept4),
        SCMP_SYS(getsockopt),
        SCMP_SYS(getsockname),
        SCMP_SYS(getpeername),
        /* memory */
        SCMP_SYS(munmap),
        SCMP_SYS(mremap),
        SCMP_SYS(madvise),
        SCMP_SYS(msync),
        SCMP_SYS(brk),
        SCMP_SYS(mincore),
        /* signals (Landlock scopes them to the sandbox) */
        SCMP_SYS(rt_sigaction),
        SCMP_SYS(rt_sigprocmask),
        SCMP_SYS(rt_sigreturn),
        SCMP_SYS(restart_syscall), /* sleeps resumed after SIGCONT */
        SCMP_SYS(sigaltstack),
        SCMP_SYS(tgkill),
        SCMP_SYS(tkill),
        SCMP_SYS(kill),
        SCMP_SYS(pidfd_send_signal),
        /* time, randomness, scheduling */
        SCMP_SYS(clock_gettime),
        SCMP_SYS(clock_getres),
        SCMP_SYS(clock_nanosleep),
        SCMP_SYS(nanosleep),
        SCMP_SYS(gettimeofday),
        SCMP_SYS(getrandom),
        SCMP_SYS(sched_yield),
        SCMP_SYS(sched_getaffinity),
        /* threads and processes */
        SCMP_SYS(futex),
        SCMP_SYS(set_robust_list),
        SCMP_SYS(rseq),
        SCMP_SYS(set_tid_address),
        SCMP_SYS(gettid),
        SCMP_SYS(getpid),
        SCMP_SYS(getppid),
        SCMP_SYS(getuid),
        SCMP_SYS(geteuid),
        SCMP_SYS(getgid),
        SCMP_SYS(getegid),
        SCMP_SYS(uname),
        SCMP_SYS(exit),
        SCMP_SYS(exit_group),
        SCMP_SYS(wait4),
        SCMP_SYS(waitid),
        SCMP_SYS(pidfd_open),
#ifdef CLOUDABID_SANITIZE_BUILD
        /* AddressSanitizer's own runtime (compile-time: sanitizer builds
         * only). At start-up, also after proc_exec under the filter, it
         * sets RLIMIT_CORE to 0 (lowering a limit: nothing to gain). */
        SCMP_SYS(sched_getparam),
        SCMP_SYS(prlimit64),
#endif
};

/* Adds rule `action` for call with up to two argument comparisons. */
static int sandbox_sc_add(scmp_filter_ctx ctx, uint32_t action, int call,
                          unsigned n, struct scmp_arg_cmp a,
                          struct scmp_arg_cmp b)
{
	struct scmp_arg_cmp cmp[2] = {a, b};

	return seccomp_rule_add_array(ctx, action, call, n, cmp);
}

/* One comparison of argument i (b: the value for SCMP_CMP_MASKED_EQ). */
static struct scmp_arg_cmp sandbox_sc_cmp(unsigned i, enum scmp_compare op,
                                          scmp_datum_t a, scmp_datum_t b)
{
	return (struct scmp_arg_cmp){
	        .arg = i, .op = op, .datum_a = a, .datum_b = b};
}

#define ALLOW           SCMP_ACT_ALLOW
#define ONE(call, a)    sandbox_sc_add(ctx, ALLOW, SCMP_SYS(call), 1, a, a)
#define ARG_EQ(i, v)    sandbox_sc_cmp(i, SCMP_CMP_EQ, (scmp_datum_t)(v), 0)
#define ARG_HAS(i, m)   sandbox_sc_cmp(i, SCMP_CMP_MASKED_EQ, (m), (m))
#define ARG_LACKS(i, m) sandbox_sc_cmp(i, SCMP_CMP_MASKED_EQ, (m), 0)

/* ioctl requests the runtime and stdio use: queue sizes, tty probe. */
static const unsigned long sandbox_sc_ioctls[] = {FIONREAD, TIOCOUTQ, TCGETS,
                                                  FIONBIO, FIOCLEX};
/* fcntl commands: flags, duplication, locks, pipe size. */
static const int sandbox_sc_fcntls[] = {
        F_GETFD,         F_SETFD,      F_GETFL,     F_SETFL,  F_DUPFD,
        F_DUPFD_CLOEXEC, F_GETLK,      F_SETLK,     F_SETLKW, F_OFD_GETLK,
        F_OFD_SETLK,     F_OFD_SETLKW, F_GETPIPE_SZ};
/* prctl options: thread and mapping names, reading the own state. */
static const int sandbox_sc_prctls[] = {
        PR_SET_NAME,    PR_GET_NAME,         PR_SET_VMA,      PR_GET_DUMPABLE,
        PR_GET_SECCOMP, PR_GET_NO_NEW_PRIVS, PR_CAPBSET_READ, PR_GET_KEEPCAPS};

/* Calls allowed only with some argument values. */
static int sandbox_sc_checked(scmp_filter_ctx ctx, int self_fd)
{
	/* Writable and executable together: never (CloudABI's W^X). */
	struct scmp_arg_cmp wx = ARG_HAS(2, PROT_WRITE | PROT_EXEC);
	const uint64_t thread_flags =
	        CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
	        CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
	        CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	const uint64_t fork_flags =
	        CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
	int rc = 0;

	rc |= ONE(mmap, ARG_LACKS(2, PROT_WRITE));
	rc |= ONE(mmap, ARG_LACKS(2, PROT_EXEC));
	rc |= ONE(mprotect, ARG_LACKS(2, PROT_WRITE));
	rc |= ONE(mprotect, ARG_LACKS(2, PROT_EXEC));
	rc |= ONE(pkey_mprotect, ARG_LACKS(2, PROT_WRITE));
	rc |= ONE(pkey_mprotect, ARG_LACKS(2, PROT_EXEC));
	rc |= sandbox_sc_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(mmap), 1, wx,
	                     wx);
	rc |= sandbox_sc_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(mprotect), 1,
	                     wx, wx);
	/* UNIX pairs of connected types only: a datagram socket could be
	 * aimed at any socket path on the host with sendto or sendmsg,
	 * which Landlock does not cover. fd_create2 makes its datagram
	 * pairs as seqpacket (message boundaries, no addressing). */
	rc |= sandbox_sc_add(ctx, ALLOW, SCMP_SYS(socketpair), 2,
	                     ARG_EQ(0, AF_UNIX),
	                     sandbox_sc_cmp(1, SCMP_CMP_MASKED_EQ,
	                                    SOCK_TYPE_MASK, SOCK_STREAM));
	rc |= sandbox_sc_add(ctx, ALLOW, SCMP_SYS(socketpair), 2,
	                     ARG_EQ(0, AF_UNIX),
	                     sandbox_sc_cmp(1, SCMP_CMP_MASKED_EQ,
	                                    SOCK_TYPE_MASK, SOCK_SEQPACKET));
	/* send() is sendto without an address; with one, a granted
	 * unconnected datagram socket could reach anything. */
	rc |= ONE(sendto, ARG_EQ(4, 0));
	rc |= ONE(arch_prctl, ARG_EQ(0, ARCH_SET_FS));
	rc |= ONE(arch_prctl, ARG_EQ(0, ARCH_GET_FS));
	/* Threads (pthread_create) and fork (proc_fork); no namespace,
	 * no CLONE_UNTRACED, no shared fd table across processes. */
	rc |= ONE(clone, ARG_EQ(0, thread_flags));
	rc |= ONE(clone, ARG_EQ(0, fork_flags));
	rc |= ONE(clone, ARG_EQ(0, SIGCHLD));
	/* The runtime's own binary only, by its saved fd (proc_exec). */
	rc |= sandbox_sc_add(ctx, ALLOW, SCMP_SYS(execveat), 2,
	                     ARG_EQ(0, self_fd), ARG_EQ(4, AT_EMPTY_PATH));
#ifndef CLOUDABID_SANITIZE_BUILD
	/* Reading limits (pthread stack size), never setting them. */
	rc |= ONE(prlimit64, ARG_EQ(2, 0));
#endif
	for (size_t i = 0; i < sizeof(sandbox_sc_ioctls) / sizeof(long); i++)
		rc |= ONE(ioctl, ARG_EQ(1, sandbox_sc_ioctls[i]));
	for (size_t i = 0; i < sizeof(sandbox_sc_fcntls) / sizeof(int); i++)
		rc |= ONE(fcntl, ARG_EQ(1, sandbox_sc_fcntls[i]));
	for (size_t i = 0; i < sizeof(sandbox_sc_prctls) / sizeof(int); i++)
		rc |= ONE(prctl, ARG_EQ(0, sandbox_sc_prctls[i]));
	return rc;
}

/* Calls refused with an errno rather than death: the C library probes
 * clone3 and falls back; socket is simply refused. */
static int sandbox_sc_errnos(scmp_filter_ctx ctx)
{
	static const struct {
		int call, err;
	} e[] = {
	        {SCMP_SYS(clone3), ENOSYS},
	        {SCMP_SYS(socket), EACCES},
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)e[i].err),
		                       e[i].call, 0);
	return rc;
}

int sandbox_seccomp_available(void)
{
	uint32_t action = SECCOMP_RET_KILL_PROCESS;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0)
		return -errno;
	return 0;
}

/* Builds the filter for self_fd into a new context (*out, the caller
 * releases it). Returns 0 or -errno. */
static int sandbox_sc_build(int self_fd, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (ctx == NULL)
		return -ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* A call of another architecture (int 0x80, x32) kills the whole
	 * process too, not only the calling thread. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
		                      SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0;
	     rc == 0 && i < sizeof(sandbox_sc_plain) / sizeof(int); i++)
		rc = seccomp_rule_add(ctx, ALLOW, sandbox_sc_plain[i], 0);
	if (rc == 0 && (sandbox_sc_checked(ctx, self_fd) != 0 ||
	                sandbox_sc_errnos(ctx) != 0))
		rc = -EINVAL;
	if (rc != 0) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

int sandbox_seccomp_export(int self_fd, int out_fd)
{
	scmp_filter_ctx ctx;
	int rc = sandbox_sc_build(self_fd, &ctx);

	if (rc != 0)
		return rc;
	rc = seccomp_export_bpf(ctx, out_fd);
	seccomp_release(ctx);
	return rc;
}

#ifndef SANDBOX_BPFGEN
/* sandbox_bpf[]: the filter for self_fd == FDTAB_MAX, compiled at build
 * time by sandbox_bpfgen (libseccomp takes about 0.45 ms per launch to
 * compile it; loading a ready program takes a few microseconds). */
#include "sandbox_bpf.inc"

/* Loads the build-time program on every thread. */
static int sandbox_sc_load_built(void)
{
	struct sock_fprog prog = {
	        .len = (unsigned short)(sizeof(sandbox_bpf) /
	                                sizeof(sandbox_bpf[0])),
	        .filter = (struct sock_filter *)sandbox_bpf};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	            SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
		return -errno;
	return 0;
}
#endif

int sandbox_seccomp_install(int self_fd, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc;
	const char *what = "loading the filter";

#ifndef SANDBOX_BPFGEN
	if (self_fd == FDTAB_MAX) {
		rc = sandbox_sc_load_built();
		goto out;
	}
#endif
	what = "building the filter";
	if ((rc = sandbox_sc_build(self_fd, &ctx)) != 0)
		goto out;
	what = "loading the filter";
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
out:
	if (rc != 0)
		snprintf(err, errlen, "seccomp: %s: %s", what, strerror(-rc));
	return rc;
}
