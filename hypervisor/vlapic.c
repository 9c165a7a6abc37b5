/*
 * The x2APIC model of <hv/vlapic.h>. Register numbers are the x2APIC MSR
 * addresses (0x800 + the xAPIC offset / 16); values after INIT are the
 * architecture's: every LVT masked (bit 16), SVR 0xff (software
 * disabled), TPR, counts and divide 0. The timer's mode is LVT timer bits
 * 17-18 (0 one-shot, 1 periodic, 2 TSC-deadline); the divide
 * configuration's bits 0, 1 and 3 give 2, 4, ... 128, or 1 for 0b111.
 */
#include <hv/lib.h>
#include <hv/vlapic.h>

#define REG_ID 0x802
#define REG_VERSION 0x803
#define REG_TPR 0x808
#define REG_PPR 0x80a
#define REG_EOI 0x80b
#define REG_LDR 0x80d
#define REG_SVR 0x80f
#define REG_ISR0 0x810
#define REG_TMR0 0x818
#define REG_IRR0 0x820
#define REG_ESR 0x828
#define REG_ICR 0x830
#define REG_LVT_TIMER 0x832
#define REG_LVT_ERROR 0x837
#define REG_INITIAL_COUNT 0x838
#define REG_CURRENT_COUNT 0x839
#define REG_DIVIDE 0x83e
#define REG_SELF_IPI 0x83f

#define LVT_MASKED (1U << 16)
#define TIMER_MODE(lvt) (((lvt) >> 17) & 3)
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_DEADLINE 2
#define SVR_ENABLE (1U << 8)
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_DELIVERY(icr) (((icr) >> 8) & 7)
#define ICR_LOGICAL (1ULL << 11)
#define ICR_ASSERT (1ULL << 14)
#define ICR_LEVEL (1ULL << 15)

void vlapic_init(struct vlapic *l, u32 id, bool bsp)
{
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->apic_base =
	    VLAPIC_BASE_DEFAULT | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD | (bsp ? VLAPIC_BASE_BSP : 0);
	l->svr = 0xff;
	/* x2APIC logical id: cluster id << 16, one bit of 16 in the cluster. */
	l->ldr = ((id >> 4) << 16) | (1U << (id & 0xf));
	l->xapic_dfr = 0xffffffff; /* flat model */
	for (i = 0; i < NR_LVT; i++)
		l->lvt[i] = LVT_MASKED;
}

bool vlapic_is_msr(u32 msr)
{
	return msr == MSR_VLAPIC_BASE || msr == MSR_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

static unsigned int divisor(const struct vlapic *l)
{
	unsigned int v = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);

	return v == 7 ? 1 : 2U << v;
}

/* IRR words are set by other vCPUs' CPUs (IPIs): read and changed atomically. */
static int highest(const u32 *bits)
{
	int w;

	for (w = 7; w >= 0; w--) {
		u32 word = __atomic_load_n(&bits[w], __ATOMIC_ACQUIRE);

		if (word)
			return w * 32 + 31 - __builtin_clz(word);
	}
	return -1;
}

static u32 ppr(const struct vlapic *l)
{
	int isr = highest(l->isr);
	u32 isrv = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (l->tpr & 0xf0) >= isrv ? l->tpr & 0xff : isrv;
}

void vlapic_raise(struct vlapic *l, unsigned int vector)
{
	vector &= 0xff;
	if (vector < 16) {
		__atomic_fetch_or(&l->esr, 1U << 6, __ATOMIC_RELAXED); /* received illegal vector */
		return;
	}
	__atomic_fetch_or(&l->irr[vector / 32], 1U << (vector % 32), __ATOMIC_SEQ_CST);
}

int vlapic_pending(const struct vlapic *l)
{
	int v = highest(l->irr);

	if (v < 0 || !(l->svr & SVR_ENABLE))
		return -1;
	return ((u32)v & 0xf0) > (ppr(l) & 0xf0) ? v : -1;
}

void vlapic_accept(struct vlapic *l, unsigned int vector)
{
	vector &= 0xff;
	__atomic_fetch_and(&l->irr[vector / 32], ~(1U << (vector % 32)), __ATOMIC_ACQ_REL);
	l->isr[vector / 32] |= 1U << (vector % 32);
}

static void fire(struct vlapic *l)
{
	l->timer_fired++;
	if (!(l->lvt[LVT_TIMER] & LVT_MASKED))
		vlapic_raise(l, l->lvt[LVT_TIMER] & 0xff);
}

void vlapic_tick(struct vlapic *l, u64 now)
{
	u32 mode = TIMER_MODE(l->lvt[LVT_TIMER]);

	if (mode == TIMER_DEADLINE) {
		if (l->tsc_deadline && now >= l->tsc_deadline) {
			l->tsc_deadline = 0;
			fire(l);
		}
		return;
	}
	if (l->timer_armed && l->timer_initial) {
		u64 period = (u64)l->timer_initial * divisor(l);

		if (now - l->timer_start < period)
			return;
		fire(l);
		if (mode == TIMER_PERIODIC)
			l->timer_start += period * ((now - l->timer_start) / period);
		else
			l->timer_armed = false;
	}
}

u64 vlapic_next_event(const struct vlapic *l)
{
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_DEADLINE)
		return l->tsc_deadline ? l->tsc_deadline : VLAPIC_NO_TIMER;
	if (l->timer_armed && l->timer_initial)
		return l->timer_start + (u64)l->timer_initial * divisor(l);
	return VLAPIC_NO_TIMER;
}

static u32 current_count(const struct vlapic *l, u64 now)
{
	u64 period, gone;

	if (!l->timer_armed || !l->timer_initial || TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_DEADLINE)
		return 0;
	period = (u64)l->timer_initial * divisor(l);
	gone = now - l->timer_start;
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_PERIODIC)
		gone %= period;
	else if (gone >= period)
		return 0;
	return (u32)((period - gone) / divisor(l));
}

static int reg_write(struct vlapic *l, u32 msr, u64 val, u64 now);

/* Read register msr (0x800 + xAPIC offset / 16) whatever the mode. */
static int reg_read(struct vlapic *l, u32 msr, u64 now, u64 *val)
{
	switch (msr) {
	case REG_ID:
		*val = l->id;
		return 0;
	case REG_VERSION:
		*val = VLAPIC_VERSION;
		return 0;
	case REG_TPR:
		*val = l->tpr;
		return 0;
	case REG_PPR:
		*val = ppr(l);
		return 0;
	case REG_LDR:
		*val = l->ldr;
		return 0;
	case REG_SVR:
		*val = l->svr;
		return 0;
	case REG_ESR:
		*val = l->esr;
		return 0;
	case REG_ICR:
		*val = l->icr;
		return 0;
	case REG_INITIAL_COUNT:
		*val = l->timer_initial;
		return 0;
	case REG_CURRENT_COUNT:
		*val = current_count(l, now);
		return 0;
	case REG_DIVIDE:
		*val = l->timer_divide;
		return 0;
	}
	if (msr >= REG_LVT_TIMER && msr <= REG_LVT_ERROR) {
		*val = l->lvt[msr - REG_LVT_TIMER];
		return 0;
	}
	if (msr >= REG_ISR0 && msr < REG_ISR0 + 8) {
		*val = l->isr[msr - REG_ISR0];
		return 0;
	}
	if (msr >= REG_TMR0 && msr < REG_TMR0 + 8) {
		*val = 0; /* every interrupt here is edge-triggered */
		return 0;
	}
	if (msr >= REG_IRR0 && msr < REG_IRR0 + 8) {
		*val = __atomic_load_n(&l->irr[msr - REG_IRR0], __ATOMIC_ACQUIRE);
		return 0;
	}
	return -1; /* EOI, SELF_IPI (write-only) and the reserved ones */
}

bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) ==
	       (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
}

bool vlapic_xapic_mode(const struct vlapic *l)
{
	return (l->apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) == VLAPIC_BASE_EN;
}

int vlapic_rdmsr(struct vlapic *l, u32 msr, u64 now, u64 *val)
{
	vlapic_tick(l, now);
	if (msr == MSR_VLAPIC_BASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == MSR_TSC_DEADLINE) {
		*val = TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_DEADLINE ? l->tsc_deadline : 0;
		return 0;
	}
	if (!vlapic_x2apic_mode(l))
		return -1; /* the x2APIC MSRs exist in x2APIC mode only */
	return reg_read(l, msr, now, val);
}

/*
 * An ICR write: the IPI goes out through l->ipi for whoever runs the vCPU
 * to deliver (vlapic_take_ipi()); this APIC alone cannot reach the others.
 */
static int write_icr(struct vlapic *l, u64 val, bool x2apic)
{
	if (val & 0xfff32000ULL) /* reserved bits 13, 16-17, 20-31 */
		return -1;
	l->icr = val & ~(1ULL << 12); /* delivery status: idle at once */
	l->ipi = (struct vlapic_ipi){
	    .vector = (u8)val,
	    .delivery = (u8)ICR_DELIVERY(val),
	    .logical = val & ICR_LOGICAL,
	    .assert = val & ICR_ASSERT,
	    .level = val & ICR_LEVEL,
	    .shorthand = (u8)ICR_SHORTHAND(val),
	    .dest = (u32)(val >> 32),
	    .x2apic = x2apic,
	};
	l->ipi_out = true;
	return 0;
}

bool vlapic_take_ipi(struct vlapic *l, struct vlapic_ipi *ipi)
{
	if (!l->ipi_out)
		return false;
	*ipi = l->ipi;
	l->ipi_out = false;
	return true;
}

/*
 * Logical destinations: x2APIC, a cluster (bits 16-31) and a bit mask of
 * its 16 members; xAPIC, by the DFR model, flat (a mask of 8 LDR bits)
 * or cluster (a 4-bit cluster and a 4-bit mask).
 */
static bool logical_match(const struct vlapic *t, u32 dest, bool x2apic)
{
	u32 ldr;

	if (x2apic)
		return (dest >> 16) == (t->ldr >> 16) && (dest & t->ldr & 0xffff);
	ldr = t->xapic_ldr >> 24;
	dest &= 0xff;
	if ((t->xapic_dfr >> 28) == 0xf)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

bool vlapic_ipi_match(const struct vlapic *t, const struct vlapic_ipi *ipi, bool self)
{
	u32 broadcast = ipi->x2apic ? 0xffffffffU : 0xffU;

	switch (ipi->shorthand) {
	case 1:
		return self;
	case 2:
		return true;
	case 3:
		return !self;
	}
	if (ipi->logical)
		return logical_match(t, ipi->dest, ipi->x2apic);
	return ipi->dest == broadcast || ipi->dest == t->id;
}

static int write_lvt(struct vlapic *l, enum vlapic_lvt i, u64 val, u64 now)
{
	u32 old_mode = TIMER_MODE(l->lvt[LVT_TIMER]);

	if (val >> 32)
		return -1;
	if (!(l->svr & SVR_ENABLE))
		val |= LVT_MASKED; /* a software-disabled APIC keeps its LVTs masked */
	l->lvt[i] = (u32)val & ~(1U << 12);
	if (i == LVT_TIMER && TIMER_MODE(l->lvt[i]) != old_mode) {
		/* A mode change stops the timer (SDM 10.5.4.1). */
		l->timer_armed = false;
		l->tsc_deadline = 0;
	}
	(void)now;
	return 0;
}

/*
 * IA32_APIC_BASE: the base stays at 0xfee00000 and BSP as it is; the mode
 * may go x2APIC -> disabled, disabled -> xAPIC or x2APIC, xAPIC -> x2APIC
 * (SDM: x2APIC to xAPIC only through disabled). Disabling resets the APIC.
 */
static int write_base(struct vlapic *l, u64 val)
{
	u64 mode = val & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
	u64 old = l->apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);

	if ((val & ~(VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) !=
	    (l->apic_base & ~(VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)))
		return -1;
	if (mode == VLAPIC_BASE_EXTD)
		return -1; /* x2APIC without enable is reserved */
	if (old == (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD) && mode == VLAPIC_BASE_EN)
		return -1;
	if (!mode && old) {
		u32 id = l->id;
		bool bsp = l->apic_base & VLAPIC_BASE_BSP;

		vlapic_init(l, id, bsp);
	}
	l->apic_base = val;
	return 0;
}

int vlapic_wrmsr(struct vlapic *l, u32 msr, u64 val, u64 now)
{
	vlapic_tick(l, now);
	if (msr == MSR_VLAPIC_BASE)
		return write_base(l, val);
	if (msr == MSR_TSC_DEADLINE) {
		if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_DEADLINE)
			l->tsc_deadline = val;
		return 0; /* ignored in the other modes */
	}
	if (!vlapic_x2apic_mode(l))
		return -1;
	return reg_write(l, msr, val, now);
}

/* Write register msr (0x800 + xAPIC offset / 16) whatever the mode. */
static int reg_write(struct vlapic *l, u32 msr, u64 val, u64 now)
{
	unsigned int i;

	if (msr >= REG_LVT_TIMER && msr <= REG_LVT_ERROR)
		return write_lvt(l, (enum vlapic_lvt)(msr - REG_LVT_TIMER), val, now);
	switch (msr) {
	case REG_TPR:
		if (val & ~0xffULL)
			return -1;
		l->tpr = (u32)val;
		return 0;
	case REG_EOI:
		if (val)
			return -1;
		i = (unsigned int)highest(l->isr);
		if ((int)i >= 0)
			l->isr[i / 32] &= ~(1U << (i % 32));
		return 0;
	case REG_SVR:
		if (val & ~0x11ffULL)
			return -1;
		l->svr = (u32)val;
		if (!(l->svr & SVR_ENABLE))
			for (i = 0; i < NR_LVT; i++)
				l->lvt[i] |= LVT_MASKED;
		return 0;
	case REG_ESR:
		if (val)
			return -1;
		l->esr = 0;
		return 0;
	case REG_ICR:
		return write_icr(l, val, true);
	case REG_INITIAL_COUNT:
		if (val >> 32)
			return -1;
		if (TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_DEADLINE)
			return 0; /* ignored in TSC-deadline mode */
		l->timer_initial = (u32)val;
		l->timer_start = now;
		l->timer_armed = val != 0;
		return 0;
	case REG_DIVIDE:
		if (val & ~0xbULL)
			return -1;
		l->timer_divide = (u32)val;
		return 0;
	case REG_SELF_IPI:
		if (val & ~0xffULL)
			return -1;
		vlapic_raise(l, (unsigned int)val);
		return 0;
	}
	return -1; /* read-only (ID, version, PPR, LDR, ISR, TMR, IRR, current count) or reserved */
}

/* --- xAPIC mode: the registers as a page of memory ------------------- */

#define XAPIC_ID 0x020
#define XAPIC_EOI 0x0b0
#define XAPIC_LDR 0x0d0
#define XAPIC_DFR 0x0e0
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310

u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now)
{
	u64 v = 0;

	vlapic_tick(l, now);
	if (offset & 0xf || offset >= 0x400)
		return 0;
	switch (offset) {
	case XAPIC_ID:
		return l->id << 24;
	case XAPIC_LDR:
		return l->xapic_ldr;
	case XAPIC_DFR:
		return l->xapic_dfr;
	case XAPIC_ICR_LOW:
		return (u32)l->icr;
	case XAPIC_ICR_HIGH:
		return l->xapic_icr_high;
	}
	return reg_read(l, 0x800 + (offset >> 4), now, &v) ? 0 : (u32)v;
}

void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now)
{
	vlapic_tick(l, now);
	if (offset & 0xf || offset >= 0x400)
		return;
	switch (offset) {
	case XAPIC_ID:
		return; /* kept as it is */
	case XAPIC_EOI:
		reg_write(l, REG_EOI, 0, now); /* any value */
		return;
	case XAPIC_LDR:
		l->xapic_ldr = val & 0xff000000;
		return;
	case XAPIC_DFR:
		l->xapic_dfr = val | 0x0fffffff;
		return;
	case XAPIC_ICR_HIGH:
		l->xapic_icr_high = val & 0xff000000;
		return;
	case XAPIC_ICR_LOW:
		/* The destination is the high word's top byte: an 8-bit APIC id. */
		write_icr(l, ((u64)(l->xapic_icr_high >> 24) << 32) | (val & ~0xfff32000U), false);
		return;
	}
	/* Registers xAPIC software may not write are ignored, not faulted. */
	reg_write(l, 0x800 + (offset >> 4), val, now);
}
