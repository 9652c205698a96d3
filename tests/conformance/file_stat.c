/*
 * Conformance: file attributes and file-level calls: file_stat_fget,
 * file_stat_fput (size and times), file_stat_get, file_stat_put,
 * file_allocate, file_advise. Values written are read back.
 */
#include "file_util.h"
#include "harness.h"

#include <sdk_string.h>

#define SEC 1000000000ull

/* file_stat_fget and file_stat_get agree on one file. */
static void check_get(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd;
	cloudabi_filestat_t a, b;

	CHECK_OK(fu_make(dir, P("s"), "12345"));
	CHECK_OK(fu_open(dir, P("s"), 0, FU_RW, &fd));
	CHECK_OK(cloudabi_sys_file_stat_fget(fd, &a));
	CHECK_OK(fu_stat(dir, P("s"), 0, &b));
	CHECK(a.st_size == 5 && a.st_nlink == 1);
	CHECK(a.st_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK(a.st_mtim == b.st_mtim && a.st_mtim > 1577836800ull * SEC);
	CHECK_OK(cloudabi_sys_file_stat_fget(dir, &a));
	CHECK(a.st_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK_ERRNO(cloudabi_sys_file_stat_fget(1000, &a), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_stat_fget(fd, (cloudabi_filestat_t *)16),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(fu_stat(dir, P("s"), 0, (cloudabi_filestat_t *)16),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(fu_stat(dir, P("nope"), 0, &a), CLOUDABI_ENOENT);
	CHECK_ERRNO(fu_stat(dir, P("../dir"), 0, &a), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_stat(dir, P("/"), 0, &a), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_stat(1000, P("s"), 0, &a), CLOUDABI_EBADF);
	CHECK_ERRNO(fu_stat(fd, P("s"), 0, &a), CLOUDABI_ENOTCAPABLE);
	CHECK_OK(fu_stat(fu_ro(), P("s"), 0, &a));
	cloudabi_lookup_t bad = {.fd = dir, .flags = 4};
	CHECK_ERRNO(cloudabi_sys_file_stat_get(bad, P("s"), &a),
	            CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_fd_close(fd));
}

/* file_stat_fput: size, times, and the invalid combinations. */
static void check_fput(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd, ro;
	cloudabi_filestat_t st = {.st_size = 100};

	CHECK_OK(fu_open(dir, P("s"), 0, FU_RW, &fd));
	CHECK_OK(cloudabi_sys_file_stat_fput(fd, &st, CLOUDABI_FILESTAT_SIZE));
	memset(&st, 0, sizeof(st));
	CHECK_OK(cloudabi_sys_file_stat_fget(fd, &st));
	CHECK(st.st_size == 100);
	st.st_atim = 1000 * SEC + 5;
	st.st_mtim = 2000 * SEC + 7;
	CHECK_OK(cloudabi_sys_file_stat_fput(
	        fd, &st, CLOUDABI_FILESTAT_ATIM | CLOUDABI_FILESTAT_MTIM));
	memset(&st, 0, sizeof(st));
	CHECK_OK(cloudabi_sys_file_stat_fget(fd, &st));
	CHECK(st.st_atim == 1000 * SEC + 5 && st.st_mtim == 2000 * SEC + 7);
	CHECK_ERRNO(cloudabi_sys_file_stat_fput(fd, &st,
	                                        CLOUDABI_FILESTAT_SIZE |
	                                                CLOUDABI_FILESTAT_MTIM),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_stat_fput(fd, &st, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_stat_fput(fd, &st, 0x40),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_file_stat_fput(fd, &st,
	                                    CLOUDABI_FILESTAT_ATIM |
	                                            CLOUDABI_FILESTAT_ATIM_NOW),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_stat_fput(fd, (cloudabi_filestat_t *)16,
	                                        CLOUDABI_FILESTAT_SIZE),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(
	        cloudabi_sys_file_stat_fput(1000, &st, CLOUDABI_FILESTAT_SIZE),
	        CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	/* A read-only fd may not resize or touch times. */
	CHECK_OK(fu_open(dir, P("s"), 0, FU_RO, &ro));
	CHECK_ERRNO(
	        cloudabi_sys_file_stat_fput(ro, &st, CLOUDABI_FILESTAT_SIZE),
	        CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_stat_fput(ro, &st,
	                                        CLOUDABI_FILESTAT_MTIM_NOW),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(ro));
}

/* file_stat_put by path, on the link or on its target. */
static void check_put(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_lookup_t at = {.fd = dir};
	cloudabi_lookup_t follow = {.fd = dir,
	                            .flags = CLOUDABI_LOOKUP_SYMLINK_FOLLOW};
	cloudabi_filestat_t st = {.st_atim = 3 * SEC, .st_mtim = 4 * SEC + 1};
	cloudabi_timestamp_t now;

	CHECK_OK(cloudabi_sys_file_stat_put(at, P("s"), &st,
	                                    CLOUDABI_FILESTAT_ATIM |
	                                            CLOUDABI_FILESTAT_MTIM));
	CHECK_OK(fu_stat(dir, P("s"), 0, &st));
	CHECK(st.st_atim == 3 * SEC && st.st_mtim == 4 * SEC + 1);
	/* Through a symlink: its target changes, the link does not. */
	CHECK_OK(cloudabi_sys_file_symlink(P("s"), dir, P("sl")));
	CHECK_OK(cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_REALTIME, 0, &now));
	CHECK_OK(cloudabi_sys_file_stat_put(follow, P("sl"), &st,
	                                    CLOUDABI_FILESTAT_MTIM_NOW));
	CHECK_OK(fu_stat(dir, P("s"), 0, &st));
	CHECK(st.st_atim == 3 * SEC);
	CHECK(st.st_mtim + SEC >= now && st.st_mtim < now + 10 * SEC);
	st.st_mtim = 5 * SEC;
	CHECK_OK(cloudabi_sys_file_stat_put(at, P("sl"), &st,
	                                    CLOUDABI_FILESTAT_MTIM));
	CHECK_OK(fu_stat(dir, P("sl"), 0, &st));
	CHECK(st.st_mtim == 5 * SEC);
	CHECK_OK(fu_stat(dir, P("s"), 0, &st));
	CHECK(st.st_mtim != 5 * SEC);
	/* Sizes are for file_stat_fput only. */
	CHECK_ERRNO(cloudabi_sys_file_stat_put(at, P("s"), &st,
	                                       CLOUDABI_FILESTAT_SIZE),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_file_stat_put(at, P("s"), &st,
	                                   CLOUDABI_FILESTAT_MTIM |
	                                           CLOUDABI_FILESTAT_MTIM_NOW),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_stat_put(at, P("s"),
	                                       (cloudabi_filestat_t *)16,
	                                       CLOUDABI_FILESTAT_MTIM),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_file_stat_put(at, P("../config.yaml"), &st,
	                                       CLOUDABI_FILESTAT_MTIM),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_file_symlink(P("../config.yaml"), dir, P("out")));
	CHECK_ERRNO(cloudabi_sys_file_stat_put(follow, P("out"), &st,
	                                       CLOUDABI_FILESTAT_MTIM),
	            CLOUDABI_ENOTCAPABLE);
	cloudabi_lookup_t ro = {.fd = fu_ro()};
	CHECK_ERRNO(cloudabi_sys_file_stat_put(ro, P("s"), &st,
	                                       CLOUDABI_FILESTAT_MTIM),
	            CLOUDABI_ENOTCAPABLE);
}

/* file_allocate grows a file; file_advise takes the six advices. */
static void check_allocate_advise(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd, ro;
	cloudabi_filestat_t st;

	CHECK_OK(fu_make(dir, P("big"), ""));
	CHECK_OK(fu_open(dir, P("big"), 0, FU_RW, &fd));
	CHECK_OK(cloudabi_sys_file_allocate(fd, 4096, 8192));
	CHECK_OK(cloudabi_sys_file_stat_fget(fd, &st));
	CHECK(st.st_size == 4096 + 8192);
	CHECK_ERRNO(cloudabi_sys_file_allocate(fd, 0, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_allocate(fd, 1ull << 63, 1),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_allocate(1000, 0, 1), CLOUDABI_EBADF);
	for (cloudabi_advice_t a = CLOUDABI_ADVICE_DONTNEED;
	     a <= CLOUDABI_ADVICE_WILLNEED; a++)
		CHECK_OK(cloudabi_sys_file_advise(fd, 0, 4096, a));
	CHECK_ERRNO(cloudabi_sys_file_advise(fd, 0, 0, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_advise(fd, 0, 0, 7), CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_file_advise(1000, 0, 0, CLOUDABI_ADVICE_NORMAL),
	        CLOUDABI_EBADF);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	CHECK_OK(fu_open(dir, P("big"), 0, FU_RO, &ro));
	CHECK_ERRNO(cloudabi_sys_file_allocate(ro, 0, 1), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_advise(ro, 0, 0, CLOUDABI_ADVICE_NORMAL),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(ro));
}

void conf_main(void)
{
	check_get();
	check_fput();
	check_put();
	check_allocate_advise();
}
