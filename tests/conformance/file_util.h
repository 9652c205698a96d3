/*
 * file_util: helpers shared by the file_* conformance guests. Paths are
 * string literals passed as (pointer, length) with P("..."); nothing is
 * allocated.
 */
#ifndef CONF_FILE_UTIL_H
#define CONF_FILE_UTIL_H

#include <cloudabi_syscalls.h>
#include <cloudabi_types.h>

/* A string literal as the (pointer, length) pair of a path argument. */
#define P(s) (s), (sizeof(s) - 1)

/* Rights of a read-write regular file, as a program would ask them. */
#define FU_RW                                                                  \
	(CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FD_WRITE |                    \
	 CLOUDABI_RIGHT_FD_SEEK | CLOUDABI_RIGHT_FILE_STAT_FGET |              \
	 CLOUDABI_RIGHT_FILE_STAT_FPUT_SIZE |                                  \
	 CLOUDABI_RIGHT_FILE_STAT_FPUT_TIMES | CLOUDABI_RIGHT_FILE_ALLOCATE |  \
	 CLOUDABI_RIGHT_FILE_ADVISE)

/* Rights of a read-only regular file. */
#define FU_RO (CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FILE_STAT_FGET)

/* The "ro" grant: the same directory as tmpdir, read-only preset. */
cloudabi_fd_t fu_ro(void);

/* file_open of (dir, path) without following a final symlink; base
 * rights `base`, no inheriting rights, no fd flags. */
cloudabi_errno_t fu_open(cloudabi_fd_t dir, const char *path, size_t len,
                         cloudabi_oflags_t oflags, cloudabi_rights_t base,
                         cloudabi_fd_t *fd);

/* Creates (or truncates) the file (dir, path) holding `data`. */
cloudabi_errno_t fu_make(cloudabi_fd_t dir, const char *path, size_t len,
                         const char *data);

/* file_stat_get of (dir, path), following a final symlink if `follow`. */
cloudabi_errno_t fu_stat(cloudabi_fd_t dir, const char *path, size_t len,
                         int follow, cloudabi_filestat_t *st);

#endif
