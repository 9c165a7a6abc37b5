/*
 * The guest half of the fake machine, for the tests of
 * hypervisor/hypercall.c and hypervisor/guest_mem.c:
 *
 * - (fake_hvm.c) the nested page tables: a table of gfn -> mfn mappings
 *   that the test fills, read by arch_domain_lookup(); the machine frames
 *   are host buffers made reachable through fake_ram_map() (fake_mm.c);
 * - (fake_vcpu.c, in every test) arch_vcpu_up() with the checks of the SVM
 *   one (caller in 64-bit mode, canonical rip and rsp) over a struct
 *   fake_vcpu_arch in vcpu.arch, every call recorded; arch_vcpu_sipi()
 *   and sched_kick(), recorded;
 * - (fake_hvm.c) dom_shutdown() (hypervisor/domain.c, not built with
 *   fake_hvm.c), recorded only;
 * - a guest: a struct domain with its vCPUs, RAM laid out by the real
 *   dom_layout_ram() and, if asked, backed by host memory whose machine
 *   frames run backwards (no two neighbouring guest pages are neighbours
 *   in machine memory, so a copy that forgot a page boundary shows).
 *
 * One thread; fake_hvm_reset() (done by fake_guest_init()) clears it all.
 */
#ifndef HOSTED_FAKE_HVM_H
#define HOSTED_FAKE_HVM_H

#include <hv/domain.h>
#include <hv/hvm.h>
#include <hv/types.h>

/* What the SVM code keeps in the VMCB, as far as vcpu_up goes. */
struct fake_vcpu_arch {
	bool long_mode; /* as a caller: in 64-bit mode (EFER.LMA and CS.L) */
	bool started;	/* arch_vcpu_up() succeeded on it */
	u64 rip, rsp, cr3, rdi;
	struct page *vmcb; /* fake_domain_env.c's arch_vcpu_init(): the VMCB's page */
	u32 boot_eip;	   /* and arch_vcpu_boot32()'s entry */
	u8 sipi_vector;	   /* arch_vcpu_sipi()'s, real mode at its page */
};

/* What node_free_bytes() (mm/numa.c, not built here) returns per node. */
extern u64 fake_node_free[MAX_NODES];

/* Forget every mapping and record (fake_vcpu_reset() too); callers are in 64-bit mode again. */
void fake_hvm_reset(void);

/* Forget the calls of arch_vcpu_up() (fake_vcpu.c). */
void fake_vcpu_reset(void);

/*
 * Map guest frames [gfn, gfn + nr) of d to [mfn, mfn + nr); a later
 * mapping of a frame wins, and mfn INVALID_MFN unmaps (nr 1 then).
 */
#define FAKE_HVM_MAPS 4096
void fake_hvm_map(const struct domain *d, u64 gfn, mfn_t mfn, u64 nr);

struct fake_vcpu_up_call {
	const struct vcpu *caller;
	struct vcpu *v;
	u64 rip, rsp, cr3;
	int rc;
};

/* Calls of arch_vcpu_up() since the reset, and the last one. */
unsigned int fake_vcpu_up_calls(void);
const struct fake_vcpu_up_call *fake_vcpu_up_last(void);

/*
 * (fake_vcpu.c) arch_vcpu_sipi() marks the vCPU started in real mode at
 * its vector; sched_kick() is counted. Calls since the reset.
 */
unsigned int fake_vcpu_sipi_calls(void);
unsigned int fake_sched_kicks(void);
struct vcpu *fake_sched_kick_last(void);

struct fake_shutdown_call {
	struct domain *d;
	enum dom_shutdown why;
	struct vcpu *v;
};

/* Calls of dom_shutdown() since the reset, and the last one. */
unsigned int fake_shutdown_calls(void);
const struct fake_shutdown_call *fake_shutdown_last(void);

/* ---- a guest -------------------------------------------------------------------------------- */

#define FAKE_GUEST_VCPUS 8
#define FAKE_GUEST_MAX_BACKED MiB(4) /* RAM that may have host memory behind it */
#define FAKE_GUEST_MADDR GiB(64)     /* machine address of that memory */

struct fake_guest {
	struct domain d;
	struct vcpu vcpus[FAKE_GUEST_VCPUS];
	struct vcpu *vcpu_ptrs[FAKE_GUEST_VCPUS];
	struct fake_vcpu_arch arch[FAKE_GUEST_VCPUS];
	u8 *mem; /* the machine memory behind the RAM, or NULL */
	u64 mem_len;
};

/*
 * Reset the fakes and make domain id with mem bytes of RAM (the real
 * dom_layout_ram()) and nr_vcpus vCPUs: vCPU 0 runnable in 64-bit mode,
 * the others down. backed: host memory behind every RAM page, filled with
 * a pattern that depends on the gpa (fake_guest_pattern()).
 */
void fake_guest_init(struct fake_guest *g, unsigned int id, u64 mem, unsigned int nr_vcpus,
		     bool backed);
/* Free what fake_guest_init() took and unmap it. */
void fake_guest_free(struct fake_guest *g);

/* The byte a backed guest's RAM holds at gpa after fake_guest_init(). */
u8 fake_guest_pattern(u64 gpa);

/* The host byte behind guest RAM at gpa (through the fake lookup). */
u8 *fake_guest_byte(const struct fake_guest *g, u64 gpa);

#endif /* HOSTED_FAKE_HVM_H */
