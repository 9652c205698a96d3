/*
 * syscalls_guest: the CloudABI side of bench/syscalls. It times a few
 * system calls through the vDSO of cloudabi-run and prints, for each, the
 * median over `repeats` runs of `iterations` calls, in picoseconds per
 * call, one "name value" line each on `out` (a call the runtime does not
 * serve gets "name n/a ERRNO-NUMBER"). bench_syscalls.c starts it with:
 *
 *   out: !fd stdout            null: !file {path: /dev/null, mode: write}
 *   iterations: !!int N        repeats: !!int R
 *
 * Timing uses clock_time_get itself, twice per run: negligible over N.
 */
#include <cloudabi_syscalls.h>
#include <crt0.h>
#include <program.h>
#include <sdk_io.h>
#include <sdk_string.h>

#define GUEST_MAX_REPEATS 31

/* What program_main learned from the argdata. */
struct guest_cfg {
	uint32_t out, null;
	uint64_t iterations, repeats;
};

/* One benchmarked operation: runs it n times; a non-zero errno stops. */
typedef cloudabi_errno_t guest_op(const struct guest_cfg *c, uint64_t n);

static _Atomic(cloudabi_lock_t) guest_lock;

/* fd_write of one byte to /dev/null. */
static cloudabi_errno_t guest_write(const struct guest_cfg *c, uint64_t n)
{
	cloudabi_ciovec_t iov = {.buf = "x", .buf_len = 1};
	size_t done;
	cloudabi_errno_t e;

	while (n-- > 0)
		if ((e = cloudabi_sys_fd_write(c->null, &iov, 1, &done)) != 0)
			return e;
	return 0;
}

/* clock_time_get of the monotonic clock. */
static cloudabi_errno_t guest_clock(const struct guest_cfg *c, uint64_t n)
{
	cloudabi_timestamp_t t;
	cloudabi_errno_t e;

	(void)c;
	while (n-- > 0)
		if ((e = cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC,
		                                     0, &t)) != 0)
			return e;
	return 0;
}

/* thread_yield with no other thread to run. */
static cloudabi_errno_t guest_yield(const struct guest_cfg *c, uint64_t n)
{
	cloudabi_errno_t e;

	(void)c;
	while (n-- > 0)
		if ((e = cloudabi_sys_thread_yield()) != 0)
			return e;
	return 0;
}

/* An uncontended lock/unlock pair as a CloudABI C library does it: a
 * compare-and-swap to acquire, a store to release, no system call. */
static cloudabi_errno_t guest_lock_pair(const struct guest_cfg *c, uint64_t n)
{
	cloudabi_lock_t want = crt0_tid() | CLOUDABI_LOCK_WRLOCKED;

	(void)c;
	while (n-- > 0) {
		cloudabi_lock_t old = CLOUDABI_LOCK_UNLOCKED;
		if (!__c11_atomic_compare_exchange_strong(
		            &guest_lock, &old, want, __ATOMIC_ACQUIRE,
		            __ATOMIC_RELAXED))
			return CLOUDABI_EDEADLK;
		__c11_atomic_store(&guest_lock, CLOUDABI_LOCK_UNLOCKED,
		                   __ATOMIC_RELEASE);
	}
	return 0;
}

/* The same pair when the lock is kernel-managed (as after contention):
 * the release is a lock_unlock system call, with no waiter to wake. */
static cloudabi_errno_t guest_kernel_pair(const struct guest_cfg *c, uint64_t n)
{
	cloudabi_lock_t want = crt0_tid() | CLOUDABI_LOCK_WRLOCKED |
	                       CLOUDABI_LOCK_KERNEL_MANAGED;
	cloudabi_errno_t e;

	(void)c;
	while (n-- > 0) {
		cloudabi_lock_t old = CLOUDABI_LOCK_UNLOCKED;
		if (!__c11_atomic_compare_exchange_strong(
		            &guest_lock, &old, want, __ATOMIC_ACQUIRE,
		            __ATOMIC_RELAXED))
			return CLOUDABI_EDEADLK;
		e = cloudabi_sys_lock_unlock(&guest_lock,
		                             CLOUDABI_SCOPE_PRIVATE);
		if (e != 0)
			return e;
	}
	return 0;
}

/* Monotonic time in nanoseconds (0 if the clock fails). */
static uint64_t guest_now(void)
{
	cloudabi_timestamp_t t = 0;

	cloudabi_sys_clock_time_get(CLOUDABI_CLOCK_MONOTONIC, 0, &t);
	return t;
}

/* Times op and prints its median cost per call in picoseconds. */
static void guest_measure(const struct guest_cfg *c, const char *name,
                          guest_op *op)
{
	uint64_t ps[GUEST_MAX_REPEATS];
	uint64_t r = c->repeats;
	cloudabi_errno_t e;

	for (uint64_t i = 0; i < r; i++) {
		uint64_t t0 = guest_now();
		if ((e = op(c, c->iterations)) != 0) {
			sdk_io_write_str(c->out, name);
			sdk_io_write_str(c->out, " n/a ");
			sdk_io_write_i64(c->out, e);
			sdk_io_write_str(c->out, "\n");
			return;
		}
		ps[i] = (guest_now() - t0) * 1000 / c->iterations;
		/* Insertion sort: r is tiny. */
		for (uint64_t j = i; j > 0 && ps[j - 1] > ps[j]; j--) {
			uint64_t tmp = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = tmp;
		}
	}
	sdk_io_write_str(c->out, name);
	sdk_io_write_str(c->out, " ");
	sdk_io_write_i64(c->out, (int64_t)ps[r / 2]);
	sdk_io_write_str(c->out, "\n");
}

/* Reads one map entry into c; unknown keys are an error. */
static int guest_entry(struct guest_cfg *c, const argdata_t *k,
                       const argdata_t *v)
{
	const char *key;

	if (argdata_get_str_c(k, &key) != 0)
		return -1;
	if (strcmp(key, "out") == 0)
		return argdata_get_fd(v, &c->out);
	if (strcmp(key, "null") == 0)
		return argdata_get_fd(v, &c->null);
	if (strcmp(key, "iterations") == 0)
		return argdata_get_uint(v, &c->iterations);
	if (strcmp(key, "repeats") == 0)
		return argdata_get_uint(v, &c->repeats);
	return -1;
}

void program_main(const argdata_t *ad)
{
	struct guest_cfg c = {.out = ~0u, .null = ~0u};
	argdata_map_iterator_t it;
	argdata_t k, v;
	int more;

	if (argdata_map_iterate(ad, &it) != 0)
		sdk_io_exit(2);
	while ((more = argdata_map_next(&it, &k, &v)) > 0)
		if (guest_entry(&c, &k, &v) != 0)
			sdk_io_exit(2);
	if (more < 0 || c.out == ~0u || c.null == ~0u || c.iterations == 0 ||
	    c.repeats == 0 || c.repeats > GUEST_MAX_REPEATS)
		sdk_io_exit(2);
	guest_measure(&c, "fd_write", guest_write);
	guest_measure(&c, "clock_time_get", guest_clock);
	guest_measure(&c, "thread_yield", guest_yield);
	guest_measure(&c, "lock_pair", guest_lock_pair);
	guest_measure(&c, "lock_unlock", guest_kernel_pair);
}
