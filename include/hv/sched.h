/*
 * The vCPU scheduler (hypervisor/sched.c): each vCPU has a home physical
 * CPU and stays there; each CPU runs the runnable vCPUs homed on it in
 * turn, a time slice (CONFIG_SCHED_SLICE_MS) each, and does idle work
 * (scrubbing, cache trimming) when none is runnable. Every CPU's loop also
 * lets go of the vCPUs of dying domains, and the boot CPU's serves the
 * debug keys between guest exits, so a spinning guest stalls neither.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/compiler.h>
#include <hv/types.h>

struct vcpu;
struct nodemask;

/* Home v on CPU v->pcpu (v->state says whether it can run yet). */
void sched_add_vcpu(struct vcpu *v);

/*
 * The online CPU on node n (or, if n has none, on the nearest node that
 * has some) with the fewest vCPUs homed, ties to the lowest id.
 */
unsigned int sched_pick_cpu(nodeid_t n);

/*
 * v has something new to do (an interrupt in its APIC's IRR, a start):
 * have its CPU look at once, out of guest mode or out of idle, without
 * waiting for its next tick (from v's own CPU: when it next leaves the
 * guest it runs). Any CPU.
 */
void sched_kick(struct vcpu *v);

/* vCPUs homed on cpu. */
unsigned int sched_nr_vcpus(unsigned int cpu);

/*
 * The run loop of every CPU, entered once boot is done; never returns.
 * poll (may be NULL) is called between guest exits at least every tick,
 * and on every pass of the idle loop.
 */
void sched_loop(void (*poll)(void)) __noreturn;

#endif /* HV_SCHED_H */
