/*
 * restart: the supervision state machine of one service, as an explicit
 * table of state x event -> (next state, actions).
 *
 * The module is pure: no I/O, no clocks, no randomness of its own. The
 * daemon feeds it events with the current time (milliseconds on one
 * monotonic clock of its choice) and applies the actions it returns, in
 * the order of the action bits below. Jitter comes from a random source
 * the caller injects (tests use a fixed one).
 *
 * One machine per service; the caller owns the struct (embedded in its
 * service record) and the policy inside it (copied by restart_init). No
 * memory is allocated here.
 */
#ifndef CLOUDABID_RESTART_H
#define CLOUDABID_RESTART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most starts the crash-loop window can count (the ring of start times). */
#define RESTART_MAX_BURST 32

/* Upper bounds the validation enforces, so that no arithmetic overflows. */
#define RESTART_MAX_DELAY_MS  (24ULL * 3600 * 1000)
#define RESTART_MAX_WINDOW_MS (7ULL * 24 * 3600 * 1000)

enum restart_mode {
	RESTART_NEVER,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
};

enum restart_state {
	RESTART_STOPPED,    /* no process; the operator wants none */
	RESTART_STARTING,   /* process created, runtime not yet confirmed */
	RESTART_RUNNING,    /* process running */
	RESTART_BACKOFF,    /* no process; timer armed before the next spawn */
	RESTART_STOPPING,   /* stop signal sent; grace timer armed */
	RESTART_RESTARTING, /* like STOPPING, then spawn again */
	RESTART_REMOVING,   /* like STOPPING, then forget the service */
	RESTART_FAILED,     /* parked: failed exit without restart, or loop */
	RESTART_REMOVED,    /* terminal: the daemon has released everything */
	RESTART_NSTATES,
};

enum restart_event {
	RESTART_EV_START,   /* operator: Start */
	RESTART_EV_STOP,    /* operator: Stop */
	RESTART_EV_RESTART, /* operator: Restart */
	RESTART_EV_REMOVE,  /* operator: Remove */
	RESTART_EV_SPAWNED, /* the runtime is executing the program */
	/* No process could be created or exec failed (child already reaped). */
	RESTART_EV_SPAWN_FAILED,
	RESTART_EV_EXITED,          /* the process ended (see restart_exit) */
	RESTART_EV_BACKOFF_EXPIRED, /* the backoff timer fired */
	RESTART_EV_STOP_TIMEOUT,    /* the grace timer fired */
	RESTART_NEVENTS,
};

/*
 * Actions, applied by the daemon in this bit order. A step never holds both
 * ARM_TIMER and CANCEL_TIMER for the same timer: CANCEL comes first and
 * ARM re-arms the service's single timer.
 */
enum {
	RESTART_ACT_CANCEL_TIMER = 1 << 0, /* stop the service's timer */
	RESTART_ACT_RECORD_EXIT = 1 << 1,  /* store the ended instance */
	RESTART_ACT_SIGNAL = 1 << 2,       /* step.signal to the process tree */
	RESTART_ACT_KILL = 1 << 3,         /* SIGKILL to the process tree */
	RESTART_ACT_ARM_TIMER = 1 << 4,    /* arm the timer, step.timer_ms */
	RESTART_ACT_SPAWN = 1 << 5,        /* create the process */
	RESTART_ACT_PARK = 1 << 6,         /* report the service failed */
	RESTART_ACT_FORGET = 1 << 7, /* release resources, delete the record */
};

/* Policy parameters (from the service file). */
struct restart_policy {
	enum restart_mode mode;
	uint64_t backoff_initial_ms; /* first delay; 0 = restart at once */
	uint64_t backoff_max_ms;     /* cap of the delay before jitter */
	uint32_t backoff_multiplier; /* growth per quick restart, >= 1 */
	double jitter;               /* fraction in [0, 1]: delay +- that */
	uint32_t loop_starts;        /* crash loop: this many starts ... */
	uint64_t loop_window_ms;     /* ... within this window; 0 = off */
	uint64_t reset_ms;           /* a run this long resets the backoff */
	int stop_signal;             /* first signal of a stop (SIGTERM) */
	uint64_t stop_grace_ms;      /* then SIGKILL after this long */
};

/* How a process ended (the EXITED event's argument). */
struct restart_exit {
	int code;   /* exit status when signal is 0 */
	int signal; /* signal that killed it, or 0 */
};

/* Random source for jitter: returns a uniformly random 32-bit value. */
typedef uint32_t (*restart_random_fn)(void *ctx);

/* One service's machine. Fields are readable (and settable on re-adoption). */
struct restart_machine {
	struct restart_policy policy;
	enum restart_state state;
	uint32_t restarts;     /* restarts in a row without a long run */
	uint64_t spawned_at;   /* time of the last SPAWN action */
	uint64_t next_attempt; /* when the backoff timer fires (BACKOFF) */
	uint64_t starts[RESTART_MAX_BURST]; /* ring of recent start times */
	uint32_t nstarts;                   /* valid entries of the ring */
	uint32_t starts_head;               /* next slot to write */
	restart_random_fn random;           /* NULL: no jitter */
	void *random_ctx;
};

/* What one event did: the transition and the actions to apply. */
struct restart_step {
	enum restart_state from, to;
	unsigned actions;  /* RESTART_ACT_* bits */
	int signal;        /* for RESTART_ACT_SIGNAL */
	uint64_t timer_ms; /* for RESTART_ACT_ARM_TIMER */
	const char *why;   /* static text for the event log */
};

/* Fills *p with the defaults (on-failure, 100 ms .. 30 s, x2, 10%...). */
void restart_policy_default(struct restart_policy *p);

/*
 * Checks p against the bounds above. Returns 0, or -EINVAL with a
 * message naming the field in err (always NUL-terminated when errlen > 0).
 */
int restart_policy_check(const struct restart_policy *p, char *err,
                         size_t errlen);

/* Sets up m in STOPPED with a copy of policy and an optional jitter source. */
void restart_init(struct restart_machine *m, const struct restart_policy *p,
                  restart_random_fn random, void *random_ctx);

/*
 * Feeds event ev at time now (ex: the exit for EXITED, else ignored, may be
 * NULL). Fills *step and moves m. Returns 0 (including explicit no-ops,
 * where step->actions is 0 and to == from), -EBUSY for an operator request
 * the state refuses (a service being removed), or -EINVAL for an event that
 * cannot happen in this state (a daemon bug: m is left unchanged).
 */
int restart_feed(struct restart_machine *m, enum restart_event ev,
                 const struct restart_exit *ex, uint64_t now,
                 struct restart_step *step);

/*
 * The backoff delay before the n-th restart in a row (n >= 1): initial *
 * multiplier^(n-1), capped at max, then jittered by +- jitter using m's
 * random source.
 */
uint64_t restart_backoff(const struct restart_machine *m, uint32_t n);

/* Whether an exit counts as a failure (nonzero status or a signal). */
bool restart_exit_failed(const struct restart_exit *ex);

/* Static names for logs and the store ("running", "SPAWNED"...). */
const char *restart_state_name(enum restart_state s);
const char *restart_event_name(enum restart_event ev);

/* The state of a name from restart_state_name, or -1. */
int restart_state_parse(const char *name);

#endif
