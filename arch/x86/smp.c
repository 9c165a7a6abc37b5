/*
 * Per-CPU areas and secondary CPU bring-up on x86-64. Owns the boot CPU's
 * static per-CPU area, percpu_of[], and the trampoline page at TRAMP_PA.
 * The boot CPU starts the others one at a time (INIT, then start-up IPIs),
 * each on a stack and per-CPU area taken from its own node's memory
 * (through the node_alloc the core hands arch_start_cpus), and waits for
 * it to check in; a CPU that does not answer is reported and left out.
 * Knows CPUs only as the core's list gives them: reads no topology.
 * Secondary CPUs then run the scheduler's loop (sched_loop).
 */
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/smp.h>

#define AP_WAIT_US 2000000 /* TCG can be slow to start a vCPU */

_Static_assert(__builtin_offsetof(struct percpu, self) == PERCPU_SELF, "percpu layout");
_Static_assert(__builtin_offsetof(struct percpu, cpu_id) == PERCPU_CPU_ID, "percpu layout");

extern char boot_stack[], boot_stack_top[];

static struct percpu bsp_percpu;
static u8 bsp_ist[PERCPU_IST_STACKS * PERCPU_IST_SIZE] __aligned(16);
struct percpu *percpu_of[CONFIG_NR_CPUS];
static volatile u32 ap_checked_in;

/* Entered from the trampoline on the new CPU's own stack. */
void x86_ap_start(struct percpu *pc) __noreturn;

void x86_percpu_init_bsp(void)
{
	bsp_percpu.self = &bsp_percpu;
	bsp_percpu.cpu_id = 0;
	bsp_percpu.stack_lo = (unsigned long)boot_stack;
	bsp_percpu.stack_hi = (unsigned long)boot_stack_top;
	bsp_percpu.ist_lo = (unsigned long)bsp_ist;
	percpu_of[0] = &bsp_percpu;
	wrmsr(MSR_GS_BASE, (u64)&bsp_percpu);
}

void x86_ap_start(struct percpu *pc)
{
	wrmsr(MSR_GS_BASE, (u64)pc);
	x86_cpu_tables_init(pc);
	x86_apic_init_ap();
	cpumask_set_atomic(&cpu_online_mask, pc->cpu_id);
	__atomic_store_n(&ap_checked_in, pc->cpu_id, __ATOMIC_RELEASE);
	smp_ap_idle_loop();
}

/* Stacks and per-CPU area of cpu (c) in one block on its node; *from: the node that gave it. */
static struct percpu *alloc_percpu(unsigned int cpu, const struct arch_cpu *c,
				   paddr_t (*node_alloc)(u64, nodeid_t, nodeid_t *), nodeid_t *from)
{
	u64 size = PERCPU_IST_STACKS * PERCPU_IST_SIZE + PERCPU_STACK_SIZE +
		   ALIGN_UP(sizeof(struct percpu), PAGE_SIZE);
	paddr_t pa = node_alloc(size, c->node, from);
	struct percpu *pc;
	unsigned long va;

	if (!pa)
		return NULL;
	va = (unsigned long)maddr_to_virt(pa);
	memset((void *)va, 0, size);
	pc = (struct percpu *)(va + PERCPU_IST_STACKS * PERCPU_IST_SIZE + PERCPU_STACK_SIZE);
	pc->self = pc;
	pc->cpu_id = cpu;
	pc->apic_id = c->hwid;
	pc->node = c->node;
	pc->ist_lo = va;
	pc->stack_lo = va + PERCPU_IST_STACKS * PERCPU_IST_SIZE;
	pc->stack_hi = pc->stack_lo + PERCPU_STACK_SIZE;
	return pc;
}

static bool wait_check_in(unsigned int cpu, u64 us)
{
	for (; us; us -= MIN(us, 100)) {
		if (__atomic_load_n(&ap_checked_in, __ATOMIC_ACQUIRE) == cpu)
			return true;
		x86_udelay(100);
	}
	return __atomic_load_n(&ap_checked_in, __ATOMIC_ACQUIRE) == cpu;
}

static bool start_cpu(unsigned int cpu, const struct arch_cpu *c,
		      paddr_t (*node_alloc)(u64, nodeid_t, nodeid_t *), struct tramp_data *td)
{
	struct percpu *pc;
	u32 apic_id = c->hwid;
	nodeid_t from = 0;

	if (apic_id > 0xff) {
		pr_warn("smp: CPU%u has x2APIC id %u, which xAPIC mode cannot start; left out\n",
			cpu, apic_id);
		return false;
	}
	pc = alloc_percpu(cpu, c, node_alloc, &from);
	if (!pc) {
		pr_err("smp: no memory for CPU%u's stacks; left out\n", cpu);
		return false;
	}
	td->stack = pc->stack_hi;
	td->percpu = (u64)pc;
	percpu_of[cpu] = pc;
	__atomic_store_n(&ap_checked_in, 0, __ATOMIC_RELEASE);
	x86_apic_send_init(apic_id);
	x86_udelay(10000);
	x86_apic_send_sipi(apic_id, TRAMP_PA >> 12);
	if (!wait_check_in(cpu, 200)) {
		x86_apic_send_sipi(apic_id, TRAMP_PA >> 12);
		if (!wait_check_in(cpu, AP_WAIT_US)) {
			pr_err("smp: CPU%u (APIC id %u) did not start; left out\n", cpu, apic_id);
			percpu_of[cpu] = NULL;
			return false;
		}
	}
	pr_debug("smp: CPU%u APIC id %u node %u, stack at 0x%llx on node %u\n", cpu, apic_id,
		 pc->node, virt_to_maddr((void *)pc->stack_lo), from);
	return true;
}

unsigned int arch_start_cpus(const struct arch_cpu *cpus, unsigned int nr,
			     paddr_t (*node_alloc)(u64 size, nodeid_t node, nodeid_t *from))
{
	struct tramp_data *td;
	unsigned int cpu, online = 1;
	u64 efer = rdmsr(MSR_EFER);

	bsp_percpu.apic_id = cpus[0].hwid;
	bsp_percpu.node = cpus[0].node;
	cpumask_set_atomic(&cpu_online_mask, 0);
	if (nr < 2)
		return 1;
	/* The trampoline's bounds are linker symbols of one section (not C objects). */
	/* cppcheck-suppress comparePointers */
	memcpy(maddr_to_virt(TRAMP_PA), tramp_start, tramp_end - tramp_start);
	x86_map_trampoline(TRAMP_PA);
	/* cppcheck-suppress comparePointers */
	td = maddr_to_virt(TRAMP_PA + (tramp_data - tramp_start));
	td->cr3 = (u32)read_cr3();
	td->cr4 = (u32)read_cr4();
	td->efer = (u32)(efer & (EFER_LME | EFER_NXE | EFER_SCE));
	td->entry = (u64)x86_ap_start;
	for (cpu = 1; cpu < nr && cpu < CONFIG_NR_CPUS; cpu++)
		online += start_cpu(cpu, &cpus[cpu], node_alloc, td);
	return online;
}
