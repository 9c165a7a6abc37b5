/*
 * The domain fixture of support_domain.h: what dom_create() does for a
 * domain's structures and memory, over the hosted heap fixture and the
 * fake nested page tables of fake_hvm.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/domain.h>
#include <hv/domain_config.h>
#include <hv/lib.h>
#include <hv/smp.h>

#include "support_domain.h"
#include "support_slab.h"

void domfx_build_machine(void)
{
	static const u8 dist[] = {10, 21, 21, 10};

	fake_hvm_reset();
	slabfx_build_nodes(2, MiB(64), 1, dist);
	cpumask_clear(&cpu_online_mask);
	cpumask_set(&cpu_online_mask, 0);
	cpumask_set(&cpu_online_mask, 1);
	fake_node_free[0] = MiB(50);
	fake_node_free[1] = MiB(60);
	if (dom_memory_init()) {
		fprintf(stderr, "domfx_build_machine: no page for the empty bus\n");
		abort();
	}
}

int domfx_make(struct domfx *f, const char *value, char *err, size_t errlen)
{
	unsigned int i;

	fake_hvm_reset();
	memset(f, 0, sizeof(*f));
	if (domcfg_parse(value, &f->d.cfg, err, errlen))
		return -1;
	if (f->d.cfg.vcpus > DOMFX_VCPUS) {
		snprintf(err, errlen, "more than %d vCPUs", DOMFX_VCPUS);
		return -1;
	}
	f->d.id = 1;
	f->d.nr_vcpus = f->d.cfg.vcpus;
	f->d.vcpu = f->vcpu_ptrs;
	f->d.node_pages = f->node_pages;
	spin_lock_init(&f->d.lock);
	spin_lock_init(&f->d.mem_lock);
	dom_layout_ram(&f->d);
	for (i = 0; i < f->d.nr_vnodes; i++)
		f->d.vnode[i].pnode = (nodeid_t)i;
	for (i = 0; i < f->d.nr_vcpus; i++) {
		f->vcpus[i].dom = &f->d;
		f->vcpus[i].id = i;
		f->vcpus[i].vnode = f->d.cfg.vnodes > 1 ? i % f->d.cfg.vnodes : 0;
		f->vcpus[i].arch = &f->arch[i];
		f->vcpu_ptrs[i] = &f->vcpus[i];
	}
	f->arch[0].long_mode = f->arch[0].started = true;
	if (dom_alloc_memory(&f->d)) {
		snprintf(err, errlen, "dom_alloc_memory failed");
		return -1;
	}
	if (dom_build_firmware(&f->d, err, errlen)) {
		dom_free_memory(&f->d);
		return -1;
	}
	return 0;
}

void domfx_free(struct domfx *f)
{
	if (f->d.pages)
		dom_free_memory(&f->d);
}
