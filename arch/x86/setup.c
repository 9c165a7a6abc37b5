/*
 * x86-64 entry into C and the arch hooks that have no better home. Owns
 * the boot_info copy of the loader's data and the way the machine is
 * stopped (halt, or QEMU's isa-debug-exit with "qemu-exit").
 */
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/setup.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4

/* Called from head.S in long mode on the boot stack, interrupts off. */
void x86_start(u32 magic, u32 info) __noreturn;

struct boot_info x86_boot_info;

extern char __image_start[], __image_end[]; /* proxima.lds */

const void *x86_boot_phys(paddr_t pa, size_t len)
{
	/* head.S identity-maps the first 4 GiB; nothing else is reachable. */
	if (!pa || pa + len < pa || pa + len > GiB(4))
		return NULL;
	return (const void *)(unsigned long)pa;
}

void x86_image_range(paddr_t *start, paddr_t *end)
{
	*start = (paddr_t)__image_start;
	*end = (paddr_t)__image_end;
}

void x86_start(u32 magic, u32 info)
{
	x86_percpu_init_bsp();
	x86_serial_init();
	x86_traps_init();
	if (multiboot_parse(magic, info, &x86_boot_info))
		panic("not started by a multiboot or multiboot2 boot loader (magic 0x%08x); "
		      "no memory map",
		      magic);
	start_hypervisor(&x86_boot_info);
}

void x86_stop_this_cpu(void)
{
	arch_irq_disable();
	for (;;)
		halt();
}

void arch_halt_all(int code)
{
	arch_irq_disable();
	/* Others see panic_in_progress() in their NMI handler and stop. */
	if (panic_in_progress())
		x86_apic_nmi_others();
	if (qemu_exit_enabled())
		outb(QEMU_DEBUG_EXIT_PORT, (u8)code);
	x86_stop_this_cpu();
}
