/*
 * crtbegin.c: opens the .ctors list. Linked right after crt0.o and before
 * every other object, so its entry comes first in the output .ctors (lld
 * also sorts a file named crtbegin.o first). The -1 marker is the classic
 * list head; crt0 runs the entries between this one and crtend's.
 */
#include <stdint.h>

extern void (*crtbegin_ctors[1])(void);

__attribute__((used, section(".ctors"))) void (*crtbegin_ctors[1])(void) = {
        (void (*)(void))(uintptr_t)-1,
};
