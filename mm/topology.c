/*
 * The generic NUMA core: turns an arch's struct topo_desc (firmware facts)
 * into a struct topology (dense nodes, distances, CPU and memory placement,
 * fallback order, address-to-node lookup). Owns every validation rule and
 * every fallback; the arch only describes. topo_build() is pure: it
 * writes its output only (its work area included) and keeps no state, so
 * builds into different outputs may run at once, and hosted tests and the
 * fuzzer run it directly.
 *
 * Invariants of a built topology: 1 <= nr_nodes <= MAX_NODES; nodes are
 * numbered in ascending pxm order; ranges are sorted, disjoint and each in
 * one node, and a boundary between two nodes' RAM falls on a page boundary;
 * distance[n][n] == 10 and every other distance is 11..255. 255 means
 * unreachable: such a node comes last in a fallback list, never not at all,
 * so that every node reaches all memory there is.
 */
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

/* The table a rule is about, and what its rejection falls back to. */
static const char *source_name(enum topo_source s)
{
	return s == TOPO_SRC_SN2 ? "SN2" : "SRAT";
}

static const char *affinity_fallback(enum topo_source s)
{
	return s == TOPO_SRC_SN2 ? "ignoring the SN2 node layout: one node with all memory and CPUs"
				 : "ignoring SRAT: one node with all memory and CPUs";
}

static const char *distance_name(enum topo_source s)
{
	return s == TOPO_SRC_SN2 ? "SN2 hop table" : "SLIT";
}

static const char *distance_fallback(enum topo_source s)
{
	return s == TOPO_SRC_SN2 ? "ignoring the SN2 hop table: distances 10 local, 20 remote"
				 : "ignoring SLIT: distances 10 local, 20 remote";
}

/* Add [s, e) on node to the range list; false if it is full. */
static bool add_range(struct topology *t, paddr_t s, paddr_t e, nodeid_t node, bool hotplug)
{
	if (e <= s)
		return true;
	if (t->nr_ranges == TOPO_MAX_RANGES)
		return false;
	t->range[t->nr_ranges].start = s;
	t->range[t->nr_ranges].end = e;
	t->range[t->nr_ranges].node = node;
	t->range[t->nr_ranges].hotplug = hotplug;
	t->nr_ranges++;
	return true;
}

static void sort_ranges(struct topology *t)
{
	unsigned int i, j, n = 0;

	for (i = 1; i < t->nr_ranges; i++) {
		struct topo_range r = t->range[i];

		for (j = i; j > 0 && t->range[j - 1].start > r.start; j--)
			t->range[j] = t->range[j - 1];
		t->range[j] = r;
	}
	/*
	 * Merge touching or overlapping pieces of the same kind on the same
	 * node (two hot-plug ranges of one node may overlap).
	 */
	for (i = 0; i < t->nr_ranges; i++) {
		struct topo_range *prev = n ? &t->range[n - 1] : NULL;

		if (prev && prev->end >= t->range[i].start && prev->node == t->range[i].node &&
		    prev->hotplug == t->range[i].hotplug)
			prev->end = MAX(prev->end, t->range[i].end);
		else
			t->range[n++] = t->range[i];
	}
	t->nr_ranges = n;
}

static void default_distances(struct topology *t)
{
	unsigned int i, j;

	for (i = 0; i < t->nr_nodes; i++)
		for (j = 0; j < t->nr_nodes; j++)
			t->distance[i][j] = i == j ? TOPO_DIST_LOCAL : TOPO_DIST_REMOTE;
}

static void all_cpus_on(struct topology *t, nodeid_t node)
{
	unsigned int c;

	for (c = 0; c < t->nr_cpus; c++)
		t->cpu_node[c] = node;
}

/* One node with every RAM range and every CPU; off: because of numa=off. */
static void build_single(struct topology *t, const struct mem_range *map, unsigned int nr_map,
			 bool off)
{
	unsigned int i;

	t->source = off ? TOPO_SRC_OFF : TOPO_SRC_NONE;
	t->nr_nodes = 1;
	t->node[0].pxm = 0;
	t->nr_ranges = 0;
	for (i = 0; i < nr_map; i++)
		if (map[i].type == MEM_RAM && !add_range(t, map[i].start, map[i].end, 0, false))
			break;
	sort_ranges(t);
	all_cpus_on(t, 0);
	default_distances(t);
}

/*
 * Cut RAM into n nodes at 2 MiB granules of RAM (not of addresses: holes do
 * not count). Node i starts at granule floor(i * granules / n), so every
 * node gets at least one granule; fewer granules than nodes means fewer
 * nodes, said in one line.
 */
static void build_fake(struct topology *t, const struct mem_range *map, unsigned int nr_map,
		       unsigned int n)
{
	u64 total = memmap_ram_bytes(map, nr_map), granules = total / MiB(2), done = 0;
	unsigned int i, c, node = 0;

	if (n > MAX_NODES) {
		pr_warn("numa=fake=%u: more than NR_NODES=%d; using %d nodes\n", n, MAX_NODES,
			MAX_NODES);
		n = MAX_NODES;
	}
	if (n > granules) {
		unsigned int asked = n;

		n = (unsigned int)MAX(granules, 1);
		pr_warn("numa=fake=%u: only %llu MiB of RAM, at least 2 MiB per node; using %u "
			"node%s\n",
			asked, total >> 20, n, n == 1 ? "" : "s");
	}
	t->source = TOPO_SRC_FAKE;
	t->nr_nodes = n;
	for (i = 0; i < n; i++)
		t->node[i].pxm = i;
	for (i = 0; i < nr_map; i++) {
		paddr_t s = map[i].start;

		if (map[i].type != MEM_RAM)
			continue;
		while (s < map[i].end) {
			u64 next =
			    node + 1 < n ? (u64)(node + 1) * granules / n * MiB(2) : UINT64_MAX;
			paddr_t e = s + MIN(next - done, map[i].end - s);

			add_range(t, s, e, (nodeid_t)node, false);
			done += e - s;
			s = e;
			if (done == next)
				node++;
		}
	}
	sort_ranges(t);
	for (c = 0; c < t->nr_cpus; c++)
		t->cpu_node[c] = (nodeid_t)((u64)c * n / t->nr_cpus);
	default_distances(t);
}

static int pxm_index(const struct topo_build_work *w, u32 pxm)
{
	unsigned int i;

	for (i = 0; i < w->nr_pxm; i++)
		if (w->pxm[i] == pxm)
			return (int)i;
	return -1;
}

/* Note a proximity domain; false when there are more than MAX_NODES. */
static bool note_pxm(struct topo_build_work *w, u32 pxm)
{
	unsigned int i;

	if (pxm_index(w, pxm) >= 0)
		return true;
	if (w->nr_pxm == MAX_NODES)
		return false;
	/* Keep the list sorted: node ids follow ascending pxm. */
	for (i = w->nr_pxm; i > 0 && w->pxm[i - 1] > pxm; i--)
		w->pxm[i] = w->pxm[i - 1];
	w->pxm[i] = pxm;
	w->nr_pxm++;
	return true;
}

static int cpu_index(const struct topology *t, u32 hwid)
{
	unsigned int c;

	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu_hwid[c] == hwid)
			return (int)c;
	return -1;
}

/*
 * Check the memory affinity entries and keep the usable ones, sorted, in
 * w->aff. Returns false (after one line) when the table is rejected.
 */
static bool check_memory(const struct topo_desc *d, struct topo_build_work *w)
{
	const char *tbl = source_name(d->source);
	unsigned int i, j;

	w->nr_aff = 0;
	for (i = 0; i < d->nr_mem; i++) {
		const struct topo_mem *m = &d->mem[i];

		if (!m->len) {
			pr_warn(
			    "%s: memory range at 0x%llx (pxm %u) has zero length; entry ignored\n",
			    tbl, m->start, m->pxm);
			continue;
		}
		/* Ending exactly at 2^64 (start + len == 0) is legal, not a wrap. */
		if (m->start + m->len < m->start && m->start + m->len != 0) {
			pr_err("%s: memory range 0x%llx+0x%llx (pxm %u) wraps past 2^64; %s\n", tbl,
			       m->start, m->len, m->pxm, affinity_fallback(d->source));
			return false;
		}
		for (j = w->nr_aff; j > 0 && w->aff[j - 1].start > m->start; j--)
			w->aff[j] = w->aff[j - 1];
		w->aff[j] = *m;
		/*
		 * A half-open range cannot end at 2^64: stop it one page short.
		 * No RAM lies there (the memory map's ranges end below it).
		 */
		if (m->start + m->len == 0)
			w->aff[j].len = TOPO_ADDR_END - m->start;
		w->nr_aff++;
	}
	/*
	 * Sorted by start, any earlier range that overlaps b contains b's start,
	 * and so does the earlier range reaching furthest (a): comparing b with
	 * a alone finds every overlap of different nodes.
	 */
	for (i = 1, j = 0; i < w->nr_aff; i++) {
		const struct topo_mem *a = &w->aff[j], *b = &w->aff[i];

		if (b->start + b->len > a->start + a->len)
			j = i;
		if (b->start < a->start + a->len && a->pxm != b->pxm) {
			pr_err(
			    "%s: memory ranges 0x%llx-0x%llx (pxm %u) and 0x%llx-0x%llx (pxm %u) "
			    "overlap; %s\n",
			    tbl, a->start, (a->start + a->len), a->pxm, b->start, b->start + b->len,
			    b->pxm, affinity_fallback(d->source));
			return false;
		}
	}
	return true;
}

/*
 * The first earlier CPU affinity entry for the same CPU as entry i, or -1.
 * An xAPIC and an x2APIC entry for one APIC id name the same CPU too.
 */
static int earlier_cpu_entry(const struct topo_desc *d, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (d->aff[j].hwid == d->aff[i].hwid)
			return (int)j;
	return -1;
}

/*
 * Whether CPU affinity entry i counts: it names a present CPU and is the
 * first entry for it. A CPU in two proximity domains keeps the first, with
 * one line; the second domain gets no node from that entry alone.
 */
static bool cpu_entry_counts(const struct topo_desc *d, const struct topology *t, unsigned int i)
{
	int j;

	if (cpu_index(t, d->aff[i].hwid) < 0)
		return false;
	j = earlier_cpu_entry(d, i);
	if (j < 0)
		return true;
	if (d->aff[j].pxm != d->aff[i].pxm)
		pr_warn("%s: CPU id 0x%x is in two proximity domains, pxm %u and pxm %u; a CPU "
			"has one node: keeping pxm %u, the first entry\n",
			source_name(d->source), d->aff[i].hwid, d->aff[j].pxm, d->aff[i].pxm,
			d->aff[j].pxm);
	return false;
}

/* Collect the proximity domains in use; false if there are too many. */
static bool collect_domains(const struct topo_desc *d, struct topology *t)
{
	struct topo_build_work *w = &t->work;
	unsigned int i, over = 0;

	w->nr_pxm = 0;
	for (i = 0; i < w->nr_aff; i++)
		over += !note_pxm(w, w->aff[i].pxm);
	for (i = 0; i < d->nr_aff; i++)
		if (cpu_entry_counts(d, t, i))
			over += !note_pxm(w, d->aff[i].pxm);
	if (over) {
		pr_err("%s: more than NR_NODES=%d proximity domains; %s\n", source_name(d->source),
		       MAX_NODES, affinity_fallback(d->source));
		return false;
	}
	return true;
}

/*
 * Place the RAM of the memory map [s, e) on nodes by affinity. Pieces no
 * affinity range covers go to the node of the memory just below them.
 * Returns false if the range list overflowed; *uncovered grows by the bytes
 * no range covered.
 */
static bool place_ram(struct topology *t, paddr_t s, paddr_t e, u64 *uncovered)
{
	const struct topo_build_work *w = &t->work;
	unsigned int i;
	nodeid_t below = 0;

	for (i = 0; i < w->nr_aff && s < e; i++) {
		const struct topo_mem *a = &w->aff[i];
		paddr_t as = a->start, ae = a->start + a->len;
		nodeid_t node = (nodeid_t)pxm_index(w, a->pxm);

		if (ae <= s) {
			below = node;
			continue;
		}
		if (as >= e)
			break;
		if (as > s) {
			*uncovered += as - s;
			if (!add_range(t, s, as, below, false))
				return false;
			s = as;
		}
		if (!add_range(t, s, MIN(ae, e), node, false))
			return false;
		s = MIN(ae, e);
		below = node;
	}
	if (s < e) {
		*uncovered += e - s;
		return add_range(t, s, e, below, false);
	}
	return true;
}

/* Hot-pluggable affinity ranges, less what the memory map says is present. */
static bool place_hotplug(struct topology *t, const struct mem_range *map, unsigned int nr_map)
{
	const struct topo_build_work *w = &t->work;
	unsigned int i, j;

	for (i = 0; i < w->nr_aff; i++) {
		const struct topo_mem *a = &w->aff[i];
		paddr_t s = a->start, e = a->start + a->len;
		nodeid_t node = (nodeid_t)pxm_index(w, a->pxm);

		if (!(a->flags & TOPO_MEM_HOTPLUG))
			continue;
		for (j = 0; j < nr_map && s < e; j++) {
			if (map[j].type != MEM_RAM || map[j].end <= s || map[j].start >= e)
				continue;
			if (map[j].start > s && !add_range(t, s, map[j].start, node, true))
				return false;
			s = map[j].end;
		}
		if (s < e && !add_range(t, s, e, node, true))
			return false;
	}
	return true;
}

/*
 * A node boundary inside a page would leave that page to neither node (the
 * heap manages whole pages): move each such boundary up to the next page,
 * so the page goes to the node that holds its first byte. One line tells
 * the first such boundary and how many there were.
 */
static void align_node_boundaries(const struct topo_desc *d, struct topology *t)
{
	unsigned int i = 1, nr = 0;
	paddr_t first = 0;
	nodeid_t to = 0;

	while (i < t->nr_ranges) {
		struct topo_range *a = &t->range[i - 1], *b = &t->range[i];
		paddr_t cut = ALIGN_UP(b->start, PAGE_SIZE);

		if (a->end != b->start || cut == b->start || a->hotplug || b->hotplug) {
			i++;
			continue;
		}
		if (!nr++) {
			first = b->start;
			to = a->node;
		}
		if (b->end > cut) {
			a->end = b->start = cut;
			i++;
			continue;
		}
		/* b lies inside the page: it joins a, and a meets b's successor. */
		a->end = b->end;
		memmove(b, b + 1, (t->nr_ranges - i - 1) * sizeof(*b));
		t->nr_ranges--;
		if (i < t->nr_ranges && a->end == t->range[i].start &&
		    a->node == t->range[i].node) {
			a->end = t->range[i].end;
			memmove(&t->range[i], &t->range[i + 1],
				(t->nr_ranges - i - 1) * sizeof(*b));
			t->nr_ranges--;
		}
	}
	if (nr)
		pr_warn(
		    "%s: %u node boundar%s inside a page (first at 0x%llx); each such page goes "
		    "to the node holding its first byte (node %u at 0x%llx)\n",
		    source_name(d->source), nr, nr == 1 ? "y" : "ies", first, to,
		    ALIGN_DOWN(first, PAGE_SIZE));
}

static bool place_memory(const struct topo_desc *d, struct topology *t, const struct mem_range *map,
			 unsigned int nr_map)
{
	u64 uncovered = 0;
	unsigned int i;

	t->nr_ranges = 0;
	for (i = 0; i < nr_map; i++)
		if (map[i].type == MEM_RAM && !place_ram(t, map[i].start, map[i].end, &uncovered))
			goto overflow;
	if (!place_hotplug(t, map, nr_map))
		goto overflow;
	sort_ranges(t);
	align_node_boundaries(d, t);
	if (uncovered)
		pr_warn("%s: %llu MiB of RAM in no memory affinity range; given to the node of "
			"the memory below it (node 0 if none)\n",
			source_name(d->source), DIV_ROUND_UP(uncovered, MiB(1)));
	return true;
overflow:
	pr_err("%s: memory splits into more than %d ranges; %s\n", source_name(d->source),
	       TOPO_MAX_RANGES, affinity_fallback(d->source));
	return false;
}

static void place_cpus(const struct topo_desc *d, struct topology *t)
{
	unsigned int c, i;

	for (c = 0; c < t->nr_cpus; c++) {
		int node = -1;

		for (i = 0; i < d->nr_aff && node < 0; i++)
			if (d->aff[i].hwid == t->cpu_hwid[c])
				node = pxm_index(&t->work, d->aff[i].pxm);
		if (node < 0) {
			pr_warn("%s: CPU %u (id 0x%x) has no affinity entry; placed on node 0\n",
				source_name(d->source), c, t->cpu_hwid[c]);
			node = 0;
		}
		t->cpu_node[c] = (nodeid_t)node;
	}
	for (i = 0; i < d->nr_aff; i++)
		if (cpu_index(t, d->aff[i].hwid) < 0)
			pr_warn("%s: CPU id 0x%x (pxm %u) is not among the present CPUs; "
				"entry ignored\n",
				source_name(d->source), d->aff[i].hwid, d->aff[i].pxm);
}

/* Take the raw matrix if it passes every rule; otherwise 10/20. */
static void set_distances(const struct topo_desc *d, struct topology *t, bool noslit)
{
	u64 count = d->nr_localities, need = (u64)t->work.pxm[t->work.nr_pxm - 1] + 1;
	unsigned int i, j;

	default_distances(t);
	if (noslit || !count || d->distances_rejected)
		return;
	/*
	 * More localities than domains is legal (empty sockets, I/O-only
	 * domains named by _PXM): only the rows of domains in use are read.
	 */
	if (count < need) {
		pr_err("%s: %llu localit%s, but the proximity domains (largest %llu) need at least "
		       "%llu; %s\n",
		       distance_name(d->source), count, count == 1 ? "y" : "ies", need - 1, need,
		       distance_fallback(d->source));
		return;
	}
	for (i = 0; i < t->nr_nodes; i++) {
		for (j = 0; j < t->nr_nodes; j++) {
			u8 v = d->dist[t->node[i].pxm * count + t->node[j].pxm];

			if (i == j && v != TOPO_DIST_LOCAL) {
				pr_err("%s: distance from pxm %u to itself is %u, not 10; %s\n",
				       distance_name(d->source), t->node[i].pxm, v,
				       distance_fallback(d->source));
				default_distances(t);
				return;
			}
			if (i != j && v <= TOPO_DIST_LOCAL) {
				pr_err(
				    "%s: distance from pxm %u to pxm %u is %u, not above 10; %s\n",
				    distance_name(d->source), t->node[i].pxm, t->node[j].pxm, v,
				    distance_fallback(d->source));
				default_distances(t);
				return;
			}
			t->distance[i][j] = v;
		}
	}
}

/* The SRAT/SN2 path; false when the description is rejected. */
static bool build_affinity(const struct topo_desc *d, struct topology *t,
			   const struct mem_range *map, unsigned int nr_map, bool noslit)
{
	struct topo_build_work *w = &t->work;
	unsigned int i;

	if (!check_memory(d, w) || !collect_domains(d, t))
		return false;
	if (!w->nr_pxm) {
		pr_err("%s: no usable memory or CPU affinity entries; %s\n", source_name(d->source),
		       affinity_fallback(d->source));
		return false;
	}
	t->nr_nodes = w->nr_pxm;
	for (i = 0; i < t->nr_nodes; i++)
		t->node[i].pxm = w->pxm[i];
	if (!place_memory(d, t, map, nr_map))
		return false;
	place_cpus(d, t);
	set_distances(d, t, noslit);
	t->source = d->source;
	return true;
}

/*
 * Order the other nodes of n that have memory to give by distance (a
 * memoryless node, or one with only hot-pluggable ranges, is never tried).
 * Unreachable nodes (255) sort last: firmware says they are far, and a
 * node whose every neighbour with memory is "unreachable" must still get
 * memory (its CPUs need stacks and caches). Among equally distant nodes,
 * prefer the one fewer earlier nodes chose as their first fallback (load),
 * then the next one after n in id order, so that equal neighbours share
 * the overflow instead of every node falling back onto the lowest id.
 */
static void build_fallback(struct topology *t, nodeid_t n, unsigned int *load)
{
	struct topo_node *node = &t->node[n];
	struct nodemask taken;

	node->nr_fallback = 0;
	nodemask_zero(&taken);
	for (;;) {
		int best = -1;
		unsigned int k, m;

		for (k = 1; k < t->nr_nodes; k++) {
			m = (n + k) % t->nr_nodes;
			if (nodemask_test(&taken, m) || !t->node[m].present)
				continue;
			if (best < 0 || t->distance[n][m] < t->distance[n][best] ||
			    (t->distance[n][m] == t->distance[n][best] && load[m] < load[best]))
				best = (int)m;
		}
		if (best < 0)
			break;
		if (!node->nr_fallback)
			load[best]++;
		nodemask_set(&taken, (unsigned int)best);
		node->fallback[node->nr_fallback++] = (nodeid_t)best;
	}
}

/* Highest bit where a and b differ (a != b). */
static unsigned int top_diff_bit(u64 a, u64 b)
{
	return 63 - (unsigned int)__builtin_clzll(a ^ b);
}

/*
 * The address-to-node table: the coarsest power-of-two chunk such that no
 * chunk holds memory of two nodes. Too many chunks: binary search instead.
 */
static void build_lookup(struct topology *t)
{
	unsigned int i, shift = 63;
	u64 top, entries, c;

	t->lookup_entries = 0;
	if (!t->nr_ranges)
		return;
	for (i = 1; i < t->nr_ranges; i++)
		if (t->range[i].node != t->range[i - 1].node)
			shift =
			    MIN(shift, top_diff_bit(t->range[i - 1].end - 1, t->range[i].start));
	top = t->range[t->nr_ranges - 1].end - 1;
	entries = (top >> shift) + 1;
	if (entries > TOPO_LOOKUP_MAX)
		return;
	t->lookup_shift = shift;
	t->lookup_entries = (unsigned int)entries;
	/* Holes take the node of the memory below them. */
	for (c = 0, i = 0; c < entries; c++) {
		while (i + 1 < t->nr_ranges && (t->range[i + 1].start >> shift) <= c)
			i++;
		t->lookup[c] = t->range[i].node;
	}
}

nodeid_t topo_paddr_to_node(const struct topology *t, paddr_t pa)
{
	unsigned int lo = 0, hi = t->nr_ranges;

	if (t->lookup_entries) {
		u64 c = pa >> t->lookup_shift;

		return t->lookup[c < t->lookup_entries ? c : t->lookup_entries - 1];
	}
	if (!hi)
		return 0;
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->range[mid].start <= pa)
			lo = mid;
		else
			hi = mid;
	}
	return t->range[lo].node;
}

/* A node with CPUs whose only memory is "unreachable" still uses it: say so. */
static void warn_unreachable_only(const struct topology *t, nodeid_t n)
{
	const struct topo_node *node = &t->node[n];

	if (node->present || !node->nr_fallback || !cpumask_weight(&node->cpus) ||
	    t->distance[n][node->fallback[0]] != TOPO_DIST_UNREACHABLE)
		return;
	pr_warn("SLIT: node %u (pxm %u) has CPUs but no memory, and every node with memory is "
		"unreachable (255) from it; its memory comes from node %u all the same\n",
		n, node->pxm, node->fallback[0]);
}

static void take_cpus(const struct topo_desc *d, struct topology *t)
{
	unsigned int c;

	t->nr_cpus = MIN(d->nr_cpus, (unsigned int)CONFIG_NR_CPUS);
	for (c = 0; c < t->nr_cpus; c++)
		t->cpu_hwid[c] = d->cpu_hwid[c];
	if (!t->nr_cpus) {
		/* No CPU list at all: the boot CPU is still there. */
		t->nr_cpus = 1;
		t->cpu_hwid[0] = 0;
	}
}

void topo_build(const struct topo_desc *d, const struct mem_range *map, unsigned int nr_map,
		const struct topo_opts *opts, struct topology *out)
{
	unsigned int n, c;

	memset(out, 0, sizeof(*out));
	take_cpus(d, out);
	if (opts->fake)
		build_fake(out, map, nr_map, opts->fake);
	else if (opts->off || !d->have_affinity || d->affinity_rejected ||
		 !build_affinity(d, out, map, nr_map, opts->noslit))
		build_single(out, map, nr_map, opts->off);
	for (n = 0; n < out->nr_ranges; n++)
		if (!out->range[n].hotplug)
			out->node[out->range[n].node].present +=
			    out->range[n].end - out->range[n].start;
	for (n = 0; n < out->nr_nodes; n++) {
		build_fallback(out, (nodeid_t)n, out->work.load);
		cpumask_clear(&out->node[n].cpus);
	}
	for (c = 0; c < out->nr_cpus; c++)
		cpumask_set(&out->node[out->cpu_node[c]].cpus, c);
	for (n = 0; n < out->nr_nodes; n++)
		warn_unreachable_only(out, (nodeid_t)n);
	build_lookup(out);
}

static const char *const source_names[] = {
    [TOPO_SRC_NONE] = "none", [TOPO_SRC_ACPI] = "acpi", [TOPO_SRC_SN2] = "sn2",
    [TOPO_SRC_FAKE] = "fake", [TOPO_SRC_OFF] = "off",
};

static void print_node(const struct topology *t, unsigned int n, u64 free)
{
	static char buf[5 * (MAX_NODES > CONFIG_NR_CPUS ? MAX_NODES : CONFIG_NR_CPUS) + 16];
	const struct topo_node *node = &t->node[n];
	unsigned int i;
	int len = 0;

	cpumask_format(buf, sizeof(buf), &node->cpus);
	printk(LOG_EMERG, "node %u: pxm %u cpus %s memory %llu MiB free %llu MiB\n", n, node->pxm,
	       buf, node->present >> 20, free >> 20);
	for (i = 0; i < t->nr_ranges; i++)
		if (t->range[i].node == n)
			printk(LOG_EMERG, "node %u: range 0x%llx-0x%llx%s\n", n, t->range[i].start,
			       t->range[i].end, t->range[i].hotplug ? " hotplug" : "");
	for (i = 0; i < t->nr_nodes; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %u", t->distance[n][i]);
	printk(LOG_EMERG, "node %u: distance%s\n", n, buf);
	len = 0;
	buf[0] = '\0';
	for (i = 0; i < node->nr_fallback; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %u", node->fallback[i]);
	printk(LOG_EMERG, "node %u: fallback%s\n", n, node->nr_fallback ? buf : " -");
}

void topo_print(const struct topology *t, const u64 *free_bytes)
{
	unsigned int n;

	printk(LOG_EMERG, "NUMA: %u node%s, %u CPU%s, source %s\n", t->nr_nodes,
	       PLURAL_S(t->nr_nodes), t->nr_cpus, PLURAL_S(t->nr_cpus), source_names[t->source]);
	for (n = 0; n < t->nr_nodes; n++)
		print_node(t, n, free_bytes ? free_bytes[n] : t->node[n].present);
}
