/*
 * "make bench", second part: Proxima's slab allocator (mm/slab*.c on
 * mm/page_alloc.c) against the classic one-lock object pool of
 * bench/baseline_slab.c (on bench/baseline_heap.c), on the fixture
 * machine of bench.h with bench_slab_fixture.c behind it, both measured
 * in the same run (bench_run.c takes the turns) and reported as ratios
 * proxima/baseline. Measures (a) kmalloc+kfree throughput with 1, 2, 4,
 * 8 threads (one per node first) and 2 on one node, for 64-byte objects
 * and a mix of classes 8..4096; (b) a ring of CPUs on different nodes,
 * each freeing what the one before allocated: throughput, and the share
 * of allocations that got the allocating CPU's own node's memory
 * (Proxima sends frees home, the baseline hands any object to anyone);
 * (c) locality while every CPU allocates and frees its own objects at
 * random; (d) bytes of pages held per byte of objects held, in that
 * steady state, after a transient peak, and after a peak freed at random.
 * With --json FILE, the throughput rows of (a) also go to FILE.
 *
 * Each run starts from fresh heaps; Proxima and the baseline take turns
 * run by run, and the median of the per-run ratios is shown. Threads
 * pretend to be CPUs by setting hosted_cpu_id, each pinned to a host CPU
 * of its own while there are enough (bench_run.h).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>
#include <hv/slab.h>

#include "baseline_slab.h"
#include "bench_report.h"
#include "bench_run.h"
#include "bench_slab.h"

#define BURST_MAX 64 /* (a): bursts of 1..BURST_MAX allocations */
#define SMALL_SIZE 64
#define RING_CAP 256		   /* objects in flight from one CPU to the next */
#define RING_BURST 32		   /* a ring CPU allocates 1..RING_BURST at a time */
#define WALK_CAP 4096		   /* (c): the most objects one CPU holds */
#define STEADY_OBJS (WALK_CAP / 2) /* (d): each CPU's holding in the steady state */
#define PEAK_OBJS 4096		   /* (d): objects each CPU adds at a peak */
#define KEEP_PERCENT 10		   /* (d): of the peak, kept when freeing at random */
#define HELD_MAX MAX(WALK_CAP, STEADY_OBJS + PEAK_OBJS)

enum workload { W_SMALL, W_MIXED, NR_WORKLOADS };

static const char *const workload_name[NR_WORKLOADS] = {"64 B", "mixed"};
/* The mix: a class of these, uniformly, then a size uniformly within it. */
static const unsigned int mix_class[] = {
    8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};
#define NR_MIX ARRAY_SIZE(mix_class)

/* (b): rings over 2 and 4 CPUs, neighbours always on different nodes. */
static const struct bench_placement ring_placements[] = {
    {2, false, "2"},
    {4, false, "4"},
};
#define NR_RINGS ARRAY_SIZE(ring_placements)

const char bench_name[] = "bench_slab";

static unsigned long problems; /* found by the allocators' own checks */

/* Objects one CPU hands to the next: single producer, single consumer. */
struct ring {
	void *slot[RING_CAP];
	_Alignas(64) u64 head; /* next slot to take; the consumer's */
	_Alignas(64) u64 tail; /* next slot to fill; the producer's */
};

static struct ring rings[BENCH_CPUS];

struct held {
	void *p;
	size_t size;
};

struct worker {
	struct bench_thread t;
	const struct slab_bench_alloc *a;
	enum workload w;
	u64 allocs, home;      /* (b, c) allocations, of those in the CPU's node's memory */
	struct ring *in, *out; /* (b) */
	struct held *h;	       /* (c, d) objects held, nr of them, bytes asked for */
	u64 nr, bytes;
};

static size_t pick_size(enum workload w, u64 *rng)
{
	u64 r;
	unsigned int c, below;

	if (w == W_SMALL)
		return SMALL_SIZE;
	r = bench_rng_next(rng);
	c = (unsigned int)(r % NR_MIX);
	below = c ? mix_class[c - 1] : 0;
	return below + 1 + (r >> 32) % (mix_class[c] - below);
}

/* Run fn on nr workers for bench_seconds; returns the operations counted per second. */
static double run_workers(struct worker *wk, unsigned int nr, void (*fn)(struct bench_thread *t))
{
	return bench_threads_run(&wk[0].t, sizeof(*wk), nr, fn);
}

static void init_workers(struct worker *wk, unsigned int nr, bool one_node,
			 const struct slab_bench_alloc *a, enum workload w)
{
	unsigned int i;

	memset(wk, 0, nr * sizeof(*wk));
	for (i = 0; i < nr; i++) {
		bench_thread_init(&wk[i].t, i, one_node);
		wk[i].a = a;
		wk[i].w = w;
	}
}

static double share(u64 part, u64 whole)
{
	return whole ? (double)part / whole : 0;
}

/* After each run, with every CPU quiet, the allocator checks itself. */
static void check_side(const void *side)
{
	const struct slab_bench_alloc *a = side;

	problems += a->problems();
}

static const struct bench_pair pair = {
    .proxima = &slab_bench_proxima,
    .baseline = &slab_bench_baseline,
    .after_run = check_side,
};

/* ---- (a) throughput ---------------------------------------------------------- */

static void throughput_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);
	const struct slab_bench_alloc *a = wk->a;
	void *obj[BURST_MAX];

	while (!bench_stopped()) {
		unsigned int n = 1 + bench_rng_next(&wk->t.rng) % BURST_MAX, i;

		for (i = 0; i < n; i++) {
			obj[i] = a->alloc(pick_size(wk->w, &wk->t.rng));
			if (!obj[i])
				bench_die("throughput: an allocation failed with most memory free");
		}
		for (i = 0; i < n; i++)
			a->free(obj[i]);
		wk->t.ops += n;
	}
}

/* kmalloc+kfree pairs per second. */
static void tp_measure(const void *side, void *arg, double *out)
{
	const struct slab_bench_alloc *a = side;
	const struct bench_tp *t = arg;
	struct worker wk[BENCH_CPUS];

	a->reset();
	init_workers(wk, t->pl->threads, t->pl->one_node, a, t->workload);
	out[0] = run_workers(wk, t->pl->threads, throughput_thread);
}

static struct bench_result tp_result[NR_WORKLOADS][BENCH_NR_PLACEMENTS];
static const struct bench_table tp_table = {
    .name = "throughput",
    .workload = workload_name,
    .nr = NR_WORKLOADS,
    .res = tp_result,
};

static void bench_throughput(void)
{
	printf("\n(a) throughput: kmalloc+kfree pairs, Mops/s, median of %u runs of %.2f s\n",
	       bench_reps, bench_seconds);
	printf("  bursts of 1..%u allocations, then as many frees, on the same CPU; mixed:\n"
	       "  a class of 8..4096 uniformly, then a size within it uniformly\n",
	       BURST_MAX);
	bench_throughput_rows(&pair, tp_measure, &tp_table);
}

/* ---- (b) cross-node frees ---------------------------------------------------- */

/* Allocate a burst for the next CPU (as much as its ring takes), free what the previous sent. */
static void ring_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);
	const struct slab_bench_alloc *a = wk->a;
	nodeid_t mine = cpu_to_node(wk->t.cpu);
	struct ring *out = wk->out, *in = wk->in;

	while (!bench_stopped()) {
		u64 tail = out->tail, head = __atomic_load_n(&out->head, __ATOMIC_ACQUIRE);
		u64 n = 1 + bench_rng_next(&wk->t.rng) % RING_BURST, i, got = 0;

		n = MIN(n, RING_CAP - (tail - head));
		for (i = 0; i < n; i++) {
			void *obj = a->alloc(SMALL_SIZE);

			if (!obj)
				bench_die("ring: an allocation failed with most memory free");
			wk->home += slab_fixture_node_of(obj) == mine;
			out->slot[(tail + i) % RING_CAP] = obj;
		}
		wk->allocs += n;
		__atomic_store_n(&out->tail, tail + n, __ATOMIC_RELEASE);

		head = in->head;
		tail = __atomic_load_n(&in->tail, __ATOMIC_ACQUIRE);
		for (; head != tail; head++, got++)
			a->free(in->slot[head % RING_CAP]);
		__atomic_store_n(&in->head, head, __ATOMIC_RELEASE);
		wk->t.ops += got;
		/* The next CPU is not keeping up (it may not be running at all). */
		if (!n && !got)
			sched_yield();
	}
}

/* Objects passed along per second; the share of allocations on the allocating CPU's node. */
static void ring_measure(const void *side, void *arg, double *out)
{
	const struct slab_bench_alloc *a = side;
	const struct bench_placement *pl = arg;
	struct worker wk[BENCH_CPUS];
	u64 allocs = 0, home = 0;
	unsigned int i;

	a->reset();
	init_workers(wk, pl->threads, pl->one_node, a, W_SMALL);
	memset(rings, 0, sizeof(rings));
	for (i = 0; i < pl->threads; i++) {
		wk[i].in = &rings[i];
		wk[i].out = &rings[(i + 1) % pl->threads];
	}
	out[0] = run_workers(wk, pl->threads, ring_thread);
	for (i = 0; i < pl->threads; i++) {
		struct ring *in = wk[i].in;

		/* What is still in flight, freed by its consumer. */
		hosted_cpu_id = wk[i].t.cpu;
		for (; in->head != in->tail; in->head++)
			a->free(in->slot[in->head % RING_CAP]);
		allocs += wk[i].allocs;
		home += wk[i].home;
	}
	hosted_cpu_id = 0;
	out[1] = share(home, allocs);
}

static struct bench_result ring_result[NR_RINGS][2];

static void bench_rings(void)
{
	unsigned int i;

	for (i = 0; bench_only_threads && i < NR_RINGS; i++)
		if (ring_placements[i].threads == bench_only_threads)
			break;
	if (i == NR_RINGS)
		return;
	printf("\n(b) cross-node frees: a ring of CPUs on different nodes (2: nodes 0, 1;\n"
	       "  4: nodes 0-3), each allocating %u-byte objects in bursts of 1..%u for the\n"
	       "  next CPU and freeing what the previous one sent; median of %u\n",
	       SMALL_SIZE, RING_BURST, bench_reps);
	printf("  throughput: objects passed, Mops/s; home: allocations that got memory of the\n"
	       "  allocating CPU's own node (the rest got another node's)\n");
	printf("  %-8s %9s %9s %9s %15s %10s %10s %9s\n", "threads", "proxima", "baseline", "ratio",
	       "runs: min-max", "home prox", "home base", "ratio");
	for (i = 0; i < NR_RINGS; i++) {
		const struct bench_placement *pl = &ring_placements[i];
		struct bench_result *r = ring_result[i];

		if (bench_only_threads && pl->threads != bench_only_threads)
			continue;
		bench_paired(&pair, ring_measure, (void *)pl, 2, r);
		printf("  %-6s %s %9.2f %9.2f %9.2f %7.2f-%-7.2f %9.1f%% %9.1f%% %9.2f\n",
		       pl->label, bench_oversubscribed(pl->threads), r[0].proxima / 1e6,
		       r[0].baseline / 1e6, r[0].ratio, r[0].lo, r[0].hi, 100 * r[1].proxima,
		       100 * r[1].baseline, r[1].ratio);
	}
}

/* ---- (c, d) locality and memory ---------------------------------------------- */

static void hold(struct worker *wk)
{
	size_t size = pick_size(W_MIXED, &wk->t.rng);
	void *p = wk->a->alloc(size);

	if (!p)
		bench_die("walk: an allocation failed with most memory free");
	wk->allocs++;
	wk->home += slab_fixture_node_of(p) == cpu_to_node(wk->t.cpu);
	wk->h[wk->nr].p = p;
	wk->h[wk->nr++].size = size;
	wk->bytes += size;
}

/* Free the object held at index i (the last one takes its place). */
static void let_go_at(struct worker *wk, u64 i)
{
	wk->a->free(wk->h[i].p);
	wk->bytes -= wk->h[i].size;
	wk->h[i] = wk->h[--wk->nr];
}

static void let_go(struct worker *wk)
{
	let_go_at(wk, bench_rng_next(&wk->t.rng) % wk->nr);
}

/* Random walk: hold a random number of objects in 0..WALK_CAP, again and again. */
static void walk_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);

	while (!bench_stopped()) {
		u64 target = bench_rng_next(&wk->t.rng) % (WALK_CAP + 1);

		while (wk->nr < target)
			hold(wk);
		while (wk->nr > target)
			let_go(wk);
	}
}

/* Bytes of pages the allocator holds per byte the CPUs asked for and hold. */
static double overhead(const struct slab_bench_alloc *a, const struct worker *wk)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < BENCH_CPUS; i++)
		bytes += wk[i].bytes;
	return bytes ? (double)(a->pages() * PAGE_SIZE) / bytes : 0;
}

/* Every CPU in turn (the main thread standing in for it) holds objs objects, at random. */
static void settle(struct worker *wk, u64 objs)
{
	unsigned int i;

	for (i = 0; i < BENCH_CPUS; i++) {
		hosted_cpu_id = wk[i].t.cpu;
		while (wk[i].nr < objs)
			hold(&wk[i]);
		while (wk[i].nr > objs)
			let_go(&wk[i]);
	}
	hosted_cpu_id = 0;
}

/* After a steady state, each CPU adds PEAK_OBJS objects, then all free exactly those. */
static void transient_peak(struct worker *wk)
{
	u64 before[BENCH_CPUS];
	unsigned int i;

	for (i = 0; i < BENCH_CPUS; i++)
		before[i] = wk[i].nr;
	settle(wk, STEADY_OBJS + PEAK_OBJS);
	for (i = 0; i < BENCH_CPUS; i++) {
		hosted_cpu_id = wk[i].t.cpu;
		while (wk[i].nr > before[i])
			let_go_at(&wk[i], wk[i].nr - 1);
	}
	hosted_cpu_id = 0;
}

/*
 * All 8 CPUs walk at random for a run: the share of allocations on the
 * CPU's node. Then, one CPU at a time, the overhead: each settles at
 * STEADY_OBJS; each adds PEAK_OBJS more and frees just those again (a
 * transient peak); each grows to STEADY_OBJS + PEAK_OBJS and frees at
 * random down to KEEP_PERCENT of that.
 */
static void walk_measure(const void *side, void *arg, double *out)
{
	const struct slab_bench_alloc *a = side;
	struct worker wk[BENCH_CPUS];
	u64 allocs = 0, home = 0;
	unsigned int i;

	a->reset();
	init_workers(wk, BENCH_CPUS, false, a, W_MIXED);
	for (i = 0; i < BENCH_CPUS; i++)
		if (!(wk[i].h = malloc(HELD_MAX * sizeof(*wk[i].h))))
			bench_die("out of host memory");
	run_workers(wk, BENCH_CPUS, walk_thread);
	for (i = 0; i < BENCH_CPUS; i++) {
		allocs += wk[i].allocs;
		home += wk[i].home;
	}
	out[0] = share(home, allocs);
	settle(wk, STEADY_OBJS);
	out[1] = overhead(a, wk);
	transient_peak(wk);
	out[2] = overhead(a, wk);
	settle(wk, STEADY_OBJS + PEAK_OBJS);
	settle(wk, (STEADY_OBJS + PEAK_OBJS) * KEEP_PERCENT / 100);
	out[3] = overhead(a, wk);
	settle(wk, 0);
	for (i = 0; i < BENCH_CPUS; i++)
		free(wk[i].h);
}

static struct bench_result walk_result[4];

static void bench_walk(void)
{
	static const char *const what[4] = {
	    "(c) on the CPU's own node",
	    "(d) steady",
	    "(d) after a transient peak",
	    "(d) after a peak, random frees",
	};
	struct bench_result *r = walk_result;
	unsigned int v;

	printf("\n(c, d) all %u CPUs allocate (mixed sizes) and free their own objects at random,\n"
	       "  each holding 0..%u; (c) the share of allocations on the CPU's own node;\n"
	       "  (d) then bytes of pages held per byte asked for and held, with every CPU\n"
	       "  holding %u objects (steady: the walk's mean); after each added %u and freed\n"
	       "  just those (transient peak); after each grew to %u and freed all but %u%%\n"
	       "  at random; median of %u runs\n",
	       BENCH_CPUS, WALK_CAP, STEADY_OBJS, PEAK_OBJS, STEADY_OBJS + PEAK_OBJS, KEEP_PERCENT,
	       bench_reps);
	bench_paired(&pair, walk_measure, NULL, 4, r);
	printf("  %-32s %9s %9s %9s %15s\n", "", "proxima", "baseline", "ratio", "runs: min-max");
	printf("  %-32s %8.1f%% %8.1f%% %9.3f %7.3f-%-7.3f\n", what[0], 100 * r[0].proxima,
	       100 * r[0].baseline, r[0].ratio, r[0].lo, r[0].hi);
	for (v = 1; v < 4; v++)
		printf("  %-32s %9.2f %9.2f %9.3f %7.3f-%-7.3f\n", what[v], r[v].proxima,
		       r[v].baseline, r[v].ratio, r[v].lo, r[v].hi);
	printf("  (d) counts pages taken from the page allocator: rounding to a class, slab\n"
	       "  headers and waste, free objects in slabs, per-CPU arrays and pool lists,\n"
	       "  Proxima's cache descriptors. Not counted: the baseline's page to class\n"
	       "  table (%llu KiB here, 1 byte per page of RAM; Proxima uses struct page)\n",
	       (base_slab_table_bytes() >> 10));
}

/* ---- report --------------------------------------------------------------------- */

static void summary(void)
{
	unsigned int i;

	printf("\nsummary (proxima/baseline; throughput and home shares: higher is better;\n"
	       "memory per byte held: lower is better; *: more threads than host CPUs,\n"
	       "time-shared, not comparable)\n");
	bench_throughput_summary(&tp_table, 6);
	printf("cross-node ring throughput:");
	for (i = 0; i < NR_RINGS; i++)
		printf(" %.2f (%s%s)%s", ring_result[i][0].ratio, ring_placements[i].label,
		       ring_placements[i].threads > bench_host_cpus ? "*" : "",
		       i + 1 < NR_RINGS ? "," : "\n");
	printf("cross-node ring, allocations on the CPU's own node:");
	for (i = 0; i < NR_RINGS; i++)
		printf(" %.0f%% vs %.0f%% (%s)%s", 100 * ring_result[i][1].proxima,
		       100 * ring_result[i][1].baseline, ring_placements[i].label,
		       i + 1 < NR_RINGS ? "," : "\n");
	printf("locality, own frees: %.3f (%.1f%% vs %.1f%% on the CPU's node)\n",
	       walk_result[0].ratio, 100 * walk_result[0].proxima, 100 * walk_result[0].baseline);
	printf("page bytes per byte held: %.3f steady (%.2f vs %.2f), %.3f after a transient "
	       "peak\n  (%.2f vs %.2f), %.3f after a peak freed at random (%.2f vs %.2f)\n",
	       walk_result[1].ratio, walk_result[1].proxima, walk_result[1].baseline,
	       walk_result[2].ratio, walk_result[2].proxima, walk_result[2].baseline,
	       walk_result[3].ratio, walk_result[3].proxima, walk_result[3].baseline);
}

/* What Proxima's kmalloc-64 looks like in this configuration. */
static void print_config(void)
{
	struct slab_cache *c;
	struct slab_info info;

	slab_bench_proxima.reset();
	c = slab_cache_find("kmalloc-64");
	if (!c)
		bench_die("no kmalloc-64 cache after slab_init()");
	slab_cache_info(c, &info);
	printf("config: SLAB_DEBUG=%s DEBUG=%s PCP=%s; kmalloc-64: %u objects per order-%u "
	       "slab,\nper-CPU array %u, batch %u; host CPUs: %ld\n",
	       IS_ENABLED(CONFIG_SLAB_DEBUG) ? "y" : "n", IS_ENABLED(CONFIG_DEBUG) ? "y" : "n",
	       IS_ENABLED(CONFIG_PCP) ? "y" : "n", info.objs_per_slab, info.order, info.limit,
	       info.batch, bench_host_cpus);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, NULL, NULL);
	slab_fixture_init();
	printf("\nProxima slab allocator vs baseline (one global pool and lock, a free list\n"
	       "per class, no per-CPU caches, no nodes): %u nodes x %u CPUs, %u MiB each,\n"
	       "SLIT ring 10/21/31; each on its own page allocator\n",
	       BENCH_NODES, BENCH_CPUS_PER_NODE, (unsigned int)(BENCH_NODE_BYTES >> 20));
	print_config();
	printf("machine: %s\n", bench_machine);
	bench_lock_calibration();
	printf("note: as for the page allocator, threads are pinned and lock waiters spin\n"
	       "with PAUSE while there are no more threads than host CPUs; rows marked *\n"
	       "have more threads than host CPUs: they time-share, waiters yield, and\n"
	       "those ratios are not comparable\n");
	bench_throughput();
	bench_rings();
	bench_json_tables(&tp_table, 1);
	if (bench_only_threads) {
		printf("(--threads %u: throughput rows only; took %.0f s)\n", bench_only_threads,
		       bench_elapsed());
		return problems ? 1 : 0;
	}
	bench_walk();
	if (problems)
		printf("\nwarning: the allocators' own checks found %lu problems (see stderr)\n",
		       problems);
	summary();
	printf("(bench_slab took %.0f s)\n", bench_elapsed());
	return problems ? 1 : 0;
}
