/*
 * Zeroing dirty free memory in the background, and the SCRUB_DEBUG poison.
 * An idle CPU takes a small dirty block of its own node out of the heap,
 * zeroes it with the node lock dropped (node-local memory bandwidth, and
 * allocations on other CPUs go on meanwhile), and frees it back clean; one
 * step is at most 2^SCRUB_ORDER pages so the idle loop stays responsive.
 * Allocation zeroes whatever dirty pages it hands out itself, so nothing
 * depends on the scrubber having run.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm_internal.h>
#include <hv/printk.h>

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
			       (unsigned long long)page_to_maddr(pg), pg->node, i, p[i], POISON_BYTE);
			return;
		}
	}
}

/* A dirty block of node n, at most 2^SCRUB_ORDER pages, taken out of the heap. */
static struct page *take_dirty(struct node_heap *h, unsigned int *order)
{
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct page *pg = NULL;
	int z;
	unsigned int o;

	for (z = NR_ZONES - 1; z >= 0 && !pg; z--) {
		for (o = 0; o <= MAX_ORDER && !pg; o++) {
			struct page *c;

			for (c = h->zone[z].free[o]; c; c = c->next)
				if (c->flags & PG_DIRTY)
					break;
			if (!c)
				continue;
			/* Take it whole, give back all but the low 2^SCRUB_ORDER pages. */
			pg = heap_alloc_block_locked(h, c);
			*order = MIN(o, (unsigned int)SCRUB_ORDER);
			while (o > *order) {
				o--;
				heap_free_locked(h, pg + (1UL << o), o, true);
			}
			h->scrubbing += 1UL << *order;
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return pg;
}

unsigned int scrub_step(nodeid_t n)
{
	struct node_heap *h = &heap[n];
	unsigned int order = 0;
	unsigned long i, flags;
	struct page *pg;

	if (!__atomic_load_n(&h->dirty_pages, __ATOMIC_RELAXED))
		return 0;
	pg = take_dirty(h, &order);	/* counted in h->scrubbing from here on */
	if (!pg)
		return 0;
	for (i = 0; i < (1UL << order); i++)
		memset(arch_maddr_to_virt(page_to_maddr(&pg[i])), 0, PAGE_SIZE);
	if (IS_ENABLED(CONFIG_SCRUB_DEBUG))
		scrub_poison(pg, order);
	flags = spin_lock_irqsave(&h->lock);
	heap_free_locked(h, pg, order, false);
	h->scrubbing -= 1UL << order;
	spin_unlock_irqrestore(&h->lock, flags);
	return 1U << order;
}
