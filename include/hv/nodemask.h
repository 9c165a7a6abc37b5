/*
 * Node sets: a fixed bitmap of MAX_NODES bits, indexed by dense node id
 * (struct topology's numbering), and the one definition of MAX_NODES.
 * Plain data like struct cpumask, no locking: callers own their masks or
 * read ones that no longer change. Every operation ignores node ids at or
 * above MAX_NODES (set and clear do nothing, test says false).
 */
#ifndef HV_NODEMASK_H
#define HV_NODEMASK_H

#include <hv/types.h>

/* The node limit: CONFIG_NR_NODES with NUMA, one node without. */
#ifdef CONFIG_NR_NODES
#define MAX_NODES CONFIG_NR_NODES
#else
#define MAX_NODES 1
#endif

/* Node ids travel in 8 bits of the allocation flags (MEMF_NODE). */
_Static_assert(MAX_NODES >= 1 && MAX_NODES <= 256, "NR_NODES is 1..256");

#define NODEMASK_WORDS ((MAX_NODES + 63) / 64)

struct nodemask {
	u64 bits[NODEMASK_WORDS];
};

/* Empty the set. */
static inline void nodemask_zero(struct nodemask *m)
{
	unsigned int i;

	for (i = 0; i < NODEMASK_WORDS; i++)
		m->bits[i] = 0;
}

/* Nodes 0 .. nr-1 (nr at most MAX_NODES), nothing else. */
static inline void nodemask_fill(struct nodemask *m, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < NODEMASK_WORDS; i++) {
		if (nr >= 64 * (i + 1))
			m->bits[i] = ~0ULL;
		else if (nr > 64 * i)
			m->bits[i] = ~0ULL >> (64 - (nr - 64 * i));
		else
			m->bits[i] = 0;
	}
}

static inline void nodemask_set(struct nodemask *m, unsigned int node)
{
	if (node < MAX_NODES)
		m->bits[node / 64] |= 1ULL << (node % 64);
}

/* Add a node while other CPUs may add others to the same mask. */
static inline void nodemask_set_atomic(struct nodemask *m, unsigned int node)
{
	if (node < MAX_NODES)
		__atomic_fetch_or(&m->bits[node / 64], 1ULL << (node % 64), __ATOMIC_RELEASE);
}

static inline void nodemask_clear(struct nodemask *m, unsigned int node)
{
	if (node < MAX_NODES)
		m->bits[node / 64] &= ~(1ULL << (node % 64));
}

static inline bool nodemask_test(const struct nodemask *m, unsigned int node)
{
	return node < MAX_NODES && (m->bits[node / 64] >> (node % 64)) & 1;
}

static inline unsigned int nodemask_weight(const struct nodemask *m)
{
	unsigned int i, n = 0;

	/* Bit by bit: the image has no libgcc for a popcount call. */
	for (i = 0; i < NODEMASK_WORDS; i++) {
		u64 w = m->bits[i];

		for (; w; w &= w - 1)
			n++;
	}
	return n;
}

/* The lowest node in m above node (-1: from the start), or MAX_NODES if none. */
static inline unsigned int nodemask_next(const struct nodemask *m, int node)
{
	unsigned int n = (unsigned int)(node + 1);

	while (n < MAX_NODES) {
		u64 w = m->bits[n / 64] >> (n % 64);

		if (w) {
			n += (unsigned int)__builtin_ctzll(w);
			return n < MAX_NODES ? n : MAX_NODES;
		}
		n = (n / 64 + 1) * 64;
	}
	return MAX_NODES;
}

/* The lowest node in m, or MAX_NODES if m is empty. */
static inline unsigned int nodemask_first(const struct nodemask *m)
{
	return nodemask_next(m, -1);
}

/* Every node of m in ascending order; n is an unsigned int. */
#define for_each_node_mask(n, m) \
	for ((n) = nodemask_first(m); (n) < MAX_NODES; (n) = nodemask_next((m), (int)(n)))

/*
 * Room for any node list: each node writes at most one number (up to 3
 * digits) and one separator, plus the terminator.
 */
#define NODEMASK_LIST_MAX (4 * MAX_NODES + 1)

/*
 * Write m as a node list ("0-1,4", or "-" when empty) into buf, always
 * terminated; a list that does not fit ends in "..." (when size >= 4).
 * Returns the length the whole list needs (like snprintf).
 */
int nodemask_format(char *buf, size_t size, const struct nodemask *m);

#endif /* HV_NODEMASK_H */
