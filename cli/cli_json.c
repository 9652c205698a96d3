/*
 * cli_json: JSON output with comma placement by nesting level and string
 * escaping per RFC 8259 (control characters as \u00XX, invalid UTF-8 as
 * U+FFFD so that consumers such as jq or Python never reject a line).
 */
#include "cli_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void cli_json_init(struct cli_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Writes the comma that separates this value from the previous one. */
static void json_sep(struct cli_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth - 1])
			fputc(',', j->f);
		j->has_items[j->depth - 1] = true;
	}
}

/* Opens an object or array. */
static void json_open(struct cli_json *j, char c)
{
	json_sep(j);
	if (j->depth >= CLI_JSON_MAX_DEPTH)
		abort();
	fputc(c, j->f);
	j->has_items[j->depth++] = false;
}

/* Closes the innermost object or array. */
static void json_close(struct cli_json *j, char c)
{
	if (j->depth == 0)
		abort();
	j->depth--;
	fputc(c, j->f);
}

void cli_json_begin_object(struct cli_json *j)
{
	json_open(j, '{');
}

void cli_json_end_object(struct cli_json *j)
{
	json_close(j, '}');
}

void cli_json_begin_array(struct cli_json *j)
{
	json_open(j, '[');
}

void cli_json_end_array(struct cli_json *j)
{
	json_close(j, ']');
}

/*
 * Length of the valid UTF-8 sequence at p (1-4), or 0 if the bytes there
 * are not one: overlong forms, surrogates and values past U+10FFFF are
 * rejected as RFC 3629 says.
 */
static size_t utf8_len(const uint8_t *p, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Writes data as the body of a JSON string (without the quotes). */
static void json_escape(FILE *f, const uint8_t *data, size_t len)
{
	size_t i = 0, n;
	uint8_t c;

	while (i < len) {
		c = data[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if ((n = utf8_len(data + i, len - i)) == 0) {
			fputs("\\ufffd", f);
		} else {
			fwrite(data + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
}

void cli_json_key(struct cli_json *j, const char *key)
{
	json_sep(j);
	fputc('"', j->f);
	json_escape(j->f, (const uint8_t *)key, strlen(key));
	fputs("\":", j->f);
	j->after_key = true;
}

void cli_json_bytes(struct cli_json *j, const uint8_t *data, size_t len)
{
	json_sep(j);
	fputc('"', j->f);
	json_escape(j->f, data, len);
	fputc('"', j->f);
}

void cli_json_string(struct cli_json *j, const char *s)
{
	if (s == NULL)
		cli_json_null(j);
	else
		cli_json_bytes(j, (const uint8_t *)s, strlen(s));
}

void cli_json_int(struct cli_json *j, int64_t v)
{
	json_sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void cli_json_uint(struct cli_json *j, uint64_t v)
{
	json_sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void cli_json_bool(struct cli_json *j, bool v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->f);
}

void cli_json_null(struct cli_json *j)
{
	json_sep(j);
	fputs("null", j->f);
}
