/*
 * The guest half of the fake machine, for the tests that do not build
 * hypervisor/domain.c and arch/x86/hvm/npt.c: nested page tables as a
 * list of gfn -> mfn mappings, a recording dom_shutdown(), and a guest
 * built from them (see fake_hvm.h). One thread: tests set everything up
 * between calls.
 */
#include <stdlib.h>
#include <string.h>

#include <hv/arch.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/numa.h>
#include <hv/smp.h>

#include "fake_arch.h"
#include "fake_hvm.h"
#include "support_heap.h"

struct fake_map {
	const struct domain *d;
	u64 gfn, nr;
	mfn_t mfn;
};

static struct fake_map maps[FAKE_HVM_MAPS];
static unsigned int nr_maps;
static unsigned int shutdown_calls;
static struct fake_shutdown_call shutdown_last;

void fake_hvm_reset(void)
{
	nr_maps = 0;
	shutdown_calls = 0;
	memset(&shutdown_last, 0, sizeof(shutdown_last));
	fake_vcpu_reset();
}

void fake_hvm_map(const struct domain *d, u64 gfn, mfn_t mfn, u64 nr)
{
	if (nr_maps == FAKE_HVM_MAPS)
		fail_msg("fake_hvm_map: more than %d mappings", FAKE_HVM_MAPS);
	if (!nr || (mfn == INVALID_MFN && nr != 1))
		fail_msg("fake_hvm_map(gfn 0x%llx, mfn 0x%llx, nr %llu): bad mapping", gfn, mfn,
			 nr);
	maps[nr_maps++] = (struct fake_map){d, gfn, nr, mfn};
}

mfn_t arch_domain_lookup(const struct domain *d, u64 gfn)
{
	unsigned int i;

	/* Newest first, so a later mapping (or unmapping) wins. */
	for (i = nr_maps; i-- > 0;)
		if (maps[i].d == d && gfn >= maps[i].gfn && gfn - maps[i].gfn < maps[i].nr)
			return maps[i].mfn == INVALID_MFN ? INVALID_MFN
							  : maps[i].mfn + (gfn - maps[i].gfn);
	return INVALID_MFN;
}

int arch_domain_map(struct domain *d, u64 gfn, mfn_t mfn, unsigned int order)
{
	fake_hvm_map(d, gfn, mfn, 1ULL << order);
	return 0;
}

int arch_domain_map_ro(struct domain *d, u64 gfn, mfn_t mfn)
{
	fake_hvm_map(d, gfn, mfn, 1);
	return 0;
}

void arch_domain_unmap(struct domain *d, u64 gfn, unsigned int order)
{
	u64 end = gfn + (1ULL << order);
	unsigned int i, k = 0;

	/*
	 * Every mapping of d that overlaps [gfn, end) loses that part: wholly
	 * inside, it goes; across an edge, it is cut to what lies outside, the
	 * part past end kept right after the part before gfn, so the order
	 * (newest wins) stays what it was. Nothing older shows through.
	 */
	for (i = 0; i < nr_maps; i++) {
		struct fake_map m = maps[i];
		u64 m_end = m.gfn + m.nr;

		if (m.d != d || m_end <= gfn || m.gfn >= end) {
			maps[k++] = m;
			continue;
		}
		if (m.gfn < gfn)
			maps[k++] = (struct fake_map){d, m.gfn, gfn - m.gfn, m.mfn};
		if (m_end > end) {
			struct fake_map right = {d, end, m_end - end,
						 m.mfn == INVALID_MFN ? INVALID_MFN
								      : m.mfn + (end - m.gfn)};

			if (k == i + 1) {
				/* No room freed yet: shift the rest up by one. */
				if (nr_maps == FAKE_HVM_MAPS)
					fail_msg("fake_hvm_map: more than %d mappings",
						 FAKE_HVM_MAPS);
				memmove(&maps[i + 2], &maps[i + 1],
					(nr_maps - i - 1) * sizeof(maps[0]));
				nr_maps++;
				i++;
			}
			maps[k++] = right;
		}
	}
	nr_maps = k;
}

void arch_domain_walk(const struct domain *d,
		      void (*fn)(void *ctx, u64 gfn, mfn_t mfn, unsigned int order), void *ctx)
{
	unsigned int i;
	u64 k;

	/* Page by page, each frame as the newest mapping has it. */
	for (i = 0; i < nr_maps; i++)
		for (k = 0; maps[i].d == d && k < maps[i].nr; k++) {
			u64 g = maps[i].gfn + k;
			mfn_t m = arch_domain_lookup(d, g);
			unsigned int j;
			bool seen = false;

			for (j = i + 1; j < nr_maps && !seen; j++)
				seen = maps[j].d == d && g >= maps[j].gfn &&
				       g - maps[j].gfn < maps[j].nr;
			if (!seen && m != INVALID_MFN)
				fn(ctx, g, m, 0);
		}
}

void dom_shutdown(struct domain *d, enum dom_shutdown why, struct vcpu *v)
{
	shutdown_calls++;
	shutdown_last = (struct fake_shutdown_call){d, why, v};
}

unsigned int fake_shutdown_calls(void)
{
	return shutdown_calls;
}

const struct fake_shutdown_call *fake_shutdown_last(void)
{
	return &shutdown_last;
}

/* ---- a guest -------------------------------------------------------------------------------- */

u8 fake_guest_pattern(u64 gpa)
{
	return (u8)(gpa * 7 + (gpa >> PAGE_SHIFT) * 13 + 1);
}

/* Give every RAM page of g a frame of g->mem, the last frame to the first page. */
static void back_ram(struct fake_guest *g)
{
	u64 pages = 0, frames, gpa;
	unsigned int i;

	for (i = 0; i < g->d.nr_ram; i++)
		pages += (g->d.ram[i].end - g->d.ram[i].start) >> PAGE_SHIFT;
	if (pages << PAGE_SHIFT > FAKE_GUEST_MAX_BACKED)
		fail_msg("fake guest: %llu pages of RAM are too many to back", pages);
	g->mem_len = pages << PAGE_SHIFT;
	g->mem = malloc(g->mem_len);
	assert_non_null(g->mem);
	fake_ram_map(FAKE_GUEST_MADDR, g->mem, g->mem_len);
	frames = pages;
	for (i = 0; i < g->d.nr_ram; i++)
		for (gpa = g->d.ram[i].start; gpa < g->d.ram[i].end; gpa += PAGE_SIZE) {
			u64 off;

			frames--;
			fake_hvm_map(&g->d, gpa >> PAGE_SHIFT,
				     (FAKE_GUEST_MADDR >> PAGE_SHIFT) + frames, 1);
			for (off = 0; off < PAGE_SIZE; off++)
				g->mem[(frames << PAGE_SHIFT) + off] =
				    fake_guest_pattern(gpa + off);
		}
}

void fake_guest_init(struct fake_guest *g, unsigned int id, u64 mem, unsigned int nr_vcpus,
		     bool backed)
{
	unsigned int i;

	assert_in_range(nr_vcpus, 1, FAKE_GUEST_VCPUS);
	fake_hvm_reset();
	memset(g, 0, sizeof(*g));
	g->d.id = id;
	g->d.state = DOM_ALIVE;
	g->d.nr_vcpus = nr_vcpus;
	g->d.live_vcpus = nr_vcpus;
	g->d.vcpu = g->vcpu_ptrs;
	g->d.nr_pages = mem >> PAGE_SHIFT;
	spin_lock_init(&g->d.lock);
	spin_lock_init(&g->d.mem_lock);
	g->d.cfg.vnodes = 1;
	g->d.cfg.mem = g->d.cfg.maxmem = g->d.cfg.vnode_mem[0] = mem;
	g->d.cfg.vcpus = g->d.cfg.vnode_vcpus[0] = nr_vcpus;
	dom_layout_ram(&g->d);
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];

		v->dom = &g->d;
		v->id = i;
		v->pcpu = i;
		v->state = i ? VCPU_DOWN : VCPU_RUNNABLE;
		v->tag = 100 + i;
		v->arch = &g->arch[i];
		g->arch[i].long_mode = !i;
		g->arch[i].started = !i;
		g->vcpu_ptrs[i] = v;
	}
	if (backed)
		back_ram(g);
}

void fake_guest_free(struct fake_guest *g)
{
	if (g->mem)
		fake_ram_reset();
	free(g->mem);
	g->mem = NULL;
	fake_hvm_reset();
}

u8 *fake_guest_byte(const struct fake_guest *g, u64 gpa)
{
	mfn_t mfn = arch_domain_lookup(&g->d, gpa >> PAGE_SHIFT);

	if (mfn == INVALID_MFN)
		fail_msg("fake guest: gpa 0x%llx is not mapped", gpa);
	return (u8 *)arch_maddr_to_virt(mfn << PAGE_SHIFT) + (gpa & (PAGE_SIZE - 1));
}
