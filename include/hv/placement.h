/*
 * Domain placement: which physical node a domain's memory and vCPUs start
 * on, chosen from the domain's configuration and a snapshot of the nodes.
 * A pure function over data, so the caller takes the snapshot (topology,
 * free memory per node) and the tests pass fixtures. Allocation itself,
 * and the spill along the node's fallback list, are not done here.
 */
#ifndef HV_PLACEMENT_H
#define HV_PLACEMENT_H

#include <hv/domain_config.h>
#include <hv/types.h>

/* One physical node as placement sees it. */
struct place_node {
	u64 present;	   /* bytes of RAM; 0 for a node without memory */
	u64 free;	   /* bytes free now */
	unsigned int cpus; /* CPUs on the node */
};

/*
 * Choose the node for cfg among nodes[0..nr_nodes-1] and store it in
 * *node. Nothing changes on failure.
 *
 * With cfg->node given: that node, which must exist and have memory;
 * under DOM_POLICY_STRICT it must also have cfg->mem free.
 * Without: among the nodes with cfg->mem free, the one with the most free
 * memory among those with at least cfg->vcpus CPUs, else the one with the
 * most free memory; when no node can hold all of it, the node with the
 * most free memory (the rest spills along its fallback list), except
 * under DOM_POLICY_STRICT, which needs one node to hold it all. Ties go
 * to the lowest node id.
 *
 * Returns 0; -EINVAL for a node that does not exist or has no memory (or
 * no node at all); -ENOMEM when the memory does not fit: strict and not
 * on one node, or more than all nodes have free together. The reason,
 * one line without a newline, goes to err:
 *   node 7 does not exist (4 nodes)
 *   node 2 has no memory
 *   strict: node 1 has 100 MiB free, domain needs 256 MiB
 *   strict: no node has 256 MiB free (the most is 200 MiB, on node 3)
 *   not enough memory: domain needs 4096 MiB, 3000 MiB free on all nodes
 *   no node has memory
 *   no nodes
 * Free figures are rounded down to whole MiB, needs rounded up.
 */
int dom_place(const struct domain_config *cfg, const struct place_node *nodes,
	      unsigned int nr_nodes, nodeid_t *node, char *err, size_t errlen);

#endif /* HV_PLACEMENT_H */
