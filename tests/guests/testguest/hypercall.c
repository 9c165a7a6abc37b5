/*
 * The guest's whole interface to the hypervisor: CPUID and VMMCALL, as
 * <public/hypercall.h> describes them. Every other file reaches Proxima
 * through the functions here.
 */
#include "guest.h"

void cpuid(u32 leaf, struct cpuid_regs *r)
{
	__asm__ volatile("cpuid"
			 : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
			 : "a"(leaf), "c"(0));
}

long hypercall(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	register u64 r10 __asm__("r10") = a4;
	register u64 r8 __asm__("r8") = a5;
	long ret;

	/* "memory": the hypervisor reads guest buffers (and may write some). */
	__asm__ volatile("vmmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "memory");
	return ret;
}

long console_write(const void *buf, u64 len)
{
	return hypercall(PRX_HC_CONSOLE_WRITE, (u64)buf, len, 0, 0, 0);
}

long vcpu_up(u32 id, u64 rip, u64 rsp, u64 cr3)
{
	return hypercall(PRX_HC_VCPU_UP, id, rip, rsp, cr3, 0);
}

void shutdown(u32 reason)
{
	hypercall(PRX_HC_SHUTDOWN, reason, 0, 0, 0, 0);
	halt_forever();
}
