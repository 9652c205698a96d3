/*
 * vdso: the in-memory ELF image a CloudABI program binds its system calls
 * from (AT_SYSINFO_EHDR).
 *
 * The image has an ELF header, a PT_LOAD and a PT_DYNAMIC header, a
 * dynamic section with a classic SysV DT_HASH (programs use its nchain as
 * the symbol count), and one global function symbol cloudabi_sys_<name>
 * per system call the runtime serves. A symbol's value is the distance
 * from the image to the runtime's entry point: it points outside the
 * image, straight into runtime code, which the contract allows.
 *
 * Ownership: the image is an anonymous read-only mapping owned by the
 * caller until vdso_destroy().
 */
#ifndef CLOUDABI_VDSO_H
#define CLOUDABI_VDSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vdso {
	uint8_t *image;
	size_t size;
};

/*
 * Builds the image with a symbol "cloudabi_sys_" + names[i] at entries[i]
 * for each i < n where present[i] is true. Returns 0 or a negative errno.
 */
int vdso_create(struct vdso *v, const char *const *names,
                const uint64_t *entries, const bool *present, size_t n);

/* Unmaps the image. */
void vdso_destroy(struct vdso *v);

/* The classic SysV ELF hash of a symbol name (DT_HASH). */
uint32_t vdso_elf_hash(const char *name);

#endif
