/* grpc_wire: gRPC message framing, status codes, grpc-message escaping. */
#include "grpc_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation for a message body; it doubles from there. */
#define READER_MIN_CAP 256

void grpc_reader_init(struct grpc_reader *r, size_t max_len)
{
	memset(r, 0, sizeof(*r));
	r->max_len = max_len;
}

void grpc_reader_free(struct grpc_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->buf_cap = 0;
}

/* Parses a complete prefix: checks the flag and the length bound. */
static int reader_prefix_done(struct grpc_reader *r)
{
	uint32_t len;

	if (r->prefix[0] == 1)
		return -ENOTSUP;
	if (r->prefix[0] != 0)
		return -EBADMSG;
	len = (uint32_t)r->prefix[1] << 24 | (uint32_t)r->prefix[2] << 16 |
	      (uint32_t)r->prefix[3] << 8 | (uint32_t)r->prefix[4];
	if (len > r->max_len)
		return -EMSGSIZE;
	r->msg_len = len;
	r->msg_got = 0;
	if (len == 0)
		r->ready = true;
	return 0;
}

/* Makes room for want bytes of body, growing by doubling up to msg_len. */
static int reader_reserve(struct grpc_reader *r, size_t want)
{
	size_t cap;
	uint8_t *p;

	if (want <= r->buf_cap)
		return 0;
	cap = r->buf_cap ? r->buf_cap : READER_MIN_CAP;
	while (cap < want)
		cap *= 2;
	if (cap > r->msg_len)
		cap = r->msg_len;
	p = realloc(r->buf, cap);
	if (p == NULL)
		return -ENOMEM;
	r->buf = p;
	r->buf_cap = cap;
	return 0;
}

ssize_t grpc_reader_feed(struct grpc_reader *r, const uint8_t *data, size_t len)
{
	size_t used = 0, n;
	int rc;

	if (r->error)
		return r->error;
	while (used < len && !r->ready) {
		if (r->prefix_got < GRPC_PREFIX_LEN) {
			n = GRPC_PREFIX_LEN - r->prefix_got;
			if (n > len - used)
				n = len - used;
			memcpy(r->prefix + r->prefix_got, data + used, n);
			r->prefix_got += n;
			used += n;
			if (r->prefix_got == GRPC_PREFIX_LEN &&
			    (rc = reader_prefix_done(r)) < 0)
				goto fail;
			continue;
		}
		n = r->msg_len - r->msg_got;
		if (n > len - used)
			n = len - used;
		if ((rc = reader_reserve(r, r->msg_got + n)) < 0)
			goto fail;
		memcpy(r->buf + r->msg_got, data + used, n);
		r->msg_got += n;
		used += n;
		if (r->msg_got == r->msg_len)
			r->ready = true;
	}
	return (ssize_t)used;
fail:
	r->error = rc;
	return rc;
}

bool grpc_reader_partial(const struct grpc_reader *r)
{
	return r->prefix_got > 0 && !r->ready;
}

int grpc_reader_take(struct grpc_reader *r, uint8_t **msg, size_t *len)
{
	if (!r->ready)
		return -EAGAIN;
	/* The buffer leaves with the message; the next one starts small. */
	*msg = r->buf;
	*len = r->msg_len;
	r->buf = NULL;
	r->buf_cap = 0;
	r->prefix_got = 0;
	r->msg_len = 0;
	r->msg_got = 0;
	r->ready = false;
	return 0;
}

void grpc_prefix_encode(uint8_t out[GRPC_PREFIX_LEN], uint32_t len)
{
	out[0] = 0;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
}

enum grpc_status grpc_reader_status(int error)
{
	switch (error) {
	case -EMSGSIZE:
	case -ENOMEM:
		return GRPC_RESOURCE_EXHAUSTED;
	case -ENOTSUP:
		return GRPC_UNIMPLEMENTED;
	default:
		return GRPC_INTERNAL;
	}
}

const char *grpc_status_name(int code)
{
	static const char *const names[] = {
	        "OK",
	        "CANCELLED",
	        "UNKNOWN",
	        "INVALID_ARGUMENT",
	        "DEADLINE_EXCEEDED",
	        "NOT_FOUND",
	        "ALREADY_EXISTS",
	        "PERMISSION_DENIED",
	        "RESOURCE_EXHAUSTED",
	        "FAILED_PRECONDITION",
	        "ABORTED",
	        "OUT_OF_RANGE",
	        "UNIMPLEMENTED",
	        "INTERNAL",
	        "UNAVAILABLE",
	        "DATA_LOSS",
	        "UNAUTHENTICATED",
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN_CODE";
	return names[code];
}

enum grpc_status grpc_status_from_http(int http_status)
{
	switch (http_status) {
	case 400:
		return GRPC_INTERNAL;
	case 401:
		return GRPC_UNAUTHENTICATED;
	case 403:
		return GRPC_PERMISSION_DENIED;
	case 404:
		return GRPC_UNIMPLEMENTED;
	case 429:
	case 502:
	case 503:
	case 504:
		return GRPC_UNAVAILABLE;
	default:
		return GRPC_UNKNOWN;
	}
}

size_t grpc_percent_encode(const char *text, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	if (outsz == 0)
		return 0;
	for (; *text != '\0'; text++) {
		c = (unsigned char)*text;
		/* The spec allows printable ASCII except '%' unescaped. */
		if (c >= 0x20 && c <= 0x7e && c != '%') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 3 >= outsz)
			break;
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

/* Value of a hex digit, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t grpc_percent_decode(const char *text, size_t len, char *out,
                           size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;

	if (outsz == 0)
		return 0;
	for (i = 0; i < len && o + 1 < outsz; i++) {
		/* A malformed escape is kept as is, as the spec asks. */
		if (text[i] == '%' && i + 2 < len &&
		    (hi = hexval(text[i + 1])) >= 0 &&
		    (lo = hexval(text[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
			continue;
		}
		out[o++] = text[i];
	}
	out[o] = '\0';
	return o;
}
