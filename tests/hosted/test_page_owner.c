/*
 * Hosted tests of the page ownership check, dom_check_pages() in
 * hypervisor/domain.c over heap_walk_owned() in mm/heap_check.c: two
 * domains built by the real dom_create() on the two-node machine of
 * fake_domain_env.h pass it, and each way a page can be wrongly owned,
 * written into the frame table or a domain by hand, is reported on its
 * own line (and the check passes again once it is undone).
 *
 * The domains: "a" with mem=4M over virtual nodes on nodes 0 and 1 (2 MiB
 * each, include/hv/domain_config.h), "b" with mem=2M on node 1; each also
 * holds its firmware area of 2^DOM_FW_ORDER = 32 pages (128 KiB at
 * 0xe0000, include/hv/domain.h) on its home node. So a holds 512 + 32
 * pages on node 0 and 512 on node 1, b 512 + 32 on node 1: 1600 in all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/hvm.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/mm.h>

#include "fake_arch.h"
#include "fake_domain_env.h"
#include "support_slab.h"

#define A_PAGES 1056ULL /* 2 x 512 + 32 */
#define B_PAGES 544ULL	/* 512 + 32 */

static struct domain *a, *b;

static struct domain *create(const char *value)
{
	struct domain_config cfg;
	char err[DOMCFG_ERR_MAX];
	struct domain *d;

	if (domcfg_parse(value, &cfg, err, sizeof(err)))
		fail_msg("%s: %s", value, err);
	d = dom_create(&cfg, false);
	if (!d)
		fail_msg("%s did not start:\n%s", value, console_text());
	return d;
}

static int setup(void **state)
{
	domenv_build();
	a = create("name=a,mem=4M,vnodes=2,vcpus=2,nodes=0+1,image=0");
	b = create("name=b,mem=2M,node=1,image=0");
	assert_int_equal(a->node_pages[0], 544);
	assert_int_equal(a->node_pages[1], 512);
	assert_int_equal(b->node_pages[1], 544);
	console_clear();
	return 0;
}

static int teardown(void **state)
{
	domenv_end_all();
	domenv_assert_only_slabs();
	assert_int_equal(heap_check(false), 0);
	return 0;
}

/* The check finds problems now, one of them reported with the formatted needle. */
static void __attribute__((format(printf, 1, 2))) assert_reported(const char *fmt, ...)
{
	char needle[160];
	unsigned int nr;
	u64 owned;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(needle, sizeof(needle), fmt, ap);
	va_end(ap);
	console_clear();
	if (dom_check_pages(&owned, &nr) == 0)
		fail_msg("the check found nothing wrong (wanted \"%s\")", needle);
	assert_console_has(needle);
	console_clear();
}

static void test_domains_pass(void **state)
{
	unsigned int nr;
	u64 owned;

	assert_int_equal(dom_check_pages(&owned, &nr), 0);
	assert_int_equal(owned, A_PAGES + B_PAGES);
	assert_int_equal(nr, 2);
	assert_console_empty();
	if (IS_ENABLED(CONFIG_DEBUG)) {
		keyhandler_dispatch('q');
		assert_console_has("page owners: 1600 pages held by 2 domains, each page once\n");
	}
}

static void test_ending_a_domain_disowns_its_pages(void **state)
{
	unsigned int nr;
	u64 owned;

	domenv_end(a, DOM_SHUTDOWN_POWEROFF);
	assert_int_equal(dom_check_pages(&owned, &nr), 0);
	assert_int_equal(owned, B_PAGES);
	assert_int_equal(nr, 1);
	assert_int_equal(dom_node_pages(0), 0);
	assert_int_equal(dom_node_pages(1), B_PAGES);
}

static void test_page_without_the_flag(void **state)
{
	struct page *pg = a->pages;

	pg[1].flags &= ~PG_OWNED;
	assert_reported("is not its own");
	pg[1].flags |= PG_OWNED;
	assert_int_equal(domenv_assert_owners(), A_PAGES + B_PAGES);
}

static void test_page_of_another_domain(void **state)
{
	struct page *pg = a->pages;

	pg[3].owner = b;
	assert_reported("is not its own");
	pg[3].owner = a;
	domenv_assert_owners();
}

static void test_page_owned_by_no_domain(void **state)
{
	static int not_a_domain;
	struct page *pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(0));

	assert_non_null(pg);
	pg->flags |= PG_OWNED;
	pg->owner = &not_a_domain;
	assert_reported("is owned by no domain of the table");
	pg->flags &= ~PG_OWNED;
	pg->owner = NULL;
	free_pages(pg, 0, false);
	domenv_assert_owners();
}

static void test_free_page_owned(void **state)
{
	struct page *pg = alloc_pages(2, MEMF_EXACT | MEMF_NODE(1) | MEMF_NO_PCP);

	assert_non_null(pg);
	free_pages(pg, 2, false);
	pg[1].flags |= PG_OWNED; /* inside a free block or a per-CPU cache now */
	assert_reported("and owned by a domain");
	pg[1].flags &= ~PG_OWNED;
	domenv_assert_owners();
}

static void test_slab_page_owned(void **state)
{
	void *p = kmalloc_node(64, 0);
	struct page *pg = mfn_to_page(arch_virt_to_maddr(p) >> PAGE_SHIFT);

	assert_true(pg->flags & PG_SLAB);
	pg->flags |= PG_OWNED;
	assert_reported("is the slab allocator's and owned by a domain");
	pg->flags &= ~PG_OWNED;
	kfree(p);
	domenv_assert_owners();
}

static void test_page_list_runs_into_another(void **state)
{
	struct page *last = b->pages;

	while (last->private)
		last = (struct page *)last->private;
	last->private = (unsigned long)a->pages;
	assert_reported("domain %u: more than", b->id);
	last->private = 0;
	domenv_assert_owners();
}

static void test_node_count_off(void **state)
{
	a->node_pages[1]++;
	assert_reported("domain %u: node 1: 513 pages counted, 512 pages owned", a->id);
	a->node_pages[1]--;
	domenv_assert_owners();
}

static void test_vnode_count_off(void **state)
{
	b->vnode[0].pages--;
	assert_reported("domain %u: 544 pages counted, 543 by virtual node and firmware area, "
			"544 by node",
			b->id);
	b->vnode[0].pages++;
	domenv_assert_owners();
}

static void test_total_count_off(void **state)
{
	a->nr_pages--;
	assert_reported("domain %u: 1056 pages in its page list, 1055 counted", a->id);
	a->nr_pages++;
	domenv_assert_owners();
}

static void test_mapping_of_a_foreign_page(void **state)
{
	struct page *pg = alloc_pages(0, MEMF_EXACT | MEMF_NODE(0));
	u64 gfn = 0x100000; /* 4 GiB: no RAM of a's */

	assert_non_null(pg);
	assert_int_equal(arch_domain_map(a, gfn, page_to_mfn(pg), 0), 0);
	assert_reported("domain %u: 1 mapped pages are not the domain's", a->id);
	arch_domain_unmap(a, gfn, 0);
	free_pages(pg, 0, false);
	domenv_assert_owners();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_domains_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ending_a_domain_disowns_its_pages, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_page_without_the_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_page_of_another_domain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_page_owned_by_no_domain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_page_owned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slab_page_owned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_page_list_runs_into_another, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_node_count_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vnode_count_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_total_count_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mapping_of_a_foreign_page, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
