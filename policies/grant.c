/*
 * grant: the operator policy (grant.h). Pure: no I/O; the file system is
 * asked only through the caller's resolve callback.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grant.h"
#include "service.h"

void grant_policy_init(struct grant_policy *p)
{
	memset(p, 0, sizeof(*p));
}

void grant_policy_free(struct grant_policy *p)
{
	for (size_t i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	for (size_t i = 0; i < p->nsockets; i++) {
		free(p->sockets[i].unix_prefix);
		free(p->sockets[i].host);
	}
	grant_policy_init(p);
}

int grant_normalize(const char *path, char *out, size_t size)
{
	size_t o = 0;
	const char *s = path;

	if (size < 2)
		return -ENAMETOOLONG;
	if (path[0] != '/')
		return -EINVAL;
	out[o++] = '/';
	while (*s != '\0') {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0)
			break;
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return -EINVAL;
		if (!(n == 1 && s[0] == '.')) {
			if (o > 1)
				out[o++] = '/';
			if (o + n + 1 > size)
				return -ENAMETOOLONG;
			memmove(out + o, s, n); /* out may be path */
			o += n;
		}
		s += n;
	}
	out[o] = '\0';
	return 0;
}

bool grant_path_beneath(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

bool grant_path_allowed(const struct grant_policy *p, const char *path)
{
	for (size_t i = 0; i < p->npaths; i++)
		if (grant_path_beneath(path, p->paths[i]))
			return true;
	return false;
}

/* A normalised, malloc'd copy of an absolute path: 0 or -errno. */
static int grant_copy_path(const char *path, char **out)
{
	char buf[GRANT_PATH_MAX];
	int rc = grant_normalize(path, buf, sizeof(buf));

	if (rc != 0)
		return rc;
	if ((*out = strdup(buf)) == NULL)
		return -ENOMEM;
	return 0;
}

int grant_policy_add_path(struct grant_policy *p, const char *prefix)
{
	if (p->npaths == GRANT_MAX_RULES)
		return -E2BIG;
	int rc = grant_copy_path(prefix, &p->paths[p->npaths]);

	if (rc == 0)
		p->npaths++;
	return rc;
}

/* Parses a decimal port (0..65535): 0 or -EINVAL. */
static int grant_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Splits "HOST:PORT" at its last colon; brackets must pair. */
static int grant_split(const char *a, size_t *hostlen, const char **port)
{
	const char *colon = strrchr(a, ':');

	if (colon == NULL || colon == a)
		return -EINVAL;
	*hostlen = (size_t)(colon - a);
	*port = colon + 1;
	/* An unbracketed IPv6 host would make the port ambiguous. */
	if (a[0] == '[' ? a[*hostlen - 1] != ']' || *hostlen < 3
	                : memchr(a, ':', *hostlen) != NULL)
		return -EINVAL;
	return 0;
}

/* Parses PORTS of a pattern: N, N-M or "*". */
static int grant_ports(const char *s, struct grant_socket_rule *r)
{
	const char *dash = strchr(s, '-');

	if (strcmp(s, "*") == 0) {
		r->port_lo = 0;
		r->port_hi = 65535;
		return 0;
	}
	if (dash == NULL) {
		if (grant_port(s, strlen(s), &r->port_lo) != 0)
			return -EINVAL;
		r->port_hi = r->port_lo;
		return 0;
	}
	if (grant_port(s, (size_t)(dash - s), &r->port_lo) != 0 ||
	    grant_port(dash + 1, strlen(dash + 1), &r->port_hi) != 0 ||
	    r->port_lo > r->port_hi)
		return -EINVAL;
	return 0;
}

int grant_policy_add_socket(struct grant_policy *p, const char *pattern)
{
	struct grant_socket_rule r = {0};
	const char *port;
	size_t hostlen;
	int rc;

	if (p->nsockets == GRANT_MAX_RULES)
		return -E2BIG;
	if (pattern[0] == '/') {
		if ((rc = grant_copy_path(pattern, &r.unix_prefix)) != 0)
			return rc;
	} else {
		if (grant_split(pattern, &hostlen, &port) != 0 ||
		    grant_ports(port, &r) != 0)
			return -EINVAL;
		if ((r.host = strndup(pattern, hostlen)) == NULL)
			return -ENOMEM;
	}
	p->sockets[p->nsockets++] = r;
	return 0;
}

int grant_policy_add_user(struct grant_policy *p, uid_t uid)
{
	if (p->nusers == GRANT_MAX_RULES)
		return -E2BIG;
	p->users[p->nusers++] = uid;
	return 0;
}

/* Whether an IP "HOST:PORT" address matches rule r. */
static bool grant_ip_match(const struct grant_socket_rule *r, const char *a)
{
	const char *port;
	size_t hostlen;
	uint16_t n;

	if (r->host == NULL || grant_split(a, &hostlen, &port) != 0 ||
	    grant_port(port, strlen(port), &n) != 0)
		return false;
	if (n < r->port_lo || n > r->port_hi)
		return false;
	return strcmp(r->host, "*") == 0 ||
	       (strlen(r->host) == hostlen &&
	        strncasecmp(r->host, a, hostlen) == 0);
}

bool grant_socket_allowed(const struct grant_policy *p, const char *address)
{
	for (size_t i = 0; i < p->nsockets; i++) {
		const struct grant_socket_rule *r = &p->sockets[i];

		if (address[0] == '/' ? r->unix_prefix != NULL &&
		                                grant_path_beneath(
		                                        address, r->unix_prefix)
		                      : grant_ip_match(r, address))
			return true;
	}
	return false;
}

/* What one check needs to report. */
struct grant_ctx {
	const struct grant_policy *p;
	const char *file;
	grant_resolve_fn resolve;
	void *rctx;
	grant_deny_fn deny;
	void *dctx;
	size_t count;
};

/* Reports one refusal at line:column (0: the file alone). */
__attribute__((format(printf, 4, 5))) static void
grant_deny(struct grant_ctx *c, int line, int column, const char *fmt, ...)
{
	struct config_error e = {.line = line, .column = column};
	char text[sizeof(e.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(e.msg, sizeof(e.msg), "%s:%d:%d: %s", c->file, line,
		         column, text);
	else
		snprintf(e.msg, sizeof(e.msg), "%s: %s", c->file, text);
	c->count++;
	if (c->deny != NULL)
		c->deny(&e, c->dctx);
}

/* Whether a normalised path (file or UNIX socket) is allowed. */
static bool grant_allowed(const struct grant_policy *p, const char *path,
                          bool socket)
{
	return socket ? grant_socket_allowed(p, path)
	              : grant_path_allowed(p, path);
}

/* Checks one path as written and as resolved. */
static void grant_check_path(struct grant_ctx *c,
                             const struct config_resource *r, const char *what)
{
	bool socket = r->kind == CONFIG_SOCKET;
	const char *opt = socket ? "--allow-socket" : "--allow-path";
	char norm[GRANT_PATH_MAX], real[GRANT_PATH_MAX];
	int rc = grant_normalize(r->path, norm, sizeof(norm));

	if (rc == -EINVAL) {
		grant_deny(c, r->line, r->column,
		           "%s %s: a granted path must be absolute, without "
		           "'..'",
		           what, r->path);
		return;
	}
	if (rc != 0 || !grant_allowed(c->p, norm, socket)) {
		grant_deny(c, r->line, r->column,
		           "%s %s is not beneath a path the operator allows "
		           "(cloudabid %s)",
		           what, r->path, opt);
		return;
	}
	if (c->resolve == NULL)
		return;
	rc = c->resolve(norm, real, sizeof(real), c->rctx);
	if (rc == 0)
		rc = grant_normalize(real, real, sizeof(real));
	if (rc != 0)
		grant_deny(c, r->line, r->column,
		           "%s %s: cannot tell where it leads: %s", what,
		           r->path, strerror(-rc));
	else if (!grant_allowed(c->p, real, socket))
		grant_deny(c, r->line, r->column,
		           "%s %s leads to %s, which is not beneath a path the "
		           "operator allows (cloudabid %s)",
		           what, r->path, real, opt);
}

/* Checks one !file or !socket. */
static void grant_check_resource(struct grant_ctx *c,
                                 const struct config_resource *r)
{
	const char *what;

	if (r->path == NULL)
		return;
	if (r->kind == CONFIG_FILE) {
		grant_check_path(c, r, "!file");
	} else if (r->kind == CONFIG_SOCKET) {
		what = r->connect ? "!socket connect" : "!socket bind";
		if (r->path[0] == '/')
			grant_check_path(c, r, what);
		else if (!grant_socket_allowed(c->p, r->path))
			grant_deny(c, r->line, r->column,
			           "%s %s is not an address the operator "
			           "allows (cloudabid --allow-socket)",
			           what, r->path);
	}
}

/* Checks user: and group: of svc. */
static void grant_check_user(struct grant_ctx *c, const struct service *svc)
{
	bool listed = c->p->nusers == 0;

	if (!svc->has_user)
		return;
	if (!c->p->allow_root_user && svc->uid == 0)
		grant_deny(c, svc->user_line, svc->user_column,
		           "user: uid 0 (root) is not allowed (cloudabid "
		           "--allow-root-user)");
	else if (!c->p->allow_root_user && svc->gid == 0)
		grant_deny(c, svc->user_line, svc->user_column,
		           "group: gid 0 (root) is not allowed (cloudabid "
		           "--allow-root-user)");
	for (size_t i = 0; i < c->p->nusers; i++)
		listed |= c->p->users[i] == svc->uid;
	if (!listed)
		grant_deny(c, svc->user_line, svc->user_column,
		           "user: uid %u is not a user the operator allows "
		           "(cloudabid --allow-user)",
		           (unsigned)svc->uid);
}

size_t grant_check(const struct grant_policy *p, const struct service *svc,
                   grant_resolve_fn resolve, void *rctx, grant_deny_fn deny,
                   void *dctx)
{
	struct grant_ctx c = {
	        .p = p,
	        .file = svc->args != NULL && svc->args->name != NULL
	                        ? svc->args->name
	                        : "<service>",
	        .resolve = resolve,
	        .rctx = rctx,
	        .deny = deny,
	        .dctx = dctx,
	};

	if (svc->args != NULL)
		for (size_t i = 0; i < svc->args->nres; i++)
			grant_check_resource(&c, &svc->args->res[i]);
	grant_check_user(&c, svc);
	return c.count;
}
