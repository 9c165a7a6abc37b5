/*
 * The contract between the generic core and an architecture: every
 * arch_* function the core calls, bound at link time (no function-pointer
 * tables). Each says in which context it runs and what it returns.
 * Tiny ones that must inline (interrupt flags, cpu_relax) come from
 * <asm/arch-inline.h>; the hosted test build supplies its own.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/compiler.h>
#include <hv/types.h>
#include <asm/arch-inline.h>

struct boot_info;

/*
 * Inline, from <asm/arch-inline.h>:
 *   unsigned long arch_irq_save(void)   disable local interrupts, return old state
 *   void arch_irq_restore(unsigned long) put that state back
 *   void arch_irq_enable(void) / arch_irq_disable(void)
 *   void arch_cpu_relax(void)           spin-wait hint
 *   unsigned int arch_cpu_id(void)      dense id of the calling CPU (0 = boot CPU)
 */

/*
 * Write n bytes to the console device. Any context, interrupts on or off,
 * including exception and panic paths; the caller holds the console lock
 * (or has broken it in panic). Converts "\n" to the device's line end.
 */
void arch_console_write(const char *s, size_t n);

/* Next byte received on the console, or -1 if none waits. Any context. */
int arch_console_getc(void);

/*
 * Bring up memory management: sanitised boot memory map in, direct map
 * of all RAM and the boot allocator out. Boot CPU, once, interrupts off.
 */
void arch_setup_memory(struct boot_info *bi);

/*
 * Describe the machine's NUMA layout from firmware into d (zeroed by the
 * caller): CPUs, memory affinity, raw distances. Boot CPU, once, after
 * arch_setup_memory(). Reports and skips what it cannot read; never fails.
 */
struct topo_desc;
void arch_describe_topology(struct topo_desc *d);

/*
 * The hypervisor's address of physical memory at pa (the direct map).
 * Any context, after arch_setup_memory(); pa must be RAM.
 */
void *arch_maddr_to_virt(paddr_t pa);

/*
 * The inverse: the physical address behind a direct-map address, or
 * INVALID_PADDR when va is not in the direct map (an image or stack
 * address, or garbage). Any context.
 */
paddr_t arch_virt_to_maddr(const void *va);

/*
 * Map len bytes of firmware tables at physical address pa for reading.
 * Returns NULL when that memory cannot be reached (or the range wraps).
 * Any time after arch_setup_memory().
 */
const void *arch_acpi_map(paddr_t pa, size_t len);

/*
 * Start every present CPU but the boot CPU (topo->cpu_hwid[1..]), each on
 * stacks from its own node's memory, marking each in cpu_online_mask as it
 * checks in; also marks the boot CPU. Returns how many CPUs are online,
 * the boot CPU included. Boot CPU, once, after arch_init_irq().
 */
unsigned int arch_start_cpus(void);

/*
 * Set up interrupt delivery and the periodic tick that wakes idle CPUs.
 * Boot CPU, once, after arch_setup_memory(); interrupts stay off.
 */
void arch_init_irq(void);

/*
 * Wait for the next interrupt with interrupts enabled, then return with
 * them disabled again. Called from the idle loop only.
 */
void arch_idle(void);

/* Print the calling CPU's registers and a stack trace. Any context. */
void arch_dump_cpu_state(void);

/* Print a stack trace of the caller's frames. Any context. */
void arch_dump_stack(void);

/*
 * Stop every CPU for good (panic). With qemu-exit, the boot CPU ends QEMU
 * with status code; otherwise all CPUs halt with interrupts off.
 */
void arch_halt_all(int code) __noreturn;

/*
 * Test only (CONFIG_SELFTEST): raise the CPU exception named by kind
 * ("ud", "pf", "gp", "de", "bp") on purpose. Returns -EINVAL for an unknown
 * kind; for a fatal exception it does not return.
 */
int arch_trigger_fault(const char *kind);

#endif /* HV_ARCH_H */
