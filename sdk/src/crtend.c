/*
 * crtend.c: closes the .ctors list (linked last; see crtbegin.c). The 0
 * marker is the classic list terminator.
 */
#include <stddef.h>

extern void (*crtend_ctors[1])(void);

__attribute__((used, section(".ctors"))) void (*crtend_ctors[1])(void) = {
        NULL,
};
