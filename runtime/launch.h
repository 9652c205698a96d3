/*
 * launch: turns the calling process into a CloudABI program: maps the
 * executable, moves the granted fds to 0..n-1 and closes every other fd
 * the program could see, builds the vDSO, the auxiliary vector and the
 * main stack, and jumps to the program's entry point on this thread.
 *
 * Before the first instruction of the program it enters the sandbox
 * (sandbox.h) with l->sandbox; it refuses to run without one.
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

struct sandbox_opts;

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
	int self_fd; /* the runtime binary (O_PATH), or -1: opened here */
	const struct sandbox_opts *sandbox; /* borrowed; required */
};

/* Where the runtime's diagnostics go once launch_run() has started:
 * keep_fd, then its number after the move; -1 before. */
extern int launch_kept_fd;

/* The runtime binary (O_PATH) for proc_exec, once launch_run() has
 * opened or moved it (the sandbox leaves /proc out of reach). */
extern int launch_self_fd;

/* Runs the program; returns a negative errno only on failure. */
int launch_run(const struct launch *l, char *err, size_t errlen);

#endif
