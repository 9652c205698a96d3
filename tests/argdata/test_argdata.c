/*
 * Unit tests of the argdata reader and validator: getters, iterators and
 * every validation error with its code and offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "argdata.h"

#define AD(...)                                                                \
	ad_of((const uint8_t[]){__VA_ARGS__},                                  \
	      sizeof((const uint8_t[]){__VA_ARGS__}))

/* View of a literal byte vector. */
static argdata_t ad_of(const uint8_t *buf, size_t len)
{
	return argdata_from_buffer(buf, len);
}

/* [0, true, "A"] from abi-contract.md, read element by element. */
static void test_seq_example(void **state)
{
	static const uint8_t b[] = {0x07, 0x81, 0x05, 0x82, 0x02,
	                            0x01, 0x83, 0x08, 0x41, 0x00};
	argdata_t ad = argdata_from_buffer(b, sizeof(b)), v;
	argdata_seq_iterator_t it;
	int64_t i = 99;
	bool t = false;
	const char *s;
	size_t len;

	assert_int_equal(argdata_validate(b, sizeof(b), NULL), ARGDATA_OK);
	assert_int_equal(argdata_seq_iterate(&ad, &it), ARGDATA_OK);
	assert_int_equal(argdata_seq_next(&it, &v), 1);
	assert_int_equal(argdata_get_int(&v, &i), ARGDATA_OK);
	assert_int_equal(i, 0);
	assert_int_equal(argdata_seq_next(&it, &v), 1);
	assert_int_equal(argdata_get_bool(&v, &t), ARGDATA_OK);
	assert_true(t);
	assert_int_equal(argdata_seq_next(&it, &v), 1);
	assert_int_equal(argdata_get_str(&v, &s, &len), ARGDATA_OK);
	assert_int_equal(len, 1);
	assert_string_equal(s, "A");
	assert_int_equal(argdata_seq_next(&it, &v), 0);
	assert_int_equal(argdata_seq_next(&it, &v), 0);
}

/* {"a": 1, "fd": !fd 0} from abi-contract.md. */
static void test_map_example(void **state)
{
	static const uint8_t b[] = {0x06, 0x83, 0x08, 0x61, 0x00, 0x82, 0x05,
	                            0x01, 0x84, 0x08, 0x66, 0x64, 0x00, 0x85,
	                            0x03, 0x00, 0x00, 0x00, 0x00};
	argdata_t ad = argdata_from_buffer(b, sizeof(b)), k, v;
	argdata_map_iterator_t it;
	const char *s;
	uint64_t u;
	uint32_t fd = 99;

	assert_int_equal(argdata_validate(b, sizeof(b), NULL), ARGDATA_OK);
	assert_int_equal(argdata_map_iterate(&ad, &it), ARGDATA_OK);
	assert_int_equal(argdata_map_next(&it, &k, &v), 1);
	assert_int_equal(argdata_get_str_c(&k, &s), ARGDATA_OK);
	assert_string_equal(s, "a");
	assert_int_equal(argdata_get_uint(&v, &u), ARGDATA_OK);
	assert_int_equal(u, 1);
	assert_int_equal(argdata_map_next(&it, &k, &v), 1);
	assert_int_equal(argdata_get_str_c(&k, &s), ARGDATA_OK);
	assert_string_equal(s, "fd");
	assert_int_equal(argdata_get_fd(&v, &fd), ARGDATA_OK);
	assert_int_equal(fd, 0);
	assert_int_equal(argdata_map_next(&it, &k, &v), 0);
	/* A map is not a seq and the other way round. */
	assert_int_equal(argdata_seq_iterate(&ad, &(argdata_seq_iterator_t){}),
	                 ARGDATA_ETYPE);
}

/* [null, null] and the empty buffer. */
static void test_nulls(void **state)
{
	argdata_t ad = AD(0x07, 0x80, 0x80), v, empty = ad_of(NULL, 0);
	argdata_seq_iterator_t it;
	int64_t i;

	assert_int_equal(argdata_validate(ad.buf, ad.len, NULL), ARGDATA_OK);
	assert_int_equal(argdata_seq_iterate(&ad, &it), ARGDATA_OK);
	for (int n = 0; n < 2; n++) {
		assert_int_equal(argdata_seq_next(&it, &v), 1);
		assert_true(argdata_is_null(&v));
		assert_int_equal(argdata_type(&v), ARGDATA_TYPE_NULL);
		assert_int_equal(argdata_get_int(&v, &i), ARGDATA_ETYPE);
	}
	assert_int_equal(argdata_seq_next(&it, &v), 0);
	assert_int_equal(argdata_validate(NULL, 0, NULL), ARGDATA_OK);
	assert_true(argdata_is_null(&empty));
}

/* Signed and unsigned ints at their edges. */
static void test_ints(void **state)
{
	int64_t i;
	uint64_t u;
	argdata_t ad;

	ad = AD(0x05, 0xFF, 0x7F);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_int_equal(i, -129);
	assert_int_equal(argdata_get_uint(&ad, &u), ARGDATA_ERANGE);
	ad = AD(0x05, 0x00, 0xFF);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_int_equal(i, 255);
	ad = AD(0x05, 0xFF);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_int_equal(i, -1);
	ad = AD(0x05, 0x7F);
	assert_int_equal(argdata_get_uint(&ad, &u), ARGDATA_OK);
	assert_int_equal(u, 127);
	ad = AD(0x05, 0x00, 0x80);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_int_equal(i, 128);
	ad = AD(0x05, 0x80);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_int_equal(i, -128);
	ad = AD(0x05, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_true(i == INT64_MIN);
	ad = AD(0x05, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_OK);
	assert_true(i == INT64_MAX);
	ad = AD(0x05, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_ERANGE);
	assert_int_equal(argdata_get_uint(&ad, &u), ARGDATA_OK);
	assert_true(u == UINT64_MAX);
	/* 2^64 and -2^63-1 fit neither. */
	ad = AD(0x05, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_uint(&ad, &u), ARGDATA_ERANGE);
	ad = AD(0x05, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_ERANGE);
	/* Non-minimal forms are refused by the getters too. */
	ad = AD(0x05, 0x00);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_EINT);
	ad = AD(0x05, 0x00, 0x7F);
	assert_int_equal(argdata_get_uint(&ad, &u), ARGDATA_EINT);
	ad = AD(0x05, 0xFF, 0x80);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_EINT);
	ad = AD(0x02);
	assert_int_equal(argdata_get_int(&ad, &i), ARGDATA_ETYPE);
}

/* Timestamps as ns and as seconds + nanoseconds. */
static void test_timestamps(void **state)
{
	struct argdata_timespec ts;
	int64_t ns;
	argdata_t ad = AD(0x09, 0x3B, 0x9A, 0xCA, 0x00);

	assert_int_equal(argdata_get_timestamp_ns(&ad, &ns), ARGDATA_OK);
	assert_int_equal(ns, 1000000000);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_OK);
	assert_int_equal(ts.sec, 1);
	assert_int_equal(ts.nsec, 0);
	ad = AD(0x09, 0xFF); /* -1 ns */
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_OK);
	assert_int_equal(ts.sec, -1);
	assert_int_equal(ts.nsec, 999999999);
	ad = AD(0x09);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_OK);
	assert_int_equal(ts.sec, 0);
	assert_int_equal(ts.nsec, 0);
	/* 2^64 ns: too big for int64 ns, fine as seconds. */
	ad = AD(0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_timestamp_ns(&ad, &ns), ARGDATA_ERANGE);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_OK);
	assert_int_equal(ts.sec, 18446744073);
	assert_int_equal(ts.nsec, 709551616);
	/* -2^64 ns. */
	ad = AD(0x09, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_OK);
	assert_int_equal(ts.sec, -18446744074);
	assert_int_equal(ts.nsec, 1000000000 - 709551616);
	/* 2^120 ns is about 1.3e27 s: out of range. */
	ad = AD(0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_ERANGE);
	ad = AD(0x09, 0x00, 0x01);
	assert_int_equal(argdata_get_timestamp(&ad, &ts), ARGDATA_ETIMESTAMP);
}

/* Bool, fd, float and binary getters. */
static void test_scalars(void **state)
{
	bool b = true;
	uint32_t fd;
	double f;
	const void *data;
	size_t len;
	argdata_t ad;

	ad = AD(0x02);
	assert_int_equal(argdata_get_bool(&ad, &b), ARGDATA_OK);
	assert_false(b);
	ad = AD(0x02, 0x02);
	assert_int_equal(argdata_get_bool(&ad, &b), ARGDATA_EBOOL);
	ad = AD(0x03, 0x00, 0x00, 0x01, 0x02);
	assert_int_equal(argdata_get_fd(&ad, &fd), ARGDATA_OK);
	assert_int_equal(fd, 0x102);
	ad = AD(0x03, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(argdata_get_fd(&ad, &fd), ARGDATA_EBADFD);
	ad = AD(0x03, 0x00, 0x01);
	assert_int_equal(argdata_get_fd(&ad, &fd), ARGDATA_EFD);
	ad = AD(0x04, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0);
	assert_int_equal(argdata_get_float(&ad, &f), ARGDATA_OK);
	assert_true(f == 1.5);
	ad = AD(0x04, 0xC0, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18);
	assert_int_equal(argdata_get_float(&ad, &f), ARGDATA_OK);
	assert_true(f == -3.141592653589793);
	ad = AD(0x04, 0x3F, 0xF8);
	assert_int_equal(argdata_get_float(&ad, &f), ARGDATA_EFLOAT);
	ad = AD(0x01, 0xDE, 0xAD);
	assert_int_equal(argdata_get_binary(&ad, &data, &len), ARGDATA_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(data, "\xDE\xAD", 2);
	assert_int_equal(argdata_get_float(&ad, &f), ARGDATA_ETYPE);
	assert_int_equal(argdata_type(&ad), ARGDATA_TYPE_BINARY);
	ad = AD(0x0A);
	assert_int_equal(argdata_type(&ad), ARGDATA_ETAG);
}

/* String getter checks terminator, embedded NUL and UTF-8. */
static void test_strings(void **state)
{
	const char *s;
	size_t len;
	argdata_t ad;

	ad = AD(0x08, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80,
	        0x00);
	assert_int_equal(argdata_get_str(&ad, &s, &len), ARGDATA_OK);
	assert_int_equal(len, 9);
	ad = AD(0x08, 0x00);
	assert_int_equal(argdata_get_str(&ad, &s, &len), ARGDATA_OK);
	assert_int_equal(len, 0);
	ad = AD(0x08, 0x41);
	assert_int_equal(argdata_get_str_c(&ad, &s), ARGDATA_ESTR_NOTERM);
	ad = AD(0x08);
	assert_int_equal(argdata_get_str_c(&ad, &s), ARGDATA_ESTR_NOTERM);
	ad = AD(0x08, 0x41, 0x00, 0x42, 0x00);
	assert_int_equal(argdata_get_str_c(&ad, &s), ARGDATA_ESTR_NUL);
	ad = AD(0x08, 0xC0, 0x80, 0x00);
	assert_int_equal(argdata_get_str_c(&ad, &s), ARGDATA_EUTF8);
}

/* UTF-8 checker: the boundary cases one by one. */
static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		int rc;
		size_t bad;
	} cases[] = {
	        {"plain ascii", ARGDATA_OK, 0},
	        {"\x7F", ARGDATA_OK, 0},
	        {"\xC2\x80", ARGDATA_OK, 0},
	        {"\xDF\xBF", ARGDATA_OK, 0},
	        {"\xE0\xA0\x80", ARGDATA_OK, 0},
	        {"\xED\x9F\xBF", ARGDATA_OK, 0}, /* U+D7FF */
	        {"\xEE\x80\x80", ARGDATA_OK, 0}, /* U+E000 */
	        {"\xF0\x90\x80\x80", ARGDATA_OK, 0},
	        {"\xF4\x8F\xBF\xBF", ARGDATA_OK, 0},    /* U+10FFFF */
	        {"a\x80", ARGDATA_EUTF8, 1},            /* lone continuation */
	        {"ab\xC0\x80", ARGDATA_EUTF8, 2},       /* overlong NUL */
	        {"\xC1\xBF", ARGDATA_EUTF8, 0},         /* overlong 2 bytes */
	        {"\xE0\x9F\xBF", ARGDATA_EUTF8, 0},     /* overlong 3 bytes */
	        {"\xF0\x8F\xBF\xBF", ARGDATA_EUTF8, 0}, /* overlong 4 */
	        {"x\xED\xA0\x80", ARGDATA_EUTF8, 1},    /* surrogate D800 */
	        {"\xED\xBF\xBF", ARGDATA_EUTF8, 0},     /* surrogate DFFF */
	        {"\xF4\x90\x80\x80", ARGDATA_EUTF8, 0}, /* U+110000 */
	        {"\xF5\x80\x80\x80", ARGDATA_EUTF8, 0},
	        {"\xFF", ARGDATA_EUTF8, 0},
	        {"ok\xE2\x82", ARGDATA_EUTF8, 2},   /* truncated */
	        {"\xE2\x28\xA1", ARGDATA_EUTF8, 0}, /* bad continuation */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad = 999;
		const char *s = cases[i].s;

		assert_int_equal(
		        argdata_utf8_check((const uint8_t *)s, strlen(s), &bad),
		        cases[i].rc);
		if (cases[i].rc != ARGDATA_OK)
			assert_int_equal(bad, cases[i].bad);
	}
}

/* Iterators stop with an error instead of reading past the end. */
static void test_iterator_errors(void **state)
{
	argdata_t ad, k, v;
	argdata_seq_iterator_t si;
	argdata_map_iterator_t mi;

	/* Second element claims 5 bytes, only 1 left. */
	ad = AD(0x07, 0x80, 0x85, 0x02);
	assert_int_equal(argdata_seq_iterate(&ad, &si), ARGDATA_OK);
	assert_int_equal(argdata_seq_next(&si, &v), 1);
	assert_int_equal(argdata_seq_next(&si, &v), ARGDATA_ELENGTH);
	assert_int_equal(si.off, 1);
	assert_int_equal(argdata_seq_next(&si, &v), ARGDATA_ELENGTH);
	ad = AD(0x07, 0x01);
	assert_int_equal(argdata_seq_iterate(&ad, &si), ARGDATA_OK);
	assert_int_equal(argdata_seq_next(&si, &v), ARGDATA_EPREFIX_TRUNCATED);
	ad = AD(0x07, 0x00, 0x81, 0x02);
	assert_int_equal(argdata_seq_iterate(&ad, &si), ARGDATA_OK);
	assert_int_equal(argdata_seq_next(&si, &v), ARGDATA_EPREFIX_OVERLONG);
	/* A map with a key and no value. */
	ad = AD(0x06, 0x81, 0x02, 0x81, 0x02, 0x80);
	assert_int_equal(argdata_map_iterate(&ad, &mi), ARGDATA_OK);
	assert_int_equal(argdata_map_next(&mi, &k, &v), 1);
	assert_int_equal(argdata_map_next(&mi, &k, &v), ARGDATA_EMAP_ODD);
	assert_int_equal(mi.off, 4);
	assert_int_equal(argdata_map_next(&mi, &k, &v), ARGDATA_EMAP_ODD);
	ad = AD(0x07);
	assert_int_equal(argdata_map_iterate(&ad, &mi), ARGDATA_ETYPE);
}

/* One validation case: bytes, expected code and offset. */
struct vcase {
	const char *name;
	const uint8_t *buf;
	size_t len;
	int code;
	size_t offset;
};

#define VCASE(name, code, off, ...)                                            \
	{                                                                      \
		name, (const uint8_t[]){__VA_ARGS__},                          \
		        sizeof((const uint8_t[]){__VA_ARGS__}), code, off      \
	}

/* Every validation error with its code and offset. */
static void test_validate_errors(void **state)
{
	const struct vcase cases[] = {
	        VCASE("overlong prefix", ARGDATA_EPREFIX_OVERLONG, 1, 0x07,
	              0x00, 0x81, 0x02),
	        VCASE("overlong after element", ARGDATA_EPREFIX_OVERLONG, 2,
	              0x07, 0x80, 0x00, 0x80),
	        VCASE("truncated prefix", ARGDATA_EPREFIX_TRUNCATED, 2, 0x07,
	              0x80, 0x01, 0x02),
	        VCASE("length past end", ARGDATA_ELENGTH, 1, 0x07, 0x83, 0x02,
	              0x01),
	        VCASE("nested length past end", ARGDATA_ELENGTH, 3, 0x07, 0x83,
	              0x07, 0x84, 0x80),
	        VCASE("odd map", ARGDATA_EMAP_ODD, 5, 0x06, 0x81, 0x02, 0x81,
	              0x02, 0x83, 0x08, 0x61, 0x00),
	        VCASE("lone key", ARGDATA_EMAP_ODD, 1, 0x06, 0x81, 0x02),
	        VCASE("bad utf8", ARGDATA_EUTF8, 2, 0x08, 0x41, 0xC0, 0xAF,
	              0x00),
	        VCASE("surrogate", ARGDATA_EUTF8, 3, 0x07, 0x85, 0x08, 0xED,
	              0xA0, 0x80, 0x00),
	        VCASE("above U+10FFFF", ARGDATA_EUTF8, 1, 0x08, 0xF4, 0x90,
	              0x80, 0x80, 0x00),
	        VCASE("missing NUL", ARGDATA_ESTR_NOTERM, 0, 0x08, 0x41),
	        VCASE("empty str", ARGDATA_ESTR_NOTERM, 2, 0x07, 0x81, 0x08),
	        VCASE("embedded NUL", ARGDATA_ESTR_NUL, 2, 0x08, 0x41, 0x00,
	              0x42, 0x00),
	        VCASE("bool 02", ARGDATA_EBOOL, 0, 0x02, 0x02),
	        VCASE("bool 2 bytes", ARGDATA_EBOOL, 2, 0x07, 0x83, 0x02, 0x01,
	              0x01),
	        VCASE("fd 3 bytes", ARGDATA_EFD, 0, 0x03, 0x00, 0x00, 0x00),
	        VCASE("fd 5 bytes", ARGDATA_EFD, 0, 0x03, 0, 0, 0, 0, 0),
	        VCASE("float 7 bytes", ARGDATA_EFLOAT, 0, 0x04, 0, 0, 0, 0, 0,
	              0, 0),
	        VCASE("float empty", ARGDATA_EFLOAT, 0, 0x04),
	        VCASE("int zero byte", ARGDATA_EINT, 0, 0x05, 0x00),
	        VCASE("int 00 7F", ARGDATA_EINT, 0, 0x05, 0x00, 0x7F),
	        VCASE("int FF 80", ARGDATA_EINT, 3, 0x06, 0x80, 0x83, 0x05,
	              0xFF, 0x80),
	        VCASE("timestamp 00 01", ARGDATA_ETIMESTAMP, 0, 0x09, 0x00,
	              0x01),
	        VCASE("timestamp FF FF", ARGDATA_ETIMESTAMP, 0, 0x09, 0xFF,
	              0xFF),
	        VCASE("unknown tag 0A", ARGDATA_ETAG, 0, 0x0A),
	        VCASE("unknown tag 00", ARGDATA_ETAG, 0, 0x00),
	        VCASE("unknown nested tag", ARGDATA_ETAG, 4, 0x07, 0x80, 0x80,
	              0x81, 0xFF),
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct argdata_error err = {.code = 1, .offset = 999};
		int rc = argdata_validate(cases[i].buf, cases[i].len, &err);

		print_message("case %s\n", cases[i].name);
		assert_int_equal(rc, cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_int_equal(err.offset, cases[i].offset);
		assert_string_not_equal(argdata_strerror(rc), "unknown error");
	}
}

/* Depth 64 is accepted, 65 is refused at the 65th tag. */
static void test_validate_depth(void **state)
{
	/* Nested single-element seqs: 07 <len> 07 <len> ... 07. The lengths
	 * stay below 128, so each prefix is one byte. */
	uint8_t buf[2 * 65];
	struct argdata_error err;

	for (size_t depth = 64; depth <= 65; depth++) {
		size_t len = 2 * depth - 1;

		for (size_t d = 0; d < depth; d++) {
			buf[2 * d] = 0x07;
			if (d + 1 < depth)
				buf[2 * d + 1] =
				        0x80 | (uint8_t)(len - 2 * d - 2);
		}
		argdata_validate(buf, len, &err);
		if (depth == 64) {
			assert_int_equal(err.code, ARGDATA_OK);
		} else {
			assert_int_equal(err.code, ARGDATA_EDEPTH);
			assert_int_equal(err.offset, 2 * 64);
		}
	}
}

/* Length prefixes of several bytes and huge claimed lengths. */
static void test_validate_prefixes(void **state)
{
	static uint8_t big[1 + 2 + 201];
	struct argdata_error err;
	argdata_t ad, v;
	argdata_seq_iterator_t it;
	const void *data;
	size_t len;

	/* A 200-byte binary in a seq: prefix 201 = 01 C9. */
	big[0] = 0x07;
	big[1] = 0x01;
	big[2] = 0xC9;
	big[3] = 0x01;
	assert_int_equal(argdata_validate(big, sizeof(big), &err), ARGDATA_OK);
	ad = argdata_from_buffer(big, sizeof(big));
	assert_int_equal(argdata_seq_iterate(&ad, &it), ARGDATA_OK);
	assert_int_equal(argdata_seq_next(&it, &v), 1);
	assert_int_equal(argdata_get_binary(&v, &data, &len), ARGDATA_OK);
	assert_int_equal(len, 200);
	/* A prefix that would overflow size_t: 11 bytes of 7F then FF. */
	ad = AD(0x07, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F,
	        0x7F, 0x7F, 0xFF);
	assert_int_equal(argdata_validate(ad.buf, ad.len, &err),
	                 ARGDATA_ELENGTH);
	assert_int_equal(err.offset, 1);
	/* 2^64 - 1 exactly (10 bytes): still past the end. */
	ad = AD(0x07, 0x01, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F,
	        0xFF);
	assert_int_equal(argdata_validate(ad.buf, ad.len, &err),
	                 ARGDATA_ELENGTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_seq_example),
	        cmocka_unit_test(test_map_example),
	        cmocka_unit_test(test_nulls),
	        cmocka_unit_test(test_ints),
	        cmocka_unit_test(test_timestamps),
	        cmocka_unit_test(test_scalars),
	        cmocka_unit_test(test_strings),
	        cmocka_unit_test(test_utf8),
	        cmocka_unit_test(test_iterator_errors),
	        cmocka_unit_test(test_validate_errors),
	        cmocka_unit_test(test_validate_depth),
	        cmocka_unit_test(test_validate_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
