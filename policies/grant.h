/*
 * grant: the operator policy of cloudabid, deciding which host resources a
 * service deployed by an unprivileged caller (a member of --group) may be
 * granted. The daemon opens every !file and binds or connects every
 * !socket itself, as root; without this check group membership would be
 * root-equivalent.
 *
 * A policy holds:
 *   paths    allowed path prefixes for !file (and UNIX !socket paths
 *            may also be granted through socket rules); a prefix matches
 *            on component boundaries: /srv/www allows /srv/www and
 *            /srv/www/a, never /srv/wwwx.
 *   sockets  allowed addresses for !socket bind: and connect:, each a UNIX
 *            path prefix ("/run/app") or HOST:PORTS with HOST as written
 *            in service files ("127.0.0.1", "[::1]", a name) or "*" for
 *            any, and PORTS one port, a range "8000-8099" or "*".
 *   users    allow_root_user lets user:/group: name uid or gid 0; a
 *            non-empty users list restricts user: to those uids.
 * An empty policy allows no !file and no !socket at all: the operator
 * opts in.
 *
 * grant_check() is pure: the one file system question it has (where does
 * a path really lead: symlinks) is asked through a resolve callback;
 * grant_realpath() (grant_resolve.c) is the daemon's, realpath(3) based.
 * Paths are checked twice: as written (absolute, no "..", normalised) and
 * as resolved, so that a symlink inside an allowed prefix that leads
 * outside is refused.
 *
 * Ownership: a policy owns copies of its rule strings (grant_policy_free).
 * The service given to grant_check is borrowed and not changed.
 */
#ifndef CLOUDABID_GRANT_H
#define CLOUDABID_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define GRANT_MAX_RULES 64   /* of each kind */
#define GRANT_PATH_MAX  4096 /* bytes of a path, with its NUL */

struct service;

/* One --allow-socket pattern. */
struct grant_socket_rule {
	char *unix_prefix; /* normalised UNIX path prefix, or NULL (owned) */
	char *host;        /* IP rule: host as written, "*" any (owned) */
	uint16_t port_lo, port_hi;
};

struct grant_policy {
	char *paths[GRANT_MAX_RULES]; /* normalised prefixes (owned) */
	size_t npaths;
	struct grant_socket_rule sockets[GRANT_MAX_RULES];
	size_t nsockets;
	uid_t users[GRANT_MAX_RULES]; /* empty: any uid but 0 */
	size_t nusers;
	bool allow_root_user; /* user: or group: may name uid/gid 0 */
};

/*
 * Where path really leads (symlinks followed), into out: 0 or a negative
 * errno. Paths that do not exist yet (a file to create, a UNIX socket to
 * bind) resolve through their directory.
 */
typedef int (*grant_resolve_fn)(const char *path, char *out, size_t size,
                                void *ctx);

/* One refusal: "file:line:column: text" with its position (0: none). */
typedef void (*grant_deny_fn)(const struct config_error *e, void *ctx);

/* An empty policy (allows no path and no socket, no uid 0). */
void grant_policy_init(struct grant_policy *p);

/* Frees the rule strings; p is empty afterwards. */
void grant_policy_free(struct grant_policy *p);

/* Adds an allowed path prefix (absolute, no ".."): 0, -EINVAL, -E2BIG
 * (too many rules), -ENAMETOOLONG or -ENOMEM. */
int grant_policy_add_path(struct grant_policy *p, const char *prefix);

/* Adds a socket pattern (see above): 0, -EINVAL, -E2BIG or -ENOMEM. */
int grant_policy_add_socket(struct grant_policy *p, const char *pattern);

/* Adds an allowed user: 0 or -E2BIG. */
int grant_policy_add_user(struct grant_policy *p, uid_t uid);

/*
 * Normalises an absolute path into out: "//" and "." removed, no trailing
 * "/" (but "/" itself). 0, -EINVAL (relative, or a ".." component) or
 * -ENAMETOOLONG.
 */
int grant_normalize(const char *path, char *out, size_t size);

/* Whether normalised path is prefix or beneath it, on component
 * boundaries. */
bool grant_path_beneath(const char *path, const char *prefix);

/* Whether the normalised path is beneath one of the allowed paths. */
bool grant_path_allowed(const struct grant_policy *p, const char *path);

/* Whether a !socket address (as in a service file) matches a rule; a UNIX
 * path must be normalised already. */
bool grant_socket_allowed(const struct grant_policy *p, const char *address);

/*
 * Checks every !file, !socket and the user of svc against p. Each
 * refusal goes to deny (in file order). resolve may be NULL (then only
 * the paths as written are checked). Returns the number of refusals (0:
 * allowed).
 */
size_t grant_check(const struct grant_policy *p, const struct service *svc,
                   grant_resolve_fn resolve, void *rctx, grant_deny_fn deny,
                   void *dctx);

/* The daemon's resolve callback: realpath(3), through the parent
 * directory for a path that does not exist (a dangling symlink is
 * -ELOOP: creating through it would land anywhere). ctx unused. */
int grant_realpath(const char *path, char *out, size_t size, void *ctx);

#endif
