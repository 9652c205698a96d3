/*
 * libFuzzer target for policies/restart: the input is a policy and a
 * sequence of (event, time step) pairs. The harness plays the daemon: it
 * keeps whether a process exists and whether the timer is armed, applies
 * the actions, and only feeds events the daemon could produce (no EXITED
 * without a process, no timer event without an armed timer). It checks
 * that such events are never rejected as impossible, that actions never
 * spawn a second process or signal a missing one, and that each state
 * agrees with the process and timer it implies.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "restart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct world {
	bool alive, confirmed, armed;
};

/* Whether a process must exist in state s. */
static bool has_process(enum restart_state s)
{
	return s == RESTART_STARTING || s == RESTART_RUNNING ||
	       s == RESTART_STOPPING || s == RESTART_RESTARTING ||
	       s == RESTART_REMOVING;
}

/* Whether the daemon could produce ev now. */
static bool possible(const struct restart_machine *m, const struct world *w,
                     enum restart_event ev)
{
	switch (ev) {
	case RESTART_EV_SPAWNED:
		return w->alive && !w->confirmed;
	case RESTART_EV_SPAWN_FAILED:
		return w->alive && !w->confirmed;
	case RESTART_EV_EXITED:
		return w->alive;
	case RESTART_EV_BACKOFF_EXPIRED:
		return w->armed && m->state == RESTART_BACKOFF;
	case RESTART_EV_STOP_TIMEOUT:
		return w->armed && m->state != RESTART_BACKOFF;
	default:
		return true; /* operator requests can come at any time */
	}
}

/* Applies a step's actions to the world, checking each is sensible. */
static void apply(struct world *w, const struct restart_step *st)
{
	if (st->actions & RESTART_ACT_CANCEL_TIMER)
		w->armed = false;
	if (st->actions & RESTART_ACT_RECORD_EXIT) {
		if (w->alive)
			abort(); /* the exit event already ended it */
	}
	if (st->actions & (RESTART_ACT_SIGNAL | RESTART_ACT_KILL))
		if (!w->alive)
			abort();
	if (st->actions & RESTART_ACT_ARM_TIMER) {
		if (w->armed)
			abort(); /* one timer per service */
		w->armed = true;
	}
	if (st->actions & RESTART_ACT_SPAWN) {
		if (w->alive)
			abort(); /* never two copies */
		w->alive = true;
		w->confirmed = false;
	}
}

/* Builds a valid policy from the first bytes. */
static void policy_from(const uint8_t *d, struct restart_policy *p)
{
	restart_policy_default(p);
	p->mode = d[0] % 3;
	p->backoff_initial_ms = d[1] % 4 == 0 ? 0 : d[1] * 10u;
	p->backoff_max_ms = p->backoff_initial_ms + d[2] * 100u;
	p->backoff_multiplier = 1 + d[3] % 4;
	p->jitter = (d[4] % 11) / 10.0;
	p->loop_starts = d[5] % (RESTART_MAX_BURST + 1);
	p->loop_window_ms = p->loop_starts == 0 ? 0 : d[6] * 100u;
	p->reset_ms = d[7] * 50u;
}

static uint32_t xorshift(void *ctx)
{
	uint32_t *s = ctx;
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;
	struct world w = {0};
	uint32_t seed = 2463534242u;
	uint64_t now = 0;

	if (size < 8)
		return 0;
	policy_from(data, &p);
	if (restart_policy_check(&p, NULL, 0) != 0)
		abort();
	restart_init(&m, &p, xorshift, &seed);
	for (size_t i = 8; i + 1 < size; i += 2) {
		enum restart_event ev = data[i] % RESTART_NEVENTS;
		now += data[i + 1] * 7u;
		if (!possible(&m, &w, ev))
			continue;
		/* The event itself changes the world before the machine sees
		 * it. */
		if (ev == RESTART_EV_EXITED || ev == RESTART_EV_SPAWN_FAILED)
			w.alive = false;
		if (ev == RESTART_EV_SPAWNED)
			w.confirmed = true;
		if (ev == RESTART_EV_BACKOFF_EXPIRED ||
		    ev == RESTART_EV_STOP_TIMEOUT)
			w.armed = false;
		struct restart_exit ex = {.code = data[i + 1] % 3 == 0,
		                          .signal =
		                                  data[i + 1] % 5 == 0 ? 9 : 0};
		int r = restart_feed(&m, ev, &ex, now, &st);
		if (r == -EINVAL)
			abort(); /* a reachable situation the table lacks */
		if (r == -EBUSY && ev > RESTART_EV_REMOVE)
			abort(); /* only operator requests are refused */
		apply(&w, &st);
		if (has_process(m.state) != w.alive)
			abort();
		if (w.armed && !(m.state == RESTART_BACKOFF ||
		                 m.state == RESTART_STOPPING ||
		                 m.state == RESTART_RESTARTING ||
		                 m.state == RESTART_REMOVING))
			abort(); /* a timer left armed where none is expected */
		if (m.state == RESTART_BACKOFF && !w.armed)
			abort(); /* a backoff nobody will ever end */
	}
	return 0;
}
