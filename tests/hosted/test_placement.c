/*
 * Hosted tests for hypervisor/placement.c: dom_place() on small fixture
 * machines (1, 2, 3, 4, 8, 64 and 85/86 nodes). One virtual node: a named
 * node (exists, has memory, fits when strict), the choice without one
 * (most free memory among nodes with enough CPUs, then among nodes that
 * fit, then the emptiest node to spill from), ties to the lowest id.
 * Several: nodes given (repeats, strict sums per node, bad ids), and the
 * automatic choice of the nearest set of distinct nodes (both directions
 * of an asymmetric SLIT, ties by free memory then ids, nodes without
 * memory or CPUs, the full search and the greedy one past 100000 sets).
 * The expected nodes and figures are written out by hand from the
 * fixtures, with the reason beside them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/placement.h>

#define NO_NODE 0xbeef /* what out[] holds before the call */

/*
 * Four nodes of 1 GiB: node 1 has the most free memory but one CPU, node
 * 2 the most CPUs, node 3 CPUs but no memory. 2112 MiB free in all.
 */
static const struct place_node four[] = {
    {.present = GiB(1), .free = MiB(512), .cpus = 2},
    {.present = GiB(1), .free = MiB(900), .cpus = 1},
    {.present = GiB(1), .free = MiB(700), .cpus = 4},
    {.present = 0, .free = 0, .cpus = 2},
};

/* Four equal nodes but node 0, which has one CPU. */
static const struct place_node even[] = {
    {.present = GiB(1), .free = MiB(600), .cpus = 1},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
};

/* Four nodes on a line: 10 + 6 per hop (10/16/22/28). */
static const u8 line4[] = {
    10, 16, 22, 28, /* */
    16, 10, 16, 22, /* */
    22, 16, 10, 16, /* */
    28, 22, 16, 10,
};

/* One virtual node of mem bytes and vcpus vCPUs, on node (-1: none given). */
static struct domain_config make_cfg(u64 mem, unsigned int vcpus, int node, enum dom_policy policy)
{
	struct domain_config cfg = {.name = "d",
				    .mem = mem,
				    .vcpus = vcpus,
				    .vnodes = 1,
				    .vnode_mem = {mem},
				    .vnode_vcpus = {vcpus},
				    .vnode_node = {node},
				    .policy = policy,
				    .image = -1};

	return cfg;
}

/* The memory of a domain with one virtual node. */
static void set_mem(struct domain_config *cfg, u64 mem)
{
	cfg->mem = mem;
	cfg->vnode_mem[0] = mem;
}

/* k virtual nodes of part bytes and one vCPU each, no node given. */
static struct domain_config make_vnodes(unsigned int k, u64 part, enum dom_policy policy)
{
	struct domain_config cfg = make_cfg(0, 0, -1, policy);
	unsigned int v;

	cfg.vnodes = k;
	for (v = 0; v < DOMAIN_MAX_VNODES; v++) {
		cfg.vnode_node[v] = -1;
		if (v >= k)
			continue;
		cfg.vnode_mem[v] = part;
		cfg.vnode_vcpus[v] = 1;
		cfg.mem += part;
		cfg.vcpus++;
	}
	return cfg;
}

/* nodes=ids[0]+ids[1]+... for the cfg->vnodes virtual nodes. */
static void give_nodes(struct domain_config *cfg, const int *ids)
{
	unsigned int v;

	for (v = 0; v < cfg->vnodes; v++)
		cfg->vnode_node[v] = ids[v];
}

/* Expect cfg placed on want[0..cfg->vnodes-1], no reason, nothing past it written. */
static void spread_ok(const struct domain_config *cfg, const struct place_node *nodes,
		      unsigned int nr, const u8 *dist, const nodeid_t *want)
{
	nodeid_t out[DOMAIN_MAX_VNODES + 1];
	char err[128] = "x";
	unsigned int v;
	int rc;

	for (v = 0; v < ARRAY_SIZE(out); v++)
		out[v] = NO_NODE;
	rc = dom_place(cfg, nodes, nr, dist, out, err, sizeof(err));
	if (rc)
		fail_msg("mem %llu vcpus %u vnodes %u node %d: %d, %s", cfg->mem, cfg->vcpus,
			 cfg->vnodes, cfg->vnode_node[0], rc, err);
	for (v = 0; v < cfg->vnodes; v++)
		if (out[v] != want[v])
			fail_msg("virtual node %u: node %u, want %u", v, out[v], want[v]);
	for (; v < ARRAY_SIZE(out); v++)
		assert_int_equal(out[v], NO_NODE);
	assert_string_equal(err, "");
}

/* Expect cfg refused with rc and exactly the reason want, out[] untouched. */
static void spread_bad(const struct domain_config *cfg, const struct place_node *nodes,
		       unsigned int nr, const u8 *dist, int want_rc, const char *want)
{
	nodeid_t out[DOMAIN_MAX_VNODES];
	char err[128];
	unsigned int v;

	for (v = 0; v < ARRAY_SIZE(out); v++)
		out[v] = NO_NODE;
	assert_int_equal(dom_place(cfg, nodes, nr, dist, out, err, sizeof(err)), want_rc);
	assert_string_equal(err, want);
	for (v = 0; v < ARRAY_SIZE(out); v++)
		assert_int_equal(out[v], NO_NODE);
}

/* One virtual node: the distances are not read, so none are passed. */
static void place_ok(const struct domain_config *cfg, const struct place_node *nodes,
		     unsigned int nr, unsigned int want)
{
	nodeid_t w = (nodeid_t)want;

	spread_ok(cfg, nodes, nr, NULL, &w);
}

static void place_bad(const struct domain_config *cfg, const struct place_node *nodes,
		      unsigned int nr, int want_rc, const char *want)
{
	spread_bad(cfg, nodes, nr, NULL, want_rc, want);
}

/* ---- a named node ---------------------------------------------------------------- */

static void test_named_node_is_taken(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 1, 2, DOM_POLICY_PREFER);

	place_ok(&cfg, four, 4, 2);
	/* prefer: the node need neither fit nor have the CPUs. */
	cfg = make_cfg(GiB(1), 8, 1, DOM_POLICY_PREFER);
	place_ok(&cfg, four, 4, 1);
	cfg = make_cfg(MiB(64), 1, 0, DOM_POLICY_STRICT);
	place_ok(&cfg, four, 4, 0);
}

static void test_named_node_out_of_range(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 1, 4, DOM_POLICY_PREFER);

	place_bad(&cfg, four, 4, -EINVAL, "node 4 does not exist (4 nodes)");
	cfg.vnode_node[0] = 255;
	place_bad(&cfg, four, 4, -EINVAL, "node 255 does not exist (4 nodes)");
	cfg.vnode_node[0] = 1;
	place_bad(&cfg, four, 1, -EINVAL, "node 1 does not exist (1 node)");
	cfg.policy = DOM_POLICY_STRICT;
	place_bad(&cfg, four, 1, -EINVAL, "node 1 does not exist (1 node)");
}

static void test_named_node_without_memory(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 2, 3, DOM_POLICY_PREFER);

	place_bad(&cfg, four, 4, -EINVAL, "node 3 has no memory");
	cfg.policy = DOM_POLICY_STRICT;
	place_bad(&cfg, four, 4, -EINVAL, "node 3 has no memory");
}

static void test_named_node_strict(void **state)
{
	struct domain_config cfg = make_cfg(MiB(900), 1, 1, DOM_POLICY_STRICT);

	/* Exactly the free memory fits. */
	place_ok(&cfg, four, 4, 1);
	set_mem(&cfg, MiB(901));
	place_bad(&cfg, four, 4, -ENOMEM, "strict: node 1 has 900 MiB free, domain needs 901 MiB");
	cfg = make_cfg(MiB(256), 1, 0, DOM_POLICY_STRICT);
	place_ok(&cfg, four, 4, 0);
	set_mem(&cfg, GiB(1));
	place_bad(&cfg, four, 4, -ENOMEM, "strict: node 0 has 512 MiB free, domain needs 1024 MiB");
}

static void test_named_node_prefer_needs_the_memory_somewhere(void **state)
{
	struct domain_config cfg = make_cfg(MiB(2112), 1, 0, DOM_POLICY_PREFER);

	place_ok(&cfg, four, 4, 0);
	set_mem(&cfg, MiB(2113));
	place_bad(&cfg, four, 4, -ENOMEM,
		  "not enough memory: domain needs 2113 MiB, 2112 MiB free on all nodes");
}

/* ---- no node named ------------------------------------------------------------------ */

static void test_most_free_with_enough_cpus(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 1, -1, DOM_POLICY_PREFER);

	/* One vCPU: node 1, the most free. */
	place_ok(&cfg, four, 4, 1);
	/* Two or four: node 1 has one CPU, node 2 is next. */
	cfg.vcpus = 2;
	place_ok(&cfg, four, 4, 2);
	cfg.vcpus = 4;
	place_ok(&cfg, four, 4, 2);
	/* 600 MiB: only nodes 1 and 2 fit, node 2 has the CPUs. */
	cfg = make_cfg(MiB(600), 2, -1, DOM_POLICY_PREFER);
	place_ok(&cfg, four, 4, 2);
	/* Strict without a node is the same choice when one node fits. */
	cfg.policy = DOM_POLICY_STRICT;
	place_ok(&cfg, four, 4, 2);
}

static void test_most_free_that_fits_when_none_has_the_cpus(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 8, -1, DOM_POLICY_PREFER);

	place_ok(&cfg, four, 4, 1);
	/* 800 MiB fits node 1 only, which has one CPU of the two asked. */
	cfg = make_cfg(MiB(800), 2, -1, DOM_POLICY_PREFER);
	place_ok(&cfg, four, 4, 1);
	cfg.policy = DOM_POLICY_STRICT;
	place_ok(&cfg, four, 4, 1);
	/* 701 MiB: nodes with 4 CPUs (node 2) do not fit; node 1 does. */
	cfg = make_cfg(MiB(701), 4, -1, DOM_POLICY_PREFER);
	place_ok(&cfg, four, 4, 1);
}

static void test_ties_go_to_the_lowest_id(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 1, -1, DOM_POLICY_PREFER);

	place_ok(&cfg, even, 4, 0);
	/* Node 0 lacks the CPUs: the lowest of the others. */
	cfg.vcpus = 2;
	place_ok(&cfg, even, 4, 1);
	/* Nobody has three: the lowest that fits. */
	cfg.vcpus = 3;
	place_ok(&cfg, even, 4, 0);
	/* Nothing holds 1 GiB: the lowest of the emptiest, to spill from. */
	cfg = make_cfg(GiB(1), 2, -1, DOM_POLICY_PREFER);
	place_ok(&cfg, even, 4, 0);
	place_ok(&cfg, even + 2, 2, 0);
}

static void test_spill_from_the_node_with_most_free(void **state)
{
	/* 1 GiB fits no node of four: node 1 has the most (900 MiB). */
	struct domain_config cfg = make_cfg(GiB(1), 1, -1, DOM_POLICY_PREFER);

	place_ok(&cfg, four, 4, 1);
	/* CPUs do not matter when spilling. */
	cfg.vcpus = 4;
	place_ok(&cfg, four, 4, 1);
	/* All the free memory together still fits. */
	set_mem(&cfg, MiB(2112));
	place_ok(&cfg, four, 4, 1);
	set_mem(&cfg, MiB(2113));
	place_bad(&cfg, four, 4, -ENOMEM,
		  "not enough memory: domain needs 2113 MiB, 2112 MiB free on all nodes");
}

static void test_strict_fits_nowhere(void **state)
{
	struct domain_config cfg = make_cfg(GiB(1), 1, -1, DOM_POLICY_STRICT);

	place_bad(&cfg, four, 4, -ENOMEM,
		  "strict: no node has 1024 MiB free (the most is 900 MiB, on node 1)");
	set_mem(&cfg, MiB(601));
	place_bad(&cfg, even, 4, -ENOMEM,
		  "strict: no node has 601 MiB free (the most is 600 MiB, on node 0)");
}

static void test_node_without_memory_never_chosen(void **state)
{
	/* Node 0 claims free memory but has none present; node 1 is tiny. */
	static const struct place_node odd[] = {
	    {.present = 0, .free = GiB(8), .cpus = 8},
	    {.present = MiB(16), .free = MiB(16), .cpus = 1},
	};
	struct domain_config cfg = make_cfg(MiB(2), 4, -1, DOM_POLICY_PREFER);

	place_ok(&cfg, odd, 2, 1);
	set_mem(&cfg, MiB(64));
	place_ok(&cfg, odd, 2, 1);
	cfg.policy = DOM_POLICY_STRICT;
	place_bad(&cfg, odd, 2, -ENOMEM,
		  "strict: no node has 64 MiB free (the most is 16 MiB, on node 1)");
}

static void test_no_memory_or_no_nodes(void **state)
{
	static const struct place_node empty[] = {
	    {.present = 0, .free = 0, .cpus = 2},
	    {.present = 0, .free = 0, .cpus = 2},
	};
	struct domain_config cfg = make_cfg(MiB(64), 1, -1, DOM_POLICY_PREFER);

	place_bad(&cfg, empty, 2, -EINVAL, "no node has memory");
	cfg.policy = DOM_POLICY_STRICT;
	place_bad(&cfg, empty, 2, -EINVAL, "no node has memory");
	place_bad(&cfg, four, 0, -EINVAL, "no nodes");
	cfg.vnode_node[0] = 0;
	place_bad(&cfg, four, 0, -EINVAL, "no nodes");
}

static void test_mib_figures_round_the_safe_way(void **state)
{
	/* 100.5 MiB free reads 100; 2049 KiB needed reads 3. */
	static const struct place_node half[] = {
	    {.present = GiB(1), .free = MiB(100) + KiB(512), .cpus = 1},
	};
	static const struct place_node small[] = {
	    {.present = MiB(2), .free = MiB(2), .cpus = 1},
	};
	struct domain_config cfg = make_cfg(MiB(101), 1, 0, DOM_POLICY_STRICT);

	place_bad(&cfg, half, 1, -ENOMEM, "strict: node 0 has 100 MiB free, domain needs 101 MiB");
	set_mem(&cfg, MiB(100) + KiB(513));
	place_bad(&cfg, half, 1, -ENOMEM, "strict: node 0 has 100 MiB free, domain needs 101 MiB");
	set_mem(&cfg, MiB(100) + KiB(512));
	place_ok(&cfg, half, 1, 0);
	cfg = make_cfg(KiB(2049), 1, -1, DOM_POLICY_STRICT);
	place_bad(&cfg, four + 3, 1, -EINVAL, "no node has memory");
	place_bad(&cfg, small, 1, -ENOMEM,
		  "strict: no node has 3 MiB free (the most is 2 MiB, on node 0)");
}

static void test_reason_is_cut_to_errlen(void **state)
{
	struct domain_config cfg = make_cfg(MiB(64), 1, 9, DOM_POLICY_PREFER);
	nodeid_t node = NO_NODE, out[DOMAIN_MAX_VNODES];
	char err[8];

	assert_int_equal(dom_place(&cfg, four, 4, NULL, &node, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "node 9 ");
	assert_int_equal(dom_place(&cfg, four, 4, NULL, &node, NULL, 0), -EINVAL);
	assert_int_equal(node, NO_NODE);
	cfg.vnode_node[0] = 2;
	assert_int_equal(dom_place(&cfg, four, 4, NULL, &node, NULL, 0), 0);
	assert_int_equal(node, 2);
	/* A long list of virtual nodes cut short. */
	cfg = make_vnodes(3, MiB(400), DOM_POLICY_STRICT);
	give_nodes(&cfg, (const int[]){1, 1, 1});
	assert_int_equal(dom_place(&cfg, four, 4, NULL, out, err, sizeof(err)), -ENOMEM);
	assert_string_equal(err, "strict:");
}

/* ---- several virtual nodes, nodes given ---------------------------------------------- */

static void test_given_nodes_keep_their_order_and_may_repeat(void **state)
{
	struct domain_config cfg = make_vnodes(2, MiB(256), DOM_POLICY_PREFER);

	/* nodes=2+0: virtual node 0 on node 2, not sorted. No distances read. */
	give_nodes(&cfg, (const int[]){2, 0});
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){2, 0});
	/* nodes=1+1+1, 1500 MiB on node 1 (900 free): prefer lets it spill. */
	cfg = make_vnodes(3, MiB(500), DOM_POLICY_PREFER);
	give_nodes(&cfg, (const int[]){1, 1, 1});
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){1, 1, 1});
	/* Strict: 450 + 450 is exactly node 1's 900 MiB. */
	cfg = make_vnodes(2, MiB(450), DOM_POLICY_STRICT);
	give_nodes(&cfg, (const int[]){1, 1});
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){1, 1});
}

static void test_given_nodes_bad_ids(void **state)
{
	struct domain_config cfg = make_vnodes(2, MiB(64), DOM_POLICY_PREFER);

	give_nodes(&cfg, (const int[]){0, 7});
	spread_bad(&cfg, four, 4, NULL, -EINVAL, "node 7 does not exist (4 nodes)");
	/* Node 3 has CPUs but no memory. */
	give_nodes(&cfg, (const int[]){0, 3});
	spread_bad(&cfg, four, 4, NULL, -EINVAL, "node 3 has no memory");
	/* Checked in virtual node order: node 9 before node 3. */
	give_nodes(&cfg, (const int[]){9, 3});
	cfg.policy = DOM_POLICY_STRICT;
	spread_bad(&cfg, four, 4, NULL, -EINVAL, "node 9 does not exist (4 nodes)");
	give_nodes(&cfg, (const int[]){3, 9});
	spread_bad(&cfg, four, 4, NULL, -EINVAL, "node 3 has no memory");
}

static void test_given_nodes_strict_sums_per_node(void **state)
{
	struct domain_config cfg = make_vnodes(3, MiB(500), DOM_POLICY_STRICT);

	/* nodes=1+0+1: node 1 holds 500 + 500 of its 900 MiB. */
	give_nodes(&cfg, (const int[]){1, 0, 1});
	spread_bad(&cfg, four, 4, NULL, -ENOMEM,
		   "strict: node 1 has 900 MiB free, virtual nodes 0+2 need 1000 MiB");
	/* Prefer takes it: 1500 MiB of 2112 free in all. */
	cfg.policy = DOM_POLICY_PREFER;
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){1, 0, 1});
	/* nodes=0+2+2 with 256 + 400 + 400: node 0 fits, node 2 (700) not. */
	cfg = make_vnodes(3, MiB(400), DOM_POLICY_STRICT);
	cfg.vnode_mem[0] = MiB(256);
	cfg.mem = MiB(1056);
	give_nodes(&cfg, (const int[]){0, 2, 2});
	spread_bad(&cfg, four, 4, NULL, -ENOMEM,
		   "strict: node 2 has 700 MiB free, virtual nodes 1+2 need 800 MiB");
	/* One virtual node alone on a node too small: node 0 has 512 MiB. */
	cfg = make_vnodes(2, MiB(100), DOM_POLICY_STRICT);
	cfg.vnode_mem[0] = MiB(600);
	cfg.mem = MiB(700);
	give_nodes(&cfg, (const int[]){0, 1});
	spread_bad(&cfg, four, 4, NULL, -ENOMEM,
		   "strict: node 0 has 512 MiB free, virtual node 0 needs 600 MiB");
	/* Swapped, each fits: 600 on node 1 (900), 100 on node 0 (512). */
	give_nodes(&cfg, (const int[]){1, 0});
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){1, 0});
}

static void test_given_nodes_prefer_needs_the_memory_somewhere(void **state)
{
	struct domain_config cfg = make_vnodes(2, MiB(1056), DOM_POLICY_PREFER);

	/* 2 x 1056 = 2112 MiB, all that four has free. */
	give_nodes(&cfg, (const int[]){0, 1});
	spread_ok(&cfg, four, 4, NULL, (const nodeid_t[]){0, 1});
	cfg.vnode_mem[1] = MiB(1057);
	cfg.mem = MiB(2113);
	spread_bad(&cfg, four, 4, NULL, -ENOMEM,
		   "not enough memory: domain needs 2113 MiB, 2112 MiB free on all nodes");
}

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
	    cmocka_unit_test(test_named_node_is_taken),
	    cmocka_unit_test(test_named_node_out_of_range),
	    cmocka_unit_test(test_named_node_without_memory),
	    cmocka_unit_test(test_named_node_strict),
	    cmocka_unit_test(test_named_node_prefer_needs_the_memory_somewhere),
	    cmocka_unit_test(test_most_free_with_enough_cpus),
	    cmocka_unit_test(test_most_free_that_fits_when_none_has_the_cpus),
	    cmocka_unit_test(test_ties_go_to_the_lowest_id),
	    cmocka_unit_test(test_spill_from_the_node_with_most_free),
	    cmocka_unit_test(test_strict_fits_nowhere),
	    cmocka_unit_test(test_node_without_memory_never_chosen),
	    cmocka_unit_test(test_no_memory_or_no_nodes),
	    cmocka_unit_test(test_mib_figures_round_the_safe_way),
	    cmocka_unit_test(test_reason_is_cut_to_errlen),
	    cmocka_unit_test(test_given_nodes_keep_their_order_and_may_repeat),
	    cmocka_unit_test(test_given_nodes_bad_ids),
	    cmocka_unit_test(test_given_nodes_strict_sums_per_node),
	    cmocka_unit_test(test_given_nodes_prefer_needs_the_memory_somewhere),
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
