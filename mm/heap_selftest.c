/*
 * The page allocator's boot self-test (CONFIG_SELFTEST). Every CPU runs the
 * concurrent part at the same time: local allocation, exact-node failure,
 * pages of another node freed here, dirty pages coming back zeroed. The
 * boot CPU then checks the fallback order, drains every cache (the other
 * CPUs' by taking them over, see mm/pcp.c), exhausts
 * its own node to see the next page come from its nearest node, and runs
 * the invariant checker. Prints "selftest mm: N passed, N failed".
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/smp.h>

#include "heap_internal.h"

#define PAGES_PER_CPU 64

static unsigned int passed, failed;

static void check(bool ok, const char *what)
{
	if (ok) {
		__atomic_fetch_add(&passed, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&failed, 1, __ATOMIC_RELAXED);
	pr_err("selftest mm: CPU%u: %s\n", arch_cpu_id(), what);
}

/* Does the page still hold the whole marker a CPU wrote before freeing it? */
static bool holds_marker(const struct page *pg, u64 marker)
{
	const u64 *p = arch_maddr_to_virt(page_to_maddr(pg));
	unsigned int j;

	for (j = 0; j < PAGE_SIZE / 8; j++)
		if (p[j] != marker)
			return false;
	return true;
}

static void local_and_zeroed(nodeid_t want)
{
	struct page *pg[PAGES_PER_CPU];
	u64 marker = 0x6775657374000000ULL | arch_cpu_id(); /* "guest" and the CPU */
	unsigned int i, j;
	bool local = true, leak = false;

	for (i = 0; i < PAGES_PER_CPU; i++) {
		u64 *p;

		pg[i] = alloc_pages(0, MEMF_LOCAL);
		if (!pg[i])
			break;
		local &= pg[i]->node == want;
		p = arch_maddr_to_virt(page_to_maddr(pg[i]));
		for (j = 0; j < PAGE_SIZE / 8; j++)
			p[j] = marker;
	}
	check(i == PAGES_PER_CPU && local, "local allocations come from the local node");
	while (i-- > 0)
		free_pages(pg[i], 0, true);
	/* Whatever comes back, no page may still hold that "guest" data. */
	for (i = 0; i < PAGES_PER_CPU; i++) {
		pg[i] = alloc_pages(0, MEMF_LOCAL);
		if (!pg[i])
			break;
		leak |= holds_marker(pg[i], marker);
	}
	check(i == PAGES_PER_CPU && !leak, "pages freed dirty are zeroed before reuse");
	while (i-- > 0)
		free_pages(pg[i], 0, false);
}

static void exact_and_remote(nodeid_t node)
{
	unsigned int k;

	check(!alloc_pages(0, MEMF_EXACT | MEMF_NODE(topo->nr_nodes)),
	      "exact allocation on a node that does not exist fails");
	for (k = 0; k < topo->nr_nodes; k++) {
		struct page *pg = alloc_pages(2, MEMF_EXACT | MEMF_NODE(k));

		if (!topo->node[k].present) {
			check(!pg, "exact allocation on a memoryless node fails");
			continue;
		}
		check(pg && pg->node == k, "exact allocation lands on its node");
		if (pg)
			free_pages(pg, 2, false);
		/* A page of node k freed on this CPU: it must go home, not stay. */
		pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(k) | MEMF_NO_PCP);
		check(pg && pg->node == k, "exact single page lands on its node");
		if (pg)
			free_pages(pg, 0, false);
	}
	(void)node;
}

static void concurrent_part(void)
{
	nodeid_t node = cpu_to_node(arch_cpu_id());

	local_and_zeroed(node_memory_home(node));
	exact_and_remote(node);
}

/* The first fallback of node n is tried first once n is excluded. */
static void fallback_order(nodeid_t n)
{
	struct nodemask mask;
	struct page *pg;

	if (!topo->node[n].nr_fallback)
		return;
	nodemask_fill(&mask, topo->nr_nodes);
	nodemask_clear(&mask, n);
	pg = alloc_pages_mask(0, MEMF_LOCAL | MEMF_NO_PCP, &mask);
	check(pg && pg->node == topo->node[n].fallback[0],
	      "without the local node, the nearest node by distance is used");
	free_pages(pg, 0, false);
}

/* Take every page of node n; the next local page comes from its nearest node. */
static void exhaust(nodeid_t n)
{
	struct page *chain = NULL, *pg;
	unsigned int o = MAX_ORDER;
	u64 taken = 0;

	while ((pg = alloc_pages(o, MEMF_EXACT | MEMF_NODE(n) | MEMF_NO_SCRUB | MEMF_NO_PCP)) ||
	       o-- > 0) {
		if (!pg)
			continue;
		pg->order = (u8)o;
		pg->next = chain;
		chain = pg;
		taken += 1UL << o;
	}
	pg = alloc_pages(0, MEMF_LOCAL | MEMF_NO_PCP);
	printk(LOG_EMERG,
	       "selftest mm: node %u exhausted (%llu pages): next page from node %d, "
	       "first fallback %d\n",
	       n, taken, pg ? pg->node : -1,
	       topo->node[n].nr_fallback ? topo->node[n].fallback[0] : -1);
	check(!topo->node[n].nr_fallback || (pg && pg->node == topo->node[n].fallback[0]),
	      "an exhausted node falls back to its nearest node");
	if (pg)
		free_pages(pg, 0, false);
	while (chain) {
		pg = chain;
		chain = pg->next;
		pg->next = NULL;
		free_pages(pg, pg->order, true);
	}
}

/* The other CPUs' caches are taken over through arch_cpu_sync() (IPIs). */
static bool all_caches_empty(void)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		if (heap_cached((nodeid_t)n))
			return false;
	return true;
}

void heap_selftest(void)
{
	nodeid_t node = cpu_to_node(arch_cpu_id());

	smp_run_on_all(concurrent_part);
	fallback_order(node);
	pcp_drain_all();
	check(all_caches_empty(), "every CPU's cache drained by the boot CPU");
	check(heap_check(true) == 0, "heap invariants after every CPU's test");
	if (topo->node[node].present)
		exhaust(node);
	pcp_drain_all();
	check(heap_check(true) == 0, "heap invariants after exhausting a node");
	printk(LOG_EMERG, "selftest mm: %u passed, %u failed\n", passed, failed);
}
