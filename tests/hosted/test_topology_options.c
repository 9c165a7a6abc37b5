/*
 * Hosted tests for mm/topology.c's options and outputs: numa=off, noslit
 * and fake=N (shares, clamping, small memory), the address to node lookup
 * checked against a brute-force search, and the 'u' dump's format.
 */
#include "topology_fixture.h"

/* ---- options ---------------------------------------------------------------- */

static void test_numa_off_and_noslit(void **state)
{
	qemu_like_4node();
	opts.noslit = true;
	build();
	assert_int_equal(t.nr_nodes, 4);
	assert_int_equal(t.distance[0][2], 20);

	opts.off = true;
	build();
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.source, TOPO_SRC_OFF);
	assert_int_equal(cpumask_weight(&t.node[0].cpus), 8);
	assert_int_equal(t.node[0].present, 0x9f000 + 0x7fedf000 + GiB(2));
}

static void test_numa_fake(void **state)
{
	/*
	 * RAM 4 GiB - 0x61000: 2047 granules of 2 MiB. Node i starts at granule
	 * floor(i * 2047 / 4): 0, 511, 1023, 1535; the last takes the rest.
	 */
	static const u64 want[4] = {0x3fe00000, 0x40000000, 0x40000000, 0x4019f000};
	unsigned int n;

	ram(0, 0x9f000);
	ram(0x100000, GiB(3));
	ram(GiB(4), GiB(5));
	for (n = 0; n < 6; n++)
		d.cpu_hwid[d.nr_cpus++] = n;
	opts.fake = 4;
	build();
	assert_int_equal(t.source, TOPO_SRC_FAKE);
	assert_int_equal(t.nr_nodes, 4);
	for (n = 0; n < 4; n++) {
		assert_int_equal(t.node[n].present, want[n]);
		assert_int_equal(t.distance[n][(n + 1) % 4], 20);
		assert_int_equal(t.node[n].nr_fallback, 3);
	}
	/* CPUs spread evenly, in blocks. */
	assert_int_equal(t.cpu_node[0], 0);
	assert_int_equal(t.cpu_node[2], 1);
	assert_int_equal(t.cpu_node[5], 3);
	assert_console_empty();
	check_lookup();
}

static void test_numa_fake_clamps(void **state)
{
	ram(0x100000, 0x100000 + MiB(6));
	opts.fake = 5;
	build();
	assert_int_equal(t.nr_nodes, 3);
	assert_int_equal(t.node[2].present, MiB(2));
	assert_console_has("numa=fake=5: only 6 MiB of RAM, at least 2 MiB per node; using 3 "
			   "nodes\n");
}

/* -m 64M: 0x9f000 + 63 MiB of RAM, 31 granules; 20 fake nodes all get memory. */
static void test_numa_fake_small_memory_leaves_no_node_empty(void **state)
{
	/* MiB per node: node i has granules floor((i+1)*31/20) - floor(i*31/20). */
	static const unsigned int want_mib[19] = {2, 4, 2, 4, 2, 4, 2, 4, 2, 4,
						  4, 2, 4, 2, 4, 2, 4, 2, 4};
	unsigned int n;

	ram(0, 0x9f000);
	ram(0x100000, MiB(64));
	opts.fake = 20;
	build();
	assert_int_equal(t.nr_nodes, 20);
	for (n = 0; n < 19; n++)
		assert_int_equal(t.node[n].present, MiB(want_mib[n]));
	assert_int_equal(t.node[19].present, MiB(5) + 0x9f000);
	assert_console_empty();
	check_lookup();

	/* 64 asked, 31 granules: 31 nodes, every one with memory, one line. */
	reset(NULL);
	ram(0, 0x9f000);
	ram(0x100000, MiB(64));
	opts.fake = 64;
	build();
	assert_int_equal(t.nr_nodes, 31);
	for (n = 0; n < 31; n++)
		assert_true(t.node[n].present >= MiB(2));
	assert_console_has("numa=fake=64: only 63 MiB of RAM, at least 2 MiB per node; using 31 "
			   "nodes\n");
}

/* Beyond NR_NODES: clamped with one line, as Documentation/numa-topology.md says. */
static void test_numa_fake_above_nr_nodes(void **state)
{
	ram(0, GiB(4));
	opts.fake = MAX_NODES + 1;
	build();
	assert_int_equal(t.nr_nodes, MAX_NODES);
	assert_console_has(" more than NR_NODES=");
}

/* ---- the lookup --------------------------------------------------------------- */

static void test_lookup_matches_brute_force(void **state)
{
	unsigned int seed, i;

	for (seed = 1; seed <= 40; seed++) {
		paddr_t pos = 0;
		unsigned int nodes = 1 + seed % 6;

		reset(NULL);
		test_rng_seed(seed * 7919);
		for (i = 0; i < 24 && nr_map < BOOT_MEMMAP_MAX; i++) {
			u64 len = PAGE_SIZE << (test_rng() % 18);

			pos += PAGE_SIZE * (test_rng() % 4);
			ram(pos, pos + len);
			mem(pos, len, (u32)(test_rng() % nodes), 0);
			pos += len;
		}
		cpu(0, d.mem[0].pxm);
		build();
		for (i = 0; i < 2000; i++) {
			paddr_t pa = test_rng() % pos;
			unsigned int r;

			for (r = 0; r < t.nr_ranges; r++)
				if (pa >= t.range[r].start && pa < t.range[r].end)
					break;
			if (r < t.nr_ranges && topo_paddr_to_node(&t, pa) != t.range[r].node)
				fail_msg("seed %u: 0x%llx in node %u, lookup says %u", seed, pa,
					 t.range[r].node, topo_paddr_to_node(&t, pa));
		}
	}
}

static void test_lookup_too_fine_uses_binary_search(void **state)
{
	unsigned int i;

	/* Nodes interleaved every 4 KiB up to 1 TiB: no table fits. */
	for (i = 0; i < 8; i++) {
		mem(GiB(1024) - PAGE_SIZE * (8 - i), PAGE_SIZE, i % 2, 0);
		ram(GiB(1024) - PAGE_SIZE * (8 - i), GiB(1024) - PAGE_SIZE * (7 - i));
	}
	cpu(0, 0);
	build();
	assert_int_equal(t.lookup_entries, 0);
	check_lookup();
	assert_int_equal(topo_paddr_to_node(&t, GiB(1024) - PAGE_SIZE), 1);
	assert_int_equal(topo_paddr_to_node(&t, GiB(1024) - 2 * PAGE_SIZE), 0);
}

static void test_print_format(void **state)
{
	static u64 free[4] = {MiB(100), MiB(200), MiB(300), MiB(400)};

	qemu_like_4node();
	mem(GiB(8), GiB(2), 3, TOPO_MEM_HOTPLUG);
	build();
	console_clear();
	topo_print(&t, free);
	assert_console_has("NUMA: 4 nodes, 8 CPUs, source acpi\n"
			   "node 0: pxm 0 cpus 0-1 memory 1023 MiB free 100 MiB\n"
			   "node 0: range 0x0-0x9f000\n"
			   "node 0: range 0x100000-0x40000000\n"
			   "node 0: distance 10 21 31 21\n"
			   "node 0: fallback 1 3 2\n"
			   "node 1: pxm 1 cpus 2-3 memory 1023 MiB free 200 MiB\n");
	assert_console_has("node 3: range 0x140000000-0x180000000\n"
			   "node 3: range 0x200000000-0x280000000 hotplug\n"
			   "node 3: distance 21 31 21 10\n"
			   "node 3: fallback 0 2 1\n");
	assert_console_has("node 1: fallback 2 0 3\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_numa_off_and_noslit, reset),
	    cmocka_unit_test_setup(test_numa_fake, reset),
	    cmocka_unit_test_setup(test_numa_fake_clamps, reset),
	    cmocka_unit_test_setup(test_numa_fake_small_memory_leaves_no_node_empty, reset),
	    cmocka_unit_test_setup(test_numa_fake_above_nr_nodes, reset),
	    cmocka_unit_test_setup(test_lookup_matches_brute_force, reset),
	    cmocka_unit_test_setup(test_lookup_too_fine_uses_binary_search, reset),
	    cmocka_unit_test_setup(test_print_format, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
