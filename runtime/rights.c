/*
 * rights: default CloudABI rights per kind of object, presets, right names.
 * See rights.h. The bit values come from the generated cloudabi_types.h so
 * that they can never drift from cloudabi.txt.
 */
#include "rights.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cloudabi_types.h"

#define R(x) CLOUDABI_RIGHT_##x

/* What reading a regular file needs; exec rights so that a granted file can
 * be run with proc_exec or mapped executable, as in the original. */
#define RIGHTS_FILE_READ                                                       \
	(R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_STAT_PUT_FLAGS) |         \
	 R(FILE_ADVISE) | R(FILE_STAT_FGET) | R(MEM_MAP) | R(MEM_MAP_EXEC) |   \
	 R(POLL_FD_READWRITE) | R(PROC_EXEC))

/* What writing (and resizing) a regular file needs. */
#define RIGHTS_FILE_WRITE                                                      \
	(R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_DATASYNC) | R(FD_SYNC) | \
	 R(FD_STAT_PUT_FLAGS) | R(FILE_ADVISE) | R(FILE_ALLOCATE) |            \
	 R(FILE_STAT_FGET) | R(FILE_STAT_FPUT_SIZE) |                          \
	 R(FILE_STAT_FPUT_TIMES) | R(MEM_MAP) | R(POLL_FD_READWRITE))

/* Append-only: no seek (pwrite), no truncation, and no fd_stat_put_flags,
 * which could clear the append flag. */
#define RIGHTS_FILE_APPEND                                                     \
	(R(FD_WRITE) | R(FD_TELL) | R(FD_DATASYNC) | R(FD_SYNC) |              \
	 R(FILE_ADVISE) | R(FILE_STAT_FGET) | R(POLL_FD_READWRITE))

/* Using a directory as a writable tree. */
#define RIGHTS_DIRECTORY                                                       \
	(R(FD_DATASYNC) | R(FD_SYNC) | R(FILE_CREATE_DIRECTORY) |              \
	 R(FILE_CREATE_FILE) | R(FILE_LINK_SOURCE) | R(FILE_LINK_TARGET) |     \
	 R(FILE_OPEN) | R(FILE_READDIR) | R(FILE_READLINK) |                   \
	 R(FILE_RENAME_SOURCE) | R(FILE_RENAME_TARGET) | R(FILE_STAT_FGET) |   \
	 R(FILE_STAT_FPUT_SIZE) | R(FILE_STAT_FPUT_TIMES) | R(FILE_STAT_GET) | \
	 R(FILE_STAT_PUT_TIMES) | R(FILE_SYMLINK) | R(FILE_UNLINK))

#define RIGHTS_SOCKET                                                          \
	(R(FD_READ) | R(FD_WRITE) | R(FD_STAT_PUT_FLAGS) | R(FILE_STAT_FGET) | \
	 R(POLL_FD_READWRITE) | R(SOCK_SHUTDOWN))

/* Every right an fd received over a socket may have. */
#define RIGHTS_PASSABLE                                                        \
	(RIGHTS_DIRECTORY | RIGHTS_FILE_READ | RIGHTS_FILE_WRITE |             \
	 RIGHTS_SOCKET | R(MEM_MAP) | R(MEM_MAP_EXEC) | R(PROC_EXEC) |         \
	 R(POLL_PROC_TERMINATE))

/* Terminals, pipes seen as devices, /dev/null: no seek, no map. */
#define RIGHTS_DEVICE_COMMON                                                   \
	(R(FD_STAT_PUT_FLAGS) | R(FILE_STAT_FGET) | R(POLL_FD_READWRITE))

/* Every right that changes stored data or the name space. */
#define RIGHTS_MODIFY                                                          \
	(R(FD_WRITE) | R(FILE_ALLOCATE) | R(FILE_CREATE_DIRECTORY) |           \
	 R(FILE_CREATE_FILE) | R(FILE_LINK_SOURCE) | R(FILE_LINK_TARGET) |     \
	 R(FILE_RENAME_SOURCE) | R(FILE_RENAME_TARGET) |                       \
	 R(FILE_STAT_FPUT_SIZE) | R(FILE_STAT_FPUT_TIMES) |                    \
	 R(FILE_STAT_PUT_TIMES) | R(FILE_SYMLINK) | R(FILE_UNLINK))

struct rights_entry {
	const char *name;
	uint64_t bit;
};

/* In bit order, with the names cloudabi.txt uses. */
static const struct rights_entry rights_table[] = {
        {"fd_datasync", R(FD_DATASYNC)},
        {"fd_read", R(FD_READ)},
        {"fd_seek", R(FD_SEEK)},
        {"fd_stat_put_flags", R(FD_STAT_PUT_FLAGS)},
        {"fd_sync", R(FD_SYNC)},
        {"fd_tell", R(FD_TELL)},
        {"fd_write", R(FD_WRITE)},
        {"file_advise", R(FILE_ADVISE)},
        {"file_allocate", R(FILE_ALLOCATE)},
        {"file_create_directory", R(FILE_CREATE_DIRECTORY)},
        {"file_create_file", R(FILE_CREATE_FILE)},
        {"file_link_source", R(FILE_LINK_SOURCE)},
        {"file_link_target", R(FILE_LINK_TARGET)},
        {"file_open", R(FILE_OPEN)},
        {"file_readdir", R(FILE_READDIR)},
        {"file_readlink", R(FILE_READLINK)},
        {"file_rename_source", R(FILE_RENAME_SOURCE)},
        {"file_rename_target", R(FILE_RENAME_TARGET)},
        {"file_stat_fget", R(FILE_STAT_FGET)},
        {"file_stat_fput_size", R(FILE_STAT_FPUT_SIZE)},
        {"file_stat_fput_times", R(FILE_STAT_FPUT_TIMES)},
        {"file_stat_get", R(FILE_STAT_GET)},
        {"file_stat_put_times", R(FILE_STAT_PUT_TIMES)},
        {"file_symlink", R(FILE_SYMLINK)},
        {"file_unlink", R(FILE_UNLINK)},
        {"mem_map", R(MEM_MAP)},
        {"mem_map_exec", R(MEM_MAP_EXEC)},
        {"poll_fd_readwrite", R(POLL_FD_READWRITE)},
        {"poll_proc_terminate", R(POLL_PROC_TERMINATE)},
        {"proc_exec", R(PROC_EXEC)},
        {"sock_shutdown", R(SOCK_SHUTDOWN)},
};

#define RIGHTS_COUNT (sizeof(rights_table) / sizeof(rights_table[0]))

static const char *const rights_presets[] = {
        [RIGHTS_PRESET_READ_ONLY] = "read-only",
        [RIGHTS_PRESET_READ_WRITE] = "read-write",
        [RIGHTS_PRESET_NO_EXEC] = "no-exec",
};

#define PRESET_COUNT (sizeof(rights_presets) / sizeof(rights_presets[0]))

/* Regular files and block devices: the access mode decides. */
static uint64_t rights_file(enum rights_access access)
{
	switch (access) {
	case RIGHTS_READ:
		return RIGHTS_FILE_READ;
	case RIGHTS_WRITE:
		return RIGHTS_FILE_WRITE;
	case RIGHTS_READWRITE:
		return RIGHTS_FILE_READ | RIGHTS_FILE_WRITE;
	case RIGHTS_APPEND:
		return RIGHTS_FILE_APPEND;
	}
	return 0;
}

/* Character devices: read and/or write by access mode, nothing else. */
static uint64_t rights_device(enum rights_access access)
{
	uint64_t r = RIGHTS_DEVICE_COMMON;

	if (access == RIGHTS_READ || access == RIGHTS_READWRITE)
		r |= R(FD_READ);
	if (access != RIGHTS_READ)
		r |= R(FD_WRITE);
	return r;
}

int rights_default(uint8_t filetype, enum rights_access access,
                   struct rights *out)
{
	out->inheriting = 0;
	switch (filetype) {
	case CLOUDABI_FILETYPE_DIRECTORY:
		out->base = RIGHTS_DIRECTORY;
		out->inheriting =
		        RIGHTS_DIRECTORY | RIGHTS_FILE_READ | RIGHTS_FILE_WRITE;
		return 0;
	case CLOUDABI_FILETYPE_REGULAR_FILE:
	case CLOUDABI_FILETYPE_BLOCK_DEVICE:
		out->base = rights_file(access);
		return 0;
	case CLOUDABI_FILETYPE_SHARED_MEMORY:
		out->base = (rights_file(access) | R(MEM_MAP)) &
		            ~(R(PROC_EXEC) | R(FD_SEEK));
		return 0;
	case CLOUDABI_FILETYPE_CHARACTER_DEVICE:
	case CLOUDABI_FILETYPE_UNKNOWN:
		out->base = rights_device(access);
		return 0;
	case CLOUDABI_FILETYPE_SOCKET_STREAM:
	case CLOUDABI_FILETYPE_SOCKET_DGRAM:
		/* What a socket delivers (accepted connections, passed fds)
		 * gets the default rights of its own type, narrowed by these:
		 * a default socket narrows nothing, so that a directory or
		 * a file passed between programs stays usable. */
		out->base = RIGHTS_SOCKET;
		out->inheriting = RIGHTS_PASSABLE;
		return 0;
	case CLOUDABI_FILETYPE_PROCESS:
		out->base = R(FILE_STAT_FGET) | R(POLL_PROC_TERMINATE);
		return 0;
	}
	out->base = 0;
	return -EINVAL;
}

int rights_from_name(const char *name, uint64_t *bit)
{
	for (size_t i = 0; i < RIGHTS_COUNT; i++) {
		if (strcmp(rights_table[i].name, name) == 0) {
			*bit = rights_table[i].bit;
			return 0;
		}
	}
	return -ENOENT;
}

const char *rights_name(uint64_t bit)
{
	for (size_t i = 0; i < RIGHTS_COUNT; i++) {
		if (rights_table[i].bit == bit)
			return rights_table[i].name;
	}
	return NULL;
}

int rights_preset_from_name(const char *name, enum rights_preset *preset)
{
	for (size_t i = 0; i < PRESET_COUNT; i++) {
		if (strcmp(rights_presets[i], name) == 0) {
			*preset = (enum rights_preset)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *rights_preset_name(enum rights_preset preset)
{
	if ((size_t)preset >= PRESET_COUNT)
		return NULL;
	return rights_presets[preset];
}

void rights_apply_preset(struct rights *r, enum rights_preset preset)
{
	uint64_t drop = 0;

	if (preset == RIGHTS_PRESET_READ_ONLY)
		drop = RIGHTS_MODIFY;
	else if (preset == RIGHTS_PRESET_NO_EXEC)
		drop = R(MEM_MAP_EXEC) | R(PROC_EXEC);
	r->base &= ~drop;
	r->inheriting &= ~drop;
}

int rights_narrow(struct rights *r, uint64_t allowed, uint64_t *bad)
{
	uint64_t extra = allowed & ~(r->base | r->inheriting);

	if (extra != 0) {
		/* Lowest bit set: the first offending name in table order. */
		*bad = extra & (~extra + 1);
		return -EPERM;
	}
	r->base &= allowed;
	r->inheriting &= allowed;
	return 0;
}

size_t rights_format(uint64_t set, char *buf, size_t size)
{
	size_t need = 0;

	if (size > 0)
		buf[0] = '\0';
	if (set == 0)
		return (size_t)snprintf(buf, size, "none");
	for (size_t i = 0; i < RIGHTS_COUNT; i++) {
		if ((set & rights_table[i].bit) == 0)
			continue;
		const char *sep = need > 0 ? "," : "";
		size_t room = need < size ? size - need : 0;
		need += (size_t)snprintf(room ? buf + need : NULL, room, "%s%s",
		                         sep, rights_table[i].name);
	}
	return need;
}

const char *rights_filetype_name(uint8_t filetype)
{
	switch (filetype) {
	case CLOUDABI_FILETYPE_BLOCK_DEVICE:
		return "block_device";
	case CLOUDABI_FILETYPE_CHARACTER_DEVICE:
		return "character_device";
	case CLOUDABI_FILETYPE_DIRECTORY:
		return "directory";
	case CLOUDABI_FILETYPE_PROCESS:
		return "process";
	case CLOUDABI_FILETYPE_REGULAR_FILE:
		return "regular_file";
	case CLOUDABI_FILETYPE_SHARED_MEMORY:
		return "shared_memory";
	case CLOUDABI_FILETYPE_SOCKET_DGRAM:
		return "socket_dgram";
	case CLOUDABI_FILETYPE_SOCKET_STREAM:
		return "socket_stream";
	case CLOUDABI_FILETYPE_SYMBOLIC_LINK:
		return "symbolic_link";
	}
	return "unknown";
}

uint8_t rights_filetype_of_mode(unsigned mode)
{
	switch (mode & S_IFMT) {
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
	case S_IFIFO:
	case S_IFSOCK:
		return CLOUDABI_FILETYPE_SOCKET_STREAM;
	default:
		return CLOUDABI_FILETYPE_UNKNOWN;
	}
}

int rights_classify_fd(int fd, uint8_t *type, bool *pipe)
{
	struct stat st;
	int so;
	socklen_t len = sizeof(so);

	if (fstat(fd, &st) != 0)
		return -errno;
	*type = rights_filetype_of_mode(st.st_mode);
	if (pipe != NULL)
		*pipe = S_ISFIFO(st.st_mode);
	if (S_ISSOCK(st.st_mode)) {
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &so, &len) != 0)
			return -errno;
		/* Seqpacket keeps message boundaries, as CloudABI's
		 * datagram sockets do; fd_create2 makes its datagram pairs
		 * as seqpacket (docs/security.md). */
		if (so == SOCK_DGRAM || so == SOCK_SEQPACKET)
			*type = CLOUDABI_FILETYPE_SOCKET_DGRAM;
	}
	return 0;
}

enum rights_access rights_access_of_fd(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return RIGHTS_READ;
	if ((fl & O_ACCMODE) == O_RDWR)
		return RIGHTS_READWRITE;
	if ((fl & O_ACCMODE) == O_WRONLY)
		return (fl & O_APPEND) ? RIGHTS_APPEND : RIGHTS_WRITE;
	return RIGHTS_READ;
}
