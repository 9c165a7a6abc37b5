/*
 * The guest's whole interface to the hypervisor: CPUID and VMMCALL, as
 * <public/hypercall.h> describes them. Every other file reaches Proxima
 * through the functions here.
 */
#include "guest.h"

_Static_assert(sizeof(struct memop_args) == PRX_MEMOP_SIZE, "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, extent_start) == PRX_MEMOP_EXTENT_START,
	       "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, nr_extents) == PRX_MEMOP_NR_EXTENTS,
	       "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, extent_order) == PRX_MEMOP_EXTENT_ORDER,
	       "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, vnode) == PRX_MEMOP_VNODE, "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, flags) == PRX_MEMOP_FLAGS, "memory_op record");
_Static_assert(__builtin_offsetof(struct memop_args, reserved) == PRX_MEMOP_RESERVED,
	       "memory_op record");

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

	/*
	 * "memory": the hypervisor reads guest buffers (and may write some).
	 * "+D": a memory_op continuation leaves its progress in RDI.
	 */
	__asm__ volatile("vmmcall"
			 : "=a"(ret), "+D"(a1)
			 : "a"(nr), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
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

long physinfo(void *buf)
{
	return hypercall(PRX_HC_PHYSINFO, (u64)buf, 0, 0, 0, 0);
}

long numainfo(void *mem_buf, void *dist_buf, u32 max_nodes)
{
	return hypercall(PRX_HC_NUMAINFO, (u64)mem_buf, (u64)dist_buf, max_nodes, 0, 0);
}

long cputopo(void *buf, u32 max_cpus)
{
	return hypercall(PRX_HC_CPUTOPO, (u64)buf, max_cpus, 0, 0, 0);
}

long memory_op(u32 op, struct memop_args *args)
{
	/* Extent index 0 in cmd bits 8-63: the hypervisor alone continues a call. */
	return hypercall(PRX_HC_MEMORY_OP, op & PRX_MEMOP_CMD_MASK, (u64)args, 0, 0, 0);
}

void shutdown(u32 reason)
{
	hypercall(PRX_HC_SHUTDOWN, reason, 0, 0, 0, 0);
	halt_forever();
}
