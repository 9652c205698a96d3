/*
 * rpc_client: blocking gRPC calls over a UNIX socket. The socket is
 * non-blocking underneath so that every wait goes through poll() with the
 * client's timeout; nghttp2 does the HTTP/2 and grpc_wire the framing.
 */
#include "rpc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "grpc_wire.h"

/* Responses may be large (List of every service). */
#define CLIENT_MAX_MESSAGE (64u << 20)

/* State of the call in progress. */
struct client_call {
	int32_t stream_id;
	const uint8_t *req;
	size_t req_len, req_off;
	struct grpc_reader rd;
	rpc_client_raw_fn *fn;
	void *arg;
	int http_status;
	int grpc_status; /* -1 until the server sends one */
	uint32_t rst_code;
	bool stopped; /* fn asked to cancel */
	bool done;    /* the stream is closed */
	int error;    /* framing error on the response */
	struct rpc_status *st;
};

struct rpc_client {
	int fd;
	int timeout_ms;
	bool broken;
	nghttp2_session *h2;
	struct client_call *call;
};

bool rpc_client_daemon_down(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED;
}

void rpc_client_set_timeout(struct rpc_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

/* Waits until fd is ready for events; -ETIMEDOUT after the timeout. */
static int client_wait(struct rpc_client *c, short events)
{
	struct pollfd pfd = {.fd = c->fd, .events = events};
	int rc;

	do
		rc = poll(&pfd, 1, c->timeout_ms > 0 ? c->timeout_ms : -1);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	return 0;
}

/* Writes everything nghttp2 has queued. */
static int client_send(struct rpc_client *c)
{
	const uint8_t *data;
	ssize_t n, w;
	int rc;

	while ((n = nghttp2_session_mem_send(c->h2, &data)) > 0) {
		while (n > 0) {
			w = send(c->fd, data, (size_t)n, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				if ((rc = client_wait(c, POLLOUT)) < 0)
					return rc;
				continue;
			}
			if (w < 0)
				return -ECONNRESET;
			data += w;
			n -= w;
		}
	}
	return n < 0 ? -EPROTO : 0;
}

/* Reads one batch and feeds it to nghttp2. */
static int client_recv(struct rpc_client *c)
{
	uint8_t buf[16384];
	ssize_t n;
	int rc;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n > 0)
			break;
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -ECONNRESET;
		if ((rc = client_wait(c, POLLIN)) < 0)
			return rc;
	}
	if (nghttp2_session_mem_recv(c->h2, buf, (size_t)n) < 0)
		return -EPROTO;
	return 0;
}

/* The current call, if stream_id is its stream. */
static struct client_call *client_call_of(struct rpc_client *c, int32_t id)
{
	if (c->call != NULL && c->call->stream_id == id)
		return c->call;
	return NULL;
}

/* Response headers and trailers: :status, grpc-status, grpc-message. */
static int on_header(nghttp2_session *h2, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user_data)
{
	struct client_call *call =
	        client_call_of(user_data, frame->hd.stream_id);
	char num[12];

	if (call == NULL || frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	if ((namelen == 7 && memcmp(name, ":status", 7) == 0) ||
	    (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)) {
		if (valuelen >= sizeof(num))
			return 0;
		memcpy(num, value, valuelen);
		num[valuelen] = '\0';
		if (name[0] == ':')
			call->http_status = atoi(num);
		else
			call->grpc_status = atoi(num);
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
		grpc_percent_decode((const char *)value, valuelen,
		                    call->st->message,
		                    sizeof(call->st->message));
	}
	return 0;
}

/* Response body: framed messages to the caller's function. */
static int on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t stream_id,
                         const uint8_t *data, size_t len, void *user_data)
{
	struct client_call *call = client_call_of(user_data, stream_id);
	uint8_t *msg;
	size_t mlen;
	ssize_t n;

	while (call != NULL && !call->stopped && !call->error && len > 0) {
		n = grpc_reader_feed(&call->rd, data, len);
		if (n < 0) {
			call->error = (int)n;
			break;
		}
		data += n;
		len -= (size_t)n;
		if (grpc_reader_take(&call->rd, &msg, &mlen) != 0)
			continue;
		if (call->fn(msg, mlen, call->arg) != 0)
			call->stopped = true;
		free(msg);
	}
	if (call != NULL && (call->stopped || call->error))
		nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, stream_id,
		                          NGHTTP2_CANCEL);
	return 0;
}

/* The call's stream is over. */
static int on_stream_close(nghttp2_session *h2, int32_t stream_id,
                           uint32_t error_code, void *user_data)
{
	struct client_call *call = client_call_of(user_data, stream_id);

	if (call != NULL) {
		call->done = true;
		call->rst_code = error_code;
	}
	return 0;
}

/* Request body: the framed request, then END_STREAM. */
static ssize_t req_read_cb(nghttp2_session *h2, int32_t stream_id, uint8_t *buf,
                           size_t length, uint32_t *flags,
                           nghttp2_data_source *source, void *user_data)
{
	struct client_call *call = source->ptr;
	size_t n = call->req_len - call->req_off;

	if (n > length)
		n = length;
	memcpy(buf, call->req + call->req_off, n);
	call->req_off += n;
	if (call->req_off == call->req_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/* Opens the socket; errno values as rpc_client_connect documents. */
static int client_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int rpc_client_connect(const char *path, int timeout_ms,
                       struct rpc_client **out)
{
	nghttp2_session_callbacks *cbs = NULL;
	struct rpc_client *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->timeout_ms = timeout_ms;
	if ((c->fd = client_socket(path)) < 0) {
		rc = c->fd;
		goto fail;
	}
	rc = -ENOMEM;
	if (nghttp2_session_callbacks_new(&cbs) != 0)
		goto fail;
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
	        cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
	                                                       on_stream_close);
	if (nghttp2_session_client_new(&c->h2, cbs, c) != 0)
		goto fail;
	/* The connection preface and our (default) settings go out now. */
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, NULL, 0) != 0)
		goto fail;
	if ((rc = client_send(c)) < 0)
		goto fail;
	nghttp2_session_callbacks_del(cbs);
	*out = c;
	return 0;
fail:
	nghttp2_session_callbacks_del(cbs);
	rpc_client_close(c);
	return rc;
}

void rpc_client_close(struct rpc_client *c)
{
	if (c == NULL)
		return;
	if (c->h2 != NULL)
		nghttp2_session_del(c->h2);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* The final status of a finished call, from what the server sent. */
static void call_status(struct client_call *call)
{
	struct rpc_status *st = call->st;

	if (call->stopped) {
		st->code = GRPC_CANCELLED;
		snprintf(st->message, sizeof(st->message), "cancelled");
	} else if (call->error) {
		st->code = grpc_reader_status(call->error);
		snprintf(st->message, sizeof(st->message),
		         "bad response framing");
	} else if (call->grpc_status >= 0) {
		st->code = call->grpc_status;
	} else if (call->http_status != 0 && call->http_status != 200) {
		st->code = grpc_status_from_http(call->http_status);
		snprintf(st->message, sizeof(st->message), "HTTP status %d",
		         call->http_status);
	} else {
		/* Reset without a status, per the gRPC HTTP/2 mapping. */
		st->code = call->rst_code == NGHTTP2_REFUSED_STREAM
		                   ? GRPC_UNAVAILABLE
		           : call->rst_code == NGHTTP2_CANCEL ? GRPC_CANCELLED
		                                              : GRPC_INTERNAL;
		snprintf(st->message, sizeof(st->message),
		         "stream reset (HTTP/2 error %u)", call->rst_code);
	}
}

/* Runs the session until the call's stream closes. */
static int client_run(struct rpc_client *c, struct client_call *call)
{
	int rc;

	for (;;) {
		if ((rc = client_send(c)) < 0)
			return rc;
		if (call->done)
			return 0;
		if ((rc = client_recv(c)) < 0)
			return rc;
	}
}

int rpc_client_call_raw(struct rpc_client *c, const char *method,
                        const uint8_t *req, size_t len, rpc_client_raw_fn *fn,
                        void *arg, struct rpc_status *st)
{
	struct client_call call = {.req_len = len + GRPC_PREFIX_LEN,
	                           .grpc_status = -1,
	                           .fn = fn,
	                           .arg = arg,
	                           .st = st};
	nghttp2_nv nva[] = {
	        {(uint8_t *)":method", (uint8_t *)"POST", 7, 4, 0},
	        {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, 0},
	        {(uint8_t *)":authority", (uint8_t *)"localhost", 10, 9, 0},
	        {(uint8_t *)":path", (uint8_t *)method, 5, strlen(method), 0},
	        {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12,
	         16, 0},
	        {(uint8_t *)"te", (uint8_t *)"trailers", 2, 8, 0},
	};
	nghttp2_data_provider prd = {.source.ptr = &call,
	                             .read_callback = req_read_cb};
	uint8_t *framed;
	int rc;

	memset(st, 0, sizeof(*st));
	if (c->broken)
		return -ENOTCONN;
	if (len > UINT32_MAX || (framed = malloc(call.req_len)) == NULL)
		return -ENOMEM;
	grpc_prefix_encode(framed, (uint32_t)len);
	if (len > 0)
		memcpy(framed + GRPC_PREFIX_LEN, req, len);
	call.req = framed;
	grpc_reader_init(&call.rd, CLIENT_MAX_MESSAGE);
	call.stream_id =
	        nghttp2_submit_request(c->h2, NULL, nva, 6, &prd, NULL);
	if (call.stream_id < 0) {
		rc = call.stream_id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE
		             ? -ENOTCONN
		             : -ENOMEM;
		goto out;
	}
	c->call = &call;
	rc = client_run(c, &call);
	c->call = NULL;
	if (rc < 0) {
		/* The session is in an unknown state: no more calls on it. */
		c->broken = true;
		goto out;
	}
	call_status(&call);
out:
	grpc_reader_free(&call.rd);
	free(framed);
	return rc;
}

/* Collects a unary response: the first message, refusing a second. */
struct unary_ctx {
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage *resp;
	int count;
	bool bad;
};

/* Decodes the unary response message. */
static int unary_msg(const uint8_t *msg, size_t len, void *arg)
{
	static const uint8_t empty[1];
	struct unary_ctx *u = arg;

	if (++u->count > 1)
		return 0;
	u->resp = protobuf_c_message_unpack(u->desc, NULL, len,
	                                    msg ? msg : empty);
	if (u->resp == NULL)
		u->bad = true;
	return 0;
}

/* Packs a request message into a new buffer (caller frees). */
static uint8_t *pack_request(const ProtobufCMessage *req, size_t *len)
{
	uint8_t *buf;

	*len = protobuf_c_message_get_packed_size(req);
	if ((buf = malloc(*len ? *len : 1)) != NULL)
		protobuf_c_message_pack(req, buf);
	return buf;
}

int rpc_client_unary(struct rpc_client *c, const char *method,
                     const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc,
                     ProtobufCMessage **resp, struct rpc_status *st)
{
	struct unary_ctx u = {.desc = resp_desc};
	uint8_t *buf;
	size_t len;
	int rc;

	*resp = NULL;
	if ((buf = pack_request(req, &len)) == NULL)
		return -ENOMEM;
	rc = rpc_client_call_raw(c, method, buf, len, unary_msg, &u, st);
	free(buf);
	if (rc == 0 && st->code == GRPC_OK && (u.bad || u.count != 1)) {
		st->code = GRPC_INTERNAL;
		snprintf(st->message, sizeof(st->message), "%s",
		         u.bad ? "response does not parse"
		               : "expected one response message");
	}
	if (rc == 0 && st->code == GRPC_OK)
		*resp = u.resp;
	else if (u.resp != NULL)
		protobuf_c_message_free_unpacked(u.resp, NULL);
	return rc;
}

/* Forwards each decoded stream message to the caller. */
struct stream_ctx {
	const ProtobufCMessageDescriptor *desc;
	rpc_client_msg_fn *fn;
	void *arg;
	bool bad;
};

/* Decodes one streamed message and hands it over. */
static int stream_msg(const uint8_t *msg, size_t len, void *arg)
{
	static const uint8_t empty[1];
	struct stream_ctx *s = arg;
	ProtobufCMessage *m;
	int rc;

	m = protobuf_c_message_unpack(s->desc, NULL, len, msg ? msg : empty);
	if (m == NULL) {
		s->bad = true;
		return 1;
	}
	rc = s->fn(m, s->arg);
	protobuf_c_message_free_unpacked(m, NULL);
	return rc;
}

int rpc_client_stream(struct rpc_client *c, const char *method,
                      const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *resp_desc,
                      rpc_client_msg_fn *fn, void *arg, struct rpc_status *st)
{
	struct stream_ctx s = {.desc = resp_desc, .fn = fn, .arg = arg};
	uint8_t *buf;
	size_t len;
	int rc;

	if ((buf = pack_request(req, &len)) == NULL)
		return -ENOMEM;
	rc = rpc_client_call_raw(c, method, buf, len, stream_msg, &s, st);
	free(buf);
	if (rc == 0 && s.bad) {
		st->code = GRPC_INTERNAL;
		snprintf(st->message, sizeof(st->message),
		         "response does not parse");
	}
	return rc;
}
