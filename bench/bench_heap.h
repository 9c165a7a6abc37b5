/*
 * What the page allocator benchmark's files share: the two page
 * allocators of bench_heap_fixture.c under one small interface, so that
 * every workload in bench_heap.c runs the same code against either. Both
 * sides pay the same indirect call per operation. The machine is bench.h's.
 */
#ifndef BENCH_BENCH_HEAP_H
#define BENCH_BENCH_HEAP_H

#include <hv/topology.h>
#include <hv/types.h>

#include "bench.h"

/* alloc(): the calling CPU's node, with fallback. */
#define BENCH_LOCAL (-1)

struct bench_alloc {
	const char *name;
	/* A fresh heap holding all of the fixture's RAM, free and clean. */
	void (*reset)(void);
	/* node: BENCH_LOCAL or a node id (preferred, or only that one if exact). */
	void *(*alloc)(unsigned int order, int node, bool exact);
	/* dirty: the block holds data, and the allocator must zero it before reuse. */
	void (*free)(void *pg, unsigned int order, bool dirty);
	/* Where the block's contents are in the direct map. */
	void *(*contents)(void *pg);
	nodeid_t (*node_of)(const void *pg);
	/* Pages of node n that the heap manages. */
	u64 (*managed)(nodeid_t n);
	/* Metadata bytes: frame tables; per-CPU caches; static tables. */
	u64 (*frame_bytes)(void);
	u64 (*cache_bytes)(void);
	u64 (*static_bytes)(void);
	/* Free pages sitting in per-CPU caches now (0 if it has none). */
	u64 (*cached_pages)(void);
};

extern const struct bench_alloc bench_proxima, bench_baseline;

/*
 * Put real host memory behind every page of the fixture's RAM (mapped
 * with large pages if the host gives them, touched once, zeroed) instead
 * of the one scratch page. Once, on the main thread, before any reset.
 */
void bench_heap_real_memory(void);

/*
 * Have Proxima's heap zero every free page that was freed dirty (the
 * per-CPU caches drained first), so that all of the real RAM is zero
 * again for whichever side runs next. Main thread, no run going on.
 */
void bench_proxima_zero_dirty(void);

/*
 * Fill the scratch page that stands for all RAM with a pattern; later,
 * whether anything (zeroing a dirty page, say) wrote to it since.
 */
void bench_scratch_arm(void);
bool bench_scratch_written(void);

#endif /* BENCH_BENCH_HEAP_H */
