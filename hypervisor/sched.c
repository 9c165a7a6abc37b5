/*
 * The vCPU scheduler: per-CPU run queues of the vCPUs homed there, round
 * robin with a time slice from the tick, HLT yielding the CPU, and the
 * reaping of dying domains' vCPUs (see include/hv/sched.h).
 *
 * A run queue is a circular list through vcpu.rq_next, changed under its
 * CPU's lock; the CPU itself is the only one that runs or reaps its
 * vCPUs. A vCPU's state is written by its CPU (HLT) and by the vCPUs of
 * its domain (vcpu_up, IPIs), with atomics; whoever makes a vCPU
 * runnable, or raises an interrupt for it, kicks its CPU (sched_kick()),
 * and an idle CPU sleeps only until the first APIC timer of its halted
 * vCPUs is due (arch_timer_at()) or its next tick.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <hv/spinlock.h>
#include <hv/topology.h>
#include <hv/vlapic.h>

struct run_queue {
	struct spinlock lock;
	struct vcpu *last; /* the vCPU that ran last; the next one follows it */
	unsigned int nr;
	bool kicked; /* a vCPU here got work: do not go idle before looking */
};

static struct run_queue rq[CONFIG_NR_CPUS];

void sched_add_vcpu(struct vcpu *v)
{
	struct run_queue *q = &rq[v->pcpu];
	unsigned long flags = spin_lock_irqsave(&q->lock);

	if (!q->last) {
		v->rq_next = v;
	} else {
		v->rq_next = q->last->rq_next;
		q->last->rq_next = v;
	}
	q->last = v;
	q->nr++;
	spin_unlock_irqrestore(&q->lock, flags);
}

unsigned int sched_nr_vcpus(unsigned int cpu)
{
	return READ_ONCE(rq[cpu].nr);
}

unsigned int sched_pick_cpu(nodeid_t n)
{
	const struct topo_node *tn = &topo->node[n];
	unsigned int c, best = ~0U, i;
	nodeid_t m = n;

	for (i = 0; i <= tn->nr_fallback; i++) {
		m = i == 0 ? n : tn->fallback[i - 1];
		for (c = 0; c < topo->nr_cpus; c++) {
			if (cpu_to_node(c) != m || !cpumask_test(&cpu_online_mask, c))
				continue;
			if (best == ~0U || rq[c].nr < rq[best].nr)
				best = c;
		}
		if (best != ~0U)
			return best;
	}
	/* A node with neither CPUs nor memory-holding neighbours: any CPU. */
	for (c = 0; c < topo->nr_cpus; c++)
		if (cpumask_test(&cpu_online_mask, c) && (best == ~0U || rq[c].nr < rq[best].nr))
			best = c;
	return best == ~0U ? 0 : best;
}

void sched_kick(struct vcpu *v)
{
	struct run_queue *q = &rq[v->pcpu];

	/*
	 * The caller's change (an IRR bit, the state) before in_guest and
	 * state are read here; arch_vcpu_run() sets in_guest before it
	 * looks at IRR, and HLT sets BLOCKED before the CPU asks whether the
	 * vCPU should wake: one side sees the other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (v->pcpu == arch_cpu_id()) {
		/* This CPU looks before it enters the guest again or idles. */
		__atomic_store_n(&q->kicked, true, __ATOMIC_SEQ_CST);
		return;
	}
	if (__atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&v->state, __ATOMIC_SEQ_CST) != VCPU_DOWN) {
		__atomic_store_n(&q->kicked, true, __ATOMIC_SEQ_CST);
		arch_cpu_kick(v->pcpu);
	}
}

/* Take v off q (q locked). */
static void remove_locked(struct run_queue *q, struct vcpu *v)
{
	struct vcpu *p = q->last;

	while (p->rq_next != v)
		p = p->rq_next;
	if (p == v) {
		q->last = NULL;
	} else {
		p->rq_next = v->rq_next;
		if (q->last == v)
			q->last = p;
	}
	v->rq_next = NULL;
	q->nr--;
}

/*
 * The next runnable vCPU after the one that ran last, or NULL. vCPUs of
 * dying domains are taken off the queue and let go on the way. With
 * NULL, *wake is the TSC at which the first halted vCPU's APIC timer
 * expires (VLAPIC_NO_TIMER: none), for the CPU to wake then.
 */
static struct vcpu *pick_next(struct run_queue *q, u64 *wake)
{
	struct vcpu *gone[8], *v, *found = NULL;
	unsigned int nr_gone = 0, i, n;
	unsigned long flags = spin_lock_irqsave(&q->lock);

	*wake = VLAPIC_NO_TIMER;
	v = q->last ? q->last->rq_next : NULL;
	for (n = q->nr; v && n; n--) {
		struct vcpu *next = v->rq_next;

		if (READ_ONCE(v->dom->state) == DOM_DYING && nr_gone < ARRAY_SIZE(gone)) {
			remove_locked(q, v);
			gone[nr_gone++] = v;
		} else if (READ_ONCE(v->state) == VCPU_BLOCKED && arch_vcpu_wake_due(v)) {
			/* Its APIC timer expired or an interrupt waits: out of HLT. */
			__atomic_compare_exchange_n(&v->state, &(enum vcpu_state){VCPU_BLOCKED},
						    VCPU_RUNNABLE, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_RELAXED);
			found = v;
			q->last = v;
			break;
		} else if (READ_ONCE(v->state) == VCPU_RUNNABLE) {
			found = v;
			q->last = v;
			break;
		} else if (READ_ONCE(v->state) == VCPU_BLOCKED) {
			*wake = MIN(*wake, vlapic_next_event(&v->lapic));
		}
		v = q->last ? next : NULL;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	for (i = 0; i < nr_gone; i++)
		dom_vcpu_gone(gone[i]);
	return found;
}

/* Is another vCPU on q waiting to run? */
static bool others_runnable(struct run_queue *q, struct vcpu *self)
{
	struct vcpu *v;
	bool any = false;
	unsigned long flags = spin_lock_irqsave(&q->lock);

	for (v = self->rq_next; v && v != self && !any; v = v->rq_next)
		any = READ_ONCE(v->state) == VCPU_RUNNABLE || READ_ONCE(v->dom->state) == DOM_DYING;
	spin_unlock_irqrestore(&q->lock, flags);
	return any;
}

/*
 * Should a halted vCPU on q other than self run now (an interrupt waits
 * in its APIC, or its timer has expired)? If not, *next is when the
 * first of their timers expires (VLAPIC_NO_TIMER: none). On v's CPU.
 */
static bool sibling_wakes(struct run_queue *q, struct vcpu *self, u64 *next)
{
	struct vcpu *v;
	bool due = false;
	unsigned long flags = spin_lock_irqsave(&q->lock);

	*next = VLAPIC_NO_TIMER;
	for (v = self->rq_next; v && v != self && !due; v = v->rq_next) {
		if (READ_ONCE(v->state) != VCPU_BLOCKED)
			continue;
		due = arch_vcpu_wake_due(v);
		*next = MIN(*next, vlapic_next_event(&v->lapic));
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return due;
}

/*
 * Run v for up to a slice, until it halts, until its domain dies, or
 * until a halted vCPU sharing its CPU has an interrupt to take: that one
 * runs at once (its timer is armed on this CPU while v runs, and an IPI
 * for it kicks this CPU), as it would on a CPU of its own, not a slice
 * later.
 */
static void run_slice(struct run_queue *q, struct vcpu *v, void (*poll)(void))
{
	unsigned int hz = arch_tick_hz();
	u64 slice = MAX(1ULL, (u64)CONFIG_SCHED_SLICE_MS * hz / 1000);
	u64 start = arch_cpu_ticks();
	struct domain *d = v->dom;
	bool look = true;

	WRITE_ONCE(v->on_cpu, true);
	for (;;) {
		enum hvm_exit ev;

		if (look) {
			u64 next;
			unsigned long flags;

			if (sibling_wakes(q, v, &next))
				break;
			flags = arch_irq_save();
			arch_timer_at(next);
			arch_irq_restore(flags);
		}
		ev = arch_vcpu_run(v);
		/* A host interrupt (a timer, a kick) or a kick from this CPU: look again. */
		look =
		    ev == HVM_EXIT_INTR || __atomic_exchange_n(&q->kicked, false, __ATOMIC_ACQ_REL);

		v->exits++;
		if (ev == HVM_EXIT_CRASH) {
			dom_shutdown(d, DOM_CRASHED, v);
			break;
		}
		if (ev == HVM_EXIT_HALT) {
			/* Sleeps until something makes it runnable again. */
			__atomic_compare_exchange_n(&v->state, &(enum vcpu_state){VCPU_RUNNABLE},
						    VCPU_BLOCKED, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_RELAXED);
		}
		if (READ_ONCE(d->state) == DOM_DYING || READ_ONCE(v->state) != VCPU_RUNNABLE)
			break;
		if (ev == HVM_EXIT_INTR) {
			if (poll)
				poll();
			if (arch_cpu_ticks() - start >= slice && others_runnable(q, v))
				break;
		}
	}
	WRITE_ONCE(v->on_cpu, false);
}

void sched_loop(void (*poll)(void))
{
	struct run_queue *q = &rq[arch_cpu_id()];
	unsigned int idle = 0;

	for (;;) {
		struct vcpu *v;
		u64 wake;

		arch_irq_enable();
		if (poll)
			poll();
		v = pick_next(q, &wake);
		if (v) {
			run_slice(q, v, poll);
			idle = 0;
			continue;
		}
		heap_idle(idle);
		slab_idle(idle);
		if (idle < ~0U)
			idle++;
		arch_irq_disable();
		/* A kick after pick_next() looked: look again (its IPI may be taken already). */
		if (!__atomic_exchange_n(&q->kicked, false, __ATOMIC_SEQ_CST)) {
			arch_timer_at(wake); /* a halted vCPU's timer wakes this CPU on time */
			arch_idle();
		}
	}
}
