/*
 * elfload: validation and mapping of CloudABI executables (ELF64, OSABI 17,
 * ET_DYN static PIE for x86-64).
 *
 * elfload_parse() reads untrusted bytes and never trusts a length or offset it
 * has not checked; it only fills a fixed-size struct elfload_image, so the
 * mapping step acts on validated data alone. elfload_map() maps the segments of
 * a file at one random base. No relocations are applied: the program does
 * that itself (abi-contract.md).
 */
#ifndef CLOUDABI_ELFLOAD_H
#define CLOUDABI_ELFLOAD_H

#include <stddef.h>
#include <stdint.h>

#define ELFLOAD_PAGE_SIZE    4096u
#define ELFLOAD_MAX_PHDRS    64u          /* more is not a real program */
#define ELFLOAD_MAX_SPAN     (1ull << 32) /* address space one image may take */
#define ELFLOAD_MAX_TLS_SIZE (64u << 20)

struct elfload_segment {
	uint64_t vaddr;  /* p_vaddr (relative to the load base) */
	uint64_t offset; /* p_offset in the file */
	uint64_t filesz; /* bytes taken from the file */
	uint64_t memsz;  /* bytes in memory (>= filesz; rest is zero) */
	int prot;        /* PROT_READ | PROT_WRITE | PROT_EXEC, never W+X */
};

/* What elfload_parse() learned; all offsets checked against the file size. */
struct elfload_image {
	uint64_t entry; /* e_entry, inside an executable segment */
	uint64_t phoff; /* e_phoff, inside a loaded segment */
	uint16_t phnum; /* e_phnum */
	uint64_t span;  /* bytes to reserve: highest page end */
	size_t nsegments;
	struct elfload_segment segments[ELFLOAD_MAX_PHDRS];
	uint64_t tls_vaddr; /* PT_TLS, 0/0 when absent */
	uint64_t tls_memsz;
};

/*
 * Validates the ELF image in buf (the whole file, or at least its first
 * `len` bytes when file_size is larger: program headers must lie in buf).
 * Returns 0 and fills *img, or -ENOEXEC with a message of what is wrong in
 * err (always NUL-terminated).
 */
int elfload_parse(const void *buf, size_t len, uint64_t file_size,
                  struct elfload_image *img, char *err, size_t errlen);

/* A mapped image: base address and the span reserved for it. */
struct elfload_mapping {
	uint8_t *base;
	size_t span;
};

/*
 * Maps the validated image from fd at a random base chosen by the kernel:
 * the whole span is reserved first, segments are mapped over it with
 * their protections, and the .bss tail is zeroed. Returns 0, or a
 * negative errno with err filled; on failure nothing stays mapped.
 */
int elfload_map(int fd, const struct elfload_image *img,
                struct elfload_mapping *map, char *err, size_t errlen);

/* Unmaps what elfload_map() mapped. */
void elfload_unmap(struct elfload_mapping *map);

/*
 * Reads the first bytes of fd and the file size, and validates them:
 * elfload_parse() over a file. Returns 0 or a negative errno with err filled.
 */
int elfload_parse_fd(int fd, struct elfload_image *img, char *err,
                     size_t errlen);

#endif
