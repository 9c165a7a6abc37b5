/*
 * The NUMA picture: what the firmware says (struct topo_desc, plain
 * facts, read by the core's ACPI parsers from the tables the arch points
 * at, or derived by an arch backend such as ia64 SN2), and what the core
 * derives from it (struct topology: dense nodes, distances, CPU and
 * memory placement, fallback order). Every rule, fallback and derived
 * table lives in mm/topology.c, shared by x86 and ia64.
 *
 * Identifiers: a "pxm" is the firmware's proximity domain number (ACPI
 * SRAT) or node number (SGI SN2), possibly sparse and large. A "node" is
 * Proxima's dense id, 0 .. nr_nodes-1, assigned in ascending pxm order.
 * A "cpu" is a logical CPU number (0 = boot CPU); its firmware id (local
 * APIC id, x2APIC id, or ia64 SAPIC id << 8 | EID) is cpu_hwid[cpu].
 */
#ifndef HV_TOPOLOGY_H
#define HV_TOPOLOGY_H

#include <hv/boot.h>
#include <hv/cpumask.h>
#include <hv/nodemask.h>
#include <hv/types.h>

/* Capacities of the description; more entries are rejected, never dropped. */
#define TOPO_MAX_MEM 256	    /* memory affinity ranges */
#define TOPO_MAX_AFF CONFIG_NR_CPUS /* CPU affinity entries */
#define TOPO_MAX_LOCALITIES 256	    /* rows of the raw distance matrix */

/*
 * The highest end a range can have: half-open ranges cannot end at 2^64,
 * so a firmware range that does stops one page short (no RAM is there).
 */
#define TOPO_ADDR_END ((paddr_t)0 - PAGE_SIZE)

#define TOPO_DIST_LOCAL 10
#define TOPO_DIST_REMOTE 20
#define TOPO_DIST_UNREACHABLE 255

enum topo_source {
	TOPO_SRC_NONE, /* no NUMA description: one node */
	TOPO_SRC_ACPI, /* ACPI SRAT/SLIT (x86, ia64 DIG) */
	TOPO_SRC_SN2,  /* SGI SN2 node bits in the physical address */
	TOPO_SRC_FAKE, /* numa=fake=N */
	TOPO_SRC_OFF,  /* numa=off (or no CONFIG_NUMA): one node */
};

/* struct topo_mem.flags */
#define TOPO_MEM_HOTPLUG (1U << 0) /* may be hot-added later; not present now */
#define TOPO_MEM_NONVOLATILE (1U << 1)

struct topo_mem {
	paddr_t start;
	u64 len; /* as firmware gave it: start + len may wrap */
	u32 pxm;
	u32 flags;
};

struct topo_cpu_aff {
	u32 hwid;
	u32 pxm;
};

/*
 * Filled from firmware: by the core's ACPI parsers (hypervisor/acpi/) from
 * the tables the arch pointed at, or by an arch backend that derives it
 * (ia64 SN2). Entries that firmware marks disabled are never recorded. A
 * parser that rejects a whole table records nothing from it and sets the
 * matching *_rejected flag after printing why, so the core applies the
 * table's fallback.
 */
struct topo_desc {
	enum topo_source source;
	/* CPUs present (ACPI MADT; SN2 CPU list), boot CPU first. */
	unsigned int nr_cpus;
	u32 cpu_hwid[CONFIG_NR_CPUS];
	unsigned int cpus_dropped; /* present beyond CONFIG_NR_CPUS */
	/* Affinity (ACPI SRAT; SN2 derived from node bits). */
	bool have_affinity;
	bool affinity_rejected;
	unsigned int nr_mem;
	struct topo_mem mem[TOPO_MAX_MEM];
	unsigned int nr_aff;
	struct topo_cpu_aff aff[TOPO_MAX_AFF];
	/* Raw distances, row-major, indexed by pxm (ACPI SLIT, SN2 hops). */
	bool distances_rejected;
	u32 nr_localities; /* 0: no matrix */
	u8 dist[TOPO_MAX_LOCALITIES * TOPO_MAX_LOCALITIES];
};

/*
 * Options from the command line ("numa="). off and fake exclude each
 * other: the parser keeps the last of numa=off and numa=fake=N given.
 */
struct topo_opts {
	bool off;	   /* numa=off: one node */
	bool noslit;	   /* numa=noslit: ignore distances */
	unsigned int fake; /* numa=fake=N: N > 0 splits memory into N nodes */
};

/* One piece of the physical address space and its node. */
struct topo_range {
	paddr_t start, end; /* half-open */
	nodeid_t node;
	bool hotplug; /* recorded for hot-add; not present memory */
};

struct topo_node {
	u32 pxm;
	u64 present; /* bytes of present RAM (memory map RAM on this node) */
	struct cpumask cpus;
	unsigned int nr_fallback;
	nodeid_t fallback[MAX_NODES]; /* other nodes, in the order to try */
};

#define TOPO_MAX_RANGES (TOPO_MAX_MEM + BOOT_MEMMAP_MAX + 1)
#define TOPO_LOOKUP_MAX 4096 /* entries of the address-to-node table */

/*
 * topo_build()'s work area, part of its output so that a build keeps no
 * state of its own; meaningless once the build is done.
 */
struct topo_build_work {
	u32 pxm[MAX_NODES]; /* proximity domains in use, ascending */
	unsigned int nr_pxm;
	struct topo_mem aff[TOPO_MAX_MEM]; /* usable memory affinity, sorted */
	unsigned int nr_aff;
	unsigned int load[MAX_NODES]; /* first-fallback choices per node */
};

struct topology {
	enum topo_source source;
	unsigned int nr_nodes;
	unsigned int nr_cpus;
	struct topo_node node[MAX_NODES];
	u8 distance[MAX_NODES][MAX_NODES];
	nodeid_t cpu_node[CONFIG_NR_CPUS];
	u32 cpu_hwid[CONFIG_NR_CPUS];
	/* Sorted, disjoint ranges with their nodes (RAM and hot-plug). */
	unsigned int nr_ranges;
	struct topo_range range[TOPO_MAX_RANGES];
	/* paddr >> lookup_shift indexes lookup[] when lookup_entries > 0. */
	unsigned int lookup_shift;
	unsigned int lookup_entries;
	nodeid_t lookup[TOPO_LOOKUP_MAX];
	struct topo_build_work work;
};

/*
 * Validate a description against the sanitised boot memory map and build
 * the topology. Never fails: every rule that rejects firmware data prints
 * one line naming the table, the rule and the fallback, and the result is
 * always usable (at worst one node holding all RAM and all CPUs).
 * Pure and reentrant: writes nothing but *out (out->work is its scratch
 * space) and the console, so tests and the fuzzer can call it.
 */
void topo_build(const struct topo_desc *d, const struct mem_range *map, unsigned int nr_map,
		const struct topo_opts *opts, struct topology *out);

/* The node of a physical address: O(1) through the lookup table. */
nodeid_t topo_paddr_to_node(const struct topology *t, paddr_t pa);

/* Print the 'u' dump of t. free_bytes[n] is free memory per node, or NULL (free = present). */
void topo_print(const struct topology *t, const u64 *free_bytes);

/* The system's topology, installed once at boot. */
extern struct topology *topo;

static inline unsigned int nr_nodes(void)
{
	return topo->nr_nodes;
}

static inline nodeid_t cpu_to_node(unsigned int cpu)
{
	return topo->cpu_node[cpu];
}

static inline u8 node_distance(nodeid_t a, nodeid_t b)
{
	return topo->distance[a][b];
}

static inline nodeid_t paddr_to_node(paddr_t pa)
{
	return topo_paddr_to_node(topo, pa);
}

/*
 * The node whose memory serves node n by default: n if it has memory,
 * else the nearest node that has (the first of its fallback list, which
 * holds only nodes with memory); n itself when there is none.
 */
static inline nodeid_t node_memory_home(nodeid_t n)
{
	const struct topo_node *tn = &topo->node[n];

	return tn->present || !tn->nr_fallback ? n : tn->fallback[0];
}

#endif /* HV_TOPOLOGY_H */
