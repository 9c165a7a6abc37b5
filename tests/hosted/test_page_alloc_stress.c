/*
 * Property tests of the page allocator under concurrency: worker threads
 * (one per host CPU, 2 to 4; PROXIMA_HEAP_THREADS to choose), each acting
 * as a CPU of a different node (hosted_cpu_id), run a random
 * mix of allocations (every order, biased low; local, preferred, exact,
 * masked and address-limited) and frees of their own pages and of pages
 * other workers handed over through a locked pool, so pages go home from
 * other nodes' CPUs; now and then a scrub step or a cache drain. A shared
 * atomic bitmap of allocated frames catches any frame handed out twice,
 * and a tag written into each block catches anyone else writing to it.
 * Between phases (a barrier) the main thread checks the heap's invariants
 * and that each node's allocated count is exactly what the workers hold;
 * at the end everything is freed and the heap must be fully merged.
 *
 * A single-threaded variant interleaves the same workers on one thread
 * and checks every invariant after every operation: briefly by default,
 * in full with PROXIMA_HEAP_CHECK_EVERY_STEP=1. PROXIMA_HEAP_SEEDS and
 * PROXIMA_HEAP_OPS (operations per seed) size the runs. A worker thread
 * cannot fail a cmocka test: it prints what went wrong and aborts.
 */
#include <pthread.h>
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
#include "support_stress.h"

#define MAX_WORKERS 4
#define HOLD_MAX 96  /* blocks a worker holds at most */
#define POOL_MAX 128 /* blocks waiting in the exchange pool */
#define PHASES 10
#define SEEDS 50
#define OPS_PER_SEED 1000000ULL
#define STEPPED_SEEDS 3 /* the checked-every-step variant, by default */
#define STEPPED_OPS 20000ULL
#define POISON64 0xa5a5a5a5a5a5a5a5ULL

struct blk {
	struct page *pg;
	unsigned int order;
	bool scrubbed; /* handed over zeroed: may be wiped and freed clean */
	u64 tag;
};

struct worker {
	struct stress_worker sw;
	u64 tags;
	unsigned int nr;
	struct blk held[HOLD_MAX];
	u64 allocs, fails, frees, foreign_frees, scrubbed;
};

static struct worker workers[MAX_WORKERS];
static struct blk pooled[POOL_MAX];
static struct stress_pool pool = STRESS_POOL(pooled);
static u64 *bitmap;
static mfn_t bitmap_mfns;
static struct stress_test stress; /* the harness's view of this test, below */

static int teardown(void **state)
{
	heapfx_cmocka_teardown(state);
	free(bitmap);
	bitmap = NULL;
	return 0;
}

/* stress_die() for one of this test's workers, or for the main thread (w NULL). */
#define die(w, ...) stress_die(sw_of(w), __VA_ARGS__)

static const struct stress_worker *sw_of(const struct worker *w)
{
	return w ? &w->sw : NULL;
}

static u64 rnd(struct worker *w)
{
	return stress_rnd(&w->sw);
}

/* ---- the fixture ------------------------------------------------------------- */

/*
 * Node 0 across 16 MiB (dma and dma32), node 1 across 4 GiB, node 2 two
 * ranges with a hole, node 3 high up, node 4 memoryless (nearest node 2).
 * Workers run on nodes 0, 1, 2 and 4; node 3 is only ever remote.
 */
static const u8 dist5[25] = {
    10, 16, 22, 28, 30, 16, 10, 18, 24, 26, 22, 18, 10,
    20, 14, 28, 24, 20, 10, 21, 30, 26, 14, 21, 10,
};
static const unsigned int worker_node[MAX_WORKERS] = {0, 1, 2, 4};

static void build_stress(void)
{
	struct heapfx_spec s;
	unsigned int n;

	heapfx_spec_init(&s, 5);
	heapfx_spec_ram(&s, 0, MiB(12), MiB(8));
	heapfx_spec_ram(&s, 1, GiB(4) - MiB(4), MiB(8));
	heapfx_spec_ram(&s, 2, GiB(8), MiB(4));
	heapfx_spec_ram(&s, 2, GiB(8) + MiB(8), MiB(4));
	heapfx_spec_ram(&s, 3, GiB(16), MiB(8));
	for (n = 0; n < 5; n++)
		heapfx_spec_cpus(&s, n, 2);
	s.dist = dist5;
	heapfx_build_spec(&s);
	if (!bitmap) {
		bitmap_mfns = (GiB(16) + MiB(8)) >> PAGE_SHIFT;
		bitmap = calloc(bitmap_mfns / 64 + 1, sizeof(*bitmap));
		assert_non_null(bitmap);
	}
}

/* ---- the frame bitmap ------------------------------------------------------------ */

/* Set (or clear) the bits of a block; dies if any was already set (clear). */
static void mark(const struct worker *w, const struct blk *b, bool set)
{
	mfn_t m = page_to_mfn(b->pg), words, i;
	u64 mask = b->order >= 6 ? ~0ULL : ((1ULL << (1U << b->order)) - 1) << (m % 64);

	if (m + (1UL << b->order) > bitmap_mfns)
		die(w, "mfn 0x%llx outside the fixture", m);
	words = b->order >= 6 ? 1ULL << (b->order - 6) : 1;
	for (i = 0; i < words; i++) {
		u64 *word = &bitmap[m / 64 + i], old;

		if (set)
			old = __atomic_fetch_or(word, mask, __ATOMIC_RELAXED);
		else
			old = __atomic_fetch_and(word, ~mask, __ATOMIC_RELAXED);
		if ((old & mask) != (set ? 0 : mask))
			die(w, "order %u block at mfn 0x%llx: %s", b->order, m,
			    set ? "handed out while part of it is still allocated"
				: "freed while part of it was not allocated");
	}
}

/* ---- one operation ------------------------------------------------------------------ */

/* A random non-empty set of the fixture's nodes. */
static void node_set(struct worker *w, struct nodemask *m)
{
	unsigned int n;

	do {
		u64 r = rnd(w);

		nodemask_zero(m);
		for (n = 0; n < topo->nr_nodes; n++)
			if ((r >> (n % 64)) & 1)
				nodemask_set(m, n);
	} while (!nodemask_weight(m));
}

/* A random request; *mask is filled when it is a masked one. */
static unsigned int pick_flags(struct worker *w, struct nodemask *mask, bool *masked)
{
	u64 r = rnd(w);
	unsigned int node = (unsigned int)((r >> 8) % topo->nr_nodes), f;

	*masked = false;
	switch (r % 16) {
	case 0:
	case 1:
		f = MEMF_PREFER | MEMF_NODE(node);
		break;
	case 2:
		f = MEMF_EXACT | MEMF_NODE(node);
		break;
	case 3:
		node_set(w, mask);
		*masked = true;
		f = r & 0x10000 ? MEMF_PREFER | MEMF_NODE(node) : MEMF_LOCAL;
		break;
	case 4:
		f = MEMF_LOCAL | (r & 0x10000 ? MEMF_BITS(32) : MEMF_BITS(24));
		break;
	case 5:
		f = MEMF_LOCAL | MEMF_NO_PCP;
		break;
	default:
		f = MEMF_LOCAL;
		break;
	}
	return f | ((r >> 20) & 3 ? MEMF_NO_SCRUB : 0);
}

static void check_block(struct worker *w, const struct blk *b, unsigned int f, bool masked,
			const struct nodemask *mask)
{
	struct page *pg = b->pg;
	unsigned int bits = MEMF_BITS_OF(f);
	u64 first;

	if (pg->node >= topo->nr_nodes || !heap[pg->node].managed)
		die(w, "page from node %u", pg->node);
	if ((f & MEMF_MODE_MASK) == MEMF_EXACT && pg->node != MEMF_NODE(f))
		die(w, "exact node %u gave a page of node %u", MEMF_NODE(f), pg->node);
	if (masked && !nodemask_test(mask, pg->node)) {
		char list[NODEMASK_LIST_MAX];

		nodemask_format(list, sizeof(list), mask);
		die(w, "mask %s gave a page of node %u", list, pg->node);
	}
	if (bits && page_to_maddr(pg) + (PAGE_SIZE << b->order) > (1ULL << bits))
		die(w, "%u-bit request got 0x%llx", bits, page_to_maddr(pg));
	if (!IS_ALIGNED(page_to_mfn(pg), 1UL << b->order) || mfn_to_page(page_to_mfn(pg)) != pg ||
	    (pg->flags & (PG_FREE | PG_TAIL | PG_PCP | PG_DIRTY)))
		die(w, "bad block at mfn 0x%llx order %u flags 0x%x", page_to_mfn(pg), b->order,
		    pg->flags);
	memcpy(&first, heapfx_page_mem(pg), sizeof(first));
	if (b->scrubbed && first && !(IS_ENABLED(CONFIG_SCRUB_DEBUG) && first == POISON64))
		die(w, "block at 0x%llx handed out holding 0x%llx", page_to_maddr(pg), first);
}

static void do_alloc(struct worker *w)
{
	unsigned int order = (unsigned int)__builtin_ctzll(rnd(w) | (1ULL << MAX_ORDER));
	bool masked;
	struct nodemask mask;
	unsigned int f;
	struct blk *b = &w->held[w->nr];

	nodemask_zero(&mask);
	f = pick_flags(w, &mask, &masked);

	b->pg = masked ? alloc_pages_mask(order, f, &mask) : alloc_pages(order, f);
	if (!b->pg) {
		w->fails++;
		return;
	}
	b->order = order;
	b->scrubbed = !(f & MEMF_NO_SCRUB);
	b->tag = (u64)w->sw.id << 56 | ++w->tags << 24 | (page_to_mfn(b->pg) & 0xffffff);
	mark(w, b, true);
	check_block(w, b, f, masked, &mask);
	memcpy(heapfx_page_mem(b->pg), &b->tag, sizeof(b->tag));
	w->nr++;
	w->allocs++;
}

static void release(struct worker *w, struct blk *b, bool clean)
{
	u64 first;

	memcpy(&first, heapfx_page_mem(b->pg), sizeof(first));
	if (first != b->tag)
		die(w, "block at 0x%llx: tag 0x%llx became 0x%llx while allocated",
		    page_to_maddr(b->pg), b->tag, first);
	mark(w, b, false);
	clean &= b->scrubbed;
	if (clean)
		memset(heapfx_page_mem(b->pg), 0, sizeof(first)); /* nothing of ours left */
	if (b->pg->node != cpu_to_node(w->sw.cpu))
		w->foreign_frees++;
	free_pages(b->pg, b->order, !clean);
	w->frees++;
}

static void do_free(struct worker *w)
{
	unsigned int j = (unsigned int)(rnd(w) % w->nr);
	struct blk b = w->held[j];

	w->held[j] = w->held[--w->nr];
	release(w, &b, !(rnd(w) & 7));
}

static void step(struct stress_worker *sw)
{
	struct worker *w = container_of(sw, struct worker, sw);
	u64 r = rnd(w) % 1024;

	hosted_cpu_id = sw->cpu;
	if (r < 8) {
		w->scrubbed += scrub_step(cpu_to_node(sw->cpu));
	} else if (r == 8) {
		pcp_drain_cpu(sw->cpu);
	} else if (r == 9 && !(rnd(w) & 3)) {
		pcp_drain_all();
	} else if (r < 60) {
		stress_exchange(sw, &pool, r < 35, w->held, &w->nr, HOLD_MAX);
	} else if (!w->nr || (w->nr < HOLD_MAX && r < 560)) {
		do_alloc(w);
	} else {
		do_free(w);
	}
}

/* ---- checks at quiet points ------------------------------------------------------------ */

static void count_held(const struct blk *b, unsigned int nr, u64 *per_node)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		per_node[b[i].pg->node] += 1UL << b[i].order;
}

/* Everything that must hold with no operation in flight. */
static void check_quiet(const char *when)
{
	u64 held[MAX_NODES] = {0}, hits = 0, misses = 0, foreign = 0, allocs = 0;
	unsigned int n, bad = heap_check(false);

	if (bad)
		die(NULL, "%s: heap_check found %u problems", when, bad);
	if (console_len())
		die(NULL, "%s: unexpected console output", when);
	for (n = 0; n < stress.nr_workers; n++) {
		count_held(workers[n].held, workers[n].nr, held);
		allocs += workers[n].allocs;
	}
	count_held(pooled, pool.nr, held);
	for (n = 0; n < topo->nr_nodes; n++) {
		const struct node_heap *h = &heap[n];
		u64 cached = heap_cached((nodeid_t)n), allocated = heap_allocated((nodeid_t)n);
		struct node_stats st = heap_stats((nodeid_t)n);

		if (h->free_pages + cached + allocated != h->managed || h->scrubbing ||
		    allocated != held[n])
			die(NULL,
			    "%s: node %u: free %llu + cached %llu + allocated %llu + "
			    "scrubbing %llu, managed %llu; the workers hold %llu",
			    when, n, h->free_pages, cached, allocated, h->scrubbing, h->managed,
			    held[n]);
		hits += st.hit;
		misses += st.miss;
		foreign += st.foreign;
		if (st.hit + st.miss != st.local + st.other)
			die(NULL, "%s: node %u: hit + miss != local + other", when, n);
	}
	if (hits + misses != allocs || foreign != misses)
		die(NULL, "%s: %llu allocations, but hit %llu miss %llu foreign %llu", when, allocs,
		    hits, misses, foreign);
}

/* Free what the workers and the pool hold, each on its worker's CPU. */
static void free_everything(void)
{
	unsigned int i;

	for (i = 0; i < stress.nr_workers; i++) {
		struct worker *w = &workers[i];

		hosted_cpu_id = w->sw.cpu;
		while (w->nr)
			do_free(w);
	}
	hosted_cpu_id = 0;
	while (pool.nr)
		release(&workers[0], &pooled[--pool.nr], false);
	pcp_drain_all();
	check_quiet("after freeing everything");
	/* Every CPU's share of the dirty count adds up to the dirty pages listed. */
	for (i = 0; i < topo->nr_nodes; i++)
		if (heap_dirty((nodeid_t)i) != heapfx_dirty_listed(i))
			die(NULL, "node %u: dirty count %llu, %llu dirty pages listed", i,
			    heap_dirty((nodeid_t)i), heapfx_dirty_listed(i));
	if (heap_check(true))
		die(NULL, "not fully merged after freeing everything");
	heapfx_assert_shape(heapfx_built_shape());
}

static struct stress_test stress = {
    .name = "page allocator stress",
    .env = "PROXIMA_HEAP",
    .seeds = SEEDS,
    .ops = OPS_PER_SEED,
    .threads_per_cpu = 1, /* more only measure lock-holder preemption */
    .phases = PHASES,
    .nodes = worker_node,
    .nr_nodes = ARRAY_SIZE(worker_node),
    STRESS_WORKERS(workers),
    .pool = &pool,
    .build = build_stress,
    .step = step,
    .check_quiet = check_quiet,
    .finish = free_everything,
};

/* ---- multi-threaded -------------------------------------------------------------------- */

static u64 total, foreign, fails; /* over the seeds of the threaded test */

static void tally(void)
{
	unsigned int i;

	for (i = 0; i < stress.nr_workers; i++) {
		total += workers[i].allocs + workers[i].frees + workers[i].fails;
		foreign += workers[i].foreign_frees;
		fails += workers[i].fails;
	}
}

static void test_threads_random_operations(void **state)
{
	u64 seeds;

	total = foreign = fails = 0;
	seeds = stress_threaded(&stress, tally);
	print_message("%u threads, %llu seeds, %llu allocations and frees (%llu failed "
		      "allocations), %llu frees on another node's CPU\n",
		      stress.nr_workers, seeds, total, fails, foreign);
	assert_true(foreign > 0);
}

/* ---- single-threaded, every step checked -------------------------------------------------- */

static void test_one_thread_checked_every_step(void **state)
{
	bool full = stress_knob(&stress, "CHECK_EVERY_STEP", 0) != 0;

	/* Four CPUs, interleaved on this thread. */
	stress_stepped(&stress, full ? stress_knob(&stress, "SEEDS", SEEDS) : STEPPED_SEEDS,
		       full ? stress_knob(&stress, "OPS", OPS_PER_SEED) : STEPPED_OPS);
}

/* ---- scrubbing beside allocation ---------------------------------------------------------- */

static bool scrub_stop;
static u64 scrub_steps;

static void *scrubber(void *arg)
{
	hosted_cpu_id = 1;
	while (!__atomic_load_n(&scrub_stop, __ATOMIC_RELAXED))
		if (scrub_step(0))
			__atomic_fetch_add(&scrub_steps, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * One CPU scrubs node 0 while another allocates and frees there, single
 * pages through its cache (counted without the heap lock) and blocks
 * freed dirty (work for the scrubber): the node's counts, updated by
 * both, must come out exact.
 */
static void test_scrub_beside_alloc_and_free(void **state)
{
	unsigned int i, order;
	struct page *pg;
	pthread_t t;

	heapfx_build_nodes(1, MiB(16), MiB(8), 2, NULL);
	scrub_stop = false;
	scrub_steps = 0;
	assert_int_equal(pthread_create(&t, NULL, scrubber, NULL), 0);
	for (i = 0; i < 400000; i++) {
		order = i & 1 ? 0 : (i >> 1) % 3;
		pg = alloc_pages(order, MEMF_LOCAL | MEMF_NO_SCRUB);
		assert_non_null(pg);
		free_pages(pg, order, true);
	}
	__atomic_store_n(&scrub_stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	heapfx_assert_counts();
	assert_int_equal(heap_allocated(0), 0);
	assert_int_equal(heap[0].scrubbing, 0);
	assert_true(scrub_steps > 0);
	assert_int_equal(heap_check(true), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, heapfx_setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_one_thread_checked_every_step),
	    T(test_scrub_beside_alloc_and_free),
	    T(test_threads_random_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
