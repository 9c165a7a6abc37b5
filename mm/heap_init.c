/*
 * Building the heap at boot: a frame table for every present range of each
 * node (no limit on how many firmware gives), allocated in that node's
 * memory, and the free memory of the boot allocator handed to
 * the buddy lists as the largest aligned blocks that fit. Boot memory may
 * hold anything, so it enters the heap dirty and is zeroed before anyone
 * receives it (at allocation or by an idle CPU of its node).
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "heap_internal.h"

/* The page-aligned part of a present topology range, if it holds a page. */
static bool range_pages(const struct topo_range *r, mfn_t *start, mfn_t *end)
{
	if (r->hotplug)
		return false;
	*start = ALIGN_UP(r->start, PAGE_SIZE) >> PAGE_SHIFT;
	*end = r->end >> PAGE_SHIFT;
	return *start < *end;
}

/* Pages left out of node n's heap: one line with the size and why. */
static void leave_out(nodeid_t n, mfn_t start, mfn_t end)
{
	heap[n].lost += end - start;
	pr_err("heap: node %u: %llu KiB at 0x%llx-0x%llx left out: no memory for its frame "
	       "table\n",
	       n, ((end - start) << (PAGE_SHIFT - 10)), start << PAGE_SHIFT, end << PAGE_SHIFT);
}

/*
 * Node n's spans, one per present range of the topology (however many
 * firmware gave it), sorted by address. The span table and the frames come
 * from the node's memory: all frames in one block when it can, else span
 * by span, and a span whose frames cannot be had is left out, reported.
 */
static int alloc_node_frames(nodeid_t n, void *(*meta)(u64, nodeid_t))
{
	struct node_heap *h = &heap[n];
	unsigned int i, nr = 0;
	struct page *block;
	mfn_t s, e;
	u64 pages = 0;
	int rc = 0;

	for (i = 0; i < topo->nr_ranges; i++) {
		if (topo->range[i].node == n && range_pages(&topo->range[i], &s, &e)) {
			nr++;
			pages += e - s;
		}
	}
	if (!nr)
		return 0;
	h->span = meta((u64)nr * sizeof(*h->span), n);
	if (!h->span) {
		h->lost = pages;
		pr_err("heap: node %u: %llu KiB in %u range%s left out: no memory for its span "
		       "table\n",
		       n, (pages << (PAGE_SHIFT - 10)), nr, nr == 1 ? "" : "s");
		return -ENOMEM;
	}
	block = meta(pages * sizeof(struct page), n);
	for (i = 0; i < topo->nr_ranges; i++) {
		struct heap_span *sp;

		if (topo->range[i].node != n || !range_pages(&topo->range[i], &s, &e))
			continue;
		sp = &h->span[h->nr_spans];
		sp->frames = block ? block : meta((e - s) * sizeof(struct page), n);
		if (!sp->frames) {
			leave_out(n, s, e);
			rc = -ENOMEM;
			continue;
		}
		if (block)
			block += e - s;
		sp->start = s;
		sp->end = e;
		h->nr_spans++;
	}
	return rc;
}

void heap_init_node_frames(nodeid_t n)
{
	struct node_heap *h = &heap[n];
	unsigned int k;

	for (k = 0; k < h->nr_spans; k++) {
		struct heap_span *s = &h->span[k];
		mfn_t m;

		for (m = s->start; m < s->end; m++) {
			struct page *pg = &s->frames[m - s->start];

			pg->mfn = m;
			pg->node = n;
			pg->zone = zone_of(m);
			pg->flags = PG_OFFLINE;
		}
	}
}

/*
 * The frame directory over every span (see heap_internal.h), in memory
 * from meta on node 0; without it (no memory) every lookup searches. Its
 * entries only point into frame tables: 16 bytes per 2 MiB of address
 * space up to the highest frame (128 KiB for 16 GiB), at most 1 MiB.
 */
static void build_frame_dir(void *(*meta)(u64 bytes, nodeid_t node))
{
	mfn_t top = 0;
	unsigned int n, k;
	u64 nr, c;

	frame_dir = NULL;
	frame_dir_entries = 0;
	for (n = 0; n < MAX_NODES; n++)
		for (k = 0; k < heap[n].nr_spans; k++)
			top = MAX(top, heap[n].span[k].end);
	frame_dir_shift = FRAME_DIR_MIN_SHIFT;
	while (((top + (1ULL << frame_dir_shift) - 1) >> frame_dir_shift) > FRAME_DIR_MAX)
		frame_dir_shift++;
	nr = (top + (1ULL << frame_dir_shift) - 1) >> frame_dir_shift;
	if (!nr || !(frame_dir = meta(nr * sizeof(*frame_dir), 0)))
		return;
	memset(frame_dir, 0, nr * sizeof(*frame_dir));
	for (n = 0; n < MAX_NODES; n++) {
		for (k = 0; k < heap[n].nr_spans; k++) {
			const struct heap_span *sp = &heap[n].span[k];

			/* The entries whose frames all lie in this span. */
			for (c = ALIGN_UP(sp->start, 1ULL << frame_dir_shift) >> frame_dir_shift;
			     c < nr && (c + 1) << frame_dir_shift <= sp->end; c++)
				frame_dir[c] = (struct frame_dir_entry){sp->start, sp->frames};
		}
	}
	frame_dir_entries = nr;
}

int heap_alloc_frames(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int n;
	int rc = 0;

	frame_dir = NULL;
	frame_dir_entries = 0;
	for (n = 0; n < MAX_NODES; n++) {
		memset(&heap[n], 0, sizeof(heap[n]));
		spin_lock_init(&heap[n].lock);
	}
	for (n = 0; n < topo->nr_nodes; n++) {
		int err = alloc_node_frames((nodeid_t)n, meta);

		if (err)
			rc = err;
	}
	build_frame_dir(meta);
	return rc;
}

int heap_init_frames(void *(*meta)(u64 bytes, nodeid_t node))
{
	int rc = heap_alloc_frames(meta);
	unsigned int n;

	for (n = 0; n < MAX_NODES; n++)
		heap_init_node_frames((nodeid_t)n);
	return rc;
}

/* Largest order of an aligned block starting at m and ending by end. */
static unsigned int block_order(mfn_t m, mfn_t end)
{
	unsigned int o = 0;

	while (o < MAX_ORDER && IS_ALIGNED(m, 1UL << (o + 1)) && m + (2UL << o) <= end)
		o++;
	return o;
}

static void seed(struct node_heap *h, struct heap_span *s, mfn_t m, mfn_t end)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);

	while (m < end) {
		/* Blocks never cross a zone boundary (16 MiB, 4 GiB). */
		mfn_t stop = end;
		unsigned long i;
		unsigned int o;

		if (m < (MiB(16) >> PAGE_SHIFT))
			stop = MIN(stop, MiB(16) >> PAGE_SHIFT);
		else if (m < (GiB(4) >> PAGE_SHIFT))
			stop = MIN(stop, GiB(4) >> PAGE_SHIFT);
		o = block_order(m, stop);
		h->managed += 1UL << o;
		/* No longer offline: these pages belong to the heap from now on. */
		for (i = 0; i < (1UL << o); i++)
			s->frames[m - s->start + i].flags = 0;
		heap_free_locked(h, &s->frames[m - s->start], o, true);
		m += 1UL << o;
	}
	spin_unlock_irqrestore(&h->lock, flags);
}

void heap_add_free_node(const struct mem_range *free, unsigned int nr_free, nodeid_t n)
{
	unsigned int i, k;

	for (i = 0; i < nr_free; i++) {
		mfn_t fs = ALIGN_UP(free[i].start, PAGE_SIZE) >> PAGE_SHIFT;
		mfn_t fe = free[i].end >> PAGE_SHIFT;

		for (k = 0; k < heap[n].nr_spans; k++) {
			struct heap_span *s = &heap[n].span[k];
			mfn_t a = MAX(fs, s->start), b = MIN(fe, s->end);

			if (a < b)
				seed(&heap[n], s, a, b);
		}
	}
}

void heap_add_free(const struct mem_range *free, unsigned int nr_free)
{
	unsigned int n;

	for (n = 0; n < MAX_NODES; n++)
		heap_add_free_node(free, nr_free, (nodeid_t)n);
}
