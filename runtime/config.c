/*
 * config: YAML -> argdata tree with resources (parse); the resolve step is
 * config_resolve.c. See config.h for ownership, docs/configuration.md for
 * the format.
 *
 * The parser walks libyaml's event stream rather than its document loader:
 * events let us bound depth and node count as we go, reject anchors before
 * anything is built, and keep the position of every node for messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml.h>

#include "cloudabi_types.h"
#include "config_private.h"

/* The tags a node may carry, after libyaml resolved %TAG handles. */
enum config_tag {
	TAG_NONE,    /* untagged */
	TAG_NONSPEC, /* "!": explicitly non-specific, i.e. a plain string */
	TAG_FD,
	TAG_FILE,
	TAG_SOCKET,
	TAG_EXECUTABLE,
	TAG_LOG,
	TAG_STR,
	TAG_INT,
	TAG_BOOL,
	TAG_NULL,
	TAG_FLOAT,
	TAG_BINARY,
	TAG_SEQ,
	TAG_MAP,
	TAG_UNKNOWN,
};

struct config_tagname {
	const char *name; /* without its prefix */
	enum config_tag tag;
};

static const struct config_tagname config_cloudabi_tags[] = {
        {"fd", TAG_FD},         {"file", TAG_FILE},
        {"socket", TAG_SOCKET}, {"executable", TAG_EXECUTABLE},
        {"log", TAG_LOG},
};

static const struct config_tagname config_yaml_tags[] = {
        {"str", TAG_STR},   {"int", TAG_INT},     {"bool", TAG_BOOL},
        {"null", TAG_NULL}, {"float", TAG_FLOAT}, {"binary", TAG_BINARY},
        {"seq", TAG_SEQ},   {"map", TAG_MAP},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Parser state; ev is the current event (valid while have_ev). */
struct config_parser {
	yaml_parser_t yp;
	yaml_event_t ev;
	bool have_ev;
	struct config *cfg;
	struct config_error *err;
	const struct config_opts *opts; /* never NULL */
	const char *input; /* the whole document, for reader errors */
	size_t input_len;
	size_t nodes;
	size_t rescap;
};

/* Fills err with "name:line:col: text"; line 0 means no position. */
void config_verror(const char *name, int line, int col,
                   struct config_error *err, const char *fmt, va_list ap)
{
	char text[400];

	if (err == NULL)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	err->line = line;
	err->column = col;
	if (line > 0)
		snprintf(err->msg, sizeof(err->msg), "%s:%d:%d: %s", name, line,
		         col, text);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", name, text);
}

/* config_verror() at a libyaml mark (0-based); returns `code`. */
static int config_error_at(struct config_parser *p, yaml_mark_t mark, int code,
                           const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(p->cfg->name, (int)mark.line + 1, (int)mark.column + 1,
	              p->err, fmt, ap);
	va_end(ap);
	return code;
}

/* An error at the current event's start. */
#define PERR(p, code, ...)                                                     \
	config_error_at((p), (p)->ev.start_mark, (code), __VA_ARGS__)

/* The 0-based line and column (in bytes) of a byte offset of input. */
static yaml_mark_t config_mark_of(const char *input, size_t offset)
{
	yaml_mark_t m = {.index = offset};

	for (size_t i = 0; i < offset; i++) {
		if (input[i] == '\n') {
			m.line++;
			m.column = 0;
		} else
			m.column++;
	}
	return m;
}

/* Advances to the next event; libyaml's own errors get our format. */
static int config_next(struct config_parser *p)
{
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = false;
	}
	if (!yaml_parser_parse(&p->yp, &p->ev)) {
		if (p->yp.error == YAML_MEMORY_ERROR)
			return -ENOMEM;
		yaml_mark_t mark = p->yp.problem_mark;
		/* The reader (bad encoding) gives only a byte offset. */
		if (p->yp.error == YAML_READER_ERROR)
			mark = config_mark_of(
			        p->input, p->yp.problem_offset < p->input_len
			                          ? p->yp.problem_offset
			                          : p->input_len);
		/* The context ("while parsing a ...") reads well after. */
		if (p->yp.context != NULL)
			return config_error_at(p, mark, -EINVAL, "%s %s",
			                       p->yp.problem, p->yp.context);
		return config_error_at(p, mark, -EINVAL, "%s",
		                       p->yp.problem ? p->yp.problem
		                                     : "YAML syntax error");
	}
	p->have_ev = true;
	return 0;
}

/* Classifies a resolved tag. */
static enum config_tag config_tag_of(const char *tag)
{
	size_t lc = strlen(CONFIG_TAG_CLOUDABI), ly = strlen(CONFIG_TAG_YAML);

	if (tag == NULL)
		return TAG_NONE;
	if (strcmp(tag, "!") == 0)
		return TAG_NONSPEC;
	if (strncmp(tag, CONFIG_TAG_CLOUDABI, lc) == 0) {
		for (size_t i = 0; i < NELEM(config_cloudabi_tags); i++)
			if (strcmp(tag + lc, config_cloudabi_tags[i].name) == 0)
				return config_cloudabi_tags[i].tag;
	} else if (strncmp(tag, CONFIG_TAG_YAML, ly) == 0) {
		for (size_t i = 0; i < NELEM(config_yaml_tags); i++)
			if (strcmp(tag + ly, config_yaml_tags[i].name) == 0)
				return config_yaml_tags[i].tag;
	}
	return TAG_UNKNOWN;
}

/* The tag as a user would write it with the usual %TAG lines. */
static void config_tag_display(const char *tag, char *buf, size_t size)
{
	size_t lc = strlen(CONFIG_TAG_CLOUDABI), ly = strlen(CONFIG_TAG_YAML);

	if (strncmp(tag, CONFIG_TAG_CLOUDABI, lc) == 0)
		snprintf(buf, size, "!%s", tag + lc);
	else if (strncmp(tag, CONFIG_TAG_YAML, ly) == 0)
		snprintf(buf, size, "!!%s", tag + ly);
	else
		snprintf(buf, size, "%s", tag);
}

/* Error for a tag we do not know; a local !fd hints at the %TAG line. */
static int config_unknown_tag(struct config_parser *p, const char *tag)
{
	char shown[128];

	config_tag_display(tag, shown, sizeof(shown));
	if (tag[0] == '!' && tag[1] != '!') {
		for (size_t i = 0; i < NELEM(config_cloudabi_tags); i++)
			if (strcmp(tag + 1, config_cloudabi_tags[i].name) == 0)
				return PERR(p, -EINVAL,
				            "tag %s needs the line "
				            "'%%TAG ! " CONFIG_TAG_CLOUDABI
				            "' at the top of the file",
				            shown);
	}
	return PERR(p, -EINVAL, "unknown tag %s", shown);
}

/* Counts a node against CONFIG_MAX_NODES; rejects anchors. */
static int config_count(struct config_parser *p, const yaml_char_t *anchor)
{
	if (anchor != NULL)
		return PERR(p, -EINVAL,
		            "anchors and aliases are not supported");
	if (++p->nodes > CONFIG_MAX_NODES)
		return PERR(p, -E2BIG, "more than %d nodes", CONFIG_MAX_NODES);
	return 0;
}

/* A new resource entry for the node at the current event. */
static int config_add_resource(struct config_parser *p, enum config_kind k,
                               struct config_resource **out)
{
	struct config *cfg = p->cfg;

	if (cfg->nres == CONFIG_MAX_RESOURCES)
		return PERR(p, -E2BIG, "more than %d resources",
		            CONFIG_MAX_RESOURCES);
	if (cfg->nres == p->rescap) {
		size_t cap = p->rescap ? p->rescap * 2 : 8;
		void *n = realloc(cfg->res, cap * sizeof(*cfg->res));
		if (n == NULL)
			return -ENOMEM;
		cfg->res = n;
		p->rescap = cap;
	}
	struct config_resource *r = &cfg->res[cfg->nres++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->line = (int)p->ev.start_mark.line + 1;
	r->column = (int)p->ev.start_mark.column + 1;
	r->fd = -1;
	r->launcher_fd = -1;
	*out = r;
	return 0;
}

/* Creates the fd node of resource r (fd -1 = unresolved). */
static int config_fd_node(struct config_resource *r, int fd,
                          struct adtree **out)
{
	*out = adtree_new_fd(fd);
	if (*out == NULL)
		return -ENOMEM;
	r->node = *out;
	return 0;
}

/*
 * Parses a YAML integer: optional sign, then decimal digits, 0x hex or 0o
 * octal. Returns 0, -EINVAL (syntax) or -ERANGE (beyond int64/uint64).
 */
static int config_parse_int(const char *s, bool *negative, uint64_t *mag)
{
	unsigned base = 10;
	uint64_t v = 0;

	*negative = false;
	if (*s == '+' || *s == '-')
		*negative = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	}
	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (*negative && v > (uint64_t)INT64_MAX + 1)
		return -ERANGE;
	*mag = v;
	return 0;
}

/* !!int scalar -> int node. */
static int config_int_node(struct config_parser *p, const char *s,
                           struct adtree **out)
{
	bool neg;
	uint64_t mag;
	int rc = config_parse_int(s, &neg, &mag);

	if (rc == -ERANGE)
		return PERR(p, -EINVAL, "integer out of range: %s", s);
	if (rc != 0)
		return PERR(p, -EINVAL, "bad integer: '%s'", s);
	if (neg && mag != 0)
		*out = adtree_new_int(mag == (uint64_t)INT64_MAX + 1
		                              ? INT64_MIN
		                              : -(int64_t)mag);
	else
		*out = adtree_new_uint(mag);
	return *out ? 0 : -ENOMEM;
}

/* !!float scalar (decimal, or .inf/-.inf/.nan) -> float node. */
static int config_float_node(struct config_parser *p, const char *s,
                             struct adtree **out)
{
	double d;
	char *end;
	const char *m = (*s == '+' || *s == '-') ? s + 1 : s;

	if (strcmp(m, ".inf") == 0 || strcmp(m, ".Inf") == 0 ||
	    strcmp(m, ".INF") == 0)
		d = *s == '-' ? -INFINITY : INFINITY;
	else if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 ||
	         strcmp(s, ".NAN") == 0)
		d = NAN;
	else {
		/* strtod also takes "inf", "nan" and hex floats: YAML
		 * does not, so only digits, sign, '.', 'e' pass. */
		if (*s == '\0' || strspn(s, "+-.0123456789eE") != strlen(s))
			return PERR(p, -EINVAL, "bad float: '%s'", s);
		errno = 0;
		d = strtod(s, &end);
		if (*end != '\0' || end == s)
			return PERR(p, -EINVAL, "bad float: '%s'", s);
		if (errno == ERANGE && isinf(d))
			return PERR(p, -EINVAL, "float out of range: %s", s);
	}
	*out = adtree_new_float(d);
	return *out ? 0 : -ENOMEM;
}

/* The value of a base64 digit, or -1. */
static int config_b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* !!binary scalar (base64, whitespace ignored) -> binary node. */
static int config_binary_node(struct config_parser *p, const char *s,
                              size_t len, struct adtree **out)
{
	uint8_t *buf = malloc(len / 4 * 3 + 3);
	size_t n = 0, pad = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	int rc = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		int v = config_b64((unsigned char)s[i]);
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')
			continue;
		if (s[i] == '=' && pad < 2) {
			pad++;
			continue;
		}
		if (v < 0 || pad > 0) {
			rc = PERR(p, -EINVAL, "bad base64 in !!binary");
			goto out;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be padding zeros of a whole quantum. */
	if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) {
		rc = PERR(p, -EINVAL, "bad base64 in !!binary");
		goto out;
	}
	*out = adtree_new_binary(buf, n);
	if (*out == NULL)
		rc = -ENOMEM;
out:
	free(buf);
	return rc;
}

/* True for the plain scalars YAML reads as null when untagged. */
static bool config_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return v[0] == '\0' || strcmp(v, "~") == 0;
}

/* A str node; NUL bytes (from "\0" escapes) are refused. */
static int config_str_node(struct config_parser *p, const char *s, size_t len,
                           struct adtree **out)
{
	int rc = adtree_new_str(s, len, out);

	if (rc == -EINVAL)
		return PERR(p, -EINVAL, "string contains a NUL character");
	return rc;
}

/* Parses "stdout", "stderr" or a decimal fd number for !fd. */
static int config_fd_value(struct config_parser *p, const char *s, int *fd)
{
	bool neg;
	uint64_t mag;

	if (strcmp(s, "stdout") == 0) {
		*fd = STDOUT_FILENO;
		return 0;
	}
	if (strcmp(s, "stderr") == 0) {
		*fd = STDERR_FILENO;
		return 0;
	}
	if (s[0] < '0' || s[0] > '9' || config_parse_int(s, &neg, &mag) != 0 ||
	    s[1] == 'x' || s[1] == 'o')
		return PERR(
		        p, -EINVAL,
		        "!fd needs stdout, stderr or a decimal fd, not '%s'",
		        s);
	if (mag > INT_MAX)
		return PERR(p, -EINVAL, "fd number out of range: %s", s);
	*fd = (int)mag;
	return 0;
}

/*
 * !log, or !fd of a service: the daemon's own fds mean nothing to a
 * service, so only stdout and stderr are taken, as its log stream.
 */
static int config_service_fd(struct config_parser *p, int fd,
                             struct adtree **out)
{
	struct config_resource *r;
	int rc;

	if (fd != STDOUT_FILENO && fd != STDERR_FILENO)
		return PERR(p, -EINVAL,
		            "a service gets no fd %d of the daemon: use !file, "
		            "!socket or !log",
		            fd);
	if ((rc = config_add_resource(p, CONFIG_LOG, &r)) != 0)
		return rc;
	return config_fd_node(r, -1, out);
}

/* A scalar node: resource scalars (!fd, !executable) and plain values. */
static int config_scalar(struct config_parser *p, struct adtree **out)
{
	const yaml_event_t *ev = &p->ev;
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	struct config_resource *r;
	int rc, fd;

	switch (config_tag_of(tag)) {
	case TAG_NONE:
		if (config_is_null(ev))
			goto null;
		return config_str_node(p, v, len, out);
	case TAG_NONSPEC:
	case TAG_STR:
		return config_str_node(p, v, len, out);
	case TAG_NULL:
		if (v[0] != '\0' && strcmp(v, "~") != 0 &&
		    strcmp(v, "null") != 0 && strcmp(v, "Null") != 0 &&
		    strcmp(v, "NULL") != 0)
			return PERR(p, -EINVAL, "bad null: '%s'", v);
		goto null;
	case TAG_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
		    strcmp(v, "TRUE") == 0)
			*out = adtree_new_bool(true);
		else if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 ||
		         strcmp(v, "FALSE") == 0)
			*out = adtree_new_bool(false);
		else
			return PERR(p, -EINVAL,
			            "bad bool: '%s' (true or false)", v);
		return *out ? 0 : -ENOMEM;
	case TAG_INT:
		return config_int_node(p, v, out);
	case TAG_FLOAT:
		return config_float_node(p, v, out);
	case TAG_BINARY:
		return config_binary_node(p, v, len, out);
	case TAG_FD:
		if ((rc = config_fd_value(p, v, &fd)) != 0)
			return rc;
		if (p->opts->service)
			return config_service_fd(p, fd, out);
		if ((rc = config_add_resource(p, CONFIG_FD, &r)) != 0)
			return rc;
		r->launcher_fd = fd;
		/* The launcher's own fd is known now: no side effect to wait
		 * for, and equal fds share one index when encoded. */
		return config_fd_node(r, fd, out);
	case TAG_EXECUTABLE:
		if (v[0] != '\0')
			return PERR(p, -EINVAL, "!executable takes no value");
		if ((rc = config_add_resource(p, CONFIG_EXECUTABLE, &r)) != 0)
			return rc;
		return config_fd_node(r, -1, out);
	case TAG_LOG:
		if (!p->opts->service)
			return PERR(
			        p, -EINVAL,
			        "!log is only for services run by cloudabid");
		if (v[0] != '\0')
			return PERR(p, -EINVAL, "!log takes no value");
		return config_service_fd(p, STDOUT_FILENO, out);
	case TAG_FILE:
	case TAG_SOCKET:
	case TAG_SEQ:
	case TAG_MAP: {
		char shown[64];
		config_tag_display(tag, shown, sizeof(shown));
		return PERR(p, -EINVAL, "%s needs a %s, not a scalar", shown,
		            config_tag_of(tag) == TAG_SEQ ? "sequence"
		                                          : "mapping");
	}
	case TAG_UNKNOWN:
		return config_unknown_tag(p, tag);
	}
	return PERR(p, -EINVAL, "unexpected tag");
null:
	*out = adtree_new_null();
	return *out ? 0 : -ENOMEM;
}

static int config_node(struct config_parser *p, int depth, struct adtree **out);

/* Checks the tag of a sequence or mapping (plain containers only). */
static int config_container_tag(struct config_parser *p, const char *tag,
                                enum config_tag want)
{
	enum config_tag t = config_tag_of(tag);
	char shown[64];

	if (t == TAG_NONE || t == TAG_NONSPEC || t == want)
		return 0;
	if (t == TAG_UNKNOWN)
		return config_unknown_tag(p, tag);
	config_tag_display(tag, shown, sizeof(shown));
	if (t == TAG_FILE || t == TAG_SOCKET)
		return PERR(p, -EINVAL, "%s needs a mapping, not a sequence",
		            shown);
	if (t == TAG_SEQ || t == TAG_MAP)
		return PERR(p, -EINVAL, "%s needs a %s", shown,
		            t == TAG_SEQ ? "sequence" : "mapping");
	return PERR(p, -EINVAL, "%s needs a scalar", shown);
}

/* A sequence: elements up to SEQUENCE_END. */
static int config_seq(struct config_parser *p, int depth, struct adtree **out)
{
	struct adtree *seq, *elem;
	int rc = config_container_tag(
	        p, (const char *)p->ev.data.sequence_start.tag, TAG_SEQ);

	if (rc != 0)
		return rc;
	if ((seq = adtree_new_seq()) == NULL)
		return -ENOMEM;
	for (;;) {
		if ((rc = config_next(p)) != 0)
			goto fail;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((rc = config_node(p, depth + 1, &elem)) != 0)
			goto fail;
		if ((rc = adtree_seq_append(seq, elem)) != 0) {
			adtree_free(elem);
			goto fail;
		}
	}
	*out = seq;
	return 0;
fail:
	adtree_free(seq);
	return rc;
}

/* A mapping: key/value pairs up to MAPPING_END (duplicates kept). */
static int config_map(struct config_parser *p, int depth, struct adtree **out)
{
	struct adtree *map, *key = NULL, *value;
	int rc = config_container_tag(
	        p, (const char *)p->ev.data.mapping_start.tag, TAG_MAP);

	if (rc != 0)
		return rc;
	if ((map = adtree_new_map()) == NULL)
		return -ENOMEM;
	for (;;) {
		if ((rc = config_next(p)) != 0)
			goto fail;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((rc = config_node(p, depth + 1, &key)) != 0)
			goto fail;
		if ((rc = config_next(p)) != 0 ||
		    (rc = config_node(p, depth + 1, &value)) != 0)
			goto fail;
		if ((rc = adtree_map_put(map, key, value)) != 0) {
			adtree_free(value);
			goto fail;
		}
		key = NULL;
	}
	*out = map;
	return 0;
fail:
	adtree_free(key);
	adtree_free(map);
	return rc;
}

/* Attributes of !file and !socket maps. */
enum config_attr {
	ATTR_PATH,
	ATTR_MODE,
	ATTR_CREATE,
	ATTR_TRUNCATE,
	ATTR_EXCLUSIVE,
	ATTR_RIGHTS,
	ATTR_BIND,
	ATTR_CONNECT,
	ATTR_TYPE,
	ATTR_COUNT,
};

static const char *const config_attr_names[ATTR_COUNT] = {
        [ATTR_PATH] = "path",           [ATTR_MODE] = "mode",
        [ATTR_CREATE] = "create",       [ATTR_TRUNCATE] = "truncate",
        [ATTR_EXCLUSIVE] = "exclusive", [ATTR_RIGHTS] = "rights",
        [ATTR_BIND] = "bind",           [ATTR_CONNECT] = "connect",
        [ATTR_TYPE] = "type",
};

/* Which attributes each resource map accepts (bit per enum config_attr). */
#define ATTRS_FILE                                                             \
	(1u << ATTR_PATH | 1u << ATTR_MODE | 1u << ATTR_CREATE |               \
	 1u << ATTR_TRUNCATE | 1u << ATTR_EXCLUSIVE | 1u << ATTR_RIGHTS)
#define ATTRS_SOCKET                                                           \
	(1u << ATTR_BIND | 1u << ATTR_CONNECT | 1u << ATTR_TYPE |              \
	 1u << ATTR_RIGHTS)

/* Checks that the current event is an untagged (or !!str) scalar. */
static int config_attr_scalar(struct config_parser *p, const char *what)
{
	enum config_tag t;

	if (p->ev.type == YAML_ALIAS_EVENT)
		return PERR(p, -EINVAL,
		            "anchors and aliases are not supported");
	if (p->ev.type != YAML_SCALAR_EVENT)
		return PERR(p, -EINVAL, "%s must be a scalar", what);
	if (p->ev.data.scalar.anchor != NULL)
		return PERR(p, -EINVAL,
		            "anchors and aliases are not supported");
	t = config_tag_of((const char *)p->ev.data.scalar.tag);
	if (t != TAG_NONE && t != TAG_NONSPEC && t != TAG_STR && t != TAG_BOOL)
		return PERR(p, -EINVAL, "%s must be a plain string", what);
	return 0;
}

/* `create: true` and friends. */
static int config_attr_bool(struct config_parser *p, const char *name,
                            bool *out)
{
	const char *v = (const char *)p->ev.data.scalar.value;

	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return PERR(p, -EINVAL, "%s must be true or false, not '%s'",
		            name, v);
	return 0;
}

/* `rights:` as a preset name or a sequence of right names. */
static int config_attr_rights(struct config_parser *p,
                              struct config_resource *r)
{
	uint64_t bit;
	int rc;

	if (p->ev.type == YAML_SCALAR_EVENT) {
		const char *v = (const char *)p->ev.data.scalar.value;
		if ((rc = config_attr_scalar(p, "rights")) != 0)
			return rc;
		if (rights_preset_from_name(v, &r->preset) != 0)
			return PERR(p, -EINVAL, "unknown rights preset '%s'",
			            v);
		r->rights_kind = CONFIG_RIGHTS_PRESET;
		return 0;
	}
	if (p->ev.type != YAML_SEQUENCE_START_EVENT ||
	    p->ev.data.sequence_start.anchor != NULL ||
	    p->ev.data.sequence_start.tag != NULL)
		return PERR(p, -EINVAL,
		            "rights must be a preset name or a list of rights");
	r->rights_kind = CONFIG_RIGHTS_LIST;
	for (;;) {
		if ((rc = config_next(p)) != 0)
			return rc;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if ((rc = config_attr_scalar(p, "a right")) != 0)
			return rc;
		const char *v = (const char *)p->ev.data.scalar.value;
		if (rights_from_name(v, &bit) != 0)
			return PERR(p, -EINVAL, "unknown right '%s'", v);
		r->rights_list |= bit;
	}
}

/* Parses a socket address for its host and port (no lookup). */
int config_split_address(const char *addr, char *host, size_t hsize, char *port,
                         size_t psize)
{
	const char *colon, *h = addr;
	size_t hlen;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (close == NULL || close[1] != ':')
			return -EINVAL;
		h = addr + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL || memchr(addr, ':', (size_t)(colon - addr)))
			return -EINVAL;
		hlen = (size_t)(colon - addr);
	}
	if (hlen == 0 || hlen >= hsize || strlen(colon + 1) >= psize)
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* Checks a bind:/connect: address without resolving it. */
static int config_check_address(struct config_parser *p, const char *addr)
{
	char host[256], port[8];
	bool neg;
	uint64_t num;

	if (addr[0] == '/') {
		if (strlen(addr) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return PERR(p, -EINVAL, "UNIX socket path too long");
		return 0;
	}
	if (config_split_address(addr, host, sizeof(host), port,
	                         sizeof(port)) != 0)
		return PERR(p, -EINVAL,
		            "bad address '%s' (a /path, host:port or "
		            "[ipv6]:port)",
		            addr);
	if (port[0] < '0' || port[0] > '9' ||
	    config_parse_int(port, &neg, &num) != 0 || port[1] == 'x' ||
	    port[1] == 'o' || num > 65535)
		return PERR(p, -EINVAL, "bad port '%s' (0 to 65535)", port);
	return 0;
}

/* Stores one attribute's value (the current event) into r. */
static int config_attr_value(struct config_parser *p, enum config_attr a,
                             struct config_resource *r)
{
	const char *v = (const char *)p->ev.data.scalar.value;
	int rc;

	if (a == ATTR_RIGHTS)
		return config_attr_rights(p, r);
	if ((rc = config_attr_scalar(p, config_attr_names[a])) != 0)
		return rc;
	switch (a) {
	case ATTR_PATH:
	case ATTR_BIND:
	case ATTR_CONNECT:
		if (v[0] == '\0' || strlen(v) != p->ev.data.scalar.length)
			return PERR(p, -EINVAL, "%s must be a non-empty string",
			            config_attr_names[a]);
		if (a != ATTR_PATH && (rc = config_check_address(p, v)) != 0)
			return rc;
		r->connect = a == ATTR_CONNECT;
		/* bind: and connect: together are refused after the map. */
		free(r->path);
		r->path = strdup(v);
		return r->path ? 0 : -ENOMEM;
	case ATTR_MODE:
		if (strcmp(v, "read") == 0)
			r->mode = CONFIG_MODE_READ;
		else if (strcmp(v, "write") == 0)
			r->mode = CONFIG_MODE_WRITE;
		else if (strcmp(v, "readwrite") == 0)
			r->mode = CONFIG_MODE_READWRITE;
		else if (strcmp(v, "append") == 0)
			r->mode = CONFIG_MODE_APPEND;
		else
			return PERR(p, -EINVAL,
			            "mode must be read, write, readwrite or "
			            "append, not '%s'",
			            v);
		return 0;
	case ATTR_TYPE:
		if (strcmp(v, "stream") == 0)
			r->socktype = CONFIG_SOCK_STREAM;
		else if (strcmp(v, "dgram") == 0)
			r->socktype = CONFIG_SOCK_DGRAM;
		else if (strcmp(v, "seqpacket") == 0)
			r->socktype = CONFIG_SOCK_SEQPACKET;
		else
			return PERR(p, -EINVAL,
			            "type must be stream, dgram or seqpacket, "
			            "not '%s'",
			            v);
		return 0;
	case ATTR_CREATE:
		return config_attr_bool(p, "create", &r->create);
	case ATTR_TRUNCATE:
		return config_attr_bool(p, "truncate", &r->truncate);
	case ATTR_EXCLUSIVE:
		return config_attr_bool(p, "exclusive", &r->exclusive);
	default:
		abort(); /* every attribute is handled above */
	}
}

/* Cross-attribute checks once the whole map is read. */
static int config_attr_finish(struct config_parser *p, yaml_mark_t start,
                              struct config_resource *r, unsigned seen)
{
	if (r->kind == CONFIG_FILE) {
		if (!(seen & 1u << ATTR_PATH))
			return config_error_at(p, start, -EINVAL,
			                       "!file needs a path attribute");
		if (r->mode == CONFIG_MODE_READ && (r->create || r->truncate))
			return config_error_at(
			        p, start, -EINVAL,
			        "create and truncate need a mode that writes");
		if (r->exclusive && !r->create)
			return config_error_at(p, start, -EINVAL,
			                       "exclusive needs create: true");
		return 0;
	}
	unsigned both = 1u << ATTR_BIND | 1u << ATTR_CONNECT;
	if ((seen & both) == 0)
		return config_error_at(p, start, -EINVAL,
		                       "!socket needs a bind or connect "
		                       "attribute");
	if ((seen & both) == both)
		return config_error_at(
		        p, start, -EINVAL,
		        "!socket takes bind or connect, not both");
	return 0;
}

/* A !file or !socket mapping: attributes into a new resource. */
static int config_resource_map(struct config_parser *p, enum config_kind k,
                               struct adtree **out)
{
	unsigned allowed = k == CONFIG_FILE ? ATTRS_FILE : ATTRS_SOCKET;
	const char *kname = k == CONFIG_FILE ? "!file" : "!socket";
	yaml_mark_t start = p->ev.start_mark;
	struct config_resource *r;
	unsigned seen = 0;
	int rc;

	if ((rc = config_add_resource(p, k, &r)) != 0)
		return rc;
	for (;;) {
		if ((rc = config_next(p)) != 0)
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if ((rc = config_attr_scalar(p, "an attribute name")) != 0)
			return rc;
		const char *name = (const char *)p->ev.data.scalar.value;
		enum config_attr a = 0;
		while (a < ATTR_COUNT && strcmp(config_attr_names[a], name))
			a++;
		if (a == ATTR_COUNT || !(allowed & 1u << a))
			return PERR(p, -EINVAL, "unknown attribute '%s' of %s",
			            name, kname);
		if (seen & 1u << a)
			return PERR(p, -EINVAL, "duplicate attribute '%s'",
			            name);
		seen |= 1u << a;
		if ((rc = config_next(p)) != 0 ||
		    (rc = config_attr_value(p, a, r)) != 0)
			return rc;
		/* Attribute values are part of the node budget too. */
		if (++p->nodes > CONFIG_MAX_NODES)
			return PERR(p, -E2BIG, "more than %d nodes",
			            CONFIG_MAX_NODES);
	}
	if ((rc = config_attr_finish(p, start, r, seen)) != 0)
		return rc;
	return config_fd_node(r, -1, out);
}

/* One node of any kind, starting at the current event. */
static int config_node(struct config_parser *p, int depth, struct adtree **out)
{
	const yaml_event_t *ev = &p->ev;
	int rc;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if ((rc = config_count(p, ev->data.scalar.anchor)) != 0)
			return rc;
		return config_scalar(p, out);
	case YAML_SEQUENCE_START_EVENT:
		if ((rc = config_count(p, ev->data.sequence_start.anchor)) != 0)
			return rc;
		break;
	case YAML_MAPPING_START_EVENT:
		if ((rc = config_count(p, ev->data.mapping_start.anchor)) != 0)
			return rc;
		break;
	case YAML_ALIAS_EVENT:
		return PERR(p, -EINVAL,
		            "anchors and aliases are not supported");
	default:
		return PERR(p, -EINVAL, "unexpected YAML event");
	}
	if (depth >= CONFIG_MAX_DEPTH)
		return PERR(p, -E2BIG, "nested deeper than %d levels",
		            CONFIG_MAX_DEPTH);
	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return config_seq(p, depth, out);
	switch (config_tag_of((const char *)ev->data.mapping_start.tag)) {
	case TAG_FILE:
		return config_resource_map(p, CONFIG_FILE, out);
	case TAG_SOCKET:
		return config_resource_map(p, CONFIG_SOCKET, out);
	default:
		return config_map(p, depth, out);
	}
}

/*
 * Consumes the node at the current event without building it: anchors,
 * depth and the node budget are checked as for a built node.
 */
static int config_skip(struct config_parser *p, int depth)
{
	yaml_event_type_t end;
	int rc;

	switch (p->ev.type) {
	case YAML_SCALAR_EVENT:
		return config_count(p, p->ev.data.scalar.anchor);
	case YAML_SEQUENCE_START_EVENT:
		rc = config_count(p, p->ev.data.sequence_start.anchor);
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		rc = config_count(p, p->ev.data.mapping_start.anchor);
		end = YAML_MAPPING_END_EVENT;
		break;
	case YAML_ALIAS_EVENT:
		return PERR(p, -EINVAL,
		            "anchors and aliases are not supported");
	default:
		return PERR(p, -EINVAL, "unexpected YAML event");
	}
	if (rc != 0)
		return rc;
	if (depth >= CONFIG_MAX_DEPTH)
		return PERR(p, -E2BIG, "nested deeper than %d levels",
		            CONFIG_MAX_DEPTH);
	for (;;) {
		if ((rc = config_next(p)) != 0)
			return rc;
		if (p->ev.type == end)
			return 0;
		if ((rc = config_skip(p, depth + 1)) != 0)
			return rc;
	}
}

/*
 * The document of a config_opts.root_key parse: a mapping whose value at
 * root_key becomes the root (null when the key is absent); the other
 * values are skipped (the caller validates them).
 */
static int config_keyed_root(struct config_parser *p)
{
	const char *key = p->opts->root_key;
	bool found = false;
	int rc;

	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return PERR(p, -EINVAL, "the document must be a mapping");
	if ((rc = config_count(p, p->ev.data.mapping_start.anchor)) != 0)
		return rc;
	for (;;) {
		if ((rc = config_next(p)) != 0)
			return rc;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		bool match =
		        p->ev.type == YAML_SCALAR_EVENT &&
		        strcmp((const char *)p->ev.data.scalar.value, key) == 0;
		if (match && found)
			return PERR(p, -EINVAL, "duplicate key '%s'", key);
		if ((rc = config_skip(p, 1)) != 0 || (rc = config_next(p)) != 0)
			return rc;
		rc = match ? config_node(p, 0, &p->cfg->root)
		           : config_skip(p, 1);
		if (rc != 0)
			return rc;
		found = found || match;
	}
	if (!found && (p->cfg->root = adtree_new_null()) == NULL)
		return -ENOMEM;
	return 0;
}

/* The stream: at most one document; an empty stream is null. */
static int config_stream(struct config_parser *p)
{
	int rc;

	if ((rc = config_next(p)) != 0)
		return rc;
	if (p->ev.type != YAML_STREAM_START_EVENT)
		return PERR(p, -EINVAL, "unexpected YAML event");
	if ((rc = config_next(p)) != 0)
		return rc;
	if (p->ev.type == YAML_STREAM_END_EVENT) {
		p->cfg->root = adtree_new_null();
		return p->cfg->root ? 0 : -ENOMEM;
	}
	if ((rc = config_next(p)) != 0)
		return rc;
	if (p->opts->root_key != NULL)
		rc = config_keyed_root(p);
	else
		rc = config_node(p, 0, &p->cfg->root);
	if (rc != 0)
		return rc;
	if ((rc = config_next(p)) != 0) /* DOCUMENT_END */
		return rc;
	if ((rc = config_next(p)) != 0)
		return rc;
	if (p->ev.type != YAML_STREAM_END_EVENT)
		return PERR(p, -EINVAL, "more than one document");
	return 0;
}

int config_parse(const char *name, const void *yaml, size_t len,
                 struct config **out, struct config_error *err)
{
	return config_parse_opts(name, yaml, len, NULL, out, err);
}

int config_parse_opts(const char *name, const void *yaml, size_t len,
                      const struct config_opts *opts, struct config **out,
                      struct config_error *err)
{
	static const struct config_opts plain;
	struct config_parser p = {.err = err, .opts = opts ? opts : &plain};
	int rc = -ENOMEM;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if ((p.cfg = calloc(1, sizeof(*p.cfg))) == NULL)
		return -ENOMEM;
	if ((p.cfg->name = strdup(name)) == NULL)
		goto out;
	if (len > CONFIG_MAX_SIZE) {
		rc = -E2BIG;
		if (err != NULL)
			snprintf(err->msg, sizeof(err->msg),
			         "%s: larger than %d bytes", name,
			         CONFIG_MAX_SIZE);
		goto out;
	}
	if (!yaml_parser_initialize(&p.yp))
		goto out;
	p.input = yaml;
	p.input_len = len;
	yaml_parser_set_input_string(&p.yp, yaml, len);
	rc = config_stream(&p);
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yp);
out:
	if (rc == 0)
		*out = p.cfg;
	else
		config_free(p.cfg);
	return rc;
}

int config_parse_fd(const char *name, int fd, struct config **out,
                    struct config_error *err)
{
	size_t cap = CONFIG_MAX_SIZE + 1, len = 0;
	char *buf = malloc(cap);
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	/* Read one byte past the bound to tell "exactly at" from "over". */
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			if (err != NULL)
				snprintf(err->msg, sizeof(err->msg),
				         "%s: read: %s", name, strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = config_parse(name, buf, len, out, err);
out:
	free(buf);
	return rc;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	config_close_all(cfg);
	for (size_t i = 0; i < cfg->nres; i++)
		free(cfg->res[i].path);
	free(cfg->res);
	adtree_free(cfg->root);
	free(cfg->name);
	free(cfg);
}

const char *config_kind_name(enum config_kind kind)
{
	switch (kind) {
	case CONFIG_FD:
		return "fd";
	case CONFIG_FILE:
		return "file";
	case CONFIG_SOCKET:
		return "socket";
	case CONFIG_EXECUTABLE:
		return "executable";
	case CONFIG_LOG:
		return "log";
	}
	return "unknown";
}
