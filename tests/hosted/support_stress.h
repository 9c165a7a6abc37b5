/*
 * The harness of the hosted property tests under concurrency
 * (support_stress.c): knobs from the environment, worker threads that
 * each act as a CPU of a heap fixture, phases ended by a barrier so the
 * main thread can check the quiet state, the same workers interleaved on
 * one thread with a check after every step, and a locked pool through
 * which workers hand what they hold to one another. The test owns its
 * fixture, its operations and its checks; its worker struct embeds a
 * struct stress_worker named sw:
 *
 *	struct worker {
 *		struct stress_worker sw;
 *		unsigned int nr;
 *		struct obj held[HOLD_MAX];
 *	};
 *	static struct worker workers[MAX_WORKERS];
 *	static struct obj pooled[POOL_MAX];
 *	static struct stress_pool pool = STRESS_POOL(pooled);
 *	static struct stress_test stress = {
 *		.name = "slab stress", .env = "PROXIMA_SLAB", ...,
 *		STRESS_WORKERS(workers), .pool = &pool, .build = build, ...
 *	};
 *
 * Runs are started from the test's main thread, one at a time. A worker
 * thread cannot fail a cmocka test: stress_die() prints what went wrong,
 * the seed and the console, and aborts.
 */
#ifndef HOSTED_SUPPORT_STRESS_H
#define HOSTED_SUPPORT_STRESS_H

#include <pthread.h>
#include <stddef.h>

#include <hv/compiler.h>
#include <hv/types.h>

/* Seeds 1 to 4: every worker on the first, then on the second CPU of a node. */
#define STRESS_QUICK_SEEDS 4

struct stress_worker {
	pthread_t thread;
	unsigned int id;
	unsigned int cpu; /* hosted_cpu_id while the worker runs */
	u64 rng;	  /* xorshift64 state, never 0 */
};

/*
 * The exchange pool: up to max entries of size bytes in v[], of the type
 * the workers hold. STRESS_POOL(array) initializes one over an array.
 */
struct stress_pool {
	pthread_mutex_t lock;
	void *v;
	size_t size;
	unsigned int nr, max;
};

#define STRESS_POOL(array)                                                                   \
	{                                                                                    \
		.lock = PTHREAD_MUTEX_INITIALIZER, .v = (array), .size = sizeof((array)[0]), \
		.max = ARRAY_SIZE(array)                                                     \
	}

/* What a test plugs into the harness; the last two fields are the harness's. */
struct stress_test {
	const char *name;	      /* starts every stress_die() line */
	const char *env;	      /* prefix of the knobs: <env>_SEEDS, <env>_OPS, ... */
	u64 seeds, ops;		      /* the threaded test's defaults: seeds, operations each */
	unsigned int threads_per_cpu; /* the default number of threads, per online CPU */
	unsigned int phases;	      /* of a threaded run, each followed by check_quiet() */
	/*
	 * The nodes the workers act as CPUs of: worker i of seed s runs on
	 * nodes[(s + i) % nr_nodes], on the node's second CPU when (s / 4)
	 * is odd, so successive seeds move every worker around.
	 */
	const unsigned int *nodes;
	unsigned int nr_nodes;
	/* The test's workers (see STRESS_WORKERS()), zeroed for every seed. */
	void *workers;
	size_t worker_size, sw_offset;
	unsigned int max_workers; /* the threaded test's most, and the stepped test's */
	struct stress_pool *pool; /* emptied for every seed */
	/* Build the fixture for a new seed (the previous one is torn down). */
	void (*build)(void);
	/* One random operation; sets hosted_cpu_id to w->cpu first. */
	void (*step)(struct stress_worker *w);
	/* Everything that must hold with no operation in flight, or stress_die(). */
	void (*check_quiet)(const char *when);
	/* Free what the workers and the pool hold and check that nothing is left. */
	void (*finish)(void);
	unsigned int nr_workers; /* of the run in progress */
	u64 seed;		 /* of the run in progress, for stress_die() */
};

/* The stress_test fields that describe an array of workers with a member sw. */
#define STRESS_WORKERS(array)                                  \
	.workers = (array), .worker_size = sizeof((array)[0]), \
	.sw_offset = offsetof(__typeof__((array)[0]), sw), .max_workers = ARRAY_SIZE(array)

/*
 * The knob <t->env>_<knob> from the environment as a number (strtoull,
 * any base), or dflt if it is unset or empty.
 */
u64 stress_knob(const struct stress_test *t, const char *knob, u64 dflt);

/*
 * True when PROXIMA_QUICK is set and not "0" (make check QUICK=1): the
 * runs below then take shorter defaults, and knobs set in the
 * environment still win.
 */
bool stress_quick(void);

/*
 * The threaded test: <env>_THREADS workers (by default threads_per_cpu
 * for each online CPU, at least 2 and at most max_workers; the test fails
 * outside that), each a thread acting as a CPU. Every seed from 1 to
 * <env>_SEEDS builds the fixture, runs <env>_OPS operations in t->phases
 * phases, each ended by a barrier and t->check_quiet() on the calling
 * thread, then calls t->finish() and tally(), which may add up the
 * workers' counts. Returns the number of seeds run. The defaults are
 * t->seeds and t->ops; with stress_quick(), at most STRESS_QUICK_SEEDS
 * seeds of a quarter of t->ops. A run prints a TAP comment line of
 * progress ("# <name>: seed 3 of 8, ...") after a seed when a few seconds
 * have passed since the last one.
 */
u64 stress_threaded(struct stress_test *t, void (*tally)(void));

/*
 * The single-threaded test: max_workers workers interleaved on the
 * calling thread (each step's worker chosen with worker 0's generator),
 * seeds 1 to seeds of ops steps each (a quarter of ops with
 * stress_quick()), every step followed by t->check_quiet(), every seed
 * ended by t->finish(); progress lines as for stress_threaded().
 */
void stress_stepped(struct stress_test *t, u64 seeds, u64 ops);

/*
 * Print the running test's name, its seed, the worker (w may be NULL for
 * the main thread), the message and the console, then abort.
 */
void __attribute__((noreturn, format(printf, 2, 3)))
stress_die(const struct stress_worker *w, const char *fmt, ...);

/* The worker's next random number. */
static inline u64 stress_rnd(struct stress_worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/*
 * Under the pool's lock, hand a random one of the *nr entries of held[]
 * to the pool (give), or take a random one from it (usually another
 * worker's) into held[], which holds hold_max at most; nothing happens
 * when the giving side is empty or the taking side full. The last entry
 * fills the hole.
 */
void stress_exchange(struct stress_worker *w, struct stress_pool *pool, bool give, void *held,
		     unsigned int *nr, unsigned int hold_max);

#endif /* HOSTED_SUPPORT_STRESS_H */
