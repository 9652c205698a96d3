/* reslimits: size parsing and bounds of service resource limits. */
#include "reslimits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The shift of a size suffix (at s), or -1 when s is not a valid suffix. */
static int suffix_shift(const char *s)
{
	static const char units[] = "KMGT";
	const char *u;

	if (*s == '\0' || strcmp(s, "B") == 0)
		return 0;
	u = strchr(units, *s);
	if (u == NULL)
		return -1;
	s++;
	if (*s != '\0' && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
		return -1;
	return 10 * (int)(u - units + 1);
}

int reslimits_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int shift;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	shift = suffix_shift(s);
	if (shift < 0)
		return -EINVAL;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* Checks one optional field against [min, max]; -EINVAL with a message. */
static int check_range(const char *field, uint64_t v, uint64_t min,
                       uint64_t max, char *err, size_t errlen)
{
	if (v == 0 || (v >= min && v <= max))
		return 0;
	if (errlen > 0)
		snprintf(err, errlen, "%s: %llu is outside %llu..%llu", field,
		         (unsigned long long)v, (unsigned long long)min,
		         (unsigned long long)max);
	return -EINVAL;
}

int reslimits_check(const struct reslimits *l, char *err, size_t errlen)
{
	int r;

	if (errlen > 0)
		err[0] = '\0';
	r = check_range("memory", l->memory, RESLIMITS_MEMORY_MIN,
	                RESLIMITS_MEMORY_MAX, err, errlen);
	if (r == 0)
		r = check_range("open files", l->open_files,
		                RESLIMITS_FILES_MIN, RESLIMITS_FILES_MAX, err,
		                errlen);
	if (r == 0)
		r = check_range("processes", l->processes, 1,
		                RESLIMITS_PROCESSES_MAX, err, errlen);
	return r;
}
