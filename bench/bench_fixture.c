/*
 * The fixture machine of the benchmarks (bench.h): the topology, built
 * from a firmware-like description of a shape (the fixture's, once, or
 * the sweep's, one machine after another), the hypervisor functions
 * every allocator object calls (console, panic, assertions), and the
 * setup of the two page heaps. Owns topo, hosted_cpu_id, the metadata
 * arenas and hosted_directmap, the inline direct map, which each
 * benchmark's own fixture points at its RAM (bench_slab_fixture.c,
 * bench_sweep_fixture.c; bench_heap_fixture.c needs no addresses turned
 * back). Resets are not thread-safe: the main thread runs them alone.
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
struct hosted_directmap hosted_directmap;

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

struct mem_range bench_shape_ram(const struct bench_shape *s)
{
	return (struct mem_range){
	    .start = BENCH_RAM_BASE,
	    .end = BENCH_RAM_BASE + s->nodes * s->node_bytes,
	    .type = MEM_RAM,
	};
}

/* The firmware's view of s: CPUs, their affinity, memory affinity, the SLIT. */
static void describe_shape(const struct bench_shape *s, struct topo_desc *d)
{
	unsigned int nr_cpus = s->nodes * s->cpus_per_node, c, n;

	memset(d, 0, sizeof(*d));
	d->source = TOPO_SRC_ACPI;
	d->have_affinity = true;
	for (c = 0; c < nr_cpus; c++) {
		d->cpu_hwid[c] = c;
		d->aff[c].hwid = c;
		d->aff[c].pxm = c / s->cpus_per_node;
	}
	d->nr_cpus = d->nr_aff = nr_cpus;
	for (n = 0; n < s->nodes; n++) {
		d->mem[n].start = BENCH_RAM_BASE + n * s->node_bytes;
		d->mem[n].len = s->node_bytes;
		d->mem[n].pxm = n;
	}
	d->nr_mem = s->nodes;
	d->nr_localities = s->nodes;
	memcpy(d->dist, s->dist, (size_t)s->nodes * s->nodes);
}

void bench_topo_build(const struct bench_shape *s, struct topology *out)
{
	static struct topo_desc d;
	struct topo_opts opts = {0};
	struct mem_range ram = bench_shape_ram(s);
	unsigned int n, m;

	if (s->nodes > MAX_NODES || s->nodes * s->cpus_per_node > CONFIG_NR_CPUS)
		panic("fixture: %u nodes of %u CPUs do not fit NR_NODES=%u, NR_CPUS=%u", s->nodes,
		      s->cpus_per_node, MAX_NODES, CONFIG_NR_CPUS);
	describe_shape(s, &d);
	topo_build(&d, &ram, 1, &opts, out);
	if (out->nr_nodes != s->nodes || out->nr_cpus != s->nodes * s->cpus_per_node)
		panic("fixture: topo_build made %u nodes and %u CPUs, not %u and %u", out->nr_nodes,
		      out->nr_cpus, s->nodes, s->nodes * s->cpus_per_node);
	for (n = 0; n < s->nodes; n++) {
		for (m = 0; m < s->nodes; m++)
			if (out->distance[n][m] != s->dist[n * s->nodes + m])
				panic("fixture: distance %u-%u is %u, not %u", n, m,
				      out->distance[n][m], s->dist[n * s->nodes + m]);
		if (topo_paddr_to_node(out, BENCH_RAM_BASE + n * s->node_bytes) != n)
			panic("fixture: RAM of node %u is not where the shape says", n);
	}
}

void bench_fixture_init(void)
{
	static const struct bench_shape fixture = {
	    .nodes = BENCH_NODES,
	    .cpus_per_node = BENCH_CPUS_PER_NODE,
	    .node_bytes = BENCH_NODE_BYTES,
	    .dist = ring4,
	};

	bench_topo_build(&fixture, &fixture_topo);
	topo = &fixture_topo;
}

/* ---- the two page heaps ------------------------------------------------ */

struct bench_arena bench_proxima_arena, bench_baseline_arena;

static void *arena_get(struct bench_arena *a, u64 bytes)
{
	void *p;

	if (a->nr == a->cap) {
		unsigned int cap = a->cap ? 2 * a->cap : 64;
		void **blk = realloc(a->blk, cap * sizeof(*blk));

		if (!blk)
			return NULL;
		a->blk = blk;
		a->cap = cap;
	}
	if (!(p = calloc(1, bytes)))
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

void bench_proxima_heap_build(const struct mem_range *ram)
{
	hosted_cpu_id = 0;
	arena_reset(&bench_proxima_arena);
	if (heap_init_frames(proxima_meta))
		panic("fixture: heap_init_frames failed");
	bench_proxima_arena.count = &bench_proxima_arena.cache_bytes;
	if (pcp_init(proxima_meta))
		panic("fixture: pcp_init failed");
	heap_add_free(ram, 1);
}

void bench_proxima_heap_init(void)
{
	bench_proxima_heap_build(&bench_ram);
}

void bench_proxima_cycle(bool zero)
{
	struct page *held = NULL, *pg;
	unsigned int n;
	int o;

	for (n = 0; n < topo->nr_nodes; n++) {
		for (o = MAX_ORDER; o >= 0; o--) {
			unsigned int flags =
			    MEMF_EXACT | MEMF_NODE(n) | MEMF_NO_PCP | (zero ? 0 : MEMF_NO_SCRUB);

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

void bench_baseline_heap_init(void)
{
	hosted_cpu_id = 0;
	arena_reset(&bench_baseline_arena);
	if (base_init(bench_baseline_meta))
		panic("fixture: base_init failed");
}
