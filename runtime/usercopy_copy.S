/*
 * usercopy_copy(dst, src, n): copies between usercopy_copy_begin and
 * usercopy_copy_end; a fault there resumes at usercopy_copy_fault, which
 * returns -1 (see usercopy.c). Small copies (the structures of system
 * calls: an iovec, a size) use 8-byte moves: rep movsb costs a few dozen
 * cycles to start, which showed in every fd_write.
 *
 * usercopy_probe32(p): a locked cmpxchg that stores back the value it
 * read, so the word never changes, yet faults unless it is writable. It
 * sits inside the same range and pushes nothing, so the fixup returns -1
 * from it too.
 */
	.text
	.globl	usercopy_copy, usercopy_copy_begin, usercopy_copy_end
	.globl	usercopy_copy_fault, usercopy_probe32
	.type	usercopy_copy, @function
usercopy_copy:
	movq	%rdx, %rcx
usercopy_copy_begin:
	cmpq	$64, %rcx
	jae	3f
1:	cmpq	$8, %rcx
	jb	2f
	movq	(%rsi), %rax
	movq	%rax, (%rdi)
	addq	$8, %rsi
	addq	$8, %rdi
	subq	$8, %rcx
	jmp	1b
2:	testq	%rcx, %rcx
	jz	4f
	movb	(%rsi), %al
	movb	%al, (%rdi)
	incq	%rsi
	incq	%rdi
	decq	%rcx
	jmp	2b
3:	rep movsb
4:	xorl	%eax, %eax
	ret
usercopy_probe32:
	movl	(%rdi), %eax
	lock cmpxchgl %eax, (%rdi)
usercopy_copy_end:
	xorl	%eax, %eax
	ret
usercopy_copy_fault:
	movl	$-1, %eax
	ret
	.size	usercopy_copy, . - usercopy_copy

	.section .note.GNU-stack, "", @progbits
