/*
 * argdata: reader and strict validator for CloudABI argdata.
 *
 * Freestanding on purpose (the guest SDK builds this file for CloudABI
 * programs): no libc, no allocation, no recursion. Every read is checked
 * against the enclosing length before it happens.
 */
#include "argdata.h"

/* Returns a view of buf[0..len). */
argdata_t argdata_from_buffer(const void *buf, size_t len)
{
	argdata_t ad = {.buf = buf, .len = len};

	return ad;
}

/* Tag of ad, ARGDATA_TYPE_NULL when empty, ARGDATA_ETAG when unknown. */
int argdata_type(const argdata_t *ad)
{
	if (ad->len == 0)
		return ARGDATA_TYPE_NULL;
	if (ad->buf[0] >= ARGDATA_TYPE_BINARY &&
	    ad->buf[0] <= ARGDATA_TYPE_TIMESTAMP)
		return ad->buf[0];
	return ARGDATA_ETAG;
}

/* True for the empty value. */
bool argdata_is_null(const argdata_t *ad)
{
	return ad->len == 0;
}

/* Payload of ad if its tag is `tag`; ARGDATA_ETYPE otherwise. */
static int payload(const argdata_t *ad, uint8_t tag, const uint8_t **p,
                   size_t *n)
{
	if (ad == NULL || ad->len == 0 || ad->buf[0] != tag)
		return ARGDATA_ETYPE;
	*p = ad->buf + 1;
	*n = ad->len - 1;
	return ARGDATA_OK;
}

/*
 * Reads the length prefix at buf[*off] (bytes before `end`) and checks that
 * the subfield fits before `end`. On success *off is the subfield's first
 * byte; on error *off is left at the prefix.
 */
static int prefix_read(const uint8_t *buf, size_t end, size_t *off,
                       size_t *length)
{
	size_t pos = *off, v = 0;

	if (pos < end && buf[pos] == 0x00)
		return ARGDATA_EPREFIX_OVERLONG;
	for (;;) {
		uint8_t b;

		if (pos >= end)
			return ARGDATA_EPREFIX_TRUNCATED;
		b = buf[pos++];
		/* A length this big cannot fit any buffer: refuse before the
		 * shift overflows. */
		if (v > (SIZE_MAX >> 7))
			return ARGDATA_ELENGTH;
		v = (v << 7) | (b & 0x7F);
		if (b & 0x80)
			break;
	}
	if (v > end - pos)
		return ARGDATA_ELENGTH;
	*off = pos;
	*length = v;
	return ARGDATA_OK;
}

/* Starts iterating the subfields of a container with tag `tag`. */
static int iterate(const argdata_t *ad, uint8_t tag, const uint8_t **buf,
                   size_t *len, size_t *off, int *error)
{
	int rc = payload(ad, tag, buf, len);

	*off = 0;
	*error = rc;
	return rc;
}

/* Next subfield of buf[0..len) at *off into *value, 1/0/error. */
static int subfield_next(const uint8_t *buf, size_t len, size_t *off,
                         argdata_t *value)
{
	size_t n;
	int rc;

	if (*off == len)
		return 0;
	rc = prefix_read(buf, len, off, &n);
	if (rc != ARGDATA_OK)
		return rc;
	value->buf = buf + *off;
	value->len = n;
	*off += n;
	return 1;
}

/* Starts iterating a seq. */
int argdata_seq_iterate(const argdata_t *ad, argdata_seq_iterator_t *it)
{
	return iterate(ad, ARGDATA_TYPE_SEQ, &it->buf, &it->len, &it->off,
	               &it->error);
}

/* Next seq element: 1, 0 at the end, < 0 (sticky) on bad encoding. */
int argdata_seq_next(argdata_seq_iterator_t *it, argdata_t *value)
{
	int rc;

	if (it->error < 0)
		return it->error;
	rc = subfield_next(it->buf, it->len, &it->off, value);
	if (rc < 0)
		it->error = rc;
	return rc;
}

/* Starts iterating a map. */
int argdata_map_iterate(const argdata_t *ad, argdata_map_iterator_t *it)
{
	return iterate(ad, ARGDATA_TYPE_MAP, &it->buf, &it->len, &it->off,
	               &it->error);
}

/* Next key/value pair: 1, 0 at the end, < 0 (sticky) on bad encoding. */
int argdata_map_next(argdata_map_iterator_t *it, argdata_t *key,
                     argdata_t *value)
{
	size_t key_off = it->off;
	int rc;

	if (it->error < 0)
		return it->error;
	rc = subfield_next(it->buf, it->len, &it->off, key);
	if (rc <= 0)
		goto out;
	rc = subfield_next(it->buf, it->len, &it->off, value);
	if (rc == 0) {
		/* Point at the lone key, as argdata_validate() does. */
		it->off = key_off;
		rc = ARGDATA_EMAP_ODD;
	}
out:
	if (rc < 0)
		it->error = rc;
	return rc;
}

/* Binary payload, borrowed. */
int argdata_get_binary(const argdata_t *ad, const void **data, size_t *len)
{
	const uint8_t *p;
	size_t n;
	int rc = payload(ad, ARGDATA_TYPE_BINARY, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	*data = p;
	*len = n;
	return ARGDATA_OK;
}

/* Checks a bool payload. */
static int bool_check(const uint8_t *p, size_t n)
{
	if (n == 0 || (n == 1 && p[0] == 0x01))
		return ARGDATA_OK;
	return ARGDATA_EBOOL;
}

/* Bool: empty is false, 01 is true. */
int argdata_get_bool(const argdata_t *ad, bool *value)
{
	const uint8_t *p;
	size_t n;
	int rc = payload(ad, ARGDATA_TYPE_BOOL, &p, &n);

	if (rc == ARGDATA_OK)
		rc = bool_check(p, n);
	if (rc == ARGDATA_OK)
		*value = n == 1;
	return rc;
}

/* Big-endian unsigned value of p[0..n), n <= 8. */
static uint64_t be_read(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Raw u32 fd number. */
int argdata_get_fd(const argdata_t *ad, uint32_t *fd)
{
	const uint8_t *p;
	size_t n;
	uint32_t v;
	int rc = payload(ad, ARGDATA_TYPE_FD, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	if (n != 4)
		return ARGDATA_EFD;
	v = (uint32_t)be_read(p, 4);
	if (v == ARGDATA_FD_INVALID)
		return ARGDATA_EBADFD;
	*fd = v;
	return ARGDATA_OK;
}

/* Big-endian IEEE-754 double. */
int argdata_get_float(const argdata_t *ad, double *value)
{
	const uint8_t *p;
	size_t n;
	uint64_t bits;
	int rc = payload(ad, ARGDATA_TYPE_FLOAT, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	if (n != 8)
		return ARGDATA_EFLOAT;
	bits = be_read(p, 8);
	__builtin_memcpy(value, &bits, sizeof(*value));
	return ARGDATA_OK;
}

/* True when p[0..n) is the shortest two's complement form (0 is empty). */
static bool minimal(const uint8_t *p, size_t n)
{
	if (n == 0)
		return true;
	if (n == 1)
		return p[0] != 0x00;
	if (p[0] == 0x00 && (p[1] & 0x80) == 0)
		return false;
	if (p[0] == 0xFF && (p[1] & 0x80) != 0)
		return false;
	return true;
}

/* Signed value of a minimal p[0..n), or ARGDATA_ERANGE past int64_t. */
static int signed_read(const uint8_t *p, size_t n, int64_t *value)
{
	uint64_t v;

	/* Minimal encodings of int64_t values take at most 8 bytes. */
	if (n > 8)
		return ARGDATA_ERANGE;
	v = be_read(p, n);
	if (n > 0 && n < 8 && (p[0] & 0x80))
		v |= UINT64_MAX << (8 * n); /* sign extension */
	*value = (int64_t)v;
	return ARGDATA_OK;
}

/* Signed int. */
int argdata_get_int(const argdata_t *ad, int64_t *value)
{
	const uint8_t *p;
	size_t n;
	int rc = payload(ad, ARGDATA_TYPE_INT, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	if (!minimal(p, n))
		return ARGDATA_EINT;
	return signed_read(p, n, value);
}

/* Unsigned int. */
int argdata_get_uint(const argdata_t *ad, uint64_t *value)
{
	const uint8_t *p;
	size_t n;
	int rc = payload(ad, ARGDATA_TYPE_INT, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	if (!minimal(p, n))
		return ARGDATA_EINT;
	if (n > 0 && (p[0] & 0x80))
		return ARGDATA_ERANGE; /* negative */
	if (n == 9 && p[0] == 0x00) {
		/* Just a sign byte in front of 8 value bytes. */
		p++;
		n--;
	}
	if (n > 8)
		return ARGDATA_ERANGE;
	*value = be_read(p, n);
	return ARGDATA_OK;
}

/* Checks a str payload; *bad gets the offending payload offset. */
static int str_check(const uint8_t *p, size_t n, size_t *bad)
{
	if (n == 0 || p[n - 1] != 0x00) {
		*bad = 0;
		return ARGDATA_ESTR_NOTERM;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] == 0x00) {
			*bad = i;
			return ARGDATA_ESTR_NUL;
		}
	}
	return argdata_utf8_check(p, n - 1, bad);
}

/* String with its length, borrowed. */
int argdata_get_str(const argdata_t *ad, const char **str, size_t *len)
{
	const uint8_t *p;
	size_t n, bad;
	int rc = payload(ad, ARGDATA_TYPE_STR, &p, &n);

	if (rc == ARGDATA_OK)
		rc = str_check(p, n, &bad);
	if (rc != ARGDATA_OK)
		return rc;
	*str = (const char *)p;
	if (len != NULL)
		*len = n - 1;
	return ARGDATA_OK;
}

/* NUL-terminated string, borrowed. */
int argdata_get_str_c(const argdata_t *ad, const char **str)
{
	return argdata_get_str(ad, str, NULL);
}

/* Timestamp payload if minimal. */
static int timestamp_payload(const argdata_t *ad, const uint8_t **p, size_t *n)
{
	int rc = payload(ad, ARGDATA_TYPE_TIMESTAMP, p, n);

	if (rc == ARGDATA_OK && !minimal(*p, *n))
		rc = ARGDATA_ETIMESTAMP;
	return rc;
}

/* Timestamp as int64 nanoseconds. */
int argdata_get_timestamp_ns(const argdata_t *ad, int64_t *ns)
{
	const uint8_t *p;
	size_t n;
	int rc = timestamp_payload(ad, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	return signed_read(p, n, ns);
}

/*
 * Splits the magnitude of a 16-byte big-endian number by 10^9 with 32-bit
 * long division, so that no 128-bit helper from compiler-rt is needed (a
 * guest may not link one). Returns the remainder; *hi, *lo the quotient.
 */
static uint32_t divide_1e9(const uint8_t mag[16], uint64_t *hi, uint64_t *lo)
{
	uint64_t rem = 0, q[4];

	for (size_t i = 0; i < 4; i++) {
		uint64_t cur = (rem << 32) | be_read(mag + 4 * i, 4);

		q[i] = cur / 1000000000;
		rem = cur % 1000000000;
	}
	*hi = q[0] << 32 | q[1];
	*lo = q[2] << 32 | q[3];
	return (uint32_t)rem;
}

/* Timestamp as seconds and nanoseconds; up to 16 payload bytes. */
int argdata_get_timestamp(const argdata_t *ad, struct argdata_timespec *ts)
{
	const uint8_t *p;
	uint8_t mag[16];
	size_t n;
	uint64_t hi, lo;
	uint32_t rem;
	bool neg;
	int rc = timestamp_payload(ad, &p, &n);

	if (rc != ARGDATA_OK)
		return rc;
	if (n > 16)
		return ARGDATA_ERANGE;
	neg = n > 0 && (p[0] & 0x80);
	for (size_t i = 0; i < 16; i++)
		mag[i] = i < 16 - n ? (neg ? 0xFF : 0x00) : p[i - (16 - n)];
	if (neg) {
		/* Two's complement negation, from the last byte up. */
		unsigned carry = 1;

		for (size_t i = 16; i-- > 0;) {
			carry += (uint8_t)~mag[i];
			mag[i] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	rem = divide_1e9(mag, &hi, &lo);
	if (neg && rem != 0) {
		/* Floor: one more second back, nsec counted forward. */
		lo++;
		hi += lo == 0;
		rem = 1000000000 - rem;
	}
	if (hi != 0 || lo > (neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX))
		return ARGDATA_ERANGE;
	ts->sec = neg ? (int64_t)(0 - lo) : (int64_t)lo;
	ts->nsec = (int32_t)rem;
	return ARGDATA_OK;
}

/* Length of the UTF-8 sequence at s[0..len), 0 when invalid. */
static size_t utf8_seq(const uint8_t *s, size_t len)
{
	uint8_t b = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		n = 2;
	else if (b >= 0xE0 && b <= 0xEF)
		n = 3;
	else if (b >= 0xF0 && b <= 0xF4)
		n = 4;
	else
		return 0; /* continuation, overlong C0/C1, or past U+10FFFF */
	/* The second byte's range rules out overlong forms (E0, F0),
	 * surrogates (ED) and code points above U+10FFFF (F4). */
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* Strict UTF-8 check of s[0..len). */
int argdata_utf8_check(const uint8_t *s, size_t len, size_t *bad_offset)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(s + i, len - i);

		if (n == 0) {
			if (bad_offset != NULL)
				*bad_offset = i;
			return ARGDATA_EUTF8;
		}
		i += n;
	}
	return ARGDATA_OK;
}

/* Checks a non-null value at buf[start..start+n) apart from its subfields.
 * Containers only need their tag; *bad gets the absolute error offset. */
static int value_check(const uint8_t *buf, size_t start, size_t n, size_t *bad)
{
	const uint8_t *p = buf + start + 1;
	size_t pn = n - 1;
	int rc = ARGDATA_OK;

	*bad = start;
	switch (buf[start]) {
	case ARGDATA_TYPE_BINARY:
	case ARGDATA_TYPE_MAP:
	case ARGDATA_TYPE_SEQ:
		break;
	case ARGDATA_TYPE_BOOL:
		rc = bool_check(p, pn);
		break;
	case ARGDATA_TYPE_FD:
		rc = pn == 4 ? ARGDATA_OK : ARGDATA_EFD;
		break;
	case ARGDATA_TYPE_FLOAT:
		rc = pn == 8 ? ARGDATA_OK : ARGDATA_EFLOAT;
		break;
	case ARGDATA_TYPE_INT:
		rc = minimal(p, pn) ? ARGDATA_OK : ARGDATA_EINT;
		break;
	case ARGDATA_TYPE_TIMESTAMP:
		rc = minimal(p, pn) ? ARGDATA_OK : ARGDATA_ETIMESTAMP;
		break;
	case ARGDATA_TYPE_STR: {
		size_t off;

		rc = str_check(p, pn, &off);
		/* A missing terminator is the value's fault: point at the
		 * tag; a bad byte is pointed at exactly. */
		if (rc != ARGDATA_OK && rc != ARGDATA_ESTR_NOTERM)
			*bad = start + 1 + off;
		break;
	}
	default:
		rc = ARGDATA_ETAG;
	}
	return rc;
}

/* An open container during validation. */
struct frame {
	size_t pos;     /* next subfield (absolute offset) */
	size_t end;     /* end of the container's payload */
	size_t key_off; /* prefix of the last map key */
	bool is_map;
	bool odd; /* map: a key has been read, its value has not */
};

/* Checks the value at [start, start+n) and opens it if it is a container.
 * Returns an error code with *bad set. */
static int validate_value(const uint8_t *buf, size_t start, size_t n,
                          struct frame *stack, size_t *depth, size_t *bad)
{
	int rc;
	struct frame *f;

	if (n == 0)
		return ARGDATA_OK; /* null */
	rc = value_check(buf, start, n, bad);
	if (rc != ARGDATA_OK)
		return rc;
	if (buf[start] != ARGDATA_TYPE_MAP && buf[start] != ARGDATA_TYPE_SEQ)
		return ARGDATA_OK;
	if (*depth == ARGDATA_MAX_DEPTH) {
		*bad = start;
		return ARGDATA_EDEPTH;
	}
	f = &stack[(*depth)++];
	f->pos = start + 1;
	f->end = start + n;
	f->key_off = 0;
	f->is_map = buf[start] == ARGDATA_TYPE_MAP;
	f->odd = false;
	return ARGDATA_OK;
}

/* Advances the innermost container by one subfield (or closes it). */
static int validate_step(const uint8_t *buf, struct frame *stack, size_t *depth,
                         size_t *bad)
{
	struct frame *f = &stack[*depth - 1];
	size_t prefix = f->pos, n;
	int rc;

	if (f->pos == f->end) {
		if (f->odd) {
			*bad = f->key_off;
			return ARGDATA_EMAP_ODD;
		}
		(*depth)--;
		return ARGDATA_OK;
	}
	rc = prefix_read(buf, f->end, &f->pos, &n);
	if (rc != ARGDATA_OK) {
		*bad = prefix;
		return rc;
	}
	if (f->is_map) {
		f->odd = !f->odd;
		if (f->odd)
			f->key_off = prefix;
	}
	f->pos += n;
	/* May push a frame: f must not be used after this. */
	return validate_value(buf, f->pos - n, n, stack, depth, bad);
}

/* Strict full walk of buf[0..len). */
int argdata_validate(const void *buf, size_t len, struct argdata_error *err)
{
	struct frame stack[ARGDATA_MAX_DEPTH];
	size_t depth = 0, bad = 0;
	int rc;

	if (buf == NULL && len != 0) {
		rc = ARGDATA_EINVAL;
		goto out;
	}
	rc = validate_value(buf, 0, len, stack, &depth, &bad);
	while (rc == ARGDATA_OK && depth > 0)
		rc = validate_step(buf, stack, &depth, &bad);
out:
	if (err != NULL) {
		err->code = rc;
		err->offset = rc == ARGDATA_OK ? 0 : bad;
	}
	return rc;
}

/* Short text for a code. */
const char *argdata_strerror(int code)
{
	switch (code) {
	case ARGDATA_OK:
		return "success";
	case ARGDATA_ETYPE:
		return "value has another type";
	case ARGDATA_ERANGE:
		return "number out of range";
	case ARGDATA_EBADFD:
		return "invalid file descriptor";
	case ARGDATA_EPREFIX_OVERLONG:
		return "overlong length prefix";
	case ARGDATA_EPREFIX_TRUNCATED:
		return "truncated length prefix";
	case ARGDATA_ELENGTH:
		return "length past the end";
	case ARGDATA_EMAP_ODD:
		return "map key without value";
	case ARGDATA_EUTF8:
		return "invalid UTF-8";
	case ARGDATA_ESTR_NOTERM:
		return "string not NUL-terminated";
	case ARGDATA_ESTR_NUL:
		return "NUL inside string";
	case ARGDATA_EBOOL:
		return "bad bool payload";
	case ARGDATA_EFD:
		return "fd payload not 4 bytes";
	case ARGDATA_EFLOAT:
		return "float payload not 8 bytes";
	case ARGDATA_EINT:
		return "non-minimal int";
	case ARGDATA_ETIMESTAMP:
		return "non-minimal timestamp";
	case ARGDATA_ETAG:
		return "unknown tag";
	case ARGDATA_EDEPTH:
		return "nesting too deep";
	case ARGDATA_EINVAL:
		return "invalid argument";
	}
	return "unknown error";
}
