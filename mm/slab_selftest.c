/*
 * The slab allocator's boot self-test (CONFIG_SELFTEST). Every CPU runs
 * the concurrent part at the same time: every kmalloc size class from its
 * home node, kmalloc_node on every node, and a burst of objects of a
 * shared cache that the next CPU (often on another node) frees, so that
 * objects travel home in batches. The boot CPU then drains every CPU,
 * checks that nothing was lost or left on a wrong node, provokes each
 * misuse SLAB_DEBUG must report, and shrinks a cache back to the page
 * allocator. Prints "selftest slab: N passed, N failed".
 */
#include <hv/arch.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/slab.h>
#include <hv/smp.h>

#define BURST 96  /* objects each CPU hands to the next */
#define MANY 2048 /* objects of the shrink test */

static unsigned int passed, failed;
static struct slab_cache *shared_cache;
static u64 *(*burst)[BURST]; /* per CPU, from kzalloc */

static void check(bool ok, const char *what)
{
	if (ok) {
		__atomic_fetch_add(&passed, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&failed, 1, __ATOMIC_RELAXED);
	pr_err("selftest slab: CPU%u: %s\n", arch_cpu_id(), what);
}

static int node_of(const void *p)
{
	paddr_t pa = arch_virt_to_maddr(p);

	return pa == INVALID_PADDR ? -1 : (int)topo_paddr_to_node(topo, pa);
}

static const size_t sizes[] = {
    1,	 8,   13,   16,	  32,	64,   96,   100,  128,	 192,	256,
    500, 512, 1024, 2048, 4000, 4096, 8192, 8193, 20000, 65536,
};

/* Every class from the home node, filled to its last byte and read back. */
static void size_classes(nodeid_t home)
{
	void *p[ARRAY_SIZE(sizes)];
	bool ok = true, local = true, fits = true;
	unsigned int i;
	size_t j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		if (!p[i]) {
			ok = false;
			continue;
		}
		local &= node_of(p[i]) == home;
		fits &= ksize(p[i]) >= sizes[i];
		memset(p[i], (int)(i + 1), sizes[i]);
	}
	check(ok, "kmalloc of every size class");
	check(local, "kmalloc memory comes from the CPU's home node");
	check(fits, "ksize covers the size asked for");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const u8 *b = p[i];

		for (j = 0; b && j < sizes[i]; j++)
			ok &= b[j] == (u8)(i + 1);
	}
	check(ok, "kmalloc blocks do not overlap");
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i]);
	p[0] = kzalloc(200);
	ok = p[0] != NULL;
	for (j = 0; p[0] && j < ksize(p[0]); j++)
		ok &= ((u8 *)p[0])[j] == 0;
	check(ok, "kzalloc returns zeroed memory");
	kfree(p[0]);
}

/* kmalloc_node(n) lies on n when n has memory, else on n's nearest node. */
static void every_node(void)
{
	unsigned int n;

	for (n = 0; n < topo->nr_nodes; n++) {
		void *small = kmalloc_node(64, n), *big = kmalloc_node(3 * PAGE_SIZE, n);

		check(small && node_of(small) == node_memory_home(n),
		      "kmalloc_node places small objects");
		check(big && node_of(big) == node_memory_home(n),
		      "kmalloc_node places whole pages");
		kfree(small);
		kfree(big);
	}
	check(!kmalloc_node(64, topo->nr_nodes),
	      "kmalloc_node on a node that does not exist fails");
}

static void concurrent_alloc(void)
{
	unsigned int cpu = arch_cpu_id(), i;
	nodeid_t home = node_memory_home(cpu_to_node(cpu));
	bool ok = true;

	size_classes(home);
	every_node();
	for (i = 0; i < BURST; i++) {
		burst[cpu][i] = slab_alloc(shared_cache);
		if (!burst[cpu][i]) {
			ok = false;
			continue;
		}
		ok &= node_of(burst[cpu][i]) == home;
		burst[cpu][i][0] = ((u64)cpu << 32) | i;
	}
	check(ok, "a burst of objects from the home node");
}

/* The next online CPU's objects: frees on this CPU, often of another node. */
static void concurrent_free(void)
{
	unsigned int cpu = arch_cpu_id(), from = cpu, i;
	bool ok = true;

	do
		from = (from + 1) % topo->nr_cpus;
	while (!cpumask_test(&cpu_online_mask, from));
	for (i = 0; i < BURST; i++) {
		if (!burst[from][i])
			continue;
		ok &= burst[from][i][0] == (((u64)from << 32) | i);
		slab_free(shared_cache, burst[from][i]);
		burst[from][i] = NULL;
	}
	check(ok, "no object was handed to two CPUs");
}

static void drain_me(void)
{
	slab_shrink();
}

/* After every CPU drained: nothing in use or cached, on any node. */
static void all_home(void)
{
	struct slab_info info;
	unsigned int n;
	bool ok = true;

	slab_cache_info(shared_cache, &info);
	check(info.inuse == 0 && info.pcpu == 0, "every object came back, none cached");
	for (n = 0; n < topo->nr_nodes; n++) {
		struct slab_node_info ni;

		slab_node_info(shared_cache, n, &ni);
		ok &= ni.inuse == 0 && ni.pcpu == 0;
		ok &= topo->node[n].present || ni.slabs == 0;
	}
	check(ok, "objects went home to their nodes; no slab on a memoryless node");
}

/* Each misuse is reported exactly once and refused. */
static void misuse(void)
{
	static u64 not_heap[4];
	struct slab_cache *a = slab_cache_create("selftest-a", 48, 0, NULL, 0);
	struct slab_cache *b = slab_cache_create("selftest-b", 48, 0, NULL, 0);
	unsigned long before;
	u8 *p, *q;

	check(a && b, "create two test caches");
	if (!a || !b)
		return;
	printk(LOG_EMERG, "selftest slab: bad frees on purpose, each must be reported:\n");
	p = slab_alloc(a);
	before = slab_reports();
	slab_free(b, p);
	check(slab_reports() == before + 1, "an object freed to the wrong cache is reported");
	before = slab_reports();
	slab_free(a, p + 8);
	check(slab_reports() == before + 1, "an interior pointer is reported");
	before = slab_reports();
	/*
	 * A free of memory that is not the heap's, on purpose: clang's static
	 * analyzer (make analyze) rightly calls it a bad free, so it does not
	 * see this one call.
	 */
#ifndef __clang_analyzer__
	kfree(not_heap);
#endif
	check(slab_reports() == before + 1, "kfree of memory that is not the heap's is reported");
	/* The right free, after the wrong ones on purpose. */
	slab_free(a, p);
	if (IS_ENABLED(CONFIG_SLAB_DEBUG)) {
		before = slab_reports();
		slab_free(a, p); /* freed twice, on purpose */
		check(slab_reports() == before + 1, "a double free is reported");

		q = slab_alloc(a);
		check(q != NULL, "an object to write past");
		if (q) {
			before = slab_reports();
			q[48] = 0x11; /* one byte past the end */
			slab_free(a, q);
			check(slab_reports() == before + 1, "a write past the end is reported");
		}

		q = slab_alloc(a); /* the red zone was repaired when it was reported */
		check(q != NULL, "the cache still works after the reports");
		slab_free(a, q);
		before = slab_reports();
		/* A write after free, on purpose. */
		q[5] = 0x22;
		p = slab_alloc(a); /* the same object: last in, first out */
		check(slab_reports() == before + 1, "a write to a freed object is reported");
		slab_free(a, p);
	}
	check(slab_cache_destroy(a) == 0 && slab_cache_destroy(b) == 0, "destroy the test caches");
}

/* Many objects allocated and freed: shrinking gives their pages back. */
static void shrink(nodeid_t home)
{
	struct slab_cache *c = slab_cache_create("selftest-shrink", 256, 0, NULL, 0);
	void **obj = kmalloc(MANY * sizeof(*obj));
	struct slab_info info;
	u64 pages0, pages1, pages2;
	unsigned int i;
	bool ok = true;

	check(c && obj, "create the shrink cache");
	if (!c || !obj)
		goto out;
	/* This CPU's array for the cache (a slab-cpu object) exists before the baseline. */
	slab_free(c, slab_alloc(c));
	slab_shrink();
	pages0 = slab_node_pages(home);
	for (i = 0; i < MANY; i++) {
		obj[i] = slab_alloc(c);
		ok &= obj[i] && node_of(obj[i]) == home;
	}
	pages1 = slab_node_pages(home);
	check(ok, "many objects from the home node");
	check(pages1 >= pages0 + MANY * 256 / PAGE_SIZE, "the home node holds their slabs");
	check(slab_cache_destroy(c) == -EBUSY, "a cache with objects in use is not destroyed");
	for (i = 0; i < MANY; i++)
		slab_free(c, obj[i]);
	slab_cache_info(c, &info);
	check(info.inuse == 0 && info.slabs > 0, "freed objects stay in slabs until a shrink");
	check(slab_shrink() > 0, "a shrink gives pages back");
	slab_cache_info(c, &info);
	check(info.slabs == 0 && info.pcpu == 0, "a shrink empties an unused cache");
	pages2 = slab_node_pages(home);
	check(pages2 <= pages0, "the page allocator has every slab page back");
	check(slab_cache_destroy(c) == 0, "destroy an empty cache");
out:
	kfree(obj);
}

/*
 * Memory pressure: objects cached on this CPU keep slabs alive; when its
 * node runs out of pages, the page allocator's reclaim hook (the slab
 * shrinker) must give them back before an exact allocation fails.
 */
static void pressure(nodeid_t home)
{
	struct slab_cache *c = slab_cache_create("selftest-pressure", 512, 0, NULL, 0);
	struct page *chain = NULL, *pg;
	struct slab_info before, after;
	unsigned int o = MAX_ORDER, i;
	void *obj[64];

	check(c != NULL, "create the pressure cache");
	if (!c)
		return;
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		obj[i] = slab_alloc(c);
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		slab_free(c, obj[i]);
	slab_cache_info(c, &before);
	while ((pg = alloc_pages(o, MEMF_EXACT | MEMF_NODE(home) | MEMF_NO_SCRUB | MEMF_NO_PCP)) ||
	       o-- > 0) {
		if (!pg)
			continue;
		pg->private = o;
		pg->next = chain;
		chain = pg;
	}
	slab_cache_info(c, &after);
	printk(LOG_EMERG,
	       "selftest slab: node %u exhausted: selftest-pressure went from %llu "
	       "slabs (%llu objects cached) to %llu (%llu)\n",
	       home, before.slabs, before.pcpu, after.slabs, after.pcpu);
	check(before.pcpu > 0 && before.slabs > 0, "freed objects wait in the CPU's cache");
	check(after.pcpu == 0 && after.slabs == 0, "a node out of pages shrinks the slab caches");
	while (chain) {
		pg = chain;
		chain = pg->next;
		o = (unsigned int)pg->private;
		pg->next = NULL;
		free_pages(pg, o, true);
	}
	check(slab_cache_destroy(c) == 0, "destroy the pressure cache");
}

void slab_selftest(void)
{
	nodeid_t home = node_memory_home(cpu_to_node(arch_cpu_id()));

	shared_cache = slab_cache_create("selftest-burst", 72, 0, NULL, 0);
	burst = kzalloc(topo->nr_cpus * sizeof(*burst));
	check(shared_cache && burst, "create the shared cache");
	if (shared_cache && burst) {
		smp_run_on_all(concurrent_alloc);
		smp_run_on_all(concurrent_free);
		smp_run_on_all(drain_me);
		all_home();
		check(slab_cache_destroy(shared_cache) == 0, "destroy the shared cache");
	}
	kfree(burst);
	misuse();
	shrink(home);
	if (topo->node[home].present)
		pressure(home);
	check(slab_check() == 0, "slab invariants after the self-test");
	printk(LOG_EMERG, "selftest slab: %u passed, %u failed\n", passed, failed);
}
