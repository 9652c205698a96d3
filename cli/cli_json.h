/*
 * cli_json: a small streaming JSON writer for cloudabictl's -o json output.
 * It tracks nesting to place commas, escapes strings and turns bytes that
 * are not valid UTF-8 into U+FFFD, so that any input gives valid JSON.
 * The writer borrows the FILE; it allocates nothing.
 */
#ifndef CLI_JSON_H
#define CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deeper nesting than cloudabictl ever writes is a programming error. */
#define CLI_JSON_MAX_DEPTH 8

struct cli_json {
	FILE *f;                            /* borrowed */
	int depth;                          /* open objects and arrays */
	bool has_items[CLI_JSON_MAX_DEPTH]; /* a value was written at level */
	bool after_key;                     /* the next value follows a key */
};

/* Starts a writer on f (borrowed, not closed). */
void cli_json_init(struct cli_json *j, FILE *f);
void cli_json_begin_object(struct cli_json *j);
void cli_json_end_object(struct cli_json *j);
void cli_json_begin_array(struct cli_json *j);
void cli_json_end_array(struct cli_json *j);
/* Writes an object key; the next call writes its value. */
void cli_json_key(struct cli_json *j, const char *key);
/* A string value; NULL is written as null. */
void cli_json_string(struct cli_json *j, const char *s);
/* A string value from len bytes (may hold NUL and invalid UTF-8). */
void cli_json_bytes(struct cli_json *j, const uint8_t *data, size_t len);
void cli_json_int(struct cli_json *j, int64_t v);
void cli_json_uint(struct cli_json *j, uint64_t v);
void cli_json_bool(struct cli_json *j, bool v);
void cli_json_null(struct cli_json *j);

#endif
