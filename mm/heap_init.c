/*
 * Building the heap at boot: one frame table per node span, allocated in
 * that node's memory, and the free memory of the boot allocator handed to
 * the buddy lists as the largest aligned blocks that fit. Boot memory may
 * hold anything, so it enters the heap dirty and is zeroed before anyone
 * receives it (at allocation or by an idle CPU of its node).
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm_internal.h>
#include <hv/printk.h>

static int add_span(nodeid_t n, mfn_t start, mfn_t end, void *(*meta)(u64, nodeid_t))
{
	struct node_heap *h = &heap[n];
	struct heap_span *s;

	if (h->nr_spans == HEAP_MAX_SPANS) {
		pr_err("heap: node %u has more than %d memory ranges; 0x%llx-0x%llx left out\n", n,
		       HEAP_MAX_SPANS, (unsigned long long)start << PAGE_SHIFT,
		       (unsigned long long)end << PAGE_SHIFT);
		return -ENOSPC;
	}
	s = &h->span[h->nr_spans];
	s->frames = meta((end - start) * sizeof(struct page), n);
	if (!s->frames) {
		pr_err("heap: no memory for node %u's frame table (%llu KiB); 0x%llx-0x%llx left "
		       "out\n", n, (unsigned long long)((end - start) * sizeof(struct page) >> 10),
		       (unsigned long long)start << PAGE_SHIFT, (unsigned long long)end << PAGE_SHIFT);
		return -ENOMEM;
	}
	s->start = start;
	s->end = end;
	h->nr_spans++;
	return 0;
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

int heap_alloc_frames(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int i, n;
	int rc = 0;

	for (n = 0; n < MAX_NODES; n++) {
		memset(&heap[n], 0, sizeof(heap[n]));
		spin_lock_init(&heap[n].lock);
	}
	for (i = 0; i < topo->nr_ranges; i++) {
		const struct topo_range *r = &topo->range[i];

		if (r->hotplug || r->end - r->start < PAGE_SIZE)
			continue;
		int err = add_span(r->node, ALIGN_UP(r->start, PAGE_SIZE) >> PAGE_SHIFT,
				   r->end >> PAGE_SHIFT, meta);

		if (err)
			rc = err;
	}
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
