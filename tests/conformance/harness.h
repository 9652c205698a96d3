/*
 * harness: the guest side of the conformance suite. A test program reads
 * its configuration (a map: "tmpdir" a directory grant, "log" an fd for
 * messages, and whatever else its YAML adds), runs checks, and exits 0
 * when all passed or 1 naming every failed check on the log fd.
 *
 * Usage in a test:
 *     void conf_main(void) {
 *         CHECK(cloudabi_sys_fd_close(999) == CLOUDABI_EBADF);
 *         CHECK_ERRNO(cloudabi_sys_fd_close(999), CLOUDABI_EBADF);
 *     }
 */
#ifndef CONF_HARNESS_H
#define CONF_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <argdata.h>
#include <cloudabi_syscalls.h>
#include <cloudabi_types.h>

/* The test's body, defined by each test program. */
void conf_main(void);

/* The configuration map's value for `key` as an fd, or -1 when absent. */
int conf_fd(const char *key);

/* The configuration map's value for `key`; null argdata when absent. */
argdata_t conf_value(const char *key);

/* The directory fd granted as "tmpdir" (the test fails without it). */
cloudabi_fd_t conf_tmpdir(void);

/* Records a failed check (file, line and text) on the log fd. */
void conf_fail(const char *file, int line, const char *what);

/* Records a failed errno check with both values. */
void conf_fail_errno(const char *file, int line, const char *what, unsigned got,
                     unsigned want);

/* Writes a message line to the log fd. */
void conf_log(const char *msg);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			conf_fail(__FILE__, __LINE__, #cond);                  \
	} while (0)

/* Checks that `call` returns the CloudABI errno `want`. */
#define CHECK_ERRNO(call, want)                                                \
	do {                                                                   \
		unsigned conf_got_ = (unsigned)(call);                         \
		if (conf_got_ != (unsigned)(want))                             \
			conf_fail_errno(__FILE__, __LINE__, #call, conf_got_,  \
			                (unsigned)(want));                     \
	} while (0)

#define CHECK_OK(call) CHECK_ERRNO(call, CLOUDABI_ESUCCESS)

#endif
