/*
 * AMD SVM with nested paging: detection, enabling it on every CPU, the
 * VMCB of each vCPU, running a vCPU and the exits the arch handles itself
 * (CPUID, MSR, I/O, the SVM instructions a guest must not use). What a
 * guest asks of the hypervisor (VMMCALL) goes to hcall_dispatch(); what
 * the scheduler must see (host interrupts, HLT, crashes) is returned from
 * arch_vcpu_run(). Exits are dispatched through one table by exit code,
 * so an intercept is added by setting its bit and adding a row.
 *
 * Owns the per-CPU host state (host-save area, the host's VMSAVE page)
 * and the I/O and MSR permission maps (one copy, shared by all vCPUs:
 * every port is intercepted, every MSR is except those VMLOAD/VMSAVE
 * switch). A vCPU runs only on its home CPU, so its VMCB is never used by
 * two CPUs at once. All guests share ASID 1, and a CPU flushes it
 * whenever it runs a vCPU other than the one it ran last, or one whose
 * domain has unmapped memory since (struct domain tlb_gen).
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/setup.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/slab.h>
#include <hv/smp.h>
#include <public/hypercall.h>

#include "insn.h"
#include "svm.h"

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS (1ULL << 4)
#define EFER_SVME (1ULL << 12)
#define EFER_LMA (1ULL << 10)
#define CR4_OSXMMEXCPT (1UL << 10)

/* CPUID Fn8000_000A EDX */
#define SVM_FEAT_NP (1U << 0)
#define SVM_FEAT_NRIPS (1U << 3)
#define SVM_FEAT_FLUSH_BY_ASID (1U << 6)

/* Segment attributes in the VMCB's format. */
#define ATTR_CODE32 0xc9b /* present, code read/exec accessed, D, G */
#define ATTR_CODE64 0xa9b /* present, code read/exec accessed, L, G */
#define ATTR_DATA 0xc93	  /* present, data read/write accessed, B, G */
#define ATTR_TSS_BUSY 0x8b
#define ATTR_REAL_CODE 0x9b /* present, code read/exec accessed, 16-bit */
#define ATTR_REAL_DATA 0x93 /* present, data read/write accessed, 16-bit */
#define ATTR_LDT 0x82
#define ATTR_L (1U << 9)
#define RFLAGS_IF (1ULL << 9)
#define CR4_LA57 (1ULL << 12)
#define MSR_MTRR_CAP 0xfe
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_DEF_WB 0x806    /* E (bit 11), default type 6 (write-back) */
#define MTRR_DEF_VALID 0xcff /* type (bits 0-7), FE (10), E (11) */
#define MSR_PATCH_LEVEL 0x8b
#define MSR_INT_PENDING_MSG 0xc0010055

#define GUEST_ASID 1
#define PAT_POWER_ON 0x0007040600070406ULL

#define IOPM_ORDER 2 /* 12 KiB used */
#define MSRPM_ORDER 1

struct svm_cpu {
	paddr_t hsave_pa;
	paddr_t host_pa; /* the host's VMSAVE state */
	u64 last_tag;	 /* vCPU whose TLB entries and x87/SSE state are loaded */
};

static struct svm_cpu *svm_cpu[CONFIG_NR_CPUS];
static paddr_t iopm_pa, msrpm_pa;
static u32 svm_features;
static unsigned int svm_nr_asids;

static struct page *alloc_zeroed(unsigned int order, unsigned int flags)
{
	struct page *pg = alloc_pages(order, flags);

	if (pg)
		memset(maddr_to_virt(page_to_maddr(pg)), 0, PAGE_SIZE << order);
	return pg;
}

/* Let the guest reach msr without an exit (read and write). */
static void msrpm_allow(u8 *pm, u32 msr)
{
	u32 base;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800, msr -= 0xc0000000;
	else
		base = 0x1000, msr -= 0xc0010000;
	pm[base + msr / 4] &= ~(3U << (2 * (msr % 4)));
}

static bool setup_permission_maps(void)
{
	static const u32 passthrough[] = {
	    0x174,	0x175,	    0x176,	/* SYSENTER_CS/ESP/EIP */
	    0xc0000081, 0xc0000082, 0xc0000083, /* STAR, LSTAR, CSTAR */
	    0xc0000084, 0xc0000100, 0xc0000101, /* SFMASK, FS_BASE, GS_BASE */
	    0xc0000102,				/* KERNEL_GS_BASE */
	};
	struct page *io = alloc_pages(IOPM_ORDER, MEMF_LOCAL);
	struct page *msr = alloc_pages(MSRPM_ORDER, MEMF_LOCAL);
	unsigned int i;

	if (!io || !msr) {
		if (io)
			free_pages(io, IOPM_ORDER, false);
		if (msr)
			free_pages(msr, MSRPM_ORDER, false);
		return false;
	}
	iopm_pa = page_to_maddr(io);
	msrpm_pa = page_to_maddr(msr);
	memset(maddr_to_virt(iopm_pa), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(maddr_to_virt(msrpm_pa), 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(passthrough); i++)
		msrpm_allow(maddr_to_virt(msrpm_pa), passthrough[i]);
	return true;
}

bool arch_hvm_detect(void)
{
	struct cpuid_regs r;
	bool svm = cpuid(0x80000000, 0).eax >= 0x8000000a && (cpuid(0x80000001, 0).ecx & (1U << 2));

	if (svm)
		svm = !(rdmsr(MSR_VM_CR) & VM_CR_SVMDIS);
	r = svm ? cpuid(0x8000000a, 0) : (struct cpuid_regs){0};
	if (!svm || !(r.edx & SVM_FEAT_NP)) {
		printk(LOG_EMERG, "hvm: no SVM with nested paging on this CPU: guests disabled\n");
		return false;
	}
	svm_features = r.edx;
	svm_nr_asids = r.ebx;
	if (!setup_permission_maps()) {
		pr_err("hvm: no memory for the I/O and MSR permission maps: guests disabled\n");
		return false;
	}
	pr_info("hvm: AMD SVM revision %u with nested paging, %u ASIDs, next-RIP %s, "
		"flush by ASID %s\n",
		r.eax & 0xff, r.ebx, r.edx & SVM_FEAT_NRIPS ? "yes" : "no",
		r.edx & SVM_FEAT_FLUSH_BY_ASID ? "yes" : "no");
	return true;
}

int arch_hvm_enable_cpu(void)
{
	unsigned int cpu = arch_cpu_id();
	struct svm_cpu *sc = kzalloc(sizeof(*sc));
	struct page *hsave = alloc_zeroed(0, MEMF_LOCAL);
	struct page *host = alloc_zeroed(0, MEMF_LOCAL);

	if (!sc || !hsave || !host) {
		kfree(sc);
		if (hsave)
			free_pages(hsave, 0, false);
		if (host)
			free_pages(host, 0, false);
		return -ENOMEM;
	}
	sc->hsave_pa = page_to_maddr(hsave);
	sc->host_pa = page_to_maddr(host);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, sc->hsave_pa);
	__asm__ __volatile__("vmsave %%rax" : : "a"(sc->host_pa) : "memory");
	svm_cpu[cpu] = sc;
	return 0;
}

static void set_seg(struct vmcb_seg *s, u16 sel, u16 attr, u32 limit)
{
	s->sel = sel;
	s->attr = attr;
	s->limit = limit;
	s->base = 0;
}

int arch_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *sv = kzalloc_node(sizeof(*sv), v->node);
	struct page *pg = alloc_zeroed(0, MEMF_PREFER | MEMF_NODE(v->node));
	struct vmcb *vm;

	if (!sv || !pg) {
		kfree(sv);
		if (pg)
			free_pages(pg, 0, false);
		return -ENOMEM;
	}
	sv->vmcb_pa = page_to_maddr(pg);
	sv->vmcb = vm = maddr_to_virt(sv->vmcb_pa);
	/* x87/SSE as after FNINIT, with the power-on MXCSR. */
	*(u16 *)&sv->fxsave[0] = 0x37f;
	*(u32 *)&sv->fxsave[24] = 0x1f80;

	vm->icpt_misc1 = ICPT_INTR | ICPT_NMI | ICPT_SMI | ICPT_INIT | ICPT_CPUID | ICPT_HLT |
			 ICPT_INVLPGA | ICPT_IOIO | ICPT_MSR | ICPT_SHUTDOWN;
	vm->icpt_misc2 = ICPT_VMRUN | ICPT_VMMCALL | ICPT_VMLOAD | ICPT_VMSAVE | ICPT_STGI |
			 ICPT_CLGI | ICPT_SKINIT | ICPT_XSETBV | ICPT_RDTSCP | ICPT_MONITOR |
			 ICPT_MWAIT;
	vm->iopm_pa = iopm_pa;
	vm->msrpm_pa = msrpm_pa;
	vm->asid = GUEST_ASID;
	vm->vintr = VINTR_MASKING;
	vm->np_ctl = 1;
	vm->ncr3 = ((struct npt *)v->dom->arch)->root;
	vm->g_pat = PAT_POWER_ON;
	sv->mtrr_def_type = MTRR_DEF_WB;
	vm->dr6 = 0xffff0ff0;
	vm->dr7 = 0x400;
	vm->efer = EFER_SVME;
	vm->rflags = 2;
	set_seg(&vm->tr, 0, ATTR_TSS_BUSY, 0xffff);
	set_seg(&vm->ldtr, 0, ATTR_LDT, 0xffff);
	v->arch = sv;
	return 0;
}

void arch_vcpu_free(struct vcpu *v)
{
	struct svm_vcpu *sv = v->arch;

	if (!sv)
		return;
	free_pages(mfn_to_page(sv->vmcb_pa >> PAGE_SHIFT), 0, false);
	kfree(sv);
	v->arch = NULL;
}

void arch_vcpu_boot32(struct vcpu *v, u32 eip, u32 eax, u32 ebx)
{
	struct svm_vcpu *sv = v->arch;
	struct vmcb *vm = sv->vmcb;

	set_seg(&vm->cs, 0x08, ATTR_CODE32, 0xffffffff);
	set_seg(&vm->ds, 0x10, ATTR_DATA, 0xffffffff);
	vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
	set_seg(&vm->gdtr, 0, 0, 0);
	set_seg(&vm->idtr, 0, 0, 0);
	vm->cpl = 0;
	vm->cr0 = 0x11; /* PE, ET */
	vm->cr3 = 0;
	vm->cr4 = 0;
	vm->efer = EFER_SVME;
	vm->rflags = 2;
	vm->rip = eip;
	vm->rax = eax;
	vm->rsp = 0;
	memset(&sv->g, 0, sizeof(sv->g));
	sv->g.rbx = ebx;
}

void arch_vcpu_boot64(struct vcpu *v, u64 rip, u64 rsi, u64 cr3, u64 gdt_base, u16 gdt_limit,
		      u16 cs, u16 ds)
{
	struct svm_vcpu *sv = v->arch;
	struct vmcb *vm = sv->vmcb;

	set_seg(&vm->cs, cs, ATTR_CODE64, 0xffffffff);
	set_seg(&vm->ds, ds, ATTR_DATA, 0xffffffff);
	vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
	set_seg(&vm->gdtr, 0, 0, gdt_limit);
	vm->gdtr.base = gdt_base;
	set_seg(&vm->idtr, 0, 0, 0);
	vm->cpl = 0;
	vm->cr0 = 0x80000031; /* PG, NE, ET, PE */
	vm->cr3 = cr3;
	vm->cr4 = 0x20; /* PAE */
	vm->efer = EFER_SVME | EFER_LMA | EFER_LME;
	vm->rflags = 2;
	vm->rip = rip;
	vm->rsp = 0;
	vm->rax = 0;
	memset(&sv->g, 0, sizeof(sv->g));
	sv->g.rsi = rsi;
}

void arch_vcpu_sipi(struct vcpu *v, u8 vector)
{
	struct svm_vcpu *sv = v->arch;
	struct vmcb *vm = sv->vmcb;

	/* Real mode: 64 KiB segments, code at the vector's page (AMD APM vol. 2, 14.1.5). */
	set_seg(&vm->cs, (u16)(vector << 8), ATTR_REAL_CODE, 0xffff);
	vm->cs.base = (u64)vector << 12;
	set_seg(&vm->ds, 0, ATTR_REAL_DATA, 0xffff);
	vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
	set_seg(&vm->gdtr, 0, 0, 0xffff);
	set_seg(&vm->idtr, 0, 0, 0xffff);
	set_seg(&vm->tr, 0, ATTR_TSS_BUSY, 0xffff);
	set_seg(&vm->ldtr, 0, ATTR_LDT, 0xffff);
	vm->cpl = 0;
	vm->cr0 = 0x60000010; /* CD, NW, ET: the value after INIT */
	vm->cr2 = 0;
	vm->cr3 = 0;
	vm->cr4 = 0;
	vm->efer = EFER_SVME;
	vm->rflags = 2;
	vm->rip = 0;
	vm->rsp = 0;
	vm->rax = 0;
	vm->dr6 = 0xffff0ff0;
	vm->dr7 = 0x400;
	vm->g_pat = PAT_POWER_ON;
	sv->mtrr_def_type = MTRR_DEF_WB;
	vm->event_inj = 0;
	vm->int_shadow = 0;
	memset(&sv->g, 0, sizeof(sv->g));
	sv->g.rdx = cpuid(1, 0).eax; /* family, model, stepping */
	memset(sv->fxsave, 0, sizeof(sv->fxsave));
	*(u16 *)&sv->fxsave[0] = 0x37f;
	*(u32 *)&sv->fxsave[24] = 0x1f80;
}

static bool is_canonical(u64 va)
{
	return (u64)((long long)(va << 16) >> 16) == va;
}

static bool in_long_mode(const struct vmcb *vm)
{
	return (vm->efer & EFER_LMA) && (vm->cs.attr & ATTR_L);
}

int arch_vcpu_up(const struct vcpu *caller, struct vcpu *v, u64 rip, u64 rsp, u64 cr3)
{
	const struct vmcb *cv = ((const struct svm_vcpu *)caller->arch)->vmcb;
	struct svm_vcpu *sv = v->arch;
	struct vmcb *vm = sv->vmcb;

	if (!in_long_mode(cv))
		return -EPERM;
	if (!is_canonical(rip) || !is_canonical(rsp))
		return -EINVAL;
	set_seg(&vm->cs, 0x08, ATTR_CODE64, 0xffffffff);
	set_seg(&vm->ds, 0x10, ATTR_DATA, 0xffffffff);
	vm->es = vm->ss = vm->fs = vm->gs = vm->ds;
	vm->gdtr = cv->gdtr;
	vm->idtr = cv->idtr;
	vm->cpl = 0;
	vm->cr0 = 0x80010031; /* PG, WP, NE, ET, PE */
	vm->cr3 = cr3;
	vm->cr4 = 0x20; /* PAE */
	vm->efer = EFER_SVME | EFER_LMA | EFER_LME | (cpu_has_nx() ? EFER_NXE : 0);
	vm->rflags = 2;
	vm->rip = rip;
	vm->rsp = rsp;
	vm->rax = 0;
	memset(&sv->g, 0, sizeof(sv->g));
	sv->g.rdi = v->id;
	return 0;
}

/* --- exits ---------------------------------------------------------- */

static void inject_exception(struct vmcb *vm, unsigned int vec, bool has_err, u32 err)
{
	vm->event_inj = EVENT_VALID | EVENT_TYPE_EXCP | vec |
			(has_err ? EVENT_ERR_VALID | ((u64)err << 32) : 0);
}

/* Step over the instruction that exited (len bytes without next-RIP). */
static void skip_insn(struct vmcb *vm, unsigned int len)
{
	if ((svm_features & SVM_FEAT_NRIPS) && vm->next_rip)
		vm->rip = vm->next_rip;
	else
		vm->rip += len;
	vm->int_shadow = 0;
}

static enum hvm_exit crash(struct vcpu *v, const char *fmt, ...) __printf(2, 3);

static enum hvm_exit crash(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->crash_reason, sizeof(v->crash_reason), fmt, ap);
	va_end(ap);
	return HVM_EXIT_CRASH;
}

static void cpuid_filter(struct vcpu *v, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	if (leaf >= PRX_CPUID_BASE && leaf <= PRX_CPUID_BASE + 0xff) {
		*r = (struct cpuid_regs){0};
		if (leaf == PRX_CPUID_BASE) {
			r->eax = PRX_CPUID_MAX_LEAF;
			r->ebx = PRX_CPUID_SIG_EBX;
			r->ecx = PRX_CPUID_SIG_ECX;
			r->edx = PRX_CPUID_SIG_EDX;
		} else if (leaf == PRX_CPUID_MAX_LEAF) {
			r->eax = PRX_ABI_VERSION;
			r->ebx = v->dom->nr_vcpus;
			r->ecx = v->id;
			r->edx = (u32)x86_tsc_khz();
		}
		return;
	}
	*r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		/*
		 * APIC id is the vCPU's, and each vCPU is a package of its own
		 * (one logical processor: with leaves 0xb and 0x8000001e
		 * hidden and 0x80000008's core count 0, nothing says vCPUs
		 * share a package or a cache, which vCPUs on different nodes
		 * do not); no VMX, MONITOR, XSAVE/AVX.
		 * The local APIC is the vCPU's x2APIC (hypervisor/vlapic.c) with
		 * the TSC-deadline timer.
		 */
		r->ebx = (r->ebx & 0xffff) | (1U << 16) | (v->id << 24);
		r->ecx &= ~((1U << 3) | (1U << 5) | (1U << 26) | (1U << 27) | (1U << 28));
		r->ecx |= (1U << 21) | (1U << 24);   /* x2APIC, TSC-deadline */
		r->ecx |= 1U << 31;		     /* running under a hypervisor */
		r->edx |= 1U << 9;		     /* APIC */
		r->edx &= ~((1U << 7) | (1U << 14)); /* no machine check (MCE, MCA) */
		r->edx &= ~(1U << 28);		     /* HTT: one logical processor per package */
		break;
	case 6:
		r->eax |= 1U << 2; /* ARAT: the APIC timer runs in every C-state */
		break;
	case 7:
		if (sub == 0) {
			r->ebx &= ~((1U << 5) | (1U << 16) | (1U << 17) | (1U << 21) | (1U << 26) |
				    (1U << 27) | (1U << 28) | (1U << 30) | (1U << 31));
			r->ecx &= ~(1U << 22); /* RDPID: TSC_AUX is the host's */
		}
		break;
	case 0xb:
	case 0x1f:
	case 0x8000001e:
		/*
		 * Extended topology names the host's APIC ids: none, so the
		 * guest takes its topology from leaf 1 and the MADT.
		 */
		*r = (struct cpuid_regs){0};
		break;
	case 0x80000008:
		r->ecx = 0; /* NC 0: one core per package; ApicIdSize 0 */
		break;
	case 0xd:
		*r = (struct cpuid_regs){0};
		break;
	case 0x80000001:
		r->ecx &= ~((1U << 2) | (1U << 22)); /* SVM, TOPOEXT */
		r->edx &= ~(1U << 27);		     /* RDTSCP: TSC_AUX is the host's */
		break;
	case 0x8000000a:
		*r = (struct cpuid_regs){0};
		break;
	}
}

static enum hvm_exit exit_cpuid(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	struct cpuid_regs r;

	cpuid_filter(v, (u32)vm->rax, (u32)sv->g.rcx, &r);
	vm->rax = r.eax;
	sv->g.rbx = r.ebx;
	sv->g.rcx = r.ecx;
	sv->g.rdx = r.edx;
	skip_insn(vm, 2);
	return HVM_EXIT_HANDLED;
}

static enum hvm_exit exit_vmmcall(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	u64 args[5] = {sv->g.rdi, sv->g.rsi, sv->g.rdx, sv->g.r10, sv->g.r8};
	u64 nr = vm->rax, rip = vm->rip;
	long rc;

	skip_insn(vm, 3);
	rc = hcall_dispatch(v, nr, args);
	if (v->hcall_again) {
		/* A continuation: the guest issues the call again, RAX untouched. */
		v->hcall_again = false;
		vm->rip = rip;
		sv->g.rdi = v->hcall_rdi;
		return HVM_EXIT_HANDLED;
	}
	vm->rax = (u64)rc;
	return HVM_EXIT_HANDLED;
}

static enum hvm_exit exit_hlt(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	skip_insn(vm, 1);
	/* An interrupt it can take now ends the halt at once. */
	vlapic_tick(&v->lapic, rdtsc());
	if ((vm->rflags & RFLAGS_IF) && vlapic_pending(&v->lapic) >= 0)
		return HVM_EXIT_HANDLED;
	return HVM_EXIT_HALT;
}

u32 arch_guest_tsc_khz(void)
{
	return (u32)x86_tsc_khz();
}

bool arch_vcpu_wake_due(struct vcpu *v)
{
	return vlapic_pending(&v->lapic) >= 0 || vlapic_next_event(&v->lapic) <= rdtsc();
}

/*
 * Deliver the local APIC's interrupt, if it has one and the guest takes
 * interrupts now (IF set, no interrupt shadow, no event already being
 * injected). Otherwise ask for an exit the moment it does: a virtual
 * interrupt of the highest priority, intercepted (VINTR) before the
 * guest sees it (AMD APM vol. 2, 15.21.4).
 */
static void inject_lapic(struct vcpu *v, struct vmcb *vm)
{
	int vec;

	vlapic_tick(&v->lapic, rdtsc());
	vm->vintr &= ~(VINTR_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR);
	vm->icpt_misc1 &= ~ICPT_VINTR;
	vec = vlapic_pending(&v->lapic);
	if (vec < 0)
		return;
	if (vm->event_inj & EVENT_VALID || !(vm->rflags & RFLAGS_IF) || (vm->int_shadow & 1)) {
		vm->vintr |= VINTR_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR;
		vm->icpt_misc1 |= ICPT_VINTR;
		return;
	}
	vm->event_inj = EVENT_VALID | EVENT_TYPE_INTR | (u64)vec;
	vlapic_accept(&v->lapic, (unsigned int)vec);
}

/* The guest can take an interrupt now: the next entry injects it. */
static enum hvm_exit exit_vintr(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	return HVM_EXIT_HANDLED;
}

static enum hvm_exit exit_intr(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	return HVM_EXIT_INTR; /* taken at the STGI already */
}

static enum hvm_exit exit_shutdown(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	return crash(v, "triple fault (shutdown)");
}

/* A guest register by its number in instructions: 0 RAX .. 15 R15 (RAX, RSP in the VMCB). */
static u64 *gpr_slot(struct svm_vcpu *sv, int reg)
{
	u64 *g[16] = {NULL,	  &sv->g.rcx, &sv->g.rdx, &sv->g.rbx, NULL,	  &sv->g.rbp,
		      &sv->g.rsi, &sv->g.rdi, &sv->g.r8,  &sv->g.r9,  &sv->g.r10, &sv->g.r11,
		      &sv->g.r12, &sv->g.r13, &sv->g.r14, &sv->g.r15};

	return g[reg];
}

static u64 gpr_get(struct svm_vcpu *sv, const struct vmcb *vm, int reg)
{
	return reg == 0 ? vm->rax : reg == 4 ? vm->rsp : *gpr_slot(sv, reg);
}

static void gpr_set(struct svm_vcpu *sv, struct vmcb *vm, int reg, u64 val)
{
	if (reg == 0)
		vm->rax = val;
	else if (reg == 4)
		vm->rsp = val;
	else
		*gpr_slot(sv, reg) = val;
}

/*
 * The guest-physical address of linear address va by the guest's own page
 * tables: paging off, or long-mode paging with 4 or (CR4.LA57) 5 levels
 * (4 KiB, 2 MiB, 1 GiB pages). -1 if a table is not in RAM or an entry is
 * not present.
 */
static int guest_linear_to_gpa(struct vcpu *v, const struct vmcb *vm, u64 va, u64 *gpa)
{
	u64 table = vm->cr3 & PTE_ADDR, e = 0;
	int level;

	if (!(vm->cr0 & CR0_PG)) {
		*gpa = va & 0xffffffff;
		return 0;
	}
	if (!(vm->efer & EFER_LMA))
		return -1; /* 32-bit paging: not here */
	for (level = vm->cr4 & CR4_LA57 ? 5 : 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)(level - 1);

		if (dom_copy_from_guest(v->dom, &e, table + ((va >> shift) & 511) * 8, 8) ||
		    !(e & PTE_P))
			return -1;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((e & PTE_ADDR) & ~mask) | (va & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -1;
}

/* Up to 15 bytes of the instruction at the guest's RIP; how many were there. */
static unsigned int fetch_insn(struct vcpu *v, const struct vmcb *vm, u8 *buf)
{
	unsigned int n = 0;

	while (n < 15) {
		u64 va = vm->cs.base + vm->rip + n, gpa;
		unsigned int chunk =
		    MIN(15 - n, (unsigned int)(PAGE_SIZE - (va & (PAGE_SIZE - 1))));

		if (guest_linear_to_gpa(v, vm, va, &gpa) ||
		    dom_copy_from_guest(v->dom, buf + n, gpa, chunk))
			break;
		n += chunk;
	}
	return n;
}

/* An ICR write just emulated sends its IPI. */
static void send_ipi(struct vcpu *v)
{
	struct vlapic_ipi ipi;

	if (vlapic_take_ipi(&v->lapic, &ipi))
		dom_send_ipi(v, &ipi);
}

/*
 * A load or store that hit the xAPIC register page: decode it (no decode
 * assists are relied on), do it on the vCPU's APIC and step over it.
 */
static enum hvm_exit emulate_xapic(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm, u64 gpa)
{
	u32 offset = (u32)(gpa & (PAGE_SIZE - 1));
	struct mem_insn in;
	u8 bytes[15];
	unsigned int n = fetch_insn(v, vm, bytes);
	u64 val;

	if (insn_decode_mem(bytes, n, &in) || in.size != 4)
		return crash(
		    v,
		    "xAPIC access at 0x%llx by an instruction not emulated (%u bytes read: "
		    "%02x %02x %02x %02x)",
		    gpa, n, n > 0 ? bytes[0] : 0, n > 1 ? bytes[1] : 0, n > 2 ? bytes[2] : 0,
		    n > 3 ? bytes[3] : 0);
	val = in.reg >= 0 ? gpr_get(sv, vm, in.reg) : in.imm;
	v->exit_reason[HVM_REASON_APIC]++;
	if (in.load && in.store) { /* XCHG */
		u32 old = vlapic_mmio_read(&v->lapic, offset, rdtsc());

		vlapic_mmio_write(&v->lapic, offset, (u32)val, rdtsc());
		gpr_set(sv, vm, in.reg, old);
		send_ipi(v);
	} else if (in.store) {
		vlapic_mmio_write(&v->lapic, offset, (u32)val, rdtsc());
		send_ipi(v);
	} else {
		/* A 32-bit load zero-extends into the 64-bit register. */
		gpr_set(sv, vm, in.reg, vlapic_mmio_read(&v->lapic, offset, rdtsc()));
	}
	vm->rip += in.len;
	return HVM_EXIT_HANDLED;
}

static enum hvm_exit exit_npf(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	u64 e = vm->exit_info1;

	if (vlapic_xapic_mode(&v->lapic) &&
	    (vm->exit_info2 & ~(u64)(PAGE_SIZE - 1)) == VLAPIC_BASE_DEFAULT)
		return emulate_xapic(v, sv, vm, vm->exit_info2);
	v->exit_reason[HVM_REASON_NPF]++;

	return crash(v, "nested page fault at gpa 0x%llx (%s, %s)", vm->exit_info2,
		     e & 16  ? "fetch"
		     : e & 2 ? "write"
			     : "read",
		     e & 1 ? "protection" : "not guest RAM");
}

/* SVM instructions, XSETBV, RDTSCP, MONITOR, MWAIT: the guest was told they do not exist. */
static enum hvm_exit exit_ud(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	inject_exception(vm, 6, false, 0);
	return HVM_EXIT_HANDLED;
}

/* I/O ports: the domain's (dom_ioport()); EXITINFO1 per APM vol. 2, 15.10.2. */
static enum hvm_exit exit_ioio(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	u64 info = vm->exit_info1;
	unsigned int port = info >> 16, size = (info >> 4) & 7;
	bool in = info & 1;
	u32 val = (u32)vm->rax;

	if (info & (1U << 2))
		return crash(v, "string I/O on port 0x%x is not emulated", port);
	dom_ioport(v, (u16)port, size, in, &val);
	if (in) {
		u64 mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;

		/* IN of 1 or 2 bytes keeps the rest of RAX; of 4, zeroes its upper half. */
		vm->rax = size == 4 ? val : (vm->rax & ~mask) | (val & mask);
	}
	vm->rip = vm->exit_info2; /* next RIP, always given for I/O */
	return HVM_EXIT_HANDLED;
}

static enum hvm_exit exit_msr(struct vcpu *v, struct svm_vcpu *sv, struct vmcb *vm)
{
	u32 msr = (u32)sv->g.rcx;
	bool wr = vm->exit_info1 & 1;
	u64 val = (sv->g.rdx << 32) | (u32)vm->rax;
	bool ok = true;

	if (vlapic_is_msr(msr)) {
		ok = !(wr ? vlapic_wrmsr(&v->lapic, msr, val, rdtsc())
			  : vlapic_rdmsr(&v->lapic, msr, rdtsc(), &val));
		if (wr)
			send_ipi(v);
		msr = 0; /* done: skip the switch */
	}
	switch (msr) {
	case 0:
		break;
	case MSR_EFER:
		if (!wr) {
			val = vm->efer & ~EFER_SVME;
		} else if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
			ok = false;
		} else {
			/* LMA is the CPU's to set; keep SVME, which VMRUN requires. */
			vm->efer = (val & ~EFER_LMA) | (vm->efer & EFER_LMA) | EFER_SVME;
		}
		break;
	case 0x277: /* PAT */
		if (wr)
			vm->g_pat = val;
		else
			val = vm->g_pat;
		break;
	case 0x10: /* TSC: reads only */
		if (!wr)
			val = rdtsc();
		else
			ok = false;
		break;
	case MSR_MTRR_CAP:
		/* No fixed or variable ranges, no write-combining type: nothing to set. */
		ok = !wr;
		val = 0;
		break;
	case MSR_MTRR_DEF_TYPE:
		/*
		 * Write-back everywhere at reset. The guest may turn MTRRs off
		 * and on again (it does around cache changes) and pick a type,
		 * all without effect: nested paging's memory types are the
		 * host's.
		 */
		if (!wr)
			val = sv->mtrr_def_type;
		else if (val & ~MTRR_DEF_VALID)
			ok = false;
		else
			sv->mtrr_def_type = val;
		break;
	case MSR_PATCH_LEVEL:
	case MSR_INT_PENDING_MSG:
		/* Read as 0: no microcode patch; no C1E message (so no E400 workaround). */
		ok = !wr;
		val = 0;
		break;
	default:
		dom_unknown_msr(v, msr, wr, val);
		ok = false;
	}
	if (!ok) {
		inject_exception(vm, 13, true, 0);
		return HVM_EXIT_HANDLED;
	}
	if (!wr) {
		vm->rax = (u32)val;
		sv->g.rdx = val >> 32;
	}
	skip_insn(vm, 2);
	return HVM_EXIT_HANDLED;
}

typedef enum hvm_exit (*exit_fn)(struct vcpu *, struct svm_vcpu *, struct vmcb *);

/* COUNTS_ITSELF: the handler tells which kind the exit was. */
#define COUNTS_ITSELF HVM_NR_REASONS

static const struct {
	u64 code;
	exit_fn fn;
	enum hvm_exit_reason reason;
} exit_table[] = {
    {EXIT_INTR, exit_intr, HVM_REASON_INTR},
    {EXIT_NMI, exit_intr, HVM_REASON_INTR},
    {EXIT_SMI, exit_intr, HVM_REASON_INTR},
    {EXIT_INIT, exit_intr, HVM_REASON_INTR},
    {EXIT_VINTR, exit_vintr, HVM_REASON_VINTR},
    {EXIT_CPUID, exit_cpuid, HVM_REASON_CPUID},
    {EXIT_HLT, exit_hlt, HVM_REASON_HLT},
    {EXIT_IOIO, exit_ioio, HVM_REASON_IO},
    {EXIT_MSR, exit_msr, HVM_REASON_MSR},
    {EXIT_SHUTDOWN, exit_shutdown, HVM_REASON_OTHER},
    {EXIT_VMMCALL, exit_vmmcall, HVM_REASON_HCALL},
    {EXIT_NPF, exit_npf, COUNTS_ITSELF},
    {EXIT_VMRUN, exit_ud, HVM_REASON_OTHER},
    {EXIT_VMLOAD, exit_ud, HVM_REASON_OTHER},
    {EXIT_VMSAVE, exit_ud, HVM_REASON_OTHER},
    {EXIT_STGI, exit_ud, HVM_REASON_OTHER},
    {EXIT_CLGI, exit_ud, HVM_REASON_OTHER},
    {EXIT_SKINIT, exit_ud, HVM_REASON_OTHER},
    {EXIT_INVLPGA, exit_ud, HVM_REASON_OTHER},
    {EXIT_XSETBV, exit_ud, HVM_REASON_OTHER},
    {EXIT_RDTSCP, exit_ud, HVM_REASON_OTHER},
    {EXIT_MONITOR, exit_ud, HVM_REASON_OTHER},
    {EXIT_MWAIT, exit_ud, HVM_REASON_OTHER},
};

enum hvm_exit arch_vcpu_run(struct vcpu *v)
{
	struct svm_vcpu *sv = v->arch;
	struct svm_cpu *sc = svm_cpu[arch_cpu_id()];
	struct vmcb *vm = sv->vmcb;
	unsigned int i;
	u64 gen;

	arch_irq_disable();
	/*
	 * in_guest before reading tlb_gen; the CPU that unmaps bumps tlb_gen
	 * before reading in_guest: one of the two sees the other (both fences
	 * sequentially consistent), so a stale TLB is flushed or waited for.
	 */
	__atomic_store_n(&v->in_guest, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gen = __atomic_load_n(&v->dom->tlb_gen, __ATOMIC_RELAXED);
	if (sc->last_tag != v->tag || v->tlb_gen != gen) {
		vm->tlb_ctl =
		    svm_features & SVM_FEAT_FLUSH_BY_ASID ? TLB_FLUSH_GUEST : TLB_FLUSH_ALL;
		if (sc->last_tag != v->tag)
			__asm__ __volatile__("fxrstor64 %0" : : "m"(sv->fxsave));
		sc->last_tag = v->tag;
		v->tlb_gen = gen;
	} else {
		vm->tlb_ctl = 0;
	}
	vm->clean = 0;
	inject_lapic(v, vm);
	/* Its APIC timer fires on time: the CPU is interrupted then, and the guest exits. */
	arch_timer_at(vlapic_next_event(&v->lapic));
	svm_vmrun(sv->vmcb_pa, sc->host_pa, &sv->g);
	__atomic_store_n(&v->runs, v->runs + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
	__asm__ __volatile__("fxsave64 %0" : "=m"(sv->fxsave));
	/* An event the exit interrupted is delivered again on the next VMRUN. */
	vm->event_inj = (vm->exit_int_info & EVENT_VALID) ? vm->exit_int_info : 0;
	if (vm->exit_code == EXIT_INVALID)
		return crash(v, "invalid guest state (VMRUN refused the VMCB)");
	for (i = 0; i < ARRAY_SIZE(exit_table); i++)
		if (exit_table[i].code == vm->exit_code) {
			if (exit_table[i].reason != COUNTS_ITSELF)
				v->exit_reason[exit_table[i].reason]++;
			return exit_table[i].fn(v, sv, vm);
		}
	v->exit_reason[HVM_REASON_OTHER]++;
	if (vm->exit_code >= EXIT_EXCP_BASE && vm->exit_code < EXIT_EXCP_BASE + 32)
		return crash(v, "exception %llu not handled", vm->exit_code - EXIT_EXCP_BASE);
	return crash(v, "exit 0x%llx not handled", vm->exit_code);
}

void arch_vcpu_dump(const struct vcpu *v)
{
	const struct svm_vcpu *sv = v->arch;
	const struct vmcb *vm = sv->vmcb;
	unsigned int d = v->dom->id;

	printk(LOG_EMERG, "(d%u) vcpu %u: rip 0x%llx rsp 0x%llx rflags 0x%llx cs 0x%x\n", d, v->id,
	       vm->rip, vm->rsp, vm->rflags, vm->cs.sel);
	printk(LOG_EMERG, "(d%u) vcpu %u: cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx\n", d, v->id,
	       vm->cr0, vm->cr3, vm->cr4, vm->efer);
	printk(LOG_EMERG, "(d%u) vcpu %u: exit 0x%llx info1 0x%llx info2 0x%llx\n", d, v->id,
	       vm->exit_code, vm->exit_info1, vm->exit_info2);
}

u64 arch_cpu_ticks(void)
{
	return this_cpu()->ticks;
}
