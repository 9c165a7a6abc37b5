/* The register frame that arch/x86/entry.S saves on every trap. */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <hv/types.h>

struct cpu_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	/* Pushed by the CPU. */
	u64 rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "entry.S frame layout");

typedef void (*irq_handler_fn)(struct cpu_regs *regs);

/* Route vector (32..255) to fn; the handler sends its own EOI. */
void x86_set_irq_handler(unsigned int vector, irq_handler_fn fn);

/* Entry point from entry.S. */
void x86_handle_trap(struct cpu_regs *regs);

#endif /* ASM_REGS_H */
