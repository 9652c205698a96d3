/*
 * Tests of runtime/rights.c: names, defaults per filetype and access mode,
 * presets that only narrow, and narrowing that refuses to widen.
 */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cloudabi_types.h"
#include "rights.h"

/* Every name maps to one bit and back; unknown names are refused. */
static void test_names(void **state)
{
	uint64_t bit, all = 0;
	int n = 0;

	assert_int_equal(rights_from_name("fd_read", &bit), 0);
	assert_int_equal(bit, CLOUDABI_RIGHT_FD_READ);
	assert_int_equal(rights_from_name("sock_shutdown", &bit), 0);
	assert_int_equal(bit, CLOUDABI_RIGHT_SOCK_SHUTDOWN);
	assert_int_equal(rights_from_name("fd_flurb", &bit), -ENOENT);
	assert_int_equal(rights_from_name("FD_READ", &bit), -ENOENT);
	for (int i = 0; i < 64; i++) {
		const char *name = rights_name(UINT64_C(1) << i);
		if (name == NULL)
			continue;
		assert_int_equal(rights_from_name(name, &bit), 0);
		assert_int_equal(bit, UINT64_C(1) << i);
		all |= bit;
		n++;
	}
	/* cloudabi.txt defines 31 rights. */
	assert_int_equal(n, 31);
	assert_true(all & CLOUDABI_RIGHT_PROC_EXEC);
	assert_null(
	        rights_name(CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FD_WRITE));
	assert_null(rights_name(0));
	assert_string_equal(rights_filetype_name(CLOUDABI_FILETYPE_DIRECTORY),
	                    "directory");
	assert_string_equal(rights_filetype_name(0x99), "unknown");
}

/* Defaults: read-only files, writable trees, sockets. */
static void test_defaults(void **state)
{
	struct rights r;

	assert_int_equal(
	        rights_default(CLOUDABI_FILETYPE_REGULAR_FILE, RIGHTS_READ, &r),
	        0);
	assert_true(r.base & CLOUDABI_RIGHT_FD_READ);
	assert_true(r.base & CLOUDABI_RIGHT_FD_SEEK);
	assert_true(r.base & CLOUDABI_RIGHT_MEM_MAP);
	assert_false(r.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_false(r.base & CLOUDABI_RIGHT_FILE_STAT_FPUT_SIZE);
	assert_int_equal(r.inheriting, 0);

	assert_int_equal(rights_default(CLOUDABI_FILETYPE_REGULAR_FILE,
	                                RIGHTS_READWRITE, &r),
	                 0);
	assert_true(r.base & CLOUDABI_RIGHT_FD_READ);
	assert_true(r.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_true(r.base & CLOUDABI_RIGHT_FILE_STAT_FPUT_SIZE);

	assert_int_equal(rights_default(CLOUDABI_FILETYPE_REGULAR_FILE,
	                                RIGHTS_APPEND, &r),
	                 0);
	assert_true(r.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_false(r.base & CLOUDABI_RIGHT_FD_SEEK);
	assert_false(r.base & CLOUDABI_RIGHT_FD_READ);
	assert_false(r.base & CLOUDABI_RIGHT_FD_STAT_PUT_FLAGS);

	/* A directory is a writable tree whatever the access mode. */
	assert_int_equal(
	        rights_default(CLOUDABI_FILETYPE_DIRECTORY, RIGHTS_READ, &r),
	        0);
	assert_true(r.base & CLOUDABI_RIGHT_FILE_OPEN);
	assert_true(r.base & CLOUDABI_RIGHT_FILE_CREATE_DIRECTORY);
	assert_true(r.base & CLOUDABI_RIGHT_FILE_UNLINK);
	assert_false(r.base & CLOUDABI_RIGHT_FD_READ);
	assert_true(r.inheriting & CLOUDABI_RIGHT_FD_READ);
	assert_true(r.inheriting & CLOUDABI_RIGHT_FD_WRITE);
	assert_true(r.inheriting & CLOUDABI_RIGHT_FILE_OPEN);

	assert_int_equal(rights_default(CLOUDABI_FILETYPE_SOCKET_STREAM,
	                                RIGHTS_READWRITE, &r),
	                 0);
	assert_int_equal(r.base, CLOUDABI_RIGHT_FD_READ |
	                                 CLOUDABI_RIGHT_FD_WRITE |
	                                 CLOUDABI_RIGHT_FD_STAT_PUT_FLAGS |
	                                 CLOUDABI_RIGHT_FILE_STAT_FGET |
	                                 CLOUDABI_RIGHT_POLL_FD_READWRITE |
	                                 CLOUDABI_RIGHT_SOCK_SHUTDOWN);
	/* A socket narrows nothing it delivers: sockets, files and
	 * directories passed over it keep their own defaults. */
	assert_int_equal(r.inheriting & r.base, r.base);
	assert_true(r.inheriting & CLOUDABI_RIGHT_FILE_OPEN);
	assert_true(r.inheriting & CLOUDABI_RIGHT_FD_SEEK);
	assert_true(r.inheriting & CLOUDABI_RIGHT_MEM_MAP);
	uint64_t stream_inheriting = r.inheriting;
	assert_int_equal(rights_default(CLOUDABI_FILETYPE_SOCKET_DGRAM,
	                                RIGHTS_READWRITE, &r),
	                 0);
	assert_int_equal(r.inheriting, stream_inheriting);

	assert_int_equal(
	        rights_default(CLOUDABI_FILETYPE_PROCESS, RIGHTS_READ, &r), 0);
	assert_int_equal(r.base, CLOUDABI_RIGHT_FILE_STAT_FGET |
	                                 CLOUDABI_RIGHT_POLL_PROC_TERMINATE);
	assert_int_equal(rights_default(CLOUDABI_FILETYPE_CHARACTER_DEVICE,
	                                RIGHTS_WRITE, &r),
	                 0);
	assert_true(r.base & CLOUDABI_RIGHT_FD_WRITE);
	assert_false(r.base & CLOUDABI_RIGHT_FD_READ);
	assert_false(r.base & CLOUDABI_RIGHT_FD_SEEK);
	assert_int_equal(rights_default(CLOUDABI_FILETYPE_SYMBOLIC_LINK,
	                                RIGHTS_READ, &r),
	                 -EINVAL);
}

/* Presets and lists never add a right. */
static void test_narrowing(void **state)
{
	struct rights r, before;
	enum rights_preset p;
	uint64_t bad = 0;

	rights_default(CLOUDABI_FILETYPE_DIRECTORY, RIGHTS_READ, &before);
	assert_int_equal(rights_preset_from_name("read-only", &p), 0);
	assert_int_equal(p, RIGHTS_PRESET_READ_ONLY);
	assert_int_equal(rights_preset_from_name("everything", &p), -ENOENT);
	assert_string_equal(rights_preset_name(RIGHTS_PRESET_NO_EXEC),
	                    "no-exec");
	for (p = RIGHTS_PRESET_READ_ONLY; p <= RIGHTS_PRESET_NO_EXEC; p++) {
		r = before;
		rights_apply_preset(&r, p);
		assert_int_equal(r.base & ~before.base, 0);
		assert_int_equal(r.inheriting & ~before.inheriting, 0);
	}
	r = before;
	rights_apply_preset(&r, RIGHTS_PRESET_READ_ONLY);
	assert_false(r.base & CLOUDABI_RIGHT_FILE_UNLINK);
	assert_false(r.inheriting & CLOUDABI_RIGHT_FD_WRITE);
	assert_true(r.base & CLOUDABI_RIGHT_FILE_READDIR);
	r = before;
	rights_apply_preset(&r, RIGHTS_PRESET_READ_WRITE);
	assert_memory_equal(&r, &before, sizeof(r));
	r = before;
	rights_apply_preset(&r, RIGHTS_PRESET_NO_EXEC);
	assert_false(r.inheriting & CLOUDABI_RIGHT_PROC_EXEC);
	assert_false(r.inheriting & CLOUDABI_RIGHT_MEM_MAP_EXEC);

	r = before;
	assert_int_equal(
	        rights_narrow(&r,
	                      CLOUDABI_RIGHT_FILE_OPEN |
	                              CLOUDABI_RIGHT_POLL_PROC_TERMINATE |
	                              CLOUDABI_RIGHT_SOCK_SHUTDOWN,
	                      &bad),
	        -EPERM);
	assert_int_equal(bad, CLOUDABI_RIGHT_POLL_PROC_TERMINATE);
	assert_memory_equal(&r, &before, sizeof(r));
	assert_int_equal(
	        rights_narrow(&r,
	                      CLOUDABI_RIGHT_FILE_OPEN | CLOUDABI_RIGHT_FD_READ,
	                      &bad),
	        0);
	assert_int_equal(r.base, CLOUDABI_RIGHT_FILE_OPEN);
	assert_int_equal(r.inheriting,
	                 CLOUDABI_RIGHT_FILE_OPEN | CLOUDABI_RIGHT_FD_READ);
}

/* Formatting: names in bit order, "none", truncation like snprintf. */
static void test_format(void **state)
{
	char buf[64];

	assert_int_equal(rights_format(0, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "none");
	assert_int_equal(
	        rights_format(CLOUDABI_RIGHT_FD_WRITE | CLOUDABI_RIGHT_FD_READ,
	                      buf, sizeof(buf)),
	        16);
	assert_string_equal(buf, "fd_read,fd_write");
	assert_int_equal(
	        rights_format(CLOUDABI_RIGHT_FD_WRITE | CLOUDABI_RIGHT_FD_READ,
	                      buf, 5),
	        16);
	assert_string_equal(buf, "fd_r");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_narrowing),
	        cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
