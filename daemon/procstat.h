/*
 * procstat: facts about a process read from /proc/<pid>/stat. The start
 * time (field 22, clock ticks since boot) tells a process from a later one
 * that reuses its pid: the store records it with each instance and the
 * daemon compares it when it re-adopts a service after a restart.
 */
#ifndef CLOUDABID_PROCSTAT_H
#define CLOUDABID_PROCSTAT_H

#include <stdint.h>

/*
 * Reads the start time of pid. Returns 0, -ENOENT when no such process
 * exists, -EINVAL when the file does not parse.
 */
int procstat_start_time(int pid, uint64_t *start_time);

#endif
