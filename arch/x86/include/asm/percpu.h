/*
 * Per-CPU data on x86-64: one struct percpu per CPU, reached through the
 * GS base, which points at it. The boot CPU's is static; every other CPU's
 * comes from its own node's memory at bring-up. Fields are written by the
 * owning CPU (or by the boot CPU before that CPU starts); others read
 * sync_acks.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#define PERCPU_SELF 0
#define PERCPU_CPU_ID 8

#define PERCPU_STACK_SIZE 0x4000
#define PERCPU_IST_SIZE 0x2000
#define PERCPU_IST_STACKS 3 /* #DF, NMI, #MC */
#define MSR_GS_BASE 0xc0000101

#ifndef __ASSEMBLY__
#include <asm/boot.h>
#include <hv/types.h>

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct percpu {
	struct percpu *self; /* PERCPU_SELF */
	u32 cpu_id;	     /* PERCPU_CPU_ID: logical CPU number */
	u32 apic_id;
	nodeid_t node;
	unsigned long stack_lo, stack_hi; /* the CPU's normal stack */
	unsigned long ist_lo;		  /* PERCPU_IST_STACKS stacks of PERCPU_IST_SIZE */
	u64 ticks;			  /* timer ticks (TICK_HZ a second) */
	u64 tick_due;			  /* TSC when the next tick is due */
	u64 wake_at;			  /* TSC of an earlier wake-up asked for, or 0 */
	u64 timer_armed;		  /* TSC the one-shot timer is armed for */
	u32 sync_acks;			  /* barriers passed for arch_cpu_sync() */
	u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* The per-CPU area of every CPU that was started, by logical number. */
extern struct percpu *percpu_of[];

#endif /* __ASSEMBLY__ */
#endif /* ASM_PERCPU_H */
