/*
 * The benchmarks' runner (see bench_run.h): command line, clock, worker
 * threads, paired runs and the throughput table. Owns the stop flag and
 * the start barrier of the one run at a time; only the main thread calls
 * in here, except bench_stopped() and the start of each worker.
 */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hv/arch.h>
#include <hv/compiler.h>
#include <hv/spinlock.h>

#include "bench.h"
#include "bench_report.h"
#include "bench_run.h"

double bench_seconds = 0.3;
unsigned int bench_reps = 7;
unsigned int bench_only_threads;
const char *bench_json_path;
long bench_host_cpus;

const struct bench_placement bench_placements[BENCH_NR_PLACEMENTS] = {
    {1, false, "1"}, {2, false, "2"}, {2, true, "2 one node"}, {4, false, "4"}, {8, false, "8"},
};

static double start_time;
static int stop_flag;
static pthread_barrier_t start_line;

void bench_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", bench_name, what);
	exit(1);
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void parse_args(int argc, char **argv, const char *flag, bool *flag_set)
{
	char usage[160];
	int i;

	for (i = 1; i < argc; i += 2) {
		if (flag && !strcmp(argv[i], flag)) {
			*flag_set = true;
			i--; /* no value */
		} else if (i + 1 == argc) {
			break;
		} else if (!strcmp(argv[i], "--seconds")) {
			bench_seconds = atof(argv[i + 1]);
		} else if (!strcmp(argv[i], "--reps")) {
			bench_reps = (unsigned int)atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--threads")) {
			bench_only_threads = (unsigned int)atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--json")) {
			bench_json_path = argv[i + 1];
		} else {
			break;
		}
	}
	if (i < argc || bench_seconds <= 0 || bench_seconds > 60 || !bench_reps ||
	    bench_reps > BENCH_MAX_REPS) {
		snprintf(
		    usage, sizeof(usage),
		    "usage: %s [--seconds 0.01-60] [--reps 1-31] [--threads N] [--json FILE]%s%s%s",
		    bench_name, flag ? " [" : "", flag ? flag : "", flag ? "]" : "");
		bench_die(usage);
	}
}

void bench_init(int argc, char **argv, const char *flag, bool *flag_set)
{
	start_time = bench_now();
	parse_args(argc, argv, flag, flag_set);
	bench_host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bench_describe_machine();
	setvbuf(stdout, NULL, _IOLBF, 0);
}

double bench_elapsed(void)
{
	return bench_now() - start_time;
}

u64 bench_rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

const char *bench_oversubscribed(unsigned int threads)
{
	return threads > bench_host_cpus ? "*" : " ";
}

/* ---- what a lock costs on this host ---------------------------------------- */

static struct spinlock calib_lock;
static u64 calib_count;

static void calib_thread(struct bench_thread *t)
{
	while (!bench_stopped()) {
		spin_lock(&calib_lock);
		calib_count++;
		spin_unlock(&calib_lock);
		t->ops++;
	}
}

void bench_lock_calibration(void)
{
	struct bench_thread t[2];
	double one, two;
	unsigned int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < 2; i++)
		bench_thread_init(&t[i], i, true);
	one = bench_threads_run(t, sizeof(t[0]), 1, calib_thread);
	if (bench_host_cpus < 2) {
		printf("host: the lock, uncontended: %.1f M acquisitions/s; one host CPU, no "
		       "hand-off measured\n",
		       one / 1e6);
		return;
	}
	memset(t, 0, sizeof(t));
	for (i = 0; i < 2; i++)
		bench_thread_init(&t[i], i, true);
	two = bench_threads_run(t, sizeof(t[0]), 2, calib_thread);
	printf("host: the benchmarks' ticket lock, uncontended on one CPU: %.1f M acquisitions/s;\n"
	       "  passed between 2 pinned threads: %.1f M/s (moving its cache line between host\n"
	       "  CPUs: a ceiling for any row where one lock is taken by 2 CPUs in turn)\n",
	       one / 1e6, two / 1e6);
}

/* ---- threads that stand for CPUs -------------------------------------------- */

void bench_thread_init(struct bench_thread *t, unsigned int i, bool one_node)
{
	/* One per node first: 0, 2, 4, 6, then 1, 3, ...; or 0, 1, ... on node 0. */
	t->cpu = one_node ? i : (i % BENCH_NODES) * BENCH_CPUS_PER_NODE + i / BENCH_NODES;
	t->rng = 0x9e3779b97f4a7c15ULL * (i + 1);
}

bool bench_stopped(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED);
}

static void *thread_main(void *arg)
{
	struct bench_thread *t = arg;

	hosted_cpu_id = t->cpu;
	if (t->host_cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(t->host_cpu, &one);
		if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one))
			bench_die("cannot pin a thread to its host CPU");
	}
	pthread_barrier_wait(&start_line);
	t->fn(t);
	t->end = bench_now();
	return NULL;
}

static struct bench_thread *nth_thread(struct bench_thread *first, size_t stride, unsigned int i)
{
	return (struct bench_thread *)((char *)first + i * stride);
}

double bench_threads_run(struct bench_thread *first, size_t stride, unsigned int nr,
			 void (*fn)(struct bench_thread *t))
{
	time_t whole = (time_t)bench_seconds;
	struct timespec sleep_for = {whole, (long)((bench_seconds - whole) * 1e9)};
	double t0, end = 0;
	u64 ops = 0;
	unsigned int i;

	stop_flag = 0;
	/* A host CPU each, spinning like a hypervisor's CPUs; or time-sharing, yielding. */
	hosted_spin_yields = nr > bench_host_cpus;
	if (pthread_barrier_init(&start_line, NULL, nr + 1))
		bench_die("pthread_barrier_init failed");
	for (i = 0; i < nr; i++) {
		struct bench_thread *t = nth_thread(first, stride, i);

		t->fn = fn;
		t->host_cpu = hosted_spin_yields ? -1 : (int)i;
		if (pthread_create(&t->thread, NULL, thread_main, t))
			bench_die("pthread_create failed");
	}
	pthread_barrier_wait(&start_line);
	t0 = bench_now();
	while (nanosleep(&sleep_for, &sleep_for) && errno == EINTR)
		;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nr; i++) {
		struct bench_thread *t = nth_thread(first, stride, i);

		pthread_join(t->thread, NULL);
		if (t->end > end)
			end = t->end;
		ops += t->ops;
	}
	pthread_barrier_destroy(&start_line);
	return ops / (end - t0);
}

/* ---- paired runs ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int nr)
{
	double s[BENCH_MAX_REPS];

	memcpy(s, v, nr * sizeof(*v));
	qsort(s, nr, sizeof(*s), cmp_double);
	return nr % 2 ? s[nr / 2] : (s[nr / 2 - 1] + s[nr / 2]) / 2;
}

/* Medians of p, b and r, and the extremes of r, over bench_reps runs. */
static void summarize(const double *p, const double *b, const double *r, struct bench_result *res)
{
	unsigned int i;

	res->proxima = median(p, bench_reps);
	res->baseline = median(b, bench_reps);
	res->ratio = median(r, bench_reps);
	res->lo = res->hi = r[0];
	for (i = 1; i < bench_reps; i++) {
		res->lo = MIN(res->lo, r[i]);
		res->hi = MAX(res->hi, r[i]);
	}
}

void bench_paired(const struct bench_pair *pair, bench_measure_fn f, void *arg, unsigned int nv,
		  struct bench_result *res)
{
	double p[BENCH_MAX_VALUES][BENCH_MAX_REPS], b[BENCH_MAX_VALUES][BENCH_MAX_REPS];
	double r[BENCH_MAX_VALUES][BENCH_MAX_REPS];
	double po[BENCH_MAX_VALUES], bo[BENCH_MAX_VALUES];
	unsigned int i, v, k;

	for (i = 0; i < bench_reps; i++) {
		for (k = 0; k < 2; k++) {
			bool proxima_now = (i + k) % 2 == 0;
			const void *side = proxima_now ? pair->proxima : pair->baseline;

			f(side, arg, proxima_now ? po : bo);
			if (pair->after_run)
				pair->after_run(side);
		}
		for (v = 0; v < nv; v++) {
			p[v][i] = po[v];
			b[v][i] = bo[v];
			r[v][i] = bo[v] ? po[v] / bo[v] : 0;
		}
	}
	for (v = 0; v < nv; v++)
		summarize(p[v], b[v], r[v], &res[v]);
}

/* ---- the throughput table --------------------------------------------------- */

/* Whether the rows of t run placement pl. */
static bool row_wanted(const struct bench_table *t, const struct bench_placement *pl)
{
	if (bench_only_threads && pl->threads != bench_only_threads)
		return false;
	return !t->fitting_only || pl->threads <= bench_host_cpus;
}

void bench_throughput_rows(const struct bench_pair *pair, bench_measure_fn f,
			   const struct bench_table *t)
{
	unsigned int w, i;

	printf("  %-13s %-12s %9s %9s %17s %15s\n", "workload", "threads", "proxima", "baseline",
	       "proxima/baseline", "runs: min-max");
	for (w = 0; w < t->nr; w++) {
		for (i = 0; i < BENCH_NR_PLACEMENTS; i++) {
			const struct bench_placement *pl = &bench_placements[i];
			struct bench_tp tp = {.workload = w, .pl = pl};
			struct bench_result *r = &t->res[w][i];

			if (!row_wanted(t, pl))
				continue;
			bench_paired(pair, f, &tp, 1, r);
			printf("  %-13s %-10s %s %9.2f %9.2f %17.2f %7.2f-%-7.2f\n", t->workload[w],
			       pl->label, bench_oversubscribed(pl->threads), r->proxima / 1e6,
			       r->baseline / 1e6, r->ratio, r->lo, r->hi);
		}
	}
}

void bench_throughput_summary(const struct bench_table *t, int width)
{
	unsigned int w, i;

	for (w = 0; w < t->nr; w++) {
		const char *sep = ":";

		printf("%s %-*s", t->name, width, t->workload[w]);
		for (i = 0; i < BENCH_NR_PLACEMENTS; i++) {
			if (!row_wanted(t, &bench_placements[i]))
				continue;
			/* Oversubscribed rows keep their mark here too. */
			printf("%s %.2f (%s%s)", sep, t->res[w][i].ratio, bench_placements[i].label,
			       bench_placements[i].threads > bench_host_cpus ? "*" : "");
			sep = ",";
		}
		printf("\n");
	}
}

/* One JSON row: a placement of a workload of t. */
static void json_row(FILE *f, const struct bench_table *t, unsigned int w, unsigned int i,
		     bool first)
{
	const struct bench_placement *pl = &bench_placements[i];
	const struct bench_result *r = &t->res[w][i];

	fprintf(f, "%s    {\"table\": ", first ? "" : ",\n");
	bench_json_string(f, t->name);
	fprintf(f, ", \"workload\": ");
	bench_json_string(f, t->workload[w]);
	fprintf(f,
		", \"placement\": \"%s\", \"threads\": %u, \"one_node\": %s, "
		"\"oversubscribed\": %s, \"proxima\": %.4f, \"baseline\": %.4f, \"ratio\": %.4f, "
		"\"ratio_min\": %.4f, \"ratio_max\": %.4f}",
		pl->label, pl->threads, pl->one_node ? "true" : "false",
		pl->threads > bench_host_cpus ? "true" : "false", r->proxima / 1e6,
		r->baseline / 1e6, r->ratio, r->lo, r->hi);
}

void bench_json_tables(const struct bench_table *t, unsigned int nr)
{
	unsigned int k, w, i;
	bool first = true;
	FILE *f;

	if (!bench_json_path)
		return;
	f = bench_json_open(bench_json_path, bench_name);
	fprintf(f,
		"  \"method\": {\"seconds_per_run\": %.3f, \"runs\": %u, \"host_cpus\": %ld, "
		"\"pinned\": \"while threads <= host CPUs\", \"fixture\": \"%u nodes x %u CPUs, "
		"%u MiB each\"},\n",
		bench_seconds, bench_reps, bench_host_cpus, BENCH_NODES, BENCH_CPUS_PER_NODE,
		(unsigned int)(BENCH_NODE_BYTES >> 20));
	fprintf(f, "  \"unit\": \"million alloc+free pairs per second, median of the runs\",\n"
		   "  \"rows\": [\n");
	for (k = 0; k < nr; k++) {
		for (w = 0; w < t[k].nr; w++) {
			for (i = 0; i < BENCH_NR_PLACEMENTS; i++) {
				if (!t[k].res[w][i].proxima && !t[k].res[w][i].baseline)
					continue;
				json_row(f, &t[k], w, i, first);
				first = false;
			}
		}
	}
	fprintf(f, "\n  ]\n");
	bench_json_close(f, bench_json_path);
	printf("results: %s\n", bench_json_path);
}
