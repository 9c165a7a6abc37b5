/*
 * The surroundings of the real hypervisor/domain.c in the hosted tests
 * that build it (fake_domain_env.c; see there for what is modelled).
 */
#ifndef HOSTED_FAKE_DOMAIN_ENV_H
#define HOSTED_FAKE_DOMAIN_ENV_H

#include <hv/domain.h>

#define FAKE_SCHED_MAX 1024  /* vCPUs queued at once */
#define FAKE_TSC_KHZ 2000000 /* arch_guest_tsc_khz(): a TSC of 2 GHz */

/*
 * The machine: the slab fixture's two nodes of 32 MiB from 16 MiB, one
 * CPU each, SLIT 10/21, both CPUs online, node_free_bytes() 32 MiB each;
 * one multiboot module (index 0, at DOMENV_IMAGE_MADDR): a 32-bit ELF
 * guest of guest_image_fixture.h (text at 1 MiB, data and bss to
 * 0x104000); domains_boot() has run with guests enabled.
 */
#define DOMENV_IMAGE_MADDR GiB(32)
void domenv_build(void);

/*
 * Make multiboot module i (below 8) the len bytes at buf (kept by the
 * caller), at DOMENV_IMAGE_MADDR + i GiB; nr_modules grows to cover it.
 */
void domenv_set_module(unsigned int i, const void *buf, size_t len);

/* The domains in the table now (at most DOMAIN_MAX); returns how many. */
unsigned int domenv_domains(struct domain **out);

/*
 * End d as the guest would (dom_shutdown(why)) and let its CPUs go
 * (fake_sched_reap()); with reboot, domain.c creates it again.
 */
void domenv_end(struct domain *d, enum dom_shutdown why);

/* End every domain (power off), until the table is empty. */
void domenv_end_all(void);

/*
 * Fail unless the page allocator hands out nothing but the slab
 * allocator's pages and the one page of the empty bus (allocated by
 * domains_boot()), on the node it had then.
 */
void domenv_assert_only_slabs(void);

/* Fail unless dom_check_pages() finds nothing; returns the pages owned. */
u64 domenv_assert_owners(void);

/*
 * Let go of every queued vCPU whose domain is dying (dom_vcpu_gone(),
 * which destroys a domain with its last vCPU); returns how many.
 */
unsigned int fake_sched_reap(void);

/* vCPUs queued now. */
unsigned int fake_sched_queued(void);

/* Run the hook domain.c gave numa_set_stat_hook() (its numastat lines of 'n'). */
void fake_numa_stat(void);

#endif /* HOSTED_FAKE_DOMAIN_ENV_H */
