/*
 * Bringing the other CPUs online and saying how that went, per node. Owns
 * cpu_online_mask. The arch does the starting (arch_start_cpus); this file
 * only reports. Boot CPU, once, after the topology is installed.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/smp.h>
#include <hv/topology.h>

struct cpumask cpu_online_mask;

void smp_init(void)
{
	static char line[16 * MAX_NODES + 64];
	unsigned int online = arch_start_cpus(), n, c;
	int len;

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
