/*
 * test_elfcheck.c: cmocka tests showing that each check of elfcheck.c can
 * fail. Each test takes a fresh copy of a good guest (path in argv[1]),
 * breaks one property, and expects a rejection.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elfcheck.h"

#define TEST_MAX (16u << 20)

static uint8_t *test_good;
static size_t test_len;

/* A private, writable copy of the good image; the caller frees it. */
static uint8_t *test_copy(void)
{
	uint8_t *img = malloc(test_len);

	assert_non_null(img);
	memcpy(img, test_good, test_len);
	return img;
}

/* Runs the check on img and returns its result; prints the reason. */
static int test_check(const uint8_t *img, size_t len)
{
	struct elfcheck_info info;
	char why[256];
	int error;

	error = elfcheck_image(img, len, &info, why, sizeof(why));
	if (error != 0)
		printf("# rejected: %s\n", why);
	return error;
}

/* The program header of the given type in img (must exist). */
static Elf64_Phdr *test_phdr(uint8_t *img, uint32_t type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);
	size_t i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == type)
			return &ph[i];
	}
	fail_msg("no program header of type %u", type);
	return NULL;
}

static void test_good_passes(void **state)
{
	struct elfcheck_info info;
	char why[256];

	(void)state;
	assert_int_equal(
	        elfcheck_image(test_good, test_len, &info, why, sizeof(why)),
	        0);
	assert_true(info.nrelocs > 0);
	assert_true(info.nloads >= 3);
}

static void test_header_fields(void **state)
{
	uint8_t *img = test_copy();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	(void)state;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	memcpy(img, test_good, sizeof(*eh));
	eh->e_type = ET_EXEC;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	memcpy(img, test_good, sizeof(*eh));
	eh->e_machine = EM_AARCH64;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	memcpy(img, test_good, sizeof(*eh));
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	assert_int_equal(test_check(img, 40), -EINVAL); /* truncated */
	free(img);
}

static void test_segments(void **state)
{
	uint8_t *img = test_copy();

	(void)state;
	test_phdr(img, PT_LOAD)->p_offset += 8;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	free(img);
	img = test_copy();
	test_phdr(img, PT_GNU_STACK)->p_type = PT_INTERP;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	free(img);
	img = test_copy();
	/* The first PT_LOAD is the one at 0: move it up a page. */
	test_phdr(img, PT_LOAD)->p_vaddr += 4096;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	free(img);
}

static void test_relocation_type(void **state)
{
	uint8_t *img = test_copy();
	Elf64_Phdr *dp = test_phdr(img, PT_DYNAMIC);
	Elf64_Dyn *d = (Elf64_Dyn *)(img + dp->p_offset);
	Elf64_Rela *rela = NULL;

	(void)state;
	for (; d->d_tag != DT_NULL; d++) {
		/* Segments are page-aligned with offset == vaddr here. */
		if (d->d_tag == DT_RELA)
			rela = (Elf64_Rela *)(img + d->d_un.d_ptr);
	}
	assert_non_null(rela);
	assert_int_equal(ELF64_R_TYPE(rela->r_info), R_X86_64_RELATIVE);
	rela->r_info = ELF64_R_INFO(0, R_X86_64_64);
	assert_int_equal(test_check(img, test_len), -EINVAL);
	free(img);
}

static void test_entry_symbol(void **state)
{
	uint8_t *img = test_copy();

	(void)state;
	((Elf64_Ehdr *)img)->e_entry += 1;
	assert_int_equal(test_check(img, test_len), -EINVAL);
	free(img);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good_passes),
	        cmocka_unit_test(test_header_fields),
	        cmocka_unit_test(test_segments),
	        cmocka_unit_test(test_relocation_type),
	        cmocka_unit_test(test_entry_symbol),
	};
	FILE *f;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: test_elfcheck GUEST\n");
		return 1;
	}
	test_good = malloc(TEST_MAX);
	if (test_good == NULL)
		return 1;
	test_len = fread(test_good, 1, TEST_MAX, f);
	fclose(f);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
