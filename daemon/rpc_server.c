/*
 * rpc_server: gRPC over HTTP/2 (nghttp2) on a libuv loop.
 *
 * Layers: the listener (a uv_poll_t on the listening fd, so that accepting
 * can pause on EMFILE), connections (a uv_pipe_t, an idle timer and an
 * nghttp2 server session each), calls (one per HTTP/2 stream). Output is
 * pulled from nghttp2 into one write buffer with at most one uv_write in
 * flight, and reading pauses while it is: a peer that does not read stalls
 * itself instead of growing our buffers.
 */
#include "rpc_server.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RBUF_LEN        16384
#define WBUF_SOFT       65536 /* stop pulling frames once this is queued */
#define ACCEPT_BATCH    32    /* accepts per wake-up, to stay fair */
#define ACCEPT_PAUSE_MS 500   /* retry delay after EMFILE */
#define STATUS_MSG_MAX  1024  /* longest grpc-message text kept */
#define MAX_HEADER_LIST 16384

enum call_state {
	CALL_RECV, /* reading the request */
	CALL_APP,  /* a handler owns it */
	CALL_DONE, /* finished: only waits for its stream to close */
};

struct rpc_call {
	struct rpc_conn *conn; /* NULL once its stream or connection is gone */
	struct rpc_call *prev, *next;
	int32_t stream_id;
	enum call_state state;
	const struct rpc_method *method;
	struct rpc_peer peer;
	bool is_post, is_grpc;
	struct grpc_reader rd;
	uint8_t *req; /* the one request message, owned */
	size_t req_len;
	bool have_req;
	bool responded; /* response HEADERS submitted */
	bool ended;     /* status chosen; trailers follow the queued data */
	bool cancelled;
	int status;
	char *status_msg; /* owned, may be NULL */
	uint8_t *out;     /* queued response bytes [out_off, out_len) */
	size_t out_off, out_len, out_cap;
	rpc_cancel_fn *cancel_fn;
	void *cancel_arg;
};

struct rpc_conn {
	struct rpc_server *srv;
	struct rpc_conn *prev, *next;
	uv_pipe_t pipe;
	uv_timer_t idle;
	int handles; /* open handles; freed when it reaches 0 */
	nghttp2_session *h2;
	struct rpc_peer peer;
	struct rpc_call *calls;
	unsigned nstreams;
	bool in_h2;      /* inside nghttp2: no re-entry, no teardown */
	bool want_close; /* teardown asked for while in_h2 */
	bool closing;
	bool writing;
	uv_write_t wreq;
	uint8_t *wbuf;
	size_t wcap;
	char rbuf[RBUF_LEN];
};

struct rpc_server {
	uv_loop_t *loop;
	const struct rpc_method *methods;
	size_t nmethods;
	void *ctx;
	struct rpc_server_config cfg;
	uv_poll_t poll;
	uv_timer_t resume;
	int fd;
	char *path; /* unlinked at close; owned */
	bool listening, paused, closing;
	int handles;
	struct rpc_conn *conns;
	unsigned nconns;
	void (*close_cb)(void *);
	void *close_arg;
};

static void conn_close(struct rpc_conn *c);
static void conn_flush(struct rpc_conn *c);
static void on_listen(uv_poll_t *p, int status, int events);
static void on_resume(uv_timer_t *t);
static void srv_maybe_free(struct rpc_server *srv);

/* Logs a warning for journald (priority 4) with the function's name. */
static void __attribute__((format(printf, 2, 3)))
rpc_warn(const char *fn, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "<4>%s: ", fn);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Frees a call and everything it owns. */
static void call_free(struct rpc_call *call)
{
	grpc_reader_free(&call->rd);
	free(call->req);
	free(call->out);
	free(call->status_msg);
	free(call);
}

/* Unlinks a call from its connection; its stream is gone. */
static void call_detach(struct rpc_call *call)
{
	struct rpc_conn *c = call->conn;

	if (call->prev)
		call->prev->next = call->next;
	else
		c->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	c->nstreams--;
	call->conn = NULL;
	call->prev = call->next = NULL;
}

/*
 * The stream is gone: a call its handler still owns is cancelled (and
 * freed when the handler finishes it); any other is freed now.
 */
static void call_orphan(struct rpc_call *call)
{
	call_detach(call);
	if (call->state != CALL_APP) {
		call_free(call);
		return;
	}
	call->cancelled = true;
	if (call->cancel_fn)
		call->cancel_fn(call, call->cancel_arg);
}

/* Pulls frames from nghttp2 unless already inside it (then it is done on
 * the way out). */
static void conn_kick(struct rpc_conn *c)
{
	if (c != NULL && !c->in_h2)
		conn_flush(c);
}

#define NV(n, v)                                                               \
	{                                                                      \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v),      \
		        NGHTTP2_NV_FLAG_NONE                                   \
	}

/* Fills nva with grpc-status and grpc-message; returns the count. */
static size_t status_nv(struct rpc_call *call, nghttp2_nv *nva, char *code,
                        char *enc, size_t encsz)
{
	size_t n = 0;

	snprintf(code, 12, "%d", call->status);
	nva[n++] = (nghttp2_nv)NV("grpc-status", code);
	if (call->status_msg != NULL && call->status_msg[0] != '\0') {
		grpc_percent_encode(call->status_msg, enc, encsz);
		nva[n++] = (nghttp2_nv)NV("grpc-message", enc);
	}
	return n;
}

/* nghttp2 asks for body bytes of a response; trailers end it. */
static ssize_t data_read_cb(nghttp2_session *h2, int32_t stream_id,
                            uint8_t *buf, size_t length, uint32_t *flags,
                            nghttp2_data_source *source, void *user_data)
{
	struct rpc_call *call = source->ptr;
	size_t avail = call->out_len - call->out_off;
	char code[12], enc[3 * STATUS_MSG_MAX + 1];
	nghttp2_nv nva[2];
	size_t n;

	if (avail == 0) {
		if (!call->ended)
			return NGHTTP2_ERR_DEFERRED;
		*flags |=
		        NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		n = status_nv(call, nva, code, enc, sizeof(enc));
		if (nghttp2_submit_trailer(h2, stream_id, nva, n) != 0)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		return 0;
	}
	n = avail < length ? avail : length;
	memcpy(buf, call->out + call->out_off, n);
	call->out_off += n;
	if (call->out_off == call->out_len)
		call->out_off = call->out_len = 0;
	return (ssize_t)n;
}

/* Chooses the call's final status; sends it now or after queued data. */
static void call_end(struct rpc_call *call, int code, const char *message)
{
	struct rpc_conn *c = call->conn;
	char scode[12], enc[3 * STATUS_MSG_MAX + 1];
	nghttp2_nv nva[4] = {NV(":status", "200"),
	                     NV("content-type", "application/grpc")};
	size_t n;

	if (call->ended || c == NULL)
		return;
	call->ended = true;
	call->status = code;
	if (message != NULL)
		call->status_msg = strndup(message, STATUS_MSG_MAX);
	if (call->responded) {
		nghttp2_session_resume_data(c->h2, call->stream_id);
		return;
	}
	/* Nothing sent yet: a Trailers-Only response, one HEADERS frame. */
	n = 2 + status_nv(call, nva + 2, scode, enc, sizeof(enc));
	call->responded = true;
	if (nghttp2_submit_response(c->h2, call->stream_id, nva, n, NULL) != 0)
		nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE,
		                          call->stream_id,
		                          NGHTTP2_INTERNAL_ERROR);
}

/* Answers a request the server itself rejects (before any handler). */
static void call_reject(struct rpc_call *call, int code, const char *message)
{
	call->state = CALL_DONE;
	call_end(call, code, message);
}

/* Answers a request that is not gRPC at all with a bare HTTP status. */
static void call_reject_http(struct rpc_call *call, const char *status)
{
	nghttp2_nv nva[] = {NV(":status", status)};

	call->state = CALL_DONE;
	call->ended = call->responded = true;
	nghttp2_submit_response(call->conn->h2, call->stream_id, nva, 1, NULL);
}

/* Appends one framed message to the call's output queue. */
static int call_queue(struct rpc_call *call, const ProtobufCMessage *msg)
{
	struct rpc_server *srv = call->conn->srv;
	size_t size = protobuf_c_message_get_packed_size(msg);
	size_t queued = call->out_len - call->out_off, need, cap;
	uint8_t *p;

	if (size > srv->cfg.max_response)
		return -EMSGSIZE;
	/* One message always fits, however large; a backlog does not. */
	if (queued > 0 && queued + GRPC_PREFIX_LEN + size > srv->cfg.max_queued)
		return -ENOBUFS;
	if (call->out_off > 0) {
		memmove(call->out, call->out + call->out_off, queued);
		call->out_off = 0;
		call->out_len = queued;
	}
	need = queued + GRPC_PREFIX_LEN + size;
	if (need > call->out_cap) {
		cap = call->out_cap ? call->out_cap : 256;
		while (cap < need)
			cap *= 2;
		if ((p = realloc(call->out, cap)) == NULL)
			return -ENOMEM;
		call->out = p;
		call->out_cap = cap;
	}
	grpc_prefix_encode(call->out + call->out_len, (uint32_t)size);
	protobuf_c_message_pack(msg,
	                        call->out + call->out_len + GRPC_PREFIX_LEN);
	call->out_len = need;
	return 0;
}

/* Starts the response (headers + body provider) or wakes its provider. */
static int call_start_data(struct rpc_call *call)
{
	struct rpc_conn *c = call->conn;
	nghttp2_nv nva[] = {NV(":status", "200"),
	                    NV("content-type", "application/grpc")};
	nghttp2_data_provider prd = {.source.ptr = call,
	                             .read_callback = data_read_cb};

	if (call->responded) {
		/* Fails harmlessly when the provider is not deferred. */
		nghttp2_session_resume_data(c->h2, call->stream_id);
		return 0;
	}
	call->responded = true;
	if (nghttp2_submit_response(c->h2, call->stream_id, nva, 2, &prd) != 0)
		return -EIO;
	return 0;
}

int rpc_stream_send(struct rpc_call *call, const ProtobufCMessage *msg)
{
	int rc;

	if (call->state != CALL_APP)
		return -EINVAL;
	if (call->conn == NULL || call->cancelled)
		return -ECANCELED;
	if (call->ended)
		return -ENOBUFS;
	if ((rc = call_queue(call, msg)) < 0) {
		call_end(call, GRPC_RESOURCE_EXHAUSTED,
		         rc == -ENOBUFS ? "client reads too slowly"
		                        : "response message too large");
		conn_kick(call->conn);
		return rc == -EMSGSIZE ? -EMSGSIZE : -ENOBUFS;
	}
	rc = call_start_data(call);
	conn_kick(call->conn);
	return rc;
}

int rpc_stream_end(struct rpc_call *call, int code, const char *message)
{
	struct rpc_conn *c = call->conn;

	if (call->state != CALL_APP)
		return -EINVAL;
	call->state = CALL_DONE;
	if (c == NULL) {
		/* Cancelled earlier; the handler's finish is the last use. */
		call_free(call);
		return 0;
	}
	call_end(call, code, message);
	conn_kick(c);
	return 0;
}

int rpc_call_error(struct rpc_call *call, int code, const char *message)
{
	return rpc_stream_end(call, code, message);
}

int rpc_call_reply(struct rpc_call *call, const ProtobufCMessage *msg)
{
	int rc = rpc_stream_send(call, msg);

	if (rc < 0 && rc != -EINVAL) {
		/* The status is already chosen (or nobody listens). */
		rpc_stream_end(call, GRPC_INTERNAL, NULL);
		return rc;
	}
	if (rc < 0)
		return rc;
	return rpc_stream_end(call, GRPC_OK, NULL);
}

const struct rpc_peer *rpc_call_peer(const struct rpc_call *call)
{
	return &call->peer;
}

const struct rpc_method *rpc_call_method(const struct rpc_call *call)
{
	return call->method;
}

void rpc_call_on_cancel(struct rpc_call *call, rpc_cancel_fn *fn, void *arg)
{
	call->cancel_fn = fn;
	call->cancel_arg = arg;
}

int rpc_call_cancelled(const struct rpc_call *call)
{
	return call->cancelled;
}

/* Finds the method served at path, or NULL. */
static const struct rpc_method *srv_lookup(struct rpc_server *srv,
                                           const uint8_t *path, size_t len)
{
	size_t i;

	for (i = 0; i < srv->nmethods; i++)
		if (strlen(srv->methods[i].path) == len &&
		    memcmp(srv->methods[i].path, path, len) == 0)
			return &srv->methods[i];
	return NULL;
}

/* The whole request is in: decode it and hand it to the handler. */
static void call_dispatch(struct rpc_call *call)
{
	static const uint8_t empty[1];
	struct rpc_server *srv = call->conn->srv;
	const struct rpc_method *m = call->method;
	ProtobufCMessage *req;

	if (call->state != CALL_RECV)
		return;
	if (grpc_reader_partial(&call->rd) || !call->have_req) {
		call_reject(call, GRPC_INTERNAL,
		            call->have_req ? "request ends inside a message"
		                           : "no request message");
		return;
	}
	req = protobuf_c_message_unpack(m->input, NULL, call->req_len,
	                                call->req ? call->req : empty);
	free(call->req);
	call->req = NULL;
	if (req == NULL) {
		call_reject(call, GRPC_INTERNAL, "request does not parse");
		return;
	}
	call->state = CALL_APP;
	m->handler(call, req, srv->ctx);
	protobuf_c_message_free_unpacked(req, NULL);
}

/* Request body bytes: through the framing reader, at most one message. */
static int on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t stream_id,
                         const uint8_t *data, size_t len, void *user_data)
{
	struct rpc_call *call =
	        nghttp2_session_get_stream_user_data(h2, stream_id);
	ssize_t n;

	while (call != NULL && call->state == CALL_RECV && len > 0) {
		n = grpc_reader_feed(&call->rd, data, len);
		if (n < 0) {
			call_reject(call, grpc_reader_status((int)n),
			            n == -ENOTSUP ? "compressed messages are "
			                            "not supported"
			            : n == -EMSGSIZE
			                    ? "request message too large"
			                    : "bad message framing");
			break;
		}
		data += n;
		len -= (size_t)n;
		if (!call->rd.ready)
			continue;
		if (call->have_req) {
			call_reject(call, GRPC_INTERNAL,
			            "more than one request message");
			break;
		}
		grpc_reader_take(&call->rd, &call->req, &call->req_len);
		call->have_req = true;
	}
	return 0;
}

/* A request stream begins: make its call (or refuse it over the cap). */
static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame,
                            void *user_data)
{
	struct rpc_conn *c = user_data;
	struct rpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if (c->nstreams >= c->srv->cfg.max_streams ||
	    (call = calloc(1, sizeof(*call))) == NULL) {
		nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE,
		                          frame->hd.stream_id,
		                          NGHTTP2_REFUSED_STREAM);
		return 0;
	}
	call->conn = c;
	call->stream_id = frame->hd.stream_id;
	call->peer = c->peer;
	grpc_reader_init(&call->rd, c->srv->cfg.max_request);
	call->next = c->calls;
	if (c->calls)
		c->calls->prev = call;
	c->calls = call;
	c->nstreams++;
	nghttp2_session_set_stream_user_data(h2, call->stream_id, call);
	return 0;
}

/* One request header; only the few gRPC routing needs are kept. */
static int on_header(nghttp2_session *h2, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user_data)
{
	struct rpc_conn *c = user_data;
	struct rpc_call *call;
	static const char ct[] = "application/grpc";

	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
	if (call == NULL)
		return 0;
	if (namelen == 5 && memcmp(name, ":path", 5) == 0)
		call->method = srv_lookup(c->srv, value, valuelen);
	else if (namelen == 7 && memcmp(name, ":method", 7) == 0)
		call->is_post = valuelen == 4 && memcmp(value, "POST", 4) == 0;
	else if (namelen == 12 && memcmp(name, "content-type", 12) == 0)
		/* "application/grpc", "application/grpc+proto", ...;grpc */
		call->is_grpc = valuelen >= sizeof(ct) - 1 &&
		                memcmp(value, ct, sizeof(ct) - 1) == 0 &&
		                (valuelen == sizeof(ct) - 1 ||
		                 value[sizeof(ct) - 1] == '+' ||
		                 value[sizeof(ct) - 1] == ';');
	return 0;
}

/* Whole frames: end of request headers (route) and end of request. */
static int on_frame_recv(nghttp2_session *h2, const nghttp2_frame *frame,
                         void *user_data)
{
	struct rpc_call *call;

	if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
		return 0;
	call = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
	if (call == NULL || call->state != CALL_RECV)
		return 0;
	if (frame->hd.type == NGHTTP2_HEADERS &&
	    frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
		if (!call->is_post) {
			call_reject_http(call, "405");
			return 0;
		}
		if (!call->is_grpc) {
			call_reject_http(call, "415");
			return 0;
		}
		if (call->method == NULL) {
			call_reject(call, GRPC_UNIMPLEMENTED, "unknown method");
			return 0;
		}
	}
	if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
		call_dispatch(call);
	return 0;
}

/* The stream is closed (done, reset by the client, or failed). */
static int on_stream_close(nghttp2_session *h2, int32_t stream_id,
                           uint32_t error_code, void *user_data)
{
	struct rpc_call *call =
	        nghttp2_session_get_stream_user_data(h2, stream_id);

	if (call != NULL)
		call_orphan(call);
	return 0;
}

/* Builds the callback table and a server session for one connection. */
static int conn_session_new(struct rpc_conn *c)
{
	nghttp2_session_callbacks *cbs;
	nghttp2_settings_entry iv[] = {
	        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
	         c->srv->cfg.max_streams},
	        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST},
	};
	int rc;

	if (nghttp2_session_callbacks_new(&cbs) != 0)
		return -ENOMEM;
	nghttp2_session_callbacks_set_on_begin_headers_callback(
	        cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs,
	                                                     on_frame_recv);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
	        cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
	                                                       on_stream_close);
	rc = nghttp2_session_server_new(&c->h2, cbs, c);
	nghttp2_session_callbacks_del(cbs);
	if (rc != 0)
		return -ENOMEM;
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, 2) != 0)
		return -ENOMEM;
	return 0;
}

/* Frees a connection once both its handles are closed. */
static void conn_handle_closed(uv_handle_t *h)
{
	struct rpc_conn *c = h->data;
	struct rpc_server *srv = c->srv;

	if (--c->handles > 0)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	free(c->wbuf);
	free(c);
	if (srv->closing) {
		srv_maybe_free(srv);
		return;
	}
	/* A slot is free: accepting resumes at once after EMFILE. */
	if (srv->paused) {
		srv->paused = false;
		uv_timer_stop(&srv->resume);
		uv_poll_start(&srv->poll, UV_READABLE, on_listen);
	}
}

/* Tears a connection down; open calls are cancelled. */
static void conn_close(struct rpc_conn *c)
{
	struct rpc_call *call;

	if (c->closing)
		return;
	if (c->in_h2) {
		c->want_close = true;
		return;
	}
	c->closing = true;
	/* nghttp2_session_del does not report stream closes: do it here. */
	while ((call = c->calls) != NULL)
		call_orphan(call);
	nghttp2_session_del(c->h2);
	c->h2 = NULL;
	uv_close((uv_handle_t *)&c->pipe, conn_handle_closed);
	uv_close((uv_handle_t *)&c->idle, conn_handle_closed);
}

static void on_write(uv_write_t *req, int status);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf);

/* Gathers up to WBUF_SOFT of frames into the write buffer. */
static ssize_t conn_gather(struct rpc_conn *c)
{
	size_t len = 0, cap;
	const uint8_t *data;
	ssize_t n;
	uint8_t *p;

	while (len < WBUF_SOFT) {
		n = nghttp2_session_mem_send(c->h2, &data);
		if (n < 0)
			return -EPROTO;
		if (n == 0)
			break;
		if (len + (size_t)n > c->wcap) {
			cap = c->wcap ? c->wcap : 4096;
			while (cap < len + (size_t)n)
				cap *= 2;
			if ((p = realloc(c->wbuf, cap)) == NULL)
				return -ENOMEM;
			c->wbuf = p;
			c->wcap = cap;
		}
		memcpy(c->wbuf + len, data, (size_t)n);
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/* Writes what nghttp2 has to send; closes a finished session. */
static void conn_flush(struct rpc_conn *c)
{
	uv_buf_t buf;
	ssize_t len;

	if (c->closing || c->writing)
		return;
	c->in_h2 = true;
	len = conn_gather(c);
	c->in_h2 = false;
	if (len < 0 || c->want_close) {
		conn_close(c);
		return;
	}
	if (len > 0) {
		buf = uv_buf_init((char *)c->wbuf, (unsigned)len);
		if (uv_write(&c->wreq, (uv_stream_t *)&c->pipe, &buf, 1,
		             on_write) != 0) {
			conn_close(c);
			return;
		}
		c->writing = true;
		uv_read_stop((uv_stream_t *)&c->pipe);
		return;
	}
	if (!nghttp2_session_want_read(c->h2) &&
	    !nghttp2_session_want_write(c->h2))
		conn_close(c);
}

/* One write done: read again and send whatever came up meanwhile. */
static void on_write(uv_write_t *req, int status)
{
	struct rpc_conn *c = req->data;

	c->writing = false;
	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
	conn_flush(c);
}

/* Reads land in the connection's fixed buffer. */
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct rpc_conn *c = h->data;

	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

/* Input for the session; the idle clock restarts. */
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct rpc_conn *c = s->data;
	ssize_t rc;

	if (nread == 0)
		return;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	uv_timer_again(&c->idle);
	c->in_h2 = true;
	rc = nghttp2_session_mem_recv(c->h2, (const uint8_t *)buf->base,
	                              (size_t)nread);
	c->in_h2 = false;
	if (rc < 0) {
		/* Not HTTP/2 (bad preface) or a flood: nothing to answer. */
		conn_close(c);
		return;
	}
	conn_flush(c);
}

/* No input for idle_ms: close unless a handler is still serving a call. */
static void on_idle(uv_timer_t *t)
{
	struct rpc_conn *c = t->data;
	struct rpc_call *call;

	for (call = c->calls; call != NULL; call = call->next)
		if (call->state != CALL_RECV)
			return;
	conn_close(c);
}

/* True if the caller may get one more connection. */
static bool srv_admit(struct rpc_server *srv, const struct rpc_peer *peer)
{
	struct rpc_conn *c;
	unsigned same = 0;

	if (srv->nconns >= srv->cfg.max_conns) {
		rpc_warn(__func__, "connection cap %u reached, refusing uid %u",
		         srv->cfg.max_conns, (unsigned)peer->uid);
		return false;
	}
	for (c = srv->conns; c != NULL; c = c->next)
		if (!c->closing && c->peer.uid == peer->uid)
			same++;
	if (same >= srv->cfg.max_conns_per_uid) {
		rpc_warn(__func__, "uid %u has %u connections, refusing",
		         (unsigned)peer->uid, same);
		return false;
	}
	return true;
}

/* Takes an accepted socket: credentials, caps, session, handles. */
static void conn_accept(struct rpc_server *srv, int fd)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct rpc_peer peer;
	struct rpc_conn *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		rpc_warn(__func__, "SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	peer = (struct rpc_peer){cred.uid, cred.gid, cred.pid};
	if (!srv_admit(srv, &peer) || (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->peer = peer;
	if (conn_session_new(c) < 0 ||
	    uv_pipe_init(srv->loop, &c->pipe, 0) != 0) {
		if (c->h2)
			nghttp2_session_del(c->h2);
		free(c);
		close(fd);
		return;
	}
	c->pipe.data = c->idle.data = c->wreq.data = c;
	uv_timer_init(srv->loop, &c->idle);
	c->handles = 2;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	if (uv_pipe_open(&c->pipe, fd) != 0) {
		close(fd);
		conn_close(c);
		return;
	}
	uv_timer_start(&c->idle, on_idle, srv->cfg.idle_ms, srv->cfg.idle_ms);
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
	conn_flush(c); /* our SETTINGS */
}

/* EMFILE and friends: stop polling for a while instead of spinning. */
static void srv_pause(struct rpc_server *srv)
{
	rpc_warn(__func__, "accept: %s; pausing for %d ms", strerror(errno),
	         ACCEPT_PAUSE_MS);
	srv->paused = true;
	uv_poll_stop(&srv->poll);
	uv_timer_start(&srv->resume, on_resume, ACCEPT_PAUSE_MS, 0);
}

/* The listening socket is readable: accept a bounded batch. */
static void on_listen(uv_poll_t *p, int status, int events)
{
	struct rpc_server *srv = p->data;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH && !srv->closing; i++) {
		fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_accept(srv, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			srv_pause(srv);
		return;
	}
}

/* The pause is over. */
static void on_resume(uv_timer_t *t)
{
	struct rpc_server *srv = t->data;

	if (!srv->paused || srv->closing)
		return;
	srv->paused = false;
	uv_poll_start(&srv->poll, UV_READABLE, on_listen);
}

int rpc_server_new(uv_loop_t *loop, const struct rpc_method *methods,
                   size_t nmethods, void *ctx,
                   const struct rpc_server_config *cfg, struct rpc_server **out)
{
	struct rpc_server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL)
		return -ENOMEM;
	srv->loop = loop;
	srv->methods = methods;
	srv->nmethods = nmethods;
	srv->ctx = ctx;
	srv->fd = -1;
	if (cfg != NULL)
		srv->cfg = *cfg;
	/* Zero means "the default" field by field. */
	if (srv->cfg.max_conns == 0)
		srv->cfg.max_conns = 64;
	if (srv->cfg.max_conns_per_uid == 0)
		srv->cfg.max_conns_per_uid = 16;
	if (srv->cfg.max_streams == 0)
		srv->cfg.max_streams = 16;
	if (srv->cfg.max_request == 0)
		srv->cfg.max_request = 4u << 20;
	if (srv->cfg.max_response == 0)
		srv->cfg.max_response = 64u << 20;
	if (srv->cfg.max_queued == 0)
		srv->cfg.max_queued = 1u << 20;
	if (srv->cfg.idle_ms == 0)
		srv->cfg.idle_ms = 60000;
	uv_timer_init(loop, &srv->resume);
	srv->resume.data = srv;
	srv->handles = 1;
	*out = srv;
	return 0;
}

int rpc_server_listen_fd(struct rpc_server *srv, int fd)
{
	int rc;

	if (srv->listening || srv->closing)
		return -EBUSY;
	if ((rc = uv_poll_init_socket(srv->loop, &srv->poll, fd)) != 0)
		return rc;
	srv->poll.data = srv;
	srv->handles++;
	srv->listening = true;
	srv->fd = fd;
	return uv_poll_start(&srv->poll, UV_READABLE, on_listen);
}

int rpc_server_listen_path(struct rpc_server *srv, const char *path,
                           mode_t mode)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, mode) != 0 || listen(fd, 128) != 0) {
		rc = -errno;
		goto fail;
	}
	if ((srv->path = strdup(path)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = rpc_server_listen_fd(srv, fd)) < 0)
		goto fail;
	return 0;
fail:
	close(fd);
	return rc;
}

/* Frees a closing server once its handles and connections are gone. */
static void srv_maybe_free(struct rpc_server *srv)
{
	void (*cb)(void *) = srv->close_cb;
	void *arg = srv->close_arg;

	if (srv->handles > 0 || srv->nconns > 0)
		return;
	free(srv->path);
	free(srv);
	if (cb)
		cb(arg);
}

/* One of the server's own handles is closed. */
static void srv_handle_closed(uv_handle_t *h)
{
	struct rpc_server *srv = h->data;

	srv->handles--;
	srv_maybe_free(srv);
}

void rpc_server_close(struct rpc_server *srv, void (*cb)(void *), void *arg)
{
	struct rpc_conn *c, *next;

	if (srv->closing)
		return;
	srv->closing = true;
	srv->close_cb = cb;
	srv->close_arg = arg;
	if (srv->listening) {
		uv_close((uv_handle_t *)&srv->poll, srv_handle_closed);
		close(srv->fd);
		if (srv->path != NULL)
			unlink(srv->path);
	}
	uv_close((uv_handle_t *)&srv->resume, srv_handle_closed);
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
}

unsigned rpc_server_conn_count(const struct rpc_server *srv)
{
	return srv->nconns;
}
