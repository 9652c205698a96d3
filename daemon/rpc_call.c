/*
 * rpc_call: one gRPC call per HTTP/2 stream. Request headers are routed,
 * the body goes through the framing reader and is decoded before the
 * handler runs; responses are queued per stream (bounded for slow readers)
 * and pulled by nghttp2 through a data provider, trailers last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_internal.h"

#define STATUS_MSG_MAX 1024 /* longest grpc-message text kept */

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
void rpc_call__orphan(struct rpc_call *call)
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
		rpc_server__flush(c);
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
		rpc_call__orphan(call);
	return 0;
}

/* Installs the stream callbacks of a server session. */
void rpc_call__callbacks(nghttp2_session_callbacks *cbs)
{
	nghttp2_session_callbacks_set_on_begin_headers_callback(
	        cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs,
	                                                     on_frame_recv);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
	        cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
	                                                       on_stream_close);
}
