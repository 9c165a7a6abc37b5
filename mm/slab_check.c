/*
 * The slab allocator's observers: the statistics accessors, slab_dump()
 * and the 's' key, and the invariant checker slab_check() (for the
 * self-test and the hosted tests). They only read the caches, slabs and
 * per-CPU arrays that mm/slab.c owns; nothing here allocates or frees.
 *
 * Lock order as in mm/slab.c: slab_list_lock, then one node's slab lock
 * at a time. Statistics are snapshots, exact only while nobody uses the
 * cache; slab_check() reads every CPU's arrays and needs its callers to
 * keep the caches quiet. The invariants it checks are listed at the top
 * of mm/slab.c; each violation is one console line.
 */
#include <hv/lib.h>
#include <hv/printk.h>

#include "slab_internal.h"

/* ---- statistics and the 's' key ---------------------------------------------- */

/* Objects of c in per-CPU arrays (of node n's slabs, or all when n is -1). */
static u64 cached_objs(const struct slab_cache *c, int n)
{
	u64 sum = 0;
	unsigned int cpu, i;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct slab_cpu *sc = __atomic_load_n(&c->cpu[cpu], __ATOMIC_ACQUIRE);
		unsigned int nr_remote;

		if (!sc)
			continue;
		nr_remote = MIN(READ_ONCE(sc->nr_remote), (unsigned int)SLAB_REMOTE_MAX);
		if (n < 0 || sc->home == n)
			sum += READ_ONCE(sc->avail);
		for (i = 0; i < nr_remote; i++)
			sum += n < 0 || READ_ONCE(sc->remote_node[i]) == n;
	}
	return sum;
}

u64 slab_in_use(const struct slab_cache *c)
{
	u64 out = 0, cached = cached_objs(c, -1);
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		out += READ_ONCE(c->node[n].out);
	return out > cached ? out - cached : 0; /* a snapshot taken while others run */
}

void slab_node_info(const struct slab_cache *c, nodeid_t node, struct slab_node_info *info)
{
	const struct slab_node *sn = &c->node[node];

	memset(info, 0, sizeof(*info));
	if (node >= topo->nr_nodes)
		return;
	info->partial = READ_ONCE(sn->nr[LIST_PARTIAL]);
	info->empty = READ_ONCE(sn->nr[LIST_EMPTY]);
	info->slabs = info->partial + info->empty + READ_ONCE(sn->nr[LIST_FULL]);
	info->out = READ_ONCE(sn->out);
	info->pcpu = cached_objs(c, node);
	info->inuse = info->out > info->pcpu ? info->out - info->pcpu : 0;
	info->pages = info->slabs << c->order;
}

void slab_cache_info(const struct slab_cache *c, struct slab_info *info)
{
	unsigned int n;

	memset(info, 0, sizeof(*info));
	for (n = 0; n < topo->nr_nodes; n++) {
		const struct slab_node *sn = &c->node[n];

		info->slabs += READ_ONCE(sn->nr[LIST_PARTIAL]) + READ_ONCE(sn->nr[LIST_FULL]) +
			       READ_ONCE(sn->nr[LIST_EMPTY]);
	}
	info->size = c->size;
	info->pcpu = cached_objs(c, -1);
	info->inuse = slab_in_use(c);
	info->total = info->slabs * c->nr_objs;
	info->objs_per_slab = c->nr_objs;
	info->order = c->order;
	info->limit = c->limit;
	info->limit_max = c->limit_max;
	info->reserve = c->reserve;
	info->batch = c->batch;
}

u64 slab_node_pages(nodeid_t node)
{
	unsigned long flags = spin_lock_irqsave(&slab_list_lock);
	u64 pages = __atomic_load_n(&slab_large_pages[node], __ATOMIC_RELAXED);
	struct slab_cache *c;
	unsigned int l;

	for (c = slab_cache_first; c; c = c->next)
		for (l = 0; l < NR_LISTS; l++)
			pages += READ_ONCE(c->node[node].nr[l]) << c->order;
	spin_unlock_irqrestore(&slab_list_lock, flags);
	return pages;
}

void slab_large_info(u64 *pages, u64 *allocs)
{
	unsigned int n;

	*pages = 0;
	for (n = 0; n < MAX_NODES; n++)
		*pages += __atomic_load_n(&slab_large_pages[n], __ATOMIC_RELAXED);
	*allocs = __atomic_load_n(&slab_large_allocs, __ATOMIC_RELAXED);
}

void slab_dump(void)
{
	unsigned long flags = spin_lock_irqsave(&slab_list_lock);
	struct slab_node_info ni;
	struct slab_info info;
	struct slab_cache *c;
	u64 pages, allocs;
	unsigned int n;

	for (c = slab_cache_first; c; c = c->next) {
		slab_cache_info(c, &info);
		printk(LOG_EMERG, "slab %s: size %llu objs %llu/%llu slabs %llu pcpu %llu\n",
		       c->name, info.size, info.inuse, info.total, info.slabs, info.pcpu);
		for (n = 0; n < topo->nr_nodes; n++) {
			slab_node_info(c, (nodeid_t)n, &ni);
			if (!ni.slabs)
				continue;
			printk(LOG_EMERG, "slab %s: node %u slabs %llu partial %llu objs %llu\n",
			       c->name, n, ni.slabs, ni.partial, ni.out);
		}
	}
	spin_unlock_irqrestore(&slab_list_lock, flags);
	slab_large_info(&pages, &allocs);
	printk(LOG_EMERG, "slab kmalloc-large: pages %llu allocs %llu\n", pages, allocs);
}

void slab_key_dump(unsigned char key)
{
	slab_dump();
}

/* ---- the invariant checker --------------------------------------------------- */

/* slab_check()'s scratch bitmap, guarded by slab_list_lock. */
static u64 check_bits[SLAB_MAX_OBJS / 64];

#define VIOLATION(...) (printk(LOG_ERR, "slab check: " __VA_ARGS__), 1U)

/* One cached object of CPU cpu: an object of c, of the node it must be from. */
static unsigned int check_cached(const struct slab_cache *c, unsigned int cpu, const void *obj,
				 bool remote, nodeid_t remote_node)
{
	const struct slab_cpu *sc = c->cpu[cpu];
	struct slab *s = slab_of(obj);

	if (!s || s->cache != c || slab_obj_index(c, s, obj) < 0)
		return VIOLATION("%s: CPU %u caches %p, not an object of it\n", c->name, cpu, obj);
	if (!remote && s->node != sc->home)
		return VIOLATION("%s: CPU %u (home node %u) caches %p of node %u\n", c->name, cpu,
				 sc->home, obj, s->node);
	if (remote && (s->node == sc->home || s->node != remote_node))
		return VIOLATION("%s: CPU %u holds %p of node %u as remote, of node %u\n", c->name,
				 cpu, obj, s->node, remote_node);
	return 0;
}

static unsigned int check_arrays(const struct slab_cache *c, u64 *entries)
{
	unsigned int cpu, i, bad = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct slab_cpu *sc = c->cpu[cpu];

		if (!sc)
			continue;
		if (sc->avail > sc->limit || sc->limit > c->limit_max ||
		    sc->nr_remote >= SLAB_REMOTE_MAX || sc->home != slab_cpu_home[cpu] ||
		    (c->flags & SLAB_NO_CPU_CACHE))
			return bad + VIOLATION("%s: CPU %u: array of %u holds %u, remote %u, "
					       "home %u\n",
					       c->name, cpu, sc->limit, sc->avail, sc->nr_remote,
					       sc->home);
		for (i = 0; i < sc->avail; i++)
			bad += check_cached(c, cpu, sc->objs[i], false, 0);
		for (i = 0; i < sc->nr_remote; i++)
			bad += check_cached(c, cpu, sc->remote[i], true, sc->remote_node[i]);
		*entries += sc->avail + sc->nr_remote;
	}
	return bad;
}

static bool test_and_mark(unsigned int i)
{
	bool was = (check_bits[i / 64] >> (i % 64)) & 1;

	check_bits[i / 64] |= 1ULL << (i % 64);
	return was;
}

static unsigned int mark_one(const struct slab_cache *c, const struct slab *s, const void *obj,
			     u64 *matched)
{
	uintptr_t lo = (uintptr_t)s, hi = lo + (PAGE_SIZE << c->order);
	int i = slab_obj_index(c, s, obj);

	if ((uintptr_t)obj < lo || (uintptr_t)obj >= hi || i < 0)
		return 0;
	(*matched)++;
	if (test_and_mark((unsigned int)i))
		return VIOLATION("%s: %p is cached twice, or cached and free\n", c->name, obj);
	return 0;
}

/* Mark the objects of s that sit in per-CPU arrays; count them in *matched. */
static unsigned int mark_cached(const struct slab_cache *c, const struct slab *s, u64 *matched)
{
	unsigned int cpu, i, bad = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct slab_cpu *sc = c->cpu[cpu];

		if (!sc)
			continue;
		for (i = 0; i < MIN(sc->avail, sc->limit); i++)
			bad += mark_one(c, s, sc->objs[i], matched);
		for (i = 0; i < MIN(sc->nr_remote, SLAB_REMOTE_MAX - 1U); i++)
			bad += mark_one(c, s, sc->remote[i], matched);
	}
	return bad;
}

/* With SLAB_DEBUG: state, red zones and (free objects) poison of every object of s. */
static unsigned int check_objects(const struct slab_cache *c, const struct slab *s)
{
	unsigned int i, bad = 0;

	for (i = 0; i < c->nr_objs; i++) {
		u8 *obj = slab_obj_at(c, s, i);
		bool free = (check_bits[i / 64] >> (i % 64)) & 1;
		u64 want = free ? RZ_FREE : RZ_ALLOCATED;
		size_t at;
		long off;

		if (*slab_state_word(obj) != want)
			bad += VIOLATION("%s: %s object %p: state 0x%016llx\n", c->name,
					 free ? "free" : "allocated", obj, *slab_state_word(obj));
		else if (slab_rz_damaged(c, obj, &off))
			bad += VIOLATION("%s: %s object %p: red zone damaged at offset %ld\n",
					 c->name, free ? "free" : "allocated", obj, off);
		else if (free && (at = slab_first_diff(obj, POISON, c->size)) < c->size)
			bad += VIOLATION("%s: free object %p: poison changed at byte %zu\n",
					 c->name, obj, at);
	}
	return bad;
}

static unsigned int check_slab(const struct slab_cache *c, struct slab *s, nodeid_t n,
			       unsigned int l, u64 *matched)
{
	unsigned int i, bad = 0;
	struct page *pg = slab_virt_to_page(s);

	if (s->cache != c || s->node != n || s->list != l || slab_list_of(c, s) != l ||
	    s->nr_free > c->nr_objs)
		return VIOLATION("%s: slab %p (cache %p, node %u, list %u, %u free) on node "
				 "%u list %u\n",
				 c->name, (void *)s, (void *)s->cache, s->node, s->list, s->nr_free,
				 n, l);
	for (i = 0; i < (1U << c->order); i++)
		if (!pg || !(pg[i].flags & PG_SLAB) || pg[i].owner != s || pg[i].node != n ||
		    slab_page_cache(&pg[i]) != c)
			return VIOLATION("%s: slab %p: page %u not marked as its\n", c->name,
					 (void *)s, i);
	memset(check_bits, 0, sizeof(check_bits));
	for (i = 0; i < s->nr_free; i++)
		if (s->free[i] >= c->nr_objs || test_and_mark(s->free[i]))
			bad += VIOLATION("%s: slab %p: free index %u bad or twice\n", c->name,
					 (void *)s, s->free[i]);
	bad += mark_cached(c, s, matched);
	if (IS_ENABLED(CONFIG_SLAB_DEBUG))
		bad += check_objects(c, s);
	return bad;
}

static unsigned int check_node(const struct slab_cache *c, nodeid_t n, u64 *matched)
{
	struct slab_node *sn = (struct slab_node *)&c->node[n];
	unsigned long flags = spin_lock_irqsave(&sn->lock);
	unsigned int l, bad = 0;
	u64 out = 0;

	for (l = 0; l < NR_LISTS; l++) {
		u64 count = 0;
		struct slab *s;

		for (s = sn->list[l]; s; s = s->next) {
			count++;
			bad += check_slab(c, s, n, l, matched);
			out += c->nr_objs - s->nr_free;
		}
		if (count != sn->nr[l])
			bad += VIOLATION("%s: node %u list %u holds %llu slabs, counted %llu\n",
					 c->name, n, l, count, sn->nr[l]);
	}
	if (out != sn->out)
		bad += VIOLATION("%s: node %u: %llu objects out of its slabs, counted %llu\n",
				 c->name, n, out, sn->out);
	if (sn->nr[LIST_EMPTY] > c->reserve)
		bad += VIOLATION("%s: node %u keeps %llu empty slabs\n", c->name, n,
				 sn->nr[LIST_EMPTY]);
	if (!slab_node_has_memory(n) && out)
		bad += VIOLATION("%s: node %u has no memory but slabs\n", c->name, n);
	spin_unlock_irqrestore(&sn->lock, flags);
	return bad;
}

unsigned int slab_check(void)
{
	unsigned long flags = spin_lock_irqsave(&slab_list_lock);
	unsigned int n, bad = 0;
	struct slab_cache *c;

	for (c = slab_cache_first; c; c = c->next) {
		u64 entries = 0, matched = 0;

		bad += check_arrays(c, &entries);
		for (n = 0; n < topo->nr_nodes; n++)
			bad += check_node(c, (nodeid_t)n, &matched);
		for (n = topo->nr_nodes; n < MAX_NODES; n++)
			if (c->node[n].nr[LIST_PARTIAL] || c->node[n].nr[LIST_FULL] ||
			    c->node[n].nr[LIST_EMPTY] || c->node[n].out)
				bad += VIOLATION("%s: slabs on node %u, beyond the last\n", c->name,
						 n);
		if (matched != entries)
			bad += VIOLATION("%s: %llu objects in per-CPU arrays, %llu of them in its "
					 "slabs\n",
					 c->name, entries, matched);
	}
	spin_unlock_irqrestore(&slab_list_lock, flags);
	return bad;
}
