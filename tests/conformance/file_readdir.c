/*
 * Conformance: file_readdir. Whole listings, resuming from cookies with a
 * buffer too small for more than one entry, truncated last entries, the
 * end of the directory, and the error paths.
 */
#include "file_util.h"
#include "harness.h"

#include <sdk_string.h>

#define NFILES 24

/* Which of f00..f23, ".", ".." have been seen (bit i; 24 and 25). */
static uint32_t seen_mask(const char *name, uint32_t len)
{
	if (len == 1 && name[0] == '.')
		return 1u << NFILES;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return 1u << (NFILES + 1);
	if (len == 3 && name[0] == 'f' && name[1] >= '0' && name[1] <= '9' &&
	    name[2] >= '0' && name[2] <= '9') {
		unsigned i = (unsigned)(name[1] - '0') * 10u +
		             (unsigned)(name[2] - '0');
		if (i < NFILES)
			return 1u << i;
	}
	return 0;
}

#define ALL_SEEN ((1u << (NFILES + 2)) - 1)

/* Makes f00..f23 in a fresh subdirectory "list" and opens it. */
static cloudabi_fd_t make_list(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd = 0;
	char name[] = "list/f00";

	CHECK_OK(cloudabi_sys_file_create(dir, P("list"),
	                                  CLOUDABI_FILETYPE_DIRECTORY));
	for (int i = 0; i < NFILES; i++) {
		name[6] = (char)('0' + i / 10);
		name[7] = (char)('0' + i % 10);
		CHECK_OK(fu_make(dir, name, sizeof(name) - 1, "x"));
	}
	CHECK_OK(fu_open(dir, P("list"), CLOUDABI_O_DIRECTORY,
	                 CLOUDABI_RIGHT_FILE_READDIR, &fd));
	return fd;
}

/* Reads the listing in buffers of `size` bytes, resuming each time from
 * the d_next of the last complete entry. Returns the names seen. */
static uint32_t list_all(cloudabi_fd_t fd, size_t size, unsigned *calls)
{
	static char buf[4096];
	cloudabi_dircookie_t cookie = CLOUDABI_DIRCOOKIE_START;
	uint32_t seen = 0;
	size_t used = size;

	*calls = 0;
	while (used == size && *calls < 1000) {
		size_t off = 0;

		used = 0;
		CHECK_OK(cloudabi_sys_file_readdir(fd, buf, size, cookie,
		                                   &used));
		(*calls)++;
		while (off + sizeof(cloudabi_dirent_t) <= used) {
			cloudabi_dirent_t de;

			memcpy(&de, buf + off, sizeof(de));
			off += sizeof(de);
			if (off + de.d_namlen > used)
				break; /* truncated: read it again */
			if (de.d_type == CLOUDABI_FILETYPE_REGULAR_FILE ||
			    de.d_type == CLOUDABI_FILETYPE_DIRECTORY)
				seen |= seen_mask(buf + off, de.d_namlen);
			CHECK(de.d_ino != 0);
			off += de.d_namlen;
			cookie = de.d_next;
		}
	}
	return seen;
}

/* Listing in one call, then entry by entry through cookies. */
static void check_listing(cloudabi_fd_t fd)
{
	unsigned calls;

	CHECK(list_all(fd, 4096, &calls) == ALL_SEEN);
	CHECK(calls == 1);
	/* Room for one entry and part of the next: many resumed calls. */
	CHECK(list_all(fd, sizeof(cloudabi_dirent_t) + 3 + 10, &calls) ==
	      ALL_SEEN);
	CHECK(calls > NFILES);
}

/* A buffer ending inside an entry is filled to the last byte. */
static void check_truncation(cloudabi_fd_t fd)
{
	char buf[64];
	cloudabi_dirent_t de;
	size_t used = 0;

	CHECK_OK(cloudabi_sys_file_readdir(fd, buf, sizeof(de) + 1,
	                                   CLOUDABI_DIRCOOKIE_START, &used));
	CHECK(used == sizeof(de) + 1);
	memcpy(&de, buf, sizeof(de));
	CHECK(de.d_namlen >= 1);
	CHECK_OK(cloudabi_sys_file_readdir(fd, buf, 10,
	                                   CLOUDABI_DIRCOOKIE_START, &used));
	CHECK(used == 10);
	CHECK_OK(cloudabi_sys_file_readdir(fd, buf, 0, CLOUDABI_DIRCOOKIE_START,
	                                   &used));
	CHECK(used == 0);
}

/* The cookie of the last entry gives an empty read: the end. */
static void check_end(cloudabi_fd_t fd)
{
	static char buf[4096];
	cloudabi_dircookie_t last = 0;
	size_t used = 0, off = 0;

	CHECK_OK(cloudabi_sys_file_readdir(fd, buf, sizeof(buf),
	                                   CLOUDABI_DIRCOOKIE_START, &used));
	while (off + sizeof(cloudabi_dirent_t) <= used) {
		cloudabi_dirent_t de;

		memcpy(&de, buf + off, sizeof(de));
		off += sizeof(de) + de.d_namlen;
		last = de.d_next;
	}
	CHECK(off == used && used < sizeof(buf));
	used = 1;
	CHECK_OK(cloudabi_sys_file_readdir(fd, buf, sizeof(buf), last, &used));
	CHECK(used == 0);
}

/* Bad fds, missing rights, bad buffers. */
static void check_errors(cloudabi_fd_t fd)
{
	char buf[256];
	size_t used;
	cloudabi_fd_t file;

	CHECK_ERRNO(cloudabi_sys_file_readdir(1000, buf, sizeof(buf), 0, &used),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_readdir(fd, (void *)16, 64, 0, &used),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_file_readdir(fd, buf, sizeof(buf), 0,
	                                      (size_t *)16),
	            CLOUDABI_EFAULT);
	CHECK_OK(fu_open(conf_tmpdir(), P("list/f00"), 0, FU_RO, &file));
	CHECK_ERRNO(cloudabi_sys_file_readdir(file, buf, sizeof(buf), 0, &used),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(file));
	/* The read-only grant may still list. */
	CHECK_OK(
	        cloudabi_sys_file_readdir(fu_ro(), buf, sizeof(buf), 0, &used));
	CHECK(used > 0);
}

void conf_main(void)
{
	cloudabi_fd_t fd = make_list();

	check_listing(fd);
	check_truncation(fd);
	check_end(fd);
	check_errors(fd);
	CHECK_OK(cloudabi_sys_fd_close(fd));
}
