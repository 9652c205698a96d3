/*
 * Unit tests of policies/restart: every cell of the state x event table,
 * the backoff sequence (exact and jittered), the crash-loop limit, the
 * reset after a long run, the stop sequence and the three restart modes.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "restart.h"

#define C RESTART_ACT_CANCEL_TIMER
#define R RESTART_ACT_RECORD_EXIT
#define S RESTART_ACT_SIGNAL
#define K RESTART_ACT_KILL
#define A RESTART_ACT_ARM_TIMER
#define N RESTART_ACT_SPAWN
#define P RESTART_ACT_PARK
#define F RESTART_ACT_FORGET

/* A policy whose failing exit goes to BACKOFF (decide cells). */
static void test_policy(struct restart_policy *p)
{
	restart_policy_default(p);
	p->jitter = 0.0;
	p->backoff_initial_ms = 100;
	p->backoff_max_ms = 3000;
	p->loop_starts = 3;
	p->loop_window_ms = 10000;
	p->reset_ms = 5000;
	p->stop_grace_ms = 2000;
}

struct cell {
	enum restart_state from;
	enum restart_event ev;
	int rc;
	enum restart_state to;
	unsigned actions;
};

#define ST(x) RESTART_##x
#define EV(x) RESTART_EV_##x
/* A no-op keeps the state; -EINVAL and -EBUSY keep it too. */
#define SAME(s, e, rc)                                                         \
	{                                                                      \
		ST(s), EV(e), rc, ST(s), 0                                     \
	}
#define TO(s, e, t, a)                                                         \
	{                                                                      \
		ST(s), EV(e), 0, ST(t), a                                      \
	}

/* The expected table, written independently of restart.c. */
static const struct cell cells[] = {
        TO(STOPPED, START, STARTING, N),
        SAME(STOPPED, STOP, 0),
        TO(STOPPED, RESTART, STARTING, N),
        TO(STOPPED, REMOVE, REMOVED, F),
        SAME(STOPPED, SPAWNED, -EINVAL),
        SAME(STOPPED, SPAWN_FAILED, -EINVAL),
        SAME(STOPPED, EXITED, -EINVAL),
        SAME(STOPPED, BACKOFF_EXPIRED, -EINVAL),
        SAME(STOPPED, STOP_TIMEOUT, -EINVAL),

        SAME(STARTING, START, 0),
        TO(STARTING, STOP, STOPPING, S | A),
        TO(STARTING, RESTART, RESTARTING, S | A),
        TO(STARTING, REMOVE, REMOVING, S | A),
        TO(STARTING, SPAWNED, RUNNING, 0),
        TO(STARTING, SPAWN_FAILED, BACKOFF, R | A),
        TO(STARTING, EXITED, BACKOFF, R | A),
        SAME(STARTING, BACKOFF_EXPIRED, -EINVAL),
        SAME(STARTING, STOP_TIMEOUT, -EINVAL),

        SAME(RUNNING, START, 0),
        TO(RUNNING, STOP, STOPPING, S | A),
        TO(RUNNING, RESTART, RESTARTING, S | A),
        TO(RUNNING, REMOVE, REMOVING, S | A),
        SAME(RUNNING, SPAWNED, -EINVAL),
        SAME(RUNNING, SPAWN_FAILED, -EINVAL),
        TO(RUNNING, EXITED, BACKOFF, R | A),
        SAME(RUNNING, BACKOFF_EXPIRED, -EINVAL),
        SAME(RUNNING, STOP_TIMEOUT, -EINVAL),

        TO(BACKOFF, START, STARTING, C | N),
        TO(BACKOFF, STOP, STOPPED, C),
        TO(BACKOFF, RESTART, STARTING, C | N),
        TO(BACKOFF, REMOVE, REMOVED, C | F),
        SAME(BACKOFF, SPAWNED, -EINVAL),
        SAME(BACKOFF, SPAWN_FAILED, -EINVAL),
        SAME(BACKOFF, EXITED, -EINVAL),
        TO(BACKOFF, BACKOFF_EXPIRED, STARTING, N),
        SAME(BACKOFF, STOP_TIMEOUT, -EINVAL),

        TO(STOPPING, START, RESTARTING, 0),
        SAME(STOPPING, STOP, 0),
        TO(STOPPING, RESTART, RESTARTING, 0),
        TO(STOPPING, REMOVE, REMOVING, 0),
        SAME(STOPPING, SPAWNED, 0),
        TO(STOPPING, SPAWN_FAILED, STOPPED, C | R),
        TO(STOPPING, EXITED, STOPPED, C | R),
        SAME(STOPPING, BACKOFF_EXPIRED, -EINVAL),
        TO(STOPPING, STOP_TIMEOUT, STOPPING, K),

        SAME(RESTARTING, START, 0),
        TO(RESTARTING, STOP, STOPPING, 0),
        SAME(RESTARTING, RESTART, 0),
        TO(RESTARTING, REMOVE, REMOVING, 0),
        SAME(RESTARTING, SPAWNED, 0),
        TO(RESTARTING, SPAWN_FAILED, STARTING, C | R | N),
        TO(RESTARTING, EXITED, STARTING, C | R | N),
        SAME(RESTARTING, BACKOFF_EXPIRED, -EINVAL),
        TO(RESTARTING, STOP_TIMEOUT, RESTARTING, K),

        SAME(REMOVING, START, -EBUSY),
        SAME(REMOVING, STOP, 0),
        SAME(REMOVING, RESTART, -EBUSY),
        SAME(REMOVING, REMOVE, 0),
        SAME(REMOVING, SPAWNED, 0),
        TO(REMOVING, SPAWN_FAILED, REMOVED, C | R | F),
        TO(REMOVING, EXITED, REMOVED, C | R | F),
        SAME(REMOVING, BACKOFF_EXPIRED, -EINVAL),
        TO(REMOVING, STOP_TIMEOUT, REMOVING, K),

        TO(FAILED, START, STARTING, N),
        TO(FAILED, STOP, STOPPED, 0),
        TO(FAILED, RESTART, STARTING, N),
        TO(FAILED, REMOVE, REMOVED, F),
        SAME(FAILED, SPAWNED, -EINVAL),
        SAME(FAILED, SPAWN_FAILED, -EINVAL),
        SAME(FAILED, EXITED, -EINVAL),
        SAME(FAILED, BACKOFF_EXPIRED, -EINVAL),
        SAME(FAILED, STOP_TIMEOUT, -EINVAL),

        SAME(REMOVED, START, -EBUSY),
        SAME(REMOVED, STOP, -EBUSY),
        SAME(REMOVED, RESTART, -EBUSY),
        SAME(REMOVED, REMOVE, -EBUSY),
        SAME(REMOVED, SPAWNED, -EINVAL),
        SAME(REMOVED, SPAWN_FAILED, -EINVAL),
        SAME(REMOVED, EXITED, -EINVAL),
        SAME(REMOVED, BACKOFF_EXPIRED, -EINVAL),
        SAME(REMOVED, STOP_TIMEOUT, -EINVAL),
};

/* Every (state, event) pair is listed once and behaves as listed. */
static void test_every_cell(void **unused)
{
	static const struct restart_exit crash = {.code = 1};
	unsigned seen[RESTART_NSTATES][RESTART_NEVENTS] = {{0}};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	assert_int_equal(sizeof(cells) / sizeof(cells[0]),
	                 RESTART_NSTATES * RESTART_NEVENTS);
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		const struct cell *c = &cells[i];
		restart_init(&m, &p, NULL, NULL);
		m.state = c->from;
		seen[c->from][c->ev]++;
		int rc = restart_feed(&m, c->ev, &crash, 1000, &st);
		if (rc != c->rc || st.to != c->to || st.actions != c->actions)
			fail_msg("cell %s x %s: rc %d to %s actions %#x",
			         restart_state_name(c->from),
			         restart_event_name(c->ev), rc,
			         restart_state_name(st.to), st.actions);
		assert_int_equal(m.state, c->to);
		assert_int_equal(st.from, c->from);
		if (c->actions & S) {
			assert_int_equal(st.signal, SIGTERM);
			assert_int_equal(st.timer_ms, 2000);
		}
		assert_non_null(st.why);
	}
	for (int s = 0; s < RESTART_NSTATES; s++)
		for (int e = 0; e < RESTART_NEVENTS; e++)
			assert_int_equal(seen[s][e], 1);
}

/* Out-of-range states and events are refused, not indexed. */
static void test_out_of_range(void **unused)
{
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	restart_init(&m, &p, NULL, NULL);
	assert_int_equal(restart_feed(&m, RESTART_NEVENTS, NULL, 0, &st),
	                 -EINVAL);
	m.state = RESTART_NSTATES;
	assert_int_equal(restart_feed(&m, RESTART_EV_START, NULL, 0, &st),
	                 -EINVAL);
	assert_string_equal(restart_state_name(RESTART_NSTATES), "?");
	assert_string_equal(restart_event_name(RESTART_NEVENTS), "?");
}

/* Without jitter the delays double from the initial one up to the cap. */
static void test_backoff_exact(void **unused)
{
	static const uint64_t want[] = {100,  200,  400,  800,
	                                1600, 3000, 3000, 3000};
	struct restart_policy p;
	struct restart_machine m;

	test_policy(&p);
	restart_init(&m, &p, NULL, NULL);
	for (uint32_t n = 1; n <= 8; n++)
		assert_int_equal(restart_backoff(&m, n), want[n - 1]);
	/* Huge counts stay at the cap without overflowing. */
	assert_int_equal(restart_backoff(&m, UINT32_MAX), 3000);
	p.backoff_multiplier = 1;
	restart_init(&m, &p, NULL, NULL);
	assert_int_equal(restart_backoff(&m, 1000000), 100);
}

/* A fixed-sequence generator standing in for the daemon's random source. */
static uint32_t lcg(void *ctx)
{
	uint32_t *s = ctx;
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static uint32_t const_random(void *ctx)
{
	return *(uint32_t *)ctx;
}

/* Jittered delays stay within +- jitter of the exact ones, and vary. */
static void test_backoff_jitter(void **unused)
{
	struct restart_policy p;
	struct restart_machine m;
	uint32_t seed = 42, fixed;

	test_policy(&p);
	p.jitter = 0.1;
	restart_init(&m, &p, lcg, &seed);
	for (uint32_t n = 1; n <= 8; n++) {
		struct restart_machine exact = m;
		exact.random = NULL;
		uint64_t d = restart_backoff(&exact, n);
		uint64_t lo = d, hi = d;
		for (int i = 0; i < 1000; i++) {
			uint64_t j = restart_backoff(&m, n);
			assert_true(j * 10 >= d * 9 && j * 10 <= d * 11);
			lo = j < lo ? j : lo;
			hi = j > hi ? j : hi;
		}
		assert_true(lo < d && hi > d);
	}
	/* The extremes of the source give the extremes of the range. */
	restart_init(&m, &p, const_random, &fixed);
	fixed = 0;
	assert_int_equal(restart_backoff(&m, 1), 90);
	fixed = UINT32_MAX;
	assert_int_equal(restart_backoff(&m, 1), 110);
	/* Full jitter can reach zero but never wraps below it. */
	p.jitter = 1.0;
	restart_init(&m, &p, const_random, &fixed);
	fixed = 0;
	assert_int_equal(restart_backoff(&m, 1), 0);
}

/* Feeds ev and asserts the step's result state and actions. */
static void feed(struct restart_machine *m, enum restart_event ev,
                 const struct restart_exit *ex, uint64_t now,
                 enum restart_state to, unsigned actions,
                 struct restart_step *st)
{
	assert_int_equal(restart_feed(m, ev, ex, now, st), 0);
	if (st->to != to || st->actions != actions)
		fail_msg("%s at %llu: to %s actions %#x",
		         restart_event_name(ev), (unsigned long long)now,
		         restart_state_name(st->to), st->actions);
}

/* Quick crashes back off 100, 200, then the third start in 10 s parks. */
static void test_crash_loop_parks(void **unused)
{
	static const struct restart_exit crash = {.signal = SIGSEGV};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, 0, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_SPAWNED, NULL, 1, ST(RUNNING), 0, &st);
	feed(&m, RESTART_EV_EXITED, &crash, 10, ST(BACKOFF), R | A, &st);
	assert_int_equal(st.timer_ms, 100);
	assert_int_equal(m.next_attempt, 110);
	feed(&m, RESTART_EV_BACKOFF_EXPIRED, NULL, 110, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_SPAWNED, NULL, 111, ST(RUNNING), 0, &st);
	feed(&m, RESTART_EV_EXITED, &crash, 120, ST(BACKOFF), R | A, &st);
	assert_int_equal(st.timer_ms, 200);
	feed(&m, RESTART_EV_BACKOFF_EXPIRED, NULL, 320, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_EXITED, &crash, 330, ST(FAILED), R | P, &st);
	assert_string_equal(st.why, "crash loop");
	/* Parked: no timer fires any more; an operator start is fresh. */
	feed(&m, RESTART_EV_START, NULL, 400, ST(STARTING), N, &st);
	assert_int_equal(m.nstarts, 1);
	assert_int_equal(m.restarts, 0);
	feed(&m, RESTART_EV_EXITED, &crash, 410, ST(BACKOFF), R | A, &st);
	assert_int_equal(st.timer_ms, 100);
}

/* Crashes spread wider than the window never park the service. */
static void test_slow_crashes_do_not_park(void **unused)
{
	static const struct restart_exit crash = {.code = 3};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;
	uint64_t t = 0;

	test_policy(&p);
	p.reset_ms = 60000; /* the backoff keeps growing */
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, t, ST(STARTING), N, &st);
	for (int i = 0; i < 20; i++) {
		t += 4000; /* at most 3 starts in any 10 s... */
		feed(&m, RESTART_EV_EXITED, &crash, t, ST(BACKOFF), R | A, &st);
		t += 2000; /* ...but each window holds at most 2 */
		feed(&m, RESTART_EV_BACKOFF_EXPIRED, NULL, t, ST(STARTING), N,
		     &st);
	}
	assert_int_equal(m.nstarts, 21);
	assert_int_equal(m.restarts, 20);
}

/* A run longer than reset_ms starts the backoff over at the initial delay. */
static void test_long_run_resets_backoff(void **unused)
{
	static const struct restart_exit crash = {.code = 1};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	p.loop_window_ms = 0; /* no crash-loop limit here */
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, 0, ST(STARTING), N, &st);
	uint64_t t = 0;
	for (uint64_t want = 100; want <= 800; want *= 2) {
		feed(&m, RESTART_EV_EXITED, &crash, t + 10, ST(BACKOFF), R | A,
		     &st);
		assert_int_equal(st.timer_ms, want);
		t += 10 + want;
		feed(&m, RESTART_EV_BACKOFF_EXPIRED, NULL, t, ST(STARTING), N,
		     &st);
	}
	feed(&m, RESTART_EV_SPAWNED, NULL, t + 1, ST(RUNNING), 0, &st);
	/* Exactly reset_ms after the spawn counts as a long run. */
	feed(&m, RESTART_EV_EXITED, &crash, t + 5000, ST(BACKOFF), R | A, &st);
	assert_int_equal(st.timer_ms, 100);
	assert_int_equal(m.restarts, 1);
}

/* Stop: the stop signal and the grace timer, then SIGKILL, then stopped. */
static void test_stop_grace_then_kill(void **unused)
{
	static const struct restart_exit killed = {.signal = SIGKILL};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	p.stop_signal = SIGINT;
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, 0, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_SPAWNED, NULL, 5, ST(RUNNING), 0, &st);
	feed(&m, RESTART_EV_STOP, NULL, 100, ST(STOPPING), S | A, &st);
	assert_int_equal(st.signal, SIGINT);
	assert_int_equal(st.timer_ms, 2000);
	feed(&m, RESTART_EV_STOP_TIMEOUT, NULL, 2100, ST(STOPPING), K, &st);
	/* The exit of a stopped service never restarts it, whatever mode. */
	feed(&m, RESTART_EV_EXITED, &killed, 2101, ST(STOPPED), C | R, &st);
	/* Operator restart of a running service: stop, then spawn again. */
	feed(&m, RESTART_EV_START, NULL, 3000, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_SPAWNED, NULL, 3001, ST(RUNNING), 0, &st);
	feed(&m, RESTART_EV_RESTART, NULL, 3100, ST(RESTARTING), S | A, &st);
	feed(&m, RESTART_EV_EXITED, &killed, 3200, ST(STARTING), C | R | N,
	     &st);
	assert_int_equal(m.spawned_at, 3200);
	/* Removal: same stop sequence, then forget. */
	feed(&m, RESTART_EV_REMOVE, NULL, 3300, ST(REMOVING), S | A, &st);
	assert_int_equal(restart_feed(&m, RESTART_EV_START, NULL, 3301, &st),
	                 -EBUSY);
	feed(&m, RESTART_EV_EXITED, &killed, 3400, ST(REMOVED), C | R | F, &st);
}

/* Runs one exit of a freshly started service under mode and returns the
 * step. */
static void one_exit(enum restart_mode mode, const struct restart_exit *ex,
                     struct restart_step *st)
{
	struct restart_policy p;
	struct restart_machine m;

	test_policy(&p);
	p.mode = mode;
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, 0, ST(STARTING), N, st);
	feed(&m, RESTART_EV_SPAWNED, NULL, 1, ST(RUNNING), 0, st);
	assert_int_equal(restart_feed(&m, RESTART_EV_EXITED, ex, 50, st), 0);
}

/* never / on-failure / always against clean and failing exits. */
static void test_restart_modes(void **unused)
{
	static const struct restart_exit clean = {0}, code = {.code = 2},
	                                 sig = {.signal = SIGABRT};
	struct restart_step st;

	one_exit(RESTART_NEVER, &clean, &st);
	assert_int_equal(st.to, RESTART_STOPPED);
	assert_int_equal(st.actions, R);
	one_exit(RESTART_NEVER, &code, &st);
	assert_int_equal(st.to, RESTART_FAILED);
	assert_int_equal(st.actions, R | P);
	one_exit(RESTART_NEVER, &sig, &st);
	assert_int_equal(st.to, RESTART_FAILED);

	one_exit(RESTART_ON_FAILURE, &clean, &st);
	assert_int_equal(st.to, RESTART_STOPPED);
	assert_int_equal(st.actions, R);
	one_exit(RESTART_ON_FAILURE, &code, &st);
	assert_int_equal(st.to, RESTART_BACKOFF);
	assert_int_equal(st.actions, R | A);
	one_exit(RESTART_ON_FAILURE, &sig, &st);
	assert_int_equal(st.to, RESTART_BACKOFF);

	one_exit(RESTART_ALWAYS, &clean, &st);
	assert_int_equal(st.to, RESTART_BACKOFF);
	assert_int_equal(st.timer_ms, 100);
	one_exit(RESTART_ALWAYS, &sig, &st);
	assert_int_equal(st.to, RESTART_BACKOFF);
}

/* With a zero initial delay a crash respawns in the same step. */
static void test_zero_backoff_spawns_at_once(void **unused)
{
	static const struct restart_exit crash = {.code = 1};
	struct restart_policy p;
	struct restart_machine m;
	struct restart_step st;

	test_policy(&p);
	p.backoff_initial_ms = 0;
	restart_init(&m, &p, NULL, NULL);
	feed(&m, RESTART_EV_START, NULL, 0, ST(STARTING), N, &st);
	feed(&m, RESTART_EV_EXITED, &crash, 1, ST(STARTING), R | N, &st);
	feed(&m, RESTART_EV_SPAWN_FAILED, NULL, 2, ST(STARTING), R | N, &st);
	/* The loop limit still applies: three starts within 10 s. */
	feed(&m, RESTART_EV_EXITED, &crash, 3, ST(FAILED), R | P, &st);
}

/* Validation names the offending field; the defaults pass. */
static void test_policy_check(void **unused)
{
	struct restart_policy p;
	char err[128];

	restart_policy_default(&p);
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	restart_policy_default(&p);
	p.backoff_initial_ms = p.backoff_max_ms + 1;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "backoff initial"));

	restart_policy_default(&p);
	p.jitter = 0.0 / 0.0;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "jitter"));

	restart_policy_default(&p);
	p.loop_starts = RESTART_MAX_BURST + 1;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	p.loop_starts = 0;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	p.loop_window_ms = 0;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), 0);

	restart_policy_default(&p);
	p.backoff_multiplier = 0;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	restart_policy_default(&p);
	p.stop_signal = 0;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stop signal"));
	restart_policy_default(&p);
	p.mode = 7;
	assert_int_equal(restart_policy_check(&p, NULL, 0), -EINVAL);
	restart_policy_default(&p);
	p.stop_grace_ms = RESTART_MAX_DELAY_MS + 1;
	assert_int_equal(restart_policy_check(&p, err, sizeof(err)), -EINVAL);
}

/* Names round-trip through restart_state_parse (the store keeps names). */
static void test_state_names(void **unused)
{
	for (int s = 0; s < RESTART_NSTATES; s++)
		assert_int_equal(restart_state_parse(restart_state_name(s)), s);
	assert_int_equal(restart_state_parse("sleeping"), -1);
	assert_string_equal(restart_event_name(RESTART_EV_STOP_TIMEOUT),
	                    "STOP_TIMEOUT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_cell),
	        cmocka_unit_test(test_out_of_range),
	        cmocka_unit_test(test_backoff_exact),
	        cmocka_unit_test(test_backoff_jitter),
	        cmocka_unit_test(test_crash_loop_parks),
	        cmocka_unit_test(test_slow_crashes_do_not_park),
	        cmocka_unit_test(test_long_run_resets_backoff),
	        cmocka_unit_test(test_stop_grace_then_kill),
	        cmocka_unit_test(test_restart_modes),
	        cmocka_unit_test(test_zero_backoff_spawns_at_once),
	        cmocka_unit_test(test_policy_check),
	        cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
