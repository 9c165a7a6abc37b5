/*
 * Hosted tests of the slab allocator's misuse reports (mm/slab.c,
 * mm/kmalloc.c): frees to the wrong cache, of interior pointers, of memory
 * that is not the heap's or not kmalloc's, and double frees that would
 * overfill a slab are refused with a report in every build; double frees,
 * red zones overwritten before or after an object (found at free or at
 * allocation) and writes to freed objects are reported with SLAB_DEBUG
 * (those tests are skipped without it). Each report must appear exactly
 * once, name the cache and the object, and leave slab_check() clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/slab.h>

#include "../../mm/slab_internal.h"
#include "fake_arch.h"
#include "support_slab.h"

static void on(unsigned int cpu)
{
	hosted_cpu_id = cpu;
}

/* One node of 8 MiB, two CPUs. */
static void build_one(void)
{
	slabfx_build_nodes(1, MiB(8), 2, NULL);
}

/* ---- misuse: reported in every build ----------------------------------------- */

static void test_free_to_the_wrong_cache(void **state)
{
	struct slab_cache *a, *b;
	unsigned long before;
	void *p;

	build_one();
	a = slab_cache_create("apples", 48, 0, NULL, 0);
	b = slab_cache_create("pears", 48, 0, NULL, 0);
	p = slab_alloc(a);
	before = slab_reports();
	slab_free(b, p);
	slabfx_expect_once("slab pears: free of %p: object of cache apples\n", p);
	assert_int_equal(slab_reports(), before + 1);
	assert_int_equal(slabfx_info(a).inuse, 1);
	assert_int_equal(slabfx_info(b).inuse, 0);
	slabfx_assert_check();
	slab_free(a, p);
	assert_int_equal(slabfx_info(a).inuse, 0);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_free_of_what_is_not_an_object(void **state)
{
	static u64 not_heap[4];
	struct slab_cache *a;
	unsigned long before;
	u64 on_stack = 0;
	u8 *p, *big, *bad[5];
	unsigned int i;

	build_one();
	a = slab_cache_create("figs", 48, 0, NULL, 0);
	p = slab_alloc(a);
	big = kmalloc(20000);
	bad[0] = p + 8;
	bad[1] = p + 1;
	bad[2] = (u8 *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE << slabfx_info(a).order); /* the header */
	bad[3] = (u8 *)not_heap;
	bad[4] = big;
	before = slab_reports();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		slab_free(a, bad[i]);
		slabfx_expect_once("slab figs: free of %p: not an object of this cache\n",
				   (void *)bad[i]);
	}
	slab_free(a, &on_stack);
	slabfx_expect_once("slab figs: free of %p: not an object of this cache\n",
			   (void *)&on_stack);
	slab_free(a, NULL);
	assert_int_equal(slab_reports(), before + ARRAY_SIZE(bad) + 1);
	assert_int_equal(slabfx_info(a).inuse, 1);
	slab_free(a, p);
	kfree(big);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_kfree_of_what_kmalloc_did_not_give(void **state)
{
	static u64 not_heap[4];
	struct slab_cache *a;
	struct page *pg;
	unsigned long before;
	u8 *page, *obj, *k;

	build_one();
	a = slab_cache_create("plums", 48, 0, NULL, 0);
	obj = slab_alloc(a);
	k = kmalloc(64);
	pg = alloc_pages(0, MEMF_LOCAL);
	page = arch_maddr_to_virt(page_to_maddr(pg));
	before = slab_reports();
	kfree(not_heap);
	slabfx_expect_once("kfree of %p: not heap memory\n", (void *)not_heap);
	kfree(page);
	slabfx_expect_once("kfree of %p: not a kmalloc block\n", (void *)page);
	kfree(obj);
	slabfx_expect_once("kfree of %p: object of cache plums, not kmalloc\n", (void *)obj);
	kfree(k + 16);
	slabfx_expect_once("slab kmalloc-64: free of %p: not an object of this cache\n",
			   (void *)(k + 16));
	assert_int_equal(slab_reports(), before + 4);
	assert_int_equal(ksize(not_heap), 0);
	assert_int_equal(ksize(page), 0);
	assert_int_equal(ksize(obj), 0);
	assert_int_equal(ksize(k + 16), 0);
	assert_int_equal(slabfx_info(a).inuse, 1);
	assert_int_equal(slabfx_info(slab_cache_find("kmalloc-64")).inuse, 1);
	free_pages(pg, 0, false);
	slab_free(a, obj);
	kfree(k);
	assert_console_empty();
	slabfx_assert_check();
}

/*
 * Without per-CPU arrays, a second free finds its slab with every object
 * free already: caught in every build (with SLAB_DEBUG by the state word).
 */
static void test_double_free_into_an_empty_slab(void **state)
{
	struct slab_cache *c;
	unsigned long before;
	void *p;

	build_one();
	c = slab_cache_create("locked", 64, 0, NULL, SLAB_NO_CPU_CACHE);
	p = slab_alloc(c);
	slab_free(c, p);
	assert_int_equal(slabfx_node_info(c, 0).empty, 1); /* the reserve keeps it */
	before = slab_reports();
	slab_free(c, p);
	slabfx_expect_once("slab locked: double free of %p\n", p);
	assert_int_equal(slab_reports(), before + 1);
	assert_int_equal(slabfx_node_info(c, 0).out, 0);
	slabfx_assert_check();
	assert_int_equal(slab_cache_destroy(c), 0);
}

/* ---- misuse: SLAB_DEBUG ------------------------------------------------------ */

/* Skip the test without SLAB_DEBUG; else one node and a cache of 40-byte objects. */
static struct slab_cache *build_debug_cache(const char *name)
{
	if (!IS_ENABLED(CONFIG_SLAB_DEBUG))
		skip();
	build_one();
	return slab_cache_create(name, 40, 0, NULL, 0);
}

static void test_double_free(void **state)
{
	struct slab_cache *c;
	unsigned long before;
	void *p, *k;

	c = build_debug_cache("twice");
	p = slab_alloc(c);
	slab_free(c, p);
	before = slab_reports();
	slab_free(c, p); /* in the CPU's array */
	slabfx_expect_once("slab twice: double free of %p\n", p);
	slab_shrink();
	p = slab_alloc(c);
	slab_free(c, p);
	slab_free(c, slab_alloc(c)); /* keeps the slab alive */
	k = kmalloc(32);
	kfree(k);
	kfree(k);
	slabfx_expect_once("slab kmalloc-32: double free of %p\n", k);
	assert_int_equal(slab_reports(), before + 2);
	assert_int_equal(slabfx_info(c).inuse, 0);
	slabfx_assert_check();
	/* Back in its slab's free stack (another CPU drained it home). */
	p = slab_alloc(c);
	on(1);
	slab_free(c, p);
	slab_shrink();
	slab_free(c, p);
	slabfx_expect_once("slab twice: double free of %p\n", p);
	on(0);
	assert_int_equal(slab_reports(), before + 3);
	slabfx_assert_check();
}

/* The state word before the object: the free is refused, the object kept. */
static void test_red_zone_before(void **state)
{
	struct slab_cache *c, *wide;
	unsigned long before;
	u8 *p, saved;

	c = build_debug_cache("left");
	p = slab_alloc(c);
	saved = p[-1];
	p[-1] ^= 0xff;
	before = slab_reports();
	slab_free(c, p);
	slabfx_expect_once("slab left: red zone before %p overwritten", (void *)p);
	assert_int_equal(slab_reports(), before + 1);
	assert_int_equal(slabfx_info(c).inuse, 1); /* not freed */
	assert_int_equal(slab_check(), 1);	   /* the damaged object */
	console_clear();
	p[-1] = saved;
	slabfx_assert_check();
	slab_free(c, p);
	assert_int_equal(slabfx_info(c).inuse, 0);
	/* Fill bytes further left (an aligned cache has some): repaired, freed. */
	wide = slab_cache_create("left64", 40, 64, NULL, 0);
	p = slab_alloc(wide);
	p[-9] = 0;
	slab_free(wide, p);
	slabfx_expect_once(
	    "slab left64: red zone before %p overwritten at offset -9, found at free\n", (void *)p);
	assert_int_equal(slabfx_info(wide).inuse, 0);
	assert_int_equal(slab_reports(), before + 2);
	assert_console_empty();
	slabfx_assert_check();
}

/* Past the end: reported, repaired, and the free goes ahead. */
static void test_red_zone_after(void **state)
{
	struct slab_cache *c;
	unsigned long before;
	u8 *p, *q;

	c = build_debug_cache("right");
	p = slab_alloc(c);
	before = slab_reports();
	p[40] = 0x11;
	slab_free(c, p);
	slabfx_expect_once(
	    "slab right: red zone after %p overwritten at offset 40, found at free\n", (void *)p);
	assert_int_equal(slabfx_info(c).inuse, 0);
	slabfx_assert_check();
	q = slab_alloc(c);
	assert_ptr_equal(q, p);
	assert_int_equal(slab_reports(), before + 1); /* repaired: nothing more */
	slab_free(c, q);
	/* A kmalloc block written past its class. */
	p = kmalloc(100);
	p[128] = 0;
	kfree(p);
	slabfx_expect_once(
	    "slab kmalloc-128: red zone after %p overwritten at offset 128, found at "
	    "free\n",
	    (void *)p);
	assert_int_equal(slab_reports(), before + 2);
	assert_console_empty();
	slabfx_assert_check();
}

/* Red zones of a free object damaged: found when it is handed out again. */
static void test_red_zone_found_at_allocation(void **state)
{
	struct slab_cache *c;
	unsigned long before;
	u8 *p, *q;

	c = build_debug_cache("later");
	p = slab_alloc(c);
	slab_free(c, p);
	p[44] = 0x22;
	assert_int_equal(slab_check(), 1);
	console_clear();
	before = slab_reports();
	q = slab_alloc(c);
	assert_ptr_equal(q, p);
	slabfx_expect_once(
	    "slab later: red zone after %p overwritten at offset 44, found at allocation\n",
	    (void *)p);
	slabfx_assert_check();
	slab_free(c, q);
	p[-3] = 0x33;
	q = slab_alloc(c);
	slabfx_expect_once("slab later: red zone before %p overwritten", (void *)p);
	assert_ptr_equal(q, p);
	assert_int_equal(slab_reports(), before + 2);
	slab_free(c, q);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_use_after_free(void **state)
{
	struct slab_cache *c;
	unsigned long before;
	u8 *p, *q;

	c = build_debug_cache("stale");
	p = slab_alloc(c);
	memset(p, 0, 40);
	slab_free(c, p);
	p[5] = 0x22;
	assert_int_equal(slab_check(), 1);
	console_clear();
	before = slab_reports();
	q = slab_alloc(c);
	assert_ptr_equal(q, p);
	slabfx_expect_once("slab stale: %p written after free: byte 5 is 0x22, not poison 0x6b\n",
			   (void *)p);
	assert_int_equal(slab_reports(), before + 1);
	slab_free(c, q);
	slabfx_assert_check();
	/* kmalloc objects too, at the last byte. */
	p = kmalloc(256);
	kfree(p);
	p[255] = 0;
	q = kmalloc(200);
	assert_ptr_equal(q, p);
	slabfx_expect_once(
	    "slab kmalloc-256: %p written after free: byte 255 is 0x00, not poison 0x6b\n",
	    (void *)p);
	kfree(q);
	assert_int_equal(slab_reports(), before + 2);
	assert_console_empty();
	slabfx_assert_check();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, slabfx_setup, slabfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_free_to_the_wrong_cache),
	    T(test_free_of_what_is_not_an_object),
	    T(test_kfree_of_what_kmalloc_did_not_give),
	    T(test_double_free_into_an_empty_slab),
	    T(test_double_free),
	    T(test_red_zone_before),
	    T(test_red_zone_after),
	    T(test_red_zone_found_at_allocation),
	    T(test_use_after_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
