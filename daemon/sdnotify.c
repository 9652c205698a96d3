/* sdnotify: sd_notify datagrams and socket activation, without libsystemd. */
#include "sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Fills *sa from a $NOTIFY_SOCKET value; returns the address length. */
static int sdnotify_addr(const char *name, struct sockaddr_un *sa,
                         socklen_t *salen)
{
	size_t len = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len < 2 || len >= sizeof(sa->sun_path))
		return -EINVAL;
	if (name[0] == '@') {
		/* Abstract: a leading NUL, and the length counts exactly. */
		memcpy(sa->sun_path + 1, name + 1, len - 1);
		*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		                     len);
		return 0;
	}
	if (name[0] != '/')
		return -EINVAL;
	memcpy(sa->sun_path, name, len);
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return 0;
}

int sdnotify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	int fd = -1, rc;

	if (name == NULL || name[0] == '\0')
		return 0;
	if ((rc = sdnotify_addr(name, &sa, &salen)) < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* MSG_NOSIGNAL: a vanished manager must not kill us. */
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	           (struct sockaddr *)&sa, salen) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sdnotify_sendf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EMSGSIZE;
	return sdnotify_send(buf);
}

/* Parses a decimal environment value into *out; -EINVAL if it is not one. */
static int sdnotify_env_long(const char *name, long *out)
{
	const char *v = getenv(name);
	char *end;

	if (v == NULL)
		return -ENOENT;
	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || *out < 0)
		return -EINVAL;
	return 0;
}

int sdnotify_listen_fd(bool unset)
{
	int fd = SDNOTIFY_LISTEN_FDS_START, type, listening, rc;
	socklen_t len = sizeof(int);
	long pid, nfds;

	if (sdnotify_env_long("LISTEN_PID", &pid) < 0 ||
	    sdnotify_env_long("LISTEN_FDS", &nfds) < 0 || pid != getpid() ||
	    nfds == 0) {
		rc = -ENOENT;
		goto out;
	}
	rc = -EINVAL;
	if (nfds != 1)
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
		rc = -errno; /* EBADF, ENOTSOCK: nothing usable at fd 3 */
		goto out;
	}
	if (type != SOCK_STREAM || !listening)
		goto out;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	rc = fd;
out:
	if (unset) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return rc;
}
