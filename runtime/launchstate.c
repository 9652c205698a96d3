/*
 * launchstate: the runtime's internal launch-state format. See
 * launchstate.h.
 */
#include "launchstate.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes all of buf at offset off of fd; a negative errno on failure. */
static int launchstate_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Reads all of buf from offset off of fd; -EINVAL on a short file. */
static int launchstate_pread(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EINVAL;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int launchstate_write_fd(int mfd, size_t i, const struct launchstate_fd *r)
{
	off_t off = (off_t)(sizeof(struct launchstate_header) + i * sizeof(*r));

	return launchstate_pwrite(mfd, r, sizeof(*r), off);
}

int launchstate_write_rest(int mfd, const struct launchstate_header *h,
                           const void *argdata)
{
	off_t off =
	        (off_t)(sizeof(*h) + h->nfds * sizeof(struct launchstate_fd));
	int rc;

	if (h->nfds > LAUNCHSTATE_MAX_FDS ||
	    h->argdata_len > LAUNCHSTATE_MAX_ARGDATA)
		return -E2BIG;
	/* The header goes last: a reader never sees a half-written state. */
	rc = launchstate_pwrite(mfd, argdata, h->argdata_len, off);
	if (rc == 0)
		rc = launchstate_pwrite(mfd, h, sizeof(*h), 0);
	return rc;
}

int launchstate_write(int mfd, int exe_fd, int diag_fd, uint32_t flags,
                      const struct launchstate_fd *fds, size_t nfds,
                      const void *argdata, size_t argdata_len)
{
	struct launchstate_header h = {.magic = LAUNCHSTATE_MAGIC,
	                               .version = LAUNCHSTATE_VERSION,
	                               .exe_fd = exe_fd,
	                               .diag_fd = diag_fd,
	                               .flags = flags,
	                               .nfds = nfds,
	                               .argdata_len = argdata_len};

	if (nfds > LAUNCHSTATE_MAX_FDS)
		return -E2BIG;
	for (size_t i = 0; i < nfds; i++) {
		int rc = launchstate_write_fd(mfd, i, &fds[i]);
		if (rc != 0)
			return rc;
	}
	return launchstate_write_rest(mfd, &h, argdata);
}

int launchstate_read(int mfd, struct launchstate_header *h,
                     struct launchstate_fd **fds, uint8_t **argdata)
{
	size_t fdlen;
	int rc = launchstate_pread(mfd, h, sizeof(*h), 0);

	*fds = NULL;
	*argdata = NULL;
	if (rc != 0)
		return rc;
	if (h->magic != LAUNCHSTATE_MAGIC ||
	    h->version != LAUNCHSTATE_VERSION ||
	    h->nfds > LAUNCHSTATE_MAX_FDS ||
	    h->argdata_len > LAUNCHSTATE_MAX_ARGDATA)
		return -EINVAL;
	fdlen = (size_t)h->nfds * sizeof(**fds);
	*fds = calloc(h->nfds + 1, sizeof(**fds));
	*argdata = malloc(h->argdata_len + 1);
	if (*fds == NULL || *argdata == NULL)
		rc = -ENOMEM;
	if (rc == 0)
		rc = launchstate_pread(mfd, *fds, fdlen, sizeof(*h));
	if (rc == 0)
		rc = launchstate_pread(mfd, *argdata, h->argdata_len,
		                       (off_t)(sizeof(*h) + fdlen));
	if (rc != 0) {
		free(*fds);
		free(*argdata);
		*fds = NULL;
		*argdata = NULL;
	}
	return rc;
}
