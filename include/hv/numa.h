/*
 * Boot-time NUMA set-up (mm/numa.c): turn the arch's firmware facts into
 * a description, build and install the system topology, register 'u'.
 */
#ifndef HV_NUMA_H
#define HV_NUMA_H

#include <hv/arch.h>
#include <hv/boot.h>

/*
 * Read the firmware fw describes (the ACPI tables, or the arch's own
 * description), build the topology over bi's sanitised memory map and
 * install it as `topo`. Boot CPU, once, after arch_describe_firmware().
 */
void numa_init(const struct boot_info *bi, const struct arch_firmware *fw);

/*
 * Boot-time memory on a node: size bytes (whole pages, page aligned) from
 * node's own RAM, else from its fallback nodes in order (node 0's when
 * node does not exist). Returns the physical address, with *from (unless
 * NULL) set to the node that gave it, or 0 when no node can give it. Boot
 * CPU, before the page allocator takes over; arch_start_cpus() gets it as
 * its node_alloc.
 */
paddr_t numa_boot_alloc(u64 size, nodeid_t node, nodeid_t *from);

/*
 * Free bytes of node n, the one figure the 'u' key shows: once the page
 * allocator is up, the node's free memory as it sees it (its free lists
 * plus its CPUs' page caches, heap_node_free()); before that, what the
 * boot allocator still holds on the node. 0 for a node that does not
 * exist. Boot CPU or a debug key.
 */
u64 node_free_bytes(nodeid_t n);

/*
 * fn prints more lines after 'n' (numactl --hardware): the domains'
 * numastat (hypervisor/domain.c). One hook; a later call replaces it.
 */
void numa_set_stat_hook(void (*fn)(void));

#endif /* HV_NUMA_H */
