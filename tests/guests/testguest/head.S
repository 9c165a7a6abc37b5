/*
 * Test guest entry code: the multiboot v1 header (the Multiboot2 one is
 * mb2.S's); vCPU 0's way from the loader's 32-bit protected mode into
 * long mode; the 64-bit entry of the other vCPUs (vcpu_up); the 32
 * exception stubs.
 *
 * Owns the GDT, vCPU 0's stack and the boot page tables: one PML4, one
 * PDPT and four page directories identity-mapping the first 4 GiB with
 * 2 MiB pages. memmap.c adds page directories for RAM above 4 GiB to the
 * same PDPT; traps.c builds the IDT from trap_stub_table. Nothing here
 * returns: C that ends falls into park (cli; hlt).
 */
#include "guest.h"

#define MB_HEADER_MAGIC 0x1badb002
#define MB_HEADER_FLAGS 0x00000002	/* bit 1: memory information wanted */

#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define EFER_NXE 0x00000800
#define PDE_2M 0x83			/* present, writable, 2 MiB page */
#define PTE_TABLE 0x03			/* present, writable */

/* Exceptions for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
#define ERROR_CODE_VECTORS 0x60227d00

	.section .text.head, "ax"
	.code32

	/* Within the first 8 KiB of the file, 4-byte aligned. */
	.balign 4
multiboot_header:
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	/*
	 * Multiboot v1 and Multiboot2 entry: %eax magic, %ebx MBI (or MBI2),
	 * flat segments, paging off, no stack. Both registers go to .data
	 * before .bss is cleared; guest_main() tells the two apart.
	 */
	.globl start
start:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_mbi
	movl $boot_stack_top, %esp

	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* Long mode (CPUID 0x80000001 EDX bit 29); NX (bit 20) only if present. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl $EFER_LME, %ebp
	btl $20, %edx
	jnc 1f
	orl $EFER_NXE, %ebp
1:
	/* Entry i of the four page directories maps [i * 2 MiB, (i + 1) * 2 MiB). */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_2M, %eax
	movl %eax, (%edi,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $4 * 512, %ecx
	jb 2b

	/* PDPT entries 0-3 point at the four directories, PML4 entry 0 at the PDPT. */
	movl $boot_pdpt, %edi
	movl $boot_pd + PTE_TABLE, %eax
	xorl %ecx, %ecx
3:	movl %eax, (%edi,%ecx,8)
	addl $0x1000, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 3b
	movl $boot_pdpt + PTE_TABLE, boot_pml4

	lgdt gdt_desc
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl %ebp, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0
	ljmp $GDT_CODE64, $start64

	/*
	 * No long mode: say so (the ABI takes VMMCALL in 32-bit mode too)
	 * and crash the domain. Not expected under Proxima.
	 */
no_long_mode:
	movl $PRX_HC_CONSOLE_WRITE, %eax
	movl $no_long_mode_msg, %edi
	movl $no_long_mode_end - no_long_mode_msg, %esi
	vmmcall
	movl $PRX_HC_SHUTDOWN, %eax
	movl $PRX_SHUTDOWN_CRASH, %edi
	vmmcall
4:	cli
	hlt
	jmp 4b

	.code64
start64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic(%rip), %edi
	movl boot_mbi(%rip), %esi
	call guest_main
	jmp park

	/*
	 * vcpu_up() entry: 64-bit mode, paging on, our GDTR and IDTR, %rdi
	 * the vCPU id, %rsp the top of its stack (16-byte aligned). The
	 * hypervisor's flat selectors need not be ours: take our CS and DS.
	 */
	.globl ap_entry
ap_entry:
	pushq $GDT_CODE64
	leaq 5f(%rip), %rax
	pushq %rax
	lretq
5:	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %ebp, %ebp
	call ap_main

	.globl park
park:
	cli
	hlt
	jmp park

	/*
	 * Exception stubs: make every frame vector, error code (0 if the CPU
	 * pushed none), rip, cs, rflags, rsp, ss, and call guest_trap() with
	 * it on a 16-byte aligned stack. guest_trap() does not return.
	 */
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign 8
trap_\v:
	.if ((ERROR_CODE_VECTORS >> \v) & 1) == 0
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endr

trap_common:
	movq %rsp, %rdi
	andq $-16, %rsp
	call guest_trap
	jmp park

	/*
	 * The local APIC timer's interrupt (apic.c, vector APIC_TIMER_VECTOR):
	 * save the registers C may change, call apic_timer_irq() on an aligned
	 * stack, and return to the interrupted code.
	 */
	.globl apic_timer_stub
	.balign 8
apic_timer_stub:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call apic_timer_irq
	movq %rbp, %rsp
	popq %rbp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq

	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v
	.endr

no_long_mode_msg:
	.ascii "guest: no long mode\n"
no_long_mode_end:

	/* In .data: loading a selector sets the accessed bit of its descriptor. */
	.section .data
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* GDT_CODE64: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff	/* GDT_DATA: flat 4 GiB data */
gdt_end:
	.balign 4
	.short 0
gdt_desc:				/* 32-bit form; long mode keeps the base */
	.short gdt_end - gdt - 1
	.long gdt

	.balign 4
boot_magic:
	.long 0
boot_mbi:
	.long 0

	.section .bss.page_tables, "aw", @nobits
	.balign 4096
boot_pml4:
	.skip 4096
	.globl boot_pdpt
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
boot_stack:
	.skip GUEST_STACK_SIZE
boot_stack_top:
