/*
 * service: one service file (docs/service.yaml.5) turned into what the
 * daemon needs to run it: name, executable path, the argdata tree with its
 * resources (runtime/config.h), restart and stop policy, limits and the
 * user to run as.
 *
 * Three steps, so that a deploy with an error changes nothing:
 *   service_parse()    validates; no side effect but user and group
 *                      lookups (getpwnam_r, getgrnam_r). Returns every
 *                      error found, each as "file:line:column: text".
 *   service_resolve()  opens the files and binds the sockets of `args:`
 *                      and fills !log and !executable nodes.
 *   service_launch_build() (service_launch.c) the fds (with CloudABI filetype
 * and rights) and argdata bytes of one launch.
 *
 * Ownership: struct service owns its strings, its copy of the YAML text
 * and its config (so the fds resolve opened: service_free() closes them,
 * the daemon keeps a service resolved across restarts of its program).
 * The log and executable fds given to resolve are borrowed: they must
 * stay open while the service is resolved and are never closed here.
 */
#ifndef CLOUDABID_SERVICE_H
#define CLOUDABID_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "launch.h"
#include "reslimits.h"
#include "restart.h"

#define SERVICE_NAME_MAX   63 /* [a-z0-9][a-z0-9_.-]{0,62} */
#define SERVICE_MAX_ERRORS 32 /* reported per parse; then "too many" */

/* Where the parse failed: a bounded list, in file order. */
struct service_errors {
	size_t count;
	struct config_error e[SERVICE_MAX_ERRORS];
	bool truncated; /* more errors than fit; the last entry says so */
};

struct service {
	char name[SERVICE_NAME_MAX + 1];
	char *exe_path;                /* absolute (owned) */
	struct config *args;           /* argdata root with resources (owned) */
	struct restart_policy restart; /* includes stop signal and grace */
	struct reslimits limits;       /* 0 fields: not limited */
	bool has_user;                 /* false: the daemon's own uid/gid */
	uid_t uid;
	gid_t gid;
	int user_line, user_column; /* of user: (1-based; 0 without) */
	char *yaml; /* the service file as given (owned, NUL-terminated) */
	size_t yaml_len;
	int exe_fd; /* borrowed at resolve, -1 before */
	bool resolved;
};

/* The fds and argdata of one launch (service_launch_build). */
struct service_launch {
	int exe_fd;            /* borrowed from the service */
	struct launch_fd *fds; /* fds[i] becomes the program's fd i (owned) */
	size_t nfds;
	uint8_t *argdata; /* encoded argdata (owned, malloc'd) */
	size_t argdata_len;
};

/* Bits of service_diff(): what a redeploy changes. */
enum {
	SERVICE_DIFF_EXE = 1 << 0,     /* executable path */
	SERVICE_DIFF_ARGS = 1 << 1,    /* argdata tree or its resources */
	SERVICE_DIFF_RESTART = 1 << 2, /* restart or stop policy */
	SERVICE_DIFF_LIMITS = 1 << 3,
	SERVICE_DIFF_USER = 1 << 4,
	SERVICE_DIFF_NAME = 1 << 5,
};

/*
 * Parses len bytes of a service file; `file` names it in messages. The
 * text is copied. Returns 0 with *out set (service_free() it), -EINVAL
 * or -E2BIG with errs filled (errs->count >= 1), or -ENOMEM.
 */
int service_parse(const char *file, const void *yaml, size_t len,
                  struct service **out, struct service_errors *errs);

/* Closes what resolve opened and frees everything; NULL is fine. */
void service_free(struct service *svc);

/*
 * Opens svc->exe_path for executing (read-only, close-on-exec); *fd is
 * the caller's to close. Returns 0 or a negative errno with err filled.
 */
int service_open_executable(const struct service *svc, int *fd,
                            struct config_error *err);

/*
 * Opens the resources of args and fills !log nodes with log_fd and
 * !executable nodes with exe_fd (both borrowed; -1 when not available:
 * nodes that need them are then an error). On failure nothing stays
 * open. -EALREADY when already resolved.
 */
int service_resolve(struct service *svc, int log_fd, int exe_fd,
                    struct config_error *err);

/*
 * Builds the launch of a resolved service into *l (service_launch_free()
 * it). Returns 0, -EINVAL when svc is not resolved, or -ENOMEM.
 */
int service_launch_build(const struct service *svc, struct service_launch *l);

/* Frees what service_launch_build() allocated; fds are not closed. */
void service_launch_free(struct service_launch *l);

/* SERVICE_DIFF_* bits of what differs between a and b (0: equal). */
unsigned service_diff(const struct service *a, const struct service *b);

/* Parses a duration ("100ms", "30s", "5m", "2h", "0") into ms: 0,
 * -EINVAL (not a duration) or -ERANGE (beyond a week). */
int service_parse_duration(const char *s, uint64_t *ms);

/* The number of a stop signal name ("TERM" or "SIGTERM"); -EINVAL. */
int service_parse_signal(const char *s, int *signo);

/* Joins errs into one text, one error a line (for an RPC reply). */
size_t service_errors_format(const struct service_errors *errs, char *buf,
                             size_t size);

#endif
