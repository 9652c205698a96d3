/*
 * sdk_io.h: writing to file descriptors and leaving the process, on top of
 * the vDSO calls. Buffers are borrowed for the duration of the call.
 *
 * Errors: 0 or a negative CloudABI errno (-CLOUDABI_E*).
 */
#ifndef SDK_IO_H
#define SDK_IO_H

#include <stddef.h>
#include <stdint.h>

#include <cloudabi_types.h>

/* Writes all len bytes of buf to fd, looping over short writes. */
int sdk_io_write_all(cloudabi_fd_t fd, const void *buf, size_t len);

/* Writes the NUL-terminated string s (without its NUL) to fd. */
int sdk_io_write_str(cloudabi_fd_t fd, const char *s);

/* Writes v in decimal to fd. */
int sdk_io_write_i64(cloudabi_fd_t fd, int64_t v);

/* Ends the process with the given exit status. */
_Noreturn void sdk_io_exit(uint32_t status);

#endif
