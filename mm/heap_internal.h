/*
 * What the page allocator's files share among themselves (mm/page_alloc.c,
 * mm/pcp.c, mm/scrub.c, mm/heap_init.c) and with their tests. Not for use
 * elsewhere: the API is <hv/mm.h>.
 */
#ifndef MM_HEAP_INTERNAL_H
#define MM_HEAP_INTERNAL_H

#include <hv/boot.h>
#include <hv/mm.h>

/* A run of frames: the struct pages for mfns [start, end). */
struct heap_span {
	mfn_t start, end;
	struct page *frames;
};

struct heap_zone {
	struct page *free[MAX_ORDER + 1];
	u64 nr_blocks[MAX_ORDER + 1];
	u64 free_pages;
};

struct node_heap {
	struct spinlock lock;
	struct heap_zone zone[NR_ZONES];
	/* Sorted by address, one per present range; set up at boot. */
	unsigned int nr_spans;
	struct heap_span *span;
	u64 managed;	 /* pages handed to the heap at boot */
	u64 lost;	 /* pages of the node left out (reported at boot) */
	u64 free_pages;	 /* in the buddy free lists */
	u64 dirty_pages; /* of those, not yet zeroed (with the CPUs' changes: heap_dirty()) */
	u64 scrubbing;	 /* taken out by an idle CPU to be zeroed */
	/*
	 * Shared counters, only for CPUs that have no per-CPU ones (pcp.c);
	 * read the totals with heap_allocated() and heap_stats().
	 */
	u64 allocated;
	struct node_stats stats;
};

extern struct node_heap heap[MAX_NODES];

/*
 * The frame directory: mfn_to_page() in constant time. Entry c covers the
 * 2^frame_dir_shift frames from c << frame_dir_shift; when one span holds
 * all of them, frames and start are that span's (the page of mfn is
 * frames + (mfn - start)), else frames is NULL and the lookup searches
 * the spans. Built by heap_alloc_frames() with the finest granularity,
 * from 2 MiB (FRAME_DIR_MIN_SHIFT), that covers every frame in at most
 * FRAME_DIR_MAX entries (1 MiB of directory): 2 MiB up to 128 GiB of
 * physical address space, 4 MiB up to 256 GiB, and so on, so that only
 * the entries where a span starts or ends off that granularity search.
 */
#define FRAME_DIR_MIN_SHIFT 9
#define FRAME_DIR_MAX 65536
struct frame_dir_entry {
	mfn_t start;
	struct page *frames;
};
extern struct frame_dir_entry *frame_dir;
extern u64 frame_dir_entries;
extern unsigned int frame_dir_shift;
extern const char *const zone_names[NR_ZONES];

/*
 * The page of mfn as the frame directory alone tells it, or NULL where it
 * cannot (no entry, or one that spans share: mfn_to_page() searches).
 * Any mfn is accepted: the frame of INVALID_PADDR lies past the directory.
 */
static __always_inline struct page *frame_dir_page(mfn_t mfn)
{
	u64 c = mfn >> frame_dir_shift;

	if (likely(c < frame_dir_entries && frame_dir[c].frames))
		return &frame_dir[c].frames[mfn - frame_dir[c].start];
	return NULL;
}

/* mfn_to_page() with its constant-time case inline, for the hot paths. */
static __always_inline struct page *frame_lookup(mfn_t mfn)
{
	struct page *pg = frame_dir_page(mfn);

	return likely(pg) ? pg : mfn_to_page(mfn);
}

/* The zone a page frame belongs to. */
enum zone_id zone_of(mfn_t mfn);

/* Buddy operations; h->lock held. */
struct page *heap_alloc_locked(struct node_heap *h, unsigned int order, int max_zone);
/*
 * Take up to count blocks of the given order, highest zone first, onto
 * *list (linked by ->next, heads of allocated blocks), splitting larger
 * blocks straight into pieces; returns how many. For refilling caches.
 */
unsigned int heap_alloc_batch_locked(struct node_heap *h, unsigned int order, unsigned int count,
				     struct page **list);
/* Free a block; dirty: every page of it now holds guest data. */
void heap_free_locked(struct node_heap *h, struct page *pg, unsigned int order, bool dirty);

/*
 * Put a block back whose pages keep their own PG_DIRTY marks; dirty says
 * whether any may be set (a hint for the scrubber and allocation).
 */
void heap_put_block_locked(struct node_heap *h, struct page *pg, unsigned int order, bool dirty);

/*
 * Set up a frame table for every present range of the topology. meta
 * provides zeroed memory for a node's span table and frames (in that node,
 * if it can); NULL when there is none, and that range is then left out of
 * the heap with a line giving its size, counted in ->lost (-ENOMEM). Boot
 * CPU, once.
 */
int heap_init_frames(void *(*meta)(u64 bytes, nodeid_t node));

/*
 * Hand free memory to the heap (after the last boot allocation): each
 * range, cut at node, span and zone boundaries, as dirty aligned blocks.
 */
void heap_add_free(const struct mem_range *free, unsigned int nr_free);

/*
 * The two steps of heap_init_frames, and heap_add_free for one node, so
 * that each node's frames are written and its memory seeded by a CPU of
 * that node (at boot, on all nodes in parallel): heap_alloc_frames on the
 * boot CPU first, then per node heap_init_node_frames and
 * heap_add_free_node, on any one CPU.
 */
int heap_alloc_frames(void *(*meta)(u64 bytes, nodeid_t node));
void heap_init_node_frames(nodeid_t n);
void heap_add_free_node(const struct mem_range *free, unsigned int nr_free, nodeid_t n);

/*
 * Check every invariant of the heap (all nodes, locks taken in turn);
 * returns the number of violations, each reported on the console. With
 * caches_empty, also that no page sits in a per-CPU cache.
 */
unsigned int heap_check(bool all_free);

/*
 * Count an allocation made outside the per-CPU cache (pcp.c): in the
 * calling CPU's counters, or the node's shared ones if it has none.
 */
void mm_count_alloc(nodeid_t got, nodeid_t intended, nodeid_t cpu_node, unsigned int order);

/* Totals over every CPU: pages allocated, pages in caches, statistics. */
u64 heap_allocated(nodeid_t n);
u64 heap_cached(nodeid_t n);
/* Free pages of node n not yet zeroed: dirty_pages and every CPU's change to it. */
u64 heap_dirty(nodeid_t n);
/* pages of node n were zeroed as they were allocated: the calling CPU's count. */
void pcp_count_zeroed(nodeid_t n, unsigned long pages);
struct node_stats heap_stats(nodeid_t n);

/*
 * Per-CPU caches (pcp.c). pcp_alloc: a block of the calling CPU's node
 * from its cache (refilled if empty), counted; NULL if there is none.
 * pcp_free: count the free, and keep or batch the block; false when the
 * caller must put it into the heap itself.
 */
struct page *pcp_alloc(unsigned int order);
bool pcp_free(struct page *pg, unsigned int order, bool dirty);
unsigned int pcp_drain_all(void);	 /* pages returned */
unsigned int pcp_drain_node(nodeid_t n); /* every cache's pages of node n */
void pcp_drain_cpu(unsigned int cpu);
/* Caches another CPU took over to drain, and owners it could not reach. */
void pcp_takeovers(u64 *taken, u64 *unreachable);
int pcp_init(void *(*meta)(u64 bytes, nodeid_t node));

/* Take the free block headed by pg out of its lists; h->lock held. */
struct page *heap_alloc_block_locked(struct node_heap *h, struct page *pg);

/* Poisoning for CONFIG_SCRUB_DEBUG (scrub.c). */
void scrub_poison(struct page *pg, unsigned int order);
void scrub_check_poison(struct page *pg, const u8 *p);

/*
 * Zero one small dirty block of node n, if it has one; returns the pages
 * zeroed. Idle CPUs call it for their own node.
 */
unsigned int scrub_step(nodeid_t n);

#endif /* MM_HEAP_INTERNAL_H */
