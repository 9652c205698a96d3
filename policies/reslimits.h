/*
 * reslimits: resource limits of a service (memory, open files, processes):
 * parsing of sizes as written in a service file and validation against
 * bounds the daemon can enforce (setrlimit in the child before exec).
 *
 * Pure: no I/O. Strings are borrowed for the call only; nothing is kept.
 */
#ifndef CLOUDABID_RESLIMITS_H
#define CLOUDABID_RESLIMITS_H

#include <stddef.h>
#include <stdint.h>

/* Bounds: below these a runtime cannot start; above, they mean nothing. */
#define RESLIMITS_MEMORY_MIN    (16ULL << 20) /* the runtime and a program */
#define RESLIMITS_MEMORY_MAX    (1ULL << 40)
#define RESLIMITS_FILES_MIN     16      /* the runtime's own fds, plus a few */
#define RESLIMITS_FILES_MAX     1048576 /* Linux fs.nr_open default */
#define RESLIMITS_PROCESSES_MAX 4194304 /* Linux PID_MAX_LIMIT */

/* A service's limits; 0 in a field means "not limited". */
struct reslimits {
	uint64_t memory;     /* bytes of address space (RLIMIT_AS) */
	uint64_t open_files; /* RLIMIT_NOFILE */
	uint64_t processes;  /* RLIMIT_NPROC, for the service's uid */
};

/*
 * Parses a byte size: decimal digits with an optional binary suffix K, M,
 * G or T (1024-based, optionally followed by "i" and "B", e.g. "64MiB") or
 * a plain "B". Returns 0 with *out set, -EINVAL for text that is not a
 * size, -ERANGE when the value does not fit 64 bits.
 */
int reslimits_parse_size(const char *s, uint64_t *out);

/*
 * Checks l against the bounds above (0 fields are accepted). Returns 0, or
 * -EINVAL with a message naming the field in err.
 */
int reslimits_check(const struct reslimits *l, char *err, size_t errlen);

#endif
