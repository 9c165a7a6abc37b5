/*
 * The slab allocator (mm/slab.c): caches of equal-sized objects carved
 * from slabs (2^order pages of one node), per-CPU object caches in front
 * of per-node slab lists, and kmalloc on top (size classes up to 8 KiB,
 * whole pages above). An object always goes back to the slab, and so the
 * node, it came from: memory never drifts between nodes.
 *
 * Allocation, free and slab_shrink() (the page allocator's reclaim hook)
 * run in any context, interrupts on or off: every lock is taken with
 * interrupts off. Create, destroy, the dumps and the checker are for
 * ordinary (non-interrupt) context.
 */
#ifndef HV_SLAB_H
#define HV_SLAB_H

#include <hv/types.h>

struct slab_cache;

/* Largest object a cache may hold; kmalloc above it takes whole pages. */
#define SLAB_MAX_OBJ_SIZE 8192

/* Longest cache name kept (longer names are cut). */
#define SLAB_NAME_MAX 32

/* slab_cache_create() flags. */
#define SLAB_NO_CPU_CACHE (1U << 0) /* no per-CPU caches: every operation takes a node lock */

/*
 * Create a cache of objects of size bytes aligned to align (0: 8; else a
 * power of two up to PAGE_SIZE; objects are always at least 8-aligned).
 * ctor, if given, makes an object's initial state: without
 * CONFIG_SLAB_DEBUG it runs once per object when its slab is made, so
 * objects must be freed in that constructed state; with SLAB_DEBUG it
 * runs each time an object is handed out (free objects hold poison).
 * name is copied. Returns NULL for size 0 or above SLAB_MAX_OBJ_SIZE, a
 * bad align, unknown flags or no memory. Not from interrupt handlers.
 */
struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj), unsigned int flags);

/*
 * Destroy a cache nobody uses any more (the caller guarantees that no CPU
 * allocates from or frees to it, now or later): every CPU's cached objects
 * are taken back, every slab freed, the descriptor freed. If objects are
 * still allocated, prints "slab <name>: destroy with N objects in use" and
 * returns -EBUSY, leaving the cache usable. -EINVAL for NULL and for the
 * kmalloc and internal caches. 0 on success.
 */
int slab_cache_destroy(struct slab_cache *c);

/* An object from the calling CPU's home node (its node, or the nearest node with memory). */
void *slab_alloc(struct slab_cache *c);

/*
 * An object from node's memory if it has any to give, else from the
 * nearest node in node's fallback order. NULL for a node that does not
 * exist or when no memory is left anywhere.
 */
void *slab_alloc_node(struct slab_cache *c, nodeid_t node);

/*
 * Give obj back to c. NULL is ignored. A pointer that is not an object of
 * c (another cache's object, an interior pointer, not slab memory) is
 * reported and not freed. With CONFIG_SLAB_DEBUG, so are double frees
 * and objects whose state word before the object was overwritten; other
 * red-zone damage is reported, repaired, and the object freed.
 */
void slab_free(struct slab_cache *c, void *obj);

/*
 * size bytes from the "kmalloc-<class>" cache that fits (8, 16, 32, 64,
 * 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192), aligned to 16 (8 for
 * the 8-byte class); above 8192, 2^order whole pages (page-aligned). Local
 * node, then its fallback order. NULL for 0, for sizes above 2^MAX_ORDER
 * pages and when memory runs out.
 */
void *kmalloc(size_t size);

/* kmalloc, with all ksize() bytes zeroed. */
void *kzalloc(size_t size);

/* kmalloc from node's memory, else the nearest node that has some. */
void *kmalloc_node(size_t size, nodeid_t node);

/* kmalloc_node, with all ksize() bytes zeroed. */
void *kzalloc_node(size_t size, nodeid_t node);

/*
 * Free what kmalloc returned. NULL is ignored; anything else that is not
 * a live kmalloc block is reported and left alone.
 */
void kfree(const void *p);

/* Bytes usable at p (a live kmalloc block): its class, or its whole pages. 0 if not one. */
size_t ksize(const void *p);

/*
 * Give memory back: drain the calling CPU's object caches, free every
 * empty slab on every node, and ask every other CPU to drain its caches
 * (they do on their next slow path or slab_idle()). Returns the pages
 * freed. Registered as the page allocator's reclaim function.
 */
unsigned long slab_shrink(void);

/*
 * Bring the allocator up: internal caches, the kmalloc caches, the 's'
 * debug key and the page allocator's reclaim hook. Boot CPU, once, after
 * heap_boot(). (Calling it again forgets every cache without freeing
 * anything; the hosted tests do that with each new heap fixture.)
 */
void slab_init(void);

/* Ticks of idling (at 100 Hz) after which a CPU gives its cached objects back. */
#define SLAB_IDLE_DRAIN_TICKS 100

/*
 * Idle-loop hook of every CPU; idle_ticks counts ticks since the CPU last
 * did anything else. Drains this CPU's caches if another CPU asked, and
 * once it has been idle for SLAB_IDLE_DRAIN_TICKS, so that an idle CPU
 * does not keep slabs from going back to the page allocator.
 */
void slab_idle(unsigned int idle_ticks);

/*
 * The 's' key: for each cache in creation order
 *   slab <name>: size <bytes> objs <in use>/<total> slabs <n> pcpu <cached>
 * then for each node holding slabs of it
 *   slab <name>: node <N> slabs <n> partial <n> objs <out>
 * and at the end
 *   slab kmalloc-large: pages <n> allocs <n>
 * "in use" counts objects handed out (not those in per-CPU caches); a
 * node's "out" counts its objects out of its slabs, handed out or cached,
 * so the node lines add up to in use plus pcpu.
 */
void slab_dump(void);

/* Boot self-test on every CPU at once (CONFIG_SELFTEST; mm/slab_selftest.c). */
void slab_selftest(void);

/*
 * Check every invariant of every cache (lists against counts, each object
 * exactly once: in a slab's free stack, a per-CPU cache or in use; page
 * marks; with SLAB_DEBUG red zones and poison). Prints each violation and
 * returns how many. Only while no CPU allocates or frees.
 */
unsigned int slab_check(void);

/* The cache called name, or NULL. */
struct slab_cache *slab_cache_find(const char *name);

/* Totals of a cache (a snapshot: exact only while nobody uses it). */
struct slab_info {
	u64 size;  /* the object size asked for */
	u64 inuse; /* objects handed out */
	u64 total; /* capacity of all its slabs */
	u64 slabs;
	u64 pcpu; /* objects waiting in per-CPU caches */
	u32 objs_per_slab;
	u32 order;	  /* of each slab */
	u32 limit, batch; /* per-CPU cache size and refill/overflow batch (0: none) */
	u32 limit_max;	  /* what a CPU's array grows to under bursts */
	u32 reserve;	  /* empty slabs a node may keep while busy */
};
void slab_cache_info(const struct slab_cache *c, struct slab_info *info);

/* A cache's slabs on one node. */
struct slab_node_info {
	u64 slabs, partial, empty;
	u64 out;   /* objects out of its slabs: inuse + pcpu */
	u64 inuse; /* objects of this node handed out */
	u64 pcpu;  /* objects of this node in per-CPU caches */
	u64 pages;
};
void slab_node_info(const struct slab_cache *c, nodeid_t node, struct slab_node_info *info);

/* Pages node holds for the slab allocator: every cache's slabs and large kmalloc blocks. */
u64 slab_node_pages(nodeid_t node);

/* Large kmalloc blocks now allocated: pages and blocks. */
void slab_large_info(u64 *pages, u64 *allocs);

/* Misuse reports printed so far (bad frees, red zones, poison). */
unsigned long slab_reports(void);

#endif /* HV_SLAB_H */
