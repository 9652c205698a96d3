/*
 * cli_exit: which exit code each gRPC status and transport error gives,
 * and the advice printed with it. The status names are the protocol's.
 */
#include "cli_exit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "grpc_wire.h"

static const char *const status_names[] = {
        [GRPC_OK] = "OK",
        [GRPC_CANCELLED] = "CANCELLED",
        [GRPC_UNKNOWN] = "UNKNOWN",
        [GRPC_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
        [GRPC_DEADLINE_EXCEEDED] = "DEADLINE_EXCEEDED",
        [GRPC_NOT_FOUND] = "NOT_FOUND",
        [GRPC_ALREADY_EXISTS] = "ALREADY_EXISTS",
        [GRPC_PERMISSION_DENIED] = "PERMISSION_DENIED",
        [GRPC_RESOURCE_EXHAUSTED] = "RESOURCE_EXHAUSTED",
        [GRPC_FAILED_PRECONDITION] = "FAILED_PRECONDITION",
        [GRPC_ABORTED] = "ABORTED",
        [GRPC_OUT_OF_RANGE] = "OUT_OF_RANGE",
        [GRPC_UNIMPLEMENTED] = "UNIMPLEMENTED",
        [GRPC_INTERNAL] = "INTERNAL",
        [GRPC_UNAVAILABLE] = "UNAVAILABLE",
        [GRPC_DATA_LOSS] = "DATA_LOSS",
        [GRPC_UNAUTHENTICATED] = "UNAUTHENTICATED",
};

const char *cli_exit_status_name(int code)
{
	if (code < 0 ||
	    (size_t)code >= sizeof(status_names) / sizeof(status_names[0]))
		return "UNKNOWN_STATUS";
	return status_names[code];
}

int cli_exit_of_status(int code)
{
	switch (code) {
	case GRPC_OK:
		return CLI_EXIT_OK;
	/* The daemon understood the request and declined it. */
	case GRPC_INVALID_ARGUMENT:
	case GRPC_NOT_FOUND:
	case GRPC_ALREADY_EXISTS:
	case GRPC_PERMISSION_DENIED:
	case GRPC_UNAUTHENTICATED:
	case GRPC_RESOURCE_EXHAUSTED:
	case GRPC_FAILED_PRECONDITION:
	case GRPC_ABORTED:
	case GRPC_OUT_OF_RANGE:
		return CLI_EXIT_REFUSED;
	/* Shutting down or overloaded: as good as not there. */
	case GRPC_UNAVAILABLE:
		return CLI_EXIT_UNREACHABLE;
	default:
		return CLI_EXIT_FAILURE;
	}
}

int cli_exit_of_error(int err)
{
	switch (err) {
	case 0:
		return CLI_EXIT_OK;
	case -ENOENT:
	case -ECONNREFUSED:
	case -EACCES:
	case -EPERM:
	case -ENOTDIR:
	case -ECONNRESET:
	case -EPIPE:
	case -ETIMEDOUT:
	case -ENOTCONN:
		return CLI_EXIT_UNREACHABLE;
	default:
		return CLI_EXIT_FAILURE;
	}
}

void cli_exit_error_message(char *buf, size_t len, const char *socket, int err)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTDIR:
		snprintf(buf, len,
		         "cloudabid is not running at %s: start it with "
		         "`systemctl start cloudabid` or pass --socket",
		         socket);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, len,
		         "no permission to connect to %s: run as root or as a "
		         "member of cloudabid's control group",
		         socket);
		break;
	case -ECONNRESET:
	case -EPIPE:
	case -ENOTCONN:
		snprintf(buf, len,
		         "lost the connection to cloudabid at %s: check "
		         "`journalctl -u cloudabid` and retry",
		         socket);
		break;
	case -ETIMEDOUT:
		snprintf(buf, len,
		         "cloudabid at %s did not answer in time: check that "
		         "it is not stuck (`journalctl -u cloudabid`)",
		         socket);
		break;
	case -EPROTO:
		snprintf(buf, len,
		         "%s does not speak cloudabid's protocol: is --socket "
		         "the right path?",
		         socket);
		break;
	case -ENAMETOOLONG:
		snprintf(buf, len, "socket path too long: %s", socket);
		break;
	default:
		snprintf(buf, len, "talking to cloudabid at %s: %s", socket,
		         strerror(-err));
		break;
	}
}

void cli_exit_status_message(char *buf, size_t len, int code,
                             const char *message)
{
	const char *hint = "";

	if (code == GRPC_NOT_FOUND)
		hint = " (`cloudabictl list` shows what is deployed)";
	else if (code == GRPC_PERMISSION_DENIED)
		hint = " (changes need root or cloudabid's control group)";
	else if (code == GRPC_UNIMPLEMENTED)
		hint = " (cloudabid is older than this cloudabictl)";
	snprintf(buf, len, "%s: %s%s", cli_exit_status_name(code),
	         message != NULL && message[0] != '\0' ? message
	                                               : "(no message)",
	         hint);
	/* The daemon's text must not drive the terminal; lines may stay. */
	for (; *buf != '\0'; buf++)
		if (((unsigned char)*buf < 0x20 && *buf != '\n') ||
		    *buf == 0x7f)
			*buf = '?';
}
