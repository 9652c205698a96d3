/*
 * cli_guest: the program the CLI integration test deploys. argdata is a
 * sequence [fd log, int lines, int status]: it writes "line 1" ...
 * "line N" to log, then exits with status, or, if status is negative,
 * stays up (asleep) until it is stopped.
 */
#include <cloudabi_syscalls.h>
#include <program.h>
#include <sdk_fmt.h>
#include <sdk_io.h>

/* Blocks forever: one long clock wait after another. */
static _Noreturn void cli_guest_idle(void)
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

/* Reads the next element of the sequence as an integer. */
static int64_t cli_guest_int(argdata_seq_iterator_t *it)
{
	argdata_t v;
	int64_t x;

	if (argdata_seq_next(it, &v) <= 0 || argdata_get_int(&v, &x) != 0)
		sdk_io_exit(120);
	return x;
}

void program_main(const argdata_t *ad)
{
	argdata_seq_iterator_t it;
	argdata_t v;
	uint32_t fd;
	int64_t lines, status, i;
	char line[32] = "line ";
	size_t n;

	if (argdata_seq_iterate(ad, &it) != 0 ||
	    argdata_seq_next(&it, &v) <= 0 || argdata_get_fd(&v, &fd) != 0)
		sdk_io_exit(121);
	lines = cli_guest_int(&it);
	status = cli_guest_int(&it);
	for (i = 1; i <= lines; i++) {
		n = 5 + sdk_fmt_i64(line + 5, i);
		line[n++] = '\n';
		if (sdk_io_write_all(fd, line, n) != 0)
			sdk_io_exit(122);
	}
	if (status < 0)
		cli_guest_idle();
	sdk_io_exit((uint32_t)status);
}
