/*
 * The heap and per-CPU start-up over a fuzzed topology (heap_startup.h).
 * Owns the frame-table arena (one buffer for the process, handed out
 * again for every input, ASan-poisoned where nothing was handed out) and
 * the page picture it derives from the topology; the code under test is
 * the real mm/heap_init.c, page_alloc.c, pcp.c and heap_check.c. Page
 * contents are never touched: pages are taken with MEMF_NO_SCRUB and
 * given back dirty, so no RAM needs host memory behind it.
 *
 * Invariants checked:
 *   - the pages the topology gives a node are the pages whose first byte
 *     lies in one of the node's present ranges and which lie wholly in
 *     RAM; each node's heap manages some of them, and reports the rest
 *     on a "left out" console line: managed + lost = given, and pages
 *     are lost only when a frame-table request was refused;
 *   - every free block lies in pages its node is given, no two overlap,
 *     mfn_to_page() finds both its ends, and the blocks add up to
 *     managed; heap_check() finds nothing;
 *   - every CPU gets a page while any managed page is not yet taken: a
 *     page of its own node if that still has one, else of a node in its
 *     fallback list; none when every page is taken;
 *   - with everything given back and the caches drained, each node's
 *     free blocks are again those the build made.
 * Single-threaded, like the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/bootmem.h>
#include <hv/lib.h>

#include "../../mm/heap_internal.h"
#include "../hosted/fake_arch.h"
#include "../hosted/support_heap.h"
#include "heap_startup.h"
#include "topology_check.h"

#define FZ_ARENA_LEN (FZ_FRAME_BUDGET + MiB(4)) /* frames, then per-CPU caches */
#define FZ_REDZONE 64
#define FZ_MAX_BLOCKS (FZ_FRAME_BUDGET / sizeof(struct page))

static struct {
	u8 *buf;
	size_t used;
	u64 frames;	      /* frame-table bytes handed out */
	unsigned int refused; /* frame-table requests refused */
} fz_arena;

/* Pages [start, end) are given to node (runs of one node merged). */
struct fz_pages {
	mfn_t start, end;
	nodeid_t node;
};

struct fz_block {
	mfn_t mfn;
	unsigned int order;
	nodeid_t node;
	const struct page *pg;
};

static struct fz_pages fz_pages[TOPO_MAX_RANGES];
static unsigned int fz_nr_pages;
static u64 fz_given[MAX_NODES];	   /* pages */
static u64 fz_reported[MAX_NODES]; /* bytes on "left out" lines */
static struct fz_block fz_blocks[FZ_MAX_BLOCKS];
static struct heapfx_shape fz_built, fz_now;
static struct page *fz_held[CONFIG_NR_CPUS];
static bool fz_installed;

/* ---- frame-table memory -------------------------------------------------- */

static void fz_arena_reset(void)
{
	if (!fz_arena.buf) {
		fz_arena.buf = malloc(FZ_ARENA_LEN);
		if (!fz_arena.buf)
			abort();
	}
	fz_poison(fz_arena.buf, FZ_ARENA_LEN);
	fz_arena.used = 0;
	fz_arena.frames = 0;
	fz_arena.refused = 0;
}

/* Zeroed bytes, a poisoned red zone after them; NULL when full. */
static void *fz_arena_alloc(u64 bytes)
{
	u64 len;
	u8 *p;

	if (bytes > FZ_ARENA_LEN)
		return NULL;
	len = ALIGN_UP(bytes ? bytes : 1, (u64)FZ_REDZONE) + FZ_REDZONE;
	if (len > FZ_ARENA_LEN - fz_arena.used)
		return NULL;
	p = fz_arena.buf + fz_arena.used;
	fz_arena.used += len;
	fz_unpoison(p, bytes);
	memset(p, 0, bytes);
	return p;
}

/* heap_alloc_frames()'s meta: at most FZ_FRAME_BUDGET bytes an input. */
static void *fz_frame_meta(u64 bytes, nodeid_t node)
{
	void *p = NULL;

	if (bytes <= FZ_FRAME_BUDGET - fz_arena.frames)
		p = fz_arena_alloc(bytes);
	if (!p) {
		fz_arena.refused++;
		return NULL;
	}
	fz_arena.frames += bytes;
	return p;
}

static void *fz_pcp_meta(u64 bytes, nodeid_t node)
{
	return fz_arena_alloc(bytes);
}

/* ---- what the topology gives each node ------------------------------------- */

static mfn_t fz_pfn_up(paddr_t pa)
{
	return (pa >> PAGE_SHIFT) + !!(pa & (PAGE_SIZE - 1));
}

static void fz_give(mfn_t a, mfn_t b, nodeid_t node)
{
	struct fz_pages *last = fz_nr_pages ? &fz_pages[fz_nr_pages - 1] : NULL;

	fz_given[node] += b - a;
	if (last && last->node == node && last->end == a) {
		last->end = b;
		return;
	}
	fz_pages[fz_nr_pages++] = (struct fz_pages){a, b, node};
}

/*
 * Page p belongs to the range holding its first byte, if the whole page
 * is RAM: inside a run of present ranges that follow each other.
 */
static void fz_topology_pages(const struct topology *t)
{
	unsigned int i, j, k;

	fz_nr_pages = 0;
	memset(fz_given, 0, sizeof(fz_given));
	for (i = 0; i < t->nr_ranges; i = j) {
		mfn_t run_start, run_end;

		j = i + 1;
		if (t->range[i].hotplug)
			continue;
		while (j < t->nr_ranges && !t->range[j].hotplug &&
		       t->range[j].start == t->range[j - 1].end)
			j++;
		run_start = fz_pfn_up(t->range[i].start);
		run_end = t->range[j - 1].end >> PAGE_SHIFT;
		for (k = i; k < j; k++) {
			mfn_t a = MAX(fz_pfn_up(t->range[k].start), run_start);
			mfn_t b = MIN(fz_pfn_up(t->range[k].end), run_end);

			if (a < b)
				fz_give(a, b, t->range[k].node);
		}
	}
}

/* The entry of fz_pages holding page m, or NULL. */
static const struct fz_pages *fz_pages_of(mfn_t m)
{
	unsigned int lo = 0, hi = fz_nr_pages;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (m < fz_pages[mid].start)
			hi = mid;
		else if (m >= fz_pages[mid].end)
			lo = mid + 1;
		else
			return &fz_pages[mid];
	}
	return NULL;
}

/*
 * The bytes a "left out" line names: its last "0xS-0xE" range, or
 * without one its last "N KiB"; 0 if neither is there.
 */
static u64 fz_left_out_bytes(const char *line, const char *end)
{
	unsigned long long s, e, kib, bytes = 0;
	bool range = false;
	const char *q;
	int len;

	for (q = line; q < end; q++) {
		len = -1;
		if (q[0] == '0' && q[1] == 'x' && sscanf(q, "0x%llx-0x%llx", &s, &e) == 2 &&
		    s < e) {
			bytes = e - s;
			range = true;
		} else if (!range && q > line && q[-1] == ' ' && *q >= '0' && *q <= '9' &&
			   sscanf(q, "%llu KiB%n", &kib, &len) == 1 && len > 0) {
			bytes = kib << 10;
		}
	}
	return bytes;
}

/*
 * Bytes each node's "left out" lines name ("... node N... <size> ... left
 * out"), counted from the console of this input.
 */
static void fz_count_reported(void)
{
	const char *text = console_text(), *p = text;

	memset(fz_reported, 0, sizeof(fz_reported));
	while ((p = strstr(p, "left out"))) {
		const char *line = p, *q;
		unsigned int n;
		u64 bytes;

		while (line > text && line[-1] != '\n')
			line--;
		q = strstr(line, "node ");
		bytes = fz_left_out_bytes(line, p);
		FZ_CHECK(q && q < p && sscanf(q, "node %u", &n) == 1 && n < MAX_NODES && bytes,
			 "a \"left out\" line names no node and size: %.*s", (int)(p - line + 8),
			 line);
		fz_reported[n] += bytes;
		p += 8;
	}
}

/* ---- the heap as built ------------------------------------------------------ */

static int fz_by_mfn(const void *a, const void *b)
{
	const struct fz_block *x = a, *y = b;

	return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

/* Every free block of every node into fz_blocks, sorted; returns how many. */
static size_t fz_collect_blocks(void)
{
	size_t nr = 0;
	unsigned int n, z, o;

	for (n = 0; n < MAX_NODES; n++)
		for (z = 0; z < NR_ZONES; z++)
			for (o = 0; o <= MAX_ORDER; o++) {
				const struct page *pg;

				for (pg = heap[n].zone[z].free[o]; pg; pg = pg->next) {
					FZ_CHECK(nr < FZ_MAX_BLOCKS,
						 "more free blocks than frames");
					fz_blocks[nr++] =
					    (struct fz_block){pg->mfn, o, (nodeid_t)n, pg};
				}
			}
	qsort(fz_blocks, nr, sizeof(fz_blocks[0]), fz_by_mfn);
	return nr;
}

/* One free block: in its node's pages, found by mfn_to_page() at both ends. */
static void fz_check_block(const struct fz_block *b)
{
	mfn_t last = b->mfn + (1UL << b->order) - 1;
	const struct fz_pages *g = fz_pages_of(b->mfn);
	const struct page *pg;

	FZ_CHECK(g, "node %u: free block 0x%llx order %u: page 0x%llx is no node's RAM", b->node,
		 b->mfn, b->order, b->mfn);
	FZ_CHECK(g->node == b->node,
		 "node %u: free block 0x%llx order %u: the topology gives page 0x%llx to node %u",
		 b->node, b->mfn, b->order, b->mfn, g->node);
	FZ_CHECK(last < g->end,
		 "node %u: free block 0x%llx order %u runs past its node's pages at 0x%llx",
		 b->node, b->mfn, b->order, g->end);
	FZ_CHECK(mfn_to_page(b->mfn) == b->pg, "node %u: mfn_to_page(0x%llx) is not its block",
		 b->node, b->mfn);
	pg = mfn_to_page(last);
	FZ_CHECK(pg && pg->mfn == last && pg->node == b->node,
		 "node %u: mfn_to_page(0x%llx), the end of a free block, gives %s", b->node, last,
		 pg ? "another page" : "nothing");
}

/* Right after the build: the free blocks are the managed pages, placed right. */
static void fz_check_built(const struct topology *t)
{
	u64 free[MAX_NODES] = {0};
	size_t i, nr = fz_collect_blocks();
	unsigned int n;

	for (i = 0; i < nr; i++) {
		const struct fz_block *b = &fz_blocks[i];

		FZ_CHECK(!i || fz_blocks[i - 1].mfn + (1UL << fz_blocks[i - 1].order) <= b->mfn,
			 "free blocks 0x%llx order %u (node %u) and 0x%llx order %u (node %u) "
			 "overlap",
			 fz_blocks[i - 1].mfn, fz_blocks[i - 1].order, fz_blocks[i - 1].node,
			 b->mfn, b->order, b->node);
		fz_check_block(b);
		free[b->node] += 1UL << b->order;
	}
	fz_count_reported();
	for (n = 0; n < MAX_NODES; n++) {
		const struct node_heap *h = &heap[n];

		FZ_CHECK(free[n] == h->managed && h->free_pages == h->managed,
			 "node %u: %llu pages in free blocks, free %llu, managed %llu", n, free[n],
			 h->free_pages, h->managed);
		FZ_CHECK(h->managed + h->lost == fz_given[n],
			 "node %u: managed %llu + lost %llu pages != %llu pages the topology gives "
			 "it (%llu bytes reported left out)",
			 n, h->managed, h->lost, fz_given[n], fz_reported[n]);
		FZ_CHECK(fz_reported[n] == h->lost << PAGE_SHIFT,
			 "node %u: %llu pages lost, %llu bytes reported left out", n, h->lost,
			 fz_reported[n]);
		FZ_CHECK(!h->lost || fz_arena.refused,
			 "node %u: %llu of its %llu pages left out, though no frame table was "
			 "refused",
			 n, h->lost, fz_given[n]);
	}
	n = heap_check(true);
	FZ_CHECK(!n, "heap_check() after the build: %u violations", n);
}

/* ---- per-CPU start-up --------------------------------------------------------- */

static bool fz_in_fallback(const struct topology *t, nodeid_t n, nodeid_t m)
{
	unsigned int i;

	for (i = 0; i < t->node[n].nr_fallback; i++)
		if (t->node[n].fallback[i] == m)
			return true;
	return false;
}

/* The page CPU c was given: a real, allocated page of an allowed node. */
static void fz_check_cpu_page(const struct topology *t, unsigned int c, const struct page *pg,
			      const u64 *taken)
{
	nodeid_t cn = t->cpu_node[c], got = pg->node;
	const struct fz_pages *g = fz_pages_of(pg->mfn);

	FZ_CHECK(got < t->nr_nodes && (got == cn || fz_in_fallback(t, cn, got)),
		 "CPU %u (node %u) got a page of node %u, not in its fallback list", c, cn, got);
	FZ_CHECK(got == cn || heap[cn].managed == taken[cn],
		 "CPU %u got a page of node %u though its node %u has %llu pages not taken", c, got,
		 cn, heap[cn].managed - taken[cn]);
	FZ_CHECK(g && g->node == got, "CPU %u got page 0x%llx of node %u: not that node's", c,
		 pg->mfn, got);
	FZ_CHECK(mfn_to_page(pg->mfn) == pg, "CPU %u: mfn_to_page(0x%llx) is not its page", c,
		 pg->mfn);
	FZ_CHECK(!(pg->flags & (PG_FREE | PG_TAIL | PG_PCP | PG_OFFLINE)),
		 "CPU %u: page 0x%llx handed out with flags 0x%x", c, pg->mfn, pg->flags);
}

/* Each CPU of t, as it starts, takes a page preferring its own node. */
static void fz_start_cpus(const struct topology *t)
{
	u64 managed = 0, held = 0, taken[MAX_NODES] = {0};
	unsigned int c, n;

	for (n = 0; n < MAX_NODES; n++)
		managed += heap[n].managed;
	for (c = 0; c < t->nr_cpus; c++) {
		nodeid_t cn = t->cpu_node[c];
		struct page *pg;

		hosted_cpu_id = c;
		pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(cn) | MEMF_NO_SCRUB);
		fz_held[c] = pg;
		if (held == managed) {
			FZ_CHECK(!pg, "CPU %u got page 0x%llx with every managed page taken", c,
				 pg->mfn);
			continue;
		}
		FZ_CHECK(pg,
			 "CPU %u (node %u, %u fallback nodes) got no page, though %llu of %llu "
			 "managed pages are not taken",
			 c, cn, t->node[cn].nr_fallback, managed - held, managed);
		fz_check_cpu_page(t, c, pg, taken);
		taken[pg->node]++;
		held++;
	}
}

/* Everything back, caches drained: the heap is as the build left it. */
static void fz_stop_cpus(const struct topology *t)
{
	unsigned int c, n, z, o;

	for (c = 0; c < t->nr_cpus; c++) {
		hosted_cpu_id = c;
		free_pages(fz_held[c], 0, true);
		fz_held[c] = NULL;
	}
	hosted_cpu_id = 0;
	pcp_drain_all();
	n = heap_check(true);
	FZ_CHECK(!n, "heap_check() with every page given back: %u violations", n);
	heapfx_shape(&fz_now);
	for (n = 0; n < MAX_NODES; n++) {
		FZ_CHECK(heap[n].free_pages == heap[n].managed,
			 "node %u: free %llu of %llu managed pages with every page given back", n,
			 heap[n].free_pages, heap[n].managed);
		for (z = 0; z < NR_ZONES; z++)
			for (o = 0; o <= MAX_ORDER; o++)
				FZ_CHECK(
				    fz_now.blocks[n][z][o] == fz_built.blocks[n][z][o],
				    "node %u zone %s order %u: %llu free blocks given back, the "
				    "build made %llu",
				    n, zone_names[z], o, fz_now.blocks[n][z][o],
				    fz_built.blocks[n][z][o]);
	}
}

/* ---- the run -------------------------------------------------------------------- */

/* The first CPU of node n, or CPU 0: who builds the node at boot. */
static unsigned int fz_builder(const struct topology *t, unsigned int n)
{
	unsigned int c;

	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu_node[c] == n)
			return c;
	return 0;
}

/* As heap_boot() does it, one node after the other. */
static void fz_build_heap(const struct topology *t, const struct mem_range *map, unsigned int nr)
{
	const struct mem_range *free;
	unsigned int n, nr_free;

	bootmem_init(map, nr);
	heap_alloc_frames(fz_frame_meta);
	pcp_init(fz_pcp_meta);
	nr_free = bootmem_free_ranges(&free);
	for (n = 0; n < MAX_NODES; n++) {
		hosted_cpu_id = fz_builder(t, n);
		heap_init_node_frames((nodeid_t)n);
		heap_add_free_node(free, nr_free, (nodeid_t)n);
	}
	hosted_cpu_id = 0;
	bootmem_init(NULL, 0);
}

void fz_heap_release(void)
{
	if (!fz_installed)
		return;
	fake_topo_reset();
	hosted_cpu_id = 0;
	fz_poison(fz_arena.buf, FZ_ARENA_LEN);
	fz_installed = false;
}

void fz_check_heap_startup(struct topology *t, const struct mem_range *map, unsigned int nr)
{
	fz_heap_release();
	fz_arena_reset();
	fz_installed = true;
	topo = t;
	fz_topology_pages(t);
	fz_build_heap(t, map, nr);
	heapfx_shape(&fz_built);
	fz_check_built(t);
	fz_start_cpus(t);
	fz_stop_cpus(t);
	fz_heap_release();
}
