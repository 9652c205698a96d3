/*
 * crt0.c: the entry point of every program built with the SDK, following
 * docs/abi-contract.md ("Entry", "The auxiliary vector", "System calls",
 * "Thread-local storage"). In order, _start:
 *   1. copies what it needs out of the auxiliary vector;
 *   2. applies its own R_X86_64_RELATIVE relocations (the runtime does not);
 *   3. sets the stack-protector guard from AT_CANARY;
 *   4. binds the cloudabi_sys_* functions of the vDSO (via DT_HASH);
 *   5. makes PT_GNU_RELRO read-only with mem_protect;
 *   6. builds the TLS block plus a copy of the runtime's TCB on its own
 *      stack and points the %fs slot at that copy;
 *   7. runs .preinit_array, .ctors (crtbegin/crtend) and .init_array;
 *   8. calls program_main() and exits with status 0 when it returns.
 *
 * Until step 2 is done, no pointer stored in the image is valid. This file
 * is built with -fno-jump-tables and without stack protector, and the code
 * before and during relocation only takes addresses of hidden symbols
 * (PC-relative, no relocation needed) and never loads a stored pointer.
 */
#include <stddef.h>
#include <stdint.h>

#include <argdata.h>
#include <cloudabi_syscall_names.h>
#include <cloudabi_syscalls.h>
#include <cloudabi_types.h>
#include <crt0.h>
#include <program.h>
#include <sdk_string.h>

#include "crt0_elf.h"

#define CRT0_HIDDEN __attribute__((visibility("hidden")))

/* Linker-defined: our ELF header, dynamic section, constructor arrays. */
extern const struct crt0_elf_ehdr __ehdr_start CRT0_HIDDEN;
extern const struct crt0_elf_dyn _DYNAMIC[] CRT0_HIDDEN;
extern void (*const __preinit_array_start[])(void) CRT0_HIDDEN;
extern void (*const __preinit_array_end[])(void) CRT0_HIDDEN;
extern void (*const __init_array_start[])(void) CRT0_HIDDEN;
extern void (*const __init_array_end[])(void) CRT0_HIDDEN;

/* crtbegin.c / crtend.c: the markers around the .ctors entries. */
extern void (*crtbegin_ctors[1])(void);
extern void (*crtend_ctors[1])(void);

/* sdk_ssp.c (cloudabi_sdk_vdso[] is in cloudabi_syscall_names.h). */
extern uintptr_t __stack_chk_guard;

_Noreturn void _start(const cloudabi_auxv_t *auxv);

/* What _start keeps from the auxiliary vector. */
struct crt0_aux {
	uintptr_t base;
	const struct crt0_elf_phdr *phdr;
	size_t phnum;
	const uint8_t *vdso;
	const void *argdata;
	size_t argdatalen;
	const uint8_t *canary;
	size_t canarylen;
	size_t pagesz;
	uint32_t tid;
	size_t ncpus;
	const uint8_t *pid;
};

/* Copy of the auxv facts for crt0.h, filled once relocation is done. */
static struct crt0_aux crt0_info;

static const char crt0_prefix[] = "cloudabi_sys_";

/* Step 1: reads the entries we know, ignores the others. No stores to
 * globals (they may still need relocating). */
static void crt0_read_auxv(const cloudabi_auxv_t *av, struct crt0_aux *aux)
{
	memset(aux, 0, sizeof(*aux));
	aux->pagesz = 1; /* the contract's default when AT_PAGESZ is absent */
	for (; av->a_type != CLOUDABI_AT_NULL; av++) {
		switch (av->a_type) {
		case CLOUDABI_AT_BASE:
			aux->base = (uintptr_t)av->a_ptr;
			break;
		case CLOUDABI_AT_PHDR:
			aux->phdr = av->a_ptr;
			break;
		case CLOUDABI_AT_PHNUM:
			aux->phnum = av->a_val;
			break;
		case CLOUDABI_AT_SYSINFO_EHDR:
			aux->vdso = av->a_ptr;
			break;
		case CLOUDABI_AT_ARGDATA:
			aux->argdata = av->a_ptr;
			break;
		case CLOUDABI_AT_ARGDATALEN:
			aux->argdatalen = av->a_val;
			break;
		case CLOUDABI_AT_CANARY:
			aux->canary = av->a_ptr;
			break;
		case CLOUDABI_AT_CANARYLEN:
			aux->canarylen = av->a_val;
			break;
		case CLOUDABI_AT_PAGESZ:
			aux->pagesz = av->a_val;
			break;
		case CLOUDABI_AT_TID:
			aux->tid = (uint32_t)av->a_val;
			break;
		case CLOUDABI_AT_NCPUS:
			aux->ncpus = av->a_val;
			break;
		case CLOUDABI_AT_PID:
			aux->pid = av->a_ptr;
			break;
		default:
			break;
		}
	}
}

/* Where the runtime left out AT_BASE or AT_PHDR, our own ELF header (found
 * PC-relatively) says the same. */
static void crt0_fill_defaults(struct crt0_aux *aux)
{
	const struct crt0_elf_ehdr *eh = &__ehdr_start;

	if (aux->base == 0)
		aux->base = (uintptr_t)eh;
	if (aux->phdr == NULL) {
		aux->phdr = (const void *)(aux->base + eh->e_phoff);
		aux->phnum = eh->e_phnum;
	}
}

/* Step 2: applies RELATIVE relocations to the image at base. Returns the
 * number of relocations of any other kind (a static PIE has none). Not
 * inlined, and followed by a compiler barrier, so that no load of a
 * relocated pointer is scheduled before it. */
__attribute__((noinline)) static size_t crt0_relocate(uintptr_t base)
{
	const struct crt0_elf_dyn *d;
	uintptr_t rela = 0;
	size_t relasz = 0, relaent = sizeof(struct crt0_elf_rela), i;
	size_t bad = 0;

	for (d = _DYNAMIC; d->d_tag != CRT0_DT_NULL; d++) {
		if (d->d_tag == CRT0_DT_RELA)
			rela = base + d->d_val;
		else if (d->d_tag == CRT0_DT_RELASZ)
			relasz = d->d_val;
		else if (d->d_tag == CRT0_DT_RELAENT)
			relaent = d->d_val;
		else if (d->d_tag == CRT0_DT_RELSZ && d->d_val != 0)
			bad++; /* REL entries are not used on x86-64 */
	}
	if (rela == 0 || relaent == 0)
		return bad;
	for (i = 0; i + relaent <= relasz; i += relaent) {
		const struct crt0_elf_rela *r = (const void *)(rela + i);
		uint32_t type = (uint32_t)r->r_info;

		if (type == CRT0_R_X86_64_RELATIVE)
			*(uint64_t *)(base + r->r_offset) = base + r->r_addend;
		else if (type != CRT0_R_X86_64_NONE)
			bad++;
	}
	return bad;
}

/* Step 3: the first 8 canary bytes become the guard, if there are 8. */
static void crt0_set_guard(const struct crt0_aux *aux)
{
	uintptr_t guard;

	if (aux->canary == NULL || aux->canarylen < sizeof(guard))
		return;
	memcpy(&guard, aux->canary, sizeof(guard));
	__stack_chk_guard = guard;
}

/* The syscall index whose name is name (without the prefix), or -1. */
static int crt0_syscall_index(const char *name)
{
	size_t i;

	for (i = 0; i < CLOUDABI_SYSCALL_COUNT; i++) {
		const char *want = cloudabi_syscall_names[i];
		size_t n = strlen(want);

		if (memcmp(name, want, n) == 0 && name[n] == '\0')
			return (int)i;
	}
	return -1;
}

/* Finds the vDSO's hash, symbol and string tables through PT_DYNAMIC. */
static int crt0_vdso_tables(const uint8_t *vdso, const uint32_t **hash,
                            const struct crt0_elf_sym **symtab,
                            const char **strtab)
{
	const struct crt0_elf_ehdr *eh = (const void *)vdso;
	const struct crt0_elf_phdr *ph = (const void *)(vdso + eh->e_phoff);
	const struct crt0_elf_dyn *d = NULL;
	size_t i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == CRT0_PT_DYNAMIC)
			d = (const void *)(vdso + ph[i].p_vaddr);
	}
	if (d == NULL)
		return -1;
	*hash = NULL;
	*symtab = NULL;
	*strtab = NULL;
	for (; d->d_tag != CRT0_DT_NULL; d++) {
		if (d->d_tag == CRT0_DT_HASH)
			*hash = (const void *)(vdso + d->d_val);
		else if (d->d_tag == CRT0_DT_SYMTAB)
			*symtab = (const void *)(vdso + d->d_val);
		else if (d->d_tag == CRT0_DT_STRTAB)
			*strtab = (const char *)(vdso + d->d_val);
	}
	return *hash != NULL && *symtab != NULL && *strtab != NULL ? 0 : -1;
}

/* Step 4: binds every global, default-visibility function named
 * cloudabi_sys_<name>; the others keep their ENOSYS stubs. The classic
 * hash table's nchain is the number of symbols. */
static void crt0_bind_vdso(const uint8_t *vdso)
{
	const uint32_t *hash;
	const struct crt0_elf_sym *sym;
	const char *strtab;
	size_t plen = sizeof(crt0_prefix) - 1, nsyms, i;

	if (vdso == NULL || crt0_vdso_tables(vdso, &hash, &sym, &strtab) != 0)
		return;
	nsyms = hash[1];
	for (i = 0; i < nsyms; i++) {
		const char *name = strtab + sym[i].st_name;
		int idx;

		if (sym[i].st_info >> 4 != CRT0_STB_GLOBAL ||
		    (sym[i].st_info & 0xf) != CRT0_STT_FUNC ||
		    (sym[i].st_other & 0x3) != CRT0_STV_DEFAULT ||
		    memcmp(name, crt0_prefix, plen) != 0)
			continue;
		idx = crt0_syscall_index(name + plen);
		if (idx >= 0)
			cloudabi_sdk_vdso[idx] =
			        (void *)(vdso + sym[i].st_value);
	}
}

/* The program header of the given type, or NULL. */
static const struct crt0_elf_phdr *crt0_find_phdr(const struct crt0_aux *aux,
                                                  uint32_t type)
{
	size_t i;

	for (i = 0; aux->phdr != NULL && i < aux->phnum; i++) {
		if (aux->phdr[i].p_type == type)
			return &aux->phdr[i];
	}
	return NULL;
}

/* Step 5: only whole pages inside the RELRO range are protected, so data
 * sharing its last page stays writable. Failure is not fatal: RELRO is a
 * hardening measure and the program works without it. */
static void crt0_protect_relro(const struct crt0_aux *aux)
{
	const struct crt0_elf_phdr *ph = crt0_find_phdr(aux, CRT0_PT_GNU_RELRO);
	uintptr_t start, end, mask;

	if (ph == NULL || aux->pagesz == 0)
		return;
	mask = ~(uintptr_t)(aux->pagesz - 1);
	start = (aux->base + ph->p_vaddr) & mask;
	end = (aux->base + ph->p_vaddr + ph->p_memsz) & mask;
	if (end > start)
		cloudabi_sys_mem_protect((void *)start, end - start,
		                         CLOUDABI_PROT_READ);
}

/* Alignment of the TLS block and its size rounded up to it (lld places a
 * variable at offset - round_up(p_memsz, p_align) from the TCB). */
static size_t crt0_tls_size(const struct crt0_aux *aux, size_t *align)
{
	const struct crt0_elf_phdr *ph = crt0_find_phdr(aux, CRT0_PT_TLS);

	*align = _Alignof(cloudabi_tcb_t);
	if (ph == NULL)
		return 0;
	if (ph->p_align > *align)
		*align = ph->p_align;
	return (ph->p_memsz + *align - 1) & ~(*align - 1);
}

/* Step 6: area has size + sizeof(tcb) + align bytes. Variant II: the block
 * ends where the TCB starts; the TCB is a copy of the runtime's one (it
 * holds the runtime's parent pointer) and the %fs slot then points at it. */
static void crt0_tls_init(const struct crt0_aux *aux, uint8_t *area,
                          size_t size, size_t align)
{
	const struct crt0_elf_phdr *ph = crt0_find_phdr(aux, CRT0_PT_TLS);
	uintptr_t tp = ((uintptr_t)area + size + align - 1) & ~(align - 1);
	uint8_t *block = (uint8_t *)(tp - size);
	cloudabi_tcb_t *old, *tcb = (cloudabi_tcb_t *)tp;

	memset(block, 0, size);
	if (ph != NULL)
		memcpy(block, (const void *)(aux->base + ph->p_vaddr),
		       ph->p_filesz);
	__asm__ volatile("movq %%fs:0, %0" : "=r"(old));
	*tcb = *old;
	__asm__ volatile("movq %0, %%fs:0" : : "r"(tcb) : "memory");
}

/* Step 7: .preinit_array, then .ctors backwards (the classic order), then
 * .init_array forwards. The -1 and 0 markers are skipped. */
static void crt0_run_ctors(void)
{
	void (*const *f)(void);
	void (**c)(void);

	for (f = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (c = crtend_ctors - 1; c > crtbegin_ctors; c--) {
		if (*c != NULL && *c != (void (*)(void))(uintptr_t)-1)
			(*c)();
	}
	for (f = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

/* The entry point: see the comment at the top of the file. The TLS area is
 * allocated in this frame, which never returns, so it lives as long as the
 * main thread. */
_Noreturn void _start(const cloudabi_auxv_t *auxv)
{
	struct crt0_aux aux;
	argdata_t ad;
	size_t tls_size, tls_align;
	uint8_t *area;

	crt0_read_auxv(auxv, &aux);
	crt0_fill_defaults(&aux);
	if (crt0_relocate(aux.base) != 0)
		__builtin_trap(); /* not linked as a static PIE */
	__asm__ volatile("" : : : "memory");
	crt0_info = aux;
	crt0_set_guard(&aux);
	crt0_bind_vdso(aux.vdso);
	crt0_protect_relro(&aux);

	tls_size = crt0_tls_size(&aux, &tls_align);
	area = __builtin_alloca(tls_size + sizeof(cloudabi_tcb_t) + tls_align);
	crt0_tls_init(&aux, area, tls_size, tls_align);

	crt0_run_ctors();
	ad = argdata_from_buffer(aux.argdata, aux.argdatalen);
	program_main(&ad);
	for (;;)
		cloudabi_sys_proc_exit(0);
}

/* Accessors of crt0.h. */
size_t crt0_pagesize(void)
{
	return crt0_info.pagesz;
}

uint32_t crt0_tid(void)
{
	return crt0_info.tid;
}

size_t crt0_ncpus(void)
{
	return crt0_info.ncpus;
}

const uint8_t *crt0_pid(void)
{
	return crt0_info.pid;
}

uintptr_t crt0_base(void)
{
	return crt0_info.base;
}
