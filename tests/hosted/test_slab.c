/*
 * Hosted tests of the slab allocator (mm/slab.c) on heap fixtures: cache
 * creation and layouts (with the object index's division by
 * multiplication against C's), every kmalloc class and large blocks,
 * kzalloc and ksize, node placement and fallback (full and memoryless
 * nodes), the per-CPU arrays against a model (through slab_free() and
 * through kfree()'s guess of the array), frees on another node's CPU going home,
 * shrinking, idle drains and the reclaim hook, destroy, constructors and
 * the 's' dump. The misuse reports are in test_slab_misuse.c.
 * CPUs are the main thread with hosted_cpu_id switched (and a thread of
 * its own for the remote frees); slab_check() runs after each test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/slab.h>

#include "../../mm/slab_internal.h"
#include "fake_arch.h"
#include "support_slab.h"

static const size_t classes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};

static void on(unsigned int cpu)
{
	hosted_cpu_id = cpu;
}

static struct page *page_of(const void *p)
{
	return mfn_to_page(arch_virt_to_maddr(p) >> PAGE_SHIFT);
}

/* One node of 8 MiB, two CPUs. */
static void build_one(void)
{
	slabfx_build_nodes(1, MiB(8), 2, NULL);
}

/* Two nodes of 8 MiB, one CPU each (CPU 0 on node 0, CPU 1 on node 1). */
static void build_two(void)
{
	slabfx_build_nodes(2, MiB(8), 1, NULL);
}

/* ---- creating caches --------------------------------------------------------- */

static void test_create_rejects_bad_arguments(void **state)
{
	struct slab_cache *c;

	build_one();
	assert_null(slab_cache_create("zero", 0, 0, NULL, 0));
	assert_null(slab_cache_create("huge", SLAB_MAX_OBJ_SIZE + 1, 0, NULL, 0));
	assert_null(slab_cache_create("odd", 64, 3, NULL, 0));
	assert_null(slab_cache_create("odd", 64, 24, NULL, 0));
	assert_null(slab_cache_create("wide", 64, 2 * PAGE_SIZE, NULL, 0));
	assert_null(slab_cache_create("flags", 64, 0, NULL, 0x80));
	assert_null(slab_cache_create(NULL, 64, 0, NULL, 0));
	assert_int_equal(slab_cache_destroy(NULL), -EINVAL);
	assert_int_equal(slab_cache_destroy(slab_cache_find("kmalloc-64")), -EINVAL);
	assert_int_equal(slab_cache_destroy(slab_cache_find("slab-cpu")), -EINVAL);
	assert_console_empty();
	/* The limits themselves are fine. */
	c = slab_cache_create("a-name-far-longer-than-any-cache-name-may-be", SLAB_MAX_OBJ_SIZE,
			      PAGE_SIZE, NULL, SLAB_NO_CPU_CACHE);
	assert_non_null(c);
	assert_ptr_equal(slab_cache_find("a-name-far-longer-than-any-cach"), c);
	assert_int_equal(slab_cache_destroy(c), 0);
	c = slab_cache_create("one", 1, 0, NULL, 0);
	assert_non_null(c);
	assert_int_equal(slabfx_info(c).size, 1);
	assert_int_equal(slab_cache_destroy(c), 0);
	assert_null(slab_cache_find("one"));
	slabfx_assert_check();
}

/*
 * The index arithmetic (a multiplication standing in for a division):
 * obj starts the object its index names, and no byte inside the slot
 * but the first starts one.
 */
static void assert_object_index(const struct slab_cache *c, const u8 *obj)
{
	const struct slab *s = slab_of(obj);
	unsigned int d;
	int i;

	assert_non_null(s);
	i = slab_obj_index(c, s, obj);
	assert_true(i >= 0 && (unsigned int)i < c->nr_objs);
	assert_ptr_equal(slab_obj_at(c, s, (unsigned int)i), obj);
	for (d = 1; d < c->stride; d += d < 64 ? 1 : 61)
		if (slab_obj_index(c, s, obj + d) >= 0)
			fail_msg("%s: offset %u inside object %d taken for an object", c->name, d,
				 i);
	assert_int_equal(slab_obj_index(c, s, obj - 1), -1);
}

/*
 * slab_is_object() and slab_obj_index() divide by multiplying
 * (slab_internal.h): against C's own % and / for every object size in
 * 8-byte steps (each a stride of its own, red zones included under
 * SLAB_DEBUG) and every byte from a slot before the first object to a
 * slot past the last.
 */
static void test_object_index_is_exact_division(void **state)
{
	size_t size;

	build_one();
	for (size = 8; size <= SLAB_MAX_OBJ_SIZE; size += 8) {
		struct slab_cache *c =
		    slab_cache_create("divide", size, 0, NULL, SLAB_NO_CPU_CACHE);
		u8 *obj = slab_alloc(c);
		const struct slab *s = slab_of(obj);
		const u8 *first = (const u8 *)s + c->obj_base;
		long d, stride = c->stride, end = (long)c->nr_objs * stride;

		assert_non_null(obj);
		for (d = -stride; d < end + stride; d++) {
			bool want = d >= 0 && d < end && d % stride == 0;
			int i = slab_obj_index(c, s, first + d);

			if (slab_is_object(c, s, first + d) != want ||
			    i != (want ? d / stride : -1))
				fail_msg("stride %ld, offset %ld: object %d, expected %ld", stride,
					 d, i, want ? d / stride : -1L);
		}
		slab_free(c, obj);
		assert_int_equal(slab_cache_destroy(c), 0);
	}
}

/*
 * Every layout: objects aligned, inside their slab, never overlapping,
 * the order at most 4; without red zones (which cost what they cost) the
 * waste of a slab is at most an eighth (an object's 2-byte free-stack
 * entry is part of the object).
 */
static void test_layouts(void **state)
{
	static const size_t sizes[] = {1, 7, 8, 24, 100, 500, 1000, 3000, 4096, 5000, 8192};
	static const size_t aligns[] = {0, 16, 64, 512, PAGE_SIZE};
	static u8 *objs[200];
	unsigned int i, j, k, n;

	build_one();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < ARRAY_SIZE(aligns); j++) {
			size_t sz = sizes[i], al = MAX(aligns[j], (size_t)8);
			struct slab_cache *c = slab_cache_create("layout", sz, aligns[j], NULL, 0);
			struct slab_info info = slabfx_info(c);
			size_t bytes = PAGE_SIZE << info.order, stride = ALIGN_UP(sz, al);

			assert_non_null(c);
			assert_true(info.order <= 4 && info.objs_per_slab >= 1);
			assert_true(info.objs_per_slab * sz <= bytes);
			if (!IS_ENABLED(CONFIG_SLAB_DEBUG) && al <= 16 &&
			    (bytes - info.objs_per_slab * (stride + 2)) * 8 > bytes)
				fail_msg("size %zu align %zu: %u objects of %zu in %zu bytes", sz,
					 al, info.objs_per_slab, stride, bytes);
			n = MIN(info.objs_per_slab * 2 + 1, (unsigned int)ARRAY_SIZE(objs));
			for (k = 0; k < n; k++) {
				objs[k] = slab_alloc(c);
				assert_non_null(objs[k]);
				assert_true(IS_ALIGNED((uintptr_t)objs[k], al));
				memset(objs[k], (int)k, sz);
				assert_object_index(c, objs[k]);
			}
			for (k = 0; k < n; k++) {
				assert_int_equal(objs[k][0], (u8)k);
				assert_int_equal(objs[k][sz - 1], (u8)k);
				slab_free(c, objs[k]);
			}
			slabfx_assert_check();
			assert_int_equal(slab_cache_destroy(c), 0);
		}
	}
	assert_console_empty();
}

/* ---- kmalloc ----------------------------------------------------------------- */

static void test_every_size_class(void **state)
{
	static u8 *p[ARRAY_SIZE(classes)][4];
	unsigned int i, j;

	build_one();
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		size_t sizes[4] = {classes[i], classes[i] - 1, 1, 1};
		size_t al = MIN(classes[i], (size_t)16);

		sizes[2] = i ? classes[i - 1] + 1 : 1;
		sizes[3] = (sizes[2] + classes[i]) / 2;
		for (j = 0; j < 4; j++) {
			p[i][j] = kmalloc(sizes[j]);
			assert_non_null(p[i][j]);
			assert_int_equal(ksize(p[i][j]), classes[i]);
			assert_true(IS_ALIGNED((uintptr_t)p[i][j], al));
			assert_int_equal(slabfx_node_of(p[i][j]), 0);
			memset(p[i][j], (int)(i * 4 + j), classes[i]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		char name[32];
		struct slab_cache *c;

		snprintf(name, sizeof(name), "kmalloc-%zu", classes[i]);
		c = slab_cache_find(name);
		assert_non_null(c);
		assert_int_equal(slabfx_info(c).inuse, 4);
		for (j = 0; j < 4; j++) {
			assert_int_equal(p[i][j][0], (u8)(i * 4 + j));
			assert_int_equal(p[i][j][classes[i] - 1], (u8)(i * 4 + j));
			kfree(p[i][j]);
		}
		assert_int_equal(slabfx_info(c).inuse, 0);
	}
	kfree(NULL);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_kmalloc_limits(void **state)
{
	void *p;

	/* Room for an aligned block of MAX_ORDER: 8 MiB has one up to order 10. */
	slabfx_build_nodes(1, MAX(MiB(8), 2 * (PAGE_SIZE << MAX_ORDER)), 2, NULL);
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	assert_null(kmalloc_node(0, 0));
	assert_null(kmalloc_node(64, 1)); /* no such node */
	assert_null(kmalloc((PAGE_SIZE << MAX_ORDER) + 1));
	assert_null(kmalloc(~(size_t)0));
	assert_int_equal(ksize(NULL), 0);
	p = kmalloc(PAGE_SIZE << MAX_ORDER);
	assert_non_null(p);
	assert_int_equal(ksize(p), PAGE_SIZE << MAX_ORDER);
	kfree(p);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_large_kmalloc(void **state)
{
	static const size_t sizes[] = {SLAB_MAX_OBJ_SIZE + 1, 3 * PAGE_SIZE, 64 * 1024,
				       64 * 1024 + 1, 1024 * 1024};
	static const unsigned int orders[] = {2, 2, 4, 5, 8};
	u64 before, pages, allocs;
	unsigned int i;
	u8 *p;

	build_one();
	before = slabfx_allocated();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct page *pg;

		p = kmalloc(sizes[i]);
		assert_non_null(p);
		assert_true(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
		assert_int_equal(ksize(p), PAGE_SIZE << orders[i]);
		assert_int_equal(slabfx_node_of(p), 0);
		pg = page_of(p);
		assert_true(pg->flags & PG_LARGE);
		assert_false(pg->flags & PG_SLAB);
		assert_int_equal(pg->private, orders[i]);
		assert_int_equal(slabfx_allocated(), before + (1UL << orders[i]));
		assert_int_equal(slab_node_pages(0), heap_allocated(0));
		slab_large_info(&pages, &allocs);
		assert_int_equal(pages, 1UL << orders[i]);
		assert_int_equal(allocs, 1);
		memset(p, 0x3c, ksize(p));
		assert_int_equal(ksize(p + PAGE_SIZE), 0);
		kfree(p + PAGE_SIZE); /* inside the block: refused */
		slabfx_expect_once("kfree of %p: not a kmalloc block\n", (void *)(p + PAGE_SIZE));
		kfree(p);
		assert_false(pg->flags & PG_LARGE);
		assert_int_equal(slabfx_allocated(), before);
		kfree(p); /* twice: refused */
		slabfx_expect_once("kfree of %p: not a kmalloc block\n", (void *)p);
	}
	slab_large_info(&pages, &allocs);
	assert_int_equal(pages, 0);
	assert_int_equal(allocs, 0);
	heapfx_assert_counts();
	slabfx_assert_check();
}

static void test_kzalloc_and_ksize(void **state)
{
	static const size_t sizes[] = {1, 24, 200, 4000, 8192, 20000};
	unsigned int i;
	size_t j;

	build_one();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = kmalloc(sizes[i]), *q;

		assert_non_null(p);
		assert_true(ksize(p) >= sizes[i]);
		memset(p, 0xff, ksize(p));
		kfree(p);
		q = kzalloc(sizes[i]);
		assert_non_null(q);
		if (sizes[i] <= SLAB_MAX_OBJ_SIZE)
			assert_ptr_equal(q, p); /* the same object, last in first out */
		for (j = 0; j < ksize(q); j++)
			if (q[j])
				fail_msg("kzalloc(%zu): byte %zu is 0x%02x", sizes[i], j, q[j]);
		kfree(q);
	}
	assert_console_empty();
	slabfx_assert_check();
}

/* ---- nodes ------------------------------------------------------------------- */

/*
 * Nodes 0, 1, 2 with 8 MiB each and node 3 without memory, nearest to
 * node 2; a CPU on each. From node 0, node 2 is nearer than node 1.
 */
static const u8 dist4[16] = {
    10, 30, 15, 25, 30, 10, 20, 30, 15, 20, 10, 12, 25, 30, 12, 10,
};

static void build_four(void)
{
	struct heapfx_spec s;
	unsigned int n;

	heapfx_spec_init(&s, 4);
	for (n = 0; n < 3; n++)
		heapfx_spec_ram(&s, n, MiB(16) + n * MiB(8), MiB(8));
	for (n = 0; n < 4; n++)
		heapfx_spec_cpus(&s, n, 1);
	s.dist = dist4;
	slabfx_build_spec(&s);
	assert_int_equal(topo->node[3].present, 0);
	assert_int_equal(topo->node[3].fallback[0], 2);
}

static void test_node_placement(void **state)
{
	static const size_t sizes[] = {64, 3000, 20000};
	struct slab_cache *c;
	unsigned int cpu, n, i;
	void *p, *warm;

	build_four();
	c = slab_cache_create("placed", 300, 0, NULL, 0);
	assert_non_null(c);
	/* Partial slabs on node 0 must not lure node 3's requests away from node 2. */
	warm = kmalloc(64);
	assert_int_equal(slabfx_node_of(warm), 0);
	for (cpu = 0; cpu < 4; cpu++) {
		on(cpu);
		for (n = 0; n < 4; n++) {
			unsigned int want = n == 3 ? 2 : n;

			for (i = 0; i < ARRAY_SIZE(sizes); i++) {
				p = kmalloc_node(sizes[i], (nodeid_t)n);
				assert_non_null(p);
				if (slabfx_node_of(p) != want)
					fail_msg("CPU %u: kmalloc_node(%zu, %u) on node %u", cpu,
						 sizes[i], n, slabfx_node_of(p));
				kfree(p);
			}
			p = slab_alloc_node(c, (nodeid_t)n);
			assert_non_null(p);
			assert_int_equal(slabfx_node_of(p), want);
			slab_free(c, p);
		}
		/* The local node: the CPU's own, or its nearest for node 3. */
		p = kmalloc(100);
		assert_int_equal(slabfx_node_of(p), cpu == 3 ? 2 : cpu);
		kfree(p);
		p = slab_alloc(c);
		assert_int_equal(slabfx_node_of(p), cpu == 3 ? 2 : cpu);
		slab_free(c, p);
		assert_null(slab_alloc_node(c, 4));
	}
	on(0);
	kfree(warm);
	for (n = 0; n < 4; n++)
		assert_int_equal(slabfx_node_info(c, n).inuse, 0);
	assert_int_equal(slabfx_node_info(c, 3).slabs, 0);
	assert_console_empty();
	slabfx_assert_check();
}

/* A full node: objects, new slabs and large blocks come from its nearest node. */
static void test_full_node_falls_back(void **state)
{
	struct heapfx_held held = {0};
	struct slab_cache *c;
	void *p[40];
	unsigned int i;

	build_four();
	c = slab_cache_create("spill", 500, 0, NULL, 0);
	assert_non_null(c);
	assert_true(heapfx_exhaust(0, &held) > 0);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = i % 4 == 0   ? kmalloc(64)
		       : i % 4 == 1 ? kmalloc_node(20000, 0)
		       : i % 4 == 2 ? slab_alloc(c)
				    : slab_alloc_node(c, 0);
		assert_non_null(p[i]);
		assert_int_equal(slabfx_node_of(p[i]), 2); /* nearer than node 1 */
	}
	assert_int_equal(slabfx_node_info(c, 0).slabs, 0);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (i % 4 >= 2)
			slab_free(c, p[i]);
		else
			kfree(p[i]);
	}
	assert_int_equal(slabfx_info(c).inuse, 0);
	slabfx_assert_check();
	heapfx_release(&held, false);
	p[0] = slab_alloc(c);
	assert_int_equal(slabfx_node_of(p[0]), 0); /* room again: back home */
	slab_free(c, p[0]);
	assert_console_empty();
	slabfx_assert_check();
}

/* A CPU of a memoryless node is at home on its nearest node: its frees are local. */
static void test_memoryless_cpu_is_home_on_nearest(void **state)
{
	struct slab_cache *c;
	struct slab_info info;
	void *p;

	build_four();
	c = slab_cache_create("nearest", 64, 0, NULL, 0);
	on(3);
	p = slab_alloc(c);
	assert_int_equal(slabfx_node_of(p), 2);
	info = slabfx_info(c);
	assert_int_equal(slabfx_node_info(c, 2).pcpu, info.batch - 1);
	slab_free(c, p);
	/* In the array, not in the remote buffer. */
	assert_int_equal(slabfx_node_info(c, 2).pcpu, info.batch);
	assert_int_equal(slabfx_node_info(c, 2).inuse, 0);
	on(0);
	slabfx_assert_check();
}

/* ---- per-CPU arrays ---------------------------------------------------------- */

/* The array's count for a sequence of operations, against a model. */
/* Allocate and free through kmalloc() or through slab_alloc() of c. */
static void *take(struct slab_cache *c, size_t kmalloc_size)
{
	return kmalloc_size ? kmalloc(kmalloc_size) : slab_alloc(c);
}

static void give(struct slab_cache *c, size_t kmalloc_size, void *p)
{
	if (kmalloc_size)
		kfree(p);
	else
		slab_free(c, p);
}

/*
 * The per-CPU array of c, whose limit is 64 and limit_max 256, against a
 * model of its rule, through slab_alloc()/slab_free() of c or (with
 * kmalloc_size, a size of c's class) kmalloc()/kfree().
 */
static void assert_array_model(struct slab_cache *c, size_t kmalloc_size)
{
	static void *held[400];
	struct slab_info info = slabfx_info(c);
	unsigned int i, nr = 0, model = 0, step, lim, bat, last = 0;

	assert_int_equal(info.limit, 64);
	assert_int_equal(info.batch, 32);
	assert_int_equal(info.limit_max, 256);
	assert_int_equal(info.pcpu, 0);
	lim = info.limit;
	bat = info.batch;
	/*
	 * The model of slab_internal.h's rule: a refill takes a batch into an
	 * empty array, an overflow gives the oldest batch back, and a slow
	 * path of the other kind than the last one doubles the array (and its
	 * batch) first, up to limit_max.
	 */
	for (step = 0; step < 1200; step++) {
		bool alloc = nr == 0 || (nr < ARRAY_SIZE(held) && (step / 150) % 2 == 0);

		if (alloc) {
			held[nr] = take(c, kmalloc_size);
			assert_non_null(held[nr++]);
			if (!model) {
				if (last == 2 && lim < info.limit_max) {
					lim = MIN(lim * 2, info.limit_max);
					bat = lim / 2;
				}
				last = 1;
				model = bat;
			}
			model--;
		} else {
			give(c, kmalloc_size, held[--nr]);
			if (model == lim) {
				if (last == 1 && lim < info.limit_max) {
					lim = MIN(lim * 2, info.limit_max);
					bat = lim / 2;
				}
				last = 2;
				if (model == lim)
					model -= bat;
			}
			model++;
		}
		info = slabfx_info(c);
		if (info.pcpu != model)
			fail_msg("%s step %u (%s, %u held): %llu cached, expected %u (array %u)",
				 c->name, step, alloc ? "alloc" : "free", nr, info.pcpu, model,
				 lim);
		assert_int_equal(info.inuse, nr);
		assert_true(info.inuse + info.pcpu <= info.total);
		assert_true(slabfx_node_info(c, 0).empty <= info.reserve);
	}
	/* The 150-object swings grew the array past 150: the last swings were served from it. */
	assert_int_equal(lim, 256);
	/* Another CPU has an array of its own, at the cache's size. */
	on(1);
	held[nr] = take(c, kmalloc_size);
	assert_int_equal(slabfx_info(c).pcpu, model + info.batch - 1);
	give(c, kmalloc_size, held[nr]);
	on(0);
	for (i = 0; i < nr; i++)
		give(c, kmalloc_size, held[i]);
	slabfx_assert_check();
}

static void test_cpu_array_counts(void **state)
{
	build_one();
	/* 64 KiB of 104-byte slots is 630 objects: capped at 256 (SLAB_CPU_MAX). */
	assert_array_model(slab_cache_create("counted", 100, 0, NULL, 0), 0);
	/* kfree() pushes on the array it guesses from the last kmalloc(): the same rule. */
	assert_array_model(slab_cache_find("kmalloc-128"), 100);
}

/*
 * kfree() guesses the array an object goes back to from the CPU's last
 * kmalloc() (mm/kmalloc.c). Whatever the guess, an object goes to its
 * own class's array, and another node's object to its node, not into
 * the array of the node the guess names.
 */
static void test_kfree_guess_never_misplaces(void **state)
{
	struct slab_cache *c64, *c128;
	u64 a64, a128, far64;
	void *a, *b, *far;

	build_two();
	c64 = slab_cache_find("kmalloc-64");
	c128 = slab_cache_find("kmalloc-128");
	on(1);
	far = kmalloc(64);
	assert_int_equal(slabfx_node_of(far), 1);
	on(0);
	a = kmalloc(64);
	b = kmalloc(128); /* CPU 0's last kmalloc(): its kmalloc-128 array */
	a64 = slabfx_node_info(c64, 0).pcpu;
	a128 = slabfx_node_info(c128, 0).pcpu;
	kfree(a);
	assert_int_equal(slabfx_node_info(c64, 0).pcpu, a64 + 1);
	assert_int_equal(slabfx_node_info(c128, 0).pcpu, a128);
	kfree(b);
	assert_int_equal(slabfx_node_info(c64, 0).pcpu, a64 + 1);
	assert_int_equal(slabfx_node_info(c128, 0).pcpu, a128 + 1);
	/* The guess is now CPU 0's kmalloc-64 array, on node 0. */
	a = kmalloc(64);
	assert_int_equal(slabfx_node_of(a), 0);
	far64 = slabfx_node_info(c64, 1).pcpu;
	kfree(far);
	assert_int_equal(slabfx_node_info(c64, 0).pcpu, a64);
	assert_int_equal(slabfx_node_info(c64, 1).pcpu, far64 + 1);
	assert_int_equal(slabfx_info(c64).inuse, 1);
	/* Nor does node 0's CPU hand it out. */
	b = kmalloc(64);
	assert_ptr_not_equal(b, far);
	assert_int_equal(slabfx_node_of(b), 0);
	kfree(a);
	kfree(b);
	/* CPU 1's guess is its own: a free there of a node-1 object stays on node 1. */
	on(1);
	far = kmalloc(64);
	far64 = slabfx_node_info(c64, 1).pcpu;
	kfree(far);
	assert_int_equal(slabfx_node_info(c64, 1).pcpu, far64 + 1);
	on(0);
	slabfx_assert_check();
}

/* What the thread acting as node 1's CPU did and saw, for the main thread to check. */
static struct {
	struct slab_cache *c;
	void *p[40], *q[64];
	struct slab_node_info n0[40], n1[40];
	struct slab_node_info after_shrink;
} remote;

static void *node1_cpu(void *arg)
{
	unsigned int i;

	hosted_cpu_id = 1;
	for (i = 0; i < ARRAY_SIZE(remote.p); i++) {
		slab_free(remote.c, remote.p[i]);
		remote.n0[i] = slabfx_node_info(remote.c, 0);
		remote.n1[i] = slabfx_node_info(remote.c, 1);
	}
	for (i = 0; i < ARRAY_SIZE(remote.q); i++)
		remote.q[i] = slab_alloc(remote.c);
	/* A shrink on node 1's CPU sends the rest home too. */
	slab_shrink();
	remote.after_shrink = slabfx_node_info(remote.c, 0);
	for (i = 0; i < ARRAY_SIZE(remote.q); i++)
		slab_free(remote.c, remote.q[i]);
	slab_shrink();
	return NULL;
}

/*
 * Objects of node 0 freed by a thread on node 1's CPU wait in its remote
 * buffer (16), then go home as a batch into node 0's slabs; node 1's CPU
 * never hands them out.
 */
static void test_remote_frees_go_home(void **state)
{
	pthread_t t;
	u64 cached0;
	unsigned int i, j;

	build_two();
	remote.c = slab_cache_create("travel", 64, 0, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(remote.p); i++) {
		remote.p[i] = slab_alloc(remote.c);
		assert_int_equal(slabfx_node_of(remote.p[i]), 0);
	}
	cached0 = slabfx_node_info(remote.c, 0).pcpu;
	assert_int_equal(pthread_create(&t, NULL, node1_cpu, NULL), 0);
	pthread_join(t, NULL);
	for (i = 1; i <= ARRAY_SIZE(remote.p); i++) {
		assert_int_equal(remote.n0[i - 1].pcpu, cached0 + i % 16);
		assert_int_equal(remote.n0[i - 1].inuse, ARRAY_SIZE(remote.p) - i);
		assert_int_equal(remote.n1[i - 1].pcpu, 0);
	}
	for (i = 0; i < ARRAY_SIZE(remote.q); i++) {
		assert_int_equal(slabfx_node_of(remote.q[i]), 1);
		for (j = 0; j < ARRAY_SIZE(remote.p); j++)
			assert_ptr_not_equal(remote.q[i], remote.p[j]);
	}
	assert_int_equal(remote.after_shrink.pcpu, cached0);
	assert_int_equal(remote.after_shrink.inuse, 0);
	assert_int_equal(remote.after_shrink.out, cached0); /* the rest back in its slabs */
	slab_shrink();
	assert_int_equal(slabfx_info(remote.c).slabs, 0);
	slabfx_assert_check();
	assert_int_equal(slab_cache_destroy(remote.c), 0);
}

/* ---- shrinking, reclaim, destroy --------------------------------------------- */

static void test_shrink_gives_pages_back(void **state)
{
	static void *p[1500];
	struct slab_cache *c;
	u64 base, free0;
	unsigned int i;

	build_one();
	slab_shrink();
	base = slabfx_allocated();
	free0 = heap[0].free_pages + heap_cached(0);
	c = slab_cache_create("shrunk", 256, 0, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		on(i < 1000 ? 0 : 1);
		p[i] = slab_alloc(c);
		assert_non_null(p[i]);
	}
	assert_true(slabfx_allocated() >= base + ARRAY_SIZE(p) * 256 / PAGE_SIZE);
	assert_int_equal(heap[0].free_pages + heap_cached(0), free0 - (slabfx_allocated() - base));
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		on(i < 1000 ? 0 : 1);
		slab_free(c, p[i]);
	}
	slabfx_assert_pages_are_slabs();
	/* Empty slabs beyond the node's busy reserve went back at once. */
	assert_true(slabfx_node_info(c, 0).empty <= slabfx_info(c).reserve);
	assert_true(slabfx_info(c).pcpu > 0);
	on(0);
	assert_true(slab_shrink() > 0);
	assert_int_equal(slabfx_info(c).pcpu, slabfx_node_info(c, 0).pcpu);
	assert_true(slabfx_info(c).pcpu > 0); /* CPU 1's, until it drains */
	on(1);
	slab_idle(1);
	assert_int_equal(slabfx_info(c).pcpu, 0);
	slab_idle(1); /* nothing asked: nothing done */
	on(0);
	assert_true(slab_shrink() > 0);
	assert_int_equal(slabfx_info(c).slabs, 0);
	assert_int_equal(slab_cache_destroy(c), 0);
	slab_shrink();
	assert_int_equal(slabfx_allocated(), base);
	assert_int_equal(heap[0].free_pages + heap_cached(0), free0); /* every page back */
	slabfx_assert_pages_are_slabs();
	heapfx_assert_counts();
	slabfx_assert_check();
}

/* The page allocator calls slab_shrink() when it runs dry. */
/*
 * Bursts larger than a per-CPU array (64 here) neither create nor destroy
 * slabs every time: the array grows to hold the burst, and the node keeps
 * a busy reserve of empty slabs of at least SLAB_RESERVE_ARRAYS (4)
 * arrays' worth of objects in the fewest slabs, within SLAB_RESERVE_BYTES
 * (64 KiB). After a first burst of 256, ten more take no page from the
 * page allocator and give none back; an idle CPU then empties its array
 * and trims the reserve to one slab.
 */
static void test_bursts_reuse_slabs(void **state)
{
	static void *p[256];
	struct slab_cache *c;
	struct slab_info info;
	unsigned int i, round;
	u64 pages;

	build_one();
	c = slab_cache_create("bursty", 64, 0, NULL, 0);
	info = slabfx_info(c);
	assert_int_equal(info.limit, 64);
	assert_true((u64)info.reserve * info.objs_per_slab >= 4 * 64);
	assert_true((u64)(info.reserve - 1) * info.objs_per_slab < 4 * 64);
	assert_true((u64)info.reserve * (PAGE_SIZE << info.order) <= 64 * 1024);
	for (round = 0; round <= 10; round++) {
		for (i = 0; i < ARRAY_SIZE(p); i++)
			assert_non_null(p[i] = slab_alloc(c));
		for (i = 0; i < ARRAY_SIZE(p); i++)
			slab_free(c, p[i]);
		if (round == 0)
			pages = slabfx_allocated();
		else if (slabfx_allocated() != pages)
			fail_msg(
			    "burst %u: %llu pages from the page allocator, %llu after the first",
			    round, slabfx_allocated(), pages);
	}
	/* The array grew to hold the whole burst (past its 64). */
	assert_true(slabfx_info(c).pcpu > 64);
	slabfx_assert_check();
	slab_idle(SLAB_IDLE_DRAIN_TICKS);
	assert_int_equal(slabfx_info(c).pcpu, 0);
	assert_true(slabfx_node_info(c, 0).empty <= 1);
	slabfx_assert_check();
	assert_int_equal(slab_cache_destroy(c), 0);
}

/*
 * A CPU idle for a second gives its cached objects back, so its slabs can
 * empty and go home to the page allocator; a shorter idle keeps them.
 */
static void test_idle_cpu_gives_objects_back(void **state)
{
	static void *p[200];
	struct slab_cache *c;
	u64 base;
	unsigned int i;

	build_one();
	base = slabfx_allocated();
	c = slab_cache_create("idler", 128, 0, NULL, 0);
	assert_non_null(c);
	on(1);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = slab_alloc(c);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		slab_free(c, p[i]);
	assert_true(slabfx_info(c).pcpu > 0);
	slab_idle(SLAB_IDLE_DRAIN_TICKS - 1);
	assert_true(slabfx_info(c).pcpu > 0);
	on(0);
	slab_idle(SLAB_IDLE_DRAIN_TICKS); /* another CPU's idling: not CPU 1's cache */
	assert_true(slabfx_info(c).pcpu > 0);
	on(1);
	slab_idle(SLAB_IDLE_DRAIN_TICKS);
	assert_int_equal(slabfx_info(c).pcpu, 0);
	assert_int_equal(slabfx_info(c).inuse, 0);
	/* Only the one empty slab an idle node keeps is left (SLAB_NODE_RESERVE). */
	assert_true(slabfx_info(c).slabs <= 1);
	slabfx_assert_check();
	on(0);
	assert_int_equal(slab_cache_destroy(c), 0);
	slab_shrink();
	assert_int_equal(slabfx_allocated(), base);
}

static void test_reclaim_hook(void **state)
{
	struct heapfx_held held = {0};
	struct slab_cache *c;
	void *p[100];
	unsigned int i;

	slabfx_build_nodes(1, MiB(4), 1, NULL);
	c = slab_cache_create("reclaimed", 1024, 0, NULL, 0);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = slab_alloc(c);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		slab_free(c, p[i]);
	assert_true(slabfx_info(c).slabs > 0);
	heapfx_exhaust(0, &held);
	assert_int_equal(slabfx_info(c).slabs, 0); /* all given to the exhaustion */
	assert_int_equal(slabfx_info(c).pcpu, 0);
	assert_null(slab_alloc(c));
	assert_null(kmalloc(64));
	assert_null(kmalloc(20000));
	assert_null(kmalloc_node(64, 0));
	slabfx_assert_check();
	heapfx_release(&held, false);
	p[0] = slab_alloc(c);
	assert_non_null(p[0]);
	slab_free(c, p[0]);
	assert_console_empty();
	slabfx_assert_check();
}

static void test_destroy_refuses_while_in_use(void **state)
{
	struct slab_cache *c;
	void *p[3], *q;
	u64 base;
	unsigned int i;

	build_one();
	slab_shrink();
	base = slabfx_allocated();
	c = slab_cache_create("busy", 80, 0, NULL, 0);
	for (i = 0; i < 3; i++)
		p[i] = slab_alloc(c);
	on(1);
	q = slab_alloc(c);
	slab_free(c, q); /* CPU 1's array keeps it */
	on(0);
	assert_int_equal(slab_cache_destroy(c), -EBUSY);
	slabfx_expect_once("slab busy: destroy with 3 objects in use\n");
	assert_ptr_equal(slab_cache_find("busy"), c);
	q = slab_alloc(c); /* still works */
	assert_non_null(q);
	slab_free(c, q);
	for (i = 0; i < 3; i++)
		slab_free(c, p[i]);
	assert_int_equal(slab_cache_destroy(c), 0);
	assert_null(slab_cache_find("busy"));
	slab_shrink();
	assert_int_equal(slabfx_allocated(), base);
	assert_console_empty();
	slabfx_assert_check();
}

/* ---- constructors and the dump ----------------------------------------------- */

static unsigned int ctor_calls;

static void ctor(void *obj)
{
	ctor_calls++;
	memcpy(obj, "built", 6);
}

static void test_constructor(void **state)
{
	struct slab_cache *c;
	char *p, *q;

	build_one();
	ctor_calls = 0;
	c = slab_cache_create("built", 40, 0, ctor, 0);
	p = slab_alloc(c);
	assert_string_equal(p, "built");
	/* Debug: each hand-out. Otherwise: every object of the new slab at once. */
	assert_int_equal(ctor_calls, IS_ENABLED(CONFIG_SLAB_DEBUG) ? 1 : slabfx_info(c).total);
	slab_free(c, p);
	q = slab_alloc(c);
	assert_ptr_equal(q, p);
	assert_string_equal(q, "built");
	assert_int_equal(ctor_calls, IS_ENABLED(CONFIG_SLAB_DEBUG) ? 2 : slabfx_info(c).total);
	slab_free(c, q);
	slabfx_assert_check();
}

static void test_dump_format(void **state)
{
	struct slabfx_dump_cache d;
	struct slab_node_info ni;
	struct slab_info info;
	struct slab_cache *c;
	u64 lp = 99, la = 99, out = 0;
	void *p[14], *big;
	unsigned int i, n;
	const char *text;

	slabfx_build_nodes(3, MiB(8), 1, NULL);
	c = slab_cache_create("dumped", 200, 0, NULL, 0);
	for (i = 0; i < 14; i++) {
		on(i < 5 ? 0 : 1);
		p[i] = i < 12 ? slab_alloc(c) : slab_alloc_node(c, 1);
	}
	on(0);
	big = kmalloc(3 * PAGE_SIZE);
	console_clear();
	keyhandler_dispatch('s');
	assert_true(slabfx_parse_dump("dumped", &d, &lp, &la));
	info = slabfx_info(c);
	assert_int_equal(d.size, 200);
	assert_int_equal(d.inuse, 14);
	assert_int_equal(d.total, info.total);
	assert_int_equal(d.slabs, info.slabs);
	assert_int_equal(d.pcpu, info.pcpu);
	assert_true(d.pcpu > 0);
	for (n = 0; n < 3; n++) {
		ni = slabfx_node_info(c, n);
		assert_int_equal(d.node_seen[n], n < 2);
		assert_int_equal(d.node_slabs[n], ni.slabs);
		assert_int_equal(d.node_partial[n], ni.partial);
		assert_int_equal(d.node_out[n], ni.out);
		assert_int_equal(ni.out, ni.inuse + ni.pcpu);
		assert_int_equal(ni.inuse, n == 0 ? 5 : n == 1 ? 9 : 0);
		out += d.node_out[n];
	}
	assert_int_equal(out, d.inuse + d.pcpu); /* the node lines add up */
	assert_int_equal(lp, 4);
	assert_int_equal(la, 1);
	/* Creation order, the large line last. */
	text = console_text();
	assert_true(strstr(text, "slab slab-cache:") < strstr(text, "slab slab-cpu:"));
	assert_true(strstr(text, "slab slab-cpu:") < strstr(text, "slab kmalloc-8:"));
	assert_true(strstr(text, "slab kmalloc-8192:") < strstr(text, "slab dumped:"));
	assert_true(strstr(text, "slab dumped:") < strstr(text, "slab kmalloc-large:"));
	assert_true(slabfx_parse_dump("kmalloc-64", &d, NULL, NULL));
	assert_int_equal(d.size, 64);
	assert_false(slabfx_parse_dump("nonesuch", &d, NULL, NULL));
	for (i = 0; i < 14; i++) {
		on(i % 2);
		slab_free(c, p[i]);
	}
	on(0);
	kfree(big);
	console_clear();
	slab_dump();
	assert_true(slabfx_parse_dump("dumped", &d, &lp, &la));
	assert_int_equal(d.inuse, 0);
	assert_int_equal(la, 0);
	slabfx_assert_check();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, slabfx_setup, slabfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_create_rejects_bad_arguments),
	    T(test_object_index_is_exact_division),
	    T(test_layouts),
	    T(test_every_size_class),
	    T(test_kmalloc_limits),
	    T(test_large_kmalloc),
	    T(test_kzalloc_and_ksize),
	    T(test_node_placement),
	    T(test_full_node_falls_back),
	    T(test_memoryless_cpu_is_home_on_nearest),
	    T(test_cpu_array_counts),
	    T(test_kfree_guess_never_misplaces),
	    T(test_remote_frees_go_home),
	    T(test_shrink_gives_pages_back),
	    T(test_bursts_reuse_slabs),
	    T(test_idle_cpu_gives_objects_back),
	    T(test_reclaim_hook),
	    T(test_destroy_refuses_while_in_use),
	    T(test_constructor),
	    T(test_dump_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
