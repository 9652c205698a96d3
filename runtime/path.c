/*
 * path: path resolution that stays beneath a directory fd. See path.h.
 */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errmap.h"
#include "usercopy.h"

/* openat2 gives EAGAIN when a concurrent rename races a ".." lookup;
 * a few retries make that invisible to the program. */
#define PATH_RETRIES 16

cloudabi_errno_t path_copy(const char *path, size_t len, char **out)
{
	cloudabi_errno_t rc;
	char *buf;

	if (len == 0)
		return CLOUDABI_ENOENT;
	if (len >= PATH_MAX)
		return CLOUDABI_ENAMETOOLONG;
	/* On the heap: runtime code runs on the program's own stack. */
	buf = malloc(len + 1);
	if (buf == NULL)
		return CLOUDABI_ENOMEM;
	rc = usercopy_path(buf, len + 1, path, len);
	if (rc != CLOUDABI_ESUCCESS) {
		free(buf);
		return rc;
	}
	*out = buf;
	return CLOUDABI_ESUCCESS;
}

int path_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
	        .flags = (uint64_t)(flags | O_CLOEXEC),
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	/* The kernel refuses a mode without O_CREAT / O_TMPFILE. */
	if (flags & O_CREAT)
		how.mode = mode;
	for (int i = 0; i < PATH_RETRIES; i++) {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd >= 0)
		return (int)fd;
	/* RESOLVE_BENEATH says EXDEV when the path would leave dirfd. */
	if (errno == EXDEV)
		return -(int)CLOUDABI_ENOTCAPABLE;
	return -(int)errmap_from_linux(errno);
}

cloudabi_errno_t path_open(int fd, const char *path, size_t len, int flags,
                           mode_t mode, int *out)
{
	char *buf;
	cloudabi_errno_t rc = path_copy(path, len, &buf);
	int nfd;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	nfd = path_openat(fd, buf, flags, mode);
	free(buf);
	if (nfd < 0)
		return (cloudabi_errno_t)-nfd;
	*out = nfd;
	return CLOUDABI_ESUCCESS;
}

/* Whether the component name[0..n) is "." or "..". */
static bool path_is_dot(const char *name, size_t n)
{
	return (n == 1 && name[0] == '.') ||
	       (n == 2 && name[0] == '.' && name[1] == '.');
}

/* Checks that the whole path stays beneath fd (for a last "." / ".."). */
static cloudabi_errno_t path_check_beneath(int fd, const char *path)
{
	int tfd = path_openat(fd, path, O_PATH, 0);

	if (tfd < 0)
		return (cloudabi_errno_t)-tfd;
	close(tfd);
	return CLOUDABI_ESUCCESS;
}

/* Whether the last component of buf (trailing slashes aside) is "." or
 * "..": the only names whose *at() lookup could step out of the parent. */
static bool path_last_is_dot(const char *buf)
{
	size_t n = strlen(buf);
	const char *slash, *comp;

	while (n > 0 && buf[n - 1] == '/')
		n--;
	slash = memrchr(buf, '/', n);
	comp = slash == NULL ? buf : slash + 1;
	return path_is_dot(comp, (size_t)(buf + n - comp));
}

/* Cuts buf at the slash before its last component (trailing slashes stay
 * with the component) and returns the component, or NULL when buf has no
 * parent part. buf is relative, so the slash is never its first byte. */
static char *path_split(char *buf)
{
	size_t end = strlen(buf);
	char *slash;

	while (end > 0 && buf[end - 1] == '/')
		end--;
	slash = memrchr(buf, '/', end);
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return slash + 1;
}

cloudabi_errno_t path_parent(int fd, const char *path, size_t len,
                             struct path_parent *out)
{
	cloudabi_errno_t rc;
	char *name;
	int pfd;

	*out = (struct path_parent){.dirfd = -1};
	rc = path_copy(path, len, &out->buf);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* An absolute path never stays beneath fd. */
	if (out->buf[0] == '/') {
		rc = CLOUDABI_ENOTCAPABLE;
		goto fail;
	}
	if (path_last_is_dot(out->buf)) {
		rc = path_check_beneath(fd, out->buf);
		if (rc != CLOUDABI_ESUCCESS)
			goto fail;
	}
	name = path_split(out->buf);
	if (name == NULL) {
		out->name = out->buf;
		out->dirfd = fd;
		return CLOUDABI_ESUCCESS;
	}
	out->name = name;
	pfd = path_openat(fd, out->buf, O_PATH | O_DIRECTORY, 0);
	if (pfd < 0) {
		rc = (cloudabi_errno_t)-pfd;
		goto fail;
	}
	out->dirfd = pfd;
	out->owned = true;
	return CLOUDABI_ESUCCESS;
fail:
	path_parent_release(out);
	return rc;
}

void path_parent_release(struct path_parent *p)
{
	if (p->owned)
		close(p->dirfd);
	free(p->buf);
	*p = (struct path_parent){.dirfd = -1};
}
