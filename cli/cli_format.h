/*
 * cli_format: how cloudabictl shows the daemon's replies: aligned tables
 * and "key: value" blocks for people, JSON for programs (one value per
 * reply; one object per line for streams). Messages are borrowed; output
 * goes to the FILEs in struct cli_format (borrowed). Times are shown in
 * UTC so that output does not depend on the caller's time zone.
 */
#ifndef CLI_FORMAT_H
#define CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_args.h"
#include "supervisor.pb-c.h"

struct cli_format {
	FILE *out;              /* results */
	FILE *err;              /* problems and notes (table mode) */
	enum cli_output output; /* table or json */
	int64_t now_ns;         /* for uptimes and "in 3s" */
};

/* "running", "backoff"...; "unknown" for values this build does not know. */
const char *cli_format_state_name(int state);
/* "running", "stopped" or "unknown". */
const char *cli_format_desired_name(int desired);
/* "17s", "4m12s", "2h05m", "3d04h" (negative counts as 0). */
void cli_format_duration(char *buf, size_t len, int64_t ns);
/* "2026-11-23T08:40:01Z"; "-" for 0. */
void cli_format_time(char *buf, size_t len, int64_t ns);
/* "exit 1", "SIGSEGV", "SIGABRT (core)"; "-" if e is NULL or unset. */
void cli_format_exit(char *buf, size_t len,
                     const Cloudabi__Supervisor__V1__ExitStatus *e);

/* list: NAME STATE PID UPTIME RESTARTS LAST-EXIT, or a JSON array. */
void cli_format_list(const struct cli_format *f,
                     const Cloudabi__Supervisor__V1__ListResponse *l);
/* status NAME: one "key: value" block, or a JSON object. */
void cli_format_status(const struct cli_format *f,
                       const Cloudabi__Supervisor__V1__ServiceStatus *s);
/* start/stop/restart/remove: verb is the command's name. */
void cli_format_operation(const struct cli_format *f, const char *verb,
                          const Cloudabi__Supervisor__V1__OperationResponse *r);
/* deploy: what the daemon stored. */
void cli_format_deploy(const struct cli_format *f,
                       const Cloudabi__Supervisor__V1__DeployResponse *r);
/*
 * Validation result of file: in table mode every error goes to f->err as
 * "file:line:col: message" followed by a count, "ok" to f->out; in JSON
 * mode one object to f->out.
 */
void cli_format_validation(const struct cli_format *f, const char *file,
                           const Cloudabi__Supervisor__V1__ValidateResponse *v);
/* events: one line (table) or one JSON object per line. */
void cli_format_event(const struct cli_format *f,
                      const Cloudabi__Supervisor__V1__Event *e);
/* logs: the bytes as written (table), or one JSON object per line. */
void cli_format_log_chunk(const struct cli_format *f,
                          const Cloudabi__Supervisor__V1__LogChunk *c);

#endif
