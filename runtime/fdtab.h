/*
 * fdtab: the program's file descriptors and their CloudABI rights.
 *
 * A program's fd number is the host fd number: the launcher moved the
 * granted fds to 0..n-1, so fds can be passed over sockets, inherited by
 * proc_fork and handed to proc_exec without translation. This table says
 * which host fds belong to the program (the runtime keeps a few of its own
 * above them), their CloudABI file type, and their base and inheriting
 * rights, which every system call checks (ENOTCAPABLE).
 *
 * Thread-safe: writers take a mutex; lookups take no lock (a sequence
 * lock per slot, see fdtab.c) and copy the entry out.
 */
#ifndef CLOUDABI_FDTAB_H
#define CLOUDABI_FDTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "cloudabi_types.h"

/* Upper bound on the program's fd numbers. */
#define FDTAB_MAX 4096

struct fdtab_entry {
	cloudabi_filetype_t filetype;
	cloudabi_rights_t base;
	cloudabi_rights_t inheriting;
};

/* Registers host fd `fd` as the program's, with its type and rights. */
int fdtab_set(int fd, cloudabi_filetype_t type, cloudabi_rights_t base,
              cloudabi_rights_t inheriting);

/*
 * Looks fd up: EBADF if the program has no such fd, ENOTCAPABLE if it
 * lacks any right in `need`; else ESUCCESS with a copy in *out (out may
 * be NULL).
 */
cloudabi_errno_t fdtab_get(cloudabi_fd_t fd, cloudabi_rights_t need,
                           struct fdtab_entry *out);

/* Forgets fd (the caller closes the host fd). */
void fdtab_remove(int fd);

/* Narrows the rights of fd in place; EBADF, or ENOTCAPABLE when the new
 * rights are not a subset of the current ones. */
cloudabi_errno_t fdtab_narrow(cloudabi_fd_t fd, cloudabi_rights_t base,
                              cloudabi_rights_t inheriting);

/* The CloudABI file type of a host fd (fstat, and SO_TYPE for sockets). */
cloudabi_filetype_t fdtab_classify(int fd);

#endif
