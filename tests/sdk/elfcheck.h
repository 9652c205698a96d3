/*
 * elfcheck.h: checks that an ELF image has the shape of a CloudABI program
 * built by the SDK (docs/sdk.md): the original toolchain's layout, which is
 * stricter than what a runtime has to accept.
 *
 * The image is borrowed and only read; nothing is allocated.
 */
#ifndef ELFCHECK_H
#define ELFCHECK_H

#include <stddef.h>
#include <stdint.h>

/* What a successful check found, for callers that want more assertions. */
struct elfcheck_info {
	size_t nrelocs; /* dynamic relocations (all R_X86_64_RELATIVE) */
	size_t nloads;  /* PT_LOAD segments */
	int has_tls;    /* a PT_TLS header is present */
	int has_relro;  /* a PT_GNU_RELRO header is present */
	uint64_t entry; /* e_entry, which is also _start's value */
};

/* Checks img[0..len). Returns 0, or -EINVAL with a one-line reason in
 * err[0..errlen) (always NUL-terminated when errlen > 0). */
int elfcheck_image(const uint8_t *img, size_t len, struct elfcheck_info *info,
                   char *err, size_t errlen);

#endif
