/*
 * cli_args: cloudabictl's command line, parsed into a struct without side
 * effects (no printing, no exiting) so that it can be tested on its own.
 * Global options (--socket, -o) are accepted before or after the command.
 * All strings in struct cli_args are borrowed from argv or the environment.
 */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_DEFAULT_SOCKET "/run/cloudabid/control.sock"

enum cli_command {
	CLI_CMD_HELP = 0, /* also: no command at all */
	CLI_CMD_DEPLOY,
	CLI_CMD_LIST,
	CLI_CMD_STATUS,
	CLI_CMD_START,
	CLI_CMD_STOP,
	CLI_CMD_RESTART,
	CLI_CMD_REMOVE,
	CLI_CMD_LOGS,
	CLI_CMD_EVENTS,
	CLI_CMD_VERSION,
	CLI_CMD_COMPLETE, /* hidden: "__complete services" for bash */
};

enum cli_output {
	CLI_OUTPUT_TABLE = 0,
	CLI_OUTPUT_JSON,
};

struct cli_args {
	enum cli_command cmd;
	enum cli_output output;
	const char *socket; /* --socket, else $CLOUDABID_SOCKET, else default */
	const char *name;   /* service name, NULL when none was given */
	const char *file;   /* deploy: the service file */
	bool dry_run;       /* deploy --dry-run */
	bool follow;        /* logs -f, events -f */
	uint32_t lines;     /* logs -n; 0: everything the daemon holds */
};

/*
 * Parses argv[1..argc-1]; env_socket is $CLOUDABID_SOCKET (may be NULL).
 * Returns 0, or -EINVAL with a one-line reason in err (what was wrong and
 * what is expected) for a usage error.
 */
int cli_args_parse(int argc, char **argv, const char *env_socket,
                   struct cli_args *out, char *err, size_t errlen);
/* The command's name as typed, for messages ("deploy"). */
const char *cli_args_command_name(enum cli_command cmd);

#endif
