/*
 * A vCPU's local APIC (hypervisor/vlapic.c), in x2APIC mode from reset
 * (xAPIC mode once the guest switches, through disabled): the register
 * set as MSRs 0x800-0x8ff (or a page of memory in xAPIC mode) (Intel SDM vol. 3, "x2APIC Register
 * Address Space"; AMD APM vol. 2, 16.11), IA32_APIC_BASE (0x1b) and IA32_TSC_DEADLINE (0x6e0); the
 * timer in one-shot, periodic and TSC-deadline modes, counting at the TSC rate over its divide
 * configuration; interrupt request and in-service bits with priorities
 * against TPR; EOI; self-IPIs; ICR writes handed out as IPIs to route.
 * Pure: time comes in as TSC values, and whoever runs the vCPU asks what
 * to inject. One vCPU's, used by that vCPU's CPU only, but for IRR, which
 * other CPUs set (vlapic_raise()), and INIT while the vCPU is down.
 */
#ifndef HV_VLAPIC_H
#define HV_VLAPIC_H

#include <hv/types.h>

#define MSR_VLAPIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define VLAPIC_BASE_DEFAULT 0xfee00000ULL
#define VLAPIC_BASE_BSP (1ULL << 8)
#define VLAPIC_BASE_EXTD (1ULL << 10) /* x2APIC mode */
#define VLAPIC_BASE_EN (1ULL << 11)
#define VLAPIC_VERSION 0x50014 /* version 0x14, 6 LVT entries (max LVT index 5) */
#define VLAPIC_NO_TIMER (~0ULL)

/* ICR delivery modes (bits 8-10). */
#define VLAPIC_DM_FIXED 0
#define VLAPIC_DM_LOWEST 1
#define VLAPIC_DM_SMI 2
#define VLAPIC_DM_NMI 4
#define VLAPIC_DM_INIT 5
#define VLAPIC_DM_STARTUP 6

/* An interprocessor interrupt as the guest wrote it to ICR. */
struct vlapic_ipi {
	u8 vector;
	u8 delivery;  /* VLAPIC_DM_* */
	bool logical; /* destination mode (bit 11) */
	bool assert;  /* level (bit 14): an INIT with it clear is the de-assert */
	bool level;   /* trigger mode (bit 15) */
	u8 shorthand; /* bits 18-19: 0 none, 1 self, 2 all, 3 all but self */
	u32 dest;     /* x2APIC: 32 bits; xAPIC: the 8-bit destination */
	bool x2apic;  /* sent in x2APIC mode (the destination's format) */
};

enum vlapic_lvt { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NR_LVT };

struct vlapic {
	u32 id;
	u64 apic_base;
	u32 tpr, svr, esr, ldr;
	u32 lvt[NR_LVT];
	u64 icr;
	u32 timer_initial, timer_divide;
	u64 timer_start;  /* TSC when the count was loaded (one-shot, periodic) */
	u64 tsc_deadline; /* TSC-deadline mode: 0 is disarmed */
	bool timer_armed; /* one-shot or periodic count running */
	u32 irr[8], isr[8];
	u32 xapic_ldr, xapic_dfr, xapic_icr_high; /* xAPIC mode's own registers */
	u64 timer_fired;			  /* times the timer put its vector in IRR */
	struct vlapic_ipi ipi;			  /* the last ICR write, until taken */
	bool ipi_out;
};

/* Reset l to the state after INIT, in x2APIC mode, with x2APIC id id; bsp: vCPU 0. */
void vlapic_init(struct vlapic *l, u32 id, bool bsp);

/* The mode IA32_APIC_BASE sets: x2APIC (EN and EXTD), xAPIC (EN alone); else disabled. */
bool vlapic_x2apic_mode(const struct vlapic *l);
bool vlapic_xapic_mode(const struct vlapic *l);

/*
 * xAPIC mode: a 32-bit load or store at offset of the register page (at
 * IA32_APIC_BASE's address) at TSC now. The registers are the x2APIC's
 * but for the xAPIC's own: ID (the id in bits 24-31, writes ignored),
 * LDR and DFR (written by software), ICR as two words (a write to the
 * low one sends, to the 8-bit id in the high one's top byte), EOI of any
 * value. Unaligned offsets, reserved and write-only registers read 0;
 * writes to read-only or reserved registers are ignored.
 */
u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now);
void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now);

/* Whether msr is one of the APIC's (APIC_BASE, TSC_DEADLINE, 0x800-0x8ff). */
bool vlapic_is_msr(u32 msr);

/*
 * RDMSR and WRMSR of one of the APIC's MSRs at TSC now: 0, or -1 for an
 * access the architecture answers with #GP (an x2APIC register outside
 * x2APIC mode, a reserved or write-only register read, a read-only one
 * written, reserved bits set, EOI or self-IPI with a value other than
 * allowed; IA32_APIC_BASE moved, its BSP bit changed, x2APIC to xAPIC
 * but through disabled, or EXTD without EN). Disabling the APIC resets it.
 */
int vlapic_rdmsr(struct vlapic *l, u32 msr, u64 now, u64 *val);
int vlapic_wrmsr(struct vlapic *l, u32 msr, u64 val, u64 now);

/* Let the timer catch up with now: its vector into IRR if it expired (unless masked). */
void vlapic_tick(struct vlapic *l, u64 now);

/* The TSC at which the timer fires next, or VLAPIC_NO_TIMER. */
u64 vlapic_next_event(const struct vlapic *l);

/*
 * The vector to deliver now (highest in IRR above the processor priority,
 * the APIC software-enabled), or -1. vlapic_accept(): it was delivered:
 * from IRR to ISR.
 */
int vlapic_pending(const struct vlapic *l);
void vlapic_accept(struct vlapic *l, unsigned int vector);

/*
 * Put vector in IRR (an interrupt from outside, or an IPI). Safe from any
 * CPU while l's own CPU runs it: IRR is changed with atomics, and only
 * here and in vlapic_accept().
 */
void vlapic_raise(struct vlapic *l, unsigned int vector);

/*
 * The IPI the last ICR write sent, once: true and *ipi filled, or false.
 * Whoever runs the vCPU asks after every APIC write it emulates and
 * delivers the IPI (hypervisor/dom_ipi.c): the model does not know the
 * other APICs, not even for an IPI to itself.
 */
bool vlapic_take_ipi(struct vlapic *l, struct vlapic_ipi *ipi);

/*
 * Is APIC t a destination of ipi (self: t is the sender's)? The
 * shorthand first; else the destination, physical (t's id, or all ones:
 * broadcast) or logical (t's LDR: x2APIC cluster and mask; xAPIC by the
 * DFR's flat or cluster model).
 */
bool vlapic_ipi_match(const struct vlapic *t, const struct vlapic_ipi *ipi, bool self);

#endif /* HV_VLAPIC_H */
