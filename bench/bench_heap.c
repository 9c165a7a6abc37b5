/*
 * "make bench": Proxima's page allocator against the classic baseline
 * (bench/baseline_heap.c) on the fixture machine of bench.h, with
 * bench_heap_fixture.c behind it, both measured in the same run
 * (bench_run.c takes the turns), reported as ratios proxima/baseline.
 * Measures (a, b) alloc+free throughput with 1, 2, 4, 8 threads (one per
 * node first) and 2 on one node, for single pages, order 3 and a mix of
 * orders 0-4; (c) locality: the share of pages on the caller's node
 * while every node is 90% full, and where pages go once a node is
 * exhausted; (d) metadata bytes per page; with --real-memory, (e) the
 * throughput of (a) with real host memory behind the pages, which are
 * written, and in two rows freed dirty, so that zeroing is paid. With
 * --json FILE, the throughput rows also go to FILE.
 *
 * Each timed run starts from a fresh heap; Proxima and the baseline take
 * turns run by run so that noise on the host hits both alike, and the
 * median of the per-run ratios is shown. Threads pretend to be CPUs by
 * setting hosted_cpu_id, each pinned to a host CPU of its own while there
 * are enough (bench_run.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>

#include "bench_heap.h"
#include "bench_report.h"
#include "bench_run.h"

#ifndef CONFIG_PCP_BATCH
#define CONFIG_PCP_BATCH 0
#define CONFIG_PCP_HIGH 0
#endif

#define BURST_MAX 256
#define FILL_PERCENT 90	 /* locality: how full every node is */
#define SHARE_PERCENT 45 /* of a node's free rest, the most one of its CPUs holds */

enum workload { W_ORDER0, W_ORDER3, W_MIXED, NR_WORKLOADS };

static const char *const workload_name[NR_WORKLOADS] = {"order 0", "order 3", "mixed 0-4"};
/* Bursts are 1..burst_max allocations, then as many frees. */
static const unsigned int burst_max[NR_WORKLOADS] = {256, 64, 64};

const char bench_name[] = "bench_heap";

static bool touched; /* a workload made the allocator write page contents */

static const struct bench_pair pair = {
    .proxima = &bench_proxima,
    .baseline = &bench_baseline,
};

struct held {
	void *pg;
	unsigned int order;
};

struct worker {
	struct bench_thread t;
	const struct bench_alloc *a;
	enum workload w;
	u64 cap_pages;	  /* locality: the most pages held at once */
	struct held *h;	  /* locality: room for cap_pages + 1 blocks */
	u64 pages, local; /* locality: pages allocated, of those on the CPU's node */
	u64 failed;	  /* allocations that found nothing */
	bool dirty;	  /* real memory: free blocks dirty */
	u64 not_zero;	  /* real memory: blocks handed out not zeroed */
};

static unsigned int pick_order(enum workload w, u64 *rng)
{
	unsigned int r;

	if (w != W_MIXED)
		return w == W_ORDER3 ? 3 : 0;
	r = bench_rng_next(rng) % 100;
	return r < 50 ? 0 : r < 65 ? 1 : r < 80 ? 2 : r < 90 ? 3 : 4;
}

/*
 * Run fn on nr workers for bench_seconds, checking that no page was
 * written meanwhile; returns the operations counted per second.
 */
static double run_workers(struct worker *wk, unsigned int nr, void (*fn)(struct bench_thread *t))
{
	double rate;

	bench_scratch_arm();
	rate = bench_threads_run(&wk[0].t, sizeof(*wk), nr, fn);
	if (bench_scratch_written())
		touched = true;
	return rate;
}

static void init_workers(struct worker *wk, unsigned int nr, bool one_node,
			 const struct bench_alloc *a, enum workload w)
{
	unsigned int i;

	memset(wk, 0, nr * sizeof(*wk));
	for (i = 0; i < nr; i++) {
		bench_thread_init(&wk[i].t, i, one_node);
		wk[i].a = a;
		wk[i].w = w;
	}
}

/* ---- (a, b) throughput ------------------------------------------------------ */

static void throughput_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);
	const struct bench_alloc *a = wk->a;
	void *pg[BURST_MAX];
	unsigned int order[BURST_MAX];

	while (!bench_stopped()) {
		unsigned int n = 1 + bench_rng_next(&wk->t.rng) % burst_max[wk->w], i;

		for (i = 0; i < n; i++) {
			order[i] = pick_order(wk->w, &wk->t.rng);
			pg[i] = a->alloc(order[i], BENCH_LOCAL, false);
			if (!pg[i])
				bench_die("throughput: an allocation failed with most memory free");
		}
		for (i = 0; i < n; i++)
			a->free(pg[i], order[i], false);
		wk->t.ops += n;
	}
}

/* The most pages left in Proxima's caches after a throughput run. */
static u64 tp_cached;

/* Pairs per second of one timed run on a fresh heap. */
static void tp_measure(const void *side, void *arg, double *out)
{
	const struct bench_alloc *a = side;
	const struct bench_tp *t = arg;
	struct worker wk[BENCH_CPUS];

	a->reset();
	init_workers(wk, t->pl->threads, t->pl->one_node, a, t->workload);
	out[0] = run_workers(wk, t->pl->threads, throughput_thread);
	tp_cached = MAX(tp_cached, a->cached_pages());
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
	printf("\n(a, b) throughput: alloc+free pairs, Mops/s, median of %u runs of %.2f s\n",
	       bench_reps, bench_seconds);
	printf("  bursts of 1..N allocations (MEMF_LOCAL), then as many frees; N = 256 for\n"
	       "  order 0, 64 otherwise; mixed: order 0 50%%, 1 15%%, 2 15%%, 3 10%%, 4 10%%\n");
	bench_throughput_rows(&pair, tp_measure, &tp_table);
	if (bench_host_cpus < BENCH_CPUS)
		printf("  * more threads than host CPUs (%ld): they time-share\n", bench_host_cpus);
}

/* ---- (c) locality -------------------------------------------------------------- */

/* Fill every node to percent of its pages, exact, from CPU 0; returns the fewest left free. */
static u64 fill_nodes(const struct bench_alloc *a, unsigned int percent)
{
	u64 left = ~0ULL;
	unsigned int n;

	hosted_cpu_id = 0;
	for (n = 0; n < BENCH_NODES; n++) {
		u64 managed = a->managed(n), want = managed * percent / 100, i;

		for (i = 0; i < want; i++)
			if (!a->alloc(0, (int)n, true))
				bench_die("locality: filling a node failed");
		if (managed - want < left)
			left = managed - want;
	}
	return left;
}

/* Random walk: hold a random number of pages in 0..cap_pages, again and again. */
static void locality_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);
	const struct bench_alloc *a = wk->a;
	nodeid_t mine = cpu_to_node(wk->t.cpu);
	struct held *h = wk->h;
	u64 nr = 0, held = 0;

	while (!bench_stopped()) {
		u64 target = bench_rng_next(&wk->t.rng) % (wk->cap_pages + 1);

		while (held < target) {
			unsigned int o = pick_order(wk->w, &wk->t.rng);

			if (held + (1UL << o) > wk->cap_pages)
				o = 0;
			h[nr].pg = a->alloc(o, BENCH_LOCAL, false);
			if (!h[nr].pg) {
				wk->failed++;
				break;
			}
			h[nr].order = o;
			wk->pages += 1UL << o;
			if (a->node_of(h[nr].pg) == mine)
				wk->local += 1UL << o;
			held += 1UL << h[nr++].order;
		}
		while (held > target) {
			u64 i = bench_rng_next(&wk->t.rng) % nr;

			a->free(h[i].pg, h[i].order, false);
			held -= 1UL << h[i].order;
			h[i] = h[--nr];
		}
	}
	while (nr--)
		a->free(h[nr].pg, h[nr].order, false);
}

static u64 locality_failed;

/* Share of pages allocated on the CPU's own node, all 8 CPUs busy, nodes 90% full. */
static void hit_rate(const void *side, void *arg, double *out)
{
	const struct bench_alloc *a = side;
	enum workload w = *(enum workload *)arg;
	struct worker wk[BENCH_CPUS];
	u64 left, pages = 0, local = 0;
	unsigned int i;

	a->reset();
	left = fill_nodes(a, FILL_PERCENT);
	init_workers(wk, BENCH_CPUS, false, a, w);
	for (i = 0; i < BENCH_CPUS; i++) {
		wk[i].cap_pages = left * SHARE_PERCENT / 100;
		if (!(wk[i].h = malloc((wk[i].cap_pages + 1) * sizeof(*wk[i].h))))
			bench_die("out of host memory");
	}
	run_workers(wk, BENCH_CPUS, locality_thread);
	for (i = 0; i < BENCH_CPUS; i++) {
		pages += wk[i].pages;
		local += wk[i].local;
		locality_failed += wk[i].failed;
		free(wk[i].h);
	}
	out[0] = pages ? (double)local / pages : 0;
}

struct spill {
	u64 pages;    /* allocated after the node ran out */
	u64 fallback; /* of those, on another node */
	u64 nearest;  /* of those, on a node at the smallest distance */
	u64 dist_sum; /* SLIT distance summed over fallback pages */
};

/*
 * Nodes 90% full, node x exhausted, then x's two CPUs (taking turns)
 * allocate times_rest x the pages a node has left free: 0.5 fits on one
 * neighbour, 1.5 needs a second node.
 */
static void spill_node(const struct bench_alloc *a, nodeid_t x, double times_rest, struct spill *s)
{
	u64 rest, i, want;
	unsigned int n, nearest = 255;

	a->reset();
	rest = fill_nodes(a, FILL_PERCENT);
	while (a->alloc(0, x, true))
		;
	for (n = 0; n < BENCH_NODES; n++)
		if (n != x && node_distance(x, n) < nearest)
			nearest = node_distance(x, n);
	want = (u64)(rest * times_rest);
	for (i = 0; i < want; i++) {
		void *pg;

		hosted_cpu_id = x * BENCH_CPUS_PER_NODE + i % BENCH_CPUS_PER_NODE;
		pg = a->alloc(0, BENCH_LOCAL, false);
		if (!pg)
			bench_die("locality: spilling found no memory");
		n = a->node_of(pg);
		s->pages++;
		if (n == x)
			continue;
		s->fallback++;
		s->dist_sum += node_distance(x, n);
		if (node_distance(x, n) == nearest)
			s->nearest++;
	}
	hosted_cpu_id = 0;
}

static struct bench_result hit[2];
static struct spill spill_res[2][2]; /* [volume][proxima, baseline] */
static const double spill_volume[2] = {0.5, 1.5};

static double spill_avg(const struct spill *s)
{
	return s->fallback ? (double)s->dist_sum / s->fallback : 0;
}

static double spill_near(const struct spill *s)
{
	return s->fallback ? 100.0 * s->nearest / s->fallback : 0;
}

static void bench_locality(void)
{
	enum workload hw[2] = {W_ORDER0, W_MIXED};
	unsigned int i, v, n;

	printf("\n(c) locality: every node %u%% full, all %u CPUs allocate (MEMF_LOCAL) and free\n"
	       "  at random, each holding up to %u%% of its node's free rest; median of %u\n",
	       FILL_PERCENT, BENCH_CPUS, SHARE_PERCENT, bench_reps);
	printf("  %-10s %12s %12s %18s %15s\n", "workload", "proxima", "baseline",
	       "proxima/baseline", "runs: min-max");
	for (i = 0; i < 2; i++) {
		bench_paired(&pair, hit_rate, &hw[i], 1, &hit[i]);
		printf("  %-10s %11.2f%% %11.2f%% %18.3f %7.3f-%-7.3f\n", workload_name[hw[i]],
		       100 * hit[i].proxima, 100 * hit[i].baseline, hit[i].ratio, hit[i].lo,
		       hit[i].hi);
	}
	if (locality_failed)
		printf("  (%llu allocations found no memory at all)\n", locality_failed);

	printf("\n(c) fallback: nodes %u%% full, one node exhausted, its CPUs allocate more;\n"
	       "  every node in turn, pages summed (deterministic: run once)\n",
	       FILL_PERCENT);
	printf("  %-12s %-9s %9s %14s %12s\n", "volume", "", "fallback", "on nearest", "avg dist");
	for (v = 0; v < 2; v++) {
		for (n = 0; n < BENCH_NODES; n++) {
			spill_node(&bench_proxima, n, spill_volume[v], &spill_res[v][0]);
			spill_node(&bench_baseline, n, spill_volume[v], &spill_res[v][1]);
		}
		for (i = 0; i < 2; i++) {
			const struct spill *s = &spill_res[v][i];

			printf("  %-12s %-9s %8.1f%% %13.1f%% %12.2f\n",
			       i ? "" : (v ? "1.5 x rest" : "0.5 x rest"),
			       i ? "baseline" : "proxima", 100.0 * s->fallback / s->pages,
			       spill_near(s), spill_avg(s));
		}
		printf("  %-12s %-9s %9s %14s %12.3f\n", "", "ratio", "", "",
		       spill_avg(&spill_res[v][0]) / spill_avg(&spill_res[v][1]));
	}
}

/* ---- (d) memory ------------------------------------------------------------------ */

struct meta {
	double frames, caches, statics, total; /* bytes per managed page */
};

static struct meta meta_of(const struct bench_alloc *a)
{
	struct meta m;
	u64 managed = 0;
	unsigned int n;

	a->reset();
	for (n = 0; n < BENCH_NODES; n++)
		managed += a->managed(n);
	m.frames = (double)a->frame_bytes() / managed;
	m.caches = (double)a->cache_bytes() / managed;
	m.statics = (double)a->static_bytes() / managed;
	m.total = m.frames + m.caches + m.statics;
	return m;
}

static struct meta meta_p, meta_b;

#ifndef CONFIG_PCP_MAX_ORDER
#define CONFIG_PCP_MAX_ORDER 0
#endif

/* The most free pages per-CPU caches can hold: full lists of every order and full outboxes. */
static u64 cache_bound(void)
{
	if (!IS_ENABLED(CONFIG_PCP))
		return 0;
	return BENCH_CPUS * ((CONFIG_PCP_MAX_ORDER + 1) * (u64)CONFIG_PCP_HIGH +
			     (BENCH_NODES - 1) * (CONFIG_PCP_BATCH - 1));
}

static void bench_memory(void)
{
	u64 total = BENCH_NODES * (BENCH_NODE_BYTES >> PAGE_SHIFT);
	u64 bound = cache_bound();

	meta_p = meta_of(&bench_proxima);
	meta_b = meta_of(&bench_baseline);
	printf("\n(d) metadata, bytes per managed page (%u MiB on %u nodes; static tables\n"
	       "  sized for NR_NODES=%u, NR_CPUS=%u)\n",
	       BENCH_NODES * (unsigned int)(BENCH_NODE_BYTES >> 20), BENCH_NODES, MAX_NODES,
	       CONFIG_NR_CPUS);
	printf("  %-10s %8s %8s %8s %8s\n", "", "frames", "caches", "static", "total");
	printf("  %-10s %8.3f %8.3f %8.3f %8.3f\n", "proxima", meta_p.frames, meta_p.caches,
	       meta_p.statics, meta_p.total);
	printf("  %-10s %8.3f %8.3f %8.3f %8.3f\n", "baseline", meta_b.frames, meta_b.caches,
	       meta_b.statics, meta_b.total);
	printf("  %-10s %35.3f\n", "ratio", meta_p.total / meta_b.total);
	printf("  free pages idle in per-CPU caches: at most %llu (%.2f%% of RAM) by\n"
	       "  PCP_HIGH/PCP_BATCH; most seen after a throughput run: %llu\n",
	       bound, 100.0 * bound / total, tp_cached);
}

/* ---- (e) real memory ------------------------------------------------------------ */

enum real_workload { R_ORDER0, R_ORDER0_DIRTY, R_MIXED_DIRTY, NR_REAL };

static const char *const real_name[NR_REAL] = {"order 0", "order 0 dirty", "mixed dirty"};
/* Each row's orders and bursts: those of a workload of (a). */
static const enum workload real_orders[NR_REAL] = {W_ORDER0, W_ORDER0, W_MIXED};

static bool real_memory; /* --real-memory: run (e) */
static u64 real_not_zero;

/*
 * As throughput_thread, but the pages are used: each block's first word
 * must be zero as it arrives, and is written; a clean free puts it back
 * to zero first, a dirty free leaves it for the allocator to zero.
 */
static void real_thread(struct bench_thread *t)
{
	struct worker *wk = container_of(t, struct worker, t);
	const struct bench_alloc *a = wk->a;
	volatile u64 *word[BURST_MAX];
	void *pg[BURST_MAX];
	unsigned int order[BURST_MAX];

	while (!bench_stopped()) {
		unsigned int n = 1 + bench_rng_next(&wk->t.rng) % burst_max[wk->w], i;

		for (i = 0; i < n; i++) {
			order[i] = pick_order(wk->w, &wk->t.rng);
			pg[i] = a->alloc(order[i], BENCH_LOCAL, false);
			if (!pg[i])
				bench_die(
				    "real memory: an allocation failed with most memory free");
			word[i] = a->contents(pg[i]);
			wk->not_zero += *word[i] != 0;
			*word[i] = i + 1;
		}
		for (i = 0; i < n; i++) {
			if (!wk->dirty)
				*word[i] = 0;
			a->free(pg[i], order[i], wk->dirty);
		}
		wk->t.ops += n;
	}
}

/* Pairs per second of one timed run on a fresh heap with real memory behind it. */
static void real_measure(const void *side, void *arg, double *out)
{
	const struct bench_alloc *a = side;
	const struct bench_tp *t = arg;
	struct worker wk[BENCH_CPUS];
	unsigned int i, nr = t->pl->threads;

	a->reset();
	init_workers(wk, nr, t->pl->one_node, a, real_orders[t->workload]);
	for (i = 0; i < nr; i++)
		wk[i].dirty = t->workload != R_ORDER0;
	out[0] = bench_threads_run(&wk[0].t, sizeof(*wk), nr, real_thread);
	for (i = 0; i < nr; i++)
		real_not_zero += wk[i].not_zero;
}

/* After a run of Proxima: what it left dirty is zeroed before the baseline runs on the RAM. */
static void real_after_run(const void *side)
{
	if (side == &bench_proxima)
		bench_proxima_zero_dirty();
}

static const struct bench_pair real_pair = {
    .proxima = &bench_proxima,
    .baseline = &bench_baseline,
    .after_run = real_after_run,
};

static struct bench_result real_result[NR_REAL][BENCH_NR_PLACEMENTS];
static const struct bench_table real_table = {
    .name = "real memory",
    .workload = real_name,
    .nr = NR_REAL,
    .res = real_result,
    .fitting_only = true,
};

static void bench_real(void)
{
	bench_heap_real_memory();
	printf("\n(e) real memory: %u MiB of host memory behind the pages (large pages where the\n"
	       "  host gives them) instead of one scratch page; alloc+free pairs, Mops/s, median\n"
	       "  of %u runs of %.2f s, threads up to the host's CPUs only; bursts as in (a)\n",
	       (unsigned int)(BENCH_RAM_BYTES >> 20), bench_reps, bench_seconds);
	printf("  each block's first word is checked to be zero, then written; order 0: put\n"
	       "  back to zero and freed clean; dirty: freed dirty, so the allocator zeroes the\n"
	       "  block (Proxima as it hands it out again, the baseline as it is freed)\n");
	bench_throughput_rows(&real_pair, real_measure, &real_table);
	if (real_not_zero)
		printf("  warning: %llu blocks were handed out not zeroed\n", real_not_zero);
}

/* ---- report --------------------------------------------------------------------- */

static void summary(void)
{
	printf("\nsummary (proxima/baseline; throughput and hit rate: higher is better;\n"
	       "distance and metadata: lower is better; *: more threads than host CPUs,\n"
	       "time-shared, not comparable)\n");
	bench_throughput_summary(&tp_table, 9);
	if (real_memory)
		bench_throughput_summary(&real_table, 13);
	printf("local hit rate at %u%% full: %.3f (order 0), %.3f (mixed)\n", FILL_PERCENT,
	       hit[0].ratio, hit[1].ratio);
	printf("fallback avg distance: %.3f (0.5 x rest), %.3f (1.5 x rest); on nearest node "
	       "%.0f%% vs %.0f%%\n",
	       spill_avg(&spill_res[0][0]) / spill_avg(&spill_res[0][1]),
	       spill_avg(&spill_res[1][0]) / spill_avg(&spill_res[1][1]),
	       spill_near(&spill_res[1][0]), spill_near(&spill_res[1][1]));
	printf("metadata per page: %.3f (%.2f vs %.2f bytes); per-CPU caches may also hold "
	       "%.2f%% of RAM\n",
	       meta_p.total / meta_b.total, meta_p.total, meta_b.total,
	       100.0 * cache_bound() / (BENCH_NODES * (BENCH_NODE_BYTES >> PAGE_SHIFT)));
}

int main(int argc, char **argv)
{
	const struct bench_table tables[2] = {tp_table, real_table};

	bench_init(argc, argv, "--real-memory", &real_memory);
	bench_fixture_init();
	printf("Proxima page allocator vs baseline (one global lock, no per-CPU caches,\n"
	       "numeric fallback): %u nodes x %u CPUs, %u MiB each, SLIT ring 10/21/31\n",
	       BENCH_NODES, BENCH_CPUS_PER_NODE, (unsigned int)(BENCH_NODE_BYTES >> 20));
	printf("config: PCP=%s PCP_BATCH=%u PCP_HIGH=%u MAX_ORDER=%u SCRUB_DEBUG=%s DEBUG=%s; "
	       "host CPUs: %ld\n",
	       IS_ENABLED(CONFIG_PCP) ? "y" : "n", CONFIG_PCP_BATCH, CONFIG_PCP_HIGH, MAX_ORDER,
	       IS_ENABLED(CONFIG_SCRUB_DEBUG) ? "y" : "n", IS_ENABLED(CONFIG_DEBUG) ? "y" : "n",
	       bench_host_cpus);
	printf("machine: %s\n", bench_machine);
	bench_lock_calibration();
	printf("note: with no more threads than host CPUs, each thread is pinned to a host\n"
	       "CPU of its own and a lock waiter spins with PAUSE, as a hypervisor CPU does\n"
	       "(both sides use the same ticket lock); rows marked * have more threads than\n"
	       "host CPUs: they time-share, waiters yield, and a lock may go to a thread\n"
	       "that is not running, so those ratios are not comparable\n");
	bench_throughput();
	if (bench_only_threads) {
		if (real_memory)
			bench_real();
		bench_json_tables(tables, real_memory ? 2 : 1);
		printf("(--threads %u: throughput rows only; took %.0f s)\n", bench_only_threads,
		       bench_elapsed());
		return 0;
	}
	bench_locality();
	bench_memory();
	if (real_memory)
		bench_real();
	if (touched)
		printf("\nwarning: page contents were written during a timed run (dirty pages?)\n");
	summary();
	bench_json_tables(tables, real_memory ? 2 : 1);
	printf("(bench_heap took %.0f s)\n", bench_elapsed());
	return 0;
}
