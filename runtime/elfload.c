/*
 * elfload: validation and mapping of CloudABI executables. See elfload.h.
 *
 * The checks follow abi-contract.md: ELF64 little-endian x86-64, OSABI 17,
 * ET_DYN linked at 0, no interpreter, PT_LOAD segments congruent to their
 * file offsets modulo the page size (page-aligned ones are a special case),
 * ascending and not sharing a page, inside the file, never writable and
 * executable at once.
 */
#include "elfload.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELFOSABI_CLOUDABI_VALUE 17

/* Formats a rejection message and returns -ENOEXEC. */
static int elfload_reject(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int elfload_reject(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

static uint64_t page_down(uint64_t v)
{
	return v & ~(uint64_t)(ELFLOAD_PAGE_SIZE - 1);
}

/* Rounds up; the caller has bounded v far below UINT64_MAX. */
static uint64_t page_up(uint64_t v)
{
	return page_down(v + ELFLOAD_PAGE_SIZE - 1);
}

/* Checks the file header; fills entry, phoff and phnum. */
static int elfload_check_header(const Elf64_Ehdr *eh, size_t len,
                                struct elfload_image *img, char *err,
                                size_t errlen)
{
	if (len < sizeof(*eh))
		return elfload_reject(
		        err, errlen,
		        "file too short for an ELF header (%zu bytes)", len);
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return elfload_reject(err, errlen,
		                      "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elfload_reject(err, errlen, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elfload_reject(err, errlen,
		                      "not a little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return elfload_reject(err, errlen, "unknown ELF version");
	if (eh->e_ident[EI_OSABI] != ELFOSABI_CLOUDABI_VALUE)
		return elfload_reject(
		        err, errlen,
		        "not a CloudABI executable (OSABI %u, expected 17)",
		        eh->e_ident[EI_OSABI]);
	if (eh->e_machine != EM_X86_64)
		return elfload_reject(err, errlen,
		                      "not an x86-64 executable (machine %u)",
		                      eh->e_machine);
	if (eh->e_type != ET_DYN)
		return elfload_reject(
		        err, errlen,
		        "not a position-independent executable (type "
		        "%u, expected ET_DYN)",
		        eh->e_type);
	if (eh->e_ehsize != sizeof(Elf64_Ehdr))
		return elfload_reject(err, errlen, "bad ELF header size %u",
		                      eh->e_ehsize);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return elfload_reject(err, errlen, "bad program header size %u",
		                      eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > ELFLOAD_MAX_PHDRS)
		return elfload_reject(err, errlen,
		                      "bad number of program headers (%u)",
		                      eh->e_phnum);
	if (eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return elfload_reject(
		        err, errlen,
		        "program headers lie past the end of the file");
	if (eh->e_phoff % 8 != 0)
		return elfload_reject(err, errlen,
		                      "program headers are misaligned");
	img->entry = eh->e_entry;
	img->phoff = eh->e_phoff;
	img->phnum = eh->e_phnum;
	return 0;
}

/* Checks one PT_LOAD header against the file and the previous segment. */
static int elfload_check_load(const Elf64_Phdr *ph, unsigned idx,
                              uint64_t file_size, uint64_t prev_end, char *err,
                              size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return elfload_reject(
		        err, errlen,
		        "segment %u: file size exceeds memory size", idx);
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return elfload_reject(
		        err, errlen,
		        "segment %u: extends past the end of the file", idx);
	if (ph->p_vaddr > ELFLOAD_MAX_SPAN ||
	    ph->p_memsz > ELFLOAD_MAX_SPAN - ph->p_vaddr)
		return elfload_reject(err, errlen,
		                      "segment %u: address range too large",
		                      idx);
	if (ph->p_vaddr % ELFLOAD_PAGE_SIZE != ph->p_offset % ELFLOAD_PAGE_SIZE)
		return elfload_reject(err, errlen,
		                      "segment %u: address and file offset not "
		                      "congruent modulo the page size",
		                      idx);
	if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)) != 0)
		return elfload_reject(
		        err, errlen, "segment %u: alignment not a power of two",
		        idx);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return elfload_reject(err, errlen,
		                      "segment %u: writable and executable",
		                      idx);
	if (ph->p_memsz == 0)
		return elfload_reject(err, errlen, "segment %u: empty", idx);
	if (page_down(ph->p_vaddr) < prev_end)
		return elfload_reject(
		        err, errlen,
		        "segment %u: overlaps or shares a page with "
		        "the previous segment",
		        idx);
	return 0;
}

static int elfload_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) |
	       ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* True when [addr, addr+len) lies inside a segment with all of prot. */
static bool elfload_covered(const struct elfload_image *img, uint64_t addr,
                            uint64_t len, int prot)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct elfload_segment *s = &img->segments[i];
		if (addr >= s->vaddr && len <= s->memsz &&
		    addr - s->vaddr <= s->memsz - len &&
		    (s->prot & prot) == prot)
			return true;
	}
	return false;
}

/* Walks the program headers; fills the segment list and TLS. */
static int elfload_check_phdrs(const Elf64_Phdr *ph, struct elfload_image *img,
                               uint64_t file_size, char *err, size_t errlen)
{
	uint64_t prev_end = 0;
	int rc;

	for (unsigned i = 0; i < img->phnum; i++) {
		switch (ph[i].p_type) {
		case PT_INTERP:
			return elfload_reject(
			        err, errlen,
			        "has an interpreter (PT_INTERP): not "
			        "a static executable");
		case PT_TLS:
			if (ph[i].p_memsz > ELFLOAD_MAX_TLS_SIZE ||
			    ph[i].p_filesz > ph[i].p_memsz)
				return elfload_reject(err, errlen,
				                      "bad PT_TLS sizes");
			img->tls_vaddr = ph[i].p_vaddr;
			img->tls_memsz = ph[i].p_memsz;
			break;
		case PT_LOAD:
			rc = elfload_check_load(&ph[i], i, file_size, prev_end,
			                        err, errlen);
			if (rc != 0)
				return rc;
			img->segments[img->nsegments++] =
			        (struct elfload_segment){
			                .vaddr = ph[i].p_vaddr,
			                .offset = ph[i].p_offset,
			                .filesz = ph[i].p_filesz,
			                .memsz = ph[i].p_memsz,
			                .prot = elfload_prot(ph[i].p_flags),
			        };
			prev_end = page_up(ph[i].p_vaddr + ph[i].p_memsz);
			break;
		default:
			/* PT_DYNAMIC, PT_GNU_RELRO, PT_NOTE...: the program's.
			 */
			break;
		}
	}
	if (img->nsegments == 0)
		return elfload_reject(err, errlen, "no loadable segments");
	if (page_down(img->segments[0].vaddr) != 0)
		return elfload_reject(
		        err, errlen,
		        "not linked at address 0 (first segment at %#llx)",
		        (unsigned long long)img->segments[0].vaddr);
	img->span = prev_end;
	return 0;
}

int elfload_parse(const void *buf, size_t len, uint64_t file_size,
                  struct elfload_image *img, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[ELFLOAD_MAX_PHDRS];
	int rc;

	memset(img, 0, sizeof(*img));
	if (errlen > 0)
		err[0] = '\0';
	if (len > file_size)
		len = file_size;
	if (len < sizeof(eh))
		return elfload_reject(
		        err, errlen,
		        "file too short for an ELF header (%zu bytes)", len);
	/* Copy out: buf need not be aligned for the structures. */
	memcpy(&eh, buf, sizeof(eh));
	rc = elfload_check_header(&eh, len, img, err, errlen);
	if (rc != 0)
		return rc;
	memcpy(ph, (const uint8_t *)buf + eh.e_phoff,
	       eh.e_phnum * sizeof(Elf64_Phdr));
	rc = elfload_check_phdrs(ph, img, file_size, err, errlen);
	if (rc != 0)
		return rc;
	if (!elfload_covered(img, img->entry, 1, PROT_EXEC))
		return elfload_reject(
		        err, errlen,
		        "entry point %#llx is not in an executable segment",
		        (unsigned long long)img->entry);
	/* AT_PHDR points into the image: the headers must be loaded. */
	if (!elfload_covered(img, img->phoff,
	                     (uint64_t)img->phnum * sizeof(Elf64_Phdr),
	                     PROT_READ))
		return elfload_reject(
		        err, errlen,
		        "program headers are not in a loaded segment");
	return 0;
}

int elfload_parse_fd(int fd, struct elfload_image *img, char *err,
                     size_t errlen)
{
	/* Header plus the largest accepted program header table. */
	uint8_t buf[sizeof(Elf64_Ehdr) +
	            ELFLOAD_MAX_PHDRS * sizeof(Elf64_Phdr) + 4096];
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return elfload_reject(err, errlen, "not a regular file");
	while (got < sizeof(buf)) {
		ssize_t n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return elfload_parse(buf, got, (uint64_t)st.st_size, img, err, errlen);
}

/* Maps one segment over the reservation and zeroes its .bss part. */
static int elfload_map_segment(int fd, uint8_t *base,
                               const struct elfload_segment *s, char *err,
                               size_t errlen)
{
	uint64_t start = page_down(s->vaddr);
	uint64_t file_end = s->vaddr + s->filesz;
	uint64_t mem_end = page_up(s->vaddr + s->memsz);
	uint64_t file_map_end = page_up(file_end);

	if (s->filesz > 0) {
		/* Writable while .bss is zeroed; final protection below. */
		int prot = s->prot | (s->memsz > s->filesz ? PROT_WRITE : 0);
		if (mmap(base + start, file_map_end - start, prot & ~PROT_EXEC,
		         MAP_PRIVATE | MAP_FIXED, fd,
		         (off_t)page_down(s->offset)) == MAP_FAILED) {
			int e = errno;
			snprintf(err, errlen, "mapping segment at %#llx: %s",
			         (unsigned long long)s->vaddr, strerror(e));
			return -e;
		}
		/* The rest of the last file page belongs to .bss. */
		if (s->memsz > s->filesz && file_end < file_map_end)
			memset(base + file_end, 0, file_map_end - file_end);
	} else {
		file_map_end = start;
	}
	if (mem_end > file_map_end &&
	    mmap(base + file_map_end, mem_end - file_map_end,
	         PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
	         0) == MAP_FAILED) {
		int e = errno;
		snprintf(err, errlen, "mapping .bss at %#llx: %s",
		         (unsigned long long)file_map_end, strerror(e));
		return -e;
	}
	/* W^X: a segment is never writable and executable at once. */
	if (mprotect(base + start, mem_end - start, s->prot) != 0) {
		int e = errno;
		snprintf(err, errlen, "protecting segment at %#llx: %s",
		         (unsigned long long)s->vaddr, strerror(e));
		return -e;
	}
	return 0;
}

int elfload_map(int fd, const struct elfload_image *img,
                struct elfload_mapping *map, char *err, size_t errlen)
{
	uint8_t *base;
	int rc;

	map->base = NULL;
	map->span = 0;
	/* Reserving the span first gives one random base for all segments. */
	base = mmap(NULL, img->span, PROT_NONE,
	            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		int e = errno;
		snprintf(err, errlen, "reserving %llu bytes: %s",
		         (unsigned long long)img->span, strerror(e));
		return -e;
	}
	for (size_t i = 0; i < img->nsegments; i++) {
		rc = elfload_map_segment(fd, base, &img->segments[i], err,
		                         errlen);
		if (rc != 0) {
			munmap(base, img->span);
			return rc;
		}
	}
	map->base = base;
	map->span = img->span;
	return 0;
}

void elfload_unmap(struct elfload_mapping *map)
{
	if (map->base != NULL)
		munmap(map->base, map->span);
	map->base = NULL;
	map->span = 0;
}
