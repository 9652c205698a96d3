/*
 * abigen.c: command line of the ABI header generator, and its arena.
 *
 *   abigen INPUT OUTDIR    parse INPUT, write the generated C files
 *   abigen --dump INPUT    parse INPUT, print the canonical dump
 *
 * Exit status 0 on success, 1 on any error (already reported on stderr).
 * Ownership: all model memory comes from the arena below and is released
 * once before exit, so sanitizer builds see no leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abigen.h"

/* One arena allocation: a header chaining it, then the caller's bytes. */
struct chunk {
	struct chunk *next;
	_Alignas(16) unsigned char data[];
};

static struct chunk *arena;

void *abigen_alloc(size_t size)
{
	struct chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		abort();
	c = calloc(1, sizeof(*c) + size);
	if (c == NULL) {
		fputs("abigen: out of memory\n", stderr);
		exit(1);
	}
	c->next = arena;
	arena = c;
	return c->data;
}

char *abigen_strndup(const char *s, size_t len)
{
	char *d = abigen_alloc(len + 1);

	memcpy(d, s, len);
	return d;
}

void abigen_free_all(void)
{
	while (arena != NULL) {
		struct chunk *next = arena->next;

		free(arena);
		arena = next;
	}
}

/* Prints how to call the program. */
static int usage(void)
{
	fputs("usage: abigen INPUT OUTDIR\n"
	      "       abigen --dump INPUT\n",
	      stderr);
	return 1;
}

int main(int argc, char **argv)
{
	struct abigen_abi abi;
	bool dump;
	int rc;

	if (argc != 3)
		return usage();
	dump = strcmp(argv[1], "--dump") == 0;
	rc = abigen_parse(dump ? argv[2] : argv[1], &abi);
	if (rc == 0 && dump)
		rc = abigen_dump(&abi, stdout);
	else if (rc == 0)
		rc = abigen_emit(&abi, argv[2]);
	if (rc == 0 && dump && fflush(stdout) != 0)
		rc = -1;
	abigen_free_all();
	return rc == 0 ? 0 : 1;
}
