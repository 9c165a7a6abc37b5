/*
 * Boot-time NUMA set-up (mm/numa.c): ask the arch for the firmware's
 * description, build and install the system topology, register 'u'.
 */
#ifndef HV_NUMA_H
#define HV_NUMA_H

#include <hv/boot.h>

/* Boot CPU, once, after arch_setup_memory(); installs `topo`. */
void numa_init(const struct boot_info *bi);

/*
 * Boot-time memory on a node: size bytes (whole pages, page aligned) from
 * node's own RAM, else from its fallback nodes in order. Returns the
 * physical address, or 0 when no node can give it. Boot CPU, before the
 * page allocator takes over.
 */
paddr_t numa_boot_alloc(u64 size, nodeid_t node);

#endif /* HV_NUMA_H */
