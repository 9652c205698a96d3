/*
 * path: resolving a program's (directory fd, path) pair without ever
 * leaving the directory.
 *
 * CloudABI paths are relative to a directory descriptor and may not climb
 * out of it: "..", absolute paths and symbolic links pointing outside are
 * refused with ENOTCAPABLE. Linux enforces exactly that with openat2(2)
 * and RESOLVE_BENEATH (which reports EXDEV); magic links (/proc/self/fd)
 * are refused too. Calls that open or stat an object resolve the whole
 * path that way; calls that act on a name (unlink, rename, mkdir...)
 * resolve its parent directory that way and then call the *at() function
 * on the last component, which the kernel never follows outward.
 *
 * Ownership: path_parent() allocates; path_parent_release() frees the
 * copy and closes the parent fd when it was opened here. Paths are
 * copied from the program's memory (EFAULT instead of a crash).
 */
#ifndef CLOUDABI_PATH_H
#define CLOUDABI_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cloudabi_types.h"

/* A name to act on: directory fd + last component. */
struct path_parent {
	int dirfd;        /* the parent: the program's fd or one of ours */
	bool owned;       /* whether dirfd was opened here (and is closed) */
	const char *name; /* the last component, possibly with a trailing /,
	                     pointing into buf */
	char *buf;        /* the copied path (owned) */
};

/*
 * Copies the program's path[0..len) into a new heap string in *out (free
 * it): ENOENT when empty, ENAMETOOLONG, EFAULT, EINVAL for a NUL byte.
 */
cloudabi_errno_t path_copy(const char *path, size_t len, char **out);

/*
 * openat2 beneath dirfd with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
 * O_NOFOLLOW in flags keeps the last component unfollowed. O_CLOEXEC is
 * added. Returns the fd, or a CloudABI errno as a negative number
 * (escaping the directory is -ENOTCAPABLE).
 */
int path_openat(int dirfd, const char *path, int flags, mode_t mode);

/*
 * Resolves the program's path beneath fd down to its parent directory.
 * A last component "." or ".." is kept (the caller's *at() call refuses
 * it) but only once the whole path is known to stay beneath fd.
 */
cloudabi_errno_t path_parent(int fd, const char *path, size_t len,
                             struct path_parent *out);

/* Frees what path_parent() allocated. */
void path_parent_release(struct path_parent *p);

/*
 * Opens the program's path beneath fd as path_openat() does, copying it
 * first; *out receives the new fd (the caller closes it).
 */
cloudabi_errno_t path_open(int fd, const char *path, size_t len, int flags,
                           mode_t mode, int *out);

#endif
