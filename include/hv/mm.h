/*
 * The page allocator: per-node zones with buddy free lists, per-CPU caches
 * of single pages, SLIT-ordered fallback between nodes, statistics per
 * node, and scrubbing of dirty pages. See Documentation/page-allocator.md.
 *
 * Every page of RAM the topology places on a node is described by a
 * struct page in that node's own memory (the frame table). Lock order:
 * a CPU's page cache lock, then a node's heap lock; never two heap locks.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <hv/nodemask.h>
#include <hv/spinlock.h>
#include <hv/topology.h>
#include <hv/types.h>

#ifndef CONFIG_MAX_ORDER
#define CONFIG_MAX_ORDER 10
#endif
#define MAX_ORDER CONFIG_MAX_ORDER

/* Zones of a node, by the highest physical address a page may have. */
enum zone_id {
	ZONE_DMA,    /* below 16 MiB */
	ZONE_DMA32,  /* below 4 GiB */
	ZONE_NORMAL, /* everything else */
	NR_ZONES,
};

/* struct page.flags */
#define PG_FREE (1U << 0)	 /* in a buddy free list (head of a block) */
#define PG_PCP (1U << 1)	 /* in a per-CPU cache */
#define PG_DIRTY (1U << 2)	 /* this page is free and not yet zeroed (a guest's) */
#define PG_TAIL (1U << 3)	 /* inside a free block, not its head */
#define PG_OFFLINE (1U << 4)	 /* never handed out (reserved at boot) */
#define PG_DIRTY_BLOCK (1U << 5) /* on a free block's head: some page may be dirty */
#define PG_SLAB (1U << 6)	 /* allocated, part of a slab: owner is its struct slab */
#define PG_LARGE (1U << 7)	 /* allocated, head of a kmalloc block of 2^order pages */
#define PG_OWNED (1U << 8)	 /* allocated, guest memory: owner is its struct domain */

struct page {
	union {
		struct {
			struct page *next, *prev; /* free list or cache links (free pages) */
		};
		struct {
			void *owner; /* allocated pages: their user's (PG_SLAB, PG_OWNED) */
			unsigned long private; /* allocated pages: their user's */
		};
	};
	mfn_t mfn;
	u32 flags;
	u8 order; /* of the free block this page heads */
	u8 zone;
	nodeid_t node;
};

_Static_assert(sizeof(struct page) <= 32, "struct page must stay within 32 bytes");

/* Allocation flags (memf). The low byte is a node id for the node modes. */
#define MEMF_NODE(n) ((unsigned int)(n)&0xff)
#define MEMF_LOCAL 0x000  /* the calling CPU's node, then fallback */
#define MEMF_PREFER 0x100 /* MEMF_NODE(n) first, then its fallback */
#define MEMF_EXACT 0x200  /* MEMF_NODE(n) only: fail rather than fall back */
#define MEMF_MODE_MASK 0x300
#define MEMF_BITS(b) (((unsigned int)(b)&0x7f) << 16) /* address width limit */
#define MEMF_BITS_OF(f) (((f) >> 16) & 0x7f)
#define MEMF_NO_PCP 0x1000 /* bypass the per-CPU cache */
#define MEMF_NO_SCRUB                                                  \
	0x2000 /* caller overwrites the pages: hand dirty ones over as \
		  they are (and free them dirty) */

/*
 * Allocate 2^order contiguous pages. flags choose the node (MEMF_LOCAL,
 * MEMF_PREFER | MEMF_NODE(n), MEMF_EXACT | MEMF_NODE(n)) and may limit the
 * physical address width. Within each node, zones are tried from the
 * highest allowed downwards; nodes in the node's fallback order. Pages come
 * back zeroed if they were freed dirty. Returns NULL when nothing fits.
 */
struct page *alloc_pages(unsigned int order, unsigned int flags);

/*
 * The same, restricted to the nodes in mask, in the calling CPU's node's
 * fallback order.
 */
struct page *alloc_pages_mask(unsigned int order, unsigned int flags, const struct nodemask *mask);

/*
 * Free 2^order pages from alloc_pages. dirty: they held guest data. The
 * owner's flags (PG_SLAB, PG_LARGE) must be cleared first.
 */
void free_pages(struct page *pg, unsigned int order, bool dirty);

/*
 * Register the function an allocation calls when it would fail even after
 * the per-CPU page caches were drained (the slab allocator's shrinker). It
 * returns the pages it gave back; the allocation then tries once more.
 * It runs in the failing allocator's context, with no heap lock held.
 */
void heap_set_reclaim(unsigned long (*reclaim)(void));

struct page *mfn_to_page(mfn_t mfn);

/*
 * Walk node n's frame table under its heap lock and call fn for every
 * allocated page with PG_OWNED (a domain's), in frame order. A free page
 * (in a free block or a per-CPU cache) or a page of the slab allocator
 * with PG_OWNED is reported on the console instead. Returns the number of
 * such reports. fn runs with the heap lock held: it must not allocate.
 */
unsigned int heap_walk_owned(nodeid_t n, void (*fn)(void *ctx, const struct page *pg), void *ctx);

/*
 * Allocation failure injection, for the hosted tests only: they build
 * with HOSTED_ALLOC_FAULTS and define alloc_fault() (tests/hosted/
 * fake_mm.c). Every allocation entry point (alloc_pages, alloc_pages_mask,
 * slab_alloc, slab_alloc_node, and kmalloc for a slab object) asks it
 * first and fails when it returns true. The hypervisor has no such hook.
 */
#ifdef HOSTED_ALLOC_FAULTS
bool alloc_fault(void);
#else
#define alloc_fault() false
#endif

static inline mfn_t page_to_mfn(const struct page *pg)
{
	return pg->mfn;
}

static inline paddr_t page_to_maddr(const struct page *pg)
{
	return pg->mfn << PAGE_SHIFT;
}

/*
 * Boot: build the heap from the boot allocator's free memory (which is
 * retired) and register 'H' and 'm'. Boot CPU, once, after smp_init().
 */
void heap_boot(void);

/*
 * Idle-time work of the calling CPU: zero a little dirty memory of its
 * node, or after a second of idling give its cached pages back. Called by
 * every CPU's idle loop with interrupts enabled; idle_ticks counts ticks
 * since the CPU last did anything else.
 */
void heap_idle(unsigned int idle_ticks);

/*
 * Free bytes of node n: in the heap and its CPUs' caches once the heap is
 * up (true returned), else nothing is written and false returned.
 */
bool heap_node_free(nodeid_t n, u64 *bytes);

/*
 * Bytes of node n's present memory that the heap could not manage (each
 * piece reported at boot with its reason); 0 before the heap is up.
 */
u64 heap_node_lost(nodeid_t n);

/* Boot self-test on every CPU at once (CONFIG_SELFTEST). */
void heap_selftest(void);

/* Per-node statistics, all counters (never computed by walking pages). */
struct node_stats {
	u64 hit;     /* allocated here, as intended */
	u64 miss;    /* allocated here, though another node was intended */
	u64 foreign; /* intended here, allocated elsewhere */
	u64 local;   /* allocated here by a CPU of this node */
	u64 other;   /* allocated here by a CPU of another node */
};

#endif /* HV_MM_H */
