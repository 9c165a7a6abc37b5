/*
 * Domain placement: which physical node each of a domain's virtual NUMA
 * nodes starts on, chosen from the domain's configuration and a snapshot
 * of the nodes. A pure function over data, so the caller takes the
 * snapshot (topology, free memory per node, distances) and the tests pass
 * fixtures. Allocation itself, and the spill along a node's fallback
 * list, are not done here.
 */
#ifndef HV_PLACEMENT_H
#define HV_PLACEMENT_H

#include <hv/domain_config.h>
#include <hv/types.h>

/* The most nodes dom_place() takes (MAX_NODES is never more). */
#define PLACE_NODES_MAX 256
/* Node sets searched in full when there are at most this many; else greedy. */
#define PLACE_EXHAUSTIVE_MAX 100000

/* One physical node as placement sees it. */
struct place_node {
	u64 present;	   /* bytes of RAM; 0 for a node without memory */
	u64 free;	   /* bytes free now */
	unsigned int cpus; /* CPUs on the node */
};

/*
 * Choose the physical node behind each virtual node of cfg among
 * nodes[0..nr_nodes-1] and store it in out[0..cfg->vnodes-1]. dist holds
 * the nr_nodes * nr_nodes SLIT distances row-major (dist[a * nr_nodes + b]
 * from a to b, 10 on the diagonal, not necessarily symmetric); it is read
 * only when placement picks the nodes of a domain with several virtual
 * nodes. Nothing is written to out on failure.
 *
 * Nodes given (cfg->vnode_node[] from node= or nodes=; a node may repeat):
 * each must exist and have memory, checked in virtual node order. Under
 * DOM_POLICY_STRICT each node must also have free the memory of all the
 * virtual nodes on it together.
 *
 * One virtual node, none given: among the nodes with cfg->mem free, the
 * one with the most free memory among those with at least cfg->vcpus
 * CPUs, else the one with the most free memory; when no node can hold all
 * of it, the node with the most free memory (the rest spills along its
 * fallback list), except under DOM_POLICY_STRICT, which needs one node to
 * hold it all. Ties go to the lowest node id.
 *
 * k = cfg->vnodes > 1, none given: k different nodes, in ascending id
 * order to virtual nodes 0..k-1. The candidates are the nodes with memory
 * and the largest vnode_mem[] free. With fewer than k, strict fails and
 * prefer takes every node with memory instead. When at least k candidates
 * have CPUs, only those count. Among the k-sets of candidates the one with
 * the smallest distance sum (place_distance_sum(), both directions of each
 * pair) wins; ties go to the most free memory together, then to the
 * smallest ids. All k-sets are searched when there are at most
 * PLACE_EXHAUSTIVE_MAX; beyond that the search is greedy: from each
 * candidate in turn, add the candidate that adds the least distance (ties:
 * the most free, then the lowest id) until there are k, and take the best
 * of these sets by the same order (it may miss the best set).
 *
 * In every case the nodes together must have cfg->mem free.
 *
 * Returns 0; -EINVAL for a node that does not exist or has no memory, too
 * few nodes with memory, cfg->vnodes outside 1..DOMAIN_MAX_VNODES, or no
 * nodes (or more than PLACE_NODES_MAX); -ENOMEM when the memory does not
 * fit: strict and not on the nodes, or more than all nodes have free
 * together. The reason, one line without a newline, goes to err:
 *   node 7 does not exist (4 nodes)
 *   node 2 has no memory
 *   strict: node 1 has 100 MiB free, domain needs 256 MiB
 *   strict: node 1 has 100 MiB free, virtual nodes 0+2 need 512 MiB
 *   strict: no node has 256 MiB free (the most is 200 MiB, on node 3)
 *   strict: vnodes=3 needs 3 nodes with 512 MiB free, 2 have (nodes 1+3)
 *   vnodes=4 needs 4 nodes with memory, 3 have memory
 *   not enough memory: domain needs 4096 MiB, 3000 MiB free on all nodes
 *   no node has memory
 *   vnodes=17 is out of range (1..16)
 *   no nodes
 * Free figures are rounded down to whole MiB, needs rounded up.
 */
int dom_place(const struct domain_config *cfg, const struct place_node *nodes,
	      unsigned int nr_nodes, const u8 *dist, nodeid_t *out, char *err, size_t errlen);

/*
 * The sum of dist[set[i] * nr_nodes + set[j]] over all i != j below k (so
 * both directions of each pair, and 10 each way for a node that repeats):
 * the figure dom_place() minimises, for the caller's report. The ids must
 * be below nr_nodes, and k at most DOMAIN_MAX_VNODES.
 */
u32 place_distance_sum(const nodeid_t *set, unsigned int k, const u8 *dist, unsigned int nr_nodes);

#endif /* HV_PLACEMENT_H */
