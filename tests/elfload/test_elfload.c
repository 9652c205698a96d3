/*
 * Tests of runtime/elfload.c: every rejection rule on a synthetic image built
 * here, and a real mapping of a file (contents, zeroed .bss, protections).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfload.h"

#define IMG_SIZE 0x3000

/*
 * A minimal valid image: headers and text in page 0 (R+X, entry 0x200),
 * data in page 1 (R+W, 0x100 bytes from the file, then .bss up to 0x2800).
 */
struct synth {
	uint8_t bytes[IMG_SIZE];
};

static Elf64_Ehdr *eh(struct synth *s)
{
	return (Elf64_Ehdr *)s->bytes;
}

static Elf64_Phdr *ph(struct synth *s, int i)
{
	return (Elf64_Phdr *)(s->bytes + sizeof(Elf64_Ehdr)) + i;
}

static void synth_init(struct synth *s)
{
	memset(s, 0, sizeof(*s));
	Elf64_Ehdr *e = eh(s);
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = 17;
	e->e_type = ET_DYN;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0x200;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	*ph(s, 0) = (Elf64_Phdr){.p_type = PT_LOAD,
	                         .p_flags = PF_R | PF_X,
	                         .p_offset = 0,
	                         .p_vaddr = 0,
	                         .p_filesz = 0x300,
	                         .p_memsz = 0x300,
	                         .p_align = 0x1000};
	*ph(s, 1) = (Elf64_Phdr){.p_type = PT_LOAD,
	                         .p_flags = PF_R | PF_W,
	                         .p_offset = 0x1000,
	                         .p_vaddr = 0x1000,
	                         .p_filesz = 0x100,
	                         .p_memsz = 0x1800,
	                         .p_align = 0x1000};
	*ph(s, 2) =
	        (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W};
	memset(s->bytes + 0x200, 0xc3, 0x100);  /* "text" */
	memset(s->bytes + 0x1000, 0xab, 0x100); /* data */
	memset(s->bytes + 0x1100, 0xee, 0x100); /* junk past filesz */
}

static int parse(struct synth *s, size_t len, char *err)
{
	struct elfload_image img;
	return elfload_parse(s->bytes, len, len, &img, err, 256);
}

static void test_valid(void **state)
{
	struct synth s;
	struct elfload_image img;
	char err[256];

	synth_init(&s);
	assert_int_equal(elfload_parse(s.bytes, sizeof(s.bytes),
	                               sizeof(s.bytes), &img, err, sizeof(err)),
	                 0);
	assert_int_equal(img.nsegments, 2);
	assert_int_equal(img.span, 0x3000);
	assert_int_equal(img.entry, 0x200);
	assert_int_equal(img.segments[0].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(img.segments[1].prot, PROT_READ | PROT_WRITE);
}

/* Applies one mutation and checks the message names the problem. */
static void expect_reject(void (*mutate)(struct synth *), size_t len,
                          const char *what)
{
	struct synth s;
	char err[256];

	synth_init(&s);
	mutate(&s);
	assert_int_equal(parse(&s, len, err), -ENOEXEC);
	if (strstr(err, what) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", what, err);
}

static void m_magic(struct synth *s)
{
	eh(s)->e_ident[1] = 'X';
}
static void m_class(struct synth *s)
{
	eh(s)->e_ident[EI_CLASS] = ELFCLASS32;
}
static void m_data(struct synth *s)
{
	eh(s)->e_ident[EI_DATA] = ELFDATA2MSB;
}
static void m_osabi(struct synth *s)
{
	eh(s)->e_ident[EI_OSABI] = 0;
}
static void m_machine(struct synth *s)
{
	eh(s)->e_machine = EM_AARCH64;
}
static void m_type(struct synth *s)
{
	eh(s)->e_type = ET_EXEC;
}
static void m_phentsize(struct synth *s)
{
	eh(s)->e_phentsize = 40;
}
static void m_phnum0(struct synth *s)
{
	eh(s)->e_phnum = 0;
}
static void m_phnum_big(struct synth *s)
{
	eh(s)->e_phnum = 65;
}
static void m_phoff(struct synth *s)
{
	eh(s)->e_phoff = IMG_SIZE - 8;
}
static void m_interp(struct synth *s)
{
	ph(s, 2)->p_type = PT_INTERP;
}
static void m_wx(struct synth *s)
{
	ph(s, 1)->p_flags = PF_R | PF_W | PF_X;
}
static void m_filesz(struct synth *s)
{
	ph(s, 1)->p_filesz = 0x2000;
}
static void m_pastend(struct synth *s)
{
	ph(s, 1)->p_offset = 0x2800;
	ph(s, 1)->p_vaddr = 0x2800;
	ph(s, 1)->p_filesz = 0x1000;
	ph(s, 1)->p_memsz = 0x1000;
}
static void m_congruent(struct synth *s)
{
	ph(s, 1)->p_vaddr = 0x1010;
}
static void m_overlap(struct synth *s)
{
	ph(s, 1)->p_vaddr = 0;
	ph(s, 1)->p_offset = 0;
}
static void m_samepage(struct synth *s)
{
	ph(s, 1)->p_vaddr = 0x400;
	ph(s, 1)->p_offset = 0x400;
}
static void m_notzero(struct synth *s)
{
	ph(s, 0)->p_vaddr = 0x10000;
	ph(s, 0)->p_offset = 0;
	ph(s, 1)->p_vaddr = 0x11000;
}
static void m_entry(struct synth *s)
{
	eh(s)->e_entry = 0x1010;
}
static void m_entry_out(struct synth *s)
{
	eh(s)->e_entry = 0x9000;
}
static void m_noload(struct synth *s)
{
	ph(s, 0)->p_type = PT_NOTE;
	ph(s, 1)->p_type = PT_NOTE;
}
static void m_huge(struct synth *s)
{
	ph(s, 1)->p_memsz = UINT64_MAX - 0x800;
}
static void m_align(struct synth *s)
{
	ph(s, 1)->p_align = 0x1800;
}
static void m_empty(struct synth *s)
{
	ph(s, 1)->p_filesz = 0;
	ph(s, 1)->p_memsz = 0;
}
static void m_tls(struct synth *s)
{
	ph(s, 2)->p_type = PT_TLS;
	ph(s, 2)->p_filesz = 8;
	ph(s, 2)->p_memsz = 4;
}
static void m_none(struct synth *s)
{
	(void)s;
}

static void test_rejections(void **state)
{
	expect_reject(m_magic, IMG_SIZE, "bad magic");
	expect_reject(m_class, IMG_SIZE, "64-bit");
	expect_reject(m_data, IMG_SIZE, "little-endian");
	expect_reject(m_osabi, IMG_SIZE, "OSABI 0, expected 17");
	expect_reject(m_machine, IMG_SIZE, "not an x86-64");
	expect_reject(m_type, IMG_SIZE, "expected ET_DYN");
	expect_reject(m_phentsize, IMG_SIZE, "program header size");
	expect_reject(m_phnum0, IMG_SIZE, "number of program headers");
	expect_reject(m_phnum_big, IMG_SIZE, "number of program headers");
	expect_reject(m_phoff, IMG_SIZE, "past the end");
	expect_reject(m_interp, IMG_SIZE, "PT_INTERP");
	expect_reject(m_wx, IMG_SIZE, "writable and executable");
	expect_reject(m_filesz, IMG_SIZE, "file size exceeds memory size");
	expect_reject(m_pastend, IMG_SIZE, "past the end of the file");
	expect_reject(m_congruent, IMG_SIZE, "not congruent");
	expect_reject(m_overlap, IMG_SIZE, "overlaps");
	expect_reject(m_samepage, IMG_SIZE, "shares a page");
	expect_reject(m_notzero, IMG_SIZE, "not linked at address 0");
	expect_reject(m_entry, IMG_SIZE, "not in an executable segment");
	expect_reject(m_entry_out, IMG_SIZE, "not in an executable segment");
	expect_reject(m_noload, IMG_SIZE, "no loadable segments");
	expect_reject(m_huge, IMG_SIZE, "too large");
	expect_reject(m_align, IMG_SIZE, "power of two");
	expect_reject(m_empty, IMG_SIZE, "empty");
	expect_reject(m_tls, IMG_SIZE, "PT_TLS");
	expect_reject(m_none, 10, "too short");
	/* Truncated so that the data segment lies past the end. */
	expect_reject(m_none, 0x1080, "past the end of the file");
}

/* Returns the permission string of the mapping that holds addr. */
static void maps_perms(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t a = (uintptr_t)addr;

	assert_non_null(f);
	strcpy(perms, "????");
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && a >= lo &&
		    a < hi) {
			memcpy(perms, p, 5);
			break;
		}
	}
	fclose(f);
}

static void test_map(void **state)
{
	struct synth s;
	struct elfload_image img;
	struct elfload_mapping map;
	char err[256], path[] = "/tmp/elf-test-XXXXXX", perms[5];
	int fd;

	synth_init(&s);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, s.bytes, sizeof(s.bytes)), sizeof(s.bytes));
	assert_int_equal(elfload_parse_fd(fd, &img, err, sizeof(err)), 0);
	assert_int_equal(elfload_map(fd, &img, &map, err, sizeof(err)), 0);
	assert_int_equal((uintptr_t)map.base % 4096, 0);
	assert_memory_equal(map.base + 0x200, s.bytes + 0x200, 0x100);
	assert_memory_equal(map.base + 0x1000, s.bytes + 0x1000, 0x100);
	/* File bytes past p_filesz must read as zero, as must all .bss. */
	for (size_t i = 0x1100; i < 0x2800; i++)
		assert_int_equal(map.base[i], 0);
	maps_perms(map.base, perms);
	assert_string_equal(perms, "r-xp");
	maps_perms(map.base + 0x2000, perms);
	assert_string_equal(perms, "rw-p");
	elfload_unmap(&map);
	assert_null(map.base);
	close(fd);
}

static void test_parse_fd_not_regular(void **state)
{
	struct elfload_image img;
	char err[256];
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(elfload_parse_fd(fds[0], &img, err, sizeof(err)),
	                 -ENOEXEC);
	assert_non_null(strstr(err, "not a regular file"));
	close(fds[0]);
	close(fds[1]);
}

/* Each guest binary named on the command line must validate. */
static int check_files(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		struct elfload_image img;
		char err[256];
		int rc;
		if (f == NULL) {
			fprintf(stderr, "%s: cannot open\n", argv[i]);
			bad = 1;
			continue;
		}
		rc = elfload_parse_fd(fileno(f), &img, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "%s: rejected: %s\n", argv[i], err);
			bad = 1;
		}
		fclose(f);
	}
	return bad;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_rejections),
	        cmocka_unit_test(test_map),
	        cmocka_unit_test(test_parse_fd_not_regular),
	};
	if (argc > 1)
		return check_files(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
