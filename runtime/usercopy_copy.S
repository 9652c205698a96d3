/*
 * usercopy_copy(dst, src, n): rep movsb between usercopy_copy_begin and
 * usercopy_copy_end; a fault there resumes at usercopy_copy_fault, which
 * returns -1 (see usercopy.c).
 */
	.text
	.globl	usercopy_copy, usercopy_copy_begin, usercopy_copy_end
	.globl	usercopy_copy_fault
	.type	usercopy_copy, @function
usercopy_copy:
	movq	%rdx, %rcx
usercopy_copy_begin:
	rep movsb
usercopy_copy_end:
	xorl	%eax, %eax
	ret
usercopy_copy_fault:
	movl	$-1, %eax
	ret
	.size	usercopy_copy, . - usercopy_copy

	.section .note.GNU-stack, "", @progbits
