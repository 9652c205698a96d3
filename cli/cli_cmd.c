/*
 * cli_cmd: one function per command. Each returns an exit code; errors
 * are printed once, where they are found, as "cloudabictl: what: why".
 */
#include "cli_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_exit.h"
#include "cli_format.h"
#include "grpc_wire.h"
#include "rpc_client.h"
#include "supervisor.pb-c.h"

#define SUPERVISOR "/cloudabi.supervisor.v1.Supervisor/"

/* What every command needs. */
struct ctx {
	const struct cli_args *a;
	struct cli_format fmt;
	struct rpc_client *c;
};

/* Current wall-clock time in nanoseconds. */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Reports a failed call (transport error rc, or error status st) and
 * returns its exit code; returns CLI_EXIT_OK if the call succeeded.
 */
static int call_result(struct ctx *x, const char *what, int rc,
                       const struct rpc_status *st)
{
	char msg[768];

	if (rc < 0) {
		cli_exit_error_message(msg, sizeof(msg), x->a->socket, rc);
		fprintf(x->fmt.err, "cloudabictl: %s: %s\n", what, msg);
		return cli_exit_of_error(rc);
	}
	if (st->code == GRPC_OK)
		return CLI_EXIT_OK;
	cli_exit_status_message(msg, sizeof(msg), st->code, st->message);
	fprintf(x->fmt.err, "cloudabictl: %s: %s\n", what, msg);
	return cli_exit_of_status(st->code);
}

/* A unary call; *resp is set only when the exit code is CLI_EXIT_OK. */
static int unary(struct ctx *x, const char *what, const char *method,
                 const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **resp)
{
	struct rpc_status st;
	int rc;

	rc = rpc_client_unary(x->c, method, req, desc, resp, &st);
	return call_result(x, what, rc, &st);
}

/* Reads the whole service file (or stdin for "-"); caller frees *text. */
static int read_file(struct ctx *x, const char *path, char **text)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t cap = CLI_MAX_SERVICE_FILE + 1, n;
	char *buf = NULL;
	int rc = CLI_EXIT_FAILURE;

	if (f == NULL || (buf = malloc(cap)) == NULL) {
		fprintf(x->fmt.err, "cloudabictl: cannot read %s: %s\n", path,
		        strerror(errno));
		goto out;
	}
	n = fread(buf, 1, cap - 1, f);
	if (ferror(f)) {
		fprintf(x->fmt.err, "cloudabictl: cannot read %s: %s\n", path,
		        strerror(errno));
		goto out;
	}
	if (n == cap - 1 && fgetc(f) != EOF) {
		fprintf(x->fmt.err,
		        "cloudabictl: %s is larger than %u bytes: not a "
		        "service file?\n",
		        path, CLI_MAX_SERVICE_FILE);
		goto out;
	}
	buf[n] = '\0';
	*text = buf;
	buf = NULL;
	rc = CLI_EXIT_OK;
out:
	free(buf);
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}

/* deploy FILE [--dry-run]: Validate, print every error, then Deploy. */
static int cmd_deploy(struct ctx *x)
{
	Cloudabi__Supervisor__V1__DeployRequest req =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_REQUEST__INIT;
	Cloudabi__Supervisor__V1__ValidateResponse *v = NULL;
	Cloudabi__Supervisor__V1__DeployResponse *d = NULL;
	const char *file = x->a->file;
	char *text = NULL, *abs = NULL;
	int rc;

	if ((rc = read_file(x, file, &text)) != CLI_EXIT_OK)
		return rc;
	req.yaml = text;
	/* The daemon resolves a relative `executable:` against the directory
	 * of an absolute file name (service.yaml(5)): send the real path. */
	if (strcmp(file, "-") != 0)
		abs = realpath(file, NULL);
	req.file_name = strcmp(file, "-") == 0 ? "stdin"
	                : abs != NULL          ? abs
	                                       : (char *)file;
	req.dry_run = true;
	rc = unary(x, "validate", SUPERVISOR "Validate", &req.base,
	           &cloudabi__supervisor__v1__validate_response__descriptor,
	           (ProtobufCMessage **)&v);
	if (rc != CLI_EXIT_OK)
		goto out;
	/* Only one JSON value per run: validation shows unless deploying. */
	if (!v->ok || x->a->dry_run)
		cli_format_validation(&x->fmt, req.file_name, v);
	if (!v->ok) {
		rc = CLI_EXIT_REFUSED;
		goto out;
	}
	if (x->a->dry_run)
		goto out;
	req.dry_run = false;
	rc = unary(x, "deploy", SUPERVISOR "Deploy", &req.base,
	           &cloudabi__supervisor__v1__deploy_response__descriptor,
	           (ProtobufCMessage **)&d);
	if (rc == CLI_EXIT_OK)
		cli_format_deploy(&x->fmt, d);
out:
	free(abs);
	if (v != NULL)
		protobuf_c_message_free_unpacked(&v->base, NULL);
	if (d != NULL)
		protobuf_c_message_free_unpacked(&d->base, NULL);
	free(text);
	return rc;
}

/* Fetches the list of services; caller frees *l. */
static int fetch_list(struct ctx *x, Cloudabi__Supervisor__V1__ListResponse **l)
{
	Cloudabi__Supervisor__V1__ListRequest req =
	        CLOUDABI__SUPERVISOR__V1__LIST_REQUEST__INIT;

	return unary(x, "list", SUPERVISOR "List", &req.base,
	             &cloudabi__supervisor__v1__list_response__descriptor,
	             (ProtobufCMessage **)l);
}

/* list. */
static int cmd_list(struct ctx *x)
{
	Cloudabi__Supervisor__V1__ListResponse *l = NULL;
	int rc;

	if ((rc = fetch_list(x, &l)) != CLI_EXIT_OK)
		return rc;
	cli_format_list(&x->fmt, l);
	protobuf_c_message_free_unpacked(&l->base, NULL);
	return CLI_EXIT_OK;
}

/* __complete services: names one per line, for bash completion. */
static int cmd_complete(struct ctx *x)
{
	Cloudabi__Supervisor__V1__ListResponse *l = NULL;
	size_t i;
	int rc;

	if (strcmp(x->a->name, "services") != 0)
		return CLI_EXIT_USAGE;
	if ((rc = fetch_list(x, &l)) != CLI_EXIT_OK)
		return rc;
	for (i = 0; i < l->n_services; i++)
		if (strpbrk(l->services[i]->name, " \t\n\r'\"\\$`") == NULL)
			fprintf(x->fmt.out, "%s\n", l->services[i]->name);
	protobuf_c_message_free_unpacked(&l->base, NULL);
	return CLI_EXIT_OK;
}

/* Gets one service's status; caller frees *s. */
static int fetch_status(struct ctx *x, const char *what,
                        Cloudabi__Supervisor__V1__ServiceStatus **s)
{
	Cloudabi__Supervisor__V1__GetRequest req =
	        CLOUDABI__SUPERVISOR__V1__GET_REQUEST__INIT;

	req.name = (char *)x->a->name;
	return unary(x, what, SUPERVISOR "Get", &req.base,
	             &cloudabi__supervisor__v1__service_status__descriptor,
	             (ProtobufCMessage **)s);
}

/* status NAME. */
static int cmd_status(struct ctx *x)
{
	Cloudabi__Supervisor__V1__ServiceStatus *s = NULL;
	int rc;

	if ((rc = fetch_status(x, x->a->name, &s)) != CLI_EXIT_OK)
		return rc;
	cli_format_status(&x->fmt, s);
	protobuf_c_message_free_unpacked(&s->base, NULL);
	return CLI_EXIT_OK;
}

/* start, stop, restart, remove NAME. */
static int cmd_operation(struct ctx *x, const char *method)
{
	Cloudabi__Supervisor__V1__NameRequest req =
	        CLOUDABI__SUPERVISOR__V1__NAME_REQUEST__INIT;
	Cloudabi__Supervisor__V1__OperationResponse *r = NULL;
	const char *verb = cli_args_command_name(x->a->cmd);
	char what[128], full[64];
	int rc;

	snprintf(what, sizeof(what), "%s %s", verb, x->a->name);
	snprintf(full, sizeof(full), SUPERVISOR "%s", method);
	req.name = (char *)x->a->name;
	rc = unary(x, what, full, &req.base,
	           &cloudabi__supervisor__v1__operation_response__descriptor,
	           (ProtobufCMessage **)&r);
	if (rc != CLI_EXIT_OK)
		return rc;
	cli_format_operation(&x->fmt, verb, r);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return CLI_EXIT_OK;
}

/* Prints one log chunk as it arrives; stops when stdout is gone. */
static int on_log(const ProtobufCMessage *m, void *arg)
{
	struct ctx *x = arg;

	cli_format_log_chunk(&x->fmt,
	                     (const Cloudabi__Supervisor__V1__LogChunk *)m);
	return fflush(x->fmt.out) != 0 || ferror(x->fmt.out);
}

/* logs [-f] [-n LINES] NAME. */
static int cmd_logs(struct ctx *x)
{
	Cloudabi__Supervisor__V1__LogsRequest req =
	        CLOUDABI__SUPERVISOR__V1__LOGS_REQUEST__INIT;
	struct rpc_status st;
	int rc;

	req.name = (char *)x->a->name;
	req.follow = x->a->follow;
	req.tail_lines = x->a->lines;
	if (x->a->follow)
		rpc_client_set_timeout(x->c, 0); /* quiet services are fine */
	rc = rpc_client_stream(x->c, SUPERVISOR "Logs", &req.base,
	                       &cloudabi__supervisor__v1__log_chunk__descriptor,
	                       on_log, x, &st);
	if (rc == 0 && st.code == GRPC_CANCELLED && ferror(x->fmt.out))
		return CLI_EXIT_FAILURE;
	return call_result(x, "logs", rc, &st);
}

/* Progress of "events" without -f: stop after the snapshots. */
struct events_ctx {
	struct ctx *x;
	size_t want; /* snapshots expected; 0 with -f (never stop) */
	size_t got;
};

/* Prints one event; without -f, cancels once every snapshot is in. */
static int on_event(const ProtobufCMessage *m, void *arg)
{
	const Cloudabi__Supervisor__V1__Event *e = (const void *)m;
	struct events_ctx *ev = arg;

	cli_format_event(&ev->x->fmt, e);
	if (fflush(ev->x->fmt.out) != 0 || ferror(ev->x->fmt.out))
		return 1;
	if (e->kind ==
	    CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_SNAPSHOT)
		ev->got++;
	return ev->want > 0 && ev->got >= ev->want;
}

/* How many snapshots "events" without -f waits for (name: must exist). */
static int count_services(struct ctx *x, size_t *n)
{
	Cloudabi__Supervisor__V1__ServiceStatus *s = NULL;
	Cloudabi__Supervisor__V1__ListResponse *l = NULL;
	int rc;

	if (x->a->name != NULL) {
		if ((rc = fetch_status(x, x->a->name, &s)) == CLI_EXIT_OK) {
			*n = 1;
			protobuf_c_message_free_unpacked(&s->base, NULL);
		}
		return rc;
	}
	if ((rc = fetch_list(x, &l)) == CLI_EXIT_OK) {
		*n = l->n_services;
		protobuf_c_message_free_unpacked(&l->base, NULL);
	}
	return rc;
}

/*
 * events [-f] [NAME]: the current state of each service (snapshots);
 * with -f, then every change as it happens until interrupted.
 */
static int cmd_events(struct ctx *x)
{
	Cloudabi__Supervisor__V1__WatchRequest req =
	        CLOUDABI__SUPERVISOR__V1__WATCH_REQUEST__INIT;
	struct events_ctx ev = {.x = x};
	struct rpc_status st;
	int rc;

	if (!x->a->follow) {
		if ((rc = count_services(x, &ev.want)) != CLI_EXIT_OK)
			return rc;
		if (ev.want == 0)
			return CLI_EXIT_OK;
	} else {
		rpc_client_set_timeout(x->c, 0);
	}
	req.name = x->a->name != NULL ? (char *)x->a->name : "";
	req.replay = true;
	rc = rpc_client_stream(x->c, SUPERVISOR "Watch", &req.base,
	                       &cloudabi__supervisor__v1__event__descriptor,
	                       on_event, &ev, &st);
	if (rc == 0 && st.code == GRPC_CANCELLED && ferror(x->fmt.out))
		return CLI_EXIT_FAILURE;
	/* We hung up after the last snapshot: that is success. */
	if (rc == 0 && st.code == GRPC_CANCELLED && ev.want > 0)
		return CLI_EXIT_OK;
	return call_result(x, "events", rc, &st);
}

/* Runs a command that needs the daemon, on connected client x->c. */
static int dispatch(struct ctx *x)
{
	switch (x->a->cmd) {
	case CLI_CMD_DEPLOY:
		return cmd_deploy(x);
	case CLI_CMD_LIST:
		return cmd_list(x);
	case CLI_CMD_STATUS:
		return cmd_status(x);
	case CLI_CMD_START:
		return cmd_operation(x, "Start");
	case CLI_CMD_STOP:
		return cmd_operation(x, "Stop");
	case CLI_CMD_RESTART:
		return cmd_operation(x, "Restart");
	case CLI_CMD_REMOVE:
		return cmd_operation(x, "Remove");
	case CLI_CMD_LOGS:
		return cmd_logs(x);
	case CLI_CMD_EVENTS:
		return cmd_events(x);
	case CLI_CMD_COMPLETE:
		return cmd_complete(x);
	default:
		abort(); /* help and version never get here */
	}
}

void cli_cmd_usage(FILE *f)
{
	fputs("usage: cloudabictl [--socket PATH] [-o table|json] COMMAND\n"
	      "commands:\n"
	      "  deploy FILE [--dry-run]   validate FILE, then deploy it\n"
	      "  list                      every service and its state\n"
	      "  status NAME               one service in detail\n"
	      "  start|stop|restart NAME   change what a service should do\n"
	      "  remove NAME               stop and forget a service\n"
	      "  logs [-f] [-n LINES] NAME a service's output\n"
	      "  events [-f] [NAME]        states, then (-f) changes\n"
	      "  version                   this program's version\n"
	      "  help                      this text\n"
	      "socket: --socket, else $CLOUDABID_SOCKET, "
	      "else " CLI_DEFAULT_SOCKET "\n"
	      "exit: 0 ok, 1 error, 2 usage, 3 daemon unreachable, 4 refused\n"
	      "see cloudabictl(1)\n",
	      f);
}

/* version: needs no daemon. */
static int cmd_version(const struct cli_args *a, FILE *out)
{
	if (a->output == CLI_OUTPUT_JSON)
		fprintf(out, "{\"version\":\"%s\"}\n", CLOUDABICTL_VERSION);
	else
		fprintf(out, "cloudabictl %s\n", CLOUDABICTL_VERSION);
	return CLI_EXIT_OK;
}

int cli_cmd_run(const struct cli_args *a, FILE *out, FILE *err)
{
	struct ctx x = {.a = a,
	                .fmt = {.out = out, .err = err, .output = a->output}};
	char msg[768];
	int rc;

	if (a->cmd == CLI_CMD_HELP) {
		cli_cmd_usage(out);
		return CLI_EXIT_OK;
	}
	if (a->cmd == CLI_CMD_VERSION)
		return cmd_version(a, out);
	x.fmt.now_ns = now_ns();
	rc = rpc_client_connect(a->socket, CLI_TIMEOUT_MS, &x.c);
	if (rc < 0) {
		if (a->cmd != CLI_CMD_COMPLETE) {
			cli_exit_error_message(msg, sizeof(msg), a->socket, rc);
			fprintf(err, "cloudabictl: %s\n", msg);
		}
		return cli_exit_of_error(rc);
	}
	rc = dispatch(&x);
	rpc_client_close(x.c);
	return rc;
}
