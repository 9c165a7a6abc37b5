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
 * returns -PRX_ENOSYS. Every other register is preserved, except RDI,
 * which a memory_op continuation rewrites (see there). Guest buffers are
 * guest-physical addresses; a buffer that is not entirely inside the
 * guest's RAM fails the call with -PRX_EFAULT, and a failed call changes
 * nothing (memory_op: see there for a call that stops part-way).
 */
#ifndef PUBLIC_HYPERCALL_H
#define PUBLIC_HYPERCALL_H

#define PRX_CPUID_BASE 0x40000000u
#define PRX_CPUID_MAX_LEAF 0x40000001u
#define PRX_CPUID_SIG_EBX 0x786f7250u /* "Prox" */
#define PRX_CPUID_SIG_ECX 0x48616d69u /* "imaH" */
#define PRX_CPUID_SIG_EDX 0x72657079u /* "yper" */

#define PRX_ABI_MAJOR 1
#define PRX_ABI_MINOR 1 /* 1.1: physinfo, numainfo, cputopo, memory_op */
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

/*
 * Host topology, for the control domain only (a domain started with
 * control=1); any other domain gets -PRX_EPERM and nothing is written.
 * Records are little-endian, at the byte offsets given; PRX_TOPO_UNKNOWN
 * marks a field the hypervisor does not know. Sizes and counts are in
 * pages of PRX_PAGE_SIZE bytes.
 */
#define PRX_PAGE_SIZE 4096
#define PRX_TOPO_UNKNOWN 0xffffffffu
#define PRX_TOPO_MAX 4096 /* largest max_nodes / max_cpus a call takes */

/*
 * physinfo(buf): write PRX_PHYSINFO_SIZE bytes at buf:
 *   +0  u32 CPUs online        +4  u32 nodes
 *   +8  u32 cores per socket (PRX_TOPO_UNKNOWN if not known)
 *   +12 u32 the hypervisor's page size in bytes
 *   +16 u64 pages of RAM       +24 u64 pages free
 * Returns 0; -PRX_EPERM, -PRX_EFAULT.
 */
#define PRX_HC_PHYSINFO 4
#define PRX_PHYSINFO_SIZE 32
#define PRX_PHYSINFO_CPUS 0
#define PRX_PHYSINFO_NODES 4
#define PRX_PHYSINFO_CORES_PER_SOCKET 8
#define PRX_PHYSINFO_PAGE_SIZE 12
#define PRX_PHYSINFO_TOTAL_PAGES 16
#define PRX_PHYSINFO_FREE_PAGES 24

/*
 * numainfo(mem_buf, dist_buf, max_nodes): for each node i below
 * min(max_nodes, nodes), a PRX_NUMAINFO_MEM_SIZE record at mem_buf +
 * i * PRX_NUMAINFO_MEM_SIZE (+0 u64 pages present, +8 u64 pages free) and
 * the distances of its row as u32 at dist_buf + (i * max_nodes + j) * 4
 * for j below min(max_nodes, nodes) (ACPI SLIT values: 10 for the node
 * itself). Nothing else is written. The buffers the caller declares,
 * max_nodes * PRX_NUMAINFO_MEM_SIZE and max_nodes * max_nodes * 4 bytes,
 * must be guest RAM. Returns the number of nodes (so a first call with
 * max_nodes 0, buffers ignored, sizes them); -PRX_EPERM, -PRX_EFAULT,
 * -PRX_EINVAL for max_nodes above PRX_TOPO_MAX.
 */
#define PRX_HC_NUMAINFO 5
#define PRX_NUMAINFO_MEM_SIZE 16
#define PRX_NUMAINFO_PRESENT 0
#define PRX_NUMAINFO_FREE 8

/*
 * cputopo(buf, max_cpus): for each CPU i below min(max_cpus, CPUs), a
 * PRX_CPUTOPO_SIZE record at buf + i * PRX_CPUTOPO_SIZE: +0 u32 node,
 * +4 u32 socket, +8 u32 core, +12 u32 flags (PRX_CPUTOPO_ONLINE). The
 * declared buffer, max_cpus * PRX_CPUTOPO_SIZE bytes, must be guest RAM.
 * Returns the number of CPUs the hypervisor knows of (online or not);
 * -PRX_EPERM, -PRX_EFAULT, -PRX_EINVAL for max_cpus above PRX_TOPO_MAX.
 */
#define PRX_HC_CPUTOPO 6
#define PRX_CPUTOPO_SIZE 16
#define PRX_CPUTOPO_NODE 0
#define PRX_CPUTOPO_SOCKET 4
#define PRX_CPUTOPO_CORE 8
#define PRX_CPUTOPO_FLAGS 12
#define PRX_CPUTOPO_ONLINE 1u

/*
 * memory_op(cmd, args): change the domain's memory. cmd bits 0-7 are the
 * operation, bits 8-63 the index of the first extent still to do: 0 from
 * the guest. A long call stops after PRX_MEMOP_BATCH extents or
 * PRX_MEMOP_BATCH_BYTES of memory, whichever comes first, stores the
 * progress in those bits of RDI and leaves RIP on the VMMCALL: the guest
 * issues the call again when it next runs (a continuation, which it does
 * not see; the CPU serves its interrupts and other vCPUs in between).
 * args is the guest-physical
 * address of a PRX_MEMOP_SIZE record:
 *   +0  u64 extent_start: guest-physical address of an array of u64
 *       guest frame numbers (4 KiB frames), one per extent
 *   +8  u64 nr_extents
 *   +16 u32 extent_order: an extent is 2^order frames, aligned to its size;
 *       at most the hypervisor's cap (CONFIG_MEMOP_MAX_ORDER, 9 by default)
 *   +20 u32 vnode: the virtual node the memory is for, or PRX_VNODE_ANY
 *   +24 u32 flags: PRX_MEMF_EXACT: only from the physical node behind
 *       the virtual node (a strict domain is always exact)
 *   +28 u32 reserved, 0
 * Operations:
 *   PRX_MEMOP_INCREASE_RESERVATION: add nr_extents extents of new memory
 *     and write their first frame numbers into the array. With a vnode,
 *     all of it is that virtual node's; with PRX_VNODE_ANY it is spread
 *     over the virtual nodes in proportion to their vCPUs. New memory of
 *     virtual node v lies in v's hot-plug range (its SRAT entry with the
 *     hot-pluggable flag) and comes from the physical node behind v.
 *   PRX_MEMOP_POPULATE_PHYSMAP: back the extents the array names (not
 *     RAM now; each wholly inside one RAM or hot-plug range of the domain,
 *     of the given vnode if one is given) with new memory of the virtual
 *     node whose range holds them.
 *   PRX_MEMOP_DECREASE_RESERVATION: give back the extents the array names
 *     (each wholly RAM of the domain, inside one of its ranges, and made of
 *     whole blocks of its memory: 4 KiB of a 2 MiB block cannot go alone);
 *     the frames stop being RAM. vnode and flags are checked, not used.
 * New memory is zeroed. The domain never holds more than its maxmem=
 * bytes of RAM (its ACPI tables' 128 KiB at 0xe0000 are not RAM and not
 * counted). Extents are done
 * in order; the first that cannot be done stops the call, and so does a
 * record or array that changed between the rounds of a continuation.
 * Returns the number of extents done in all; when that is 0, the error of
 * the first:
 * -PRX_EINVAL (bad cmd, order above the cap, vnode not one of the
 * domain's, unknown flags, reserved bits, nr_extents whose array or memory
 * size overflows, a start index past nr_extents, a frame not aligned to
 * the extent or outside the allowed ranges, an extent that would split a
 * block), -PRX_EFAULT (args or the array not guest RAM), -PRX_EEXIST
 * (populate: already RAM), -PRX_ENOENT (decrease: not RAM of the domain),
 * -PRX_ENOMEM (no memory on the node, or past maxmem), -PRX_EBUSY
 * (increase: other vCPUs of the domain kept taking the free extents it
 * found; try again).
 */
#define PRX_HC_MEMORY_OP 7
#define PRX_MEMOP_INCREASE_RESERVATION 0
#define PRX_MEMOP_DECREASE_RESERVATION 1
#define PRX_MEMOP_POPULATE_PHYSMAP 2
#define PRX_MEMOP_CMD_MASK 0xffu
#define PRX_MEMOP_START_SHIFT 8
#define PRX_MEMOP_BATCH 64
#define PRX_MEMOP_BATCH_BYTES (16 << 20)
#define PRX_MEMOP_SIZE 32
#define PRX_MEMOP_EXTENT_START 0
#define PRX_MEMOP_NR_EXTENTS 8
#define PRX_MEMOP_EXTENT_ORDER 16
#define PRX_MEMOP_VNODE 20
#define PRX_MEMOP_FLAGS 24
#define PRX_MEMOP_RESERVED 28
#define PRX_VNODE_ANY 0xffffffffu
#define PRX_MEMF_EXACT 1u

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
