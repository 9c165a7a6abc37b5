/*
 * Hosted tests of the nested page tables (arch/x86/hvm/npt.c) under a
 * real domain of hypervisor/domain.c, on the machine of
 * fake_domain_env.h: memory_op's work (dom_populate, dom_release) on
 * the hot-plug range, what the tables map afterwards, and that ending the
 * domain gives every table page back.
 *
 * The domain: mem=2M, maxmem=6M, so its hot-plug range is 4 MiB (maxmem -
 * mem) at 4 GiB, the first 1 GiB boundary above RAM and 4 GiB
 * (include/hv/domain.h): gfns 0x100000 to 0x100400. The legacy area,
 * gfns 0xa0 to 0xdf, maps the empty bus page read-only. A 2 MiB page is an
 * entry of the page directory with PS set (AMD APM vol. 2, 5.3.4), which
 * arch_domain_walk() reports as one mapping of order 9.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>

#include "fake_arch.h"
#include "fake_domain_env.h"
#include "support_slab.h"

#define HOT 0x100000ULL /* gfn of the hot-plug range: 4 GiB */

static struct domain *d;

struct maps {
	u64 first_gfn, nr, small, large;
	mfn_t first_mfn;
	bool contiguous; /* gfn - first_gfn == mfn - first_mfn for each */
};

static void count(void *ctx, u64 gfn, mfn_t mfn, unsigned int order)
{
	struct maps *m = ctx;

	if (gfn < HOT || gfn >= HOT + 0x400)
		return;
	if (!m->nr++) {
		m->first_gfn = gfn;
		m->first_mfn = mfn;
		m->contiguous = true;
	}
	m->contiguous &= gfn - m->first_gfn == mfn - m->first_mfn;
	if (order == 9)
		m->large++;
	else if (order == 0)
		m->small++;
	else
		fail_msg("a mapping of order %u", order);
}

static struct maps hot_maps(void)
{
	struct maps m = {0};

	arch_domain_walk(d, count, &m);
	return m;
}

static int setup(void **state)
{
	struct domain_config cfg;
	char err[DOMCFG_ERR_MAX];

	domenv_build();
	assert_int_equal(domcfg_parse("name=n,mem=2M,maxmem=6M,image=0", &cfg, err, sizeof(err)),
			 0);
	d = dom_create(&cfg, false);
	assert_non_null(d);
	assert_int_equal(d->vnode[0].hot_start, HOT << PAGE_SHIFT);
	assert_int_equal(d->vnode[0].hot_end, (HOT + 0x400) << PAGE_SHIFT);
	return 0;
}

static int teardown(void **state)
{
	domenv_end_all();
	assert_int_equal(domenv_assert_owners(), 0);
	/* Every table page is back: the heap holds nothing but slabs and the empty bus. */
	domenv_assert_only_slabs();
	assert_int_equal(heap_check(false), 0);
	return 0;
}

static void test_a_block_of_2m_is_one_large_entry(void **state)
{
	struct maps m;

	assert_int_equal(dom_populate(d, 0, HOT, 9, false), 0);
	m = hot_maps();
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.large, 1);
	assert_int_equal(m.first_gfn, HOT);
	assert_int_equal(arch_domain_lookup(d, HOT + 0x1ff), m.first_mfn + 0x1ff);
	assert_int_equal(dom_release(d, HOT, 9), 0);
	assert_int_equal(hot_maps().nr, 0);
	assert_int_equal(arch_domain_lookup(d, HOT), INVALID_MFN);
}

/*
 * 512 pages populated one by one, given back one by one, then 2 MiB at
 * once: the table of small entries they left is linked still, so the
 * block is mapped as 512 small entries of it (before the fix, a large
 * entry replaced the link and the table page was lost: ending the domain
 * found one table page too many counted).
 */
static void test_a_2m_block_over_an_emptied_table(void **state)
{
	struct maps m;
	u64 i;

	for (i = 0; i < 512; i++)
		assert_int_equal(dom_populate(d, 0, HOT + i, 0, false), 0);
	m = hot_maps();
	assert_int_equal(m.small, 512);
	for (i = 0; i < 512; i++)
		assert_int_equal(dom_release(d, HOT + i, 0), 0);
	assert_int_equal(hot_maps().nr, 0);
	assert_int_equal(dom_populate(d, 0, HOT, 9, false), 0);
	m = hot_maps();
	assert_int_equal(m.nr, 512);
	assert_int_equal(m.small, 512);
	assert_true(m.contiguous);
	domenv_assert_owners();
	/* The block next to it has no table yet: one large entry. */
	assert_int_equal(dom_populate(d, 0, HOT + 0x200, 9, false), 0);
	m = hot_maps();
	assert_int_equal(m.large, 1);
	assert_int_equal(m.small, 512);
	/* And the first block goes back whole. */
	assert_int_equal(dom_release(d, HOT, 9), 0);
	m = hot_maps();
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.large, 1);
}

/* [0xa0000, 0xe0000): one page of all ones, the hypervisor's, 64 times (include/hv/domain.h). */
static void test_legacy_area_is_the_empty_bus(void **state)
{
	mfn_t bus = arch_domain_lookup(d, 0xa0);
	const u8 *p;
	u64 gfn;
	size_t i;

	assert_true(dom_is_empty_bus(bus));
	for (gfn = 0xa0; gfn < 0xe0; gfn++)
		assert_int_equal(arch_domain_lookup(d, gfn), bus);
	assert_false(dom_is_empty_bus(arch_domain_lookup(d, 0x9f))); /* RAM below it */
	assert_false(dom_is_empty_bus(arch_domain_lookup(d, 0xe0))); /* the firmware area */
	assert_false(mfn_to_page(bus)->flags & PG_OWNED);
	p = arch_maddr_to_virt(bus << PAGE_SHIFT);
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(p[i], 0xff);
	/* Not RAM to the hypercalls. */
	assert_false(dom_gpa_is_ram(d, 0xc0000, 2));
	domenv_assert_owners();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_a_block_of_2m_is_one_large_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_2m_block_over_an_emptied_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_legacy_area_is_the_empty_bus, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
