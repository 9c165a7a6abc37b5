/*
 * SGI SN2 (Altix) topology backend: derives a struct topo_desc from the
 * node bits of physical addresses, the CPU list and the router hop table
 * (see sn2.h). Owns only the translation and the checks that keep a
 * description from being half-applied; the core (mm/topology.c) decides
 * everything else. No locks, no state: runs once on the boot CPU and
 * writes nothing but *d and console lines.
 */
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/topology.h>

#include "sn2.h"

#define NO_AFFINITY "affinity ignored: one node with all memory and CPUs"
#define NO_DISTANCES "distances 10 local, 20 remote"

_Static_assert(TOPO_MAX_AFF == CONFIG_NR_CPUS, "one affinity entry per recorded CPU");
_Static_assert(TOPO_MAX_LOCALITIES <= 0x8000, "row numbers fit in s16");

static unsigned int nr_chunks(const struct sn2_fw *fw)
{
	return fw->chunk ? fw->nr_chunks : 0;
}

static unsigned int nr_cpus(const struct sn2_fw *fw)
{
	return fw->cpu ? fw->nr_cpus : 0;
}

static unsigned int nr_hop_nodes(const struct sn2_fw *fw)
{
	return fw->hop_node && fw->hops ? fw->nr_hop_nodes : 0;
}

static bool node_field_ok(const struct sn2_fw *fw)
{
	unsigned int shift = fw->node_shift, bits = fw->node_bits;

	if (bits >= 1 && bits <= SN2_NODE_BITS_MAX && shift + bits <= 64)
		return true;
	pr_err("SN2: node field at bit %u, width %u: must be 1..%d bits ending at or below "
	       "bit 63; %s\n", shift, bits, SN2_NODE_BITS_MAX, NO_AFFINITY);
	return false;
}

static u32 node_of(const struct sn2_fw *fw, paddr_t pa)
{
	return (u32)((pa >> fw->node_shift) & ((1ULL << fw->node_bits) - 1));
}

/* Find the last byte of chunk i; false (after a line) if it has none. */
static bool chunk_last(const struct sn2_fw *fw, unsigned int i, paddr_t *last)
{
	const struct sn2_chunk *c = &fw->chunk[i];

	if (!c->len) {
		pr_warn("SN2: memory chunk %u at 0x%llx has zero length; skipped\n", i,
			(unsigned long long)c->start);
		return false;
	}
	if (c->start + (c->len - 1) < c->start) {
		pr_warn("SN2: memory chunk %u at 0x%llx length 0x%llx wraps past 2^64; skipped\n",
			i, (unsigned long long)c->start, (unsigned long long)c->len);
		return false;
	}
	*last = c->start + (c->len - 1);
	return true;
}

/*
 * Record [s, last], which lies in one node: extend the previous range if
 * it is on the same node and ends at s, else add one. False when d->mem is
 * full. (A range ending at 2^64 "ends" at 0, but address 0 has the node
 * field all zeros and that range's last byte all ones: never the same node.)
 */
static bool add_piece(struct topo_desc *d, paddr_t s, paddr_t last, u32 pxm)
{
	struct topo_mem *m = d->nr_mem ? &d->mem[d->nr_mem - 1] : NULL;

	if (m && m->pxm == pxm && m->start + m->len == s) {
		m->len += last - s + 1;
		return true;
	}
	if (d->nr_mem == TOPO_MAX_MEM)
		return false;
	m = &d->mem[d->nr_mem++];
	m->start = s;
	m->len = last - s + 1;
	m->pxm = pxm;
	m->flags = 0;
	return true;
}

/*
 * Record every usable chunk, cut at node boundaries. On overflow, wipe
 * what was recorded and return false after one line. Every piece but a
 * chunk's first takes a new entry, so a chunk spanning millions of nodes
 * still stops after TOPO_MAX_MEM + 1 pieces.
 */
static bool record_memory(const struct sn2_fw *fw, struct topo_desc *d)
{
	u64 in_node = (1ULL << fw->node_shift) - 1;	/* offset bits below the field */
	unsigned int i;

	for (i = 0; i < nr_chunks(fw); i++) {
		paddr_t s = fw->chunk[i].start, last, end;

		if (!chunk_last(fw, i, &last))
			continue;
		for (;;) {
			end = MIN(s | in_node, last);
			if (!add_piece(d, s, end, node_of(fw, s)))
				goto overflow;
			if (end == last)
				break;
			s = end + 1;
		}
	}
	return true;
overflow:
	pr_err("SN2: memory splits into more than %d ranges at node boundaries; %s\n",
	       TOPO_MAX_MEM, NO_AFFINITY);
	memset(d->mem, 0, sizeof(d->mem));
	d->nr_mem = 0;
	return false;
}

/* The CPU list, and with affinity each CPU's node. */
static void record_cpus(const struct sn2_fw *fw, struct topo_desc *d, bool affinity)
{
	unsigned int i, n = nr_cpus(fw);

	for (i = 0; i < n && i < CONFIG_NR_CPUS; i++) {
		const struct sn2_cpu *c = &fw->cpu[i];
		u32 hwid = SN2_CPU_HWID(c->nasid, c->slice);

		d->cpu_hwid[d->nr_cpus++] = hwid;
		if (!affinity)
			continue;
		d->aff[d->nr_aff].hwid = hwid;
		d->aff[d->nr_aff].pxm = c->nasid;
		d->nr_aff++;
	}
	if (n > CONFIG_NR_CPUS) {
		d->cpus_dropped = n - CONFIG_NR_CPUS;
		pr_warn("SN2: %u CPUs present, room for NR_CPUS=%d; the last %u ignored\n", n,
			CONFIG_NR_CPUS, d->cpus_dropped);
	}
}

/*
 * Map node id to hop table row in row[] (-1: no row). False (after a
 * line) when a row names a node the matrix cannot index or a node twice.
 */
static bool hop_rows_ok(const struct sn2_fw *fw, s16 *row)
{
	unsigned int i, node;

	for (i = 0; i < TOPO_MAX_LOCALITIES; i++)
		row[i] = -1;
	for (i = 0; i < nr_hop_nodes(fw); i++) {
		node = fw->hop_node[i];
		if (node >= TOPO_MAX_LOCALITIES) {
			pr_err("SN2: router hop table row %u is node %u, beyond the %d nodes the "
			       "distance matrix holds; %s\n", i, node, TOPO_MAX_LOCALITIES,
			       NO_DISTANCES);
			return false;
		}
		if (row[node] >= 0) {
			pr_err("SN2: router hop table lists node %u twice; %s\n", node,
			       NO_DISTANCES);
			return false;
		}
		row[node] = (s16)i;
	}
	return true;
}

/* Hops are 0 exactly on the diagonal; false after a line otherwise. */
static bool hop_matrix_ok(const struct sn2_fw *fw)
{
	unsigned int i, j, n = nr_hop_nodes(fw);

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			u8 h = fw->hops[i * n + j];

			if (i == j && h) {
				pr_err("SN2: router hop table entry from node %u to itself is %u, "
				       "not 0; %s\n", fw->hop_node[i], h, NO_DISTANCES);
				return false;
			}
			if (i != j && !h) {
				pr_err("SN2: router hop table entry from node %u to node %u is 0, "
				       "not at least 1; %s\n", fw->hop_node[i], fw->hop_node[j],
				       NO_DISTANCES);
				return false;
			}
		}
	}
	return true;
}

static bool node_in_table(u32 pxm, const s16 *row, const char *what)
{
	if (pxm < TOPO_MAX_LOCALITIES && row[pxm] >= 0)
		return true;
	pr_err("SN2: node %u has %s but no row in the router hop table; %s\n", pxm, what,
	       NO_DISTANCES);
	return false;
}

/*
 * Check that every node with memory or CPUs has a row; set *largest to
 * the largest such node (-1 if none). False after a line otherwise.
 */
static bool hop_table_covers(const struct topo_desc *d, const s16 *row, s64 *largest)
{
	unsigned int i;

	*largest = -1;
	for (i = 0; i < d->nr_mem; i++) {
		if (!node_in_table(d->mem[i].pxm, row, "memory"))
			return false;
		*largest = MAX(*largest, (s64)d->mem[i].pxm);
	}
	for (i = 0; i < d->nr_aff; i++) {
		if (!node_in_table(d->aff[i].pxm, row, "CPUs"))
			return false;
		*largest = MAX(*largest, (s64)d->aff[i].pxm);
	}
	return true;
}

/* 20 for one router hop, 5 more per further router, capped below 255. */
static u8 hops_to_distance(u8 hops)
{
	u32 v = 15 + 5 * (u32)hops;

	return (u8)MIN(v, TOPO_DIST_UNREACHABLE - 1);
}

static void describe_distances(const struct sn2_fw *fw, struct topo_desc *d)
{
	unsigned int a, b, n = nr_hop_nodes(fw), count;
	s16 row[TOPO_MAX_LOCALITIES];
	s64 largest;

	if (!n)
		return;
	if (!hop_rows_ok(fw, row) || !hop_matrix_ok(fw) || !hop_table_covers(d, row, &largest)) {
		d->distances_rejected = true;
		return;
	}
	if (largest < 0)
		return;
	count = (unsigned int)largest + 1;
	for (a = 0; a < count; a++) {
		for (b = 0; b < count; b++) {
			u8 v = TOPO_DIST_UNREACHABLE;

			if (a == b)
				v = TOPO_DIST_LOCAL;
			else if (row[a] >= 0 && row[b] >= 0)
				v = hops_to_distance(fw->hops[row[a] * n + row[b]]);
			d->dist[a * count + b] = v;
		}
	}
	d->nr_localities = count;
}

void sn2_describe(const struct sn2_fw *fw, struct topo_desc *d)
{
	bool affinity;

	memset(d, 0, sizeof(*d));
	d->source = TOPO_SRC_SN2;
	d->have_affinity = true;
	affinity = node_field_ok(fw) && record_memory(fw, d);
	d->affinity_rejected = !affinity;
	record_cpus(fw, d, affinity);
	if (affinity)
		describe_distances(fw, d);
}
