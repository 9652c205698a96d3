/*
 * test_layout.c: spot checks of the generated ABI headers against facts
 * known from real CloudABI binaries (sizes, offsets, constants), of the
 * syscall tables, and of the SDK bindings in cloudabi_sdk_calls.c (linked
 * into this test for the host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cloudabi_syscall_info.h"
#include "cloudabi_syscall_names.h"
#include "cloudabi_syscalls.h"
#include "cloudabi_types.h"

/* Struct sizes and offsets that the runtime's ABI depends on. */
static void test_struct_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(cloudabi_event_t), 32);
	assert_int_equal(offsetof(cloudabi_event_t, error), 8);
	assert_int_equal(offsetof(cloudabi_event_t, type), 10);
	assert_int_equal(offsetof(cloudabi_event_t, fd_readwrite.nbytes), 16);
	assert_int_equal(offsetof(cloudabi_event_t, fd_readwrite.flags), 28);
	assert_int_equal(offsetof(cloudabi_event_t, proc_terminate.signal), 20);
	assert_int_equal(offsetof(cloudabi_event_t, proc_terminate.exitcode),
	                 24);
	assert_int_equal(sizeof(cloudabi_subscription_t), 56);
	assert_int_equal(offsetof(cloudabi_subscription_t, type), 10);
	assert_int_equal(offsetof(cloudabi_subscription_t, clock.clock_id), 24);
	assert_int_equal(offsetof(cloudabi_subscription_t, clock.timeout), 32);
	assert_int_equal(offsetof(cloudabi_subscription_t, clock.flags), 48);
	assert_int_equal(offsetof(cloudabi_subscription_t, condvar.lock), 24);
	assert_int_equal(offsetof(cloudabi_subscription_t, condvar.lock_scope),
	                 33);
	assert_int_equal(offsetof(cloudabi_subscription_t, proc_terminate.fd),
	                 16);
	assert_int_equal(sizeof(cloudabi_auxv_t), 16);
	assert_int_equal(offsetof(cloudabi_auxv_t, a_val), 8);
	assert_int_equal(offsetof(cloudabi_auxv_t, a_ptr), 8);
	assert_int_equal(sizeof(cloudabi_fdstat_t), 24);
	assert_int_equal(offsetof(cloudabi_fdstat_t, fs_flags), 2);
	assert_int_equal(offsetof(cloudabi_fdstat_t, fs_rights_base), 8);
	assert_int_equal(sizeof(cloudabi_filestat_t), 56);
	assert_int_equal(offsetof(cloudabi_filestat_t, st_nlink), 20);
	assert_int_equal(offsetof(cloudabi_filestat_t, st_ctim), 48);
	assert_int_equal(sizeof(cloudabi_recv_out_t), 64);
	assert_int_equal(offsetof(cloudabi_recv_out_t, ro_flags), 56);
	assert_int_equal(sizeof(cloudabi_lookup_t), 8);
	assert_int_equal(sizeof(cloudabi_ciovec_t), 16);
	assert_int_equal(offsetof(cloudabi_ciovec_t, buf_len), 8);
	assert_int_equal(sizeof(cloudabi_dirent_t), 24);
	assert_int_equal(sizeof(cloudabi_threadattr_t), 32);
	assert_int_equal(sizeof(cloudabi_recv_in_t), 40);
}

/* Integer types have the widths of the ABI. */
static void test_int_types(void **state)
{
	(void)state;
	assert_int_equal(sizeof(cloudabi_errno_t), 2);
	assert_int_equal(sizeof(cloudabi_rights_t), 8);
	assert_int_equal(sizeof(cloudabi_fd_t), 4);
	assert_int_equal(sizeof(cloudabi_signal_t), 1);
	assert_true((cloudabi_filedelta_t)-1 < 0);
	assert_true((cloudabi_filesize_t)-1 > 0);
}

/* Constants, including @cprefix and an empty prefix. */
static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(CLOUDABI_ENOTCAPABLE, 76);
	assert_int_equal(CLOUDABI_ENOSYS, 52);
	assert_int_equal(CLOUDABI_E2BIG, 1);
	assert_int_equal(CLOUDABI_AT_SYSINFO_EHDR, 262);
	assert_int_equal(CLOUDABI_AT_BASE, 7);
	assert_true(CLOUDABI_RIGHT_SOCK_SHUTDOWN == 0x8000000000ULL);
	assert_true(CLOUDABI_RIGHT_FD_READ == 2);
	assert_true(CLOUDABI_RIGHT_POLL_PROC_TERMINATE == 0x40000000);
	assert_true(CLOUDABI_PROCESS_CHILD == 0xffffffffU);
	assert_true(CLOUDABI_MAP_ANON_FD == 0xffffffffU);
	assert_int_equal(CLOUDABI_FILETYPE_PROCESS, 0x50);
	assert_int_equal(CLOUDABI_FILETYPE_DIRECTORY, 0x20);
	assert_int_equal(CLOUDABI_EVENTTYPE_CLOCK, 1);
	assert_int_equal(CLOUDABI_EVENTTYPE_PROC_TERMINATE, 7);
	assert_int_equal(CLOUDABI_LOCK_WRLOCKED, 0x40000000);
	assert_true(CLOUDABI_LOCK_KERNEL_MANAGED == 0x80000000U);
	assert_int_equal(CLOUDABI_SIGKILL, 10);
	assert_int_equal(CLOUDABI_SOCK_RECV_DATA_TRUNCATED, 8);
	assert_int_equal(CLOUDABI_CLOCK_MONOTONIC, 1);
	assert_int_equal(CLOUDABI_WHENCE_SET, 3);
}

/* The name table and numbers follow the file's syscall order. */
static void test_names(void **state)
{
	(void)state;
	assert_int_equal(CLOUDABI_SYSCALL_COUNT, 49);
	assert_int_equal(CLOUDABI_SYS_CLOCK_RES_GET, 0);
	assert_int_equal(CLOUDABI_SYS_THREAD_YIELD, 48);
	assert_string_equal(cloudabi_syscall_names[0], "clock_res_get");
	assert_string_equal(cloudabi_syscall_names[CLOUDABI_SYS_FD_WRITE],
	                    "fd_write");
	assert_string_equal(cloudabi_syscall_names[CLOUDABI_SYS_MEM_MAP],
	                    "mem_map");
	assert_string_equal(cloudabi_syscall_names[48], "thread_yield");
}

/* The tracer table describes every C-level argument. */
static void test_info(void **state)
{
	const struct cloudabi_syscall_info *w =
	        &cloudabi_syscall_info[CLOUDABI_SYS_FD_WRITE];
	const struct cloudabi_syscall_info *m =
	        &cloudabi_syscall_info[CLOUDABI_SYS_MEM_MAP];
	const struct cloudabi_syscall_info *o =
	        &cloudabi_syscall_info[CLOUDABI_SYS_FILE_OPEN];

	(void)state;
	assert_string_equal(w->name, "fd_write");
	assert_int_equal(w->nargs, 4);
	assert_int_equal(w->args[0].kind, CLOUDABI_ARG_FD);
	assert_int_equal(w->args[1].kind, CLOUDABI_ARG_BUF);
	assert_string_equal(w->args[1].type, "crange ciovec");
	assert_int_equal(w->args[2].kind, CLOUDABI_ARG_LEN);
	assert_string_equal(w->args[2].name, "iovs_len");
	assert_int_equal(w->args[3].kind, CLOUDABI_ARG_OUT);
	assert_int_equal(m->nargs, 7);
	assert_int_equal(CLOUDABI_SYSCALL_MAX_ARGS, 7);
	assert_string_equal(m->args[6].name, "mem");
	assert_int_equal(o->args[0].kind, CLOUDABI_ARG_STRUCT);
	assert_int_equal(o->args[1].kind, CLOUDABI_ARG_STR);
	assert_int_equal(
	        cloudabi_syscall_info[CLOUDABI_SYS_FD_SEEK].args[1].kind,
	        CLOUDABI_ARG_SINT);
	assert_true(cloudabi_syscall_info[CLOUDABI_SYS_PROC_EXIT].no_return);
	assert_false(w->no_return);
	assert_int_equal(cloudabi_syscall_info[CLOUDABI_SYS_THREAD_YIELD].nargs,
	                 0);
}

static size_t seen_len;
static uint64_t seen_off;

/* Stands in for the vDSO's mem_map to check argument passing. */
static cloudabi_errno_t fake_mem_map(void *addr, size_t len,
                                     cloudabi_mprot_t prot,
                                     cloudabi_mflags_t flags, cloudabi_fd_t fd,
                                     cloudabi_filesize_t off, void **mem)
{
	(void)prot, (void)flags, (void)fd;
	seen_len = len;
	seen_off = off;
	*mem = addr;
	return CLOUDABI_EAGAIN;
}

/* Unfilled entries return ENOSYS; filled ones are called with all args. */
static void test_sdk_bindings(void **state)
{
	void *mem = NULL, *saved = cloudabi_sdk_vdso[CLOUDABI_SYS_MEM_MAP];
	size_t n = 99;

	(void)state;
	assert_int_equal(cloudabi_sys_fd_write(1, NULL, 0, &n),
	                 CLOUDABI_ENOSYS);
	assert_int_equal(n, 99);
	assert_int_equal(cloudabi_sys_thread_yield(), CLOUDABI_ENOSYS);
	cloudabi_sdk_vdso[CLOUDABI_SYS_MEM_MAP] = (void *)&fake_mem_map;
	assert_int_equal(cloudabi_sys_mem_map(&n, 4096, CLOUDABI_PROT_READ,
	                                      CLOUDABI_MAP_ANON,
	                                      CLOUDABI_MAP_ANON_FD, 1234, &mem),
	                 CLOUDABI_EAGAIN);
	cloudabi_sdk_vdso[CLOUDABI_SYS_MEM_MAP] = saved;
	assert_ptr_equal(mem, &n);
	assert_int_equal(seen_len, 4096);
	assert_int_equal(seen_off, 1234);
	assert_int_equal(cloudabi_sys_mem_map(NULL, 1, 0, 0, 0, 0, &mem),
	                 CLOUDABI_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_struct_layouts),
	        cmocka_unit_test(test_int_types),
	        cmocka_unit_test(test_constants),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_info),
	        cmocka_unit_test(test_sdk_bindings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
