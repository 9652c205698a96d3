/*
 * sandbox_landlock: the Landlock layer of the sandbox. See sandbox.h.
 *
 * The system's <linux/landlock.h> may predate the ABI this kernel has:
 * the constants and the ruleset attribute past ABI 2 are defined here
 * (values from the kernel's UAPI), and the attribute's size passed to the
 * kernel matches the ABI, so an older kernel does not see fields it would
 * reject.
 */
#include "sandbox.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"

#define LL_FS(x)      LANDLOCK_ACCESS_FS_##x
#define LL_TRUNCATE   (1ULL << 14) /* ABI 3 */
#define LL_IOCTL_DEV  (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND   (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONN   (1ULL << 1)
#define LL_SCOPE_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIG  (1ULL << 1)

/* Accesses a rule on a regular file may carry. */
#define LL_FILE_ACCESS                                                         \
	(LL_FS(EXECUTE) | LL_FS(WRITE_FILE) | LL_FS(READ_FILE) | LL_TRUNCATE | \
	 LL_IOCTL_DEV)

/* The ruleset attribute as of ABI 6; shorter prefixes for older ABIs. */
struct sandbox_ll_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define R(x) CLOUDABI_RIGHT_##x

uint64_t sandbox_landlock_fs_handled(int abi)
{
	uint64_t h = 0;

	if (abi >= 1)
		h = LL_FS(EXECUTE) | LL_FS(WRITE_FILE) | LL_FS(READ_FILE) |
		    LL_FS(READ_DIR) | LL_FS(REMOVE_DIR) | LL_FS(REMOVE_FILE) |
		    LL_FS(MAKE_CHAR) | LL_FS(MAKE_DIR) | LL_FS(MAKE_REG) |
		    LL_FS(MAKE_SOCK) | LL_FS(MAKE_FIFO) | LL_FS(MAKE_BLOCK) |
		    LL_FS(MAKE_SYM);
	if (abi >= 2)
		h |= LL_FS(REFER);
	if (abi >= 3)
		h |= LL_TRUNCATE;
	if (abi >= 5)
		h |= LL_IOCTL_DEV;
	return h;
}

/* Access granted when the rights include any of `rights`. */
static uint64_t sandbox_ll_if(cloudabi_rights_t have, cloudabi_rights_t rights,
                              uint64_t access)
{
	return (have & rights) != 0 ? access : 0;
}

uint64_t sandbox_landlock_dir_access(cloudabi_rights_t base,
                                     cloudabi_rights_t inheriting,
                                     uint64_t handled)
{
	/* The directory's own operations use base rights, the files and
	 * directories opened beneath it inherit: the rule covers both. */
	cloudabi_rights_t r = base | inheriting;
	cloudabi_rights_t moved_in =
	        R(FILE_RENAME_TARGET) | R(FILE_LINK_TARGET);
	uint64_t a = 0;

	/* The runtime opens directories for reading to list or walk them. */
	a |= sandbox_ll_if(r, R(FILE_READDIR) | R(FILE_OPEN), LL_FS(READ_DIR));
	a |= sandbox_ll_if(r, R(FD_READ), LL_FS(READ_FILE));
	a |= sandbox_ll_if(r, R(FD_WRITE), LL_FS(WRITE_FILE));
	a |= sandbox_ll_if(r, R(FILE_STAT_FPUT_SIZE), LL_TRUNCATE);
	a |= sandbox_ll_if(r, R(FILE_CREATE_FILE) | moved_in, LL_FS(MAKE_REG));
	a |= sandbox_ll_if(r, R(FILE_CREATE_DIRECTORY) | moved_in,
	                   LL_FS(MAKE_DIR));
	a |= sandbox_ll_if(r, R(FILE_SYMLINK) | moved_in, LL_FS(MAKE_SYM));
	/* Sockets and FIFOs cannot be created, only renamed or linked in. */
	a |= sandbox_ll_if(r, moved_in, LL_FS(MAKE_SOCK) | LL_FS(MAKE_FIFO));
	a |= sandbox_ll_if(r, R(FILE_UNLINK) | R(FILE_RENAME_SOURCE),
	                   LL_FS(REMOVE_FILE) | LL_FS(REMOVE_DIR));
	a |= sandbox_ll_if(
	        r, R(FILE_RENAME_SOURCE) | R(FILE_LINK_SOURCE) | moved_in,
	        LL_FS(REFER));
	/* Never EXECUTE, MAKE_CHAR, MAKE_BLOCK or IOCTL_DEV beneath a grant. */
	return a & handled;
}

int sandbox_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

/* Adds a path-beneath rule for fd; 0 or -errno. */
static int sandbox_ll_rule(int ruleset, int fd, uint64_t access)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access,
	                                        .parent_fd = fd};

	if (access == 0)
		return 0;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	            &pb, 0) != 0)
		return -errno;
	return 0;
}

/* Creates the ruleset for abi; returns its fd or -errno. */
static int sandbox_ll_ruleset(int abi, uint64_t handled)
{
	struct sandbox_ll_attr attr = {.handled_access_fs = handled};
	size_t size = sizeof(attr.handled_access_fs);
	long fd;

	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND | LL_NET_CONN;
		size += sizeof(attr.handled_access_net);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_UNIX | LL_SCOPE_SIG;
		size += sizeof(attr.scoped);
	}
	fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	return fd < 0 ? -errno : (int)fd;
}

/* Adds the rules of the granted directories and the runtime's files. */
static int sandbox_ll_rules(int rs, uint64_t handled,
                            const struct launch_fd *fds, size_t nfds,
                            const int *exec_fds, size_t nexec,
                            const int *read_fds, size_t nread)
{
	uint64_t file = handled & LL_FILE_ACCESS;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nfds; i++)
		if (fds[i].filetype == CLOUDABI_FILETYPE_DIRECTORY)
			rc = sandbox_ll_rule(
			        rs, (int)i,
			        sandbox_landlock_dir_access(fds[i].base,
			                                    fds[i].inheriting,
			                                    handled));
	for (size_t i = 0; rc == 0 && i < nexec; i++)
		rc = sandbox_ll_rule(
		        rs, exec_fds[i],
		        file & (LL_FS(READ_FILE) | LL_FS(EXECUTE)));
	for (size_t i = 0; rc == 0 && i < nread; i++)
		rc = sandbox_ll_rule(rs, read_fds[i], file & LL_FS(READ_FILE));
	return rc;
}

int sandbox_landlock_apply(int abi, const struct launch_fd *fds, size_t nfds,
                           const int *exec_fds, size_t nexec,
                           const int *read_fds, size_t nread, char *err,
                           size_t errlen)
{
	uint64_t handled = sandbox_landlock_fs_handled(abi);
	int rs = sandbox_ll_ruleset(abi, handled), rc;
	const char *what = "creating the ruleset";

	if (rs < 0) {
		rc = rs;
		goto out;
	}
	what = "adding a rule";
	rc = sandbox_ll_rules(rs, handled, fds, nfds, exec_fds, nexec, read_fds,
	                      nread);
	if (rc == 0) {
		what = "restricting the process";
		if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
			rc = -errno;
	}
	close(rs);
out:
	if (rc != 0)
		snprintf(err, errlen, "landlock: %s: %s", what, strerror(-rc));
	return rc;
}
