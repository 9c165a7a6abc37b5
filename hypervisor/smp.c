/*
 * Bringing the other CPUs online and saying how that went, per node, and
 * the one way the boot CPU hands them work (smp_run_on_all: a generation
 * counter the others poll from their run loop every tick). Owns
 * cpu_online_mask and the work slot. The arch gets the CPU list and the
 * boot-time node allocator as arguments; it never reads the topology.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <hv/topology.h>

struct cpumask cpu_online_mask;

void smp_init(void)
{
	static char line[16 * MAX_NODES + 64];
	static struct arch_cpu cpus[CONFIG_NR_CPUS];
	unsigned int online, n, c;
	int len;

	for (c = 0; c < topo->nr_cpus; c++) {
		cpus[c].hwid = topo->cpu_hwid[c];
		cpus[c].node = cpu_to_node(c);
	}
	online = arch_start_cpus(cpus, topo->nr_cpus, numa_boot_alloc);

	len = snprintf(line, sizeof(line), "smp: %u of %u CPUs online:", online, topo->nr_cpus);
	for (n = 0; n < topo->nr_nodes; n++) {
		unsigned int here = 0;

		for (c = 0; c < topo->nr_cpus; c++)
			here += cpumask_test(&cpu_online_mask, c) && cpu_to_node(c) == n;
		len += snprintf(line + len, sizeof(line) - MIN((size_t)len, sizeof(line)),
				" node %u: %u%s", n, here, n + 1 < topo->nr_nodes ? "," : "");
	}
	printk(LOG_INFO, "%s\n", line);
}

static void (*work_fn)(void);
static unsigned int work_gen, work_done;

void smp_run_on_all(void (*fn)(void))
{
	unsigned int others = cpumask_weight(&cpu_online_mask) - 1, waited;

	__atomic_store_n(&work_fn, fn, __ATOMIC_RELAXED);
	__atomic_store_n(&work_done, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&work_gen, 1, __ATOMIC_RELEASE);
	arch_irq_enable();
	fn();
	for (waited = 0; __atomic_load_n(&work_done, __ATOMIC_ACQUIRE) < others; waited++) {
		if (waited == 6000) {
			pr_err("smp: %u of %u CPUs did not finish their work in 60 s\n",
			       others - __atomic_load_n(&work_done, __ATOMIC_ACQUIRE), others);
			break;
		}
		arch_idle();
		arch_irq_enable();
	}
	arch_irq_disable();
}

void smp_poll_work(void)
{
	static unsigned int seen[CONFIG_NR_CPUS];
	unsigned int cpu = arch_cpu_id(), gen = __atomic_load_n(&work_gen, __ATOMIC_ACQUIRE);

	if (cpu == 0 || gen == seen[cpu])
		return;
	seen[cpu] = gen;
	__atomic_load_n(&work_fn, __ATOMIC_RELAXED)();
	__atomic_fetch_add(&work_done, 1, __ATOMIC_RELEASE);
}

void smp_ap_idle_loop(void)
{
	sched_loop(smp_poll_work);
}
