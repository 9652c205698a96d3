/*
 * sys_proc: process system calls (proc_*).
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"

_Noreturn void cloudabi_sys_proc_exit(cloudabi_exitcode_t rval)
{
	/* All threads end; buffered runtime output is not the program's. */
	_exit((int)rval);
}
