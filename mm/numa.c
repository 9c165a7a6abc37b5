/*
 * Boot glue for the NUMA core: the "numa=" command line option, turning
 * the arch's firmware facts into a description (reading the ACPI tables
 * they point to), installing the topology that the rest of the hypervisor
 * reads through `topo`, boot-time node memory, and the 'u' debug key with
 * its free figure. The topology is written once on the boot CPU before
 * other CPUs start and is read-only afterwards, so readers take no lock.
 */
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/bootmem.h>
#include <hv/cmdline.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/topology.h>

static struct topo_desc desc;
static struct topology system_topology = {.nr_nodes = 1, .nr_cpus = 1};
static struct topo_opts opts;

struct topology *topo = &system_topology;

/*
 * numa=off | numa=noslit | numa=fake=N (N nodes of equal memory). off and
 * fake=N each replace the other, so the last one given wins, as with any
 * repeated option; noslit adds to either. N above NR_NODES is clamped when
 * the topology is built (with a line saying so), not refused here.
 */
static int parse_numa(const char *v)
{
	if (!v)
		return -EINVAL;
	if (strcmp(v, "off") == 0) {
		opts.off = true;
		opts.fake = 0;
	} else if (strcmp(v, "noslit") == 0) {
		opts.noslit = true;
	} else if (strncmp(v, "fake=", 5) == 0) {
		const char *end;
		u64 n = hv_strtoull(v + 5, &end, 10);

		if (end == v + 5 || *end || n < 1 || n > UINT32_MAX)
			return -EINVAL;
		opts.fake = (unsigned int)n;
		opts.off = false;
	} else {
		return -EINVAL;
	}
	return 0;
}
boot_param_custom("numa", parse_numa, "off, noslit or fake=N (N from 1)",
		  "firmware NUMA description");

/* What the boot line adds about the command line's part in the topology. */
static const char *how_built(enum topo_source source)
{
	static char buf[32];

	if (source == TOPO_SRC_OFF)
		return " (numa=off)";
	if (source != TOPO_SRC_FAKE)
		return "";
	snprintf(buf, sizeof(buf), " (numa=fake=%u)", opts.fake);
	return buf;
}

static paddr_t alloc_on(u64 size, nodeid_t node)
{
	unsigned int i;

	/* Highest ranges first, like the boot allocator itself. */
	for (i = topo->nr_ranges; i-- > 0;) {
		const struct topo_range *r = &topo->range[i];
		paddr_t pa;

		if (r->node != node || r->hotplug)
			continue;
		pa = bootmem_alloc_range(size, PAGE_SIZE, r->start, r->end);
		if (pa)
			return pa;
	}
	return 0;
}

paddr_t numa_boot_alloc(u64 size, nodeid_t node, nodeid_t *from)
{
	const struct topo_node *tn;
	nodeid_t got;
	paddr_t pa;
	unsigned int i;

	if (node >= topo->nr_nodes)
		node = 0;
	tn = &topo->node[node];
	got = node;
	pa = alloc_on(size, got);
	for (i = 0; !pa && i < tn->nr_fallback; i++) {
		got = tn->fallback[i];
		pa = alloc_on(size, got);
	}
	if (pa && from)
		*from = got;
	return pa;
}

/* What the boot allocator still holds on node n, split exactly at node boundaries. */
static u64 bootmem_node_free(nodeid_t n)
{
	const struct mem_range *fr;
	unsigned int nr = bootmem_free_ranges(&fr), i, j;
	u64 bytes = 0;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < topo->nr_ranges; j++) {
			const struct topo_range *r = &topo->range[j];
			paddr_t s = MAX(fr[i].start, r->start), e = MIN(fr[i].end, r->end);

			if (r->node == n && !r->hotplug && s < e)
				bytes += e - s;
		}
	}
	return bytes;
}

u64 node_free_bytes(nodeid_t n)
{
	u64 bytes;

	if (n >= topo->nr_nodes)
		return 0;
	if (heap_node_free(n, &bytes))
		return bytes;
	return bootmem_node_free(n);
}

/* "node 0 cpus: 0 1 2": numactl's list, CPU numbers one by one. */
static void print_node_cpus(nodeid_t n)
{
	static char line[16 + 5 * CONFIG_NR_CPUS];
	unsigned int c;
	int len;

	len = snprintf(line, sizeof(line), "node %u cpus:", n);
	for (c = 0; c < topo->nr_cpus; c++)
		if (cpumask_test(&topo->node[n].cpus, c))
			len += snprintf(line + len, sizeof(line) - len, " %u", c);
	printk(LOG_EMERG, "%s\n", line);
}

/*
 * The layout of Linux's numactl --hardware, for people who read that
 * every day: node list, each node's CPUs, size and free memory (numactl's
 * "MB" are MiB), then the distance matrix with a header row.
 */
static void (*stat_hook)(void);

void numa_set_stat_hook(void (*fn)(void))
{
	stat_hook = fn;
}

static void key_numactl(unsigned char key)
{
	static char line[16 + 5 * MAX_NODES];
	unsigned int n, m;
	int len;

	printk(LOG_EMERG, "available: %u node%s (0-%u)\n", topo->nr_nodes, PLURAL_S(topo->nr_nodes),
	       topo->nr_nodes - 1);
	for (n = 0; n < topo->nr_nodes; n++) {
		print_node_cpus((nodeid_t)n);
		printk(LOG_EMERG, "node %u size: %llu MB\n", n, topo->node[n].present >> 20);
		printk(LOG_EMERG, "node %u free: %llu MB\n", n, node_free_bytes((nodeid_t)n) >> 20);
	}
	printk(LOG_EMERG, "node distances:\n");
	len = snprintf(line, sizeof(line), "node");
	for (m = 0; m < topo->nr_nodes; m++)
		len += snprintf(line + len, sizeof(line) - len, " %3u", m);
	printk(LOG_EMERG, "%s\n", line);
	for (n = 0; n < topo->nr_nodes; n++) {
		len = snprintf(line, sizeof(line), "%3u:", n);
		for (m = 0; m < topo->nr_nodes; m++)
			len +=
			    snprintf(line + len, sizeof(line) - len, " %3u", topo->distance[n][m]);
		printk(LOG_EMERG, "%s\n", line);
	}
	if (stat_hook)
		stat_hook();
}

static void key_numa(unsigned char key)
{
	static u64 free[MAX_NODES];
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		free[n] = node_free_bytes((nodeid_t)n);
	topo_print(topo, free);
	for (n = 0; n < topo->nr_nodes; n++) {
		u64 lost = heap_node_lost((nodeid_t)n);

		if (lost)
			printk(LOG_EMERG,
			       "node %u: %llu KiB not managed (no memory for its frame "
			       "table; see the boot log)\n",
			       n, lost >> 10);
	}
}

/*
 * The description of the machine the firmware facts lead to: the arch's
 * own, or the ACPI tables read as it says, with the boot CPU first.
 */
static const struct topo_desc *describe(const struct arch_firmware *fw)
{
	const struct acpi_numa_opts acpi = {
	    .sapic = fw->acpi_sapic,
	    .sn2_prom_srat = fw->acpi_sn2_prom_srat,
	};

	if (fw->desc)
		return fw->desc;
	if (!fw->rsdp)
		pr_warn("ACPI: no RSDP found; one node, boot CPU only\n");
	else if (acpi_tables_init(fw->rsdp, &fw->acpi_mem) >= 0)
		acpi_numa_describe_opts(&desc, &acpi);
	acpi_boot_cpu_first(&desc, fw->boot_cpu_hwid);
	return &desc;
}

void numa_init(const struct boot_info *bi, const struct arch_firmware *fw)
{
	const struct topo_desc *d = describe(fw);
	unsigned int n;

	if (!IS_ENABLED(CONFIG_NUMA)) {
		if (opts.fake)
			pr_warn("numa=fake=%u: built without CONFIG_NUMA; one node\n", opts.fake);
		opts.off = true;
		opts.fake = 0;
	}
	topo_build(d, bi->mem, bi->nr_mem, &opts, &system_topology);
	if (d->cpus_dropped)
		pr_warn("NUMA: %u CPUs beyond NR_CPUS=%d are not used\n", d->cpus_dropped,
			CONFIG_NR_CPUS);
	pr_info("NUMA: %u node%s, %u CPU%s%s\n", topo->nr_nodes, PLURAL_S(topo->nr_nodes),
		topo->nr_cpus, PLURAL_S(topo->nr_cpus), how_built(topo->source));
	for (n = 0; n < topo->nr_nodes; n++) {
		static char cpus[CPUMASK_LIST_MAX];

		cpumask_format(cpus, sizeof(cpus), &topo->node[n].cpus);
		pr_info("  node %u: pxm %u, %llu MiB, cpus %s\n", n, topo->node[n].pxm,
			topo->node[n].present >> 20, cpus);
	}
	keyhandler_register('n', key_numactl, "NUMA as numactl --hardware shows it, then numastat",
			    true);
	keyhandler_register('u', key_numa, "NUMA topology: nodes, memory, distances, fallback",
			    true);
}
