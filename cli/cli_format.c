/*
 * cli_format: tables are built in two passes over the rows (widths, then
 * printing) from cells formatted into fixed buffers; text that came from
 * the daemon is printed with control characters replaced, so that a
 * service name or message cannot drive the terminal.
 */
#include "cli_format.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cli_json.h"

#define NS_PER_S INT64_C(1000000000)

typedef Cloudabi__Supervisor__V1__ServiceStatus service_status;
typedef Cloudabi__Supervisor__V1__ExitStatus exit_status;

static const char *const state_names[] = {
        "unspecified", "stopped",  "starting", "running",
        "backoff",     "stopping", "failed",   "exited",
};

static const char *const kind_names[] = {
        "unspecified", "state",     "deployed", "removed",
        "exited",      "operation", "snapshot",
};

const char *cli_format_state_name(int state)
{
	if (state < 0 ||
	    (size_t)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[state];
}

const char *cli_format_desired_name(int desired)
{
	switch (desired) {
	case CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_RUNNING:
		return "running";
	case CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

/* The event kind's name; "unknown" past the known ones. */
static const char *kind_name(int kind)
{
	if (kind < 0 ||
	    (size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}

void cli_format_duration(char *buf, size_t len, int64_t ns)
{
	int64_t s = ns > 0 ? ns / NS_PER_S : 0;

	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60,
		         s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		         s / 60 % 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400,
		         s / 3600 % 24);
}

void cli_format_time(char *buf, size_t len, int64_t ns)
{
	time_t t = (time_t)(ns / NS_PER_S);
	struct tm tm;

	if (ns <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
}

void cli_format_exit(char *buf, size_t len, const exit_status *e)
{
	const char *abbrev;

	if (e == NULL ||
	    e->how_case ==
	            CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW__NOT_SET) {
		snprintf(buf, len, "-");
		return;
	}
	if (e->how_case == CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE) {
		snprintf(buf, len, "exit %" PRId32, e->code);
		return;
	}
	abbrev = e->signal > 0 ? sigabbrev_np(e->signal) : NULL;
	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s%s", abbrev,
		         e->core_dumped ? " (core)" : "");
	else
		snprintf(buf, len, "signal %" PRId32 "%s", e->signal,
		         e->core_dumped ? " (core)" : "");
}

/* Writes s, control characters shown as '?', padded to width. */
static void put_text(FILE *out, const char *s, size_t width)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

/* Columns of the list table. */
enum {
	COL_NAME,
	COL_STATE,
	COL_PID,
	COL_UPTIME,
	COL_RESTARTS,
	COL_EXIT,
	NCOLS
};

static const char *const col_titles[NCOLS] = {
        "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST-EXIT",
};

/* True in the states where the instance's start time means something. */
static bool has_process(const service_status *s)
{
	return s->pid > 0 && s->start_time_ns > 0 &&
	       (s->state ==
	                CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_RUNNING ||
	        s->state ==
	                CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_STARTING ||
	        s->state ==
	                CLOUDABI__SUPERVISOR__V1__SERVICE_STATE__SERVICE_STATE_STOPPING);
}

/* Formats the cells of one row (the name is used as is, not copied). */
static void list_cells(const service_status *s, int64_t now,
                       char cells[NCOLS][64])
{
	cells[COL_NAME][0] = '\0';
	snprintf(cells[COL_STATE], 64, "%s", cli_format_state_name(s->state));
	if (s->pid > 0)
		snprintf(cells[COL_PID], 64, "%" PRId32, s->pid);
	else
		snprintf(cells[COL_PID], 64, "-");
	if (has_process(s))
		cli_format_duration(cells[COL_UPTIME], 64,
		                    now - s->start_time_ns);
	else
		snprintf(cells[COL_UPTIME], 64, "-");
	snprintf(cells[COL_RESTARTS], 64, "%" PRIu32, s->restart_count);
	cli_format_exit(cells[COL_EXIT], 64, s->last_exit);
}

/* Prints one row; the last column is not padded (no trailing blanks). */
static void list_row(FILE *out, const char *name, char cells[NCOLS][64],
                     const size_t width[NCOLS])
{
	int c;

	for (c = 0; c < NCOLS; c++) {
		const char *text = c == COL_NAME ? name : cells[c];

		put_text(out, text, c + 1 < NCOLS ? width[c] : 0);
		fputs(c + 1 < NCOLS ? "  " : "\n", out);
	}
}

/* The list as an aligned table. */
static void list_table(const struct cli_format *f,
                       const Cloudabi__Supervisor__V1__ListResponse *l)
{
	char cells[NCOLS][64];
	size_t width[NCOLS], i;
	int c;

	for (c = 0; c < NCOLS; c++)
		width[c] = strlen(col_titles[c]);
	for (i = 0; i < l->n_services; i++) {
		list_cells(l->services[i], f->now_ns, cells);
		if (strlen(l->services[i]->name) > width[COL_NAME])
			width[COL_NAME] = strlen(l->services[i]->name);
		for (c = 1; c < NCOLS; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	for (c = 0; c < NCOLS; c++)
		snprintf(cells[c], 64, "%s", col_titles[c]);
	list_row(f->out, col_titles[COL_NAME], cells, width);
	for (i = 0; i < l->n_services; i++) {
		list_cells(l->services[i], f->now_ns, cells);
		list_row(f->out, l->services[i]->name, cells, width);
	}
}

/* An ExitStatus as a JSON object, or null. */
static void exit_json(struct cli_json *j, const exit_status *e)
{
	char name[32];

	if (e == NULL ||
	    e->how_case ==
	            CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW__NOT_SET) {
		cli_json_null(j);
		return;
	}
	cli_json_begin_object(j);
	if (e->how_case == CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE) {
		cli_json_key(j, "code");
		cli_json_int(j, e->code);
	} else {
		cli_json_key(j, "signal");
		cli_json_int(j, e->signal);
		cli_json_key(j, "signal_name");
		cli_format_exit(name, sizeof(name), e);
		name[strcspn(name, " ")] = '\0'; /* drop " (core)" */
		/* Signals without a name come out as "signal N": null. */
		cli_json_string(j, strncmp(name, "SIG", 3) == 0 ? name : NULL);
	}
	cli_json_key(j, "time_ns");
	cli_json_int(j, e->time_ns);
	cli_json_key(j, "core_dumped");
	cli_json_bool(j, e->core_dumped);
	cli_json_end_object(j);
}

/* Writes "key": string. */
static void kv_str(struct cli_json *j, const char *k, const char *v)
{
	cli_json_key(j, k);
	cli_json_string(j, v);
}

/* Writes "key": integer. */
static void kv_int(struct cli_json *j, const char *k, int64_t v)
{
	cli_json_key(j, k);
	cli_json_int(j, v);
}

/* A ServiceStatus as a JSON object; the spec only when asked for. */
static void status_json(struct cli_json *j, const service_status *s,
                        bool with_spec)
{
	cli_json_begin_object(j);
	kv_str(j, "name", s->name);
	kv_str(j, "state", cli_format_state_name(s->state));
	kv_str(j, "desired", cli_format_desired_name(s->desired));
	kv_int(j, "pid", s->pid);
	kv_int(j, "start_time_ns", s->start_time_ns);
	kv_int(j, "state_since_ns", s->state_since_ns);
	kv_int(j, "restart_count", s->restart_count);
	cli_json_key(j, "last_exit");
	exit_json(j, s->last_exit);
	kv_int(j, "next_start_ns", s->next_start_ns);
	cli_json_key(j, "generation");
	cli_json_uint(j, s->generation);
	kv_str(j, "executable", s->executable);
	kv_str(j, "restart_policy", s->restart_policy);
	kv_str(j, "message", s->message);
	kv_int(j, "uid", s->uid);
	kv_int(j, "gid", s->gid);
	kv_int(j, "deployed_ns", s->deployed_ns);
	if (with_spec)
		kv_str(j, "spec_yaml", s->spec_yaml);
	cli_json_end_object(j);
}

void cli_format_list(const struct cli_format *f,
                     const Cloudabi__Supervisor__V1__ListResponse *l)
{
	struct cli_json j;
	size_t i;

	if (f->output == CLI_OUTPUT_TABLE) {
		list_table(f, l);
		return;
	}
	cli_json_init(&j, f->out);
	cli_json_begin_array(&j);
	for (i = 0; i < l->n_services; i++)
		status_json(&j, l->services[i], false);
	cli_json_end_array(&j);
	fputc('\n', f->out);
}

/* Prints "Label:      value" with the label column aligned. */
static void field(FILE *out, const char *label, const char *value)
{
	fprintf(out, "%-12s ", label);
	put_text(out, value, 0);
	fputc('\n', out);
}

/* The "State:" line: state, and since when, for how long. */
static void status_state_line(const struct cli_format *f,
                              const service_status *s)
{
	char since[32], dur[32], line[128];

	if (s->state_since_ns > 0) {
		cli_format_time(since, sizeof(since), s->state_since_ns);
		cli_format_duration(dur, sizeof(dur),
		                    f->now_ns - s->state_since_ns);
		snprintf(line, sizeof(line), "%s since %s (%s)",
		         cli_format_state_name(s->state), since, dur);
	} else {
		snprintf(line, sizeof(line), "%s",
		         cli_format_state_name(s->state));
	}
	field(f->out, "State:", line);
}

/* status NAME for people. */
static void status_table(const struct cli_format *f, const service_status *s)
{
	char buf[128], when[32];

	field(f->out, "Name:", s->name);
	status_state_line(f, s);
	field(f->out, "Desired:", cli_format_desired_name(s->desired));
	snprintf(buf, sizeof(buf), "%" PRId32, s->pid);
	field(f->out, "PID:", s->pid > 0 ? buf : "-");
	if (has_process(s)) {
		cli_format_duration(buf, sizeof(buf),
		                    f->now_ns - s->start_time_ns);
		field(f->out, "Uptime:", buf);
	}
	snprintf(buf, sizeof(buf), "%" PRIu32, s->restart_count);
	field(f->out, "Restarts:", buf);
	cli_format_exit(buf, sizeof(buf), s->last_exit);
	if (s->last_exit != NULL && s->last_exit->time_ns > 0) {
		cli_format_time(when, sizeof(when), s->last_exit->time_ns);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " at %s",
		         when);
	}
	field(f->out, "Last exit:", buf);
	if (s->next_start_ns > 0) {
		cli_format_duration(when, sizeof(when),
		                    s->next_start_ns - f->now_ns);
		snprintf(buf, sizeof(buf), "in %s", when);
		field(f->out, "Next start:", buf);
	}
	if (s->message[0] != '\0')
		field(f->out, "Message:", s->message);
	field(f->out, "Executable:", s->executable);
	field(f->out, "Restart:", s->restart_policy);
	snprintf(buf, sizeof(buf), "%" PRIu32 "/%" PRIu32, s->uid, s->gid);
	field(f->out, "UID/GID:", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, s->generation);
	field(f->out, "Generation:", buf);
	cli_format_time(buf, sizeof(buf), s->deployed_ns);
	field(f->out, "Deployed:", buf);
}

void cli_format_status(const struct cli_format *f, const service_status *s)
{
	struct cli_json j;

	if (f->output == CLI_OUTPUT_TABLE) {
		status_table(f, s);
		return;
	}
	cli_json_init(&j, f->out);
	status_json(&j, s, true);
	fputc('\n', f->out);
}

void cli_format_operation(const struct cli_format *f, const char *verb,
                          const Cloudabi__Supervisor__V1__OperationResponse *r)
{
	struct cli_json j;

	if (f->output == CLI_OUTPUT_TABLE) {
		fprintf(f->out, "%s ", verb);
		put_text(f->out, r->name, 0);
		fprintf(f->out, ": desired %s, now %s%s\n",
		        cli_format_desired_name(r->desired),
		        cli_format_state_name(r->state),
		        r->changed ? "" : " (no change)");
		return;
	}
	cli_json_init(&j, f->out);
	cli_json_begin_object(&j);
	kv_str(&j, "operation", verb);
	kv_str(&j, "name", r->name);
	kv_str(&j, "desired", cli_format_desired_name(r->desired));
	kv_str(&j, "state", cli_format_state_name(r->state));
	cli_json_key(&j, "changed");
	cli_json_bool(&j, r->changed);
	cli_json_end_object(&j);
	fputc('\n', f->out);
}

void cli_format_deploy(const struct cli_format *f,
                       const Cloudabi__Supervisor__V1__DeployResponse *r)
{
	struct cli_json j;

	if (f->output == CLI_OUTPUT_TABLE) {
		fputs("deployed ", f->out);
		put_text(f->out, r->name, 0);
		fprintf(f->out, " (generation %" PRIu64 ", %s)\n",
		        r->generation,
		        r->created   ? "new"
		        : r->updated ? "updated"
		                     : "unchanged");
		return;
	}
	cli_json_init(&j, f->out);
	cli_json_begin_object(&j);
	kv_str(&j, "name", r->name);
	cli_json_key(&j, "generation");
	cli_json_uint(&j, r->generation);
	cli_json_key(&j, "created");
	cli_json_bool(&j, r->created);
	cli_json_key(&j, "updated");
	cli_json_bool(&j, r->updated);
	cli_json_key(&j, "dry_run");
	cli_json_bool(&j, r->dry_run);
	cli_json_end_object(&j);
	fputc('\n', f->out);
}

/* One validation error as "file:line:col: message". */
static void validation_line(FILE *out, const char *file,
                            const Cloudabi__Supervisor__V1__ValidationError *e)
{
	if (e->text[0] != '\0') {
		put_text(out, e->text, 0);
		fputc('\n', out);
		return;
	}
	put_text(out, e->file[0] != '\0' ? e->file : file, 0);
	if (e->line > 0)
		fprintf(out, ":%" PRIu32 ":%" PRIu32, e->line, e->column);
	fputs(": ", out);
	put_text(out, e->message, 0);
	fputc('\n', out);
}

/* The validation result as one JSON object. */
static void validation_json(const struct cli_format *f, const char *file,
                            const Cloudabi__Supervisor__V1__ValidateResponse *v)
{
	struct cli_json j;
	size_t i;

	cli_json_init(&j, f->out);
	cli_json_begin_object(&j);
	kv_str(&j, "file", file);
	cli_json_key(&j, "ok");
	cli_json_bool(&j, v->ok);
	kv_str(&j, "name", v->name);
	cli_json_key(&j, "errors");
	cli_json_begin_array(&j);
	for (i = 0; i < v->n_errors; i++) {
		const Cloudabi__Supervisor__V1__ValidationError *e =
		        v->errors[i];

		cli_json_begin_object(&j);
		kv_str(&j, "file", e->file);
		kv_int(&j, "line", e->line);
		kv_int(&j, "column", e->column);
		kv_str(&j, "message", e->message);
		kv_str(&j, "text", e->text);
		cli_json_end_object(&j);
	}
	cli_json_end_array(&j);
	cli_json_end_object(&j);
	fputc('\n', f->out);
}

void cli_format_validation(const struct cli_format *f, const char *file,
                           const Cloudabi__Supervisor__V1__ValidateResponse *v)
{
	size_t i;

	if (f->output == CLI_OUTPUT_JSON) {
		validation_json(f, file, v);
		return;
	}
	for (i = 0; i < v->n_errors; i++)
		validation_line(f->err, file, v->errors[i]);
	if (v->ok) {
		fprintf(f->out, "%s: ok (service ", file);
		put_text(f->out, v->name, 0);
		fputs(")\n", f->out);
	} else {
		fprintf(f->err, "%s: %zu error%s, nothing deployed\n", file,
		        v->n_errors, v->n_errors == 1 ? "" : "s");
	}
}

/* What happened, in a few words, for an event line. */
static void event_detail(char *buf, size_t len,
                         const Cloudabi__Supervisor__V1__Event *e)
{
	switch (e->kind) {
	case CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_STATE:
		snprintf(buf, len, "%s -> %s",
		         cli_format_state_name(e->from_state),
		         cli_format_state_name(e->to_state));
		break;
	case CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_EXITED:
		cli_format_exit(buf, len, e->exit);
		break;
	case CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_SNAPSHOT:
		snprintf(buf, len, "%s", cli_format_state_name(e->to_state));
		break;
	case CLOUDABI__SUPERVISOR__V1__EVENT_KIND__EVENT_KIND_OPERATION:
		snprintf(buf, len, "by uid %" PRIu32, e->caller_uid);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* One event as a table line. */
static void event_line(const struct cli_format *f,
                       const Cloudabi__Supervisor__V1__Event *e)
{
	char when[32], detail[96];

	cli_format_time(when, sizeof(when), e->time_ns);
	event_detail(detail, sizeof(detail), e);
	fprintf(f->out, "%s  ", when);
	put_text(f->out, e->service, 16);
	fprintf(f->out, "  %-9s", kind_name(e->kind));
	if (detail[0] != '\0')
		fprintf(f->out, "  %s", detail);
	if (e->message[0] != '\0') {
		fputs(detail[0] != '\0' ? ": " : "  ", f->out);
		put_text(f->out, e->message, 0);
	}
	fputc('\n', f->out);
}

void cli_format_event(const struct cli_format *f,
                      const Cloudabi__Supervisor__V1__Event *e)
{
	struct cli_json j;

	if (f->output == CLI_OUTPUT_TABLE) {
		event_line(f, e);
		return;
	}
	cli_json_init(&j, f->out);
	cli_json_begin_object(&j);
	kv_int(&j, "time_ns", e->time_ns);
	kv_str(&j, "service", e->service);
	kv_str(&j, "kind", kind_name(e->kind));
	kv_str(&j, "from_state", cli_format_state_name(e->from_state));
	kv_str(&j, "to_state", cli_format_state_name(e->to_state));
	kv_str(&j, "message", e->message);
	cli_json_key(&j, "sequence");
	cli_json_uint(&j, e->sequence);
	cli_json_key(&j, "exit");
	exit_json(&j, e->exit);
	kv_int(&j, "caller_uid", e->caller_uid);
	cli_json_end_object(&j);
	fputc('\n', f->out);
}

void cli_format_log_chunk(const struct cli_format *f,
                          const Cloudabi__Supervisor__V1__LogChunk *c)
{
	struct cli_json j;

	if (f->output == CLI_OUTPUT_TABLE) {
		/* A service's own output is shown as it wrote it. */
		if (c->truncated)
			fputs("cloudabictl: log output was lost here (the "
			      "daemon's buffer overflowed)\n",
			      f->err);
		fwrite(c->data.data, 1, c->data.len, f->out);
		return;
	}
	cli_json_init(&j, f->out);
	cli_json_begin_object(&j);
	kv_int(&j, "time_ns", c->time_ns);
	cli_json_key(&j, "offset");
	cli_json_uint(&j, c->offset);
	cli_json_key(&j, "truncated");
	cli_json_bool(&j, c->truncated);
	cli_json_key(&j, "data");
	cli_json_bytes(&j, c->data.data, c->data.len);
	cli_json_end_object(&j);
	fputc('\n', f->out);
}
