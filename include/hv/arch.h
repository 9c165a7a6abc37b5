/*
 * The contract between the generic core and an architecture: every
 * arch_* function the core calls, bound at link time (no function-pointer
 * tables). Each says in which context it runs and what it returns.
 * Tiny ones that must inline (interrupt flags, cpu_relax) come from
 * <asm/arch-inline.h>; the hosted test build supplies its own.
 *
 * Data flows one way: the arch hands over firmware facts as data (struct
 * arch_firmware) and the core parses them and builds the topology; the
 * core hands the arch what it derived (struct arch_cpu) as arguments. The
 * arch never reads the core's topology, and the core never asks the arch
 * to finish a parse.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <asm/arch-inline.h>
#include <hv/compiler.h>
#include <hv/types.h>

struct acpi_rsdp;
struct boot_info;
struct topo_desc;

/* Physical memory [base, base + len) readable by the core at virt. */
struct fw_window {
	paddr_t base;
	u64 len;
	const void *virt;
};

/*
 * What the arch knows about the firmware, filled by
 * arch_describe_firmware() and read by the core (mm/numa.c), which finds
 * and parses the tables itself.
 *
 * rsdp: the ACPI RSDP, readable for 36 bytes (a copy the loader handed
 *	over, or inside acpi_mem); NULL when there is none.
 * acpi_mem: where the tables the RSDP points to can be read; an address
 *	outside it is taken as not mapped. Physical address 0 never is.
 * acpi_sapic, acpi_sn2_prom_srat: how to read the NUMA tables (struct
 *	acpi_numa_opts in <hv/acpi.h>): ia64 CPU ids and the SN2 PROM's SRAT.
 * desc: a description the arch derived itself from firmware that has no
 *	tables (ia64 SN2 node bits), used instead of ACPI; NULL otherwise.
 * boot_cpu_hwid: the firmware id of the CPU running the boot (local APIC
 *	or x2APIC id on x86); the core lists it first, adding it if the
 *	tables leave it out. Not used with desc (which lists it first).
 */
struct arch_firmware {
	const struct acpi_rsdp *rsdp;
	struct fw_window acpi_mem;
	bool acpi_sapic;
	bool acpi_sn2_prom_srat;
	const struct topo_desc *desc;
	u32 boot_cpu_hwid;
};

/* A CPU for arch_start_cpus(), as the core placed it. */
struct arch_cpu {
	u32 hwid;      /* firmware id, as in struct topo_desc */
	nodeid_t node; /* its node */
};

/*
 * Inline, from <asm/arch-inline.h>:
 *   unsigned long arch_irq_save(void)   disable local interrupts, return old state
 *   void arch_irq_restore(unsigned long) put that state back
 *   void arch_irq_enable(void) / arch_irq_disable(void)
 *   void arch_cpu_relax(void)           spin-wait hint
 *   unsigned int arch_cpu_id(void)      dense id of the calling CPU (0 = boot CPU)
 *   void arch_sync_fence(void)          the cheap half of arch_cpu_sync(): orders
 *                                       a CPU's own data against another's sync
 *                                       (a compiler barrier where sync interrupts)
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
 * Fill fw (zeroed by the caller) with where the firmware's tables are and
 * how to read them, and the boot CPU's id. Boot CPU, once, after
 * arch_setup_memory(). Never fails: what it cannot find it leaves empty.
 */
void arch_describe_firmware(struct arch_firmware *fw);

/*
 * The hypervisor's address of physical memory at pa (the direct map).
 * Any context, after arch_setup_memory(); pa must be RAM.
 */
void *arch_maddr_to_virt(paddr_t pa);

/*
 * The inverse, arch_virt_to_maddr(va): the physical address behind a
 * direct-map address, or INVALID_PADDR when va is not in the direct map
 * (an image or stack address, or garbage). Any context. Inline, in
 * <asm/arch-inline.h>: kfree() starts with it.
 */

/*
 * Start cpus[1 .. nr-1] (cpus[0] is the boot CPU, logical CPU i is
 * cpus[i]), each on stacks from its own node's memory: node_alloc(size,
 * node, &from) returns size bytes (whole pages) of physical memory on node
 * or the nearest node that has some, with from set to the node that gave
 * it, or 0. Marks each CPU in cpu_online_mask as it checks in, the boot
 * CPU too. Returns how many CPUs are online, the boot CPU included. Boot
 * CPU, once, after arch_init_irq(); cpus may be freed afterwards.
 */
unsigned int arch_start_cpus(const struct arch_cpu *cpus, unsigned int nr,
			     paddr_t (*node_alloc)(u64 size, nodeid_t node, nodeid_t *from));

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

/*
 * Have cpu pass a full memory barrier, and wait until it has, at a point
 * where it runs with interrupts enabled (or, user space, any point after
 * its last arch_sync_fence()). Afterwards every store cpu made before its
 * arch_sync_fence() is visible to the caller, and cpu sees every store
 * the caller made before the call. The asymmetric half of a handshake
 * whose hot side is arch_sync_fence() (mm/pcp.c). Returns false when cpu
 * could not be reached in time (not online, or interrupts off too long):
 * the caller must then leave cpu's data alone. The calling CPU itself is
 * at such a point: true at once for itself, and a CPU waiting for it is
 * answered while it waits. Any context but interrupts; not from inside
 * the section the handshake protects.
 */
bool arch_cpu_sync(unsigned int cpu);

/*
 * Have the calling CPU interrupted at TSC value tsc (the clock of the
 * guests' APIC timers, <hv/vlapic.h>) if that is before its next tick:
 * a vCPU's timer fires on time whether the vCPU runs (the interrupt makes
 * it exit) or sleeps in HLT (it ends arch_idle()). Interrupts off.
 */
void arch_timer_at(u64 tsc);

/*
 * Interrupt cpu and do not wait: it leaves guest mode (a VM exit) or
 * arch_idle(), and looks at its work again. Nothing for the calling CPU
 * itself. Any context but interrupts.
 */
void arch_cpu_kick(unsigned int cpu);

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
