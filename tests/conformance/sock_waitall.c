/*
 * Conformance: sock_recv with waitall blocks across two sends made by
 * another thread, on an fd_create2 stream pair.
 */
#include "harness.h"
#include "thread_sync.h"

#include <crt0.h>
#include <sdk_string.h>

/* Sends len bytes on fd. */
static cloudabi_errno_t pair_send(cloudabi_fd_t fd, const char *data,
                                  size_t len)
{
	cloudabi_ciovec_t iov = {.buf = data, .buf_len = len};
	cloudabi_send_in_t in = {.si_data = &iov, .si_data_len = 1};
	cloudabi_send_out_t out;

	return cloudabi_sys_sock_send(fd, &in, &out);
}

/* Receives into buf[0..len) with flags. */
static cloudabi_errno_t pair_recv(cloudabi_fd_t fd, char *buf, size_t len,
                                  cloudabi_riflags_t flags,
                                  cloudabi_recv_out_t *out)
{
	cloudabi_iovec_t iov = {.buf = buf, .buf_len = len};
	cloudabi_recv_in_t in = {
	        .ri_data = &iov, .ri_data_len = 1, .ri_flags = flags};

	memset(out, 0xa5, sizeof(*out));
	return cloudabi_sys_sock_recv(fd, &in, out);
}

static cloudabi_fd_t waitall_fd;

/* Sends "ab", waits 50 ms, then sends "cd". */
static void pair_writer(struct ts_thread *t, cloudabi_tid_t tid)
{
	cloudabi_timestamp_t start = 0, now = 0;

	(void)t;
	(void)tid;
	if (pair_send(waitall_fd, "ab", 2) != 0)
		atomic_fetch_add(&ts_errors, 1);
	cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC, 0, &start);
	do {
		cloudabi_sys_thread_yield();
		cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC, 0, &now);
	} while (now - start < 50000000);
	if (pair_send(waitall_fd, "cd", 2) != 0)
		atomic_fetch_add(&ts_errors, 1);
}

/* waitall blocks until the buffer is full, across the writer's pause
 * (without it, the receive returns "ab" alone: checked by mutation). */
static void check_waitall(cloudabi_fd_t a, cloudabi_fd_t b)
{
	static struct ts_thread writer;
	cloudabi_recv_out_t out;
	char buf[4];

	waitall_fd = a;
	CHECK_OK(ts_start(&writer, pair_writer));
	CHECK_OK(pair_recv(b, buf, sizeof(buf), CLOUDABI_SOCK_RECV_WAITALL,
	                   &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "abcd", 4) == 0);
	ts_join(&writer, crt0_tid());
	CHECK(atomic_load(&ts_errors) == 0);

	/* The control: a plain receive returns what is there. */
	CHECK_OK(pair_send(a, "ef", 2));
	CHECK_OK(pair_recv(b, buf, sizeof(buf), 0, &out));
	CHECK(out.ro_datalen == 2 && memcmp(buf, "ef", 2) == 0);
}

void conf_main(void)
{
	cloudabi_fd_t a, b, spare[2];

	/* Keep the lowest free fd (2) busy: the sanitizer build's runtime
	 * still prints its warnings to host fd 2, which would otherwise be
	 * the stream pair under test. */
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_DGRAM,
	                                 &spare[0], &spare[1]));
	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	check_waitall(a, b);
	CHECK_OK(cloudabi_sys_fd_close(a));
	CHECK_OK(cloudabi_sys_fd_close(b));
	CHECK_OK(cloudabi_sys_fd_close(spare[0]));
	CHECK_OK(cloudabi_sys_fd_close(spare[1]));
}
