/*
 * service: service files -> struct service (see service.h for ownership,
 * docs/service.yaml.5 for the format).
 *
 * Two passes over the text. libyaml's document loader gives a tree of the
 * whole file for the supervisor fields, where each field is checked on its
 * own so that every error is reported, not only the first. The `args:`
 * value is parsed by runtime/config.c, the same code as cloudabi-run's
 * configuration, reading the whole document with "args" as its root key:
 * positions stay those of the service file, and the two never disagree on
 * what a tag means. config stops at its first error, so `args:` adds at
 * most one error to the list.
 */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define SERVICE_YAML_TAG "tag:yaml.org,2002:"
#define NELEM(a)         (sizeof(a) / sizeof((a)[0]))

/* Bounds of the user and group database buffers (getpwnam_r). */
#define SERVICE_PWBUF_MIN 16384
#define SERVICE_PWBUF_MAX (1024 * 1024)

/* Pass-one state: the loaded document and where errors go. */
struct service_parser {
	const char *file;
	struct service *svc;
	struct service_errors *errs;
	yaml_document_t doc;
	int rc; /* -EINVAL once an error is recorded */
	/* Positions for checks that span several fields. */
	yaml_mark_t restart_mark, stop_mark;
	const char *user, *group; /* borrowed from doc */
	yaml_mark_t user_mark, group_mark;
	bool have_name, have_exe; /* the keys were there, valid or not */
	/* A loader error, reported only if config finds none. */
	struct config_error load_err;
	bool load_failed;
};

/* Adds a formatted error to errs: duplicates dropped, list bounded. */
static void service_add_error(struct service_errors *errs,
                              const struct config_error *e)
{
	for (size_t i = 0; i < errs->count; i++)
		if (strcmp(errs->e[i].msg, e->msg) == 0)
			return;
	/* The last slot is kept for the "too many" note. */
	if (errs->count >= SERVICE_MAX_ERRORS - 1) {
		errs->truncated = true;
		return;
	}
	errs->e[errs->count++] = *e;
}

/* Records "file:line:col: text" at a libyaml mark (0-based). */
static void service_error(struct service_parser *p, yaml_mark_t mark,
                          const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void service_error(struct service_parser *p, yaml_mark_t mark,
                          const char *fmt, ...)
{
	struct config_error e = {.line = (int)mark.line + 1,
	                         .column = (int)mark.column + 1};
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(e.msg, sizeof(e.msg), "%s:%d:%d: %s", p->file, e.line,
	         e.column, text);
	service_add_error(p->errs, &e);
	if (p->rc == 0)
		p->rc = -EINVAL;
}

/* Sorts errors by position and appends the "too many" note. */
static void service_errors_finish(struct service_errors *errs, const char *file)
{
	/* At most 31 entries: insertion sort, stable. */
	for (size_t i = 1; i < errs->count; i++) {
		struct config_error t = errs->e[i];
		size_t j = i;
		while (j > 0 && (errs->e[j - 1].line > t.line ||
		                 (errs->e[j - 1].line == t.line &&
		                  errs->e[j - 1].column > t.column))) {
			errs->e[j] = errs->e[j - 1];
			j--;
		}
		errs->e[j] = t;
	}
	if (errs->truncated) {
		struct config_error *e = &errs->e[errs->count++];
		memset(e, 0, sizeof(*e));
		snprintf(e->msg, sizeof(e->msg),
		         "%s: too many errors; only the first %d are shown",
		         file, SERVICE_MAX_ERRORS - 1);
	}
}

/* A node of the loaded document by index; NULL for a bad index. */
static yaml_node_t *service_node(struct service_parser *p, int index)
{
	return yaml_document_get_node(&p->doc, index);
}

/* Whether a scalar's tag leaves it a plain value (!!str, !!int...). */
static bool service_plain_tag(const char *tag, char *shown, size_t size)
{
	static const char *const plain[] = {"str", "int", "float", "bool"};
	size_t ly = strlen(SERVICE_YAML_TAG), lc = strlen(CONFIG_TAG_CLOUDABI);

	if (tag == NULL)
		return true;
	if (strncmp(tag, SERVICE_YAML_TAG, ly) == 0) {
		for (size_t i = 0; i < NELEM(plain); i++)
			if (strcmp(tag + ly, plain[i]) == 0)
				return true;
		snprintf(shown, size, "!!%s", tag + ly);
	} else if (strncmp(tag, CONFIG_TAG_CLOUDABI, lc) == 0)
		snprintf(shown, size, "!%s", tag + lc);
	else
		snprintf(shown, size, "%s", tag);
	return false;
}

/* The value of a plain scalar node, or NULL after an error naming what. */
static const char *service_scalar(struct service_parser *p, yaml_node_t *n,
                                  const char *what)
{
	char shown[128];
	const char *v;

	if (n->type != YAML_SCALAR_NODE) {
		service_error(p, n->start_mark, "%s must be a scalar", what);
		return NULL;
	}
	if (!service_plain_tag((const char *)n->tag, shown, sizeof(shown))) {
		service_error(p, n->start_mark, "%s takes no tag %s", what,
		              shown);
		return NULL;
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		service_error(p, n->start_mark, "%s contains a NUL character",
		              what);
		return NULL;
	}
	return v;
}

/* A decimal count (digits only) into *out; errors name `what`. */
static int service_uint(struct service_parser *p, yaml_node_t *n,
                        const char *what, uint64_t max, uint64_t *out)
{
	const char *v = service_scalar(p, n, what);
	uint64_t x = 0;

	if (v == NULL)
		return -EINVAL;
	if (v[0] == '\0' || strspn(v, "0123456789") != strlen(v)) {
		service_error(p, n->start_mark,
		              "%s must be a whole number, not '%s'", what, v);
		return -EINVAL;
	}
	for (; *v != '\0'; v++) {
		if (x > (UINT64_MAX - (uint64_t)(*v - '0')) / 10) {
			x = UINT64_MAX;
			break;
		}
		x = x * 10 + (uint64_t)(*v - '0');
	}
	if (x > max) {
		service_error(p, n->start_mark, "%s must be at most %llu", what,
		              (unsigned long long)max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int service_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	size_t digits = strspn(s, "0123456789");
	uint64_t x = 0;

	if (digits == 0 || digits > 12)
		return digits > 12 ? -ERANGE : -EINVAL;
	for (size_t i = 0; i < digits; i++)
		x = x * 10 + (uint64_t)(s[i] - '0');
	if (s[digits] == '\0') {
		/* A bare number has no unit to read: only 0 is clear. */
		if (x != 0)
			return -EINVAL;
		*ms = 0;
		return 0;
	}
	for (size_t i = 0; i < NELEM(units); i++) {
		if (strcmp(s + digits, units[i].unit) != 0)
			continue;
		/* 12 digits times an hour still fits 64 bits. */
		x *= units[i].ms;
		if (x > RESTART_MAX_WINDOW_MS)
			return -ERANGE;
		*ms = x;
		return 0;
	}
	return -EINVAL;
}

/* A duration field; errors name `what`. */
static int service_duration(struct service_parser *p, yaml_node_t *n,
                            const char *what, uint64_t *ms)
{
	const char *v = service_scalar(p, n, what);
	int rc;

	if (v == NULL)
		return -EINVAL;
	rc = service_parse_duration(v, ms);
	if (rc == -ERANGE)
		service_error(p, n->start_mark,
		              "%s: '%s' is longer than 7 days", what, v);
	else if (rc != 0)
		service_error(p, n->start_mark,
		              "%s must be a duration such as 100ms, 30s, 5m or "
		              "1h, not '%s'",
		              what, v);
	return rc;
}

int service_parse_signal(const char *s, int *signo)
{
	static const struct {
		const char *name;
		int signo;
	} sigs[] = {
	        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
	        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	        {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"WINCH", SIGWINCH},
	};

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < NELEM(sigs); i++) {
		if (strcmp(s, sigs[i].name) == 0) {
			*signo = sigs[i].signo;
			return 0;
		}
	}
	return -EINVAL;
}

/* Handler of one key of a mapping; the value node is given. */
struct service_key {
	const char *name;
	void (*fn)(struct service_parser *p, yaml_node_t *value);
};

/*
 * Walks a mapping: each key must be one of keys[] and appear once; the
 * handler of a key gets its value. `what` names the mapping in errors.
 */
static void service_walk_map(struct service_parser *p, yaml_node_t *map,
                             const char *what, const struct service_key *keys,
                             size_t nkeys)
{
	uint32_t seen = 0;

	if (map->type != YAML_MAPPING_NODE) {
		service_error(p, map->start_mark, "%s must be a mapping", what);
		return;
	}
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = service_node(p, pr->key);
		yaml_node_t *v = service_node(p, pr->value);
		const char *name;
		size_t i;

		if (k == NULL || v == NULL)
			continue; /* the loader gives none: no tree to trust */
		if ((name = service_scalar(p, k, "a key")) == NULL)
			continue;
		for (i = 0; i < nkeys && strcmp(keys[i].name, name) != 0; i++)
			;
		if (i == nkeys) {
			service_error(p, k->start_mark,
			              "unknown key '%s' in %s", name, what);
		} else if (seen & (1u << i)) {
			service_error(p, k->start_mark, "duplicate key '%s'",
			              name);
		} else {
			seen |= 1u << i;
			if (keys[i].fn != NULL)
				keys[i].fn(p, v);
		}
	}
}

/* name: [a-z0-9][a-z0-9_.-]{0,62} */
static void service_key_name(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "name");
	size_t len;

	p->have_name = true;
	if (v == NULL)
		return;
	len = strlen(v);
	if (len == 0 || len > SERVICE_NAME_MAX ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len ||
	    v[0] == '_' || v[0] == '.' || v[0] == '-') {
		service_error(p, n->start_mark,
		              "name '%s' must be 1 to 63 of a-z 0-9 _ . - "
		              "and start with a letter or digit",
		              v);
		return;
	}
	memcpy(p->svc->name, v, len + 1);
}

/*
 * executable: an absolute path, or a path relative to the directory of
 * the service file when the file's name is absolute (cloudabictl sends
 * it so: a service file beside its program stays deployable from
 * anywhere). Opened by the daemon, not here.
 */
static void service_key_executable(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "executable");
	const char *slash = strrchr(p->file, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - p->file) + 1 : 0;
	char path[PATH_MAX];

	p->have_exe = true;
	if (v == NULL)
		return;
	if (v[0] == '\0') {
		service_error(p, n->start_mark, "executable is empty");
		return;
	}
	if (v[0] != '/' && p->file[0] != '/') {
		service_error(
		        p, n->start_mark,
		        "executable must be an absolute path, not '%s' "
		        "(a relative path needs the service file's absolute "
		        "name)",
		        v);
		return;
	}
	if (v[0] == '/')
		dirlen = 0;
	if (dirlen + strlen(v) >= sizeof(path)) {
		service_error(p, n->start_mark,
		              "executable path '%s' is too long", v);
		return;
	}
	memcpy(path, p->file, dirlen);
	strcpy(path + dirlen, v);
	free(p->svc->exe_path);
	if ((p->svc->exe_path = strdup(path)) == NULL)
		p->rc = -ENOMEM;
}

/* restart.policy: never | on-failure | always */
static void service_key_policy(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "policy");

	if (v == NULL)
		return;
	if (strcmp(v, "never") == 0)
		p->svc->restart.mode = RESTART_NEVER;
	else if (strcmp(v, "on-failure") == 0)
		p->svc->restart.mode = RESTART_ON_FAILURE;
	else if (strcmp(v, "always") == 0)
		p->svc->restart.mode = RESTART_ALWAYS;
	else
		service_error(p, n->start_mark,
		              "policy must be never, on-failure or always, not "
		              "'%s'",
		              v);
}

static void service_key_initial(struct service_parser *p, yaml_node_t *n)
{
	service_duration(p, n, "initial", &p->svc->restart.backoff_initial_ms);
}

static void service_key_max(struct service_parser *p, yaml_node_t *n)
{
	service_duration(p, n, "max", &p->svc->restart.backoff_max_ms);
}

static void service_key_multiplier(struct service_parser *p, yaml_node_t *n)
{
	uint64_t x;

	if (service_uint(p, n, "multiplier", 16, &x) == 0)
		p->svc->restart.backoff_multiplier = (uint32_t)x;
}

/* backoff.jitter: a fraction written as a decimal number. */
static void service_key_jitter(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "jitter");
	char *end;
	double d;

	if (v == NULL)
		return;
	errno = 0;
	d = strtod(v, &end);
	if (v[0] == '\0' || *end != '\0' ||
	    strspn(v, "0123456789.") != strlen(v) || errno != 0 ||
	    !(d >= 0.0 && d <= 1.0)) {
		service_error(p, n->start_mark,
		              "jitter must be a number from 0 to 1, not '%s'",
		              v);
		return;
	}
	p->svc->restart.jitter = d;
}

static void service_key_backoff(struct service_parser *p, yaml_node_t *n)
{
	static const struct service_key keys[] = {
	        {"initial", service_key_initial},
	        {"max", service_key_max},
	        {"multiplier", service_key_multiplier},
	        {"jitter", service_key_jitter},
	};

	service_walk_map(p, n, "backoff", keys, NELEM(keys));
}

static void service_key_starts(struct service_parser *p, yaml_node_t *n)
{
	uint64_t x;

	if (service_uint(p, n, "starts", RESTART_MAX_BURST, &x) == 0)
		p->svc->restart.loop_starts = (uint32_t)x;
}

static void service_key_within(struct service_parser *p, yaml_node_t *n)
{
	service_duration(p, n, "within", &p->svc->restart.loop_window_ms);
}

static void service_key_crash_loop(struct service_parser *p, yaml_node_t *n)
{
	static const struct service_key keys[] = {
	        {"starts", service_key_starts},
	        {"within", service_key_within},
	};

	service_walk_map(p, n, "crash_loop", keys, NELEM(keys));
}

static void service_key_reset(struct service_parser *p, yaml_node_t *n)
{
	service_duration(p, n, "reset_after", &p->svc->restart.reset_ms);
}

static void service_key_restart(struct service_parser *p, yaml_node_t *n)
{
	static const struct service_key keys[] = {
	        {"policy", service_key_policy},
	        {"backoff", service_key_backoff},
	        {"crash_loop", service_key_crash_loop},
	        {"reset_after", service_key_reset},
	};

	p->restart_mark = n->start_mark;
	service_walk_map(p, n, "restart", keys, NELEM(keys));
}

static void service_key_signal(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "signal");

	if (v != NULL &&
	    service_parse_signal(v, &p->svc->restart.stop_signal) != 0)
		service_error(
		        p, n->start_mark,
		        "signal must be one of TERM, INT, HUP, QUIT, KILL, "
		        "USR1, USR2, ALRM, WINCH, not '%s'",
		        v);
}

static void service_key_grace(struct service_parser *p, yaml_node_t *n)
{
	service_duration(p, n, "grace", &p->svc->restart.stop_grace_ms);
}

static void service_key_stop(struct service_parser *p, yaml_node_t *n)
{
	static const struct service_key keys[] = {
	        {"signal", service_key_signal},
	        {"grace", service_key_grace},
	};

	p->stop_mark = n->start_mark;
	service_walk_map(p, n, "stop", keys, NELEM(keys));
}

/* Checks one limit on its own, so that its error has its position. */
static void service_check_limit(struct service_parser *p, yaml_node_t *n,
                                const struct reslimits *only)
{
	char why[200];

	if (reslimits_check(only, why, sizeof(why)) != 0)
		service_error(p, n->start_mark, "limits: %s", why);
}

static void service_key_memory(struct service_parser *p, yaml_node_t *n)
{
	const char *v = service_scalar(p, n, "memory");
	struct reslimits only = {0};

	if (v == NULL)
		return;
	if (strcmp(v, "unlimited") == 0) {
		p->svc->limits.memory = 0;
		return;
	}
	if (reslimits_parse_size(v, &only.memory) != 0) {
		service_error(p, n->start_mark,
		              "memory must be a size such as 256MiB or 1G, not "
		              "'%s'",
		              v);
		return;
	}
	service_check_limit(p, n, &only);
	p->svc->limits.memory = only.memory;
}

/* open_files and processes: a count or "unlimited". */
static void service_limit_count(struct service_parser *p, yaml_node_t *n,
                                const char *what, uint64_t *field,
                                uint64_t *only_field, struct reslimits *only)
{
	if (n->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)n->data.scalar.value, "unlimited") == 0) {
		*field = 0;
		return;
	}
	if (service_uint(p, n, what, UINT64_MAX, only_field) != 0)
		return;
	service_check_limit(p, n, only);
	*field = *only_field;
}

static void service_key_open_files(struct service_parser *p, yaml_node_t *n)
{
	struct reslimits only = {0};

	service_limit_count(p, n, "open_files", &p->svc->limits.open_files,
	                    &only.open_files, &only);
}

static void service_key_processes(struct service_parser *p, yaml_node_t *n)
{
	struct reslimits only = {0};

	service_limit_count(p, n, "processes", &p->svc->limits.processes,
	                    &only.processes, &only);
}

static void service_key_limits(struct service_parser *p, yaml_node_t *n)
{
	static const struct service_key keys[] = {
	        {"memory", service_key_memory},
	        {"open_files", service_key_open_files},
	        {"processes", service_key_processes},
	};

	service_walk_map(p, n, "limits", keys, NELEM(keys));
}

static void service_key_user(struct service_parser *p, yaml_node_t *n)
{
	p->user = service_scalar(p, n, "user");
	p->user_mark = n->start_mark;
}

static void service_key_group(struct service_parser *p, yaml_node_t *n)
{
	p->group = service_scalar(p, n, "group");
	p->group_mark = n->start_mark;
}

/* A numeric id (uid or gid): all digits and below 2^32-1. */
static bool service_numeric_id(const char *s, uint32_t *id)
{
	uint64_t x = 0;

	if (s[0] == '\0' || strlen(s) > 10 ||
	    strspn(s, "0123456789") != strlen(s))
		return false;
	for (; *s != '\0'; s++)
		x = x * 10 + (uint64_t)(*s - '0');
	/* (uid_t)-1 means "no change" to setresuid: never a real id. */
	if (x >= UINT32_MAX)
		return false;
	*id = (uint32_t)x;
	return true;
}

/* getpwnam_r/getgrnam_r buffer: grown on ERANGE, bounded. */
static char *service_pwbuf(size_t *size, size_t grow_from)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);

	*size = grow_from ? grow_from * 2
	                  : (hint > SERVICE_PWBUF_MIN ? (size_t)hint
	                                              : SERVICE_PWBUF_MIN);
	if (*size > SERVICE_PWBUF_MAX)
		return NULL;
	return malloc(*size);
}

/* The uid and primary gid of user `name`: 0, -ENOENT, or -errno. */
static int service_lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	size_t size = 0;
	char *buf = NULL;
	int rc;

	do {
		char *nb = service_pwbuf(&size, size);
		free(buf);
		if ((buf = nb) == NULL)
			return -ENOMEM;
		rc = getpwnam_r(name, &pw, buf, size, &res);
	} while (rc == ERANGE);
	if (rc == 0 && res == NULL)
		rc = ENOENT;
	if (rc == 0) {
		*uid = pw.pw_uid;
		*gid = pw.pw_gid;
	}
	free(buf);
	return -rc;
}

/* The gid of group `name`: 0, -ENOENT, or -errno. */
static int service_lookup_group(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	size_t size = 0;
	char *buf = NULL;
	int rc;

	do {
		char *nb = service_pwbuf(&size, size);
		free(buf);
		if ((buf = nb) == NULL)
			return -ENOMEM;
		rc = getgrnam_r(name, &gr, buf, size, &res);
	} while (rc == ERANGE);
	if (rc == 0 && res == NULL)
		rc = ENOENT;
	if (rc == 0)
		*gid = gr.gr_gid;
	free(buf);
	return -rc;
}

/*
 * user: and group: into uid/gid. A user name brings its primary group; a
 * numeric user has no database entry to take one from, so it needs
 * group: too (a service must never run with the daemon's group by
 * accident).
 */
static void service_finish_user(struct service_parser *p)
{
	struct service *s = p->svc;
	uint32_t id;
	bool have_gid = false;

	if (p->user == NULL) {
		if (p->group != NULL)
			service_error(p, p->group_mark, "group needs a user");
		return;
	}
	s->has_user = true;
	s->user_line = (int)p->user_mark.line + 1;
	s->user_column = (int)p->user_mark.column + 1;
	if (service_numeric_id(p->user, &id))
		s->uid = (uid_t)id;
	else if (service_lookup_user(p->user, &s->uid, &s->gid) == 0)
		have_gid = true;
	else
		service_error(p, p->user_mark, "unknown user '%s'", p->user);
	if (p->group != NULL) {
		if (service_numeric_id(p->group, &id))
			s->gid = (gid_t)id;
		else if (service_lookup_group(p->group, &s->gid) != 0)
			service_error(p, p->group_mark, "unknown group '%s'",
			              p->group);
	} else if (!have_gid && service_numeric_id(p->user, &id))
		service_error(p, p->user_mark,
		              "a numeric user needs a group as well");
}

/* Cross-field policy checks (restart.h), at the field's section. */
static void service_finish_policy(struct service_parser *p,
                                  yaml_mark_t doc_mark)
{
	char why[200];
	yaml_mark_t at;

	if (restart_policy_check(&p->svc->restart, why, sizeof(why)) == 0)
		return;
	at = strncmp(why, "stop", 4) == 0 ? p->stop_mark : p->restart_mark;
	if (at.line == 0 && at.column == 0 && at.index == 0)
		at = doc_mark;
	service_error(p, at, "bad restart or stop policy: %s", why);
}

/* The top level: every field, then the checks that span fields. */
static void service_walk_root(struct service_parser *p, yaml_node_t *root)
{
	static const struct service_key keys[] = {
	        {"name", service_key_name},
	        {"executable", service_key_executable},
	        {"args", NULL}, /* pass two: config */
	        {"restart", service_key_restart},
	        {"stop", service_key_stop},
	        {"limits", service_key_limits},
	        {"user", service_key_user},
	        {"group", service_key_group},
	};

	if (root->type != YAML_MAPPING_NODE) {
		/* The same text as config's, so the two are reported once. */
		service_error(p, root->start_mark,
		              "the document must be a mapping");
		return;
	}
	service_walk_map(p, root, "the service", keys, NELEM(keys));
	if (!p->have_name)
		service_error(p, root->start_mark, "missing 'name'");
	if (!p->have_exe)
		service_error(p, root->start_mark, "missing 'executable'");
	service_finish_policy(p, root->start_mark);
	service_finish_user(p);
}

/* Keeps a libyaml loader error, worded by us only if config saw none. */
static void service_load_error(struct service_parser *p, yaml_parser_t *yp)
{
	struct config_error *e = &p->load_err;
	yaml_mark_t m = yp->problem_mark;

	p->load_failed = true;
	if (yp->error == YAML_MEMORY_ERROR) {
		p->rc = -ENOMEM;
		return;
	}
	e->line = (int)m.line + 1;
	e->column = (int)m.column + 1;
	snprintf(e->msg, sizeof(e->msg), "%s:%d:%d: %s", p->file, e->line,
	         e->column, yp->problem ? yp->problem : "YAML syntax error");
}

/* The anchor of an event, or NULL (aliases count as anchored). */
static const yaml_char_t *service_event_anchor(const yaml_event_t *ev)
{
	static const yaml_char_t alias[] = "*";

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return alias;
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/*
 * Whether the text has a syntax error, an anchor or an alias: the loader
 * would place an alias's node at its anchor, so such files are left to
 * config, which refuses them with the right position.
 */
static bool service_needs_config_words(const void *yaml, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	bool found = false, done = false;

	if (!yaml_parser_initialize(&yp))
		return true;
	yaml_parser_set_input_string(&yp, yaml, len);
	while (!found && !done) {
		if (!yaml_parser_parse(&yp, &ev)) {
			found = true;
			break;
		}
		found = service_event_anchor(&ev) != NULL;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return found;
}

/* Pass one: load the document and check the supervisor's fields. */
static void service_pass_one(struct service_parser *p, const void *yaml,
                             size_t len)
{
	yaml_parser_t yp;
	yaml_node_t *root;

	if (service_needs_config_words(yaml, len)) {
		p->load_failed = true;
		snprintf(p->load_err.msg, sizeof(p->load_err.msg),
		         "%s: bad YAML, or anchors and aliases", p->file);
		return;
	}
	if (!yaml_parser_initialize(&yp)) {
		p->rc = -ENOMEM;
		return;
	}
	yaml_parser_set_input_string(&yp, yaml, len);
	if (!yaml_parser_load(&yp, &p->doc)) {
		service_load_error(p, &yp);
		yaml_parser_delete(&yp);
		return;
	}
	root = yaml_document_get_root_node(&p->doc);
	if (root == NULL) {
		struct config_error e = {0};
		snprintf(e.msg, sizeof(e.msg), "%s: empty service file",
		         p->file);
		service_add_error(p->errs, &e);
		p->rc = -EINVAL;
	} else
		service_walk_root(p, root);
	yaml_document_delete(&p->doc);
	yaml_parser_delete(&yp);
}

/*
 * Pass two: `args:` through config. Also the one to word syntax errors
 * (the loader stopped at the same place), anchors and a second document.
 */
static void service_pass_two(struct service_parser *p, const void *yaml,
                             size_t len)
{
	static const struct config_opts opts = {.root_key = "args",
	                                        .service = true};
	struct config_error err;
	int rc;

	rc = config_parse_opts(p->file, yaml, len, &opts, &p->svc->args, &err);
	if (rc == -ENOMEM) {
		p->rc = rc;
		return;
	}
	if (rc != 0) {
		service_add_error(p->errs, &err);
		if (p->rc == 0 || rc == -E2BIG)
			p->rc = rc;
	} else if (p->load_failed) {
		service_add_error(p->errs, &p->load_err);
		if (p->rc == 0)
			p->rc = -EINVAL;
	}
}

/* A new service with the defaults of docs/service.yaml.5. */
static struct service *service_new(const void *yaml, size_t len)
{
	struct service *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	restart_policy_default(&s->restart);
	s->exe_fd = -1;
	if ((s->yaml = malloc(len + 1)) == NULL) {
		free(s);
		return NULL;
	}
	memcpy(s->yaml, yaml, len);
	s->yaml[len] = '\0';
	s->yaml_len = len;
	return s;
}

int service_parse(const char *file, const void *yaml, size_t len,
                  struct service **out, struct service_errors *errs)
{
	struct service_parser p = {.file = file, .errs = errs};

	memset(errs, 0, sizeof(*errs));
	*out = NULL;
	if (len > CONFIG_MAX_SIZE) {
		snprintf(errs->e[0].msg, sizeof(errs->e[0].msg),
		         "%s: larger than %d bytes", file, CONFIG_MAX_SIZE);
		errs->count = 1;
		return -E2BIG;
	}
	if ((p.svc = service_new(yaml, len)) == NULL)
		return -ENOMEM;
	service_pass_one(&p, yaml, len);
	if (p.rc != -ENOMEM)
		service_pass_two(&p, yaml, len);
	if (p.rc != 0) {
		service_free(p.svc);
		if (p.rc == -ENOMEM)
			memset(errs, 0, sizeof(*errs));
		else
			service_errors_finish(errs, file);
		return p.rc;
	}
	*out = p.svc;
	return 0;
}

void service_free(struct service *svc)
{
	if (svc == NULL)
		return;
	config_free(svc->args);
	free(svc->exe_path);
	free(svc->yaml);
	free(svc);
}

size_t service_errors_format(const struct service_errors *errs, char *buf,
                             size_t size)
{
	size_t n = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < errs->count; i++) {
		int w = snprintf(buf + (n < size ? n : size),
		                 n < size ? size - n : 0, "%s%s",
		                 i > 0 ? "\n" : "", errs->e[i].msg);
		if (w > 0)
			n += (size_t)w;
	}
	return n;
}
