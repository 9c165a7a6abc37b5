/*
 * The buddy heap: per node, per zone free lists of 2^order blocks, the
 * frame table (one struct page per page, in the node's own memory), the
 * node fallback walk, statistics and zeroing of dirty pages. Owns
 * heap[] and the frame table. Per-CPU caches live in mm/pcp.c and call in
 * through the _locked functions here.
 *
 * Locking: each node's heap lock guards its zones, free lists, counters
 * and the flags of its free pages; there is no global heap lock. Callers
 * never hold two heap locks. Invariants (checked by heap_check()): a free
 * block is aligned to its size, lies in one span and one zone, its head
 * has PG_FREE and every other page PG_TAIL; per node free + cached +
 * allocated = managed; when everything is freed, blocks are fully merged.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/printk.h>

#include "heap_internal.h"

struct node_heap heap[MAX_NODES];
static unsigned long (*heap_reclaim)(void);

void heap_set_reclaim(unsigned long (*reclaim)(void))
{
	heap_reclaim = reclaim;
}

static const mfn_t zone_end[NR_ZONES] = {
    [ZONE_DMA] = MiB(16) >> PAGE_SHIFT,
    [ZONE_DMA32] = GiB(4) >> PAGE_SHIFT,
    [ZONE_NORMAL] = ~(mfn_t)0,
};

const char *const zone_names[NR_ZONES] = {"dma", "dma32", "normal"};

enum zone_id zone_of(mfn_t mfn)
{
	return mfn < zone_end[ZONE_DMA]	    ? ZONE_DMA
	       : mfn < zone_end[ZONE_DMA32] ? ZONE_DMA32
					    : ZONE_NORMAL;
}

/* The highest zone every page of which lies below 2^bits (bits 0: any). */
static int zone_limit(unsigned int bits)
{
	if (!bits || bits >= 64)
		return ZONE_NORMAL;
	if (bits >= 32)
		return ZONE_DMA32;
	if (bits >= 24)
		return ZONE_DMA;
	return -1;
}

/* The span holding mfn: binary search, spans are sorted and disjoint. */
static struct heap_span *span_of(struct node_heap *h, mfn_t mfn)
{
	unsigned int lo = 0, hi = h->nr_spans;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (mfn < h->span[mid].start)
			hi = mid;
		else if (mfn >= h->span[mid].end)
			lo = mid + 1;
		else
			return &h->span[mid];
	}
	return NULL;
}

struct frame_dir_entry *frame_dir;
u64 frame_dir_entries;
unsigned int frame_dir_shift = FRAME_DIR_MIN_SHIFT;

struct page *mfn_to_page(mfn_t mfn)
{
	u64 c = mfn >> frame_dir_shift;
	struct heap_span *s;
	unsigned int n;

	/* Constant time where one span holds the whole entry: nearly always. */
	if (c < frame_dir_entries && frame_dir[c].frames)
		return &frame_dir[c].frames[mfn - frame_dir[c].start];
	if (topo->nr_nodes) {
		n = topo_paddr_to_node(topo, mfn << PAGE_SHIFT);
		s = n < MAX_NODES ? span_of(&heap[n], mfn) : NULL;
		if (s)
			return &s->frames[mfn - s->start];
	}
	/* A hole or an address the lookup rounds to a neighbour: ask all. */
	for (n = 0; n < MAX_NODES; n++) {
		s = span_of(&heap[n], mfn);
		if (s)
			return &s->frames[mfn - s->start];
	}
	return NULL;
}

static void list_push(struct page **head, struct page *pg)
{
	pg->prev = NULL;
	pg->next = *head;
	if (*head)
		(*head)->prev = pg;
	*head = pg;
}

static void list_unlink(struct page **head, struct page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		*head = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

/*
 * Mark [pg, pg + 2^order) as one free block with pg at its head. Each page
 * keeps its own PG_DIRTY; the head's PG_DIRTY_BLOCK says some may be set.
 */
static void set_block(struct page *pg, unsigned int order, bool dirty)
{
	unsigned long i;

	pg->flags = PG_FREE | (dirty ? PG_DIRTY_BLOCK : 0) | (pg->flags & PG_DIRTY);
	pg->order = (u8)order;
	if (!IS_ENABLED(CONFIG_DEBUG))
		return;
	for (i = 1; i < (1UL << order); i++)
		pg[i].flags = PG_TAIL | (pg[i].flags & PG_DIRTY);
}

/*
 * Tail marks (PG_TAIL on every page inside a free block) let debug builds
 * catch a free of a page that is already free inside a block, and let the
 * checker verify every page; they cost O(2^order) per split and merge, so
 * production builds mark block heads only.
 */
static void clear_tails(struct page *pg, unsigned int order)
{
	unsigned long i;

	if (!IS_ENABLED(CONFIG_DEBUG))
		return;
	for (i = 1; i < (1UL << order); i++)
		pg[i].flags &= PG_DIRTY;
}

static void add_block_locked(struct node_heap *h, struct page *pg, unsigned int order, bool dirty)
{
	struct heap_zone *z = &h->zone[pg->zone];

	set_block(pg, order, dirty);
	list_push(&z->free[order], pg);
	z->nr_blocks[order]++;
	z->free_pages += 1UL << order;
	h->free_pages += 1UL << order;
}

static void take_block_locked(struct node_heap *h, struct page *pg)
{
	struct heap_zone *z = &h->zone[pg->zone];
	unsigned int order = pg->order;

	list_unlink(&z->free[order], pg);
	z->nr_blocks[order]--;
	z->free_pages -= 1UL << order;
	h->free_pages -= 1UL << order;
	pg->flags &= ~PG_FREE; /* PG_DIRTY_BLOCK stays: the taker needs it */
}

/* Mark pages dirty (each counted once in the node's dirty_pages). */
static void mark_dirty(struct node_heap *h, struct page *pg, unsigned long count)
{
	unsigned long i, n = 0;

	for (i = 0; i < count; i++) {
		if (!(pg[i].flags & PG_DIRTY)) {
			pg[i].flags |= PG_DIRTY;
			n++;
		}
	}
	__atomic_fetch_add(&h->dirty_pages, n, __ATOMIC_RELAXED);
}

void heap_free_locked(struct node_heap *h, struct page *pg, unsigned int order, bool dirty)
{
	if (dirty)
		mark_dirty(h, pg, 1UL << order);
	heap_put_block_locked(h, pg, order, dirty || (pg->flags & PG_DIRTY));
}

void heap_put_block_locked(struct node_heap *h, struct page *pg, unsigned int order, bool dirty)
{
	struct heap_span *s = span_of(h, pg->mfn);
	mfn_t mfn = pg->mfn;

	ASSERT(s, "a freed block lies in a span of its node");
	ASSERT(IS_ALIGNED(mfn, 1UL << order), "a block is aligned to its size");
	ASSERT(spin_is_locked(&h->lock), "caller holds the node lock");
	while (order < MAX_ORDER) {
		mfn_t bmfn = mfn ^ (1UL << order);
		struct page *b;

		if (bmfn < s->start || bmfn >= s->end)
			break;
		b = &s->frames[bmfn - s->start];
		/*
		 * An allocated buddy's owner may be writing its flags without our
		 * lock; it never sets PG_FREE, so one racy read is enough.
		 */
		if (!(READ_ONCE(b->flags) & PG_FREE) || b->order != order || b->zone != pg->zone)
			break;
		dirty |= b->flags & PG_DIRTY_BLOCK;
		take_block_locked(h, b);
		b->flags = (IS_ENABLED(CONFIG_DEBUG) ? PG_TAIL : 0) | (b->flags & PG_DIRTY);
		pg->flags = (IS_ENABLED(CONFIG_DEBUG) ? PG_TAIL : 0) | (pg->flags & PG_DIRTY);
		mfn &= ~(1UL << order);
		pg = &s->frames[mfn - s->start];
		order++;
	}
	add_block_locked(h, pg, order, dirty);
}

struct page *heap_alloc_block_locked(struct node_heap *h, struct page *pg)
{
	ASSERT(spin_is_locked(&h->lock), "caller holds the node lock");
	ASSERT(pg->flags & PG_FREE, "only a free block's head can be taken");
	take_block_locked(h, pg);
	clear_tails(pg, pg->order);
	return pg;
}

struct page *heap_alloc_locked(struct node_heap *h, unsigned int order, int max_zone)
{
	int zi;
	unsigned int o;

	ASSERT(spin_is_locked(&h->lock), "caller holds the node lock");
	ASSERT(order <= MAX_ORDER && max_zone < NR_ZONES, "alloc_common checked the request");
	for (zi = max_zone; zi >= 0; zi--) {
		struct heap_zone *z = &h->zone[zi];

		for (o = order; o <= MAX_ORDER; o++) {
			struct page *pg = z->free[o];
			bool dirty;

			if (!pg)
				continue;
			dirty = pg->flags & PG_DIRTY_BLOCK;
			take_block_locked(h, pg);
			/* Split: the upper halves go back, the lowest part is ours. */
			while (o > order) {
				o--;
				add_block_locked(h, pg + (1UL << o), o, dirty);
			}
			clear_tails(pg, order);
			pg->flags = (dirty ? PG_DIRTY_BLOCK : 0) | (pg->flags & PG_DIRTY);
			pg->order = (u8)order;
			return pg;
		}
	}
	return NULL;
}

unsigned int heap_alloc_batch_locked(struct node_heap *h, unsigned int order, unsigned int count,
				     struct page **list)
{
	unsigned int got = 0;

	ASSERT(spin_is_locked(&h->lock), "caller holds the node lock");
	ASSERT(order <= MAX_ORDER, "per-CPU caches keep orders up to PCP_MAX_ORDER");
	int zi = ZONE_NORMAL;

	while (got < count && zi >= 0) {
		struct heap_zone *z = &h->zone[zi];
		unsigned int o, i, n;
		struct page *pg = NULL;
		u32 dirty;

		for (o = order; o <= MAX_ORDER && !(pg = z->free[o]); o++)
			;
		if (!pg) {
			zi--; /* the zone below, as heap_alloc_locked would */
			continue;
		}
		dirty = pg->flags & PG_DIRTY_BLOCK;
		take_block_locked(h, pg);
		/* Halve until the block holds no more sub-blocks than we want. */
		while (o > order && (1U << (o - order)) > count - got) {
			o--;
			add_block_locked(h, pg + (1UL << o), o, dirty);
		}
		clear_tails(pg, o);
		n = 1U << (o - order);
		for (i = 0; i < n; i++) {
			struct page *b = pg + ((unsigned long)i << order);

			b->flags = dirty | (b->flags & PG_DIRTY);
			b->order = (u8)order;
			b->next = *list;
			*list = b;
		}
		got += n;
	}
	return got;
}

/* Zero (and with SCRUB_DEBUG check the poison of) pages leaving the heap. */
static void prepare_pages(struct page *pg, unsigned int order, bool no_scrub)
{
	bool maybe_dirty = pg->flags & (PG_DIRTY_BLOCK | PG_DIRTY);
	unsigned long i, zeroed = 0;

	pg->flags &= ~PG_DIRTY_BLOCK;
	if (!maybe_dirty && !IS_ENABLED(CONFIG_SCRUB_DEBUG))
		return;
	for (i = 0; i < (1UL << order); i++) {
		u8 *p;

		if (pg[i].flags & PG_DIRTY) {
			pg[i].flags &= ~PG_DIRTY;
			zeroed++;
			if (!no_scrub)
				memset(arch_maddr_to_virt(page_to_maddr(&pg[i])), 0, PAGE_SIZE);
		} else if (IS_ENABLED(CONFIG_SCRUB_DEBUG)) {
			p = arch_maddr_to_virt(page_to_maddr(&pg[i]));
			scrub_check_poison(&pg[i], p);
		}
	}
	if (zeroed)
		pcp_count_zeroed(pg->node, zeroed);
}

static struct page *node_alloc(nodeid_t n, unsigned int order, int max_zone)
{
	struct node_heap *h = &heap[n];
	struct page *pg;
	unsigned long flags;

	if (!h->managed)
		return NULL;
	flags = spin_lock_irqsave(&h->lock);
	pg = heap_alloc_locked(h, order, max_zone);
	spin_unlock_irqrestore(&h->lock, flags);
	return pg;
}

static bool node_has_heap(nodeid_t n)
{
	return heap[n].managed != 0;
}

/* Try target, then (unless exact) its fallback nodes allowed by mask. */
static struct page *walk_nodes(nodeid_t target, unsigned int order, int max_zone, bool exact,
			       const struct nodemask *mask)
{
	const struct topo_node *tn = &topo->node[target];
	struct page *pg = NULL;
	unsigned int i;

	if (!mask || nodemask_test(mask, target)) {
		pg = node_alloc(target, order, max_zone);
		/* The node runs short: its pages in CPU caches first, then other nodes. */
		if (!pg && node_has_heap(target) && pcp_drain_node(target))
			pg = node_alloc(target, order, max_zone);
	}
	for (i = 0; !pg && !exact && i < tn->nr_fallback; i++) {
		nodeid_t n = tn->fallback[i];

		if (!mask || nodemask_test(mask, n))
			pg = node_alloc(n, order, max_zone);
	}
	return pg;
}

static struct page *alloc_common(unsigned int order, unsigned int flags,
				 const struct nodemask *mask)
{
	nodeid_t cpu_node, target;
	int max_zone = zone_limit(MEMF_BITS_OF(flags));
	unsigned int mode = flags & MEMF_MODE_MASK;
	struct page *pg;

	if (alloc_fault())
		return NULL;
	/* The common case: a local block the CPU's cache can give. */
	if (!mask && !(flags & (MEMF_MODE_MASK | MEMF_NO_PCP | MEMF_BITS(0x7f)))) {
		pg = pcp_alloc(order);
		if (pg)
			goto out;
	}
	if (order > MAX_ORDER || max_zone < 0 || mode == MEMF_MODE_MASK)
		return NULL;
	cpu_node = target = cpu_to_node(arch_cpu_id());
	if (mode != MEMF_LOCAL) {
		target = MEMF_NODE(flags);
		if (target >= topo->nr_nodes)
			return NULL;
	}
	pg = NULL;
	if (mode != MEMF_LOCAL && target == cpu_node && !mask && max_zone == ZONE_NORMAL &&
	    !(flags & MEMF_NO_PCP)) {
		pg = pcp_alloc(order);
		if (pg)
			goto out;
	}
	pg = walk_nodes(target, order, max_zone, mode == MEMF_EXACT, mask);
	if (!pg && pcp_drain_all()) {
		/* Pages were stranded in per-CPU caches: try once more. */
		pg = walk_nodes(target, order, max_zone, mode == MEMF_EXACT, mask);
	}
	if (!pg && heap_reclaim && heap_reclaim()) {
		pcp_drain_all();
		pg = walk_nodes(target, order, max_zone, mode == MEMF_EXACT, mask);
	}
	if (!pg)
		return NULL;
	mm_count_alloc(pg->node, target, cpu_node, order);
out:
	prepare_pages(pg, order, flags & MEMF_NO_SCRUB);
	return pg;
}

struct page *alloc_pages(unsigned int order, unsigned int flags)
{
	return alloc_common(order, flags, NULL);
}

struct page *alloc_pages_mask(unsigned int order, unsigned int flags, const struct nodemask *mask)
{
	return alloc_common(order, flags, mask);
}

void free_pages(struct page *pg, unsigned int order, bool dirty)
{
	struct node_heap *h;
	unsigned long flags;

	if (!pg)
		return;
	BUG_ON(order > MAX_ORDER || (pg->flags & (PG_FREE | PG_TAIL | PG_PCP | PG_OFFLINE |
						  PG_SLAB | PG_LARGE | PG_OWNED)),
	       "free_pages of a block that is not allocated (double free, or wrong order)");
	if (IS_ENABLED(CONFIG_SCRUB_DEBUG) && !dirty)
		scrub_poison(pg, order);
	ASSERT(pg->node < topo->nr_nodes, "a heap page names its node");
	h = &heap[pg->node];
	if (pcp_free(pg, order, dirty))
		return;
	flags = spin_lock_irqsave(&h->lock);
	heap_free_locked(h, pg, order, dirty);
	spin_unlock_irqrestore(&h->lock, flags);
}
