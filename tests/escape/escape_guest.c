/*
 * escape_guest: a hostile CloudABI program for the sandbox's escape tests.
 * It ignores the vDSO for its attempt and issues raw Linux system calls
 * with its own `syscall` instructions, as a malicious binary would: the
 * runtime's rights checks never see them, only the kernel (Landlock,
 * seccomp, the uid drop) can stop them.
 *
 * Its argdata is a map: "mode" (which attempt; one per launch), "log" (fd
 * for the one-line report) and whatever the attempt needs: "dir" (a
 * read-write directory grant), "rodir" (a directory granted read-only),
 * "rofile" (a file granted for reading), "path", "port", "pid", "abstract",
 * "handle" (a struct file_handle, raw bytes). Everything is borrowed from
 * the argdata buffer.
 *
 * Exit status: 3 when the attempt failed (the report names the step and
 * the Linux errno), 4 when it succeeded (an escape), 1 when the
 * configuration is unusable. A successful execve never returns: the
 * driver then sees the exec'd shell's effects instead.
 */
#include <argdata.h>
#include <program.h>
#include <sdk_fmt.h>
#include <sdk_io.h>
#include <sdk_string.h>

#define ESC_EXIT_CONFIG  1
#define ESC_EXIT_BLOCKED 3
#define ESC_EXIT_ESCAPED 4

/* Linux x86-64 system call numbers: facts of the kernel ABI. */
enum {
	NR_READ = 0,
	NR_WRITE = 1,
	NR_OPEN = 2,
	NR_CLOSE = 3,
	NR_MMAP = 9,
	NR_MPROTECT = 10,
	NR_SOCKET = 41,
	NR_CONNECT = 42,
	NR_SENDTO = 44,
	NR_SOCKETPAIR = 53,
	NR_BIND = 49,
	NR_LISTEN = 50,
	NR_EXECVE = 59,
	NR_KILL = 62,
	NR_PTRACE = 101,
	NR_SETUID = 105,
	NR_GETPPID = 110,
	NR_SETRESUID = 117,
	NR_MOUNT = 165,
	NR_OPENAT = 257,
	NR_MKDIRAT = 258,
	NR_UNLINKAT = 263,
	NR_UNSHARE = 272,
	NR_OPEN_BY_HANDLE_AT = 304,
	NR_BPF = 321,
	NR_IO_URING_SETUP = 425,
};

/* Linux constants used by the attempts. */
#define L_AT_FDCWD           (-100)
#define L_O_WRONLY           01
#define L_O_CREAT            0100
#define L_O_TRUNC            01000
#define L_PROT_RW            3
#define L_PROT_RWX           7
#define L_MAP_PRIVATE_ANON   0x22
#define L_AF_UNIX            1
#define L_AF_INET            2
#define L_SOCK_STREAM        1
#define L_SOCK_DGRAM         2
#define L_SIGUSR1            10
#define L_PTRACE_SEIZE       0x4206
#define L_PTRACE_DETACH      17
#define L_CLONE_NEWUSER      0x10000000
#define L_BPF_MAP_CREATE     0
#define L_BPF_MAP_TYPE_ARRAY 2

/* What every attempt sees: the configuration and the step under way. */
struct esc {
	argdata_t cfg;
	cloudabi_fd_t log;
	const char *step;
};

/* A raw Linux system call: the vDSO and the runtime are bypassed. */
static long esc_sys(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
	                   "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* Shorthands for calls with fewer arguments. */
#define SYS1(n, a)       esc_sys((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b)    esc_sys((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) esc_sys((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* The configuration's value for `key`; null argdata when absent. */
static argdata_t esc_value(const struct esc *e, const char *key)
{
	argdata_map_iterator_t it;
	argdata_t k, v, none = {0};
	const char *s;

	if (argdata_map_iterate(&e->cfg, &it) != 0)
		return none;
	while (argdata_map_next(&it, &k, &v) == 1)
		if (argdata_get_str_c(&k, &s) == 0 && strcmp(s, key) == 0)
			return v;
	return none;
}

/* Writes a string to the log. */
static void esc_say(const struct esc *e, const char *s)
{
	sdk_io_write_str(e->log, s);
}

/* Ends the program for a configuration it cannot use. */
static _Noreturn void esc_config_error(const struct esc *e, const char *key)
{
	esc_say(e, "escape_guest: configuration lacks ");
	esc_say(e, key);
	esc_say(e, "\n");
	sdk_io_exit(ESC_EXIT_CONFIG);
}

/* The string value of `key` (NUL-terminated), or exits. */
static const char *esc_str(const struct esc *e, const char *key)
{
	argdata_t v = esc_value(e, key);
	const char *s;

	if (argdata_get_str_c(&v, &s) != 0)
		esc_config_error(e, key);
	return s;
}

/* The fd value of `key`, or exits. */
static long esc_fd(const struct esc *e, const char *key)
{
	argdata_t v = esc_value(e, key);
	uint32_t fd;

	if (argdata_get_fd(&v, &fd) != 0)
		esc_config_error(e, key);
	return (long)fd;
}

/* The integer value of `key`, or exits. */
static long esc_int(const struct esc *e, const char *key)
{
	argdata_t v = esc_value(e, key);
	int64_t n;

	if (argdata_get_int(&v, &n) != 0)
		esc_config_error(e, key);
	return (long)n;
}

/* Reads what an escaped fd gives and logs it, so that the driver can look
 * for the secret in the report. */
static long esc_leak(struct esc *e, long fd)
{
	char buf[160];
	long n;

	e->step = "read";
	n = SYS3(NR_READ, fd, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (long i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = '.';
	esc_say(e, "read: ");
	sdk_io_write_all(e->log, buf, (size_t)n);
	esc_say(e, "\n");
	return 0;
}

/* Opens `path` relative to `dirfd` for reading and leaks its start. */
static long esc_read_at(struct esc *e, long dirfd, const char *path)
{
	long fd;

	e->step = "openat";
	fd = SYS3(NR_OPENAT, dirfd, path, 0);
	return fd < 0 ? fd : esc_leak(e, fd);
}

/* Opens `path` relative to `dirfd` with `flags` and writes a marker. */
static long esc_write_at(struct esc *e, long dirfd, const char *path,
                         long flags)
{
	static const char marker[] = "PWNED\n";
	long fd;

	e->step = "openat";
	fd = esc_sys(NR_OPENAT, dirfd, (long)path, flags, 0666, 0, 0);
	if (fd < 0)
		return fd;
	e->step = "write";
	return SYS3(NR_WRITE, fd, marker, sizeof(marker) - 1);
}

/* An absolute path, relative to the inherited working directory. */
static long esc_open_abs(struct esc *e)
{
	return esc_read_at(e, L_AT_FDCWD, esc_str(e, "path"));
}

/* An absolute path with the old open(2), which has no dirfd at all. */
static long esc_open_abs_legacy(struct esc *e)
{
	long fd;

	e->step = "open";
	fd = SYS2(NR_OPEN, esc_str(e, "path"), 0);
	return fd < 0 ? fd : esc_leak(e, fd);
}

/* An absolute path given to openat with a granted directory: the kernel
 * ignores the dirfd. */
static long esc_open_abs_dirfd(struct esc *e)
{
	return esc_read_at(e, esc_fd(e, "dir"), esc_str(e, "path"));
}

/* A relative path (with "..", or through a planted symlink) beneath the
 * granted directory. */
static long esc_read_dir(struct esc *e)
{
	return esc_read_at(e, esc_fd(e, "dir"), esc_str(e, "path"));
}

/* Writes through a path beneath the granted directory ("../x", a symlink
 * to a file outside). */
static long esc_write_dir(struct esc *e)
{
	return esc_write_at(e, esc_fd(e, "dir"), esc_str(e, "path"),
	                    L_O_WRONLY | L_O_CREAT | L_O_TRUNC);
}

/* Creates a file relative to the inherited working directory. */
static long esc_cwd_create(struct esc *e)
{
	return esc_write_at(e, L_AT_FDCWD, esc_str(e, "path"),
	                    L_O_WRONLY | L_O_CREAT);
}

/* Reopens, for writing, a file whose directory was granted read-only. */
static long esc_ro_reopen(struct esc *e)
{
	return esc_write_at(e, esc_fd(e, "rodir"), "ro.txt",
	                    L_O_WRONLY | L_O_TRUNC);
}

/* Reopens the read-only file fd for writing through /proc/self/fd. */
static long esc_ro_procfd(struct esc *e)
{
	char path[64] = "/proc/self/fd/";

	sdk_fmt_u64(path + strlen(path), (uint64_t)esc_fd(e, "rofile"));
	return esc_write_at(e, L_AT_FDCWD, path, L_O_WRONLY | L_O_TRUNC);
}

/* Creates a file in the directory granted read-only. */
static long esc_ro_create(struct esc *e)
{
	return esc_write_at(e, esc_fd(e, "rodir"), "created",
	                    L_O_WRONLY | L_O_CREAT);
}

/* Creates a directory in the directory granted read-only. */
static long esc_ro_mkdir(struct esc *e)
{
	e->step = "mkdirat";
	return SYS3(NR_MKDIRAT, esc_fd(e, "rodir"), "newdir", 0777);
}

/* Removes the file of the directory granted read-only. */
static long esc_ro_unlink(struct esc *e)
{
	e->step = "unlinkat";
	return SYS3(NR_UNLINKAT, esc_fd(e, "rodir"), "ro.txt", 0);
}

/* A new socket of `family`, connected to or bound at `addr`. */
static long esc_socket(struct esc *e, long family, const void *addr, long len,
                       int bind)
{
	long fd, r;

	e->step = "socket";
	fd = SYS3(NR_SOCKET, family, L_SOCK_STREAM, 0);
	if (fd < 0)
		return fd;
	e->step = bind ? "bind" : "connect";
	r = SYS3(bind ? NR_BIND : NR_CONNECT, fd, addr, len);
	if (r < 0 || !bind)
		return r;
	e->step = "listen";
	return SYS2(NR_LISTEN, fd, 1);
}

/* Fills a struct sockaddr_in for 127.0.0.1 and the configured port. */
static void esc_inet_addr(struct esc *e, unsigned char sa[16])
{
	long port = esc_int(e, "port");

	memset(sa, 0, 16);
	sa[0] = L_AF_INET;                  /* sin_family, little endian */
	sa[2] = (unsigned char)(port >> 8); /* sin_port, big endian */
	sa[3] = (unsigned char)port;
	sa[4] = 127;
	sa[7] = 1;
}

/* TCP connect to a listener of the test on the loopback. */
static long esc_tcp_connect(struct esc *e)
{
	unsigned char sa[16];

	esc_inet_addr(e, sa);
	return esc_socket(e, L_AF_INET, sa, sizeof(sa), 0);
}

/* TCP bind and listen on a loopback port. */
static long esc_tcp_bind(struct esc *e)
{
	unsigned char sa[16];

	esc_inet_addr(e, sa);
	return esc_socket(e, L_AF_INET, sa, sizeof(sa), 1);
}

/* Connects to a UNIX socket: abstract (leading NUL) or a path. */
static long esc_unix(struct esc *e, const char *name, int abstract)
{
	unsigned char sa[110];
	size_t len = strlen(name);

	if (len + 2 + (size_t)abstract > sizeof(sa))
		esc_config_error(e, "a short socket name");
	memset(sa, 0, sizeof(sa));
	sa[0] = L_AF_UNIX;
	memcpy(sa + 2 + abstract, name, len);
	return esc_socket(e, L_AF_UNIX, sa, (long)(2 + (size_t)abstract + len),
	                  0);
}

/* Connects to the test's abstract UNIX socket. */
static long esc_unix_abstract(struct esc *e)
{
	return esc_unix(e, esc_str(e, "abstract"), 1);
}

/* Connects to the test's UNIX socket at a path outside every grant. */
static long esc_unix_path(struct esc *e)
{
	return esc_unix(e, esc_str(e, "path"), 0);
}

/*
 * Sends a datagram to the test's UNIX datagram socket at a path outside
 * every grant, from a datagram pair of its own (no socket(2) needed:
 * sendto's address overrides the pair's peer).
 */
static long esc_unix_dgram(struct esc *e)
{
	unsigned char sa[110];
	const char *name = esc_str(e, "path");
	size_t len = strlen(name);
	int sv[2];
	long r;

	if (len + 2 > sizeof(sa))
		esc_config_error(e, "a short socket name");
	memset(sa, 0, sizeof(sa));
	sa[0] = L_AF_UNIX;
	memcpy(sa + 2, name, len);
	e->step = "socketpair";
	r = esc_sys(NR_SOCKETPAIR, L_AF_UNIX, L_SOCK_DGRAM, 0, (long)sv, 0, 0);
	if (r < 0)
		return r;
	e->step = "sendto";
	return esc_sys(NR_SENDTO, sv[0], (long)"escape", 6, 0, (long)sa,
	               (long)(2 + len));
}

/* Sends SIGUSR1 to the process that started the launcher. */
static long esc_kill_parent(struct esc *e)
{
	e->step = "kill";
	return SYS2(NR_KILL, SYS1(NR_GETPPID, 0), L_SIGUSR1);
}

/* Probes with signal 0 whether init could be signalled: harmless if it
 * succeeds, and the permission check is the same as for a real signal. */
static long esc_kill_init(struct esc *e)
{
	e->step = "kill";
	return SYS2(NR_KILL, 1, 0);
}

/* Attaches to `pid` with PTRACE_SEIZE (which does not stop it) and lets it
 * go at once when that worked. */
static long esc_ptrace(struct esc *e, long pid)
{
	long r;

	e->step = "ptrace";
	r = esc_sys(NR_PTRACE, L_PTRACE_SEIZE, pid, 0, 0, 0, 0);
	if (r == 0)
		esc_sys(NR_PTRACE, L_PTRACE_DETACH, pid, 0, 0, 0, 0);
	return r;
}

/* ptrace of the launcher's parent. */
static long esc_ptrace_parent(struct esc *e)
{
	return esc_ptrace(e, SYS1(NR_GETPPID, 0));
}

/* ptrace of another process of the test (started by root when the test
 * runs as root). */
static long esc_ptrace_other(struct esc *e)
{
	return esc_ptrace(e, esc_int(e, "pid"));
}

/* Runs /bin/sh with a command of the test (which creates a file). */
static long esc_execve(struct esc *e)
{
	const char *argv[] = {"/bin/sh", "-c", esc_str(e, "path"), NULL};
	const char *envp[] = {NULL};

	e->step = "execve";
	return SYS3(NR_EXECVE, argv[0], argv, envp);
}

/* An anonymous mapping both writable and executable. */
static long esc_mmap_wx(struct esc *e)
{
	e->step = "mmap";
	return esc_sys(NR_MMAP, 0, 4096, L_PROT_RWX, L_MAP_PRIVATE_ANON, -1, 0);
}

/* A writable mapping made executable as well. */
static long esc_mprotect_wx(struct esc *e)
{
	long p;

	e->step = "mmap";
	p = esc_sys(NR_MMAP, 0, 4096, L_PROT_RW, L_MAP_PRIVATE_ANON, -1, 0);
	if (p < 0 && p > -4096)
		return p;
	e->step = "mprotect";
	return SYS3(NR_MPROTECT, p, 4096, L_PROT_RWX);
}

/* An io_uring instance (its own path to the kernel, past seccomp). */
static long esc_io_uring(struct esc *e)
{
	uint32_t params[30]; /* struct io_uring_params: 120 bytes */

	memset(params, 0, sizeof(params));
	e->step = "io_uring_setup";
	return SYS2(NR_IO_URING_SETUP, 4, params);
}

/* A small BPF array map. */
static long esc_bpf(struct esc *e)
{
	uint32_t attr[16]; /* the head of union bpf_attr for BPF_MAP_CREATE */

	memset(attr, 0, sizeof(attr));
	attr[0] = L_BPF_MAP_TYPE_ARRAY;
	attr[1] = 4; /* key_size */
	attr[2] = 4; /* value_size */
	attr[3] = 1; /* max_entries */
	e->step = "bpf";
	return SYS3(NR_BPF, L_BPF_MAP_CREATE, attr, sizeof(attr));
}

/* A tmpfs mounted on a directory of the test. */
static long esc_mount(struct esc *e)
{
	e->step = "mount";
	return esc_sys(NR_MOUNT, (long)"none", (long)esc_str(e, "path"),
	               (long)"tmpfs", 0, 0, 0);
}

/* Opens a file outside every grant by its handle (computed by the test),
 * with the granted directory as the mount fd. */
static long esc_open_by_handle(struct esc *e)
{
	argdata_t v = esc_value(e, "handle");
	const void *handle;
	size_t len;
	long fd;

	if (argdata_get_binary(&v, &handle, &len) != 0)
		esc_config_error(e, "handle");
	e->step = "open_by_handle_at";
	fd = SYS3(NR_OPEN_BY_HANDLE_AT, esc_fd(e, "dir"), handle, 0);
	return fd < 0 ? fd : esc_leak(e, fd);
}

/* Becomes root again. */
static long esc_setuid(struct esc *e)
{
	e->step = "setuid";
	return SYS1(NR_SETUID, 0);
}

/* Becomes root again, all three uids. */
static long esc_setresuid(struct esc *e)
{
	e->step = "setresuid";
	return SYS3(NR_SETRESUID, 0, 0, 0);
}

/* A new user namespace, where the program would hold every capability. */
static long esc_unshare_user(struct esc *e)
{
	e->step = "unshare";
	return SYS1(NR_UNSHARE, L_CLONE_NEWUSER);
}

static const struct {
	const char *name;
	long (*fn)(struct esc *);
} esc_modes[] = {
        {"open_abs", esc_open_abs},
        {"open_abs_legacy", esc_open_abs_legacy},
        {"open_abs_dirfd", esc_open_abs_dirfd},
        {"dotdot", esc_read_dir},
        {"dotdot_create", esc_write_dir},
        {"symlink", esc_read_dir},
        {"symlink_write", esc_write_dir},
        {"cwd_read", esc_open_abs},
        {"cwd_create", esc_cwd_create},
        {"proc_environ", esc_open_abs},
        {"ro_reopen", esc_ro_reopen},
        {"ro_procfd", esc_ro_procfd},
        {"ro_create", esc_ro_create},
        {"ro_mkdir", esc_ro_mkdir},
        {"ro_unlink", esc_ro_unlink},
        {"tcp_connect", esc_tcp_connect},
        {"tcp_bind", esc_tcp_bind},
        {"unix_abstract", esc_unix_abstract},
        {"unix_path", esc_unix_path},
        {"unix_dgram", esc_unix_dgram},
        {"kill_parent", esc_kill_parent},
        {"kill_init", esc_kill_init},
        {"ptrace_parent", esc_ptrace_parent},
        {"ptrace_other", esc_ptrace_other},
        {"execve_sh", esc_execve},
        {"mmap_wx", esc_mmap_wx},
        {"mprotect_wx", esc_mprotect_wx},
        {"io_uring", esc_io_uring},
        {"bpf", esc_bpf},
        {"mount", esc_mount},
        {"open_by_handle", esc_open_by_handle},
        {"setuid", esc_setuid},
        {"setresuid", esc_setresuid},
        {"unshare_user", esc_unshare_user},
};

/* Logs the outcome ("<mode>: blocked at <step>: errno N" or "<mode>:
 * ESCAPED") and exits with the matching status. */
static _Noreturn void esc_report(struct esc *e, const char *mode, long r)
{
	int blocked = r < 0 && r > -4096;

	esc_say(e, mode);
	if (!blocked) {
		esc_say(e, ": ESCAPED\n");
		sdk_io_exit(ESC_EXIT_ESCAPED);
	}
	esc_say(e, ": blocked at ");
	esc_say(e, e->step);
	esc_say(e, ": errno ");
	sdk_io_write_i64(e->log, -r);
	esc_say(e, "\n");
	sdk_io_exit(ESC_EXIT_BLOCKED);
}

void program_main(const argdata_t *ad)
{
	struct esc e = {.cfg = *ad, .log = 2, .step = "start"};
	const char *mode;

	e.log = (cloudabi_fd_t)esc_fd(&e, "log");
	mode = esc_str(&e, "mode");
	for (size_t i = 0; i < sizeof(esc_modes) / sizeof(esc_modes[0]); i++)
		if (strcmp(esc_modes[i].name, mode) == 0)
			esc_report(&e, mode, esc_modes[i].fn(&e));
	esc_config_error(&e, "a known mode");
}
