/*
 * test_logs: the log ring (tail by lines, wrap-around, truncation) and
 * the rotated files of daemon/logs.c, on a temporary directory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "logs.h"

struct collect {
	char buf[4096];
	size_t len;
	int pieces;
	bool truncated;
	uint64_t first_offset;
};

static char test_dir[] = "/tmp/test_logs.XXXXXX";

/* Appends each piece to a struct collect. */
static void collect_piece(const void *data, size_t len, uint64_t offset,
                          bool truncated, void *ctx)
{
	struct collect *c = ctx;

	if (c->pieces++ == 0) {
		c->truncated = truncated;
		c->first_offset = offset;
	}
	assert_true(c->len + len <= sizeof(c->buf));
	memcpy(c->buf + c->len, data, len);
	c->len += len;
}

/* Opens logs named name in the test directory. */
static struct logs *open_logs(const char *name, size_t ring, size_t file,
                              unsigned files)
{
	struct logs_config cfg = {test_dir, name, ring, file, files};
	struct logs *l = NULL;

	assert_int_equal(logs_open(&cfg, &l), 0);
	return l;
}

/* Size of the file dir/rel, or -1. */
static long file_size(const char *rel)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", test_dir, rel);
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_ring_tail(void **state)
{
	struct logs *l = open_logs("tail", LOGS_RING_MIN, 1 << 20, 2);
	struct collect c = {0};
	char line[16];

	/* 100 lines of 8 bytes: the 256-byte ring holds the last 32. */
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "line%03d\n", i);
		assert_int_equal(logs_append(l, line, 8), 0);
	}
	assert_int_equal(logs_offset(l), 800);
	logs_tail(l, 3, collect_piece, &c);
	assert_int_equal(c.len, 24);
	assert_memory_equal(c.buf, "line097\nline098\nline099\n", 24);
	assert_false(c.truncated);
	assert_int_equal(c.first_offset, 776);

	memset(&c, 0, sizeof(c));
	logs_tail(l, 0, collect_piece, &c);
	assert_int_equal(c.len, 256);
	assert_true(c.truncated);
	assert_int_equal(c.first_offset, 800 - 256);
	/* The ring wrapped: two pieces, still in stream order. */
	assert_int_equal(c.pieces, 2);
	assert_memory_equal(c.buf, "line068\n", 8);

	/* More lines than held: everything, flagged truncated. */
	memset(&c, 0, sizeof(c));
	logs_tail(l, 1000, collect_piece, &c);
	assert_int_equal(c.len, 256);
	assert_true(c.truncated);
	logs_close(l);
}

static void test_partial_line(void **state)
{
	struct logs *l = open_logs("partial", 1024, 1 << 20, 1);
	struct collect c = {0};

	assert_int_equal(logs_append(l, "a\nbb\nccc", 8), 0);
	logs_tail(l, 1, collect_piece, &c);
	assert_int_equal(c.len, 3);
	assert_memory_equal(c.buf, "ccc", 3);
	memset(&c, 0, sizeof(c));
	logs_tail(l, 2, collect_piece, &c);
	assert_int_equal(c.len, 6);
	assert_memory_equal(c.buf, "bb\nccc", 6);
	logs_close(l);
}

static void test_rotation(void **state)
{
	struct logs *l = open_logs("rot", 1024, 100, 3);
	char chunk[30];

	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 10; i++)
		assert_int_equal(logs_append(l, chunk, sizeof(chunk)), 0);
	/* 300 bytes in files of at most 100: .log, .1, .2, and no .3. */
	assert_true(file_size("rot.log") > 0 && file_size("rot.log") <= 100);
	assert_int_equal(file_size("rot.log.1"), 90);
	assert_int_equal(file_size("rot.log.2"), 90);
	assert_int_equal(file_size("rot.log.3"), -1);
	assert_int_equal(file_size("rot.log"), 30);
	logs_close(l);
	logs_unlink(test_dir, "rot", 3);
	assert_int_equal(file_size("rot.log"), -1);
	assert_int_equal(file_size("rot.log.1"), -1);
}

static void test_reopen(void **state)
{
	struct logs *l = open_logs("re", 1024, 1 << 20, 2);
	char from[512], to[512];

	assert_int_equal(logs_append(l, "old\n", 4), 0);
	snprintf(from, sizeof(from), "%s/re.log", test_dir);
	snprintf(to, sizeof(to), "%s/re.moved", test_dir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(logs_reopen(l), 0);
	assert_int_equal(logs_append(l, "new!!\n", 6), 0);
	assert_int_equal(file_size("re.log"), 6);
	assert_int_equal(file_size("re.moved"), 4);
	logs_close(l);
}

static void test_bad_config(void **state)
{
	struct logs_config cfg = {test_dir, "../escape", 1024, 100, 2};
	struct logs *l = NULL;

	assert_int_equal(logs_open(&cfg, &l), -EINVAL);
	cfg.name = "ok";
	cfg.ring_bytes = 1;
	assert_int_equal(logs_open(&cfg, &l), -EINVAL);
	cfg.ring_bytes = 1024;
	cfg.files = LOGS_FILES_MAX + 1;
	assert_int_equal(logs_open(&cfg, &l), -EINVAL);
	assert_null(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ring_tail),
	        cmocka_unit_test(test_partial_line),
	        cmocka_unit_test(test_rotation),
	        cmocka_unit_test(test_reopen),
	        cmocka_unit_test(test_bad_config),
	};
	int rc;

	if (mkdtemp(test_dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* Best effort: the files of the tests that passed. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
