/*
 * rights: the CloudABI rights model of the project, shared by the YAML
 * configuration (what a grant gives) and the runtime (what it enforces).
 *
 * A file descriptor carries two rights sets (cloudabi.txt, "rights"):
 * base, what may be done with the descriptor itself, and inheriting, what
 * descriptors obtained through it (file_open on a directory, accepted
 * connections) may at most receive. This module gives the default pair for
 * each kind of object, the named presets that narrow it, and the mapping
 * between right names ("fd_read") and bits.
 *
 * Ownership: nothing is allocated. Returned names are static strings.
 */
#ifndef RIGHTS_H
#define RIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A (base, inheriting) pair of CloudABI rights bit sets. */
struct rights {
	uint64_t base;
	uint64_t inheriting;
};

/* How the host fd was opened: decides the rights a regular file gets. */
enum rights_access {
	RIGHTS_READ,      /* O_RDONLY */
	RIGHTS_WRITE,     /* O_WRONLY */
	RIGHTS_READWRITE, /* O_RDWR */
	RIGHTS_APPEND,    /* O_WRONLY | O_APPEND: no seeking, no resizing */
};

/* Named presets usable as `rights: <name>` in the YAML. */
enum rights_preset {
	RIGHTS_PRESET_READ_ONLY,  /* drop every right that modifies data */
	RIGHTS_PRESET_READ_WRITE, /* the default for the object, unchanged */
	RIGHTS_PRESET_NO_EXEC,    /* drop mem_map_exec and proc_exec */
};

/*
 * The default rights for an fd of CloudABI filetype `filetype` (a
 * CLOUDABI_FILETYPE_* value) opened with `access`. A directory gets every
 * right needed to use it as a writable tree whatever `access` says (as the
 * original launcher did). Returns 0, or -EINVAL for an unknown filetype.
 */
int rights_default(uint8_t filetype, enum rights_access access,
                   struct rights *out);

/* The bit of the right called `name` (e.g. "fd_read"); 0 or -ENOENT. */
int rights_from_name(const char *name, uint64_t *bit);

/* The name of a single right bit, or NULL if it is not one. */
const char *rights_name(uint64_t bit);

/* The preset called `name` ("read-only", ...); 0 or -ENOENT. */
int rights_preset_from_name(const char *name, enum rights_preset *preset);

/* The name of a preset, or NULL. */
const char *rights_preset_name(enum rights_preset preset);

/* Narrows *r in place by the preset (it never adds a right). */
void rights_apply_preset(struct rights *r, enum rights_preset preset);

/*
 * Narrows *r to the rights in `allowed` (both sets are masked). Returns 0,
 * or -EPERM when `allowed` holds a right that *r has in neither set (a grant
 * may only narrow); then *bad receives the lowest such bit and *r is
 * unchanged.
 */
int rights_narrow(struct rights *r, uint64_t allowed, uint64_t *bad);

/*
 * Writes the names of the bits of `set`, separated by ",", into buf
 * (always NUL-terminated when size > 0; "none" for 0). Returns the length
 * the full text needs, like snprintf.
 */
size_t rights_format(uint64_t set, char *buf, size_t size);

/*
 * The CloudABI filetype of a host file mode (st_mode). A pipe is a byte
 * stream (CloudABI has no pipe type); a socket needs its SO_TYPE, so the
 * mode alone gives socket_stream for it. Never fails: unknown modes give
 * CLOUDABI_FILETYPE_UNKNOWN.
 */
uint8_t rights_filetype_of_mode(unsigned mode);

/*
 * The CloudABI filetype of an open host fd (fstat, and SO_TYPE for
 * sockets; seqpacket counts as datagram: it keeps message boundaries).
 * *pipe (may be NULL) tells a pipe
 * apart from a real stream socket. Returns 0 or a negative errno.
 */
int rights_classify_fd(int fd, uint8_t *type, bool *pipe);

/* How host fd `fd` was opened, as the rights model sees it (read when
 * the flags cannot be read). */
enum rights_access rights_access_of_fd(int fd);

/* The name of a CloudABI filetype value ("directory"...), or "unknown". */
const char *rights_filetype_name(uint8_t filetype);

#endif
