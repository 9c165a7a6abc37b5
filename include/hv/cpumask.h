/*
 * CPU sets: a fixed bitmap of CONFIG_NR_CPUS bits, indexed by logical CPU
 * number (0 is the boot CPU). Plain data, no locking: callers own their
 * masks or read ones that no longer change after boot.
 */
#ifndef HV_CPUMASK_H
#define HV_CPUMASK_H

#include <hv/types.h>

#define CPUMASK_WORDS ((CONFIG_NR_CPUS + 63) / 64)

struct cpumask {
	u64 bits[CPUMASK_WORDS];
};

static inline void cpumask_clear(struct cpumask *m)
{
	unsigned int i;

	for (i = 0; i < CPUMASK_WORDS; i++)
		m->bits[i] = 0;
}

static inline void cpumask_set(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS)
		m->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

/* Set a bit while other CPUs may set others in the same mask. */
static inline void cpumask_set_atomic(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CONFIG_NR_CPUS)
		__atomic_fetch_or(&m->bits[cpu / 64], 1ULL << (cpu % 64), __ATOMIC_RELEASE);
}

static inline bool cpumask_test(const struct cpumask *m, unsigned int cpu)
{
	return cpu < CONFIG_NR_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline unsigned int cpumask_weight(const struct cpumask *m)
{
	unsigned int i, n = 0;

	/* Bit by bit: the image has no libgcc for a popcount call. */
	for (i = 0; i < CPUMASK_WORDS; i++) {
		u64 w = m->bits[i];

		for (; w; w &= w - 1)
			n++;
	}
	return n;
}

/*
 * Room for any CPU list: each CPU writes at most one number (up to 4
 * digits) and one separator, plus the terminator.
 */
#define CPUMASK_LIST_MAX (5 * CONFIG_NR_CPUS + 1)

/*
 * Write m as a CPU list ("0-1,4", or "-" when empty) into buf, always
 * terminated; a list that does not fit ends in "..." (when size >= 4).
 * Returns the length the whole list needs (like snprintf).
 */
int cpumask_format(char *buf, size_t size, const struct cpumask *m);

#endif /* HV_CPUMASK_H */
