/*
 * exec: proc_exec through a re-execution of the runtime. See exec.h.
 */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "launchstate.h"
#include "sandbox.h"
#include "sys.h"
#include "trace.h"
#include "usercopy.h"

/* fds read from the program per usercopy: keeps the stack use small. */
#define EXEC_CHUNK 32

extern char **environ;

/* Records the program's fds (checked in fdtab) after the header. */
static cloudabi_errno_t exec_put_fds(int mfd, const cloudabi_fd_t *fds,
                                     size_t nfds, int *hostfds)
{
	cloudabi_fd_t chunk[EXEC_CHUNK];

	for (size_t i = 0; i < nfds; i += EXEC_CHUNK) {
		size_t n = nfds - i < EXEC_CHUNK ? nfds - i : EXEC_CHUNK;
		if (usercopy_read(chunk, fds + i, n * sizeof(chunk[0])) != 0)
			return CLOUDABI_EFAULT;
		for (size_t j = 0; j < n; j++) {
			struct fdtab_entry e;
			cloudabi_errno_t rc = fdtab_get(chunk[j], 0, &e);
			if (rc != CLOUDABI_ESUCCESS)
				return rc;
			struct launchstate_fd r = {(int32_t)chunk[j],
			                           e.filetype, e.base,
			                           e.inheriting};
			if (launchstate_write_fd(mfd, i + j, &r) != 0)
				return CLOUDABI_ENOMEM;
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
	struct launchstate_header h = {.magic = LAUNCHSTATE_MAGIC,
	                               .version = LAUNCHSTATE_VERSION,
	                               .exe_fd = exe,
	                               .diag_fd = launch_kept_fd,
	                               .nfds = nfds,
	                               .argdata_len = len};
	cloudabi_errno_t rc = exec_put_fds(mfd, fds, nfds, hostfds);
	int e;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* The kernel reads the argdata itself: a bad pointer is EFAULT. */
	/* Tracing replaced the table's entries with its wrapper. */
	if (rtthread_syscalls[CLOUDABI_SYS_PROC_EXEC] !=
	    (void *)cloudabi_sys_proc_exec)
		h.flags |= LAUNCHSTATE_TRACE;
	/* The new instance cannot reach /proc: it gets the binary's fd. The
	 * sandbox goes through the exec, and the new instance keeps it. */
	if (sandbox_active())
		h.flags |= LAUNCHSTATE_SANDBOXED;
	h.pad = (uint32_t)launch_self_fd;
	if ((e = launchstate_write_rest(mfd, &h, data)) != 0)
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
	fcntl(launch_self_fd, F_SETFD, flag);
	if (launch_kept_fd >= 0)
		fcntl(launch_kept_fd, F_SETFD, flag);
	for (size_t i = 0; i < nfds; i++)
		fcntl(hostfds[i], F_SETFD, flag);
}

/* Executes the runtime binary in its internal mode with state mfd (by
 * the fd saved at launch: the only thing the sandbox lets it execute). */
static int exec_self(int mfd)
{
	char arg[16];
	char *argv[] = {"cloudabi-run", EXEC_STATE_OPTION, arg, NULL};

	snprintf(arg, sizeof(arg), "%d", mfd);
	execveat(launch_self_fd, "", argv, environ, AT_EMPTY_PATH);
	return -errno;
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
	if (nfds > FDTAB_MAX || len > LAUNCHSTATE_MAX_ARGDATA)
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

/* Reads the state from mfd into a launch; the fds become launch_fds. */
static int exec_get_state(int mfd, struct launch *l, uint32_t *flags, char *err,
                          size_t errlen)
{
	struct launchstate_header h;
	struct launchstate_fd *r;
	struct launch_fd *fds = NULL;
	uint8_t *argdata;
	int rc = launchstate_read(mfd, &h, &r, &argdata);

	if (rc == 0 && (fds = calloc(h.nfds + 1, sizeof(*fds))) == NULL)
		rc = -ENOMEM;
	if (rc != 0) {
		snprintf(err, errlen, "bad exec state: %s", strerror(-rc));
		free(r);
		free(argdata);
		return rc;
	}
	for (size_t i = 0; i < h.nfds; i++)
		fds[i] = (struct launch_fd){r[i].fd,
		                            (cloudabi_filetype_t)r[i].filetype,
		                            r[i].base, r[i].inheriting};
	free(r);
	*l = (struct launch){.exe_fd = h.exe_fd,
	                     .argdata = argdata,
	                     .argdata_len = h.argdata_len,
	                     .fds = fds,
	                     .nfds = h.nfds,
	                     .keep_fd = h.diag_fd,
	                     .self_fd = -1};
	if ((h.flags & LAUNCHSTATE_SANDBOXED) && h.pad <= FDTAB_MAX)
		l->self_fd = (int)h.pad;
	*flags = h.flags;
	return 0;
}

int exec_resume(const char *arg, const struct sandbox_opts *sandbox, char *err,
                size_t errlen)
{
	struct sandbox_opts so = *sandbox;
	struct launch l;
	uint32_t flags;
	char *end;
	long mfd = strtol(arg, &end, 10);
	int rc;

	/* Any fd number: a daemon with thousands of services hands its
	 * state fd over at whatever number it had (launch moves the fds). */
	if (*arg == '\0' || *end != '\0' || mfd < 0 || mfd > INT_MAX) {
		snprintf(err, errlen, "bad exec state fd: %s", arg);
		return -EINVAL;
	}
	if ((rc = exec_get_state((int)mfd, &l, &flags, err, errlen)) != 0)
		return rc;
	close((int)mfd);
	if (flags & LAUNCHSTATE_TRACE)
		trace_init(&launch_kept_fd);
	/* Only proc_exec sets the flag; sandbox_enter() checks the kernel
	 * agrees before it relies on it. */
	so.inherited = (flags & LAUNCHSTATE_SANDBOXED) != 0;
	l.sandbox = &so;
	rc = launch_run(&l, err, errlen);
	/* Still here: the launch failed and the caller exits. */
	free((void *)l.fds);
	free(l.argdata);
	return rc;
}
