/*
 * guest_check: a CloudABI program that checks, from the inside, what crt0
 * promised: TLS initialised from PT_TLS (tdata copied, tbss zeroed, the
 * alignment honoured), constructors from .init_array and from a classic
 * .ctors entry, relocated pointer tables (many R_X86_64_RELATIVE, some in
 * RELRO), the auxv accessors, the stack guard, and ENOSYS for a call the
 * vDSO does not offer.
 *
 * It receives an fd (the whole argdata), writes one line per failed check
 * to it and exits with the number of failures (0 = all good).
 */
#include <cloudabi_syscalls.h>
#include <crt0.h>
#include <program.h>
#include <sdk_fmt.h>
#include <sdk_io.h>
#include <sdk_string.h>

/* Thread-locals: one initialised (tdata), over-aligned, and tbss. */
static _Thread_local int check_tls_init = 0x5eed;
static _Alignas(64) _Thread_local char check_tls_aligned[3] = {'a', 'b', 'c'};
static _Thread_local long check_tls_zero[16];

/* Constructors bump these; order: .ctors first, then .init_array. The
 * counter is volatile so that the optimiser cannot run the constructor at
 * compile time (clang folds simple constructors into initialisers). */
static volatile int check_ctor_seq;
static int check_ctor_legacy_at, check_ctor_modern_at;

static void check_ctor_legacy(void)
{
	check_ctor_legacy_at = ++check_ctor_seq;
}

__attribute__((constructor)) static void check_ctor_modern(void)
{
	check_ctor_modern_at = ++check_ctor_seq;
}

/* A .ctors entry as the original toolchain emitted it (-fno-use-init-array
 * puts constructors there): a pointer that needs a RELATIVE relocation. */
__attribute__((used, section(".ctors"))) static void (*check_ctors_entry)(
        void) = check_ctor_legacy;

/* Pointer tables: const ones land in RELRO (.data.rel.ro), the writable
 * one in .data; each entry is one relocation. */
static const char *const check_words[] = {
        "zero", "one",   "two",   "three", "four", "five",
        "six",  "seven", "eight", "nine",  "ten",  "eleven",
};
static int check_values[8] = {0, 10, 20, 30, 40, 50, 60, 70};
static int *const check_value_ptrs[] = {
        &check_values[0], &check_values[1], &check_values[2], &check_values[3],
        &check_values[4], &check_values[5], &check_values[6], &check_values[7],
};
static const char **check_mutable_ptr = (const char **)&check_words[3];

extern uintptr_t __stack_chk_guard;

static uint32_t check_fd;
static int check_failures;

/* Reports a failed check by name. */
static void check(int ok, const char *what)
{
	if (ok)
		return;
	check_failures++;
	sdk_io_write_str(check_fd, "guest_check: FAIL ");
	sdk_io_write_str(check_fd, what);
	sdk_io_write_str(check_fd, "\n");
}

/* Bounded string equality (no libc strcmp). */
static int check_streq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strlen(a) == n && memcmp(a, b, n) == 0;
}

/* TLS contents and layout. */
static void check_tls(void)
{
	size_t i;
	int zero = 1;

	check(check_tls_init == 0x5eed, "tdata int copied");
	check(memcmp(check_tls_aligned, "abc", 3) == 0, "tdata chars copied");
	check(((uintptr_t)check_tls_aligned & 63) == 0, "tls 64-alignment");
	for (i = 0; i < sizeof(check_tls_zero) / sizeof(check_tls_zero[0]); i++)
		zero &= check_tls_zero[i] == 0;
	check(zero, "tbss zeroed");
	check_tls_init++;
	check(check_tls_init == 0x5eee, "tls writable");
}

/* Relocated pointers, constructors, auxv facts, the vDSO fallback. */
static void check_image(void)
{
	char num[SDK_FMT_MAX];
	size_t i;
	int ok = 1;

	check(check_streq(check_words[0], "zero") &&
	              check_streq(check_words[11], "eleven"),
	      "relro string table");
	for (i = 0; i < 8; i++)
		ok &= *check_value_ptrs[i] == (int)(10 * i);
	check(ok, "relro pointer table");
	check(check_streq(*check_mutable_ptr, "three"), "data pointer");
	check(check_ctor_legacy_at == 1, ".ctors constructor ran first");
	check(check_ctor_modern_at == 2, ".init_array constructor ran next");
	check(crt0_pagesize() == 4096, "AT_PAGESZ");
	check(crt0_tid() != 0 && crt0_tid() < 0x40000000, "AT_TID");
	check(crt0_pid() != NULL, "AT_PID");
	check(crt0_base() != 0 && (crt0_base() & 4095) == 0, "AT_BASE");
	check(__stack_chk_guard == 0x0807060504030201, "guard from AT_CANARY");
	check(cloudabi_sys_thread_yield() == CLOUDABI_ENOSYS,
	      "unbound call gives ENOSYS");
	check(sdk_fmt_i64(num, -9223372036854775807 - 1) == 20 &&
	              check_streq(num, "-9223372036854775808"),
	      "fmt INT64_MIN");
}

void program_main(const argdata_t *ad)
{
	if (argdata_get_fd(ad, &check_fd) != 0)
		sdk_io_exit(100);
	check_tls();
	check_image();
	if (check_failures == 0)
		sdk_io_write_str(check_fd, "guest_check: ok\n");
	sdk_io_exit((uint32_t)check_failures);
}
