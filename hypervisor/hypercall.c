/*
 * Hypercalls: the dispatch table and the first calls of the guest ABI
 * (include/public/hypercall.h, Documentation/hypercalls.md). Arguments
 * are the guest's and are checked before anything is read or changed; a
 * call that fails leaves the domain as it was.
 */
#include <hv/cpumask.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/smp.h>
#include <hv/topology.h>
#include <public/hypercall.h>

_Static_assert(PRX_EFAULT == EFAULT && PRX_EINVAL == EINVAL && PRX_ENOSYS == ENOSYS &&
		   PRX_EEXIST == EEXIST && PRX_EPERM == EPERM && PRX_ENOENT == ENOENT &&
		   PRX_ENOMEM == ENOMEM,
	       "the ABI's error numbers are the hypervisor's");

#define CONSOLE_CHUNK 256

static long hc_version(struct vcpu *v, const u64 *a)
{
	return PRX_ABI_VERSION;
}

static long hc_console_write(struct vcpu *v, const u64 *a)
{
	u64 buf = a[0], len = a[1], n = MIN(len, (u64)PRX_CONSOLE_WRITE_MAX), done;
	char chunk[CONSOLE_CHUNK];

	if (!n)
		return 0;
	/* The whole buffer, not only the part taken: the ABI says so. */
	if (!dom_gpa_is_ram(v->dom, buf, len))
		return -EFAULT;
	for (done = 0; done < n;) {
		u64 k = MIN(n - done, (u64)sizeof(chunk));

		if (dom_copy_from_guest(v->dom, chunk, buf + done, k))
			return -EFAULT;
		dom_console_write(v, chunk, k);
		done += k;
	}
	if (len > n)
		printk(LOG_NOTICE, "(d%u) [console_write of %llu bytes cut to %d]\n", v->dom->id,
		       len, PRX_CONSOLE_WRITE_MAX);
	return (long)n;
}

static long hc_vcpu_up(struct vcpu *v, const u64 *a)
{
	struct domain *d = v->dom;
	u64 id = a[0], rip = a[1], rsp = a[2], cr3 = a[3];
	unsigned long flags;
	struct vcpu *t;
	long rc;

	if (id == 0 || id >= d->nr_vcpus)
		return -EINVAL;
	if (cr3 & (PAGE_SIZE - 1) || cr3 >> 52)
		return -EINVAL;
	if (!dom_gpa_is_ram(d, cr3, PAGE_SIZE))
		return -EFAULT;
	t = d->vcpu[id];
	flags = spin_lock_irqsave(&d->lock);
	if (READ_ONCE(t->state) != VCPU_DOWN) {
		rc = -EEXIST;
	} else {
		rc = arch_vcpu_up(v, t, rip, rsp, cr3);
		if (!rc)
			__atomic_store_n(&t->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return rc;
}

static long hc_shutdown(struct vcpu *v, const u64 *a)
{
	static const enum dom_shutdown why[] = {
	    [PRX_SHUTDOWN_POWEROFF] = DOM_SHUTDOWN_POWEROFF,
	    [PRX_SHUTDOWN_REBOOT] = DOM_SHUTDOWN_REBOOT,
	    [PRX_SHUTDOWN_CRASH] = DOM_SHUTDOWN_CRASH,
	};

	if (a[0] >= ARRAY_SIZE(why))
		return -EINVAL;
	dom_shutdown(v->dom, why[a[0]], v);
	return 0;
}

/* --- host topology, for the control domain ----------------------- */

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

static long hc_physinfo(struct vcpu *v, const u64 *a)
{
	u8 rec[PRX_PHYSINFO_SIZE] = {0};
	u64 total = 0, free = 0;
	unsigned int n;

	if (!v->dom->cfg.control)
		return -EPERM;
	for (n = 0; n < topo->nr_nodes; n++) {
		total += topo->node[n].present >> PAGE_SHIFT;
		free += node_free_bytes(n) >> PAGE_SHIFT;
	}
	put32(rec + PRX_PHYSINFO_CPUS, cpumask_weight(&cpu_online_mask));
	put32(rec + PRX_PHYSINFO_NODES, topo->nr_nodes);
	put32(rec + PRX_PHYSINFO_CORES_PER_SOCKET, PRX_TOPO_UNKNOWN);
	put32(rec + PRX_PHYSINFO_PAGE_SIZE, PAGE_SIZE);
	put64(rec + PRX_PHYSINFO_TOTAL_PAGES, total);
	put64(rec + PRX_PHYSINFO_FREE_PAGES, free);
	return dom_copy_to_guest(v->dom, a[0], rec, sizeof(rec));
}

static long hc_numainfo(struct vcpu *v, const u64 *a)
{
	u64 mem_buf = a[0], dist_buf = a[1], max = a[2];
	unsigned int nr = topo->nr_nodes, i, j, k;
	struct domain *d = v->dom;

	if (!d->cfg.control)
		return -EPERM;
	if (max > PRX_TOPO_MAX)
		return -EINVAL;
	if (max && (!dom_gpa_is_ram(d, mem_buf, max * PRX_NUMAINFO_MEM_SIZE) ||
		    !dom_gpa_is_ram(d, dist_buf, max * max * 4)))
		return -EFAULT;
	k = (unsigned int)MIN(max, (u64)nr);
	for (i = 0; i < k; i++) {
		u8 rec[PRX_NUMAINFO_MEM_SIZE], row[4 * MAX_NODES];

		put64(rec + PRX_NUMAINFO_PRESENT, topo->node[i].present >> PAGE_SHIFT);
		put64(rec + PRX_NUMAINFO_FREE, node_free_bytes(i) >> PAGE_SHIFT);
		for (j = 0; j < k; j++)
			put32(row + 4 * j, node_distance(i, j));
		if (dom_copy_to_guest(d, mem_buf + i * PRX_NUMAINFO_MEM_SIZE, rec, sizeof(rec)) ||
		    dom_copy_to_guest(d, dist_buf + (i * max) * 4, row, 4 * k))
			return -EFAULT;
	}
	return nr;
}

static long hc_cputopo(struct vcpu *v, const u64 *a)
{
	u64 buf = a[0], max = a[1];
	unsigned int nr = topo->nr_nodes ? topo->nr_cpus : 0, i;
	struct domain *d = v->dom;

	if (!d->cfg.control)
		return -EPERM;
	if (max > PRX_TOPO_MAX)
		return -EINVAL;
	if (max && !dom_gpa_is_ram(d, buf, max * PRX_CPUTOPO_SIZE))
		return -EFAULT;
	for (i = 0; i < MIN(max, (u64)nr); i++) {
		u8 rec[PRX_CPUTOPO_SIZE];

		put32(rec + PRX_CPUTOPO_NODE, cpu_to_node(i));
		put32(rec + PRX_CPUTOPO_SOCKET, PRX_TOPO_UNKNOWN);
		put32(rec + PRX_CPUTOPO_CORE, PRX_TOPO_UNKNOWN);
		put32(rec + PRX_CPUTOPO_FLAGS,
		      cpumask_test(&cpu_online_mask, i) ? PRX_CPUTOPO_ONLINE : 0);
		if (dom_copy_to_guest(d, buf + i * PRX_CPUTOPO_SIZE, rec, sizeof(rec)))
			return -EFAULT;
	}
	return nr;
}

/* --- memory_op ----------------------------------------------------- */

struct memop {
	u64 extent_start, nr_extents;
	u32 order, vnode, flags, reserved;
};

_Static_assert(sizeof(struct memop) == PRX_MEMOP_SIZE &&
		   __builtin_offsetof(struct memop, extent_start) == PRX_MEMOP_EXTENT_START &&
		   __builtin_offsetof(struct memop, nr_extents) == PRX_MEMOP_NR_EXTENTS &&
		   __builtin_offsetof(struct memop, order) == PRX_MEMOP_EXTENT_ORDER &&
		   __builtin_offsetof(struct memop, vnode) == PRX_MEMOP_VNODE &&
		   __builtin_offsetof(struct memop, flags) == PRX_MEMOP_FLAGS &&
		   __builtin_offsetof(struct memop, reserved) == PRX_MEMOP_RESERVED,
	       "memory_op record layout");
_Static_assert(CONFIG_MEMOP_MAX_ORDER <= 9, "extents are at most one 2 MiB mapping");

/* Check everything about the call that does not depend on one extent. */
static int memop_check(struct domain *d, u64 op, u64 start, const struct memop *m)
{
	if (op > PRX_MEMOP_POPULATE_PHYSMAP || m->reserved || (m->flags & ~PRX_MEMF_EXACT))
		return -EINVAL;
	if (m->order > CONFIG_MEMOP_MAX_ORDER)
		return -EINVAL;
	if (m->vnode != PRX_VNODE_ANY && m->vnode >= d->nr_vnodes)
		return -EINVAL;
	/* The array's bytes and the memory's bytes must fit in 64 bits. */
	if (m->nr_extents > (~0ULL >> (PAGE_SHIFT + m->order)) || m->nr_extents > (~0ULL >> 3))
		return -EINVAL;
	if (start > m->nr_extents)
		return -EINVAL;
	if (m->nr_extents && !dom_gpa_is_ram(d, m->extent_start, m->nr_extents * 8))
		return -EFAULT;
	return 0;
}

/* Without a hint, extent i goes to the virtual node of vCPU i mod vcpus: by vCPU count. */
static unsigned int spread_vnode(const struct domain *d, u64 i)
{
	return d->vcpu[i % d->nr_vcpus]->vnode;
}

/* The first free extent in [g, end) of gfns, aligned to n. */
static bool free_extent_in(const struct domain *d, u64 g, u64 end, u64 n, u64 *gfn)
{
	u64 k;

	for (g = ALIGN_UP(g, n); g + n <= end; g += n) {
		for (k = 0; k < n && arch_domain_lookup(d, g + k) == INVALID_MFN; k++)
			;
		if (k == n) {
			*gfn = g;
			return true;
		}
	}
	return false;
}

/*
 * A free extent in v's hot-plug range: from where the last one ended, then
 * from the start (memory given back leaves holes); false if none. A
 * snapshot: dom_populate() checks again under the lock.
 */
static bool find_free_extent(struct domain *d, unsigned int v, unsigned int order, u64 *gfn)
{
	u64 n = 1ULL << order, start = d->vnode[v].hot_start >> PAGE_SHIFT;
	u64 end = d->vnode[v].hot_end >> PAGE_SHIFT, next = READ_ONCE(d->vnode[v].hot_next);

	if (next < start || next >= end)
		next = start;
	return free_extent_in(d, next, end, n, gfn) || free_extent_in(d, start, next, n, gfn);
}

/* One extent of the call; 0 or the error that stops it. */
static int memop_one(struct domain *d, u64 op, const struct memop *m, u64 i)
{
	u64 slot = m->extent_start + i * 8, gfn, n = 1ULL << m->order;
	bool exact = m->flags & PRX_MEMF_EXACT;
	int v, rc;

	if (op == PRX_MEMOP_INCREASE_RESERVATION) {
		unsigned int tries = 0;

		v = m->vnode != PRX_VNODE_ANY ? (int)m->vnode : (int)spread_vnode(d, i);
		do {
			/* -EEXIST: another vCPU took the extent first; look again. */
			if (!find_free_extent(d, (unsigned int)v, m->order, &gfn))
				return -ENOMEM;
			rc = dom_populate(d, (unsigned int)v, gfn, m->order, exact);
		} while (rc == -EEXIST && ++tries < DOMAIN_MAX_VCPUS);
		if (rc)
			return rc == -EEXIST ? -EBUSY : rc;
		WRITE_ONCE(d->vnode[v].hot_next, gfn + n);
		if (dom_copy_to_guest(d, slot, &gfn, sizeof(gfn))) {
			dom_release(d, gfn, m->order);
			return -EFAULT;
		}
		return 0;
	}
	if (dom_copy_from_guest(d, &gfn, slot, sizeof(gfn)))
		return -EFAULT;
	if (!IS_ALIGNED(gfn, n) || gfn > (~0ULL >> PAGE_SHIFT) - n)
		return -EINVAL;
	v = dom_range_vnode(d, gfn << PAGE_SHIFT, n << PAGE_SHIFT);
	if (v < 0 || (m->vnode != PRX_VNODE_ANY && (u32)v != m->vnode))
		return -EINVAL;
	if (op == PRX_MEMOP_POPULATE_PHYSMAP)
		return dom_populate(d, (unsigned int)v, gfn, m->order, exact);
	return dom_release(d, gfn, m->order);
}

/*
 * One round of a memory_op. A continuation (a[0] is the RDI the last
 * round left) reads the record and checks it again; if the guest changed
 * it meanwhile so that the call cannot go on, the extents the earlier
 * rounds did are still the result: an error now would hide memory the
 * domain holds.
 */
static long memop_round(struct vcpu *v, const u64 *a)
{
	u64 op = a[0] & PRX_MEMOP_CMD_MASK, start = a[0] >> PRX_MEMOP_START_SHIFT, i;
	u64 done = start && a[0] == v->hcall_rdi ? start : 0;
	struct domain *d = v->dom;
	struct memop m;
	int rc;

	if (dom_copy_from_guest(d, &m, a[1], sizeof(m)))
		return done ? (long)done : -EFAULT;
	rc = memop_check(d, op, start, &m);
	if (rc)
		return done ? (long)done : rc;
	for (i = start; i < m.nr_extents; i++) {
		if (i > start &&
		    ((i - start) >= PRX_MEMOP_BATCH ||
		     ((i - start) << (PAGE_SHIFT + m.order)) >= PRX_MEMOP_BATCH_BYTES)) {
			v->hcall_again = true;
			v->hcall_rdi = op | (i << PRX_MEMOP_START_SHIFT);
			__atomic_add_fetch(&d->memop_batches, 1, __ATOMIC_RELAXED);
			return 0;
		}
		rc = memop_one(d, op, &m, i);
		if (rc)
			return i ? (long)i : rc;
	}
	return (long)m.nr_extents;
}

static long hc_memory_op(struct vcpu *v, const u64 *a)
{
	long rc = memop_round(v, a);

	/* Only the RDI of a continuation asked for now marks the next call as one. */
	if (!v->hcall_again)
		v->hcall_rdi = 0;
	return rc;
}

static long (*const hcalls[])(struct vcpu *, const u64 *) = {
    [PRX_HC_VERSION] = hc_version,   [PRX_HC_CONSOLE_WRITE] = hc_console_write,
    [PRX_HC_VCPU_UP] = hc_vcpu_up,   [PRX_HC_SHUTDOWN] = hc_shutdown,
    [PRX_HC_PHYSINFO] = hc_physinfo, [PRX_HC_NUMAINFO] = hc_numainfo,
    [PRX_HC_CPUTOPO] = hc_cputopo,   [PRX_HC_MEMORY_OP] = hc_memory_op,
};

long hcall_dispatch(struct vcpu *v, u64 nr, const u64 args[5])
{
	if (nr >= ARRAY_SIZE(hcalls) || !hcalls[nr])
		return -ENOSYS;
	return hcalls[nr](v, args);
}
