/*
 * test_sandbox_map: the pure parts of the sandbox: which Landlock
 * accesses a directory grant gets from its CloudABI rights, which
 * accesses each ABI handles, option parsing and the missing-layer
 * verdict.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/landlock.h>

#include "sandbox.h"

#define R(x)         CLOUDABI_RIGHT_##x
#define LL(x)        LANDLOCK_ACCESS_FS_##x
#define LL_TRUNCATE  (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)

/* Every access the sandbox never grants beneath a directory. */
#define LL_NEVER (LL(EXECUTE) | LL(MAKE_CHAR) | LL(MAKE_BLOCK) | LL_IOCTL_DEV)

static uint64_t all7(cloudabi_rights_t base, cloudabi_rights_t inh)
{
	return sandbox_landlock_dir_access(base, inh,
	                                   sandbox_landlock_fs_handled(7));
}

/* A read-only grant reads and lists, nothing more. */
static void test_read_only(void **state)
{
	cloudabi_rights_t ro = R(FD_READ) | R(FILE_READDIR) | R(FILE_OPEN) |
	                       R(FD_SEEK) | R(FILE_STAT_GET) |
	                       R(FILE_STAT_FGET) | R(FILE_READLINK);

	assert_int_equal(all7(ro, ro), LL(READ_FILE) | LL(READ_DIR));
}

/* Each change right maps to the matching access. */
static void test_each_right(void **state)
{
	assert_int_equal(all7(R(FILE_CREATE_FILE), 0), LL(MAKE_REG));
	assert_int_equal(all7(R(FILE_CREATE_DIRECTORY), 0), LL(MAKE_DIR));
	assert_int_equal(all7(R(FILE_SYMLINK), 0), LL(MAKE_SYM));
	assert_int_equal(all7(R(FILE_UNLINK), 0),
	                 LL(REMOVE_FILE) | LL(REMOVE_DIR));
	assert_int_equal(all7(0, R(FD_WRITE)), LL(WRITE_FILE));
	assert_int_equal(all7(R(FILE_STAT_FPUT_SIZE), 0), LL_TRUNCATE);
	assert_int_equal(all7(R(FILE_LINK_SOURCE), 0), LL(REFER));
	assert_true(all7(R(FILE_RENAME_TARGET), 0) & LL(REFER));
	assert_true(all7(R(FILE_RENAME_TARGET), 0) & LL(MAKE_REG));
	assert_true(all7(R(FILE_RENAME_SOURCE), 0) & LL(REMOVE_FILE));
	assert_int_equal(all7(0, 0), 0);
}

/* Even every right together never executes, makes devices or ioctls. */
static void test_never(void **state)
{
	uint64_t a = all7(~(cloudabi_rights_t)0, ~(cloudabi_rights_t)0);

	assert_int_equal(a & LL_NEVER, 0);
	assert_true(a & LL(WRITE_FILE));
	assert_true(a & LL(MAKE_REG));
}

/* Older ABIs handle fewer accesses, and grants stay within them. */
static void test_handled_per_abi(void **state)
{
	uint64_t full = ~(uint64_t)0;

	assert_int_equal(sandbox_landlock_fs_handled(0), 0);
	assert_int_equal(sandbox_landlock_fs_handled(1) & LL(REFER), 0);
	assert_true(sandbox_landlock_fs_handled(2) & LL(REFER));
	assert_int_equal(sandbox_landlock_fs_handled(2) & LL_TRUNCATE, 0);
	assert_true(sandbox_landlock_fs_handled(3) & LL_TRUNCATE);
	assert_int_equal(sandbox_landlock_fs_handled(4) & LL_IOCTL_DEV, 0);
	assert_true(sandbox_landlock_fs_handled(5) & LL_IOCTL_DEV);
	assert_int_equal(sandbox_landlock_dir_access(
	                         full, full, sandbox_landlock_fs_handled(1)) &
	                         (LL(REFER) | LL_TRUNCATE),
	                 0);
}

/* Limits: numbers and "unlimited"; anything else is refused. */
static void test_limits(void **state)
{
	struct sandbox_opts o;
	char err[128];

	memset(&o, 0, sizeof(o));
	assert_int_equal(sandbox_opts_limit(&o, SANDBOX_LIMIT_NOFILE, "64", err,
	                                    sizeof(err)),
	                 0);
	assert_true(o.has_limit[SANDBOX_LIMIT_NOFILE]);
	assert_int_equal(o.limit[SANDBOX_LIMIT_NOFILE], 64);
	assert_int_equal(sandbox_opts_limit(&o, SANDBOX_LIMIT_AS, "unlimited",
	                                    err, sizeof(err)),
	                 0);
	assert_true(o.limit[SANDBOX_LIMIT_AS] == RLIM_INFINITY);
	assert_int_equal(sandbox_opts_limit(&o, SANDBOX_LIMIT_NPROC, "-1", err,
	                                    sizeof(err)),
	                 -EINVAL);
	assert_int_equal(sandbox_opts_limit(&o, SANDBOX_LIMIT_NPROC, "12x", err,
	                                    sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "--limit-nproc"));
	assert_false(o.has_limit[SANDBOX_LIMIT_NPROC]);
}

/* Users and groups: numbers, names, unknown names. */
static void test_ids(void **state)
{
	struct sandbox_opts o;
	char err[128];

	memset(&o, 0, sizeof(o));
	assert_int_equal(sandbox_opts_user(&o, "0", false, err, sizeof(err)),
	                 0);
	assert_int_equal(o.uid, 0);
	assert_int_equal(o.gid, 0); /* root's own group */
	assert_true(o.set_ids);
	assert_int_equal(sandbox_opts_group(&o, "4321", err, sizeof(err)), 0);
	assert_int_equal(o.gid, 4321);
	assert_int_equal(sandbox_opts_user(&o, "no-such-user-xyz", true, err,
	                                   sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "no-such-user-xyz"));
	assert_int_equal(
	        sandbox_opts_group(&o, "no-such-group-xyz", err, sizeof(err)),
	        -EINVAL);
	assert_int_equal(
	        sandbox_opts_user(&o, "123456", false, err, sizeof(err)),
	        -EINVAL); /* no account: its group is unknown */
}

/* Defaults: core dumps off; as root, an unprivileged account. */
static void test_defaults(void **state)
{
	struct sandbox_opts o;

	assert_int_equal(sandbox_opts_default(&o), 0);
	assert_true(o.has_limit[SANDBOX_LIMIT_CORE]);
	assert_int_equal(o.limit[SANDBOX_LIMIT_CORE], 0);
	assert_false(o.has_limit[SANDBOX_LIMIT_NOFILE]);
	assert_false(o.insecure);
	if (geteuid() == 0) {
		assert_true(o.set_ids);
		assert_int_not_equal(o.uid, 0);
		assert_int_not_equal(o.gid, 0);
	} else {
		assert_false(o.set_ids);
	}
}

/* The verdict names each missing layer. */
static void test_missing(void **state)
{
	struct sandbox_probe p = {.landlock_abi = 7, .seccomp = true};
	char buf[256];

	assert_int_equal(sandbox_missing(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	p.landlock_abi = 5;
	assert_int_equal(sandbox_missing(&p, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "scopes"));
	p.landlock_abi = 3;
	assert_int_equal(sandbox_missing(&p, buf, sizeof(buf)), 2);
	assert_non_null(strstr(buf, "TCP"));
	p.landlock_abi = 0;
	p.seccomp = false;
	assert_int_equal(sandbox_missing(&p, buf, sizeof(buf)), 2);
	assert_non_null(strstr(buf, "Landlock"));
	assert_non_null(strstr(buf, "seccomp"));
}

/* The test-only variable takes layers away, never adds them. */
static void test_simulate(void **state)
{
	struct sandbox_probe p;
	char buf[256];

	setenv(SANDBOX_SIMULATE_ENV, "seccomp,landlock-scope", 1);
	sandbox_probe(&p);
	assert_false(p.seccomp);
	assert_true(p.sim_scope);
	assert_true(p.simulated);
	assert_true(sandbox_missing(&p, buf, sizeof(buf)) >= 2);
	assert_non_null(strstr(buf, "seccomp"));
	unsetenv(SANDBOX_SIMULATE_ENV);
	sandbox_probe(&p);
	assert_false(p.simulated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_read_only),
	        cmocka_unit_test(test_each_right),
	        cmocka_unit_test(test_never),
	        cmocka_unit_test(test_handled_per_abi),
	        cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_ids),
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_missing),
	        cmocka_unit_test(test_simulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
