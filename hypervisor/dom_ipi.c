/*
 * Interprocessor interrupts between a domain's vCPUs (dom_send_ipi() of
 * <hv/domain.h>): what a vCPU's APIC sends by an ICR write reaches the
 * APICs it names, and their CPUs are kicked so that a vCPU in guest mode
 * or asleep in HLT sees it at once.
 *
 * Fixed and lowest-priority interrupts go into the destination's IRR
 * (lowest priority to the first destination found: the architecture
 * lets any one of them take it). INIT puts a vCPU that has not started
 * into wait-for-SIPI and resets its APIC; a start-up IPI then starts it
 * in real mode at the vector's page (arch_vcpu_sipi()), once; the INIT
 * de-assert is nothing (Intel SDM vol. 3, "MP Initialization"; AMD APM
 * vol. 2, 16.5). A vCPU that runs already ignores INIT and start-up, and
 * one not started ignores interrupts, as a processor in wait-for-SIPI
 * does. NMI, SMI and the rest are not delivered: each kind is logged
 * once per domain. INIT and start-up change the destination's state
 * under the domain's lock, as the vcpu_up hypercall does.
 */
#include <hv/domain.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/vlapic.h>

/* what: a delivery mode (0-7), or LOG_INIT_RUNNING. */
#define LOG_INIT_RUNNING 8

static void log_once(struct vcpu *src, unsigned int what, unsigned int arg)
{
	struct domain *d = src->dom;
	u32 bit = 1U << what;

	if (__atomic_fetch_or(&d->ipi_logged, bit, __ATOMIC_RELAXED) & bit)
		return;
	if (what == LOG_INIT_RUNNING)
		printk(LOG_INFO,
		       "domain %u: vCPU %u: INIT to running vCPU %u ignored (logged once)\n", d->id,
		       src->id, arg);
	else
		printk(LOG_INFO,
		       "domain %u: vCPU %u: IPI of delivery mode %u not delivered (logged once)\n",
		       d->id, src->id, arg);
}

static void ipi_init(struct vcpu *src, struct vcpu *t)
{
	struct domain *d = t->dom;
	unsigned long flags = spin_lock_irqsave(&d->lock);

	if (READ_ONCE(t->state) == VCPU_DOWN) {
		u64 base = t->lapic.apic_base;

		vlapic_init(&t->lapic, t->id, false);
		t->lapic.apic_base = base; /* INIT keeps IA32_APIC_BASE */
		t->wait_sipi = true;
	} else {
		log_once(src, LOG_INIT_RUNNING, t->id);
	}
	spin_unlock_irqrestore(&d->lock, flags);
}

static void ipi_startup(struct vcpu *t, unsigned int vector)
{
	struct domain *d = t->dom;
	unsigned long flags = spin_lock_irqsave(&d->lock);
	bool started = false;

	if (READ_ONCE(t->state) == VCPU_DOWN && t->wait_sipi) {
		arch_vcpu_sipi(t, (u8)vector);
		t->wait_sipi = false;
		__atomic_store_n(&t->state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
		started = true;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (started)
		sched_kick(t);
}

/* Deliver ipi from src to t, one of its destinations. */
static void deliver(struct vcpu *src, struct vcpu *t, const struct vlapic_ipi *ipi)
{
	switch (ipi->delivery) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		if (READ_ONCE(t->state) == VCPU_DOWN)
			return;
		vlapic_raise(&t->lapic, ipi->vector);
		sched_kick(t);
		return;
	case VLAPIC_DM_INIT:
		if (ipi->level && !ipi->assert)
			return; /* the de-assert: nothing on processors since the Pentium 4 */
		ipi_init(src, t);
		return;
	case VLAPIC_DM_STARTUP:
		ipi_startup(t, ipi->vector);
		return;
	}
	log_once(src, ipi->delivery, ipi->delivery);
}

void dom_send_ipi(struct vcpu *src, const struct vlapic_ipi *ipi)
{
	struct domain *d = src->dom;
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpu[i];

		if (!vlapic_ipi_match(&t->lapic, ipi, t == src))
			continue;
		deliver(src, t, ipi);
		if (ipi->delivery == VLAPIC_DM_LOWEST)
			return;
	}
}
