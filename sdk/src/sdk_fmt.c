/*
 * sdk_fmt.c: decimal formatting for guest programs (see sdk_fmt.h).
 */
#include <sdk_fmt.h>

/* Writes the digits of v, most significant first, plus a NUL. */
size_t sdk_fmt_u64(char *buf, uint64_t v)
{
	char tmp[SDK_FMT_MAX];
	size_t n = 0, i;

	/* Digits come out least significant first: collect, then reverse. */
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

/* Signed variant: the magnitude goes through uint64_t so INT64_MIN works. */
size_t sdk_fmt_i64(char *buf, int64_t v)
{
	uint64_t mag;

	if (v >= 0)
		return sdk_fmt_u64(buf, (uint64_t)v);
	mag = (uint64_t)0 - (uint64_t)v;
	buf[0] = '-';
	return 1 + sdk_fmt_u64(buf + 1, mag);
}
