/* Unit tests of grpc_wire: framing in any chunking, bounds, escaping. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grpc_wire.h"

/* Frames two messages back to back into buf; returns the length. */
static size_t two_messages(uint8_t *buf)
{
	grpc_prefix_encode(buf, 3);
	memcpy(buf + 5, "abc", 3);
	grpc_prefix_encode(buf + 8, 0);
	return 13;
}

/* Feeds data in chunks of step bytes, collecting messages. */
static int feed_chunked(struct grpc_reader *r, const uint8_t *data, size_t len,
                        size_t step, char out[][8], int max)
{
	size_t off = 0, n, mlen;
	uint8_t *msg;
	ssize_t got;
	int count = 0;

	while (off < len) {
		n = len - off < step ? len - off : step;
		while (n > 0) {
			got = grpc_reader_feed(r, data + off, n);
			if (got < 0)
				return (int)got;
			off += (size_t)got;
			n -= (size_t)got;
			if (grpc_reader_take(r, &msg, &mlen) == 0) {
				assert_true(count < max && mlen < 8);
				memcpy(out[count], msg ? (char *)msg : "",
				       mlen);
				out[count++][mlen] = '\0';
				free(msg);
			}
		}
	}
	return count;
}

/* Every split of two messages gives the same two messages. */
static void test_split_anywhere(void **state)
{
	uint8_t buf[16];
	size_t len = two_messages(buf), step;
	struct grpc_reader r;
	char out[4][8];

	for (step = 1; step <= len; step++) {
		grpc_reader_init(&r, 100);
		assert_int_equal(feed_chunked(&r, buf, len, step, out, 4), 2);
		assert_string_equal(out[0], "abc");
		assert_string_equal(out[1], "");
		assert_false(grpc_reader_partial(&r));
		grpc_reader_free(&r);
	}
}

/* The reader stops after a whole message and waits for take. */
static void test_stops_at_message(void **state)
{
	uint8_t buf[16], *msg;
	size_t len = two_messages(buf), mlen;
	struct grpc_reader r;

	grpc_reader_init(&r, 100);
	assert_int_equal(grpc_reader_feed(&r, buf, len), 8);
	assert_int_equal(grpc_reader_feed(&r, buf + 8, len - 8), 0);
	assert_int_equal(grpc_reader_take(&r, &msg, &mlen), 0);
	assert_int_equal(mlen, 3);
	assert_memory_equal(msg, "abc", 3);
	free(msg);
	assert_int_equal(grpc_reader_take(&r, &msg, &mlen), -EAGAIN);
	grpc_reader_free(&r);
}

/* A partial message is visible as such. */
static void test_partial(void **state)
{
	uint8_t buf[16];
	struct grpc_reader r;

	two_messages(buf);
	grpc_reader_init(&r, 100);
	assert_false(grpc_reader_partial(&r));
	assert_int_equal(grpc_reader_feed(&r, buf, 2), 2);
	assert_true(grpc_reader_partial(&r));
	assert_int_equal(grpc_reader_feed(&r, buf + 2, 5), 5);
	assert_true(grpc_reader_partial(&r));
	grpc_reader_free(&r);
}

/* Lengths over the bound fail at the prefix, before any body. */
static void test_oversize(void **state)
{
	uint8_t pre[5];
	struct grpc_reader r;

	grpc_reader_init(&r, 1024);
	grpc_prefix_encode(pre, 1025);
	assert_int_equal(grpc_reader_feed(&r, pre, 5), -EMSGSIZE);
	/* Sticky: more input does not revive it. */
	assert_int_equal(grpc_reader_feed(&r, pre, 1), -EMSGSIZE);
	assert_null(r.buf);
	assert_int_equal(grpc_reader_status(-EMSGSIZE),
	                 GRPC_RESOURCE_EXHAUSTED);
	grpc_reader_free(&r);

	grpc_reader_init(&r, 1024);
	grpc_prefix_encode(pre, 1024);
	assert_int_equal(grpc_reader_feed(&r, pre, 5), 5);
	grpc_reader_free(&r);
}

/* A huge announced length costs only what actually arrives. */
static void test_grows_with_input(void **state)
{
	uint8_t pre[5], body[100] = {0};
	struct grpc_reader r;

	grpc_reader_init(&r, 4u << 20);
	grpc_prefix_encode(pre, 4u << 20);
	assert_int_equal(grpc_reader_feed(&r, pre, 5), 5);
	assert_int_equal(grpc_reader_feed(&r, body, sizeof(body)), 100);
	assert_true(r.buf_cap < 1024);
	grpc_reader_free(&r);
}

/* Compressed flag 1 is unsupported; other flags are malformed. */
static void test_flags(void **state)
{
	uint8_t pre[5] = {1, 0, 0, 0, 1};
	struct grpc_reader r;

	grpc_reader_init(&r, 100);
	assert_int_equal(grpc_reader_feed(&r, pre, 5), -ENOTSUP);
	assert_int_equal(grpc_reader_status(-ENOTSUP), GRPC_UNIMPLEMENTED);
	grpc_reader_free(&r);
	pre[0] = 0x80;
	grpc_reader_init(&r, 100);
	assert_int_equal(grpc_reader_feed(&r, pre, 5), -EBADMSG);
	assert_int_equal(grpc_reader_status(-EBADMSG), GRPC_INTERNAL);
	grpc_reader_free(&r);
}

/* The prefix is big-endian. */
static void test_prefix_encode(void **state)
{
	uint8_t pre[5];
	static const uint8_t want[5] = {0, 0x01, 0x02, 0x03, 0x04};

	grpc_prefix_encode(pre, 0x01020304);
	assert_memory_equal(pre, want, 5);
}

/* Escaping round-trips and leaves plain ASCII alone. */
static void test_percent(void **state)
{
	char enc[64], dec[64];
	const char *text = "not found: 100% \"x\"\n\xc3\xa9";

	grpc_percent_encode("plain text", enc, sizeof(enc));
	assert_string_equal(enc, "plain text");
	grpc_percent_encode(text, enc, sizeof(enc));
	assert_string_equal(enc, "not found: 100%25 \"x\"%0A%C3%A9");
	grpc_percent_decode(enc, strlen(enc), dec, sizeof(dec));
	assert_string_equal(dec, text);
	/* Malformed escapes are kept as they are. */
	grpc_percent_decode("50%zz%4", 7, dec, sizeof(dec));
	assert_string_equal(dec, "50%zz%4");
	/* Truncation never splits an escape. */
	grpc_percent_encode("ab\n", enc, 5);
	assert_string_equal(enc, "ab");
}

/* Names and the HTTP mapping. */
static void test_status_names(void **state)
{
	assert_string_equal(grpc_status_name(GRPC_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(grpc_status_name(16), "UNAUTHENTICATED");
	assert_string_equal(grpc_status_name(17), "UNKNOWN_CODE");
	assert_string_equal(grpc_status_name(-1), "UNKNOWN_CODE");
	assert_int_equal(grpc_status_from_http(404), GRPC_UNIMPLEMENTED);
	assert_int_equal(grpc_status_from_http(503), GRPC_UNAVAILABLE);
	assert_int_equal(grpc_status_from_http(415), GRPC_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_split_anywhere),
	        cmocka_unit_test(test_stops_at_message),
	        cmocka_unit_test(test_partial),
	        cmocka_unit_test(test_oversize),
	        cmocka_unit_test(test_grows_with_input),
	        cmocka_unit_test(test_flags),
	        cmocka_unit_test(test_prefix_encode),
	        cmocka_unit_test(test_percent),
	        cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
