/*
 * Conformance: proc_exec. Stage 1 checks the error paths (the process
 * survives each), then executes itself (its "exe" grant) with a new
 * argdata and a new fd layout; stage 2 checks that layout: fds in the
 * order given, rights kept, every other fd closed, then executes stage 3
 * from a second thread while the first one runs. Only stage 3 exits 0.
 */
#include "harness.h"

#include <sdk_string.h>

#include "thread_sync.h"

static unsigned proc_exec_bad;

/* CHECK_ERRNO that also counts, so that stage 1 knows whether to go on. */
#define EXPECT(call, want)                                                     \
	do {                                                                   \
		unsigned got_ = (unsigned)(call);                              \
		if (got_ != (unsigned)(want)) {                                \
			proc_exec_bad++;                                       \
			conf_fail_errno(__FILE__, __LINE__, #call, got_,       \
			                (unsigned)(want));                     \
		}                                                              \
	} while (0)

/* An argdata buffer under construction. */
struct proc_ad {
	uint8_t buf[256];
	size_t len;
};

/* Appends a subfield (one-byte length prefix) with a tag and payload. */
static void proc_ad_field(struct proc_ad *ad, uint8_t tag, const void *p,
                          size_t n)
{
	ad->buf[ad->len++] = (uint8_t)(0x80 | (n + 1));
	ad->buf[ad->len++] = tag;
	memcpy(ad->buf + ad->len, p, n);
	ad->len += n;
}

/* Appends key (a string) and an fd value. */
static void proc_ad_fd(struct proc_ad *ad, const char *key, uint32_t fd)
{
	uint8_t v[4] = {(uint8_t)(fd >> 24), (uint8_t)(fd >> 16),
	                (uint8_t)(fd >> 8), (uint8_t)fd};

	proc_ad_field(ad, 8, key, strlen(key) + 1);
	proc_ad_field(ad, 3, v, sizeof(v));
}

/* Appends key and a small non-negative int value (one payload byte). */
static void proc_ad_int(struct proc_ad *ad, const char *key, uint8_t v)
{
	proc_ad_field(ad, 8, key, strlen(key) + 1);
	proc_ad_field(ad, 5, &v, 1);
}

/* The rights of fd, or all ones when it has none. */
static cloudabi_rights_t proc_rights(cloudabi_fd_t fd)
{
	cloudabi_fdstat_t st;

	if (cloudabi_sys_fd_stat_get(fd, &st) != 0)
		return ~(cloudabi_rights_t)0;
	return st.fs_rights_base;
}

/* Error paths; each leaves the process as it was. */
static void stage1_errors(cloudabi_fd_t exe)
{
	cloudabi_fd_t fds[1] = {999};
	int notelf = conf_fd("notelf"), noexec = conf_fd("noexec");

	EXPECT(cloudabi_sys_proc_exec(999, "", 0, 0, 0), CLOUDABI_EBADF);
	EXPECT(cloudabi_sys_proc_exec((cloudabi_fd_t)noexec, "", 0, 0, 0),
	       CLOUDABI_ENOTCAPABLE);
	EXPECT(cloudabi_sys_proc_exec((cloudabi_fd_t)notelf, "", 0, 0, 0),
	       CLOUDABI_ENOEXEC);
	/* A directory has no proc_exec right. */
	EXPECT(cloudabi_sys_proc_exec(conf_tmpdir(), "", 0, 0, 0),
	       CLOUDABI_ENOTCAPABLE);
	EXPECT(cloudabi_sys_proc_exec(exe, "", 0, fds, 1), CLOUDABI_EBADF);
	EXPECT(cloudabi_sys_proc_exec(exe, "", 0, (cloudabi_fd_t *)16, 1),
	       CLOUDABI_EFAULT);
	EXPECT(cloudabi_sys_proc_exec(exe, (void *)16, 8, 0, 0),
	       CLOUDABI_EFAULT);
}

/* Executes this program again as stage 2 with a new fd layout. */
static void stage1(cloudabi_fd_t exe)
{
	cloudabi_fd_t log = (cloudabi_fd_t)conf_fd("log"), tmp = conf_tmpdir();
	cloudabi_fd_t fds[4] = {log, tmp, exe, log};
	struct proc_ad ad = {.len = 1};

	stage1_errors(exe);
	if (proc_exec_bad != 0)
		return;
	ad.buf[0] = 6; /* a map */
	proc_ad_int(&ad, "stage", 2);
	proc_ad_fd(&ad, "log", 0);
	proc_ad_fd(&ad, "tmpdir", 1);
	proc_ad_fd(&ad, "exe", 2);
	proc_ad_fd(&ad, "again", 3);
	/* A right that only the directory grant has, seen after the exec. */
	proc_ad_int(&ad, "tmpopen",
	            (proc_rights(tmp) & CLOUDABI_RIGHT_FILE_OPEN) != 0);
	CHECK_OK(cloudabi_sys_proc_exec(exe, ad.buf, ad.len, fds, 4));
	CHECK(!"proc_exec returned");
}

static struct ts_thread proc_exec_thread;

/* On a second thread: executes stage 3 with the log fd alone. */
static void stage2_exec(struct ts_thread *t, cloudabi_tid_t tid)
{
	cloudabi_fd_t fds[1] = {0};
	struct proc_ad ad = {.len = 1};

	(void)t, (void)tid;
	ad.buf[0] = 6;
	proc_ad_int(&ad, "stage", 3);
	proc_ad_fd(&ad, "log", 0);
	cloudabi_sys_proc_exec(2, ad.buf, ad.len, fds, 1);
	conf_log("FAIL: proc_exec from a thread returned");
	cloudabi_sys_proc_exit(1);
}

/* Stage 3: exec'd from a thread while the main thread ran. */
static void stage3(void)
{
	cloudabi_fdstat_t st;

	CHECK(conf_fd("log") == 0);
	CHECK_OK(cloudabi_sys_fd_stat_get(0, &st));
	for (cloudabi_fd_t fd = 1; fd < 64; fd++)
		CHECK_ERRNO(cloudabi_sys_fd_stat_get(fd, &st), CLOUDABI_EBADF);
}

/* The new image: fds 0..3 as listed, nothing else. */
static void stage2(void)
{
	argdata_t v = conf_value("tmpopen");
	int64_t tmpopen = -1;
	cloudabi_fdstat_t st;

	CHECK(conf_fd("log") == 0 && conf_fd("tmpdir") == 1);
	CHECK_OK(cloudabi_sys_fd_stat_get(1, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_DIRECTORY);
	CHECK(argdata_get_int(&v, &tmpopen) == 0 && tmpopen == 1);
	CHECK((st.fs_rights_base & CLOUDABI_RIGHT_FILE_OPEN) != 0);
	CHECK((st.fs_rights_inheriting & CLOUDABI_RIGHT_FD_WRITE) != 0);
	CHECK_OK(cloudabi_sys_fd_stat_get(2, &st));
	CHECK(st.fs_filetype == CLOUDABI_FILETYPE_REGULAR_FILE);
	CHECK((st.fs_rights_base & CLOUDABI_RIGHT_PROC_EXEC) != 0);
	/* The same fd listed twice is two fds. */
	CHECK_OK(cloudabi_sys_fd_stat_get(3, &st));
	for (cloudabi_fd_t fd = 4; fd < 64; fd++)
		CHECK_ERRNO(cloudabi_sys_fd_stat_get(fd, &st), CLOUDABI_EBADF);
	/* Then exec from a second thread while this one keeps running: the
	 * exec ends it. A clean stage 3 is the only way to exit 0. */
	if (ts_start(&proc_exec_thread, stage2_exec) != 0) {
		CHECK(!"thread_create");
		return;
	}
	for (;;)
		cloudabi_sys_thread_yield();
}

void conf_main(void)
{
	argdata_t v = conf_value("stage");
	int64_t stage = 1;
	int exe = conf_fd("exe");

	argdata_get_int(&v, &stage);
	if (stage != 3)
		CHECK(exe >= 0);
	if (stage == 1 && exe >= 0)
		stage1((cloudabi_fd_t)exe);
	else if (stage == 2)
		stage2();
	else if (stage == 3)
		stage3();
	if (stage != 3)
		CHECK(!"stage 3 not reached");
}
