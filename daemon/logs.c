/*
 * logs: ring and rotated file of a service's output. See logs.h.
 */
#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct logs {
	char *dir, *name;
	size_t file_bytes;
	unsigned files;
	int fd;
	uint64_t file_size;
	bool file_failed; /* reported once; retried when the logs are reopened
	                     (SIGHUP) */
	uint8_t *ring;
	size_t cap;
	uint64_t end; /* total bytes appended: the ring ends here */
};

/* Formats <dir>/<name>.log or <dir>/<name>.log.<k>. */
static void logs_path(char *buf, size_t len, const char *dir, const char *name,
                      unsigned k)
{
	if (k == 0)
		snprintf(buf, len, "%s/%s.log", dir, name);
	else
		snprintf(buf, len, "%s/%s.log.%u", dir, name, k);
}

/* Opens the current file for appending and learns its size. */
static int logs_open_file(struct logs *l)
{
	char path[PATH_MAX];
	struct stat sb;

	if (l->fd >= 0)
		close(l->fd);
	logs_path(path, sizeof(path), l->dir, l->name, 0);
	l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (l->fd < 0 || fstat(l->fd, &sb) != 0) {
		int e = -errno;
		if (!l->file_failed)
			fprintf(stderr, "<4>logs_open_file: %s: %s\n", path,
			        strerror(-e));
		l->file_failed = true;
		return e;
	}
	l->file_size = (uint64_t)sb.st_size;
	l->file_failed = false;
	return 0;
}

/* Shifts name.log.k to .k+1 (the last one falls off) and reopens. */
static int logs_rotate(struct logs *l)
{
	char from[PATH_MAX], to[PATH_MAX];

	for (unsigned k = l->files - 1; k > 0; k--) {
		logs_path(from, sizeof(from), l->dir, l->name, k - 1);
		logs_path(to, sizeof(to), l->dir, l->name, k);
		if (rename(from, to) != 0 && errno != ENOENT)
			break;
	}
	if (l->files == 1) {
		logs_path(from, sizeof(from), l->dir, l->name, 0);
		unlink(from);
	}
	return logs_open_file(l);
}

int logs_open(const struct logs_config *cfg, struct logs **out)
{
	struct logs *l;
	int rc;

	if (cfg->ring_bytes < LOGS_RING_MIN || cfg->file_bytes == 0 ||
	    cfg->files == 0 || cfg->files > LOGS_FILES_MAX ||
	    strchr(cfg->name, '/') != NULL || cfg->name[0] == '.')
		return -EINVAL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -ENOMEM;
	l->fd = -1;
	l->dir = strdup(cfg->dir);
	l->name = strdup(cfg->name);
	l->ring = malloc(cfg->ring_bytes);
	l->cap = cfg->ring_bytes;
	l->file_bytes = cfg->file_bytes;
	l->files = cfg->files;
	if (l->dir == NULL || l->name == NULL || l->ring == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = logs_open_file(l)) != 0)
		goto fail;
	*out = l;
	return 0;
fail:
	logs_close(l);
	return rc;
}

void logs_close(struct logs *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->dir);
	free(l->name);
	free(l->ring);
	free(l);
}

/* Copies data into the ring, keeping only the last cap bytes. */
static void logs_ring_put(struct logs *l, const uint8_t *p, size_t len)
{
	if (len > l->cap) {
		l->end += len - l->cap;
		p += len - l->cap;
		len = l->cap;
	}
	while (len > 0) {
		size_t at = (size_t)(l->end % l->cap);
		size_t n = l->cap - at < len ? l->cap - at : len;
		memcpy(l->ring + at, p, n);
		l->end += n;
		p += n;
		len -= n;
	}
}

/* Writes all of data to the file; short writes are retried. */
static int logs_file_put(struct logs *l, const uint8_t *p, size_t len)
{
	if (l->fd < 0 || l->file_failed)
		return -EIO;
	if (l->file_size > 0 && l->file_size + len > l->file_bytes) {
		int rc = logs_rotate(l);
		if (rc != 0)
			return rc;
	}
	while (len > 0) {
		ssize_t n = write(l->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		l->file_size += (uint64_t)n;
	}
	return 0;
}

int logs_append(struct logs *l, const void *data, size_t len)
{
	logs_ring_put(l, data, len);
	return logs_file_put(l, data, len);
}

/* The byte of stream offset off, which the ring must hold. */
static uint8_t logs_at(const struct logs *l, uint64_t off)
{
	return l->ring[off % l->cap];
}

void logs_tail(const struct logs *l, unsigned lines, logs_piece_fn fn,
               void *ctx)
{
	uint64_t first = l->end > l->cap ? l->end - l->cap : 0;
	uint64_t start = first;
	bool truncated = first > 0;

	if (lines > 0 && l->end > first) {
		/* Each newline before o starts the line at o; a last line
		 * without its newline counts too. */
		unsigned seen = 0;
		for (uint64_t o = l->end - 1; o > first; o--) {
			if (logs_at(l, o - 1) == '\n' && ++seen == lines) {
				start = o;
				truncated = false;
				break;
			}
		}
	}
	while (start < l->end) {
		size_t at = (size_t)(start % l->cap);
		size_t n = l->cap - at;
		if (n > l->end - start)
			n = (size_t)(l->end - start);
		fn(l->ring + at, n, start, truncated, ctx);
		truncated = false;
		start += n;
	}
}

uint64_t logs_offset(const struct logs *l)
{
	return l->end;
}

int logs_reopen(struct logs *l)
{
	return logs_open_file(l);
}

void logs_unlink(const char *dir, const char *name, unsigned files)
{
	char path[PATH_MAX];

	for (unsigned k = 0; k < files && k < LOGS_FILES_MAX; k++) {
		logs_path(path, sizeof(path), dir, name, k);
		unlink(path);
	}
}
