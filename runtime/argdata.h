/*
 * argdata: reader and strict validator for CloudABI argdata, the binary
 * configuration a program receives (format: docs/abi-contract.md).
 *
 * Freestanding: it includes only <stddef.h>, <stdint.h> and <stdbool.h>,
 * calls no C library function and never allocates, so the guest SDK compiles
 * this same file for CloudABI programs.
 *
 * Ownership: nothing is copied. An argdata_t, an iterator and every pointer a
 * getter returns borrow the caller's buffer, which must outlive them.
 *
 * Errors: every function returns 0 (ARGDATA_OK) or one of the negative
 * ARGDATA_E* codes below; argdata_strerror() names them. Iterators return 1
 * for "one more element", 0 at the end and a negative code on bad encoding.
 */
#ifndef ARGDATA_H
#define ARGDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Containers nested deeper than this are rejected by argdata_validate(). */
#define ARGDATA_MAX_DEPTH 64

/* Tag bytes. Null has no tag: it is the empty value (length 0). */
enum argdata_type {
	ARGDATA_TYPE_NULL = 0x00,
	ARGDATA_TYPE_BINARY = 0x01,
	ARGDATA_TYPE_BOOL = 0x02,
	ARGDATA_TYPE_FD = 0x03,
	ARGDATA_TYPE_FLOAT = 0x04,
	ARGDATA_TYPE_INT = 0x05,
	ARGDATA_TYPE_MAP = 0x06,
	ARGDATA_TYPE_SEQ = 0x07,
	ARGDATA_TYPE_STR = 0x08,
	ARGDATA_TYPE_TIMESTAMP = 0x09,
};

/* The u32 fd value that stands for "no fd". */
#define ARGDATA_FD_INVALID UINT32_C(0xFFFFFFFF)

/* Result codes: distinct, negative, stable (tests compare them). */
enum argdata_code {
	ARGDATA_OK = 0,
	ARGDATA_ETYPE = -1,             /* value is of another type */
	ARGDATA_ERANGE = -2,            /* number does not fit the result */
	ARGDATA_EBADFD = -3,            /* fd is ARGDATA_FD_INVALID */
	ARGDATA_EPREFIX_OVERLONG = -4,  /* length prefix starts with 00 */
	ARGDATA_EPREFIX_TRUNCATED = -5, /* buffer ends inside a prefix */
	ARGDATA_ELENGTH = -6,           /* subfield runs past the end */
	ARGDATA_EMAP_ODD = -7,          /* map key without a value */
	ARGDATA_EUTF8 = -8,             /* str is not valid UTF-8 */
	ARGDATA_ESTR_NOTERM = -9,       /* str does not end in 00 */
	ARGDATA_ESTR_NUL = -10,         /* str contains 00 before its end */
	ARGDATA_EBOOL = -11,            /* bool payload neither empty nor 01 */
	ARGDATA_EFD = -12,              /* fd payload not 4 bytes */
	ARGDATA_EFLOAT = -13,           /* float payload not 8 bytes */
	ARGDATA_EINT = -14,             /* int not minimally encoded */
	ARGDATA_ETIMESTAMP = -15,       /* timestamp not minimally encoded */
	ARGDATA_ETAG = -16,             /* unknown tag byte */
	ARGDATA_EDEPTH = -17,           /* nesting deeper than the bound */
	ARGDATA_EINVAL = -18,           /* bad argument (NULL pointer...) */
};

/*
 * A borrowed view of one encoded value: tag byte plus payload, without a
 * length prefix. len == 0 is null (buf may then be NULL).
 */
typedef struct {
	const uint8_t *buf;
	size_t len;
} argdata_t;

/* Where argdata_validate() found the first problem. */
struct argdata_error {
	int code;      /* ARGDATA_OK or a negative ARGDATA_E* code */
	size_t offset; /* byte offset into the validated buffer */
};

/* Iterator over a seq; fields are private to argdata.c. */
typedef struct {
	const uint8_t *buf; /* payload of the seq (after the tag) */
	size_t len;
	size_t off; /* next subfield; after an error, where it was found */
	int error;  /* sticky: once negative, next() keeps returning it */
} argdata_seq_iterator_t;

/* Iterator over a map; fields are private to argdata.c. */
typedef struct {
	const uint8_t *buf; /* payload of the map (after the tag) */
	size_t len;
	size_t off;
	int error;
} argdata_map_iterator_t;

/* A point in time: sec may be negative, 0 <= nsec < 1000000000. */
struct argdata_timespec {
	int64_t sec;
	int32_t nsec;
};

/* Makes a view of buf[0..len) (borrowed); len 0 gives null. */
argdata_t argdata_from_buffer(const void *buf, size_t len);

/* The value's type (tag), ARGDATA_TYPE_NULL when empty, ARGDATA_ETAG when
 * the tag byte is unknown. Does not check the payload. */
int argdata_type(const argdata_t *ad);

/* True when ad is null (zero bytes). */
bool argdata_is_null(const argdata_t *ad);

/* Binary payload, borrowed: *data points into ad, *len its size. */
int argdata_get_binary(const argdata_t *ad, const void **data, size_t *len);

/* Bool: payload empty (false) or exactly 01 (true). */
int argdata_get_bool(const argdata_t *ad, bool *value);

/* Raw u32 fd number as stored ("raw mode"); the caller maps indices to its
 * own fds. ARGDATA_FD_INVALID gives ARGDATA_EBADFD. */
int argdata_get_fd(const argdata_t *ad, uint32_t *fd);

/* IEEE-754 double, stored big-endian. */
int argdata_get_float(const argdata_t *ad, double *value);

/* Signed int; ARGDATA_ERANGE when it does not fit int64_t. Also checks
 * minimal encoding (ARGDATA_EINT). */
int argdata_get_int(const argdata_t *ad, int64_t *value);

/* Unsigned int; ARGDATA_ERANGE when negative or above UINT64_MAX. */
int argdata_get_uint(const argdata_t *ad, uint64_t *value);

/* String, borrowed: *str points into ad, is NUL-terminated, *len excludes
 * the NUL. Checks UTF-8, the terminator and the absence of embedded NULs. */
int argdata_get_str(const argdata_t *ad, const char **str, size_t *len);

/* Same as argdata_get_str() without the length. */
int argdata_get_str_c(const argdata_t *ad, const char **str);

/* Timestamp split into seconds and nanoseconds (floor division, so nsec is
 * never negative); ARGDATA_ERANGE if sec does not fit int64_t. */
int argdata_get_timestamp(const argdata_t *ad, struct argdata_timespec *ts);

/* Timestamp as signed nanoseconds since 1970; ARGDATA_ERANGE if it does not
 * fit int64_t (about years 1678 to 2262). */
int argdata_get_timestamp_ns(const argdata_t *ad, int64_t *ns);

/* Starts iterating a seq (ARGDATA_ETYPE if ad is not a seq). */
int argdata_seq_iterate(const argdata_t *ad, argdata_seq_iterator_t *it);

/* Next element into *value (borrowed): 1 = got one, 0 = end, < 0 = bad
 * encoding (prefix or length error); never reads past the seq. */
int argdata_seq_next(argdata_seq_iterator_t *it, argdata_t *value);

/* Starts iterating a map (ARGDATA_ETYPE if ad is not a map). */
int argdata_map_iterate(const argdata_t *ad, argdata_map_iterator_t *it);

/* Next key/value pair (borrowed): 1, 0 at the end, < 0 on bad encoding,
 * ARGDATA_EMAP_ODD when a key has no value. */
int argdata_map_next(argdata_map_iterator_t *it, argdata_t *key,
                     argdata_t *value);

/*
 * Strict walk of untrusted bytes: buf[0..len) must be one well-formed value
 * (len 0 = null). Returns ARGDATA_OK or the first problem's code, and when
 * err is not NULL stores the code and the byte offset of that problem:
 *   prefix errors, ELENGTH          offset of the prefix's first byte
 *   EMAP_ODD                        offset of the key's prefix
 *   EUTF8                           first byte of the bad sequence
 *   ESTR_NUL                        offset of the embedded 00
 *   ETAG, EBOOL, EFD, EFLOAT, EINT,
 *   ETIMESTAMP, ESTR_NOTERM, EDEPTH offset of the value's tag byte
 * Iterative (no recursion); containers nest at most ARGDATA_MAX_DEPTH deep.
 */
int argdata_validate(const void *buf, size_t len, struct argdata_error *err);

/* Short static text for a code (never NULL). */
const char *argdata_strerror(int code);

/* Checks that s[0..len) is UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF); stores the offset of the first bad byte. */
int argdata_utf8_check(const uint8_t *s, size_t len, size_t *bad_offset);

#endif
