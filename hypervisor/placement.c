/*
 * Domain placement (see <hv/placement.h>): the choice of a domain's home
 * node from its configuration and a snapshot of the nodes. Pure: reads
 * only its arguments, writes only *node and err, takes no lock. Whoever
 * takes the snapshot decides how stale it may be.
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/placement.h>

static u64 mib_down(u64 bytes)
{
	return bytes >> 20;
}

static u64 mib_up(u64 bytes)
{
	return (bytes >> 20) + ((bytes & (MiB(1) - 1)) != 0);
}

/*
 * The node with the most free memory among those with memory, at least
 * min_free bytes free and at least min_cpus CPUs (lowest id on a tie), or
 * -1 when there is none.
 */
static int most_free(const struct place_node *nodes, unsigned int nr_nodes, u64 min_free,
		     unsigned int min_cpus)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < nr_nodes; i++) {
		const struct place_node *n = &nodes[i];

		if (!n->present || n->free < min_free || n->cpus < min_cpus)
			continue;
		if (best < 0 || n->free > nodes[best].free)
			best = (int)i;
	}
	return best;
}

/* Free memory of all nodes together, saturating (fixtures may be anything). */
static u64 total_free(const struct place_node *nodes, unsigned int nr_nodes)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < nr_nodes; i++)
		sum = nodes[i].free > UINT64_MAX - sum ? UINT64_MAX : sum + nodes[i].free;
	return sum;
}

/* The node the configuration names; returns it, or a negative errno with err set. */
static int place_on_node(const struct domain_config *cfg, const struct place_node *nodes,
			 unsigned int nr_nodes, char *err, size_t errlen)
{
	unsigned int n = (unsigned int)cfg->node;

	if (n >= nr_nodes) {
		snprintf(err, errlen, "node %u does not exist (%u node%s)", n, nr_nodes,
			 PLURAL_S(nr_nodes));
		return -EINVAL;
	}
	if (!nodes[n].present) {
		snprintf(err, errlen, "node %u has no memory", n);
		return -EINVAL;
	}
	if (cfg->policy == DOM_POLICY_STRICT && nodes[n].free < cfg->mem) {
		snprintf(err, errlen, "strict: node %u has %llu MiB free, domain needs %llu MiB", n,
			 mib_down(nodes[n].free), mib_up(cfg->mem));
		return -ENOMEM;
	}
	return (int)n;
}

/* The best node when the configuration names none; as place_on_node(). */
static int place_anywhere(const struct domain_config *cfg, const struct place_node *nodes,
			  unsigned int nr_nodes, char *err, size_t errlen)
{
	int best = most_free(nodes, nr_nodes, cfg->mem, cfg->vcpus);

	if (best < 0)
		best = most_free(nodes, nr_nodes, cfg->mem, 0);
	if (best >= 0)
		return best;
	/* Nothing holds it all: the emptiest node, and the rest spills. */
	best = most_free(nodes, nr_nodes, 0, 0);
	if (best < 0) {
		snprintf(err, errlen, "no node has memory");
		return -EINVAL;
	}
	if (cfg->policy == DOM_POLICY_STRICT) {
		snprintf(err, errlen,
			 "strict: no node has %llu MiB free (the most is %llu MiB, on node %d)",
			 mib_up(cfg->mem), mib_down(nodes[best].free), best);
		return -ENOMEM;
	}
	return best;
}

int dom_place(const struct domain_config *cfg, const struct place_node *nodes,
	      unsigned int nr_nodes, nodeid_t *node, char *err, size_t errlen)
{
	u64 total;
	int best;

	if (errlen)
		err[0] = '\0';
	if (!nr_nodes) {
		snprintf(err, errlen, "no nodes");
		return -EINVAL;
	}
	if (cfg->node >= 0)
		best = place_on_node(cfg, nodes, nr_nodes, err, errlen);
	else
		best = place_anywhere(cfg, nodes, nr_nodes, err, errlen);
	if (best < 0)
		return best;
	total = total_free(nodes, nr_nodes);
	if (total < cfg->mem) {
		snprintf(err, errlen,
			 "not enough memory: domain needs %llu MiB, %llu MiB free on all nodes",
			 mib_up(cfg->mem), mib_down(total));
		return -ENOMEM;
	}
	*node = (nodeid_t)best;
	return 0;
}
