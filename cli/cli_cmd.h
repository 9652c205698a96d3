/*
 * cli_cmd: runs one parsed cloudabictl command against the daemon: reads
 * the service file, makes the RPC calls, prints through cli_format and
 * turns the outcome into an exit code (enum cli_exit). The arguments and
 * FILEs are borrowed.
 */
#ifndef CLI_CMD_H
#define CLI_CMD_H

#include <stdio.h>

#include "cli_args.h"

/* A service file larger than this is refused before it is sent. */
#define CLI_MAX_SERVICE_FILE (1u << 20)
/* How long a single wait for the daemon may take (not when following). */
#define CLI_TIMEOUT_MS 30000

/* Runs a; results to out, problems to err. Returns the exit code. */
int cli_cmd_run(const struct cli_args *a, FILE *out, FILE *err);
/* Prints the usage text (for help, and after a usage error). */
void cli_cmd_usage(FILE *f);

#endif
