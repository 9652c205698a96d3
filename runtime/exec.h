/*
 * exec: proc_exec, replacing the program by another CloudABI executable.
 *
 * The new image must start in a fresh address space, as after a kernel
 * exec, and every other thread must end. So the runtime executes itself
 * again (/proc/self/exe, execveat) in an internal mode,
 * `cloudabi-run --exec-state FD`, where FD is a memfd holding the state
 * of the exec: the executable's fd, the runtime's diagnostics fd, the fds
 * the new program gets (with file type and rights) and its argdata. The
 * new instance reads it and calls launch_run(). The mode is internal: its
 * format may change between versions, and no user should call it.
 *
 * The executable is validated before anything else happens, so that a bad
 * file gives ENOEXEC to the caller instead of a dead process.
 */
#ifndef CLOUDABI_EXEC_H
#define CLOUDABI_EXEC_H

#include <stddef.h>

#include "cloudabi_types.h"

/* The option of cloudabi-run that selects the internal mode. */
#define EXEC_STATE_OPTION "--exec-state"

/*
 * Replaces the process by executable fd with argdata data[0..len) and
 * fds[i] as fd i. The arrays are the program's (read through usercopy).
 * Returns only on failure, with a CloudABI errno.
 */
cloudabi_errno_t exec_image(cloudabi_fd_t fd, const void *data, size_t len,
                            const cloudabi_fd_t *fds, size_t nfds);

/*
 * The internal mode: reads the state from fd number `arg` (decimal) and
 * runs the program in the sandbox described by `sandbox` (borrowed). Returns a
 * negative errno with err filled on failure; the caller exits (the process may
 * have lost fds by then).
 */
struct sandbox_opts;
int exec_resume(const char *arg, const struct sandbox_opts *sandbox, char *err,
                size_t errlen);

#endif
