/*
 * Domains: creation from a domain= configuration (placement of its
 * virtual nodes, memory, firmware tables, guest image, vCPUs), the end of
 * a domain (shutdown, crash, reboot). A domain's memory is in
 * dom_memory.c, guest memory access in guest_mem.c, the 'q' key, the
 * numastat lines of 'n' and the page ownership check in dom_report.c.
 * See include/hv/domain.h for the life of a domain and the lock order.
 *
 * Owns the domain table (domlist_lock, dom_table.h) and the "domain" and
 * "vcpu" slab caches.
 */
#include <hv/arch.h>
#include <hv/boot.h>
#include <hv/cpumask.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/guest_acpi.h>
#include <hv/guest_linux.h>
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

#include "dom_table.h"

extern const char testguest_image_start[], testguest_image_end[];

DEFINE_SPINLOCK(domlist_lock);
struct domain *domains[DOMAIN_MAX];
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
		/* Linker symbols around the built-in guest's blob, one section. */
		/* cppcheck-suppress comparePointers */
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
	dom_free_memory(d);
	arch_domain_free(d);
	kfree(d->node_pages);
	slab_free(domain_cache, d);
}

static int create_vcpus(struct domain *d)
{
	unsigned int v, i;

	d->vcpu = kzalloc_node(d->nr_vcpus * sizeof(*d->vcpu), d->node);
	if (!d->vcpu)
		return -ENOMEM;
	for (v = 0; v < d->nr_vnodes; v++) {
		nodeid_t p = d->vnode[v].pnode;

		for (i = d->vnode[v].first_vcpu; i < d->vnode[v].first_vcpu + d->vnode[v].nr_vcpus;
		     i++) {
			struct vcpu *vc = slab_alloc_node(vcpu_cache, p);

			if (!vc)
				return -ENOMEM;
			memset(vc, 0, sizeof(*vc));
			d->vcpu[i] = vc;
			vc->dom = d;
			vc->id = i;
			vc->vnode = v;
			vc->pcpu = sched_pick_cpu(p);
			vc->node = cpu_to_node(vc->pcpu);
			vc->state = VCPU_DOWN;
			vlapic_init(&vc->lapic, i, i == 0);
			vc->tag = __atomic_fetch_add(&next_vcpu_tag, 1, __ATOMIC_RELAXED);
			if (arch_vcpu_init(vc))
				return -ENOMEM;
			/* Counted now, so the next vCPU's CPU is chosen knowing this one. */
			sched_add_vcpu(vc);
		}
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

/*
 * Take d out of the table, its memory freed first: a page is never owned
 * by a domain the table does not hold (see dom_check_pages()).
 */
static void unregister_domain(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i;

	d->built = false; /* 'q' walks it no more */
	spin_unlock_irqrestore(&domlist_lock, flags);
	dom_free_memory(d);
	flags = spin_lock_irqsave(&domlist_lock);
	for (i = 0; i < DOMAIN_MAX; i++)
		if (domains[i] == d)
			domains[i] = NULL;
	spin_unlock_irqrestore(&domlist_lock, flags);
}

/*
 * Placement of cfg on a snapshot of the nodes: the node of each virtual
 * node, and the sum of the SLIT distances between them.
 */
static int place(const struct domain_config *cfg, nodeid_t *out, u32 *sum, char *err, size_t errlen)
{
	unsigned int nr = topo->nr_nodes, n, m, c;
	struct place_node *nodes = kzalloc_node(nr * sizeof(*nodes), cpu_to_node(arch_cpu_id()));
	u8 *dist = kzalloc_node(nr * nr, cpu_to_node(arch_cpu_id()));
	int rc = -ENOMEM;

	if (!nodes || !dist) {
		snprintf(err, errlen, "no memory to place it");
		goto out;
	}
	for (n = 0; n < nr; n++) {
		nodes[n].present = topo->node[n].present;
		nodes[n].free = node_free_bytes(n);
		nodes[n].cpus = 0;
		for (c = 0; c < topo->nr_cpus; c++)
			nodes[n].cpus += cpu_to_node(c) == n && cpumask_test(&cpu_online_mask, c);
		for (m = 0; m < nr; m++)
			dist[n * nr + m] = node_distance(n, m);
	}
	rc = dom_place(cfg, nodes, nr, dist, out, err, errlen);
	if (!rc)
		*sum = place_distance_sum(out, cfg->vnodes, dist, nr);
out:
	kfree(nodes);
	kfree(dist);
	return rc;
}

/*
 * A Linux guest: the bzImage by the boot protocol, with the initrd module
 * if initrd= names one, and vCPU 0 at its 64-bit entry.
 */
static int build_linux(struct domain *d, const void *image, size_t len, const char *args, char *err,
		       size_t errlen)
{
	struct guest_mem gm = {d->ram, d->nr_ram, image_write, d, dom_rsdp(d)};
	struct guest_linux_entry e;
	char *cmdline = NULL;
	const void *initrd = NULL;
	size_t initrd_len = 0;
	int rc;

	if (d->cfg.initrd >= 0) {
		const struct boot_module *m;

		if (!boot || (unsigned int)d->cfg.initrd >= boot->nr_modules) {
			snprintf(err, errlen, "initrd: no multiboot module %d (%u given)",
				 d->cfg.initrd, boot ? boot->nr_modules : 0);
			return -EINVAL;
		}
		m = &boot->modules[d->cfg.initrd];
		initrd = arch_maddr_to_virt(m->start);
		initrd_len = (size_t)(m->end - m->start);
	}
	/*
	 * The TSC's rate, which the guest cannot calibrate without a PIT,
	 * HPET or PM timer (include/hv/guest_linux.h), unless args gives one.
	 */
	if (!strstr(args, "tsc_early_khz=")) {
		cmdline = kmalloc(GUEST_LINUX_CMDLINE_MAX);
		if (!cmdline) {
			snprintf(err, errlen, "no memory for its command line");
			return -ENOMEM;
		}
		snprintf(cmdline, GUEST_LINUX_CMDLINE_MAX, "%s%stsc_early_khz=%u", args,
			 args[0] ? " " : "", arch_guest_tsc_khz());
		args = cmdline;
	}
	rc = guest_linux_load(image, len, initrd, initrd_len, args, &gm, DOM_FW_START, &e, err,
			      errlen);
	kfree(cmdline);
	if (rc)
		return rc;
	if (create_vcpus(d)) {
		snprintf(err, errlen, "no memory for its vCPUs");
		return -ENOMEM;
	}
	arch_vcpu_boot64(d->vcpu[0], e.rip, e.rsi, e.cr3, e.gdt_base, e.gdt_limit,
			 GUEST_LINUX_BOOT_CS, GUEST_LINUX_BOOT_DS);
	printk(LOG_NOTICE,
	       "domain %s: Linux %s, boot protocol %u.%u, kernel at 0x%llx, initrd %llu KiB at "
	       "0x%llx\n",
	       d->cfg.name, e.kernel_version, (unsigned int)e.version >> 8,
	       (unsigned int)e.version & 0xff, e.kernel_start,
	       (e.initrd_end - e.initrd_start) >> 10, e.initrd_start);
	return 0;
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
	d->mem_ns = arch_time_ns();
	rc = dom_alloc_memory(d);
	d->mem_ns = arch_time_ns() - d->mem_ns;
	if (rc) {
		snprintf(err, errlen, "out of memory after %llu of %llu MiB%s",
			 d->nr_pages >> (20 - PAGE_SHIFT), d->cfg.mem >> 20,
			 d->cfg.policy == DOM_POLICY_STRICT ? " (strict: its node only)" : "");
		return -ENOMEM;
	}
	rc = dom_build_firmware(d, err, errlen);
	if (rc)
		return rc;
	image = domain_image(&d->cfg, &len, &args, err, errlen);
	if (!image)
		return -EINVAL;
	gm = (struct guest_mem){d->ram, d->nr_ram, image_write, d, dom_rsdp(d)};
	if (guest_linux_detect(image, len))
		return build_linux(d, image, len, args, err, errlen);
	if (d->cfg.initrd >= 0) {
		snprintf(err, errlen, "initrd: only a Linux image takes one");
		return -EINVAL;
	}
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
 * Undo a creation that failed half-way: its memory is freed at once.
 * vCPUs already on their CPUs' run queues (all DOWN) are let go by those
 * CPUs like a dying domain's; the last one frees the rest, quietly (the
 * name stays taken until then).
 */
static void discard_unstarted(struct domain *d)
{
	unsigned int queued = 0, i;

	for (i = 0; d->vcpu && i < d->nr_vcpus; i++)
		queued += d->vcpu[i] && d->vcpu[i]->rq_next;
	d->failed_start = true;
	__atomic_store_n(&d->live_vcpus, queued, __ATOMIC_RELAXED);
	__atomic_store_n(&d->state, DOM_DYING, __ATOMIC_RELEASE);
	if (queued) {
		dom_free_memory(d); /* now: no vCPU of it ever runs */
	} else {
		unregister_domain(d);
		free_domain(d);
	}
}

/* Mappings of the domain's memory by size (the legacy area's empty bus left out). */
static void count_order(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	u64 *n = ctx;

	if (!dom_is_empty_bus(mfn))
		n[order == 9]++;
}

/* "1+3": the nodes behind the virtual nodes. */
static void nodes_str(const struct domain *d, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int v;

	buf[0] = '\0';
	for (v = 0; v < d->nr_vnodes; v++)
		len += snprintf(buf + len, size - MIN(len, size), "%s%u", v ? "+" : "",
				d->vnode[v].pnode);
}

/* The CPUs of vCPUs [first, first + nr) as a list ("2-3,6"). */
static unsigned int cpus_str(const struct domain *d, unsigned int first, unsigned int nr, char *buf,
			     size_t size)
{
	struct cpumask mask;
	unsigned int i;

	cpumask_clear(&mask);
	for (i = first; i < first + nr; i++)
		cpumask_set(&mask, d->vcpu[i]->pcpu);
	cpumask_format(buf, size, &mask);
	return cpumask_weight(&mask);
}

/* Print the creation lines: where the memory and vCPUs went. */
static void report_created(const struct domain *d)
{
	char where[48 * 4], cpus[64], nodes[4 * DOMAIN_MAX_VNODES];
	u64 maps[2] = {0, 0}; /* 4 KiB and 2 MiB mappings */
	const char *policy = d->cfg.policy == DOM_POLICY_STRICT ? "strict" : "prefer";
	unsigned int w = cpus_str(d, 0, d->nr_vcpus, cpus, sizeof(cpus)), v;

	where_str(d, where, sizeof(where));
	if (d->nr_vnodes == 1) {
		printk(LOG_NOTICE,
		       "domain %u %s: %llu MiB on node %u (%s), %u vcpu%s on CPU%s %s\n", d->id,
		       d->cfg.name, d->cfg.mem >> 20, d->node, policy, d->nr_vcpus,
		       PLURAL_S(d->nr_vcpus), w == 1 ? "" : "s", cpus);
	} else {
		nodes_str(d, nodes, sizeof(nodes));
		printk(LOG_NOTICE,
		       "domain %u %s: %llu MiB on nodes %s (%s), %u vcpus on CPU%s %s, %u virtual "
		       "nodes%s%u)\n",
		       d->id, d->cfg.name, d->cfg.mem >> 20, nodes, policy, d->nr_vcpus,
		       w == 1 ? "" : "s", cpus, d->nr_vnodes,
		       d->cfg.vnode_node[0] < 0 ? ", nodes chosen by distance (sum "
						: " (distance sum ",
		       d->distance_sum);
		for (v = 0; v < d->nr_vnodes; v++) {
			const struct dom_vnode *vn = &d->vnode[v];
			char ids[24];

			w = cpus_str(d, vn->first_vcpu, vn->nr_vcpus, cpus, sizeof(cpus));
			if (vn->nr_vcpus == 1)
				snprintf(ids, sizeof(ids), "vcpu %u", vn->first_vcpu);
			else
				snprintf(ids, sizeof(ids), "vcpus %u-%u", vn->first_vcpu,
					 vn->first_vcpu + vn->nr_vcpus - 1);
			printk(LOG_NOTICE,
			       "domain %u %s: vnode %u on node %u: %llu MiB, %s on CPU%s %s\n",
			       d->id, d->cfg.name, v, vn->pnode, d->cfg.vnode_mem[v] >> 20, ids,
			       w == 1 ? "" : "s", cpus);
		}
	}
	if (nodemask_weight(&d->spill)) {
		if (d->nr_vnodes == 1)
			printk(LOG_NOTICE, "domain %u %s: does not fit on node %u: %s\n", d->id,
			       d->cfg.name, d->node, where);
		else
			printk(LOG_NOTICE, "domain %u %s: does not fit on nodes %s: %s\n", d->id,
			       d->cfg.name, nodes, where);
	}
	arch_domain_walk(d, count_order, maps);
	pr_info("domain %u %s: nested page tables map %llu of 2 MiB and %llu of 4 KiB\n", d->id,
		d->cfg.name, maps[1], maps[0]);
}

void dom_start(struct domain *d)
{
	d->start_ns = arch_time_ns();
	__atomic_store_n(&d->vcpu[0]->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
}

struct domain *dom_create(const struct domain_config *cfg, bool start)
{
	char err[DOMCFG_ERR_MAX];
	u64 t0 = arch_time_ns();
	nodeid_t node[DOMAIN_MAX_VNODES];
	struct domain *d;
	unsigned int v;
	u32 d_sum = 0;

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
	if (place(cfg, node, &d_sum, err, sizeof(err)))
		goto fail;
	d = slab_alloc_node(domain_cache, node[0]);
	if (!d) {
		snprintf(err, sizeof(err), "no memory for its structures");
		goto fail;
	}
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->node = node[0];
	d->nr_vcpus = cfg->vcpus;
	d->live_vcpus = cfg->vcpus;
	spin_lock_init(&d->lock);
	spin_lock_init(&d->mem_lock);
	dom_io_init(d);
	dom_layout_ram(d);
	for (v = 0; v < d->nr_vnodes; v++)
		d->vnode[v].pnode = node[v];
	d->distance_sum = d_sum;
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

	dom_io_end(d);
	if (!quiet)
		dom_print_exits(d, LOG_INFO);
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
		       why == DOM_SHUTDOWN_CRASH ? "the guest asked to (shutdown crash)"
		       : v			 ? v->crash_reason
						 : "no vCPU named");
		if (v)
			arch_vcpu_dump(v);
	}
}

void dom_for_each(void (*fn)(void *ctx, struct domain *d), void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&domlist_lock);
	unsigned int i;

	for (i = 0; i < DOMAIN_MAX; i++)
		if (domains[i])
			fn(ctx, domains[i]);
	spin_unlock_irqrestore(&domlist_lock, flags);
}

void domains_boot(const struct boot_info *bi, bool hvm_ok)
{
	unsigned int i;

	boot = bi;
	hvm_ready = hvm_ok;
	dom_report_init();
	domain_cache = slab_cache_create("domain", sizeof(struct domain), 0, NULL, 0);
	vcpu_cache = slab_cache_create("vcpu", sizeof(struct vcpu), 0, NULL, 0);
	if (!domain_cache || !vcpu_cache || dom_memory_init()) {
		pr_err("domains: no memory for the slab caches or the empty bus page: guests "
		       "disabled\n");
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
