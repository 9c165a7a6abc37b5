/*
 * The secondary CPU start-up trampoline. A start-up IPI starts a CPU in
 * 16-bit real mode at TRAMP_PA, where smp.c has copied this code; it loads
 * a small GDT, enters protected mode, turns on paging with the boot CPU's
 * page tables and long mode, and jumps to x86_ap_start(percpu) on the
 * stack given in the data block at its end. Every address is computed for
 * the copy at TRAMP_PA (REL); the copy inside the image never runs.
 */
#include <asm/boot.h>
#include <asm/smp.h>

#define REL(x) (TRAMP_PA + ((x) - tramp_start))

	.section .rodata.trampoline, "a"
	.code16
	.globl tramp_start
tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdt_desc - tramp_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $GDT_CS32, $REL(tramp32)

	.code32
tramp32:
	movl $GDT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl REL(tramp_cr4), %eax
	movl %eax, %cr4
	movl REL(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode (and NX) */
	movl REL(tramp_efer), %eax
	xorl %edx, %edx
	wrmsr
	movl $0x80010001, %eax		/* paging, write protect, protected mode */
	movl %eax, %cr0
	ljmpl $GDT_CS64, $REL(tramp64)

	.code64
tramp64:
	movq REL(tramp_stack), %rsp
	movq REL(tramp_percpu), %rdi
	movq REL(tramp_entry), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
tramp_gdt_end:
tramp_gdt_desc:
	.short tramp_gdt_end - tramp_gdt - 1
	.long REL(tramp_gdt)

	/* Filled in by smp.c before each start-up IPI. */
	.balign 8
	.globl tramp_data
tramp_data:
tramp_cr3:
	.long 0
tramp_cr4:
	.long 0
tramp_efer:
	.long 0
	.long 0
tramp_stack:
	.quad 0
tramp_percpu:
	.quad 0
tramp_entry:
	.quad 0
	.globl tramp_end
tramp_end:
