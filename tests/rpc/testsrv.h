/*
 * testsrv: a gRPC test server with dummy handlers on its own libuv loop,
 * run in a thread (tests/rpc/test_rpc_e2e.c) or as a process
 * (rpc_testserver, driven by grpcio_interop.py).
 *
 * Methods (messages from supervisor.proto, health.proto):
 *   Supervisor/Get     unary echo: name, caller uid/pid, cancels seen in
 *                      restart_count; name "missing" -> NOT_FOUND
 *   Supervisor/Deploy  unary, answered later from a timer
 *   Supervisor/Logs    tail_lines chunks "line <i>\n"; with follow, one
 *                      more every 5 ms until the client cancels
 *   Supervisor/Watch   floods 64 KiB events (slow-reader bound)
 *   Health/Check       SERVING for "" and the Supervisor, else NOT_FOUND
 */
#ifndef TESTSRV_H
#define TESTSRV_H

#include "rpc_server.h"

struct testsrv;

/* Serves path with cfg (copied; NULL: defaults) in a new thread. */
struct testsrv *testsrv_start(const char *path,
                              const struct rpc_server_config *cfg);
/* Closes the server, joins the thread; returns the loop's close result
 * (0 only if no handle was left behind). */
int testsrv_stop(struct testsrv *t);

/* For a process: serves path on loop until SIGTERM/SIGINT. */
int testsrv_run(const char *path, const struct rpc_server_config *cfg);

#endif
