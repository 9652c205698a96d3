/*
 * webserver: the web server of the cloudabi-run manual page. It receives a
 * listening stream socket, either as the whole configuration (the manual's
 * shape, examples/webserver.run.yaml) or under the key "socket" of a map, and
 * answers every HTTP request with "Hello, world".
 *
 * CloudABI has no accept call. This project's runtime accepts through
 * sock_recv: on a listening stream socket, a receive with room for one fd
 * returns one new connection as that fd, with no data (docs/sdk.md).
 *
 * One connection at a time: read the request head (up to a bound), answer,
 * close. A failing accept ends the process with status 1 so that the
 * supervisor's restart policy applies.
 */
#include <cloudabi_syscalls.h>
#include <program.h>
#include <sdk_io.h>
#include <sdk_string.h>

/* Requests whose head does not fit here get 431. */
#define WEBSERVER_HEAD_MAX 8192

static const char webserver_ok[] = "HTTP/1.1 200 OK\r\n"
                                   "Content-Type: text/plain\r\n"
                                   "Content-Length: 13\r\n"
                                   "Connection: close\r\n"
                                   "\r\n"
                                   "Hello, world\n";

static const char webserver_too_large[] =
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "Content-Length: 0\r\n"
        "Connection: close\r\n"
        "\r\n";

/* The listening socket: ad itself, or the value of "socket" in a map. */
static int webserver_socket(const argdata_t *ad, uint32_t *fd)
{
	argdata_map_iterator_t it;
	argdata_t key, value;
	const char *name;

	if (argdata_get_fd(ad, fd) == 0)
		return 0;
	if (argdata_map_iterate(ad, &it) != 0)
		return -1;
	while (argdata_map_next(&it, &key, &value) > 0) {
		if (argdata_get_str_c(&key, &name) == 0 && strlen(name) == 6 &&
		    memcmp(name, "socket", 6) == 0)
			return argdata_get_fd(&value, fd) == 0 ? 0 : -1;
	}
	return -1;
}

/* Accepts one connection (see the comment at the top). */
static cloudabi_errno_t webserver_accept(uint32_t sock, uint32_t *conn)
{
	cloudabi_recv_in_t in = {.ri_fds = conn, .ri_fds_len = 1};
	cloudabi_recv_out_t out;
	cloudabi_errno_t error;

	error = cloudabi_sys_sock_recv(sock, &in, &out);
	if (error == 0 && out.ro_fdslen != 1)
		error = CLOUDABI_EPROTO;
	return error;
}

/* True once buf[0..len) holds the blank line that ends a request head. */
static int webserver_head_done(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i++) {
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return 1;
	}
	return 0;
}

/* Reads the request head and answers; the peer closing early is not an
 * error worth more than dropping the connection. */
static void webserver_serve(uint32_t conn)
{
	static char buf[WEBSERVER_HEAD_MAX];
	size_t len = 0;

	while (!webserver_head_done(buf, len)) {
		cloudabi_iovec_t iov = {.buf = buf + len,
		                        .buf_len = sizeof(buf) - len};
		size_t n;

		if (len == sizeof(buf)) {
			sdk_io_write_all(conn, webserver_too_large,
			                 sizeof(webserver_too_large) - 1);
			return;
		}
		if (cloudabi_sys_fd_read(conn, &iov, 1, &n) != 0 || n == 0)
			return;
		len += n;
	}
	sdk_io_write_all(conn, webserver_ok, sizeof(webserver_ok) - 1);
}

void program_main(const argdata_t *ad)
{
	uint32_t sock, conn;

	if (webserver_socket(ad, &sock) != 0)
		sdk_io_exit(2);
	for (;;) {
		if (webserver_accept(sock, &conn) != 0)
			sdk_io_exit(1);
		webserver_serve(conn);
		cloudabi_sys_fd_close(conn);
	}
}
