/*
 * A domain's memory: the blocks behind its guest-physical RAM, allocated
 * at creation (virtual node by virtual node, on the node behind each),
 * the firmware area with its ACPI tables, and the memory_op work on one
 * extent after creation (dom_populate, dom_release). Every page a domain
 * holds has PG_OWNED and owner = the domain; block heads are chained
 * through page.private (the page list). Owns the per-node count of
 * domain pages (numastat). Until the domain is built nothing else sees
 * it; afterwards d->mem_lock guards the page list, the counts and the
 * nested page tables.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/guest_acpi.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/slab.h>
#include <hv/topology.h>

#define BLOCK_ORDER 9 /* 2 MiB */

/*
 * The empty bus: one page of all ones that every domain maps read-only
 * over the legacy area [0xa0000, 0xe0000), where a PC has video memory and
 * option ROMs and reading finds nothing here (Linux probes the ROMs at
 * boot). The hypervisor's, never freed.
 */
static struct page *empty_bus;

int dom_memory_init(void)
{
	empty_bus = alloc_pages(0, MEMF_LOCAL);
	if (!empty_bus)
		return -ENOMEM;
	memset(arch_maddr_to_virt(page_to_maddr(empty_bus)), 0xff, PAGE_SIZE);
	return 0;
}

bool dom_is_empty_bus(mfn_t mfn)
{
	return empty_bus && mfn == page_to_mfn(empty_bus);
}

/* Pages domains hold per node, kept as pages move (numastat, 'n'). */
static u64 node_dom_pages[MAX_NODES];

u64 dom_node_pages(nodeid_t n)
{
	return __atomic_load_n(&node_dom_pages[n], __ATOMIC_RELAXED);
}

/*
 * The nodes memory of virtual node v may come from, in order: its node,
 * then (prefer, not exact) that node's fallback list.
 */
static unsigned int alloc_nodes(const struct domain *d, unsigned int v, bool exact, nodeid_t *order)
{
	nodeid_t p = d->vnode[v].pnode;
	const struct topo_node *tn = &topo->node[p];
	unsigned int n = 0, i;

	order[n++] = p;
	if (d->cfg.policy == DOM_POLICY_PREFER && !exact)
		for (i = 0; i < tn->nr_fallback; i++)
			if (tn->fallback[i] != p)
				order[n++] = tn->fallback[i];
	return n;
}

/*
 * Record pg (2^order pages) as d's, for virtual node v (-1: the firmware
 * area), and chain it on d's page list. d->mem_lock held (even while d
 * is created: the page ownership check may look at any time).
 */
static void own_block(struct domain *d, struct page *pg, unsigned int order, int v)
{
	u64 i, n = 1ULL << order;

	for (i = 0; i < n; i++) {
		pg[i].flags |= PG_OWNED;
		pg[i].owner = d;
		pg[i].private = 0;
	}
	pg->private = (unsigned long)d->pages;
	pg->order = order;
	d->pages = pg;
	d->nr_pages += n;
	d->node_pages[pg->node] += n;
	__atomic_add_fetch(&node_dom_pages[pg->node], n, __ATOMIC_RELAXED);
	if (v < 0)
		d->fw_pages += n;
	else
		d->vnode[v].pages += n;
	if (v >= 0 && pg->node != d->vnode[v].pnode)
		nodemask_set(&d->spill, pg->node);
}

/* uncount_block()'s v for a block whose virtual node is not known: the domain is going. */
#define VNODE_ANY (-2)

/* Take pg (off the page list already) out of d's counts. */
static void uncount_block(struct domain *d, struct page *pg, int v)
{
	u64 n = 1ULL << pg->order;

	d->node_pages[pg->node] -= n;
	d->nr_pages -= n;
	__atomic_sub_fetch(&node_dom_pages[pg->node], n, __ATOMIC_RELAXED);
	if (v == -1)
		d->fw_pages -= n;
	else if (v >= 0)
		d->vnode[v].pages -= n;
}

/* Give pg, no longer counted nor mapped, back to the allocator (scrubbed there). */
static void release_block(struct page *pg)
{
	unsigned int order = pg->order;
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		pg[i].flags &= ~PG_OWNED;
		pg[i].owner = NULL;
		pg[i].private = 0;
	}
	free_pages(pg, order, true);
}

static void disown_block(struct domain *d, struct page *pg, int v)
{
	uncount_block(d, pg, v);
	release_block(pg);
}

void dom_free_memory(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&d->mem_lock);
	struct page *pg = d->pages;

	while (pg) {
		struct page *next = (struct page *)pg->private;

		/* The per-vnode counts go with the domain: no need to find each block's. */
		d->pages = next;
		disown_block(d, pg, VNODE_ANY);
		pg = next;
	}
	d->fw = NULL;
	spin_unlock_irqrestore(&d->mem_lock, flags);
}

/* Creation: own pg and map it at gfn, under mem_lock for the ownership check. */
static int own_and_map(struct domain *d, struct page *pg, unsigned int order, int v, u64 gfn)
{
	unsigned long flags = spin_lock_irqsave(&d->mem_lock);
	int rc;

	own_block(d, pg, order, v);
	rc = arch_domain_map(d, gfn, page_to_mfn(pg), order);
	spin_unlock_irqrestore(&d->mem_lock, flags);
	return rc;
}

/*
 * Back guest frames [gfn, end) of virtual node v with memory: the largest
 * aligned blocks that fit (2 MiB at most), smaller ones where a node is
 * fragmented, the next node in line when one has nothing left. *cursor:
 * index in nodes. Creation only: d is not visible yet.
 */
static int back_range(struct domain *d, unsigned int v, u64 gfn, u64 end, const nodeid_t *nodes,
		      unsigned int nr, unsigned int *cursor)
{
	while (gfn < end) {
		unsigned int max = BLOCK_ORDER, o;
		struct page *pg = NULL;

		while (max && (!IS_ALIGNED(gfn, 1ULL << max) || gfn + (1ULL << max) > end))
			max--;
		while (!pg && *cursor < nr) {
			for (o = max + 1; !pg && o-- > 0;)
				pg = alloc_pages(o, MEMF_EXACT | MEMF_NODE(nodes[*cursor]) |
							MEMF_NO_SCRUB);
			if (!pg)
				(*cursor)++;
		}
		if (!pg)
			return -ENOMEM;
		memset(arch_maddr_to_virt(page_to_maddr(pg)), 0, PAGE_SIZE << o);
		if (own_and_map(d, pg, o, (int)v, gfn))
			return -ENOMEM;
		gfn += 1ULL << o;
	}
	return 0;
}

int dom_alloc_memory(struct domain *d)
{
	nodeid_t nodes[MAX_NODES];
	unsigned int cursor[DOMAIN_MAX_VNODES] = {0}, nr[DOMAIN_MAX_VNODES], v, i;

	for (i = 0; i < d->nr_ram; i++) {
		int rc;

		v = d->ram_vnode[i];
		nr[v] = alloc_nodes(d, v, false, nodes);
		rc = back_range(d, v, d->ram[i].start >> PAGE_SHIFT, d->ram[i].end >> PAGE_SHIFT,
				nodes, nr[v], &cursor[v]);
		if (rc)
			return rc;
	}
	return 0;
}

const u8 *dom_rsdp(const struct domain *d)
{
	return d->fw ? arch_maddr_to_virt(page_to_maddr(d->fw)) : NULL;
}

/* The legacy area, read-only onto the empty bus (under mem_lock for the ownership check). */
static int map_legacy_area(struct domain *d)
{
	unsigned long flags;
	u64 gfn;
	int rc = 0;

	if (!empty_bus)
		return -ENOMEM;
	flags = spin_lock_irqsave(&d->mem_lock);
	for (gfn = DOM_LEGACY_START >> PAGE_SHIFT; !rc && gfn < DOM_FW_START >> PAGE_SHIFT; gfn++)
		rc = arch_domain_map_ro(d, gfn, page_to_mfn(empty_bus));
	spin_unlock_irqrestore(&d->mem_lock, flags);
	return rc;
}

/*
 * The guest's firmware area: 128 KiB at DOM_FW_START from the home node
 * (or the nearest that has it), holding its ACPI tables. Owned by the
 * domain as soon as it is allocated, so a failure later frees it with the
 * rest.
 */
int dom_build_firmware(struct domain *d, char *err, size_t errlen)
{
	struct page *pg = alloc_pages(DOM_FW_ORDER, MEMF_PREFER | MEMF_NODE(d->node));
	struct guest_vnuma *vn = NULL;
	unsigned int v, w, i;
	size_t used;
	int rc = -ENOMEM;

	if (!pg) {
		snprintf(err, errlen, "no memory for its firmware tables");
		return -ENOMEM;
	}
	memset(arch_maddr_to_virt(page_to_maddr(pg)), 0, PAGE_SIZE << DOM_FW_ORDER);
	d->fw = pg;
	if (own_and_map(d, pg, DOM_FW_ORDER, -1, DOM_FW_START >> PAGE_SHIFT) ||
	    map_legacy_area(d)) {
		snprintf(err, errlen, "no memory for its nested page tables");
		return -ENOMEM;
	}
	vn = kzalloc_node(sizeof(*vn), d->node);
	if (!vn) {
		snprintf(err, errlen, "no memory for its firmware tables");
		goto out;
	}
	vn->nr_vnodes = d->nr_vnodes;
	vn->nr_vcpus = d->nr_vcpus;
	for (v = 0; v < d->nr_vnodes; v++) {
		for (i = 0; i < d->vnode[v].nr_vcpus; i++)
			vn->vcpu_vnode[d->vnode[v].first_vcpu + i] = (u8)v;
		for (w = 0; w < d->nr_vnodes; w++)
			vn->distance[v][w] =
			    v == w ? 10
				   : MAX(node_distance(d->vnode[v].pnode, d->vnode[w].pnode), 11);
	}
	for (i = 0; i < d->nr_ram; i++)
		vn->range[vn->nr_ranges++] = (struct guest_acpi_range){
		    d->ram[i].start, d->ram[i].end, d->ram_vnode[i], false};
	for (v = 0; v < d->nr_vnodes; v++)
		if (d->vnode[v].hot_end > d->vnode[v].hot_start)
			vn->range[vn->nr_ranges++] = (struct guest_acpi_range){
			    d->vnode[v].hot_start, d->vnode[v].hot_end, (u8)v, true};
	rc = guest_acpi_build(vn, DOM_FW_START, arch_maddr_to_virt(page_to_maddr(pg)),
			      PAGE_SIZE << DOM_FW_ORDER, &used, err, errlen);
out:
	kfree(vn);
	return rc;
}

/* --- memory_op: memory after creation ------------------------------ */

/* Room under maxmem for n more pages of RAM? mem_lock held or not: a first look. */
static bool room_for(const struct domain *d, u64 n)
{
	return READ_ONCE(d->nr_pages) - d->fw_pages + n <= d->cfg.maxmem >> PAGE_SHIFT;
}

static bool any_mapped(const struct domain *d, u64 gfn, u64 end)
{
	for (; gfn < end; gfn++)
		if (arch_domain_lookup(d, gfn) != INVALID_MFN)
			return true;
	return false;
}

/*
 * Wait until no vCPU of d can still use a mapping removed before
 * d->tlb_gen was bumped: each one in guest mode now has left it once, so
 * it enters again with a flush. arch_cpu_sync() sends its CPU an IPI,
 * which makes it exit at once (its timer tick would, within 10 ms).
 */
static void shootdown(struct domain *d)
{
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *u = d->vcpu[i];
		u64 runs = __atomic_load_n(&u->runs, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&u->in_guest, __ATOMIC_ACQUIRE) && u->pcpu != arch_cpu_id())
			arch_cpu_sync(u->pcpu);
		while (__atomic_load_n(&u->in_guest, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&u->runs, __ATOMIC_ACQUIRE) == runs)
			arch_cpu_relax();
	}
}

/* Blocks chained through private, allocated for an extent in ascending gfn order. */
static void free_chain(struct page *pg)
{
	while (pg) {
		struct page *next = (struct page *)pg->private;

		pg->private = 0;
		free_pages(pg, pg->order, true);
		pg = next;
	}
}

int dom_populate(struct domain *d, unsigned int v, u64 gfn, unsigned int order, bool exact)
{
	nodeid_t nodes[MAX_NODES];
	unsigned int nr = alloc_nodes(d, v, exact, nodes), cursor = 0, o = 0;
	u64 n = 1ULL << order, end = gfn + n, g;
	struct page *chain = NULL, **tail = &chain, *pg;
	unsigned long flags;
	int rc = -ENOMEM;

	if (!room_for(d, n))
		return -ENOMEM;
	flags = spin_lock_irqsave(&d->mem_lock);
	rc = any_mapped(d, gfn, end) ? -EEXIST : 0;
	spin_unlock_irqrestore(&d->mem_lock, flags);
	if (rc)
		return rc;
	/* Allocate and zero outside the lock: the largest blocks that fit. */
	for (g = gfn; g < end; g += 1ULL << o) {
		unsigned int max = MIN(order, (unsigned int)BLOCK_ORDER);

		while (max && (!IS_ALIGNED(g, 1ULL << max) || g + (1ULL << max) > end))
			max--;
		for (pg = NULL; !pg && cursor < nr;) {
			for (o = max + 1; !pg && o-- > 0;)
				pg = alloc_pages(o, MEMF_EXACT | MEMF_NODE(nodes[cursor]) |
							MEMF_NO_SCRUB);
			if (!pg)
				cursor++;
		}
		if (!pg) {
			free_chain(chain);
			return -ENOMEM;
		}
		memset(arch_maddr_to_virt(page_to_maddr(pg)), 0, PAGE_SIZE << o);
		pg->order = o;
		pg->private = 0;
		*tail = pg;
		tail = (struct page **)&pg->private;
	}
	flags = spin_lock_irqsave(&d->mem_lock);
	if (!room_for(d, n))
		rc = -ENOMEM;
	else if (any_mapped(d, gfn, end))
		rc = -EEXIST; /* another vCPU was quicker */
	for (g = gfn, pg = chain; !rc && pg; pg = (struct page *)pg->private) {
		rc = arch_domain_map(d, g, page_to_mfn(pg), pg->order);
		g += 1ULL << pg->order;
	}
	if (rc) {
		if (rc == -ENOMEM && g > gfn) {
			/* Out of table pages half-way: take back what was mapped. */
			arch_domain_unmap(d, gfn, order);
			__atomic_add_fetch(&d->tlb_gen, 1, __ATOMIC_SEQ_CST);
			spin_unlock_irqrestore(&d->mem_lock, flags);
			shootdown(d);
		} else {
			spin_unlock_irqrestore(&d->mem_lock, flags);
		}
		free_chain(chain);
		return rc;
	}
	while (chain) {
		pg = chain;
		chain = (struct page *)pg->private;
		own_block(d, pg, pg->order, (int)v);
	}
	spin_unlock_irqrestore(&d->mem_lock, flags);
	return 0;
}

/* The block of d's page list headed by pg, and the link that points to it; NULL if none. */
static struct page **find_block(struct domain *d, const struct page *pg)
{
	struct page **link = &d->pages;

	while (*link && *link != pg)
		link = (struct page **)&(*link)->private;
	return *link ? link : NULL;
}

int dom_release(struct domain *d, u64 gfn, unsigned int order)
{
	u64 end = gfn + (1ULL << order), g;
	int v = dom_gfn_vnode(d, gfn);
	struct page *gone = NULL, *pg;
	unsigned long flags;
	int rc = 0;

	flags = spin_lock_irqsave(&d->mem_lock);
	/* Check it all first: every frame RAM, in whole blocks of the domain. */
	for (g = gfn; !rc && g < end;) {
		mfn_t mfn = arch_domain_lookup(d, g);

		pg = mfn == INVALID_MFN ? NULL : mfn_to_page(mfn);
		if (!pg || !(pg->flags & PG_OWNED) || pg->owner != d)
			rc = -ENOENT;
		else if (!find_block(d, pg) || !IS_ALIGNED(g, 1ULL << pg->order) ||
			 g + (1ULL << pg->order) > end)
			rc = -EINVAL; /* the extent would split a block */
		else
			g += 1ULL << pg->order;
	}
	for (g = gfn; !rc && g < end;) {
		struct page **link;

		pg = mfn_to_page(arch_domain_lookup(d, g));
		link = find_block(d, pg);
		*link = (struct page *)pg->private;
		arch_domain_unmap(d, g, pg->order);
		uncount_block(d, pg, v);
		g += 1ULL << pg->order;
		pg->private = (unsigned long)gone;
		gone = pg;
	}
	if (!rc)
		__atomic_add_fetch(&d->tlb_gen, 1, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&d->mem_lock, flags);
	if (rc)
		return rc;
	shootdown(d);
	while (gone) {
		pg = gone;
		gone = (struct page *)pg->private;
		release_block(pg);
	}
	return 0;
}
