/* log: priority-prefixed log lines to stderr or a reopenable file. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1; /* -1: stderr */
static char *log_path;  /* owned copy, NULL with stderr */
static bool log_verbose;

/* Opens path for appending, close-on-exec so services never inherit it. */
static int log_open_fd(const char *path)
{
	int fd =
	        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	             0640);

	return fd < 0 ? -errno : fd;
}

int log_open(const char *path)
{
	char *copy = NULL;
	int fd = -1;

	if (path != NULL) {
		if ((copy = strdup(path)) == NULL)
			return -ENOMEM;
		if ((fd = log_open_fd(path)) < 0) {
			free(copy);
			return fd;
		}
	}
	log_close();
	log_fd = fd;
	log_path = copy;
	return 0;
}

int log_reopen(void)
{
	int fd;

	if (log_path == NULL)
		return 0;
	/* Keep the old file if the new one cannot be opened: lose nothing. */
	if ((fd = log_open_fd(log_path)) < 0)
		return fd;
	close(log_fd);
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	free(log_path);
	log_path = NULL;
}

void log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

size_t log_format(char *out, size_t outsz, enum log_prio prio, const char *func,
                  int err, const char *fmt, va_list ap)
{
	size_t len = 0;
	int n;

	if (outsz < 2) {
		if (outsz == 1)
			out[0] = '\0';
		return 0;
	}
	n = snprintf(out, outsz, "<%d>%s: ", (int)prio, func);
	if (n > 0)
		len = (size_t)n < outsz ? (size_t)n : outsz - 1;
	n = vsnprintf(out + len, outsz - len, fmt, ap);
	if (n > 0)
		len = len + (size_t)n < outsz ? len + (size_t)n : outsz - 1;
	if (err != 0) {
		n = snprintf(out + len, outsz - len, ": %s", strerror(err));
		if (n > 0)
			len = len + (size_t)n < outsz ? len + (size_t)n
			                              : outsz - 1;
	}
	/* One record per line: journald would split embedded newlines. */
	for (size_t i = 0; i < len; i++)
		if (out[i] == '\n' || out[i] == '\r')
			out[i] = ' ';
	if (len > outsz - 2)
		len = outsz - 2;
	out[len++] = '\n';
	out[len] = '\0';
	return len;
}

/* Writes a formatted line in one write(2); a failure has nowhere to go. */
static void log_vwrite(enum log_prio prio, const char *func, int err,
                       const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len = log_format(line, sizeof(line), prio, func, err, fmt, ap);
	ssize_t n;

	do
		n = write(log_fd >= 0 ? log_fd : STDERR_FILENO, line, len);
	while (n < 0 && errno == EINTR);
}

void log_writef(enum log_prio prio, const char *func, int err, const char *fmt,
                ...)
{
	int saved = errno;
	va_list ap;

	if (prio == LOG_PRIO_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(prio, func, err, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_fatalf(const char *func, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_PRIO_CRIT, func, err, fmt, ap);
	va_end(ap);
	exit(1);
}
