/*
 * The baseline allocator of the benchmarks: a textbook binary buddy heap
 * per node behind one global lock. Owns base_nodes[] and its frame tables;
 * knows the topology only for the node count, the memory ranges and the
 * CPU to node map (never distances).
 *
 * Locking: base_lock guards everything (free lists, block heads, counts).
 * Invariants: a free block is aligned to its size and lies in one span;
 * only its head carries BASE_PG_FREE and its order (pages inside a block
 * are not marked, as in the classic design); per node, the pages in the
 * free lists add up to free_pages.
 */
#include <string.h>

#include <hv/errno.h>
#include <hv/spinlock.h>

#include "baseline_heap.h"

#define BASE_MAX_SPANS 16

struct base_span {
	mfn_t start, end;
	struct base_page *frames;
};

struct base_node {
	struct base_page *free[MAX_ORDER + 1];
	u64 free_pages;
	u64 managed;
	unsigned int nr_spans;
	struct base_span span[BASE_MAX_SPANS];
};

static struct spinlock base_lock = SPINLOCK_INIT;
static struct base_node base_nodes[MAX_NODES];

static void push(struct base_node *bn, struct base_page *pg, unsigned int order)
{
	pg->flags = BASE_PG_FREE;
	pg->order = (u8)order;
	pg->prev = NULL;
	pg->next = bn->free[order];
	if (pg->next)
		pg->next->prev = pg;
	bn->free[order] = pg;
}

static void unlink_block(struct base_node *bn, struct base_page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		bn->free[pg->order] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
	pg->flags = 0;
}

static struct base_span *span_of(struct base_node *bn, mfn_t mfn)
{
	unsigned int i;

	for (i = 0; i < bn->nr_spans; i++)
		if (mfn >= bn->span[i].start && mfn < bn->span[i].end)
			return &bn->span[i];
	return NULL;
}

/* Put a block back, merging it with its free buddies; base_lock held. */
static void give_locked(struct base_node *bn, struct base_page *pg, unsigned int order)
{
	struct base_span *s = span_of(bn, pg->mfn);
	mfn_t mfn = pg->mfn;

	while (order < MAX_ORDER) {
		mfn_t bmfn = mfn ^ (1UL << order);
		struct base_page *b;

		if (bmfn < s->start || bmfn >= s->end)
			break;
		b = &s->frames[bmfn - s->start];
		if (!(b->flags & BASE_PG_FREE) || b->order != order)
			break;
		unlink_block(bn, b);
		mfn &= ~(1UL << order);
		order++;
	}
	push(bn, &s->frames[mfn - s->start], order);
}

/* Take a block of 2^order from node bn, splitting a larger one; base_lock held. */
static struct base_page *take_locked(struct base_node *bn, unsigned int order)
{
	unsigned int o;

	for (o = order; o <= MAX_ORDER; o++) {
		struct base_page *pg = bn->free[o];

		if (!pg)
			continue;
		unlink_block(bn, pg);
		while (o > order) {
			o--;
			push(bn, pg + (1UL << o), o);
		}
		pg->order = (u8)order;
		bn->free_pages -= 1UL << order;
		return pg;
	}
	return NULL;
}

static int add_span(nodeid_t n, mfn_t start, mfn_t end, void *(*meta)(u64, nodeid_t))
{
	struct base_node *bn = &base_nodes[n];
	struct base_span *s;
	mfn_t m;

	if (bn->nr_spans == BASE_MAX_SPANS)
		return -ENOSPC;
	s = &bn->span[bn->nr_spans];
	s->frames = meta((end - start) * sizeof(struct base_page), n);
	if (!s->frames)
		return -ENOMEM;
	s->start = start;
	s->end = end;
	for (m = start; m < end; m++) {
		s->frames[m - start].mfn = m;
		s->frames[m - start].node = n;
	}
	bn->nr_spans++;
	/* Seed with the largest aligned blocks that fit. */
	for (m = start; m < end;) {
		unsigned int o = 0;

		while (o < MAX_ORDER && !(m & ((2UL << o) - 1)) && m + (2UL << o) <= end)
			o++;
		push(bn, &s->frames[m - start], o);
		bn->free_pages += 1UL << o;
		bn->managed += 1UL << o;
		m += 1UL << o;
	}
	return 0;
}

int base_init(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int i;
	int rc = 0;

	memset(base_nodes, 0, sizeof(base_nodes));
	spin_lock_init(&base_lock);
	for (i = 0; i < topo->nr_ranges; i++) {
		const struct topo_range *r = &topo->range[i];
		mfn_t start = (r->start + PAGE_SIZE - 1) >> PAGE_SHIFT, end = r->end >> PAGE_SHIFT;

		if (r->hotplug || start >= end)
			continue;
		if (add_span(r->node, start, end, meta))
			rc = -ENOMEM;
	}
	return rc;
}

struct base_page *base_alloc(unsigned int order, int node, bool exact)
{
	unsigned int nr = topo->nr_nodes, target, i;
	struct base_page *pg = NULL;
	unsigned long flags;

	target = node == BASE_LOCAL ? cpu_to_node(arch_cpu_id()) : (unsigned int)node;
	if (order > MAX_ORDER || target >= nr)
		return NULL;
	flags = spin_lock_irqsave(&base_lock);
	for (i = 0; !pg && i < (exact ? 1 : nr); i++)
		pg = take_locked(&base_nodes[(target + i) % nr], order);
	spin_unlock_irqrestore(&base_lock, flags);
	return pg;
}

void base_free(struct base_page *pg, unsigned int order)
{
	struct base_node *bn = &base_nodes[pg->node];
	unsigned long flags = spin_lock_irqsave(&base_lock);

	bn->free_pages += 1UL << order;
	give_locked(bn, pg, order);
	spin_unlock_irqrestore(&base_lock, flags);
}

u64 base_managed(nodeid_t n)
{
	return base_nodes[n].managed;
}

u64 base_static_bytes(void)
{
	return sizeof(base_lock) + sizeof(base_nodes);
}
