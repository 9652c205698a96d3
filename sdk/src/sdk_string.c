/*
 * sdk_string.c: byte-at-a-time memory primitives for guest programs.
 * Built with -fno-builtin so that the compiler does not turn these loops
 * back into calls to themselves.
 */
#include <stdint.h>

#include <sdk_string.h>

/* Copies len bytes between non-overlapping buffers. */
void *memcpy(void *restrict dst, const void *restrict src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (len-- > 0)
		*d++ = *s++;
	return dst;
}

/* Copies len bytes; the buffers may overlap. */
void *memmove(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= len) {
		/* dst is below src or past its end: forwards is safe. */
		while (len-- > 0)
			*d++ = *s++;
	} else {
		while (len-- > 0)
			d[len] = s[len];
	}
	return dst;
}

/* Fills len bytes with the low byte of c. */
void *memset(void *dst, int c, size_t len)
{
	unsigned char *d = dst;

	while (len-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

/* Compares bytes as unsigned char; the sign of the first difference. */
int memcmp(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

/* Length of a NUL-terminated string. */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}
