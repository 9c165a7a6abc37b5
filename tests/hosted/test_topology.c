/*
 * Hosted tests for mm/topology.c, the generic NUMA core: topologies of 1,
 * 2, 4, 8 and 64 nodes, sparse proximity domains, memoryless and CPU-less
 * nodes, hot-plug ranges, every validation rule with its exact line and
 * fallback, and the fallback order. The numa= options, the address to node
 * lookup and the 'u' format are in test_topology_options.c.
 */
#include "topology_fixture.h"

/* ---- plain topologies ---------------------------------------------------- */

static void test_no_description_is_one_node(void **state)
{
	ram(0, 0x9f000);
	ram(0x100000, 0x40000000);
	d.cpu_hwid[0] = 0;
	d.cpu_hwid[1] = 1;
	d.nr_cpus = 2;
	build();
	assert_int_equal(t.source, TOPO_SRC_NONE);
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.nr_cpus, 2);
	assert_int_equal(t.node[0].present, 0x9f000 + 0x3ff00000);
	assert_int_equal(cpumask_weight(&t.node[0].cpus), 2);
	assert_int_equal(t.distance[0][0], 10);
	check_fallback(0, 0);
	check_lookup();
	assert_console_empty();
}

static void test_no_cpu_list_still_has_the_boot_cpu(void **state)
{
	ram(0x100000, 0x200000);
	build();
	assert_int_equal(t.nr_cpus, 1);
	assert_true(cpumask_test(&t.node[0].cpus, 0));
}

static void test_qemu_4node_ring(void **state)
{
	unsigned int n, i;

	qemu_like_4node();
	build();
	assert_int_equal(t.source, TOPO_SRC_ACPI);
	assert_int_equal(t.nr_nodes, 4);
	for (n = 0; n < 4; n++) {
		assert_int_equal(t.node[n].pxm, n);
		assert_true(cpumask_test(&t.node[n].cpus, 2 * n));
		assert_true(cpumask_test(&t.node[n].cpus, 2 * n + 1));
		assert_int_equal(cpumask_weight(&t.node[n].cpus), 2);
		for (i = 0; i < 4; i++)
			assert_int_equal(t.distance[n][i], ring4[n * 4 + i]);
	}
	assert_int_equal(t.node[0].present, 0x9f000 + 0x3ff00000);
	assert_int_equal(t.node[1].present, 0x3ffdf000); /* below the PCI hole */
	assert_int_equal(t.node[2].present, 0x40000000);
	assert_int_equal(t.node[3].present, 0x40000000);
	/* Nearest first, and the two neighbours at 21 shared out. */
	check_fallback(0, 3, 1, 3, 2);
	check_fallback(1, 3, 2, 0, 3);
	check_fallback(2, 3, 3, 1, 0);
	check_fallback(3, 3, 0, 2, 1);
	check_lookup();
	assert_int_equal(topo_paddr_to_node(&t, 0x3fffffff), 0);
	assert_int_equal(topo_paddr_to_node(&t, 0x40000000), 1);
	assert_int_equal(topo_paddr_to_node(&t, 0x17fffffffULL), 3);
	assert_true(t.lookup_entries > 0);
	assert_console_has(
	    "SRAT: memory range at 0x80000000 (pxm 0) has zero length; entry ignored");
}

static void test_two_nodes(void **state)
{
	static const u8 m[4] = {10, 21, 21, 10};

	ram(0x100000, 0x80000000);
	cpu(0, 0);
	cpu(1, 1);
	mem(0, 0x40000000, 0, 0);
	mem(0x40000000, 0x40000000, 1, 0);
	slit(2, m);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.distance[0][1], 21);
	check_fallback(0, 1, 1);
	check_fallback(1, 1, 0);
	assert_int_equal(t.nr_ranges, 2);
	assert_int_equal(t.range[0].start, 0x100000);
	assert_int_equal(t.range[0].end, 0x40000000);
	assert_int_equal(t.range[1].node, 1);
	assert_console_empty();
}

static void test_eight_flat_nodes_spread_the_first_fallback(void **state)
{
	bool hit[8] = {false};
	unsigned int n, i;

	for (n = 0; n < 8; n++) {
		ram(GiB(n), GiB(n + 1));
		mem(GiB(n), GiB(1), n, 0);
		cpu(n, n);
	}
	build(); /* no SLIT: 10 local, 20 remote */
	assert_int_equal(t.nr_nodes, 8);
	for (n = 0; n < 8; n++) {
		assert_int_equal(t.node[n].nr_fallback, 7);
		/* Not everyone falls back onto the same neighbour. */
		assert_false(hit[t.node[n].fallback[0]]);
		hit[t.node[n].fallback[0]] = true;
		for (i = 0; i < 8; i++)
			assert_int_equal(t.distance[n][i], n == i ? 10 : 20);
	}
	check_lookup();
}

static void test_sixty_four_nodes(void **state)
{
	static u8 m[64 * 64];
	unsigned int n, i;

	for (n = 0; n < 64; n++) {
		for (i = 0; i < 64; i++) {
			unsigned int hops = n > i ? n - i : i - n;

			m[n * 64 + i] = n == i ? 10 : (u8)(20 + MIN(hops, 20U) * 10);
		}
		ram(MiB(64) * n + MiB(1), MiB(64) * (n + 1));
		mem(MiB(64) * n, MiB(64), n, 0);
		cpu(2 * n, n);
		cpu(2 * n + 1, n);
	}
	slit(64, m);
	build();
	assert_int_equal(t.nr_nodes, 64);
	assert_int_equal(t.nr_cpus, 128);
	for (n = 0; n < 64; n++) {
		assert_int_equal(t.node[n].present, MiB(63));
		assert_int_equal(t.node[n].nr_fallback, 63);
		for (i = 1; i < 63; i++)
			assert_true(t.distance[n][t.node[n].fallback[i - 1]] <=
				    t.distance[n][t.node[n].fallback[i]]);
	}
	/* Node 10's nearest are 9 and 11 (distance 30); then 8 and 12. */
	assert_true(t.node[10].fallback[0] == 9 || t.node[10].fallback[0] == 11);
	assert_int_equal(t.distance[10][t.node[10].fallback[2]], 40);
	check_lookup();
	assert_console_empty();
}

/* ---- sparse, memoryless, CPU-less, hot-plug ------------------------------ */

static void test_sparse_pxms_map_densely(void **state)
{
	ram(0, GiB(3));
	mem(GiB(2), GiB(1), 4000000000U, 0);
	mem(0, GiB(1), 7, 0);
	mem(GiB(1), GiB(1), 1000, 0);
	cpu(0, 1000);
	cpu(1, 7);
	build();
	assert_int_equal(t.nr_nodes, 3);
	assert_int_equal(t.node[0].pxm, 7);
	assert_int_equal(t.node[1].pxm, 1000);
	assert_int_equal(t.node[2].pxm, 4000000000U);
	assert_int_equal(t.cpu_node[0], 1);
	assert_int_equal(t.cpu_node[1], 0);
	assert_int_equal(topo_paddr_to_node(&t, GiB(2) + 5), 2);
}

/* 1 GiB on pxm 0 (with CPU 0) and 1 GiB on pxm, then a count x count SLIT; built. */
static void two_nodes_with_slit(u32 pxm, unsigned int count, const u8 *m)
{
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), pxm, 0);
	cpu(0, 0);
	slit(count, m);
	build();
}

static void test_sparse_pxms_with_matching_slit(void **state)
{
	static const u8 m[16] = {
	    10, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 10,
	};

	two_nodes_with_slit(3, 4, m);
	assert_int_equal(t.nr_nodes, 2);
	/* Asymmetric is legal: each node uses its own row. */
	assert_int_equal(t.distance[0][1], 17);
	assert_int_equal(t.distance[1][0], 23);
	assert_console_empty();
}

static void test_memoryless_node(void **state)
{
	static const u8 m[9] = {10, 21, 31, 21, 10, 21, 31, 21, 10};

	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 2, 0);
	cpu(0, 0);
	cpu(1, 1); /* pxm 1 has CPUs only */
	cpu(2, 2);
	slit(3, m);
	build();
	assert_int_equal(t.nr_nodes, 3);
	assert_int_equal(t.node[1].present, 0);
	assert_true(cpumask_test(&t.node[1].cpus, 1));
	/* Its CPUs allocate from the nearest nodes; nobody tries node 1. */
	check_fallback(1, 2, 0, 2);
	check_fallback(0, 1, 2);
	check_fallback(2, 1, 0);
}

static void test_cpuless_node(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 1, 0);
	cpu(0, 0);
	cpu(1, 0);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(cpumask_weight(&t.node[1].cpus), 0);
	assert_int_equal(t.node[1].present, GiB(1));
	check_fallback(0, 1, 1);
}

static void test_hotplug_ranges_are_recorded_not_present(void **state)
{
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	mem(GiB(4), GiB(8), 1, TOPO_MEM_HOTPLUG);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.node[1].present, 0);
	assert_int_equal(t.nr_ranges, 2);
	assert_true(t.range[1].hotplug);
	assert_int_equal(t.range[1].start, GiB(4));
	assert_int_equal(t.range[1].end, GiB(12));
	/* No present memory there: nobody falls back to node 1. */
	check_fallback(0, 0);
	assert_int_equal(topo_paddr_to_node(&t, GiB(5)), 1);
}

static void test_ram_inside_a_hotplug_range_is_present(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(2), 1, TOPO_MEM_HOTPLUG);
	cpu(0, 0);
	build();
	assert_int_equal(t.node[1].present, GiB(1));
	assert_int_equal(t.nr_ranges, 3);
	assert_false(t.range[1].hotplug);
	assert_true(t.range[2].hotplug);
	assert_int_equal(t.range[2].start, GiB(2));
}

/* ---- rules and fallbacks ------------------------------------------------- */

static void test_wrapping_range_rejects_srat(void **state)
{
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	mem(0xfffffffff0000000ULL, 0x20000000ULL, 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.source, TOPO_SRC_NONE);
	assert_console_has("SRAT: memory range 0xfffffffff0000000+0x20000000 (pxm 1) wraps past "
			   "2^64; ignoring SRAT: one node with all memory and CPUs\n");
	assert_int_equal(t.node[0].present, GiB(1));
}

static void test_overlap_of_different_nodes_rejects_srat(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1) + MiB(2), 0, 0);
	mem(GiB(1), GiB(1), 1, 0);
	cpu(0, 0);
	cpu(1, 1);
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(cpumask_weight(&t.node[0].cpus), 2);
	assert_console_has("SRAT: memory ranges 0x0-0x40200000 (pxm 0) and 0x40000000-0x80000000 "
			   "(pxm 1) overlap; ignoring SRAT: one node with all memory and CPUs\n");
}

static void test_overlap_hidden_behind_a_nested_range(void **state)
{
	/* pxm 1 overlaps the long pxm 0 range, not its nested neighbour. */
	ram(0, GiB(8));
	mem(0, GiB(8), 0, 0);
	mem(GiB(1), GiB(1), 0, 0);
	mem(GiB(3), GiB(1), 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_console_has("SRAT: memory ranges 0x0-0x200000000 (pxm 0) and 0xc0000000-0x100000000 "
			   "(pxm 1) overlap; ignoring SRAT");
}

static void test_overlapping_hotplug_ranges_merge(void **state)
{
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	mem(GiB(4), GiB(4), 1, TOPO_MEM_HOTPLUG);
	mem(GiB(6), GiB(4), 1, TOPO_MEM_HOTPLUG);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_ranges, 2);
	assert_int_equal(t.range[1].start, GiB(4));
	assert_int_equal(t.range[1].end, GiB(10));
	assert_true(t.range[1].hotplug);
	check_lookup();
}

static void test_overlap_within_a_node_is_fine(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1) + MiB(2), 0, 0);
	mem(GiB(1), GiB(1), 0, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.source, TOPO_SRC_ACPI);
	assert_int_equal(t.node[0].present, GiB(2));
	assert_int_equal(t.nr_ranges, 1);
	assert_console_empty();
}

static void test_more_domains_than_nodes_rejects_srat(void **state)
{
	unsigned int n;

	ram(0, GiB(1));
	for (n = 0; n <= MAX_NODES; n++)
		mem(MiB(2) * n, MiB(2), n * 3, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_console_has("SRAT: more than NR_NODES=");
	assert_console_has(
	    " proximity domains; ignoring SRAT: one node with all memory and CPUs\n");
}

static void test_uncovered_ram_goes_to_the_node_below(void **state)
{
	ram(0, GiB(1) + MiB(16)); /* 16 MiB past node 0's range */
	ram(GiB(2), GiB(3));
	mem(0, GiB(1), 0, 0);
	mem(GiB(2), GiB(1), 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.node[0].present, GiB(1) + MiB(16));
	assert_int_equal(t.node[1].present, GiB(1));
	assert_console_has("SRAT: 16 MiB of RAM in no memory affinity range; given to the node of "
			   "the memory below it (node 0 if none)\n");
}

static void test_uncovered_ram_below_everything_goes_to_node_0(void **state)
{
	ram(0, GiB(2));
	mem(GiB(1), GiB(1), 5, 0);
	mem(GiB(4), GiB(1), 2, 0);
	cpu(0, 5);
	build();
	/* pxm 2 is node 0 even though its memory is not in the map. */
	assert_int_equal(t.node[0].pxm, 2);
	assert_int_equal(t.node[0].present, GiB(1));
	assert_int_equal(t.node[1].present, GiB(1));
	assert_console_has("SRAT: 1024 MiB of RAM in no memory affinity range");
}

static void test_cpu_without_affinity_goes_to_node_0(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 1, 0);
	cpu(0, 1);
	d.cpu_hwid[d.nr_cpus++] = 0x42; /* in the MADT only */
	build();
	assert_int_equal(t.cpu_node[1], 0);
	assert_console_has("SRAT: CPU 1 (id 0x42) has no affinity entry; placed on node 0\n");
}

/* One CPU, two proximity domains: the first entry wins, said, no phantom node. */
static void test_cpu_in_two_domains(void **state)
{
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	cpu(0, 0);
	/* The same APIC id again (an x2APIC entry beside the xAPIC one), in pxm 5. */
	d.aff[d.nr_aff].hwid = 0;
	d.aff[d.nr_aff++].pxm = 5;
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.node[0].pxm, 0);
	assert_int_equal(t.cpu_node[0], 0);
	assert_console_has("SRAT: CPU id 0x0 is in two proximity domains, pxm 0 and pxm 5; a CPU "
			   "has one node: keeping pxm 0, the first entry\n");

	/* The second domain has memory of its own: it stays a node, without the CPU. */
	reset(NULL);
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 5, 0);
	cpu(7, 5);
	d.aff[d.nr_aff].hwid = 7;
	d.aff[d.nr_aff++].pxm = 0;
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.cpu_node[0], 1);
	assert_int_equal(cpumask_weight(&t.node[0].cpus), 0);
	assert_console_has("SRAT: CPU id 0x7 is in two proximity domains, pxm 5 and pxm 0; a CPU "
			   "has one node: keeping pxm 5, the first entry\n");

	/* The same entry twice is no conflict. */
	reset(NULL);
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	cpu(0, 0);
	cpu(1, 0);
	d.aff[d.nr_aff].hwid = 1;
	d.aff[d.nr_aff++].pxm = 0;
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_console_empty();
}

/* A range that ends exactly at 2^64 does not wrap; one byte further does. */
static void test_range_ending_at_2_64(void **state)
{
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	/* 0x40000000 + 0xffffffffc0000000 == 2^64. */
	mem(GiB(1), 0xffffffffc0000000ULL, 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.node[1].present, GiB(1));
	assert_int_equal(topo_paddr_to_node(&t, GiB(2) - 1), 1);
	assert_console_empty();

	/* Hot-pluggable up to 2^64: recorded up to the last page below it. */
	reset(NULL);
	ram(0, GiB(2));
	mem(0, GiB(2), 0, 0);
	mem(GiB(4), 0xffffffff00000000ULL, 1, TOPO_MEM_HOTPLUG);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.nr_ranges, 2);
	assert_int_equal(t.range[1].start, GiB(4));
	assert_int_equal(t.range[1].end, 0xfffffffffffff000ULL);
	assert_true(t.range[1].hotplug);
	assert_console_empty();

	/* 2^64 + 1: a wrap, and the whole SRAT goes. */
	reset(NULL);
	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), 0xffffffffc0000001ULL, 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_console_has("SRAT: memory range 0x40000000+0xffffffffc0000001 (pxm 1) wraps past "
			   "2^64; ignoring SRAT: one node with all memory and CPUs\n");
}

/* A node boundary inside a page: the page goes to the node of its first byte. */
static void test_node_boundary_inside_a_page(void **state)
{
	ram(0, GiB(1));
	mem(0, 0x20000800, 0, 0);
	mem(0x20000800, GiB(1) - 0x20000800, 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_ranges, 2);
	assert_int_equal(t.range[0].end, 0x20001000);
	assert_int_equal(t.range[1].start, 0x20001000);
	assert_int_equal(t.node[0].present, 0x20001000);
	assert_int_equal(t.node[1].present, GiB(1) - 0x20001000);
	assert_console_has("SRAT: 1 node boundary inside a page (first at 0x20000800); each such "
			   "page goes to the node holding its first byte (node 0 at 0x20000000)\n");
	check_lookup();

	/* Node 1 wholly inside one page of node 0: the page stays node 0's. */
	reset(NULL);
	ram(0, GiB(1));
	mem(0, 0x20000800, 0, 0);
	mem(0x20000800, 0x400, 1, 0);
	mem(0x20000c00, GiB(1) - 0x20000c00, 0, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.nr_ranges, 1);
	assert_int_equal(t.range[0].end, GiB(1));
	assert_int_equal(t.node[0].present, GiB(1));
	assert_int_equal(t.node[1].present, 0);
	assert_console_has("SRAT: 1 node boundary inside a page (first at 0x20000800); ");

	/* Three boundaries, each in its own page. */
	reset(NULL);
	ram(0, GiB(1));
	mem(0, 0x10000010, 0, 0);
	mem(0x10000010, 0x10000000, 1, 0);
	mem(0x20000010, 0x10000000, 0, 0);
	mem(0x30000010, GiB(1) - 0x30000010, 1, 0);
	cpu(0, 0);
	build();
	assert_int_equal(t.nr_ranges, 4);
	assert_int_equal(t.range[0].end, 0x10001000);
	assert_int_equal(t.range[1].end, 0x20001000);
	assert_int_equal(t.range[2].end, 0x30001000);
	assert_console_has("SRAT: 3 node boundaries inside a page (first at 0x10000010); ");
	check_lookup();
}

static void test_srat_cpu_not_present_is_ignored(void **state)
{
	ram(0, GiB(1));
	mem(0, GiB(1), 0, 0);
	cpu(0, 0);
	d.aff[d.nr_aff].hwid = 9;
	d.aff[d.nr_aff].pxm = 3; /* only this entry names pxm 3 */
	d.nr_aff++;
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_console_has(
	    "SRAT: CPU id 0x9 (pxm 3) is not among the present CPUs; entry ignored\n");
}

static void test_slit_rules(void **state)
{
	static const struct {
		u8 m[4];
		unsigned int count;
		const char *line;
	} cases[] = {
	    {{11, 21, 21, 10}, 2, "SLIT: distance from pxm 0 to itself is 11, not 10; "},
	    {{10, 10, 21, 10}, 2, "SLIT: distance from pxm 0 to pxm 1 is 10, not above 10; "},
	    {{10, 21, 9, 10}, 2, "SLIT: distance from pxm 1 to pxm 0 is 9, not above 10; "},
	    {{10, 0, 0, 0},
	     1,
	     "SLIT: 1 locality, but the proximity domains (largest 1) "
	     "need at least 2; "},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		reset(NULL);
		ram(0, GiB(2));
		mem(0, GiB(1), 0, 0);
		mem(GiB(1), GiB(1), 1, 0);
		cpu(0, 0);
		slit(cases[i].count, cases[i].m);
		build();
		/* The SRAT's nodes stay; distances become 10/20. */
		assert_int_equal(t.nr_nodes, 2);
		assert_int_equal(t.distance[0][1], 20);
		assert_int_equal(t.distance[1][0], 20);
		assert_int_equal(t.distance[1][1], 10);
		assert_console_has(cases[i].line);
		assert_console_has("ignoring SLIT: distances 10 local, 20 remote\n");
	}
}

/* ACPI 6.5 5.2.17: more localities than domains is legal (empty sockets, _PXM-only domains). */
static void test_slit_with_more_localities_than_domains(void **state)
{
	/* Localities 0..3; SRAT names only pxm 0 and pxm 2. */
	static const u8 m[16] = {
	    10, 16, 22, 28, 16, 10, 17, 23, 22, 17, 10, 19, 28, 23, 19, 10,
	};

	two_nodes_with_slit(2, 4, m);
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.distance[0][1], 22);
	assert_int_equal(t.distance[1][0], 22);
	assert_int_equal(t.distance[1][1], 10);
	assert_console_empty();
}

/* A SLIT row of 255 is "unreachable": such nodes come last, never not at all. */
static void test_unreachable_comes_last(void **state)
{
	static const u8 m[9] = {10, 255, 30, 255, 10, 30, 30, 30, 10};

	ram(0, GiB(3));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 1, 0);
	mem(GiB(2), GiB(1), 2, 0);
	cpu(0, 0);
	slit(3, m);
	build();
	assert_int_equal(t.distance[0][1], 255);
	check_fallback(0, 2, 2, 1);
	check_fallback(1, 2, 2, 0);
	check_fallback(2, 2, 0, 1);
	assert_console_empty();
}

/*
 * The boot CPU on a memoryless node whose SLIT row marks the only node with
 * memory unreachable: it still gets that memory, and one line says so.
 */
static void test_memoryless_cpu_node_with_only_unreachable_memory(void **state)
{
	static const u8 m[4] = {10, 255, 255, 10};

	ram(0, GiB(1));
	mem(0, GiB(1), 1, 0);
	cpu(0, 0);
	cpu(1, 1);
	slit(2, m);
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.cpu_node[0], 0);
	assert_int_equal(t.node[0].present, 0);
	check_fallback(0, 1, 1);
	check_fallback(1, 0);
	assert_console_has("SLIT: node 0 (pxm 0) has CPUs but no memory, and every node with "
			   "memory is unreachable (255) from it; its memory comes from node 1 all "
			   "the same\n");

	/* The same with two unreachable memory nodes: both, by id after n. */
	{
		static const u8 m3[9] = {10, 255, 255, 255, 10, 21, 255, 21, 10};

		reset(NULL);
		ram(0, GiB(2));
		mem(0, GiB(1), 1, 0);
		mem(GiB(1), GiB(1), 2, 0);
		cpu(0, 0);
		slit(3, m3);
		build();
		check_fallback(0, 2, 1, 2);
		assert_console_has(
		    "SLIT: node 0 (pxm 0) has CPUs but no memory, and every node "
		    "with memory is unreachable (255) from it; its memory comes from "
		    "node 1 all the same\n");
	}
	/* A memoryless node with a reachable neighbour says nothing. */
	{
		static const u8 m3[9] = {10, 255, 40, 255, 10, 21, 40, 21, 10};

		reset(NULL);
		ram(0, GiB(2));
		mem(0, GiB(1), 1, 0);
		mem(GiB(1), GiB(1), 2, 0);
		cpu(0, 0);
		slit(3, m3);
		build();
		check_fallback(0, 2, 2, 1);
		assert_console_empty();
	}
}

static void test_rejected_tables_from_the_parser(void **state)
{
	static const u8 m[4] = {10, 21, 21, 10};

	ram(0, GiB(2));
	mem(0, GiB(1), 0, 0);
	mem(GiB(1), GiB(1), 1, 0);
	cpu(0, 0);
	slit(2, m);
	d.distances_rejected = true;
	build();
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.distance[0][1], 20);

	d.affinity_rejected = true;
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.node[0].present, GiB(2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_no_description_is_one_node, reset),
	    cmocka_unit_test_setup(test_no_cpu_list_still_has_the_boot_cpu, reset),
	    cmocka_unit_test_setup(test_qemu_4node_ring, reset),
	    cmocka_unit_test_setup(test_two_nodes, reset),
	    cmocka_unit_test_setup(test_eight_flat_nodes_spread_the_first_fallback, reset),
	    cmocka_unit_test_setup(test_sixty_four_nodes, reset),
	    cmocka_unit_test_setup(test_sparse_pxms_map_densely, reset),
	    cmocka_unit_test_setup(test_sparse_pxms_with_matching_slit, reset),
	    cmocka_unit_test_setup(test_memoryless_node, reset),
	    cmocka_unit_test_setup(test_cpuless_node, reset),
	    cmocka_unit_test_setup(test_hotplug_ranges_are_recorded_not_present, reset),
	    cmocka_unit_test_setup(test_ram_inside_a_hotplug_range_is_present, reset),
	    cmocka_unit_test_setup(test_wrapping_range_rejects_srat, reset),
	    cmocka_unit_test_setup(test_overlap_of_different_nodes_rejects_srat, reset),
	    cmocka_unit_test_setup(test_overlap_hidden_behind_a_nested_range, reset),
	    cmocka_unit_test_setup(test_overlapping_hotplug_ranges_merge, reset),
	    cmocka_unit_test_setup(test_overlap_within_a_node_is_fine, reset),
	    cmocka_unit_test_setup(test_more_domains_than_nodes_rejects_srat, reset),
	    cmocka_unit_test_setup(test_uncovered_ram_goes_to_the_node_below, reset),
	    cmocka_unit_test_setup(test_uncovered_ram_below_everything_goes_to_node_0, reset),
	    cmocka_unit_test_setup(test_cpu_without_affinity_goes_to_node_0, reset),
	    cmocka_unit_test_setup(test_srat_cpu_not_present_is_ignored, reset),
	    cmocka_unit_test_setup(test_slit_rules, reset),
	    cmocka_unit_test_setup(test_slit_with_more_localities_than_domains, reset),
	    cmocka_unit_test_setup(test_unreachable_comes_last, reset),
	    cmocka_unit_test_setup(test_memoryless_cpu_node_with_only_unreachable_memory, reset),
	    cmocka_unit_test_setup(test_cpu_in_two_domains, reset),
	    cmocka_unit_test_setup(test_range_ending_at_2_64, reset),
	    cmocka_unit_test_setup(test_node_boundary_inside_a_page, reset),
	    cmocka_unit_test_setup(test_rejected_tables_from_the_parser, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
