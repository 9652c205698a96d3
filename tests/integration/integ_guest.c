/*
 * integ_guest: the program the integration tests deploy. Its argdata is a
 * sequence [fd log, str tag, int lines, int status, int period_ms]:
 * it writes "TAG start", then "TAG line 1" ... "TAG line N" to log; then
 * it exits with status if status >= 0; otherwise it stays up, writing
 * "TAG tick 1", "TAG tick 2"... every period_ms (or nothing if period_ms
 * is 0) until it is stopped. Every line carries the tag so that a test
 * can tell which service, and which deploy, wrote it.
 */
#include <cloudabi_syscalls.h>
#include <program.h>
#include <sdk_fmt.h>
#include <sdk_io.h>
#include <sdk_string.h>

/* Sleeps for ms milliseconds on the monotonic clock. */
static void integ_guest_sleep(uint64_t ms)
{
	cloudabi_subscription_t sub = {0};
	cloudabi_event_t ev;
	size_t n;

	sub.type = CLOUDABI_EVENTTYPE_CLOCK;
	sub.clock.clock_id = CLOUDABI_CLOCK_MONOTONIC;
	sub.clock.timeout = ms * 1000000ull;
	cloudabi_sys_poll(&sub, &ev, 1, &n);
}

/* Reads the next element of the sequence as an integer, or exits. */
static int64_t integ_guest_int(argdata_seq_iterator_t *it)
{
	argdata_t v;
	int64_t x;

	if (argdata_seq_next(it, &v) <= 0 || argdata_get_int(&v, &x) != 0)
		sdk_io_exit(120);
	return x;
}

/* Writes "TAG WORD [N]\n" to fd in one write, or exits. */
static void integ_guest_line(uint32_t fd, const char *tag, const char *word,
                             int64_t num)
{
	char line[128];
	size_t n = 0, tl = strlen(tag), wl = strlen(word);

	/* The tag is bounded so that the line always fits. */
	if (tl > 64)
		tl = 64;
	memcpy(line, tag, tl);
	n = tl;
	line[n++] = ' ';
	memcpy(line + n, word, wl);
	n += wl;
	if (num >= 0) {
		line[n++] = ' ';
		n += sdk_fmt_i64(line + n, num);
	}
	line[n++] = '\n';
	if (sdk_io_write_all(fd, line, n) != 0)
		sdk_io_exit(122);
}

void program_main(const argdata_t *ad)
{
	argdata_seq_iterator_t it;
	argdata_t v;
	const char *tag;
	uint32_t fd;
	int64_t lines, status, period, i;

	if (argdata_seq_iterate(ad, &it) != 0 ||
	    argdata_seq_next(&it, &v) <= 0 || argdata_get_fd(&v, &fd) != 0 ||
	    argdata_seq_next(&it, &v) <= 0 || argdata_get_str_c(&v, &tag) != 0)
		sdk_io_exit(121);
	lines = integ_guest_int(&it);
	status = integ_guest_int(&it);
	period = integ_guest_int(&it);
	integ_guest_line(fd, tag, "start", -1);
	for (i = 1; i <= lines; i++)
		integ_guest_line(fd, tag, "line", i);
	if (status >= 0)
		sdk_io_exit((uint32_t)status);
	for (i = 1;; i++) {
		/* Without a period: one long wait after another. */
		integ_guest_sleep(period > 0 ? (uint64_t)period : 86400000ull);
		if (period > 0)
			integ_guest_line(fd, tag, "tick", i);
	}
}
