/*
 * Conformance: sock_recv, sock_send, sock_shutdown. The launcher gives a
 * listening UNIX stream socket and three clients already connected to it
 * (sock.yaml), a bound and a connected UNIX datagram socket, and a regular
 * file. Connections are taken from the listener with the accept
 * convention (docs/runtime.md), then used for data, peek, waitall, fd
 * passing, truncation flags, shutdown and the error paths.
 */
#include "harness.h"

#include <sdk_string.h>

/* Rights every connected stream socket needs for this test. */
#define SOCK_NEEDED                                                            \
	(CLOUDABI_RIGHT_FD_READ | CLOUDABI_RIGHT_FD_WRITE |                    \
	 CLOUDABI_RIGHT_SOCK_SHUTDOWN)

static cloudabi_fd_t listener, client, client2, client_ro;
static cloudabi_fd_t dgram_bound, dgram_conn, file;

/* Sends len bytes of data and the fds; returns the errno. */
static cloudabi_errno_t sock_send(cloudabi_fd_t fd, const void *data,
                                  size_t len, const cloudabi_fd_t *fds,
                                  size_t nfds, size_t *sent)
{
	cloudabi_ciovec_t iov = {.buf = data, .buf_len = len};
	cloudabi_send_in_t in = {.si_data = &iov,
	                         .si_data_len = 1,
	                         .si_fds = fds,
	                         .si_fds_len = nfds};
	cloudabi_send_out_t out = {.so_datalen = 12345};
	cloudabi_errno_t rc = cloudabi_sys_sock_send(fd, &in, &out);

	if (sent != NULL)
		*sent = out.so_datalen;
	return rc;
}

/* Receives into buf[0..len) and up to nfds fds with flags. */
static cloudabi_errno_t sock_recv(cloudabi_fd_t fd, void *buf, size_t len,
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

/* Accepts one pending connection through the accept convention. */
static cloudabi_fd_t sock_accept(void)
{
	cloudabi_fd_t conn = 0xffffffff;
	cloudabi_recv_out_t out;
	cloudabi_fdstat_t st, lst;
	char byte;

	CHECK_OK(sock_recv(listener, &byte, 1, &conn, 1, 0, &out));
	CHECK(out.ro_datalen == 0);
	CHECK(out.ro_fdslen == 1);
	CHECK(out.ro_flags == 0);
	CHECK_OK(cloudabi_sys_fd_stat_get(conn, &st));
	CHECK_OK(cloudabi_sys_fd_stat_get(listener, &lst));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_SOCKET_STREAM);
	CHECK((st.fs_rights_base & SOCK_NEEDED) == SOCK_NEEDED);
	/* Never more than the listener lets connections inherit. */
	CHECK((st.fs_rights_base & ~lst.fs_rights_inheriting) == 0);
	CHECK((st.fs_rights_inheriting & ~lst.fs_rights_inheriting) == 0);
	return conn;
}

/* Plain data both ways, peek, and waitall across two sends. */
static void check_data(cloudabi_fd_t conn)
{
	char buf[16];
	cloudabi_recv_out_t out;
	size_t n = 0;

	CHECK_OK(sock_send(client, "hello", 5, NULL, 0, &n));
	CHECK(n == 5);
	CHECK_OK(sock_recv(conn, buf, sizeof(buf), NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(out.ro_fdslen == 0 && out.ro_flags == 0);

	CHECK_OK(sock_send(conn, "abcdef", 6, NULL, 0, &n));
	CHECK_OK(sock_recv(client, buf, 3, NULL, 0, CLOUDABI_SOCK_RECV_PEEK,
	                   &out));
	CHECK(out.ro_datalen == 3 && memcmp(buf, "abc", 3) == 0);
	/* The peeked bytes are still queued. */
	CHECK_OK(sock_recv(client, buf, 6, NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 6 && memcmp(buf, "abcdef", 6) == 0);

	CHECK_OK(sock_send(client, "12", 2, NULL, 0, &n));
	CHECK_OK(sock_send(client, "34", 2, NULL, 0, &n));
	CHECK_OK(sock_recv(conn, buf, 4, NULL, 0, CLOUDABI_SOCK_RECV_WAITALL,
	                   &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "1234", 4) == 0);
}

/* Passes a socket and a file; checks the received fds and their rights. */
static void check_pass(cloudabi_fd_t conn, cloudabi_fd_t conn2)
{
	cloudabi_fd_t send[2] = {client2, file}, got[3] = {~0u, ~0u, ~0u};
	cloudabi_fdstat_t st, cst;
	cloudabi_recv_out_t out;
	char buf[8];
	size_t n;

	CHECK_OK(sock_send(client, "F", 1, send, 2, &n));
	CHECK(n == 1);
	CHECK_OK(sock_recv(conn, buf, sizeof(buf), got, 3, 0, &out));
	CHECK(out.ro_datalen == 1 && buf[0] == 'F');
	CHECK(out.ro_fdslen == 2 && out.ro_flags == 0);
	CHECK(got[2] == ~0u);
	CHECK(got[0] != client2 && got[1] != file && got[0] != got[1]);
	CHECK_OK(cloudabi_sys_fd_stat_get(conn, &cst));

	/* The received socket is client2 itself: its data reaches conn2. */
	CHECK_OK(cloudabi_sys_fd_stat_get(got[0], &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_SOCKET_STREAM);
	CHECK((st.fs_rights_base & ~cst.fs_rights_inheriting) == 0);
	CHECK_OK(sock_send(got[0], "via", 3, NULL, 0, &n));
	CHECK_OK(sock_recv(conn2, buf, sizeof(buf), NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 3 && memcmp(buf, "via", 3) == 0);

	/* The file keeps its type; rights are the default for a file
	 * narrowed by the socket's inheriting rights. */
	CHECK_OK(cloudabi_sys_fd_stat_get(got[1], &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK((st.fs_rights_base & ~cst.fs_rights_inheriting) == 0);
	CHECK((st.fs_rights_base & CLOUDABI_RIGHT_FILE_STAT_FGET) != 0);
	CHECK_OK(cloudabi_sys_fd_close(got[0]));
	CHECK_OK(cloudabi_sys_fd_close(got[1]));
	CHECK_ERRNO(cloudabi_sys_fd_close(got[0]), CLOUDABI_EBADF);
}

/* Fds that do not fit are closed and reported as truncated. */
static void check_fds_truncated(cloudabi_fd_t conn)
{
	cloudabi_fd_t send[3] = {file, file, client2}, got[2] = {~0u, ~0u};
	cloudabi_recv_out_t out;
	cloudabi_fdstat_t st;
	char buf[8];
	size_t n;

	CHECK_OK(sock_send(client, "T", 1, send, 3, &n));
	CHECK_OK(sock_recv(conn, buf, sizeof(buf), got, 1, 0, &out));
	CHECK(out.ro_datalen == 1 && buf[0] == 'T');
	CHECK(out.ro_fdslen == 1);
	CHECK(out.ro_flags == CLOUDABI_SOCK_RECV_FDS_TRUNCATED);
	CHECK(got[1] == ~0u);
	CHECK_OK(cloudabi_sys_fd_stat_get(got[0], &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK_OK(cloudabi_sys_fd_close(got[0]));

	/* No room at all: the data arrives, every fd is dropped. */
	CHECK_OK(sock_send(client, "U", 1, send, 1, &n));
	CHECK_OK(sock_recv(conn, buf, sizeof(buf), got, 0, 0, &out));
	CHECK(out.ro_datalen == 1 && buf[0] == 'U');
	CHECK(out.ro_fdslen == 0);
	CHECK(out.ro_flags == CLOUDABI_SOCK_RECV_FDS_TRUNCATED);
}

/* A datagram larger than the buffer is cut and flagged. */
static void check_data_truncated(void)
{
	cloudabi_recv_out_t out;
	char buf[16];
	size_t n;

	CHECK_OK(sock_send(dgram_conn, "0123456789", 10, NULL, 0, &n));
	CHECK(n == 10);
	CHECK_OK(sock_recv(dgram_bound, buf, 4, NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "0123", 4) == 0);
	CHECK(out.ro_flags == CLOUDABI_SOCK_RECV_DATA_TRUNCATED);
	/* The rest of that datagram is gone; a whole one is not flagged. */
	CHECK_OK(sock_send(dgram_conn, "ab", 2, NULL, 0, &n));
	CHECK_OK(sock_recv(dgram_bound, buf, sizeof(buf), NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 2 && memcmp(buf, "ab", 2) == 0);
	CHECK(out.ro_flags == 0);
}

/* Shutting down the write side: EOF for the peer, EPIPE (no SIGPIPE). */
static void check_shutdown(cloudabi_fd_t conn2)
{
	cloudabi_recv_out_t out;
	char buf[8];
	size_t n;

	CHECK_ERRNO(cloudabi_sys_sock_shutdown(client2, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(client2, 4), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(999, CLOUDABI_SHUT_WR),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(conf_tmpdir(), CLOUDABI_SHUT_WR),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(client_ro, CLOUDABI_SHUT_WR),
	            CLOUDABI_ENOTCAPABLE);
	/* Neither a listener nor an unconnected datagram socket has a peer. */
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(listener, CLOUDABI_SHUT_RD),
	            CLOUDABI_ENOTCONN);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(dgram_bound, CLOUDABI_SHUT_WR),
	            CLOUDABI_ENOTCONN);

	/* waitall stops at end of stream rather than waiting forever. */
	CHECK_OK(sock_send(client2, "xy", 2, NULL, 0, &n));
	CHECK_OK(cloudabi_sys_sock_shutdown(client2, CLOUDABI_SHUT_WR));
	CHECK_OK(sock_recv(conn2, buf, 4, NULL, 0, CLOUDABI_SOCK_RECV_WAITALL,
	                   &out));
	CHECK(out.ro_datalen == 2 && memcmp(buf, "xy", 2) == 0);
	CHECK_OK(sock_recv(conn2, buf, 4, NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 0);
	CHECK_ERRNO(sock_send(client2, "z", 1, NULL, 0, &n), CLOUDABI_EPIPE);
	/* The other direction still works. */
	CHECK_OK(sock_send(conn2, "back", 4, NULL, 0, &n));
	CHECK_OK(sock_recv(client2, buf, sizeof(buf), NULL, 0, 0, &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "back", 4) == 0);
	CHECK_OK(cloudabi_sys_sock_shutdown(conn2, CLOUDABI_SHUT_RD |
	                                                   CLOUDABI_SHUT_WR));
	CHECK_ERRNO(sock_send(conn2, "z", 1, NULL, 0, &n), CLOUDABI_EPIPE);
}

/* Bad fds, wrong types, missing rights, bad flags and bad pointers. */
static void check_errors(cloudabi_fd_t conn)
{
	cloudabi_recv_in_t in;
	cloudabi_send_in_t sin;
	cloudabi_recv_out_t out;
	cloudabi_send_out_t sout;
	cloudabi_iovec_t iov;
	cloudabi_fd_t bad = 4000, fd;
	char buf[8];
	size_t n;

	CHECK_ERRNO(sock_recv(999, buf, 1, NULL, 0, 0, &out), CLOUDABI_EBADF);
	CHECK_ERRNO(sock_send(999, "x", 1, NULL, 0, &n), CLOUDABI_EBADF);
	CHECK_ERRNO(sock_recv(file, buf, 1, NULL, 0, 0, &out),
	            CLOUDABI_ENOTSOCK);
	CHECK_ERRNO(sock_send(file, "x", 1, NULL, 0, &n), CLOUDABI_ENOTSOCK);
	CHECK_ERRNO(cloudabi_sys_sock_shutdown(file, CLOUDABI_SHUT_WR),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(sock_recv(conf_tmpdir(), buf, 1, NULL, 0, 0, &out),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(sock_send(conf_tmpdir(), "x", 1, NULL, 0, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(sock_send(client_ro, "x", 1, NULL, 0, &n),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_ERRNO(sock_recv(conn, buf, 1, NULL, 0, 0x1, &out),
	            CLOUDABI_EINVAL);
	/* With no room for an fd, a listener has nothing to give. */
	CHECK_ERRNO(sock_recv(listener, buf, 1, NULL, 0, 0, &out),
	            CLOUDABI_ENOTCONN);

	/* A bad fd in the list: EBADF, and nothing is sent. */
	CHECK_ERRNO(sock_send(client, "x", 1, &bad, 1, &n), CLOUDABI_EBADF);
	CHECK_ERRNO(sock_send(client, "x", 1, (const cloudabi_fd_t *)16, 1, &n),
	            CLOUDABI_EFAULT);
	CHECK_ERRNO(cloudabi_sys_sock_send(client, (const void *)16, &sout),
	            CLOUDABI_EFAULT);
	memset(&sin, 0, sizeof(sin));
	sin.si_flags = 1;
	CHECK_ERRNO(cloudabi_sys_sock_send(client, &sin, &sout),
	            CLOUDABI_EINVAL);
	sin.si_flags = 0;
	CHECK_ERRNO(cloudabi_sys_sock_send(client, &sin, (void *)16),
	            CLOUDABI_EFAULT);

	/* Bad recv pointers fail before anything is consumed. */
	CHECK_OK(sock_send(client, "kept", 4, NULL, 0, &n));
	CHECK_ERRNO(cloudabi_sys_sock_recv(conn, (const void *)16, &out),
	            CLOUDABI_EFAULT);
	iov.buf = buf;
	iov.buf_len = sizeof(buf);
	memset(&in, 0, sizeof(in));
	in.ri_data = &iov;
	in.ri_data_len = 1;
	CHECK_ERRNO(cloudabi_sys_sock_recv(conn, &in, (void *)16),
	            CLOUDABI_EFAULT);
	in.ri_fds = (cloudabi_fd_t *)16;
	in.ri_fds_len = 1;
	CHECK_ERRNO(cloudabi_sys_sock_recv(conn, &in, &out), CLOUDABI_EFAULT);
	/* A bad data buffer is the kernel's EFAULT. */
	CHECK_ERRNO(sock_recv(conn, (void *)16, 4, NULL, 0, 0, &out),
	            CLOUDABI_EFAULT);
	in.ri_fds = &fd;
	CHECK_OK(cloudabi_sys_sock_recv(conn, &in, &out));
	CHECK(out.ro_datalen == 4 && memcmp(buf, "kept", 4) == 0);
	CHECK(out.ro_fdslen == 0 && out.ro_flags == 0);
}

/* Looks up every fd the YAML grants; false if one is missing. */
static bool sock_config(void)
{
	int fds[7] = {conf_fd("listener"), conf_fd("client"),
	              conf_fd("client2"),  conf_fd("client_ro"),
	              conf_fd("dgram"),    conf_fd("dgram_conn"),
	              conf_fd("file")};

	for (int i = 0; i < 7; i++) {
		if (fds[i] < 0)
			return false;
	}
	listener = (cloudabi_fd_t)fds[0];
	client = (cloudabi_fd_t)fds[1];
	client2 = (cloudabi_fd_t)fds[2];
	client_ro = (cloudabi_fd_t)fds[3];
	dgram_bound = (cloudabi_fd_t)fds[4];
	dgram_conn = (cloudabi_fd_t)fds[5];
	file = (cloudabi_fd_t)fds[6];
	return true;
}

void conf_main(void)
{
	cloudabi_fd_t conn, conn2;

	if (!sock_config()) {
		CHECK(!"sock.yaml grants every socket");
		return;
	}
	/* Connections are queued in the order the launcher made them. */
	conn = sock_accept();
	conn2 = sock_accept();
	check_data(conn);
	check_pass(conn, conn2);
	check_fds_truncated(conn);
	check_data_truncated();
	check_errors(conn);
	check_shutdown(conn2);
	CHECK_OK(cloudabi_sys_fd_close(conn));
	CHECK_OK(cloudabi_sys_fd_close(conn2));
}
