/*
 * cloudabictl: the command-line client of cloudabid. Parses the command
 * line, then hands over to cli_cmd; the exit code says what happened
 * (see cli_exit.h and cloudabictl(1)).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_args.h"
#include "cli_cmd.h"
#include "cli_exit.h"

int main(int argc, char **argv)
{
	struct cli_args a;
	char err[256];
	int rc;

	if (cli_args_parse(argc, argv, getenv("CLOUDABID_SOCKET"), &a, err,
	                   sizeof(err)) != 0) {
		fprintf(stderr,
		        "cloudabictl: %s\n(`cloudabictl help` lists "
		        "commands and options)\n",
		        err);
		return CLI_EXIT_USAGE;
	}
	rc = cli_cmd_run(&a, stdout, stderr);
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
		perror("cloudabictl: stdout");
		rc = CLI_EXIT_FAILURE;
	}
	return rc;
}
