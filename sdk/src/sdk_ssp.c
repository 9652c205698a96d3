/*
 * sdk_ssp.c: support for -fstack-protector on the CloudABI target, where
 * clang reads the guard from the global __stack_chk_guard (not from %fs).
 * crt0 stores the first 8 bytes of AT_CANARY there before any protected
 * function runs.
 */
#include <stdint.h>

#include <cloudabi_syscalls.h>

/* The guard; a fixed non-zero value until crt0 sets the random one. */
uintptr_t __stack_chk_guard = 0x2f8b5c3e9a174d61;

_Noreturn void __stack_chk_fail(void);

/* A smashed stack cannot be trusted for anything else: raise SIGABRT so
 * that the supervisor sees a crash, and exit if signals are unavailable. */
_Noreturn void __stack_chk_fail(void)
{
	cloudabi_sys_proc_raise(CLOUDABI_SIGABRT);
	for (;;)
		cloudabi_sys_proc_exit(127);
}
