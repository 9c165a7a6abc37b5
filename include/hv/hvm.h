/*
 * The contract between the generic guest code (hypervisor/domain.c,
 * sched.c, hypercall.c) and an architecture's hardware virtualisation
 * (arch/x86/hvm/: AMD SVM with nested paging). Bound at link time; each
 * hook says where it runs. The arch owns the per-CPU virtualisation state,
 * the nested page tables (struct domain.arch) and the vCPU's hardware
 * state (struct vcpu.arch); the generic code owns everything else: which
 * memory a domain has, where its vCPUs run, what a hypercall does.
 *
 * Guest-physical addresses are called gpa, their frames gfn; machine
 * frames mfn.
 */
#ifndef HV_HVM_H
#define HV_HVM_H

#include <hv/types.h>

#define INVALID_MFN (~(mfn_t)0)

struct domain;
struct vcpu;

/* Why arch_vcpu_run() came back. */
enum hvm_exit {
	HVM_EXIT_HANDLED, /* an exit the arch dealt with (CPUID, I/O, MSR, hypercall) */
	HVM_EXIT_INTR,	  /* a host interrupt (the tick) was taken: time to look around */
	HVM_EXIT_HALT,	  /* the guest executed HLT */
	HVM_EXIT_CRASH,	  /* the guest cannot go on: the reason is in v->crash_reason */
};

/*
 * Why the guest left guest mode, by kind, for the exit counts of struct
 * vcpu (hvm_exit_reason_names[] gives the short names they print with).
 */
enum hvm_exit_reason {
	HVM_REASON_INTR,  /* a host interrupt (the tick, a kick) */
	HVM_REASON_VINTR, /* the guest can take the interrupt that waited */
	HVM_REASON_HLT,	  /* HLT */
	HVM_REASON_MSR,	  /* RDMSR, WRMSR */
	HVM_REASON_IO,	  /* IN, OUT */
	HVM_REASON_APIC,  /* a load or store on the xAPIC page */
	HVM_REASON_CPUID, /* CPUID */
	HVM_REASON_HCALL, /* a hypercall */
	HVM_REASON_NPF,	  /* any other nested page fault */
	HVM_REASON_OTHER, /* the rest (faulted instructions, shutdown...) */
	HVM_NR_REASONS
};

extern const char *const hvm_exit_reason_names[HVM_NR_REASONS];

/*
 * Detect hardware virtualisation on the boot CPU (CPUID only). Prints one
 * line either way; false: no guests on this machine. Boot CPU, once,
 * after the heap is up.
 */
bool arch_hvm_detect(void);

/*
 * Enable virtualisation on the calling CPU, with its state in memory of
 * its own node. Every CPU once, after arch_hvm_detect() returned true
 * (through smp_run_on_all()). Returns 0 or -ENOMEM.
 */
int arch_hvm_enable_cpu(void);

/* Nested page tables of d, their pages from d->node. 0 or -ENOMEM. */
int arch_domain_init(struct domain *d);

/* Free every nested page table page of d (its vCPUs are gone). */
void arch_domain_free(struct domain *d);

/*
 * Map guest frames [gfn, gfn + 2^order) to machine frames [mfn, mfn +
 * 2^order) (one block from alloc_pages), read, write and execute; a
 * 2 MiB block aligned in both spaces becomes one large mapping. 0 or
 * -ENOMEM (a table page could not be had; what was mapped stays).
 */
int arch_domain_map(struct domain *d, u64 gfn, mfn_t mfn, unsigned int order);

/*
 * Map guest frame gfn to machine frame mfn read-only (a write is a nested
 * page fault): the same frame may be mapped so at many places of many
 * domains. 0 or -ENOMEM.
 */
int arch_domain_map_ro(struct domain *d, u64 gfn, mfn_t mfn);

/*
 * Remove the mappings of guest frames [gfn, gfn + 2^order), which were
 * mapped by arch_domain_map() calls each wholly inside the range. The
 * guest's TLBs still hold them until its vCPUs next enter with a new
 * d->tlb_gen (arch_vcpu_run flushes then). Callers hold d->mem_lock.
 */
void arch_domain_unmap(struct domain *d, u64 gfn, unsigned int order);

/* The machine frame behind gfn, or INVALID_MFN when it is not mapped. */
mfn_t arch_domain_lookup(const struct domain *d, u64 gfn);

/* Call fn for every mapping of d, in gfn order (a 2 MiB one once, order 9). */
void arch_domain_walk(const struct domain *d,
		      void (*fn)(void *ctx, u64 gfn, mfn_t mfn, unsigned int order), void *ctx);

/* v's hardware state (VMCB) on node v->node. 0 or -ENOMEM. */
int arch_vcpu_init(struct vcpu *v);

/* Free v's hardware state; v runs nowhere. */
void arch_vcpu_free(struct vcpu *v);

/*
 * Put v in the state a multiboot loader leaves a CPU in: 32-bit
 * protected mode, flat segments, paging off, interrupts off, at eip with
 * eax and ebx set.
 */
void arch_vcpu_boot32(struct vcpu *v, u32 eip, u32 eax, u32 ebx);

/*
 * Put v in the state the Linux 64-bit boot protocol wants: long mode,
 * paging on with cr3, the GDT at gdt_base (limit gdt_limit) with flat
 * 64-bit code at selector cs and data at ds, no IDT, interrupts off, at
 * rip with rsi set (the zero page) and every other register zero.
 */
void arch_vcpu_boot64(struct vcpu *v, u64 rip, u64 rsi, u64 cr3, u64 gdt_base, u16 gdt_limit,
		      u16 cs, u16 ds);

/*
 * Put v, not running, in the state a start-up IPI leaves a processor in
 * after INIT: real mode at vector's page (CS = vector << 8, IP 0),
 * paging and interrupts off, every register as after INIT (EDX the CPUID
 * signature). Called under v's domain lock (dom_ipi.c).
 */
void arch_vcpu_sipi(struct vcpu *v, u8 vector);

/*
 * Put v in 64-bit mode at rip with rsp and cr3 (the vcpu_up hypercall),
 * RDI = its id, GDTR and IDTR copied from caller. -EPERM when caller is
 * not in 64-bit mode, -EINVAL for a non-canonical rip or rsp. Nothing
 * changes on an error.
 */
int arch_vcpu_up(const struct vcpu *caller, struct vcpu *v, u64 rip, u64 rsp, u64 cr3);

/*
 * Run v on the calling CPU until its next exit and deal with it as far
 * as the arch can. Called by the scheduler with interrupts enabled; they
 * are enabled on return. Hypercalls are passed to hcall_dispatch().
 */
enum hvm_exit arch_vcpu_run(struct vcpu *v);

/*
 * Should v, blocked in HLT, run again: its local APIC has an interrupt to
 * deliver, or its timer has expired? Called by v's CPU.
 */
bool arch_vcpu_wake_due(struct vcpu *v);

/* Print v's guest registers (rip, rsp, cr0, cr3, cr4, efer, last exit). */
void arch_vcpu_dump(const struct vcpu *v);

/* Timer ticks taken by the calling CPU (HZ per second, see arch_tick_hz()). */
u64 arch_cpu_ticks(void);

/* The tick's frequency. */
unsigned int arch_tick_hz(void);

/* The rate of the TSC guests read, in kHz (the host's: guests run with no TSC offset). */
u32 arch_guest_tsc_khz(void);

/* Nanoseconds from a clock that runs at the same rate on every CPU (for reports). */
u64 arch_time_ns(void);

#endif /* HV_HVM_H */
