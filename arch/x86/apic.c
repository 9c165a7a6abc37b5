/*
 * The local APICs and their timer, inter-processor interrupts (bring-up,
 * NMIs for panic, the barrier of arch_cpu_sync(), kicks), and taming the
 * legacy 8259 PICs (remapped away from the exception vectors, then all
 * masked). The boot CPU calibrates the APIC timer and the TSC against the
 * PIT once, and every CPU then uses those figures.
 *
 * The timer runs one-shot, always armed for the earlier of two TSC
 * times: the CPU's next tick (TICK_HZ a second, counted in ticks: time
 * slices, polling the console for debug keys) and the wake-up its
 * scheduler asked for (arch_timer_at(): a guest's APIC timer, due before
 * the next tick). A tick that comes late is counted once; the next is
 * due a period after it, so the count never runs ahead of time.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/regs.h>
#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/hvm.h>
#include <hv/printk.h>
#include <hv/smp.h>

#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_NMI 0x400
#define ICR_ASSERT 0x4000
#define ICR_BUSY 0x1000
#define ICR_ALL_BUT_SELF 0xc0000
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0

#define APIC_SVR_ENABLE 0x100
#define APIC_LVT_MASKED 0x10000
#define APIC_TIMER_PERIODIC 0x20000
#define APIC_DIV_16 0x3

#define VEC_TIMER 0xf0
#define VEC_SYNC 0xf1
#define VEC_KICK 0xf2
#define VEC_ERROR 0xfe
#define VEC_SPURIOUS 0xff
#define VEC_PIC_BASE 0x20

#define TICK_HZ 100
#define PIT_HZ 1193182
#define CALIBRATE_MS 10
/*
 * How long arch_cpu_sync() waits: a CPU with interrupts on answers within
 * a tick, but an emulated CPU (QEMU's TCG on a busy host) may not run at
 * all for tens of milliseconds.
 */
#define SYNC_WAIT_MS 200

static volatile u32 *apic;
static u64 tsc_khz;
/* The calibration: APIC timer counts (divide by 16) per TSC cycles. */
static u64 cal_apic_count, cal_tsc_count;
static u64 tsc_per_tick;

static u32 apic_read(unsigned int reg)
{
	return apic[reg / 4];
}

static void apic_write(unsigned int reg, u32 v)
{
	apic[reg / 4] = v;
}

/* Remap both PICs to vectors 0x20-0x2f and mask every line. */
static void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/*
 * Count APIC timer ticks (divide by 16) and TSC cycles over CALIBRATE_MS
 * measured by PIT channel 2. Returns false if the PIT never finished.
 */
static bool calibrate(u32 *apic_count, u64 *tsc_count)
{
	u32 pit = PIT_HZ * CALIBRATE_MS / 1000;
	u64 t0, spins = 0;
	u8 gate = inb(0x61);

	outb(0x61, gate & ~0x03); /* gate off, speaker off */
	outb(0x43, 0xb0);	  /* channel 2, lo/hi, mode 0 */
	outb(0x42, pit & 0xff);
	outb(0x42, pit >> 8);
	apic_write(APIC_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	outb(0x61, (gate & ~0x02) | 0x01); /* gate on: count down */
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 100000000)
			return false;
	}
	*tsc_count = rdtsc() - t0;
	*apic_count = 0xffffffff - apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	outb(0x61, gate);
	return *apic_count != 0;
}

/*
 * The calling CPU passes a full barrier (a locked add) where it may: in an
 * interrupt, or waiting in arch_cpu_sync() itself.
 */
static void sync_ack(void)
{
	__atomic_fetch_add(&this_cpu()->sync_acks, 1, __ATOMIC_SEQ_CST);
}

/* Arm the one-shot timer to fire at TSC deadline (at once if it is past). Interrupts off. */
static void arm_timer(struct percpu *pc, u64 deadline)
{
	u64 now = rdtsc(), count = 1;

	if (deadline > now) {
		/* Up to a tick ahead: (delta * counts) stays far below 2^64. */
		u64 delta = MIN(deadline - now, tsc_per_tick);

		count = MAX(1ULL, delta * cal_apic_count / cal_tsc_count);
	}
	pc->timer_armed = deadline;
	apic_write(APIC_TIMER_INIT, (u32)MIN(count, 0xffffffffULL));
}

/* Arm for the earlier of the next tick and the wake-up asked for. */
static void rearm(struct percpu *pc)
{
	u64 when = pc->tick_due;

	if (pc->wake_at && pc->wake_at < when)
		when = pc->wake_at;
	arm_timer(pc, when);
}

/* Any interrupt is a point outside the sections arch_cpu_sync() guards. */
static void timer_interrupt(struct cpu_regs *regs)
{
	struct percpu *pc = this_cpu();
	u64 now = rdtsc();

	if (now >= pc->tick_due) {
		pc->ticks++;
		pc->tick_due += tsc_per_tick;
		if (pc->tick_due <= now)
			pc->tick_due = now + tsc_per_tick; /* late: one tick, not a burst */
	}
	if (pc->wake_at && pc->wake_at <= now)
		pc->wake_at = 0; /* done: the interrupt itself was the wake-up */
	rearm(pc);
	sync_ack();
	apic_write(APIC_EOI, 0);
}

void arch_timer_at(u64 tsc)
{
	struct percpu *pc = this_cpu();

	if (!apic || tsc >= pc->tick_due || (pc->wake_at && pc->wake_at <= tsc))
		return; /* the tick, or an earlier wake-up, comes first anyway */
	pc->wake_at = tsc;
	if (tsc < pc->timer_armed)
		arm_timer(pc, tsc);
}

static void sync_interrupt(struct cpu_regs *regs)
{
	sync_ack();
	apic_write(APIC_EOI, 0);
}

/* A kick has done its work by arriving: a VM exit, or the end of an idle hlt. */
static void kick_interrupt(struct cpu_regs *regs)
{
	apic_write(APIC_EOI, 0);
}

static void error_interrupt(struct cpu_regs *regs)
{
	pr_err("apic: error interrupt on CPU%u\n", arch_cpu_id());
	apic_write(APIC_EOI, 0);
}

/* Spurious vectors need no EOI; legacy PIC spurious IRQ 7/15 land here too. */
static void spurious_interrupt(struct cpu_regs *regs)
{
}

/* Enable the calling CPU's local APIC with every local line masked. */
static void apic_enable_local(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, VEC_ERROR);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
}

static void start_tick(void)
{
	struct percpu *pc = this_cpu();
	unsigned long flags = arch_irq_save();

	apic_write(APIC_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_TIMER); /* one-shot */
	pc->wake_at = 0;
	pc->tick_due = rdtsc() + tsc_per_tick;
	arm_timer(pc, pc->tick_due);
	arch_irq_restore(flags);
}

void x86_apic_init_ap(void)
{
	apic_enable_local();
	start_tick();
}

static void send_ipi(u32 apic_id, u32 icr)
{
	unsigned int spins = 0;

	apic_write(APIC_ICR_HIGH, apic_id << 24);
	apic_write(APIC_ICR_LOW, icr);
	while ((apic_read(APIC_ICR_LOW) & ICR_BUSY) && ++spins < 1000000)
		arch_cpu_relax();
}

void x86_apic_send_init(u32 apic_id)
{
	send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
}

void x86_apic_send_sipi(u32 apic_id, u8 vector)
{
	send_ipi(apic_id, ICR_STARTUP | ICR_ASSERT | vector);
}

void x86_apic_nmi_others(void)
{
	if (apic)
		send_ipi(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

bool arch_cpu_sync(unsigned int cpu)
{
	u64 start, limit = SYNC_WAIT_MS * (tsc_khz ? tsc_khz : 1000000);
	const struct percpu *pc;
	unsigned long flags;
	u32 seen;

	if (cpu == arch_cpu_id()) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return true;
	}
	if (cpu >= CONFIG_NR_CPUS || !apic || !cpumask_test(&cpu_online_mask, cpu) ||
	    !percpu_of[cpu])
		return false;
	pc = percpu_of[cpu];
	seen = __atomic_load_n(&pc->sync_acks, __ATOMIC_SEQ_CST);
	flags = arch_irq_save(); /* the two ICR writes belong together */
	send_ipi(pc->apic_id, ICR_ASSERT | VEC_SYNC);
	arch_irq_restore(flags);
	start = rdtsc();
	while (__atomic_load_n(&pc->sync_acks, __ATOMIC_ACQUIRE) == seen) {
		sync_ack(); /* answer a CPU that waits for this one */
		if (rdtsc() - start > limit)
			return false;
		arch_cpu_relax();
	}
	return true;
}

void arch_cpu_kick(unsigned int cpu)
{
	unsigned long flags;

	if (cpu >= CONFIG_NR_CPUS || !apic || !percpu_of[cpu] || cpu == arch_cpu_id())
		return;
	flags = arch_irq_save(); /* the two ICR writes belong together */
	send_ipi(percpu_of[cpu]->apic_id, ICR_ASSERT | VEC_KICK);
	arch_irq_restore(flags);
}

void x86_udelay(u64 us)
{
	u64 start = rdtsc(), cycles = us * (tsc_khz ? tsc_khz : 1000000) / 1000;

	while (rdtsc() - start < cycles)
		arch_cpu_relax();
}

void x86_apic_init(void)
{
	paddr_t base = rdmsr(MSR_APIC_BASE) & PTE_ADDR;
	u32 apic_count = 0;
	u64 tsc_count = 0;
	unsigned int v;

	pic_disable();
	apic = maddr_to_virt(base);
	apic_enable_local();

	for (v = VEC_PIC_BASE; v < VEC_PIC_BASE + 16; v++)
		x86_set_irq_handler(v, spurious_interrupt);
	x86_set_irq_handler(VEC_SPURIOUS, spurious_interrupt);
	x86_set_irq_handler(VEC_ERROR, error_interrupt);
	x86_set_irq_handler(VEC_TIMER, timer_interrupt);
	x86_set_irq_handler(VEC_SYNC, sync_interrupt);
	x86_set_irq_handler(VEC_KICK, kick_interrupt);

	if (!calibrate(&apic_count, &tsc_count)) {
		pr_warn("apic: PIT calibration failed; assuming a 100 MHz APIC timer\n");
		apic_count = 100000000 / 16 / (1000 / CALIBRATE_MS);
	}
	tsc_khz = tsc_count / CALIBRATE_MS;
	if (!tsc_count) /* no TSC figure: assume 1 GHz, as x86_udelay() does */
		tsc_count = 1000000ULL * CALIBRATE_MS;
	cal_apic_count = apic_count;
	cal_tsc_count = tsc_count;
	tsc_per_tick = tsc_count * (1000 / TICK_HZ) / CALIBRATE_MS;
	start_tick();
	pr_info("apic: id %u version 0x%02x at 0x%llx, timer %llu kHz, tick %u Hz, TSC %llu MHz\n",
		apic_read(APIC_ID) >> 24, apic_read(APIC_VERSION) & 0xff, base,
		(u64)apic_count * 16 / CALIBRATE_MS, TICK_HZ, tsc_khz / 1000);
}

void arch_init_irq(void)
{
	x86_apic_init();
}

void arch_idle(void)
{
	/* sti takes effect after hlt starts, so no wake-up is lost. */
	__asm__ __volatile__("sti; hlt; cli" : : : "memory");
}

unsigned int arch_tick_hz(void)
{
	return TICK_HZ;
}

u64 arch_time_ns(void)
{
	u64 t = rdtsc(), khz = tsc_khz ? tsc_khz : 1000000;

	return t / khz * 1000000 + t % khz * 1000000 / khz;
}

u64 x86_tsc_khz(void)
{
	return tsc_khz;
}
