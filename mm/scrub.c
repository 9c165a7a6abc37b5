/*
 * Zeroing dirty free memory in the background, and the SCRUB_DEBUG poison.
 * Each page carries its own PG_DIRTY; a free block's head carries
 * PG_DIRTY_BLOCK when some page of it may be dirty. An idle CPU takes the
 * 2^SCRUB_ORDER aligned pages around a dirty page of its own node out of
 * the heap (counted in h->scrubbing), zeroes their dirty pages with the
 * lock dropped (node-local memory bandwidth; other CPUs allocate
 * meanwhile), and frees them back, merging as usual: every step clears
 * dirty pages for good, so the node becomes clean however blocks merge. Allocation zeroes
 * whatever dirty pages it hands out, so nothing depends on this running.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/printk.h>

#include "heap_internal.h"

#define SCRUB_ORDER 4
#define POISON_BYTE 0xa5

void scrub_poison(struct page *pg, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		memset(arch_maddr_to_virt(page_to_maddr(&pg[i])), POISON_BYTE, PAGE_SIZE);
}

void scrub_check_poison(struct page *pg, const u8 *p)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++) {
		if (p[i] != POISON_BYTE) {
			pr_err("scrub: page 0x%llx (node %u) was written while free: byte 0x%x "
			       "holds 0x%02x, not the poison 0x%02x\n",
			       page_to_maddr(pg), pg->node, i, p[i], POISON_BYTE);
			return;
		}
	}
}

/*
 * Out of the free block pg (already taken off its list, 2^order pages),
 * keep the aligned 2^SCRUB_ORDER pages around its first dirty page and put
 * the rest back; NULL (and the block back clean) if nothing is dirty.
 */
static struct page *carve_dirty(struct node_heap *h, struct page *pg, unsigned int order)
{
	unsigned long i, first;

	for (first = 0; first < (1UL << order) && !(pg[first].flags & PG_DIRTY); first++)
		;
	pg->flags &= ~PG_DIRTY_BLOCK;
	if (first == (1UL << order)) {
		heap_put_block_locked(h, pg, order, false);
		return NULL;
	}
	while (order > SCRUB_ORDER) {
		order--;
		if (first & (1UL << order)) {
			heap_put_block_locked(h, pg, order, true);
			pg += 1UL << order;
			first -= 1UL << order;
		} else {
			heap_put_block_locked(h, pg + (1UL << order), order, true);
		}
	}
	for (i = 0; i < (1UL << order); i++)
		pg[i].flags &= PG_DIRTY;
	return pg;
}

/* Take up to 2^SCRUB_ORDER pages holding a dirty page out of node h's heap. */
static struct page *take_dirty(struct node_heap *h, unsigned int *order)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct page *pg = NULL;
	int z;
	unsigned int o;

	for (z = NR_ZONES - 1; z >= 0 && !pg; z--) {
		for (o = 0; o <= MAX_ORDER && !pg; o++) {
			struct page *c = h->zone[z].free[o];

			while (c && !(c->flags & PG_DIRTY_BLOCK))
				c = c->next;
			if (!c)
				continue;
			heap_alloc_block_locked(h, c);
			pg = carve_dirty(h, c, o);
			*order = MIN(o, (unsigned int)SCRUB_ORDER);
			if (pg) {
				unsigned long i, dirty = 0;

				/* Out of the free pool: no longer counted as free and dirty. */
				for (i = 0; i < (1UL << *order); i++)
					dirty += !!(pg[i].flags & PG_DIRTY);
				__atomic_fetch_sub(&h->dirty_pages, dirty, __ATOMIC_RELAXED);
				h->scrubbing += 1UL << *order;
			} else
				o--; /* it was clean after all: look at this order again */
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return pg;
}

unsigned int scrub_step(nodeid_t n)
{
	struct node_heap *h = &heap[n];
	unsigned long i, flags, zeroed = 0;
	unsigned int order = 0;
	struct page *pg;

	if (!heap_dirty(n))
		return 0;
	pg = take_dirty(h, &order);
	if (!pg)
		return 0;
	for (i = 0; i < (1UL << order); i++) {
		if (!(pg[i].flags & PG_DIRTY))
			continue;
		memset(arch_maddr_to_virt(page_to_maddr(&pg[i])), 0, PAGE_SIZE);
		if (IS_ENABLED(CONFIG_SCRUB_DEBUG))
			scrub_poison(&pg[i], 0);
		pg[i].flags &= ~PG_DIRTY;
		zeroed++;
	}
	flags = spin_lock_irqsave(&h->lock);
	heap_put_block_locked(h, pg, order, false);
	h->scrubbing -= 1UL << order;
	spin_unlock_irqrestore(&h->lock, flags);
	return (unsigned int)zeroed;
}
