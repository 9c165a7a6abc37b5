/*
 * "make bench", first part: Proxima's allocators one pair at a time
 * against the C library allocators people compare with, in the same
 * process and the same run: glibc's malloc, jemalloc and mimalloc (Debian
 * 12's libjemalloc-dev and libmimalloc-dev). One thread, pinned to one
 * CPU, so this measures the single-CPU fast paths and nothing of locks:
 *   page      an order-0 page: alloc_pages(0) + free_pages against each
 *             peer's aligned_alloc(4096, 4096) + free
 *   N B       kmalloc(N) + kfree against malloc(N) + free, N = 16, 64,
 *             256, 1024, 4096
 *   mixed     the same with every pair of a batch another size, 8 B to
 *             4 KiB (a fixed sequence): consecutive frees of different
 *             classes, where the single-size rows repeat one
 *   held      the mixed row's 64 sizes allocated, then freed in the same
 *             order: each free far from its allocation, where kfree()'s
 *             guess of the array (the last kmalloc's) is mostly wrong
 *   burst     256 kmalloc(64) then their 256 kfree, per pair
 * Proxima runs on the slab benchmark's fixture (bench_slab_fixture.c: 4
 * nodes of 128 MiB with real host memory behind them, so its metadata and
 * the pages are real memory). Every allocator is called through the same
 * kind of function pointer, so each pays the same call.
 *
 * Method: a warm-up, then --reps rounds; in each round every allocator
 * runs once, the order rotating from round to round. A run is --batches
 * batches of 64 pairs (one burst for the burst row), each timed with
 * CLOCK_MONOTONIC; the samples are ns per pair per batch. The table shows
 * the minimum, median and 99th percentile of each allocator's samples and
 * the ratio of Proxima's median to each peer's. Each peer's functions are
 * found with dlsym() in its own library, so the three live side by side:
 * mimalloc is loaded with dlopen(RTLD_LOCAL); jemalloc is linked in (its
 * thread-local data needs the static TLS block), which makes it the
 * process's malloc too, and glibc's own malloc is still reached in libc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <jemalloc/jemalloc.h>
#include <mimalloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hv/mm.h>
#include <hv/slab.h>

#include "bench_report.h"
#include "bench_slab.h"

const char bench_name[] = "bench_peers";

#define BATCH 64	 /* pairs per timed batch */
#define BURST 256	 /* objects per burst */
#define BURST_SIZE 64	 /* bytes per burst object */
#define NR_ALLOCS 4	 /* Proxima and three peers */
#define SAMPLES_MAX 4096 /* batches per run, at most */

struct allocator {
	const char *name;
	const char *version;
	void *(*malloc)(size_t size);
	void (*free)(void *p);
	void *(*page)(void);
	void (*page_free)(void *p);
};

/* ---- the allocators ------------------------------------------------------ */

static void *px_malloc(size_t size)
{
	return kmalloc(size);
}

static void px_free(void *p)
{
	kfree(p);
}

static void *px_page(void)
{
	return alloc_pages(0, 0);
}

static void px_page_free(void *p)
{
	free_pages(p, 0, false);
}

/* Each peer's own functions, looked up in its own library. */
static void *(*peer_malloc[NR_ALLOCS])(size_t);
static void (*peer_free[NR_ALLOCS])(void *);
static void *(*peer_aligned[NR_ALLOCS])(size_t, size_t);

#define PEER_FNS(i)                                 \
	static void *peer##i##_malloc(size_t size)  \
	{                                           \
		return peer_malloc[i](size);        \
	}                                           \
	static void peer##i##_free(void *p)         \
	{                                           \
		peer_free[i](p);                    \
	}                                           \
	static void *peer##i##_page(void)           \
	{                                           \
		return peer_aligned[i](4096, 4096); \
	}
PEER_FNS(1)
PEER_FNS(2)
PEER_FNS(3)

static char jemalloc_version[16], mimalloc_version[16];

static struct allocator allocs[NR_ALLOCS] = {
    {"proxima", "this tree", px_malloc, px_free, px_page, px_page_free},
    {"glibc", NULL, peer1_malloc, peer1_free, peer1_page, peer1_free},
    {"jemalloc", jemalloc_version, peer2_malloc, peer2_free, peer2_page, peer2_free},
    {"mimalloc", mimalloc_version, peer3_malloc, peer3_free, peer3_page, peer3_free},
};

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", bench_name, what);
	exit(1);
}

/*
 * malloc, free and aligned_alloc of the library lib, found in its own
 * symbol table: loaded now with its symbols kept to itself (RTLD_LOCAL),
 * or already loaded (jemalloc, whose thread-local data must be set up at
 * program start: it is linked in, and so is the process's malloc).
 */
static void find_peer(unsigned int i, const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	char why[256];

	if (!h) {
		snprintf(why, sizeof(why), "cannot load %s: %s", lib, dlerror());
		die(why);
	}
	peer_malloc[i] = (void *(*)(size_t))dlsym(h, "malloc");
	peer_free[i] = (void (*)(void *))dlsym(h, "free");
	peer_aligned[i] = (void *(*)(size_t, size_t))dlsym(h, "aligned_alloc");
	if (!peer_malloc[i] || !peer_free[i] || !peer_aligned[i]) {
		snprintf(why, sizeof(why), "%s lacks malloc, free or aligned_alloc", lib);
		die(why);
	}
}

static void find_peers(void)
{
	unsigned int i, j;

	find_peer(1, "libc.so.6");
	find_peer(2, "libjemalloc.so.2");
	find_peer(3, "libmimalloc.so.2");
	for (i = 1; i < NR_ALLOCS; i++)
		for (j = 1; j < i; j++)
			if (peer_malloc[i] == peer_malloc[j])
				die("two peers resolve to the same malloc");
	allocs[1].version = gnu_get_libc_version();
	snprintf(jemalloc_version, sizeof(jemalloc_version), "%d.%d.%d", JEMALLOC_VERSION_MAJOR,
		 JEMALLOC_VERSION_MINOR, JEMALLOC_VERSION_BUGFIX);
	snprintf(mimalloc_version, sizeof(mimalloc_version), "%d.%d.%d", MI_MALLOC_VERSION / 100,
		 MI_MALLOC_VERSION / 10 % 10, MI_MALLOC_VERSION % 10);
}

/* ---- the workloads --------------------------------------------------------- */

enum row { R_PAGE, R_16, R_64, R_256, R_1024, R_4096, R_MIXED, R_HELD, R_BURST, NR_ROWS };

static const char *const row_name[NR_ROWS] = {
    "page",
    "16 B",
    "64 B",
    "256 B",
    "1024 B",
    "4096 B",
    "mixed 8..4096 B",
    "held 64, 8..4096 B",
    "burst 256 x 64 B",
};
static const size_t row_size[NR_ROWS] = {4096, 16, 64, 256, 1024, 4096, 0, 0, BURST_SIZE};

/*
 * The mixed row's sizes, pair i of every batch asking mixed_size[i]: 8 B
 * to 4 KiB spread evenly over the powers of two, anywhere within each
 * (fill_mixed_sizes(): a fixed sequence, the same for every allocator).
 */
static size_t mixed_size[BATCH];

static void fill_mixed_sizes(void)
{
	u64 x = 0x9e3779b97f4a7c15ULL;
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		unsigned int shift;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		shift = 3 + (unsigned int)((x >> 33) % 10); /* 8 B .. 4 KiB */
		mixed_size[i] = ((size_t)1 << shift) - (size_t)((x >> 45) % ((1U << shift) / 2));
	}
}

static void *burst_objs[BURST];
static void *held_objs[BATCH];

/* One batch of row r on allocator a: BATCH pairs, or one burst of BURST. */
static void batch(const struct allocator *a, enum row r)
{
	unsigned int i;

	if (r == R_PAGE) {
		for (i = 0; i < BATCH; i++) {
			void *p = a->page();

			if (!p)
				die("a page allocation failed");
			a->page_free(p);
		}
	} else if (r == R_BURST) {
		for (i = 0; i < BURST; i++)
			if (!(burst_objs[i] = a->malloc(BURST_SIZE)))
				die("a burst allocation failed");
		for (i = 0; i < BURST; i++)
			a->free(burst_objs[i]);
	} else if (r == R_HELD) {
		for (i = 0; i < BATCH; i++) {
			if (!(held_objs[i] = a->malloc(mixed_size[i])))
				die("an allocation failed");
			*(volatile char *)held_objs[i] = (char)i;
		}
		for (i = 0; i < BATCH; i++)
			a->free(held_objs[i]);
	} else {
		for (i = 0; i < BATCH; i++) {
			void *p = a->malloc(r == R_MIXED ? mixed_size[i] : row_size[r]);

			if (!p)
				die("an allocation failed");
			/* One store, as a user would, so the object is not optimised away. */
			*(volatile char *)p = (char)i;
			a->free(p);
		}
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- measurement and statistics --------------------------------------------- */

struct stats {
	double min, median, p99;
};

static unsigned int reps = 11, batches = 2000, warmup = 200;
static double *samples[NR_ROWS][NR_ALLOCS];
static struct stats result[NR_ROWS][NR_ALLOCS];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stats stats_of(double *s, unsigned int n)
{
	qsort(s, n, sizeof(*s), cmp_double);
	return (struct stats){s[0], s[n / 2], s[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]};
}

static void measure_row(enum row r)
{
	unsigned int pairs = r == R_BURST ? BURST : BATCH, round, k, b;

	for (k = 0; k < NR_ALLOCS; k++)
		for (b = 0; b < warmup; b++)
			batch(&allocs[k], r);
	for (round = 0; round < reps; round++) {
		for (k = 0; k < NR_ALLOCS; k++) {
			unsigned int a = (round + k) % NR_ALLOCS; /* the order rotates */
			double *out = samples[r][a] + (size_t)round * batches;

			for (b = 0; b < batches; b++) {
				double t0 = now_ns();

				batch(&allocs[a], r);
				out[b] = (now_ns() - t0) / pairs;
			}
		}
	}
	for (k = 0; k < NR_ALLOCS; k++)
		result[r][k] = stats_of(samples[r][k], reps * batches);
}

/* ---- the report ----------------------------------------------------------------- */

static void print_table(void)
{
	unsigned int r, k;

	printf("%s: one thread pinned to CPU 0; %u rounds of %u batches (64 pairs, or one burst)"
	       " per allocator, order rotating; ns per alloc+free pair\n",
	       bench_name, reps, batches);
	printf("machine: %s\n", bench_machine);
	printf("allocators: proxima (this tree, kmalloc and alloc_pages), glibc %s, jemalloc %s, "
	       "mimalloc %s\n",
	       allocs[1].version, allocs[2].version, allocs[3].version);
	printf("\n%-18s", "pair");
	for (k = 0; k < NR_ALLOCS; k++)
		printf(" %22s", allocs[k].name);
	printf("   proxima / peer (medians)\n%-18s", "");
	for (k = 0; k < NR_ALLOCS; k++)
		printf(" %22s", "min  median    p99");
	printf("  %8s %8s %8s\n", "glibc", "jemalloc", "mimalloc");
	for (r = 0; r < NR_ROWS; r++) {
		printf("%-18s", row_name[r]);
		for (k = 0; k < NR_ALLOCS; k++)
			printf("  %6.1f %6.1f %7.1f", result[r][k].min, result[r][k].median,
			       result[r][k].p99);
		printf(" ");
		for (k = 1; k < NR_ALLOCS; k++)
			printf(" %7.2fx", result[r][0].median / result[r][k].median);
		printf("\n");
	}
	printf("\n(page: each peer's aligned_alloc(4096, 4096); a ratio above 1.00x means "
	       "Proxima is slower)\n");
}

static void write_json(const char *path)
{
	FILE *f = bench_json_open(path, bench_name);
	unsigned int r, k;

	fprintf(f,
		"  \"method\": {\"threads\": 1, \"pinned_cpu\": 0, \"rounds\": %u, "
		"\"batches_per_round\": %u, \"pairs_per_batch\": %u, \"burst\": %u},\n",
		reps, batches, BATCH, BURST);
	fprintf(f, "  \"allocators\": {");
	for (k = 0; k < NR_ALLOCS; k++)
		fprintf(f, "%s\"%s\": \"%s\"", k ? ", " : "", allocs[k].name, allocs[k].version);
	fprintf(f, "},\n  \"unit\": \"ns per alloc+free pair\",\n  \"rows\": [\n");
	for (r = 0; r < NR_ROWS; r++) {
		/* bytes: the object size of a kmalloc row (the size plot's x), 0 for the others. */
		fprintf(f, "    {\"pair\": \"%s\", \"bytes\": %zu", row_name[r],
			r == R_PAGE || r == R_BURST ? (size_t)0 : row_size[r]);
		for (k = 0; k < NR_ALLOCS; k++)
			fprintf(f, ", \"%s\": {\"min\": %.2f, \"median\": %.2f, \"p99\": %.2f}",
				allocs[k].name, result[r][k].min, result[r][k].median,
				result[r][k].p99);
		fprintf(f, "}%s\n", r + 1 < NR_ROWS ? "," : "");
	}
	fprintf(f, "  ]\n");
	bench_json_close(f, path);
}

int main(int argc, char **argv)
{
	const char *json = bench_parse_args(argc, argv, &reps, 7, 101, &batches, SAMPLES_MAX);
	cpu_set_t one;
	unsigned int r, k;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("cannot pin to CPU 0");
	find_peers();
	bench_describe_machine();
	fill_mixed_sizes();
	slab_fixture_init();
	slab_bench_proxima.reset();
	for (r = 0; r < NR_ROWS; r++)
		for (k = 0; k < NR_ALLOCS; k++)
			if (!(samples[r][k] = calloc((size_t)reps * batches, sizeof(double))))
				die("no memory for the samples");
	for (r = 0; r < NR_ROWS; r++)
		measure_row(r);
	if (slab_bench_proxima.problems())
		die("Proxima's allocators reported problems during the runs");
	print_table();
	if (json) {
		write_json(json);
		printf("results: %s\n", json);
	}
	return 0;
}
