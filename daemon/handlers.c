/*
 * handlers: the unary Supervisor RPCs on top of the supervisor engine,
 * SO_PEERCRED authorization, an audit row per mutating call, the methods
 * table and the handlers' lifetime. Streams are in handlers_stream.c.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grant.h"
#include "handlers_internal.h"
#include "log.h"
#include "service.h"

#define GROUPS_MAX 1024 /* supplementary groups looked at per user */

typedef Cloudabi__Supervisor__V1__ServiceStatus ServiceStatus;
typedef Cloudabi__Supervisor__V1__ExitStatus ExitStatus;

/* ---- authorization, errors, audit ----------------------------------- */

/* Whether the account of uid has group among its supplementary groups. */
static bool handlers_in_group(uid_t uid, gid_t group)
{
	struct passwd pw, *res = NULL;
	gid_t groups[GROUPS_MAX];
	int ngroups = GROUPS_MAX;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	/* A truncated list (-1) still holds the first GROUPS_MAX groups. */
	getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups);
	if (ngroups > GROUPS_MAX)
		ngroups = GROUPS_MAX;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return true;
	return false;
}

int handlers_authorize(const struct rpc_peer *peer,
                       const struct handlers_auth *auth)
{
	if (peer->uid == 0 || peer->uid == auth->self_uid)
		return 0;
	if (!auth->has_group)
		return -EPERM;
	if (peer->gid == auth->group ||
	    handlers_in_group(peer->uid, auth->group))
		return 0;
	return -EPERM;
}

int handlers_status(int err)
{
	switch (err) {
	case 0:
		return GRPC_OK;
	case -ENOENT:
		return GRPC_NOT_FOUND;
	case -EINVAL:
	case -ENAMETOOLONG:
		return GRPC_INVALID_ARGUMENT;
	case -EBUSY:
	case -EEXIST:
		return GRPC_FAILED_PRECONDITION;
	case -EPERM:
	case -EACCES:
		return GRPC_PERMISSION_DENIED;
	case -ENOSPC:
		return GRPC_RESOURCE_EXHAUSTED;
	case -ESHUTDOWN:
	case -EAGAIN:
		return GRPC_UNAVAILABLE;
	default:
		return GRPC_INTERNAL;
	}
}

/* A message for the client saying what went wrong with name. */
void handlers__errtext(int err, const char *name, char *out, size_t len)
{
	switch (err) {
	case -ENOENT:
		snprintf(out, len, "service \"%s\" is not deployed", name);
		break;
	case -EBUSY:
		snprintf(out, len, "service \"%s\" is being removed", name);
		break;
	case -ENOSPC:
		snprintf(out, len, "too many services deployed");
		break;
	case -ESHUTDOWN:
		snprintf(out, len, "cloudabid is shutting down");
		break;
	default:
		snprintf(out, len, "service \"%s\": %s", name, strerror(-err));
	}
}

/* Ends a unary call with the status for err and its explanation. */
static void handlers_fail(struct rpc_call *call, int err, const char *name)
{
	char msg[256];

	handlers__errtext(err, name, msg, sizeof(msg));
	rpc_call_error(call, handlers_status(err), msg);
}

/* Records a mutating call; a store failure is logged, not fatal. */
static void handlers_audit(struct handlers *h, struct rpc_call *call,
                           const char *method, const char *target, int code)
{
	const struct rpc_peer *peer = rpc_call_peer(call);

	if (store_audit_append(h->store, peer->uid, method, target,
	                       grpc_status_name(code)) < 0)
		log_warnx("audit of %s %s by uid %u: %s", method, target,
		          (unsigned)peer->uid, store_error(h->store));
}

/* Refuses (and audits) a mutating call from a caller who may not. */
static bool handlers_may_mutate(struct handlers *h, struct rpc_call *call,
                                const char *method, const char *target)
{
	const struct rpc_peer *peer = rpc_call_peer(call);
	char msg[160];

	if (handlers_authorize(peer, &h->auth) == 0)
		return true;
	handlers_audit(h, call, method, target, GRPC_PERMISSION_DENIED);
	log_info("uid %u may not call %s on \"%s\"", (unsigned)peer->uid,
	         method, target);
	if (h->auth.has_group)
		snprintf(msg, sizeof(msg),
		         "uid %u may not %s: only root and members of gid %u "
		         "may",
		         (unsigned)peer->uid, method, (unsigned)h->auth.group);
	else
		snprintf(msg, sizeof(msg), "uid %u may not %s: only root may",
		         (unsigned)peer->uid, method);
	rpc_call_error(call, GRPC_PERMISSION_DENIED, msg);
	return false;
}

/* A service name as requests carry it: non-empty and bounded. */
int handlers__check_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return -EINVAL;
	return len > STORE_NAME_MAX ? -ENAMETOOLONG : 0;
}
/* ---- conversions ----------------------------------------------------- */

static Cloudabi__Supervisor__V1__DesiredState
desired_proto(enum store_desired d)
{
	return d == STORE_DESIRED_RUNNING
	               ? CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_RUNNING
	               : CLOUDABI__SUPERVISOR__V1__DESIRED_STATE__DESIRED_STATE_STOPPED;
}

/* Fills *out from ex; false when there is nothing to report. */
bool handlers__exit_proto(const struct svc_exit *ex, ExitStatus *out)
{
	if (!ex->valid)
		return false;
	cloudabi__supervisor__v1__exit_status__init(out);
	out->time_ns = ex->time_ns;
	out->core_dumped = ex->core_dumped;
	/* A re-adopted process's status is not ours to read: leave unset. */
	if (!ex->known)
		return true;
	if (ex->signal != 0) {
		out->how_case =
		        CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_SIGNAL;
		out->signal = ex->signal;
	} else {
		out->how_case = CLOUDABI__SUPERVISOR__V1__EXIT_STATUS__HOW_CODE;
		out->code = ex->code;
	}
	return true;
}

/* Protobuf strings are char *; an empty one for NULL. */
char *handlers__str(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

/* Fills *out from st with borrowed strings (spec only when with_spec). */
static void status_proto(const struct svc_status *st, bool with_spec,
                         ServiceStatus *out, ExitStatus *exit)
{
	cloudabi__supervisor__v1__service_status__init(out);
	out->name = handlers__str(st->name);
	out->desired = desired_proto(st->desired);
	out->state = (Cloudabi__Supervisor__V1__ServiceState)st->state;
	out->pid = st->pid;
	out->start_time_ns = st->start_time_ns;
	out->restart_count = st->restart_count;
	if (handlers__exit_proto(&st->last_exit, exit))
		out->last_exit = exit;
	out->generation = (uint64_t)st->generation;
	/* spec_yaml is a proto string: text up to its first NUL. */
	if (with_spec && st->spec != NULL)
		out->spec_yaml = (char *)st->spec;
	out->executable = handlers__str(st->executable);
	out->restart_policy = handlers__str(st->restart_policy);
	out->next_start_ns = st->next_start_ns;
	out->message = handlers__str(st->message);
	out->uid = st->uid;
	out->gid = st->gid;
	out->deployed_ns = st->deployed_ns;
	out->state_since_ns = st->state_since_ns;
}
/* ---- Deploy, Validate ------------------------------------------------ */

/* Validation errors gathered from the supervisor's callback (bounded). */
struct errlist {
	Cloudabi__Supervisor__V1__ValidationError *items[HANDLERS_MAX_ERRORS];
	size_t n, dropped;
	bool nomem;
	char text[HANDLERS_MAX_ERR_TEXT];
	size_t textlen;
};

/* Copies one error into the list, and its text into the joined text. */
static void errlist_add(const struct supervisor_error *e, void *ctx)
{
	struct errlist *l = ctx;
	Cloudabi__Supervisor__V1__ValidationError *v;
	size_t len = strlen(handlers__str(e->text));

	if (l->n == HANDLERS_MAX_ERRORS) {
		l->dropped++;
		return;
	}
	if (l->textlen + len + 2 < sizeof(l->text)) {
		memcpy(l->text + l->textlen, e->text, len);
		l->textlen += len;
		l->text[l->textlen++] = '\n';
		l->text[l->textlen] = '\0';
	} else {
		l->dropped++;
	}
	if ((v = malloc(sizeof(*v))) == NULL) {
		l->nomem = true;
		return;
	}
	cloudabi__supervisor__v1__validation_error__init(v);
	v->file = strdup(handlers__str(e->file));
	v->message = strdup(handlers__str(e->message));
	v->text = strdup(handlers__str(e->text));
	v->line = e->line;
	v->column = e->column;
	l->items[l->n++] = v;
	if (v->file == NULL || v->message == NULL || v->text == NULL)
		l->nomem = true;
}

static void errlist_free(struct errlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i]->file);
		free(l->items[i]->message);
		free(l->items[i]->text);
		free(l->items[i]);
	}
	l->n = 0;
}

/* The joined text for INVALID_ARGUMENT, with a count of what was cut. */
static const char *errlist_text(struct errlist *l)
{
	if (l->textlen == 0 && l->dropped == 0)
		return "invalid service file";
	if (l->textlen > 0 && l->text[l->textlen - 1] == '\n')
		l->text[--l->textlen] = '\0';
	if (l->dropped > 0)
		snprintf(l->text + l->textlen, sizeof(l->text) - l->textlen,
		         "\n(%zu more errors)", l->dropped);
	return l->text;
}

/* The file name used in error positions. */
static const char *deploy_file(const Cloudabi__Supervisor__V1__DeployRequest *r)
{
	return r->file_name[0] != '\0' ? r->file_name : "<request>";
}

/* ---- operator policy ------------------------------------------------ */

/* Where policy refusals go, with the file name of their positions. */
struct policy_ctx {
	struct errlist *errs;
	const char *file;
};

/* Adds one refusal of grant_check to the error list. */
static void policy_deny(const struct config_error *e, void *ctx)
{
	struct policy_ctx *pc = ctx;
	struct supervisor_error se = {pc->file, (uint32_t)e->line,
	                              (uint32_t)e->column, e->msg, e->msg};
	char prefix[sizeof(e->msg)];
	size_t n;

	if (e->line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", pc->file,
		         e->line, e->column);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", pc->file);
	n = strlen(prefix);
	if (strncmp(e->msg, prefix, n) == 0)
		se.message = e->msg + n;
	errlist_add(&se, pc->errs);
}

/*
 * Checks a service file against the operator policy when the caller is
 * neither root nor the daemon's own uid (those open nothing they could
 * not open themselves). 0: allowed, or not a valid file (the supervisor
 * then says why); -EACCES with the refusals in errs (and the service's
 * name in name); -ENOMEM.
 */
static int handlers_policy(struct handlers *h, struct rpc_call *call,
                           const char *yaml, size_t len, const char *file,
                           struct errlist *errs, char *name, size_t namelen)
{
	const struct rpc_peer *peer = rpc_call_peer(call);
	struct policy_ctx pc = {errs, file};
	struct service_errors *perr;
	struct service *svc = NULL;
	size_t refused;
	int rc;

	if (peer->uid == 0 || peer->uid == h->auth.self_uid)
		return 0;
	if ((perr = malloc(sizeof(*perr))) == NULL)
		return -ENOMEM;
	rc = service_parse(file, yaml, len, &svc, perr);
	free(perr);
	if (rc != 0)
		return rc == -ENOMEM ? -ENOMEM : 0;
	snprintf(name, namelen, "%s", svc->name);
	refused = grant_check(h->policy, svc, grant_realpath, NULL, policy_deny,
	                      &pc);
	service_free(svc);
	if (refused == 0)
		return 0;
	log_info("the operator policy refuses %zu grant%s of \"%s\" to uid %u",
	         refused, refused == 1 ? "" : "s", name, (unsigned)peer->uid);
	return errs->nomem ? -ENOMEM : -EACCES;
}

static void h_deploy(struct rpc_call *call, const ProtobufCMessage *m,
                     void *ctx)
{
	const Cloudabi__Supervisor__V1__DeployRequest *req = (const void *)m;
	Cloudabi__Supervisor__V1__DeployResponse resp =
	        CLOUDABI__SUPERVISOR__V1__DEPLOY_RESPONSE__INIT;
	struct supervisor_deploy_result res;
	const char *file = deploy_file(req);
	struct handlers *h = ctx;
	struct errlist *errs;
	size_t len = strlen(req->yaml);
	int rc;

	memset(&res, 0, sizeof(res));
	if (!handlers_may_mutate(h, call, "Deploy", file))
		return;
	if (len > STORE_SPEC_MAX) {
		handlers_audit(h, call, "Deploy", file, GRPC_INVALID_ARGUMENT);
		rpc_call_error(call, GRPC_INVALID_ARGUMENT,
		               "service file larger than 1 MiB");
		return;
	}
	if ((errs = calloc(1, sizeof(*errs))) == NULL) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	rc = handlers_policy(h, call, req->yaml, len, file, errs, res.name,
	                     sizeof(res.name));
	if (rc == -EACCES) {
		handlers_audit(h, call,
		               req->dry_run ? "Deploy(dry-run)" : "Deploy",
		               res.name, GRPC_PERMISSION_DENIED);
		rpc_call_error(call, GRPC_PERMISSION_DENIED,
		               errlist_text(errs));
		goto out;
	} else if (rc < 0) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	memset(&res, 0, sizeof(res));
	rc = supervisor_deploy(h->sup, req->yaml, len, file,
	                       rpc_call_peer(call)->uid, req->dry_run, &res,
	                       errlist_add, errs);
	handlers_audit(h, call, req->dry_run ? "Deploy(dry-run)" : "Deploy",
	               res.name[0] != '\0' ? res.name : file,
	               handlers_status(rc));
	if (rc == -EINVAL) {
		rpc_call_error(call, GRPC_INVALID_ARGUMENT, errlist_text(errs));
	} else if (rc < 0) {
		handlers_fail(call, rc, res.name[0] != '\0' ? res.name : file);
	} else {
		if (!res.dry_run)
			log_info("deployed \"%s\" generation %lld by uid %u",
			         res.name, (long long)res.generation,
			         (unsigned)rpc_call_peer(call)->uid);
		resp.name = res.name;
		resp.generation = (uint64_t)res.generation;
		resp.created = res.created;
		resp.updated = res.updated;
		resp.dry_run = res.dry_run;
		rpc_call_reply(call, &resp.base);
	}
out:
	errlist_free(errs);
	free(errs);
}

static void h_validate(struct rpc_call *call, const ProtobufCMessage *m,
                       void *ctx)
{
	const Cloudabi__Supervisor__V1__DeployRequest *req = (const void *)m;
	Cloudabi__Supervisor__V1__ValidateResponse resp =
	        CLOUDABI__SUPERVISOR__V1__VALIDATE_RESPONSE__INIT;
	struct supervisor_deploy_result res;
	struct handlers *h = ctx;
	struct errlist *errs;
	size_t len = strlen(req->yaml);
	int rc;

	memset(&res, 0, sizeof(res));
	if (len > STORE_SPEC_MAX) {
		rpc_call_error(call, GRPC_INVALID_ARGUMENT,
		               "service file larger than 1 MiB");
		return;
	}
	if ((errs = calloc(1, sizeof(*errs))) == NULL) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	rc = supervisor_validate(h->sup, req->yaml, len, deploy_file(req), &res,
	                         errlist_add, errs);
	if (rc == 0) {
		char name[STORE_NAME_MAX + 1];
		int prc = handlers_policy(h, call, req->yaml, len,
		                          deploy_file(req), errs, name,
		                          sizeof(name));

		if (prc == -EACCES)
			rc = -EINVAL; /* reported as errors: ok is false */
		else if (prc < 0)
			errs->nomem = true;
	}
	if (errs->nomem) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	} else if (rc < 0 && rc != -EINVAL) {
		handlers_fail(call, rc, deploy_file(req));
	} else {
		resp.ok = rc == 0;
		resp.name = res.name;
		resp.n_errors = errs->n;
		resp.errors = errs->items;
		rpc_call_reply(call, &resp.base);
	}
	errlist_free(errs);
	free(errs);
}

/* ---- List, Get ------------------------------------------------------- */

/* One List entry with owned copies of its strings. */
struct list_entry {
	ServiceStatus msg;
	ExitStatus exit;
};

struct list_ctx {
	struct list_entry **entries;
	ServiceStatus **msgs;
	size_t n, cap;
	bool nomem;
};

/* Copies one service into the list (without its spec: Get has it). */
static void list_add(const struct svc_status *st, void *arg)
{
	struct list_ctx *l = arg;
	struct list_entry *e;

	if (l->nomem)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *a = realloc(l->entries, cap * sizeof(*l->entries));
		void *b = a ? realloc(l->msgs, cap * sizeof(*l->msgs)) : NULL;

		if (a)
			l->entries = a;
		if (b == NULL) {
			l->nomem = true;
			return;
		}
		l->msgs = b;
		l->cap = cap;
	}
	if ((e = malloc(sizeof(*e))) == NULL) {
		l->nomem = true;
		return;
	}
	status_proto(st, false, &e->msg, &e->exit);
	if (e->msg.last_exit != NULL)
		e->msg.last_exit = &e->exit;
	e->msg.name = strdup(e->msg.name);
	e->msg.executable = strdup(e->msg.executable);
	e->msg.restart_policy = strdup(e->msg.restart_policy);
	e->msg.message = strdup(e->msg.message);
	l->entries[l->n] = e;
	l->msgs[l->n++] = &e->msg;
	if (!e->msg.name || !e->msg.executable || !e->msg.restart_policy ||
	    !e->msg.message)
		l->nomem = true;
}

static void list_free(struct list_ctx *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->entries[i]->msg.name);
		free(l->entries[i]->msg.executable);
		free(l->entries[i]->msg.restart_policy);
		free(l->entries[i]->msg.message);
		free(l->entries[i]);
	}
	free(l->entries);
	free(l->msgs);
}

static void h_list(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	Cloudabi__Supervisor__V1__ListResponse resp =
	        CLOUDABI__SUPERVISOR__V1__LIST_RESPONSE__INIT;
	struct list_ctx l = {0};
	struct handlers *h = ctx;
	int rc = supervisor_list(h->sup, list_add, &l);

	if (rc < 0) {
		handlers_fail(call, rc, "*");
	} else if (l.nomem) {
		rpc_call_error(call, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	} else {
		resp.n_services = l.n;
		resp.services = l.msgs;
		rpc_call_reply(call, &resp.base);
	}
	list_free(&l);
}

static void h_get(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	const Cloudabi__Supervisor__V1__GetRequest *req = (const void *)m;
	struct handlers *h = ctx;
	struct svc_status st;
	ServiceStatus msg;
	ExitStatus exit;
	int rc;

	if ((rc = handlers__check_name(req->name)) < 0 ||
	    (rc = supervisor_get(h->sup, req->name, &st)) < 0) {
		handlers_fail(call, rc, req->name);
		return;
	}
	status_proto(&st, true, &msg, &exit);
	rpc_call_reply(call, &msg.base);
}

/* ---- Start, Stop, Restart, Remove ------------------------------------ */

typedef int op_fn(struct supervisor *sup, const char *name, uint32_t uid,
                  struct supervisor_op_result *res);

/* One operator request: authorize, apply, audit, answer. */
static void handlers_op(struct rpc_call *call, const ProtobufCMessage *m,
                        struct handlers *h, const char *method, op_fn *fn)
{
	const Cloudabi__Supervisor__V1__NameRequest *req = (const void *)m;
	Cloudabi__Supervisor__V1__OperationResponse resp =
	        CLOUDABI__SUPERVISOR__V1__OPERATION_RESPONSE__INIT;
	struct supervisor_op_result res = {0};
	int rc;

	if (!handlers_may_mutate(h, call, method, req->name))
		return;
	if ((rc = handlers__check_name(req->name)) == 0)
		rc = fn(h->sup, req->name, rpc_call_peer(call)->uid, &res);
	handlers_audit(h, call, method, req->name, handlers_status(rc));
	if (rc < 0) {
		handlers_fail(call, rc, req->name);
		return;
	}
	log_info("%s \"%s\" by uid %u%s", method, req->name,
	         (unsigned)rpc_call_peer(call)->uid,
	         res.changed ? "" : " (no change)");
	resp.name = req->name;
	resp.desired = desired_proto(res.desired);
	resp.state = (Cloudabi__Supervisor__V1__ServiceState)res.state;
	resp.changed = res.changed;
	rpc_call_reply(call, &resp.base);
}

static void h_start(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	handlers_op(call, m, ctx, "Start", supervisor_start);
}

static void h_stop(struct rpc_call *call, const ProtobufCMessage *m, void *ctx)
{
	handlers_op(call, m, ctx, "Stop", supervisor_stop);
}

static void h_restart(struct rpc_call *call, const ProtobufCMessage *m,
                      void *ctx)
{
	handlers_op(call, m, ctx, "Restart", supervisor_restart);
}

static void h_remove(struct rpc_call *call, const ProtobufCMessage *m,
                     void *ctx)
{
	handlers_op(call, m, ctx, "Remove", supervisor_remove);
}
/* ---- the table, lifetime --------------------------------------------- */

#define SUP_PATH(m) "/" SUP_SERVICE "/" m
#define SUPD(x)     &cloudabi__supervisor__v1__##x##__descriptor

static const struct rpc_method handlers_table[] = {
        {SUP_PATH("Deploy"), RPC_UNARY, SUPD(deploy_request), h_deploy},
        {SUP_PATH("Validate"), RPC_UNARY, SUPD(deploy_request), h_validate},
        {SUP_PATH("List"), RPC_UNARY, SUPD(list_request), h_list},
        {SUP_PATH("Get"), RPC_UNARY, SUPD(get_request), h_get},
        {SUP_PATH("Start"), RPC_UNARY, SUPD(name_request), h_start},
        {SUP_PATH("Stop"), RPC_UNARY, SUPD(name_request), h_stop},
        {SUP_PATH("Restart"), RPC_UNARY, SUPD(name_request), h_restart},
        {SUP_PATH("Remove"), RPC_UNARY, SUPD(name_request), h_remove},
        {SUP_PATH("Logs"), RPC_SERVER_STREAM, SUPD(logs_request),
         handlers__logs},
        {SUP_PATH("Watch"), RPC_SERVER_STREAM, SUPD(watch_request),
         handlers__watch},
        {"/" HEALTH_SERVICE "/Check", RPC_UNARY,
         &grpc__health__v1__health_check_request__descriptor,
         handlers__health_check},
        {"/" HEALTH_SERVICE "/Watch", RPC_SERVER_STREAM,
         &grpc__health__v1__health_check_request__descriptor,
         handlers__health_watch},
};

const struct rpc_method *handlers_methods(size_t *n)
{
	*n = sizeof(handlers_table) / sizeof(handlers_table[0]);
	return handlers_table;
}

int handlers_new(uv_loop_t *loop, const struct handlers_config *cfg,
                 struct handlers **out)
{
	struct handlers *h = calloc(1, sizeof(*h));
	int rc;

	if (h == NULL)
		return -ENOMEM;
	h->loop = loop;
	h->sup = cfg->sup;
	h->store = cfg->store;
	h->auth = cfg->auth;
	grant_policy_init(&h->empty);
	h->policy = cfg->policy != NULL ? cfg->policy : &h->empty;
	if ((rc = uv_timer_init(loop, &h->sweep)) < 0) {
		free(h);
		return rc;
	}
	h->sweep.data = h;
	/* Sweeping is not a reason to keep the loop alive on its own. */
	uv_unref((uv_handle_t *)&h->sweep);
	*out = h;
	return 0;
}

/* The sweep timer is closed: h can go. */
static void handlers_closed(uv_handle_t *handle)
{
	struct handlers *h = handle->data;
	void (*cb)(void *) = h->close_cb;
	void *arg = h->close_arg;

	free(h);
	if (cb != NULL)
		cb(arg);
}

void handlers_close(struct handlers *h, void (*cb)(void *), void *arg)
{
	h->serving = false;
	h->close_cb = cb;
	h->close_arg = arg;
	handlers__streams_close(h);
	uv_close((uv_handle_t *)&h->sweep, handlers_closed);
}
