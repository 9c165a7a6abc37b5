/*
 * Negative tests of heap_check() (mm/heap_check.c), the oracle of every
 * page-allocator test: a heap broken on purpose in one way at a time (a
 * block missing from its list, wrong flags, a wrong node, wrong counts,
 * a stray tail, a page inside a free block that is not a tail, spans out
 * of order) must be reported with its exact line, and a sound heap must
 * not be; a _locked call without its lock trips the assertion that says
 * so. Each test repairs what it broke before the teardown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>

#include "../../mm/heap_internal.h"
#include "fake_arch.h"
#include "support_heap.h"

/* One node, 8 MiB at 16 MiB (zone dma32): two free blocks of order 10. */
static struct page *build(void)
{
	struct page *pg;

	/* The lines expected below name two blocks of order 10, 8 MiB at 16 MiB. */
	if (MAX_ORDER != 10)
		skip();
	heapfx_build_nodes(1, MiB(16), MiB(8), 1, NULL);
	assert_int_equal(heap_check(true), 0);
	console_clear();
	pg = heap[0].zone[ZONE_DMA32].free[MAX_ORDER];
	assert_non_null(pg);
	assert_int_equal(heap[0].zone[ZONE_DMA32].nr_blocks[MAX_ORDER], 2);
	return pg;
}

static void test_sound_heap_passes(void **state)
{
	struct page *pg;

	build();
	pg = alloc_pages(0, MEMF_NODE(0) | MEMF_EXACT | MEMF_NO_PCP);
	assert_non_null(pg);
	assert_int_equal(heap_check(false), 0);
	free_pages(pg, 0, true);
	assert_int_equal(heap_check(true), 0);
	assert_console_empty();
}

static void test_block_missing_from_its_list(void **state)
{
	struct page *pg = build(), *next = pg->next;

	heap[0].zone[ZONE_DMA32].free[MAX_ORDER] = next; /* unlinked, still counted */
	assert_int_equal(heap_check(false), 3);
	assert_console_has("heap check: node 0 zone dma32 order 10: 1 blocks listed, 2 counted\n");
	assert_console_has("heap check: node 0 zone dma32: 1024 free pages listed, 2048 counted\n");
	assert_console_has("heap check: node 0: 1024 free pages listed, 2048 counted\n");
	heap[0].zone[ZONE_DMA32].free[MAX_ORDER] = pg;
}

static void test_listed_block_with_wrong_flags(void **state)
{
	struct page *pg = build();
	char line[160];

	pg->flags &= ~PG_FREE;
	assert_true(heap_check(false) >= 1);
	snprintf(line, sizeof(line),
		 "heap check: node 0 zone dma32 order 10: bad block at mfn "
		 "0x%llx (flags 0x%x order 10)\n",
		 pg->mfn, pg->flags);
	assert_console_has(line);
	pg->flags |= PG_FREE;
	console_clear();
	assert_int_equal(heap_check(true), 0);
}

static void test_listed_block_of_another_node(void **state)
{
	struct page *pg = build();

	pg->node = 1;
	assert_int_equal(heap_check(false), 1);
	assert_console_has("heap check: node 0 zone dma32 order 10: bad block at mfn ");
	pg->node = 0;
}

static void test_counts_that_do_not_add_up(void **state)
{
	build();
	heap[0].managed++;
	assert_int_equal(heap_check(false), 1);
	assert_console_has("heap check: node 0: free 2048 + cached 0 + allocated 0 + scrubbing 0 "
			   "!= managed 2049\n");
	heap[0].managed--;
}

static void test_stray_tail(void **state)
{
	struct page *pg;
	char line[120];

	build();
	pg = alloc_pages(0, MEMF_NODE(0) | MEMF_EXACT | MEMF_NO_PCP);
	assert_non_null(pg);
	pg->flags |= PG_TAIL;
	assert_int_equal(heap_check(false), 1);
	snprintf(line, sizeof(line), "heap check: node 0: mfn 0x%llx is a tail of no free block\n",
		 pg->mfn);
	assert_console_has(line);
	pg->flags &= ~PG_TAIL;
	free_pages(pg, 0, true);
}

static void test_page_inside_a_free_block_not_a_tail(void **state)
{
	struct page *pg = build();
	char line[160];

	if (!IS_ENABLED(CONFIG_DEBUG))
		skip(); /* tails are marked in debug builds only */
	pg[5].flags = 0;
	assert_int_equal(heap_check(false), 1);
	snprintf(line, sizeof(line),
		 "heap check: node 0: mfn 0x%llx inside the free block at "
		 "0x%llx is not a tail (flags 0x0)\n",
		 pg->mfn + 5, pg->mfn);
	assert_console_has(line);
	pg[5].flags = PG_TAIL;
}

/* Spans are sorted and disjoint: mfn_to_page() bisects them. */
static void test_spans_out_of_order(void **state)
{
	struct heapfx_spec s;
	struct heap_span tmp;

	heapfx_spec_init(&s, 1);
	heapfx_spec_ram(&s, 0, MiB(16), MiB(2));
	heapfx_spec_ram(&s, 0, MiB(20), MiB(2));
	heapfx_spec_cpus(&s, 0, 1);
	assert_int_equal(heapfx_build_spec(&s), 0);
	assert_int_equal(heap[0].nr_spans, 2);
	tmp = heap[0].span[0];
	heap[0].span[0] = heap[0].span[1];
	heap[0].span[1] = tmp;
	assert_int_equal(heap_check(false), 1);
	assert_console_has("heap check: node 0: span 1 (mfn 0x1000-0x1200) does not follow span 0 "
			   "(mfn 0x1400-0x1600)\n");
	heap[0].span[1] = heap[0].span[0];
	heap[0].span[0] = tmp;
}

/* A _locked function called without its lock: the assertion names the rule. */
static void test_locked_call_without_the_lock(void **state)
{
	jmp_buf env;

	if (!IS_ENABLED(CONFIG_DEBUG))
		skip(); /* ASSERT() checks in debug builds only */
	build();
	fake_panic_expect(&env);
	if (!setjmp(env)) {
		heap_alloc_locked(&heap[0], 0, ZONE_NORMAL);
		fake_panic_expect(NULL);
		fail_msg("heap_alloc_locked without the node lock went unnoticed");
	}
	assert_non_null(strstr(fake_panic_message(), "spin_is_locked(&h->lock)"));
	assert_non_null(strstr(fake_panic_message(), ": caller holds the node lock"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, heapfx_setup, heapfx_cmocka_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_sound_heap_passes),
	    T(test_block_missing_from_its_list),
	    T(test_listed_block_with_wrong_flags),
	    T(test_listed_block_of_another_node),
	    T(test_counts_that_do_not_add_up),
	    T(test_stray_tail),
	    T(test_page_inside_a_free_block_not_a_tail),
	    T(test_spans_out_of_order),
	    T(test_locked_call_without_the_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
