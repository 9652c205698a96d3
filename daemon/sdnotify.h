/*
 * sdnotify: the two systemd protocols the daemon speaks, without
 * libsystemd.
 *
 * Readiness (sd_notify): a datagram of "KEY=value" lines sent to the UNIX
 * socket named by $NOTIFY_SOCKET (a path, or an abstract name written with
 * a leading '@'). Without the variable nothing is sent and 0 is returned,
 * so the daemon behaves the same outside systemd.
 *
 * Socket activation: systemd passes listening sockets from fd 3 on, with
 * $LISTEN_PID (our pid) and $LISTEN_FDS (their count).
 */
#ifndef CLOUDABID_SDNOTIFY_H
#define CLOUDABID_SDNOTIFY_H

#include <stdbool.h>

/* First fd of socket activation (SD_LISTEN_FDS_START). */
#define SDNOTIFY_LISTEN_FDS_START 3

/*
 * Sends state (borrowed, e.g. "READY=1\nSTATUS=serving") to
 * $NOTIFY_SOCKET. Returns 0 (also when the variable is unset), -EINVAL
 * for a malformed address, or the negative errno of socket/sendto.
 */
int sdnotify_send(const char *state);
/* printf-style sdnotify_send, bounded to 1024 bytes (-EMSGSIZE). */
int sdnotify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The socket systemd passed us, if any: returns the fd (marked
 * close-on-exec, now owned by the caller), -ENOENT when nothing was
 * passed to this process, -EINVAL when more than one was passed or the
 * fd is not a listening stream socket, -EBADF or -ENOTSOCK when fd 3 is
 * not an open socket. When unset is true the LISTEN_*
 * variables are removed so that children do not see them.
 */
int sdnotify_listen_fd(bool unset);

#endif
