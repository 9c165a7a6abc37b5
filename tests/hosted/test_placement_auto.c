/*
 * Hosted tests for hypervisor/placement.c, part two: the automatic choice
 * of distinct nodes for a domain with several virtual nodes on fixture
 * machines of 1, 2, 3, 4, 8, 64 and 85/86 nodes: the nearest set (both
 * directions of an asymmetric SLIT), ties by free memory then ids, nodes
 * without memory or CPUs, the full search and the greedy one past 100000
 * sets. The expected nodes and figures are written out by hand from the
 * fixtures (placement_fixture.h), with the reason beside them.
 */
#include "placement_fixture.h"

/* ---- several virtual nodes, placement picks ------------------------------------------ */

static void test_auto_one_and_two_nodes(void **state)
{
	static const struct place_node one[] = {
	    {.present = GiB(1), .free = MiB(800), .cpus = 2},
	};
	static const u8 dist1[] = {10};
	/* 1300 MiB free in all. */
	static const struct place_node two[] = {
	    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
	    {.present = GiB(2), .free = MiB(300), .cpus = 4},
	};
	static const u8 dist2[] = {10, 21, 21, 10};
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	/* One node cannot be two different ones... */
	spread_bad(&cfg, one, 1, dist1, -EINVAL,
		   "vnodes=2 needs 2 nodes with memory, 1 has memory");
	/* ...but nodes=0+0 may name it twice (512 of 800 MiB). */
	give_nodes(&cfg, (const int[]){0, 0});
	cfg.policy = DOM_POLICY_STRICT;
	spread_ok(&cfg, one, 1, dist1, (const nodeid_t[]){0, 0});
	/* Two nodes: both, in id order; node 1's 300 MiB holds 256. */
	cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);
	spread_ok(&cfg, two, 2, dist2, (const nodeid_t[]){0, 1});
	cfg.policy = DOM_POLICY_STRICT;
	spread_ok(&cfg, two, 2, dist2, (const nodeid_t[]){0, 1});
	/* 512 MiB and a byte each (needs read 513): node 1 is no candidate. */
	cfg = make_vnodes(2, MiB(512) + 1, DOM_POLICY_STRICT);
	spread_bad(&cfg, two, 2, dist2, -ENOMEM,
		   "strict: vnodes=2 needs 2 nodes with 513 MiB free, 1 has (node 0)");
	/* Prefer takes both anyway: 1024 MiB and 2 bytes of 1300 free. */
	cfg.policy = DOM_POLICY_PREFER;
	spread_ok(&cfg, two, 2, dist2, (const nodeid_t[]){0, 1});
	/* 2 x 700 = 1400 MiB, more than the 1300 free. */
	cfg = make_vnodes(2, MiB(700), DOM_POLICY_PREFER);
	spread_bad(&cfg, two, 2, dist2, -ENOMEM,
		   "not enough memory: domain needs 1400 MiB, 1300 MiB free on all nodes");
	/* mem=256M+768M: the larger part decides, and node 1 has 300 MiB. */
	cfg = make_vnodes(2, MiB(256), DOM_POLICY_STRICT);
	cfg.vnode_mem[1] = MiB(768);
	cfg.mem = MiB(1024);
	spread_bad(&cfg, two, 2, dist2, -ENOMEM,
		   "strict: vnodes=2 needs 2 nodes with 768 MiB free, 1 has (node 0)");
	/* Strict, and no node has 1100 MiB. */
	cfg = make_vnodes(2, MiB(1100), DOM_POLICY_STRICT);
	spread_bad(&cfg, two, 2, dist2, -ENOMEM,
		   "strict: vnodes=2 needs 2 nodes with 1100 MiB free, none has");
}

static void test_auto_pair_is_the_nearest(void **state)
{
	/* Nodes 0 and 2 have twice the free memory of nodes 1 and 3. */
	static const struct place_node quad[] = {
	    {.present = GiB(4), .free = MiB(2000), .cpus = 2},
	    {.present = GiB(4), .free = MiB(1000), .cpus = 2},
	    {.present = GiB(4), .free = MiB(2000), .cpus = 2},
	    {.present = GiB(4), .free = MiB(1000), .cpus = 2},
	};
	/* Nodes 1 and 3 are 12 apart; every other pair 20 or 22. */
	static const u8 near13[] = {
	    10, 20, 22, 20, /* */
	    20, 10, 20, 12, /* */
	    22, 20, 10, 20, /* */
	    20, 12, 20, 10,
	};
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	/* Distance first: {1,3} (2 x 12 = 24), not the roomier {0,2} (44). */
	spread_ok(&cfg, quad, 4, near13, (const nodeid_t[]){1, 3});
	cfg.policy = DOM_POLICY_STRICT;
	spread_ok(&cfg, quad, 4, near13, (const nodeid_t[]){1, 3});
	/* On the line, neighbours (16) with 3000 MiB each: the lowest, {0,1}. */
	spread_ok(&cfg, quad, 4, line4, (const nodeid_t[]){0, 1});
}

static void test_auto_ties_by_free_then_ids(void **state)
{
	/* On line4; 500, 600, 700 and 600 MiB free. */
	static const struct place_node uneven[] = {
	    {.present = GiB(1), .free = MiB(500), .cpus = 2},
	    {.present = GiB(1), .free = MiB(600), .cpus = 2},
	    {.present = GiB(1), .free = MiB(700), .cpus = 2},
	    {.present = GiB(1), .free = MiB(600), .cpus = 2},
	};
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	/*
	 * Neighbours are all 2 x 16 = 32: {1,2} and {2,3} have 1300 MiB free,
	 * {0,1} 1100. The lower ids of the two: {1,2}.
	 */
	spread_ok(&cfg, uneven, 4, line4, (const nodeid_t[]){1, 2});
	/* even: 600 MiB everywhere, so the lowest ids, {0,1}. */
	spread_ok(&cfg, even, 4, line4, (const nodeid_t[]){0, 1});
	/* Three: {0,1,2} and {1,2,3} are 2 x (16 + 16 + 22) = 108; 1800 vs 1900 MiB free. */
	cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);
	spread_ok(&cfg, uneven, 4, line4, (const nodeid_t[]){1, 2, 3});
	spread_ok(&cfg, even, 4, line4, (const nodeid_t[]){0, 1, 2});
	/* Four: the only set. */
	cfg = make_vnodes(4, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, uneven, 4, line4, (const nodeid_t[]){0, 1, 2, 3});
}

static void test_auto_asymmetric_slit_counts_both_ways(void **state)
{
	static const struct place_node three[] = {
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	};
	/*
	 * Both ways: {0,1} 12 + 40 = 52, {0,2} 30 + 20 = 50, {1,2} 24 + 24 =
	 * 48. The upper triangle alone would pick {0,1} (12), the lower one
	 * {0,2} (20).
	 */
	static const u8 asym3[] = {
	    10, 12, 30, /* */
	    40, 10, 24, /* */
	    20, 24, 10,
	};
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	spread_ok(&cfg, three, 3, asym3, (const nodeid_t[]){1, 2});
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 1}, 2, asym3, 3), 52);
	assert_int_equal(place_distance_sum((const nodeid_t[]){1, 0}, 2, asym3, 3), 52);
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 2}, 2, asym3, 3), 50);
	assert_int_equal(place_distance_sum((const nodeid_t[]){2, 1}, 2, asym3, 3), 48);
	/* 52 + 50 + 48; one node alone 0; a repeated node 10 each way. */
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 1, 2}, 3, asym3, 3), 150);
	assert_int_equal(place_distance_sum((const nodeid_t[]){2}, 1, asym3, 3), 0);
	assert_int_equal(place_distance_sum((const nodeid_t[]){1, 1}, 2, asym3, 3), 20);
}

static void test_auto_skips_nodes_without_memory(void **state)
{
	/* Node 1 claims 8 GiB free and 8 CPUs but has no memory. */
	static const struct place_node holey[] = {
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = 0, .free = GiB(8), .cpus = 8},
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	};
	/* Nodes 1 and 3 without memory. */
	static const struct place_node two_holes[] = {
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = 0, .free = 0, .cpus = 2},
	    {.present = GiB(1), .free = MiB(1000), .cpus = 2},
	    {.present = 0, .free = 0, .cpus = 2},
	};
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	/* On line4 without node 1: {2,3} (32), not {0,1} (32, and 8 GiB more free). */
	spread_ok(&cfg, holey, 4, line4, (const nodeid_t[]){2, 3});
	/* Three: the only set left, {0,2,3}, also when nothing fits (prefer). */
	cfg = make_vnodes(3, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, holey, 4, line4, (const nodeid_t[]){0, 2, 3});
	cfg = make_vnodes(3, MiB(1001), DOM_POLICY_PREFER);
	spread_ok(&cfg, holey, 4, line4, (const nodeid_t[]){0, 2, 3});
	cfg = make_vnodes(4, MiB(256), DOM_POLICY_PREFER);
	spread_bad(&cfg, holey, 4, line4, -EINVAL,
		   "vnodes=4 needs 4 nodes with memory, 3 have memory");
	cfg = make_vnodes(3, MiB(64), DOM_POLICY_STRICT);
	spread_bad(&cfg, two_holes, 4, line4, -EINVAL,
		   "vnodes=3 needs 3 nodes with memory, 2 have memory");
	cfg = make_vnodes(2, MiB(64), DOM_POLICY_PREFER);
	spread_bad(&cfg, two_holes + 1, 1, line4, -EINVAL,
		   "vnodes=2 needs 2 nodes with memory, 0 have memory");
}

static void test_auto_cpuless_nodes_only_when_needed(void **state)
{
	/* Nodes 2 and 3 have memory but no CPUs. */
	static const struct place_node cpuless[] = {
	    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
	    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
	    {.present = GiB(2), .free = MiB(1000), .cpus = 0},
	    {.present = GiB(2), .free = MiB(1000), .cpus = 0},
	};
	/* The same with node 1 nearly full. */
	static const struct place_node cpuless_full[] = {
	    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
	    {.present = GiB(2), .free = MiB(100), .cpus = 4},
	    {.present = GiB(2), .free = MiB(1000), .cpus = 0},
	    {.present = GiB(2), .free = MiB(1000), .cpus = 0},
	};
	/* The CPU-less pair is the nearest (12); 0-1 is 20, across 30. */
	static const u8 near23[] = {
	    10, 20, 30, 30, /* */
	    20, 10, 30, 30, /* */
	    30, 30, 10, 12, /* */
	    30, 30, 12, 10,
	};
	struct domain_config cfg = make_vnodes(2, MiB(512), DOM_POLICY_PREFER);

	/* Two nodes have CPUs: those, though {2,3} is nearer. */
	spread_ok(&cfg, cpuless, 4, near23, (const nodeid_t[]){0, 1});
	/*
	 * Three: two nodes with CPUs are too few, so all four count. {0,2,3}
	 * and {1,2,3} are 2 x (30 + 30 + 12) = 144, {0,1,x} 2 x (20 + 30 +
	 * 30) = 160; equal free, so {0,2,3}.
	 */
	cfg = make_vnodes(3, MiB(512), DOM_POLICY_PREFER);
	spread_ok(&cfg, cpuless, 4, near23, (const nodeid_t[]){0, 2, 3});
	/*
	 * Node 1 has 100 MiB, no candidate for 512: of the candidates 0, 2
	 * and 3 only one has CPUs, so all three count and {2,3} is nearest.
	 */
	cfg = make_vnodes(2, MiB(512), DOM_POLICY_STRICT);
	spread_ok(&cfg, cpuless_full, 4, near23, (const nodeid_t[]){2, 3});
	/* 64 MiB fits node 1 again: back to the CPUs. */
	cfg = make_vnodes(2, MiB(64), DOM_POLICY_STRICT);
	spread_ok(&cfg, cpuless_full, 4, near23, (const nodeid_t[]){0, 1});
}

/* Two sockets of four nodes: 16 within a socket, 32 across. */
static const u8 sock8[] = {
    10, 16, 16, 16, 32, 32, 32, 32, /* */
    16, 10, 16, 16, 32, 32, 32, 32, /* */
    16, 16, 10, 16, 32, 32, 32, 32, /* */
    16, 16, 16, 10, 32, 32, 32, 32, /* */
    32, 32, 32, 32, 10, 16, 16, 16, /* */
    32, 32, 32, 32, 16, 10, 16, 16, /* */
    32, 32, 32, 32, 16, 16, 10, 16, /* */
    32, 32, 32, 32, 16, 16, 16, 10,
};

/* Socket 0 (nodes 0-3) 1000 MiB free each; socket 1 900, 1100, 1100, 1000. */
static const struct place_node sockets[] = {
    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
    {.present = GiB(2), .free = MiB(900), .cpus = 4},
    {.present = GiB(2), .free = MiB(1100), .cpus = 4},
    {.present = GiB(2), .free = MiB(1100), .cpus = 4},
    {.present = GiB(2), .free = MiB(1000), .cpus = 4},
};

static void test_auto_eight_nodes_in_two_sockets(void **state)
{
	struct domain_config cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);

	/*
	 * Three in one socket: 2 x 3 x 16 = 96. Socket 0 has 3000 MiB free in
	 * any three, socket 1 3200 in {5,6,7} ({4,5,6} 3100).
	 */
	spread_ok(&cfg, sockets, 8, sock8, (const nodeid_t[]){5, 6, 7});
	/* Two: {5,6}, 2200 MiB. Four: socket 1 (4100 MiB against 4000). */
	cfg = make_vnodes(2, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, sockets, 8, sock8, (const nodeid_t[]){5, 6});
	cfg = make_vnodes(4, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, sockets, 8, sock8, (const nodeid_t[]){4, 5, 6, 7});
	/*
	 * Five: a socket and one node of the other, 192 + 2 x 4 x 32 = 448.
	 * Socket 1 and any node 0-3, or socket 0 and node 5 or 6: 5100 MiB.
	 * The smallest ids of those: {0,1,2,3,5}.
	 */
	cfg = make_vnodes(5, MiB(256), DOM_POLICY_PREFER);
	spread_ok(&cfg, sockets, 8, sock8, (const nodeid_t[]){0, 1, 2, 3, 5});
	/* 1001 MiB each: only nodes 5 and 6 have it. */
	cfg = make_vnodes(3, MiB(1001), DOM_POLICY_STRICT);
	spread_bad(&cfg, sockets, 8, sock8, -ENOMEM,
		   "strict: vnodes=3 needs 3 nodes with 1001 MiB free, 2 have (nodes 5+6)");
	/* Prefer: all nodes count, and {5,6,7} is picked as with 256 MiB. */
	cfg.policy = DOM_POLICY_PREFER;
	spread_ok(&cfg, sockets, 8, sock8, (const nodeid_t[]){5, 6, 7});
}

#define GADGET_MAX 86
static struct place_node gadget[GADGET_MAX];
static u8 gadget_dist[GADGET_MAX * GADGET_MAX];

/*
 * n nodes with 1000 MiB free and a CPU each, and a trap for the greedy
 * search: nodes 0-3 are 20 apart; node 4+i is 11 from node i and 100
 * from the rest of nodes 0-7; nodes from 8 on are 200 from everything.
 * Greedy from any start takes a node and its trap (11) first.
 */
static void build_gadget(unsigned int n)
{
	unsigned int a, b;

	assert_true(n <= GADGET_MAX);
	for (a = 0; a < n; a++) {
		gadget[a] = (struct place_node){.present = GiB(2), .free = MiB(1000), .cpus = 1};
		for (b = 0; b < n; b++) {
			u8 d = 200;

			if (a == b)
				d = 10;
			else if (a < 4 && b < 4)
				d = 20;
			else if (a < 8 && b < 8)
				d = a % 4 == b % 4 ? 11 : 100;
			gadget_dist[a * n + b] = d;
		}
	}
}

static void test_auto_full_search_up_to_100000_sets(void **state)
{
	struct domain_config cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);

	/*
	 * 64 nodes, three: C(64,3) = 41664 sets, searched in full. {0,1,2}
	 * is 2 x 3 x 20 = 120, tied with the other triples of 0-3 (lowest
	 * ids win); greedy would end at 2 x (11 + 20 + 100) = 262.
	 */
	build_gadget(64);
	spread_ok(&cfg, gadget, 64, gadget_dist, (const nodeid_t[]){0, 1, 2});
	/* 85 nodes: C(85,3) = 98770, still in full. */
	build_gadget(85);
	spread_ok(&cfg, gadget, 85, gadget_dist, (const nodeid_t[]){0, 1, 2});
}

static void test_auto_greedy_past_100000_sets(void **state)
{
	struct domain_config cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);

	/*
	 * 86 nodes: C(86,3) = 102340 sets, so greedy. From node i it takes
	 * node 4+i (11), then the lowest other of 0-3: 262 for {0,1,4},
	 * {0,1,5}, {0,2,6}, {0,3,7}; the smallest ids win.
	 */
	build_gadget(86);
	spread_ok(&cfg, gadget, 86, gadget_dist, (const nodeid_t[]){0, 1, 4});
	/*
	 * 64 nodes, four: C(64,4) = 635376, greedy. {0,1,2,4} is 2 x (11 +
	 * 3 x 20 + 2 x 100) = 542, tied with {0,1,2,5}, {0,1,2,6} and
	 * {0,1,3,7}. The full search would find {0,1,2,3} (240).
	 */
	build_gadget(64);
	cfg = make_vnodes(4, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, gadget, 64, gadget_dist, (const nodeid_t[]){0, 1, 2, 4});
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 1, 2, 4}, 4, gadget_dist, 64),
			 542);
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 1, 2, 3}, 4, gadget_dist, 64),
			 240);
}

/*
 * n nodes in sockets of four: 16 within a socket, 32 across. 1000 MiB
 * free each, but node 0 with node0_free and the nodes of socket roomy
 * (none when negative) with 1200.
 */
static void build_sockets(unsigned int n, u64 node0_free, int roomy)
{
	unsigned int a, b;

	assert_true(n <= GADGET_MAX);
	for (a = 0; a < n; a++) {
		gadget[a] = (struct place_node){.present = GiB(2), .free = MiB(1000), .cpus = 2};
		if ((int)(a / 4) == roomy)
			gadget[a].free = MiB(1200);
		for (b = 0; b < n; b++)
			gadget_dist[a * n + b] = a == b ? 10 : a / 4 == b / 4 ? 16 : 32;
	}
	gadget[0].free = node0_free;
}

static void test_auto_greedy_ties_by_free(void **state)
{
	struct domain_config cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);

	/*
	 * 86 nodes (102340 sets, greedy), node 0 with 500 MiB. Any three of a
	 * socket are 96. From node 1, nodes 0, 2 and 3 each add 32: the roomier
	 * 2, then 3, giving {1,2,3} with 3000 MiB, which beats {0,1,2} (2500)
	 * and, by ids, {4,5,6} (3000). Taking the lowest id instead of the
	 * most free would never build {1,2,3}.
	 */
	build_sockets(86, MiB(500), -1);
	spread_ok(&cfg, gadget, 86, gadget_dist, (const nodeid_t[]){1, 2, 3});
}

static void test_auto_greedy_finds_the_sockets(void **state)
{
	struct domain_config cfg = make_vnodes(4, MiB(256), DOM_POLICY_PREFER);

	build_sockets(64, MiB(1000), 9);
	/* 64 nodes, 16 sockets, socket 9 (36-39) the roomiest. Four (635376
	 * sets, greedy): a whole socket (192), the roomiest. */
	spread_ok(&cfg, gadget, 64, gadget_dist, (const nodeid_t[]){36, 37, 38, 39});
	/* Three (41664, in full): the lowest ids of socket 9. */
	cfg = make_vnodes(3, MiB(256), DOM_POLICY_PREFER);
	spread_ok(&cfg, gadget, 64, gadget_dist, (const nodeid_t[]){36, 37, 38});
	/*
	 * Sixteen (greedy): any four whole sockets are 4 x 192 + 192 x 32 =
	 * 6912; socket 9 adds 800 MiB; then the lowest ids, sockets 0-2.
	 */
	cfg = make_vnodes(16, MiB(256), DOM_POLICY_STRICT);
	spread_ok(&cfg, gadget, 64, gadget_dist,
		  (const nodeid_t[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 36, 37, 38, 39});
	assert_int_equal(place_distance_sum((const nodeid_t[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
							       36, 37, 38, 39},
					    16, gadget_dist, 64),
			 6912);
}

static void test_vnodes_and_node_count_limits(void **state)
{
	static const struct place_node many[PLACE_NODES_MAX + 1];
	struct domain_config cfg = make_vnodes(2, MiB(64), DOM_POLICY_PREFER);

	cfg.vnodes = 0;
	spread_bad(&cfg, four, 4, line4, -EINVAL, "vnodes=0 is out of range (1..16)");
	cfg.vnodes = 17;
	spread_bad(&cfg, four, 4, line4, -EINVAL, "vnodes=17 is out of range (1..16)");
	cfg = make_cfg(MiB(64), 1, -1, DOM_POLICY_PREFER);
	spread_bad(&cfg, many, PLACE_NODES_MAX + 1, NULL, -EINVAL,
		   "257 nodes, placement takes at most 256");
	/* 256 nodes are taken (and have no memory). */
	spread_bad(&cfg, many, PLACE_NODES_MAX, NULL, -EINVAL, "no node has memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auto_one_and_two_nodes),
	    cmocka_unit_test(test_auto_pair_is_the_nearest),
	    cmocka_unit_test(test_auto_ties_by_free_then_ids),
	    cmocka_unit_test(test_auto_asymmetric_slit_counts_both_ways),
	    cmocka_unit_test(test_auto_skips_nodes_without_memory),
	    cmocka_unit_test(test_auto_cpuless_nodes_only_when_needed),
	    cmocka_unit_test(test_auto_eight_nodes_in_two_sockets),
	    cmocka_unit_test(test_auto_full_search_up_to_100000_sets),
	    cmocka_unit_test(test_auto_greedy_past_100000_sets),
	    cmocka_unit_test(test_auto_greedy_ties_by_free),
	    cmocka_unit_test(test_auto_greedy_finds_the_sockets),
	    cmocka_unit_test(test_vnodes_and_node_count_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
