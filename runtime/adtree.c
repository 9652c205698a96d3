/*
 * adtree: host-side argdata value tree, encoder and strict decoder.
 *
 * The encoder measures each value before writing it, so the output buffer
 * is allocated once at its exact size and every length prefix is known when
 * it is written. Depth is bounded by ARGDATA_MAX_DEPTH on both sides, which
 * also bounds the recursion here.
 */
#include "adtree.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A zeroed node of the given type, or NULL. */
static struct adtree *node_new(enum adtree_type type)
{
	struct adtree *n = calloc(1, sizeof(*n));

	if (n != NULL)
		n->type = type;
	return n;
}

/* New null node. */
struct adtree *adtree_new_null(void)
{
	return node_new(ADTREE_NULL);
}

/* Copies data[0..len) with one extra NUL byte (so str nodes are C
 * strings); NULL when out of memory. */
static uint8_t *bytes_dup(const void *data, size_t len)
{
	uint8_t *p;

	if (len == SIZE_MAX)
		return NULL;
	p = malloc(len + 1);
	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

/* New binary node holding a copy of data[0..len). */
struct adtree *adtree_new_binary(const void *data, size_t len)
{
	struct adtree *n = node_new(ADTREE_BINARY);

	if (n == NULL)
		return NULL;
	n->u.bytes.data = bytes_dup(data, len);
	if (n->u.bytes.data == NULL) {
		free(n);
		return NULL;
	}
	n->u.bytes.len = len;
	return n;
}

/* New bool node. */
struct adtree *adtree_new_bool(bool value)
{
	struct adtree *n = node_new(ADTREE_BOOL);

	if (n != NULL)
		n->u.boolean = value;
	return n;
}

/* New fd node; -1 means not resolved yet. */
struct adtree *adtree_new_fd(int fd)
{
	struct adtree *n = node_new(ADTREE_FD);

	if (n != NULL)
		n->u.fd = fd;
	return n;
}

/* Sets the fd of an fd node. */
void adtree_fd_set(struct adtree *node, int fd)
{
	if (node != NULL && node->type == ADTREE_FD)
		node->u.fd = fd;
}

/* New float node. */
struct adtree *adtree_new_float(double value)
{
	struct adtree *n = node_new(ADTREE_FLOAT);

	if (n != NULL)
		n->u.flt = value;
	return n;
}

/* New signed int node (non-negative values are stored as unsigned). */
struct adtree *adtree_new_int(int64_t value)
{
	struct adtree *n = node_new(ADTREE_INT);

	if (n == NULL)
		return NULL;
	/* One representation per number, so that equality is simple. */
	n->u.integer.negative = value < 0;
	if (value < 0)
		n->u.integer.i = value;
	else
		n->u.integer.u = (uint64_t)value;
	return n;
}

/* New unsigned int node. */
struct adtree *adtree_new_uint(uint64_t value)
{
	struct adtree *n = node_new(ADTREE_INT);

	if (n != NULL)
		n->u.integer.u = value;
	return n;
}

/* New empty map. */
struct adtree *adtree_new_map(void)
{
	return node_new(ADTREE_MAP);
}

/* New empty seq. */
struct adtree *adtree_new_seq(void)
{
	return node_new(ADTREE_SEQ);
}

/* New timestamp node. */
struct adtree *adtree_new_timestamp(int64_t ns)
{
	struct adtree *n = node_new(ADTREE_TIMESTAMP);

	if (n != NULL)
		n->u.timestamp = ns;
	return n;
}

/* New str node from s[0..len), validated and copied. */
int adtree_new_str(const char *s, size_t len, struct adtree **out)
{
	struct adtree *n;

	if (len > 0 && (s == NULL || memchr(s, '\0', len) != NULL))
		return -EINVAL;
	if (argdata_utf8_check((const uint8_t *)s, len, NULL) != ARGDATA_OK)
		return -EINVAL;
	n = adtree_new_binary(len > 0 ? s : "", len);
	if (n == NULL)
		return -ENOMEM;
	n->type = ADTREE_STR;
	*out = n;
	return 0;
}

/* New str node from a C string; NULL on any failure. */
struct adtree *adtree_new_cstr(const char *s)
{
	struct adtree *n = NULL;

	if (s == NULL || adtree_new_str(s, strlen(s), &n) != 0)
		return NULL;
	return n;
}

/* Makes room for `more` items in a seq or map. */
static int list_reserve(struct adtree *l, size_t more)
{
	struct adtree **items;
	size_t cap;

	if (l->u.list.cap - l->u.list.count >= more)
		return 0;
	cap = l->u.list.cap ? l->u.list.cap : 4;
	while (cap - l->u.list.count < more) {
		if (cap > SIZE_MAX / 2 / sizeof(*items))
			return -ENOMEM;
		cap *= 2;
	}
	items = realloc(l->u.list.items, cap * sizeof(*items));
	if (items == NULL)
		return -ENOMEM;
	l->u.list.items = items;
	l->u.list.cap = cap;
	return 0;
}

/* Appends elem to seq; takes ownership on success only. */
int adtree_seq_append(struct adtree *seq, struct adtree *elem)
{
	int rc;

	if (seq == NULL || elem == NULL || seq->type != ADTREE_SEQ)
		return -EINVAL;
	rc = list_reserve(seq, 1);
	if (rc != 0)
		return rc;
	seq->u.list.items[seq->u.list.count++] = elem;
	return 0;
}

/* Appends key/value to map; takes ownership of both on success only. */
int adtree_map_put(struct adtree *map, struct adtree *key, struct adtree *value)
{
	int rc;

	if (map == NULL || key == NULL || value == NULL ||
	    map->type != ADTREE_MAP)
		return -EINVAL;
	rc = list_reserve(map, 2);
	if (rc != 0)
		return rc;
	map->u.list.items[map->u.list.count++] = key;
	map->u.list.items[map->u.list.count++] = value;
	return 0;
}

/* First value whose key is the str `key`, borrowed. */
struct adtree *adtree_map_get(const struct adtree *map, const char *key)
{
	size_t klen;

	if (map == NULL || key == NULL || map->type != ADTREE_MAP)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i + 1 < map->u.list.count; i += 2) {
		const struct adtree *k = map->u.list.items[i];

		if (k->type == ADTREE_STR && k->u.bytes.len == klen &&
		    memcmp(k->u.bytes.data, key, klen) == 0)
			return map->u.list.items[i + 1];
	}
	return NULL;
}

/* Frees a node and its children. */
void adtree_free(struct adtree *node)
{
	if (node == NULL)
		return;
	switch (node->type) {
	case ADTREE_BINARY:
	case ADTREE_STR:
		free(node->u.bytes.data);
		break;
	case ADTREE_MAP:
	case ADTREE_SEQ:
		for (size_t i = 0; i < node->u.list.count; i++)
			adtree_free(node->u.list.items[i]);
		free(node->u.list.items);
		break;
	default:
		break;
	}
	free(node);
}

/* Deep equality. */
bool adtree_equal(const struct adtree *a, const struct adtree *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case ADTREE_NULL:
		return true;
	case ADTREE_BINARY:
	case ADTREE_STR:
		return a->u.bytes.len == b->u.bytes.len &&
		       memcmp(a->u.bytes.data, b->u.bytes.data,
		              a->u.bytes.len) == 0;
	case ADTREE_BOOL:
		return a->u.boolean == b->u.boolean;
	case ADTREE_FD:
		return a->u.fd == b->u.fd;
	case ADTREE_FLOAT:
		return memcmp(&a->u.flt, &b->u.flt, sizeof(double)) == 0;
	case ADTREE_INT:
		return a->u.integer.negative == b->u.integer.negative &&
		       a->u.integer.u == b->u.integer.u;
	case ADTREE_TIMESTAMP:
		return a->u.timestamp == b->u.timestamp;
	case ADTREE_MAP:
	case ADTREE_SEQ:
		if (a->u.list.count != b->u.list.count)
			return false;
		for (size_t i = 0; i < a->u.list.count; i++)
			if (!adtree_equal(a->u.list.items[i],
			                  b->u.list.items[i]))
				return false;
		return true;
	}
	return false;
}

/* Minimal big-endian two's complement of a number into out[9]; returns
 * the byte count (0 for zero). */
static size_t int_bytes(bool negative, uint64_t bits, uint8_t out[9])
{
	uint8_t tmp[9];
	size_t n = 9, start = 0;

	tmp[0] = negative ? 0xFF : 0x00;
	for (size_t i = 0; i < 8; i++)
		tmp[8 - i] = (uint8_t)(bits >> (8 * i));
	/* Drop leading sign bytes while the next byte keeps the sign. */
	while (n - start > 0 && tmp[start] == tmp[0] &&
	       (n - start == 1 || ((tmp[start + 1] ^ tmp[0]) & 0x80) == 0))
		start++;
	if (!negative && n == start)
		return 0;
	if (negative && n == start)
		start--; /* -1 is FF */
	memcpy(out, tmp + start, n - start);
	return n - start;
}

/* Bytes of the length prefix for a subfield of length v. */
static size_t prefix_size(size_t v)
{
	size_t n = 1;

	while (v >>= 7)
		n++;
	return n;
}

/* Encoded size of n (tag + payload) into *size; -ELOOP when too deep. */
static int measure(const struct adtree *n, size_t depth, size_t *size)
{
	uint8_t tmp[9];
	size_t sum = 1;

	switch (n->type) {
	case ADTREE_NULL:
		sum = 0;
		break;
	case ADTREE_BINARY:
		sum += n->u.bytes.len;
		break;
	case ADTREE_STR:
		sum += n->u.bytes.len + 1;
		break;
	case ADTREE_BOOL:
		sum += n->u.boolean;
		break;
	case ADTREE_FD:
		sum += 4;
		break;
	case ADTREE_FLOAT:
		sum += 8;
		break;
	case ADTREE_INT:
		sum += int_bytes(n->u.integer.negative, n->u.integer.u, tmp);
		break;
	case ADTREE_TIMESTAMP:
		sum += int_bytes(n->u.timestamp < 0, (uint64_t)n->u.timestamp,
		                 tmp);
		break;
	case ADTREE_MAP:
	case ADTREE_SEQ:
		if (depth >= ARGDATA_MAX_DEPTH)
			return -ELOOP;
		for (size_t i = 0; i < n->u.list.count; i++) {
			size_t s;
			int rc = measure(n->u.list.items[i], depth + 1, &s);

			if (rc != 0)
				return rc;
			sum += prefix_size(s) + s;
		}
		break;
	default:
		return -EINVAL;
	}
	*size = sum;
	return 0;
}

/* Encoder state: the output (exact size) and the fd list. */
struct enc {
	uint8_t *out;
	size_t pos;
	enum adtree_fd_mode mode;
	int *fds;
	const struct adtree **ids; /* node that introduced each fd */
	size_t nfds;
	size_t cap;
};

/* Index of fd node n in the fd list, adding it at first appearance. */
static int fd_index(struct enc *e, const struct adtree *n, uint32_t *index)
{
	for (size_t i = 0; i < e->nfds; i++) {
		/* Same launcher fd, or the same unresolved node. */
		if ((n->u.fd >= 0 && e->fds[i] == n->u.fd) || e->ids[i] == n) {
			*index = (uint32_t)i;
			return 0;
		}
	}
	if (e->nfds == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 8;
		int *fds = realloc(e->fds, cap * sizeof(*fds));

		if (fds == NULL)
			return -ENOMEM;
		e->fds = fds;
		const struct adtree **ids = realloc(e->ids, cap * sizeof(*ids));
		if (ids == NULL)
			return -ENOMEM;
		e->ids = ids;
		e->cap = cap;
	}
	if (e->nfds >= ARGDATA_FD_INVALID)
		return -EINVAL;
	e->fds[e->nfds] = n->u.fd;
	e->ids[e->nfds] = n;
	*index = (uint32_t)e->nfds++;
	return 0;
}

/* Appends v as n big-endian bytes. */
static void put_be(struct enc *e, uint64_t v, size_t n)
{
	for (size_t i = n; i-- > 0;)
		e->out[e->pos++] = (uint8_t)(v >> (8 * i));
}

/* Appends the length prefix of v (high bit set on the last byte). */
static void put_prefix(struct enc *e, size_t v)
{
	size_t n = prefix_size(v);

	for (size_t i = n; i-- > 0;)
		e->out[e->pos++] =
		        (uint8_t)((v >> (7 * i)) & 0x7F) | (i == 0 ? 0x80 : 0);
}

/* Appends a minimal int/timestamp payload. */
static void put_int(struct enc *e, bool negative, uint64_t bits)
{
	uint8_t tmp[9];
	size_t n = int_bytes(negative, bits, tmp);

	memcpy(e->out + e->pos, tmp, n);
	e->pos += n;
}

/* Writes the payload of an fd node. */
static int put_fd(struct enc *e, const struct adtree *n)
{
	uint32_t v = (uint32_t)n->u.fd;
	int rc;

	if (e->mode == ADTREE_FD_RENUMBER) {
		rc = fd_index(e, n, &v);
		if (rc != 0)
			return rc;
	} else if (n->u.fd < 0) {
		v = ARGDATA_FD_INVALID;
	}
	put_be(e, v, 4);
	return 0;
}

/* Writes the subfields of a map or seq. Sizes were checked by measure(). */
static int put_list(struct enc *e, const struct adtree *n, size_t depth);

/* Writes n (tag + payload) at e->pos. */
static int put_value(struct enc *e, const struct adtree *n, size_t depth)
{
	uint64_t bits;

	if (n->type == ADTREE_NULL)
		return 0;
	switch (n->type) {
	case ADTREE_BINARY:
	case ADTREE_STR:
		e->out[e->pos++] = n->type == ADTREE_STR ? ARGDATA_TYPE_STR
		                                         : ARGDATA_TYPE_BINARY;
		memcpy(e->out + e->pos, n->u.bytes.data, n->u.bytes.len);
		e->pos += n->u.bytes.len;
		if (n->type == ADTREE_STR)
			e->out[e->pos++] = 0x00;
		return 0;
	case ADTREE_BOOL:
		e->out[e->pos++] = ARGDATA_TYPE_BOOL;
		if (n->u.boolean)
			e->out[e->pos++] = 0x01;
		return 0;
	case ADTREE_FD:
		e->out[e->pos++] = ARGDATA_TYPE_FD;
		return put_fd(e, n);
	case ADTREE_FLOAT:
		e->out[e->pos++] = ARGDATA_TYPE_FLOAT;
		memcpy(&bits, &n->u.flt, sizeof(bits));
		put_be(e, bits, 8);
		return 0;
	case ADTREE_INT:
		e->out[e->pos++] = ARGDATA_TYPE_INT;
		put_int(e, n->u.integer.negative, n->u.integer.u);
		return 0;
	case ADTREE_TIMESTAMP:
		e->out[e->pos++] = ARGDATA_TYPE_TIMESTAMP;
		put_int(e, n->u.timestamp < 0, (uint64_t)n->u.timestamp);
		return 0;
	case ADTREE_MAP:
	case ADTREE_SEQ:
		e->out[e->pos++] = n->type == ADTREE_MAP ? ARGDATA_TYPE_MAP
		                                         : ARGDATA_TYPE_SEQ;
		return put_list(e, n, depth);
	default:
		return -EINVAL;
	}
}

static int put_list(struct enc *e, const struct adtree *n, size_t depth)
{
	for (size_t i = 0; i < n->u.list.count; i++) {
		const struct adtree *c = n->u.list.items[i];
		size_t s;
		int rc = measure(c, depth + 1, &s);

		if (rc == 0) {
			put_prefix(e, s);
			rc = put_value(e, c, depth + 1);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Serializes tree into a new buffer (and fd list in RENUMBER mode). */
int adtree_encode(const struct adtree *tree, enum adtree_fd_mode mode,
                  uint8_t **buf, size_t *len, int **fds, size_t *nfds)
{
	struct enc e = {.mode = mode};
	size_t size;
	int rc;

	if (tree == NULL || buf == NULL || len == NULL ||
	    (mode == ADTREE_FD_RENUMBER && (fds == NULL || nfds == NULL)))
		return -EINVAL;
	rc = measure(tree, 0, &size);
	if (rc != 0)
		goto out;
	if (size > 0 && (e.out = malloc(size)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = put_value(&e, tree, 0);
	if (rc != 0)
		goto out;
	if (e.pos != size)
		abort(); /* measure() and put_value() disagree: a bug */
	*buf = e.out;
	*len = size;
	e.out = NULL;
	if (fds != NULL && nfds != NULL) {
		*fds = e.nfds > 0 ? e.fds : NULL;
		*nfds = e.nfds;
		if (e.nfds > 0)
			e.fds = NULL;
	}
out:
	free(e.out);
	free(e.fds);
	free(e.ids);
	return rc;
}

/* Decoder state: the validated buffer, for error offsets. */
struct dec {
	const uint8_t *base;
	struct argdata_error *err;
};

static int decode_value(struct dec *d, const argdata_t *ad,
                        struct adtree **out);

/* Reports a range error at the value's tag. */
static int range_error(struct dec *d, const argdata_t *ad)
{
	if (d->err != NULL) {
		d->err->code = ARGDATA_ERANGE;
		d->err->offset = (size_t)(ad->buf - d->base);
	}
	return -ERANGE;
}

/* Decodes an int value into a node. */
static int decode_int(struct dec *d, const argdata_t *ad, struct adtree **out)
{
	int64_t i;
	uint64_t u;

	/* Non-negative values take the unsigned path, so that values up to
	 * UINT64_MAX decode too. */
	if (ad->len > 1 && (ad->buf[1] & 0x80)) {
		if (argdata_get_int(ad, &i) != ARGDATA_OK)
			return range_error(d, ad);
		*out = adtree_new_int(i);
	} else {
		if (argdata_get_uint(ad, &u) != ARGDATA_OK)
			return range_error(d, ad);
		*out = adtree_new_uint(u);
	}
	return *out != NULL ? 0 : -ENOMEM;
}

/* Decodes a map or seq, element by element (already validated). */
static int decode_list(struct dec *d, const argdata_t *ad, struct adtree *l)
{
	argdata_seq_iterator_t it;
	argdata_t sub;
	int rc;

	/* A map's payload is laid out like a seq's: walk the subfields and
	 * store them in order (key, value, ...). */
	it.buf = ad->buf + 1;
	it.len = ad->len - 1;
	it.off = 0;
	it.error = 0;
	while ((rc = argdata_seq_next(&it, &sub)) == 1) {
		struct adtree *c = NULL;

		rc = decode_value(d, &sub, &c);
		if (rc == 0) {
			rc = list_reserve(l, 1);
			if (rc == 0)
				l->u.list.items[l->u.list.count++] = c;
		}
		if (rc != 0) {
			adtree_free(c);
			return rc;
		}
	}
	return rc < 0 ? -EINVAL : 0;
}

/* Decodes a scalar that needs no range check. */
static struct adtree *decode_scalar(const argdata_t *ad)
{
	const void *data;
	const char *s;
	size_t len;
	bool b;
	double f;
	struct adtree *n = NULL;

	switch (argdata_type(ad)) {
	case ARGDATA_TYPE_BINARY:
		argdata_get_binary(ad, &data, &len);
		return adtree_new_binary(data, len);
	case ARGDATA_TYPE_BOOL:
		argdata_get_bool(ad, &b);
		return adtree_new_bool(b);
	case ARGDATA_TYPE_FLOAT:
		argdata_get_float(ad, &f);
		return adtree_new_float(f);
	case ARGDATA_TYPE_STR:
		argdata_get_str(ad, &s, &len);
		adtree_new_str(s, len, &n);
		return n;
	}
	return NULL;
}

/* Decodes one validated value into a new node. */
static int decode_value(struct dec *d, const argdata_t *ad, struct adtree **out)
{
	uint32_t fd;
	int64_t ns;
	int rc;

	switch (argdata_type(ad)) {
	case ARGDATA_TYPE_NULL:
		*out = adtree_new_null();
		break;
	case ARGDATA_TYPE_INT:
		return decode_int(d, ad, out);
	case ARGDATA_TYPE_FD:
		rc = argdata_get_fd(ad, &fd);
		if (rc == ARGDATA_EBADFD)
			fd = UINT32_MAX; /* becomes -1 below */
		else if (fd > INT32_MAX)
			return range_error(d, ad);
		*out = adtree_new_fd((int)fd);
		break;
	case ARGDATA_TYPE_TIMESTAMP:
		if (argdata_get_timestamp_ns(ad, &ns) != ARGDATA_OK)
			return range_error(d, ad);
		*out = adtree_new_timestamp(ns);
		break;
	case ARGDATA_TYPE_MAP:
	case ARGDATA_TYPE_SEQ:
		*out = ad->buf[0] == ARGDATA_TYPE_MAP ? adtree_new_map()
		                                      : adtree_new_seq();
		if (*out == NULL)
			return -ENOMEM;
		rc = decode_list(d, ad, *out);
		if (rc != 0) {
			adtree_free(*out);
			*out = NULL;
		}
		return rc;
	default:
		*out = decode_scalar(ad);
	}
	return *out != NULL ? 0 : -ENOMEM;
}

/* Strict decode of buf[0..len) into a new tree. */
int adtree_decode(const void *buf, size_t len, struct adtree **tree,
                  struct argdata_error *err)
{
	struct dec d = {.base = buf, .err = err};
	argdata_t ad = argdata_from_buffer(buf, len);
	struct adtree *t = NULL;
	int rc;

	if (tree == NULL)
		return -EINVAL;
	if (argdata_validate(buf, len, err) != ARGDATA_OK)
		return -EINVAL;
	rc = decode_value(&d, &ad, &t);
	if (rc != 0)
		return rc;
	*tree = t;
	return 0;
}

/* Writes s[0..len) as a double-quoted string with C-like escapes. */
static void print_quoted(FILE *out, const uint8_t *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7F)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out); /* UTF-8 passes through */
	}
	fputc('"', out);
}

/* Writes a timestamp as UTC ISO 8601 with nanoseconds. */
static void print_timestamp(FILE *out, int64_t ns)
{
	int64_t nsec = ns % 1000000000, sec = ns / 1000000000;
	time_t t;
	struct tm tm;
	char date[64];

	if (nsec < 0) {
		sec--;
		nsec += 1000000000;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		fprintf(out, "!timestamp %" PRId64, ns);
		return;
	}
	fprintf(out, "!timestamp %s.%09" PRId64 "Z", date, nsec);
}

/* Writes a scalar (or an empty container) on the current line. */
static void print_scalar(FILE *out, const struct adtree *n)
{
	switch (n->type) {
	case ADTREE_NULL:
		fputs("null", out);
		break;
	case ADTREE_BINARY:
		fputs("!!binary ", out);
		for (size_t i = 0; i < n->u.bytes.len; i++)
			fprintf(out, "%02x", n->u.bytes.data[i]);
		break;
	case ADTREE_BOOL:
		fputs(n->u.boolean ? "true" : "false", out);
		break;
	case ADTREE_FD:
		if (n->u.fd < 0)
			fputs("!fd unresolved", out);
		else
			fprintf(out, "!fd %d", n->u.fd);
		break;
	case ADTREE_FLOAT:
		fprintf(out, "%.17g", n->u.flt);
		break;
	case ADTREE_INT:
		if (n->u.integer.negative)
			fprintf(out, "%" PRId64, n->u.integer.i);
		else
			fprintf(out, "%" PRIu64, n->u.integer.u);
		break;
	case ADTREE_STR:
		print_quoted(out, n->u.bytes.data, n->u.bytes.len);
		break;
	case ADTREE_TIMESTAMP:
		print_timestamp(out, n->u.timestamp);
		break;
	case ADTREE_MAP:
		fputs("{}", out);
		break;
	case ADTREE_SEQ:
		fputs("[]", out);
		break;
	}
}

/* True for values printed on one line. */
static bool is_inline(const struct adtree *n)
{
	return (n->type != ADTREE_MAP && n->type != ADTREE_SEQ) ||
	       n->u.list.count == 0;
}

/*
 * Prints n. after_marker: something ("-", "key:") precedes on the line, so a
 * scalar needs a space and a container starts on the next line. Nested
 * lines are indented by `indent` spaces.
 */
static void print_value(FILE *out, const struct adtree *n, int indent,
                        bool after_marker)
{
	if (is_inline(n)) {
		if (after_marker)
			fputc(' ', out);
		print_scalar(out, n);
		fputc('\n', out);
		return;
	}
	if (after_marker)
		fputc('\n', out);
	for (size_t i = 0; i < n->u.list.count; i++) {
		const struct adtree *c = n->u.list.items[i];

		if (n->type == ADTREE_SEQ) {
			fprintf(out, "%*s-", indent, "");
			print_value(out, c, indent + 2, true);
		} else if (is_inline(c)) {
			/* Simple key: `key: value`. */
			fprintf(out, "%*s", indent, "");
			print_scalar(out, c);
			fputc(':', out);
			print_value(out, n->u.list.items[++i], indent + 2,
			            true);
		} else {
			/* Complex key: YAML's `? key` / `: value` form. */
			fprintf(out, "%*s?", indent, "");
			print_value(out, c, indent + 2, true);
			fprintf(out, "%*s:", indent, "");
			print_value(out, n->u.list.items[++i], indent + 2,
			            true);
		}
	}
}

/* Writes the readable view of tree. */
int adtree_print(FILE *out, const struct adtree *tree)
{
	if (out == NULL || tree == NULL)
		return -EINVAL;
	print_value(out, tree, 0, false);
	return ferror(out) ? -EIO : 0;
}

/* Hex dump: offset, 16 bytes, printable ASCII. */
int adtree_hexdump(FILE *out, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (out == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		fprintf(out, "%08zx ", off);
		for (size_t i = 0; i < 16; i++) {
			if (i < n)
				fprintf(out, " %02x", p[off + i]);
			else
				fputs("   ", out);
		}
		fputs("  |", out);
		for (size_t i = 0; i < n; i++) {
			uint8_t c = p[off + i];

			fputc(c >= 0x20 && c < 0x7F ? c : '.', out);
		}
		fputs("|\n", out);
	}
	return ferror(out) ? -EIO : 0;
}
