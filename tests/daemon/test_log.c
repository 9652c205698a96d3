/* log: priority prefixes, error text, one line per record, reopening. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* Formats through log_format with varargs. */
static size_t fmt(char *out, size_t outsz, enum log_prio prio, int err,
                  const char *f, ...) __attribute__((format(printf, 5, 6)));
static size_t fmt(char *out, size_t outsz, enum log_prio prio, int err,
                  const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = log_format(out, outsz, prio, "somefunc", err, f, ap);
	va_end(ap);
	return n;
}

static void test_prefixes(void **state)
{
	char line[128];

	assert_int_equal(fmt(line, sizeof(line), LOG_PRIO_INFO, 0, "x=%d", 5),
	                 strlen("<6>somefunc: x=5\n"));
	assert_string_equal(line, "<6>somefunc: x=5\n");
	fmt(line, sizeof(line), LOG_PRIO_WARNING, ENOENT, "open %s", "/a");
	assert_string_equal(
	        line, "<4>somefunc: open /a: No such file or directory\n");
	fmt(line, sizeof(line), LOG_PRIO_ERR, 0, "e");
	assert_string_equal(line, "<3>somefunc: e\n");
	fmt(line, sizeof(line), LOG_PRIO_CRIT, 0, "c");
	assert_string_equal(line, "<2>somefunc: c\n");
	fmt(line, sizeof(line), LOG_PRIO_DEBUG, 0, "d");
	assert_string_equal(line, "<7>somefunc: d\n");
}

/* Newlines inside a message would start a journald record without prio. */
static void test_one_line(void **state)
{
	char line[128];

	fmt(line, sizeof(line), LOG_PRIO_INFO, 0, "a\nb\rc");
	assert_string_equal(line, "<6>somefunc: a b c\n");
}

/* A long message is cut but still ends with its newline. */
static void test_truncated(void **state)
{
	char big[400], line[64];
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = fmt(line, sizeof(line), LOG_PRIO_INFO, EIO, "%s", big);
	assert_int_equal(n, sizeof(line) - 1);
	assert_int_equal(strlen(line), n);
	assert_int_equal(line[n - 1], '\n');
	assert_memory_equal(line, "<6>somefunc: xxx", 16);
	assert_int_equal(fmt(line, 1, LOG_PRIO_INFO, 0, "x"), 0);
	assert_int_equal(line[0], '\0');
	assert_int_equal(fmt(line, 2, LOG_PRIO_INFO, 0, "x"), 1);
	assert_string_equal(line, "\n");
}

/* Reads a whole small file into buf. */
static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* log_open appends to a file; after a rename, log_reopen starts anew. */
static void test_file_and_reopen(void **state)
{
	char dir[] = "/tmp/cloudabid-log-XXXXXX", path[128], moved[128];
	char buf[512];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d.log", dir);
	snprintf(moved, sizeof(moved), "%s/d.log.1", dir);
	assert_int_equal(log_open(path), 0);
	errno = EACCES;
	log_warn("first %d", 1);
	assert_int_equal(errno, EACCES); /* logging keeps errno */
	log_debug("hidden");
	log_set_verbose(true);
	log_debug("shown");
	log_set_verbose(false);
	assert_int_equal(rename(path, moved), 0);
	log_info("still old");
	assert_int_equal(log_reopen(), 0);
	log_warnx("second");
	log_close();
	slurp(moved, buf, sizeof(buf));
	assert_string_equal(
	        buf, "<4>test_file_and_reopen: first 1: Permission denied\n"
	             "<7>test_file_and_reopen: shown\n"
	             "<6>test_file_and_reopen: still old\n");
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "<4>test_file_and_reopen: second\n");
	/* A path that cannot be opened leaves the destination as it was. */
	assert_int_equal(log_open("/nonexistent-dir/x.log"), -ENOENT);
	unlink(path);
	unlink(moved);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_prefixes),
	        cmocka_unit_test(test_one_line),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_file_and_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
