/*
 * adtree: host-side argdata value tree, encoder and strict decoder.
 *
 * Ownership: every node is heap-allocated and owned by its parent once it
 * has been attached (adtree_seq_append, adtree_map_put); adtree_free() on
 * the root frees the whole tree. Data given to builders (binary bytes,
 * strings) is copied. Builders never abort: they return NULL or -ENOMEM.
 *
 * The struct is public so that callers can read a tree (tests, the YAML
 * loader, the trace); change it only through the functions below.
 *
 * fd identity: an fd node carries an int fd that may still be -1
 * ("unresolved": the resource is not open yet) and is set later with
 * adtree_fd_set(). In ADTREE_FD_RENUMBER mode two fd nodes share an index
 * when both hold the same fd value >= 0 (e.g. !fd stdout twice); each
 * unresolved node is its own identity and gets its own index.
 */
#ifndef ADTREE_H
#define ADTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "argdata.h"

enum adtree_type {
	ADTREE_NULL,
	ADTREE_BINARY,
	ADTREE_BOOL,
	ADTREE_FD,
	ADTREE_FLOAT,
	ADTREE_INT,
	ADTREE_MAP,
	ADTREE_SEQ,
	ADTREE_STR,
	ADTREE_TIMESTAMP,
};

struct adtree {
	enum adtree_type type;
	union {
		/* BINARY and STR: owned copy; STR data is also
		 * NUL-terminated, len excludes the NUL. */
		struct {
			uint8_t *data;
			size_t len;
		} bytes;
		bool boolean;
		int fd; /* >= 0, or -1 while unresolved */
		double flt;
		/* INT: negative ? (int64_t)value : (uint64_t)value */
		struct {
			bool negative;
			union {
				int64_t i;
				uint64_t u;
			};
		} integer;
		/* MAP and SEQ: items[]; a map stores key, value, key, ... */
		struct {
			struct adtree **items;
			size_t count; /* entries of items[] in use */
			size_t cap;
		} list;
		int64_t timestamp; /* nanoseconds since 1970 UTC */
	} u;
};

enum adtree_fd_mode {
	/* fds become indices into the returned fd list (what a launcher
	 * hands to a new process: fds[i] becomes its fd i). */
	ADTREE_FD_RENUMBER,
	/* fd values are written unchanged (-1 as FFFFFFFF, the invalid fd);
	 * no list is built. */
	ADTREE_FD_RAW,
};

/* Builders: a new, unattached node, or NULL when out of memory. */
struct adtree *adtree_new_null(void);
struct adtree *adtree_new_binary(const void *data, size_t len); /* copies */
struct adtree *adtree_new_bool(bool value);
struct adtree *adtree_new_fd(int fd); /* fd may be -1: unresolved */
struct adtree *adtree_new_float(double value);
struct adtree *adtree_new_int(int64_t value);
struct adtree *adtree_new_uint(uint64_t value);
struct adtree *adtree_new_map(void);
struct adtree *adtree_new_seq(void);
struct adtree *adtree_new_timestamp(int64_t ns);

/* A str node holding a copy of s[0..len): 0, -EINVAL when s is not valid
 * UTF-8 or contains a NUL, -ENOMEM. */
int adtree_new_str(const char *s, size_t len, struct adtree **out);

/* adtree_new_str() for a C string; NULL when invalid or out of memory. */
struct adtree *adtree_new_cstr(const char *s);

/* Sets the fd of an fd node (e.g. once the resource is open). */
void adtree_fd_set(struct adtree *node, int fd);

/* Appends elem to a seq. On 0 the seq owns elem; on error (-EINVAL not a
 * seq, -ENOMEM) the caller still owns it. */
int adtree_seq_append(struct adtree *seq, struct adtree *elem);

/* Appends key/value to a map (keys are any value; duplicates are kept, in
 * order). On 0 the map owns both; on error the caller still owns both. */
int adtree_map_put(struct adtree *map, struct adtree *key,
                   struct adtree *value);

/* The value of the first entry whose key is the str `key`, borrowed from
 * the map; NULL if none (or map is not a map). */
struct adtree *adtree_map_get(const struct adtree *map, const char *key);

/* Frees node and everything it owns; NULL is fine. */
void adtree_free(struct adtree *node);

/* Deep structural equality (floats compared bit for bit). */
bool adtree_equal(const struct adtree *a, const struct adtree *b);

/*
 * Serializes tree. *buf (malloc'd, caller frees; NULL when *len is 0)
 * receives the bytes. In RENUMBER mode *fds (malloc'd, caller frees; NULL
 * when *nfds is 0) lists the fd values in depth-first order of first
 * appearance, -1 for unresolved nodes; fds/nfds may be NULL in RAW mode.
 * Returns 0, -ENOMEM, -ELOOP (deeper than ARGDATA_MAX_DEPTH), -EINVAL.
 * On error nothing is returned through the pointers.
 */
int adtree_encode(const struct adtree *tree, enum adtree_fd_mode mode,
                  uint8_t **buf, size_t *len, int **fds, size_t *nfds);

/*
 * Strict decoder (argdata_validate first): builds a new tree into *tree
 * (caller frees). fd nodes get the raw u32 value (FFFFFFFF as -1).
 * Returns 0; -EINVAL with *err filled when validation fails; -ERANGE (err
 * code ARGDATA_ERANGE, offset of the tag) when an int does not fit 64 bits,
 * a timestamp not int64 ns, or an fd above INT32_MAX; -ENOMEM.
 * err may be NULL.
 */
int adtree_decode(const void *buf, size_t len, struct adtree **tree,
                  struct argdata_error *err);

/* Writes a readable YAML-like view, one value per line ("- !fd 0",
 * "\"a\": 1"). Returns 0 or -EIO. */
int adtree_print(FILE *out, const struct adtree *tree);

/* Hex dump of buf: offset, 16 bytes per line. Returns 0 or -EIO. */
int adtree_hexdump(FILE *out, const void *buf, size_t len);

#endif
