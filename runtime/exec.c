/*
 * exec: proc_exec through a re-execution of the runtime. See exec.h.
 */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfload.h"
#include "errmap.h"
#include "fdtab.h"
#include "launch.h"
#include "sys.h"
#include "trace.h"
#include "usercopy.h"

#define EXEC_MAGIC   0x63616278u /* "xbac" */
#define EXEC_VERSION 2u
#define EXEC_TRACE   1u /* flags: --trace was on */
/* Bounds what a new instance allocates for a state it did not write. */
#define EXEC_MAX_ARGDATA (1ull << 30)
/* fds read from the program per usercopy: keeps the stack use small. */
#define EXEC_CHUNK 32

/* The memfd's layout: this header, nfds records, then the argdata. */
struct exec_header {
	uint32_t magic, version;
	int32_t exe_fd, diag_fd;
	uint32_t flags, pad;
	uint64_t nfds, argdata_len;
};

struct exec_fd {
	int32_t fd;
	uint32_t filetype;
	uint64_t base, inheriting;
};

extern char **environ;

/* Writes all of buf at offset off of fd; a negative errno on failure. */
static int exec_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Reads all of buf from offset off of fd; -EINVAL on a short file. */
static int exec_pread(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EINVAL;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Records the program's fds (checked in fdtab) after the header. */
static cloudabi_errno_t exec_put_fds(int mfd, const cloudabi_fd_t *fds,
                                     size_t nfds, int *hostfds)
{
	cloudabi_fd_t chunk[EXEC_CHUNK];
	off_t off = sizeof(struct exec_header);

	for (size_t i = 0; i < nfds; i += EXEC_CHUNK) {
		size_t n = nfds - i < EXEC_CHUNK ? nfds - i : EXEC_CHUNK;
		if (usercopy_read(chunk, fds + i, n * sizeof(chunk[0])) != 0)
			return CLOUDABI_EFAULT;
		for (size_t j = 0; j < n; j++) {
			struct fdtab_entry e;
			cloudabi_errno_t rc = fdtab_get(chunk[j], 0, &e);
			if (rc != CLOUDABI_ESUCCESS)
				return rc;
			struct exec_fd r = {(int32_t)chunk[j], e.filetype,
			                    e.base, e.inheriting};
			if (exec_pwrite(mfd, &r, sizeof(r), off) != 0)
				return CLOUDABI_ENOMEM;
			off += (off_t)sizeof(r);
			hostfds[i + j] = (int)chunk[j];
		}
	}
	return CLOUDABI_ESUCCESS;
}

/* Writes the whole state of the exec into a new memfd. */
static cloudabi_errno_t exec_put_state(int mfd, int exe, const void *data,
                                       size_t len, const cloudabi_fd_t *fds,
                                       size_t nfds, int *hostfds)
{
	struct exec_header h = {.magic = EXEC_MAGIC,
	                        .version = EXEC_VERSION,
	                        .exe_fd = exe,
	                        .diag_fd = launch_kept_fd,
	                        .nfds = nfds,
	                        .argdata_len = len};
	off_t off = (off_t)(sizeof(h) + nfds * sizeof(struct exec_fd));
	cloudabi_errno_t rc = exec_put_fds(mfd, fds, nfds, hostfds);
	int e;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* The kernel reads the argdata itself: a bad pointer is EFAULT. */
	/* Tracing replaced the table's entries with its wrapper. */
	if (rtthread_syscalls[CLOUDABI_SYS_PROC_EXEC] !=
	    (void *)cloudabi_sys_proc_exec)
		h.flags |= EXEC_TRACE;
	if ((e = exec_pwrite(mfd, data, len, off)) != 0 ||
	    (e = exec_pwrite(mfd, &h, sizeof(h), 0)) != 0)
		return errmap_from_linux(-e);
	return CLOUDABI_ESUCCESS;
}

/* Sets or clears FD_CLOEXEC on the fds that must cross the exec. */
static void exec_inherit(int mfd, int exe, const int *hostfds, size_t nfds,
                         bool keep)
{
	int flag = keep ? 0 : FD_CLOEXEC;

	fcntl(mfd, F_SETFD, flag);
	fcntl(exe, F_SETFD, flag);
	if (launch_kept_fd >= 0)
		fcntl(launch_kept_fd, F_SETFD, flag);
	for (size_t i = 0; i < nfds; i++)
		fcntl(hostfds[i], F_SETFD, flag);
}

/* Executes the runtime binary in its internal mode with state mfd. */
static int exec_self(int mfd)
{
	char arg[16];
	char *argv[] = {"cloudabi-run", EXEC_STATE_OPTION, arg, NULL};
	int self = open("/proc/self/exe", O_PATH | O_CLOEXEC);

	if (self < 0)
		return -errno;
	snprintf(arg, sizeof(arg), "%d", mfd);
	execveat(self, "", argv, environ, AT_EMPTY_PATH);
	int e = errno;
	close(self);
	return -e;
}

cloudabi_errno_t exec_image(cloudabi_fd_t fd, const void *data, size_t len,
                            const cloudabi_fd_t *fds, size_t nfds)
{
	struct elfload_image img;
	char err[128];
	int mfd = -1, *hostfds = NULL, rc;
	cloudabi_errno_t erc = fdtab_get(fd, CLOUDABI_RIGHT_PROC_EXEC, NULL);

	if (erc != CLOUDABI_ESUCCESS)
		return erc;
	if (nfds > FDTAB_MAX || len > EXEC_MAX_ARGDATA)
		return nfds > FDTAB_MAX ? CLOUDABI_EMFILE : CLOUDABI_E2BIG;
	rc = elfload_parse_fd((int)fd, &img, err, sizeof(err));
	if (rc != 0)
		return rc == -ENOEXEC ? CLOUDABI_ENOEXEC
		                      : errmap_from_linux(-rc);
	hostfds = malloc((nfds ? nfds : 1) * sizeof(*hostfds));
	mfd = memfd_create("cloudabi-exec", MFD_CLOEXEC);
	if (hostfds == NULL || mfd < 0) {
		erc = hostfds == NULL ? CLOUDABI_ENOMEM
		                      : errmap_from_linux(errno);
		goto out;
	}
	erc = exec_put_state(mfd, (int)fd, data, len, fds, nfds, hostfds);
	if (erc != CLOUDABI_ESUCCESS)
		goto out;
	exec_inherit(mfd, (int)fd, hostfds, nfds, true);
	rc = exec_self(mfd);
	/* Still here: the exec failed and the process goes on as it was. */
	exec_inherit(mfd, (int)fd, hostfds, nfds, false);
	erc = errmap_from_linux(-rc);
out:
	if (mfd >= 0)
		close(mfd);
	free(hostfds);
	return erc;
}

/* Reads and checks the state's header and fd records from mfd. */
static int exec_get_state(int mfd, struct exec_header *h,
                          struct launch_fd **fds, char *err, size_t errlen)
{
	struct exec_fd r;
	int rc = exec_pread(mfd, h, sizeof(*h), 0);

	if (rc == 0 &&
	    (h->magic != EXEC_MAGIC || h->version != EXEC_VERSION ||
	     h->nfds > FDTAB_MAX || h->argdata_len > EXEC_MAX_ARGDATA))
		rc = -EINVAL;
	if (rc == 0 && (*fds = calloc(h->nfds + 1, sizeof(**fds))) == NULL)
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < h->nfds; i++) {
		rc = exec_pread(mfd, &r, sizeof(r),
		                (off_t)(sizeof(*h) + i * sizeof(r)));
		(*fds)[i] = (struct launch_fd){r.fd,
		                               (cloudabi_filetype_t)r.filetype,
		                               r.base, r.inheriting};
	}
	if (rc != 0)
		snprintf(err, errlen, "bad exec state: %s", strerror(-rc));
	return rc;
}

int exec_resume(const char *arg, char *err, size_t errlen)
{
	struct exec_header h;
	struct launch_fd *fds = NULL;
	struct launch l;
	char *end;
	long mfd = strtol(arg, &end, 10);
	int rc;

	if (*arg == '\0' || *end != '\0' || mfd < 0 || mfd >= FDTAB_MAX) {
		snprintf(err, errlen, "bad exec state fd: %s", arg);
		return -EINVAL;
	}
	if ((rc = exec_get_state((int)mfd, &h, &fds, err, errlen)) != 0)
		return rc;
	l = (struct launch){.argdata = malloc(h.argdata_len + 1),
	                    .argdata_len = h.argdata_len,
	                    .fds = fds,
	                    .nfds = h.nfds,
	                    .keep_fd = h.diag_fd};
	l.exe_fd = h.exe_fd;
	if (l.argdata == NULL ||
	    (rc = exec_pread((int)mfd, l.argdata, h.argdata_len,
	                     (off_t)(sizeof(h) +
	                             h.nfds * sizeof(struct exec_fd)))) != 0) {
		snprintf(err, errlen, "reading the exec state failed");
		return rc != 0 ? rc : -ENOMEM;
	}
	close((int)mfd);
	if (h.flags & EXEC_TRACE)
		trace_init(&launch_kept_fd);
	return launch_run(&l, err, errlen);
}
