/*
 * config_resolve: the second step of config.h: resources -> open fds.
 * Files are opened, sockets created, bound or connected, and each
 * resource gets its CloudABI filetype and rights (rights.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cloudabi_types.h"
#include "config.h"
#include "config_private.h"

/* Fills err with the position of resource r; returns code. */
static int config_res_error(const struct config *cfg,
                            const struct config_resource *r,
                            struct config_error *err, int code, const char *fmt,
                            ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(cfg->name, r->line, r->column, err, fmt, ap);
	va_end(ap);
	return code;
}

/* A UNIX socket bound (listening) or connected to r->path. */
static int config_unix_socket(struct config_resource *r, int type)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	/* Length was checked by the parser. */
	memcpy(sun.sun_path, r->path, strlen(r->path) + 1);
	if (r->connect)
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	else
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (rc == 0 && !r->connect && type != SOCK_DGRAM)
		rc = listen(fd, SOMAXCONN);
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	r->fd = fd;
	return 0;
}

/* One getaddrinfo() result turned into a bound or connected socket. */
static int config_inet_try(struct config_resource *r, struct addrinfo *ai)
{
	int one = 1, rc;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	                ai->ai_protocol);

	if (fd < 0)
		return -errno;
	if (r->connect)
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	else {
		/* A restarted service must be able to rebind at once. */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
		if (rc == 0 && ai->ai_socktype != SOCK_DGRAM)
			rc = listen(fd, SOMAXCONN);
	}
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	r->fd = fd;
	return 0;
}

/* An IPv4/IPv6 socket for host:port; the first address that works. */
static int config_inet_socket(struct config_resource *r, int type,
                              const char **why)
{
	char host[256], port[8];
	struct addrinfo hints = {.ai_socktype = type,
	                         .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	int rc, g;

	if (!r->connect)
		hints.ai_flags |= AI_PASSIVE;
	if (config_split_address(r->path, host, sizeof(host), port,
	                         sizeof(port)) != 0)
		return -EINVAL; /* the parser accepted it: cannot happen */
	g = getaddrinfo(host, port, &hints, &res);
	if (g != 0) {
		*why = gai_strerror(g);
		return g == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
	}
	rc = -EADDRNOTAVAIL;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((rc = config_inet_try(r, ai)) == 0)
			break;
	}
	freeaddrinfo(res);
	return rc;
}

/* Creates the socket of a !socket resource. */
static int config_open_socket(const struct config *cfg,
                              struct config_resource *r,
                              struct config_error *err)
{
	static const int types[] = {
	        [CONFIG_SOCK_STREAM] = SOCK_STREAM,
	        [CONFIG_SOCK_DGRAM] = SOCK_DGRAM,
	        [CONFIG_SOCK_SEQPACKET] = SOCK_SEQPACKET,
	};
	int type = types[r->socktype];
	const char *why = NULL;
	int rc;

	if (r->path[0] == '/')
		rc = config_unix_socket(r, type);
	else
		rc = config_inet_socket(r, type, &why);
	if (rc != 0)
		return config_res_error(cfg, r, err, rc, "cannot %s %s: %s",
		                        r->connect ? "connect to" : "bind",
		                        r->path, why ? why : strerror(-rc));
	r->owned = true;
	r->filetype = type == SOCK_DGRAM ? CLOUDABI_FILETYPE_SOCKET_DGRAM
	                                 : CLOUDABI_FILETYPE_SOCKET_STREAM;
	return rights_default(r->filetype, RIGHTS_READWRITE, &r->rights);
}

/* Opens the path of a !file resource. */
static int config_open_file(const struct config *cfg, struct config_resource *r,
                            struct config_error *err)
{
	static const int acc[] = {
	        [CONFIG_MODE_READ] = O_RDONLY,
	        [CONFIG_MODE_WRITE] = O_WRONLY,
	        [CONFIG_MODE_READWRITE] = O_RDWR,
	        [CONFIG_MODE_APPEND] = O_WRONLY | O_APPEND,
	};
	int flags = acc[r->mode] | O_CLOEXEC | O_NOCTTY;
	bool pipe;
	int rc;

	if (r->create)
		flags |= O_CREAT;
	if (r->truncate)
		flags |= O_TRUNC;
	if (r->exclusive)
		flags |= O_EXCL;
	r->fd = open(r->path, flags, 0666);
	if (r->fd < 0)
		return config_res_error(cfg, r, err, -errno,
		                        "cannot open %s: %s", r->path,
		                        strerror(errno));
	r->owned = true;
	if ((rc = rights_classify_fd(r->fd, &r->filetype, &pipe)) != 0)
		return config_res_error(cfg, r, err, rc, "cannot stat %s: %s",
		                        r->path, strerror(-rc));
	return rights_default(pipe ? CLOUDABI_FILETYPE_UNKNOWN : r->filetype,
	                      rights_access_of_fd(r->fd), &r->rights);
}

/* Checks a caller's fd (!fd, !executable, !log) and takes its type. */
static int config_borrow_fd(const struct config *cfg, struct config_resource *r,
                            int fd, struct config_error *err)
{
	bool pipe;
	int rc;

	if (fd < 0)
		return config_res_error(cfg, r, err, -EBADF, "no %s fd to give",
		                        config_kind_name(r->kind));
	if ((rc = rights_classify_fd(fd, &r->filetype, &pipe)) != 0)
		return config_res_error(cfg, r, err, rc, "fd %d: %s", fd,
		                        strerror(-rc));
	r->fd = fd;
	/* A log stream is for writing, however the daemon opened it (its
	 * FIFO is read-write so that writes never fail with EPIPE). */
	return rights_default(pipe ? CLOUDABI_FILETYPE_UNKNOWN : r->filetype,
	                      r->kind == CONFIG_LOG ? RIGHTS_WRITE
	                                            : rights_access_of_fd(fd),
	                      &r->rights);
}

/* Narrows the default rights of r by its `rights:` attribute. */
static int config_narrow(const struct config *cfg, struct config_resource *r,
                         struct config_error *err)
{
	uint64_t bad;

	if (r->rights_kind == CONFIG_RIGHTS_PRESET)
		rights_apply_preset(&r->rights, r->preset);
	else if (r->rights_kind == CONFIG_RIGHTS_LIST &&
	         rights_narrow(&r->rights, r->rights_list, &bad) != 0)
		return config_res_error(
		        cfg, r, err, -EPERM, "right %s is not granted to a %s",
		        rights_name(bad), rights_filetype_name(r->filetype));
	return 0;
}

/* Opens (or checks) one resource and records its type and rights. */
static int config_resolve_one(const struct config *cfg,
                              struct config_resource *r, int exe_fd, int log_fd,
                              struct config_error *err)
{
	int rc;

	switch (r->kind) {
	case CONFIG_FD:
		rc = config_borrow_fd(cfg, r, r->launcher_fd, err);
		break;
	case CONFIG_EXECUTABLE:
		rc = config_borrow_fd(cfg, r, exe_fd, err);
		break;
	case CONFIG_LOG:
		rc = config_borrow_fd(cfg, r, log_fd, err);
		break;
	case CONFIG_FILE:
		rc = config_open_file(cfg, r, err);
		break;
	case CONFIG_SOCKET:
		rc = config_open_socket(cfg, r, err);
		break;
	default:
		abort(); /* the parser creates no other kind */
	}
	if (rc == 0)
		rc = config_narrow(cfg, r, err);
	if (rc == 0)
		adtree_fd_set(r->node, r->fd);
	return rc;
}

/* Closes the fds resolve opened (and unlinks its UNIX socket files). */
void config_close_all(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nres; i++) {
		struct config_resource *r = &cfg->res[i];
		if (!r->owned || r->fd < 0)
			continue;
		close(r->fd);
		/* A UNIX socket file outlives its socket: remove it with the
		 * fd, so that the next bind of the path does not fail. */
		if (r->kind == CONFIG_SOCKET && !r->connect &&
		    r->path[0] == '/')
			unlink(r->path);
		r->owned = false;
	}
}

int config_resolve(struct config *cfg, int executable_fd,
                   struct config_error *err)
{
	return config_resolve_log(cfg, executable_fd, -1, err);
}

int config_resolve_log(struct config *cfg, int executable_fd, int log_fd,
                       struct config_error *err)
{
	int rc = 0;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (cfg->resolved)
		return -EALREADY;
	for (size_t i = 0; i < cfg->nres && rc == 0; i++)
		rc = config_resolve_one(cfg, &cfg->res[i], executable_fd,
		                        log_fd, err);
	if (rc != 0) {
		config_close_all(cfg);
		/* Back to the parsed state: only !fd nodes keep a value. */
		for (size_t i = 0; i < cfg->nres; i++) {
			struct config_resource *r = &cfg->res[i];
			r->fd = r->kind == CONFIG_FD ? r->launcher_fd : -1;
			adtree_fd_set(r->node, r->fd);
		}
		return rc;
	}
	cfg->resolved = true;
	return 0;
}

void config_release_fds(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nres; i++)
		cfg->res[i].owned = false;
}
