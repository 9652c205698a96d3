/*
 * launch: from a validated configuration to the program's first
 * instruction. See launch.h.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cloudabi_syscall_names.h"
#include "elfload.h"
#include "fdtab.h"
#include "rtthread.h"
#include "sandbox.h"
#include "sys.h"
#include "usercopy.h"
#include "vdso.h"

#define LAUNCH_STACK_SIZE (8u << 20) /* what programs expect */
#define LAUNCH_GUARD_SIZE 4096u

/* Everything the program may point into stays here for good. */
static struct rtthread launch_main_thread;
static cloudabi_auxv_t launch_auxv[16];
static uint8_t launch_canary[16];
static uint8_t launch_uuid[16];

int launch_kept_fd = -1;
int launch_self_fd = -1;

/* Fills buf with random bytes from the kernel. */
static int launch_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Moves *fd (if any) above the program's range [0, n). */
static int launch_lift(int *fd, int n)
{
	if (*fd >= 0 && (*fd = fcntl(*fd, F_DUPFD_CLOEXEC, n)) < 0)
		return -errno;
	return 0;
}

/*
 * Places the runtime binary's fd where the program's fds never go:
 * FDTAB_MAX, where the seccomp filter expects it in every later image
 * (the filter checks execveat's fd by number, and it is inherited). The
 * soft fd limit is raised for the dup only. A fd given by proc_exec is
 * already there; without room up there, any number from n on will do
 * (then proc_exec works only while the number stays the same).
 */
static int launch_place_self(int *self, int n, bool given)
{
	struct rlimit old, r;
	int fd = -1;

	if (*self == FDTAB_MAX || (given && *self >= n))
		return 0;
	if (!given && getrlimit(RLIMIT_NOFILE, &old) == 0) {
		r = old;
		if (r.rlim_cur <= FDTAB_MAX && r.rlim_max > FDTAB_MAX)
			r.rlim_cur = FDTAB_MAX + 1;
		setrlimit(RLIMIT_NOFILE, &r);
		fd = fcntl(*self, F_DUPFD_CLOEXEC, FDTAB_MAX);
		setrlimit(RLIMIT_NOFILE, &old);
	}
	if (fd < 0 && (fd = fcntl(*self, F_DUPFD_CLOEXEC, n)) < 0)
		return -errno;
	*self = fd;
	return 0;
}

/* Closes every fd from n up except the (at most two) kept ones. */
static void launch_close_rest(int n, int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	unsigned from = (unsigned)n;

	if (lo >= 0 && lo != hi) {
		if (lo > n)
			close_range(from, (unsigned)lo - 1, 0);
		from = (unsigned)lo + 1;
	}
	if (hi >= 0) {
		if ((unsigned)hi > from)
			close_range(from, (unsigned)hi - 1, 0);
		from = (unsigned)hi + 1;
	}
	close_range(from, ~0u, 0);
}

/*
 * Moves l->fds[i] to fd i and closes every other fd but *keep and *self
 * (which may move). Every fd is first copied above n, so that no target
 * clobbers a source still to be moved.
 */
static int launch_renumber(const struct launch *l, int *keep, int *self,
                           char *err, size_t errlen)
{
	int n = (int)l->nfds;
	int tmp[FDTAB_MAX];

	if (l->nfds > FDTAB_MAX - 1)
		return snprintf(err, errlen, "too many fds (%zu)", l->nfds),
		       -EMFILE;
	if (launch_lift(keep, n) != 0)
		goto fail;
	/* From here on the program's fds replace ours: diagnostics go to
	 * the copy. */
	launch_kept_fd = *keep;
	if (launch_place_self(self, n, l->self_fd >= 0) != 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		tmp[i] = fcntl(l->fds[i].fd, F_DUPFD_CLOEXEC, n);
		if (tmp[i] < 0)
			goto fail;
	}
	for (int i = 0; i < n; i++) {
		if (dup3(tmp[i], i, 0) < 0)
			goto fail;
		close(tmp[i]);
	}
	launch_close_rest(n, *keep, *self);
	for (int i = 0; i < n; i++)
		fdtab_set(i, l->fds[i].filetype, l->fds[i].base,
		          l->fds[i].inheriting);
	return 0;
fail:
	snprintf(err, errlen, "moving the granted fds: %s", strerror(errno));
	return -errno;
}

/* The runtime binary, for proc_exec: given, or opened while /proc is
 * still reachable. */
static int launch_open_self(const struct launch *l, int *self, char *err,
                            size_t errlen)
{
	*self = l->self_fd;
	if (*self < 0 &&
	    (*self = open("/proc/self/exe", O_PATH | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "opening /proc/self/exe: %s",
		         strerror(errno));
		return -errno;
	}
	return 0;
}

/* Sanitizer builds report to the launcher's stderr copy: fd 2 belongs to
 * the program by then. Weak: absent from normal builds. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

/*
 * Process-wide settings the program's semantics need: CloudABI ignores
 * SIGPIPE (a write to a closed pipe or socket fails with EPIPE instead of
 * killing the program), and sanitizer reports must not land in the
 * program's fds.
 */
static int launch_process_settings(int keep, char *err, size_t errlen)
{
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		snprintf(err, errlen, "ignoring SIGPIPE: %s", strerror(errno));
		return -errno;
	}
	if (__sanitizer_set_report_fd != NULL && keep >= 0)
		__sanitizer_set_report_fd((void *)(intptr_t)keep);
	return 0;
}

/* Maps the main stack with a guard page below it; returns its top. */
static int launch_stack(uint64_t *top, char *err, size_t errlen)
{
	uint8_t *s = mmap(
	        NULL, LAUNCH_STACK_SIZE + LAUNCH_GUARD_SIZE,
	        PROT_READ | PROT_WRITE,
	        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

	if (s == MAP_FAILED || mprotect(s, LAUNCH_GUARD_SIZE, PROT_NONE) != 0) {
		snprintf(err, errlen, "mapping the main stack: %s",
		         strerror(errno));
		return -errno;
	}
	*top = (uint64_t)(uintptr_t)(s + LAUNCH_STACK_SIZE + LAUNCH_GUARD_SIZE);
	return 0;
}

/* Appends one auxv entry. */
static void launch_aux(size_t *i, uint32_t type, uint64_t value)
{
	launch_auxv[*i].a_type = type;
	launch_auxv[*i].a_val = value;
	(*i)++;
}

/* Fills the auxiliary vector (abi-contract.md, "The auxiliary vector"). */
static void launch_fill_auxv(const struct launch *l, uint8_t *base,
                             const struct elfload_image *img,
                             const struct vdso *v)
{
	size_t i = 0;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	launch_aux(&i, CLOUDABI_AT_ARGDATA, (uint64_t)(uintptr_t)l->argdata);
	launch_aux(&i, CLOUDABI_AT_ARGDATALEN, l->argdata_len);
	launch_aux(&i, CLOUDABI_AT_BASE, (uint64_t)(uintptr_t)base);
	launch_aux(&i, CLOUDABI_AT_CANARY, (uint64_t)(uintptr_t)launch_canary);
	launch_aux(&i, CLOUDABI_AT_CANARYLEN, sizeof(launch_canary));
	launch_aux(&i, CLOUDABI_AT_NCPUS, ncpus > 0 ? (uint64_t)ncpus : 1);
	launch_aux(&i, CLOUDABI_AT_PAGESZ, 4096);
	launch_aux(&i, CLOUDABI_AT_PHDR,
	           (uint64_t)(uintptr_t)(base + img->phoff));
	launch_aux(&i, CLOUDABI_AT_PHNUM, img->phnum);
	launch_aux(&i, CLOUDABI_AT_PID, (uint64_t)(uintptr_t)launch_uuid);
	launch_aux(&i, CLOUDABI_AT_SYSINFO_EHDR, (uint64_t)(uintptr_t)v->image);
	launch_aux(&i, CLOUDABI_AT_TID, launch_main_thread.tid);
	launch_aux(&i, CLOUDABI_AT_NULL, 0);
}

/* Builds the vDSO with an entry for every served system call. */
static int launch_vdso(struct vdso *v, char *err, size_t errlen)
{
	bool present[CLOUDABI_SYSCALL_COUNT];
	int rc;

	for (unsigned i = 0; i < CLOUDABI_SYSCALL_COUNT; i++)
		present[i] = sys_served(i);
	rc = vdso_create(v, cloudabi_syscall_names, rtthread_tramp, present,
	                 CLOUDABI_SYSCALL_COUNT);
	if (rc != 0)
		snprintf(err, errlen, "building the vDSO: %s", strerror(-rc));
	return rc;
}

int launch_run(const struct launch *l, char *err, size_t errlen)
{
	struct elfload_image img;
	struct elfload_mapping map;
	struct vdso v;
	uint64_t stack_top;
	int keep = l->keep_fd, self, rc;

	if (l->sandbox == NULL)
		return snprintf(err, errlen, "no sandbox options"), -EINVAL;
	/* After proc_exec, fd 2 is already the program's: every message,
	 * even one before the renumbering, goes to the kept fd. */
	launch_kept_fd = keep;
	if ((rc = launch_open_self(l, &self, err, errlen)) != 0)
		return rc;
	rc = elfload_parse_fd(l->exe_fd, &img, err, errlen);
	if (rc == 0)
		rc = elfload_map(l->exe_fd, &img, &map, err, errlen);
	if (rc != 0)
		return rc;
	/* exe_fd may also be granted (!executable): renumbering closes it. */
	if ((rc = launch_renumber(l, &keep, &self, err, errlen)) != 0)
		return rc;
	launch_kept_fd = keep;
	launch_self_fd = self;
	if ((rc = launch_process_settings(keep, err, errlen)) != 0)
		return rc;
	if ((rc = launch_vdso(&v, err, errlen)) != 0 ||
	    (rc = launch_stack(&stack_top, err, errlen)) != 0)
		return rc;
	if ((rc = launch_random(launch_canary, sizeof(launch_canary))) != 0 ||
	    (rc = launch_random(launch_uuid, sizeof(launch_uuid))) != 0) {
		snprintf(err, errlen, "reading random bytes: %s",
		         strerror(-rc));
		return rc;
	}
	/* A version 4 (random) UUID. */
	launch_uuid[6] = (launch_uuid[6] & 0x0f) | 0x40;
	launch_uuid[8] = (launch_uuid[8] & 0x3f) | 0x80;

	if ((rc = usercopy_init()) != 0) {
		snprintf(err, errlen, "installing the fault handler: %s",
		         strerror(-rc));
		return rc;
	}
	rtthread_setup(&launch_main_thread);
	launch_fill_auxv(l, map.base, &img, &v);
	/* Last: the sandbox forbids much of what came before. */
	if ((rc = sandbox_enter(l->sandbox, l->fds, l->nfds, self, err,
	                        errlen)) != 0)
		return rc;
	rtthread_enter(&launch_main_thread,
	               (uint64_t)(uintptr_t)(map.base + img.entry),
	               (uint64_t)(uintptr_t)launch_auxv, 0, stack_top);
	/* The main thread ended with thread_exit: the others go on. */
	pthread_exit(NULL);
}
