/*
 * elfcheck.c: the layout checks of elfcheck.h. Every offset read from the
 * file is bounds-checked against the image before use: the input may be
 * any file (the tests also feed it host binaries and mutated guests).
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "elfcheck.h"

#define ELFCHECK_PAGE           4096
#define ELFCHECK_OSABI_CLOUDABI 17

/* The state of one check: the image and where to report. */
struct elfcheck {
	const uint8_t *img;
	size_t len;
	char *err;
	size_t errlen;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
};

/* Formats the reason and returns -EINVAL, so callers can `return fail()`. */
__attribute__((format(printf, 2, 3))) static int
elfcheck_fail(struct elfcheck *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* True when [off, off + size) lies inside the image. */
static int elfcheck_in_file(const struct elfcheck *c, uint64_t off,
                            uint64_t size)
{
	return off <= c->len && size <= c->len - off;
}

/* Identification and header fields. */
static int elfcheck_header(struct elfcheck *c)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c->img;

	if (c->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return elfcheck_fail(c, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elfcheck_fail(c, "not ELF64");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elfcheck_fail(c, "not little endian");
	if (eh->e_ident[EI_OSABI] != ELFCHECK_OSABI_CLOUDABI)
		return elfcheck_fail(c, "OSABI is %u, not 17 (CloudABI)",
		                     eh->e_ident[EI_OSABI]);
	if (eh->e_type != ET_DYN)
		return elfcheck_fail(c, "e_type is %u, not ET_DYN", eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return elfcheck_fail(c, "e_machine is %u, not x86-64",
		                     eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !elfcheck_in_file(c, eh->e_phoff,
	                      (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return elfcheck_fail(c, "program headers out of the file");
	c->eh = eh;
	c->ph = (const Elf64_Phdr *)(c->img + eh->e_phoff);
	return 0;
}

/* PT_LOAD layout, no PT_INTERP, entry inside an executable segment. */
static int elfcheck_segments(struct elfcheck *c, struct elfcheck_info *info)
{
	uint64_t lowest = UINT64_MAX;
	int entry_ok = 0;
	size_t i;

	for (i = 0; i < c->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &c->ph[i];

		if (p->p_type == PT_INTERP)
			return elfcheck_fail(c, "has PT_INTERP");
		info->has_tls |= p->p_type == PT_TLS;
		info->has_relro |= p->p_type == PT_GNU_RELRO;
		if (p->p_type != PT_LOAD)
			continue;
		info->nloads++;
		if (p->p_vaddr % ELFCHECK_PAGE != 0 ||
		    p->p_offset % ELFCHECK_PAGE != 0)
			return elfcheck_fail(c,
			                     "PT_LOAD %zu not page-aligned "
			                     "(vaddr %#lx offset %#lx)",
			                     i, (unsigned long)p->p_vaddr,
			                     (unsigned long)p->p_offset);
		if (!elfcheck_in_file(c, p->p_offset, p->p_filesz) ||
		    p->p_filesz > p->p_memsz)
			return elfcheck_fail(c, "PT_LOAD %zu past the file", i);
		if (p->p_vaddr < lowest)
			lowest = p->p_vaddr;
		if ((p->p_flags & PF_X) && c->eh->e_entry >= p->p_vaddr &&
		    c->eh->e_entry - p->p_vaddr < p->p_memsz)
			entry_ok = 1;
	}
	if (info->nloads == 0 || lowest != 0)
		return elfcheck_fail(c, "lowest PT_LOAD is not at address 0");
	if (!entry_ok)
		return elfcheck_fail(c, "entry not in an executable segment");
	return 0;
}

/* File offset of [vaddr, vaddr + size) through the PT_LOADs, or -1. */
static int64_t elfcheck_v2off(const struct elfcheck *c, uint64_t vaddr,
                              uint64_t size)
{
	size_t i;

	for (i = 0; i < c->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &c->ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr ||
		    vaddr - p->p_vaddr > p->p_filesz ||
		    size > p->p_filesz - (vaddr - p->p_vaddr))
			continue;
		return (int64_t)(p->p_offset + (vaddr - p->p_vaddr));
	}
	return -1;
}

/* Checks that every entry of one relocation table is RELATIVE. */
static int elfcheck_reltab(struct elfcheck *c, const char *what, uint64_t addr,
                           uint64_t size, uint64_t ent,
                           struct elfcheck_info *info)
{
	int64_t off;
	uint64_t i;

	if (size == 0)
		return 0;
	if (ent == 0 || (off = elfcheck_v2off(c, addr, size)) < 0)
		return elfcheck_fail(c, "%s table out of the file", what);
	for (i = 0; i + ent <= size; i += ent) {
		/* r_info sits at the same offset in Rel and Rela. */
		const Elf64_Rel *r = (const Elf64_Rel *)(c->img + off + i);

		if (ELF64_R_TYPE(r->r_info) != R_X86_64_RELATIVE)
			return elfcheck_fail(
			        c,
			        "%s entry at %#lx has type %lu, "
			        "not R_X86_64_RELATIVE",
			        what, (unsigned long)r->r_offset,
			        (unsigned long)ELF64_R_TYPE(r->r_info));
		info->nrelocs++;
	}
	return 0;
}

/* Finds PT_DYNAMIC and checks DT_RELA, DT_REL and DT_JMPREL. */
static int elfcheck_relocs(struct elfcheck *c, struct elfcheck_info *info)
{
	uint64_t rela = 0, relasz = 0, relaent = sizeof(Elf64_Rela);
	uint64_t rel = 0, relsz = 0, relent = sizeof(Elf64_Rel);
	uint64_t jmprel = 0, pltrelsz = 0, pltent = sizeof(Elf64_Rela);
	const Elf64_Dyn *d = NULL;
	size_t i, n = 0;
	int error;

	for (i = 0; i < c->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &c->ph[i];

		if (p->p_type != PT_DYNAMIC)
			continue;
		if (!elfcheck_in_file(c, p->p_offset, p->p_filesz))
			return elfcheck_fail(c, "PT_DYNAMIC past the file");
		d = (const Elf64_Dyn *)(c->img + p->p_offset);
		n = p->p_filesz / sizeof(*d);
	}
	if (d == NULL)
		return elfcheck_fail(c, "no PT_DYNAMIC (not a static PIE)");
	for (i = 0; i < n && d[i].d_tag != DT_NULL; i++) {
		uint64_t v = d[i].d_un.d_val;

		switch (d[i].d_tag) {
		case DT_RELA:
			rela = v;
			break;
		case DT_RELASZ:
			relasz = v;
			break;
		case DT_RELAENT:
			relaent = v;
			break;
		case DT_REL:
			rel = v;
			break;
		case DT_RELSZ:
			relsz = v;
			break;
		case DT_RELENT:
			relent = v;
			break;
		case DT_JMPREL:
			jmprel = v;
			break;
		case DT_PLTRELSZ:
			pltrelsz = v;
			break;
		case DT_PLTREL:
			pltent = v == DT_REL ? sizeof(Elf64_Rel)
			                     : sizeof(Elf64_Rela);
			break;
		case DT_NEEDED:
			return elfcheck_fail(c, "has DT_NEEDED");
		default:
			break;
		}
	}
	if ((error = elfcheck_reltab(c, "DT_RELA", rela, relasz, relaent,
	                             info)) != 0 ||
	    (error = elfcheck_reltab(c, "DT_REL", rel, relsz, relent, info)) !=
	            0)
		return error;
	return elfcheck_reltab(c, "DT_JMPREL", jmprel, pltrelsz, pltent, info);
}

/* Looks for a function symbol _start whose value is e_entry in .symtab. */
static int elfcheck_start(struct elfcheck *c)
{
	const Elf64_Ehdr *eh = c->eh;
	const Elf64_Shdr *sh;
	size_t i, j;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !elfcheck_in_file(c, eh->e_shoff,
	                      (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return elfcheck_fail(c, "section headers out of the file");
	sh = (const Elf64_Shdr *)(c->img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str;
		const Elf64_Sym *sym;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		str = &sh[sh[i].sh_link];
		if (!elfcheck_in_file(c, sh[i].sh_offset, sh[i].sh_size) ||
		    !elfcheck_in_file(c, str->sh_offset, str->sh_size))
			return elfcheck_fail(c, "symbol table past the file");
		sym = (const Elf64_Sym *)(c->img + sh[i].sh_offset);
		for (j = 0; j < sh[i].sh_size / sizeof(*sym); j++) {
			const char *name;

			if (sym[j].st_name >= str->sh_size)
				continue;
			name = (const char *)c->img + str->sh_offset +
			       sym[j].st_name;
			if (strnlen(name, str->sh_size - sym[j].st_name) == 6 &&
			    strcmp(name, "_start") == 0 &&
			    ELF64_ST_TYPE(sym[j].st_info) == STT_FUNC &&
			    sym[j].st_value == eh->e_entry)
				return 0;
		}
	}
	return elfcheck_fail(c, "no function _start at e_entry %#lx",
	                     (unsigned long)eh->e_entry);
}

/* Runs the checks in order; the first failure is reported. */
int elfcheck_image(const uint8_t *img, size_t len, struct elfcheck_info *info,
                   char *err, size_t errlen)
{
	struct elfcheck c = {
	        .img = img, .len = len, .err = err, .errlen = errlen};
	int error;

	memset(info, 0, sizeof(*info));
	if (errlen > 0)
		err[0] = '\0';
	if ((error = elfcheck_header(&c)) != 0 ||
	    (error = elfcheck_segments(&c, info)) != 0 ||
	    (error = elfcheck_relocs(&c, info)) != 0 ||
	    (error = elfcheck_start(&c)) != 0)
		return error;
	info->entry = c.eh->e_entry;
	return 0;
}
