/*
 * Fuzz target for cloudabictl's output: the daemon's replies are input
 * the CLI does not control. The first byte picks a reply type, the rest
 * is decoded as that protobuf message; every reply that decodes is
 * formatted both ways. JSON output must be valid JSON (checked by a
 * strict validator here, one value per line), and tables must carry no
 * control character but the newline (no terminal escapes get through).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A cursor over one line of JSON. */
struct jv {
	const unsigned char *p, *end;
	int depth;
};

static bool jv_value(struct jv *v);

/* Skips JSON whitespace. */
static void jv_ws(struct jv *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' ||
	                         *v->p == '\r' || *v->p == '\n'))
		v->p++;
}

/* Consumes the literal word, if it is there. */
static bool jv_word(struct jv *v, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(v->end - v->p) < n || memcmp(v->p, w, n) != 0)
		return false;
	v->p += n;
	return true;
}

/* A string: escapes as RFC 8259 lists them, UTF-8 checked loosely. */
static bool jv_string(struct jv *v)
{
	int i;

	if (v->p >= v->end || *v->p++ != '"')
		return false;
	while (v->p < v->end && *v->p != '"') {
		if (*v->p < 0x20)
			return false;
		if (*v->p++ != '\\')
			continue;
		if (v->p >= v->end)
			return false;
		if (strchr("\"\\/bfnrt", *v->p) != NULL && *v->p != '\0') {
			v->p++;
			continue;
		}
		if (*v->p++ != 'u')
			return false;
		for (i = 0; i < 4; i++, v->p++)
			if (v->p >= v->end ||
			    strchr("0123456789abcdefABCDEF", *v->p) == NULL ||
			    *v->p == '\0')
				return false;
	}
	return v->p++ < v->end;
}

/* A number: -?digits, no fraction needed by cloudabictl. */
static bool jv_number(struct jv *v)
{
	const unsigned char *start;

	if (v->p < v->end && *v->p == '-')
		v->p++;
	start = v->p;
	while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
		v->p++;
	/* No leading zeros except "0" itself. */
	return v->p > start && !(*start == '0' && v->p - start > 1);
}

/* Members or elements up to the closing bracket. */
static bool jv_container(struct jv *v, char close, bool object)
{
	if (++v->depth > 32)
		return false;
	v->p++;
	jv_ws(v);
	if (v->p < v->end && *v->p == close) {
		v->p++;
		v->depth--;
		return true;
	}
	for (;;) {
		jv_ws(v);
		if (object) {
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (v->p >= v->end || *v->p++ != ':')
				return false;
		}
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (v->p >= v->end)
			return false;
		if (*v->p == close) {
			v->p++;
			v->depth--;
			return true;
		}
		if (*v->p++ != ',')
			return false;
	}
}

static bool jv_value(struct jv *v)
{
	jv_ws(v);
	if (v->p >= v->end)
		return false;
	switch (*v->p) {
	case '{':
		return jv_container(v, '}', true);
	case '[':
		return jv_container(v, ']', false);
	case '"':
		return jv_string(v);
	case 't':
		return jv_word(v, "true");
	case 'f':
		return jv_word(v, "false");
	case 'n':
		return jv_word(v, "null");
	default:
		return jv_number(v);
	}
}

/* Every line of buf is exactly one JSON value. */
static void check_json_lines(const char *buf, size_t len)
{
	const char *line = buf, *nl;
	struct jv v;

	while (line < buf + len) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		if (nl == NULL)
			abort(); /* every value ends its line */
		v = (struct jv){(const unsigned char *)line,
		                (const unsigned char *)nl, 0};
		if (!jv_value(&v))
			abort();
		jv_ws(&v);
		if (v.p != v.end)
			abort();
		line = nl + 1;
	}
}

/* Table output shows no control characters but newlines. */
static void check_table(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') ||
		    buf[i] == 0x7f)
			abort();
}

/* Formats m as reply type kind into f. */
static void format(const struct cli_format *f, int kind,
                   const ProtobufCMessage *m)
{
	switch (kind) {
	case 0:
		cli_format_list(f, (const void *)m);
		break;
	case 1:
		cli_format_status(f, (const void *)m);
		break;
	case 2:
		cli_format_event(f, (const void *)m);
		break;
	case 3:
		cli_format_validation(f, "svc.yaml", (const void *)m);
		break;
	case 4:
		cli_format_operation(f, "stop", (const void *)m);
		break;
	case 5:
		cli_format_deploy(f, (const void *)m);
		break;
	default:
		cli_format_log_chunk(f, (const void *)m);
		break;
	}
}

/* Runs one output mode; checks what came out. */
static void run(int kind, const ProtobufCMessage *m, enum cli_output o)
{
	struct cli_format f = {.output = o, .now_ns = INT64_C(1) << 60};
	char *out = NULL, *err = NULL;
	size_t out_len = 0, err_len = 0;

	f.out = open_memstream(&out, &out_len);
	f.err = open_memstream(&err, &err_len);
	if (f.out == NULL || f.err == NULL)
		abort();
	format(&f, kind, m);
	fclose(f.out);
	fclose(f.err);
	if (o == CLI_OUTPUT_JSON) {
		check_json_lines(out, out_len);
	} else if (kind != 6) {
		/* Log data is the service's own bytes, shown as written. */
		check_table(out, out_len);
		check_table(err, err_len);
	}
	free(out);
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ProtobufCMessageDescriptor *const descs[] = {
	        &cloudabi__supervisor__v1__list_response__descriptor,
	        &cloudabi__supervisor__v1__service_status__descriptor,
	        &cloudabi__supervisor__v1__event__descriptor,
	        &cloudabi__supervisor__v1__validate_response__descriptor,
	        &cloudabi__supervisor__v1__operation_response__descriptor,
	        &cloudabi__supervisor__v1__deploy_response__descriptor,
	        &cloudabi__supervisor__v1__log_chunk__descriptor,
	};
	ProtobufCMessage *m;
	int kind;

	if (size < 1)
		return 0;
	kind = data[0] % 7;
	m = protobuf_c_message_unpack(descs[kind], NULL, size - 1, data + 1);
	if (m == NULL)
		return 0;
	run(kind, m, CLI_OUTPUT_JSON);
	run(kind, m, CLI_OUTPUT_TABLE);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
