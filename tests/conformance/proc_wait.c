/*
 * Conformance: the end of a forked child as poll's proc_terminate event
 * shows it: exit codes, deaths by signal (proc_raise in the child, and
 * the runtime's own faults), repeated polls of an ended child, a running
 * child among other subscriptions, and a child that exec'd.
 */
#include "harness.h"

/* Polls process descriptor pd alone (blocking) into *ev. */
static cloudabi_errno_t wait_pd(cloudabi_fd_t pd, cloudabi_event_t *ev)
{
	cloudabi_subscription_t sub = {
	        .userdata = 0x5eed,
	        .type = CLOUDABI_EVENTTYPE_PROC_TERMINATE,
	        .proc_terminate.fd = pd,
	};
	size_t n = 0;
	cloudabi_errno_t rc = cloudabi_sys_poll(&sub, ev, 1, &n);

	if (rc == 0 && (n != 1 || ev->userdata != 0x5eed ||
	                ev->type != CLOUDABI_EVENTTYPE_PROC_TERMINATE))
		return CLOUDABI_EIO;
	return rc == 0 ? ev->error : rc;
}

/* Forks a child that raises sig (0: exits with code) and checks the
 * event the parent gets. */
static void check_end(cloudabi_signal_t sig, uint32_t code)
{
	cloudabi_fd_t pd;
	cloudabi_tid_t tid;
	cloudabi_event_t ev;

	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		if (sig != 0)
			cloudabi_sys_proc_raise(sig);
		cloudabi_sys_proc_exit(code);
	}
	CHECK_OK(wait_pd(pd, &ev));
	CHECK(ev.proc_terminate.signal == sig);
	CHECK(ev.proc_terminate.exitcode == (sig != 0 ? 0 : code));
	/* Asking again gives the same answer (the status is kept). */
	ev.proc_terminate.signal = 99;
	CHECK_OK(wait_pd(pd, &ev));
	CHECK(ev.proc_terminate.signal == sig);
	CHECK_OK(cloudabi_sys_fd_close(pd));
}

/* A running child does not end a poll that has a timeout beside it. */
static void check_running(void)
{
	cloudabi_fd_t pd;
	cloudabi_tid_t tid;
	cloudabi_subscription_t subs[2] = {
	        {.userdata = 1, .type = CLOUDABI_EVENTTYPE_PROC_TERMINATE},
	        {.userdata = 2,
	         .type = CLOUDABI_EVENTTYPE_CLOCK,
	         .clock = {.clock_id = CLOUDABI_CLOCK_MONOTONIC,
	                   .timeout = 20000000}},
	};
	cloudabi_event_t ev[2];
	size_t n = 0;

	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD)
		for (;;)
			cloudabi_sys_thread_yield();
	subs[0].proc_terminate.fd = pd;
	CHECK_OK(cloudabi_sys_poll(subs, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 2);
	/* A dup keeps the process alive when the first fd is closed. */
	cloudabi_fd_t dup = 0;
	CHECK_OK(cloudabi_sys_fd_dup(pd, &dup));
	CHECK_OK(cloudabi_sys_fd_close(pd));
	n = 0;
	subs[0].proc_terminate.fd = dup;
	CHECK_OK(cloudabi_sys_poll(subs, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 2);
	CHECK_OK(cloudabi_sys_fd_close(dup));
}

/* A child that dies from a fault of its own shows the fault's signal. */
static void check_fault(void)
{
	cloudabi_fd_t pd;
	cloudabi_tid_t tid;
	cloudabi_event_t ev;

	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		*(volatile int *)16 = 1;
		cloudabi_sys_proc_exit(0);
	}
	CHECK_OK(wait_pd(pd, &ev));
	CHECK(ev.proc_terminate.signal == CLOUDABI_SIGSEGV);
	CHECK_OK(cloudabi_sys_fd_close(pd));
}

/* A child that executes a non-ELF file gets ENOEXEC and goes on. */
static void check_child_exec_error(void)
{
	cloudabi_fd_t pd;
	cloudabi_tid_t tid;
	cloudabi_event_t ev;
	int notelf = conf_fd("notelf");

	CHECK(notelf >= 0);
	CHECK_OK(cloudabi_sys_proc_fork(&pd, &tid));
	if (pd == CLOUDABI_PROCESS_CHILD) {
		cloudabi_errno_t rc = cloudabi_sys_proc_exec(
		        (cloudabi_fd_t)notelf, "", 0, 0, 0);
		cloudabi_sys_proc_exit(rc == CLOUDABI_ENOEXEC ? 7 : 8);
	}
	CHECK_OK(wait_pd(pd, &ev));
	CHECK(ev.proc_terminate.signal == 0 && ev.proc_terminate.exitcode == 7);
	CHECK_OK(cloudabi_sys_fd_close(pd));
}

/* poll on a process fd without the right, or on a bad fd. */
static void check_errors(void)
{
	cloudabi_event_t ev;
	int log = conf_fd("log");

	CHECK_ERRNO(wait_pd(999, &ev), CLOUDABI_EBADF);
	CHECK_ERRNO(wait_pd((cloudabi_fd_t)log, &ev), CLOUDABI_ENOTCAPABLE);
}

void conf_main(void)
{
	check_end(0, 0);
	check_end(0, 42);
	check_end(0, 255);
	check_end(CLOUDABI_SIGABRT, 0);
	check_end(CLOUDABI_SIGTERM, 0);
	check_end(CLOUDABI_SIGKILL, 0);
	check_end(CLOUDABI_SIGUSR2, 0);
	/* Ignored signals: the child goes on to exit normally. */
	check_end(0, 3);
	check_running();
	check_fault();
	check_child_exec_error();
	check_errors();
}
