/*
 * x86-64 entry from a multiboot (v1) or multiboot2 loader.
 *
 * Both loaders enter here in 32-bit protected mode with paging off, the
 * loader's magic in %eax and the physical address of its information
 * block in %ebx. This file owns only the way into long mode: it clears
 * .bss, checks that the CPU can run 64-bit code, identity-maps the first
 * 4 GiB with 2 MiB pages, enables long mode and calls x86_start(magic,
 * info). C code then builds the real page tables (arch/x86/mm.c).
 */
#include <asm/boot.h>

#define MB1_FLAGS 0x00000003		/* page-align modules, memory info */
#define CR0_PE 0x00000001
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define PDE_2M 0x83			/* present, writable, 2 MiB page */
#define PTE_TABLE 0x03			/* present, writable */

	.section .text.head, "ax"
	.code32

	/* Multiboot (v1) header: within the first 8 KiB, 4-byte aligned. */
	.balign 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_FLAGS
	.long 0x100000000 - (MB1_HEADER_MAGIC + MB1_FLAGS)

	/* Multiboot2 header: within the first 32 KiB, 8-byte aligned. */
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0				/* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	/* Information request (optional): cmdline, memory map, ACPI RSDPs. */
	.balign 8
mb2_req:
	.short 1
	.short 1			/* optional */
	.long mb2_req_end - mb2_req
	.long 1, 6, 14, 15
mb2_req_end:
	.balign 8
	.short 0			/* end tag */
	.short 0
	.long 8
mb2_header_end:

	.globl start
start:
	cli
	cld
	movl %eax, %edi
	movl %ebx, %esi

	/* Clear .bss (the loader should have, but the stack lives there). */
	movl $__bss_start, %edx
	movl $__bss_end, %ecx
	subl %edx, %ecx
	movl %edx, %ebx
	xchgl %edi, %ebx		/* rep stosb writes at %edi */
	xorl %eax, %eax
	rep stosb
	movl %ebx, %edi

	movl %edi, boot_magic
	movl %esi, boot_info_pa
	movl $boot_stack_top, %esp

	/* Long mode available? CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* boot_pd: 2048 2 MiB entries covering 0-4 GiB. */
	movl $boot_pd, %edi
	movl $PDE_2M, %eax
	xorl %edx, %edx
	movl $2048, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 1b

	/* boot_pdpt[0..3] -> the four pages of boot_pd. */
	movl $boot_pdpt, %edi
	movl $boot_pd + PTE_TABLE, %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	movl $0, 4(%edi)
	addl $0x1000, %eax
	addl $8, %edi
	loop 2b

	movl $boot_pdpt + PTE_TABLE, boot_pml4

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $GDT_CS64, $start64

	/* No 64-bit support: say so on the console UART and stop. */
no_long_mode:
	movl $no_lm_msg, %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movb %al, %bl
	movw $CONFIG_SERIAL_PORT + 5, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movw $CONFIG_SERIAL_PORT, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
start64:
	movl $GDT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic(%rip), %edi
	movl boot_info_pa(%rip), %esi
	call x86_start
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "Proxima: this CPU has no 64-bit long mode; cannot boot.\r\n"

	.balign 8
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .data
	.balign 4
	.globl boot_magic, boot_info_pa
boot_magic:
	.long 0
boot_info_pa:
	.long 0

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
