/*
 * The stress-test harness behind support_stress.h: environment knobs,
 * worker threads acting as CPUs with a barrier around the main thread's
 * check after each phase, the single-threaded interleaving, the exchange
 * pool, and the abort that names the seed. Owns only the run in progress
 * (one at a time, started from the test's main thread); the fixture, the
 * workers and the checks are the test's.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <hv/lib.h>

#include "fake_arch.h"
#include "support_heap.h"
#include "support_stress.h"

#define PROGRESS_SECONDS 3 /* at least this long between two progress lines */

static struct stress_test *running;
static pthread_barrier_t barrier;
static u64 ops_each; /* steps of a worker thread per phase */
static struct timespec last_progress;

u64 stress_knob(const struct stress_test *t, const char *knob, u64 dflt)
{
	char name[64];
	const char *v;

	snprintf(name, sizeof(name), "%s_%s", t->env, knob);
	v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

bool stress_quick(void)
{
	const char *v = getenv("PROXIMA_QUICK");

	return v && *v && strcmp(v, "0");
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/*
 * After a seed: a TAP comment (so the plan and the counts are untouched)
 * when PROGRESS_SECONDS have passed, so a long run shows it is alive.
 */
static void progress(const struct stress_test *t, const char *kind, u64 seed, u64 seeds, u64 ops)
{
	if (seed < seeds && seconds_since(&last_progress) < PROGRESS_SECONDS)
		return;
	printf("# %s (%s): seed %llu of %llu, %llu operations\n", t->name, kind, seed, seeds,
	       (seed * ops));
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &last_progress);
}

void stress_die(const struct stress_worker *w, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s, seed %llu, worker %d (CPU %u): ", running ? running->name : "stress",
		running ? running->seed : 0ULL, w ? (int)w->id : -1, w ? w->cpu : 0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nconsole:\n%s\n", console_text());
	abort();
}

static struct stress_worker *worker(const struct stress_test *t, unsigned int i)
{
	return (struct stress_worker *)((char *)t->workers + i * t->worker_size + t->sw_offset);
}

/* The fixture, the workers and the pool for a new seed. */
static void start(struct stress_test *t, u64 seed)
{
	unsigned int i;

	running = t;
	t->seed = seed;
	t->build();
	memset(t->workers, 0, t->worker_size * t->max_workers);
	t->pool->nr = 0;
	for (i = 0; i < t->nr_workers; i++) {
		struct stress_worker *w = worker(t, i);

		w->id = i;
		w->cpu =
		    heapfx_cpu(t->nodes[(seed + i) % t->nr_nodes], (unsigned int)(seed / 4) & 1);
		w->rng = seed * 0x9e3779b97f4a7c15ULL + i + 1;
	}
}

static void *worker_main(void *arg)
{
	struct stress_worker *w = arg;
	unsigned int p;
	u64 i;

	hosted_cpu_id = w->cpu;
	for (p = 0; p < running->phases; p++) {
		for (i = 0; i < ops_each; i++)
			running->step(w);
		pthread_barrier_wait(&barrier); /* phase done */
		pthread_barrier_wait(&barrier); /* main thread checked */
	}
	return NULL;
}

/* One seed of the threaded test. */
static void run_threaded(struct stress_test *t, u64 seed, u64 ops)
{
	unsigned int i, p;
	char when[64];

	start(t, seed);
	ops_each = DIV_ROUND_UP(ops, (u64)t->nr_workers * t->phases);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, t->nr_workers + 1), 0);
	for (i = 0; i < t->nr_workers; i++)
		assert_int_equal(
		    pthread_create(&worker(t, i)->thread, NULL, worker_main, worker(t, i)), 0);
	for (p = 0; p < t->phases; p++) {
		pthread_barrier_wait(&barrier);
		snprintf(when, sizeof(when), "after phase %u", p);
		t->check_quiet(when);
		pthread_barrier_wait(&barrier);
	}
	for (i = 0; i < t->nr_workers; i++)
		pthread_join(worker(t, i)->thread, NULL);
	pthread_barrier_destroy(&barrier);
	t->finish();
}

u64 stress_threaded(struct stress_test *t, void (*tally)(void))
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool quick = stress_quick();
	u64 seeds = stress_knob(t, "SEEDS", quick ? MIN(t->seeds, STRESS_QUICK_SEEDS) : t->seeds);
	u64 ops = stress_knob(t, "OPS", quick ? t->ops / 4 : t->ops), seed;
	u64 dflt = cpus < 2 ? 2 : MIN((u64)cpus * t->threads_per_cpu, t->max_workers);

	t->nr_workers = (unsigned int)stress_knob(t, "THREADS", dflt);
	assert_true(t->nr_workers >= 2 && t->nr_workers <= t->max_workers);
	clock_gettime(CLOCK_MONOTONIC, &last_progress);
	for (seed = 1; seed <= seeds; seed++) {
		run_threaded(t, seed, ops);
		tally();
		progress(t, "threads", seed, seeds, ops);
	}
	return seeds;
}

void stress_stepped(struct stress_test *t, u64 seeds, u64 ops)
{
	u64 seed, i;

	if (stress_quick())
		ops = MAX(ops / 4, 1);
	t->nr_workers = t->max_workers;
	clock_gettime(CLOCK_MONOTONIC, &last_progress);
	for (seed = 1; seed <= seeds; seed++) {
		start(t, seed);
		for (i = 0; i < ops; i++) {
			t->step(worker(t, stress_rnd(worker(t, 0)) % t->nr_workers));
			t->check_quiet("after a step");
		}
		t->finish();
		progress(t, "one thread", seed, seeds, ops);
	}
}

/* Move a random one of from's *from_nr entries to the end of to; from's last fills the hole. */
static void move_random(struct stress_worker *w, u8 *to, unsigned int *to_nr, u8 *from,
			unsigned int *from_nr, size_t size)
{
	size_t j = stress_rnd(w) % *from_nr;

	memcpy(to + (*to_nr)++ * size, from + j * size, size);
	(*from_nr)--;
	memmove(from + j * size, from + *from_nr * size, size);
}

void stress_exchange(struct stress_worker *w, struct stress_pool *pool, bool give, void *held,
		     unsigned int *nr, unsigned int hold_max)
{
	pthread_mutex_lock(&pool->lock);
	if (give && *nr && pool->nr < pool->max)
		move_random(w, pool->v, &pool->nr, held, nr, pool->size);
	else if (!give && pool->nr && *nr < hold_max)
		move_random(w, held, nr, pool->v, &pool->nr, pool->size);
	pthread_mutex_unlock(&pool->lock);
}
