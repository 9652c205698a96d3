/*
 * fake_supervisor: an in-memory implementation of daemon/supervisor.h for
 * the handler tests, so that they exercise the RPC front alone (the real
 * engine has its own tests under tests/supervisor).
 *
 * Service files: the line "name: X" names the service; every line holding
 * "bad" is an error at that word's column. Start appends "started <n>\n"
 * to the service's log and sends it to followers. It is strict: a
 * subscription ended from inside one of its callbacks aborts, since the
 * real engine does not allow that either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor.h"

#define FAKE_MAX 16

struct fake_svc {
	bool used;
	char name[STORE_NAME_MAX + 1];
	char *spec;
	enum store_desired desired;
	enum svc_state state;
	int64_t generation;
	char log[4096];
	size_t loglen;
	unsigned starts;
};

struct supervisor_sub {
	struct supervisor_sub *next;
	struct supervisor *sup;
	char name[STORE_NAME_MAX + 1]; /* logs: the service; watch: "" */
	bool watch;
	supervisor_log_fn logfn;
	supervisor_event_fn evfn;
	void *ctx;
};

struct supervisor {
	struct fake_svc svcs[FAKE_MAX];
	struct supervisor_sub *subs;
	int in_callback;
	uint64_t seq;
	bool shut;
};

int supervisor_new(uv_loop_t *loop, struct store *st,
                   const struct supervisor_config *cfg, struct supervisor **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int supervisor_recover(struct supervisor *sup)
{
	return 0;
}

static struct fake_svc *find(struct supervisor *sup, const char *name)
{
	for (int i = 0; i < FAKE_MAX; i++)
		if (sup->svcs[i].used && strcmp(sup->svcs[i].name, name) == 0)
			return &sup->svcs[i];
	return NULL;
}

/* Sends an event to every watcher. */
static void emit(struct supervisor *sup, const char *name, int kind,
                 enum svc_state from, enum svc_state to, uint32_t uid)
{
	struct supervisor_event ev = {0};

	ev.time_ns = 1000;
	ev.service = name;
	ev.kind = (enum supervisor_event_kind)kind;
	ev.from = from;
	ev.to = to;
	ev.message = "fake";
	ev.sequence = ++sup->seq;
	ev.caller_uid = uid;
	sup->in_callback++;
	for (struct supervisor_sub *s = sup->subs; s; s = s->next)
		if (s->watch)
			s->evfn(&ev, s->ctx);
	sup->in_callback--;
}

/* Checks yaml the fake way; returns the error count. */
static int check(const char *yaml, const char *file, char *name,
                 supervisor_error_fn errfn, void *ctx)
{
	const char *line = yaml, *nl, *bad, *key;
	uint32_t lineno = 1;
	char text[256];
	int nerr = 0;

	name[0] = '\0';
	for (; *line; line = nl + 1, lineno++) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		key = strstr(line, "name: ");
		if (key == line && nl - key - 6 <= STORE_NAME_MAX)
			snprintf(name, STORE_NAME_MAX + 1, "%.*s",
			         (int)(nl - key - 6), key + 6);
		bad = strstr(line, "bad");
		if (bad != NULL && bad < nl) {
			struct supervisor_error e = {file, lineno,
			                             (uint32_t)(bad - line + 1),
			                             "unknown key", text};

			snprintf(text, sizeof(text), "%s:%u:%u: unknown key",
			         file, e.line, e.column);
			errfn(&e, ctx);
			nerr++;
		}
		if (*nl == '\0')
			break;
	}
	return nerr;
}

int supervisor_validate(struct supervisor *sup, const char *yaml, size_t len,
                        const char *file_name,
                        struct supervisor_deploy_result *res,
                        supervisor_error_fn errfn, void *ctx)
{
	return check(yaml, file_name, res->name, errfn, ctx) ? -EINVAL : 0;
}

int supervisor_deploy(struct supervisor *sup, const char *yaml, size_t len,
                      const char *file_name, uint32_t uid, bool dry_run,
                      struct supervisor_deploy_result *res,
                      supervisor_error_fn errfn, void *ctx)
{
	struct fake_svc *s;

	if (check(yaml, file_name, res->name, errfn, ctx) || !res->name[0])
		return -EINVAL;
	res->dry_run = dry_run;
	s = find(sup, res->name);
	res->created = s == NULL;
	res->updated = s == NULL || strcmp(s->spec, yaml) != 0;
	if (dry_run)
		return 0;
	for (int i = 0; s == NULL && i < FAKE_MAX; i++)
		if (!sup->svcs[i].used) {
			s = &sup->svcs[i];
			memset(s, 0, sizeof(*s));
			s->used = true;
			snprintf(s->name, sizeof(s->name), "%s", res->name);
		}
	if (s == NULL)
		return -ENOSPC;
	free(s->spec);
	s->spec = strdup(yaml);
	s->generation++;
	s->desired = STORE_DESIRED_RUNNING;
	s->state = SVC_STATE_RUNNING;
	res->generation = s->generation;
	emit(sup, s->name, SUPERVISOR_EV_DEPLOYED, SVC_STATE_STOPPED,
	     SVC_STATE_RUNNING, uid);
	return 0;
}

/* Appends to a service's log and feeds its followers. */
static void append_log(struct supervisor *sup, struct fake_svc *s,
                       const char *text)
{
	struct supervisor_log_chunk c = {0};
	size_t len = strlen(text);

	if (s->loglen + len >= sizeof(s->log))
		s->loglen = 0;
	c.offset = s->loglen;
	memcpy(s->log + s->loglen, text, len);
	s->loglen += len;
	c.data = text;
	c.len = len;
	sup->in_callback++;
	for (struct supervisor_sub *sub = sup->subs; sub; sub = sub->next)
		if (!sub->watch && strcmp(sub->name, s->name) == 0)
			sub->logfn(&c, sub->ctx);
	sup->in_callback--;
}

/* Moves a service to desired/state; emits events like the real engine. */
static int op(struct supervisor *sup, const char *name, uint32_t uid,
              struct supervisor_op_result *res, enum store_desired desired,
              enum svc_state state, bool force)
{
	struct fake_svc *s = find(sup, name);
	enum svc_state from;
	char line[64];

	if (sup->shut)
		return -ESHUTDOWN;
	if (s == NULL)
		return -ENOENT;
	from = s->state;
	res->changed = force || s->desired != desired;
	s->desired = desired;
	s->state = state;
	res->desired = desired;
	res->state = state;
	emit(sup, name, SUPERVISOR_EV_OPERATION, from, state, uid);
	if (state == SVC_STATE_RUNNING && res->changed) {
		snprintf(line, sizeof(line), "started %u\n", ++s->starts);
		append_log(sup, s, line);
	}
	return 0;
}

int supervisor_start(struct supervisor *sup, const char *name, uint32_t uid,
                     struct supervisor_op_result *res)
{
	return op(sup, name, uid, res, STORE_DESIRED_RUNNING, SVC_STATE_RUNNING,
	          false);
}

int supervisor_stop(struct supervisor *sup, const char *name, uint32_t uid,
                    struct supervisor_op_result *res)
{
	return op(sup, name, uid, res, STORE_DESIRED_STOPPED, SVC_STATE_STOPPED,
	          false);
}

int supervisor_restart(struct supervisor *sup, const char *name, uint32_t uid,
                       struct supervisor_op_result *res)
{
	return op(sup, name, uid, res, STORE_DESIRED_RUNNING, SVC_STATE_RUNNING,
	          true);
}

/* Ends one subscription from the engine's side (fn(NULL)), then frees it. */
static void end_sub(struct supervisor *sup, struct supervisor_sub *sub)
{
	struct supervisor_sub **pp;

	for (pp = &sup->subs; *pp != sub; pp = &(*pp)->next)
		;
	*pp = sub->next;
	sup->in_callback++;
	if (sub->watch)
		sub->evfn(NULL, sub->ctx);
	else
		sub->logfn(NULL, sub->ctx);
	sup->in_callback--;
	free(sub);
}

int supervisor_remove(struct supervisor *sup, const char *name, uint32_t uid,
                      struct supervisor_op_result *res)
{
	struct fake_svc *s = find(sup, name);
	struct supervisor_sub *sub, *next;
	int rc = op(sup, name, uid, res, STORE_DESIRED_STOPPED,
	            SVC_STATE_STOPPED, true);

	if (rc < 0)
		return rc;
	for (sub = sup->subs; sub; sub = next) {
		next = sub->next;
		if (!sub->watch && strcmp(sub->name, name) == 0)
			end_sub(sup, sub);
	}
	emit(sup, name, SUPERVISOR_EV_REMOVED, SVC_STATE_STOPPED,
	     SVC_STATE_STOPPED, uid);
	free(s->spec);
	memset(s, 0, sizeof(*s));
	return 0;
}

static void fill(const struct fake_svc *s, struct svc_status *st)
{
	memset(st, 0, sizeof(*st));
	st->name = s->name;
	st->desired = s->desired;
	st->state = s->state;
	st->pid = s->state == SVC_STATE_RUNNING ? 4242 : 0;
	st->generation = s->generation;
	st->spec = s->spec;
	st->spec_len = strlen(s->spec);
	st->executable = "/bin/fake";
	st->restart_policy = "on-failure";
	st->message = "";
	st->last_exit.valid = s->starts > 1;
	st->last_exit.known = true;
	st->last_exit.signal = 15;
	st->state_since_ns = 77;
}

int supervisor_get(struct supervisor *sup, const char *name,
                   struct svc_status *out)
{
	struct fake_svc *s = find(sup, name);

	if (s == NULL)
		return -ENOENT;
	fill(s, out);
	return 0;
}

int supervisor_list(struct supervisor *sup, supervisor_status_fn fn, void *ctx)
{
	struct svc_status st;

	/* Name order, as the real one: a simple selection per step. */
	const char *last = "";
	for (;;) {
		struct fake_svc *best = NULL;

		for (int i = 0; i < FAKE_MAX; i++) {
			struct fake_svc *s = &sup->svcs[i];

			if (s->used && strcmp(s->name, last) > 0 &&
			    (best == NULL || strcmp(s->name, best->name) < 0))
				best = s;
		}
		if (best == NULL)
			return 0;
		fill(best, &st);
		fn(&st, ctx);
		last = best->name;
	}
}

int supervisor_logs_read(struct supervisor *sup, const char *name,
                         unsigned tail_lines, supervisor_log_fn fn, void *ctx)
{
	struct fake_svc *s = find(sup, name);
	struct supervisor_log_chunk c = {0};
	size_t start = 0, lines = 0;

	if (s == NULL)
		return -ENOENT;
	for (size_t i = s->loglen; tail_lines && i > 0; i--)
		if (s->log[i - 1] == '\n' && i != s->loglen &&
		    ++lines == tail_lines) {
			start = i;
			break;
		}
	c.data = s->log + start;
	c.len = s->loglen - start;
	c.offset = start;
	if (c.len > 0)
		fn(&c, ctx);
	return 0;
}

/* Adds a subscription. */
static int subscribe(struct supervisor *sup, const char *name, bool watch,
                     void *fn, void *ctx, struct supervisor_sub **out)
{
	struct supervisor_sub *sub = calloc(1, sizeof(*sub));

	if (sub == NULL)
		return -ENOMEM;
	sub->sup = sup;
	snprintf(sub->name, sizeof(sub->name), "%s", name);
	sub->watch = watch;
	if (watch)
		sub->evfn = (supervisor_event_fn)fn;
	else
		sub->logfn = (supervisor_log_fn)fn;
	sub->ctx = ctx;
	sub->next = sup->subs;
	sup->subs = sub;
	*out = sub;
	return 0;
}

int supervisor_logs_follow(struct supervisor *sup, const char *name,
                           supervisor_log_fn fn, void *ctx,
                           struct supervisor_sub **sub)
{
	if (find(sup, name) == NULL)
		return -ENOENT;
	return subscribe(sup, name, false, (void *)fn, ctx, sub);
}

int supervisor_watch(struct supervisor *sup, supervisor_event_fn fn, void *ctx,
                     struct supervisor_sub **sub)
{
	return subscribe(sup, "", true, (void *)fn, ctx, sub);
}

void supervisor_unsubscribe(struct supervisor_sub *sub)
{
	struct supervisor *sup = sub->sup;
	struct supervisor_sub **pp;

	if (sup->in_callback) {
		fprintf(stderr,
		        "fake_supervisor: unsubscribe inside a callback\n");
		abort();
	}
	for (pp = &sup->subs; *pp != NULL && *pp != sub; pp = &(*pp)->next)
		;
	if (*pp == NULL) {
		fprintf(stderr, "fake_supervisor: unknown subscription\n");
		abort();
	}
	*pp = sub->next;
	free(sub);
}

void supervisor_reopen_logs(struct supervisor *sup)
{
}

void supervisor_shutdown(struct supervisor *sup, bool stop_services,
                         supervisor_done_fn done, void *ctx)
{
	sup->shut = true;
	while (sup->subs != NULL)
		end_sub(sup, sup->subs);
	done(ctx);
}

void supervisor_free(struct supervisor *sup)
{
	if (sup == NULL)
		return;
	for (int i = 0; i < FAKE_MAX; i++)
		free(sup->svcs[i].spec);
	free(sup);
}

/* Subscriptions still held: the tests check that none leak. */
unsigned fake_supervisor_subs(const struct supervisor *sup);
unsigned fake_supervisor_subs(const struct supervisor *sup)
{
	unsigned n = 0;

	for (struct supervisor_sub *s = sup->subs; s; s = s->next)
		n++;
	return n;
}

const char *supervisor_state_name(enum svc_state s)
{
	return "fake";
}
