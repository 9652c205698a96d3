/*
 * sandbox: the kernel-enforced capability mode a program runs in.
 *
 * The runtime shares its address space with the program, so its rights
 * checks only give well-behaved programs CloudABI's semantics; a hostile
 * program can issue raw Linux system calls. sandbox_enter() therefore
 * asks the kernel to hold the line before the program's first
 * instruction: no_new_privs, an unprivileged uid/gid with no
 * capabilities, rlimits, Landlock (file system beneath the granted
 * directories only, no TCP, abstract UNIX sockets and signals scoped)
 * and a seccomp-bpf allowlist of the calls the runtime itself issues.
 * docs/security.md explains each layer and its limits.
 *
 * Split: sandbox.c (options, probing, report, privileges, order of the
 * layers), sandbox_landlock.c, sandbox_seccomp.c.
 *
 * Ownership: nothing here allocates for the caller; paths and option
 * strings are borrowed for the duration of a call.
 */
#ifndef CLOUDABI_SANDBOX_H
#define CLOUDABI_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cloudabi_types.h"

/* Tests only: names of layers to treat as missing (comma-separated:
 * landlock, landlock-net, landlock-scope, seccomp). It can only make the
 * sandbox refuse, never weaken it. */
#define SANDBOX_SIMULATE_ENV "CLOUDABI_SANDBOX_SIMULATE_MISSING"

/* The Landlock ABI version with every feature the sandbox requires
 * (file system incl. refer and truncate, TCP, scopes). */
#define SANDBOX_LANDLOCK_REQUIRED 6

enum sandbox_limit {
	SANDBOX_LIMIT_NOFILE,
	SANDBOX_LIMIT_AS,
	SANDBOX_LIMIT_NPROC,
	SANDBOX_LIMIT_CORE,
	SANDBOX_NLIMITS
};

struct sandbox_opts {
	bool insecure; /* run even when a required layer is missing */
	bool set_ids;  /* change to uid/gid (only ever done as root) */
	uid_t uid;     /* resolved before the sandbox closes /etc */
	gid_t gid;
	bool has_limit[SANDBOX_NLIMITS];
	rlim_t limit[SANDBOX_NLIMITS];
	bool inherited; /* proc_exec: the previous image already entered it */
};

/* What this kernel and process offer. */
struct sandbox_probe {
	int landlock_abi;   /* 0 when unavailable */
	int landlock_errno; /* why, when unavailable */
	bool seccomp;       /* filter mode with KILL_PROCESS */
	int seccomp_errno;
	bool fsgsbase;  /* user-mode %fs writes (no arch_prctl needed) */
	bool simulated; /* SANDBOX_SIMULATE_ENV removed something */
	bool sim_net, sim_scope;
};

/* Fills o with the defaults: when running as root, nobody/nogroup;
 * core dumps off; other limits inherited. Returns 0 or -errno (no such
 * account). */
int sandbox_opts_default(struct sandbox_opts *o);

/* Parses --user (name or number); also takes the user's group unless a
 * --group was given. Returns 0 or -EINVAL with err filled. */
int sandbox_opts_user(struct sandbox_opts *o, const char *user,
                      bool group_given, char *err, size_t errlen);

/* Parses --group (name or number). */
int sandbox_opts_group(struct sandbox_opts *o, const char *group, char *err,
                       size_t errlen);

/* Parses a --limit-* value (a decimal number or "unlimited"). */
int sandbox_opts_limit(struct sandbox_opts *o, enum sandbox_limit which,
                       const char *value, char *err, size_t errlen);

/* Detects the layers available (honours SANDBOX_SIMULATE_ENV). */
void sandbox_probe(struct sandbox_probe *p);

/* Names the required layers p lacks in buf ("" when none); returns how
 * many are missing. */
int sandbox_missing(const struct sandbox_probe *p, char *buf, size_t len);

/* Prints the layers and what is missing, for --sandbox-check; returns
 * the number of missing required layers. */
int sandbox_report(FILE *out, const struct sandbox_opts *o,
                   const struct sandbox_probe *p);

/*
 * Enters the sandbox. The granted fds are fd 0..nfds-1 with the given
 * types and rights; self_fd is the runtime binary (O_PATH), the only
 * thing proc_exec may execute. Refuses (-EPERM, err names the missing
 * layer) when a required layer is unavailable and not o->insecure.
 * Returns 0 or a negative errno with err filled.
 */
struct launch_fd;
int sandbox_enter(const struct sandbox_opts *o, const struct launch_fd *fds,
                  size_t nfds, int self_fd, char *err, size_t errlen);

/* Whether sandbox_enter() completed in this process (or an earlier image
 * of it, before proc_exec). */
bool sandbox_active(void);

/* --- sandbox_landlock.c ------------------------------------------------ */

/* The file system accesses Landlock ABI `abi` knows (all handled). */
uint64_t sandbox_landlock_fs_handled(int abi);

/* The accesses a directory granted with these CloudABI rights gets,
 * within `handled`: reading needs a read right, every change its right. */
uint64_t sandbox_landlock_dir_access(cloudabi_rights_t base,
                                     cloudabi_rights_t inheriting,
                                     uint64_t handled);

/* The Landlock ABI version, or -errno when unavailable. */
int sandbox_landlock_abi(void);

/* Restricts the process: rules beneath the directory fds among fds,
 * execute only on exec_fds (the runtime and its libraries), TCP denied,
 * scopes set (ABI >= 6). Returns 0 or -errno with err filled. */
int sandbox_landlock_apply(int abi, const struct launch_fd *fds, size_t nfds,
                           const int *exec_fds, size_t nexec,
                           const int *read_fds, size_t nread, char *err,
                           size_t errlen);

/* --- sandbox_seccomp.c ------------------------------------------------- */

/* Whether the kernel offers seccomp filters that kill the process:
 * 0 or -errno. */
int sandbox_seccomp_available(void);

/* Installs the allowlist on every thread; execveat only on self_fd.
 * For self_fd == FDTAB_MAX (the usual case) the program compiled at
 * build time is loaded. Returns 0 or -errno with err filled. */
int sandbox_seccomp_install(int self_fd, char *err, size_t errlen);

/* Writes the filter for self_fd as raw BPF to out_fd (the build-time
 * generator, and tests comparing it with the built-in program). */
int sandbox_seccomp_export(int self_fd, int out_fd);

#endif
