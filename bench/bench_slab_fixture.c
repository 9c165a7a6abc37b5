/*
 * The slab benchmark's machine: bench.h's fixture topology with real
 * memory behind its RAM (one host mapping, node 0's range first), the
 * direct map both ways, the few hypervisor functions the allocator
 * objects call (console, panic, key handlers), and the two object
 * allocators behind struct slab_bench_alloc, each on its own page
 * allocator (Proxima's slab on mm/page_alloc.c, the baseline on
 * bench/baseline_heap.c). Owns topo, the RAM mapping and the metadata
 * memory both page heaps get from their meta() callbacks.
 *
 * The RAM is mapped once and touched once, so no timed run takes a page
 * fault on it; both sides use the same host memory, in turn. Resets are
 * not thread-safe: the main thread runs them alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hv/arch.h>
#include <hv/keyhandler.h>
#include <hv/mm.h>
#include <hv/mm_internal.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/slab.h>

#include "baseline_heap.h"
#include "baseline_slab.h"
#include "bench_slab.h"

#define RAM_BYTES (BENCH_NODES * BENCH_NODE_BYTES)
/* Host alignment of the RAM: a block of any order is as aligned as its address. */
#define RAM_ALIGN (PAGE_SIZE << MAX_ORDER)

_Thread_local unsigned int hosted_cpu_id;

static struct topology fixture_topo;
struct topology *topo = &fixture_topo;

char *slab_fixture_ram;

static const struct mem_range fixture_ram = {
	.start = BENCH_RAM_BASE,
	.end = BENCH_RAM_BASE + RAM_BYTES,
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

void *arch_maddr_to_virt(paddr_t pa)
{
	if (pa < fixture_ram.start || pa >= fixture_ram.end)
		panic("arch_maddr_to_virt(0x%llx): not fixture RAM", (unsigned long long)pa);
	return slab_fixture_ram + (pa - fixture_ram.start);
}

paddr_t arch_virt_to_maddr(const void *va)
{
	const char *p = va;

	if (p < slab_fixture_ram || p >= slab_fixture_ram + RAM_BYTES)
		return INVALID_PADDR;
	return fixture_ram.start + (paddr_t)(p - slab_fixture_ram);
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

	fputs("bench_slab: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void assert_failed(const char *expr, const char *file, int line)
{
	fprintf(stderr, "bench_slab: assertion failed: %s at %s:%d\n", expr, file, line);
	abort();
}

/* No console to type on: the 's' key is never pressed. */
int keyhandler_register(unsigned char key, keyhandler_fn fn, const char *desc, bool diagnostic)
{
	return 0;
}

/* ---- the fixture --------------------------------------------------------- */

static void map_ram(void)
{
	size_t len = RAM_BYTES + RAM_ALIGN;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		panic("fixture: cannot map %llu MiB for the RAM", (unsigned long long)(len >> 20));
	slab_fixture_ram = (char *)ALIGN_UP((uintptr_t)p, (uintptr_t)RAM_ALIGN);
	/* Fault every page in now rather than in a timed run. */
	memset(slab_fixture_ram, 0, RAM_BYTES);
}

void slab_fixture_init(void)
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
		if (topo_paddr_to_node(topo, BENCH_RAM_BASE + n * BENCH_NODE_BYTES) != n)
			panic("fixture: RAM of node %u is not where bench.h says", n);
	map_ram();
}

/* ---- metadata memory ----------------------------------------------------- */

#define ARENA_MAX 64

/* Host memory handed to one side's meta() callbacks (frame tables, caches, tables). */
struct arena {
	void *blk[ARENA_MAX];
	unsigned int nr;
};

static struct arena proxima_arena, baseline_arena;

static void *arena_get(struct arena *a, u64 bytes)
{
	void *p;

	if (a->nr == ARENA_MAX || !(p = calloc(1, bytes)))
		return NULL;
	a->blk[a->nr++] = p;
	return p;
}

static void arena_reset(struct arena *a)
{
	while (a->nr)
		free(a->blk[--a->nr]);
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
 * Boot memory enters the heap dirty. Take every block out once without
 * zeroing (MEMF_NO_SCRUB) and give it back clean: nothing here reads
 * memory it has not written, and zeroing 512 MiB per reset would cost
 * more than the runs; the baseline heap never zeroes either.
 */
static void proxima_make_clean(void)
{
	struct page *held = NULL, *pg;
	unsigned int n;
	int o;

	for (n = 0; n < BENCH_NODES; n++) {
		for (o = MAX_ORDER; o >= 0; o--) {
			unsigned int flags = MEMF_EXACT | MEMF_NODE(n) | MEMF_NO_PCP | MEMF_NO_SCRUB;

			/* An allocated block's head is ours to link through until it is freed. */
			while ((pg = alloc_pages((unsigned int)o, flags))) {
				pg->private = (unsigned long)o;
				pg->owner = held;
				held = pg;
			}
		}
	}
	while ((pg = held)) {
		held = pg->owner;
		pg->owner = NULL;
		free_pages(pg, (unsigned int)pg->private, false);
	}
}

static void proxima_reset(void)
{
	hosted_cpu_id = 0;
	/* The last heap's slab allocator is gone (the baseline may have written over it). */
	heap_set_reclaim(NULL);
	arena_reset(&proxima_arena);
	if (heap_init_frames(proxima_meta))
		panic("fixture: heap_init_frames failed");
	if (pcp_init(proxima_meta))
		panic("fixture: pcp_init failed");
	heap_add_free(&fixture_ram, 1);
	proxima_make_clean();
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
	hosted_cpu_id = 0;
	arena_reset(&baseline_arena);
	if (base_init(baseline_meta))
		panic("fixture: base_init failed");
	if (base_slab_init(baseline_meta))
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
