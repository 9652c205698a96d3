/*
 * libFuzzer target for grpc_wire: the framing reader over arbitrary bytes
 * in arbitrary chunking (the first byte picks the chunk size), and the
 * grpc-message escaping, which must round-trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the reader; checks each message respects the bound. */
static void fuzz_reader(const uint8_t *data, size_t size, size_t step)
{
	struct grpc_reader r;
	size_t n, mlen;
	uint8_t *msg;
	ssize_t got;

	grpc_reader_init(&r, 1024);
	while (size > 0) {
		n = size < step ? size : step;
		got = grpc_reader_feed(&r, data, n);
		if (got < 0)
			break;
		if (grpc_reader_take(&r, &msg, &mlen) == 0) {
			if (mlen > 1024)
				abort();
			free(msg);
		} else if (got == 0) {
			abort(); /* no progress without a message: a stall */
		}
		data += got;
		size -= (size_t)got;
	}
	grpc_reader_free(&r);
}

/* Escaping then unescaping gives the text back. */
static void fuzz_percent(const uint8_t *data, size_t size)
{
	char text[256], enc[3 * 256 + 1], dec[256];

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	grpc_percent_encode(text, enc, sizeof(enc));
	grpc_percent_decode(enc, strlen(enc), dec, sizeof(dec));
	if (strcmp(text, dec) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fuzz_reader(data + 1, size - 1, (size_t)(data[0] % 32) + 1);
	fuzz_percent(data + 1, size - 1);
	return 0;
}
