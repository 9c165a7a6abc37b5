/*
 * Property tests of the slab allocator under concurrency: worker threads
 * (2 to 4; PROXIMA_SLAB_THREADS to choose), each acting as a CPU of
 * another node of a 4-node fixture, run a random mix of kmalloc, kzalloc
 * and kmalloc_node of every class and some large blocks, allocations
 * from three caches of their own (one with a constructor, one aligned to
 * 64, one without per-CPU arrays) locally or on a chosen node, and frees;
 * objects pass between workers through a locked pool, so many frees
 * happen on another node's CPU; now and then a shrink or an idle drain.
 * Every object carries a tag and a fill pattern written over all its
 * usable bytes and checked when it is freed, which catches an object
 * handed out twice or written by anyone else; placement is checked on
 * every allocation. Between phases (a barrier) the main thread runs
 * slab_check(), compares each cache's in-use count with what the workers
 * hold, checks that no two held objects overlap and that every page the
 * page allocator has handed out is the slab allocator's. At the end
 * everything is freed, every CPU shrinks, and only the internal caches'
 * slabs may remain.
 *
 * A single-threaded variant interleaves the workers on one thread and
 * runs the checks after every step. PROXIMA_SLAB_SEEDS and
 * PROXIMA_SLAB_OPS (operations per seed) size the threaded runs. A
 * worker cannot fail a cmocka test: it prints what went wrong and aborts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/slab.h>

#include "fake_arch.h"
#include "support_slab.h"
#include "support_stress.h"

#define MAX_WORKERS 4
#define NODES 4
#define HOLD_MAX 128 /* objects a worker holds at most */
#define POOL_MAX 128 /* objects waiting in the exchange pool */
#define PHASES 8
#define SEEDS 8
#define OPS_PER_SEED 500000ULL
#define STEPPED_SEEDS 3
#define STEPPED_OPS 4000ULL
#define CTOR_MAGIC 0xc0c0a5a5f00dcafeULL

static const size_t classes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
#define NR_CLASSES ARRAY_SIZE(classes)

/* The workers' own caches. */
enum { CACHE_CTOR, CACHE_ALIGNED, CACHE_LOCKED, NR_CACHES };
static const struct {
	const char *name;
	size_t size, align;
	unsigned int flags;
} cache_spec[NR_CACHES] = {
    [CACHE_CTOR] = {"stress-ctor", 40, 0, 0},
    [CACHE_ALIGNED] = {"stress-aligned", 200, 64, 0},
    [CACHE_LOCKED] = {"stress-locked", 1000, 0, SLAB_NO_CPU_CACHE},
};
static struct slab_cache *caches[NR_CACHES];

enum kind { KIND_KMALLOC, KIND_LARGE, KIND_CACHE };

struct obj {
	u8 *p;
	u64 tag;
	u32 len;	/* bytes written and checked */
	u8 kind, cache; /* cache: for KIND_CACHE */
};

struct worker {
	struct stress_worker sw;
	u64 tags;
	unsigned int nr;
	struct obj held[HOLD_MAX];
	u64 allocs, frees, remote_frees, shrinks;
};

static struct worker workers[MAX_WORKERS];
static struct obj pooled[POOL_MAX];
static struct stress_pool pool = STRESS_POOL(pooled);
static struct stress_test stress; /* the harness's view of this test, below */

/* stress_die() for one of this test's workers, or for the main thread (w NULL). */
#define die(w, ...) stress_die(sw_of(w), __VA_ARGS__)

static const struct stress_worker *sw_of(const struct worker *w)
{
	return w ? &w->sw : NULL;
}

static u64 rnd(struct worker *w)
{
	return stress_rnd(&w->sw);
}

static void ctor(void *obj)
{
	u64 magic = CTOR_MAGIC;

	memcpy(obj, &magic, sizeof(magic));
}

/* ---- the fixture ------------------------------------------------------------- */

/* Four nodes of 16 MiB on a ring (neighbours 20, across 30), two CPUs each. */
static const u8 ring4[16] = {
    10, 20, 30, 20, 20, 10, 20, 30, 30, 20, 10, 20, 20, 30, 20, 10,
};

static void build_stress(void)
{
	unsigned int i;

	slabfx_build_nodes(NODES, MiB(16), 2, ring4);
	for (i = 0; i < NR_CACHES; i++) {
		caches[i] =
		    slab_cache_create(cache_spec[i].name, cache_spec[i].size, cache_spec[i].align,
				      i == CACHE_CTOR ? ctor : NULL, cache_spec[i].flags);
		assert_non_null(caches[i]);
	}
}

/* ---- objects ----------------------------------------------------------------- */

/* Where the pattern starts: the constructed word of the ctor cache stays. */
static unsigned int pattern_off(const struct obj *o)
{
	return o->kind == KIND_CACHE && o->cache == CACHE_CTOR ? 8 : 0;
}

static void fill(struct obj *o)
{
	unsigned int off = pattern_off(o);

	memcpy(o->p + off, &o->tag, sizeof(o->tag));
	memset(o->p + off + 8, (u8)o->tag, o->len - off - 8);
}

static void verify(const struct worker *w, const struct obj *o)
{
	unsigned int off = pattern_off(o);
	u64 tag;
	u32 i;

	memcpy(&tag, o->p + off, sizeof(tag));
	if (tag != o->tag)
		die(w, "object %p (%u bytes): tag 0x%llx became 0x%llx: handed out twice?",
		    (void *)o->p, o->len, o->tag, tag);
	for (i = off + 8; i < o->len; i++)
		if (o->p[i] != (u8)o->tag)
			die(w, "object %p (%u bytes): byte %u is 0x%02x, not 0x%02x", (void *)o->p,
			    o->len, i, o->p[i], (u8)o->tag);
	if (off) {
		memcpy(&tag, o->p, sizeof(tag));
		if (tag != CTOR_MAGIC)
			die(w, "object %p lost its constructed state", (void *)o->p);
	}
}

/* A size whose class is chosen evenly, the size evenly within the class. */
static size_t pick_size(struct worker *w)
{
	unsigned int c = (unsigned int)(rnd(w) % NR_CLASSES);
	size_t lo = c ? classes[c - 1] + 1 : 1;

	return lo + rnd(w) % (classes[c] - lo + 1);
}

static void check_zeroed(const struct worker *w, const struct obj *o)
{
	u32 i;

	for (i = 0; i < o->len; i++)
		if (o->p[i])
			die(w, "kzalloc gave %p: byte %u is 0x%02x", (void *)o->p, i, o->p[i]);
}

static void do_alloc(struct worker *w)
{
	u64 r = rnd(w);
	unsigned int sel = (unsigned int)(r % 100), want = cpu_to_node(w->sw.cpu);
	nodeid_t node = (nodeid_t)((r >> 8) % NODES);
	struct obj *o = &w->held[w->nr];
	bool zeroed = false, on_node = (r >> 16) & 1;
	size_t size = 0;

	memset(o, 0, sizeof(*o));
	if (sel < 30) {
		size = pick_size(w);
		o->p = on_node ? kmalloc_node(size, node) : kmalloc(size);
	} else if (sel < 40) {
		size = pick_size(w);
		o->p = kzalloc(size);
		zeroed = true;
		on_node = false;
	} else if (sel < 98) {
		o->kind = KIND_CACHE;
		o->cache = (u8)(sel % NR_CACHES);
		size = cache_spec[o->cache].size;
		o->p = on_node ? slab_alloc_node(caches[o->cache], node)
			       : slab_alloc(caches[o->cache]);
	} else {
		o->kind = KIND_LARGE;
		size = SLAB_MAX_OBJ_SIZE + 1 + rnd(w) % (56 * 1024);
		o->p = on_node ? kmalloc_node(size, node) : kmalloc(size);
	}
	if (!o->p)
		die(w, "allocation of %zu bytes (kind %u) failed", size, o->kind);
	if (on_node)
		want = node;
	if (slabfx_node_of(o->p) != want)
		die(w, "%zu bytes (kind %u) from node %u, not node %u", size, o->kind,
		    slabfx_node_of(o->p), want);
	o->len = (u32)(o->kind == KIND_CACHE ? size : ksize(o->p));
	if (o->len < size || (o->kind == KIND_CACHE && cache_spec[o->cache].align &&
			      (uintptr_t)o->p % cache_spec[o->cache].align))
		die(w, "object %p: %u usable bytes for %zu, or misaligned", (void *)o->p, o->len,
		    size);
	if (zeroed)
		check_zeroed(w, o);
	if (o->kind == KIND_CACHE && o->cache == CACHE_CTOR && *(u64 *)o->p != CTOR_MAGIC)
		die(w, "object %p of the ctor cache is not constructed", (void *)o->p);
	o->tag = (u64)w->sw.id << 56 | ++w->tags << 16 | ((uintptr_t)o->p & 0xffff);
	fill(o);
	w->nr++;
	w->allocs++;
}

static void release(struct worker *w, struct obj *o)
{
	verify(w, o);
	if (slabfx_node_of(o->p) != cpu_to_node(w->sw.cpu))
		w->remote_frees++;
	if (o->kind == KIND_CACHE)
		slab_free(caches[o->cache], o->p);
	else
		kfree(o->p);
	w->frees++;
}

static void do_free(struct worker *w)
{
	unsigned int j = (unsigned int)(rnd(w) % w->nr);
	struct obj o = w->held[j];

	w->held[j] = w->held[--w->nr];
	release(w, &o);
}

static void step(struct stress_worker *sw)
{
	struct worker *w = container_of(sw, struct worker, sw);
	u64 r = rnd(w) % 1000;

	hosted_cpu_id = sw->cpu;
	if (r < 1) {
		slab_shrink();
		w->shrinks++;
	} else if (r < 10) {
		slab_idle(r < 3 ? SLAB_IDLE_DRAIN_TICKS : 1);
	} else if (r < 80) {
		stress_exchange(sw, &pool, r < 45, w->held, &w->nr, HOLD_MAX);
	} else if (!w->nr || (w->nr < HOLD_MAX && r < 560)) {
		do_alloc(w);
	} else {
		do_free(w);
	}
}

/* ---- checks at quiet points -------------------------------------------------- */

struct span {
	uintptr_t start, end;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Count what is held per kmalloc class, cache and large blocks; collect the spans. */
static void count_held(const struct obj *v, unsigned int nr, u64 *per_class, u64 *per_cache,
		       u64 *large, struct span *spans, unsigned int *nr_spans)
{
	unsigned int i, c;

	for (i = 0; i < nr; i++) {
		const struct obj *o = &v[i];

		if (o->kind == KIND_LARGE) {
			(*large)++;
		} else if (o->kind == KIND_CACHE) {
			per_cache[o->cache]++;
		} else {
			for (c = 0; classes[c] != o->len; c++)
				;
			per_class[c]++;
		}
		spans[*nr_spans].start = (uintptr_t)o->p;
		spans[(*nr_spans)++].end = (uintptr_t)o->p + o->len;
	}
}

static void check_counts(const char *when, const u64 *per_class, const u64 *per_cache, u64 large)
{
	u64 pages, allocs;
	unsigned int c;
	char name[32];

	for (c = 0; c < NR_CLASSES; c++) {
		snprintf(name, sizeof(name), "kmalloc-%zu", classes[c]);
		if (slabfx_info(slab_cache_find(name)).inuse != per_class[c])
			die(NULL, "%s: %s: %llu in use, the workers hold %llu", when, name,
			    slabfx_info(slab_cache_find(name)).inuse, per_class[c]);
	}
	for (c = 0; c < NR_CACHES; c++)
		if (caches[c] && slabfx_info(caches[c]).inuse != per_cache[c])
			die(NULL, "%s: %s: %llu in use, the workers hold %llu", when,
			    cache_spec[c].name, slabfx_info(caches[c]).inuse, per_cache[c]);
	slab_large_info(&pages, &allocs);
	if (allocs != large)
		die(NULL, "%s: %llu large blocks, the workers hold %llu", when, allocs, large);
}

/* Everything that must hold with no operation in flight. */
static void check_quiet(const char *when)
{
	static struct span spans[MAX_WORKERS * HOLD_MAX + POOL_MAX];
	u64 per_class[NR_CLASSES] = {0}, per_cache[NR_CACHES] = {0}, large = 0;
	unsigned int i, n, nr_spans = 0, bad = slab_check();

	if (bad)
		die(NULL, "%s: slab_check found %u problems", when, bad);
	if (console_len())
		die(NULL, "%s: unexpected console output", when);
	for (i = 0; i < stress.nr_workers; i++)
		count_held(workers[i].held, workers[i].nr, per_class, per_cache, &large, spans,
			   &nr_spans);
	count_held(pooled, pool.nr, per_class, per_cache, &large, spans, &nr_spans);
	check_counts(when, per_class, per_cache, large);
	qsort(spans, nr_spans, sizeof(spans[0]), cmp_span);
	for (i = 1; i < nr_spans; i++)
		if (spans[i].start < spans[i - 1].end)
			die(NULL, "%s: objects at 0x%lx and 0x%lx overlap", when,
			    (unsigned long)spans[i - 1].start, (unsigned long)spans[i].start);
	for (n = 0; n < topo->nr_nodes; n++)
		if (heap_allocated((nodeid_t)n) != slab_node_pages((nodeid_t)n))
			die(NULL,
			    "%s: node %u: %llu pages allocated, %llu of them the slab "
			    "allocator's",
			    when, n, heap_allocated((nodeid_t)n), slab_node_pages((nodeid_t)n));
}

/*
 * Free what the workers and the pool hold, shrink on every CPU, destroy
 * the workers' caches: only the descriptors of the kmalloc caches and
 * their per-CPU arrays may still hold pages, in the internal caches.
 */
static void free_everything(void)
{
	struct slab_info meta, arrays;
	unsigned int i, n, c;
	u64 internal = 0, held = 0;

	for (i = 0; i < stress.nr_workers; i++) {
		struct worker *w = &workers[i];

		hosted_cpu_id = w->sw.cpu;
		while (w->nr)
			do_free(w);
	}
	hosted_cpu_id = workers[0].sw.cpu;
	while (pool.nr)
		release(&workers[0], &pooled[--pool.nr]);
	check_quiet("after freeing everything");
	for (i = 0; i < topo->nr_cpus; i++) {
		hosted_cpu_id = i;
		slab_shrink();
	}
	hosted_cpu_id = 0;
	for (c = 0; c < NR_CACHES; c++) {
		if (slab_cache_destroy(caches[c]))
			die(NULL, "cannot destroy %s", cache_spec[c].name);
		caches[c] = NULL;
	}
	slab_shrink();
	check_quiet("after shrinking");
	for (c = 0; c < NR_CLASSES; c++) {
		char name[32];
		struct slab_info info;

		snprintf(name, sizeof(name), "kmalloc-%zu", classes[c]);
		info = slabfx_info(slab_cache_find(name));
		if (info.slabs || info.pcpu)
			die(NULL, "%s keeps %llu slabs, %llu cached", name, info.slabs, info.pcpu);
	}
	meta = slabfx_info(slab_cache_find("slab-cache"));
	arrays = slabfx_info(slab_cache_find("slab-cpu"));
	if (meta.inuse != NR_CLASSES + 1)
		die(NULL, "%llu cache descriptors in use", meta.inuse);
	internal = (meta.slabs << meta.order) + (arrays.slabs << arrays.order);
	for (n = 0; n < topo->nr_nodes; n++) {
		held += heap_allocated((nodeid_t)n);
		if (slabfx_node_info(slab_cache_find("slab-cache"), n).empty ||
		    slabfx_node_info(slab_cache_find("slab-cpu"), n).empty)
			die(NULL, "node %u keeps an empty internal slab after shrinking", n);
	}
	if (held != internal)
		die(NULL, "%llu pages still allocated; the internal caches hold %llu", held,
		    internal);
	if (heap_check(false))
		die(NULL, "heap_check failed at the end");
	heapfx_assert_counts();
}

/* Workers on every node. */
static const unsigned int worker_node[NODES] = {0, 1, 2, 3};

static struct stress_test stress = {
    .name = "slab stress",
    .env = "PROXIMA_SLAB",
    .seeds = SEEDS,
    .ops = OPS_PER_SEED,
    .threads_per_cpu = 2,
    .phases = PHASES,
    .nodes = worker_node,
    .nr_nodes = NODES,
    STRESS_WORKERS(workers),
    .pool = &pool,
    .build = build_stress,
    .step = step,
    .check_quiet = check_quiet,
    .finish = free_everything,
};

/* ---- multi-threaded ---------------------------------------------------------- */

static u64 total, remote, shrinks; /* over the seeds of the threaded test */

static void tally(void)
{
	unsigned int i;

	for (i = 0; i < stress.nr_workers; i++) {
		total += workers[i].allocs + workers[i].frees;
		remote += workers[i].remote_frees;
		shrinks += workers[i].shrinks;
	}
}

static void test_threads_random_operations(void **state)
{
	u64 seeds;

	total = remote = shrinks = 0;
	seeds = stress_threaded(&stress, tally);
	print_message("%u threads, %llu seeds, %llu allocations and frees, %llu frees on another "
		      "node's CPU, %llu shrinks\n",
		      stress.nr_workers, seeds, total, remote, shrinks);
	assert_true(remote > total / 20);
}

/* ---- single-threaded, every step checked ------------------------------------- */

static void test_one_thread_checked_every_step(void **state)
{
	stress_stepped(&stress, STEPPED_SEEDS, STEPPED_OPS); /* four CPUs, on this thread */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, slabfx_setup, slabfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_one_thread_checked_every_step),
	    T(test_threads_random_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
