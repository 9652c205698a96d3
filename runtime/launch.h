/*
 * launch: turns the calling process into a CloudABI program: maps the
 * executable, moves the granted fds to 0..n-1 and closes every other fd
 * the program could see, builds the vDSO, the auxiliary vector and the
 * main stack, and jumps to the program's entry point on this thread.
 *
 * Ownership: launch_run() takes over l->argdata (it must stay valid for
 * the life of the process) and every fd in l->fds; it closes exe_fd once
 * the image is mapped. It returns only on failure, with err filled; by
 * then the process may have lost fds, so the caller must exit.
 */
#ifndef CLOUDABI_LAUNCH_H
#define CLOUDABI_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "cloudabi_types.h"

struct launch_fd {
	int fd;                             /* host fd, becomes fd i */
	cloudabi_filetype_t filetype;       /* what the program sees */
	cloudabi_rights_t base, inheriting; /* what it may do with it */
};

struct launch {
	int exe_fd;
	uint8_t *argdata; /* malloc'd; kept for the life of the process */
	size_t argdata_len;
	const struct launch_fd *fds;
	size_t nfds;
	int keep_fd; /* a runtime fd to keep (diagnostics), or -1 */
};

/* The number keep_fd has once launch_run() has moved it; -1 before. */
extern int launch_kept_fd;

/* Runs the program; returns a negative errno only on failure. */
int launch_run(const struct launch *l, char *err, size_t errlen);

#endif
