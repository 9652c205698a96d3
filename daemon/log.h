/*
 * log: the daemon's own log lines, in the style of OpenBSD daemons.
 *
 * Every line starts with a syslog priority in angle brackets ("<3>",
 * "<4>", "<6>", "<7>"), which journald strips and turns into the entry's
 * priority when stderr is connected to it; the caller's function name
 * follows (pass __func__). log_warn appends strerror(errno), log_warnx
 * does not; fatal/fatalx log at "<2>" and exit(1).
 *
 * Lines go to stderr, or to a file given to log_open (appended, reopened
 * by log_reopen on SIGHUP so that logrotate can move it). Each line is
 * written with one write(2), cut to LOG_LINE_MAX bytes. Not thread-safe:
 * the daemon logs from its loop thread only. errno is preserved.
 */
#ifndef CLOUDABID_LOG_H
#define CLOUDABID_LOG_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define LOG_LINE_MAX 1024

/* Priorities, the syslog numbers journald understands. */
enum log_prio {
	LOG_PRIO_CRIT = 2,
	LOG_PRIO_ERR = 3,
	LOG_PRIO_WARNING = 4,
	LOG_PRIO_INFO = 6,
	LOG_PRIO_DEBUG = 7,
};

/*
 * Sends lines to path (copied; NULL: stderr). Returns 0 or a negative
 * errno, in which case the previous destination stays.
 */
int log_open(const char *path);
/* Reopens the log file (after rotation); nothing to do for stderr. */
int log_reopen(void);
/* Closes the log file, going back to stderr. */
void log_close(void);
/* Whether log_debug lines are written (off by default). */
void log_set_verbose(bool verbose);

/*
 * Formats one line "<prio>func: message[: strerror(err)]\n" into out
 * (always terminated, cut to outsz). err 0 adds no error text. Returns the
 * line's length. The writers below use it; tests call it directly.
 */
size_t log_format(char *out, size_t outsz, enum log_prio prio, const char *func,
                  int err, const char *fmt, va_list ap)
        __attribute__((format(printf, 6, 0)));

void log_writef(enum log_prio prio, const char *func, int err, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
__attribute__((noreturn)) void log_fatalf(const char *func, int err,
                                          const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_writef(LOG_PRIO_DEBUG, __func__, 0, __VA_ARGS__)
#define log_info(...)  log_writef(LOG_PRIO_INFO, __func__, 0, __VA_ARGS__)
#define log_warn(...)  log_writef(LOG_PRIO_WARNING, __func__, errno, __VA_ARGS__)
#define log_warnx(...) log_writef(LOG_PRIO_WARNING, __func__, 0, __VA_ARGS__)
#define log_error(...) log_writef(LOG_PRIO_ERR, __func__, 0, __VA_ARGS__)
#define fatal(...)     log_fatalf(__func__, errno, __VA_ARGS__)
#define fatalx(...)    log_fatalf(__func__, 0, __VA_ARGS__)

#endif
