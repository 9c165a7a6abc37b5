/*
 * Per-CPU page caches and per-CPU allocator counters. Each CPU keeps, for
 * every order up to PCP_MAX_ORDER, a list of its own node's blocks,
 * refilled from and drained to the node's buddy lists PCP_BATCH pages at a
 * time, holding at most PCP_HIGH pages per order; a single page of another
 * node freed here waits in a per-node outbox that goes home as a batch
 * (larger blocks of other nodes go straight home). Each CPU also counts
 * its own allocations and frees per node (statistics, pages allocated,
 * pages freed dirty and zeroed), so the hot paths share no counter;
 * readers sum over CPUs. Owns pcp_of[].
 *
 * Locking: a cache belongs to its CPU, which touches it with interrupts
 * off and no atomic operation: it marks itself busy with a plain store,
 * checks that no other CPU has taken the cache over, and clears busy when
 * done (enter() and leave()). Another CPU that must empty a cache (a node
 * runs short, a drain) takes it over: it sets remote, has the owner pass
 * a full memory barrier with arch_cpu_sync() (an IPI in the hypervisor,
 * membarrier() in user space), waits for busy to clear, and works on the
 * cache as if it were the owner; an owner that finds remote set waits
 * until it clears. The barrier on the owner's side is what its own fast
 * path leaves out: either the owner's busy store is visible to the remote
 * CPU, or the owner sees remote. A CPU that arch_cpu_sync() cannot reach
 * (not online, or interrupts off for too long) keeps its cache, and so
 * does one that a third CPU is taking over already (remote_lock is only
 * tried, never waited for); the next attempt gets it. No page is ever
 * lost or handed out twice.
 * Order: cache (owned, or taken over under remote_lock), then a heap
 * lock; a cache's page counts change under the heap lock together with
 * the pages they count. The counters are written by their CPU only,
 * never from interrupt context.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/panic.h>

#include "heap_internal.h"

#ifndef CONFIG_PCP_BATCH
#define CONFIG_PCP_BATCH 32
#endif
#ifndef CONFIG_PCP_HIGH
#define CONFIG_PCP_HIGH 128
#endif
#ifndef CONFIG_PCP_MAX_ORDER
#define CONFIG_PCP_MAX_ORDER 0
#endif
#define PCP_ORDERS (CONFIG_PCP_MAX_ORDER + 1)
#define ANY_NODE ((nodeid_t)~0U) /* drain(): every node's pages */

/* Blocks of order o moved per refill or drain, and kept at most. */
#define BATCH_OF(o) MAX((unsigned int)CONFIG_PCP_BATCH >> (o), 1U)
#define HIGH_OF(o) MAX((unsigned int)CONFIG_PCP_HIGH >> (o), 2U)

struct pcp {
	unsigned int busy;   /* written by the owner: inside enter() .. leave() */
	unsigned int remote; /* another CPU has taken the cache over */
	unsigned int cpu;    /* the owner */
	nodeid_t node;
	unsigned int count[PCP_ORDERS]; /* blocks of each order */
	struct page *list[PCP_ORDERS];
	unsigned int out_count[MAX_NODES];
	struct page *out[MAX_NODES];
	/* This CPU's counters, per node the pages belong to. */
	struct node_stats stats[MAX_NODES];
	s64 allocated[MAX_NODES];
	s64 dirty[MAX_NODES];	     /* change to each node's dirty_pages: freed dirty, zeroed */
	struct spinlock remote_lock; /* one CPU at a time takes the cache over */
};

static struct pcp *pcp_of[CONFIG_NR_CPUS];
/* Caches taken over by another CPU, and owners that could not be reached. */
static u64 taken_over, unreachable;

int pcp_init(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int cpu;
	int rc = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		pcp_of[cpu] = NULL;
	for (cpu = 0; cpu < topo->nr_cpus; cpu++) {
		struct pcp *p = meta(sizeof(*p), cpu_to_node(cpu));

		if (!p) {
			rc = -1; /* that CPU uses the heap and shared counters */
			continue;
		}
		spin_lock_init(&p->remote_lock);
		p->cpu = cpu;
		p->node = cpu_to_node(cpu);
		pcp_of[cpu] = p;
	}
	return rc;
}

static __always_inline struct pcp *this_pcp(void)
{
	unsigned int cpu = arch_cpu_id();

	return cpu < CONFIG_NR_CPUS ? pcp_of[cpu] : NULL;
}

void mm_count_alloc(nodeid_t got, nodeid_t intended, nodeid_t cpu_node, unsigned int order)
{
	struct pcp *p = this_pcp();
	struct node_stats *s;

	if (!p) {
		/* No per-CPU counters for this CPU: the node's shared ones. */
		s = &heap[got].stats;
		__atomic_fetch_add(got == intended ? &s->hit : &s->miss, 1, __ATOMIC_RELAXED);
		if (got != intended)
			__atomic_fetch_add(&heap[intended].stats.foreign, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(got == cpu_node ? &s->local : &s->other, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&heap[got].allocated, 1UL << order, __ATOMIC_RELAXED);
		return;
	}
	s = &p->stats[got];
	if (got == intended) {
		s->hit++;
	} else {
		s->miss++;
		p->stats[intended].foreign++;
	}
	if (got == cpu_node)
		s->local++;
	else
		s->other++;
	p->allocated[got] += 1L << order;
}

u64 heap_allocated(nodeid_t n)
{
	s64 sum = (s64)__atomic_load_n(&heap[n].allocated, __ATOMIC_RELAXED);
	unsigned int cpu;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		if (pcp_of[cpu])
			sum += READ_ONCE(pcp_of[cpu]->allocated[n]);
	return (u64)sum;
}

u64 heap_dirty(nodeid_t n)
{
	s64 sum = (s64)__atomic_load_n(&heap[n].dirty_pages, __ATOMIC_RELAXED);
	unsigned int cpu;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		if (pcp_of[cpu])
			sum += READ_ONCE(pcp_of[cpu]->dirty[n]);
	return sum > 0 ? (u64)sum : 0;
}

u64 heap_cached(nodeid_t n)
{
	unsigned int cpu;
	u64 sum = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct pcp *p = pcp_of[cpu];

		if (!p)
			continue;
		if (p->node == n) {
			unsigned int o;

			for (o = 0; o < PCP_ORDERS; o++)
				sum += (u64)READ_ONCE(p->count[o]) << o;
		}
		sum += READ_ONCE(p->out_count[n]);
	}
	return sum;
}

struct node_stats heap_stats(nodeid_t n)
{
	struct node_stats s = heap[n].stats;
	unsigned int cpu;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct pcp *p = pcp_of[cpu];

		if (!p)
			continue;
		s.hit += READ_ONCE(p->stats[n].hit);
		s.miss += READ_ONCE(p->stats[n].miss);
		s.foreign += READ_ONCE(p->stats[n].foreign);
		s.local += READ_ONCE(p->stats[n].local);
		s.other += READ_ONCE(p->stats[n].other);
	}
	return s;
}

/*
 * PG_PCP on a cached block's head, and in debug builds on its other pages
 * too, so that freeing any page of it again is caught.
 */
static void mark_cached(struct page *pg, unsigned int o, bool cached)
{
	unsigned long i, n = IS_ENABLED(CONFIG_DEBUG) ? 1UL << o : 1;

	for (i = 0; i < n; i++)
		pg[i].flags = cached ? pg[i].flags | PG_PCP : pg[i].flags & ~PG_PCP;
}

/*
 * Give up to max blocks of order o from a list back to node n's heap,
 * lowering *count by as many under the heap lock; returns the pages.
 */
static unsigned int give_back(struct page **list, unsigned int max, nodeid_t n, unsigned int *count,
			      unsigned int o)
{
	struct node_heap *h = &heap[n];
	unsigned int done = 0;
	unsigned long flags = spin_lock_irqsave(&h->lock);

	while (*list && done < max) {
		struct page *pg = *list;

		*list = pg->next;
		pg->next = pg->prev = NULL;
		mark_cached(pg, o, false);
		pg->flags &= PG_DIRTY; /* already counted dirty in pcp_free */
		heap_free_locked(h, pg, o, false);
		done++;
	}
	*count -= done;
	spin_unlock_irqrestore(&h->lock, flags);
	return done << o;
}

static void refill(struct pcp *p, unsigned int o)
{
	struct node_heap *h = &heap[p->node];
	unsigned long flags = spin_lock_irqsave(&h->lock);
	struct page *pg, *list = NULL;
	unsigned int got = heap_alloc_batch_locked(h, o, BATCH_OF(o), &list);

	p->count[o] += got;
	spin_unlock_irqrestore(&h->lock, flags);
	for (pg = list; pg; pg = pg->next) {
		mark_cached(pg, o, true);
		if (!pg->next) {
			pg->next = p->list[o];
			break;
		}
	}
	p->list[o] = list ? list : p->list[o];
}

/* enter() found its cache taken over: wait, interrupts as they were, and enter. */
static __noinline void enter_slow(struct pcp *p, unsigned long *flags)
{
	do {
		__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
		arch_irq_restore(*flags);
		while (__atomic_load_n(&p->remote, __ATOMIC_ACQUIRE))
			arch_cpu_relax();
		*flags = arch_irq_save();
		__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
		arch_sync_fence();
	} while (__atomic_load_n(&p->remote, __ATOMIC_ACQUIRE));
}

/*
 * Enter the calling CPU's cache as its owner: interrupts off, busy set,
 * and no other CPU holding it. NULL, with interrupts untouched, when the
 * CPU has no cache.
 */
static __always_inline struct pcp *enter(unsigned long *flags)
{
	struct pcp *p = this_pcp();

	if (unlikely(!p))
		return NULL;
	*flags = arch_irq_save();
	ASSERT(!p->busy, "a per-CPU cache entered twice (two threads on one CPU?)");
	__atomic_store_n(&p->busy, 1, __ATOMIC_RELAXED);
	arch_sync_fence(); /* the other half is arch_cpu_sync() in take() */
	if (unlikely(__atomic_load_n(&p->remote, __ATOMIC_ACQUIRE)))
		enter_slow(p, flags);
	return p;
}

static __always_inline void leave(struct pcp *p, unsigned long flags)
{
	__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}

/*
 * Take another CPU's cache over (see Locking above); false if another CPU
 * is taking it over already, or its owner cannot be reached now: the
 * cache must then be left alone. The caller is in no cache of its own.
 * Never spins on remote_lock: a CPU spinning with interrupts off could
 * not answer the arch_cpu_sync() of the CPU holding it, and CPUs that all
 * drain at once would wait for each other until their syncs time out.
 */
static bool take(struct pcp *p, unsigned long *flags)
{
	*flags = arch_irq_save();
	if (!spin_trylock(&p->remote_lock)) {
		arch_irq_restore(*flags);
		return false; /* being drained by that CPU */
	}
	__atomic_store_n(&p->remote, 1, __ATOMIC_SEQ_CST);
	if (!arch_cpu_sync(p->cpu)) {
		__atomic_store_n(&p->remote, 0, __ATOMIC_RELEASE);
		spin_unlock_irqrestore(&p->remote_lock, *flags);
		__atomic_fetch_add(&unreachable, 1, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_fetch_add(&taken_over, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&p->busy, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	return true;
}

static void untake(struct pcp *p, unsigned long flags)
{
	__atomic_store_n(&p->remote, 0, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&p->remote_lock, flags);
}

/* Hold cache p, the caller's own or another CPU's; false: leave it alone. */
static bool hold(struct pcp *p, unsigned long *flags)
{
	if (p == this_pcp())
		return enter(flags) != NULL;
	return take(p, flags);
}

static void unhold(struct pcp *p, unsigned long flags)
{
	if (p == this_pcp())
		leave(p, flags);
	else
		untake(p, flags);
}

struct page *pcp_alloc(unsigned int o)
{
	struct page *pg = NULL;
	unsigned long flags;
	struct pcp *p;

	if (!IS_ENABLED(CONFIG_PCP) || o >= PCP_ORDERS)
		return NULL;
	p = enter(&flags);
	if (!p)
		return NULL;
	if (!p->count[o])
		refill(p, o);
	if (p->count[o]) {
		pg = p->list[o];
		p->list[o] = pg->next;
		p->count[o]--;
		pg->next = NULL;
		mark_cached(pg, o, false);
		/* Intended here, allocated here, by a CPU of this node. */
		p->stats[p->node].hit++;
		p->stats[p->node].local++;
		p->allocated[p->node] += 1L << o;
	}
	leave(p, flags);
	return pg;
}

void pcp_count_zeroed(nodeid_t n, unsigned long pages)
{
	unsigned long flags;
	struct pcp *p = enter(&flags);

	if (!p) {
		__atomic_fetch_sub(&heap[n].dirty_pages, pages, __ATOMIC_RELAXED);
		return;
	}
	p->dirty[n] -= (s64)pages;
	leave(p, flags);
}

/*
 * Every page of a block freed dirty is dirty; the head says so for the
 * block. Counted in this CPU's own dirty count for the node.
 */
static void mark_block_dirty(struct pcp *p, struct page *pg, unsigned int o)
{
	unsigned long i, n = 0;

	for (i = 0; i < (1UL << o); i++) {
		if (!(pg[i].flags & PG_DIRTY)) {
			pg[i].flags |= PG_DIRTY;
			n++;
		}
	}
	p->dirty[pg->node] += (s64)n;
}

bool pcp_free(struct page *pg, unsigned int o, bool dirty)
{
	unsigned long flags;
	nodeid_t n = pg->node;
	struct pcp *p = enter(&flags);

	if (!p) {
		__atomic_fetch_sub(&heap[n].allocated, 1UL << o, __ATOMIC_RELAXED);
		return false;
	}
	p->allocated[n] -= 1L << o;
	if (!IS_ENABLED(CONFIG_PCP) || o >= PCP_ORDERS || (o && n != p->node)) {
		leave(p, flags);
		return false;
	}
	pg->flags &= PG_DIRTY;
	if (dirty)
		mark_block_dirty(p, pg, o);
	mark_cached(pg, o, true);
	pg->prev = NULL;
	if (n == p->node) {
		pg->next = p->list[o];
		p->list[o] = pg;
		if (++p->count[o] > HIGH_OF(o))
			give_back(&p->list[o], BATCH_OF(o), n, &p->count[o], o);
	} else {
		/* Another node's page: batch it home, never keep it. */
		pg->next = p->out[n];
		p->out[n] = pg;
		if (++p->out_count[n] >= CONFIG_PCP_BATCH)
			give_back(&p->out[n], ~0U, n, &p->out_count[n], 0);
	}
	leave(p, flags);
	return true;
}

/* Give back every block of cache p that belongs to node n (or every block: ANY_NODE). */
static unsigned int drain(struct pcp *p, nodeid_t n)
{
	unsigned int m, o, done = 0;
	unsigned long flags;

	if (!hold(p, &flags))
		return 0;
	if (n == ANY_NODE || n == p->node)
		for (o = 0; o < PCP_ORDERS; o++)
			done += give_back(&p->list[o], ~0U, p->node, &p->count[o], o);
	for (m = 0; m < topo->nr_nodes; m++)
		if (p->out[m] && (n == ANY_NODE || n == m))
			done += give_back(&p->out[m], ~0U, (nodeid_t)m, &p->out_count[m], 0);
	unhold(p, flags);
	return done;
}

/* Whether cache p may hold pages of node n (any: ANY_NODE); a hint, read unlocked. */
static bool may_hold(const struct pcp *p, nodeid_t n)
{
	unsigned int m, o;

	for (o = 0; o < PCP_ORDERS && (n == ANY_NODE || n == p->node); o++)
		if (READ_ONCE(p->count[o]))
			return true;
	for (m = 0; m < topo->nr_nodes; m++)
		if ((n == ANY_NODE || n == m) && READ_ONCE(p->out_count[m]))
			return true;
	return false;
}

void pcp_takeovers(u64 *taken, u64 *refused)
{
	*taken = __atomic_load_n(&taken_over, __ATOMIC_RELAXED);
	*refused = __atomic_load_n(&unreachable, __ATOMIC_RELAXED);
}

void pcp_drain_cpu(unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS && pcp_of[cpu])
		drain(pcp_of[cpu], ANY_NODE);
}

unsigned int pcp_drain_node(nodeid_t n)
{
	unsigned int cpu, done = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		if (pcp_of[cpu] && may_hold(pcp_of[cpu], n))
			done += drain(pcp_of[cpu], n);
	return done;
}

unsigned int pcp_drain_all(void)
{
	unsigned int cpu, done = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		if (pcp_of[cpu] && may_hold(pcp_of[cpu], ANY_NODE))
			done += drain(pcp_of[cpu], ANY_NODE);
	return done;
}
