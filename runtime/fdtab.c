/*
 * fdtab: the program's fds and rights. See fdtab.h.
 */
#include "fdtab.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>

struct fdtab_slot {
	bool used;
	struct fdtab_entry e;
};

static struct fdtab_slot fdtab[FDTAB_MAX];
static pthread_mutex_t fdtab_lock = PTHREAD_MUTEX_INITIALIZER;

int fdtab_set(int fd, cloudabi_filetype_t type, cloudabi_rights_t base,
              cloudabi_rights_t inheriting)
{
	if (fd < 0 || fd >= FDTAB_MAX)
		return -EMFILE;
	pthread_mutex_lock(&fdtab_lock);
	fdtab[fd].used = true;
	fdtab[fd].e = (struct fdtab_entry){type, base, inheriting};
	pthread_mutex_unlock(&fdtab_lock);
	return 0;
}

cloudabi_errno_t fdtab_get(cloudabi_fd_t fd, cloudabi_rights_t need,
                           struct fdtab_entry *out)
{
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;

	if (fd >= FDTAB_MAX)
		return CLOUDABI_EBADF;
	pthread_mutex_lock(&fdtab_lock);
	if (!fdtab[fd].used)
		rc = CLOUDABI_EBADF;
	else if ((fdtab[fd].e.base & need) != need)
		rc = CLOUDABI_ENOTCAPABLE;
	else if (out != NULL)
		*out = fdtab[fd].e;
	pthread_mutex_unlock(&fdtab_lock);
	return rc;
}

void fdtab_remove(int fd)
{
	if (fd < 0 || fd >= FDTAB_MAX)
		return;
	pthread_mutex_lock(&fdtab_lock);
	fdtab[fd].used = false;
	pthread_mutex_unlock(&fdtab_lock);
}

cloudabi_errno_t fdtab_narrow(cloudabi_fd_t fd, cloudabi_rights_t base,
                              cloudabi_rights_t inheriting)
{
	cloudabi_errno_t rc = CLOUDABI_ESUCCESS;

	if (fd >= FDTAB_MAX)
		return CLOUDABI_EBADF;
	pthread_mutex_lock(&fdtab_lock);
	if (!fdtab[fd].used)
		rc = CLOUDABI_EBADF;
	else if ((base & ~fdtab[fd].e.base) != 0 ||
	         (inheriting & ~fdtab[fd].e.inheriting) != 0)
		rc = CLOUDABI_ENOTCAPABLE; /* rights are never widened */
	else {
		fdtab[fd].e.base = base;
		fdtab[fd].e.inheriting = inheriting;
	}
	pthread_mutex_unlock(&fdtab_lock);
	return rc;
}

cloudabi_filetype_t fdtab_classify(int fd)
{
	struct stat st;
	int type;
	socklen_t len = sizeof(type);

	if (fstat(fd, &st) != 0)
		return CLOUDABI_FILETYPE_UNKNOWN;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return CLOUDABI_FILETYPE_REGULAR_FILE;
	case S_IFDIR:
		return CLOUDABI_FILETYPE_DIRECTORY;
	case S_IFCHR:
		return CLOUDABI_FILETYPE_CHARACTER_DEVICE;
	case S_IFBLK:
		return CLOUDABI_FILETYPE_BLOCK_DEVICE;
	case S_IFLNK:
		return CLOUDABI_FILETYPE_SYMBOLIC_LINK;
	case S_IFSOCK:
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
			return CLOUDABI_FILETYPE_UNKNOWN;
		/* seqpacket sockets count as stream: CloudABI has no third. */
		return type == SOCK_DGRAM ? CLOUDABI_FILETYPE_SOCKET_DGRAM
		                          : CLOUDABI_FILETYPE_SOCKET_STREAM;
	case S_IFIFO:
		/* A pipe behaves as a one-way stream socket in CloudABI. */
		return CLOUDABI_FILETYPE_SOCKET_STREAM;
	default:
		return CLOUDABI_FILETYPE_UNKNOWN;
	}
}
