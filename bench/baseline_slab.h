/*
 * The classic object allocator that Proxima's slab allocator replaces,
 * kept only as the yardstick of bench/bench_slab.c: one global pool
 * behind one global lock, per size class a free list of objects (linked
 * through the free objects themselves), carved from chunks of pages that
 * it takes from the baseline page allocator (bench/baseline_heap.c) and
 * never gives back. No per-CPU caches, and no idea of nodes: a chunk's
 * pages come from whatever node the page allocator picks for the calling
 * CPU, and a freed object goes to the head of its class's one list, to be
 * handed to whichever CPU asks next. Not part of the hypervisor.
 */
#ifndef BENCH_BASELINE_SLAB_H
#define BENCH_BASELINE_SLAB_H

#include <stddef.h>

#include <hv/topology.h>
#include <hv/types.h>

/* The largest object; bigger requests are whole pages, not compared here. */
#define BASE_SLAB_MAX 8192

/*
 * Forget every object and chunk (the page heap is reset separately, by
 * base_init()) and make the table that maps each page of topo's RAM to
 * its size class, from meta (zeroed memory, or NULL). Returns 0, or
 * -ENOMEM if meta failed.
 */
int base_slab_init(void *(*meta)(u64 bytes, nodeid_t node));

/*
 * size bytes from the smallest class that fits (the classes of Proxima's
 * kmalloc, 8 to 8192 bytes), aligned like them. NULL for 0, above
 * BASE_SLAB_MAX, or when the page allocator has nothing left.
 */
void *base_kmalloc(size_t size);

/* Give back what base_kmalloc returned; NULL and foreign pointers are ignored. */
void base_kfree(const void *p);

/* Pages taken from the page allocator so far (all still held). */
u64 base_slab_pages(void);

/* Bytes of the page to class table. */
u64 base_slab_table_bytes(void);

#endif /* BENCH_BASELINE_SLAB_H */
