/*
 * Hosted tests of the per-CPU page caches (mm/pcp.c) and the per-node
 * statistics (mm/page_alloc.c): refills of PCP_BATCH, the PCP_HIGH limit,
 * another node's pages sent home in a batch, draining one CPU or all,
 * a failing allocation that drains the caches and succeeds, which
 * requests bypass the cache, and hit/miss/foreign/local/other for a
 * scripted sequence. Counters are checked after every step. One test
 * runs two threads: a CPU busy in its own cache while another CPU keeps
 * taking the cache over to drain it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>

#include "../../mm/heap_internal.h"
#include "fake_arch.h"
#include "support_heap.h"

/* mm/pcp.c's defaults when the options are not configured. */
#ifdef CONFIG_PCP_BATCH
#define BATCH CONFIG_PCP_BATCH
#else
#define BATCH 32
#endif
#ifdef CONFIG_PCP_HIGH
#define HIGH CONFIG_PCP_HIGH
#else
#define HIGH 128
#endif
#ifdef CONFIG_PCP_MAX_ORDER
#define MAX_CACHED CONFIG_PCP_MAX_ORDER
#else
#define MAX_CACHED 0
#endif

/* Two nodes of 8 MiB; CPUs 0 and 1 on node 0, 2 and 3 on node 1. */
static void build_two(void)
{
	if (!IS_ENABLED(CONFIG_PCP))
		skip();
	heapfx_build_nodes(2, MiB(16), MiB(8), 2, NULL);
}

static struct page *on_cpu_alloc(unsigned int cpu, unsigned int order, unsigned int flags)
{
	struct page *pg;

	hosted_cpu_id = cpu;
	pg = alloc_pages(order, flags);
	if (!pg)
		fail_msg("CPU %u: alloc_pages(%u, 0x%x) failed", cpu, order, flags);
	heapfx_assert_counts();
	return pg;
}

static void on_cpu_free(unsigned int cpu, struct page *pg, unsigned int order)
{
	hosted_cpu_id = cpu;
	free_pages(pg, order, true);
	heapfx_assert_counts();
}

static void assert_all_free(void)
{
	pcp_drain_all();
	assert_int_equal(heap_check(true), 0);
	heapfx_assert_shape(heapfx_built_shape());
	heapfx_assert_counts();
}

/* ---- refill and bypass ------------------------------------------------------ */

static void test_refill_takes_a_batch(void **state)
{
	struct heapfx_held held = {0};
	u64 f0;
	unsigned int i;
	struct page *pg;

	build_two();
	f0 = heap[0].free_pages;
	for (i = 0; i < 2 * BATCH + 1; i++) {
		pg = on_cpu_alloc(0, 0, MEMF_LOCAL);
		assert_int_equal(pg->node, 0);
		assert_int_equal(pg->flags & PG_PCP, 0);
		heapfx_hold(&held, pg, 0);
		assert_int_equal(heap[0].free_pages, f0 - BATCH * (i / BATCH + 1));
		assert_int_equal(heap_cached(0), BATCH - 1 - i % BATCH);
		assert_int_equal(heap_allocated(0), i + 1);
	}
	/* CPU 1 has a cache of its own. */
	heapfx_hold(&held, on_cpu_alloc(1, 0, MEMF_LOCAL), 0);
	assert_int_equal(heap_cached(0), 2 * (BATCH - 1));
	/* Exact on the CPU's own node goes through its cache as well. */
	heapfx_hold(&held, on_cpu_alloc(0, 0, MEMF_EXACT | MEMF_NODE(0)), 0);
	assert_int_equal(heap_cached(0), 2 * (BATCH - 1) - 1);
	heapfx_release(&held, true);
	assert_all_free();
}

/*
 * Only single pages for the calling CPU's node with no mask and no
 * address limit use the cache: everything else takes exactly its pages
 * from the heap and leaves the caches empty.
 */
static void test_what_bypasses_the_cache(void **state)
{
	struct heapfx_held held = {0};
	struct nodemask mask;
	u64 before[2];
	unsigned int i, order;
	struct page *pg;

	build_two();
	nodemask_zero(&mask);
	nodemask_set(&mask, 0);
	for (i = 0; i < 6; i++) {
		before[0] = heap[0].free_pages;
		before[1] = heap[1].free_pages;
		/* The smallest order the caches do not keep. */
		order = i == 3 ? MAX_CACHED + 1 : 0;
		hosted_cpu_id = i == 5 ? 2 : 0;
		if (i == 0)
			pg = alloc_pages(0, MEMF_LOCAL | MEMF_NO_PCP);
		else if (i == 1)
			pg = alloc_pages(0, MEMF_LOCAL | MEMF_BITS(32));
		else if (i == 2)
			pg = alloc_pages_mask(0, MEMF_LOCAL, &mask);
		else if (i == 3)
			pg = alloc_pages(order, MEMF_LOCAL);
		else if (i == 4)
			pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(1));
		else
			pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(0));
		assert_non_null(pg);
		heapfx_hold(&held, pg, order);
		assert_int_equal(heap_cached(0) + heap_cached(1), 0);
		assert_int_equal(heap[pg->node].free_pages, before[pg->node] - (1UL << order));
		assert_int_equal(heap[!pg->node].free_pages, before[!pg->node]);
		heapfx_assert_counts();
	}
	hosted_cpu_id = 0;
	heapfx_release(&held, true);
	assert_all_free();
}

/*
 * Blocks up to PCP_MAX_ORDER are cached per CPU like single pages: a
 * refill takes PCP_BATCH pages' worth from the heap, a freed block comes
 * back to the same CPU without touching the heap, and drains give whole
 * blocks back to the buddy lists.
 */
static void test_small_blocks_are_cached(void **state)
{
	unsigned int o;

	build_two();
	for (o = 1; o <= MAX_CACHED; o++) {
		u64 free0 = heap[0].free_pages;
		struct page *pg = on_cpu_alloc(0, o, MEMF_LOCAL), *again;

		/* One refill: BATCH pages' worth of blocks of this order. */
		assert_int_equal(heap[0].free_pages, free0 - (u64)MAX(BATCH >> o, 1) * (1UL << o));
		assert_int_equal(heap_cached(0), (u64)(MAX(BATCH >> o, 1) - 1) << o);
		free0 = heap[0].free_pages;
		on_cpu_free(0, pg, o);
		assert_true(pg->flags & PG_PCP);
		again = on_cpu_alloc(0, o, MEMF_LOCAL);
		assert_ptr_equal(again, pg); /* the same block, from the cache */
		assert_int_equal(heap[0].free_pages, free0);
		on_cpu_free(0, again, o);
		assert_true(pcp_drain_all() >= 1UL << o);
		assert_int_equal(heap_cached(0), 0);
		heapfx_assert_counts();
	}
	/* The next order up is never cached. */
	on_cpu_free(0, on_cpu_alloc(0, MAX_CACHED + 1, MEMF_LOCAL), MAX_CACHED + 1);
	assert_int_equal(heap_cached(0), 0);
	assert_all_free();
}

/* ---- limits and batches ------------------------------------------------------- */

static void test_cache_never_exceeds_high(void **state)
{
	struct heapfx_held held = {0};
	unsigned int i, model = 0;

	build_two();
	for (i = 0; i < HIGH + 3 * BATCH; i++)
		heapfx_hold(&held, on_cpu_alloc(0, 0, MEMF_LOCAL | MEMF_NO_PCP), 0);
	for (i = 0; i < held.nr; i++) {
		on_cpu_free(0, held.v[i].pg, 0);
		if (++model > HIGH)
			model -= BATCH;
		assert_int_equal(heap_cached(0), model);
		assert_true(heap_cached(0) <= HIGH);
	}
	held.nr = 0;
	heapfx_release(&held, true);
	assert_int_equal(pcp_drain_all(), model);
	assert_all_free();
}

static void test_remote_pages_go_home_in_a_batch(void **state)
{
	struct heapfx_held held = {0};
	unsigned int i, j, cached0;
	u64 free1;

	build_two();
	heapfx_hold(&held, on_cpu_alloc(0, 0, MEMF_LOCAL), 0);
	cached0 = (unsigned int)heap_cached(0);
	for (i = 0; i < 3 * BATCH; i++)
		heapfx_hold(&held, on_cpu_alloc(0, 0, MEMF_EXACT | MEMF_NODE(1)), 0);
	free1 = heap[1].free_pages;
	for (i = 1; i <= 3 * BATCH; i++) {
		struct page *pg = held.v[i].pg;

		on_cpu_free(0, pg, 0);
		assert_int_equal(heap_cached(1), i % BATCH);
		assert_int_equal(heap_cached(0), cached0);
		if (i % BATCH) {
			assert_true(pg->flags & PG_PCP);
			continue;
		}
		/* The batch is home: every page of it is in node 1's free lists. */
		assert_int_equal(heap[1].free_pages, free1 + i);
		for (j = i - BATCH + 1; j <= i; j++) {
			assert_int_equal(held.v[j].pg->flags & PG_PCP, 0);
			if (IS_ENABLED(CONFIG_DEBUG))
				assert_true(held.v[j].pg->flags & (PG_FREE | PG_TAIL));
		}
	}
	held.nr = 1;
	heapfx_release(&held, true);
	assert_all_free();
}

/* ---- draining ------------------------------------------------------------------- */

static void test_drain_cpu_and_all(void **state)
{
	struct heapfx_held held = {0};
	unsigned int i;
	u64 c0, c1;

	build_two();
	for (i = 0; i < 50; i++)
		heapfx_hold(&held, on_cpu_alloc(0, 0, MEMF_LOCAL | MEMF_NO_PCP), 0);
	for (i = 0; i < 20; i++)
		on_cpu_free(0, held.v[i].pg, 0);
	c0 = heap_cached(0);
	heapfx_hold(&held, on_cpu_alloc(1, 0, MEMF_LOCAL), 0); /* CPU 1: a refill */
	c1 = heap_cached(0) - c0;
	assert_int_equal(c1, BATCH - 1);
	for (i = 20; i < 30; i++)
		on_cpu_free(2, held.v[i].pg, 0); /* CPU 2's outbox for node 0 */
	assert_int_equal(heap_cached(0), c0 + c1 + 10);
	pcp_drain_cpu(0);
	heapfx_assert_counts();
	assert_int_equal(heap_cached(0), c1 + 10);
	pcp_drain_cpu(2);
	assert_int_equal(heap_cached(0), c1);
	pcp_drain_cpu(CONFIG_NR_CPUS + 5); /* no such CPU: nothing */
	pcp_drain_cpu(3);		   /* an empty cache */
	assert_int_equal(heap_cached(0), c1);
	assert_int_equal(pcp_drain_all(), c1);
	assert_int_equal(pcp_drain_all(), 0);
	assert_int_equal(heap_cached(0) + heap_cached(1), 0);
	assert_int_equal(heap_check(false), 0);
	for (i = 30; i < held.nr; i++)
		on_cpu_free(1, held.v[i].pg, 0);
	held.nr = 0;
	heapfx_release(&held, true);
	assert_all_free();
}

/*
 * Node 0 taken page by page; pages put back into CPU 1's cache and CPU
 * 2's outbox. An exact allocation on CPU 0 finds the heap empty, drains
 * the caches and succeeds, also for a block that only forms once cached
 * buddies merge.
 */
/* On the two-node machine, CPU 0 takes every page of node 0, one by one. */
static void hold_node0_pages(struct heapfx_held *held)
{
	struct page *pg;

	build_two();
	hosted_cpu_id = 0;
	while ((pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_PCP | MEMF_NO_SCRUB)))
		heapfx_hold(held, pg, 0);
	assert_int_equal(held->pages, heap[0].managed);
}

static void test_failing_allocation_drains_caches(void **state)
{
	struct heapfx_held held = {0};
	mfn_t base = MiB(16) >> PAGE_SHIFT;
	unsigned int i;
	struct page *pg;

	hold_node0_pages(&held);
	for (i = 0; i < 4; i++)
		on_cpu_free(1, mfn_to_page(base + i), 0);
	for (i = 4; i < 8; i++)
		on_cpu_free(2, mfn_to_page(base + i), 0);
	assert_int_equal(heap[0].free_pages, 0);
	assert_int_equal(heap_cached(0), 8);
	pg = on_cpu_alloc(0, 2, MEMF_EXACT | MEMF_NODE(0));
	assert_ptr_equal(pg, mfn_to_page(base));
	assert_int_equal(heap_cached(0), 0);
	assert_int_equal(heap[0].free_pages, 4);
	on_cpu_free(1, pg, 2);
	pg = on_cpu_alloc(0, 0, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_PCP);
	on_cpu_free(1, pg, 0);
	/* CPU 1 now caches the single page, and the order-2 block if it keeps those. */
	assert_int_equal(heap_cached(0), 1 + (MAX_CACHED >= 2 ? 4 : 0));
	pg = on_cpu_alloc(0, 3, MEMF_EXACT | MEMF_NODE(0));
	assert_ptr_equal(pg, mfn_to_page(base));
	on_cpu_free(0, pg, 3);
	for (i = 0; i < held.nr; i++)
		if (page_to_mfn(held.v[i].pg) >= base + 8)
			on_cpu_free(0, held.v[i].pg, 0);
	held.nr = 0;
	heapfx_release(&held, true);
	assert_all_free();
}

/*
 * A node that runs short takes back what its CPUs' caches hold before a
 * local allocation falls back to another node (locality first).
 */
static void test_short_node_drains_before_falling_back(void **state)
{
	struct heapfx_held held = {0};
	mfn_t base = MiB(16) >> PAGE_SHIFT;
	unsigned int i, kept;
	struct page *pg;

	hold_node0_pages(&held);
	/* CPU 1 caches four pages of node 0; CPU 2 (node 1) holds two to send home. */
	for (i = 0, kept = 0; i < held.nr; i++) {
		mfn_t mfn = page_to_mfn(held.v[i].pg);

		if (mfn >= base && mfn < base + 6)
			on_cpu_free(mfn < base + 4 ? 1 : 2, held.v[i].pg, 0);
		else
			held.v[kept++] = held.v[i];
	}
	held.nr = kept;
	held.pages -= 6;
	assert_int_equal(heap[0].free_pages, 0);
	assert_int_equal(heap_cached(0), 6);
	/* CPU 0's local allocation: node 0's cached pages, not node 1's free memory. */
	pg = on_cpu_alloc(0, 0, MEMF_LOCAL);
	assert_int_equal(pg->node, 0);
	assert_true(page_to_mfn(pg) >= base && page_to_mfn(pg) < base + 6);
	assert_int_equal(heap_cached(0) + heap[0].free_pages, 5);
	heapfx_hold(&held, pg, 0);
	/* Nothing of node 0 left anywhere: now it falls back to node 1. */
	while ((pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_SCRUB)))
		heapfx_hold(&held, pg, 0);
	assert_int_equal(heap_cached(0) + heap[0].free_pages, 0);
	pg = on_cpu_alloc(0, 0, MEMF_LOCAL);
	assert_int_equal(pg->node, 1);
	on_cpu_free(0, pg, 0);
	heapfx_release(&held, true);
	pcp_drain_all();
	assert_all_free();
}

/* ---- statistics ------------------------------------------------------------------ */

static struct node_stats want[2];

static void expect_stats(const char *step)
{
	unsigned int n;

	heapfx_assert_counts();
	for (n = 0; n < 2; n++) {
		const struct node_stats *s = HEAPFX_STATS(n), *w = &want[n];

		if (s->hit != w->hit || s->miss != w->miss || s->foreign != w->foreign ||
		    s->local != w->local || s->other != w->other)
			fail_msg("after %s, node %u: hit %llu miss %llu foreign %llu local %llu "
				 "other %llu; expected %llu %llu %llu %llu %llu",
				 step, n, s->hit, s->miss, s->foreign, s->local, s->other, w->hit,
				 w->miss, w->foreign, w->local, w->other);
	}
}

/*
 * One allocation: it lands on got, was intended for intended, and the
 * calling CPU sits on cpu_node. hit/miss on got, foreign on intended,
 * local/other on got by the CPU's node (include/hv/mm.h).
 */
static struct page *scripted(unsigned int cpu, unsigned int order, unsigned int flags,
			     const struct nodemask *mask, unsigned int got, unsigned int intended)
{
	struct page *pg;

	hosted_cpu_id = cpu;
	pg = mask ? alloc_pages_mask(order, flags, mask) : alloc_pages(order, flags);
	assert_non_null(pg);
	assert_int_equal(pg->node, got);
	if (got == intended) {
		want[got].hit++;
	} else {
		want[got].miss++;
		want[intended].foreign++;
	}
	if (got == cpu_to_node(cpu))
		want[got].local++;
	else
		want[got].other++;
	return pg;
}

static void test_statistics_for_a_script(void **state)
{
	struct heapfx_held held = {0};
	struct nodemask only0, only1;
	struct page *pg;
	u64 k;

	nodemask_zero(&only0);
	nodemask_set(&only0, 0);
	nodemask_zero(&only1);
	nodemask_set(&only1, 1);
	build_two();
	memset(want, 0, sizeof(want));
	expect_stats("the build");
	heapfx_hold(&held, scripted(0, 0, MEMF_LOCAL, NULL, 0, 0), 0);
	expect_stats("a local page");
	heapfx_hold(&held, scripted(0, 3, MEMF_LOCAL, NULL, 0, 0), 3);
	expect_stats("a local block");
	heapfx_hold(&held, scripted(0, 1, MEMF_PREFER | MEMF_NODE(1), NULL, 1, 1), 1);
	expect_stats("preferring the other node");
	heapfx_hold(&held, scripted(0, 0, MEMF_EXACT | MEMF_NODE(1), NULL, 1, 1), 0);
	expect_stats("exact on the other node");
	heapfx_hold(&held, scripted(2, 0, MEMF_LOCAL, NULL, 1, 1), 0);
	expect_stats("a local page on node 1");
	heapfx_hold(&held, scripted(2, 0, MEMF_LOCAL, &only0, 0, 1), 0);
	expect_stats("a mask without the CPU's node");
	/* Node 1 taken by one of its own CPUs: each one a local hit. */
	hosted_cpu_id = 3;
	k = held.nr;
	heapfx_exhaust(1, &held);
	want[1].hit += held.nr - k;
	want[1].local += held.nr - k;
	expect_stats("exhausting node 1");
	heapfx_hold(&held, scripted(2, 0, MEMF_LOCAL, NULL, 0, 1), 0);
	expect_stats("a local page with node 1 full");
	heapfx_hold(&held, scripted(0, 2, MEMF_PREFER | MEMF_NODE(1), NULL, 0, 1), 2);
	expect_stats("preferring the full node");
	hosted_cpu_id = 0;
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(1)));
	assert_null(alloc_pages_mask(0, MEMF_LOCAL, &only1));
	expect_stats("failed allocations");
	pg = scripted(1, 0, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_PCP, NULL, 0, 0);
	free_pages(pg, 0, true);
	heapfx_release(&held, true);
	expect_stats("freeing everything");
	assert_all_free();
}

/*
 * CPU 0 (a thread) allocates and frees pages through its cache as fast as
 * it can, tagging each page it holds and checking the tag before freeing,
 * while CPU 2 (the test's thread) drains CPU 0's cache, node 0 and all
 * caches in turn: the take-over protocol of mm/pcp.c under real
 * concurrency. Nothing may be handed out twice, lost or miscounted, and
 * the drains must actually have found pages.
 */
#define OWNER_ROUNDS 5000
#define OWNER_HOLD 40

static unsigned int owner_done, owner_bad;

static void *owner_cpu(void *arg)
{
	struct page *held[OWNER_HOLD];
	unsigned int r, i;

	hosted_cpu_id = 0;
	for (r = 0; r < OWNER_ROUNDS; r++) {
		unsigned int n = 1 + r % OWNER_HOLD;

		for (i = 0; i < n; i++) {
			held[i] = alloc_pages(0, MEMF_LOCAL | MEMF_NO_SCRUB);
			if (!held[i] || held[i]->node != 0)
				owner_bad++;
			else
				heapfx_page_mem(held[i])[0] = (u8)(i + 1);
		}
		for (i = 0; i < n; i++) {
			if (!held[i])
				continue;
			if (heapfx_page_mem(held[i])[0] != (u8)(i + 1))
				owner_bad++; /* someone else got this page too */
			free_pages(held[i], 0, false);
		}
	}
	__atomic_store_n(&owner_done, 1, __ATOMIC_RELEASE);
	return arg;
}

static void test_drain_while_the_owner_runs(void **state)
{
	unsigned int drains = 0, found = 0;
	pthread_t t;

	build_two();
	owner_done = owner_bad = 0;
	assert_int_equal(pthread_create(&t, NULL, owner_cpu, NULL), 0);
	hosted_cpu_id = 2;
	while (!__atomic_load_n(&owner_done, __ATOMIC_ACQUIRE)) {
		unsigned int got;

		if (drains % 3 == 0)
			got = pcp_drain_node(0);
		else if (drains % 3 == 1)
			got = pcp_drain_all();
		else
			got = (pcp_drain_cpu(0), 1);
		found += got != 0;
		drains++;
	}
	pthread_join(t, NULL);
	print_message("%u drains while CPU 0 ran, %u found pages\n", drains, found);
	assert_int_equal(owner_bad, 0);
	assert_true(found > 0);
	assert_int_equal(heap_check(false), 0);
	heapfx_assert_counts();
	assert_int_equal(heap_allocated(0), 0);
	assert_all_free();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, heapfx_setup, heapfx_cmocka_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_refill_takes_a_batch),
	    T(test_what_bypasses_the_cache),
	    T(test_cache_never_exceeds_high),
	    T(test_remote_pages_go_home_in_a_batch),
	    T(test_drain_cpu_and_all),
	    T(test_failing_allocation_drains_caches),
	    T(test_short_node_drains_before_falling_back),
	    T(test_statistics_for_a_script),
	    T(test_small_blocks_are_cached),
	    T(test_drain_while_the_owner_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
