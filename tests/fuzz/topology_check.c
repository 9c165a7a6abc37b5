/*
 * The invariant checks behind topology_check.h, for the topology fuzzer
 * and the replay of its corpus. Each function checks one family of rules
 * and reports the first broken one through fz_fail(); none changes what
 * it looks at. Capacities (MAX_NODES, CONFIG_NR_CPUS, TOPO_MAX_*) come
 * from the same generated configuration as the code under test.
 */
#include <hv/acpi.h>
#include <hv/cpumask.h>
#include <hv/lib.h>

#include "topology_check.h"

/* What the ACPI parsers hand over: within capacity, rejections empty. */
void fz_check_desc(const struct topo_desc *d)
{
	unsigned int i, j;

	FZ_CHECK(d->nr_cpus <= CONFIG_NR_CPUS, "desc: %u CPUs", d->nr_cpus);
	FZ_CHECK(d->nr_mem <= TOPO_MAX_MEM, "desc: %u memory ranges", d->nr_mem);
	FZ_CHECK(d->nr_aff <= TOPO_MAX_AFF, "desc: %u CPU affinities", d->nr_aff);
	FZ_CHECK(d->nr_localities <= TOPO_MAX_LOCALITIES, "desc: %u localities", d->nr_localities);
	FZ_CHECK(!d->affinity_rejected || (!d->have_affinity && !d->nr_mem && !d->nr_aff),
		 "desc: rejected SRAT left %u ranges, %u CPU affinities", d->nr_mem, d->nr_aff);
	FZ_CHECK(!d->distances_rejected || !d->nr_localities,
		 "desc: rejected SLIT left %u localities", d->nr_localities);
	FZ_CHECK(d->have_affinity == (d->source == TOPO_SRC_ACPI),
		 "desc: have_affinity %d with source %d", d->have_affinity, d->source);
	for (i = 0; i < d->nr_cpus; i++)
		for (j = i + 1; j < d->nr_cpus; j++)
			FZ_CHECK(d->cpu_hwid[i] != d->cpu_hwid[j],
				 "desc: CPUs %u and %u share id 0x%x", i, j, d->cpu_hwid[i]);
}

static void fz_check_nodes(const struct topology *t, const struct topo_desc *d,
			   const struct topo_opts *o)
{
	unsigned int n;

	FZ_CHECK(t->nr_nodes >= 1 && t->nr_nodes <= MAX_NODES, "%u nodes", t->nr_nodes);
	for (n = 1; n < t->nr_nodes; n++)
		FZ_CHECK(t->node[n - 1].pxm < t->node[n].pxm,
			 "node %u pxm %u not above node %u pxm %u", n, t->node[n].pxm, n - 1,
			 t->node[n - 1].pxm);
	if (o->fake) {
		FZ_CHECK(t->source == TOPO_SRC_FAKE, "numa=fake gave source %d", t->source);
		FZ_CHECK(t->nr_nodes <= o->fake, "numa=fake=%u gave %u nodes", o->fake,
			 t->nr_nodes);
		for (n = 0; n < t->nr_nodes && t->nr_nodes > 1; n++)
			FZ_CHECK(t->node[n].present, "numa=fake=%u: node %u of %u has no memory",
				 o->fake, n, t->nr_nodes);
		return;
	}
	if (o->off) {
		FZ_CHECK(t->source == TOPO_SRC_OFF && t->nr_nodes == 1,
			 "numa=off gave source %d, %u nodes", t->source, t->nr_nodes);
		return;
	}
	FZ_CHECK(t->source == TOPO_SRC_NONE || t->source == d->source,
		 "source %d from a description of source %d", t->source, d->source);
	FZ_CHECK(t->source != TOPO_SRC_NONE || t->nr_nodes == 1, "no NUMA source but %u nodes",
		 t->nr_nodes);
	FZ_CHECK(d->have_affinity || t->source == TOPO_SRC_NONE, "no SRAT gave source %d",
		 t->source);
}

static void fz_check_distances(const struct topology *t)
{
	unsigned int i, j;

	for (i = 0; i < t->nr_nodes; i++) {
		for (j = 0; j < t->nr_nodes; j++) {
			u8 v = t->distance[i][j];

			if (i == j)
				FZ_CHECK(v == TOPO_DIST_LOCAL, "distance[%u][%u] = %u", i, j, v);
			else
				FZ_CHECK(v > TOPO_DIST_LOCAL, "distance[%u][%u] = %u", i, j, v);
		}
	}
}

/*
 * The fallback list of n: every other node with memory once, nearest
 * first, so unreachable (255) ones last: a node always reaches some
 * memory if any node has it.
 */
static void fz_check_fallback(const struct topology *t, unsigned int n)
{
	const struct topo_node *node = &t->node[n];
	bool seen[MAX_NODES] = {false};
	unsigned int i, m, eligible = 0;

	FZ_CHECK(node->nr_fallback < t->nr_nodes, "node %u: %u fallbacks", n, node->nr_fallback);
	for (i = 0; i < node->nr_fallback; i++) {
		m = node->fallback[i];
		FZ_CHECK(m < t->nr_nodes && m != n, "node %u: fallback %u is node %u", n, i, m);
		FZ_CHECK(!seen[m], "node %u: node %u twice in the fallback list", n, m);
		seen[m] = true;
		FZ_CHECK(t->node[m].present, "node %u: memoryless node %u is a fallback", n, m);
		FZ_CHECK(!i || t->distance[n][node->fallback[i - 1]] <= t->distance[n][m],
			 "node %u: fallback %u (node %u) nearer than the one before", n, i, m);
	}
	for (m = 0; m < t->nr_nodes; m++)
		eligible += m != n && t->node[m].present;
	FZ_CHECK(eligible == node->nr_fallback,
		 "node %u: %u fallbacks of %u nodes with memory (unreachable ones belong last)", n,
		 node->nr_fallback, eligible);
}

/* Ranges sorted, disjoint, non-empty, on real nodes, found by lookup. */
static void fz_check_ranges(const struct topology *t)
{
	unsigned int i;

	FZ_CHECK(t->nr_ranges <= TOPO_MAX_RANGES, "%u ranges", t->nr_ranges);
	for (i = 0; i < t->nr_ranges; i++) {
		const struct topo_range *r = &t->range[i];

		FZ_CHECK(r->start < r->end, "range %u: 0x%llx-0x%llx", i, r->start, r->end);
		FZ_CHECK(r->node < t->nr_nodes, "range %u on node %u", i, r->node);
		FZ_CHECK(!i || t->range[i - 1].end <= r->start,
			 "range %u (0x%llx) overlaps or precedes range %u (end 0x%llx)", i,
			 r->start, i - 1, t->range[i - 1].end);
		/* The heap manages whole pages: two nodes' RAM meets at a page boundary. */
		FZ_CHECK(!i || t->range[i - 1].end != r->start || t->range[i - 1].node == r->node ||
			     r->hotplug || t->range[i - 1].hotplug ||
			     IS_ALIGNED(r->start, PAGE_SIZE),
			 "nodes %u and %u meet inside a page, at 0x%llx", t->range[i - 1].node,
			 r->node, r->start);
		FZ_CHECK(topo_paddr_to_node(t, r->start) == r->node,
			 "range %u 0x%llx-0x%llx node %u: first byte on node %u", i, r->start,
			 r->end, r->node, topo_paddr_to_node(t, r->start));
		FZ_CHECK(topo_paddr_to_node(t, r->end - 1) == r->node,
			 "range %u 0x%llx-0x%llx node %u: last byte on node %u", i, r->start,
			 r->end, r->node, topo_paddr_to_node(t, r->end - 1));
		/* Holes around it: any node, as long as it is one. */
		FZ_CHECK(topo_paddr_to_node(t, r->start - 1) < t->nr_nodes &&
			     topo_paddr_to_node(t, r->end) < t->nr_nodes,
			 "range %u: a neighbouring address maps past the last node", i);
	}
	FZ_CHECK(t->lookup_entries <= TOPO_LOOKUP_MAX, "%u lookup entries", t->lookup_entries);
	for (i = 0; i < t->lookup_entries; i++)
		FZ_CHECK(t->lookup[i] < t->nr_nodes, "lookup[%u] = node %u", i, t->lookup[i]);
}

/* True when RAM of the (sorted) map covers all of [s, e). */
static bool fz_ram_covers(const struct mem_range *map, unsigned int nr, paddr_t s, paddr_t e)
{
	unsigned int i;

	for (i = 0; i < nr && s < e; i++)
		if (map[i].type == MEM_RAM && map[i].start <= s && s < map[i].end)
			s = map[i].end;
	return s >= e;
}

static bool fz_ram_touches(const struct mem_range *map, unsigned int nr, paddr_t s, paddr_t e)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (map[i].type == MEM_RAM && map[i].start < e && s < map[i].end)
			return true;
	return false;
}

/*
 * Every RAM byte in exactly one non-hotplug range (the ranges are
 * disjoint, so: each inside RAM, and as many bytes as RAM has), hotplug
 * ranges outside RAM, and each node's present bytes its ranges' sum.
 */
static void fz_check_ram(const struct topology *t, const struct mem_range *map, unsigned int nr)
{
	u64 ram = 0, placed = 0, per_node[MAX_NODES] = {0};
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (map[i].type == MEM_RAM)
			ram += map[i].end - map[i].start;
	for (i = 0; i < t->nr_ranges; i++) {
		const struct topo_range *r = &t->range[i];

		if (r->hotplug) {
			FZ_CHECK(!fz_ram_touches(map, nr, r->start, r->end),
				 "hotplug range 0x%llx-0x%llx holds present RAM", r->start, r->end);
			continue;
		}
		FZ_CHECK(fz_ram_covers(map, nr, r->start, r->end),
			 "range 0x%llx-0x%llx is not all RAM", r->start, r->end);
		placed += r->end - r->start;
		if (r->node < MAX_NODES)
			per_node[r->node] += r->end - r->start;
	}
	FZ_CHECK(placed == ram, "ranges hold %llu bytes of RAM, the map %llu", placed, ram);
	for (i = 0; i < t->nr_nodes; i++)
		FZ_CHECK(t->node[i].present == per_node[i], "node %u: present %llu, ranges %llu", i,
			 t->node[i].present, per_node[i]);
}

/* Every CPU on a real node and in exactly that node's mask. */
static void fz_check_cpus(const struct topology *t, const struct topo_desc *d)
{
	unsigned int c, n, want = d->nr_cpus ? MIN(d->nr_cpus, (unsigned int)CONFIG_NR_CPUS) : 1;
	unsigned int weight = 0;

	FZ_CHECK(t->nr_cpus == want, "%u CPUs, description has %u", t->nr_cpus, d->nr_cpus);
	for (c = 0; c < t->nr_cpus; c++) {
		unsigned int in = 0;

		FZ_CHECK(t->cpu_node[c] < t->nr_nodes, "CPU %u on node %u", c, t->cpu_node[c]);
		for (n = 0; n < t->nr_nodes; n++)
			in += cpumask_test(&t->node[n].cpus, c);
		FZ_CHECK(in == 1 && cpumask_test(&t->node[t->cpu_node[c]].cpus, c),
			 "CPU %u (node %u) is in %u node masks", c, t->cpu_node[c], in);
	}
	for (n = 0; n < t->nr_nodes; n++)
		weight += cpumask_weight(&t->node[n].cpus);
	FZ_CHECK(weight == t->nr_cpus, "node masks hold %u CPUs of %u", weight, t->nr_cpus);
}

/*
 * Whether range g may hold [os, oe) of SRAT range m of another domain: only
 * where m starts inside a page and g, the RAM below, took that page (a node
 * boundary inside a page moves up to the page's end).
 */
static bool fz_took_boundary_page(const struct topo_range *g, const struct topo_mem *m, paddr_t os,
				  paddr_t oe)
{
	return !IS_ALIGNED(m->start, PAGE_SIZE) && g->start < m->start && os == m->start &&
	       oe <= ALIGN_UP(m->start, PAGE_SIZE);
}

/*
 * With the SRAT used, memory an affinity entry covers is on that entry's
 * domain (entries of different domains never overlap in an accepted SRAT),
 * but for a page straddling two domains, which goes to the lower one.
 */
static void fz_check_mem_affinity(const struct topology *t, const struct topo_desc *d)
{
	unsigned int i, r;

	if (t->source != TOPO_SRC_ACPI)
		return;
	for (i = 0; i < d->nr_mem; i++) {
		const struct topo_mem *m = &d->mem[i];
		paddr_t end = m->start + m->len;

		/* Ending at 2^64 is legal: the topology stops it a page short. */
		if (m->len && !end)
			end = TOPO_ADDR_END;
		FZ_CHECK(!m->len || end > m->start, "accepted SRAT range 0x%llx+0x%llx wraps",
			 m->start, m->len);
		for (r = 0; r < t->nr_ranges && m->len; r++) {
			const struct topo_range *g = &t->range[r];

			if (g->end <= m->start || g->start >= end)
				continue;
			FZ_CHECK(t->node[g->node].pxm == m->pxm ||
				     fz_took_boundary_page(g, m, MAX(g->start, m->start),
							   MIN(g->end, end)),
				 "range 0x%llx-0x%llx%s on node %u (pxm %u) meets SRAT range "
				 "0x%llx-0x%llx of pxm %u",
				 g->start, g->end, g->hotplug ? " hotplug" : "", g->node,
				 t->node[g->node].pxm, m->start, end, m->pxm);
		}
	}
}

/* With the SRAT used, a CPU with an affinity entry sits on its domain. */
static void fz_check_cpu_affinity(const struct topology *t, const struct topo_desc *d)
{
	unsigned int c, i;

	if (t->source != TOPO_SRC_ACPI)
		return;
	for (c = 0; c < t->nr_cpus; c++) {
		for (i = 0; i < d->nr_aff; i++) {
			if (d->aff[i].hwid != t->cpu_hwid[c])
				continue;
			FZ_CHECK(t->node[t->cpu_node[c]].pxm == d->aff[i].pxm,
				 "CPU %u (id 0x%x) on node %u (pxm %u), SRAT says pxm %u", c,
				 t->cpu_hwid[c], t->cpu_node[c], t->node[t->cpu_node[c]].pxm,
				 d->aff[i].pxm);
			break;
		}
	}
}

void fz_check_topology(const struct topology *t, const struct topo_desc *d,
		       const struct topo_opts *o, const struct mem_range *map, unsigned int nr)
{
	unsigned int n;

	fz_check_nodes(t, d, o);
	fz_check_distances(t);
	for (n = 0; n < t->nr_nodes; n++)
		fz_check_fallback(t, n);
	fz_check_ranges(t);
	fz_check_ram(t, map, nr);
	fz_check_cpus(t, d);
	fz_check_mem_affinity(t, d);
	fz_check_cpu_affinity(t, d);
}
