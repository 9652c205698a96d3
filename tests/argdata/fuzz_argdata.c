/*
 * libFuzzer target for the argdata decoders. Checks, for any input:
 * - the iterators and getters never read out of bounds (ASan) and, on
 *   input that argdata_validate() accepts, never report an error other
 *   than a range or invalid-fd one;
 * - adtree_decode() agrees with argdata_validate();
 * - decode -> encode (RAW) gives back the input byte for byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fails loudly: libFuzzer records the input. */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* Reads one value with the getter of its type; returns its code. */
static int get_scalar(const argdata_t *ad)
{
	const void *p;
	const char *s;
	size_t len;
	bool b;
	uint32_t fd;
	double f;
	int64_t i;
	uint64_t u;
	struct argdata_timespec ts;
	int rc;

	switch (argdata_type(ad)) {
	case ARGDATA_TYPE_BINARY:
		return argdata_get_binary(ad, &p, &len);
	case ARGDATA_TYPE_BOOL:
		return argdata_get_bool(ad, &b);
	case ARGDATA_TYPE_FD:
		rc = argdata_get_fd(ad, &fd);
		return rc == ARGDATA_EBADFD ? ARGDATA_OK : rc;
	case ARGDATA_TYPE_FLOAT:
		return argdata_get_float(ad, &f);
	case ARGDATA_TYPE_INT:
		rc = argdata_get_int(ad, &i);
		if (rc == ARGDATA_ERANGE)
			rc = argdata_get_uint(ad, &u);
		return rc == ARGDATA_ERANGE ? ARGDATA_OK : rc;
	case ARGDATA_TYPE_STR:
		rc = argdata_get_str(ad, &s, &len);
		if (rc == ARGDATA_OK)
			check(strlen(s) == len);
		return rc;
	case ARGDATA_TYPE_TIMESTAMP:
		rc = argdata_get_timestamp(ad, &ts);
		if (rc == ARGDATA_OK)
			check(ts.nsec >= 0 && ts.nsec < 1000000000);
		return rc == ARGDATA_ERANGE ? ARGDATA_OK : rc;
	case ARGDATA_TYPE_NULL:
		return ARGDATA_OK;
	}
	return ARGDATA_ETAG;
}

/* Walks a value with the iterators; returns the first error. */
static int walk(const argdata_t *ad, int depth)
{
	argdata_seq_iterator_t si;
	argdata_map_iterator_t mi;
	argdata_t k, v;
	int rc, worst = ARGDATA_OK;

	if (depth > ARGDATA_MAX_DEPTH)
		return ARGDATA_EDEPTH;
	if (argdata_seq_iterate(ad, &si) == ARGDATA_OK) {
		while ((rc = argdata_seq_next(&si, &v)) == 1)
			if ((rc = walk(&v, depth + 1)) != ARGDATA_OK)
				worst = rc;
		return rc < 0 ? rc : worst;
	}
	if (argdata_map_iterate(ad, &mi) == ARGDATA_OK) {
		while ((rc = argdata_map_next(&mi, &k, &v)) == 1) {
			if ((rc = walk(&k, depth + 1)) != ARGDATA_OK)
				worst = rc;
			if ((rc = walk(&v, depth + 1)) != ARGDATA_OK)
				worst = rc;
		}
		return rc < 0 ? rc : worst;
	}
	return get_scalar(ad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct argdata_error err, derr;
	argdata_t ad = argdata_from_buffer(data, size);
	struct adtree *t = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, nfds = 0;
	int *fds = NULL;
	int valid, rc;

	valid = argdata_validate(data, size, &err) == ARGDATA_OK;
	check(valid || err.offset < size || size == 0);
	rc = walk(&ad, 1);
	if (valid)
		check(rc == ARGDATA_OK);
	rc = adtree_decode(data, size, &t, &derr);
	if (!valid) {
		check(rc == -EINVAL && derr.code == err.code &&
		      derr.offset == err.offset);
		return 0;
	}
	check(rc == 0 || rc == -ERANGE);
	if (rc != 0)
		return 0;
	check(adtree_encode(t, ADTREE_FD_RAW, &buf, &len, NULL, NULL) == 0);
	check(len == size && (size == 0 || memcmp(buf, data, size) == 0));
	free(buf);
	/* Renumbering keeps the shape and stays valid. */
	check(adtree_encode(t, ADTREE_FD_RENUMBER, &buf, &len, &fds, &nfds) ==
	      0);
	check(argdata_validate(buf, len, NULL) == ARGDATA_OK);
	free(buf);
	free(fds);
	adtree_free(t);
	return 0;
}
