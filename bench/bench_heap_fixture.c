/*
 * The page allocator benchmark's side of the fixture machine (bench.h):
 * the direct map, and the two page allocators behind struct bench_alloc.
 *
 * By default no RAM backs the fixture: every page address maps to one
 * scratch page. Pages are then only written when the allocator zeroes a
 * dirty page, which never happens while a workload of (a) to (d) runs
 * (resets take boot memory out unzeroed and give it back clean):
 * bench_scratch_arm() and bench_scratch_written() let the caller check
 * that. After bench_heap_real_memory(), real host memory stands behind
 * every page instead, so that zeroing and touching pages cost what they
 * do. Owns that memory. Resets are not thread-safe: the main thread runs
 * them alone.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hv/mm.h>
#include <hv/panic.h>

#include "../mm/heap_internal.h"
#include "baseline_heap.h"
#include "bench_heap.h"

/* ---- the direct map ------------------------------------------------------ */

#define SCRATCH_PATTERN 0x5a
/* Host alignment of the real RAM: a block of any order is as aligned as its address. */
#define RAM_ALIGN (PAGE_SIZE << MAX_ORDER)

static _Alignas(4096) u8 scratch_page[PAGE_SIZE];
static char *real_ram; /* NULL: the scratch page stands for every page */

/* The direct map of the fixture: the real RAM, or the one scratch page. */
void *arch_maddr_to_virt(paddr_t pa)
{
	if (!real_ram)
		return scratch_page;
	if (pa < bench_ram.start || pa >= bench_ram.end)
		panic("arch_maddr_to_virt(0x%llx): not fixture RAM", pa);
	return real_ram + (pa - bench_ram.start);
}

void bench_heap_real_memory(void)
{
	size_t len = BENCH_RAM_BYTES + RAM_ALIGN;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		panic("fixture: cannot map %zu MiB for the RAM", len >> 20);
	real_ram = (char *)ALIGN_UP((uintptr_t)p, (uintptr_t)RAM_ALIGN);
	/*
	 * The hypervisor's direct map uses large pages: ask for them, so that
	 * the host's TLB misses on 4 KiB pages are not what the rows measure.
	 */
	madvise(real_ram, BENCH_RAM_BYTES, MADV_HUGEPAGE);
	/* Fault every page in now rather than in a timed run; all RAM starts zeroed. */
	memset(real_ram, 0, BENCH_RAM_BYTES);
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
 * A fresh heap. Boot memory enters it dirty; every block is taken out
 * without zeroing and given back clean, since the RAM is zero already
 * (the real RAM starts so and bench_proxima_zero_dirty() keeps it so; the
 * scratch page nothing reads): zeroing 512 MiB per reset would cost more
 * than the runs. The baseline heap starts clean too.
 */
static void proxima_reset(void)
{
	bench_proxima_heap_init();
	bench_proxima_cycle(false);
}

void bench_proxima_zero_dirty(void)
{
	pcp_drain_all();
	bench_proxima_cycle(true);
}

static void *proxima_alloc(unsigned int order, int node, bool exact)
{
	unsigned int flags = MEMF_LOCAL;

	if (node != BENCH_LOCAL)
		flags = (exact ? MEMF_EXACT : MEMF_PREFER) | MEMF_NODE(node);
	return alloc_pages(order, flags);
}

static void proxima_free(void *pg, unsigned int order, bool dirty)
{
	free_pages(pg, order, dirty);
}

static void *proxima_contents(void *pg)
{
	return arch_maddr_to_virt(page_to_maddr(pg));
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
    .contents = proxima_contents,
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

static void *baseline_contents(void *pg)
{
	return arch_maddr_to_virt(((struct base_page *)pg)->mfn << PAGE_SHIFT);
}

/* The classic design zeroes a dirty block as it is freed. */
static void baseline_free(void *pg, unsigned int order, bool dirty)
{
	if (dirty)
		memset(baseline_contents(pg), 0, PAGE_SIZE << order);
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
    .contents = baseline_contents,
    .node_of = baseline_node_of,
    .managed = base_managed,
    .frame_bytes = baseline_frame_bytes,
    .cache_bytes = baseline_cache_bytes,
    .static_bytes = base_static_bytes,
    .cached_pages = baseline_cached_pages,
};
