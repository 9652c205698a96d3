/*
 * Conformance: the calls that act on names: file_create, file_symlink,
 * file_readlink, file_rename, file_link, file_unlink. Success paths, the
 * read-only grant, bad arguments, and names outside the directory.
 */
#include "file_util.h"
#include "harness.h"

#include <sdk_string.h>

/* file_create makes directories only. */
static void check_create(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_filestat_t st;

	CHECK_OK(cloudabi_sys_file_create(dir, P("d"),
	                                  CLOUDABI_FILETYPE_DIRECTORY));
	CHECK_OK(fu_stat(dir, P("d"), 0, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK_OK(cloudabi_sys_file_create(dir, P("d/e/"),
	                                  CLOUDABI_FILETYPE_DIRECTORY));
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("d"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_EEXIST);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("f"),
	                                     CLOUDABI_FILETYPE_REGULAR_FILE),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("no/such"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOENT);
	CHECK_ERRNO(cloudabi_sys_file_create(fu_ro(), P("x"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_create(1000, P("x"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("../x"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("/tmp/x"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, (const char *)16, 3,
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, "", 0,
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOENT);
}

/* Symbolic links: any contents may be stored, readlink reads them back
 * (truncated to the buffer), and following is what stays inside. */
static void check_symlink(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_filestat_t st;
	char buf[64];
	size_t n = 0;

	CHECK_OK(cloudabi_sys_file_symlink(P("d/e"), dir, P("l")));
	CHECK_OK(cloudabi_sys_file_readlink(dir, P("l"), buf, sizeof(buf), &n));
	CHECK(n == 3 && memcmp(buf, "d/e", 3) == 0);
	CHECK_OK(cloudabi_sys_file_readlink(dir, P("l"), buf, 2, &n));
	CHECK(n == 2 && memcmp(buf, "d/", 2) == 0);
	CHECK_OK(fu_stat(dir, P("l"), 0, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_SYMBOLIC_LINK);
	CHECK(st.st_size == 3);
	CHECK_OK(fu_stat(dir, P("l"), 1, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK_ERRNO(cloudabi_sys_file_symlink(P("x"), dir, P("l")),
	            CLOUDABI_EEXIST);
	CHECK_ERRNO(
	        cloudabi_sys_file_readlink(dir, P("d"), buf, sizeof(buf), &n),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_readlink(dir, P("l"), (char *)16, 8, &n),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(
	        cloudabi_sys_file_readlink(dir, P(".."), buf, sizeof(buf), &n),
	        CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(
	        cloudabi_sys_file_readlink(1000, P("l"), buf, sizeof(buf), &n),
	        CLOUDABI_EBADF);
	/* The read-only preset keeps readlink but drops symlink. */
	CHECK_OK(cloudabi_sys_file_readlink(fu_ro(), P("l"), buf, sizeof(buf),
	                                    &n));
	CHECK_ERRNO(cloudabi_sys_file_symlink(P("x"), fu_ro(), P("l2")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_symlink(P("x"), dir, P("../l2")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(
	        cloudabi_sys_file_symlink((const char *)16, 4, dir, P("l3")),
	        CLOUDABI_EFAULT);
	/* A link out may exist; it is following it that is refused. */
	CHECK_OK(cloudabi_sys_file_symlink(P(".."), dir, P("up")));
	CHECK_ERRNO(fu_stat(dir, P("up"), 1, &st), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(fu_stat(dir, P("up/dir"), 0, &st), CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_create(dir, P("up/x"),
	                                     CLOUDABI_FILETYPE_DIRECTORY),
	            CLOUDABI_ENOTCAPABLE);
}

/* file_rename within and between directory fds. */
static void check_rename(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_filestat_t st;

	CHECK_OK(fu_make(dir, P("f1"), "one"));
	CHECK_OK(cloudabi_sys_file_rename(dir, P("f1"), dir, P("d/f2")));
	CHECK_ERRNO(fu_stat(dir, P("f1"), 0, &st), CLOUDABI_ENOENT);
	CHECK_OK(fu_stat(dir, P("d/f2"), 0, &st));
	CHECK(st.st_size == 3);
	CHECK_OK(cloudabi_sys_file_rename(dir, P("d/e"), dir, P("e2")));
	CHECK_OK(fu_stat(dir, P("e2"), 0, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK_ERRNO(cloudabi_sys_file_rename(dir, P("d/f2"), dir, P("../f2")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(
	        cloudabi_sys_file_rename(dir, P("../config.yaml"), dir, P("c")),
	        CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_rename(dir, P("nope"), dir, P("x")),
	            CLOUDABI_ENOENT);
	CHECK_ERRNO(cloudabi_sys_file_rename(dir, P("d/f2"), fu_ro(), P("x")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_rename(fu_ro(), P("d/f2"), dir, P("x")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_rename(1000, P("d/f2"), dir, P("x")),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_rename(dir, P("d/f2"), dir,
	                                     (const char *)16, 2),
	            CLOUDABI_EFAULT);
}

/* file_link: hard links, with and without following a source symlink. */
static void check_link(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_lookup_t at = {.fd = dir};
	cloudabi_lookup_t follow = {.fd = dir,
	                            .flags = CLOUDABI_LOOKUP_SYMLINK_FOLLOW};
	cloudabi_filestat_t st;

	CHECK_OK(fu_make(dir, P("h"), "hard"));
	CHECK_OK(cloudabi_sys_file_link(at, P("h"), dir, P("h2")));
	CHECK_OK(fu_stat(dir, P("h2"), 0, &st));
	CHECK(st.st_nlink == 2 && st.st_size == 4);
	CHECK_OK(cloudabi_sys_file_symlink(P("h"), dir, P("hl")));
	/* Following the symlink links the file itself... */
	CHECK_OK(cloudabi_sys_file_link(follow, P("hl"), dir, P("h3")));
	CHECK_OK(fu_stat(dir, P("h3"), 0, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK(st.st_nlink == 3);
	/* ...not following links the symlink. */
	CHECK_OK(cloudabi_sys_file_link(at, P("hl"), dir, P("hl2")));
	CHECK_OK(fu_stat(dir, P("hl2"), 0, &st));
	CHECK(st.st_filetype == CLOUDABI_FILETYPE_SYMBOLIC_LINK);
	CHECK_OK(cloudabi_sys_file_symlink(P("../config.yaml"), dir, P("out")));
	CHECK_ERRNO(cloudabi_sys_file_link(follow, P("out"), dir, P("o2")),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(
	        cloudabi_sys_file_link(at, P("../config.yaml"), dir, P("o3")),
	        CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_link(at, P("h"), dir, P("h2")),
	            CLOUDABI_EEXIST);
	CHECK_ERRNO(cloudabi_sys_file_link(at, P("h"), fu_ro(), P("h4")),
	            CLOUDABI_ENOTCAPABLE);
	at.flags = 2;
	CHECK_ERRNO(cloudabi_sys_file_link(at, P("h"), dir, P("h4")),
	            CLOUDABI_EINVAL);
}

/* file_unlink of files, directories, and the refusals. */
static void check_unlink(void)
{
	cloudabi_fd_t dir = conf_tmpdir();
	cloudabi_filestat_t st;

	CHECK_OK(cloudabi_sys_file_unlink(dir, P("h2"), 0));
	CHECK_OK(fu_stat(dir, P("h"), 0, &st));
	CHECK(st.st_nlink == 2);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("h2"), 0), CLOUDABI_ENOENT);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("e2"), 0), CLOUDABI_EPERM);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("h"),
	                                     CLOUDABI_UNLINK_REMOVEDIR),
	            CLOUDABI_ENOTDIR);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("d"),
	                                     CLOUDABI_UNLINK_REMOVEDIR),
	            CLOUDABI_ENOTEMPTY);
	CHECK_OK(cloudabi_sys_file_unlink(dir, P("e2"),
	                                  CLOUDABI_UNLINK_REMOVEDIR));
	CHECK_ERRNO(fu_stat(dir, P("e2"), 0, &st), CLOUDABI_ENOENT);
	/* Unlinking a symlink removes the link, not its target. */
	CHECK_OK(cloudabi_sys_file_unlink(dir, P("l"), 0));
	CHECK_OK(fu_stat(dir, P("d"), 0, &st));
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("h"), 2), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_file_unlink(fu_ro(), P("h"), 0),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_unlink(1000, P("h"), 0), CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("../config.yaml"), 0),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P(".."),
	                                     CLOUDABI_UNLINK_REMOVEDIR),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, P("out/x"), 0),
	            CLOUDABI_ENOTCAPABLE);
	CHECK(cloudabi_sys_file_unlink(dir, P("d/.."),
	                               CLOUDABI_UNLINK_REMOVEDIR) !=
	      CLOUDABI_ESUCCESS);
	CHECK(cloudabi_sys_file_unlink(dir, P("."),
	                               CLOUDABI_UNLINK_REMOVEDIR) !=
	      CLOUDABI_ESUCCESS);
	CHECK_OK(fu_stat(dir, P("d"), 0, &st));
	CHECK_ERRNO(cloudabi_sys_file_unlink(dir, (const char *)16, 1, 0),
	            CLOUDABI_EFAULT);
}

void conf_main(void)
{
	check_create();
	check_symlink();
	check_rename();
	check_link();
	check_unlink();
}
