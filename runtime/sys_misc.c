/*
 * sys_misc: clocks, randomness and thread_yield.
 */
#include <errno.h>
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include "errmap.h"
#include "sys.h"

/* The Linux clock for a CloudABI clock id; -1 when unknown. */
static clockid_t sys_misc_clock(cloudabi_clockid_t id)
{
	switch (id) {
	case CLOUDABI_CLOCK_MONOTONIC:
		return CLOCK_MONOTONIC;
	case CLOUDABI_CLOCK_PROCESS_CPUTIME_ID:
		return CLOCK_PROCESS_CPUTIME_ID;
	case CLOUDABI_CLOCK_REALTIME:
		return CLOCK_REALTIME;
	case CLOUDABI_CLOCK_THREAD_CPUTIME_ID:
		return CLOCK_THREAD_CPUTIME_ID;
	default:
		return (clockid_t)-1;
	}
}

/* Nanoseconds of ts; times before 1970 or past 2554 saturate. */
static cloudabi_timestamp_t sys_misc_ns(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / 1000000000u - 1)
		return UINT64_MAX;
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

cloudabi_errno_t cloudabi_sys_clock_res_get(cloudabi_clockid_t clock_id,
                                            cloudabi_timestamp_t *resolution)
{
	clockid_t c = sys_misc_clock(clock_id);
	struct timespec ts;

	if (c == (clockid_t)-1)
		return CLOUDABI_EINVAL;
	if (clock_getres(c, &ts) != 0)
		return errmap_from_linux(errno);
	*resolution = sys_misc_ns(&ts);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_clock_time_get(cloudabi_clockid_t clock_id,
                                             cloudabi_timestamp_t precision,
                                             cloudabi_timestamp_t *time)
{
	clockid_t c = sys_misc_clock(clock_id);
	struct timespec ts;

	/* The precision is a hint; glibc's clock_gettime reads the
	 * monotonic and realtime clocks without entering the kernel. */
	if (c == (clockid_t)-1)
		return CLOUDABI_EINVAL;
	if (clock_gettime(c, &ts) != 0)
		return errmap_from_linux(errno);
	*time = sys_misc_ns(&ts);
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_random_get(void *buf, size_t buf_len)
{
	uint8_t *p = buf;

	while (buf_len > 0) {
		ssize_t n = getrandom(p, buf_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errmap_from_linux(errno);
		p += n;
		buf_len -= (size_t)n;
	}
	return CLOUDABI_ESUCCESS;
}

cloudabi_errno_t cloudabi_sys_thread_yield(void)
{
	sched_yield();
	return CLOUDABI_ESUCCESS;
}
