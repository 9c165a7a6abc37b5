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

/*
 * Run fn on every online CPU at once: the others pick it up from their
 * idle loop (within a tick), the caller runs it too, and it returns when
 * all have finished or after 60 s (reporting the CPUs that did not).
 * Boot CPU only; fn runs with interrupts enabled.
 */
void smp_run_on_all(void (*fn)(void));

/*
 * Run the work smp_run_on_all() posted, if the calling CPU has not yet.
 * CPUs other than the boot CPU call it from their run loop.
 */
void smp_poll_work(void);

/*
 * The run loop of a CPU other than the boot CPU (sched_loop() serving
 * smp_run_on_all). Never returns.
 */
void smp_ap_idle_loop(void) __attribute__((noreturn));

#endif /* HV_SMP_H */
