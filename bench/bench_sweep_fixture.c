/*
 * The cost sweep's side of the fixture (bench_sweep.h): machines of any
 * shape, one at a time, the direct map of their RAM both ways, and the
 * key handler hook the slab allocator calls. Owns the current machine's
 * topology and RAM mapping; the heap's metadata lives in
 * bench_proxima_arena (bench_fixture.c).
 *
 * The RAM is one anonymous mapping as large as the machine's (up to
 * 64 GiB here) made with MAP_NORESERVE and never touched by the fixture:
 * the host backs a page when the allocator or a benchmark first writes
 * it, so only the few slabs and pages in use cost memory, while the frame
 * tables, which the heap writes in full, are real. Main thread only.
 */
#include <sys/mman.h>

#include <hv/arch.h>
#include <hv/keyhandler.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/slab.h>

#include "bench_sweep.h"

/* Host alignment of the RAM: a block of any order is as aligned as its address. */
#define RAM_ALIGN (PAGE_SIZE << MAX_ORDER)

static struct topology sweep_topo;
static struct mem_range ram_range; /* the current machine's RAM, in its physical space */
static char *ram, *ram_map;	   /* its host memory; the mapping holding it */
static size_t ram_map_len;

/* ---- the direct map and the key handler hook ----------------------------- */

void *arch_maddr_to_virt(paddr_t pa)
{
	if (!ram || pa < ram_range.start || pa >= ram_range.end)
		panic("arch_maddr_to_virt(0x%llx): not the machine's RAM", pa);
	return ram + (pa - ram_range.start);
}

/* No console to type on: the 's' key is never pressed. */
int keyhandler_register(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic)
{
	return 0;
}

/* ---- machines ------------------------------------------------------------- */

static void map_ram(void)
{
	size_t len = ram_range.end - ram_range.start;

	ram_map_len = len + RAM_ALIGN;
	ram_map = mmap(NULL, ram_map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram_map == MAP_FAILED)
		panic("fixture: cannot map %zu MiB for the RAM", ram_map_len >> 20);
	ram = (char *)ALIGN_UP((uintptr_t)ram_map, (uintptr_t)RAM_ALIGN);
	hosted_directmap = (struct hosted_directmap){(uintptr_t)ram, len, ram_range.start};
	/* The hypervisor's direct map uses large pages; ask the host for them too. */
	madvise(ram, len, MADV_HUGEPAGE);
}

void sweep_machine_teardown(void)
{
	if (!ram)
		return;
	/* The slab allocator's caches are in the RAM about to go. */
	heap_set_reclaim(NULL);
	munmap(ram_map, ram_map_len);
	ram = ram_map = NULL;
	hosted_directmap = (struct hosted_directmap){0};
}

void sweep_machine_build(const struct bench_shape *s)
{
	sweep_machine_teardown();
	bench_topo_build(s, &sweep_topo);
	topo = &sweep_topo;
	ram_range = bench_shape_ram(s);
	map_ram();
	bench_proxima_heap_build(&ram_range);
	bench_proxima_cycle(false); /* the RAM is zero: nothing to do but say so */
	slab_init();
}

u64 sweep_frame_bytes(void)
{
	return bench_proxima_arena.frame_bytes;
}
