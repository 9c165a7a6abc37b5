/*
 * What the slab benchmark's files share: the fixture machine with real
 * memory behind it (bench_slab_fixture.c) and the two object allocators
 * under one small interface, so that every workload in bench_slab.c runs
 * the same code against either. Both sides pay the same indirect call per
 * operation. The machine is bench.h's: 4 nodes of 2 CPUs, 128 MiB each.
 */
#ifndef BENCH_BENCH_SLAB_H
#define BENCH_BENCH_SLAB_H

#include <stddef.h>

#include <hv/topology.h>
#include <hv/types.h>

#include "bench.h"

struct slab_bench_alloc {
	const char *name;
	/* A fresh page heap holding all of the fixture's RAM, and a fresh object allocator. */
	void (*reset)(void);
	/* kmalloc and kfree of the allocator, on the calling CPU (hosted_cpu_id). */
	void *(*alloc)(size_t size);
	void (*free)(const void *p);
	/* Pages it holds from its page allocator now; only while no CPU allocates or frees. */
	u64 (*pages)(void);
	/*
	 * Problems found by the allocator's own checks since the last reset
	 * (reports, invariant violations); only while nobody allocates or frees.
	 */
	unsigned long (*problems)(void);
};

extern const struct slab_bench_alloc slab_bench_proxima, slab_bench_baseline;

/*
 * Build the fixture topology and map (and touch once) the memory that
 * stands for its RAM. Once, on the main thread, before anything else.
 */
void slab_fixture_init(void);

/* The host memory standing for the fixture's RAM, node 0's first byte first. */
extern char *slab_fixture_ram;

/* The node whose fixture RAM holds p (p must be fixture RAM). */
static inline nodeid_t slab_fixture_node_of(const void *p)
{
	return (nodeid_t)((u64)((const char *)p - slab_fixture_ram) / BENCH_NODE_BYTES);
}

#endif /* BENCH_BENCH_SLAB_H */
