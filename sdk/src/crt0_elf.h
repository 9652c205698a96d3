/*
 * crt0_elf.h: the few ELF64 structures and constants the guest start-up
 * code reads (the program's own headers and the vDSO's). Guest code has no
 * <elf.h>, so the layouts are spelled out here; private to sdk/src.
 */
#ifndef CRT0_ELF_H
#define CRT0_ELF_H

#include <stdint.h>

struct crt0_elf_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct crt0_elf_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct crt0_elf_dyn {
	int64_t d_tag;
	uint64_t d_val;
};

struct crt0_elf_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

struct crt0_elf_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

/* Program header types. */
#define CRT0_PT_DYNAMIC   2
#define CRT0_PT_TLS       7
#define CRT0_PT_GNU_RELRO 0x6474e552

/* Dynamic tags. */
#define CRT0_DT_NULL    0
#define CRT0_DT_HASH    4
#define CRT0_DT_STRTAB  5
#define CRT0_DT_SYMTAB  6
#define CRT0_DT_RELA    7
#define CRT0_DT_RELASZ  8
#define CRT0_DT_RELAENT 9
#define CRT0_DT_REL     17
#define CRT0_DT_RELSZ   18

/* x86-64 relocation types. */
#define CRT0_R_X86_64_NONE     0
#define CRT0_R_X86_64_RELATIVE 8

/* Symbol binding, type and visibility. */
#define CRT0_STB_GLOBAL  1
#define CRT0_STT_FUNC    2
#define CRT0_STV_DEFAULT 0

#endif
