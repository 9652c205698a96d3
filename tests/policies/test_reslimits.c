/* Unit tests of policies/limits: size parsing and bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reslimits.h"

/* Plain numbers and every suffix form. */
static void test_parse_sizes(void **unused)
{
	uint64_t v;

	assert_int_equal(reslimits_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(reslimits_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(reslimits_parse_size("12B", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(reslimits_parse_size("64K", &v), 0);
	assert_int_equal(v, 64 << 10);
	assert_int_equal(reslimits_parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64 << 20);
	assert_int_equal(reslimits_parse_size("2GB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(reslimits_parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(reslimits_parse_size("18446744073709551615", &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

/* Text that is not a size, and sizes that overflow. */
static void test_parse_errors(void **unused)
{
	static const char *const bad[] = {"",    "M",    "-1",    " 1",
	                                  "1 M", "1m",   "1MiBB", "1Mi",
	                                  "1P",  "0x10", "1.5G"};
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reslimits_parse_size(bad[i], &v) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(v, 7);
	assert_int_equal(reslimits_parse_size("18446744073709551616", &v),
	                 -ERANGE);
	assert_int_equal(reslimits_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(reslimits_parse_size("16777215T", &v), 0);
}

/* Zero means unlimited; out-of-range fields are named. */
static void test_check(void **unused)
{
	struct reslimits l = {0};
	char err[96];

	assert_int_equal(reslimits_check(&l, err, sizeof(err)), 0);
	l.memory = RESLIMITS_MEMORY_MIN;
	l.open_files = 1024;
	l.processes = 1;
	assert_int_equal(reslimits_check(&l, err, sizeof(err)), 0);
	l.memory = RESLIMITS_MEMORY_MIN - 1;
	assert_int_equal(reslimits_check(&l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "memory"));
	l.memory = 0;
	l.open_files = RESLIMITS_FILES_MAX + 1;
	assert_int_equal(reslimits_check(&l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "open files"));
	l.open_files = 0;
	l.processes = RESLIMITS_PROCESSES_MAX + 1;
	assert_int_equal(reslimits_check(&l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "processes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_sizes),
	        cmocka_unit_test(test_parse_errors),
	        cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
