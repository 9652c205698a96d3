/*
 * abigen_dump.c: a canonical, prose-free text form of a parsed ABI.
 *
 * Two descriptions that differ only in their descriptions, comments or
 * column alignment give the same dump, so comparing dumps checks that the
 * project's cloudabi.txt declares exactly the reference ABI: names,
 * values, C prefixes, layouts with offsets, parameters, allowed values.
 * Declarations and values keep their file order (order is part of the ABI:
 * syscall numbers). Ownership: reads the model only; writes to `out`.
 */
#include "abigen.h"

static const char *const dkind_names[] = {
        "enum", "flags", "opaque", "alias", "struct", "function", "syscall",
};

/* Prints a type expression in the grammar's own words. */
static void dump_type(const struct abigen_type *t, FILE *out)
{
	switch (t->kind) {
	case ABIGEN_T_PTR:
		fputs("ptr ", out);
		break;
	case ABIGEN_T_CPTR:
		fputs("cptr ", out);
		break;
	case ABIGEN_T_RANGE:
		fputs("range ", out);
		break;
	case ABIGEN_T_CRANGE:
		fputs("crange ", out);
		break;
	case ABIGEN_T_ATOMIC:
		fputs("atomic ", out);
		break;
	case ABIGEN_T_ARRAY:
		fprintf(out, "array %lu ", t->count);
		break;
	default:
		fputs(t->name, out);
		return;
	}
	dump_type(t->inner, out);
}

/* Prints members one per line, nested ones deeper. */
static void dump_members(const struct abigen_member *m, int depth, FILE *out)
{
	const struct abigen_case *c;
	size_t i;

	for (; m != NULL; m = m->next) {
		fprintf(out, "%*s", depth * 2, "");
		if (m->kind == ABIGEN_M_FIELD) {
			fprintf(out,
			        "field %s @%zu size %zu align %zu: ", m->name,
			        m->offset, m->size, m->align);
			dump_type(m->type, out);
			fputc('\n', out);
		} else if (m->kind == ABIGEN_M_STRUCT) {
			fprintf(out, "struct %s @%zu size %zu align %zu\n",
			        m->name, m->offset, m->size, m->align);
			dump_members(m->members, depth + 1, out);
		} else {
			fprintf(out, "variant %s @%zu size %zu align %zu\n",
			        m->name, m->offset, m->size, m->align);
			for (c = m->cases; c != NULL; c = c->next) {
				fprintf(out, "%*scase", depth * 2 + 2, "");
				for (i = 0; i < c->ntags; i++)
					fprintf(out, " %s", c->tags[i]);
				fputc('\n', out);
				dump_members(c->body, depth + 2, out);
			}
		}
	}
}

/* Prints the parameters of one block (in or out). */
static void dump_params(const char *what, const struct abigen_param *a,
                        FILE *out)
{
	size_t i;

	for (; a != NULL; a = a->next) {
		fprintf(out, "  %s %s: ", what, a->name);
		dump_type(a->type, out);
		fputc('\n', out);
		for (i = 0; i < a->nallowed; i++)
			fprintf(out, "    allowed %s\n", a->allowed[i]);
	}
}

int abigen_dump(const struct abigen_abi *abi, FILE *out)
{
	const struct abigen_decl *d;
	const struct abigen_value *v;
	size_t nsys = 0;

	for (d = abi->decls; d != NULL; d = d->next) {
		fprintf(out, "%s %s", dkind_names[d->kind], d->name);
		if (d->inttype != NULL)
			fprintf(out, " %s prefix '%s'", d->inttype->name,
			        d->cprefix);
		if (d->kind == ABIGEN_D_STRUCT)
			fprintf(out, " size %zu align %zu", d->size, d->align);
		if (d->kind == ABIGEN_D_SYSCALL)
			fprintf(out, " number %zu", nsys++);
		fputc('\n', out);
		for (v = d->values; v != NULL; v = v->next)
			fprintf(out, "  value 0x%llx %s\n", v->num, v->name);
		dump_members(d->members, 1, out);
		dump_params("in", d->in, out);
		dump_params("out", d->out, out);
		if (d->noreturn)
			fputs("  noreturn\n", out);
	}
	fprintf(out, "syscalls %zu\n", abi->nsyscalls);
	return ferror(out) ? -1 : 0;
}
