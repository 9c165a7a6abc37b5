/*
 * What hypervisor/domain.c and arch/x86/hvm/npt.c need around them in the
 * hosted tests that build them (the Makefile's HOSTED_DOMAIN_TESTS, which
 * link this file instead of fake_hvm.c and support_domain.c):
 *
 * - arch_vcpu_init()/arch_vcpu_free() allocating what svm.c allocates (a
 *   state struct from kmalloc and a page for the VMCB, on the vCPU's
 *   node), so that an allocation failure there is one a test can inject;
 *   arch_vcpu_boot32() and arch_vcpu_dump() record and print;
 * - the scheduler's side (hypervisor/sched.c): vCPUs queued per CPU, the
 *   CPU chosen as sched_pick_cpu() chooses it, and fake_sched_reap(), which
 *   lets go of the queued vCPUs of dying domains as every CPU's loop does;
 * - the 'n' hook (mm/numa.c), the test_fragment hook (domain_selftest.c)
 *   and the built-in guest, here an empty image that the loader refuses;
 * - the machine of fake_domain_env.h, and helpers to end domains and
 *   check page ownership.
 * One thread.
 */
#include <stdio.h>
#include <string.h>

#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <hv/topology.h>

#include "fake_arch.h"
#include "fake_domain_env.h"
#include "fake_hvm.h"
#include "guest_image_fixture.h"
#include "support_slab.h"

/* The built-in guest: nothing (the real one is linked into the hypervisor image). */
__asm__(".section .rodata\n"
	".globl testguest_image_start\n"
	"testguest_image_start:\n"
	".globl testguest_image_end\n"
	"testguest_image_end:\n"
	".previous\n");

int arch_vcpu_init(struct vcpu *v)
{
	struct fake_vcpu_arch *a = kzalloc_node(sizeof(*a), v->node);
	struct page *pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(v->node));

	if (!a || !pg) {
		kfree(a);
		if (pg)
			free_pages(pg, 0, false);
		return -ENOMEM;
	}
	a->vmcb = pg;
	v->arch = a;
	return 0;
}

void arch_vcpu_free(struct vcpu *v)
{
	struct fake_vcpu_arch *a = v->arch;

	if (!a)
		return;
	free_pages(a->vmcb, 0, false);
	kfree(a);
	v->arch = NULL;
}

void arch_vcpu_boot32(struct vcpu *v, u32 eip, u32 eax, u32 ebx)
{
	struct fake_vcpu_arch *a = v->arch;

	a->boot_eip = eip;
}

void arch_vcpu_boot64(struct vcpu *v, u64 rip, u64 rsi, u64 cr3, u64 gdt_base, u16 gdt_limit,
		      u16 cs, u16 ds)
{
	struct fake_vcpu_arch *a = v->arch;

	a->long_mode = true;
	a->rip = rip;
	a->rdi = rsi;
	a->cr3 = cr3;
}

void arch_vcpu_dump(const struct vcpu *v)
{
	printk(LOG_ERR, "vcpu %u of domain %u: registers\n", v->id, v->dom->id);
}

u32 arch_guest_tsc_khz(void)
{
	return FAKE_TSC_KHZ;
}

/* ---- the scheduler's side ------------------------------------------------------------------ */

static struct vcpu *queued[FAKE_SCHED_MAX];
static unsigned int nr_queued;

unsigned int sched_pick_cpu(nodeid_t n)
{
	unsigned int c, best = ~0U, i, load[CONFIG_NR_CPUS] = {0};

	for (i = 0; i < nr_queued; i++)
		load[queued[i]->pcpu]++;
	/* The least loaded online CPU of n, else of any node (sched.c goes by distance). */
	for (c = 0; c < topo->nr_cpus; c++)
		if (cpu_to_node(c) == n && cpumask_test(&cpu_online_mask, c) &&
		    (best == ~0U || load[c] < load[best]))
			best = c;
	for (c = 0; best == ~0U && c < topo->nr_cpus; c++)
		if (cpumask_test(&cpu_online_mask, c))
			best = c;
	return best == ~0U ? 0 : best;
}

void sched_add_vcpu(struct vcpu *v)
{
	if (nr_queued == FAKE_SCHED_MAX)
		fail_msg("fake scheduler: more than %d vCPUs queued", FAKE_SCHED_MAX);
	v->rq_next = v;
	queued[nr_queued++] = v;
}

unsigned int fake_sched_reap(void)
{
	unsigned int i = 0, gone = 0;

	while (i < nr_queued) {
		struct vcpu *v = queued[i];

		if (READ_ONCE(v->dom->state) != DOM_DYING) {
			i++;
			continue;
		}
		queued[i] = queued[--nr_queued];
		v->rq_next = NULL;
		gone++;
		dom_vcpu_gone(v);
	}
	return gone;
}

unsigned int fake_sched_queued(void)
{
	return nr_queued;
}

/* ---- hooks --------------------------------------------------------------------------------- */

static void (*stat_hook)(void);

void numa_set_stat_hook(void (*fn)(void))
{
	stat_hook = fn;
}

void fake_numa_stat(void)
{
	if (stat_hook)
		stat_hook();
}

void dom_selftest_fragment(void)
{
}

/* ---- the machine --------------------------------------------------------------------------- */

static struct boot_info bi;
static u64 hv_pages[MAX_NODES]; /* beside slabs, after domains_boot(): the empty bus */

void domenv_build(void)
{
	static const u8 dist[] = {10, 21, 21, 10};
	unsigned int n;
	u64 sum;

	slabfx_build_nodes(2, MiB(32), 1, dist);
	cpumask_clear(&cpu_online_mask);
	cpumask_set(&cpu_online_mask, 0);
	cpumask_set(&cpu_online_mask, 1);
	fake_node_free[0] = fake_node_free[1] = MiB(32);
	nr_queued = 0;
	make32();
	fake_ram_map(DOMENV_IMAGE_MADDR, img, sizeof(img));
	memset(&bi, 0, sizeof(bi));
	bi.nr_modules = 1;
	bi.modules[0].start = DOMENV_IMAGE_MADDR;
	bi.modules[0].end = DOMENV_IMAGE_MADDR + img_len;
	domains_boot(&bi, true);
	for (n = 0, sum = 0; n < topo->nr_nodes; n++) {
		hv_pages[n] = heap_allocated((nodeid_t)n) - slab_node_pages((nodeid_t)n);
		sum += hv_pages[n];
	}
	if (sum != 1)
		fail_msg("domains_boot() left %llu pages beside slabs, not the empty bus's 1", sum);
	console_clear();
}

void domenv_assert_only_slabs(void)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++)
		if (heap_allocated((nodeid_t)n) != slab_node_pages((nodeid_t)n) + hv_pages[n])
			fail_msg("node %u: %llu pages allocated, the slab allocator holds %llu and "
				 "the empty bus %llu",
				 n, heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n),
				 hv_pages[n]);
}

void domenv_set_module(unsigned int i, const void *buf, size_t len)
{
	paddr_t base = DOMENV_IMAGE_MADDR + GiB(1) * i;

	if (i >= 8 || !len)
		fail_msg("domenv_set_module(%u, %zu bytes)", i, len);
	fake_ram_map(base, (void *)buf, len);
	bi.modules[i].start = base;
	bi.modules[i].end = base + len;
	bi.nr_modules = MAX(bi.nr_modules, i + 1);
}

struct collect {
	struct domain **out;
	unsigned int nr;
};

static void collect_one(void *ctx, struct domain *d)
{
	struct collect *c = ctx;

	c->out[c->nr++] = d;
}

unsigned int domenv_domains(struct domain **out)
{
	struct collect c = {out, 0};

	dom_for_each(collect_one, &c);
	return c.nr;
}

void domenv_end(struct domain *d, enum dom_shutdown why)
{
	dom_shutdown(d, why, NULL);
	fake_sched_reap();
}

void domenv_end_all(void)
{
	struct domain *d[DOMAIN_MAX];
	unsigned int n, i, rounds = 0;

	while ((n = domenv_domains(d)) != 0) {
		if (++rounds > DOMAIN_MAX)
			fail_msg("domains do not go away: %u left", n);
		for (i = 0; i < n; i++)
			dom_shutdown(d[i], DOM_SHUTDOWN_POWEROFF, NULL);
		fake_sched_reap();
	}
}

u64 domenv_assert_owners(void)
{
	unsigned int nr, bad;
	u64 owned;

	bad = dom_check_pages(&owned, &nr);
	if (bad)
		fail_msg("page ownership check: %u problems:\n%s", bad, console_text());
	return owned;
}
