/*
 * The guest ABI of Proxima: how a guest finds the hypervisor and calls it.
 * Stable and self-contained (numbers only, so assembly can include it
 * too), shared by Proxima and the guests it runs; see
 * Documentation/hypercalls.md.
 *
 * Detection: CPUID leaf 0x40000000 returns in EAX the highest hypervisor
 * leaf (PRX_CPUID_MAX_LEAF) and in EBX, ECX, EDX the 12 bytes "ProximaHyper"
 * (PRX_CPUID_SIG_EBX/ECX/EDX, little-endian words). Leaf 0x40000001 returns
 * the ABI version in EAX ((major << 16) | minor), the domain's number of
 * vCPUs in EBX, the calling vCPU's id (0 .. vcpus - 1) in ECX and the
 * TSC's frequency in kHz in EDX (0 if unknown).
 *
 * Calling convention: VMMCALL from any privilege level the guest allows
 * (Proxima does not check CPL) and any mode, with the call number in RAX
 * and up to five arguments in RDI, RSI, RDX, R10, R8 (all 64 bits are
 * read: in 32-bit mode, clear the upper halves). The result is in RAX: >= 0
 * on success, a negative PRX_E* error otherwise; an unknown call number
 * returns -PRX_ENOSYS. Every other register is
 * preserved. Guest buffers are guest-physical addresses; a buffer that is
 * not entirely inside the guest's RAM fails the call with -PRX_EFAULT, and
 * a failed call changes nothing.
 */
#ifndef PUBLIC_HYPERCALL_H
#define PUBLIC_HYPERCALL_H

#define PRX_CPUID_BASE 0x40000000u
#define PRX_CPUID_MAX_LEAF 0x40000001u
#define PRX_CPUID_SIG_EBX 0x786f7250u /* "Prox" */
#define PRX_CPUID_SIG_ECX 0x48616d69u /* "imaH" */
#define PRX_CPUID_SIG_EDX 0x72657079u /* "yper" */

#define PRX_ABI_MAJOR 1
#define PRX_ABI_MINOR 0
#define PRX_ABI_VERSION ((PRX_ABI_MAJOR << 16) | PRX_ABI_MINOR)

/*
 * version(): returns PRX_ABI_VERSION. Never fails.
 */
#define PRX_HC_VERSION 0

/*
 * console_write(buf, len): write len bytes at guest-physical buf to the
 * hypervisor console. Proxima prefixes every line with "(d<id>) " and keeps
 * a partial line (per vCPU) until its newline arrives. At most
 * PRX_CONSOLE_WRITE_MAX bytes are taken per call: a longer write is cut,
 * the console says so, and the call returns PRX_CONSOLE_WRITE_MAX.
 * Returns the number of bytes written; -PRX_EFAULT if [buf, buf + len)
 * is not guest RAM (len 0 is always fine and returns 0).
 */
#define PRX_HC_CONSOLE_WRITE 1
#define PRX_CONSOLE_WRITE_MAX 1024

/*
 * vcpu_up(id, rip, rsp, cr3): start vCPU id (1 .. vcpus - 1) in 64-bit
 * long mode with paging: CR0 PE|PG|WP|ET|NE, CR4 PAE, EFER LME|LMA (and
 * NXE when CPUID reports NX), CR3 = cr3, a 64-bit flat CS with selector
 * 0x08 and flat DS/ES/SS/FS/GS with selector 0x10 (loaded as such, whatever
 * the GDT holds: reload them from your own GDT before relying on it),
 * RFLAGS 0x2 (interrupts off), RIP = rip, RSP = rsp, RDI = id, every
 * other register 0. The GDTR and IDTR are the caller's at the time of the
 * call. The caller must run
 * in 64-bit mode. Returns 0; -PRX_EINVAL for an id out of range, a
 * non-canonical rip or rsp, or a cr3 with bits set outside a 4 KiB
 * aligned guest frame; -PRX_EFAULT if cr3 is not guest RAM; -PRX_EEXIST if
 * the vCPU was started already; -PRX_EPERM if the caller is not in
 * 64-bit mode.
 */
#define PRX_HC_VCPU_UP 2

/*
 * shutdown(reason): end the domain. PRX_SHUTDOWN_POWEROFF destroys it,
 * PRX_SHUTDOWN_REBOOT destroys it and creates it again from its options,
 * PRX_SHUTDOWN_CRASH destroys it as crashed (with a register dump). Does
 * not return; -PRX_EINVAL (and the domain runs on) for another reason.
 */
#define PRX_HC_SHUTDOWN 3
#define PRX_SHUTDOWN_POWEROFF 0
#define PRX_SHUTDOWN_REBOOT 1
#define PRX_SHUTDOWN_CRASH 2

/* Errors, negated in RAX (the numbers are Linux's). */
#define PRX_EPERM 1
#define PRX_ENOENT 2
#define PRX_E2BIG 7
#define PRX_ENOMEM 12
#define PRX_EFAULT 14
#define PRX_EBUSY 16
#define PRX_EEXIST 17
#define PRX_EINVAL 22
#define PRX_ENOSYS 38

#endif /* PUBLIC_HYPERCALL_H */
