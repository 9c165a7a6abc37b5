/*
 * The apic argument: the x2APIC as Proxima offers it (CPUID leaf 1: APIC
 * EDX bit 9, x2APIC ECX bit 21, TSC-deadline ECX bit 24; IA32_APIC_BASE
 * 0x1b with EN bit 11, EXTD bit 10, BSP bit 8 at 0xfee00000; x2APIC id
 * 0x802 and version 0x803), and its TSC-deadline timer end to end: SVR
 * enabled, LVT timer (0x832) in TSC-deadline mode (bits 17-18 = 2) with
 * APIC_TIMER_VECTOR, a deadline 10 ms ahead in IA32_TSC_DEADLINE (0x6e0),
 * then STI; HLT until the interrupt comes, whose handler writes EOI
 * (0x80b). Then 20 deadlines 1 ms ahead, each slept through in HLT, and
 * how late each interrupt came: its median and maximum. Prints what it
 * saw; a step that fails crashes the guest.
 *
 * The ipi argument (apic_ipi_test(), on vCPUs 0 and 1): vCPU 0 sends 20
 * fixed IPIs (ICR 0x830, destination 1 in bits 32-63, vector
 * APIC_TIMER_VECTOR) to vCPU 1 while it spins with interrupts on, then 20
 * while it sleeps in HLT, and prints how long each took to arrive (median
 * and maximum): vCPU 1's CPU must be kicked at once, not find the IPI at
 * its next tick.
 *
 * The share argument (apic_share_test(), with 3 vCPUs on a node of 2
 * CPUs, so that vCPUs 0 and 2 share one): vCPU 2 sleeps through twenty
 * 1 ms TSC deadlines in HLT while vCPU 0 spins on their CPU with
 * interrupts on, and prints how late each interrupt came: the halted
 * vCPU must get its CPU when its timer fires, not when the busy one's
 * time slice ends.
 */
#include "guest.h"

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ISR7 0x817 /* vectors 224-255 */
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832

static volatile unsigned int ticks;
static volatile u64 tick_tsc;

void apic_timer_irq(void)
{
	tick_tsc = rdtsc();
	ticks++;
	wrmsr(X2APIC_EOI, 0);
}

#define ROUNDS 20

/* Sleep in HLT until the timer fires at deadline; how late it came, in us. */
static u64 sleep_until(u64 deadline, u64 khz)
{
	unsigned int before = ticks;

	wrmsr(MSR_TSC_DEADLINE, deadline);
	while (ticks == before)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	if (tick_tsc < deadline)
		crash("guest: apic timer: interrupt %lu us before its deadline\n",
		      (deadline - tick_tsc) * 1000 / khz);
	return (tick_tsc - deadline) * 1000 / khz;
}

/* Put t among the i sorted values of late[] (insertion sort, ROUNDS at most). */
static void insert_sorted(u64 *late, unsigned int i, u64 t)
{
	unsigned int j;

	for (j = i; j > 0 && late[j - 1] > t; j--)
		late[j] = late[j - 1];
	late[j] = t;
}

static void short_deadlines(u64 khz)
{
	u64 late[ROUNDS] = {0};
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		insert_sorted(late, i, sleep_until(rdtsc() + khz, khz)); /* 1 ms */
	}
	gprintf("guest: apic timer %u x 1 ms: median %lu us late, max %lu us\n", ROUNDS,
		late[ROUNDS / 2], late[ROUNDS - 1]);
}

void apic_check(void)
{
	struct cpuid_regs r;
	u64 base, khz, t0, deadline;

	cpuid(1, &r);
	if (!(r.edx & (1u << 9)) || !(r.ecx & (1u << 21)) || !(r.ecx & (1u << 24)))
		crash("guest: cpuid leaf 1 edx 0x%x ecx 0x%x: no apic, x2apic or tsc-deadline\n",
		      r.edx, r.ecx);
	base = rdmsr(MSR_APIC_BASE);
	if (base != (0xfee00000u | (1u << 11) | (1u << 10) | (1u << 8)))
		crash("guest: apic base 0x%lx\n", base);
	gprintf("guest: x2apic id %lu version 0x%lx\n", rdmsr(X2APIC_ID), rdmsr(X2APIC_VERSION));
	cpuid(PRX_CPUID_BASE + 1, &r);
	khz = r.edx;
	if (!khz)
		crash("guest: no tsc rate\n");
	wrmsr(X2APIC_SVR, 0x1ff);
	wrmsr(X2APIC_LVT_TIMER, (2u << 17) | APIC_TIMER_VECTOR);
	t0 = rdtsc();
	deadline = t0 + khz * 10; /* 10 ms */
	wrmsr(MSR_TSC_DEADLINE, deadline);
	while (!ticks)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	if (ticks != 1 || (rdmsr(X2APIC_ISR7) & (1u << (APIC_TIMER_VECTOR - 224))))
		crash("guest: apic timer: %u interrupts, isr 0x%lx\n", ticks, rdmsr(X2APIC_ISR7));
	if (rdmsr(MSR_TSC_DEADLINE) != 0)
		crash("guest: apic timer: deadline still armed\n");
	gprintf("guest: apic timer interrupt 0x%x %s the deadline, %lu us after arming\n",
		APIC_TIMER_VECTOR, tick_tsc >= deadline ? "after" : "BEFORE",
		(tick_tsc - t0) * 1000 / khz);
	short_deadlines(khz);
	wrmsr(X2APIC_LVT_TIMER, 1u << 16); /* masked again */
}

/* What vCPU 1 does while vCPU 0 measures: 0 wait, 1 spin, 2 halt, 3 done. */
static volatile unsigned int ipi_phase;
static volatile bool ipi_target_ready;

static void ipi_target(void)
{
	wrmsr(X2APIC_SVR, 0x1ff); /* each vCPU enables its own APIC */
	ipi_target_ready = true;
	while (ipi_phase < 2)
		__asm__ volatile("sti; pause; cli" ::: "memory");
	while (ipi_phase == 2)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* ROUNDS IPIs to vCPU 1, each after it handled the last: median and maximum latency, us. */
static void ipi_measure(const char *what, u64 khz)
{
	u64 late[ROUNDS] = {0}, t0;
	unsigned int i, before;

	for (i = 0; i < ROUNDS; i++) {
		t0 = rdtsc();
		while (rdtsc() - t0 < khz / 5) /* 200 us: let it get back to spinning or HLT */
			__asm__ volatile("pause");
		before = ticks;
		t0 = rdtsc();
		wrmsr(X2APIC_ICR, (1ull << 32) | APIC_TIMER_VECTOR);
		while (ticks == before)
			if (rdtsc() - t0 > khz * 1000)
				crash("guest: ipi to a %s vcpu: none after 1 s\n", what);
		insert_sorted(late, i, (tick_tsc - t0) * 1000 / khz);
	}
	gprintf("guest: ipi to a %s vcpu: %u x, median %lu us, max %lu us\n", what, ROUNDS,
		late[ROUNDS / 2], late[ROUNDS - 1]);
}

void apic_ipi_test(unsigned int v)
{
	struct cpuid_regs r;
	u64 khz;

	if (v == 1) {
		ipi_target();
		return;
	}
	if (v != 0)
		return;
	cpuid(PRX_CPUID_BASE + 1, &r);
	khz = r.edx;
	while (!ipi_target_ready)
		__asm__ volatile("pause");
	ipi_phase = 1;
	ipi_measure("spinning", khz);
	ipi_phase = 2;
	ipi_measure("halted", khz);
	ipi_phase = 3;
	wrmsr(X2APIC_ICR, (1ull << 32) | APIC_TIMER_VECTOR); /* out of its last HLT */
}

static volatile bool share_done;

void apic_share_test(unsigned int v)
{
	struct cpuid_regs r;
	u64 late[ROUNDS] = {0}, khz;
	unsigned int i;

	if (v == 0) {
		while (!share_done)
			__asm__ volatile("sti; pause; cli" ::: "memory");
		return;
	}
	if (v != 2)
		return;
	cpuid(PRX_CPUID_BASE + 1, &r);
	khz = r.edx;
	wrmsr(X2APIC_SVR, 0x1ff);
	wrmsr(X2APIC_LVT_TIMER, (2u << 17) | APIC_TIMER_VECTOR);
	for (i = 0; i < ROUNDS; i++) {
		insert_sorted(late, i, sleep_until(rdtsc() + khz, khz)); /* 1 ms */
	}
	wrmsr(X2APIC_LVT_TIMER, 1u << 16);
	gprintf("guest: timer of a vcpu sharing its cpu with a busy one: %u x 1 ms: median %lu us "
		"late, max %lu us\n",
		ROUNDS, late[ROUNDS / 2], late[ROUNDS - 1]);
	share_done = true;
}
