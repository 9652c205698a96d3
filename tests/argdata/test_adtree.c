/*
 * Unit tests of the adtree encoder and decoder: the worked examples of
 * abi-contract.md in both directions, fd renumbering, raw mode, number
 * edges, round trips, the printer.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adtree.h"

#define BYTES(...)                                                             \
	(const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Encodes tree in mode and checks bytes and (RENUMBER) fds. */
static void expect_encoding(const struct adtree *tree, enum adtree_fd_mode mode,
                            const uint8_t *want, size_t want_len,
                            const int *want_fds, size_t want_nfds)
{
	uint8_t *buf = NULL;
	size_t len = 0, nfds = 99;
	int *fds = NULL;

	assert_int_equal(adtree_encode(tree, mode, &buf, &len, &fds, &nfds), 0);
	assert_int_equal(len, want_len);
	if (len > 0)
		assert_memory_equal(buf, want, len);
	assert_int_equal(nfds, want_nfds);
	if (nfds > 0)
		assert_memory_equal(fds, want_fds, nfds * sizeof(int));
	else
		assert_null(fds);
	free(buf);
	free(fds);
}

/* Decodes bytes, re-encodes (RAW) and checks they are identical; returns
 * the tree (caller frees). */
static struct adtree *expect_roundtrip(const uint8_t *b, size_t n)
{
	struct adtree *t = NULL;
	struct argdata_error err;
	uint8_t *buf = NULL;
	size_t len;

	assert_int_equal(adtree_decode(b, n, &t, &err), 0);
	assert_non_null(t);
	assert_int_equal(
	        adtree_encode(t, ADTREE_FD_RAW, &buf, &len, NULL, NULL), 0);
	assert_int_equal(len, n);
	if (n > 0)
		assert_memory_equal(buf, b, n);
	free(buf);
	return t;
}

/* Appends a child, failing the test on error. */
static void append(struct adtree *seq, struct adtree *c)
{
	assert_non_null(c);
	assert_int_equal(adtree_seq_append(seq, c), 0);
}

/* Puts a str key and a value, failing the test on error. */
static void put(struct adtree *map, const char *k, struct adtree *v)
{
	struct adtree *key = adtree_new_cstr(k);

	assert_non_null(key);
	assert_non_null(v);
	assert_int_equal(adtree_map_put(map, key, v), 0);
}

/* [0, true, "A"] both ways. */
static void test_example_seq(void **state)
{
	struct adtree *t = adtree_new_seq(), *d;

	append(t, adtree_new_int(0));
	append(t, adtree_new_bool(true));
	append(t, adtree_new_cstr("A"));
	expect_encoding(t, ADTREE_FD_RENUMBER,
	                BYTES(0x07, 0x81, 0x05, 0x82, 0x02, 0x01, 0x83, 0x08,
	                      0x41, 0x00),
	                NULL, 0);
	d = expect_roundtrip(BYTES(0x07, 0x81, 0x05, 0x82, 0x02, 0x01, 0x83,
	                           0x08, 0x41, 0x00));
	assert_true(adtree_equal(t, d));
	adtree_free(t);
	adtree_free(d);
}

/* {"a": 1, "fd": !fd 7} renumbered to fd 0, fds = {7}. */
static void test_example_map(void **state)
{
	struct adtree *t = adtree_new_map(), *d;
	static const int want_fds[] = {7};

	put(t, "a", adtree_new_int(1));
	put(t, "fd", adtree_new_fd(7));
	expect_encoding(t, ADTREE_FD_RENUMBER,
	                BYTES(0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05, 0x01,
	                      0x84, 0x08, 0x66, 0x64, 0x00, 0x85, 0x03, 0x00,
	                      0x00, 0x00, 0x00),
	                want_fds, 1);
	/* RAW keeps 7. */
	expect_encoding(t, ADTREE_FD_RAW,
	                BYTES(0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05, 0x01,
	                      0x84, 0x08, 0x66, 0x64, 0x00, 0x85, 0x03, 0x00,
	                      0x00, 0x00, 0x07),
	                NULL, 0);
	d = expect_roundtrip(BYTES(0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05,
	                           0x01, 0x84, 0x08, 0x66, 0x64, 0x00, 0x85,
	                           0x03, 0x00, 0x00, 0x00, 0x00));
	assert_non_null(adtree_map_get(d, "fd"));
	assert_int_equal(adtree_map_get(d, "fd")->u.fd, 0);
	assert_int_equal(adtree_map_get(d, "a")->u.integer.u, 1);
	assert_null(adtree_map_get(d, "b"));
	adtree_free(t);
	adtree_free(d);
}

/* [null, null], a null top level, and ints -129, 255, +1 s. */
static void test_example_small(void **state)
{
	struct adtree *t = adtree_new_seq(), *d;

	append(t, adtree_new_null());
	append(t, adtree_new_null());
	expect_encoding(t, ADTREE_FD_RAW, BYTES(0x07, 0x80, 0x80), NULL, 0);
	adtree_free(expect_roundtrip(BYTES(0x07, 0x80, 0x80)));
	adtree_free(t);

	t = adtree_new_null();
	expect_encoding(t, ADTREE_FD_RAW, NULL, 0, NULL, 0);
	adtree_free(t);
	assert_int_equal(adtree_decode(NULL, 0, &d, NULL), 0);
	assert_int_equal(d->type, ADTREE_NULL);
	adtree_free(d);

	t = adtree_new_int(-129);
	expect_encoding(t, ADTREE_FD_RAW, BYTES(0x05, 0xFF, 0x7F), NULL, 0);
	adtree_free(t);
	t = adtree_new_int(255);
	expect_encoding(t, ADTREE_FD_RAW, BYTES(0x05, 0x00, 0xFF), NULL, 0);
	adtree_free(t);
	t = adtree_new_timestamp(1000000000);
	expect_encoding(t, ADTREE_FD_RAW, BYTES(0x09, 0x3B, 0x9A, 0xCA, 0x00),
	                NULL, 0);
	d = expect_roundtrip(BYTES(0x09, 0x3B, 0x9A, 0xCA, 0x00));
	assert_true(adtree_equal(t, d));
	adtree_free(t);
	adtree_free(d);
}

/* Length prefixes 0, 6, 127, 128, 201 inside a seq of one binary. */
static void test_prefixes(void **state)
{
	static const struct {
		size_t value_len;
		uint8_t prefix[2];
		size_t prefix_len;
	} cases[] = {
	        {0, {0x80}, 1},         {6, {0x86}, 1},
	        {127, {0xFF}, 1},       {128, {0x01, 0x80}, 2},
	        {201, {0x01, 0xC9}, 2},
	};
	static uint8_t zeros[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct adtree *t = adtree_new_seq();
		uint8_t *buf;
		size_t len, n = cases[i].value_len;

		/* A value of n bytes: null for 0, else a binary of n - 1. */
		append(t, n == 0 ? adtree_new_null()
		                 : adtree_new_binary(zeros, n - 1));
		assert_int_equal(
		        adtree_encode(t, ADTREE_FD_RAW, &buf, &len, NULL, NULL),
		        0);
		assert_int_equal(len, 1 + cases[i].prefix_len + n);
		assert_memory_equal(buf + 1, cases[i].prefix,
		                    cases[i].prefix_len);
		adtree_free(expect_roundtrip(buf, len));
		free(buf);
		adtree_free(t);
	}
}

/* Duplicates share an index, order is depth-first first appearance,
 * unresolved nodes are each distinct. */
static void test_fd_renumber(void **state)
{
	struct adtree *t = adtree_new_map(), *inner = adtree_new_seq();
	struct adtree *late1 = adtree_new_fd(-1), *late2 = adtree_new_fd(-1);
	static const int want[] = {1, 9, 2, -1, -1};
	uint8_t *buf;
	size_t len, nfds;
	int *fds;
	struct adtree *d;
	struct argdata_error err;

	put(t, "out", adtree_new_fd(1));
	append(inner, adtree_new_fd(9));
	append(inner, adtree_new_fd(1)); /* same as "out" */
	append(inner, adtree_new_fd(2));
	append(inner, late1);
	append(inner, late2);
	put(t, "list", inner);
	put(t, "again", adtree_new_fd(9));
	/* An fd as a map key comes before its value. */
	assert_int_equal(adtree_map_put(t, adtree_new_fd(2), adtree_new_fd(-1)),
	                 0);
	assert_int_equal(
	        adtree_encode(t, ADTREE_FD_RENUMBER, &buf, &len, &fds, &nfds),
	        0);
	assert_int_equal(nfds, 6);
	assert_memory_equal(fds, want, sizeof(want));
	assert_int_equal(fds[5], -1);
	assert_int_equal(adtree_decode(buf, len, &d, &err), 0);
	assert_int_equal(adtree_map_get(d, "out")->u.fd, 0);
	inner = adtree_map_get(d, "list");
	assert_int_equal(inner->u.list.items[0]->u.fd, 1);
	assert_int_equal(inner->u.list.items[1]->u.fd, 0);
	assert_int_equal(inner->u.list.items[2]->u.fd, 2);
	assert_int_equal(inner->u.list.items[3]->u.fd, 3);
	assert_int_equal(inner->u.list.items[4]->u.fd, 4);
	assert_int_equal(adtree_map_get(d, "again")->u.fd, 1);
	assert_int_equal(d->u.list.items[6]->u.fd, 2);
	assert_int_equal(d->u.list.items[7]->u.fd, 5);
	free(buf);
	free(fds);
	adtree_free(d);

	/* Resolving late1 to 9 makes it share 9's index. */
	adtree_fd_set(late1, 9);
	assert_int_equal(
	        adtree_encode(t, ADTREE_FD_RENUMBER, &buf, &len, &fds, &nfds),
	        0);
	assert_int_equal(nfds, 5);
	assert_int_equal(fds[3], -1);
	free(buf);
	free(fds);
	adtree_free(t);
}

/* RAW mode writes values as is; unresolved becomes the invalid fd. */
static void test_fd_raw(void **state)
{
	struct adtree *t = adtree_new_seq(), *d;
	uint8_t *buf;
	size_t len;

	append(t, adtree_new_fd(300));
	append(t, adtree_new_fd(-1));
	expect_encoding(t, ADTREE_FD_RAW,
	                BYTES(0x07, 0x85, 0x03, 0x00, 0x00, 0x01, 0x2C, 0x85,
	                      0x03, 0xFF, 0xFF, 0xFF, 0xFF),
	                NULL, 0);
	assert_int_equal(
	        adtree_encode(t, ADTREE_FD_RAW, &buf, &len, NULL, NULL), 0);
	assert_int_equal(adtree_decode(buf, len, &d, NULL), 0);
	assert_true(adtree_equal(t, d));
	free(buf);
	adtree_free(d);
	adtree_free(t);
	/* fd 0x80000000 does not fit an int. */
	struct argdata_error err;
	assert_int_equal(adtree_decode(BYTES(0x07, 0x80, 0x85, 0x03, 0x80, 0x00,
	                                     0x00, 0x00),
	                               &d, &err),
	                 -ERANGE);
	assert_int_equal(err.code, ARGDATA_ERANGE);
	assert_int_equal(err.offset, 3);
}

/* Encodes a one-int tree and compares. */
static void expect_int(struct adtree *t, const uint8_t *want, size_t n)
{
	struct adtree *d;

	assert_non_null(t);
	expect_encoding(t, ADTREE_FD_RAW, want, n, NULL, 0);
	d = expect_roundtrip(want, n);
	assert_true(adtree_equal(t, d));
	adtree_free(d);
	adtree_free(t);
}

/* Int edges, signed and unsigned. */
static void test_int_edges(void **state)
{
	struct adtree *d;
	struct argdata_error err;

	expect_int(adtree_new_int(0), BYTES(0x05));
	expect_int(adtree_new_uint(0), BYTES(0x05));
	expect_int(adtree_new_int(-1), BYTES(0x05, 0xFF));
	expect_int(adtree_new_int(127), BYTES(0x05, 0x7F));
	expect_int(adtree_new_int(128), BYTES(0x05, 0x00, 0x80));
	expect_int(adtree_new_int(-128), BYTES(0x05, 0x80));
	expect_int(adtree_new_int(-32768), BYTES(0x05, 0x80, 0x00));
	expect_int(adtree_new_int(INT64_MIN),
	           BYTES(0x05, 0x80, 0, 0, 0, 0, 0, 0, 0));
	expect_int(adtree_new_int(INT64_MAX),
	           BYTES(0x05, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
	expect_int(adtree_new_uint(UINT64_MAX),
	           BYTES(0x05, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	                 0xFF));
	expect_int(adtree_new_uint((uint64_t)INT64_MAX + 1),
	           BYTES(0x05, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0));
	expect_int(adtree_new_timestamp(-1), BYTES(0x09, 0xFF));
	expect_int(adtree_new_timestamp(INT64_MIN),
	           BYTES(0x09, 0x80, 0, 0, 0, 0, 0, 0, 0));
	/* int(5) and uint(5) are the same value. */
	struct adtree *a = adtree_new_int(5), *b = adtree_new_uint(5);
	assert_true(adtree_equal(a, b));
	adtree_free(a);
	adtree_free(b);
	/* 2^64 is valid argdata but does not fit the tree. */
	assert_int_equal(
	        adtree_decode(BYTES(0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0), &d,
	                      &err),
	        -ERANGE);
	assert_int_equal(err.code, ARGDATA_ERANGE);
	assert_int_equal(
	        adtree_decode(BYTES(0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0), &d,
	                      &err),
	        -ERANGE);
}

/* Floats: bit patterns, including -0.0, infinity and NaN. */
static void test_floats(void **state)
{
	struct adtree *t, *d;

	t = adtree_new_float(1.5);
	expect_encoding(t, ADTREE_FD_RAW,
	                BYTES(0x04, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0), NULL, 0);
	adtree_free(t);
	t = adtree_new_float(-0.0);
	expect_encoding(t, ADTREE_FD_RAW,
	                BYTES(0x04, 0x80, 0, 0, 0, 0, 0, 0, 0), NULL, 0);
	adtree_free(t);
	t = adtree_new_float(INFINITY);
	expect_encoding(t, ADTREE_FD_RAW,
	                BYTES(0x04, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0), NULL, 0);
	adtree_free(t);
	d = expect_roundtrip(BYTES(0x04, 0x7F, 0xF8, 0, 0, 0, 0, 0, 1));
	assert_true(isnan(d->u.flt));
	adtree_free(d);
	d = expect_roundtrip(
	        BYTES(0x04, 0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18));
	assert_true(d->u.flt == 3.141592653589793);
	adtree_free(d);
}

/* A tree with every type round-trips and compares equal. */
static void test_roundtrip_all(void **state)
{
	struct adtree *t = adtree_new_map(), *s = adtree_new_seq(), *d;
	struct adtree *key = adtree_new_seq();
	uint8_t *b1, *b2;
	size_t l1, l2;

	append(s, adtree_new_null());
	append(s, adtree_new_binary("\x00\x01\x02", 3));
	append(s, adtree_new_bool(false));
	append(s, adtree_new_fd(3));
	append(s, adtree_new_float(-2.25));
	append(s, adtree_new_int(-70000));
	append(s, adtree_new_map());
	append(s, adtree_new_seq());
	append(s, adtree_new_cstr("h\xC3\xA9llo"));
	append(s, adtree_new_timestamp(-1500000000));
	put(t, "all", s);
	append(key, adtree_new_int(1));
	assert_int_equal(adtree_map_put(t, key, adtree_new_cstr("v")), 0);
	assert_int_equal(adtree_encode(t, ADTREE_FD_RAW, &b1, &l1, NULL, NULL),
	                 0);
	assert_int_equal(argdata_validate(b1, l1, NULL), ARGDATA_OK);
	assert_int_equal(adtree_decode(b1, l1, &d, NULL), 0);
	assert_true(adtree_equal(t, d));
	assert_int_equal(adtree_encode(d, ADTREE_FD_RAW, &b2, &l2, NULL, NULL),
	                 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b1);
	free(b2);
	adtree_free(d);
	adtree_free(t);
}

/* Builders refuse bad input and keep ownership with the caller. */
static void test_builders(void **state)
{
	struct adtree *n = NULL, *seq = adtree_new_seq(), *x;

	assert_int_equal(adtree_new_str("a\0b", 3, &n), -EINVAL);
	assert_int_equal(adtree_new_str("\xED\xA0\x80", 3, &n), -EINVAL);
	assert_null(adtree_new_cstr("\xC0\x80"));
	assert_int_equal(adtree_new_str(NULL, 0, &n), 0);
	assert_int_equal(n->u.bytes.len, 0);
	assert_string_equal((char *)n->u.bytes.data, "");
	x = adtree_new_int(1);
	assert_int_equal(adtree_seq_append(n, x), -EINVAL);
	assert_int_equal(adtree_map_put(seq, x, x), -EINVAL);
	adtree_free(x);
	adtree_free(n);
	for (int i = 0; i < 100; i++)
		append(seq, adtree_new_int(i));
	assert_int_equal(seq->u.list.count, 100);
	assert_int_equal(seq->u.list.items[99]->u.integer.u, 99);
	adtree_free(seq);
	adtree_free(NULL);
}

/* Trees nested past ARGDATA_MAX_DEPTH do not encode. */
static void test_encode_depth(void **state)
{
	struct adtree *root = adtree_new_seq(), *cur = root;
	uint8_t *buf = NULL;
	size_t len;

	for (int d = 1; d < ARGDATA_MAX_DEPTH; d++) {
		struct adtree *c = adtree_new_seq();

		append(cur, c);
		cur = c;
	}
	assert_int_equal(
	        adtree_encode(root, ADTREE_FD_RAW, &buf, &len, NULL, NULL), 0);
	adtree_free(expect_roundtrip(buf, len));
	free(buf);
	append(cur, adtree_new_seq());
	buf = NULL;
	assert_int_equal(
	        adtree_encode(root, ADTREE_FD_RAW, &buf, &len, NULL, NULL),
	        -ELOOP);
	assert_null(buf);
	adtree_free(root);
}

/* Decoder reports validation errors with the validator's offsets. */
static void test_decode_errors(void **state)
{
	struct adtree *d = NULL;
	struct argdata_error err;

	assert_int_equal(
	        adtree_decode(BYTES(0x07, 0x80, 0x83, 0x08, 0x41), &d, &err),
	        -EINVAL);
	assert_int_equal(err.code, ARGDATA_ELENGTH);
	assert_int_equal(err.offset, 2);
	assert_null(d);
}

/* Captures adtree_print output. */
static char *print_to_string(const struct adtree *t)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	assert_int_equal(adtree_print(f, t), 0);
	fclose(f);
	return s;
}

/* The readable view, line by line. */
static void test_print(void **state)
{
	struct adtree *t = adtree_new_map(), *s = adtree_new_seq();
	char *out;

	put(t, "a", adtree_new_int(1));
	put(t, "fds", s);
	append(s, adtree_new_fd(0));
	append(s, adtree_new_fd(-1));
	append(s, adtree_new_cstr("q\"\n"));
	append(s, adtree_new_seq());
	put(t, "t", adtree_new_timestamp(1500000000));
	put(t, "b", adtree_new_binary("\x01\xAB", 2));
	put(t, "x", adtree_new_null());
	out = print_to_string(t);
	assert_string_equal(out, "\"a\": 1\n"
	                         "\"fds\":\n"
	                         "  - !fd 0\n"
	                         "  - !fd unresolved\n"
	                         "  - \"q\\\"\\n\"\n"
	                         "  - []\n"
	                         "\"t\": !timestamp 1970-01-01T00:00:01."
	                         "500000000Z\n"
	                         "\"b\": !!binary 01ab\n"
	                         "\"x\": null\n");
	free(out);
	adtree_free(t);
	t = adtree_new_bool(true);
	out = print_to_string(t);
	assert_string_equal(out, "true\n");
	free(out);
	adtree_free(t);
}

/* Hex dump layout. */
static void test_hexdump(void **state)
{
	char *s = NULL, want[128];
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_int_equal(adtree_hexdump(f, "\x07\x80\x41", 3), 0);
	fclose(f);
	/* 13 missing columns of 3 characters, then the ASCII part. */
	snprintf(want, sizeof(want), "00000000  07 80 41%39s  |..A|\n", "");
	assert_string_equal(s, want);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_example_seq),
	        cmocka_unit_test(test_example_map),
	        cmocka_unit_test(test_example_small),
	        cmocka_unit_test(test_prefixes),
	        cmocka_unit_test(test_fd_renumber),
	        cmocka_unit_test(test_fd_raw),
	        cmocka_unit_test(test_int_edges),
	        cmocka_unit_test(test_floats),
	        cmocka_unit_test(test_roundtrip_all),
	        cmocka_unit_test(test_builders),
	        cmocka_unit_test(test_encode_depth),
	        cmocka_unit_test(test_decode_errors),
	        cmocka_unit_test(test_print),
	        cmocka_unit_test(test_hexdump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
