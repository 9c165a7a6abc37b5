/*
 * SGI SN2 (Altix) topology backend: derives a struct topo_desc from the
 * node bits of physical addresses, the CPU list and the router hop table
 * (see sn2.h), or reads the PROM's ACPI tables with the SN2 SRAT quirk.
 * Either way CPU ids are the LID's (NASID in bits 0..11, slice in 12..13)
 * and proximity domains the PROM's (NASID >> 1), so both descriptions of
 * one machine agree. Owns only the translation and the checks that keep a
 * description from being half-applied; the core (mm/topology.c) decides
 * everything else. No locks, no state: runs once on the boot CPU and
 * writes nothing but *d and console lines.
 */
#include <hv/acpi.h>
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
	       "bit 63; %s\n",
	       shift, bits, SN2_NODE_BITS_MAX, NO_AFFINITY);
	return false;
}

/* The NASID of a physical address: its node field. */
static u32 nasid_of(const struct sn2_fw *fw, paddr_t pa)
{
	return (u32)((pa >> fw->node_shift) & ((1ULL << fw->node_bits) - 1));
}

/* Find the last byte of chunk i; false (after a line) if it has none. */
static bool chunk_last(const struct sn2_fw *fw, unsigned int i, paddr_t *last)
{
	const struct sn2_chunk *c = &fw->chunk[i];

	if (!c->len) {
		pr_warn("SN2: memory chunk %u at 0x%llx has zero length; skipped\n", i, c->start);
		return false;
	}
	if (c->start + (c->len - 1) < c->start) {
		pr_warn("SN2: memory chunk %u at 0x%llx length 0x%llx wraps past 2^64; skipped\n",
			i, c->start, c->len);
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

/* Forget the memory recorded so far, after the line that says why. */
static bool drop_memory(struct topo_desc *d)
{
	memset(d->mem, 0, sizeof(d->mem));
	d->nr_mem = 0;
	return false;
}

/*
 * Record every usable chunk, cut at NASID boundaries. Memory on an odd
 * NASID or more than TOPO_MAX_MEM ranges: wipe what was recorded and
 * return false after one line. Every piece but a chunk's first crosses
 * into the next NASID, and every other one of those is odd, so a chunk
 * spanning millions of NASIDs stops after two pieces.
 */
static bool record_memory(const struct sn2_fw *fw, struct topo_desc *d)
{
	u64 in_node = (1ULL << fw->node_shift) - 1; /* offset bits below the field */
	unsigned int i;

	for (i = 0; i < nr_chunks(fw); i++) {
		paddr_t s = fw->chunk[i].start, last, end;

		if (!chunk_last(fw, i, &last))
			continue;
		for (;;) {
			u32 nasid = nasid_of(fw, s);

			if (nasid & 1) {
				pr_err("SN2: memory chunk %u has memory at 0x%llx on odd NASID %u, "
				       "a TIO I/O node without memory; %s\n",
				       i, s, nasid, NO_AFFINITY);
				return drop_memory(d);
			}
			end = MIN(s | in_node, last);
			if (!add_piece(d, s, end, SN2_NASID_TO_PXM(nasid))) {
				pr_err("SN2: memory splits into more than %d ranges at node "
				       "boundaries; %s\n",
				       TOPO_MAX_MEM, NO_AFFINITY);
				return drop_memory(d);
			}
			if (end == last)
				break;
			s = end + 1;
		}
	}
	return true;
}

/* CPUs the description leaves out or places nowhere; the first of each. */
struct cpu_faults {
	unsigned int bad_id, first_bad;
	unsigned int odd, first_odd;
};

static void report_cpus(const struct sn2_fw *fw, const struct topo_desc *d,
			const struct cpu_faults *f)
{
	const struct sn2_cpu *c;

	if (f->bad_id) {
		c = &fw->cpu[f->first_bad];
		pr_warn("SN2: %u CPUs have a NASID above %u or a slice above %u, which no SN2 "
			"LID holds (first: CPU %u, NASID %u, slice %u); skipped\n",
			f->bad_id, SN2_CPU_NASID_MAX, SN2_CPU_SLICE_MAX, f->first_bad, c->nasid,
			c->slice);
	}
	if (f->odd) {
		c = &fw->cpu[f->first_odd];
		pr_warn("SN2: %u CPUs are on odd NASIDs, TIO I/O nodes without CPUs (first: CPU "
			"%u, NASID %u); no affinity recorded for them\n",
			f->odd, f->first_odd, c->nasid);
	}
	if (d->cpus_dropped)
		pr_warn("SN2: %u CPUs present, room for NR_CPUS=%d; the last %u ignored\n",
			nr_cpus(fw), CONFIG_NR_CPUS, d->cpus_dropped);
}

/* The CPU list, and with affinity each CPU's pxm. */
static void record_cpus(const struct sn2_fw *fw, struct topo_desc *d, bool affinity)
{
	struct cpu_faults f = {0};
	unsigned int i;

	for (i = 0; i < nr_cpus(fw); i++) {
		const struct sn2_cpu *c = &fw->cpu[i];
		u32 hwid = SN2_CPU_HWID(c->nasid, c->slice);

		if (c->nasid > SN2_CPU_NASID_MAX || c->slice > SN2_CPU_SLICE_MAX) {
			if (!f.bad_id++)
				f.first_bad = i;
			continue;
		}
		if (d->nr_cpus == CONFIG_NR_CPUS) {
			d->cpus_dropped++;
			continue;
		}
		d->cpu_hwid[d->nr_cpus++] = hwid;
		if (!affinity)
			continue;
		if (c->nasid & 1) {
			if (!f.odd++)
				f.first_odd = i;
			continue;
		}
		d->aff[d->nr_aff].hwid = hwid;
		d->aff[d->nr_aff].pxm = SN2_NASID_TO_PXM(c->nasid);
		d->nr_aff++;
	}
	report_cpus(fw, d, &f);
}

/*
 * Map pxm to hop table row in row[] (-1: no row); rows of odd NASIDs (TIO
 * I/O nodes) are no pxm's. False (after a line) when a row names an even
 * NASID the matrix cannot index or an even NASID twice.
 */
static bool hop_rows_ok(const struct sn2_fw *fw, s16 *row)
{
	unsigned int i, nasid, pxm;

	for (i = 0; i < TOPO_MAX_LOCALITIES; i++)
		row[i] = -1;
	for (i = 0; i < nr_hop_nodes(fw); i++) {
		nasid = fw->hop_node[i];
		if (nasid & 1)
			continue;
		pxm = SN2_NASID_TO_PXM(nasid);
		if (pxm >= TOPO_MAX_LOCALITIES) {
			pr_err("SN2: router hop table row %u is NASID %u (pxm %u), beyond the %d "
			       "proximity domains the distance matrix holds; %s\n",
			       i, nasid, pxm, TOPO_MAX_LOCALITIES, NO_DISTANCES);
			return false;
		}
		if (row[pxm] >= 0) {
			pr_err("SN2: router hop table lists NASID %u twice; %s\n", nasid,
			       NO_DISTANCES);
			return false;
		}
		row[pxm] = (s16)i;
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
				pr_err("SN2: router hop table entry from NASID %u to itself is %u, "
				       "not 0; %s\n",
				       fw->hop_node[i], h, NO_DISTANCES);
				return false;
			}
			if (i != j && !h) {
				pr_err(
				    "SN2: router hop table entry from NASID %u to NASID %u is 0, "
				    "not at least 1; %s\n",
				    fw->hop_node[i], fw->hop_node[j], NO_DISTANCES);
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
	pr_err("SN2: NASID %u has %s but no row in the router hop table; %s\n", pxm * 2, what,
	       NO_DISTANCES);
	return false;
}

/*
 * Check that every pxm with memory or CPUs has a row; set *largest to
 * the largest such pxm (-1 if none). False after a line otherwise.
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

void sn2_describe_acpi(const struct acpi_rsdp *rsdp, const struct fw_window *mem,
		       struct topo_desc *d)
{
	static const struct acpi_numa_opts opts = {.sapic = true, .sn2_prom_srat = true};

	if (acpi_tables_init(rsdp, mem) < 0)
		return;
	acpi_numa_describe_opts(d, &opts);
}
