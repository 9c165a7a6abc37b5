/*
 * Domains: creation from a domain= configuration (placement, memory,
 * nested page tables, guest image, vCPUs), the end of a domain (shutdown,
 * crash, reboot) and the 'q' key; guest memory access is in guest_mem.c.
 * See include/hv/domain.h for the life of a domain and the lock order.
 *
 * Owns the domain table (domlist_lock) and the "domain" and "vcpu" slab
 * caches. Guest memory is allocated whole at creation, 2 MiB blocks
 * where the guest-physical layout allows, and never changes afterwards
 * until the domain is destroyed; so the page list and the per-node counts
 * need no lock of their own.
 */
#include <hv/arch.h>
#include <hv/boot.h>
#include <hv/cpumask.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/placement.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <hv/topology.h>

#define BLOCK_ORDER 9 /* 2 MiB */

extern const char testguest_image_start[], testguest_image_end[];

static DEFINE_SPINLOCK(domlist_lock);
static struct domain *domains[DOMAIN_MAX];
static unsigned int next_domid = 1;
static u64 next_vcpu_tag = 1;
static struct slab_cache *domain_cache, *vcpu_cache;
static const struct boot_info *boot;
static bool hvm_ready;
static struct domain *boot_domains[DOMAIN_CONFIG_MAX]; /* created, not yet started */

static const char *const shutdown_names[] = {
    [DOM_SHUTDOWN_POWEROFF] = "poweroff",
    [DOM_SHUTDOWN_REBOOT] = "reboot",
    [DOM_SHUTDOWN_CRASH] = "crash",
    [DOM_CRASHED] = "crashed",
};

static int image_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	return dom_copy_to_guest(ctx, gpa, src, len);
}

/* --- memory --------------------------------------------------------- */

/* The nodes d's memory may come from, in order: its node, then (prefer) its fallback list. */
static unsigned int alloc_nodes(const struct domain *d, nodeid_t *order)
{
	const struct topo_node *tn = &topo->node[d->node];
	unsigned int n = 0, i;

	order[n++] = d->node;
	if (d->cfg.policy == DOM_POLICY_PREFER)
		for (i = 0; i < tn->nr_fallback; i++)
			if (tn->fallback[i] != d->node)
				order[n++] = tn->fallback[i];
	return n;
}

/* Record pg (2^order pages) as d's and chain it on d's page list. */
static void own_block(struct domain *d, struct page *pg, unsigned int order)
{
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		pg[i].flags |= PG_OWNED;
		pg[i].owner = d;
		pg[i].private = 0;
	}
	pg->private = (unsigned long)d->pages;
	pg->order = order;
	d->pages = pg;
	d->nr_pages += 1ULL << order;
	d->node_pages[pg->node] += 1ULL << order;
	if (pg->node != d->node)
		nodemask_set(&d->spill, pg->node);
}

static void free_memory(struct domain *d)
{
	struct page *pg = d->pages;

	while (pg) {
		struct page *next = (struct page *)pg->private;
		unsigned int order = pg->order;
		u64 i;

		for (i = 0; i < (1ULL << order); i++) {
			pg[i].flags &= ~PG_OWNED;
			pg[i].owner = NULL;
			pg[i].private = 0;
		}
		d->node_pages[pg->node] -= 1ULL << order;
		d->nr_pages -= 1ULL << order;
		free_pages(pg, order, true);
		pg = next;
	}
	d->pages = NULL;
}

/*
 * Back guest frames [gfn, end) with memory: the largest aligned blocks
 * that fit (2 MiB at most), smaller ones where a node is fragmented, the
 * next node in line when one has nothing left. *cursor: index in nodes.
 */
static int back_range(struct domain *d, u64 gfn, u64 end, const nodeid_t *nodes, unsigned int nr,
		      unsigned int *cursor)
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
		own_block(d, pg, o);
		if (arch_domain_map(d, gfn, page_to_mfn(pg), o))
			return -ENOMEM;
		gfn += 1ULL << o;
	}
	return 0;
}

static int alloc_memory(struct domain *d)
{
	nodeid_t nodes[MAX_NODES];
	unsigned int nr = alloc_nodes(d, nodes), cursor = 0, i;

	for (i = 0; i < d->nr_ram; i++) {
		int rc = back_range(d, d->ram[i].start >> PAGE_SHIFT, d->ram[i].end >> PAGE_SHIFT,
				    nodes, nr, &cursor);

		if (rc)
			return rc;
	}
	return 0;
}

/* "512 MiB on node 0, 512 MiB on node 1" for the creation line (KiB when not whole MiB). */
static void where_str(const struct domain *d, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int n;

	buf[0] = '\0';
	for (n = 0; n < topo->nr_nodes; n++) {
		if (!d->node_pages[n])
			continue;
		u64 pages = d->node_pages[n];
		bool whole = !(pages & ((1ULL << (20 - PAGE_SHIFT)) - 1));

		len += snprintf(buf + len, size - MIN(len, size), "%s%llu %s on node %u",
				len ? ", " : "",
				whole ? pages >> (20 - PAGE_SHIFT) : pages << (PAGE_SHIFT - 10),
				whole ? "MiB" : "KiB", n);
	}
}

/* --- creation and destruction -------------------------------------- */

static const void *domain_image(const struct domain_config *cfg, size_t *len, const char **args,
				char *err, size_t errlen)
{
	const struct boot_module *m;

	*args = cfg->args;
	if (cfg->image < 0) {
		*len = (size_t)(testguest_image_end - testguest_image_start);
		return testguest_image_start;
	}
	if (!boot || (unsigned int)cfg->image >= boot->nr_modules) {
		snprintf(err, errlen, "image: no multiboot module %d (%u given)", cfg->image,
			 boot ? boot->nr_modules : 0);
		return NULL;
	}
	m = &boot->modules[cfg->image];
	*len = (size_t)(m->end - m->start);
	if (!cfg->args[0]) {
		/* The module's own command line, past its first word (the file name). */
		const char *a = m->cmdline;

		while (*a && *a != ' ')
			a++;
		while (*a == ' ')
			a++;
		*args = a;
	}
	return arch_maddr_to_virt(m->start);
}

static void free_domain(struct domain *d)
{
	unsigned int i;

	for (i = 0; d->vcpu && i < d->nr_vcpus; i++) {
		if (!d->vcpu[i])
			continue;
		arch_vcpu_free(d->vcpu[i]);
		slab_free(vcpu_cache, d->vcpu[i]);
	}
	kfree(d->vcpu);
	free_memory(d);
	arch_domain_free(d);
	kfree(d->node_pages);
	slab_free(domain_cache, d);
}

static int create_vcpus(struct domain *d)
{
	unsigned int i;

	d->vcpu = kzalloc_node(d->nr_vcpus * sizeof(*d->vcpu), d->node);
	if (!d->vcpu)
		return -ENOMEM;
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = slab_alloc_node(vcpu_cache, d->node);

		if (!v)
			return -ENOMEM;
		memset(v, 0, sizeof(*v));
		d->vcpu[i] = v;
		v->dom = d;
		v->id = i;
		v->pcpu = sched_pick_cpu(d->node);
		v->node = cpu_to_node(v->pcpu);
		v->state = VCPU_DOWN;
		v->tag = __atomic_fetch_add(&next_vcpu_tag, 1, __ATOMIC_RELAXED);
		if (arch_vcpu_init(v))
			return -ENOMEM;
		/* Counted now, so the next vCPU's CPU is chosen knowing this one. */
		sched_add_vcpu(v);
	}
	return 0;
}

static bool name_taken(const char *name)
{
	unsigned int i;

	for (i = 0; i < DOMAIN_MAX; i++)
		if (domains[i] && strcmp(domains[i]->cfg.name, name) == 0)
			return true;
	return false;
}

/*
 * Take a slot in the table (the name is d's from now on); false if the table
 * is full or the name in use. The id comes once the domain is built.
 */
static bool register_domain(struct domain *d, char *err, size_t errlen)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i;
	bool ok = false;

	if (name_taken(d->cfg.name)) {
		snprintf(err, errlen, "a domain named %s is running", d->cfg.name);
	} else {
		for (i = 0; i < DOMAIN_MAX && !ok; i++) {
			if (!domains[i]) {
				domains[i] = d;
				ok = true;
			}
		}
		if (!ok)
			snprintf(err, errlen, "%d domains exist already", DOMAIN_MAX);
	}
	spin_unlock_irqrestore(&domlist_lock, flags);
	return ok;
}

/* Give d its id and show it to 'q': it is whole now. */
static void publish(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);

	d->id = next_domid++;
	d->built = true;
	spin_unlock_irqrestore(&domlist_lock, flags);
}

static void unregister_domain(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i;

	for (i = 0; i < DOMAIN_MAX; i++)
		if (domains[i] == d)
			domains[i] = NULL;
	spin_unlock_irqrestore(&domlist_lock, flags);
}

static int place(const struct domain_config *cfg, nodeid_t *node, char *err, size_t errlen)
{
	struct place_node nodes[MAX_NODES];
	unsigned int n, c;

	for (n = 0; n < topo->nr_nodes; n++) {
		nodes[n].present = topo->node[n].present;
		nodes[n].free = node_free_bytes(n);
		nodes[n].cpus = 0;
		for (c = 0; c < topo->nr_cpus; c++)
			nodes[n].cpus += cpu_to_node(c) == n && cpumask_test(&cpu_online_mask, c);
	}
	return dom_place(cfg, nodes, topo->nr_nodes, node, err, errlen);
}

/* Everything after placement; the domain is not yet visible to anyone. */
static int build_domain(struct domain *d, char *err, size_t errlen)
{
	struct guest_mem gm;
	struct guest_entry entry;
	const char *args;
	const void *image;
	size_t len;
	int rc;

	d->node_pages = kzalloc_node(topo->nr_nodes * sizeof(*d->node_pages), d->node);
	if (!d->node_pages || arch_domain_init(d)) {
		snprintf(err, errlen, "no memory for its structures");
		return -ENOMEM;
	}
	dom_layout_ram(d, d->cfg.mem);
	d->mem_ns = arch_time_ns();
	rc = alloc_memory(d);
	d->mem_ns = arch_time_ns() - d->mem_ns;
	if (rc) {
		snprintf(err, errlen, "out of memory after %llu of %llu MiB%s",
			 d->nr_pages >> (20 - PAGE_SHIFT), d->cfg.mem >> 20,
			 d->cfg.policy == DOM_POLICY_STRICT ? " (strict: its node only)" : "");
		return -ENOMEM;
	}
	image = domain_image(&d->cfg, &len, &args, err, errlen);
	if (!image)
		return -EINVAL;
	gm = (struct guest_mem){d->ram, d->nr_ram, image_write, d};
	rc = guest_image_load(image, len, args, &gm, &entry, err, errlen);
	if (rc)
		return rc;
	if (create_vcpus(d)) {
		snprintf(err, errlen, "no memory for its vCPUs");
		return -ENOMEM;
	}
	arch_vcpu_boot32(d->vcpu[0], entry.eip, entry.eax, entry.ebx);
	return 0;
}

/*
 * Undo a creation that failed half-way. vCPUs already on their CPUs' run
 * queues (all DOWN) are let go by those CPUs like a dying domain's; the
 * last one frees the domain, quietly.
 */
static void discard_unstarted(struct domain *d)
{
	unsigned int queued = 0, i;

	for (i = 0; d->vcpu && i < d->nr_vcpus; i++)
		queued += d->vcpu[i] && d->vcpu[i]->rq_next;
	d->failed_start = true;
	unregister_domain(d);
	__atomic_store_n(&d->live_vcpus, queued, __ATOMIC_RELAXED);
	__atomic_store_n(&d->state, DOM_DYING, __ATOMIC_RELEASE);
	if (!queued)
		free_domain(d);
}

static void count_order(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	u64 *n = ctx;

	n[order == 9]++;
}

/* Print the creation line: where the memory and vCPUs went. */
static void report_created(const struct domain *d)
{
	char where[48 * 4], cpus[64];
	u64 maps[2] = {0, 0}; /* 4 KiB and 2 MiB mappings */
	struct cpumask mask;
	unsigned int i;

	cpumask_clear(&mask);
	for (i = 0; i < d->nr_vcpus; i++)
		cpumask_set(&mask, d->vcpu[i]->pcpu);
	cpumask_format(cpus, sizeof(cpus), &mask);
	where_str(d, where, sizeof(where));
	printk(LOG_NOTICE, "domain %u %s: %llu MiB on node %u (%s), %u vcpu%s on CPU%s %s\n", d->id,
	       d->cfg.name, d->cfg.mem >> 20, d->node,
	       d->cfg.policy == DOM_POLICY_STRICT ? "strict" : "prefer", d->nr_vcpus,
	       PLURAL_S(d->nr_vcpus), cpumask_weight(&mask) == 1 ? "" : "s", cpus);
	if (nodemask_weight(&d->spill))
		printk(LOG_NOTICE, "domain %u %s: does not fit on node %u: %s\n", d->id,
		       d->cfg.name, d->node, where);
	arch_domain_walk(d, count_order, maps);
	pr_info("domain %u %s: nested page tables map %llu of 2 MiB and %llu of 4 KiB\n", d->id,
		d->cfg.name, maps[1], maps[0]);
}

void dom_start(struct domain *d)
{
	__atomic_store_n(&d->vcpu[0]->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
}

struct domain *dom_create(const struct domain_config *cfg, bool start)
{
	char err[DOMCFG_ERR_MAX];
	u64 t0 = arch_time_ns();
	struct domain *d;
	nodeid_t node;

	err[0] = '\0';
	if (!hvm_ready) {
		printk(LOG_ERR, "domain %s: not started: guests are disabled on this machine\n",
		       cfg->name);
		return NULL;
	}
	if (cfg->image >= 0 && (!boot || (unsigned int)cfg->image >= boot->nr_modules)) {
		snprintf(err, sizeof(err), "image: no multiboot module %d (%u given)", cfg->image,
			 boot ? boot->nr_modules : 0);
		goto fail;
	}
	if (place(cfg, &node, err, sizeof(err)))
		goto fail;
	d = slab_alloc_node(domain_cache, node);
	if (!d) {
		snprintf(err, sizeof(err), "no memory for its structures");
		goto fail;
	}
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->node = node;
	d->nr_vcpus = cfg->vcpus;
	d->live_vcpus = cfg->vcpus;
	spin_lock_init(&d->lock);
	if (!register_domain(d, err, sizeof(err))) {
		slab_free(domain_cache, d);
		goto fail;
	}
	if (build_domain(d, err, sizeof(err))) {
		printk(LOG_ERR, "domain %s: not started: %s\n", cfg->name, err);
		discard_unstarted(d);
		return NULL;
	}
	publish(d);
	report_created(d);
	pr_info("domain %u %s: built in %llu us, %llu us of it allocating, zeroing and mapping "
		"memory\n",
		d->id, cfg->name, (arch_time_ns() - t0) / 1000, d->mem_ns / 1000);
	if (start)
		dom_start(d);
	return d;
fail:
	printk(LOG_ERR, "domain %s: not started: %s\n", cfg->name, err);
	return NULL;
}

/* The last vCPU is gone: free everything, say so, and start again on reboot. */
static void destroy(struct domain *d)
{
	struct domain_config cfg = d->cfg;
	enum dom_shutdown why = d->why;
	unsigned int id = d->id;
	u64 mib = d->nr_pages >> (20 - PAGE_SHIFT), t0 = arch_time_ns();
	bool quiet = d->failed_start;

	unregister_domain(d);
	free_domain(d);
	t0 = arch_time_ns() - t0;
	if (quiet)
		return;
	printk(LOG_NOTICE, "domain %u %s: shut down (%s), %llu MiB freed\n", id, cfg.name,
	       shutdown_names[why], mib);
	pr_info("domain %u %s: destroyed in %llu us (its memory is scrubbed by idle CPUs)\n", id,
		cfg.name, t0 / 1000);
	if (why == DOM_SHUTDOWN_REBOOT)
		dom_create(&cfg, true);
}

void dom_vcpu_gone(struct vcpu *v)
{
	struct domain *d = v->dom;

	WRITE_ONCE(v->state, VCPU_DEAD);
	if (__atomic_sub_fetch(&d->live_vcpus, 1, __ATOMIC_ACQ_REL) == 0)
		destroy(d);
}

void dom_shutdown(struct domain *d, enum dom_shutdown why, struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);

	if (d->state == DOM_DYING) {
		spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	d->why = why;
	__atomic_store_n(&d->state, DOM_DYING, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&d->lock, flags);
	if (why == DOM_CRASHED || why == DOM_SHUTDOWN_CRASH) {
		printk(LOG_ERR, "(d%u) crashed: %s\n", d->id,
		       why == DOM_CRASHED ? v->crash_reason
					  : "the guest asked to (shutdown crash)");
		if (v)
			arch_vcpu_dump(v);
	}
}

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

struct npt_count {
	u64 *per_node;
	u64 foreign; /* mapped frames the domain does not own */
};

static void count_mapping(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct npt_count *c = ctx;
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		struct page *pg = mfn_to_page(mfn + i);

		if (!pg || !(pg->flags & PG_OWNED))
			c->foreign++;
		else
			c->per_node[pg->node]++;
	}
}

/* Debug builds: the page list's counts against a walk of the nested page tables. */
static void cross_check(const struct domain *d)
{
	static u64 walked[MAX_NODES];
	struct npt_count c = {walked, 0};
	unsigned int n;

	memset(walked, 0, sizeof(walked));
	arch_domain_walk(d, count_mapping, &c);
	for (n = 0; n < topo->nr_nodes; n++)
		if (walked[n] != d->node_pages[n])
			printk(LOG_EMERG,
			       "domain %u: node %u: %llu pages in the page list, %llu mapped\n",
			       d->id, n, d->node_pages[n], walked[n]);
	if (c.foreign)
		printk(LOG_EMERG, "domain %u: %llu mapped pages are not the domain's\n", d->id,
		       c.foreign);
}

static void print_domain(const struct domain *d)
{
	unsigned int n, i;

	printk(LOG_EMERG, "domain %u %s: state %s vcpus %u memory %llu MiB policy %s\n", d->id,
	       d->cfg.name, state_name(d), d->nr_vcpus, d->cfg.mem >> 20,
	       d->cfg.policy == DOM_POLICY_STRICT ? "strict" : "prefer");
	for (n = 0; n < topo->nr_nodes; n++)
		if (d->node_pages[n])
			printk(LOG_EMERG, "domain %u: node %u pages %llu\n", d->id, n,
			       d->node_pages[n]);
	for (i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = d->vcpu[i];

		printk(LOG_EMERG, "domain %u: vcpu %u pcpu %u node %u exits %llu\n", d->id, v->id,
		       v->pcpu, v->node, READ_ONCE(v->exits));
	}
	if (IS_ENABLED(CONFIG_DEBUG))
		cross_check(d);
}

static void key_domains(unsigned char key)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i, shown = 0;

	for (i = 0; i < DOMAIN_MAX; i++) {
		if (domains[i] && domains[i]->built) {
			print_domain(domains[i]);
			shown++;
		}
	}
	spin_unlock_irqrestore(&domlist_lock, flags);
	if (!shown)
		printk(LOG_EMERG, "no domains\n");
}

void domains_boot(const struct boot_info *bi, bool hvm_ok)
{
	unsigned int i;

	boot = bi;
	hvm_ready = hvm_ok;
	keyhandler_register('q', key_domains, "domains: state, memory per node, vCPUs", true);
	domain_cache = slab_cache_create("domain", sizeof(struct domain), 0, NULL, 0);
	vcpu_cache = slab_cache_create("vcpu", sizeof(struct vcpu), 0, NULL, 0);
	if (!domain_cache || !vcpu_cache) {
		pr_err("domains: no memory for the slab caches: guests disabled\n");
		hvm_ready = false;
	}
	dom_selftest_fragment();
	for (i = 0; i < domcfg_count(); i++)
		boot_domains[i] = dom_create(domcfg_get(i), false);
}

void domains_start(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(boot_domains); i++)
		if (boot_domains[i])
			dom_start(boot_domains[i]);
}
