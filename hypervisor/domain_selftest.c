/*
 * Test-only help for the domain boot tests (CONFIG_SELFTEST builds):
 * test_fragment=<node> leaves a node with no free 2 MiB block, so a
 * domain placed there must be built from smaller blocks. It takes every
 * 1 MiB block the node has, then gives back the upper half of each 2 MiB
 * block of which it holds both halves: in every 2 MiB block it got any of,
 * a half stays allocated for good, so no free 2 MiB block can form later,
 * whatever other CPUs free meanwhile (their cached pages, idle slabs).
 */
#include <hv/cmdline.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/topology.h>

#define PIECE_ORDER 8 /* 1 MiB */

/* pg->owner of a piece this code holds (an allocated block's owner is its user's). */
static const char held_mark;

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
		pg->owner = (void *)&held_mark;
		held = pg;
	}
	/* Upper halves whose lower half is held too go back; the rest stay. */
	for (pg = held; pg; pg = (struct page *)pg->private) {
		mfn_t m = page_to_mfn(pg);
		struct page *upper =
		    (m >> PIECE_ORDER) & 1 ? NULL : mfn_to_page(m + (1UL << PIECE_ORDER));

		if (upper && upper->owner == &held_mark)
			upper->owner = NULL; /* to be freed below */
	}
	while (held) {
		pg = held;
		held = (struct page *)pg->private;
		pg->private = 0;
		give_back = pg->owner != &held_mark;
		pg->owner = NULL;
		if (give_back) {
			free_pages(pg, PIECE_ORDER, false);
			freed++;
		} else {
			kept++;
		}
	}
	pr_warn("test_fragment=%d: holding %llu MiB in 1 MiB pieces, %llu MiB free between "
		"them\n",
		fragment_node, kept, freed);
}
