/*
 * Entering a guest with SVM and coming back. The general registers that
 * VMRUN does not switch (all but RAX and RSP) are loaded from and saved
 * to a struct svm_gprs; the state VMRUN leaves alone (FS, GS, TR, LDTR
 * and the system-call MSRs) is switched with VMLOAD and VMSAVE, the
 * host's own copy kept in a per-CPU page. Runs with the global interrupt
 * flag clear from before the guest state is loaded until the host's is
 * back, and with RFLAGS.IF set, so that a host interrupt during the guest
 * exits (INTR intercept) and is taken at the STGI, on the host's stacks.
 */
#define G_RBX 0
#define G_RCX 8
#define G_RDX 16
#define G_RSI 24
#define G_RDI 32
#define G_RBP 40
#define G_R8 48
#define G_R9 56
#define G_R10 64
#define G_R11 72
#define G_R12 80
#define G_R13 88
#define G_R14 96
#define G_R15 104

	.text
	.code64

/* void svm_vmrun(u64 vmcb_pa, u64 host_save_pa, struct svm_gprs *g) */
	.globl svm_vmrun
svm_vmrun:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx		/* 16(%rsp): g */
	pushq %rsi		/* 8(%rsp): host save area */
	pushq %rdi		/* 0(%rsp): VMCB */

	movq %rdx, %rax
	movq G_RBX(%rax), %rbx
	movq G_RCX(%rax), %rcx
	movq G_RDX(%rax), %rdx
	movq G_RSI(%rax), %rsi
	movq G_RDI(%rax), %rdi
	movq G_RBP(%rax), %rbp
	movq G_R8(%rax), %r8
	movq G_R9(%rax), %r9
	movq G_R10(%rax), %r10
	movq G_R11(%rax), %r11
	movq G_R12(%rax), %r12
	movq G_R13(%rax), %r13
	movq G_R14(%rax), %r14
	movq G_R15(%rax), %r15
	movq 0(%rsp), %rax

	clgi
	sti
	vmload %rax
	vmrun %rax
	vmsave %rax

	/* The host again: RSP and RAX as they were before VMRUN. */
	movq 16(%rsp), %rax
	movq %rbx, G_RBX(%rax)
	movq %rcx, G_RCX(%rax)
	movq %rdx, G_RDX(%rax)
	movq %rsi, G_RSI(%rax)
	movq %rdi, G_RDI(%rax)
	movq %rbp, G_RBP(%rax)
	movq %r8, G_R8(%rax)
	movq %r9, G_R9(%rax)
	movq %r10, G_R10(%rax)
	movq %r11, G_R11(%rax)
	movq %r12, G_R12(%rax)
	movq %r13, G_R13(%rax)
	movq %r14, G_R14(%rax)
	movq %r15, G_R15(%rax)
	movq 8(%rsp), %rax
	vmload %rax
	stgi			/* a pending host interrupt is taken here */

	addq $24, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
