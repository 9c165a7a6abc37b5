/* Private to arch/x86/hvm/: SVM's per-CPU, per-vCPU and per-domain state. */
#ifndef X86_HVM_SVM_H
#define X86_HVM_SVM_H

#include <hv/types.h>

#include "vmcb.h"

/* The general registers VMRUN leaves alone (svm_entry.S knows the order). */
struct svm_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* A domain's nested page tables (domain.arch). */
struct npt {
	paddr_t root;
	nodeid_t node;
	u64 table_pages;
};

/* A vCPU's hardware state (vcpu.arch), on the vCPU's node. */
struct svm_vcpu {
	struct vmcb *vmcb; /* one page */
	paddr_t vmcb_pa;
	struct svm_gprs g;
	u8 fxsave[512] __attribute__((aligned(16))); /* x87/SSE state between runs */
	u64 mtrr_def_type;			     /* IA32_MTRR_DEF_TYPE as the guest set it */
};

void svm_vmrun(u64 vmcb_pa, u64 host_save_pa, struct svm_gprs *g);

#endif /* X86_HVM_SVM_H */
