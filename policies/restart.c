/*
 * restart: the supervision state machine (see restart.h). Every (state,
 * event) cell of the table is written out, including the ones that are
 * no-ops or impossible, so that a reader can check each case by eye and
 * the tests can walk the whole table.
 */
#include "restart.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* What a cell does. */
enum rule_kind {
	R_INVALID, /* cannot happen here: -EINVAL, machine unchanged */
	R_IGNORE,  /* nothing to do (a repeated request, a late confirmation) */
	R_REFUSE,  /* operator request refused in this state: -EBUSY */
	R_GO,      /* fixed transition */
	R_FRESH,   /* fixed transition that also forgets past restarts */
	R_DECIDE,  /* the process is gone: restart, stop or park by policy */
};

struct rule {
	unsigned char kind;
	unsigned char next;
	unsigned short actions;
	const char *why;
};

#define INVALID                                                                \
	{                                                                      \
		R_INVALID, 0, 0, NULL                                          \
	}
#define IGNORE(w)                                                              \
	{                                                                      \
		R_IGNORE, 0, 0, w                                              \
	}
#define REFUSE(w)                                                              \
	{                                                                      \
		R_REFUSE, 0, 0, w                                              \
	}
#define GO(s, a, w)                                                            \
	{                                                                      \
		R_GO, RESTART_##s, (a), w                                      \
	}
#define FRESH(s, a, w)                                                         \
	{                                                                      \
		R_FRESH, RESTART_##s, (a), w                                   \
	}
#define DECIDE                                                                 \
	{                                                                      \
		R_DECIDE, 0, 0, NULL                                           \
	}

#define CANCEL RESTART_ACT_CANCEL_TIMER
#define RECORD RESTART_ACT_RECORD_EXIT
#define SIGNAL (RESTART_ACT_SIGNAL | RESTART_ACT_ARM_TIMER)
#define KILL   RESTART_ACT_KILL
#define SPAWN  RESTART_ACT_SPAWN
#define FORGET RESTART_ACT_FORGET

/* clang-format off */
static const struct rule table[RESTART_NSTATES][RESTART_NEVENTS] = {
[RESTART_STOPPED] = {
	[RESTART_EV_START] = FRESH(STARTING, SPAWN, "start"),
	[RESTART_EV_STOP] = IGNORE("already stopped"),
	[RESTART_EV_RESTART] = FRESH(STARTING, SPAWN, "restart of a stopped service"),
	[RESTART_EV_REMOVE] = GO(REMOVED, FORGET, "remove"),
	[RESTART_EV_SPAWNED] = INVALID,
	[RESTART_EV_SPAWN_FAILED] = INVALID,
	[RESTART_EV_EXITED] = INVALID,
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
[RESTART_STARTING] = {
	[RESTART_EV_START] = IGNORE("already starting"),
	[RESTART_EV_STOP] = GO(STOPPING, SIGNAL, "stop"),
	[RESTART_EV_RESTART] = GO(RESTARTING, SIGNAL, "restart"),
	[RESTART_EV_REMOVE] = GO(REMOVING, SIGNAL, "remove"),
	[RESTART_EV_SPAWNED] = GO(RUNNING, 0, "spawned"),
	[RESTART_EV_SPAWN_FAILED] = DECIDE,
	[RESTART_EV_EXITED] = DECIDE,
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
[RESTART_RUNNING] = {
	[RESTART_EV_START] = IGNORE("already running"),
	[RESTART_EV_STOP] = GO(STOPPING, SIGNAL, "stop"),
	[RESTART_EV_RESTART] = GO(RESTARTING, SIGNAL, "restart"),
	[RESTART_EV_REMOVE] = GO(REMOVING, SIGNAL, "remove"),
	[RESTART_EV_SPAWNED] = INVALID,
	[RESTART_EV_SPAWN_FAILED] = INVALID,
	[RESTART_EV_EXITED] = DECIDE,
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
[RESTART_BACKOFF] = {
	/* The operator asked for it now: no reason to wait out the delay. */
	[RESTART_EV_START] = GO(STARTING, CANCEL | SPAWN, "start during backoff"),
	[RESTART_EV_STOP] = GO(STOPPED, CANCEL, "stop during backoff"),
	[RESTART_EV_RESTART] = GO(STARTING, CANCEL | SPAWN, "restart during backoff"),
	[RESTART_EV_REMOVE] = GO(REMOVED, CANCEL | FORGET, "remove"),
	[RESTART_EV_SPAWNED] = INVALID,
	[RESTART_EV_SPAWN_FAILED] = INVALID,
	[RESTART_EV_EXITED] = INVALID,
	[RESTART_EV_BACKOFF_EXPIRED] = GO(STARTING, SPAWN, "backoff over"),
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
[RESTART_STOPPING] = {
	/* Stop then start: the start happens once the process is gone. */
	[RESTART_EV_START] = GO(RESTARTING, 0, "start while stopping"),
	[RESTART_EV_STOP] = IGNORE("already stopping"),
	[RESTART_EV_RESTART] = GO(RESTARTING, 0, "restart while stopping"),
	[RESTART_EV_REMOVE] = GO(REMOVING, 0, "remove while stopping"),
	[RESTART_EV_SPAWNED] = IGNORE("spawned while stopping"),
	[RESTART_EV_SPAWN_FAILED] = GO(STOPPED, CANCEL | RECORD, "stopped"),
	[RESTART_EV_EXITED] = GO(STOPPED, CANCEL | RECORD, "stopped"),
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = GO(STOPPING, KILL, "grace period over"),
},
[RESTART_RESTARTING] = {
	[RESTART_EV_START] = IGNORE("already restarting"),
	[RESTART_EV_STOP] = GO(STOPPING, 0, "stop while restarting"),
	[RESTART_EV_RESTART] = IGNORE("already restarting"),
	[RESTART_EV_REMOVE] = GO(REMOVING, 0, "remove while restarting"),
	[RESTART_EV_SPAWNED] = IGNORE("spawned while restarting"),
	[RESTART_EV_SPAWN_FAILED] = GO(STARTING, CANCEL | RECORD | SPAWN, "restarting"),
	[RESTART_EV_EXITED] = GO(STARTING, CANCEL | RECORD | SPAWN, "restarting"),
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = GO(RESTARTING, KILL, "grace period over"),
},
[RESTART_REMOVING] = {
	[RESTART_EV_START] = REFUSE("being removed"),
	[RESTART_EV_STOP] = IGNORE("already being removed"),
	[RESTART_EV_RESTART] = REFUSE("being removed"),
	[RESTART_EV_REMOVE] = IGNORE("already being removed"),
	[RESTART_EV_SPAWNED] = IGNORE("spawned while removing"),
	[RESTART_EV_SPAWN_FAILED] = GO(REMOVED, CANCEL | RECORD | FORGET, "removed"),
	[RESTART_EV_EXITED] = GO(REMOVED, CANCEL | RECORD | FORGET, "removed"),
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = GO(REMOVING, KILL, "grace period over"),
},
[RESTART_FAILED] = {
	/* An operator start is a fresh chance: the loop history is dropped. */
	[RESTART_EV_START] = FRESH(STARTING, SPAWN, "start of a failed service"),
	[RESTART_EV_STOP] = GO(STOPPED, 0, "failure acknowledged"),
	[RESTART_EV_RESTART] = FRESH(STARTING, SPAWN, "restart of a failed service"),
	[RESTART_EV_REMOVE] = GO(REMOVED, FORGET, "remove"),
	[RESTART_EV_SPAWNED] = INVALID,
	[RESTART_EV_SPAWN_FAILED] = INVALID,
	[RESTART_EV_EXITED] = INVALID,
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
[RESTART_REMOVED] = {
	[RESTART_EV_START] = REFUSE("removed"),
	[RESTART_EV_STOP] = REFUSE("removed"),
	[RESTART_EV_RESTART] = REFUSE("removed"),
	[RESTART_EV_REMOVE] = REFUSE("removed"),
	[RESTART_EV_SPAWNED] = INVALID,
	[RESTART_EV_SPAWN_FAILED] = INVALID,
	[RESTART_EV_EXITED] = INVALID,
	[RESTART_EV_BACKOFF_EXPIRED] = INVALID,
	[RESTART_EV_STOP_TIMEOUT] = INVALID,
},
};
/* clang-format on */

static const char *const state_names[RESTART_NSTATES] = {
        [RESTART_STOPPED] = "stopped",   [RESTART_STARTING] = "starting",
        [RESTART_RUNNING] = "running",   [RESTART_BACKOFF] = "backoff",
        [RESTART_STOPPING] = "stopping", [RESTART_RESTARTING] = "restarting",
        [RESTART_REMOVING] = "removing", [RESTART_FAILED] = "failed",
        [RESTART_REMOVED] = "removed",
};

static const char *const event_names[RESTART_NEVENTS] = {
        [RESTART_EV_START] = "START",
        [RESTART_EV_STOP] = "STOP",
        [RESTART_EV_RESTART] = "RESTART",
        [RESTART_EV_REMOVE] = "REMOVE",
        [RESTART_EV_SPAWNED] = "SPAWNED",
        [RESTART_EV_SPAWN_FAILED] = "SPAWN_FAILED",
        [RESTART_EV_EXITED] = "EXITED",
        [RESTART_EV_BACKOFF_EXPIRED] = "BACKOFF_EXPIRED",
        [RESTART_EV_STOP_TIMEOUT] = "STOP_TIMEOUT",
};

void restart_policy_default(struct restart_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = RESTART_ON_FAILURE;
	p->backoff_initial_ms = 100;
	p->backoff_max_ms = 30000;
	p->backoff_multiplier = 2;
	p->jitter = 0.1;
	p->loop_starts = 5;
	p->loop_window_ms = 60000;
	p->reset_ms = 60000;
	p->stop_signal = SIGTERM;
	p->stop_grace_ms = 10000;
}

/* Formats a validation error into err; returns -EINVAL. */
static int policy_error(char *err, size_t errlen, const char *field,
                        const char *what)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s: %s", field, what);
	return -EINVAL;
}

int restart_policy_check(const struct restart_policy *p, char *err,
                         size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (p->mode != RESTART_NEVER && p->mode != RESTART_ON_FAILURE &&
	    p->mode != RESTART_ALWAYS)
		return policy_error(err, errlen, "restart", "unknown mode");
	if (p->backoff_max_ms > RESTART_MAX_DELAY_MS)
		return policy_error(err, errlen, "backoff max",
		                    "longer than 24 hours");
	if (p->backoff_initial_ms > p->backoff_max_ms)
		return policy_error(err, errlen, "backoff initial",
		                    "greater than the max delay");
	if (p->backoff_multiplier < 1 || p->backoff_multiplier > 16)
		return policy_error(err, errlen, "backoff multiplier",
		                    "must be 1 to 16");
	/* Written so that NaN fails too. */
	if (!(p->jitter >= 0.0 && p->jitter <= 1.0))
		return policy_error(err, errlen, "jitter", "must be 0 to 1");
	if (p->loop_starts > RESTART_MAX_BURST)
		return policy_error(err, errlen, "crash loop starts",
		                    "more than 32");
	if (p->loop_window_ms > 0 && p->loop_starts == 0)
		return policy_error(err, errlen, "crash loop starts",
		                    "must be at least 1 with a window");
	if (p->loop_window_ms > RESTART_MAX_WINDOW_MS ||
	    p->reset_ms > RESTART_MAX_WINDOW_MS)
		return policy_error(err, errlen, "crash loop window",
		                    "longer than 7 days");
	if (p->stop_signal < 1 || p->stop_signal > 64)
		return policy_error(err, errlen, "stop signal",
		                    "not a signal number");
	if (p->stop_grace_ms > RESTART_MAX_DELAY_MS)
		return policy_error(err, errlen, "stop grace",
		                    "longer than 24 hours");
	return 0;
}

void restart_init(struct restart_machine *m, const struct restart_policy *p,
                  restart_random_fn random, void *random_ctx)
{
	memset(m, 0, sizeof(*m));
	m->policy = *p;
	m->state = RESTART_STOPPED;
	m->random = random;
	m->random_ctx = random_ctx;
}

bool restart_exit_failed(const struct restart_exit *ex)
{
	return ex->signal != 0 || ex->code != 0;
}

uint64_t restart_backoff(const struct restart_machine *m, uint32_t n)
{
	const struct restart_policy *p = &m->policy;
	uint64_t d = p->backoff_initial_ms;

	/* Bounded: stops at the cap, which validation keeps at a day. */
	for (uint32_t i = 1; i < n && d < p->backoff_max_ms; i++) {
		if (p->backoff_multiplier <= 1)
			break;
		d *= p->backoff_multiplier;
	}
	if (d > p->backoff_max_ms)
		d = p->backoff_max_ms;
	if (m->random == NULL || p->jitter <= 0.0 || d == 0)
		return d;
	/* r in [0, 1): the delay moves by up to +- jitter of itself. */
	double r = (double)m->random(m->random_ctx) / 4294967296.0;
	double j = (double)d * p->jitter * (2.0 * r - 1.0);
	double out = nearbyint((double)d + j);
	return out <= 0.0 ? 0 : (uint64_t)out;
}

/* Remembers a start at time now in the crash-loop ring. */
static void note_start(struct restart_machine *m, uint64_t now)
{
	m->spawned_at = now;
	m->starts[m->starts_head] = now;
	m->starts_head = (m->starts_head + 1) % RESTART_MAX_BURST;
	if (m->nstarts < RESTART_MAX_BURST)
		m->nstarts++;
}

/* Whether the starts in the window ending at now reach the loop limit. */
static bool in_crash_loop(const struct restart_machine *m, uint64_t now)
{
	const struct restart_policy *p = &m->policy;
	uint32_t n = 0;

	if (p->loop_window_ms == 0 || p->loop_starts == 0)
		return false;
	for (uint32_t i = 0; i < m->nstarts; i++)
		if (m->starts[i] + p->loop_window_ms > now)
			n++;
	return n >= p->loop_starts;
}

/* The process of a STARTING or RUNNING service is gone: what now. */
static void decide(struct restart_machine *m, bool failed, uint64_t now,
                   struct restart_step *step)
{
	const struct restart_policy *p = &m->policy;
	bool again = p->mode == RESTART_ALWAYS ||
	             (p->mode == RESTART_ON_FAILURE && failed);

	step->actions = RESTART_ACT_RECORD_EXIT;
	if (now >= m->spawned_at && now - m->spawned_at >= p->reset_ms)
		m->restarts = 0;
	if (!again) {
		step->to = failed ? RESTART_FAILED : RESTART_STOPPED;
		step->actions |= failed ? RESTART_ACT_PARK : 0;
		step->why = failed ? "failed, no restart" : "exited";
		return;
	}
	if (in_crash_loop(m, now)) {
		step->to = RESTART_FAILED;
		step->actions |= RESTART_ACT_PARK;
		step->why = "crash loop";
		return;
	}
	if (m->restarts < UINT32_MAX)
		m->restarts++;
	step->timer_ms = restart_backoff(m, m->restarts);
	if (step->timer_ms == 0) {
		step->to = RESTART_STARTING;
		step->actions |= RESTART_ACT_SPAWN;
		step->why = "restart";
		return;
	}
	step->to = RESTART_BACKOFF;
	step->actions |= RESTART_ACT_ARM_TIMER;
	m->next_attempt = now + step->timer_ms;
	step->why = "backoff";
}

int restart_feed(struct restart_machine *m, enum restart_event ev,
                 const struct restart_exit *ex, uint64_t now,
                 struct restart_step *step)
{
	const struct rule *r;

	memset(step, 0, sizeof(*step));
	step->from = step->to = m->state;
	if ((unsigned)m->state >= RESTART_NSTATES ||
	    (unsigned)ev >= RESTART_NEVENTS)
		return -EINVAL;
	r = &table[m->state][ev];
	step->why = r->why;
	switch (r->kind) {
	case R_IGNORE:
		return 0;
	case R_REFUSE:
		return -EBUSY;
	case R_FRESH:
		m->restarts = 0;
		m->nstarts = 0;
		m->starts_head = 0;
		/* FALLTHROUGH */
	case R_GO:
		step->to = r->next;
		step->actions = r->actions;
		break;
	case R_DECIDE:
		decide(m,
		       ev == RESTART_EV_SPAWN_FAILED || ex == NULL ||
		               restart_exit_failed(ex),
		       now, step);
		break;
	default:
		step->why = "event impossible in this state";
		return -EINVAL;
	}
	if (step->actions & RESTART_ACT_SIGNAL) {
		step->signal = m->policy.stop_signal;
		step->timer_ms = m->policy.stop_grace_ms;
	}
	if (step->actions & RESTART_ACT_SPAWN)
		note_start(m, now);
	m->state = step->to;
	return 0;
}

const char *restart_state_name(enum restart_state s)
{
	if ((unsigned)s >= RESTART_NSTATES)
		return "?";
	return state_names[s];
}

const char *restart_event_name(enum restart_event ev)
{
	if ((unsigned)ev >= RESTART_NEVENTS)
		return "?";
	return event_names[ev];
}

int restart_state_parse(const char *name)
{
	for (int s = 0; s < RESTART_NSTATES; s++)
		if (strcmp(state_names[s], name) == 0)
			return s;
	return -1;
}
