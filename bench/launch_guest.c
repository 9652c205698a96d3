/*
 * launch_guest: the trivial CloudABI program of bench/launch. Its first
 * action is to write one byte to its only fd (the benchmark's pipe),
 * which marks "first instruction reached"; then it exits.
 */
#include <argdata.h>
#include <cloudabi_syscalls.h>
#include <program.h>

void program_main(const argdata_t *ad)
{
	cloudabi_ciovec_t iov = {.buf = "g", .buf_len = 1};
	size_t written;
	uint32_t fd;

	if (argdata_get_fd(ad, &fd) != 0)
		cloudabi_sys_proc_exit(1);
	if (cloudabi_sys_fd_write(fd, &iov, 1, &written) != 0)
		cloudabi_sys_proc_exit(1);
	cloudabi_sys_proc_exit(0);
}
