/*
 * Hosted tests of the buddy heap's mechanics (mm/page_alloc.c,
 * mm/heap_init.c, mm/scrub.c, mm/heap_check.c): every order, splitting
 * and full coalescing after random fills, holes between a node's ranges,
 * reserved pages, dirty pages coming back zeroed, MEMF_NO_SCRUB, the
 * SCRUB_DEBUG report of a write to a free page, scrub_step(), a node
 * or a span whose frame table cannot be allocated (reported, counted),
 * nodes in hundreds of interleaved or punched ranges (all managed),
 * double frees, fixtures built one after another, and the node-by-node
 * parallel build of heap_boot() against the one-go build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "../../mm/heap_internal.h"
#include "fake_arch.h"
#include "support_heap.h"

static void build_one(void)
{
	heapfx_build_nodes(1, MiB(16), MiB(8), 2, NULL);
}

/* Node 0: [16, 19) and [21, 24) MiB, a hole between; node 1: [24, 32) MiB. */
static void build_holes(void)
{
	struct heapfx_spec s;

	heapfx_spec_init(&s, 2);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(3));
	heapfx_spec_ram(&s, 0, MiB(21), MiB(3));
	heapfx_spec_ram(&s, 1, MiB(24), MiB(8));
	heapfx_spec_cpus(&s, 0, 2);
	heapfx_spec_cpus(&s, 1, 2);
	heapfx_build_spec(&s);
}

static void build_memoryless(void)
{
	struct heapfx_spec s;

	heapfx_spec_init(&s, 3);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(4));
	heapfx_spec_ram(&s, 2, MiB(20), MiB(4));
	heapfx_spec_cpus(&s, 0, 2);
	heapfx_spec_cpus(&s, 1, 2);
	heapfx_build_spec(&s);
}

static void assert_all_free(void)
{
	pcp_drain_all();
	assert_int_equal(heap_check(true), 0);
	heapfx_assert_shape(heapfx_built_shape());
	heapfx_assert_counts();
}

/* What a clean free page holds: the poison with SCRUB_DEBUG, else zeroes. */
static u8 clean_byte(void)
{
	return IS_ENABLED(CONFIG_SCRUB_DEBUG) ? HEAPFX_POISON : 0;
}

/* ---- orders ---------------------------------------------------------------- */

static void check_block(struct page *pg, unsigned int order)
{
	unsigned long i;

	assert_true(IS_ALIGNED(page_to_mfn(pg), 1UL << order));
	assert_ptr_equal(mfn_to_page(page_to_mfn(pg)), pg);
	for (i = 0; i < (1UL << order); i++) {
		assert_int_equal(pg[i].flags & (PG_FREE | PG_TAIL | PG_PCP | PG_DIRTY), 0);
		assert_int_equal(page_to_mfn(&pg[i]), page_to_mfn(pg) + i);
		if (!heapfx_page_is(&pg[i], 0))
			fail_msg("order %u block at mfn 0x%llx: page %lu not zeroed", order,
				 page_to_mfn(pg), i);
	}
}

static void test_every_order(void **state)
{
	/* Two blocks of MAX_ORDER, aligned: 8 MiB at 16 MiB up to order 10. */
	u64 bytes = PAGE_SIZE << (MAX_ORDER + 1);
	struct page *pg[MAX_ORDER + 1], *last;
	int o;

	heapfx_build_nodes(1, MAX(MiB(16), bytes), bytes, 2, NULL);
	for (o = 0; o <= MAX_ORDER; o++) {
		pg[o] = alloc_pages((unsigned int)o, MEMF_LOCAL);
		assert_non_null(pg[o]);
		check_block(pg[o], (unsigned int)o);
		free_pages(pg[o], (unsigned int)o, true);
		heapfx_assert_counts();
	}
	assert_all_free();
	/* 2^(MAX_ORDER + 1) - 1 pages in one block of each order, then one page is left. */
	for (o = MAX_ORDER; o >= 0; o--) {
		pg[o] = alloc_pages((unsigned int)o, MEMF_LOCAL);
		assert_non_null(pg[o]);
		check_block(pg[o], (unsigned int)o);
	}
	assert_int_equal(heap[0].managed, 2UL << MAX_ORDER);
	assert_null(alloc_pages(1, MEMF_LOCAL));
	last = alloc_pages(0, MEMF_LOCAL);
	assert_non_null(last);
	assert_null(alloc_pages(0, MEMF_LOCAL));
	assert_int_equal(heap_allocated(0), heap[0].managed);
	free_pages(last, 0, false);
	for (o = 0; o <= MAX_ORDER; o++)
		free_pages(pg[o], (unsigned int)o, false);
	assert_all_free();
}

/* ---- random fill, random free ------------------------------------------------ */

/* One byte per mfn of the fixture: which pages are handed out. */
static u8 *taken;
static mfn_t taken_end;

static void taken_init(void)
{
	taken_end = topo->range[topo->nr_ranges - 1].end >> PAGE_SHIFT;
	free(taken);
	taken = calloc(taken_end, 1);
	assert_non_null(taken);
}

static void taken_mark(struct page *pg, unsigned int order, u8 v)
{
	mfn_t m;

	for (m = page_to_mfn(pg); m < page_to_mfn(pg) + (1UL << order); m++) {
		assert_true(m < taken_end);
		if (taken[m] == v)
			fail_msg("mfn 0x%llx %s twice", m, v ? "handed out" : "freed");
		taken[m] = v;
	}
}

/* Orders 0..MAX_ORDER, each half as likely as the one below. */
static unsigned int random_order(void)
{
	unsigned int o = (unsigned int)__builtin_ctzll(test_rng() | (1ULL << MAX_ORDER));

	return o;
}

static void fill_and_free(u64 seed)
{
	struct heapfx_held held = {0};
	unsigned int i, smallest_failed = MAX_ORDER + 1;

	test_rng_seed(seed);
	taken_init();
	while (smallest_failed) {
		unsigned int o = random_order() % smallest_failed;
		struct page *pg;

		hosted_cpu_id = (unsigned int)(test_rng() % topo->nr_cpus);
		pg = alloc_pages(o, MEMF_LOCAL | (test_rng() & 1 ? MEMF_NO_SCRUB : 0));
		if (!pg) {
			smallest_failed = o;
			continue;
		}
		taken_mark(pg, o, 1);
		heapfx_hold(&held, pg, o);
		heapfx_assert_counts();
	}
	assert_int_equal(held.pages, heapfx_managed());
	for (i = 0; i < MAX_NODES; i++)
		assert_int_equal(heap[i].free_pages + heap_cached(i), 0);
	assert_int_equal(heap_check(false), 0);
	for (i = held.nr; i > 1; i--) {
		unsigned int j = (unsigned int)(test_rng() % i);
		struct heapfx_block b = held.v[i - 1];

		held.v[i - 1] = held.v[j];
		held.v[j] = b;
	}
	for (i = 0; i < held.nr; i++) {
		hosted_cpu_id = (unsigned int)(test_rng() % topo->nr_cpus);
		taken_mark(held.v[i].pg, held.v[i].order, 0);
		free_pages(held.v[i].pg, held.v[i].order, true);
		heapfx_assert_counts();
	}
	held.nr = 0;
	heapfx_release(&held, true);
	hosted_cpu_id = 0;
	assert_all_free();
	free(taken);
	taken = NULL;
}

static void test_fill_and_free_in_random_order(void **state)
{
	u64 seed;

	for (seed = 1; seed <= 4; seed++) {
		build_one();
		fill_and_free(seed);
		heapfx_build_nodes(4, MiB(16), MiB(4), 2, NULL);
		fill_and_free(seed + 100);
		build_holes();
		fill_and_free(seed + 200);
		heapfx_build_4g();
		fill_and_free(seed + 300);
		build_memoryless();
		fill_and_free(seed + 400);
	}
}

/* ---- holes and reserved pages --------------------------------------------------- */

static void test_holes_split_spans(void **state)
{
	struct heapfx_held held = {0};
	struct page *pg;
	unsigned int i;

	build_holes();
	assert_int_equal(heap[0].nr_spans, 2);
	assert_int_equal(heap[0].managed, MiB(6) >> PAGE_SHIFT);
	assert_null(mfn_to_page(MiB(19) >> PAGE_SHIFT));
	assert_null(mfn_to_page((MiB(21) >> PAGE_SHIFT) - 1));
	assert_int_equal(mfn_to_page((MiB(19) >> PAGE_SHIFT) - 1)->node, 0);
	assert_int_equal(mfn_to_page(MiB(21) >> PAGE_SHIFT)->node, 0);
	assert_int_equal(mfn_to_page(MiB(24) >> PAGE_SHIFT)->node, 1);
	/* No 4 MiB block on node 0; two 2 MiB ones, one in each range. */
	assert_null(alloc_pages(MAX_ORDER, MEMF_EXACT | MEMF_NODE(0)));
	for (i = 0; i < 2; i++) {
		pg = alloc_pages(9, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_SCRUB);
		assert_non_null(pg);
		heapfx_hold(&held, pg, 9);
	}
	assert_null(alloc_pages(9, MEMF_EXACT | MEMF_NODE(0)));
	assert_int_equal(heapfx_exhaust(0, &held), MiB(2) >> PAGE_SHIFT);
	for (i = 0; i < held.nr; i++) {
		paddr_t s = page_to_maddr(held.v[i].pg), e = s + (PAGE_SIZE << held.v[i].order);

		if (!((s >= MiB(16) && e <= MiB(19)) || (s >= MiB(21) && e <= MiB(24))))
			fail_msg("block 0x%llx-0x%llx crosses the hole", s, e);
	}
	heapfx_release(&held, true);
	assert_all_free();
}

static void test_reserved_pages_are_never_handed_out(void **state)
{
	struct heapfx_held held = {0};
	struct heapfx_spec s;
	unsigned int i;

	heapfx_spec_init(&s, 1);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(8));
	heapfx_spec_cpus(&s, 0, 1);
	heapfx_spec_reserve(&s, MiB(17), KiB(12));
	heapfx_spec_reserve(&s, MiB(20) - KiB(4), KiB(8));
	heapfx_build_spec(&s);
	assert_int_equal(heap[0].managed, (MiB(8) - KiB(20)) >> PAGE_SHIFT);
	assert_int_equal(mfn_to_page(MiB(17) >> PAGE_SHIFT)->flags, PG_OFFLINE);
	assert_int_equal(mfn_to_page((MiB(20) >> PAGE_SHIFT) - 1)->flags, PG_OFFLINE);
	assert_int_equal(heapfx_exhaust(0, &held), heap[0].managed);
	for (i = 0; i < held.nr; i++) {
		paddr_t b = page_to_maddr(held.v[i].pg), e = b + (PAGE_SIZE << held.v[i].order);

		assert_false(b < MiB(17) + KiB(12) && e > MiB(17));
		assert_false(b < MiB(20) + KiB(4) && e > MiB(20) - KiB(4));
	}
	heapfx_release(&held, true);
	assert_all_free();
	assert_int_equal(mfn_to_page(MiB(17) >> PAGE_SHIFT)->flags, PG_OFFLINE);
}

/* ---- dirty pages and scrubbing -------------------------------------------------- */

static void test_dirty_pages_come_back_zeroed(void **state)
{
	struct heapfx_held held = {0};
	u64 dirty_before;
	struct page *x, *y, *pg;
	unsigned int i;

	build_one();
	/* Boot memory holds junk and enters dirty: everything handed out is zeroed. */
	heapfx_exhaust(0, &held);
	for (i = 0; i < held.nr; i++)
		heapfx_fill(held.v[i].pg, held.v[i].order, 0xff);
	heapfx_release(&held, true);
	for (i = 0; i < heap[0].managed; i++) {
		pg = alloc_pages(0, MEMF_LOCAL);
		assert_non_null(pg);
		if (!heapfx_page_is(pg, 0))
			fail_msg("page 0x%llx freed dirty came back unzeroed", page_to_maddr(pg));
		heapfx_hold(&held, pg, 0);
	}
	heapfx_release(&held, true);
	assert_all_free();
	/*
	 * A dirty half merges with a clean half into one block; dirtiness is
	 * per page, so exactly the dirty half is zeroed on the way out.
	 */
	x = alloc_pages(1, MEMF_LOCAL);
	y = alloc_pages(1, MEMF_LOCAL);
	assert_int_equal(page_to_mfn(x) ^ 2, page_to_mfn(y));
	heapfx_fill(x, 1, 0xff);
	heapfx_fill(y, 1, 0);
	free_pages(x, 1, true);
	free_pages(y, 1, false);
	pcp_drain_all(); /* small blocks are cached per CPU: merge them */
	assert_int_equal(heap_dirty(0), heapfx_dirty_listed(0));
	dirty_before = heap_dirty(0);
	pg = alloc_pages(2, MEMF_LOCAL);
	assert_ptr_equal(pg, page_to_mfn(x) < page_to_mfn(y) ? x : y);
	assert_true(heapfx_page_is(x, 0) && heapfx_page_is(x + 1, 0));
	assert_int_equal(heap_dirty(0), dirty_before - 2);
	free_pages(pg, 2, true);
	assert_all_free();
}

static void test_no_scrub_hands_dirty_pages_over(void **state)
{
	struct page *pg;
	unsigned int i;

	build_one();
	pg = alloc_pages(3, MEMF_LOCAL | MEMF_NO_SCRUB | MEMF_NO_PCP);
	for (i = 0; i < 8; i++)
		assert_true(heapfx_page_is(&pg[i], HEAPFX_JUNK));
	heapfx_fill(pg, 3, 0x77);
	free_pages(pg, 3, true);
	pcp_drain_all();
	pg = alloc_pages(0, MEMF_LOCAL | MEMF_NO_SCRUB | MEMF_NO_PCP);
	assert_true(heapfx_page_is(pg, 0x77));
	free_pages(pg, 0, true);
	pg = alloc_pages(3, MEMF_LOCAL | MEMF_NO_PCP);
	for (i = 0; i < 8; i++)
		assert_true(heapfx_page_is(&pg[i], 0));
	free_pages(pg, 3, true);
	assert_console_empty();
	assert_all_free();
}

/*
 * Make every free page of node n clean: take them all, zero them and
 * free them clean, as a caller that wiped its pages would.
 */
static void make_node_clean(unsigned int n)
{
	struct heapfx_held held = {0};
	unsigned int i;

	heapfx_exhaust(n, &held);
	for (i = 0; i < held.nr; i++)
		heapfx_fill(held.v[i].pg, held.v[i].order, 0);
	heapfx_release(&held, false);
	pcp_drain_all();
	assert_int_equal(heap_dirty(n), 0);
}

/* A write to a free page is named on the console (CONFIG_SCRUB_DEBUG). */
static void test_write_to_free_page_is_reported(void **state)
{
	char line[160];
	struct page *pg, *again;

	if (!IS_ENABLED(CONFIG_SCRUB_DEBUG))
		skip();
	build_one();
	make_node_clean(0);
	/* Through a per-CPU cache. */
	pg = alloc_pages(0, MEMF_LOCAL);
	free_pages(pg, 0, false);
	assert_true(heapfx_page_is(pg, HEAPFX_POISON));
	assert_console_empty();
	heapfx_page_mem(pg)[100] = 0x42;
	again = alloc_pages(0, MEMF_LOCAL);
	assert_ptr_equal(again, pg);
	snprintf(line, sizeof(line),
		 "scrub: page 0x%llx (node 0) was written while free: byte "
		 "0x64 holds 0x42, not the poison 0xa5\n",
		 page_to_maddr(pg));
	assert_string_equal(console_text(), line);
	console_clear();
	free_pages(again, 0, true);
	/* In a block from the buddy lists, the written page is the one named. */
	pg = alloc_pages(2, MEMF_LOCAL);
	free_pages(pg, 2, false);
	heapfx_page_mem(&pg[3])[PAGE_SIZE - 1] = 0;
	again = alloc_pages(2, MEMF_LOCAL);
	assert_ptr_equal(again, pg);
	snprintf(line, sizeof(line),
		 "scrub: page 0x%llx (node 0) was written while free: byte "
		 "0xfff holds 0x00, not the poison 0xa5\n",
		 page_to_maddr(&pg[3]));
	assert_string_equal(console_text(), line);
	console_clear();
	/* Untouched, or freed dirty: nothing to say. */
	free_pages(pg, 2, false);
	pg = alloc_pages(2, MEMF_LOCAL);
	heapfx_fill(pg, 2, 0x11);
	free_pages(pg, 2, true);
	heapfx_page_mem(pg)[0] = 0x12;
	again = alloc_pages(2, MEMF_LOCAL);
	assert_ptr_equal(again, pg);
	assert_true(heapfx_page_is(again, 0));
	assert_console_empty();
	free_pages(again, 2, true);
	assert_all_free();
}

/* Every free page of node n holds what a clean page holds. */
static void assert_node_clean(unsigned int n)
{
	unsigned int k;
	mfn_t m;

	for (k = 0; k < heap[n].nr_spans; k++)
		for (m = heap[n].span[k].start; m < heap[n].span[k].end; m++)
			if (!heapfx_page_is(mfn_to_page(m), clean_byte()))
				fail_msg("scrubbed page 0x%llx holds something else",
					 m << PAGE_SHIFT);
}

/*
 * Scrubbing a fresh node (all dirty, as boot memory enters) until nothing
 * is dirty: each step zeroes at most 16 pages and the node's dirty count
 * drops by what it zeroed, never touching free or allocated.
 */
static void test_scrub_step_zeroes_a_fresh_node(void **state)
{
	u64 before, steps = 0;
	unsigned int r;

	heapfx_build_nodes(2, MiB(16), MiB(8), 1, NULL);
	while ((before = heap_dirty(0)), (r = scrub_step(0))) {
		assert_true(r == 1 || r == 2 || r == 4 || r == 8 || r == 16);
		assert_int_equal(heapfx_dirty_listed(0), heap_dirty(0));
		assert_int_equal(heap[0].free_pages, heap[0].managed);
		assert_int_equal(heap_allocated(0), 0);
		heapfx_assert_counts();
		if (heap_dirty(0) != before - r)
			fail_msg("scrub step %llu zeroed %u pages, but node 0's dirty pages went "
				 "from %llu to %llu",
				 steps, r, before, heap_dirty(0));
		assert_true(++steps <= heap[0].managed);
	}
	assert_int_equal(heap_dirty(0), 0);
	assert_int_equal(heap_dirty(1), heap[1].managed);
	assert_node_clean(0);
	assert_all_free();
}

/* On a clean node, a dirty block that cannot merge is the one scrubbed. */
static void test_scrub_step_takes_the_dirty_block(void **state)
{
	struct page *x, *y;

	heapfx_build_nodes(2, MiB(16), MiB(8), 1, NULL);
	make_node_clean(0);
	assert_int_equal(scrub_step(0), 0);
	x = alloc_pages(3, MEMF_EXACT | MEMF_NODE(0));
	y = alloc_pages(3, MEMF_EXACT | MEMF_NODE(0));
	assert_int_equal(page_to_mfn(x) ^ 8, page_to_mfn(y));
	assert_true(heapfx_page_is(x, clean_byte()));
	heapfx_fill(x, 3, 0x33);
	free_pages(x, 3, true); /* y is held: x stays a block of its own */
	pcp_drain_all();
	assert_int_equal(heap_dirty(0), 8);
	assert_int_equal(heapfx_dirty_listed(0), 8);
	assert_int_equal(scrub_step(0), 8);
	heapfx_assert_counts();
	assert_int_equal(heap_dirty(0), 0);
	assert_true(heapfx_page_is(x, clean_byte()));
	assert_true(heapfx_page_is(&x[7], clean_byte()));
	assert_int_equal(scrub_step(0), 0);
	free_pages(y, 3, false);
	pcp_drain_all();
	assert_int_equal(scrub_step(1), 16); /* node 1 is still as boot left it */
	assert_console_empty();
	pcp_drain_all();
	assert_int_equal(heap_check(true), 0);
	heapfx_assert_counts();
}

/*
 * A few dirty pages freed among clean ones: scrubbing until scrub_step()
 * says there is nothing left must end with the node clean, in about as
 * many steps as there were dirty pages.
 */
static void test_scrub_step_cleans_dirty_pages_among_clean(void **state)
{
	unsigned int steps = 0;
	struct page *pg;

	heapfx_build_nodes(1, MiB(16), MiB(8), 1, NULL);
	make_node_clean(0);
	pg = alloc_pages(3, MEMF_EXACT | MEMF_NODE(0));
	heapfx_fill(pg, 3, 0x33);
	free_pages(pg, 3, true);
	pcp_drain_all();
	while (scrub_step(0)) {
		if (++steps > 64)
			fail_msg("8 dirty pages among clean ones: still %llu dirty after %u scrub "
				 "steps",
				 heap_dirty(0), steps);
	}
	assert_int_equal(heap_dirty(0), 0);
	assert_true(heapfx_page_is(pg, clean_byte()));
	assert_all_free();
}

/* A node without memory has nothing to scrub. */
static void test_scrub_step_on_memoryless_node(void **state)
{
	build_memoryless();
	assert_int_equal(scrub_step(1), 0);
	assert_int_equal(scrub_step(2), 16);
	heapfx_assert_counts();
}

/* ---- frame tables that cannot be allocated ---------------------------------------- */

static void test_frame_table_failure_leaves_node_out(void **state)
{
	struct heapfx_spec s;
	struct page *pg;
	unsigned int n;

	heapfx_spec_init(&s, 3);
	for (n = 0; n < 3; n++) {
		heapfx_spec_ram(&s, n, MiB(16) + n * MiB(8), MiB(8));
		heapfx_spec_cpus(&s, n, 1);
	}
	s.fail_node = 1;
	assert_int_equal(heapfx_build_spec(&s), -ENOMEM);
	/* Node 1 is [24, 32) MiB: 8192 KiB, 2048 pages, all reported and counted. */
	assert_string_equal(console_text(), "heap: node 1: 8192 KiB in 1 range left out: no "
					    "memory for its span table\n");
	assert_int_equal(heap[1].nr_spans, 0);
	assert_int_equal(heap[1].managed, 0);
	assert_int_equal(heap[1].lost, 2048);
	assert_null(mfn_to_page(MiB(24) >> PAGE_SHIFT));
	assert_int_equal(heap[0].managed + heap[2].managed, 2 * 2048);
	assert_null(alloc_pages(0, MEMF_EXACT | MEMF_NODE(1)));
	pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(1));
	assert_non_null(pg);
	assert_int_equal(pg->node, topo->node[1].fallback[0]);
	free_pages(pg, 0, true);
	hosted_cpu_id = heapfx_cpu(1, 0);
	pg = alloc_pages(0, MEMF_LOCAL);
	assert_non_null(pg);
	assert_int_not_equal(pg->node, 1);
	free_pages(pg, 0, true);
	assert_all_free();
}

/* One span's frames cannot be had: that span alone is left out, with its size. */
static void test_span_frame_failure_leaves_that_span_out(void **state)
{
	struct heapfx_spec s;

	heapfx_spec_init(&s, 1);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(8)); /* 2048 pages: 64 KiB of frames */
	heapfx_spec_ram(&s, 0, MiB(32), MiB(1)); /* 256 pages: 8 KiB of frames */
	heapfx_spec_cpus(&s, 0, 1);
	heapfx_set_meta_limit(KiB(32));
	assert_int_equal(heapfx_build_spec(&s), -ENOMEM);
	assert_string_equal(console_text(), "heap: node 0: 8192 KiB at 0x1000000-0x1800000 left "
					    "out: no memory for its frame table\n");
	assert_int_equal(heap[0].nr_spans, 1);
	assert_int_equal(heap[0].managed, 256);
	assert_int_equal(heap[0].lost, 2048);
	assert_null(mfn_to_page(MiB(16) >> PAGE_SHIFT));
	assert_non_null(mfn_to_page(MiB(32) >> PAGE_SHIFT));
	assert_int_equal(heap_check(true), 0);
}

/*
 * Every byte the topology gives a node reaches the heap, however many
 * ranges firmware cut it into: pages [first, first + count) of the
 * fixture must all be managed by node want(mfn).
 */
static void assert_pages_on(mfn_t first, mfn_t count, nodeid_t (*want)(mfn_t))
{
	mfn_t m;

	for (m = first; m < first + count; m++) {
		struct page *pg = mfn_to_page(m);

		if (!pg || pg->node != want(m))
			fail_msg("mfn 0x%llx: %s, expected node %u", m,
				 pg ? "on another node" : "not in the heap", want(m));
	}
}

/* A description with CPUs 0 (pxm 0) and 1 (pxm 1) and no memory yet. */
static void desc_two_cpus(struct topo_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->source = TOPO_SRC_ACPI;
	d->have_affinity = true;
	d->nr_cpus = d->nr_aff = 2;
	d->cpu_hwid[1] = d->aff[1].hwid = d->aff[1].pxm = 1;
}

static void desc_mem(struct topo_desc *d, paddr_t start, u64 len, u32 pxm)
{
	d->mem[d->nr_mem].start = start;
	d->mem[d->nr_mem].len = len;
	d->mem[d->nr_mem++].pxm = pxm;
}

/* 64 KiB (16 pages) each, alternating from 16 MiB: even ones node 0. */
static nodeid_t interleaved_node(mfn_t m)
{
	return (nodeid_t)(((m - (MiB(16) >> PAGE_SHIFT)) / 16) % 2);
}

static void test_interleaved_ranges_all_reach_the_heap(void **state)
{
	static struct topo_desc d;
	struct mem_range map = {MiB(16), MiB(32), MEM_RAM};
	unsigned int i;

	/* 256 SRAT ranges (the most a description holds), 128 per node. */
	desc_two_cpus(&d);
	for (i = 0; i < 256; i++)
		desc_mem(&d, MiB(16) + i * KiB(64), KiB(64), i % 2);
	assert_int_equal(heapfx_build(&d, &map, 1, NULL, 0, -1), 0);
	assert_string_equal(console_text(), "");
	assert_int_equal(heap[0].nr_spans, 128);
	assert_int_equal(heap[1].nr_spans, 128);
	assert_int_equal(heap[0].managed, 2048);
	assert_int_equal(heap[1].managed, 2048);
	assert_int_equal(heap[0].lost + heap[1].lost, 0);
	assert_pages_on(MiB(16) >> PAGE_SHIFT, 4096, interleaved_node);
	assert_int_equal(heap_check(true), 0);
}

/* Node 1 is the pages 0x1000 + 0x40 * k (k < 20): one every 256 KiB from 16 MiB. */
static nodeid_t punched_node(mfn_t m)
{
	return m >= 0x1000 && m < 0x1000 + 0x40 * 20 && (m - 0x1000) % 0x40 == 0;
}

static void test_one_page_ranges_punched_into_a_node(void **state)
{
	static struct topo_desc d;
	struct mem_range map = {MiB(16), MiB(80), MEM_RAM};
	unsigned int k;

	/* Node 0 has [16, 80) MiB but for 20 single pages of node 1. */
	desc_two_cpus(&d);
	for (k = 0; k < 20; k++) {
		desc_mem(&d, MiB(16) + k * KiB(256), KiB(4), 1);
		desc_mem(&d, MiB(16) + k * KiB(256) + KiB(4), KiB(252), 0);
	}
	desc_mem(&d, MiB(16) + 20 * KiB(256), MiB(80) - (MiB(16) + 20 * KiB(256)), 0);
	assert_int_equal(heapfx_build(&d, &map, 1, NULL, 0, -1), 0);
	assert_string_equal(console_text(), "");
	/* 64 MiB is 16384 pages: 20 of them node 1's, in 20 spans; node 0 in 20 pieces. */
	assert_int_equal(heap[1].managed, 20);
	assert_int_equal(heap[1].nr_spans, 20);
	assert_int_equal(heap[0].managed, 16364);
	assert_int_equal(heap[0].nr_spans, 20);
	assert_pages_on(MiB(16) >> PAGE_SHIFT, 16384, punched_node);
	assert_int_equal(heap_check(true), 0);
}

/*
 * Buddies never merge across a zone boundary: [0, 64) MiB freed page by
 * page must come back with no block across 16 MiB (dma | dma32). With
 * MAX_ORDER >= 13 (blocks of 32 MiB; the second hosted configuration)
 * the merge at order 12 would otherwise join [0, 16) and [16, 32) MiB.
 */
static void test_merging_stops_at_zone_boundaries(void **state)
{
	struct heapfx_held held = {0};
	struct page *pg;
	unsigned int z, o;

	heapfx_build_nodes(1, 0, MiB(64), 1, NULL);
	while ((pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(0) | MEMF_NO_PCP | MEMF_NO_SCRUB)))
		heapfx_hold(&held, pg, 0);
	assert_int_equal(held.pages, 16384);
	heapfx_release(&held, false);
	pcp_drain_all(); /* the frees went through this CPU's cache */
	assert_int_equal(heap_check(true), 0);
	for (z = 0; z < NR_ZONES; z++)
		for (o = 0; o <= MAX_ORDER; o++)
			for (pg = heap[0].zone[z].free[o]; pg; pg = pg->next)
				if (pg->mfn < 0x1000 && pg->mfn + (1UL << o) > 0x1000)
					fail_msg(
					    "free block at mfn 0x%llx of order %u crosses 16 MiB",
					    pg->mfn, o);
	assert_int_equal(heap[0].zone[ZONE_DMA].free_pages, 4096);
	assert_int_equal(heap[0].zone[ZONE_DMA32].free_pages, 12288);
}

/* ---- misuse and rebuilding -------------------------------------------------------- */

static void expect_double_free(struct page *pg, unsigned int order)
{
	jmp_buf env;

	fake_panic_expect(&env);
	if (!setjmp(env)) {
		free_pages(pg, order, true);
		fake_panic_expect(NULL);
		fail_msg("a double free of mfn 0x%llx went unnoticed", page_to_mfn(pg));
	}
	assert_non_null(strstr(fake_panic_message(), "assertion failed"));
	assert_non_null(strstr(fake_panic_message(), ": free_pages of a block that is not "
						     "allocated (double free, or wrong order)"));
	console_clear();
}

static void test_double_free_is_caught(void **state)
{
	struct page *pg, *buddy;

	build_one();
	pg = alloc_pages(2, MEMF_LOCAL);
	free_pages(pg, 2, true);
	expect_double_free(pg, 2); /* cached per CPU, or merged into a bigger block */
	if (IS_ENABLED(CONFIG_DEBUG))
		expect_double_free(pg + 1, 0); /* a tail: marked in debug builds only */
	pg = alloc_pages(3, MEMF_LOCAL);
	buddy = alloc_pages(3, MEMF_LOCAL);
	assert_int_equal(page_to_mfn(pg) ^ 8, page_to_mfn(buddy));
	free_pages(pg, 3, true); /* its buddy is held: it stays a block head */
	pcp_drain_all();
	assert_true(pg->flags & PG_FREE);
	expect_double_free(pg, 3);
	free_pages(buddy, 3, true);
	pg = alloc_pages(0, MEMF_LOCAL);
	free_pages(pg, 0, true);
	if (IS_ENABLED(CONFIG_PCP))
		assert_true(pg->flags & PG_PCP);
	expect_double_free(pg, 0); /* in a per-CPU cache */
	assert_all_free();
}

static void test_rebuilds_leave_nothing_behind(void **state)
{
	static u8 dist[64 * 64];
	unsigned int i, j;
	struct page *pg;

	for (i = 0; i < 64; i++)
		for (j = 0; j < 64; j++)
			dist[i * 64 + j] = i == j ? 10 : 20;
	heapfx_build_nodes(64, MiB(16), MiB(1), 2, dist);
	hosted_cpu_id = 101;
	for (i = 0; i < 3; i++) {
		pg = alloc_pages(0, MEMF_LOCAL);
		assert_int_equal(pg->node, 50);
		free_pages(pg, 0, true);
		free_pages(alloc_pages(0, MEMF_EXACT | MEMF_NODE(i) | MEMF_NO_PCP), 0, true);
	}
	assert_true(!IS_ENABLED(CONFIG_PCP) || heap_cached(50) > 0);
	build_one();
	assert_int_equal(pcp_drain_all(), 0);
	heapfx_assert_counts();
	assert_all_free();
	pg = alloc_pages(0, MEMF_LOCAL);
	assert_non_null(pg);
	free_pages(pg, 0, true);
	heapfx_build_nodes(64, MiB(16), MiB(1), 2, dist);
	assert_int_equal(pcp_drain_all(), 0);
	assert_all_free();
}

/* ---- building node by node, in parallel ------------------------------------------ */

struct frame_copy {
	mfn_t mfn;
	u32 flags;
	u8 order, zone;
	nodeid_t node;
};

/* Every frame of every node, in order; returns how many. */
static size_t copy_frames(struct frame_copy *out, size_t max)
{
	size_t nr = 0;
	unsigned int n, k;
	mfn_t m;

	for (n = 0; n < MAX_NODES; n++)
		for (k = 0; k < heap[n].nr_spans; k++)
			for (m = heap[n].span[k].start; m < heap[n].span[k].end; m++) {
				const struct page *pg = mfn_to_page(m);

				assert_true(nr < max);
				out[nr].mfn = pg->mfn;
				out[nr].flags = pg->flags;
				out[nr].order = pg->order;
				out[nr].zone = pg->zone;
				out[nr++].node = pg->node;
			}
	return nr;
}

static void check_parallel_build(void (*build)(void))
{
	static struct frame_copy serial[1UL << 15], parallel[1UL << 15];
	static struct heapfx_shape shape;
	struct page *pg;
	size_t nr;

	build();
	nr = copy_frames(serial, ARRAY_SIZE(serial));
	heapfx_shape(&shape);
	heapfx_set_parallel_build(true);
	build();
	assert_int_equal(copy_frames(parallel, ARRAY_SIZE(parallel)), nr);
	assert_memory_equal(serial, parallel, nr * sizeof(*serial));
	heapfx_assert_shape(&shape);
	heapfx_assert_counts();
	assert_int_equal(heap_check(true), 0);
	pg = alloc_pages(3, MEMF_LOCAL);
	assert_non_null(pg);
	free_pages(pg, 3, true);
	assert_all_free();
}

static void build_four(void)
{
	heapfx_build_nodes(4, MiB(16), MiB(4), 2, NULL);
}

static void build_64(void)
{
	heapfx_build_nodes(64, MiB(16), MiB(1), 1, NULL);
}

static void test_parallel_build_matches_serial(void **state)
{
	check_parallel_build(build_one);
	check_parallel_build(build_four);
	check_parallel_build(build_holes);
	check_parallel_build(heapfx_build_4g);
	check_parallel_build(build_memoryless); /* node 2 has no CPU: built afterwards */
	check_parallel_build(build_64);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, heapfx_setup, heapfx_cmocka_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_every_order),
	    T(test_fill_and_free_in_random_order),
	    T(test_holes_split_spans),
	    T(test_reserved_pages_are_never_handed_out),
	    T(test_dirty_pages_come_back_zeroed),
	    T(test_no_scrub_hands_dirty_pages_over),
	    T(test_write_to_free_page_is_reported),
	    T(test_scrub_step_zeroes_a_fresh_node),
	    T(test_scrub_step_takes_the_dirty_block),
	    T(test_scrub_step_cleans_dirty_pages_among_clean),
	    T(test_scrub_step_on_memoryless_node),
	    T(test_frame_table_failure_leaves_node_out),
	    T(test_merging_stops_at_zone_boundaries),
	    T(test_span_frame_failure_leaves_that_span_out),
	    T(test_interleaved_ranges_all_reach_the_heap),
	    T(test_one_page_ranges_punched_into_a_node),
	    T(test_double_free_is_caught),
	    T(test_rebuilds_leave_nothing_behind),
	    T(test_parallel_build_matches_serial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
