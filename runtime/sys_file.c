/*
 * sys_file: system calls on files and directories (file_*).
 *
 * Every path is resolved beneath its directory fd by path.c, so that no
 * call can reach outside the directories the program was granted. Rights
 * are checked first (EBADF, ENOTCAPABLE), then flags (EINVAL), then the
 * program's memory (EFAULT), then the kernel has its say.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmap.h"
#include "fdtab.h"
#include "path.h"
#include "rights.h"
#include "sys.h"
#include "usercopy.h"

#define R(name) CLOUDABI_RIGHT_##name

/* Rights that mean something on a directory. */
#define SYS_FILE_DIR_RIGHTS                                                    \
	(R(FD_DATASYNC) | R(FD_STAT_PUT_FLAGS) | R(FD_SYNC) | R(FILE_ADVISE) | \
	 R(FILE_CREATE_DIRECTORY) | R(FILE_CREATE_FILE) |                      \
	 R(FILE_LINK_SOURCE) | R(FILE_LINK_TARGET) | R(FILE_OPEN) |            \
	 R(FILE_READDIR) | R(FILE_READLINK) | R(FILE_RENAME_SOURCE) |          \
	 R(FILE_RENAME_TARGET) | R(FILE_STAT_FGET) | R(FILE_STAT_FPUT_TIMES) | \
	 R(FILE_STAT_GET) | R(FILE_STAT_PUT_TIMES) | R(FILE_SYMLINK) |         \
	 R(FILE_UNLINK) | R(POLL_FD_READWRITE))

/* Rights that mean something on a regular file (or block device). */
#define SYS_FILE_REG_RIGHTS                                                    \
	(R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_STAT_PUT_FLAGS) |     \
	 R(FD_SYNC) | R(FD_TELL) | R(FD_WRITE) | R(FILE_ADVISE) |              \
	 R(FILE_ALLOCATE) | R(FILE_STAT_FGET) | R(FILE_STAT_FPUT_SIZE) |       \
	 R(FILE_STAT_FPUT_TIMES) | R(MEM_MAP) | R(MEM_MAP_EXEC) |              \
	 R(POLL_FD_READWRITE) | R(PROC_EXEC))

/* Rights that mean something on a stream (FIFO) or character device. */
#define SYS_FILE_STREAM_RIGHTS                                                 \
	(R(FD_DATASYNC) | R(FD_READ) | R(FD_STAT_PUT_FLAGS) | R(FD_SYNC) |     \
	 R(FD_WRITE) | R(FILE_STAT_FGET) | R(POLL_FD_READWRITE))

/* Requested rights that make file_open open for reading / writing. */
#define SYS_FILE_READ_RIGHTS (R(FD_READ) | R(FILE_READDIR) | R(MEM_MAP_EXEC))
#define SYS_FILE_WRITE_RIGHTS                                                  \
	(R(FD_DATASYNC) | R(FD_WRITE) | R(FILE_ALLOCATE) |                     \
	 R(FILE_STAT_FPUT_SIZE))

#define SYS_FILE_OFLAGS                                                        \
	(CLOUDABI_O_CREAT | CLOUDABI_O_DIRECTORY | CLOUDABI_O_EXCL |           \
	 CLOUDABI_O_TRUNC)
#define SYS_FILE_FDFLAGS                                                       \
	(CLOUDABI_FDFLAG_APPEND | CLOUDABI_FDFLAG_DSYNC |                      \
	 CLOUDABI_FDFLAG_NONBLOCK | CLOUDABI_FDFLAG_RSYNC |                    \
	 CLOUDABI_FDFLAG_SYNC)
#define SYS_FILE_TIMES                                                         \
	(CLOUDABI_FILESTAT_ATIM | CLOUDABI_FILESTAT_ATIM_NOW |                 \
	 CLOUDABI_FILESTAT_MTIM | CLOUDABI_FILESTAT_MTIM_NOW)

/* Host getdents64 buffer: holds at least one entry with a 255-byte name. */
#define SYS_FILE_DENTS 4096

/* The CloudABI errno of the last failed Linux call. */
static cloudabi_errno_t sys_file_err(void)
{
	return errmap_from_linux(errno);
}

/* Nanoseconds since the epoch of a host timestamp (clamped at 0). */
static cloudabi_timestamp_t sys_file_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	return (cloudabi_timestamp_t)ts->tv_sec * 1000000000u +
	       (cloudabi_timestamp_t)ts->tv_nsec;
}

/* Converts host attributes and stores them in the program's buf. */
static cloudabi_errno_t sys_file_put_stat(const struct stat *st,
                                          cloudabi_filetype_t type,
                                          cloudabi_filestat_t *buf)
{
	cloudabi_filestat_t fs = {
	        .st_dev = st->st_dev,
	        .st_ino = st->st_ino,
	        .st_filetype = type,
	        .st_nlink = (cloudabi_linkcount_t)st->st_nlink,
	        .st_size = (cloudabi_filesize_t)st->st_size,
	        .st_atim = sys_file_ns(&st->st_atim),
	        .st_mtim = sys_file_ns(&st->st_mtim),
	        .st_ctim = sys_file_ns(&st->st_ctim),
	};

	return usercopy_write(buf, &fs, sizeof(fs));
}

cloudabi_errno_t cloudabi_sys_file_advise(cloudabi_fd_t fd,
                                          cloudabi_filesize_t offset,
                                          cloudabi_filesize_t len,
                                          cloudabi_advice_t advice)
{
	static const int host[] = {
	        [CLOUDABI_ADVICE_DONTNEED] = POSIX_FADV_DONTNEED,
	        [CLOUDABI_ADVICE_NOREUSE] = POSIX_FADV_NOREUSE,
	        [CLOUDABI_ADVICE_NORMAL] = POSIX_FADV_NORMAL,
	        [CLOUDABI_ADVICE_RANDOM] = POSIX_FADV_RANDOM,
	        [CLOUDABI_ADVICE_SEQUENTIAL] = POSIX_FADV_SEQUENTIAL,
	        [CLOUDABI_ADVICE_WILLNEED] = POSIX_FADV_WILLNEED,
	};
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_ADVISE), NULL);
	int e;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (advice < CLOUDABI_ADVICE_DONTNEED ||
	    advice > CLOUDABI_ADVICE_WILLNEED || offset > INT64_MAX ||
	    len > INT64_MAX)
		return CLOUDABI_EINVAL;
	/* posix_fadvise returns the error instead of setting errno. */
	e = posix_fadvise((int)fd, (off_t)offset, (off_t)len, host[advice]);
	return errmap_from_linux(e);
}

cloudabi_errno_t cloudabi_sys_file_allocate(cloudabi_fd_t fd,
                                            cloudabi_filesize_t offset,
                                            cloudabi_filesize_t len)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_ALLOCATE), NULL);

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (len == 0 || offset > INT64_MAX || len > INT64_MAX - offset)
		return CLOUDABI_EINVAL;
	return errmap_from_linux(
	        posix_fallocate((int)fd, (off_t)offset, (off_t)len));
}

cloudabi_errno_t cloudabi_sys_file_create(cloudabi_fd_t fd, const char *path,
                                          size_t path_len,
                                          cloudabi_filetype_t type)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_CREATE_DIRECTORY), NULL);
	struct path_parent p;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Only directories: files come from file_open, links from symlink. */
	if (type != CLOUDABI_FILETYPE_DIRECTORY)
		return CLOUDABI_EINVAL;
	rc = path_parent((int)fd, path, path_len, &p);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (mkdirat(p.dirfd, p.name, 0777) != 0)
		rc = sys_file_err();
	path_parent_release(&p);
	return rc;
}

/* Links the object sfd refers to as (dirfd, name). */
static cloudabi_errno_t sys_file_link_fd(int sfd, int dirfd, const char *name)
{
	char proc[32];

	if (linkat(sfd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return CLOUDABI_ESUCCESS;
	if (errno != ENOENT)
		return sys_file_err();
	/* Without CAP_DAC_READ_SEARCH (older kernels) AT_EMPTY_PATH says
	 * ENOENT; the magic link of the fd does the same job. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sfd);
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) != 0)
		return sys_file_err();
	return CLOUDABI_ESUCCESS;
}

/* file_link's source and target once rights and flags are checked. The
 * source's symlinks are followed beneath its directory by openat2, as
 * linkat's own AT_SYMLINK_FOLLOW could leave it. */
static cloudabi_errno_t sys_file_link2(cloudabi_lookup_t fd1, const char *path1,
                                       size_t path1_len, int fd2,
                                       const char *path2, size_t path2_len)
{
	struct path_parent src = {.dirfd = -1}, dst;
	cloudabi_errno_t rc;
	int sfd = -1;

	if (fd1.flags & CLOUDABI_LOOKUP_SYMLINK_FOLLOW)
		rc = path_open((int)fd1.fd, path1, path1_len, O_PATH, 0, &sfd);
	else
		rc = path_parent((int)fd1.fd, path1, path1_len, &src);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = path_parent(fd2, path2, path2_len, &dst);
	if (rc == CLOUDABI_ESUCCESS) {
		if (sfd >= 0)
			rc = sys_file_link_fd(sfd, dst.dirfd, dst.name);
		else if (linkat(src.dirfd, src.name, dst.dirfd, dst.name, 0))
			rc = sys_file_err();
		path_parent_release(&dst);
	}
	if (sfd >= 0)
		close(sfd);
	else
		path_parent_release(&src);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_link(cloudabi_lookup_t fd1,
                                        const char *path1, size_t path1_len,
                                        cloudabi_fd_t fd2, const char *path2,
                                        size_t path2_len)
{
	cloudabi_errno_t rc = fdtab_get(fd1.fd, R(FILE_LINK_SOURCE), NULL);

	if (rc == CLOUDABI_ESUCCESS)
		rc = fdtab_get(fd2, R(FILE_LINK_TARGET), NULL);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if ((fd1.flags & ~CLOUDABI_LOOKUP_SYMLINK_FOLLOW) != 0)
		return CLOUDABI_EINVAL;
	return sys_file_link2(fd1, path1, path1_len, (int)fd2, path2,
	                      path2_len);
}

/* The rights file_open needs on the directory: *base in its base set,
 * *inh in its inheriting set (what the new fd may receive). EINVAL for
 * unknown flags. */
static cloudabi_errno_t sys_file_open_needs(cloudabi_oflags_t oflags,
                                            const cloudabi_fdstat_t *fds,
                                            cloudabi_rights_t *base,
                                            cloudabi_rights_t *inh)
{
	if ((oflags & ~SYS_FILE_OFLAGS) != 0 ||
	    (fds->fs_flags & ~SYS_FILE_FDFLAGS) != 0)
		return CLOUDABI_EINVAL;
	*base = R(FILE_OPEN);
	*inh = fds->fs_rights_base | fds->fs_rights_inheriting;
	if (oflags & CLOUDABI_O_CREAT)
		*base |= R(FILE_CREATE_FILE);
	/* cloudabi.txt: with file_open, these rights of the directory also
	 * cover opening with O_TRUNC and the synchronous fd flags. */
	if (oflags & CLOUDABI_O_TRUNC)
		*base |= R(FILE_STAT_FPUT_SIZE);
	if (fds->fs_flags & CLOUDABI_FDFLAG_DSYNC)
		*base |= R(FD_DATASYNC);
	if (fds->fs_flags & (CLOUDABI_FDFLAG_RSYNC | CLOUDABI_FDFLAG_SYNC))
		*base |= R(FD_SYNC);
	return CLOUDABI_ESUCCESS;
}

/* The host open(2) flags for a file_open request. */
static int sys_file_open_flags(cloudabi_lookupflags_t lookup,
                               cloudabi_oflags_t oflags,
                               const cloudabi_fdstat_t *fds)
{
	bool rd = (fds->fs_rights_base & SYS_FILE_READ_RIGHTS) != 0;
	bool wr = (fds->fs_rights_base & SYS_FILE_WRITE_RIGHTS) != 0;
	int fl = wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;

	if (oflags & CLOUDABI_O_CREAT)
		fl |= O_CREAT;
	if (oflags & CLOUDABI_O_DIRECTORY)
		fl |= O_DIRECTORY;
	if (oflags & CLOUDABI_O_EXCL)
		fl |= O_EXCL;
	if (oflags & CLOUDABI_O_TRUNC)
		fl |= O_TRUNC;
	if (fds->fs_flags & CLOUDABI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (fds->fs_flags & CLOUDABI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (fds->fs_flags & CLOUDABI_FDFLAG_DSYNC)
		fl |= O_DSYNC;
	if (fds->fs_flags & CLOUDABI_FDFLAG_RSYNC)
		fl |= O_RSYNC;
	if (fds->fs_flags & CLOUDABI_FDFLAG_SYNC)
		fl |= O_SYNC;
	if ((lookup & CLOUDABI_LOOKUP_SYMLINK_FOLLOW) == 0)
		fl |= O_NOFOLLOW;
	return fl;
}

/* Drops the requested rights that do not apply to a file of `type`
 * (the only rights file_open may withhold). */
static void sys_file_fit_rights(cloudabi_filetype_t type,
                                cloudabi_rights_t *base, cloudabi_rights_t *inh)
{
	switch (type) {
	case CLOUDABI_FILETYPE_DIRECTORY:
		*base &= SYS_FILE_DIR_RIGHTS;
		break;
	case CLOUDABI_FILETYPE_REGULAR_FILE:
	case CLOUDABI_FILETYPE_BLOCK_DEVICE:
		*base &= SYS_FILE_REG_RIGHTS;
		*inh = 0;
		break;
	default:
		*base &= SYS_FILE_STREAM_RIGHTS;
		*inh = 0;
		break;
	}
}

cloudabi_errno_t cloudabi_sys_file_open(cloudabi_lookup_t dirfd,
                                        const char *path, size_t path_len,
                                        cloudabi_oflags_t oflags,
                                        const cloudabi_fdstat_t *fds,
                                        cloudabi_fd_t *fd)
{
	struct fdtab_entry dir;
	cloudabi_fdstat_t req;
	cloudabi_rights_t need_base, need_inh, base, inh;
	cloudabi_filetype_t type;
	cloudabi_errno_t rc = fdtab_get(dirfd.fd, R(FILE_OPEN), &dir);
	int nfd;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = usercopy_read(&req, fds, sizeof(req));
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_file_open_needs(oflags, &req, &need_base, &need_inh);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if ((dirfd.flags & ~CLOUDABI_LOOKUP_SYMLINK_FOLLOW) != 0)
		return CLOUDABI_EINVAL;
	/* Rights are never widened: the new fd gets at most the directory's
	 * inheriting rights, and asking for more is refused. */
	if ((dir.base & need_base) != need_base ||
	    (dir.inheriting & need_inh) != need_inh)
		return CLOUDABI_ENOTCAPABLE;
	rc = path_open((int)dirfd.fd, path, path_len,
	               sys_file_open_flags(dirfd.flags, oflags, &req), 0666,
	               &nfd);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	type = fdtab_classify(nfd);
	base = req.fs_rights_base;
	inh = req.fs_rights_inheriting;
	sys_file_fit_rights(type, &base, &inh);
	if (fdtab_set(nfd, type, base, inh) != 0) {
		close(nfd);
		return CLOUDABI_EMFILE;
	}
	rc = usercopy_write(fd, &(cloudabi_fd_t){(cloudabi_fd_t)nfd},
	                    sizeof(*fd));
	if (rc != CLOUDABI_ESUCCESS) {
		fdtab_remove(nfd);
		close(nfd);
	}
	return rc;
}

/* Stores one CloudABI dirent and its name at buf[*used..size), cut off
 * where the buffer ends; *used grows by what was written. */
static cloudabi_errno_t sys_file_emit(char *buf, size_t size, size_t *used,
                                      const cloudabi_dirent_t *de,
                                      const char *name)
{
	size_t room = size - *used, n = sizeof(*de);
	cloudabi_errno_t rc;

	if (n > room)
		n = room;
	rc = usercopy_write(buf + *used, de, n);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	*used += n;
	room -= n;
	n = de->d_namlen < room ? de->d_namlen : room;
	rc = usercopy_write(buf + *used, name, n);
	if (rc == CLOUDABI_ESUCCESS)
		*used += n;
	return rc;
}

/* The CloudABI type of a getdents64 entry, asking stat when the file
 * system does not say. */
static cloudabi_filetype_t sys_file_dtype(int dfd, unsigned char dtype,
                                          const char *name)
{
	struct stat st;

	switch (dtype) {
	case DT_REG:
		return CLOUDABI_FILETYPE_REGULAR_FILE;
	case DT_DIR:
		return CLOUDABI_FILETYPE_DIRECTORY;
	case DT_LNK:
		return CLOUDABI_FILETYPE_SYMBOLIC_LINK;
	case DT_CHR:
		return CLOUDABI_FILETYPE_CHARACTER_DEVICE;
	case DT_BLK:
		return CLOUDABI_FILETYPE_BLOCK_DEVICE;
	case DT_FIFO:
		return CLOUDABI_FILETYPE_SOCKET_STREAM;
	case DT_UNKNOWN:
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return rights_filetype_of_mode(st.st_mode);
		return CLOUDABI_FILETYPE_UNKNOWN;
	default:
		return CLOUDABI_FILETYPE_UNKNOWN;
	}
}

/* Fills the program's buf from the host directory dfd, positioned at the
 * cookie; stops when the buffer is full or the directory ends. */
static cloudabi_errno_t sys_file_fill(int dfd, char *dents, char *buf,
                                      size_t size, size_t *used)
{
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;

	while (*used < size) {
		ssize_t n = getdents64(dfd, dents, SYS_FILE_DENTS);

		if (n < 0)
			return sys_file_err();
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n && *used < size;) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			cloudabi_dirent_t de = {
			        .d_next = (cloudabi_dircookie_t)d->d_off,
			        .d_ino = d->d_ino,
			        .d_namlen = (uint32_t)strlen(d->d_name),
			        .d_type = sys_file_dtype(dfd, d->d_type,
			                                 d->d_name),
			};

			rc = sys_file_emit(buf, size, used, &de, d->d_name);
			if (rc != CLOUDABI_ESUCCESS)
				return rc;
			off += d->d_reclen;
		}
	}
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_readdir(cloudabi_fd_t fd, void *buf,
                                           size_t buf_len,
                                           cloudabi_dircookie_t cookie,
                                           size_t *bufused)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_READDIR), NULL);
	size_t used = 0;
	char *dents = NULL;
	int dfd = -1;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (cookie > INT64_MAX)
		return CLOUDABI_EINVAL;
	/* A private open file description per call: the program's fd keeps
	 * no directory position, so threads and cookies never interfere. */
	dfd = openat((int)fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dents = malloc(SYS_FILE_DENTS);
	if (dfd < 0 || dents == NULL) {
		rc = dfd < 0 ? sys_file_err() : CLOUDABI_ENOMEM;
		goto out;
	}
	/* Cookies are the kernel's d_off values, which lseek accepts. */
	if (lseek(dfd, (off_t)cookie, SEEK_SET) < 0) {
		rc = sys_file_err();
		goto out;
	}
	rc = sys_file_fill(dfd, dents, buf, buf_len, &used);
	if (rc == CLOUDABI_ESUCCESS)
		rc = usercopy_write(bufused, &used, sizeof(used));
out:
	free(dents);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_readlink(cloudabi_fd_t fd, const char *path,
                                            size_t path_len, char *buf,
                                            size_t buf_len, size_t *bufused)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_READLINK), NULL);
	struct path_parent p;
	ssize_t n;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = path_parent((int)fd, path, path_len, &p);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* The buffer goes to the kernel as it is: EFAULT comes from there. */
	n = readlinkat(p.dirfd, p.name, buf, buf_len);
	if (n < 0)
		rc = sys_file_err();
	else
		rc = usercopy_write(bufused, &(size_t){(size_t)n},
		                    sizeof(*bufused));
	path_parent_release(&p);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_rename(cloudabi_fd_t fd1, const char *path1,
                                          size_t path1_len, cloudabi_fd_t fd2,
                                          const char *path2, size_t path2_len)
{
	cloudabi_errno_t rc = fdtab_get(fd1, R(FILE_RENAME_SOURCE), NULL);
	struct path_parent src, dst;

	if (rc == CLOUDABI_ESUCCESS)
		rc = fdtab_get(fd2, R(FILE_RENAME_TARGET), NULL);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = path_parent((int)fd1, path1, path1_len, &src);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = path_parent((int)fd2, path2, path2_len, &dst);
	if (rc == CLOUDABI_ESUCCESS) {
		if (renameat(src.dirfd, src.name, dst.dirfd, dst.name) != 0)
			rc = sys_file_err();
		path_parent_release(&dst);
	}
	path_parent_release(&src);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_stat_fget(cloudabi_fd_t fd,
                                             cloudabi_filestat_t *buf)
{
	struct fdtab_entry e;
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_STAT_FGET), &e);
	struct stat st;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (fstat((int)fd, &st) != 0)
		return sys_file_err();
	/* The fd's own type knows sockets, pipes and shared memory. */
	return sys_file_put_stat(&st, e.filetype, buf);
}

/* The host times for utimensat from a filestat and time flags. */
static void sys_file_times(const cloudabi_filestat_t *fs,
                           cloudabi_fsflags_t flags, struct timespec ts[2])
{
	const cloudabi_timestamp_t t[2] = {fs->st_atim, fs->st_mtim};
	const cloudabi_fsflags_t set[2] = {CLOUDABI_FILESTAT_ATIM,
	                                   CLOUDABI_FILESTAT_MTIM};
	const cloudabi_fsflags_t now[2] = {CLOUDABI_FILESTAT_ATIM_NOW,
	                                   CLOUDABI_FILESTAT_MTIM_NOW};

	for (int i = 0; i < 2; i++) {
		if (flags & now[i])
			ts[i] = (struct timespec){.tv_nsec = UTIME_NOW};
		else if (flags & set[i])
			ts[i] = (struct timespec){
			        .tv_sec = (time_t)(t[i] / 1000000000u),
			        .tv_nsec = (long)(t[i] % 1000000000u)};
		else
			ts[i] = (struct timespec){.tv_nsec = UTIME_OMIT};
	}
}

/* EINVAL for time flags that contradict each other. */
static cloudabi_errno_t sys_file_check_times(cloudabi_fsflags_t flags)
{
	if ((flags & CLOUDABI_FILESTAT_ATIM) &&
	    (flags & CLOUDABI_FILESTAT_ATIM_NOW))
		return CLOUDABI_EINVAL;
	if ((flags & CLOUDABI_FILESTAT_MTIM) &&
	    (flags & CLOUDABI_FILESTAT_MTIM_NOW))
		return CLOUDABI_EINVAL;
	return CLOUDABI_ESUCCESS;
}

/* Sets times (flags) on the object fd refers to, even an O_PATH one. */
static cloudabi_errno_t sys_file_utimens(int fd, const cloudabi_filestat_t *buf,
                                         cloudabi_fsflags_t flags)
{
	cloudabi_filestat_t fs;
	struct timespec ts[2];
	cloudabi_errno_t rc = usercopy_read(&fs, buf, sizeof(fs));

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	sys_file_times(&fs, flags, ts);
	if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
		return sys_file_err();
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_file_stat_fput(cloudabi_fd_t fd,
                                             const cloudabi_filestat_t *buf,
                                             cloudabi_fsflags_t flags)
{
	cloudabi_rights_t need = 0;
	cloudabi_errno_t rc;
	cloudabi_filestat_t fs;

	if (flags & CLOUDABI_FILESTAT_SIZE)
		need |= R(FILE_STAT_FPUT_SIZE);
	if (flags & SYS_FILE_TIMES)
		need |= R(FILE_STAT_FPUT_TIMES);
	rc = fdtab_get(fd, need, NULL);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Either a size or times, never both (nor nothing). */
	if (flags == 0 ||
	    (flags & ~(SYS_FILE_TIMES | CLOUDABI_FILESTAT_SIZE)) ||
	    ((flags & CLOUDABI_FILESTAT_SIZE) && (flags & SYS_FILE_TIMES)))
		return CLOUDABI_EINVAL;
	rc = sys_file_check_times(flags);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if ((flags & CLOUDABI_FILESTAT_SIZE) == 0)
		return sys_file_utimens((int)fd, buf, flags);
	rc = usercopy_read(&fs, buf, sizeof(fs));
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (fs.st_size > INT64_MAX)
		return CLOUDABI_EFBIG;
	if (ftruncate((int)fd, (off_t)fs.st_size) != 0)
		return sys_file_err();
	return CLOUDABI_ESUCCESS;
}

/* Opens (fd, path) as an O_PATH fd for stat_get / stat_put, following
 * a final symlink only when asked. */
static cloudabi_errno_t sys_file_lookup(cloudabi_lookup_t fd, const char *path,
                                        size_t path_len, int *out)
{
	int fl = O_PATH;

	if ((fd.flags & ~CLOUDABI_LOOKUP_SYMLINK_FOLLOW) != 0)
		return CLOUDABI_EINVAL;
	if ((fd.flags & CLOUDABI_LOOKUP_SYMLINK_FOLLOW) == 0)
		fl |= O_NOFOLLOW;
	return path_open((int)fd.fd, path, path_len, fl, 0, out);
}

cloudabi_errno_t cloudabi_sys_file_stat_get(cloudabi_lookup_t fd,
                                            const char *path, size_t path_len,
                                            cloudabi_filestat_t *buf)
{
	cloudabi_errno_t rc = fdtab_get(fd.fd, R(FILE_STAT_GET), NULL);
	struct stat st;
	int ofd;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_file_lookup(fd, path, path_len, &ofd);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (fstat(ofd, &st) != 0)
		rc = sys_file_err();
	else
		rc = sys_file_put_stat(&st, rights_filetype_of_mode(st.st_mode),
		                       buf);
	close(ofd);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_stat_put(cloudabi_lookup_t fd,
                                            const char *path, size_t path_len,
                                            const cloudabi_filestat_t *buf,
                                            cloudabi_fsflags_t flags)
{
	cloudabi_errno_t rc = fdtab_get(fd.fd, R(FILE_STAT_PUT_TIMES), NULL);
	int ofd;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Sizes are set through an open fd (file_stat_fput) only. */
	if (flags == 0 || (flags & ~SYS_FILE_TIMES) != 0)
		return CLOUDABI_EINVAL;
	rc = sys_file_check_times(flags);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_file_lookup(fd, path, path_len, &ofd);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = sys_file_utimens(ofd, buf, flags);
	close(ofd);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_symlink(const char *path1, size_t path1_len,
                                           cloudabi_fd_t fd, const char *path2,
                                           size_t path2_len)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_SYMLINK), NULL);
	struct path_parent p;
	char *target;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	/* Any contents may be stored; following them is what is guarded. */
	rc = path_copy(path1, path1_len, &target);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	rc = path_parent((int)fd, path2, path2_len, &p);
	if (rc == CLOUDABI_ESUCCESS) {
		if (symlinkat(target, p.dirfd, p.name) != 0)
			rc = sys_file_err();
		path_parent_release(&p);
	}
	free(target);
	return rc;
}

cloudabi_errno_t cloudabi_sys_file_unlink(cloudabi_fd_t fd, const char *path,
                                          size_t path_len,
                                          cloudabi_ulflags_t flags)
{
	cloudabi_errno_t rc = fdtab_get(fd, R(FILE_UNLINK), NULL);
	bool rmdir = flags & CLOUDABI_UNLINK_REMOVEDIR;
	struct path_parent p;

	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if ((flags & ~CLOUDABI_UNLINK_REMOVEDIR) != 0)
		return CLOUDABI_EINVAL;
	rc = path_parent((int)fd, path, path_len, &p);
	if (rc != CLOUDABI_ESUCCESS)
		return rc;
	if (unlinkat(p.dirfd, p.name, rmdir ? AT_REMOVEDIR : 0) != 0) {
		/* Unlinking a directory is EPERM on CloudABI (as in POSIX),
		 * where Linux says EISDIR. */
		rc = (!rmdir && errno == EISDIR) ? CLOUDABI_EPERM
		                                 : sys_file_err();
	}
	path_parent_release(&p);
	return rc;
}
