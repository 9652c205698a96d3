/* libFuzzer target: elfload_parse() must reject or accept any bytes safely. */
#include <stddef.h>
#include <stdint.h>

#include "elfload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfload_image img;
	char err[128];

	/* Claim a larger file too, so segment bounds use file_size. */
	elfload_parse(data, size, size, &img, err, sizeof(err));
	elfload_parse(data, size, (uint64_t)size * 2, &img, err, sizeof(err));
	return 0;
}
