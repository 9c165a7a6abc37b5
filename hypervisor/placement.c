/*
 * Domain placement (see <hv/placement.h>): the choice of the physical
 * node behind each of a domain's virtual nodes from its configuration and
 * a snapshot of the nodes. Pure: reads only its arguments, writes only
 * out and err, takes no lock. Whoever takes the snapshot decides how stale
 * it may be. Stack use is under 1.5 KiB, most of it one node id per node
 * (PLACE_NODES_MAX) for the candidates.
 */
#include <hv/compiler.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/nodemask.h>
#include <hv/placement.h>

_Static_assert(MAX_NODES <= PLACE_NODES_MAX, "dom_place() takes every node there is");
_Static_assert(PLACE_NODES_MAX - 1 <= (nodeid_t)~0, "node ids fit nodeid_t");

/* A set of nodes for a domain with several virtual nodes, and its score. */
struct place_set {
	nodeid_t id[DOMAIN_MAX_VNODES]; /* ascending once complete */
	u32 dist;			/* place_distance_sum() of the set */
	u64 free;			/* free bytes of its nodes, saturating */
};

static u64 mib_down(u64 bytes)
{
	return bytes >> 20;
}

static u64 mib_up(u64 bytes)
{
	return (bytes >> 20) + ((bytes & (MiB(1) - 1)) != 0);
}

/* a + b, saturating (fixtures may be anything). */
static u64 add_sat(u64 a, u64 b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* "1+3" from ids[0..n-1], cut to len. */
static void join_ids(char *buf, size_t len, const nodeid_t *ids, unsigned int n)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "+" : "", ids[i]);
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

static u64 total_free(const struct place_node *nodes, unsigned int nr_nodes)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < nr_nodes; i++)
		sum = add_sat(sum, nodes[i].free);
	return sum;
}

/* Strict with nodes given: each node holds its virtual nodes' memory. */
static int check_strict_sums(const struct domain_config *cfg, const struct place_node *nodes,
			     const nodeid_t *chosen, char *err, size_t errlen)
{
	nodeid_t on[DOMAIN_MAX_VNODES];
	char list[4 * DOMAIN_MAX_VNODES];
	unsigned int v, w, non;

	for (v = 0; v < cfg->vnodes; v++) {
		nodeid_t n = chosen[v];
		u64 need = 0;

		for (w = 0; w < v && chosen[w] != n; w++)
			;
		if (w < v)
			continue; /* counted with the first virtual node on n */
		for (non = 0, w = v; w < cfg->vnodes; w++) {
			if (chosen[w] != n)
				continue;
			need = add_sat(need, cfg->vnode_mem[w]);
			on[non++] = (nodeid_t)w;
		}
		if (nodes[n].free >= need)
			continue;
		if (cfg->vnodes == 1) {
			snprintf(err, errlen,
				 "strict: node %u has %llu MiB free, domain needs %llu MiB", n,
				 mib_down(nodes[n].free), mib_up(need));
		} else {
			join_ids(list, sizeof(list), on, non);
			snprintf(
			    err, errlen,
			    "strict: node %u has %llu MiB free, virtual node%s %s need%s %llu MiB",
			    n, mib_down(nodes[n].free), PLURAL_S(non), list, non == 1 ? "s" : "",
			    mib_up(need));
		}
		return -ENOMEM;
	}
	return 0;
}

/* The nodes the configuration names, into chosen[]; 0 or a negative errno with err set. */
static int place_given(const struct domain_config *cfg, const struct place_node *nodes,
		       unsigned int nr_nodes, nodeid_t *chosen, char *err, size_t errlen)
{
	unsigned int v;

	for (v = 0; v < cfg->vnodes; v++) {
		int n = cfg->vnode_node[v];

		if (n < 0 || (unsigned int)n >= nr_nodes) {
			snprintf(err, errlen, "node %d does not exist (%u node%s)", n, nr_nodes,
				 PLURAL_S(nr_nodes));
			return -EINVAL;
		}
		if (!nodes[n].present) {
			snprintf(err, errlen, "node %d has no memory", n);
			return -EINVAL;
		}
		chosen[v] = (nodeid_t)n;
	}
	if (cfg->policy == DOM_POLICY_STRICT)
		return check_strict_sums(cfg, nodes, chosen, err, errlen);
	return 0;
}

/* The best node for one virtual node when the configuration names none; as place_given(). */
static int place_one(const struct domain_config *cfg, const struct place_node *nodes,
		     unsigned int nr_nodes, nodeid_t *chosen, char *err, size_t errlen)
{
	int best = most_free(nodes, nr_nodes, cfg->mem, cfg->vcpus);

	if (best < 0)
		best = most_free(nodes, nr_nodes, cfg->mem, 0);
	if (best < 0) {
		/* Nothing holds it all: the emptiest node, and the rest spills. */
		best = most_free(nodes, nr_nodes, 0, 0);
		if (best < 0) {
			snprintf(err, errlen, "no node has memory");
			return -EINVAL;
		}
		if (cfg->policy == DOM_POLICY_STRICT) {
			snprintf(
			    err, errlen,
			    "strict: no node has %llu MiB free (the most is %llu MiB, on node %d)",
			    mib_up(cfg->mem), mib_down(nodes[best].free), best);
			return -ENOMEM;
		}
	}
	*chosen = (nodeid_t)best;
	return 0;
}

/* Keep in cand[0..*nc-1] the nodes that have CPUs, if at least k do. */
static void prefer_cpus(const struct place_node *nodes, nodeid_t *cand, unsigned int *nc,
			unsigned int k)
{
	unsigned int i, with = 0;

	for (i = 0; i < *nc; i++)
		with += nodes[cand[i]].cpus > 0;
	if (with < k)
		return;
	for (with = 0, i = 0; i < *nc; i++)
		if (nodes[cand[i]].cpus > 0)
			cand[with++] = cand[i];
	*nc = with;
}

/*
 * The candidates for a domain with several virtual nodes and none named,
 * ascending, into cand[]; their number, or a negative errno with err set.
 */
static int spread_candidates(const struct domain_config *cfg, const struct place_node *nodes,
			     unsigned int nr_nodes, nodeid_t *cand, char *err, size_t errlen)
{
	unsigned int k = cfg->vnodes, nc = 0, with_mem = 0, i;
	char list[4 * DOMAIN_MAX_VNODES];
	u64 part = 0;

	for (i = 0; i < k; i++)
		part = cfg->vnode_mem[i] > part ? cfg->vnode_mem[i] : part;
	for (i = 0; i < nr_nodes; i++) {
		with_mem += nodes[i].present != 0;
		if (nodes[i].present && nodes[i].free >= part)
			cand[nc++] = (nodeid_t)i;
	}
	if (with_mem < k) {
		snprintf(err, errlen, "vnodes=%u needs %u nodes with memory, %u %s memory", k, k,
			 with_mem, with_mem == 1 ? "has" : "have");
		return -EINVAL;
	}
	if (nc < k && cfg->policy == DOM_POLICY_STRICT) {
		join_ids(list, sizeof(list), cand, nc); /* nc < k: fits */
		if (!nc)
			snprintf(err, errlen,
				 "strict: vnodes=%u needs %u nodes with %llu MiB free, none has", k,
				 k, mib_up(part));
		else
			snprintf(err, errlen,
				 "strict: vnodes=%u needs %u nodes with %llu MiB free, %u %s "
				 "(node%s %s)",
				 k, k, mib_up(part), nc, nc == 1 ? "has" : "have", PLURAL_S(nc),
				 list);
		return -ENOMEM;
	}
	if (nc < k) /* prefer: every node with memory, and the rest spills */
		for (nc = 0, i = 0; i < nr_nodes; i++)
			if (nodes[i].present)
				cand[nc++] = (nodeid_t)i;
	prefer_cpus(nodes, cand, &nc, k);
	return (int)nc;
}

u32 place_distance_sum(const nodeid_t *set, unsigned int k, const u8 *dist, unsigned int nr_nodes)
{
	unsigned int i, j;
	u32 sum = 0;

	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++)
			if (i != j)
				sum += dist[set[i] * nr_nodes + set[j]];
	return sum;
}

/* What adding node n to set[0..k-1] adds to the distance sum. */
static u32 added_distance(const nodeid_t *set, unsigned int k, nodeid_t n, const u8 *dist,
			  unsigned int nr_nodes)
{
	unsigned int i;
	u32 sum = 0;

	for (i = 0; i < k; i++)
		sum += dist[set[i] * nr_nodes + n] + dist[n * nr_nodes + set[i]];
	return sum;
}

/* Whether complete set a beats b: less distance, then more free, then smaller ids. */
static bool set_better(const struct place_set *a, const struct place_set *b, unsigned int k)
{
	unsigned int i;

	if (a->dist != b->dist)
		return a->dist < b->dist;
	if (a->free != b->free)
		return a->free > b->free;
	for (i = 0; i < k && a->id[i] == b->id[i]; i++)
		;
	return i < k && a->id[i] < b->id[i];
}

/* Whether there are at most limit k-subsets of n things; no overflow for n <= 2^32 / limit. */
static bool subsets_at_most(unsigned int n, unsigned int k, u64 limit)
{
	u64 c = 1;
	unsigned int i;

	if (k > n)
		return true;
	if (k > n - k)
		k = n - k; /* C(n, i) then grows with i up to k */
	for (i = 0; i < k; i++) {
		c = c * (n - i) / (i + 1); /* C(n, i + 1), exact */
		if (c > limit)
			return false;
	}
	return true;
}

/*
 * Every k-set of cand[0..nc-1] in lexicographic order, into *best (best->dist
 * is UINT32_MAX until a set is found). Partial sums are kept per depth, and
 * a partial set already farther than the best is not extended.
 */
static void search_all(const struct place_node *nodes, const nodeid_t *cand, unsigned int nc,
		       unsigned int k, const u8 *dist, unsigned int nr_nodes,
		       struct place_set *best)
{
	unsigned int idx[DOMAIN_MAX_VNODES], d = 0;
	u32 psum[DOMAIN_MAX_VNODES + 1] = {0};
	u64 pfree[DOMAIN_MAX_VNODES + 1] = {0};
	struct place_set cur;

	idx[0] = 0;
	for (;;) {
		nodeid_t n;

		if (idx[d] > nc - (k - d)) { /* too few left for the rest */
			if (!d)
				return;
			idx[--d]++;
			continue;
		}
		n = cand[idx[d]];
		psum[d + 1] = psum[d] + added_distance(cur.id, d, n, dist, nr_nodes);
		pfree[d + 1] = add_sat(pfree[d], nodes[n].free);
		cur.id[d] = n;
		if (psum[d + 1] > best->dist) {
			idx[d]++;
		} else if (d + 1 < k) {
			idx[d + 1] = idx[d] + 1;
			d++;
		} else {
			cur.dist = psum[k];
			cur.free = pfree[k];
			if (set_better(&cur, best, k))
				*best = cur;
			idx[d]++;
		}
	}
}

/* Grow a set from cand[start] greedily (see dom_place()), sorted, into *set. */
static void grow_from(const struct place_node *nodes, const nodeid_t *cand, unsigned int nc,
		      unsigned int k, unsigned int start, const u8 *dist, unsigned int nr_nodes,
		      struct place_set *set)
{
	unsigned int n, i, j;

	set->id[0] = cand[start];
	set->dist = 0;
	set->free = nodes[cand[start]].free;
	for (n = 1; n < k; n++) {
		int pick = -1;
		u32 pick_add = 0;

		for (i = 0; i < nc; i++) {
			u32 add;

			for (j = 0; j < n && set->id[j] != cand[i]; j++)
				;
			if (j < n)
				continue; /* already in */
			add = added_distance(set->id, n, cand[i], dist, nr_nodes);
			if (pick < 0 || add < pick_add ||
			    (add == pick_add && nodes[cand[i]].free > nodes[cand[pick]].free)) {
				pick = (int)i;
				pick_add = add;
			}
		}
		set->id[n] = cand[pick];
		set->dist += pick_add;
		set->free = add_sat(set->free, nodes[cand[pick]].free);
	}
	for (i = 1; i < k; i++) { /* insertion sort, k <= DOMAIN_MAX_VNODES */
		nodeid_t id = set->id[i];

		for (j = i; j && set->id[j - 1] > id; j--)
			set->id[j] = set->id[j - 1];
		set->id[j] = id;
	}
}

/* k different nodes for a domain with several virtual nodes and none named; as place_given(). */
static int place_spread(const struct domain_config *cfg, const struct place_node *nodes,
			unsigned int nr_nodes, const u8 *dist, nodeid_t *chosen, char *err,
			size_t errlen)
{
	nodeid_t cand[PLACE_NODES_MAX];
	struct place_set best = {.dist = UINT32_MAX}, cur;
	unsigned int k = cfg->vnodes, i;
	int nc = spread_candidates(cfg, nodes, nr_nodes, cand, err, errlen);

	if (nc < 0)
		return nc;
	if (subsets_at_most((unsigned int)nc, k, PLACE_EXHAUSTIVE_MAX)) {
		search_all(nodes, cand, (unsigned int)nc, k, dist, nr_nodes, &best);
	} else {
		for (i = 0; i < (unsigned int)nc; i++) {
			grow_from(nodes, cand, (unsigned int)nc, k, i, dist, nr_nodes, &cur);
			if (i == 0 || set_better(&cur, &best, k))
				best = cur;
		}
	}
	memcpy(chosen, best.id, k * sizeof(*chosen));
	return 0;
}

int dom_place(const struct domain_config *cfg, const struct place_node *nodes,
	      unsigned int nr_nodes, const u8 *dist, nodeid_t *out, char *err, size_t errlen)
{
	nodeid_t chosen[DOMAIN_MAX_VNODES];
	u64 total;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!nr_nodes || nr_nodes > PLACE_NODES_MAX) {
		if (nr_nodes)
			snprintf(err, errlen, "%u nodes, placement takes at most %d", nr_nodes,
				 PLACE_NODES_MAX);
		else
			snprintf(err, errlen, "no nodes");
		return -EINVAL;
	}
	if (!cfg->vnodes || cfg->vnodes > DOMAIN_MAX_VNODES) {
		snprintf(err, errlen, "vnodes=%u is out of range (1..%d)", cfg->vnodes,
			 DOMAIN_MAX_VNODES);
		return -EINVAL;
	}
	if (cfg->vnode_node[0] >= 0)
		rc = place_given(cfg, nodes, nr_nodes, chosen, err, errlen);
	else if (cfg->vnodes == 1)
		rc = place_one(cfg, nodes, nr_nodes, chosen, err, errlen);
	else
		rc = place_spread(cfg, nodes, nr_nodes, dist, chosen, err, errlen);
	if (rc)
		return rc;
	total = total_free(nodes, nr_nodes);
	if (total < cfg->mem) {
		snprintf(err, errlen,
			 "not enough memory: domain needs %llu MiB, %llu MiB free on all nodes",
			 mib_up(cfg->mem), mib_down(total));
		return -ENOMEM;
	}
	memcpy(out, chosen, cfg->vnodes * sizeof(*out));
	return 0;
}
