/*
 * grpc_wire: the parts of the gRPC wire format that do not depend on
 * HTTP/2: length-prefixed message framing, status codes and the
 * percent-encoding of grpc-message. Shared by the server (rpc_server) and
 * the blocking client (cli/rpc_client). No I/O, no global state.
 */
#ifndef GRPC_WIRE_H
#define GRPC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* gRPC status codes (the numbers are the protocol's). */
enum grpc_status {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_ALREADY_EXISTS = 6,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_ABORTED = 10,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_DATA_LOSS = 15,
	GRPC_UNAUTHENTICATED = 16,
};

/* Each message on the wire: 1 flag byte, 4 bytes length, big-endian. */
#define GRPC_PREFIX_LEN 5

/*
 * Incremental reader of length-prefixed messages. Bytes arrive in any
 * chunking (HTTP/2 DATA frames split messages anywhere); the reader holds
 * at most one message, grown as bytes arrive (a peer that announces a large
 * length but sends little costs little), never longer than max_len.
 */
struct grpc_reader {
	size_t max_len;
	uint8_t prefix[GRPC_PREFIX_LEN];
	size_t prefix_got;
	uint8_t *buf; /* owned */
	size_t buf_cap;
	uint32_t msg_len;
	size_t msg_got;
	bool ready; /* a whole message is held */
	int error;  /* sticky: first error returned by grpc_reader_feed */
};

/* Starts an empty reader accepting messages up to max_len bytes. */
void grpc_reader_init(struct grpc_reader *r, size_t max_len);
/* Frees the held buffer; the reader may be initialised again. */
void grpc_reader_free(struct grpc_reader *r);
/*
 * Consumes bytes until one message is complete or data runs out; returns
 * the count consumed. Errors (sticky): -EMSGSIZE (length over max_len),
 * -ENOTSUP (compressed flag set), -EBADMSG (flag byte other than 0 or 1),
 * -ENOMEM. Returns 0 without consuming while a message is ready.
 */
ssize_t grpc_reader_feed(struct grpc_reader *r, const uint8_t *data,
                         size_t len);
/* True between a message's first byte and its last. */
bool grpc_reader_partial(const struct grpc_reader *r);
/*
 * Hands the ready message to the caller (who frees *msg; it may be NULL
 * when *len is 0) and readies the reader for the next. -EAGAIN if none.
 */
int grpc_reader_take(struct grpc_reader *r, uint8_t **msg, size_t *len);

/* Writes the 5-byte prefix of an uncompressed message of len bytes. */
void grpc_prefix_encode(uint8_t out[GRPC_PREFIX_LEN], uint32_t len);

/* Maps a reader error (negative errno) to the status a peer should get. */
enum grpc_status grpc_reader_status(int error);
/* The protocol's name of a code ("NOT_FOUND"), or "UNKNOWN_CODE". */
const char *grpc_status_name(int code);
/* Status for a non-200 HTTP response, per the gRPC HTTP/2 mapping. */
enum grpc_status grpc_status_from_http(int http_status);

/*
 * Percent-encodes text for grpc-message into out (size outsz, always
 * NUL-terminated, cut on a whole escape if too small). Returns the length.
 */
size_t grpc_percent_encode(const char *text, char *out, size_t outsz);
/* Decodes a grpc-message value (len bytes) into out, NUL-terminated. */
size_t grpc_percent_decode(const char *text, size_t len, char *out,
                           size_t outsz);

#endif
