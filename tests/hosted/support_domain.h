/*
 * A domain for the tests of the hypercalls and of a domain's memory
 * (test_memory_op.c, test_hypercall_table.c) and for the hypercall fuzz
 * target, built on the current heap fixture the way domain creation
 * builds one, without the scheduler: from a domain= value, virtual node v
 * on physical node v, vCPU v on virtual node v, vCPU 0 in 64-bit mode
 * and started (fake_hvm.c's arch state), its RAM laid out and allocated
 * and its firmware area built. The caller owns the struct; one thread.
 */
#ifndef HOSTED_SUPPORT_DOMAIN_H
#define HOSTED_SUPPORT_DOMAIN_H

#include <hv/domain.h>
#include <hv/types.h>

#include "fake_hvm.h"

#define DOMFX_VCPUS 4

struct domfx {
	struct domain d;
	struct vcpu vcpus[DOMFX_VCPUS], *vcpu_ptrs[DOMFX_VCPUS];
	struct fake_vcpu_arch arch[DOMFX_VCPUS];
	u64 node_pages[MAX_NODES];
};

/*
 * The machine the domain lives on: the slab fixture's two nodes of 64 MiB,
 * one CPU each, SLIT 10/21, both CPUs online, and node_free_bytes() of
 * 50 and 60 MiB (fake_hvm.c). Builds on the heap fixture of
 * support_slab.h; the fake nested page tables are reset.
 */
void domfx_build_machine(void);

/*
 * Build f from value (at most DOMFX_VCPUS vCPUs, as many virtual nodes as
 * the fixture has nodes): 0, or -1 with the reason in err and nothing
 * left allocated. The fake nested page tables are reset first.
 */
int domfx_make(struct domfx *f, const char *value, char *err, size_t errlen);

/* Give f's memory back (if it holds any). */
void domfx_free(struct domfx *f);

#endif /* HOSTED_SUPPORT_DOMAIN_H */
