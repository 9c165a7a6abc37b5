/*
 * Per-CPU page caches and per-CPU allocator counters. Each CPU keeps a
 * list of its own node's single pages, refilled from and drained to the
 * node's buddy lists PCP_BATCH at a time, and holds at most PCP_HIGH; a
 * page of another node freed here waits in a per-node outbox that goes
 * home as a batch. Each CPU also counts its own allocations and frees per
 * node (statistics, pages allocated), so the hot paths share no counter;
 * readers sum over CPUs. Owns pcp_of[].
 *
 * Locking: each cache has a lock, taken by its CPU on every cache
 * operation (it is uncontended then) and by another CPU only to drain it,
 * so no page is ever stranded where an allocation that needs it would
 * fail. Order: cache lock, then a heap lock; a cache's page counts change
 * under the heap lock together with the pages they count. The counters
 * are written by their CPU only, never from interrupt context.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm_internal.h>

#ifndef CONFIG_PCP_BATCH
#define CONFIG_PCP_BATCH 32
#endif
#ifndef CONFIG_PCP_HIGH
#define CONFIG_PCP_HIGH 128
#endif

struct pcp {
	struct spinlock lock;
	nodeid_t node;
	unsigned int count;
	struct page *list;
	unsigned int out_count[MAX_NODES];
	struct page *out[MAX_NODES];
	/* This CPU's counters, per node the pages belong to. */
	struct node_stats stats[MAX_NODES];
	s64 allocated[MAX_NODES];
};

static struct pcp *pcp_of[CONFIG_NR_CPUS];

int pcp_init(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int cpu;
	int rc = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		pcp_of[cpu] = NULL;
	for (cpu = 0; cpu < topo->nr_cpus; cpu++) {
		struct pcp *p = meta(sizeof(*p), cpu_to_node(cpu));

		if (!p) {
			rc = -1;	/* that CPU uses the heap and shared counters */
			continue;
		}
		spin_lock_init(&p->lock);
		p->node = cpu_to_node(cpu);
		pcp_of[cpu] = p;
	}
	return rc;
}

static struct pcp *this_pcp(void)
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

void mm_count_free(nodeid_t n, unsigned int order)
{
	struct pcp *p = this_pcp();

	if (p)
		p->allocated[n] -= 1L << order;
	else
		__atomic_fetch_sub(&heap[n].allocated, 1UL << order, __ATOMIC_RELAXED);
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

u64 heap_cached(nodeid_t n)
{
	unsigned int cpu;
	u64 sum = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		const struct pcp *p = pcp_of[cpu];

		if (!p)
			continue;
		if (p->node == n)
			sum += READ_ONCE(p->count);
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
 * Give up to max pages of a list back to node n's heap, lowering *count
 * by as many under the heap lock; returns how many.
 */
static unsigned int give_back(struct page **list, unsigned int max, nodeid_t n,
			      unsigned int *count)
{
	struct node_heap *h = &heap[n];
	unsigned int done = 0;
	unsigned long flags = spin_lock_irqsave(&h->lock);

	while (*list && done < max) {
		struct page *pg = *list;

		*list = pg->next;
		pg->next = pg->prev = NULL;
		pg->flags &= PG_DIRTY;		/* already counted dirty in pcp_free */
		heap_free_locked(h, pg, 0, false);
		done++;
	}
	*count -= done;
	spin_unlock_irqrestore(&h->lock, flags);
	return done;
}

static void refill(struct pcp *p)
{
	struct node_heap *h = &heap[p->node];
	unsigned long flags = spin_lock_irqsave(&h->lock);
	unsigned int i;

	for (i = 0; i < CONFIG_PCP_BATCH; i++) {
		struct page *pg = heap_alloc_locked(h, 0, ZONE_NORMAL);

		if (!pg)
			break;
		pg->flags |= PG_PCP;
		pg->next = p->list;
		p->list = pg;
		p->count++;
	}
	spin_unlock_irqrestore(&h->lock, flags);
}

struct page *pcp_alloc(nodeid_t node)
{
	struct pcp *p = IS_ENABLED(CONFIG_PCP) ? this_pcp() : NULL;
	struct page *pg = NULL;
	unsigned long flags;

	if (!p || p->node != node)
		return NULL;
	flags = spin_lock_irqsave(&p->lock);
	if (!p->count)
		refill(p);
	if (p->count) {
		pg = p->list;
		p->list = pg->next;
		p->count--;
		pg->next = NULL;
		pg->flags &= ~PG_PCP;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return pg;
}

bool pcp_free(struct page *pg, bool dirty)
{
	struct pcp *p = IS_ENABLED(CONFIG_PCP) ? this_pcp() : NULL;
	unsigned long flags;
	nodeid_t n = pg->node;

	if (!p)
		return false;
	flags = spin_lock_irqsave(&p->lock);
	pg->flags = PG_PCP | (dirty ? PG_DIRTY : 0);
	pg->prev = NULL;
	if (dirty)
		__atomic_fetch_add(&heap[n].dirty_pages, 1, __ATOMIC_RELAXED);
	if (n == p->node) {
		pg->next = p->list;
		p->list = pg;
		if (++p->count > CONFIG_PCP_HIGH)
			give_back(&p->list, CONFIG_PCP_BATCH, n, &p->count);
	} else {
		/* Another node's page: batch it home, never keep it. */
		pg->next = p->out[n];
		p->out[n] = pg;
		if (++p->out_count[n] >= CONFIG_PCP_BATCH)
			give_back(&p->out[n], ~0U, n, &p->out_count[n]);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return true;
}

static unsigned int drain(struct pcp *p)
{
	unsigned int n, done;
	unsigned long flags = spin_lock_irqsave(&p->lock);

	done = give_back(&p->list, ~0U, p->node, &p->count);
	for (n = 0; n < topo->nr_nodes; n++)
		if (p->out[n])
			done += give_back(&p->out[n], ~0U, (nodeid_t)n, &p->out_count[n]);
	spin_unlock_irqrestore(&p->lock, flags);
	return done;
}

void pcp_drain_cpu(unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS && pcp_of[cpu])
		drain(pcp_of[cpu]);
}

unsigned int pcp_drain_all(void)
{
	unsigned int cpu, done = 0;

	for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
		if (pcp_of[cpu])
			done += drain(pcp_of[cpu]);
	return done;
}
