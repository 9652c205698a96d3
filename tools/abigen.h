/*
 * abigen.h: the in-memory model of an ABI description written in the
 * cloudabi.txt grammar, shared by the parser (abigen_parse.c), the C
 * emitters (abigen_emit.c) and the canonical dump (abigen_dump.c).
 *
 * Ownership: every object of the model (and every string it points to) is
 * allocated with abigen_alloc() from one arena owned by the process;
 * abigen_free_all() releases all of it at once. Nothing is freed alone.
 */
#ifndef ABIGEN_H
#define ABIGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a type expression denotes. */
enum abigen_tkind {
	ABIGEN_T_INT,    /* builtin integer (uint8 .. int64) */
	ABIGEN_T_VOID,   /* only behind a pointer or a range */
	ABIGEN_T_CHAR,   /* a byte of text */
	ABIGEN_T_SIZE,   /* size_t */
	ABIGEN_T_DECL,   /* a named declaration of the file */
	ABIGEN_T_PTR,    /* ptr T */
	ABIGEN_T_CPTR,   /* cptr T: pointer to const */
	ABIGEN_T_RANGE,  /* range T: pointer + length */
	ABIGEN_T_CRANGE, /* crange T: pointer to const + length */
	ABIGEN_T_ATOMIC, /* atomic T */
	ABIGEN_T_ARRAY,  /* array N T */
};

struct abigen_decl;

/* A type expression; `inner` is set for the wrapping kinds. */
struct abigen_type {
	enum abigen_tkind kind;
	const char *name;          /* builtin or declaration name */
	unsigned bits;             /* ABIGEN_T_INT only */
	bool is_signed;            /* ABIGEN_T_INT only */
	struct abigen_decl *decl;  /* ABIGEN_T_DECL only */
	struct abigen_type *inner; /* wrapping kinds */
	unsigned long count;       /* ABIGEN_T_ARRAY only */
};

/* One named constant of an enum, flags or opaque type. */
struct abigen_value {
	const char *name;
	unsigned long long num;
	int line;
	struct abigen_value *next;
};

enum abigen_mkind {
	ABIGEN_M_FIELD,   /* a plain field */
	ABIGEN_M_VARIANT, /* a union selected by a tag field */
	ABIGEN_M_STRUCT,  /* a named nested struct inside a variant case */
};

struct abigen_case;

/* A member of a struct; offsets are relative to the outermost struct. */
struct abigen_member {
	enum abigen_mkind kind;
	const char *name; /* field/struct name, or the variant's tag field */
	struct abigen_type *type;      /* ABIGEN_M_FIELD */
	struct abigen_case *cases;     /* ABIGEN_M_VARIANT */
	struct abigen_member *members; /* ABIGEN_M_STRUCT */
	size_t offset, size, align;    /* computed by the parser */
	int line;
	struct abigen_member *next;
};

/* One arm of a variant: the tag values selecting it and its body. */
struct abigen_case {
	const char **tags;
	size_t ntags;
	struct abigen_member *body; /* a FIELD or a STRUCT member */
	struct abigen_case *next;
};

/* A parameter of a function or a syscall. */
struct abigen_param {
	const char *name;
	struct abigen_type *type;
	const char **allowed; /* value names the parameter may take */
	size_t nallowed;
	struct abigen_param *next;
};

enum abigen_dkind {
	ABIGEN_D_ENUM,
	ABIGEN_D_FLAGS,
	ABIGEN_D_OPAQUE,
	ABIGEN_D_ALIAS,
	ABIGEN_D_STRUCT,
	ABIGEN_D_FUNCTION,
	ABIGEN_D_SYSCALL,
};

/* A top-level declaration. */
struct abigen_decl {
	enum abigen_dkind kind;
	const char *name;
	int line;
	struct abigen_type *inttype;   /* enum, flags, opaque, alias */
	const char *cprefix;           /* constant prefix, already resolved */
	struct abigen_value *values;   /* enum, flags, opaque */
	struct abigen_member *members; /* struct */
	size_t size, align;            /* struct */
	struct abigen_param *in;       /* function, syscall */
	struct abigen_param *out;      /* syscall */
	bool noreturn;                 /* syscall */
	struct abigen_decl *next;
};

/* A whole ABI description, declarations in file order. */
struct abigen_abi {
	struct abigen_decl *decls;
	size_t nsyscalls;
};

/* Allocates zeroed memory from the arena; exits on exhaustion. */
void *abigen_alloc(size_t size);
/* Copies a string of `len` bytes into the arena. */
char *abigen_strndup(const char *s, size_t len);
/* Frees everything ever returned by abigen_alloc(). */
void abigen_free_all(void);

/* Parses `path`; on error prints "path:line: what" and returns -EINVAL. */
int abigen_parse(const char *path, struct abigen_abi *abi);

/* Computes size and alignment of a type on x86-64; 0 or -EINVAL. */
int abigen_type_layout(const struct abigen_type *t, size_t *size,
                       size_t *align);

/* Writes the canonical prose-free dump of `abi` to `out`. */
int abigen_dump(const struct abigen_abi *abi, FILE *out);

/* Writes the generated C files into directory `outdir`; 0 or -errno. */
int abigen_emit(const struct abigen_abi *abi, const char *outdir);

#endif
