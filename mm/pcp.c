/*
 * Per-CPU caches of single pages. Each CPU keeps a list of its own node's
 * pages, refilled from and drained to the node's buddy lists PCP_BATCH at a
 * time, and holds at most PCP_HIGH; a page of another node freed here waits
 * in a per-node outbox that goes home as a batch. Owns pcp_of[].
 *
 * Locking: each cache has a lock, taken by its CPU on every operation (it
 * is uncontended then) and by another CPU only to drain it, so no page is
 * ever stranded where an allocation that needs it would fail. Order: cache
 * lock, then a heap lock.
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
};

static struct pcp *pcp_of[CONFIG_NR_CPUS];

int pcp_init(void *(*meta)(u64 bytes, nodeid_t node))
{
	unsigned int cpu;

	if (!IS_ENABLED(CONFIG_PCP))
		return 0;
	for (cpu = 0; cpu < topo->nr_cpus; cpu++) {
		struct pcp *p = meta(sizeof(*p), cpu_to_node(cpu));

		if (!p)
			return -1;	/* that CPU goes straight to the heap */
		spin_lock_init(&p->lock);
		p->node = cpu_to_node(cpu);
		pcp_of[cpu] = p;
	}
	return 0;
}

static void pcp_count(nodeid_t n, long delta)
{
	__atomic_fetch_add(&heap[n].pcp_pages, (u64)delta, __ATOMIC_RELAXED);
}

/* Give up to max pages of a list back to node n's heap; returns how many. */
static unsigned int give_back(struct page **list, unsigned int max, nodeid_t n)
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
	/* Under the lock, so the checker never sees a page both free and cached. */
	pcp_count(n, -(long)done);
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
	pcp_count(p->node, i);
	spin_unlock_irqrestore(&h->lock, flags);
}

struct page *pcp_alloc(nodeid_t node)
{
	struct pcp *p = IS_ENABLED(CONFIG_PCP) ? pcp_of[arch_cpu_id()] : NULL;
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
		pcp_count(node, -1);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return pg;
}

bool pcp_free(struct page *pg, bool dirty)
{
	struct pcp *p = IS_ENABLED(CONFIG_PCP) ? pcp_of[arch_cpu_id()] : NULL;
	unsigned long flags;
	nodeid_t n = pg->node;

	if (!p)
		return false;
	flags = spin_lock_irqsave(&p->lock);
	pg->flags = PG_PCP | (dirty ? PG_DIRTY : 0);
	pg->prev = NULL;
	if (dirty)
		__atomic_fetch_add(&heap[n].dirty_pages, 1, __ATOMIC_RELAXED);
	pcp_count(n, 1);
	if (n == p->node) {
		pg->next = p->list;
		p->list = pg;
		if (++p->count > CONFIG_PCP_HIGH)
			p->count -= give_back(&p->list, CONFIG_PCP_BATCH, n);
	} else {
		/* Another node's page: batch it home, never keep it. */
		pg->next = p->out[n];
		p->out[n] = pg;
		if (++p->out_count[n] >= CONFIG_PCP_BATCH)
			p->out_count[n] -= give_back(&p->out[n], ~0U, n);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return true;
}

static unsigned int drain(struct pcp *p)
{
	unsigned int n, done;
	unsigned long flags = spin_lock_irqsave(&p->lock);

	done = give_back(&p->list, ~0U, p->node);
	p->count = 0;
	for (n = 0; n < topo->nr_nodes; n++) {
		if (p->out[n])
			done += give_back(&p->out[n], ~0U, (nodeid_t)n);
		p->out_count[n] = 0;
	}
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
