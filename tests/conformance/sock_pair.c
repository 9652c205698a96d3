/*
 * Conformance: sockets made by fd_create2. Fd passing over stream and
 * datagram pairs (rights narrowed by the receiving end's inheriting
 * rights), fds received with peek, end of stream and EPIPE.
 */
#include "harness.h"

#include <sdk_string.h>

/* Sends data and fds on fd. */
static cloudabi_errno_t pair_send(cloudabi_fd_t fd, const char *data,
                                  size_t len, const cloudabi_fd_t *fds,
                                  size_t nfds)
{
	cloudabi_ciovec_t iov = {.buf = data, .buf_len = len};
	cloudabi_send_in_t in = {.si_data = &iov,
	                         .si_data_len = 1,
	                         .si_fds = fds,
	                         .si_fds_len = nfds};
	cloudabi_send_out_t out;

	return cloudabi_sys_sock_send(fd, &in, &out);
}

/* Receives into buf[0..len) and up to nfds fds. */
static cloudabi_errno_t pair_recv(cloudabi_fd_t fd, char *buf, size_t len,
                                  cloudabi_fd_t *fds, size_t nfds,
                                  cloudabi_riflags_t flags,
                                  cloudabi_recv_out_t *out)
{
	cloudabi_iovec_t iov = {.buf = buf, .buf_len = len};
	cloudabi_recv_in_t in = {.ri_data = &iov,
	                         .ri_data_len = 1,
	                         .ri_fds = fds,
	                         .ri_fds_len = nfds,
	                         .ri_flags = flags};

	memset(out, 0xa5, sizeof(*out));
	return cloudabi_sys_sock_recv(fd, &in, out);
}

/* fd's rights are within what `via` lets received fds have. */
static bool pair_narrowed(cloudabi_fd_t fd, cloudabi_fd_t via,
                          cloudabi_filetype_t type)
{
	cloudabi_fdstat_t st, vst;

	if (cloudabi_sys_fd_stat_get(fd, &st) != 0 ||
	    cloudabi_sys_fd_stat_get(via, &vst) != 0)
		return false;
	return st.fs_filetype == type &&
	       (st.fs_rights_base & ~vst.fs_rights_inheriting) == 0 &&
	       (st.fs_rights_inheriting & ~vst.fs_rights_inheriting) == 0;
}

/* A datagram pair's end travels over a stream pair and still works. */
static void check_pass_stream(cloudabi_fd_t a, cloudabi_fd_t b)
{
	cloudabi_fd_t d1, d2, got = ~0u;
	cloudabi_recv_out_t out;
	char buf[8];

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_DGRAM, &d1,
	                                 &d2));
	CHECK_OK(pair_send(a, "D", 1, &d1, 1));
	/* Nobody else holds d1 now; the received copy is the only one. */
	CHECK_OK(cloudabi_sys_fd_close(d1));
	CHECK_OK(pair_recv(b, buf, sizeof(buf), &got, 1, 0, &out));
	CHECK(out.ro_datalen == 1 && buf[0] == 'D');
	CHECK(out.ro_fdslen == 1 && out.ro_flags == 0);
	CHECK(pair_narrowed(got, b, CLOUDABI_FILETYPE_SOCKET_DGRAM));
	CHECK_OK(pair_send(got, "over", 4, NULL, 0));
	CHECK_OK(pair_recv(d2, buf, sizeof(buf), NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "over", 4) == 0);
	CHECK_OK(cloudabi_sys_fd_close(got));
	CHECK_OK(cloudabi_sys_fd_close(d2));
}

/* Over a datagram pair: the datagram's inheriting rights bound the fd. */
static void check_pass_dgram(void)
{
	cloudabi_fd_t c, d, got = ~0u;
	cloudabi_recv_out_t out;
	char buf[8];

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_DGRAM, &c,
	                                 &d));
	CHECK_OK(pair_send(c, "G", 1, &c, 1));
	CHECK_OK(pair_recv(d, buf, sizeof(buf), &got, 1, 0, &out));
	CHECK(out.ro_datalen == 1 && out.ro_fdslen == 1);
	CHECK(pair_narrowed(got, d, CLOUDABI_FILETYPE_SOCKET_DGRAM));
	CHECK_OK(cloudabi_sys_fd_close(got));
	CHECK_OK(cloudabi_sys_fd_close(c));
	CHECK_OK(cloudabi_sys_fd_close(d));
}

/* A peek hands out the fds too; the real receive gives them again. */
static void check_peek_fds(cloudabi_fd_t a, cloudabi_fd_t b)
{
	cloudabi_fd_t p1 = ~0u, p2 = ~0u, send = conf_tmpdir();
	cloudabi_recv_out_t out;
	char buf[8];

	CHECK_OK(pair_send(a, "P", 1, &send, 1));
	CHECK_OK(pair_recv(b, buf, sizeof(buf), &p1, 1, CLOUDABI_SOCK_RECV_PEEK,
	                   &out));
	CHECK(out.ro_datalen == 1 && out.ro_fdslen == 1);
	CHECK_OK(pair_recv(b, buf, sizeof(buf), &p2, 1, 0, &out));
	CHECK(out.ro_datalen == 1 && out.ro_fdslen == 1 && buf[0] == 'P');
	CHECK(p1 != p2);
	CHECK(pair_narrowed(p1, b, CLOUDABI_FILETYPE_DIRECTORY));
	CHECK(pair_narrowed(p2, b, CLOUDABI_FILETYPE_DIRECTORY));
	CHECK_OK(cloudabi_sys_fd_close(p1));
	CHECK_OK(cloudabi_sys_fd_close(p2));
}

void conf_main(void)
{
	cloudabi_fd_t a, b;

	CHECK_OK(cloudabi_sys_fd_create2(CLOUDABI_FILETYPE_SOCKET_STREAM, &a,
	                                 &b));
	check_pass_stream(a, b);
	check_pass_dgram();
	check_peek_fds(a, b);
	/* Closing one end: the other reads end of stream, then EPIPE. */
	CHECK_OK(cloudabi_sys_fd_close(a));
	{
		cloudabi_recv_out_t out;
		char buf[2];

		CHECK_OK(pair_recv(b, buf, sizeof(buf), NULL, 0, 0, &out));
		CHECK(out.ro_datalen == 0);
		CHECK_ERRNO(pair_send(b, "x", 1, NULL, 0), CLOUDABI_EPIPE);
	}
	CHECK_OK(cloudabi_sys_fd_close(b));
}
