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
#include "rpc_internal.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define WBUF_SOFT       65536 /* stop pulling frames once this is queued */
#define ACCEPT_BATCH    32    /* accepts per wake-up, to stay fair */
#define ACCEPT_PAUSE_MS 500   /* retry delay after EMFILE */
#define MAX_HEADER_LIST 16384
#define RPC_DRAIN_MS    1000 /* a closing connection's last writes */

static void conn_close(struct rpc_conn *c);
static void conn_drain(struct rpc_conn *c);
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
	rpc_call__callbacks(cbs);
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
		rpc_call__orphan(call);
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
void rpc_server__flush(struct rpc_conn *c)
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
	rpc_server__flush(c);
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
	rpc_server__flush(c);
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
	rpc_server__flush(c); /* our SETTINGS */
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
	struct sigaction sa;

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
	/* A client that hangs up while we write must not kill the daemon
	 * (libuv writes without MSG_NOSIGNAL). Only the default action is
	 * replaced: a caller's own handler stays. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
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

/* The drain of a closing connection took too long: cut it. */
static void on_drain_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

/*
 * Closes a connection once what is queued (the statuses of the streams
 * just ended, then a GOAWAY) is written, so that clients learn why; a
 * client that does not read is cut after RPC_DRAIN_MS.
 */
static void conn_drain(struct rpc_conn *c)
{
	if (c->closing)
		return;
	/* Not terminate_session: that drops what is queued behind GOAWAY. */
	if (c->h2 == NULL ||
	    nghttp2_submit_goaway(
	            c->h2, NGHTTP2_FLAG_NONE,
	            nghttp2_session_get_last_proc_stream_id(c->h2),
	            NGHTTP2_NO_ERROR, NULL, 0) != 0) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->idle, on_drain_timeout, RPC_DRAIN_MS, 0);
	rpc_server__flush(c);
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
		conn_drain(c);
	}
}

unsigned rpc_server_conn_count(const struct rpc_server *srv)
{
	return srv->nconns;
}
