/*
 * Nested page tables: a domain's guest-physical to machine map, in the
 * long-mode page table format the CPU walks for every guest access (AMD
 * APM vol. 2, 15.25). Owns struct npt (domain.arch). Table pages come
 * from the domain's home node; a 2 MiB block of the domain aligned in
 * both address spaces is one large entry (512 small ones where a table of
 * small entries is linked already). Built while the domain is
 * created, changed later only by memory_op under the domain's mem_lock
 * (entries are written whole, a new table is zeroed before it is linked,
 * so the CPU's walk and arch_domain_lookup() see either state), torn down
 * after all its vCPUs are gone.
 */
#include <asm/page.h>
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/panic.h>
#include <hv/slab.h>

#include "svm.h"

/* Guest accesses count as user accesses in the nested walk (APM 15.25.5). */
#define NPT_RWX (PTE_P | PTE_W | PTE_U)
#define NPT_RX (PTE_P | PTE_U)
#define NPT_LEVELS 4
#define GFN_BITS 36 /* 48-bit guest-physical addresses */

static paddr_t alloc_table(struct npt *n)
{
	struct page *pg = alloc_pages(0, MEMF_PREFER | MEMF_NODE(n->node));

	if (!pg)
		return 0;
	memset(arch_maddr_to_virt(page_to_maddr(pg)), 0, PAGE_SIZE);
	n->table_pages++;
	return page_to_maddr(pg);
}

static unsigned int npt_index(u64 gfn, unsigned int level)
{
	return (gfn >> (9 * (level - 1))) & 511;
}

int arch_domain_init(struct domain *d)
{
	struct npt *n = kzalloc_node(sizeof(*n), d->node);

	if (!n)
		return -ENOMEM;
	n->node = d->node;
	n->root = alloc_table(n);
	if (!n->root) {
		kfree(n);
		return -ENOMEM;
	}
	d->arch = n;
	return 0;
}

/*
 * Map one 4 KiB (level 1) or 2 MiB (level 2) page with the permissions
 * perm (NPT_RWX or NPT_RX). -EEXIST for a 2 MiB
 * page where a table of 4 KiB entries is linked already (its pages were
 * given back one by one): that table stays linked for the domain's life,
 * since a CPU's walk may have cached it, and the caller maps 4 KiB pages.
 */
static int map_one(struct npt *n, u64 gfn, mfn_t mfn, unsigned int level, u64 perm)
{
	u64 *t = arch_maddr_to_virt(n->root);
	unsigned int l;

	for (l = NPT_LEVELS; l > level; l--) {
		u64 *e = &t[npt_index(gfn, l)];

		if (!(*e & PTE_P)) {
			paddr_t pa = alloc_table(n);

			if (!pa)
				return -ENOMEM;
			/* The zeroed table before the entry that links it. */
			__atomic_store_n(e, pa | NPT_RWX, __ATOMIC_RELEASE);
		}
		ASSERT(!(*e & PTE_PS), "a large mapping is never split");
		t = arch_maddr_to_virt(*e & PTE_ADDR);
	}
	if (level == 2 && (t[npt_index(gfn, 2)] & (PTE_P | PTE_PS)) == PTE_P)
		return -EEXIST;
	__atomic_store_n(&t[npt_index(gfn, level)],
			 (mfn << PAGE_SHIFT) | perm | (level == 2 ? PTE_PS : 0), __ATOMIC_RELEASE);
	return 0;
}

/* Clear the entry that maps gfn: a 2 MiB one (returns 512) or a 4 KiB one (1); 1 if none. */
static u64 unmap_one(struct npt *n, u64 gfn)
{
	u64 *t = arch_maddr_to_virt(n->root);
	unsigned int l;

	for (l = NPT_LEVELS; l >= 1; l--) {
		u64 *e = &t[npt_index(gfn, l)];

		if (!(*e & PTE_P))
			return 1;
		if (l == 1 || (*e & PTE_PS)) {
			ASSERT(l == 1 || IS_ALIGNED(gfn, 512), "a large mapping is never split");
			__atomic_store_n(e, 0, __ATOMIC_RELEASE);
			return l == 1 ? 1 : 512;
		}
		t = arch_maddr_to_virt(*e & PTE_ADDR);
	}
	return 1;
}

void arch_domain_unmap(struct domain *d, u64 gfn, unsigned int order)
{
	u64 end = gfn + (1ULL << order);

	while (gfn < end)
		gfn += unmap_one(d->arch, gfn);
}

int arch_domain_map(struct domain *d, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct npt *n = d->arch;
	u64 i;

	if (order == 9 && IS_ALIGNED(gfn, 512) && IS_ALIGNED(mfn, 512)) {
		int rc = map_one(n, gfn, mfn, 2, NPT_RWX);

		if (rc != -EEXIST)
			return rc;
	}
	for (i = 0; i < (1ULL << order); i++) {
		int rc = map_one(n, gfn + i, mfn + i, 1, NPT_RWX);

		if (rc)
			return rc;
	}
	return 0;
}

int arch_domain_map_ro(struct domain *d, u64 gfn, mfn_t mfn)
{
	return map_one(d->arch, gfn, mfn, 1, NPT_RX);
}

mfn_t arch_domain_lookup(const struct domain *d, u64 gfn)
{
	const struct npt *n = d->arch;
	const u64 *t;
	unsigned int l;

	if (!n || gfn >> GFN_BITS)
		return INVALID_MFN;
	t = arch_maddr_to_virt(n->root);
	for (l = NPT_LEVELS; l >= 1; l--) {
		u64 e = t[npt_index(gfn, l)];

		if (!(e & PTE_P))
			return INVALID_MFN;
		if (l == 1 || (e & PTE_PS))
			return ((e & PTE_ADDR) >> PAGE_SHIFT) +
			       (gfn & ((1ULL << (9 * (l - 1))) - 1));
		t = arch_maddr_to_virt(e & PTE_ADDR);
	}
	return INVALID_MFN;
}

static void walk(const u64 *t, unsigned int level, u64 base,
		 void (*fn)(void *, u64, mfn_t, unsigned int), void *ctx)
{
	unsigned int i;

	for (i = 0; i < 512; i++) {
		u64 e = t[i], gfn = base + ((u64)i << (9 * (level - 1)));

		if (!(e & PTE_P))
			continue;
		if (level == 1 || (e & PTE_PS))
			fn(ctx, gfn, (e & PTE_ADDR) >> PAGE_SHIFT, 9 * (level - 1));
		else
			walk(arch_maddr_to_virt(e & PTE_ADDR), level - 1, gfn, fn, ctx);
	}
}

void arch_domain_walk(const struct domain *d,
		      void (*fn)(void *ctx, u64 gfn, mfn_t mfn, unsigned int order), void *ctx)
{
	const struct npt *n = d->arch;

	if (n)
		walk(arch_maddr_to_virt(n->root), NPT_LEVELS, 0, fn, ctx);
}

static void free_tables(struct npt *n, paddr_t table, unsigned int level)
{
	u64 *t = arch_maddr_to_virt(table);
	unsigned int i;

	for (i = 0; level > 1 && i < 512; i++)
		if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
			free_tables(n, t[i] & PTE_ADDR, level - 1);
	free_pages(mfn_to_page(table >> PAGE_SHIFT), 0, false);
	n->table_pages--;
}

void arch_domain_free(struct domain *d)
{
	struct npt *n = d->arch;

	if (!n)
		return;
	free_tables(n, n->root, NPT_LEVELS);
	ASSERT(n->table_pages == 0, "every table page was counted");
	kfree(n);
	d->arch = NULL;
}
