/*
 * Conformance: file_open. Creation, excl, trunc, fd flags, the rights the
 * new fd gets, and every refusal: bad fd, missing rights on a read-only
 * grant, bad pointers, bad flags, paths leaving the directory.
 */
#include "file_util.h"
#include "harness.h"

#include <sdk_string.h>

/* Creating, reopening with excl, truncating. */
static void check_create(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd;
	cloudabi_filestat_t st;

	CHECK_OK(fu_make(dir, P("a"), "hello"));
	CHECK_OK(fu_stat(dir, P("a"), 0, &st));
	CHECK(st.st_size == 5 &&
	      st.st_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK_ERRNO(fu_open(dir, P("a"), CLOUDABI_O_CREAT | CLOUDABI_O_EXCL,
	                    FU_RW, &fd),
	            CLOUDABI_EEXIST);
	CHECK_ERRNO(fu_open(dir, P("missing"), 0, FU_RO, &fd), CLOUDABI_ENOENT);
	CHECK_OK(fu_open(dir, P("a"), CLOUDABI_O_TRUNC, FU_RW, &fd));
	CHECK_OK(cloudabi_sys_file_stat_fget(fd, &st));
	CHECK(st.st_size == 0);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	CHECK_ERRNO(fu_open(dir, P("a"), CLOUDABI_O_DIRECTORY, FU_RO, &fd),
	            CLOUDABI_ENOTDIR);
}

/* The new fd: its type, the rights it got, what it may not do. */
static void check_rights(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd;
	cloudabi_fdstat_t st;
	cloudabi_ciovec_t iov = {.buf = "x", .buf_len = 1};
	size_t n;

	CHECK_OK(fu_make(dir, P("r"), "data"));
	/* file_readdir does not apply to a regular file: it is dropped. */
	CHECK_OK(fu_open(dir, P("r"), 0, FU_RO | CLOUDABI_RIGHT_FILE_READDIR,
	                 &fd));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK(st.fs_rights_base == FU_RO);
	CHECK(st.fs_rights_inheriting == 0);
	CHECK_ERRNO(cloudabi_sys_fd_write(fd, &iov, 1, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(fd));

	/* A subdirectory keeps directory rights and inheriting rights. */
	CHECK_OK(cloudabi_sys_file_create(dir, P("sub"),
	                                  CLOUDABI_FILETYPE_DIRECTORY));
	cloudabi_fdstat_t req = {
	        .fs_rights_base =
	                CLOUDABI_RIGHT_FILE_OPEN | CLOUDABI_RIGHT_FILE_READDIR,
	        .fs_rights_inheriting = FU_RO,
	};
	cloudabi_lookup_t at = {.fd = dir};
	CHECK_OK(cloudabi_sys_file_open(at, P("sub"), CLOUDABI_O_DIRECTORY,
	                                &req, &fd));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK(st.fs_rights_base == req.fs_rights_base);
	CHECK(st.fs_rights_inheriting == FU_RO);
	/* Files opened through it get at most its inheriting rights. */
	cloudabi_fd_t sfd;
	CHECK_ERRNO(fu_open(fd, P("x"), CLOUDABI_O_CREAT, FU_RO, &sfd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	CHECK_OK(fu_make(dir, P("sub/f"), "in sub"));

	/* Append and nonblock flags reach the new fd. */
	req = (cloudabi_fdstat_t){
	        .fs_rights_base = CLOUDABI_RIGHT_FD_WRITE,
	        .fs_flags = CLOUDABI_FDFLAG_APPEND | CLOUDABI_FDFLAG_NONBLOCK,
	};
	CHECK_OK(cloudabi_sys_file_open(at, P("r"), 0, &req, &fd));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	CHECK(st.fs_flags ==
	      (CLOUDABI_FDFLAG_APPEND | CLOUDABI_FDFLAG_NONBLOCK));
	CHECK_OK(cloudabi_sys_fd_close(fd));
}

/* The read-only grant of the same directory refuses what writes. */
static void check_readonly(void)
{
	cloudabi_fd_t ro = fu_ro(), fd;
	cloudabi_fdstat_t st;

	CHECK_OK(fu_make(conf_tmpdir(), P("ro_file"), "abc"));
	CHECK_ERRNO(fu_open(ro, P("new"), CLOUDABI_O_CREAT, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(ro, P("ro_file"), 0,
	                    FU_RO | CLOUDABI_RIGHT_FD_WRITE, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(ro, P("ro_file"), CLOUDABI_O_TRUNC, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(fu_open(ro, P("ro_file"), 0, FU_RO, &fd));
	CHECK_OK(cloudabi_sys_fd_stat_get(fd, &st));
	CHECK(st.fs_rights_base == FU_RO);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	/* A regular file has no file_open right. */
	CHECK_OK(fu_open(conf_tmpdir(), P("ro_file"), 0, FU_RO, &fd));
	cloudabi_fd_t fd2;
	CHECK_ERRNO(fu_open(fd, P("x"), 0, FU_RO, &fd2), CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(fd));
}

/* Bad fds, pointers, lengths and flags. */
static void check_bad_args(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd;
	cloudabi_fdstat_t req = {.fs_rights_base = FU_RO};
	cloudabi_lookup_t at = {.fd = dir};

	CHECK_ERRNO(fu_open(1000, P("a"), 0, FU_RO, &fd), CLOUDABI_EBADF);
	CHECK_ERRNO(fu_open(0xffffffff, P("a"), 0, FU_RO, &fd), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_open(at, P("a"), 0,
	                                   (const cloudabi_fdstat_t *)16, &fd),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(
	        cloudabi_sys_file_open(at, (const char *)16, 4, 0, &req, &fd),
	        CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_file_open(at, "a\0b", 3, 0, &req, &fd),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_open(at, "", 0, 0, &req, &fd),
	            CLOUDABI_ENOENT);
	CHECK_ERRNO(cloudabi_sys_file_open(at, P("a"), 0x100, &req, &fd),
	            CLOUDABI_EINVAL);
	req.fs_flags = 0x80;
	CHECK_ERRNO(cloudabi_sys_file_open(at, P("a"), 0, &req, &fd),
	            CLOUDABI_EINVAL);
	req.fs_flags = 0;
	at.flags = 0x10;
	CHECK_ERRNO(cloudabi_sys_file_open(at, P("a"), 0, &req, &fd),
	            CLOUDABI_EINVAL);
}

/* "..", absolute paths and symlinks out are refused; symlinks within
 * the directory are followed only when asked. */
static void check_escape(void)
{
	cloudabi_fd_t dir = conf_tmpdir(), fd;
	cloudabi_fdstat_t req = {.fs_rights_base = FU_RO};
	cloudabi_lookup_t follow = {.fd = dir,
	                            .flags = CLOUDABI_LOOKUP_SYMLINK_FOLLOW};

	CHECK_ERRNO(fu_open(dir, P("../config.yaml"), 0, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(dir, P("sub/../../config.yaml"), 0, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(dir, P("/etc/passwd"), 0, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(dir, P(".."), CLOUDABI_O_DIRECTORY, FU_RO, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_file_symlink(P("../config.yaml"), dir, P("out")));
	CHECK_ERRNO(cloudabi_sys_file_open(follow, P("out"), 0, &req, &fd),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_open(dir, P("out"), 0, FU_RO, &fd), CLOUDABI_ELOOP);
	CHECK_OK(cloudabi_sys_file_symlink(P("/etc/passwd"), dir, P("abs")));
	CHECK_ERRNO(cloudabi_sys_file_open(follow, P("abs"), 0, &req, &fd),
	            CLOUDABI_ENOTCAPABLE);
	/* Within the tree, "sub/.." and a relative symlink are fine. */
	CHECK_OK(cloudabi_sys_file_symlink(P("sub/f"), dir, P("in")));
	CHECK_OK(cloudabi_sys_file_open(follow, P("in"), 0, &req, &fd));
	CHECK_OK(cloudabi_sys_fd_close(fd));
	CHECK_OK(fu_open(dir, P("sub/../a"), 0, FU_RO, &fd));
	CHECK_OK(cloudabi_sys_fd_close(fd));
}

void conf_main(void)
{
	check_create();
	check_rights();
	check_readonly();
	check_bad_args();
	check_escape();
}
