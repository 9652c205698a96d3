/*
 * abigen_parse.c: reads an ABI description in the cloudabi.txt grammar.
 *
 * Two passes: the text is first cut into a tree of lines by their tab
 * indentation (descriptions and comments dropped), then each top-level
 * node is checked and turned into the model of abigen.h, with struct
 * layouts computed for x86-64. The first error stops the parse and is
 * printed as "file:line: what is wrong".
 *
 * Ownership: the tree and the model live in the abigen arena; the input
 * file is read whole and closed before returning.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abigen.h"

#define MAX_DEPTH  16
#define MAX_TOKENS 16

/* One meaningful line of the input and the lines indented beneath it. */
struct node {
	int line;
	int depth;
	char *tok[MAX_TOKENS];
	int ntok;
	struct node *child, *last, *next;
};

struct parser {
	const char *path;
	struct abigen_abi *abi;
	struct abigen_decl **tail;
};

/* Builtin type names and their integer properties (bits 0 = not int). */
static const struct {
	const char *name;
	enum abigen_tkind kind;
	unsigned bits;
	bool is_signed;
} builtins[] = {
        {"uint8", ABIGEN_T_INT, 8, false},
        {"uint16", ABIGEN_T_INT, 16, false},
        {"uint32", ABIGEN_T_INT, 32, false},
        {"uint64", ABIGEN_T_INT, 64, false},
        {"int8", ABIGEN_T_INT, 8, true},
        {"int16", ABIGEN_T_INT, 16, true},
        {"int32", ABIGEN_T_INT, 32, true},
        {"int64", ABIGEN_T_INT, 64, true},
        {"void", ABIGEN_T_VOID, 0, false},
        {"char", ABIGEN_T_CHAR, 8, false},
        {"size", ABIGEN_T_SIZE, 64, false},
};

/* Prints "file:line: message" and returns -EINVAL for the caller. */
static int perr(const struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", p->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

/* Names are identifiers; value names may start with a digit (2big). */
static bool valid_name(const char *s, bool digit_first)
{
	if (*s == '\0' || (!digit_first && isdigit((unsigned char)*s)))
		return false;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Parses a decimal or 0x-hexadecimal unsigned number, nothing else. */
static bool parse_number(const char *s, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return false;
	/* strtoull's base 0 reads a leading 0 as octal: refuse that. */
	return !(s[0] == '0' && isdigit((unsigned char)s[1]));
}

/* Splits one line (without its tabs) into space-separated tokens. */
static int tokenize(const struct parser *p, struct node *n, char *s)
{
	while (*s != '\0') {
		size_t len;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		len = strcspn(s, " \t");
		if (n->ntok == MAX_TOKENS)
			return perr(p, n->line, "too many words on one line");
		n->tok[n->ntok++] = abigen_strndup(s, len);
		s += len;
	}
	return 0;
}

/* Adds a line at `depth` below the last line one level up. */
static int tree_add(const struct parser *p, struct node **stack, int *top,
                    int line, int depth, char *text)
{
	struct node *n, *parent;

	if (depth > *top + 1)
		return perr(p, line, "bad indentation: %d tabs after %d", depth,
		            *top < 0 ? 0 : *top);
	if (depth >= MAX_DEPTH)
		return perr(p, line, "nesting too deep");
	n = abigen_alloc(sizeof(*n));
	n->line = line;
	n->depth = depth;
	if (tokenize(p, n, text) != 0)
		return -EINVAL;
	parent = stack[depth];
	if (parent->last != NULL)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	stack[depth + 1] = n;
	*top = depth;
	return 0;
}

/* Cuts the text into the line tree rooted at `root`. */
static int build_tree(const struct parser *p, char *text, struct node *root)
{
	struct node *stack[MAX_DEPTH + 1] = {root};
	int top = -1, line = 0;
	char *s = text;

	while (*s != '\0') {
		char *eol = strchr(s, '\n'), *body = s;
		int depth = 0;

		line++;
		if (eol != NULL)
			*eol = '\0';
		while (*body == '\t')
			body++, depth++;
		if (strchr(body, '\r') != NULL)
			return perr(p, line, "carriage return in line");
		if (*body == ' ')
			return perr(p, line, "bad indentation: spaces");
		if (*body == '|') {
			if (depth > top + 1)
				return perr(p, line,
				            "bad indentation of description");
		} else if (*body != '\0' && *body != '#') {
			if (tree_add(p, stack, &top, line, depth, body) != 0)
				return -EINVAL;
		}
		if (eol == NULL)
			break;
		s = eol + 1;
	}
	return 0;
}

/* Finds an earlier declaration by name. */
static struct abigen_decl *find_decl(const struct parser *p, const char *name)
{
	struct abigen_decl *d;

	for (d = p->abi->decls; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* Finds a value of an enum/flags/opaque declaration by name. */
static struct abigen_value *find_value(const struct abigen_decl *d,
                                       const char *name)
{
	struct abigen_value *v;

	for (v = d->values; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* Resolves a builtin or declared type name. */
static int named_type(const struct parser *p, int line, const char *name,
                      struct abigen_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(builtins[i].name, name) == 0) {
			t->kind = builtins[i].kind;
			t->name = builtins[i].name;
			t->bits = builtins[i].bits;
			t->is_signed = builtins[i].is_signed;
			return 0;
		}
	}
	t->decl = find_decl(p, name);
	if (t->decl == NULL || t->decl->kind == ABIGEN_D_SYSCALL)
		return perr(p, line, "unknown type '%s'", name);
	t->kind = ABIGEN_T_DECL;
	t->name = t->decl->name;
	return 0;
}

/* Whether a type is an integer (for atomic and allowed values). */
static bool is_integer(const struct abigen_type *t)
{
	if (t->kind == ABIGEN_T_INT || t->kind == ABIGEN_T_SIZE)
		return true;
	return t->kind == ABIGEN_T_DECL && t->decl->inttype != NULL;
}

/* Parses tokens tok[*i..n) as one type expression. */
static int parse_type(const struct parser *p, int line, char *const *tok, int n,
                      int *i, struct abigen_type **out)
{
	struct abigen_type *t = abigen_alloc(sizeof(*t));
	const char *w;

	if (*i >= n)
		return perr(p, line, "missing type");
	w = tok[(*i)++];
	*out = t;
	if (strcmp(w, "array") == 0) {
		unsigned long long count;

		if (*i >= n || !parse_number(tok[*i], &count) || count == 0 ||
		    count > 65536)
			return perr(p, line, "bad array length");
		(*i)++;
		t->kind = ABIGEN_T_ARRAY;
		t->count = (unsigned long)count;
	} else if (strcmp(w, "ptr") == 0) {
		t->kind = ABIGEN_T_PTR;
	} else if (strcmp(w, "cptr") == 0) {
		t->kind = ABIGEN_T_CPTR;
	} else if (strcmp(w, "range") == 0) {
		t->kind = ABIGEN_T_RANGE;
	} else if (strcmp(w, "crange") == 0) {
		t->kind = ABIGEN_T_CRANGE;
	} else if (strcmp(w, "atomic") == 0) {
		t->kind = ABIGEN_T_ATOMIC;
	} else {
		return named_type(p, line, w, t);
	}
	if (parse_type(p, line, tok, n, i, &t->inner) != 0)
		return -EINVAL;
	if (t->kind == ABIGEN_T_ATOMIC && !is_integer(t->inner))
		return perr(p, line, "atomic needs an integer type");
	return 0;
}

/* Parses "TYPE... NAME" of a field or parameter line. */
static int parse_typed_name(const struct parser *p, const struct node *n,
                            struct abigen_type **type, const char **name)
{
	int i = 0;

	if (n->ntok < 2)
		return perr(p, n->line, "expected a type and a name");
	if (parse_type(p, n->line, n->tok, n->ntok - 1, &i, type) != 0)
		return -EINVAL;
	if (i != n->ntok - 1)
		return perr(p, n->line, "unexpected '%s' after type",
		            n->tok[i]);
	*name = n->tok[n->ntok - 1];
	if (!valid_name(*name, false))
		return perr(p, n->line, "bad name '%s'", *name);
	return 0;
}

int abigen_type_layout(const struct abigen_type *t, size_t *size, size_t *align)
{
	switch (t->kind) {
	case ABIGEN_T_INT:
	case ABIGEN_T_CHAR:
	case ABIGEN_T_SIZE:
		*size = *align = t->bits / 8;
		return 0;
	case ABIGEN_T_VOID:
		return -EINVAL;
	case ABIGEN_T_DECL:
		if (t->decl->kind == ABIGEN_D_STRUCT) {
			*size = t->decl->size;
			*align = t->decl->align;
			return 0;
		}
		if (t->decl->inttype == NULL)
			return -EINVAL; /* a function type */
		return abigen_type_layout(t->decl->inttype, size, align);
	case ABIGEN_T_PTR:
	case ABIGEN_T_CPTR:
		*size = *align = 8;
		return 0;
	case ABIGEN_T_RANGE:
	case ABIGEN_T_CRANGE:
		*size = 16; /* pointer, then size_t length */
		*align = 8;
		return 0;
	case ABIGEN_T_ATOMIC:
		return abigen_type_layout(t->inner, size, align);
	case ABIGEN_T_ARRAY:
		if (abigen_type_layout(t->inner, size, align) != 0)
			return -EINVAL;
		*size *= t->count;
		return 0;
	}
	return -EINVAL;
}

/* Where `name` may not repeat: names of one C scope. */
struct scope {
	const char *names[64];
	int n;
};

/* Records a member name, refusing one already in the scope. */
static int scope_add(const struct parser *p, struct scope *s, int line,
                     const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return perr(p, line, "duplicate name '%s'", name);
	if (s->n == 64)
		return perr(p, line, "too many members");
	s->names[s->n++] = name;
	return 0;
}

static int parse_members(const struct parser *p, const struct node *first,
                         struct scope *sc, struct abigen_member **list,
                         size_t *size, size_t *align);

/* Rounds `v` up to a multiple of `a` (a power of two). */
static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Parses one variant arm: tag names, then one field or nested struct. */
static int parse_case(const struct parser *p, const struct node *n,
                      const struct abigen_decl *tagtype, struct scope *sc,
                      struct abigen_case **out)
{
	struct abigen_case *c = abigen_alloc(sizeof(*c));
	const struct node *b = n->child;
	struct abigen_member *m;
	int i;

	*out = c;
	c->tags = abigen_alloc(sizeof(char *) * (size_t)n->ntok);
	for (i = 0; i < n->ntok; i++) {
		if (find_value(tagtype, n->tok[i]) == NULL)
			return perr(p, n->line, "'%s' is not a value of %s",
			            n->tok[i], tagtype->name);
		c->tags[c->ntags++] = n->tok[i];
	}
	if (b == NULL || b->next != NULL)
		return perr(p, n->line,
		            "variant case needs exactly one member");
	if (strcmp(b->tok[0], "struct") != 0)
		return parse_members(p, b, sc, &c->body, NULL, NULL);
	if (b->ntok != 2 || !valid_name(b->tok[1], false))
		return perr(p, b->line, "expected 'struct NAME'");
	if (scope_add(p, sc, b->line, b->tok[1]) != 0)
		return -EINVAL;
	m = abigen_alloc(sizeof(*m));
	m->kind = ABIGEN_M_STRUCT;
	m->name = b->tok[1];
	m->line = b->line;
	c->body = m;
	if (b->child == NULL)
		return perr(p, b->line, "empty struct");
	/* The nested struct's members are their own C scope. */
	struct scope inner = {.n = 0};
	return parse_members(p, b->child, &inner, &m->members, &m->size,
	                     &m->align);
}

/* Parses "variant TAG" whose tag is an earlier field of an enum type. */
static int parse_variant(const struct parser *p, const struct node *n,
                         const struct abigen_member *earlier, struct scope *sc,
                         struct abigen_member *m)
{
	const struct abigen_member *tag;
	struct abigen_case **tail = &m->cases;
	const struct node *c;

	if (n->ntok != 2)
		return perr(p, n->line, "expected 'variant TAGFIELD'");
	for (tag = earlier; tag != NULL; tag = tag->next)
		if (tag->kind == ABIGEN_M_FIELD &&
		    strcmp(tag->name, n->tok[1]) == 0)
			break;
	if (tag == NULL || tag->type->kind != ABIGEN_T_DECL ||
	    tag->type->decl->values == NULL)
		return perr(p, n->line, "variant tag '%s' is not an enum field",
		            n->tok[1]);
	m->kind = ABIGEN_M_VARIANT;
	m->name = n->tok[1];
	if (n->child == NULL)
		return perr(p, n->line, "variant without cases");
	m->align = 1;
	for (c = n->child; c != NULL; c = c->next) {
		const struct abigen_member *b;

		if (parse_case(p, c, tag->type->decl, sc, tail) != 0)
			return -EINVAL;
		b = (*tail)->body;
		if (b->align > m->align)
			m->align = b->align;
		if (b->size > m->size)
			m->size = b->size;
		tail = &(*tail)->next;
	}
	m->size = align_up(m->size, m->align);
	return 0;
}

/* Parses one member line into `m`, laid out from offset 0. */
static int parse_member(const struct parser *p, const struct node *n,
                        const struct abigen_member *earlier, struct scope *sc,
                        struct abigen_member *m)
{
	if (strcmp(n->tok[0], "variant") == 0)
		return parse_variant(p, n, earlier, sc, m);
	m->kind = ABIGEN_M_FIELD;
	if (parse_typed_name(p, n, &m->type, &m->name) != 0)
		return -EINVAL;
	if (n->child != NULL)
		return perr(p, n->child->line, "unexpected line under field");
	if (abigen_type_layout(m->type, &m->size, &m->align) != 0)
		return perr(p, n->line, "type of '%s' has no size", m->name);
	return scope_add(p, sc, n->line, m->name);
}

/* Adds `delta` to the offsets of a member and everything inside it. */
static void shift_member(struct abigen_member *m, size_t delta)
{
	struct abigen_member *c;
	struct abigen_case *k;

	m->offset += delta;
	for (c = m->members; c != NULL; c = c->next)
		shift_member(c, delta);
	for (k = m->cases; k != NULL; k = k->next)
		shift_member(k->body, delta);
}

/*
 * Parses the member lines starting at `first` (and its siblings, unless
 * size is NULL: then only `first`), laying them out from offset 0.
 */
static int parse_members(const struct parser *p, const struct node *first,
                         struct scope *sc, struct abigen_member **list,
                         size_t *size, size_t *align)
{
	struct abigen_member **tail = list;
	size_t off = 0, al = 1;
	const struct node *n;

	for (n = first; n != NULL; n = size != NULL ? n->next : NULL) {
		struct abigen_member *m = abigen_alloc(sizeof(*m));

		m->line = n->line;
		if (parse_member(p, n, *list, sc, m) != 0)
			return -EINVAL;
		/* Members were laid out from 0; move them in place. */
		shift_member(m, align_up(off, m->align));
		off = m->offset + m->size;
		if (m->align > al)
			al = m->align;
		*tail = m;
		tail = &m->next;
	}
	if (size != NULL) {
		*align = al;
		*size = align_up(off, al);
	}
	return 0;
}

/* Parses the value lines and @cprefix of enum/flags/opaque/alias. */
static int parse_values(const struct parser *p, const struct node *n,
                        struct abigen_decl *d)
{
	struct abigen_value **tail = &d->values;
	const struct node *c;
	bool have_prefix = false;

	for (c = n->child; c != NULL; c = c->next) {
		struct abigen_value *v;

		if (c->child != NULL)
			return perr(p, c->child->line, "unexpected line");
		if (strcmp(c->tok[0], "@cprefix") == 0) {
			if (have_prefix || c->ntok > 2)
				return perr(p, c->line, "bad @cprefix");
			have_prefix = true;
			d->cprefix = c->ntok == 2 ? c->tok[1] : "";
			continue;
		}
		if (d->kind == ABIGEN_D_ALIAS)
			return perr(p, c->line, "alias cannot have values");
		if (c->ntok != 2)
			return perr(p, c->line, "expected 'NUMBER NAME'");
		v = abigen_alloc(sizeof(*v));
		v->line = c->line;
		v->name = c->tok[1];
		if (!parse_number(c->tok[0], &v->num))
			return perr(p, c->line, "bad number '%s'", c->tok[0]);
		if (d->inttype->bits < 64 && v->num >> d->inttype->bits != 0)
			return perr(p, c->line, "value does not fit in %s",
			            d->inttype->name);
		if (!valid_name(v->name, true))
			return perr(p, c->line, "bad name '%s'", v->name);
		if (find_value(d, v->name) != NULL)
			return perr(p, c->line, "duplicate name '%s'", v->name);
		*tail = v;
		tail = &v->next;
	}
	return 0;
}

/* Turns the resolved C prefix into upper case with the default rule. */
static void resolve_prefix(struct abigen_decl *d)
{
	char *s;
	size_t i, len;

	if (d->cprefix != NULL)
		return;
	len = strlen(d->name);
	s = abigen_alloc(len + 2);
	for (i = 0; i < len; i++)
		s[i] = (char)toupper((unsigned char)d->name[i]);
	s[len] = '_';
	d->cprefix = s;
}

/* Parses "enum|flags|opaque|alias INTTYPE NAME" and its values. */
static int parse_inttype_decl(const struct parser *p, const struct node *n,
                              struct abigen_decl *d)
{
	struct abigen_type *t = abigen_alloc(sizeof(*t));

	if (n->ntok != 3)
		return perr(p, n->line, "expected '%s INTTYPE NAME'",
		            n->tok[0]);
	if (named_type(p, n->line, n->tok[1], t) != 0)
		return -EINVAL;
	if (t->kind != ABIGEN_T_INT)
		return perr(p, n->line, "'%s' is not an integer type",
		            n->tok[1]);
	d->inttype = t;
	d->name = n->tok[2];
	if (parse_values(p, n, d) != 0)
		return -EINVAL;
	resolve_prefix(d);
	return 0;
}

/* Parses the allowed-value lines under a parameter. */
static int parse_allowed(const struct parser *p, const struct node *n,
                         struct abigen_param *a)
{
	const struct node *c;
	size_t count = 0;
	int i;

	for (c = n->child; c != NULL; c = c->next)
		count += (size_t)c->ntok;
	if (count == 0)
		return 0;
	if (a->type->kind != ABIGEN_T_DECL || a->type->decl->values == NULL)
		return perr(p, n->child->line, "'%s' has no values to allow",
		            a->name);
	a->allowed = abigen_alloc(sizeof(char *) * count);
	for (c = n->child; c != NULL; c = c->next) {
		if (c->child != NULL)
			return perr(p, c->child->line, "unexpected line");
		for (i = 0; i < c->ntok; i++) {
			if (find_value(a->type->decl, c->tok[i]) == NULL)
				return perr(p, c->line,
				            "'%s' is not a value of %s",
				            c->tok[i], a->type->decl->name);
			a->allowed[a->nallowed++] = c->tok[i];
		}
	}
	return 0;
}

/* Parses the parameter lines of an "in" or "out" block. */
static int parse_params(const struct parser *p, const struct node *n,
                        struct scope *sc, struct abigen_param **list)
{
	struct abigen_param **tail = list;
	const struct node *c;

	if (n->ntok != 1)
		return perr(p, n->line, "unexpected '%s'", n->tok[1]);
	for (c = n->child; c != NULL; c = c->next) {
		struct abigen_param *a = abigen_alloc(sizeof(*a));
		size_t size, align;

		if (parse_typed_name(p, c, &a->type, &a->name) != 0)
			return -EINVAL;
		if (scope_add(p, sc, c->line, a->name) != 0)
			return -EINVAL;
		if (a->type->kind != ABIGEN_T_RANGE &&
		    a->type->kind != ABIGEN_T_CRANGE &&
		    abigen_type_layout(a->type, &size, &align) != 0)
			return perr(p, c->line, "type of '%s' has no size",
			            a->name);
		if (parse_allowed(p, c, a) != 0)
			return -EINVAL;
		*tail = a;
		tail = &a->next;
	}
	return 0;
}

/* Outputs are single objects written through one pointer each. */
static int check_outputs(const struct parser *p, const struct node *n,
                         const struct abigen_param *a)
{
	const struct node *c = n->child;

	for (; a != NULL; a = a->next, c = c->next)
		if (a->type->kind == ABIGEN_T_RANGE ||
		    a->type->kind == ABIGEN_T_CRANGE || a->nallowed != 0)
			return perr(p, c->line,
			            "output '%s' must be a plain type",
			            a->name);
	return 0;
}

/* Parses the in/out/noreturn blocks of a function or syscall. */
static int parse_callable(const struct parser *p, const struct node *n,
                          struct abigen_decl *d)
{
	const struct node *c;
	struct scope sc = {.n = 0};
	int stage = 0; /* blocks must come in the order in, out, noreturn */

	if (n->ntok != 2)
		return perr(p, n->line, "expected '%s NAME'", n->tok[0]);
	d->name = n->tok[1];
	for (c = n->child; c != NULL; c = c->next) {
		int rc;

		if (strcmp(c->tok[0], "in") == 0 && stage < 1) {
			stage = 1;
			rc = parse_params(p, c, &sc, &d->in);
		} else if (strcmp(c->tok[0], "out") == 0 && stage < 2 &&
		           d->kind == ABIGEN_D_SYSCALL) {
			stage = 2;
			rc = parse_params(p, c, &sc, &d->out);
			if (rc == 0)
				rc = check_outputs(p, c, d->out);
		} else if (strcmp(c->tok[0], "noreturn") == 0 && stage < 3 &&
		           d->kind == ABIGEN_D_SYSCALL && c->ntok == 1 &&
		           c->child == NULL) {
			stage = 3;
			d->noreturn = true;
			rc = 0;
		} else {
			rc = perr(p, c->line, "unexpected '%s'", c->tok[0]);
		}
		if (rc != 0)
			return rc;
	}
	if (d->noreturn && d->out != NULL)
		return perr(p, n->line, "noreturn syscall with outputs");
	return 0;
}

/* Parses "struct NAME" and lays it out. */
static int parse_struct(const struct parser *p, const struct node *n,
                        struct abigen_decl *d)
{
	struct scope sc = {.n = 0};

	if (n->ntok != 2)
		return perr(p, n->line, "expected 'struct NAME'");
	d->name = n->tok[1];
	if (n->child == NULL)
		return perr(p, n->line, "empty struct");
	return parse_members(p, n->child, &sc, &d->members, &d->size,
	                     &d->align);
}

/* Parses one top-level declaration and appends it to the model. */
static int parse_decl(struct parser *p, const struct node *n)
{
	static const char *const kw[] = {"enum",   "flags",  "opaque",
	                                 "alias",  "struct", "function",
	                                 "syscall"};
	struct abigen_decl *d = abigen_alloc(sizeof(*d));
	size_t k;
	int rc;

	for (k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
		if (strcmp(n->tok[0], kw[k]) == 0)
			break;
	if (k == sizeof(kw) / sizeof(kw[0]))
		return perr(p, n->line, "unknown keyword '%s'", n->tok[0]);
	d->kind = (enum abigen_dkind)k;
	d->line = n->line;
	if (d->kind <= ABIGEN_D_ALIAS)
		rc = parse_inttype_decl(p, n, d);
	else if (d->kind == ABIGEN_D_STRUCT)
		rc = parse_struct(p, n, d);
	else
		rc = parse_callable(p, n, d);
	if (rc != 0)
		return rc;
	if (!valid_name(d->name, false))
		return perr(p, n->line, "bad name '%s'", d->name);
	if (find_decl(p, d->name) != NULL)
		return perr(p, n->line, "duplicate name '%s'", d->name);
	if (d->kind == ABIGEN_D_SYSCALL)
		p->abi->nsyscalls++;
	*p->tail = d;
	p->tail = &d->next;
	return 0;
}

/* Reads a whole file into an arena string. */
static int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	do {
		if (cap - len < 4096) {
			char *bigger = abigen_alloc(cap * 2 + 4096 + 1);

			if (buf != NULL)
				memcpy(bigger, buf, len);
			buf = bigger;
			cap = cap * 2 + 4096;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		rc = -EIO;
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		fprintf(stderr, "%s: NUL byte in file\n", path);
		rc = -EINVAL;
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
out:
	fclose(f);
	return rc;
}

int abigen_parse(const char *path, struct abigen_abi *abi)
{
	struct parser p = {.path = path, .abi = abi, .tail = &abi->decls};
	struct node *root = abigen_alloc(sizeof(*root));
	const struct node *n;
	char *text;
	int rc;

	abi->decls = NULL;
	abi->nsyscalls = 0;
	rc = read_file(path, &text);
	if (rc != 0)
		return rc;
	if (build_tree(&p, text, root) != 0)
		return -EINVAL;
	for (n = root->child; n != NULL; n = n->next)
		if (parse_decl(&p, n) != 0)
			return -EINVAL;
	return 0;
}
