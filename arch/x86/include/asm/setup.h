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

/*
 * The physical range [start, end) of the hypervisor image, from the linker
 * script (setup.c): boot modules must not overlap it.
 */
void x86_image_range(paddr_t *start, paddr_t *end);

/* The loader's data, copied at entry (setup.c). */
extern struct boot_info x86_boot_info;

/* End of the direct map: physical addresses below it are mapped (mm.c). */
paddr_t x86_directmap_end(void);

struct percpu;

/* Build the IDT, then load it and this CPU's GDT and TSS (traps.c). */
void x86_traps_init(void);

/* Load the IDT and pc's GDT and TSS on the calling CPU (traps.c). */
void x86_cpu_tables_init(struct percpu *pc);

/* Point the GS base at the boot CPU's static per-CPU area (smp.c). */
void x86_percpu_init_bsp(void);

/* Map the trampoline page at pa, identity and executable (mm.c). */
void x86_map_trampoline(paddr_t pa);

/* Halt the calling CPU for good, interrupts off (setup.c). */
void x86_stop_this_cpu(void) __attribute__((noreturn));

/* Local APIC on a secondary CPU: enable it and start its tick (apic.c). */
void x86_apic_init_ap(void);

/* Send an INIT or start-up IPI, or an NMI to all others (apic.c). */
void x86_apic_send_init(u32 apic_id);
void x86_apic_send_sipi(u32 apic_id, u8 vector);
void x86_apic_nmi_others(void);

/* Busy-wait about us microseconds, once the TSC is calibrated (apic.c). */
void x86_udelay(u64 us);

/* The TSC's frequency as calibrated at boot (0 before). */
u64 x86_tsc_khz(void);

/* Local APIC and its periodic tick (apic.c). */
void x86_apic_init(void);

/* Print the symbolised frame-pointer chain starting at rbp (traps.c). */
void x86_print_stack(unsigned long rip, unsigned long rbp);

#endif /* ASM_SETUP_H */
