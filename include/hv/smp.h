/*
 * Which CPUs run (hypervisor/smp.c). cpu_online_mask gains a bit as each
 * CPU checks in during boot and is read-only afterwards.
 */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <hv/cpumask.h>

extern struct cpumask cpu_online_mask;

/* Start the other CPUs and print how many are online per node. */
void smp_init(void);

#endif /* HV_SMP_H */
