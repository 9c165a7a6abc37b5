/* x86 CPU registers, MSRs and CPUID. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <hv/types.h>

#define CR0_PE (1UL << 0)
#define CR0_WP (1UL << 16)
#define CR0_PG (1UL << 31)
#define CR4_PAE (1UL << 5)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)

#define MSR_EFER 0xc0000080
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_BSP (1UL << 8)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR(n)                                                           \
	static inline unsigned long read_cr##n(void)                           \
	{                                                                      \
		unsigned long v;                                               \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(unsigned long v)                        \
	{                                                                      \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void halt(void)
{
	__asm__ __volatile__("hlt" : : : "memory");
}

/* CPUID feature tests used at boot. */
static inline bool cpu_has_nx(void)
{
	return cpuid(0x80000001, 0).edx & (1U << 20);
}

static inline bool cpu_has_1g_pages(void)
{
	return cpuid(0x80000001, 0).edx & (1U << 26);
}

static inline bool cpu_has_pge(void)
{
	return cpuid(1, 0).edx & (1U << 13);
}

#endif /* ASM_CPU_H */
