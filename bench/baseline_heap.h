/*
 * The classic page allocator that Proxima's replaces, kept only as the
 * yardstick of the benchmarks (bench/bench_heap.c): one global heap lock,
 * no per-CPU caches, buddy free lists per node, and fallback to the other
 * nodes in plain numeric order (node + 1, node + 2, ...) whatever their
 * distance. Not part of the hypervisor; never linked into it.
 */
#ifndef BENCH_BASELINE_HEAP_H
#define BENCH_BASELINE_HEAP_H

#include <hv/mm.h>
#include <hv/topology.h>

/* One per page of RAM, as in Proxima's frame table (same fields, 32 bytes). */
struct base_page {
	struct base_page *next, *prev; /* free list links */
	mfn_t mfn;
	u32 flags; /* BASE_PG_FREE on the head of a free block */
	u8 order;  /* of the free block this page heads */
	nodeid_t node;
};

#define BASE_PG_FREE (1U << 0)

/* base_alloc(): the calling CPU's node (cpu_to_node(arch_cpu_id())). */
#define BASE_LOCAL (-1)

/*
 * Build a frame table for every present range of topo (meta returns
 * zeroed memory, or NULL) and put all of it in the free lists, clean.
 * Forgets any earlier heap. Returns 0, or -ENOMEM if meta failed.
 */
int base_init(void *(*meta)(u64 bytes, nodeid_t node));

/*
 * Allocate 2^order contiguous pages on node (or BASE_LOCAL), falling back
 * to node + 1, node + 2, ... (mod nr_nodes) unless exact. NULL if nothing
 * fits.
 */
struct base_page *base_alloc(unsigned int order, int node, bool exact);

/* Free 2^order pages from base_alloc(). */
void base_free(struct base_page *pg, unsigned int order);

/* Pages node n received at base_init(). */
u64 base_managed(nodeid_t n);

/* Bytes of the allocator's static tables (lock, per-node lists, spans). */
u64 base_static_bytes(void);

#endif /* BENCH_BASELINE_HEAP_H */
