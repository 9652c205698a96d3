/*
 * sdk_string.h: the memory and string primitives the compiler may call on
 * its own (structure copies, zeroing) and programs use directly. Standard
 * names and semantics; nothing allocates.
 */
#ifndef SDK_STRING_H
#define SDK_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t len);
void *memmove(void *dst, const void *src, size_t len);
void *memset(void *dst, int c, size_t len);
int memcmp(const void *a, const void *b, size_t len);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
