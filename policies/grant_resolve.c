/*
 * grant_resolve: grant_realpath(), the file system side of the operator
 * policy (grant.h), kept apart so that grant.c stays pure.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grant.h"

int grant_realpath(const char *path, char *out, size_t size, void *ctx)
{
	char dir[PATH_MAX], rdir[PATH_MAX], real[PATH_MAX];
	const char *base;
	struct stat st;
	size_t n;
	int w;

	(void)ctx;
	if (realpath(path, real) != NULL)
		goto done;
	if (errno != ENOENT)
		return -errno;
	/* Missing: a dangling symlink would be followed by O_CREAT. */
	if (lstat(path, &st) == 0)
		return -ELOOP;
	base = strrchr(path, '/');
	if (base == NULL)
		return -EINVAL;
	n = (size_t)(base - path);
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (realpath(n == 0 ? "/" : dir, rdir) == NULL)
		return -errno;
	w = snprintf(real, sizeof(real), "%s%s", strcmp(rdir, "/") ? rdir : "",
	             base);
	if (w < 0 || (size_t)w >= sizeof(real))
		return -ENAMETOOLONG;
done:
	if (strlen(real) >= size)
		return -ENAMETOOLONG;
	memcpy(out, real, strlen(real) + 1);
	return 0;
}
