/*
 * cli_exit: cloudabictl's exit codes and the messages that go with them.
 * Scripts can tell apart a usage error, a daemon that cannot be reached
 * and an operation the daemon refused. Messages are written into caller
 * buffers; nothing here prints or allocates.
 */
#ifndef CLI_EXIT_H
#define CLI_EXIT_H

#include <stddef.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,     /* anything else: I/O, internal errors */
	CLI_EXIT_USAGE = 2,       /* bad command line */
	CLI_EXIT_UNREACHABLE = 3, /* no daemon, or it went away */
	CLI_EXIT_REFUSED = 4,     /* the daemon said no (gRPC error status) */
};

/* Exit code for a call that ended with gRPC status code. */
int cli_exit_of_status(int code);
/* Exit code for a failed connect or transport (negative errno). */
int cli_exit_of_error(int err);
/* gRPC status code's name as in the protocol ("NOT_FOUND"). */
const char *cli_exit_status_name(int code);
/*
 * Writes what went wrong talking to the daemon at socket (err: negative
 * errno from rpc_client_connect or a call) and what to do about it.
 */
void cli_exit_error_message(char *buf, size_t len, const char *socket, int err);
/*
 * Writes "NAME: message" for a refused call, with a hint when useful;
 * control characters of the daemon's message other than '\n' become '?'.
 */
void cli_exit_status_message(char *buf, size_t len, int code,
                             const char *message);

#endif
