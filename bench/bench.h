/*
 * The fixture machine the benchmarks run on (bench_fixture.c): its
 * topology, its one range of RAM, and the two page heaps on it, Proxima's
 * and the baseline's, with host memory for their metadata; and machines
 * of other shapes built the same way (the sweep's). What stands behind
 * the RAM is each benchmark's own fixture's business
 * (bench_heap_fixture.c: one scratch page, or real host memory;
 * bench_slab_fixture.c: real host memory; bench_sweep_fixture.c: host
 * memory backed where touched), and so is the direct map.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <hv/topology.h>
#include <hv/types.h>

/* The fixture: 4 nodes of 2 CPUs on a 10/21/31 ring, RAM above 4 GiB. */
#define BENCH_NODES 4
#define BENCH_CPUS_PER_NODE 2
#define BENCH_CPUS (BENCH_NODES * BENCH_CPUS_PER_NODE)
#define BENCH_NODE_BYTES MiB(128)
#define BENCH_RAM_BASE GiB(4)
#define BENCH_RAM_BYTES (BENCH_NODES * BENCH_NODE_BYTES)

/* All of the fixture's RAM, node 0's first: one range for heap_add_free(). */
extern const struct mem_range bench_ram;

/* Build the fixture topology (topo) once, on the main thread, before anything else. */
void bench_fixture_init(void);

/*
 * A machine's shape: nodes of node_bytes each, one after the other from
 * BENCH_RAM_BASE, with cpus_per_node CPUs each (node 0's first), and the
 * SLIT dist[nodes * nodes], row-major. The fixture above is one; the
 * sweep (bench_sweep_fixture.c) builds others.
 */
struct bench_shape {
	unsigned int nodes, cpus_per_node;
	u64 node_bytes;
	const u8 *dist;
};

/* The one RAM range of a shape's memory map. */
struct mem_range bench_shape_ram(const struct bench_shape *s);

/*
 * Describe s as firmware would (SRAT, SLIT, CPUs) and build *out with the
 * real topo_build(); panics unless the result has s's nodes, CPUs,
 * distances and memory placement. Main thread only (one static work area).
 */
void bench_topo_build(const struct bench_shape *s, struct topology *out);

/* ---- the two page heaps ------------------------------------------------------ */

/* Host memory handed to one side's heaps by their meta() callbacks, counted by purpose. */
struct bench_arena {
	void **blk; /* blocks handed out, nr of them, room for cap */
	unsigned int nr, cap;
	u64 *count;	 /* where the next blocks are counted */
	u64 frame_bytes; /* frame tables, and anything else not below */
	u64 cache_bytes; /* Proxima's per-CPU caches */
};

extern struct bench_arena bench_proxima_arena, bench_baseline_arena;

/*
 * A fresh Proxima page heap (frame tables, per-CPU caches) holding all of
 * bench_ram, dirty as at boot, its metadata in bench_proxima_arena; the
 * calling (main) thread is CPU 0. Making the memory clean is the
 * caller's: how depends on what stands behind the RAM.
 */
void bench_proxima_heap_init(void);

/* The same for the machine topo describes now, holding the RAM of ram. */
void bench_proxima_heap_build(const struct mem_range *ram);

/*
 * Take every free block of every node of Proxima's heap out, bypassing
 * the per-CPU caches, and give it back clean. zero: as allocation does,
 * zeroing the pages freed dirty; else with MEMF_NO_SCRUB, the pages as
 * they are (for a heap whose RAM is zero already, or that nothing reads).
 */
void bench_proxima_cycle(bool zero);

/*
 * A fresh baseline page heap holding all of bench_ram, free and clean,
 * its metadata in bench_baseline_arena; the calling thread is CPU 0.
 */
void bench_baseline_heap_init(void);

/* The meta() callback of the baseline's heap, for what else the baseline builds on it. */
void *bench_baseline_meta(u64 bytes, nodeid_t node);

#endif /* BENCH_BENCH_H */
