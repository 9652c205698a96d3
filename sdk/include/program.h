/*
 * program.h: the entry point a CloudABI program written with the SDK
 * provides. crt0 calls it once the process is set up; returning from it
 * exits the process with status 0.
 *
 * ad borrows the argdata buffer the runtime handed over (AT_ARGDATA), which
 * stays valid for the life of the process.
 */
#ifndef PROGRAM_H
#define PROGRAM_H

#include <argdata.h>

void program_main(const argdata_t *ad);

#endif
