/*
 * Hosted tests of where the page allocator (mm/page_alloc.c) places
 * pages: fixtures of 1, 2, 4, 8 and 64 nodes, a memoryless and a CPU-less
 * node, a node across 4 GiB; local allocation by the calling CPU's node,
 * MEMF_PREFER falling back in distance order, MEMF_EXACT failing instead,
 * node masks, and address-width limits by zone. Buddy mechanics, per-CPU
 * caches and the concurrent property test have files of their own
 * (test_page_alloc_buddy.c, _pcp.c, _stress.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>

#include "../../mm/heap_internal.h"
#include "fake_arch.h"
#include "support_heap.h"

/* ---- fixtures -------------------------------------------------------------- */

/* Four nodes on a ring, as `make run` boots: 10 / 21 / 31. */
static const u8 ring4[16] = {
    10, 21, 31, 21, 21, 10, 21, 31, 31, 21, 10, 21, 21, 31, 21, 10,
};

/*
 * Eight nodes at irregular points on a line: node 0's nearest is node 5
 * and its order is 5 2 7 4 1 6 3, far from id order.
 */
static const int pos8[8] = {0, 17, 5, 30, 12, 2, 23, 9};
static const unsigned int order8_from0[7] = {5, 2, 7, 4, 1, 6, 3};
static u8 dist8[64];

static void build_8(void)
{
	unsigned int i, j;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 8; j++)
			dist8[i * 8 + j] = (u8)(10 + abs(pos8[i] - pos8[j]));
	heapfx_build_nodes(8, MiB(16), MiB(2), 1, dist8);
}

/* 64 nodes on a ring, 10 + 3 per hop; 1 MiB and one CPU each. */
static u8 dist64[64 * 64];

static void build_64(void)
{
	unsigned int i, j;

	for (i = 0; i < 64; i++)
		for (j = 0; j < 64; j++) {
			unsigned int d = i > j ? i - j : j - i;

			dist64[i * 64 + j] = (u8)(10 + 3 * MIN(d, 64 - d));
		}
	heapfx_build_nodes(64, MiB(16), MiB(1), 1, dist64);
}

/*
 * Node 0: RAM and two CPUs; node 1: two CPUs, no memory; node 2: RAM, no
 * CPUs. Node 1 is nearer to node 2 (15) than to node 0 (30).
 */
static const u8 dist_mless[9] = {
    10, 30, 20, 30, 10, 15, 20, 15, 10,
};

static void build_memoryless(void)
{
	struct heapfx_spec s;

	heapfx_spec_init(&s, 3);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(4));
	heapfx_spec_ram(&s, 2, MiB(20), MiB(4));
	heapfx_spec_cpus(&s, 0, 2);
	heapfx_spec_cpus(&s, 1, 2);
	s.dist = dist_mless;
	heapfx_build_spec(&s);
}

/* ---- helpers --------------------------------------------------------------- */

/* The node a CPU of node n allocates from first: n, or its nearest with memory. */
static unsigned int home_of(unsigned int n)
{
	if (heap[n].managed || !topo->node[n].nr_fallback)
		return n;
	return topo->node[n].fallback[0];
}

static struct page *must_alloc(unsigned int order, unsigned int flags)
{
	struct page *pg = alloc_pages(order, flags);

	if (!pg)
		fail_msg("alloc_pages(%u, 0x%x) on CPU %u failed", order, flags, hosted_cpu_id);
	heapfx_assert_counts();
	return pg;
}

static void mask_of(struct nodemask *mask, unsigned int nr, const unsigned int *nodes)
{
	unsigned int i;

	nodemask_zero(mask);
	for (i = 0; i < nr; i++)
		nodemask_set(mask, nodes[i]);
}

static void assert_all_free(void)
{
	pcp_drain_all();
	assert_int_equal(heap_check(true), 0);
	heapfx_assert_shape(heapfx_built_shape());
	heapfx_assert_counts();
}

static void assert_stats_equal(const struct node_stats *a, const struct node_stats *b)
{
	assert_int_equal(a->hit, b->hit);
	assert_int_equal(a->miss, b->miss);
	assert_int_equal(a->foreign, b->foreign);
	assert_int_equal(a->local, b->local);
	assert_int_equal(a->other, b->other);
}

/* ---- fixtures come up right -------------------------------------------------- */

static void check_built(unsigned int nodes)
{
	unsigned int n;

	assert_int_equal(topo->nr_nodes, nodes);
	for (n = 0; n < nodes; n++) {
		assert_int_equal(heap[n].managed, topo->node[n].present >> PAGE_SHIFT);
		assert_int_equal(heap[n].free_pages, heap[n].managed);
		assert_int_equal(heap_dirty(n), heap[n].managed);
		assert_int_equal(heapfx_dirty_listed(n), heap[n].managed);
		assert_int_equal(heap_allocated(n), 0);
		assert_int_equal(heap_cached(n), 0);
	}
	assert_int_equal(heap_check(true), 0);
	assert_console_lacks("heap");
}

static void test_fixtures_come_up(void **state)
{
	heapfx_build_nodes(1, MiB(16), MiB(8), 2, NULL);
	check_built(1);
	assert_int_equal(heap[0].zone[ZONE_DMA32].nr_blocks[MAX_ORDER],
			 MiB(8) >> (PAGE_SHIFT + MAX_ORDER));
	heapfx_build_nodes(2, MiB(16), MiB(8), 2, NULL);
	check_built(2);
	heapfx_build_nodes(4, MiB(16), MiB(4), 2, ring4);
	check_built(4);
	build_8();
	check_built(8);
	build_64();
	check_built(64);
	assert_int_equal(heapfx_managed(), 64 * (MiB(1) >> PAGE_SHIFT));
	build_memoryless();
	check_built(3);
	assert_int_equal(heap[1].managed, 0);
	heapfx_build_4g();
	check_built(2);
	assert_int_equal(heap[0].zone[ZONE_DMA].free_pages, MiB(2) >> PAGE_SHIFT);
	assert_int_equal(heap[0].zone[ZONE_DMA32].free_pages, MiB(4) >> PAGE_SHIFT);
	assert_int_equal(heap[0].zone[ZONE_NORMAL].free_pages, MiB(2) >> PAGE_SHIFT);
	assert_int_equal(heap[1].zone[ZONE_NORMAL].free_pages, MiB(4) >> PAGE_SHIFT);
}

/* ---- local allocation ----------------------------------------------------------- */

static void check_local_on_every_cpu(void)
{
	unsigned int c;

	for (c = 0; c < topo->nr_cpus; c++) {
		unsigned int want = home_of(cpu_to_node(c));
		struct page *a, *b;

		hosted_cpu_id = c;
		a = must_alloc(0, MEMF_LOCAL);
		b = must_alloc(3, MEMF_LOCAL);
		if (a->node != want || b->node != want)
			fail_msg("CPU %u (node %u): pages from nodes %u and %u, expected %u", c,
				 cpu_to_node(c), a->node, b->node, want);
		free_pages(a, 0, true);
		free_pages(b, 3, true);
		heapfx_assert_counts();
	}
	hosted_cpu_id = 0;
	assert_all_free();
}

static void test_local_follows_the_cpu(void **state)
{
	heapfx_build_nodes(1, MiB(16), MiB(8), 2, NULL);
	check_local_on_every_cpu();
	heapfx_build_nodes(2, MiB(16), MiB(8), 2, NULL);
	check_local_on_every_cpu();
	heapfx_build_nodes(4, MiB(16), MiB(4), 2, ring4);
	check_local_on_every_cpu();
	build_8();
	check_local_on_every_cpu();
	build_64();
	check_local_on_every_cpu();
}

/* ---- fallback by distance ---------------------------------------------------------- */

static void test_fallback_list_is_by_distance(void **state)
{
	unsigned int i;

	build_8();
	assert_int_equal(topo->node[0].nr_fallback, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(topo->node[0].fallback[i], order8_from0[i]);
}

/*
 * Single pages preferring node 0 drain it, then its nearest node, and so
 * on: the runs of nodes are node 0 and then its fallback list, each run
 * the whole node.
 */
static void test_prefer_falls_back_in_distance_order(void **state)
{
	struct heapfx_held held = {0};
	unsigned int run = 0, expect = 0;
	u64 in_run = 0;
	struct page *pg;

	build_8();
	hosted_cpu_id = heapfx_cpu(3, 0); /* a CPU elsewhere: prefer is not local */
	while ((pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(0) | MEMF_NO_SCRUB))) {
		heapfx_hold(&held, pg, 0);
		if (pg->node != expect) {
			assert_int_equal(in_run, heap[expect].managed);
			assert_true(run < 7);
			expect = order8_from0[run++];
			in_run = 0;
			if (pg->node != expect)
				fail_msg("after node %u ran out, a page came from node %u, not %u",
					 run > 1 ? order8_from0[run - 2] : 0, pg->node, expect);
		}
		in_run++;
	}
	assert_int_equal(run, 7);
	assert_int_equal(in_run, heap[expect].managed);
	assert_int_equal(held.pages, heapfx_managed());
	heapfx_release(&held, true);
	assert_all_free();
}

/* Exhausting node k sends the next local page to its nearest node. */
static void check_exhaust_goes_to_nearest(unsigned int k)
{
	struct heapfx_held held = {0};
	unsigned int m, best = 255;
	struct page *pg;

	hosted_cpu_id = heapfx_cpu(k, 0);
	assert_int_equal(heapfx_exhaust(k, &held), heap[k].managed);
	pg = must_alloc(0, MEMF_LOCAL);
	for (m = 0; m < topo->nr_nodes; m++)
		if (m != k && heap[m].managed)
			best = MIN(best, node_distance(k, m));
	assert_int_equal(pg->node, topo->node[k].fallback[0]);
	assert_int_equal(node_distance(k, pg->node), best);
	free_pages(pg, 0, true);
	heapfx_release(&held, true);
	assert_all_free();
}

static void test_exhausted_node_falls_to_nearest(void **state)
{
	unsigned int i;

	build_8();
	check_exhaust_goes_to_nearest(0);
	assert_int_not_equal(order8_from0[0], 1);
	for (i = 1; i < 8; i++)
		check_exhaust_goes_to_nearest(i);
	build_64();
	check_exhaust_goes_to_nearest(0);
	check_exhaust_goes_to_nearest(31);
	check_exhaust_goes_to_nearest(63);
	for (i = 1; i < topo->node[17].nr_fallback; i++)
		assert_true(node_distance(17, topo->node[17].fallback[i - 1]) <=
			    node_distance(17, topo->node[17].fallback[i]));
	assert_int_equal(topo->node[17].nr_fallback, 63);
}

/* ---- exact -------------------------------------------------------------------------- */

static void test_exact_fails_rather_than_fall_back(void **state)
{
	struct heapfx_held held = {0};
	struct node_stats s0, s1;
	u64 free0;
	struct page *pg;

	heapfx_build_nodes(2, MiB(16), MiB(8), 2, NULL);
	heapfx_exhaust(1, &held);
	free0 = heap[0].free_pages + heap_cached(0);
	s0 = heap_stats(0);
	s1 = heap_stats(1);
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(1)));
	assert_null(alloc_pages(MAX_ORDER, MEMF_EXACT | MEMF_NODE(1)));
	assert_int_equal(heap[0].free_pages + heap_cached(0), free0);
	assert_stats_equal(HEAPFX_STATS(0), &s0);
	assert_stats_equal(HEAPFX_STATS(1), &s1);
	heapfx_assert_counts();
	pg = must_alloc(0, MEMF_PREFER | MEMF_NODE(1));
	assert_int_equal(pg->node, 0);
	free_pages(pg, 0, true);
	pg = must_alloc(2, MEMF_EXACT | MEMF_NODE(0));
	assert_int_equal(pg->node, 0);
	free_pages(pg, 2, true);
	heapfx_release(&held, true);
	pg = must_alloc(0, MEMF_EXACT | MEMF_NODE(1));
	assert_int_equal(pg->node, 1);
	free_pages(pg, 0, true);
	assert_all_free();
}

static void test_bad_requests_fail_and_change_nothing(void **state)
{
	struct node_stats s0;

	heapfx_build_nodes(2, MiB(16), MiB(8), 2, NULL);
	s0 = heap_stats(0);
	assert_null(alloc_pages(MAX_ORDER + 1, MEMF_LOCAL));
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(2)));
	assert_null(alloc_pages(0, MEMF_PREFER | MEMF_NODE(200)));
	assert_null(alloc_pages(0, MEMF_PREFER | MEMF_EXACT | MEMF_NODE(0)));
	assert_null(alloc_pages(0, MEMF_BITS(20)));
	assert_null(alloc_pages(0, MEMF_BITS(1)));
	assert_stats_equal(HEAPFX_STATS(0), &s0);
	assert_int_equal(heap_allocated(0) + heap_allocated(1), 0);
	free_pages(NULL, 0, true);
	assert_all_free();
}

/* ---- node masks ------------------------------------------------------------------------ */

static void test_node_mask(void **state)
{
	static const unsigned int two[] = {2}, odd[] = {1, 3}, not2[] = {0, 1, 3};
	struct heapfx_held held = {0};
	struct nodemask mask;
	unsigned int o;
	struct page *pg;

	heapfx_build_nodes(4, MiB(16), MiB(4), 2, ring4);
	mask_of(&mask, 1, two);
	for (o = 0; o <= 3; o++) {
		pg = alloc_pages_mask(o, MEMF_LOCAL, &mask);
		assert_non_null(pg);
		assert_int_equal(pg->node, 2);
		heapfx_hold(&held, pg, o);
	}
	assert_int_equal(heap_cached(0) + heap_cached(2), 0); /* masks skip the cache */
	/* {1, 3} from node 0: its fallback order is 1 3 2, so node 1 until it is gone. */
	assert_int_equal(topo->node[0].fallback[0], 1);
	mask_of(&mask, 2, odd);
	pg = alloc_pages_mask(0, MEMF_LOCAL, &mask);
	assert_int_equal(pg->node, 1);
	heapfx_hold(&held, pg, 0);
	heapfx_exhaust(1, &held);
	pg = alloc_pages_mask(0, MEMF_LOCAL, &mask);
	assert_int_equal(pg->node, 3);
	heapfx_hold(&held, pg, 0);
	/* Exact outside the mask fails; preferred outside takes its fallback in the mask. */
	assert_null(alloc_pages_mask(0, MEMF_EXACT | MEMF_NODE(2), &mask));
	mask_of(&mask, 3, not2);
	assert_int_equal(topo->node[2].fallback[0], 3);
	pg = alloc_pages_mask(0, MEMF_PREFER | MEMF_NODE(2), &mask);
	assert_int_equal(pg->node, 3);
	heapfx_hold(&held, pg, 0);
	mask_of(&mask, 0, NULL);
	assert_null(alloc_pages_mask(0, MEMF_LOCAL, &mask));
	nodemask_fill(&mask, MAX_NODES);
	pg = alloc_pages_mask(0, MEMF_LOCAL, &mask);
	assert_int_equal(pg->node, 0);
	heapfx_hold(&held, pg, 0);
	heapfx_assert_counts();
	heapfx_release(&held, true);
	assert_all_free();
}

/* ---- address width ----------------------------------------------------------------------- */

/* Take single pages under flags until none is left; every one below limit. */
static u64 take_below(unsigned int flags, paddr_t limit, struct heapfx_held *held)
{
	struct page *pg;
	u64 n = 0;

	while ((pg = alloc_pages(0, flags | MEMF_NO_SCRUB))) {
		if (page_to_maddr(pg) >= limit)
			fail_msg("flags 0x%x: page at 0x%llx, limit 0x%llx", flags,
				 page_to_maddr(pg), limit);
		heapfx_hold(held, pg, 0);
		n++;
	}
	return n;
}

static void test_address_width(void **state)
{
	struct heapfx_held held = {0};
	struct page *pg;
	unsigned int o;

	heapfx_build_4g();
	assert_null(alloc_pages(0, MEMF_BITS(20)));
	assert_null(alloc_pages(0, MEMF_BITS(23)));
	assert_int_equal(take_below(MEMF_BITS(24), MiB(16), &held), MiB(2) >> PAGE_SHIFT);
	heapfx_release(&held, true);
	/* Node 1 lies above 4 GiB: 32 bits leaves only node 0's low 6 MiB. */
	assert_int_equal(take_below(MEMF_BITS(32), GiB(4), &held), MiB(6) >> PAGE_SHIFT);
	assert_null(alloc_pages(0, MEMF_BITS(24)));
	heapfx_release(&held, true);
	pcp_drain_all(); /* cached pages would split both order-9 blocks of dma32 */
	for (o = 0; o <= 9; o++) {
		pg = alloc_pages(o, MEMF_BITS(32));
		assert_non_null(pg);
		assert_true(page_to_maddr(pg) + (PAGE_SIZE << o) <= GiB(4));
		heapfx_hold(&held, pg, o);
		if (o > 7)
			continue; /* 1 + 2 + ... + 128 pages fill half the 2 MiB of dma */
		pg = alloc_pages(o, MEMF_EXACT | MEMF_NODE(0) | MEMF_BITS(24));
		assert_non_null(pg);
		assert_true(page_to_maddr(pg) + (PAGE_SIZE << o) <= MiB(16));
		heapfx_hold(&held, pg, o);
	}
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(1) | MEMF_BITS(32)));
	heapfx_release(&held, true);
	pg = must_alloc(0, MEMF_EXACT | MEMF_NODE(1) | MEMF_BITS(64));
	assert_int_equal(pg->node, 1);
	free_pages(pg, 0, true);
	assert_all_free();
}

/* Zones are tried from the highest down: normal, then dma32, then dma. */
static void test_zones_highest_first(void **state)
{
	struct heapfx_held held = {0};
	static const unsigned int want[3] = {ZONE_NORMAL, ZONE_DMA32, ZONE_DMA};
	u64 i, per[3] = {MiB(2) >> PAGE_SHIFT, MiB(4) >> PAGE_SHIFT, MiB(2) >> PAGE_SHIFT};
	struct page *pg;
	unsigned int z;

	heapfx_build_4g();
	for (z = 0; z < 3; z++) {
		for (i = 0; i < per[z]; i++) {
			pg = alloc_pages(0, MEMF_LOCAL | MEMF_NO_PCP | MEMF_NO_SCRUB);

			assert_non_null(pg);
			assert_int_equal(pg->node, 0);
			if (pg->zone != want[z] || zone_of(page_to_mfn(pg)) != want[z])
				fail_msg("page %llu of zone step %u is in zone %s", i, z,
					 zone_names[pg->zone]);
			heapfx_hold(&held, pg, 0);
		}
	}
	/* Node 0 is empty now: the next one comes from node 1. */
	pg = must_alloc(0, MEMF_LOCAL | MEMF_NO_PCP);
	assert_int_equal(pg->node, 1);
	free_pages(pg, 0, true);
	heapfx_release(&held, true);
	assert_all_free();
}

/* ---- memoryless and CPU-less nodes --------------------------------------------------------- */

static void test_memoryless_and_cpuless_nodes(void **state)
{
	struct heapfx_held held = {0};
	struct page *pg;
	unsigned int cpu;

	build_memoryless();
	assert_int_equal(topo->node[1].present, 0);
	assert_int_equal(cpumask_weight(&topo->node[2].cpus), 0);
	assert_int_equal(topo->node[1].fallback[0], 2);
	cpu = heapfx_cpu(1, 1);
	hosted_cpu_id = cpu;
	pg = must_alloc(0, MEMF_LOCAL);
	assert_int_equal(pg->node, 2);
	heapfx_hold(&held, pg, 0);
	pg = must_alloc(4, MEMF_LOCAL);
	assert_int_equal(pg->node, 2);
	heapfx_hold(&held, pg, 4);
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(1)));
	pg = must_alloc(0, MEMF_PREFER | MEMF_NODE(1));
	assert_int_equal(pg->node, 2);
	heapfx_hold(&held, pg, 0);
	/* The CPU-less node's memory is there for everyone. */
	hosted_cpu_id = 0;
	pg = must_alloc(2, MEMF_EXACT | MEMF_NODE(2));
	assert_int_equal(pg->node, 2);
	heapfx_hold(&held, pg, 2);
	heapfx_exhaust(0, &held);
	pg = must_alloc(0, MEMF_LOCAL);
	assert_int_equal(pg->node, 2);
	heapfx_hold(&held, pg, 0);
	/* Everything gone: a memoryless node's CPU gets nothing, and nothing breaks. */
	heapfx_exhaust(2, &held);
	hosted_cpu_id = cpu;
	assert_null(alloc_pages(0, MEMF_LOCAL));
	assert_int_equal(held.pages, heapfx_managed());
	heapfx_release(&held, true);
	hosted_cpu_id = 0;
	assert_all_free();
}

/* Every frame of [lo, hi) MiB comes back as itself, on node 0 below split MiB, else node 1. */
static void assert_frames(u64 lo, u64 hi, u64 split)
{
	mfn_t m;

	for (m = MiB(lo) >> PAGE_SHIFT; m < MiB(hi) >> PAGE_SHIFT; m++) {
		struct page *pg = mfn_to_page(m);

		if (!pg || pg->mfn != m || pg->node != (m < (MiB(split) >> PAGE_SHIFT) ? 0 : 1))
			fail_msg("frame 0x%llx: %p (mfn 0x%llx node %d)", m, (void *)pg,
				 pg ? pg->mfn : 0, pg ? pg->node : -1);
	}
	assert_null(mfn_to_page((MiB(lo) >> PAGE_SHIFT) - 1));
	assert_null(mfn_to_page(MiB(hi) >> PAGE_SHIFT));
	assert_null(mfn_to_page(~0ULL >> PAGE_SHIFT));
}

/*
 * mfn_to_page() through the frame directory (heap_internal.h: 2 MiB, 512
 * frames, per entry while the directory stays within 65536 entries):
 * nodes of 383 MiB from 16 MiB give node 0 [16, 399) MiB and node 1
 * [399, 782) MiB, 391 entries. Entries 0-7 ([0, 16) MiB) lie before RAM,
 * entry 199 ([398, 400)) straddles the nodes: those search; 8-198 and
 * 200-390 lie wholly in one span. Every frame must come back as itself,
 * on its node, either way, and a frame outside RAM as NULL.
 */
static void test_frame_lookup_in_constant_time(void **state)
{
	heapfx_build_nodes(2, MiB(16), MiB(383), 1, NULL);
	assert_int_equal(frame_dir_shift, 9);
	assert_int_equal(frame_dir_entries, 391);
	assert_null(frame_dir[7].frames);
	assert_non_null(frame_dir[8].frames);
	assert_non_null(frame_dir[198].frames);
	assert_null(frame_dir[199].frames);
	assert_non_null(frame_dir[200].frames);
	assert_non_null(frame_dir[390].frames);
	assert_frames(16, 782, 399);
}

/*
 * Memory high up: two nodes of 64 MiB from 256 GiB end at frame 0x4008000
 * (256 GiB + 128 MiB). 2 MiB entries would need 131136, 4 MiB 65568: the
 * directory takes 8 MiB entries (shift 11), 32784 of them, 32768 to 32783
 * on RAM.
 */
static void test_frame_directory_grows_its_entries(void **state)
{
	heapfx_build_nodes(2, GiB(256), MiB(64), 1, NULL);
	assert_int_equal(frame_dir_shift, 11);
	assert_int_equal(frame_dir_entries, 32784);
	assert_null(frame_dir[32767].frames);
	assert_non_null(frame_dir[32768].frames);
	assert_non_null(frame_dir[32783].frames);
	assert_frames(262144, 262144 + 128, 262144 + 64);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, heapfx_setup, heapfx_cmocka_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_fixtures_come_up),
	    T(test_local_follows_the_cpu),
	    T(test_fallback_list_is_by_distance),
	    T(test_prefer_falls_back_in_distance_order),
	    T(test_exhausted_node_falls_to_nearest),
	    T(test_exact_fails_rather_than_fall_back),
	    T(test_bad_requests_fail_and_change_nothing),
	    T(test_node_mask),
	    T(test_address_width),
	    T(test_zones_highest_first),
	    T(test_memoryless_and_cpuless_nodes),
	    T(test_frame_lookup_in_constant_time),
	    T(test_frame_directory_grows_its_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
