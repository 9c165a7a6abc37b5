/*
 * Hosted replacement for arch/x86/include/asm/arch-inline.h: the inline
 * half of the arch contract (<hv/arch.h>) for user space. Interrupts do
 * not exist here: the irq hooks do nothing and report interrupts off.
 * arch_cpu_id() returns hosted_cpu_id, which a test sets per thread to
 * pretend to run on another CPU (default 0, the boot CPU). Found before
 * the x86 header because tests/hosted/include comes first on the path.
 */
#ifndef ASM_ARCH_INLINE_H
#define ASM_ARCH_INLINE_H

#include <sched.h>
#include <stdbool.h>

#include <hv/types.h>

/* The CPU the calling thread pretends to be; defined in fake_arch.c. */
extern _Thread_local unsigned int hosted_cpu_id;

static inline unsigned long arch_irq_save(void)
{
	return 0;
}

static inline void arch_irq_restore(unsigned long flags)
{
}

static inline void arch_irq_enable(void)
{
}

static inline void arch_irq_disable(void)
{
}

static inline bool arch_irq_enabled(void)
{
	return false;
}

#ifdef HOSTED_BENCH
/*
 * The benchmarks (bench/, built with -DHOSTED_BENCH): a waiter spins with
 * PAUSE, as a hypervisor CPU does, while every thread has a host CPU of
 * its own (pinned); only when threads time-share host CPUs does it yield,
 * so that the holder can run at all (bench_run.c sets the flag per run).
 */
extern bool hosted_spin_yields;

static inline void arch_cpu_relax(void)
{
	if (hosted_spin_yields)
		sched_yield();
	else
		__builtin_ia32_pause();
}
#else
/* A spinning thread lets the holder run instead of burning its slice. */
static inline void arch_cpu_relax(void)
{
	sched_yield();
}
#endif

/*
 * arch_cpu_sync() (fake_sync.c) is membarrier(): every running thread of
 * the process passes a full barrier, so this side needs only the
 * compiler's. Where the kernel refuses membarrier, hosted_sync_fallback
 * is set before main() and this side fences itself.
 */
extern bool hosted_sync_fallback;

static inline void arch_sync_fence(void)
{
	if (__builtin_expect(hosted_sync_fallback, 0))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/*
 * The direct map. The benchmarks' RAM is one host mapping, which their
 * fixture describes in hosted_directmap: the translation is inline, as
 * the hypervisor's is, and nothing outside it is RAM. The tests' RAM is
 * several buffers: their fixture's hosted_virt_to_maddr() searches them.
 */
#ifdef HOSTED_BENCH
struct hosted_directmap {
	uintptr_t base; /* the host address of physical address pa */
	u64 bytes;
	paddr_t pa;
};
extern struct hosted_directmap hosted_directmap;

static inline paddr_t arch_virt_to_maddr(const void *va)
{
	u64 off = (uintptr_t)va - hosted_directmap.base;

	return off < hosted_directmap.bytes ? hosted_directmap.pa + off : INVALID_PADDR;
}
#else
paddr_t hosted_virt_to_maddr(const void *va);

static inline paddr_t arch_virt_to_maddr(const void *va)
{
	return hosted_virt_to_maddr(va);
}
#endif

static inline unsigned int arch_cpu_id(void)
{
	return hosted_cpu_id;
}

#endif /* ASM_ARCH_INLINE_H */
