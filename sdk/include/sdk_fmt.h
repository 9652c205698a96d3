/*
 * sdk_fmt.h: decimal formatting without a C library. The caller owns the
 * output buffer; nothing is NUL-terminated unless stated.
 */
#ifndef SDK_FMT_H
#define SDK_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest value, "-9223372036854775808", plus a NUL. */
#define SDK_FMT_MAX 21

/* Writes v in decimal to buf (at least SDK_FMT_MAX bytes), NUL-terminated;
 * returns the number of digits written (without the NUL). */
size_t sdk_fmt_u64(char *buf, uint64_t v);

/* Same for a signed value, with a leading '-' when negative. */
size_t sdk_fmt_i64(char *buf, int64_t v);

#endif
