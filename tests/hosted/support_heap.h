/*
 * Page-allocator fixtures for the hosted tests (support_heap.c, with the
 * fake direct map and `topo` of fake_mm.c). A fixture is a topology built
 * by the real topo_build() from a description and a memory map, host
 * memory behind every RAM range (filled with junk, as boot memory may
 * be), frame tables and per-CPU caches from host calloc, and the RAM less
 * what the test reserves handed to the heap, as heap_boot() does:
 *
 *	struct heapfx_spec s;
 *
 *	heapfx_spec_init(&s, 2);
 *	heapfx_spec_ram(&s, 0, MiB(16), MiB(8));
 *	heapfx_spec_ram(&s, 1, MiB(24), MiB(8));
 *	heapfx_spec_cpus(&s, 0, 2);
 *	heapfx_spec_cpus(&s, 1, 2);
 *	heapfx_build_spec(&s);
 *	...
 *	heapfx_teardown();
 *
 * CPUs are numbered node by node (node 0's first), with hwid = CPU number
 * and pxm = node id. heap[] and topo are global and the per-CPU caches
 * are static in pcp.c: one fixture exists at a time, and every build
 * tears the previous one down first, so fixtures may follow each other in
 * any order (see heapfx_teardown()). Build and teardown run on the test's
 * main thread; the query helpers that fail the test do too.
 */
#ifndef HOSTED_SUPPORT_HEAP_H
#define HOSTED_SUPPORT_HEAP_H

#include <hv/boot.h>
#include <hv/topology.h>
#include <hv/types.h>

#include "../../mm/heap_internal.h"

#define HEAPFX_MAX_RAM 160 /* RAM ranges of a fixture */
#define HEAPFX_MAX_RESERVED 16
#define HEAPFX_JUNK 0x5a   /* what boot memory holds before the heap zeroes it */
#define HEAPFX_POISON 0xa5 /* CONFIG_SCRUB_DEBUG's poison (mm/scrub.c) */

/* fake_mm.c: the fake direct map and the topology pointer. */
#define FAKE_RAM_REGIONS 256
void fake_ram_map(paddr_t base, void *buf, u64 len);
void fake_ram_reset(void);
void fake_topo_reset(void); /* topo back to the image's one-node default */

/*
 * fake_mm.c: allocation failure injection (alloc_fault() of <hv/mm.h>).
 * fake_alloc_fail_at(k) restarts the count of allocation calls and makes
 * the k-th from now fail (0: none fails); fake_alloc_fail_from(k) makes
 * the k-th and every later one fail (memory runs out at the k-th);
 * fake_alloc_calls() is the count since. Any thread may allocate; the
 * count is atomic.
 */
void fake_alloc_fail_at(unsigned long k);
void fake_alloc_fail_from(unsigned long k);
unsigned long fake_alloc_calls(void);

struct heapfx_ram {
	paddr_t start, end;
	unsigned int node;
};

struct heapfx_spec {
	unsigned int nr_nodes;
	unsigned int cpus[MAX_NODES]; /* CPUs per node */
	unsigned int nr_ram;
	struct heapfx_ram ram[HEAPFX_MAX_RAM];
	const u8 *dist; /* nr_nodes x nr_nodes distances, or NULL: 10/20 */
	unsigned int nr_reserved;
	struct mem_range reserved[HEAPFX_MAX_RESERVED]; /* RAM kept from the heap */
	int fail_node; /* frame tables of this node fail (-ENOMEM); -1: none */
};

void heapfx_spec_init(struct heapfx_spec *s, unsigned int nr_nodes);
void heapfx_spec_ram(struct heapfx_spec *s, unsigned int node, paddr_t start, u64 len);
void heapfx_spec_cpus(struct heapfx_spec *s, unsigned int node, unsigned int nr);
void heapfx_spec_reserve(struct heapfx_spec *s, paddr_t start, u64 len);

/*
 * Build from a spec: returns what heap_init_frames() returned. Each node
 * with RAM and no CPUs, or CPUs and no RAM, is what the spec says.
 */
int heapfx_build_spec(const struct heapfx_spec *s);

/*
 * Build from a description and a memory map (sorted or not); reserved
 * RAM is left out of heap_add_free(); fail_node as in the spec.
 */
int heapfx_build(const struct topo_desc *d, const struct mem_range *map, unsigned int nr_map,
		 const struct mem_range *reserved, unsigned int nr_reserved, int fail_node);

/*
 * Make the next build (only) go the way heap_boot() goes: frame tables
 * allocated first, then each node's frames written and its free memory
 * seeded by a thread acting as the node's first CPU, all nodes at once.
 * Otherwise heap_init_frames() and heap_add_free() do it in one go.
 */
void heapfx_set_parallel_build(bool on);

/*
 * The next build's frame-table allocations larger than bytes fail (0: no
 * limit); the teardown clears it.
 */
void heapfx_set_meta_limit(u64 bytes);

/*
 * nr_nodes nodes of bytes_each RAM, back to back from base, cpus_each
 * CPUs per node, distances dist (nr_nodes^2) or 10/20.
 */
int heapfx_build_nodes(unsigned int nr_nodes, paddr_t base, u64 bytes_each, unsigned int cpus_each,
		       const u8 *dist);

/*
 * Give back everything: per-CPU caches pointed at empty ones for every
 * CPU number (pcp_init() only sets the CPUs of the topology it sees, so
 * a bigger earlier fixture would leave its caches behind), frame tables,
 * host RAM, heap[], topo, hosted_cpu_id. Safe to call with nothing built.
 */
void heapfx_teardown(void);

/* The k-th CPU of node n (fails the test if there is none). */
unsigned int heapfx_cpu(unsigned int node, unsigned int k);

/* The host memory behind a page. */
u8 *heapfx_page_mem(const struct page *pg);

/* Whole-page content checks. */
bool heapfx_page_is(const struct page *pg, u8 byte);
void heapfx_fill(struct page *pg, unsigned int order, u8 byte);

/* Pages managed by all nodes. */
u64 heapfx_managed(void);

/* Fail unless free + cached + allocated + scrubbing == managed on every node. */
void heapfx_assert_counts(void);

/* Free pages listed dirty on node n, counted by walking its lists. */
u64 heapfx_dirty_listed(unsigned int n);

/* Free blocks per node, zone and order: the shape of the free lists. */
struct heapfx_shape {
	u64 blocks[MAX_NODES][NR_ZONES][MAX_ORDER + 1];
};
void heapfx_shape(struct heapfx_shape *out);

/*
 * Fail unless every free block is back as it was at build (s): with
 * everything freed and drained that means fully merged, since the heap
 * starts with the largest aligned blocks that fit.
 */
void heapfx_assert_shape(const struct heapfx_shape *s);

/* The shape right after the last build (taken by the build). */
const struct heapfx_shape *heapfx_built_shape(void);

/*
 * Blocks a test holds: the pages and the order of each. The arrays are
 * the fixture's: a test that fails while holding blocks leaks nothing,
 * since heapfx_teardown() frees them (the struct itself must then not be
 * used again).
 */
struct heapfx_block {
	struct page *pg;
	unsigned int order;
};

struct heapfx_held {
	struct heapfx_block *v;
	unsigned int nr, cap;
	u64 pages;
};
void heapfx_hold(struct heapfx_held *h, struct page *pg, unsigned int order);

/*
 * Take every page of node n into h (MEMF_EXACT | MEMF_NO_PCP |
 * MEMF_NO_SCRUB, largest blocks first); returns the pages taken.
 */
u64 heapfx_exhaust(unsigned int n, struct heapfx_held *h);

/* Free everything h holds (dirty or not) and forget it. */
void heapfx_release(struct heapfx_held *h, bool dirty);

/* cmocka setup and teardown for heap tests: quiet console, CPU 0, fixture freed. */
int heapfx_setup(void **state);
int heapfx_cmocka_teardown(void **state);

/*
 * Zones on both sides of 4 GiB: node 0 has 2 MiB of dma, then 2 MiB below
 * and 2 MiB above 4 GiB; node 1 has 4 MiB at 8 GiB. One CPU each.
 */
void heapfx_build_4g(void);

/* A pointer to node n's statistics summed over every CPU, valid in the block. */
#define HEAPFX_STATS(n) ((const struct node_stats[1]){heap_stats((nodeid_t)(n))})

#endif /* HOSTED_SUPPORT_HEAP_H */
