/*
 * Conformance: mem_map, mem_unmap, mem_sync and mem_advise (mem_protect is
 * in basic.c): anonymous and fd mappings, shared memory seen through two
 * mappings, W^X, rights, flag validation, bad pointers. The YAML grants
 * "file", an empty read-write file.
 */
#include "harness.h"

#include <sdk_string.h>

#define R(x)         CLOUDABI_RIGHT_##x
#define PAGE         4096
#define RW           (CLOUDABI_PROT_READ | CLOUDABI_PROT_WRITE)
#define ANON_PRIVATE (CLOUDABI_MAP_ANON | CLOUDABI_MAP_PRIVATE)
#define ANON_FD      CLOUDABI_MAP_ANON_FD
#define BAD_PTR      ((void *)16)

/* Maps len bytes of anonymous private memory with prot; NULL on failure. */
static char *anon(size_t len, cloudabi_mprot_t prot)
{
	void *m = NULL;

	CHECK_OK(cloudabi_sys_mem_map(NULL, len, prot, ANON_PRIVATE, ANON_FD, 0,
	                              &m));
	return m;
}

/* Narrows fd's base rights to `base`. */
static cloudabi_errno_t narrow(cloudabi_fd_t fd, cloudabi_rights_t base)
{
	cloudabi_fdstat_t st = {.fs_rights_base = base};

	return cloudabi_sys_fd_stat_put(fd, &st, CLOUDABI_FDSTAT_RIGHTS);
}

/* Anonymous memory: zeroed, usable, unmapped; fixed mappings replace. */
static void check_anon(void)
{
	char *m = anon(2 * PAGE, RW);
	void *f = NULL;

	if (m == NULL)
		return;
	CHECK(m[0] == 0 && m[2 * PAGE - 1] == 0);
	memset(m, 0x5a, 2 * PAGE);
	CHECK_OK(cloudabi_sys_mem_map(m + PAGE, PAGE, RW,
	                              ANON_PRIVATE | CLOUDABI_MAP_FIXED,
	                              ANON_FD, 0, &f));
	CHECK(f == m + PAGE);
	CHECK(m[0] == 0x5a && m[PAGE] == 0);
	CHECK_ERRNO(cloudabi_sys_mem_map(m + 1, PAGE, RW,
	                                 ANON_PRIVATE | CLOUDABI_MAP_FIXED,
	                                 ANON_FD, 0, &f),
	            CLOUDABI_EINVAL);
	/* dontneed is a hint: the data stays (unlike Linux MADV_DONTNEED). */
	CHECK_OK(cloudabi_sys_mem_advise(m, PAGE, CLOUDABI_ADVICE_DONTNEED));
	CHECK(m[0] == 0x5a);
	CHECK_ERRNO(cloudabi_sys_mem_unmap(m + 1, PAGE), CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_mem_unmap(m, 2 * PAGE));
	/* Gone: syncing it reports unmapped memory. */
	CHECK_ERRNO(cloudabi_sys_mem_sync(m, PAGE, CLOUDABI_MS_ASYNC),
	            CLOUDABI_ENOMEM);
	/* Shared anonymous memory exists too. */
	CHECK_OK(cloudabi_sys_mem_map(NULL, PAGE, RW,
	                              CLOUDABI_MAP_ANON | CLOUDABI_MAP_SHARED,
	                              ANON_FD, 0, &f));
	CHECK_OK(cloudabi_sys_mem_unmap(f, PAGE));
}

/* Bad flags, protections, fds and offsets are refused. */
static void check_map_errors(void)
{
	void *m = NULL;

	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, CLOUDABI_MAP_ANON,
	                                 ANON_FD, 0, &m),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW,
	                                 ANON_PRIVATE | CLOUDABI_MAP_SHARED,
	                                 ANON_FD, 0, &m),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, ANON_PRIVATE | 0x10,
	                                 ANON_FD, 0, &m),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, 0x08, ANON_PRIVATE,
	                                 ANON_FD, 0, &m),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_mem_map(NULL, PAGE, RW, ANON_PRIVATE, 0, 0, &m),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, ANON_PRIVATE, ANON_FD,
	                                 PAGE, &m),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_mem_map(NULL, 0, RW, ANON_PRIVATE, ANON_FD, 0, &m),
	        CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, CLOUDABI_MAP_PRIVATE,
	                                 9999, 0, &m),
	            CLOUDABI_EBADF);
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, ANON_PRIVATE, ANON_FD,
	                                 0, BAD_PTR),
	            CLOUDABI_EFAULT);
	CHECK(m == NULL);
}

/* W^X: writable and executable at once is never granted. */
static void check_wx(void)
{
	void *m = NULL;
	char *x;

	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW | CLOUDABI_PROT_EXEC,
	                                 ANON_PRIVATE, ANON_FD, 0, &m),
	            CLOUDABI_ENOTSUP);
	CHECK(m == NULL);
	x = anon(PAGE, CLOUDABI_PROT_READ | CLOUDABI_PROT_EXEC);
	if (x == NULL)
		return;
	CHECK(x[0] == 0);
	CHECK_ERRNO(cloudabi_sys_mem_protect(x, PAGE, RW | CLOUDABI_PROT_EXEC),
	            CLOUDABI_ENOTSUP);
	CHECK_OK(cloudabi_sys_mem_unmap(x, PAGE));
}

/* Fills the new shared memory object fd with two pages of bytes. */
static void fill_shm(cloudabi_fd_t fd)
{
	static char pages[2 * PAGE];
	cloudabi_ciovec_t iov = {.buf = pages, .buf_len = sizeof(pages)};
	size_t n = 0;

	memset(pages, 'a', PAGE);
	memset(pages + PAGE, 'b', PAGE);
	CHECK_OK(cloudabi_sys_fd_write(fd, &iov, 1, &n));
	CHECK(n == sizeof(pages));
}

/* Two shared mappings of one object see each other's writes. */
static void check_shm(void)
{
	cloudabi_fd_t fd;
	char *a = NULL, *b = NULL, *c = NULL;
	int s = CLOUDABI_MAP_SHARED;

	CHECK_OK(cloudabi_sys_fd_create1(CLOUDABI_FILETYPE_SHARED_MEMORY, &fd));
	fill_shm(fd);
	CHECK_OK(cloudabi_sys_mem_map(NULL, 2 * PAGE, RW, s, fd, 0,
	                              (void **)&a));
	CHECK_OK(
	        cloudabi_sys_mem_map(NULL, PAGE, RW, s, fd, PAGE, (void **)&b));
	if (a == NULL || b == NULL)
		return;
	CHECK(a != b && a[0] == 'a' && b[0] == 'b');
	a[PAGE + 5] = 'Q';
	CHECK(b[5] == 'Q');
	b[6] = 'R';
	CHECK(a[PAGE + 6] == 'R');
	CHECK_ERRNO(
	        cloudabi_sys_mem_map(NULL, PAGE, RW, s, fd, 100, (void **)&c),
	        CLOUDABI_EINVAL);
	/* Executable (read-only) mappings need mem_map_exec. */
	CHECK_OK(cloudabi_sys_mem_map(
	        NULL, PAGE, CLOUDABI_PROT_READ | CLOUDABI_PROT_EXEC,
	        CLOUDABI_MAP_PRIVATE, fd, 0, (void **)&c));
	CHECK(c != NULL && c[0] == 'a');
	CHECK_OK(cloudabi_sys_mem_unmap(c, PAGE));
	CHECK_OK(narrow(fd, R(MEM_MAP)));
	CHECK_ERRNO(cloudabi_sys_mem_map(
	                    NULL, PAGE, CLOUDABI_PROT_READ | CLOUDABI_PROT_EXEC,
	                    CLOUDABI_MAP_PRIVATE, fd, 0, (void **)&c),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(narrow(fd, 0));
	CHECK_ERRNO(cloudabi_sys_mem_map(NULL, PAGE, RW, s, fd, 0, (void **)&c),
	            CLOUDABI_ENOTCAPABLE);
	CHECK_OK(cloudabi_sys_fd_close(fd));
	/* The mappings outlive the descriptor. */
	CHECK(a[PAGE + 5] == 'Q');
	CHECK_OK(cloudabi_sys_mem_unmap(a, 2 * PAGE));
	CHECK_OK(cloudabi_sys_mem_unmap(b, PAGE));
}

/* A shared file mapping written and synced is what the file holds. */
static void check_file(cloudabi_fd_t f)
{
	static char page[PAGE];
	cloudabi_ciovec_t w = {.buf = page, .buf_len = PAGE};
	char buf[4];
	cloudabi_iovec_t r = {.buf = buf, .buf_len = sizeof(buf)};
	size_t n = 0;
	char *m = NULL;

	memset(page, 'f', PAGE);
	CHECK_OK(cloudabi_sys_fd_pwrite(f, &w, 1, 0, &n));
	CHECK_OK(cloudabi_sys_mem_map(NULL, PAGE, RW, CLOUDABI_MAP_SHARED, f, 0,
	                              (void **)&m));
	if (m == NULL)
		return;
	CHECK(m[0] == 'f');
	memcpy(m + 10, "map!", 4);
	CHECK_OK(cloudabi_sys_mem_sync(m, PAGE, CLOUDABI_MS_SYNC));
	CHECK_OK(cloudabi_sys_mem_sync(
	        m, PAGE, CLOUDABI_MS_ASYNC | CLOUDABI_MS_INVALIDATE));
	CHECK_ERRNO(cloudabi_sys_mem_sync(m, PAGE,
	                                  CLOUDABI_MS_ASYNC | CLOUDABI_MS_SYNC),
	            CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_sync(m, PAGE, 0x08), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_sync(m + 1, PAGE, CLOUDABI_MS_SYNC),
	            CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_fd_pread(f, &r, 1, 10, &n));
	CHECK(n == 4 && memcmp(buf, "map!", 4) == 0);
	CHECK_OK(cloudabi_sys_mem_unmap(m, PAGE));
}

/* Every advice is accepted on mapped memory; unknown ones are not. */
static void check_advise(void)
{
	char *m = anon(PAGE, RW);

	if (m == NULL)
		return;
	for (unsigned a = CLOUDABI_ADVICE_DONTNEED;
	     a <= CLOUDABI_ADVICE_WILLNEED; a++)
		CHECK_OK(
		        cloudabi_sys_mem_advise(m, PAGE, (cloudabi_advice_t)a));
	CHECK_ERRNO(cloudabi_sys_mem_advise(m, PAGE, 0), CLOUDABI_EINVAL);
	CHECK_ERRNO(cloudabi_sys_mem_advise(m, PAGE, 7), CLOUDABI_EINVAL);
	CHECK_ERRNO(
	        cloudabi_sys_mem_advise(m + 1, PAGE, CLOUDABI_ADVICE_NORMAL),
	        CLOUDABI_EINVAL);
	CHECK_OK(cloudabi_sys_mem_unmap(m, PAGE));
}

void conf_main(void)
{
	int f = conf_fd("file");

	check_anon();
	check_map_errors();
	check_wx();
	check_shm();
	check_advise();
	CHECK(f >= 0);
	if (f >= 0)
		check_file((cloudabi_fd_t)f);
}
