/*
 * The vCPU side of the fake machine, linked into every hosted test:
 * arch_vcpu_up() with the checks of the SVM one, recording its calls,
 * node_free_bytes() (mm/numa.c, not built here) and the online CPU mask
 * (hypervisor/smp.c). See fake_hvm.h. One thread.
 */
#include <string.h>

#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/numa.h>
#include <hv/smp.h>

#include "fake_arch.h"
#include "fake_hvm.h"

static unsigned int vcpu_up_calls;
static struct fake_vcpu_up_call vcpu_up_last;
static unsigned int sipi_calls, kick_calls;
static struct vcpu *kick_last;

void fake_vcpu_reset(void)
{
	vcpu_up_calls = 0;
	memset(&vcpu_up_last, 0, sizeof(vcpu_up_last));
	sipi_calls = kick_calls = 0;
	kick_last = NULL;
}

void arch_vcpu_sipi(struct vcpu *v, u8 vector)
{
	struct fake_vcpu_arch *va = v->arch;

	if (!va)
		fail_msg("arch_vcpu_sipi: vCPU %u has no fake arch state", v->id);
	sipi_calls++;
	va->started = true;
	va->long_mode = false;
	va->sipi_vector = vector;
	va->rip = 0;
}

unsigned int fake_vcpu_sipi_calls(void)
{
	return sipi_calls;
}

void sched_kick(struct vcpu *v)
{
	kick_calls++;
	kick_last = v;
}

unsigned int fake_sched_kicks(void)
{
	return kick_calls;
}

struct vcpu *fake_sched_kick_last(void)
{
	return kick_last;
}

struct cpumask cpu_online_mask;

u64 fake_node_free[MAX_NODES];

u64 node_free_bytes(nodeid_t n)
{
	return fake_node_free[n];
}

/* Sign-extended from bit 47, as arch/x86/hvm/svm.c checks it. */
static bool is_canonical(u64 va)
{
	return (u64)((long long)(va << 16) >> 16) == va;
}

int arch_vcpu_up(const struct vcpu *caller, struct vcpu *v, u64 rip, u64 rsp, u64 cr3)
{
	const struct fake_vcpu_arch *ca = caller->arch;
	struct fake_vcpu_arch *va = v->arch;
	int rc = 0;

	if (!ca || !va)
		fail_msg("arch_vcpu_up: vCPU %u or %u has no fake arch state", caller->id, v->id);
	vcpu_up_calls++;
	if (!ca->long_mode)
		rc = -EPERM;
	else if (!is_canonical(rip) || !is_canonical(rsp))
		rc = -EINVAL;
	vcpu_up_last = (struct fake_vcpu_up_call){caller, v, rip, rsp, cr3, rc};
	if (rc)
		return rc;
	va->started = true;
	va->long_mode = true;
	va->rip = rip;
	va->rsp = rsp;
	va->cr3 = cr3;
	va->rdi = v->id;
	return 0;
}

unsigned int fake_vcpu_up_calls(void)
{
	return vcpu_up_calls;
}

const struct fake_vcpu_up_call *fake_vcpu_up_last(void)
{
	return &vcpu_up_last;
}
