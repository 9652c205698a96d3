/*
 * rpc_client: a small blocking gRPC client (HTTP/2 over a UNIX socket,
 * libnghttp2 client session) for cloudabictl, tests and benchmarks. One
 * call at a time per client; calls run to completion on the caller's
 * thread. No global state: clients on different threads are independent.
 */
#ifndef RPC_CLIENT_H
#define RPC_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rpc_client;

/* How a call ended, as the server (or the transport) said. */
struct rpc_status {
	int code;          /* enum grpc_status */
	char message[512]; /* grpc-message, decoded; "" if none */
};

/*
 * Connects to the daemon's socket at path (copied). timeout_ms bounds each
 * wait for the daemon (0: wait forever). Errors: -ENOENT (no socket file)
 * and -ECONNREFUSED (nobody listening) mean the daemon is not running, see
 * rpc_client_daemon_down; -EACCES a permission problem; -ENAMETOOLONG.
 */
int rpc_client_connect(const char *path, int timeout_ms,
                       struct rpc_client **out);
/* Closes the connection and frees the client (NULL is fine). */
void rpc_client_close(struct rpc_client *c);
/* Changes the per-wait timeout (0: forever, for following streams). */
void rpc_client_set_timeout(struct rpc_client *c, int timeout_ms);
/* True for connect errors that mean "no daemon at that path". */
bool rpc_client_daemon_down(int err);

/* Called per response message (borrowed); nonzero cancels the call. */
typedef int rpc_client_raw_fn(const uint8_t *msg, size_t len, void *arg);
typedef int rpc_client_msg_fn(const ProtobufCMessage *msg, void *arg);

/*
 * Calls method ("/pkg.Service/Method") with an encoded request. Returns 0
 * when the call ended with a status (in *st; it may be an error status)
 * and a negative errno when the transport failed: -ECONNRESET (connection
 * lost), -EPROTO (not a gRPC/HTTP/2 peer), -ETIMEDOUT, -ENOTCONN (client
 * already broken). A cancel by fn gives 0 with st->code CANCELLED.
 */
int rpc_client_call_raw(struct rpc_client *c, const char *method,
                        const uint8_t *req, size_t len, rpc_client_raw_fn *fn,
                        void *arg, struct rpc_status *st);
/*
 * Unary call: on OK, *resp is the decoded response (free it with
 * protobuf_c_message_free_unpacked); otherwise *resp is NULL. A response
 * that does not decode, or not exactly one message, gives st->code
 * INTERNAL.
 */
int rpc_client_unary(struct rpc_client *c, const char *method,
                     const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc,
                     ProtobufCMessage **resp, struct rpc_status *st);
/* Server-streaming call: fn gets each decoded message (borrowed). */
int rpc_client_stream(struct rpc_client *c, const char *method,
                      const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *resp_desc,
                      rpc_client_msg_fn *fn, void *arg, struct rpc_status *st);

#endif
