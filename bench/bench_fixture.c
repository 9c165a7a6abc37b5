/*
 * The benchmark's machine: the fixture topology, the few hypervisor
 * functions the allocator objects call (console, panic, the direct map),
 * and the two allocators behind struct bench_alloc. Owns topo and the
 * metadata memory both heaps get from their meta() callbacks.
 *
 * No RAM backs the fixture: every page address maps to one scratch page.
 * Pages are only written when the allocator zeroes a dirty page, which
 * happens once per reset (boot memory enters Proxima's heap dirty) and
 * never while a workload runs: bench_scratch_arm() and
 * bench_scratch_written() let the caller check that. Resets are not
 * thread-safe: the main thread runs them alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>
#include <hv/mm_internal.h>
#include <hv/panic.h>
#include <hv/printk.h>

#include "baseline_heap.h"
#include "bench.h"

_Thread_local unsigned int hosted_cpu_id;

static struct topology fixture_topo;
struct topology *topo = &fixture_topo;

static const struct mem_range fixture_ram = {
	.start = BENCH_RAM_BASE,
	.end = BENCH_RAM_BASE + BENCH_NODES * BENCH_NODE_BYTES,
	.type = MEM_RAM,
};

/* Four nodes on a ring: neighbours at 21, the opposite node at 31. */
static const u8 ring4[BENCH_NODES * BENCH_NODES] = {
	10, 21, 31, 21,
	21, 10, 21, 31,
	31, 21, 10, 21,
	21, 31, 21, 10,
};

/* ---- hypervisor functions the allocator objects call ------------------- */

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

void vprintk(int level, const char *fmt, va_list ap)
{
	if (level <= LOG_WARNING)
		vfprintf(stderr, fmt, ap);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void assert_failed(const char *expr, const char *file, int line)
{
	fprintf(stderr, "bench: assertion failed: %s at %s:%d\n", expr, file, line);
	abort();
}

/* ---- the fixture --------------------------------------------------------- */

void bench_fixture_init(void)
{
	static struct topo_desc d;
	struct topo_opts opts = { 0 };
	unsigned int c, n;

	d.source = TOPO_SRC_ACPI;
	d.have_affinity = true;
	for (c = 0; c < BENCH_CPUS; c++) {
		d.cpu_hwid[c] = c;
		d.aff[c].hwid = c;
		d.aff[c].pxm = c / BENCH_CPUS_PER_NODE;
	}
	d.nr_cpus = d.nr_aff = BENCH_CPUS;
	for (n = 0; n < BENCH_NODES; n++) {
		d.mem[n].start = BENCH_RAM_BASE + n * BENCH_NODE_BYTES;
		d.mem[n].len = BENCH_NODE_BYTES;
		d.mem[n].pxm = n;
	}
	d.nr_mem = BENCH_NODES;
	d.nr_localities = BENCH_NODES;
	memcpy(d.dist, ring4, sizeof(ring4));
	topo_build(&d, &fixture_ram, 1, &opts, &fixture_topo);
	if (topo->nr_nodes != BENCH_NODES || topo->nr_cpus != BENCH_CPUS)
		panic("fixture: topo_build made %u nodes and %u CPUs, not %u and %u",
		      topo->nr_nodes, topo->nr_cpus, BENCH_NODES, BENCH_CPUS);
	for (n = 0; n < BENCH_NODES; n++)
		if (topo->distance[0][n] != ring4[n])
			panic("fixture: distance 0-%u is %u, not %u", n, topo->distance[0][n],
			      ring4[n]);
}

/* ---- metadata memory ----------------------------------------------------- */

#define ARENA_MAX 64

/* Memory handed to one heap by its meta() callback, split by purpose. */
struct arena {
	void *blk[ARENA_MAX];
	unsigned int nr;
	u64 *count;		/* where the next blocks are counted */
	u64 frame_bytes, cache_bytes;
};

static struct arena proxima_arena, baseline_arena;

static void *arena_get(struct arena *a, u64 bytes)
{
	void *p;

	if (a->nr == ARENA_MAX || !(p = calloc(1, bytes)))
		return NULL;
	a->blk[a->nr++] = p;
	*a->count += bytes;
	return p;
}

static void arena_reset(struct arena *a)
{
	while (a->nr)
		free(a->blk[--a->nr]);
	a->frame_bytes = a->cache_bytes = 0;
	a->count = &a->frame_bytes;
}

static void *proxima_meta(u64 bytes, nodeid_t node)
{
	return arena_get(&proxima_arena, bytes);
}

static void *baseline_meta(u64 bytes, nodeid_t node)
{
	return arena_get(&baseline_arena, bytes);
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
	hosted_cpu_id = 0;
	arena_reset(&proxima_arena);
	if (heap_init_frames(proxima_meta))
		panic("fixture: heap_init_frames failed");
	proxima_arena.count = &proxima_arena.cache_bytes;
	if (pcp_init(proxima_meta))
		panic("fixture: pcp_init failed");
	heap_add_free(&fixture_ram, 1);
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
	return proxima_arena.frame_bytes;
}

static u64 proxima_cache_bytes(void)
{
	return proxima_arena.cache_bytes;
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
	arena_reset(&baseline_arena);
	if (base_init(baseline_meta))
		panic("fixture: base_init failed");
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
	return baseline_arena.frame_bytes;
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
