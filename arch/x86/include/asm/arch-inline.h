/* x86-64 inline halves of the arch contract (see <hv/arch.h>). */
#ifndef ASM_ARCH_INLINE_H
#define ASM_ARCH_INLINE_H

#include <asm/page.h>
#include <hv/types.h>

#define X86_EFLAGS_IF 0x200UL

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		__asm__ __volatile__("sti" : : : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

static inline bool arch_irq_enabled(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	return flags & X86_EFLAGS_IF;
}

static inline void arch_cpu_relax(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

/*
 * Interrupts are off where this is used, and arch_cpu_sync() waits for an
 * interrupt: only the compiler must keep the order.
 */
static inline void arch_sync_fence(void)
{
	__asm__ __volatile__("" : : : "memory");
}

/* The end of the direct map, in bytes from DIRECTMAP_BASE (arch/x86/mm.c). */
extern paddr_t x86_directmap_bytes;

/*
 * Inline because kfree() starts with it: one subtraction and one
 * comparison, below the direct map's base wrapping around to too large.
 */
static inline paddr_t arch_virt_to_maddr(const void *va)
{
	u64 off = (unsigned long)va - DIRECTMAP_BASE;

	return off < x86_directmap_bytes ? off : INVALID_PADDR;
}

/* The logical CPU number, from the per-CPU area the GS base points at. */
static inline unsigned int arch_cpu_id(void)
{
	unsigned int id;

	__asm__ __volatile__("movl %%gs:8, %0" : "=r"(id));
	return id;
}

#endif /* ASM_ARCH_INLINE_H */
