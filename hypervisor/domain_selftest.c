/*
 * Test-only help for the domain boot tests (CONFIG_SELFTEST builds):
 * test_fragment=<node> leaves a node with no free 2 MiB block, so a
 * domain placed there must be built from smaller blocks. It takes every
 * 1 MiB block the node has, then gives back every other one: the half it
 * keeps stays allocated for good, and no two free halves can merge.
 */
#include <hv/cmdline.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/topology.h>

#define PIECE_ORDER 8 /* 1 MiB */

static int fragment_node = -1;

static int parse_test_fragment(const char *v)
{
	const char *end;
	u64 n;

	if (!IS_ENABLED(CONFIG_SELFTEST) || !v)
		return -EINVAL;
	n = hv_strtoull(v, &end, 10);
	if (end == v || *end || n >= MAX_NODES)
		return -EINVAL;
	fragment_node = (int)n;
	return 0;
}
boot_param_custom("test_fragment", parse_test_fragment, "a node id", "none");

void dom_selftest_fragment(void)
{
	struct page *held = NULL, *pg;
	u64 kept = 0, freed = 0;
	bool give_back = false;

	if (!IS_ENABLED(CONFIG_SELFTEST) || fragment_node < 0)
		return;
	if ((unsigned int)fragment_node >= topo->nr_nodes) {
		pr_warn("test_fragment=%d: no such node\n", fragment_node);
		return;
	}
	while ((
	    pg = alloc_pages(PIECE_ORDER, MEMF_EXACT | MEMF_NODE(fragment_node) | MEMF_NO_SCRUB))) {
		pg->private = (unsigned long)held;
		held = pg;
	}
	while (held) {
		pg = held;
		held = (struct page *)pg->private;
		pg->private = 0;
		if (give_back) {
			free_pages(pg, PIECE_ORDER, false);
			freed++;
		} else {
			kept++;
		}
		give_back = !give_back;
	}
	pr_warn("test_fragment=%d: holding %llu MiB in 1 MiB pieces, %llu MiB free between "
		"them\n",
		fragment_node, kept, freed);
}
