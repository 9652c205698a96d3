/* procstat: reading /proc/<pid>/stat (see procstat.h). */
#include "procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses field 22 of a /proc/<pid>/stat line (after the comm's ')'). */
static int parse_start_time(const char *line, uint64_t *out)
{
	const char *p = strrchr(line, ')');
	char *end;

	if (p == NULL)
		return -EINVAL;
	p++;
	/* Fields 3 to 21 come first: skip 19 space-separated fields. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return -EINVAL;
	}
	errno = 0;
	*out = strtoull(p + 1, &end, 10);
	if (end == p + 1 || errno != 0 || (*end != ' ' && *end != '\0'))
		return -EINVAL;
	return 0;
}

int procstat_start_time(int pid, uint64_t *start_time)
{
	char path[64], line[1024];
	ssize_t n;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, line, sizeof(line) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	line[n] = '\0';
	return parse_start_time(line, start_time);
}
