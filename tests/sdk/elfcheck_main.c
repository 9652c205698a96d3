/*
 * elfcheck_main.c: command line for elfcheck.h, used by ctest.
 *   elfcheck [--min-relocs N] [--tls] [--relro] FILE...
 *       every FILE must pass, with at least N relocations, a PT_TLS and a
 *       PT_GNU_RELRO when asked;
 *   elfcheck --reject FILE...
 *       every FILE must be readable and fail the check.
 * Exit status 0 on success, 1 otherwise (with the reason on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfcheck.h"

#define ELFCHECK_MAX_FILE (64u << 20)

struct elfcheck_opts {
	int reject;
	size_t min_relocs;
	int need_tls;
	int need_relro;
};

/* Reads a whole file (at most ELFCHECK_MAX_FILE); caller frees *buf. */
static int elfcheck_read(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	int error = 0;
	size_t n;

	if (f == NULL)
		return -errno;
	b = malloc(ELFCHECK_MAX_FILE);
	if (b == NULL) {
		error = -ENOMEM;
		goto out;
	}
	n = fread(b, 1, ELFCHECK_MAX_FILE, f);
	if (ferror(f) || !feof(f)) {
		error = ferror(f) ? -EIO : -EFBIG;
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	fclose(f);
	return error;
}

/* Checks one file against the options; 0 when it meets expectations. */
static int elfcheck_file(const char *path, const struct elfcheck_opts *o)
{
	struct elfcheck_info info;
	char why[256];
	uint8_t *img;
	size_t len;
	int error, ret = 1;

	if ((error = elfcheck_read(path, &img, &len)) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-error));
		return 1;
	}
	error = elfcheck_image(img, len, &info, why, sizeof(why));
	if (o->reject) {
		if (error == 0)
			fprintf(stderr, "%s: accepted, expected a rejection\n",
			        path);
		else
			printf("%s: rejected as expected: %s\n", path, why);
		ret = error == 0;
	} else if (error != 0) {
		fprintf(stderr, "%s: %s\n", path, why);
	} else if (info.nrelocs < o->min_relocs) {
		fprintf(stderr, "%s: %zu relocations, expected >= %zu\n", path,
		        info.nrelocs, o->min_relocs);
	} else if ((o->need_tls && !info.has_tls) ||
	           (o->need_relro && !info.has_relro)) {
		fprintf(stderr, "%s: missing PT_TLS or PT_GNU_RELRO\n", path);
	} else {
		printf("%s: ok (%zu PT_LOAD, %zu RELATIVE relocations, "
		       "entry %#lx)\n",
		       path, info.nloads, info.nrelocs,
		       (unsigned long)info.entry);
		ret = 0;
	}
	free(img);
	return ret;
}

int main(int argc, char **argv)
{
	struct elfcheck_opts o = {0};
	int i, failed = 0, nfiles = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reject") == 0)
			o.reject = 1;
		else if (strcmp(argv[i], "--tls") == 0)
			o.need_tls = 1;
		else if (strcmp(argv[i], "--relro") == 0)
			o.need_relro = 1;
		else if (strcmp(argv[i], "--min-relocs") == 0 && i + 1 < argc)
			o.min_relocs = strtoul(argv[++i], NULL, 10);
		else {
			failed |= elfcheck_file(argv[i], &o);
			nfiles++;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "usage: elfcheck [--reject] [--tls] [--relro] "
		                "[--min-relocs N] FILE...\n");
		return 1;
	}
	return failed;
}
