/*
 * The slab benchmark's side of the fixture machine (bench.h): real memory
 * behind its RAM (one host mapping, node 0's range first), the direct
 * map both ways (back through hosted_directmap, inline), the key
 * handler hook the slab allocator calls, and the two object allocators
 * behind struct slab_bench_alloc, each on its own page allocator
 * (Proxima's slab on mm/page_alloc.c, the baseline on
 * bench/baseline_heap.c). Owns the RAM mapping.
 *
 * The RAM is mapped once and touched once, so no timed run takes a page
 * fault on it; both sides use the same host memory, in turn. Resets are
 * not thread-safe: the main thread runs them alone.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hv/arch.h>
#include <hv/keyhandler.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/slab.h>

#include "../mm/heap_internal.h"
#include "baseline_heap.h"
#include "baseline_slab.h"
#include "bench_slab.h"

/* Host alignment of the RAM: a block of any order is as aligned as its address. */
#define RAM_ALIGN (PAGE_SIZE << MAX_ORDER)

char *slab_fixture_ram;

/* ---- the direct map and the key handler hook ----------------------------- */

void *arch_maddr_to_virt(paddr_t pa)
{
	if (pa < bench_ram.start || pa >= bench_ram.end)
		panic("arch_maddr_to_virt(0x%llx): not fixture RAM", pa);
	return slab_fixture_ram + (pa - bench_ram.start);
}

/* No console to type on: the 's' key is never pressed. */
int keyhandler_register(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic)
{
	return 0;
}

/* ---- the fixture --------------------------------------------------------- */

static void map_ram(void)
{
	size_t len = BENCH_RAM_BYTES + RAM_ALIGN;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		panic("fixture: cannot map %zu MiB for the RAM", len >> 20);
	slab_fixture_ram = (char *)ALIGN_UP((uintptr_t)p, (uintptr_t)RAM_ALIGN);
	hosted_directmap = (struct hosted_directmap){(uintptr_t)slab_fixture_ram, BENCH_RAM_BYTES,
						     bench_ram.start};
	/* Fault every page in now rather than in a timed run. */
	memset(slab_fixture_ram, 0, BENCH_RAM_BYTES);
}

void slab_fixture_init(void)
{
	bench_fixture_init();
	map_ram();
}

/* ---- Proxima --------------------------------------------------------------- */

/*
 * Boot memory enters the heap dirty. Every block is taken out once
 * without zeroing and given back clean (bench_proxima_cycle): nothing here
 * reads memory it has not written, and zeroing 512 MiB per reset would
 * cost more than the runs; the baseline heap never zeroes either.
 */
static void proxima_reset(void)
{
	/* The last heap's slab allocator is gone (the baseline may have written over it). */
	heap_set_reclaim(NULL);
	bench_proxima_heap_init();
	bench_proxima_cycle(false);
	slab_init();
}

static u64 proxima_pages(void)
{
	u64 sum = 0;
	unsigned int n;

	for (n = 0; n < BENCH_NODES; n++)
		sum += slab_node_pages((nodeid_t)n);
	return sum;
}

static unsigned long proxima_problems(void)
{
	return slab_reports() + slab_check();
}

const struct slab_bench_alloc slab_bench_proxima = {
    .name = "proxima",
    .reset = proxima_reset,
    .alloc = kmalloc,
    .free = kfree,
    .pages = proxima_pages,
    .problems = proxima_problems,
};

/* ---- the baseline ---------------------------------------------------------- */

static void baseline_reset(void)
{
	bench_baseline_heap_init();
	if (base_slab_init(bench_baseline_meta))
		panic("fixture: base_slab_init failed");
}

static unsigned long baseline_problems(void)
{
	return 0;
}

const struct slab_bench_alloc slab_bench_baseline = {
    .name = "baseline",
    .reset = baseline_reset,
    .alloc = base_kmalloc,
    .free = base_kfree,
    .pages = base_slab_pages,
    .problems = baseline_problems,
};
