/*
 * "make bench", the cost sweep: what one order-0 page alloc+free pair and
 * one kmalloc(64)+kfree pair cost on machines of growing size, to show
 * that the cost does not grow with the machine. One thread, pinned to
 * host CPU 0, standing for CPU 0 (on node 0) of:
 *   memory  4 nodes of 2 CPUs, with 64 MiB, 256 MiB, 1 GiB, 4 GiB and
 *           16 GiB per node (up to 64 GiB of RAM, 512 MiB of frame tables)
 *   nodes   1, 2, 4, 8, 16, 32 and 64 nodes of 2 CPUs and 256 MiB each
 * Each machine is built from scratch (bench_sweep_fixture.c): the real
 * topo_build() on a firmware-like description with a SLIT, the real
 * frame tables for all of its RAM, per-CPU caches for all of its CPUs,
 * and the slab allocator; host memory stands behind its RAM but costs
 * only where touched.
 *
 * Method, as bench_peers': --reps rounds; in each, every machine of both
 * sweeps in turn is built, warmed up with 200 batches of each pair, and
 * runs --batches batches of 64 pairs of each (the order of the two
 * alternating by round), each batch timed with CLOCK_MONOTONIC; a sample
 * is one batch's ns per pair. Rebuilding every machine every round puts
 * the noise of the host on all of them alike. The tables give each
 * machine's minimum, median and 99th percentile, and per sweep the
 * largest median over the smallest. With --json FILE, the rows go there.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hv/mm.h>
#include <hv/slab.h>

#include "bench_report.h"
#include "bench_run.h"
#include "bench_sweep.h"

const char bench_name[] = "bench_sweep";

#define BATCH 64	 /* pairs per timed batch */
#define WARMUP 200	 /* batches per pair before a machine is timed */
#define OBJ_SIZE 64	 /* bytes per kmalloc */
#define SAMPLES_MAX 4096 /* batches per round, at most */
#define REPS_MAX 31
#define CPUS_PER_NODE 2

enum pair { P_PAGE, P_KMALLOC, NR_PAIRS };

static const char *const pair_name[NR_PAIRS] = {"page", "kmalloc 64 B"};

enum sweep { S_MEMORY, S_NODES, NR_SWEEPS };

static const char *const sweep_name[NR_SWEEPS] = {"memory", "nodes"};

struct machine {
	enum sweep sweep;
	unsigned int nodes;
	u64 node_bytes;
};

#define MEMORY_NODES 4
#define NODES_BYTES MiB(256)

static const struct machine machines[] = {
    {S_MEMORY, MEMORY_NODES, MiB(64)}, {S_MEMORY, MEMORY_NODES, MiB(256)},
    {S_MEMORY, MEMORY_NODES, GiB(1)},  {S_MEMORY, MEMORY_NODES, GiB(4)},
    {S_MEMORY, MEMORY_NODES, GiB(16)}, {S_NODES, 1, NODES_BYTES},
    {S_NODES, 2, NODES_BYTES},	       {S_NODES, 4, NODES_BYTES},
    {S_NODES, 8, NODES_BYTES},	       {S_NODES, 16, NODES_BYTES},
    {S_NODES, 32, NODES_BYTES},	       {S_NODES, 64, NODES_BYTES},
};
#define NR_MACHINES ARRAY_SIZE(machines)

struct stats {
	double min, median, p99;
};

static unsigned int reps = 15, batches = 1000;
static double *samples[NR_MACHINES][NR_PAIRS];
static struct stats result[NR_MACHINES][NR_PAIRS];
static u64 frame_bytes[NR_MACHINES];

/* ---- the machines ---------------------------------------------------------------- */

/*
 * A hierarchical SLIT, as on a machine of boards of sockets: 10 + 10 x
 * the position of the highest bit in which two node ids differ (nodes 0
 * and 1: 20; 0 and 2: 30; 0 and 32: 70).
 */
static void make_slit(unsigned int nodes, u8 *dist)
{
	unsigned int a, b;

	for (a = 0; a < nodes; a++)
		for (b = 0; b < nodes; b++)
			dist[a * nodes + b] =
			    (u8)(a == b ? 10 : 10 + 10 * (32 - __builtin_clz(a ^ b)));
}

static void build(const struct machine *m)
{
	static u8 dist[MAX_NODES * MAX_NODES];
	struct bench_shape s = {
	    .nodes = m->nodes,
	    .cpus_per_node = CPUS_PER_NODE,
	    .node_bytes = m->node_bytes,
	    .dist = dist,
	};

	make_slit(m->nodes, dist);
	sweep_machine_build(&s);
}

/* ---- the pairs -------------------------------------------------------------------- */

static void batch(enum pair p)
{
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		if (p == P_PAGE) {
			struct page *pg = alloc_pages(0, MEMF_LOCAL);

			if (!pg)
				bench_die("a page allocation failed");
			free_pages(pg, 0, false);
		} else {
			void *obj = kmalloc(OBJ_SIZE);

			if (!obj)
				bench_die("a kmalloc failed");
			/* One store, as a user would, so the object is not optimised away. */
			*(volatile char *)obj = (char)i;
			kfree(obj);
		}
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Whether machine m fits this configuration's NR_NODES and NR_CPUS. */
static bool fits(const struct machine *m)
{
	return m->nodes <= MAX_NODES && m->nodes * CPUS_PER_NODE <= CONFIG_NR_CPUS;
}

/* Round r on machine k: build it, warm it up, time both pairs. */
static void measure(unsigned int k, unsigned int r)
{
	unsigned int i, b;

	build(&machines[k]);
	frame_bytes[k] = sweep_frame_bytes();
	for (i = 0; i < NR_PAIRS; i++)
		for (b = 0; b < WARMUP; b++)
			batch(i);
	for (i = 0; i < NR_PAIRS; i++) {
		enum pair p = (i + r) % NR_PAIRS; /* the order alternates */
		double *out = samples[k][p] + (size_t)r * batches;

		for (b = 0; b < batches; b++) {
			double t0 = now_ns();

			batch(p);
			out[b] = (now_ns() - t0) / BATCH;
		}
	}
	if (slab_reports() || slab_check())
		bench_die("the slab allocator reported problems");
}

/* ---- statistics and the report -------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stats stats_of(double *s, unsigned int n)
{
	qsort(s, n, sizeof(*s), cmp_double);
	return (struct stats){s[0], s[n / 2], s[(n * 99) / 100]};
}

static void print_size(u64 bytes)
{
	if (bytes >= GiB(1))
		printf("%3llu GiB", bytes >> 30);
	else
		printf("%3llu MiB", bytes >> 20);
}

/* Largest median over the smallest, of pair p over the machines of sweep s. */
static double spread(enum sweep s, enum pair p)
{
	double lo = 0, hi = 0;
	unsigned int k;

	for (k = 0; k < NR_MACHINES; k++) {
		double m = result[k][p].median;

		if (machines[k].sweep != s || !fits(&machines[k]))
			continue;
		lo = lo && lo < m ? lo : m;
		hi = hi > m ? hi : m;
	}
	return lo ? hi / lo : 0;
}

static void print_sweep(enum sweep s)
{
	unsigned int k, p;

	if (s == S_MEMORY)
		printf("\nnode memory: %u nodes x %u CPUs, memory per node as given\n",
		       MEMORY_NODES, CPUS_PER_NODE);
	else
		printf("\nnodes: %u CPUs and %llu MiB per node\n", CPUS_PER_NODE,
		       NODES_BYTES >> 20);
	printf("  %-8s %5s %8s %12s   %-24s %-24s\n", s == S_MEMORY ? "per node" : "nodes", "CPUs",
	       "RAM", "frame tables", "page: min median p99", "kmalloc 64 B: min median p99");
	for (k = 0; k < NR_MACHINES; k++) {
		const struct machine *m = &machines[k];

		if (m->sweep != s)
			continue;
		if (!fits(m)) {
			printf("  (%u nodes of %u CPUs: more than NR_NODES=%u or NR_CPUS=%u)\n",
			       m->nodes, CPUS_PER_NODE, MAX_NODES, CONFIG_NR_CPUS);
			continue;
		}
		printf("  ");
		if (s == S_MEMORY)
			print_size(m->node_bytes);
		else
			printf("%7u", m->nodes);
		printf("  %5u  ", m->nodes * CPUS_PER_NODE);
		print_size(m->nodes * m->node_bytes);
		printf("  %8.1f MiB  ", frame_bytes[k] / (double)MiB(1));
		for (p = 0; p < NR_PAIRS; p++)
			printf(" %6.1f %6.1f %7.1f    ", result[k][p].min, result[k][p].median,
			       result[k][p].p99);
		printf("\n");
	}
	printf("  largest median / smallest: page %.2f, kmalloc 64 B %.2f\n", spread(s, P_PAGE),
	       spread(s, P_KMALLOC));
}

static void write_json(const char *path)
{
	FILE *f = bench_json_open(path, bench_name);
	const char *sep = "";
	unsigned int k, p;

	fprintf(f,
		"  \"method\": {\"threads\": 1, \"pinned_cpu\": 0, \"rounds\": %u, "
		"\"batches_per_round\": %u, \"pairs_per_batch\": %u, \"warmup_batches\": %u, "
		"\"machine_rebuilt_each_round\": true, \"cpus_per_node\": %u},\n",
		reps, batches, BATCH, WARMUP, CPUS_PER_NODE);
	fprintf(f, "  \"unit\": \"ns per alloc+free pair\",\n  \"rows\": [\n");
	for (k = 0; k < NR_MACHINES; k++) {
		const struct machine *m = &machines[k];

		if (!fits(m))
			continue;
		fprintf(f, "%s    {\"sweep\": \"%s\", \"nodes\": %u, \"cpus\": %u, ", sep,
			sweep_name[m->sweep], m->nodes, m->nodes * CPUS_PER_NODE);
		fprintf(f, "\"node_bytes\": %llu, \"ram_bytes\": %llu, \"frame_table_bytes\": %llu",
			m->node_bytes, m->nodes * m->node_bytes, frame_bytes[k]);
		for (p = 0; p < NR_PAIRS; p++)
			fprintf(f, ", \"%s\": {\"min\": %.2f, \"median\": %.2f, \"p99\": %.2f}",
				pair_name[p], result[k][p].min, result[k][p].median,
				result[k][p].p99);
		fprintf(f, "}");
		sep = ",\n";
	}
	fprintf(f, "\n  ]\n");
	bench_json_close(f, path);
}

int main(int argc, char **argv)
{
	const char *json = bench_parse_args(argc, argv, &reps, 1, REPS_MAX, &batches, SAMPLES_MAX);
	double t0 = now_ns();
	cpu_set_t one;
	unsigned int k, p, r;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		bench_die("cannot pin to CPU 0");
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_describe_machine();
	for (k = 0; k < NR_MACHINES; k++)
		for (p = 0; p < NR_PAIRS; p++)
			if (!(samples[k][p] = calloc((size_t)reps * batches, sizeof(double))))
				bench_die("no memory for the samples");
	for (r = 0; r < reps; r++)
		for (k = 0; k < NR_MACHINES; k++)
			if (fits(&machines[k]))
				measure(k, r);
	sweep_machine_teardown();
	for (k = 0; k < NR_MACHINES; k++)
		for (p = 0; p < NR_PAIRS && fits(&machines[k]); p++)
			result[k][p] = stats_of(samples[k][p], reps * batches);
	printf("%s: one thread pinned to CPU 0 as CPU 0 (node 0); %u rounds, each building\n"
	       "every machine afresh, then %u batches of %u pairs of each kind; ns per\n"
	       "alloc+free pair: page = alloc_pages(0) + free_pages, kmalloc = kmalloc(%u) +\n"
	       "kfree; SLIT 10 + 10 x the highest bit in which node ids differ\n",
	       bench_name, reps, batches, BATCH, OBJ_SIZE);
	printf("machine: %s\n", bench_machine);
	printf("config: PCP=%s SLAB_DEBUG=%s DEBUG=%s NR_NODES=%u NR_CPUS=%u\n",
	       IS_ENABLED(CONFIG_PCP) ? "y" : "n", IS_ENABLED(CONFIG_SLAB_DEBUG) ? "y" : "n",
	       IS_ENABLED(CONFIG_DEBUG) ? "y" : "n", MAX_NODES, CONFIG_NR_CPUS);
	for (p = 0; p < NR_SWEEPS; p++)
		print_sweep(p);
	if (json) {
		write_json(json);
		printf("results: %s\n", json);
	}
	printf("(bench_sweep took %.0f s)\n", (now_ns() - t0) / 1e9);
	return 0;
}
