/* x86-private boot interfaces between the files of arch/x86. */
#ifndef ASM_SETUP_H
#define ASM_SETUP_H

#include <hv/boot.h>
#include <hv/types.h>

/* Probe and program the console UART (serial.c). */
void x86_serial_init(void);

/*
 * Fill bi from a multiboot (magic MB1_LOADER_MAGIC) or multiboot2
 * information block at physical address info (boot/multiboot.c). Bad or
 * missing parts are reported and skipped. Returns 0, or -EINVAL when the
 * magic is unknown or the block unreadable (bi then holds no memory map).
 */
int multiboot_parse(u32 magic, paddr_t info, struct boot_info *bi);

/*
 * A pointer to len bytes of physical memory at pa during early boot, or
 * NULL if that memory cannot be reached (beyond the boot identity map).
 */
const void *x86_boot_phys(paddr_t pa, size_t len);

/* Install the IDT, GDT and TSS on the boot CPU (traps.c). */
void x86_traps_init(void);

/* Local APIC and its periodic tick (apic.c). */
void x86_apic_init(void);

/* Print the symbolised frame-pointer chain starting at rbp (traps.c). */
void x86_print_stack(unsigned long rip, unsigned long rbp);

#endif /* ASM_SETUP_H */
