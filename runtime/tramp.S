/*
 * tramp: the vDSO entry points and the %fs switches (see rtthread.h and
 * docs/runtime.md).
 *
 * Program code calls cloudabi_sys_<name> with the plain SysV convention,
 * %fs pointing at its slot. Each stub loads its index and jumps to the
 * common path, which finds the thread's struct rtthread through
 * (*%fs:0)->parent, switches %fs to the runtime's value, calls the C
 * implementation from rtthread_syscalls[] with the same arguments (the
 * seventh one, of mem_map, copied from the program's stack) and switches
 * %fs back. Only %rax, %rcx, %r10 and %r11 are used before the call:
 * none carries an argument.
 */

#define ARCH_SET_FS	 0x1002
#define SYS_arch_prctl	 158
#define HOST_FS		 0
#define GUEST_FS	 8
#define CURSYS		 16
#define HOST_RSP	 24
#define NSYSCALLS	 49

	.text

/* One 16-byte stub per system call; rtthread_tramp[] lists them. */
	.p2align 4
tramp_stubs:
	.set	i, 0
	.rept	NSYSCALLS
	.p2align 4
	movl	$i, %r11d
	jmp	tramp_common
	.set	i, i + 1
	.endr

	.p2align 4
tramp_common:
	pushq	%rbx			/* %rsp is 16-byte aligned again */
	movq	%fs:0, %rbx		/* the TCB the program installed */
	movq	(%rbx), %rbx		/* tcb->parent: struct rtthread */
	movl	%r11d, CURSYS(%rbx)
	leaq	rtthread_fsfree(%rip), %rax
	cmpb	$0, (%rax,%r11)
	jne	5f			/* TLS-free: no %fs switch (sys.h) */
	cmpb	$0, rtthread_have_fsgsbase(%rip)
	je	1f
	movq	HOST_FS(%rbx), %rax
	wrfsbase %rax
	jmp	2f
1:	/* No FSGSBASE: arch_prctl, keeping the argument registers. */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%r8
	pushq	%r9
	movl	$SYS_arch_prctl, %eax
	movl	$ARCH_SET_FS, %edi
	movq	HOST_FS(%rbx), %rsi
	syscall
	popq	%r9
	popq	%r8
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
2:	subq	$8, %rsp
	pushq	24(%rsp)		/* 7th argument, for mem_map */
	movl	CURSYS(%rbx), %r11d
	leaq	rtthread_syscalls(%rip), %rax
	call	*(%rax,%r11,8)
	addq	$16, %rsp
	cmpb	$0, rtthread_have_fsgsbase(%rip)
	je	3f
	movq	GUEST_FS(%rbx), %rcx
	wrfsbase %rcx
	popq	%rbx
	ret
5:	subq	$8, %rsp
	pushq	24(%rsp)		/* 7th argument, for mem_map */
	leaq	rtthread_syscalls(%rip), %rax
	call	*(%rax,%r11,8)
	addq	$16, %rsp
	popq	%rbx
	ret
3:	pushq	%rax			/* the errno being returned */
	movl	$SYS_arch_prctl, %eax
	movl	$ARCH_SET_FS, %edi
	movq	GUEST_FS(%rbx), %rsi
	syscall
	popq	%rax
	popq	%rbx
	ret

/*
 * void rtthread_enter(struct rtthread *t, uint64_t entry, uint64_t a0,
 *                     uint64_t a1, uint64_t stack_top)
 * Saves the callee-saved registers and %rsp in t->host_rsp, then runs
 * entry(a0, a1) on stack_top with the program's %fs.
 */
	.globl	rtthread_enter
	.type	rtthread_enter, @function
rtthread_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, HOST_RSP(%rdi)
	movq	%rdi, %rbx
	movq	%rsi, %r12		/* entry */
	movq	%rdx, %r13		/* a0 */
	movq	%rcx, %r14		/* a1 */
	movq	%r8, %r15		/* stack_top */
	cmpb	$0, rtthread_have_fsgsbase(%rip)
	je	1f
	movq	GUEST_FS(%rbx), %rax
	wrfsbase %rax
	jmp	2f
1:	movl	$SYS_arch_prctl, %eax
	movl	$ARCH_SET_FS, %edi
	movq	GUEST_FS(%rbx), %rsi
	syscall
2:	andq	$-16, %r15
	movq	%r15, %rsp
	pushq	$0			/* return address: the entry never returns */
	movq	%r13, %rdi
	movq	%r14, %rsi
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*%r12
	.size	rtthread_enter, . - rtthread_enter

/*
 * _Noreturn void rtthread_leave(struct rtthread *t)
 * Called on the program's stack with the runtime's %fs: returns from the
 * rtthread_enter() that started this thread's program code.
 */
	.globl	rtthread_leave
	.type	rtthread_leave, @function
rtthread_leave:
	movq	HOST_RSP(%rdi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	rtthread_leave, . - rtthread_leave

/* Addresses of the stubs, in system call order. */
	.section .data.rel.ro, "aw"
	.p2align 3
	.globl	rtthread_tramp
rtthread_tramp:
	.set	i, 0
	.rept	NSYSCALLS
	.quad	tramp_stubs + 16 * i
	.set	i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
