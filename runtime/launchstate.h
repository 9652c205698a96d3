/*
 * launchstate: the internal launch-state format of the runtime, written
 * into a memfd and read by `cloudabi-run --exec-state FD`. proc_exec
 * (exec.c) writes it to re-execute the runtime; cloudabid writes it to
 * launch a service with fds it opened itself. The format is internal: it
 * may change between versions, and the runtime checks magic and version.
 *
 * Layout: a header, nfds fd records, then argdata_len bytes of argdata.
 * Fd numbers are host fds of the process that will execute the runtime;
 * the runtime moves record i to fd i of the program.
 *
 * This module does no allocation on the write side and is free of the
 * runtime's globals, so the daemon links it on its own.
 */
#ifndef CLOUDABI_LAUNCHSTATE_H
#define CLOUDABI_LAUNCHSTATE_H

#include <stddef.h>
#include <stdint.h>

#define LAUNCHSTATE_MAGIC   0x63616278u /* "xbac" */
#define LAUNCHSTATE_VERSION 2u
#define LAUNCHSTATE_TRACE   1u /* flags: trace system calls */
/* flags, written by proc_exec only: the sandbox is already in force and
 * `pad` holds the runtime binary's fd (sandbox.h). */
#define LAUNCHSTATE_SANDBOXED 2u
/* Bounds what a reader allocates for a state it did not write. */
#define LAUNCHSTATE_MAX_ARGDATA (1ull << 30)
#define LAUNCHSTATE_MAX_FDS     4096

struct launchstate_header {
	uint32_t magic, version;
	int32_t exe_fd, diag_fd; /* diag_fd: runtime's stderr, or -1 */
	uint32_t flags, pad;
	uint64_t nfds, argdata_len;
};

/* One granted fd (filetype and rights are CloudABI values). */
struct launchstate_fd {
	int32_t fd;
	uint32_t filetype;
	uint64_t base, inheriting;
};

/*
 * Writes a whole state into mfd (at offset 0). fds and argdata are
 * borrowed. Returns 0 or a negative errno.
 */
int launchstate_write(int mfd, int exe_fd, int diag_fd, uint32_t flags,
                      const struct launchstate_fd *fds, size_t nfds,
                      const void *argdata, size_t argdata_len);

/* Writes one fd record (index i) of a state whose header comes later. */
int launchstate_write_fd(int mfd, size_t i, const struct launchstate_fd *r);

/* Writes the header and the argdata once the nfds records are written. */
int launchstate_write_rest(int mfd, const struct launchstate_header *h,
                           const void *argdata);

/*
 * Reads and checks the header, then the fd records into *fds (malloc'd,
 * nfds + 1 entries; the caller frees) and the argdata into *argdata
 * (malloc'd, the caller frees). Returns 0, -EINVAL for a bad state, or
 * another negative errno.
 */
int launchstate_read(int mfd, struct launchstate_header *h,
                     struct launchstate_fd **fds, uint8_t **argdata);

#endif
