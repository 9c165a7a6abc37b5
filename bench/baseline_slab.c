/*
 * The baseline object allocator of the benchmarks (baseline_slab.h): one
 * pool of size classes behind one global lock. Owns the class free lists,
 * the page to class table and the page count; knows the topology only
 * for the extent of RAM, never nodes or CPUs.
 *
 * Locking: pool_lock guards everything; a class that grows calls the
 * baseline page allocator with it held (pool_lock, then base_lock).
 * Invariants: each free object is on exactly one list, its class's;
 * table[] names the class of every page of every chunk and is 0
 * elsewhere; chunks are never given back, so table entries never change
 * once set.
 */
#include <string.h>

#include <hv/arch.h>
#include <hv/errno.h>
#include <hv/mm.h>
#include <hv/spinlock.h>

#include "baseline_heap.h"
#include "baseline_slab.h"

#define NR_CLASSES 13
#define SMALL_MAX 256 /* classes up to here found by table */
#define CHUNK_MAX_ORDER 4
#define CHUNK_MIN_OBJS 8 /* per chunk, where the waste allows */

/* The classes of Proxima's kmalloc, so that both round sizes alike. */
static const unsigned int class_size[NR_CLASSES] = {
    8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

struct base_class {
	void *free;	    /* first free object; each free object holds the next's address */
	unsigned int order; /* of its chunks */
};

static struct spinlock pool_lock = SPINLOCK_INIT;
static struct base_class classes[NR_CLASSES];
static u8 small_class[SMALL_MAX / 8 + 1]; /* by (size + 7) / 8 */
static u8 *table;			  /* per page from table_start: class + 1, or 0 */
static mfn_t table_start, table_end;
static u64 pool_pages;

static unsigned int class_of(size_t size)
{
	if (size <= SMALL_MAX)
		return small_class[(size + 7) / 8];
	/* 257..512 is class 8, and each class above doubles. */
	return (unsigned int)(63 - __builtin_clzll((unsigned long long)size - 1));
}

/* The smallest chunk that holds CHUNK_MIN_OBJS objects and wastes at most an eighth. */
static unsigned int chunk_order(unsigned int size)
{
	unsigned int o;

	for (o = 0; o < CHUNK_MAX_ORDER; o++) {
		size_t bytes = PAGE_SIZE << o, n = bytes / size;

		if (n >= CHUNK_MIN_OBJS && (bytes - n * size) * 8 <= bytes)
			break;
	}
	return o;
}

/* Carve a new chunk into class ci's list, lowest address first out; pool_lock held. */
static bool grow_locked(unsigned int ci)
{
	struct base_class *k = &classes[ci];
	size_t size = class_size[ci], n = (PAGE_SIZE << k->order) / size, i;
	struct base_page *pg = base_alloc(k->order, BASE_LOCAL, false);
	char *chunk;

	if (!pg)
		return false;
	chunk = arch_maddr_to_virt((paddr_t)pg->mfn << PAGE_SHIFT);
	memset(table + (pg->mfn - table_start), (int)ci + 1, 1UL << k->order);
	for (i = n; i-- > 0;) {
		void **obj = (void **)(chunk + i * size);

		*obj = k->free;
		k->free = obj;
	}
	pool_pages += 1UL << k->order;
	return true;
}

void *base_kmalloc(size_t size)
{
	struct base_class *k;
	unsigned long flags;
	void **obj;
	unsigned int ci;

	if (!size || size > BASE_SLAB_MAX)
		return NULL;
	ci = class_of(size);
	k = &classes[ci];
	flags = spin_lock_irqsave(&pool_lock);
	if (!k->free && !grow_locked(ci)) {
		spin_unlock_irqrestore(&pool_lock, flags);
		return NULL;
	}
	obj = k->free;
	k->free = *obj;
	spin_unlock_irqrestore(&pool_lock, flags);
	return obj;
}

void base_kfree(const void *p)
{
	paddr_t pa = p ? arch_virt_to_maddr(p) : INVALID_PADDR;
	struct base_class *k;
	unsigned long flags;
	mfn_t mfn;
	void **obj = (void **)p;

	if (pa == INVALID_PADDR)
		return;
	mfn = pa >> PAGE_SHIFT;
	if (mfn < table_start || mfn >= table_end || !table[mfn - table_start])
		return;
	k = &classes[table[mfn - table_start] - 1];
	flags = spin_lock_irqsave(&pool_lock);
	*obj = k->free;
	k->free = obj;
	spin_unlock_irqrestore(&pool_lock, flags);
}

int base_slab_init(void *(*meta)(u64 bytes, nodeid_t node))
{
	mfn_t lo = ~(mfn_t)0, hi = 0;
	unsigned int i, ci;

	spin_lock_init(&pool_lock);
	memset(classes, 0, sizeof(classes));
	pool_pages = 0;
	for (ci = 0; ci < NR_CLASSES; ci++)
		classes[ci].order = chunk_order(class_size[ci]);
	for (i = 0, ci = 0; i <= SMALL_MAX / 8; i++) {
		while (class_size[ci] < i * 8)
			ci++;
		small_class[i] = (u8)ci;
	}
	for (i = 0; i < topo->nr_ranges; i++) {
		const struct topo_range *r = &topo->range[i];

		if (r->hotplug)
			continue;
		lo = MIN(lo, (mfn_t)(r->start >> PAGE_SHIFT));
		hi = MAX(hi, (mfn_t)(r->end >> PAGE_SHIFT));
	}
	table_start = table_end = 0;
	table = lo < hi ? meta(hi - lo, 0) : NULL;
	if (!table)
		return -ENOMEM;
	table_start = lo;
	table_end = hi;
	return 0;
}

u64 base_slab_pages(void)
{
	return pool_pages;
}

u64 base_slab_table_bytes(void)
{
	return table_end - table_start;
}
