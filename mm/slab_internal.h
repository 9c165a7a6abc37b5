/*
 * What the slab allocator's files share among themselves (mm/slab.c, the
 * allocator, mm/kmalloc.c, its size classes and large blocks, and
 * mm/slab_check.c, its statistics, dump and invariant checker) and with
 * their tests: the descriptors of caches, slabs and per-CPU arrays, their
 * limits, the SLAB_DEBUG slot layout, and the list of caches. Not for use
 * elsewhere: the API is <hv/slab.h>. The lock order and the invariants are
 * described at the top of mm/slab.c.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include <hv/arch.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/slab.h>
#include <hv/spinlock.h>
#include <hv/topology.h>

#include "heap_internal.h"

#define SLAB_MAX_ORDER 4
#define SLAB_MIN_OBJS 8 /* per slab, where the waste allows */
#define SLAB_MAX_OBJS ((PAGE_SIZE << SLAB_MAX_ORDER) / 8)
_Static_assert((PAGE_SIZE << SLAB_MAX_ORDER) <= 65536, "slab_obj_index() needs offsets below 2^16");
/*
 * Empty slabs a node keeps per cache: while CPUs are busy, enough for
 * SLAB_RESERVE_ARRAYS per-CPU arrays' worth of objects (so bursts larger
 * than an array do not create and destroy slabs every time), at most
 * SLAB_RESERVE_BYTES of slabs; an idle CPU trims its home node's back to
 * SLAB_NODE_RESERVE. Caches without per-CPU arrays keep SLAB_NODE_RESERVE.
 */
#define SLAB_NODE_RESERVE 1
#define SLAB_RESERVE_ARRAYS 4
#define SLAB_RESERVE_BYTES (64 * 1024)
/*
 * Per-CPU arrays start at the cache's limit and double, up to its
 * limit_max, whenever a CPU's array both runs empty and overflows in turn
 * (a burst larger than the array); an idle or drained array goes back to
 * the limit. limit_max: SLAB_CPU_BYTES of objects, at most SLAB_CPU_MAX.
 */
#define SLAB_CPU_MAX 256
#define SLAB_CPU_BYTES (64 * 1024)
#define SLAB_REMOTE_MAX 16 /* other nodes' objects buffered per CPU and cache */

/* Cache flags beside the public SLAB_* ones. */
#define CACHE_PERMANENT (1U << 30) /* internal and kmalloc caches: never destroyed */
#define CACHE_KMALLOC (1U << 31)

/*
 * SLAB_DEBUG layout of each object's slot: left red zone (fill bytes, then
 * the 8-byte state word just before the object), the object, right red
 * zone (fill bytes up to the next slot, at least 8).
 */
#define RZ_WORD 8
#define RZ_FILL 0xbb
#define RZ_ALLOCATED 0xa110ca7eda110ca7ULL
#define RZ_FREE 0xf4eef4eef4eef4eeULL
#define POISON 0x6b

enum { LIST_PARTIAL, LIST_FULL, LIST_EMPTY, NR_LISTS };

struct slab {
	struct slab *next, *prev;
	struct slab_cache *cache;
	nodeid_t node;
	u8 list;
	u16 nr_free; /* entries of free[] */
	u16 free[];  /* indices of free objects, the next to go last */
};
_Static_assert(SLAB_MAX_OBJS <= 0xffff, "object indices are u16");

/* A cache's slabs on one node; a cache line each, so nodes do not share one. */
struct slab_node {
	struct spinlock lock;
	struct slab *list[NR_LISTS];
	u64 nr[NR_LISTS]; /* slabs on each list */
	u64 out;	  /* objects out of these slabs (in use or cached) */
} __aligned(64);

struct slab_cpu {
	unsigned int avail, nr_remote;
	unsigned int limit, batch; /* now: the cache's, or more after bursts */
	unsigned int last_slow;	   /* SLOW_REFILL or SLOW_OVERFLOW: the last slow path */
	unsigned int drain;	   /* set by another CPU: drain at the next chance */
	nodeid_t home;
	struct slab_cache *cache; /* whose array this is (kfree() checks its guess) */
	nodeid_t remote_node[SLAB_REMOTE_MAX];
	void *remote[SLAB_REMOTE_MAX];
	void *objs[SLAB_CPU_MAX];
};

struct slab_cache {
	/* What every allocation and free reads, in one cache line with cpu[0]. */
	unsigned int flags;
	unsigned int stride;  /* bytes per object slot */
	unsigned int obj_off; /* object within its slot (the left red zone) */
	unsigned int first;   /* first slot within the slab */
	unsigned int nr_objs;
	unsigned int obj_base;	/* first + obj_off: the first object within the slab */
	unsigned int obj_bytes; /* nr_objs * stride: where the last slot ends */
	u64 div_magic;		/* 2^64 / stride, rounded up: slab_obj_index() multiplies */
	struct slab_cpu *cpu[CONFIG_NR_CPUS];
	char name[SLAB_NAME_MAX];
	struct slab_cache *next, *prev;
	size_t size; /* what the creator asked for */
	unsigned int align, order, limit, batch;
	unsigned int limit_max; /* what a CPU's array may grow to */
	unsigned int reserve;	/* empty slabs a node may keep while busy (SLAB_RESERVE_*) */
	void (*ctor)(void *obj);
	struct slab_node node[MAX_NODES];
};

/* Every cache, oldest first, linked by ->next; under slab_list_lock. */
extern struct spinlock slab_list_lock;
extern struct slab_cache *slab_cache_first;
/* Each CPU's home node: its node, or the nearest node with memory. */
extern nodeid_t slab_cpu_home[CONFIG_NR_CPUS];
/* Large kmalloc blocks: pages per node, and blocks; updated atomically. */
extern u64 slab_large_pages[MAX_NODES], slab_large_allocs;

static inline struct page *slab_virt_to_page(const void *p)
{
	paddr_t pa = arch_virt_to_maddr(p);

	return pa == INVALID_PADDR ? NULL : frame_lookup(pa >> PAGE_SHIFT);
}

/* The cache of a PG_SLAB page (kept beside owner, to save a load on free). */
static inline struct slab_cache *slab_page_cache(const struct page *pg)
{
	return (struct slab_cache *)pg->private;
}

/* The slab p lies in, or NULL when p is not slab memory. */
static inline struct slab *slab_of(const void *p)
{
	struct page *pg = slab_virt_to_page(p);

	return pg && (READ_ONCE(pg->flags) & PG_SLAB) ? pg->owner : NULL;
}

static inline void *slab_obj_at(const struct slab_cache *c, const struct slab *s, unsigned int i)
{
	return (char *)s + c->first + (size_t)i * c->stride + c->obj_off;
}

/*
 * Division by a slot's stride without a divide instruction (these are the
 * free path's checks), with M = div_magic = floor((2^64 - 1) / stride) + 1:
 * for any off below 2^32, off / stride is the high 64 bits of off * M, and
 * stride divides off exactly when the low 64 bits of off * M are below M
 * (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019).
 * Offsets within a slab are below 2^16.
 */

/* Whether an object of s starts at p: whole slots from the first, before the end. */
static inline bool slab_is_object(const struct slab_cache *c, const struct slab *s, const void *p)
{
	/* Below the first object, off wraps around and is too large too. */
	u64 off = (uintptr_t)p - ((uintptr_t)s + c->obj_base);

	return off < c->obj_bytes && off * c->div_magic < c->div_magic;
}

/* The index of the object starting at p in s, or -1 if no object starts there. */
static inline int slab_obj_index(const struct slab_cache *c, const struct slab *s, const void *p)
{
	u64 off = (uintptr_t)p - ((uintptr_t)s + c->obj_base);

	if (!slab_is_object(c, s, p))
		return -1;
	return (int)(((unsigned __int128)off * c->div_magic) >> 64);
}

static inline bool slab_node_has_memory(nodeid_t n)
{
	return topo->node[n].present != 0;
}

/* The list s belongs on by its free count. */
static inline unsigned int slab_list_of(const struct slab_cache *c, const struct slab *s)
{
	return !s->nr_free ? LIST_FULL : s->nr_free == c->nr_objs ? LIST_EMPTY : LIST_PARTIAL;
}

/* SLAB_DEBUG: the word before obj, RZ_ALLOCATED or RZ_FREE. */
static inline u64 *slab_state_word(void *obj)
{
	return (u64 *)((char *)obj - RZ_WORD);
}

/* Offset of the first byte of [p, p + len) that is not b, or len. */
size_t slab_first_diff(const u8 *p, u8 b, size_t len);

/*
 * SLAB_DEBUG: whether the red zones of obj, but its state word, are
 * damaged; *off: where, from obj (negative: before it).
 */
bool slab_rz_damaged(const struct slab_cache *c, const u8 *obj, long *off);

/*
 * Objects of c handed out: out of its slabs and not in a per-CPU array (a
 * snapshot, exact only while nobody uses c). mm/slab_check.c.
 */
u64 slab_in_use(const struct slab_cache *c);

/* The 's' debug key: slab_dump(). mm/slab_check.c. */
void slab_key_dump(unsigned char key);

/* Count a misuse and print its report (an error line naming cache and address). */
void __printf(1, 2) slab_report(const char *fmt, ...);

/*
 * Free obj, a checked object of slab s of c on node (its page's node, so
 * that the fast path need not read the slab's header): the part slab_free
 * and kfree share.
 */
void slab_free_object(struct slab_cache *c, struct slab *s, void *obj, nodeid_t node);

/* Make the kmalloc caches (mm/kmalloc.c); from slab_init(). */
void slab_kmalloc_init(void);

/*
 * The per-CPU array fast paths, inline in slab_alloc(), slab_free() and
 * kmalloc()/kfree(): the calling CPU's array of c, interrupts off, and
 * nothing shared. Everything else (no array, empty, full, another node's
 * object, SLAB_DEBUG, SLAB_NO_CPU_CACHE) goes to slab.c's full paths.
 */
void *slab_alloc_slow(struct slab_cache *c, unsigned int cpu);

static __always_inline void *slab_alloc_fast(struct slab_cache *c)
{
	unsigned int cpu = arch_cpu_id();
	struct slab_cpu *sc;
	unsigned long flags;
	void *obj;

	ASSERT(cpu < CONFIG_NR_CPUS, "arch_cpu_id() is a logical CPU number");
	if (!IS_ENABLED(CONFIG_SLAB_DEBUG) && likely(!(c->flags & SLAB_NO_CPU_CACHE))) {
		flags = arch_irq_save();
		sc = c->cpu[cpu];
		if (likely(sc && sc->avail)) {
			obj = sc->objs[--sc->avail];
			arch_irq_restore(flags);
			return obj;
		}
		arch_irq_restore(flags);
	}
	return slab_alloc_slow(c, cpu);
}

/* Free obj, an object of slab s of c on node (checked by the caller). */
static __always_inline void slab_free_fast(struct slab_cache *c, struct slab *s, void *obj,
					   nodeid_t node)
{
	unsigned int cpu = arch_cpu_id();
	struct slab_cpu *sc;
	unsigned long flags;

	ASSERT(cpu < CONFIG_NR_CPUS, "arch_cpu_id() is a logical CPU number");
	if (!IS_ENABLED(CONFIG_SLAB_DEBUG) && likely(!(c->flags & SLAB_NO_CPU_CACHE))) {
		flags = arch_irq_save();
		sc = c->cpu[cpu];
		if (likely(sc && node == sc->home && sc->avail < sc->limit)) {
			sc->objs[sc->avail++] = obj;
			arch_irq_restore(flags);
			return;
		}
		arch_irq_restore(flags);
	}
	slab_free_object(c, s, obj, node);
}

#endif /* MM_SLAB_INTERNAL_H */
