/*
 * vdso: builds the vDSO image. See vdso.h.
 *
 * Layout (offsets in the image, which is "linked" at 0):
 *   ehdr | 2 phdrs | dynamic[6] | symtab[1 + n] | hash | strtab
 */
#include "vdso.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define VDSO_PREFIX "cloudabi_sys_"
#define VDSO_NDYN   6

uint32_t vdso_elf_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g != 0)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static size_t vdso_align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* Fills the ELF and program headers. */
static void vdso_headers(uint8_t *img, size_t size, size_t dyn_off)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = 17;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
	                     .p_flags = PF_R,
	                     .p_filesz = size,
	                     .p_memsz = size,
	                     .p_align = 4096};
	ph[1] = (Elf64_Phdr){.p_type = PT_DYNAMIC,
	                     .p_flags = PF_R,
	                     .p_offset = dyn_off,
	                     .p_vaddr = dyn_off,
	                     .p_filesz = VDSO_NDYN * sizeof(Elf64_Dyn),
	                     .p_memsz = VDSO_NDYN * sizeof(Elf64_Dyn),
	                     .p_align = 8};
}

int vdso_create(struct vdso *v, const char *const *names,
                const uint64_t *entries, const bool *present, size_t n)
{
	size_t nsym = 1, strsz = 1;
	size_t dyn_off, sym_off, hash_off, str_off, size;

	for (size_t i = 0; i < n; i++) {
		if (present[i]) {
			nsym++;
			strsz += strlen(VDSO_PREFIX) + strlen(names[i]) + 1;
		}
	}
	dyn_off = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	sym_off = dyn_off + VDSO_NDYN * sizeof(Elf64_Dyn);
	hash_off = sym_off + nsym * sizeof(Elf64_Sym);
	/* nbucket, nchain, buckets[nsym], chains[nsym] */
	str_off = vdso_align8(hash_off + (2 + 2 * nsym) * sizeof(uint32_t));
	size = (str_off + strsz + 4095) & ~(size_t)4095;

	uint8_t *img = mmap(NULL, size, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (img == MAP_FAILED)
		return -errno;
	vdso_headers(img, size, dyn_off);

	Elf64_Dyn *dyn = (Elf64_Dyn *)(img + dyn_off);
	dyn[0] = (Elf64_Dyn){.d_tag = DT_HASH, .d_un.d_ptr = hash_off};
	dyn[1] = (Elf64_Dyn){.d_tag = DT_SYMTAB, .d_un.d_ptr = sym_off};
	dyn[2] = (Elf64_Dyn){.d_tag = DT_STRTAB, .d_un.d_ptr = str_off};
	dyn[3] = (Elf64_Dyn){.d_tag = DT_STRSZ, .d_un.d_val = strsz};
	dyn[4] = (Elf64_Dyn){.d_tag = DT_SYMENT,
	                     .d_un.d_val = sizeof(Elf64_Sym)};
	dyn[5] = (Elf64_Dyn){.d_tag = DT_NULL};

	Elf64_Sym *sym = (Elf64_Sym *)(img + sym_off);
	uint32_t *hash = (uint32_t *)(img + hash_off);
	uint32_t *buckets = hash + 2, *chains = hash + 2 + nsym;
	char *str = (char *)(img + str_off);
	size_t s = 1, at = 1;

	hash[0] = (uint32_t)nsym; /* nbucket */
	hash[1] = (uint32_t)nsym; /* nchain: the symbol count */
	for (size_t i = 0; i < n; i++) {
		if (!present[i])
			continue;
		size_t len = strlen(VDSO_PREFIX) + strlen(names[i]);
		memcpy(str + at, VDSO_PREFIX, strlen(VDSO_PREFIX));
		memcpy(str + at + strlen(VDSO_PREFIX), names[i],
		       strlen(names[i]));
		sym[s] = (Elf64_Sym){
		        .st_name = (uint32_t)at,
		        .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
		        .st_other = STV_DEFAULT,
		        .st_shndx = 1,
		        /* Wraps modulo 2^64: base + value is the entry. */
		        .st_value = entries[i] - (uint64_t)(uintptr_t)img,
		};
		uint32_t b = vdso_elf_hash(str + at) % (uint32_t)nsym;
		chains[s] = buckets[b];
		buckets[b] = (uint32_t)s;
		at += len + 1;
		s++;
	}
	if (mprotect(img, size, PROT_READ) != 0) {
		int e = errno;
		munmap(img, size);
		return -e;
	}
	v->image = img;
	v->size = size;
	return 0;
}

void vdso_destroy(struct vdso *v)
{
	if (v->image != NULL)
		munmap(v->image, v->size);
	v->image = NULL;
	v->size = 0;
}
