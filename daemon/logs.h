/*
 * logs: one service's log stream as the daemon keeps it: a bounded ring
 * in memory (what Logs serves) and a file under the state directory,
 * <dir>/<name>.log, rotated by size into <name>.log.1 ... .<files-1>.
 *
 * No event loop here: the supervisor reads the service's pipe and hands
 * the bytes to logs_append. A file that cannot be written is reported
 * once per open and the ring goes on (logging never stops a service).
 *
 * Ownership: struct logs owns its ring and its file descriptor; the
 * strings of struct logs_config are copied.
 */
#ifndef CLOUDABID_LOGS_H
#define CLOUDABID_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGS_RING_MIN  256
#define LOGS_FILES_MAX 16

struct logs;

struct logs_config {
	const char *dir;   /* existing directory for the files */
	const char *name;  /* the service name: a single path component */
	size_t ring_bytes; /* >= LOGS_RING_MIN */
	size_t file_bytes; /* rotate when a write would pass this; >= 1 */
	unsigned files;    /* files kept, 1..LOGS_FILES_MAX */
};

/* A contiguous piece of the ring (borrowed during the callback). */
typedef void (*logs_piece_fn)(const void *data, size_t len, uint64_t offset,
                              bool truncated, void *ctx);

/* Creates the ring and opens (appending) the current file. */
int logs_open(const struct logs_config *cfg, struct logs **out);

/* Closes the file and frees the ring; NULL accepted. */
void logs_close(struct logs *l);

/*
 * Appends bytes to the ring (dropping the oldest) and to the file
 * (rotating first when it would grow past file_bytes). Returns 0, or the
 * negative errno of a failed file write (the ring has the bytes).
 */
int logs_append(struct logs *l, const void *data, size_t len);

/*
 * Calls fn with the last `lines` lines the ring holds (0: all of it), in
 * one or two pieces. truncated is set on the first piece when older
 * bytes of the requested range were dropped from the ring.
 */
void logs_tail(const struct logs *l, unsigned lines, logs_piece_fn fn,
               void *ctx);

/* Bytes appended since logs_open: the offset of the next byte. */
uint64_t logs_offset(const struct logs *l);

/* Reopens the current file (after an external rotation, SIGHUP). */
int logs_reopen(struct logs *l);

/* Deletes the service's log files (when it is removed). */
void logs_unlink(const char *dir, const char *name, unsigned files);

#endif
