/*
 * errmap: Linux errno values to CloudABI errno values, and back.
 *
 * The names of the two sets mostly agree; their numbers do not. Every
 * system call of the runtime returns a CloudABI errno, so each Linux error
 * passes through errmap_from_linux() exactly once, where it is handled.
 */
#ifndef CLOUDABI_ERRMAP_H
#define CLOUDABI_ERRMAP_H

#include "cloudabi_types.h"

/* The CloudABI errno for Linux errno e (0 gives ESUCCESS). A Linux error
 * without a CloudABI counterpart becomes EIO, which is never a lie about
 * the cause being the program's. */
cloudabi_errno_t errmap_from_linux(int e);

/* The Linux errno for CloudABI errno e, or EIO when there is none. */
int errmap_to_linux(cloudabi_errno_t e);

#endif
