/*
 * The slab allocator: caches of equal-sized objects. Owns the cache
 * descriptors (kept in the static bootstrap cache "slab-cache"), the
 * per-CPU object arrays (cache "slab-cpu") and every slab; pages come from
 * the page allocator and go back to it. kmalloc's classes and large
 * blocks are mm/kmalloc.c; the statistics, the dump and the invariant
 * checker mm/slab_check.c; the structures they share are in
 * mm/slab_internal.h.
 *
 * A slab is 2^order pages of one node: a header (struct slab, ending in a
 * stack of free object indices, so nothing is ever stored inside a free
 * object) followed by the objects. Every page of a slab has PG_SLAB and
 * owner = its header. A slab sits on the partial, full or empty list of
 * its own node (where its memory is) in its cache; at most c->reserve
 * empty slabs per node and cache stay (a few arrays' worth, so that bursts
 * reuse them; trimmed to SLAB_NODE_RESERVE when a CPU of the node idles),
 * the rest go back at once. Each CPU has, per cache, an array of objects of its home node
 * (its node, or the nearest node with memory) that it refills from and
 * overflows to that node a batch at a time, and a buffer of other nodes'
 * objects freed on it that goes home, grouped by node, when full. Only
 * the owning CPU touches its arrays, with interrupts off and no lock;
 * other CPUs ask it to drain through a flag. slab_cache_destroy() and
 * slab_check() read every CPU's arrays: their callers guarantee quiet.
 *
 * Lock order: slab_list_lock (the list of caches; create, destroy, shrink,
 * dumps, idle drains; never on allocation or free), then one node's slab
 * lock (never two at once), then the page allocator's locks. Pages are
 * allocated with no slab lock held. Every lock is taken with interrupts
 * off. Invariants (slab_check()): each slab is on the list its free count
 * says and on its own node; per node the counters match the lists; every
 * object is exactly once in a free stack, a per-CPU array or in use;
 * per-CPU arrays hold only home-node objects and remote buffers only
 * other nodes' objects.
 */
#include <hv/arch.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/slab.h>
#include <hv/spinlock.h>
#include <hv/topology.h>

#include "slab_internal.h"

DEFINE_SPINLOCK(slab_list_lock);
struct slab_cache *slab_cache_first;
nodeid_t slab_cpu_home[CONFIG_NR_CPUS];
static struct slab_cache *cache_last;
static struct slab_cache cache_cache; /* the descriptors, itself static */
static struct slab_cache *cpu_cache;  /* struct slab_cpu */
static unsigned int drain_pending[CONFIG_NR_CPUS];
static unsigned long nr_reports;
static bool key_registered;

void slab_report(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&nr_reports, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vprintk(LOG_ERR, fmt, ap);
	va_end(ap);
}

unsigned long slab_reports(void)
{
	return __atomic_load_n(&nr_reports, __ATOMIC_RELAXED);
}

/* ---- slab lists -------------------------------------------------------------- */

static void list_put(struct slab_node *sn, struct slab *s, unsigned int l)
{
	s->list = (u8)l;
	s->prev = NULL;
	s->next = sn->list[l];
	if (s->next)
		s->next->prev = s;
	sn->list[l] = s;
	sn->nr[l]++;
}

static void list_take(struct slab_node *sn, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		sn->list[s->list] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	sn->nr[s->list]--;
	s->next = s->prev = NULL;
}

static void relist(const struct slab_cache *c, struct slab_node *sn, struct slab *s)
{
	unsigned int l = slab_list_of(c, s);

	if (l != s->list) {
		list_take(sn, s);
		list_put(sn, s, l);
	}
}

/* ---- SLAB_DEBUG: red zones and poison ---------------------------------------- */

size_t slab_first_diff(const u8 *p, u8 b, size_t len)
{
	u64 word = 0x0101010101010101ULL * b, w;
	size_t i = 0;

	for (; i < len && ((uintptr_t)(p + i) & 7); i++)
		if (p[i] != b)
			return i;
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != word)
			break;
	}
	for (; i < len; i++)
		if (p[i] != b)
			return i;
	return len;
}

static void rz_set(const struct slab_cache *c, u8 *obj, u64 state)
{
	memset(obj - c->obj_off, RZ_FILL, c->obj_off - RZ_WORD);
	memset(obj + c->size, RZ_FILL, c->stride - c->obj_off - c->size);
	__atomic_store_n(slab_state_word(obj), state, __ATOMIC_RELAXED);
}

bool slab_rz_damaged(const struct slab_cache *c, const u8 *obj, long *off)
{
	size_t left = c->obj_off - RZ_WORD, right = c->stride - c->obj_off - c->size, i;

	i = slab_first_diff(obj - c->obj_off, RZ_FILL, left);
	if (i < left) {
		*off = (long)i - (long)c->obj_off;
		return true;
	}
	i = slab_first_diff(obj + c->size, RZ_FILL, right);
	*off = (long)(c->size + i);
	return i < right;
}

/*
 * Check a free and poison the object; false (reported) when it must not go
 * ahead: a double free, or a state word so damaged that whether the
 * object is allocated cannot be told. Damaged fill bytes of an allocated
 * object's red zones are reported and repaired, and the free goes ahead.
 */
static bool debug_free(struct slab_cache *c, void *obj)
{
	u64 seen = __atomic_load_n(slab_state_word(obj), __ATOMIC_RELAXED);
	long off;

	if (seen == RZ_FREE) {
		slab_report("slab %s: double free of %p\n", c->name, obj);
		return false;
	}
	if (seen != RZ_ALLOCATED) {
		slab_report("slab %s: red zone before %p overwritten (0x%016llx), found at free; "
			    "not freed\n",
			    c->name, obj, seen);
		return false;
	}
	if (slab_rz_damaged(c, obj, &off)) {
		slab_report("slab %s: red zone %s %p overwritten at offset %ld, found at free\n",
			    c->name, off < 0 ? "before" : "after", obj, off);
		rz_set(c, obj, RZ_ALLOCATED);
	}
	if (!__atomic_compare_exchange_n(slab_state_word(obj), &seen, RZ_FREE, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		slab_report("slab %s: double free of %p\n", c->name, obj);
		return false;
	}
	memset(obj, POISON, c->size);
	return true;
}

/* Check an object being handed out; report and repair what changed while it was free. */
static void debug_alloc(struct slab_cache *c, void *obj)
{
	u64 seen = __atomic_load_n(slab_state_word(obj), __ATOMIC_RELAXED);
	size_t i = slab_first_diff(obj, POISON, c->size);
	long off;

	if (seen != RZ_FREE)
		slab_report(
		    "slab %s: red zone before %p overwritten (0x%016llx), found at allocation\n",
		    c->name, obj, seen);
	else if (slab_rz_damaged(c, obj, &off))
		slab_report(
		    "slab %s: red zone %s %p overwritten at offset %ld, found at allocation\n",
		    c->name, off < 0 ? "before" : "after", obj, off);
	if (i < c->size)
		slab_report(
		    "slab %s: %p written after free: byte %zu is 0x%02x, not poison 0x%02x\n",
		    c->name, obj, i, ((u8 *)obj)[i], POISON);
	rz_set(c, obj, RZ_ALLOCATED);
}

static void *hand_out(struct slab_cache *c, void *obj)
{
	if (!obj)
		return NULL;
	if (IS_ENABLED(CONFIG_SLAB_DEBUG)) {
		debug_alloc(c, obj);
		if (c->ctor)
			c->ctor(obj);
	}
	return obj;
}

/* ---- slabs ------------------------------------------------------------------- */

static struct slab *slab_grow(struct slab_cache *c, unsigned int memf)
{
	struct page *pg = alloc_pages(c->order, memf);
	struct slab *s;
	unsigned int i;

	if (!pg)
		return NULL;
	s = arch_maddr_to_virt(page_to_maddr(pg));
	for (i = 0; i < (1U << c->order); i++) {
		pg[i].owner = s;
		pg[i].private = (unsigned long)c;
		pg[i].flags |= PG_SLAB;
	}
	memset(s, 0, sizeof(*s));
	s->cache = c;
	s->node = pg->node;
	s->nr_free = (u16)c->nr_objs;
	for (i = 0; i < c->nr_objs; i++) {
		void *obj = slab_obj_at(c, s, i);

		s->free[i] = (u16)(c->nr_objs - 1 - i);
		if (IS_ENABLED(CONFIG_SLAB_DEBUG)) {
			memset(obj, POISON, c->size);
			rz_set(c, obj, RZ_FREE);
		} else if (c->ctor) {
			c->ctor(obj);
		}
	}
	return s;
}

/* Free a chain of slabs (linked through next); returns the pages. */
static unsigned long free_spare(const struct slab_cache *c, struct slab *spare)
{
	unsigned long pages = 0;

	while (spare) {
		struct slab *s = spare;
		struct page *pg = slab_virt_to_page(s);
		unsigned int i;

		spare = s->next;
		for (i = 0; i < (1U << c->order); i++) {
			pg[i].flags &= ~PG_SLAB;
			pg[i].owner = NULL;
			pg[i].private = 0;
		}
		free_pages(pg, c->order, false);
		pages += 1UL << c->order;
	}
	return pages;
}

/* Up to max objects of s to dst; sn locked. */
static unsigned int take_from_locked(struct slab_cache *c, struct slab_node *sn, struct slab *s,
				     void **dst, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && s->nr_free)
		dst[n++] = slab_obj_at(c, s, s->free[--s->nr_free]);
	sn->out += n;
	relist(c, sn, s);
	return n;
}

/* Up to max objects of the node's slabs, partial ones first; sn locked. */
static unsigned int take_locked(struct slab_cache *c, struct slab_node *sn, void **dst,
				unsigned int max)
{
	unsigned int got = 0;

	while (got < max) {
		struct slab *s =
		    sn->list[LIST_PARTIAL] ? sn->list[LIST_PARTIAL] : sn->list[LIST_EMPTY];

		if (!s)
			break;
		got += take_from_locked(c, sn, s, dst + got, max - got);
	}
	return got;
}

/* Put obj back into s; an emptied slab beyond the reserve goes to *spare. sn locked. */
static void put_locked(struct slab_cache *c, struct slab_node *sn, struct slab *s, void *obj,
		       struct slab **spare)
{
	if (s->nr_free == c->nr_objs) {
		slab_report("slab %s: double free of %p\n", c->name, obj);
		return;
	}
	s->free[s->nr_free++] = (u16)slab_obj_index(c, s, obj);
	sn->out--;
	relist(c, sn, s);
	if (s->list == LIST_EMPTY && sn->nr[LIST_EMPTY] > c->reserve) {
		list_take(sn, s);
		s->next = *spare;
		*spare = s;
	}
}

/* Give count objects, all from node n's slabs, back under n's lock. */
static void give_back(struct slab_cache *c, nodeid_t n, void *const *objs, unsigned int count,
		      struct slab **spare)
{
	struct slab_node *sn = &c->node[n];
	unsigned long flags = spin_lock_irqsave(&sn->lock);
	unsigned int i;

	for (i = 0; i < count; i++)
		put_locked(c, sn, slab_of(objs[i]), objs[i], spare);
	spin_unlock_irqrestore(&sn->lock, flags);
}

static unsigned int take_batch(struct slab_cache *c, nodeid_t n, void **dst, unsigned int max)
{
	struct slab_node *sn = &c->node[n];
	unsigned long flags = spin_lock_irqsave(&sn->lock);
	unsigned int got = take_locked(c, sn, dst, max);

	spin_unlock_irqrestore(&sn->lock, flags);
	return got;
}

/*
 * A new slab (pages by memf) onto its node's lists; with want, one object
 * of it. Without, a slab nobody needs (an empty one appeared meanwhile)
 * goes straight back. False when there are no pages.
 */
static bool grow(struct slab_cache *c, unsigned int memf, void **want)
{
	struct slab *s = slab_grow(c, memf), *spare = NULL;
	struct slab_node *sn;
	unsigned long flags;

	if (!s)
		return false;
	sn = &c->node[s->node];
	flags = spin_lock_irqsave(&sn->lock);
	if (want || sn->nr[LIST_EMPTY] < c->reserve)
		list_put(sn, s, LIST_EMPTY);
	else
		spare = s;
	if (want)
		take_from_locked(c, sn, s, want, 1);
	spin_unlock_irqrestore(&sn->lock, flags);
	free_spare(c, spare);
	return true;
}

/* One object from node m's slabs, else (if grow_m) from a new slab of m. */
static void *alloc_on(struct slab_cache *c, nodeid_t m, bool grow_m)
{
	void *obj = NULL;

	take_batch(c, m, &obj, 1);
	if (!obj && grow_m && slab_node_has_memory(m))
		grow(c, MEMF_EXACT | MEMF_NODE(m), &obj);
	return obj;
}

/*
 * One object, bypassing per-CPU arrays: node n, then each of n's fallback
 * nodes in order (so always the nearest that has one). grow_n: false when
 * a new slab of n was just refused.
 */
static void *alloc_nodes(struct slab_cache *c, nodeid_t n, bool grow_n)
{
	const struct topo_node *tn = &topo->node[n];
	void *obj = alloc_on(c, n, grow_n);
	unsigned int i;

	for (i = 0; !obj && i < tn->nr_fallback; i++)
		obj = alloc_on(c, tn->fallback[i], true);
	return obj;
}

static void free_direct(struct slab_cache *c, struct slab *s, void *obj)
{
	struct slab *spare = NULL;

	give_back(c, s->node, &obj, 1, &spare);
	free_spare(c, spare);
}

/* ---- per-CPU arrays ---------------------------------------------------------- */

/* Send the remote buffer home, one node's objects at a time. */
static void flush_remote(struct slab_cache *c, struct slab_cpu *sc, struct slab **spare)
{
	while (sc->nr_remote) {
		nodeid_t n = sc->remote_node[0];
		struct slab_node *sn = &c->node[n];
		unsigned long flags = spin_lock_irqsave(&sn->lock);
		unsigned int i = 0;

		while (i < sc->nr_remote) {
			void *obj = sc->remote[i];

			if (sc->remote_node[i] != n) {
				i++;
				continue;
			}
			put_locked(c, sn, slab_of(obj), obj, spare);
			sc->nr_remote--;
			sc->remote[i] = sc->remote[sc->nr_remote];
			sc->remote_node[i] = sc->remote_node[sc->nr_remote];
		}
		spin_unlock_irqrestore(&sn->lock, flags);
	}
}

/* Empty sc: its own CPU (or anyone while the cache is quiet). */
static void drain_array(struct slab_cache *c, struct slab_cpu *sc, struct slab **spare)
{
	unsigned long flags = arch_irq_save();

	give_back(c, sc->home, sc->objs, sc->avail, spare);
	sc->avail = 0;
	flush_remote(c, sc, spare);
	/* Empty again: back to the cache's size until the next burst. */
	sc->limit = c->limit;
	sc->batch = c->batch;
	sc->last_slow = 0;
	arch_irq_restore(flags);
}

enum { SLOW_REFILL = 1, SLOW_OVERFLOW };

/*
 * The array took a slow path (event): after the other kind, the working
 * set is larger than the array, so double it (up to limit_max). The
 * owning CPU, interrupts off.
 */
static void adapt(const struct slab_cache *c, struct slab_cpu *sc, unsigned int event)
{
	if (sc->last_slow && sc->last_slow != event && sc->limit < c->limit_max) {
		sc->limit = MIN(sc->limit * 2, c->limit_max);
		sc->batch = sc->limit / 2;
	}
	sc->last_slow = event;
}

/* Honour another CPU's request to drain; interrupts off. */
static void drain_if_asked(struct slab_cache *c, struct slab_cpu *sc, struct slab **spare)
{
	if (__atomic_load_n(&sc->drain, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&sc->drain, 0, __ATOMIC_ACQ_REL))
		drain_array(c, sc, spare);
}

/* The calling CPU's array for c, made on first use from its home node. */
static struct slab_cpu *cpu_array(struct slab_cache *c, unsigned int cpu)
{
	struct slab_cpu *sc = __atomic_load_n(&c->cpu[cpu], __ATOMIC_ACQUIRE), *old;
	unsigned long flags;

	if (sc)
		return sc;
	sc = slab_alloc_node(cpu_cache, slab_cpu_home[cpu]);
	if (!sc)
		return NULL;
	memset(sc, 0, sizeof(*sc));
	sc->home = slab_cpu_home[cpu];
	sc->cache = c;
	sc->limit = c->limit;
	sc->batch = c->batch;
	flags = arch_irq_save();
	old = c->cpu[cpu]; /* an interrupt handler may have made one meanwhile */
	if (!old)
		__atomic_store_n(&c->cpu[cpu], sc, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
	if (old) {
		slab_free(cpu_cache, sc);
		return old;
	}
	return sc;
}

/*
 * The calling CPU's array is empty: refill it with a batch from the home
 * node, partial slabs first, then empty ones, then new slabs until the
 * batch is whole (a grown array's batch may need several). If the node
 * has no room for a whole batch, what it gave; if none, one object from
 * the fallback nodes, bypassing the array.
 */
static void *alloc_refill(struct slab_cache *c, unsigned int cpu)
{
	nodeid_t home = slab_cpu_home[cpu];
	struct slab_cpu *sc = cpu_array(c, cpu);
	struct slab *spare = NULL;
	bool grown = false;
	unsigned long flags;
	void *obj = NULL;

	if (!sc)
		return alloc_nodes(c, home, true);
	for (;;) {
		flags = arch_irq_save();
		drain_if_asked(c, sc, &spare);
		if (!grown)
			adapt(c, sc, SLOW_REFILL);
		if (sc->avail < sc->batch)
			sc->avail +=
			    take_batch(c, home, sc->objs + sc->avail, sc->batch - sc->avail);
		if (sc->avail >= sc->batch)
			obj = sc->objs[--sc->avail];
		arch_irq_restore(flags);
		if (obj || !slab_node_has_memory(home) ||
		    !grow(c, MEMF_EXACT | MEMF_NODE(home), NULL))
			break;
		grown = true;
	}
	if (!obj) {
		/* Less than a batch, and no new slab: what there is. */
		flags = arch_irq_save();
		if (sc->avail)
			obj = sc->objs[--sc->avail];
		arch_irq_restore(flags);
	}
	free_spare(c, spare);
	return obj ? obj : alloc_nodes(c, home, false);
}

void *slab_alloc_slow(struct slab_cache *c, unsigned int cpu)
{
	struct slab_cpu *sc;
	unsigned long flags;
	void *obj;

	if (c->flags & SLAB_NO_CPU_CACHE)
		return hand_out(c, alloc_nodes(c, slab_cpu_home[cpu], true));
	flags = arch_irq_save();
	sc = c->cpu[cpu];
	if (sc && sc->avail) {
		obj = sc->objs[--sc->avail];
		arch_irq_restore(flags);
		return hand_out(c, obj);
	}
	arch_irq_restore(flags);
	return hand_out(c, alloc_refill(c, cpu));
}

void *slab_alloc(struct slab_cache *c)
{
	if (alloc_fault())
		return NULL;
	return slab_alloc_fast(c);
}

void *slab_alloc_node(struct slab_cache *c, nodeid_t node)
{
	unsigned int cpu = arch_cpu_id();

	if (node >= topo->nr_nodes || alloc_fault())
		return NULL;
	if (!(c->flags & SLAB_NO_CPU_CACHE) &&
	    (node == slab_cpu_home[cpu] || node == cpu_to_node(cpu)))
		return slab_alloc_fast(c);
	return hand_out(c, alloc_nodes(c, node, true));
}

/* The slab of obj if it is an object of c (*node: the slab's); else reported, NULL. */
static struct slab *checked_slab(struct slab_cache *c, const void *obj, nodeid_t *node)
{
	struct page *pg = slab_virt_to_page(obj);
	struct slab_cache *owner;
	struct slab *s = NULL;

	if (pg && (READ_ONCE(pg->flags) & PG_SLAB)) {
		s = pg->owner;
		owner = slab_page_cache(pg);
		if (owner != c) {
			slab_report("slab %s: free of %p: object of cache %s\n", c->name, obj,
				    owner->name);
			return NULL;
		}
		*node = pg->node;
	}
	if (!s || !slab_is_object(c, s, obj)) {
		slab_report("slab %s: free of %p: not an object of this cache\n", c->name, obj);
		return NULL;
	}
	return s;
}

/* The array is full, the object is another node's, or there is no array yet. */
static void free_slow(struct slab_cache *c, struct slab *s, void *obj, unsigned int cpu)
{
	struct slab_cpu *sc = cpu_array(c, cpu);
	struct slab *spare = NULL;
	unsigned long flags;

	if (!sc) {
		free_direct(c, s, obj);
		return;
	}
	flags = arch_irq_save();
	drain_if_asked(c, sc, &spare);
	if (s->node == sc->home) {
		if (sc->avail >= sc->limit)
			adapt(c, sc, SLOW_OVERFLOW);
		if (sc->avail >= sc->limit) {
			/* Overflow: the oldest batch goes back. */
			give_back(c, sc->home, sc->objs, sc->batch, &spare);
			sc->avail -= sc->batch;
			memmove(sc->objs, sc->objs + sc->batch, sc->avail * sizeof(sc->objs[0]));
		}
		sc->objs[sc->avail++] = obj;
	} else {
		sc->remote[sc->nr_remote] = obj;
		sc->remote_node[sc->nr_remote++] = s->node;
		if (sc->nr_remote == SLAB_REMOTE_MAX)
			flush_remote(c, sc, &spare);
	}
	arch_irq_restore(flags);
	free_spare(c, spare);
}

/* Free obj, an object of slab s of c (checked): the common part of slab_free and kfree. */
void slab_free_object(struct slab_cache *c, struct slab *s, void *obj, nodeid_t node)
{
	unsigned int cpu = arch_cpu_id();

	ASSERT(node < topo->nr_nodes, "node of the slab's own pages");
	ASSERT(cpu < CONFIG_NR_CPUS, "arch_cpu_id() is a logical CPU number");
	if (IS_ENABLED(CONFIG_SLAB_DEBUG) && !debug_free(c, obj))
		return;
	if (c->flags & SLAB_NO_CPU_CACHE) {
		free_direct(c, s, obj);
		return;
	}
	/* The array push of slab_free_fast(), with what it leaves to the slow path. */
	free_slow(c, s, obj, cpu);
}

void slab_free(struct slab_cache *c, void *obj)
{
	struct slab *s;
	nodeid_t node;

	if (!obj)
		return;
	s = checked_slab(c, obj, &node);
	if (s)
		slab_free_fast(c, s, obj, node);
}

/* ---- caches ------------------------------------------------------------------ */

/* Objects of c a slab of this order holds, and where the first one's slot starts. */
static unsigned int objs_fit(const struct slab_cache *c, unsigned int order, unsigned int *first)
{
	size_t bytes = PAGE_SIZE << order, hdr;
	unsigned int n = (unsigned int)(bytes / (c->stride + sizeof(u16)));

	for (;; n--) {
		hdr = ALIGN_UP(sizeof(struct slab) + n * sizeof(u16), (size_t)c->align);
		if (!n || hdr + (size_t)n * c->stride <= bytes)
			break;
	}
	*first = (unsigned int)hdr;
	return MIN(n, (unsigned int)SLAB_MAX_OBJS);
}

/*
 * The smallest order that wastes at most an eighth and holds at least
 * SLAB_MIN_OBJS objects; else the smallest that wastes at most an eighth;
 * else the one that wastes least. Each object's free-stack entry counts
 * as part of it, not as waste.
 */
static void choose_order(struct slab_cache *c)
{
	unsigned int o, n, first, pick = ~0U, thrifty = ~0U, best = 0;
	size_t best_used = 0, bytes, used;

	for (o = 0; o <= SLAB_MAX_ORDER && pick == ~0U; o++) {
		n = objs_fit(c, o, &first);
		bytes = PAGE_SIZE << o;
		used = (size_t)n * (c->stride + sizeof(u16));
		if (!n)
			continue;
		if ((bytes - used) * 8 <= bytes && n >= SLAB_MIN_OBJS)
			pick = o;
		else if ((bytes - used) * 8 <= bytes && thrifty == ~0U)
			thrifty = o;
		if (used * (PAGE_SIZE << best) > best_used * bytes) {
			best = o;
			best_used = used;
		}
	}
	c->order = pick != ~0U ? pick : thrifty != ~0U ? thrifty : best;
	c->nr_objs = objs_fit(c, c->order, &c->first);
}

static void cache_setup(struct slab_cache *c, const char *name, size_t size, size_t align,
			void (*ctor)(void *obj), unsigned int flags)
{
	unsigned int n;

	memset(c, 0, sizeof(*c));
	strlcpy(c->name, name, sizeof(c->name));
	c->size = size;
	c->flags = flags;
	c->align = (unsigned int)MAX(align, (size_t)8);
	c->ctor = ctor;
	if (IS_ENABLED(CONFIG_SLAB_DEBUG)) {
		c->obj_off = MAX(c->align, (unsigned int)RZ_WORD);
		c->stride = (unsigned int)ALIGN_UP(c->obj_off + size + RZ_WORD, (size_t)c->align);
	} else {
		c->stride = (unsigned int)ALIGN_UP(size, (size_t)c->align);
	}
	ASSERT(c->stride < 65536, "object indices and offsets fit the slab's u16 fields");
	c->div_magic = ~0ULL / c->stride + 1;
	choose_order(c);
	ASSERT(c->nr_objs > 0, "slab_cache_create sized the slab for one object at least");
	c->obj_base = c->first + c->obj_off;
	c->obj_bytes = c->nr_objs * c->stride;
	if (!(flags & SLAB_NO_CPU_CACHE)) {
		c->limit = c->stride <= 256    ? 64
			   : c->stride <= 1024 ? 32
			   : c->stride <= 4096 ? 16
					       : 8;
		c->batch = c->limit / 2;
		c->limit_max = MIN(MAX(SLAB_CPU_BYTES / c->stride, c->limit), SLAB_CPU_MAX);
	}
	c->reserve = SLAB_NODE_RESERVE;
	if (c->limit) {
		unsigned int bytes = PAGE_SIZE << c->order;
		unsigned int want = DIV_ROUND_UP(SLAB_RESERVE_ARRAYS * c->limit, c->nr_objs);

		c->reserve = MAX(SLAB_NODE_RESERVE, MIN(want, SLAB_RESERVE_BYTES / bytes));
	}
	for (n = 0; n < MAX_NODES; n++)
		spin_lock_init(&c->node[n].lock);
}

static void cache_link(struct slab_cache *c)
{
	unsigned long flags = spin_lock_irqsave(&slab_list_lock);

	c->prev = cache_last;
	c->next = NULL;
	if (cache_last)
		cache_last->next = c;
	else
		slab_cache_first = c;
	cache_last = c;
	spin_unlock_irqrestore(&slab_list_lock, flags);
}

static void cache_unlink_locked(struct slab_cache *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		slab_cache_first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		cache_last = c->prev;
}

struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj), unsigned int flags)
{
	struct slab_cache *c;

	if (!name || !size || size > SLAB_MAX_OBJ_SIZE || (flags & ~SLAB_NO_CPU_CACHE) ||
	    (align & (align - 1)) || align > PAGE_SIZE)
		return NULL;
	c = slab_alloc(&cache_cache);
	if (!c)
		return NULL;
	cache_setup(c, name, size, align, ctor, flags);
	cache_link(c);
	return c;
}

int slab_cache_destroy(struct slab_cache *c)
{
	struct slab *spare = NULL;
	unsigned int cpu, n, l;
	unsigned long flags;
	u64 used;

	if (!c || (c->flags & CACHE_PERMANENT))
		return -EINVAL;
	/* Under the list lock no shrink or idle drain moves objects meanwhile. */
	flags = spin_lock_irqsave(&slab_list_lock);
	used = slab_in_use(c);
	if (!used)
		cache_unlink_locked(c);
	spin_unlock_irqrestore(&slab_list_lock, flags);
	if (used) {
		printk(LOG_ERR, "slab %s: destroy with %llu objects in use\n", c->name, used);
		return -EBUSY;
	}
	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		struct slab_cpu *sc = c->cpu[cpu];

		if (!sc)
			continue;
		drain_array(c, sc, &spare);
		c->cpu[cpu] = NULL;
		slab_free(cpu_cache, sc);
	}
	for (n = 0; n < topo->nr_nodes; n++) {
		struct slab_node *sn = &c->node[n];

		for (l = 0; l < NR_LISTS; l++) {
			while (sn->list[l]) {
				struct slab *s = sn->list[l];

				ASSERT(l == LIST_EMPTY, "only empty slabs are on the empty list");
				list_take(sn, s);
				s->next = spare;
				spare = s;
			}
		}
	}
	free_spare(c, spare);
	slab_free(&cache_cache, c);
	return 0;
}

struct slab_cache *slab_cache_find(const char *name)
{
	unsigned long flags = spin_lock_irqsave(&slab_list_lock);
	struct slab_cache *c;

	for (c = slab_cache_first; c && strncmp(c->name, name, sizeof(c->name)); c = c->next)
		;
	spin_unlock_irqrestore(&slab_list_lock, flags);
	return c;
}

/* ---- shrinking and draining -------------------------------------------------- */

unsigned long slab_shrink(void)
{
	unsigned int cpu = arch_cpu_id(), other, n;
	unsigned long pages = 0, flags;
	struct slab_cache *c;

	flags = spin_lock_irqsave(&slab_list_lock);
	for (c = slab_cache_first; c; c = c->next) {
		struct slab *spare = NULL;

		if (c->cpu[cpu]) {
			__atomic_store_n(&c->cpu[cpu]->drain, 0, __ATOMIC_RELAXED);
			drain_array(c, c->cpu[cpu], &spare);
		}
		for (n = 0; n < topo->nr_nodes; n++) {
			struct slab_node *sn = &c->node[n];

			spin_lock(&sn->lock);
			while (sn->list[LIST_EMPTY]) {
				struct slab *s = sn->list[LIST_EMPTY];

				list_take(sn, s);
				s->next = spare;
				spare = s;
			}
			spin_unlock(&sn->lock);
		}
		pages += free_spare(c, spare);
		for (other = 0; other < CONFIG_NR_CPUS; other++) {
			struct slab_cpu *sc = __atomic_load_n(&c->cpu[other], __ATOMIC_ACQUIRE);

			if (other == cpu || !sc)
				continue;
			__atomic_store_n(&sc->drain, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&drain_pending[other], 1, __ATOMIC_RELEASE);
		}
	}
	spin_unlock_irqrestore(&slab_list_lock, flags);
	return pages;
}

/* Keep only SLAB_NODE_RESERVE empty slabs of c on node n: the busy reserve goes. */
static void trim_empty(struct slab_cache *c, nodeid_t n, struct slab **spare)
{
	struct slab_node *sn = &c->node[n];
	unsigned long flags = spin_lock_irqsave(&sn->lock);

	while (sn->nr[LIST_EMPTY] > SLAB_NODE_RESERVE) {
		struct slab *s = sn->list[LIST_EMPTY];

		list_take(sn, s);
		s->next = *spare;
		*spare = s;
	}
	spin_unlock_irqrestore(&sn->lock, flags);
}

void slab_idle(unsigned int idle_ticks)
{
	unsigned int cpu = arch_cpu_id();
	bool idle = idle_ticks == SLAB_IDLE_DRAIN_TICKS;
	struct slab_cache *c;
	unsigned long flags;

	if ((!__atomic_load_n(&drain_pending[cpu], __ATOMIC_RELAXED) ||
	     !__atomic_exchange_n(&drain_pending[cpu], 0, __ATOMIC_ACQ_REL)) &&
	    !idle)
		return;
	flags = spin_lock_irqsave(&slab_list_lock);
	for (c = slab_cache_first; c; c = c->next) {
		struct slab_cpu *sc = c->cpu[cpu];
		struct slab *spare = NULL;

		if (!sc)
			continue;
		if (idle) {
			__atomic_store_n(&sc->drain, 0, __ATOMIC_RELAXED);
			drain_array(c, sc, &spare);
			trim_empty(c, sc->home, &spare);
		} else {
			drain_if_asked(c, sc, &spare);
		}
		free_spare(c, spare);
	}
	spin_unlock_irqrestore(&slab_list_lock, flags);
}

/* ---- bring-up ---------------------------------------------------------------- */

void slab_init(void)
{
	unsigned int cpu;

	slab_cache_first = cache_last = NULL;
	spin_lock_init(&slab_list_lock);
	nr_reports = 0;
	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		slab_cpu_home[cpu] = node_memory_home(cpu < topo->nr_cpus ? cpu_to_node(cpu) : 0);
		drain_pending[cpu] = 0;
	}
	cache_setup(&cache_cache, "slab-cache", sizeof(struct slab_cache), 64, NULL,
		    SLAB_NO_CPU_CACHE | CACHE_PERMANENT);
	cache_link(&cache_cache);
	cpu_cache =
	    slab_cache_create("slab-cpu", sizeof(struct slab_cpu), 64, NULL, SLAB_NO_CPU_CACHE);
	if (!cpu_cache)
		panic("slab: no memory for the per-CPU array cache");
	cpu_cache->flags |= CACHE_PERMANENT;
	slab_kmalloc_init();
	heap_set_reclaim(slab_shrink);
	if (!key_registered)
		keyhandler_register('s', slab_key_dump,
				    "slab caches: objects, slabs, per-CPU cached, per node", true);
	key_registered = true;
	pr_info("slab: kmalloc classes 8 to %u bytes, per-CPU caches, %s\n", SLAB_MAX_OBJ_SIZE,
		IS_ENABLED(CONFIG_SLAB_DEBUG) ? "red zones and poison on" : "no debug checks");
}
