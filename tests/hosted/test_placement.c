/*
 * Hosted tests for hypervisor/placement.c, part one: dom_place() for one
 * virtual node (a named node: exists, has memory, fits when strict; the
 * choice without one: most free memory among nodes with enough CPUs, then
 * among nodes that fit, then the emptiest node to spill from; ties to the
 * lowest id) and for several with their nodes given (repeats, strict sums
 * per node, bad ids). The automatic choice for several virtual nodes is in
 * test_placement_auto.c. The expected nodes and figures are written out
 * by hand from the fixtures (placement_fixture.h), with the reason beside
 * them.
 */
#include "placement_fixture.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
