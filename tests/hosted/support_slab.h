/*
 * Slab-allocator fixtures for the hosted tests (support_slab.c): a heap
 * fixture from support_heap.h with the slab allocator brought up on it
 * (slab_init() forgets the previous fixture's caches), helpers to ask
 * which node an object's memory is on, and a parser for the 's' dump.
 * Like the heap fixtures, built and torn down on the test's main thread.
 */
#ifndef HOSTED_SUPPORT_SLAB_H
#define HOSTED_SUPPORT_SLAB_H

#include <hv/slab.h>
#include <hv/types.h>

#include "support_heap.h"

/* Build the heap from s, then slab_init(); the console is cleared. */
void slabfx_build_spec(const struct heapfx_spec *s);

/* nr_nodes nodes of bytes_each RAM from 16 MiB, cpus_each CPUs each, distances dist or 10/20. */
void slabfx_build_nodes(unsigned int nr_nodes, u64 bytes_each, unsigned int cpus_each,
			const u8 *dist);

/* The node whose memory holds p (fails the test if p is not fixture RAM). */
unsigned int slabfx_node_of(const void *p);

/* Pages allocated from the page allocator on every node together. */
u64 slabfx_allocated(void);

/* Fail unless the page allocator's allocated pages on each node are the slab allocator's. */
void slabfx_assert_pages_are_slabs(void);

/* Fail unless slab_check() finds nothing (showing the console if it does). */
void slabfx_assert_check(void);

/* A cache's info, and one node's, in one call. */
struct slab_info slabfx_info(const struct slab_cache *c);
struct slab_node_info slabfx_node_info(const struct slab_cache *c, unsigned int node);

/* One cache as the 's' dump printed it. */
struct slabfx_dump_cache {
	u64 size, inuse, total, slabs, pcpu;
	bool node_seen[MAX_NODES];
	u64 node_slabs[MAX_NODES], node_partial[MAX_NODES], node_out[MAX_NODES];
};

/*
 * Parse the console as slab_dump() writes it: fills *out for the cache
 * called name and returns true if its line was there; fails the test on a
 * line that starts "slab " but matches neither format. *large_pages and
 * *large_allocs get the kmalloc-large line's numbers (if not NULL).
 */
bool slabfx_parse_dump(const char *name, struct slabfx_dump_cache *out, u64 *large_pages,
		       u64 *large_allocs);

/* Fail unless the console holds the formatted line exactly once (then clear it). */
void slabfx_expect_once(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmocka setup and teardown: quiet console, CPU 0; everything freed, reclaim hook dropped. */
int slabfx_setup(void **state);
int slabfx_teardown(void **state);

#endif /* HOSTED_SUPPORT_SLAB_H */
