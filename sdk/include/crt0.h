/*
 * crt0.h: what the start-up code learned from the auxiliary vector, for
 * programs that need it. Values are copied at start-up; pointers returned
 * here borrow memory that lives as long as the process.
 */
#ifndef CRT0_H
#define CRT0_H

#include <stddef.h>
#include <stdint.h>

/* The page size (AT_PAGESZ; 1 when the runtime did not say). */
size_t crt0_pagesize(void);

/* The main thread's id (AT_TID; 0 when absent). */
uint32_t crt0_tid(void);

/* The number of CPUs (AT_NCPUS; 0 when absent). */
size_t crt0_ncpus(void);

/* The 16-byte process UUID (AT_PID), or NULL when absent. */
const uint8_t *crt0_pid(void);

/* The program's load base (AT_BASE). */
uintptr_t crt0_base(void);

#endif
