/*
 * kmalloc on top of the slab caches: thirteen size classes from 8 to 8192
 * bytes ("kmalloc-<size>" caches, made at slab_init()), and whole pages
 * from the page allocator above that, marked PG_LARGE on their head page
 * with the order in its private field. Owns the class table and the
 * counts of large blocks. kfree() tells the three kinds of memory apart
 * by the page: PG_SLAB (an object, found through its slab), PG_LARGE (a
 * block it frees whole), anything else (reported, left alone). No locks
 * of its own: the slab caches and the page allocator take theirs.
 *
 * kfree() guesses the per-CPU array an object goes back to: the one the
 * CPU's last kmalloc() took from (kmalloc_last). An object freed soon
 * after it was allocated, the common case, is then pushed without waiting
 * for the walk from the pointer to its page and cache, which only has to
 * confirm the guess: the address the push writes does not depend on the
 * object. A wrong guess costs a comparison and takes the cache's own
 * array, as every free did before.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/slab.h>

#include "slab_internal.h"

static const unsigned int kmalloc_sizes[] = {
    8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
#define NR_KMALLOC ARRAY_SIZE(kmalloc_sizes)
_Static_assert(SLAB_MAX_OBJ_SIZE == 8192, "the largest kmalloc class is the largest object");

static struct slab_cache *kmalloc_caches[NR_KMALLOC];
/* The cache of each size up to 192 bytes, by (size + 7) / 8: one load. */
static struct slab_cache *kmalloc_small[25];
u64 slab_large_pages[MAX_NODES], slab_large_allocs;

/*
 * Per CPU, the array its last kmalloc() took an object from, or
 * no_array (which matches no cache and takes nothing). Written and read
 * only by its CPU, with interrupts off; a cache line each. kmalloc caches
 * are never destroyed, so an array named here stays valid.
 */
static struct slab_cpu no_array;
static struct {
	struct slab_cpu *sc;
} __aligned(64) kmalloc_last[CONFIG_NR_CPUS];

void slab_kmalloc_init(void)
{
	char name[SLAB_NAME_MAX];
	unsigned int i;

	memset(slab_large_pages, 0, sizeof(slab_large_pages));
	slab_large_allocs = 0;
	for (i = 0; i < CONFIG_NR_CPUS; i++)
		kmalloc_last[i].sc = &no_array;
	for (i = 0; i < NR_KMALLOC; i++) {
		struct slab_cache *c;

		snprintf(name, sizeof(name), "kmalloc-%u", kmalloc_sizes[i]);
		c = slab_cache_create(name, kmalloc_sizes[i], MIN(kmalloc_sizes[i], 16U), NULL, 0);
		if (!c)
			panic("slab: no memory for %s", name);
		c->flags |= CACHE_PERMANENT | CACHE_KMALLOC;
		kmalloc_caches[i] = c;
	}
	/* Up to 192 bytes by 8-byte steps: the smallest class that holds them. */
	for (i = 0; i < ARRAY_SIZE(kmalloc_small); i++) {
		unsigned int k = 0;

		while (kmalloc_sizes[k] < MAX(i, 1U) * 8)
			k++;
		kmalloc_small[i] = kmalloc_caches[k];
	}
}

static struct slab_cache *kmalloc_cache(size_t size)
{
	/* Above 192 bytes class i holds 2^(i + 1) bytes. */
	if (size <= 192)
		return kmalloc_small[(size + 7) / 8];
	return kmalloc_caches[63 - __builtin_clzll((unsigned long long)size - 1)];
}

/*
 * slab_alloc_fast() for a kmalloc cache (which always has per-CPU arrays)
 * that also records the array in kmalloc_last for kfree().
 */
static __always_inline void *kmalloc_fast(struct slab_cache *c)
{
	unsigned int cpu = arch_cpu_id();
	struct slab_cpu *sc;
	unsigned long flags;
	void *obj;

	ASSERT(cpu < CONFIG_NR_CPUS, "arch_cpu_id() is a logical CPU number");
	if (!IS_ENABLED(CONFIG_SLAB_DEBUG)) {
		flags = arch_irq_save();
		sc = c->cpu[cpu];
		if (likely(sc && sc->avail)) {
			obj = sc->objs[--sc->avail];
			kmalloc_last[cpu].sc = sc;
			arch_irq_restore(flags);
			return obj;
		}
		arch_irq_restore(flags);
	}
	return slab_alloc_slow(c, cpu);
}

/*
 * Push obj, a checked object of c on node, on the array kmalloc_last
 * names if it is this CPU's array of c on obj's node with room; else
 * slab_free_fast() (c's own array, or the full path).
 */
static __always_inline void kfree_fast(struct slab_cache *c, struct slab *s, void *obj,
				       nodeid_t node)
{
	unsigned int cpu = arch_cpu_id();
	struct slab_cpu *sc;
	unsigned long flags;

	ASSERT(cpu < CONFIG_NR_CPUS, "arch_cpu_id() is a logical CPU number");
	if (!IS_ENABLED(CONFIG_SLAB_DEBUG)) {
		flags = arch_irq_save();
		sc = kmalloc_last[cpu].sc;
		if (likely(sc->cache == c && node == sc->home && sc->avail < sc->limit)) {
			sc->objs[sc->avail++] = obj;
			arch_irq_restore(flags);
			return;
		}
		arch_irq_restore(flags);
	}
	slab_free_fast(c, s, obj, node);
}

static void *large_alloc(size_t size, nodeid_t node)
{
	unsigned int order = 0;
	struct page *pg;

	if (size > (PAGE_SIZE << MAX_ORDER))
		return NULL;
	while ((PAGE_SIZE << order) < size)
		order++;
	pg = alloc_pages(order, MEMF_PREFER | MEMF_NODE(node));
	if (!pg)
		return NULL;
	pg->owner = NULL;
	pg->private = order;
	__atomic_fetch_or(&pg->flags, PG_LARGE, __ATOMIC_RELEASE);
	__atomic_fetch_add(&slab_large_pages[pg->node], 1UL << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&slab_large_allocs, 1, __ATOMIC_RELAXED);
	return arch_maddr_to_virt(page_to_maddr(pg));
}

void *kmalloc_node(size_t size, nodeid_t node)
{
	ASSERT(kmalloc_caches[0], "kmalloc_init() ran before the first kmalloc");
	if (!size || node >= topo->nr_nodes)
		return NULL;
	if (size > SLAB_MAX_OBJ_SIZE)
		return large_alloc(size, node);
	return slab_alloc_node(kmalloc_cache(size), node);
}

void *kmalloc(size_t size)
{
	ASSERT(kmalloc_caches[0], "kmalloc_init() ran before the first kmalloc");
	if (!size)
		return NULL;
	if (size > SLAB_MAX_OBJ_SIZE)
		return large_alloc(size, cpu_to_node(arch_cpu_id()));
	if (alloc_fault())
		return NULL;
	return kmalloc_fast(kmalloc_cache(size));
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, ksize(p));
	return p;
}

void *kzalloc_node(size_t size, nodeid_t node)
{
	void *p = kmalloc_node(size, node);

	if (p)
		memset(p, 0, ksize(p));
	return p;
}

/* Whether p, on page pg, starts a live large kmalloc block. */
static bool is_large_head(const void *p, const struct page *pg)
{
	return (READ_ONCE(pg->flags) & PG_LARGE) && !((uintptr_t)p % PAGE_SIZE);
}

/*
 * kfree() of what its fast path does not take: a page the frame directory
 * does not resolve, a large block, and every misuse, each reported.
 */
static __noinline void kfree_other(const void *p)
{
	struct slab_cache *c;
	struct page *pg;
	struct slab *s;

	pg = slab_virt_to_page(p);
	if (!pg) {
		slab_report("kfree of %p: not heap memory\n", p);
		return;
	}
	if (READ_ONCE(pg->flags) & PG_SLAB) {
		s = pg->owner;
		c = slab_page_cache(pg);
		if (!(c->flags & CACHE_KMALLOC))
			slab_report("kfree of %p: object of cache %s, not kmalloc\n", p, c->name);
		else if (!slab_is_object(c, s, p))
			slab_report("slab %s: free of %p: not an object of this cache\n", c->name,
				    p);
		else
			kfree_fast(c, s, (void *)p, pg->node);
		return;
	}
	/* Claim the block: of two racing frees, one finds the mark gone. */
	if (!is_large_head(p, pg) ||
	    !(__atomic_fetch_and(&pg->flags, ~PG_LARGE, __ATOMIC_ACQ_REL) & PG_LARGE)) {
		slab_report("kfree of %p: not a kmalloc block\n", p);
		return;
	}
	__atomic_fetch_sub(&slab_large_pages[pg->node], 1UL << pg->private, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&slab_large_allocs, 1, __ATOMIC_RELAXED);
	free_pages(pg, (unsigned int)pg->private, false);
}

void kfree(const void *p)
{
	struct slab_cache *c;
	struct page *pg;

	if (!p)
		return;
	pg = frame_dir_page(arch_virt_to_maddr(p) >> PAGE_SHIFT);
	if (likely(pg && (READ_ONCE(pg->flags) & PG_SLAB))) {
		c = slab_page_cache(pg);
		if (likely((c->flags & CACHE_KMALLOC) && slab_is_object(c, pg->owner, p))) {
			kfree_fast(c, pg->owner, (void *)p, pg->node);
			return;
		}
	}
	kfree_other(p);
}

size_t ksize(const void *p)
{
	struct page *pg = p ? slab_virt_to_page(p) : NULL;
	const struct slab_cache *c;

	if (!pg)
		return 0;
	if (READ_ONCE(pg->flags) & PG_SLAB) {
		c = slab_page_cache(pg);
		return (c->flags & CACHE_KMALLOC) && slab_is_object(c, pg->owner, p) ? c->size : 0;
	}
	return is_large_head(p, pg) ? PAGE_SIZE << pg->private : 0;
}
