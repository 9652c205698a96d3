/*
 * rpc_internal: what rpc_server.c (connections, listener) and rpc_call.c
 * (one call per HTTP/2 stream) share. Not for users of the server.
 */
#ifndef RPC_INTERNAL_H
#define RPC_INTERNAL_H

#include <nghttp2/nghttp2.h>
#include <stdbool.h>

#include "rpc_server.h"

#define RPC_RBUF_LEN 16384

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
	char rbuf[RPC_RBUF_LEN];
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

/* Writes what the connection's session has to send (rpc_server.c). */
void rpc_server__flush(struct rpc_conn *c);
/* The call's stream is gone: cancel or free it (rpc_call.c). */
void rpc_call__orphan(struct rpc_call *call);
/* Installs the stream callbacks of a server session (rpc_call.c). */
void rpc_call__callbacks(nghttp2_session_callbacks *cbs);

#endif
