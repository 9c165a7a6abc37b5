/*
 * The heap's invariant checker, for the self-test and the hosted tests:
 * walks every node's frame table and free lists (each node under its lock)
 * and reports, one line each, spans out of order, every page in two
 * places, misaligned or zone-crossing block, count that does not add up,
 * and (when everything has been freed) every block that should have
 * merged with its buddy.
 */
#include <hv/lib.h>
#include <hv/printk.h>

#include "heap_internal.h"

static unsigned int check_lists(struct node_heap *h, nodeid_t n, u64 *free)
{
	unsigned int bad = 0, z, o;

	for (z = 0; z < NR_ZONES; z++) {
		u64 zfree = 0;

		for (o = 0; o <= MAX_ORDER; o++) {
			u64 blocks = 0;
			struct page *pg;

			for (pg = h->zone[z].free[o]; pg; pg = pg->next) {
				blocks++;
				zfree += 1UL << o;
				if (!(pg->flags & PG_FREE) || pg->order != o || pg->zone != z ||
				    pg->node != n || !IS_ALIGNED(pg->mfn, 1UL << o)) {
					pr_err("heap check: node %u zone %s order %u: bad block at "
					       "mfn "
					       "0x%llx (flags 0x%x order %u)\n",
					       n, zone_names[z], o, pg->mfn, pg->flags, pg->order);
					bad++;
				}
			}
			if (blocks != h->zone[z].nr_blocks[o]) {
				pr_err("heap check: node %u zone %s order %u: %llu blocks listed, "
				       "%llu counted\n",
				       n, zone_names[z], o, blocks, h->zone[z].nr_blocks[o]);
				bad++;
			}
		}
		if (zfree != h->zone[z].free_pages) {
			pr_err(
			    "heap check: node %u zone %s: %llu free pages listed, %llu counted\n",
			    n, zone_names[z], zfree, h->zone[z].free_pages);
			bad++;
		}
		*free += zfree;
	}
	return bad;
}

/* Walk the frame table: each free page is one block's head or (debug builds) tail. */
static unsigned int check_frames(struct node_heap *h, nodeid_t n, bool all_free)
{
	unsigned int bad = 0, k;

	for (k = 0; k < h->nr_spans; k++) {
		struct heap_span *s = &h->span[k];
		mfn_t m = s->start;

		while (m < s->end) {
			struct page *pg = &s->frames[m - s->start];
			unsigned long i, size;

			if (!(pg->flags & PG_FREE)) {
				if (pg->flags & PG_TAIL) {
					pr_err(
					    "heap check: node %u: mfn 0x%llx is a tail of no free "
					    "block\n",
					    n, m);
					bad++;
				}
				m++;
				continue;
			}
			if (pg->flags & PG_OWNED) {
				pr_err("heap check: node %u: free block at mfn 0x%llx is still "
				       "owned by a domain\n",
				       n, m);
				bad++;
			}
			size = 1UL << pg->order;
			if (IS_ENABLED(CONFIG_DEBUG))
				for (i = 1; i < size && m + i < s->end; i++)
					if ((pg[i].flags & ~PG_DIRTY) != PG_TAIL) {
						pr_err("heap check: node %u: mfn 0x%llx inside the "
						       "free block at 0x%llx is not a tail (flags "
						       "0x%x)\n",
						       n, (m + i), m, pg[i].flags);
						bad++;
					}
			if (all_free && pg->order < MAX_ORDER) {
				mfn_t b = m ^ size;

				if (b >= s->start && b < s->end &&
				    (s->frames[b - s->start].flags & PG_FREE) &&
				    s->frames[b - s->start].order == pg->order &&
				    s->frames[b - s->start].zone == pg->zone) {
					pr_err("heap check: node %u: free buddies 0x%llx and "
					       "0x%llx of order "
					       "%u did not merge\n",
					       n, m, b, pg->order);
					bad++;
				}
			}
			m += size;
		}
	}
	return bad;
}

/* Spans sorted and disjoint, as the bisection in mfn_to_page() needs. */
static unsigned int check_spans(const struct node_heap *h, nodeid_t n)
{
	unsigned int bad = 0, k;

	for (k = 1; k < h->nr_spans; k++) {
		if (h->span[k].start < h->span[k - 1].end) {
			pr_err("heap check: node %u: span %u (mfn 0x%llx-0x%llx) does not follow "
			       "span %u (mfn 0x%llx-0x%llx)\n",
			       n, k, h->span[k].start, h->span[k].end, k - 1, h->span[k - 1].start,
			       h->span[k - 1].end);
			bad++;
		}
	}
	return bad;
}

unsigned int heap_check(bool all_free)
{
	unsigned int bad = 0, n;

	for (n = 0; n < MAX_NODES; n++) {
		struct node_heap *h = &heap[n];
		u64 free = 0, cached, allocated;
		unsigned long flags;

		if (!h->nr_spans)
			continue;
		flags = spin_lock_irqsave(&h->lock);
		bad += check_spans(h, (nodeid_t)n);
		bad += check_lists(h, (nodeid_t)n, &free);
		bad += check_frames(h, (nodeid_t)n, all_free);
		if (free != h->free_pages) {
			pr_err("heap check: node %u: %llu free pages listed, %llu counted\n", n,
			       free, h->free_pages);
			bad++;
		}
		cached = heap_cached((nodeid_t)n);
		allocated = heap_allocated((nodeid_t)n);
		if (h->free_pages + cached + allocated + h->scrubbing != h->managed) {
			pr_err("heap check: node %u: free %llu + cached %llu + allocated %llu + "
			       "scrubbing %llu != managed %llu\n",
			       n, h->free_pages, cached, allocated, h->scrubbing, h->managed);
			bad++;
		}
		if (all_free && allocated) {
			pr_err("heap check: node %u: %llu pages still allocated with everything "
			       "freed\n",
			       n, allocated);
			bad++;
		}
		spin_unlock_irqrestore(&h->lock, flags);
	}
	return bad;
}

/* Report pg (of node n) if it has PG_OWNED although it is `what`; 1 if reported. */
static unsigned int owned_but(const struct page *pg, nodeid_t n, const char *what)
{
	if (!(pg->flags & PG_OWNED))
		return 0;
	pr_err("page owners: node %u: mfn 0x%llx is %s and owned by a domain (flags 0x%x)\n", n,
	       pg->mfn, what, pg->flags);
	return 1;
}

unsigned int heap_walk_owned(nodeid_t n, void (*fn)(void *ctx, const struct page *pg), void *ctx)
{
	struct node_heap *h = &heap[n];
	unsigned int bad = 0, k;
	unsigned long flags;

	if (n >= MAX_NODES)
		return 0;
	flags = spin_lock_irqsave(&h->lock);
	for (k = 0; k < h->nr_spans; k++) {
		const struct heap_span *s = &h->span[k];
		mfn_t m = s->start;

		while (m < s->end) {
			const struct page *pg = &s->frames[m - s->start];
			u64 i, size;

			if (pg->flags & PG_FREE) {
				/* A free block: no page of it may be anybody's. */
				size = MIN(1ULL << pg->order, s->end - m);
				for (i = 0; i < size; i++)
					bad += owned_but(&pg[i], n, "free");
				m += size;
				continue;
			}
			if (pg->flags & PG_PCP)
				bad += owned_but(pg, n, "in a per-CPU cache");
			else if (pg->flags & (PG_SLAB | PG_LARGE))
				bad += owned_but(pg, n, "the slab allocator's");
			else if (pg->flags & PG_OWNED)
				fn(ctx, pg);
			m++;
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return bad;
}
