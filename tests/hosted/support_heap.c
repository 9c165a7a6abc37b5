/*
 * Page-allocator fixtures behind support_heap.h: a topology from the real
 * topo_build(), host memory behind each RAM range (fake_mm.c maps it),
 * frame tables and per-CPU caches from calloc, the free RAM handed over
 * (in one go, or node by node in threads as heap_boot() does), and a
 * teardown that leaves nothing behind for the next fixture. Owns the
 * fixture's description, topology, host buffers and every calloc the heap
 * was given. Called from the test's main thread only.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "fake_arch.h"
#include "support_heap.h"

static struct topo_desc desc;
static struct topology fx_topo;
static struct heapfx_shape built_shape;
static int fail_node = -1;
static u64 meta_limit; /* frame_meta refuses more than this; 0: no limit */
static bool parallel_build;

/* Everything calloc'd for the heap of the current fixture. */
static void **metas;
static unsigned int nr_metas, cap_metas;

/* The arrays of every heapfx_held in use. */
static void **held_arrays;
static unsigned int nr_held_arrays;

/* Host buffers behind the fixture's RAM. */
static struct {
	void *buf;
	size_t len;
} backing[FAKE_RAM_REGIONS];
static unsigned int nr_backing;

/* ---- specs ------------------------------------------------------------- */

void heapfx_spec_init(struct heapfx_spec *s, unsigned int nr_nodes)
{
	memset(s, 0, sizeof(*s));
	s->nr_nodes = nr_nodes;
	s->fail_node = -1;
}

void heapfx_spec_ram(struct heapfx_spec *s, unsigned int node, paddr_t start, u64 len)
{
	if (s->nr_ram == HEAPFX_MAX_RAM || node >= s->nr_nodes)
		fail_msg("heapfx_spec_ram: no room or node %u out of range", node);
	s->ram[s->nr_ram].start = start;
	s->ram[s->nr_ram].end = start + len;
	s->ram[s->nr_ram].node = node;
	s->nr_ram++;
}

void heapfx_spec_cpus(struct heapfx_spec *s, unsigned int node, unsigned int nr)
{
	if (node >= s->nr_nodes)
		fail_msg("heapfx_spec_cpus: node %u out of range", node);
	s->cpus[node] = nr;
}

void heapfx_spec_reserve(struct heapfx_spec *s, paddr_t start, u64 len)
{
	if (s->nr_reserved == HEAPFX_MAX_RESERVED)
		fail_msg("heapfx_spec_reserve: no room");
	s->reserved[s->nr_reserved].start = start;
	s->reserved[s->nr_reserved].end = start + len;
	s->reserved[s->nr_reserved].type = MEM_RESERVED;
	s->nr_reserved++;
}

/* ---- metadata ------------------------------------------------------------ */

static void *track(void *p)
{
	if (!p)
		fail_msg("support_heap: out of host memory");
	if (nr_metas == cap_metas) {
		void **v;

		cap_metas = cap_metas ? 2 * cap_metas : 64;
		v = realloc(metas, cap_metas * sizeof(*v));
		if (!v)
			fail_msg("support_heap: out of host memory");
		metas = v;
	}
	metas[nr_metas++] = p;
	return p;
}

static void *frame_meta(u64 bytes, nodeid_t node)
{
	if ((int)node == fail_node || (meta_limit && bytes > meta_limit))
		return NULL;
	return track(calloc(1, bytes ? bytes : 1));
}

static void *pcp_meta(u64 bytes, nodeid_t node)
{
	return track(calloc(1, bytes));
}

/*
 * Empty caches for every CPU number a fixture has used so far, handed to
 * pcp_init() through a topology of that many CPUs: pcp_init() sets only
 * the CPUs of the topology it sees and never clears one, so a bigger
 * earlier fixture would leave its caches behind. The pool lives as long
 * as the process and is zeroed on each reset. CPUs never used keep no
 * cache at all, so pcp_drain_all() stays as cheap as in the image.
 */
static char *reset_pool;
static size_t reset_slot, reset_used;
static unsigned int cpus_used;

static void *reset_meta(u64 bytes, nodeid_t node)
{
	if (!reset_pool) {
		reset_slot = bytes;
		reset_pool = calloc(CONFIG_NR_CPUS, reset_slot);
		if (!reset_pool)
			fail_msg("support_heap: out of host memory");
	}
	if (bytes != reset_slot || reset_used == CONFIG_NR_CPUS)
		fail_msg("support_heap: pcp_init asked for %llu bytes", bytes);
	return reset_pool + reset_slot * reset_used++;
}

static void reset_caches(void)
{
	static struct topology used;

	if (!cpus_used)
		return;
	used.nr_nodes = 1;
	used.nr_cpus = cpus_used;
	topo = &used;
	if (reset_pool)
		memset(reset_pool, 0, reset_slot * CONFIG_NR_CPUS);
	reset_used = 0;
	pcp_init(reset_meta);
}

void heapfx_teardown(void)
{
	unsigned int i;

	reset_caches();
	for (i = 0; i < nr_metas; i++)
		free(metas[i]);
	nr_metas = 0;
	for (i = 0; i < nr_held_arrays; i++)
		free(held_arrays[i]);
	nr_held_arrays = 0;
	for (i = 0; i < nr_backing; i++)
		munmap(backing[i].buf, backing[i].len);
	nr_backing = 0;
	fake_ram_reset();
	memset(heap, 0, sizeof(heap));
	fake_topo_reset();
	fail_node = -1;
	meta_limit = 0;
	hosted_cpu_id = 0;
}

/* ---- building -------------------------------------------------------------- */

static void back_ram(const struct mem_range *map, unsigned int nr_map)
{
	unsigned int i;

	for (i = 0; i < nr_map; i++) {
		size_t len = map[i].end - map[i].start;
		void *buf;

		if (map[i].type != MEM_RAM || !len)
			continue;
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED || nr_backing == FAKE_RAM_REGIONS)
			fail_msg("support_heap: cannot back 0x%llx-0x%llx", map[i].start,
				 map[i].end);
		memset(buf, HEAPFX_JUNK, len);
		backing[nr_backing].buf = buf;
		backing[nr_backing].len = len;
		nr_backing++;
		fake_ram_map(map[i].start, buf, len);
	}
}

/* RAM of map less the reserved ranges, into out; returns how many. */
static unsigned int free_ranges(const struct mem_range *map, unsigned int nr_map,
				const struct mem_range *res, unsigned int nr_res,
				struct mem_range *out)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < nr_map; i++) {
		paddr_t cur = map[i].start, e = map[i].end;

		if (map[i].type != MEM_RAM)
			continue;
		for (j = 0; j < nr_res && cur < e; j++) {
			if (res[j].end <= cur || res[j].start >= e)
				continue;
			if (res[j].start > cur) {
				out[n].start = cur;
				out[n].end = res[j].start;
				out[n++].type = MEM_RAM;
			}
			cur = MAX(cur, res[j].end);
		}
		if (cur < e) {
			out[n].start = cur;
			out[n].end = e;
			out[n++].type = MEM_RAM;
		}
	}
	return n;
}

static int cmp_range(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void heapfx_set_meta_limit(u64 bytes)
{
	meta_limit = bytes;
}

void heapfx_set_parallel_build(bool on)
{
	parallel_build = on;
}

struct node_builder {
	pthread_t thread;
	nodeid_t node;
	unsigned int cpu;
	const struct mem_range *free;
	unsigned int nr_free;
};

static void *build_one_node(void *arg)
{
	struct node_builder *b = arg;

	hosted_cpu_id = b->cpu;
	heap_init_node_frames(b->node);
	heap_add_free_node(b->free, b->nr_free, b->node);
	return NULL;
}

/*
 * As heap_boot() does it: the first CPU of each node (a thread each, all
 * at once) writes its node's frames and seeds its free memory; the main
 * thread then does the nodes without CPUs and those beyond nr_nodes.
 */
static void build_nodes_in_parallel(const struct mem_range *free, unsigned int nr_free)
{
	static struct node_builder b[MAX_NODES];
	bool done[MAX_NODES] = {false};
	unsigned int n, c, nr = 0;

	for (n = 0; n < topo->nr_nodes; n++) {
		for (c = 0; c < topo->nr_cpus && cpu_to_node(c) != n; c++)
			;
		if (c == topo->nr_cpus)
			continue;
		b[nr] = (struct node_builder){
		    .node = (nodeid_t)n, .cpu = c, .free = free, .nr_free = nr_free};
		if (pthread_create(&b[nr].thread, NULL, build_one_node, &b[nr]))
			fail_msg("support_heap: cannot start a builder thread");
		done[n] = true;
		nr++;
	}
	while (nr--)
		pthread_join(b[nr].thread, NULL);
	for (n = 0; n < MAX_NODES; n++) {
		if (done[n])
			continue;
		heap_init_node_frames((nodeid_t)n);
		heap_add_free_node(free, nr_free, (nodeid_t)n);
	}
}

int heapfx_build(const struct topo_desc *d, const struct mem_range *map, unsigned int nr_map,
		 const struct mem_range *reserved, unsigned int nr_reserved, int fail)
{
	static struct mem_range sorted[HEAPFX_MAX_RAM], res[HEAPFX_MAX_RESERVED];
	static struct mem_range freed[HEAPFX_MAX_RAM + HEAPFX_MAX_RESERVED];
	static const struct topo_opts opts;
	bool parallel = parallel_build;
	u64 limit = meta_limit;
	unsigned int nr_free;
	int rc;

	if (nr_map > HEAPFX_MAX_RAM || nr_reserved > HEAPFX_MAX_RESERVED)
		fail_msg("heapfx_build: too many ranges");
	parallel_build = false;
	heapfx_teardown();
	if (nr_map)
		memcpy(sorted, map, nr_map * sizeof(*map));
	qsort(sorted, nr_map, sizeof(*sorted), cmp_range);
	if (nr_reserved)
		memcpy(res, reserved, nr_reserved * sizeof(*reserved));
	qsort(res, nr_reserved, sizeof(*res), cmp_range);
	topo_build(d, sorted, nr_map, &opts, &fx_topo);
	topo = &fx_topo;
	cpus_used = MAX(cpus_used, fx_topo.nr_cpus);
	back_ram(sorted, nr_map);
	fail_node = fail;
	meta_limit = limit;
	rc = parallel ? heap_alloc_frames(frame_meta) : heap_init_frames(frame_meta);
	if (pcp_init(pcp_meta))
		fail_msg("heapfx_build: pcp_init failed");
	nr_free = free_ranges(sorted, nr_map, res, nr_reserved, freed);
	if (parallel)
		build_nodes_in_parallel(freed, nr_free);
	else
		heap_add_free(freed, nr_free);
	heapfx_shape(&built_shape);
	return rc;
}

int heapfx_build_spec(const struct heapfx_spec *s)
{
	static struct mem_range map[HEAPFX_MAX_RAM];
	unsigned int i, n, c = 0;

	memset(&desc, 0, sizeof(desc));
	desc.source = TOPO_SRC_ACPI;
	desc.have_affinity = true;
	for (n = 0; n < s->nr_nodes; n++) {
		for (i = 0; i < s->cpus[n]; i++, c++) {
			desc.cpu_hwid[c] = c;
			desc.aff[c].hwid = c;
			desc.aff[c].pxm = n;
		}
	}
	desc.nr_cpus = desc.nr_aff = c;
	for (i = 0; i < s->nr_ram; i++) {
		desc.mem[i].start = s->ram[i].start;
		desc.mem[i].len = s->ram[i].end - s->ram[i].start;
		desc.mem[i].pxm = s->ram[i].node;
		map[i].start = s->ram[i].start;
		map[i].end = s->ram[i].end;
		map[i].type = MEM_RAM;
	}
	desc.nr_mem = s->nr_ram;
	if (s->dist) {
		desc.nr_localities = s->nr_nodes;
		memcpy(desc.dist, s->dist, (size_t)s->nr_nodes * s->nr_nodes);
	}
	return heapfx_build(&desc, map, s->nr_ram, s->reserved, s->nr_reserved, s->fail_node);
}

int heapfx_build_nodes(unsigned int nr_nodes, paddr_t base, u64 bytes_each, unsigned int cpus_each,
		       const u8 *dist)
{
	static struct heapfx_spec s;
	unsigned int n;

	heapfx_spec_init(&s, nr_nodes);
	for (n = 0; n < nr_nodes; n++) {
		heapfx_spec_ram(&s, n, base + n * bytes_each, bytes_each);
		heapfx_spec_cpus(&s, n, cpus_each);
	}
	s.dist = dist;
	return heapfx_build_spec(&s);
}

/* ---- queries ------------------------------------------------------------- */

unsigned int heapfx_cpu(unsigned int node, unsigned int k)
{
	unsigned int c;

	for (c = 0; c < topo->nr_cpus; c++)
		if (topo->cpu_node[c] == node && !k--)
			return c;
	fail_msg("heapfx_cpu: node %u has too few CPUs", node);
	return 0;
}

u8 *heapfx_page_mem(const struct page *pg)
{
	return arch_maddr_to_virt(page_to_maddr(pg));
}

bool heapfx_page_is(const struct page *pg, u8 byte)
{
	const u8 *p = heapfx_page_mem(pg);
	unsigned long i;

	for (i = 0; i < PAGE_SIZE; i++)
		if (p[i] != byte)
			return false;
	return true;
}

void heapfx_fill(struct page *pg, unsigned int order, u8 byte)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		memset(heapfx_page_mem(&pg[i]), byte, PAGE_SIZE);
}

u64 heapfx_managed(void)
{
	u64 total = 0;
	unsigned int n;

	for (n = 0; n < MAX_NODES; n++)
		total += heap[n].managed;
	return total;
}

void heapfx_assert_counts(void)
{
	unsigned int n;

	for (n = 0; n < MAX_NODES; n++) {
		const struct node_heap *h = &heap[n];

		u64 cached = heap_cached((nodeid_t)n), allocated = heap_allocated((nodeid_t)n);

		if (h->free_pages + cached + allocated + h->scrubbing != h->managed)
			fail_msg("node %u: free %llu + cached %llu + allocated %llu + scrubbing "
				 "%llu != managed %llu",
				 n, h->free_pages, cached, allocated, h->scrubbing, h->managed);
	}
}

u64 heapfx_dirty_listed(unsigned int n)
{
	unsigned int z, o;
	u64 dirty = 0;

	for (z = 0; z < NR_ZONES; z++)
		for (o = 0; o <= MAX_ORDER; o++) {
			const struct page *pg;

			/* Dirty is per page; a block's head only hints at it. */
			for (pg = heap[n].zone[z].free[o]; pg; pg = pg->next) {
				unsigned long i;

				for (i = 0; i < (1UL << o); i++)
					dirty += !!(pg[i].flags & PG_DIRTY);
			}
		}
	return dirty;
}

void heapfx_shape(struct heapfx_shape *out)
{
	unsigned int n, z;

	for (n = 0; n < MAX_NODES; n++)
		for (z = 0; z < NR_ZONES; z++)
			memcpy(out->blocks[n][z], heap[n].zone[z].nr_blocks,
			       sizeof(out->blocks[n][z]));
}

void heapfx_assert_shape(const struct heapfx_shape *s)
{
	static struct heapfx_shape now;
	unsigned int n, z, o;

	heapfx_shape(&now);
	for (n = 0; n < MAX_NODES; n++)
		for (z = 0; z < NR_ZONES; z++)
			for (o = 0; o <= MAX_ORDER; o++)
				if (now.blocks[n][z][o] != s->blocks[n][z][o])
					fail_msg("node %u zone %s order %u: %llu free blocks, %llu "
						 "expected",
						 n, zone_names[z], o, now.blocks[n][z][o],
						 s->blocks[n][z][o]);
}

const struct heapfx_shape *heapfx_built_shape(void)
{
	return &built_shape;
}

/* ---- holding pages --------------------------------------------------------- */

static void held_swap(void *old, void *new)
{
	unsigned int i;

	for (i = 0; i < nr_held_arrays; i++) {
		if (held_arrays[i] == old) {
			held_arrays[i] = new;
			return;
		}
	}
	held_arrays = realloc(held_arrays, (nr_held_arrays + 1) * sizeof(*held_arrays));
	if (!held_arrays)
		fail_msg("heapfx_hold: out of host memory");
	held_arrays[nr_held_arrays++] = new;
}

void heapfx_hold(struct heapfx_held *h, struct page *pg, unsigned int order)
{
	if (h->nr == h->cap) {
		unsigned int cap = h->cap ? 2 * h->cap : 256;
		struct heapfx_block *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			fail_msg("heapfx_hold: out of host memory");
		held_swap(h->v, v);
		h->v = v;
		h->cap = cap;
	}
	h->v[h->nr].pg = pg;
	h->v[h->nr++].order = order;
	h->pages += 1UL << order;
}

u64 heapfx_exhaust(unsigned int n, struct heapfx_held *h)
{
	unsigned int flags = MEMF_EXACT | MEMF_NODE(n) | MEMF_NO_PCP | MEMF_NO_SCRUB;
	u64 before = h->pages;
	int o;

	for (o = MAX_ORDER; o >= 0; o--) {
		struct page *pg;

		while ((pg = alloc_pages((unsigned int)o, flags)))
			heapfx_hold(h, pg, (unsigned int)o);
	}
	return h->pages - before;
}

void heapfx_release(struct heapfx_held *h, bool dirty)
{
	unsigned int i;

	for (i = 0; i < h->nr; i++)
		free_pages(h->v[i].pg, h->v[i].order, dirty);
	if (h->v)
		held_swap(h->v, NULL);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void heapfx_build_4g(void)
{
	struct heapfx_spec s;

	heapfx_spec_init(&s, 2);
	heapfx_spec_ram(&s, 0, MiB(14), MiB(4));
	heapfx_spec_ram(&s, 0, GiB(4) - MiB(2), MiB(4));
	heapfx_spec_ram(&s, 1, GiB(8), MiB(4));
	heapfx_spec_cpus(&s, 0, 1);
	heapfx_spec_cpus(&s, 1, 1);
	heapfx_build_spec(&s);
}

int heapfx_setup(void **state)
{
	console_set_loglevel(LOG_DEBUG);
	console_clear();
	hosted_cpu_id = 0;
	return 0;
}

int heapfx_cmocka_teardown(void **state)
{
	heapfx_teardown();
	return 0;
}
