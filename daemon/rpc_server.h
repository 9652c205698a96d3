/*
 * rpc_server: a gRPC server (HTTP/2 h2c with prior knowledge, libnghttp2)
 * on a libuv loop, accepting on a listening UNIX socket.
 *
 * Requests are decoded with protobuf-c before a handler runs; the handler
 * borrows the request (freed when it returns) and owns the call until it
 * finishes it exactly once with rpc_call_reply, rpc_call_error or
 * rpc_stream_end, now or later from the loop. A client that goes away does
 * not free the call under the handler: the cancel callback (if set) runs,
 * sends start failing with -ECANCELED, and the handler still finishes it.
 *
 * Bounds (struct rpc_server_config): connections in all and per uid,
 * concurrent streams per connection, request size, bytes queued per
 * stream for a slow reader, idle time. Bad input gets a gRPC status or a
 * closed connection, never an abort.
 *
 * Everything runs on the loop's thread: call these functions only from it
 * (handlers, timers, other callbacks of the same loop).
 *
 * Handles (listener poll, each connection's pipe and timer) live inside the
 * server and its connections and are freed in their close callbacks: after
 * rpc_server_close's callback the loop has no handle of ours left.
 */
#ifndef RPC_SERVER_H
#define RPC_SERVER_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "grpc_wire.h"

struct rpc_server;
struct rpc_call;

/* Who is calling, from SO_PEERCRED when the connection was accepted. */
struct rpc_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

enum rpc_kind {
	RPC_UNARY,         /* one response: rpc_call_reply or rpc_call_error */
	RPC_SERVER_STREAM, /* rpc_stream_send zero or more, rpc_stream_end */
};

/* Runs once per call; req is borrowed for the duration of the call only. */
typedef void rpc_handler_fn(struct rpc_call *call, const ProtobufCMessage *req,
                            void *ctx);
/* The client went away (RST_STREAM, connection closed, server closing). */
typedef void rpc_cancel_fn(struct rpc_call *call, void *arg);

struct rpc_method {
	const char *path; /* "/package.Service/Method", borrowed */
	enum rpc_kind kind;
	const ProtobufCMessageDescriptor *input;
	rpc_handler_fn *handler;
};

struct rpc_server_config {
	unsigned max_conns;         /* all connections; default 64 */
	unsigned max_conns_per_uid; /* default 16 */
	unsigned max_streams;       /* concurrent per connection; default 16 */
	size_t max_request;         /* request message bytes; default 4 MiB */
	size_t max_response;        /* one response message; default 64 MiB */
	size_t max_queued;          /* unsent bytes per stream; default 1 MiB */
	uint64_t idle_ms;           /* no stream open for this long; 60 s */
};

/*
 * Makes a server serving methods (borrowed: the array must outlive the
 * server) with ctx passed to handlers; cfg may be NULL for the defaults
 * (zero fields also take the default). The server is freed by close.
 * SIGPIPE is set to be ignored if it had its default action.
 */
int rpc_server_new(uv_loop_t *loop, const struct rpc_method *methods,
                   size_t nmethods, void *ctx,
                   const struct rpc_server_config *cfg,
                   struct rpc_server **out);
/* Serves a listening SOCK_STREAM socket; the server owns and closes fd. */
int rpc_server_listen_fd(struct rpc_server *srv, int fd);
/*
 * Binds and listens on a UNIX socket at path (an existing socket file is
 * replaced) with the given mode, then serves it. The file is unlinked at
 * close.
 */
int rpc_server_listen_path(struct rpc_server *srv, const char *path,
                           mode_t mode);
/*
 * Stops accepting, closes every connection (cancelling open calls), and
 * frees the server once all its handles are closed, then calls cb (if not
 * NULL) with arg. Calls not yet finished by their handlers stay valid.
 * What a connection has queued (statuses of calls just ended) is written
 * first, with a GOAWAY, within a bounded time.
 */
void rpc_server_close(struct rpc_server *srv, void (*cb)(void *), void *arg);
/* Connections currently open (for tests and metrics). */
unsigned rpc_server_conn_count(const struct rpc_server *srv);

/* The caller's credentials. */
const struct rpc_peer *rpc_call_peer(const struct rpc_call *call);
/* The method being served. */
const struct rpc_method *rpc_call_method(const struct rpc_call *call);
/* Sets the callback run (at most once) if the client goes away first. */
void rpc_call_on_cancel(struct rpc_call *call, rpc_cancel_fn *fn, void *arg);
/* True once the client has gone away or the stream was dropped. */
int rpc_call_cancelled(const struct rpc_call *call);

/* Sends msg (copied) and ends the call with OK; finishes the call. */
int rpc_call_reply(struct rpc_call *call, const ProtobufCMessage *msg);
/* Ends the call with code and message (copied, may be NULL); finishes it. */
int rpc_call_error(struct rpc_call *call, int code, const char *message);
/*
 * Queues one more message (copied) of a streaming call. -ECANCELED if the
 * client is gone; -ENOBUFS if the client reads too slowly (more than
 * max_queued unsent): the stream is then ended with RESOURCE_EXHAUSTED.
 * In both cases the handler should stop and finish the call.
 */
int rpc_stream_send(struct rpc_call *call, const ProtobufCMessage *msg);
/* Ends a streaming call with code and message; finishes the call. */
int rpc_stream_end(struct rpc_call *call, int code, const char *message);

#endif
