/*
 * daemon_guest: the program bench/daemon deploys. argdata is a sequence
 * [fd watch, int mode, str tag]. Its first system call writes tag as one
 * datagram to watch (a socket connected to the benchmark), which marks
 * "program reached"; then mode 0 exits with status 1 (a crash, for the
 * restart latency) and mode 1 blocks forever in poll (for the start
 * latency). Mode 2 blocks in poll at once without writing (the scale
 * figures, where the daemon's List tells when all of them run).
 */
#include <argdata.h>
#include <cloudabi_syscalls.h>
#include <program.h>

/* Blocks forever: one long clock wait after another. */
static _Noreturn void daemon_guest_idle(void)
{
	cloudabi_subscription_t sub = {0};
	cloudabi_event_t ev;
	size_t n;

	sub.type = CLOUDABI_EVENTTYPE_CLOCK;
	sub.clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	sub.clock.timeout = 86400ull * 1000000000ull;
	for (;;)
		cloudabi_sys_poll(&sub, &ev, 1, &n);
}

void program_main(const argdata_t *ad)
{
	argdata_seq_iterator_t it;
	argdata_t fdv, modev, tagv;
	cloudabi_ciovec_t iov;
	const char *tag;
	size_t len, written;
	uint32_t fd;
	int64_t mode;

	/* Decoding argdata is plain memory reads: the write below is still
	 * the program's first system call. */
	if (argdata_seq_iterate(ad, &it) != 0 ||
	    argdata_seq_next(&it, &fdv) <= 0 ||
	    argdata_get_fd(&fdv, &fd) != 0 ||
	    argdata_seq_next(&it, &modev) <= 0 ||
	    argdata_get_int(&modev, &mode) != 0 ||
	    argdata_seq_next(&it, &tagv) <= 0 ||
	    argdata_get_str(&tagv, &tag, &len) != 0)
		cloudabi_sys_proc_exit(120);
	if (mode == 2)
		daemon_guest_idle();
	iov = (cloudabi_ciovec_t){.buf = tag, .buf_len = len};
	if (cloudabi_sys_fd_write(fd, &iov, 1, &written) != 0)
		cloudabi_sys_proc_exit(121);
	if (mode == 1)
		daemon_guest_idle();
	cloudabi_sys_proc_exit(1);
}
