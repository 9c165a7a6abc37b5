/*
 * The page allocator benchmark's side of the fixture machine (bench.h):
 * the direct map, and the two page allocators behind struct bench_alloc.
 *
 * No RAM backs the fixture: every page address maps to one scratch page.
 * Pages are only written when the allocator zeroes a dirty page, which
 * happens once per reset (boot memory enters Proxima's heap dirty) and
 * never while a workload runs: bench_scratch_arm() and
 * bench_scratch_written() let the caller check that. Resets are not
 * thread-safe: the main thread runs them alone.
 */
#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>
#include <hv/panic.h>

#include "../mm/heap_internal.h"
#include "baseline_heap.h"
#include "bench_heap.h"

/* ---- the direct map ------------------------------------------------------ */

#define SCRATCH_PATTERN 0x5a

static _Alignas(4096) u8 scratch_page[PAGE_SIZE];

/* The direct map of the fixture: every address lands in one scratch page. */
void *arch_maddr_to_virt(paddr_t pa)
{
	return scratch_page;
}

void bench_scratch_arm(void)
{
	memset(scratch_page, SCRATCH_PATTERN, sizeof(scratch_page));
}

bool bench_scratch_written(void)
{
	size_t i;

	for (i = 0; i < sizeof(scratch_page); i++)
		if (scratch_page[i] != SCRATCH_PATTERN)
			return true;
	return false;
}

/* ---- Proxima --------------------------------------------------------------- */

/*
 * Boot memory enters the heap dirty: take every block out once (the
 * allocator zeroes it, into the scratch page) and give it back clean.
 */
static void proxima_make_clean(void)
{
	struct block {
		struct page *pg;
		unsigned int order;
	} *held = NULL;
	size_t cap = 0, nr = 0, i;
	unsigned int n;
	int o;

	for (n = 0; n < BENCH_NODES; n++) {
		for (o = MAX_ORDER; o >= 0; o--) {
			unsigned int flags = MEMF_EXACT | MEMF_NODE(n) | MEMF_NO_PCP;
			struct page *pg;

			while ((pg = alloc_pages((unsigned int)o, flags))) {
				if (nr == cap) {
					cap = cap ? 2 * cap : 1024;
					held = realloc(held, cap * sizeof(*held));
					if (!held)
						panic("fixture: out of host memory");
				}
				held[nr].pg = pg;
				held[nr++].order = (unsigned int)o;
			}
		}
	}
	for (i = 0; i < nr; i++)
		free_pages(held[i].pg, held[i].order, false);
	free(held);
}

static void proxima_reset(void)
{
	bench_proxima_heap_init();
	proxima_make_clean();
}

static void *proxima_alloc(unsigned int order, int node, bool exact)
{
	unsigned int flags = MEMF_LOCAL;

	if (node != BENCH_LOCAL)
		flags = (exact ? MEMF_EXACT : MEMF_PREFER) | MEMF_NODE(node);
	return alloc_pages(order, flags);
}

static void proxima_free(void *pg, unsigned int order)
{
	free_pages(pg, order, false);
}

static nodeid_t proxima_node_of(const void *pg)
{
	return ((const struct page *)pg)->node;
}

static u64 proxima_managed(nodeid_t n)
{
	return heap[n].managed;
}

static u64 proxima_frame_bytes(void)
{
	return bench_proxima_arena.frame_bytes;
}

static u64 proxima_cache_bytes(void)
{
	return bench_proxima_arena.cache_bytes;
}

/* heap[] and pcp.c's array of cache pointers (static there). */
static u64 proxima_static_bytes(void)
{
	return sizeof(heap) + CONFIG_NR_CPUS * sizeof(void *);
}

static u64 proxima_cached_pages(void)
{
	u64 sum = 0;
	unsigned int n;

	for (n = 0; n < BENCH_NODES; n++)
		sum += heap_cached((nodeid_t)n);
	return sum;
}

const struct bench_alloc bench_proxima = {
    .name = "proxima",
    .reset = proxima_reset,
    .alloc = proxima_alloc,
    .free = proxima_free,
    .node_of = proxima_node_of,
    .managed = proxima_managed,
    .frame_bytes = proxima_frame_bytes,
    .cache_bytes = proxima_cache_bytes,
    .static_bytes = proxima_static_bytes,
    .cached_pages = proxima_cached_pages,
};

/* ---- the baseline ---------------------------------------------------------- */

static void baseline_reset(void)
{
	bench_baseline_heap_init();
}

static void *baseline_alloc(unsigned int order, int node, bool exact)
{
	return base_alloc(order, node == BENCH_LOCAL ? BASE_LOCAL : node, exact);
}

static void baseline_free(void *pg, unsigned int order)
{
	base_free(pg, order);
}

static nodeid_t baseline_node_of(const void *pg)
{
	return ((const struct base_page *)pg)->node;
}

static u64 baseline_frame_bytes(void)
{
	return bench_baseline_arena.frame_bytes;
}

static u64 baseline_cache_bytes(void)
{
	return 0;
}

static u64 baseline_cached_pages(void)
{
	return 0;
}

const struct bench_alloc bench_baseline = {
    .name = "baseline",
    .reset = baseline_reset,
    .alloc = baseline_alloc,
    .free = baseline_free,
    .node_of = baseline_node_of,
    .managed = base_managed,
    .frame_bytes = baseline_frame_bytes,
    .cache_bytes = baseline_cache_bytes,
    .static_bytes = base_static_bytes,
    .cached_pages = baseline_cached_pages,
};
