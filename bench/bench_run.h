/*
 * How both benchmarks run and report, whatever they measure: the command
 * line, the clock, threads that stand for CPUs and stop together, paired
 * runs of Proxima and its baseline taking turns, medians, and the
 * throughput table both print. Knows nothing of either allocator: a side
 * is an opaque pointer that the measure functions interpret.
 */
#ifndef BENCH_BENCH_RUN_H
#define BENCH_BENCH_RUN_H

#include <pthread.h>
#include <stddef.h>

#include <hv/types.h>

#define BENCH_MAX_REPS 31
/* Values one measure function returns per run. */
#define BENCH_MAX_VALUES 4

/* The program's name for messages and usage ("bench_heap"); each main file defines it. */
extern const char bench_name[];

/*
 * Set by bench_init(): --seconds, --reps, --threads (0: every row),
 * --json (NULL: no file), and the host's CPUs.
 */
extern double bench_seconds;
extern unsigned int bench_reps;
extern unsigned int bench_only_threads;
extern const char *bench_json_path;
extern long bench_host_cpus;

/*
 * Start the clock of bench_elapsed(), parse the command line (exit with
 * the usage on anything else), count the host's CPUs, describe the
 * machine (bench_report.h) and line-buffer stdout. flag is the
 * benchmark's own option that takes no value ("--real-memory"), or NULL;
 * *flag_set says whether it was given. First thing in main().
 */
void bench_init(int argc, char **argv, const char *flag, bool *flag_set);

/* Seconds since bench_init(). */
double bench_elapsed(void);

/* Print "<bench_name>: what" on stderr and exit(1). */
void __attribute__((noreturn)) bench_die(const char *what);

/* Seconds on the monotonic clock. */
double bench_now(void);

/* The next number of a xorshift generator; *s must not be 0. */
u64 bench_rng_next(u64 *s);

/* "*" when threads are more than the host's CPUs (they time-share), else " ". */
const char *bench_oversubscribed(unsigned int threads);

/*
 * Print what the benchmarks' spinlock costs on this host: uncontended on
 * one thread, and passed between two pinned threads (the cost of moving
 * its cache line between host CPUs), so that the lock-bound rows can be
 * read against it.
 */
void bench_lock_calibration(void);

/* ---- threads that stand for CPUs -------------------------------------------- */

/* The runner's part of a worker; a benchmark's struct worker embeds one. */
struct bench_thread {
	pthread_t thread;
	void (*fn)(struct bench_thread *t);
	unsigned int cpu; /* hosted_cpu_id of the thread */
	int host_cpu;	  /* the host CPU it is pinned to, or -1 (set by the runner) */
	u64 rng;	  /* for bench_rng_next(), seeded per thread */
	u64 ops;	  /* operations done, counted by fn */
	double end;	  /* when fn returned */
};

/* Threads spread over the nodes (CPUs 0, 2, 4, 6, then 1, 3, ...) or all on node 0. */
struct bench_placement {
	unsigned int threads;
	bool one_node;
	const char *label;
};

/* The throughput rows of both benchmarks: 1, 2, 2 on one node, 4 and 8 threads. */
#define BENCH_NR_PLACEMENTS 5
extern const struct bench_placement bench_placements[BENCH_NR_PLACEMENTS];

/* Thread i of a run (zeroed by the caller): its CPU by one_node, and a seed of its own. */
void bench_thread_init(struct bench_thread *t, unsigned int i, bool one_node);

/*
 * Run fn on nr threads at once, t[i] at (char *)first + i * stride, each
 * as CPU t[i].cpu, started together and told to stop (bench_stopped())
 * after bench_seconds. With no more threads than host CPUs, thread i is
 * pinned to host CPU i and a lock waiter spins (hosted_spin_yields
 * false); with more, threads float and waiters yield, and such rows are
 * marked oversubscribed. Returns the operations they counted per second,
 * from the start to the last thread's end. The main thread only waits
 * meanwhile.
 */
double bench_threads_run(struct bench_thread *first, size_t stride, unsigned int nr,
			 void (*fn)(struct bench_thread *t));

/* Whether the running threads have been told to stop. */
bool bench_stopped(void);

/* ---- paired runs ------------------------------------------------------------ */

/* What a benchmark compares: two opaque sides, and what to do after each run. */
struct bench_pair {
	const void *proxima, *baseline;
	/* After every run of either side, with no thread running; or NULL. */
	void (*after_run)(const void *side);
};

/* One run of side, from a fresh start: fills out[0..nv) of bench_paired(). */
typedef void (*bench_measure_fn)(const void *side, void *arg, double *out);

struct bench_result {
	double proxima, baseline, ratio; /* medians */
	double lo, hi;			 /* smallest and largest ratio of a run */
};

/*
 * Run f for both sides bench_reps times, taking turns (Proxima first in
 * even runs, the baseline in odd ones), so that noise on the host hits
 * both alike. res[v], v < nv <= BENCH_MAX_VALUES: the medians of value
 * v and of its per-run ratios proxima/baseline (0 where the baseline's
 * is 0), with the smallest and largest ratio.
 */
void bench_paired(const struct bench_pair *pair, bench_measure_fn f, void *arg, unsigned int nv,
		  struct bench_result *res);

/* ---- the throughput table --------------------------------------------------- */

/* The arg of a throughput row's measure function. */
struct bench_tp {
	unsigned int workload;
	const struct bench_placement *pl;
};

/* A throughput table: its workloads' names and results (res[workload][placement]). */
struct bench_table {
	const char *name; /* for the JSON file: "throughput", "real memory" */
	const char *const *workload;
	unsigned int nr;
	struct bench_result (*res)[BENCH_NR_PLACEMENTS];
	bool fitting_only; /* only placements with no more threads than host CPUs */
};

/*
 * The column heads, then for every workload w of t and placement p (with
 * --threads, only those with as many threads; with t->fitting_only, only
 * those that fit the host) paired runs of f on a struct bench_tp, one
 * value each, pairs per second: a row in Mops/s with the ratios, and the
 * result in t->res[w][p]. Placements not run keep a zeroed result.
 */
void bench_throughput_rows(const struct bench_pair *pair, bench_measure_fn f,
			   const struct bench_table *t);

/* The summary's line per workload: "throughput <name padded to width>: ratio (label), ...". */
void bench_throughput_summary(const struct bench_table *t, int width);

/*
 * With --json, write the file: the method (seconds, reps, host CPUs, the
 * fixture) and a row per placement run of each of the nr tables t[];
 * rates in Mops/s, oversubscribed rows marked. Prints where it went.
 */
void bench_json_tables(const struct bench_table *t, unsigned int nr);

#endif /* BENCH_BENCH_RUN_H */
