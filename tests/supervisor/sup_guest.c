/*
 * sup_guest: the supervisor tests' program. argdata: a sequence
 * [fd out, int mode]. Modes: 0 writes "hello" and exits 0; 1 writes
 * "crash" and exits 3; 2 writes "up" and then sleeps (until killed).
 */
#include <cloudabi_syscalls.h>
#include <program.h>
#include <sdk_io.h>

/* Sleeps for a long time on the monotonic clock, again and again. */
static _Noreturn void sup_guest_sleep(void)
{
	cloudabi_subscription_t s = {0};
	cloudabi_event_t ev;
	size_t n;

	s.type = CLOUDABI_EVENTTYPE_CLOCK;
	s.clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	s.clock.timeout = 3600ull * 1000000000ull;
	for (;;)
		cloudabi_sys_poll(&s, &ev, 1, &n);
}

void program_main(const argdata_t *ad)
{
	argdata_seq_iterator_t it;
	argdata_t v;
	uint32_t fd;
	int64_t mode;

	if (argdata_seq_iterate(ad, &it) != 0 ||
	    argdata_seq_next(&it, &v) <= 0 || argdata_get_fd(&v, &fd) != 0 ||
	    argdata_seq_next(&it, &v) <= 0 || argdata_get_int(&v, &mode) != 0)
		sdk_io_exit(100);
	switch (mode) {
	case 0:
		sdk_io_write_str(fd, "hello\n");
		sdk_io_exit(0);
	case 1:
		sdk_io_write_str(fd, "crash\n");
		sdk_io_exit(3);
	case 2:
		sdk_io_write_str(fd, "up\n");
		sup_guest_sleep();
	default:
		sdk_io_exit(101);
	}
}
