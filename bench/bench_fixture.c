/*
 * The fixture machine of both benchmarks (bench.h): the topology, built
 * once from a firmware-like description, the hypervisor functions every
 * allocator object calls (console, panic, assertions), and the setup of
 * the two page heaps. Owns topo, hosted_cpu_id and the metadata arenas.
 * The direct map, and whatever stands behind the RAM, belong to each
 * benchmark's own fixture (bench_heap_fixture.c, bench_slab_fixture.c).
 * Resets are not thread-safe: the main thread runs them alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/printk.h>

#include "../mm/heap_internal.h"
#include "baseline_heap.h"
#include "bench.h"
#include "bench_run.h"

_Thread_local unsigned int hosted_cpu_id;
bool hosted_spin_yields; /* <asm/arch-inline.h>: false, spin like a hypervisor CPU */

static struct topology fixture_topo;
struct topology *topo = &fixture_topo;

const struct mem_range bench_ram = {
    .start = BENCH_RAM_BASE,
    .end = BENCH_RAM_BASE + BENCH_RAM_BYTES,
    .type = MEM_RAM,
};

/* Four nodes on a ring: neighbours at 21, the opposite node at 31. */
static const u8 ring4[BENCH_NODES * BENCH_NODES] = {
    10, 21, 31, 21, 21, 10, 21, 31, 31, 21, 10, 21, 21, 31, 21, 10,
};

/* ---- hypervisor functions the allocator objects call ------------------- */

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

	fprintf(stderr, "%s: panic: ", bench_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void assert_failed(const char *expr, const char *why, const char *file, int line)
{
	fprintf(stderr, "%s: assertion failed: %s at %s:%d: %s\n", bench_name, expr, file, line,
		why);
	abort();
}

/* ---- the fixture --------------------------------------------------------- */

void bench_fixture_init(void)
{
	static struct topo_desc d;
	struct topo_opts opts = {0};
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
	topo_build(&d, &bench_ram, 1, &opts, &fixture_topo);
	if (topo->nr_nodes != BENCH_NODES || topo->nr_cpus != BENCH_CPUS)
		panic("fixture: topo_build made %u nodes and %u CPUs, not %u and %u",
		      topo->nr_nodes, topo->nr_cpus, BENCH_NODES, BENCH_CPUS);
	for (n = 0; n < BENCH_NODES; n++) {
		if (topo->distance[0][n] != ring4[n])
			panic("fixture: distance 0-%u is %u, not %u", n, topo->distance[0][n],
			      ring4[n]);
		if (topo_paddr_to_node(topo, BENCH_RAM_BASE + n * BENCH_NODE_BYTES) != n)
			panic("fixture: RAM of node %u is not where bench.h says", n);
	}
}

/* ---- the two page heaps ------------------------------------------------ */

struct bench_arena bench_proxima_arena, bench_baseline_arena;

static void *arena_get(struct bench_arena *a, u64 bytes)
{
	void *p;

	if (a->nr == BENCH_ARENA_MAX || !(p = calloc(1, bytes)))
		return NULL;
	a->blk[a->nr++] = p;
	*a->count += bytes;
	return p;
}

/* Free every block of a and zero its counts; what follows counts as frame_bytes. */
static void arena_reset(struct bench_arena *a)
{
	while (a->nr)
		free(a->blk[--a->nr]);
	a->frame_bytes = a->cache_bytes = 0;
	a->count = &a->frame_bytes;
}

static void *proxima_meta(u64 bytes, nodeid_t node)
{
	return arena_get(&bench_proxima_arena, bytes);
}

void *bench_baseline_meta(u64 bytes, nodeid_t node)
{
	return arena_get(&bench_baseline_arena, bytes);
}

void bench_proxima_heap_init(void)
{
	hosted_cpu_id = 0;
	arena_reset(&bench_proxima_arena);
	if (heap_init_frames(proxima_meta))
		panic("fixture: heap_init_frames failed");
	bench_proxima_arena.count = &bench_proxima_arena.cache_bytes;
	if (pcp_init(proxima_meta))
		panic("fixture: pcp_init failed");
	heap_add_free(&bench_ram, 1);
}

void bench_baseline_heap_init(void)
{
	hosted_cpu_id = 0;
	arena_reset(&bench_baseline_arena);
	if (base_init(bench_baseline_meta))
		panic("fixture: base_init failed");
}
