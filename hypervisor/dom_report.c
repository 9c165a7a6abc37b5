/*
 * What the domains look like from outside (hypervisor/dom_table.h): the
 * 'q' key (each built domain's state, pages per node and virtual node
 * with the misplaced ones, vCPUs, exits by kind), the domain lines of
 * 'n' (numastat), and, in debug builds, the checks behind them: a walk of
 * each domain's nested page tables against its counters, and the page
 * ownership check (dom_check_pages() of <hv/domain.h>), which holds the
 * domain table's lock, every domain's mem_lock and each heap lock in turn.
 */
#include <hv/domain.h>
#include <hv/hvm.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/topology.h>

#include "dom_table.h"

/* --- 'q' ------------------------------------------------------------ */

static const char *state_name(const struct domain *d)
{
	unsigned int i;

	if (READ_ONCE(d->state) == DOM_DYING)
		return d->why == DOM_CRASHED || d->why == DOM_SHUTDOWN_CRASH ? "crashed" : "dying";
	for (i = 0; i < d->nr_vcpus; i++)
		if (READ_ONCE(d->vcpu[i]->state) == VCPU_RUNNABLE)
			return "running";
	return "blocked";
}

/* What a walk of a domain's nested page tables finds. */
struct npt_count {
	const struct domain *d;
	u64 *per_node;			  /* mapped pages per machine node */
	u64 vpages[DOMAIN_MAX_VNODES];	  /* mapped pages per virtual node */
	u64 misplaced[DOMAIN_MAX_VNODES]; /* of them, not on the vnode's node */
	u64 foreign;			  /* mapped frames the domain does not own */
};

static void count_mapping(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct npt_count *c = ctx;
	int v = dom_gfn_vnode(c->d, gfn);
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		struct page *pg = mfn_to_page(mfn + i);

		if (dom_is_empty_bus(mfn + i))
			continue; /* the legacy area: nobody's memory */
		if (!pg || !(pg->flags & PG_OWNED) || pg->owner != c->d) {
			c->foreign++;
			continue;
		}
		c->per_node[pg->node]++;
		if (v >= 0) {
			c->vpages[v]++;
			c->misplaced[v] += pg->node != c->d->vnode[v].pnode;
		}
	}
}

/* Walk d's nested page tables into c (per_node: topo->nr_nodes entries); mem_lock held. */
static void walk_domain_locked(struct domain *d, struct npt_count *c, u64 *per_node)
{
	memset(c, 0, sizeof(*c));
	memset(per_node, 0, topo->nr_nodes * sizeof(*per_node));
	c->d = d;
	c->per_node = per_node;
	arch_domain_walk(d, count_mapping, c);
}

static void walk_domain(struct domain *d, struct npt_count *c, u64 *per_node)
{
	unsigned long flags = spin_lock_irqsave(&d->mem_lock);

	walk_domain_locked(d, c, per_node);
	spin_unlock_irqrestore(&d->mem_lock, flags);
}

/*
 * The page list's counts against a walk of the nested page tables: every
 * mapped frame the domain's, as many per node as it holds. Returns the
 * differences, each reported on one line.
 */
static unsigned int cross_check(const struct domain *d, const struct npt_count *c)
{
	unsigned int n, bad = 0;

	for (n = 0; n < topo->nr_nodes; n++) {
		if (c->per_node[n] != d->node_pages[n]) {
			printk(LOG_EMERG,
			       "domain %u: node %u: %llu pages in the page list, %llu mapped\n",
			       d->id, n, d->node_pages[n], c->per_node[n]);
			bad++;
		}
	}
	if (c->foreign) {
		printk(LOG_EMERG, "domain %u: %llu mapped pages are not the domain's\n", d->id,
		       c->foreign);
		bad++;
	}
	return bad;
}

static void print_domain(struct domain *d)
{
	static u64 walked[MAX_NODES];
	struct npt_count c;
	unsigned int n, i;

	walk_domain(d, &c, walked);
	printk(LOG_EMERG, "domain %u %s: state %s vcpus %u memory %llu MiB policy %s\n", d->id,
	       d->cfg.name, state_name(d), d->nr_vcpus,
	       (READ_ONCE(d->nr_pages) - d->fw_pages) >> (20 - PAGE_SHIFT),
	       d->cfg.policy == DOM_POLICY_STRICT ? "strict" : "prefer");
	for (n = 0; n < topo->nr_nodes; n++)
		if (d->node_pages[n])
			printk(LOG_EMERG, "domain %u: node %u pages %llu\n", d->id, n,
			       d->node_pages[n]);
	for (i = 0; i < d->nr_vnodes; i++)
		printk(LOG_EMERG, "domain %u: vnode %u pnode %u pages %llu misplaced %llu\n", d->id,
		       i, d->vnode[i].pnode, c.vpages[i], c.misplaced[i]);
	for (i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = d->vcpu[i];

		printk(LOG_EMERG, "domain %u: vcpu %u vnode %u pcpu %u node %u exits %llu\n", d->id,
		       v->id, v->vnode, v->pcpu, v->node, READ_ONCE(v->exits));
	}
	dom_print_exits(d, LOG_EMERG);
	if (READ_ONCE(d->memop_batches))
		printk(LOG_EMERG, "domain %u: memory_op continuations %llu\n", d->id,
		       READ_ONCE(d->memop_batches));
	if (IS_ENABLED(CONFIG_DEBUG)) {
		cross_check(d, &c);
		for (i = 0; i < d->nr_vnodes; i++)
			if (c.vpages[i] != d->vnode[i].pages)
				printk(LOG_EMERG,
				       "domain %u: vnode %u: %llu pages counted, %llu mapped\n",
				       d->id, i, d->vnode[i].pages, c.vpages[i]);
	}
}

/* --- the page ownership check -------------------------------------- */

/* What the frame walk of one node finds: PG_OWNED pages per table slot. */
struct owner_count {
	u64 pages[DOMAIN_MAX];
	u64 stray; /* owned by something that is no domain of the table */
	unsigned int last;
};

static void count_owner(void *ctx, const struct page *pg)
{
	struct owner_count *oc = ctx;
	unsigned int i;

	if (!domains[oc->last] || domains[oc->last] != pg->owner) {
		for (i = 0; i < DOMAIN_MAX && (!domains[i] || domains[i] != pg->owner); i++)
			;
		if (i == DOMAIN_MAX) {
			if (!oc->stray++)
				printk(LOG_EMERG,
				       "page owners: mfn 0x%llx is owned by no domain of the table "
				       "(%p)\n",
				       pg->mfn, pg->owner);
			return;
		}
		oc->last = i;
	}
	oc->pages[oc->last]++;
}

/*
 * d's page list against its counts: each block's pages owned by d, as many
 * as it counts, virtual nodes and firmware area adding up. d->mem_lock held.
 */
static unsigned int check_page_list(const struct domain *d)
{
	const struct page *pg;
	u64 listed = 0, in_vnodes = d->fw_pages;
	unsigned int bad = 0, v, n;

	for (pg = d->pages; pg && listed <= d->nr_pages; pg = (const struct page *)pg->private) {
		u64 i, size;

		if (pg->order > MAX_ORDER) {
			printk(LOG_EMERG, "domain %u: block at mfn 0x%llx of order %u\n", d->id,
			       pg->mfn, pg->order);
			return bad + 1;
		}
		size = 1ULL << pg->order;
		for (i = 0; i < size; i++)
			if (!(pg[i].flags & PG_OWNED) || pg[i].owner != d)
				break;
		if (i < size) {
			printk(LOG_EMERG,
			       "domain %u: mfn 0x%llx of its block at 0x%llx is not its own "
			       "(flags 0x%x)\n",
			       d->id, pg[i].mfn, pg->mfn, pg[i].flags);
			bad++;
		}
		listed += size;
	}
	if (listed != d->nr_pages) {
		printk(LOG_EMERG, "domain %u: %s%llu pages in its page list, %llu counted\n", d->id,
		       pg ? "more than " : "", listed, d->nr_pages);
		bad++;
	}
	for (v = 0; v < d->nr_vnodes; v++)
		in_vnodes += d->vnode[v].pages;
	for (n = 0, listed = 0; n < topo->nr_nodes; n++)
		listed += d->node_pages[n];
	if (in_vnodes != d->nr_pages || listed != d->nr_pages) {
		printk(
		    LOG_EMERG,
		    "domain %u: %llu pages counted, %llu by virtual node and firmware area, %llu "
		    "by node\n",
		    d->id, d->nr_pages, in_vnodes, listed);
		bad++;
	}
	return bad;
}

/* Take every domain's mem_lock, in table order (domlist_lock held): the check's snapshot. */
static void lock_every_domain(void)
{
	unsigned int i;

	for (i = 0; i < DOMAIN_MAX; i++)
		if (domains[i])
			spin_lock(&domains[i]->mem_lock);
	/* lock held on return: every domain's, until unlock_every_domain() */
}

static void unlock_every_domain(void)
{
	unsigned int i;

	for (i = DOMAIN_MAX; i-- > 0;)
		if (domains[i])
			spin_unlock(&domains[i]->mem_lock);
}

unsigned int dom_check_pages(u64 *owned, unsigned int *nr_domains)
{
	static struct owner_count oc;
	static u64 walked[MAX_NODES];
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int bad = 0, i, n;

	*owned = 0;
	*nr_domains = 0;
	lock_every_domain();
	for (i = 0; i < DOMAIN_MAX; i++) {
		if (!domains[i])
			continue;
		(*nr_domains)++;
		bad += check_page_list(domains[i]);
		if (domains[i]->built) {
			struct npt_count c;

			walk_domain_locked(domains[i], &c, walked);
			bad += cross_check(domains[i], &c);
		}
	}
	for (n = 0; n < topo->nr_nodes; n++) {
		u64 sum = 0, found = 0;

		memset(&oc, 0, sizeof(oc));
		bad += heap_walk_owned((nodeid_t)n, count_owner, &oc);
		bad += oc.stray != 0;
		for (i = 0; i < DOMAIN_MAX; i++) {
			if (!domains[i])
				continue;
			sum += domains[i]->node_pages[n];
			found += oc.pages[i];
			if (oc.pages[i] != domains[i]->node_pages[n]) {
				printk(LOG_EMERG,
				       "domain %u: node %u: %llu pages counted, %llu pages owned\n",
				       domains[i]->id, n, domains[i]->node_pages[n], oc.pages[i]);
				bad++;
			}
		}
		if (sum != dom_node_pages((nodeid_t)n) || found + oc.stray != sum) {
			printk(LOG_EMERG,
			       "page owners: node %u: domains hold %llu pages, %llu are owned, the "
			       "counter says %llu\n",
			       n, sum, found + oc.stray, dom_node_pages((nodeid_t)n));
			bad++;
		}
		*owned += found + oc.stray;
	}
	unlock_every_domain();
	spin_unlock_irqrestore(&domlist_lock, flags);
	return bad;
}

static void key_domains(unsigned char key)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i, shown = 0;
	u64 owned;

	for (i = 0; i < DOMAIN_MAX; i++) {
		if (domains[i] && domains[i]->built) {
			print_domain(domains[i]);
			shown++;
		}
	}
	spin_unlock_irqrestore(&domlist_lock, flags);
	if (!shown)
		printk(LOG_EMERG, "no domains\n");
	if (IS_ENABLED(CONFIG_DEBUG)) {
		unsigned int nr, bad = dom_check_pages(&owned, &nr);

		if (bad)
			printk(LOG_EMERG, "page owners: %u problems\n", bad);
		else
			printk(LOG_EMERG,
			       "page owners: %llu pages held by %u domain%s, each page once\n",
			       owned, nr, PLURAL_S(nr));
	}
}

/* --- 'n': numastat ------------------------------------------------- */

/*
 * numastat lines from the counters kept as pages move; a debug build
 * checks them against page walks and reports any difference (none while
 * no domain is being built or destroyed).
 */
static void numastat(void)
{
	static u64 sum[MAX_NODES], walked[MAX_NODES];
	static char line[48 + 24 * MAX_NODES];
	unsigned long flags;
	unsigned int n, i;

	for (n = 0; n < topo->nr_nodes; n++) {
		u64 total = topo->node[n].present >> PAGE_SHIFT;
		u64 free = node_free_bytes(n) >> PAGE_SHIFT, dom = dom_node_pages(n);

		printk(LOG_EMERG,
		       "numastat node %u: total %llu free %llu hypervisor %llu domains %llu\n", n,
		       total, free, total - MIN(total, free + dom), dom);
	}
	memset(sum, 0, sizeof(sum));
	flags = spin_lock_irqsave(&domlist_lock);
	for (i = 0; i < DOMAIN_MAX; i++) {
		struct domain *d = domains[i];
		size_t len;

		if (!d)
			continue;
		for (n = 0; n < topo->nr_nodes; n++)
			sum[n] += d->node_pages[n];
		if (!d->built)
			continue;
		len = (size_t)snprintf(line, sizeof(line), "numastat domain %u %s:", d->id,
				       d->cfg.name);
		for (n = 0; n < topo->nr_nodes; n++)
			if (d->node_pages[n])
				len += snprintf(line + len, sizeof(line) - MIN(len, sizeof(line)),
						" node %u %llu", n, d->node_pages[n]);
		printk(LOG_EMERG, "%s\n", line);
		if (IS_ENABLED(CONFIG_DEBUG)) {
			struct npt_count c;

			walk_domain(d, &c, walked);
			cross_check(d, &c);
		}
	}
	spin_unlock_irqrestore(&domlist_lock, flags);
	if (IS_ENABLED(CONFIG_DEBUG))
		for (n = 0; n < topo->nr_nodes; n++)
			if (sum[n] != dom_node_pages(n))
				printk(LOG_EMERG,
				       "numastat node %u: counter says %llu domain pages, the "
				       "domains hold %llu\n",
				       n, dom_node_pages(n), sum[n]);
}

void dom_report_init(void)
{
	keyhandler_register('q', key_domains,
			    "domains: state, memory per node and virtual node, vCPUs", true);
	numa_set_stat_hook(numastat);
}
