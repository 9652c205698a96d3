/*
 * trace: system call tracing for `cloudabi-run --trace`. See trace.h.
 */
#include "trace.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cloudabi_syscall_info.h"
#include "rtthread.h"
#include "sys.h"
#include "usercopy.h"

/* Bytes of a path shown before "...". */
#define TRACE_STR_MAX 64

/* Every implementation, called with all seven argument registers: each
 * argument of every call fits one register, so this is ABI-compatible. */
typedef cloudabi_errno_t trace_fn(uint64_t, uint64_t, uint64_t, uint64_t,
                                  uint64_t, uint64_t, uint64_t);

/* The real implementations, saved when the table is taken over. */
static trace_fn *trace_real[CLOUDABI_SYSCALL_COUNT];
static const int *trace_fd;

static const char *const trace_errnos[] = {
        "ESUCCESS",
        "E2BIG",
        "EACCES",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "EAFNOSUPPORT",
        "EAGAIN",
        "EALREADY",
        "EBADF",
        "EBADMSG",
        "EBUSY",
        "ECANCELED",
        "ECHILD",
        "ECONNABORTED",
        "ECONNREFUSED",
        "ECONNRESET",
        "EDEADLK",
        "EDESTADDRREQ",
        "EDOM",
        "EDQUOT",
        "EEXIST",
        "EFAULT",
        "EFBIG",
        "EHOSTUNREACH",
        "EIDRM",
        "EILSEQ",
        "EINPROGRESS",
        "EINTR",
        "EINVAL",
        "EIO",
        "EISCONN",
        "EISDIR",
        "ELOOP",
        "EMFILE",
        "EMLINK",
        "EMSGSIZE",
        "EMULTIHOP",
        "ENAMETOOLONG",
        "ENETDOWN",
        "ENETRESET",
        "ENETUNREACH",
        "ENFILE",
        "ENOBUFS",
        "ENODEV",
        "ENOENT",
        "ENOEXEC",
        "ENOLCK",
        "ENOLINK",
        "ENOMEM",
        "ENOMSG",
        "ENOPROTOOPT",
        "ENOSPC",
        "ENOSYS",
        "ENOTCONN",
        "ENOTDIR",
        "ENOTEMPTY",
        "ENOTRECOVERABLE",
        "ENOTSOCK",
        "ENOTSUP",
        "ENOTTY",
        "ENXIO",
        "EOVERFLOW",
        "EOWNERDEAD",
        "EPERM",
        "EPIPE",
        "EPROTO",
        "EPROTONOSUPPORT",
        "EPROTOTYPE",
        "ERANGE",
        "EROFS",
        "ESPIPE",
        "ESRCH",
        "ESTALE",
        "ETIMEDOUT",
        "ETXTBSY",
        "EXDEV",
        "ENOTCAPABLE",
};
_Static_assert(sizeof(trace_errnos) / sizeof(trace_errnos[0]) ==
                       CLOUDABI_ENOTCAPABLE + 1,
               "one name per errno");

/* ABI types narrower than a register: the program's upper bits are
 * undefined, so values are masked to this many bytes before printing. */
static const struct {
	const char *name;
	unsigned char size;
} trace_sizes[] = {
        {"advice", 1},   {"clockid", 4},  {"exitcode", 4}, {"fd", 4},
        {"fdsflags", 2}, {"filetype", 1}, {"fsflags", 2},  {"mflags", 1},
        {"mprot", 1},    {"msflags", 1},  {"nthreads", 4}, {"oflags", 2},
        {"scope", 1},    {"sdflags", 1},  {"signal", 1},   {"tid", 4},
        {"ulflags", 1},  {"whence", 1},
};

/* An output line under construction; overflow is cut and marked. */
struct trace_buf {
	char *p;
	size_t len, cap;
};

const char *trace_errno_name(cloudabi_errno_t e)
{
	return e <= CLOUDABI_ENOTCAPABLE ? trace_errnos[e] : NULL;
}

/* Appends n bytes, silently dropping what does not fit. */
static void trace_put(struct trace_buf *b, const char *s, size_t n)
{
	while (n-- > 0 && b->len < b->cap)
		b->p[b->len++] = *s++;
}

/* Appends a C string. */
static void trace_puts(struct trace_buf *b, const char *s)
{
	trace_put(b, s, strlen(s));
}

/* Appends v in decimal. */
static void trace_dec(struct trace_buf *b, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	trace_put(b, d + i, sizeof(d) - i);
}

/* Appends v in hexadecimal with a 0x prefix. */
static void trace_hex(struct trace_buf *b, uint64_t v)
{
	char d[16];
	size_t i = sizeof(d);

	do
		d[--i] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	trace_put(b, "0x", 2);
	trace_put(b, d + i, sizeof(d) - i);
}

/* The size in bytes of ABI type `type` (8 unless listed as narrower). */
static unsigned trace_size(const char *type)
{
	for (size_t i = 0; i < sizeof(trace_sizes) / sizeof(trace_sizes[0]);
	     i++)
		if (strcmp(trace_sizes[i].name, type) == 0)
			return trace_sizes[i].size;
	return 8;
}

/* v cut to the width of `type`. */
static uint64_t trace_mask(const char *type, uint64_t v)
{
	unsigned size = trace_size(type);

	return size >= 8 ? v : v & ((UINT64_C(1) << (size * 8)) - 1);
}

/* Flags and rights read better in hexadecimal, counts in decimal. */
static int trace_is_bits(const char *type)
{
	size_t n = strlen(type);

	return (n >= 5 && strcmp(type + n - 5, "flags") == 0) ||
	       strcmp(type, "rights") == 0 || strcmp(type, "mprot") == 0;
}

/* Appends the program's text p[0..len) quoted and escaped, shortened to
 * TRACE_STR_MAX bytes; the address alone if it cannot be read. */
static void trace_str(struct trace_buf *b, uint64_t p, uint64_t len)
{
	char s[TRACE_STR_MAX];
	size_t n = len < sizeof(s) ? (size_t)len : sizeof(s);

	if (n > 0 && usercopy_read(s, (const void *)(uintptr_t)p, n) != 0) {
		trace_hex(b, p);
		return;
	}
	trace_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			trace_put(b, "\\", 1);
			trace_put(b, &s[i], 1);
		} else if (c >= 0x20 && c < 0x7f) {
			trace_put(b, &s[i], 1);
		} else {
			trace_put(b, "\\x", 2);
			trace_put(b, &"0123456789abcdef"[c >> 4], 1);
			trace_put(b, &"0123456789abcdef"[c & 15], 1);
		}
	}
	trace_put(b, "\"", 1);
	if (len > n)
		trace_put(b, "...", 3);
}

/* Appends the value an out pointer received, or its address when the
 * call failed or the value cannot be read. */
static void trace_out(struct trace_buf *b, const char *type, uint64_t p,
                      int done, cloudabi_errno_t rc)
{
	uint64_t v = 0;
	unsigned size = trace_size(type);

	if (!done || rc != CLOUDABI_ESUCCESS ||
	    usercopy_read(&v, (const void *)(uintptr_t)p, size) != 0) {
		trace_hex(b, p);
		return;
	}
	trace_put(b, "[", 1);
	if (strcmp(type, "ptr void") == 0)
		trace_hex(b, v);
	else
		trace_dec(b, v);
	trace_put(b, "]", 1);
}

/* Appends one argument according to its kind. */
static void trace_arg(struct trace_buf *b, const struct cloudabi_syscall_arg *a,
                      const uint64_t *args, unsigned i, int done,
                      cloudabi_errno_t rc)
{
	uint64_t v = args[i];

	switch (a->kind) {
	case CLOUDABI_ARG_SINT:
		if ((int64_t)v < 0) {
			trace_put(b, "-", 1);
			v = -v;
		}
		trace_dec(b, v);
		break;
	case CLOUDABI_ARG_FD:
		trace_dec(b, (uint32_t)v);
		break;
	case CLOUDABI_ARG_STR:
		/* Output buffers (non-const ranges) hold nothing yet. */
		if (strncmp(a->type, "crange", 6) == 0 && i + 1 < 7)
			trace_str(b, v, args[i + 1]);
		else
			trace_hex(b, v);
		break;
	case CLOUDABI_ARG_OUT:
		trace_out(b, a->type, v, done, rc);
		break;
	case CLOUDABI_ARG_STRUCT:
		/* The only one is a lookup: the fd, then the flags. */
		trace_puts(b, "{fd=");
		trace_dec(b, (uint32_t)v);
		trace_puts(b, ", flags=");
		trace_hex(b, v >> 32);
		trace_puts(b, "}");
		break;
	case CLOUDABI_ARG_PTR:
	case CLOUDABI_ARG_BUF:
		trace_hex(b, v);
		break;
	case CLOUDABI_ARG_LEN:
	case CLOUDABI_ARG_UINT:
		v = trace_mask(a->type, v);
		if (trace_is_bits(a->type))
			trace_hex(b, v);
		else
			trace_dec(b, v);
		break;
	}
}

size_t trace_format(char *buf, uint32_t tid, unsigned sys,
                    const uint64_t args[7], int done, cloudabi_errno_t rc)
{
	struct trace_buf b = {buf, 0, TRACE_LINE_MAX - 5};
	const struct cloudabi_syscall_info *info;
	const char *name;

	trace_put(&b, "[", 1);
	trace_dec(&b, tid);
	trace_put(&b, "] ", 2);
	if (sys >= CLOUDABI_SYSCALL_COUNT) {
		trace_puts(&b, "?()");
		done = 0;
		goto end;
	}
	info = &cloudabi_syscall_info[sys];
	trace_puts(&b, info->name);
	trace_put(&b, "(", 1);
	for (unsigned i = 0; i < info->nargs; i++) {
		if (i > 0)
			trace_put(&b, ", ", 2);
		trace_puts(&b, info->args[i].name);
		trace_put(&b, "=", 1);
		trace_arg(&b, &info->args[i], args, i, done, rc);
	}
	trace_put(&b, ")", 1);
end:
	if (!done) {
		trace_puts(&b, " ...");
	} else {
		trace_puts(&b, " = ");
		name = trace_errno_name(rc);
		if (name != NULL)
			trace_puts(&b, name);
		else
			trace_dec(&b, rc);
	}
	/* The room kept back: the mark of a cut line and the newline. */
	if (b.len == b.cap) {
		b.cap += 3;
		trace_put(&b, "...", 3);
	}
	buf[b.len++] = '\n';
	buf[b.len] = '\0';
	return b.len;
}

/* Formats and writes one line; errors are ignored (nowhere to report). */
static void trace_log(unsigned sys, const uint64_t args[7], int done,
                      cloudabi_errno_t rc)
{
	char line[TRACE_LINE_MAX];
	struct rtthread *t = rtthread_self();
	int fd = *trace_fd;
	size_t len;

	if (fd < 0)
		return;
	len = trace_format(line, t != NULL ? t->tid : 0, sys, args, done, rc);
	while (write(fd, line, len) < 0 && errno == EINTR)
		;
}

/* What every traced vDSO entry calls instead of the implementation. */
static cloudabi_errno_t trace_call(uint64_t a0, uint64_t a1, uint64_t a2,
                                   uint64_t a3, uint64_t a4, uint64_t a5,
                                   uint64_t a6)
{
	const uint64_t args[7] = {a0, a1, a2, a3, a4, a5, a6};
	unsigned sys = rtthread_self()->cursys;
	cloudabi_errno_t rc;

	/* Calls that may not come back are shown before they run. */
	if (cloudabi_syscall_info[sys].no_return ||
	    sys == CLOUDABI_SYS_PROC_EXEC)
		trace_log(sys, args, 0, 0);
	rc = trace_real[sys](a0, a1, a2, a3, a4, a5, a6);
	trace_log(sys, args, 1, rc);
	return rc;
}

void trace_init(const int *log_fd)
{
	trace_fd = log_fd;
	for (unsigned i = 0; i < CLOUDABI_SYSCALL_COUNT; i++) {
		if (rtthread_syscalls[i] == NULL)
			continue;
		trace_real[i] = (trace_fn *)rtthread_syscalls[i];
		rtthread_syscalls[i] = (void *)trace_call;
		/* The tracer formats with glibc: never on the program's %fs. */
		rtthread_fsfree[i] = 0;
	}
}
