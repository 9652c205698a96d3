/*
 * minirun: a deliberately tiny CloudABI loader that exists only to test the
 * SDK's crt0 before (and independently of) the project's runtime.
 *
 *   minirun [--argdata HEX] [--exit N] [--output TEXT] [--relro]
 *           [--http] GUEST
 *
 * In a forked child it maps GUEST at a kernel-chosen base, builds a vDSO
 * image with a classic DT_HASH table (three real calls, plus decoys that a
 * correct crt0 must ignore), an auxiliary vector, a TCB slot for %fs, and
 * jumps to _start on an 8 MiB stack. The parent captures the child's fd 1
 * and checks the exit status (default 0), the output (\n escapes allowed)
 * and, with --relro, that mem_protect was called. With --http the child
 * also gets a listening TCP socket on 127.0.0.1 as fd 3; the parent makes
 * two HTTP requests to it, checks the answers and then kills the guest.
 *
 * Once %fs points at the guest's slot the child must not use the C library
 * (its TLS is gone): the vDSO functions below use raw system calls only and
 * are built without sanitizers or stack protector.
 */
#include <arpa/inet.h>
#include <elf.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cloudabi_types.h>

#define MR_PAGE        4096
#define MR_STACK       (8u << 20)
#define MR_PARENT      ((void *)0x7e57ab1e)
#define MR_MAX_ARGDATA 4096
#define MR_MAX_OUTPUT  65536

/* Code that runs with the guest's %fs: no instrumentation, no libc. */
#define MR_RAW                                                                 \
	__attribute__((no_sanitize("address", "undefined"), no_stack_protector))

/* Counted by mr_mem_protect; a plain global, no TLS involved. */
static volatile int mr_protect_calls;

/* Raw three-argument Linux system call. */
MR_RAW static inline __attribute__((always_inline)) long
mr_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* The runtime's view of the calling thread: (*%fs:0)->parent. */
MR_RAW static inline __attribute__((always_inline)) int mr_parent_ok(void)
{
	cloudabi_tcb_t *tcb;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tcb));
	return tcb != NULL && tcb->parent == MR_PARENT;
}

MR_RAW static cloudabi_errno_t mr_fd_write(cloudabi_fd_t fd,
                                           const cloudabi_ciovec_t *iovs,
                                           size_t n, size_t *nwritten)
{
	long ret;

	if (!mr_parent_ok())
		return CLOUDABI_EFAULT;
	/* cloudabi_ciovec_t has the layout of struct iovec. */
	ret = mr_syscall3(20 /* writev */, fd, (long)iovs, (long)n);
	if (ret < 0)
		return CLOUDABI_EIO;
	*nwritten = (size_t)ret;
	return 0;
}

MR_RAW static cloudabi_errno_t mr_mem_protect(void *addr, size_t len,
                                              cloudabi_mprot_t prot)
{
	long lprot = 0;

	if (!mr_parent_ok())
		return CLOUDABI_EFAULT;
	lprot |= (prot & CLOUDABI_PROT_READ) ? PROT_READ : 0;
	lprot |= (prot & CLOUDABI_PROT_WRITE) ? PROT_WRITE : 0;
	lprot |= (prot & CLOUDABI_PROT_EXEC) ? PROT_EXEC : 0;
	if (mr_syscall3(10 /* mprotect */, (long)addr, (long)len, lprot) < 0)
		return CLOUDABI_EINVAL;
	mr_protect_calls++;
	return 0;
}

/* Exit status 97 flags a broken TCB, 96 a missing mem_protect call. */
MR_RAW static _Noreturn void mr_proc_exit(cloudabi_exitcode_t rval)
{
	long status = rval;

	if (!mr_parent_ok())
		status = 97;
	else if (mr_protect_calls < 0)
		status = 96;
	for (;;)
		mr_syscall3(231 /* exit_group */, status, 0, 0);
}

/* A decoy that must never be bound (it is local or hidden in the vDSO). */
MR_RAW static cloudabi_errno_t mr_decoy(void)
{
	for (;;)
		mr_syscall3(231 /* exit_group */, 95, 0, 0);
}

/* The accept convention of docs/sdk.md: one connection as one fd. */
MR_RAW static cloudabi_errno_t mr_sock_recv(cloudabi_fd_t sock,
                                            const cloudabi_recv_in_t *in,
                                            cloudabi_recv_out_t *out)
{
	long fd;

	if (!mr_parent_ok() || in->ri_fds_len < 1)
		return CLOUDABI_EINVAL;
	fd = mr_syscall3(43 /* accept */, sock, 0, 0);
	if (fd < 0)
		return CLOUDABI_EIO;
	in->ri_fds[0] = (cloudabi_fd_t)fd;
	out->ro_datalen = 0;
	out->ro_fdslen = 1;
	out->ro_flags = 0;
	return 0;
}

MR_RAW static cloudabi_errno_t mr_fd_read(cloudabi_fd_t fd,
                                          const cloudabi_iovec_t *iovs,
                                          size_t n, size_t *nread)
{
	long ret;

	if (!mr_parent_ok())
		return CLOUDABI_EFAULT;
	ret = mr_syscall3(19 /* readv */, fd, (long)iovs, (long)n);
	if (ret < 0)
		return CLOUDABI_EIO;
	*nread = (size_t)ret;
	return 0;
}

MR_RAW static cloudabi_errno_t mr_fd_close(cloudabi_fd_t fd)
{
	if (!mr_parent_ok())
		return CLOUDABI_EFAULT;
	return mr_syscall3(3 /* close */, fd, 0, 0) < 0 ? CLOUDABI_EBADF : 0;
}

/* One vDSO symbol to emit. */
struct mr_sym {
	const char *name;
	void *fn;
	unsigned char info, other;
};

/* The vDSO image: header, PT_DYNAMIC, dynamic, hash, symbols, strings. */
struct mr_vdso {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Dyn dyn[4];
	uint32_t hash[2 + 1 + 16];
	Elf64_Sym sym[16];
	char str[256];
};

/* Builds the vDSO in fresh pages; thread_yield is offered only as a local
 * and as a hidden symbol, so the guest must get ENOSYS for it. */
static struct mr_vdso *mr_vdso_build(void)
{
	static const struct mr_sym syms[] = {
	        {"cloudabi_sys_fd_write", (void *)mr_fd_write,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_thread_yield", (void *)mr_decoy,
	         ELF64_ST_INFO(STB_LOCAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_mem_protect", (void *)mr_mem_protect,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_thread_yield", (void *)mr_decoy,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_HIDDEN},
	        {"cloudabi_sys_sock_recv", (void *)mr_sock_recv,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_fd_read", (void *)mr_fd_read,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_fd_close", (void *)mr_fd_close,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_proc_exit", (void *)mr_proc_exit,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	        {"cloudabi_sys_not_a_call", (void *)mr_decoy,
	         ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), STV_DEFAULT},
	};
	size_t n = sizeof(syms) / sizeof(syms[0]), i, stroff = 1;
	struct mr_vdso *v;

	v = mmap(NULL, sizeof(*v), PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		return NULL;
	memcpy(v->eh.e_ident, ELFMAG, SELFMAG);
	v->eh.e_ident[EI_CLASS] = ELFCLASS64;
	v->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	v->eh.e_type = ET_DYN;
	v->eh.e_machine = EM_X86_64;
	v->eh.e_phoff = offsetof(struct mr_vdso, ph);
	v->eh.e_phentsize = sizeof(Elf64_Phdr);
	v->eh.e_phnum = 1;
	v->ph.p_type = PT_DYNAMIC;
	v->ph.p_vaddr = v->ph.p_offset = offsetof(struct mr_vdso, dyn);
	v->ph.p_filesz = v->ph.p_memsz = sizeof(v->dyn);
	v->dyn[0] = (Elf64_Dyn){DT_HASH, {offsetof(struct mr_vdso, hash)}};
	v->dyn[1] = (Elf64_Dyn){DT_SYMTAB, {offsetof(struct mr_vdso, sym)}};
	v->dyn[2] = (Elf64_Dyn){DT_STRTAB, {offsetof(struct mr_vdso, str)}};
	/* One bucket chaining every symbol: only nchain matters to crt0. */
	v->hash[0] = 1;
	v->hash[1] = (uint32_t)(n + 1);
	v->hash[2] = 1;
	for (i = 0; i < n; i++) {
		size_t len = strlen(syms[i].name) + 1;

		v->hash[3 + 1 + i] = i + 2 <= n ? (uint32_t)(i + 2) : 0;
		v->sym[i + 1].st_name = (uint32_t)stroff;
		v->sym[i + 1].st_info = syms[i].info;
		v->sym[i + 1].st_other = syms[i].other;
		v->sym[i + 1].st_shndx = SHN_ABS;
		/* Values may point outside the image (contract). */
		v->sym[i + 1].st_value = (uintptr_t)syms[i].fn - (uintptr_t)v;
		memcpy(v->str + stroff, syms[i].name, len);
		stroff += len;
	}
	mprotect(v, sizeof(*v), PROT_READ);
	return v;
}

/* Maps the guest's PT_LOADs at one kernel-chosen base; 0 or -errno. */
static int mr_load(const uint8_t *img, size_t len, uintptr_t *basep)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	uint64_t span = 0;
	uint8_t *base;
	size_t i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD &&
		    ph[i].p_vaddr + ph[i].p_memsz > span)
			span = ph[i].p_vaddr + ph[i].p_memsz;
	}
	span = (span + MR_PAGE - 1) & ~(uint64_t)(MR_PAGE - 1);
	base = mmap(NULL, span, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uintptr_t start, end;
		int prot = 0;

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset > len || p->p_filesz > len - p->p_offset)
			return -ENOEXEC;
		memcpy(base + p->p_vaddr, img + p->p_offset, p->p_filesz);
		prot |= (p->p_flags & PF_R) ? PROT_READ : 0;
		prot |= (p->p_flags & PF_W) ? PROT_WRITE : 0;
		prot |= (p->p_flags & PF_X) ? PROT_EXEC : 0;
		start = ((uintptr_t)base + p->p_vaddr) & ~(uintptr_t)4095;
		end = ((uintptr_t)base + p->p_vaddr + p->p_memsz + 4095) &
		      ~(uintptr_t)4095;
		if (mprotect((void *)start, end - start, prot) != 0)
			return -errno;
	}
	*basep = (uintptr_t)base;
	return 0;
}

/* Child: load, build auxv and vDSO, switch %fs and stack, call _start. */
static _Noreturn void mr_child(const uint8_t *img, size_t len,
                               const uint8_t *argdata, size_t arglen)
{
	static const uint8_t canary[16] = {1, 2,  3,  4,  5,  6,  7,  8,
	                                   9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t uuid[16] = {0x12, 0x34, 0x56, 0x78, 0, 0, 0x40, 0,
	                                 0x80, 0,    0,    0,    0, 0, 0,    1};
	static cloudabi_tcb_t tcb = {MR_PARENT};
	static cloudabi_tcb_t *slot = &tcb;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	cloudabi_auxv_t auxv[16];
	struct mr_vdso *vdso;
	uintptr_t base, top;
	uint8_t *stack;
	size_t n = 0;

	if (mr_load(img, len, &base) != 0 || (vdso = mr_vdso_build()) == NULL)
		_exit(90);
	stack = mmap(NULL, MR_STACK, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		_exit(91);
	top = ((uintptr_t)stack + MR_STACK) & ~(uintptr_t)15;
#define MR_AUX(t, field, v) auxv[n].a_type = (t), auxv[n++].field = (v)
	MR_AUX(CLOUDABI_AT_BASE, a_ptr, (void *)base);
	MR_AUX(CLOUDABI_AT_PHDR, a_ptr, (void *)(base + eh->e_phoff));
	MR_AUX(CLOUDABI_AT_PHNUM, a_val, eh->e_phnum);
	MR_AUX(CLOUDABI_AT_SYSINFO_EHDR, a_ptr, vdso);
	MR_AUX(0x7777, a_val, 1); /* unknown: must be ignored */
	MR_AUX(CLOUDABI_AT_PAGESZ, a_val, MR_PAGE);
	MR_AUX(CLOUDABI_AT_ARGDATA, a_ptr, (void *)argdata);
	MR_AUX(CLOUDABI_AT_ARGDATALEN, a_val, arglen);
	MR_AUX(CLOUDABI_AT_CANARY, a_ptr, (void *)canary);
	MR_AUX(CLOUDABI_AT_CANARYLEN, a_val, sizeof(canary));
	MR_AUX(CLOUDABI_AT_TID, a_val, 4242);
	MR_AUX(CLOUDABI_AT_NCPUS, a_val, 2);
	MR_AUX(CLOUDABI_AT_PID, a_ptr, (void *)uuid);
	MR_AUX(CLOUDABI_AT_NULL, a_val, 0);
#undef MR_AUX
	{
		/* arch_prctl(ARCH_SET_FS, &slot), new stack, call _start. */
		register uintptr_t entry __asm__("r12") = base + eh->e_entry;
		register uintptr_t av __asm__("r13") = (uintptr_t)auxv;
		register uintptr_t sp __asm__("r14") = top;
		register uintptr_t fs __asm__("r15") = (uintptr_t)&slot;

		__asm__ volatile("movl $158, %%eax\n\t"
		                 "movl $0x1002, %%edi\n\t"
		                 "movq %%r15, %%rsi\n\t"
		                 "syscall\n\t"
		                 "movq %%r14, %%rsp\n\t"
		                 "movq %%r13, %%rdi\n\t"
		                 "call *%%r12\n\t"
		                 "ud2"
		                 :
		                 : "r"(entry), "r"(av), "r"(sp), "r"(fs)
		                 : "rax", "rdi", "rsi", "rcx", "r11", "memory");
	}
	__builtin_unreachable();
}

/* Decodes hex digits (pairs) into out; -1 on bad input. */
static long mr_unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; s[0] != '\0'; s += 2) {
		unsigned v;

		if (s[1] == '\0' || n == max || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
	}
	return (long)n;
}

/* Turns the two characters \n into a newline, in place. */
static void mr_unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*d++ = '\n';
			s++;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* A listening TCP socket on a free port of 127.0.0.1, or -1. */
static int mr_listen(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)sin, sizeof(*sin)) != 0 ||
	    listen(s, 4) != 0 ||
	    getsockname(s, (struct sockaddr *)sin, &len) != 0) {
		perror("minirun: listen");
		return -1;
	}
	return s;
}

/* One request to the guest; 0 when the whole answer is the expected one. */
static int mr_http_get(const struct sockaddr_in *sin)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";
	static const char tail[] = "\r\n\r\nHello, world\n";
	char buf[1024];
	size_t got = 0;
	ssize_t r;
	int s, ok;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 ||
	    connect(s, (const struct sockaddr *)sin, sizeof(*sin)) != 0 ||
	    write(s, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		perror("minirun: http");
		return -1;
	}
	/* The server closes after answering: read to the end. */
	while ((r = read(s, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(s);
	ok = strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0 &&
	     got >= sizeof(tail) - 1 &&
	     strcmp(buf + got - (sizeof(tail) - 1), tail) == 0;
	if (!ok)
		fprintf(stderr, "minirun: unexpected answer:\n%s\n", buf);
	return ok ? 0 : -1;
}

/* Reads the whole guest file; caller frees. */
static uint8_t *mr_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;

	if (f == NULL)
		return NULL;
	b = malloc(64u << 20);
	if (b != NULL)
		*len = fread(b, 1, 64u << 20, f);
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	static uint8_t argdata[MR_MAX_ARGDATA];
	static char out[MR_MAX_OUTPUT];
	char *want_out = NULL;
	struct sockaddr_in sin;
	int http = 0, lsock = -1, http_ok = 0;
	long arglen = 0, want_exit = 0;
	size_t len = 0, got = 0;
	int i, p[2], status;
	uint8_t *img;
	ssize_t r;
	pid_t pid;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--argdata") == 0)
			arglen = mr_unhex(argv[++i], argdata, sizeof(argdata));
		else if (strcmp(argv[i], "--exit") == 0)
			want_exit = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--output") == 0)
			mr_unescape(want_out = argv[++i]);
		else if (strcmp(argv[i], "--relro") == 0)
			mr_protect_calls = -1; /* the call must raise it to 0 */
		else if (strcmp(argv[i], "--http") == 0)
			http = 1;
		else
			break;
	}
	if (i != argc - 1 || arglen < 0) {
		fprintf(stderr, "usage: minirun [--argdata HEX] [--exit N] "
		                "[--output TEXT] [--relro] [--http] GUEST\n");
		return 2;
	}
	if ((img = mr_read(argv[i], &len)) == NULL || len < sizeof(Elf64_Ehdr))
		return fprintf(stderr, "minirun: cannot read %s\n", argv[i]), 1;
	if (http && (lsock = mr_listen(&sin)) < 0)
		return 1;
	if (pipe(p) != 0 || (pid = fork()) < 0)
		return perror("minirun"), 1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		if (http)
			dup2(lsock, 3);
		mr_child(img, len, argdata, (size_t)arglen);
	}
	close(p[1]);
	if (http) {
		/* Two connections: the server must loop after closing one. */
		http_ok = mr_http_get(&sin) == 0 && mr_http_get(&sin) == 0;
		kill(pid, SIGKILL);
		close(lsock);
	}
	while ((r = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	if (waitpid(pid, &status, 0) != pid)
		return perror("waitpid"), 1;
	free(img);
	fputs(out, stdout);
	if (http) {
		if (!http_ok || !WIFSIGNALED(status) ||
		    WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "minirun: http exchange failed\n");
			return 1;
		}
		printf("minirun: two HTTP answers received\n");
		return 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != want_exit) {
		fprintf(stderr, "minirun: guest %s %d, expected exit %ld\n",
		        WIFEXITED(status) ? "exited" : "killed by signal",
		        WIFEXITED(status) ? WEXITSTATUS(status)
		                          : WTERMSIG(status),
		        want_exit);
		return 1;
	}
	if (want_out != NULL && strcmp(out, want_out) != 0) {
		fprintf(stderr, "minirun: output differs from expected\n");
		return 1;
	}
	printf("minirun: guest exited %ld as expected\n", want_exit);
	return 0;
}
