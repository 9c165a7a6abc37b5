/*
 * Shared by the hosted placement tests (test_placement.c: one virtual node
 * and nodes given; test_placement_auto.c: the automatic choice for several
 * virtual nodes): fixture machines, domain configurations, and calls of
 * dom_place() that check the result and that nothing else changed.
 */
#ifndef HOSTED_PLACEMENT_FIXTURE_H
#define HOSTED_PLACEMENT_FIXTURE_H

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
static const struct place_node four[] __attribute__((unused)) = {
    {.present = GiB(1), .free = MiB(512), .cpus = 2},
    {.present = GiB(1), .free = MiB(900), .cpus = 1},
    {.present = GiB(1), .free = MiB(700), .cpus = 4},
    {.present = 0, .free = 0, .cpus = 2},
};

/* Four equal nodes but node 0, which has one CPU. */
static const struct place_node even[] __attribute__((unused)) = {
    {.present = GiB(1), .free = MiB(600), .cpus = 1},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
    {.present = GiB(1), .free = MiB(600), .cpus = 2},
};

/* Four nodes on a line: 10 + 6 per hop (10/16/22/28). */
static const u8 line4[] __attribute__((unused)) = {
    10, 16, 22, 28, /* */
    16, 10, 16, 22, /* */
    22, 16, 10, 16, /* */
    28, 22, 16, 10,
};

/* One virtual node of mem bytes and vcpus vCPUs, on node (-1: none given). */
static __attribute__((unused)) struct domain_config make_cfg(u64 mem, unsigned int vcpus, int node,
							     enum dom_policy policy)
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
static __attribute__((unused)) void set_mem(struct domain_config *cfg, u64 mem)
{
	cfg->mem = mem;
	cfg->vnode_mem[0] = mem;
}

/* k virtual nodes of part bytes and one vCPU each, no node given. */
static __attribute__((unused)) struct domain_config make_vnodes(unsigned int k, u64 part,
								enum dom_policy policy)
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
static __attribute__((unused)) void give_nodes(struct domain_config *cfg, const int *ids)
{
	unsigned int v;

	for (v = 0; v < cfg->vnodes; v++)
		cfg->vnode_node[v] = ids[v];
}

/* Expect cfg placed on want[0..cfg->vnodes-1], no reason, nothing past it written. */
static __attribute__((unused)) void spread_ok(const struct domain_config *cfg,
					      const struct place_node *nodes, unsigned int nr,
					      const u8 *dist, const nodeid_t *want)
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
static __attribute__((unused)) void spread_bad(const struct domain_config *cfg,
					       const struct place_node *nodes, unsigned int nr,
					       const u8 *dist, int want_rc, const char *want)
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
static __attribute__((unused)) void place_ok(const struct domain_config *cfg,
					     const struct place_node *nodes, unsigned int nr,
					     unsigned int want)
{
	nodeid_t w = (nodeid_t)want;

	spread_ok(cfg, nodes, nr, NULL, &w);
}

static __attribute__((unused)) void place_bad(const struct domain_config *cfg,
					      const struct place_node *nodes, unsigned int nr,
					      int want_rc, const char *want)
{
	spread_bad(cfg, nodes, nr, NULL, want_rc, want);
}

#endif /* HOSTED_PLACEMENT_FIXTURE_H */
